//! Procedural surfaces a document is photographed on: wood, cloth, a plastic tray.
//!
//! A flat background would let a document locator cheat by thresholding; real surfaces have grain,
//! weave and blotches at several scales, which these imitate with value noise. All surfaces stay
//! clearly darker than paper, as a kiosk tray or a desk does under the same light.

use image::{Rgb, RgbImage};
use rand::{Rng, RngExt};

/// The surface under the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Background {
    /// Brown wooden planks with grain lines.
    Wood,
    /// Dark woven fabric.
    Cloth,
    /// Grey speckled plastic, as on a scanning kiosk's tray.
    Tray,
    /// A coloured (purple) tray with a soft mottled texture, as kiosk makers dye theirs.
    Coloured,
    /// A printed pattern: bold tiles of two colours with thin light lines between them.
    Patterned,
}

impl Background {
    /// The surfaces document captures are drawn on, in declaration order. (The tray
    /// conditions' [`Background::Coloured`] and [`Background::Patterned`] are not among them:
    /// adding a surface here would change every generated capture set.)
    pub const ALL: [Background; 3] = [Background::Wood, Background::Cloth, Background::Tray];
}

/// A `width` x `height` image of the `kind` surface.
pub fn surface<R: Rng + ?Sized>(
    kind: Background,
    width: u32,
    height: u32,
    rng: &mut R,
) -> RgbImage {
    match kind {
        Background::Wood => wood(width, height, rng),
        Background::Cloth => cloth(width, height, rng),
        Background::Tray => tray(width, height, rng),
        Background::Coloured => coloured(width, height, rng),
        Background::Patterned => patterned(width, height, rng),
    }
}

/// Random values on a wrapping grid, smoothly interpolated: one octave of value noise.
struct Lattice {
    size: usize,
    values: Vec<f32>,
}

impl Lattice {
    const SIZE: usize = 64;

    fn new<R: Rng + ?Sized>(rng: &mut R) -> Lattice {
        let size = Self::SIZE;
        let values = (0..size * size).map(|_| rng.random::<f32>()).collect();
        Lattice { size, values }
    }

    /// Noise in `0..1` at lattice coordinates `(u, v)`; wraps every `SIZE` cells.
    fn at(&self, u: f32, v: f32) -> f32 {
        let (fu, fv) = (u.floor(), v.floor());
        let (tu, tv) = (smooth(u - fu), smooth(v - fv));
        let n = self.size as i64;
        let (i, j) = (
            (fu as i64).rem_euclid(n) as usize,
            (fv as i64).rem_euclid(n) as usize,
        );
        let (i1, j1) = ((i + 1) % self.size, (j + 1) % self.size);
        let v = |i: usize, j: usize| self.values[j * self.size + i];
        let top = v(i, j) + (v(i1, j) - v(i, j)) * tu;
        let bottom = v(i, j1) + (v(i1, j1) - v(i, j1)) * tu;
        top + (bottom - top) * tv
    }

    /// Several octaves, each twice as fine and half as strong; result roughly in `0..1`.
    fn fbm(&self, u: f32, v: f32, octaves: u32) -> f32 {
        let (mut sum, mut amp, mut norm) = (0.0, 1.0, 0.0);
        let (mut u, mut v) = (u, v);
        // Turning and shifting each octave keeps the lattices of the octaves from lining up,
        // which would show as a grid of horizontal and vertical streaks.
        let (sin, cos) = 0.6f32.sin_cos();
        for _ in 0..octaves {
            sum += amp * self.at(u, v);
            norm += amp;
            amp *= 0.5;
            (u, v) = (
                2.0 * (u * cos - v * sin) + 17.31,
                2.0 * (u * sin + v * cos) + 5.77,
            );
        }
        sum / norm
    }
}

fn smooth(t: f32) -> f32 {
    t * t * (3.0 - 2.0 * t)
}

fn mix(a: [f32; 3], b: [f32; 3], t: f32) -> Rgb<u8> {
    Rgb(std::array::from_fn(|k| {
        (a[k] + (b[k] - a[k]) * t).clamp(0.0, 255.0) as u8
    }))
}

