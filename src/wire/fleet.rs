//! The fleet message: what a kiosk delivers to the back office (MQTT or webhook) for each change
//! to its stored readings, as a pure mapping. The JSON Schema is `docs/fleet-event.schema.json`.
//!
//! Shape: `{"schema", "event", "event_id", "scan_id", "kiosk_id", "time"}` on every event, plus,
//! for `scan` and `correction` events, `source`, `status`, `document_type` and `read` (GLAIR's
//! `read` object: every GLAIR field, always present, as [`super::glair::response`] gives it),
//! and `image` (the straightened document, base64 JPEG) only when images are included. A
//! `deletion` carries nothing read from the document.
//!
//! `scan_id` is the consumer's idempotency key: a message may arrive more than once (QoS 1, a
//! retried webhook), never out of order from one kiosk.

use base64::Engine as _;
use serde_json::{Value, json};

use crate::kitas::Reading;

/// The payload's version, bumped on an incompatible change.
pub const SCHEMA: &str = "kitascan.fleet.v1";

/// The event names.
pub const SCAN: &str = "scan";
pub const CORRECTION: &str = "correction";
pub const DELETION: &str = "deletion";

/// Keys every event carries.
pub const COMMON_KEYS: [&str; 6] = ["schema", "event", "event_id", "scan_id", "kiosk_id", "time"];
/// Keys a `scan` or `correction` event carries besides [`COMMON_KEYS`].
pub const READING_KEYS: [&str; 4] = ["source", "status", "document_type", "read"];

/// Who and when: the envelope of every event.
#[derive(Debug, Clone, Copy)]
pub struct Envelope<'a> {
    pub event_id: &'a str,
    pub scan_id: &'a str,
    pub kiosk_id: &'a str,
    /// RFC 3339, UTC.
    pub time: &'a str,
}

/// What the store says of the scan.
#[derive(Debug, Clone, Copy)]
pub struct ScanFacts<'a> {
    /// `camera`, `upload` or `cli`.
    pub source: &'a str,
    /// `permit` or `not_permit`.
    pub status: &'a str,
    /// `KITAS`, `KITAP` or `""`.
    pub document_type: &'a str,
}

fn envelope(event: &str, e: &Envelope<'_>) -> serde_json::Map<String, Value> {
    let mut m = serde_json::Map::new();
    m.insert("schema".into(), json!(SCHEMA));
    m.insert("event".into(), json!(event));
    m.insert("event_id".into(), json!(e.event_id));
    m.insert("scan_id".into(), json!(e.scan_id));
    m.insert("kiosk_id".into(), json!(e.kiosk_id));
    m.insert("time".into(), json!(e.time));
    m
}

/// A `scan` (a reading stored) or, with `corrected`, a `correction` event. Without
/// `include_images` the photo and signature crops keep their confidence and polygon but not
/// their pixels, and the document image is left out.
pub fn reading_event(
    e: &Envelope<'_>,
    facts: &ScanFacts<'_>,
    reading: &Reading,
    corrected: bool,
    image_jpeg: Option<&[u8]>,
    include_images: bool,
) -> Value {
    let mut m = envelope(if corrected { CORRECTION } else { SCAN }, e);
    m.insert("source".into(), json!(facts.source));
    m.insert("status".into(), json!(facts.status));
    m.insert("document_type".into(), json!(facts.document_type));
    let mut read = super::glair::response(reading)["read"].take();
    if !include_images {
        for crop in ["photo", "sign"] {
            if let Some(v) = read.get_mut(crop).and_then(|c| c.get_mut("value")) {
                *v = json!("");
            }
        }
    }
    m.insert("read".into(), read);
    if include_images && let Some(jpeg) = image_jpeg {
        let b64 = base64::engine::general_purpose::STANDARD.encode(jpeg);
        m.insert("image".into(), json!(b64));
    }
    Value::Object(m)
}

/// A `deletion` event: the scan is gone from the kiosk.
pub fn deletion_event(e: &Envelope<'_>) -> Value {
    Value::Object(envelope(DELETION, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kitas::{Crop, DocumentKind, Field, FieldName};

    const ENV: Envelope<'static> = Envelope {
        event_id: "0193a1b2-0000-7000-8000-000000000001",
        scan_id: "0193a1b2-0000-7000-8000-000000000002",
        kiosk_id: "jakarta-01",
        time: "2026-12-07T23:00:00.000Z",
    };

    fn reading() -> Reading {
        let mut r = Reading::not_a_permit();
        r.is_permit = true;
        r.kind = DocumentKind::Kitas;
        r.fields.insert(
            FieldName::FullName,
            Field {
                value: "TEST PERSON".into(),
                value_original: "TEST PERSON".into(),
                confidence: 0.9,
                confidence_text: 0.95,
                polygon: vec![[1.0, 2.0]],
                page_index: 0,
            },
        );
        r.photo = Some(Crop {
            png_base64: "iVBO".into(),
            confidence: 0.8,
            polygon: vec![[3.0, 4.0]],
            page_index: 0,
        });
        r
    }

    const FACTS: ScanFacts<'static> = ScanFacts {
        source: "camera",
        status: "permit",
        document_type: "KITAS",
    };

    #[test]
    fn a_scan_event_carries_the_envelope_and_every_glair_field() {
        let got = reading_event(&ENV, &FACTS, &reading(), false, Some(&[1, 2, 3]), false);
        for key in COMMON_KEYS.iter().chain(READING_KEYS.iter()) {
            assert!(got.get(*key).is_some(), "{key}");
        }
        assert_eq!(got["event"], "scan");
        assert_eq!(got["kiosk_id"], "jakarta-01");
        assert_eq!(got["document_type"], "KITAS");
        assert_eq!(got["read"].as_object().expect("read").len(), 24);
        assert_eq!(got["read"]["full_name"]["value"], "TEST PERSON");
        // No pixels unless asked for.
        assert_eq!(got["read"]["photo"]["value"], "");
        assert_eq!(got["read"]["photo"]["confidence"], 0.8);
        assert!(got.get("image").is_none());
    }

    #[test]
    fn images_travel_only_when_included() {
        let got = reading_event(&ENV, &FACTS, &reading(), true, Some(&[1, 2, 3]), true);
        assert_eq!(got["event"], "correction");
        assert_eq!(got["read"]["photo"]["value"], "iVBO");
        assert_eq!(got["image"], "AQID");
    }

    #[test]
    fn a_deletion_carries_the_envelope_only() {
        let got = deletion_event(&ENV);
        let keys: Vec<&str> = got
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        let mut want = COMMON_KEYS.to_vec();
        want.sort_unstable();
        assert_eq!(keys, want);
        assert_eq!(got["event"], "deletion");
    }
}
