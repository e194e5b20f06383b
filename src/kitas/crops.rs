//! Cutting the holder's photo and the signature out of the page image.
//!
//! Both are found as ink that is not text: the page is averaged over a coarse grid of cells,
//! each cell compared with the paper colour (the median cell), and cells under or beside an OCR
//! line are left out.
//!
//! - The photo is the largest solid block of such cells, roughly 3:4 (a passport photo), away
//!   from the page's edge, preferably left of the column of permit numbers. Thin strokes are
//!   eroded away first, so that a card's security print cannot join the photo to the page. Its plain backdrop
//!   may be almost the colour of the paper, so the block found from its strong colours is grown
//!   while the cells just outside still differ from paper a little.
//! - The signature is the pen ink within a few text heights above or below the issue line.
//!
//! Invariants: nothing here panics on any image or any boxes (empty images, boxes off the page);
//! a region is returned only if it lies within the image and is at least one cell large.

use std::io::Cursor;

use base64::Engine as _;
use image::{ImageFormat, RgbImage};

use super::fields::Crop;

/// Tunables of the photo and signature search.
#[derive(Debug, Clone, PartialEq)]
pub struct CropParams {
    /// The page's longer side is split into about this many cells: 5-7 px cells on an A4 scan
    /// at 150-200 dpi, small against a photo (80+ cells tall) and large enough to average noise.
    pub cells: u32,
    /// A cell's colour must differ from paper by this much (0..255, largest channel) to seed the
    /// photo: clear of JPEG and scanner noise once averaged over a cell.
    pub photo_ink: f32,
    /// Growing the photo stops where fewer than `grow_share` of the cells along the new edge
    /// differ from paper by `grow_ink`: a light grey backdrop differs by 5-15.
    pub grow_ink: f32,
    pub grow_share: f32,
    /// Width over height of a photo: 3:4 is 0.75, ID cards print about 0.78; the tolerance
    /// admits a crop that lost a little of its backdrop.
    pub photo_aspect: (f32, f32),
    /// Share of the block's cells that must be ink: a photo is solid, a signature or a text
    /// column that escaped the OCR is not.
    pub photo_fill: f32,
    /// A photo is at least this many text heights tall (printouts: about 10, cards: about 9).
    pub photo_min_height: f32,
    /// Pen ink differs strongly from paper even where a thin stroke covers a fraction of a cell.
    pub sign_ink: f32,
    /// Fewer ink cells than this near the issue line is a stray mark, not a signature.
    pub sign_min_cells: usize,
}

impl Default for CropParams {
    fn default() -> Self {
        Self {
            cells: 300,
            photo_ink: 10.0,
            grow_ink: 5.0,
            grow_share: 0.6,
            photo_aspect: (0.6, 0.95),
            photo_fill: 0.45,
            photo_min_height: 4.0,
            sign_ink: 25.0,
            sign_min_cells: 6,
        }
    }
}

/// A region of the page: `[x0, y0, x1, y1]` in pixels (end exclusive) and a confidence.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Region {
    pub rect: [u32; 4],
    pub confidence: f32,
}

/// The page as a grid of cells: each cell's difference from paper and whether text covers it.
struct Grid {
    cell: u32,
    cols: usize,
    rows: usize,
    diff: Vec<f32>,
    text: Vec<bool>,
}

