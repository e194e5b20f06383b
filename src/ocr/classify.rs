//! Line orientation: is a cropped line upright or upside down (0 or 180 degrees)?
//!
//! Uses PaddleOCR's mobile angle classifier on 48 x 192 windows. PaddleOCR squeezes a whole line
//! into one window, which turns a long address line into an unreadable smear that the classifier
//! often calls upside down with 0.9 confidence; here a long line is judged on up to
//! [`ClsParams::windows`] unsqueezed windows spread along it, and their probabilities averaged.
//! Only needed where the page's orientation is unknown: a rectified document whose orientation
//! is already decided skips it.

use image::{RgbImage, imageops};

use super::OcrError;
use super::model::OnnxModel;
use super::recognize::strip_tensor;

/// Strip size the classifier was trained on.
const CLS_H: u32 = 48;
const CLS_W: u32 = 192;

/// What the classifier says of one line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Orientation {
    /// The line reads upside down.
    pub upside_down: bool,
    /// The classifier's probability for its answer.
    pub confidence: f32,
}

/// Tunables of the classifier.
#[derive(Debug, Clone, PartialEq)]
pub struct ClsParams {
    /// A line is turned only when the classifier is at least this sure (PaddleOCR: 0.9), since a
    /// wrong turn destroys a line that was read right.
    pub thresh: f32,
    /// Windows per model run. The input shape is fixed at this batch so one plan serves all.
    /// tract runs one window in 2.9 ms but batches at 8 ms per window (measured with the
    /// mobile classifier at 48 x 192: 64 ms for 8, 97 ms for 12), so windows run one at a time,
    /// spread over the lanes.
    pub batch: usize,
    /// Windows judged per line at most: the first, the last and evenly between.
    pub windows: usize,
}

impl Default for ClsParams {
    fn default() -> Self {
        Self {
            thresh: 0.9,
            batch: 1,
            windows: 3,
        }
    }
}

/// The angle classifier.
pub struct Classifier {
    model: OnnxModel,
    pub params: ClsParams,
}

impl Classifier {
    /// Compiled plans held now (one per input shape bucket seen).
    pub fn cached_plans(&self) -> usize {
        self.model.cached_plans()
    }

    /// Compiles its one plan ahead of the first line.
    pub fn prepare(&self) -> Result<(), OcrError> {
        let shape = [self.params.batch.max(1), 3, CLS_H as usize, CLS_W as usize];
        self.model.plan(&shape).map(drop)
    }

    /// Plans compiled since loading ([`OnnxModel::compilations`]).
    pub fn compilations(&self) -> usize {
        self.model.compilations()
    }

    pub fn new(model: OnnxModel, params: ClsParams) -> Self {
        Self { model, params }
    }

    /// Orientation of each strip (any height; they are scaled to the classifier's height).
    pub fn classify(&self, strips: &[RgbImage]) -> Result<Vec<Orientation>, OcrError> {
        let mut windows: Vec<RgbImage> = Vec::new();
        let mut owner: Vec<usize> = Vec::new();
        for (i, strip) in strips.iter().enumerate() {
            for w in self.windows(strip) {
                windows.push(w);
                owner.push(i);
            }
        }
        let p180 = self.run(&windows)?;
        let mut sum = vec![(0.0f32, 0usize); strips.len()];
        for (p, &i) in p180.iter().zip(&owner) {
            sum[i].0 += p;
            sum[i].1 += 1;
        }
        Ok(sum
            .into_iter()
            .map(|(s, n)| {
                let p = if n == 0 { 0.0 } else { s / n as f32 };
                Orientation {
                    upside_down: p >= self.params.thresh,
                    confidence: p.max(1.0 - p),
                }
            })
            .collect())
    }

    /// The windows a strip is judged on, each at the classifier's height and at most its width.
    fn windows(&self, strip: &RgbImage) -> Vec<RgbImage> {
        let scale = CLS_H as f32 / strip.height().max(1) as f32;
        let width = ((strip.width() as f32 * scale).ceil() as u32).max(1);
        let scaled = imageops::resize(strip, width, CLS_H, imageops::FilterType::Triangle);
        if width <= CLS_W {
            return vec![scaled];
        }
        let n = self
            .params
            .windows
            .max(1)
            .min(width.div_ceil(CLS_W) as usize);
        let span = width - CLS_W;
        (0..n)
            .map(|k| {
                let x = if n == 1 {
                    0
                } else {
                    span * k as u32 / (n as u32 - 1)
                };
                imageops::crop_imm(&scaled, x, 0, CLS_W, CLS_H).to_image()
            })
            .collect()
    }

    /// The probability of "upside down" for each window.
    fn run(&self, windows: &[RgbImage]) -> Result<Vec<f32>, OcrError> {
        let batch = self.params.batch.max(1);
        let chunks: Vec<&[RgbImage]> = windows.chunks(batch).collect();
        let probs = super::in_lanes(&chunks, |chunk| self.run_batch(chunk, batch))?;
        Ok(probs.into_iter().flatten().collect())
    }

    /// One model run over up to `batch` windows.
    fn run_batch(&self, chunk: &[RgbImage], batch: usize) -> Result<Vec<f32>, OcrError> {
        let refs: Vec<&RgbImage> = chunk.iter().collect();
        // The batch is padded to full size (blank windows) so every run uses the same plan.
        let probs = self.model.run(strip_tensor(&refs, batch, CLS_H, CLS_W))?;
        let view = probs
            .to_plain_array_view::<f32>()
            .map_err(|e| OcrError::Output(e.to_string()))?;
        if view.shape().len() != 2 || view.shape()[1] < 2 {
            return Err(OcrError::Output(format!(
                "classifier output shape {:?}",
                view.shape()
            )));
        }
        Ok((0..chunk.len()).map(|i| view[[i, 1]]).collect())
    }
}
