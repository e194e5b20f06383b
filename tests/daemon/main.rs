//! The kiosk daemon (`src/daemon.rs`) driven over a replayed tray scene: generated permits (fake
//! identities) slid onto the tray, left, taken away; a blurred placement; a camera that fails.
//!
//! In-process tests run in simulated time ([`SimClock`]): the replay delivers frames at their
//! scene times and a reading takes a fixed simulated time, so they run as fast as the reads.
//! `socket.rs` runs `kitascan run --source replay:DIR` as a process on a real socket.

#[path = "../common/mod.rs"]
mod common;

mod conditions;
mod socket;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use kitascan::api::AppState;
use kitascan::capture::replay::Replay;
use kitascan::capture::{CaptureError, Frame, FrameSource};
use kitascan::clock::{Clock, SimClock};
use kitascan::config::Config;
use kitascan::daemon::{Daemon, DaemonParams, Outcome, Stats, Timing};
use kitascan::led::{LedState, StatusLed};
use kitascan::ocr::Engine;
use kitascan::store::{ListQuery, Store};
use kitascan::synth::DocKind;
use kitascan::synth::tray::{Act, Phase, Scene, write_scene};

/// The scene frames play at.
pub const FPS: f32 = 10.0;

/// The real engine, loaded once per test binary.
pub fn engine() -> Arc<Engine> {
    static ENGINE: OnceLock<Arc<Engine>> = OnceLock::new();
    ENGINE.get_or_init(|| Arc::new(common::engine())).clone()
}

/// The test scene, generated once per test binary: an e-ITAS printout and a KITAS card read,
/// then a KITAP card out of focus throughout.
pub fn scene() -> &'static (PathBuf, Scene) {
    static SCENE: OnceLock<(PathBuf, Scene)> = OnceLock::new();
    SCENE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir").keep();
        let script = [
            Act::Empty(3),
            Act::Place {
                kind: DocKind::Eitas2021,
                slide: 3,
                still: 8,
                defocus: 0.5,
            },
            Act::Empty(6),
            Act::Place {
                kind: DocKind::KitasCard,
                slide: 3,
                still: 8,
                defocus: 0.5,
            },
            Act::Empty(6),
            Act::Place {
                kind: DocKind::KitapCard,
                slide: 3,
                still: 10,
                defocus: 3.5,
            },
            Act::Empty(3),
        ];
        let scene = write_scene(&dir, &script, 1920, 1080, 7).expect("the scene is written");
        (dir, scene)
    })
}

/// An LED that remembers every state it was shown.
#[derive(Clone, Default)]
struct RecordingLed(Arc<Mutex<Vec<LedState>>>);

impl StatusLed for RecordingLed {
    fn show(&mut self, state: LedState) {
        self.0.lock().unwrap().push(state);
    }
    fn off(&mut self) {}
}

impl RecordingLed {
    fn states(&self) -> Vec<LedState> {
        self.0.lock().unwrap().clone()
    }
}

/// A camera that stops delivering between `from` and `to` (simulated time) and cannot be
/// reopened until `to`.
struct FlakyCamera {
    inner: Replay,
    clock: Arc<SimClock>,
    from: Duration,
    to: Duration,
    opens: usize,
}

impl FrameSource for FlakyCamera {
    fn open(&mut self) -> Result<(), CaptureError> {
        self.opens += 1;
        let now = self.clock.now();
        if now >= self.from && now < self.to {
            return Err(CaptureError::Unavailable("unplugged".into()));
        }
        // Plugged back in: the replay goes on where the scene's time is, as a camera would.
        Ok(())
    }
    fn next_frame(&mut self) -> Result<Option<Frame>, CaptureError> {
        let now = self.clock.now();
        if now >= self.from && now < self.to {
            return Err(CaptureError::Unavailable("no frame".into()));
        }
        self.inner.next_frame()
    }
    fn describe(&self) -> String {
        "flaky replay".into()
    }
}

