//! Cutting a text line out of an image by its quadrilateral, straightened to an upright strip.
//!
//! The strip is sampled straight at the height the recogniser wants (a perspective map from the
//! strip to the quad), so there is one pass over the pixels and no intermediate full-size crop.
//! When the strip is much smaller than the line in the image, each output pixel averages a small
//! grid of samples so that thin strokes are not lost to aliasing.

use image::{Rgb, RgbImage};
use imageproc::geometric_transformations::Projection;

use crate::geometry::{Quad, dist};

#[cfg(target_arch = "x86_64")]
mod avx2;

/// The quad's width and height in image pixels (the longer of each pair of opposite sides).
pub fn quad_size(q: &Quad) -> (f32, f32) {
    let w = dist(q[0], q[1]).max(dist(q[3], q[2]));
    let h = dist(q[0], q[3]).max(dist(q[1], q[2]));
    (w, h)
}

/// Samples the quad `q` of `img` into an upright strip `out_h` pixels high, its width following
/// the quad's aspect ratio (at least 1, at most `max_w`). Corner 0 of `q` lands at the strip's
/// top-left. Pixels outside the image read as white, the colour of paper.
pub fn crop_line(img: &RgbImage, q: &Quad, out_h: u32, max_w: u32) -> RgbImage {
    let (w, h) = quad_size(q);
    let out_w = ((w / h.max(1.0)) * out_h as f32)
        .ceil()
        .clamp(1.0, max_w.max(1) as f32) as u32;
    crop_to(img, q, out_w, out_h)
}

/// Samples per image below which [`crop_to`] stays on the calling thread: a text line's strip
/// (about 20 000) is cheaper to sample than to hand out; a straightened camera page (2 to 8
/// million) is not.
const PARALLEL_SAMPLES: u64 = 1 << 20;

/// Samples the quad `q` of `img` into an `out_w` x `out_h` strip. A large one (a straightened
/// page) is sampled in bands of rows on [`super::threads`] threads; every pixel is computed the
/// same way whichever thread computes it.
pub fn crop_to(img: &RgbImage, q: &Quad, out_w: u32, out_h: u32) -> RgbImage {
    crop_in_lanes(img, q, out_w, out_h, super::threads())
}

/// [`crop_to`] on at most `lanes` threads.
fn crop_in_lanes(img: &RgbImage, q: &Quad, out_w: u32, out_h: u32, lanes: usize) -> RgbImage {
    if out_w == 0 || out_h == 0 {
        return RgbImage::new(out_w, out_h);
    }
    let (ow, oh) = (out_w as f32, out_h as f32);
    let from = [(0.0, 0.0), (ow, 0.0), (ow, oh), (0.0, oh)];
    let to = q.map(|p| (p[0], p[1]));
    let Some(proj) = Projection::from_control_points(from, to) else {
        return RgbImage::from_pixel(out_w, out_h, Rgb([255, 255, 255]));
    };
    let (w, h) = quad_size(q);
    // Samples per output pixel along each axis: enough that samples are at most ~1 px apart.
    let n = ((w / ow).max(h / oh).ceil() as u32).clamp(1, 4);
    let src = Source::of(img);
    let fast = Fast::new(&proj);
    let sample_row = |y: u32, row: &mut [u8]| sample_row_n(n, &proj, fast.as_ref(), &src, y, row);
    let row_bytes = out_w as usize * 3;
    let mut buf = vec![0u8; row_bytes * out_h as usize];
    let samples = u64::from(out_w) * u64::from(out_h) * u64::from(n * n);
    let lanes = if samples >= PARALLEL_SAMPLES {
        lanes.min(out_h as usize)
    } else {
        1
    };
    if lanes <= 1 {
        for (y, row) in buf.chunks_exact_mut(row_bytes).enumerate() {
            sample_row(y as u32, row);
        }
    } else {
        let band_rows = (out_h as usize).div_ceil(lanes);
        let sample_row = &sample_row;
        std::thread::scope(|scope| {
            for (k, band) in buf.chunks_mut(row_bytes * band_rows).enumerate() {
                scope.spawn(move || {
                    for (j, row) in band.chunks_exact_mut(row_bytes).enumerate() {
                        sample_row((k * band_rows + j) as u32, row);
                    }
                });
            }
        });
    }
    RgbImage::from_raw(out_w, out_h, buf)
        .unwrap_or_else(|| RgbImage::from_pixel(out_w, out_h, Rgb([255, 255, 255])))
}

