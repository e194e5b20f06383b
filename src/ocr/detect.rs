//! Text line detection with the PP-OCR DB (differentiable binarization) model.
//!
//! The model maps an image to a per-pixel probability of "inside a text line's core". This stage
//! resizes the image (aspect kept, sides multiples of 32, longest side at most
//! [`DetParams::max_side`]), runs the model on the window of it that holds ink ([`ink_window`]:
//! margins and blank bands of paper left out, sides rounded to a shape bucket), places that back
//! on a map of the whole image, thresholds the map, takes
//! each connected region's minimum-area rotated rectangle, scores it on the map, splits it where a
//! wide low-probability gap runs through it (a label and its value read as one region), grows
//! ("unclips") it back to the full text height, and maps it to the input image's pixels.

use image::{GrayImage, Luma, RgbImage, imageops};
use imageproc::region_labelling::{Connectivity, connected_components};
use tract_onnx::prelude::*;

use super::OcrError;
use super::model::OnnxModel;
use crate::geometry::{Quad, RotatedRect, min_area_rect, quad_contains};

/// Tunable thresholds of the detector, with PaddleOCR's defaults where they exist.
#[derive(Debug, Clone, PartialEq)]
pub struct DetParams {
    /// Longest side the image is scaled down to before detection. 960 keeps 10-point print on an
    /// A4 page at about 12 px of map height, enough for DB, at a quarter of the work of 1920.
    pub max_side: u32,
    /// Probability above which a map pixel belongs to a text core (PaddleOCR: 0.3).
    pub thresh: f32,
    /// Mean probability a region needs to count as text; lower lets noise through (PaddleOCR 0.6,
    /// RapidOCR 0.5: print on paper scores high, 0.5 keeps faint camera text).
    pub box_thresh: f32,
    /// How far the shrunken core is grown back, as area * ratio / perimeter (PaddleOCR: 1.6).
    pub unclip_ratio: f32,
    /// Regions whose short side is below this many map pixels are noise (PaddleOCR: 3).
    pub min_size: f32,
    /// At most this many regions are considered, so a noisy frame cannot cost unbounded work.
    pub max_candidates: usize,
    /// A region is split where its core is weak over a run longer than this many times its
    /// height: words on a line are a fraction of a height apart, a label and its value several.
    pub split_gap: f32,
    /// Mean probability across a column below which that column counts as a gap when splitting.
    pub split_thresh: f32,
    /// Two lines set close (a small label over its translation) can have cores that touch at
    /// a few columns and make one region, which the recogniser reads as one garbled line. A
    /// region is cut at a map row whose pixels number under this share of the rows' on either
    /// side (the median of each side): where two lines touch, a handful of pixels against a
    /// line's length; a single line's core is solid between its first and last rows.
    pub stack_neck: f32,
    /// ...with at least this many map rows of core on each side (a 10-point label at the
    /// default scale has a core of about 4 rows).
    pub stack_min_rows: usize,
    /// Text whose median line height on the map is below this many pixels is too small for DB
    /// (its cores merge and break): detection runs again at a finer scale...
    pub min_text_px: f32,
    /// ...chosen to bring the median line to this height...
    pub target_text_px: f32,
    /// ...but never with a longest side above this (a 2592 x 1944 frame at full size costs 7
    /// times the default pass).
    pub max_side_fine: u32,
    /// The model reads only the part of the scaled image that holds ink, with this many pixels of
    /// blank paper around it (0: always the whole image). A printed page's margins are a quarter
    /// or more of it, and cost as much to read as its text.
    pub ink_margin: u32,
    /// The read part's sides are rounded up to multiples of this (a plan per shape).
    pub window_bucket: u32,
}

impl Default for DetParams {
    fn default() -> Self {
        Self {
            max_side: 960,
            thresh: 0.3,
            box_thresh: 0.5,
            unclip_ratio: 1.6,
            min_size: 3.0,
            max_candidates: 1000,
            split_gap: 1.2,
            split_thresh: 0.35,
            stack_neck: 0.5,
            stack_min_rows: 3,
            min_text_px: 12.0,
            target_text_px: 20.0,
            max_side_fine: 2048,
            ink_margin: 32,
            window_bucket: 128,
        }
    }
}

/// The detector: the DB model and its parameters.
pub struct Detector {
    model: OnnxModel,
    pub params: DetParams,
}

/// What detection found: line boxes in input pixels, and the probability map for debugging.
pub struct Detection {
    /// One quadrilateral per text line, top to bottom then left to right.
    pub boxes: Vec<Quad>,
    /// The model's probability map (0..255) over the resized image, before padding.
    pub map: GrayImage,
}

/// The size an image is scaled to before detection: aspect kept, longest side at most `max_side`
/// (never scaled up), each side rounded to a multiple of 32 and at least 32.
pub fn scaled_size(w: u32, h: u32, max_side: u32) -> (u32, u32) {
    let ratio = (max_side as f32 / w.max(h).max(1) as f32).min(1.0);
    let round32 = |v: u32| (((v as f32 * ratio) / 32.0).round() as u32 * 32).max(32);
    (round32(w), round32(h))
}

