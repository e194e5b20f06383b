//! Telling `O` from `0` and `I` from `1` by the printed glyph where a code's shape cannot.
//!
//! A NIORA mixes letters and digits freely before its serial, and a passport number may begin
//! with one or two letters, so no position there says whether an `O` or a `0` is meant; the
//! recogniser leans to the digit. The glyphs differ in the proportional faces permits are
//! printed in: measured on the ink, width over height is 0.88-0.99 for `O` against 0.66-0.79
//! for `0`, and 0.12-0.26 for a plain `I` against 0.59-0.71 for `1` (Liberation Sans and
//! DejaVu Sans, regular and bold). A monospaced face draws them alike (`O` 0.74, `0` 0.71, a
//! serifed `I` 0.61, `1` 0.73), so only proportions no digit glyph has turn a digit into a
//! letter, and a letter is never turned into a digit here. A bold zero (0.79) blurs to nearly
//! an `O`'s width, so a round glyph must also be a fifth wider than the line's other digits.
//!
//! The recogniser also drops a plain `I` between wide glyphs now and then (`VIC` read `VC`);
//! [`dropped_bars`] finds the bar it read nothing for.
//!
//! The recogniser's own doubt decides with the glyph ([`settle_code`]): each character of a
//! letter-digit pair carries the model's best probability for its partner
//! ([`crate::ocr::CharSpan::alt`]). Measured on the tuning families' codes (NIORA, passport
//! and permit numbers; scans, PDFs and camera photos, 956 characters of the five pairs): a
//! `1` read as `1` gives the `I` at most 0.014 in 99 of 100 and 0.10 at most, a `0` read as
//! `0` gives the `O` at most 0.009 in 95 of 100 and 0.23 at most; an `I` read as `1` gives the
//! `I` 0.02-0.41, an `O` read as `0` 0.0005-0.49 (the lowest are passport numbers' leading
//! letters, which their grammar settles). So a glyph may overrule the model only where the
//! model had some doubt ([`DOUBT`]), and where the model is split ([`SPLIT`]) the partner
//! wins unless the glyph's proportions say otherwise. `S`/`5`, `B`/`8` and `Z`/`2` were never
//! confused there; they follow the split rule alone.
//!
//! Invariants:
//! - Without the model's doubt a character stays as read; a glyph that cannot be measured
//!   (no contrast, touching its neighbour) never overrules the model.
//! - [`settle`] (free text and codes) turns only `0` and `1` into `O` and `I`.
//! - An `I` is put back only where the glyphs stand apart, exactly one more than were read.

use image::RgbImage;

use crate::ocr::{TextLine, crop};

/// Width over height at or above which a glyph read as `0` is an `O`.
const ROUND_LETTER: f32 = 0.86;
/// ... and at least this many times as wide (for its height) as the line's other digits ...
const ROUND_OVER_DIGITS: f32 = 1.2;
/// ... or, on a line without other digits to compare with, at least this.
const ROUND_ALONE: f32 = 0.92;
/// Width over height at or below which a glyph read as `1` is an `I`.
const BAR_LETTER: f32 = 0.35;
/// A measured run wider than this (over its height) holds two touching glyphs.
const TOUCHING: f32 = 1.2;
/// Paper and ink must differ by this many grey levels for a measurement.
const MIN_CONTRAST: f32 = 60.0;

/// The model's probability for a character's partner below which the glyph does not overrule
/// it (a line read without alternatives, such as a PDF's text, has no doubt to go by and is
/// settled by the glyph alone).
pub const DOUBT: f32 = 0.01;
/// The partner's probability at which the model is split between the two.
pub const SPLIT: f32 = 0.3;
/// Width over height under which a round glyph is a zero, not an `O` (zeros measure 0.66-0.79).
const ROUND_DIGIT: f32 = 0.8;
/// Width over height above which a glyph is no plain bar (an `I` is 0.12-0.26 sans, a serifed
/// one 0.61 in a monospaced face, a `1` 0.59-0.73).
const NOT_A_BAR: f32 = 0.5;

