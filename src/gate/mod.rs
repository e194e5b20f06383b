//! The gate: decides, frame by frame, whether a document lies on the tray, still and sharp
//! enough to be read, and makes sure each placement is read once.
//!
//! For every frame:
//! 1. Presence: the document's quadrilateral ([`crate::kitas::locate::locate`] on a small copy of
//!    the frame: paper is the largest bright, grey region) and the share of the frame it fills.
//! 2. Stability: its corners stay within [`GateParams::still`] of the frame's diagonal from frame
//!    to frame; a run of such frames lasting [`GateParams::still_ms`] is "still".
//! 3. Quality, on the document region only: focus ([`measure::focus`], resolution-normalised
//!    variance of the Laplacian) and glare ([`measure::glare`], share of saturated pixels).
//!    Frames of the still run that pass both are candidates; when the run has lasted long enough
//!    the sharpest candidate is read ([`Verdict::Read`]).
//! 4. One reading per placement: after a reading the gate is latched on that document. It reads
//!    again only after the tray has been empty for [`GateParams::empty_ms`], or when a document
//!    that settles is clearly another one ([`measure::Fingerprint`]).
//!
//! The gate is pure: it keeps no clock of its own and uses the frames' timestamps, so tests drive
//! it in simulated time.

pub mod measure;

use std::time::Duration;

use serde::Deserialize;

use crate::capture::Frame;
use crate::geometry::Quad;
use crate::kitas::locate::{LocateParams, locate};
use measure::Fingerprint;

/// The gate's thresholds (the `[gate]` section of the configuration; defaults documented in
/// `config/kitascan.toml`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GateParams {
    /// Longest side of the copy of the frame the document is searched on, pixels.
    pub work_side: u32,
    /// Least share of the frame a document covers to be read; a smaller one is "too small".
    pub min_coverage: f32,
    /// Least share of the frame a paper-like region covers to count as a document at all.
    pub seen_coverage: f32,
    /// A document with a corner closer than this share of the frame's shorter side to the
    /// frame's edge is partly outside the view.
    pub edge_margin: f32,
    /// Corners moving less than this share of the frame's diagonal between frames are still.
    pub still: f32,
    /// How long the document must lie still before it is read, milliseconds.
    pub still_ms: u64,
    /// Focus is measured with the document's longer side sampled at most this many times.
    pub focus_side: u32,
    /// Least focus of a frame that may be read.
    pub min_focus: f32,
    /// Luma (0-255) from which a pixel counts as saturated.
    pub glare_level: f32,
    /// Largest share of the document's tiles whose print a highlight has faded
    /// ([`measure::light`]) in a frame that may be read.
    pub max_glare: f32,
    /// Least text contrast ([`measure::Light::contrast`], 0-255) of a document that may be read.
    pub min_contrast: f32,
    /// A region whose paper is at least this bright (0-255) but whose print is below
    /// `min_contrast` is blank (paper face down, a reflection), not a dark document.
    pub blank_paper: f32,
    /// A region covering more of the frame than this is the tray, not a document on it.
    pub max_coverage: f32,
    /// With no document found, a frame whose brightness ([`measure::brightness`]) is below
    /// this is too dark for one to be found.
    pub dark_level: f32,
    /// This many identical frames in a row: the camera is frozen.
    pub frozen_frames: u32,
    /// How long the tray must be empty before the same document is read again, milliseconds.
    pub empty_ms: u64,
    /// Fingerprint distance below which a settled document is the one already read.
    pub same_document: f32,
}

impl Default for GateParams {
    fn default() -> Self {
        GateParams {
            work_side: 320,
            min_coverage: 0.08,
            seen_coverage: 0.02,
            edge_margin: 0.01,
            still: 0.01,
            still_ms: 500,
            focus_side: 640,
            min_focus: 0.3,
            glare_level: 254.0,
            max_glare: 0.02,
            min_contrast: 40.0,
            blank_paper: 160.0,
            max_coverage: 0.85,
            dark_level: 20.0,
            frozen_frames: 3,
            empty_ms: 400,
            same_document: 0.55,
        }
    }
}

