//! The engine reads rendered lines exactly, spaces included.
//!
//! 200 lines of the shapes a permit prints (upper-case names, dates, codes, addresses) are drawn
//! with real fonts at 14-40 px, upright, upside down, or tilted by a few degrees, and read through
//! every stage (detect, classify, recognize). At least 95% must come back exactly.

mod common;

use image::Rgb;
use kitascan::ocr::PageOrientation;
use kitascan::synth::{FontFace, Fonts, LineKind, render_line, rotate, sample_line};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

const LINES: usize = 200;

#[test]
fn rendered_lines_read_back_exactly() {
    let engine = common::engine();
    let fonts = Fonts::load().expect("fonts installed (make test installs them)");
    let mut rng = StdRng::seed_from_u64(2024);
    let (ink, paper) = (Rgb([20, 20, 25]), Rgb([250, 250, 245]));
    let mut misses = Vec::new();
    for i in 0..LINES {
        let kind = LineKind::ALL[i % LineKind::ALL.len()];
        let text = sample_line(&mut rng, kind);
        let face = FontFace::ALL[rng.random_range(0..FontFace::ALL.len())];
        let px = rng.random_range(14..=40) as f32;
        let angle = match rng.random_range(0..4) {
            0 | 1 => 0.0,
            2 => 180.0,
            _ => rng.random_range(1.0f32..4.0) * if rng.random_bool(0.5) { 1.0 } else { -1.0 },
        };
        let line = render_line(&text, fonts.get(face), px, (px * 0.8) as u32 + 8, ink, paper);
        let img = rotate(&line, angle, paper);
        let read = engine.read(&img, PageOrientation::Unknown).expect("engine runs");
        let got = read.iter().map(|l| l.text.as_str()).collect::<Vec<_>>().join(" ");
        if got != text {
            misses.push(format!("{face:?} {px}px {angle:+.1}deg: want {text:?} got {got:?}"));
        }
    }
    let rate = 1.0 - misses.len() as f64 / LINES as f64;
    println!("exact line rate: {:.1}% ({} of {LINES})", rate * 100.0, LINES - misses.len());
    for m in &misses {
        println!("  miss: {m}");
    }
    assert!(rate >= 0.95, "exact line rate {:.1}% is under 95%", rate * 100.0);
}
