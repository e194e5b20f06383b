//! Turns an uploaded or captured file into page images for the OCR engine.
//!
//! Accepted formats are JPEG, PNG and PDF, recognised by their magic bytes and never by the
//! file name, because kiosk uploads arrive with arbitrary or missing extensions.
//!
//! Invariants:
//! - No input panics the process: errors come back as [`InputError`], and the PDF renderer
//!   (the least battle-tested dependency) runs behind `catch_unwind`.
//! - Memory is bounded before it is spent: the byte size is checked before reading a file, and a
//!   raster image's pixel count is checked from its header before its pixels are decoded.
//! - Every returned [`Page`] is at most [`Limits::max_pixels`] pixels, upright (EXIF
//!   orientation applied) and opaque (PDF transparency composited over white).
//! - At most [`Limits::max_pages`] pages are returned, in document order.

mod pdf;
mod raster;

use std::fs::File;
use std::io::Read;
use std::path::Path;

/// Bounds on what one uploaded file may cost to decode.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// Largest page image, in pixels (width times height).
    pub max_pixels: u64,
    /// Number of leading PDF pages rendered; later pages are ignored.
    pub max_pages: usize,
    /// Resolution PDF pages are rendered at, in dots per inch.
    pub pdf_dpi: f32,
    /// Largest accepted file, in bytes.
    pub max_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            // A 48 MP phone photo is about 8000x6000; 40 MP keeps a typical 12-24 MP photo whole
            // while bounding one RGB page to about 120 MB.
            max_pixels: 40_000_000,
            // A permit scan has one or two sides; a little slack covers a cover sheet, and the
            // cap keeps a 500-page PDF from tying up the kiosk.
            max_pages: 4,
            // 200 dpi makes the smallest print on an ID card (about 6 pt) some 17 px tall,
            // enough for the recogniser, at a quarter of the cost of 400 dpi.
            pdf_dpi: 200.0,
            // Phone photos and single-document PDFs are a few MB; anything far larger is not a
            // permit, and refusing it early bounds memory.
            max_bytes: 10 * 1024 * 1024,
        }
    }
}

/// A file format this module can decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Png,
    Pdf,
}

/// One page of the input, ready for OCR.
#[derive(Debug, Clone)]
pub struct Page {
    /// Zero-based position of the page in the document (always 0 for a photo).
    pub index: usize,
    pub image: image::RgbImage,
}

/// Why a file could not be turned into pages.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is {bytes} bytes, more than the limit of {max} bytes")]
    TooLarge { bytes: u64, max: u64 },
    #[error("unsupported file format: only JPEG, PNG and PDF are accepted")]
    UnsupportedFormat,
    #[error("the image is {width}x{height} pixels, more than the limit of {max} pixels")]
    TooManyPixels { width: u32, height: u32, max: u64 },
    #[error("the file is damaged or incomplete: {0}")]
    Corrupt(String),
    #[error("the PDF is password-protected or encrypted; upload an unprotected copy")]
    Encrypted,
    #[error("the PDF has no pages")]
    NoPages,
    #[error("could not read the file: {0}")]
    Io(#[from] std::io::Error),
}

