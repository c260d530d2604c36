"""The public entry points: lint source text, a file, a live object, or turn issues into findings.

They validate what they are given, parse it with :mod:`ast` (never importing
or running the port), hand the tree to the checker and return its issues
sorted, de-duplicated and with ``# portcheck: ignore`` suppressions applied.
"""

from __future__ import annotations

import ast
import inspect
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import PortError
from ._checker import _Checker
from ._rules import RULES, LintIssue

if TYPE_CHECKING:
    from ..report import Finding

def lint_source(source: str, filename: str = "<string>", *, rules: Iterable[str] | None = None) -> list[LintIssue]:
    """Check Python source text.

    Parameters
    ----------
    source : str
        The code of a port (a module, a function, a snippet).
    filename : str
        Shown in each issue's ``file`` and ``str()``.
    rules : iterable of str, optional
        Only these rule ids (default: all of :data:`RULES`).

    Returns
    -------
    list of LintIssue
        Sorted by line and column; at most one issue per rule and position.

    Raises
    ------
    PortError
        The source does not parse (the message gives the line).
    KeyError
        An unknown rule id in ``rules``.
    """
    selected = set(RULES) if rules is None else set(rules)
    unknown = selected - set(RULES)
    if unknown:
        raise KeyError(f"unknown lint rule(s) {sorted(unknown)}; known: {sorted(RULES)}")
    try:
        tree = ast.parse(source, filename=filename)
    except SyntaxError as exc:
        raise PortError(
            f"{filename}:{exc.lineno}: cannot lint, the source does not parse ({exc.msg}); "
            "fix the syntax error first."
        ) from None
    checker = _Checker(source, tree, filename)
    checker.run()
    seen: set[tuple[str, int, int]] = set()
    out: list[LintIssue] = []
    for issue in sorted(checker.issues, key=lambda i: (i.line, i.col, i.rule)):
        key = (issue.rule, issue.line, issue.col)
        if issue.rule not in selected or key in seen or checker.suppressed(issue):
            continue
        seen.add(key)
        out.append(issue)
    return out


def lint_file(path: str | os.PathLike[str], *, rules: Iterable[str] | None = None) -> list[LintIssue]:
    """Check one ``.py`` file (read as UTF-8).

    Parameters
    ----------
    path : str or PathLike
        The port's source file.
    rules : iterable of str, optional
        Rule ids to run (default: all of :data:`RULES`).

    Returns
    -------
    list of LintIssue
        In source order, each with line, column, rule and guide page.

    Raises
    ------
    PortError
        The file cannot be read, or does not parse.
    """
    p = Path(path)
    try:
        source = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise PortError(f"cannot lint {str(p)!r}: {exc.strerror or exc}; check the path.") from None
    return lint_source(source, filename=str(p), rules=rules)


def lint_object(obj: Any, *, rules: Iterable[str] | None = None) -> list[LintIssue]:
    """Check the source of a function, class or module.

    The whole defining file is parsed (so ``import numpy as np`` is known) and
    only issues inside the object's lines are kept.

    Parameters
    ----------
    obj : function, class or module
        What to check; decorated functions are unwrapped.
    rules : iterable of str, optional
        Rule ids to run (default: all).

    Returns
    -------
    list of LintIssue

    Raises
    ------
    PortError
        When Python cannot find the object's source (built-ins, code typed at a prompt).
    """
    target = inspect.unwrap(obj) if callable(obj) else obj
    try:
        filename = inspect.getsourcefile(target) or inspect.getfile(target)
        lines, start = inspect.getsourcelines(target)
    except (OSError, TypeError) as exc:
        raise PortError(
            f"cannot lint {getattr(obj, '__qualname__', obj)!r}: its source is not available ({exc}); "
            "lint the file that defines it with lint_file()."
        ) from None
    issues = lint_file(filename, rules=rules)
    if inspect.ismodule(target):
        return issues
    start = max(start, 1)
    end = start + len(lines) - 1
    return [i for i in issues if start <= i.line <= end]


def lint_findings(target: Any, *, rules: Iterable[str] | None = None) -> list[Finding]:
    """Lint issues as :class:`portcheck.Finding` objects of kind ``"lint"``, for reports.

    Parameters
    ----------
    target : str, path-like, function, module, or iterable of LintIssue
        ``str`` is source text; a :class:`os.PathLike` is a file; a function,
        class or module is linted with :func:`lint_object`; issues already
        computed are converted as they are.

    Returns
    -------
    list of Finding
        ``kind="lint"``, severity from the rule (``"warning"``, or ``"info"`` for
        ``round-half`` and ``rem-mod``), ``evidence`` with ``rule``, ``line``,
        ``col``, ``file`` and ``guide``.
    """
    from ..report import Finding  # the report model is only needed for this conversion

    if isinstance(target, str):
        issues = lint_source(target, rules=rules)
    elif isinstance(target, os.PathLike):
        issues = lint_file(target, rules=rules)
    elif callable(target) or inspect.ismodule(target):
        issues = lint_object(target, rules=rules)
    else:
        issues = list(target)
    return [
        Finding(
            kind="lint",
            severity=i.severity,
            message=f"{i.message}; fix: {i.fix} (see {i.guide})",
            evidence={"rule": i.rule, "line": i.line, "col": i.col, "file": i.file, "guide": i.guide},
        )
        for i in issues
    ]
