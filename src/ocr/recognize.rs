//! Text recognition: PP-OCR's CRNN-style recogniser on 48-pixel-high strips, greedy CTC decoding.
//!
//! Lines are *packed*: several short lines are laid side by side, a gap apart, into one strip of
//! at most [`RecParams::pack_width`] pixels, read in one model run, and the output's time steps
//! are dealt back to the lines by position. A permit's lines are mostly short labels and values,
//! so this removes most of the padding a line-per-run reader pays (a 100-pixel label padded to a
//! 160-pixel bucket), and the strips come in few widths, so tract compiles few plans and keeps
//! them (one plan per width; a document used to need up to 12 and thrashed the plan cache). The
//! time steps of a strip are 8 pixels wide and every line starts on a step, so a line's slice of
//! the output reads exactly as if it had been run alone, up to the model's attention across the
//! gap (measured: no loss on the accuracy benchmark, see [`RecParams::pack_gap`]). The character dictionary comes from the
//! model's own `character` metadata, so a different PP-OCR recogniser brings its own.

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
    /// Widest packed strip. Lines at most this wide are packed side by side; a wider line runs
    /// alone. tract's cost per column varies by about 10% from 320 to 1920 columns (measured
    /// single-threaded, 0.15-0.19 ms per column on the development machine).
    pub pack_width: u32,
    /// Blank columns between packed lines: 48 (six time steps, one text height) reads like the
    /// wide space between a label and its value, which the model keeps apart. Measured on 40
    /// documents (seed 3): 913 of 920 fields right at 48, 910-911 at 16 and 24.
    pub pack_gap: u32,
    /// Strip widths are padded up to a multiple of this, bounding the number of compiled plans.
    pub width_bucket: u32,
    /// Widest strip read: 40 heights covers the longest address line at full resolution; a
    /// longer line is squeezed (still readable) rather than allowed to cost unbounded work.
    pub max_width: u32,
    /// How missed spaces are put back.
    pub spaces: SpaceParams,
}

impl Default for RecParams {
    fn default() -> Self {
        Self {
            height: 48,
            pack_width: 960,
            pack_gap: 48,
            width_bucket: 160,
            max_width: 1920,
            spaces: SpaceParams::default(),
        }
    }
}

/// Pixels per output time step of the PP-OCR recognisers (their total horizontal stride).
const STEP: u32 = 8;

/// One line's place in a packed strip.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Slot {
    /// Index into the strips given to [`Recognizer::recognize`].
    line: usize,
    /// Left edge in the packed strip, a multiple of [`STEP`].
    x: u32,
    /// Width at the model's height.
    width: u32,
}

/// One model run: lines side by side in a strip `width` wide.
#[derive(Debug, Clone, PartialEq)]
struct Pack {
    slots: Vec<Slot>,
    width: u32,
}

/// Lays lines out into strips: first fit by decreasing width into strips at most `pack_width`
/// wide, `gap` apart, each strip's width rounded up to `bucket`; a line wider than `pack_width`
/// gets a strip of its own, rounded up to half the pack width, so that all widths together
/// need at most `pack_width / bucket + 2` plans (8 by default, [`OnnxModel::MAX_PLANS`]): before
/// packing, a document's lines came in up to 12 widths and evicted each other's plans, costing
/// a recompilation (about 0.4 s) per width per document.
/// Packs come out widest first.
fn pack_lines(widths: &[u32], pack_width: u32, gap: u32, bucket: u32) -> Vec<Pack> {
    let mut order: Vec<usize> = (0..widths.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(widths[i]));
    let mut packs: Vec<(Vec<Slot>, u32)> = Vec::new();
    for i in order {
        let w = widths[i].max(1);
        let fits = |used: u32| {
            let x = (used + gap).next_multiple_of(STEP);
            (used == 0 || x + w <= pack_width).then_some(x)
        };
        let placed = packs
            .iter_mut()
            .filter(|(_, used)| *used > 0 && *used <= pack_width)
            .find_map(|(slots, used)| fits(*used).map(|x| (slots, used, x)));
        match placed {
            Some((slots, used, x)) => {
                slots.push(Slot {
                    line: i,
                    x,
                    width: w,
                });
                *used = x + w;
            }
            None => packs.push((
                vec![Slot {
                    line: i,
                    x: 0,
                    width: w,
                }],
                w,
            )),
        }
    }
    let bucket = bucket.max(STEP);
    let wide_bucket = (pack_width / 2).next_multiple_of(bucket);
    packs
        .into_iter()
        .map(|(slots, used)| Pack {
            slots,
            width: if used > pack_width {
                used.next_multiple_of(wide_bucket)
            } else {
                used.next_multiple_of(bucket)
            },
        })
        .collect()
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
    dict: Dictionary,
    pub params: RecParams,
}

