"""Small edits of one port line: the slips people make while writing a line, as counterfactuals.

A port's divergent line that reads the right variables can still be written
wrong: a transpose a square matrix hides (``a1 @ dscores`` for ``a1' *
dscores``), ``1 - h`` where ``h`` was meant (``log(h)`` for ``log(1 - h)``),
a reduction over the wrong axis or over every element, ``keepdims`` left out
so the division broadcasts along the other axis, ``@`` for an elementwise
product, ``np.zeros`` for ``np.ones``, one helper called in place of another,
a wrong constant. Each edit here is one such slip undone; the caller
(:func:`portcheck.trace.reeval.find_substitution`) evaluates the edited line
with the port's real locals and keeps the edit only when the result *is* the
reference's value, so an edit is evidence, never a guess.

This module only builds edited trees and their before/after text; it never
evaluates anything.
"""

from __future__ import annotations

import ast
import copy
import inspect
import types
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Edit", "line_edits"]

#: NumPy reductions that take ``axis`` (and most of them ``keepdims``).
_REDUCTIONS = frozenset({"sum", "mean", "max", "min", "amax", "amin", "prod", "std", "var", "nansum",
                         "nanmean", "nanmax", "nanmin", "argmax", "argmin", "average", "median", "any", "all"})

#: NumPy functions (or array methods) commonly written for one another, with the same arguments.
_SWAPS: dict[str, tuple[str, ...]] = {
    "zeros": ("ones",), "ones": ("zeros",), "zeros_like": ("ones_like",), "ones_like": ("zeros_like",),
    "max": ("maximum", "min"), "min": ("minimum", "max"), "amax": ("maximum",), "amin": ("minimum",),
    "maximum": ("minimum",), "minimum": ("maximum",), "argmax": ("argmin",), "argmin": ("argmax",),
    "sum": ("mean",), "mean": ("sum",), "log": ("log1p",), "log1p": ("log",), "exp": ("expm1",),
    "expm1": ("exp",), "floor": ("ceil", "round"), "ceil": ("floor", "round"),
    "hstack": ("vstack",), "vstack": ("hstack",), "column_stack": ("vstack",), "outer": ("dot",),
    "dot": ("multiply",), "multiply": ("dot",), "matmul": ("multiply",),
}

#: Operators written for one another: what each may have been meant as.
_OPERATORS: dict[type, tuple[type, ...]] = {
    ast.Mult: (ast.MatMult,), ast.MatMult: (ast.Mult,), ast.Add: (ast.Sub,), ast.Sub: (ast.Add,),
    ast.FloorDiv: (ast.Div,),
}
_OP_TEXT = {ast.Mult: "*", ast.MatMult: "@", ast.Add: "+", ast.Sub: "-", ast.FloorDiv: "//", ast.Div: "/"}

#: At most this many helpers of the port's own are tried in place of one it calls.
_MAX_HELPERS = 12


@dataclass(frozen=True)
class Edit:
    """One slip undone: the edited right-hand side and how to say it."""

    expr: ast.expr
    before: str   # the smallest enclosing piece of the line, as the port wrote it
    after: str    # the same piece, edited
    why: str      # what the slip is, for the message ("a transpose is missing, ...")
    how: str      # a short tag for the evidence: "transpose", "complement", "axis", ...


def _with_parents(node: ast.AST, parent: ast.AST | None = None) -> Iterator[tuple[ast.AST, ast.AST | None]]:
    yield node, parent
    for child in ast.iter_child_nodes(node):
        yield from _with_parents(child, node)


def _replace_child(parent: ast.AST, old: ast.AST, new: ast.AST) -> None:
    for field, value in ast.iter_fields(parent):
        if value is old:
            setattr(parent, field, new)
            return
        if isinstance(value, list):
            for k, item in enumerate(value):
                if item is old:
                    value[k] = new
                    return


def _edit(rhs: ast.expr, position: int, make: Callable[[ast.AST], ast.AST], shown: int) -> tuple[ast.expr, str, str]:
    """Copy ``rhs``, replace its ``position``-th node (depth first) by ``make(node)``.

    Returns the edited tree, and the text of the ``shown``-th node (an
    ancestor of the edited one, or itself) before and after: its position is
    the same in both trees because only a subtree after it changed.
    """
    tree = copy.deepcopy(rhs)
    nodes = list(_with_parents(tree))
    node, parent = nodes[position]
    before = ast.unparse(nodes[shown][0])
    new = make(node)
    ast.copy_location(new, node)
    if parent is None:
        tree = new
    else:
        _replace_child(parent, node, new)
    ast.fix_missing_locations(tree)
    after = ast.unparse(list(_with_parents(tree))[shown][0])
    return tree, before, after


