"""Counterfactuals on one line of the port: re-evaluate it with an operand swapped.

When the first divergent intermediate is no function, factor or mask of the
reference value, the line itself may read the wrong variable (``encoder``
where the reference has ``decoder'``), or a variable that a loop overwrote
instead of accumulating. Both are proved the same way: run the port again,
stop at that line with its real locals, evaluate the line's expression with
one operand replaced — by another local of the same shape, by its transpose,
or by the sum of a loop variable's passes — and see whether the result is the
reference's value. The port's run is abandoned right after; nothing else of
it executes.
"""

from __future__ import annotations

import ast
import copy
import linecache
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..diagnose._arrays import close_mask
from ._steps import Step
from .align import _parsed, magnitude

__all__ = ["Substitution", "find_substitution"]

#: At most this many substituted expressions are evaluated for one line.
MAX_VARIANTS = 300


@dataclass(frozen=True)
class Substitution:
    """The operand that, replaced, makes the port's line reproduce the reference."""

    operand: str        # the name as written in the port's line
    replacement: str    # what replaced it: "decoder.T", "the sum of Delta1 over its 5 passes"
    source: str         # "variable", "transpose" or "loop-total"
    variable: str       # the local whose value was used
    loop_step: Step | None = None


class _Stop(BaseException):
    """Raised from the tracer to abandon the port's run once the line was evaluated."""


def _statement(lines: list[str], line: int, name: str) -> ast.stmt | None:
    # The alignment already parsed this file; the substitutions work on deep copies of its nodes.
    tree = _parsed("\n".join(lines))
    if tree is None:
        return None
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)) and node.lineno == line:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                for sub in ast.walk(t):
                    if isinstance(sub, ast.Name) and sub.id == name:
                        return node
    return None


def _numeric(value: Any) -> np.ndarray | None:
    if isinstance(value, np.ndarray) and value.dtype.kind in "biufc" and value.size > 1:
        return value
    return None


class _Replace(ast.NodeTransformer):
    def __init__(self, index: int, new_name: str) -> None:
        self.index, self.new_name, self.seen = index, new_name, -1

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if isinstance(node.ctx, ast.Load):
            self.seen += 1
            if self.seen == self.index:
                return ast.copy_location(ast.Name(id=self.new_name, ctx=ast.Load()), node)
        return node


def _result(stmt: ast.stmt, expr: ast.expr, name: str, env: dict[str, Any], genv: Mapping[str, Any]) -> Any:
    """The value ``name`` would hold after the statement, with ``expr`` as its right-hand side."""
    code = compile(ast.Expression(body=expr), "<portcheck-reevaluate>", "eval")
    value = eval(code, dict(genv), env)  # noqa: S307 - the port's own line, on copies of its own locals
    if isinstance(stmt, ast.AugAssign):
        op = {ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply, ast.Div: np.true_divide}.get(
            type(stmt.op))
        if op is None or not isinstance(stmt.target, ast.Name):
            raise ValueError("unsupported augmented assignment")
        return op(env[stmt.target.id], value)
    targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
    target = targets[0]
    if isinstance(target, ast.Name):
        return value
    if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name) and target.value.id == name:
        base = np.array(env[name], copy=True)
        index = eval(compile(ast.Expression(body=target.slice), "<portcheck-reevaluate>", "eval"),
                     dict(genv), env)  # noqa: S307
        base[index] = value
        return base
    raise ValueError("unsupported assignment target")


