//! The kiosk page in headless Chromium (Debian's `chromium`; `make test` installs it): it loads,
//! shows a reading that arrives over the events stream, renders a non-blank 800x480 screenshot
//! without overflowing the screen, and tells the person at the tray what to do for every state
//! and reason, in Bahasa Indonesia and English.
//!
//! Chromium is driven over the DevTools protocol on a WebSocket written out here (a handshake
//! and text frames), since `--dump-dom` and `--screenshot` capture the page before a live event
//! can arrive. Without Chromium the test is skipped with a loud message, except under CI
//! (`CI=true`), where that is a failure.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};

use kitascan::api::{DaemonState, new_id, new_scan};
use kitascan::kitas::{DocumentKind, Field, FieldName, Reading};
use kitascan::led::LedState;
use kitascan::store::ScanSource;

use super::bad_input::serve;
use super::*;

/// Chromium, or `None` after a loud message when it is missing outside CI (a failure under CI).
fn chromium_or_skip(test: &str) -> Option<PathBuf> {
    let found = find_chromium();
    if found.is_none() {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("chromium is missing under CI: scripts/system-deps test installs it");
        }
        // Written to stderr directly: libtest captures `eprintln!` of passing tests.
        let _ = writeln!(
            std::io::stderr(),
            "\n\n*** SKIPPED {test}: it needs Chromium (apt-get install chromium, or run \
             `make test`, which installs it) ***\n"
        );
    }
    found
}

fn find_chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// Chromium with a fresh profile; killed (and its profile removed) on drop.
struct Browser {
    child: Child,
    _profile: tempfile::TempDir,
    port: u16,
}

