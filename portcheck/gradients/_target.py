"""The function under test as a gradient check calls it: :class:`PythonTarget`.

It hands each point to ``fun`` (a new array, or the lent point buffer of
:mod:`._points`), keeps the port's faults and process-state changes to the
port (:mod:`portcheck._contain`), watches for writes into x and into the
arguments, and turns what ``fun`` returned into a cost and a gradient.
"""

from __future__ import annotations

import contextlib
import os
import traceback
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .._contain import ProcessState, call_limited, call_port
from ..errors import PortTimeoutError
from ._points import LEND_FROM, PointBuffer

__all__ = ["PythonTarget", "FunctionFailed"]


class FunctionFailed(Exception):
    """``fun`` raised, or returned something that is not a cost (and a gradient)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


def _copy_arg(a: Any) -> Any:
    if isinstance(a, np.ndarray):
        return a.copy(order="K")  # the caller's memory layout, which the port may rely on
    if isinstance(a, list):
        return [_copy_arg(v) for v in a]
    if isinstance(a, dict):
        return {k: _copy_arg(v) for k, v in a.items()}
    return a


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):
        return _same_values(a, b)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(u, v) for u, v in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return True


def _same_values(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether ``a`` still holds ``b``'s values (NaN equal to NaN, -0.0 equal to 0.0).

    Raw bits are compared first, as unsigned integers in one pass: that
    settles the usual case (nothing written) at a tenth of the cost of
    ``array_equal(equal_nan=True)``, which decides only when the bits differ.
    """
    if a.shape != b.shape:
        return False
    plain = a.dtype == b.dtype and a.dtype.kind in "biufc"
    if plain and a.flags.forc and b.flags.forc and a.flags.f_contiguous == b.flags.f_contiguous:
        unit = np.dtype(f"u{np.gcd(a.dtype.itemsize, 8)}")
        order = "F" if a.flags.f_contiguous and not a.flags.c_contiguous else "C"
        if np.array_equal(a.reshape(-1, order=order).view(unit), b.reshape(-1, order=order).view(unit)):
            return True
    try:
        return bool(np.array_equal(a, b, equal_nan=True))
    except TypeError:  # object or string arrays: no NaN to forgive
        return bool(np.array_equal(a, b))


