//! An LED on a Raspberry Pi's GPIO pin (BCM numbering) through rppal.
//!
//! A small thread plays the current pattern; [`StatusLed::show`] only hands it the new state, so
//! the daemon's loop never waits on the light. The pin is driven low when the LED is turned off
//! or dropped.

use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

use rppal::gpio::Gpio;

use super::{LedState, StatusLed, pattern};

enum Command {
    Show(LedState),
    Off,
}

pub struct GpioLed {
    tx: Option<Sender<Command>>,
    player: Option<JoinHandle<()>>,
}

impl GpioLed {
    /// Claims BCM pin `pin` as an output (the user needs the `gpio` group).
    pub fn open(pin: u8) -> Result<GpioLed, String> {
        let mut out = Gpio::new()
            .and_then(|g| g.get(pin))
            .map_err(|e| format!("GPIO pin {pin}: {e}"))?
            .into_output_low();
        let (tx, rx) = mpsc::channel::<Command>();
        let player = std::thread::Builder::new()
            .name("kitascan-led".into())
            .spawn(move || {
                let mut steps: &[(bool, u64)] = &[(false, 1000)];
                let mut i = 0;
                loop {
                    let (on, ms) = steps[i % steps.len()];
                    if on {
                        out.set_high()
                    } else {
                        out.set_low()
                    }
                    match rx.recv_timeout(Duration::from_millis(ms)) {
                        Ok(Command::Show(state)) => {
                            steps = pattern(state);
                            i = 0;
                        }
                        Ok(Command::Off) | Err(RecvTimeoutError::Disconnected) => {
                            out.set_low();
                            return;
                        }
                        Err(RecvTimeoutError::Timeout) => i += 1,
                    }
                }
            })
            .map_err(|e| format!("starting the LED thread: {e}"))?;
        Ok(GpioLed {
            tx: Some(tx),
            player: Some(player),
        })
    }
}

impl StatusLed for GpioLed {
    fn show(&mut self, state: LedState) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(Command::Show(state));
        }
    }

    fn off(&mut self) {
        if let Some(tx) = self.tx.take() {
            let _ = tx.send(Command::Off);
        }
        if let Some(player) = self.player.take() {
            let _ = player.join();
        }
    }
}

impl Drop for GpioLed {
    fn drop(&mut self) {
        self.off();
    }
}