impl Grid {
    fn new(img: &RgbImage, text: &[[f32; 4]], cells: u32) -> Option<Grid> {
        let (w, h) = img.dimensions();
        if w == 0 || h == 0 {
            return None;
        }
        let cell = (w.max(h) / cells.max(1)).clamp(2, 16);
        let (cols, rows) = (w.div_ceil(cell) as usize, h.div_ceil(cell) as usize);
        let mut sums = vec![[0f32; 4]; cols * rows];
        for (x, y, p) in img.enumerate_pixels() {
            let s = &mut sums[(y / cell) as usize * cols + (x / cell) as usize];
            for c in 0..3 {
                s[c] += f32::from(p[c]);
            }
            s[3] += 1.0;
        }
        let means: Vec<[f32; 3]> = sums
            .iter()
            .map(|s| [0, 1, 2].map(|c| s[c] / s[3].max(1.0)))
            .collect();
        let paper = [0, 1, 2].map(|c| median(means.iter().map(|m| m[c]).collect()));
        let diff = means
            .iter()
            .map(|m| (0..3).map(|c| (m[c] - paper[c]).abs()).fold(0.0, f32::max))
            .collect();
        let mut grid = Grid {
            cell,
            cols,
            rows,
            diff,
            text: vec![false; cols * rows],
        };
        for b in text {
            grid.mark_text(b);
        }
        Some(grid)
    }

    /// Marks the cells under a text box grown by a fifth of its height (ascenders, descenders
    /// and accents reach past the detector's box).
    fn mark_text(&mut self, b: &[f32; 4]) {
        let pad = 0.2 * (b[3] - b[1]).max(0.0);
        let [c0, r0, c1, r1] = self.cells_of([b[0] - pad, b[1] - pad, b[2] + pad, b[3] + pad]);
        for r in r0..r1 {
            for c in c0..c1 {
                self.text[r * self.cols + c] = true;
            }
        }
    }

    /// The cells `[c0, r0, c1, r1)` covering a pixel rectangle, clamped to the grid.
    fn cells_of(&self, [x0, y0, x1, y1]: [f32; 4]) -> [usize; 4] {
        let cell = self.cell as f32;
        let clamp = |v: f32, n: usize| (v.max(0.0) as usize).min(n);
        [
            clamp((x0 / cell).floor(), self.cols),
            clamp((y0 / cell).floor(), self.rows),
            clamp((x1 / cell).ceil(), self.cols),
            clamp((y1 / cell).ceil(), self.rows),
        ]
    }

    fn ink(&self, c: usize, r: usize, level: f32) -> bool {
        let i = r * self.cols + c;
        !self.text[i] && self.diff[i] > level
    }

    /// Ink whose four neighbours are ink too: thin strokes (the wavy security print of a card,
    /// rules, signatures) drop out, so they cannot join the photo to the rest of the page.
    fn core(&self, c: usize, r: usize, level: f32) -> bool {
        let inside = c > 0 && r > 0 && c + 1 < self.cols && r + 1 < self.rows;
        inside
            && self.ink(c, r, level)
            && self.ink(c - 1, r, level)
            && self.ink(c + 1, r, level)
            && self.ink(c, r - 1, level)
            && self.ink(c, r + 1, level)
    }

    /// Pixel rectangle of cells `[c0, r0, c1, r1)`, clamped to the image.
    fn pixels(&self, [c0, r0, c1, r1]: [usize; 4], (w, h): (u32, u32)) -> [u32; 4] {
        let px = |v: usize, max: u32| (v as u32 * self.cell).min(max);
        [px(c0, w), px(r0, h), px(c1, w), px(r1, h)]
    }
}

fn median(mut v: Vec<f32>) -> f32 {
    if v.is_empty() {
        return 0.0;
    }
    let mid = v.len() / 2;
    *v.select_nth_unstable_by(mid, f32::total_cmp).1
}

/// A connected block of ink cells: its cell rectangle `[c0, r0, c1, r1)` and cell count.
struct Blob {
    rect: [usize; 4],
    count: usize,
    touches_edge: bool,
}

