#!/usr/bin/env python3
"""A/B timing of kitascan builds: medians of `kitascan scan --timing` per condition and stage.

    python3 bench/ab.py ROUNDS DIR 'name;binary[;ENV=VALUE...]' ...

Reads the scans (`*-scan.png`) and camera photos (`*-camera.jpg`) in DIR (for example the
`target/compare-40-1` folder that `bench/compare 40 1` generates) with each variant in turn,
ROUNDS times, interleaved, so that a machine whose speed drifts between minutes slows every
variant alike. Only ratios within one run compare.
"""
import os
import statistics
import sys
from pathlib import Path

from compare import condition, run_lines


def main():
    rounds, folder, specs = int(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:]
    files = sorted(str(p) for p in folder.glob("*-scan.png")) + sorted(
        str(p) for p in folder.glob("*-camera.jpg")
    )
    if not files or not specs:
        sys.exit(__doc__)
    variants = []
    for spec in specs:
        name, binary, *env = spec.split(";")
        e = dict(os.environ)
        e.update(kv.split("=", 1) for kv in env)
        variants.append((name, binary, e))
    times = {name: {} for name, _, _ in variants}
    for _ in range(rounds):
        for name, binary, env in variants:
            lines, _, _ = run_lines([binary, "scan", "--timing", *files], env)
            if len(lines) != len(files):
                sys.exit(f"{name}: {len(lines)} readings for {len(files)} files")
            for d in lines:
                cond = condition(Path(d["file"]))
                times[name].setdefault(cond, []).append(d["elapsed_ms"])
                for stage, ms in d.get("stages_ms", {}).items():
                    times[name].setdefault(f"{cond}.{stage}", []).append(ms)
    for name, t in times.items():
        print(name, " ".join(f"{k}={statistics.median(v):.0f}" for k, v in sorted(t.items())))


if __name__ == "__main__":
    main()
