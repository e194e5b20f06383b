//! Text recognition: PP-OCR's CRNN-style recogniser on 48-pixel-high strips, greedy CTC decoding.
//!
//! Strips are sorted by width and run in batches of similar width; each batch is padded to a
//! width bucket so that tract compiles one plan per bucket. The character dictionary comes from
//! the model's own `character` metadata, so a different PP-OCR recogniser brings its own.

use image::{RgbImage, imageops};
use tract_onnx::prelude::*;

use super::OcrError;
use super::ctc::{DecodedChar, Dictionary, greedy_decode};
use super::model::OnnxModel;
use super::spaces::{InkProfile, SpaceParams, restore_spaces};

/// Tunables of the recogniser.
#[derive(Debug, Clone, PartialEq)]
pub struct RecParams {
    /// Strip height the model was trained on (PP-OCRv3 and later: 48).
    pub height: u32,
    /// Lines per model run. tract runs a batch slower per line than single lines (measured at
    /// 48 x 320: 36 ms per line alone, 56 in fours, 72 in eights; `kitascan bench ocr` went from
    /// 80 to 37 ms per line when this went from 6 to 1), so lines run one at a time by default.
    pub batch: usize,
    /// Strip widths are padded up to a multiple of this, bounding the number of compiled plans
    /// (`max_width / width_bucket`, all kept) while wasting at most this many columns per line.
    pub width_bucket: u32,
    /// Widest strip read: 40 heights covers the longest address line at full resolution; a
    /// longer line is squeezed (still readable) rather than allowed to cost unbounded work.
    pub max_width: u32,
    /// How missed spaces are put back.
    pub spaces: SpaceParams,
    /// The characters the recogniser may read.
    pub charset: Charset,
}

/// Which of the dictionary's characters the recogniser scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charset {
    /// All of them (PP-OCRv4: 6623, nearly all Chinese).
    All,
    /// Those a permit prints: ASCII letters, digits and punctuation, their full-width forms
    /// (read as ASCII), and accented Latin letters; about 200 of PP-OCRv4's 6623. The model's
    /// output head is cut to them ([`super::fuse::keep_classes`]), which takes its largest
    /// matrix product (120 x 6625 at every time step) and softmax down to 3% of their work,
    /// and a step whose best class was a Chinese character reads the best Latin one instead.
    Latin,
}

impl Charset {
    /// Whether the recogniser reads the dictionary entry `entry`.
    pub fn reads(self, entry: &str) -> bool {
        match self {
            Charset::All => true,
            Charset::Latin => {
                !entry.is_empty()
                    && entry.chars().map(super::ctc::ascii_form).all(|c| {
                        c.is_ascii_graphic()
                            || (c.is_alphabetic() && ('\u{C0}'..='\u{24F}').contains(&c))
                    })
            }
        }
    }
}

impl RecParams {
    /// Number of width buckets, and so of recogniser plans: `max_width / width_bucket`.
    pub fn buckets(&self) -> u32 {
        self.max_width.div_ceil(self.width_bucket.max(1))
    }
}

impl Default for RecParams {
    fn default() -> Self {
        Self {
            height: 48,
            batch: 1,
            width_bucket: 160,
            max_width: 1920,
            spaces: SpaceParams::default(),
            charset: Charset::Latin,
        }
    }
}

/// The reading of one strip.
#[derive(Debug, Clone, PartialEq)]
pub struct Recognized {
    pub text: String,
    /// Mean of the characters' confidences (0 for an empty reading).
    pub confidence: f32,
    pub chars: Vec<DecodedChar>,
    /// Strip pixels (of the strip as given) per time step: a character at steps (a, b) spans
    /// `a * step_px .. (b + 1) * step_px` of the strip.
    pub step_px: f32,
}

/// The recogniser and its dictionary.
pub struct Recognizer {
    model: OnnxModel,
    /// The characters read ([`RecParams::charset`]).
    dict: Dictionary,
    /// The model's whole dictionary, for a model whose head could not be cut.
    full: Dictionary,
    pub params: RecParams,
}

impl Recognizer {
    /// Compiled plans held now (one per input shape bucket seen).
    pub fn cached_plans(&self) -> usize {
        self.model.cached_plans()
    }

