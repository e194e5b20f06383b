//! How a generated document reaches the reader, and the benchmark set.
//!
//! A [`Condition`] turns a [`Document`] into a file the kiosk accepts: a flatbed scan (PNG), the
//! PDF downloaded from the immigration site (vector text), a scanner's PDF (one JPEG), or a
//! phone photo (JPEG, through [`super::camera`]). Beside each file goes `<stem>.json`: the
//! [`Truth`] with the condition, the seed and, for a photo, the document's corners in the frame.
//!
//! Invariants:
//! - Everything is a function of the seed: the same document and seed give the same bytes.
//! - In [`generate_set`], sample `i` depends only on the set's seed and `i`, never on `n`.
//! - Camera captures stay legible: the page is at least about 105 dpi in the frame and the blur
//!   is bounded by the size of the body text in pixels.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use image::codecs::jpeg::JpegEncoder;
use image::{ImageFormat, Rgb, RgbImage};
use rand::rngs::StdRng;
use rand::{Rng, RngExt, SeedableRng};
use serde::{Deserialize, Serialize};

use super::SynthError;
use super::camera::{Background, CameraParams, photograph};
use super::family::{Family, Medium, Split, families, family_document};
use super::fonts::Fonts;
use super::layout::Document;
use super::pdf::{image_pdf, vector_pdf};
use super::permit::{DocKind, sample_document};
use super::render::rotate;
use super::truth::Truth;
use crate::geometry::Quad;

/// How the document was captured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Condition {
    /// A flatbed scan saved as PNG, 150-200 dpi (ID-sized documents 200-300 dpi).
    Scan,
    /// A born-digital PDF with vector text and embedded fonts.
    PdfVector,
    /// A PDF holding one JPEG of a scan.
    PdfImage,
    /// A hand-held phone photo on a textured surface, JPEG.
    Camera,
    /// A hard phone photo ([`HardParams`]): dim, strongly tilted, blurred, low resolution, the
    /// paper creased or folded. Only the family sets ([`generate_family_set`]) use it, so it is
    /// not in [`Condition::ALL`].
    CameraHard,
}

impl Condition {
    /// Every condition, in declaration order.
    pub const ALL: [Condition; 4] = [
        Condition::Scan,
        Condition::PdfVector,
        Condition::PdfImage,
        Condition::Camera,
    ];

    /// The name used in file stems and JSON: `scan`, `pdf-vector`, `pdf-image`, `camera`,
    /// `camera-hard`.
    pub fn name(self) -> &'static str {
        match self {
            Condition::Scan => "scan",
            Condition::PdfVector => "pdf-vector",
            Condition::PdfImage => "pdf-image",
            Condition::Camera => "camera",
            Condition::CameraHard => "camera-hard",
        }
    }

    /// Whether the file is a phone photo (the reader's camera path).
    pub fn is_camera(self) -> bool {
        matches!(self, Condition::Camera | Condition::CameraHard)
    }

    fn extension(self) -> &'static str {
        match self {
            Condition::Scan => "png",
            Condition::PdfVector | Condition::PdfImage => "pdf",
            Condition::Camera | Condition::CameraHard => "jpg",
        }
    }
}

/// One written sample: what `<stem>.json` holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SampleInfo {
    #[serde(flatten)]
    pub truth: Truth,
    pub condition: Condition,
    /// The seed [`write_sample`] was called with (in [`generate_set`], also the document's).
    pub seed: u64,
    /// The document file's name, in the same directory as the JSON.
    pub file: String,
    /// For [`Condition::Camera`]: the page's corners in the frame, clockwise from the page's own
    /// top-left, in pixels (see [`crate::geometry`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quad: Option<Quad>,
    /// In a family set: the layout family's id (`""` for a non-permit and in [`generate_set`]).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub family: String,
    /// In a family set: the split the set was drawn for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub split: Option<Split>,
    /// In a family set: the row of the benchmark's per-kind table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report_kind: Option<ReportKind>,
}

/// What a family-set sample is, for the benchmark's per-kind table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReportKind {
    /// A printout scanned to PNG.
    Scan,
    /// A printout as a PDF, vector or image.
    Pdf,
    /// A printout photographed.
    CameraPrintout,
    ScanCard,
    CameraCard,
    /// A printout or card under [`Condition::CameraHard`].
    CameraHard,
    /// An ITK, passport page or receipt, under any condition.
    NonPermit,
}

impl ReportKind {
    pub fn name(self) -> &'static str {
        match self {
            ReportKind::Scan => "scan",
            ReportKind::Pdf => "pdf",
            ReportKind::CameraPrintout => "camera-printout",
            ReportKind::ScanCard => "scan-card",
            ReportKind::CameraCard => "camera-card",
            ReportKind::CameraHard => "camera-hard",
            ReportKind::NonPermit => "non-permit",
        }
    }
}

/// Captures `doc` under `condition` into `dir/<stem>.<ext>` and writes `dir/<stem>.json`.
///
/// Random choices (resolution, skew, camera pose and optics) come from `seed`.
pub fn write_sample(
    doc: &Document,
    fonts: &Fonts,
    condition: Condition,
    dir: &Path,
    stem: &str,
    seed: u64,
) -> Result<SampleInfo, SynthError> {
    let info = capture_file(doc, fonts, condition, dir, stem, seed)?;
    write_info(dir, stem, &info)?;
    Ok(info)
}

