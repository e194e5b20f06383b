//! Tray scenes: what a kiosk camera over its tray sees, frame by frame, for replaying into the
//! daemon (`kitascan synth OUT --tray`, `replay:OUT`).
//!
//! A scene is a script of [`Act`]s: the empty tray, and placements of generated documents (fake
//! identities) that slide in with motion blur, lie still, and are taken away. A placement can be
//! out of focus throughout (a camera knocked out of focus, or a document held above the tray) to
//! check that nothing is read from it. Frames are JPEG files named in playing order; beside them
//! `scene.json` ([`Scene`]) says what each frame shows and holds each document's ground truth.

use std::path::Path;

use rand::rngs::StdRng;
use rand::{Rng, RngExt, SeedableRng};
use serde::{Deserialize, Serialize};

use super::camera::{Background, CameraParams, pose, shoot};
use super::conditions::{Condition, Expect};
use super::texture::surface;
use super::{DocKind, Fonts, SynthError, Truth, sample_document};
use crate::geometry::Quad;

/// One part of a scene's script.
#[derive(Debug, Clone, PartialEq)]
pub enum Act {
    /// The empty tray for this many frames.
    Empty(usize),
    /// A document of `kind` slides in over `slide` frames, lies still for `still` frames and is
    /// taken away over `slide` frames. `defocus` is the blur's sigma in pixels: about 0.5 for a
    /// sharp capture, 3 or more for one that must not be read.
    Place {
        kind: DocKind,
        slide: usize,
        still: usize,
        defocus: f32,
    },
}

/// What one frame shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Empty,
    Moving,
    Still,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SceneFrame {
    pub file: String,
    pub phase: Phase,
    /// Index into [`Scene::placements`] of the document in view.
    pub placement: Option<usize>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Placement {
    pub kind: String,
    /// Whether its still frames are in focus (and so must be read).
    pub sharp: bool,
    /// Where it lies while still, in frame pixels.
    pub quad: Quad,
    pub truth: Truth,
}

/// `scene.json`: the frames in order and the documents placed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Scene {
    pub width: u32,
    pub height: u32,
    pub frames: Vec<SceneFrame>,
    pub placements: Vec<Placement>,
    /// The tray condition the scene shows ([`super::conditions`]), if it is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<Condition>,
    /// What the kiosk must do in it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect: Option<Expect>,
}

impl Scene {
    /// Reads a scene's `scene.json`.
    pub fn load(dir: &Path) -> Result<Scene, SynthError> {
        let text = std::fs::read_to_string(dir.join("scene.json"))?;
        serde_json::from_str(&text).map_err(|e| SynthError::InvalidParams(e.to_string()))
    }
}

/// The demo script: a printout and a card read, then a blurred card that must not be.
pub fn demo_script() -> Vec<Act> {
    vec![
        Act::Empty(6),
        Act::Place {
            kind: DocKind::Eitas2021,
            slide: 4,
            still: 10,
            defocus: 0.5,
        },
        Act::Empty(6),
        Act::Place {
            kind: DocKind::KitasCard,
            slide: 4,
            still: 10,
            defocus: 0.5,
        },
        Act::Empty(6),
        Act::Place {
            kind: DocKind::KitapCard,
            slide: 4,
            still: 10,
            defocus: 3.5,
        },
        Act::Empty(4),
    ]
}

/// The kiosk camera over its tray, as every tray scene starts from: `width` x `height` frames
/// (at least 320 x 240), a little tilt, blur, noise and vignetting, JPEG at 88.
pub(super) fn tray_camera(
    width: u32,
    height: u32,
    background: Background,
) -> Result<CameraParams, SynthError> {
    if width < 320 || height < 240 {
        return Err(SynthError::InvalidParams(
            "tray frames must be at least 320 x 240".into(),
        ));
    }
    Ok(CameraParams {
        frame_w: width,
        frame_h: height,
        tilt: 0.03,
        blur_sigma: 0.5,
        noise_sigma: 2.0,
        jpeg_quality: 88,
        vignette: 0.15,
        glare: 0.0,
        background,
        ..CameraParams::default()
    })
}

