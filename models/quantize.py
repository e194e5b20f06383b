"""Static int8 quantization of the PP-OCR models for models/quantize (run inside its venv).

Usage: quantize.py MODELS_DIR TENSORS_DIR STEM...

For each STEM, reads MODELS_DIR/STEM.onnx and writes MODELS_DIR/STEM.int8.onnx: onnxruntime's
static quantization in the QDQ format of the convolutions (the rest stays f32), int8 weights per output channel, uint8 activations, ranges calibrated (MinMax) on the inputs the engine itself fed the f32 model while reading
generated permits, saved by `kitascan --record-inputs` as TENSORS_DIR/STEM-NNNN.npy. The model is
first moved to opset 13 (per-channel QDQ needs it) and put through onnxruntime's quantization
pre-processing, which turns the exported Constant nodes into initializers (weights held in
Constant nodes are not quantized) and folds batch norms. Metadata (the recogniser's `character`
dictionary) is carried over. An existing output is left alone.
"""

import glob
import os
import sys
import tempfile

import numpy as np
import onnx
from onnx import version_converter
from onnxruntime.quantization import (
    CalibrationDataReader,
    CalibrationMethod,
    QuantFormat,
    QuantType,
    quantize_static,
)
from onnxruntime.quantization.shape_inference import quant_pre_process

# Samples per model at most, spread evenly over what was recorded: enough to see every kind of
# page (scan, PDF, photo) and line, few enough to calibrate in seconds.
MAX_SAMPLES = int(os.environ.get("QUANTIZE_MAX_SAMPLES", "64"))
# The first convolutions, fed the normalised image, stay f32: quantized, they cost the most
# (measured on the recogniser with onnxruntime: 22 of 53 calibration lines decoded as the f32
# model does with every Conv and MatMul quantized, 40 of 53 with the first two left f32).
F32_FIRST_CONVS = 2
# Only convolutions are quantized. With its MatMuls (the SVTR neck) quantized too, the
# recogniser reads as well in onnxruntime but reads garbage in tract 0.23; the other ops
# (Add, Mul, ...) add QDQ pairs that cost time in tract and accuracy everywhere.
OPS = ["Conv"]


class Recorded(CalibrationDataReader):
    """Yields the recorded tensors one at a time (shapes vary between samples)."""

    def __init__(self, input_name, files):
        self.input_name = input_name
        self.files = iter(files)

    def get_next(self):
        path = next(self.files, None)
        if path is None:
            return None
        return {self.input_name: np.load(path).astype(np.float32, copy=False)}


def first_convs(path):
    convs = [n.name for n in onnx.load(path).graph.node if n.op_type == "Conv"]
    return convs[:F32_FIRST_CONVS]


def spread(files, n):
    if len(files) <= n:
        return files
    step = len(files) / n
    return [files[int(i * step)] for i in range(n)]


def quantize(models_dir, tensors_dir, stem):
    src = os.path.join(models_dir, stem + ".onnx")
    out = os.path.join(models_dir, stem + ".int8.onnx")
    if os.path.exists(out):
        print(f"models/quantize: {os.path.basename(out)} is there", file=sys.stderr)
        return
    files = sorted(glob.glob(os.path.join(tensors_dir, glob.escape(stem) + "-*.npy")))
    if not files:
        sys.exit(f"models/quantize: no calibration inputs recorded for {stem} in {tensors_dir}")
    files = spread(files, MAX_SAMPLES)
    original = onnx.load(src)
    with tempfile.TemporaryDirectory() as tmp:
        op13 = os.path.join(tmp, "op13.onnx")
        pre = os.path.join(tmp, "pre.onnx")
        quantized = os.path.join(tmp, "int8.onnx")
        onnx.save(version_converter.convert_version(original, 13), op13)
        # The symbolic shape inference fails on these exports; ONNX's own inference suffices.
        quant_pre_process(op13, pre, skip_symbolic_shape=True)
        input_name = onnx.load(pre).graph.input[0].name
        quantize_static(
            pre,
            quantized,
            Recorded(input_name, files),
            quant_format=QuantFormat.QDQ,
            per_channel=True,
            weight_type=QuantType.QInt8,
            activation_type=QuantType.QUInt8,
            calibrate_method=CalibrationMethod.MinMax,
            op_types_to_quantize=OPS,
            nodes_to_exclude=first_convs(pre),
        )
        model = onnx.load(quantized)
        have = {p.key for p in model.metadata_props}
        for prop in original.metadata_props:
            if prop.key not in have:
                model.metadata_props.append(prop)
        onnx.save(model, out + ".part")
    os.replace(out + ".part", out)
    print(
        f"models/quantize: wrote {os.path.basename(out)} "
        f"({os.path.getsize(out) / 1e6:.1f} MB, calibrated on {len(files)} inputs)",
        file=sys.stderr,
    )


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    models_dir, tensors_dir = sys.argv[1], sys.argv[2]
    for stem in sys.argv[3:]:
        quantize(models_dir, tensors_dir, stem)


if __name__ == "__main__":
    main()
