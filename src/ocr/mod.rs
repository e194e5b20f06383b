//! The OCR engine: PaddleOCR's PP-OCR models (detect, classify, recognize) run by tract.
//!
//! Each stage is a public method with typed hand-offs, so callers that know more than the engine
//! (the document reader knows the page is upright) can skip or reorder stages:
//!
//! 1. [`Engine::detect`]: line quadrilaterals in input pixels (and the probability map).
//! 2. [`Engine::strips`]: each line cut out and straightened to a 48-pixel-high strip.
//! 3. [`Engine::classify`]: which strips are upside down (only where orientation is unknown).
//! 4. [`Engine::recognize`]: text, per-character confidence and position.
//!
//! [`Engine::read`] chains them into [`TextLine`]s in the input image's pixel coordinates.
//! The library receives model paths; finding and fetching the files is the binary's job.

pub mod classify;
pub mod crop;
pub mod ctc;
pub mod detect;
pub mod fuse;
pub mod model;
pub mod recognize;
pub mod spaces;

use std::path::{Path, PathBuf};

use image::RgbImage;
use serde::{Deserialize, Serialize};

use crate::geometry::{Point, Quad, dist};
pub use classify::{ClsParams, Orientation};
pub use detect::{DetParams, Detection};
pub use recognize::{Charset, RecParams, Recognized};

/// Errors of the engine.
#[derive(Debug, thiserror::Error)]
pub enum OcrError {
    #[error("model {model}: {reason}")]
    Model { model: String, reason: String },
    #[error("unexpected model output: {0}")]
    Output(String),
}

/// One character of a line: what it is, how sure the model is, and where it sits along the line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CharSpan {
    pub ch: char,
    pub confidence: f32,
    /// Start and end of the character along the line, in input pixels measured from the line's
    /// first corner along its top edge.
    pub span: [f32; 2],
    /// For a member of a letter-digit pair (`O`/`0`, `I`/`1`, `S`/`5`, `B`/`8`, `Z`/`2`): the
    /// partner and the model's highest probability for it where this character was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alt: Option<(char, f32)>,
}

/// One line of text read from an image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextLine {
    /// Corners in input pixels, clockwise from the text's top-left.
    pub polygon: Quad,
    pub text: String,
    /// Mean character confidence, 0..1.
    pub confidence: f32,
    pub chars: Vec<CharSpan>,
}

impl TextLine {
    /// The quadrilateral covering characters `from..to` (indices into `chars`), cut from this
    /// line's polygon: where a label and its value were read as one line, this is the value's box.
    pub fn span_polygon(&self, from: usize, to: usize) -> Option<Quad> {
        let first = self.chars.get(from)?;
        let last = self.chars.get(to.checked_sub(1)?)?;
        let q = &self.polygon;
        let len = dist(q[0], q[1]).max(1.0);
        Some(self.cut(
            (first.span[0] / len).clamp(0.0, 1.0),
            (last.span[1] / len).clamp(0.0, 1.0),
        ))
    }

    /// The part of this line's polygon between fractions `a` and `b` of its length (either may
    /// reach beyond 0..1, past the line's ends), full height.
    pub fn cut(&self, a: f32, b: f32) -> Quad {
        let q = &self.polygon;
        let lerp =
            |p: Point, r: Point, t: f32| [p[0] + (r[0] - p[0]) * t, p[1] + (r[1] - p[1]) * t];
        [
            lerp(q[0], q[1], a),
            lerp(q[0], q[1], b),
            lerp(q[3], q[2], b),
            lerp(q[3], q[2], a),
        ]
    }
}

/// Where the three model files are.
#[derive(Debug, Clone)]
pub struct ModelPaths {
    pub det: PathBuf,
    pub cls: PathBuf,
    pub rec: PathBuf,
}

/// The numeric precision of the models the engine loads.
///
/// `Int8` loads the int8 variants `models/quantize` writes (onnxruntime static QDQ quantization,
/// calibrated on generated permits) for the models in [`Precision::INT8_MODELS`], the f32 files
/// for the rest. tract's quantized kernels are tuned for ARM; on x86 the int8 models run slower
/// than f32 (numbers in `config/kitascan.toml`), so `F32` is the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    #[default]
    F32,
    Int8,
}

impl Precision {
    /// Which of (detector, classifier, recogniser) `Int8` loads quantized.
    pub const INT8_MODELS: [bool; 3] = [true, true, true];

    pub fn as_str(self) -> &'static str {
        match self {
            Precision::F32 => "f32",
            Precision::Int8 => "int8",
        }
    }
}

