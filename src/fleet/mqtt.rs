//! The MQTT sink: the outbox published with QoS 1 on a persistent session (`clean_session`
//! false, the client id `kitascan-{kiosk_id}`), up to [`FleetParams::window`] events in flight.
//!
//! Each connection gets a fresh rumqttc event loop, run on a task of its own that forwards its
//! events here (its `poll` is not meant to be cancelled). Events are handed to the client in
//! outbox order; rumqttc reports the packet id each was sent with (`Outgoing::Publish`) in the
//! same order, and a `PUBACK` for that id marks the row delivered. Whatever was in flight when a
//! connection ends is sent again on the next one, from the outbox: never skipped, possibly
//! repeated.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use rumqttc::{
    AsyncClient, ConnectReturnCode, ConnectionError, Event, EventLoop, MqttOptions, Outgoing,
    Packet, QoS, TlsConfiguration, Transport,
};
use tokio::sync::mpsc;

use super::{Backoff, FleetError, FleetParams, FleetStatus, Link, blocking, reason};
use crate::config::MqttConfig;
use crate::store::Store;

/// The largest message sent: a reading with its images is a few hundred kilobytes.
const MAX_OUTGOING: usize = 16 * 1024 * 1024;
/// The broker sends acknowledgements only.
const MAX_INCOMING: usize = 64 * 1024;

/// Publishes the outbox forever, reconnecting with backoff.
pub async fn run(
    config: MqttConfig,
    kiosk_id: String,
    store: Arc<Store>,
    status: Arc<FleetStatus>,
    params: FleetParams,
) {
    let topic = config.topic_for(&kiosk_id);
    let mut backoff = Backoff::new(params.backoff_min, params.backoff_max);
    loop {
        status.set_link(Link::Connecting);
        let fault = match options(&config, &kiosk_id, &params) {
            Ok(opts) => session(opts, &topic, &store, &status, &params, &mut backoff).await,
            Err(e) => {
                tracing::error!(error = %e, "the MQTT connection cannot be set up");
                match e {
                    FleetError::Tls(_) => reason::TLS,
                    _ => reason::REFUSED,
                }
            }
        };
        status.set_link(Link::Fault(fault));
        tokio::time::sleep(backoff.next_wait()).await;
    }
}

fn options(
    config: &MqttConfig,
    kiosk_id: &str,
    params: &FleetParams,
) -> Result<MqttOptions, FleetError> {
    // A loaded configuration has a valid URL (`Config::validate`); this is for one built in code.
    let addr = config.broker().map_err(FleetError::Config)?;
    let mut opts = MqttOptions::new(format!("kitascan-{kiosk_id}"), addr.host, addr.port);
    opts.set_clean_session(false)
        .set_keep_alive(params.keep_alive)
        .set_max_packet_size(MAX_INCOMING, MAX_OUTGOING)
        // One more than the window, so that rumqttc never holds a publish back itself.
        .set_inflight(params.window.clamp(1, u16::MAX as usize - 1) as u16 + 1);
    if let Some(user) = &config.username {
        opts.set_credentials(user, config.password.clone().unwrap_or_default());
    }
    if addr.tls {
        opts.set_transport(Transport::tls_with_config(TlsConfiguration::Rustls(
            Arc::new(tls_config()?),
        )));
    }
    Ok(opts)
}

/// TLS with the system's trust store (`/etc/ssl/certs`: a site's own CA is added there) and
/// ring, the provider ureq uses too.
fn tls_config() -> Result<rustls::ClientConfig, FleetError> {
    let mut roots = rustls::RootCertStore::empty();
    let found = rustls_native_certs::load_native_certs();
    let (added, _ignored) = roots.add_parsable_certificates(found.certs);
    if added == 0 {
        tracing::warn!("no trusted certificates found for mqtts://");
    }
    // ring lacks rustls' post-quantum key exchange (hence the deprecation); aws-lc-rs has it but
    // is a long C build that cross-compiles badly for the Pi. A site broker offers classic
    // ECDHE anyway.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

/// The fault reason of a connection error.
fn fault_of(e: &ConnectionError) -> &'static str {
    match e {
        ConnectionError::ConnectionRefused(ConnectReturnCode::BadUserNamePassword) => {
            reason::BAD_CREDENTIALS
        }
        ConnectionError::ConnectionRefused(ConnectReturnCode::NotAuthorized) => {
            reason::NOT_AUTHORIZED
        }
        ConnectionError::ConnectionRefused(_) => reason::REFUSED,
        ConnectionError::Tls(_) => reason::TLS,
        ConnectionError::Io(_) | ConnectionError::NetworkTimeout => reason::UNREACHABLE,
        _ => reason::CONNECTION_LOST,
    }
}

/// The task driving a session's event loop, ended with the session (its connection closes).
struct Driver(tokio::task::JoinHandle<()>);

