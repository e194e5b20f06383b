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

    /// The payload's JSON Schema, as published in the repository.
    const SCHEMA_FILE: &str = include_str!("../../docs/fleet-event.schema.json");

    /// The errors of `v` against `schema`: the subset of JSON Schema the file uses (`type`,
    /// `required`, `properties`, `items`, `enum`, `const`, `not`, `anyOf`, `allOf` with
    /// `if`/`then`, local `$ref`). A full validator crate would check formats and more, but it
    /// is a large dependency for a file this small; this one checks what consumers rely on.
    fn check(root: &Value, schema: &Value, v: &Value, at: &str, errors: &mut Vec<String>) {
        let schema = match schema.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                let name = r.strip_prefix("#/$defs/").expect("a local $ref");
                &root["$defs"][name]
            }
            None => schema,
        };
        let fails = |s: &Value, v: &Value| {
            let mut e = Vec::new();
            check(root, s, v, at, &mut e);
            !e.is_empty()
        };
        if let Some(t) = schema.get("type").and_then(Value::as_str) {
            let ok = match t {
                "object" => v.is_object(),
                "array" => v.is_array(),
                "string" => v.is_string(),
                "number" => v.is_number(),
                "integer" => v.is_i64() || v.is_u64(),
                other => panic!("type {other} is not checked here"),
            };
            if !ok {
                errors.push(format!("{at}: not a {t}: {v}"));
                return;
            }
        }
        if let Some(c) = schema.get("const").filter(|c| *c != v) {
            errors.push(format!("{at}: {v} is not {c}"));
        }
        if let Some(e) = schema
            .get("enum")
            .and_then(Value::as_array)
            .filter(|e| !e.contains(v))
        {
            errors.push(format!("{at}: {v} is not one of {e:?}"));
        }
        for key in schema["required"].as_array().into_iter().flatten() {
            let key = key.as_str().expect("a key");
            if v.get(key).is_none() {
                errors.push(format!("{at}: {key} is missing"));
            }
        }
        if let (Some(props), Some(obj)) = (schema["properties"].as_object(), v.as_object()) {
            for (key, sub) in props {
                if let Some(value) = obj.get(key) {
                    check(root, sub, value, &format!("{at}.{key}"), errors);
                }
            }
        }
        if let (Some(items), Some(arr)) = (schema.get("items"), v.as_array()) {
            for (i, item) in arr.iter().enumerate() {
                check(root, items, item, &format!("{at}[{i}]"), errors);
            }
        }
        if let Some(not) = schema.get("not").filter(|n| !fails(n, v)) {
            errors.push(format!("{at}: matches what is forbidden: {not}"));
        }
        if let Some(any) = schema["anyOf"]
            .as_array()
            .filter(|a| a.iter().all(|s| fails(s, v)))
        {
            errors.push(format!("{at}: matches none of {} choices", any.len()));
        }
        for part in schema["allOf"].as_array().into_iter().flatten() {
            match (part.get("if"), part.get("then")) {
                (Some(cond), Some(then)) if !fails(cond, v) => check(root, then, v, at, errors),
                (Some(_), _) => {}
                (None, _) => check(root, part, v, at, errors),
            }
        }
    }

    fn errors(v: &Value) -> Vec<String> {
        let root: Value = serde_json::from_str(SCHEMA_FILE).expect("the schema is JSON");
        let mut errors = Vec::new();
        check(&root, &root, v, "$", &mut errors);
        errors
    }

    #[test]
    fn produced_events_validate_against_the_published_schema() {
        for images in [false, true] {
            let scan = reading_event(&ENV, &FACTS, &reading(), false, Some(&[1]), images);
            assert_eq!(errors(&scan), Vec::<String>::new(), "{scan}");
        }
        let fix = reading_event(&ENV, &FACTS, &Reading::not_a_permit(), true, None, false);
        assert_eq!(errors(&fix), Vec::<String>::new());
        assert_eq!(errors(&deletion_event(&ENV)), Vec::<String>::new());
        // The schema lists exactly the fields the mapping writes.
        let root: Value = serde_json::from_str(SCHEMA_FILE).expect("JSON");
        let mut listed: Vec<&str> = root["$defs"]["read"]["required"]
            .as_array()
            .expect("required")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        listed.sort_unstable();
        let scan = reading_event(&ENV, &FACTS, &reading(), false, None, false);
        let written: Vec<&str> = scan["read"]
            .as_object()
            .expect("read")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(listed, written);
    }

    #[test]
    fn the_checker_catches_what_the_schema_forbids() {
        let mut scan = reading_event(&ENV, &FACTS, &reading(), false, None, false);
        scan["read"].as_object_mut().expect("read").remove("niora");
        scan["status"] = json!("maybe");
        let e = errors(&scan);
        assert!(e.iter().any(|e| e.contains("niora is missing")), "{e:?}");
        assert!(
            e.iter().any(|e| e.contains("\"maybe\" is not one of")),
            "{e:?}"
        );
        let mut scan = reading_event(&ENV, &FACTS, &reading(), false, None, false);
        scan.as_object_mut().expect("object").remove("read");
        assert!(errors(&scan).iter().any(|e| e.contains("read is missing")));
        let mut deletion = deletion_event(&ENV);
        deletion["read"] = json!({});
        assert!(!errors(&deletion).is_empty());
        let mut deletion = deletion_event(&ENV);
        deletion.as_object_mut().expect("object").remove("kiosk_id");
        assert_eq!(errors(&deletion), ["$: kiosk_id is missing"]);
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