def find_substitution(
    fn: Callable[..., Any],
    args: Sequence[Any],
    step: Step,
    lines: list[str],
    matches: Callable[[Any], bool],
    loop_steps: Sequence[Step] = (),
) -> Substitution | None:
    """Re-run the port to ``step``'s line and look for one operand whose replacement reproduces the reference.

    Parameters
    ----------
    fn, args
        The port and (copies of) its arguments.
    step : Step
        The port's divergent step; its line is re-evaluated at the pass whose
        value the trace kept (the last).
    lines : list of str
        The source of ``step.file``.
    matches : callable
        ``matches(value) -> bool``: whether a candidate value for ``step.name``
        equals the reference's (the caller orients shapes).
    loop_steps : sequence of Step
        Steps of the same function assigned in a loop (``passes > 1``) whose
        running sums may replace an operand of the same name.

    Returns
    -------
    Substitution or None
        The first replacement that works, trying loop totals first (a loop
        keeping its last pass is the likelier story), then other variables,
        then transposes.
    """
    stmt = _statement(lines, step.line, step.name)
    if stmt is None or stmt.value is None:
        return None
    rhs = stmt.value
    operands = [n for n in ast.walk(rhs) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)]
    # ast.walk is breadth-first; _Replace counts in visiting (depth-first) order.
    ordered = [n for n in _depth_first(rhs) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)]
    if not operands:
        return None
    totals = {s.name: s for s in loop_steps if s.passes > 1 and isinstance(s.total, np.ndarray)}
    found: list[Substitution] = []
    target_hits = max(step.passes, 1)
    hits = [0]

    def evaluate(frame: Any) -> None:
        env = dict(frame.f_locals)
        genv = frame.f_globals
        variants: list[tuple[int, str, Any, Substitution]] = []
        for k, node in enumerate(ordered):
            current = env.get(node.id)
            cur = _numeric(current)
            if node.id in totals and (cur is None or np.shape(totals[node.id].total) == np.shape(cur)):
                s = totals[node.id]
                variants.append((k, node.id, s.total, Substitution(
                    node.id, f"the sum of {node.id} over its {s.passes} passes", "loop-total", node.id, s)))
            if cur is None:
                continue
            for other, value in env.items():
                arr = _numeric(value)
                if arr is None or other == node.id or other.startswith("__"):
                    continue
                if arr.shape == cur.shape and not np.array_equal(arr, cur):
                    variants.append((k, node.id, arr, Substitution(node.id, other, "variable", other)))
                if arr.ndim == 2 and arr.T.shape == cur.shape and not np.array_equal(arr.T, cur):
                    variants.append((k, node.id, arr.T, Substitution(node.id, f"{other}.T", "transpose", other)))
        for k, _, value, sub in variants[:MAX_VARIANTS]:
            expr = _Replace(k, "__portcheck_operand__").visit(copy.deepcopy(rhs))
            ast.fix_missing_locations(expr)
            trial = dict(env)
            trial["__portcheck_operand__"] = value
            try:
                with np.errstate(all="ignore"):
                    result = _result(stmt, expr, step.name, trial, genv)
            except Exception:  # noqa: BLE001 - a substitution that does not evaluate is no candidate
                continue
            if matches(result):
                found.append(sub)
                return

    def local(frame: Any, event: str, arg: Any) -> Any:
        if event == "line" and frame.f_lineno == step.line:
            hits[0] += 1
            if hits[0] == target_hits:
                evaluate(frame)
                raise _Stop
        return local

    def global_tracer(frame: Any, event: str, arg: Any) -> Any:
        if event == "call" and frame.f_code.co_filename == step.file and frame.f_code.co_name == step.function:
            return local
        return None

    previous = sys.gettrace()
    sys.settrace(global_tracer)
    try:
        fn(*args)
    except _Stop:
        pass
    except (Exception, SystemExit):  # noqa: BLE001 - the port failing here is no new information
        pass
    finally:
        sys.settrace(previous)
    linecache.checkcache(step.file)
    return found[0] if found else None


def _depth_first(node: ast.AST):
    yield node
    for child in ast.iter_child_nodes(node):
        yield from _depth_first(child)


def value_matcher(reference: np.ndarray, orient: Callable[[np.ndarray], np.ndarray | None],
                  rtol: float, atol: float) -> Callable[[Any], bool]:
    """``matches(value)`` for :func:`find_substitution`: oriented like the trace's view, then compared."""
    def matches(value: Any) -> bool:
        try:
            arr = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            return False
        oriented = orient(arr)
        if oriented is None or oriented.shape != reference.shape:
            return False
        return bool(np.all(close_mask(reference, oriented, rtol, atol * magnitude(reference))))
    return matches
