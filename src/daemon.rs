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
//! - A source that fails is reopened with exponential backoff; meanwhile the state is `fault`.
//! - Stopping ([`Daemon::stopper`]) finishes the reading in progress, stores it, and turns the
//!   LED off.
//! - All timing comes from the [`Clock`]: with [`Timing::Simulated`] a test replays minutes of
//!   tray activity without waiting, and a reading takes a fixed simulated time.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::time::Duration;

use crate::api::reader::jpeg;
use crate::api::{AppState, Recognizer, new_id, new_scan};
use crate::capture::{Frame, FrameSource};
use crate::clock::Clock;
use crate::gate::{Capture, Gate, GateParams, Verdict};
use crate::kitas::read::Source;
use crate::led::{LedState, StatusLed};
use crate::store::ScanSource;

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
}

/// The loop's parts.
pub struct Daemon {
    params: DaemonParams,
    gate: Gate,
    led: Box<dyn StatusLed>,
    api: AppState,
    runtime: tokio::runtime::Handle,
    recognizer: Arc<dyn Recognizer>,
    clock: Arc<dyn Clock>,
    stop: Arc<AtomicBool>,
    shown: Option<LedState>,
    /// The result of the last reading, shown until the tray is empty.
    result: Option<LedState>,
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
            led,
            api,
            runtime,
            recognizer,
            clock,
            stop: Arc::new(AtomicBool::new(false)),
            shown: None,
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

    fn show(&mut self, state: LedState) {
        if self.shown != Some(state) {
            self.shown = Some(state);
            self.led.show(state);
            self.api.set_daemon_state(state.as_str());
        }
    }

    /// Runs until stopped or until a finite source ends; then turns the LED off.
    pub fn run(&mut self, source: &mut dyn FrameSource) -> Stats {
        let mut stats = Stats::default();
        let mut backoff = self.params.backoff_min;
        let mut open = false;
        let mut pending: Option<Pending> = None;
        let mut held: Option<Box<Capture>> = None;
        self.show(LedState::Idle);
        while !self.stop.load(Ordering::SeqCst) {
            if let Some(tick) = &mut self.tick {
                tick();
            }
            if !open {
                match source.open() {
                    Ok(()) => {
                        open = true;
                        backoff = self.params.backoff_min;
                        tracing::info!(source = %source.describe(), "frame source open");
                    }
                    Err(e) => {
                        tracing::warn!(source = %source.describe(), error = %e, retry_ms = backoff.as_millis() as u64, "frame source unavailable");
                        self.show(LedState::Fault);
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
                    self.show(LedState::Fault);
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
            match self.gate.observe(&frame) {
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
        stats
    }

    /// Shows what the gate made of a frame while no reading is in progress.
    fn show_verdict(&mut self, verdict: Verdict) {
        match verdict {
            Verdict::Empty => {
                self.result = None;
                self.show(LedState::Idle);
            }
            Verdict::HoldStill(reason) => {
                self.result = None;
                self.show(if reason.is_hold_still() {
                    LedState::HoldStill
                } else {
                    LedState::Adjust
                });
            }
            Verdict::Frozen => {
                self.result = None;
                self.show(LedState::Fault);
            }
            Verdict::AlreadyRead => {
                let shown = self.result.unwrap_or(LedState::ReadOk);
                self.show(shown);
            }
            Verdict::Read(_) => {}
        }
    }

    /// Starts reading a capture on a worker thread (or, simulated, reads it at once and reports
    /// it after the simulated read time).
    fn start_reading(&mut self, capture: Capture, stats: &mut Stats) -> Pending {
        stats.reads.push((capture.frame.seq, capture.focus));
        self.show(LedState::Reading);
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
        let state = match &outcome {
            Outcome::Stored { permit: true, id } => {
                tracing::info!(scan = %id, "camera reading stored");
                LedState::ReadOk
            }
            Outcome::Stored { permit: false, id } => {
                tracing::info!(scan = %id, "camera reading stored: not a permit");
                LedState::ReadFailed
            }
            Outcome::NotRead(why) => {
                tracing::warn!(reason = %why, "camera frame not read");
                LedState::ReadFailed
            }
            Outcome::StoreFailed(why) => {
                tracing::error!(error = %why, "storing a camera reading failed");
                LedState::Fault
            }
        };
        self.outcomes.push(outcome);
        self.result = Some(state);
        self.show(state);
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
