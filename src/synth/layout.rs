//! The document model shared by every generated document, and its raster renderer.
//!
//! A [`Document`] is a list of drawn [`Item`]s (text runs, filled rectangles and polygons, pen
//! strokes) in page units, so that the same document can be rasterised (a scan, a camera photo)
//! and written to a PDF with real vector text ([`super::pdf`]).
//!
//! Invariants:
//! - Page units are PostScript points (1/72 inch), origin at the page's top-left, y down.
//! - A text item's `size` is the font size in points (the em, as in a PDF `Tf`), and `baseline`
//!   is the y of its baseline; [`TextItem::bounds`] gives the ascent-to-descent box.
//! - Text is drawn with kerning, here and in the PDF, so both show the same advance widths.

use ab_glyph::{Font, FontVec};
use image::{Rgb, RgbImage};
use imageproc::drawing::draw_antialiased_polygon_mut;
use imageproc::pixelops::interpolate;
use imageproc::point::Point as IPoint;
use rand::{Rng, RngExt};

use super::fonts::{FontFace, Fonts};
use super::page::{QR_MODULES, finder_module};
use super::render::{blend, draw_text, text_width};
use super::truth::Truth;

/// An sRGB colour.
pub type Rgb8 = [u8; 3];

/// Near-black printer ink.
pub const INK: Rgb8 = [22, 22, 26];

/// A run of text on one line.
#[derive(Debug, Clone, PartialEq)]
pub struct TextItem {
    pub text: String,
    pub face: FontFace,
    /// Font size (em) in points.
    pub size: f32,
    /// Left edge of the first glyph's advance box.
    pub x: f32,
    pub baseline: f32,
    pub color: Rgb8,
}

impl TextItem {
    /// Advance width in points, kerning included.
    pub fn width(&self, fonts: &Fonts) -> f32 {
        let font = fonts.get(self.face);
        text_width(font, self.size * px_per_em(font), &self.text)
    }

    /// The line box `[x0, y0, x1, y1]` in points: from the font's ascent to its descent.
    pub fn bounds(&self, fonts: &Fonts) -> [f32; 4] {
        let font = fonts.get(self.face);
        let (ascent, descent) = ascent_descent(font);
        [
            self.x,
            self.baseline - self.size * ascent,
            self.x + self.width(fonts),
            self.baseline - self.size * descent,
        ]
    }
}

/// One drawn thing.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Text(TextItem),
    /// An axis-aligned filled rectangle (rules, photo backgrounds, QR modules, bands).
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        color: Rgb8,
    },
    /// A filled polygon (the silhouette in a photo placeholder).
    Polygon {
        points: Vec<[f32; 2]>,
        color: Rgb8,
    },
    /// An open pen stroke with round caps (signatures, guilloche lines).
    Stroke {
        points: Vec<[f32; 2]>,
        width: f32,
        color: Rgb8,
    },
}

/// A generated document: its page, what is drawn on it and what a reader should return.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// Page width in points.
    pub width: f32,
    /// Page height in points.
    pub height: f32,
    pub paper: Rgb8,
    pub truth: Truth,
    pub items: Vec<Item>,
}

impl Document {
    /// The text items, in drawing order.
    pub fn texts(&self) -> impl Iterator<Item = &TextItem> {
        self.items.iter().filter_map(|item| match item {
            Item::Text(t) => Some(t),
            _ => None,
        })
    }

    /// The page size in pixels at `dpi`.
    pub fn pixel_size(&self, dpi: f32) -> (u32, u32) {
        let s = dpi / 72.0;
        (
            (self.width * s).round().max(1.0) as u32,
            (self.height * s).round().max(1.0) as u32,
        )
    }

