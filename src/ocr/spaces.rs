//! Putting back the spaces the recogniser drops between Latin words.
//!
//! The Chinese-trained recogniser often reads `KANIM KELAS I` as `KANIMKELASI`. Two signals give a
//! missed space away:
//!
//! - **Ink**: on the strip itself, a word space is a run of blank columns about a third of the
//!   text's height wide; letters inside a word are a few pixels apart. This is the strong signal
//!   wherever the strip has clear contrast (print, scans, sharp photos). A blank run beside a
//!   letter with an open side (`A`, `T`, `V`, `Y`...) is measured short by the bearing that side
//!   lacks, so that bearing is added back first ([`open_sides`]).
//! - **Time steps**: characters inside a word are read every 3-4 steps at height 48 and a missed
//!   space shows as 5-6. Used where the ink signal is missing (a low-contrast strip), since the
//!   steps alone misplace spaces around narrow characters such as `.` and `I`.
//!
//! The thresholds were measured on rendered lines: the `space_gap_statistics` test in
//! `tests/ocr_lines.rs` prints both signals' distributions at true spaces and inside words.

use image::RgbImage;

use super::ctc::DecodedChar;

/// Thresholds of space recovery (see the module docs for how they were measured).
#[derive(Debug, Clone, PartialEq)]
pub struct SpaceParams {
    /// Off, the model's own spaces are all there is (for measuring the signals).
    pub enabled: bool,
    /// Blank runs (over text height) split into letter gaps and word gaps at the first jump
    /// between a line's sorted runs that is at least this wide...
    pub ink_jump: f32,
    /// ...and the run above it at least this wide (letter gaps reach 0.29 in proportional fonts);
    pub ink_floor: f32,
    /// A line without such a jump may still have a narrower one: JPEG compression blurs letter
    /// and word gaps toward each other (0.19 inside a word against 0.33 at a space, 0.26
    /// against 0.41). A jump of at least `weak_jump`, with the run above it at least
    /// `weak_ratio` times the one below, splits too, but a gap under `ink_fallback` then counts
    /// as a space only when the time steps agree (at least `weak_step_ratio` times the pitch):
    /// a monospaced font's wide letter gaps (`J L`, `2 - 0`) sit in the same range, but in
    /// even steps. Nor does a weak gap put a space beside a hyphen (`26-08-2013`, `LAKI-LAKI`).
    pub weak_jump: f32,
    /// See `weak_jump`.
    pub weak_ratio: f32,
    /// See `weak_jump`: steps 3-4 apart inside a word and 5-6 across a space at height 48.
    pub weak_step_ratio: f32,
    /// A line with no such jump (one word, or a monospaced font whose letters stand apart in
    /// their cells) takes this threshold. Monospaced letter gaps reach 0.47 but mostly sit next
    /// to punctuation, which never takes a space before it; proportional word gaps go down to
    /// 0.33, so 0.38 costs the fewest errors on the measured lines.
    pub ink_fallback: f32,
    /// Below this contrast (in grey levels between paper and ink) the ink signal is not trusted.
    pub min_contrast: f32,
    /// Step signal: a gap between character centres of at least `step_ratio` times the line's
    /// median pitch...
    pub step_ratio: f32,
    /// ...and at least this many steps more than that pitch is a missed space.
    pub step_extra: f32,
    /// Pitch assumed when a line has too few characters to measure its own.
    pub default_pitch: f32,
    /// How much of a letter's missing side bearing ([`open_sides`]) is added to a blank run
    /// beside it before the run is compared: 0 measures runs as they are.
    pub open_sides: f32,
}

impl Default for SpaceParams {
    fn default() -> Self {
        Self {
            enabled: true,
            ink_jump: 0.15,
            ink_floor: 0.3,
            weak_jump: 0.12,
            weak_ratio: 1.4,
            weak_step_ratio: 1.4,
            ink_fallback: 0.38,
            min_contrast: 60.0,
            step_ratio: 1.45,
            step_extra: 1.5,
            default_pitch: 3.5,
            open_sides: 1.0,
        }
    }
}

