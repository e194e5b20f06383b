//! The one error type of the generator.

use std::path::PathBuf;

/// Why an image could not be generated.
#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    /// A font file is not installed; the message says which Debian package provides it.
    #[error(
        "font file {path} from package {package} cannot be read ({source}); \
         install the fonts with `apt-get install fonts-liberation fonts-dejavu-core fonts-dejavu-extra`"
    )]
    FontMissing {
        path: PathBuf,
        package: &'static str,
        source: std::io::Error,
    },
    /// A font file exists but is not a usable TrueType font.
    #[error(
        "font file {path} is not a valid TrueType font; reinstall it with `apt-get install --reinstall {package}`"
    )]
    FontInvalid {
        path: PathBuf,
        package: &'static str,
    },
    /// Parameters that cannot describe an image (zero sizes, a degenerate page placement, ...).
    #[error("invalid generator parameters: {0}")]
    InvalidParams(String),
    /// Encoding or decoding an image failed (the JPEG round trip of the camera).
    #[error("image codec error: {0}")]
    Image(#[from] image::ImageError),
    /// Writing a generated file failed.
    #[error("cannot write generated file: {0}")]
    Io(#[from] std::io::Error),
    /// Serialising a sample's truth failed.
    #[error("cannot serialise truth: {0}")]
    Json(#[from] serde_json::Error),
}