impl std::fmt::Display for Precision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Precision {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "f32" => Ok(Precision::F32),
            "int8" => Ok(Precision::Int8),
            other => Err(format!(
                "unknown precision `{other}`: expected `f32` or `int8`"
            )),
        }
    }
}

impl ModelPaths {
    /// The f32 PP-OCRv4 mobile file names as `models/fetch` writes them, in `dir`.
    pub fn in_dir(dir: &Path) -> Self {
        Self::with_precision(dir, Precision::F32)
    }

    /// The files of `precision` in `dir`: for `Int8`, the `<name>.int8.onnx` files that
    /// `models/quantize` writes beside the f32 ones (for the models in
    /// [`Precision::INT8_MODELS`]).
    pub fn with_precision(dir: &Path, precision: Precision) -> Self {
        let file = |stem: &str, quantized: bool| {
            if precision == Precision::Int8 && quantized {
                dir.join(format!("{stem}.int8.onnx"))
            } else {
                dir.join(format!("{stem}.onnx"))
            }
        };
        let [det, cls, rec] = Precision::INT8_MODELS;
        Self {
            det: file("ch_PP-OCRv4_det_infer", det),
            cls: file("ch_ppocr_mobile_v2.0_cls_infer", cls),
            rec: file("ch_PP-OCRv4_rec_infer", rec),
        }
    }

    /// The files that are not there.
    pub fn missing(&self) -> Vec<&Path> {
        [&self.det, &self.cls, &self.rec]
            .into_iter()
            .filter(|p| !p.is_file())
            .map(PathBuf::as_path)
            .collect()
    }
}

/// Tunables of the whole engine.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EngineParams {
    pub det: DetParams,
    pub cls: ClsParams,
    pub rec: RecParams,
    pub lines: LineParams,
}

/// Tunables of turning detections into lines.
#[derive(Debug, Clone, PartialEq)]
pub struct LineParams {
    /// Lines read with a lower mean confidence are dropped: below this they are mostly noise,
    /// texture or stray marks read as characters (PaddleOCR's text_score: 0.5).
    pub min_confidence: f32,
    /// A box this many times taller than wide is vertical text, turned before reading. Low
    /// values turn single tall characters (`1`, `I`) on their side; three characters stacked
    /// are already about 2.5 times taller than wide.
    pub vertical_ratio: f32,
}

impl Default for LineParams {
    fn default() -> Self {
        Self {
            min_confidence: 0.5,
            vertical_ratio: 2.5,
        }
    }
}

/// Whether the orientation of the page (and so of its lines) is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageOrientation {
    /// Lines are upright: skip the angle classifier.
    Upright,
    /// Unknown: let the classifier turn upside-down lines.
    Unknown,
}

static THREADS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(1);

/// The thread count last given to [`set_threads`] (1 if never).
pub fn threads() -> usize {
    THREADS.load(std::sync::atomic::Ordering::Relaxed)
}

/// How many threads the models' matrix products use, for the whole process: `n` above 1 runs
/// them on a pool of `n` threads, 1 on the calling thread. Readings running at the same time
/// share the pool.
pub fn set_threads(n: usize) {
    use tract_linalg::multithread::{Executor, set_default_executor};
    THREADS.store(n.max(1), std::sync::atomic::Ordering::Relaxed);
    set_default_executor(if n > 1 {
        Executor::multithread_with_name(n, "kitascan-ocr")
    } else {
        Executor::SingleThread
    });
}

/// The CPU features kept from tract's kernels by default ([`set_cpu_features`]), by the CPU
/// this runs on. On an AMD x86-64 CPU AVX-512 is left out: on an EPYC (Zen 4), which executes
/// 512-bit operations as two 256-bit halves, tract's AVX-512 matrix kernels ran the recogniser's
/// products in 36 ms where its AVX2+FMA kernels take 28 (a 48 x 640 line, one thread). On an
/// Intel Xeon with AVX-512 (Emerald Rapids) it is the other way round: `bench/compare` went from
/// 0.66 to 0.44 of RapidOCR's time on scans with AVX-512 kept (BENCHMARKS.md). Elsewhere (Intel,
/// the Raspberry Pi's NEON) tract's own choice stands.
pub fn default_cpu_features() -> &'static str {
    #[cfg(target_arch = "x86_64")]
    {
        let id = std::arch::x86_64::__cpuid(0);
        let mut vendor = [0u8; 12];
        for (chunk, reg) in vendor.chunks_exact_mut(4).zip([id.ebx, id.edx, id.ecx]) {
            chunk.copy_from_slice(&reg.to_le_bytes());
        }
        if &vendor == b"AuthenticAMD" {
            return "-avx512f";
        }
    }
    ""
}

