//! A page's OCR lines prepared for reading fields: cut into segments at wide gaps, each with its
//! characters, their confidences and an axis-aligned box.
//!
//! The detector sometimes joins a label and a value printed far apart (`Full Name      JOHN`)
//! into one line, and sometimes keeps them apart; cutting lines at gaps several times the text
//! height makes both cases look alike to the field reader.
//!
//! Invariants:
//! - Segments keep the input's reading order and never span two lines; every segment has at
//!   least one non-space character.
//! - A segment's characters index into its line's `chars` from `from` on, so a value's polygon
//!   can be cut from the line with [`TextLine::span_polygon`].
//! - Lines whose `chars` do not spell their `text` (nothing in the engine produces them, but a
//!   caller might) get evenly spaced characters with the line's confidence, so nothing panics
//!   and polygons stay within the line.

use crate::geometry::Quad;
use crate::ocr::{CharSpan, TextLine};

/// A run of a line's characters with no wide gap inside.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Seg {
    /// Index of the line in [`Page::lines`].
    pub line: usize,
    /// Index of the segment's first character in the line's `chars`.
    pub from: usize,
    pub chars: Vec<char>,
    pub conf: Vec<f32>,
    /// `[x0, y0, x1, y1]` in page pixels.
    pub bbox: [f32; 4],
}

impl Seg {
    pub fn height(&self) -> f32 {
        (self.bbox[3] - self.bbox[1]).max(1.0)
    }

    pub fn cy(&self) -> f32 {
        (self.bbox[1] + self.bbox[3]) / 2.0
    }

    pub fn text(&self) -> String {
        self.chars.iter().collect()
    }

    /// Whether the segment holds no letter or digit (a lone `:`).
    pub fn is_punctuation(&self) -> bool {
        !self.chars.iter().any(|c| c.is_alphanumeric())
    }
}

/// The lines of one page and their segments.
#[derive(Debug, Clone)]
pub(crate) struct Page {
    pub lines: Vec<TextLine>,
    pub segs: Vec<Seg>,
}

impl Page {
    /// Cuts `lines` into segments at gaps wider than `gap` times the line's height.
    pub fn new(lines: &[TextLine], gap: f32) -> Page {
        let lines: Vec<TextLine> = lines.iter().map(consistent).collect();
        let segs = lines
            .iter()
            .enumerate()
            .flat_map(|(i, line)| cut(i, line, gap))
            .collect();
        Page { lines, segs }
    }

    /// The quadrilateral of characters `from..to` of segment `s`.
    pub fn quad(&self, s: usize, from: usize, to: usize) -> Option<Quad> {
        let seg = self.segs.get(s)?;
        let line = self.lines.get(seg.line)?;
        line.span_polygon(seg.from + from, seg.from + to)
    }

    /// Whether two segments sit on one row: their boxes overlap vertically by at least half of
    /// the shorter one.
    pub fn same_row(&self, a: usize, b: usize) -> bool {
        let (a, b) = (&self.segs[a].bbox, &self.segs[b].bbox);
        let overlap = a[3].min(b[3]) - a[1].max(b[1]);
        let shorter = (a[3] - a[1]).min(b[3] - b[1]).max(1.0);
        overlap >= 0.5 * shorter
    }
}

/// The line itself if its `chars` spell its `text`, else a copy with evenly spaced characters.
fn consistent(line: &TextLine) -> TextLine {
    let spelled = line.chars.iter().map(|c| c.ch).eq(line.text.chars());
    if spelled {
        return line.clone();
    }
    let n = line.text.chars().count().max(1) as f32;
    let width = crate::geometry::dist(line.polygon[0], line.polygon[1]);
    let chars = line
        .text
        .chars()
        .enumerate()
        .map(|(i, ch)| CharSpan {
            ch,
            confidence: line.confidence,
            span: [width * i as f32 / n, width * (i + 1) as f32 / n],
            alt: None,
        })
        .collect();
    TextLine {
        chars,
        ..line.clone()
    }
}

/// Index ranges of the line's characters between wide gaps, trimmed of spaces.
fn runs(line: &TextLine, gap: f32) -> Vec<(usize, usize)> {
    let height = crate::geometry::dist(line.polygon[0], line.polygon[3]).max(1.0);
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut last: Option<usize> = None;
    for (i, c) in line.chars.iter().enumerate() {
        if c.ch.is_whitespace() {
            continue;
        }
        if let (Some(s), Some(l)) = (start, last)
            && c.span[0] - line.chars[l].span[1] > gap * height
        {
            out.push((s, l + 1));
            start = None;
        }
        start.get_or_insert(i);
        last = Some(i);
    }
    if let (Some(s), Some(l)) = (start, last) {
        out.push((s, l + 1));
    }
    out
}

fn cut(index: usize, line: &TextLine, gap: f32) -> Vec<Seg> {
    runs(line, gap)
        .into_iter()
        .filter_map(|(from, to)| {
            let quad = line.span_polygon(from, to)?;
            let xs = quad.map(|p| p[0]);
            let ys = quad.map(|p| p[1]);
            let min = |v: [f32; 4]| v.into_iter().fold(f32::INFINITY, f32::min);
            let max = |v: [f32; 4]| v.into_iter().fold(f32::NEG_INFINITY, f32::max);
            let chars = &line.chars[from..to];
            Some(Seg {
                line: index,
                from,
                chars: chars.iter().map(|c| c.ch).collect(),
                conf: chars.iter().map(|c| c.confidence).collect(),
                bbox: [min(xs), min(ys), max(xs), max(ys)],
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A line at `(x, y)` whose characters are 10 px wide, with spaces where `text` has them.
    fn line(text: &str, x: f32, y: f32) -> TextLine {
        let chars: Vec<CharSpan> = text
            .chars()
            .enumerate()
            .map(|(i, ch)| CharSpan {
                ch,
                confidence: 0.9,
                span: [i as f32 * 10.0, i as f32 * 10.0 + 8.0],
                alt: None,
            })
            .collect();
        let w = text.chars().count() as f32 * 10.0;
        TextLine {
            polygon: [[x, y], [x + w, y], [x + w, y + 20.0], [x, y + 20.0]],
            text: text.into(),
            confidence: 0.9,
            chars,
        }
    }

    #[test]
    fn lines_are_cut_at_wide_gaps_only() {
        let page = Page::new(&[line("Full Name :       JOHN DOE", 100.0, 50.0)], 1.5);
        let texts: Vec<String> = page.segs.iter().map(Seg::text).collect();
        assert_eq!(texts, ["Full Name :", "JOHN DOE"]);
        let [x0, y0, x1, y1] = page.segs[1].bbox;
        assert!(
            (x0 - 280.0).abs() < 1e-3 && (x1 - 358.0).abs() < 1e-3,
            "{x0} {x1}"
        );
        assert!((y0 - 50.0).abs() < 1e-3 && (y1 - 70.0).abs() < 1e-3);
        assert_eq!(page.segs[1].from, 18);
    }

    #[test]
    fn inconsistent_or_empty_lines_do_not_panic() {
        let mut odd = line("ABC", 0.0, 0.0);
        odd.text = "ABCDEF".into();
        let mut empty = line("", 0.0, 30.0);
        empty.chars.clear();
        let blank = line("   ", 0.0, 60.0);
        let page = Page::new(&[odd, empty, blank], 1.5);
        assert_eq!(page.segs.len(), 1);
        assert_eq!(page.segs[0].text(), "ABCDEF");
        assert!(page.quad(0, 0, 6).is_some());
        assert!(page.quad(0, 0, 60).is_none());
        assert!(page.quad(9, 0, 1).is_none());
    }
}