/// Writes the document file of a sample and returns its info (not yet written).
fn capture_file(
    doc: &Document,
    fonts: &Fonts,
    condition: Condition,
    dir: &Path,
    stem: &str,
    seed: u64,
) -> Result<SampleInfo, SynthError> {
    let mut rng = StdRng::seed_from_u64(mix(seed, 0x00ca_97e5));
    let (bytes, quad) = capture(doc, fonts, condition, &mut rng)?;
    let file = format!("{stem}.{}", condition.extension());
    std::fs::write(dir.join(&file), bytes)?;
    Ok(SampleInfo {
        truth: doc.truth.clone(),
        condition,
        seed,
        file,
        quad,
        family: String::new(),
        split: None,
        report_kind: None,
    })
}

fn write_info(dir: &Path, stem: &str, info: &SampleInfo) -> Result<(), SynthError> {
    std::fs::write(
        dir.join(format!("{stem}.json")),
        serde_json::to_vec_pretty(info)?,
    )?;
    Ok(())
}

/// The path of the document file of a written sample.
pub fn sample_path(dir: &Path, info: &SampleInfo) -> PathBuf {
    dir.join(&info.file)
}

fn capture<R: Rng + ?Sized>(
    doc: &Document,
    fonts: &Fonts,
    condition: Condition,
    rng: &mut R,
) -> Result<(Vec<u8>, Option<Quad>), SynthError> {
    match condition {
        Condition::Scan => Ok((png(&scan(doc, fonts, rng))?, None)),
        Condition::PdfVector => Ok((vector_pdf(doc, fonts)?, None)),
        Condition::PdfImage => {
            let img = scan(doc, fonts, rng);
            let jpeg = jpeg(&img, rng.random_range(75..=92))?;
            Ok((
                image_pdf(&jpeg, img.dimensions(), doc.width, doc.height),
                None,
            ))
        }
        Condition::Camera => {
            let (photo, quad, quality) = camera(doc, fonts, rng)?;
            Ok((jpeg(&photo, quality)?, Some(quad)))
        }
        Condition::CameraHard => {
            let (photo, quad, quality) = hard_camera(doc, fonts, &HardParams::default(), rng)?;
            Ok((jpeg(&photo, quality)?, Some(quad)))
        }
    }
}

/// Whether the document is ID-sized (a card or passport page) rather than a printout.
fn is_small(doc: &Document) -> bool {
    doc.width.max(doc.height) < 400.0
}

/// A flatbed scan: the page at 150-200 dpi (200-300 for ID-sized documents), sometimes a little
/// skewed as when a sheet is laid on the glass by hand.
fn scan<R: Rng + ?Sized>(doc: &Document, fonts: &Fonts, rng: &mut R) -> RgbImage {
    let dpi = if is_small(doc) {
        rng.random_range(200.0..=300.0)
    } else {
        rng.random_range(150.0..=200.0)
    };
    let page = doc.render(fonts, dpi);
    if !rng.random_bool(0.4) {
        return page;
    }
    let skewed = rotate(&page, rng.random_range(-0.8..0.8), Rgb(doc.paper));
    let (dx, dy) = (
        (skewed.width() - page.width()) / 2,
        (skewed.height() - page.height()) / 2,
    );
    image::imageops::crop_imm(&skewed, dx, dy, page.width(), page.height()).to_image()
}

/// A phone photo; returns the frame, the page's corners and the JPEG quality to save it with.
fn camera<R: Rng + ?Sized>(
    doc: &Document,
    fonts: &Fonts,
    rng: &mut R,
) -> Result<(RgbImage, Quad, u8), SynthError> {
    let (params, page_dpi) = camera_params(doc, rng);
    let page = doc.render(fonts, page_dpi);
    let (photo, quad) = photograph(&page, &params, rng)?;
    Ok((photo, quad, params.jpeg_quality))
}

