"""Mistakes inside the computation: how one intermediate value turns into another.

A trace hands over the first intermediate where the port parts from the
reference (both values, oriented alike) together with every other value
recorded on either side. These families look for an operator that turns the
reference value into the port's:

==================  ============================================================
kind                the port's value is ...
==================  ============================================================
``extra-function``  ``f(reference)`` for an elementwise f the reference lacks
                    (a sigmoid applied twice, an extra ``exp``)
``missing-function`` such that ``reference = f(port)``: the port forgot f
``extra-factor``    ``reference × v`` where v is another recorded value or a
                    derivative of one (an extra ``σ'(z)`` in a delta)
``inverted-mask``   non-zero exactly where the reference is zero: a ReLU or
                    mask written the wrong way round
==================  ============================================================

Each test is run on the elements that differ only, so a bias column both
sides set to 1 does not hide an extra function on the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..report import Finding
from ._arrays import close_mask
from ._base import Subject

__all__ = ["ELEMENTWISE", "explain_intermediate", "Candidate"]


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def _softmax(z: np.ndarray, axis: int) -> np.ndarray:
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


#: Elementwise functions tried, with the MATLAB spelling used in messages.
#: Derivatives are listed both of the pre-activation (sigmoid'(z)) and in terms
#: of the activation itself (a .* (1 - a)), the two ways code writes them.
ELEMENTWISE: dict[str, tuple[str, Callable[[np.ndarray], np.ndarray]]] = {
    "sigmoid": ("sigmoid({x})", _sigmoid),
    "tanh": ("tanh({x})", np.tanh),
    "relu": ("max(0, {x})", lambda x: np.maximum(x, 0.0)),
    "exp": ("exp({x})", np.exp),
    "log": ("log({x})", np.log),
    "abs": ("abs({x})", np.abs),
    "square": ("{x} .^ 2", np.square),
    "sqrt": ("sqrt({x})", np.sqrt),
    "negative-part": ("min(0, {x})", lambda x: np.minimum(x, 0.0)),
    # Integer division and rounding: `//` floors where MATLAB's / divides.
    "floor": ("floor({x})", np.floor),
    "ceil": ("ceil({x})", np.ceil),
    "fix": ("fix({x})", np.trunc),
    "sigmoid'": ("sigmoid({x}) .* (1 - sigmoid({x}))", lambda x: _sigmoid(x) * (1.0 - _sigmoid(x))),
    "a(1-a)": ("{x} .* (1 - {x})", lambda x: x * (1.0 - x)),
    "tanh'": ("1 - tanh({x}) .^ 2", lambda x: 1.0 - np.tanh(x) ** 2),
    "1-a^2": ("1 - {x} .^ 2", lambda x: 1.0 - x**2),
    "relu'": ("{x} > 0", lambda x: (x > 0).astype(np.float64)),
    "softmax-rows": ("softmax over each row", lambda x: _softmax(x, 1) if x.ndim == 2 else _softmax(x, 0)),
    "softmax-columns": ("softmax over each column", lambda x: _softmax(x, 0)),
}

#: Functions whose value is a factor in backpropagation: tried as extra factors.
_FACTORS = ("identity", "sigmoid'", "a(1-a)", "tanh'", "1-a^2", "relu'", "sigmoid", "tanh", "exp")


@dataclass(frozen=True)
class Candidate:
    """Another recorded value, offered as an extra factor: its name, where it was computed, its value."""

    name: str
    side: str
    value: np.ndarray
    location: tuple[str, int] | None = None


def _apply(f: Callable[[np.ndarray], np.ndarray], x: np.ndarray) -> np.ndarray | None:
    with np.errstate(all="ignore"):
        try:
            y = np.asarray(f(x), dtype=np.float64)
        except (ValueError, TypeError, FloatingPointError):
            return None
    return y if y.shape == x.shape else None


def _same(a: np.ndarray | None, b: np.ndarray, subject: Subject) -> bool:
    if a is None or a.shape != b.shape or a.size == 0:
        return False
    finite = np.isfinite(a) & np.isfinite(b)
    if not finite.all():
        return False
    scale = max(float(np.max(np.abs(b))), 1.0)
    return bool(np.all(close_mask(b, a, max(subject.rtol, 1e-9), subject.atol * scale)))


def _elementwise(r: np.ndarray, c: np.ndarray, subject: Subject) -> list[Finding]:
    differ = ~close_mask(r, c, subject.rtol, subject.atol)
    if not differ.any() or np.iscomplexobj(r) or np.iscomplexobj(c):
        return []
    rd, cd = r[differ], c[differ]
    # On the differing elements alone (a bias column of ones both sides keep
    # must not hide a sigmoid on the rest), a function is identified only by
    # its action on several distinct inputs, and a constant result identifies
    # nothing: exp(0) = 1 would "explain" a one-hot matrix against zeros, and
    # fix() or max(0, x) map any small values to one 0.
    # Values count as distinct only beyond the comparison's tolerance: two optimizers' near-zero
    # gradients (1e-9 against 3e-8) are one value, and fix() of small numbers "is" that value.
    tol = subject.atol * max(float(np.max(np.abs(r))), 1.0)
    n_rd, n_cd = _distinct(rd, subject.rtol, tol), _distinct(cd, subject.rtol, tol)
    extra_ok, missing_ok = n_rd >= 3 and n_cd >= 2, n_cd >= 3 and n_rd >= 2
    # The side a function produces must vary too: min(0, x) of a one-hot matrix "is" zeros.
    r_varies, c_varies = _distinct(r, subject.rtol, tol) >= 3, _distinct(c, subject.rtol, tol) >= 3
    for key, (spelling, f) in ELEMENTWISE.items():
        whole = (c_varies and _same(_apply(f, r), c, subject), r_varies and _same(_apply(f, c), r, subject))
        if key.startswith("softmax"):
            hit_extra, hit_missing = whole
        else:
            hit_extra = whole[0] or (extra_ok and _same(_apply(f, rd), cd, subject))
            hit_missing = whole[1] or (missing_ok and _same(_apply(f, cd), rd, subject))
        if hit_extra:
            return [Finding(
                kind="extra-function", severity="error", output=subject.output,
                message=(f"{subject.subject} is {spelling.format(x='the reference value')}: the port applies "
                         f"{key} where the reference does not. Remove the extra {key}."),
                evidence={"function": key, "applied": spelling, "elements": int(differ.sum())},
            )]
        if hit_missing:
            return [Finding(
                kind="missing-function", severity="error", output=subject.output,
                message=(f"the reference value is {spelling.format(x='the port value')}: {subject.subject} "
                         f"lacks the {key} the reference applies. Apply {key} there."),
                evidence={"function": key, "applied": spelling, "elements": int(differ.sum())},
            )]
    return []


def _distinct(x: np.ndarray, rtol: float, atol: float) -> int:
    """How many values ``x`` holds on a grid as fine as the comparison's tolerance."""
    v = np.asarray(x, dtype=np.float64).ravel()
    v = v[np.isfinite(v)]
    if v.size == 0:
        return 0
    step = atol + rtol * float(np.max(np.abs(v)))
    # Bins centred on multiples of 2·step: values within the tolerance of zero share zero's bin.
    return int(np.unique(np.floor(v / (2 * step) + 0.5) if step > 0 else v).size)


