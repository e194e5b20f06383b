//! GLAIR's KITAS/KITAP response (`POST /ocr/v1/kitas-kitap`), as a pure mapping of a
//! [`Reading`].
//!
//! Shape (from GLAIR's published reference): `{"status", "reason", "read": {<field>: {value,
//! value_original, confidence, confidence_text, polygon, page_index}, "photo": {value,
//! confidence, polygon, page_index}, "sign": {...}}}`. Every GLAIR field is always present; a
//! field the document lacks is `""` with confidence 0 and an empty polygon, as in GLAIR's sample.
//! A page that is not a permit is still a `SUCCESS` (HTTP 200), with every field empty and the
//! reason "File successfully read. Some fields are invalid.".
//!
//! Where the reference disagrees with itself, the documented responses win over the sample:
//! the sample's reason reads "File Successfully Read" and leaves `page_index` out of the two
//! issue fields, while the response list gives "File successfully read." and every other field
//! carries `page_index`.

use serde_json::{Map, Value, json};

use super::{confidence, polygon};
use crate::kitas::{Crop, Field, FieldName, Reading};

/// The reason of a permit read.
pub const READ: &str = "File successfully read.";
/// The reason of a page that is not a KITAS/KITAP.
pub const NOT_A_PERMIT: &str = "File successfully read. Some fields are invalid.";

/// The HTTP 200 body for a reading.
pub fn response(reading: &Reading) -> Value {
    let mut read = Map::new();
    for name in FieldName::ALL.into_iter().filter(|f| f.is_glair()) {
        read.insert(name.as_str().to_string(), field(reading.field(name)));
    }
    read.insert("photo".to_string(), crop(reading.photo.as_ref()));
    read.insert("sign".to_string(), crop(reading.sign.as_ref()));
    let reason = if reading.is_permit {
        READ
    } else {
        NOT_A_PERMIT
    };
    json!({ "status": "SUCCESS", "reason": reason, "read": read })
}

fn field(f: &Field) -> Value {
    json!({
        "value": f.value,
        "value_original": f.value_original,
        "confidence": confidence(f.confidence),
        "confidence_text": confidence(f.confidence_text),
        "polygon": polygon(&f.polygon),
        "page_index": f.page_index,
    })
}

/// A crop carries the base64 PNG as its value and no text fields; a missing one is an empty
/// field, as the sample's `sign`.
fn crop(c: Option<&Crop>) -> Value {
    match c {
        Some(c) => json!({
            "value": c.png_base64,
            "confidence": confidence(c.confidence),
            "polygon": polygon(&c.polygon),
            "page_index": c.page_index,
        }),
        None => field(&Field::empty()),
    }
}

/// The HTTP status and body for a failed request: `NO_FILE` (400), `FILE_INVALID_FORMAT`
/// (415), or anything else as `FAILED` (500, with a reason that reveals nothing internal).
pub fn error(status: &str) -> (u16, Value) {
    let (code, status, reason) = match status {
        "NO_FILE" => (400, "NO_FILE", "No file in request body"),
        "FILE_INVALID_FORMAT" => (
            415,
            "FILE_INVALID_FORMAT",
            "Failed to process invalid file format. Please upload the correct file format",
        ),
        _ => (
            500,
            "FAILED",
            "Failed to process the file. Please try again",
        ),
    };
    (code, json!({ "status": status, "reason": reason }))
}

/// HTTP 413 for a file over the size limit. GLAIR documents only a 10 MB limit, not its answer;
/// the status keeps to GLAIR's enum (the client must send another file), the reason says why.
pub fn too_large(max_bytes: usize) -> (u16, Value) {
    (
        413,
        json!({
            "status": "FILE_INVALID_FORMAT",
            "reason": format!(
                "File size exceeds the maximum of {} MB. Please upload a smaller file",
                max_bytes / (1024 * 1024)
            ),
        }),
    )
}

