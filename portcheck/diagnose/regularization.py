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

import dataclasses
import itertools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..report import Finding
from ._arrays import allclose, fmt
from ._base import Subject
from .scale import _context_number

__all__ = ["explain_regularization", "explain_cost_regularization", "describe_penalty", "describe_penalty_gradient", "penalty_from_runs",
           "with_penalty_detail"]


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
    names = [("λ", lam), ("λ/2", lam / 2), ("2λ", 2 * lam)]
    if m is not None:
        names = [("λ/m", lam / m), ("λ/(2m)", lam / (2 * m)), ("2λ/m", 2 * lam / m), *names]
    for name, value in names:
        for sign in (1, -1):
            if abs(a - sign * value) <= subject.name_tol * abs(value):
                return f" (= {'-' if sign < 0 else ''}{name})"
    return ""


def explain_regularization(ref: np.ndarray, cand: np.ndarray, params: np.ndarray, subject: Subject,
                           separate_bias: bool = False) -> list[Finding]:
    """Regress ``cand - ref`` on the parameters (same shape as the output block).

    ``separate_bias``: the layout keeps the biases in blocks of their own
    (CS231n's ``W1, b1``, UFLDL's ``W1, W2, b1, b2``), so a weight matrix has
    no bias column and a vector block is a bias.
    """
    r = np.asarray(ref, dtype=float)
    c = np.asarray(cand, dtype=float)
    p = np.asarray(params, dtype=float)
    if p.size != r.size or r.size < 2 or not np.all(np.isfinite(p)):
        return []
    p = p.reshape(r.shape)
    d = c - r
    zero = np.zeros_like(d)
    tol = (subject.rtol, subject.atol)
    if separate_bias:
        a = _fit(d.reshape(-1), p.reshape(-1))
        if a is None or a == 0 or not allclose(a * p, d, *tol):
            return []
        name = _name_coefficient(a, subject)
        if r.ndim == 2 and 1 not in r.shape:
            what = ("the regularization term of these weights has the wrong factor: the gradient's term is the "
                    "derivative of the cost's penalty ((λ/2)·ΣW² gives λ·W; λ/(2m)·ΣW² gives (λ/m)·W)")
        else:
            what = ("this block is a bias, which the reference does not regularize: remove the penalty term "
                    "from the bias gradient" if a > 0 else
                    "this block is a bias: check the term proportional to it")
        return [subject.finding(
            "regularization",
            f"{subject.subject} differs from {subject.reference} by {fmt(a)}·params{name} on every entry: "
            f"{what}.", coefficient=a, part="all")]
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
            f"entry, bias included, by the same factor (so the bias is not what differs): the regularization "
            f"term has the wrong factor; "
            + ("the port's term is too small or missing (e.g. λ/m where the reference has λ)." if a < 0 else
               "the port's term is too large (e.g. λ where the reference has λ/m, or added twice)."),
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


# -- what the port's penalty is, when λ = 0 has proved the mistake is in it -------------------


def _part_slices(blocks: dict[str, np.ndarray]) -> list[tuple[str, str, tuple]]:
    """(label, block, index) of each part: a weight matrix's bias column and its other weights.

    A vector block is one part; so is every matrix when the layout keeps the biases
    in blocks of their own (matrices beside vectors: ``W1, b1, W2, b2``).
    """
    shapes = [np.shape(p) for p in blocks.values()]
    matrix = [len(sh) == 2 and sh[0] > 1 and sh[1] > 1 for sh in shapes]
    separate_bias = any(matrix) and not all(matrix) and len(blocks) > 1
    out: list[tuple[str, str, tuple]] = []
    for (name, p), is_matrix in zip(blocks.items(), matrix):
        if is_matrix and not separate_bias:
            out.append((f"the bias column of {name} (`{name}[:, 0]`)", name, (slice(None), slice(0, 1))))
            out.append((f"the weights of {name} (`{name}[:, 1:]`)", name, (slice(None), slice(1, None))))
        else:
            out.append((name, name, (slice(None),) * np.ndim(p)))
    return out


def _penalty_parts(blocks: dict[str, np.ndarray]) -> list[tuple[str, float]]:
    """(label, Σ squares) per part (see :func:`_part_slices`)."""
    return [(label, float(np.sum(np.asarray(blocks[name], dtype=float)[where] ** 2)))
            for label, name, where in _part_slices(blocks)]


