//! Results that stay on the light long enough to be seen: [`HeldLed`] wraps a [`StatusLed`] so
//! that "read" ([`LedState::ReadOk`]) and "could not read" ([`LedState::ReadFailed`]) play for at
//! least [`RESULT_MIN`], even when the paper is lifted the moment it is read (the tray empties,
//! the daemon shows `idle` at once). What comes meanwhile is shown when the time is up, but for
//! two states that cut in at once: `reading` (another permit has been laid down and has settled:
//! the old result is over, and a steady "read" over a new reading would tell its owner to take
//! it away too soon) and `fault` (it needs staff). The API and the walk-up screen are not held:
//! they say what is true now.

use std::sync::Arc;
use std::time::Duration;

use super::{LedState, StatusLed};
use crate::clock::Clock;

/// How long a result's pattern plays at least: two cycles of the double blink, and long enough
/// to catch from the corner of an eye while taking the permit away.
pub const RESULT_MIN: Duration = Duration::from_secs(2);

/// A status light whose results are held for [`RESULT_MIN`]; [`HeldLed::tick`] (called on every
/// turn of the daemon's loop) shows what waited once the time is up.
pub struct HeldLed {
    led: Box<dyn StatusLed>,
    clock: Arc<dyn Clock>,
    /// A result on the light and until when it is held.
    held_until: Option<Duration>,
    /// What to show once the hold ends.
    waiting: Option<LedState>,
}

impl HeldLed {
    pub fn new(led: Box<dyn StatusLed>, clock: Arc<dyn Clock>) -> HeldLed {
        HeldLed {
            led,
            clock,
            held_until: None,
            waiting: None,
        }
    }

    fn holding(&self) -> bool {
        self.held_until
            .is_some_and(|until| self.clock.now() < until)
    }

    fn put(&mut self, state: LedState) {
        self.waiting = None;
        self.held_until = matches!(state, LedState::ReadOk | LedState::ReadFailed)
            .then(|| self.clock.now() + RESULT_MIN);
        self.led.show(state);
    }

    /// Shows what waited for a held result, once its time is up.
    pub fn tick(&mut self) {
        if !self.holding()
            && let Some(state) = self.waiting.take()
        {
            self.put(state);
        }
    }
}

impl StatusLed for HeldLed {
    fn show(&mut self, state: LedState) {
        if self.holding() && !matches!(state, LedState::Fault | LedState::Reading) {
            self.waiting = Some(state);
        } else {
            self.put(state);
        }
    }

    fn off(&mut self) {
        self.held_until = None;
        self.waiting = None;
        self.led.off();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::clock::SimClock;

    #[derive(Clone, Default)]
    struct Recording(Arc<Mutex<Vec<LedState>>>);

    impl StatusLed for Recording {
        fn show(&mut self, state: LedState) {
            self.0.lock().unwrap().push(state);
        }
        fn off(&mut self) {}
    }

    fn held() -> (HeldLed, Recording, Arc<SimClock>) {
        let rec = Recording::default();
        let clock = Arc::new(SimClock::new());
        (
            HeldLed::new(Box::new(rec.clone()), clock.clone()),
            rec,
            clock,
        )
    }

    #[test]
    fn a_result_stays_two_seconds_when_the_paper_is_lifted_at_once() {
        use LedState::*;
        for result in [ReadOk, ReadFailed] {
            let (mut led, rec, clock) = held();
            led.show(Reading);
            led.show(result);
            // Lifted 50 ms later: the tray is empty, the light keeps the result.
            clock.advance(Duration::from_millis(50));
            led.show(Idle);
            led.tick();
            clock.advance(Duration::from_millis(1900));
            led.tick();
            assert_eq!(
                *rec.0.lock().unwrap(),
                [Reading, result],
                "{result:?} at 1.95 s"
            );
            clock.advance(Duration::from_millis(50));
            led.tick();
            assert_eq!(
                *rec.0.lock().unwrap(),
                [Reading, result, Idle],
                "{result:?} at 2 s"
            );
            // Nothing is held any more.
            led.show(HoldStill);
            assert_eq!(rec.0.lock().unwrap().last(), Some(&HoldStill));
        }
    }

    #[test]
    fn a_new_reading_cuts_in() {
        use LedState::*;
        let (mut led, rec, clock) = held();
        led.show(ReadOk);
        clock.advance(Duration::from_millis(300));
        led.show(Idle);
        led.show(HoldStill);
        led.show(Reading);
        assert_eq!(*rec.0.lock().unwrap(), [ReadOk, Reading]);
        led.tick();
        clock.advance(RESULT_MIN);
        led.tick();
        assert_eq!(
            *rec.0.lock().unwrap(),
            [ReadOk, Reading],
            "nothing waits behind it"
        );
    }

    #[test]
    fn the_latest_state_waits_and_a_fault_cuts_in() {
        use LedState::*;
        let (mut led, rec, clock) = held();
        led.show(ReadOk);
        led.show(Idle);
        led.show(HoldStill);
        clock.advance(RESULT_MIN);
        led.tick();
        assert_eq!(
            *rec.0.lock().unwrap(),
            [ReadOk, HoldStill],
            "only the latest waits"
        );
        led.show(ReadFailed);
        led.show(Fault);
        assert_eq!(
            *rec.0.lock().unwrap(),
            [ReadOk, HoldStill, ReadFailed, Fault]
        );
        // A result after a result is held afresh.
        led.show(ReadOk);
        clock.advance(Duration::from_secs(1));
        led.show(ReadFailed);
        led.tick();
        assert_eq!(rec.0.lock().unwrap().last(), Some(&ReadOk));
        clock.advance(Duration::from_secs(1));
        led.tick();
        assert_eq!(rec.0.lock().unwrap().last(), Some(&ReadFailed));
    }
}