def _inverted_mask(r: np.ndarray, c: np.ndarray, subject: Subject) -> list[Finding]:
    """Non-zero exactly where the other is zero (ignoring elements zero on both sides)."""
    if np.iscomplexobj(r) or np.iscomplexobj(c) or r.size < 2:
        return []
    tol = subject.atol + 1e-12 * max(float(np.max(np.abs(r))), float(np.max(np.abs(c))), 1.0)
    rz, cz = np.abs(r) <= tol, np.abs(c) <= tol
    only_r, only_c, both = ~rz & cz, rz & ~cz, ~rz & ~cz
    if both.any() or not only_r.any() or not only_c.any():
        return []
    # A mask acts on real values (activations, gradients); indicator matrices
    # with complementary ones are a shifted index, not a flipped switch.
    if np.unique(r[only_r]).size < 3 or np.unique(c[only_c]).size < 3:
        return []
    kept_r, kept_c = int(only_r.sum()), int(only_c.sum())
    return [Finding(
        kind="inverted-mask", severity="error", output=subject.output,
        message=(f"{subject.subject} is non-zero exactly where the reference is zero ({kept_c} elements) and zero "
                 f"where the reference keeps its values ({kept_r}): the mask or ReLU switch is the wrong way round "
                 f"(e.g. `np.where(z > 0, 0, z)` for max(0, z), or `z <= 0` for `z > 0`). Flip the condition."),
        evidence={"reference_nonzero": kept_r, "port_nonzero": kept_c},
    )]


