//! The response shapes of the two cloud services the kiosk stands in for, so that a client
//! written for either can point at a kiosk instead.
//!
//! - [`glair`]: GLAIR's `POST /ocr/v1/kitas-kitap` (`status`, `reason`, `read.<field>` objects).
//! - [`fleet`]: the event a kiosk delivers to its back office (MQTT or webhook), with GLAIR's
//!   `read` object.
//! - [`verihubs`]: Verihubs' "OCR KITAS" (`message`, `data.result_data` with 17 flat strings).
//! - [`export`]: kitascan's own export of stored scans, CSV and JSON lines.
//!
//! Both are pure mappings of one [`crate::kitas::Reading`]: no I/O, no state, so each is pinned
//! by golden tests against the services' published samples, compared as parsed JSON.
//!
//! Numbers follow the samples: confidences 0..1 with four decimals, polygons as integer
//! `[x, y]` pairs.

pub mod export;
pub mod fleet;
pub mod glair;
pub mod verihubs;

use serde_json::Value;

/// A confidence as the services print it: clamped to 0..1, rounded to four decimals (a NaN is
/// 0: no confidence).
pub(crate) fn confidence(c: f32) -> Value {
    let c = if c.is_nan() {
        0.0
    } else {
        f64::from(c).clamp(0.0, 1.0)
    };
    Value::from((c * 10_000.0).round() / 10_000.0)
}

/// Corners as integer pixel pairs (a non-finite coordinate becomes 0).
pub(crate) fn polygon(points: &[[f32; 2]]) -> Value {
    let px = |v: f32| if v.is_finite() { v.round() as i64 } else { 0 };
    Value::from(
        points
            .iter()
            .map(|p| Value::from(vec![px(p[0]), px(p[1])]))
            .collect::<Vec<_>>(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_are_printed_as_the_samples_print_them() {
        assert_eq!(confidence(0.91876), json!(0.9188));
        assert_eq!(confidence(1.0), json!(1.0));
        assert_eq!(confidence(1.2), json!(1.0));
        assert_eq!(confidence(-0.1), json!(0.0));
        assert_eq!(confidence(f32::NAN), json!(0.0));
        assert_eq!(
            polygon(&[[275.4, 119.6], [659.5, f32::NAN]]),
            json!([[275, 120], [660, 0]])
        );
        assert_eq!(polygon(&[]), json!([]));
    }
}
