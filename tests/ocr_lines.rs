//! The engine reads rendered lines exactly, spaces included.
//!
//! 200 lines of the shapes a permit prints (upper-case names, dates, codes, addresses) are drawn
//! with real fonts at 14-40 px, upright, upside down, or tilted by a few degrees, and read through
//! every stage (detect, classify, recognize). At least 95% must come back exactly.

mod common;

use image::{Rgb, RgbImage};
use kitascan::ocr::PageOrientation;
use kitascan::synth::{FontFace, Fonts, LineKind, render_line, rotate, sample_line};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

const LINES: usize = 200;
const INK: Rgb<u8> = Rgb([20, 20, 25]);
const PAPER: Rgb<u8> = Rgb([250, 250, 245]);

/// Line `i` of a generated set: its text (the kinds in turn), face, size and upright image.
fn sample(rng: &mut StdRng, fonts: &Fonts, i: usize) -> (String, FontFace, f32, RgbImage) {
    let text = sample_line(rng, LineKind::ALL[i % LineKind::ALL.len()]);
    let face = FontFace::ALL[rng.random_range(0..FontFace::ALL.len())];
    let px = rng.random_range(14..=40) as f32;
    let img = render_line(
        &text,
        fonts.get(face),
        px,
        (px * 0.8) as u32 + 8,
        INK,
        PAPER,
    );
    (text, face, px, img)
}

