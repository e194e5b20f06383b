//! The tray under real light: one short scene per [`Condition`] a kiosk meets (exposure from
//! dim to clipped, vignetting, white balance, coloured, wooden and patterned trays, a hand's
//! shadow, fingers over a corner, glare over text or over a margin only, a document half outside
//! the view, two documents, a phone, a frozen camera, blur, a document too small or never
//! still), each with what the kiosk must do ([`Expect`]).
//!
//! A scene is the empty tray, the condition's events, the empty tray again; frames and
//! `scene.json` as [`super::tray::write_scene`] writes them, with the condition and its
//! expectation added. Documents carry fake identities.

use std::path::Path;

use image::{Rgb, RgbImage};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde::{Deserialize, Serialize};

use super::camera::{Background, CameraParams, Fingers, Spot, compose, expose, pose};
use super::texture::surface;
use super::tray::{Phase, Placement, Scene, SceneFrame, placement_params, tray_camera};
use super::{DocKind, Fonts, SynthError, sample_document};
use crate::geometry::{Point, Quad};

/// A condition of the tray matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    /// An ordinary grey tray, ordinary light: the reference.
    Plain,
    /// Underexposed: the paper is a dim grey, the text still contrasts.
    Dim,
    /// So dark that the text cannot be told from the paper.
    TooDark,
    /// Overexposed as a webcam's auto-exposure makes white paper: most of it clipped at 255,
    /// text crisp.
    Clipped,
    /// Strong vignetting: the frame's corners much darker than its centre.
    Vignette,
    /// Warm white balance (a tungsten lamp).
    Warm,
    /// Cool white balance (daylight through a window, cold LEDs).
    Cool,
    /// A purple textured tray, paper exposed bright.
    ColouredTray,
    /// A wooden desk.
    WoodTray,
    /// A patterned mat of bold tiles.
    PatternedTray,
    /// The shadow of a hand or a head over part of the page.
    HandShadow,
    /// Fingers over a corner while the document is laid down; the hand then leaves.
    FingersOnCorner,
    /// A lamp's specular reflection over the page's text: the print under it is gone.
    GlareOverText,
    /// A lamp's reflection over a blank margin only: nothing to read is lost.
    GlareOverMargin,
    /// Laid down partly outside the camera's view, then pushed fully in.
    HalfOutside,
    /// A printout with a card lying beside it.
    TwoDocuments,
    /// A phone laid on the tray.
    Phone,
    /// The camera delivers the same frame over and over.
    Frozen,
    /// Out of focus throughout.
    Blurred,
    /// A card far from the camera: too small to read.
    TooSmall,
    /// Slid slowly across the tray, never still.
    Moving,
}

/// What the kiosk must do in a condition's scene.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expect {
    /// Readings: 1 (the scene's first placement, its fields right) or 0.
    pub reads: usize,
    /// A refusal reason the kiosk must show (the gate's reason names), if any.
    pub reason: Option<String>,
    /// Whether the kiosk must report a camera fault.
    pub fault: bool,
}

impl Condition {
    /// Every condition, in the order the README's table lists them.
    pub const ALL: [Condition; 21] = [
        Condition::Plain,
        Condition::Dim,
        Condition::TooDark,
        Condition::Clipped,
        Condition::Vignette,
        Condition::Warm,
        Condition::Cool,
        Condition::ColouredTray,
        Condition::WoodTray,
        Condition::PatternedTray,
        Condition::HandShadow,
        Condition::FingersOnCorner,
        Condition::GlareOverText,
        Condition::GlareOverMargin,
        Condition::HalfOutside,
        Condition::TwoDocuments,
        Condition::Phone,
        Condition::Frozen,
        Condition::Blurred,
        Condition::TooSmall,
        Condition::Moving,
    ];

