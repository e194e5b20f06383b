//! Locating the document in a camera frame and straightening it to an upright page.
//!
//! A kiosk camera sees a printout or card lying on a tray, at an angle, under uneven light. Paper
//! is brighter and less coloured than any tray, desk or cloth it lies on, so the document is the
//! largest bright, grey region of the frame: this stage scores each pixel by lightness minus
//! saturation on a small copy of the frame, splits the scores at Otsu's threshold, takes the
//! largest region, and fits a quadrilateral to its convex hull. The quadrilateral is then sampled
//! straight ([`rectify`]) at the frame's own resolution, so no detail is invented or lost.
//!
//! Which way up the straightened page reads is decided from its text ([`orient`]): lines taller
//! than wide mean a quarter turn, and the angle classifier's vote over all lines decides between
//! upright and upside down.
//!
//! Scans and PDFs skip [`locate`]: they are the document already.

use std::time::{Duration, Instant};

use image::{GrayImage, Luma, RgbImage, imageops};
use imageproc::contrast::otsu_level;
use imageproc::region_labelling::{Connectivity, connected_components};

use super::direction::Direction;
use crate::geometry::{Point, Quad, convex_hull, dist};
use crate::ocr::{Engine, OcrError, crop};

/// Tunables of document location.
#[derive(Debug, Clone, PartialEq)]
pub struct LocateParams {
    /// The frame is scaled to this longest side before the search: the outline of a page needs
    /// no more, and the search then costs a few milliseconds.
    pub work_side: u32,
    /// How much saturation counts against a pixel's lightness: a light wooden desk is as bright
    /// as shaded paper but far more coloured.
    pub saturation_weight: f32,
    /// A region covering less of the frame than this is not a document on the tray.
    pub min_area: f32,
    /// The document must score this much above its surroundings on average (0..255): Otsu splits
    /// any frame in two, even an empty tray whose two halves differ only by noise.
    pub min_contrast: f32,
}

impl Default for LocateParams {
    fn default() -> Self {
        Self {
            work_side: 480,
            saturation_weight: 1.5,
            min_area: 0.08,
            min_contrast: 40.0,
        }
    }
}

/// A document found in a frame.
#[derive(Debug, Clone, PartialEq)]
pub struct Located {
    /// Corners in frame pixels, clockwise from the top-left as the frame shows it (not yet as the
    /// document reads: see [`orient`]).
    pub quad: Quad,
    /// Share of the frame the document covers.
    pub coverage: f32,
}

/// Finds the document's quadrilateral in a camera frame, if there is one.
pub fn locate(frame: &RgbImage, p: &LocateParams) -> Option<Located> {
    let small = shrink(frame, p.work_side);
    let scale = small.width() as f32 / frame.width().max(1) as f32;
    let score = paper_score(&small, p.saturation_weight);
    let level = otsu_level(&score);
    let (inside, outside) = class_means(&score, level);
    if inside - outside < p.min_contrast {
        return None;
    }
    let mask = GrayImage::from_raw(
        score.width(),
        score.height(),
        score
            .as_raw()
            .iter()
            .map(|&s| u8::from(s > level))
            .collect(),
    )?;
    let region = largest_region(&mask)?;
    let total = (mask.width() * mask.height()) as f32;
    let coverage = region.pixels as f32 / total;
    if coverage < p.min_area {
        return None;
    }
    let hull = convex_hull(&region.outline);
    let quad = fit_quad(&hull)?;
    let quad = order_clockwise(quad.map(|[x, y]| [(x + 0.5) / scale, (y + 0.5) / scale]));
    Some(Located { quad, coverage })
}

/// Width over height of an ID-1 card (85.6 x 54 mm).
const ID1_ASPECT: f32 = 85.6 / 54.0;