fn round_up(v: u32, to: u32) -> u32 {
    v.div_ceil(to.max(1)) * to.max(1)
}

impl Detector {
    /// Compiled plans held now (one per input shape bucket seen).
    pub fn cached_plans(&self) -> usize {
        self.model.cached_plans()
    }

    /// Plans the detector keeps: its inputs take one of a bounded set of shapes (window sides
    /// are multiples of [`DetParams::window_bucket`] up to the scaled page's), and a page's
    /// window takes one of several heights as its text ends higher or lower on the paper.
    /// Each plan holds about 9 MB (measured: `kitascan run`'s peak grew 66 MB with 7 more), so
    /// this stays small.
    pub const PLANS: usize = 10;

    pub fn new(model: OnnxModel, params: DetParams) -> Self {
        Self {
            model: model.keep_plans(Self::PLANS),
            params,
        }
    }

    /// Finds the text lines of an image: at [`DetParams::max_side`], then once more at a finer
    /// scale when the text found is too small for the first pass to have read it well.
    pub fn detect(&self, img: &RgbImage) -> Result<Detection, OcrError> {
        let coarse = self.detect_at(img, self.params.max_side)?;
        match self.finer_side(img, &coarse) {
            Some(side) => self.detect_at(img, side),
            None => Ok(coarse),
        }
    }

    /// The longest side for a second pass, if the first found only small text.
    fn finer_side(&self, img: &RgbImage, coarse: &Detection) -> Option<u32> {
        let longest = img.width().max(img.height());
        let map_scale = coarse.map.width().max(coarse.map.height()) as f32 / longest.max(1) as f32;
        let mut heights: Vec<f32> = coarse
            .boxes
            .iter()
            .map(|q| super::crop::quad_size(q).1 * map_scale)
            .collect();
        if heights.is_empty() {
            return None;
        }
        heights.sort_by(f32::total_cmp);
        let median = heights[heights.len() / 2];
        if median >= self.params.min_text_px {
            return None;
        }
        let wanted =
            (longest as f32 * map_scale * self.params.target_text_px / median.max(1.0)) as u32;
        let side = wanted.min(self.params.max_side_fine).min(longest);
        (side > self.params.max_side + self.params.max_side / 4).then_some(side)
    }

    /// Detection with the image scaled to at most `max_side`.
    pub fn detect_at(&self, img: &RgbImage, max_side: u32) -> Result<Detection, OcrError> {
        let (rw, rh) = scaled_size(img.width(), img.height(), max_side);
        let resized;
        let scaled = if (rw, rh) == img.dimensions() {
            img
        } else {
            resized = resize(img, rw, rh);
            &resized
        };
        let window = ink_window(scaled, self.params.ink_margin, self.params.window_bucket);
        tracing::debug!(
            x = window.x,
            w = window.w,
            h = window.h(),
            rw,
            rh,
            "detector window"
        );
        let input = Self::input_tensor(scaled, &window, self.params.window_bucket)?;
        let out = self.model.run(input)?;
        let map = prob_map(&out, &window, rw, rh)?;
        let (sx, sy) = (
            img.width() as f32 / rw as f32,
            img.height() as f32 / rh as f32,
        );
        let boxes = boxes_from_map(&self.params, &map, sx, sy);
        Ok(Detection {
            boxes,
            map: to_gray(&map),
        })
    }

    /// The input shapes the first pass over a `width` x `height` page most often takes: the
    /// whole page, and windows a bucket narrower and up to three shorter (a printed page's
    /// margins left out).
    pub fn prepared_shapes(&self, width: u32, height: u32) -> Vec<[usize; 4]> {
        let (rw, rh) = scaled_size(width, height, self.params.max_side);
        let b = self.params.window_bucket.max(1);
        let (bw, bh) = (round_up(rw, b), round_up(rh, b));
        let less = |side: u32, n: u32| (0..n).filter_map(move |k| side.checked_sub(k * b));
        let shape = |w: u32, h: u32| [1, 3, h as usize, w as usize];
        let mut shapes = vec![shape(bw, bh)];
        if bw > b {
            shapes.extend(less(bh, 4).filter(|&h| h > 0).map(|h| shape(bw - b, h)));
        }
        shapes
    }

    /// Compiles the plans of [`Detector::prepared_shapes`] ahead of the pages that need them.
    pub fn prepare(&self, width: u32, height: u32) -> Result<(), OcrError> {
        for shape in self.prepared_shapes(width, height) {
            self.model.plan(&shape)?;
        }
        Ok(())
    }

    /// Plans compiled since loading ([`OnnxModel::compilations`]).
    pub fn compilations(&self) -> usize {
        self.model.compilations()
    }