    /// The document rasterised at `dpi`.
    pub fn render(&self, fonts: &Fonts, dpi: f32) -> RgbImage {
        let (w, h) = self.pixel_size(dpi);
        let mut img = RgbImage::from_pixel(w, h, Rgb(self.paper));
        let s = dpi / 72.0;
        for item in &self.items {
            match item {
                Item::Text(t) => draw_text_item(&mut img, fonts, t, s),
                Item::Rect { x, y, w, h, color } => {
                    fill_rect(&mut img, [*x, *y, *w, *h], s, *color)
                }
                Item::Polygon { points, color } => fill_polygon(&mut img, points, s, *color),
                Item::Stroke {
                    points,
                    width,
                    color,
                } => stroke(&mut img, points, *width * s, s, *color),
            }
        }
        img
    }
}

/// ab_glyph sizes a font by its ascent-to-descent height; this converts an em to that size.
pub fn px_per_em(font: &FontVec) -> f32 {
    font.height_unscaled() / font.units_per_em().unwrap_or(1000.0)
}

/// Ascent and descent (negative) as fractions of the em.
pub fn ascent_descent(font: &FontVec) -> (f32, f32) {
    let upem = font.units_per_em().unwrap_or(1000.0);
    (
        font.ascent_unscaled() / upem,
        font.descent_unscaled() / upem,
    )
}

fn draw_text_item(img: &mut RgbImage, fonts: &Fonts, t: &TextItem, s: f32) {
    let font = fonts.get(t.face);
    let (ascent, _) = ascent_descent(font);
    let top = (t.baseline - t.size * ascent) * s;
    let px = t.size * s * px_per_em(font);
    draw_text(img, font, px, t.x * s, top, &t.text, Rgb(t.color));
}

/// Fills a rectangle, blending the partly covered edge pixels so thin rules keep their weight.
fn fill_rect(img: &mut RgbImage, [x, y, w, h]: [f32; 4], s: f32, color: Rgb8) {
    let (x0, y0, x1, y1) = (x * s, y * s, (x + w) * s, (y + h) * s);
    for py in y0.floor() as i64..y1.ceil() as i64 {
        let cy = overlap(py as f32, y0, y1);
        for px in x0.floor() as i64..x1.ceil() as i64 {
            let cover = cy * overlap(px as f32, x0, x1);
            blend(img, px, py, Rgb(color), cover);
        }
    }
}

/// How much of the pixel `[p, p + 1)` lies inside `[a, b)`.
fn overlap(p: f32, a: f32, b: f32) -> f32 {
    ((p + 1.0).min(b) - p.max(a)).clamp(0.0, 1.0)
}

fn fill_polygon(img: &mut RgbImage, points: &[[f32; 2]], s: f32, color: Rgb8) {
    let mut poly: Vec<IPoint<i32>> = points
        .iter()
        .map(|p| IPoint::new((p[0] * s).round() as i32, (p[1] * s).round() as i32))
        .collect();
    poly.dedup();
    while poly.len() > 1 && poly.first() == poly.last() {
        poly.pop();
    }
    if poly.len() >= 3 {
        draw_antialiased_polygon_mut(img, &poly, Rgb(color), interpolate);
    }
}

