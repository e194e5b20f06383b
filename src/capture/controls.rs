//! Camera controls a kiosk installer locks down (`[daemon.camera_controls]`): exposure, white
//! balance, focus, brightness and power-line frequency.
//!
//! Platform-independent: the typed settings ([`CameraControls`]), the V4L2 controls they become
//! ([`requests`], a pure function), and applying those requests to anything that can describe and
//! set a control ([`ControlDevice`], [`apply`]). The camera (`camera.rs`, Linux) implements
//! [`ControlDevice`] over nokhwa; the tests here use a fake one.
//!
//! Invariants:
//! - A setting left out of the configuration touches nothing on the camera.
//! - A control the camera lacks, or a value it refuses, is a warning naming the setting, the
//!   control and the camera's range; the camera goes on with its own value.
//! - Mode before value: a manual exposure, white balance or focus first turns the matching
//!   automatic control off, then sets the value (an inactive control may refuse a value).

use serde::Serialize;

/// A setting that is either left to the camera's automatic control or fixed to a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AutoOr {
    Auto,
    Value(i64),
}

/// The mains frequency whose flicker the camera filters out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PowerLine {
    Off,
    Hz50,
    Hz60,
}

/// The camera controls the configuration sets; `None` leaves the camera's own value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CameraControls {
    /// `auto`, or an exposure time in the camera's unit (100 µs on USB cameras).
    pub exposure: Option<AutoOr>,
    /// `auto`, or a colour temperature in kelvin.
    pub white_balance: Option<AutoOr>,
    /// `auto`, or a focus position in the camera's unit.
    pub focus: Option<AutoOr>,
    pub brightness: Option<i64>,
    pub power_line_frequency: Option<PowerLine>,
}

impl CameraControls {
    pub fn is_empty(&self) -> bool {
        *self == CameraControls::default()
    }
}

/// The V4L2 controls the settings use (ids from `linux/v4l2-controls.h`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Control {
    /// `V4L2_CID_EXPOSURE_AUTO`, a menu ([`EXPOSURE_AUTO_CHOICES`]).
    ExposureAuto,
    /// `V4L2_CID_EXPOSURE_ABSOLUTE`, in 100 µs: what USB (UVC) cameras offer.
    ExposureAbsolute,
    /// `V4L2_CID_EXPOSURE`, in the driver's unit: what some other drivers offer instead.
    Exposure,
    /// `V4L2_CID_AUTO_WHITE_BALANCE`, a boolean.
    WhiteBalanceAuto,
    /// `V4L2_CID_WHITE_BALANCE_TEMPERATURE`, in kelvin.
    WhiteBalanceTemperature,
    /// `V4L2_CID_FOCUS_AUTO`, a boolean.
    FocusAuto,
    /// `V4L2_CID_FOCUS_ABSOLUTE`.
    FocusAbsolute,
    /// `V4L2_CID_BRIGHTNESS`.
    Brightness,
    /// `V4L2_CID_POWER_LINE_FREQUENCY`, a menu ([`POWER_LINE_CHOICES`]).
    PowerLineFrequency,
}

const V4L2_CID_BASE: u32 = 0x0098_0900;
const V4L2_CID_CAMERA_CLASS_BASE: u32 = 0x009a_0900;

/// `V4L2_CID_EXPOSURE_AUTO`'s menu (`enum v4l2_exposure_auto_type`). USB cameras usually offer
/// manual and aperture priority only: their "auto" is aperture priority (fixed iris, automatic
/// exposure time).
pub const EXPOSURE_AUTO_CHOICES: &[(i64, &str)] = &[
    (0, "auto"),
    (1, "manual"),
    (2, "shutter priority"),
    (3, "aperture priority"),
];
const EXPOSURE_AUTO: i64 = 0;
const EXPOSURE_MANUAL: i64 = 1;
const EXPOSURE_APERTURE_PRIORITY: i64 = 3;

/// `V4L2_CID_POWER_LINE_FREQUENCY`'s menu (`enum v4l2_power_line_frequency`).
pub const POWER_LINE_CHOICES: &[(i64, &str)] =
    &[(0, "off"), (1, "50 Hz"), (2, "60 Hz"), (3, "auto")];

