"""Constant factors: ``sign``, ``scale`` and ``ddof``.

The port's value is fitted as ``c ≈ k · reference`` by least squares; the
finding is reported only when the fit is exact to the comparison tolerance,
and ``k`` is named from the context when it is recognisable: ``m`` (a missing
``1/m``), ``2`` (``1/m`` for ``1/(2m)``), ``λ``, or the ``√((N-1)/N)`` of a
standard deviation normalised by N instead of MATLAB's N-1.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..report import Finding
from ._arrays import allclose, fmt
from ._base import Subject

__all__ = ["fit_factor", "explain_factor", "name_factor"]


def fit_factor(reference: np.ndarray, candidate: np.ndarray) -> float | None:
    """Least-squares ``k`` in ``candidate ≈ k · reference`` (None if the reference is zero)."""
    r = np.asarray(reference, dtype=float).reshape(-1)
    c = np.asarray(candidate, dtype=float).reshape(-1)
    if not (np.all(np.isfinite(r)) and np.all(np.isfinite(c))):
        return None
    rr = float(r @ r)
    if rr == 0.0:
        return None
    return float(r @ c) / rr


def _context_number(context: Mapping[str, Any], *keys: str) -> float | None:
    for key in keys:
        v = context.get(key)
        if v is None:
            continue
        try:
            f = float(v)
        except (TypeError, ValueError):
            continue
        if math.isfinite(f) and f != 0:
            return f
    return None


def _named_candidates(context: Mapping[str, Any]) -> list[tuple[str, float, str]]:
    """(symbol, value, what it usually means) for factors worth naming, most specific first."""
    out: list[tuple[str, float, str]] = []
    # "m_alt": the other dimension of the data matrix, for code that keeps
    # examples in columns (UFLDL's data is features × m).
    for key in ("m", "m_alt"):
        m = _context_number(context, key)
        if m is not None and m != 1:
            out += [
                ("m", m, "a missing `1/m`"),
                ("1/m", 1 / m, "an extra `1/m` (or `mean` where the reference sums)"),
                ("2m", 2 * m, "a missing `1/(2*m)`"),
                ("1/(2m)", 1 / (2 * m), "an extra `1/(2*m)`"),
            ]
    lam = _context_number(context, "lambda", "lambda_", "lam", "reg")
    if lam is not None and lam != 1:
        out += [
            ("λ", lam, "λ multiplies more than the regularization term"),
            ("1/λ", 1 / lam, "a division by λ that the reference does not have"),
        ]
    return out


_PLAIN = [
    ("2", 2.0, "a missing `1/2` (e.g. `1/m` where the reference has `1/(2*m)`)"),
    ("1/2", 0.5, "an extra `1/2` (e.g. `1/(2*m)` where the reference has `1/m`)"),
]


def _ddof(k: float, context: Mapping[str, Any], tol: float, scalar: bool = False,
          dims: set[int] | None = None) -> tuple[str, int, str] | None:
    """Recognise the N vs N-1 normalisation of ``std`` (√) or ``var`` (no root).

    N is solved from ``k``. The factors crowd towards 1 as N grows, so an N is
    accepted only while neighbouring N's factors are distinguishable at the
    tolerance; for a single number (where any ratio is "a factor") N must
    also equal the context's ``N`` or ``m``. With ``dims`` (the dimensions of
    the data: the inputs' and the output's), N must be one of them: a factor
    of 1.5 is var's 3/2 only when the data has 3 of something.
    """
    if k <= 0 or k == 1:
        return None
    known = _context_number(context, "N", "n_samples")
    if scalar:
        known = known if known is not None else _context_number(context, "m")
        if known is None:
            return None
    for kind, root in (("std", True), ("var", False)):
        q = k * k if root else k  # q = (N-1)/N or its inverse
        r = q if q < 1 else 1 / q
        if r >= 1:
            continue
        n_est = 1.0 / (1.0 - r)
        if not math.isfinite(n_est) or n_est > 1e7:
            continue
        n = int(round(n_est))
        if n < 2:
            continue
        expected = math.sqrt((n - 1) / n) if root else (n - 1) / n
        if k > 1:
            expected = 1 / expected
        if abs(expected - k) > tol * abs(k):
            continue
        following = math.sqrt(n / (n + 1)) if root else n / (n + 1)
        if k > 1:
            following = 1 / following
        # N's neighbours must be told apart; by a wide margin unless N is known to be a size of the
        # data (then float32's wider tolerance still names var's 25/24 for 25 examples).
        margin = tol if known == n or (known is None and dims and n in dims) else 10 * tol
        if abs(following - expected) <= margin * abs(k):
            continue
        # N = 2 makes var's factor exactly 1/2 or 2: only call it ddof when N is known.
        if n == 2 and known != 2:
            continue
        if known is not None and int(known) != n:
            continue
        if known is None and dims and n not in dims:
            continue
        return kind, n, "N" if k < 1 else "N-1"
    return None


def name_factor(
    k: float, context: Mapping[str, Any] | None = None, tol: float = 1e-6, plain: bool = True
) -> tuple[str, str] | None:
    """Name a factor ``k`` when recognisable: ``("m", "a missing `1/m`")`` or None.

    ``plain=False`` only tries the factors built from the context (m, λ).
    """
    context = context or {}
    for symbol, value, meaning in [*_named_candidates(context), *(_PLAIN if plain else [])]:
        if abs(k - value) <= tol * abs(value):
            return symbol, meaning
    return None


def explain_factor(reference: np.ndarray, candidate: np.ndarray, subject: Subject) -> list[Finding]:
    """``sign``, ``ddof`` or ``scale`` when ``candidate`` is a constant multiple of ``reference``.

    For a single number any ratio is "a constant factor", so a scalar gets a
    finding only when the factor is recognisable (−1, m, 2, λ, N/(N-1)...).
    """
    r = np.asarray(reference)
    c = np.asarray(candidate)
    if np.iscomplexobj(r) or np.iscomplexobj(c):
        return []
    k = fit_factor(r, c)
    if k is None or not math.isfinite(k):
        return []
    tol = subject.name_tol
    if abs(k - 1) <= tol or abs(k) <= tol:
        return []
    if float(np.max(np.abs(r))) <= subject.atol:
        return []
    if not allclose(k * r, c, subject.rtol, subject.atol):
        return []
    scalar = r.size == 1
    ctx = subject.context
    ev: dict[str, Any] = {"factor": k}

    if abs(k + 1) <= tol:
        return [subject.finding(
            "sign",
            f"{subject.subject} is {_ref_of(subject)} negated: a sign error (e.g. `y - h` where "
            f"the reference has `h - y`, or a missing minus in front of the log-likelihood); flip the sign.",
            **ev,
        )]

    named = name_factor(abs(k), ctx, tol, plain=False)
    if named is not None:
        return [_scale_finding(subject, k, named, ev)]

    dims = None
    if "dims" in ctx:  # compare passes the data's dimensions; the output's count as well
        dims = {int(d) for d in r.shape} | {int(d) for d in ctx["dims"] if isinstance(d, (int, np.integer))}
    dd = _ddof(k, ctx, tol, scalar=scalar, dims=dims)
    if dd is not None:
        stat, n, divisor = dd
        ev.update({"N": n, "statistic": stat})
        root = "√" if stat == "std" else ""
        # The factor alone cannot say whether the output *is* a std/var or is
        # divided by one (feature normalisation): the fix runs opposite ways.
        if divisor == "N":
            factor = f"{root}((N-1)/N)" if root else "(N-1)/N"
            fix = (f"one side's `{stat}` divides by N, the other's by N-1. If this output is a {stat}, "
                   f"the port divides by N: MATLAB's `{stat}` divides by N-1, use `np.{stat}(x, ddof=1)`; "
                   f"if it is multiplied by a {stat}, the reference divides by N: use `ddof=0`")
        else:
            factor = f"{root}(N/(N-1))" if root else "N/(N-1)"
            fix = (f"one side's `{stat}` divides by N, the other's by N-1. If this output is divided by a "
                   f"{stat} (as in feature normalisation), the port's `{stat}` divides by N: MATLAB's divides "
                   f"by N-1, use `np.{stat}(x, ddof=1)`; if the output is itself a {stat}, the reference "
                   f"divides by N: use `np.{stat}(x, ddof=0)` (MATLAB's `{stat}(x, 1)`)")
        return [subject.finding(
            "ddof",
            f"{subject.subject} is {factor} × {_ref_of(subject)} (N = {n}, factor {fmt(k)}): {fix}.",
            **ev,
        )]

    named = name_factor(abs(k), {}, tol)
    if named is not None:
        return [_scale_finding(subject, k, named, ev)]
    axis = _wrong_axis_count(k, ctx, tol)
    if axis is not None:
        return [_scale_finding(subject, k, axis, ev)]
    if scalar:
        return []
    return [subject.finding(
        "scale",
        f"{subject.subject} is {fmt(k)}× {_ref_of(subject)} everywhere: a constant factor is "
        f"missing or extra (look for a stray `m`, `2`, `lambda` or a `mean` vs `sum`).",
        **ev,
    )]


def _wrong_axis_count(k: float, context: Mapping[str, Any], tol: float) -> tuple[str, str] | None:
    """``k = m/d`` for another dimension ``d`` of the data: the example count taken from the wrong axis.

    ``m = Y.shape[1]`` on a one-hot ``Y`` with examples in rows divides by the
    number of labels; the factor is then m over that size. Tried after every
    other reading, since any ratio of two sizes could be a coincidence.
    """
    m = _context_number(context, "m")
    dims = context.get("dims")
    if m is None or not isinstance(dims, (list, tuple, set)):
        return None
    m_int = int(round(m))
    for d in sorted({int(d) for d in dims if isinstance(d, (int, np.integer))}):
        if d in (1, m_int) or d <= 0:
            continue
        if abs(abs(k) - m / d) <= tol * m / d:
            return (f"m/{d}", f"the port divides by {d} where the reference divides by m = {m_int}: the example "
                              f"count is taken from the wrong axis (e.g. `m = Y.shape[1]` for a one-hot `Y` with "
                              f"one example per row); count the examples, `m = X.shape[0]`")
        if abs(abs(k) - d / m) <= tol * d / m:
            return (f"{d}/m", f"the port divides by m = {m_int} where the reference divides by {d}: one side "
                              f"counts along the other axis (examples in rows vs columns)")
    return None


def _ref_of(subject: Subject) -> str:
    return subject.reference


def _scale_finding(subject: Subject, k: float, named: tuple[str, str], ev: dict[str, Any]) -> Finding:
    symbol, meaning = named
    ev = {**ev, "named": symbol if k > 0 else f"-{symbol}"}
    if k > 0:
        return subject.finding(
            "scale",
            f"{subject.subject} is {fmt(k)}× {_ref_of(subject)} (= {symbol}): {meaning}.",
            **ev,
        )
    return subject.finding(
        "scale",
        f"{subject.subject} is {fmt(k)}× {_ref_of(subject)} (= -{symbol}): a sign error and {meaning}.",
        **ev,
    )