impl Browser {
    fn start(exe: &Path, url: &str) -> Browser {
        let profile = tempfile::tempdir().expect("tempdir");
        let child = Command::new(exe)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--window-size=800,480",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg(url)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromium starts");
        // Chromium writes the port it chose into the profile.
        let port_file = profile.path().join("DevToolsActivePort");
        let port = wait_for(Duration::from_secs(60), || {
            std::fs::read_to_string(&port_file)
                .ok()
                .and_then(|s| s.lines().next().and_then(|l| l.trim().parse::<u16>().ok()))
        })
        .expect("chromium opens its DevTools port");
        Browser {
            child,
            _profile: profile,
            port,
        }
    }

    /// The DevTools connection to the page at `url`.
    fn page(&self, url: &str) -> Cdp {
        let addr = SocketAddr::from(([127, 0, 0, 1], self.port));
        let ws = wait_for(Duration::from_secs(30), || {
            let (_, _, body) = http(addr, "GET", "/json/list", &[], b"").ok()?;
            let targets: Value = serde_json::from_slice(&body).ok()?;
            targets.as_array()?.iter().find_map(|t| {
                (t["type"] == "page" && t["url"].as_str()?.starts_with(url))
                    .then(|| t["webSocketDebuggerUrl"].as_str().map(str::to_string))?
            })
        })
        .expect("the page's DevTools target");
        Cdp::connect(addr, &ws)
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // SIGTERM lets Chromium take its helper processes down with it.
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wait_for<T>(limit: Duration, mut f: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(v) = f() {
            return Some(v);
        }
        if Instant::now() > deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A minimal DevTools protocol client: one WebSocket, text frames, commands by id.
struct Cdp {
    stream: TcpStream,
    reader: BufReader<TcpStream>,
    next_id: u64,
}

impl Cdp {
    fn connect(addr: SocketAddr, ws_url: &str) -> Cdp {
        let path = ws_url
            .split_once("/devtools/")
            .map(|(_, p)| format!("/devtools/{p}"))
            .expect("a devtools URL");
        let mut stream = TcpStream::connect(addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .expect("timeout");
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        .expect("handshake");
        let mut reader = BufReader::new(stream.try_clone().expect("clone"));
        let mut status = String::new();
        reader.read_line(&mut status).expect("status line");
        assert!(
            status.contains(" 101 "),
            "WebSocket upgrade refused: {status}"
        );
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).expect("header");
            if line == "\r\n" || line.is_empty() {
                break;
            }
        }
        Cdp {
            stream,
            reader,
            next_id: 1,
        }
    }

    fn send_text(&mut self, text: &str) {
        let payload = text.as_bytes();
        let mut frame = vec![0x81u8];
        let mask = [0x12u8, 0x34, 0x56, 0x78];
        match payload.len() {
            n if n < 126 => frame.push(0x80 | n as u8),
            n if n < 65_536 => {
                frame.push(0x80 | 126);
                frame.extend_from_slice(&(n as u16).to_be_bytes());
            }
            n => {
                frame.push(0x80 | 127);
                frame.extend_from_slice(&(n as u64).to_be_bytes());
            }
        }
        frame.extend_from_slice(&mask);
        frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        self.stream.write_all(&frame).expect("send a frame");
    }

    /// The next whole text message.
    fn read_text(&mut self) -> String {
        let mut message = Vec::new();
        loop {
            let mut head = [0u8; 2];
            self.reader.read_exact(&mut head).expect("a frame");
            let fin = head[0] & 0x80 != 0;
            let opcode = head[0] & 0x0f;
            let len = match head[1] & 0x7f {
                126 => {
                    let mut b = [0u8; 2];
                    self.reader.read_exact(&mut b).expect("length");
                    u64::from(u16::from_be_bytes(b))
                }
                127 => {
                    let mut b = [0u8; 8];
                    self.reader.read_exact(&mut b).expect("length");
                    u64::from_be_bytes(b)
                }
                n => u64::from(n),
            };
            let mut payload = vec![0u8; len as usize];
            self.reader.read_exact(&mut payload).expect("payload");
            match opcode {
                0x1 | 0x0 => {
                    message.extend_from_slice(&payload);
                    if fin {
                        return String::from_utf8_lossy(&message).into_owned();
                    }
                }
                0x8 => panic!("DevTools closed the connection"),
                _ => {} // ping, pong, binary: not used by DevTools
            }
        }
    }

    /// Sends a command and returns its result.
    fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send_text(&json!({"id": id, "method": method, "params": params}).to_string());
        loop {
            let msg: Value = serde_json::from_str(&self.read_text()).expect("JSON");
            if msg["id"] == id {
                assert!(msg.get("error").is_none(), "{method}: {msg}");
                return msg["result"].clone();
            }
        }
    }

    /// Evaluates a JavaScript expression in the page; its value.
    fn eval(&mut self, expression: &str) -> Value {
        let r = self.call(
            "Runtime.evaluate",
            json!({"expression": expression, "returnByValue": true}),
        );
        r["result"]["value"].clone()
    }

    fn eval_until(&mut self, expression: &str, want: &Value) -> Value {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let got = self.eval(expression);
            if &got == want || Instant::now() > deadline {
                return got;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// A PNG of the page at `width` x `height` CSS pixels.
    fn screenshot(&mut self, width: u32, height: u32) -> image::RgbImage {
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": false}),
        );
        let shot = self.call("Page.captureScreenshot", json!({"format": "png"}));
        let png = base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().expect("data"))
            .expect("base64");
        image::load_from_memory(&png).expect("a PNG").to_rgb8()
    }
}

/// The instruction shown: [Bahasa Indonesia, English, data-reason or null].
const SAID: &str = "[document.getElementById('say-id').textContent, \
    document.getElementById('say-en').textContent, \
    document.getElementById('instruction').dataset.reason || null]";

/// A stored reading (fake identity) with a page image.
fn reading_with_image() -> kitascan::store::NewScan {
    let mut reading = Reading::not_a_permit();
    reading.is_permit = true;
    reading.kind = DocumentKind::Kitas;
    for (name, value) in [
        (FieldName::FullName, "KIOSK TEST PERSON"),
        (FieldName::PermitNumber, "2C21AB0042-Z"),
        (FieldName::Nationality, "NOWHERE"),
        (FieldName::DocumentType, "IZIN TINGGAL TERBATAS ELEKTRONIK"),
    ] {
        reading.fields.insert(
            name,
            Field {
                value: value.into(),
                value_original: value.into(),
                confidence: 0.9,
                confidence_text: 0.9,
                polygon: Vec::new(),
                page_index: 0,
            },
        );
    }
    let page = image::RgbImage::from_fn(600, 380, |x, y| {
        if (40..560).contains(&x) && y % 40 < 12 {
            image::Rgb([30, 40, 60])
        } else {
            image::Rgb([235, 240, 245])
        }
    });
    let mut jpeg = std::io::Cursor::new(Vec::new());
    page.write_to(&mut jpeg, image::ImageFormat::Jpeg)
        .expect("jpeg");
    new_scan(
        new_id(),
        new_id(),
        ScanSource::Camera,
        &reading,
        Some(jpeg.into_inner()),
    )
}

