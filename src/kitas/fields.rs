//! The reader's result: one [`Field`] per permit field, the photo and signature crops, and
//! whether the page is a KITAS/KITAP at all.
//!
//! Invariants:
//! - A [`Reading`] holds every [`FieldName`], always: a field the document does not show (or
//!   that belongs to a document that is not a permit) is [`Field::empty`], never guessed.
//! - `value` is normalised (dates `dd-mm-yyyy`, gender `M`/`F`, codes without inner spaces);
//!   `value_original` is the text as read from the page, without its label.
//! - Confidences are 0..1; polygons are four corners in the input page's pixels, clockwise from
//!   the top-left, or empty.
//!
//! The wire formats ([`crate::wire`]) are pure mappings of this type.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One read field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Field {
    /// The normalised value.
    pub value: String,
    /// The text as read, without the label.
    pub value_original: String,
    /// How sure the reader is of the whole field: text confidence times label and shape
    /// agreement (see [`crate::kitas::extract`]).
    pub confidence: f32,
    /// The recogniser's confidence in the value's characters.
    pub confidence_text: f32,
    /// Four corners in input-image pixels, or empty.
    pub polygon: Vec<[f32; 2]>,
    /// The page the field was read from, 0-based.
    pub page_index: usize,
}

/// The empty field, as a static so that [`Reading::field`] can lend it for any name.
static EMPTY: Field = Field::empty();

impl Field {
    /// A field the document lacks: empty value, zero confidence, no polygon.
    pub const fn empty() -> Field {
        Field {
            value: String::new(),
            value_original: String::new(),
            confidence: 0.0,
            confidence_text: 0.0,
            polygon: Vec::new(),
            page_index: 0,
        }
    }

    /// Whether nothing was read.
    pub fn is_empty(&self) -> bool {
        self.value.is_empty()
    }
}

impl Default for Field {
    fn default() -> Self {
        Field::empty()
    }
}

/// Every field the reader returns: GLAIR's fields plus Verihubs' permit expiry.
///
/// The declaration order is the order of GLAIR's sample response, so a [`BTreeMap`] keyed by
/// this type iterates in that order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldName {
    OfficeRegion,
    OfficeName,
    OfficeAddress,
    DocumentType,
    PermitNumber,
    StayPermitIndex,
    StayMultipleEntriesPermitExpiry,
    Niora,
    FullName,
    PlaceOfBirth,
    DateOfBirth,
    PassportNumber,
    PassportExpiry,
    Nationality,
    Gender,
    Address,
    Occupation,
    Status,
    IssuedDate,
    IssuedPlace,
    StayEntriesPermitExpiry,
    GuarantorName,
    /// The permit's own expiry (`Berlaku s/d`, `Valid Until`): Verihubs' `permit_expiry_date`.
    /// GLAIR has no such field.
    PermitExpiry,
}

impl FieldName {
    /// Every name, in declaration order.
    pub const ALL: [FieldName; 23] = [
        FieldName::OfficeRegion,
        FieldName::OfficeName,
        FieldName::OfficeAddress,
        FieldName::DocumentType,
        FieldName::PermitNumber,
        FieldName::StayPermitIndex,
        FieldName::StayMultipleEntriesPermitExpiry,
        FieldName::Niora,
        FieldName::FullName,
        FieldName::PlaceOfBirth,
        FieldName::DateOfBirth,
        FieldName::PassportNumber,
        FieldName::PassportExpiry,
        FieldName::Nationality,
        FieldName::Gender,
        FieldName::Address,
        FieldName::Occupation,
        FieldName::Status,
        FieldName::IssuedDate,
        FieldName::IssuedPlace,
        FieldName::StayEntriesPermitExpiry,
        FieldName::GuarantorName,
        FieldName::PermitExpiry,
    ];

    /// GLAIR's key for the field (`permit_expiry` for the one GLAIR lacks).
    pub fn as_str(self) -> &'static str {
        match self {
            FieldName::OfficeRegion => "office_region",
            FieldName::OfficeName => "office_name",
            FieldName::OfficeAddress => "office_address",
            FieldName::DocumentType => "document_type",
            FieldName::PermitNumber => "permit_number",
            FieldName::StayPermitIndex => "stay_permit_index",
            FieldName::StayMultipleEntriesPermitExpiry => "stay_multiple_entries_permit_expiry",
            FieldName::Niora => "niora",
            FieldName::FullName => "full_name",
            FieldName::PlaceOfBirth => "place_of_birth",
            FieldName::DateOfBirth => "date_of_birth",
            FieldName::PassportNumber => "passport_number",
            FieldName::PassportExpiry => "passport_expiry",
            FieldName::Nationality => "nationality",
            FieldName::Gender => "gender",
            FieldName::Address => "address",
            FieldName::Occupation => "occupation",
            FieldName::Status => "status",
            FieldName::IssuedDate => "issued_date",
            FieldName::IssuedPlace => "issued_place",
            FieldName::StayEntriesPermitExpiry => "stay_entries_permit_expiry",
            FieldName::GuarantorName => "guarantor_name",
            FieldName::PermitExpiry => "permit_expiry",
        }
    }

    /// The name for a key as [`FieldName::as_str`] spells it.
    pub fn from_key(key: &str) -> Option<FieldName> {
        FieldName::ALL.into_iter().find(|f| f.as_str() == key)
    }

    /// Whether GLAIR's response carries the field.
    pub fn is_glair(self) -> bool {
        self != FieldName::PermitExpiry
    }

    /// Whether the value is a date (`dd-mm-yyyy`).
    pub fn is_date(self) -> bool {
        matches!(
            self,
            FieldName::StayMultipleEntriesPermitExpiry
                | FieldName::StayEntriesPermitExpiry
                | FieldName::DateOfBirth
                | FieldName::PassportExpiry
                | FieldName::IssuedDate
                | FieldName::PermitExpiry
        )
    }
}

