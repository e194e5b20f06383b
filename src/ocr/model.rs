//! One ONNX model loaded with tract, and its compiled plans per input shape.
//!
//! tract optimises a model for one concrete input shape; that optimisation costs far more than a
//! run (hundreds of milliseconds for the detector). The stages therefore feed a small set of shape
//! *buckets* (they pad their inputs up to a bucket), and this wrapper keeps the plan of each bucket
//! it has seen, so an image of another size pays the optimisation once, not every time.
//!
//! Invariant: at most [`OnnxModel::MAX_PLANS`] plans are kept; the least recently used one goes
//! first, so memory stays bounded whatever shapes arrive.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use tract_onnx::prelude::*;

use super::OcrError;

type Plan = Arc<TypedRunnableModel>;

/// A loaded model with a cache of compiled plans keyed by input shape.
pub struct OnnxModel {
    name: String,
    /// The model after type analysis, input shape still open: the starting point of every plan.
    model: InferenceModel,
    plans: Mutex<PlanCache>,
}

#[derive(Default)]
struct PlanCache {
    plans: HashMap<Vec<usize>, (Plan, u64)>,
    clock: u64,
}

impl OnnxModel {
    /// Plans kept per model. A plan holds its own packed copy of the weights (about 14 MB for
    /// the recogniser), so this bounds the daemon's memory; 8 covers the recogniser's common
    /// width buckets and a few page sizes, and a shape outside them costs one recompilation.
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
        })
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
        let plan = self.plan(input.shape())?;
        let mut outputs = plan.run(tvec!(input.into())).map_err(|e| self.error(e))?;
        if outputs.is_empty() {
            return Err(self.error(anyhow::anyhow!("model produced no output")));
        }
        Ok(outputs.swap_remove(0).into_arc_tensor())
    }

    /// Compiles (or fetches from the cache) the plan for one input shape.
    pub fn plan(&self, shape: &[usize]) -> Result<Plan, OcrError> {
        {
            let mut cache = self.lock();
            cache.clock += 1;
            let now = cache.clock;
            if let Some((plan, used)) = cache.plans.get_mut(shape) {
                *used = now;
                return Ok(plan.clone());
            }
        }
        // Compile outside the lock: another stage may run a cached plan meanwhile.
        let plan = self.compile(shape)?;
        let mut cache = self.lock();
        if cache.plans.len() >= Self::MAX_PLANS {
            let oldest = cache
                .plans
                .iter()
                .min_by_key(|(_, (_, used))| *used)
                .map(|(k, _)| k.clone());
            if let Some(key) = oldest {
                cache.plans.remove(&key);
            }
        }
        let now = cache.clock;
        cache.plans.insert(shape.to_vec(), (plan.clone(), now));
        Ok(plan)
    }

    /// Number of compiled plans held now.
    pub fn cached_plans(&self) -> usize {
        self.lock().plans.len()
    }

    fn compile(&self, shape: &[usize]) -> Result<Plan, OcrError> {
        let plan = self
            .model
            .clone()
            .with_input_fact(0, f32::fact(shape).into())
            .and_then(|m| m.into_optimized())
            .and_then(|m| m.into_runnable())
            .map_err(|e| self.error(e))?;
        Ok(plan)
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