/// Saves a screenshot at `width` x `height` in `target/tmp/` and checks that it has content
/// and that the page fits without scrolling sideways (or at all, at 800x480).
fn shot(page: &mut Cdp, name: &str, width: u32, height: u32) {
    let img = page.screenshot(width, height);
    img.save(
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{width}x{height}.png")),
    )
    .expect("save the screenshot");
    assert_eq!(img.dimensions(), (width, height));
    let mut colours = std::collections::HashSet::new();
    for p in img.pixels() {
        colours.insert(p.0);
    }
    assert!(colours.len() > 20, "{name}: a blank screenshot");
    // The walk-up screen fits the Pi's screen whole; the console may scroll down.
    let fits = if name.starts_with("walkup") {
        format!(
            "document.documentElement.scrollWidth <= {width} && document.documentElement.scrollHeight <= {height}"
        )
    } else {
        format!("document.documentElement.scrollWidth <= {width}")
    };
    assert_eq!(
        page.eval(&fits),
        json!(true),
        "{name} fits {width}x{height}"
    );
}

/// What the walk-up screen shows of a reading: [kind, name, number, shown].
const RESULT: &str = "[document.getElementById('result-kind').textContent, \
    document.getElementById('result-name').textContent, \
    document.getElementById('result-number').textContent, \
    !document.getElementById('result').hidden]";

/// Whether the page's whole DOM (text and attributes) holds `text`.
fn dom_has(text: &str) -> String {
    format!(
        "document.documentElement.outerHTML.includes({})",
        json!(text)
    )
}