/// The letter a digit's glyph shows it to be, or the character as read.
pub fn settle(page: &RgbImage, line: &TextLine, i: usize) -> char {
    let Some(c) = line.chars.get(i) else {
        return ' ';
    };
    let letter = match c.ch {
        '0' => 'O',
        '1' => 'I',
        ch => return ch,
    };
    if c.alt.is_some_and(|(_, p)| p < DOUBT) {
        return c.ch;
    }
    match aspect(page, line, i) {
        Some(a) if letter == 'O' && a >= ROUND_LETTER => {
            let round = match digit_aspect(page, line, i) {
                Some(digits) => a >= ROUND_OVER_DIGITS * digits,
                None => a >= ROUND_ALONE,
            };
            if round { 'O' } else { c.ch }
        }
        Some(a) if letter == 'I' && a <= BAR_LETTER => 'I',
        _ => c.ch,
    }
}

/// A character of a code, where the code's grammar allows a letter and a digit alike:
/// [`settle`]d, and where the model is split between it and its partner ([`SPLIT`]), the
/// partner, unless the glyph's proportions say the character as read (a narrow zero, a round
/// `O`, a plain bar `I`, a `1` wider than a bar).
pub fn settle_code(page: &RgbImage, line: &TextLine, i: usize) -> char {
    let settled = settle(page, line, i);
    let Some(c) = line.chars.get(i) else {
        return settled;
    };
    if settled != c.ch {
        return settled;
    }
    let Some((partner, p)) = c.alt else {
        return c.ch;
    };
    if p < SPLIT {
        return c.ch;
    }
    let glyph = || aspect(page, line, i);
    let as_read = match c.ch {
        '0' => glyph().is_some_and(|a| a < ROUND_DIGIT),
        'O' => glyph().is_some_and(|a| a >= ROUND_LETTER),
        '1' => glyph().is_some_and(|a| a > NOT_A_BAR),
        'I' => glyph().is_some_and(|a| a <= BAR_LETTER),
        _ => false,
    };
    if as_read { c.ch } else { partner }
}

/// Median width over height of the line's digits `2` to `9` nearest character `i`: the
/// face's own digit width, which its zero matches (a bold face's zero reaches 0.79, as wide
/// as its other digits) and its `O` exceeds by a third. `None` with fewer than two.
fn digit_aspect(page: &RgbImage, line: &TextLine, i: usize) -> Option<f32> {
    let mut near: Vec<usize> = (0..line.chars.len())
        .filter(|&k| k != i && matches!(line.chars[k].ch, '2'..='9'))
        .collect();
    near.sort_by_key(|&k| k.abs_diff(i));
    let mut aspects: Vec<f32> = near
        .iter()
        .take(6)
        .filter_map(|&k| aspect(page, line, k))
        .collect();
    if aspects.len() < 2 {
        return None;
    }
    aspects.sort_by(f32::total_cmp);
    Some(aspects[aspects.len() / 2])
}

/// Width over height of the ink of the glyph read as character `i` of `line`.
pub fn aspect(page: &RgbImage, line: &TextLine, i: usize) -> Option<f32> {
    let c = line.chars.get(i)?;
    let q = &line.polygon;
    let len = crate::geometry::dist(q[0], q[1]).max(1.0);
    let height = crate::geometry::dist(q[0], q[3]).max(1.0);
    let centre = (c.span[0] + c.span[1]) / 2.0;
    // A window a line height either side of the character, sampled at the page's scale.
    let (a, b) = (centre - height, centre + height);
    let window = line.cut(a / len, b / len);
    let (w, h) = ((2.0 * height).round() as u32, height.round() as u32);
    let strip = crop::crop_to(page, &window, w.max(4), h.max(4));
    glyph_aspect(&strip)
}

/// A strip split into ink and paper at half-way between them, or `None` without contrast.
struct Ink {
    w: usize,
    h: usize,
    inked: Vec<bool>,
}

impl Ink {
    fn of(strip: &RgbImage) -> Option<Ink> {
        let (w, h) = (strip.width() as usize, strip.height() as usize);
        let inked = crate::ocr::spaces::ink_mask(strip, MIN_CONTRAST)?;
        Some(Ink { w, h, inked })
    }

