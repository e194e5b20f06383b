//! The LAN API (`kitascan run`): router tests through `app(..).oneshot`, the bad-input corpus,
//! the restart test and the kiosk's state and reason over real sockets, the kiosk page in
//! headless Chromium, and fleet delivery to a real Mosquitto and a local webhook receiver.
//!
//! One test binary, so that the real models load once and tract is linked once; reads of
//! generated permits (fake identities) use the shared engine, the queue tests a stand-in reader.

#[path = "../common/mod.rs"]
mod common;

mod bad_input;
mod console_api;
mod crash;
mod fleet;
mod kiosk_page;
mod kiosk_state;
mod router;
mod socket;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use image::RgbImage;
use serde_json::Value;
use tower::ServiceExt;

use kitascan::api::{AppState, PageResult, Recognizer, app};
use kitascan::config::{ApiKey, Config, Role};
use kitascan::kitas::Reading;
use kitascan::kitas::read::Source;
use kitascan::ocr::Engine;
use kitascan::store::Store;
use kitascan::synth::{SampleInfo, generate_set};

/// The real engine, loaded once per test binary.
pub fn engine() -> Arc<Engine> {
    static ENGINE: OnceLock<Arc<Engine>> = OnceLock::new();
    ENGINE.get_or_init(|| Arc::new(common::engine())).clone()
}

/// Generated documents (fake identities) as bytes, with their truth.
pub struct Fixtures {
    /// A permit scan (PNG) and its truth.
    pub permit_png: Vec<u8>,
    pub permit_truth: SampleInfo,
    /// A permit as a vector PDF.
    pub permit_pdf: Vec<u8>,
    pub permit_pdf_truth: SampleInfo,
}

pub fn fixtures() -> &'static Fixtures {
    static FIXTURES: OnceLock<Fixtures> = OnceLock::new();
    FIXTURES.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let set = generate_set(dir.path(), 8, 1).expect("generate the documents");
        let find = |ext: &str| {
            set.iter()
                .find(|i| i.truth.is_permit && i.file.ends_with(ext))
                .expect("a permit of that kind")
                .clone()
        };
        let png = find(".png");
        let pdf = find(".pdf");
        let read = |i: &SampleInfo| std::fs::read(dir.path().join(&i.file)).expect("read");
        Fixtures {
            permit_png: read(&png),
            permit_pdf: read(&pdf),
            permit_truth: png,
            permit_pdf_truth: pdf,
        }
    })
}

