"""``index-base``: 1-based MATLAB indices and labels against 0-based NumPy ones.

MATLAB labels run ``1..K`` and index arrays from 1; NumPy indexes from 0.
Two pieces of evidence:

- array level (no re-run): the port's integer output is the reference's
  shifted by exactly one (``argmax`` returned without ``+ 1``);
- counterfactual: the port is re-run with its integer-valued inputs (labels,
  indices) shifted by ±1; if it then matches, or an ``IndexError`` disappears,
  the port uses the other index base.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..report import Finding
from ._arrays import is_integer_valued
from ._base import Subject
from .rerun import Rerun, RerunPort

__all__ = ["explain_offset", "integer_inputs", "counterfactual_index_base"]


def explain_offset(ref: np.ndarray, cand: np.ndarray, subject: Subject) -> list[Finding]:
    """The port's integer-valued output equals the reference's ± 1 everywhere."""
    r = np.asarray(ref)
    c = np.asarray(cand)
    if r.shape != c.shape or not (is_integer_valued(r) and is_integer_valued(c)):
        return []
    # Only values that can be MATLAB labels or indices: ≥ 1, and not all equal.
    if r.min() < 1 or len(np.unique(r)) < 2:
        return []
    d = c - r
    if np.all(d == -1):
        return [subject.finding(
            "index-base",
            f"{subject.subject} is {subject.reference} minus 1: it returns 0-based indices, while "
            f"MATLAB's labels and indices are 1-based; add 1 (e.g. `np.argmax(h, axis=1) + 1`).",
            offset=-1,
        )]
    if np.all(d == 1):
        return [subject.finding(
            "index-base",
            f"{subject.subject} is {subject.reference} plus 1: it adds 1 to indices that are already "
            f"1-based (or converts twice); MATLAB's labels are 1-based, so drop the extra `+ 1`.",
            offset=1,
        )]
    return []


def integer_inputs(args: Sequence[Any]) -> list[int]:
    """Positions of array arguments that look like labels or indices (integer values, ≥ 0)."""
    out = []
    for i, a in enumerate(args):
        if isinstance(a, np.ndarray) and a.size >= 2 and a.dtype != bool and np.issubdtype(a.dtype, np.number):
            if is_integer_valued(a) and a.min() >= 0 and len(np.unique(a)) >= 2:
                out.append(i)
    return out


def counterfactual_index_base(
    args: Sequence[Any],
    rerun: RerunPort,
    subject: Subject,
    original_error: BaseException | None = None,
    names: Sequence[str] | None = None,
) -> list[Finding]:
    """Re-run the port with each integer input shifted by -1 and +1; report a shift that fixes it.

    ``original_error`` is the exception of the unshifted call, if any: an
    ``IndexError`` that disappears under a shift is evidence too, even when the
    values then still differ for another reason.
    """
    for i in integer_inputs(args):
        arg = np.asarray(args[i])
        label = names[i] if names and i < len(names) else f"argument {i + 1}"
        for shift in (-1, 1):
            shifted = arg + shift
            if shifted.min() < 0:
                continue
            new = list(args)
            new[i] = shifted.astype(arg.dtype)
            result: Rerun = rerun(tuple(new))
            if result.matches:
                return [_finding(subject, label, shift, matched=True)]
            if (
                isinstance(original_error, IndexError)
                and result.error is None
            ):
                return [_finding(subject, label, shift, matched=False)]
    return []


def _finding(subject: Subject, label: str, shift: int, matched: bool) -> Finding:
    if shift == -1:
        msg = (f"the port treats {label} as 0-based: labels are 1-based in MATLAB; index with "
               f"`y - 1` (e.g. `np.eye(K)[y.astype(int) - 1]`, or `y == k + 1` in a 0-based loop).")
    else:
        msg = (f"the port matches only when {label} is shifted by +1: it subtracts 1 from labels "
               f"that are already 0-based, or compares a 0-based loop index with 1-based labels; "
               f"labels are 1-based in MATLAB, so compare with `y == k + 1` and index with `y - 1` once.")
    if not matched:
        msg += " (with the shift the IndexError disappears, though the values still differ.)"
    return Finding(
        kind="index-base",
        severity="error",
        message=msg,
        output=None,
        block=None,
        evidence={"counterfactual": f"{label} {'-' if shift < 0 else '+'} 1", "shift": shift,
                  "matches_after_shift": matched},
    )
