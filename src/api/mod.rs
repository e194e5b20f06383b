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
use axum::routing::{MethodRouter, get, patch, post, put};
use serde_json::{Value, json};
use tokio::sync::broadcast;

use crate::config::{Config, Role};
use crate::fleet::FleetStatus;
use crate::kitas::{DocumentKind, FieldName, Reading};
use crate::store::{
    EventKind, NewEvent, NewScan, ScanSource, ScanStatus, ScanSummary, Store, StoreError,
};
use crate::wire::fleet as fleet_wire;

pub use events::ServerEvent;
pub use reader::{PageResult, ReadQueue, Recognizer};

/// Width of the live view's frames: enough to see where the paper lies, too small to read it.
pub const LIVE_WIDTH: u32 = 320;
/// JPEG quality of the live view's frames (about 10 KB each at 320x180).
const LIVE_JPEG_QUALITY: u8 = 60;

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
    fleet: Arc<FleetStatus>,
}

/// What the kiosk tells the person at the tray (`/healthz`, `state` events, the kiosk page): a
/// state and, for a refusal or a fault, why.
///
/// Both are names from fixed lists (`&'static str`), never text read from a document: the
/// camera loop's states are `crate::led::LedState`'s names, its reasons the gate's and the
/// daemon's (see the README's table). The API itself only knows [`DaemonState::IDLE`] and
/// [`DaemonState::READING`]; it does not look inside the names it is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DaemonState {
    pub state: &'static str,
    /// Why, when there is something to say: `null` in JSON otherwise.
    pub reason: Option<&'static str>,
}

impl DaemonState {
    /// Waiting for work.
    pub const IDLE: DaemonState = DaemonState::new("idle", None);
    /// Reading an upload.
    pub const READING: DaemonState = DaemonState::new("reading", None);

    pub const fn new(state: &'static str, reason: Option<&'static str>) -> DaemonState {
        DaemonState { state, reason }
    }
}

/// The daemon state the API reports: the camera loop's state, except that uploads being read
/// show as `reading` while the camera side is idle. The person at the tray is told about the
/// tray first.
#[derive(Debug)]
pub(crate) struct StateBoard {
    camera: DaemonState,
    uploads: usize,
}

impl StateBoard {
    fn new() -> StateBoard {
        StateBoard {
            camera: DaemonState::IDLE,
            uploads: 0,
        }
    }

    pub(crate) fn shown(&self) -> DaemonState {
        if self.uploads > 0 && self.camera.state == DaemonState::IDLE.state {
            DaemonState::READING
        } else {
            self.camera
        }
    }

    /// Applies a change; returns what is shown after it if that differs from before (the
    /// state or only the reason: glare becoming out of focus is news for the person).
    pub(crate) fn change(&mut self, change: impl FnOnce(&mut StateBoard)) -> Option<DaemonState> {
        let before = self.shown();
        change(self);
        let after = self.shown();
        (after != before).then_some(after)
    }

    pub(crate) fn add_uploads(&mut self, delta: isize) {
        self.uploads = self.uploads.saturating_add_signed(delta);
    }

    fn set_camera(&mut self, state: DaemonState) {
        self.camera = state;
    }
}

