//! The upload endpoints, each in its service's request and response shape:
//! `POST /ocr/v1/kitas-kitap` (GLAIR) and `POST /ocr/v1/kitas` (Verihubs). Both read the
//! multipart field `image`, store the reading (source `upload`) and return its id: Verihubs in
//! `data.id`, GLAIR (whose body has no id) in the `Scan-Id` header.
//!
//! | input | GLAIR | Verihubs |
//! |---|---|---|
//! | no multipart body, no `image` field, zero-byte file, body not received in time | 400 `NO_FILE` | 422 `OCR_40001` |
//! | not JPEG/PNG/PDF by content, damaged, encrypted PDF, too many pixels | 415 `FILE_INVALID_FORMAT` | 422 `OCR_40001` |
//! | file name with another extension | (content decides) | 422 `OCR_40001` |
//! | over `max_upload_bytes` | 413 `FILE_INVALID_FORMAT` | 422 `OCR_40001` |
//! | queue full | 503 `FAILED` + `Retry-After` | 503 `OCR_50000` + `Retry-After` |
//! | reader or store failure, timeout | 500 `FAILED` | 500 `OCR_50000` |
//! | not a permit | 200, "Some fields are invalid" | 200, empty strings |

use std::time::Duration;

use axum::Extension;
use axum::extract::State;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::reader::{Done, ReadError};
use super::{AppState, RequestId, new_id, new_scan};
use crate::input::{self, InputError};
use crate::store::ScanSource;
use crate::wire::{glair, verihubs};

/// The multipart field both services read.
const FIELD: &str = "image";
/// File name endings Verihubs accepts.
const EXTENSIONS: [&str; 4] = ["jpg", "jpeg", "png", "pdf"];

/// Why an upload got no reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    NoFile,
    BadFormat,
    BadExtension,
    TooLarge,
    Busy,
    Failed,
}

pub async fn glair(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    match accept(&state, &request, multipart, false).await {
        Ok((scan_id, done)) => {
            let mut res =
                (StatusCode::OK, axum::Json(glair::response(&done.reading))).into_response();
            if let Ok(v) = HeaderValue::from_str(&scan_id) {
                res.headers_mut().insert("scan-id", v);
            }
            res
        }
        Err(refusal) => {
            let (code, body) = match refusal {
                Refusal::NoFile => glair::error("NO_FILE"),
                Refusal::BadFormat => glair::error("FILE_INVALID_FORMAT"),
                // GLAIR goes by content; the extension is not checked for it.
                Refusal::BadExtension => glair::error("FILE_INVALID_FORMAT"),
                Refusal::TooLarge => glair::too_large(state.config().reader.max_upload_bytes),
                Refusal::Busy => glair::busy(),
                Refusal::Failed => glair::error("FAILED"),
            };
            refused(&state, code, body)
        }
    }
}

pub async fn verihubs(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    match accept(&state, &request, multipart, true).await {
        Ok((scan_id, done)) => (
            StatusCode::OK,
            axum::Json(verihubs::success(&scan_id, &request.0, &done.reading)),
        )
            .into_response(),
        Err(refusal) => {
            let (code, body) = match refusal {
                Refusal::NoFile
                | Refusal::BadFormat
                | Refusal::BadExtension
                | Refusal::TooLarge => verihubs::bad_payload(),
                Refusal::Busy => verihubs::busy(),
                Refusal::Failed => verihubs::internal_error(),
            };
            refused(&state, code, body)
        }
    }
}

fn refused(state: &AppState, code: u16, body: Value) -> Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut res = (status, axum::Json(body)).into_response();
    if status == StatusCode::SERVICE_UNAVAILABLE {
        let secs = state.config().server.retry_after_secs.to_string();
        if let Ok(v) = HeaderValue::from_str(&secs) {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
    }
    res
}

/// Admits, receives, reads and stores one upload: the scan id and the reading.
async fn accept(
    state: &AppState,
    request: &RequestId,
    multipart: Result<Multipart, MultipartRejection>,
    check_extension: bool,
) -> Result<(String, Done), Refusal> {
    // Before the body is read: a full queue costs the server nothing.
    let Some(_permit) = state.queue().admit() else {
        tracing::info!(request = %request.0, "upload refused: queue full");
        return Err(Refusal::Busy);
    };
    let multipart = multipart.map_err(|_| Refusal::NoFile)?;
    let max = state.config().reader.max_upload_bytes;
    let timeout = Duration::from_secs(state.config().server.read_timeout_secs);
    // A client trickling its body must not hold a place in the queue forever.
    let (bytes, file_name) = tokio::time::timeout(timeout, receive(multipart, max))
        .await
        .map_err(|_| Refusal::NoFile)??;
    if bytes.is_empty() {
        return Err(Refusal::NoFile);
    }
    let extension = file_name
        .as_deref()
        .filter(|_| check_extension)
        .and_then(|n| std::path::Path::new(n).extension())
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    if extension.is_some_and(|e| !EXTENSIONS.contains(&e.as_str())) {
        return Err(Refusal::BadExtension);
    }
    // Cheap checks here; decoding happens on the worker.
    if input::sniff(&bytes).is_none() {
        return Err(Refusal::BadFormat);
    }
    let size = bytes.len();
    let reply = state.queue().submit(bytes).ok_or(Refusal::Busy)?;
    let done = match tokio::time::timeout(timeout, reply).await {
        Ok(Ok(Ok(done))) => done,
        Ok(Ok(Err(ReadError::Input(e)))) => {
            return Err(match e {
                InputError::Empty => Refusal::NoFile,
                InputError::TooLarge { .. } => Refusal::TooLarge,
                InputError::Io(_) => Refusal::Failed,
                _ => Refusal::BadFormat,
            });
        }
        Ok(Ok(Err(ReadError::Failed(_)))) | Ok(Err(_)) => return Err(Refusal::Failed),
        Err(_) => {
            tracing::warn!(request = %request.0, size, "upload read timed out");
            return Err(Refusal::Failed);
        }
    };
    let id = new_id();
    let scan = new_scan(
        id.clone(),
        request.0.clone(),
        ScanSource::Upload,
        &done.reading,
        done.jpeg.clone(),
    );
    if let Err(e) = state.record(scan).await {
        tracing::error!(request = %request.0, error = %e, "storing a scan failed");
        return Err(Refusal::Failed);
    }
    Ok((id, done))
}

/// The `image` field's bytes and file name, read at most `max + 1` bytes far.
async fn receive(
    mut multipart: Multipart,
    max: usize,
) -> Result<(Vec<u8>, Option<String>), Refusal> {
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => return Err(Refusal::NoFile),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(Refusal::TooLarge),
            Err(_) => return Err(Refusal::NoFile),
        };
        if field.name() != Some(FIELD) {
            continue;
        }
        let file_name = field.file_name().map(str::to_string);
        let mut field = field;
        let mut bytes = Vec::new();
        let mut too_large = false;
        loop {
            match field.chunk().await {
                // Past the limit the rest is read and dropped (the body limit bounds it), so
                // that the client, still sending, gets the answer instead of a reset socket.
                Ok(Some(_)) if too_large => {}
                Ok(Some(chunk)) => {
                    if bytes.len() + chunk.len() > max {
                        too_large = true;
                        bytes = Vec::new();
                    } else {
                        bytes.extend_from_slice(&chunk);
                    }
                }
                Ok(None) if too_large => return Err(Refusal::TooLarge),
                Ok(None) => break,
                Err(e) if too_large || e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    return Err(Refusal::TooLarge);
                }
                Err(_) => return Err(Refusal::NoFile),
            }
        }
        return Ok((bytes, file_name));
    }
}
