//! A simulated phone photo of a page lying on a surface.
//!
//! The page is placed under a perspective view onto a procedural background, then the frame gets
//! what a real capture adds: uneven light and vignetting, an optional glare spot, a soft shadow,
//! defocus blur, sensor noise and a real JPEG round trip. The page's corners in the frame are
//! returned as ground truth for document location.
//!
//! Corners use the convention of [`crate::geometry`]: continuous pixel coordinates with the origin
//! at the frame's top-left corner (pixel `(i, j)` covers `[i, i+1) x [j, j+1)`), clockwise from
//! the page's own top-left, which is at the frame's bottom-right when the page is upside down.

use image::codecs::jpeg::JpegEncoder;
use image::{GrayImage, ImageFormat, Luma, Rgb, RgbImage};
use imageproc::filter::gaussian_blur_f32;
use imageproc::geometric_transformations::{Border, Interpolation, Projection, warp_into};
use rand::{Rng, RngExt};

use super::SynthError;
pub use super::texture::Background;
use super::texture::surface;
use crate::geometry::{Point, Quad};

/// How the photo is taken. [`Default`] is a steady, well-lit, straight-on capture.
#[derive(Debug, Clone, PartialEq)]
pub struct CameraParams {
    /// Frame width in pixels. Default 1280.
    pub frame_w: u32,
    /// Frame height in pixels. Default 960 (4:3, as phone cameras shoot).
    pub frame_h: u32,
    /// Share of the frame height the page's long side fills before perspective. Default 0.85.
    /// The page is shrunk if it would otherwise leave the frame.
    pub fill: f32,
    /// In-plane rotation of the page, degrees clockwise as displayed. Default 0.
    pub rotation_deg: f32,
    /// Perspective strength, `0..0.15`: the far edge of the page is this share shorter than the
    /// near one, along a random direction. Default 0.03.
    pub tilt: f32,
    /// Standard deviation of the Gaussian defocus blur in pixels; 0 for none. Default 0.7.
    pub blur_sigma: f32,
    /// Standard deviation of the sensor noise in 8-bit levels; 0 for none. Default 2.5.
    pub noise_sigma: f32,
    /// JPEG quality, 1 to 100. Default 85.
    pub jpeg_quality: u8,
    /// How much darker the frame's corners are than its centre, `0..1`. Default 0.2.
    pub vignette: f32,
    /// Peak strength of a glare spot on the page, `0..1`; 0 for none. Default 0.
    pub glare: f32,
    /// The surface under the page. Default [`Background::Tray`].
    pub background: Background,
    /// Exposure: a gain on all the light. Default 1. Near 1.3 and above, white paper clips at
    /// 255 as a webcam's auto-exposure makes it; near 0.3 and below the page is dim.
    pub exposure: f32,
    /// White balance: above 0 warm (red up, blue down, as under a tungsten lamp), below 0 cool.
    /// Default 0; a random cast of at most 0.04 either way is always added.
    pub warmth: f32,
    /// The glare spot, placed: overrides the random one `glare` asks for. Default none.
    pub glare_spot: Option<Spot>,
    /// A soft shadow (a hand's, a head's) darkening part of the frame. Default none.
    pub shadow: Option<Spot>,
}

impl Default for CameraParams {
    fn default() -> Self {
        CameraParams {
            frame_w: 1280,
            frame_h: 960,
            fill: 0.85,
            rotation_deg: 0.0,
            tilt: 0.03,
            blur_sigma: 0.7,
            noise_sigma: 2.5,
            jpeg_quality: 85,
            vignette: 0.2,
            glare: 0.0,
            background: Background::Tray,
            exposure: 1.0,
            warmth: 0.0,
            glare_spot: None,
            shadow: None,
        }
    }
}

impl CameraParams {
    /// A random but plausible hand-held capture in a `frame_w` x `frame_h` frame: small
    /// rotations (sometimes a quarter or half turn), moderate tilt, blur, noise and compression,
    /// glare some of the time; text stays legible.
    pub fn sample<R: Rng + ?Sized>(rng: &mut R, frame_w: u32, frame_h: u32) -> CameraParams {
        let turn = [0.0, 0.0, 0.0, 0.0, 90.0, 180.0, 270.0][rng.random_range(0..7)];
        CameraParams {
            frame_w,
            frame_h,
            fill: rng.random_range(0.6..0.95),
            rotation_deg: turn + rng.random_range(-8.0..8.0),
            tilt: rng.random_range(0.0..0.12),
            blur_sigma: rng.random_range(0.0..1.2),
            noise_sigma: rng.random_range(1.0..6.0),
            jpeg_quality: rng.random_range(55..=95),
            vignette: rng.random_range(0.05..0.4),
            glare: if rng.random_bool(0.4) {
                rng.random_range(0.2..0.6)
            } else {
                0.0
            },
            background: Background::ALL[rng.random_range(0..Background::ALL.len())],
            ..CameraParams::default()
        }
    }

