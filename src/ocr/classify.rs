//! Line orientation: is a cropped line upright or upside down (0 or 180 degrees)?
//!
//! Uses PaddleOCR's mobile angle classifier on 48 x 192 strips. Only needed where the page's
//! orientation is unknown: a rectified document whose orientation is already decided skips it.

use image::RgbImage;

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
    /// Lines per model run. The input shape is fixed at this batch so one plan serves all.
    pub batch: usize,
}

impl Default for ClsParams {
    fn default() -> Self {
        Self { thresh: 0.9, batch: 8 }
    }
}

/// The angle classifier.
pub struct Classifier {
    model: OnnxModel,
    pub params: ClsParams,
}

impl Classifier {
    pub fn new(model: OnnxModel, params: ClsParams) -> Self {
        Self { model, params }
    }

    /// Orientation of each strip (any height; they are scaled to the classifier's size).
    pub fn classify(&self, strips: &[RgbImage]) -> Result<Vec<Orientation>, OcrError> {
        let batch = self.params.batch.max(1);
        let mut out = Vec::with_capacity(strips.len());
        for chunk in strips.chunks(batch) {
            let refs: Vec<&RgbImage> = chunk.iter().collect();
            // The batch is padded to full size (blank strips) so every run uses the same plan.
            let input = strip_tensor(&refs, batch, CLS_H, CLS_W);
            let probs = self.model.run(input)?;
            let view = probs.to_plain_array_view::<f32>().map_err(|e| OcrError::Output(e.to_string()))?;
            if view.shape().len() != 2 || view.shape()[1] < 2 {
                return Err(OcrError::Output(format!("classifier output shape {:?}", view.shape())));
            }
            for i in 0..chunk.len() {
                let (p0, p180) = (view[[i, 0]], view[[i, 1]]);
                let upside_down = p180 > p0 && p180 >= self.params.thresh;
                out.push(Orientation { upside_down, confidence: p0.max(p180) });
            }
        }
        Ok(out)
    }
}