/// A round-capped pen stroke of `width_px`: the coverage of the whole stroke is collected first
/// (the maximum over its segments), so overlapping segments do not darken the ink twice.
fn stroke(img: &mut RgbImage, points: &[[f32; 2]], width_px: f32, s: f32, color: Rgb8) {
    let pts: Vec<[f32; 2]> = points.iter().map(|p| [p[0] * s, p[1] * s]).collect();
    let r = (width_px / 2.0).max(0.5);
    let xs = pts.iter().map(|p| p[0]);
    let ys = pts.iter().map(|p| p[1]);
    let x0 = (xs.clone().fold(f32::INFINITY, f32::min) - r - 1.0).max(0.0) as i64;
    let y0 = (ys.clone().fold(f32::INFINITY, f32::min) - r - 1.0).max(0.0) as i64;
    let x1 = (xs.fold(0.0, f32::max) + r + 2.0).min(img.width() as f32) as i64;
    let y1 = (ys.fold(0.0, f32::max) + r + 2.0).min(img.height() as f32) as i64;
    if x1 <= x0 || y1 <= y0 {
        return;
    }
    let cols = (x1 - x0) as usize;
    let mut cover = vec![0.0f32; cols * (y1 - y0) as usize];
    for seg in pts.windows(2) {
        let [a, b] = [seg[0], seg[1]];
        let sx0 = (a[0].min(b[0]) - r - 1.0).max(x0 as f32) as i64;
        let sx1 = (a[0].max(b[0]) + r + 2.0).min(x1 as f32) as i64;
        let sy0 = (a[1].min(b[1]) - r - 1.0).max(y0 as f32) as i64;
        let sy1 = (a[1].max(b[1]) + r + 2.0).min(y1 as f32) as i64;
        for py in sy0..sy1 {
            for px in sx0..sx1 {
                let d = segment_distance([px as f32 + 0.5, py as f32 + 0.5], a, b);
                let c = (r + 0.5 - d).clamp(0.0, 1.0);
                let cell = &mut cover[(py - y0) as usize * cols + (px - x0) as usize];
                *cell = cell.max(c);
            }
        }
    }
    for (i, c) in cover.iter().enumerate().filter(|(_, c)| **c > 0.0) {
        let (px, py) = (x0 + (i % cols) as i64, y0 + (i / cols) as i64);
        blend(img, px, py, Rgb(color), *c);
    }
}

fn segment_distance(p: [f32; 2], a: [f32; 2], b: [f32; 2]) -> f32 {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (cx, cy) = (a[0] + t * dx, a[1] + t * dy);
    ((p[0] - cx).powi(2) + (p[1] - cy).powi(2)).sqrt()
}

/// A page being laid out: collects items and measures text with the real fonts.
pub struct Sheet<'f> {
    pub fonts: &'f Fonts,
    pub width: f32,
    pub height: f32,
    pub items: Vec<Item>,
}

