//! One ONNX model loaded with tract, and its compiled plans per input shape.
//!
//! tract optimises a model for one concrete input shape; that optimisation costs far more than a
//! run (hundreds of milliseconds for the detector). The stages therefore feed a small set of shape
//! *buckets* (they pad their inputs up to a bucket), and this wrapper keeps the plan of each bucket
//! it has seen, so an image of another size pays the optimisation once, not every time.
//!
//! Invariant: at most `max_plans` plans are kept ([`OnnxModel::MAX_PLANS`] unless raised by
//! [`OnnxModel::keep_plans`]); the least recently used one goes first, so memory stays bounded
//! whatever shapes arrive.
//!
//! Plans of one model share their packed weights. tract packs each weight matrix into its matrix
//! kernel's panel layout when it optimises a plan, and every plan used to keep its own packing
//! (about 10 MB for the recogniser). Most layers pick the same kernel at every width, so their
//! packings hold the same numbers: a new plan takes the packing an earlier plan already holds
//! when every weight in it is bit for bit the same ([`SharedWeights`]). Only the panels' unused
//! padding bytes differ, and tract leaves those uninitialised anyway.
//!
//! Before optimising, a plan's graph gets the rewrites of [`super::fuse`] (hard-swish
//! activations as one op, and the output head cut to the classes kept).

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use tract_linalg::mmm::{EagerPackedInput, MMMInputValue};
use tract_onnx::prelude::*;
use tract_onnx::tract_core::ops::matmul::optimized::{MatMulOperand, OptMatMul, ProtoFusedSpec};

use super::OcrError;

type Plan = Arc<TypedRunnableModel>;
/// A cache entry: the plan of one shape, empty until compiled.
type Slot = Arc<Mutex<Option<Plan>>>;

/// A loaded model with a cache of compiled plans keyed by input shape.
pub struct OnnxModel {
    name: String,
    /// The model after type analysis, input shape still open: the starting point of every plan.
    model: InferenceModel,
    plans: Mutex<PlanCache>,
    /// Plans kept at most ([`OnnxModel::MAX_PLANS`] unless raised by [`OnnxModel::keep_plans`]).
    max_plans: usize,
    /// The packed weights the plans share.
    weights: Mutex<SharedWeights>,
    /// Plans compiled so far.
    compiled: std::sync::atomic::AtomicUsize,
    /// The output classes kept ([`OnnxModel::keep_classes`]), all when `None`.
    classes: Option<Vec<usize>>,
}

#[derive(Default)]
struct PlanCache {
    plans: HashMap<Vec<usize>, (Slot, u64)>,
    clock: u64,
}

impl OnnxModel {
    /// Plans kept per model by default. Plans share their packed weights, but each holds its
    /// own graph, constants and buffers, so this bounds the daemon's memory; 8 covers a few page
    /// sizes of the detector, and a shape outside them costs one recompilation. The recogniser
    /// keeps one per width bucket ([`OnnxModel::keep_plans`]).
    pub const MAX_PLANS: usize = 8;

