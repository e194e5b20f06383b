//! JPEG and PNG: the pixel count is checked from the header before any pixel is decoded, the
//! decode itself runs under `image`'s own limits as a second guard, and the EXIF orientation is
//! applied so that phone photos come out upright.

use super::{InputError, Limits, Page, guarded};
use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader};
use std::io::Cursor;

/// Bytes per pixel of the widest layout JPEG or PNG decodes to (16-bit RGBA); the allocation
/// guard must leave room for it or it would refuse images that are within `max_pixels`.
const WIDEST_PIXEL_BYTES: u64 = 8;

/// Decodes one photo or scan into a single page.
pub(super) fn decode(
    bytes: &[u8],
    format: ImageFormat,
    limits: &Limits,
) -> Result<Vec<Page>, InputError> {
    guarded("image decoder", || {
        if format == ImageFormat::Jpeg && !jpeg_has_end(bytes) {
            return Err(InputError::Corrupt(
                "JPEG is truncated: the end-of-image marker is missing".into(),
            ));
        }
        let (width, height) = dimensions(bytes, format)?;
        check_pixels(width, height, limits.max_pixels)?;
        let image = decode_upright(bytes, format, limits).map_err(|e| match e {
            ImageError::Limits(_) => too_many_pixels(width, height, limits.max_pixels),
            e => corrupt(format, &e),
        })?;
        Ok(vec![Page {
            index: 0,
            image: image.into_rgb8(),
        }])
    })
}

/// Reads only the header, so a file declaring absurd dimensions costs nothing.
fn dimensions(bytes: &[u8], format: ImageFormat) -> Result<(u32, u32), InputError> {
    ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(|e| corrupt(format, &e))
}

/// `image` decodes JPEG leniently and paints grey where a truncated file (an interrupted upload)
/// runs out, which would send a half-blank photo to OCR; a complete file has an EOI marker after
/// its first scan. Header segments are skipped by length because an EXIF thumbnail inside them
/// carries markers of its own.
fn jpeg_has_end(bytes: &[u8]) -> bool {
    first_scan(bytes)
        .and_then(|scan| bytes.get(scan..))
        .is_some_and(|scans| scans.windows(2).any(|m| m == [0xff, 0xd9]))
}

/// Offset just past the first start-of-scan marker, or `None` if the header runs out first.
fn first_scan(bytes: &[u8]) -> Option<usize> {
    let mut at = 2; // past SOI
    loop {
        if *bytes.get(at)? != 0xff {
            return None;
        }
        let marker = *bytes.get(at + 1)?;
        at += 2;
        match marker {
            0xda => return Some(at),
            // Fill bytes and markers that carry no length field.
            0xff => at -= 1,
            0x01 | 0xd0..=0xd7 => {}
            _ => {
                let length = u16::from_be_bytes([*bytes.get(at)?, *bytes.get(at + 1)?]);
                at += usize::from(length);
            }
        }
    }
}

fn check_pixels(width: u32, height: u32, max_pixels: u64) -> Result<(), InputError> {
    if u64::from(width) * u64::from(height) > max_pixels {
        return Err(too_many_pixels(width, height, max_pixels));
    }
    Ok(())
}

fn decode_upright(
    bytes: &[u8],
    format: ImageFormat,
    limits: &Limits,
) -> Result<DynamicImage, ImageError> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(image_limits(limits));
    let mut decoder = reader.into_decoder()?;
    // A malformed EXIF block only loses the rotation; the pixels are still worth reading.
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder)?;
    image.apply_orientation(orientation);
    Ok(image)
}

/// `image`'s limits repeat the pixel check in the decoder's own terms, in case a header lies
/// about its size or a future codec skips our probe.
fn image_limits(limits: &Limits) -> image::Limits {
    // Neither side can exceed the whole pixel budget, since the other side is at least 1.
    let side = u32::try_from(limits.max_pixels).unwrap_or(u32::MAX);
    let mut guard = image::Limits::default();
    guard.max_image_width = Some(side);
    guard.max_image_height = Some(side);
    guard.max_alloc = Some(limits.max_pixels.saturating_mul(WIDEST_PIXEL_BYTES));
    guard
}

fn too_many_pixels(width: u32, height: u32, max: u64) -> InputError {
    InputError::TooManyPixels { width, height, max }
}

fn corrupt(format: ImageFormat, error: &ImageError) -> InputError {
    let name = match format {
        ImageFormat::Jpeg => "JPEG",
        ImageFormat::Png => "PNG",
        _ => "image",
    };
    InputError::Corrupt(format!("{name} could not be decoded: {error}"))
}

#[cfg(test)]
mod tests {
    use super::super::{InputError, Limits, decode};
    use image::{ImageFormat, RgbImage};
    use std::io::Cursor;
    use std::time::{Duration, Instant};