/// A card whose title is printed on a dark band has that band cut off by [`locate`]: the band
/// is no lighter than the tray, so only the card's light body is found, a quad flatter than an
/// ID-1 card (about 1.9 wide to 1 high instead of 1.59). Such a quad is grown back to card
/// proportions on the long side where the band is: the side whose added strip holds the band's
/// light lettering, where the tray beyond the other side holds next to none. A quad of any
/// other shape, or one whose two sides hold no lettering, comes back as it was.
pub fn complete_card(frame: &RgbImage, quad: &Quad) -> Quad {
    let across = (dist(quad[0], quad[1]) + dist(quad[3], quad[2])) / 2.0;
    let down = (dist(quad[0], quad[3]) + dist(quad[1], quad[2])) / 2.0;
    let (long, short) = (across.max(down), across.min(down).max(1.0));
    let aspect = long / short;
    // A banded card's body measures about 1.92; tilt moves it by a tenth either way.
    if !(1.72..=2.3).contains(&aspect) {
        return *quad;
    }
    let grow = long / ID1_ASPECT / short - 1.0;
    let out = |p: Point, from: Point| {
        [
            p[0] + (p[0] - from[0]) * grow,
            p[1] + (p[1] - from[1]) * grow,
        ]
    };
    let q = quad;
    // The two candidates, each with the strip it adds (corners clockwise).
    let candidates: [(Quad, Quad); 2] = if across >= down {
        let (a, b) = (out(q[0], q[3]), out(q[1], q[2]));
        let (d, c) = (out(q[3], q[0]), out(q[2], q[1]));
        [
            ([a, b, q[2], q[3]], [a, b, q[1], q[0]]),
            ([q[0], q[1], c, d], [q[3], q[2], c, d]),
        ]
    } else {
        let (b, c) = (out(q[1], q[0]), out(q[2], q[3]));
        let (a, d) = (out(q[0], q[1]), out(q[3], q[2]));
        [
            ([q[0], b, c, q[3]], [q[1], b, c, q[2]]),
            ([a, q[1], q[2], d], [a, q[0], q[3], d]),
        ]
    };
    let scores = candidates.map(|(_, strip)| lettering(frame, &strip));
    let (best, other) = if scores[0] >= scores[1] {
        (0, 1)
    } else {
        (1, 0)
    };
    if scores[best] >= MIN_LETTERING && scores[best] >= 2.0 * scores[other] {
        candidates[best].0
    } else {
        *quad
    }
}

/// Share of a band strip that must be light lettering for the band to be taken as found.
const MIN_LETTERING: f32 = 0.01;

/// Share of the strip's pixels that are light and grey, as lettering on a dark band is; 0 for
/// a strip reaching out of the frame (outside reads as white) by more than a scan's margin of
/// error, and a strip reaching out by less (a scanned card's band ends at the image's edge) is
/// measured within the frame.
fn lettering(frame: &RgbImage, strip: &Quad) -> f32 {
    let (w, h) = (frame.width() as f32, frame.height() as f32);
    let (mx, my) = (w * 0.03, h * 0.03);
    if strip
        .iter()
        .any(|p| p[0] < -mx || p[1] < -my || p[0] > w + mx || p[1] > h + my)
    {
        return 0.0;
    }
    let inside = strip.map(|p| [p[0].clamp(0.0, w), p[1].clamp(0.0, h)]);
    if polygon_area(&inside) < 1.0 {
        return 0.0;
    }
    let sample = crop::crop_to(frame, &inside, 160, 24);
    let light = sample
        .pixels()
        .filter(|px| {
            let [r, g, b] = px.0.map(f32::from);
            let luma = 0.299 * r + 0.587 * g + 0.114 * b;
            luma > 190.0 && r.max(g).max(b) - r.min(g).min(b) < 40.0
        })
        .count();
    light as f32 / (160 * 24) as f32
}

