"""Rules about array layout: ``reshape-order``, ``example-count``, ``index-tuple``.

MATLAB stores arrays column-major, keeps examples in rows (``size(X, 1)``)
and indexes pairs of subscripts element by element; these rules flag NumPy
code that silently does otherwise.
"""

from __future__ import annotations

import ast

from ._names import (
    _ARRAYISH_RE,
    _DATA_RE,
    _MATRIX_RE,
    _VECTOR_RE,
    _dotted,
    _is_const_number,
    _is_length,
    _short,
    _subject_name,
)


class _LayoutRules:
    """The array-layout rules, a mixin of ``_Checker`` (whose plumbing and visitors they rely on)."""

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

    # -- index-tuple -----------------------------------------------------------------

    @staticmethod
    def _arrayish(node: ast.AST) -> bool:
        if isinstance(node, ast.Call):
            return True
        if isinstance(node, ast.Name):
            return bool(_ARRAYISH_RE.match(node.id))
        if isinstance(node, ast.BinOp):
            return _LayoutRules._arrayish(node.left) or _LayoutRules._arrayish(node.right)
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

