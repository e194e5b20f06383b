//! The kiosk's loop: frames from a [`FrameSource`] through the [`Gate`]; a frame the gate picks
//! is read on a worker thread and stored through the API's [`AppState`] (so it reaches the
//! database, the events stream and the kiosk page); the [`StatusLed`] and the API's daemon state
//! follow along.
//!
//! Invariants:
//! - The gate sees every frame the source delivers while no reading is in progress; frames that
//!   arrive during a reading are dropped, never queued (a camera's frames are only worth
//!   anything while fresh).
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
use crate::gate::{Gate, GateParams, Verdict};
use crate::kitas::read::Source;
use crate::led::{LedState, StatusLed};
use crate::store::ScanSource;

/// How readings take time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Timing {
    /// A reading runs on its worker while frames keep arriving (and are dropped).
    RealTime,
    /// The loop waits for each reading, then lets this much simulated time pass (the frames of
    /// that time are dropped by the source, as a camera's would be).
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
    /// Frames that arrived while a reading was in progress.
    pub dropped: u64,
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

struct Pending {
    /// The outcome and when the worker had it.
    rx: Receiver<(Outcome, Duration)>,
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
            if let Some(p) = pending.take() {
                match p.rx.try_recv() {
                    Ok(done) => self.finish(done, &mut stats),
                    Err(TryRecvError::Empty) => {
                        // Still reading: this frame is dropped.
                        stats.dropped += 1;
                        pending = Some(p);
                        continue;
                    }
                    Err(TryRecvError::Disconnected) => {
                        self.finish(stopped(&*self.clock), &mut stats)
                    }
                }
            }
            pending = self.judge(&frame, &mut stats);
            if let (Some(p), Timing::Simulated { read_time }) = (&pending, self.params.timing) {
                let (outcome, _) = p.rx.recv().unwrap_or_else(|_| stopped(&*self.clock));
                pending = None;
                self.clock.sleep(read_time);
                let done = (outcome, self.clock.now());
                self.finish(done, &mut stats);
            }
        }
        if let Some(p) = pending {
            // Stopping: the reading in progress is finished and stored first.
            let done = p.rx.recv().unwrap_or_else(|_| stopped(&*self.clock));
            self.finish(done, &mut stats);
        }
        self.led.off();
        stats
    }

    /// Passes a frame through the gate; starts a reading when it says so.
    fn judge(&mut self, frame: &Frame, stats: &mut Stats) -> Option<Pending> {
        match self.gate.observe(frame) {
            Verdict::Empty => {
                self.result = None;
                self.show(LedState::Idle);
                None
            }
            Verdict::HoldStill(_) => {
                self.result = None;
                self.show(LedState::HoldStill);
                None
            }
            Verdict::AlreadyRead => {
                let shown = self.result.unwrap_or(LedState::ReadOk);
                self.show(shown);
                None
            }
            Verdict::Read(capture) => {
                stats.reads.push((capture.frame.seq, capture.focus));
                self.show(LedState::Reading);
                Some(self.start_reading(capture.frame))
            }
        }
    }

    fn start_reading(&self, frame: Frame) -> Pending {
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
        Pending { rx }
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
    let pages = [(*frame.image).clone()];
    let read = match recognizer.read(&pages, Source::Camera) {
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
