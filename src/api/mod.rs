//! The LAN API of `kitascan run`: the two upload endpoints in GLAIR's and Verihubs' shapes, the
//! stored scans, server-sent events, health, metrics, the OpenAPI description and the kiosk page.
//!
//! [`app`] builds the whole router from an [`AppState`]; tests drive it with `oneshot`, the
//! binary serves it on a socket.
//!
//! Invariants:
//! - Every response carries a `Request-Id` header (a fresh UUID).
//! - Uploads are admitted only while the reader has room ([`reader::ReadQueue`]): at most
//!   `queue_capacity + workers` uploads are held in memory, the rest are answered 503 with
//!   `Retry-After` before their body is read.
//! - Logs carry ids, statuses, sizes and timings, never a value read from a document.

pub mod auth;
mod events;
mod metrics;
mod page;
pub mod reader;
mod scans;
mod upload;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use tokio::sync::broadcast;

use crate::config::Config;
use crate::kitas::{DocumentKind, FieldName, Reading};
use crate::store::{NewScan, ScanSource, ScanStatus, ScanSummary, Store, StoreError};

pub use events::ServerEvent;
pub use reader::{PageResult, ReadQueue, Recognizer};

/// The OpenAPI description served at `/api/v1/openapi.json`.
pub const OPENAPI: &str = include_str!("openapi.json");

/// The request's id, put in the request's extensions by the `Request-Id` middleware.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// Everything the handlers share. Cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

struct Inner {
    config: Config,
    store: Arc<Store>,
    queue: ReadQueue,
    events: broadcast::Sender<ServerEvent>,
    metrics: Arc<metrics::Metrics>,
    daemon_state: Arc<Mutex<StateBoard>>,
}

/// The two states the API itself knows; the camera loop adds its own (`crate::led::LedState`).
pub mod daemon_state {
    /// Waiting for work.
    pub const IDLE: &str = "idle";
    /// Reading an upload.
    pub const READING: &str = "reading";
}

/// The daemon state the API reports (`/healthz`, `state` events, the kiosk page): the camera
/// loop's state, except that uploads being read show as `reading` while the camera side is
/// idle. The person at the tray is told about the tray first.
#[derive(Debug)]
pub(crate) struct StateBoard {
    camera: String,
    uploads: usize,
}

impl StateBoard {
    fn new() -> StateBoard {
        StateBoard {
            camera: daemon_state::IDLE.to_string(),
            uploads: 0,
        }
    }

    pub(crate) fn shown(&self) -> &str {
        if self.uploads > 0 && self.camera == daemon_state::IDLE {
            daemon_state::READING
        } else {
            &self.camera
        }
    }

    /// Applies a change; returns the state shown after it if that differs from before.
    pub(crate) fn change(&mut self, change: impl FnOnce(&mut StateBoard)) -> Option<String> {
        let before = self.shown().to_string();
        change(self);
        (self.shown() != before).then(|| self.shown().to_string())
    }

    pub(crate) fn add_uploads(&mut self, delta: isize) {
        self.uploads = self.uploads.saturating_add_signed(delta);
    }
}

impl AppState {
    /// Starts the reader's worker threads; they stop when the last clone of the state is
    /// dropped.
    pub fn new(config: Config, store: Arc<Store>, recognizer: Arc<dyn Recognizer>) -> AppState {
        let (events, _) = broadcast::channel(64);
        let metrics = Arc::new(metrics::Metrics::new());
        let daemon_state = Arc::new(Mutex::new(StateBoard::new()));
        let queue = ReadQueue::start(
            &config,
            recognizer,
            metrics.clone(),
            events.clone(),
            daemon_state.clone(),
        );
        AppState(Arc::new(Inner {
            config,
            store,
            queue,
            events,
            metrics,
            daemon_state,
        }))
    }

    pub fn config(&self) -> &Config {
        &self.0.config
    }

    pub fn store(&self) -> &Arc<Store> {
        &self.0.store
    }

    /// Clients connected to `/api/v1/events`.
    pub fn event_subscribers(&self) -> usize {
        self.0.events.receiver_count()
    }

    /// The daemon's current state (see [`StateBoard`]).
    pub fn daemon_state(&self) -> String {
        let board = self
            .0
            .daemon_state
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        board.shown().to_string()
    }

    /// Records the camera loop's state; announces the change (a `state` event) if it changes
    /// what is shown.
    pub fn set_daemon_state(&self, state: &str) {
        let shown = {
            let mut board = self
                .0
                .daemon_state
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            board.change(|b| b.camera = state.to_string())
        };
        if let Some(shown) = shown {
            let _ = self.0.events.send(ServerEvent::state(&shown));
        }
    }

    /// Stores a scan, counts it and announces it (a `scan` event with its summary).
    pub async fn record(&self, scan: NewScan) -> Result<ScanSummary, StoreError> {
        let store = self.0.store.clone();
        let id = scan.id.clone();
        let status = scan.status;
        let summary = scan.summary();
        tokio::task::spawn_blocking(move || store.insert(&scan))
            .await
            .map_err(|e| StoreError::Io(std::io::Error::other(e.to_string())))??;
        self.0.metrics.scan(status.as_str());
        let _ = self.0.events.send(ServerEvent::scan(&summary));
        tracing::info!(scan = %id, status = status.as_str(), "scan stored");
        Ok(summary)
    }

    /// Ends every open event stream, so that a graceful shutdown does not wait on them.
    pub fn shut_down(&self) {
        let _ = self.0.events.send(ServerEvent::shutdown());
    }

