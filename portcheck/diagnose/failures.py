"""``python-error``, ``octave-error`` and ``non-finite``: when a side did not produce numbers."""

from __future__ import annotations

import os
import traceback
from dataclasses import replace
from typing import Any

import numpy as np

from ..errors import OctaveError, OctaveRuntimeError, OctaveTimeoutError
from ..report import MAX_MESSAGE, Finding
from ._base import Subject

__all__ = ["python_error", "octave_error", "explain_non_finite", "traceback_summary", "locate_at_raise"]

_PKG_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def traceback_summary(exc: BaseException) -> dict[str, Any]:
    """Exception type and message, and the innermost frame in the user's code.

    Frames inside NumPy/SciPy and portcheck itself are skipped, so the line
    shown is the port's line that made the failing call.
    """
    frames = traceback.extract_tb(exc.__traceback__)
    user = [f for f in frames if not _library_frame(f.filename)]
    # Without a user frame, the innermost NumPy frame still says what failed;
    # portcheck's own frame (the call itself, e.g. a wrong argument count) says nothing.
    outside = [f for f in frames if not _portcheck_frame(f.filename)]
    frame = user[-1] if user else (outside[-1] if outside else None)
    out: dict[str, Any] = {
        "type": type(exc).__name__,
        "message": str(exc)[:MAX_MESSAGE],
        "frames": [f"{f.filename}:{f.lineno} in {f.name}" for f in frames if not _library_frame(f.filename)][-5:],
    }
    if frame is not None:
        out.update(file=frame.filename, line=frame.lineno, function=frame.name, code=(frame.line or "").strip())
    return out


def _portcheck_frame(filename: str) -> bool:
    f = os.path.abspath(filename)
    return f.startswith(_PKG_DIR + os.sep) and f"{os.sep}examples{os.sep}" not in f


def _library_frame(filename: str) -> bool:
    f = os.path.abspath(filename)
    if _portcheck_frame(f):
        return True
    return f"{os.sep}site-packages{os.sep}" in f or f"{os.sep}numpy{os.sep}" in f or f.startswith("<frozen")


def _is_sibling(file: str, module: str | None) -> bool:
    """Whether ``module`` (its top-level name) is a ``.py`` file or a package beside ``file``."""
    if not module:
        return False
    folder, top = os.path.dirname(os.path.abspath(file)), module.split(".")[0]
    return os.path.isfile(os.path.join(folder, top + ".py")) or os.path.isfile(
        os.path.join(folder, top, "__init__.py"))


def python_error(exc: BaseException, port_name: str) -> Finding:
    """``python-error`` with the traceback summary; a usable hint for the common types."""
    tb = traceback_summary(exc)
    where = ""
    if "file" in tb:
        where = f" at {os.path.basename(tb['file'])}:{tb['line']} in {tb['function']}"
        if tb.get("code"):
            where += f" (`{tb['code']}`)"
    hint = ""
    if type(exc).__name__ == "AxisError":
        # AxisError subclasses IndexError, but it is about axes, not 1-based indices.
        hint = (" An axis out of range: NumPy vectors have one axis where MATLAB's have two, so "
                "`axis=1` on a 1-D array fails; make it a column (`reshape(-1, 1)`) or use `axis=0`.")
    elif isinstance(exc, IndexError):
        hint = " An IndexError in a port often means 1-based MATLAB indices or labels used as 0-based."
    elif isinstance(exc, ValueError) and ("broadcast" in str(exc) or "shapes" in str(exc) or "aligned" in str(exc)):
        hint = " A shape error: check which arrays are (m,1) columns and which are 1-D (m,)."
    elif isinstance(exc, ModuleNotFoundError) and "file" in tb and _is_sibling(tb["file"], exc.name):
        hint = (f" {exc.name} is a module next to {os.path.basename(tb['file'])}, imported inside the function: "
                "portcheck puts a port's folder first on sys.path while its file loads, not while its "
                "functions run (so two ports' same-named helpers never mix). Move the import to the top of "
                "the file.")
    elif isinstance(exc, TypeError) and "file" not in tb and "argument" in str(exc):
        hint = (" The call itself failed: the port was given the reference's arguments; pass "
                "python_args= when its signature differs.")
    said = f"{tb['message']}{where}"
    msg = f"{port_name} raised {tb['type']}: {said}{'' if said.endswith('.') else '.'}{hint}"
    return Finding(kind="python-error", severity="error", message=msg, evidence=tb, port_location=_raise_site(tb))


