//! Drawing text into images, and rotating images.
//!
//! Glyphs are rasterised by ab_glyph and blended by coverage over whatever is already in the image,
//! so text gets the anti-aliased edges a printer and a camera produce, on any background. Sizes are
//! in pixels: `px` is the font's height from descender to ascender (ab_glyph's `PxScale`).

use ab_glyph::{Font, GlyphId, PxScale, ScaleFont, point};
use image::{Rgb, RgbImage};
use imageproc::geometric_transformations::{
    Border, Interpolation, Projection, rotate90, rotate180, rotate270, warp_into,
};

/// The advance width of `text` at `px`, kerning included: where the next character would start.
pub fn text_width<F: Font>(font: &F, px: f32, text: &str) -> f32 {
    let scaled = font.as_scaled(PxScale::from(px));
    let mut width = 0.0;
    let mut prev: Option<GlyphId> = None;
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(p) = prev {
            width += scaled.kern(p, id);
        }
        width += scaled.h_advance(id);
        prev = Some(id);
    }
    width
}

/// The height of one line of text at `px`: ascent plus descent, without line gap.
pub fn line_height<F: Font>(font: &F, px: f32) -> f32 {
    let scaled = font.as_scaled(PxScale::from(px));
    scaled.ascent() - scaled.descent()
}

/// Draws `text` with its left edge at `x` and the top of its line box (the ascent) at `y_top`.
///
/// Pixels are blended by glyph coverage, so anti-aliased edges mix with the existing background;
/// parts falling outside the image are clipped.
pub fn draw_text<F: Font>(
    img: &mut RgbImage,
    font: &F,
    px: f32,
    x: f32,
    y_top: f32,
    text: &str,
    color: Rgb<u8>,
) {
    let scaled = font.as_scaled(PxScale::from(px));
    let baseline = y_top + scaled.ascent();
    let mut caret = x;
    let mut prev: Option<GlyphId> = None;
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(p) = prev {
            caret += scaled.kern(p, id);
        }
        let glyph = id.with_scale_and_position(px, point(caret, baseline));
        if let Some(outlined) = font.outline_glyph(glyph) {
            let bounds = outlined.px_bounds();
            let (left, top) = (bounds.min.x as i64, bounds.min.y as i64);
            outlined.draw(|gx, gy, coverage| {
                blend(img, left + gx as i64, top + gy as i64, color, coverage);
            });
        }
        caret += scaled.h_advance(id);
        prev = Some(id);
    }
}

/// Mixes `color` into pixel `(x, y)` by `coverage` (0 to 1); pixels outside the image are skipped.
pub(super) fn blend(img: &mut RgbImage, x: i64, y: i64, color: Rgb<u8>, coverage: f32) {
    if x < 0 || y < 0 || x >= i64::from(img.width()) || y >= i64::from(img.height()) {
        return;
    }
    let a = coverage.clamp(0.0, 1.0);
    let pixel = img.get_pixel_mut(x as u32, y as u32);
    for (dst, src) in pixel.0.iter_mut().zip(color.0) {
        *dst = (f32::from(*dst) * (1.0 - a) + f32::from(src) * a).round() as u8;
    }
}

/// One line of `text` in `ink` on a `paper` canvas just large enough for the line box plus
/// `margin_px` on every side.
pub fn render_line<F: Font>(
    text: &str,
    font: &F,
    px: f32,
    margin_px: u32,
    ink: Rgb<u8>,
    paper: Rgb<u8>,
) -> RgbImage {
    let width = text_width(font, px, text).ceil() as u32 + 2 * margin_px;
    let height = line_height(font, px).ceil() as u32 + 2 * margin_px;
    let mut img = RgbImage::from_pixel(width.max(1), height.max(1), paper);
    let m = margin_px as f32;
    draw_text(&mut img, font, px, m, m, text, ink);
    img
}

/// Rotates `img` clockwise (as displayed) by `degrees` about its centre, onto a canvas enlarged to
/// hold all of it; uncovered corners are `fill`.
///
/// Multiples of 90 degrees are exact pixel permutations, so rotating by 180 twice returns the
/// original; other angles are resampled bilinearly.
pub fn rotate(img: &RgbImage, degrees: f32, fill: Rgb<u8>) -> RgbImage {
    let turns = degrees.rem_euclid(360.0);
    let quarter = (turns / 90.0).round();
    if (turns - quarter * 90.0).abs() < 1e-3 {
        return match quarter as u32 % 4 {
            0 => img.clone(),
            1 => rotate90(img),
            2 => rotate180(img),
            _ => rotate270(img),
        };
    }
    rotate_resampled(img, turns.to_radians(), fill)
}