/// The image a strip is sampled from: its RGB bytes, width and height.
struct Source<'a> {
    raw: &'a [u8],
    w: i64,
    h: i64,
}

impl<'a> Source<'a> {
    fn of(img: &'a RgbImage) -> Self {
        Source {
            raw: img.as_raw(),
            w: i64::from(img.width()),
            h: i64::from(img.height()),
        }
    }
}

/// The vector sampler, where the CPU has one and the projection's matrix can be read.
#[cfg(target_arch = "x86_64")]
type Fast = avx2::Matrix;
#[cfg(not(target_arch = "x86_64"))]
#[derive(Debug, Clone, Copy)]
enum Fast {}

impl Fast {
    #[cfg(target_arch = "x86_64")]
    fn new(proj: &Projection) -> Option<Fast> {
        if avx2::available() {
            avx2::Matrix::of(proj)
        } else {
            None
        }
    }

    #[cfg(not(target_arch = "x86_64"))]
    fn new(_: &Projection) -> Option<Fast> {
        None
    }
}

/// [`sample_row`] at `n` x `n` samples a pixel (1 to 4; more are taken as 4).
fn sample_row_n(
    n: u32,
    proj: &Projection,
    fast: Option<&Fast>,
    src: &Source,
    y: u32,
    row: &mut [u8],
) {
    match n {
        1 => sample_row::<1>(proj, fast, src, y, row),
        2 => sample_row::<2>(proj, fast, src, y, row),
        3 => sample_row::<3>(proj, fast, src, y, row),
        _ => sample_row::<4>(proj, fast, src, y, row),
    }
}

/// Samples row `y` of a strip, `N` x `N` samples per pixel averaged: with `fast`, eight pixels
/// at a time (the same bytes), else one by one.
fn sample_row<const N: usize>(
    proj: &Projection,
    fast: Option<&Fast>,
    src: &Source,
    y: u32,
    row: &mut [u8],
) {
    let scalar = |x: u32, px: &mut [u8]| sample_pixel::<N>(proj, src, x, y, px);
    match fast {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `Fast::new` made a matrix only where the CPU has AVX2.
        Some(m) => unsafe { avx2::sample_row::<N>(m, src, y, row, scalar) },
        #[cfg(not(target_arch = "x86_64"))]
        Some(never) => match *never {},
        None => {
            for (x, px) in row.chunks_exact_mut(3).enumerate() {
                scalar(x as u32, px);
            }
        }
    }
}

/// Samples pixel `(x, y)` of a strip, `N` x `N` samples averaged. `N` is a constant so that the
/// sample offsets and weights fold away: this runs for every pixel of a straightened page.
#[inline(always)]
fn sample_pixel<const N: usize>(proj: &Projection, src: &Source, x: u32, y: u32, px: &mut [u8]) {
    let step = 1.0 / N as f32;
    let weight = 1.0 / (N * N) as f32;
    let mut acc = [0.0f32; 3];
    for i in 0..N {
        for j in 0..N {
            let sx = x as f32 + (i as f32 + 0.5) * step;
            let sy = y as f32 + (j as f32 + 0.5) * step;
            let (u, v) = *proj * (sx, sy);
            let p = bilinear(src, u - 0.5, v - 0.5);
            for c in 0..3 {
                acc[c] += p[c] * weight;
            }
        }
    }
    for c in 0..3 {
        px[c] = round(acc[c]).clamp(0.0, 255.0) as u8;
    }
}

