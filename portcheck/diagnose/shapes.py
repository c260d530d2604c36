"""``shape`` and ``broadcast``: aligning the two sides before comparing values.

MATLAB has no 1-D arrays: a vector is n×1 or 1×n and a scalar is 1×1. NumPy
code legitimately returns ``(n,)`` or a bare float for those, so portcheck
compares them silently (and records a note). Shapes *matter* when they would
change the arithmetic in NumPy: a 1×n row where the reference returns an n×1
column (``theta - alpha*grad`` then broadcasts to n×n), an m×n matrix for an
n×m one, a vector where the reference returns a number (a missing ``sum``),
and above all an m×m result where an m-vector was due: the signature of
``(m,1) - (m,)`` broadcasting inside the port.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..report import Finding
from ._arrays import allclose, as_float_array, is_scalar, is_vector, shape_text
from ._base import Subject
from .order import explain_transposed_shape
from .rerun import RerunPort

__all__ = ["Alignment", "align", "counterfactual_broadcast", "combine_broadcast", "drop_scale_beside_broadcast",
           "BROADCAST_FIX"]

BROADCAST_FIX = "flatten y with `y.ravel()` / `y.reshape(-1)`"


@dataclass
class Alignment:
    """Both sides in one comparable shape, or the finding saying why they are not."""

    reference: np.ndarray | None
    candidate: np.ndarray | None
    notes: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def comparable(self) -> bool:
        return self.reference is not None and self.candidate is not None


def _kind_of(value: Any) -> str:
    if isinstance(value, np.ndarray):  # an array of objects or strings: "a ndarray" would say nothing
        return f"NumPy array of dtype {value.dtype}"
    return type(value).__name__


def align(reference: Any, candidate: Any, subject: Subject) -> Alignment:
    """Bring ``candidate`` to the reference's shape when the difference is only notation.

    Returns the pair to compare (equal shapes), the notes recording each
    silent coercion, and ``shape``/``broadcast``/``transposed`` findings when
    the shapes differ in a way that matters.
    """
    R, C = subject.reference_label, subject.candidate_label
    name = subject.output or "value"
    r = as_float_array(reference)
    c = as_float_array(candidate)
    if r is None:
        return Alignment(None, None, findings=[subject.finding(
            "shape",
            f"{R} {name} is a {_kind_of(reference)}, not a number or array; portcheck compares "
            f"numeric outputs only.",
            reference_type=_kind_of(reference),
        )])
    if candidate is None:
        return Alignment(None, None, findings=[subject.finding(
            "shape",
            f"{C} {name} is None: the port returns nothing for it; is a `return` missing, or does it "
            f"return fewer values than {R}?",
            candidate_type="NoneType",
        )])
    if c is None:
        return Alignment(None, None, findings=[subject.finding(
            "shape",
            f"{C} {name} is a {_kind_of(candidate)} where {R} returns a "
            f"{shape_text(r.shape) if r.ndim else 'number'}: "
            + ("return numbers, e.g. `np.asarray(value, dtype=float)`." if isinstance(candidate, np.ndarray)
               else f"return the array (a NumPy array or float), not a {_kind_of(candidate)}."),
            candidate_type=type(candidate).__name__,
        )])
    rs, cs = tuple(r.shape), tuple(c.shape)

    if rs == cs:
        return Alignment(r, c)

    if is_scalar(r) and is_scalar(c):
        notes = []
        if c.ndim > 0:
            notes.append(f"{C} {name} had shape {cs}, compared as a scalar.")
        return Alignment(r.reshape(()), c.reshape(()), notes=notes)

    if r.size == c.size and is_vector(r) and is_vector(c):
        n = r.size
        rows_vs_cols = r.ndim == 2 and c.ndim == 2  # (n,1) against (1,n)
        if not rows_vs_cols:
            target = shape_text(rs) if r.ndim == 2 else f"({n},)"
            return Alignment(r, c.reshape(rs), notes=[f"{C} {name} had shape {cs}, compared as {target}."])
        col, row = (f"{n}×1 column", f"1×{n} row")
        what_c, what_r = (row, col) if cs[0] == 1 else (col, row)
        return Alignment(r, c.reshape(rs), notes=[f"{C} {name} had shape {cs}, compared as {shape_text(rs)}."],
                         findings=[subject.finding(
                             "shape",
                             f"{subject.subject} is a {what_c} where {subject.reference} is a {what_r}: "
                             f"in NumPy, combining the two (e.g. `theta - alpha * grad`) broadcasts to "
                             f"{n}×{n}; return `.reshape({rs[0]}, {rs[1]})` or a 1-D vector (`.ravel()`).",
                             reference_shape=list(rs), candidate_shape=list(cs),
                         )])

    if is_vector(r) and r.size > 1 and c.ndim == 2 and cs == (r.size, r.size):
        m = r.size
        return Alignment(None, None, findings=[subject.finding(
            "broadcast",
            f"{subject.subject} is {m}×{m} where {subject.reference} is {shape_text(rs)}: inside the "
            f"port a ({m},1) column minus a ({m},) vector broadcasts to ({m},{m}): make both columns or "
            f"both 1-D (which argument to reshape shows when the port is re-run with it the other way).",
            reference_shape=list(rs), candidate_shape=list(cs), m=m,
        )])

    if is_scalar(r) and c.size > 1:
        return Alignment(None, None, findings=[subject.finding(
            "shape",
            f"{subject.subject} has shape {cs} where {subject.reference} is a single number: a missing "
            f"`np.sum(...)` (MATLAB's `sum(sum(...))` / `sum(x(:))`), or a (m,1)/(m,) mix that "
            f"broadcast before the sum.",
            reference_shape=list(rs), candidate_shape=list(cs),
        )])

    transposed = explain_transposed_shape(r, c, subject)
    if transposed:
        return Alignment(None, None, findings=transposed)

    if r.size == c.size:
        hint = ""
        if r.ndim == 2 and allclose(r, np.reshape(c, rs, order="F"), subject.rtol, subject.atol):
            hint = f" Its values read column-major are right: reshape with `reshape({rs[0]}, {rs[1]}, order='F')`."
        elif r.ndim == 2 and allclose(r, np.reshape(c, rs, order="C"), subject.rtol, subject.atol):
            hint = f" Its values are right in row-major order: reshape to {shape_text(rs)}."
        return Alignment(None, None, findings=[subject.finding(
            "shape",
            f"{subject.subject} has shape {shape_text(cs)} where {subject.reference} has "
            f"{shape_text(rs)}.{hint}",
            reference_shape=list(rs), candidate_shape=list(cs),
        )])

    return Alignment(None, None, findings=[subject.finding(
        "shape",
        f"{subject.subject} has shape {shape_text(cs)} ({c.size} elements) where {subject.reference} "
        f"has {shape_text(rs)} ({r.size} elements): they cannot be compared; check which dimension "
        f"holds the examples and whether a bias column was added or dropped.",
        reference_shape=list(rs), candidate_shape=list(cs),
    )])


def vector_inputs(args: Sequence[Any]) -> list[tuple[int, str]]:
    """Arguments that are vectors (m>1) and whose orientation could change broadcasting."""
    out = []
    for i, a in enumerate(args):
        if isinstance(a, np.ndarray) and a.size > 1:
            if a.ndim == 1:
                out.append((i, "to-column"))
            elif a.ndim == 2 and a.shape[1] == 1:
                out.append((i, "to-1d"))
    return out


def counterfactual_broadcast(
    args: Sequence[Any], rerun: RerunPort, subject: Subject, names: Sequence[str] | None = None
) -> list[Finding]:
    """Re-run the port with each column input passed 1-D and each 1-D input as a column."""
    for i, how in vector_inputs(args):
        a = np.asarray(args[i])
        m = a.size
        label = names[i] if names and i < len(names) else f"argument {i + 1}"
        new = list(args)
        new[i] = a.reshape(-1) if how == "to-1d" else a.reshape(-1, 1)
        result = rerun(tuple(new))
        if not result.matches:
            continue
        if how == "to-1d":
            msg = (f"the port is right when {label} is passed as a 1-D vector ({m},) instead of a "
                   f"({m},1) column: inside, a (m,1) column minus a (m,) vector broadcasts to (m,m): "
                   f"{BROADCAST_FIX.replace('y', label) if label.isidentifier() else BROADCAST_FIX} "
                   f"at the top of the port (MATLAB code passes {label} as an m×1 column).")
        else:
            # The port needs the column: flattening y would be the wrong advice.
            msg = (f"the port is right when {label} is passed as a ({m},1) column instead of a 1-D "
                   f"({m},) vector: inside, a (m,1) column minus a (m,) vector broadcasts to (m,m): "
                   f"{_column_fix(label)} at the top of the port (or flatten the column it meets, e.g. "
                   f"`(X @ theta).ravel()`).")
        return [Finding(
            kind="broadcast", severity="error", message=msg,
            evidence={"counterfactual": f"{label} passed as {'(m,)' if how == 'to-1d' else '(m,1)'}",
                      "argument": i + 1, "m": m, "label": label, "how": how},
        )]
    return []


def _column_fix(label: str) -> str:
    name = label if label.isidentifier() else "y"
    return f"make {name} a column with `{name} = np.reshape({name}, (-1, 1))`"


def drop_scale_beside_broadcast(findings: list[Finding]) -> tuple[list[Finding], bool]:
    """Without ``scale`` findings when a ``broadcast`` is among them.

    A cost summed over an (m, m) blow-up comes out about m times too large:
    that factor is the broadcast's symptom, not a second mistake.
    """
    if not any(f.kind == "broadcast" for f in findings):
        return findings, False
    kept = [f for f in findings if f.kind != "scale"]
    return kept, len(kept) != len(findings)


def combine_broadcast(blown_up: Finding, proof: Finding) -> Finding:
    """One ``broadcast`` finding from an m×m output and the re-run that fixed it.

    The output names *where* the blow-up shows, the re-run *which argument*
    to reshape; the student needs both in one sentence.
    """
    m = blown_up.evidence.get("m")
    ref_shape = tuple(blown_up.evidence.get("reference_shape", ()))
    label = proof.evidence.get("label", "y")
    how = proof.evidence.get("how", "to-1d")
    if how == "to-1d":
        fix = BROADCAST_FIX.replace("y", label) if label.isidentifier() else BROADCAST_FIX
    else:
        fix = _column_fix(label)
    passed = f"a 1-D vector ({m},)" if how == "to-1d" else f"a ({m},1) column"
    msg = (f"the port's {blown_up.output or 'value'} is {m}×{m} where the reference is "
           f"{shape_text(ref_shape)}: inside, a (m,1) column minus a (m,) vector broadcasts to (m,m); "
           f"it matches when {label} is passed as {passed}: {fix}.")
    return Finding(kind="broadcast", severity="error", message=msg, output=blown_up.output,
                   evidence={**blown_up.evidence, **proof.evidence})
