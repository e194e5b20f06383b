//! `kitascan bench ...`: timing of the engine's stages on generated documents.
//!
//! Every number printed here comes from documents the project generates itself (fake identities),
//! so anyone can reproduce it with the same command and seed.

mod accuracy;
mod gate;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Result;
use clap::Subcommand;
use image::RgbImage;
use rand::SeedableRng;
use rand::rngs::StdRng;

use accuracy::SetChoice;
use kitascan::ocr::{Engine, PageOrientation};
use kitascan::synth::Split;
use kitascan::synth::{CameraParams, Fonts, photograph, sample_page};

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Time detection, classification and recognition per image and per line on generated
    /// permit-style pages: clean scans and camera photos of them.
    Ocr {
        /// Pages of each kind (scan, photo).
        #[arg(long, default_value_t = 4)]
        pages: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Field-level exact-match accuracy of the whole reader on a generated set of permits and
    /// non-permits in every capture condition (scan, vector PDF, image PDF, camera).
    Accuracy {
        /// Documents in the set.
        #[arg(long, default_value_t = 200)]
        n: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Where the set is written (kept and reused when it is already there).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// How many misses to list.
        #[arg(long, default_value_t = 60)]
        misses: usize,
        /// Read the held-out layout families' set instead (synth::family; default dir
        /// target/bench-accuracy-held-out-<seed>-<n>).
        #[arg(long, conflicts_with = "tuning")]
        held_out: bool,
        /// Read the tuning layout families' set instead (default dir
        /// target/bench-accuracy-tuning-<seed>-<n>).
        #[arg(long)]
        tuning: bool,
        /// For tuning the field finder only: keep each document's OCR lines and upright pages
        /// in this folder and, when they are there, read the fields from them instead of
        /// running locate and OCR again. Stale once locate or OCR change: delete it then.
        #[arg(long)]
        ocr_cache: Option<PathBuf>,
    },
    /// The kiosk gate's cost per camera frame, and the time from a document lying still to its
    /// reading being stored, per tray condition (scenes kept in target/bench-gate/).
    Gate {
        #[arg(long, default_value_t = 1280)]
        width: u32,
        #[arg(long, default_value_t = 720)]
        height: u32,
        /// Frame rate of the real-time replay.
        #[arg(long, default_value_t = 10.0)]
        fps: f32,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// `all`, or tray conditions separated by commas (see README.md).
        #[arg(long, default_value = "all")]
        conditions: String,
        /// Print every frame's verdict and measures.
        #[arg(long)]
        frames: bool,
        /// The gate only: no real-time run of the daemon.
        #[arg(long)]
        gate_only: bool,
    },
}

pub fn run(engine: std::sync::Arc<Engine>, what: BenchCommand) -> Result<()> {
    let engine_ref: &Engine = &engine;
    match what {
        BenchCommand::Gate {
            width,
            height,
            fps,
            seed,
            conditions,
            frames,
            gate_only,
        } => gate::run(
            engine.clone(),
            gate::Options {
                width,
                height,
                fps,
                seed,
                conditions: gate::conditions(&conditions)?,
                frames,
                gate_only,
            },
        ),
        BenchCommand::Ocr { pages, seed } => bench_ocr(engine_ref, pages, seed),
        BenchCommand::Accuracy {
            n,
            seed,
            dir,
            misses,
            held_out,
            tuning,
            ocr_cache,
        } => {
            let choice = match (held_out, tuning) {
                (true, _) => SetChoice::Families(Split::HeldOut),
                (false, true) => SetChoice::Families(Split::Tuning),
                (false, false) => SetChoice::Classic,
            };
            let stem = match choice {
                SetChoice::Classic => "target/bench-accuracy".to_string(),
                SetChoice::Families(split) => format!("target/bench-accuracy-{}", split.name()),
            };
            let dir = dir.unwrap_or_else(|| PathBuf::from(format!("{stem}-{seed}-{n}")));
            accuracy::run(
                engine_ref,
                &dir,
                (n, seed),
                misses,
                choice,
                ocr_cache.as_deref(),
            )
        }
    }
}

struct Timing {
    kind: &'static str,
    size: (u32, u32),
    detect: Duration,
    classify: Duration,
    recognize: Duration,
    lines: usize,
}

fn bench_ocr(engine: &Engine, pages: usize, seed: u64) -> Result<()> {
    let fonts = Fonts::load()?;
    let mut rng = StdRng::seed_from_u64(seed);
    let mut images: Vec<(&'static str, RgbImage)> = Vec::new();
    for _ in 0..pages {
        let (page, _) = sample_page(&mut rng, &fonts);
        let mut params = CameraParams::sample(&mut rng, 1920, 1080);
        params.rotation_deg = params.rotation_deg.rem_euclid(90.0).min(8.0);
        let (photo, _) = photograph(&page, &params, &mut rng)?;
        images.push(("scan", page));
        images.push(("photo", photo));
    }
    eprintln!(
        "kitascan bench ocr: {} generated images, seed {seed}, {} OCR thread(s)",
        images.len(),
        kitascan::ocr::threads()
    );
    let first = Instant::now();
    engine.read(&images[0].1, PageOrientation::Unknown)?;
    let cold = first.elapsed();

    let mut rows = Vec::new();
    for (kind, img) in &images {
        rows.push(time_stages(engine, kind, img)?);
    }
    println!(
        "| image | size | detect ms | classify ms | recognize ms | lines | recognize ms/line |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|");
    for r in &rows {
        println!(
            "| {} | {}x{} | {:.0} | {:.0} | {:.0} | {} | {:.1} |",
            r.kind,
            r.size.0,
            r.size.1,
            ms(r.detect),
            ms(r.classify),
            ms(r.recognize),
            r.lines,
            ms(r.recognize) / r.lines.max(1) as f64
        );
    }
    for kind in ["scan", "photo"] {
        let of: Vec<&Timing> = rows.iter().filter(|r| r.kind == kind).collect();
        let det = median(of.iter().map(|r| ms(r.detect)).collect());
        let per_line = median(
            of.iter()
                .map(|r| ms(r.recognize) / r.lines.max(1) as f64)
                .collect(),
        );
        let total = median(
            of.iter()
                .map(|r| ms(r.detect + r.classify + r.recognize))
                .collect(),
        );
        println!(
            "\n{kind}: median detect {det:.0} ms/image, recognize {per_line:.1} ms/line, all stages {total:.0} ms/image"
        );
    }
    println!("first image including plan compilation: {:.0} ms", ms(cold));
    Ok(())
}

fn time_stages(engine: &Engine, kind: &'static str, img: &RgbImage) -> Result<Timing> {
    let t = Instant::now();
    let detection = engine.detect(img)?;
    let detect = t.elapsed();
    let (_, strips) = engine.strips(img, &detection.boxes);
    let t = Instant::now();
    engine.classify(&strips)?;
    let classify = t.elapsed();
    let t = Instant::now();
    let readings = engine.recognize(&strips)?;
    let recognize = t.elapsed();
    let lines = readings.iter().filter(|r| !r.text.is_empty()).count();
    Ok(Timing {
        kind,
        size: img.dimensions(),
        detect,
        classify,
        recognize,
        lines,
    })
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}
