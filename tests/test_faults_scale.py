"""Many sequential comparisons in one session stay flat in time and memory.

A smaller-count guard for "1,000 compares": the same session runs batches of
comparisons; the last batch may not be much slower than the first, and
Python memory, Octave's memory and open file descriptors may not grow with
the number of calls (a leak would grow linearly).
"""

from __future__ import annotations

import gc
import os
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from portcheck import Octave, compare

FAULTS = Path(__file__).parent / "octave_fixtures" / "faults"

pytestmark = [pytest.mark.octave, pytest.mark.faults]

BATCHES, PER_BATCH = 3, 15


def _port(x):
    return float(0.5 * np.sum(x**2)), x.copy()


def _cpu_seconds(pid: int) -> float:
    """CPU seconds used so far by this process and by ``pid`` (Linux /proc).

    CPU time, unlike wall time, does not grow when other jobs share the machine,
    so the flatness check below holds on a loaded CI runner.
    """
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime + stime
    return time.process_time() + ticks / os.sysconf("SC_CLK_TCK")


def _rss(pid: int) -> int:
    """Resident memory in bytes of a process (Linux /proc)."""
    pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="needs Linux /proc")
def test_sequential_compares_stay_flat_in_time_and_memory():
    x = np.linspace(-1.0, 1.0, 20)
    with Octave(paths=[FAULTS]) as oc:
        for _ in range(3):  # warm-up: first calls compile and cache
            assert compare("pf_quad", _port, args=(x,), octave=oc).ok
        gc.collect()
        tracemalloc.start()
        fds, times, py_mem, oct_mem = [], [], [], []
        octave_pid = oc._oc._engine.repl.child.pid
        for _ in range(BATCHES):
            start = _cpu_seconds(octave_pid)
            for _ in range(PER_BATCH):
                assert compare("pf_quad", _port, args=(x,), octave=oc).ok
            times.append((_cpu_seconds(octave_pid) - start) / PER_BATCH)
            gc.collect()
            py_mem.append(tracemalloc.get_traced_memory()[0])
            oct_mem.append(_rss(octave_pid))
            fds.append(len(os.listdir("/proc/self/fd")))
        tracemalloc.stop()
    # time (CPU of both sides): no growth with the call count
    assert times[-1] < 2.0 * times[0] + 0.02, times
    # memory: what the later batches add stays small (a leak of even 10 kB per compare would show)
    assert py_mem[-1] - py_mem[0] < 1_000_000, py_mem
    assert oct_mem[-1] - oct_mem[0] < 8_000_000, oct_mem
    assert fds[-1] <= fds[0], fds
