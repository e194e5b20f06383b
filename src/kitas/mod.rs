//! The permit reader: from a page image and its OCR lines to the fields of a KITAS/KITAP.
//!
//! Stages, each with typed hand-offs:
//!
//! 1. [`locate`]: find the document in a camera frame and straighten it to an upright page
//!    (scans and PDFs are the page already).
//! 2. [`extract`](mod@extract): read fields from the page's [`crate::ocr::TextLine`]s by
//!    their printed labels and by the shape of their values, decide whether the page is a
//!    permit at all, and cut out the photo and signature.
//! 3. [`normalize`]: the value rules `extract` applies (dates, gender, codes), as pure
//!    functions.
//!
//! [`vocabulary`] puts back spaces in words printed from a fixed list; `keywords` knows a label
//! the lexicon does not list by the words it is made of.
//!
//! [`read`] chains them for one page image.
//!
//! The result is a [`Reading`]: every field, empty where the document shows nothing. The wire
//! formats in [`crate::wire`] map it to the GLAIR and Verihubs responses.

mod crops;
mod direction;
pub mod extract;
pub mod fields;
mod glyphs;
mod keywords;
mod labels;
pub mod locate;
pub mod normalize;
mod page;
pub mod read;
mod vocabulary;

pub use crops::CropParams;
pub use extract::{ExtractParams, extract, extract_with};
pub use fields::{Crop, DocumentKind, Field, FieldName, Reading};