struct Run {
    stats: Stats,
    outcomes: Vec<Outcome>,
    led: Vec<LedState>,
    store: Arc<Store>,
    _dir: tempfile::TempDir,
}

/// Runs the daemon over `source` in simulated time, into a fresh database.
fn run_daemon(source: &mut dyn FrameSource, clock: Arc<SimClock>, backoff: Duration) -> Run {
    run_daemon_with(source, clock, backoff, Duration::from_millis(400))
}

/// [`run_daemon`] with readings taking `read_time`.
fn run_daemon_with(
    source: &mut dyn FrameSource,
    clock: Arc<SimClock>,
    backoff: Duration,
    read_time: Duration,
) -> Run {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(Store::open(&dir.path().join("kitascan.db")).expect("the store opens"));
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let api = AppState::new(Config::built_in().unwrap(), store.clone(), engine());
    let led = RecordingLed::default();
    let params = DaemonParams {
        timing: Timing::Simulated { read_time },
        backoff_min: backoff,
        ..DaemonParams::default()
    };
    let mut daemon = Daemon::new(
        params,
        api,
        runtime.handle().clone(),
        engine(),
        Box::new(led.clone()),
        clock,
    );
    let stats = daemon.run(source);
    Run {
        stats,
        outcomes: daemon.outcomes().to_vec(),
        led: led.states(),
        store,
        _dir: dir,
    }
}

fn replay(dir: &Path, clock: Arc<SimClock>) -> Replay {
    Replay::new(dir, FPS, false, clock).expect("the replay opens")
}

/// Checks that every reading came from a still, sharp frame of its own placement, one per
/// sharp placement, and that the stored fields are the generated truth.
fn check_readings(run: &Run, scene: &Scene) {
    let placements: Vec<usize> = run
        .stats
        .reads
        .iter()
        .map(|&(seq, _)| {
            let f = &scene.frames[seq as usize];
            assert_eq!(
                f.phase,
                Phase::Still,
                "frame {seq} read while {:?}",
                f.phase
            );
            f.placement.expect("a document")
        })
        .collect();
    let sharp: Vec<usize> = (0..scene.placements.len())
        .filter(|&i| scene.placements[i].sharp)
        .collect();
    assert_eq!(
        placements, sharp,
        "one reading per sharp placement, in order"
    );
    assert!(
        run.outcomes
            .iter()
            .all(|o| matches!(o, Outcome::Stored { permit: true, .. })),
        "{:?}",
        run.outcomes
    );

    let mut stored = run
        .store
        .list(&ListQuery {
            limit: 100,
            before: None,
            document_type: None,
            ..ListQuery::default()
        })
        .expect("list")
        .scans;
    stored.reverse(); // oldest first
    assert_eq!(stored.len(), sharp.len());
    for (summary, &p) in stored.iter().zip(&sharp) {
        let truth = &scene.placements[p].truth;
        assert_eq!(summary.source.as_str(), "camera");
        assert_eq!(summary.permit_number, truth.permit_number);
        assert_eq!(summary.passport_number, truth.passport_number);
        assert_eq!(summary.full_name, truth.full_name);
        assert_eq!(summary.nationality, truth.nationality);
        let record = run.store.get(&summary.id).expect("get").expect("stored");
        let fields = truth.fields();
        let right = fields
            .iter()
            .filter(|(name, value)| record.reading["fields"][*name]["value"] == *value)
            .count();
        assert!(
            right * 10 >= fields.len() * 9,
            "{right} of {} fields right for placement {p}",
            fields.len()
        );
        assert!(
            run.store.image(&summary.id).unwrap().unwrap().is_some(),
            "the straightened page is kept"
        );
    }
}

/// The LED's states with repeats folded.
fn changes(states: &[LedState]) -> Vec<LedState> {
    let mut out: Vec<LedState> = Vec::new();
    for &s in states {
        if out.last() != Some(&s) {
            out.push(s);
        }
    }
    out
}