    /// Compiles the plan of every width bucket ahead of the lines that need them.
    pub fn prepare(&self) -> Result<(), OcrError> {
        let p = &self.params;
        for k in 1..=p.buckets() {
            let width = (k * p.width_bucket) as usize;
            self.model
                .plan(&[p.batch.max(1), 3, p.height as usize, width])?;
        }
        Ok(())
    }

    /// Plans compiled since loading ([`OnnxModel::compilations`]).
    pub fn compilations(&self) -> usize {
        self.model.compilations()
    }

    /// Packed weight buffers its plans share: count and bytes ([`OnnxModel::shared_weights`]).
    pub fn shared_weights(&self) -> (usize, usize) {
        self.model.shared_weights()
    }

    /// Wraps a recognition model, reading its dictionary from the model's metadata.
    pub fn new(model: OnnxModel, params: RecParams) -> Result<Self, OcrError> {
        let text = model.metadata("character").ok_or_else(|| OcrError::Model {
            model: model.name().to_owned(),
            reason: "no `character` metadata: not a PaddleOCR recognition model exported with its dictionary"
                .into(),
        })?;
        let full = Dictionary::from_metadata(&text);
        let (dict, classes) = full.subset(|e| params.charset.reads(e));
        let model = match params.charset {
            Charset::All => model,
            Charset::Latin => model.keep_classes(classes),
        };
        // One plan per width bucket, all kept: lines of every width come on every page.
        Ok(Self {
            model: model.keep_plans(params.buckets() as usize),
            dict,
            full,
            params,
        })
    }

    /// The characters the recogniser reads ([`RecParams::charset`]).
    pub fn dictionary(&self) -> &Dictionary {
        &self.dict
    }

    /// The model's whole dictionary.
    pub fn full_dictionary(&self) -> &Dictionary {
        &self.full
    }

    /// Reads each strip (any size: they are scaled to the model's height).
    pub fn recognize(&self, strips: &[RgbImage]) -> Result<Vec<Recognized>, OcrError> {
        let widths: Vec<u32> = strips.iter().map(|s| self.strip_width(s)).collect();
        let mut order: Vec<usize> = (0..strips.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(widths[i]));
        let groups: Vec<&[usize]> = order.chunks(self.params.batch.max(1)).collect();
        // Widest first, each lane taking the next group when it is free: the lanes finish
        // together instead of one reading the widest line while the other waits.
        let done = super::in_lanes(&groups, |group| self.run_group(strips, &widths, group))?;
        let mut out: Vec<Option<Recognized>> = vec![None; strips.len()];
        for (group, readings) in groups.iter().zip(done) {
            for (&i, r) in group.iter().zip(readings) {
                out[i] = Some(r);
            }
        }
        Ok(out
            .into_iter()
            .map(|r| r.unwrap_or_else(empty_reading))
            .collect())
    }

    /// One model run over a group of strips (indices into `strips`), padded to the widest one's
    /// width bucket.
    fn run_group(
        &self,
        strips: &[RgbImage],
        widths: &[u32],
        group: &[usize],
    ) -> Result<Vec<Recognized>, OcrError> {
        let h = self.params.height;
        let widest = group.iter().map(|&i| widths[i]).max().unwrap_or(1);
        let bucket = widest.div_ceil(self.params.width_bucket) * self.params.width_bucket;
        let refs: Vec<&RgbImage> = group.iter().map(|&i| &strips[i]).collect();
        let input = strip_tensor(&refs, group.len(), h, bucket);
        let probs = self.model.run(input)?;
        let view = probs
            .to_plain_array_view::<f32>()
            .map_err(|e| OcrError::Output(e.to_string()))?;
        let shape = view.shape().to_vec();
        // The output's classes tell whether the head was cut (an int8 export's is not).
        let dict = [&self.dict, &self.full]
            .into_iter()
            .find(|d| shape.get(2) == Some(&(d.len() + 2)));
        let dict = match dict {
            Some(d) if shape.len() == 3 && shape[0] == group.len() => d,
            _ => {
                return Err(OcrError::Output(format!(
                    "recogniser output shape {shape:?} for a dictionary of {} ({} read)",
                    self.full.len(),
                    self.dict.len()
                )));
            }
        };
        let step_px = bucket as f32 / shape[1] as f32;
        Ok(group
            .iter()
            .enumerate()
            .map(|(k, &i)| {
                let rows = view.slice(tract_ndarray::s![k, .., ..]);
                let strip_step = step_px * strips[i].width() as f32 / widths[i] as f32;
                // A line's rows are contiguous in tract's output (steps x classes, about 3 MB
                // for a wide line): read them in place, copying only an output laid out otherwise.
                match rows.as_slice() {
                    Some(flat) => self.decode(flat, dict, strip_step, &strips[i]),
                    None => {
                        let flat: Vec<f32> = rows.iter().copied().collect();
                        self.decode(&flat, dict, strip_step, &strips[i])
                    }
                }
            })
            .collect())
    }

