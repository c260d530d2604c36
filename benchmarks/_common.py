"""What the benchmark scripts share: timing a call by its median, and writing a result file."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path


def median_time(fn: Callable[[], object], repeat: int) -> float:
    """Median wall time of ``repeat`` calls of ``fn`` (the median shrugs off one slow run on a shared machine)."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def write_result(path: Path, text: str) -> str:
    """Write a benchmark's markdown to ``path`` (its folder made when missing) and return it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return text
