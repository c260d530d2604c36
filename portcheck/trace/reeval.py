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
from pathlib import Path
from typing import Any

import numpy as np

from .._contain import is_port_failure, kept_process_state
from ..diagnose._arrays import close_mask
from ._edits import line_edits
from ._steps import Step
from .align import _parsed, magnitude
from .python_side import _file_info, is_user_file

__all__ = ["Substitution", "find_substitution"]

#: At most this many substituted expressions are evaluated for one line.
MAX_VARIANTS = 300


@dataclass(frozen=True)
class Substitution:
    """The operand that, replaced, makes the port's line reproduce the reference."""

    operand: str        # the name as written in the port's line
    replacement: str    # what replaced it: "decoder.T", "the sum of Delta1 over its 5 passes", "1"
    source: str         # "variable", "transpose", "loop-total" or "value" (another whole number)
    variable: str       # the local whose value was used
    loop_step: Step | None = None
    #: For ``"value"``: the number the port used (``"0"`` of ``axis=0``).
    current: str = ""
    #: For a helper's parameter: ``(file, line)`` of the call that passed it (where the mistake is written),
    #: or of the helper's ``def`` when the call left the parameter to its default (``by_default``).
    call_location: tuple[str, int] | None = None
    by_default: bool = False
    #: For ``"edit"`` (a slip within the line, :mod:`portcheck.trace._edits`): what the slip is,
    #: and its tag (``"transpose"``, ``"axis"``, ``"helper"``, ...).
    why: str = ""
    how: str = ""


class _Stop(BaseException):
    """Raised from the tracer to abandon the port's run once the line was evaluated."""


def _statement(lines: list[str], line: int, name: str) -> ast.stmt | None:
    # The alignment already parsed this file; the substitutions work on deep copies of its nodes.
    tree = _parsed("\n".join(lines))
    if tree is None:
        return None
    at_line = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)) and node.lineno == line:
            at_line.append(node)
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                for sub in ast.walk(t):
                    if isinstance(sub, ast.Name) and sub.id == name:
                        return node
    # A returned value placed where the variable it was returned as was assigned
    # (`return mu, var` for sigma2): the one assignment on that line.
    return at_line[0] if len(at_line) == 1 else None


def _target_name(stmt: ast.stmt) -> str:
    """The variable a statement writes: ``out`` for ``out[k] = ...``."""
    target = stmt.targets[0] if isinstance(stmt, ast.Assign) else stmt.target
    while isinstance(target, (ast.Subscript, ast.Attribute)):
        target = target.value
    return target.id if isinstance(target, ast.Name) else ""


def _numeric(value: Any) -> np.ndarray | None:
    if isinstance(value, np.ndarray) and value.dtype.kind in "biufc" and value.size > 1:
        return value
    return None