impl GateParams {
    /// Checks every value's range; the error names the key and the reason.
    pub fn validate(&self) -> Result<(), (String, String)> {
        let bad = |k: &str, r: &str| Err((format!("gate.{k}"), r.to_string()));
        if !(64..=4096).contains(&self.work_side) {
            return bad("work_side", "must be between 64 and 4096");
        }
        if !(0.0..1.0).contains(&self.min_coverage) {
            return bad("min_coverage", "must be at least 0 and below 1");
        }
        if !(0.0..=self.min_coverage).contains(&self.seen_coverage) {
            return bad(
                "seen_coverage",
                "must be at least 0 and at most min_coverage",
            );
        }
        if !(0.0..0.2).contains(&self.edge_margin) {
            return bad("edge_margin", "must be at least 0 and below 0.2");
        }
        if !(self.still > 0.0 && self.still < 0.2) {
            return bad("still", "must be above 0 and below 0.2");
        }
        if self.still_ms > 60_000 {
            return bad("still_ms", "must be at most 60000");
        }
        if !(32..=4096).contains(&self.focus_side) {
            return bad("focus_side", "must be between 32 and 4096");
        }
        if !(self.min_focus >= 0.0 && self.min_focus.is_finite()) {
            return bad("min_focus", "must be a number at least 0");
        }
        if !(0.0..=255.0).contains(&self.glare_level) {
            return bad("glare_level", "must be between 0 and 255");
        }
        if !(0.0..=1.0).contains(&self.max_glare) {
            return bad("max_glare", "must be between 0 and 1");
        }
        if !(0.0..=255.0).contains(&self.min_contrast) {
            return bad("min_contrast", "must be between 0 and 255");
        }
        if !(0.0..=255.0).contains(&self.blank_paper) {
            return bad("blank_paper", "must be between 0 and 255");
        }
        if !(self.min_coverage < self.max_coverage && self.max_coverage <= 1.0) {
            return bad("max_coverage", "must be above min_coverage and at most 1");
        }
        if !(0.0..=255.0).contains(&self.dark_level) {
            return bad("dark_level", "must be between 0 and 255");
        }
        if !(2..=1000).contains(&self.frozen_frames) {
            return bad("frozen_frames", "must be between 2 and 1000");
        }
        if self.empty_ms > 60_000 {
            return bad("empty_ms", "must be at most 60000");
        }
        if !(self.same_document > 0.0 && self.same_document < 2.0) {
            return bad("same_document", "must be above 0 and below 2");
        }
        Ok(())
    }
}

/// Why a document on the tray is not read (yet): each one something the person can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    /// It moves, or has not lain still long enough yet: hold still.
    Moving,
    /// It touches the frame's edge: part of it is outside the camera's view.
    PartlyOutside,
    /// It covers too little of the frame to be read: bring it closer / use the tray's mark.
    TooSmall,
    /// It lies still, but no frame is sharp enough.
    Blurred,
    /// A reflection hides print on it: tilt it or move it out of the light.
    Glare,
    /// Too dark to read: more light.
    TooDark,
}

impl Reason {
    /// Every reason, in the order the README lists them.
    pub const ALL: [Reason; 6] = [
        Reason::Moving,
        Reason::PartlyOutside,
        Reason::TooSmall,
        Reason::Blurred,
        Reason::Glare,
        Reason::TooDark,
    ];

    /// The name `/healthz`, the events stream and the kiosk page use.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Moving => "moving",
            Reason::PartlyOutside => "partly_outside",
            Reason::TooSmall => "too_small",
            Reason::Blurred => "out_of_focus",
            Reason::Glare => "glare",
            Reason::TooDark => "too_dark",
        }
    }

    /// Whether the person only has to wait with the document lying still (the LED's "hold
    /// still"), rather than change something (the LED's "adjust").
    pub fn is_hold_still(self) -> bool {
        self == Reason::Moving
    }
}

/// The frame to read: the sharpest of a still run.
#[derive(Clone)]
pub struct Capture {
    pub frame: Frame,
    /// Where the document lies in it.
    pub quad: Quad,
    pub focus: f32,
}

