"""Bridge overhead against raw oct2py, measured in one run.

Measures, for portcheck.Octave and for a plain oct2py.Oct2Py session started
with the same options: startup time, per-call time of a small function, and a
5000×400 array round trip. Writes benchmarks/results/bridge.md.

Run: .venv/bin/python benchmarks/bench_bridge.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

from _common import median_time, write_result

RESULTS = Path(__file__).parent / "results" / "bridge.md"



def main(repeat_small: int = 200, repeat_big: int = 15) -> str:
    import portcheck
    from portcheck.octave import _import_oct2py, bundled_refs_dir, find_octave_executable

    exe = find_octave_executable()
    Oct2Py = _import_oct2py(exe).Oct2Py  # imported quietly; the raw session below is plain oct2py
    big = np.sin(np.arange(5000 * 400, dtype=float)).reshape(5000, 400)

    t0 = time.perf_counter()
    raw = Oct2Py(executable=exe, oned_as="column", keep_matlab_shapes=True, backend="disable",
                 load_octaverc=False)
    raw.addpath(str(bundled_refs_dir() / "common"))
    raw_start = time.perf_counter() - t0

    t0 = time.perf_counter()
    oc = portcheck.Octave()
    pc_start = time.perf_counter() - t0
    oc.call("debugInitializeWeights", 3, 4)  # warm the nargout cache, as any real use does

    rows = []
    cases = [
        ("small call: debugInitializeWeights(3, 4)",
         lambda: raw.feval("debugInitializeWeights", 3.0, 4.0, nout=1),
         lambda: oc.call("debugInitializeWeights", 3, 4), repeat_small),
        ("5000×400 round trip: double(X)",
         lambda: raw.feval("double", big, nout=1),
         lambda: oc.call("double", big, nout=1), repeat_big),
    ]
    # Interleave the two sides so drift on a shared machine hits both alike.
    for label, raw_fn, pc_fn, rep in cases:
        raw_fn(), pc_fn()
        r1 = median_time(raw_fn, rep)
        p1 = median_time(pc_fn, rep)
        r2 = median_time(raw_fn, rep)
        p2 = median_time(pc_fn, rep)
        r, p = min(r1, r2), min(p1, p2)
        rows.append((label, r, p))
    raw.exit()
    oc.close()

    lines = [
        "| measurement | raw oct2py | portcheck.Octave | ratio |",
        "|---|---:|---:|---:|",
        f"| startup | {raw_start * 1e3:.0f} ms | {pc_start * 1e3:.0f} ms | {pc_start / raw_start:.2f} |",
    ]
    for label, r, p in rows:
        lines.append(f"| {label} | {r * 1e3:.2f} ms | {p * 1e3:.2f} ms | {p / r:.3f} |")
    table = "\n".join(lines)
    return write_result(RESULTS, f"{table}\n")


if __name__ == "__main__":
    sys.stdout.write(main())