/// The pose and optics of a photo of `doc`, and the resolution to render the page at.
///
/// A printout's long side fills 65-95% of the frame's long side (1920x1080 to 2592x1944, held
/// so that the page's long side runs along it, or in landscape for the larger frames); an
/// ID-sized document fills 45-80% of a 1280x720 or 1920x1080 frame's width. Rotation is uniform
/// in -25..25 degrees, plus a quarter or half turn a quarter of the time.
pub fn camera_params<R: Rng + ?Sized>(doc: &Document, rng: &mut R) -> (CameraParams, f32) {
    let small = is_small(doc);
    let turn = if rng.random_bool(0.25) {
        [90.0, 180.0, 270.0][rng.random_range(0..3)]
    } else {
        0.0
    };
    let quarter = turn == 90.0 || turn == 270.0;
    let frames: &[(u32, u32)] = if small {
        &[(1280, 720), (1920, 1080)]
    } else {
        &[(1920, 1080), (2048, 1536), (2592, 1944)]
    };
    let (long, short) = frames[rng.random_range(0..frames.len())];
    // Where the document's long side ends up: along x for a landscape document turned 0/180 or
    // a portrait one turned 90/270.
    let portrait_doc = doc.height > doc.width;
    let doc_long_along_x = portrait_doc == quarter;
    let landscape_anyway = !small && long >= 2048 && rng.random_bool(0.2);
    let (frame_w, frame_h) = if doc_long_along_x || landscape_anyway {
        (long, short)
    } else {
        (short, long)
    };
    let share = if small {
        rng.random_range(0.45f32..0.8)
    } else if landscape_anyway && !doc_long_along_x {
        // Across the frame's short side only a large share keeps the page above 105 dpi.
        rng.random_range(0.8f32..0.95)
    } else {
        rng.random_range(0.65f32..0.95)
    };
    // The span the long side may fill: the frame's side it runs along (height when landscape
    // anyway, which the larger frames keep above 105 dpi).
    let along = if doc_long_along_x { frame_w } else { frame_h } as f32;
    let long_px = share * along;
    let doc_long_in = doc.width.max(doc.height) / 72.0;
    let dpi = long_px / doc_long_in;
    let body_px = if small { 6.5 } else { 10.0 } * dpi / 72.0;
    let params = CameraParams {
        frame_w,
        frame_h,
        fill: long_px / frame_h as f32,
        rotation_deg: turn + rng.random_range(-25.0f32..25.0),
        tilt: rng.random_range(0.0..0.12),
        blur_sigma: rng.random_range(0.0f32..1.0) * (body_px / 14.0).min(1.3),
        noise_sigma: rng.random_range(1.0..6.0),
        jpeg_quality: rng.random_range(55..=95),
        vignette: rng.random_range(0.05..0.35),
        glare: if rng.random_bool(0.3) {
            rng.random_range(0.2..0.55)
        } else {
            0.0
        },
        background: Background::ALL[rng.random_range(0..Background::ALL.len())],
        ..CameraParams::default()
    };
    // Rendering a little finer than the photo resolves keeps the warp from aliasing.
    (params, (dpi * 1.3).clamp(100.0, 300.0))
}

/// How hard a [`Condition::CameraHard`] photo is: each range is drawn from uniformly per photo.
/// The frame is small and the page fills little of it (about 75-95 dpi on an A4 printout), so
/// that every other difficulty meets text only 10-13 pixels high.
#[derive(Debug, Clone, PartialEq)]
pub struct HardParams {
    /// Frames for an A4 page, `(long, short)`. Default 1280x960 and 1600x1200: an old phone or
    /// a video call's still, a third of the pixels of an ordinary capture.
    pub frames: Vec<(u32, u32)>,
    /// Share of the frame's long side the page's long side fills. Default 0.7-0.9 (cards
    /// 0.35-0.55 of a 1280x720 frame): held back from the page as people do when it will not
    /// lie flat.
    pub fill: [f32; 2],
    /// Light on the page, as a gain on its pixels. Default 0.45-0.7: an evening room without a
    /// lamp over the desk.
    pub dim: [f32; 2],
    /// Perspective strength (see [`CameraParams::tilt`]). Default 0.12-0.2, the ordinary camera
    /// condition's maximum up to a phone held at about 40 degrees off the normal.
    pub tilt: [f32; 2],
    /// Defocus blur in pixels at 14-pixel body text (scaled with the text, as in the ordinary
    /// condition). Default 1.0-1.8, above the ordinary condition's 0-1.
    pub blur: [f32; 2],
    /// Sensor noise sigma. Default 4-9 levels: the gain a dim scene needs.
    pub noise: [f32; 2],
    /// JPEG quality. Default 40-65, as messaging apps recompress.
    pub jpeg: [u8; 2],
    /// Crease bands of light and shade across the paper. Default 2-5, each darkening one side
    /// and lightening the other by up to `crease_strength`.
    pub creases: [u32; 2],
    /// Default 0.08-0.22: visible shading that still leaves text darker than any paper.
    pub crease_strength: [f32; 2],
    /// Chance of a sharp fold line (a page folded in three to fit an envelope). Default 0.6.
    pub fold: f64,
}

impl Default for HardParams {
    fn default() -> Self {
        HardParams {
            frames: vec![(1280, 960), (1600, 1200)],
            fill: [0.7, 0.9],
            dim: [0.45, 0.7],
            tilt: [0.12, 0.2],
            blur: [1.0, 1.8],
            noise: [4.0, 9.0],
            jpeg: [40, 65],
            creases: [2, 5],
            crease_strength: [0.08, 0.22],
            fold: 0.6,
        }
    }
}