/// The walk-up screen at 800x480 while a tray plays: empty (with the live view), hold still,
/// reading, done with the
/// kind, name and permit number only (no image, no other field, no history, no upload), then
/// cleared after `kiosk.show_secs` with no name or number left in the DOM; a new document on
/// the tray clears a reading at once.
#[test]
fn the_walk_up_screen_shows_only_kind_name_and_number_then_clears_after_show_secs() {
    let Some(chromium) = chromium_or_skip("the walk-up screen test") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let mut c = config(dir.path());
    c.kiosk.show_secs = 2;
    let state = state(c, not_a_permit_reader());
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let addr = serve(state.clone(), &rt);
    let url = format!("http://{addr}/");
    let browser = Browser::start(&chromium, &url);
    let mut page = browser.page(&url);
    page.call(
        "Emulation.setDeviceMetricsOverride",
        json!({"width": 800, "height": 480, "deviceScaleFactor": 1, "mobile": false}),
    );
    // Empty tray.
    assert_eq!(
        page.eval_until(
            "document.getElementById('instruction').dataset.state",
            &json!("idle")
        ),
        json!("idle")
    );
    assert_eq!(
        page.eval(SAID),
        json!([
            "Letakkan izin tinggal Anda di baki",
            "Place your permit on the tray",
            null
        ])
    );
    assert!(
        wait_for(Duration::from_secs(30), || (state.event_subscribers() > 0)
            .then_some(()))
        .is_some(),
        "the page subscribes to the walk-up stream"
    );
    assert_eq!(page.eval(RESULT), json!(["", "", "", false]));
    shot(&mut page, "walkup-idle", 800, 480);
    // The live view shows the tray's frames with the paper's outline.
    let tray = image::RgbImage::from_fn(1280, 720, |x, y| {
        if (300..980).contains(&x) && (160..560).contains(&y) {
            image::Rgb([235, 235, 230])
        } else {
            image::Rgb([60, 50, 70])
        }
    });
    let quad = [
        [300.0, 160.0],
        [980.0, 160.0],
        [980.0, 560.0],
        [300.0, 560.0],
    ];
    state.live_frame(&tray, Some(quad));
    assert_eq!(
        page.eval_until(
            "document.getElementById('live-image').naturalWidth",
            &json!(320)
        ),
        json!(320),
        "the live view shows a frame"
    );
    assert_eq!(
        page.eval("document.getElementById('live-quad').getAttribute('points')"),
        json!("75,40 245,40 245,140 75,140")
    );
    assert_eq!(
        page.eval("document.getElementById('live').hidden"),
        json!(false)
    );
    // Hold still, reading.
    assert_eq!(
        show_state(&mut page, &state, "hold_still", Some("moving")),
        json!(["Tahan, jangan digerakkan", "Hold it still", "moving"])
    );
    shot(&mut page, "walkup-live", 800, 480);
    shot(&mut page, "walkup-live", 1280, 800);
    page.call(
        "Emulation.setDeviceMetricsOverride",
        json!({"width": 800, "height": 480, "deviceScaleFactor": 1, "mobile": false}),
    );
    show_state(&mut page, &state, "reading", None);
    // Someone's upload is stored meanwhile: the walk-up screen does not show it.
    let mut upload = reading_with_image();
    upload.source = ScanSource::Upload;
    upload.full_name = "UPLOADED PERSON".into();
    rt.block_on(state.record(upload)).expect("record");
    // The tray's reading, then done.
    let scan = reading_with_image();
    let id = scan.id.clone();
    rt.block_on(state.record(scan)).expect("record");
    let said = show_state(&mut page, &state, "read_ok", None);
    assert_eq!(said[1], "Done. Please take your permit");
    let shown = json!(["KITAS", "KIOSK TEST PERSON", "2C21AB0042-Z", true]);
    assert_eq!(page.eval_until(RESULT, &shown), shown);
    let since = Instant::now();
    // Only those three: no image, no other field, no history, nothing of the upload.
    for absent in [
        "NOWHERE",
        "IZIN TINGGAL TERBATAS",
        "UPLOADED PERSON",
        id.as_str(),
    ] {
        assert_eq!(
            page.eval(&dom_has(absent)),
            json!(false),
            "{absent} is not on the page"
        );
    }
    // No image but the live view of the tray, which gives way to the reading.
    assert_eq!(
        page.eval(
            "[document.querySelectorAll('canvas, ol, ul, li').length, \
             [...document.images].every((i) => i.id === 'live-image'), \
             getComputedStyle(document.getElementById('live')).display]"
        ),
        json!([0, true, "none"])
    );
    shot(&mut page, "walkup-done", 800, 480);
    shot(&mut page, "walkup-done", 1280, 800);
    page.call(
        "Emulation.setDeviceMetricsOverride",
        json!({"width": 800, "height": 480, "deviceScaleFactor": 1, "mobile": false}),
    );
    // The person lifts the permit; after show_secs the screen is back to the instruction and
    // the DOM holds neither the name nor the number.
    show_state(&mut page, &state, "idle", None);
    let cleared = format!(
        "!{} && !{}",
        dom_has("KIOSK TEST PERSON"),
        dom_has("2C21AB0042-Z")
    );
    assert_eq!(page.eval_until(&cleared, &json!(true)), json!(true));
    let after = since.elapsed();
    assert!(
        after >= Duration::from_millis(1500) && after < Duration::from_secs(10),
        "cleared after {after:?}, show_secs is 2"
    );
    assert_eq!(page.eval(RESULT), json!(["", "", "", false]));
    assert_eq!(
        page.eval(SAID),
        json!([
            "Letakkan izin tinggal Anda di baki",
            "Place your permit on the tray",
            null
        ])
    );
    shot(&mut page, "walkup-cleared", 800, 480);

    // The next person lays a permit down while a reading is still shown: it goes at once.
    rt.block_on(state.record(reading_with_image()))
        .expect("record");
    show_state(&mut page, &state, "read_ok", None);
    assert_eq!(page.eval_until(RESULT, &shown), shown);
    show_state(&mut page, &state, "hold_still", Some("moving"));
    assert_eq!(
        page.eval(&cleared),
        json!(true),
        "a new document clears the last reading"
    );
}