#[test]
fn rendered_lines_read_back_exactly() {
    let engine = common::engine();
    let fonts = Fonts::load().expect("fonts installed (make test installs them)");
    let mut rng = StdRng::seed_from_u64(2024);
    let mut misses = Vec::new();
    for i in 0..LINES {
        let (text, face, px, line) = sample(&mut rng, &fonts, i);
        let angle = match rng.random_range(0..4) {
            0 | 1 => 0.0,
            2 => 180.0,
            _ => rng.random_range(1.0f32..4.0) * if rng.random_bool(0.5) { 1.0 } else { -1.0 },
        };
        let img = rotate(&line, angle, PAPER);
        let read = engine
            .read(&img, PageOrientation::Unknown)
            .expect("engine runs");
        let got = read
            .iter()
            .map(|l| l.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        if got != text {
            misses.push(format!(
                "{face:?} {px}px {angle:+.1}deg: want {text:?} got {got:?}"
            ));
        }
    }
    let rate = 1.0 - misses.len() as f64 / LINES as f64;
    println!(
        "exact line rate: {:.1}% ({} of {LINES})",
        rate * 100.0,
        LINES - misses.len()
    );
    for m in &misses {
        println!("  miss: {m}");
    }
    assert!(
        rate >= 0.95,
        "exact line rate {:.1}% is under 95%",
        rate * 100.0
    );
}

/// Measures the two space signals on rendered lines: prints, for gaps that are true spaces and
/// gaps inside words, the quantiles of the blank run over text height (ink) and of the step
/// distance over the line's median pitch. `SpaceParams`' thresholds come from this table.
#[test]
#[ignore = "a measurement: run with --ignored --nocapture"]
fn space_gap_statistics() {
    use kitascan::ocr::spaces::{InkProfile, gap_signals};
    let mut engine = common::engine();
    engine.recognizer.params.spaces.enabled = false;
    let fonts = Fonts::load().expect("fonts");
    let mut rng = StdRng::seed_from_u64(99);
    let (mut at_space, mut in_word) = (Vec::new(), Vec::new());
    let mut lines = Vec::new();
    for i in 0..400 {
        let (text, face, px, img) = sample(&mut rng, &fonts, i);
        let boxes = engine.detect(&img).expect("detect").boxes;
        if boxes.len() != 1 {
            continue;
        }
        let (_, strips) = engine.strips(&img, &boxes);
        let r = engine.recognize(&strips).expect("recognize").remove(0);
        let chars: Vec<_> = r.chars.into_iter().filter(|c| c.ch != ' ').collect();
        let truth: Vec<char> = text.chars().collect();
        let bare: String = truth.iter().filter(|c| **c != ' ').collect();
        if chars.iter().map(|c| c.ch).collect::<String>() != bare {
            continue;
        }
        let profile = InkProfile::of(&strips[0], 60.0);
        let signals = gap_signals(&chars, r.step_px, profile.as_ref());
        let mut steps: Vec<f32> = signals.iter().map(|s| s.steps).collect();
        steps.sort_by(f32::total_cmp);
        let pitch = steps.get(steps.len() / 2).copied().unwrap_or(3.5);
        let mut inks: Vec<f32> = signals.iter().filter_map(|s| s.ink).collect();
        inks.sort_by(f32::total_cmp);
        let line_median = inks.get(inks.len() / 2).copied().unwrap_or(0.0);
        let mut labelled = Vec::new();
        // Walk the truth: a space follows truth char k when truth[k + 1] is a space.
        let mut k = 0;
        for (j, s) in signals.into_iter().enumerate() {
            let space = truth.get(k + 1) == Some(&' ');
            let row = (s.ink.unwrap_or(-1.0), s.steps / pitch, face, px);
            labelled.push((s.ink.unwrap_or(0.0), space));
            if let Ok(path) = std::env::var("SPACE_GAPS_CSV") {
                use std::io::Write;
                let mut f = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .expect("csv");
                writeln!(
                    f,
                    "{i},{:.4},{:.4},{},{face:?},{px},{},{}",
                    s.ink.unwrap_or(-1.0),
                    s.steps / pitch,
                    u8::from(space),
                    chars[j].ch,
                    chars[j + 1].ch
                )
                .expect("csv");
            }
            if space {
                at_space.push(row)
            } else {
                in_word.push(row)
            }
            k += if space { 2 } else { 1 };
        }
        lines.push((line_median, labelled));
    }
    // Errors of the rule "space iff ink >= max(t, k * line median)" over a grid.
    let mut grid = Vec::new();
    for t in (25..=50).step_by(2).map(|v| v as f32 / 100.0) {
        for k in (10..=40).step_by(2).map(|v| v as f32 / 10.0) {
            let errors: usize = lines
                .iter()
                .flat_map(|(m, gaps)| {
                    gaps.iter()
                        .map(move |(ink, space)| (*ink >= t.max(k * m)) != *space)
                })
                .filter(|e| *e)
                .count();
            grid.push((errors, t, k));
        }
    }
    grid.sort_by(|a, b| a.0.cmp(&b.0).then(a.2.total_cmp(&b.2)));
    for (errors, t, k) in grid.iter().take(12) {
        println!("rule t={t:.2} k={k:.1}: {errors} wrong gaps");
    }
    for (name, rows) in [("at spaces", &mut at_space), ("inside words", &mut in_word)] {
        rows.sort_by(|a, b| a.0.total_cmp(&b.0));
        let q = |f: f64| rows[((rows.len() - 1) as f64 * f) as usize];
        println!("{name}: {} gaps", rows.len());
        for f in [0.0, 0.01, 0.05, 0.5, 0.95, 0.99, 1.0] {
            let r = q(f);
            println!("  ink q{:<4} {:.3}  ({:?} {}px)", f, r.0, r.2, r.3);
        }
        let mut by_steps: Vec<f32> = rows.iter().map(|r| r.1).collect();
        by_steps.sort_by(f32::total_cmp);
        let qs = |f: f64| by_steps[((by_steps.len() - 1) as f64 * f) as usize];
        for r in rows.iter().filter(|r| r.0 > 0.28 && r.0 < 0.5) {
            println!(
                "    {name} close call: ink {:.3} steps/pitch {:.2} {:?} {}px",
                r.0, r.1, r.2, r.3
            );
        }
        println!(
            "  steps/pitch q0 {:.2} q5 {:.2} q50 {:.2} q95 {:.2} q100 {:.2}",
            qs(0.0),
            qs(0.05),
            qs(0.5),
            qs(0.95),
            qs(1.0)
        );
    }
}
