"""The checker: one pass over the tree that dispatches every node to the rules.

:class:`_Checker` holds the plumbing every rule needs (the parent map,
comments for suppressions, which names are numpy, the local function
definitions, :meth:`add` to record an issue) and the ``visit_*`` methods that
call the rules. The rules themselves come from the mixins, one module per
family: array layout (``_rules_layout``), closures handed to optimizers
(``_rules_closures``) and MATLAB's arithmetic (``_rules_arithmetic``).
"""

from __future__ import annotations

import ast
import io
import tokenize

from ._names import _IGNORE_RE, _is_count, _short
from ._rules import RULES, LintIssue
from ._rules_arithmetic import _ArithmeticRules
from ._rules_closures import _ClosureRules
from ._rules_layout import _LayoutRules


class _Checker(_LayoutRules, _ClosureRules, _ArithmeticRules, ast.NodeVisitor):
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