/// Against a server with keys the walk-up screen asks staff for the kiosk's key (telling the
/// person to call staff meanwhile); an `upload` key is enough for it.
#[test]
fn the_walk_up_screen_asks_for_the_kiosk_key_and_an_upload_key_is_enough() {
    let Some(chromium) = chromium_or_skip("the walk-up screen key test") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let state = state(with_roles(config(dir.path())), not_a_permit_reader());
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let addr = serve(state.clone(), &rt);
    let url = format!("http://{addr}/");
    let browser = Browser::start(&chromium, &url);
    let mut page = browser.page(&url);
    assert_eq!(
        page.eval_until("!document.getElementById('key-form').hidden", &json!(true)),
        json!(true),
        "the page asks for a key"
    );
    assert_eq!(
        page.eval(SAID)[1],
        "The scanner is not set up. Please call staff"
    );
    assert_eq!(state.event_subscribers(), 0, "nothing flows without a key");
    page.eval(&format!(
        "document.getElementById('key-input').value = '{UPLOAD_KEY}'; \
         document.getElementById('key-form').requestSubmit(); true"
    ));
    assert_eq!(
        page.eval_until(
            "document.getElementById('instruction').dataset.state",
            &json!("idle")
        ),
        json!("idle")
    );
    assert!(
        wait_for(Duration::from_secs(30), || (state.event_subscribers() > 0)
            .then_some(()))
        .is_some(),
        "the page subscribes with its key"
    );
    assert_eq!(
        page.eval("document.getElementById('key-form').hidden"),
        json!(true)
    );
    assert_eq!(
        page.eval(&dom_has(UPLOAD_KEY)),
        json!(false),
        "the key is not left in the DOM"
    );
}

/// A reading for the console: a low-confidence field and a box on the page.
fn console_reading() -> kitascan::store::NewScan {
    let mut scan = reading_with_image();
    let fields = &mut scan.reading["fields"];
    fields["occupation"] = json!({"value": "ENGNEER", "value_original": "ENGNEER",
        "confidence": 0.31, "confidence_text": 0.4, "polygon": [], "page_index": 0});
    scan.reading["page_polygons"] = json!({
        "full_name": [[40.0, 40.0], [560.0, 40.0], [560.0, 52.0], [40.0, 52.0]],
        "occupation": [[40.0, 120.0], [300.0, 120.0], [300.0, 132.0], [40.0, 132.0]],
    });
    scan
}

/// Types a key into the console's prompt.
fn console_sign_in(page: &mut Cdp, key: &str) {
    assert_eq!(
        page.eval_until("!document.getElementById('key-view').hidden", &json!(true)),
        json!(true),
        "the key prompt"
    );
    page.eval(&format!(
        "document.getElementById('key-input').value = '{key}'; \
         document.getElementById('key-form').requestSubmit(); true"
    ));
    assert_eq!(
        page.eval_until(
            "document.querySelectorAll('#scan-rows tr').length",
            &json!(1)
        ),
        json!(1),
        "the list of readings"
    );
}

/// Opens the first reading of the list and waits for its image and boxes.
fn console_open_first(page: &mut Cdp, id: &str) {
    page.eval("document.querySelector('#scan-rows tr').click(); true");
    assert_eq!(
        page.eval_until(
            "document.getElementById('scan-view').dataset.scanId || null",
            &json!(id)
        ),
        json!(id)
    );
    assert_eq!(
        page.eval_until(
            "document.querySelectorAll('#overlay polygon').length",
            &json!(2)
        ),
        json!(2),
        "a box for each field with one"
    );
}

/// Corrects the full name in the console.
fn console_correct_name(page: &mut Cdp, value: &str) {
    page.eval(&format!(
        "document.querySelector('tr[data-field=full_name] button.edit').click(); \
         document.querySelector('tr[data-field=full_name] form.correct input').value = '{value}'; \
         document.querySelector('tr[data-field=full_name] form.correct').requestSubmit(); true"
    ));
}

const NAME_ROW: &str = "[...document.querySelectorAll('tr[data-field=full_name] td')]\
    .slice(1, 3).map((td) => td.textContent)";