    fn at(&self, x: usize, y: usize) -> bool {
        self.inked[y * self.w + x]
    }

    fn columns(&self) -> Vec<bool> {
        (0..self.w)
            .map(|x| (0..self.h).any(|y| self.at(x, y)))
            .collect()
    }

    /// Height of the ink in columns `left..=right`.
    fn height(&self, left: usize, right: usize) -> Option<usize> {
        let rows: Vec<usize> = (0..self.h)
            .filter(|&y| (left..=right).any(|x| self.at(x, y)))
            .collect();
        Some(rows.last()? - rows.first()? + 1)
    }
}

/// Where a thin upright glyph stands that the recogniser read no character for: the
/// recogniser sometimes drops a plain `I` between two wide letters (`VIC` read `VC`,
/// `2708IH` read `2708H`). Gives the indices into `line.chars` (within `from..to`) before
/// which an `I` stands. Only where the glyphs stand apart, one more than the characters read,
/// and the one left over is a bar as tall as the others: a narrower or shorter mark (`.`,
/// `-`) or touching glyphs give nothing.
pub fn dropped_bars(page: &RgbImage, line: &TextLine, from: usize, to: usize) -> Vec<usize> {
    let (Some(first), Some(last)) = (
        line.chars.get(from),
        to.checked_sub(1).and_then(|t| line.chars.get(t)),
    ) else {
        return Vec::new();
    };
    let q = &line.polygon;
    let len = crate::geometry::dist(q[0], q[1]).max(1.0);
    let height = crate::geometry::dist(q[0], q[3]).max(1.0);
    let (a, b) = (first.span[0] - 0.4 * height, last.span[1] + 0.4 * height);
    let window = line.cut(a / len, b / len);
    let (w, h) = (
        (b - a).round().max(4.0) as u32,
        height.round().max(4.0) as u32,
    );
    let Some(ink) = Ink::of(&crop::crop_to(page, &window, w, h)) else {
        return Vec::new();
    };
    let column = ink.columns();
    let mut runs: Vec<(usize, usize, usize)> = Vec::new();
    let mut x = 0;
    while x < column.len() {
        if column[x] {
            let start = x;
            while x < column.len() && column[x] {
                x += 1;
            }
            if let Some(rh) = ink.height(start, x - 1) {
                runs.push((start, x - 1, rh));
            }
        } else {
            x += 1;
        }
    }
    let read: Vec<f32> = line.chars[from..to]
        .iter()
        .filter(|c| !c.ch.is_whitespace())
        .map(|c| (c.span[0] + c.span[1]) / 2.0 - a)
        .collect();
    if runs.len() != read.len() + 1 {
        return Vec::new();
    }
    // Each character read takes the run nearest its centre; the run no character takes is
    // the dropped glyph.
    let centre = |r: &(usize, usize, usize)| (r.0 + r.1) as f32 / 2.0;
    let mut taken = vec![false; runs.len()];
    for c in &read {
        if let Some(i) = (0..runs.len()).min_by(|&i, &j| {
            (centre(&runs[i]) - c)
                .abs()
                .total_cmp(&(centre(&runs[j]) - c).abs())
        }) {
            taken[i] = true;
        }
    }
    let free: Vec<usize> = (0..runs.len()).filter(|&i| !taken[i]).collect();
    let [i] = free.as_slice() else {
        return Vec::new();
    };
    let (left, right, rh) = runs[*i];
    let mut heights: Vec<usize> = runs.iter().map(|r| r.2).collect();
    heights.sort_unstable();
    let tall = heights[heights.len() / 2] as f32;
    // A letter's bar is as tall as the other glyphs; a form's ruled line beside the value (a
    // grid cell's border) runs from the strip's top to its bottom, taller than any letter.
    let rule = rh + 1 >= ink.h || rh as f32 > 1.25 * tall;
    let bar =
        ((right - left + 1) as f32) <= BAR_LETTER * rh as f32 && rh as f32 >= 0.85 * tall && !rule;
    if !bar {
        return Vec::new();
    }
    let at = centre(&runs[*i]);
    let before = line.chars[from..to]
        .iter()
        .position(|c| (c.span[0] + c.span[1]) / 2.0 - a > at)
        .map_or(to, |k| from + k);
    vec![before]
}

