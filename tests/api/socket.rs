//! `kitascan run` as a process on a real socket: an uploaded generated permit is read back
//! through `/api/v1/scans` after the server is killed and started again; start-up refusals.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

use super::*;

/// A running `kitascan run` and the address it listens on.
struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn kitascan_run(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kitascan"));
    cmd.arg("run")
        .args(args)
        .env("KITASCAN_MODELS", common::models_dir())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    cmd
}

/// Starts the server with `config` on a free port and waits for its "listening on" line.
fn start(config: &Path) -> Server {
    let mut child = kitascan_run(&[
        "--config",
        config.to_str().expect("utf-8"),
        "--listen",
        "127.0.0.1:0",
    ])
    .spawn()
    .expect("the binary starts");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(addr) = line.strip_prefix("kitascan: listening on http://") {
                let _ = tx.send(addr.parse::<SocketAddr>().expect("an address"));
            }
        }
    });
    let addr = rx
        .recv_timeout(Duration::from_secs(180))
        .expect("the server says where it listens");
    Server { child, addr }
}

fn get_json(addr: SocketAddr, path: &str) -> (u16, Value) {
    let (status, _, body) = http(addr, "GET", path, &[("x-api-key", KEY)], b"").expect("answer");
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

#[test]
fn an_uploaded_permit_is_listed_after_the_server_is_killed_and_restarted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("data/kitascan.db");
    let config = dir.path().join("kitascan.toml");
    std::fs::write(
        &config,
        format!(
            "[store]\ndb = {:?}\n\n[[server.keys]]\nname = \"tests\"\nkey = \"{KEY}\"\n",
            db.to_str().expect("utf-8")
        ),
    )
    .expect("write the config");
    let fx = fixtures();
    let truth = &fx.permit_truth.truth;

    let mut server = start(&config);
    let (status, headers, body) = http_upload(
        server.addr,
        "/ocr/v1/kitas-kitap",
        &[("x-api-key", KEY)],
        &multipart("image", "permit.png", &fx.permit_png),
    )
    .expect("an answer");
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["read"]["permit_number"]["value"],
        truth.permit_number.as_str()
    );
    let id = header(&headers, "scan-id").expect("Scan-Id").to_string();
    assert!(header(&headers, "request-id").is_some());
    // Killed outright: what was committed must survive.
    server.child.kill().expect("kill");
    server.child.wait().expect("wait");
    drop(server);

    let mut server = start(&config);
    let (status, list) = get_json(server.addr, "/api/v1/scans");
    assert_eq!(status, 200);
    let scans = list["scans"].as_array().expect("scans");
    assert_eq!(scans.len(), 1);
    assert_eq!(scans[0]["id"], id.as_str());
    assert_eq!(scans[0]["permit_number"], truth.permit_number.as_str());
    assert_eq!(scans[0]["full_name"], truth.full_name.as_str());
    assert_eq!(scans[0]["source"], "upload");
    let (status, one) = get_json(server.addr, &format!("/api/v1/scans/{id}"));
    assert_eq!(status, 200);
    assert_eq!(
        one["reading"]["fields"]["passport_number"]["value"],
        truth.passport_number.as_str()
    );
    let (status, _) = get_json(server.addr, "/healthz");
    assert_eq!(status, 200);

    // SIGTERM stops it cleanly, even with a kiosk page's event stream open.
    let mut events = TcpStream::connect(server.addr).expect("connect");
    write!(
        events,
        "GET /api/v1/events HTTP/1.1\r\nHost: {}\r\nx-api-key: {KEY}\r\n\r\n",
        server.addr
    )
    .expect("subscribe");
    events
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let mut first = [0u8; 512];
    let n = events.read(&mut first).expect("the stream starts");
    assert!(String::from_utf8_lossy(&first[..n]).contains("200 OK"));
    let pid = server.child.id().to_string();
    let killed = Command::new("kill").args(["-TERM", &pid]).status();
    assert!(killed.expect("kill runs").success());
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let exit = loop {
        if let Some(exit) = server.child.try_wait().expect("wait") {
            break exit;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the server did not stop within 30 s of SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(exit.success(), "{exit:?}");
    drop(events);

    let store = kitascan::store::Store::open(&db).expect("open");
    assert_eq!(store.integrity_check().expect("check"), "ok");
}

#[test]
fn the_server_refuses_to_start_on_the_lan_without_a_key_or_with_a_bad_config() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("k.db");
    let out = kitascan_run(&["--listen", "0.0.0.0:0", "--db", db.to_str().expect("utf-8")])
        .output()
        .expect("runs");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("server.listen") && err.contains("no API key is configured"),
        "{err}"
    );
    assert!(
        !db.exists(),
        "nothing is created before the configuration is accepted"
    );

    let config = dir.path().join("bad.toml");
    std::fs::write(&config, "[reader]\nqueue_capacity = 0\n").expect("write");
    let out = kitascan_run(&["--config", config.to_str().expect("utf-8")])
        .output()
        .expect("runs");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.toml: reader.queue_capacity: must be between 1 and 1024"),
        "{err}"
    );
}
