//! Shared by the integration tests: the real models, fetched by `models/fetch` (`make test` runs it).

use std::path::PathBuf;
use std::process::{Command, Output};

use kitascan::ocr::{Engine, EngineParams, ModelPaths};

pub fn models_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models")
}

/// The engine on the real PP-OCRv4 models; panics with the fix when they are missing.
#[allow(dead_code)] // Each test binary compiles this module; not all of them load the engine.
pub fn engine() -> Engine {
    let paths = ModelPaths::in_dir(&models_dir());
    assert!(
        paths.det.is_file(),
        "model files missing in {}: run models/fetch",
        models_dir().display()
    );
    Engine::load(&paths, EngineParams::default()).expect("the models load")
}

/// Runs the `kitascan` binary with the test models.
#[allow(dead_code)] // Not every test binary runs the command.
pub fn kitascan(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kitascan"))
        .args(args)
        .env("KITASCAN_MODELS", models_dir())
        .output()
        .expect("the binary runs")
}
