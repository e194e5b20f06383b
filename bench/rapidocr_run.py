"""RapidOCR's side of bench/compare: reads each image file once (models loaded first, as a
server would), prints one JSON line per file with the time its call took and RapidOCR's own
split of it (`stages_ms`: detect, classify, recognize). The argument `-` reads
the file paths from standard input instead, one a line, answering each as it arrives."""

import json
import sys
import time

start = time.monotonic()
from rapidocr_onnxruntime import RapidOCR  # noqa: E402

engine = RapidOCR()
print(json.dumps({"ready_s": time.monotonic() - start}), flush=True)
paths = sys.argv[1:]
if paths == ["-"]:
    paths = (line.strip() for line in sys.stdin if line.strip())
for path in paths:
    t = time.monotonic()
    result, elapse = engine(path)
    ms = (time.monotonic() - t) * 1000.0
    line = {"file": path, "elapsed_ms": ms, "lines": len(result or [])}
    if elapse and len(elapse) == 3:
        stages = zip(["detect", "classify", "recognize"], elapse)
        line["stages_ms"] = {name: s * 1000.0 for name, s in stages}
    print(json.dumps(line), flush=True)
