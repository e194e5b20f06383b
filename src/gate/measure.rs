//! What the gate measures on the document region of a frame: focus, light (paper level, text
//! contrast, glare) and a small fingerprint that tells one document from another.

use image::RgbImage;

use crate::geometry::{Point, Quad};

/// The document region as a `w` x `h` grid over the quad (a bilinear patch of its corners,
/// nearest pixel), leaving out `margin` of each side so the page's own edge does not count as
/// detail. Rows are sampled on demand: focus needs only some of them.
struct Grid<'a> {
    frame: &'a RgbImage,
    quad: &'a Quad,
    w: usize,
    h: usize,
    margin: f32,
}

fn lerp(a: Point, b: Point, t: f32) -> Point {
    [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t]
}

impl Grid<'_> {
    /// The luma of row `j` into `out` (cleared first).
    fn row(&self, j: usize, out: &mut Vec<f32>) {
        out.clear();
        let (fw, fh) = (self.frame.width(), self.frame.height());
        let (maxx, maxy) = (fw as f32 - 1.0, fh as f32 - 1.0);
        let raw = self.frame.as_raw();
        let span = 1.0 - 2.0 * self.margin;
        let v = self.margin + span * (j as f32 + 0.5) / self.h as f32;
        let left = lerp(self.quad[0], self.quad[3], v);
        let right = lerp(self.quad[1], self.quad[2], v);
        // Along a row the sample point moves by a fixed step.
        let u0 = self.margin + span * 0.5 / self.w as f32;
        let du = span / self.w as f32;
        let (dx, dy) = (right[0] - left[0], right[1] - left[1]);
        let (mut x, mut y) = (left[0] + dx * u0, left[1] + dy * u0);
        for _ in 0..self.w {
            let px = x.clamp(0.0, maxx) as usize;
            let py = y.clamp(0.0, maxy) as usize;
            let at = (py * fw as usize + px) * 3;
            let (r, g, b) = (raw[at], raw[at + 1], raw[at + 2]);
            out.push(0.299 * f32::from(r) + 0.587 * f32::from(g) + 0.114 * f32::from(b));
            x += dx * du;
            y += dy * du;
        }
    }

    /// Every row, one after the other.
    fn all(&self) -> Vec<f32> {
        let mut all = Vec::with_capacity(self.w * self.h);
        let mut row = Vec::with_capacity(self.w);
        for j in 0..self.h {
            self.row(j, &mut row);
            all.extend_from_slice(&row);
        }
        all
    }
}

/// Focus of the document region: the variance of the 4-neighbour Laplacian over the variance
/// of the luma, on the region sampled so that the document's longer side spans at most
/// `side` samples.
///
/// Dividing by the luma's variance makes it independent of contrast and exposure; sampling to a
/// fixed span makes it independent of the camera's resolution and the document's distance. A
/// sharp printout scores well above a blurred or moving one (see `GateParams::min_focus`).
pub fn focus(frame: &RgbImage, quad: &Quad, side: u32) -> f32 {
    let (qw, qh) = crate::ocr::crop::quad_size(quad);
    let long = qw.max(qh).max(1.0);
    // Never finer than the frame's own pixels.
    let scale = (side as f32 / long).min(1.0);
    let w = ((qw * scale) as usize).max(3);
    let h = ((qh * scale) as usize).max(3);
    let grid = Grid {
        frame,
        quad,
        w,
        h,
        margin: 0.04,
    };
    let (mut sum, mut sum2, mut n) = (0.0f64, 0.0f64, 0usize);
    let (mut lsum, mut lsum2) = (0.0f64, 0.0f64);
    let [mut above, mut at, mut below] = [0; 3].map(|_| Vec::with_capacity(w));
    // The Laplacian on every FOCUS_ROWS-th row (with the rows above and below it): the same
    // statistic as on every row, for a fraction of the sampling.
    for y in (1..h - 1).step_by(FOCUS_ROWS) {
        grid.row(y - 1, &mut above);
        grid.row(y, &mut at);
        grid.row(y + 1, &mut below);
        for x in 1..w - 1 {
            let c = at[x];
            let lap = at[x - 1] + at[x + 1] + above[x] + below[x] - 4.0 * c;
            sum += f64::from(lap);
            sum2 += f64::from(lap) * f64::from(lap);
            lsum += f64::from(c);
            lsum2 += f64::from(c) * f64::from(c);
            n += 1;
        }
    }
    if n == 0 {
        return 0.0;
    }
    let n = n as f64;
    let lap_var = sum2 / n - (sum / n).powi(2);
    let luma_var = lsum2 / n - (lsum / n).powi(2);
    if luma_var < 1.0 {
        // A blank region: nothing to judge focus by.
        return 0.0;
    }
    (lap_var / luma_var) as f32
}