/// Bilinear sample at pixel-centre coordinates; outside the image reads as white. The four
/// neighbours are read straight from the bytes when all lie inside.
fn bilinear(src: &Source, x: f32, y: f32) -> [f32; 3] {
    let (w, h) = (src.w, src.h);
    let (xi, yi) = (floor(x), floor(y));
    let (fx, fy) = (x - xi as f32, y - yi as f32);
    let at = |xx: i64, yy: i64| ((yy * w + xx) * 3) as usize;
    let read = |i: usize| [src.raw[i], src.raw[i + 1], src.raw[i + 2]].map(f32::from);
    let (a, b, c, d) = if xi >= 0 && yi >= 0 && xi + 1 < w && yi + 1 < h {
        let (top, bottom) = (at(xi, yi), at(xi, yi + 1));
        (read(top), read(top + 3), read(bottom), read(bottom + 3))
    } else {
        let px = |xx: i64, yy: i64| -> [f32; 3] {
            if xx < 0 || yy < 0 || xx >= w || yy >= h {
                [255.0; 3]
            } else {
                read(at(xx, yy))
            }
        };
        (
            px(xi, yi),
            px(xi + 1, yi),
            px(xi, yi + 1),
            px(xi + 1, yi + 1),
        )
    };
    let mut out = [0.0; 3];
    for k in 0..3 {
        let top = a[k] + (b[k] - a[k]) * fx;
        let bottom = c[k] + (d[k] - c[k]) * fx;
        out[k] = top + (bottom - top) * fy;
    }
    out
}

/// `x.floor()` as an integer, without the library call baseline x86-64 makes of `floor`. Equal
/// to it for every coordinate that can land inside an image (|x| < 2^24).
fn floor(x: f32) -> i64 {
    let t = x as i64;
    if (t as f32) > x { t - 1 } else { t }
}

/// `x.round()` for `x` >= 0 (an average of pixel values), without the library call baseline
/// x86-64 makes of `round`: halves round up, and `x - trunc(x)` is exact below 2^23.
fn round(x: f32) -> f32 {
    if x >= 8_388_608.0 {
        return x;
    }
    let t = (x as i64) as f32;
    if x - t >= 0.5 { t + 1.0 } else { t }
}