impl AppState {
    /// Starts the reader's worker threads; they stop when the last clone of the state is
    /// dropped.
    pub fn new(config: Config, store: Arc<Store>, recognizer: Arc<dyn Recognizer>) -> AppState {
        let (events, _) = broadcast::channel(64);
        let metrics = Arc::new(metrics::Metrics::new());
        let daemon_state = Arc::new(Mutex::new(StateBoard::new()));
        let fleet = Arc::new(FleetStatus::new(&config.fleet));
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
            fleet,
        }))
    }

    pub fn config(&self) -> &Config {
        &self.0.config
    }

    pub fn store(&self) -> &Arc<Store> {
        &self.0.store
    }

    /// What the fleet publisher knows of its sink; the publisher updates it.
    pub fn fleet(&self) -> &Arc<FleetStatus> {
        &self.0.fleet
    }

    /// Clients connected to `/api/v1/events`.
    pub fn event_subscribers(&self) -> usize {
        self.0.events.receiver_count()
    }

    /// What the kiosk shows now (see [`DaemonState`]; uploads show as `reading` while the
    /// camera side is idle).
    pub fn daemon_state(&self) -> DaemonState {
        let board = self
            .0
            .daemon_state
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        board.shown()
    }

    /// Records the camera loop's state and reason; announces it (a `state` event) if that
    /// changes what is shown, be it the state or only the reason.
    pub fn set_daemon_state(&self, state: DaemonState) {
        let shown = {
            let mut board = self
                .0
                .daemon_state
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            board.change(|b| b.set_camera(state))
        };
        if let Some(shown) = shown {
            let _ = self.0.events.send(ServerEvent::state(shown));
        }
    }

    /// Stores a scan (with its outbox event when fleet delivery is on), counts it and announces
    /// it (a `scan` event with its summary).
    pub async fn record(&self, scan: NewScan) -> Result<ScanSummary, StoreError> {
        let store = self.0.store.clone();
        let id = scan.id.clone();
        let status = scan.status;
        let summary = scan.summary();
        let event = self.reading_event(&scan, false);
        tokio::task::spawn_blocking(move || store.insert_with_event(&scan, event.as_ref()))
            .await
            .map_err(|e| StoreError::Io(std::io::Error::other(e.to_string())))??;
        self.0.fleet.wake();
        self.0.metrics.scan(status.as_str());
        let _ = self.0.events.send(ServerEvent::scan(&summary));
        // The person at the tray sees their own permit's kind, name and number; an upload is
        // someone else's and is not shown there.
        if summary.source == ScanSource::Camera && summary.status == ScanStatus::Permit {
            let show_secs = self.0.config.kiosk.show_secs;
            let _ = self
                .0
                .events
                .send(ServerEvent::reading(&summary, show_secs));
        }
        tracing::info!(scan = %id, status = status.as_str(), "scan stored");
        Ok(summary)
    }

    /// Deletes a scan (with its outbox event when fleet delivery is on); whether it existed.
    pub async fn delete_scan(&self, id: String, who: String) -> Result<bool, StoreError> {
        let store = self.0.store.clone();
        let event = self.deletion_event(&id);
        let existed =
            tokio::task::spawn_blocking(move || store.delete_with_event(&id, &who, event.as_ref()))
                .await
                .map_err(|e| StoreError::Io(std::io::Error::other(e.to_string())))??;
        if existed {
            self.0.fleet.wake();
        }
        Ok(existed)
    }

    /// The outbox event of a stored reading (`scan`) or of its corrected version
    /// (`correction`), when fleet delivery is on. Code that changes a stored reading writes it
    /// with [`crate::store::outbox::append`] in the change's own transaction.
    pub fn reading_event(&self, scan: &NewScan, corrected: bool) -> Option<NewEvent> {
        let fleet = &self.0.config.fleet;
        if !fleet.enabled() {
            return None;
        }
        // The reading was serialised from a `Reading` by `new_scan`.
        let reading: Reading = serde_json::from_value(scan.reading.clone())
            .unwrap_or_else(|_| Reading::not_a_permit());
        let event_id = new_id();
        let time = crate::store::rfc3339(scan.created_at);
        let envelope = fleet_wire::Envelope {
            event_id: &event_id,
            scan_id: &scan.id,
            kiosk_id: &fleet.kiosk_id,
            time: &time,
        };
        let facts = fleet_wire::ScanFacts {
            source: scan.source.as_str(),
            status: scan.status.as_str(),
            document_type: &scan.document_type,
        };
        let payload = fleet_wire::reading_event(
            &envelope,
            &facts,
            &reading,
            corrected,
            scan.image.as_deref(),
            fleet.include_images(),
        );
        Some(NewEvent {
            event_id: event_id.clone(),
            kind: if corrected {
                EventKind::Correction
            } else {
                EventKind::Scan
            },
            scan_id: scan.id.clone(),
            created_at: scan.created_at,
            payload: payload.to_string(),
        })
    }

    /// The outbox event of a deletion, when fleet delivery is on.
    fn deletion_event(&self, scan_id: &str) -> Option<NewEvent> {
        let fleet = &self.0.config.fleet;
        if !fleet.enabled() {
            return None;
        }
        let event_id = new_id();
        let now = crate::store::now_ms();
        let time = crate::store::rfc3339(now);
        let payload = fleet_wire::deletion_event(&fleet_wire::Envelope {
            event_id: &event_id,
            scan_id,
            kiosk_id: &fleet.kiosk_id,
            time: &time,
        });
        Some(NewEvent {
            event_id: event_id.clone(),
            kind: EventKind::Deletion,
            scan_id: scan_id.to_string(),
            created_at: now,
            payload: payload.to_string(),
        })
    }

    /// Sends a camera frame to the walk-up screen's live view: downscaled to [`LIVE_WIDTH`]
    /// pixels wide, JPEG, with the region found (`outline`, in `frame`'s pixels) scaled to match.
    /// Nothing is kept. Does nothing while no client listens.
    pub fn live_frame(&self, frame: &image::RgbImage, outline: Option<crate::geometry::Quad>) {
        if self.0.events.receiver_count() == 0 || frame.width() == 0 {
            return;
        }
        let scale = LIVE_WIDTH as f32 / frame.width() as f32;
        let height = ((frame.height() as f32 * scale).round() as u32).max(1);
        let small = image::imageops::thumbnail(frame, LIVE_WIDTH, height);
        let Ok(jpeg) = reader::jpeg(&small, LIVE_JPEG_QUALITY) else {
            return;
        };
        let outline = outline.map(|q| q.map(|p| [p[0] * scale, p[1] * scale]));
        let data = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, jpeg);
        let _ = self
            .0
            .events
            .send(ServerEvent::frame(data, LIVE_WIDTH, height, outline));
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