/// What the gate made of a frame.
#[derive(Clone)]
pub enum Verdict {
    /// No document on the tray.
    Empty,
    /// A document that cannot be read yet, and why.
    HoldStill(Reason),
    /// Read this frame.
    Read(Box<Capture>),
    /// The document lying there has been read.
    AlreadyRead,
    /// The camera delivers the same frame over and over: a camera fault, never "still".
    Frozen,
}

impl std::fmt::Debug for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Verdict::Empty => write!(f, "Empty"),
            Verdict::HoldStill(u) => write!(f, "HoldStill({u:?})"),
            Verdict::Read(c) => write!(f, "Read(frame {}, focus {:.3})", c.frame.seq, c.focus),
            Verdict::AlreadyRead => write!(f, "AlreadyRead"),
            Verdict::Frozen => write!(f, "Frozen"),
        }
    }
}

/// What the gate measured on the last frame, for logs, metrics and tuning.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Measures {
    pub coverage: f32,
    pub focus: f32,
    pub glare: f32,
    /// The print's contrast ([`measure::Light::contrast`]).
    pub contrast: f32,
    /// The paper's level ([`measure::Light::paper`]).
    pub paper: f32,
    /// With no document: the frame's brightness ([`measure::brightness`]).
    pub brightness: f32,
    /// How far the document's corners moved since the still run's last frame, pixels.
    pub shift: f32,
}

struct StillRun {
    since: Duration,
    quad: Quad,
    best: Option<Capture>,
    /// The refusal the person was last told during this run (or the one before it).
    told: Option<Reason>,
}

struct Latch {
    quad: Quad,
    print: Fingerprint,
}

/// The gate's state across frames.
pub struct Gate {
    params: GateParams,
    locate: LocateParams,
    run: Option<StillRun>,
    latch: Option<Latch>,
    empty_since: Option<Duration>,
    last: Measures,
    /// The last frame, and how many frames in a row were identical to it.
    previous: Option<(std::sync::Arc<image::RgbImage>, u32)>,
    /// The paper-like region found on the last frame, in its pixels (the walk-up screen's live
    /// view draws it).
    outline: Option<Quad>,
}

impl Gate {
    pub fn new(params: GateParams) -> Gate {
        let locate = LocateParams {
            work_side: params.work_side,
            min_area: params.seen_coverage,
            ..LocateParams::default()
        };
        Gate {
            params,
            locate,
            run: None,
            latch: None,
            empty_since: None,
            last: Measures::default(),
            previous: None,
            outline: None,
        }
    }

    pub fn params(&self) -> &GateParams {
        &self.params
    }

    /// The region found on the last frame observed, if any, in its pixels.
    pub fn outline(&self) -> Option<Quad> {
        self.outline
    }

    /// The measures of the last frame observed.
    pub fn measures(&self) -> Measures {
        self.last
    }

    /// Forgets the document in progress (not the latch): after the camera was lost, the frames
    /// before and after do not make one still run.
    pub fn interrupt(&mut self) {
        self.run = None;
    }

    /// Whether `frame` repeats the frames before it `frozen_frames - 1` times or more. A
    /// repeated frame also breaks the still run: the same picture twice is a camera that
    /// stopped, not a document lying still.
    fn frozen(&mut self, frame: &Frame) -> bool {
        let repeats = match &self.previous {
            Some((prev, n))
                if std::sync::Arc::ptr_eq(prev, &frame.image) || **prev == *frame.image =>
            {
                n + 1
            }
            _ => 0,
        };
        self.previous = Some((frame.image.clone(), repeats));
        if repeats > 0 {
            self.run = None;
        }
        repeats + 1 >= self.params.frozen_frames
    }