/// Which pixels of a strip (row by row) are ink: darker than half-way between its paper (the
/// 70th percentile of luma) and its ink (the 2nd percentile). `None` for an empty strip or one
/// whose paper and ink differ by less than `min_contrast`.
pub fn ink_mask(strip: &RgbImage, min_contrast: f32) -> Option<Vec<bool>> {
    if strip.width() == 0 || strip.height() == 0 {
        return None;
    }
    let luma: Vec<f32> = strip
        .pixels()
        .map(|p| 0.299 * p[0] as f32 + 0.587 * p[1] as f32 + 0.114 * p[2] as f32)
        .collect();
    let mut sorted = luma.clone();
    sorted.sort_by(f32::total_cmp);
    let paper = sorted[sorted.len() * 7 / 10];
    let ink = sorted[sorted.len() / 50];
    if paper - ink < min_contrast {
        return None;
    }
    let cut = (paper + ink) / 2.0;
    Some(luma.iter().map(|&l| l < cut).collect())
}

/// Which columns of a strip are blank, and how tall its text is.
#[derive(Debug, Clone, PartialEq)]
pub struct InkProfile {
    /// One entry per strip column: no ink in it.
    pub blank: Vec<bool>,
    /// Height of the inked rows, in strip pixels.
    pub text_height: f32,
}

impl InkProfile {
    /// Measures a strip; `None` where paper and ink are too close to tell apart.
    pub fn of(strip: &RgbImage, min_contrast: f32) -> Option<Self> {
        let (w, h) = (strip.width() as usize, strip.height() as usize);
        let inked = ink_mask(strip, min_contrast)?;
        let is_ink = |x: usize, y: usize| inked[y * w + x];
        let rows: Vec<usize> = (0..h)
            .filter(|&y| (0..w).filter(|&x| is_ink(x, y)).count() > 0)
            .collect();
        let (top, bottom) = (*rows.first()?, *rows.last()?);
        let blank = (0..w)
            .map(|x| !(top..=bottom).any(|y| is_ink(x, y)))
            .collect();
        Some(Self {
            blank,
            text_height: (bottom - top + 1) as f32,
        })
    }

    /// The longest run of blank columns between two strip positions, in pixels.
    pub fn widest_blank(&self, from: f32, to: f32) -> usize {
        let a = from.max(0.0) as usize;
        let b = (to.max(0.0) as usize).min(self.blank.len());
        let (mut best, mut run) = (0, 0);
        for &blank in self.blank.get(a..b).unwrap_or(&[]) {
            run = if blank { run + 1 } else { 0 };
            best = best.max(run);
        }
        best
    }
}

/// What the two signals say between two consecutive characters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GapSignals {
    /// Distance between the characters' centres in time steps.
    pub steps: f32,
    /// Widest blank run between their centres over the text height, if the strip has contrast.
    pub ink: Option<f32>,
}

/// The signals between each pair of consecutive characters (`chars.len() - 1` entries).
pub fn gap_signals(
    chars: &[DecodedChar],
    step_px: f32,
    profile: Option<&InkProfile>,
) -> Vec<GapSignals> {
    chars
        .windows(2)
        .map(|w| {
            let (a, b) = (center(&w[0]), center(&w[1]));
            let ink = profile
                .map(|p| p.widest_blank(a * step_px, b * step_px) as f32 / p.text_height.max(1.0));
            GapSignals { steps: b - a, ink }
        })
        .collect()
}

fn center(c: &DecodedChar) -> f32 {
    // Steps are cells: the character at steps (a, b) covers a..b+1.
    (c.steps.0 + c.steps.1 + 1) as f32 / 2.0
}

