"""Tables and the plot of an optimizer comparison: rendering-ready data, no verdicts.

The outcome of each side, the sampled cost trajectories, the final parameters
per layout block and the cost curves (PNG, through :mod:`portcheck.plots`).
Nothing here decides what a difference means; :mod:`portcheck.optimize._judge`
does, and reads the per-block rows from here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..inputs import Layout
from ..report import Table
from ._runs import OptimizerRun

def _block_rows(layout: Layout, x_oc: np.ndarray, x_py: np.ndarray) -> tuple[tuple[Any, ...], ...]:
    rows = []
    for b in layout.blocks:
        ref, got = x_oc[b.slice], x_py[b.slice]
        diff = np.abs(got - ref)
        scale = float(np.max(np.abs(ref))) if ref.size else 0.0
        max_abs = float(np.max(diff)) if diff.size else 0.0
        rel = max_abs / scale if scale > 0 else (0.0 if max_abs == 0 else math.inf)
        rows.append((b.name, b.shape, max_abs, rel))
    return tuple(rows)


def _sample_iterations(length: int, rows: int = 10) -> list[int]:
    """The first iterations, then geometrically spaced ones, then the last."""
    if length <= rows:
        return list(range(length))
    picks = {0, 1, 2, length - 1}
    for v in np.geomspace(3, length - 1, rows - len(picks)):
        picks.add(int(round(v)))
    return sorted(p for p in picks if p < length)


def _trajectory_table(oc: OptimizerRun | None, py: OptimizerRun | None) -> Table:
    t_oc = oc.trajectory if oc is not None else np.empty(0)
    t_py = py.trajectory if py is not None else np.empty(0)
    length = max(t_oc.size, t_py.size)
    rows = []
    for i in _sample_iterations(length):
        a = float(t_oc[i]) if i < t_oc.size else None
        b = float(t_py[i]) if i < t_py.size else None
        rows.append((i, a, b, (b - a) if a is not None and b is not None else None))
    return Table(
        title="Cost after each iteration (sampled; iteration 0 is x0, '-' once a side has stopped)",
        columns=("iteration", "OCTAVE cost", "PYTHON cost", "PYTHON - OCTAVE"),
        rows=tuple(rows),
    )


def _outcome_table(runs: Sequence[OptimizerRun]) -> Table:
    rows = tuple(
        (r.side, r.optimizer, float(r.trajectory[0]), r.cost, r.iterations, r.evaluations, r.grad_max, r.message)
        for r in runs
    )
    return Table(
        title="Optimizer outcome",
        columns=("side", "optimizer", "cost at x0", "final cost", "iterations", "evaluations", "max |grad|",
                 "status"),
        rows=rows,
    )


# ----------------------------------------------------------------------------
# plotting


def _plot(runs: Sequence[OptimizerRun], title: str) -> bytes:
    """PNG of the cost trajectories of both sides."""
    from ..plots import cost_curves_png

    return cost_curves_png([(r.label, r.side, r.trajectory) for r in runs], title)