/// The 8-connected blocks of core cells (see [`Grid::core`]) with ink above `level`.
fn blobs(g: &Grid, level: f32) -> Vec<Blob> {
    let mut seen = vec![false; g.cols * g.rows];
    let mut out = Vec::new();
    for start in 0..seen.len() {
        if seen[start] || !g.core(start % g.cols, start / g.cols, level) {
            continue;
        }
        seen[start] = true;
        let mut stack = vec![start];
        let mut rect = [usize::MAX, usize::MAX, 0, 0];
        let mut count = 0;
        while let Some(i) = stack.pop() {
            let (c, r) = (i % g.cols, i / g.cols);
            rect = [
                rect[0].min(c),
                rect[1].min(r),
                rect[2].max(c + 1),
                rect[3].max(r + 1),
            ];
            count += 1;
            for (nc, nr) in neighbours(c, r, g.cols, g.rows) {
                let j = nr * g.cols + nc;
                if !seen[j] && g.core(nc, nr, level) {
                    seen[j] = true;
                    stack.push(j);
                }
            }
        }
        let touches_edge = rect[0] == 0 || rect[1] == 0 || rect[2] == g.cols || rect[3] == g.rows;
        out.push(Blob {
            rect,
            count,
            touches_edge,
        });
    }
    out
}

fn neighbours(
    c: usize,
    r: usize,
    cols: usize,
    rows: usize,
) -> impl Iterator<Item = (usize, usize)> {
    (-1i64..=1)
        .flat_map(|dr| (-1i64..=1).map(move |dc| (dc, dr)))
        .filter(|d| *d != (0, 0))
        .filter_map(move |(dc, dr)| {
            let (nc, nr) = (c as i64 + dc, r as i64 + dr);
            (nc >= 0 && nr >= 0 && (nc as usize) < cols && (nr as usize) < rows)
                .then_some((nc as usize, nr as usize))
        })
}

/// Share of the cells in `[c0, r0, c1, r1)` with ink above `level`.
fn ink_share(g: &Grid, [c0, r0, c1, r1]: [usize; 4], level: f32) -> f32 {
    let total = (c1.saturating_sub(c0) * r1.saturating_sub(r0)).max(1);
    let ink = (r0..r1)
        .flat_map(|r| (c0..c1).map(move |c| (c, r)))
        .filter(|&(c, r)| g.ink(c, r, level))
        .count();
    ink as f32 / total as f32
}

/// Grows a block side by side while the next row or column of cells is still off-paper, by at
/// most the block's own size per side: the strong colours of a photo may be only its face, in
/// the middle of a backdrop and clothes nearly the colour of the paper.
fn grow(g: &Grid, mut rect: [usize; 4], p: &CropParams) -> [usize; 4] {
    let (w, h) = (rect[2] - rect[0], rect[3] - rect[1]);
    let limit = [w, h, w, h];
    let mut grown = [0usize; 4];
    loop {
        let mut changed = false;
        for side in 0..4 {
            if grown[side] >= limit[side] {
                continue;
            }
            let edge = match side {
                0 if rect[0] > 0 => [rect[0] - 1, rect[1], rect[0], rect[3]],
                1 if rect[1] > 0 => [rect[0], rect[1] - 1, rect[2], rect[1]],
                2 if rect[2] < g.cols => [rect[2], rect[1], rect[2] + 1, rect[3]],
                3 if rect[3] < g.rows => [rect[0], rect[3], rect[2], rect[3] + 1],
                _ => continue,
            };
            if ink_share(g, edge, p.grow_ink) >= p.grow_share {
                rect = match side {
                    0 | 1 => {
                        let mut r = rect;
                        r[side] -= 1;
                        r
                    }
                    _ => {
                        let mut r = rect;
                        r[side] += 1;
                        r
                    }
                };
                grown[side] += 1;
                changed = true;
            }
        }
        if !changed {
            return rect;
        }
    }
}

