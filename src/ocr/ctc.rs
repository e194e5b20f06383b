//! Greedy CTC decoding of the recogniser's output, and putting back the spaces it drops.
//!
//! The recogniser emits, per time step (8 pixels of a 48-pixel-high strip), a distribution over
//! `1 + dictionary + 1` classes: class 0 is the CTC blank, classes `1..=n` the dictionary, and the
//! last class the space. Greedy decoding takes the best class per step, merges repeats and drops
//! blanks; each character keeps the steps it was read at, and, for a letter or digit that a
//! code can hold either way (`O`/`0`, `I`/`1`, `S`/`5`, `B`/`8`, `Z`/`2`), the probability the
//! model gave its partner there.
//! Spaces the model missed are put back afterwards, by [`super::spaces`].

/// The recogniser's character set, in class order (class `i + 1` is `chars[i]`).
#[derive(Debug, Clone)]
pub struct Dictionary {
    entries: Vec<String>,
    /// For each class, the class of its confusable partner ([`partner`]), if in the dictionary.
    partners: Vec<Option<usize>>,
}

/// The letter-digit pairs whose glyphs a code's grammar cannot always tell apart.
pub const PAIRS: [(char, char); 5] = [('O', '0'), ('I', '1'), ('S', '5'), ('B', '8'), ('Z', '2')];

/// The other member of `c`'s pair, if `c` is in one.
pub fn partner(c: char) -> Option<char> {
    PAIRS.iter().find_map(|&(l, d)| match c {
        _ if c == l => Some(d),
        _ if c == d => Some(l),
        _ => None,
    })
}

impl Dictionary {
    /// Parses the model's `character` metadata: one entry per line.
    pub fn from_metadata(text: &str) -> Self {
        Self::new(
            text.split('\n')
                .map(|s| s.trim_end_matches('\r').to_owned())
                .collect(),
        )
    }

    fn new(entries: Vec<String>) -> Self {
        let class_of = |c: char| {
            entries
                .iter()
                .position(|e| e.chars().eq(std::iter::once(c)))
                .map(|i| i + 1)
        };
        let partners = std::iter::once(None)
            .chain(entries.iter().map(|e| {
                let mut chars = e.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => partner(c).and_then(class_of),
                    _ => None,
                }
            }))
            .chain(std::iter::once(None))
            .collect();
        Self { entries, partners }
    }

    /// Number of dictionary entries (the model has this plus 2 classes).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries `keep` accepts, as a dictionary of their own, and the model classes the new
    /// dictionary's classes are: the blank first, the kept entries in order, the space last.
    pub fn subset(&self, keep: impl Fn(&str) -> bool) -> (Dictionary, Vec<usize>) {
        let kept: Vec<usize> = (0..self.entries.len())
            .filter(|&i| keep(&self.entries[i]))
            .collect();
        let entries = kept.iter().map(|&i| self.entries[i].clone()).collect();
        let classes = std::iter::once(0)
            .chain(kept.iter().map(|&i| i + 1))
            .chain(std::iter::once(self.entries.len() + 1))
            .collect();
        (Dictionary::new(entries), classes)
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
    /// For a member of a letter-digit pair ([`PAIRS`]): its partner and the highest
    /// probability the model gave the partner at the character's steps.
    pub alt: Option<(char, f32)>,
}

/// Decodes `steps` rows of class probabilities (row-major, `classes` per row).
pub fn greedy_decode(probs: &[f32], classes: usize, dict: &Dictionary) -> Vec<DecodedChar> {
    let mut out: Vec<DecodedChar> = Vec::new();
    let mut prev = 0usize;
    let mut run_sum = 0.0f32;
    let mut run_len = 0usize;
    for (t, row) in probs.chunks_exact(classes.max(1)).enumerate() {
        let (best, p) = row
            .iter()
            .enumerate()
            .fold((0, f32::MIN), |a, (i, &v)| if v > a.1 { (i, v) } else { a });
        let alt = |best: usize| {
            let class = (*dict.partners.get(best)?)?;
            let ch = dict.class_text(class)?.chars().next()?;
            Some((ch, *row.get(class)?))
        };
        if best == prev && best != 0 {
            if let Some(last) = out.last_mut() {
                last.steps.1 = t;
                run_sum += p;
                run_len += 1;
                last.confidence = run_sum / run_len as f32;
                if let (Some((ch, a)), Some((_, q))) = (last.alt, alt(best)) {
                    last.alt = Some((ch, a.max(q)));
                }
            }
        } else if let Some(text) = dict.class_text(best) {
            for ch in text.chars().map(ascii_form) {
                out.push(DecodedChar {
                    ch,
                    confidence: p,
                    steps: (t, t),
                    alt: alt(best),
                });
            }
            run_sum = p;
            run_len = 1;
        }
        prev = best;
    }
    out
}

/// The ASCII form of full-width punctuation and letters (`：` for `:`), which the
/// Chinese-trained model sometimes prefers; a Latin document never prints them.
pub fn ascii_form(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        '\u{3002}' => '.',
        _ => c,
    }
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
        let text: String = greedy_decode(&probs, 5, &dict())
            .iter()
            .map(|c| c.ch)
            .collect();
        assert_eq!(text, "AAB C");
    }

    #[test]
    fn full_width_forms_become_ascii() {
        let dict = Dictionary::from_metadata("\u{FF1A}\nA\n\u{3002}");
        let probs = table(&[1, 0, 2, 3]);
        let text: String = greedy_decode(&probs, 5, &dict)
            .iter()
            .map(|c| c.ch)
            .collect();
        assert_eq!(text, ":A.");
    }

    #[test]
    fn a_pair_member_keeps_its_partners_best_probability() {
        let dict = Dictionary::from_metadata("O\n0\nA");
        // Three steps of `O` (class 1) with the zero (class 2) at 0.1, 0.3, 0.2; then `A`.
        let mut probs = Vec::new();
        for zero in [0.1, 0.3, 0.2] {
            probs.extend([0.0, 0.6, zero, 0.0, 0.0]);
        }
        probs.extend([0.0, 0.05, 0.05, 0.9, 0.0]);
        let d = greedy_decode(&probs, 5, &dict);
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].ch, 'O');
        let (ch, p) = d[0].alt.unwrap();
        assert_eq!(ch, '0');
        assert!((p - 0.3).abs() < 1e-6);
        assert_eq!(d[1].alt, None);
        // A subset keeps the pairs it holds.
        let (sub, _) = dict.subset(|e| e != "A");
        assert_eq!(sub.partners, vec![None, Some(2), Some(1), None]);
    }

    #[test]
    fn characters_keep_their_steps() {
        let probs = table(&[0, 1, 1, 0, 0, 3]);
        let d = greedy_decode(&probs, 5, &dict());
        assert_eq!(d[0].steps, (1, 2));
        assert_eq!(d[1].steps, (5, 5));
        assert!((d[0].confidence - 0.9).abs() < 1e-6);
    }
}
