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
    /// Least share of the frame a document covers to count as present.
    pub min_coverage: f32,
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
    /// Largest share of saturated pixels on the document of a frame that may be read.
    pub max_glare: f32,
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
            still: 0.006,
            still_ms: 500,
            focus_side: 640,
            min_focus: 0.3,
            glare_level: 254.0,
            max_glare: 0.10,
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
}

struct StillRun {
    since: Duration,
    quad: Quad,
    best: Option<Capture>,
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
}

impl Gate {
    pub fn new(params: GateParams) -> Gate {
        let locate = LocateParams {
            work_side: params.work_side,
            min_area: params.min_coverage,
            ..LocateParams::default()
        };
        Gate {
            params,
            locate,
            run: None,
            latch: None,
            empty_since: None,
            last: Measures::default(),
        }
    }

    pub fn params(&self) -> &GateParams {
        &self.params
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

    /// Judges one frame.
    pub fn observe(&mut self, frame: &Frame) -> Verdict {
        let p = &self.params;
        let image = &*frame.image;
        let found = locate(image, &self.locate).filter(|l| l.coverage >= p.min_coverage);
        let Some(doc) = found else {
            self.last = Measures::default();
            self.run = None;
            let since = *self.empty_since.get_or_insert(frame.at);
            if frame.at.saturating_sub(since) >= Duration::from_millis(p.empty_ms) {
                self.latch = None;
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

        match &mut self.run {
            Some(run) if quad_shift(&run.quad, &doc.quad) <= tolerance => run.quad = doc.quad,
            _ => {
                self.run = Some(StillRun {
                    since: frame.at,
                    quad: doc.quad,
                    best: None,
                })
            }
        }
        let focus = measure::focus(image, &doc.quad, p.focus_side);
        let glare = measure::glare(image, &doc.quad, p.glare_level);
        self.last = Measures {
            coverage: doc.coverage,
            focus,
            glare,
        };
        let (sharp, clear) = (focus >= p.min_focus, glare <= p.max_glare);
        let Some(run) = self.run.as_mut() else {
            return Verdict::HoldStill(Reason::Moving);
        };
        if sharp && clear && run.best.as_ref().is_none_or(|b| focus > b.focus) {
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
        Verdict::HoldStill(if !clear {
            Reason::Glare
        } else if !sharp && settled {
            Reason::Blurred
        } else {
            Reason::Moving
        })
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
    fn defaults_are_valid_and_bad_values_are_named() {
        GateParams::default().validate().unwrap();
        let p = GateParams {
            max_glare: 2.0,
            ..GateParams::default()
        };
        assert_eq!(p.validate().unwrap_err().0, "gate.max_glare");
    }
}
