"""Fixes for the Octave side, written in MATLAB.

Diagnoses are phrased for the port, in NumPy (``ravel(order='F')``,
``Theta[:, 1:]``). When the code under test is the ``.m`` file itself (a
gradient check of an Octave function), the same advice must read in the
language the user will edit: :func:`in_matlab` rewrites a finding's NumPy
idioms into their MATLAB equivalents, and says nothing it cannot translate.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from ..report import Finding

__all__ = ["in_matlab", "report_in_matlab"]

#: NumPy idiom -> MATLAB, applied in order (longest, most specific first).
_REWRITES: list[tuple[str, str]] = [
    (r"use \.ravel\(order='F'\) / reshape\(\.\.\., order='F'\) on both sides",
     "unroll with `Theta(:)` and roll back with `reshape(v, rows, cols)` on both sides (both column-major; "
     "a transpose before `(:)` unrolls row by row)"),
    (r"`?reshape\(\.\.\., order='F'\)`? / `?ravel\(order='F'\)`?", "`reshape(...)` / `Theta(:)`"),
    (r"`?ravel\(order='F'\)`? / `?reshape\(\.\.\., order='F'\)`?", "`Theta(:)` / `reshape(...)`"),
    (r"\.ravel\(order='F'\)", "(:)"),
    (r"\.T\.ravel\(\)", "'(:)"),
    (r", order='F'\)", ")"),
    (r"order='F'", "column-major order"),
    (r"θ\[:, 1:\]", "Theta(:, 2:end)"),
    (r"Theta\[:, 1:\]", "Theta(:, 2:end)"),
    (r"Theta\[:, 0\]", "Theta(:, 1)"),
    (r"theta\[1:\]", "theta(2:end)"),
    (r"theta\[0\]", "theta(1)"),
    (r"np\.sum\(", "sum("),
    (r"np\.(std|var)\(x, ddof=1\)", r"\1(x)"),
    (r"np\.(std|var)\(x, ddof=0\)", r"\1(x, 1)"),
    (r"`lambda (\w+): ", r"`@(\1) "),
    (r"lambda (\w+): ", r"@(\1) "),
    (r"\(`theta = theta\.copy\(\)`\)", "(MATLAB passes copies: this cannot happen in a .m file)"),
    (r"\bfunctools\.partial\b", "an anonymous function"),
]


def _rewrite(text: str) -> str:
    for pattern, repl in _REWRITES:
        text = re.sub(pattern, repl, text)
    return text


def in_matlab(finding: Finding) -> Finding:
    """The finding with its advice in MATLAB syntax (the evidence is left as it is)."""
    message = _rewrite(finding.message)
    return finding if message == finding.message else dataclasses.replace(finding, message=message)


def report_in_matlab(report: Any) -> Any:
    """A report whose findings advise on a ``.m`` file, rewritten with :func:`in_matlab`."""
    findings = tuple(in_matlab(f) for f in report.findings)
    if all(a is b for a, b in zip(findings, report.findings)):
        return report
    return dataclasses.replace(report, findings=findings)
