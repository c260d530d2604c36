"""Static checks of a port's source: patterns that usually mean a porting mistake.

The linter reads Python source with :mod:`ast` only; it never imports or runs
the port and never talks to Octave. Each rule has a short, stable id (a public
contract: suppressions and CI configurations name it), a one-line message, the
fix, and the page of ``migration_guide/`` that explains the pitfall.

=====================  ========  =====================================================
rule                   severity  flags
=====================  ========  =====================================================
``reshape-order``      warning   reshape/ravel/flatten of weights or parameter vectors
                                 without ``order=`` (MATLAB is column-major)
``std-ddof``           warning   ``std``/``var`` without ``ddof=`` (MATLAB divides by N-1)
``precedence``         warning   ``lamb / 2 * m``: divides by 2, then multiplies by m
``lambda-capture``     warning   an objective whose parameter is unused (closes over a
                                 fixed theta)
``late-binding``       warning   a closure stored inside a loop that reads the loop
                                 variable at call time
``example-count``      warning   ``m = X.shape[1]``: MATLAB's ``size(X, 1)`` is ``shape[0]``
``matmul-elementwise`` warning   ``@``/``np.dot`` on an activation derivative, or ``*``
                                 between weights and activations
``int-division``       warning   ``1 // m``, ``x // m``, ``d // (2 * eps)``: floor division
                                 where MATLAB divides
``index-tuple``        warning   ``a[[rows, cols]]``: a list of two index arrays
``round-half``         info      ``np.round``/``round``: half to even, MATLAB rounds half
                                 away from zero
``rem-mod``            info      ``%``/``np.mod`` where the code mentions ``rem``: signs
                                 differ for negative operands
=====================  ========  =====================================================

A line ending in ``# portcheck: ignore`` is skipped; ``# portcheck: ignore[rule-id,
other-id]`` skips only the rules named.

Examples
--------
>>> from portcheck.lint import lint_source
>>> for issue in lint_source("m = X.shape[1]\\n"):
...     print(issue.rule, issue.line)
example-count 1
"""

from __future__ import annotations

import ast
import inspect
import io
import os
import re
import tokenize
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import PortError
from .objective_rule import ignored_parameter, perturbed_in_place

if TYPE_CHECKING:
    from .report import Finding

__all__ = ["LintIssue", "Rule", "RULES", "lint_source", "lint_file", "lint_object", "lint_findings"]


# ----------------------------------------------------------------------------
# the rule catalogue


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


# ----------------------------------------------------------------------------
# public entry points


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
    from .report import Finding  # the report model is only needed for this conversion

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


# ----------------------------------------------------------------------------
# name heuristics

# 2-D weight matrices of the course's networks: Theta1, Theta2_grad, W1, dW2, weights.
_MATRIX_RE = re.compile(
    r"^(d?[Tt]heta_?\d+(_?grad)?|Theta(_?grad)?|d?W_?\d*(_?grad)?|w_?\d+|[Ww]eights?_?\d*|"
    r"(grad|g|d)_?[Tt]heta_?\d+|Delta_?\d*|D_?\d+|Theta_?\d+_?grad)$"
)
# Unrolled parameter vectors: theta, nn_params, initial_theta, grad, numgrad.
_VECTOR_RE = re.compile(r"^(\w+_)?(theta|params?|nn_params|grad|gradient|numgrad|num_grad)(_\w+)?$")
# Counts of examples: the m of the course.
_COUNT_RE = re.compile(
    r"^(m|n|M|N|num_?examples|n_?examples|n_?samples|num_?samples|num_?train|batch_?size|n_?obs|m_\w+)$"
)
# Data the examples live in: X, X_train, y, y_vectors, Y.
_DATA_RE = re.compile(r"^(X|Y|y)(_\w*)?$")
# Derivatives of activations are always applied elementwise in backprop.
_DERIV_RE = re.compile(
    r"^(sigmoid_?grad(ient)?|d_?sigmoid|sigmoid_?(prime|derivative|deriv)|relu_?(grad(ient)?|prime|deriv\w*)|"
    r"d_?relu|tanh_?(prime|grad(ient)?|deriv\w*)|d_?tanh)$",
    re.IGNORECASE,
)
_DELTA_RE = re.compile(r"^(delta|d|err|error)_?\d*$", re.IGNORECASE)
_WEIGHT_RE = re.compile(r"^([Tt]heta_?\d+|Theta|W_?\d*|[Ww]eights?_?\d*)$")
_ACTIVATION_RE = re.compile(r"^(X|a_?\d+|A_?\d+|h_?\d*|H_?\d*)$")
_ARRAYISH_RE = re.compile(r"^(rows?|cols?|columns?|idx\w*|ind\w*|labels?|y\w*|Y\w*|classes|targets?)$")
_REM_RE = re.compile(r"(^|[^A-Za-z0-9])rem($|[^A-Za-z0-9])")
_IGNORE_RE = re.compile(r"#\s*portcheck:\s*ignore(\[([\w\-,\s]+)\])?")