#[test]
fn one_reading_per_placement_from_a_sharp_still_frame_and_none_from_a_blurred_one() {
    let (dir, scene) = scene();
    let clock = Arc::new(SimClock::new());
    let mut source = replay(dir, clock.clone());
    let run = run_daemon(&mut source, clock, Duration::from_millis(500));
    check_readings(&run, scene);
    assert_eq!(run.stats.reconnects, 0);
    // The gate judged every frame, also those that arrived during the readings.
    assert_eq!(run.stats.frames as usize, scene.frames.len());
    assert!(run.stats.while_reading > 0, "{:?}", run.stats);
    use LedState::*;
    // The blurred card: "hold still" while it settles, "adjust" (out of focus) once it lies
    // still, "hold still" again as it is taken away.
    let screen: Vec<LedState> = run.stats.shown.iter().map(|(s, _)| *s).collect();
    assert_eq!(
        changes(&screen),
        vec![
            Idle, HoldStill, Reading, ReadOk, Idle, HoldStill, Reading, ReadOk, Idle, HoldStill,
            Adjust, HoldStill, Idle
        ]
    );
    // The light holds each result for `led::RESULT_MIN` (2 s): the tray emptied and the next
    // permit settling within it are not shown, its reading is.
    assert_eq!(
        changes(&run.led),
        vec![
            Idle, HoldStill, Reading, ReadOk, Reading, ReadOk, Adjust, HoldStill, Idle
        ]
    );
    assert!(
        run.stats.shown.contains(&(Adjust, Some("out_of_focus"))),
        "{:?}",
        run.stats.shown
    );
}

#[test]
fn a_permit_laid_down_while_the_last_one_is_read_is_read_next() {
    // Readings take 2.5 s: the first permit is taken away, the tray is empty and the card has
    // settled before the first reading ends; the blurred card comes and goes during the second.
    let (dir, scene) = scene();
    let clock = Arc::new(SimClock::new());
    let mut source = replay(dir, clock.clone());
    let run = run_daemon_with(
        &mut source,
        clock,
        Duration::from_millis(500),
        Duration::from_millis(2500),
    );
    check_readings(&run, scene);
    let led = changes(&run.led);
    use LedState::*;
    assert_eq!(
        led[..6],
        [Idle, HoldStill, Reading, ReadOk, Reading, ReadOk],
        "{led:?}"
    );
    assert_eq!(led.iter().filter(|&&s| s == Reading).count(), 2, "{led:?}");
    // The card was picked while the printout was still being read.
    let (first, second) = (run.stats.finished[0], run.stats.reads[1].0);
    assert!(
        Duration::from_secs_f32(second as f32 / FPS) < first,
        "card frame {second} vs first reading done at {first:?}"
    );
}

#[test]
fn a_camera_that_fails_is_reopened_and_the_next_permit_is_read() {
    let (dir, scene) = scene();
    let clock = Arc::new(SimClock::new());
    // Unplugged for 0.6 s from the second frame of the empty tray after the first permit.
    let gap = (1..scene.frames.len())
        .find(|&i| {
            scene.frames[i].phase == Phase::Empty && scene.frames[i - 1].placement == Some(0)
        })
        .expect("an empty tray after the first permit");
    let from = Duration::from_secs_f32((gap + 1) as f32 / FPS);
    let to = from + Duration::from_millis(600);
    let mut source = FlakyCamera {
        inner: replay(dir, clock.clone()),
        clock: clock.clone(),
        from,
        to,
        opens: 0,
    };
    // Backoff from 0.1 s: reopened within 0.7 s, before the next permit has settled.
    let run = run_daemon(&mut source, clock, Duration::from_millis(100));
    assert!(run.stats.reconnects >= 1, "{:?}", run.stats);
    assert!(source.opens >= 3, "opened {} times", source.opens);
    let led = changes(&run.led);
    let fault = led
        .iter()
        .position(|&s| s == LedState::Fault)
        .expect("the fault shows");
    assert!(
        led[fault + 1..].contains(&LedState::ReadOk),
        "a permit is read after the camera is back: {led:?}"
    );
    check_readings(&run, scene);
}
