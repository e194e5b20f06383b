//! Text line detection with the PP-OCR DB (differentiable binarization) model.
//!
//! The model maps an image to a per-pixel probability of "inside a text line's core". This stage
//! resizes the image (aspect kept, sides multiples of 32, longest side at most
//! [`DetParams::max_side`]), pads it to a shape bucket, runs the model, thresholds the map, takes
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
    /// Inputs are padded up to multiples of this many pixels, so that tract compiles one plan per
    /// bucket instead of one per image size.
    pub bucket: u32,
    /// Text whose median line height on the map is below this many pixels is too small for DB
    /// (its cores merge and break): detection runs again at a finer scale...
    pub min_text_px: f32,
    /// ...chosen to bring the median line to this height...
    pub target_text_px: f32,
    /// ...but never with a longest side above this (a 2592 x 1944 frame at full size costs 7
    /// times the default pass).
    pub max_side_fine: u32,
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
            bucket: 128,
            min_text_px: 12.0,
            target_text_px: 20.0,
            max_side_fine: 2048,
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

    pub fn new(model: OnnxModel, params: DetParams) -> Self {
        Self { model, params }
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
        let input = self.input_tensor(img, rw, rh, max_side)?;
        let out = self.model.run(input)?;
        let map = prob_map(&out, rw, rh)?;
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

    /// The input size an image scaled to `rw` x `rh` is padded to: its shape bucket.
    fn bucket(&self, rw: u32, rh: u32, max_side: u32) -> (u32, u32) {
        let cap = round_up(max_side, self.params.bucket);
        let bw = round_up(rw, self.params.bucket).min(cap.max(rw));
        let bh = round_up(rh, self.params.bucket).min(cap.max(rh));
        (bw, bh)
    }

    /// Compiles the plan that a `width` x `height` image's first pass needs, ahead of the image.
    pub fn prepare(&self, width: u32, height: u32) -> Result<(), OcrError> {
        let (rw, rh) = scaled_size(width, height, self.params.max_side);
        let (bw, bh) = self.bucket(rw, rh, self.params.max_side);
        self.model.plan(&[1, 3, bh as usize, bw as usize]).map(drop)
    }

    /// Plans compiled since loading ([`OnnxModel::compilations`]).
    pub fn compilations(&self) -> usize {
        self.model.compilations()
    }

    /// The normalised input: scaled, channels in BGR order as PaddleOCR trained on (OpenCV's),
    /// ImageNet mean and deviation, zero (the mean) in the padding.
    fn input_tensor(
        &self,
        img: &RgbImage,
        rw: u32,
        rh: u32,
        max_side: u32,
    ) -> Result<Tensor, OcrError> {
        let resized;
        let src = if (rw, rh) == img.dimensions() {
            img
        } else {
            resized = resize(img, rw, rh);
            &resized
        };
        let (bw, bh) = self.bucket(rw, rh, max_side);
        const MEAN: [f32; 3] = [0.485, 0.456, 0.406];
        const STD: [f32; 3] = [0.229, 0.224, 0.225];
        let mut t = tract_ndarray::Array4::<f32>::zeros((1, 3, bh as usize, bw as usize));
        let (sw, bw) = (src.width() as usize, bw as usize);
        for c in 0..3 {
            // Channel c of the tensor is BGR: take RGB channel 2 - c. Each value is what it was
            // with per-pixel indexing; rows are written as slices.
            let mut plane = t.slice_mut(tract_ndarray::s![0, c, .., ..]);
            let plane = plane
                .as_slice_mut()
                .ok_or_else(|| OcrError::Output("detector input not contiguous".into()))?;
            for (row, out) in src.rows().zip(plane.chunks_exact_mut(bw)) {
                for (p, v) in row.zip(&mut out[..sw]) {
                    *v = (p.0[2 - c] as f32 / 255.0 - MEAN[c]) / STD[c];
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
    for region in regions(map, p.thresh).into_iter().take(p.max_candidates) {
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

/// The model output `[1, 1, H, W]` cut back to the scaled image (the padding dropped).
fn prob_map(out: &Tensor, rw: u32, rh: u32) -> Result<ProbMap, OcrError> {
    let view = out
        .to_plain_array_view::<f32>()
        .map_err(|e| OcrError::Output(e.to_string()))?;
    let shape = view.shape();
    if shape.len() != 4 || shape[2] < rh as usize || shape[3] < rw as usize {
        return Err(OcrError::Output(format!("detector output shape {shape:?}")));
    }
    let (w, h) = (rw as usize, rh as usize);
    let mut data = Vec::with_capacity(w * h);
    for y in 0..h {
        for x in 0..w {
            data.push(view[[0, 0, y, x]]);
        }
    }
    Ok(ProbMap {
        width: w,
        height: h,
        data,
    })
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
}