    /// Its name, as in `scene.json` and the benchmark's table.
    pub fn name(self) -> &'static str {
        match self {
            Condition::Plain => "plain",
            Condition::Dim => "dim",
            Condition::TooDark => "too_dark",
            Condition::Clipped => "clipped",
            Condition::Vignette => "vignette",
            Condition::Warm => "warm",
            Condition::Cool => "cool",
            Condition::ColouredTray => "coloured_tray",
            Condition::WoodTray => "wood_tray",
            Condition::PatternedTray => "patterned_tray",
            Condition::HandShadow => "hand_shadow",
            Condition::FingersOnCorner => "fingers_on_corner",
            Condition::GlareOverText => "glare_over_text",
            Condition::GlareOverMargin => "glare_over_margin",
            Condition::HalfOutside => "half_outside",
            Condition::TwoDocuments => "two_documents",
            Condition::Phone => "phone",
            Condition::Frozen => "frozen",
            Condition::Blurred => "blurred",
            Condition::TooSmall => "too_small",
            Condition::Moving => "moving",
        }
    }

    /// The condition named `name`.
    pub fn from_name(name: &str) -> Option<Condition> {
        Condition::ALL.into_iter().find(|c| c.name() == name)
    }

    /// The document laid down: a printout or a card.
    pub fn kind(self) -> DocKind {
        match self {
            Condition::Vignette
            | Condition::Warm
            | Condition::WoodTray
            | Condition::Blurred
            | Condition::TooSmall => DocKind::KitasCard,
            Condition::Cool | Condition::HandShadow => DocKind::Eitap2024,
            Condition::Dim | Condition::GlareOverMargin => DocKind::Eitas2024,
            _ => DocKind::Eitas2021,
        }
    }

    /// What the kiosk must do.
    pub fn expect(self) -> Expect {
        let refuse = |reason: &str| Expect {
            reads: 0,
            reason: Some(reason.to_string()),
            fault: false,
        };
        match self {
            Condition::TooDark => refuse("too_dark"),
            Condition::GlareOverText => refuse("glare"),
            Condition::Blurred => refuse("out_of_focus"),
            Condition::TooSmall => refuse("too_small"),
            Condition::Moving => refuse("moving"),
            Condition::Phone => Expect {
                reads: 0,
                reason: None,
                fault: false,
            },
            Condition::Frozen => Expect {
                reads: 0,
                reason: None,
                fault: true,
            },
            Condition::HalfOutside => Expect {
                reads: 1,
                reason: Some("partly_outside".into()),
                fault: false,
            },
            _ => Expect {
                reads: 1,
                reason: None,
                fault: false,
            },
        }
    }
}

/// A frame's composition (what lies where, the fingers, the motion) and the image drawn of it.
type Composed = (Vec<(usize, Quad)>, Option<Fingers>, f32, RgbImage);

/// The scene's frames, before they are drawn.
struct Shot {
    /// (image index, where it lies) in drawing order; the first is the condition's document.
    pages: Vec<(usize, Quad)>,
    fingers: Option<Fingers>,
    motion: f32,
    phase: Phase,
    placement: Option<usize>,
    /// The frozen camera's frames: the same as the one before.
    repeat: bool,
}

impl Shot {
    fn empty() -> Shot {
        Shot {
            pages: Vec::new(),
            fingers: None,
            motion: 0.0,
            phase: Phase::Empty,
            placement: None,
            repeat: false,
        }
    }

    fn of(pages: Vec<(usize, Quad)>, motion: f32, phase: Phase) -> Shot {
        Shot {
            pages,
            motion,
            phase,
            placement: Some(0),
            ..Shot::empty()
        }
    }
}

fn shifted(q: Quad, dx: f32, dy: f32) -> Quad {
    q.map(|[x, y]| [x + dx, y + dy])
}

/// A point of the page, `(u, v)` in `0..1` of its width and height, in the frame.
fn on_page(q: &Quad, [u, v]: Point) -> Point {
    let lerp = |a: Point, b: Point, t: f32| [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t];
    lerp(lerp(q[0], q[1], u), lerp(q[3], q[2], u), v)
}

/// Where on `page` (as `(u, v)`) a disc of `radius` (a share of the page's width) covers the
/// most print (`most`: edges between ink and paper, so text rather than a photo), or none at
/// all and as near the page's middle as can be (`!most`).
fn ink_spot(page: &RgbImage, radius: f32, most: bool) -> Point {
    const N: usize = 48;
    let (w, h) = (page.width() as usize, page.height() as usize);
    let (cw, ch) = (w.div_ceil(N), h.div_ceil(N));
    let (nx, ny) = (w.div_ceil(cw), h.div_ceil(ch));
    let mut ink = vec![0u32; nx * ny];
    let dark = |x: u32, y: u32| {
        page.get_pixel(x, y)
            .0
            .iter()
            .map(|&c| u32::from(c))
            .sum::<u32>()
            < 3 * 128
    };
    for y in 0..page.height() {
        for x in 1..page.width() {
            if dark(x, y) != dark(x - 1, y) {
                ink[(y as usize / ch) * nx + x as usize / cw] += 1;
            }
        }
    }
    let r = (radius * w as f32 / cw as f32).ceil() as i64;
    let mut best: Option<(f32, Point)> = None;
    for cy in 0..ny as i64 {
        for cx in 0..nx as i64 {
            // The whole disc on the page.
            if cx < r || cy < r || cx + r >= nx as i64 || cy + r >= ny as i64 {
                continue;
            }
            let mut sum = 0u32;
            for y in cy - r..=cy + r {
                for x in cx - r..=cx + r {
                    if (x - cx).pow(2) + (y - cy).pow(2) <= r * r {
                        sum += ink[y as usize * nx + x as usize];
                    }
                }
            }
            let uv = [(cx as f32 + 0.5) / nx as f32, (cy as f32 + 0.5) / ny as f32];
            let score = if most {
                sum as f32
            } else if sum == 0 {
                -((uv[0] - 0.5).powi(2) + (uv[1] - 0.5).powi(2))
            } else {
                f32::NEG_INFINITY
            };
            if best.is_none_or(|(b, _)| score > b) {
                best = Some((score, uv));
            }
        }
    }
    best.map_or([0.5, 0.97], |(_, uv)| uv)
}