/// The frame shrunk to at most `side` pixels on its longer side, each pixel the mean of the
/// block of the frame it covers (area averaging, as smooth as a triangle filter for this much
/// shrinking). Blocks of 4 or more pixels a side are averaged over every other row and column:
/// a quarter of the work for the same mean within the camera's noise. This runs on every
/// camera frame, so it reads the frame's bytes directly.
fn shrink(frame: &RgbImage, side: u32) -> RgbImage {
    let (fw, fh) = frame.dimensions();
    let scale = side as f32 / fw.max(fh).max(1) as f32;
    if scale >= 1.0 {
        return frame.clone();
    }
    let w = ((fw as f32 * scale) as u32).max(1);
    let h = ((fh as f32 * scale) as u32).max(1);
    // Output cell i covers source pixels [i * total / n, (i + 1) * total / n).
    let span = |i: u32, n: u32, total: u32| {
        let at = |k: u32| (u64::from(k) * u64::from(total) / u64::from(n)) as usize;
        at(i)..at(i + 1).max(at(i) + 1)
    };
    let step = if fw / w >= 4 { 2 } else { 1 };
    let columns: Vec<(usize, usize, u32)> = (0..w)
        .map(|i| {
            let r = span(i, w, fw);
            let n = r.clone().step_by(step).count() as u32;
            (r.start, r.end, n)
        })
        .collect();
    let raw = frame.as_raw();
    let stride = fw as usize * 3;
    let mut sums = vec![0u32; w as usize * 3];
    let mut out = Vec::with_capacity(w as usize * h as usize * 3);
    for oy in 0..h {
        sums.fill(0);
        let rows = span(oy, h, fh);
        let mut nrows = 0u32;
        for y in rows.step_by(step) {
            nrows += 1;
            let row = &raw[y * stride..(y + 1) * stride];
            for (sum, &(x0, x1, _)) in sums.chunks_exact_mut(3).zip(&columns) {
                for px in row[x0 * 3..x1 * 3].chunks_exact(3).step_by(step) {
                    sum[0] += u32::from(px[0]);
                    sum[1] += u32::from(px[1]);
                    sum[2] += u32::from(px[2]);
                }
            }
        }
        for (sum, &(_, _, ncols)) in sums.chunks_exact(3).zip(&columns) {
            let n = (nrows * ncols).max(1);
            out.extend(sum.iter().map(|s| ((s + n / 2) / n) as u8));
        }
    }
    RgbImage::from_raw(w, h, out).unwrap_or_else(|| imageops::thumbnail(frame, w, h))
}

/// Lightness minus weighted saturation, 0..255: high on paper, low on coloured or dark ground.
fn paper_score(img: &RgbImage, saturation_weight: f32) -> GrayImage {
    let gains = paper_gains(img);
    let score = img
        .as_raw()
        .chunks_exact(3)
        .map(|px| {
            let [r, g, b] = [0, 1, 2].map(|k| f32::from(px[k]) * gains[k]);
            let (max, min) = (r.max(g).max(b), r.min(g).min(b));
            let lightness = (max + min) / 2.0;
            (lightness - saturation_weight * (max - min)).clamp(0.0, 255.0) as u8
        })
        .collect();
    GrayImage::from_raw(img.width(), img.height(), score)
        .unwrap_or_else(|| GrayImage::new(img.width(), img.height()))
}

/// White balance for [`paper_score`]: gains that make the frame's brightest pixels (the top
/// 5% by luma: paper, if there is any) grey. A lamp or window that tints everything (a cyan
/// cast of 20% and more) would otherwise make white paper look coloured and lower its score
/// to the tray's. Casts within 6% (a camera's own white balance) are left alone.
fn paper_gains(img: &RgbImage) -> [f32; 3] {
    let mut hist = [0u32; 256];
    let luma = |px: &[u8]| {
        ((299 * u32::from(px[0]) + 587 * u32::from(px[1]) + 114 * u32::from(px[2])) / 1000) as usize
    };
    let raw = img.as_raw();
    for px in raw.chunks_exact(3) {
        hist[luma(px)] += 1;
    }
    let total: u32 = hist.iter().sum();
    let (mut above, mut level) = (0u32, 255usize);
    while level > 0 && above + hist[level] <= total / 20 {
        above += hist[level];
        level -= 1;
    }
    let (mut sum, mut n) = ([0f64; 3], 0u32);
    for px in raw.chunks_exact(3) {
        if luma(px) >= level {
            for k in 0..3 {
                sum[k] += f64::from(px[k]);
            }
            n += 1;
        }
    }
    if n == 0 {
        return [1.0; 3];
    }
    let mean = sum.map(|s| (s / f64::from(n)) as f32);
    let grey = (mean[0] + mean[1] + mean[2]) / 3.0;
    if mean.iter().any(|&m| m < 1.0) {
        return [1.0; 3];
    }
    let gains = mean.map(|m| grey / m);
    if gains.iter().all(|g| (g - 1.0).abs() <= 0.06) {
        [1.0; 3]
    } else {
        gains
    }
}