/// The console: without a key only the key prompt; with a `read` key it lists and opens
/// readings (image, boxes, values, originals, confidences, low ones highlighted) but a
/// correction is refused; with an `admin` key a correction is saved, shown, and kept after a
/// restart, with `value_original` unchanged. The key is never in an address.
#[test]
fn the_console_needs_a_key_reads_with_read_and_corrects_with_admin() {
    let Some(chromium) = chromium_or_skip("the console test") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let c = with_roles(config(dir.path()));
    let state = state(c.clone(), not_a_permit_reader());
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let id = rt
        .block_on(state.record(console_reading()))
        .expect("record")
        .id;
    let addr = serve(state.clone(), &rt);
    let url = format!("http://{addr}/console");
    let browser = Browser::start(&chromium, &url);
    let mut page = browser.page(&url);
    page.call(
        "Emulation.setDeviceMetricsOverride",
        json!({"width": 1280, "height": 800, "deviceScaleFactor": 1, "mobile": false}),
    );
    // Without a key: the prompt alone, nothing of any reading.
    assert_eq!(
        page.eval_until("!document.getElementById('key-view').hidden", &json!(true)),
        json!(true)
    );
    assert_eq!(
        page.eval("['list-view', 'scan-view'].map((v) => document.getElementById(v).hidden)"),
        json!([true, true])
    );
    assert_eq!(page.eval(&dom_has("KIOSK TEST PERSON")), json!(false));
    shot(&mut page, "console-key", 1280, 800);

    // A read key: the list, a reading's page, and a refused correction.
    console_sign_in(&mut page, READ_KEY);
    assert_eq!(
        page.eval(
            "document.querySelector('#scan-rows tr').textContent.includes('KIOSK TEST PERSON')"
        ),
        json!(true)
    );
    assert_eq!(
        page.eval("sessionStorage.getItem('kitascanOperatorKey')"),
        json!(READ_KEY)
    );
    assert_eq!(
        page.eval("localStorage.length"),
        json!(0),
        "the key is kept for the tab only"
    );
    shot(&mut page, "console-list", 1280, 800);
    console_open_first(&mut page, &id);
    assert_eq!(
        page.eval_until(
            "document.getElementById('scan-image').naturalWidth",
            &json!(600)
        ),
        json!(600)
    );
    assert_eq!(
        page.eval(NAME_ROW),
        json!(["KIOSK TEST PERSON", "KIOSK TEST PERSON"])
    );
    assert_eq!(
        page.eval("document.querySelector('tr[data-field=occupation]').className"),
        json!("low"),
        "a low-confidence field is highlighted"
    );
    assert_eq!(
        page.eval("document.querySelector('tr[data-field=occupation] td.confidence').textContent"),
        json!("0.31")
    );
    assert_eq!(
        page.eval("document.querySelector('tr[data-field=full_name]').className"),
        json!("")
    );
    shot(&mut page, "console-reading", 1280, 800);
    shot(&mut page, "console-reading", 800, 480);
    page.call(
        "Emulation.setDeviceMetricsOverride",
        json!({"width": 1280, "height": 800, "deviceScaleFactor": 1, "mobile": false}),
    );
    console_correct_name(&mut page, "KIOSK TESTED PERSON");
    let refused = page.eval_until(
        "document.getElementById('message').textContent.includes('role does not allow')",
        &json!(true),
    );
    assert_eq!(refused, json!(true), "a read key's correction is refused");
    assert_eq!(
        page.eval_until(NAME_ROW, &json!(["KIOSK TEST PERSON", "KIOSK TEST PERSON"])),
        json!(["KIOSK TEST PERSON", "KIOSK TEST PERSON"])
    );

    // An admin key: the correction is saved and shown, the original kept, the audit names it.
    page.eval("document.getElementById('sign-out').click(); true");
    console_sign_in(&mut page, KEY);
    console_open_first(&mut page, &id);
    console_correct_name(&mut page, "KIOSK TESTED PERSON");
    let fixed = json!(["KIOSK TESTED PERSON", "KIOSK TEST PERSON"]);
    assert_eq!(page.eval_until(NAME_ROW, &fixed), fixed);
    assert_eq!(
        page.eval_until(
            "document.getElementById('audit').textContent.includes('tests: full name')",
            &json!(true)
        ),
        json!(true)
    );
    for k in [KEY, READ_KEY] {
        assert_eq!(
            page.eval(&format!("location.href.includes('{k}')")),
            json!(false)
        );
    }
    drop(browser);
    drop(state);

    // After a restart (a new server on the same database), the console shows the correction.
    let again = kitascan::api::AppState::new(
        c,
        std::sync::Arc::new(
            kitascan::store::Store::open(&dir.path().join("kitascan.db")).expect("store"),
        ),
        not_a_permit_reader(),
    );
    let addr = serve(again, &rt);
    let url = format!("http://{addr}/console");
    let browser = Browser::start(&chromium, &url);
    let mut page = browser.page(&url);
    console_sign_in(&mut page, READ_KEY);
    console_open_first(&mut page, &id);
    assert_eq!(page.eval_until(NAME_ROW, &fixed), fixed);
}

