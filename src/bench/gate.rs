//! `kitascan bench gate`: per tray condition ([`Condition`]: light, trays, hands, glare, a
//! document half outside, two documents, a phone, a frozen camera, ...), what the gate makes of
//! it, what it costs per frame, and how long a person waits from laying a permit still to its
//! reading being stored.
//!
//! 1. Gate: the condition's generated scene (fake identities, kept in `target/bench-gate/`) is
//!    judged frame by frame on one thread; every [`Gate::observe`] is timed, the readings it
//!    triggers and the refusal reasons it gives are counted against the condition's
//!    expectation.
//! 2. Still to stored: for a condition that must be read, the scene is replayed in real time at
//!    the given frame rate through the whole daemon (gate, reader, SQLite store in the scene's
//!    folder); from the read document's coming to rest to its reading being stored.

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
use kitascan::gate::{Gate, GateParams, Verdict};
use kitascan::led::NoLed;
use kitascan::ocr::Engine;
use kitascan::store::Store;
use kitascan::synth::conditions::{Condition, write_condition};
use kitascan::synth::tray::{Phase, Scene};

/// The conditions named by `--conditions`: `all`, or names separated by commas.
pub fn conditions(names: &str) -> Result<Vec<Condition>> {
    if names == "all" {
        return Ok(Condition::ALL.to_vec());
    }
    names
        .split(',')
        .map(|n| {
            Condition::from_name(n.trim())
                .with_context(|| format!("`{n}` is not a tray condition (see README.md)"))
        })
        .collect()
}