impl Drop for Driver {
    fn drop(&mut self) {
        self.0.abort();
    }
}

type Events = mpsc::UnboundedReceiver<Result<Event, ConnectionError>>;

/// Runs the event loop until it fails, forwarding its events.
fn drive(mut eventloop: EventLoop) -> (Driver, Events) {
    let (tx, rx) = mpsc::unbounded_channel();
    let task = tokio::spawn(async move {
        loop {
            let ev = eventloop.poll().await;
            let failed = ev.is_err();
            if tx.send(ev).is_err() || failed {
                break;
            }
        }
    });
    (Driver(task), rx)
}

/// What is on its way to the broker in this session.
#[derive(Default)]
struct InFlight {
    /// Rows handed to the client, not yet given a packet id, in order.
    queued: VecDeque<i64>,
    /// Packet id to row, sent and waiting for the PUBACK.
    sent: HashMap<u16, i64>,
    /// The last row handed to the client.
    last_seq: i64,
}

impl InFlight {
    fn len(&self) -> usize {
        self.queued.len() + self.sent.len()
    }
}

/// One connection: connect, then publish and mark until it breaks; the fault reason.
async fn session(
    opts: MqttOptions,
    topic: &str,
    store: &Arc<Store>,
    status: &Arc<FleetStatus>,
    params: &FleetParams,
    backoff: &mut Backoff,
) -> &'static str {
    let (client, eventloop) = AsyncClient::new(opts, params.window * 2 + 8);
    let (_driver, mut events) = drive(eventloop);
    // Wait for the broker's CONNACK before sending anything.
    loop {
        match events.recv().await {
            Some(Ok(Event::Incoming(Packet::ConnAck(_)))) => break,
            Some(Ok(_)) => continue,
            Some(Err(e)) => return fault_of(&e),
            None => return reason::CONNECTION_LOST,
        }
    }
    status.set_link(Link::Connected);
    backoff.reset();
    let mut flight = InFlight::default();
    loop {
        if let Err(e) = refill(&client, topic, store, params, &mut flight).await {
            tracing::warn!(error = %e, "reading the outbox failed");
            return reason::STORE;
        }
        let mut acked = Vec::new();
        let event = if flight.len() == 0 {
            // Idle: wait for an event to be committed, or the broker.
            tokio::select! {
                ev = events.recv() => Some(ev),
                () = status.wait_for_events(params.poll) => None,
            }
        } else {
            Some(events.recv().await)
        };
        let Some(event) = event else { continue };
        let mut next = Some(event);
        // Take everything already waiting, so that one transaction marks a batch.
        while let Some(ev) = next {
            match ev {
                None => return reason::CONNECTION_LOST,
                Some(Err(e)) => {
                    mark(store, status, &acked).await.ok();
                    return fault_of(&e);
                }
                Some(Ok(Event::Outgoing(Outgoing::Publish(pkid)))) => {
                    if let Some(seq) = flight.queued.pop_front() {
                        flight.sent.insert(pkid, seq);
                    }
                }
                Some(Ok(Event::Incoming(Packet::PubAck(ack)))) => {
                    if let Some(seq) = flight.sent.remove(&ack.pkid) {
                        acked.push(seq);
                    }
                }
                Some(Ok(_)) => {}
            }
            next = events.try_recv().ok().map(Some);
        }
        if let Err(e) = mark(store, status, &acked).await {
            tracing::warn!(error = %e, "marking delivered events failed");
            return reason::STORE;
        }
    }
}

/// Hands the client the next undelivered rows, up to the window.
async fn refill(
    client: &AsyncClient,
    topic: &str,
    store: &Arc<Store>,
    params: &FleetParams,
    flight: &mut InFlight,
) -> Result<(), FleetError> {
    let room = params.window.saturating_sub(flight.len());
    if room == 0 {
        return Ok(());
    }
    let after = flight.last_seq;
    let rows = blocking(store, move |s| s.outbox_pending(after, room)).await?;
    for row in rows {
        // The channel holds twice the window: this never finds it full.
        if client
            .try_publish(topic, QoS::AtLeastOnce, false, row.payload.into_bytes())
            .is_err()
        {
            break;
        }
        flight.queued.push_back(row.seq);
        flight.last_seq = row.seq;
    }
    Ok(())
}

async fn mark(store: &Arc<Store>, status: &FleetStatus, acked: &[i64]) -> Result<(), FleetError> {
    if acked.is_empty() {
        return Ok(());
    }
    let now = crate::store::now_ms();
    let seqs = acked.to_vec();
    let n = blocking(store, move |s| s.outbox_mark_delivered(&seqs, now)).await?;
    status.delivered_at(now);
    tracing::debug!(delivered = n, "fleet events acknowledged by the broker");
    Ok(())
}
