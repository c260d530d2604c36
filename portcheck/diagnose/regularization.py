"""``regularization``: the difference is proportional to the parameters, or sits in the bias column.

MATLAB course code regularizes every weight except the bias: ``Theta(:, 2:end)``
for a weight matrix (its first column multiplies the constant 1 unit) and
``theta(2:end)`` for a parameter vector. Ports most often forget the term,
regularize the bias too, or use the wrong factor. With ``d = port - reference``:

- ``d ≈ a·params`` on the non-bias entries and ``d ≈ 0`` on the bias: the
  port's regularization term is off by ``a`` (``a = -λ/m``: it is missing);
- ``d`` confined to the bias column, ``≈ a·params`` there: the bias is
  regularized where the reference leaves it alone;
- ``d ≈ a·params`` on every entry: a term over all parameters is off.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..report import Finding
from ._arrays import allclose, fmt
from ._base import Subject
from .scale import _context_number

__all__ = ["explain_regularization", "explain_cost_regularization"]


def _bias_mask(shape: tuple[int, ...]) -> np.ndarray:
    """True on the bias entries: first column of a matrix, first element of a vector."""
    mask = np.zeros(shape, dtype=bool)
    if len(shape) == 2 and shape[1] > 1 and shape[0] > 1:
        mask[:, 0] = True
    else:
        mask.reshape(-1)[0] = True
    return mask


def _fit(d: np.ndarray, p: np.ndarray) -> float | None:
    pp = float(p @ p)
    if pp == 0.0:
        return None
    return float(p @ d) / pp


def _name_coefficient(a: float, subject: Subject) -> str:
    """``" (= -λ/m)"`` when the coefficient is recognisable, else ``""``."""
    m = _context_number(subject.context, "m")
    lam = _context_number(subject.context, "lambda", "lambda_", "lam", "reg")
    if lam is None:
        return ""
    names = [("λ", lam)]
    if m is not None:
        names = [("λ/m", lam / m), ("λ/(2m)", lam / (2 * m)), ("2λ/m", 2 * lam / m), *names]
    for name, value in names:
        for sign in (1, -1):
            if abs(a - sign * value) <= subject.name_tol * abs(value):
                return f" (= {'-' if sign < 0 else ''}{name})"
    return ""


def explain_regularization(ref: np.ndarray, cand: np.ndarray, params: np.ndarray, subject: Subject) -> list[Finding]:
    """Regress ``cand - ref`` on the parameters (same shape as the output block)."""
    r = np.asarray(ref, dtype=float)
    c = np.asarray(cand, dtype=float)
    p = np.asarray(params, dtype=float)
    if p.size != r.size or r.size < 2 or not np.all(np.isfinite(p)):
        return []
    p = p.reshape(r.shape)
    d = c - r
    zero = np.zeros_like(d)
    tol = (subject.rtol, subject.atol)
    bias = _bias_mask(r.shape)
    nb = ~bias
    where = "the first column" if bias.sum() > 1 else "the first element"
    numpy_bias = "`Theta[:, 0]`" if bias.sum() > 1 else "`theta[0]`"
    numpy_rest = "`Theta[:, 1:]`" if bias.sum() > 1 else "`theta[1:]`"

    # Difference confined to the bias entries.
    if allclose(zero[nb], d[nb], *tol) and not allclose(zero[bias], d[bias], *tol):
        a = _fit(d[bias], p[bias])
        if a is not None and a != 0 and allclose(a * p[bias], d[bias], *tol) and np.any(p[bias] != 0):
            sign = "regularizes" if a > 0 else "subtracts a regularization term from"
            return [subject.finding(
                "regularization",
                f"{subject.subject} differs only in the bias ({where}) by {fmt(a)}·params"
                f"{_name_coefficient(a, subject)}: the port {sign} the bias weights; the reference "
                f"leaves them out, so regularize {numpy_rest} only (set {numpy_bias} of the "
                f"regularization term to 0).",
                coefficient=a, part="bias",
            )]
        return [subject.finding(
            "regularization",
            f"{subject.subject} differs only in the bias ({where}, {numpy_bias} in NumPy): check the "
            f"bias term: its gradient has no regularization, and its column of ones in the activations.",
            part="bias",
        )]

    # Proportional to the non-bias parameters, bias untouched.
    if allclose(zero[bias], d[bias], *tol):
        a = _fit(d[nb], p[nb])
        if a is not None and a != 0 and np.any(p[nb] != 0) and allclose(a * p[nb], d[nb], *tol):
            name = _name_coefficient(a, subject)
            if a < 0:
                what = (f"the regularization term is missing or too small: add (λ/m)·{numpy_rest} "
                        f"to the gradient of the non-bias weights")
            else:
                what = ("the regularization term is too large (added twice, or λ where the "
                        "reference has λ/m)")
            return [subject.finding(
                "regularization",
                f"{subject.subject} differs from {subject.reference} by {fmt(a)}·params{name} on the "
                f"non-bias weights: {what}.",
                coefficient=a, part="non-bias",
            )]

    # Proportional to every parameter.
    a = _fit(d.reshape(-1), p.reshape(-1))
    if a is not None and a != 0 and allclose(a * p, d, *tol):
        name = _name_coefficient(a, subject)
        return [subject.finding(
            "regularization",
            f"{subject.subject} differs from {subject.reference} by {fmt(a)}·params{name} on every "
            f"entry, bias included: the regularization term has the wrong factor, or regularizes the "
            f"bias ({numpy_bias}) that the reference leaves out.",
            coefficient=a, part="all",
        )]
    return []


def explain_cost_regularization(
    ref: float, cand: float, blocks: dict[str, np.ndarray], subject: Subject
) -> list[Finding]:
    """For a scalar cost: ``d`` equal to ±λ/(2m)·Σθ² over the non-bias or the bias weights.

    Needs ``m`` and ``lambda`` in the context and the parameters as named blocks.
    """
    m = _context_number(subject.context, "m")
    lam = _context_number(subject.context, "lambda", "lambda_", "lam", "reg")
    if m is None or lam is None or not blocks:
        return []
    d = float(cand) - float(ref)
    if not math.isfinite(d) or d == 0:
        return []
    s_nb = 0.0
    s_b = 0.0
    for p in blocks.values():
        p = np.asarray(p, dtype=float)
        mask = _bias_mask(p.shape)
        s_nb += float(np.sum(p[~mask] ** 2))
        s_b += float(np.sum(p[mask] ** 2))
    term = lam / (2 * m)
    tol = max(subject.atol, subject.rtol * abs(float(ref)))

    def near(x: float) -> bool:
        return abs(d - x) <= max(tol, subject.name_tol * abs(x))

    ev: dict[str, Any] = {"difference": d, "reg_nonbias": term * s_nb, "reg_bias": term * s_b}
    msg = None
    if s_b and near(term * s_b):
        msg = (f"{subject.subject} exceeds {subject.reference} by exactly λ/(2m)·Σ(bias weights)²: "
               f"the port regularizes the bias column; sum the squares of `Theta[:, 1:]` only.")
    elif s_nb and near(-term * s_nb):
        msg = (f"{subject.subject} falls short of {subject.reference} by exactly λ/(2m)·Σθ²: the "
               f"regularization term is missing; add `lambda / (2*m) * sum(Theta[:, 1:]**2)` per layer.")
    elif s_nb and near(term * s_nb):
        msg = (f"{subject.subject} exceeds {subject.reference} by exactly λ/(2m)·Σθ²: the "
               f"regularization term is counted twice, or uses λ/m where the reference has λ/(2m).")
    elif s_nb and near(-term * s_nb / 2):
        msg = (f"{subject.subject} falls short of {subject.reference} by λ/(4m)·Σθ²: the regularization "
               f"term is halved; the reference uses λ/(2m).")
    if msg is None:
        return []
    return [subject.finding("regularization", msg, **ev)]