impl Control {
    pub const ALL: [Control; 9] = [
        Control::ExposureAuto,
        Control::ExposureAbsolute,
        Control::Exposure,
        Control::WhiteBalanceAuto,
        Control::WhiteBalanceTemperature,
        Control::FocusAuto,
        Control::FocusAbsolute,
        Control::Brightness,
        Control::PowerLineFrequency,
    ];

    /// The V4L2 control id.
    pub fn id(self) -> u32 {
        match self {
            Control::ExposureAuto => V4L2_CID_CAMERA_CLASS_BASE + 1,
            Control::ExposureAbsolute => V4L2_CID_CAMERA_CLASS_BASE + 2,
            Control::Exposure => V4L2_CID_BASE + 17,
            Control::WhiteBalanceAuto => V4L2_CID_BASE + 12,
            Control::WhiteBalanceTemperature => V4L2_CID_BASE + 26,
            Control::FocusAuto => V4L2_CID_CAMERA_CLASS_BASE + 12,
            Control::FocusAbsolute => V4L2_CID_CAMERA_CLASS_BASE + 10,
            Control::Brightness => V4L2_CID_BASE,
            Control::PowerLineFrequency => V4L2_CID_BASE + 24,
        }
    }

    pub fn from_id(id: u32) -> Option<Control> {
        Control::ALL.into_iter().find(|c| c.id() == id)
    }

    /// The name V4L2 drivers give it, for warnings (the camera's own name may differ).
    pub fn name(self) -> &'static str {
        match self {
            Control::ExposureAuto => "Auto Exposure",
            Control::ExposureAbsolute => "Exposure Time, Absolute",
            Control::Exposure => "Exposure",
            Control::WhiteBalanceAuto => "White Balance, Automatic",
            Control::WhiteBalanceTemperature => "White Balance Temperature",
            Control::FocusAuto => "Focus, Automatic Continuous",
            Control::FocusAbsolute => "Focus, Absolute",
            Control::Brightness => "Brightness",
            Control::PowerLineFrequency => "Power Line Frequency",
        }
    }

    /// The `[daemon.camera_controls]` key that sets it.
    pub fn setting(self) -> &'static str {
        match self {
            Control::ExposureAuto | Control::ExposureAbsolute | Control::Exposure => "exposure",
            Control::WhiteBalanceAuto | Control::WhiteBalanceTemperature => "white_balance",
            Control::FocusAuto | Control::FocusAbsolute => "focus",
            Control::Brightness => "brightness",
            Control::PowerLineFrequency => "power_line_frequency",
        }
    }

    /// The named values of a menu control; empty for the others.
    pub fn choices(self) -> &'static [(i64, &'static str)] {
        match self {
            Control::ExposureAuto => EXPOSURE_AUTO_CHOICES,
            Control::PowerLineFrequency => POWER_LINE_CHOICES,
            _ => &[],
        }
    }
}

/// One control to set: the first of `controls` the camera offers, to the first of `values` it
/// takes (a boolean control takes 0 as off and 1 as on).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The `[daemon.camera_controls]` key it comes from.
    pub setting: &'static str,
    pub controls: &'static [Control],
    pub values: Vec<i64>,
}

fn request(setting: &'static str, controls: &'static [Control], values: Vec<i64>) -> Request {
    Request {
        setting,
        controls,
        values,
    }
}

/// The controls to set, in order, for the settings.
pub fn requests(settings: &CameraControls) -> Vec<Request> {
    use Control::*;
    let mut out = Vec::new();
    match settings.exposure {
        None => {}
        Some(AutoOr::Auto) => out.push(request(
            "exposure",
            &[ExposureAuto],
            vec![EXPOSURE_APERTURE_PRIORITY, EXPOSURE_AUTO],
        )),
        Some(AutoOr::Value(v)) => {
            out.push(request("exposure", &[ExposureAuto], vec![EXPOSURE_MANUAL]));
            out.push(request("exposure", &[ExposureAbsolute, Exposure], vec![v]));
        }
    }
    match settings.white_balance {
        None => {}
        Some(AutoOr::Auto) => out.push(request("white_balance", &[WhiteBalanceAuto], vec![1])),
        Some(AutoOr::Value(kelvin)) => {
            out.push(request("white_balance", &[WhiteBalanceAuto], vec![0]));
            out.push(request(
                "white_balance",
                &[WhiteBalanceTemperature],
                vec![kelvin],
            ));
        }
    }
    match settings.focus {
        None => {}
        Some(AutoOr::Auto) => out.push(request("focus", &[FocusAuto], vec![1])),
        Some(AutoOr::Value(v)) => {
            out.push(request("focus", &[FocusAuto], vec![0]));
            out.push(request("focus", &[FocusAbsolute], vec![v]));
        }
    }
    if let Some(v) = settings.brightness {
        out.push(request("brightness", &[Brightness], vec![v]));
    }
    if let Some(p) = settings.power_line_frequency {
        let v = match p {
            PowerLine::Off => 0,
            PowerLine::Hz50 => 1,
            PowerLine::Hz60 => 2,
        };
        out.push(request(
            "power_line_frequency",
            &[PowerLineFrequency],
            vec![v],
        ));
    }
    out
}

