//! The kiosk's loop: frames from a [`FrameSource`] through the [`Gate`]; a frame the gate picks
//! is read on a worker thread and stored through the API's [`AppState`] (so it reaches the
//! database, the events stream and the kiosk page); the [`StatusLed`] and the API's daemon state
//! follow along.
//!
//! Invariants:
//! - The gate sees every frame the source delivers, also while a reading is in progress, so it
//!   knows when the tray was emptied or another permit laid down meanwhile. Frames are never
//!   queued (a camera's frames are only worth anything while fresh): if the gate picks a frame
//!   while the worker is busy (another permit settled), that one capture is held and read next;
//!   a later pick replaces it.
//! - A source that fails is reopened with exponential backoff; meanwhile the state is `fault`
//!   (reason `camera_unavailable`).
//! - Every state shown has a reason the person can act on where there is one ([`reason`]): the
//!   gate's for `hold_still` and `adjust`, the daemon's for `read_failed` and `fault`. The API
//!   hears of every change of state or reason; the LED of every change of state.
//! - Stopping ([`Daemon::stopper`]) finishes the reading in progress, stores it, and turns the
//!   LED off.
//! - All timing comes from the [`Clock`]: with [`Timing::Simulated`] a test replays minutes of
//!   tray activity without waiting, and a reading takes a fixed simulated time.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::time::Duration;

use crate::api::reader::jpeg;
use crate::api::{AppState, DaemonState, Recognizer, new_id, new_scan};
use crate::capture::{Frame, FrameSource};
use crate::clock::Clock;
use crate::gate::{Capture, Gate, GateParams, Reason, Verdict};
use crate::kitas::read::Source;
use crate::led::{HeldLed, LedState, StatusLed};
use crate::store::ScanSource;

/// The reasons the daemon itself gives (the gate's [`Reason`]s explain `hold_still` and
/// `adjust`). Names only, never anything read from a document.
pub mod reason {
    /// `read_failed`: read, but it is not a residence permit.
    pub const NOT_A_PERMIT: &str = "not_a_permit";
    /// `read_failed`: nothing could be read from the frame picked.
    pub const UNREADABLE: &str = "unreadable";
    /// `fault`: the camera delivers the same frame again and again.
    pub const CAMERA_FROZEN: &str = "camera_frozen";
    /// `fault`: the camera cannot be opened or stopped delivering frames.
    pub const CAMERA_UNAVAILABLE: &str = "camera_unavailable";
    /// `fault`: a reading could not be stored.
    pub const STORE_FAILED: &str = "store_failed";
}

/// Every reason the kiosk can show (`/healthz`, `state` events, the kiosk page, [`Stats::shown`]):
/// the gate's, in [`Reason::ALL`]'s order, then the daemon's ([`reason`]).
pub fn all_reasons() -> Vec<&'static str> {
    Reason::ALL
        .iter()
        .map(|r| r.as_str())
        .chain([
            reason::NOT_A_PERMIT,
            reason::UNREADABLE,
            reason::CAMERA_FROZEN,
            reason::CAMERA_UNAVAILABLE,
            reason::STORE_FAILED,
        ])
        .collect()
}

/// How often a frame goes to the walk-up screen's live view: a few a second show where the
/// paper lies without costing the gate its frames.
const LIVE_EVERY: Duration = Duration::from_millis(333);

/// What the kiosk shows: the LED's state and why (see [`reason`]), `None` where there is nothing
/// to explain (`idle`, `reading`, `read_ok`).
pub type Shown = (LedState, Option<&'static str>);

/// How readings take time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Timing {
    /// A reading runs on its worker while frames keep arriving.
    RealTime,
    /// A reading is done at once but reported only once this much time has passed on the
    /// clock, while frames keep arriving: the same sequence as in real time, deterministic.
    Simulated { read_time: Duration },
}

/// The daemon's settings.
#[derive(Debug, Clone)]
pub struct DaemonParams {
    pub gate: GateParams,
    /// First wait before reopening a failed source; doubles up to `backoff_max`.
    pub backoff_min: Duration,
    pub backoff_max: Duration,
    pub timing: Timing,
}

