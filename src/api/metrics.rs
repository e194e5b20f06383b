//! `/metrics`: Prometheus (OpenMetrics) text. Scans by status, reading latency, queue depth.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

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
}

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
