//! PDF: the first `max_pages` pages are rendered with hayro at `pdf_dpi` and composited over
//! white. A page too big for `max_pixels` is rendered at a lower resolution instead of being
//! refused, because a scan saved as a poster-sized page still holds a readable permit.

use super::{InputError, Limits, Page, guarded};
use hayro::hayro_interpret::InterpreterSettings;
use hayro::hayro_interpret::util::TransformExt;
use hayro::hayro_syntax::page::Page as PdfPage;
use hayro::hayro_syntax::{DecryptionError, LoadPdfError, Pdf};
use hayro::kurbo::Affine;
use hayro::vello_cpu::color::palette::css::WHITE;
use hayro::vello_cpu::{Pixmap, RasterizerSettings, RenderContext, Resources, TargetInit};
use hayro::{RenderCache, RenderSettings, render_into};
use image::RgbImage;

/// PDF user space is measured in points, 72 to the inch.
const POINTS_PER_INCH: f64 = 72.0;
/// The rasteriser addresses pixels with `u16`, so no side may be longer.
const MAX_SIDE: f64 = u16::MAX as f64;

/// Renders the leading pages of a PDF.
pub(super) fn decode(bytes: &[u8], limits: &Limits) -> Result<Vec<Page>, InputError> {
    // hayro keeps the document bytes for as long as the document lives, so it wants them owned.
    let data = bytes.to_vec();
    guarded("PDF renderer", || render_document(data, limits))
}

fn render_document(data: Vec<u8>, limits: &Limits) -> Result<Vec<Page>, InputError> {
    let pdf = Pdf::new(data).map_err(load_error)?;
    let pages = pdf.pages();
    if pages.is_empty() {
        return Err(InputError::NoPages);
    }
    let cache = RenderCache::new();
    let settings = InterpreterSettings::default();
    pages
        .iter()
        .take(limits.max_pages)
        .enumerate()
        .map(|(index, page)| {
            let image = render_page(page, &cache, &settings, limits)?;
            Ok(Page { index, image })
        })
        .collect()
}

fn load_error(error: LoadPdfError) -> InputError {
    match error {
        // hayro opens documents encrypted with an empty user password by itself; what is left
        // needs a password or a cipher it lacks, and either way only the uploader can fix it.
        LoadPdfError::Decryption(
            DecryptionError::PasswordProtected | DecryptionError::UnsupportedAlgorithm,
        ) => InputError::Encrypted,
        LoadPdfError::Decryption(e) => {
            InputError::Corrupt(format!("PDF encryption dictionary is malformed ({e:?})"))
        }
        LoadPdfError::Invalid => InputError::Corrupt("PDF could not be parsed".into()),
    }
}

fn render_page<'a>(
    page: &'a PdfPage<'a>,
    cache: &RenderCache<'a>,
    settings: &InterpreterSettings,
    limits: &Limits,
) -> Result<RgbImage, InputError> {
    let (width_pt, height_pt) = page.render_dimensions();
    let (width_pt, height_pt) = (f64::from(width_pt), f64::from(height_pt));
    let (width, height) = page_pixels(width_pt, height_pt, limits)?;
    // Scaling each axis to the rounded pixel size makes the page fill the image exactly.
    let scale =
        Affine::scale_non_uniform(f64::from(width) / width_pt, f64::from(height) / height_pt);
    let transform = scale * page.initial_transform(true).to_kurbo();
    let mut ctx = RenderContext::new(width, height);
    render_into(
        page,
        cache,
        settings,
        &RenderSettings::default(),
        &mut ctx,
        transform,
    );
    ctx.flush();
    let mut pixmap = Pixmap::new(width, height);
    let raster = RasterizerSettings {
        target_init: TargetInit::Clear(WHITE),
        ..Default::default()
    };
    ctx.render_with(&mut pixmap, &mut Resources::default(), raster);
    over_white(&pixmap)
}