    fn validate(&self, page: &RgbImage) -> Result<(), SynthError> {
        let bad = |what: &str| Err(SynthError::InvalidParams(what.to_string()));
        if self.frame_w < 16 || self.frame_h < 16 {
            return bad("frame smaller than 16 x 16");
        }
        if page.width() == 0 || page.height() == 0 {
            return bad("empty page image");
        }
        if !(f32::EPSILON..=2.0).contains(&self.fill) {
            return bad("fill outside (0, 2]");
        }
        if !(0.0..0.5).contains(&self.tilt) {
            return bad("tilt outside [0, 0.5)");
        }
        if !(0.0..=1.0).contains(&self.vignette) {
            return bad("vignette outside [0, 1]");
        }
        let finite = [
            self.rotation_deg,
            self.blur_sigma,
            self.noise_sigma,
            self.vignette,
            self.glare,
            self.exposure,
            self.warmth,
        ];
        if finite.iter().any(|v| !v.is_finite())
            || self.blur_sigma < 0.0
            || self.noise_sigma < 0.0
            || self.exposure < 0.0
        {
            return bad("non-finite or negative rotation, blur, noise, vignette or glare");
        }
        Ok(())
    }
}

/// Photographs `page` as described by `params`: returns the frame and the page's corners in it,
/// clockwise from the page's top-left.
pub fn photograph<R: Rng + ?Sized>(
    page: &RgbImage,
    params: &CameraParams,
    rng: &mut R,
) -> Result<(RgbImage, Quad), SynthError> {
    params.validate(page)?;
    let corners = place_page(page.dimensions(), params, rng);
    let mut frame = surface(params.background, params.frame_w, params.frame_h, rng);
    lay_page(&mut frame, page, corners)?;
    light(&mut frame, params, corners, rng);
    if params.blur_sigma > 0.05 {
        frame = gaussian_blur_f32(&frame, params.blur_sigma);
    }
    add_noise(&mut frame, params.noise_sigma, rng);
    Ok((jpeg_round_trip(&frame, params.jpeg_quality)?, corners))
}

/// One frame of a scene over a fixed `surface` (as [`super::texture::surface`] draws it): the
/// page, when there is one, laid at `pose`; `motion` (in pixels) smears the frame along the
/// page's movement during the exposure. Light is drawn from `light_seed`, so that every frame of
/// a scene is lit alike; noise and compression come from `rng`, so that no two frames are equal.
pub fn shoot<R: Rng + ?Sized>(
    surface: &RgbImage,
    page: Option<(&RgbImage, Quad)>,
    motion: Point,
    params: &CameraParams,
    light_seed: u64,
    rng: &mut R,
) -> Result<RgbImage, SynthError> {
    let pages: Vec<(&RgbImage, Quad)> = page.into_iter().collect();
    shoot_layers(surface, &pages, None, motion, params, light_seed, rng)
}

/// [`shoot`] with several things on the surface, laid in order (the first is the document the
/// light's random glare spot falls on), and a hand's fingers over them when `fingers` is given.
pub fn shoot_layers<R: Rng + ?Sized>(
    surface: &RgbImage,
    pages: &[(&RgbImage, Quad)],
    fingers: Option<&Fingers>,
    motion: Point,
    params: &CameraParams,
    light_seed: u64,
    rng: &mut R,
) -> Result<RgbImage, SynthError> {
    let scene = compose(surface, pages, fingers, motion, params)?;
    expose(scene, pages.first().map(|p| p.1), params, light_seed, rng)
}

