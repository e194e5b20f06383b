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
//!
//! [`keep_classes`] cuts a classifier head (`softmax(x W + b)`) down to the classes a reader can
//! use: PP-OCR's recogniser scores 6625 classes, nearly all of them Chinese, at every time step
//! of every line, and a permit prints about 200 of them (Latin letters, digits, punctuation).
//!
//! [`depthwise()`] puts [`depthwise::Depthwise`] in place of tract's depthwise convolutions: the
//! same sums, with the borders and strides of the recogniser's small maps vectorised.

/// The vector widths the element-wise and depthwise kernels are compiled for. An `Isa` is only
/// made for a width the CPU runs ([`Isa::widest`], [`Isa::available`]), which is what makes
/// calling a kernel compiled for it sound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Isa(Width);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Width {
    /// No `target_feature`: the build's own baseline (the Pi's NEON, x86-64's SSE2).
    Baseline,
    #[cfg(target_arch = "x86_64")]
    Avx2,
    #[cfg(target_arch = "x86_64")]
    Avx512,
}

impl Width {
    /// Every width kitascan compiles kernels for, narrowest first.
    const ALL: &[Width] = &[
        Width::Baseline,
        #[cfg(target_arch = "x86_64")]
        Width::Avx2,
        #[cfg(target_arch = "x86_64")]
        Width::Avx512,
    ];

    /// Whether this CPU runs it (std caches the CPU's features, so this is cheap).
    fn runs_here(self) -> bool {
        match self {
            Width::Baseline => true,
            #[cfg(target_arch = "x86_64")]
            Width::Avx2 => std::arch::is_x86_feature_detected!("avx2"),
            #[cfg(target_arch = "x86_64")]
            Width::Avx512 => std::arch::is_x86_feature_detected!("avx512f"),
        }
    }
}

impl Isa {
    /// Every width this CPU runs, the baseline first.
    pub fn available() -> Vec<Isa> {
        Width::ALL
            .iter()
            .copied()
            .filter(|w| w.runs_here())
            .map(Isa)
            .collect()
    }

    /// The widest this CPU runs.
    pub fn widest() -> Isa {
        Isa(Width::ALL
            .iter()
            .rev()
            .copied()
            .find(|w| w.runs_here())
            .unwrap_or(Width::Baseline))
    }
}