/// A small valid PNG with nothing on it: read quickly, not a permit.
pub fn blank_png() -> Vec<u8> {
    let img = RgbImage::from_pixel(160, 100, image::Rgb([250, 250, 250]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .expect("encode");
    out.into_inner()
}

/// A test configuration: defaults with a database in `dir`.
pub fn config(dir: &Path) -> Config {
    let mut c = Config::default();
    c.store.db = dir.join("kitascan.db");
    c
}

pub const KEY: &str = "test-key-0123456789";
pub const APP_ID: &str = "test-app";

/// One key usable by every scheme.
pub fn with_key(mut c: Config) -> Config {
    c.server.keys = vec![ApiKey {
        name: "tests".into(),
        key: KEY.into(),
        app_id: Some(APP_ID.into()),
        basic_user: Some("user".into()),
        basic_password: Some("password".into()),
        role: Role::Admin,
    }];
    c
}

pub const UPLOAD_KEY: &str = "upload-key-0123456789";
pub const READ_KEY: &str = "read-key-0123456789";

/// Three keys, one per role: `KEY` (admin, every scheme), `UPLOAD_KEY`, `READ_KEY`.
pub fn with_roles(c: Config) -> Config {
    let mut c = with_key(c);
    for (name, key, role) in [
        ("kiosk", UPLOAD_KEY, Role::Upload),
        ("desk", READ_KEY, Role::Read),
    ] {
        c.server.keys.push(ApiKey {
            name: name.into(),
            key: key.into(),
            app_id: None,
            basic_user: None,
            basic_password: None,
            role,
        });
    }
    c
}

/// A state over a fresh store in `dir`.
pub fn state(config: Config, recognizer: Arc<dyn Recognizer>) -> AppState {
    let store = Arc::new(Store::open(&config.store.db).expect("open the store"));
    AppState::new(config, store, recognizer)
}

/// A stand-in reader: answers what `f` says, instantly unless `f` blocks.
pub struct Fake<F>(pub F);

impl<F> Recognizer for Fake<F>
where
    F: Fn(&[RgbImage]) -> Result<Option<PageResult>, String> + Send + Sync + 'static,
{
    fn read(&self, pages: Vec<RgbImage>, _source: Source) -> Result<Option<PageResult>, String> {
        (self.0)(&pages)
    }
}

/// A fake that reads every page as "not a permit".
pub fn not_a_permit_reader() -> Arc<dyn Recognizer> {
    Arc::new(Fake(|pages: &[RgbImage]| {
        Ok(Some(PageResult {
            reading: Reading::not_a_permit(),
            page: pages[0].clone(),
        }))
    }))
}

/// A multipart body with one file part; returns (content type, body).
pub fn multipart(field: &str, file_name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "kitascan-test-boundary-7e3f";
    let mut body = Vec::new();
    write!(
        body,
        "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; \
         filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .expect("write");
    body.extend_from_slice(bytes);
    write!(body, "\r\n--{boundary}--\r\n").expect("write");
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// A POST of one file in the field `image`.
pub fn upload(path: &str, file_name: &str, bytes: &[u8]) -> Request<Body> {
    let (ct, body) = multipart("image", file_name, bytes);
    Request::post(path)
        .header("content-type", ct)
        .body(Body::from(body))
        .expect("request")
}

/// What a test reads back from a response.
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub bytes: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}): {}",
                String::from_utf8_lossy(&self.bytes[..self.bytes.len().min(300)])
            )
        })
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Sends one request through the router.
pub async fn send(state: &AppState, req: Request<Body>) -> Answer {
    let res = app(state.clone()).oneshot(req).await.expect("infallible");
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .expect("body")
        .to_vec();
    Answer {
        status,
        headers,
        bytes,
    }
}

/// Response headers, names lower-cased.
pub type Headers = Vec<(String, String)>;

/// A plain HTTP/1.1 request over a real socket (`Connection: close`): status, headers, body.
pub fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<(u16, Headers, Vec<u8>)> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(180)))?;
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes())?;
    // A server may answer (e.g. 413) before the whole body is sent and close: not an error.
    let _ = s.write_all(body);
    // Read to the end of the body: its Content-Length, the last chunk, or the connection's end
    // (some servers, like Chromium's DevTools, keep the connection open after a response).
    let mut raw = Vec::new();
    let mut buf = [0u8; 64 * 1024];
    loop {
        let n = s.read(&mut buf)?;
        if n == 0 {
            break;
        }
        raw.extend_from_slice(&buf[..n]);
        if let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&raw[..end]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok());
            match length {
                Some(len) if raw.len() >= end + 4 + len => break,
                None if head.contains("transfer-encoding: chunked")
                    && raw.ends_with(b"\r\n0\r\n\r\n") =>
                {
                    break;
                }
                _ => {}
            }
        }
    }
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| std::io::Error::other("no header end"))?;
    let head = String::from_utf8_lossy(&raw[..end]).to_string();
    let mut lines = head.lines();
    let status: u16 = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| std::io::Error::other("no status"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut body = raw[end + 4..].to_vec();
    if headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"))
    {
        body = unchunk(&body);
    }
    Ok((status, headers, body))
}

fn unchunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = data.windows(2).position(|w| w == b"\r\n") {
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&data[..eol]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = eol + 2;
        out.extend_from_slice(&data[start..(start + size).min(data.len())]);
        data = &data[(start + size + 2).min(data.len())..];
    }
    out
}

/// A multipart upload over a socket: status, headers, JSON body.
pub fn http_upload(
    addr: SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
    (content_type, body): &(String, Vec<u8>),
) -> std::io::Result<(u16, Headers, Value)> {
    let mut all = headers.to_vec();
    all.push(("Content-Type", content_type));
    let (status, headers, bytes) = http(addr, "POST", path, &all, body)?;
    let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Ok((status, headers, json))
}

pub fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}
