"""bench/compare's driver (run by bench/compare, which sets up the two programs).

Times kitascan and RapidOCR on the same files, each in one process that reads them all (so
per-document times exclude model loading, as in a running server), and measures each process's
peak resident memory with wait4. Both processes run side by side and are fed one file at a time,
in turn (kitascan first on even files, RapidOCR first on odd ones), so a machine whose speed drifts
from minute to minute slows both alike and the ratio holds. Then kitascan's cold starts and `kitascan run`'s peak memory
while reading a replayed tray scene, and while reading the same files as uploads."""

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

CONDITIONS = ["scan", "pdf-vector", "pdf-image", "camera"]
STAGES = ["locate", "detect", "classify", "recognize", "extract"]


def condition(path: Path) -> str:
    stem = path.stem
    for c in CONDITIONS:
        if stem.endswith("-" + c):
            return c
    return "other"


def run_lines(cmd, env=None):
    """Runs cmd, returns (JSON lines of its stdout, peak RSS in MiB, wall seconds)."""
    t = time.monotonic()
    p = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env
    )
    lines = [json.loads(l) for l in p.stdout if l.strip().startswith("{")]
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    return lines, usage.ru_maxrss / 1024.0, time.monotonic() - t


def interleaved(kitascan, python, files, warmup=()):
    """Feeds each file to `kitascan scan --timing -` and (images only) to RapidOCR in turn,
    after the `warmup` files (other documents, whose readings are dropped: a server that has
    been up a while has met every shape of input its models compile for).
    Returns (kitascan's lines, its peak RSS in MiB, RapidOCR's lines, its peak RSS in MiB)."""
    def start(cmd):
        return subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True, bufsize=1)

    k = start([kitascan, "scan", "--timing", "-"])
    r = start([python, str(Path(__file__).with_name("rapidocr_run.py")), "-"])
    r_lines = [json.loads(r.stdout.readline())]  # {"ready_s": ...} once its models are loaded
    k_lines = []

    def ask(p, path, into):
        p.stdin.write(f"{path}\n")
        p.stdin.flush()
        line = p.stdout.readline()
        if not line:
            raise SystemExit(f"{p.args[0]} stopped before answering {path}")
        into.append(json.loads(line))

    for f in warmup:
        dropped = []
        for p in (k, r) if f.suffix.lower() != ".pdf" else (k,):
            ask(p, f, dropped)
    for i, f in enumerate(files):
        turns = [(k, k_lines)] + ([(r, r_lines)] if f.suffix.lower() != ".pdf" else [])
        for p, into in turns if i % 2 == 0 else reversed(turns):
            ask(p, f, into)
    rss = []
    for p in (k, r):
        p.stdin.close()
        _, _, usage = os.wait4(p.pid, 0)
        rss.append(usage.ru_maxrss / 1024.0)
    return k_lines, rss[0], r_lines, rss[1]


def median_by_condition(lines):
    by = {}
    for l in lines:
        if "file" in l and "elapsed_ms" in l:
            by.setdefault(condition(Path(l["file"])), []).append(l["elapsed_ms"])
    return {c: statistics.median(v) for c, v in by.items()}, {c: len(v) for c, v in by.items()}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url):
    with urllib.request.urlopen(url, timeout=2) as r:
        return r.status, r.read()


