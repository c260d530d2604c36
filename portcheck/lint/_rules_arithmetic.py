"""Rules about MATLAB's arithmetic: std/var, precedence, products, division, rounding, rem.

The rules ``std-ddof``, ``precedence``, ``matmul-elementwise``,
``int-division``, ``round-half`` and ``rem-mod`` flag operators and reductions
that look alike in both languages but differ in meaning: normalisation of
std/var, ``/`` and ``*`` precedence as written, ``*`` versus ``@``, floor versus
exact division, rounding of halves, and the sign of ``rem`` versus ``mod``.
"""

from __future__ import annotations

import ast

from ._names import (
    _ACTIVATION_RE,
    _DELTA_RE,
    _DERIV_RE,
    _IGNORE_RE,
    _REM_RE,
    _TRANSCENDENTAL,
    _WEIGHT_RE,
    _dotted,
    _is_const_number,
    _is_count,
    _operand,
    _short,
    _subject_name,
)


class _ArithmeticRules:
    """The arithmetic rules, a mixin of ``_Checker`` (whose plumbing and visitors they rely on)."""

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