/// How much narrower than a stem's (`H`, `I`, `N`: about 0.1 of the text height) the blank beside
/// a letter's right and left side is, in text heights: `(letter, right, left)`. A column-blank run
/// only starts where the whole letter ends, so a diagonal or an overhang (`A`'s feet, `T`'s bar)
/// eats into it: a word space after `GRIYA` measures 0.27-0.30 of the text height while the gap
/// between `R` and `I` inside a word reaches 0.24. Fitted (gap = right(a) + left(b), least
/// squares) on the gaps inside words of rendered lines in the permit fonts (`SPACE_GAPS_CSV` of
/// the `space_gap_statistics` test in `tests/ocr_lines.rs`), rounded to 0.005.
const OPEN_SIDES: [(char, f32, f32); 11] = [
    ('A', 0.07, 0.08),
    ('T', 0.11, 0.11),
    ('V', 0.08, 0.09),
    ('W', 0.09, 0.085),
    ('Y', 0.08, 0.085),
    ('K', 0.07, 0.0),
    ('L', 0.05, 0.0),
    ('P', 0.06, 0.0),
    ('J', 0.0, 0.11),
    ('X', 0.05, 0.06),
    ('4', 0.06, 0.06),
];

/// The side bearings missing between `a` and the `b` after it (see [`OPEN_SIDES`]).
pub fn open_sides(a: char, b: char) -> f32 {
    let side = |c: char, right: bool| {
        OPEN_SIDES
            .iter()
            .find(|(l, _, _)| *l == c)
            .map_or(0.0, |(_, r, l)| if right { *r } else { *l })
    };
    side(a, true) + side(b, false)
}

/// Characters that never start a word.
const NO_SPACE_BEFORE: [char; 5] = ['.', ',', ':', ';', ')'];

/// Characters often followed by a gap far wider than a word space (`Name :    value`): kept
/// out of the statistics that place a line's threshold.
const WIDE_AFTER: [char; 1] = [':'];

/// Puts back missed spaces; keeps the ones the model emitted, drops doubled, leading and
/// trailing ones.
pub fn restore_spaces(
    chars: Vec<DecodedChar>,
    step_px: f32,
    profile: Option<&InkProfile>,
    p: &SpaceParams,
) -> Vec<DecodedChar> {
    let signals: Vec<GapSignals> = gap_signals(&chars, step_px, profile)
        .into_iter()
        .zip(chars.windows(2))
        .map(|(s, w)| GapSignals {
            ink: s
                .ink
                .map(|gap| gap + p.open_sides * open_sides(w[0].ch, w[1].ch)),
            ..s
        })
        .collect();
    let mut inner: Vec<f32> = chars
        .windows(2)
        .zip(&signals)
        .filter(|(w, _)| w[0].ch != ' ' && w[1].ch != ' ')
        .map(|(_, s)| s.steps)
        .collect();
    let pitch = if inner.len() >= 3 {
        median(&mut inner)
    } else {
        p.default_pitch
    };
    let step_threshold = (pitch * p.step_ratio).max(pitch + p.step_extra);
    let letter_pairs: Vec<GapSignals> = chars
        .windows(2)
        .zip(&signals)
        .filter(|(w, _)| {
            w[0].ch != ' '
                && w[1].ch != ' '
                && !NO_SPACE_BEFORE.contains(&w[1].ch)
                && !WIDE_AFTER.contains(&w[0].ch)
        })
        .map(|(_, s)| *s)
        .collect();
    let ink = ink_threshold(&letter_pairs, p);
    let confirmed_step = pitch * p.weak_step_ratio;
    let mut out: Vec<DecodedChar> = Vec::with_capacity(chars.len() + 4);
    for (i, c) in chars.into_iter().enumerate() {
        if let Some(prev) = out.last().filter(|prev| prev.ch != ' ' && c.ch != ' ') {
            let s = signals[i - 1];
            // Punctuation sits against the word before it (`NO.`, `JL.`); in a monospaced font
            // its cell is as blank as a space on both sides.
            let space = !NO_SPACE_BEFORE.contains(&c.ch)
                && match s.ink {
                    Some(gap) if ink.weak && gap < p.ink_fallback => {
                        gap >= ink.threshold
                            && s.steps >= confirmed_step
                            && prev.ch != '-'
                            && c.ch != '-'
                    }
                    Some(gap) => gap >= ink.threshold,
                    None => s.steps >= step_threshold,
                };
            if space {
                let confidence = prev.confidence.min(c.confidence);
                let step = prev.steps.1 + 1;
                out.push(DecodedChar {
                    ch: ' ',
                    confidence,
                    steps: (step, step.max(c.steps.0.saturating_sub(1))),
                    alt: None,
                });
            }
        }
        out.push(c);
    }
    out.dedup_by(|b, a| a.ch == ' ' && b.ch == ' ');
    while out.first().is_some_and(|c| c.ch == ' ') {
        out.remove(0);
    }
    while out.last().is_some_and(|c| c.ch == ' ') {
        out.pop();
    }
    out
}

