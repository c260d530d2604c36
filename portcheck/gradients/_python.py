"""In-process back end: evaluates a Python ``fun`` on copies, in stages.

Stages: the analytic gradient twice at x (determinism); the Taylor sweeps
(which also measure the cost's noise floor); a complex-step trial along a
random direction over each block; one estimate per probe; Richardson
evaluations for the probes that stay ambiguous. ``portcheck_gradcheck.m``
performs the same stages inside Octave. How each call is made is
:class:`._target.PythonTarget`'s business.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..inputs import Layout
from ._evidence import Evidence, Sweep, nan_array
from ._points import PointBuffer
from ._precision import Precision
from ._probes import Probes, element_probes, signed_pattern, step_for_rms
from ._progress import Progress
from ._search import (LARGER_STEP, Group, Measurement, SearchPlan, central_measurement, complex_measurement,
                      confirm_elements, group_view, rounding_hides, search_block, truncation_hides)
from ._target import PythonTarget
from ._verdict import complex_consistent, needs_refinement, noise_level

__all__ = ["collect_python"]

#: Elements per piece when a point is written (256 KB in float64: a piece stays in the L2 cache).
_PIECE = 1 << 15


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
