"""In-process back end: evaluates a Python ``fun`` on copies, in stages.

Stages: the analytic gradient twice at x (determinism); the Taylor sweeps
(which also measure the cost's noise floor); a complex-step trial along a
random direction over each block; one estimate per probe; Richardson
evaluations for the probes that stay ambiguous. ``portcheck_gradcheck.m``
performs the same stages inside Octave.
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
from ..inputs import Layout
from ._evidence import Evidence, Sweep, nan_array
from ._points import LEND_FROM, PointBuffer
from ._precision import Precision
from ._probes import Probes, element_probes, signed_pattern, step_for_rms
from ._progress import Progress
from ._search import (LARGER_STEP, Group, Measurement, SearchPlan, central_measurement, complex_measurement,
                      confirm_elements, group_view, rounding_hides, search_block, truncation_hides)
from ._verdict import complex_consistent, needs_refinement, noise_level

__all__ = ["PythonTarget", "FunctionFailed", "collect_python"]

#: Elements per piece when a point is written (256 KB in float64: a piece stays in the L2 cache).
_PIECE = 1 << 15


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


def _complex_reason(value: complex | None, why: str, d: float, fc: float) -> str:
    if value is None:
        return why
    if why:
        return why
    if fc == 0.0 and d != 0.0:
        return "the imaginary part of the cost is zero (np.abs, np.real or a comparison drops it)"
    return ("the imaginary part disagrees with central differences (a conjugate, np.abs, or np.maximum/"
            "np.where on complex values changes it)")


def collect_python(
    target: PythonTarget,
    x: np.ndarray,
    f0: float,
    g: np.ndarray,
    layout: Layout,
    prec: Precision,
    probes: Probes,
    method: str,
    sweeps: list[Sweep],
    progress: Progress,
    plan: SearchPlan | None = None,
) -> Evidence:
    """Run the evaluation stages for a Python ``fun`` and return the evidence."""
    P = len(probes)
    probes.bind(g)  # g · d is summed while each direction is built
    ev = Evidence(x=x, layout=layout, prec=prec, f0=f0, g=g, probes=probes,
                  fp=nan_array(P), fm=nan_array(P), fp2=nan_array(P), fm2=nan_array(P),
                  fc=nan_array(P), fcr=nan_array(P))
    dtype = target.dtype
    cdt = np.dtype(np.complex64 if dtype == np.float32 else np.complex128)
    base = x.astype(dtype, copy=False)  # points are formed in the port's own precision (x is never written)
    # Every point is written into one of two buffers, only where it differs from x (see ._points).
    real_points, complex_points = target.buffer(x), PointBuffer(base, cdt)

    def along(s: int, n: int, d: np.ndarray, step: float) -> float:
        xs = real_points.prepare(s, s + n, overwrite=True)
        # x + step·d in cache-sized pieces: each piece of the product is still in the cache when x is added.
        for lo in range(0, n, _PIECE):
            hi = min(n, lo + _PIECE)
            seg = xs[s + lo:s + hi]
            np.multiply(d[lo:hi], step, out=seg, casting="same_kind")
            seg += base[s + lo:s + hi]
        return target.value(real_points)

    def along_complex(s: int, n: int, d: np.ndarray, hc: float) -> tuple[complex | None, str]:
        z = complex_points.prepare(s, s + n, overwrite=True)
        np.multiply(d, hc, out=z.imag[s:s + n], casting="same_kind")
        return target.complex_value(complex_points)

    def fill_central(p: int) -> None:
        if np.isnan(ev.fp[p]):
            (s, n, d), h = ev.probes.span(p, x), ev.probes.h[p]
            ev.fp[p], ev.fm[p] = along(s, n, d, h), along(s, n, d, -h)

    def fill_half(p: int) -> None:
        if np.isnan(ev.fp2[p]):
            (s, n, d), h = ev.probes.span(p, x), ev.probes.h[p]
            ev.fp2[p], ev.fm2[p] = along(s, n, d, h / 2), along(s, n, d, -h / 2)

    def fill_complex(p: int) -> None:
        pr = ev.probes
        s, n, d = pr.span(p, x)
        value, _ = along_complex(s, n, d, pr.hc[p])
        if value is not None:
            ev.fc[p], ev.fcr[p] = value.imag / pr.hc[p], value.real

    def fill(todo: list[int]) -> None:
        """One estimate per probe, then Richardson for those that stay ambiguous."""
        for p in todo:
            b = int(ev.probes.block[p])
            if method == "richardson":
                fill_central(p)
                fill_half(p)
            elif ev.complex_status.get(b) == "ok":
                if np.isnan(ev.fc[p]):
                    fill_complex(p)
            else:
                fill_central(p)
        ambiguous = needs_refinement(ev, ev.probes.analytic(g, x))
        refine = [p for p in todo if ambiguous[p]]
        progress.set_total(target.evals + 4 * len(refine))
        for p in refine:
            fill_central(p)
            fill_half(p)

    per_probe = 1 if method in ("auto", "complex") else 2 if method == "central" else 4
    progress.set_total(target.evals + sum(len(sw.hs) for sw in sweeps) + 3 * len(layout) + P * per_probe)

    # Taylor sweeps first: their smallest steps also measure how noisy f is.
    ev.sweeps = sweeps
    for sw in sweeps:
        d = ev.sweep_local(sw)
        sw.f = np.array([along(sw.start, sw.length, d, h) for h in sw.hs])
    ev.noise, ev.noise_sigma = noise_level(f0, sweeps, prec)
    noise = ev.noise

    # Complex-step trial per block, along a random direction over the whole block (the block's Taylor
    # direction), so an unsafe operation anywhere in the block shows up.
    if method in ("auto", "complex"):
        for sw in sweeps:
            if sw.block < 0:
                continue
            s, n = sw.start, sw.length
            d = ev.sweep_local(sw)
            h, hc = step_for_rms(probes.scales_for(x).rms(s, n), prec), prec.h_complex
            value, why = along_complex(s, n, d, hc)
            fp, fm = along(s, n, d, h), along(s, n, d, -h)
            d1 = (fp - fm) / (2 * h)
            fc = value.imag / hc if value is not None else np.nan
            fcr = value.real if value is not None else np.nan
            trial = {"h": h, "fc": fc, "fcr": fcr, "fp": fp, "fm": fm}
            ok = value is not None and not why and complex_consistent(fc, fcr, d1, np.nan, h, prec, f0, noise)
            if value is not None and not why and not ok:
                fp2, fm2 = along(s, n, d, h / 2), along(s, n, d, -h / 2)
                trial.update(fp2=fp2, fm2=fm2)
                ok = complex_consistent(fc, fcr, d1, (4 * (fp2 - fm2) / h - d1) / 3, h, prec, f0, noise)
            ev.trials[sw.block] = trial
            ev.complex_status[sw.block] = "ok" if ok else _complex_reason(
                value, why, d1, fc if np.isfinite(fc) else 0.0)

    per_block = {b: (1 if ev.complex_status.get(b) == "ok" else 4 if method == "richardson" else 2)
                 for b in range(len(layout))}
    progress.set_total(target.evals + sum(per_block[int(b)] for b in probes.block))
    fill(list(range(P)))

    if plan is not None:
        _search_python(ev, target, real_points, complex_points, plan, method)
        picks = [j for bs in ev.search.values() for j in bs.confirm]
        if picks:
            ev.search_probes = ev.add_probes(element_probes(layout, x, prec, picks))
            fill(ev.search_probes)

    ev.evals, ev.grad_evals = target.evals, target.grad_evals
    target.finish()
    return ev


def _search_python(ev: Evidence, target: PythonTarget, real_points: PointBuffer, complex_points: PointBuffer,
                   plan: SearchPlan, method: str) -> None:
    """Group testing on every planned block (rules in :mod:`._search`), in-process."""
    dtype, eps, t = target.dtype, ev.prec.eps, plan.t
    for bi, hp in plan.hashes.items():
        blk = ev.layout.blocks[bi]
        x_b, g_b = ev.x[blk.slice], ev.g[blk.slice]
        # ±max(1, |x_i|): each element moves by its own element step. The root group's sums (the whole
        # block: the only group a clean block measures) come with the pattern; |g| only when it splits.
        weights = ev.probes.scales_for(ev.x).weights(blk.start, blk.size)
        signed, root_a, root_abs = signed_pattern(blk.size, hp, weights, g_b, absolute=True)
        abs_g: list[np.ndarray] = []
        use_complex = method in ("auto", "complex") and ev.complex_status.get(bi) == "ok"
        spent = [0]
        step = [t]  # the block's step: t, or LARGER_STEP·t when the root measurement was rounding-bound

        def value_at(group: Group, s_g: np.ndarray, step: float, blk=blk) -> float:
            xs = real_points.prepare(*_group_span(blk, group), overwrite=False)
            view = group_view(xs[blk.slice], blk.shape, group)
            view += (step * s_g).astype(dtype, copy=False)
            spent[0] += 1
            return target.value(real_points)

        def measure(group: Group, blk=blk, g_b=g_b, signed=signed, use_complex=use_complex, abs_g=abs_g,
                    weights=weights, root=(root_a, root_abs)) -> Measurement:
            s_g = group_view(signed, blk.shape, group)
            if group.axis == "flat" and group.lo == 0 and group.hi == blk.size:
                a, a_abs = root
            else:
                # g·s and |g|·|s| (|s| = the weights), without a temporary as large as the group
                if not abs_g:
                    abs_g.append(np.abs(g_b))
                a = _inner(group_view(g_b, blk.shape, group), s_g)
                a_abs = _inner(group_view(abs_g[0], blk.shape, group), group_view(weights, blk.shape, group))
            if use_complex:
                z = complex_points.prepare(*_group_span(blk, group), overwrite=False)
                view = group_view(z[blk.slice], blk.shape, group)
                np.multiply(s_g, plan.hc, out=view.imag, casting="same_kind")  # the imaginary part was zero
                spent[0] += 1
                value, why = target.complex_value(complex_points)
                if value is not None and not why:
                    return complex_measurement(value.imag / plan.hc, a, a_abs, eps)
            m = central(group, s_g, step[0], a, a_abs)
            if spent[0] <= 4 and rounding_hides(m, ev.noise, step[0]):
                wide = central(group, s_g, LARGER_STEP * step[0], a, a_abs)
                if wide.sigma < m.sigma:
                    m, step[0] = wide, LARGER_STEP * step[0]
            return m

        def central(group: Group, s_g: np.ndarray, t: float, a: float, a_abs: float) -> Measurement:
            pair = (value_at(group, s_g, t), value_at(group, s_g, -t))
            half = (value_at(group, s_g, t / 2), value_at(group, s_g, -t / 2))
            m = central_measurement(pair, half, t, a, a_abs, ev.noise, eps)
            if truncation_hides(m):
                quarter = (value_at(group, s_g, t / 4), value_at(group, s_g, -t / 4))
                m = central_measurement(pair, half, t, a, a_abs, ev.noise, eps, quarter)
            return m

        result = search_block(bi, blk.shape, measure)
        result.evaluations = spent[0]
        result.confirm = [blk.start + j for j in confirm_elements(result, blk.shape, g_b, x_b)]
        ev.search[bi] = result


def _inner(a: np.ndarray, b: np.ndarray) -> float:
    """``sum(a * b)`` of two equal-shaped real views (vectors or row slices of a matrix).

    einsum, not BLAS: OpenBLAS splits a long dot product across threads, and
    on a busy machine the caller waited for the second thread.
    """
    return float(np.einsum("i,i->", a, b)) if a.ndim == 1 else float(np.einsum("ij,ij->", a, b))


def _group_span(blk: Any, group: Group) -> tuple[int, int]:
    """The range of x a group's point moves: its own range, or (rows of every column) the whole block."""
    if group.axis == "flat":
        return blk.start + group.lo, blk.start + group.hi
    return blk.start, blk.stop


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
