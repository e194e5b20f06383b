//! Fleet delivery against a real Mosquitto (Debian's `mosquitto`, installed by
//! `scripts/system-deps test`) started on a free loopback port with a configuration written
//! here, and the webhook sink against a local HTTP receiver. Without Mosquitto the MQTT tests are
//! skipped with a loud message, except under CI (`CI=true`), where that is a failure.
//!
//! Readings are stored through `AppState::record` (the path camera and uploads take) with
//! generated values and no OCR, so that these tests take seconds.

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::Request;
use hmac::{Hmac, Mac};
use rumqttc::{Client, ConnectionError, Event, MqttOptions, Outgoing, Packet, QoS};
use serde_json::Value;
use sha2::Sha256;

use kitascan::api::{AppState, new_id, new_scan};
use kitascan::config::{Config, MqttConfig, WebhookConfig};
use kitascan::fleet::{self, FleetParams};
use kitascan::kitas::{DocumentKind, Field, FieldName, Reading};
use kitascan::store::{ScanSource, Store};

use super::*;

/// How long any wait here lasts at most.
const PATIENCE: Duration = Duration::from_secs(60);

/// The Mosquitto binary, or `None` after a loud message when it is missing outside CI.
fn mosquitto_bin() -> Option<PathBuf> {
    let found = ["/usr/sbin/mosquitto", "/usr/bin/mosquitto"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists());
    if found.is_none() {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("mosquitto is missing under CI: scripts/system-deps test installs it");
        }
        eprintln!(
            "\n*** SKIPPED: mosquitto is not installed; run `scripts/system-deps test` ***\n"
        );
    }
    found
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// A Mosquitto on a loopback port, with its configuration and files in a folder of its own.
struct Broker {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
    child: Option<Child>,
}

impl Broker {
    /// Writes the configuration (`extra` appended) without starting the broker.
    fn new(bin: PathBuf, dir: &Path, extra: &str) -> Broker {
        let port = free_port();
        let dir = dir.join(format!("mosquitto-{port}"));
        std::fs::create_dir_all(&dir).expect("broker dir");
        let conf = format!(
            "listener {port} 127.0.0.1\npersistence true\npersistence_location {}/\n\
             autosave_interval 0\nmax_queued_messages 0\nlog_dest stderr\n\
             log_type error\nlog_type warning\nuser root\n{extra}",
            dir.display()
        );
        std::fs::write(dir.join("mosquitto.conf"), conf).expect("broker conf");
        Broker {
            bin,
            dir,
            port,
            child: None,
        }
    }

    fn url(&self) -> String {
        format!("mqtt://127.0.0.1:{}", self.port)
    }

