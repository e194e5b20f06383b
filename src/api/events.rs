//! Server-sent events.
//!
//! `GET /api/v1/events` (role `read`): `state` (`{"state", "reason"}`: what the kiosk shows,
//! sent first on every connection and on each change of state or reason), `scan` (a stored
//! scan's summary, the moment it is stored) and `deleted` (a scan's id).
//!
//! `GET /api/v1/kiosk/events` (any key): the walk-up screen's stream. `state` as above, and
//! `reading` (`{"document_type", "full_name", "permit_number", "show_secs"}`) when the camera
//! has read a permit: the three things the screen shows the person at the tray, and nothing
//! else of any reading. A client connecting later never gets an earlier reading. And `frame`
//! (`{"jpeg", "width", "height", "outline"}`): the live view, a few downscaled camera frames a
//! second (base64 JPEG) with the region the gate found (`null` or four `[x, y]` corners in the
//! frame's pixels); never stored.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use serde_json::{Value, json};
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::{Stream, StreamExt};

use super::{AppState, DaemonState};
use crate::store::ScanSummary;

const SHUTDOWN: &str = "shutdown";
/// The walk-up screen's event; only its stream carries it.
const READING: &str = "reading";
/// The walk-up screen's live view; only its stream carries it.
const FRAME: &str = "frame";

/// One event for the stream.
#[derive(Debug, Clone)]
pub struct ServerEvent {
    pub kind: &'static str,
    pub data: Value,
}

impl ServerEvent {
    /// `{"state": ..., "reason": ... or null}`.
    pub fn state(state: DaemonState) -> ServerEvent {
        ServerEvent {
            kind: "state",
            data: json!({ "state": state.state, "reason": state.reason }),
        }
    }

    pub fn scan(summary: &ScanSummary) -> ServerEvent {
        ServerEvent {
            kind: "scan",
            data: serde_json::to_value(summary).unwrap_or(Value::Null),
        }
    }

    /// Ends every open stream: sent when the server shuts down, never to clients.
    pub fn shutdown() -> ServerEvent {
        ServerEvent {
            kind: SHUTDOWN,
            data: Value::Null,
        }
    }

    /// The walk-up screen's view of a camera reading of a permit: kind, name, permit number,
    /// and how long to show them.
    pub fn reading(summary: &ScanSummary, show_secs: u64) -> ServerEvent {
        ServerEvent {
            kind: READING,
            data: json!({
                "document_type": summary.document_type,
                "full_name": summary.full_name,
                "permit_number": summary.permit_number,
                "show_secs": show_secs,
            }),
        }
    }

    /// A live view frame: base64 JPEG, its size, and the region found, in its pixels.
    pub fn frame(
        jpeg_base64: String,
        width: u32,
        height: u32,
        outline: Option<[[f32; 2]; 4]>,
    ) -> ServerEvent {
        let outline = outline.map(|q| {
            q.iter()
                .map(|[x, y]| json!([x.round(), y.round()]))
                .collect::<Vec<_>>()
        });
        ServerEvent {
            kind: FRAME,
            data: json!({"jpeg": jpeg_base64, "width": width, "height": height, "outline": outline}),
        }
    }

    pub fn deleted(id: &str) -> ServerEvent {
        ServerEvent {
            kind: "deleted",
            data: json!({ "id": id }),
        }
    }

    fn sse(&self) -> Event {
        Event::default()
            .event(self.kind)
            .data(self.data.to_string())
    }
}

pub async fn stream(
    State(state): State<AppState>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    events(&state, |e| e.kind != READING && e.kind != FRAME)
}

/// The walk-up screen's stream: `state`, `reading` and `frame` only.
pub async fn kiosk_stream(
    State(state): State<AppState>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    events(&state, |e| {
        e.kind == "state" || e.kind == READING || e.kind == FRAME
    })
}

/// The current state, then the broadcast events `keep` lets through, until shutdown.
fn events(
    state: &AppState,
    keep: fn(&ServerEvent) -> bool,
) -> Sse<impl Stream<Item = Result<Event, Infallible>> + use<>> {
    let first = ServerEvent::state(state.daemon_state());
    let live = BroadcastStream::new(state.subscribe())
        // A client too slow to keep up misses events (and refreshes its list on the next one).
        .filter_map(|e| e.ok())
        // Graceful shutdown waits for open responses, and this one would never end by itself.
        .take_while(|e| e.kind != SHUTDOWN)
        .filter(keep)
        .map(|e| Ok(e.sse()));
    let stream = tokio_stream::once(Ok(first.sse())).chain(live);
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