/// Edits the CPU features tract picks its kernels for, in its `TRACT_CPU_ISA` syntax
/// (comma-separated `+feature` / `-feature`; empty: tract's probe as it is). Process-wide, and
/// read once, when the first model is optimised: call it before loading an engine. The
/// `TRACT_CPU_ISA` environment variable, when set, takes precedence.
pub fn set_cpu_features(spec: &str) -> Result<(), OcrError> {
    if spec.trim().is_empty() {
        return Ok(());
    }
    tract_onnx::tract_core::knobs::set_config_global("TRACT_CPU_ISA", spec.trim())
        .map_err(|e| OcrError::Output(format!("CPU features {spec:?}: {e}")))
}

/// Runs `f` over `items` on [`threads`] lanes at once, each lane taking the next item not yet
/// taken and running its model calls single-threaded; results come back in the items' order.
/// Many small model runs (the recogniser's lines, the classifier's windows) keep every core busy
/// this way, where splitting each run's small matrix products between threads would mostly
/// wait. Items given longest first finish together: no lane is left with a long one at the end.
pub(crate) fn in_lanes<T: Sync, R: Send>(
    items: &[T],
    f: impl Fn(&T) -> Result<R, OcrError> + Sync,
) -> Result<Vec<R>, OcrError> {
    in_n_lanes(items, threads(), f)
}

fn in_n_lanes<T: Sync, R: Send>(
    items: &[T],
    lanes: usize,
    f: impl Fn(&T) -> Result<R, OcrError> + Sync,
) -> Result<Vec<R>, OcrError> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tract_linalg::multithread::{Executor, multithread_tract_scope};
    let lanes = lanes.min(items.len());
    if lanes <= 1 {
        return items.iter().map(&f).collect();
    }
    let next = AtomicUsize::new(0);
    let (f, next) = (&f, &next);
    // Each lane returns (index, result) pairs of the items it took.
    let per_lane: Vec<Vec<(usize, Result<R, OcrError>)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..lanes)
            .map(|_| {
                scope.spawn(move || {
                    multithread_tract_scope(Executor::SingleThread, || {
                        let mut done = Vec::new();
                        loop {
                            let i = next.fetch_add(1, Ordering::Relaxed);
                            let Some(item) = items.get(i) else { break };
                            let r = f(item);
                            let failed = r.is_err();
                            done.push((i, r));
                            if failed {
                                // Stop handing out work: the whole call fails anyway.
                                next.store(items.len(), Ordering::Relaxed);
                                break;
                            }
                        }
                        done
                    })
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    vec![(
                        usize::MAX,
                        Err(OcrError::Output("an OCR lane panicked".into())),
                    )]
                })
            })
            .collect()
    });
    let mut out: Vec<Option<R>> = std::iter::repeat_with(|| None).take(items.len()).collect();
    for (i, r) in per_lane.into_iter().flatten() {
        let r = r?;
        match out.get_mut(i) {
            Some(slot) => *slot = Some(r),
            None => return Err(OcrError::Output("an OCR lane lost a result".into())),
        }
    }
    out.into_iter()
        .map(|r| r.ok_or_else(|| OcrError::Output("an OCR lane lost a result".into())))
        .collect()
}

/// Hands the heap's free pages back to the system. A reading allocates and frees tens of
/// megabytes of activations; glibc keeps freed memory for reuse, so without this a daemon's
/// resident memory creeps up reading after reading (measured: +110 MB over 7 readings). Costs
/// a few milliseconds; call it after a reading, not inside one.
pub fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        unsafe extern "C" {
            fn malloc_trim(pad: usize) -> std::ffi::c_int;
        }
        // SAFETY: malloc_trim only returns free heap pages to the kernel; it takes no pointers
        // and is safe to call from any thread at any time.
        unsafe {
            malloc_trim(0);
        }
    }
}

/// The loaded models and their parameters.
pub struct Engine {
    pub detector: detect::Detector,
    pub classifier: classify::Classifier,
    pub recognizer: recognize::Recognizer,
    pub lines: LineParams,
}

impl Engine {
    /// Loads the three models.
    pub fn load(paths: &ModelPaths, params: EngineParams) -> Result<Self, OcrError> {
        let detector = detect::Detector::new(model::OnnxModel::load(&paths.det)?, params.det);
        let classifier = classify::Classifier::new(model::OnnxModel::load(&paths.cls)?, params.cls);
        let recognizer =
            recognize::Recognizer::new(model::OnnxModel::load(&paths.rec)?, params.rec)?;
        Ok(Self {
            detector,
            classifier,
            recognizer,
            lines: params.lines,
        })
    }