    fn encoded(width: u32, height: u32, format: ImageFormat) -> Vec<u8> {
        let image = RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([(x * 7) as u8, (y * 5) as u8, 128])
        });
        let mut bytes = Vec::new();
        image
            .write_to(&mut Cursor::new(&mut bytes), format)
            .unwrap();
        bytes
    }

    fn single_page_size(bytes: &[u8]) -> (u32, u32) {
        let pages = decode(bytes, &Limits::default()).unwrap();
        assert_eq!(pages.len(), 1);
        assert_eq!(pages[0].index, 0);
        pages[0].image.dimensions()
    }

    #[test]
    fn png_round_trips() {
        assert_eq!(
            single_page_size(&encoded(37, 23, ImageFormat::Png)),
            (37, 23)
        );
    }

    #[test]
    fn jpeg_round_trips() {
        assert_eq!(
            single_page_size(&encoded(64, 48, ImageFormat::Jpeg)),
            (64, 48)
        );
    }

    #[test]
    fn truncated_jpeg_is_corrupt() {
        let bytes = encoded(64, 48, ImageFormat::Jpeg);
        for cut in [4, 40, bytes.len() / 2] {
            let result = decode(&bytes[..cut], &Limits::default());
            assert!(
                matches!(result, Err(InputError::Corrupt(_))),
                "cut at {cut}: {:?}",
                result.map(|pages| pages.len())
            );
        }
    }

    #[test]
    fn truncated_png_is_corrupt() {
        let bytes = encoded(64, 48, ImageFormat::Png);
        for cut in [12, 40, bytes.len() / 2, bytes.len() - 12] {
            let result = decode(&bytes[..cut], &Limits::default());
            assert!(
                matches!(result, Err(InputError::Corrupt(_))),
                "cut at {cut}: {:?}",
                result.map(|pages| pages.len())
            );
        }
    }

    #[test]
    fn broken_png_is_corrupt() {
        let mut bytes = encoded(16, 16, ImageFormat::Png);
        let idat = bytes.windows(4).position(|w| w == b"IDAT").unwrap();
        bytes[idat + 6] ^= 0xff;
        assert!(matches!(
            decode(&bytes, &Limits::default()),
            Err(InputError::Corrupt(_))
        ));
    }

    #[test]
    fn huge_png_header_is_refused_before_decoding() {
        let bytes = with_png_size(&encoded(8, 8, ImageFormat::Png), 100_000, 100_000);
        let started = Instant::now();
        let result = decode(&bytes, &Limits::default());
        assert!(started.elapsed() < Duration::from_secs(1));
        assert!(matches!(
            result,
            Err(InputError::TooManyPixels {
                width: 100_000,
                height: 100_000,
                max: 40_000_000
            })
        ));
    }

    #[test]
    fn image_over_a_small_budget_is_refused() {
        let limits = Limits {
            max_pixels: 100,
            ..Limits::default()
        };
        let result = decode(&encoded(11, 10, ImageFormat::Png), &limits);
        assert!(matches!(
            result,
            Err(InputError::TooManyPixels {
                width: 11,
                height: 10,
                max: 100
            })
        ));
    }

    #[test]
    fn exif_orientation_is_applied() {
        // Orientation 6: the camera was turned a quarter, so the stored 40x20 shows as 20x40.
        let bytes = with_exif_orientation(&encoded(40, 20, ImageFormat::Jpeg), 6);
        assert_eq!(single_page_size(&bytes), (20, 40));
    }

    /// Rewrites the IHDR width and height (the first chunk, right after the signature) and its
    /// CRC, leaving the small pixel data behind it.
    fn with_png_size(png: &[u8], width: u32, height: u32) -> Vec<u8> {
        let mut bytes = png.to_vec();
        assert_eq!(&bytes[12..16], b"IHDR");
        bytes[16..20].copy_from_slice(&width.to_be_bytes());
        bytes[20..24].copy_from_slice(&height.to_be_bytes());
        let crc = crc32(&bytes[12..29]);
        bytes[29..33].copy_from_slice(&crc.to_be_bytes());
        bytes
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &byte in data {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xedb8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    /// Inserts an APP1 EXIF segment holding only the orientation tag right after SOI.
    fn with_exif_orientation(jpeg: &[u8], orientation: u16) -> Vec<u8> {
        let mut tiff = b"MM\x00\x2a\x00\x00\x00\x08".to_vec();
        tiff.extend_from_slice(&1u16.to_be_bytes()); // one IFD entry
        tiff.extend_from_slice(&[0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01]);
        tiff.extend_from_slice(&orientation.to_be_bytes());
        tiff.extend_from_slice(&[0, 0, 0, 0, 0, 0]); // value padding, no next IFD
        let mut segment = b"Exif\x00\x00".to_vec();
        segment.extend_from_slice(&tiff);
        let length = (segment.len() + 2) as u16;
        let mut bytes = jpeg[..2].to_vec();
        bytes.extend_from_slice(&[0xff, 0xe1]);
        bytes.extend_from_slice(&length.to_be_bytes());
        bytes.extend_from_slice(&segment);
        bytes.extend_from_slice(&jpeg[2..]);
        bytes
    }
}
