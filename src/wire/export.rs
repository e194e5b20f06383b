//! The export of stored scans (`GET /api/v1/scans/export`): CSV or JSON lines, one scan per
//! line, oldest first. Pure mappings of [`ScanRecord`]s.
//!
//! - CSV: a header row naming every column ([`columns`]): the scan's own (id, time, source,
//!   status, document type, checked), then every field of a reading ([`FieldName::ALL`], by its
//!   name), holding the field's value (a corrected value where an operator corrected it). Quoted
//!   as RFC 4180; a cell that a spreadsheet would take for a formula (starting with `=`, `+`,
//!   `-`, `@`, tab or carriage return) is prefixed with `'`.
//! - JSON lines: the same columns as keys, with each field as `{"value", "value_original",
//!   "confidence"}` under `fields`.

use serde_json::{Map, Value, json};

use crate::kitas::FieldName;
use crate::store::ScanRecord;

/// The scan's own columns, before the fields.
const SCAN_COLUMNS: [&str; 7] = [
    "id",
    "created_at",
    "source",
    "status",
    "document_type",
    "checked_at",
    "checked_by",
];

/// Every column of the CSV export, in order.
pub fn columns() -> Vec<&'static str> {
    SCAN_COLUMNS
        .into_iter()
        .chain(FieldName::ALL.into_iter().map(FieldName::as_str))
        .collect()
}

fn scan_values(r: &ScanRecord) -> [String; 7] {
    let s = &r.summary;
    [
        s.id.clone(),
        s.created_at.clone(),
        s.source.as_str().to_string(),
        s.status.as_str().to_string(),
        s.document_type.clone(),
        r.checked_at.clone().unwrap_or_default(),
        r.checked_by.clone().unwrap_or_default(),
    ]
}

fn field(r: &ScanRecord, name: FieldName) -> Option<&Value> {
    r.reading.get("fields").and_then(|f| f.get(name.as_str()))
}

fn field_text(r: &ScanRecord, name: FieldName, key: &str) -> String {
    field(r, name)
        .and_then(|f| f.get(key))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

/// The CSV text: a header row, then one row per scan; lines end in CRLF (RFC 4180).
pub fn csv(records: &[ScanRecord]) -> String {
    let mut out = String::new();
    push_row(&mut out, columns().into_iter().map(str::to_string));
    for r in records {
        let fields = FieldName::ALL.iter().map(|&n| field_text(r, n, "value"));
        push_row(&mut out, scan_values(r).into_iter().chain(fields));
    }
    out
}

fn push_row(out: &mut String, cells: impl Iterator<Item = String>) {
    for (i, cell) in cells.enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&csv_cell(&cell));
    }
    out.push_str("\r\n");
}

fn csv_cell(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// The JSON lines text: one object per scan, each line ending in `\n`.
pub fn jsonl(records: &[ScanRecord]) -> String {
    let mut out = String::new();
    for r in records {
        let mut obj = Map::new();
        for (k, v) in SCAN_COLUMNS.iter().zip(scan_values(r)) {
            obj.insert((*k).to_string(), Value::from(v));
        }
        let mut fields = Map::new();
        for name in FieldName::ALL {
            let confidence = field(r, name)
                .and_then(|f| f.get("confidence"))
                .cloned()
                .unwrap_or(Value::from(0.0));
            fields.insert(
                name.as_str().to_string(),
                json!({
                    "value": field_text(r, name, "value"),
                    "value_original": field_text(r, name, "value_original"),
                    "confidence": confidence,
                }),
            );
        }
        obj.insert("fields".into(), Value::Object(fields));
        out.push_str(&Value::Object(obj).to_string());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{ScanSource, ScanStatus, ScanSummary};

    fn record(name: &str) -> ScanRecord {
        ScanRecord {
            summary: ScanSummary {
                id: "id-1".into(),
                reference_id: "ref".into(),
                created_at: "2026-12-07T01:02:03.000Z".into(),
                source: ScanSource::Camera,
                status: ScanStatus::Permit,
                document_type: "KITAS".into(),
                permit_number: "2C21AB0001-X".into(),
                passport_number: String::new(),
                full_name: name.into(),
                nationality: String::new(),
                has_image: false,
            },
            reading: json!({"fields": {
                "full_name": {"value": name, "value_original": "ANNA SMTH", "confidence": 0.42},
                "permit_number": {"value": "2C21AB0001-X", "value_original": "2C21AB0001-X",
                    "confidence": 0.9},
            }}),
            checked_at: None,
            checked_by: Some("lead".into()),
        }
    }

    #[test]
    fn csv_has_a_header_naming_every_field_and_quotes_what_needs_it() {
        let text = csv(&[record("SMITH, \"ANNA\""), record("=HYPERLINK(1)")]);
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(lines.len(), 4, "header, two rows, and the last line's end");
        let header: Vec<&str> = lines[0].split(',').collect();
        assert_eq!(header.len(), 7 + FieldName::ALL.len());
        for name in FieldName::ALL {
            assert!(header.contains(&name.as_str()), "{name:?}");
        }
        assert!(
            lines[1].starts_with("id-1,2026-12-07T01:02:03.000Z,camera,permit,KITAS,,lead,"),
            "{}",
            lines[1]
        );
        assert!(
            lines[1].contains(",\"SMITH, \"\"ANNA\"\"\","),
            "{}",
            lines[1]
        );
        assert!(lines[2].contains(",'=HYPERLINK(1),"), "{}", lines[2]);
        assert!(lines[1].contains(",2C21AB0001-X,"));
    }

    #[test]
    fn jsonl_is_one_object_per_line_with_every_field() {
        let text = jsonl(&[record("ANNA SMITH"), record("B")]);
        let lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["id"], "id-1");
        assert_eq!(lines[0]["checked_by"], "lead");
        let fields = lines[0]["fields"].as_object().unwrap();
        assert_eq!(fields.len(), FieldName::ALL.len());
        assert_eq!(
            lines[0]["fields"]["full_name"],
            json!({"value": "ANNA SMITH", "value_original": "ANNA SMTH", "confidence": 0.42})
        );
        assert_eq!(lines[0]["fields"]["address"]["value"], "");
    }
}
