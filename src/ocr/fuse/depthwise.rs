//! Depthwise convolutions on NCHW f32 maps, in place of tract's `DepthWise` op.
//!
//! PP-LCNet's depthwise convolutions (3 x 3 and 5 x 5, stride 1 or 2) run in the recogniser on
//! maps 3 to 12 rows high, where most outputs' windows cross the map's border. tract walks those
//! through a generic per-zone loop, and a convolution strided along the width one output at a
//! time. [`Depthwise`] pads each channel's plane once into a scratch buffer (zeros around it,
//! its columns split into one phase per stride step), so that every output row is one run of
//! taps over contiguous memory, vectorised with the accumulators in registers.
//!
//! The arithmetic is tract's, in its order: the bias, then for each tap in the kernel's row-major
//! order one multiply and one add (no fused multiply-add). A tap that falls outside the map adds
//! its weight times zero, which tract skips; adding a zero leaves every value as it was (only an
//! exact zero's sign can differ), so the outputs are the same numbers as tract's.

use std::sync::Arc;

use super::Isa;

use tract_onnx::prelude::*;
use tract_onnx::tract_core::internal::*;
use tract_onnx::tract_core::ops::cnn::{Conv, KernelFormat, PaddingSpec};
use tract_onnx::tract_core::ops::nn::DataFormat;

/// Replaces every f32 NCHW (or CHW, once tract has dropped a batch of one) depthwise convolution of `model` (typed and decluttered, concrete
/// shapes) whose kernel and bias are constants by a [`Depthwise`], and returns how many it
/// replaced.
pub fn depthwise(model: &mut TypedModel) -> TractResult<usize> {
    let found: Vec<(usize, Depthwise)> = (0..model.nodes().len())
        .filter_map(|id| Depthwise::find(model, id).map(|op| (id, op)))
        .collect();
    for (id, op) in &found {
        let node = model.node(*id);
        let name = format!("{}.depthwise", node.name);
        let mut patch = TypedModelPatch::default();
        let x = patch.tap_model(model, node.inputs[0])?;
        let y = patch.wire_node(name, op.clone(), &[x])?[0];
        patch.shunt_outside(model, OutletId::new(*id, 0), y)?;
        patch.apply(model)?;
    }
    Ok(found.len())
}

/// A depthwise 2-D convolution over NCHW (or CHW) f32 input: one `kh x kw` kernel and one bias per
/// channel, any stride and padding, no dilation.
#[derive(Debug, Clone, PartialEq)]
pub struct Depthwise {
    /// Per channel, its taps in row-major order (`channels * kh * kw`).
    kernel: Arc<Vec<f32>>,
    /// Per channel.
    bias: Arc<Vec<f32>>,
    channels: usize,
    /// Kernel height and width.
    kernel_hw: [usize; 2],
    strides: [usize; 2],
    /// Zeros before the first row and column.
    pad_before: [usize; 2],
    /// Zeros after the last row and column.
    pad_after: [usize; 2],
}

impl Eq for Depthwise {}

impl Depthwise {
    /// A depthwise convolution from its parts: `kernel` holds each channel's taps in row-major
    /// order.
    pub fn new(
        kernel: Vec<f32>,
        bias: Vec<f32>,
        kernel_hw: [usize; 2],
        strides: [usize; 2],
        pad_before: [usize; 2],
        pad_after: [usize; 2],
    ) -> TractResult<Self> {
        let channels = bias.len();
        let taps = kernel_hw[0] * kernel_hw[1];
        if taps == 0 || kernel.len() != channels * taps || strides.contains(&0) {
            bail!(
                "depthwise: {} kernel values for {channels} channels of {kernel_hw:?}, strides {strides:?}",
                kernel.len()
            );
        }
        Ok(Self {
            kernel: Arc::new(kernel),
            bias: Arc::new(bias),
            channels,
            kernel_hw,
            strides,
            pad_before,
            pad_after,
        })
    }