impl Recognizer {
    /// Compiled plans held now (one per input shape bucket seen).
    pub fn cached_plans(&self) -> usize {
        self.model.cached_plans()
    }

    /// Wraps a recognition model, reading its dictionary from the model's metadata.
    pub fn new(model: OnnxModel, params: RecParams) -> Result<Self, OcrError> {
        let text = model.metadata("character").ok_or_else(|| OcrError::Model {
            model: model.name().to_owned(),
            reason: "no `character` metadata: not a PaddleOCR recognition model exported with its dictionary"
                .into(),
        })?;
        Ok(Self {
            model,
            dict: Dictionary::from_metadata(&text),
            params,
        })
    }

    pub fn dictionary(&self) -> &Dictionary {
        &self.dict
    }

    /// Reads each strip (any size: they are scaled to the model's height).
    pub fn recognize(&self, strips: &[RgbImage]) -> Result<Vec<Recognized>, OcrError> {
        let widths: Vec<u32> = strips.iter().map(|s| self.strip_width(s)).collect();
        let p = &self.params;
        let packs = pack_lines(&widths, p.pack_width, p.pack_gap, p.width_bucket);
        // Packs come widest first; dealt out in turn they give each lane a like share.
        let done = super::in_lanes(&packs, |pack| self.run_pack(strips, pack))?;
        let mut out: Vec<Option<Recognized>> = vec![None; strips.len()];
        for (pack, readings) in packs.iter().zip(done) {
            for (slot, r) in pack.slots.iter().zip(readings) {
                out[slot.line] = Some(r);
            }
        }
        Ok(out
            .into_iter()
            .map(|r| r.unwrap_or_else(empty_reading))
            .collect())
    }

    /// One model run over a packed strip; the readings of its slots, in slot order.
    fn run_pack(&self, strips: &[RgbImage], pack: &Pack) -> Result<Vec<Recognized>, OcrError> {
        let h = self.params.height;
        let placed: Vec<(&RgbImage, u32, u32)> = pack
            .slots
            .iter()
            .map(|s| (&strips[s.line], s.x, s.width))
            .collect();
        let probs = self.model.run(pack_tensor(&placed, h, pack.width))?;
        let view = probs
            .to_plain_array_view::<f32>()
            .map_err(|e| OcrError::Output(e.to_string()))?;
        let shape = view.shape().to_vec();
        let classes = self.dict.len() + 2;
        if shape.len() != 3 || shape[0] != 1 || shape[2] != classes || shape[1] == 0 {
            return Err(OcrError::Output(format!(
                "recogniser output shape {shape:?} for a dictionary of {}",
                self.dict.len()
            )));
        }
        let steps = shape[1];
        let step_px = pack.width as f32 / steps as f32;
        let rows = view
            .as_slice()
            .ok_or_else(|| OcrError::Output("recogniser output is not contiguous".to_owned()))?;
        let mut by_x: Vec<usize> = (0..pack.slots.len()).collect();
        by_x.sort_by_key(|&k| pack.slots[k].x);
        let mut out: Vec<Option<Recognized>> = vec![None; pack.slots.len()];
        for (n, &k) in by_x.iter().enumerate() {
            let slot = pack.slots[k];
            // A line owns the steps from its left edge to half-way across the gap after it.
            let from = ((slot.x as f32 / step_px) as usize).min(steps);
            let end_px = match by_x.get(n + 1) {
                Some(&next) => (slot.x + slot.width + pack.slots[next].x) / 2,
                None => pack.width,
            };
            let to = ((end_px as f32 / step_px).ceil() as usize).clamp(from, steps);
            let strip = &strips[slot.line];
            let strip_step = step_px * strip.width() as f32 / slot.width as f32;
            out[k] = Some(self.decode(
                &rows[from * classes..to * classes],
                classes,
                strip_step,
                strip,
            ));
        }
        Ok(out
            .into_iter()
            .map(|r| r.unwrap_or_else(empty_reading))
            .collect())
    }