impl<'f> Sheet<'f> {
    pub fn new(fonts: &'f Fonts, width: f32, height: f32) -> Sheet<'f> {
        Sheet {
            fonts,
            width,
            height,
            items: Vec::new(),
        }
    }

    /// Advance width of `text` in points.
    pub fn measure(&self, face: FontFace, size: f32, text: &str) -> f32 {
        let font = self.fonts.get(face);
        text_width(font, size * px_per_em(font), text)
    }

    /// `size`, shrunk just enough for `text` to fit in `max_width`.
    pub fn fit(&self, face: FontFace, size: f32, text: &str, max_width: f32) -> f32 {
        let w = self.measure(face, size, text);
        if w <= max_width {
            size
        } else {
            size * max_width / w
        }
    }

    /// Draws `text` in ink with its left edge at `x`; returns its right edge.
    pub fn text(&mut self, text: &str, face: FontFace, size: f32, x: f32, baseline: f32) -> f32 {
        self.text_in(text, face, size, [x, baseline], INK)
    }

    /// Draws `text` in `color` starting at `[x, baseline]`; returns its right edge.
    pub fn text_in(
        &mut self,
        text: &str,
        face: FontFace,
        size: f32,
        [x, baseline]: [f32; 2],
        color: Rgb8,
    ) -> f32 {
        let right = x + self.measure(face, size, text);
        self.items.push(Item::Text(TextItem {
            text: text.to_string(),
            face,
            size,
            x,
            baseline,
            color,
        }));
        right
    }

    /// Draws `text` centred on `cx`, shrunk if needed to stay 4 points inside the page's edges.
    pub fn centred(&mut self, text: &str, face: FontFace, size: f32, cx: f32, baseline: f32) {
        let room = 2.0 * cx.min(self.width - cx) - 8.0;
        let size = self.fit(face, size, text, room);
        let w = self.measure(face, size, text);
        self.text(text, face, size, cx - w / 2.0, baseline);
    }

    /// Draws `text` ending at `right`.
    pub fn right(&mut self, text: &str, face: FontFace, size: f32, right: f32, baseline: f32) {
        let w = self.measure(face, size, text);
        self.text(text, face, size, right - w, baseline);
    }

    /// Splits `text` at spaces into lines no wider than `max_width` (a single over-long word
    /// stays whole). Joining the lines with one space gives `text` back.
    pub fn wrap(&self, text: &str, face: FontFace, size: f32, max_width: f32) -> Vec<String> {
        let mut lines: Vec<String> = Vec::new();
        for word in text.split(' ') {
            match lines.last_mut() {
                Some(line) if self.measure(face, size, &format!("{line} {word}")) <= max_width => {
                    line.push(' ');
                    line.push_str(word);
                }
                _ => lines.push(word.to_string()),
            }
        }
        lines
    }

    pub fn rect(&mut self, [x, y, w, h]: [f32; 4], color: Rgb8) {
        self.items.push(Item::Rect { x, y, w, h, color });
    }

    /// A horizontal rule of `weight` points from `x0` to `x1` centred on `y`.
    pub fn rule(&mut self, x0: f32, x1: f32, y: f32, weight: f32) {
        self.rect([x0, y - weight / 2.0, x1 - x0, weight], INK);
    }

    pub fn polygon(&mut self, points: Vec<[f32; 2]>, color: Rgb8) {
        self.items.push(Item::Polygon { points, color });
    }

    pub fn stroke(&mut self, points: Vec<[f32; 2]>, width: f32, color: Rgb8) {
        self.items.push(Item::Stroke {
            points,
            width,
            color,
        });
    }

    /// The finished document.
    pub fn finish(self, paper: Rgb8, truth: Truth) -> Document {
        Document {
            width: self.width,
            height: self.height,
            paper,
            truth,
            items: self.items,
        }
    }

    /// A passport-style photo placeholder in `[x, y, w, h]`: a plain backdrop and a head-and-
    /// shoulders silhouette, so the photo area looks like a photo and holds no text.
    pub fn photo<R: Rng + ?Sized>(&mut self, rng: &mut R, [x, y, w, h]: [f32; 4]) {
        let backdrops = [
            [200, 214, 236],
            [232, 232, 230],
            [196, 40, 46],
            [238, 240, 244],
        ];
        self.rect(
            [x, y, w, h],
            backdrops[rng.random_range(0..backdrops.len())],
        );
        let cx = x + w * rng.random_range(0.46..0.54);
        let clothes = [[40, 44, 60], [70, 70, 74], [230, 230, 232], [30, 30, 34]];
        let shoulders = ellipse([cx, y + h * 1.02], [w * 0.46, h * 0.3], 40)
            .into_iter()
            .map(|[px, py]| [px.clamp(x, x + w), py.min(y + h)])
            .collect();
        self.polygon(shoulders, clothes[rng.random_range(0..clothes.len())]);
        let skin = [
            [236, 200, 170],
            [214, 170, 130],
            [170, 120, 84],
            [120, 84, 60],
        ];
        let tone = skin[rng.random_range(0..skin.len())];
        let face = [cx, y + h * 0.44];
        let neck = ellipse([cx, face[1] + h * 0.2], [w * 0.1, h * 0.1], 16);
        // The neck a shade darker than the face, as in the chin's shadow.
        self.polygon(neck, tone.map(|c| (f32::from(c) * 0.85) as u8));
        self.polygon(ellipse(face, [w * 0.22, h * 0.24], 32), tone);
        let hair = [[24, 20, 18], [90, 60, 30], [180, 150, 90], [120, 120, 120]];
        let top = ellipse([cx, face[1] - h * 0.1], [w * 0.23, h * 0.16], 32)
            .into_iter()
            .map(|[px, py]| [px, py.min(face[1] - h * 0.1)])
            .collect();
        self.polygon(top, hair[rng.random_range(0..hair.len())]);
    }

    /// A hand-written signature scribble inside `[x, y, w, h]`, in blue or black pen: a smooth
    /// curve through random points that sweep left to right, sometimes with a flourish under it.
    pub fn signature<R: Rng + ?Sized>(&mut self, rng: &mut R, [x, y, w, h]: [f32; 4]) {
        let pens = [[20, 40, 140], [30, 30, 60], [10, 10, 12]];
        let pen = pens[rng.random_range(0..pens.len())];
        let n = rng.random_range(6..11);
        let knots: Vec<[f32; 2]> = (0..n)
            .map(|k| {
                // Alternate high and low points, with a loop-making backtrack now and then.
                let back = if rng.random_bool(0.3) { -0.08 } else { 0.0 };
                let t = (k as f32 + rng.random_range(-0.3..0.3)) / (n - 1) as f32 + back;
                let level = if k % 2 == 0 { 0.15..0.45 } else { 0.55..0.95 };
                [x + w * t.clamp(0.0, 1.0), y + h * rng.random_range(level)]
            })
            .collect();
        self.stroke(catmull_rom(&knots, 12), rng.random_range(0.6..1.1), pen);
        if rng.random_bool(0.6) {
            let tail = y + h * rng.random_range(0.7..0.95);
            let sweep = vec![
                [x + w * 0.05, tail],
                [x + w * 0.5, tail + h * 0.05],
                [x + w * rng.random_range(0.7..1.0), tail - h * 0.2],
            ];
            self.stroke(catmull_rom(&sweep, 12), 0.7, pen);
        }
    }

    /// A block that looks like a QR code (random modules, real finder patterns), `side` points
    /// wide with its top-left at `[x, y]`. Runs of dark modules in a row become one rectangle.
    pub fn qr_like<R: Rng + ?Sized>(&mut self, rng: &mut R, [x, y]: [f32; 2], side: f32) {
        let m = side / QR_MODULES as f32;
        for row in 0..QR_MODULES {
            let dark: Vec<bool> = (0..QR_MODULES)
                .map(|col| finder_module(row, col).unwrap_or_else(|| rng.random_bool(0.5)))
                .collect();
            let mut col = 0;
            while col < dark.len() {
                let run = dark[col..].iter().take_while(|d| **d).count();
                if run > 0 {
                    let rect = [x + col as f32 * m, y + row as f32 * m, run as f32 * m, m];
                    self.rect(rect, INK);
                }
                col += run.max(1);
            }
        }
    }
}

/// A Catmull-Rom curve through `knots`, `steps` points per segment.
fn catmull_rom(knots: &[[f32; 2]], steps: usize) -> Vec<[f32; 2]> {
    let at = |i: isize| knots[i.clamp(0, knots.len() as isize - 1) as usize];
    let mut out = Vec::new();
    for i in 0..knots.len().saturating_sub(1) as isize {
        let (p0, p1, p2, p3) = (at(i - 1), at(i), at(i + 1), at(i + 2));
        for s in 0..steps {
            let t = s as f32 / steps as f32;
            let (t2, t3) = (t * t, t * t * t);
            let point = [0, 1].map(|k| {
                0.5 * (2.0 * p1[k]
                    + (p2[k] - p0[k]) * t
                    + (2.0 * p0[k] - 5.0 * p1[k] + 4.0 * p2[k] - p3[k]) * t2
                    + (3.0 * p1[k] - p0[k] - 3.0 * p2[k] + p3[k]) * t3)
            });
            out.push(point);
        }
    }
    out.extend(knots.last());
    out
}

/// `n` points on an ellipse, clockwise from the right.
fn ellipse(c: [f32; 2], r: [f32; 2], n: usize) -> Vec<[f32; 2]> {
    (0..n)
        .map(|i| {
            let a = std::f32::consts::TAU * i as f32 / n as f32;
            [c[0] + r[0] * a.cos(), c[1] + r[1] * a.sin()]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    fn dark(img: &RgbImage, [x0, y0, x1, y1]: [f32; 4], s: f32) -> usize {
        let (x0, y0) = ((x0 * s) as u32, (y0 * s) as u32);
        let (x1, y1) = (
            ((x1 * s) as u32).min(img.width()),
            ((y1 * s) as u32).min(img.height()),
        );
        (y0..y1)
            .flat_map(|y| (x0..x1).map(move |x| (x, y)))
            .filter(|&(x, y)| img.get_pixel(x, y).0[0] < 128)
            .count()
    }

    #[test]
    fn text_lands_in_its_bounds_at_any_resolution() {
        let fonts = Fonts::load().expect("fonts installed");
        let mut sheet = Sheet::new(&fonts, 300.0, 100.0);
        sheet.text("YOUXING CHEN", FontFace::SansBold, 10.0, 20.0, 40.0);
        let doc = sheet.finish([255, 255, 255], Truth::default());
        let t = doc.texts().next().expect("one text");
        let b = t.bounds(&fonts);
        assert!((b[3] - b[1] - 10.0 * 1.15).abs() < 1.0, "line box {b:?}");
        for dpi in [72.0, 150.0, 300.0] {
            let img = doc.render(&fonts, dpi);
            let s = dpi / 72.0;
            let inside = dark(&img, b, s);
            let all = dark(&img, [0.0, 0.0, 300.0, 100.0], s);
            assert!(inside > 20, "{dpi} dpi: {inside} dark pixels");
            assert!(
                inside as f32 >= 0.97 * all as f32,
                "{dpi} dpi: ink outside the box"
            );
        }
    }

    #[test]
    fn wrapping_keeps_every_word_and_respects_the_width() {
        let fonts = Fonts::load().expect("fonts installed");
        let sheet = Sheet::new(&fonts, 595.0, 842.0);
        let text = "JL. RAYA SUNGAILIAT PANGKALPINANG KM.10 MERAWANG BANGKA";
        let lines = sheet.wrap(text, FontFace::Sans, 10.0, 120.0);
        assert!(lines.len() >= 2, "{lines:?}");
        assert_eq!(lines.join(" "), text);
        for line in &lines {
            assert!(sheet.measure(FontFace::Sans, 10.0, line) <= 120.0, "{line}");
        }
    }

    #[test]
    fn shapes_draw_where_they_are() {
        let fonts = Fonts::load().expect("fonts installed");
        let mut sheet = Sheet::new(&fonts, 200.0, 200.0);
        let mut rng = StdRng::seed_from_u64(3);
        sheet.rule(10.0, 190.0, 10.0, 1.0);
        sheet.photo(&mut rng, [20.0, 30.0, 60.0, 80.0]);
        sheet.signature(&mut rng, [100.0, 40.0, 80.0, 30.0]);
        sheet.qr_like(&mut rng, [100.0, 120.0], 58.0);
        let img = sheet
            .finish([255, 255, 255], Truth::default())
            .render(&fonts, 144.0);
        let at = |x: f32, y: f32| img.get_pixel((x * 2.0) as u32, (y * 2.0) as u32).0;
        assert!(at(100.0, 10.0)[0] < 60, "rule");
        assert!(at(100.0, 14.0)[0] > 200, "rule too thick");
        assert_ne!(at(50.0, 100.0), [255, 255, 255], "photo");
        assert!(at(101.0, 121.0)[0] < 60, "QR finder corner");
        let ink = dark(&img, [100.0, 40.0, 180.0, 70.0], 2.0);
        assert!(ink > 100, "signature has only {ink} dark pixels");
        assert_eq!(at(190.0, 190.0), [255, 255, 255]);
    }
}
