"""RapidOCR's side of bench/compare: reads each image file once (models loaded first, as a
server would), prints one JSON line per file with the time its call took. The argument `-` reads
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
    result, _ = engine(path)
    ms = (time.monotonic() - t) * 1000.0
    print(json.dumps({"file": path, "elapsed_ms": ms, "lines": len(result or [])}), flush=True)