def _whole_number(value: Any) -> int | None:
    """A plain integer (an axis, an index, an offset), not a flag and not an array."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        return None
    return int(value) if abs(int(value)) < 2**31 else None


def _one_off(n: int) -> tuple[int, int]:
    """The two numbers one off ``n``, the one nearer zero first.

    Where both reproduce the reference (labels that repeat, a loop judged at
    one pass), the simpler reading is the likelier fix: ``y[i - 1]`` meant
    ``y[i]`` more often than ``y[i - 2]``.
    """
    return (n - 1, n + 1) if n > 0 else (n + 1, n - 1)


def _counted_constants(rhs: ast.expr) -> list[int]:
    """Depth-first positions (among Constant nodes) of the whole numbers that pick an axis or an index.

    ``axis=0`` in a call and the numbers inside a subscript (``y[i - 1]``):
    where a port's off-by-one or wrong-axis mistakes are written. Arithmetic
    constants (``1 - a``) are a different quantity, not a choice among axes.
    """
    picked: set[int] = set()

    def mark(node: ast.AST) -> None:
        for sub in ast.walk(node):
            if isinstance(sub, ast.Constant) and _whole_number(sub.value) is not None:
                picked.add(id(sub))

    for node in ast.walk(rhs):
        if isinstance(node, ast.keyword) and node.arg == "axis":
            mark(node.value)
        elif isinstance(node, ast.Subscript):
            mark(node.slice)
    constants = [n for n in _depth_first(rhs) if isinstance(n, ast.Constant)]
    return [k for k, n in enumerate(constants) if id(n) in picked]


class _ReplaceConstant(ast.NodeTransformer):
    def __init__(self, index: int, value: int) -> None:
        self.index, self.value, self.seen = index, value, -1

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        self.seen += 1
        if self.seen == self.index:
            return ast.copy_location(ast.Constant(value=self.value), node)
        return node


def _enclosing_text(rhs: ast.expr, index: int, value: int) -> tuple[str, str]:
    """The smallest keyword or subscript around the index-th constant, before and after replacing it."""
    constants = [n for n in _depth_first(rhs) if isinstance(n, ast.Constant)]
    target = constants[index]
    best: ast.AST = target
    for node in ast.walk(rhs):
        inner = node.value if isinstance(node, ast.keyword) else node.slice if isinstance(node, ast.Subscript) \
            else None
        if inner is not None and any(sub is target for sub in ast.walk(inner)):
            best = node  # ast.walk is breadth-first: the last hit is the innermost
    before = ast.unparse(best)
    tree = _ReplaceConstant(index, value).visit(copy.deepcopy(rhs))
    after_nodes = [n for n in _depth_first(tree)]
    # The same node, found again by its position in the copied tree.
    position = [k for k, n in enumerate(_depth_first(rhs)) if n is best][0]
    return before, ast.unparse(_DropZero().visit(after_nodes[position]))


class _DropZero(ast.NodeTransformer):
    """``k - 0`` → ``k`` in what a message shows (``centroids[k]``, not ``centroids[k - 0]``)."""

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        zero = lambda n: isinstance(n, ast.Constant) and _whole_number(n.value) == 0  # noqa: E731
        if isinstance(node.op, (ast.Add, ast.Sub)) and zero(node.right):
            return node.left
        if isinstance(node.op, ast.Add) and zero(node.left):
            return node.right
        return node


class _Replace(ast.NodeTransformer):
    def __init__(self, index: int, new_name: str) -> None:
        self.index, self.new_name, self.seen = index, new_name, -1

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if isinstance(node.ctx, ast.Load):
            self.seen += 1
            if self.seen == self.index:
                return ast.copy_location(ast.Name(id=self.new_name, ctx=ast.Load()), node)
        return node


def _result(stmt: ast.stmt, expr: ast.expr, name: str, env: dict[str, Any], genv: Mapping[str, Any]
            ) -> tuple[Any, np.ndarray | None]:
    """The value ``name`` would hold after the statement, with ``expr`` as its right-hand side.

    With the elements the statement writes (a mask), when it assigns into a
    part of the variable (``out[k] = ...``); else None.
    """
    code = compile(ast.Expression(body=expr), "<portcheck-reevaluate>", "eval")
    value = eval(code, dict(genv), env)  # noqa: S307 - the port's own line, on copies of its own locals
    if isinstance(stmt, ast.AugAssign):
        op = {ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply, ast.Div: np.true_divide}.get(
            type(stmt.op))
        if op is None or not isinstance(stmt.target, ast.Name):
            raise ValueError("unsupported augmented assignment")
        return op(env[stmt.target.id], value), None
    targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
    target = targets[0]
    if isinstance(target, ast.Name):
        return value, None
    if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name) and target.value.id == name:
        base = np.array(env[name], copy=True)
        index = eval(compile(ast.Expression(body=target.slice), "<portcheck-reevaluate>", "eval"),
                     dict(genv), env)  # noqa: S307
        base[index] = value
        region = np.zeros(base.shape, dtype=bool)
        region[index] = True
        return base, region
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
    written = _target_name(stmt)
    # ast.walk is breadth-first; _Replace counts in visiting (depth-first) order.
    ordered = [n for n in _depth_first(rhs) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)]
    totals = {s.name: s for s in loop_steps if s.passes > 1 and isinstance(s.total, np.ndarray)}
    found: list[Substitution] = []
    target_hits = max(step.passes, 1)
    hits = [0]

    def evaluate(frame: Any) -> None:
        env = dict(frame.f_locals)
        genv = frame.f_globals

        def reproduces(statement: ast.stmt, expr: ast.expr, names: dict[str, Any]) -> bool:
            """Whether the line, run as ``statement`` with ``expr`` over ``names``, gives the reference's value."""
            try:
                with np.errstate(all="ignore"):
                    result, region = _result(statement, expr, written, names, genv)
            except Exception:  # noqa: BLE001 - a variant that does not evaluate is no candidate
                return False
            return matches(result, region if step.passes > 1 else None)
        # At a pass the mistake leaves right (the region it writes agrees), no
        # replacement can be told from the line as written: nothing to prove.
        try:
            with np.errstate(all="ignore"):
                as_written, written_region = _result(stmt, rhs, written, dict(env), genv)
            if matches(as_written, written_region if step.passes > 1 else None):
                return
        except Exception:  # noqa: BLE001 - the line failing here is the port's own business
            pass
        variants: list[tuple[int, str, Any, Substitution]] = []
        # `x += ...` after a loop that should have accumulated x: the loop's total in place of x.
        if isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name) and stmt.target.id in totals:
            s = totals[stmt.target.id]
            trial = dict(env)
            trial[stmt.target.id] = s.total
            try:
                with np.errstate(all="ignore"):
                    result, region = _result(stmt, rhs, written, trial, genv)
                if matches(result, None):
                    found.append(Substitution(stmt.target.id, f"the sum of {stmt.target.id} over its {s.passes} "
                                              f"passes", "loop-total", stmt.target.id, s))
                    return
            except Exception:  # noqa: BLE001 - a total that does not evaluate is no candidate
                pass
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
        # Whole numbers: an axis or an index one off, as a variable (a helper's
        # parameter passed by its call) or written in the line.
        params = frame.f_code.co_varnames[:frame.f_code.co_argcount + frame.f_code.co_kwonlyargcount]
        caller = frame.f_back
        numbers = [n for n in _depth_first(rhs) if isinstance(n, ast.Constant)]
        for index in _counted_constants(rhs):
            n = _whole_number(numbers[index].value)
            for alt in _one_off(n):
                before, after = _enclosing_text(rhs, index, alt)
                variants.append((-1 - index, before, alt, Substitution(before, after, "value", "", current=before)))
        # A helper's whole-number parameter is what its call passed (`axis=0`):
        # the mistake is written at the call.
        user_caller = caller is not None and is_user_file(caller.f_code.co_filename, Path(step.file).resolve().parent)
        for k, node in enumerate(ordered):
            n = _whole_number(env.get(node.id))
            if n is None or node.id not in params or not user_caller:
                continue
            where = (caller.f_code.co_filename, _statement_start(caller.f_code.co_filename, caller.f_lineno))
            default = not _passed(where, frame.f_code, node.id)
            if default:
                # The call left it to the default: the `def` line holds the wrong number.
                where = (frame.f_code.co_filename, _def_of(frame.f_code))
            for alt in (n + 1, n - 1):
                variants.append((k, node.id, alt, Substitution(node.id, str(alt), "value", node.id, current=str(n),
                                                               call_location=where, by_default=default)))
        # An index one off in the part of the variable the line writes
        # (`Y[i, y[i - 1] - 1] = 1`): the same value, written elsewhere.
        target = stmt.targets[0] if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 else None
        if isinstance(target, ast.Subscript):
            for index in _counted_constants(target):
                n = _whole_number([c for c in _depth_first(target) if isinstance(c, ast.Constant)][index].value)
                for alt in _one_off(n):
                    edited = copy.deepcopy(stmt)
                    edited.targets[0] = _ReplaceConstant(index, alt).visit(edited.targets[0])
                    ast.fix_missing_locations(edited)
                    if reproduces(edited, rhs, dict(env)):
                        before, after = _enclosing_text(target, index, alt)
                        found.append(Substitution(before, after, "value", "", current=before))
                        return
        # Array replacements are many; the few whole numbers keep their own budget.
        numeric = [v for v in variants if isinstance(v[2], int)]
        for k, _, value, sub in [v for v in variants if not isinstance(v[2], int)][:MAX_VARIANTS] + numeric[:60]:
            if k < 0:
                expr = _ReplaceConstant(-1 - k, value).visit(copy.deepcopy(rhs))
                ast.fix_missing_locations(expr)
                if reproduces(stmt, expr, dict(env)):
                    found.append(sub)
                    return
                continue
            expr = _Replace(k, "__portcheck_operand__").visit(copy.deepcopy(rhs))
            ast.fix_missing_locations(expr)
            trial = dict(env)
            trial["__portcheck_operand__"] = value
            if reproduces(stmt, expr, trial):
                found.append(sub)
                return
        # No other variable explains the line: a slip in how it is written
        # (a transpose a square matrix hides, a reduction's axis, 1 - p for p,
        # one function for another, a constant).
        skip = set(_counted_constants(rhs))
        own = lambda f: is_user_file(f, Path(step.file).resolve().parent)  # noqa: E731
        for n_tried, edit in enumerate(line_edits(rhs, env, genv, skip, own, frame.f_code.co_name)):
            if n_tried >= MAX_VARIANTS:
                break
            if reproduces(stmt, edit.expr, dict(env)):
                found.append(Substitution(edit.before, edit.after, "edit", "", current=edit.before, why=edit.why,
                                          how=edit.how))
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
        with kept_process_state():
            fn(*args)
    except _Stop:
        pass
    except BaseException as exc:  # noqa: BLE001 - the port failing here is no new information
        if not is_port_failure(exc):
            raise
    finally:
        sys.settrace(previous)
    linecache.checkcache(step.file)
    return found[0] if found else None


