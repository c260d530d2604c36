"""Evaluation points for an in-process ``fun``: one buffer per dtype, changed only where a point moves.

The points of a check differ from the check point x in one block, one group
of elements or one element. Writing each as a new array cost, at n = 1e6,
8 MB (16 MB complex) written and freed per evaluation, about half of
portcheck's own time there. A :class:`PointBuffer` keeps one array equal to
x except in the range the last point moved (its *dirty* range): the next
point writes that range back and its own range, nothing else.

Handing the same array to ``fun`` again is safe only when ``fun`` neither
writes into it nor keeps it. Both are enforced, not assumed
(:meth:`PointBuffer.lend`, :meth:`PointBuffer.take_back`):

- the array is read-only during the call, so a port that writes into its x
  raises instead of silently moving every later point; the caller then
  re-runs that evaluation on a writable copy (and reports the write, as it
  does for the first calls, which always get writable copies);
- after the call the buffer's reference count tells whether ``fun`` kept x
  or a view of it (a cache of its last point): then the array is left to
  ``fun`` and the next point starts a new one.

Only points of at least :data:`LEND_FROM` elements are lent: below that a
copy costs microseconds, and small ports see plain writable arrays.
"""

from __future__ import annotations

import sys

import numpy as np

__all__ = ["LEND_FROM", "PointBuffer"]

#: Points with fewer elements are copied per evaluation (512 KB in float64: a copy costs < 0.1 ms).
LEND_FROM = 1 << 16


class PointBuffer:
    """A reusable point in ``dtype`` over the flat check point ``base``.

    Real buffers hold ``base`` outside the dirty range; complex buffers hold
    ``base`` in their real part everywhere and zero in their imaginary part
    outside the dirty range (callers write only the imaginary part of a
    complex point).
    """

    def __init__(self, base: np.ndarray, dtype: np.dtype) -> None:
        self.base = base
        self.dtype = np.dtype(dtype)
        self.size = int(base.size)
        self._buf: np.ndarray | None = None
        self._given: np.ndarray | None = None  # the last buffer fun kept: still the current point
        self._dirty = (0, 0)
        self._refs = 0

    def prepare(self, lo: int, hi: int, overwrite: bool) -> np.ndarray:
        """The flat buffer, equal to the base point outside ``[lo, hi)``, for the caller to write in that range.

        With ``overwrite`` the caller writes every entry of ``[lo, hi)`` (the
        range is not restored first); otherwise the range holds the base
        point too and the caller adds to it.
        """
        if self._buf is None:
            self._given = None
            self._buf = np.empty(self.size, dtype=self.dtype)
            self._buf[...] = self.base  # a complex buffer gets a zero imaginary part
            self._dirty = (0, 0)
        a, b = self._dirty
        if overwrite:
            self._restore(a, min(b, lo))
            self._restore(max(a, hi), b)
        else:
            self._restore(a, b)
        self._dirty = (int(lo), int(hi))
        return self._buf

    def _restore(self, a: int, b: int) -> None:
        if b <= a:
            return
        if self.dtype.kind == "c":
            self._buf.imag[a:b] = 0.0
        else:
            self._buf[a:b] = self.base[a:b]

    def current(self) -> np.ndarray:
        """The current point's array (flat): read it, never hand it out or write it.

        After fun kept the lent buffer it is still that buffer, until the
        next :meth:`prepare` starts a new one.
        """
        return self._buf if self._buf is not None else self._given

    def copy(self) -> np.ndarray:
        """A writable copy of the current point (for a call that may not be lent the buffer)."""
        return self.current().copy()

    def lend(self, shape: tuple[int, ...]) -> np.ndarray:
        """The current point in ``shape`` (column-major, as x(:) in Octave), read-only until :meth:`take_back`."""
        self._buf.flags.writeable = False
        self._refs = sys.getrefcount(self._buf)  # before the loan (the caller may hold views of its own)
        return np.reshape(self._buf, shape, order="F")

    def take_back(self) -> bool:
        """After the call, with the lent array dropped: whether the buffer can be used again.

        When ``fun`` kept the array (or a view of it) the buffer is left to
        it, writable as a fresh point would have been, and the next point
        starts a new buffer.
        """
        buf = self._buf
        # The references before the loan, and the local ``buf``: any other is fun's.
        kept = sys.getrefcount(buf) > self._refs + 1
        buf.flags.writeable = True
        if kept:
            self._buf, self._given = None, buf
        return not kept