/// `fn $name(isa: Isa, args...)`, which runs the `#[inline(always)]` function `$body(args...)`
/// compiled for `isa`'s vectors: one copy of the body per width, the same arithmetic in each
/// (the bodies use no fused multiply-adds, so every width gives the same bits).
macro_rules! per_isa {
    ($(#[$m:meta])* $vis:vis fn $name:ident($($arg:ident: $ty:ty),* $(,)?) => $body:ident) => {
        $(#[$m])*
        $vis fn $name(isa: $crate::ocr::fuse::Isa, $($arg: $ty),*) {
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx2")]
                fn avx2($($arg: $ty),*) {
                    $body($($arg),*)
                }
                #[target_feature(enable = "avx512f")]
                fn avx512($($arg: $ty),*) {
                    $body($($arg),*)
                }
                match isa.0 {
                    // SAFETY: an `Isa` of a width is only made where the CPU runs it.
                    $crate::ocr::fuse::Width::Avx2 => return unsafe { avx2($($arg),*) },
                    // SAFETY: as above.
                    $crate::ocr::fuse::Width::Avx512 => return unsafe { avx512($($arg),*) },
                    $crate::ocr::fuse::Width::Baseline => {}
                }
            }
            #[cfg(not(target_arch = "x86_64"))]
            let _ = isa;
            $body($($arg),*)
        }
    };
}

pub mod depthwise;

use anyhow::{Context, bail};
use tract_onnx::prelude::*;
use tract_onnx::tract_core::internal::DimLike;
use tract_onnx::tract_core::ops::Cost;
use tract_onnx::tract_core::ops::binary::{BinMiniOp, TypedBinOp};
use tract_onnx::tract_core::ops::change_axes::InOut;
use tract_onnx::tract_core::ops::einsum::EinSum;
use tract_onnx::tract_core::ops::element_wise::{ElementWiseMiniOp, ElementWiseOp};
use tract_onnx::tract_core::ops::konst::Const;
use tract_onnx::tract_core::ops::math::{self, Add, Max, Min, Mul};
use tract_onnx::tract_core::ops::nn::{self, Softmax};

pub use depthwise::depthwise;

/// Replaces every written-out hard-swish of `model` (typed and decluttered) by one op, and
/// returns how many it replaced. With a scalar scale, the scalar affines PP-LCNet puts on either
/// side of each activation (its "learnable affine blocks": `a * x + b` before, `+ d` after) go
/// into the same op, [`AffineHardSwish`], a single pass where there were three (an affine, the
/// activation, an affine). Otherwise it becomes tract's `HardSwish` times the scale. The replaced
/// nodes are left without successors, for the next declutter to remove.
pub fn hard_swish(model: &mut TypedModel) -> TractResult<usize> {
    let found: Vec<HardSwish> = (0..model.nodes().len())
        .filter_map(|id| HardSwish::find(model, id))
        .collect();
    for (n, hsw) in found.iter().enumerate() {
        let mut patch = TypedModelPatch::default();
        let name = format!("{}.hard_swish", model.node(hsw.out.node).name);
        let (replaced, out) = match hsw.affine(model) {
            Some((input, op, replaced)) => {
                let x = patch.tap_model(model, input)?;
                let y = patch.wire_node(&name, ElementWiseOp(Box::new(op), None), &[x])?[0];
                (replaced, y)
            }
            None => {
                let rank = model.outlet_fact(hsw.x)?.rank();
                let x = patch.tap_model(model, hsw.x)?;
                let h = patch.wire_node(&name, nn::hard_swish(), &[x])?;
                let mut scale = hsw.scale.clone();
                while scale.rank() < rank {
                    scale.insert_axis(0)?;
                }
                let k = patch.add_const(format!("{name}.scale{n}"), scale)?;
                let y = patch.wire_node(format!("{name}.mul"), math::mul(), &[h[0], k])?[0];
                (hsw.out, y)
            }
        };
        patch.shunt_outside(model, replaced, out)?;
        patch.apply(model)?;
    }
    Ok(found.len())
}

/// `c * hard_swish(a * x + b) + d` over f32 values, for scalars `a`, `b`, `c` and `d`: a
/// hard-swish (`z * clip(z / 6 + 0.5, 0, 1)`) with the affines around it, in one pass.
#[derive(Debug, Clone, PartialEq)]
pub struct AffineHardSwish {
    pub a: f32,
    pub b: f32,
    pub c: f32,
    pub d: f32,
}

impl Eq for AffineHardSwish {}

impl ElementWiseMiniOp for AffineHardSwish {
    fn name(&self) -> String {
        "AffineHardSwish".into()
    }

    fn eval_in_place(&self, t: &mut Tensor, _out_dt: Option<DatumType>) -> TractResult<()> {
        if t.datum_type() != f32::datum_type() {
            bail!("AffineHardSwish on {:?}", t.datum_type());
        }
        let mut plain = t.try_as_plain_ram_mut()?;
        let &Self { a, b, c, d } = self;
        let values = plain.as_slice_mut::<f32>()?;
        let len = values.len();
        let isa = Isa::widest();
        // Split over the threads of the plan's executor when there are enough values (each
        // value on its own: the result does not depend on the split).
        tract_linalg::multithread::par_chunks_mut(values, 1, len, |_, chunk| {
            affine_hard_swish(isa, chunk, [a, b, c, d]);
            Ok(())
        })
    }

    fn cost_per_element(&self, dt: DatumType) -> TVec<(Cost, usize)> {
        tvec!((Cost::FMA(dt), 4))
    }
}

per_isa! {
    /// `c * hard_swish(a * x + b) + d` over `values` in place, in `isa`'s vectors.
    fn affine_hard_swish(values: &mut [f32], k: [f32; 4]) => affine_hard_swish_body
}

#[inline(always)]
fn affine_hard_swish_body(values: &mut [f32], [a, b, c, d]: [f32; 4]) {
    for v in values {
        let z = a * *v + b;
        *v = c * z * (z * (1.0 / 6.0) + 0.5).clamp(0.0, 1.0) + d;
    }
}

/// Cuts the output head of `model` (typed and decluttered) down to `classes` (indices into its
/// last output axis, in the order they are to come out): when the model ends in
/// `softmax(einsum(x, W) + b)` over its last axis with `W` and `b` f32 constants, their columns of
/// the other classes are dropped, so the product and the softmax compute only the kept ones.
/// The kept scores are those of the full head renormalised over the kept classes. Returns
/// whether it found such a head; a model that ends otherwise (an int8 export's dequantised
/// weights, say) is left whole.
pub fn keep_classes(model: &mut TypedModel, classes: &[usize]) -> TractResult<bool> {
    let Some(head) = Head::find(model)? else {
        return Ok(false);
    };
    if let Some(&c) = classes.iter().find(|&&c| c >= head.classes) {
        bail!("class {c} kept out of {}", head.classes);
    }
    for (node, axis) in [head.weights, head.bias] {
        let kept = {
            let t = model.node(node).op_as::<Const>().map(|k| k.val().clone());
            let t = t.context("head constant")?;
            let view = t.to_plain_array_view::<f32>()?;
            view.select(tract_ndarray::Axis(axis), classes)
                .into_tensor()
        };
        model.node_mut(node).op = Box::new(Const::new(kept.into_arc_tensor())?);
    }
    // The constants' shapes changed: derive the facts of every node from them to the output.
    for id in [
        head.weights.0,
        head.bias.0,
        head.product,
        head.sum,
        head.softmax,
    ] {
        let inputs: TVec<TypedFact> = model
            .node(id)
            .inputs
            .iter()
            .map(|&i| model.outlet_fact(i).cloned())
            .collect::<TractResult<_>>()?;
        let refs: TVec<&TypedFact> = inputs.iter().collect();
        let facts = model.node(id).op.output_facts(&refs)?;
        for (slot, fact) in facts.into_iter().enumerate() {
            model.set_outlet_fact(OutletId::new(id, slot), fact)?;
        }
    }
    Ok(true)
}

/// A classifier head at a model's output: `softmax(einsum(x, W) + b)`.
struct Head {
    /// Number of classes it scores.
    classes: usize,
    /// The weights' constant node, and its axis over the classes.
    weights: (usize, usize),
    /// The bias's constant node, and its axis over the classes.
    bias: (usize, usize),
    product: usize,
    sum: usize,
    softmax: usize,
}

impl Head {
    fn find(model: &TypedModel) -> TractResult<Option<Self>> {
        let [out] = model.output_outlets()? else {
            return Ok(None);
        };
        let fact = model.outlet_fact(*out)?;
        let rank = fact.rank();
        let softmax = model.node(out.node);
        let last_axis = softmax
            .op_as::<Softmax>()
            .is_some_and(|s| s.axes.as_slice() == [rank - 1]);
        let Some(classes) = fact.shape.last().and_then(|d| d.to_usize().ok()) else {
            return Ok(None);
        };
        if !last_axis || fact.datum_type != f32::datum_type() {
            return Ok(None);
        }
        let Some([a, b]) = binary::<Add>(model, softmax.inputs[0].node) else {
            return Ok(None);
        };
        let sole_use = |o: OutletId| model.outlet_successors(o).len() == 1;
        let class_const = |o: OutletId| {
            let t = model.node(o.node).op_as::<Const>()?.val();
            let axis = t.rank().checked_sub(1)?;
            (t.datum_type() == f32::datum_type()
                && t.shape()[axis] == classes
                && t.shape()[..axis].iter().all(|&d| d == 1)
                && sole_use(o))
            .then_some((o.node, axis))
        };
        let (product, bias) = match (class_const(a), class_const(b)) {
            (None, Some(bias)) => (a, bias),
            (Some(bias), None) => (b, bias),
            _ => return Ok(None),
        };
        let node = model.node(product.node);
        let Some(einsum) = node.op_as::<EinSum>() else {
            return Ok(None);
        };
        // The weights: the one f32 constant input, and its axis that becomes the output's last.
        let out_axis = einsum.axes.axis((InOut::Out(0), rank - 1))?;
        let mut weights = None;
        for (slot, &input) in node.inputs.iter().enumerate() {
            let Some(k) = model.node(input.node).op_as::<Const>() else {
                continue;
            };
            match out_axis.inputs[slot][..] {
                [axis]
                    if k.val().datum_type() == f32::datum_type()
                        && k.val().shape()[axis] == classes
                        && sole_use(input)
                        && weights.is_none() =>
                {
                    weights = Some((input.node, axis))
                }
                _ => return Ok(None),
            }
        }
        Ok(weights.map(|weights| Self {
            classes,
            weights,
            bias,
            product: product.node,
            sum: softmax.inputs[0].node,
            softmax: out.node,
        }))
    }
}

/// One written-out hard-swish: `out = x * min(max(x + 3, 0), 6) * (scale / 6)`.
struct HardSwish {
    x: OutletId,
    out: OutletId,
    /// What `HardSwish(x)` is to be multiplied by: 6 times the trailing constant, or 6.
    scale: Tensor,
}

impl HardSwish {
    /// The op taking the place of the whole of `a * y + b -> hard-swish -> * c + d` when the
    /// scale is a scalar: its input (`y`, or `x` when no affine comes before), the op, and the
    /// output it stands for (after the trailing `+ d` when one follows).
    fn affine(&self, model: &TypedModel) -> Option<(OutletId, AffineHardSwish, OutletId)> {
        let c = scalar(&self.scale)?;
        let (input, a, b) = self.before(model).unwrap_or((self.x, 1.0, 0.0));
        let (out, d) = self.after(model).unwrap_or((self.out, 0.0));
        Some((input, AffineHardSwish { a, b, c, d }, out))
    }

    /// `x = a * y + b` with scalar constants, read by nothing but this activation: `(y, a, b)`.
    fn before(&self, model: &TypedModel) -> Option<(OutletId, f32, f32)> {
        // x feeds the activation's `Add 3` and its `Mul x`, and nothing else.
        if model.outlet_successors(self.x).len() != 2 {
            return None;
        }
        let (scaled, b) = scalar_operand::<Add>(model, self.x)?;
        if model.outlet_successors(scaled).len() != 1 {
            return None;
        }
        let (y, a) = scalar_operand::<Mul>(model, scaled)?;
        (model.outlet_fact(y).ok()?.datum_type == f32::datum_type()).then_some((y, a, b))
    }

    /// The `+ d` with a scalar constant that alone reads the activation: its output and `d`.
    fn after(&self, model: &TypedModel) -> Option<(OutletId, f32)> {
        let [succ] = model.outlet_successors(self.out) else {
            return None;
        };
        let out = OutletId::new(succ.node, 0);
        let (input, d) = scalar_operand::<Add>(model, out)?;
        (input == self.out).then_some((out, d))
    }

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

/// The value of a tensor of one element.
fn scalar(t: &Tensor) -> Option<f32> {
    let t = t.cast_to::<f32>().ok()?;
    let v = t.to_plain_array_view::<f32>().ok()?;
    (v.len() == 1).then(|| v.iter().next().copied()).flatten()
}

/// If `outlet` is the output of the binary op `B` of a value and a one-element f32 constant
/// (that value's shape, not broadcast by the constant), that value and the constant.
fn scalar_operand<B: BinMiniOp>(model: &TypedModel, outlet: OutletId) -> Option<(OutletId, f32)> {
    let [p, q] = binary::<B>(model, outlet.node)?;
    let konst = |o: OutletId| {
        let k = model.node(o.node).op_as::<Const>()?.val();
        (k.datum_type() == f32::datum_type())
            .then(|| scalar(k))
            .flatten()
    };
    let (value, k) = match (konst(p), konst(q)) {
        (None, Some(k)) => (p, k),
        (Some(k), None) => (q, k),
        _ => return None,
    };
    let same_shape = model.outlet_fact(value).ok()?.shape == model.outlet_fact(outlet).ok()?.shape;
    same_shape.then_some((value, k))
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
    fn every_vector_width_gives_the_same_bits() {
        // Values across the clip's corners and far beyond, a length that leaves a tail in every
        // vector width.
        let xs: Vec<f32> = (0..1037).map(|i| (i as f32 - 518.0) * 0.0173).collect();
        let k = [1.7, -0.3, 0.9, 0.05];
        let mut plain = xs.clone();
        affine_hard_swish_body(&mut plain, k);
        assert!(Isa::available().contains(&Isa::widest()));
        for isa in Isa::available() {
            let mut got = xs.clone();
            affine_hard_swish(isa, &mut got, k);
            for (i, (a, b)) in plain.iter().zip(&got).enumerate() {
                assert_eq!(
                    a.to_bits(),
                    b.to_bits(),
                    "{isa:?} at {}: {a} against {b}",
                    xs[i]
                );
            }
        }
        // And they are the activation: c * hard_swish(a * x + b) + d, zero below the clip.
        for (x, v) in xs.iter().zip(&plain) {
            let z = 1.7 * x - 0.3;
            let want = 0.9 * z * ((z + 3.0).clamp(0.0, 6.0) / 6.0) + 0.05;
            assert!((v - want).abs() < 1e-5, "at {x}: {v} against {want}");
        }
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

    /// `softmax(x W + b)` over 6 classes, for x of 4 features at 3 steps.
    fn head() -> TractResult<TypedModel> {
        let mut m = TypedModel::default();
        let x = m.add_source("x", f32::fact([1, 3, 4]))?;
        let w: Vec<f32> = (0..24).map(|i| ((i * 7) % 11) as f32 * 0.3 - 1.4).collect();
        let w = m.add_const(
            "w",
            tract_ndarray::Array2::from_shape_vec((4, 6), w)?.into_tensor(),
        )?;
        let b = tract_ndarray::Array3::from_shape_vec(
            (1, 1, 6),
            vec![0.1f32, -0.2, 0.3, 0.0, 0.5, -0.4],
        )?;
        let b = m.add_const("b", b.into_tensor())?;
        let product = EinSum::new("abk,kc->abc".parse()?, f32::datum_type());
        let xw = m.wire_node("xw", product, &[x, w])?[0];
        let sum = m.wire_node("sum", math::add(), &[xw, b])?[0];
        let softmax = Softmax {
            axes: tvec![2],
            ..Softmax::default()
        };
        let out = m.wire_node("softmax", softmax, &[sum])?[0];
        m.select_output_outlets(&[out])?;
        Ok(m)
    }

    fn run3(m: TypedModel, xs: &[f32]) -> TractResult<tract_ndarray::Array3<f32>> {
        let input = tract_ndarray::Array3::from_shape_vec((1, 3, 4), xs.to_vec())?;
        let out = m.into_runnable()?.run(tvec!(input.into_tensor().into()))?;
        Ok(out[0]
            .to_plain_array_view::<f32>()?
            .into_dimensionality()?
            .to_owned())
    }

    #[test]
    fn a_head_cut_to_some_classes_scores_them_as_the_whole_head_renormalised() {
        let xs: Vec<f32> = (0..12).map(|i| (i as f32 - 5.0) * 0.4).collect();
        let whole = run3(head().unwrap(), &xs).unwrap();
        let kept = [0, 5, 2];
        let mut cut = head().unwrap();
        assert!(keep_classes(&mut cut, &kept).unwrap());
        for optimized in [false, true] {
            let m = if optimized {
                cut.clone().into_optimized().unwrap()
            } else {
                cut.clone()
            };
            let got = run3(m, &xs).unwrap();
            assert_eq!(got.shape(), &[1, 3, 3]);
            for t in 0..3 {
                let total: f32 = kept.iter().map(|&c| whole[[0, t, c]]).sum();
                for (k, &c) in kept.iter().enumerate() {
                    let want = whole[[0, t, c]] / total;
                    let g = got[[0, t, k]];
                    assert!(
                        (want - g).abs() < 1e-6,
                        "step {t}, class {c}: {want} vs {g}"
                    );
                }
            }
        }
        // A class the head does not have is refused; a model without such a head is left whole.
        assert!(keep_classes(&mut head().unwrap(), &[6]).is_err());
        let mut other = written_out(false, None).unwrap();
        assert!(!keep_classes(&mut other, &[0]).unwrap());
    }
}