fn rotate_resampled(img: &RgbImage, theta: f32, fill: Rgb<u8>) -> RgbImage {
    let (w, h) = (img.width() as f32, img.height() as f32);
    let (sin, cos) = (theta.sin().abs(), theta.cos().abs());
    let out_w = (w * cos + h * sin).ceil() as u32;
    let out_h = (w * sin + h * cos).ceil() as u32;
    let mut out = RgbImage::from_pixel(out_w, out_h, fill);
    // imageproc samples pixel (i, j) at coordinate (i, j), so the centre of a w-wide image is
    // (w - 1) / 2, not w / 2; using the latter would shift the result by half a pixel.
    let projection = Projection::translate((out_w as f32 - 1.0) / 2.0, (out_h as f32 - 1.0) / 2.0)
        * Projection::rotate(theta)
        * Projection::translate(-(w - 1.0) / 2.0, -(h - 1.0) / 2.0);
    warp_into(
        img,
        projection,
        Interpolation::Bilinear,
        Border::Constant(fill),
        &mut out,
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::{FontFace, Fonts};

    const INK: Rgb<u8> = Rgb([0, 0, 0]);
    const PAPER: Rgb<u8> = Rgb([255, 255, 255]);

    fn is_dark(p: &Rgb<u8>) -> bool {
        p.0.iter().map(|&c| u32::from(c)).sum::<u32>() < 3 * 128
    }

    /// Bounding box `(x0, y0, x1, y1)` (inclusive) of the dark pixels, if any.
    fn ink_box(img: &RgbImage) -> Option<(u32, u32, u32, u32)> {
        let mut bbox: Option<(u32, u32, u32, u32)> = None;
        for (x, y, _) in img.enumerate_pixels().filter(|(_, _, p)| is_dark(p)) {
            bbox = Some(match bbox {
                None => (x, y, x, y),
                Some((x0, y0, x1, y1)) => (x0.min(x), y0.min(y), x1.max(x), y1.max(y)),
            });
        }
        bbox
    }

    fn dark_count(img: &RgbImage) -> usize {
        img.pixels().filter(|p| is_dark(p)).count()
    }

    #[test]
    fn rendered_line_has_ink_inside_its_box_and_none_in_the_margins() {
        let fonts = Fonts::load().expect("fonts installed");
        let margin = 12;
        for face in FontFace::ALL {
            let img = render_line(
                "YOUXING CHEN 2C21HB0016AT",
                fonts.get(face),
                32.0,
                margin,
                INK,
                PAPER,
            );
            let (x0, y0, x1, y1) = ink_box(&img).expect("some ink");
            let (w, h) = img.dimensions();
            assert!(
                x0 >= margin && y0 >= margin,
                "{face:?}: ink in top/left margin"
            );
            assert!(
                x1 < w - margin && y1 < h - margin,
                "{face:?}: ink in bottom/right margin"
            );
            // The ink spans nearly the whole line: the text really was drawn, not just a glyph.
            assert!(
                (x1 - x0) as f32 > 0.9 * (w - 2 * margin) as f32,
                "{face:?}: ink too narrow"
            );
            assert!(
                (y1 - y0) as f32 > 0.5 * (h - 2 * margin) as f32,
                "{face:?}: ink too short"
            );
        }
    }

    #[test]
    fn text_is_anti_aliased() {
        let fonts = Fonts::load().expect("fonts installed");
        let img = render_line("MUHAMMAD", fonts.get(FontFace::Sans), 24.0, 4, INK, PAPER);
        let grey = img.pixels().filter(|p| p.0[0] > 40 && p.0[0] < 215).count();
        assert!(
            grey > 20,
            "only {grey} intermediate pixels: no anti-aliasing"
        );
    }

    #[test]
    fn drawing_blends_over_the_background() {
        let fonts = Fonts::load().expect("fonts installed");
        let bg = Rgb([200, 30, 30]);
        let mut img = RgbImage::from_pixel(200, 60, bg);
        draw_text(
            &mut img,
            fonts.get(FontFace::SansBold),
            40.0,
            5.0,
            5.0,
            "III",
            Rgb([0, 0, 255]),
        );
        // Fully covered pixels take the ink; partly covered ones mix ink and background channels.
        assert!(img.pixels().any(|p| p.0 == [0, 0, 255]));
        assert!(
            img.pixels()
                .any(|p| p.0[0] > 0 && p.0[0] < 200 && p.0[2] > 0 && p.0[2] < 255)
        );
        assert_eq!(*img.get_pixel(199, 59), bg);
    }

    #[test]
    fn text_width_grows_with_the_string_and_the_size() {
        let fonts = Fonts::load().expect("fonts installed");
        let font = fonts.get(FontFace::Sans);
        let mut last = 0.0;
        for n in 1..12 {
            let w = text_width(font, 20.0, &"AB".repeat(n));
            assert!(w > last, "width did not grow at {n}");
            last = w;
        }
        assert!(text_width(font, 40.0, "JAKARTA") > 1.9 * text_width(font, 20.0, "JAKARTA"));
        assert_eq!(text_width(font, 20.0, ""), 0.0);
    }

    #[test]
    fn kerning_is_applied() {
        let fonts = Fonts::load().expect("fonts installed");
        let font = fonts.get(FontFace::Sans);
        let pair = text_width(font, 100.0, "AV");
        let apart = text_width(font, 100.0, "A") + text_width(font, 100.0, "V");
        assert!(pair < apart - 1.0, "AV {pair} vs A+V {apart}");
    }

    #[test]
    fn rotating_by_180_twice_gives_back_the_image() {
        let fonts = Fonts::load().expect("fonts installed");
        let img = render_line(
            "KOREA SELATAN",
            fonts.get(FontFace::DejaVu),
            28.0,
            6,
            INK,
            PAPER,
        );
        let once = rotate(&img, 180.0, PAPER);
        assert_ne!(once, img);
        assert_eq!(rotate(&once, 180.0, PAPER), img);
        assert_eq!(rotate(&rotate(&img, -90.0, PAPER), 450.0, PAPER), img);
    }

    #[test]
    fn rotate_by_90_swaps_the_sides() {
        let img = RgbImage::from_fn(30, 10, |x, y| Rgb([x as u8, y as u8, 0]));
        let r = rotate(&img, 90.0, PAPER);
        assert_eq!(r.dimensions(), (10, 30));
        // Clockwise: the top-left pixel moves to the top-right corner.
        assert_eq!(*r.get_pixel(9, 0), *img.get_pixel(0, 0));
    }

    #[test]
    fn oblique_rotation_keeps_all_the_ink() {
        let fonts = Fonts::load().expect("fonts installed");
        let img = render_line(
            "PANGKALPINANG",
            fonts.get(FontFace::SansBold),
            30.0,
            0,
            INK,
            PAPER,
        );
        let r = rotate(&img, 30.0, PAPER);
        let (w, h) = (img.width() as f32, img.height() as f32);
        let (s, c) = (30f32.to_radians().sin(), 30f32.to_radians().cos());
        assert_eq!(r.width(), (w * c + h * s).ceil() as u32);
        assert_eq!(r.height(), (w * s + h * c).ceil() as u32);
        let (before, after) = (dark_count(&img) as f32, dark_count(&r) as f32);
        assert!(
            (after - before).abs() < 0.15 * before,
            "ink {before} -> {after}"
        );
        // Clockwise on screen: the end of the line goes down, so the ink's right end is lower.
        let (x0, _, x1, _) = ink_box(&r).expect("ink");
        let mean_y = |xs: std::ops::Range<u32>| {
            let ys: Vec<u32> = xs
                .flat_map(|x| (0..r.height()).map(move |y| (x, y)))
                .filter(|&(x, y)| is_dark(r.get_pixel(x, y)))
                .map(|(_, y)| y)
                .collect();
            ys.iter().sum::<u32>() as f32 / ys.len().max(1) as f32
        };
        assert!(mean_y(x1 - 20..x1) > mean_y(x0..x0 + 20) + 20.0);
    }

    #[test]
    fn oblique_rotation_and_back_restores_the_centre() {
        let fonts = Fonts::load().expect("fonts installed");
        let img = render_line("BELANDA", fonts.get(FontFace::Sans), 40.0, 10, INK, PAPER);
        let back = rotate(&rotate(&img, 17.0, PAPER), -17.0, PAPER);
        let (dx, dy) = (
            (back.width() - img.width()) / 2,
            (back.height() - img.height()) / 2,
        );
        let mut diff = 0u64;
        for (x, y, p) in img.enumerate_pixels() {
            diff += u64::from(p.0[0].abs_diff(back.get_pixel(x + dx, y + dy).0[0]));
        }
        let mean = diff as f32 / (img.width() * img.height()) as f32;
        assert!(mean < 20.0, "mean abs difference {mean}");
    }
}