def _def_of(code: Any) -> int:
    """The ``def`` line of a code object (past its decorators)."""
    info = _file_info(code.co_filename, {})
    line = code.co_firstlineno
    while 0 < line <= len(info.lines) and info.lines[line - 1].lstrip().startswith("@"):
        line += 1
    return line


def _passed(call_site: tuple[str, int], code: Any, param: str) -> bool:
    """Whether the statement at ``call_site`` passes ``param`` to ``code``'s function (by keyword or position).

    True when it cannot be told (the call is not found by name): the call
    stays the line to name.
    """
    lines = _file_info(call_site[0], {}).lines
    tree = _parsed("\n".join(lines))
    if tree is None:
        return True
    names = list(code.co_varnames[:code.co_argcount])
    index = names.index(param) if param in names else None
    method = bool(names) and names[0] in ("self", "cls")
    found = False
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or getattr(node, "lineno", None) is None:
            continue
        if not (call_site[1] <= node.lineno <= getattr(node, "end_lineno", node.lineno)
                or node.lineno <= call_site[1] <= getattr(node, "end_lineno", node.lineno)):
            continue
        f = node.func
        called = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else None
        if called != code.co_name:
            continue
        found = True
        if any(k.arg == param or k.arg is None for k in node.keywords) or any(
                isinstance(a, ast.Starred) for a in node.args):
            return True
        if index is not None and len(node.args) > index - (1 if method and isinstance(f, ast.Attribute) else 0):
            return True
    return not found