/// The whole router. Each protected route names the least role it needs (see
/// [`auth::require`]); `/healthz`, the OpenAPI file and the pages are open.
pub fn app(state: AppState) -> Router {
    // The multipart framing around a 10 MB file is a few hundred bytes; 64 KiB of slack lets the
    // file itself be judged by its own size (and answered in each service's shape).
    let upload_limit = state.config().reader.max_upload_bytes + 64 * 1024;
    let needs = |role: Role, route: MethodRouter<AppState>| {
        route.route_layer(middleware::from_fn_with_state(
            auth::guard(&state, role),
            auth::require,
        ))
    };
    let protected = Router::new()
        .route(
            "/ocr/v1/kitas-kitap",
            needs(
                Role::Upload,
                post(upload::glair).layer(DefaultBodyLimit::max(upload_limit)),
            ),
        )
        .route(
            "/ocr/v1/kitas",
            needs(
                Role::Upload,
                post(upload::verihubs).layer(DefaultBodyLimit::max(upload_limit)),
            ),
        )
        .route(
            "/api/v1/kiosk/events",
            needs(Role::Upload, get(events::kiosk_stream)),
        )
        .route("/api/v1/scans", needs(Role::Read, get(scans::list)))
        .route(
            "/api/v1/scans/export",
            needs(Role::Admin, get(scans::export)),
        )
        .route(
            "/api/v1/scans/{id}",
            needs(Role::Read, get(scans::get_one))
                .merge(needs(Role::Admin, axum::routing::delete(scans::delete))),
        )
        .route(
            "/api/v1/scans/{id}/image",
            needs(Role::Read, get(scans::image)),
        )
        .route(
            "/api/v1/scans/{id}/fields/{field}",
            needs(Role::Admin, patch(scans::correct)),
        )
        .route(
            "/api/v1/scans/{id}/checked",
            needs(Role::Admin, put(scans::mark_checked)),
        )
        .route("/api/v1/events", needs(Role::Read, get(events::stream)))
        .route("/metrics", needs(Role::Read, get(metrics::render)));
    let open = Router::new()
        .route("/healthz", get(healthz))
        .route("/api/v1/openapi.json", get(openapi))
        .merge(page::routes());
    Router::new()
        .merge(protected)
        .merge(open)
        .fallback(not_found)
        .layer(middleware::from_fn(security_headers))
        .layer(middleware::from_fn(request_id))
        .with_state(state)
}

/// The Content-Security-Policy of every response: scripts, styles and everything else from
/// the server itself only (no inline script or style), images also from `blob:` (the console
/// draws a scan's image fetched with its key), no frames, no plugins, forms to the server only.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