/// An image region cut from the page: the holder's photo or the signature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Crop {
    /// The region as a PNG, base64-encoded (standard alphabet, padded): both wire formats carry
    /// it so, and holding it encoded keeps the mapping to them pure.
    pub png_base64: String,
    /// How sure the reader is that the region is what it claims, 0..1.
    pub confidence: f32,
    /// Four corners in input-image pixels, clockwise from the top-left.
    pub polygon: Vec<[f32; 2]>,
    pub page_index: usize,
}

/// Which permit the page is, as its title says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DocumentKind {
    /// Limited stay permit (`IZIN TINGGAL TERBATAS`).
    Kitas,
    /// Permanent stay permit (`IZIN TINGGAL TETAP`).
    Kitap,
    /// No title was read (or the page is not a permit).
    #[default]
    Unknown,
}

/// Everything read from one page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reading {
    /// Every [`FieldName`], empty where the document shows nothing.
    pub fields: BTreeMap<FieldName, Field>,
    pub photo: Option<Crop>,
    pub sign: Option<Crop>,
    /// Whether the page is a KITAS/KITAP; when false every field is empty.
    pub is_permit: bool,
    pub kind: DocumentKind,
    /// Each found field's corners on the straightened, upright page the reader returns with
    /// the reading (`fields` hold them in the input image's pixels): what the operator console
    /// draws over the stored page image. Empty until [`crate::kitas::read`] fills it.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub page_polygons: BTreeMap<FieldName, Vec<[f32; 2]>>,
}

impl Reading {
    /// A reading of a page that is not a permit: every field empty, no crops.
    pub fn not_a_permit() -> Reading {
        Reading {
            fields: FieldName::ALL
                .into_iter()
                .map(|f| (f, Field::empty()))
                .collect(),
            photo: None,
            sign: None,
            is_permit: false,
            kind: DocumentKind::Unknown,
            page_polygons: BTreeMap::new(),
        }
    }

    /// The field called `name` (empty if it was never set).
    pub fn field(&self, name: FieldName) -> &Field {
        self.fields.get(&name).unwrap_or(&EMPTY)
    }

    /// The normalised value of `name`.
    pub fn value(&self, name: FieldName) -> &str {
        &self.field(name).value
    }
}

impl Default for Reading {
    fn default() -> Self {
        Reading::not_a_permit()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_their_keys_and_serde() {
        for name in FieldName::ALL {
            assert_eq!(FieldName::from_key(name.as_str()), Some(name));
            let json = serde_json::to_value(name).expect("serialises");
            assert_eq!(json, name.as_str());
        }
        assert_eq!(FieldName::ALL.iter().filter(|f| f.is_glair()).count(), 22);
        assert_eq!(FieldName::from_key("photo"), None);
    }

    #[test]
    fn a_fresh_reading_holds_every_field_empty() {
        let r = Reading::not_a_permit();
        assert_eq!(r.fields.len(), FieldName::ALL.len());
        assert!(r.fields.values().all(|f| *f == Field::empty()));
        assert!(!r.is_permit);
        assert_eq!(r.kind, DocumentKind::Unknown);
    }

    #[test]
    fn a_reading_survives_json() {
        let mut r = Reading::not_a_permit();
        r.is_permit = true;
        r.kind = DocumentKind::Kitap;
        r.fields.insert(
            FieldName::FullName,
            Field {
                value: "YOUXING CHEN".into(),
                value_original: "YOUXING CHEN".into(),
                confidence: 0.9,
                confidence_text: 0.99,
                polygon: vec![[1.0, 2.0], [3.0, 2.0], [3.0, 4.0], [1.0, 4.0]],
                page_index: 0,
            },
        );
        let json = serde_json::to_value(&r).expect("serialises");
        assert_eq!(json["fields"]["full_name"]["value"], "YOUXING CHEN");
        assert_eq!(json["kind"], "kitap");
        let back: Reading = serde_json::from_value(json).expect("deserialises");
        assert_eq!(back, r);
        assert_eq!(back.value(FieldName::FullName), "YOUXING CHEN");
    }
}