/// The holder's photo: the largest solid, roughly 3:4 block of non-text ink, preferring one
/// left of `anchors` (the box of the permit-number labels) and level with them.
pub(crate) fn photo(
    img: &RgbImage,
    text: &[[f32; 4]],
    text_height: f32,
    anchors: Option<[f32; 4]>,
    p: &CropParams,
) -> Option<Region> {
    let g = Grid::new(img, text, p.cells)?;
    let cell = g.cell as f32;
    let min_rows = (p.photo_min_height * text_height / cell).ceil() as usize;
    let candidates = blobs(&g, p.photo_ink).into_iter().filter_map(|b| {
        let rect = grow(&g, b.rect, p);
        let (w, h) = (rect[2] - rect[0], rect[3] - rect[1]);
        let aspect = w as f32 / h.max(1) as f32;
        let solid = b.count as f32
            / (b.rect[2] - b.rect[0]).max(1) as f32
            / (b.rect[3] - b.rect[1]).max(1) as f32;
        let fits = !b.touches_edge
            && h >= min_rows.max(3)
            && (p.photo_aspect.0..=p.photo_aspect.1).contains(&aspect)
            && solid >= p.photo_fill;
        fits.then_some((rect, w * h))
    });
    let anchored = |r: &[usize; 4]| {
        anchors.is_some_and(|a| {
            let [x0, y0, x1, y1] = r.map(|v| v as f32 * cell);
            let tall = y1 - y0;
            x1 <= a[0] + text_height && y1 >= a[1] - tall && y0 <= a[3] + tall && x0 >= 0.0
        })
    };
    let (rect, _) = candidates.max_by_key(|(r, area)| (anchored(r), *area))?;
    Some(Region {
        rect: g.pixels(rect, img.dimensions()),
        confidence: ink_share(&g, rect, p.grow_ink),
    })
}

/// The signature near the issue line `issue` (a pixel box): the pen ink in the band below it
/// (where printouts put it) or, if there is more there, above it.
pub(crate) fn sign(
    img: &RgbImage,
    text: &[[f32; 4]],
    issue: [f32; 4],
    p: &CropParams,
) -> Option<Region> {
    let g = Grid::new(img, text, p.cells)?;
    let h = (issue[3] - issue[1]).max(1.0);
    let (x0, x1) = (
        issue[0] - 2.0 * h,
        issue[0] + (issue[2] - issue[0]).max(12.0 * h),
    );
    let below = g.cells_of([x0, issue[3] + 0.2 * h, x1, issue[3] + 10.0 * h]);
    let above = g.cells_of([x0, issue[1] - 6.0 * h, x1, issue[1] - 0.2 * h]);
    let ink = |[c0, r0, c1, r1]: [usize; 4]| -> Vec<(usize, usize)> {
        (r0..r1)
            .flat_map(|r| (c0..c1).map(move |c| (c, r)))
            .filter(|&(c, r)| g.ink(c, r, p.sign_ink))
            .collect()
    };
    let (a, b) = (ink(below), ink(above));
    let cells = if b.len() > a.len() { b } else { a };
    if cells.len() < p.sign_min_cells {
        return None;
    }
    let rect = cells
        .iter()
        .fold([usize::MAX, usize::MAX, 0, 0], |r, &(c, row)| {
            [
                r[0].min(c),
                r[1].min(row),
                r[2].max(c + 1),
                r[3].max(row + 1),
            ]
        });
    let rect = [
        rect[0].saturating_sub(1),
        rect[1].saturating_sub(1),
        (rect[2] + 1).min(g.cols),
        (rect[3] + 1).min(g.rows),
    ];
    // A stroke crosses its own box about twice; more ink than that is surely a signature.
    let expected = 2 * (rect[2] - rect[0]);
    Some(Region {
        rect: g.pixels(rect, img.dimensions()),
        confidence: (cells.len() as f32 / expected.max(1) as f32).min(1.0),
    })
}

