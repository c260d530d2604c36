"""Large checks hand the port one reused, read-only point buffer (portcheck/gradients/_points.py).

Reuse must never change what the port computes or what the check reports: a port that writes into its x,
keeps a reference to it, or cannot take a read-only array gets what a fresh array per call gave it.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from portcheck.gradients import check_gradient
from portcheck.gradients._points import LEND_FROM

N = LEND_FROM + 4463  # large enough for points to be lent; two blocks
LAYOUT = [("W", (100, (N // 2) // 100)), ("b", (N - (N // 2) // 100 * 100,))]
A = 1.0 + np.random.default_rng(5).random(N)


def quadratic(x):
    return 0.5 * ((A * x) @ x), A * x  # complex-step safe: the complex points are lent too


def x0():
    return np.random.default_rng(6).standard_normal(N)


def test_a_large_faithful_check_passes_and_leaves_x0_alone():
    x = x0()
    before = x.copy()
    rep = check_gradient(quadratic, x, layout=LAYOUT, progress=False)
    assert rep.ok and not rep.errors, str(rep)
    np.testing.assert_array_equal(x, before)


def test_a_write_into_x_on_a_late_call_is_reported_and_does_not_move_later_points():
    calls = [0]

    def clips_late(x):
        calls[0] += 1
        f, g = quadratic(x)
        if calls[0] == 20:  # long after the watched first calls
            x[:10] = 0.0
        return f, g

    rep = check_gradient(clips_late, x0(), layout=LAYOUT, progress=False)
    assert {f.kind for f in rep.errors} == {"mutates-input"}, str(rep)  # and no spurious gradient finding


def test_a_port_keeping_its_last_point_gets_a_new_array_next_time():
    class Memo:
        """Returns the stored result when called again at the same point (compared by value, kept by reference)."""

        def __init__(self, wrong: bool) -> None:
            self.last_x = None
            self.last = None
            self.wrong = wrong

        def __call__(self, x):
            if self.last_x is not None and np.array_equal(x, self.last_x):
                return self.last
            f, g = quadratic(x)
            if self.wrong:
                g = g.copy()
                g[N - 3] *= 1.01
            self.last_x, self.last = x, (f, g)  # no copy: a buffer changed in place would always match
            return self.last

    assert check_gradient(Memo(False), x0(), layout=LAYOUT, progress=False).ok
    rep = check_gradient(Memo(True), x0(), layout=LAYOUT, progress=False)
    assert [f.element for f in rep.errors if f.element is not None] == [N - 3], str(rep)


def test_a_port_that_needs_a_writable_x_is_checked_as_with_fresh_arrays():
    import ctypes

    def through_ctypes(x):
        buf = np.ctypeslib.as_ctypes(x)  # C code wrapped with ctypes takes writable buffers only
        ctypes.sizeof(buf)
        return quadratic(x)

    rep = check_gradient(through_ctypes, x0(), layout=LAYOUT, progress=False)
    assert rep.ok and not rep.errors, str(rep)


def test_the_port_s_own_warnings_reach_the_caller_and_a_read_only_complaint_does_not():
    def noisy(x):
        if not x.flags.writeable:  # as torch.from_numpy does for a read-only array
            warnings.warn("The given NumPy array is not writable", UserWarning, stacklevel=2)
        warnings.warn("port: a warning of its own", RuntimeWarning, stacklevel=2)
        return quadratic(x)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        rep = check_gradient(noisy, x0(), layout=LAYOUT, progress=False)
    assert rep.ok, str(rep)
    texts = [str(w.message) for w in caught]
    assert "port: a warning of its own" in texts
    assert not any("not writable" in t for t in texts)


def test_ctrl_c_inside_a_lent_call_reaches_the_caller():
    calls = [0]

    def interrupted(x):
        calls[0] += 1
        if calls[0] == 30:  # a lent point: the sweeps are past the watched calls
            raise KeyboardInterrupt
        return quadratic(x)

    with pytest.raises(KeyboardInterrupt):
        check_gradient(interrupted, x0(), layout=LAYOUT, progress=False)


def test_a_port_casting_complex_input_to_real_is_judged_with_central_differences():
    def casts(x):
        x = np.asarray(x, dtype=float)  # drops the imaginary part with a ComplexWarning
        return quadratic(x)

    rep = check_gradient(casts, x0(), layout=LAYOUT, progress=False)
    assert rep.ok and not rep.errors, str(rep)
    assert any("complex step not usable" in n and "casts its complex input" in n for n in rep.notes), rep.notes


def test_a_port_that_keeps_x_and_then_writes_into_it_is_reported():
    class KeepsThenClips:
        def __init__(self) -> None:
            self.calls = 0
            self.kept = None

        def __call__(self, x):
            self.calls += 1
            if self.calls == 20:
                self.kept = x  # holds on to the lent point...
                x[:5] = 0.0  # ...and writes into it: refused, re-run on a copy
            return quadratic(x)

    rep = check_gradient(KeepsThenClips(), x0(), layout=LAYOUT, progress=False)
    assert {f.kind for f in rep.errors} == {"mutates-input"}, str(rep)
