"""Static checks on the objective itself, before any evaluation.

Two classic closures break gradient checks and optimizers silently:

- ``lambda x: cost(theta, X, y)`` — the parameter is never read, so the
  objective is constant in x (the optimizer "converges" at once);
- closures created in a loop that read the loop variable: Python binds the
  name when the closure *runs*, so every closure sees the loop's last value.

Also here: hints about why a function is not complex-step safe, read from
its source (Python) or its ``.m`` file (Octave's ``'`` conjugates).
"""

from __future__ import annotations

import ast
import functools
import types
from collections.abc import Callable, Mapping
from typing import Any

from ..objective_rule import code_node, ignored_parameter_of, unwrap
from ..report import Finding

__all__ = ["static_findings", "complex_hints_python", "octave_ctranspose_lines", "octave_param_names"]


# One rule for the unused parameter, shared with lint and optimize (portcheck.objective_rule).
_unwrap = unwrap


def _outer_names(fun: types.FunctionType) -> list[str]:
    code = fun.__code__
    names = list(code.co_freevars) + [n for n in code.co_names if n in fun.__globals__]
    return [n for n in names if not callable(fun.__globals__.get(n)) or n in code.co_freevars][:4]


def _node_of(fun: types.FunctionType) -> tuple[ast.AST, Mapping[ast.AST, ast.AST]] | None:
    return code_node(fun.__code__.co_filename, fun.__code__)


def _late_bound(fun: types.FunctionType) -> list[str]:
    """Names the closure reads that are loop variables of a loop enclosing its definition."""
    return list(_late_bound_code(fun.__code__))


@functools.lru_cache(maxsize=256)
def _late_bound_code(code: types.CodeType) -> tuple[str, ...]:
    # Keyed on the code object: every closure made from one definition shares it, so repeated checks
    # (and the lambdas a loop creates) walk the source once.
    located = code_node(code.co_filename, code)
    if located is None:
        return []
    node, parents = located
    args = node.args
    bound = {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)}
    if args.vararg:
        bound.add(args.vararg.arg)
    if args.kwarg:
        bound.add(args.kwarg.arg)
    body = node.body if isinstance(node.body, list) else [node.body]
    loads, stores = set(), set()
    for stmt in body:
        for sub in ast.walk(stmt):
            if isinstance(sub, ast.Name):
                (loads if isinstance(sub.ctx, ast.Load) else stores).add(sub.id)
    free = loads - bound - stores
    loop_vars: set[str] = set()
    cur = parents.get(node)
    while cur is not None:
        targets = []
        if isinstance(cur, (ast.For, ast.AsyncFor)):
            targets = [cur.target]
        elif isinstance(cur, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            targets = [g.target for g in cur.generators]
        for t in targets:
            loop_vars |= {n.id for n in ast.walk(t) if isinstance(n, ast.Name)}
        cur = parents.get(cur)
    return tuple(sorted(free & loop_vars))


def _current_value(fun: types.FunctionType, name: str) -> Any:
    code = fun.__code__
    if name in code.co_freevars and fun.__closure__:
        try:
            return fun.__closure__[code.co_freevars.index(name)].cell_contents
        except ValueError:
            return None
    return fun.__globals__.get(name)


def static_findings(fun: Callable[..., Any], wrt: int = 0) -> list[Finding]:
    """``lambda-capture`` findings read from the objective's code, without calling it."""
    plain, offset = _unwrap(fun)
    offset += wrt
    if plain is None:
        return []
    out: list[Finding] = []
    unused = ignored_parameter_of(fun, wrt)  # the rule lint and optimize share
    if unused is not None:
        outer = _outer_names(plain)
        uses = f" (it reads {', '.join(outer)} instead)" if outer else ""
        out.append(Finding(
            "lambda-capture", "error",
            f"the objective never reads its parameter `{unused}`{uses}: whatever x the checker or optimizer "
            f"passes, it evaluates the same fixed parameters. Pass the argument through, e.g. "
            f"`lambda {unused}: cost({unused}, X, y, lam)`.",
            evidence={"parameter": unused, "reads": outer, "static": True}))
    late = _late_bound(plain)
    for name in late:
        value = _current_value(plain, name)
        shown = repr(value) if value is None or isinstance(value, (int, float, str, bool)) else type(value).__name__
        out.append(Finding(
            "lambda-capture", "warning",
            f"the objective reads the loop variable `{name}` when it is called, not when it was created "
            f"(Python closures bind late): a closure kept past its loop iteration sees the loop's last value "
            f"(now {name} = {shown}). Bind it at creation: `lambda t, {name}={name}: ...` or functools.partial.",
            evidence={"variable": name, "current_value": shown, "static": True}))
    return out


_COMPLEX_BREAKERS = {"abs", "fabs", "absolute", "maximum", "minimum", "max", "min", "real", "conj",
                     "conjugate", "sign", "clip", "where", "astype", "float", "float64", "norm"}


def complex_hints_python(fun: Callable[..., Any]) -> list[str]:
    """Calls in ``fun``'s own source that usually break the complex step (``np.abs (line 12)``)."""
    plain, _ = _unwrap(fun)
    if plain is None:
        return []
    located = _node_of(plain)
    if located is None:
        return []
    node, _ = located
    hits: list[str] = []
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            f = sub.func
            name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else None
            if name in _COMPLEX_BREAKERS:
                hits.append(f"{name} (line {sub.lineno})")
    return sorted(set(hits), key=lambda s: int(s.split("line ")[1].rstrip(")")))[:6]


def octave_ctranspose_lines(text: str) -> list[int]:
    """Lines of an .m file that use ``'`` as the (conjugating) transpose operator.

    MATLAB's lexer rule: a quote right after an identifier, a closing bracket,
    a digit or another transpose is a transpose; elsewhere it opens a string.
    ``.'`` (the plain transpose) is not reported.
    """
    lines: list[int] = []
    for lineno, line in enumerate(text.splitlines(), 1):
        prev = ""
        in_str: str | None = None
        i = 0
        found = False
        while i < len(line):
            ch = line[i]
            if in_str:
                if ch == in_str:
                    if i + 1 < len(line) and line[i + 1] == in_str:
                        i += 2
                        continue
                    in_str = None
                    prev = "s"  # a closed string: a quote right after it would be a transpose too
                i += 1
                continue
            if ch in "%#":
                break
            if ch == '"':
                in_str = '"'
            elif ch == "'":
                if prev == ".":
                    pass  # .' non-conjugate transpose
                elif prev and (prev.isalnum() or prev in "_)]}'"):
                    found = True
                else:
                    in_str = "'"
            prev = ch
            i += 1
        if found:
            lines.append(lineno)
    return lines


def octave_param_names(text: str) -> list[str]:
    """Parameter names from the first ``function ... = name(a, b, c)`` line of an .m file."""
    import re

    m = re.search(r"^\s*function\b[^\n(]*\(([^)]*)\)", text, re.MULTILINE)
    if not m:
        return []
    return [p.strip() for p in m.group(1).split(",") if p.strip()]