/// Security headers on every response, pages and API alike.
async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    res
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
    let shown = state.daemon_state();
    json_response(
        StatusCode::OK,
        json!({
            "status": "ok",
            "version": env!("CARGO_PKG_VERSION"),
            "state": shown.state,
            "reason": shown.reason,
            "fleet": fleet_health(&state).await,
        }),
    )
}

/// The fleet part of `/healthz`: the sink, its link, and the outbox (`null` values when fleet
/// delivery is off or the outbox cannot be read).
async fn fleet_health(state: &AppState) -> Value {
    let fleet = state.fleet();
    let link = fleet.link();
    let stats = fleet_stats(state).await;
    let now = crate::store::now_ms();
    json!({
        "sink": fleet.sink(),
        "connection": link.as_str(),
        "reason": link.reason(),
        "outbox_depth": stats.map(|s| s.depth),
        "oldest_undelivered_age_seconds": stats
            .and_then(|s| s.oldest_undelivered)
            .map(|t| (now - t).max(0) as f64 / 1000.0),
        "last_delivery": stats
            .and_then(|s| s.last_delivered)
            .or(fleet.last_delivery())
            .map(crate::store::rfc3339),
    })
}

/// The outbox's figures, when fleet delivery is on and the store answers.
pub(crate) async fn fleet_stats(state: &AppState) -> Option<crate::store::OutboxStats> {
    state.fleet().sink()?;
    let store = state.store().clone();
    match tokio::task::spawn_blocking(move || store.outbox_stats()).await {
        Ok(Ok(stats)) => Some(stats),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "reading the outbox figures failed");
            None
        }
        Err(_) => None,
    }
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
    use super::{DaemonState, StateBoard};

    const HOLD_STILL: DaemonState = DaemonState::new("hold_still", Some("moving"));
    const GLARE: DaemonState = DaemonState::new("adjust", Some("glare"));
    const OUT_OF_FOCUS: DaemonState = DaemonState::new("adjust", Some("out_of_focus"));
    const FROZEN: DaemonState = DaemonState::new("fault", Some("camera_frozen"));

    #[test]
    fn uploads_show_as_reading_only_while_the_camera_side_is_idle() {
        let mut board = StateBoard::new();
        assert_eq!(board.shown(), DaemonState::IDLE);
        assert_eq!(
            board.change(|b| b.add_uploads(1)),
            Some(DaemonState::READING)
        );
        // The camera sees a document: the person at the tray is told first, with the reason.
        assert_eq!(board.change(|b| b.set_camera(HOLD_STILL)), Some(HOLD_STILL));
        // The upload ends: nothing changes for the tray.
        assert_eq!(board.change(|b| b.add_uploads(-1)), None);
        assert_eq!(board.shown(), HOLD_STILL);
        // The tray is emptied while another upload is read.
        board.change(|b| b.add_uploads(1));
        assert_eq!(
            board.change(|b| b.set_camera(DaemonState::IDLE)),
            Some(DaemonState::READING)
        );
        // A camera fault is not hidden behind an upload being read.
        assert_eq!(board.change(|b| b.set_camera(FROZEN)), Some(FROZEN));
        assert_eq!(
            board.change(|b| b.set_camera(DaemonState::IDLE)),
            Some(DaemonState::READING)
        );
        assert_eq!(board.change(|b| b.add_uploads(-1)), Some(DaemonState::IDLE));
    }

    #[test]
    fn a_change_of_reason_alone_is_a_change_and_a_repeat_is_not() {
        let mut board = StateBoard::new();
        assert_eq!(board.change(|b| b.set_camera(GLARE)), Some(GLARE));
        assert_eq!(board.change(|b| b.set_camera(GLARE)), None);
        // The LED stays on `adjust`; the person is told something else.
        assert_eq!(
            board.change(|b| b.set_camera(OUT_OF_FOCUS)),
            Some(OUT_OF_FOCUS)
        );
        assert_eq!(board.shown().reason, Some("out_of_focus"));
        // An upload under a refusal does not hide the refusal, nor is it news.
        assert_eq!(board.change(|b| b.add_uploads(1)), None);
        assert_eq!(board.shown(), OUT_OF_FOCUS);
    }
}
