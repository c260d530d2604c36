"""A progress bar that appears only for checks that outlast a couple of seconds.

It is drawn on stderr with rich, and only when stderr is a terminal, so logs,
CI output and pytest captures stay clean. A check that finishes within the
delay never shows anything.
"""

from __future__ import annotations

import sys
import threading
from typing import Any

__all__ = ["Progress"]

DELAY = 2.0


class Progress:
    """``with Progress("checking", enabled=None) as bar: bar.advance()``.

    Parameters
    ----------
    description : str
    enabled : bool, optional
        Default: on when ``sys.stderr.isatty()``.
    total : int, optional
        Expected number of steps; ``None`` shows an indeterminate bar (used
        while one Octave call runs).
    """

    def __init__(self, description: str, enabled: bool | None = None, total: int | None = None) -> None:
        self.description = description
        self.enabled = sys.stderr.isatty() if enabled is None else bool(enabled)
        self.total = total
        self.done = 0
        self._bar: Any = None
        self._task: Any = None
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()
        self._closed = False

    def __enter__(self) -> Progress:
        if self.enabled:
            self._timer = threading.Timer(DELAY, self._show)
            self._timer.daemon = True
            self._timer.start()
        return self

    def _show(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress as RichProgress, TextColumn, \
            TimeElapsedColumn

        with self._lock:
            if self._closed:
                return
            self._bar = RichProgress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                     TimeElapsedColumn(), console=Console(stderr=True), transient=True)
            self._task = self._bar.add_task(self.description, total=self.total, completed=self.done)
            self._bar.start()

    def set_total(self, total: int) -> None:
        self.total = max(total, self.done)
        with self._lock:
            if self._bar is not None:
                self._bar.update(self._task, total=self.total)

    def advance(self, k: int = 1) -> None:
        self.done += k
        if self.total is not None and self.done > self.total:
            self.total = self.done
        with self._lock:
            if self._bar is not None:
                self._bar.update(self._task, completed=self.done, total=self.total)

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._closed = True
            if self._timer is not None:
                self._timer.cancel()
            if self._bar is not None:
                self._bar.stop()
                self._bar = None