/// Turns the quad by 180 degrees: the same region, corner 0 now at what was corner 2.
pub fn turned(q: &Quad) -> Quad {
    [q[2], q[3], q[0], q[1]]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_axis_aligned_crop_copies_the_region() {
        let img = RgbImage::from_fn(40, 20, |x, y| Rgb([(x * 5) as u8, (y * 10) as u8, 0]));
        let q = [[10.0, 5.0], [30.0, 5.0], [30.0, 15.0], [10.0, 15.0]];
        let c = crop_to(&img, &q, 20, 10);
        assert_eq!(c.dimensions(), (20, 10));
        assert_eq!(c.get_pixel(0, 0).0, [50, 50, 0]);
        assert_eq!(c.get_pixel(19, 9).0, [145, 140, 0]);
    }

    /// An image whose neighbouring pixels all differ, in every channel.
    fn patterned(w: u32, h: u32) -> RgbImage {
        RgbImage::from_fn(w, h, |x, y| {
            Rgb([
                (x * 7 % 251) as u8,
                (y * 13 % 241) as u8,
                ((x ^ y) % 256) as u8,
            ])
        })
    }

    #[test]
    fn a_page_sampled_in_bands_is_the_page_sampled_in_one_go() {
        let img = patterned(900, 700);
        // A tilted quad, sampled 2 x 2 a pixel: well over the size that is split into bands.
        let q = [[40.0, 60.0], [860.0, 20.0], [880.0, 650.0], [30.0, 690.0]];
        let one = crop_in_lanes(&img, &q, 600, 450, 1);
        for lanes in [2, 3, 7] {
            let banded = crop_in_lanes(&img, &q, 600, 450, lanes);
            assert!(banded == one, "{lanes} lanes sampled another page");
        }
        assert_eq!(crop_in_lanes(&img, &q, 0, 10, 2).dimensions(), (0, 10));
    }

    /// The sampler as first written, plainly: library `floor` and `round`, pixels read through
    /// `get_pixel`. The fast one must give the same bytes.
    fn reference(img: &RgbImage, q: &Quad, out_w: u32, out_h: u32) -> RgbImage {
        let (ow, oh) = (out_w as f32, out_h as f32);
        let from = [(0.0, 0.0), (ow, 0.0), (ow, oh), (0.0, oh)];
        let proj = Projection::from_control_points(from, q.map(|p| (p[0], p[1]))).expect("quad");
        let (w, h) = quad_size(q);
        let n = ((w / ow).max(h / oh).ceil() as u32).clamp(1, 4);
        let (step, weight) = (1.0 / n as f32, 1.0 / (n * n) as f32);
        let read = |x: f32, y: f32| -> [f32; 3] {
            let (x0, y0) = (x.floor(), y.floor());
            let (fx, fy) = (x - x0, y - y0);
            let px = |xx: i64, yy: i64| {
                if xx < 0 || yy < 0 || xx >= img.width() as i64 || yy >= img.height() as i64 {
                    [255.0; 3]
                } else {
                    img.get_pixel(xx as u32, yy as u32).0.map(f32::from)
                }
            };
            let (xi, yi) = (x0 as i64, y0 as i64);
            let (a, b, c, d) = (
                px(xi, yi),
                px(xi + 1, yi),
                px(xi, yi + 1),
                px(xi + 1, yi + 1),
            );
            std::array::from_fn(|k| {
                let top = a[k] + (b[k] - a[k]) * fx;
                let bottom = c[k] + (d[k] - c[k]) * fx;
                top + (bottom - top) * fy
            })
        };
        RgbImage::from_fn(out_w, out_h, |x, y| {
            let mut acc = [0.0f32; 3];
            for i in 0..n {
                for j in 0..n {
                    let sx = x as f32 + (i as f32 + 0.5) * step;
                    let sy = y as f32 + (j as f32 + 0.5) * step;
                    let (u, v) = proj * (sx, sy);
                    let p = read(u - 0.5, v - 0.5);
                    for c in 0..3 {
                        acc[c] += p[c] * weight;
                    }
                }
            }
            Rgb(acc.map(|a| a.round().clamp(0.0, 255.0) as u8))
        })
    }

    #[test]
    fn the_sampler_gives_the_plain_samplers_bytes() {
        let img = patterned(300, 200);
        // 1 to 4 samples a pixel; tilted, in perspective, and reaching past the image's edges.
        let quads: [Quad; 4] = [
            [[10.3, 12.7], [250.9, 20.1], [240.2, 180.6], [5.5, 170.4]],
            [[-20.0, -15.0], [320.0, 5.0], [310.0, 230.0], [-10.0, 210.0]],
            [[50.0, 50.0], [52.0, 150.0], [10.0, 149.0], [9.0, 52.0]],
            [[0.0, 0.0], [299.0, 0.0], [299.0, 199.0], [0.0, 199.0]],
        ];
        for q in &quads {
            for (w, h) in [(240, 160), (120, 80), (80, 48), (60, 40), (300, 200)] {
                let want = reference(&img, q, w, h);
                assert!(crop_in_lanes(&img, q, w, h, 1) == want, "{q:?} at {w}x{h}");
            }
        }
    }

    /// Quads of every kind from a small linear congruential generator: tilted, in perspective,
    /// partly or wholly outside a 300 x 200 image, and axis-aligned (an affine projection).
    fn quads(count: usize) -> Vec<Quad> {
        let mut state = 0x2545_f491_u32;
        let mut next = |lo: f32, hi: f32| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            lo + (hi - lo) * (state >> 8) as f32 / (1u32 << 24) as f32
        };
        (0..count)
            .map(|k| {
                if k % 5 == 0 {
                    let (x, y) = (next(-10.0, 200.0), next(-10.0, 120.0));
                    let (w, h) = (next(8.0, 120.0), next(8.0, 90.0));
                    [[x, y], [x + w, y], [x + w, y + h], [x, y + h]]
                } else {
                    let corners = [(20.0, 20.0), (280.0, 20.0), (280.0, 180.0), (20.0, 180.0)];
                    corners.map(|(x, y)| [x + next(-40.0, 40.0), y + next(-40.0, 40.0)])
                }
            })
            .collect()
    }

    #[test]
    fn the_vector_sampler_gives_the_scalar_samplers_bytes() {
        let img = patterned(300, 200);
        let mut vectorised = 0;
        for (k, q) in quads(60).iter().enumerate() {
            // Widths not all multiples of eight, so some rows end in a scalar tail.
            let (w, h) = [(250, 170), (131, 77), (67, 45), (61, 43), (300, 200)][k % 5];
            let (ow, oh) = (w as f32, h as f32);
            let from = [(0.0, 0.0), (ow, 0.0), (ow, oh), (0.0, oh)];
            let Some(proj) = Projection::from_control_points(from, q.map(|p| (p[0], p[1]))) else {
                continue;
            };
            let Some(fast) = Fast::new(&proj) else {
                continue;
            };
            vectorised += 1;
            let src = Source::of(&img);
            for y in 0..h {
                let mut plain = vec![0u8; w as usize * 3];
                let mut vector = plain.clone();
                for n in 1..=4 {
                    sample_row_n(n, &proj, None, &src, y, &mut plain);
                    sample_row_n(n, &proj, Some(&fast), &src, y, &mut vector);
                    assert!(
                        plain == vector,
                        "{q:?} at {w}x{h}, row {y}, {n} x {n} samples"
                    );
                }
            }
        }
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            assert!(vectorised > 40, "only {vectorised} quads ran in vectors");
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn the_matrix_read_out_maps_points_as_the_projection_does() {
        let mut affine = 0;
        for q in quads(40) {
            let from = [(0.0, 0.0), (64.0, 0.0), (64.0, 48.0), (0.0, 48.0)];
            let proj =
                Projection::from_control_points(from, q.map(|p| (p[0], p[1]))).expect("quad");
            let m = avx2::Matrix::of(&proj).expect("a projective or affine matrix");
            affine += usize::from(format!("{proj:?}").ends_with("Affine }"));
            for k in 0..200 {
                let (x, y) = ((k % 20) as f32 * 3.3 - 1.0, (k / 20) as f32 * 5.1 - 0.5);
                let (a, b) = proj * (x, y);
                let (c, d) = m.map(x, y);
                assert!(
                    a.to_bits() == c.to_bits() && b.to_bits() == d.to_bits(),
                    "{proj:?} at ({x}, {y}): ({a}, {b}) against ({c}, {d})"
                );
            }
        }
        assert!(affine > 0, "no affine projection among the quads");
    }

    #[test]
    fn floor_and_round_agree_with_the_library() {
        let mut x = -3000.0f32;
        while x < 3000.0 {
            assert_eq!(floor(x), x.floor() as i64, "floor {x}");
            if x >= 0.0 {
                assert_eq!(round(x), x.round(), "round {x}");
            }
            x += 0.123_456_7;
        }
        for x in [
            0.0,
            0.5,
            1.5,
            2.5,
            254.5,
            254.499_98,
            0.499_999_97,
            255.0,
            9e6,
            1e7,
        ] {
            assert_eq!(round(x), x.round(), "round {x}");
            assert_eq!(floor(x), x.floor() as i64, "floor {x}");
            assert_eq!(floor(-x), (-x).floor() as i64, "floor {}", -x);
        }
    }

    #[test]
    fn a_turned_quad_gives_the_strip_upside_down() {
        let img = RgbImage::from_fn(40, 20, |x, _| Rgb([(x * 5) as u8, 0, 0]));
        let q = [[10.0, 5.0], [30.0, 5.0], [30.0, 15.0], [10.0, 15.0]];
        let c = crop_to(&img, &turned(&q), 20, 10);
        assert_eq!(c.get_pixel(0, 0).0[0], 145);
        assert_eq!(c.get_pixel(19, 0).0[0], 50);
    }

    #[test]
    fn crop_line_keeps_the_aspect_ratio_at_the_requested_height() {
        let img = RgbImage::new(400, 100);
        let q = [[0.0, 0.0], [300.0, 0.0], [300.0, 30.0], [0.0, 30.0]];
        assert_eq!(crop_line(&img, &q, 48, 2000).dimensions(), (480, 48));
        assert_eq!(crop_line(&img, &q, 48, 100).dimensions(), (100, 48));
    }
}