    /// The op for node `id` when it is a convolution this op computes the same way.
    fn find(model: &TypedModel, id: usize) -> Option<Self> {
        let node = model.node(id);
        let conv = node.op_as::<Conv>()?;
        let spec = &conv.pool_spec;
        let channels = spec.input_channels;
        let rank2 = spec.kernel_shape.len() == 2;
        let undilated = spec
            .dilations
            .as_ref()
            .is_none_or(|d| d.iter().all(|&d| d == 1));
        if conv.q_params.is_some()
            || conv.group != channels
            || spec.output_channels != channels
            || channels < 2
            || !matches!(spec.data_format, DataFormat::NCHW | DataFormat::CHW)
            || conv.kernel_fmt != KernelFormat::OIHW
            || !rank2
            || !undilated
            || node.inputs.len() != 3
        {
            return None;
        }
        let x = model.outlet_fact(node.inputs[0]).ok()?;
        let shape = x.shape.as_concrete()?;
        let rank = 3 + usize::from(spec.data_format.has_n());
        if x.datum_type != f32::datum_type() || shape.len() != rank || shape[rank - 3] != channels {
            return None;
        }
        let shape = &shape[rank - 2..];
        let [kh, kw] = [spec.kernel_shape[0], spec.kernel_shape[1]];
        let kernel = model.outlet_fact(node.inputs[1]).ok()?.konst.clone()?;
        if kernel.datum_type() != f32::datum_type() || kernel.shape() != [channels, 1, kh, kw] {
            return None;
        }
        let bias = model.outlet_fact(node.inputs[2]).ok()?.konst.clone()?;
        if bias.datum_type() != f32::datum_type() {
            return None;
        }
        let bias = bias
            .try_as_plain_ram()
            .ok()?
            .as_slice::<f32>()
            .ok()?
            .to_vec();
        let bias = match bias.len() {
            1 => vec![bias[0]; channels],
            n if n == channels => bias,
            _ => return None,
        };
        let strides = spec.strides.clone().unwrap_or_else(|| tvec![1, 1]);
        if strides.len() != 2 {
            return None;
        }
        let padded = spec
            .padding
            .compute(shape, &spec.kernel_shape, &[1, 1], &strides);
        if matches!(spec.padding, PaddingSpec::ExplicitOnnxPool(..)) {
            return None;
        }
        let op = Self::new(
            kernel
                .try_as_plain_ram()
                .ok()?
                .as_slice::<f32>()
                .ok()?
                .to_vec(),
            bias,
            [kh, kw],
            [strides[0], strides[1]],
            [padded[0].pad_before, padded[1].pad_before],
            [padded[0].pad_after, padded[1].pad_after],
        )
        .ok()?;
        // The output size must be the convolution's own.
        let out = op.output_hw(shape[0], shape[1])?;
        (out == [padded[0].convoluted, padded[1].convoluted]).then_some(op)
    }

    /// Output rows and columns for an input of `h x w`, if the kernel fits the padded input.
    pub fn output_hw(&self, h: usize, w: usize) -> Option<[usize; 2]> {
        let dim = |i: usize, len: usize| {
            let padded = len + self.pad_before[i] + self.pad_after[i];
            padded
                .checked_sub(self.kernel_hw[i])
                .map(|room| room / self.strides[i] + 1)
        };
        Some([dim(0, h)?, dim(1, w)?])
    }

    /// The output shape for an input of `shape` (`[N,] C, H, W`).
    fn output_shape(&self, shape: &[usize]) -> TractResult<TVec<usize>> {
        let rank = shape.len();
        if !(3..=4).contains(&rank) || shape[rank - 3] != self.channels {
            bail!("depthwise: input {shape:?} for {} channels", self.channels);
        }
        let Some(hw) = self.output_hw(shape[rank - 2], shape[rank - 1]) else {
            bail!("depthwise: input {shape:?} smaller than the kernel");
        };
        let mut out: TVec<usize> = shape.into();
        out[rank - 2..].copy_from_slice(&hw);
        Ok(out)
    }

    /// The convolution of an NCHW `input` (`n * channels * h * w` values) into `output`, in the
    /// widest vectors the CPU has.
    pub fn run(&self, input: &[f32], hw: [usize; 2], output: &mut [f32]) -> TractResult<()> {
        self.run_in(Isa::widest(), input, hw, output)
    }