    /// Starts it and waits until it accepts connections.
    fn start(&mut self) {
        let child = Command::new(&self.bin)
            .arg("-c")
            .arg(self.dir.join("mosquitto.conf"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("mosquitto starts");
        self.child = Some(child);
        let deadline = Instant::now() + PATIENCE;
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "mosquitto does not listen");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Stops it with SIGTERM (it saves its persistent sessions) and waits.
    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill").arg(child.id().to_string()).status();
            let _ = child.wait();
        }
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A back office: a persistent QoS 1 subscription to the kiosk's topic, collecting messages.
struct Subscriber {
    got: Arc<Mutex<Vec<Value>>>,
    client: Client,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Subscriber {
    fn connect(port: u16, topic: &str, credentials: Option<(&str, &str)>) -> Subscriber {
        let mut opts = MqttOptions::new("back-office", "127.0.0.1", port);
        opts.set_clean_session(false)
            .set_max_packet_size(16 * 1024 * 1024, 64 * 1024);
        if let Some((u, p)) = credentials {
            opts.set_credentials(u, p);
        }
        let (client, mut connection) = Client::new(opts, 64);
        client
            .subscribe(topic, QoS::AtLeastOnce)
            .expect("subscribe");
        let got = Arc::new(Mutex::new(Vec::new()));
        let (subscribed_tx, subscribed) = std::sync::mpsc::channel();
        let sink = got.clone();
        let thread = std::thread::spawn(move || {
            for ev in connection.iter() {
                match ev {
                    // Closed by `drop`: no reconnection (it would take the session over).
                    Ok(Event::Outgoing(Outgoing::Disconnect))
                    | Err(ConnectionError::RequestsDone) => break,
                    Ok(Event::Incoming(Packet::SubAck(_))) => {
                        let _ = subscribed_tx.send(());
                    }
                    Ok(Event::Incoming(Packet::Publish(p))) => {
                        let v: Value = serde_json::from_slice(&p.payload).expect("JSON payload");
                        sink.lock().expect("lock").push(v);
                    }
                    Ok(_) => {}
                    Err(_) => std::thread::sleep(Duration::from_millis(50)),
                }
            }
        });
        subscribed
            .recv_timeout(PATIENCE)
            .expect("the subscription is acknowledged");
        Subscriber {
            got,
            client,
            thread: Some(thread),
        }
    }

    /// How many messages arrived, repeats included.
    fn count(&self) -> usize {
        self.got.lock().expect("lock").len()
    }

    fn messages(&self) -> Vec<Value> {
        self.got.lock().expect("lock").clone()
    }

    /// Waits until `done` holds for the messages received so far; them.
    fn wait_for(&self, what: &str, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let msgs = self.messages();
            if done(&msgs) {
                return msgs;
            }
            assert!(
                Instant::now() < deadline,
                "{what}: only {} messages arrived",
                msgs.len()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Subscriber {
    fn drop(&mut self) {
        if self.client.disconnect().is_ok()
            && let Some(thread) = self.thread.take()
        {
            let _ = thread.join();
        }
    }
}

/// `(event, scan_id)` of each message, first arrivals only (QoS 1 may repeat one).
fn first_arrivals(msgs: &[Value]) -> Vec<(String, String)> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for m in msgs {
        let key = (
            m["event"].as_str().unwrap_or_default().to_string(),
            m["scan_id"].as_str().unwrap_or_default().to_string(),
        );
        if seen.insert(key.clone()) {
            out.push(key);
        }
    }
    out
}

fn scans_of(ids: &[String]) -> Vec<(String, String)> {
    ids.iter()
        .map(|id| ("scan".to_string(), id.clone()))
        .collect()
}

const KIOSK: &str = "test-kiosk-1";

/// A configuration with MQTT delivery to `url`, the database in `dir`.
fn mqtt_config(dir: &Path, url: &str, credentials: Option<(&str, &str)>) -> Config {
    let mut c = config(dir);
    c.fleet.kiosk_id = KIOSK.into();
    c.fleet.mqtt = Some(MqttConfig {
        url: url.into(),
        username: credentials.map(|(u, _)| u.to_string()),
        password: credentials.map(|(_, p)| p.to_string()),
        topic: "kitascan/{kiosk_id}/scans".into(),
        qos: 1,
        include_images: false,
    });
    c.validate("test").expect("a valid fleet configuration");
    c
}

fn topic() -> String {
    format!("kitascan/{KIOSK}/scans")
}

/// Quick retries, so that a test does not wait out production backoff.
fn quick() -> FleetParams {
    FleetParams {
        backoff_min: Duration::from_millis(50),
        backoff_max: Duration::from_millis(300),
        poll: Duration::from_millis(100),
        ..FleetParams::default()
    }
}

/// A reading with a generated name (fake identity), not through the reader.
fn reading(i: usize) -> Reading {
    let mut r = Reading::not_a_permit();
    r.is_permit = true;
    r.kind = DocumentKind::Kitas;
    let name = format!("TEST PERSON {i}");
    r.fields.insert(
        FieldName::FullName,
        Field {
            value: name.clone(),
            value_original: name,
            confidence: 0.9,
            confidence_text: 0.9,
            polygon: vec![[1.0, 2.0], [3.0, 2.0], [3.0, 4.0], [1.0, 4.0]],
            page_index: 0,
        },
    );
    r
}

/// Stores `n` readings through the API's path; their ids in order.
async fn store_readings(state: &AppState, n: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..n {
        let scan = new_scan(new_id(), new_id(), ScanSource::Camera, &reading(i), None);
        ids.push(state.record(scan).await.expect("stored").id);
    }
    ids
}

/// The `fleet` object of `/healthz`.
async fn fleet_health(state: &AppState) -> Value {
    send(
        state,
        Request::get("/healthz").body(Body::empty()).expect("req"),
    )
    .await
    .json()["fleet"]
        .clone()
}

async fn wait_health(state: &AppState, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let h = fleet_health(state).await;
        if done(&h) {
            return h;
        }
        assert!(Instant::now() < deadline, "{what}: /healthz says {h}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readings_stored_while_the_broker_is_down_all_arrive_in_order_once_it_is_up() {
    let Some(bin) = mosquitto_bin() else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let mut broker = Broker::new(bin, dir.path(), "allow_anonymous true\n");
    // The back office's persistent session exists before the outage (it would in production):
    // the broker keeps what arrives for it while it is away.
    broker.start();
    drop(Subscriber::connect(broker.port, &topic(), None));
    broker.stop();

    let config = mqtt_config(dir.path(), &broker.url(), None);
    let state = state(config.clone(), not_a_permit_reader());
    let publisher = fleet::spawn(
        &config.fleet,
        state.store().clone(),
        state.fleet().clone(),
        quick(),
    )
    .expect("a sink is configured");
    let ids = store_readings(&state, 20).await;
    let down = wait_health(&state, "the broker is down", |h| h["connection"] == "fault").await;
    assert_eq!(down["reason"], "unreachable");
    assert_eq!(down["outbox_depth"], 20);
    assert!(
        down["oldest_undelivered_age_seconds"]
            .as_f64()
            .expect("an age")
            >= 0.0
    );
    assert_eq!(down["last_delivery"], Value::Null);

    broker.start();
    let up = wait_health(&state, "delivered", |h| h["outbox_depth"] == 0).await;
    assert_eq!(up["connection"], "connected");
    assert!(up["last_delivery"].is_string(), "{up}");
    let sub = Subscriber::connect(broker.port, &topic(), None);
    let msgs = sub.wait_for("20 readings", |m| first_arrivals(m).len() >= 20);
    assert_eq!(first_arrivals(&msgs), scans_of(&ids));
    for m in &msgs {
        assert_eq!(m["kiosk_id"], KIOSK);
        assert_eq!(m["document_type"], "KITAS");
        assert_eq!(m["read"].as_object().expect("read").len(), 24);
    }
    // The metrics say the same.
    let metrics = send(
        &state,
        Request::get("/metrics").body(Body::empty()).expect("req"),
    )
    .await;
    let text = String::from_utf8_lossy(&metrics.bytes).to_string();
    assert!(text.contains("kitascan_fleet_outbox_depth 0"), "{text}");
    assert!(
        text.contains("kitascan_fleet_link{state=\"connected\"} 1"),
        "{text}"
    );
    publisher.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_arrives_as_a_scan_a_deletion_and_a_correction_through_the_api_as_their_events() {
    let Some(bin) = mosquitto_bin() else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let mut broker = Broker::new(bin, dir.path(), "allow_anonymous true\n");
    broker.start();
    let sub = Subscriber::connect(broker.port, &topic(), None);
    let config = mqtt_config(dir.path(), &broker.url(), None);
    let state = state(config.clone(), not_a_permit_reader());
    let publisher = fleet::spawn(
        &config.fleet,
        state.store().clone(),
        state.fleet().clone(),
        quick(),
    )
    .expect("a sink is configured");
    let mut ids = store_readings(&state, 2).await;
    // An upload (read by a stand-in reader as not a permit) takes the same path.
    let res = send(
        &state,
        upload("/ocr/v1/kitas-kitap", "blank.png", &blank_png()),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK);
    ids.push(res.header("scan-id").expect("Scan-Id").to_string());
    let res = send(
        &state,
        Request::delete(format!("/api/v1/scans/{}", ids[0]))
            .body(Body::empty())
            .expect("req"),
    )
    .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    // An operator's correction of another reading arrives as a correction, after the deletion.
    let res = send(
        &state,
        Request::patch(format!("/api/v1/scans/{}/fields/full_name", ids[1]))
            .header("content-type", "application/json")
            .body(Body::from(r#"{"value": "JANE ROE"}"#))
            .expect("req"),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK);
    let msgs = sub.wait_for("three scans, a deletion and a correction", |m| {
        first_arrivals(m).len() >= 5
    });
    let mut want = scans_of(&ids);
    want.push(("deletion".into(), ids[0].clone()));
    want.push(("correction".into(), ids[1].clone()));
    assert_eq!(first_arrivals(&msgs), want);
    let correction = msgs
        .iter()
        .find(|m| m["event"] == "correction")
        .expect("correction");
    assert_eq!(correction["read"]["full_name"]["value"], "JANE ROE");
    let uploaded = msgs
        .iter()
        .find(|m| m["scan_id"] == ids[2])
        .expect("the upload");
    assert_eq!(
        (
            &uploaded["source"],
            &uploaded["status"],
            &uploaded["document_type"]
        ),
        (&"upload".into(), &"not_permit".into(), &"".into())
    );
    let deletion = msgs
        .iter()
        .find(|m| m["event"] == "deletion")
        .expect("deletion");
    // A deletion says which scan, from which kiosk, when, and nothing read from it.
    assert_eq!(deletion["kiosk_id"], KIOSK);
    assert!(deletion.get("read").is_none(), "{deletion}");
    publisher.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_broker_credentials_show_as_a_fault_and_nothing_is_marked_delivered() {
    let Some(bin) = mosquitto_bin() else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let passwd = dir.path().join("passwd");
    let made = Command::new("mosquitto_passwd")
        .args(["-b", "-c"])
        .arg(&passwd)
        .args(["kiosk", "right-password"])
        .status()
        .expect("mosquitto_passwd runs");
    assert!(made.success());
    let mut broker = Broker::new(
        bin,
        dir.path(),
        &format!(
            "allow_anonymous false\npassword_file {}\n",
            passwd.display()
        ),
    );
    broker.start();
    let sub = Subscriber::connect(broker.port, &topic(), Some(("kiosk", "right-password")));

    let wrong = mqtt_config(dir.path(), &broker.url(), Some(("kiosk", "wrong-password")));
    let state = state(wrong.clone(), not_a_permit_reader());
    let store = state.store().clone();
    let publisher = fleet::spawn(&wrong.fleet, store.clone(), state.fleet().clone(), quick())
        .expect("a sink is configured");
    let ids = store_readings(&state, 3).await;
    let h = wait_health(&state, "refused", |h| h["connection"] == "fault").await;
    assert!(
        h["reason"] == "not_authorized" || h["reason"] == "bad_credentials",
        "{h}"
    );
    // A few more refused attempts: still nothing delivered.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let h = fleet_health(&state).await;
    assert_eq!(
        (h["outbox_depth"].clone(), h["last_delivery"].clone()),
        (3.into(), Value::Null)
    );
    assert!(sub.messages().is_empty());
    publisher.abort();

    // The same outbox with the right password: all three, in order.
    let right = mqtt_config(dir.path(), &broker.url(), Some(("kiosk", "right-password")));
    let state = AppState::new(right.clone(), store.clone(), not_a_permit_reader());
    let publisher = fleet::spawn(&right.fleet, store, state.fleet().clone(), quick())
        .expect("a sink is configured");
    let msgs = sub.wait_for("three readings", |m| first_arrivals(m).len() >= 3);
    assert_eq!(first_arrivals(&msgs), scans_of(&ids));
    publisher.abort();
}

/// `kitascan run --source none` with `config`, and the address it listens on.
fn kitascan_run(config: &Path) -> (Child, SocketAddr) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kitascan"))
        .args([
            "run",
            "--source",
            "none",
            "--listen",
            "127.0.0.1:0",
            "--config",
        ])
        .arg(config)
        .env("KITASCAN_MODELS", common::models_dir())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kitascan run starts");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(addr) = line.strip_prefix("kitascan: listening on http://") {
                let _ = tx.send(addr.parse::<SocketAddr>().expect("an address"));
            }
        }
    });
    let addr = rx
        .recv_timeout(Duration::from_secs(180))
        .expect("kitascan says where it listens");
    (child, addr)
}

fn write_config(dir: &Path, broker_url: &str) -> PathBuf {
    let path = dir.join("kitascan.toml");
    let db = dir.join("kitascan.db");
    std::fs::write(
        &path,
        format!(
            "[store]\ndb = {:?}\n[fleet]\nkiosk_id = \"{KIOSK}\"\n[fleet.mqtt]\nurl = \"{broker_url}\"\n",
            db.to_str().expect("utf-8")
        ),
    )
    .expect("write the config");
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kiosk_killed_while_publishing_loses_nothing_after_a_restart() {
    let Some(bin) = mosquitto_bin() else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let mut broker = Broker::new(bin, dir.path(), "allow_anonymous true\n");
    broker.start();
    let sub = Subscriber::connect(broker.port, &topic(), None);
    let config_path = write_config(dir.path(), &broker.url());
    let config = Config::load(&config_path).expect("the config loads");
    let n = 3000;
    let ids = {
        let state = state(config, not_a_permit_reader());
        store_readings(&state, n).await
    };

    let (mut kiosk, _) = kitascan_run(&config_path);
    sub.wait_for("the first message", |m| !m.is_empty());
    kiosk.kill().expect("SIGKILL");
    kiosk.wait().expect("reaped");
    let at_kill = sub.messages().len();
    let left = Store::open(&dir.path().join("kitascan.db"))
        .expect("open")
        .outbox_stats()
        .expect("stats")
        .depth;
    eprintln!("fleet kill test: {at_kill} of {n} received, {left} undelivered at the kill");
    assert!(
        left > 0,
        "the outbox drained before the kill: nothing was tested"
    );

    let (mut kiosk, addr) = kitascan_run(&config_path);
    let msgs = sub.wait_for("every reading", |m| first_arrivals(m).len() >= n);
    assert_eq!(first_arrivals(&msgs), scans_of(&ids));
    let deadline = Instant::now() + PATIENCE;
    loop {
        let (_, _, body) = http(addr, "GET", "/healthz", &[], b"").expect("healthz");
        let h: Value = serde_json::from_slice(&body).expect("JSON");
        if h["fleet"]["outbox_depth"] == 0 {
            assert_eq!(h["fleet"]["connection"], "connected");
            break;
        }
        assert!(Instant::now() < deadline, "{h}");
        std::thread::sleep(Duration::from_millis(50));
    }
    eprintln!(
        "fleet kill test: {} messages for {n} readings ({} repeats)",
        msgs.len(),
        msgs.len() - n
    );
    let _ = kiosk.kill();
    let _ = kiosk.wait();
}

/// A webhook receiver: answers 503 to the first `fail` requests, then 200; keeps each
/// request's signature header, event header and body.
type Received = Arc<Mutex<Vec<(String, String, Vec<u8>)>>>;

async fn receiver(fail: usize) -> (SocketAddr, Received, Arc<Mutex<usize>>) {
    use axum::http::{HeaderMap, StatusCode};
    use axum::routing::post;
    let got: Received = Arc::default();
    let attempts = Arc::new(Mutex::new(0usize));
    let (g, a) = (got.clone(), attempts.clone());
    let app = axum::Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: axum::body::Bytes| {
            let (g, a) = (g.clone(), a.clone());
            async move {
                let mut n = a.lock().expect("lock");
                *n += 1;
                if *n <= fail {
                    return StatusCode::SERVICE_UNAVAILABLE;
                }
                let h = |k: &str| {
                    headers
                        .get(k)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_string()
                };
                g.lock().expect("lock").push((
                    h("x-kitascan-signature"),
                    h("x-kitascan-event"),
                    body.to_vec(),
                ));
                StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (addr, got, attempts)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_webhook_gets_every_event_signed_and_in_order_after_three_failures() {
    const SECRET: &str = "webhook-secret-0123456789";
    let (addr, got, attempts) = receiver(3).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = config(dir.path());
    config.fleet.kiosk_id = KIOSK.into();
    config.fleet.webhook = Some(WebhookConfig {
        url: format!("http://{addr}/hook"),
        secret: SECRET.into(),
    });
    config.validate("test").expect("valid");
    let state = state(config.clone(), not_a_permit_reader());
    let mut ids = store_readings(&state, 5).await;
    assert!(
        state
            .delete_scan(ids[1].clone(), "ops".into())
            .await
            .expect("deleted")
    );
    let publisher = fleet::spawn(
        &config.fleet,
        state.store().clone(),
        state.fleet().clone(),
        quick(),
    )
    .expect("a sink is configured");
    // While the receiver answers 503, the link shows the fault.
    let deadline = Instant::now() + PATIENCE;
    while fleet_health(&state).await["reason"] != "http_status" {
        assert!(Instant::now() < deadline, "no fault was shown");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let deadline = Instant::now() + PATIENCE;
    while got.lock().expect("lock").len() < 6 {
        assert!(Instant::now() < deadline, "the webhook got too little");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    publisher.abort();
    let got = got.lock().expect("lock").clone();
    assert_eq!(
        *attempts.lock().expect("lock"),
        3 + 6,
        "one request per event after the failures"
    );
    let mut want = scans_of(&ids);
    want.push(("deletion".into(), ids.remove(1)));
    let mut arrived = Vec::new();
    for (signature, event, body) in &got {
        let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).expect("key");
        mac.update(body);
        let hex = signature.strip_prefix("sha256=").expect("sha256=HEX");
        let bytes: Vec<u8> = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
            .collect();
        mac.verify_slice(&bytes).expect("the signature verifies");
        let v: Value = serde_json::from_slice(body).expect("JSON");
        assert_eq!(v["event"].as_str(), Some(event.as_str()));
        arrived.push((
            event.clone(),
            v["scan_id"].as_str().expect("id").to_string(),
        ));
    }
    assert_eq!(arrived, want);
    let h = fleet_health(&state).await;
    assert_eq!(
        (h["sink"].clone(), h["outbox_depth"].clone()),
        ("webhook".into(), 0.into())
    );
    assert_eq!(h["connection"], "connected");
    assert!(h["last_delivery"].is_string(), "{h}");
}

/// Resident memory of process `pid`, kilobytes (Linux).
fn rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// BENCHMARKS.md, "Fleet delivery": `kitascan run` draining a backlog of 10,000 outbox rows to a
/// local Mosquitto; prints the rate and the daemon's memory. A measurement, not a test:
/// `cargo test --test api fleet::drain_benchmark -- --ignored --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement for BENCHMARKS.md"]
async fn drain_benchmark() {
    let Some(bin) = mosquitto_bin() else { return };
    let n = 10_000;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut broker = Broker::new(bin, dir.path(), "allow_anonymous true\n");
    broker.start();
    let sub = Subscriber::connect(broker.port, &topic(), None);
    let config_path = write_config(dir.path(), &broker.url());
    let config = Config::load(&config_path).expect("the config loads");
    let stored = Instant::now();
    let ids = {
        let state = state(config, not_a_permit_reader());
        store_readings(&state, n).await
    };
    let payload_bytes = Store::open(&dir.path().join("kitascan.db"))
        .expect("open")
        .outbox_pending(0, 1)
        .expect("pending")[0]
        .payload
        .len();
    eprintln!(
        "fleet drain: {n} readings stored in {:.1} s; a message is {payload_bytes} bytes",
        stored.elapsed().as_secs_f64()
    );
    // The same daemon with an empty outbox for as long, for its memory without a backlog (it
    // compiles the models' plans on a thread of its own after start-up either way).
    let idle_dir = tempfile::tempdir().expect("tempdir");
    let idle_config = write_config(idle_dir.path(), &broker.url());
    let (mut idle, _) = kitascan_run(&idle_config);
    let mut idle_peak = 0;
    let idle_started = Instant::now();
    while idle_started.elapsed() < Duration::from_secs(12) {
        idle_peak = idle_peak.max(rss_kb(idle.id()).unwrap_or(0));
        std::thread::sleep(Duration::from_millis(10));
    }
    let _ = idle.kill();
    let _ = idle.wait();

    let (mut kiosk, addr) = kitascan_run(&config_path);
    let started = Instant::now();
    let pid = kiosk.id();
    let rss_at_start = rss_kb(pid).unwrap_or(0);
    let mut peak = rss_at_start;
    let mut first = None;
    loop {
        peak = peak.max(rss_kb(pid).unwrap_or(0));
        let count = sub.count();
        if first.is_none() && count > 0 {
            first = Some(started.elapsed());
        }
        if count >= n && first_arrivals(&sub.messages()).len() >= n {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(600), "too slow");
        std::thread::sleep(Duration::from_millis(10));
    }
    let all = started.elapsed();
    let msgs = sub.messages();
    assert_eq!(first_arrivals(&msgs), scans_of(&ids));
    loop {
        let (_, _, body) = http(addr, "GET", "/healthz", &[], b"").expect("healthz");
        let h: Value = serde_json::from_slice(&body).expect("JSON");
        if h["fleet"]["outbox_depth"] == 0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let marked = started.elapsed();
    let first = first.unwrap_or_default();
    let drain = (all - first).as_secs_f64();
    eprintln!(
        "fleet drain: first message {:.2} s after listening; {n} received in {drain:.2} s \
         ({:.0} messages/s); all marked delivered {:.2} s after listening",
        first.as_secs_f64(),
        n as f64 / drain,
        marked.as_secs_f64()
    );
    eprintln!(
        "fleet drain: daemon RSS {} MB when listening, peak {} MB while draining; peak {} MB \
         over 12 s with an empty outbox",
        rss_at_start / 1024,
        peak / 1024,
        idle_peak / 1024
    );
    let _ = kiosk.kill();
    let _ = kiosk.wait();
}
