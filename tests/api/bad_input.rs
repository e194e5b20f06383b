//! The bad-input corpus: every case gets its documented answer in both services' shapes,
//! through the router and over a real socket; 50 concurrent uploads get 200 or 503 with
//! `Retry-After`; the server stays up and the database passes `PRAGMA integrity_check`.

use std::net::SocketAddr;
use std::sync::Arc;

use serde_json::{Value, json};

use super::*;

/// One bad request: the body (with its content type, if any) and the answer each shape owes.
pub struct Case {
    pub name: &'static str,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
    pub glair: (u16, Value),
    pub verihubs: (u16, Value),
}

fn no_file() -> (u16, Value) {
    (
        400,
        json!({"status": "NO_FILE", "reason": "No file in request body"}),
    )
}

fn invalid_format() -> (u16, Value) {
    (
        415,
        json!({
            "status": "FILE_INVALID_FORMAT",
            "reason": "Failed to process invalid file format. Please upload the correct file format"
        }),
    )
}

fn bad_payload() -> (u16, Value) {
    (
        422,
        json!({"message": "There's a problem with your JSON payload", "error_code": "OCR_40001"}),
    )
}

fn file(field: &str, name: &str, bytes: &[u8]) -> (Option<String>, Vec<u8>) {
    let (ct, body) = multipart(field, name, bytes);
    (Some(ct), body)
}

/// A JPEG cut in half.
fn truncated_jpeg() -> Vec<u8> {
    let img = image::RgbImage::from_fn(320, 240, |x, y| image::Rgb([x as u8, y as u8, 128]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg)
        .expect("encode");
    let bytes = out.into_inner();
    bytes[..bytes.len() / 2].to_vec()
}

/// A small PNG whose header claims 100000 x 100000 pixels (CRC fixed, so only the size is
/// wrong).
fn huge_png() -> Vec<u8> {
    let mut bytes = blank_png();
    assert_eq!(&bytes[12..16], b"IHDR");
    bytes[16..20].copy_from_slice(&100_000u32.to_be_bytes());
    bytes[20..24].copy_from_slice(&100_000u32.to_be_bytes());
    let crc = crc32(&bytes[12..29]);
    bytes[29..33].copy_from_slice(&crc.to_be_bytes());
    bytes
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A one-page PDF with a correct xref table; `extra` objects and `trailer` entries spliced in.
fn pdf(extra: &[&str], trailer: &str) -> Vec<u8> {
    let mut objects = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 72 72] /Contents 4 0 R >>".to_string(),
        "<< /Length 0 >>\nstream\n\nendstream".to_string(),
    ];
    objects.extend(extra.iter().map(|o| o.to_string()));
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref_at = out.len();
    let mut xref = format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for offset in offsets {
        xref.push_str(&format!("{offset:010} 00000 n \n"));
    }
    xref.push_str(&format!(
        "trailer\n<< /Size {} /Root 1 0 R {trailer} >>\nstartxref\n{xref_at}\n%%EOF\n",
        objects.len() + 1
    ));
    out.extend_from_slice(xref.as_bytes());
    out
}

/// A password-protected PDF (RC4 standard handler; the empty password does not open it).
fn encrypted_pdf() -> Vec<u8> {
    let junk = "ab".repeat(32);
    let encrypt =
        format!("<< /Filter /Standard /V 1 /R 2 /Length 40 /P -4 /O <{junk}> /U <{junk}> >>");
    let id = "<00112233445566778899aabbccddeeff>";
    pdf(&[&encrypt], &format!("/Encrypt 5 0 R /ID [{id} {id}]"))
}