    /// [`Depthwise::run`] in `isa`'s vectors (every width gives the same bits).
    fn run_in(
        &self,
        isa: Isa,
        input: &[f32],
        [h, w]: [usize; 2],
        output: &mut [f32],
    ) -> TractResult<()> {
        let Some([ho, wo]) = self.output_hw(h, w) else {
            bail!("depthwise: a {h}x{w} map is smaller than the kernel");
        };
        let (plane_in, plane_out) = (h * w, ho * wo);
        if plane_out == 0 {
            return Ok(());
        }
        let planes = output.len() / plane_out;
        if output.len() != planes * plane_out || input.len() != planes * plane_in {
            bail!(
                "depthwise: {} inputs for {} outputs",
                input.len(),
                output.len()
            );
        }
        let geo = Geometry::new(self, [h, w], [ho, wo]);
        let taps = self.kernel_hw[0] * self.kernel_hw[1];
        // Planes split over the executor's threads (each plane on its own, so the result does
        // not depend on the split).
        tract_linalg::multithread::par_chunks_mut(
            output,
            plane_out,
            input.len() + output.len(),
            |first, chunk| {
                let mut scratch = vec![0f32; geo.scratch_len()];
                for (k, out) in chunk.chunks_exact_mut(plane_out).enumerate() {
                    let p = first + k;
                    let c = p % self.channels;
                    plane(
                        isa,
                        &geo,
                        &input[p * plane_in..(p + 1) * plane_in],
                        &self.kernel[c * taps..(c + 1) * taps],
                        self.bias[c],
                        out,
                        &mut scratch,
                    );
                }
                Ok(())
            },
        )
    }
}

impl Op for Depthwise {
    fn name(&self) -> StaticName {
        "KitascanDepthwise".into()
    }

    fn info(&self) -> TractResult<Vec<String>> {
        Ok(vec![format!(
            "{} channels, kernel {:?}, strides {:?}, pads {:?} {:?}",
            self.channels, self.kernel_hw, self.strides, self.pad_before, self.pad_after
        )])
    }

    fn as_typed(&self) -> Option<&dyn TypedOp> {
        Some(self)
    }
}

impl EvalOp for Depthwise {
    fn eval_out_of_plan(&self, inputs: TVec<TValue>) -> TractResult<Option<TVec<TValue>>> {
        Ok(Some(self.eval(&EvalContext::out_of_plan(), inputs)?))
    }

    fn eval(&self, _ctx: &EvalContext, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        let Some(x) = inputs.first() else {
            bail!("depthwise: no input");
        };
        let shape = x.shape();
        let out_shape = self.output_shape(shape)?;
        let hw = [shape[shape.len() - 2], shape[shape.len() - 1]];
        if x.datum_type() != f32::datum_type() {
            bail!("depthwise: input of {:?}", x.datum_type());
        }
        let plain = x.try_as_plain_ram()?;
        let input = plain.as_slice::<f32>()?;
        // SAFETY: f32 has no invalid bit patterns, and `run` writes every output value.
        let mut out = unsafe { Tensor::uninitialized::<f32>(&out_shape)? };
        {
            let mut view = out.try_as_plain_ram_mut()?;
            self.run(input, hw, view.as_slice_mut::<f32>()?)?;
        }
        Ok(tvec!(out.into_tvalue()))
    }
}

impl TypedOp for Depthwise {
    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        let x = inputs[0];
        let Some(shape) = x.shape.as_concrete() else {
            bail!("depthwise: input shape {:?} is not concrete", x.shape);
        };
        Ok(tvec!(f32::fact(self.output_shape(shape)?)))
    }

    fn cost(&self, inputs: &[&TypedFact]) -> TractResult<TVec<(Cost, TDim)>> {
        let outputs = self.output_facts(inputs)?[0].shape.volume();
        let taps = self.kernel_hw[0] * self.kernel_hw[1];
        Ok(tvec!((Cost::FMA(f32::datum_type()), outputs * taps)))
    }

    fn as_op(&self) -> &dyn Op {
        self
    }

    fn as_op_mut(&mut self) -> &mut dyn Op {
        self
    }
}

/// Where one plane's values sit in the scratch buffer: the padded plane, its columns dealt into
/// `sw` phases (padded column `j * sw + p` is column `j` of phase `p`), so that a tap's inputs
/// along an output row are contiguous whatever the stride.
struct Geometry {
    sw: usize,
    pad_top: usize,
    pad_left: usize,
    h: usize,
    w: usize,
    wo: usize,
    /// Padded rows read.
    rows: usize,
    /// Columns of one phase.
    phase_w: usize,
    /// Scratch values between one output row's inputs and the next's.
    row_step: usize,
    /// Where each tap (row-major) of output row 0 reads its first input in the scratch buffer:
    /// the same for every plane of a call.
    starts: Vec<usize>,
}

impl Geometry {
    fn new(op: &Depthwise, [h, w]: [usize; 2], [ho, wo]: [usize; 2]) -> Self {
        let [kh, kw] = op.kernel_hw;
        let [sh, sw] = op.strides;
        let rows = (ho - 1) * sh + kh;
        let phase_w = wo + (kw - 1) / sw;
        let starts = (0..kh)
            .flat_map(|ky| (0..kw).map(move |kx| ((kx % sw) * rows + ky) * phase_w + kx / sw))
            .collect();
        Self {
            sw,
            pad_top: op.pad_before[0],
            pad_left: op.pad_before[1],
            h,
            w,
            wo,
            rows,
            phase_w,
            row_step: sh * phase_w,
            starts,
        }
    }