def _context(nodes: list[tuple[ast.AST, ast.AST | None]], position: int) -> int:
    """The node to show around an edited operand: its parent expression (the call or operation reading it)."""
    parent = nodes[position][1]
    if parent is None:
        return position
    # Past a `.T` or a `1 - x` wrapper to what reads it.
    for k, (n, _) in enumerate(nodes):
        if n is parent:
            grand = nodes[k][1]
            if isinstance(parent, ast.Attribute) and grand is not None and isinstance(grand, ast.expr):
                return next(j for j, (m, _) in enumerate(nodes) if m is grand)
            return k if isinstance(parent, ast.expr) else position
    return position


def _array(value: Any) -> np.ndarray | None:
    if isinstance(value, np.ndarray) and value.dtype.kind in "fiu" and value.size > 1:
        return value
    return None


def _called_name(call: ast.Call) -> str | None:
    f = call.func
    return f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else None


def _is_numpy_call(call: ast.Call, genv: Mapping[str, Any], env: Mapping[str, Any]) -> bool:
    """``np.sum(...)``, ``numpy.sum(...)`` or an array's own method (``x.sum()``)."""
    f = call.func
    if not isinstance(f, ast.Attribute):
        return False
    if isinstance(f.value, ast.Name):
        owner = env.get(f.value.id, genv.get(f.value.id))
        return owner is np or isinstance(owner, np.ndarray)
    return True  # a method of an expression's result: (a - b).sum()


def _method_form(call: ast.Call, genv: Mapping[str, Any], env: Mapping[str, Any]) -> bool:
    f = call.func
    if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name):
        return env.get(f.value.id, genv.get(f.value.id)) is not np
    return isinstance(f, ast.Attribute)


def _helpers(genv: Mapping[str, Any], called: Any, own: Callable[[str], bool], n_args: int) -> list[str]:
    """The port's own functions that could stand where ``called`` is called with ``n_args`` arguments."""
    code = getattr(called, "__code__", None)
    if code is None or not own(code.co_filename):
        return []
    out = []
    for name, value in genv.items():
        c = getattr(value, "__code__", None)
        if not isinstance(value, types.FunctionType) or value is called or c is None:
            continue
        if c.co_filename != code.co_filename or c.co_flags & (inspect.CO_VARARGS | inspect.CO_VARKEYWORDS):
            continue
        required = c.co_argcount - len(value.__defaults__ or ())
        if required <= n_args <= c.co_argcount:
            out.append(name)
    return out[:_MAX_HELPERS]