    /// Compiled plans held by the detector, classifier and recogniser.
    pub fn cached_plans(&self) -> [usize; 3] {
        [
            self.detector.cached_plans(),
            self.classifier.cached_plans(),
            self.recognizer.cached_plans(),
        ]
    }

    /// Plans compiled since loading by the detector, classifier and recogniser.
    pub fn compilations(&self) -> [usize; 3] {
        [
            self.detector.compilations(),
            self.classifier.compilations(),
            self.recognizer.compilations(),
        ]
    }

    /// Compiles ahead of time the plans a page of `width` x `height` pixels needs: the
    /// detector's first pass at that size, the classifier's, and the recogniser's for every
    /// line width. A daemon calls it once started, so that the first document is not the one
    /// that waits for them (about 2 s of compiling on the development machine).
    pub fn prepare(&self, width: u32, height: u32) -> Result<(), OcrError> {
        self.detector.prepare(width, height)?;
        self.classifier.prepare()?;
        self.recognizer.prepare()
    }

    /// Stage 1: text line boxes.
    pub fn detect(&self, img: &RgbImage) -> Result<Detection, OcrError> {
        self.detector.detect(img)
    }

    /// Stage 2: each box turned so its text runs left to right (vertical boxes are turned a
    /// quarter), and cut out as a strip at the recogniser's height.
    pub fn strips(&self, img: &RgbImage, boxes: &[Quad]) -> (Vec<Quad>, Vec<RgbImage>) {
        let p = &self.recognizer.params;
        let quads: Vec<Quad> = boxes
            .iter()
            .map(|q| {
                let (w, h) = crop::quad_size(q);
                if h >= w * self.lines.vertical_ratio {
                    [q[1], q[2], q[3], q[0]]
                } else {
                    *q
                }
            })
            .collect();
        let crop = |q: &Quad| crop::crop_line(img, q, p.height, p.max_width);
        // Cut in lanes; a lane fails only by panicking, and cropping again here then lets that
        // panic surface on the caller's thread.
        let strips =
            in_lanes(&quads, |q| Ok(crop(q))).unwrap_or_else(|_| quads.iter().map(crop).collect());
        (quads, strips)
    }

    /// Stage 3: which strips are upside down.
    pub fn classify(&self, strips: &[RgbImage]) -> Result<Vec<Orientation>, OcrError> {
        self.classifier.classify(strips)
    }

    /// Stage 4: read the strips.
    pub fn recognize(&self, strips: &[RgbImage]) -> Result<Vec<Recognized>, OcrError> {
        self.recognizer.recognize(strips)
    }

    /// All stages: the lines of an image, top to bottom, in input pixel coordinates.
    pub fn read(
        &self,
        img: &RgbImage,
        orientation: PageOrientation,
    ) -> Result<Vec<TextLine>, OcrError> {
        let detection = self.detect(img)?;
        self.read_boxes(img, &detection.boxes, orientation)
    }

    /// Stages 2-4 on boxes found by the caller (or by [`Engine::detect`]).
    pub fn read_boxes(
        &self,
        img: &RgbImage,
        boxes: &[Quad],
        orientation: PageOrientation,
    ) -> Result<Vec<TextLine>, OcrError> {
        let (mut quads, mut strips) = self.strips(img, boxes);
        // Lines whose orientation the classifier is unsure of are read both ways round.
        let mut unsure: Vec<usize> = Vec::new();
        if orientation == PageOrientation::Unknown {
            for (i, o) in self.classify(&strips)?.into_iter().enumerate() {
                if o.upside_down {
                    quads[i] = crop::turned(&quads[i]);
                    image::imageops::rotate180_in_place(&mut strips[i]);
                } else if o.confidence < self.classifier.params.thresh {
                    unsure.push(i);
                }
            }
        }
        let turned: Vec<RgbImage> = unsure
            .iter()
            .map(|&i| image::imageops::rotate180(&strips[i]))
            .collect();
        let mut readings = self.recognize(&strips)?;
        let turned_readings = self.recognize(&turned)?;
        for (&i, r) in unsure.iter().zip(turned_readings) {
            if r.confidence > readings[i].confidence {
                readings[i] = r;
                quads[i] = crop::turned(&quads[i]);
            }
        }
        let lines = quads
            .iter()
            .zip(&strips)
            .zip(readings)
            .filter(|(_, r)| !r.text.is_empty() && r.confidence >= self.lines.min_confidence)
            .map(|((q, s), r)| to_line(q, s.width(), r))
            .collect();
        Ok(lines)
    }
}