/// A hard phone photo: the ordinary pose and surface, then a smaller frame, a steeper angle,
/// more blur and noise, dim light and creased paper.
fn hard_camera<R: Rng + ?Sized>(
    doc: &Document,
    fonts: &Fonts,
    hard: &HardParams,
    rng: &mut R,
) -> Result<(RgbImage, Quad, u8), SynthError> {
    let (mut params, _) = camera_params(doc, rng);
    let small = is_small(doc);
    let (long, short) = if small {
        (1280, 720)
    } else {
        let i = rng.random_range(0..hard.frames.len().max(1));
        hard.frames.get(i).copied().unwrap_or((1280, 960))
    };
    let portrait = params.frame_h > params.frame_w;
    (params.frame_w, params.frame_h) = if portrait {
        (short, long)
    } else {
        (long, short)
    };
    let share = if small {
        rng.random_range(0.35f32..0.55)
    } else {
        rng.random_range(hard.fill[0]..hard.fill[1])
    };
    // Along the frame's long side; a page that would leave the frame is shrunk by the camera.
    let long_px = share * long as f32;
    params.fill = long_px / params.frame_h as f32;
    let dpi = long_px / (doc.width.max(doc.height) / 72.0);
    let body_px = if small { 6.5 } else { 10.0 } * dpi / 72.0;
    params.tilt = rng.random_range(hard.tilt[0]..hard.tilt[1]);
    params.blur_sigma = rng.random_range(hard.blur[0]..hard.blur[1]) * (body_px / 14.0).min(1.3);
    params.noise_sigma = rng.random_range(hard.noise[0]..hard.noise[1]);
    params.jpeg_quality = rng.random_range(hard.jpeg[0]..=hard.jpeg[1]);
    params.vignette = rng.random_range(0.3..0.55);
    let mut page = doc.render(fonts, (dpi * 1.3).clamp(100.0, 300.0));
    crease(&mut page, hard, rng);
    let gain = rng.random_range(hard.dim[0]..hard.dim[1]);
    for px in page.pixels_mut() {
        px.0 = px.0.map(|c| (f32::from(c) * gain).round() as u8);
    }
    let (photo, quad) = photograph(&page, &params, rng)?;
    Ok((photo, quad, params.jpeg_quality))
}

/// Shading bands across the page (crumpled paper), and sometimes a fold line: each band is a
/// straight line at a random angle with shade on one side and light on the other, fading out
/// over a few percent of the page.
fn crease<R: Rng + ?Sized>(page: &mut RgbImage, hard: &HardParams, rng: &mut R) {
    let (w, h) = (page.width() as f32, page.height() as f32);
    let mut bands: Vec<([f32; 2], [f32; 2], f32, f32)> = (0..rng
        .random_range(hard.creases[0]..=hard.creases[1]))
        .map(|_| {
            let angle = rng.random_range(0.0f32..std::f32::consts::PI);
            let point = [rng.random_range(0.0..w), rng.random_range(0.0..h)];
            let width = w.max(h) * rng.random_range(0.02f32..0.08);
            let strength = rng.random_range(hard.crease_strength[0]..hard.crease_strength[1]);
            (point, [angle.cos(), angle.sin()], width, strength)
        })
        .collect();
    // A fold across the page a third of the way down or up, sharper than a crease.
    let fold = rng.random_bool(hard.fold).then(|| {
        let y = h * if rng.random_bool(0.5) {
            1.0 / 3.0
        } else {
            2.0 / 3.0
        };
        let y = y + rng.random_range(-0.02..0.02) * h;
        ([w / 2.0, y], [1.0f32, rng.random_range(-0.02f32..0.02)])
    });
    if let Some((point, dir)) = fold {
        bands.push((point, dir, w.max(h) * 0.012, 0.25));
    }
    for (x, y, px) in page.enumerate_pixels_mut() {
        let mut gain = 1.0f32;
        for (p, d, width, strength) in &bands {
            // Signed distance from the band's line, along its normal.
            let dist = (x as f32 - p[0]) * -d[1] + (y as f32 - p[1]) * d[0];
            let t = dist / width;
            if t.abs() < 3.0 {
                gain *= 1.0 - strength * t.signum() * (-t * t).exp() * 0.6;
            }
        }
        if let Some((p, d)) = fold {
            let dist = ((x as f32 - p[0]) * -d[1] + (y as f32 - p[1]) * d[0]).abs();
            if dist < 1.5 {
                gain *= 0.7;
            }
        }
        px.0 =
            px.0.map(|c| (f32::from(c) * gain).round().clamp(0.0, 255.0) as u8);
    }
}

fn png(img: &RgbImage) -> Result<Vec<u8>, SynthError> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Png)?;
    Ok(out.into_inner())
}

fn jpeg(img: &RgbImage, quality: u8) -> Result<Vec<u8>, SynthError> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, quality).encode_image(img)?;
    Ok(out)
}

/// The kinds of one 20-sample cycle of a set: 16 permits (e-ITAS 8, e-ITAP 4, cards 4) and 4
/// non-permits, interleaved so that even a short set has both, and placed so that with the
/// conditions' shift in [`generate_set`] every kind meets every condition within two cycles.
const MIX: [DocKind; 20] = [
    DocKind::Eitas2021,
    DocKind::Eitas2024,
    DocKind::KitasCard,
    DocKind::Itk,
    DocKind::Eitap2021,
    DocKind::Eitas2021,
    DocKind::Eitas2024,
    DocKind::Eitap2024,
    DocKind::Passport,
    DocKind::KitapCard,
    DocKind::Eitas2021,
    DocKind::Eitas2024,
    DocKind::KitasCard,
    DocKind::Itk,
    DocKind::Eitap2021,
    DocKind::Eitas2021,
    DocKind::Eitas2024,
    DocKind::Eitap2024,
    DocKind::Receipt,
    DocKind::KitapCard,
];

/// The kind and condition of sample `i` of a set.
pub fn sample_plan(i: usize) -> (DocKind, Condition) {
    let condition = Condition::ALL[(i + i / MIX.len()) % Condition::ALL.len()];
    (MIX[i % MIX.len()], condition)
}

