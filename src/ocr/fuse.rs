//! Rewrites of a model's graph that tract does not make itself, applied before it optimises a
//! plan.
//!
//! PP-OCR's MobileNet and PP-LCNet backbones use hard-swish, `x * relu6(x + 3) / 6`, and
//! Paddle's ONNX export writes each one out as five element-wise ops: `Add 3`, `Max 0`, `Min 6`,
//! `Mul x` and a `Mul` by a constant (the `/ 6`, into which tract folds the scale of the batch
//! norm that follows). tract runs each op as its own pass over the activation, while it has a
//! single element-wise `HardSwish` op (`x * clip(x / 6 + 0.5, 0, 1)`, vectorised in
//! tract-linalg) that it only uses for ONNX's own `HardSwish` node. [`hard_swish`] finds the
//! written-out form and puts `HardSwish(x) * 6c` in its place: two passes instead of five.
//!
//! The result is the same function, computed in another order, so outputs move by float
//! rounding only (measured in `tests/ocr_engine.rs`).

use tract_onnx::prelude::*;
use tract_onnx::tract_core::ops::binary::{BinMiniOp, TypedBinOp};
use tract_onnx::tract_core::ops::konst::Const;
use tract_onnx::tract_core::ops::math::{self, Add, Max, Min, Mul};
use tract_onnx::tract_core::ops::nn;

/// Replaces every written-out hard-swish of `model` (typed and decluttered) by tract's
/// `HardSwish` op times a constant, and returns how many it replaced. The replaced nodes are left
/// without successors, for the next declutter to remove.
pub fn hard_swish(model: &mut TypedModel) -> TractResult<usize> {
    let found: Vec<HardSwish> = (0..model.nodes().len())
        .filter_map(|id| HardSwish::find(model, id))
        .collect();
    for (n, hsw) in found.iter().enumerate() {
        let rank = model.outlet_fact(hsw.x)?.rank();
        let mut patch = TypedModelPatch::default();
        let x = patch.tap_model(model, hsw.x)?;
        let name = format!("{}.hard_swish", model.node(hsw.out.node).name);
        let h = patch.wire_node(&name, nn::hard_swish(), &[x])?;
        let mut scale = hsw.scale.clone();
        while scale.rank() < rank {
            scale.insert_axis(0)?;
        }
        let k = patch.add_const(format!("{name}.scale{n}"), scale)?;
        let out = patch.wire_node(format!("{name}.mul"), math::mul(), &[h[0], k])?;
        patch.shunt_outside(model, hsw.out, out[0])?;
        patch.apply(model)?;
    }
    Ok(found.len())
}

/// One written-out hard-swish: `out = x * min(max(x + 3, 0), 6) * (scale / 6)`.
struct HardSwish {
    x: OutletId,
    out: OutletId,
    /// What `HardSwish(x)` is to be multiplied by: 6 times the trailing constant, or 6.
    scale: Tensor,
}

impl HardSwish {
    /// The hard-swish whose `Mul x` is node `id`, if that is what it is.
    fn find(model: &TypedModel, id: usize) -> Option<Self> {
        let [a, b] = binary::<Mul>(model, id)?;
        let (x, _) = [(a, b), (b, a)]
            .into_iter()
            .find(|&(x, clip)| Self::clips(model, x, clip))?;
        if model.outlet_fact(x).ok()?.datum_type != f32::datum_type() {
            return None;
        }
        // A single `Mul` by a constant after it folds into the op's constant.
        let trailing = model.single_succ(id).ok().flatten().and_then(|succ| {
            let [p, q] = binary::<Mul>(model, succ.id)?;
            let other = if p.node == id { q } else { p };
            let c = model.node(other.node).op_as::<Const>()?.val();
            let c = c.cast_to::<f32>().ok()?;
            let six_c = c.to_plain_array_view::<f32>().ok()?.mapv(|v| 6.0 * v);
            Some((OutletId::new(succ.id, 0), six_c.into_tensor()))
        });
        let (out, scale) = trailing.unwrap_or((OutletId::new(id, 0), tensor0(6.0f32)));
        Some(Self { x, out, scale })
    }

    /// Whether `clip` is `min(max(x + 3, 0), 6)`.
    fn clips(model: &TypedModel, x: OutletId, clip: OutletId) -> bool {
        let clipped = with_const::<Min>(model, clip, 6.0)
            .and_then(|o| with_const::<Max>(model, o, 0.0))
            .and_then(|o| with_const::<Add>(model, o, 3.0));
        clipped == Some(x)
    }
}

/// The two inputs of the node `id` if it is the binary op `B`.
fn binary<B: BinMiniOp>(model: &TypedModel, id: usize) -> Option<[OutletId; 2]> {
    let node = model.node(id);
    let op = node.op_as::<TypedBinOp>()?;
    match node.inputs[..] {
        [a, b] if op.0.is::<B>() => Some([a, b]),
        _ => None,
    }
}