/// Mean score above and at-or-below the threshold.
fn class_means(score: &GrayImage, level: u8) -> (f32, f32) {
    let (mut hi, mut nhi, mut lo, mut nlo) = (0u64, 0u64, 0u64, 0u64);
    for &s in score.as_raw() {
        if s > level {
            hi += u64::from(s);
            nhi += 1;
        } else {
            lo += u64::from(s);
            nlo += 1;
        }
    }
    (hi as f32 / nhi.max(1) as f32, lo as f32 / nlo.max(1) as f32)
}

/// The largest 4-connected region of a mask.
struct Region {
    /// How many pixels it has.
    pixels: usize,
    /// The first and last of its pixels on each row it touches: enough for its convex hull.
    outline: Vec<Point>,
}

/// The largest 4-connected region of the mask.
fn largest_region(mask: &GrayImage) -> Option<Region> {
    let labels = connected_components(mask, Connectivity::Four, Luma([0u8]));
    let mut counts: Vec<usize> = Vec::new();
    for &l in labels.as_raw() {
        let l = l as usize;
        if l > 0 {
            if counts.len() < l {
                counts.resize(l, 0);
            }
            counts[l - 1] += 1;
        }
    }
    let (best, &pixels) = counts.iter().enumerate().max_by_key(|(_, c)| **c)?;
    let best = best as u32 + 1;
    let width = labels.width() as usize;
    let mut outline = Vec::new();
    for (y, row) in labels.as_raw().chunks_exact(width.max(1)).enumerate() {
        let first = row.iter().position(|&l| l == best);
        let last = row.iter().rposition(|&l| l == best);
        if let (Some(a), Some(b)) = (first, last) {
            outline.push([a as f32, y as f32]);
            if b != a {
                outline.push([b as f32, y as f32]);
            }
        }
    }
    Some(Region { pixels, outline })
}

/// The quadrilateral of largest area with its corners on the hull: the page's outline even where
/// a thumb or a shadow nicks one edge.
fn fit_quad(hull: &[Point]) -> Option<Quad> {
    let n = hull.len();
    if n < 4 {
        return None;
    }
    // Thin the hull so the search stays cheap: corners of a page survive any thinning.
    let step = n.div_ceil(64);
    let pts: Vec<Point> = hull.iter().step_by(step).copied().collect();
    let m = pts.len();
    if m < 4 {
        return None;
    }
    let area = |q: [Point; 4]| polygon_area(&q);
    let mut best: Option<(f32, [usize; 4])> = None;
    for a in 0..m {
        for c in a + 2..m {
            // For fixed a and c, the best b and d are independent: the farthest points from the
            // diagonal on each side.
            let b = (a + 1..c).max_by(|&i, &j| {
                tri(pts[a], pts[i], pts[c]).total_cmp(&tri(pts[a], pts[j], pts[c]))
            });
            let d = (c + 1..m + a).map(|i| i % m).max_by(|&i, &j| {
                tri(pts[c], pts[i], pts[a]).total_cmp(&tri(pts[c], pts[j], pts[a]))
            });
            if let (Some(b), Some(d)) = (b, d) {
                let q = [pts[a], pts[b], pts[c], pts[d]];
                let s = area(q);
                if best.as_ref().is_none_or(|(bs, _)| s > *bs) {
                    best = Some((s, [a, b, c, d]));
                }
            }
        }
    }
    best.map(|(_, [a, b, c, d])| [pts[a], pts[b], pts[c], pts[d]])
}

fn tri(a: Point, b: Point, c: Point) -> f32 {
    ((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])).abs() / 2.0
}

fn polygon_area(q: &[Point]) -> f32 {
    let mut s = 0.0;
    for i in 0..q.len() {
        let (a, b) = (q[i], q[(i + 1) % q.len()]);
        s += a[0] * b[1] - b[0] * a[1];
    }
    s.abs() / 2.0
}