/// Where a line's blank runs split into letter gaps and word gaps.
struct InkThreshold {
    threshold: f32,
    /// Found at a weak jump only: gaps under the fallback need the steps' agreement.
    weak: bool,
}

/// The blank run that separates words on this line: the middle of the first jump, going up
/// from the narrowest, between sorted runs (see [`SpaceParams`]). The first, not the widest:
/// a `:` before a value leaves a run far wider than any word space, and the widest jump would
/// then fall above the word spaces.
fn ink_threshold(signals: &[GapSignals], p: &SpaceParams) -> InkThreshold {
    let mut inks: Vec<f32> = signals.iter().filter_map(|s| s.ink).collect();
    inks.sort_by(f32::total_cmp);
    let middle = |w: &[f32]| ((w[0] + w[1]) / 2.0).max(p.ink_floor);
    let strong = inks
        .windows(2)
        .find(|w| w[1] >= p.ink_floor && w[1] - w[0] >= p.ink_jump);
    if let Some(w) = strong {
        return InkThreshold {
            threshold: middle(w),
            weak: false,
        };
    }
    let weak = inks
        .windows(2)
        .find(|w| w[1] >= p.ink_floor && w[1] - w[0] >= p.weak_jump && w[1] >= p.weak_ratio * w[0]);
    match weak {
        Some(w) => InkThreshold {
            threshold: middle(w),
            weak: true,
        },
        None => InkThreshold {
            threshold: p.ink_fallback,
            weak: false,
        },
    }
}