/// The seed of sample `i` of the set with `seed`.
pub fn sample_seed(seed: u64, i: usize) -> u64 {
    mix(seed, i as u64)
}

/// Writes `n` samples (document + JSON) into `dir`, creating it: 80% permits across kinds and
/// generations, 20% non-permits, each condition a quarter of the set.
///
/// Sample `i` is `<iiii>-<kind>-<condition>` and is generated from [`sample_seed`]`(seed, i)`:
/// the document with `StdRng::seed_from_u64(s)` and the capture by [`write_sample`] with `s`.
pub fn generate_set(dir: &Path, n: usize, seed: u64) -> Result<Vec<SampleInfo>, SynthError> {
    let fonts = Fonts::load()?;
    std::fs::create_dir_all(dir)?;
    (0..n)
        .map(|i| {
            let (kind, condition) = sample_plan(i);
            let s = sample_seed(seed, i);
            let doc = sample_document(&mut StdRng::seed_from_u64(s), kind, &fonts);
            let stem = format!("{i:04}-{}-{}", kind.name(), condition.name());
            write_sample(&doc, &fonts, condition, dir, &stem, s)
        })
        .collect()
}

/// One place of a family set's cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Printout(Condition),
    Card(Condition),
    NonPermit,
}

/// The 12-sample cycle of a family set: 8 printouts (scan twice, vector PDF twice, image PDF,
/// camera twice, a hard capture), 3 cards (scan, camera, hard) and one non-permit (8%).
/// Printout families take the printout places in turn, card families the card places, so that
/// with up to 9 printout families each appears within any 20 consecutive samples.
const FAMILY_CYCLE: [Slot; 12] = [
    Slot::Printout(Condition::Scan),
    Slot::Printout(Condition::PdfVector),
    Slot::Card(Condition::Scan),
    Slot::Printout(Condition::Camera),
    Slot::Printout(Condition::CameraHard),
    Slot::Printout(Condition::PdfImage),
    Slot::NonPermit,
    Slot::Card(Condition::Camera),
    Slot::Printout(Condition::Scan),
    Slot::Printout(Condition::Camera),
    Slot::Card(Condition::CameraHard),
    Slot::Printout(Condition::PdfVector),
];

/// What sample `i` of a family set is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Planned {
    Family(Family),
    NonPermit(DocKind),
}

/// The document, condition and report kind of sample `i` of a set over `families` (those of
/// one split, as [`super::family::families`] lists them).
pub fn family_plan(i: usize, families: &[Family]) -> (Planned, Condition, ReportKind) {
    let (cycle, at) = (i / FAMILY_CYCLE.len(), i % FAMILY_CYCLE.len());
    let of = |medium: Medium| -> Vec<Family> {
        families
            .iter()
            .filter(|f| f.medium == medium)
            .copied()
            .collect()
    };
    // The index of this place among the cycle's places of the same kind, over all cycles.
    let nth = |same: fn(&Slot) -> bool| {
        let per = FAMILY_CYCLE.iter().filter(|s| same(s)).count();
        cycle * per + FAMILY_CYCLE[..at].iter().filter(|s| same(s)).count()
    };
    match FAMILY_CYCLE[at] {
        Slot::Printout(c) | Slot::Card(c) => {
            let printout = matches!(FAMILY_CYCLE[at], Slot::Printout(_));
            let (list, k) = if printout {
                (
                    of(Medium::Printout),
                    nth(|s| matches!(s, Slot::Printout(_))),
                )
            } else {
                (of(Medium::Card), nth(|s| matches!(s, Slot::Card(_))))
            };
            let report = match (c, printout) {
                (Condition::CameraHard, _) => ReportKind::CameraHard,
                (Condition::Scan, true) => ReportKind::Scan,
                (Condition::PdfVector | Condition::PdfImage, true) => ReportKind::Pdf,
                (Condition::Camera, true) => ReportKind::CameraPrintout,
                (Condition::Camera, false) => ReportKind::CameraCard,
                (_, false) => ReportKind::ScanCard,
            };
            // Each round through the list starts one family earlier than the last, so that a
            // list as long as the cycle's places of its kind (3 card families, 3 card places)
            // does not give each family one condition for ever; a family's turns stay at most
            // one more than the list's length apart.
            let len = list.len().max(1);
            let index = (k + len - (k / len) % len) % len;
            match list.get(index) {
                Some(f) => (Planned::Family(*f), c, report),
                None => (
                    Planned::NonPermit(DocKind::Receipt),
                    c,
                    ReportKind::NonPermit,
                ),
            }
        }
        Slot::NonPermit => {
            let kinds = [DocKind::Itk, DocKind::Passport, DocKind::Receipt];
            let conditions = [
                Condition::Scan,
                Condition::PdfVector,
                Condition::Camera,
                Condition::PdfImage,
            ];
            (
                Planned::NonPermit(kinds[cycle % kinds.len()]),
                conditions[cycle % conditions.len()],
                ReportKind::NonPermit,
            )
        }
    }
}