    /// The normalised input: the window of the scaled image, channels in BGR order as PaddleOCR
    /// trained on (OpenCV's), ImageNet mean and deviation, zero (the mean) in the padding up to
    /// multiples of `bucket` (where the window spans a side whole).
    fn input_tensor(src: &RgbImage, window: &Window, bucket: u32) -> Result<Tensor, OcrError> {
        let (bw, bh) = (round_up(window.w, bucket), round_up(window.h(), bucket));
        const MEAN: [f32; 3] = [0.485, 0.456, 0.406];
        const STD: [f32; 3] = [0.229, 0.224, 0.225];
        let mut t = tract_ndarray::Array4::<f32>::zeros((1, 3, bh as usize, bw as usize));
        let (x0, ww, bw) = (window.x as usize, window.w as usize, bw as usize);
        let row_len = src.width() as usize * 3;
        let raw = src.as_raw();
        let rows = window.rows.iter().map(|&y| {
            let y = y as usize;
            &raw[y * row_len..(y + 1) * row_len]
        });
        for c in 0..3 {
            // Channel c of the tensor is BGR: take RGB channel 2 - c. Rows are written as slices.
            let mut plane = t.slice_mut(tract_ndarray::s![0, c, .., ..]);
            let plane = plane
                .as_slice_mut()
                .ok_or_else(|| OcrError::Output("detector input not contiguous".into()))?;
            for (row, out) in rows.clone().zip(plane.chunks_exact_mut(bw)) {
                let row = &row[x0 * 3..(x0 + ww) * 3];
                for (p, v) in row.chunks_exact(3).zip(&mut out[..ww]) {
                    *v = (p[2 - c] as f32 / 255.0 - MEAN[c]) / STD[c];
                }
            }
        }
        Ok(t.into_tensor())
    }
}

/// Scales an image for the detector: a bilinear (triangle) filter over the whole source
/// footprint, as `imageops::resize` with `FilterType::Triangle` does, computed with SIMD
/// (`fast_image_resize`); the two agree to about a grey level.
pub fn resize(img: &RgbImage, w: u32, h: u32) -> RgbImage {
    use fast_image_resize::{self as fr, images::Image, images::ImageRef};
    let scaled = (|| {
        let src =
            ImageRef::new(img.width(), img.height(), img.as_raw(), fr::PixelType::U8x3).ok()?;
        let mut dst = Image::new(w, h, fr::PixelType::U8x3);
        let options = fr::ResizeOptions::new()
            .resize_alg(fr::ResizeAlg::Convolution(fr::FilterType::Bilinear));
        fr::Resizer::new().resize(&src, &mut dst, &options).ok()?;
        RgbImage::from_raw(w, h, dst.into_vec())
    })();
    // Only a zero-sized image fails above; the slow path gives its (empty) result.
    scaled.unwrap_or_else(|| imageops::resize(img, w, h, imageops::FilterType::Triangle))
}

/// Boxes from a probability map of the scaled image; `sx`, `sy` scale map to input pixels.
pub fn boxes_from_map(p: &DetParams, map: &ProbMap, sx: f32, sy: f32) -> Vec<Quad> {
    let mut rects = Vec::new();
    let regions = regions(map, p.thresh).into_iter().take(p.max_candidates);
    for region in regions.flat_map(|r| split_stacked(r, p.stack_neck, p.stack_min_rows, 3)) {
        let Some(rect) = min_area_rect(&region) else {
            continue;
        };
        if rect.short_side() < p.min_size {
            continue;
        }
        for part in split_at_gaps(map, &rect, p.split_gap, p.split_thresh) {
            if part.short_side() < p.min_size || box_score(map, &part.corners()) < p.box_thresh {
                continue;
            }
            let grown = part
                .grown(part.area() * p.unclip_ratio / (4.0 * (part.half_len + part.half_height)));
            if grown.short_side() < p.min_size + 2.0 {
                continue;
            }
            rects.push(grown);
        }
    }
    let mut quads: Vec<Quad> = rects
        .iter()
        .map(|r| {
            r.corners().map(|[x, y]| {
                [
                    (x * sx).clamp(0.0, map.width as f32 * sx),
                    (y * sy).clamp(0.0, map.height as f32 * sy),
                ]
            })
        })
        .collect();
    sort_reading_order(&mut quads);
    quads
}

/// A probability map, row-major, one value per pixel of the scaled image.
pub struct ProbMap {
    pub width: usize,
    pub height: usize,
    pub data: Vec<f32>,
}

impl ProbMap {
    /// The value at a point, nearest pixel; 0 outside the map.
    pub fn at(&self, x: f32, y: f32) -> f32 {
        let (xi, yi) = (x.round(), y.round());
        if xi < 0.0 || yi < 0.0 || xi >= self.width as f32 || yi >= self.height as f32 {
            return 0.0;
        }
        self.data[yi as usize * self.width + xi as usize]
    }
}