/// Focus evaluates the Laplacian on one row in this many.
const FOCUS_ROWS: usize = 8;

/// How the light treats the print on the document region: [`light`]'s result.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Light {
    /// The paper's level: the 90th percentile of the tiles' brightest samples (0-255).
    pub paper: f32,
    /// The page's text contrast: the 90th percentile, over tiles, of a tile's brightest minus
    /// its darkest sample. Print read well has 80 and more; a page too dark to read, 30 or less.
    pub contrast: f32,
    /// Glare: the share of the region's tiles whose print a highlight has faded (see [`light`]).
    pub glare: f32,
}

/// Tiles per side of the region's longer side in [`light`].
const LIGHT_TILES: usize = 24;
/// Most samples per side of a [`light`] tile.
const TILE_SAMPLES: usize = 40;
/// [`light`] samples the region about every this many frame pixels: a thin stroke's core may
/// fall between samples (its tile then looks faded), which the ring test tolerates; finer costs
/// the gate several milliseconds a frame.
const LIGHT_SAMPLE: f32 = 2.0;

/// What the light does to the print on the document region, measured on tiles of the region
/// (sampled about every [`LIGHT_SAMPLE`] frame pixels):
///
/// - the paper level and the text contrast (for "too dark": dim paper is fine as long as the
///   print still contrasts with it);
/// - glare: a highlight that destroys print. Bright paper is not glare: a webcam's
///   auto-exposure clips white paper at 255 and the text on it stays crisp. A highlight adds
///   light over the ink too, so around it the print fades: tiles that hold print whose darkest
///   part has risen far above the page's ink, their contrast below half the page's. A highlight is a patch of washed-out tiles (saturated and
///   blank) ringed by such faded print: at least 3 tiles, and at least 60% of the print around
///   the patch. Glare is the share of the region's tiles in such patches and their rings.
///   Blank paper, clipped or not, is bordered by print as crisp as the rest of the page (the odd
///   faded tile is a thin or grey stroke); a highlight over a blank margin fades no print and
///   does not count.
pub fn light(frame: &RgbImage, quad: &Quad, level: f32) -> Light {
    let (qw, qh) = crate::ocr::crop::quad_size(quad);
    let long = qw.max(qh).max(1.0);
    // Tiles across each side, in proportion; samples about every 1.5 pixels, never finer than
    // the frame's own.
    let (tx, ty) = if qw >= qh {
        (
            LIGHT_TILES,
            ((LIGHT_TILES as f32 * qh / long).round() as usize).max(4),
        )
    } else {
        (
            ((LIGHT_TILES as f32 * qw / long).round() as usize).max(4),
            LIGHT_TILES,
        )
    };
    let per = ((long / LIGHT_SAMPLE / LIGHT_TILES as f32) as usize).clamp(4, TILE_SAMPLES);
    let grid = Grid {
        frame,
        quad,
        w: tx * per,
        h: ty * per,
        margin: 0.03,
    };
    let n = tx * ty;
    let (mut lo, mut hi, mut sat) = (vec![255.0f32; n], vec![0.0f32; n], vec![0u32; n]);
    let mut row = Vec::with_capacity(grid.w);
    for j in 0..grid.h {
        grid.row(j, &mut row);
        let t0 = (j / per) * tx;
        for (i, &l) in row.iter().enumerate() {
            let t = t0 + i / per;
            lo[t] = lo[t].min(l);
            hi[t] = hi[t].max(l);
            sat[t] += u32::from(l >= level);
        }
    }
    let pct = |v: &mut Vec<f32>, p: f32| {
        v.sort_by(f32::total_cmp);
        v[((v.len() - 1) as f32 * p) as usize]
    };
    let contrast_of: Vec<f32> = (0..n).map(|t| hi[t] - lo[t]).collect();
    let paper = pct(&mut hi.clone(), 0.9);
    let contrast = pct(&mut contrast_of.clone(), 0.9);
    // The page's ink: the darkest samples of the tiles that hold strong print.
    let mut inks: Vec<f32> = (0..n)
        .filter(|&t| contrast_of[t] >= 0.6 * contrast)
        .map(|t| lo[t])
        .collect();
    let ink = if inks.is_empty() {
        0.0
    } else {
        pct(&mut inks, 0.5)
    };
    let samples = (per * per) as f32;
    let faded: Vec<bool> = (0..n)
        .map(|t| {
            let c = contrast_of[t];
            c >= 0.12 * contrast && c < 0.5 * contrast && lo[t] > ink + 0.5 * (paper - ink)
        })
        .collect();
    // Washed out: saturated and blank. Blank bright paper is that too; a highlight is a washed
    // patch ringed by faded print.
    let washed: Vec<bool> = (0..n)
        .map(|t| sat[t] as f32 >= 0.9 * samples && contrast_of[t] < 0.12 * contrast)
        .collect();
    let neighbours = |t: usize| {
        let (x, y) = ((t % tx) as i64, (t / tx) as i64);
        (-1..=1i64)
            .flat_map(move |dy| (-1..=1i64).map(move |dx| (x + dx, y + dy)))
            .filter(move |&(nx, ny)| {
                (nx, ny) != (x, y) && (0..tx as i64).contains(&nx) && (0..ty as i64).contains(&ny)
            })
            .map(move |(nx, ny)| (ny * tx as i64 + nx) as usize)
    };
    // Each patch of washed tiles, and the tiles around it that hold print: a highlight's patch
    // is ringed by faded print; blank paper, clipped or not, by print as crisp as the page's.
    let mut seen = vec![false; n];
    let mut clustered = 0;
    for start in 0..n {
        if !washed[start] || seen[start] {
            continue;
        }
        seen[start] = true;
        let (mut stack, mut size) = (vec![start], 0);
        let mut around: Vec<usize> = Vec::new();
        while let Some(t) = stack.pop() {
            size += 1;
            for u in neighbours(t) {
                if washed[u] {
                    if !seen[u] {
                        seen[u] = true;
                        stack.push(u);
                    }
                } else if !around.contains(&u) {
                    around.push(u);
                }
            }
        }
        let print = around
            .iter()
            .filter(|&&u| contrast_of[u] >= 0.12 * contrast)
            .count();
        let ring = around.iter().filter(|&&u| faded[u]).count();
        if ring >= 3 && ring * 10 >= print * 6 {
            clustered += size + ring;
        }
    }
    Light {
        paper,
        contrast,
        glare: clustered as f32 / n as f32,
    }
}