/// Planks along a random direction: fine grain lines warped by slow noise, darker seams between
/// planks, and a colour varying per plank.
fn wood<R: Rng + ?Sized>(width: u32, height: u32, rng: &mut R) -> RgbImage {
    let (warp, fibre) = (Lattice::new(rng), Lattice::new(rng));
    let angle = rng.random_range(-0.3f32..0.3)
        + if rng.random_bool(0.5) {
            0.0
        } else {
            std::f32::consts::FRAC_PI_2
        };
    let (sin, cos) = angle.sin_cos();
    let plank = rng.random_range(140.0f32..260.0);
    let dark = [
        rng.random_range(70.0..100.0),
        rng.random_range(42.0..60.0),
        28.0,
    ];
    let light = [dark[0] + 60.0, dark[1] + 42.0, dark[2] + 26.0];
    RgbImage::from_fn(width, height, |x, y| {
        let (u, v) = (
            x as f32 * cos + y as f32 * sin,
            -(x as f32) * sin + y as f32 * cos,
        );
        let plank_index = (v / plank).floor();
        let in_plank = v / plank - plank_index;
        let shift = plank_index * 7.7;
        // Grain lines run along the plank and wave gently: the slow noise displaces them by up
        // to a few line spacings over a few hundred pixels.
        let bend = (warp.fbm(u / 420.0 + shift, v / 90.0, 3) - 0.5) * 40.0;
        let grain = 0.5 + 0.5 * ((v + bend) / 9.0 * std::f32::consts::TAU).sin();
        let fibres = fibre.at(u / 40.0, v / 1.5);
        let tone = 0.2 * warp.at(shift, 3.3) + 0.45 * grain * grain + 0.25 * fibres;
        let seam = if !(0.015..=0.985).contains(&in_plank) {
            0.35
        } else {
            1.0
        };
        let p = mix(dark, light, tone);
        Rgb(p.0.map(|c| (f32::from(c) * seam) as u8))
    })
}

/// A woven fabric: crossing threads of slightly uneven thickness and soft folds.
fn cloth<R: Rng + ?Sized>(width: u32, height: u32, rng: &mut R) -> RgbImage {
    let (threads, folds) = (Lattice::new(rng), Lattice::new(rng));
    let palette: [[f32; 3]; 4] = [
        [55.0, 62.0, 82.0],
        [44.0, 72.0, 56.0],
        [92.0, 40.0, 46.0],
        [70.0, 70.0, 72.0],
    ];
    let base = palette[rng.random_range(0..palette.len())];
    let pitch = rng.random_range(3.0f32..5.0);
    RgbImage::from_fn(width, height, |x, y| {
        let (fx, fy) = (x as f32, y as f32);
        let warp_thread = (fx / pitch * std::f32::consts::PI).sin().abs();
        let weft_thread = (fy / pitch * std::f32::consts::PI).sin().abs();
        // Over-under weave: which thread is on top alternates every crossing.
        let over = ((fx / pitch) as i64 + (fy / pitch) as i64) % 2 == 0;
        let weave = if over { warp_thread } else { weft_thread };
        let unevenness =
            threads.at(fx / 90.0, fy / 3.0) * 0.5 + threads.at(fx / 3.0 + 31.0, fy / 90.0) * 0.5;
        let fold = folds.fbm(fx / 260.0, fy / 260.0, 3);
        let shade = 0.55 + 0.25 * weave + 0.2 * unevenness + 0.5 * (fold - 0.5);
        Rgb(base.map(|c| (c * shade * 1.3).clamp(0.0, 255.0) as u8))
    })
}

/// Grey plastic with fine speckles and faint scuffs.
fn tray<R: Rng + ?Sized>(width: u32, height: u32, rng: &mut R) -> RgbImage {
    let (speckle, scuff) = (Lattice::new(rng), Lattice::new(rng));
    let grey = rng.random_range(55.0f32..105.0);
    let base = [
        grey,
        grey + rng.random_range(-4.0..4.0),
        grey + rng.random_range(0.0..8.0),
    ];
    RgbImage::from_fn(width, height, |x, y| {
        let (fx, fy) = (x as f32, y as f32);
        let grain = speckle.at(fx / 1.3, fy / 1.3);
        let dots = if grain > 0.93 {
            0.2
        } else if grain < 0.05 {
            -0.2
        } else {
            0.0
        };
        let blotch = scuff.fbm(fx / 180.0, fy / 180.0, 4) - 0.5;
        let shade = 1.0 + 0.15 * (grain - 0.5) + dots + 0.5 * blotch;
        Rgb(base.map(|c| (c * shade).clamp(0.0, 255.0) as u8))
    })
}