/// The model output `[1, 1, H, W]` over `window`, placed on a map of the whole `rw` x `rh`
/// scaled image (zero outside the window, the padding dropped).
fn prob_map(out: &Tensor, window: &Window, rw: u32, rh: u32) -> Result<ProbMap, OcrError> {
    let view = out
        .to_plain_array_view::<f32>()
        .map_err(|e| OcrError::Output(e.to_string()))?;
    let shape = view.shape();
    if shape.len() != 4 || shape[2] < window.rows.len() || shape[3] < window.w as usize {
        return Err(OcrError::Output(format!("detector output shape {shape:?}")));
    }
    let (w, h) = (rw as usize, rh as usize);
    let mut data = vec![0.0; w * h];
    for (y, &to) in window.rows.iter().enumerate() {
        let row = to as usize * w + window.x as usize;
        for x in 0..window.w as usize {
            data[row + x] = view[[0, 0, y, x]];
        }
    }
    Ok(ProbMap {
        width: w,
        height: h,
        data,
    })
}

/// The part of a scaled image the detector reads: columns `x..x + w`, and the rows listed in
/// `rows` (in order; blank bands of paper between them left out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    pub x: u32,
    pub w: u32,
    pub rows: Vec<u32>,
}

impl Window {
    /// The whole image.
    pub fn whole(w: u32, h: u32) -> Self {
        Self {
            x: 0,
            w,
            rows: (0..h).collect(),
        }
    }

    pub fn h(&self) -> u32 {
        self.rows.len() as u32
    }
}

/// Where `img` holds ink, for the detector to read only there: the box around every pixel
/// clearly darker than the paper, grown by `margin`; inside it, a blank band of rows taller than
/// four margins keeps a margin of paper at each end and loses its middle (a printout's empty
/// half-page between its signature and its footer). Sides are rounded up to multiples of
/// `bucket` with more of the image; a side that would reach the whole image (or `margin` 0)
/// spans it whole. Rows and columns that are mostly dark (a rule across the page, the
/// background beyond a photographed page's border) do not count as ink.
pub fn ink_window(img: &RgbImage, margin: u32, bucket: u32) -> Window {
    let (w, h) = img.dimensions();
    let whole = Window::whole(w, h);
    if margin == 0 || w == 0 || h == 0 {
        return whole;
    }
    let bucket = bucket.max(32);
    let gray: Vec<u8> = img
        .pixels()
        .map(|p| ((p.0[0] as u16 + p.0[1] as u16 + p.0[2] as u16) / 3) as u8)
        .collect();
    // The paper around each pixel: the 90th percentile of brightness in its block of
    // `BLOCK` x `BLOCK` pixels (a photographed page is darker in its shaded corners). Ink is at
    // least a quarter of the way down from it.
    const BLOCK: usize = 32;
    const CONTRAST: u8 = 64;
    let (wu, hu) = (w as usize, h as usize);
    let (bx, by) = (wu.div_ceil(BLOCK), hu.div_ceil(BLOCK));
    let mut ink_below = vec![0u8; bx * by];
    for j in 0..by {
        for i in 0..bx {
            let mut hist = [0usize; 256];
            let mut n = 0;
            for y in j * BLOCK..((j + 1) * BLOCK).min(hu) {
                for &g in &gray[y * wu + i * BLOCK..y * wu + ((i + 1) * BLOCK).min(wu)] {
                    hist[g as usize] += 1;
                    n += 1;
                }
            }
            let mut seen = 0;
            let paper = (0..256)
                .find(|&v| {
                    seen += hist[v];
                    seen * 10 >= n * 9
                })
                .unwrap_or(255) as u8;
            ink_below[j * bx + i] = paper.saturating_sub(CONTRAST);
        }
    }
    let is_ink = |x: usize, y: usize, g: u8| g < ink_below[(y / BLOCK) * bx + x / BLOCK];
    let mut row_ink = vec![0usize; hu];
    let mut col_ink = vec![0usize; wu];
    for (y, row) in gray.chunks_exact(wu).enumerate() {
        for (x, &g) in row.iter().enumerate() {
            if is_ink(x, y, g) {
                row_ink[y] += 1;
                col_ink[x] += 1;
            }
        }
    }
    let bar_row: Vec<bool> = row_ink.iter().map(|&n| n * 2 > wu).collect();
    let bar_col: Vec<bool> = col_ink.iter().map(|&n| n * 2 > hu).collect();
    // Rows holding ink outside the bar columns; the box spans those that are not bars.
    let mut inked = vec![false; hu];
    let (mut x0, mut x1) = (wu, 0);
    for (y, row) in gray.chunks_exact(wu).enumerate() {
        for (x, &g) in row.iter().enumerate() {
            if !bar_col[x] && is_ink(x, y, g) {
                inked[y] = true;
                if !bar_row[y] {
                    x0 = x0.min(x);
                    x1 = x1.max(x + 1);
                }
            }
        }
    }
    let text_rows = || (0..hu).filter(|&y| inked[y] && !bar_row[y]);
    let (Some(y0), Some(y1)) = (text_rows().next(), text_rows().next_back()) else {
        return whole;
    };
    if x1 <= x0 {
        return whole;
    }
    let m = margin as usize;
    // Columns: the box and its margins, rounded up with more of the image.
    let (x, ww) = {
        let lo = x0.saturating_sub(m) as u32;
        let hi = ((x1 + m) as u32).min(w);
        let size = round_up(hi - lo, bucket);
        if size >= w {
            (0, w)
        } else {
            (lo.min(w - size), size)
        }
    };
    // Rows: from a margin above the first ink to a margin below the last, leaving out the middle
    // of blank bands longer than four margins.
    let (top, bottom) = (y0.saturating_sub(m), (y1 + 1 + m).min(hu));
    let mut keep = vec![false; hu];
    let mut y = top;
    while y < bottom {
        if inked[y] {
            keep[y] = true;
            y += 1;
            continue;
        }
        let start = y;
        while y < bottom && !inked[y] {
            y += 1;
        }
        let blank = y - start;
        if blank > 4 * m && start > top && y < bottom {
            keep[start..start + m].iter_mut().for_each(|k| *k = true);
            keep[y - m..y].iter_mut().for_each(|k| *k = true);
        } else {
            keep[start..y].iter_mut().for_each(|k| *k = true);
        }
    }
    // Round the kept rows up to the bucket: the left-out bands' rows first (from their middle
    // outwards is not needed: any blank paper serves), then rows below and above the box.
    let kept = keep.iter().filter(|&&k| k).count();
    let wanted = round_up(kept as u32, bucket) as usize;
    if wanted >= hu {
        return Window {
            x,
            w: ww,
            rows: (0..h).collect(),
        };
    }
    let mut missing = wanted - kept;
    for y in (top..bottom).chain(bottom..hu).chain((0..top).rev()) {
        if missing == 0 {
            break;
        }
        if !keep[y] {
            keep[y] = true;
            missing -= 1;
        }
    }
    let rows = (0..h).filter(|&y| keep[y as usize]).collect();
    Window { x, w: ww, rows }
}