fn scene(dir: &Path, condition: Condition, width: u32, height: u32, seed: u64) -> Result<Scene> {
    if dir.join("scene.json").is_file() {
        return Scene::load(dir).context("reading the scene");
    }
    eprintln!(
        "bench gate: writing the tray condition {} to {}",
        condition.name(),
        dir.display()
    );
    Ok(write_condition(dir, condition, width, height, seed)?)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// What the gate alone made of one condition's scene.
struct Judged {
    costs: Vec<(Phase, Duration)>,
    reads: usize,
    /// Refusal reasons shown, in order of first appearance (`camera_frozen` for a frozen camera).
    reasons: Vec<&'static str>,
}

fn judge(dir: &Path, scene: &Scene, fps: f32, frames_log: bool, name: &str) -> Result<Judged> {
    let frames: Vec<Frame> = frame_files(dir)?
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
    let mut judged = Judged {
        costs: Vec::new(),
        reads: 0,
        reasons: Vec::new(),
    };
    for (f, info) in frames.iter().zip(&scene.frames) {
        let t = Instant::now();
        let verdict = gate.observe(f);
        judged.costs.push((info.phase, t.elapsed()));
        let reason = match &verdict {
            Verdict::Read(_) => {
                judged.reads += 1;
                None
            }
            Verdict::HoldStill(r) => Some(r.as_str()),
            Verdict::Frozen => Some("camera_frozen"),
            _ => None,
        };
        if let Some(r) = reason
            && !judged.reasons.contains(&r)
        {
            judged.reasons.push(r);
        }
        if frames_log {
            let m = gate.measures();
            println!(
                "{name} frame {:>3} {:<7} {:<28} coverage {:.3} focus {:.2} glare {:.3} contrast {:.0} paper {:.0} brightness {:.0} shift {:.1}",
                f.seq,
                format!("{:?}", info.phase),
                format!("{verdict:?}"),
                m.coverage,
                m.focus,
                m.glare,
                m.contrast,
                m.paper,
                m.brightness,
                m.shift
            );
        }
    }
    Ok(judged)
}

/// The whole daemon over the scene in real time: seconds from the read placement's first
/// still frame to its reading stored, if it was read.
fn still_to_stored(
    engine: &Arc<Engine>,
    dir: &Path,
    scene: &Scene,
    fps: f32,
) -> Result<Option<f64>> {
    let db = dir.join("bench.db");
    for stale in ["bench.db", "bench.db-wal", "bench.db-shm"] {
        let _ = std::fs::remove_file(dir.join(stale));
    }
    let store = Arc::new(Store::open(&db)?);
    let runtime = tokio::runtime::Runtime::new()?;
    let api = AppState::new(Config::built_in()?, store, engine.clone());
    let clock = Arc::new(SystemClock::new());
    let mut source = Replay::new(dir, fps, false, clock.clone())?;
    source.open()?;
    let mut daemon = Daemon::new(
        DaemonParams {
            timing: Timing::RealTime,
            ..DaemonParams::default()
        },
        api,
        runtime.handle().clone(),
        engine.clone(),
        Box::new(NoLed),
        clock,
    );
    let stats = daemon.run(&mut source);
    let Some(((seq, _), done)) = stats.reads.first().zip(stats.finished.first()) else {
        return Ok(None);
    };
    let placement = scene.frames[*seq as usize].placement;
    // The last time the document came to rest before the frame read.
    let still_from = (0..=*seq as usize)
        .rev()
        .take_while(|&i| {
            scene.frames[i].phase == Phase::Still && scene.frames[i].placement == placement
        })
        .last()
        .unwrap_or(*seq as usize);
    Ok(Some(
        done.as_secs_f64() - still_from as f64 / f64::from(fps),
    ))
}

/// What `kitascan bench gate` runs.
pub struct Options {
    pub width: u32,
    pub height: u32,
    /// Frame rate of the replay.
    pub fps: f32,
    pub seed: u64,
    pub conditions: Vec<Condition>,
    /// Print every frame's verdict and measures.
    pub frames: bool,
    /// No real-time run of the daemon.
    pub gate_only: bool,
}

pub fn run(engine: Arc<Engine>, options: Options) -> Result<()> {
    let Options {
        width,
        height,
        fps,
        seed,
        conditions: chosen,
        frames: frames_log,
        gate_only,
    } = options;
    let root = PathBuf::from(format!("target/bench-gate/{width}x{height}-{seed}"));
    println!(
        "tray conditions at {width}x{height}, seed {seed}; gate on one thread, daemon replayed at {fps} fps:"
    );
    println!();
    println!(
        "| condition | document | must | reads | reasons shown | gate median ms | gate max ms | still to stored s |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    let mut all_costs: Vec<Duration> = Vec::new();
    let (mut printouts, mut cards): (Vec<f64>, Vec<f64>) = (Vec::new(), Vec::new());
    let mut failed = Vec::new();
    for &condition in &chosen {
        let dir = root.join(condition.name());
        let scene = scene(&dir, condition, width, height, seed)?;
        let judged = judge(&dir, &scene, fps, frames_log, condition.name())?;
        let expect = condition.expect();
        let mut costs: Vec<Duration> = judged.costs.iter().map(|c| c.1).collect();
        costs.sort();
        all_costs.extend(&costs);
        let waited = if expect.reads > 0 && !gate_only {
            still_to_stored(&engine, &dir, &scene, fps)?
        } else {
            None
        };
        let kind = scene.placements[0].kind.as_str();
        if let Some(s) = waited {
            if kind.contains("card") {
                cards.push(s);
            } else {
                printouts.push(s);
            }
        }
        let must = match (&expect.reason, expect.fault, expect.reads) {
            (_, true, _) => "fault, no reading".to_string(),
            (Some(r), _, 0) => format!("refuse: {r}"),
            (Some(r), _, n) => format!("{r}, then {n} reading"),
            (None, _, 0) => "no reading".to_string(),
            (None, _, n) => format!("{n} reading"),
        };
        let shown_ok = expect
            .reason
            .as_deref()
            .is_none_or(|r| judged.reasons.contains(&r))
            && (!expect.fault || judged.reasons.contains(&"camera_frozen"));
        if judged.reads != expect.reads || !shown_ok {
            failed.push(condition.name());
        }
        println!(
            "| {} | {kind} | {must} | {} | {} | {:.2} | {:.2} | {} |",
            condition.name(),
            judged.reads,
            if judged.reasons.is_empty() {
                "-".to_string()
            } else {
                judged.reasons.join(", ")
            },
            ms(percentile(&costs, 0.5)),
            ms(*costs.last().unwrap_or(&Duration::ZERO)),
            waited.map_or("-".to_string(), |s| format!("{s:.2}")),
        );
    }
    all_costs.sort();
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        if v.is_empty() {
            f64::NAN
        } else {
            v[v.len() / 2]
        }
    };
    println!();
    println!(
        "gate per frame over all {} frames: median {:.2} ms, p95 {:.2} ms, max {:.2} ms",
        all_costs.len(),
        ms(percentile(&all_costs, 0.5)),
        ms(percentile(&all_costs, 0.95)),
        ms(*all_costs.last().unwrap_or(&Duration::ZERO)),
    );
    println!(
        "still to stored, median: printouts {:.2} s ({}), cards {:.2} s ({})",
        median(&mut printouts),
        printouts.len(),
        median(&mut cards),
        cards.len()
    );
    if failed.is_empty() {
        println!("every condition as it must be");
    } else {
        println!("not as they must be: {}", failed.join(", "));
    }
    Ok(())
}
