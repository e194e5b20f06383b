"""Times one ONNX model on onnxruntime at one input shape: the onnxruntime side of a per-model
comparison with tract (whose side is `kitascan bench ocr`).

    target/rapidocr-venv/bin/python bench/ort_model.py models/ch_PP-OCRv4_rec_infer.onnx 1x3x48x320 1

Arguments: model file, input shape (NxCxHxW), intra-op threads. The input is a constant tensor;
the time is the mean of 20 runs after one warm-up."""

import sys
import time

import numpy as np
import onnxruntime as ort

path, shape, threads = sys.argv[1], [int(x) for x in sys.argv[2].split("x")], int(sys.argv[3])
options = ort.SessionOptions()
options.intra_op_num_threads = threads
options.inter_op_num_threads = 1
session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
x = np.full(shape, 0.3, np.float32)
name = session.get_inputs()[0].name
session.run(None, {name: x})
runs = 20
t = time.perf_counter()
for _ in range(runs):
    session.run(None, {name: x})
print(f"onnxruntime {path} {shape} threads={threads}: {(time.perf_counter() - t) / runs * 1000:.1f} ms")