/// What lies on the surface, as it would look under even light: the first half of
/// [`shoot_layers`]. Frames of a still scene share it.
pub fn compose(
    surface: &RgbImage,
    pages: &[(&RgbImage, Quad)],
    fingers: Option<&Fingers>,
    motion: Point,
    params: &CameraParams,
) -> Result<RgbImage, SynthError> {
    let mut frame = surface.clone();
    for &(page, pose) in pages {
        params.validate(page)?;
        lay_page(&mut frame, page, pose)?;
    }
    if let Some(fingers) = fingers {
        fingers.draw(&mut frame);
    }
    if motion[0].hypot(motion[1]) >= 1.0 {
        frame = smear(&frame, motion);
    }
    Ok(frame)
}

/// The second half of [`shoot_layers`]: light (the random glare spot, if any, on `document`),
/// defocus, noise and compression.
pub fn expose<R: Rng + ?Sized>(
    mut frame: RgbImage,
    document: Option<Quad>,
    params: &CameraParams,
    light_seed: u64,
    rng: &mut R,
) -> Result<RgbImage, SynthError> {
    use rand::SeedableRng;
    let corners = document.unwrap_or_else(|| {
        let (w, h) = (frame.width() as f32, frame.height() as f32);
        [[0.0, 0.0], [w, 0.0], [w, h], [0.0, h]]
    });
    let mut light_rng = rand::rngs::StdRng::seed_from_u64(light_seed);
    light(&mut frame, params, corners, &mut light_rng);
    if params.blur_sigma > 0.05 {
        frame = gaussian_blur_f32(&frame, params.blur_sigma);
    }
    add_noise(&mut frame, params.noise_sigma, rng);
    jpeg_round_trip(&frame, params.jpeg_quality)
}

/// A hand's fingers reaching over a point (a document's corner while it is laid down): four
/// skin-coloured, shaded, rounded strokes from outside towards `tip`.
#[derive(Debug, Clone, PartialEq)]
pub struct Fingers {
    /// Where the fingertips reach to, frame pixels.
    pub tip: Point,
    /// The direction the fingers point in (from the hand towards the tips), any length.
    pub towards: Point,
    /// A finger's width, pixels.
    pub width: f32,
}

impl Fingers {
    fn draw(&self, frame: &mut RgbImage) {
        let len = self.towards[0].hypot(self.towards[1]).max(1e-6);
        let d = [self.towards[0] / len, self.towards[1] / len];
        let side = [-d[1], d[0]];
        let w = self.width;
        // Four fingers side by side, the middle ones longest; each a capsule from far outside.
        let reach = [0.75f32, 1.0, 0.95, 0.7];
        let skin = [198.0f32, 148.0, 122.0];
        let (fw, fh) = (frame.width() as i64, frame.height() as i64);
        for (k, r) in reach.iter().enumerate() {
            let offset = (k as f32 - 1.5) * w * 1.05;
            let tip = [
                self.tip[0] + side[0] * offset - d[0] * (1.0 - r) * 4.0 * w,
                self.tip[1] + side[1] * offset - d[1] * (1.0 - r) * 4.0 * w,
            ];
            let base = [tip[0] - d[0] * 12.0 * w, tip[1] - d[1] * 12.0 * w];
            let (x0, x1) = (tip[0].min(base[0]) - w, tip[0].max(base[0]) + w);
            let (y0, y1) = (tip[1].min(base[1]) - w, tip[1].max(base[1]) + w);
            for y in (y0.floor() as i64).max(0)..(y1.ceil() as i64).min(fh) {
                for x in (x0.floor() as i64).max(0)..(x1.ceil() as i64).min(fw) {
                    let p = [x as f32 + 0.5, y as f32 + 0.5];
                    // Distance to the segment base-tip.
                    let (vx, vy) = (p[0] - base[0], p[1] - base[1]);
                    let along = (vx * d[0] + vy * d[1]).clamp(0.0, 12.0 * w);
                    let q = [base[0] + d[0] * along, base[1] + d[1] * along];
                    let dist = (p[0] - q[0]).hypot(p[1] - q[1]);
                    let cover = (w / 2.0 - dist + 0.5).clamp(0.0, 1.0);
                    if cover <= 0.0 {
                        continue;
                    }
                    // Rounder towards the edges of a finger: darker there.
                    let shade = 1.0 - 0.35 * (dist / (w / 2.0)).powi(2);
                    let px = frame.get_pixel_mut(x as u32, y as u32);
                    for (c, s) in px.0.iter_mut().zip(skin) {
                        *c = (f32::from(*c) * (1.0 - cover) + s * shade * cover).round() as u8;
                    }
                }
            }
        }
    }
}