def start_run(kitascan, args, db):
    port = free_port()
    t = time.monotonic()
    p = subprocess.Popen(
        [kitascan, "run", "--listen", f"127.0.0.1:{port}", "--db", db, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    while True:
        try:
            if get(base + "/healthz")[0] == 200:
                return p, base, time.monotonic() - t
        except OSError:
            pass
        if p.poll() is not None or time.monotonic() - t > 60:
            raise SystemExit("kitascan run did not become ready")
        time.sleep(0.01)


def stop(p):
    p.send_signal(signal.SIGTERM)
    _, _, usage = os.wait4(p.pid, 0)
    return usage.ru_maxrss / 1024.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kitascan", required=True)
    ap.add_argument("--python", required=True)
    ap.add_argument("--set", required=True)
    ap.add_argument("--tray", required=True)
    ap.add_argument("--warmup", help="documents read first by both, not timed")
    a = ap.parse_args()

    def documents(folder):
        kinds = (".png", ".jpg", ".jpeg", ".pdf")
        return sorted(p for p in Path(folder).iterdir() if p.suffix.lower() in kinds)

    files = documents(a.set)
    warmup = documents(a.warmup) if a.warmup else []
    k_lines, k_rss, r_lines, r_rss = interleaved(a.kitascan, a.python, files, warmup)
    k_med, k_n = median_by_condition(k_lines)
    r_med, _ = median_by_condition(r_lines)

    print(f"Per document, {len(files)} generated documents (`kitascan synth`), one process each, "
          f"fed in turn after {len(warmup)} other documents read untimed:")
    print()
    print("| condition | n | kitascan median ms | RapidOCR median ms | kitascan / RapidOCR |")
    print("|---|---:|---:|---:|---:|")
    for c in CONDITIONS:
        if c not in k_med:
            continue
        if c in r_med:
            r, ratio = f"{r_med[c]:.0f}", f"{k_med[c] / r_med[c]:.2f}"
        else:
            r, ratio = "(reads images only)", "-"
        print(f"| {c} | {k_n[c]} | {k_med[c]:.0f} | {r} | {ratio} |")
    print()
    print("kitascan per stage, median ms per document:")
    print()
    print("| condition | " + " | ".join(STAGES) + " |")
    print("|---|" + "---:|" * len(STAGES))
    for c in CONDITIONS:
        rows = [l["stages_ms"] for l in k_lines if "stages_ms" in l and condition(Path(l["file"])) == c]
        if rows:
            cells = [f"{statistics.median(r.get(s, 0.0) for r in rows):.0f}" for s in STAGES]
            print(f"| {c} | " + " | ".join(cells) + " |")
    print()
    print("RapidOCR per stage (its own timing), median ms per document:")
    print()
    print("| condition | detect | classify | recognize |")
    print("|---|---:|---:|---:|")
    for c in CONDITIONS:
        rows = [l["stages_ms"] for l in r_lines if "stages_ms" in l and condition(Path(l["file"])) == c]
        if rows:
            cells = [f"{statistics.median(r[s] for r in rows):.0f}" for s in ("detect", "classify", "recognize")]
            print(f"| {c} | " + " | ".join(cells) + " |")
    print()
    print(f"Peak resident memory: kitascan scan {k_rss:.0f} MiB, RapidOCR {r_rss:.0f} MiB")
    ready = next((l["ready_s"] for l in r_lines if "ready_s" in l), None)
    if ready is not None:
        print(f"RapidOCR import and model load: {ready:.2f} s")

    # Cold starts.
    first = str(next(f for f in files if condition(f) == "scan"))
    t = time.monotonic()
    run_lines([a.kitascan, "scan", first])
    scan_cold = time.monotonic() - t
    with tempfile.TemporaryDirectory() as tmp:
        p, _, ready_s = start_run(a.kitascan, ["--source", "none"], os.path.join(tmp, "a.db"))
        stop(p)
        print(f"kitascan cold start: `scan` of one page to its reading {scan_cold:.2f} s; "
              f"`run` to ready (/healthz answers) {ready_s:.2f} s")

        # `kitascan run` reading a replayed tray scene: peak memory.
        scene = json.loads((Path(a.tray) / "scene.json").read_text())
        want = sum(1 for pl in scene["placements"] if pl.get("sharp", True))
        p, base, _ = start_run(
            a.kitascan, ["--source", f"replay:{a.tray}", "--fps", "10"], os.path.join(tmp, "b.db")
        )
        t = time.monotonic()
        stored = 0
        while time.monotonic() - t < 300:
            try:
                stored = len(json.loads(get(base + "/api/v1/scans")[1])["scans"])
            except (OSError, ValueError, KeyError):
                pass
            if stored >= want:
                break
            time.sleep(0.5)
        rss = stop(p)
        print(f"kitascan run over a replayed 1280x720 tray scene: {stored} of {want} permits "
              f"stored, peak resident memory {rss:.0f} MiB")

        # `kitascan run` reading uploads: every file of the set, one at a time, GLAIR's endpoint.
        p, base, _ = start_run(a.kitascan, ["--source", "none"], os.path.join(tmp, "c.db"))
        answered = sum(1 for f in files if upload(base + "/ocr/v1/kitas-kitap", f) == 200)
        rss = stop(p)
        print(f"kitascan run reading uploads (the {len(files)} files above, one at a time): "
              f"{answered} answered 200, peak resident memory {rss:.0f} MiB")


def upload(url, path: Path) -> int:
    """POSTs one file as the multipart field `image`; returns the HTTP status."""
    boundary = "kitascan-compare-boundary"
    kind = "application/pdf" if path.suffix.lower() == ".pdf" else "application/octet-stream"
    body = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"image\"; "
        f"filename=\"{path.name}\"\r\nContent-Type: {kind}\r\n\r\n"
    ).encode() + path.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
    req = urllib.request.Request(
        url, data=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}
    )
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


if __name__ == "__main__":
    main()