/// HTTP 503 while the reader's queue is full (sent with `Retry-After`).
pub fn busy() -> (u16, Value) {
    (
        503,
        json!({ "status": "FAILED", "reason": "The reader is busy. Please try again shortly" }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kitas::DocumentKind;

    /// GLAIR's sample response, copied from its reference.
    const SAMPLE: &str = r#"{
  "status": "SUCCESS",
  "reason": "File Successfully Read",
  "read": {
    "office_region": {"value": "KANTOR WILAYAH BANGKA BELITUNG", "value_original": "KANTOR WILAYAH BANGKA BELITUNG", "confidence": 0.9188, "confidence_text": 0.9964, "polygon": [[275, 120], [659, 120], [659, 140], [275, 140]], "page_index": 0},
    "office_name": {"value": "KANIM KELAS I TPI PANGKAL PINANG", "value_original": "KANIM KELAS I TPI PANGKAL PINANG", "confidence": 0.9212, "confidence_text": 0.9773, "polygon": [[270, 139], [659, 139], [659, 158], [270, 158]], "page_index": 0},
    "office_address": {"value": "JL. JEND. SUDIRMAN KM. 3 SELINDUNG BARU", "value_original": "JL. JEND. SUDIRMAN KM. 3 SELINDUNG BARU", "confidence": 0.942, "confidence_text": 0.9973, "polygon": [[245, 178], [245, 157], [681, 157], [681, 178]], "page_index": 0},
    "document_type": {"value": "IZIN TINGGAL TERBATAS ELEKTRONIK", "value_original": "IZIN TINGGAL TERBATAS ELEKTRONIK", "confidence": 0.9288, "confidence_text": 0.9871, "polygon": [[241, 222], [671, 222], [671, 246], [241, 246]], "page_index": 0},
    "photo": {"value": "iVBO...", "confidence": 0.9745, "polygon": [[93, 280], [219, 280], [219, 440], [93, 440]], "page_index": 0},
    "permit_number": {"value": "2C21HB0016AT", "value_original": "2C21HB0016AT", "confidence": 0.8927, "confidence_text": 0.9995, "polygon": [[538, 361], [538, 342], [660, 342], [660, 361]], "page_index": 0},
    "stay_permit_index": {"value": "VIB", "value_original": "VI B", "confidence": 0.8674, "confidence_text": 0.9285, "polygon": [[540, 406], [580, 406], [580, 424], [540, 424]], "page_index": 0},
    "stay_multiple_entries_permit_expiry": {"value": "11-07-2020", "value_original": "11-07-2020", "confidence": 0.8938, "confidence_text": 1.0, "polygon": [[541, 376], [625, 376], [625, 394], [541, 394]], "page_index": 0},
    "niora": {"value": "3ATAA20536", "value_original": "3ATAA20536", "confidence": 0.8801, "confidence_text": 0.9997, "polygon": [[541, 312], [643, 312], [643, 327], [541, 327]], "page_index": 0},
    "full_name": {"value": "YOUXING CHEN", "value_original": "YOUXING CHEN", "confidence": 0.9087, "confidence_text": 0.9998, "polygon": [[277, 501], [422, 501], [422, 522], [277, 522]], "page_index": 0},
    "place_of_birth": {"value": "FUJIAN", "value_original": "FUJIAN", "confidence": 0.9102, "confidence_text": 0.9999, "polygon": [[276, 527], [345, 527], [345, 548], [276, 548]], "page_index": 0},
    "date_of_birth": {"value": "20-01-1979", "value_original": "20-01-1979", "confidence": 0.9141, "confidence_text": 0.9544, "polygon": [[354, 527], [445, 527], [445, 548], [354, 548]], "page_index": 0},
    "passport_number": {"value": "G59337358", "value_original": "G59337358", "confidence": 0.9224, "confidence_text": 0.9992, "polygon": [[277, 559], [370, 559], [370, 574], [277, 574]], "page_index": 0},
    "passport_expiry": {"value": "07-03-2022", "value_original": "07-03-2022", "confidence": 0.8963, "confidence_text": 1.0, "polygon": [[276, 580], [369, 580], [369, 596], [276, 596]], "page_index": 0},
    "nationality": {"value": "CHINA", "value_original": "CHINA", "confidence": 0.8254, "confidence_text": 0.9987, "polygon": [[276, 605], [341, 605], [341, 626], [276, 626]], "page_index": 0},
    "gender": {"value": "M", "value_original": "MALE", "confidence": 0.9245, "confidence_text": 1.0, "polygon": [[275, 632], [337, 632], [337, 652], [275, 652]], "page_index": 0},
    "address": {"value": "JL. RAYA SUNGAILIAT PANGKALPINANG KM.10 MERAWANG BANGKA", "value_original": "JL. RAYA SUNGAILIAT PANGKALPINANG KM.10 MERAWANG BANGKA", "confidence": 0.88, "confidence_text": 0.9926, "polygon": [[275, 656], [848, 656], [848, 694], [275, 694]], "page_index": 0},
    "occupation": {"value": "ELECTRONIC TINING", "value_original": "ELECTRONIC TINING", "confidence": 0.9292, "confidence_text": 0.9714, "polygon": [[275, 712], [275, 691], [464, 691], [464, 712]], "page_index": 0},
    "status": {"value": "TKA BID. PERINDUSTRIAN", "value_original": "TKA BID. PERINDUSTRIAN", "confidence": 0.8924, "confidence_text": 0.9996, "polygon": [[276, 719], [512, 719], [512, 738], [276, 738]], "page_index": 0},
    "issued_date": {"value": "16-07-2019", "value_original": "Pangkalpinang, 16-07-2019", "confidence": 0.8738, "confidence_text": 0.9922, "polygon": [[668, 958], [850, 958], [850, 978], [668, 978]]},
    "issued_place": {"value": "Pangkalpinang", "value_original": "Pangkalpinang, 16-07-2019", "confidence": 0.8738, "confidence_text": 0.9922, "polygon": [[668, 958], [850, 958], [850, 978], [668, 978]]},
    "stay_entries_permit_expiry": {"value": "", "value_original": "", "confidence": 0.0, "confidence_text": 0.0, "polygon": [], "page_index": 0},
    "guarantor_name": {"value": "", "value_original": "", "confidence": 0.0, "confidence_text": 0.0, "polygon": [], "page_index": 0},
    "sign": {"value": "", "value_original": "", "confidence": 0.0, "confidence_text": 0.0, "polygon": [], "page_index": 0}
  }
}"#;

    fn sample() -> Value {
        serde_json::from_str(SAMPLE).expect("the sample is JSON")
    }

    fn f32_of(v: &Value) -> f32 {
        v.as_f64().expect("a number") as f32
    }

    fn polygon_of(v: &Value) -> Vec<[f32; 2]> {
        v.as_array()
            .expect("an array")
            .iter()
            .map(|p| [f32_of(&p[0]), f32_of(&p[1])])
            .collect()
    }

    /// The reading the sample reports, field by field.
    fn sample_reading() -> Reading {
        let s = sample();
        let read = &s["read"];
        let mut r = Reading::not_a_permit();
        r.is_permit = true;
        r.kind = DocumentKind::Kitas;
        for name in FieldName::ALL.into_iter().filter(|f| f.is_glair()) {
            let f = &read[name.as_str()];
            let field = Field {
                value: f["value"].as_str().expect("value").to_string(),
                value_original: f["value_original"].as_str().expect("original").to_string(),
                confidence: f32_of(&f["confidence"]),
                confidence_text: f32_of(&f["confidence_text"]),
                polygon: polygon_of(&f["polygon"]),
                page_index: 0,
            };
            r.fields.insert(name, field);
        }
        let photo = &read["photo"];
        r.photo = Some(Crop {
            png_base64: photo["value"].as_str().expect("base64").to_string(),
            confidence: f32_of(&photo["confidence"]),
            polygon: polygon_of(&photo["polygon"]),
            page_index: 0,
        });
        r
    }

    #[test]
    fn the_sample_reading_gives_the_sample_response() {
        let mut want = sample();
        // The two corrections the module docs explain: the documented reason, and page_index on
        // every field.
        want["reason"] = json!(READ);
        for key in ["issued_date", "issued_place"] {
            want["read"][key]["page_index"] = json!(0);
        }
        assert_eq!(response(&sample_reading()), want);
    }

    #[test]
    fn every_field_is_present_and_the_read_holds_nothing_else() {
        let got = response(&sample_reading());
        let read = got["read"].as_object().expect("an object");
        assert_eq!(read.len(), 24);
        assert!(!read.contains_key("permit_expiry"));
        for name in FieldName::ALL.into_iter().filter(|f| f.is_glair()) {
            assert!(read.contains_key(name.as_str()), "{}", name.as_str());
        }
    }

    #[test]
    fn a_non_permit_is_a_success_with_every_field_empty() {
        let got = response(&Reading::not_a_permit());
        assert_eq!(got["status"], "SUCCESS");
        assert_eq!(got["reason"], NOT_A_PERMIT);
        let empty = json!({
            "value": "", "value_original": "", "confidence": 0.0, "confidence_text": 0.0,
            "polygon": [], "page_index": 0
        });
        for (key, v) in got["read"].as_object().expect("an object") {
            assert_eq!(*v, empty, "{key}");
        }
    }

    #[test]
    fn errors_carry_the_documented_codes_and_reasons() {
        assert_eq!(
            error("NO_FILE"),
            (
                400,
                json!({"status": "NO_FILE", "reason": "No file in request body"})
            )
        );
        let (code, body) = error("FILE_INVALID_FORMAT");
        assert_eq!(code, 415);
        assert_eq!(
            body["reason"],
            "Failed to process invalid file format. Please upload the correct file format"
        );
        assert_eq!(too_large(10 * 1024 * 1024).0, 413);
        assert_eq!(
            too_large(10 * 1024 * 1024).1["status"],
            "FILE_INVALID_FORMAT"
        );
        assert_eq!(busy().0, 503);
        for status in ["FAILED", "anything else"] {
            let (code, body) = error(status);
            assert_eq!((code, &body["status"]), (500, &json!("FAILED")));
        }
    }
}
