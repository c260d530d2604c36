"""Behaviour of the port as a function: ``mutates-input``, ``nondeterministic``, ``lambda-capture``.

MATLAB passes arrays by value, so a reference never changes its caller's
data; NumPy passes references, and ``theta[0] = 0`` inside a port silently
changes the caller's parameter vector. A MATLAB function is also a pure
function of its arguments, which a port stops being when it draws random
numbers or closes over a fixed ``theta``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..report import Finding
from ._arrays import as_float_array, close_mask, location, location_text

__all__ = ["mutated_inputs", "explain_mutation", "explain_nondeterminism", "explain_reference_nondeterminism",
           "explain_capture", "perturb"]


def mutated_inputs(before: Sequence[Any], after: Sequence[Any]) -> list[tuple[int, dict[str, Any]]]:
    """Arguments whose contents changed across the call: ``(position, evidence)``.

    Arrays element by element; lists and dicts (a MATLAB cell or struct passed
    by value) by length, keys and every entry, recursively.
    """
    out = []
    for i, (b, a) in enumerate(zip(before, after)):
        if isinstance(b, np.ndarray) and isinstance(a, np.ndarray):
            if b.shape != a.shape:
                out.append((i, {"before_shape": list(b.shape), "after_shape": list(a.shape)}))
            elif not np.array_equal(b, a, equal_nan=b.dtype.kind in "fc"):
                changed = np.flatnonzero(np.ravel(b != a, order="F") & ~np.ravel(
                    (b != b) & (a != a), order="F"))
                first = int(changed[0]) if changed.size else 0
                loc = location(first, b.shape if b.ndim else (1,))
                out.append((i, {"changed": int(changed.size), "total": int(b.size), "first": loc,
                                "before": b.ravel(order="F")[first].item(),
                                "after": a.ravel(order="F")[first].item()}))
        elif isinstance(b, (dict, list)) and isinstance(a, type(b)):
            change = _container_change(b, a)
            if change is not None:
                out.append((i, change))
    return out


def _same_value(b: Any, a: Any) -> bool:
    """Equal contents, recursively (NaN equal to NaN): what "unchanged" means for a container element."""
    if isinstance(b, np.ndarray) or isinstance(a, np.ndarray):
        return (isinstance(b, np.ndarray) and isinstance(a, np.ndarray) and b.shape == a.shape
                and bool(np.array_equal(b, a, equal_nan=b.dtype.kind in "fc" and a.dtype.kind in "fc")))
    if isinstance(b, (dict, list)):
        return _container_change(b, a) is None if isinstance(a, type(b)) else False
    try:
        return bool(b == a) or (b != b and a != a)
    except Exception:  # noqa: BLE001 - values that cannot be compared count as changed only if not identical
        return b is a


def _container_change(b: dict | list, a: dict | list) -> dict[str, Any] | None:
    """How a list or dict argument changed in place: keys or items added/removed, or an entry modified."""
    if isinstance(b, dict):
        added = [str(k) for k in a if k not in b]
        removed = [str(k) for k in b if k not in a]
        if added or removed:
            return {"keys_added": added, "keys_removed": removed}
        for k in b:
            if not _same_value(b[k], a[k]):
                return {"field": str(k)}
        return None
    if len(a) != len(b):
        return {"before_length": len(b), "after_length": len(a)}
    for j, (x, y) in enumerate(zip(b, a)):
        if not _same_value(x, y):
            return {"item": j}
    return None


def explain_mutation(before: Sequence[Any], after: Sequence[Any], names: Sequence[str]) -> list[Finding]:
    """``mutates-input`` for each argument the port changed in place."""
    found = []
    for i, ev in mutated_inputs(before, after):
        label = names[i] if i < len(names) else f"argument {i + 1}"
        if "changed" in ev:
            what = (f"{ev['changed']} of {ev['total']} elements, first at "
                    f"{location_text(ev['first'])}: {ev['before']!r} became {ev['after']!r}")
        elif "field" in ev:
            what = f"field {ev['field']!r}"
        elif "keys_added" in ev:
            what = ", ".join(f"{verb} key{'s' * (len(ks) > 1)} {', '.join(repr(k) for k in ks)}"
                             for verb, ks in (("added", ev["keys_added"]), ("removed", ev["keys_removed"])) if ks)
        elif "after_length" in ev:
            what = f"its length, {ev['before_length']} to {ev['after_length']} items (append, pop, ...)"
        elif "item" in ev:
            what = f"item {ev['item']}"
        else:
            what = f"its shape, {tuple(ev['before_shape'])} to {tuple(ev['after_shape'])}"
        found.append(Finding(
            kind="mutates-input", severity="error",
            message=(f"the port changed its input {label} in place ({what}): MATLAB passes arrays, "
                     f"structs and cells by value, so callers (an optimizer, a gradient check) expect it "
                     f"untouched; copy first "
                     f"(`{label} = {label}.copy()`) or avoid in-place updates such as `{label}[0] = 0` "
                     f"and `{label} -= ...`."),
            evidence={"argument": i + 1, "name": label, **ev},
        ))
    return found


def _first_difference(first: Sequence[Any], second: Sequence[Any], rtol: float,
                      atol: float) -> tuple[int, dict[str, Any]] | None:
    """The first output that differs beyond the tolerance between two identical calls."""
    for i, (a, b) in enumerate(zip(first, second)):
        x, y = as_float_array(a), as_float_array(b)
        if x is None or y is None:
            continue
        if x.shape != y.shape:
            return i, {"shapes": [list(x.shape), list(y.shape)]}
        ok = close_mask(x, y, rtol, atol)
        if not bool(np.all(ok)):
            return i, {"differing": int(np.count_nonzero(~ok)), "total": int(x.size)}
    return None


def _nondeterministic(first: Sequence[Any], second: Sequence[Any], names: Sequence[str], rtol: float, atol: float,
                      side: str, message: str) -> list[Finding]:
    """A ``nondeterministic`` finding on ``side`` when two identical calls disagree (``{label}`` in ``message``)."""
    diff = _first_difference(first, second, rtol, atol)
    if diff is None:
        return []
    i, ev = diff
    label = names[i] if i < len(names) else f"output {i + 1}"
    return [Finding(kind="nondeterministic", severity="error", output=label, message=message.format(label=label),
                    evidence={**ev, "side": side})]


def explain_nondeterminism(
    first: Sequence[Any], second: Sequence[Any], names: Sequence[str], rtol: float, atol: float
) -> list[Finding]:
    """``nondeterministic`` when two calls on identical inputs disagree beyond the tolerance."""
    return _nondeterministic(
        first, second, names, rtol, atol, "port",
        "two identical calls of the port gave different {label}: it draws random numbers (seed them, or pass "
        "the initial weights in as the reference does) or keeps state between calls; comparisons of a "
        "nondeterministic port are not meaningful.")


def explain_reference_nondeterminism(
    first: Sequence[Any], second: Sequence[Any], names: Sequence[str], rtol: float, atol: float
) -> list[Finding]:
    """``nondeterministic`` on the reference's side: the Octave function is not a function of its inputs.

    Nothing a port returns can match such a reference, so this replaces any
    mismatch it would otherwise be blamed for.
    """
    return _nondeterministic(
        first, second, names, rtol, atol, "reference",
        "the Octave reference gave different {label} on two identical calls: it draws random numbers "
        "(rand/randn without a fixed seed) or keeps global or persistent state, so no port can be compared "
        "with it; the port is not to blame. Seed it (rand('seed', 0)) or pass the random values in as "
        "arguments.")


def perturb(theta: np.ndarray) -> np.ndarray:
    """A deterministic, clearly different point: ``theta + 0.1·cos(1..n)``, same shape and dtype."""
    t = np.asarray(theta, dtype=float)
    bump = 0.1 * np.cos(np.arange(1, t.size + 1, dtype=float)).reshape(t.shape, order="F")
    return t + bump


def explain_capture(
    port_same: bool, reference_same: bool, name: str
) -> list[Finding]:
    """``lambda-capture``: the reference moves with the first argument, the port does not."""
    if port_same and not reference_same:
        return [Finding(
            kind="lambda-capture", severity="error",
            message=(f"the port returns the same values when {name} changes, while the reference does "
                     f"not: it ignores its argument (e.g. `lambda p: cost(theta, X, y)` closes over a "
                     f"fixed `theta`, or a default argument bound once); use the {name} it is given."),
            evidence={"counterfactual": f"{name} + 0.1·cos(1..n)", "port_changed": False,
                      "reference_changed": True},
        )]
    return []


def explain_repeated_rows(ref: np.ndarray, cand: np.ndarray, subject: Any) -> list[Finding]:
    """``lambda-capture`` (late binding): every row of the port's matrix is the reference's last row.

    Closures built in a loop (``lambda t: cost(t, y == c)``) read the loop
    variable when they are called, after the loop has ended, so every
    per-class result is the last class's. The rows are then identical to one
    another and close to the reference's *last* row. Optimizer outputs agree
    only to the optimizers' tolerance, so closeness is judged against the
    distance to the other rows rather than at the comparison tolerance.
    """
    r = np.asarray(ref)
    c = np.asarray(cand)
    if r.ndim != 2 or r.shape != c.shape or r.shape[0] < 2 or np.iscomplexobj(r):
        return []
    if not (np.all(np.isfinite(r)) and np.all(np.isfinite(c))):
        return []
    if not np.all(c == c[0]):
        return []
    dist = np.linalg.norm(r - c[0], axis=1)
    if np.min(np.linalg.norm(r[:-1] - r[-1], axis=1)) <= subject.atol:
        return []  # the reference's rows repeat too: nothing to tell apart
    last = float(dist[-1])
    others = float(np.min(dist[:-1]))
    scale = float(np.linalg.norm(r[-1])) or 1.0
    if last > 1e-3 * scale or last * 10 > others:
        return []
    k = r.shape[0]
    return [subject.finding(
        "lambda-capture",
        f"all {k} rows of {subject.subject} are the same, and equal {subject.reference}'s last row: "
        f"functions built in a loop (`lambda t: cost(t, X, y == c)`) read `c` when called, after the "
        f"loop ended, so every row trains the last class; bind it at creation (`lambda t, c=c: ...`) or "
        f"pass it through `args=(...)`.",
        rows=k, distance_to_last_row=last, distance_to_nearest_other_row=others,
    )]