/// The page's pixel size at `pdf_dpi`, shrunk uniformly when that would exceed `max_pixels` or
/// the rasteriser's side limit.
fn page_pixels(width_pt: f64, height_pt: f64, limits: &Limits) -> Result<(u16, u16), InputError> {
    let valid = |side: f64| side.is_finite() && side > 0.0;
    if !valid(width_pt) || !valid(height_pt) {
        return Err(InputError::Corrupt("a PDF page has an invalid size".into()));
    }
    let scale = f64::from(dpi(limits)) / POINTS_PER_INCH;
    let (w, h) = (width_pt * scale, height_pt * scale);
    let budget = limits.max_pixels as f64;
    let fit = (budget / (w * h))
        .sqrt()
        .min(MAX_SIDE / w)
        .min(MAX_SIDE / h)
        .min(1.0);
    let (w, h) = (w * fit, h * fit);
    // Rounding is kinder to exact sizes (72 pt at 200 dpi is 200 px, not 199), but it can push
    // a page already shrunk to the budget back over it.
    let (w, h) = if w.round() * h.round() > budget {
        (w.floor(), h.floor())
    } else {
        (w.round(), h.round())
    };
    let (w, h) = (w.clamp(1.0, MAX_SIDE) as u16, h.clamp(1.0, MAX_SIDE) as u16);
    // Only reachable with a degenerate budget or a hairline page forced up to one pixel.
    if u64::from(w) * u64::from(h) > limits.max_pixels {
        return Err(InputError::TooManyPixels {
            width: w.into(),
            height: h.into(),
            max: limits.max_pixels,
        });
    }
    Ok((w, h))
}

/// A non-positive or non-finite resolution is a configuration slip, not a reason to refuse
/// every PDF, so it falls back to the default.
fn dpi(limits: &Limits) -> f32 {
    if limits.pdf_dpi.is_finite() && limits.pdf_dpi > 0.0 {
        limits.pdf_dpi
    } else {
        Limits::default().pdf_dpi
    }
}

/// The pixmap is premultiplied RGBA, so compositing over white adds the share of white the
/// page leaves uncovered.
fn over_white(pixmap: &Pixmap) -> Result<RgbImage, InputError> {
    let rgb = pixmap
        .data()
        .iter()
        .flat_map(|p| {
            let white = 255 - p.a;
            [p.r, p.g, p.b].map(|c| c.saturating_add(white))
        })
        .collect();
    let (width, height) = (u32::from(pixmap.width()), u32::from(pixmap.height()));
    RgbImage::from_raw(width, height, rgb)
        .ok_or_else(|| InputError::Corrupt("PDF renderer returned a malformed image".into()))
}

#[cfg(test)]
mod tests {
    use super::super::{InputError, Limits, decode};

    /// A page: width and height in points, content stream, extra page dictionary entries.
    struct TestPage {
        width: u32,
        height: u32,
        content: &'static str,
        extra: &'static str,
    }

    fn page(width: u32, height: u32, content: &'static str) -> TestPage {
        TestPage {
            width,
            height,
            content,
            extra: "",
        }
    }