fn to_gray(map: &ProbMap) -> GrayImage {
    GrayImage::from_fn(map.width as u32, map.height as u32, |x, y| {
        Luma([(map.data[y as usize * map.width + x as usize] * 255.0).clamp(0.0, 255.0) as u8])
    })
}

/// The pixel coordinates of each 8-connected region above `thresh`, largest first.
fn regions(map: &ProbMap, thresh: f32) -> Vec<Vec<[f32; 2]>> {
    let bitmap = GrayImage::from_fn(map.width as u32, map.height as u32, |x, y| {
        Luma([u8::from(
            map.data[y as usize * map.width + x as usize] > thresh,
        )])
    });
    let labels = connected_components(&bitmap, Connectivity::Eight, Luma([0u8]));
    let mut regions: Vec<Vec<[f32; 2]>> = Vec::new();
    for (x, y, l) in labels.enumerate_pixels() {
        let l = l.0[0] as usize;
        if l == 0 {
            continue;
        }
        if regions.len() < l {
            regions.resize_with(l, Vec::new);
        }
        regions[l - 1].push([x as f32, y as f32]);
    }
    regions.retain(|r| r.len() >= 4);
    regions.sort_by_key(|r| std::cmp::Reverse(r.len()));
    regions
}

/// Splits a region made of stacked lines whose cores touch ([`DetParams::stack_neck`]) at its
/// narrowest row, and each part again, up to `depth` cuts deep; the neck's own pixels are left
/// out. A region without such a neck comes back whole.
fn split_stacked(
    region: Vec<[f32; 2]>,
    neck: f32,
    min_rows: usize,
    depth: usize,
) -> Vec<Vec<[f32; 2]>> {
    let Some(cut) = stack_cut(&region, neck, min_rows).filter(|_| depth > 0) else {
        return vec![region];
    };
    let (above, below): (Vec<_>, Vec<_>) = region
        .into_iter()
        .filter(|p| p[1] != cut)
        .partition(|p| p[1] < cut);
    let mut parts = split_stacked(above, neck, min_rows, depth - 1);
    parts.extend(split_stacked(below, neck, min_rows, depth - 1));
    parts.retain(|r| r.len() >= 4);
    parts
}

