//! `replay:DIR`: a folder of images played as a camera would deliver them.
//!
//! Frame `k` is "on the sensor" from `k / fps` seconds after the replay started. Each call to
//! [`FrameSource::next_frame`] waits for the next frame time and returns the frame that is current
//! then: frames whose time passed while the caller was busy are skipped, as a camera drops them.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use super::{CaptureError, Frame, FrameSource};
use crate::clock::Clock;

/// Image files a replay plays: JPEG and PNG, in name order.
pub fn frame_files(dir: &Path) -> Result<Vec<PathBuf>, CaptureError> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| CaptureError::Config(format!("replay folder {}: {e}", dir.display())))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "jpg" | "jpeg" | "png"))
        })
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(CaptureError::Config(format!(
            "replay folder {} holds no JPEG or PNG frames",
            dir.display()
        )));
    }
    Ok(files)
}

/// A folder replayed at a frame rate.
pub struct Replay {
    dir: PathBuf,
    files: Vec<PathBuf>,
    period: Duration,
    looping: bool,
    clock: Arc<dyn Clock>,
    /// Clock time of frame 0 of the current pass.
    start: Option<Duration>,
    /// The last frame index delivered in this pass.
    last: Option<u64>,
}

impl Replay {
    /// Plays the images of `dir` at `fps`; `looping` starts again after the last.
    pub fn new(
        dir: &Path,
        fps: f32,
        looping: bool,
        clock: Arc<dyn Clock>,
    ) -> Result<Replay, CaptureError> {
        if !(fps.is_finite() && fps > 0.0 && fps <= 1000.0) {
            return Err(CaptureError::Config(format!(
                "replay frame rate {fps} is not between 0 and 1000"
            )));
        }
        Ok(Replay {
            dir: dir.to_path_buf(),
            files: frame_files(dir)?,
            period: Duration::from_secs_f64(1.0 / f64::from(fps)),
            looping,
            clock,
            start: None,
            last: None,
        })
    }

    /// How many frames one pass holds.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

impl FrameSource for Replay {
    fn open(&mut self) -> Result<(), CaptureError> {
        self.start = None;
        self.last = None;
        Ok(())
    }

    fn next_frame(&mut self) -> Result<Option<Frame>, CaptureError> {
        let period = self.period.as_secs_f64();
        let start = *self.start.get_or_insert_with(|| self.clock.now());
        // The next frame not yet delivered, or a later one if its time has already passed.
        let elapsed = (self.clock.now() - start).as_secs_f64();
        let current = (elapsed / period + 1e-9).floor() as u64;
        let next = match self.last {
            None => current,
            Some(last) => current.max(last + 1),
        };
        let due = start + Duration::from_secs_f64(next as f64 * period);
        let now = self.clock.now();
        if due > now {
            self.clock.sleep(due - now);
        }
        let mut index = next;
        if index >= self.files.len() as u64 {
            if !self.looping {
                return Ok(None);
            }
            // A new pass starts now.
            self.start = Some(self.clock.now());
            index = 0;
        }
        self.last = Some(index);
        let path = &self.files[index as usize];
        let image = image::open(path)
            .map_err(|e| CaptureError::Unavailable(format!("frame {}: {e}", path.display())))?
            .to_rgb8();
        Ok(Some(Frame {
            image: Arc::new(image),
            at: self.clock.now(),
            seq: index,
        }))
    }

    fn describe(&self) -> String {
        format!("replay:{}", self.dir.display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::SimClock;
    use image::RgbImage;

    fn folder(n: usize) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..n {
            RgbImage::from_pixel(8, 6, image::Rgb([i as u8 * 10, 0, 0]))
                .save(dir.path().join(format!("{i:03}.png")))
                .unwrap();
        }
        std::fs::write(dir.path().join("notes.txt"), "not a frame").unwrap();
        dir
    }

    #[test]
    fn plays_in_order_at_the_frame_rate_and_drops_frames_missed() {
        let dir = folder(10);
        let clock = Arc::new(SimClock::new());
        let mut replay = Replay::new(dir.path(), 10.0, false, clock.clone()).unwrap();
        assert_eq!(replay.len(), 10);
        replay.open().unwrap();
        let f0 = replay.next_frame().unwrap().unwrap();
        let f1 = replay.next_frame().unwrap().unwrap();
        assert_eq!((f0.seq, f1.seq), (0, 1));
        assert_eq!(f0.image.get_pixel(0, 0)[0], 0);
        assert_eq!(f1.image.get_pixel(0, 0)[0], 10);
        assert!((f1.at - f0.at).as_secs_f64() - 0.1 < 1e-6);
        // Busy until 0.55 s: frames 2..=4 pass unseen; frame 5 is the one on the sensor.
        clock.advance(Duration::from_millis(450));
        let f = replay.next_frame().unwrap().unwrap();
        assert_eq!(f.seq, 5);
        let rest: Vec<u64> = std::iter::from_fn(|| replay.next_frame().unwrap())
            .map(|f| f.seq)
            .collect();
        assert_eq!(rest, vec![6, 7, 8, 9]);
    }

    #[test]
    fn loops_when_asked() {
        let dir = folder(3);
        let clock = Arc::new(SimClock::new());
        let mut replay = Replay::new(dir.path(), 5.0, true, clock).unwrap();
        let seqs: Vec<u64> = (0..7)
            .map(|_| replay.next_frame().unwrap().unwrap().seq)
            .collect();
        assert_eq!(seqs, vec![0, 1, 2, 0, 1, 2, 0]);
    }

    #[test]
    fn refuses_an_empty_folder_and_a_bad_rate() {
        let empty = tempfile::tempdir().unwrap();
        let clock: Arc<dyn Clock> = Arc::new(SimClock::new());
        assert!(Replay::new(empty.path(), 10.0, false, clock.clone()).is_err());
        let dir = folder(1);
        assert!(Replay::new(dir.path(), 0.0, false, clock).is_err());
    }
}