/// What a camera says about one of its controls.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ControlInfo {
    /// The driver's name for it.
    pub name: String,
    /// The V4L2 control id, when known.
    pub id: Option<u32>,
    #[serde(flatten)]
    pub kind: ControlKind,
    /// False while another control overrides it (e.g. the exposure time under auto exposure).
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum ControlKind {
    Integer {
        min: i64,
        max: i64,
        step: i64,
        default: i64,
        current: i64,
    },
    Boolean {
        default: bool,
        current: bool,
    },
    /// A kind kitascan does not set (string, bytes, ...), as the driver describes it.
    Other {
        description: String,
    },
}

impl ControlKind {
    /// The range as a warning states it.
    pub fn range(&self) -> String {
        match self {
            ControlKind::Integer {
                min,
                max,
                step,
                default,
                current,
            } => format!("{min} to {max} in steps of {step}, default {default}, now {current}"),
            ControlKind::Boolean { default, current } => format!(
                "on or off, default {}, now {}",
                on_off(*default),
                on_off(*current)
            ),
            ControlKind::Other { description } => description.clone(),
        }
    }

    /// Why the camera would refuse `value`, or `None` when it is in range.
    fn refuses(&self, value: i64) -> Option<String> {
        match self {
            ControlKind::Integer { min, max, step, .. } => {
                if value < *min || value > *max {
                    Some(format!("{value} is outside the camera's range"))
                } else if *step > 1 && (value - min) % step != 0 {
                    Some(format!("{value} is not on the camera's steps"))
                } else {
                    None
                }
            }
            ControlKind::Boolean { .. } => (!(0..=1).contains(&value))
                .then(|| format!("{value} is not a boolean value (0 or 1)")),
            ControlKind::Other { .. } => {
                Some("the camera's control is not a number or a switch".into())
            }
        }
    }
}

pub fn on_off(b: bool) -> &'static str {
    if b { "on" } else { "off" }
}

/// A value for a control, as its kind takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ControlValue {
    Integer(i64),
    Boolean(bool),
}

/// A camera whose controls can be described and set.
pub trait ControlDevice {
    /// The control as the camera offers it, or `None` when it has no such control.
    fn describe(&self, control: Control) -> Option<ControlInfo>;
    /// Sets a control; the error says why the camera refused.
    fn set(&mut self, control: Control, value: ControlValue) -> Result<(), String>;
}

/// What became of one [`Request`].
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Set {
        setting: &'static str,
        control: Control,
        value: i64,
    },
    /// The camera has none of the request's controls.
    Missing {
        setting: &'static str,
        controls: &'static [Control],
    },
    /// The camera refused every value: the reason for the last, and the control's range.
    Refused {
        setting: &'static str,
        control: Control,
        values: Vec<i64>,
        reason: String,
        range: String,
    },
}

impl Outcome {
    /// The warning for a request not applied, as the log gives it; `None` when it was set.
    pub fn warning(&self, camera: &str) -> Option<String> {
        match self {
            Outcome::Set { .. } => None,
            Outcome::Missing { setting, controls } => {
                let names: Vec<&str> = controls.iter().map(|c| c.name()).collect();
                Some(format!(
                    "{camera}: daemon.camera_controls.{setting} not applied: the camera has no \
                     {} control (`kitascan camera list` shows what it has)",
                    names.join(" or ")
                ))
            }
            Outcome::Refused {
                setting,
                control,
                values,
                reason,
                range,
            } => {
                let values: Vec<String> = values.iter().map(i64::to_string).collect();
                Some(format!(
                    "{camera}: daemon.camera_controls.{setting} not applied: {} refused {}: \
                     {reason}; the camera's range: {range}",
                    control.name(),
                    values.join(" and ")
                ))
            }
        }
    }
}

