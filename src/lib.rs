//! kitascan: an on-device reader for Indonesian residence permits (KITAS/KITAP).
//!
//! The library is organised after the pipeline's stages; the binary (`src/main.rs`) is a thin CLI
//! that finds model files and wires the stages together.
//!
//! - [`input`]: decode uploaded or captured files (JPEG, PNG, PDF) into page images, with limits.
//! - [`ocr`]: the PP-OCR engine (detect, classify, recognize) on tract.
//! - [`synth`]: the project's own generator of test images (rendered text, fake documents).

pub mod geometry;
pub mod input;
pub mod ocr;
pub mod synth;
