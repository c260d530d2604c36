"""The rule catalogue and the issue type: what lint can say, independent of how it looks.

:data:`RULES` maps each stable rule id (a public contract: suppressions and CI
configurations name it) to its severity, summary and migration-guide page;
:class:`LintIssue` is one place in the source matching a rule. The checker
and the entry points both build on these, so they sit at the bottom.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

@dataclass(frozen=True)
class Rule:
    """One lint rule: its stable id, severity, summary and guide page."""

    id: str
    severity: str
    summary: str
    guide: str


def _rule(id: str, summary: str, page: str, severity: str = "warning") -> Rule:
    return Rule(id, severity, summary, f"migration_guide/{page}.md")


#: Every rule, by id. Ids are stable across releases.
RULES: dict[str, Rule] = {
    r.id: r
    for r in (
        _rule("reshape-order", "reshape/ravel/flatten without order= on weights or parameters",
              "column-major-order"),
        _rule("std-ddof", "std/var without ddof= (MATLAB normalises by N-1)", "std-var-ddof"),
        _rule("precedence", "a / 2 * m multiplies by m instead of dividing", "operator-precedence"),
        _rule("lambda-capture", "objective ignores its parameter (closure over a fixed value)",
              "lambda-capture"),
        _rule("late-binding", "closure stored in a loop reads the loop variable late", "late-binding"),
        _rule("example-count", "m taken from shape[1] of X/y (MATLAB size(X, 1) is shape[0])",
              "example-count"),
        _rule("matmul-elementwise", "matrix product where an elementwise one is meant, or vice versa",
              "matrix-products"),
        _rule("int-division", "floor division // where MATLAB divides", "integer-division"),
        _rule("index-tuple", "a[[rows, cols]]: a list of two index arrays indexes rows only",
              "index-tuple"),
        _rule("round-half", "round is half-to-even; MATLAB rounds half away from zero", "rounding",
              severity="info"),
        _rule("rem-mod", "% / np.mod where MATLAB rem was meant (sign of negative operands)",
              "rem-and-mod", severity="info"),
    )
}


@dataclass(frozen=True)
class LintIssue:
    """One place in the source that matches a rule.

    Attributes
    ----------
    rule : str
        Rule id, a key of :data:`RULES`.
    line, col : int
        Position, both 1-based (as editors and flake8 show them).
    message : str
        What the code does and what MATLAB does, one line.
    fix : str
        The change to make.
    guide : str
        Relative path of the migration-guide page, e.g.
        ``"migration_guide/column-major-order.md"``.
    severity : {"warning", "info"}
        From the rule.
    file : str
        The file name given to the linter (``"<string>"`` for source text).
    """

    rule: str
    line: int
    col: int
    message: str
    fix: str
    guide: str
    severity: str = "warning"
    file: str = "<string>"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict of every field."""
        return asdict(self)

    def __str__(self) -> str:
        # `portcheck guide` prints the page wherever portcheck is installed (the relative link may not resolve).
        topic = self.guide.rsplit("/", 1)[-1].removesuffix(".md")
        return (f"{self.file}:{self.line}:{self.col}: {self.rule}: {self.message} ({self.fix}) "
                f"[see {self.guide}: portcheck guide {topic}]")