impl Default for DaemonParams {
    fn default() -> Self {
        DaemonParams {
            gate: GateParams::default(),
            backoff_min: Duration::from_millis(500),
            backoff_max: Duration::from_secs(30),
            timing: Timing::RealTime,
        }
    }
}

/// How a reading ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Stored; `permit` tells whether it was a residence permit.
    Stored { id: String, permit: bool },
    /// Nothing could be read (the reason, never a value from the document).
    NotRead(String),
    /// Read, but the store refused it.
    StoreFailed(String),
}

/// What the loop did, for logs and tests.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stats {
    pub frames: u64,
    /// Frames that arrived while a reading was in progress (judged by the gate, not read).
    pub while_reading: u64,
    /// Readings started: (frame number, focus).
    pub reads: Vec<(u64, f32)>,
    /// Times the source failed and had to be reopened.
    pub reconnects: u64,
    /// When each reading ended (stored or not), on the daemon's clock.
    pub finished: Vec<Duration>,
    /// Every (state, reason) shown, in order, one entry per change of either: the first is
    /// `(Idle, None)`; a document going from glare to out of focus adds
    /// `(Adjust, Some("out_of_focus"))` after `(Adjust, Some("glare"))`. The same values
    /// `/healthz` and the `state` events carry (as [`LedState::as_str`] and the reason), so a
    /// test asserts "this refusal was explained" with
    /// `stats.shown.contains(&(LedState::Adjust, Some("glare")))`.
    pub shown: Vec<Shown>,
}

/// The loop's parts.
pub struct Daemon {
    params: DaemonParams,
    gate: Gate,
    /// The light, with results held long enough to be seen.
    led: HeldLed,
    api: AppState,
    runtime: tokio::runtime::Handle,
    recognizer: Arc<dyn Recognizer>,
    clock: Arc<dyn Clock>,
    stop: Arc<AtomicBool>,
    /// What is shown now.
    shown: Option<Shown>,
    /// Every change of what is shown during this run (moved into [`Stats::shown`]).
    shown_log: Vec<Shown>,
    /// The result of the last reading, shown until the tray is empty.
    result: Option<Shown>,
    tick: Option<Box<dyn FnMut() + Send>>,
    outcomes: Vec<Outcome>,
}

/// A reading in progress.
enum Pending {
    /// On its worker: the outcome and when the worker had it.
    Running(Receiver<(Outcome, Duration)>),
    /// Simulated: done, reported once the clock reaches its time.
    Done((Outcome, Duration)),
}

impl Pending {
    /// The outcome, if the reading has ended.
    fn poll(&mut self, clock: &dyn Clock) -> Option<(Outcome, Duration)> {
        match self {
            Pending::Running(rx) => match rx.try_recv() {
                Ok(done) => Some(done),
                Err(TryRecvError::Empty) => None,
                Err(TryRecvError::Disconnected) => Some(stopped(clock)),
            },
            Pending::Done((_, at)) if clock.now() < *at => None,
            Pending::Done(done) => Some(done.clone()),
        }
    }

    /// Waits for the outcome (stopping).
    fn wait(self, clock: &dyn Clock) -> (Outcome, Duration) {
        match self {
            Pending::Running(rx) => rx.recv().unwrap_or_else(|_| stopped(clock)),
            Pending::Done(done) => done,
        }
    }
}

impl Daemon {
    pub fn new(
        params: DaemonParams,
        api: AppState,
        runtime: tokio::runtime::Handle,
        recognizer: Arc<dyn Recognizer>,
        led: Box<dyn StatusLed>,
        clock: Arc<dyn Clock>,
    ) -> Daemon {
        Daemon {
            gate: Gate::new(params.gate.clone()),
            params,
            led: HeldLed::new(led, clock.clone()),
            api,
            runtime,
            recognizer,
            clock,
            stop: Arc::new(AtomicBool::new(false)),
            shown: None,
            shown_log: Vec::new(),
            result: None,
            tick: None,
            outcomes: Vec::new(),
        }
    }

    /// Set this flag to stop the loop after the frame (and reading) in progress.
    pub fn stopper(&self) -> Arc<AtomicBool> {
        self.stop.clone()
    }

    /// Called once per turn of the loop (the systemd watchdog's ping).
    pub fn on_tick(&mut self, tick: impl FnMut() + Send + 'static) {
        self.tick = Some(Box::new(tick));
    }

