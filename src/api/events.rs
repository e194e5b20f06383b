//! `GET /api/v1/events`: server-sent events. `state` (`{"state", "reason"}`: what the kiosk
//! shows, sent first on every connection and on each change of state or reason), `scan` (a stored scan's summary, the moment it is stored) and
//! `deleted` (a scan's id).

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
    let first = ServerEvent::state(state.daemon_state());
    let live = BroadcastStream::new(state.subscribe())
        // A client too slow to keep up misses events (and refreshes its list on the next one).
        .filter_map(|e| e.ok())
        // Graceful shutdown waits for open responses, and this one would never end by itself.
        .take_while(|e| e.kind != SHUTDOWN)
        .map(|e| Ok(e.sse()));
    let stream = tokio_stream::once(Ok(first.sse())).chain(live);
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