def _statement_start(filename: str, line: int) -> int:
    """The first line of the statement that ``line`` of ``filename`` belongs to (a call over several lines)."""
    return _file_info(filename, {}).start_of.get(line, line)


def _depth_first(node: ast.AST):
    yield node
    for child in ast.iter_child_nodes(node):
        yield from _depth_first(child)


def value_matcher(reference: np.ndarray, orient: Callable[[np.ndarray], np.ndarray | None],
                  rtol: float, atol: float) -> Callable[[Any], bool]:
    """``matches(value, region)`` for :func:`find_substitution`: oriented like the trace's view, then compared.

    ``region`` (a mask in the port's shape, or None): compare only the
    elements the statement wrote — a loop filling one row per pass is judged
    by the row it writes, not by the rows earlier passes wrote.
    """
    def matches(value: Any, region: np.ndarray | None = None) -> bool:
        try:
            arr = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            return False
        oriented = orient(arr)
        if oriented is None or oriented.shape != reference.shape:
            return False
        close = close_mask(reference, oriented, rtol, atol * magnitude(reference))
        if region is not None:
            where = orient(region.astype(np.float64))
            if where is None or where.shape != reference.shape or not where.any():
                return False
            return bool(np.all(close[where > 0]))
        return bool(np.all(close))
    return matches
