//! What the gate measures on the document region of a frame: focus, glare and a small
//! fingerprint that tells one document from another.

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

/// Share of the document region's pixels that are saturated (luma at or above `level`): a
/// lamp's reflection on glossy paper or a laminated card, which hides the print under it.
pub fn glare(frame: &RgbImage, quad: &Quad, level: f32) -> f32 {
    let luma = Grid {
        frame,
        quad,
        w: 96,
        h: 96,
        margin: 0.02,
    }
    .all();
    let bright = luma.iter().filter(|&&l| l >= level).count();
    bright as f32 / luma.len().max(1) as f32
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
    fn saturated_spot_is_glare() {
        let (mut frame, quad) = page_frame(0);
        assert!(glare(&frame, &quad, 254.0) < 0.01);
        for y in 150..300 {
            for x in 250..400 {
                frame.put_pixel(x, y, Rgb([255, 255, 255]));
            }
        }
        let g = glare(&frame, &quad, 254.0);
        assert!((0.08..0.25).contains(&g), "{g}");
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