/// The state a reason is shown with (the daemon's pairing; a new gate reason shows as `adjust`).
fn state_of(reason: &str) -> &'static str {
    match reason {
        "moving" => "hold_still",
        "not_a_permit" | "unreadable" => "read_failed",
        "camera_frozen" | "camera_unavailable" | "store_failed" => "fault",
        _ => "adjust",
    }
}

/// Every state and reason the daemon can show reaches the page as an instruction of its own in
/// both languages, with the names kept in `data-state` and `data-reason`, and the longest of
/// them still fits the 800x480 screen.
#[test]
fn the_kiosk_page_tells_the_person_what_to_do_for_every_state_and_reason() {
    let Some(chromium) = chromium_or_skip("the kiosk page instruction test") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let state = state(config(dir.path()), not_a_permit_reader());
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let addr = serve(state.clone(), &rt);
    let url = format!("http://{addr}/");
    let browser = Browser::start(&chromium, &url);
    let mut page = browser.page(&url);
    page.call(
        "Emulation.setDeviceMetricsOverride",
        json!({"width": 800, "height": 480, "deviceScaleFactor": 1, "mobile": false}),
    );
    assert!(
        wait_for(Duration::from_secs(60), || (state.event_subscribers() > 0)
            .then_some(()))
        .is_some(),
        "the page subscribes to /api/v1/events"
    );
    let mut show = |s, r| show_state(&mut page, &state, s, r);
    // Glare: what to do about it, in both languages.
    assert_eq!(
        show("adjust", Some("glare")),
        json!([
            "Silau: miringkan sedikit atau jauhkan dari cahaya",
            "Glare: tilt it slightly or move it away from the light",
            "glare"
        ])
    );
    assert_eq!(
        show("idle", None),
        json!([
            "Letakkan izin tinggal Anda di baki",
            "Place your permit on the tray",
            null
        ])
    );
    // A name the page does not know gets its fallback: no known state or reason may get it.
    let unknown = show("no_such_state", None);
    for s in LedState::ALL {
        assert_ne!(show(s.as_str(), None), unknown, "{s:?} has an instruction");
    }
    let mut by_reason = Vec::new();
    for r in kitascan::daemon::all_reasons() {
        let text = show(state_of(r), Some(r));
        assert_ne!(text, unknown, "{r} has an instruction");
        let (id, en) = (text[0].as_str().unwrap(), text[1].as_str().unwrap());
        assert!(!id.is_empty() && !en.is_empty() && id != en, "{r}: {text}");
        by_reason.push((r, text));
    }
    // Each of the gate's reasons asks for something different.
    for (i, (a, ta)) in by_reason.iter().enumerate() {
        for (b, tb) in &by_reason[i + 1..] {
            if state_of(a) == "adjust" && state_of(b) == "adjust" {
                assert_ne!(ta[1], tb[1], "{a} and {b} say the same");
            }
        }
    }
    // A camera fault sends the person to staff.
    let frozen = show("fault", Some("camera_frozen"));
    assert!(
        frozen[0].as_str().unwrap().contains("petugas")
            && frozen[1].as_str().unwrap().contains("staff"),
        "{frozen}"
    );
    // Two of them kept for a look.
    for (s, r) in [("adjust", "glare"), ("fault", "camera_frozen")] {
        show_state(&mut page, &state, s, Some(r));
        page.screenshot(800, 480)
            .save(PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("kiosk-{r}-800x480.png")))
            .expect("save");
    }
}

/// Sets the daemon's state and reason, waits until the page shows them (and checks it still
/// fits 800x480); what it says ([`SAID`]).
fn show_state(
    page: &mut Cdp,
    api: &kitascan::api::AppState,
    s: &'static str,
    r: Option<&'static str>,
) -> Value {
    api.set_daemon_state(DaemonState::new(s, r));
    let names = "[document.getElementById('instruction').dataset.state, \
                 document.getElementById('instruction').dataset.reason || null]";
    assert_eq!(page.eval_until(names, &json!([s, r])), json!([s, r]));
    let fits = page.eval(
        "document.documentElement.scrollWidth <= 800 \
         && document.documentElement.scrollHeight <= 480",
    );
    assert_eq!(fits, json!(true), "{s} {r:?} fits 800x480");
    page.eval(SAID)
}
