//! What the kiosk shows (state and reason) over a real socket: `/healthz` and the `state` events
//! follow the camera loop's state and its reason, and the OpenAPI document lists exactly the
//! states and reasons the daemon can show.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use kitascan::api::DaemonState;
use kitascan::led::LedState;

use super::bad_input::serve;
use super::*;

/// An open `GET /api/v1/events` over a socket; events parsed from the raw (chunked) body.
struct Events {
    stream: TcpStream,
    raw: String,
    /// How far `raw` has been parsed, and the event name waiting for its data line.
    parsed: usize,
    kind: Option<String>,
}

impl Events {
    fn open(addr: SocketAddr) -> Events {
        let mut stream = TcpStream::connect(addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_millis(200)))
            .expect("timeout");
        write!(
            stream,
            "GET /api/v1/events HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n"
        )
        .expect("request");
        Events {
            stream,
            raw: String::new(),
            parsed: 0,
            kind: None,
        }
    }

    /// The next event (name, data) within 30 s. Chunk-size lines and keep-alive comments are
    /// skipped: they never start with `event:` or `data:`.
    fn next(&mut self) -> (String, Value) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            while let Some(end) = self.raw[self.parsed..].find('\n') {
                let line = self.raw[self.parsed..self.parsed + end]
                    .trim_end_matches('\r')
                    .to_string();
                self.parsed += end + 1;
                if let Some(k) = line.strip_prefix("event:") {
                    self.kind = Some(k.trim().to_string());
                } else if let Some(d) = line.strip_prefix("data:")
                    && let Some(kind) = self.kind.take()
                {
                    return (kind, serde_json::from_str(d.trim()).expect("JSON data"));
                }
            }
            assert!(Instant::now() < deadline, "no event in 30 s: {}", self.raw);
            let mut buf = [0u8; 4096];
            match self.stream.read(&mut buf) {
                Ok(0) => panic!("the event stream ended: {}", self.raw),
                Ok(n) => self.raw.push_str(&String::from_utf8_lossy(&buf[..n])),
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(e) => panic!("reading the event stream: {e}"),
            }
        }
    }
}

fn healthz(addr: SocketAddr) -> Value {
    let (status, _, body) = http(addr, "GET", "/healthz", &[], b"").expect("GET /healthz");
    assert_eq!(status, 200);
    serde_json::from_slice(&body).expect("JSON")
}

#[test]
fn healthz_and_the_events_stream_carry_the_state_and_its_reason() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = state(config(dir.path()), not_a_permit_reader());
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let addr = serve(state.clone(), &rt);

    let h = healthz(addr);
    assert_eq!(h["status"], "ok");
    assert_eq!((&h["state"], &h["reason"]), (&json!("idle"), &Value::Null));

    let mut events = Events::open(addr);
    assert_eq!(
        events.next(),
        ("state".into(), json!({"state": "idle", "reason": null}))
    );
    // What the camera loop shows, one change after another; the reason alone changing is an
    // event too, and a repeat is none.
    let shown = [
        ("hold_still", Some("moving")),
        ("adjust", Some("glare")),
        ("adjust", Some("glare")),
        ("adjust", Some("out_of_focus")),
        ("fault", Some("camera_frozen")),
        ("idle", None),
    ];
    let mut announced = Vec::new();
    for (s, r) in shown {
        state.set_daemon_state(DaemonState::new(s, r));
        let h = healthz(addr);
        assert_eq!(
            (&h["state"], &h["reason"]),
            (&json!(s), &json!(r)),
            "/healthz after {s} {r:?}"
        );
        if announced.last() != Some(&(s, r)) {
            announced.push((s, r));
        }
    }
    for (s, r) in announced {
        assert_eq!(
            events.next(),
            ("state".into(), json!({"state": s, "reason": r}))
        );
    }
    // Nothing else was announced: the next event is the one sent now.
    state.set_daemon_state(DaemonState::new("read_failed", Some("not_a_permit")));
    assert_eq!(
        events.next(),
        (
            "state".into(),
            json!({"state": "read_failed", "reason": "not_a_permit"})
        )
    );
    // A new connection starts with what is shown now, reason included.
    assert_eq!(
        Events::open(addr).next(),
        (
            "state".into(),
            json!({"state": "read_failed", "reason": "not_a_permit"})
        )
    );
}

/// The document's `DaemonState` lists exactly the daemon's states and reasons.
#[test]
fn the_openapi_document_lists_every_state_and_reason() {
    let doc: Value = serde_json::from_str(kitascan::api::OPENAPI).expect("JSON");
    let schema = &doc["components"]["schemas"]["DaemonState"]["properties"];
    let states: Vec<&str> = LedState::ALL.iter().map(|s| s.as_str()).collect();
    assert_eq!(schema["state"]["enum"], json!(states));
    let mut reasons: Vec<Value> = kitascan::daemon::all_reasons()
        .into_iter()
        .map(Value::from)
        .collect();
    reasons.push(Value::Null);
    assert_eq!(schema["reason"]["enum"], Value::Array(reasons));
    assert_eq!(
        doc["paths"]["/healthz"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
            ["allOf"][0]["$ref"],
        "#/components/schemas/DaemonState"
    );
}