    /// Judges one frame.
    pub fn observe(&mut self, frame: &Frame) -> Verdict {
        if self.frozen(frame) {
            self.last = Measures::default();
            self.outline = None;
            return Verdict::Frozen;
        }
        let p = &self.params;
        let image = &*frame.image;
        let found = locate(image, &self.locate);
        self.outline = found.as_ref().map(|d| d.quad);
        let Some(doc) = found else {
            self.run = None;
            let brightness = measure::brightness(image);
            self.last = Measures {
                brightness,
                ..Measures::default()
            };
            let since = *self.empty_since.get_or_insert(frame.at);
            if frame.at.saturating_sub(since) >= Duration::from_millis(p.empty_ms) {
                self.latch = None;
            }
            if brightness < p.dark_level {
                return Verdict::HoldStill(Reason::TooDark);
            }
            return Verdict::Empty;
        };
        self.empty_since = None;
        let diagonal = (image.width() as f32).hypot(image.height() as f32);
        let tolerance = p.still * diagonal;

        // The document that was read, still in place: nothing to measure.
        if let Some(latch) = &self.latch
            && quad_shift(&latch.quad, &doc.quad) <= 4.0 * tolerance
        {
            self.run = None;
            self.last = Measures {
                coverage: doc.coverage,
                ..Measures::default()
            };
            return Verdict::AlreadyRead;
        }
        // Seen, but not to be read as it lies.
        let edge = p.edge_margin * image.width().min(image.height()) as f32;
        let (fw, fh) = (image.width() as f32, image.height() as f32);
        // The sides of the frame the document touches.
        let sides = [
            doc.quad.iter().any(|c| c[0] < edge),
            doc.quad.iter().any(|c| c[1] < edge),
            doc.quad.iter().any(|c| c[0] > fw - edge),
            doc.quad.iter().any(|c| c[1] > fh - edge),
        ];
        let outside = sides.contains(&true);
        // Touching three sides of the frame or filling most of it: the tray itself came out
        // brighter than something dark lying on it (a phone), not a document.
        if sides.iter().filter(|&&s| s).count() >= 3 || doc.coverage > p.max_coverage {
            self.run = None;
            self.last = Measures {
                coverage: doc.coverage,
                ..Measures::default()
            };
            return Verdict::Empty;
        }
        let refused = if outside {
            Some(Reason::PartlyOutside)
        } else if doc.coverage < p.min_coverage {
            Some(Reason::TooSmall)
        } else {
            None
        };

        let shift = self
            .run
            .as_ref()
            .map_or(f32::INFINITY, |run| quad_shift(&run.quad, &doc.quad));
        let run = match self.run.take() {
            Some(mut run) if shift <= tolerance => {
                run.quad = doc.quad;
                run
            }
            // A jitter of the outline (a blurred or shadowed edge) is no reason to change what
            // the person is told: a run that follows closely keeps the last reason.
            previous => StillRun {
                since: frame.at,
                quad: doc.quad,
                best: None,
                told: previous
                    .filter(|_| shift <= 3.0 * tolerance)
                    .and_then(|run| run.told),
            },
        };
        let run = self.run.insert(run);
        let held = frame.at.saturating_sub(run.since);
        if let Some(reason) = refused {
            run.best = None;
            self.last = Measures {
                coverage: doc.coverage,
                shift,
                ..Measures::default()
            };
            if self.latch.is_some() && reason == Reason::PartlyOutside {
                // The document read, being taken away over the frame's edge.
                return Verdict::AlreadyRead;
            }
            // Passing over the edge while being laid down is not yet worth a word.
            if held >= Duration::from_millis(p.still_ms / 2) {
                run.told = Some(reason);
            }
            return Verdict::HoldStill(run.told.unwrap_or(Reason::Moving));
        }

        let focus = measure::focus(image, &doc.quad, p.focus_side);
        let light = measure::light(image, &doc.quad, p.glare_level);
        self.last = Measures {
            coverage: doc.coverage,
            focus,
            glare: light.glare,
            contrast: light.contrast,
            paper: light.paper,
            brightness: 0.0,
            shift,
        };
        let (sharp, clear, lit) = (
            focus >= p.min_focus,
            light.glare <= p.max_glare,
            light.contrast >= p.min_contrast,
        );
        if !lit && light.paper >= p.blank_paper {
            // Bright but holding no print: blank paper, a document face down, a reflection on
            // the tray. Nothing to read.
            self.run = None;
            return Verdict::Empty;
        }
        if sharp && clear && lit && run.best.as_ref().is_none_or(|b| focus > b.focus) {
            run.best = Some(Capture {
                frame: frame.clone(),
                quad: doc.quad,
                focus,
            });
        }
        let settled = frame.at.saturating_sub(run.since) >= Duration::from_millis(p.still_ms);
        if settled && let Some(best) = run.best.take() {
            let print = Fingerprint::of(&best.frame.image, &best.quad);
            if let Some(latch) = &mut self.latch
                && latch.print.distance(&print) < p.same_document
            {
                // The same document, moved: still read.
                latch.quad = doc.quad;
                return Verdict::AlreadyRead;
            }
            self.latch = Some(Latch {
                quad: best.quad,
                print,
            });
            return Verdict::Read(Box::new(best));
        }
        if self.latch.is_some() {
            // Something moves on a tray whose document was read: keep showing that reading
            // until another document settles.
            return Verdict::AlreadyRead;
        }
        // Until it has lain still long enough, the person is asked to hold still (or told again
        // what kept it from being read just before); then told what keeps it from being read.
        if !settled {
            return Verdict::HoldStill(run.told.unwrap_or(Reason::Moving));
        }
        let reason = if !lit {
            Reason::TooDark
        } else if !clear {
            Reason::Glare
        } else if !sharp {
            Reason::Blurred
        } else {
            Reason::Moving
        };
        run.told = (reason != Reason::Moving).then_some(reason);
        Verdict::HoldStill(reason)
    }
}