fn broken_pdf() -> Vec<u8> {
    let mut bytes = b"%PDF-1.4\n".to_vec();
    bytes.extend((0..4000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    bytes
}

/// 10 MB + 1 byte that start like a PNG.
fn over_ten_megabytes() -> Vec<u8> {
    let mut bytes = blank_png();
    bytes.resize(10 * 1024 * 1024 + 1, 0);
    bytes
}

pub fn corpus() -> Vec<Case> {
    let case = |name, (content_type, body): (Option<String>, Vec<u8>), glair, verihubs| Case {
        name,
        content_type,
        body,
        glair,
        verihubs,
    };
    vec![
        case("empty body", (None, Vec::new()), no_file(), bad_payload()),
        case(
            "JSON instead of multipart",
            (
                Some("application/json".into()),
                br#"{"image": "x"}"#.to_vec(),
            ),
            no_file(),
            bad_payload(),
        ),
        case(
            "wrong field name",
            file("file", "permit.png", &blank_png()),
            no_file(),
            bad_payload(),
        ),
        case(
            "zero-byte file",
            file("image", "permit.jpg", &[]),
            no_file(),
            bad_payload(),
        ),
        case(
            "truncated JPEG",
            file("image", "permit.jpg", &truncated_jpeg()),
            invalid_format(),
            bad_payload(),
        ),
        case(
            "PNG with a huge declared size",
            file("image", "permit.png", &huge_png()),
            invalid_format(),
            bad_payload(),
        ),
        case(
            "text file named .jpg",
            file("image", "permit.jpg", b"name,passport\nJane Doe,X1234567\n"),
            invalid_format(),
            bad_payload(),
        ),
        case(
            "encrypted PDF",
            file("image", "permit.pdf", &encrypted_pdf()),
            invalid_format(),
            bad_payload(),
        ),
        case(
            "broken PDF",
            file("image", "permit.pdf", &broken_pdf()),
            invalid_format(),
            bad_payload(),
        ),
        case(
            "10 MB + 1 byte",
            file("image", "permit.png", &over_ten_megabytes()),
            (
                413,
                json!({
                    "status": "FILE_INVALID_FORMAT",
                    "reason": "File size exceeds the maximum of 10 MB. Please upload a smaller file"
                }),
            ),
            bad_payload(),
        ),
    ]
}

/// An in-process server on a real socket; dropped with the runtime.
pub fn serve(state: AppState, rt: &tokio::runtime::Runtime) -> SocketAddr {
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            let _ = axum::serve(listener, kitascan::api::app(state)).await;
        });
        addr
    })
}

#[test]
fn the_corpus_over_a_socket_gets_documented_answers_and_the_server_stays_up() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut c = config(dir.path());
    c.reader.workers = 1;
    c.reader.queue_capacity = 4;
    let state = state(c, engine());
    let store = state.store().clone();
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let addr = serve(state, &rt);

    for case in corpus() {
        for (path, want) in [
            ("/ocr/v1/kitas-kitap", &case.glair),
            ("/ocr/v1/kitas", &case.verihubs),
        ] {
            let mut headers = Vec::new();
            if let Some(ct) = &case.content_type {
                headers.push(("Content-Type", ct.as_str()));
            }
            let (status, got_headers, body) =
                http(addr, "POST", path, &headers, &case.body).expect("an answer");
            let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            assert_eq!(
                (status, &body),
                (want.0, &want.1),
                "{} to {path}",
                case.name
            );
            assert!(
                header(&got_headers, "request-id").is_some(),
                "{}",
                case.name
            );
        }
    }

    // 50 uploads at once: each is read (200, not a permit) or refused for now (503 with
    // Retry-After), none is lost or answered otherwise.
    let png = Arc::new(multipart("image", "blank.png", &blank_png()));
    let answers: Vec<_> = (0..50)
        .map(|_| {
            let png = png.clone();
            std::thread::spawn(move || http_upload(addr, "/ocr/v1/kitas-kitap", &[], &png))
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|t| t.join().expect("thread").expect("an answer"))
        .collect();
    let mut read = 0;
    for (status, headers, body) in &answers {
        match status {
            200 => {
                read += 1;
                assert_eq!(body["status"], "SUCCESS");
                assert_eq!(
                    body["reason"],
                    "File successfully read. Some fields are invalid."
                );
                assert!(header(headers, "scan-id").is_some());
            }
            503 => {
                assert_eq!(header(headers, "retry-after"), Some("5"));
                assert_eq!(body["status"], "FAILED");
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    eprintln!(
        "50 concurrent uploads: {read} read, {} refused with 503",
        50 - read
    );
    assert!(read >= 1, "at least the first uploads are read");
    assert_eq!(
        store.count().expect("count"),
        read as u64,
        "every 200 is stored"
    );

    let (status, _, body) = http(addr, "GET", "/healthz", &[], b"").expect("still up");
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    assert_eq!(store.integrity_check().expect("check"), "ok");
}
