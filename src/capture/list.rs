//! `kitascan camera list`: every V4L2 camera with its formats, resolutions, frame rates and
//! controls, as text for an installer or as JSON.
//!
//! The report ([`CameraReport`]) and its text ([`text`]) are plain data, tested without a
//! camera; [`query`] fills them through nokhwa on Linux. A device that cannot be opened (busy,
//! no permission, or a USB camera's second node, which carries metadata, not frames) is listed
//! with its error and skipped.

use std::fmt::Write;

use serde::Serialize;

use super::controls::{Control, ControlInfo, ControlKind, on_off};

/// One `/dev/videoN` device.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CameraReport {
    /// N of `/dev/videoN`, as `camera:N` names it.
    pub index: u32,
    pub name: String,
    /// The driver's description (its path for V4L2).
    pub description: String,
    /// Why it could not be opened; then formats and controls are empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub formats: Vec<FormatReport>,
    pub controls: Vec<ControlInfo>,
}

/// A pixel format and the sizes the camera delivers it in.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FormatReport {
    /// `MJPEG`, `YUYV`, ...
    pub format: String,
    /// Largest first.
    pub resolutions: Vec<ResolutionReport>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResolutionReport {
    pub width: u32,
    pub height: u32,
    /// Frame rates, highest first.
    pub fps: Vec<u32>,
}

/// The report as text: one block per camera.
pub fn text(cameras: &[CameraReport]) -> String {
    let mut out = String::new();
    for (i, cam) in cameras.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let _ = writeln!(
            out,
            "camera:{}  {} ({})",
            cam.index, cam.name, cam.description
        );
        if let Some(e) = &cam.error {
            let _ = writeln!(out, "  skipped: cannot be opened: {e}");
            continue;
        }
        out.push_str("  formats:\n");
        if cam.formats.is_empty() {
            out.push_str("    (none reported)\n");
        }
        for f in &cam.formats {
            let _ = writeln!(out, "    {}", f.format);
            for r in &f.resolutions {
                let fps: Vec<String> = r.fps.iter().map(u32::to_string).collect();
                let fps = if fps.is_empty() {
                    "frame rates not reported".to_string()
                } else {
                    format!("{} fps", fps.join(", "))
                };
                let _ = writeln!(out, "      {}x{}: {fps}", r.width, r.height);
            }
        }
        out.push_str("  controls:\n");
        if cam.controls.is_empty() {
            out.push_str("    (none reported)\n");
        }
        for c in &cam.controls {
            let _ = writeln!(out, "    {}", control_line(c));
        }
    }
    out
}

/// One control: name, kind and range, its choices when it is a menu kitascan knows, and the
/// `daemon.camera_controls` key that sets it.
fn control_line(c: &ControlInfo) -> String {
    let known = c.id.and_then(Control::from_id);
    let choices = known.map_or(&[][..], Control::choices);
    let mut line = match &c.kind {
        ControlKind::Integer {
            min,
            max,
            default,
            current,
            ..
        } if !choices.is_empty() => {
            let named: Vec<String> = choices
                .iter()
                .filter(|(v, _)| (*min..=*max).contains(v))
                .map(|(v, name)| format!("{v} {name}"))
                .collect();
            format!(
                "{}: menu, choices {} (the camera may refuse some), default {default}, now \
                 {current}",
                c.name,
                named.join(", ")
            )
        }
        ControlKind::Integer {
            min,
            max,
            step,
            default,
            current,
        } => format!(
            "{}: integer, {min} to {max} step {step}, default {default}, now {current}",
            c.name
        ),
        ControlKind::Boolean { default, current } => format!(
            "{}: boolean, default {}, now {}",
            c.name,
            on_off(*default),
            on_off(*current)
        ),
        ControlKind::Other { description } => format!("{}: {description}", c.name),
    };
    if !c.active {
        line.push_str(" [inactive]");
    }
    if let Some(k) = known {
        let _ = write!(line, "  (daemon.camera_controls.{})", k.setting());
    }
    line
}

/// Every V4L2 camera on this machine, each opened in turn (a camera that another program is
/// streaming from may refuse to open: it is listed with the error).
#[cfg(target_os = "linux")]
pub fn query() -> Result<Vec<CameraReport>, String> {
    use nokhwa::pixel_format::RgbFormat;
    use nokhwa::utils::{ApiBackend, RequestedFormat, RequestedFormatType};

    let infos = nokhwa::query(ApiBackend::Video4Linux).map_err(|e| e.to_string())?;
    let mut reports = Vec::with_capacity(infos.len());
    for info in infos {
        let Ok(index) = info.index().as_index() else {
            continue;
        };
        let mut report = CameraReport {
            index,
            name: info.human_name(),
            description: info.description().to_string(),
            error: None,
            formats: Vec::new(),
            controls: Vec::new(),
        };
        let requested = RequestedFormat::new::<RgbFormat>(RequestedFormatType::None);
        match nokhwa::Camera::new(info.index().clone(), requested) {
            Err(e) => report.error = Some(e.to_string()),
            Ok(mut camera) => {
                report.formats = formats(&mut camera);
                report.controls = match camera.camera_controls() {
                    Ok(controls) => controls.iter().map(super::camera::control_info).collect(),
                    Err(e) => {
                        tracing::warn!(camera = index, "controls not readable: {e}");
                        Vec::new()
                    }
                };
            }
        }
        reports.push(report);
    }
    reports.sort_by_key(|r| r.index);
    Ok(reports)
}

