"""PNG figures for reports: rendering of numbers the checks already computed.

matplotlib is optional (``pip install 'portcheck[plot]'``); figures are drawn on
an Agg canvas, so no display and no pyplot state are involved.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Sequence
from typing import Any

import numpy as np

from .errors import InputError
from .report import Report

__all__ = ["cost_curves_png", "gradient_blocks_png", "with_plots"]

_SIDE_STYLE = {
    "OCTAVE": dict(color="#1f5fa8", marker="o", markersize=3),
    "PYTHON": dict(color="#d2691e", marker="s", markersize=3, linestyle="--"),
}


def _figure(size: tuple[float, float]) -> Any:
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise InputError("plots need matplotlib: pip install 'portcheck[plot]' (or matplotlib).") from None
    fig = Figure(figsize=size, dpi=100)
    FigureCanvasAgg(fig)
    return fig


def _png(fig: Any) -> bytes:
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def cost_curves_png(curves: Sequence[tuple[str, str, np.ndarray]], title: str) -> bytes:
    """Cost per iteration of each side: ``curves`` holds ``(label, side, trajectory)``."""
    fig = _figure((6.4, 3.8))
    ax = fig.add_subplot()
    positive = True
    for label, side, t in curves:
        t = np.asarray(t, dtype=float)
        ax.plot(np.arange(t.size), t, label=label, **_SIDE_STYLE.get(side, {}))
        positive &= bool(np.all(t > 0))
    if positive and curves:
        lo = min(float(np.min(t)) for _, _, t in curves)
        hi = max(float(np.max(t)) for _, _, t in curves)
        if hi / lo > 100:
            ax.set_yscale("log")
    ax.set_xlabel("iteration")
    ax.set_ylabel("cost")
    ax.set_title(title, fontsize=9)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    return _png(fig)


def gradient_blocks_png(report: Report) -> bytes | None:
    """Bar chart of a gradient report's per-block relative difference against its threshold."""
    table = next((t for t in report.tables if "rel. diff" in t.columns and "threshold" in t.columns), None)
    if table is None or not table.rows:
        return None
    col = {c: i for i, c in enumerate(table.columns)}
    names = [str(r[col["block"]]) for r in table.rows]
    diffs = np.array([float(r[col["rel. diff"]]) for r in table.rows])
    limits = np.array([float(r[col["threshold"]]) for r in table.rows])
    floor = 1e-17  # a perfect block would vanish on a log axis
    fig = _figure((max(5.0, 0.9 * len(names) + 3.0), 3.8))
    ax = fig.add_subplot()
    x = np.arange(len(names))
    colours = ["#b00020" if d > t else "#1b7f1b" for d, t in zip(diffs, limits)]
    ax.bar(x, np.maximum(diffs, floor), color=colours, width=0.6, label="norm(num-ana)/norm(num+ana)")
    ax.scatter(x, limits, marker="_", s=900, color="black", label="pass threshold", zorder=3)
    ax.set_yscale("log")
    ax.set_xticks(x, names)
    ax.set_ylabel("relative difference")
    ax.set_title("gradient error per block (red: fails its threshold)", fontsize=9)
    ax.grid(True, axis="y", alpha=0.3)
    # below the axes: the bars of a failing block reach the top of the plot
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, frameon=False)
    return _png(fig)


def with_plots(report: Report) -> Report:
    """The report with its standard figure attached (gradient checks: error per block)."""
    if report.check != "gradient" or report.figures:
        return report
    png = gradient_blocks_png(report)
    if png is None:
        return report
    return dataclasses.replace(report, figures={**report.figures, "gradient error per block": png})
