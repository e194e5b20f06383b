//! `camera[:INDEX]`: a USB camera through V4L2 (nokhwa).
//!
//! The camera is asked for the configured resolution, frame rate and pixel format (the closest
//! it offers). Any error opening it or reading a frame is [`CaptureError::Unavailable`]: the
//! daemon closes it, shows the fault and reopens it with backoff, so unplugging and plugging the
//! camera back in recovers without a restart.

use std::sync::Arc;

use nokhwa::pixel_format::RgbFormat;
use nokhwa::utils::{
    CameraFormat, CameraIndex, FrameFormat, RequestedFormat, RequestedFormatType, Resolution,
};

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
