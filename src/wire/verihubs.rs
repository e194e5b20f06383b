//! Verihubs' "OCR KITAS" response, as a pure mapping of a [`Reading`].
//!
//! Shape (from Verihubs' published reference): `{"message": "Success Extract Data", "data":
//! {"id", "reference_id", "result_data": {17 strings}}}`. The 17 keys are flat strings: `sex`
//! as `MALE`/`FEMALE`, every date `dd-mm-yyyy`, `""` for what the document lacks (and for every
//! key when the page is not a permit).
//!
//! Errors: `OCR_40001` (HTTP 422; the sample shows 400, the code table 422, and 422 is what the
//! table's description of the cases says), `OCR_50000` (500), and 401 without an error code.
//! The quota error `OCR_40004` has no meaning on a kiosk and is not produced.

use serde_json::{Value, json};

use crate::kitas::{FieldName, Reading};

/// The 200 body's message.
pub const SUCCESS: &str = "Success Extract Data";

/// The 17 flat fields of `data.result_data`.
pub fn result_data(reading: &Reading) -> Value {
    let v = |name| reading.value(name);
    json!({
        "address": v(FieldName::Address),
        "date_of_birth": v(FieldName::DateOfBirth),
        "full_name": v(FieldName::FullName),
        "guarantor": v(FieldName::GuarantorName),
        "nationality": v(FieldName::Nationality),
        "niora": v(FieldName::Niora),
        "occupation": v(FieldName::Occupation),
        "passport_expiry_date": v(FieldName::PassportExpiry),
        "passport_number": v(FieldName::PassportNumber),
        "permit_expiry_date": v(FieldName::PermitExpiry),
        "permit_index": v(FieldName::StayPermitIndex),
        "permit_issue_date": v(FieldName::IssuedDate),
        "permit_issue_location": v(FieldName::IssuedPlace),
        "permit_number": v(FieldName::PermitNumber),
        "place_of_birth": v(FieldName::PlaceOfBirth),
        "sex": sex(v(FieldName::Gender)),
        "status": v(FieldName::Status),
    })
}

/// `M`/`F` spelled out; anything else (nothing read) stays empty.
fn sex(code: &str) -> &'static str {
    match code {
        "M" => "MALE",
        "F" => "FEMALE",
        _ => "",
    }
}

/// The HTTP 200 body: `id` names this extraction, `reference_id` the request it answers.
pub fn success(id: &str, reference_id: &str, reading: &Reading) -> Value {
    json!({
        "message": SUCCESS,
        "data": {
            "id": id,
            "reference_id": reference_id,
            "result_data": result_data(reading),
        }
    })
}

/// The documented error codes the kiosk can produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// `OCR_40001`: no image, an image of the wrong type, or one too large.
    InvalidPayload,
    /// `OCR_50000`: anything that went wrong inside.
    Internal,
}

/// The HTTP status and body of an error.
pub fn error(code: ErrorCode) -> (u16, Value) {
    match code {
        ErrorCode::InvalidPayload => (
            422,
            json!({
                "message": "There's a problem with your JSON payload",
                "error_code": "OCR_40001",
            }),
        ),
        ErrorCode::Internal => (
            500,
            json!({ "message": "Internal server error", "error_code": "OCR_50000" }),
        ),
    }
}

/// [`error`] for `OCR_40001`: the request carried no usable image.
pub fn bad_payload() -> (u16, Value) {
    error(ErrorCode::InvalidPayload)
}

/// [`error`] for `OCR_50000`: something failed inside.
pub fn internal_error() -> (u16, Value) {
    error(ErrorCode::Internal)
}

/// HTTP 503 while the reader's queue is full (sent with `Retry-After`): Verihubs documents no
/// such answer, so it carries the internal-error code, which clients already retry.
pub fn busy() -> (u16, Value) {
    (
        503,
        json!({ "message": "Service busy, please retry", "error_code": "OCR_50000" }),
    )
}

