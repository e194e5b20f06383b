//! `camera[:INDEX]`: a USB camera through V4L2 (nokhwa).
//!
//! The camera is asked for the configured resolution, frame rate and pixel format (the closest
//! it offers). Any error opening it or reading a frame is [`CaptureError::Unavailable`]: the
//! daemon closes it, shows the fault and reopens it with backoff, so unplugging and plugging the
//! camera back in recovers without a restart.
//!
//! Every open (and reopen: a replugged camera has forgotten them) sets the configured controls
//! ([`super::controls`]); a control the camera lacks or refuses is a warning, never an error.

use std::sync::Arc;

use nokhwa::pixel_format::RgbFormat;
use nokhwa::utils::{
    CameraControl, CameraFormat, CameraIndex, ControlValueDescription, ControlValueSetter,
    FrameFormat, KnownCameraControl, RequestedFormat, RequestedFormatType, Resolution,
};

use super::controls::{self, Control, ControlDevice, ControlInfo, ControlKind, ControlValue};
use super::{CameraSettings, CaptureError, Frame, FrameSource, PixelFormat};
use crate::clock::Clock;

pub struct Camera {
    index: u32,
    settings: CameraSettings,
    clock: Arc<dyn Clock>,
    device: Option<nokhwa::Camera>,
    seq: u64,
}

impl Camera {
    /// A camera to open later ([`FrameSource::open`]).
    pub fn new(index: u32, settings: CameraSettings, clock: Arc<dyn Clock>) -> Camera {
        Camera {
            index,
            settings,
            clock,
            device: None,
            seq: 0,
        }
    }
}

fn unavailable(e: impl std::fmt::Display) -> CaptureError {
    CaptureError::Unavailable(e.to_string())
}

impl FrameSource for Camera {
    fn open(&mut self) -> Result<(), CaptureError> {
        if let Some(mut old) = self.device.take() {
            let _ = old.stop_stream();
        }
        let s = &self.settings;
        let format = match s.format {
            PixelFormat::Mjpeg => FrameFormat::MJPEG,
            PixelFormat::Yuyv => FrameFormat::YUYV,
        };
        let wanted = CameraFormat::new(Resolution::new(s.width, s.height), format, s.fps);
        let requested = RequestedFormat::new::<RgbFormat>(RequestedFormatType::Closest(wanted));
        let mut device =
            nokhwa::Camera::new(CameraIndex::Index(self.index), requested).map_err(unavailable)?;
        device.open_stream().map_err(unavailable)?;
        let got = device.camera_format();
        tracing::info!(
            camera = self.index,
            width = got.width(),
            height = got.height(),
            fps = got.frame_rate(),
            format = %got.format(),
            "camera open"
        );
        let requests = controls::requests(&s.controls);
        if !requests.is_empty() {
            controls::apply(&mut device, &requests, &self.describe());
        }
        self.device = Some(device);
        Ok(())
    }

    fn next_frame(&mut self) -> Result<Option<Frame>, CaptureError> {
        let device = self
            .device
            .as_mut()
            .ok_or_else(|| unavailable("the camera is not open"))?;
        let result = device
            .frame()
            .and_then(|buffer| buffer.decode_image::<RgbFormat>());
        match result {
            Ok(image) => {
                self.seq += 1;
                Ok(Some(Frame {
                    image: Arc::new(image),
                    at: self.clock.now(),
                    seq: self.seq,
                }))
            }
            Err(e) => {
                // Closed, so that the next open starts from a clean device.
                self.device = None;
                Err(unavailable(e))
            }
        }
    }

    fn describe(&self) -> String {
        format!("camera:{}", self.index)
    }
}

/// The control as nokhwa's V4L2 backend names it: the controls it knows by name
/// (`nokhwa_bindings_linux::id_to_known_camera_control`, not re-exported) under that name, every
/// other id as `Other(id)`.
fn known(control: Control) -> KnownCameraControl {
    match control {
        Control::Brightness => KnownCameraControl::Brightness,
        Control::WhiteBalanceTemperature => KnownCameraControl::WhiteBalance,
        Control::Exposure => KnownCameraControl::Exposure,
        other => KnownCameraControl::Other(u128::from(other.id())),
    }
}