/// Writes `n` samples of the layout families of `split` into `dir`, creating it, as planned by
/// [`family_plan`]: sample `i` is `<iiii>-<family or kind>-<condition>`, generated from
/// [`sample_seed`] of the set's seed (mixed with the split, so that the two splits' sets of one
/// seed are unrelated) and `i`; it depends on neither `n` nor the other split.
pub fn generate_family_set(
    dir: &Path,
    n: usize,
    seed: u64,
    split: Split,
) -> Result<Vec<SampleInfo>, SynthError> {
    let fonts = Fonts::load()?;
    std::fs::create_dir_all(dir)?;
    let list = families(split);
    let split_seed = mix(seed, split as u64 + 0x5e7_f00d);
    (0..n)
        .map(|i| {
            let (planned, condition, report) = family_plan(i, &list);
            let s = sample_seed(split_seed, i);
            let mut rng = StdRng::seed_from_u64(s);
            let (doc, family) = match planned {
                Planned::Family(f) => (family_document(&mut rng, &f, &fonts), f.id),
                Planned::NonPermit(kind) => (sample_document(&mut rng, kind, &fonts), ""),
            };
            let name = if family.is_empty() {
                doc.truth.kind.clone()
            } else {
                family.to_string()
            };
            let stem = format!("{i:04}-{name}-{}", condition.name());
            let mut info = capture_file(&doc, &fonts, condition, dir, &stem, s)?;
            info.family = family.to_string();
            info.split = Some(split);
            info.report_kind = Some(report);
            write_info(dir, &stem, &info)?;
            Ok(info)
        })
        .collect()
}