/// The brightness of a frame where no document was found: the 95th percentile of the luma of a
/// sparse sample (every 8th pixel of every 8th row). Below about 20 the tray is too dark for
/// any document on it to be found.
pub fn brightness(frame: &RgbImage) -> f32 {
    let (w, h) = (frame.width() as usize, frame.height() as usize);
    let raw = frame.as_raw();
    let mut l: Vec<u8> = Vec::with_capacity((w / 8 + 1) * (h / 8 + 1));
    for y in (0..h).step_by(8) {
        for x in (0..w).step_by(8) {
            let at = (y * w + x) * 3;
            let luma = (299 * u32::from(raw[at])
                + 587 * u32::from(raw[at + 1])
                + 114 * u32::from(raw[at + 2]))
                / 1000;
            l.push(luma as u8);
        }
    }
    if l.is_empty() {
        return 0.0;
    }
    l.sort_unstable();
    f32::from(l[(l.len() - 1) * 95 / 100])
}

/// Side of a [`Fingerprint`]'s grid.
const PRINT: usize = 24;

/// A coarse, contrast-normalised picture of the document: two readings of one document match,
/// two documents almost never do.
#[derive(Debug, Clone, PartialEq)]
pub struct Fingerprint(Vec<f32>);

impl Fingerprint {
    pub fn of(frame: &RgbImage, quad: &Quad) -> Fingerprint {
        let luma = Grid {
            frame,
            quad,
            w: PRINT,
            h: PRINT,
            margin: 0.05,
        }
        .all();
        let n = luma.len() as f32;
        let mean = luma.iter().sum::<f32>() / n;
        let sd = (luma.iter().map(|l| (l - mean).powi(2)).sum::<f32>() / n)
            .sqrt()
            .max(1.0);
        Fingerprint(luma.iter().map(|l| (l - mean) / sd).collect())
    }

