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
//! - [`capture`]: frame sources for the kiosk daemon (a V4L2 camera, or a replayed folder).
//! - [`gate`]: presence, stability, focus and glare: which frame to read, once per placement.
//! - [`led`]: the status LED (GPIO, log or none) and the one table of its patterns.
//! - [`daemon`]: the kiosk's loop tying capture, gate, reader, store and LED together.
//! - [`clock`]: real or simulated time for the daemon.
//! - [`fleet`]: the outbox delivered to a back office over MQTT or a signed webhook.

pub mod api;
pub mod capture;
pub mod clock;
pub mod config;
pub mod daemon;
pub mod fleet;
pub mod gate;
pub mod geometry;
pub mod input;
pub mod kitas;
pub mod led;
pub mod ocr;
pub mod store;
pub mod synth;
pub mod wire;
