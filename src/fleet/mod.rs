//! Fleet delivery: the outbox ([`crate::store::outbox`]) sent to a back office, over MQTT
//! ([`mqtt`]) or a signed webhook ([`webhook`]), by one task started with `kitascan run`.
//!
//! Invariants:
//! - Events go out in outbox order; a row is marked delivered only once the sink acknowledged
//!   it (the broker's PUBACK, a 2xx), so a crash or restart at any point resends, never skips:
//!   delivery is at least once, and `scan_id` lets the consumer drop repeats.
//! - While the sink cannot be reached the task waits with doubling backoff ([`Backoff`]); it
//!   never gives up, and what it knows of the sink is in [`FleetStatus`] for `/healthz` and
//!   `/metrics`.
//! - Delivered rows are purged after `fleet.keep_delivered_days`; undelivered ones never.
//! - Logs carry sequence numbers, counts and fixed reasons, never a payload.

pub mod mqtt;
pub mod webhook;

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;

use crate::config::FleetConfig;
use crate::store::{Store, StoreError};

/// The publisher's tunables.
#[derive(Debug, Clone)]
pub struct FleetParams {
    /// Events sent and not yet acknowledged, at most. 64 keeps a LAN broker's round trip off the
    /// drain rate, and stays under rumqttc's in-flight limit (100) and Mosquitto's default
    /// `max_inflight_messages` (20 is per subscriber, publishers are not limited).
    pub window: usize,
    /// First wait after a failed connection or delivery; doubled after each failure.
    pub backoff_min: Duration,
    /// Longest wait between attempts: a broker back after an outage is found within this.
    pub backoff_max: Duration,
    /// How often the outbox is looked at when nothing announced a new event (events written by
    /// another process, or a missed wake-up).
    pub poll: Duration,
    /// How often delivered rows past `keep_delivered_days` are purged.
    pub purge_every: Duration,
    /// MQTT keep-alive: a dead connection is noticed within about 1.5 times this.
    pub keep_alive: Duration,
    /// A webhook request that has not answered in this long has failed.
    pub http_timeout: Duration,
}

impl Default for FleetParams {
    fn default() -> Self {
        Self {
            window: 64,
            backoff_min: Duration::from_millis(500),
            backoff_max: Duration::from_secs(30),
            poll: Duration::from_secs(1),
            purge_every: Duration::from_secs(3600),
            keep_alive: Duration::from_secs(30),
            http_timeout: Duration::from_secs(30),
        }
    }
}

/// Doubling waits between `min` and `max`.
#[derive(Debug, Clone)]
pub struct Backoff {
    min: Duration,
    max: Duration,
    next: Duration,
}

impl Backoff {
    pub fn new(min: Duration, max: Duration) -> Backoff {
        Backoff {
            min,
            max,
            next: min,
        }
    }

    /// The wait before the next attempt; the one after is twice as long, up to `max`.
    pub fn next_wait(&mut self) -> Duration {
        let wait = self.next;
        self.next = (self.next * 2).min(self.max);
        wait
    }

    /// After a success: the next failure waits `min` again.
    pub fn reset(&mut self) {
        self.next = self.min;
    }
}

/// The link to the sink, as `/healthz` shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// No sink is configured.
    Disabled,
    /// Connecting, or not yet tried.
    Connecting,
    /// Connected (MQTT) or the last request succeeded (webhook).
    Connected,
    /// The last attempt failed; the reason is one of [`reason`]'s names.
    Fault(&'static str),
}

impl Link {
    pub fn as_str(self) -> &'static str {
        match self {
            Link::Disabled => "disabled",
            Link::Connecting => "connecting",
            Link::Connected => "connected",
            Link::Fault(_) => "fault",
        }
    }

    pub fn reason(self) -> Option<&'static str> {
        match self {
            Link::Fault(r) => Some(r),
            _ => None,
        }
    }
}

/// Why the sink is at fault: fixed names, never text from a document or a server.
pub mod reason {
    /// The broker refused the user name or password.
    pub const BAD_CREDENTIALS: &str = "bad_credentials";
    /// The broker refused this client (credentials or its access list).
    pub const NOT_AUTHORIZED: &str = "not_authorized";
    /// The broker refused the connection for another reason.
    pub const REFUSED: &str = "refused";
    /// No connection: the host is down, unknown or does not answer.
    pub const UNREACHABLE: &str = "unreachable";
    /// The TLS handshake failed (certificate, protocol).
    pub const TLS: &str = "tls";
    /// The connection broke, or the peer broke the protocol.
    pub const CONNECTION_LOST: &str = "connection_lost";
    /// The webhook answered, but not with a 2xx.
    pub const HTTP_STATUS: &str = "http_status";
    /// The outbox could not be read or updated.
    pub const STORE: &str = "store";
}

/// What the publisher knows of its sink; shared with the API. Cheap to read.
#[derive(Debug)]
pub struct FleetStatus {
    sink: Option<&'static str>,
    link: Mutex<Link>,
    /// Milliseconds since the epoch of the last acknowledgement this run; 0: none yet.
    last_delivery: AtomicI64,
    wake: Notify,
}