fn median(s: &mut [f32]) -> f32 {
    s.sort_by(f32::total_cmp);
    let m = s.len() / 2;
    if s.len().is_multiple_of(2) {
        (s[m - 1] + s[m]) / 2.0
    } else {
        s[m]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgb;

    fn at(ch: char, t: usize) -> DecodedChar {
        DecodedChar {
            ch,
            confidence: 0.9,
            steps: (t, t),
            alt: None,
        }
    }

    fn text(chars: &[DecodedChar]) -> String {
        chars.iter().map(|c| c.ch).collect()
    }

    #[test]
    fn without_ink_a_wide_step_gap_becomes_a_space() {
        let chars = vec![
            at('A', 0),
            at('B', 4),
            at('C', 8),
            at('A', 18),
            at('B', 22),
            at('C', 26),
        ];
        assert_eq!(
            text(&restore_spaces(chars, 8.0, None, &SpaceParams::default())),
            "ABC ABC"
        );
    }

    #[test]
    fn an_emitted_space_is_not_doubled() {
        let chars = vec![
            at('A', 0),
            at('B', 4),
            at('C', 8),
            at(' ', 13),
            at('A', 18),
            at('B', 22),
        ];
        assert_eq!(
            text(&restore_spaces(chars, 8.0, None, &SpaceParams::default())),
            "ABC AB"
        );
    }

    /// A strip with ink blocks 30 px tall at the given column ranges.
    fn strip(blocks: &[(u32, u32)]) -> RgbImage {
        RgbImage::from_fn(200, 48, |x, y| {
            let inked = (9..39).contains(&y) && blocks.iter().any(|&(a, b)| (a..b).contains(&x));
            if inked {
                Rgb([0, 0, 0])
            } else {
                Rgb([255, 255, 255])
            }
        })
    }

    #[test]
    fn ink_decides_where_it_is_clear() {
        // Blocks at 0-20, 24-44 (gap 4 px: same word), 60-80 (gap 16 px > 0.3 * 30: a space).
        let img = strip(&[(0, 20), (24, 44), (60, 80)]);
        let profile = InkProfile::of(&img, 60.0).expect("contrast");
        assert_eq!(profile.text_height, 30.0);
        // Steps of 8 px: centres at 10, 34, 70 px -> steps 1, 4, 8 (cells 0-1, 3-5, 8).
        let chars = vec![
            DecodedChar {
                ch: 'A',
                confidence: 0.9,
                steps: (0, 1),
                alt: None,
            },
            DecodedChar {
                ch: 'B',
                confidence: 0.9,
                steps: (3, 4),
                alt: None,
            },
            DecodedChar {
                ch: 'C',
                confidence: 0.9,
                steps: (8, 8),
                alt: None,
            },
        ];
        assert_eq!(
            text(&restore_spaces(
                chars,
                8.0,
                Some(&profile),
                &SpaceParams::default()
            )),
            "AB C"
        );
    }

    /// Blocks on a 30 px text height with letter gaps of 6 px (0.2) and a last gap of 10 px
    /// (0.33): a weak jump. The last character is read `last_step` steps (of 8 px) after the
    /// third; the others 3 steps apart.
    fn weak_line(last_step: usize) -> String {
        let img = strip(&[(0, 18), (24, 44), (50, 68), (78, 98)]);
        let profile = InkProfile::of(&img, 60.0).expect("contrast");
        // Letters with straight sides: their blank runs need no allowance.
        let chars = vec![at('H', 1), at('I', 4), at('N', 7), at('E', 7 + last_step)];
        text(&restore_spaces(
            chars,
            8.0,
            Some(&profile),
            &SpaceParams::default(),
        ))
    }

    #[test]
    fn a_weak_ink_jump_needs_the_steps_to_agree() {
        // In even steps (a monospaced font's wide letter gap): no space.
        assert_eq!(weak_line(3), "HINE");
        // Steps wider than the line's pitch: the missed space of blurred text.
        assert_eq!(weak_line(5), "HIN E");
    }

    /// `GRIYA ASRI` drawn as 16-px blocks on a 30-px text height, with the blank runs measured
    /// on a printed permit, in text heights: letter gaps up to 0.23 (`R`-`I`), `Y`-`A` kerned to
    /// 0.03, and the word space between the two `A`s' feet only 0.30. Read with `p`.
    fn griya_asri(p: &SpaceParams) -> String {
        let letters = ['G', 'R', 'I', 'Y', 'A', 'A', 'S', 'R', 'I'];
        let gaps = [0.2, 0.233, 0.2, 0.03, 0.3, 0.1, 0.2, 0.233];
        let mut blocks = Vec::new();
        let mut x = 2.0f32;
        for k in 0..letters.len() {
            blocks.push((x.round() as u32, (x + 16.0).round() as u32));
            x += 16.0 + gaps.get(k).copied().unwrap_or(0.0) * 30.0;
        }
        let img = strip(&blocks);
        let profile = InkProfile::of(&img, 60.0).expect("contrast");
        let chars = letters
            .iter()
            .zip(&blocks)
            .map(|(&ch, &(a, b))| at(ch, ((a + b) / 2 / 8) as usize))
            .collect();
        text(&restore_spaces(chars, 8.0, Some(&profile), p))
    }

    #[test]
    fn a_space_beside_open_letters_counts_their_missing_bearings() {
        assert_eq!(griya_asri(&SpaceParams::default()), "GRIYA ASRI");
        // Measured as they are, the blank runs give no jump between letter and word gaps.
        let bare = SpaceParams {
            open_sides: 0.0,
            ..SpaceParams::default()
        };
        assert_eq!(griya_asri(&bare), "GRIYAASRI");
        assert!((open_sides('A', 'A') - 0.15).abs() < 1e-6);
        assert_eq!(open_sides('R', 'I'), 0.0);
    }

    #[test]
    fn a_blank_strip_gives_no_ink_profile() {
        let img = RgbImage::from_pixel(50, 48, Rgb([200, 200, 200]));
        assert!(InkProfile::of(&img, 60.0).is_none());
    }
}
