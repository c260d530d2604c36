"""``tolerance``: functions that train agree only as well as their optimizers converge.

oneVsAll, trainLinearReg, learningCurve and validationCurve run an optimizer
(``fmincg``/``fminunc`` in Octave, ``scipy.optimize.minimize``/``fmin_cg`` in
the port). Two optimizers stopping at their own tolerances land a little apart
even when both minimize the same function, so a faithful port of a training
function differs from the reference by far more than rounding. Such a
difference, small against the output's scale and unexplained by any mistake
family, is a ``tolerance`` warning stating the ``rtol`` that would pass and how
to tighten the port's optimizer; and counterfactual re-runs accept that
precision, so a label shift in a training function is still named.
"""

from __future__ import annotations

import math
import re
import types
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..report import Finding
from ._arrays import fmt
from ._base import Subject

__all__ = ["TRAINING_RTOL", "trains", "explain_tolerance", "within_training_precision"]

#: Largest difference, relative to the output's largest magnitude, that optimizer tolerances explain.
#: Two optimizers that stop at |grad| ~ 1e-5 on a well-conditioned course problem land ~1e-5..1e-3 apart;
#: porting mistakes (a shifted label, a missing term) move the result by a sizeable fraction of it.
TRAINING_RTOL = 1e-2

_PY_OPTIMIZERS = {"minimize", "fmin_cg", "fmin_bfgs", "fmin_l_bfgs_b", "fmin_tnc", "fmin_ncg", "fmin",
                  "fmin_powell", "least_squares", "fmincg", "fminunc", "minimize_scalar", "curve_fit",
                  "gradient_descent", "gradientDescent", "gradientDescentMulti"}
_M_OPTIMIZERS = re.compile(r"\b(fmincg|fminunc|fminsearch|fminbnd|fmin\w*|lsqnonlin)\s*\(")
_M_CALL = re.compile(r"\b([A-Za-z]\w*)\s*\(")


def _port_trains(fn: Callable[..., Any], depth: int = 4) -> bool:
    """The port, or a function of its module it calls, names an optimizer."""
    seen: set[int] = set()
    todo = [(fn, 0)]
    while todo:
        f, d = todo.pop()
        f = getattr(f, "__wrapped__", f)
        code = getattr(f, "__code__", None)
        if code is None or id(code) in seen:
            continue
        seen.add(id(code))
        names = _code_names(code)
        if names & _PY_OPTIMIZERS:
            return True
        if d >= depth:
            continue
        globs = getattr(f, "__globals__", {})
        for n in names:
            g = globs.get(n)
            if isinstance(g, types.FunctionType):
                todo.append((g, d + 1))
        for part in getattr(f, "__portcheck_parts__", ()):
            todo.append((part, d + 1))
    return False


def _code_names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            names |= _code_names(c)
    return names


def _reference_trains(function: str, folders: Sequence[str], depth: int = 3) -> bool:
    """The reference ``.m`` (or a function it calls from the same folders) calls an optimizer."""
    bare = function.replace("\\", "/").rpartition("/")[2].removesuffix(".m")
    seen: set[str] = set()
    todo = [(bare, 0)]
    while todo:
        name, d = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for folder in folders:
            path = Path(folder) / f"{name}.m"
            if not path.is_file():
                continue
            text = "\n".join(line.split("%")[0] for line in path.read_text(errors="replace").splitlines())
            if _M_OPTIMIZERS.search(text):
                return True
            if d < depth:
                todo += [(n, d + 1) for n in set(_M_CALL.findall(text))]
            break
    return False


def trains(fn: Callable[..., Any], function: str, folders: Sequence[str]) -> bool:
    """Either side runs an optimizer (so the two agree only to its tolerance)."""
    try:
        return _port_trains(fn) or _reference_trains(function, folders)
    except (OSError, ValueError):
        return False


def _scale(ref: np.ndarray) -> float:
    finite = np.abs(ref[np.isfinite(ref)])
    return float(finite.max()) if finite.size else 0.0


def within_training_precision(ref: np.ndarray, cand: np.ndarray, rtol: float = TRAINING_RTOL) -> bool:
    """Every element within ``rtol`` times the output's largest magnitude."""
    r = np.asarray(ref, dtype=float)
    c = np.asarray(cand, dtype=float)
    if r.shape != c.shape or not np.all(np.isfinite(r) == np.isfinite(c)):
        return False
    scale = _scale(r)
    d = np.abs(r - c)[np.isfinite(r)]
    return bool(d.size == 0 or d.max() <= rtol * max(scale, 1e-300))


def _round_up(x: float) -> float:
    """The next power of ten at or above ``x`` (1e-4 for 3.2e-5)."""
    return 10.0 ** math.ceil(math.log10(x)) if x > 0 else 0.0


def explain_tolerance(ref: np.ndarray, cand: np.ndarray, subject: Subject, atol: float) -> list[Finding]:
    """A small difference between two trained results: the tolerances that would pass, and how to tighten."""
    r = np.asarray(ref, dtype=float)
    c = np.asarray(cand, dtype=float)
    if not within_training_precision(r, c):
        return []
    scale = _scale(r)
    d = np.abs(r - c)
    rel = float(d.max()) / scale if scale > 0 else 0.0
    rtol = max(_round_up(rel), subject.rtol)
    # Elements near zero need an absolute allowance at the output's scale.
    new_atol = max(atol, _round_up(float(d.max()))) if np.any(d > atol + rtol * np.abs(r)) else atol
    call = f"rtol={rtol:g}" + (f", atol={new_atol:.1g}" if new_atol > atol else "")
    msg = (f"{subject.subject} differs from {subject.reference} by at most {fmt(float(d.max()))} "
           f"({fmt(rel)} of its largest value): this function trains, and two optimizers stopping at their "
           f"own tolerances land this far apart. It passes with {call}. To check it tighter, tighten the "
           f"port's optimizer (`minimize(..., tol=1e-10, options={{'maxiter': 1000}})`, `fmin_cg(..., "
           f"gtol=1e-10)`) and the reference's (`optimset('MaxIter', 1000)`), or compare the two runs' "
           f"costs instead.")
    return [subject.finding("tolerance", msg, severity="warning", max_abs=float(d.max()), relative_to_scale=rel,
                            rtol=rtol, atol=new_atol)]
