//! `kitascan bench ...`: timing of the engine's stages on generated documents.

use anyhow::Result;
use clap::Subcommand;

use kitascan::ocr::Engine;

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Time detection and recognition per image and per line on generated pages.
    Ocr,
}

pub fn run(_engine: &Engine, _what: BenchCommand) -> Result<()> {
    anyhow::bail!("not yet")
}