/// Where a page of `page_size` pixels lies when placed as `params` say (fill, rotation, tilt),
/// at a random position in the frame.
pub fn pose<R: Rng + ?Sized>(page_size: (u32, u32), params: &CameraParams, rng: &mut R) -> Quad {
    place_page(page_size, params, rng)
}

/// Motion blur: the average of the frame shifted along `motion`, one copy per pixel of it (at
/// most [`SMEAR_COPIES`]: a long smear looks the same with fewer).
fn smear(frame: &RgbImage, motion: Point) -> RgbImage {
    let steps = (motion[0].hypot(motion[1]).round().max(1.0) as i64).min(SMEAR_COPIES);
    let (w, h) = (frame.width() as i64, frame.height() as i64);
    let mut sum = vec![0u32; (w * h * 3) as usize];
    for k in 0..=steps {
        let t = k as f32 / steps as f32 - 0.5;
        let (dx, dy) = (
            (motion[0] * t).round() as i64,
            (motion[1] * t).round() as i64,
        );
        for y in 0..h {
            let sy = (y - dy).clamp(0, h - 1);
            for x in 0..w {
                let sx = (x - dx).clamp(0, w - 1);
                let p = frame.get_pixel(sx as u32, sy as u32).0;
                let i = ((y * w + x) * 3) as usize;
                sum[i] += u32::from(p[0]);
                sum[i + 1] += u32::from(p[1]);
                sum[i + 2] += u32::from(p[2]);
            }
        }
    }
    let n = (steps + 1) as u32;
    RgbImage::from_fn(w as u32, h as u32, |x, y| {
        let i = ((i64::from(y) * w + i64::from(x)) * 3) as usize;
        Rgb([0, 1, 2].map(|c| ((sum[i + c] + n / 2) / n) as u8))
    })
}

/// The most copies [`smear`] averages.
const SMEAR_COPIES: i64 = 32;

/// Where the page's corners land: scaled to `fill`, rotated, seen from a tilted camera, then
/// shifted to a random position that keeps the whole page in the frame.
fn place_page<R: Rng + ?Sized>((w, h): (u32, u32), params: &CameraParams, rng: &mut R) -> Quad {
    let (fw, fh) = (params.frame_w as f32, params.frame_h as f32);
    let scale = params.fill * fh / w.max(h) as f32;
    let (a, b) = (w as f32 * scale / 2.0, h as f32 * scale / 2.0);
    let (sin, cos) = params.rotation_deg.to_radians().sin_cos();
    let rotated =
        [[-a, -b], [a, -b], [a, b], [-a, b]].map(|[x, y]| [x * cos - y * sin, x * sin + y * cos]);
    let tilted = tilt(rotated, params.tilt, (fw * fw + fh * fh).sqrt(), rng);
    fit_in_frame(tilted, fw, fh, rng)
}

/// Views centred `corners` from a camera whose axis is tilted off the page's normal, so that the
/// far edge is `strength` shorter than the near one. `diagonal` sets the focal length (about 0.7
/// frame diagonals, as for a phone's wide lens).
fn tilt<R: Rng + ?Sized>(corners: Quad, strength: f32, diagonal: f32, rng: &mut R) -> Quad {
    let phi = rng.random_range(0.0..std::f32::consts::TAU);
    if strength <= 0.0 {
        return corners;
    }
    let dir = [phi.cos(), phi.sin()];
    let focal = 0.7 * diagonal;
    let reach = corners
        .iter()
        .map(|c| (c[0] * dir[0] + c[1] * dir[1]).abs())
        .fold(0.0f32, f32::max);
    // (focal - reach*sin) / (focal + reach*sin) = 1 - strength, solved for sin.
    let sin = (focal * strength / (2.0 - strength) / reach.max(1.0)).min(0.9);
    let cos = (1.0 - sin * sin).sqrt();
    corners.map(|c| {
        let along = c[0] * dir[0] + c[1] * dir[1];
        let across = [c[0] - along * dir[0], c[1] - along * dir[1]];
        let depth = focal / (focal + along * sin);
        [
            (across[0] + along * cos * dir[0]) * depth,
            (across[1] + along * cos * dir[1]) * depth,
        ]
    })
}

