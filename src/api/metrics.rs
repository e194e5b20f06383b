//! `/metrics`: Prometheus (OpenMetrics) text. Scans by status, reading latency, queue depth, and
//! fleet delivery: outbox depth, oldest undelivered age, last delivery, the sink's link.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use std::sync::atomic::AtomicU64;

use crate::fleet::Link;

use super::AppState;

pub struct Metrics {
    registry: Registry,
    /// Reads by outcome: `permit`, `not_permit` (stored), `refused` (unreadable input),
    /// `failed` (reader error).
    scans: Family<Vec<(String, String)>, Counter>,
    /// Seconds one upload took on its worker, decoding included.
    pub latency: Histogram,
    /// Uploads waiting for or being read.
    pub queue_depth: Gauge,
    /// Fleet events not yet acknowledged by the sink.
    fleet_depth: Gauge,
    /// Age of the oldest of them, seconds (0 when there is none).
    fleet_oldest: Gauge<f64, AtomicU64>,
    /// When the sink last acknowledged an event, Unix seconds (0: never).
    fleet_last: Gauge<f64, AtomicU64>,
    /// 1 for the sink's current link state (`disabled`, `connecting`, `connected`, `fault`).
    fleet_link: Family<Vec<(String, String)>, Gauge>,
}

const LINK_STATES: [&str; 4] = ["disabled", "connecting", "connected", "fault"];

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("kitascan");
        let scans = Family::<Vec<(String, String)>, Counter>::default();
        registry.register("scans", "Documents read, by outcome", scans.clone());
        // 0.25 s to about a minute: a read takes 1-3 s on a Pi; the tail shows contention.
        let latency = Histogram::new(exponential_buckets(0.25, 2.0, 9));
        registry.register(
            "read_duration_seconds",
            "Time to decode and read one upload",
            latency.clone(),
        );
        let queue_depth = Gauge::default();
        registry.register(
            "queue_depth",
            "Uploads waiting for or being read",
            queue_depth.clone(),
        );
        let fleet_depth = Gauge::default();
        registry.register(
            "fleet_outbox_depth",
            "Fleet events not yet acknowledged by the sink",
            fleet_depth.clone(),
        );
        let fleet_oldest = Gauge::<f64, AtomicU64>::default();
        registry.register(
            "fleet_oldest_undelivered_seconds",
            "Age of the oldest fleet event not yet acknowledged (0 when none)",
            fleet_oldest.clone(),
        );
        let fleet_last = Gauge::<f64, AtomicU64>::default();
        registry.register(
            "fleet_last_delivery_timestamp_seconds",
            "When the sink last acknowledged a fleet event, Unix time (0: never)",
            fleet_last.clone(),
        );
        let fleet_link = Family::<Vec<(String, String)>, Gauge>::default();
        registry.register(
            "fleet_link",
            "1 for the fleet sink's current link state",
            fleet_link.clone(),
        );
        // Every outcome from the start, so that a rate over a fresh counter is 0, not absent.
        for status in ["permit", "not_permit", "refused", "failed"] {
            scans
                .get_or_create(&vec![("status".to_string(), status.to_string())])
                .inc_by(0);
        }
        Metrics {
            registry,
            scans,
            latency,
            queue_depth,
            fleet_depth,
            fleet_oldest,
            fleet_last,
            fleet_link,
        }
    }

    /// Sets the fleet gauges to what is true now.
    pub fn fleet(&self, link: Link, stats: Option<crate::store::OutboxStats>, last: Option<i64>) {
        let now = crate::store::now_ms();
        let stats = stats.unwrap_or_default();
        self.fleet_depth
            .set(i64::try_from(stats.depth).unwrap_or(i64::MAX));
        let oldest = stats
            .oldest_undelivered
            .map_or(0.0, |t| (now - t).max(0) as f64 / 1000.0);
        self.fleet_oldest.set(oldest);
        let last = stats.last_delivered.or(last);
        self.fleet_last.set(last.map_or(0.0, |t| t as f64 / 1000.0));
        for state in LINK_STATES {
            self.fleet_link
                .get_or_create(&vec![("state".to_string(), state.to_string())])
                .set(i64::from(state == link.as_str()));
        }
    }

    pub fn scan(&self, status: &str) {
        self.scans
            .get_or_create(&vec![("status".to_string(), status.to_string())])
            .inc();
    }

    pub fn text(&self) -> String {
        let mut out = String::new();
        if encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}

pub async fn render(State(state): State<AppState>) -> Response {
    let stats = super::fleet_stats(&state).await;
    let fleet = state.fleet();
    state
        .metrics()
        .fleet(fleet.link(), stats, fleet.last_delivery());
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics().text(),
    )
        .into_response()
}