/// Recognises JPEG, PNG and PDF from their leading bytes.
pub fn sniff(bytes: &[u8]) -> Option<Format> {
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n";
    const JPEG: &[u8] = b"\xff\xd8\xff";
    // PDF readers accept the header anywhere in the first 1024 bytes, and files saved by some
    // mail and web gateways do carry leading junk, so this does too.
    const PDF_HEADER_WINDOW: usize = 1024;
    if bytes.starts_with(PNG) {
        Some(Format::Png)
    } else if bytes.starts_with(JPEG) {
        Some(Format::Jpeg)
    } else if contains(&bytes[..bytes.len().min(PDF_HEADER_WINDOW)], b"%PDF-") {
        Some(Format::Pdf)
    } else {
        None
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Decodes a whole file held in memory into its pages.
pub fn decode(bytes: &[u8], limits: &Limits) -> Result<Vec<Page>, InputError> {
    if bytes.is_empty() {
        return Err(InputError::Empty);
    }
    check_size(bytes.len() as u64, limits.max_bytes)?;
    match sniff(bytes).ok_or(InputError::UnsupportedFormat)? {
        Format::Jpeg => raster::decode(bytes, image::ImageFormat::Jpeg, limits),
        Format::Png => raster::decode(bytes, image::ImageFormat::Png, limits),
        Format::Pdf => pdf::decode(bytes, limits),
    }
}

/// Reads a file, refusing it by size before reading, then decodes it.
pub fn load(path: &Path, limits: &Limits) -> Result<Vec<Page>, InputError> {
    check_size(std::fs::metadata(path)?.len(), limits.max_bytes)?;
    let bytes = read_at_most(path, limits.max_bytes)?;
    decode(&bytes, limits)
}

fn check_size(bytes: u64, max_bytes: usize) -> Result<(), InputError> {
    let max = max_bytes as u64;
    if bytes > max {
        return Err(InputError::TooLarge { bytes, max });
    }
    Ok(())
}

/// The metadata size can be stale (a file still being written) or meaningless (a device or
/// pipe), so the read itself is bounded too; one byte past the limit proves the file too large.
fn read_at_most(path: &Path, max_bytes: usize) -> Result<Vec<u8>, InputError> {
    let cap = (max_bytes as u64).saturating_add(1);
    let mut bytes = Vec::new();
    File::open(path)?.take(cap).read_to_end(&mut bytes)?;
    check_size(bytes.len() as u64, max_bytes)?;
    Ok(bytes)
}

/// Runs a decoder so that a panic inside a dependency becomes an error instead of taking down
/// the kiosk; `what` names the failed component in the error.
fn guarded<T>(what: &str, f: impl FnOnce() -> Result<T, InputError>) -> Result<T, InputError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .unwrap_or_else(|_| Err(InputError::Corrupt(format!("{what} failed"))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniff_recognises_magic_bytes() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\nrest"), Some(Format::Png));
        assert_eq!(sniff(b"\xff\xd8\xff\xe0rest"), Some(Format::Jpeg));
        assert_eq!(sniff(b"%PDF-1.7\n"), Some(Format::Pdf));
        assert_eq!(sniff(b"\r\n%PDF-1.4\n"), Some(Format::Pdf));
        assert_eq!(sniff(b"GIF89a"), None);
        assert_eq!(sniff(b""), None);
    }

    #[test]
    fn zero_bytes_is_empty() {
        assert!(matches!(
            decode(&[], &Limits::default()),
            Err(InputError::Empty)
        ));
    }

    #[test]
    fn text_file_is_unsupported() {
        let err = decode(b"name,passport\nJane,X123\n", &Limits::default()).unwrap_err();
        assert!(matches!(err, InputError::UnsupportedFormat));
        let message = err.to_string();
        assert!(message.contains("JPEG") && message.contains("PNG") && message.contains("PDF"));
    }

    #[test]
    fn oversized_bytes_are_refused() {
        let limits = Limits {
            max_bytes: 4,
            ..Limits::default()
        };
        assert!(matches!(
            decode(b"%PDF-1.4", &limits),
            Err(InputError::TooLarge { bytes: 8, max: 4 })
        ));
    }

    #[test]
    fn load_refuses_large_file_and_reports_missing_file() {
        let path = std::env::temp_dir().join(format!("kitascan-input-{}.txt", std::process::id()));
        std::fs::write(&path, b"0123456789").unwrap();
        let limits = Limits {
            max_bytes: 5,
            ..Limits::default()
        };
        let result = load(&path, &limits);
        std::fs::remove_file(&path).unwrap();
        assert!(matches!(
            result,
            Err(InputError::TooLarge { bytes: 10, max: 5 })
        ));
        assert!(matches!(
            load(&path, &Limits::default()),
            Err(InputError::Io(_))
        ));
    }

    #[test]
    fn guarded_turns_a_panic_into_corrupt() {
        let result: Result<(), InputError> = guarded("test decoder", || panic!("boom"));
        assert!(matches!(result, Err(InputError::Corrupt(m)) if m == "test decoder failed"));
    }
}