_OPTIMIZERS = {
    "minimize", "fmin_cg", "fmin_l_bfgs_b", "fmin_bfgs", "fmin_ncg", "fmin_tnc", "fmin", "fmin_powell",
    "check_grad", "approx_fprime", "approx_derivative", "least_squares", "fmincg", "fminunc",
    "compute_numerical_gradient", "computeNumericalGradient", "numerical_gradient", "check_gradient",
}
_OBJECTIVE_KWARGS = {"fun", "func", "f", "fn", "objective", "cost", "cost_function", "costFunction"}
_CALLBACK_KWARGS = {"jac", "fprime", "grad", "hess"}
_TRANSCENDENTAL = {"log", "log2", "log10", "log1p", "exp", "exp2", "expm1", "sqrt", "cbrt", "sin", "cos", "tan",
                   "arctan", "arctan2", "tanh"}
_STORE_METHODS = {"append", "extend", "insert", "add", "appendleft", "setdefault"}


def _short(node: ast.AST, limit: int = 48) -> str:
    text = ast.unparse(node)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _operand(node: ast.AST, limit: int = 24) -> str:
    """An operand as written inside a binary expression: compound ones in parentheses."""
    text = _short(node, limit)
    return f"({text})" if isinstance(node, (ast.BinOp, ast.BoolOp, ast.Compare, ast.IfExp, ast.Lambda)) else text


