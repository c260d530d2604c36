"""The one rule for "the objective ignores its argument", shared by lint, gradients and optimize.

``lambda x: cost(initial_theta, X, y)`` never reads ``x``: a gradient checker
or an optimizer then evaluates the same fixed parameters at every point. The
rule, in one place:

- the parameter is the objective's first positional one (after ``self``/``cls``
  and any bound by ``functools.partial``), or the ``wrt``-th;
- it counts as read when any expression in the body loads it (nested
  functions and lambdas included);
- not reported: a name starting with ``_`` (declared unused), a stub body
  (``pass``, ``...``, ``raise``), and the in-place idiom of CS231n's checkers,
  ``eval_numerical_gradient(lambda W: f(X, model, y)[0], model['W1'])``: the
  checker changes the array it is handed *in place*, and the objective reads it
  through the container (``model``) it belongs to.

:func:`ignored_parameter` applies it to a syntax tree (lint);
:func:`ignored_parameter_of` to a live function (gradient checks, optimizer
comparisons), through its source when available and its bytecode otherwise.
"""

from __future__ import annotations

import ast
import dis
import functools
import inspect
import linecache
import types
from collections.abc import Mapping
from typing import Any

__all__ = ["ignored_parameter", "ignored_parameter_of", "perturbed_in_place", "function_node", "code_node", "unwrap"]

FunctionNode = ast.Lambda | ast.FunctionDef | ast.AsyncFunctionDef


def _positional(args: ast.arguments) -> list[str]:
    names = [a.arg for a in (*args.posonlyargs, *args.args)]
    if names and names[0] in {"self", "cls"}:
        names = names[1:]
    return names


def _is_stub(fn: FunctionNode) -> bool:
    if isinstance(fn, ast.Lambda):
        return False
    body = [s for s in fn.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    return not body or all(isinstance(s, (ast.Pass, ast.Raise)) for s in body)


def _reads(fn: FunctionNode, name: str) -> bool:
    body = [fn.body] if isinstance(fn, ast.Lambda) else fn.body
    return any(isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load)
               for b in body for n in ast.walk(b))


def ignored_parameter(fn: ast.AST, index: int = 0) -> str | None:
    """The name of ``fn``'s ``index``-th positional parameter when the body never reads it, else None."""
    if not isinstance(fn, (ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    names = _positional(fn.args)
    if index >= len(names):
        return None
    name = names[index]
    if name.startswith("_") or _is_stub(fn):
        return None
    return None if _reads(fn, name) else name


def perturbed_in_place(call: ast.Call, fn: ast.AST) -> bool:
    """The point handed to the checker alongside ``fn`` lives in a container ``fn`` reads.

    ``check(lambda W: f(X, model, y)[0], model['W1'])``: the checker perturbs
    ``model['W1']`` in place and ``f`` sees it through ``model``, so the unused
    ``W`` is the idiom, not a mistake.
    """
    if not isinstance(fn, (ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    body = [fn.body] if isinstance(fn, ast.Lambda) else fn.body
    read = {n.id for b in body for n in ast.walk(b) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    for arg in (*call.args, *(k.value for k in call.keywords)):
        if arg is fn:
            continue
        root = arg
        while isinstance(root, (ast.Subscript, ast.Attribute)):
            root = root.value
        if root is not arg and isinstance(root, ast.Name) and root.id in read:
            return True
    return False


def unwrap(fun: Any) -> tuple[types.FunctionType | None, int]:
    """The plain function behind ``fun`` and how many leading parameters are already bound."""
    offset = 0
    for _ in range(5):
        if isinstance(fun, functools.partial):
            offset += len(fun.args)
            fun = fun.func
        elif isinstance(fun, types.MethodType):
            offset += 1
            fun = fun.__func__
        else:
            break
    if isinstance(fun, types.FunctionType):
        return fun, offset
    call = getattr(type(fun), "__call__", None)
    if isinstance(call, types.FunctionType):
        return call, offset + 1
    return None, 0


@functools.lru_cache(maxsize=32)
def _parsed(filename: str) -> ast.Module | None:
    text = "".join(linecache.getlines(filename))
    if not text:
        return None
    try:
        return ast.parse(text)
    except SyntaxError:
        return None


_DEFS = (ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef)


@functools.lru_cache(maxsize=32)
def _indexed(filename: str) -> tuple[dict[ast.AST, ast.AST], dict[int, list[ast.AST]]] | None:
    """A file's parent map and its function definitions by first line, built once per file.

    Walking a whole module for every check cost ~10 ms, a visible share of a
    small check; the callers only read the maps.
    """
    tree = _parsed(filename)
    if tree is None:
        return None
    parents: dict[ast.AST, ast.AST] = {}
    by_line: dict[int, list[ast.AST]] = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[child] = node
        if isinstance(node, _DEFS):
            line = node.lineno if isinstance(node, ast.Lambda) else min(
                [node.lineno] + [d.lineno for d in node.decorator_list])
            by_line.setdefault(line, []).append(node)
    return parents, by_line


def code_node(filename: str, code: types.CodeType) -> tuple[ast.AST, Mapping[ast.AST, ast.AST]] | None:
    """The node of ``filename`` that compiled to ``code``, and the file's parent map (read-only)."""
    indexed = _indexed(filename)
    if indexed is None:
        return None
    parents, by_line = indexed
    params = list(code.co_varnames[:code.co_argcount])
    for node in by_line.get(code.co_firstlineno, ()):
        if isinstance(node, ast.FunctionDef) and node.name != code.co_name:
            continue
        if [a.arg for a in (*node.args.posonlyargs, *node.args.args)] == params:
            return node, types.MappingProxyType(parents)  # shared by every caller: read-only
    return None


def function_node(fun: types.FunctionType) -> tuple[ast.AST, Mapping[ast.AST, ast.AST]] | None:
    """The syntax-tree node that defined ``fun``, and the tree's parent map (read-only)."""
    try:
        filename = inspect.getsourcefile(fun) or fun.__code__.co_filename
    except TypeError:
        return None
    return code_node(filename, fun.__code__)


def _loads(code: types.CodeType, name: str) -> bool:
    if name in code.co_cellvars:  # read by a nested function
        return True
    for ins in dis.get_instructions(code):
        if ins.opname.startswith(("LOAD_FAST", "LOAD_DEREF", "LOAD_CLOSURE")):
            av = ins.argval
            if av == name or (isinstance(av, tuple) and name in av):
                return True
    return False


def ignored_parameter_of(fun: Any, index: int = 0) -> str | None:
    """:func:`ignored_parameter` for a live callable (``index`` counts after bound arguments).

    Reads the function's own source; a function without one (built with
    ``exec``, at a prompt) is judged from its bytecode by the same rule.
    """
    plain, offset = unwrap(fun)
    if plain is None:
        return None
    located = function_node(plain)
    if located is not None:
        node = located[0]
        names = [a.arg for a in (*node.args.posonlyargs, *node.args.args)]
        if offset + index < len(names) and names[offset + index] not in {"self", "cls"}:
            drop = 1 if names and names[0] in {"self", "cls"} else 0
            return ignored_parameter(node, offset + index - drop)
    code = plain.__code__
    pos = offset + index
    if code.co_argcount <= pos:
        return None
    name = code.co_varnames[pos]
    if name.startswith("_"):
        return None
    return None if _loads(code, name) else name
