//! The status LED, behind the [`StatusLed`] trait: one table ([`pattern`]) says how each daemon
//! state shows; drivers only switch a light on and off.
//!
//! - `gpio:PIN` ([`gpio::GpioLed`]): an LED on a Raspberry Pi's BCM pin, through rppal.
//! - `log` ([`LogLed`]): each change as a log line, for machines without one.
//! - `none`: nothing.
//!
//! The daemon drives its light through [`HeldLed`], which keeps a result ("read", "could not
//! read") on for at least [`RESULT_MIN`].

#[cfg(target_os = "linux")]
pub mod gpio;
mod hold;

pub use hold::{HeldLed, RESULT_MIN};

use std::str::FromStr;

/// What the kiosk is doing, as the person at the tray should see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LedState {
    /// Waiting for a document.
    Idle,
    /// A document is there and settling: hold it still.
    HoldStill,
    /// A document is there but cannot be read as it lies (partly outside the view, too small,
    /// out of focus, glare, too dark): the person has to change something.
    Adjust,
    /// Reading.
    Reading,
    /// Read and stored; take the document away.
    ReadOk,
    /// Not read, or not a residence permit.
    ReadFailed,
    /// The camera is lost or the store cannot write.
    Fault,
}

impl LedState {
    /// Every state, in the order the README's table lists them.
    pub const ALL: [LedState; 7] = [
        LedState::Idle,
        LedState::HoldStill,
        LedState::Adjust,
        LedState::Reading,
        LedState::ReadOk,
        LedState::ReadFailed,
        LedState::Fault,
    ];

    /// The name the API's `state` events and `/healthz` use.
    pub fn as_str(self) -> &'static str {
        match self {
            LedState::Idle => "idle",
            LedState::HoldStill => "hold_still",
            LedState::Adjust => "adjust",
            LedState::Reading => "reading",
            LedState::ReadOk => "read_ok",
            LedState::ReadFailed => "read_failed",
            LedState::Fault => "fault",
        }
    }
}

/// A blink pattern: (on, milliseconds) steps played in a loop; one step is a steady light.
pub type Pattern = &'static [(bool, u64)];

/// The one table from states to patterns.
pub fn pattern(state: LedState) -> Pattern {
    match state {
        // A short flash every two seconds: alive, waiting.
        LedState::Idle => &[(true, 80), (false, 1920)],
        // An even 2 Hz blink: "hold still".
        LedState::HoldStill => &[(true, 250), (false, 250)],
        // Three quick flashes and a pause: "can't read it like this, adjust".
        LedState::Adjust => &[
            (true, 100),
            (false, 100),
            (true, 100),
            (false, 100),
            (true, 100),
            (false, 900),
        ],
        // A fast flicker while reading.
        LedState::Reading => &[(true, 60), (false, 60)],
        // Steady on: done, take the document.
        LedState::ReadOk => &[(true, 1000)],
        // Double blink: not read or not a permit.
        LedState::ReadFailed => &[(true, 120), (false, 120), (true, 120), (false, 640)],
        // Slow 1 Hz blink: needs attention (camera or disk).
        LedState::Fault => &[(true, 500), (false, 500)],
    }
}

/// A status light.
pub trait StatusLed: Send {
    /// Shows `state` (its [`pattern`]) until told otherwise.
    fn show(&mut self, state: LedState);
    /// Turns the light off (on exit).
    fn off(&mut self);
}

/// Which LED driver, as named on the command line (`--led`) or in the configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LedSpec {
    Gpio(u8),
    Log,
    None,
}

impl FromStr for LedSpec {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "log" => Ok(LedSpec::Log),
            "none" => Ok(LedSpec::None),
            _ => match s.strip_prefix("gpio:").map(str::parse::<u8>) {
                Some(Ok(pin)) if pin <= 27 => Ok(LedSpec::Gpio(pin)),
                _ => Err(format!(
                    "`{s}` is not an LED: use gpio:PIN (BCM 0-27), log or none"
                )),
            },
        }
    }
}

/// Opens the LED `spec` names.
pub fn open(spec: LedSpec) -> Result<Box<dyn StatusLed>, String> {
    match spec {
        LedSpec::None => Ok(Box::new(NoLed)),
        LedSpec::Log => Ok(Box::new(LogLed::default())),
        #[cfg(target_os = "linux")]
        LedSpec::Gpio(pin) => Ok(Box::new(gpio::GpioLed::open(pin)?)),
        #[cfg(not(target_os = "linux"))]
        LedSpec::Gpio(_) => Err("GPIO LEDs are supported on Linux only".into()),
    }
}

/// No light.
pub struct NoLed;

impl StatusLed for NoLed {
    fn show(&mut self, _: LedState) {}
    fn off(&mut self) {}
}

/// Logs each change of state.
#[derive(Default)]
pub struct LogLed {
    current: Option<LedState>,
}

impl StatusLed for LogLed {
    fn show(&mut self, state: LedState) {
        if self.current != Some(state) {
            self.current = Some(state);
            tracing::info!(led = state.as_str(), pattern = ?pattern(state), "status LED");
        }
    }
    fn off(&mut self) {
        self.current = None;
        tracing::info!(led = "off", "status LED");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_has_a_distinct_pattern_and_name() {
        let states = LedState::ALL;
        for s in states {
            // A new state does not compile here: add it to this match and to `ALL` (and give it
            // a pattern, a name and a line in the README's table).
            match s {
                LedState::Idle
                | LedState::HoldStill
                | LedState::Adjust
                | LedState::Reading
                | LedState::ReadOk
                | LedState::ReadFailed
                | LedState::Fault => {}
            }
        }
        for (i, a) in states.iter().enumerate() {
            assert!(!pattern(*a).is_empty());
            assert!(pattern(*a).iter().all(|&(_, ms)| ms > 0));
            // Something to see: a pattern that never lights is no signal.
            assert!(pattern(*a).iter().any(|&(on, _)| on), "{a:?}");
            for b in &states[i + 1..] {
                assert_ne!(pattern(*a), pattern(*b), "{a:?} and {b:?}");
                assert_ne!(a.as_str(), b.as_str());
            }
        }
    }

    #[test]
    fn led_specs_parse() {
        assert_eq!("gpio:17".parse(), Ok(LedSpec::Gpio(17)));
        assert_eq!("log".parse(), Ok(LedSpec::Log));
        assert_eq!("none".parse(), Ok(LedSpec::None));
        for bad in ["gpio:", "gpio:40", "gpio:x", "led"] {
            assert!(bad.parse::<LedSpec>().is_err(), "{bad}");
        }
    }
}