/// Orders four corners clockwise (in image coordinates) starting from the one nearest the
/// frame's top-left.
fn order_clockwise(q: Quad) -> Quad {
    let cx = q.iter().map(|p| p[0]).sum::<f32>() / 4.0;
    let cy = q.iter().map(|p| p[1]).sum::<f32>() / 4.0;
    let mut pts = q;
    // Angle from the centre; with y down, increasing atan2 runs clockwise on screen.
    pts.sort_by(|a, b| {
        (a[1] - cy)
            .atan2(a[0] - cx)
            .total_cmp(&(b[1] - cy).atan2(b[0] - cx))
    });
    let start = (0..4)
        .min_by(|&i, &j| (pts[i][0] + pts[i][1]).total_cmp(&(pts[j][0] + pts[j][1])))
        .unwrap_or(0);
    [
        pts[start],
        pts[(start + 1) % 4],
        pts[(start + 2) % 4],
        pts[(start + 3) % 4],
    ]
}

/// Samples the quadrilateral straight at the frame's resolution: the output is as wide as the
/// quad's longer horizontal side and as high as its longer vertical side.
pub fn rectify(frame: &RgbImage, quad: &Quad) -> RgbImage {
    let w = dist(quad[0], quad[1])
        .max(dist(quad[3], quad[2]))
        .round()
        .max(1.0) as u32;
    let h = dist(quad[0], quad[3])
        .max(dist(quad[1], quad[2]))
        .round()
        .max(1.0) as u32;
    crop::crop_to(frame, quad, w, h)
}

/// A page turned upright, with the text lines found on it.
pub struct Upright {
    /// The page, turned.
    pub page: RgbImage,
    /// Quarter turns clockwise that were applied.
    pub quarters: u8,
    /// Text line boxes on the turned page, corner 0 at each line's top-left.
    pub boxes: Vec<Quad>,
    /// Time spent in line detection (once, or twice for a page found lying on its side).
    pub detect_time: Duration,
    /// Time spent classifying the voting lines' orientation.
    pub classify_time: Duration,
}

/// Lines the orientation vote looks at: the longest ones say the most, and a page's worth of
/// short labels adds cost without changing the answer.
const VOTING_LINES: usize = 16;

/// The vote starts with this many of the longest lines and stops there when it is clear: at
/// least [`CLEAR_VOTES`] of them sure (at least [`SURE_VOTE`]) one way and none sure the other
/// way. A page's lines do not disagree about which way is up; one unsure line (a short or
/// stylised one, often 0.6-0.8) used to send most printouts on to all 16 voters, three
/// classifier runs more for the same answer.
const FIRST_VOTERS: usize = 4;
const CLEAR_VOTES: usize = 3;
const SURE_VOTE: f32 = 0.9;

/// Whether the votes so far settle the page's orientation (see [`FIRST_VOTERS`]).
fn vote_is_clear(votes: &[crate::ocr::Orientation]) -> bool {
    let sure = |down: bool| {
        votes
            .iter()
            .filter(|o| o.upside_down == down && o.confidence >= SURE_VOTE)
            .count()
    };
    let (up, down) = (sure(false), sure(true));
    (up >= CLEAR_VOTES && down == 0) || (down >= CLEAR_VOTES && up == 0)
}

/// Turns a page upright, decided from its text: detection boxes mostly taller than wide mean the
/// text runs vertically (a quarter turn, then detection again); then the angle classifier's vote
/// over the longest lines, weighted by length, decides between upright and upside down.
///
/// A page whose pixels clearly show lines running down it ([`Direction`]) is turned before its
/// first detection, so it needs one pass, not two. Should the boxes on the turned page stand
/// taller than wide after all, the page is turned back and read as it would have been without
/// the guess: detected as it came, and kept so unless its boxes stand tall there too.
pub fn orient(engine: &Engine, page: RgbImage) -> Result<Upright, OcrError> {
    let started = Instant::now();
    let direction = Direction::of(&page);
    tracing::debug!(
        across = direction.across,
        down = direction.down,
        "page direction"
    );
    orient_from(engine, page, direction.sideways(), started)
}

/// [`orient`] with the guess given: whether to turn the page a quarter before detecting its
/// lines. A wrong guess costs time, never the reading (tests hold the two to the same result).
pub fn orient_guessing(
    engine: &Engine,
    page: RgbImage,
    sideways: bool,
) -> Result<Upright, OcrError> {
    orient_from(engine, page, sideways, Instant::now())
}