/// How far the corners of `b` are from those of `a`: the largest corner distance, for the
/// pairing of corners (of the four rotations) that fits best.
pub fn quad_shift(a: &Quad, b: &Quad) -> f32 {
    (0..4)
        .map(|k| {
            (0..4)
                .map(|i| {
                    let (p, q) = (a[i], b[(i + k) % 4]);
                    (p[0] - q[0]).hypot(p[1] - q[1])
                })
                .fold(0.0f32, f32::max)
        })
        .fold(f32::INFINITY, f32::min)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quad_shift_ignores_corner_order() {
        let a = [[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0]];
        let b = [[10.0, 1.0], [10.0, 10.0], [0.0, 10.0], [0.0, 0.0]];
        assert!((quad_shift(&a, &b) - 1.0).abs() < 1e-6);
    }

    #[test]
    fn the_same_frame_over_and_over_is_a_frozen_camera() {
        let image = std::sync::Arc::new(image::RgbImage::from_pixel(
            320,
            240,
            image::Rgb([90, 90, 95]),
        ));
        let mut gate = Gate::new(GateParams::default());
        let verdicts: Vec<Verdict> = (0..4u64)
            .map(|k| {
                gate.observe(&Frame {
                    image: image.clone(),
                    at: Duration::from_millis(100 * k),
                    seq: k,
                })
            })
            .collect();
        assert!(matches!(verdicts[0], Verdict::Empty), "{verdicts:?}");
        assert!(matches!(verdicts[1], Verdict::Empty), "{verdicts:?}");
        assert!(matches!(verdicts[2], Verdict::Frozen), "{verdicts:?}");
        assert!(matches!(verdicts[3], Verdict::Frozen), "{verdicts:?}");
        // A frame that differs (a real camera's noise) ends it.
        let mut other = (*image).clone();
        other.put_pixel(5, 5, image::Rgb([91, 90, 95]));
        let next = gate.observe(&Frame {
            image: std::sync::Arc::new(other),
            at: Duration::from_millis(400),
            seq: 4,
        });
        assert!(matches!(next, Verdict::Empty), "{next:?}");
    }

    #[test]
    fn defaults_are_valid_and_bad_values_are_named() {
        GateParams::default().validate().unwrap();
        let p = GateParams {
            max_glare: 2.0,
            ..GateParams::default()
        };
        assert_eq!(p.validate().unwrap_err().0, "gate.max_glare");
    }
}