/// The map row at which a region of stacked lines is cut, if it has a neck.
fn stack_cut(region: &[[f32; 2]], neck: f32, min_rows: usize) -> Option<f32> {
    let (mut y0, mut y1) = (f32::INFINITY, f32::NEG_INFINITY);
    for p in region {
        (y0, y1) = (y0.min(p[1]), y1.max(p[1]));
    }
    let rows = (y1 - y0) as usize + 1;
    if rows < 2 * min_rows + 1 {
        return None;
    }
    let mut count = vec![0usize; rows];
    for p in region {
        count[(p[1] - y0) as usize] += 1;
    }
    let median = |side: &[usize]| {
        let mut v = side.to_vec();
        v.sort_unstable();
        v[v.len() / 2]
    };
    (min_rows..rows - min_rows)
        .filter_map(|r| {
            let side = median(&count[..r]).min(median(&count[r + 1..]));
            let share = count[r] as f32 / side.max(1) as f32;
            (share < neck).then_some((r, share))
        })
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(r, _)| y0 + r as f32)
}

/// Mean probability inside a quadrilateral (PaddleOCR's "fast" score).
fn box_score(map: &ProbMap, q: &Quad) -> f32 {
    let xs = q.iter().map(|p| p[0]);
    let ys = q.iter().map(|p| p[1]);
    let x0 = xs.clone().fold(f32::MAX, f32::min).floor().max(0.0) as usize;
    let x1 = (xs.fold(f32::MIN, f32::max).ceil() as usize).min(map.width.saturating_sub(1));
    let y0 = ys.clone().fold(f32::MAX, f32::min).floor().max(0.0) as usize;
    let y1 = (ys.fold(f32::MIN, f32::max).ceil() as usize).min(map.height.saturating_sub(1));
    let (mut sum, mut n) = (0.0f32, 0usize);
    for y in y0..=y1 {
        for x in x0..=x1 {
            if quad_contains(q, [x as f32, y as f32]) {
                sum += map.data[y * map.width + x];
                n += 1;
            }
        }
    }
    if n == 0 { 0.0 } else { sum / n as f32 }
}

/// Splits a region's rectangle where the mean probability across it stays below `thresh` for
/// longer than `gap` times its height. Returns the pieces (the whole rectangle when no such gap).
fn split_at_gaps(map: &ProbMap, r: &RotatedRect, gap: f32, thresh: f32) -> Vec<RotatedRect> {
    let height = (2.0 * r.half_height).max(1.0);
    let min_gap = (gap * height).max(2.0);
    let steps = (2.0 * r.half_len).ceil() as usize + 1;
    if (steps as f32) < 2.0 * min_gap {
        return vec![*r];
    }
    let across = (2.0 * r.half_height).ceil().max(1.0) as usize + 1;
    let column_mean = |i: usize| {
        let t = i as f32 - r.half_len;
        let sum: f32 = (0..across)
            .map(|j| map.at_point(r.at(t, j as f32 - r.half_height)))
            .sum();
        sum / across as f32
    };
    let weak: Vec<bool> = (0..steps).map(|i| column_mean(i) < thresh).collect();
    let mut pieces = Vec::new();
    let mut start = 0usize;
    let mut i = 0usize;
    while i < steps {
        if !weak[i] {
            i += 1;
            continue;
        }
        let run_start = i;
        while i < steps && weak[i] {
            i += 1;
        }
        let inner = run_start > 0 && i < steps;
        if inner && (i - run_start) as f32 >= min_gap {
            pieces.push(piece(r, start as f32, run_start as f32));
            start = i;
        }
    }
    if pieces.is_empty() {
        return vec![*r];
    }
    pieces.push(piece(r, start as f32, steps as f32 - 1.0));
    pieces
}

/// The part of `r` between `from` and `to` along its axis (measured from its start).
fn piece(r: &RotatedRect, from: f32, to: f32) -> RotatedRect {
    let mid = (from + to) / 2.0 - r.half_len;
    RotatedRect::from_sides(
        r.at(mid, 0.0),
        r.axis,
        ((to - from) / 2.0).max(0.5),
        r.half_height,
    )
}

impl ProbMap {
    fn at_point(&self, p: [f32; 2]) -> f32 {
        self.at(p[0], p[1])
    }
}