/// The V4L2 id of a control as nokhwa names it (the inverse of `known`, for every control).
fn v4l2_id(control: KnownCameraControl) -> Option<u32> {
    // linux/v4l2-controls.h; nokhwa maps these ids to names and every other id to `Other`.
    const BASE: u32 = 0x0098_0900;
    const CAMERA_CLASS_BASE: u32 = 0x009a_0900;
    Some(match control {
        KnownCameraControl::Brightness => BASE,
        KnownCameraControl::Contrast => BASE + 1,
        KnownCameraControl::Saturation => BASE + 2,
        KnownCameraControl::Hue => BASE + 3,
        KnownCameraControl::WhiteBalance => BASE + 26,
        KnownCameraControl::Gamma => BASE + 16,
        KnownCameraControl::Exposure => BASE + 17,
        KnownCameraControl::Gain => BASE + 19,
        KnownCameraControl::Sharpness => BASE + 27,
        KnownCameraControl::BacklightComp => BASE + 28,
        KnownCameraControl::Pan => CAMERA_CLASS_BASE + 4,
        KnownCameraControl::Tilt => CAMERA_CLASS_BASE + 5,
        KnownCameraControl::Focus => CAMERA_CLASS_BASE + 11,
        KnownCameraControl::Zoom => CAMERA_CLASS_BASE + 14,
        KnownCameraControl::Iris => CAMERA_CLASS_BASE + 18,
        KnownCameraControl::Other(id) => u32::try_from(id).ok()?,
    })
}

/// A nokhwa control description as kitascan reports it.
pub(crate) fn control_info(c: &CameraControl) -> ControlInfo {
    let kind = match c.description() {
        ControlValueDescription::IntegerRange {
            min,
            max,
            value,
            step,
            default,
        } => ControlKind::Integer {
            min: *min,
            max: *max,
            step: *step,
            default: *default,
            current: *value,
        },
        ControlValueDescription::Boolean { value, default } => ControlKind::Boolean {
            default: *default,
            current: *value,
        },
        other => ControlKind::Other {
            description: format!("{other:?}"),
        },
    };
    ControlInfo {
        name: c.name().to_string(),
        id: v4l2_id(c.control()),
        kind,
        active: c.active(),
    }
}

impl ControlDevice for nokhwa::Camera {
    fn describe(&self, control: Control) -> Option<ControlInfo> {
        self.camera_control(known(control))
            .ok()
            .map(|c| control_info(&c))
    }

    fn set(&mut self, control: Control, value: ControlValue) -> Result<(), String> {
        let value = match value {
            ControlValue::Integer(v) => ControlValueSetter::Integer(v),
            ControlValue::Boolean(b) => ControlValueSetter::Boolean(b),
        };
        self.set_camera_control(known(control), value)
            .map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_named_as_nokhwa_names_them() {
        for c in Control::ALL {
            assert_eq!(v4l2_id(known(c)), Some(c.id()), "{c:?}");
        }
        assert_eq!(known(Control::Brightness), KnownCameraControl::Brightness);
        assert_eq!(
            known(Control::ExposureAuto),
            KnownCameraControl::Other(0x009a_0901)
        );
    }

    #[test]
    fn nokhwa_descriptions_become_ranges() {
        let c = CameraControl::new(
            KnownCameraControl::WhiteBalance,
            "White Balance Temperature".into(),
            ControlValueDescription::IntegerRange {
                min: 2800,
                max: 6500,
                value: 4600,
                step: 10,
                default: 4600,
            },
            vec![],
            false,
        );
        let info = control_info(&c);
        assert_eq!(info.id, Some(Control::WhiteBalanceTemperature.id()));
        assert!(!info.active);
        assert_eq!(
            info.kind.range(),
            "2800 to 6500 in steps of 10, default 4600, now 4600"
        );
    }
}