def _raise_site(tb: dict[str, Any]) -> tuple[str, int] | None:
    """The port's own line that raised (a helper's line when the helper raised), if one is known."""
    if "file" not in tb or _library_frame(tb["file"]):
        return None
    return (tb["file"], int(tb["line"]))


def locate_at_raise(findings: list[Finding], exc: BaseException) -> list[Finding]:
    """Give unlocated label findings the line where the port raised.

    When a port raises on MATLAB's 1-based labels and the re-run with them
    shifted goes through, the line that raised is the one that used a label as
    a 0-based index (often inside a helper such as ``one_hot``), which is where
    the fix goes.
    """
    tb = traceback_summary(exc)
    site = _raise_site(tb)
    if site is None:
        return findings
    return [replace(f, port_location=site, evidence={**f.evidence, "port_source": tb.get("code", "")})
            if f.kind == "index-base" and f.port_location is None else f for f in findings]


def octave_error(exc: OctaveError, function: str) -> Finding:
    """``octave-error`` with function, file and line from the bridge's error."""
    ev: dict[str, Any] = {"type": type(exc).__name__}
    if isinstance(exc, OctaveRuntimeError):
        ev.update(message=exc.octave_message, function=exc.function, file=exc.file, line=exc.line)
        where = exc.function
        if exc.file:
            where += f" ({os.path.basename(exc.file)}" + (f", line {exc.line})" if exc.line else ")")
        said = exc.octave_message.rstrip(".")
        msg = (f"the Octave reference {function} failed in {where}: {said}. The inputs "
               f"may not suit the reference (shapes, 1-based labels), or the reference itself has a "
               f"bug; nothing was compared.")
    elif isinstance(exc, OctaveTimeoutError):
        ev.update(function=exc.function, timeout=exc.timeout)
        msg = f"the Octave reference {function} timed out: {exc}"
    else:
        msg = f"the Octave reference {function} failed: {exc}"
    return Finding(kind="octave-error", severity="error", message=msg, evidence=ev)


def _count(a: np.ndarray) -> dict[str, int]:
    return {"nan": int(np.count_nonzero(np.isnan(a))), "inf": int(np.count_nonzero(np.isinf(a)))}


def explain_non_finite(ref: np.ndarray, cand: np.ndarray, subject: Subject) -> tuple[list[Finding], bool]:
    """``non-finite`` findings, and whether the non-finite entries agree on both sides.

    NaN/Inf in the same places on both sides is reported as a warning (the
    inputs probably reach ``log(0)``); on one side only it is an error naming
    the side.
    """
    r = np.asarray(ref)
    c = np.asarray(cand)
    rbad, cbad = ~np.isfinite(r), ~np.isfinite(c)
    if not rbad.any() and not cbad.any():
        return [], True
    rc, cc = _count(r), _count(c)
    ev = {"reference": rc, "candidate": cc}
    R, C = subject.reference_label, subject.candidate_label

    def desc(n: dict[str, int]) -> str:
        parts = [f"{v} {'NaN' if k == 'nan' else 'Inf'}" for k, v in n.items() if v]
        return " and ".join(parts)

    # The same places *and* the same values: +Inf against -Inf is a difference.
    same = r.shape == c.shape and bool(np.all(rbad == cbad)) and bool(
        np.array_equal(r[rbad], c[cbad], equal_nan=True)
    )
    if same:
        return [subject.finding(
            "non-finite", f"both sides' {subject.what} hold {desc(rc)} in the same places: the inputs "
            f"reach log(0), 0/0 or overflow; compare on inputs that keep the values finite.",
            severity="warning", **ev,
        )], True
    if cbad.any() and not rbad.any():
        msg = (f"{C} {subject.what} holds {desc(cc)} where {R} is finite: look for `log(0)` (clip "
               f"probabilities), a division by zero, or `np.exp` overflow (MATLAB's code may rely "
               f"on a different formulation).")
    elif rbad.any() and not cbad.any():
        msg = (f"{R} {subject.what} holds {desc(rc)} where {C} is finite: the reference overflows "
               f"or divides by zero on these inputs; use inputs where it is finite.")
    elif r.shape == c.shape and bool(np.all(rbad == cbad)):
        msg = (f"{R} {subject.what} and {C} hold non-finite values in the same places but not the same "
               f"values ({desc(rc)} against {desc(cc)}; +Inf against -Inf or NaN against Inf): a sign or "
               f"an operation differs there.")
    else:
        msg = f"{R} {subject.what} holds {desc(rc)} and {C} holds {desc(cc)}, in different places."
    return [subject.finding("non-finite", msg, **ev)], False