    fn decode(&self, probs: &[f32], classes: usize, step_px: f32, strip: &RgbImage) -> Recognized {
        let raw = greedy_decode(probs, classes, &self.dict);
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

/// A `[1, 3, h, w]` tensor of lines laid side by side: each `(strip, x, width)` scaled to `width`
/// x `h` and placed at column `x`, normalised as [`strip_tensor`] does, zeros (mid-grey, PaddleOCR's
/// padding) between and after them.
fn pack_tensor(placed: &[(&RgbImage, u32, u32)], h: u32, w: u32) -> Tensor {
    let mut t = tract_ndarray::Array4::<f32>::zeros((1, 3, h as usize, w as usize));
    for &(s, x0, sw) in placed {
        let sw = sw.clamp(1, w.saturating_sub(x0).max(1));
        let scaled;
        let src = if s.dimensions() == (sw, h) {
            s
        } else {
            scaled = imageops::resize(s, sw, h, imageops::FilterType::Triangle);
            &scaled
        };
        for (x, y, p) in src.enumerate_pixels() {
            let xx = (x0 + x) as usize;
            if xx >= w as usize {
                continue;
            }
            for c in 0..3 {
                t[[0, c, y as usize, xx]] = p.0[2 - c] as f32 / 127.5 - 1.0;
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

    #[test]
    fn pack_tensor_places_each_line_at_its_column() {
        let white = RgbImage::from_pixel(20, 10, Rgb([255, 255, 255]));
        let t = pack_tensor(&[(&white, 0, 96), (&white, 144, 40)], 48, 320);
        assert_eq!(t.shape(), &[1, 3, 48, 320]);
        let v = t.to_plain_array_view::<f32>().expect("f32");
        assert_eq!(v[[0, 0, 0, 95]], 1.0);
        assert_eq!(v[[0, 0, 0, 96]], 0.0);
        assert_eq!(v[[0, 1, 30, 143]], 0.0);
        assert_eq!(v[[0, 1, 30, 144]], 1.0);
        assert_eq!(v[[0, 2, 47, 183]], 1.0);
        assert_eq!(v[[0, 2, 47, 184]], 0.0);
    }

    #[test]
    fn lines_pack_first_fit_on_steps_a_gap_apart() {
        let widths = [500, 100, 1200, 300, 90, 400];
        let packs = pack_lines(&widths, 960, 48, 160);
        // Every line is placed exactly once.
        let mut seen: Vec<usize> = packs
            .iter()
            .flat_map(|p| p.slots.iter().map(|s| s.line))
            .collect();
        seen.sort();
        assert_eq!(seen, vec![0, 1, 2, 3, 4, 5]);
        // The wide line runs alone, in its bucket.
        assert_eq!(packs[0].slots.len(), 1);
        assert_eq!(packs[0].slots[0].line, 2);
        assert_eq!(packs[0].width, 1440);
        for p in &packs[1..] {
            assert!(p.width <= 960 && p.width % 160 == 0, "{p:?}");
            let mut slots = p.slots.clone();
            slots.sort_by_key(|s| s.x);
            for pair in slots.windows(2) {
                assert_eq!(pair[1].x % STEP, 0);
                assert!(pair[1].x >= pair[0].x + pair[0].width + 48, "{p:?}");
            }
            let last = slots.last().expect("a slot");
            assert!(last.x + last.width <= p.width);
        }
        // 500 and 400 share a strip (400 at 552, ending at 952); 300, 100 and 90 the next.
        assert_eq!(packs.len(), 3, "{packs:?}");
        assert_eq!(
            packs[1].slots[1],
            Slot {
                line: 5,
                x: 552,
                width: 400
            }
        );
        assert_eq!(packs[1].width, 960);
        assert_eq!(packs[2].width, 640);
    }

    #[test]
    fn any_mix_of_line_widths_needs_at_most_max_plans_strip_widths() {
        // Every width from 1 to the widest read, 60 lines at a time: the strips come in at most
        // as many widths as the model keeps plans, so a document never evicts a plan it needs.
        let all: Vec<u32> = (1..=1920).step_by(7).collect();
        let mut widths = std::collections::BTreeSet::new();
        for lines in all.chunks(60) {
            for p in pack_lines(lines, 960, 48, 160) {
                assert!(p.width >= p.slots.iter().map(|s| s.x + s.width).max().unwrap_or(0));
                widths.insert(p.width);
            }
        }
        assert!(widths.len() <= OnnxModel::MAX_PLANS, "{widths:?}");
    }
}