def _extra_factor(r: np.ndarray, c: np.ndarray, subject: Subject,
                  candidates: list[Candidate]) -> list[Finding]:
    """``port = ±reference × g(v)`` for a recorded value v and g among the usual derivative factors."""
    if np.iscomplexobj(r) or np.iscomplexobj(c) or r.size < 2:
        return []
    if np.unique(r).size < 2 or np.unique(c).size < 2:
        return []  # a constant side is a scale or a fill, not a product with a varying factor
    usable = np.isfinite(r) & np.isfinite(c)
    for cand in candidates:
        v = cand.value
        if v.shape != r.shape:
            if v.size == r.size and v.ndim == 2 and v.T.shape == r.shape:
                v = v.T
            elif v.ndim <= 1 or 1 in v.shape:
                try:
                    v = np.broadcast_to(v.reshape(-1, 1) if v.shape[0] == r.shape[0] else v.reshape(1, -1), r.shape)
                except ValueError:
                    continue
            else:
                continue
        for key in _FACTORS:
            g = (lambda x: x) if key == "identity" else ELEMENTWISE[key][1]
            gv = _apply(g, np.asarray(v, dtype=np.float64))
            if gv is None or np.allclose(gv, gv.flat[0]):
                continue  # a constant factor is `scale`, found by the boundary families
            for sign in (1.0, -1.0):
                if _same(np.where(usable, sign * r * gv, 0.0), np.where(usable, c, 0.0), subject):
                    spelled = cand.name if key == "identity" else ELEMENTWISE[key][0].replace("{x}", cand.name)
                    neg = "-" if sign < 0 else ""
                    return [Finding(
                        kind="extra-factor", severity="error", output=subject.output,
                        message=(f"{subject.subject} is the reference value times {neg}{spelled}: the port "
                                 f"multiplies by a factor the reference does not have"
                                 + (" (and flips the sign)" if sign < 0 else "")
                                 + f". Drop the factor {spelled}"
                                 + (" and the minus sign" if sign < 0 else "") + "."),
                        evidence={"factor": f"{neg}{spelled}", "variable": cand.name, "function": key,
                                  "side": cand.side, "sign": sign,
                                  "factor_location": list(cand.location) if cand.location else None},
                    )]
    return []


def explain_intermediate(reference: np.ndarray, candidate: np.ndarray, subject: Subject,
                         candidates: list[Candidate] | None = None) -> list[Finding]:
    """The new families on one pair of equally shaped intermediates, cheapest first.

    Parameters
    ----------
    reference, candidate : ndarray
        The reference's and the port's value of the divergent intermediate,
        already oriented alike (same shape).
    subject : Subject
        Names and tolerances.
    candidates : list of Candidate, optional
        Other recorded values, offered as extra factors.

    Returns
    -------
    list of Finding
        At most one finding; empty when none of these operators explains it.
    """
    r = np.asarray(reference, dtype=np.complex128 if np.iscomplexobj(reference) else np.float64)
    c = np.asarray(candidate, dtype=np.complex128 if np.iscomplexobj(candidate) else np.float64)
    if r.shape != c.shape or r.size == 0:
        return []
    # A flipped mask first: its signature (complementary supports of real
    # values) is the most specific, and a rounding function can mimic it.
    return (_inverted_mask(r, c, subject) or _elementwise(r, c, subject)
            or _extra_factor(r, c, subject, list(candidates or ())))