/// If the output `outlet` comes from the binary op `B` of some value and the scalar constant
/// `k` (every element equal to `k`), that value.
fn with_const<B: BinMiniOp>(model: &TypedModel, outlet: OutletId, k: f32) -> Option<OutletId> {
    let [a, b] = binary::<B>(model, outlet.node)?;
    let is_k = |o: OutletId| {
        model.node(o.node).op_as::<Const>().is_some_and(|c| {
            c.val().cast_to::<f32>().is_ok_and(|t| {
                t.to_plain_array_view::<f32>()
                    .is_ok_and(|v| v.len() == 1 && v.iter().all(|&e| e == k))
            })
        })
    };
    if is_k(b) {
        Some(a)
    } else if is_k(a) {
        Some(b)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `x -> x * relu6(x + 3)` written out as ONNX exports it, `swap` putting each op's operands
    /// the other way round, followed by `* k` when given.
    fn written_out(swap: bool, k: Option<f32>) -> TractResult<TypedModel> {
        let mut m = TypedModel::default();
        let x = m.add_source("x", f32::fact([1, 33]))?;
        let op = |m: &mut TypedModel, name: &str, op: TypedBinOp, a: OutletId, b: f32| {
            let b = m.add_const(format!("{name}.k"), tensor2(&[[b]]))?;
            let ins = if swap { [b, a] } else { [a, b] };
            Ok::<_, TractError>(m.wire_node(name, op, &ins)?[0])
        };
        let add = op(&mut m, "add", math::add(), x, 3.0)?;
        let max = op(&mut m, "max", math::max(), add, 0.0)?;
        let min = op(&mut m, "min", math::min(), max, 6.0)?;
        let ins = if swap { [min, x] } else { [x, min] };
        let mut out = m.wire_node("mul", math::mul(), &ins)?[0];
        if let Some(k) = k {
            out = op(&mut m, "scale", math::mul(), out, k)?;
        }
        m.select_output_outlets(&[out])?;
        Ok(m)
    }

    fn run(m: TypedModel, xs: &[f32]) -> TractResult<Vec<f32>> {
        let input = tract_ndarray::Array2::from_shape_vec((1, xs.len()), xs.to_vec())?;
        let out = m.into_runnable()?.run(tvec!(input.into_tensor().into()))?;
        Ok(out[0]
            .to_plain_array_view::<f32>()?
            .iter()
            .copied()
            .collect())
    }

    fn has<B: BinMiniOp>(m: &TypedModel) -> bool {
        m.nodes()
            .iter()
            .any(|n| n.op_as::<TypedBinOp>().is_some_and(|op| op.0.is::<B>()))
    }

    #[test]
    fn every_form_of_the_written_out_activation_becomes_one_op_with_the_same_values() {
        // Both sides of the clip's corners (-3 and 3), and far outside them.
        let xs: Vec<f32> = (0..33).map(|i| (i as f32 - 16.0) * 0.5).collect();
        for swap in [false, true] {
            for k in [None, Some(1.0 / 6.0), Some(0.37)] {
                let model = written_out(swap, k).unwrap();
                let want = run(model.clone(), &xs).unwrap();
                let mut fused = model;
                assert_eq!(hard_swish(&mut fused).unwrap(), 1, "swap {swap}, k {k:?}");
                let fused = fused.into_decluttered().unwrap();
                assert!(!has::<Min>(&fused) && !has::<Max>(&fused) && !has::<Add>(&fused));
                let got = run(fused, &xs).unwrap();
                for ((x, w), g) in xs.iter().zip(&want).zip(&got) {
                    assert!(
                        (w - g).abs() <= 1e-6 * w.abs().max(1.0),
                        "x {x}: {w} vs {g}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_clip_of_something_else_is_left_alone() {
        // `y * relu6(x + 3)` with y another value is not a hard-swish.
        let mut m = TypedModel::default();
        let x = m.add_source("x", f32::fact([1, 4])).unwrap();
        let y = m.add_source("y", f32::fact([1, 4])).unwrap();
        let mut o = x;
        for (name, op, k) in [
            ("add", math::add(), 3.0),
            ("max", math::max(), 0.0),
            ("min", math::min(), 6.0),
        ] {
            let k = m.add_const(format!("{name}.k"), tensor2(&[[k]])).unwrap();
            o = m.wire_node(name, op, &[o, k]).unwrap()[0];
        }
        let out = m.wire_node("mul", math::mul(), &[y, o]).unwrap()[0];
        m.select_output_outlets(&[out]).unwrap();
        assert_eq!(hard_swish(&mut m).unwrap(), 0);
    }
}