/// Shrinks `corners` (centred on the origin) if needed to fit the frame with a small margin, and
/// moves them to a random position inside it.
fn fit_in_frame<R: Rng + ?Sized>(corners: Quad, fw: f32, fh: f32, rng: &mut R) -> Quad {
    let margin = 0.02 * fw.min(fh);
    let min = |k: usize| corners.iter().map(|c| c[k]).fold(f32::INFINITY, f32::min);
    let max = |k: usize| {
        corners
            .iter()
            .map(|c| c[k])
            .fold(f32::NEG_INFINITY, f32::max)
    };
    let (span_x, span_y) = (max(0) - min(0), max(1) - min(1));
    let shrink = ((fw - 2.0 * margin) / span_x)
        .min((fh - 2.0 * margin) / span_y)
        .min(1.0);
    let offset = |lo: f32, hi: f32, size: f32, rng: &mut R| {
        let (from, to) = (margin - lo * shrink, size - margin - hi * shrink);
        if to > from {
            rng.random_range(from..to)
        } else {
            // Shrunk to fit exactly: the only position is `from` (== `to` up to rounding). The
            // frame's centre would be wrong, as a tilted quad's box is not centred on the origin.
            (from + to) / 2.0
        }
    };
    let cx = offset(min(0), max(0), fw, rng);
    let cy = offset(min(1), max(1), fh, rng);
    corners.map(|c| [cx + c[0] * shrink, cy + c[1] * shrink])
}

/// Draws `page` into `frame` with its corners at `corners`, with anti-aliased edges and a soft
/// contact shadow on the surface around it.
fn lay_page(frame: &mut RgbImage, page: &RgbImage, corners: Quad) -> Result<(), SynthError> {
    let (w, h) = (page.width() as f32, page.height() as f32);
    let from = [(0.0, 0.0), (w, 0.0), (w, h), (0.0, h)];
    let to = corners.map(|[x, y]| (x, y));
    let continuous = Projection::from_control_points(from, to)
        .ok_or_else(|| SynthError::InvalidParams("degenerate page placement".into()))?;
    // imageproc addresses pixel (i, j) at coordinate (i, j), its centre in continuous terms.
    let projection =
        Projection::translate(-0.5, -0.5) * continuous * Projection::translate(0.5, 0.5);
    let (fw, fh) = frame.dimensions();
    let mut color = RgbImage::new(fw, fh);
    warp_into(
        page,
        projection,
        Interpolation::Bilinear,
        Border::Constant(Rgb([0, 0, 0])),
        &mut color,
    );
    let mut mask = GrayImage::new(fw, fh);
    let solid = GrayImage::from_pixel(page.width(), page.height(), Luma([255]));
    warp_into(
        &solid,
        projection,
        Interpolation::Bilinear,
        Border::Constant(Luma([0])),
        &mut mask,
    );
    let shadow = gaussian_blur_f32(&mask, 0.006 * fw.max(fh) as f32 + 1.0);
    for (x, y, px) in frame.enumerate_pixels_mut() {
        let cover = f32::from(mask.get_pixel(x, y).0[0]) / 255.0;
        let shade = 1.0 - 0.35 * f32::from(shadow.get_pixel(x, y).0[0]) / 255.0;
        let page_px = color.get_pixel(x, y).0;
        // `color` is premultiplied by coverage: outside the page it sampled black.
        for (c, page_c) in px.0.iter_mut().zip(page_px) {
            let under = f32::from(*c) * shade * (1.0 - cover);
            *c = (f32::from(page_c) + under).round().clamp(0.0, 255.0) as u8;
        }
    }
    Ok(())
}

/// Uneven light: a linear gradient across the frame, vignetting, a colour cast and an optional
/// glare spot on the page.
fn light<R: Rng + ?Sized>(frame: &mut RgbImage, params: &CameraParams, corners: Quad, rng: &mut R) {
    let (fw, fh) = (params.frame_w as f32, params.frame_h as f32);
    let (cx, cy) = (fw / 2.0, fh / 2.0);
    let half_diag = (cx * cx + cy * cy).sqrt();
    let slope_dir = rng.random_range(0.0..std::f32::consts::TAU);
    let slope = rng.random_range(0.0..0.12);
    let (gx, gy) = (
        slope * slope_dir.cos() / half_diag,
        slope * slope_dir.sin() / half_diag,
    );
    let warmth = rng.random_range(-0.04f32..0.04) + params.warmth;
    let cast = [
        params.exposure * (1.0 + warmth),
        params.exposure,
        params.exposure * (1.0 - warmth),
    ];
    let glare = match &params.glare_spot {
        Some(spot) => Some(spot.clone()),
        None => glare_spot(params.glare, corners, fh, rng),
    };
    for (x, y, px) in frame.enumerate_pixels_mut() {
        let (dx, dy) = (x as f32 + 0.5 - cx, y as f32 + 0.5 - cy);
        let r2 = (dx * dx + dy * dy) / (half_diag * half_diag);
        let shade = params
            .shadow
            .as_ref()
            .map_or(1.0, |s| 1.0 - s.at(x as f32, y as f32));
        let gain = (1.0 - params.vignette * r2) * (1.0 + gx * dx + gy * dy) * shade;
        let flare = glare.as_ref().map_or(0.0, |g| g.at(x as f32, y as f32));
        for (c, tint) in px.0.iter_mut().zip(cast) {
            let lit = f32::from(*c) * gain * tint;
            *c = (lit + (255.0 - lit) * flare).round().clamp(0.0, 255.0) as u8;
        }
    }
}

