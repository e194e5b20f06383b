//! Greedy CTC decoding of the recogniser's output, and putting back the spaces it drops.
//!
//! The recogniser emits, per time step (8 pixels of a 48-pixel-high strip), a distribution over
//! `1 + dictionary + 1` classes: class 0 is the CTC blank, classes `1..=n` the dictionary, and the
//! last class the space. Greedy decoding takes the best class per step, merges repeats and drops
//! blanks; each character keeps the steps it was read at.
//!
//! The Chinese-trained model often reads Latin words without the space between them. Characters
//! inside a word follow each other every 3-4 steps at height 48, and a missed space shows as a gap
//! of 5-6, so a gap well above the line's own pitch puts the space back.

/// The recogniser's character set, in class order (class `i + 1` is `chars[i]`).
#[derive(Debug, Clone)]
pub struct Dictionary {
    entries: Vec<String>,
}

impl Dictionary {
    /// Parses the model's `character` metadata: one entry per line.
    pub fn from_metadata(text: &str) -> Self {
        Self { entries: text.split('\n').map(|s| s.trim_end_matches('\r').to_owned()).collect() }
    }

    /// Number of dictionary entries (the model has this plus 2 classes).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The text of a class: `None` for the blank (and anything out of range), " " for the space.
    pub fn class_text(&self, class: usize) -> Option<&str> {
        match class {
            0 => None,
            c if c <= self.entries.len() => Some(&self.entries[c - 1]),
            c if c == self.entries.len() + 1 => Some(" "),
            _ => None,
        }
    }
}

/// One decoded character and where the model read it.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedChar {
    pub ch: char,
    /// The best class probability, averaged over the steps the character was read at.
    pub confidence: f32,
    /// First and last time step (inclusive) of the character.
    pub steps: (usize, usize),
}

impl DecodedChar {
    fn center(&self) -> f32 {
        (self.steps.0 + self.steps.1) as f32 / 2.0
    }
}

/// Decodes `steps` rows of class probabilities (row-major, `classes` per row).
pub fn greedy_decode(probs: &[f32], classes: usize, dict: &Dictionary) -> Vec<DecodedChar> {
    let mut out: Vec<DecodedChar> = Vec::new();
    let mut prev = 0usize;
    let mut run_sum = 0.0f32;
    let mut run_len = 0usize;
    for (t, row) in probs.chunks_exact(classes.max(1)).enumerate() {
        let (best, p) = row.iter().enumerate().fold((0, f32::MIN), |a, (i, &v)| if v > a.1 { (i, v) } else { a });
        if best == prev && best != 0 {
            if let Some(last) = out.last_mut() {
                last.steps.1 = t;
                run_sum += p;
                run_len += 1;
                last.confidence = run_sum / run_len as f32;
            }
        } else if let Some(text) = dict.class_text(best) {
            for ch in text.chars() {
                out.push(DecodedChar { ch, confidence: p, steps: (t, t) });
            }
            run_sum = p;
            run_len = 1;
        }
        prev = best;
    }
    out
}

/// Parameters of space recovery, measured on rendered lines (see the engine's tests).
#[derive(Debug, Clone, PartialEq)]
pub struct SpaceParams {
    /// A gap between character centres of at least `ratio` times the line's median pitch...
    pub ratio: f32,
    /// ...and at least this many steps more than that pitch is a missed space.
    pub min_extra: f32,
    /// Pitch assumed when a line has too few characters to measure its own.
    pub default_pitch: f32,
}

impl Default for SpaceParams {
    fn default() -> Self {
        Self { ratio: 1.45, min_extra: 1.5, default_pitch: 3.5 }
    }
}

/// Puts back spaces the model missed, from the gaps between character time steps.
pub fn restore_spaces(chars: Vec<DecodedChar>, p: &SpaceParams) -> Vec<DecodedChar> {
    let gaps: Vec<f32> = chars
        .windows(2)
        .filter(|w| w[0].ch != ' ' && w[1].ch != ' ')
        .map(|w| w[1].center() - w[0].center())
        .collect();
    let pitch = if gaps.len() >= 3 { median(&gaps) } else { p.default_pitch };
    let threshold = (pitch * p.ratio).max(pitch + p.min_extra);
    let mut out: Vec<DecodedChar> = Vec::with_capacity(chars.len() + 4);
    for c in chars {
        if let Some(prev) = out.last() {
            let gap = c.center() - prev.center();
            if prev.ch != ' ' && c.ch != ' ' && gap >= threshold {
                let confidence = prev.confidence.min(c.confidence);
                let step = prev.steps.1 + 1;
                out.push(DecodedChar { ch: ' ', confidence, steps: (step, step.max(c.steps.0.saturating_sub(1))) });
            }
        }
        out.push(c);
    }
    // Spaces only between words: none leading, trailing or doubled.
    out.dedup_by(|b, a| a.ch == ' ' && b.ch == ' ');
    while out.first().is_some_and(|c| c.ch == ' ') {
        out.remove(0);
    }
    while out.last().is_some_and(|c| c.ch == ' ') {
        out.pop();
    }
    out
}

fn median(v: &[f32]) -> f32 {
    let mut s = v.to_vec();
    s.sort_by(f32::total_cmp);
    let m = s.len() / 2;
    if s.len() % 2 == 0 { (s[m - 1] + s[m]) / 2.0 } else { s[m] }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dict() -> Dictionary {
        Dictionary::from_metadata("A\nB\nC")
    }

    /// A probability table with one row per step: the class given gets 0.9.
    fn table(classes: &[usize]) -> Vec<f32> {
        classes
            .iter()
            .flat_map(|&c| (0..5).map(move |i| if i == c { 0.9 } else { 0.025 }))
            .collect()
    }

    #[test]
    fn blanks_split_repeats_and_the_last_class_is_a_space() {
        // A, A (a repeat: one A), blank, A (a new A), B, space, C.
        let probs = table(&[1, 1, 0, 1, 2, 4, 3]);
        let text: String = greedy_decode(&probs, 5, &dict()).iter().map(|c| c.ch).collect();
        assert_eq!(text, "AAB C");
    }

    #[test]
    fn characters_keep_their_steps() {
        let probs = table(&[0, 1, 1, 0, 0, 3]);
        let d = greedy_decode(&probs, 5, &dict());
        assert_eq!(d[0].steps, (1, 2));
        assert_eq!(d[1].steps, (5, 5));
        assert!((d[0].confidence - 0.9).abs() < 1e-6);
    }

    #[test]
    fn a_wide_gap_becomes_a_space_and_a_normal_one_does_not() {
        let at = |ch: char, t: usize| DecodedChar { ch, confidence: 0.9, steps: (t, t) };
        // Pitch 4 inside words, 10 across the missing space.
        let chars = vec![at('A', 0), at('B', 4), at('C', 8), at('A', 18), at('B', 22), at('C', 26)];
        let text: String = restore_spaces(chars, &SpaceParams::default()).iter().map(|c| c.ch).collect();
        assert_eq!(text, "ABC ABC");
    }

    #[test]
    fn an_emitted_space_is_not_doubled() {
        let at = |ch: char, t: usize| DecodedChar { ch, confidence: 0.9, steps: (t, t) };
        let chars = vec![at('A', 0), at('B', 4), at('C', 8), at(' ', 13), at('A', 18), at('B', 22)];
        let text: String = restore_spaces(chars, &SpaceParams::default()).iter().map(|c| c.ch).collect();
        assert_eq!(text, "ABC AB");
    }
}