/// A phone lying screen up, screen dark: `long` pixels long.
fn phone(long: f32) -> RgbImage {
    let (w, h) = ((long * 0.48) as u32, long as u32);
    let bezel = (long * 0.03) as u32;
    RgbImage::from_fn(w, h, |x, y| {
        let screen = x > bezel && y > 2 * bezel && x + bezel < w && y + 2 * bezel < h;
        if screen {
            // A faint diagonal reflection on the glass.
            let t = (x as f32 / w as f32 + y as f32 / h as f32) / 2.0;
            let sheen = 30.0 * (-(t - 0.4).powi(2) / 0.01).exp();
            let v = (14.0 + sheen) as u8;
            Rgb([v, v, v + 4])
        } else {
            Rgb([38, 38, 44])
        }
    })
}

/// Writes the scene of `condition` (`frame-NNNN.jpg`, `width` x `height`, and `scene.json`)
/// into `dir`, creating it. The same seed gives the same scene.
pub fn write_condition(
    dir: &Path,
    condition: Condition,
    width: u32,
    height: u32,
    seed: u64,
) -> Result<Scene, SynthError> {
    let background = match condition {
        Condition::ColouredTray => Background::Coloured,
        Condition::WoodTray => Background::Wood,
        Condition::PatternedTray => Background::Patterned,
        _ => Background::Tray,
    };
    let mut base = tray_camera(width, height, background)?;
    let fonts = Fonts::load()?;
    std::fs::create_dir_all(dir)?;
    let mut rng = StdRng::seed_from_u64(seed);
    let (fw, fh) = (width as f32, height as f32);
    let tray = surface(background, width, height, &mut rng);
    let light_seed: u64 = rng.random();
    match condition {
        Condition::Dim => base.exposure = 0.5,
        Condition::TooDark => base.exposure = 0.05,
        Condition::Clipped => base.exposure = 1.8,
        Condition::ColouredTray => base.exposure = 1.5,
        Condition::Vignette => base.vignette = 0.6,
        Condition::Warm => base.warmth = 0.25,
        Condition::Cool => base.warmth = -0.25,
        _ => {}
    }
    let kind = condition.kind();
    let doc = sample_document(&mut StdRng::seed_from_u64(rng.random()), kind, &fonts);
    let defocus = if condition == Condition::Blurred {
        3.5
    } else {
        0.5
    };
    let (mut params, mut dpi) = placement_params(&doc, &base, defocus, &mut rng);
    if condition == Condition::TooSmall {
        // The card's long side a fifth of the frame's width.
        let long_px = fw * 0.2;
        dpi = (long_px / (doc.width.max(doc.height) / 72.0) * 1.3).clamp(60.0, 300.0);
        params.fill = long_px / fh;
    }
    if condition == Condition::TwoDocuments {
        params.fill *= 0.75;
        dpi *= 0.75;
    }
    let page = doc.render(&fonts, dpi);
    let mut rest = pose(page.dimensions(), &params, &mut rng);
    let mut images = vec![page];
    let (min_x, max_x) = rest
        .iter()
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), c| {
            (lo.min(c[0]), hi.max(c[0]))
        });
    // A companion: a card beside the printout, or a phone.
    let mut companion: Option<(usize, Quad)> = None;
    if condition == Condition::TwoDocuments {
        // The printout to the left, the card to its right.
        rest = shifted(rest, fw * 0.02 - min_x, 0.0);
        let card = sample_document(
            &mut StdRng::seed_from_u64(rng.random()),
            DocKind::KitapCard,
            &fonts,
        );
        let room = fw - (max_x - min_x) - fw * 0.08;
        let long_px = (0.9 * room).min(fw * 0.33);
        let card_params = CameraParams {
            fill: long_px / fh,
            rotation_deg: rng.random_range(-8.0f32..8.0),
            ..base.clone()
        };
        let card_img = card.render(&fonts, long_px / (card.width / 72.0) * 1.3);
        let q = pose(card_img.dimensions(), &card_params, &mut rng);
        let qmin = q.iter().map(|c| c[0]).fold(f32::INFINITY, f32::min);
        let target = fw * 0.06 + (max_x - min_x);
        images.push(card_img);
        companion = Some((1, shifted(q, target - qmin, 0.0)));
    }
    if condition == Condition::Phone {
        let img = phone(fh * 0.55);
        let phone_params = CameraParams {
            fill: 0.55,
            rotation_deg: rng.random_range(-20.0f32..20.0),
            ..base.clone()
        };
        let q = pose(img.dimensions(), &phone_params, &mut rng);
        images[0] = img;
        rest = q;
    }
    // Light placed on the page as it lies.
    let page_w = (rest[1][0] - rest[0][0])
        .hypot(rest[1][1] - rest[0][1])
        .max(1.0);
    match condition {
        Condition::GlareOverText => {
            let uv = ink_spot(&images[0], 0.15, true);
            base.glare = 1.0;
            base.glare_spot = Some(Spot {
                centre: on_page(&rest, uv),
                radii: [0.25 * page_w, 0.18 * page_w],
                cos_sin: [1.0, 0.0],
                strength: 2.0,
            });
        }
        Condition::GlareOverMargin => {
            let uv = ink_spot(&images[0], 0.08, false);
            base.glare = 0.9;
            base.glare_spot = Some(Spot {
                centre: on_page(&rest, uv),
                radii: [0.035 * page_w, 0.025 * page_w],
                cos_sin: [1.0, 0.0],
                strength: 0.9,
            });
        }
        Condition::HandShadow => {
            base.shadow = Some(Spot {
                centre: on_page(&rest, [0.85, 0.3]),
                radii: [0.35 * page_w, 0.2 * page_w],
                cos_sin: [0.8, 0.6],
                strength: 0.5,
            });
        }
        _ => {}
    }
    params = CameraParams {
        glare: base.glare,
        glare_spot: base.glare_spot.clone(),
        shadow: base.shadow.clone(),
        exposure: base.exposure,
        vignette: base.vignette,
        warmth: base.warmth,
        ..params
    };

    // The script.
    let (slide, still) = (3usize, 10usize);
    let travel = fw * 0.8;
    let offset = |t: f32| travel * t * t;
    let with = |q: Quad| -> Vec<(usize, Quad)> {
        let mut v = vec![(0, q)];
        v.extend(companion);
        v
    };
    let mut shots: Vec<Shot> = (0..3).map(|_| Shot::empty()).collect();
    let n = slide as f32;
    let slide_in = |shots: &mut Vec<Shot>, to: Quad| {
        for k in 0..slide {
            let t = 1.0 - k as f32 / n;
            let motion = offset(t) - offset(t - 1.0 / n);
            shots.push(Shot::of(
                vec![(0, shifted(to, offset(t), 0.0))],
                motion,
                Phase::Moving,
            ));
        }
    };
    match condition {
        Condition::Moving => {
            // Across the tray at about a sixth of its width a second.
            let frames = 24;
            let step = fw * 0.016;
            for k in 0..frames {
                let dx = (k as f32 - frames as f32 / 2.0) * step;
                shots.push(Shot::of(
                    vec![(0, shifted(rest, dx, 0.0))],
                    step,
                    Phase::Moving,
                ));
            }
        }
        Condition::Frozen => {
            slide_in(&mut shots, rest);
            shots.truncate(shots.len() - 1);
            for _ in 0..20 {
                shots.push(Shot {
                    repeat: true,
                    ..Shot::of(Vec::new(), 0.0, Phase::Moving)
                });
            }
        }
        Condition::HalfOutside => {
            // First it rests with 40% of its width beyond the frame's right edge.
            let (lo, hi) = rest
                .iter()
                .fold((f32::INFINITY, f32::NEG_INFINITY), |a, c| {
                    (a.0.min(c[0]), a.1.max(c[0]))
                });
            let out = shifted(rest, fw - hi + 0.4 * (hi - lo), 0.0);
            slide_in(&mut shots, out);
            for _ in 0..still {
                shots.push(Shot::of(vec![(0, out)], 0.0, Phase::Still));
            }
            let pushed = fw - hi + 0.4 * (hi - lo);
            for k in 1..=slide {
                let t = 1.0 - k as f32 / n;
                shots.push(Shot::of(
                    vec![(0, shifted(rest, pushed * t, 0.0))],
                    pushed / n,
                    Phase::Moving,
                ));
            }
            for _ in 0..still {
                shots.push(Shot::of(vec![(0, rest)], 0.0, Phase::Still));
            }
        }
        _ => {
            if let Some(c) = companion {
                // The card lies there first.
                for _ in 0..2 {
                    let mut s = Shot::empty();
                    s.pages.push(c);
                    shots.push(s);
                }
            }
            let first = shots.len();
            for k in 0..slide {
                let t = 1.0 - k as f32 / n;
                let motion = offset(t) - offset(t - 1.0 / n);
                shots.push(Shot::of(
                    with(shifted(rest, offset(t), 0.0)),
                    motion,
                    Phase::Moving,
                ));
            }
            for _ in 0..still {
                shots.push(Shot::of(with(rest), 0.0, Phase::Still));
            }
            if condition == Condition::FingersOnCorner {
                // The hand holds the page's far corner while laying it down and for the first
                // three still frames, then leaves.
                let corner = rest[1];
                let centre = on_page(&rest, [0.5, 0.5]);
                let towards = [centre[0] - corner[0], centre[1] - corner[1]];
                let reach = 0.12 * page_w;
                let len = towards[0].hypot(towards[1]);
                for shot in &mut shots[first..first + slide + 3] {
                    let dx = shot.pages[0].1[1][0] - corner[0];
                    shot.fingers = Some(Fingers {
                        tip: [
                            corner[0] + dx + towards[0] / len * reach,
                            corner[1] + towards[1] / len * reach,
                        ],
                        towards,
                        width: 0.05 * page_w,
                    });
                }
            }
        }
    }
    if condition != Condition::Frozen && condition != Condition::Moving {
        for k in 1..=slide {
            let t = k as f32 / n;
            let motion = offset(t) - offset(t - 1.0 / n);
            let last = shots
                .last()
                .and_then(|s| s.pages.first())
                .map_or(rest, |p| p.1);
            shots.push(Shot::of(
                with(shifted(last, offset(t) - offset(t - 1.0 / n), 0.0)),
                motion,
                Phase::Moving,
            ));
        }
    }
    shots.extend((0..3).map(|_| Shot::empty()));

    let mut scene = Scene {
        width,
        height,
        frames: Vec::new(),
        placements: vec![Placement {
            kind: if condition == Condition::Phone {
                "phone".to_string()
            } else {
                kind.name().to_string()
            },
            sharp: defocus < 1.5,
            quad: rest,
            truth: doc.truth.clone(),
        }],
        condition: Some(condition),
        expect: Some(condition.expect()),
    };
    let mut last: Option<RgbImage> = None;
    // Frames that show the same things in the same places share their composition.
    let mut composed: Option<Composed> = None;
    for shot in shots {
        let img = match (&last, shot.repeat) {
            (Some(prev), true) => prev.clone(),
            _ => {
                let same = composed.as_ref().is_some_and(|(p, f, m, _)| {
                    *p == shot.pages && *f == shot.fingers && *m == shot.motion
                });
                if !same {
                    let pages: Vec<(&RgbImage, Quad)> =
                        shot.pages.iter().map(|&(i, q)| (&images[i], q)).collect();
                    let img = compose(
                        &tray,
                        &pages,
                        shot.fingers.as_ref(),
                        [shot.motion * 0.5, 0.0],
                        &params,
                    )?;
                    composed = Some((shot.pages.clone(), shot.fingers.clone(), shot.motion, img));
                }
                let (_, _, _, img) = composed.as_ref().expect("composed above");
                let document = shot.pages.first().map(|p| p.1);
                expose(img.clone(), document, &params, light_seed, &mut rng)?
            }
        };
        let file = format!("frame-{:04}.jpg", scene.frames.len());
        img.save(dir.join(&file))?;
        scene.frames.push(SceneFrame {
            file,
            phase: shot.phase,
            placement: shot
                .placement
                .filter(|_| !shot.pages.is_empty() || shot.repeat),
        });
        last = Some(img);
    }
    let json = serde_json::to_string_pretty(&scene)
        .map_err(|e| SynthError::InvalidParams(e.to_string()))?;
    std::fs::write(dir.join("scene.json"), json)?;
    Ok(scene)
}