fn orient_from(
    engine: &Engine,
    page: RgbImage,
    sideways: bool,
    started: Instant,
) -> Result<Upright, OcrError> {
    let (quarters, page, boxes) = if sideways {
        let turned = imageops::rotate90(&page);
        drop(page);
        let turned_boxes = engine.detect(&turned)?.boxes;
        if !stand_tall(&turned_boxes) {
            (1u8, turned, turned_boxes)
        } else {
            tracing::debug!("sideways guess contradicted by the detector");
            // rotate270 undoes rotate90 pixel for pixel.
            let page = imageops::rotate270(&turned);
            drop(turned);
            let boxes = engine.detect(&page)?.boxes;
            if stand_tall(&boxes) {
                (1u8, imageops::rotate90(&page), turned_boxes)
            } else {
                (0u8, page, boxes)
            }
        }
    } else {
        let boxes = engine.detect(&page)?.boxes;
        if stand_tall(&boxes) {
            let turned = imageops::rotate90(&page);
            drop(page);
            let boxes = engine.detect(&turned)?.boxes;
            (1u8, turned, boxes)
        } else {
            (0u8, page, boxes)
        }
    };
    let detect_time = started.elapsed();
    let started = Instant::now();
    let mut longest: Vec<Quad> = boxes.clone();
    longest.sort_by(|a, b| crop::quad_size(b).0.total_cmp(&crop::quad_size(a).0));
    longest.truncate(VOTING_LINES);
    // Each voter weighs in by its width times its confidence.
    let (mut up, mut down) = (0.0f32, 0.0f32);
    let mut vote = |voters: &[Quad]| -> Result<Vec<crate::ocr::Orientation>, OcrError> {
        let (_, strips) = engine.strips(&page, voters);
        let votes = engine.classify(&strips)?;
        for (o, s) in votes.iter().zip(&strips) {
            let weight = s.width() as f32 * o.confidence;
            if o.upside_down {
                down += weight
            } else {
                up += weight
            }
        }
        Ok(votes)
    };
    let first = FIRST_VOTERS.min(longest.len());
    if !vote_is_clear(&vote(&longest[..first])?) {
        vote(&longest[first..])?;
    }
    let classify_time = started.elapsed();
    if down <= up {
        return Ok(Upright {
            page,
            quarters,
            boxes,
            detect_time,
            classify_time,
        });
    }
    let (w, h) = (page.width() as f32, page.height() as f32);
    let turn = |p: Point| [w - p[0], h - p[1]];
    let mut boxes: Vec<Quad> = boxes
        .iter()
        .map(|q| [turn(q[2]), turn(q[3]), turn(q[0]), turn(q[1])])
        .collect();
    crate::ocr::detect::sort_reading_order(&mut boxes);
    let mut page = page;
    imageops::rotate180_in_place(&mut page);
    Ok(Upright {
        page,
        quarters: quarters + 2,
        boxes,
        detect_time,
        classify_time,
    })
}

/// Whether a page's boxes, summed by their long sides, stand more tall than lie wide.
fn stand_tall(boxes: &[Quad]) -> bool {
    let (mut wide, mut tall) = (0.0f32, 0.0f32);
    for q in boxes {
        let (w, h) = crop::quad_size(q);
        if w >= h { wide += w } else { tall += h }
    }
    tall > wide
}