    /// How the readings so far ended, in order.
    pub fn outcomes(&self) -> &[Outcome] {
        &self.outcomes
    }

    /// Shows a state and its reason: the LED when the state changes, the API (and so the kiosk
    /// page) when either changes.
    fn show(&mut self, state: LedState, why: Option<&'static str>) {
        let now = (state, why);
        if self.shown == Some(now) {
            return;
        }
        if self.shown.map(|(s, _)| s) != Some(state) {
            self.led.show(state);
        }
        self.shown = Some(now);
        self.shown_log.push(now);
        tracing::debug!(state = state.as_str(), reason = why, "shown");
        self.api
            .set_daemon_state(DaemonState::new(state.as_str(), why));
    }

    /// Runs until stopped or until a finite source ends; then turns the LED off.
    pub fn run(&mut self, source: &mut dyn FrameSource) -> Stats {
        let mut stats = Stats::default();
        let mut backoff = self.params.backoff_min;
        let mut open = false;
        let mut pending: Option<Pending> = None;
        let mut held: Option<Box<Capture>> = None;
        let mut next_live = Duration::ZERO;
        self.shown_log.clear();
        self.show(LedState::Idle, None);
        while !self.stop.load(Ordering::SeqCst) {
            if let Some(tick) = &mut self.tick {
                tick();
            }
            self.led.tick();
            if !open {
                match source.open() {
                    Ok(()) => {
                        open = true;
                        backoff = self.params.backoff_min;
                        tracing::info!(source = %source.describe(), "frame source open");
                    }
                    Err(e) => {
                        tracing::warn!(source = %source.describe(), error = %e, retry_ms = backoff.as_millis() as u64, "frame source unavailable");
                        self.show(LedState::Fault, Some(reason::CAMERA_UNAVAILABLE));
                        self.clock.sleep(backoff);
                        backoff = (backoff * 2).min(self.params.backoff_max);
                        continue;
                    }
                }
            }
            let frame = match source.next_frame() {
                Ok(Some(frame)) => frame,
                Ok(None) => break,
                Err(e) => {
                    tracing::warn!(source = %source.describe(), error = %e, "frame source lost");
                    stats.reconnects += 1;
                    open = false;
                    self.gate.interrupt();
                    self.show(LedState::Fault, Some(reason::CAMERA_UNAVAILABLE));
                    continue;
                }
            };
            stats.frames += 1;
            if let Some(p) = &mut pending {
                match p.poll(&*self.clock) {
                    Some(done) => {
                        pending = None;
                        self.finish(done, &mut stats);
                    }
                    None => stats.while_reading += 1,
                }
            }
            if pending.is_none()
                && let Some(capture) = held.take()
            {
                pending = Some(self.start_reading(*capture, &mut stats));
            }
            let verdict = self.gate.observe(&frame);
            if self.clock.now() >= next_live {
                self.api.live_frame(&frame.image, self.gate.outline());
                next_live = self.clock.now() + LIVE_EVERY;
            }
            match verdict {
                Verdict::Read(capture) if pending.is_some() => {
                    // Another permit settled while the last one is being read: read it next.
                    held = Some(capture);
                }
                Verdict::Read(capture) => pending = Some(self.start_reading(*capture, &mut stats)),
                // A reading in progress keeps the LED on `reading`.
                _ if pending.is_some() => {}
                verdict => self.show_verdict(verdict),
            }
        }
        if let Some(p) = pending {
            // Stopping: the reading in progress is finished and stored first.
            let done = p.wait(&*self.clock);
            self.finish(done, &mut stats);
        }
        if held.is_some() {
            tracing::info!("stopping: a permit that settled during the last reading is not read");
        }
        self.led.off();
        // The light is off: the next run shows its first state afresh.
        self.shown = None;
        stats.shown = std::mem::take(&mut self.shown_log);
        stats
    }