/// Purple plastic, mottled at two scales.
fn coloured<R: Rng + ?Sized>(width: u32, height: u32, rng: &mut R) -> RgbImage {
    let (fine, coarse) = (Lattice::new(rng), Lattice::new(rng));
    let base = [
        rng.random_range(95.0f32..125.0),
        rng.random_range(45.0f32..65.0),
        rng.random_range(120.0f32..150.0),
    ];
    RgbImage::from_fn(width, height, |x, y| {
        let (fx, fy) = (x as f32, y as f32);
        let grain = fine.fbm(fx / 3.0, fy / 3.0, 2) - 0.5;
        let blotch = coarse.fbm(fx / 90.0, fy / 90.0, 3) - 0.5;
        let shade = 1.0 + 0.25 * grain + 0.35 * blotch;
        Rgb(base.map(|c| (c * shade).clamp(0.0, 255.0) as u8))
    })
}

/// Tiles of two colours in a checker, with thin lighter grout lines: a patterned mat.
fn patterned<R: Rng + ?Sized>(width: u32, height: u32, rng: &mut R) -> RgbImage {
    let grain = Lattice::new(rng);
    let tile = rng.random_range(0.05f32..0.1) * width.min(height) as f32;
    let a = [
        rng.random_range(30.0f32..90.0),
        rng.random_range(60.0f32..110.0),
        rng.random_range(40.0f32..90.0),
    ];
    let b = [
        rng.random_range(110.0f32..150.0),
        rng.random_range(70.0f32..110.0),
        rng.random_range(40.0f32..70.0),
    ];
    let line = [165.0f32, 160.0, 150.0];
    RgbImage::from_fn(width, height, |x, y| {
        let (fx, fy) = (x as f32, y as f32);
        let (u, v) = (fx / tile, fy / tile);
        let on_line = u.fract() < 0.04 || v.fract() < 0.04;
        let base = if on_line {
            line
        } else if (u.floor() as i64 + v.floor() as i64).rem_euclid(2) == 0 {
            a
        } else {
            b
        };
        let shade = 1.0 + 0.2 * (grain.at(fx / 2.0, fy / 2.0) - 0.5);
        Rgb(base.map(|c| (c * shade).clamp(0.0, 255.0) as u8))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    fn luma(p: &Rgb<u8>) -> f32 {
        0.299 * f32::from(p.0[0]) + 0.587 * f32::from(p.0[1]) + 0.114 * f32::from(p.0[2])
    }

    #[test]
    fn surfaces_are_textured_and_darker_than_paper() {
        let mut rng = StdRng::seed_from_u64(3);
        let trays = [Background::Coloured, Background::Patterned];
        for kind in Background::ALL.into_iter().chain(trays) {
            let img = surface(kind, 320, 240, &mut rng);
            let l: Vec<f32> = img.pixels().map(luma).collect();
            let mean = l.iter().sum::<f32>() / l.len() as f32;
            let var = l.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / l.len() as f32;
            assert!(mean < 150.0, "{kind:?} too bright: {mean}");
            assert!(var.sqrt() > 4.0, "{kind:?} nearly flat: sd {}", var.sqrt());
            let max = l.iter().cloned().fold(0.0, f32::max);
            assert!(max < 200.0, "{kind:?} has paper-bright pixels: {max}");
        }
    }

    #[test]
    fn noise_is_continuous_and_wraps() {
        let lattice = Lattice::new(&mut StdRng::seed_from_u64(4));
        let n = Lattice::SIZE as f32;
        for k in 0..100 {
            let (u, v) = (k as f32 * 0.37, k as f32 * 0.91);
            assert!((lattice.at(u, v) - lattice.at(u + 0.001, v)).abs() < 0.01);
            assert!((lattice.at(u, v) - lattice.at(u + n, v - n)).abs() < 1e-4);
            assert!((0.0..=1.0).contains(&lattice.fbm(u, v, 4)));
        }
    }

    #[test]
    fn same_seed_same_surface() {
        for kind in Background::ALL {
            let a = surface(kind, 64, 48, &mut StdRng::seed_from_u64(9));
            let b = surface(kind, 64, 48, &mut StdRng::seed_from_u64(9));
            assert_eq!(a, b);
        }
    }
}
