"""Progress for long runs (suites, the demo): a bar in a terminal, a live line in Jupyter, else nothing.

Rendering only: the runs call :func:`track` around their loop and never print.
Output that is not read by a person (a pipe, a log file, CI) stays silent, so
logs hold the report and nothing else.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

__all__ = ["track", "progress_mode"]

T = TypeVar("T")


def _in_jupyter_kernel() -> bool:
    """True inside a Jupyter kernel (IPython's ZMQ shell), whatever the front end."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    try:
        shell = ipython.get_ipython()
    except Exception:  # an IPython too broken to ask is not a notebook we can draw in
        return False
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def progress_mode(enabled: bool | None = None) -> str | None:
    """How progress is shown: ``"terminal"``, ``"notebook"`` or ``None`` (silent).

    Parameters
    ----------
    enabled : bool, optional
        ``False`` silences it, ``True`` shows it even on a non-terminal stderr
        (as a terminal bar); ``None`` (default) decides from the environment:
        a Jupyter kernel gets a live line, a terminal on stderr a bar.
    """
    if enabled is False:
        return None
    if _in_jupyter_kernel():
        return "notebook"
    if enabled or sys.stderr.isatty():
        return "terminal"
    return None


def track(items: Sequence[T], describe: Callable[[T], str] = str, enabled: bool | None = None,
          label: str = "portcheck") -> Iterator[T]:
    """Yield ``items``, showing how far the loop has got (see :func:`progress_mode`).

    Parameters
    ----------
    items : sequence
        What the loop runs over (its length is the total).
    describe : callable
        The text shown for the item in progress, e.g. ``"compare ex4.nnCostFunction"``.
    enabled : bool, optional
        See :func:`progress_mode`.
    label : str
        Shown before the counts.
    """
    mode = progress_mode(enabled)
    if mode is None or not items:
        yield from items
    elif mode == "notebook":
        yield from _track_notebook(items, describe, label)
    else:
        yield from _track_terminal(items, describe, label)


def _track_terminal(items: Sequence[T], describe: Callable[[T], str], label: str) -> Iterator[T]:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    # transient: the bar disappears when the run ends, leaving only the report.
    with Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TextColumn("{task.description}"), console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("", total=len(items))
        for item in items:
            bar.update(task, description=describe(item))
            yield item
            bar.advance(task)


def _track_notebook(items: Sequence[T], describe: Callable[[T], str], label: str) -> Iterator[T]:
    # One display updated in place: needs only IPython (no ipywidgets, unlike rich's and tqdm's bars).
    from IPython.display import display

    total, start = len(items), time.perf_counter()

    def line(done: int, doing: str) -> Any:
        return _ProgressLine(label, done, total, time.perf_counter() - start, doing)

    handle = display(line(0, ""), display_id=True)
    for i, item in enumerate(items):
        if handle is not None:
            handle.update(line(i, describe(item)))
        yield item
    if handle is not None:
        handle.update(line(total, "done"))


class _ProgressLine:
    """What the notebook shows: plain text and a small HTML bar."""

    def __init__(self, label: str, done: int, total: int, elapsed: float, doing: str) -> None:
        self.label, self.done, self.total, self.elapsed, self.doing = label, done, total, elapsed, doing

    def __repr__(self) -> str:
        return f"{self.label}: {self.done}/{self.total} checks, {self.elapsed:.1f} s  {self.doing}"

    def _repr_html_(self) -> str:
        import html

        return (f"<div style='font-family:monospace;font-size:12px'>{html.escape(self.label)} "
                f"<progress value='{self.done}' max='{self.total}' style='width:200px'></progress> "
                f"{self.done}/{self.total} &middot; {self.elapsed:.1f} s &middot; {html.escape(self.doing)}</div>")