    /// Deletes scans older than the configured retention; how many.
    pub async fn purge_expired(&self) -> Result<usize, StoreError> {
        let days = self.0.config.store.retention_days;
        if days == 0 {
            return Ok(0);
        }
        let cutoff = crate::store::now_ms() - i64::from(days) * 86_400_000;
        let store = self.0.store.clone();
        let n = tokio::task::spawn_blocking(move || store.purge_before(cutoff))
            .await
            .map_err(|e| StoreError::Io(std::io::Error::other(e.to_string())))??;
        if n > 0 {
            tracing::info!(deleted = n, retention_days = days, "expired scans purged");
        }
        Ok(n)
    }

    /// Purges expired scans now and then every hour, forever.
    pub async fn run_retention(self) {
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        loop {
            tick.tick().await;
            if let Err(e) = self.purge_expired().await {
                tracing::warn!(error = %e, "purging expired scans failed");
            }
        }
    }

    pub(crate) fn queue(&self) -> &ReadQueue {
        &self.0.queue
    }

    pub(crate) fn metrics(&self) -> &metrics::Metrics {
        &self.0.metrics
    }

    pub(crate) fn announce(&self, event: ServerEvent) {
        let _ = self.0.events.send(event);
    }

    pub(crate) fn subscribe(&self) -> broadcast::Receiver<ServerEvent> {
        self.0.events.subscribe()
    }
}

/// The scan row for a reading.
pub fn new_scan(
    id: String,
    reference_id: String,
    source: ScanSource,
    reading: &Reading,
    image: Option<Vec<u8>>,
) -> NewScan {
    let value = |name| reading.value(name).to_string();
    NewScan {
        id,
        reference_id,
        created_at: crate::store::now_ms(),
        source,
        status: if reading.is_permit {
            ScanStatus::Permit
        } else {
            ScanStatus::NotPermit
        },
        document_type: match (reading.is_permit, reading.kind) {
            (true, DocumentKind::Kitas) => "KITAS".into(),
            (true, DocumentKind::Kitap) => "KITAP".into(),
            _ => String::new(),
        },
        permit_number: value(FieldName::PermitNumber),
        passport_number: value(FieldName::PassportNumber),
        full_name: value(FieldName::FullName),
        nationality: value(FieldName::Nationality),
        reading: serde_json::to_value(reading).unwrap_or(Value::Null),
        image,
    }
}

/// A new scan id: UUID v7, so ids sort by creation time.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// The whole router.
pub fn app(state: AppState) -> Router {
    // The multipart framing around a 10 MB file is a few hundred bytes; 64 KiB of slack lets the
    // file itself be judged by its own size (and answered in each service's shape).
    let upload_limit = state.config().reader.max_upload_bytes + 64 * 1024;
    let protected = Router::new()
        .route(
            "/ocr/v1/kitas-kitap",
            post(upload::glair).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route(
            "/ocr/v1/kitas",
            post(upload::verihubs).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route("/api/v1/scans", get(scans::list))
        .route(
            "/api/v1/scans/{id}",
            get(scans::get_one).delete(scans::delete),
        )
        .route("/api/v1/scans/{id}/image", get(scans::image))
        .route("/api/v1/events", get(events::stream))
        .route("/metrics", get(metrics::render))
        .route_layer(middleware::from_fn_with_state(state.clone(), auth::require));
    let open = Router::new()
        .route("/healthz", get(healthz))
        .route("/api/v1/openapi.json", get(openapi))
        .merge(page::routes());
    Router::new()
        .merge(protected)
        .merge(open)
        .fallback(not_found)
        .layer(middleware::from_fn(request_id))
        .with_state(state)
}

/// Gives every request an id (in its extensions) and every response the `Request-Id` header.
async fn request_id(mut req: Request, next: Next) -> Response {
    let id = uuid::Uuid::new_v4().to_string();
    req.extensions_mut().insert(RequestId(id.clone()));
    let mut res = next.run(req).await;
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert("request-id", v);
    }
    res
}

async fn healthz(State(state): State<AppState>) -> Response {
    json_response(
        StatusCode::OK,
        json!({
            "status": "ok",
            "version": env!("CARGO_PKG_VERSION"),
            "state": state.daemon_state(),
        }),
    )
}

async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        OPENAPI.to_string(),
    )
        .into_response()
}

async fn not_found() -> Response {
    api_error(StatusCode::NOT_FOUND, "NOT_FOUND", "no such endpoint")
}

/// A JSON body with a status.
pub(crate) fn json_response(status: StatusCode, body: Value) -> Response {
    (status, axum::Json(body)).into_response()
}

/// The error body of kitascan's own endpoints: `{"error": CODE, "message": ...}`.
pub(crate) fn api_error(status: StatusCode, code: &str, message: &str) -> Response {
    json_response(status, json!({ "error": code, "message": message }))
}

#[cfg(test)]
mod tests {
    use super::StateBoard;

    #[test]
    fn uploads_show_as_reading_only_while_the_camera_side_is_idle() {
        let mut board = StateBoard::new();
        assert_eq!(board.shown(), "idle");
        assert_eq!(
            board.change(|b| b.add_uploads(1)).as_deref(),
            Some("reading")
        );
        // The camera sees a document: the person at the tray is told first.
        assert_eq!(
            board
                .change(|b| b.camera = "hold_still".to_string())
                .as_deref(),
            Some("hold_still")
        );
        // The upload ends: nothing changes for the tray.
        assert_eq!(board.change(|b| b.add_uploads(-1)), None);
        assert_eq!(board.shown(), "hold_still");
        // The tray is emptied while another upload is read.
        board.change(|b| b.add_uploads(1));
        assert_eq!(
            board.change(|b| b.camera = "idle".to_string()).as_deref(),
            Some("reading")
        );
        assert_eq!(board.change(|b| b.add_uploads(-1)).as_deref(), Some("idle"));
    }
}
