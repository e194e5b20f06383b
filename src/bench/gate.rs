//! `kitascan bench gate`: what the daemon's gate costs per frame, and how long a person waits
//! from laying a permit still to its reading being stored.
//!
//! 1. Gate cost: a generated tray scene (fake identities) at the camera's resolution is judged
//!    frame by frame on one thread; every frame is timed ([`Gate::observe`]).
//! 2. Still to stored: the same scene replayed in real time at the given frame rate through the
//!    whole daemon (gate, reader, SQLite store in a temporary folder); for each document, from its
//!    first still frame's due time to the moment its reading was stored.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use kitascan::api::AppState;
use kitascan::capture::replay::{Replay, frame_files};
use kitascan::capture::{Frame, FrameSource};
use kitascan::clock::SystemClock;
use kitascan::config::Config;
use kitascan::daemon::{Daemon, DaemonParams, Timing};
use kitascan::gate::{Gate, GateParams};
use kitascan::led::NoLed;
use kitascan::ocr::Engine;
use kitascan::store::Store;
use kitascan::synth::DocKind;
use kitascan::synth::tray::{Act, Phase, Scene, write_scene};

fn script() -> Vec<Act> {
    let place = |kind| Act::Place {
        kind,
        slide: 4,
        still: 20,
        defocus: 0.5,
    };
    vec![
        Act::Empty(10),
        place(DocKind::KitasCard),
        Act::Empty(30),
        place(DocKind::Eitas2024),
        Act::Empty(30),
        place(DocKind::KitapCard),
        Act::Empty(10),
    ]
}

fn scene(dir: &Path, width: u32, height: u32, seed: u64) -> Result<Scene> {
    if dir.join("scene.json").is_file() {
        return Scene::load(dir).context("reading the scene");
    }
    eprintln!(
        "bench gate: writing a {width}x{height} tray scene to {}",
        dir.display()
    );
    Ok(write_scene(dir, &script(), width, height, seed)?)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

pub fn run(engine: Arc<Engine>, width: u32, height: u32, fps: f32, seed: u64) -> Result<()> {
    let dir = PathBuf::from(format!("target/bench-gate-{width}x{height}-{seed}"));
    let scene = scene(&dir, width, height, seed)?;

    // 1. The gate alone, frame by frame, frames decoded beforehand.
    let frames: Vec<Frame> = frame_files(&dir)?
        .iter()
        .enumerate()
        .map(|(i, p)| -> Result<Frame> {
            Ok(Frame {
                image: Arc::new(image::open(p)?.to_rgb8()),
                at: Duration::from_secs_f32(i as f32 / fps),
                seq: i as u64,
            })
        })
        .collect::<Result<_>>()?;
    let mut gate = Gate::new(GateParams::default());
    let mut costs: Vec<(Phase, Duration)> = Vec::new();
    let mut reads = 0;
    for (f, info) in frames.iter().zip(&scene.frames) {
        let t = Instant::now();
        let verdict = gate.observe(f);
        costs.push((info.phase, t.elapsed()));
        if matches!(verdict, kitascan::gate::Verdict::Read(_)) {
            reads += 1;
        }
        let m = gate.measures();
        tracing::debug!(
            frame = f.seq,
            phase = ?info.phase,
            verdict = ?verdict,
            coverage = m.coverage,
            focus = m.focus,
            glare = m.glare,
            "gate"
        );
    }
    println!(
        "gate cost per {width}x{height} frame ({} frames, one thread; {reads} reads triggered):",
        costs.len()
    );
    println!("| frames | n | median ms | p95 ms | max ms |");
    println!("|---|---|---|---|---|");
    for (name, phases) in [
        ("all", &[Phase::Empty, Phase::Moving, Phase::Still][..]),
        ("empty tray", &[Phase::Empty][..]),
        ("document moving", &[Phase::Moving][..]),
        ("document still", &[Phase::Still][..]),
    ] {
        let mut d: Vec<Duration> = costs
            .iter()
            .filter(|(p, _)| phases.contains(p))
            .map(|(_, d)| *d)
            .collect();
        if d.is_empty() {
            continue;
        }
        d.sort();
        println!(
            "| {name} | {} | {:.2} | {:.2} | {:.2} |",
            d.len(),
            ms(percentile(&d, 0.5)),
            ms(percentile(&d, 0.95)),
            ms(*d.last().unwrap_or(&Duration::ZERO)),
        );
    }

    // 2. The whole daemon in real time: still to stored.
    let db = dir.join("bench.db");
    for stale in ["bench.db", "bench.db-wal", "bench.db-shm"] {
        let _ = std::fs::remove_file(dir.join(stale));
    }
    let store = Arc::new(Store::open(&db)?);
    let runtime = tokio::runtime::Runtime::new()?;
    let api = AppState::new(Config::built_in()?, store, engine.clone());
    let clock = Arc::new(SystemClock::new());
    let mut source = Replay::new(&dir, fps, false, clock.clone())?;
    source.open()?;
    let mut daemon = Daemon::new(
        DaemonParams {
            timing: Timing::RealTime,
            ..DaemonParams::default()
        },
        api,
        runtime.handle().clone(),
        engine,
        Box::new(NoLed),
        clock,
    );
    let stats = daemon.run(&mut source);
    println!();
    println!("still to stored, replayed in real time at {fps} fps:");
    println!("| document | first still frame s | read frame | stored s | still to stored s |");
    println!("|---|---|---|---|---|");
    for (i, ((seq, _), done)) in stats.reads.iter().zip(&stats.finished).enumerate() {
        let placement = scene.frames[*seq as usize].placement;
        let first_still = scene
            .frames
            .iter()
            .position(|f| f.phase == Phase::Still && f.placement == placement)
            .unwrap_or(*seq as usize);
        let still_at = first_still as f64 / f64::from(fps);
        let kind = placement.map_or("?", |p| scene.placements[p].kind.as_str());
        println!(
            "| {} {kind} | {still_at:.2} | {seq} | {:.2} | {:.2} |",
            i + 1,
            done.as_secs_f64(),
            done.as_secs_f64() - still_at
        );
    }
    println!(
        "frames played {}, judged while reading {}, outcomes {:?}",
        stats.frames,
        stats.while_reading,
        daemon.outcomes().len()
    );
    Ok(())
}