/// Writes the frames of `script` (`frame-NNNN.jpg`, `width` x `height`) and `scene.json` into
/// `dir`, creating it. The same seed gives the same scene.
pub fn write_scene(
    dir: &Path,
    script: &[Act],
    width: u32,
    height: u32,
    seed: u64,
) -> Result<Scene, SynthError> {
    let base = tray_camera(width, height, Background::Tray)?;
    let fonts = Fonts::load()?;
    std::fs::create_dir_all(dir)?;
    let mut rng = StdRng::seed_from_u64(seed);
    let tray = surface(Background::Tray, width, height, &mut rng);
    let light_seed: u64 = rng.random();
    let mut scene = Scene {
        width,
        height,
        frames: Vec::new(),
        placements: Vec::new(),
        condition: None,
        expect: None,
    };
    let emit = |scene: &mut Scene,
                img: image::RgbImage,
                phase: Phase,
                placement: Option<usize>|
     -> Result<(), SynthError> {
        let file = format!("frame-{:04}.jpg", scene.frames.len());
        img.save(dir.join(&file))?;
        scene.frames.push(SceneFrame {
            file,
            phase,
            placement,
        });
        Ok(())
    };
    for act in script {
        match *act {
            Act::Empty(n) => {
                for _ in 0..n {
                    let img = shoot(&tray, None, [0.0, 0.0], &base, light_seed, &mut rng)?;
                    emit(&mut scene, img, Phase::Empty, None)?;
                }
            }
            Act::Place {
                kind,
                slide,
                still,
                defocus,
            } => {
                let doc = sample_document(&mut StdRng::seed_from_u64(rng.random()), kind, &fonts);
                let (params, dpi) = placement_params(&doc, &base, defocus, &mut rng);
                let page = doc.render(&fonts, dpi);
                let rest = pose(page.dimensions(), &params, &mut rng);
                let index = scene.placements.len();
                scene.placements.push(Placement {
                    kind: kind.name().to_string(),
                    sharp: defocus < 1.5,
                    quad: rest,
                    truth: doc.truth.clone(),
                });
                // It comes in from the right and leaves to the right, slowing as it arrives.
                let travel = width as f32 * 0.8;
                let offset = |t: f32| travel * t * t;
                let at = |dx: f32| rest.map(|[x, y]| [x + dx, y]);
                // Where along its path each frame shows it (0 = at rest), in, still, out.
                let n = slide as f32;
                let path = (0..slide)
                    .map(|k| (1.0 - k as f32 / n, Phase::Moving))
                    .chain((0..still).map(|_| (0.0, Phase::Still)))
                    .chain((1..=slide).map(|k| (k as f32 / n, Phase::Moving)));
                for (t, phase) in path {
                    // Smeared over half the distance it moves between frames.
                    let motion = match phase {
                        Phase::Moving => offset(t) - offset(t - 1.0 / n),
                        _ => 0.0,
                    };
                    let img = shoot(
                        &tray,
                        Some((&page, at(offset(t)))),
                        [motion * 0.5, 0.0],
                        &params,
                        light_seed,
                        &mut rng,
                    )?;
                    emit(&mut scene, img, phase, Some(index))?;
                }
            }
        }
    }
    let json = serde_json::to_string_pretty(&scene)
        .map_err(|e| SynthError::InvalidParams(e.to_string()))?;
    std::fs::write(dir.join("scene.json"), json)?;
    Ok(scene)
}

/// The pose of a document on the tray and the resolution to render it at: a printout turned so
/// that its long side runs along the frame's (as a landscape camera over an A4 tray sees it),
/// filling most of the frame; a card filling about half of it. Small rotations.
pub(super) fn placement_params<R: Rng + ?Sized>(
    doc: &super::Document,
    base: &CameraParams,
    defocus: f32,
    rng: &mut R,
) -> (CameraParams, f32) {
    let small = doc.width.max(doc.height) < 400.0;
    let portrait = doc.height > doc.width;
    let (fw, fh) = (base.frame_w as f32, base.frame_h as f32);
    let (long_px, turn) = if small {
        (fw * rng.random_range(0.5f32..0.65), 0.0)
    } else {
        // Long side along the frame's width, short side within its height.
        let aspect = doc.width.max(doc.height) / doc.width.min(doc.height);
        let fits = (fw * 0.9).min(fh * 0.92 * aspect);
        (
            fits * rng.random_range(0.93f32..1.0),
            if portrait { 90.0 } else { 0.0 },
        )
    };
    let dpi = long_px / (doc.width.max(doc.height) / 72.0);
    let params = CameraParams {
        fill: long_px / fh,
        rotation_deg: turn + rng.random_range(-6.0f32..6.0),
        tilt: rng.random_range(0.0..0.04),
        blur_sigma: defocus,
        ..base.clone()
    };
    (params, (dpi * 1.3).clamp(100.0, 300.0))
}