/// SplitMix64 of `a` and `b`: unrelated seeds for neighbouring indices.
fn mix(a: u64, b: u64) -> u64 {
    let mut z = a ^ b.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("kitascan-synth-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn set_writes_a_file_and_a_json_per_sample_with_the_planned_mix() {
        let dir = temp_dir("set");
        let infos = generate_set(&dir, 8, 42).expect("set written");
        let names: Vec<String> = std::fs::read_dir(&dir)
            .expect("dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 16, "{names:?}");
        assert_eq!(names.iter().filter(|n| n.ends_with(".json")).count(), 8);
        for (i, info) in infos.iter().enumerate() {
            let (kind, condition) = sample_plan(i);
            assert_eq!(
                (info.truth.kind.as_str(), info.condition),
                (kind.name(), condition)
            );
            assert_eq!(info.quad.is_some(), condition == Condition::Camera);
            let json = std::fs::read(
                dir.join(
                    info.file
                        .replace(&format!(".{}", condition.extension()), ".json"),
                ),
            )
            .expect("json written");
            let back: SampleInfo = serde_json::from_slice(&json).expect("json parses");
            assert_eq!(&back, info);
            let pages = crate::input::load(&sample_path(&dir, info), &Default::default())
                .expect("the reader's loader accepts the file");
            assert_eq!(pages.len(), 1);
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn mix_is_four_fifths_permits_and_a_quarter_per_condition() {
        let plan: Vec<_> = (0..80).map(sample_plan).collect();
        let permits = plan.iter().filter(|(k, _)| k.is_permit()).count();
        assert_eq!(permits, 64);
        for c in Condition::ALL {
            assert_eq!(plan.iter().filter(|(_, pc)| *pc == c).count(), 20, "{c:?}");
        }
        for kind in DocKind::ALL
            .into_iter()
            .filter(|k| !matches!(k, DocKind::Passport | DocKind::Receipt))
        {
            for c in Condition::ALL {
                assert!(plan.contains(&(kind, c)), "{kind:?} never {c:?}");
            }
        }
    }

    #[test]
    fn same_seed_same_bytes_and_sample_i_does_not_depend_on_n() {
        let fonts = Fonts::load().expect("fonts installed");
        let doc = sample_document(&mut StdRng::seed_from_u64(9), DocKind::Eitas2021, &fonts);
        let (a, b) = (temp_dir("same-a"), temp_dir("same-b"));
        for dir in [&a, &b] {
            std::fs::create_dir_all(dir).expect("dir");
            write_sample(&doc, &fonts, Condition::Scan, dir, "x", 7).expect("written");
        }
        let read = |d: &Path, f: &str| std::fs::read(d.join(f)).expect("read");
        assert_eq!(read(&a, "x.png"), read(&b, "x.png"));
        assert_eq!(read(&a, "x.json"), read(&b, "x.json"));
        write_sample(&doc, &fonts, Condition::Scan, &b, "x", 8).expect("written");
        assert_ne!(read(&a, "x.json"), read(&b, "x.json"));
        let short = generate_set(&a, 2, 5).expect("set");
        let long = generate_set(&b, 3, 5).expect("set");
        assert_eq!(short[..], long[..2]);
        for info in &short {
            assert_eq!(read(&a, &info.file), read(&b, &info.file), "{}", info.file);
        }
        let _ = std::fs::remove_dir_all(&a);
        let _ = std::fs::remove_dir_all(&b);
    }

    #[test]
    fn camera_parameters_keep_text_legible_and_cover_the_ranges() {
        let fonts = Fonts::load().expect("fonts installed");
        let a4 = sample_document(&mut StdRng::seed_from_u64(1), DocKind::Eitap2021, &fonts);
        let card = sample_document(&mut StdRng::seed_from_u64(1), DocKind::KitasCard, &fonts);
        let mut rng = StdRng::seed_from_u64(3);
        let (mut turned, mut glare) = (0, 0);
        for doc in [&a4, &card] {
            for _ in 0..300 {
                let (p, _) = camera_params(doc, &mut rng);
                let long_px = p.fill * p.frame_h as f32;
                let dpi = long_px / (doc.width.max(doc.height) / 72.0);
                assert!(dpi >= 100.0, "{dpi} dpi: {p:?}");
                let body_px = if is_small(doc) { 6.5 } else { 10.0 } * dpi / 72.0;
                assert!(p.blur_sigma <= body_px / 14.0 + 1e-3, "{p:?}");
                let tilt = p.rotation_deg.rem_euclid(90.0);
                assert!(tilt <= 25.0 || tilt >= 65.0, "{p:?}");
                assert!((55..=95).contains(&p.jpeg_quality));
                let frame_long = p.frame_w.max(p.frame_h);
                if is_small(doc) {
                    assert!([1280, 1920].contains(&frame_long));
                } else {
                    assert!([1920, 2048, 2592].contains(&frame_long));
                }
                turned += usize::from(p.rotation_deg.abs() > 45.0);
                glare += usize::from(p.glare > 0.0);
            }
        }
        assert!(
            (80..220).contains(&turned),
            "{turned} quarter/half turns in 600"
        );
        assert!((100..260).contains(&glare), "{glare} glare spots in 600");
    }

    /// Writes every kind under every condition to /tmp/permits for a human to look at, PDFs
    /// also as the PNG the reader's loader renders:
    /// `cargo test --lib synth::capture::tests::write_inspection_samples -- --ignored`.
    #[test]
    #[ignore = "writes samples to /tmp/permits for visual inspection"]
    fn write_inspection_samples() {
        let fonts = Fonts::load().expect("fonts installed");
        let dir = Path::new("/tmp/permits");
        std::fs::create_dir_all(dir).expect("dir");
        let seed: u64 = std::env::var("SYNTH_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(1);
        for (k, kind) in DocKind::ALL.into_iter().enumerate() {
            let s = sample_seed(seed, k);
            let doc = sample_document(&mut StdRng::seed_from_u64(s), kind, &fonts);
            for condition in Condition::ALL {
                let stem = format!("{}-{k}-{}", kind.name(), condition.name());
                let info = write_sample(&doc, &fonts, condition, dir, &stem, s).expect("written");
                if condition == Condition::Camera {
                    let photo = image::open(sample_path(dir, &info)).expect("JPEG reads");
                    photo
                        .save(dir.join(format!("{stem}.jpg.png")))
                        .expect("PNG saved");
                }
                if condition.extension() == "pdf" {
                    let pages = crate::input::load(&sample_path(dir, &info), &Default::default())
                        .expect("PDF loads");
                    pages[0]
                        .image
                        .save(dir.join(format!("{stem}.pdf.png")))
                        .expect("PNG saved");
                }
            }
        }
    }

    /// Times a 40-sample set: `cargo test --lib synth::capture::tests::time_a_set -- --ignored
    /// --nocapture`; the samples stay in /tmp/permits-set for inspection.
    #[test]
    #[ignore = "timing; writes 40 samples to /tmp/permits-set"]
    fn time_a_set() {
        let dir = Path::new("/tmp/permits-set");
        let _ = std::fs::remove_dir_all(dir);
        let start = std::time::Instant::now();
        let infos = generate_set(dir, 40, 2024).expect("set written");
        println!("generate_set(40): {:.1} s", start.elapsed().as_secs_f32());
        assert_eq!(infos.len(), 40);
    }

    #[test]
    fn family_plan_shows_every_family_in_every_20_and_the_planned_mix() {
        for split in [Split::Tuning, Split::HeldOut] {
            let list = families(split);
            let plan: Vec<_> = (0..240).map(|i| family_plan(i, &list)).collect();
            // Every family within every window of 20 samples while its kind has at most as
            // many families as fit (9 printouts, 3 cards); with more, within every run of one
            // more turns of its kind than its kind has families.
            let per_kind = |m: Medium| list.iter().filter(|f| f.medium == m).count();
            let short = per_kind(Medium::Printout) <= 9 && per_kind(Medium::Card) <= 3;
            if short {
                for start in 0..=plan.len() - 20 {
                    for f in &list {
                        let seen = plan[start..start + 20]
                            .iter()
                            .any(|(p, _, _)| *p == Planned::Family(*f));
                        assert!(seen, "{} missing from samples {start}..+20", f.id);
                    }
                }
            }
            for f in &list {
                let turns: Vec<&Planned> = plan
                    .iter()
                    .map(|(p, _, _)| p)
                    .filter(|p| matches!(p, Planned::Family(g) if g.medium == f.medium))
                    .collect();
                let window = per_kind(f.medium) + 1;
                for start in 0..=turns.len() - window {
                    let seen = turns[start..start + window]
                        .iter()
                        .any(|p| **p == Planned::Family(*f));
                    assert!(seen, "{} missing from turns {start}..+{window}", f.id);
                }
            }
            let non = plan
                .iter()
                .filter(|(p, _, _)| matches!(p, Planned::NonPermit(_)))
                .count();
            assert_eq!(non, 20, "one in 12");
            for f in &list {
                let conditions: std::collections::HashSet<String> = plan
                    .iter()
                    .filter(|(p, _, _)| *p == Planned::Family(*f))
                    .map(|(_, c, _)| format!("{c:?}"))
                    .collect();
                let least = if f.medium == Medium::Card { 3 } else { 4 };
                assert!(conditions.len() >= least, "{} in {conditions:?}", f.id);
            }
            for kind in [
                ReportKind::Scan,
                ReportKind::Pdf,
                ReportKind::CameraPrintout,
                ReportKind::ScanCard,
                ReportKind::CameraCard,
                ReportKind::CameraHard,
                ReportKind::NonPermit,
            ] {
                assert!(plan.iter().any(|(_, _, k)| *k == kind), "{kind:?}");
            }
            for (p, c, k) in &plan {
                match p {
                    Planned::Family(f) => {
                        assert_eq!(f.split, split);
                        let card = f.medium == Medium::Card;
                        let card_kind = matches!(k, ReportKind::ScanCard | ReportKind::CameraCard);
                        assert!(card_kind == card || *k == ReportKind::CameraHard);
                        assert_eq!(*k == ReportKind::CameraHard, *c == Condition::CameraHard);
                    }
                    Planned::NonPermit(kind) => {
                        assert!(!kind.is_permit());
                        assert_eq!(*k, ReportKind::NonPermit);
                    }
                }
            }
        }
    }

    #[test]
    fn family_set_writes_tagged_samples_the_loader_reads() {
        let dir = temp_dir("family-set");
        let infos = generate_family_set(&dir, 5, 3, Split::HeldOut).expect("set written");
        let list = families(Split::HeldOut);
        for (i, info) in infos.iter().enumerate() {
            let (planned, condition, kind) = family_plan(i, &list);
            assert_eq!(info.condition, condition);
            assert_eq!(info.report_kind, Some(kind));
            assert_eq!(info.split, Some(Split::HeldOut));
            if let Planned::Family(f) = planned {
                assert_eq!(info.family, f.id);
            }
            assert_eq!(info.quad.is_some(), condition.is_camera());
            let stem = info.file.rsplit_once('.').expect("extension").0;
            let json = std::fs::read(dir.join(format!("{stem}.json"))).expect("json written");
            let back: SampleInfo = serde_json::from_slice(&json).expect("json parses");
            assert_eq!(&back, info);
            let pages = crate::input::load(&sample_path(&dir, info), &Default::default())
                .expect("the reader's loader accepts the file");
            assert_eq!(pages.len(), 1);
        }
        assert!(infos.iter().any(|i| i.condition == Condition::CameraHard));
        let again = generate_family_set(&dir, 2, 3, Split::HeldOut).expect("set written");
        assert_eq!(again[..], infos[..2]);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn classic_json_has_no_family_keys_and_old_json_still_parses() {
        let info = SampleInfo {
            truth: Truth::not_a_permit("receipt"),
            condition: Condition::Scan,
            seed: 1,
            file: "x.png".into(),
            quad: None,
            family: String::new(),
            split: None,
            report_kind: None,
        };
        let json = serde_json::to_value(&info).expect("serialises");
        for key in ["family", "split", "report_kind"] {
            assert!(json.get(key).is_none(), "{key} in {json}");
        }
        let back: SampleInfo = serde_json::from_value(json).expect("old shape parses");
        assert_eq!(back, info);
        assert_eq!(
            serde_json::to_value(Condition::CameraHard).expect("serialises"),
            "camera-hard"
        );
        assert!(!Condition::ALL.contains(&Condition::CameraHard));
    }

    #[test]
    fn hard_camera_is_harder_than_the_ordinary_one() {
        let hard = HardParams::default();
        assert!(hard.tilt[0] >= 0.12 && hard.blur[0] >= 1.0 && hard.dim[1] < 1.0);
        let fonts = Fonts::load().expect("fonts installed");
        let doc = sample_document(&mut StdRng::seed_from_u64(4), DocKind::Eitas2024, &fonts);
        let mut rng = StdRng::seed_from_u64(8);
        let (photo, quad, quality) = hard_camera(&doc, &fonts, &hard, &mut rng).expect("photo");
        assert!(photo.width().max(photo.height()) <= 1600);
        assert!((40..=65).contains(&quality));
        for [x, y] in quad {
            assert!(
                x >= 0.0 && y >= 0.0 && x <= photo.width() as f32 && y <= photo.height() as f32
            );
        }
    }

    #[test]
    fn camera_sample_has_its_quad_in_the_frame() {
        let fonts = Fonts::load().expect("fonts installed");
        let doc = sample_document(&mut StdRng::seed_from_u64(2), DocKind::KitapCard, &fonts);
        let dir = temp_dir("camera");
        std::fs::create_dir_all(&dir).expect("dir");
        let info = write_sample(&doc, &fonts, Condition::Camera, &dir, "c", 11).expect("written");
        let img = image::open(sample_path(&dir, &info))
            .expect("JPEG")
            .to_rgb8();
        let quad = info.quad.expect("quad");
        for [x, y] in quad {
            assert!(x >= 0.0 && y >= 0.0 && x <= img.width() as f32 && y <= img.height() as f32);
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
