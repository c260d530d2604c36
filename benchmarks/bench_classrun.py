"""Class-size runs: 500 submissions of the bundled ex4 port, live against replayed, serial against xdist.

The class: 500 files, each one student's ``nn_cost_function`` — every other
one the faithful port, the rest cycling through the gallery's ex4 mistakes
(C-order unrolling, labels as indices, a missing 1/m, the bias regularized,
...). One suite pair, ``nnCostFunction`` with the catalogue's inputs, checked
by ``compare``. Each way of running it is a fresh process, as a user runs it:
``portcheck run --ports`` (one Octave session, or none with ``--replay``) and
``pytest --portcheck-ports`` serial and with ``-n 2`` (each xdist worker
starts its own Octave when live). The recording is made once, beforehand,
with ``portcheck record``; its time is shown on its own row. The replayed run's
verdicts are checked against the live run's, submission by submission.
Writes benchmarks/results/classrun.md.

Run: .venv/bin/python benchmarks/bench_classrun.py
"""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import write_result

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).parent / "results" / "classrun.md"
N_SUBMISSIONS = 500

SUITE = """\
[[portcheck.pair]]
name = "nnCostFunction"
octave = "nnCostFunction"
python = "reference_port.py:nn_cost_function"
inputs = { case = "ex4.nnCostFunction" }
layout = [["Theta1", [5, 4]], ["Theta2", [3, 6]]]
outputs = ["J", "grad"]
checks = ["compare"]
"""


def _mistakes() -> list[str]:
    """The gallery's ex4 cost mistakes that the compare check names, one port each."""
    from portcheck.examples.catalog import all_gallery

    ports = []
    for b in all_gallery():
        if b.reference == "ex4.nnCostFunction" and b.check == "compare" and b.make_args is None:
            ports.append(f"{b.port.__module__}:{b.port.__name__}")
    return list(dict.fromkeys(ports))


def _class(folder: Path) -> tuple[Path, Path]:
    (folder / "portcheck.toml").write_text(SUITE)
    (folder / "reference_port.py").write_text("from portcheck.examples.ex4 import nn_cost_function\n")
    ports = folder / "submissions"
    ports.mkdir()
    mistakes = _mistakes()
    for i in range(N_SUBMISSIONS):
        if i % 2 == 0:
            source = "portcheck.examples.ex4:nn_cost_function"
        else:
            source = mistakes[(i // 2) % len(mistakes)]
        module, name = source.split(":")
        (ports / f"student_{i:03d}.py").write_text(f"from {module} import {name} as nn_cost_function\n")
    return folder / "portcheck.toml", ports


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(cmd: list[str], cwd: Path) -> tuple[float, float, subprocess.CompletedProcess]:
    """Wall time, and CPU time of the command and every process it waited for (xdist workers, Octave)."""
    c0, t0 = _cpu(), time.perf_counter()
    res = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, env=_env())
    return time.perf_counter() - t0, _cpu() - c0, res


def _kinds(path: Path) -> dict[str, list[str]]:
    return {s["submission"]: s["kinds"] for s in json.loads(path.read_text())["submissions"]}


def main() -> str:
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        suite, ports = _class(folder)
        t_record, _c, res = _timed([py, "-m", "portcheck", "record", str(suite)], folder)
        assert res.returncode == 0, res.stderr

        runs = []
        cli = [py, "-m", "portcheck", "run", str(suite), "--ports", str(ports)]
        t_live, c_live, res = _timed([*cli, "--json", str(folder / "live.json")], folder)
        assert res.returncode in (0, 1), res.stderr
        runs.append(("live (Octave)", "`portcheck run --ports`", t_live, c_live))
        t_replay, c_replay, res = _timed([*cli, "--replay", "--json", str(folder / "replay.json")], folder)
        assert res.returncode in (0, 1), res.stderr
        runs.append(("replay (no Octave)", "`portcheck run --ports --replay`", t_replay, c_replay))
        live, replay = _kinds(folder / "live.json"), _kinds(folder / "replay.json")
        same = sum(live[k] == replay.get(k) for k in live)

        pytest = [py, "-m", "pytest", str(suite), "--portcheck-ports", str(ports), "-q", "-p", "no:cacheprovider"]
        summaries = {}
        for label, extra in (("live (Octave)", []), ("replay (no Octave)", ["--portcheck-replay"])):
            for workers in ("0", "2"):
                elapsed, cpu, res = _timed([*pytest, *extra, "-n", workers], folder)
                tail = [ln for ln in res.stdout.splitlines() if re.search(r"\d+ (passed|failed)", ln)]
                summaries[(label, workers)] = tail[-1].strip("= ") if tail else res.stdout[-200:]
                runs.append((label, f"`pytest --portcheck-ports -n {workers}`", elapsed, cpu))

    checks = N_SUBMISSIONS
    base = runs[0][2]
    lines = [
        f"{N_SUBMISSIONS} submissions of the ex4 `nnCostFunction` port ({N_SUBMISSIONS // 2} faithful, the rest "
        f"cycling through {len(_mistakes())} gallery mistakes), one `compare` check each; "
        f"recording the reference once took {t_record:.1f} s. Replay gave the live verdict for {same} of "
        f"{len(live)} submissions. CPU time: user + system time of the run's processes as getrusage reports them (a shared machine's load moves wall time, less so CPU time).",
        "",
        "| reference | run | wall time | checks per second | vs live serial | CPU time | checks per CPU second |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for label, how, elapsed, cpu in runs:
        lines.append(f"| {label} | {how} | {elapsed:.1f} s | {checks / elapsed:.0f} | {base / elapsed:.1f}× | "
                     f"{cpu:.1f} s | {checks / cpu:.0f} |")
    lines.append("")
    lines.append("pytest summaries: " + "; ".join(f"{k[0]} -n {k[1]}: {v}" for k, v in summaries.items()))
    load = os.getloadavg()[0]
    lines.append(f"Load average at the end of the run: {load:.1f} on {os.cpu_count()} cores.")
    text = "\n".join(lines) + "\n"
    return write_result(RESULTS, text)


if __name__ == "__main__":
    sys.stdout.write(main())