def _dotted(node: ast.AST) -> str | None:
    """``np.linalg.norm`` for an Attribute chain of Names; None otherwise."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def _subject_name(node: ast.AST) -> str | None:
    """The name a value is known by: ``Theta1``, ``self.W1`` -> W1, ``model['W1']`` -> W1."""
    while True:
        if isinstance(node, ast.Name):
            return node.id
        if isinstance(node, ast.Attribute):
            return None if node.attr == "T" else node.attr
        if isinstance(node, ast.Subscript):
            if isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
                return node.slice.value
            node = node.value
            continue
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "copy":
            node = node.func.value
            continue
        if (
            isinstance(node, ast.Call)
            and node.args
            and (_dotted(node.func) or "").split(".")[-1] in {"asarray", "array", "asfortranarray", "ascontiguousarray"}
        ):
            node = node.args[0]  # np.asarray(theta) is still theta
            continue
        return None


def _is_const_number(node: ast.AST, value: float | None = None) -> bool:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = node.operand
        if isinstance(inner, ast.Constant) and isinstance(inner.value, (int, float)) and not isinstance(inner.value, bool):
            v = -inner.value if isinstance(node.op, ast.USub) else inner.value
            return value is None or v == value
        return False
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return value is None or node.value == value
    return False


def _is_count(node: ast.AST) -> bool:
    """``m``, ``len(X)``, ``X.shape[0]``, ``X.size``: a number of examples."""
    if isinstance(node, ast.Name):
        return bool(_COUNT_RE.match(node.id))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "len":
        return True
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and node.value.attr == "shape":
        return True
    return isinstance(node, ast.Attribute) and node.attr == "size"


def _loads(node: ast.AST) -> Iterator[ast.Name]:
    for n in ast.walk(node):
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load):
            yield n


def _params(args: ast.arguments) -> list[str]:
    names = [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]
    if args.vararg:
        names.append(args.vararg.arg)
    if args.kwarg:
        names.append(args.kwarg.arg)
    return names


def _first_param(args: ast.arguments) -> str | None:
    positional = [*args.posonlyargs, *args.args]
    if not positional:
        return None
    first = positional[0].arg
    return positional[1].arg if first in {"self", "cls"} and len(positional) > 1 else first


def _body_nodes(fn: ast.Lambda | ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.AST]:
    return [fn.body] if isinstance(fn, ast.Lambda) else list(fn.body)


def _is_length(node: ast.AST) -> bool:
    """A count along one axis (``n``, ``n + 1``, ``X.shape[1]``), not a total (``W.size``, ``a * b``)."""
    if isinstance(node, ast.BinOp):
        return isinstance(node.op, (ast.Add, ast.Sub)) and all(
            isinstance(x, ast.Constant) or _is_length(x) for x in (node.left, node.right))
    if isinstance(node, ast.Attribute):
        return node.attr != "size"
    # np.size(W), len(...) and prod(...) may be totals; a bare name or shape[k] is one axis.
    return isinstance(node, (ast.Name, ast.Subscript))


# ----------------------------------------------------------------------------
# the checker


class _Checker(ast.NodeVisitor):
    """One pass over the tree; each ``_rule_*`` method appends issues."""

    def __init__(self, source: str, tree: ast.Module, filename: str) -> None:
        self.source = source
        self.tree = tree
        self.filename = filename
        self.issues: list[LintIssue] = []
        self.parents: dict[ast.AST, ast.AST] = {}
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                self.parents[child] = node
        self.comments = self._comments(source)
        self.numpy_names = {"np", "numpy"}
        self.numpy_funcs: dict[str, str] = {}  # local name -> numpy function (from numpy import std)
        self.defs: dict[str, list[ast.AST]] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    if a.name == "numpy":
                        self.numpy_names.add(a.asname or "numpy")
            elif isinstance(node, ast.ImportFrom) and node.module == "numpy":
                for a in node.names:
                    self.numpy_funcs[a.asname or a.name] = a.name
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.defs.setdefault(node.name, []).append(node)
            elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Lambda):
                for t in node.targets:
                    if isinstance(t, ast.Name):
                        self.defs.setdefault(t.id, []).append(node.value)

    # -- plumbing ---------------------------------------------------------------

    @staticmethod
    def _comments(source: str) -> dict[int, str]:
        out: dict[int, str] = {}
        try:
            for tok in tokenize.generate_tokens(io.StringIO(source).readline):
                if tok.type == tokenize.COMMENT:
                    out[tok.start[0]] = tok.string
        except (tokenize.TokenError, IndentationError, SyntaxError):
            pass
        return out

    def suppressed(self, issue: LintIssue) -> bool:
        comment = self.comments.get(issue.line, "")
        m = _IGNORE_RE.search(comment)
        if not m:
            return False
        if m.group(2) is None:
            return True
        return issue.rule in {r.strip() for r in m.group(2).split(",")}

    def add(self, rule: str, node: ast.AST, message: str, fix: str) -> None:
        r = RULES[rule]
        self.issues.append(
            LintIssue(rule, node.lineno, node.col_offset + 1, message, fix, r.guide, r.severity, self.filename)
        )

    def run(self) -> None:
        self.visit(self.tree)

    def numpy_func(self, call: ast.Call) -> str | None:
        """``'std'`` for ``np.std(...)``/``numpy.std(...)``/``std(...)`` imported from numpy."""
        f = call.func
        if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id in self.numpy_names:
            return f.attr
        if isinstance(f, ast.Name) and f.id in self.numpy_funcs:
            return self.numpy_funcs[f.id]
        return None

    def method(self, call: ast.Call) -> tuple[str, ast.AST] | None:
        """``('ravel', receiver)`` for ``receiver.ravel(...)`` when receiver is not numpy itself."""
        f = call.func
        if not isinstance(f, ast.Attribute):
            return None
        if isinstance(f.value, ast.Name) and f.value.id in self.numpy_names:
            return None
        return f.attr, f.value

    @staticmethod
    def kwarg(call: ast.Call, *names: str) -> ast.keyword | None:
        for k in call.keywords:
            if k.arg in names:
                return k
        return None

    @staticmethod
    def has_star_kwargs(call: ast.Call) -> bool:
        return any(k.arg is None for k in call.keywords)

    # -- visitors -----------------------------------------------------------------

    def visit_Call(self, node: ast.Call) -> None:
        self._rule_reshape_order(node)
        self._rule_std_ddof(node)
        self._rule_objective_capture(node)
        self._rule_matmul_call(node)
        self._rule_round_half(node)
        self._rule_rem_call(node)
        self.generic_visit(node)

    def visit_BinOp(self, node: ast.BinOp) -> None:
        self._rule_precedence(node)
        self._rule_matmul_binop(node)
        self._rule_int_division(node)
        self._rule_rem_binop(node)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        if isinstance(node.op, ast.FloorDiv) and (_is_count(node.value) or self._floaty(node.value)):
            self.add(
                "int-division", node,
                f"`{_short(node.target)} //= {_short(node.value)}` floors; MATLAB's `/` divides exactly",
                f"use `{_short(node.target)} /= {_short(node.value)}`",
            )
        self.generic_visit(node)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._rule_lambda_unused(node)
        self.generic_visit(node)

    def visit_For(self, node: ast.For) -> None:
        self._rule_late_binding_loop(node)
        self.generic_visit(node)

    visit_AsyncFor = visit_For

    def visit_ListComp(self, node: ast.ListComp) -> None:
        self._rule_late_binding_comp(node, [node.elt])
        self.generic_visit(node)

    visit_SetComp = visit_ListComp
    visit_GeneratorExp = visit_ListComp

    def visit_DictComp(self, node: ast.DictComp) -> None:
        self._rule_late_binding_comp(node, [node.value])
        self.generic_visit(node)

    def visit_Assign(self, node: ast.Assign) -> None:
        self._rule_example_count(node)
        self.generic_visit(node)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        self._rule_index_tuple(node)
        self.generic_visit(node)

    # -- reshape-order --------------------------------------------------------------

    def _rule_reshape_order(self, call: ast.Call) -> None:
        np_name = self.numpy_func(call)
        meth = self.method(call)
        if np_name in {"reshape", "ravel"} and call.args:
            op, subject = np_name, call.args[0]
            shape_args = call.args[1:2]
            if not shape_args and (k := self.kwarg(call, "newshape", "shape")):
                shape_args = [k.value]
            positional_order = len(call.args) >= 3 if np_name == "reshape" else len(call.args) >= 2
        elif meth and meth[0] in {"reshape", "ravel", "flatten"}:
            op, subject = meth
            shape_args = list(call.args)
            positional_order = op in {"ravel", "flatten"} and bool(call.args)
        elif np_name == "append" and len(call.args) >= 2:
            self._rule_append_order(call)
            return
        else:
            return
        if positional_order or self.kwarg(call, "order") or self.has_star_kwargs(call):
            return
        if isinstance(subject, ast.Attribute) and subject.attr == "T":
            return  # Theta1.T.ravel() is exactly Theta1(:): the column-major trick
        name = _subject_name(subject)
        is_matrix = bool(name and _MATRIX_RE.match(name))
        is_vector = bool(name and _VECTOR_RE.match(name)) and not is_matrix
        shown = _short(subject)

        dims: list[ast.AST] | None
        if op in {"ravel", "flatten"}:
            dims = []
        elif len(shape_args) == 1 and isinstance(shape_args[0], (ast.Tuple, ast.List)):
            dims = list(shape_args[0].elts)
        elif len(shape_args) == 1 and not _is_const_number(shape_args[0]):
            dims = None  # a shape held in a variable: could be anything
        else:
            dims = list(shape_args)
        if dims is not None and any(isinstance(d, ast.Starred) for d in dims):
            dims = None
        nontrivial = None if dims is None else [d for d in dims if not (_is_const_number(d, 1) or _is_const_number(d, -1))]

        if nontrivial is not None and len(nontrivial) <= 1:
            # Unrolling: order-free for a vector, column-major vs row-major for a matrix. A
            # count like `theta1.reshape(n, 1)` states the array holds n values in a line: a
            # vector being turned into a column, where the order cannot matter.
            if is_matrix and not (nontrivial and _is_length(nontrivial[0])):
                self.add(
                    "reshape-order", call,
                    f"`{_short(call)}` unrolls `{name}` row by row (C order); MATLAB's `{name}(:)` "
                    "goes column by column",
                    f"add order='F', or use {name}.T.ravel()",
                )
            return
        parent = self.parents.get(call)
        if isinstance(parent, ast.Attribute) and parent.attr == "T":
            return  # theta.reshape(n + 1, h).T: the transposed C-order reshape equals MATLAB's
        if dims is None and is_vector and len(shape_args) == 1 and self._vector_shape(shape_args[0]):
            return  # grad.reshape(theta.shape): one vector to another vector's shape, order-free
        if is_matrix or is_vector:
            self.add(
                "reshape-order", call,
                f"`{_short(call)}` fills the new shape row by row (C order); MATLAB's reshape of "
                f"`{name}` fills column by column",
                "add order='F'",
            )
            return
        # A freshly computed sequence (np.sin(1:n), np.arange) poured into a matrix is
        # MATLAB's reshape(sin(1:n), r, c); a named array of other data is left alone.
        if (
            name is None
            and nontrivial is not None
            and len(dims or ()) == 2
            and len(nontrivial) == 2
            and any(not isinstance(d, ast.Constant) for d in nontrivial)
        ):
            self.add(
                "reshape-order", call,
                f"reshape of `{shown}` to ({', '.join(_short(d, 24) for d in dims or ())}) without order= "
                "fills rows first; MATLAB's reshape fills columns first",
                "add order='F', or order='C' if row-major is meant",
            )

    @staticmethod
    def _vector_shape(node: ast.AST) -> bool:
        """``theta.shape``: the shape of something named like a parameter vector."""
        if isinstance(node, ast.Attribute) and node.attr == "shape":
            name = _subject_name(node.value)
            return bool(name and _VECTOR_RE.match(name) and not _MATRIX_RE.match(name))
        return False

    def _rule_append_order(self, call: ast.Call) -> None:
        if self.kwarg(call, "axis") or len(call.args) >= 3 or self.has_star_kwargs(call):
            return
        names = [_subject_name(a) for a in call.args[:2]]
        if any(n and _MATRIX_RE.match(n) for n in names):
            self.add(
                "reshape-order", call,
                f"`{_short(call)}` flattens each matrix row by row before joining; MATLAB's "
                "[A(:); B(:)] unrolls column by column",
                "np.concatenate([A.ravel(order='F'), B.ravel(order='F')])",
            )

    # -- std-ddof --------------------------------------------------------------------

    def _rule_std_ddof(self, call: ast.Call) -> None:
        np_name = self.numpy_func(call)
        meth = self.method(call)
        if np_name in {"std", "var", "nanstd", "nanvar"}:
            what = f"np.{np_name}"
        elif meth and meth[0] in {"std", "var"}:
            receiver = _dotted(meth[1]) or ""
            if receiver.split(".")[0] in {"statistics", "torch", "tf", "math", "stats"}:
                return
            what = f".{meth[0]}()"
        else:
            return
        if self.kwarg(call, "ddof", "correction", "unbiased") or self.has_star_kwargs(call):
            return
        self.add(
            "std-ddof", call,
            f"{what} divides by N (ddof=0); MATLAB's std/var divide by N-1",
            "pass ddof=1 to match MATLAB, or ddof=0 to say population statistics are meant",
        )

    # -- precedence ------------------------------------------------------------------

    def _rule_precedence(self, node: ast.BinOp) -> None:
        if not (isinstance(node.op, ast.Mult) and isinstance(node.left, ast.BinOp)):
            return
        div = node.left
        if not (isinstance(div.op, ast.Div) and _is_const_number(div.right)):
            return
        if (node.lineno, node.col_offset) != (div.lineno, div.col_offset):
            return  # (lamb / 2) * m: the parentheses say it is meant
        if not _is_count(node.right):
            return
        a, c, m = _operand(div.left), _operand(div.right, 8), _operand(node.right, 16)
        self.add(
            "precedence", node,
            f"`{a} / {c} * {m}` is ({a} / {c}) * {m}: it multiplies by {m}",
            f"write {a} / ({c} * {m})",
        )

    # -- lambda-capture --------------------------------------------------------------

    def _callable_defs(self, node: ast.AST) -> list[ast.AST]:
        if isinstance(node, ast.Lambda):
            return [node]
        if isinstance(node, ast.Name):
            return list(self.defs.get(node.id, []))
        return []

    def _unused_first(self, fn: ast.AST) -> str | None:
        return ignored_parameter(fn)  # the shared rule (portcheck.objective_rule)

    def _in_place_idiom(self, fn: ast.AST) -> bool:
        """``check(lambda W: f(X, model, y)[0], model['W1'])``: the checker perturbs ``W`` inside ``model``."""
        parent = self.parents.get(fn)
        return isinstance(parent, ast.Call) and perturbed_in_place(parent, fn)

    def _rule_objective_capture(self, call: ast.Call) -> None:
        f = call.func
        fname = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else None
        if fname not in _OPTIMIZERS:
            return
        candidates = []
        if call.args:
            candidates.append(call.args[0])
        candidates += [k.value for k in call.keywords if k.arg in _OBJECTIVE_KWARGS | _CALLBACK_KWARGS]
        for c in candidates:
            for fn in self._callable_defs(c):
                unused = self._unused_first(fn)
                if unused is None or perturbed_in_place(call, fn):
                    continue
                label = "lambda" if isinstance(fn, ast.Lambda) else f"{fn.name}()"
                self.add(
                    "lambda-capture", fn,
                    f"objective {label} passed to {fname} never uses its parameter `{unused}`: it "
                    "evaluates a fixed theta, so gradients come out zero and the optimizer stops at once",
                    f"use `{unused}` in the body, e.g. lambda {unused}: cost({unused}, X, y, lam)",
                )

    def _rule_lambda_unused(self, node: ast.Lambda) -> None:
        params = [*node.args.posonlyargs, *node.args.args]
        if len(params) != 1 or node.args.vararg or node.args.kwarg or node.args.kwonlyargs:
            return
        name = ignored_parameter(node)
        if name is None or self._in_place_idiom(node):
            return
        if not any(isinstance(n, ast.Call) for n in ast.walk(node.body)):
            return
        self.add(
            "lambda-capture", node,
            f"lambda {name}: {_short(node.body, 40)} ignores `{name}`: every call computes the same value",
            f"pass `{name}` through to the call it wraps",
        )

    # -- late-binding ------------------------------------------------------------------

    @staticmethod
    def _target_names(target: ast.AST) -> set[str]:
        return {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}

    def _reads_late(self, fn: ast.AST, loop_vars: set[str]) -> list[str]:
        """Loop variables the closure reads when called (not bound as parameters/locals)."""
        if not isinstance(fn, (ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef)):
            return []
        bound = set(_params(fn.args))
        if not isinstance(fn, ast.Lambda):
            for b in fn.body:
                for n in ast.walk(b):
                    if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
                        bound.add(n.id)
        read = {n.id for b in _body_nodes(fn) for n in _loads(b)}
        return sorted((read & loop_vars) - bound)

    def _escapes(self, node: ast.AST, stop: ast.AST) -> bool:
        """True when the value at ``node`` is kept beyond this iteration (stored, appended)."""
        child, parent = node, self.parents.get(node)
        while parent is not None and parent is not stop:
            if isinstance(parent, (ast.List, ast.Tuple, ast.Set)) or (
                isinstance(parent, ast.Dict) and child in parent.values
            ):
                child, parent = parent, self.parents.get(parent)
                continue
            if isinstance(parent, ast.Call):
                f = parent.func
                return isinstance(f, ast.Attribute) and f.attr in _STORE_METHODS and child is not f
            if isinstance(parent, (ast.Assign, ast.AugAssign)):
                targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
                return any(isinstance(t, (ast.Subscript, ast.Attribute)) for t in targets) or (
                    isinstance(parent, ast.AugAssign)
                )
            return False
        return False

    def _name_escapes(self, name: str, loop: ast.AST) -> bool:
        for n in ast.walk(loop):
            if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load) and self._escapes(n, loop):
                return True
        return False

    def _rule_late_binding_loop(self, loop: ast.For | ast.AsyncFor) -> None:
        loop_vars = self._target_names(loop.target)
        for stmt in loop.body:
            for fn in ast.walk(stmt):
                if not isinstance(fn, (ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef)):
                    continue
                late = self._reads_late(fn, loop_vars)
                if not late:
                    continue
                if isinstance(fn, ast.Lambda):
                    parent = self.parents.get(fn)
                    escapes = self._escapes(fn, loop)
                    if not escapes and isinstance(parent, ast.Assign):
                        escapes = any(
                            isinstance(t, ast.Name) and self._name_escapes(t.id, loop) for t in parent.targets
                        )
                else:
                    escapes = self._name_escapes(fn.name, loop)
                if escapes:
                    self._report_late(fn, late)

    def _rule_late_binding_comp(self, comp: ast.AST, elts: list[ast.AST]) -> None:
        loop_vars: set[str] = set()
        for gen in comp.generators:  # type: ignore[attr-defined]
            loop_vars |= self._target_names(gen.target)
        for elt in elts:
            for fn in ast.walk(elt):
                if isinstance(fn, ast.Lambda) and self._is_element(fn, comp):
                    late = self._reads_late(fn, loop_vars)
                    if late:
                        self._report_late(fn, late)

    def _is_element(self, node: ast.AST, comp: ast.AST) -> bool:
        """The lambda is the comprehension's element (or inside a tuple/list element)."""
        parent = self.parents.get(node)
        while parent is not comp:
            if not isinstance(parent, (ast.Tuple, ast.List, ast.Set, ast.Dict)):
                return False
            parent = self.parents.get(parent)
        return True

    def _report_late(self, fn: ast.AST, late: list[str]) -> None:
        label = "lambda" if isinstance(fn, ast.Lambda) else f"{fn.name}()"  # type: ignore[attr-defined]
        var = late[0]
        self.add(
            "late-binding", fn,
            f"{label} reads loop variable `{var}` when it is called, not when it is made: every "
            f"stored copy sees the last `{var}` (MATLAB's @() captures values at creation)",
            f"bind it as a default argument: lambda x, {var}={var}: ...",
        )

    # -- example-count ---------------------------------------------------------------

    @staticmethod
    def _shape_axis(value: ast.AST) -> tuple[str, int] | None:
        """(``X``, 1) for ``X.shape[1]`` / ``np.size(X, 1)``."""
        if (
            isinstance(value, ast.Subscript)
            and isinstance(value.value, ast.Attribute)
            and value.value.attr == "shape"
            and isinstance(value.slice, ast.Constant)
            and isinstance(value.slice.value, int)
        ):
            name = _subject_name(value.value.value)
            return (name, value.slice.value) if name else None
        if (
            isinstance(value, ast.Call)
            and _dotted(value.func) in {"np.size", "numpy.size"}
            and len(value.args) == 2
            and isinstance(value.args[1], ast.Constant)
            and isinstance(value.args[1].value, int)
        ):
            name = _subject_name(value.args[0])
            return (name, value.args[1].value) if name else None
        return None

    def _scope_of(self, node: ast.AST) -> ast.AST:
        p = self.parents.get(node)
        while p is not None and not isinstance(p, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Module)):
            p = self.parents.get(p)
        return p if p is not None else self.tree

    def _examples_in_columns(self, scope: ast.AST, subject: str) -> bool:
        """The scope multiplies weights *into* the data (``np.dot(w.T, X)``, ``W @ X``): one example per column."""
        for n in ast.walk(scope):
            pair = None
            if isinstance(n, ast.BinOp) and isinstance(n.op, ast.MatMult):
                pair = (n.left, n.right)
            elif isinstance(n, ast.Call) and self.numpy_func(n) in {"dot", "matmul"} and len(n.args) == 2:
                pair = (n.args[0], n.args[1])
            if pair is None:
                continue
            left, right = pair
            left_name = _subject_name(left.value if isinstance(left, ast.Attribute) and left.attr == "T" else left)
            if _subject_name(right) == subject and left_name != subject:
                return True
        return False

    def _rule_example_count(self, node: ast.Assign) -> None:
        if len(node.targets) != 1 or not isinstance(node.targets[0], ast.Name):
            return
        target = node.targets[0].id
        if target not in {"m", "num_examples", "n_examples", "n_samples", "num_samples", "num_train"}:
            return
        found = self._shape_axis(node.value)
        if not found or found[1] != 1 or not _DATA_RE.match(found[0]):
            return
        subject = found[0]
        if self._examples_in_columns(self._scope_of(node), subject):
            return
        # A scope that also reads its feature count from shape[0] stores examples in
        # columns on purpose (the features-by-examples layout of UFLDL-style code).
        for other in ast.walk(self._scope_of(node)):
            if (
                isinstance(other, ast.Assign)
                and other is not node
                and len(other.targets) == 1
                and isinstance(other.targets[0], ast.Name)
                and other.targets[0].id != target
                and self._shape_axis(other.value) == (subject, 0)
            ):
                return
        self.add(
            "example-count", node.value,
            f"`{target} = {_short(node.value)}` counts columns; with one example per row "
            f"(MATLAB's {target} = size({subject}, 1)) the count is shape[0]",
            f"{target} = {subject}.shape[0]",
        )

    # -- matmul-elementwise ------------------------------------------------------------

    def _is_derivative(self, node: ast.AST) -> bool:
        if isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
            if _DERIV_RE.match(name):
                return True
            if self.numpy_func(node) == "multiply" and len(node.args) == 2:
                return self._is_a_times_one_minus_a(*node.args)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
            return self._is_a_times_one_minus_a(node.left, node.right)
        return False

    @staticmethod
    def _is_a_times_one_minus_a(left: ast.AST, right: ast.AST) -> bool:
        """``a * (1 - a)``: the sigmoid's derivative written out."""
        for a, b in ((left, right), (right, left)):
            if (
                isinstance(b, ast.BinOp)
                and isinstance(b.op, ast.Sub)
                and _is_const_number(b.left, 1)
                and ast.dump(b.right) == ast.dump(a)
            ):
                return True
        return False

    @staticmethod
    def _is_activation_of_delta(a: ast.AST, b: ast.AST) -> bool:
        if not (isinstance(a, ast.Call) and isinstance(a.func, (ast.Name, ast.Attribute))):
            return False
        name = a.func.attr if isinstance(a.func, ast.Attribute) else a.func.id
        other = _subject_name(b)
        return name in {"sigmoid", "tanh", "relu"} and bool(other and _DELTA_RE.match(other))

    def _check_matmul(self, node: ast.AST, left: ast.AST, right: ast.AST, how: str) -> None:
        for a, b in ((left, right), (right, left)):
            if self._is_derivative(a) or self._is_activation_of_delta(a, b):
                self.add(
                    "matmul-elementwise", node,
                    f"{how} multiplies by `{_short(a, 32)}` as a matrix; backprop applies an "
                    "activation's derivative elementwise (MATLAB's .*)",
                    f"use * for that factor: {_operand(b)} * {_short(a, 32)}",
                )
                return

    def _rule_matmul_call(self, call: ast.Call) -> None:
        np_name = self.numpy_func(call)
        meth = self.method(call)
        if np_name in {"dot", "matmul"} and len(call.args) == 2:
            self._check_matmul(call, call.args[0], call.args[1], f"np.{np_name}")
        elif meth and meth[0] == "dot" and len(call.args) == 1:
            self._check_matmul(call, meth[1], call.args[0], ".dot")
        elif np_name == "multiply" and len(call.args) == 2:
            self._check_elementwise(call, call.args[0], call.args[1], "np.multiply")

    def _rule_matmul_binop(self, node: ast.BinOp) -> None:
        if isinstance(node.op, ast.MatMult):
            self._check_matmul(node, node.left, node.right, "@")
        elif isinstance(node.op, ast.Mult):
            self._check_elementwise(node, node.left, node.right, "*")

    @staticmethod
    def _plain_name(node: ast.AST) -> str | None:
        """Name of a bare or transposed variable: ``Theta1``, ``Theta1.T``, ``self.W1``."""
        if isinstance(node, ast.Attribute) and node.attr == "T":
            node = node.value
        if isinstance(node, ast.Name):
            return node.id
        if isinstance(node, ast.Attribute):
            return node.attr
        return None

    def _check_elementwise(self, node: ast.AST, left: ast.AST, right: ast.AST, how: str) -> None:
        ln, rn = self._plain_name(left), self._plain_name(right)
        if not ln or not rn or ln == rn:
            return
        for w, a, wn, an in ((left, right, ln, rn), (right, left, rn, ln)):
            if _WEIGHT_RE.match(wn) and _ACTIVATION_RE.match(an):
                self.add(
                    "matmul-elementwise", node,
                    f"{how} between `{_short(a, 20)}` and `{_short(w, 20)}` is elementwise; MATLAB's "
                    "`*` between an activation matrix and weights is a matrix product",
                    f"use {_short(a, 20)} @ {_short(w, 20)}",
                )
                return

    # -- int-division ----------------------------------------------------------------

    def _floaty(self, node: ast.AST) -> bool:
        """A float literal, or a name assigned one in the same scope (``e = 1e-4``)."""
        for n in ast.walk(node):
            if isinstance(n, ast.Constant) and isinstance(n.value, float):
                return True
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load):
                for a in ast.walk(self._scope_of(node)):
                    if (
                        isinstance(a, ast.Assign)
                        and any(isinstance(t, ast.Name) and t.id == n.id for t in a.targets)
                        and isinstance(a.value, ast.Constant)
                        and isinstance(a.value.value, float)
                    ):
                        return True
        return False

    def _rule_int_division(self, node: ast.BinOp) -> None:
        if not isinstance(node.op, ast.FloorDiv):
            return
        if (
            _is_const_number(node.left, 1)
            or _is_count(node.right)
            or self._floaty(node.left)
            or self._floaty(node.right)
        ):
            lhs, rhs = _operand(node.left), _operand(node.right)
            self.add(
                "int-division", node,
                f"`{lhs} // {rhs}` floors the quotient (1 // m is 0, 0.3 // 0.2 is 1.0); MATLAB's `/` "
                "divides exactly",
                f"use {lhs} / {rhs}",
            )

    # -- index-tuple -----------------------------------------------------------------

    @staticmethod
    def _arrayish(node: ast.AST) -> bool:
        if isinstance(node, ast.Call):
            return True
        if isinstance(node, ast.Name):
            return bool(_ARRAYISH_RE.match(node.id))
        if isinstance(node, ast.BinOp):
            return _Checker._arrayish(node.left) or _Checker._arrayish(node.right)
        if isinstance(node, ast.Attribute):
            return node.attr in {"T", "flat"} or bool(_ARRAYISH_RE.match(node.attr))
        return False

    def _rule_index_tuple(self, node: ast.Subscript) -> None:
        idx = node.slice
        if not (isinstance(idx, ast.List) and len(idx.elts) == 2):
            return
        if any(isinstance(e, (ast.Constant, ast.Starred, ast.Slice)) for e in idx.elts):
            return
        if not any(self._arrayish(e) for e in idx.elts):
            return
        base = _short(node.value, 20)
        a, b = (_short(e, 24) for e in idx.elts)
        self.add(
            "index-tuple", node,
            f"`{base}[[{a}, {b}]]` indexes with one 2×k array (rows only), not (row, column) pairs "
            f"like MATLAB's sub2ind",
            f"use a tuple: {base}[{a}, {b}]",
        )

    # -- round-half ------------------------------------------------------------------

    def _rule_round_half(self, call: ast.Call) -> None:
        np_name = self.numpy_func(call)
        meth = self.method(call)
        if np_name in {"round", "around", "rint", "round_"}:
            decimals = call.args[1:2] or [k.value for k in call.keywords if k.arg == "decimals"]
            what, rounded = f"np.{np_name}", call.args[0] if call.args else None
        elif isinstance(call.func, ast.Name) and call.func.id == "round" and "round" not in self.numpy_funcs:
            decimals = call.args[1:2] or [k.value for k in call.keywords if k.arg == "ndigits"]
            what, rounded = "round()", call.args[0] if call.args else None
        elif meth and meth[0] == "round":
            decimals = call.args[:1] or [k.value for k in call.keywords if k.arg == "decimals"]
            what, rounded = ".round()", meth[1]
        else:
            return
        if decimals and not _is_const_number(decimals[0], 0):
            return  # rounding to digits is formatting, not MATLAB's round to integer
        if self._scalar_or_integrality(call, rounded):
            return
        self.add(
            "round-half", call,
            f"{what} rounds halves to even (2.5 -> 2); MATLAB's round goes away from zero (2.5 -> 3)",
            "np.sign(x) * np.floor(np.abs(x) + 0.5)",
        )

    def _scalar_or_integrality(self, call: ast.Call, rounded: ast.AST | None) -> bool:
        """``int(round(x))``, ``x == np.round(x)`` or ``np.round(np.log2(x))``.

        None of these ports MATLAB's elementwise ``round`` of data: the first
        converts one number, the second only asks whether values are whole, and a
        logarithm or root is an exact half only for special inputs.
        """
        parent = self.parents.get(call)
        if isinstance(parent, ast.Call) and isinstance(parent.func, ast.Name) and parent.func.id == "int":
            return True
        if isinstance(rounded, ast.Call) and self.numpy_func(rounded) in _TRANSCENDENTAL:
            return True  # np.round(np.log2(v)): exact halves only for special inputs
        if rounded is None:
            return False
        others: list[ast.AST] = []
        if isinstance(parent, ast.Compare) and len(parent.ops) == 1 and isinstance(parent.ops[0], (ast.Eq, ast.NotEq)):
            others = [parent.left, *parent.comparators]
        elif isinstance(parent, ast.Call) and self.numpy_func(parent) in {"isclose", "allclose", "array_equal", "equal"}:
            others = list(parent.args[:2])
        target = ast.dump(rounded)
        return any(o is not call and ast.dump(o) == target for o in others)

    # -- rem-mod ---------------------------------------------------------------------

    def _mentions_rem(self, node: ast.AST) -> bool:
        line = getattr(node, "lineno", 0)
        for ln in (line, line - 1, line - 2):
            comment = self.comments.get(ln, "")
            if comment and not _IGNORE_RE.search(comment) and _REM_RE.search(comment.lstrip("#")):
                return True
        p = self.parents.get(node)
        while p is not None:
            if isinstance(p, ast.Assign):
                if any(_REM_RE.search(n) for t in p.targets for n in self._target_names(t)):
                    return True
            if isinstance(p, (ast.FunctionDef, ast.AsyncFunctionDef)):
                # The port's name or docstring saying it ports `rem` counts as a comment.
                return bool(_REM_RE.search(p.name) or _REM_RE.search(ast.get_docstring(p) or ""))
            p = self.parents.get(p)
        return False

    def _report_rem(self, node: ast.AST, what: str) -> None:
        if self._mentions_rem(node):
            self.add(
                "rem-mod", node,
                f"{what} takes the sign of the divisor (like MATLAB's mod); MATLAB's rem takes the "
                "sign of the dividend, so negative values differ",
                "use np.fmod(a, b) for rem(a, b)",
            )

    def _rule_rem_binop(self, node: ast.BinOp) -> None:
        if not isinstance(node.op, ast.Mod):
            return
        if isinstance(node.left, (ast.JoinedStr, ast.Constant)) and not _is_const_number(node.left):
            return  # "%d" % x is string formatting
        self._report_rem(node, f"`{_short(node, 32)}`")

    def _rule_rem_call(self, call: ast.Call) -> None:
        np_name = self.numpy_func(call)
        if np_name in {"mod", "remainder"}:
            self._report_rem(call, f"np.{np_name}")