/// A soft, rotated elliptic spot: the reflection of a lamp on glossy paper (as glare), or a
/// shadow.
#[derive(Debug, Clone, PartialEq)]
pub struct Spot {
    /// Its centre, frame pixels.
    pub centre: Point,
    /// Its radii (where it has fallen to 1/e of its peak), pixels.
    pub radii: [f32; 2],
    /// Cosine and sine of its turn.
    pub cos_sin: [f32; 2],
    /// Its peak; above 1 the spot is clipped to 1 over a plateau, as a lamp's reflection is.
    pub strength: f32,
}

impl Spot {
    /// Its strength at `(x, y)`.
    pub fn at(&self, x: f32, y: f32) -> f32 {
        let (dx, dy) = (x - self.centre[0], y - self.centre[1]);
        let [c, s] = self.cos_sin;
        let u = (dx * c + dy * s) / self.radii[0];
        let v = (-dx * s + dy * c) / self.radii[1];
        (self.strength * (-(u * u + v * v)).exp()).min(1.0)
    }
}

fn glare_spot<R: Rng + ?Sized>(strength: f32, corners: Quad, fh: f32, rng: &mut R) -> Option<Spot> {
    if strength <= 0.0 {
        return None;
    }
    // Somewhere on the page: a random mix of its corners, weighted towards the centre.
    let weights: [f32; 4] = std::array::from_fn(|_| rng.random_range(0.5f32..1.5));
    let total: f32 = weights.iter().sum();
    let centre = [0, 1].map(|k| {
        corners
            .iter()
            .zip(weights)
            .map(|(c, w)| c[k] * w)
            .sum::<f32>()
            / total
    });
    let angle = rng.random_range(0.0f32..std::f32::consts::PI);
    Some(Spot {
        centre,
        radii: [
            rng.random_range(0.08..0.2) * fh,
            rng.random_range(0.05..0.12) * fh,
        ],
        cos_sin: [angle.cos(), angle.sin()],
        strength: strength.min(1.0),
    })
}

/// Sensor noise: mostly luminance, with weaker independent noise per channel.
fn add_noise<R: Rng + ?Sized>(frame: &mut RgbImage, sigma: f32, rng: &mut R) {
    if sigma <= 0.0 {
        return;
    }
    for px in frame.pixels_mut() {
        let [luma, r, g] = [gaussian(rng), gaussian(rng), gaussian(rng)];
        let chroma = [r, g, -(r + g) / 2.0];
        for (c, chroma_c) in px.0.iter_mut().zip(chroma) {
            let noisy = f32::from(*c) + sigma * (0.8 * luma + 0.45 * chroma_c);
            *c = noisy.round().clamp(0.0, 255.0) as u8;
        }
    }
}

/// A standard normal sample (Box-Muller).
fn gaussian<R: Rng + ?Sized>(rng: &mut R) -> f32 {
    let u1: f32 = rng.random_range(f32::EPSILON..1.0);
    let u2: f32 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f32::consts::TAU * u2).cos()
}