    /// Writes a PDF with a correct xref table: catalog, page tree, a page and its content stream
    /// per page, then `extra_objects`; `trailer_extra` is spliced into the trailer dictionary.
    fn build_pdf(pages: &[TestPage], extra_objects: &[&str], trailer_extra: &str) -> Vec<u8> {
        let kids: Vec<String> = (0..pages.len())
            .map(|i| format!("{} 0 R", 3 + 2 * i))
            .collect();
        let mut objects = vec![
            "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
            format!(
                "<< /Type /Pages /Kids [{}] /Count {} >>",
                kids.join(" "),
                pages.len()
            ),
        ];
        for (i, p) in pages.iter().enumerate() {
            objects.push(format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {} {}] /Contents {} 0 R {} >>",
                p.width,
                p.height,
                4 + 2 * i,
                p.extra
            ));
            objects.push(format!(
                "<< /Length {} >>\nstream\n{}\nendstream",
                p.content.len(),
                p.content
            ));
        }
        objects.extend(extra_objects.iter().map(|o| o.to_string()));
        let mut pdf = b"%PDF-1.4\n".to_vec();
        let mut offsets = Vec::new();
        for (i, object) in objects.iter().enumerate() {
            offsets.push(pdf.len());
            pdf.extend_from_slice(format!("{} 0 obj\n{object}\nendobj\n", i + 1).as_bytes());
        }
        let xref_at = pdf.len();
        let mut xref = format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
        for offset in offsets {
            xref.push_str(&format!("{offset:010} 00000 n \n"));
        }
        xref.push_str(&format!(
            "trailer\n<< /Size {} /Root 1 0 R {trailer_extra} >>\nstartxref\n{xref_at}\n%%EOF\n",
            objects.len() + 1
        ));
        pdf.extend_from_slice(xref.as_bytes());
        pdf
    }

    fn luma(pages: &[super::super::Page], x: u32, y: u32) -> u8 {
        let [r, g, b] = pages[0].image.get_pixel(x, y).0;
        ((u32::from(r) + u32::from(g) + u32::from(b)) / 3) as u8
    }

    #[test]
    fn one_page_renders_at_200_dpi_with_the_rectangle_in_place() {
        // A black square over the bottom-left quarter: PDF's y axis points up, images' down.
        let pdf = build_pdf(&[page(72, 72, "0 0 0 rg 0 0 36 36 re f")], &[], "");
        let pages = decode(&pdf, &Limits::default()).unwrap();
        assert_eq!(pages.len(), 1);
        assert_eq!(pages[0].index, 0);
        assert_eq!(pages[0].image.dimensions(), (200, 200));
        assert!(luma(&pages, 50, 150) < 32, "inside the rectangle");
        assert!(luma(&pages, 50, 50) > 240, "above the rectangle");
        assert!(luma(&pages, 150, 150) > 240, "right of the rectangle");
    }

    #[test]
    fn multi_page_pdf_is_cut_at_max_pages() {
        let pages: Vec<TestPage> = (1..=5).map(|i| page(72 * i, 72, "")).collect();
        let limits = Limits {
            max_pages: 2,
            ..Limits::default()
        };
        let rendered = decode(&build_pdf(&pages, &[], ""), &limits).unwrap();
        let summary: Vec<_> = rendered
            .iter()
            .map(|p| (p.index, p.image.width()))
            .collect();
        assert_eq!(summary, [(0, 200), (1, 400)]);
    }

    #[test]
    fn oversized_page_renders_at_a_lower_resolution() {
        let pdf = build_pdf(
            &[page(14_400, 7_200, "0 0 0 rg 0 0 7200 7200 re f")],
            &[],
            "",
        );
        let limits = Limits {
            max_pixels: 20_000,
            ..Limits::default()
        };
        let pages = decode(&pdf, &limits).unwrap();
        assert_eq!(pages[0].image.dimensions(), (200, 100));
        assert!(luma(&pages, 50, 50) < 32);
        assert!(luma(&pages, 150, 50) > 240);
    }

    #[test]
    fn rotated_page_swaps_sides() {
        let mut rotated = page(144, 72, "");
        rotated.extra = "/Rotate 90";
        let pages = decode(&build_pdf(&[rotated], &[], ""), &Limits::default()).unwrap();
        assert_eq!(pages[0].image.dimensions(), (200, 400));
    }

    #[test]
    fn garbage_pdf_is_corrupt() {
        let mut bytes = b"%PDF-1.4\n".to_vec();
        bytes.extend((0..4000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
        let result = decode(&bytes, &Limits::default());
        assert!(matches!(result, Err(InputError::Corrupt(_))), "{result:?}");
    }

    #[test]
    fn truncated_pdf_does_not_panic() {
        let pdf = build_pdf(&[page(72, 72, "0 0 0 rg 0 0 36 36 re f")], &[], "");
        for cut in (9..pdf.len()).step_by(7) {
            // Recovery may still find the page; all that matters is an answer, not a panic.
            let _ = decode(&pdf[..cut], &Limits::default());
        }
    }

    #[test]
    fn pdf_without_pages_is_refused() {
        let result = decode(&build_pdf(&[], &[], ""), &Limits::default());
        assert!(matches!(result, Err(InputError::NoPages)), "{result:?}");
    }

    #[test]
    fn password_protected_pdf_is_encrypted() {
        // An RC4 standard handler whose /U does not match the empty password.
        let junk = "ab".repeat(32);
        let encrypt =
            format!("<< /Filter /Standard /V 1 /R 2 /Length 40 /P -4 /O <{junk}> /U <{junk}> >>");
        let id = "<00112233445566778899aabbccddeeff>";
        let trailer = format!("/Encrypt 5 0 R /ID [{id} {id}]");
        let pdf = build_pdf(&[page(72, 72, "")], &[&encrypt], &trailer);
        let result = decode(&pdf, &Limits::default());
        assert!(matches!(result, Err(InputError::Encrypted)), "{result:?}");
    }
}