#[cfg(target_os = "linux")]
fn formats(camera: &mut nokhwa::Camera) -> Vec<FormatReport> {
    let fourccs = match camera.compatible_fourcc() {
        Ok(f) => f,
        Err(e) => {
            tracing::warn!("formats not readable: {e}");
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for fourcc in fourccs {
        let mut resolutions: Vec<ResolutionReport> =
            match camera.compatible_list_by_resolution(fourcc) {
                Ok(map) => map
                    .into_iter()
                    .map(|(res, mut fps)| {
                        fps.sort_unstable_by(|a, b| b.cmp(a));
                        fps.dedup();
                        ResolutionReport {
                            width: res.width(),
                            height: res.height(),
                            fps,
                        }
                    })
                    .collect(),
                Err(e) => {
                    tracing::warn!(format = %fourcc, "resolutions not readable: {e}");
                    Vec::new()
                }
            };
        resolutions.sort_by_key(|r| {
            std::cmp::Reverse((u64::from(r.width) * u64::from(r.height), r.width))
        });
        out.push(FormatReport {
            format: fourcc.to_string(),
            resolutions,
        });
    }
    out
}

#[cfg(not(target_os = "linux"))]
pub fn query() -> Result<Vec<CameraReport>, String> {
    Err("cameras are supported on Linux (V4L2) only".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<CameraReport> {
        vec![
            CameraReport {
                index: 0,
                name: "HD USB Camera".into(),
                description: "Video4Linux Device @ /dev/video0".into(),
                error: None,
                formats: vec![FormatReport {
                    format: "MJPEG".into(),
                    resolutions: vec![
                        ResolutionReport {
                            width: 1920,
                            height: 1080,
                            fps: vec![30, 15],
                        },
                        ResolutionReport {
                            width: 640,
                            height: 480,
                            fps: vec![],
                        },
                    ],
                }],
                controls: vec![
                    ControlInfo {
                        name: "Brightness".into(),
                        id: Some(Control::Brightness.id()),
                        kind: ControlKind::Integer {
                            min: -64,
                            max: 64,
                            step: 1,
                            default: 0,
                            current: 12,
                        },
                        active: true,
                    },
                    ControlInfo {
                        name: "Auto Exposure".into(),
                        id: Some(Control::ExposureAuto.id()),
                        kind: ControlKind::Integer {
                            min: 0,
                            max: 3,
                            step: 1,
                            default: 3,
                            current: 1,
                        },
                        active: true,
                    },
                    ControlInfo {
                        name: "Exposure Time, Absolute".into(),
                        id: Some(Control::ExposureAbsolute.id()),
                        kind: ControlKind::Integer {
                            min: 3,
                            max: 2047,
                            step: 1,
                            default: 250,
                            current: 250,
                        },
                        active: false,
                    },
                    ControlInfo {
                        name: "White Balance, Automatic".into(),
                        id: Some(Control::WhiteBalanceAuto.id()),
                        kind: ControlKind::Boolean {
                            default: true,
                            current: false,
                        },
                        active: true,
                    },
                    ControlInfo {
                        name: "Contrast".into(),
                        id: Some(0x0098_0901),
                        kind: ControlKind::Integer {
                            min: 0,
                            max: 95,
                            step: 1,
                            default: 32,
                            current: 32,
                        },
                        active: true,
                    },
                ],
            },
            CameraReport {
                index: 1,
                name: "HD USB Camera".into(),
                description: "Video4Linux Device @ /dev/video1".into(),
                error: Some("Could not get device property CameraFormat: Failed to Fufill".into()),
                formats: vec![],
                controls: vec![],
            },
        ]
    }

    #[test]
    fn the_text_lists_formats_and_controls_with_their_ranges() {
        let got = text(&sample());
        let want = "\
camera:0  HD USB Camera (Video4Linux Device @ /dev/video0)
  formats:
    MJPEG
      1920x1080: 30, 15 fps
      640x480: frame rates not reported
  controls:
    Brightness: integer, -64 to 64 step 1, default 0, now 12  (daemon.camera_controls.brightness)
    Auto Exposure: menu, choices 0 auto, 1 manual, 2 shutter priority, 3 aperture priority (the camera may refuse some), default 3, now 1  (daemon.camera_controls.exposure)
    Exposure Time, Absolute: integer, 3 to 2047 step 1, default 250, now 250 [inactive]  (daemon.camera_controls.exposure)
    White Balance, Automatic: boolean, default on, now off  (daemon.camera_controls.white_balance)
    Contrast: integer, 0 to 95 step 1, default 32, now 32

camera:1  HD USB Camera (Video4Linux Device @ /dev/video1)
  skipped: cannot be opened: Could not get device property CameraFormat: Failed to Fufill
";
        assert_eq!(got, want);
    }

    #[test]
    fn the_json_names_each_controls_kind_and_range() {
        let v = serde_json::to_value(sample()).unwrap();
        assert_eq!(v[0]["formats"][0]["resolutions"][0]["fps"][0], 30);
        let brightness = &v[0]["controls"][0];
        assert_eq!(brightness["kind"], "integer");
        assert_eq!(brightness["min"], -64);
        assert_eq!(brightness["current"], 12);
        assert_eq!(brightness["id"], 0x0098_0900);
        assert_eq!(v[0]["controls"][3]["kind"], "boolean");
        assert!(v[0].get("error").is_none());
        assert!(v[1]["error"].as_str().unwrap().contains("Fufill"));
    }
}