    /// The padded plane and room for a last block's reads past its end.
    fn scratch_len(&self) -> usize {
        self.sw * self.rows * self.phase_w + TAIL
    }
}

/// One channel: `x` (`h * w`) into `out` (`ho * wo`).
fn plane(
    isa: Isa,
    geo: &Geometry,
    x: &[f32],
    taps: &[f32],
    bias: f32,
    out: &mut [f32],
    scratch: &mut [f32],
) {
    fill_scratch(geo, x, scratch);
    taps_plane(isa, geo, scratch, taps, bias, out);
}

/// The padded, phase-split plane of `x` in `scratch`.
fn fill_scratch(geo: &Geometry, x: &[f32], scratch: &mut [f32]) {
    let &Geometry {
        sw,
        rows,
        phase_w,
        pad_top,
        pad_left,
        h,
        w,
        ..
    } = geo;
    for p in 0..sw {
        for r in 0..rows {
            let dst = &mut scratch[(p * rows + r) * phase_w..][..phase_w];
            let Some(src) = r
                .checked_sub(pad_top)
                .filter(|&iy| iy < h)
                .map(|iy| &x[iy * w..(iy + 1) * w])
            else {
                dst.fill(0.0);
                continue;
            };
            if sw == 1 {
                // Columns j - pad_left of the input: zeros, the row, zeros.
                let lead = pad_left.min(phase_w);
                dst[..lead].fill(0.0);
                let n = w.min(phase_w - lead);
                dst[lead..lead + n].copy_from_slice(&src[..n]);
                dst[lead + n..].fill(0.0);
            } else {
                for (j, d) in dst.iter_mut().enumerate() {
                    *d = (j * sw + p)
                        .checked_sub(pad_left)
                        .and_then(|col| src.get(col))
                        .copied()
                        .unwrap_or(0.0);
                }
            }
        }
    }
}

per_isa! {
    /// The outputs of one plane, `geo.wo` a row: `out[oy * wo + ox] = bias + sum over taps t of
    /// taps[t] * scratch[oy * row_step + starts[t] + ox]`, in `isa`'s vectors.
    fn taps_plane(
        geo: &Geometry,
        scratch: &[f32],
        taps: &[f32],
        bias: f32,
        out: &mut [f32],
    ) => taps_plane_body
}

/// Outputs a block along one row: four AVX-512 or eight AVX2 accumulators, independent chains
/// of adds.
const BLOCK: usize = 64;
/// One AVX-512 vector (two AVX2 ones): a row's last outputs go in blocks this wide, [`ROWS`] rows
/// at a time so that the chains stay independent. The last block of a row is computed whole,
/// reading up to `TAIL - 1` values past the row (the scratch buffer has room), and only its
/// outputs that fall in the row are kept.
const TAIL: usize = 16;
const ROWS: usize = 4;

#[inline(always)]
fn taps_plane_body(geo: &Geometry, scratch: &[f32], taps: &[f32], bias: f32, out: &mut [f32]) {
    let &Geometry { wo, row_step, .. } = geo;
    let starts = &geo.starts[..];
    let ho = out.len() / wo;
    let mut ox = 0;
    while ox + BLOCK <= wo {
        for oy in 0..ho {
            let [acc] = taps_block::<1, BLOCK>(scratch, [oy * row_step + ox], starts, taps, bias);
            out[oy * wo + ox..][..BLOCK].copy_from_slice(&acc);
        }
        ox += BLOCK;
    }
    while ox < wo {
        let n = TAIL.min(wo - ox);
        let mut oy = 0;
        while oy + ROWS <= ho {
            let at = std::array::from_fn(|r| (oy + r) * row_step + ox);
            let acc = taps_block::<ROWS, TAIL>(scratch, at, starts, taps, bias);
            for (r, acc) in acc.iter().enumerate() {
                out[(oy + r) * wo + ox..][..n].copy_from_slice(&acc[..n]);
            }
            oy += ROWS;
        }
        for oy in oy..ho {
            let [acc] = taps_block::<1, TAIL>(scratch, [oy * row_step + ox], starts, taps, bias);
            out[oy * wo + ox..][..n].copy_from_slice(&acc[..n]);
        }
        ox += n;
    }
}