/// The region cut out, encoded as base64 PNG, with its polygon.
pub(crate) fn encode(img: &RgbImage, region: Region, page_index: usize) -> Option<Crop> {
    let [x0, y0, x1, y1] = region.rect;
    if x1 <= x0 || y1 <= y0 || x1 > img.width() || y1 > img.height() {
        return None;
    }
    let cut = image::imageops::crop_imm(img, x0, y0, x1 - x0, y1 - y0).to_image();
    let mut png = Cursor::new(Vec::new());
    cut.write_to(&mut png, ImageFormat::Png).ok()?;
    let [x0, y0, x1, y1] = region.rect.map(|v| v as f32);
    Some(Crop {
        png_base64: base64::engine::general_purpose::STANDARD.encode(png.into_inner()),
        confidence: region.confidence,
        polygon: vec![[x0, y0], [x1, y0], [x1, y1], [x0, y1]],
        page_index,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgb;

    const PAPER: Rgb<u8> = Rgb([248, 247, 243]);

    fn fill(img: &mut RgbImage, [x0, y0, x1, y1]: [u32; 4], color: Rgb<u8>) {
        for y in y0..y1 {
            for x in x0..x1 {
                img.put_pixel(x, y, color);
            }
        }
    }

    /// A 600x850 page with a light-grey photo (dark silhouette inside) at 60..180 x 200..360,
    /// a text line to its right and a wide grey rule.
    fn page() -> (RgbImage, Vec<[f32; 4]>) {
        let mut img = RgbImage::from_pixel(600, 850, PAPER);
        fill(&mut img, [60, 200, 180, 360], Rgb([236, 238, 240]));
        fill(&mut img, [80, 250, 160, 360], Rgb([40, 44, 60]));
        fill(&mut img, [220, 210, 400, 226], Rgb([20, 20, 20]));
        fill(&mut img, [40, 120, 560, 124], Rgb([20, 20, 20]));
        (img, vec![[220.0, 210.0, 400.0, 226.0]])
    }

    #[test]
    fn the_photo_block_is_found_with_its_pale_backdrop() {
        let (img, text) = page();
        let anchors = Some([220.0, 210.0, 400.0, 226.0]);
        let r = photo(&img, &text, 16.0, anchors, &CropParams::default()).expect("a photo");
        let [x0, y0, x1, y1] = r.rect;
        for (got, want) in [(x0, 60), (y0, 200), (x1, 180), (y1, 360)] {
            assert!(got.abs_diff(want) <= 4, "{:?}", r.rect);
        }
        assert!(r.confidence > 0.8, "{}", r.confidence);
    }

    #[test]
    fn no_photo_on_a_page_of_text_and_rules() {
        let mut img = RgbImage::from_pixel(600, 850, PAPER);
        fill(&mut img, [40, 120, 560, 124], Rgb([20, 20, 20]));
        let text = [[220.0, 210.0, 400.0, 226.0]];
        fill(&mut img, [220, 210, 400, 226], Rgb([20, 20, 20]));
        assert_eq!(photo(&img, &text, 16.0, None, &CropParams::default()), None);
        assert_eq!(
            photo(
                &RgbImage::new(0, 0),
                &[],
                16.0,
                None,
                &CropParams::default()
            ),
            None
        );
    }

    #[test]
    fn the_signature_is_the_ink_below_the_issue_line() {
        let (mut img, mut text) = page();
        let issue = [380.0, 600.0, 540.0, 616.0];
        fill(&mut img, [380, 600, 540, 616], Rgb([20, 20, 20]));
        text.push(issue);
        assert_eq!(sign(&img, &text, issue, &CropParams::default()), None);
        // A scribble: a few dark strokes under the line.
        for k in 0..6 {
            fill(
                &mut img,
                [400 + 15 * k, 650 + 4 * k, 440 + 15 * k, 654 + 4 * k],
                Rgb([20, 40, 140]),
            );
        }
        let r = sign(&img, &text, issue, &CropParams::default()).expect("a signature");
        let [x0, y0, x1, y1] = r.rect;
        assert!(
            x0 <= 400 && x1 >= 515 && y0 <= 650 && y1 >= 674,
            "{:?}",
            r.rect
        );
        assert!(
            y0 >= 616,
            "the issue line is not part of the signature: {:?}",
            r.rect
        );
        let crop = encode(&img, r, 0).expect("encodes");
        assert!(crop.png_base64.starts_with("iVBOR"), "a PNG");
        assert_eq!(crop.polygon.len(), 4);
    }
}
