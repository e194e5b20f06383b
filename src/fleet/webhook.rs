//! The webhook sink, for sites without a broker: each outbox event POSTed as JSON, signed with
//! `X-Kitascan-Signature: sha256=HEX` (HMAC-SHA256 of the body under `fleet.webhook.secret`),
//! one at a time, in order, each retried with backoff until a 2xx.
//!
//! Headers besides the signature: `X-Kitascan-Event` (`scan`, `correction`, `deletion`) and
//! `X-Kitascan-Event-Id`. Redirects are not followed: a 3xx is a failure, retried.

use std::sync::Arc;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::{Backoff, FleetError, FleetParams, FleetStatus, Link, blocking, reason};
use crate::config::WebhookConfig;
use crate::store::{OutboxEvent, Store};

/// The signature header's value for `body`: `sha256=` and the HMAC in lowercase hex.
pub fn signature(secret: &[u8], body: &[u8]) -> String {
    // HMAC takes a key of any length.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256=");
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// Delivers the outbox forever.
pub async fn run(
    config: WebhookConfig,
    store: Arc<Store>,
    status: Arc<FleetStatus>,
    params: FleetParams,
) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(params.http_timeout))
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    let config = Arc::new(config);
    let mut backoff = Backoff::new(params.backoff_min, params.backoff_max);
    loop {
        let next = blocking(&store, |s| s.outbox_pending(0, 1)).await;
        let event = match next {
            Ok(mut rows) if !rows.is_empty() => rows.swap_remove(0),
            Ok(_) => {
                status.wait_for_events(params.poll).await;
                continue;
            }
            Err(e) => {
                tracing::warn!(error = %e, "reading the outbox failed");
                status.set_link(Link::Fault(reason::STORE));
                tokio::time::sleep(backoff.next_wait()).await;
                continue;
            }
        };
        match deliver(&agent, &config, &store, &status, event).await {
            Ok(()) => backoff.reset(),
            Err(fault) => {
                status.set_link(Link::Fault(fault));
                tokio::time::sleep(backoff.next_wait()).await;
            }
        }
    }
}

/// Posts one event and marks it delivered on a 2xx; the fault otherwise.
async fn deliver(
    agent: &ureq::Agent,
    config: &Arc<WebhookConfig>,
    store: &Arc<Store>,
    status: &FleetStatus,
    event: OutboxEvent,
) -> Result<(), &'static str> {
    let seq = event.seq;
    let (agent, config) = (agent.clone(), config.clone());
    let posted = tokio::task::spawn_blocking(move || post(&agent, &config, &event))
        .await
        .map_err(|_| reason::CONNECTION_LOST)?;
    match posted {
        Ok(code) if (200..300).contains(&code) => {}
        Ok(code) => {
            tracing::warn!(seq, status = code, "the webhook refused an event");
            return Err(reason::HTTP_STATUS);
        }
        Err(e) => {
            tracing::warn!(seq, error = %e, "the webhook could not be reached");
            return Err(reason::UNREACHABLE);
        }
    }
    let now = crate::store::now_ms();
    let marked: Result<usize, FleetError> =
        blocking(store, move |s| s.outbox_mark_delivered(&[seq], now)).await;
    if let Err(e) = marked {
        tracing::warn!(error = %e, "marking a delivered event failed");
        return Err(reason::STORE);
    }
    status.delivered_at(now);
    status.set_link(Link::Connected);
    Ok(())
}

/// The HTTP status of one POST.
fn post(
    agent: &ureq::Agent,
    config: &WebhookConfig,
    event: &OutboxEvent,
) -> Result<u16, ureq::Error> {
    let body = event.payload.as_bytes();
    let res = agent
        .post(&config.url)
        .header("Content-Type", "application/json")
        .header(
            "X-Kitascan-Signature",
            signature(config.secret.as_bytes(), body),
        )
        .header("X-Kitascan-Event", event.kind.as_str())
        .header("X-Kitascan-Event-Id", &event.event_id)
        .send(body)?;
    Ok(res.status().as_u16())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_rfc_4231_hmac_sha256_in_hex() {
        // RFC 4231, test case 2.
        assert_eq!(
            signature(b"Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
