//! kitascan: an on-device reader for Indonesian residence permits (KITAS/KITAP).
//!
//! The library is organised after the pipeline's stages; the binary (`src/main.rs`) is a thin CLI
//! that finds model files and wires the stages together.
//!
//! - [`input`]: decode uploaded or captured files (JPEG, PNG, PDF) into page images, with limits.
//! - [`ocr`]: the PP-OCR engine (detect, classify, recognize) on tract.
//! - [`kitas`]: the permit reader: locate the document, extract its fields, normalise values.
//! - [`wire`]: the GLAIR and Verihubs response shapes, as pure mappings of a [`kitas::Reading`].
//! - [`config`]: the configuration of `kitascan run` (TOML, sections, validated).
//! - [`store`]: the results store (SQLite); the only module that touches SQL.
//! - [`api`]: the LAN API and kiosk page served by `kitascan run` (axum).
//! - [`synth`]: the project's own generator of test images (rendered text, fake documents).

pub mod api;
pub mod config;
pub mod geometry;
pub mod input;
pub mod kitas;
pub mod ocr;
pub mod store;
pub mod synth;
pub mod wire;