    fn decode(
        &self,
        probs: &[f32],
        dict: &Dictionary,
        step_px: f32,
        strip: &RgbImage,
    ) -> Recognized {
        let raw = greedy_decode(probs, dict.len() + 2, dict);
        let spaces = &self.params.spaces;
        let profile = if spaces.enabled {
            InkProfile::of(strip, spaces.min_contrast)
        } else {
            None
        };
        let chars = if spaces.enabled {
            restore_spaces(raw, step_px, profile.as_ref(), spaces)
        } else {
            raw
        };
        let text: String = chars.iter().map(|c| c.ch).collect();
        let confidence = if chars.is_empty() {
            0.0
        } else {
            chars.iter().map(|c| c.confidence).sum::<f32>() / chars.len() as f32
        };
        Recognized {
            text,
            confidence,
            chars,
            step_px,
        }
    }

    /// The width a strip takes at the model's height, capped.
    fn strip_width(&self, s: &RgbImage) -> u32 {
        let h = self.params.height as f32;
        ((s.width() as f32 * h / s.height().max(1) as f32).ceil() as u32)
            .clamp(1, self.params.max_width)
    }
}

fn empty_reading() -> Recognized {
    Recognized {
        text: String::new(),
        confidence: 0.0,
        chars: Vec::new(),
        step_px: 8.0,
    }
}

/// A `[n, 3, h, w]` tensor of strips as PaddleOCR feeds them: each scaled to height `h` with its
/// aspect kept (width at most `w`), left-aligned, values mapped to -1..1, channels BGR, zeros
/// (mid-grey) to the right and in the unused batch slots.
pub(crate) fn strip_tensor(strips: &[&RgbImage], n: usize, h: u32, w: u32) -> Tensor {
    let mut t =
        tract_ndarray::Array4::<f32>::zeros((n.max(strips.len()), 3, h as usize, w as usize));
    for (k, s) in strips.iter().enumerate() {
        let sw =
            ((s.width() as f32 * h as f32 / s.height().max(1) as f32).ceil() as u32).clamp(1, w);
        let scaled;
        let src = if s.dimensions() == (sw, h) {
            *s
        } else {
            scaled = imageops::resize(*s, sw, h, imageops::FilterType::Triangle);
            &scaled
        };
        for (x, y, p) in src.enumerate_pixels() {
            for c in 0..3 {
                t[[k, c, y as usize, x as usize]] = p.0[2 - c] as f32 / 127.5 - 1.0;
            }
        }
    }
    t.into_tensor()
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgb;

    #[test]
    fn strip_tensor_scales_pads_and_normalises() {
        let white = RgbImage::from_pixel(20, 10, Rgb([255, 255, 255]));
        let t = strip_tensor(&[&white], 2, 48, 160);
        assert_eq!(t.shape(), &[2, 3, 48, 160]);
        let v = t.to_plain_array_view::<f32>().expect("f32");
        assert_eq!(v[[0, 0, 0, 0]], 1.0);
        assert_eq!(v[[0, 2, 47, 95]], 1.0);
        // Beyond the scaled width (96) and in the empty slot: padding.
        assert_eq!(v[[0, 0, 0, 96]], 0.0);
        assert_eq!(v[[1, 1, 20, 10]], 0.0);
    }
}