impl FleetStatus {
    pub fn new(config: &FleetConfig) -> FleetStatus {
        let sink = if config.mqtt.is_some() {
            Some("mqtt")
        } else if config.webhook.is_some() {
            Some("webhook")
        } else {
            None
        };
        FleetStatus {
            sink,
            link: Mutex::new(if sink.is_some() {
                Link::Connecting
            } else {
                Link::Disabled
            }),
            last_delivery: AtomicI64::new(0),
            wake: Notify::new(),
        }
    }

    /// `mqtt`, `webhook`, or `None` when fleet delivery is off.
    pub fn sink(&self) -> Option<&'static str> {
        self.sink
    }

    pub fn link(&self) -> Link {
        *self.link.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn set_link(&self, link: Link) {
        let mut l = self.link.lock().unwrap_or_else(|p| p.into_inner());
        if *l != link {
            match link {
                Link::Fault(r) => tracing::warn!(reason = r, "fleet sink at fault"),
                Link::Connected => tracing::info!(sink = self.sink, "fleet sink connected"),
                _ => {}
            }
        }
        *l = link;
    }

    /// When the sink last acknowledged an event in this run (milliseconds since the epoch).
    pub fn last_delivery(&self) -> Option<i64> {
        Some(self.last_delivery.load(Ordering::Relaxed)).filter(|&t| t > 0)
    }

    pub(crate) fn delivered_at(&self, at: i64) {
        self.last_delivery.fetch_max(at, Ordering::Relaxed);
    }

    /// Tells the publisher that an event was committed (it also looks every
    /// [`FleetParams::poll`]).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Resolves on the next [`FleetStatus::wake`] or after `poll`.
    pub(crate) async fn wait_for_events(&self, poll: Duration) {
        let _ = tokio::time::timeout(poll, self.wake.notified()).await;
    }
}

/// A failure of the publisher's own machinery (not of the sink, which is retried).
#[derive(Debug, thiserror::Error)]
pub enum FleetError {
    #[error("the outbox: {0}")]
    Store(#[from] StoreError),
    #[error("a blocking task failed: {0}")]
    Join(#[from] tokio::task::JoinError),
    #[error("fleet.mqtt.url: {0}")]
    Config(String),
    #[error("TLS set-up: {0}")]
    Tls(#[from] rustls::Error),
}

/// Starts the publisher and the purge of delivered rows on the current runtime, if a sink is
/// configured.
pub fn spawn(
    config: &FleetConfig,
    store: Arc<Store>,
    status: Arc<FleetStatus>,
    params: FleetParams,
) -> Option<tokio::task::JoinHandle<()>> {
    if !config.enabled() {
        return None;
    }
    tokio::spawn(purge_delivered(
        store.clone(),
        config.keep_delivered_days,
        params.purge_every,
    ));
    let kiosk_id = config.kiosk_id.clone();
    if let Some(m) = config.mqtt.clone() {
        return Some(tokio::spawn(mqtt::run(m, kiosk_id, store, status, params)));
    }
    let w = config.webhook.clone()?;
    Some(tokio::spawn(webhook::run(w, store, status, params)))
}

/// Deletes delivered rows older than `days` now and every `every`; 0 days keeps them.
async fn purge_delivered(store: Arc<Store>, days: u32, every: Duration) {
    if days == 0 {
        return;
    }
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        let cutoff = crate::store::now_ms() - i64::from(days) * 86_400_000;
        let store = store.clone();
        match tokio::task::spawn_blocking(move || store.purge_delivered_before(cutoff)).await {
            Ok(Ok(0)) => {}
            Ok(Ok(n)) => tracing::info!(purged = n, "delivered outbox rows purged"),
            Ok(Err(e)) => tracing::warn!(error = %e, "purging delivered outbox rows failed"),
            Err(e) => tracing::warn!(error = %e, "purging delivered outbox rows failed"),
        }
    }
}

/// Runs `f` on the store on a blocking thread.
pub(crate) async fn blocking<T: Send + 'static>(
    store: &Arc<Store>,
    f: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, FleetError> {
    let store = store.clone();
    Ok(tokio::task::spawn_blocking(move || f(&store)).await??)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_its_limit_and_starts_over_after_a_success() {
        let mut b = Backoff::new(Duration::from_millis(500), Duration::from_secs(3));
        let waits: Vec<u64> = (0..5).map(|_| b.next_wait().as_millis() as u64).collect();
        assert_eq!(waits, [500, 1000, 2000, 3000, 3000]);
        b.reset();
        assert_eq!(b.next_wait(), Duration::from_millis(500));
    }

    #[test]
    fn the_status_says_disabled_without_a_sink() {
        let s = FleetStatus::new(&FleetConfig::default());
        assert_eq!((s.sink(), s.link()), (None, Link::Disabled));
        assert_eq!(s.last_delivery(), None);
        s.delivered_at(5);
        s.delivered_at(3);
        assert_eq!(s.last_delivery(), Some(5));
    }
}