    /// Mean absolute difference to `other`, over the four quarter turns (the same document
    /// laid down turned is the same document): about 0.2-0.4 for the same one, near 1 for
    /// different ones.
    pub fn distance(&self, other: &Fingerprint) -> f32 {
        let n = PRINT;
        let turned = |k: usize, x: usize, y: usize| match k {
            0 => (x, y),
            1 => (y, n - 1 - x),
            2 => (n - 1 - x, n - 1 - y),
            _ => (n - 1 - y, x),
        };
        (0..4)
            .map(|k| {
                let mut d = 0.0;
                for y in 0..n {
                    for x in 0..n {
                        let (tx, ty) = turned(k, x, y);
                        d += (self.0[y * n + x] - other.0[ty * n + tx]).abs();
                    }
                }
                d / (n * n) as f32
            })
            .fold(f32::INFINITY, f32::min)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgb;
    use imageproc::filter::gaussian_blur_f32;

    /// Grey tray with a white page holding dark text-like bars.
    fn page_frame(seed: u32) -> (RgbImage, Quad) {
        let frame = RgbImage::from_fn(640, 480, |x, y| {
            let inside = (120..520).contains(&x) && (40..440).contains(&y);
            if !inside {
                return Rgb([90, 90, 95]);
            }
            let row = (y - 40) / 12;
            let bar = (y - 40) % 12 < 5 && !((x * 7 + row * 13 + seed * 31) / 9).is_multiple_of(5);
            if bar {
                Rgb([20, 20, 20])
            } else {
                Rgb([240, 240, 236])
            }
        });
        (
            frame,
            [[120.0, 40.0], [520.0, 40.0], [520.0, 440.0], [120.0, 440.0]],
        )
    }

    #[test]
    fn blur_lowers_focus() {
        let (frame, quad) = page_frame(0);
        let sharp = focus(&frame, &quad, 960);
        let soft = focus(&gaussian_blur_f32(&frame, 1.5), &quad, 960);
        let softer = focus(&gaussian_blur_f32(&frame, 3.0), &quad, 960);
        assert!(sharp > 2.0 * soft, "{sharp} vs {soft}");
        assert!(soft > softer, "{soft} vs {softer}");
    }

    #[test]
    fn faded_print_is_glare_but_bright_paper_and_a_blank_highlight_are_not() {
        let (frame, quad) = page_frame(0);
        let clear = light(&frame, &quad, 254.0);
        assert!(clear.glare < 0.01, "{clear:?}");
        assert!(clear.contrast > 150.0, "{clear:?}");
        // Clipped paper: the page's paper at 255, print crisp.
        let clipped = RgbImage::from_fn(640, 480, |x, y| {
            let p = frame.get_pixel(x, y).0;
            Rgb(p.map(|c| if c > 200 { 255 } else { c }))
        });
        let l = light(&clipped, &quad, 254.0);
        assert!(l.glare < 0.01, "clipped paper is no glare: {l:?}");
        // A highlight over the print: the ink lifted towards white over a disc.
        let glared = RgbImage::from_fn(640, 480, |x, y| {
            let p = clipped.get_pixel(x, y).0;
            let r2 = ((x as f32 - 320.0).powi(2) + (y as f32 - 200.0).powi(2)) / 90.0f32.powi(2);
            let flare = (1.6 * (-r2).exp()).min(1.0);
            Rgb(p.map(|c| (f32::from(c) + (255.0 - f32::from(c)) * flare) as u8))
        });
        let l = light(&glared, &quad, 254.0);
        assert!(l.glare > 0.03, "faded print is glare: {l:?}");
        // Too dark: the same page at a tenth of the light.
        let dark = RgbImage::from_fn(640, 480, |x, y| {
            Rgb(frame.get_pixel(x, y).0.map(|c| c / 10))
        });
        let l = light(&dark, &quad, 254.0);
        assert!(l.contrast < 30.0, "{l:?}");
    }

    #[test]
    fn fingerprints_tell_documents_apart_and_survive_a_turn() {
        let (a, quad) = page_frame(0);
        let (b, _) = page_frame(7);
        let pa = Fingerprint::of(&a, &quad);
        let noisy = RgbImage::from_fn(640, 480, |x, y| {
            let p = a.get_pixel(x, y).0;
            let n = ((x * 31 + y * 17) % 7) as u8;
            Rgb([p[0].saturating_add(n), p[1].saturating_add(n), p[2]])
        });
        let same = pa.distance(&Fingerprint::of(&noisy, &quad));
        let turned = [quad[1], quad[2], quad[3], quad[0]];
        let same_turned = pa.distance(&Fingerprint::of(&a, &turned));
        let other = pa.distance(&Fingerprint::of(&b, &quad));
        assert!(same < 0.2, "{same}");
        assert!(same_turned < 0.2, "{same_turned}");
        assert!(other > 2.0 * same.max(0.1), "{other} vs {same}");
    }
}