def _penalty_factors(lam: float, m: float | None) -> list[tuple[str, float]]:
    """The factors a penalty is written with, most usual first; one name per value."""
    named = [("λ", lam), ("λ/2", lam / 2), ("2λ", 2 * lam)]
    if m is not None and m > 1:
        named = [("λ/(2m)", lam / (2 * m)), ("λ/m", lam / m), *named, ("λ·m/2", lam * m / 2), ("λ·m", lam * m),
                 ("λ/(2m²)", lam / (2 * m * m))]
    out: list[tuple[str, float]] = []
    for name, value in named:
        if value != 0 and not any(abs(value - v) <= 1e-12 * abs(v) for _, v in out):
            out.append((name, value))
    return out


def describe_penalty(ref_penalty: float, port_penalty: float, blocks: dict[str, np.ndarray],
                     lam: float, m: float | None, rtol: float = 1e-7) -> str | None:
    """Say how the port's cost penalty differs from the reference's, or None when no simple reading fits.

    ``ref_penalty`` and ``port_penalty`` are each side's cost at ``lam`` minus
    its cost at λ = 0, so everything else in the cost has cancelled. Each side
    is read as ``factor · Σ (chosen parts)²``, a part counted 0, 1 or 2 times
    (a weight matrix's bias column and its other weights are separate parts);
    the port's reading is the one closest to the reference's, and it counts
    only when no other equally close reading fits as well.

    Parameters
    ----------
    ref_penalty, port_penalty : float
        The penalty of each side, as measured.
    blocks : dict of str to ndarray
        The parameters by block (the layout's names and shapes).
    lam : float
        The penalty weight the outputs were computed with.
    m : float or None
        The number of examples, if known.
    rtol : float
        How closely a reading must reproduce a measured penalty.

    Returns
    -------
    str or None
        A clause such as "counts the bias column of Theta2 (`Theta2[:, 0]`) twice".
    """
    if not (math.isfinite(ref_penalty) and math.isfinite(port_penalty)) or ref_penalty == 0 or lam == 0:
        return None
    parts = _penalty_parts(blocks)
    if not parts or len(parts) > 8:
        return None
    sums = np.array([s for _, s in parts])
    if not np.all(np.isfinite(sums)):
        return None
    factors = _penalty_factors(lam, m)
    tol_of = lambda x: rtol * max(abs(x), abs(ref_penalty)) + 1e-15  # noqa: E731

    if abs(port_penalty) <= tol_of(0.0):
        return "is missing: the port's cost does not change with λ"

    def readings(value: float, counts: Sequence[Sequence[int]]) -> list[tuple[int, tuple[int, ...]]]:
        hits = []
        for fi, (_, f) in enumerate(factors):
            for c in counts:
                if abs(f * float(np.dot(c, sums)) - value) <= tol_of(value):
                    hits.append((fi, tuple(c)))
        return hits

    ref_counts = list(itertools.product((0, 1), repeat=len(parts)))
    ref_hits = readings(ref_penalty, ref_counts)
    if not ref_hits:
        return None
    # The reference's own reading: its usual factor and the parts it penalizes (the course's
    # λ/(2m) over the non-bias weights wins over a coincidence).
    rf, rc = min(ref_hits, key=lambda h: (h[0], -sum(h[1])))
    port_hits = readings(port_penalty, list(itertools.product((0, 1, 2), repeat=len(parts))))
    if not port_hits:
        return None

    def changes(hit: tuple[int, tuple[int, ...]]) -> int:
        return int(hit[0] != rf) + sum(1 for a, b in zip(hit[1], rc) if a != b)

    best = min(changes(h) for h in port_hits)
    closest = [h for h in port_hits if changes(h) == best]
    if best == 0 or len(closest) != 1:
        return None
    pf, pc = closest[0]
    said = []
    if pf != rf:
        said.append(f"is written with {factors[pf][0]} where the reference has {factors[rf][0]}")
        if factors[pf][0] == "λ·m/2" and factors[rf][0] == "λ/(2m)":
            said[-1] += " (`lam/2*m` is (lam/2)·m in Python: write `lam/(2*m)`)"
    for (label, _), c, r in zip(parts, pc, rc):
        if c == r:
            continue
        if c == 0:
            said.append(f"leaves out {label}")
        elif r == 0:
            said.append(f"includes {label}{' twice' if c == 2 else ''}, which the reference leaves out")
        else:
            said.append(f"counts {label} twice")
    return "; ".join(said)