/// `B` outputs from each of the `R` positions `at`: the accumulators stay in registers across
/// the taps.
#[inline(always)]
fn taps_block<const R: usize, const B: usize>(
    scratch: &[f32],
    at: [usize; R],
    starts: &[usize],
    taps: &[f32],
    bias: f32,
) -> [[f32; B]; R] {
    let mut acc = [[bias; B]; R];
    for (&k, &start) in taps.iter().zip(starts) {
        for (acc, &at) in acc.iter_mut().zip(&at) {
            let from = at + start;
            let src: &[f32; B] = scratch[from..from + B].try_into().expect("B values");
            for (a, &s) in acc.iter_mut().zip(src) {
                *a += k * s;
            }
        }
    }
    acc
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The convolution written out one output at a time, skipping taps outside the map, as tract
    /// does.
    fn reference(op: &Depthwise, x: &[f32], n: usize, [h, w]: [usize; 2]) -> Vec<f32> {
        let [ho, wo] = op.output_hw(h, w).unwrap();
        let [kh, kw] = op.kernel_hw;
        let mut out = Vec::new();
        for p in 0..n * op.channels {
            let c = p % op.channels;
            for oy in 0..ho {
                for ox in 0..wo {
                    let mut sum = op.bias[c];
                    for ky in 0..kh {
                        for kx in 0..kw {
                            let iy = (oy * op.strides[0] + ky) as isize - op.pad_before[0] as isize;
                            let ix = (ox * op.strides[1] + kx) as isize - op.pad_before[1] as isize;
                            if iy < 0 || ix < 0 || iy >= h as isize || ix >= w as isize {
                                continue;
                            }
                            let v = x[p * h * w + iy as usize * w + ix as usize];
                            sum += op.kernel[(c * kh + ky) * kw + kx] * v;
                        }
                    }
                    out.push(sum);
                }
            }
        }
        out
    }

    fn values(len: usize, seed: u32) -> Vec<f32> {
        let mut s = seed.wrapping_mul(2_654_435_761).max(1);
        (0..len)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 17;
                s ^= s << 5;
                (s % 20_001) as f32 / 10_000.0 - 1.0
            })
            .collect()
    }

    #[test]
    fn every_shape_stride_and_pad_gives_the_written_out_sums() {
        let mut cases = 0;
        for &(kh, kw) in &[(3, 3), (5, 5), (1, 1), (3, 5)] {
            for &strides in &[[1, 1], [2, 1], [1, 2], [2, 2]] {
                for &(h, w) in &[(3, 40), (6, 71), (12, 130), (1, 5), (24, 200)] {
                    let pads = [(kh - 1) / 2, (kw - 1) / 2];
                    let channels = 3;
                    let op = Depthwise::new(
                        values(channels * kh * kw, (kh * 7 + w) as u32),
                        values(channels, h as u32 + 3),
                        [kh, kw],
                        strides,
                        pads,
                        pads,
                    )
                    .unwrap();
                    let Some([ho, wo]) = op.output_hw(h, w) else {
                        continue;
                    };
                    let n = 2;
                    let x = values(n * channels * h * w, (h * w) as u32);
                    let want = reference(&op, &x, n, [h, w]);
                    for isa in Isa::available() {
                        let mut got = vec![f32::NAN; n * channels * ho * wo];
                        op.run_in(isa, &x, [h, w], &mut got).unwrap();
                        assert!(
                            got == want,
                            "{isa:?}: {kh}x{kw} stride {strides:?} on {h}x{w}"
                        );
                    }
                    cases += 1;
                }
            }
        }
        assert!(cases > 70, "{cases} cases");
    }

    #[test]
    fn uneven_pads_and_a_kernel_wider_than_the_map() {
        let op = Depthwise::new(
            values(2 * 9, 1),
            vec![0.5, -0.25],
            [3, 3],
            [2, 2],
            [0, 1],
            [1, 0],
        )
        .unwrap();
        for &(h, w) in &[(2, 2), (5, 9), (8, 33)] {
            let [ho, wo] = op.output_hw(h, w).unwrap();
            let x = values(2 * h * w, 9);
            for isa in Isa::available() {
                let mut got = vec![0.0; 2 * ho * wo];
                op.run_in(isa, &x, [h, w], &mut got).unwrap();
                assert!(got == reference(&op, &x, 1, [h, w]), "{isa:?}: {h}x{w}");
            }
        }
        assert_eq!(op.output_hw(1, 1), None);
    }
}