/// Width over height of the ink run nearest the middle of a strip.
fn glyph_aspect(strip: &RgbImage) -> Option<f32> {
    let ink = Ink::of(strip)?;
    let w = ink.w;
    let column = ink.columns();
    // The inked column nearest the middle, within a quarter of the strip.
    let mid = w / 2;
    let start = (0..=w / 4)
        .flat_map(|d| [mid.checked_sub(d), Some(mid + d)])
        .flatten()
        .find(|&x| column.get(x).copied().unwrap_or(false))?;
    let left = (0..=start).rev().take_while(|&x| column[x]).last()?;
    let right = (start..w).take_while(|&x| column[x]).last()?;
    if left == 0 || right == w - 1 {
        return None;
    }
    let glyph_h = ink.height(left, right)? as f32;
    let glyph_w = (right - left + 1) as f32;
    let aspect = glyph_w / glyph_h;
    (glyph_h >= 6.0 && aspect <= TOUCHING).then_some(aspect)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ocr::CharSpan;
    use image::Rgb;

    /// A 40 px high line on white paper holding black boxes `(x0, x1, y0, y1)`, read as `text`
    /// with one character centred on each box.
    fn line_of(boxes: &[(u32, u32, u32, u32)], text: &str) -> (RgbImage, TextLine) {
        let page = RgbImage::from_fn(400, 60, |x, y| {
            let inked = boxes
                .iter()
                .any(|&(x0, x1, y0, y1)| (x0..x1).contains(&x) && (y0..y1).contains(&y));
            if inked {
                Rgb([20, 20, 20])
            } else {
                Rgb([245, 245, 245])
            }
        });
        let chars = text
            .chars()
            .zip(boxes)
            .map(|(ch, &(x0, x1, _, _))| CharSpan {
                ch,
                confidence: 0.9,
                span: [x0 as f32, x1 as f32],
                alt: None,
            })
            .collect();
        let line = TextLine {
            polygon: [[0.0, 10.0], [400.0, 10.0], [400.0, 50.0], [0.0, 50.0]],
            text: text.to_string(),
            confidence: 0.9,
            chars,
        };
        (page, line)
    }

    #[test]
    fn a_round_glyph_read_as_zero_is_an_o() {
        // Glyphs 28 px high: a `0` 19 px wide (0.68), an `O` 27 px wide (0.96).
        let (page, line) = line_of(&[(20, 39, 16, 44), (60, 87, 16, 44)], "00");
        let a0 = aspect(&page, &line, 0).expect("measured");
        let a1 = aspect(&page, &line, 1).expect("measured");
        assert!((a0 - 0.68).abs() < 0.05, "{a0}");
        assert!((a1 - 0.96).abs() < 0.05, "{a1}");
        assert_eq!(settle(&page, &line, 0), '0');
        assert_eq!(settle(&page, &line, 1), 'O');
    }

    #[test]
    fn a_zero_as_wide_as_its_line_s_digits_stays_a_zero() {
        // A bold face: digits 21 px wide on 28 (0.75), a zero 25 px wide (0.89), an `O`
        // 29 px wide (1.04).
        let boxes = [
            (20, 41, 16, 44),
            (50, 71, 16, 44),
            (80, 105, 16, 44),
            (115, 136, 16, 44),
            (145, 174, 16, 44),
        ];
        let (page, line) = line_of(&boxes, "58020");
        assert_eq!(settle(&page, &line, 2), '0');
        assert_eq!(settle(&page, &line, 4), 'O');
    }

    #[test]
    fn a_plain_bar_read_as_one_is_an_i_and_letters_stay() {
        // A 4 px bar (0.14) and a 17 px wide `1` (0.61).
        let (page, line) = line_of(
            &[(20, 24, 16, 44), (60, 77, 16, 44), (100, 127, 16, 44)],
            "11O",
        );
        assert_eq!(settle(&page, &line, 0), 'I');
        assert_eq!(settle(&page, &line, 1), '1');
        // A letter is never changed here, whatever its width.
        assert_eq!(settle(&page, &line, 2), 'O');
    }

    #[test]
    fn a_bar_read_as_nothing_between_two_letters_is_put_back() {
        // `V`, a bar, `C`, `7`, read as `VC7`: the bar stands before the `C`.
        let boxes = [
            (20, 44, 16, 44),
            (52, 56, 16, 44),
            (64, 86, 16, 44),
            (96, 114, 16, 44),
        ];
        let (page, mut line) = line_of(&boxes, "VIC7");
        line.chars.remove(1);
        line.text = "VC7".into();
        assert_eq!(dropped_bars(&page, &line, 0, 3), vec![1]);
        // Every glyph read: nothing to put back.
        let (page, line) = line_of(&boxes, "VIC7");
        assert!(dropped_bars(&page, &line, 0, 4).is_empty());
        // The mark left over is short (a hyphen's height), not a bar.
        let short = [(20, 44, 16, 44), (52, 56, 28, 34), (64, 86, 16, 44)];
        let (page, mut line) = line_of(&short, "V-C");
        line.chars.remove(1);
        assert!(dropped_bars(&page, &line, 0, 2).is_empty());
    }

    #[test]
    fn a_ruled_line_beside_a_value_is_no_dropped_letter() {
        // A grid cell's border 10 px left of `VC7`, running through the whole strip (the
        // line's box is rows 10..50, the glyphs 16..44).
        let boxes = [
            (8, 10, 0, 60),
            (20, 44, 16, 44),
            (64, 86, 16, 44),
            (96, 114, 16, 44),
        ];
        let (page, mut line) = line_of(&boxes, "|VC7");
        line.chars.remove(0);
        line.text = "VC7".into();
        assert!(dropped_bars(&page, &line, 0, 3).is_empty());
    }

    #[test]
    fn the_model_s_doubt_and_the_glyph_decide_together() {
        // A 4 px bar read as `1`: without doubt it stays a one, with some it is an `I`.
        let (page, mut line) = line_of(&[(20, 24, 16, 44), (60, 87, 16, 44)], "10");
        line.chars[0].alt = Some(('I', 0.001));
        assert_eq!(settle(&page, &line, 0), '1');
        line.chars[0].alt = Some(('I', 0.05));
        assert_eq!(settle(&page, &line, 0), 'I');
        // A round glyph read as `0`, the model split: an `O`; a narrow one split stays `0`.
        line.chars[1].alt = Some(('O', 0.4));
        assert_eq!(settle_code(&page, &line, 1), 'O');
        let (page, mut line) = line_of(&[(20, 39, 16, 44), (60, 79, 16, 44)], "0S");
        line.chars[0].alt = Some(('O', 0.4));
        assert_eq!(settle_code(&page, &line, 0), '0');
        // A pair without a glyph rule follows the split alone.
        line.chars[1].alt = Some(('5', 0.45));
        assert_eq!(settle_code(&page, &line, 1), '5');
        line.chars[1].alt = Some(('5', 0.1));
        assert_eq!(settle_code(&page, &line, 1), 'S');
        // An `O` read where the model gave the zero half: the glyph is narrow, a zero.
        let (page, mut line) = line_of(&[(20, 39, 16, 44)], "O");
        line.chars[0].alt = Some(('0', 0.45));
        assert_eq!(settle_code(&page, &line, 0), '0');
    }

    #[test]
    fn touching_glyphs_or_a_blank_strip_are_not_measured() {
        // Two zeros run together: 40 px wide on 28 high is no single glyph.
        let (page, line) = line_of(&[(20, 60, 16, 44)], "0");
        assert_eq!(aspect(&page, &line, 0), None);
        assert_eq!(settle(&page, &line, 0), '0');
        // Ink only outside the line: nothing to measure.
        let (page, line) = line_of(&[(200, 230, 0, 5)], "0");
        assert_eq!(aspect(&page, &line, 0), None);
    }
}