def line_edits(rhs: ast.expr, env: Mapping[str, Any], genv: Mapping[str, Any], skip_constants: set[int],
               own: Callable[[str], bool], traced: str) -> Iterator[Edit]:
    """Every one-slip edit of ``rhs`` worth evaluating, likeliest slips first.

    Parameters
    ----------
    rhs : ast.expr
        The right-hand side of the port's divergent line.
    env, genv : mapping
        The frame's locals and globals at that line (to tell what a name holds).
    skip_constants : set of int
        Depth-first positions, among Constant nodes, of the whole numbers the
        caller already tries one off (axes and indices).
    own : callable
        ``own(filename)``: whether a file is the user's (helpers are swapped
        only for the user's own functions).
    traced : str
        The name of the function being re-evaluated, never called in place of a helper.
    """
    nodes = list(_with_parents(rhs))
    edits: list[list[Edit]] = [[] for _ in range(7)]

    def add(rank: int, position: int, make: Callable[[ast.AST], ast.AST], why: str, how: str,
            shown: int | None = None) -> None:
        tree, before, after = _edit(rhs, position, make, position if shown is None else shown)
        if before != after:
            edits[rank].append(Edit(tree, before, after, why, how))

    constants = [k for k, (n, _) in enumerate(nodes) if isinstance(n, ast.Constant)]
    for k, (node, parent) in enumerate(nodes):
        # A transpose a square matrix hides: added to an operand, or dropped.
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            arr = _array(env.get(node.id))
            transposed = isinstance(parent, ast.Attribute) and parent.attr == "T"
            if arr is not None and arr.ndim == 2 and arr.shape[0] == arr.shape[1] and not transposed \
                    and not np.array_equal(arr, arr.T):
                add(0, k, lambda n: ast.Attribute(value=n, attr="T", ctx=ast.Load()),
                    f"`{node.id}` is square, so the shapes agree without the transpose the reference applies",
                    "transpose", _context(nodes, k))
            # 1 - p where p was meant is written as p; a probability's complement.
            if arr is not None and arr.dtype.kind == "f" and np.all((arr >= 0) & (arr <= 1)) \
                    and not np.all((arr == 0) | (arr == 1)):
                add(2, k, lambda n: ast.BinOp(left=ast.Constant(1), op=ast.Sub(), right=n),
                    f"it reads `{node.id}` where the reference reads its complement `1 - {node.id}`",
                    "complement", _context(nodes, k))
        if isinstance(node, ast.Attribute) and node.attr == "T":
            add(0, k, lambda n: n.value, "an extra transpose (the matrix is square, so the shapes agree with it)",
                "transpose", _context(nodes, k))
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub) and isinstance(node.left, ast.Constant) \
                and node.left.value == 1:
            add(2, k, lambda n: n.right, "it reads the complement `1 - x` where the reference reads `x`",
                "complement", _context(nodes, k))
        if isinstance(node, ast.Call):
            name = _called_name(node)
            numpy_call = _is_numpy_call(node, genv, env)
            method = _method_form(node, genv, env)
            keywords = {kw.arg for kw in node.keywords}
            positional_axis = len(node.args) >= (1 if method else 2)
            if numpy_call and name in _REDUCTIONS:
                if "axis" not in keywords and not positional_axis:
                    for axis in (0, 1):
                        add(1, k, lambda n, a=axis: _with_keywords(n, axis=a),
                            f"it {name}s over every element where the reference reduces along one axis",
                            "axis")
                        add(1, k, lambda n, a=axis: _with_keywords(n, axis=a, keepdims=True),
                            f"it {name}s over every element where the reference reduces along one axis",
                            "axis")
                elif "keepdims" not in keywords:
                    add(1, k, lambda n: _with_keywords(n, keepdims=True),
                        "without `keepdims=True` the reduced axis is dropped, and the result broadcasts along the "
                        "other axis (a square matrix hides it: the shapes agree)", "keepdims")
                    add(1, k, lambda n: _without_axis(n, method),
                        f"it {name}s along one axis where the reference reduces every element", "axis")
            if numpy_call and name in _SWAPS:
                for other in _SWAPS[name]:
                    add(3, k, lambda n, o=other: _renamed(n, o), f"`{name}` where the reference's computation is "
                        f"`{other}`", "function")
            if isinstance(node.func, ast.Name) and node.func.id != traced and not node.keywords:
                for other in _helpers(genv, genv.get(node.func.id), own, len(node.args)):
                    if other == traced:
                        continue
                    add(4, k, lambda n, o=other: _renamed(n, o), f"it calls `{node.func.id}` where the reference's "
                        f"computation is `{other}`", "helper")
        if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
            for op in _OPERATORS[type(node.op)]:
                add(5, k, lambda n, o=op: ast.BinOp(left=n.left, op=o(), right=n.right),
                    f"`{_OP_TEXT[type(node.op)]}` where the reference's computation is `{_OP_TEXT[op]}`", "operator")
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) \
                and not isinstance(node.value, bool) and constants.index(k) not in skip_constants:
            c = node.value
            seen = {c}
            for alt in (0, 1, -c, 2 * c, c / 2):
                alt = int(alt) if float(alt).is_integer() and isinstance(c, int) else alt
                if alt in seen:
                    continue
                seen.add(alt)
                add(6, k, lambda n, a=alt: ast.Constant(a), f"the constant {c!r} where the reference's computation "
                    f"has {alt!r}", "constant", _context(nodes, k))
    for rank in edits:
        yield from rank


def _with_keywords(call: ast.Call, **keywords: Any) -> ast.Call:
    new = copy.copy(call)
    new.keywords = [kw for kw in call.keywords if kw.arg not in keywords] + [
        ast.keyword(arg=k, value=ast.Constant(v)) for k, v in keywords.items()]
    return new


def _without_axis(call: ast.Call, method: bool) -> ast.Call:
    new = copy.copy(call)
    new.keywords = [kw for kw in call.keywords if kw.arg != "axis"]
    new.args = call.args[:0 if method else 1]
    return new


def _renamed(call: ast.Call, name: str) -> ast.Call:
    new = copy.copy(call)
    if isinstance(call.func, ast.Attribute):
        new.func = ast.Attribute(value=call.func.value, attr=name, ctx=ast.Load())
    else:
        new.func = ast.Name(id=name, ctx=ast.Load())
    return new