/// The HTTP status and body for a request with a wrong `App-ID` / `API-Key`.
pub fn unauthorized() -> (u16, Value) {
    (401, json!({ "message": "Authorization failed" }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kitas::{DocumentKind, Field};

    /// Verihubs' sample response, copied from its reference.
    const SAMPLE: &str = r#"{
        "message": "Success Extract Data",
        "data": {
            "id": "ce9d5e71-22b9-4243-ad19-24d9de17a12a",
            "reference_id": "a2bb082f-8b3c-4673-ab90-a2762c7437bb",
            "result_data": {
                "address": "JL. LIMAU BLOK.A NO.2, BEKASI, JAWA BARAT",
                "date_of_birth": "05-05-1990",
                "full_name": "JOHN DOE",
                "guarantor": "LINDA DOE",
                "nationality": "AUSTRALIA",
                "niora": "A1U1RACO10950",
                "occupation": "MAHASISWA",
                "passport_expiry_date": "10-10-2027",
                "passport_number": "AU1095500",
                "permit_expiry_date": "15-05-2026",
                "permit_index": "IC",
                "permit_issue_date": "15-05-2025",
                "permit_issue_location": "Bekasi",
                "permit_number": "2C25AU1440-A",
                "place_of_birth": "MELBOURNE",
                "sex": "MALE",
                "status": "STUDENT"
            }
        }
    }"#;

    fn reading(values: &[(FieldName, &str)]) -> Reading {
        let mut r = Reading::not_a_permit();
        r.is_permit = true;
        r.kind = DocumentKind::Kitas;
        for (name, value) in values {
            let field = Field {
                value: value.to_string(),
                value_original: value.to_string(),
                confidence: 0.9,
                confidence_text: 0.95,
                polygon: vec![[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]],
                page_index: 0,
            };
            r.fields.insert(*name, field);
        }
        r
    }

    #[test]
    fn the_sample_reading_gives_the_sample_response() {
        use FieldName as F;
        let r = reading(&[
            (F::Address, "JL. LIMAU BLOK.A NO.2, BEKASI, JAWA BARAT"),
            (F::DateOfBirth, "05-05-1990"),
            (F::FullName, "JOHN DOE"),
            (F::GuarantorName, "LINDA DOE"),
            (F::Nationality, "AUSTRALIA"),
            (F::Niora, "A1U1RACO10950"),
            (F::Occupation, "MAHASISWA"),
            (F::PassportExpiry, "10-10-2027"),
            (F::PassportNumber, "AU1095500"),
            (F::PermitExpiry, "15-05-2026"),
            (F::StayPermitIndex, "IC"),
            (F::IssuedDate, "15-05-2025"),
            (F::IssuedPlace, "Bekasi"),
            (F::PermitNumber, "2C25AU1440-A"),
            (F::PlaceOfBirth, "MELBOURNE"),
            (F::Gender, "M"),
            (F::Status, "STUDENT"),
            // GLAIR-only fields must not leak into the flat result.
            (F::OfficeName, "KANIM KELAS I NON TPI BEKASI"),
            (F::StayMultipleEntriesPermitExpiry, "15-05-2026"),
        ]);
        let want: Value = serde_json::from_str(SAMPLE).expect("the sample is JSON");
        let got = success(
            "ce9d5e71-22b9-4243-ad19-24d9de17a12a",
            "a2bb082f-8b3c-4673-ab90-a2762c7437bb",
            &r,
        );
        assert_eq!(got, want);
    }

    #[test]
    fn a_non_permit_gives_17_empty_strings() {
        let data = result_data(&Reading::not_a_permit());
        let map = data.as_object().expect("an object");
        assert_eq!(map.len(), 17);
        assert!(map.values().all(|v| v == ""));
        let female = result_data(&reading(&[(FieldName::Gender, "F")]));
        assert_eq!(female["sex"], "FEMALE");
    }

    #[test]
    fn errors_carry_the_documented_codes() {
        let (code, body) = error(ErrorCode::InvalidPayload);
        assert_eq!(code, 422);
        assert_eq!(
            body,
            json!({"message": "There's a problem with your JSON payload", "error_code": "OCR_40001"})
        );
        assert_eq!(bad_payload(), error(ErrorCode::InvalidPayload));
        let (code, body) = internal_error();
        assert_eq!((code, &body["error_code"]), (500, &json!("OCR_50000")));
        assert_eq!(
            unauthorized(),
            (401, json!({"message": "Authorization failed"}))
        );
    }
}