    /// Shows what the gate made of a frame while no reading is in progress.
    fn show_verdict(&mut self, verdict: Verdict) {
        match verdict {
            Verdict::Empty => {
                self.result = None;
                self.show(LedState::Idle, None);
            }
            Verdict::HoldStill(why) => {
                self.result = None;
                let state = if why.is_hold_still() {
                    LedState::HoldStill
                } else {
                    LedState::Adjust
                };
                self.show(state, Some(why.as_str()));
            }
            Verdict::Frozen => {
                self.result = None;
                self.show(LedState::Fault, Some(reason::CAMERA_FROZEN));
            }
            Verdict::AlreadyRead => {
                let (state, why) = self.result.unwrap_or((LedState::ReadOk, None));
                self.show(state, why);
            }
            Verdict::Read(_) => {}
        }
    }

    /// Starts reading a capture on a worker thread (or, simulated, reads it at once and reports
    /// it after the simulated read time).
    fn start_reading(&mut self, capture: Capture, stats: &mut Stats) -> Pending {
        stats.reads.push((capture.frame.seq, capture.focus));
        self.show(LedState::Reading, None);
        let frame = capture.frame;
        let (tx, rx) = mpsc::channel();
        let recognizer = self.recognizer.clone();
        let api = self.api.clone();
        let runtime = self.runtime.clone();
        let clock = self.clock.clone();
        let spawned = std::thread::Builder::new()
            .name("kitascan-camera-read".into())
            .spawn(move || {
                let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    read_and_store(&*recognizer, &api, &runtime, &frame)
                }))
                .unwrap_or_else(|_| Outcome::NotRead("the reader panicked".into()));
                let _ = tx.send((outcome, clock.now()));
            });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "could not start a reading thread");
        }
        match self.params.timing {
            Timing::RealTime => Pending::Running(rx),
            Timing::Simulated { read_time } => {
                let started = self.clock.now();
                let (outcome, _) = rx.recv().unwrap_or_else(|_| stopped(&*self.clock));
                Pending::Done((outcome, started + read_time))
            }
        }
    }

    fn finish(&mut self, (outcome, at): (Outcome, Duration), stats: &mut Stats) {
        stats.finished.push(at);
        let shown = match &outcome {
            Outcome::Stored { permit: true, id } => {
                tracing::info!(scan = %id, "camera reading stored");
                (LedState::ReadOk, None)
            }
            Outcome::Stored { permit: false, id } => {
                tracing::info!(scan = %id, "camera reading stored: not a permit");
                (LedState::ReadFailed, Some(reason::NOT_A_PERMIT))
            }
            Outcome::NotRead(why) => {
                tracing::warn!(reason = %why, "camera frame not read");
                (LedState::ReadFailed, Some(reason::UNREADABLE))
            }
            Outcome::StoreFailed(why) => {
                tracing::error!(error = %why, "storing a camera reading failed");
                (LedState::Fault, Some(reason::STORE_FAILED))
            }
        };
        self.outcomes.push(outcome);
        self.result = Some(shown);
        self.show(shown.0, shown.1);
    }
}

/// The outcome of a reading whose worker went away.
fn stopped(clock: &dyn Clock) -> (Outcome, Duration) {
    (Outcome::NotRead("the reader stopped".into()), clock.now())
}