/// The page turned by `quarters` quarter turns clockwise.
pub fn turn(page: &RgbImage, quarters: u8) -> RgbImage {
    match quarters % 4 {
        1 => imageops::rotate90(page),
        2 => imageops::rotate180(page),
        3 => imageops::rotate270(page),
        _ => page.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgb;

    #[test]
    fn a_tinted_frame_is_balanced_on_its_paper_and_a_neutral_one_is_left_alone() {
        // White paper under a cold lamp: red down a quarter, blue up (clipped), on a dark tray.
        let frame = |tint: [f32; 3]| {
            RgbImage::from_fn(200, 100, |x, _| {
                let base = if x < 120 { 240.0 } else { 70.0 };
                Rgb(tint.map(|t| (base * t).min(255.0) as u8))
            })
        };
        let cold = paper_gains(&frame([0.75, 1.0, 1.25]));
        assert!(cold[0] > 1.15 && cold[2] < 0.95, "{cold:?}");
        let balanced = |c: [u8; 3]| {
            c.map(f32::from)
                .iter()
                .zip(cold)
                .map(|(v, g)| v * g)
                .collect::<Vec<f32>>()
        };
        let paper = balanced([180, 240, 255]);
        let spread =
            paper.iter().cloned().fold(0.0, f32::max) - paper.iter().cloned().fold(255.0, f32::min);
        assert!(spread < 10.0, "balanced paper {paper:?}");
        // A camera's own slight cast is left as it is.
        assert_eq!(paper_gains(&frame([1.03, 1.0, 0.98])), [1.0; 3]);
    }
    use imageproc::geometric_transformations::{Border, Interpolation, Projection, warp_into};

    #[test]
    fn the_first_voters_settle_the_page_only_when_clear() {
        let o = |upside_down: bool, confidence: f32| crate::ocr::Orientation {
            upside_down,
            confidence,
        };
        // One unsure line among three sure ones does not hold the vote up.
        assert!(vote_is_clear(&[
            o(false, 0.99),
            o(false, 0.66),
            o(false, 0.97),
            o(false, 0.99)
        ]));
        assert!(vote_is_clear(&[
            o(true, 0.99),
            o(true, 0.95),
            o(false, 0.7),
            o(true, 0.92)
        ]));
        // Only two sure votes, or one sure vote the other way: ask the rest of the lines.
        assert!(!vote_is_clear(&[
            o(false, 0.99),
            o(false, 0.8),
            o(false, 0.7),
            o(false, 0.99)
        ]));
        assert!(!vote_is_clear(&[
            o(false, 0.99),
            o(false, 0.99),
            o(false, 0.99),
            o(true, 0.93)
        ]));
        assert!(!vote_is_clear(&[]));
    }

    /// A white page with a black bar near its top, laid on a brown desk through a projection.
    fn frame_with_page(corners: Quad) -> RgbImage {
        let page = RgbImage::from_fn(300, 400, |x, y| {
            if (40..60).contains(&y) && (30..270).contains(&x) {
                Rgb([0, 0, 0])
            } else {
                Rgb([245, 245, 240])
            }
        });
        let from = [(0.0, 0.0), (300.0, 0.0), (300.0, 400.0), (0.0, 400.0)];
        let proj = Projection::from_control_points(from, corners.map(|p| (p[0], p[1])))
            .expect("projection");
        let mut frame = RgbImage::from_pixel(960, 720, Rgb([120, 80, 40]));
        warp_into(
            &page,
            proj,
            Interpolation::Bilinear,
            Border::Constant(Rgb([120, 80, 40])),
            &mut frame,
        );
        frame
    }

    #[test]
    fn finds_a_tilted_page_on_a_desk_within_a_few_pixels() {
        let corners = [
            [300.0, 100.0],
            [620.0, 140.0],
            [600.0, 620.0],
            [260.0, 580.0],
        ];
        let found = locate(&frame_with_page(corners), &LocateParams::default()).expect("a page");
        for (a, b) in found.quad.iter().zip(corners) {
            assert!(dist(*a, b) < 6.0, "{:?} vs {corners:?}", found.quad);
        }
        assert!(
            found.coverage > 0.2 && found.coverage < 0.4,
            "{}",
            found.coverage
        );
    }

    #[test]
    fn rectify_straightens_the_page_with_its_bar_on_top() {
        let corners = [
            [300.0, 100.0],
            [620.0, 140.0],
            [600.0, 620.0],
            [260.0, 580.0],
        ];
        let frame = frame_with_page(corners);
        let page = rectify(&frame, &corners);
        let (w, h) = page.dimensions();
        assert!(h > w);
        // The bar sits at 40..60 of 400 in the page: about 12% of the way down.
        let dark_row = |y: u32| (0..w).filter(|&x| page.get_pixel(x, y)[0] < 80).count();
        assert!(dark_row(h * 12 / 100) > (w / 2) as usize);
        assert_eq!(dark_row(h / 2), 0);
    }

    /// An ID-1 card 342 x 216 px, light, with (if `band`) a dark title band 38 px high across
    /// its top carrying light lettering, laid on a dark tray through a projection.
    fn frame_with_card(corners: Quad, band: bool) -> RgbImage {
        let card = card_image(band);
        let from = [(0.0, 0.0), (342.0, 0.0), (342.0, 216.0), (0.0, 216.0)];
        let proj = Projection::from_control_points(from, corners.map(|p| (p[0], p[1])))
            .expect("projection");
        let tray = |x: u32, y: u32| Rgb([70 + (x % 7) as u8, 72 + (y % 5) as u8, 76]);
        let mut frame = RgbImage::from_fn(960, 720, tray);
        let mut laid = frame.clone();
        warp_into(
            &card,
            proj,
            Interpolation::Bilinear,
            Border::Constant(Rgb([1, 2, 3])),
            &mut laid,
        );
        for (x, y, px) in laid.enumerate_pixels() {
            if px.0 != [1, 2, 3] {
                frame.put_pixel(x, y, *px);
            }
        }
        frame
    }

    fn card_image(band: bool) -> RgbImage {
        RgbImage::from_fn(342, 216, |x, y| {
            let letter = (14..30).contains(&y) && (40..300).contains(&x) && x % 12 < 6;
            match (band && y < 38, letter) {
                (true, true) => Rgb([250, 250, 250]),
                (true, false) => Rgb([60, 64, 62]),
                _ => Rgb([232, 236, 230]),
            }
        })
    }

    #[test]
    fn a_scanned_card_gets_back_the_band_at_the_image_edge() {
        let scan = card_image(true);
        let found = locate(&scan, &LocateParams::default()).expect("the body");
        assert!(found.quad.iter().all(|p| p[1] > 30.0), "{:?}", found.quad);
        let grown = complete_card(&scan, &found.quad);
        let top = grown.iter().map(|p| p[1]).fold(f32::INFINITY, f32::min);
        assert!(top.abs() < 8.0, "{grown:?}");
    }

    /// A card turned a little more than a quarter turn, its band (top edge) at the right.
    const CARD: Quad = [
        [700.0, 120.0],
        [660.0, 580.0],
        [370.0, 555.0],
        [410.0, 95.0],
    ];

    #[test]
    fn a_card_cut_at_its_title_band_is_grown_back_over_the_band() {
        let frame = frame_with_card(CARD, true);
        let found = locate(&frame, &LocateParams::default()).expect("a card");
        // Only the light body was found: the quad is flatter than a card.
        let long = dist(found.quad[0], found.quad[3]).max(dist(found.quad[0], found.quad[1]));
        let short = dist(found.quad[0], found.quad[3]).min(dist(found.quad[0], found.quad[1]));
        assert!(long / short > 1.75, "{:?}", found.quad);
        let grown = complete_card(&frame, &found.quad);
        for corner in CARD {
            let nearest = grown
                .iter()
                .map(|p| dist(*p, corner))
                .fold(f32::INFINITY, f32::min);
            assert!(nearest < 12.0, "{grown:?} vs {CARD:?}");
        }
    }

    #[test]
    fn a_whole_card_or_a_flat_page_without_a_band_is_kept() {
        let frame = frame_with_card(CARD, false);
        let found = locate(&frame, &LocateParams::default()).expect("a card");
        assert_eq!(complete_card(&frame, &found.quad), found.quad);
        // As flat as a banded card's body but with bare tray on both sides: nothing to add.
        let flat = [
            [300.0, 300.0],
            [684.0, 300.0],
            [684.0, 500.0],
            [300.0, 500.0],
        ];
        let page = RgbImage::from_fn(960, 720, |x, y| {
            if (300..684).contains(&x) && (300..500).contains(&y) {
                Rgb([232, 236, 230])
            } else {
                Rgb([70 + (x % 7) as u8, 72 + (y % 5) as u8, 76])
            }
        });
        assert_eq!(complete_card(&page, &flat), flat);
    }

    #[test]
    fn an_empty_tray_has_no_document() {
        let frame = RgbImage::from_fn(640, 480, |x, y| {
            Rgb([100 + (x % 7) as u8, 70 + (y % 5) as u8, 40])
        });
        assert_eq!(locate(&frame, &LocateParams::default()), None);
    }

    #[test]
    fn corners_are_ordered_clockwise_from_the_top_left() {
        let q = order_clockwise([[10.0, 90.0], [90.0, 10.0], [10.0, 10.0], [90.0, 90.0]]);
        assert_eq!(q, [[10.0, 10.0], [90.0, 10.0], [90.0, 90.0], [10.0, 90.0]]);
    }
}
