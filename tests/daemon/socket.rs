//! `kitascan run --source replay:DIR` as a process on a real socket, in real time: the readings
//! of the replayed tray scene reach the database, `/api/v1/scans` and the events stream.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::*;

/// A plain HTTP/1.1 GET; the status and the body.
fn get(addr: SocketAddr, path: &str) -> (u16, Vec<u8>) {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("an answer");
    let text = String::from_utf8_lossy(&raw);
    let status = text[9..12].parse().expect("a status");
    let body = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| raw[i + 4..].to_vec())
        .unwrap_or_default();
    (status, body)
}

#[test]
fn kitascan_run_on_a_replay_stores_readings_and_announces_them() {
    let (scene_dir, scene) = scene();
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("kitascan.db");
    let config = dir.path().join("kitascan.toml");
    std::fs::write(&config, "[daemon]\nreplay_loop = false\n").unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_kitascan"))
        .args(["run", "--config"])
        .arg(&config)
        .arg("--source")
        .arg(format!("replay:{}", scene_dir.display()))
        .args([
            "--fps",
            "1",
            "--listen",
            "127.0.0.1:0",
            "--led",
            "log",
            "--db",
        ])
        .arg(&db)
        .env("KITASCAN_MODELS", common::models_dir())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = mpsc::channel();
    let (ended_tx, ended_rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(addr) = line.strip_prefix("kitascan: listening on http://") {
                let _ = tx.send(addr.parse::<SocketAddr>().expect("an address"));
            }
            if line.contains("ended after") {
                let _ = ended_tx.send(line.clone());
            }
        }
    });
    let addr = rx
        .recv_timeout(Duration::from_secs(120))
        .expect("the server says where it listens");

    // The events stream, read on a thread until the test has seen enough.
    let mut events = TcpStream::connect(addr).expect("connect");
    write!(
        events,
        "GET /api/v1/events HTTP/1.1\r\nHost: {addr}\r\n\r\n"
    )
    .unwrap();
    let (ev_tx, ev_rx) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = events.read(&mut buf) {
            if n == 0
                || ev_tx
                    .send(String::from_utf8_lossy(&buf[..n]).into_owned())
                    .is_err()
            {
                break;
            }
        }
    });

    let ended = ended_rx
        .recv_timeout(Duration::from_secs(300))
        .expect("the replay plays to its end");
    assert!(ended.contains("replay:"), "{ended}");
    let (status, body) = get(addr, "/api/v1/scans");
    assert_eq!(status, 200);
    let list: Value = serde_json::from_slice(&body).expect("json");
    let scans = list["scans"].as_array().expect("scans");
    let sharp: Vec<_> = scene.placements.iter().filter(|p| p.sharp).collect();
    assert_eq!(scans.len(), sharp.len(), "{list}");
    // Newest first.
    for (scan, placement) in scans.iter().rev().zip(&sharp) {
        assert_eq!(scan["source"], "camera");
        assert_eq!(
            scan["permit_number"],
            placement.truth.permit_number.as_str()
        );
        assert_eq!(scan["full_name"], placement.truth.full_name.as_str());
    }
    let (status, body) = get(addr, "/healthz");
    assert_eq!(status, 200);
    let health: Value = serde_json::from_slice(&body).expect("json");
    assert!(health["state"].is_string());

    let deadline = Instant::now() + Duration::from_secs(10);
    let mut seen = String::new();
    while Instant::now() < deadline && seen.matches("event: scan").count() < sharp.len() {
        if let Ok(chunk) = ev_rx.recv_timeout(Duration::from_millis(200)) {
            seen.push_str(&chunk);
        }
    }
    assert_eq!(seen.matches("event: scan").count(), sharp.len(), "{seen}");
    assert!(
        seen.contains("reading"),
        "the state events show the reading"
    );
    for scan in scans {
        assert!(seen.contains(scan["id"].as_str().unwrap()));
    }

    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(exit) = child.try_wait().unwrap() {
            assert!(exit.success(), "{exit:?}");
            break;
        }
        assert!(Instant::now() < deadline, "no exit within 30 s of SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
}
