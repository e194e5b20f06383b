//! Time for the daemon: the real clock, or a simulated one that tests advance by hand.
//!
//! Everything time-dependent in capture, the gate and the daemon reads a [`Clock`], so a test
//! can replay minutes of tray activity in the time it takes to read the frames.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A monotonic clock that can also wait.
pub trait Clock: Send + Sync {
    /// Time since the clock started.
    fn now(&self) -> Duration;
    /// Waits `d` (a simulated clock jumps forward instead).
    fn sleep(&self, d: Duration);
}

/// Wall time, from when it was made.
pub struct SystemClock(Instant);

impl SystemClock {
    pub fn new() -> SystemClock {
        SystemClock(Instant::now())
    }
}

impl Default for SystemClock {
    fn default() -> Self {
        SystemClock::new()
    }
}

impl Clock for SystemClock {
    fn now(&self) -> Duration {
        self.0.elapsed()
    }
    fn sleep(&self, d: Duration) {
        std::thread::sleep(d);
    }
}

/// Simulated time: starts at zero and moves only when someone sleeps or advances it.
#[derive(Default)]
pub struct SimClock(Mutex<Duration>);

impl SimClock {
    pub fn new() -> SimClock {
        SimClock::default()
    }
    pub fn advance(&self, d: Duration) {
        let mut now = self.0.lock().unwrap_or_else(|p| p.into_inner());
        *now += d;
    }
}

impl Clock for SimClock {
    fn now(&self) -> Duration {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
    fn sleep(&self, d: Duration) {
        self.advance(d);
    }
}
