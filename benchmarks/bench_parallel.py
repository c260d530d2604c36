"""The bundled example suite through pytest, serial against pytest-xdist.

Each xdist worker starts its own Octave session (the plugin's fixture is per
process), so the speed-up is bounded by the cores and by those start-ups.
Writes benchmarks/results/parallel.md.

Run: .venv/bin/python benchmarks/bench_parallel.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).parent / "results" / "parallel.md"
SUITE = ROOT / "examples" / "portcheck.toml"


def _run(workers: str) -> tuple[float, str]:
    cmd = [sys.executable, "-m", "pytest", str(SUITE), "-q", "-p", "no:cacheprovider", "-n", workers]
    t0 = time.perf_counter()
    res = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    elapsed = time.perf_counter() - t0
    last = [ln for ln in res.stdout.splitlines() if " in " in ln and ("passed" in ln or "failed" in ln)]
    return elapsed, (last[-1].strip("= ") if last else res.stdout[-200:])


def main() -> str:
    runs = [("serial (-n 0)", "0"), (f"-n auto ({os.cpu_count()} cores)", "auto")]
    rows = []
    for label, workers in runs:
        elapsed, summary = _run(workers)
        rows.append((label, elapsed, summary))
    base = rows[0][1]
    lines = ["| run | wall time | speed-up | pytest summary |", "|---|---:|---:|---|"]
    for label, elapsed, summary in rows:
        lines.append(f"| {label} | {elapsed:.1f} s | {base / elapsed:.2f}× | {summary} |")
    text = "\n".join(lines) + "\n"
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text)
    return text


if __name__ == "__main__":
    sys.stdout.write(main())
