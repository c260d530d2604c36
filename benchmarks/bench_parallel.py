"""Suites through pytest, serial against pytest-xdist.

Two suites: the bundled example suite, and a larger one made of four copies
of every bundled pair (the size of a course's whole validation suite). Each
xdist worker collects the suite and starts its own Octave session (the
plugin's fixture is per process), which costs about 3 s per worker; the
speed-up appears once the checks themselves take longer than that.
Writes benchmarks/results/parallel.md.

Run: .venv/bin/python benchmarks/bench_parallel.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import write_result

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).parent / "results" / "parallel.md"
SUITE = ROOT / "examples" / "portcheck.toml"


def _replicated_suite(folder: Path, copies: int) -> Path:
    """Write a suite with ``copies`` copies of every bundled pair (faithful and gallery)."""
    from portcheck.suite import catalog_pairs

    lines = ["[portcheck]", "timeout = 120", ""]
    for i in range(copies):
        for pair in catalog_pairs("faithful") + catalog_pairs("gallery"):
            port = pair.python
            case = pair.name if not pair.expect else None
            if case is None:  # a gallery pair borrows the inputs of its reference case
                from portcheck.examples.catalog import all_gallery

                case = next(b.reference for b in all_gallery() if b.name == pair.name)
                if next(b for b in all_gallery() if b.name == pair.name).make_args is not None:
                    continue  # custom inputs cannot be named from a suite file
            lines += [
                "[[portcheck.pair]]",
                f'name = "copy {i}: {pair.name}"',
                f'octave = "{pair.octave}"',
                f'python = "{port.__module__}:{port.__qualname__}"',
                f'inputs = {{ case = "{case}" }}',
                f"checks = {list(pair.checks)!r}".replace("'", '"'),
            ]
            if pair.layout:
                layout = ", ".join(f'["{n}", {list(s)}]' for n, s in pair.layout)
                lines.append(f"layout = [{layout}]")
            if pair.atol is not None:
                lines.append(f"atol = {pair.atol}")
            if pair.rtol is not None:
                lines.append(f"rtol = {pair.rtol}")
            if pair.wrt:
                lines.append(f"wrt = {pair.wrt}")
            lines.append("")
    path = folder / "portcheck.toml"
    path.write_text("\n".join(lines))
    return path


def _run(suite: Path, workers: str) -> tuple[float, str]:
    cmd = [sys.executable, "-m", "pytest", str(suite), "-q", "-p", "no:cacheprovider", "-n", workers]
    t0 = time.perf_counter()
    res = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    elapsed = time.perf_counter() - t0
    last = [ln for ln in res.stdout.splitlines() if " in " in ln and ("passed" in ln or "failed" in ln)]
    return elapsed, (last[-1].strip("= ") if last else res.stdout[-200:])


def main() -> str:
    runs = [("serial (-n 0)", "0"), (f"-n auto ({os.cpu_count()} cores)", "auto")]
    lines = ["| suite | run | wall time | speed-up | pytest summary |", "|---|---|---:|---:|---|"]
    with tempfile.TemporaryDirectory() as tmp:
        suites = [("bundled example suite", SUITE), ("4 copies of every bundled pair", _replicated_suite(Path(tmp), 4))]
        for suite_label, suite in suites:
            rows = [(label, *_run(suite, workers)) for label, workers in runs]
            base = rows[0][1]
            for label, elapsed, summary in rows:
                lines.append(f"| {suite_label} | {label} | {elapsed:.1f} s | {base / elapsed:.2f}× | {summary} |")
    text = "\n".join(lines) + "\n"
    return write_result(RESULTS, text)


if __name__ == "__main__":
    sys.stdout.write(main())