fn jpeg_round_trip(frame: &RgbImage, quality: u8) -> Result<RgbImage, SynthError> {
    let mut bytes = Vec::new();
    JpegEncoder::new_with_quality(&mut bytes, quality.clamp(1, 100)).encode_image(frame)?;
    Ok(image::load_from_memory_with_format(&bytes, ImageFormat::Jpeg)?.to_rgb8())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    const PAPER: Rgb<u8> = Rgb([250, 250, 246]);

    fn luma(p: &Rgb<u8>) -> f32 {
        0.299 * f32::from(p.0[0]) + 0.587 * f32::from(p.0[1]) + 0.114 * f32::from(p.0[2])
    }

    fn centroid(q: &Quad) -> Point {
        [0, 1].map(|k| q.iter().map(|c| c[k]).sum::<f32>() / 4.0)
    }

    fn lerp(a: Point, b: Point, t: f32) -> Point {
        [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t]
    }

    fn at(img: &RgbImage, p: Point) -> f32 {
        luma(img.get_pixel(p[0] as u32, p[1] as u32))
    }

    /// A blank A4-shaped page with a black block in its top-left quarter (to tell its corners
    /// apart).
    fn marked_page() -> RgbImage {
        RgbImage::from_fn(620, 877, |x, y| {
            if x < 155 && y < 219 {
                Rgb([0, 0, 0])
            } else {
                PAPER
            }
        })
    }

    /// Signed area (shoelace); positive for clockwise corners in y-down coordinates.
    fn signed_area(q: &Quad) -> f32 {
        (0..4)
            .map(|i| {
                let (a, b) = (q[i], q[(i + 1) % 4]);
                a[0] * b[1] - b[0] * a[1]
            })
            .sum::<f32>()
            / 2.0
    }

    #[test]
    fn frame_size_corners_page_and_background() {
        let page = marked_page();
        let mut rng = StdRng::seed_from_u64(1);
        for (i, background) in Background::ALL.into_iter().cycle().take(9).enumerate() {
            let params = CameraParams {
                frame_w: 640 + 40 * i as u32,
                frame_h: 480,
                rotation_deg: rng.random_range(-15.0..15.0),
                tilt: 0.12,
                background,
                ..CameraParams::default()
            };
            let (img, q) = photograph(&page, &params, &mut rng).expect("photo");
            assert_eq!(img.dimensions(), (params.frame_w, params.frame_h));
            for c in q {
                assert!(
                    c[0] >= 0.0
                        && c[0] <= params.frame_w as f32
                        && c[1] >= 0.0
                        && c[1] <= params.frame_h as f32,
                    "{q:?}"
                );
            }
            assert!(signed_area(&q) > 0.0, "corners not clockwise: {q:?}");
            let mid = centroid(&q);
            // Between the centre and the bottom-right corner the page is blank paper.
            assert!(
                at(&img, lerp(mid, q[2], 0.5)) > 180.0,
                "{background:?}: page not bright"
            );
            // Near the top-left corner is the black block.
            assert!(
                at(&img, lerp(q[0], mid, 0.1)) < 90.0,
                "{background:?}: top-left mark missing"
            );
            // Well outside the page: the surface.
            let outside = far_from_page(&img, &q);
            assert!(
                at(&img, outside) < 160.0,
                "{background:?}: background at {outside:?} too bright"
            );
        }
    }

    /// The frame corner farthest from the page, moved a little inwards.
    fn far_from_page(img: &RgbImage, q: &Quad) -> Point {
        let (w, h) = (img.width() as f32, img.height() as f32);
        let mid = centroid(q);
        let frame_corners = [
            [4.0, 4.0],
            [w - 5.0, 4.0],
            [w - 5.0, h - 5.0],
            [4.0, h - 5.0],
        ];
        let dist = |p: &Point| {
            q.iter()
                .map(|c| crate::geometry::dist(*c, *p))
                .fold(f32::INFINITY, f32::min)
                + crate::geometry::dist(mid, *p)
        };
        frame_corners
            .into_iter()
            .max_by(|a, b| dist(a).total_cmp(&dist(b)))
            .unwrap_or([4.0, 4.0])
    }

    #[test]
    fn upside_down_page_starts_at_the_bottom_right() {
        let params = CameraParams {
            rotation_deg: 180.0,
            tilt: 0.0,
            ..CameraParams::default()
        };
        let (img, q) =
            photograph(&marked_page(), &params, &mut StdRng::seed_from_u64(2)).expect("photo");
        let mid = centroid(&q);
        assert!(q[0][0] > mid[0] && q[0][1] > mid[1], "{q:?}");
        assert!(at(&img, lerp(q[0], mid, 0.1)) < 90.0);
    }

    #[test]
    fn fill_sets_the_page_size_and_tilt_shortens_the_far_edge() {
        let page = marked_page();
        let flat = CameraParams {
            tilt: 0.0,
            fill: 0.8,
            ..CameraParams::default()
        };
        let (_, q) = photograph(&page, &flat, &mut StdRng::seed_from_u64(3)).expect("photo");
        let long = crate::geometry::dist(q[1], q[2]);
        assert!((long - 0.8 * 960.0).abs() < 1.0, "long side {long}");
        let tilted = CameraParams {
            tilt: 0.1,
            fill: 0.6,
            ..CameraParams::default()
        };
        let (_, q) = photograph(&page, &tilted, &mut StdRng::seed_from_u64(4)).expect("photo");
        let sides: Vec<f32> = (0..4)
            .map(|i| crate::geometry::dist(q[i], q[(i + 1) % 4]))
            .collect();
        let ratio = |a: f32, b: f32| a.min(b) / a.max(b);
        let squeeze = ratio(sides[0], sides[2]).min(ratio(sides[1], sides[3]));
        assert!(
            squeeze < 0.97 && squeeze > 0.8,
            "opposite sides ratio {squeeze}, {sides:?}"
        );
    }

    #[test]
    fn oversized_page_is_shrunk_into_the_frame() {
        let params = CameraParams {
            fill: 1.6,
            rotation_deg: 90.0,
            ..CameraParams::default()
        };
        let (_, q) =
            photograph(&marked_page(), &params, &mut StdRng::seed_from_u64(5)).expect("photo");
        assert!(
            q.iter()
                .all(|c| c[0] >= 0.0 && c[0] <= 1280.0 && c[1] >= 0.0 && c[1] <= 960.0),
            "{q:?}"
        );
    }

    #[test]
    fn tilted_oversized_page_stays_inside_the_frame() {
        let page = marked_page();
        for seed in 0..12 {
            let params = CameraParams {
                fill: 1.3,
                rotation_deg: 10.0 + 7.0 * seed as f32,
                tilt: 0.12,
                ..CameraParams::default()
            };
            let q = place_page(page.dimensions(), &params, &mut StdRng::seed_from_u64(seed));
            for c in q {
                assert!(
                    c[0] >= 0.0 && c[0] <= 1280.0 && c[1] >= 0.0 && c[1] <= 960.0,
                    "seed {seed}: {q:?}"
                );
            }
        }
    }

    #[test]
    fn glare_blur_noise_and_jpeg_change_the_image() {
        let page = marked_page();
        let clean = CameraParams {
            blur_sigma: 0.0,
            noise_sigma: 0.0,
            jpeg_quality: 100,
            ..CameraParams::default()
        };
        let rough = CameraParams {
            glare: 0.8,
            blur_sigma: 2.0,
            noise_sigma: 8.0,
            jpeg_quality: 30,
            ..clean.clone()
        };
        let (a, qa) = photograph(&page, &clean, &mut StdRng::seed_from_u64(6)).expect("photo");
        let (b, qb) = photograph(&page, &rough, &mut StdRng::seed_from_u64(6)).expect("photo");
        assert_eq!(qa, qb, "image effects must not move the page");
        let diff: f32 = a
            .pixels()
            .zip(b.pixels())
            .map(|(p, q)| (luma(p) - luma(q)).abs())
            .sum::<f32>()
            / (a.width() * a.height()) as f32;
        assert!(diff > 2.0, "mean difference only {diff}");
    }

    #[test]
    fn invalid_parameters_are_rejected() {
        let page = marked_page();
        let mut rng = StdRng::seed_from_u64(7);
        let tiny = CameraParams {
            frame_w: 0,
            ..CameraParams::default()
        };
        assert!(matches!(
            photograph(&page, &tiny, &mut rng),
            Err(SynthError::InvalidParams(_))
        ));
        let steep = CameraParams {
            tilt: 0.7,
            ..CameraParams::default()
        };
        assert!(photograph(&page, &steep, &mut rng).is_err());
        assert!(photograph(&RgbImage::new(0, 0), &CameraParams::default(), &mut rng).is_err());
    }

    #[test]
    fn same_seed_same_photo() {
        let page = marked_page();
        let params = CameraParams::sample(&mut StdRng::seed_from_u64(8), 480, 360);
        let a = photograph(&page, &params, &mut StdRng::seed_from_u64(9)).expect("photo");
        let b = photograph(&page, &params, &mut StdRng::seed_from_u64(9)).expect("photo");
        let c = photograph(&page, &params, &mut StdRng::seed_from_u64(10)).expect("photo");
        assert!(a == b);
        assert!(a.0 != c.0);
    }
}