class PythonTarget:
    """Calls ``fun(x, *args)`` on the check's points and counts the calls.

    ``x`` is handed over in the caller's shape and dtype: below
    :data:`._points.LEND_FROM` elements a new array for every call (the
    calls at x0 and the first moved point are watched for writes); from
    there on the point buffer, x0 included, lent read-only
    (:meth:`_evaluate`), where a write raises instead of needing a watch.
    The array arguments are copied once per check: every call gets those
    private copies, so a port that writes into them can never
    change the caller's data. Whether it writes is checked after the first
    call (and once more by :meth:`finish`); from the first write on, each
    call gets a fresh copy again so that evaluations stay comparable.
    """

    #: Calls at moved points given a new array whose x is compared with what was sent (the calls at x0
    #: always are): a port may write into x only where the point has some property x0 lacks, such as
    #: ``x[x < 0] = 0`` from a check point with zeros. The first moved point (the Taylor sweep over all of
    #: x) moves every element. Lent points need no watch: they are read-only.
    WATCH_MOVED = 1

    def __init__(self, fun: Callable[..., Any], grad: Callable[..., Any] | None, args: Sequence[Any],
                 shape: tuple[int, ...], dtype: np.dtype, wrt: int = 0) -> None:
        self.fun = fun
        self.grad = grad
        self.args = tuple(args)
        self.shape = shape
        self.dtype = dtype
        self.wrt = wrt
        self.evals = 0
        self.grad_evals = 0
        #: Seconds one call of ``fun`` may take before it is stopped (None: no limit).
        self.timeout: float | None = None
        self.mutation: dict[str, Any] | None = None
        self.arg_mutations: list[dict[str, Any]] = []
        self._sent = tuple(_copy_arg(a) for a in self.args)
        self._recopy = False
        self._args_checked = False
        self._moved_watched = 0
        self._lend_refused = False
        self._refused_write: str | None = None  # where NumPy refused the port's write into a lent x
        self._warned: dict[Any, Any] = {}  # warnings shown from lent calls (see _lent)
        self._state: ProcessState | None = None
        self._points: PointBuffer | None = None
        self.raw_outputs: tuple[Any, Any] | None = None
        self.tick: Callable[[], None] = lambda: None

    def _point(self, flat: np.ndarray, dtype: np.dtype | None = None, fresh: bool = False) -> np.ndarray:
        """The point in the caller's shape and dtype (column-major, as x(:) in Octave).

        ``fresh`` says ``flat`` is a new 1-D array nobody else holds, already
        in the right dtype: it is handed over as it is (reshaping a
        contiguous vector column-major is a view), not copied again.
        """
        want = np.dtype(dtype or self.dtype)
        if not (fresh and flat.dtype == want and flat.ndim == 1 and flat.flags.c_contiguous):
            flat = np.array(flat, dtype=want, copy=True)
        return np.reshape(flat, self.shape, order="F")

    def _check_args(self) -> None:
        for i, (orig, used) in enumerate(zip(self.args, self._sent)):
            pos = i + 1 + (i >= self.wrt)
            if not _same(orig, used) and all(m["argument"] != pos for m in self.arg_mutations):
                self.arg_mutations.append({"argument": pos})
                self._recopy = True

    def finish(self) -> None:
        """Compare the arguments with the caller's once more, for a port that writes into them late."""
        if not self._recopy:
            self._check_args()

    def _invoke(self, fn: Callable[..., Any], x: np.ndarray) -> Any:
        if self._recopy:
            self._sent = tuple(_copy_arg(a) for a in self.args)
        args = self._sent
        if self._state is None:
            self._state = ProcessState()  # the caller's settings, put back after every call
        try:
            out = call_port(call_limited, fn, (*args[:self.wrt], x, *args[self.wrt:]), self.timeout,
                            state=self._state)
        except PortTimeoutError as exc:
            raise FunctionFailed("python-error", str(exc)) from None
        except SystemExit as exc:
            # A ported script's exit() must not end the caller's process: it is the objective's failure.
            raise FunctionFailed("python-error", f"fun called sys.exit({exc.code!r}); a cost function must "
                                 "return (cost, grad), never exit the process.") from None
        if not self._args_checked:
            # After the first call: a port that writes into an argument from its first call on gets a
            # fresh copy per call from now on, so that its evaluations stay comparable.
            self._args_checked = True
            self._check_args()
        return out

    def _call(self, fn: Callable[..., Any], flat: np.ndarray, dtype: np.dtype | None = None,
              fresh: bool = False, watch: bool = False, source: np.ndarray | None = None) -> Any:
        """``fun``'s output at ``flat``; ``source`` (for a ``fresh`` point) holds the same values, untouched."""
        x = self._point(flat, dtype, fresh)
        # The calls at x0 (not fresh) and the first WATCH_MOVED calls at moved points are watched, and any
        # call the caller asks to watch (a re-run after a lent point was refused).
        watch = self.mutation is None and (watch or not fresh or self._moved_watched < self.WATCH_MOVED)
        self._moved_watched += bool(watch and fresh)
        sent = None
        if watch:
            # x is compared with what it was made from when that is at hand in x's dtype, else with a copy.
            origin = source if fresh else flat
            if origin is not None and origin.dtype == x.dtype and origin.size == x.size:
                sent = np.reshape(origin, self.shape, order="F")
            else:
                sent = x.copy(order="K")
        try:
            out = self._invoke(fn, x)
        finally:
            self.tick()
        if sent is not None and not _same_values(x, sent):
            changed = np.flatnonzero((x != sent).reshape(-1, order="F"))
            self.mutation = {"elements_changed": int(changed.size), "first": int(changed[0]) if changed.size else -1,
                             "max_change": float(np.max(np.abs(x - sent))) if np.isrealobj(x) else None}
        return out

    def buffer(self, base: np.ndarray) -> PointBuffer:
        """The buffer of this check's real points over the flat check point ``base`` (made once per check)."""
        if self._points is None or self._points.base is not base:
            self._points = PointBuffer(base, self.dtype)
        return self._points

    def _evaluate(self, fn: Callable[..., Any], point: PointBuffer, pick: Callable[[Any], Any],
                  at_x0: bool = False, recorded: list[warnings.WarningMessage] | None = None) -> Any:
        """``pick(fun's output)`` at ``point``'s current point: lent (see :mod:`._points`) or as a fresh copy.

        A point is lent while no call saw a write into x; a port that
        cannot take a read-only x (it writes into it, or hands it to code
        that needs a writable buffer) gets this evaluation again on a
        watched writable copy, and fresh copies from then on. ``at_x0``:
        the point is the check point itself (its writable calls are always
        watched). ``recorded``: see :meth:`_lent`.
        """
        refused = False
        if point.size >= LEND_FROM and not self._lend_refused and self.mutation is None:
            done, value = self._lent(fn, point, pick, recorded)
            if done:
                return value
            refused = True
        if at_x0:
            value = pick(self._call(fn, point.base))
        else:
            value = pick(self._call(fn, point.copy(), point.dtype, fresh=True, watch=refused,
                                    source=point.current()))
        if refused:
            self._lend_refused = True  # only when the writable copy worked: the read-only x was the trouble
            if self.mutation is None and self._refused_write is not None:
                # NumPy refused a write into x and the re-run did not repeat it (a port with state of its own).
                self.mutation = {"elements_changed": None, "first": None, "max_change": None,
                                 "where": self._refused_write}
        return value

    def _lent(self, fn: Callable[..., Any], point: PointBuffer, pick: Callable[[Any], Any],
              recorded: list[warnings.WarningMessage] | None = None) -> tuple[bool, Any]:
        """One call on the lent buffer: ``(True, pick(output))``, or ``(False, None)`` when fun refused it.

        ``recorded``: the list of a ``catch_warnings(record=True)`` the
        caller holds around this call, whose warnings it keeps to itself.
        """
        x = point.lend(self.shape)
        out = None
        try:
            # Warnings are held back to see whether the read-only x caused one (torch.from_numpy warns).
            keep = warnings.catch_warnings(record=True) if recorded is None else contextlib.nullcontext(recorded)
            with keep as caught:
                first = len(caught)
                try:
                    out = self._invoke(fn, x)
                except FunctionFailed:
                    raise
                except Exception as exc:  # noqa: BLE001 - decided by the writable re-run, which raises it again
                    self._refused_write = _write_into_read_only(exc)
                    return False, None
            if any(_about_read_only(w) for w in caught[first:]):
                return False, None
            if recorded is None:
                for w in caught:
                    # Shown once per check and place, as Python's default filter shows them once per place.
                    warnings.warn_explicit(w.message, w.category, w.filename, w.lineno, registry=self._warned,
                                           source=w.source)
            value = pick(out)
            self.tick()
            return True, value
        finally:
            del x, out
            point.take_back()

    @staticmethod
    def _cost(out: Any, split: bool) -> Any:
        if split and isinstance(out, (tuple, list)):
            if len(out) == 0:
                raise FunctionFailed("shape", "fun returned an empty tuple; expected (cost, grad).")
            out = out[0]
        c = np.asarray(out)
        if c.size != 1:
            raise FunctionFailed("shape", f"the cost must be a scalar, but fun returned shape {c.shape}.")
        return c.reshape(())[()]

    def value_and_grad(self, flat: np.ndarray) -> tuple[float, np.ndarray]:
        """Cost and gradient at the check point ``flat`` (float64 copies of what fun returned).

        From :data:`._points.LEND_FROM` elements on the check point is lent
        like any other point (:meth:`buffer`): a copy per call and a
        comparison after it cost two passes over x.
        """
        self.evals += 1
        point = self.buffer(flat) if flat.size >= LEND_FROM else None
        if point is not None:
            point.prepare(0, 0, overwrite=False)  # the buffer holds the check point itself

        def call(fn: Callable[..., Any], pick: Callable[[Any], Any]) -> Any:
            return pick(self._call(fn, flat)) if point is None else self._evaluate(fn, point, pick, at_x0=True)

        if self.grad is None:
            return call(self.fun, self._cost_and_grad)
        cost = call(self.fun, lambda out: self._cost(out, split=True))
        self.grad_evals += 1
        return float(np.real(cost)), call(self.grad, lambda g: self._gradient(cost, g))

    def _cost_and_grad(self, out: Any) -> tuple[float, np.ndarray]:
        if not isinstance(out, (tuple, list)) or len(out) < 2:
            raise FunctionFailed(
                "shape",
                "fun must return (cost, grad) — scipy's jac=True convention — or pass grad=callable; "
                f"it returned {type(out).__name__}.")
        cost = self._cost(out, split=True)
        return float(np.real(cost)), self._gradient(cost, out[1])

    def _gradient(self, cost: Any, g: Any) -> np.ndarray:
        """A float64 copy of the gradient ``g``, unrolled column-major (its shape checked)."""
        garr = np.asarray(g)
        n = int(np.prod(self.shape))
        if garr.size != n:
            raise FunctionFailed("shape", f"the gradient has {garr.size} elements (shape {garr.shape}) but x has {n}.")
        if self.raw_outputs is None:
            # Only the gradient's dtype and shape are read later: a zero-stride stand-in, not a copy.
            self.raw_outputs = (cost, np.broadcast_to(np.zeros((), dtype=garr.dtype), garr.shape))
        return np.array(garr, dtype=np.float64).reshape(-1, order="F")

    def value(self, point: PointBuffer) -> float:
        """Cost at ``point``'s current point."""
        self.evals += 1
        return self._evaluate(self.fun, point, lambda out: float(np.real(self._cost(out, split=True))))

    def complex_value(self, point: PointBuffer) -> tuple[complex | None, str]:
        """Cost at ``point``'s current (complex) point, or None and the reason it cannot be used."""
        self.evals += 1
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                out = self._evaluate(self.fun, point, lambda o: self._cost(o, split=True), recorded=caught)
            except FunctionFailed:
                raise
            except Exception as exc:  # noqa: BLE001 - any failure means "not complex-safe"
                return None, f"fun raised {type(exc).__name__}: {exc}".strip()
        if any(issubclass(w.category, np.exceptions.ComplexWarning) for w in caught):
            return None, ("fun casts its complex input to real (np.asarray(..., dtype=float), astype(float), "
                          "float(...)), which discards the imaginary part")
        if not np.iscomplexobj(out):
            return complex(float(out), 0.0), "fun returned a real cost for a complex input"
        return complex(out), ""


def _about_read_only(w: warnings.WarningMessage) -> bool:
    """A warning about a non-writable input (``torch.from_numpy`` on a read-only array warns so)."""
    text = str(w.message).lower()
    return "writable" in text or "writeable" in text or "read-only" in text or "readonly" in text


def _write_into_read_only(exc: BaseException) -> str | None:
    """``file:line`` of the port's statement when ``exc`` is NumPy refusing a write into a read-only array."""
    text = str(exc)
    if not (isinstance(exc, ValueError) and ("destination is read-only" in text or "array is read-only" in text)):
        return None
    frames = traceback.extract_tb(exc.__traceback__)
    mine = [f for f in frames if f"{os.sep}numpy{os.sep}" not in f.filename]
    where = (mine or frames)[-1] if frames else None
    return f"{where.filename}:{where.lineno}" if where is not None else "unknown"
