//! Frame sources: where the daemon's frames come from, behind one [`FrameSource`] trait.
//!
//! - `camera[:INDEX]` ([`camera`]): a USB camera through V4L2 (nokhwa), Linux only.
//! - `replay:DIR` ([`replay::Replay`]): the images of a folder in name order at a frame rate, for
//!   tests, demos and machines without a camera.
//!
//! - [`controls`]: the camera controls the configuration locks down (exposure, white balance,
//!   focus, brightness, power-line frequency); [`list`]: `kitascan camera list`.
//!
//! A source behaves like a camera: frames that the daemon does not take while it is busy are
//! gone, not queued. A source that fails ([`CaptureError`]) is reopened by the daemon with
//! backoff.

#[cfg(target_os = "linux")]
pub mod camera;
pub mod controls;
pub mod list;
pub mod replay;

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use image::RgbImage;

use crate::clock::Clock;

/// One captured frame.
#[derive(Clone)]
pub struct Frame {
    pub image: Arc<RgbImage>,
    /// When it was captured, on the daemon's clock.
    pub at: Duration,
    /// Its number: the file's index for a replay, a counter for a camera.
    pub seq: u64,
}

/// Why a source gave no frame.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    /// The device is missing, unplugged or stopped delivering; reopening may help.
    #[error("camera unavailable: {0}")]
    Unavailable(String),
    /// The source can never work as configured.
    #[error("{0}")]
    Config(String),
}

/// A camera, or something that behaves like one.
pub trait FrameSource {
    /// Opens (or reopens) the device.
    fn open(&mut self) -> Result<(), CaptureError>;
    /// The next frame, waiting for it; `Ok(None)` when a finite source has ended.
    fn next_frame(&mut self) -> Result<Option<Frame>, CaptureError>;
    /// What it is, for logs and the state (never personal data).
    fn describe(&self) -> String;
}

/// A source as named on the command line or in the configuration.
#[derive(Debug, Clone, PartialEq)]
pub enum SourceSpec {
    /// `camera` or `camera:INDEX` (`/dev/videoINDEX`).
    Camera(u32),
    /// `replay:DIR`.
    Replay(PathBuf),
    /// `none`: the API only, no capture.
    None,
}

impl FromStr for SourceSpec {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.split_once(':') {
            None if s == "camera" => Ok(SourceSpec::Camera(0)),
            None if s == "none" => Ok(SourceSpec::None),
            Some(("camera", i)) => i
                .parse()
                .map(SourceSpec::Camera)
                .map_err(|_| format!("camera index `{i}` is not a number")),
            Some(("replay", dir)) if !dir.is_empty() => Ok(SourceSpec::Replay(dir.into())),
            _ => Err(format!(
                "`{s}` is not a source: use camera, camera:INDEX, replay:DIR or none"
            )),
        }
    }
}

impl std::fmt::Display for SourceSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SourceSpec::Camera(i) => write!(f, "camera:{i}"),
            SourceSpec::Replay(dir) => write!(f, "replay:{}", dir.display()),
            SourceSpec::None => write!(f, "none"),
        }
    }
}

/// How a camera is asked to deliver frames (the `[daemon]` section).
#[derive(Debug, Clone, PartialEq)]
pub struct CameraSettings {
    pub width: u32,
    pub height: u32,
    pub fps: u32,
    /// `mjpeg` or `yuyv`.
    pub format: PixelFormat,
    /// Set on every open (`[daemon.camera_controls]`).
    pub controls: controls::CameraControls,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PixelFormat {
    Mjpeg,
    Yuyv,
}

/// Opens the source `spec` names; `None` for [`SourceSpec::None`].
pub fn open_source(
    spec: &SourceSpec,
    camera: &CameraSettings,
    replay_fps: f32,
    replay_loop: bool,
    clock: Arc<dyn Clock>,
) -> Result<Option<Box<dyn FrameSource>>, CaptureError> {
    match spec {
        SourceSpec::None => Ok(None),
        SourceSpec::Replay(dir) => Ok(Some(Box::new(replay::Replay::new(
            dir,
            replay_fps,
            replay_loop,
            clock,
        )?))),
        #[cfg(target_os = "linux")]
        SourceSpec::Camera(index) => Ok(Some(Box::new(camera::Camera::new(
            *index,
            camera.clone(),
            clock,
        )))),
        #[cfg(not(target_os = "linux"))]
        SourceSpec::Camera(_) => {
            let _ = (camera, clock);
            Err(CaptureError::Config(
                "cameras are supported on Linux (V4L2) only".into(),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_specs_parse_and_print() {
        assert_eq!("camera".parse(), Ok(SourceSpec::Camera(0)));
        assert_eq!("camera:2".parse(), Ok(SourceSpec::Camera(2)));
        assert_eq!(
            "replay:/tmp/x".parse(),
            Ok(SourceSpec::Replay("/tmp/x".into()))
        );
        assert_eq!("none".parse(), Ok(SourceSpec::None));
        for bad in ["camera:x", "replay:", "webcam", ""] {
            assert!(bad.parse::<SourceSpec>().is_err(), "{bad}");
        }
        assert_eq!(SourceSpec::Camera(1).to_string(), "camera:1");
    }
}