    /// Loads an ONNX file. `value_info` shapes are ignored: newer PP-OCR exports (v5, v6) carry
    /// inconsistent ones that tract would otherwise reject, and the shapes are re-derived anyway.
    pub fn load(path: &Path) -> Result<Self, OcrError> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let model = tract_onnx::onnx()
            .with_ignore_value_info(true)
            .model_for_path(path)
            .map_err(|e| OcrError::Model {
                model: name.clone(),
                reason: format!("{e:#}"),
            })?;
        Ok(Self {
            name,
            model,
            plans: Mutex::new(PlanCache::default()),
            max_plans: Self::MAX_PLANS,
            weights: Mutex::new(SharedWeights::default()),
            compiled: Default::default(),
            classes: None,
        })
    }

    /// Keeps up to `n` plans (at least [`OnnxModel::MAX_PLANS`]): for a model whose inputs come
    /// in a known, bounded set of shapes, so that none is ever evicted and compiled again. With
    /// 8 plans the recogniser's 12 width buckets evicted each other: a page whose lines spanned
    /// 9 or more buckets recompiled every one of them (about 0.4 s each) on every reading.
    pub fn keep_plans(mut self, n: usize) -> Self {
        self.max_plans = n.max(Self::MAX_PLANS);
        self
    }

    /// Cuts the model's classifier head to `classes` in every plan ([`super::fuse::keep_classes`]).
    /// A model that does not end in such a head keeps all its classes, so a caller reads the
    /// number of classes off each output.
    pub fn keep_classes(mut self, classes: Vec<usize>) -> Self {
        self.classes = Some(classes);
        self
    }

    /// The model's file name, for messages.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A string from the model's ONNX `metadata_props`, if present.
    pub fn metadata(&self, key: &str) -> Option<String> {
        let value = self
            .model
            .properties
            .get(&format!("onnx.metadata_props.{key}"))?;
        value
            .try_as_plain_ram()
            .ok()?
            .to_scalar::<String>()
            .ok()
            .cloned()
    }

    /// Runs the model on one input tensor and returns its first output.
    pub fn run(&self, input: Tensor) -> Result<Arc<Tensor>, OcrError> {
        if let Some(recorder) = RECORDER.get() {
            recorder.save(&self.name, &input);
        }
        let plan = self.plan(input.shape())?;
        let mut outputs = plan.run(tvec!(input.into())).map_err(|e| self.error(e))?;
        if outputs.is_empty() {
            return Err(self.error(anyhow::anyhow!("model produced no output")));
        }
        Ok(outputs.swap_remove(0).into_arc_tensor())
    }

    /// Compiles (or fetches from the cache) the plan for one input shape.
    ///
    /// A shape is compiled once: a thread asking for a shape that another thread is compiling
    /// waits for that plan rather than compiling its own (the engine's stages run on two threads,
    /// and a first page used to compile the classifier and several recogniser widths twice).
    pub fn plan(&self, shape: &[usize]) -> Result<Plan, OcrError> {
        let slot = {
            let mut cache = self.lock();
            cache.clock += 1;
            let now = cache.clock;
            if let Some((slot, used)) = cache.plans.get_mut(shape) {
                *used = now;
                slot.clone()
            } else {
                if cache.plans.len() >= self.max_plans {
                    let oldest = cache
                        .plans
                        .iter()
                        .min_by_key(|(_, (_, used))| *used)
                        .map(|(k, _)| k.clone());
                    if let Some(key) = oldest {
                        cache.plans.remove(&key);
                    }
                }
                let slot = Slot::default();
                cache.plans.insert(shape.to_vec(), (slot.clone(), now));
                slot
            }
        };
        // Compile outside the cache's lock, so that other shapes' plans run meanwhile; under the
        // slot's, so that this shape compiles once. A failed compilation leaves the slot empty
        // for the next call to try again.
        let mut held = slot.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(plan) = held.as_ref() {
            return Ok(plan.clone());
        }
        let plan = self.compile(shape)?;
        *held = Some(plan.clone());
        Ok(plan)
    }

    /// Number of compiled plans held now (not counting one being compiled).
    pub fn cached_plans(&self) -> usize {
        let cache = self.lock();
        let slots = cache.plans.values();
        slots
            .filter(|(slot, _)| slot.try_lock().is_ok_and(|p| p.is_some()))
            .count()
    }

    /// Plans compiled since the model was loaded, evicted ones included.
    pub fn compilations(&self) -> usize {
        self.compiled.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn compile(&self, shape: &[usize]) -> Result<Plan, OcrError> {
        tracing::debug!(model = %self.name, ?shape, "compiling a plan");
        self.compiled
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut typed = self
            .model
            .clone()
            .with_input_fact(0, f32::fact(shape).into())
            .and_then(|m| m.into_typed())
            .and_then(|m| m.into_decluttered())
            .map_err(|e| self.error(e))?;
        let fused = super::fuse::hard_swish(&mut typed).map_err(|e| self.error(e))?;
        tracing::debug!(model = %self.name, fused, "hard-swish activations fused");
        // `KITASCAN_TRACT_DEPTHWISE=1` keeps tract's own depthwise convolutions, to compare the
        // two (they compute the same numbers; BENCHMARKS.md has the times).
        if std::env::var_os("KITASCAN_TRACT_DEPTHWISE").is_none() {
            let replaced = super::fuse::depthwise(&mut typed).map_err(|e| self.error(e))?;
            tracing::debug!(model = %self.name, replaced, "depthwise convolutions replaced");
        }
        if let Some(classes) = &self.classes {
            let cut = super::fuse::keep_classes(&mut typed, classes).map_err(|e| self.error(e))?;
            tracing::debug!(model = %self.name, cut, kept = classes.len(), "output classes cut");
        }
        let mut optimized = typed.into_optimized().map_err(|e| self.error(e))?;
        self.weights
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .share(&mut optimized);
        optimized.into_runnable().map_err(|e| self.error(e))
    }

    /// Packed weight buffers held for the plans to share: their count and bytes.
    pub fn shared_weights(&self) -> (usize, usize) {
        let weights = self.weights.lock().unwrap_or_else(|p| p.into_inner());
        let all = weights.packings.values().flatten();
        all.fold((0, 0), |(n, bytes), p| (n + 1, bytes + p.packed.len()))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, PlanCache> {
        // A panic while holding the lock leaves the cache consistent (inserts are single calls),
        // so a poisoned lock is safe to keep using.
        self.plans.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn error(&self, e: impl std::fmt::Display) -> OcrError {
        OcrError::Model {
            model: self.name.clone(),
            reason: e.to_string(),
        }
    }
}

/// The packed weight matrices that a model's plans share, grouped by size.
///
/// Invariant: no two entries hold the same weights in the same layout. The table only grows: it
/// holds each layer once per matrix kernel that some plan chose for it (one or two across the
/// recogniser's 12 widths), so it stays within a few times the model's weights whatever shapes
/// arrive, and it keeps those of evicted plans for the next plan of their shape.
#[derive(Default)]
struct SharedWeights {
    packings: HashMap<(usize, usize, usize), Vec<EagerPackedInput>>,
}

impl SharedWeights {
    /// Points every constant matrix operand of `model`'s matrix products at the equal packing
    /// already held, and holds the ones seen for the first time.
    fn share(&mut self, model: &mut TypedModel) {
        for node in model.nodes.iter_mut() {
            let Some(op) = node.op_as_mut::<OptMatMul>() else {
                continue;
            };
            for spec in op.micro_ops.iter_mut() {
                let ProtoFusedSpec::AddMatMul { a, b, .. } = spec else {
                    continue;
                };
                for operand in [a, b] {
                    let MatMulOperand::Const(value) = operand else {
                        continue;
                    };
                    let Some(packed) = value.downcast_ref::<EagerPackedInput>() else {
                        continue;
                    };
                    let key = (packed.mn, packed.k(), packed.panel_bytes);
                    let held = self.packings.entry(key).or_default();
                    match held.iter().find(|h| same_weights(h, packed)) {
                        Some(h) => *value = Box::new(h.clone()),
                        None => held.push(packed.clone()),
                    }
                }
            }
        }
    }
}

/// Whether two packed matrices hold the same weights, bit for bit, in the same layout. Their raw
/// bytes cannot tell: the padding at the end of each panel is left uninitialised by tract.
fn same_weights(a: &EagerPackedInput, b: &EagerPackedInput) -> bool {
    if a.fact != b.fact
        || a.mn != b.mn
        || a.panel_bytes != b.panel_bytes
        || a.packed.len() != b.packed.len()
    {
        return false;
    }
    let mut row_a = vec![0f32; a.k()];
    let mut row_b = vec![0f32; b.k()];
    (0..a.mn).all(|mn| {
        a.extract_at_mn_f32(mn, &mut row_a).is_ok()
            && b.extract_at_mn_f32(mn, &mut row_b).is_ok()
            && row_a
                .iter()
                .zip(&row_b)
                .all(|(x, y)| x.to_bits() == y.to_bits())
    })
}

/// The process's input recorder, set once by [`record_inputs`]; unset (one atomic load per run)
/// unless a calibration run asked for it.
static RECORDER: OnceLock<InputRecorder> = OnceLock::new();

/// Saves every tensor fed to any model from now on into `dir`, as NumPy `.npy` files named after
/// the model file and a counter (`ch_PP-OCRv4_det_infer-0007.npy`): the calibration data of
/// `models/quantize`, exactly what the engine feeds the models. For generated documents only:
/// the tensors are the document's pixels. Can be started once per process.
pub fn record_inputs(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let recorder = InputRecorder {
        dir: dir.to_owned(),
        counts: Mutex::new(HashMap::new()),
    };
    RECORDER.set(recorder).map_err(|_| {
        std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            "the input recorder is already started",
        )
    })
}

/// How many inputs were recorded per model file name (empty when recording is off).
pub fn recorded_inputs() -> Vec<(String, usize)> {
    let Some(recorder) = RECORDER.get() else {
        return Vec::new();
    };
    let counts = recorder.counts.lock().unwrap_or_else(|p| p.into_inner());
    let mut out: Vec<(String, usize)> = counts.iter().map(|(k, v)| (k.clone(), *v)).collect();
    out.sort();
    out
}

struct InputRecorder {
    dir: PathBuf,
    counts: Mutex<HashMap<String, usize>>,
}

impl InputRecorder {
    /// Writes one input; a failure is logged and never fails the reading.
    fn save(&self, model: &str, input: &Tensor) {
        let stem = model.strip_suffix(".onnx").unwrap_or(model);
        let n = {
            let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
            let n = counts.entry(model.to_owned()).or_insert(0);
            *n += 1;
            *n
        };
        let path = self.dir.join(format!("{stem}-{n:04}.npy"));
        if let Err(e) = write_npy(&path, input) {
            tracing::warn!("recording an input of {model} to {}: {e}", path.display());
        }
    }
}

/// A tensor as a NumPy `.npy` file (format 1.0, little-endian float32, C order).
fn write_npy(path: &Path, input: &Tensor) -> std::io::Result<()> {
    let data = input
        .to_plain_array_view::<f32>()
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
    file.write_all(&npy_header(input.shape()))?;
    // A logical (C order) walk, whatever the view's strides.
    for v in data.iter() {
        file.write_all(&v.to_le_bytes())?;
    }
    file.flush()
}

/// The `.npy` header of a float32 array of `shape`: magic, version, then a Python dict literal
/// padded with spaces so the data starts at a multiple of 64 bytes.
fn npy_header(shape: &[usize]) -> Vec<u8> {
    let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
    let shape = match dims.len() {
        1 => format!("({},)", dims[0]),
        _ => format!("({})", dims.join(", ")),
    };
    let mut dict = format!("{{'descr': '<f4', 'fortran_order': False, 'shape': {shape}, }}");
    let unpadded = 10 + dict.len() + 1;
    dict.push_str(&" ".repeat(unpadded.next_multiple_of(64) - unpadded));
    dict.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(dict.len() as u16).to_le_bytes());
    out.extend_from_slice(dict.as_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npy_header_is_numpy_format_1_aligned_to_64_bytes() {
        let h = npy_header(&[1, 3, 48, 320]);
        assert_eq!(&h[..8], b"\x93NUMPY\x01\x00");
        assert_eq!(h.len() % 64, 0);
        let len = u16::from_le_bytes([h[8], h[9]]) as usize;
        assert_eq!(len, h.len() - 10);
        let dict = std::str::from_utf8(&h[10..]).expect("ascii");
        assert!(
            dict.starts_with(
                "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3, 48, 320), }"
            )
        );
        assert!(dict.ends_with('\n'));
        assert!(
            std::str::from_utf8(&npy_header(&[5])[10..])
                .expect("ascii")
                .contains("(5,)")
        );
    }
}