def penalty_from_runs(ref_lam: Sequence[Any], ref_zero: Sequence[Any], port_lam: Sequence[Any],
                      port_zero: Sequence[Any], blocks: dict[str, np.ndarray], lam: float,
                      m: float | None, rtol: float = 1e-7) -> str | None:
    """:func:`describe_penalty` for the first scalar output (the cost) on which the two sides differ.

    Each argument holds one side's outputs at λ or at λ = 0, in the same order.
    """
    for rl, r0, pl, p0 in zip(ref_lam, ref_zero, port_lam, port_zero):
        if any(np.size(v) != 1 for v in (rl, r0, pl, p0)):
            continue
        try:
            rl, r0, pl, p0 = (float(np.real(np.asarray(v, dtype=complex)).reshape(-1)[0]) for v in (rl, r0, pl, p0))
        except (TypeError, ValueError):
            continue
        if abs(pl - rl) <= rtol * max(abs(rl), 1e-300):
            continue
        return describe_penalty(rl - r0, pl - p0, blocks, lam, m, rtol=max(rtol, 1e-9))
    n = sum(np.size(b) for b in blocks.values())
    for rl, r0, pl, p0 in zip(ref_lam, ref_zero, port_lam, port_zero):
        if all(np.size(v) == n for v in (rl, r0, pl, p0)) and n > 1:
            found = describe_penalty_gradient(_flat(rl) - _flat(r0), _flat(pl) - _flat(p0), blocks, lam, m,
                                              rtol=max(rtol, 1e-9))
            if found:
                return found
    return None


def _flat(v: Any) -> np.ndarray:
    return np.asarray(v, dtype=float).reshape(-1, order="F")


def describe_penalty_gradient(ref_pen: np.ndarray, port_pen: np.ndarray, blocks: dict[str, np.ndarray],
                              lam: float, m: float | None, rtol: float = 1e-9) -> str | None:
    """Say how the penalty's term in the port's gradient differs, part by part, or None.

    ``ref_pen`` and ``port_pen`` are each side's gradient at λ minus its gradient
    at λ = 0 (unrolled like the parameters), so each part should be
    ``factor · params`` there; the factors are named as in :func:`describe_penalty`.
    """
    if lam == 0 or ref_pen.shape != port_pen.shape:
        return None
    factors = _penalty_factors(lam, m)

    def name(a: float) -> str | None:
        if a == 0:
            return "0"
        return next((nm for nm, v in factors if abs(a - v) <= 1e-6 * abs(v)), None)

    said: dict[str, list[str]] = {}
    split: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    start = 0
    for block, p in blocks.items():
        a = np.asarray(p, dtype=float)
        split[block] = (a, ref_pen[start:start + a.size].reshape(a.shape, order="F"),
                        port_pen[start:start + a.size].reshape(a.shape, order="F"))
        start += a.size
    for label, block, where in _part_slices(blocks):
        a, rb, pb = split[block]
        label = label.split(" (`")[0]
        pp, r, c = a[where].reshape(-1), rb[where].reshape(-1), pb[where].reshape(-1)
        if not pp.size or not np.any(pp != 0):
            continue
        fits = []
        for d in (r, c):
            k = _fit(d, pp)
            k = 0.0 if k is None or abs(k) * float(np.max(np.abs(pp))) <= 1e-12 else k
            if not allclose(k * pp, d, rtol, 1e-12 * max(1.0, float(np.max(np.abs(d))))):
                return None
            fits.append(k)
        kr, kp = fits
        if abs(kp - kr) <= 1e-6 * max(abs(kr), abs(kp)):
            continue
        nr, np_ = name(kr), name(kp)
        if nr is None or np_ is None:
            return None
        if kr == 0:
            what = f"adds {np_}·params to {{}}, which the reference does not regularize"
        elif kp == 0:
            what = f"leaves out the term for {{}} (the reference adds {nr}·params)"
        else:
            what = f"is written with {np_} where the reference has {nr} for {{}}"
        said.setdefault(what, []).append(label)
    if not said:
        return None
    for labels in said.values():
        for block in blocks:  # both parts of a block alike: name the block
            both = [f"the bias column of {block}", f"the weights of {block}"]
            if all(b in labels for b in both):
                labels[labels.index(both[0])] = block
                labels.remove(both[1])
    return "in the gradient " + "; ".join(w.format(" and ".join(labels)) for w, labels in said.items())


def with_penalty_detail(finding: Finding, detail: str) -> Finding:
    """The λ = 0 finding with its generic advice replaced by what the port's penalty does."""
    msg = finding.message
    tail = ""
    cut = msg.find(" (The port matches")
    if cut >= 0:
        msg, tail = msg[:cut], msg[cut:]
    for marker in ("; check the penalty term", ", the regularization penalty: check", ", the sparsity penalty"):
        i = msg.find(marker)
        if i >= 0:
            msg = msg[:i]
            break
    msg = f"{msg.rstrip('.')}: the port's penalty {detail}.{tail}"
    return dataclasses.replace(finding, message=msg, evidence={**finding.evidence, "penalty": detail})