/// Applies the requests in order; never fails: a missing control or refused value is logged as a
/// warning ([`Outcome::warning`]: the camera, the setting, the control and its range) and
/// returned.
pub fn apply(device: &mut dyn ControlDevice, requests: &[Request], camera: &str) -> Vec<Outcome> {
    requests
        .iter()
        .map(|r| {
            let outcome = apply_one(device, r);
            if let Some(warning) = outcome.warning(camera) {
                tracing::warn!("{warning}");
            } else if let Outcome::Set {
                setting,
                control,
                value,
            } = &outcome
            {
                tracing::info!(
                    camera,
                    setting,
                    control = control.name(),
                    value,
                    "camera control set"
                );
            }
            outcome
        })
        .collect()
}

fn apply_one(device: &mut dyn ControlDevice, r: &Request) -> Outcome {
    let Some((control, info)) = r
        .controls
        .iter()
        .find_map(|&c| device.describe(c).map(|info| (c, info)))
    else {
        return Outcome::Missing {
            setting: r.setting,
            controls: r.controls,
        };
    };
    let mut reason = String::from("no value to set");
    for &v in &r.values {
        if let Some(why) = info.kind.refuses(v) {
            reason = why;
            continue;
        }
        let value = match info.kind {
            ControlKind::Boolean { .. } => ControlValue::Boolean(v != 0),
            _ => ControlValue::Integer(v),
        };
        match device.set(control, value) {
            Ok(()) => {
                return Outcome::Set {
                    setting: r.setting,
                    control,
                    value: v,
                };
            }
            Err(e) => reason = e,
        }
    }
    Outcome::Refused {
        setting: r.setting,
        control,
        values: r.values.clone(),
        reason,
        range: info.kind.range(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn control_ids_are_the_kernels() {
        // linux/v4l2-controls.h, as v4l2-sys-mit's bindings have them.
        assert_eq!(Control::Brightness.id(), 9963776);
        assert_eq!(Control::WhiteBalanceAuto.id(), 9963788);
        assert_eq!(Control::Exposure.id(), 9963793);
        assert_eq!(Control::PowerLineFrequency.id(), 9963800);
        assert_eq!(Control::WhiteBalanceTemperature.id(), 9963802);
        assert_eq!(Control::ExposureAuto.id(), 10094849);
        assert_eq!(Control::ExposureAbsolute.id(), 10094850);
        assert_eq!(Control::FocusAbsolute.id(), 10094858);
        assert_eq!(Control::FocusAuto.id(), 10094860);
        for c in Control::ALL {
            assert_eq!(Control::from_id(c.id()), Some(c));
        }
        assert_eq!(Control::from_id(0x0098_0901), None); // contrast
    }

    #[test]
    fn nothing_configured_touches_nothing() {
        assert!(CameraControls::default().is_empty());
        assert!(requests(&CameraControls::default()).is_empty());
    }

    #[test]
    fn manual_settings_turn_the_automatic_control_off_first() {
        let settings = CameraControls {
            exposure: Some(AutoOr::Value(250)),
            white_balance: Some(AutoOr::Value(4600)),
            focus: Some(AutoOr::Value(30)),
            brightness: Some(-5),
            power_line_frequency: Some(PowerLine::Hz50),
        };
        use Control::*;
        let got: Vec<(&str, &[Control], Vec<i64>)> = requests(&settings)
            .into_iter()
            .map(|r| (r.setting, r.controls, r.values))
            .collect();
        let want: Vec<(&str, &[Control], Vec<i64>)> = vec![
            ("exposure", &[ExposureAuto], vec![1]),
            ("exposure", &[ExposureAbsolute, Exposure], vec![250]),
            ("white_balance", &[WhiteBalanceAuto], vec![0]),
            ("white_balance", &[WhiteBalanceTemperature], vec![4600]),
            ("focus", &[FocusAuto], vec![0]),
            ("focus", &[FocusAbsolute], vec![30]),
            ("brightness", &[Brightness], vec![-5]),
            ("power_line_frequency", &[PowerLineFrequency], vec![1]),
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn auto_settings_turn_the_automatic_control_on() {
        let settings = CameraControls {
            exposure: Some(AutoOr::Auto),
            white_balance: Some(AutoOr::Auto),
            focus: Some(AutoOr::Auto),
            brightness: None,
            power_line_frequency: Some(PowerLine::Off),
        };
        use Control::*;
        let got: Vec<(Control, Vec<i64>)> = requests(&settings)
            .into_iter()
            .map(|r| (r.controls[0], r.values))
            .collect();
        assert_eq!(
            got,
            vec![
                // Aperture priority is a USB camera's auto; full auto where it has that instead.
                (ExposureAuto, vec![3, 0]),
                (WhiteBalanceAuto, vec![1]),
                (FocusAuto, vec![1]),
                (PowerLineFrequency, vec![0]),
            ]
        );
        let hz60 = CameraControls {
            power_line_frequency: Some(PowerLine::Hz60),
            ..CameraControls::default()
        };
        assert_eq!(requests(&hz60)[0].values, vec![2]);
    }

    /// A camera with some controls, which records what was set and refuses what its `refuse`
    /// list holds, as a driver answering EINVAL would.
    struct FakeCamera {
        controls: HashMap<Control, ControlKind>,
        refuse: Vec<(Control, i64)>,
        set: Vec<(Control, ControlValue)>,
    }

    fn integer(min: i64, max: i64, step: i64, default: i64) -> ControlKind {
        ControlKind::Integer {
            min,
            max,
            step,
            default,
            current: default,
        }
    }

    fn boolean() -> ControlKind {
        ControlKind::Boolean {
            default: true,
            current: true,
        }
    }

    /// A typical UVC webcam: no full-auto exposure, no focus controls.
    fn webcam() -> FakeCamera {
        FakeCamera {
            controls: HashMap::from([
                (Control::ExposureAuto, integer(0, 3, 1, 3)),
                (Control::ExposureAbsolute, integer(3, 2047, 1, 250)),
                (Control::WhiteBalanceAuto, boolean()),
                (
                    Control::WhiteBalanceTemperature,
                    integer(2800, 6500, 10, 4600),
                ),
                (Control::Brightness, integer(-64, 64, 1, 0)),
                (Control::PowerLineFrequency, integer(0, 2, 1, 1)),
            ]),
            refuse: vec![(Control::ExposureAuto, 0), (Control::ExposureAuto, 2)],
            set: Vec::new(),
        }
    }

    impl ControlDevice for FakeCamera {
        fn describe(&self, control: Control) -> Option<ControlInfo> {
            self.controls.get(&control).map(|kind| ControlInfo {
                name: control.name().into(),
                id: Some(control.id()),
                kind: kind.clone(),
                active: true,
            })
        }

        fn set(&mut self, control: Control, value: ControlValue) -> Result<(), String> {
            let v = match value {
                ControlValue::Integer(v) => v,
                ControlValue::Boolean(b) => i64::from(b),
            };
            if self.refuse.contains(&(control, v)) {
                return Err("Invalid argument (os error 22)".into());
            }
            self.set.push((control, value));
            Ok(())
        }
    }

    #[test]
    fn every_configured_control_is_set_in_order_with_its_kind() {
        let mut cam = webcam();
        let settings = CameraControls {
            exposure: Some(AutoOr::Value(100)),
            white_balance: Some(AutoOr::Value(5000)),
            brightness: Some(10),
            power_line_frequency: Some(PowerLine::Hz50),
            focus: None,
        };
        let outcomes = apply(&mut cam, &requests(&settings), "camera:0");
        assert!(
            outcomes.iter().all(|o| matches!(o, Outcome::Set { .. })),
            "{outcomes:?}"
        );
        use Control::*;
        use ControlValue::*;
        assert_eq!(
            cam.set,
            vec![
                (ExposureAuto, Integer(1)),
                (ExposureAbsolute, Integer(100)),
                (WhiteBalanceAuto, Boolean(false)),
                (WhiteBalanceTemperature, Integer(5000)),
                (Brightness, Integer(10)),
                (PowerLineFrequency, Integer(1)),
            ]
        );
    }

    #[test]
    fn auto_exposure_falls_back_to_what_the_camera_takes() {
        let mut cam = webcam();
        let auto = CameraControls {
            exposure: Some(AutoOr::Auto),
            ..CameraControls::default()
        };
        let outcomes = apply(&mut cam, &requests(&auto), "camera:0");
        assert_eq!(
            outcomes,
            vec![Outcome::Set {
                setting: "exposure",
                control: Control::ExposureAuto,
                value: 3
            }]
        );
        // A camera without aperture priority gets full auto.
        let mut cam = webcam();
        cam.refuse = vec![(Control::ExposureAuto, 3)];
        apply(&mut cam, &requests(&auto), "camera:0");
        assert_eq!(
            cam.set,
            vec![(Control::ExposureAuto, ControlValue::Integer(0))]
        );
    }

    #[test]
    fn an_absent_control_is_skipped_and_the_rest_still_set() {
        let mut cam = webcam();
        let settings = CameraControls {
            focus: Some(AutoOr::Value(40)),
            brightness: Some(3),
            ..CameraControls::default()
        };
        let outcomes = apply(&mut cam, &requests(&settings), "camera:0");
        assert_eq!(
            outcomes[0],
            Outcome::Missing {
                setting: "focus",
                controls: &[Control::FocusAuto]
            }
        );
        assert!(matches!(outcomes[1], Outcome::Missing { .. }));
        assert_eq!(
            outcomes[1].warning("camera:2").unwrap(),
            "camera:2: daemon.camera_controls.focus not applied: the camera has no Focus, \
             Absolute control (`kitascan camera list` shows what it has)"
        );
        assert_eq!(
            cam.set,
            vec![(Control::Brightness, ControlValue::Integer(3))]
        );
    }

    #[test]
    fn exposure_falls_back_to_the_drivers_plain_exposure_control() {
        let mut cam = webcam();
        cam.controls.remove(&Control::ExposureAbsolute);
        cam.controls
            .insert(Control::Exposure, integer(1, 10000, 1, 100));
        let settings = CameraControls {
            exposure: Some(AutoOr::Value(500)),
            ..CameraControls::default()
        };
        apply(&mut cam, &requests(&settings), "camera:0");
        assert_eq!(
            cam.set.last(),
            Some(&(Control::Exposure, ControlValue::Integer(500)))
        );
    }

    #[test]
    fn values_out_of_range_or_refused_are_reported_with_the_range() {
        let mut cam = webcam();
        let settings = CameraControls {
            white_balance: Some(AutoOr::Value(9000)),
            brightness: Some(100),
            ..CameraControls::default()
        };
        let outcomes = apply(&mut cam, &requests(&settings), "camera:0");
        assert_eq!(
            outcomes[1],
            Outcome::Refused {
                setting: "white_balance",
                control: Control::WhiteBalanceTemperature,
                values: vec![9000],
                reason: "9000 is outside the camera's range".into(),
                range: "2800 to 6500 in steps of 10, default 4600, now 4600".into(),
            }
        );
        assert_eq!(
            outcomes[1].warning("camera:0").unwrap(),
            "camera:0: daemon.camera_controls.white_balance not applied: White Balance \
             Temperature refused 9000: 9000 is outside the camera's range; the camera's range: \
             2800 to 6500 in steps of 10, default 4600, now 4600"
        );
        assert_eq!(outcomes[0].warning("camera:0"), None);
        assert!(
            matches!(&outcomes[2], Outcome::Refused { reason, .. } if reason.contains("100 is outside")),
            "{outcomes:?}"
        );
        // Out-of-range values never reach the device; the auto switch before them did.
        assert_eq!(
            cam.set,
            vec![(Control::WhiteBalanceAuto, ControlValue::Boolean(false))]
        );
        // Off the steps.
        let mut cam = webcam();
        let settings = CameraControls {
            white_balance: Some(AutoOr::Value(4605)),
            ..CameraControls::default()
        };
        let outcomes = apply(&mut cam, &requests(&settings), "camera:0");
        assert!(
            matches!(&outcomes[1], Outcome::Refused { reason, .. } if reason.contains("steps")),
            "{outcomes:?}"
        );
        // Refused by the driver: its error is the reason.
        let mut cam = webcam();
        cam.refuse = vec![(Control::PowerLineFrequency, 2)];
        let settings = CameraControls {
            power_line_frequency: Some(PowerLine::Hz60),
            ..CameraControls::default()
        };
        let outcomes = apply(&mut cam, &requests(&settings), "camera:0");
        assert!(
            matches!(&outcomes[0], Outcome::Refused { reason, range, .. }
                if reason.contains("os error 22") && range.starts_with("0 to 2")),
            "{outcomes:?}"
        );
    }
}