/// A reading placed back on the image: character steps become spans along the line's top edge.
fn to_line(q: &Quad, strip_width: u32, r: Recognized) -> TextLine {
    let scale = dist(q[0], q[1]) / strip_width.max(1) as f32;
    let chars = r
        .chars
        .iter()
        .map(|c| CharSpan {
            ch: c.ch,
            confidence: c.confidence,
            span: [
                c.steps.0 as f32 * r.step_px * scale,
                (c.steps.1 + 1) as f32 * r.step_px * scale,
            ],
            alt: c.alt,
        })
        .collect();
    TextLine {
        polygon: *q,
        text: r.text,
        confidence: r.confidence,
        chars,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lanes_keep_the_items_order_and_pass_errors_on() {
        let items: Vec<u32> = (0..23).collect();
        for lanes in [1, 2, 3, 8, 40] {
            let seen = std::sync::Mutex::new(std::collections::HashSet::new());
            let out = in_n_lanes(&items, lanes, |&i| {
                seen.lock()
                    .expect("lock")
                    .insert(std::thread::current().id());
                // Long enough that every lane has started before the items run out.
                std::thread::sleep(std::time::Duration::from_millis(5));
                Ok(i * 10)
            })
            .expect("no error");
            assert_eq!(out, items.iter().map(|i| i * 10).collect::<Vec<_>>());
            let used = seen.lock().expect("lock").len();
            assert!(
                used <= lanes.min(items.len()),
                "{lanes} lanes: {used} threads"
            );
            if lanes > 1 {
                assert!(used > 1, "{lanes} lanes: the work stayed on one thread");
            }
        }
        let failed = in_n_lanes(&items, 3, |&i| {
            if i == 17 {
                Err(OcrError::Output("seventeen".into()))
            } else {
                Ok(i)
            }
        });
        assert!(matches!(failed, Err(OcrError::Output(m)) if m == "seventeen"));
        assert!(
            in_n_lanes(&[] as &[u32], 4, |&i| Ok(i))
                .expect("empty")
                .is_empty()
        );
    }

    #[test]
    fn int8_paths_sit_beside_the_f32_files() {
        let dir = Path::new("m");
        let f32 = ModelPaths::in_dir(dir);
        assert_eq!(f32.det, dir.join("ch_PP-OCRv4_det_infer.onnx"));
        let int8 = ModelPaths::with_precision(dir, Precision::Int8);
        let pairs = [
            (&f32.det, &int8.det),
            (&f32.cls, &int8.cls),
            (&f32.rec, &int8.rec),
        ];
        for ((a, b), quantized) in pairs.into_iter().zip(Precision::INT8_MODELS) {
            let want = if quantized {
                a.with_extension("int8.onnx")
            } else {
                a.clone()
            };
            assert_eq!(b, &want);
        }
        assert_eq!("int8".parse::<Precision>(), Ok(Precision::Int8));
        assert_eq!("f32".parse::<Precision>(), Ok(Precision::F32));
        assert!("fp16".parse::<Precision>().is_err());
        assert_eq!(ModelPaths::in_dir(dir).missing().len(), 3);
    }

    #[test]
    fn span_polygon_cuts_the_line_along_its_edges() {
        let c = |ch, a, b| CharSpan {
            ch,
            confidence: 1.0,
            span: [a, b],
            alt: None,
        };
        let line = TextLine {
            polygon: [[0.0, 0.0], [100.0, 0.0], [100.0, 20.0], [0.0, 20.0]],
            text: "AB CD".into(),
            confidence: 1.0,
            chars: vec![
                c('A', 0.0, 10.0),
                c('B', 10.0, 20.0),
                c(' ', 20.0, 30.0),
                c('C', 60.0, 70.0),
                c('D', 70.0, 80.0),
            ],
        };
        let q = line.span_polygon(3, 5).expect("in range");
        let want = [[60.0, 0.0], [80.0, 0.0], [80.0, 20.0], [60.0, 20.0]];
        for (p, w) in q.iter().zip(want) {
            assert!(
                (p[0] - w[0]).abs() < 1e-3 && (p[1] - w[1]).abs() < 1e-3,
                "{q:?}"
            );
        }
        assert_eq!(line.span_polygon(3, 9), None);
    }
}