/// Sorts boxes top to bottom, and left to right among boxes whose tops are within 10 px
/// (PaddleOCR's rule), so that the lines of one row read in order.
pub fn sort_reading_order(quads: &mut [Quad]) {
    quads.sort_by(|a, b| {
        a[0][1]
            .total_cmp(&b[0][1])
            .then(a[0][0].total_cmp(&b[0][0]))
    });
    // One bubbling pass per element, as PaddleOCR does, so near-equal tops order by x.
    for i in 0..quads.len() {
        for j in (0..i).rev() {
            let (a, b) = (quads[j], quads[j + 1]);
            if (b[0][1] - a[0][1]).abs() < 10.0 && b[0][0] < a[0][0] {
                quads.swap(j, j + 1);
            } else {
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map_with(w: usize, h: usize, rects: &[(usize, usize, usize, usize, f32)]) -> ProbMap {
        let mut data = vec![0.0; w * h];
        for &(x0, y0, x1, y1, v) in rects {
            for y in y0..y1 {
                for x in x0..x1 {
                    data[y * w + x] = v;
                }
            }
        }
        ProbMap {
            width: w,
            height: h,
            data,
        }
    }

    #[test]
    fn the_fast_resize_is_the_triangle_filter_the_detector_was_tuned_on() {
        // Text-like content: dark strokes of several widths on paper, with a gradient.
        let img = RgbImage::from_fn(1240, 1754, |x, y| {
            let stroke = (x / 3 + y / 7) % 11 < 2 || (x * 7 + y) % 97 < 5;
            let base = 200 + ((x + y) % 50) as u8;
            if stroke {
                image::Rgb([20, 30, 40])
            } else {
                image::Rgb([base, base - 5, base - 10])
            }
        });
        let (w, h) = scaled_size(1240, 1754, 960);
        let fast = resize(&img, w, h);
        let slow = imageops::resize(&img, w, h, imageops::FilterType::Triangle);
        assert_eq!(fast.dimensions(), slow.dimensions());
        let diffs: Vec<i32> = fast
            .as_raw()
            .iter()
            .zip(slow.as_raw())
            .map(|(&a, &b)| (a as i32 - b as i32).abs())
            .collect();
        let worst = diffs.iter().max().copied().unwrap_or(0);
        let mean = diffs.iter().sum::<i32>() as f64 / diffs.len() as f64;
        assert!(worst <= 2 && mean < 0.5, "worst {worst}, mean {mean:.3}");
        // An empty target does not panic.
        assert_eq!(resize(&img, 0, 0).dimensions(), (0, 0));
    }

    #[test]
    fn scaled_size_keeps_aspect_and_multiples_of_32() {
        assert_eq!(scaled_size(1920, 1080, 960), (960, 544));
        assert_eq!(scaled_size(100, 30, 960), (96, 32));
        let (w, h) = scaled_size(1654, 2339, 960);
        assert_eq!(h, 960);
        assert_eq!(w % 32, 0);
    }

    #[test]
    fn one_core_becomes_one_unclipped_box_in_input_pixels() {
        let det = DetParams::default();
        let map = map_with(100, 40, &[(10, 15, 90, 21, 0.9)]);
        let d = boxes_from_map(&det, &map, 2.0, 2.0);
        assert_eq!(d.len(), 1);
        let q = d[0];
        // The core is 80 x 6 map pixels (centres 10..89, 15..20): grown by area*1.6/perimeter.
        let grow = (79.0 * 5.0) * 1.6 / (2.0 * (79.0 + 5.0));
        assert!((q[0][0] - (10.0 - grow) * 2.0).abs() < 0.1, "{q:?}");
        assert!((q[2][1] - (20.0 + grow) * 2.0).abs() < 0.1, "{q:?}");
    }

    #[test]
    fn a_wide_weak_gap_splits_a_region_but_a_word_space_does_not() {
        let det = DetParams::default();
        // Two runs of text joined by a weak bridge 30 px long (5 heights of 6 px): split.
        let map = map_with(
            200,
            40,
            &[
                (10, 15, 60, 21, 0.9),
                (60, 17, 90, 18, 0.5),
                (90, 15, 190, 21, 0.9),
            ],
        );
        assert_eq!(boxes_from_map(&det, &map, 1.0, 1.0).len(), 2);
        // A word space of 4 px is bridged by the model in reality; here a weak 4 px run: one box.
        let map = map_with(
            200,
            40,
            &[
                (10, 15, 60, 21, 0.9),
                (60, 17, 64, 18, 0.5),
                (64, 15, 190, 21, 0.9),
            ],
        );
        assert_eq!(boxes_from_map(&det, &map, 1.0, 1.0).len(), 1);
    }

    #[test]
    fn stacked_lines_whose_cores_touch_are_two_boxes_and_a_tall_line_is_one() {
        let det = DetParams::default();
        // A label (80 px) over its shorter translation (50 px), their cores touching through a
        // 3 px bridge on one row.
        let map = map_with(
            120,
            40,
            &[
                (10, 10, 90, 15, 0.9),
                (40, 15, 43, 16, 0.9),
                (10, 16, 60, 21, 0.9),
            ],
        );
        let boxes = boxes_from_map(&det, &map, 1.0, 1.0);
        assert_eq!(boxes.len(), 2, "{boxes:?}");
        assert!(boxes[0][2][1] < boxes[1][2][1], "top line first");
        // A line set large: its core is solid from its first row to its last.
        let map = map_with(120, 40, &[(10, 8, 100, 24, 0.9)]);
        assert_eq!(boxes_from_map(&det, &map, 1.0, 1.0).len(), 1);
        // Two lines touching over much of their length are no neck: one region, as before.
        let map = map_with(
            120,
            40,
            &[
                (10, 10, 90, 15, 0.9),
                (10, 15, 70, 16, 0.9),
                (10, 16, 90, 21, 0.9),
            ],
        );
        assert_eq!(boxes_from_map(&det, &map, 1.0, 1.0).len(), 1);
    }

    #[test]
    fn faint_regions_are_dropped() {
        let det = DetParams::default();
        let map = map_with(100, 40, &[(10, 15, 90, 21, 0.4)]);
        assert!(boxes_from_map(&det, &map, 1.0, 1.0).is_empty());
    }

    #[test]
    fn reading_order_is_rows_then_columns() {
        let q = |x: f32, y: f32| [[x, y], [x + 10.0, y], [x + 10.0, y + 5.0], [x, y + 5.0]];
        let mut v = vec![q(50.0, 12.0), q(0.0, 40.0), q(0.0, 14.0)];
        sort_reading_order(&mut v);
        assert_eq!(v, vec![q(0.0, 14.0), q(50.0, 12.0), q(0.0, 40.0)]);
    }

    /// A white page with dark blocks of "text" at the given (x0, y0, x1, y1).
    fn page(w: u32, h: u32, blocks: &[(u32, u32, u32, u32)]) -> RgbImage {
        RgbImage::from_fn(w, h, |x, y| {
            let ink = blocks
                .iter()
                .any(|&(x0, y0, x1, y1)| x >= x0 && x < x1 && y >= y0 && y < y1 && (x + y) % 3 > 0);
            if ink {
                image::Rgb([30, 30, 40])
            } else {
                image::Rgb([235, 232, 228])
            }
        })
    }

    #[test]
    fn the_ink_window_leaves_out_margins_and_blank_bands_but_keeps_every_inked_row() {
        let blocks = [(100, 100, 300, 140), (120, 700, 400, 740)];
        let img = page(600, 900, &blocks);
        let win = ink_window(&img, 32, 128);
        // Columns: the ink (100..400) and a margin each side, rounded up to 384.
        assert_eq!(win.w, 384);
        assert!(win.x <= 68 && win.x + win.w >= 432, "{win:?}");
        // Rows: in order, a bucket's multiple, far fewer than the page's, every inked row kept
        // with its margins.
        assert_eq!(win.h() % 128, 0);
        assert!(win.h() <= 256, "{}", win.h());
        assert!(win.rows.windows(2).all(|r| r[0] < r[1]));
        for &(_, y0, _, y1) in &blocks {
            for y in y0 - 32..y1 + 32 {
                assert!(win.rows.contains(&y), "row {y} left out");
            }
        }
        // The middle of the blank band between the blocks is gone.
        assert!(!win.rows.contains(&420));
    }

    #[test]
    fn a_blank_page_a_full_page_or_no_margin_is_read_whole() {
        assert_eq!(
            ink_window(&page(320, 480, &[]), 32, 128),
            Window::whole(320, 480)
        );
        let full = page(320, 480, &[(10, 10, 310, 470)]);
        assert_eq!(ink_window(&full, 32, 128).h(), 480);
        let img = page(600, 900, &[(100, 100, 300, 140)]);
        assert_eq!(ink_window(&img, 0, 128), Window::whole(600, 900));
    }

    #[test]
    fn dark_bars_do_not_stretch_the_window() {
        // A dark band down the left side (the table beyond a photographed page) and a rule across
        // the page: neither counts as ink, so the window stays around the text.
        let mut img = page(640, 640, &[(300, 300, 400, 330)]);
        for y in 0..640 {
            for x in 0..60 {
                img.put_pixel(x, y, image::Rgb([20, 20, 20]));
            }
        }
        for y in 500..503 {
            for x in 0..640 {
                img.put_pixel(x, y, image::Rgb([20, 20, 20]));
            }
        }
        let win = ink_window(&img, 32, 128);
        assert!(win.w <= 256 && win.x >= 60, "{win:?}");
        assert!(win.h() <= 128, "{}", win.h());
    }

    #[test]
    fn the_windowed_output_lands_on_its_rows_and_columns_of_the_map() {
        let window = Window {
            x: 2,
            w: 3,
            rows: vec![1, 4],
        };
        // Output padded to 4 x 4; value 10 * row + column.
        let out = tract_ndarray::Array4::<f32>::from_shape_fn((1, 1, 4, 4), |(_, _, y, x)| {
            (10 * y + x) as f32
        });
        let map = prob_map(&out.into_tensor(), &window, 6, 5).unwrap();
        assert_eq!((map.width, map.height), (6, 5));
        let at = |x: usize, y: usize| map.data[y * 6 + x];
        assert_eq!((at(2, 1), at(4, 1)), (0.0, 2.0));
        assert_eq!((at(2, 4), at(4, 4)), (10.0, 12.0));
        // Outside the window: zero.
        assert_eq!(
            (at(1, 1), at(5, 4), at(3, 0), at(3, 2)),
            (0.0, 0.0, 0.0, 0.0)
        );
        // An output smaller than the window is an error, not a panic.
        let small = tract_ndarray::Array4::<f32>::zeros((1, 1, 1, 4)).into_tensor();
        assert!(prob_map(&small, &window, 6, 5).is_err());
    }
}