fn read_and_store(
    recognizer: &dyn Recognizer,
    api: &AppState,
    runtime: &tokio::runtime::Handle,
    frame: &Frame,
) -> Outcome {
    let pages = vec![(*frame.image).clone()];
    let read = match recognizer.read(pages, Source::Camera) {
        Ok(Some(read)) => read,
        Ok(None) => return Outcome::NotRead("no page was read".into()),
        Err(e) => return Outcome::NotRead(e),
    };
    let store = &api.config().store;
    let image = if store.store_images {
        match jpeg(&read.page, store.jpeg_quality) {
            Ok(bytes) => Some(bytes),
            Err(e) => return Outcome::StoreFailed(e.to_string()),
        }
    } else {
        None
    };
    let id = new_id();
    let permit = read.reading.is_permit;
    let scan = new_scan(
        id.clone(),
        format!("camera-frame-{}", frame.seq),
        ScanSource::Camera,
        &read.reading,
        image,
    );
    match runtime.block_on(api.record(scan)) {
        Ok(_) => Outcome::Stored { id, permit },
        Err(e) => Outcome::StoreFailed(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use serde_json::json;

    use super::*;
    use crate::api::{PageResult, ServerEvent};
    use crate::capture::CaptureError;
    use crate::clock::SimClock;
    use crate::config::Config;
    use crate::store::Store;

    /// Never asked to read in these tests.
    struct NoReader;

    impl Recognizer for NoReader {
        fn read(&self, _: Vec<image::RgbImage>, _: Source) -> Result<Option<PageResult>, String> {
            Err("not in this test".into())
        }
    }

    #[derive(Clone, Default)]
    struct RecordingLed(Arc<Mutex<Vec<LedState>>>);

    impl StatusLed for RecordingLed {
        fn show(&mut self, state: LedState) {
            self.0.lock().unwrap().push(state);
        }
        fn off(&mut self) {}
    }

    struct Kiosk {
        daemon: Daemon,
        api: AppState,
        led: RecordingLed,
        _runtime: tokio::runtime::Runtime,
        _dir: tempfile::TempDir,
    }

    fn kiosk() -> Kiosk {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Arc::new(Store::open(&dir.path().join("k.db")).expect("store"));
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        let api = AppState::new(Config::default(), store, Arc::new(NoReader));
        let led = RecordingLed::default();
        let daemon = Daemon::new(
            DaemonParams::default(),
            api.clone(),
            runtime.handle().clone(),
            Arc::new(NoReader),
            Box::new(led.clone()),
            Arc::new(SimClock::new()),
        );
        Kiosk {
            daemon,
            api,
            led,
            _runtime: runtime,
            _dir: dir,
        }
    }

    fn api_shows(api: &AppState) -> (&'static str, Option<&'static str>) {
        let s = api.daemon_state();
        (s.state, s.reason)
    }

    fn state_events(
        rx: &mut tokio::sync::broadcast::Receiver<ServerEvent>,
    ) -> Vec<serde_json::Value> {
        std::iter::from_fn(|| rx.try_recv().ok())
            .filter(|e| e.kind == "state")
            .map(|e| e.data)
            .collect()
    }

    #[test]
    fn every_refusal_reaches_the_api_with_its_reason_and_the_led_with_its_state() {
        let mut k = kiosk();
        let mut events = k.api.subscribe();
        let d = &mut k.daemon;
        d.show(LedState::Idle, None);
        d.show_verdict(Verdict::HoldStill(Reason::Moving));
        assert_eq!(api_shows(&k.api), ("hold_still", Some("moving")));
        d.show_verdict(Verdict::HoldStill(Reason::Glare));
        assert_eq!(api_shows(&k.api), ("adjust", Some("glare")));
        // Only the reason changes: the API hears of it, the LED keeps its pattern.
        d.show_verdict(Verdict::HoldStill(Reason::Blurred));
        assert_eq!(api_shows(&k.api), ("adjust", Some("out_of_focus")));
        d.show_verdict(Verdict::HoldStill(Reason::Blurred));
        d.show_verdict(Verdict::HoldStill(Reason::TooDark));
        d.show_verdict(Verdict::Frozen);
        assert_eq!(api_shows(&k.api), ("fault", Some("camera_frozen")));
        d.show_verdict(Verdict::Empty);
        assert_eq!(api_shows(&k.api), ("idle", None));

        use LedState::*;
        assert_eq!(
            d.shown_log,
            vec![
                (Idle, None),
                (HoldStill, Some("moving")),
                (Adjust, Some("glare")),
                (Adjust, Some("out_of_focus")),
                (Adjust, Some("too_dark")),
                (Fault, Some("camera_frozen")),
                (Idle, None),
            ]
        );
        assert_eq!(
            *k.led.0.lock().unwrap(),
            vec![Idle, HoldStill, Adjust, Fault, Idle],
            "the LED is told of changes of state only"
        );
        // The first `idle` is what the board already showed: no event for it.
        assert_eq!(
            state_events(&mut events),
            [
                json!({"state": "hold_still", "reason": "moving"}),
                json!({"state": "adjust", "reason": "glare"}),
                json!({"state": "adjust", "reason": "out_of_focus"}),
                json!({"state": "adjust", "reason": "too_dark"}),
                json!({"state": "fault", "reason": "camera_frozen"}),
                json!({"state": "idle", "reason": null}),
            ]
        );
    }

    #[test]
    fn a_result_keeps_its_reason_until_the_tray_is_emptied() {
        let mut k = kiosk();
        let d = &mut k.daemon;
        let mut stats = Stats::default();
        let at = Duration::ZERO;
        let id = "0".to_string();
        d.finish((Outcome::Stored { id, permit: false }, at), &mut stats);
        assert_eq!(api_shows(&k.api), ("read_failed", Some("not_a_permit")));
        // Something moves on the tray whose document was read: the result stays, reason and all.
        d.show_verdict(Verdict::AlreadyRead);
        assert_eq!(api_shows(&k.api), ("read_failed", Some("not_a_permit")));
        d.show_verdict(Verdict::Empty);
        assert_eq!(api_shows(&k.api), ("idle", None));
        d.finish((Outcome::NotRead("blank".into()), at), &mut stats);
        assert_eq!(api_shows(&k.api), ("read_failed", Some("unreadable")));
        d.finish((Outcome::StoreFailed("disk full".into()), at), &mut stats);
        assert_eq!(api_shows(&k.api), ("fault", Some("store_failed")));
        d.show_verdict(Verdict::AlreadyRead);
        assert_eq!(api_shows(&k.api), ("fault", Some("store_failed")));
        d.finish(
            (
                Outcome::Stored {
                    id: "1".into(),
                    permit: true,
                },
                at,
            ),
            &mut stats,
        );
        assert_eq!(api_shows(&k.api), ("read_ok", None));
    }

    #[test]
    fn the_light_keeps_a_result_two_seconds_while_the_api_says_idle_at_once() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Arc::new(Store::open(&dir.path().join("k.db")).expect("store"));
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        let api = AppState::new(Config::default(), store, Arc::new(NoReader));
        let led = RecordingLed::default();
        let clock = Arc::new(SimClock::new());
        let mut d = Daemon::new(
            DaemonParams::default(),
            api.clone(),
            runtime.handle().clone(),
            Arc::new(NoReader),
            Box::new(led.clone()),
            clock.clone(),
        );
        let mut stats = Stats::default();
        d.show(LedState::Reading, None);
        let stored = Outcome::Stored {
            id: "0".into(),
            permit: true,
        };
        d.finish((stored, Duration::ZERO), &mut stats);
        // The paper is lifted at once.
        clock.advance(Duration::from_millis(100));
        d.show_verdict(Verdict::Empty);
        assert_eq!(api_shows(&api), ("idle", None));
        d.led.tick();
        assert_eq!(led.0.lock().unwrap().last(), Some(&LedState::ReadOk));
        clock.advance(Duration::from_millis(1900));
        d.led.tick();
        assert_eq!(led.0.lock().unwrap().last(), Some(&LedState::Idle));
    }

    /// A camera that cannot be opened `fails` times, then delivers nothing.
    struct Unplugged {
        fails: usize,
    }

    impl FrameSource for Unplugged {
        fn open(&mut self) -> Result<(), CaptureError> {
            if self.fails == 0 {
                return Ok(());
            }
            self.fails -= 1;
            Err(CaptureError::Unavailable("unplugged".into()))
        }
        fn next_frame(&mut self) -> Result<Option<Frame>, CaptureError> {
            Ok(None)
        }
        fn describe(&self) -> String {
            "unplugged".into()
        }
    }

    #[test]
    fn a_camera_that_cannot_be_opened_shows_fault_camera_unavailable_once() {
        let mut k = kiosk();
        let stats = k.daemon.run(&mut Unplugged { fails: 3 });
        assert_eq!(
            stats.shown,
            vec![
                (LedState::Idle, None),
                (LedState::Fault, Some(reason::CAMERA_UNAVAILABLE))
            ]
        );
        assert_eq!(api_shows(&k.api), ("fault", Some("camera_unavailable")));
        // A second run starts afresh.
        let stats = k.daemon.run(&mut Unplugged { fails: 0 });
        assert_eq!(stats.shown, vec![(LedState::Idle, None)]);
    }

    #[test]
    fn every_reason_is_a_distinct_snake_case_name() {
        let reasons = all_reasons();
        let unique: std::collections::HashSet<_> = reasons.iter().collect();
        assert_eq!(unique.len(), reasons.len(), "{reasons:?}");
        assert_eq!(reasons.len(), Reason::ALL.len() + 5);
        for r in &reasons {
            assert!(
                !r.is_empty() && r.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{r}"
            );
        }
    }
}
