"""Aligning two traces: which port step computes which reference step, and where they part.

A port is free to name, fuse, transpose and loop differently from its
reference; what it may not do is compute other values. So steps are paired by
*value* first (equal within tolerance, up to the formulation differences a
faithful port makes: a transpose, a 1-D vector for a column, a vector kept
unrolled, a bias column added later, a per-example loop against a vectorized
line), and only then by name (case and underscores forgiven, ``delta3`` ↔
``d3``) or by dataflow (the port step that consumes the same values).

The divergence is the first reference step, in execution order, that

* no port step reproduces,
* is not merely an intermediate state the port fused away (a later reference
  step that uses it is reproduced, so the port must have computed it right),
* and has a counterpart in the port: a step of the same name, or the step
  that consumes the same reproduced inputs.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..diagnose._arrays import close_mask
from ._steps import Fingerprint, Step, Trace, bare_name, fingerprint

__all__ = ["Match", "Alignment", "align", "views", "normalise_name", "step_dependencies", "concatenated_parts"]


# ----------------------------------------------------------------------------
# names


_ALIASES = (
    (re.compile(r"^(delta|error|err|dlt)"), "d"),
    (re.compile(r"^(cost|loss)$"), "j"),
    (re.compile(r"^(gradient|g)$"), "grad"),
)


def normalise_name(name: str) -> str:
    """``Theta1_grad`` → ``theta1grad``; ``delta3`` → ``d3``; ``cost`` → ``j``: hints, never proof."""
    n = bare_name(name).lower().replace("_", "")
    for pattern, repl in _ALIASES:
        n = pattern.sub(repl, n)
    return n


# ----------------------------------------------------------------------------
# dependencies: which names a step's line reads


_MATLAB_IDENT = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_MATLAB_STRING = re.compile(r"\"[^\"]*\"|(?<![\w\)\]\}\.'])'[^']*'")


def _matlab_statement(lines: list[str], line: int) -> str:
    """The source of the statement starting at ``line``, continuation lines joined, comments dropped."""
    out = []
    i = line - 1
    while 0 <= i < len(lines):
        text = _MATLAB_STRING.sub(" ", lines[i])
        text = re.split(r"[%#]", text, maxsplit=1)[0]
        cont = text.rstrip().endswith("...")
        out.append(text.rstrip()[:-3] if cont else text)
        if not cont:
            break
        i += 1
    return " ".join(out)


def _python_statement_names(lines: list[str], line: int, name: str) -> set[str] | None:
    """Names read by the Python statement(s) starting at ``line`` that assign ``name``."""
    source = "\n".join(lines)
    tree = _parsed(source)
    if tree is None:
        return None
    names: set[str] = set()
    found = False
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.For, ast.Expr)) and node.lineno == line:
            found = True
            for sub in ast.walk(node):
                if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load):
                    names.add(sub.id)
                elif isinstance(sub, (ast.Attribute, ast.Subscript)) and not isinstance(sub.ctx, ast.Del):
                    held = _held_name(sub)
                    if held is not None and (isinstance(sub.ctx, ast.Load) or isinstance(node, ast.AugAssign)):
                        names.add(held)
            if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
                names.add(node.target.id)
            for t in getattr(node, "targets", [getattr(node, "target", None)]):
                if isinstance(t, ast.Subscript):
                    base = t.value
                    while isinstance(base, ast.Subscript):
                        base = base.value
                    if isinstance(base, ast.Name):
                        names.add(base.id)
    return names if found else None


def _call_arguments(trace: Trace, step: Step) -> set[str]:
    """Names inside the parentheses of the call to ``step.function`` on a reference argument's line."""
    lines = list(trace.sources.get(step.file, ()))
    if not step.file.endswith(".m") or not lines:
        return set()
    text = _matlab_statement(lines, step.line)
    if text.lstrip().startswith("function"):
        return set()  # left at the helper's header: its callers are not known
    names: set[str] = set()
    for m in re.finditer(rf"\b{re.escape(step.function)}\s*\(", text):
        depth, k = 1, m.end()
        while k < len(text) and depth:
            depth += {"(": 1, ")": -1}.get(text[k], 0)
            k += 1
        names |= set(_MATLAB_IDENT.findall(text[m.end():k - 1]))
    return names


def _held_name(node: ast.AST) -> str | None:
    """How the port's trace names a value read as ``self.A1`` or ``cache['a1']`` / ``acts[0]``."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return f"{node.value.id}.{node.attr}"
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) \
            and isinstance(node.slice.value, (str, int)) and not isinstance(node.slice.value, bool):
        base = node.value.id if isinstance(node.value, ast.Name) else _held_name(node.value)
        if base is not None:
            return f"{base}[{node.slice.value!r}]"
    return None


_PARSED: dict[int, Any] = {}


def _parsed(source: str) -> Any:
    key = hash(source)
    if key not in _PARSED:
        try:
            _PARSED[key] = ast.parse(source)
        except (SyntaxError, ValueError):
            _PARSED[key] = None
    return _PARSED[key]


def _matlab_statements(text: str) -> list[str]:
    """A line's statements: split at ``;`` and ``,`` outside brackets (``[A(:); B(:)]`` is one).

    Strings were blanked by :func:`_matlab_statement`, so every bracket counts.
    """
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(0, depth - 1)
        elif ch in ";," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p for p in parts if p.strip()]


#: An assignment: ``=``, or Octave's ``+= -= *= /= ^=`` (which read their target too).
_ASSIGN = re.compile(r"(?<![=<>~!])([-+*/^]|\.[*/^])?=(?!=)")


def step_dependencies(trace: Trace, step: Step) -> set[str]:
    """Names the step's statement reads (its own name too when it updates itself).

    A parameter's value (``role`` set) is what the call passes: the reference's
    argument placed at its call reads the names inside that call's
    parentheses (``P = rowSoftmax(S)`` reads ``S``, so a reproduced argument
    shows the ``S`` before it was computed right); otherwise nothing.
    """
    if step.role:
        return _call_arguments(trace, step) if step.role == "argument" else set()
    lines = list(trace.sources.get(step.file, ()))
    if not lines:
        return set()
    if step.file.endswith(".m"):
        text = _matlab_statement(lines, step.line)
        # Of several statements on the line, the one that assigns this name.
        for part in _matlab_statements(text):
            m = _ASSIGN.search(part)
            if m and re.search(rf"\b{re.escape(step.name)}\b", part[:m.start()]):
                text = part
                break
        m = _ASSIGN.search(text)
        if m is None:
            return set(_MATLAB_IDENT.findall(text))
        head, body = text[:m.start()], text[m.end():]
        deps = set(_MATLAB_IDENT.findall(body))
        head_names = _MATLAB_IDENT.findall(head)
        # x(idx) = ... reads x and idx; x += ... reads x.
        if head_names and ("(" in head or m.group(1)):
            deps |= set(head_names)
        return deps
    names = _python_statement_names(lines, step.line, step.name)
    return names or set()


_PART = re.compile(r"^\s*([A-Za-z]\w*)\s*(?:\(\s*:\s*\))?\s*(?:\.?')?\s*$")


def concatenated_parts(trace: Trace, step: Step) -> list[str] | None:
    """The variables an unrolled output is stacked from: ``grad = [W1grad(:); b1grad(:)]`` → both names.

    None when the step's statement is not a bracket of plain variables (a
    part that is an expression has no line of its own to point at).
    """
    lines = list(trace.sources.get(step.file, ()))
    if not lines or not step.file.endswith(".m"):
        return None
    for part in _matlab_statements(_matlab_statement(lines, step.line)):
        m = _ASSIGN.search(part)
        if m is None or m.group(1) or not re.fullmatch(rf"\s*{re.escape(step.name)}\s*", part[:m.start()]):
            continue
        body = part[m.end():].strip()
        if not (body.startswith("[") and body.endswith("]")):
            return None
        names = []
        for piece in _matlab_statements(body[1:-1]):
            hit = _PART.match(piece)
            if hit is None:
                return None
            names.append(hit.group(1))
        return names or None
    return None


_HEADER = re.compile(r"^\s*function\s+(?:\[([^\]]*)\]|(\w+))\s*=\s*(\w+)")


def function_outputs(trace: Trace) -> dict[str, set[str]]:
    """Each ``.m`` function's declared outputs: ``function [J, grad] = f(...)`` → ``{"f": {"J", "grad"}}``."""
    out: dict[str, set[str]] = {}
    for path, lines in trace.sources.items():
        if not str(path).endswith(".m"):
            continue
        for line in lines:
            m = _HEADER.match(line)
            if m:
                names = m.group(1) if m.group(1) is not None else m.group(2)
                out.setdefault(m.group(3), set()).update(v for v in re.split(r"[\s,]+", names) if v and v != "~")
    return out


# ----------------------------------------------------------------------------
# values


def _array(value: Any) -> np.ndarray | Fingerprint | None:
    if value is None or isinstance(value, Fingerprint):
        return value
    try:
        a = np.asarray(value)
    except (TypeError, ValueError):
        return None
    if a.dtype.kind not in "biufc":
        return None
    return a.astype(np.complex128 if a.dtype.kind == "c" else np.float64)


def informative(value: Any) -> bool:
    """A value worth pairing by value: not a constant array, not a small integer count."""
    a = _array(value)
    if a is None:
        return False
    if isinstance(a, Fingerprint):
        return a.minimum != a.maximum
    if a.size == 0:
        return False
    if a.size == 1:
        x = complex(a.reshape(-1)[0])
        return x.imag != 0 or not float(x.real).is_integer()
    flat = a.reshape(-1)
    return bool(np.any(flat != flat[0]))


def _is_vector(a: np.ndarray) -> bool:
    return a.ndim <= 1 or (a.ndim == 2 and 1 in a.shape)


@dataclass(frozen=True)
class View:
    """One way to read the port's value in the reference's shape: what was done, and the two arrays."""

    how: str
    reference: np.ndarray
    port: np.ndarray
    #: For a per-example loop read against a vectorized value: the number of examples.
    passes: int = 0


def _plain_views(r: np.ndarray, p: np.ndarray, bias: bool) -> list[View]:
    """Same-shape readings of two plain arrays: the formulation differences a faithful port makes.

    ``bias`` allows reading one side without its first column (or row): a
    port that adds the bias unit later. It is weak evidence (``sigmoid(z)``
    equals ``[1, sigmoid(z)]`` without its bias column whatever the names),
    so it is offered only for steps of the same name.
    """
    out: list[View] = []
    if r.shape == p.shape:
        out.append(View("same", r, p))
        if r.ndim == 2 and r.shape[0] == r.shape[1] > 1:
            # Square: examples in columns with as many examples as units.
            out.append(View("transposed", r, p.T))
    elif r.size == p.size and _is_vector(r) and _is_vector(p):
        out.append(View("vector", r, p.reshape(r.shape)))
    elif r.ndim == 2 and p.ndim == 2 and p.T.shape == r.shape:
        out.append(View("transposed", r, p.T))
    elif r.size == p.size and _is_vector(p) and r.ndim >= 2:
        out.append(View("unrolled", r, p.reshape(r.shape, order="F")))
    elif r.size == p.size and _is_vector(r) and p.ndim >= 2:
        out.append(View("unrolled", r.reshape(p.shape, order="F"), p))
    if bias and r.ndim == 2 and p.ndim == 2:
        # A bias column (or row) on one side only: compare the rest.
        for pp, how in ((p, "bias"), (p.T, "bias, transposed")):
            if pp.shape == (r.shape[0], r.shape[1] - 1):
                out.append(View(how + " column", r[:, 1:], pp))
            elif pp.shape == (r.shape[0] - 1, r.shape[1]):
                out.append(View(how + " row", r[1:, :], pp))
            elif (pp.shape[0], pp.shape[1] - 1) == r.shape:
                out.append(View(how + " column", r, pp[:, 1:]))
            elif (pp.shape[0] - 1, pp.shape[1]) == r.shape:
                out.append(View(how + " row", r, pp[1:, :]))
    return out


def views(ref: Step, port: Step) -> list[View]:
    """Every reading of the two steps' values as equally shaped arrays (empty when none fits).

    Besides the plain readings, a step that ran once per example in a loop on
    one side is read against the rows (or columns) of the other side's
    vectorized value: its first pass against the first row, its last pass
    against the last.
    """
    r, p = _array(ref.value), _array(port.value)
    if r is None or p is None or isinstance(r, Fingerprint) or isinstance(p, Fingerprint):
        return []
    out = _plain_views(r, p, normalise_name(ref.name) == normalise_name(port.name))
    for loop, whole, flip in ((port, r, False), (ref, p, True)):
        if loop.passes <= 1 or (ref.passes > 1 and port.passes > 1):
            continue
        first, last = _array(loop.first), _array(loop.value)
        if not isinstance(first, np.ndarray) or not isinstance(last, np.ndarray) or whole.ndim != 2:
            continue
        for axis in (0, 1):
            if whole.shape[axis] != loop.passes or whole.shape[1 - axis] != last.size:
                continue
            pair_whole = np.stack([np.take(whole, 0, axis=axis), np.take(whole, -1, axis=axis)])
            pair_loop = np.stack([first.reshape(-1), last.reshape(-1)])
            how = "loop over " + ("rows" if axis == 0 else "columns")
            out.append(View(how, pair_loop, pair_whole, loop.passes) if flip
                       else View(how, pair_whole, pair_loop, loop.passes))
    return out


def _fingerprints_agree(r: Any, p: Any, rtol: float) -> bool:
    fr = r if isinstance(r, Fingerprint) else fingerprint(np.asarray(r))
    fp = p if isinstance(p, Fingerprint) else fingerprint(np.asarray(p))
    if int(np.prod(fr.shape)) != int(np.prod(fp.shape)):
        return False
    scale = max(fr.total_abs, fp.total_abs, 1e-300)
    tol = max(rtol, 1e-9) * 10
    return (abs(fr.total - fp.total) <= tol * scale and abs(fr.total_abs - fp.total_abs) <= tol * scale
            and abs(fr.total_sq - fp.total_sq) <= tol * max(fr.total_sq, fp.total_sq, 1e-300)
            and abs(fr.minimum - fp.minimum) <= tol * max(abs(fr.minimum), 1.0)
            and abs(fr.maximum - fp.maximum) <= tol * max(abs(fr.maximum), 1.0))


def agrees(ref: Step, port: Step, rtol: float, atol: float) -> str | None:
    """How the two steps hold the same value (``"same"``, ``"transposed"``, ...), or None.

    A line that ran a different number of times on the two sides (a helper
    the port calls once more, a branch taken only for ``nargout > 1``) is
    also compared by its first value.
    """
    how = _agrees(ref, port, rtol, atol)
    if how is not None or (ref.passes == 1 and port.passes == 1):
        return how
    if ref.passes != port.passes:
        for r2, p2 in ((ref, _first(port)), (_first(ref), port), (_first(ref), _first(port))):
            if r2 is not None and p2 is not None and (r2 is not ref or p2 is not port):
                how = _agrees(r2, p2, rtol, atol)
                if how is not None:
                    return how + ", first pass"
    return None


def _first(step: Step) -> Step | None:
    if step.passes <= 1 or step.first is None:
        return step if step.passes <= 1 else None
    return Step(side=step.side, file=step.file, line=step.line, order=step.order, name=step.name,
                function=step.function, value=step.first)


def _agrees(ref: Step, port: Step, rtol: float, atol: float) -> str | None:
    r, p = _array(ref.value), _array(port.value)
    if r is None or p is None:
        return None
    if isinstance(r, Fingerprint) or isinstance(p, Fingerprint):
        return "fingerprint" if _fingerprints_agree(r, p, rtol) else None
    for v in views(ref, port):
        if v.reference.size and bool(np.all(close_mask(v.reference, v.port, rtol, atol * magnitude(v.reference)))):
            return v.how
        # One example's share, with the 1/m the vectorized side applies early
        # applied by the loop after summing (or the other way round).
        for k in ((v.passes, 1.0 / v.passes) if v.passes > 1 else ()):
            scaled = v.reference * k
            if v.reference.size and bool(np.all(close_mask(scaled, v.port, rtol, atol * magnitude(scaled)))):
                return f"{v.how}, 1/{v.passes} applied {'after the loop' if k > 1 else 'in the loop'}"
        # Indices: a faithful port holds them 0-based where MATLAB's are 1-based.
        if (v.reference.size > 1 and not np.iscomplexobj(v.reference) and np.all(np.isfinite(v.reference))
                and np.all(v.reference >= 1) and np.all(np.mod(v.reference, 1) == 0)
                and np.array_equal(v.port + 1, v.reference)):
            return v.how + ", 0-based indices"
    return None


def magnitude(a: np.ndarray) -> float:
    """The largest finite magnitude of ``a``, at least 1: the scale absolute tolerances are taken at.

    Infinities are left out: an Inf in the reference must not make every value "close".
    """
    finite = np.abs(a[np.isfinite(a)]) if a.size else a
    return max(float(np.max(finite)) if finite.size else 0.0, 1.0)


# ----------------------------------------------------------------------------
# alignment


@dataclass
class Match:
    """A reference step and its counterpart in the port.

    ``how`` says how the values were paired (``"same"``, ``"transposed"``,
    ``"loop over rows"``, ...) when they agree, or how the counterpart was
    found (``"name"``, ``"dataflow"``) when they do not.
    """

    reference: Step
    port: Step | None
    how: str
    agrees: bool
    #: Another port step that may be the counterpart (dataflow read directly, or through the
    #: port's own intermediates): taken when its diagnosis names a mistake and ``port``'s does not.
    alternative: Step | None = None


@dataclass
class Alignment:
    """Every reference step paired (or not), and the divergence when there is one."""

    matches: list[Match] = field(default_factory=list)
    divergence: Match | None = None
    unseen_inputs: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: Every divergent reference step (index, match), in order; the first is ``divergence``.
    divergences: list[tuple[int, Match]] = field(default_factory=list)
    #: For each reference step, the indices of the steps it is computed from.
    ancestors: list[set[int]] = field(default_factory=list)
    #: Pairs before the divergence that may hide it (a wrong reassignment, an error a later value
    #: does not show): reported only when the diagnosis names a mistake.
    suspects: list[tuple[int, Match]] = field(default_factory=list)
    #: The divergent line's one input the port has no counterpart of, paired with the one variable
    #: the port's line reads that reproduces nothing (see _by_elimination): a candidate taken,
    #: like a suspect, only when the diagnosis names a mistake.
    eliminated: tuple[int, Match] | None = None

    def divergence_of(self, name: str) -> Match | None:
        """The first divergence on the way to the reference variable ``name`` (an output), if any."""
        steps = [k for k, m in enumerate(self.matches) if m.reference.name == name]
        if not steps:
            return None
        k = steps[-1]
        for i, d in self.divergences:
            if i == k or i in self.ancestors[k]:
                return d
        return None


def align(reference: Trace, port: Trace, rtol: float = 1e-7, atol: float = 1e-10) -> Alignment:
    """Pair the steps of two traces and find the first divergence (see the module docstring)."""
    rtol = max(rtol, 1e-9)
    ref_steps = list(reference.steps)
    # What helpers returned only tells where a caller's value was computed (_into_helper).
    port_steps = [p for p in port.steps if p.role != "return"]
    returns = [p for p in port.steps if p.role == "return"]
    by_name: dict[str, list[Step]] = {}
    for p in port_steps:
        by_name.setdefault(normalise_name(p.name), []).append(p)

    matches: list[Match] = []
    matched_port: dict[int, Step] = {}  # id(port step) -> reference step it reproduces
    reproduced: set[int] = set()       # indices of reproduced reference steps
    for i, r in enumerate(ref_steps):
        same_name = [p for p in by_name.get(normalise_name(r.name), []) if _may_hold(r, p)]
        pool = same_name + [p for p in port_steps if p not in same_name and _may_hold(r, p)] \
            if informative(r.value) else same_name
        hit = None
        for p in pool:
            if p.role == "argument" and id(p) in matched_port and matched_port[id(p)].role == "argument" \
                    and matched_port[id(p)].function != r.function:
                continue  # that call's argument is another helper's (the same array handed to sigmoid)
            how = agrees(r, p, rtol, atol)
            if how is not None:
                hit = (p, how)
                break
        if hit is not None and hit[0] not in same_name:
            # The port has a variable of this name, in another function than
            # the value found (a helper's argument, say): the user's own
            # variable is what they would compare, and it differs.
            named = [p for p in same_name if p.function != hit[0].function and _comparable(r, p)]
            if named:
                hit = None
        if hit is not None:
            matches.append(Match(r, hit[0], hit[1], True))
            matched_port.setdefault(id(hit[0]), r)
            reproduced.add(i)
        else:
            matches.append(Match(r, None, "", False))

    ref_deps = [step_dependencies(reference, r) for r in ref_steps]
    strict_ref_names = {_strict(r.name) for r in ref_steps}
    # Later reference steps that read each step's name: if one is reproduced,
    # the port computed this value too, inside another expression.
    outputs = function_outputs(reference)
    explained = _explained_downstream(ref_steps, ref_deps, reproduced, outputs)
    divergences: list[tuple[int, Match]] = []
    unseen: list[str] = []
    eliminated: tuple[int, Match] | None = None
    for i, r in enumerate(ref_steps):
        # Parameters are never the divergence themselves: inputs are given,
        # and a helper's argument is named only through the helper's line
        # that goes wrong with it (see _at_call_site).
        if i in reproduced or not informative(r.value) or explained[i] or r.role:
            continue
        counterpart = _counterpart(r, ref_deps[i], matches[:i], port, port_steps, by_name, matched_port,
                                   strict_ref_names, ref_steps, rtol, atol)
        if counterpart is None:
            continue
        d = _at_call_site(Match(r, counterpart[0], counterpart[1], False,
                                alternative=counterpart[2] if len(counterpart) > 2 else None),
                          ref_deps[i], reference, ref_steps, port, port_steps, rtol, atol)
        d = _into_helper(d, returns, ref_steps, port_steps, rtol, atol)
        matches[i] = d
        if not divergences:
            earlier = {s.name for k, s in enumerate(ref_steps[:i]) if k in reproduced}
            unseen = sorted(x for x in ref_deps[i] if x != r.name
                            and any(s.name == x and s.role != "input" for s in ref_steps[:i])
                            and x not in earlier)
            # The one input the port has no counterpart of may be the one
            # variable the port's line reads that reproduces nothing.
            eliminated = _by_elimination(unseen, d, ref_steps[:i], port, port_steps, matched_port, rtol, atol)
        divergences.append((i, d))
    divergences = _first_pass_first(divergences, rtol, atol)
    # A helper's output is right where its callers read it right; its last
    # value (the last of several calls) proves nothing about one port variable.
    entry = next((s.function for s in ref_steps if s.role == "input"), None)
    returned = [r.function != entry and r.name in outputs.get(r.function, ()) for r in ref_steps]
    suspects = _suspects(ref_steps, port, port_steps, matches, reproduced,
                         [e and not h for e, h in zip(explained, returned)], matched_port, rtol, atol)
    first = divergences[0][0] if divergences else len(ref_steps)
    return Alignment(matches=matches, divergence=divergences[0][1] if divergences else None, unseen_inputs=unseen,
                     divergences=divergences, ancestors=_ancestors(ref_steps, ref_deps),
                     suspects=[(i, m) for i, m in suspects if i < first], eliminated=eliminated)


def _by_elimination(unseen: list[str], d: Match, before: list[Step], port: Trace, port_steps: list[Step],
                    matched_port: dict[int, Step], rtol: float, atol: float) -> tuple[int, Match] | None:
    """Pair the divergent line's one unseen input with the one port variable its line reads that matches nothing.

    ``grad = [X_grad(:); Theta_grad(:)]`` against ``np.r_[Xg.ravel(), Tg.ravel()]``:
    Theta_grad is reproduced by Tg, nothing reproduces X_grad, and nothing in
    the reference is reproduced by Xg, so Xg stands for X_grad whatever its
    name — or Xg is a different quantity, and the line's mistake is reading
    it: the pair is a candidate, kept when its diagnosis names a mistake.
    Returns ``(index of the reference step, the match)``, or None when the
    line leaves more than one candidate on either side.
    """
    p = d.port
    if len(unseen) != 1 or p is None:
        return None
    refs = [k for k, s in enumerate(before) if s.name == unseen[0] and not s.role]
    if not refs:
        return None
    read, function = step_dependencies(port, p), p.function
    if p.function == "<return>":
        # A value computed in the return statement: what that statement reads,
        # in the function that returned (the last one to run a line in that file).
        read = _returned_reads(list(port.sources.get(p.file, ())), p.line)
        function = next((q.function for q in sorted(port_steps, key=lambda q: -q.order)
                         if q.file == p.file and q.order < p.order and not q.role), "")
    free = []
    for name in read - {p.name}:
        last = [q for q in port_steps if q.name == name and q.function == function and q.order < p.order
                and not q.role]
        if not last or any(id(q) in matched_port for q in last):
            continue
        # A value the reference has (an input, re-read as a float array) is not free, whatever the bookkeeping.
        if any(_comparable(s, last[-1]) and agrees(s, last[-1], rtol, atol) for s in before):
            continue
        free.append(last[-1])
    if len(free) != 1:
        return None
    r, q = before[refs[-1]], free[0]
    if not informative(q.value) or not _comparable(r, q):
        return None
    return refs[-1], Match(r, q, "elimination", False)


def _returned_reads(lines: list[str], line: int) -> set[str]:
    """Names a ``return`` statement starting at ``line`` reads."""
    tree = _parsed("\n".join(lines))
    if tree is None:
        return set()
    return {sub.id for node in ast.walk(tree) if isinstance(node, ast.Return) and node.lineno == line
            for sub in ast.walk(node) if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load)}


def _first_pass_first(divergences: list[tuple[int, Match]], rtol: float, atol: float) -> list[tuple[int, Match]]:
    """In a loop, the divergence that is already wrong in the first pass comes first.

    Steps are ordered by their first execution, so in ``h = X*theta; theta = theta - ...``
    the loop's ``h`` precedes ``theta``; when the update is wrong, ``h`` agrees in the
    first pass and goes wrong in the second, because of ``theta``. A loop step whose
    first pass agrees is moved behind one of the same loop whose first pass already differs.
    """
    def wrong_at_first(d: Match) -> bool | None:
        if d.port is None or d.reference.passes <= 1 or d.port.passes <= 1:
            return None
        r, p = _first(d.reference), _first(d.port)
        return None if r is None or p is None else _agrees(r, p, rtol, atol) is None

    if len(divergences) < 2 or wrong_at_first(divergences[0][1]) is not False:
        return divergences
    lead = divergences[0][1].reference
    for k, (_, d) in enumerate(divergences[1:], start=1):
        if d.reference.function == lead.function and wrong_at_first(d) is True:
            return [divergences[k]] + divergences[:k] + divergences[k + 1:]
    return divergences


def _suspects(ref_steps: list[Step], port: Trace, port_steps: list[Step], matches: list[Match],
              reproduced: set[int],
              explained: list[bool], matched_port: dict[int, Step], rtol: float,
              atol: float) -> list[tuple[int, Match]]:
    """Pairs that may hide the divergence, to be kept only if the diagnosis names a mistake.

    Two shapes of mistake escape the plain rule: a port variable whose first
    value is right but which the port then reassigns wrongly (``h =
    sigmoid(h)``), and a same-named variable whose error a later value does not
    show (``r = y - X @ theta`` while ``J = r' * r`` stays right).
    """
    out: list[tuple[int, Match]] = []
    for i, r in enumerate(ref_steps):
        m = matches[i]
        if r.role:
            continue  # a parameter is passed, not reassigned: each call's arguments are their own
        if i in reproduced and m.port is not None:
            if explained[i] or any(s.name == r.name for s in ref_steps[i + 1:]):
                # What the reference computes from r is reproduced (the port reused
                # the name for the next quantity), or the reference reassigns too.
                continue
            later = [p for p in port_steps if p.name == m.port.name and p.function == m.port.function
                     and p.order > m.port.order and id(p) not in matched_port]
            if later and _comparable(r, later[-1]) and agrees(r, later[-1], rtol, atol) is None:
                out.append((i, Match(r, later[-1], "reassigned", False)))
        elif explained[i] and informative(r.value):
            same = [p for p in port_steps if _strict(p.name) == _strict(r.name) and id(p) not in matched_port
                    and _stands_for(r, p) and _comparable(r, p)
                    and not _readers_reproduced(p, port, port_steps, matched_port)]
            if same:
                out.append((i, Match(r, same[-1], "name", False)))
    return out


def _readers_reproduced(p: Step, port: Trace, port_steps: list[Step], matched_port: dict[int, Step]) -> bool:
    """Whether every port step computed from ``p`` reproduces a reference step.

    Then ``p`` holds another quantity under a borrowed name (probabilities
    called ``logp``) and the port is right wherever it uses it: no mistake
    hides there. A step nothing reads proves nothing either way.
    """
    readers = []
    for q in port_steps:
        if q.order <= p.order or q.function != p.function:
            continue
        if p.name in step_dependencies(port, q):
            readers.append(q)
        if q.name == p.name and q.line != p.line:
            break
    return bool(readers) and all(id(q) in matched_port for q in readers)


def _ancestors(steps: list[Step], deps: list[set[str]]) -> list[set[int]]:
    """For each step, the indices of the steps its value is computed from (transitively)."""
    out: list[set[int]] = []
    last: dict[str, int] = {}
    for j, s in enumerate(steps):
        anc: set[int] = set()
        for d in deps[j]:
            i = last.get(d)
            if i is not None:
                anc.add(i)
                anc |= out[i]
        out.append(anc)
        last[s.name] = j
    return out


def _explained_downstream(steps: list[Step], deps: list[set[str]], reproduced: set[int],
                          outputs: dict[str, set[str]] | None = None) -> list[bool]:
    """Whether some value computed from each step (directly or further down) is reproduced by the port.

    Then the port computed the step's value too, only inside another
    expression (``exp(z - max(z))`` for the reference's ``shifted``), and it is
    no divergence. A step's readers are the later steps that read its name, up
    to the next step that assigns the name again; a helper's output variable
    (``g`` of ``function g = sigmoidGradient(z)``) is read by every later
    statement elsewhere that calls the helper (``outputs``: each function's
    declared outputs).
    """
    n = len(steps)
    readers: list[list[int]] = [[] for _ in range(n)]
    for i, s in enumerate(steps):
        returned = outputs is not None and s.name in outputs.get(s.function, ()) and not s.role
        for j in range(i + 1, n):
            # Names are a function's own; a helper's argument reads the caller's names in its call.
            if s.name in deps[j] and (steps[j].function == s.function or steps[j].role == "argument"):
                readers[i].append(j)
            elif returned and steps[j].function != s.function and s.function in deps[j]:
                readers[i].append(j)
            if steps[j].name == s.name and steps[j].function == s.function:
                break
    explained = [False] * n
    for i in range(n - 1, -1, -1):
        explained[i] = any(j in reproduced or explained[j] for j in readers[i])
    return explained


def _at_call_site(d: Match, deps: set[str], reference: Trace, ref_steps: list[Step], port: Trace,
                  port_steps: list[Step], rtol: float, atol: float) -> Match:
    """The divergence moved to the call that handed a helper a wrong argument, if that is what happened.

    When the divergent statement sits in a helper and reads the helper's
    parameter, and the value the port's call passed differs from what the
    reference's call passed, the helper's line is right and the call's line
    is wrong (``sigmoid_gradient(a2)`` for ``sigmoidGradient(z2)``): the pair
    of arguments, both at their call's line, is the divergence.
    """
    r, p = d.reference, d.port
    if p is None or r.role or p.role:
        return d
    # What the line reads, followed back through the helper's own statements
    # (`s = sigmoid(z); g = s .* (1 - s)`: g's line reads z through s).
    deps = _within(r, deps, ref_steps, lambda q: step_dependencies(reference, q))
    pdeps = _within(p, step_dependencies(port, p), port_steps, lambda q: step_dependencies(port, q))
    ref_args = [s for s in ref_steps if s.role == "argument" and s.function == r.function and s.name in deps
                and s.order < r.order]
    port_args = [q for q in port_steps if q.role == "argument" and q.function == p.function and q.name in pdeps
                 and q.order < p.order]
    if not ref_args or not port_args:
        return d
    # The call that led to each side's line: its latest arguments.
    last_ref = max(s.order for s in ref_args)
    last_port = max(q.order for q in port_args)
    for ra in (s for s in ref_args if s.order == last_ref or s.passes == 1):
        for pa in sorted((q for q in port_args if q.line == _line_of(port_args, last_port)),
                         key=lambda q: (normalise_name(q.name) != normalise_name(ra.name), q.order)):
            if _comparable(ra, pa) and agrees(ra, pa, rtol, atol) is None:
                return Match(ra, pa, "argument", False)
    return d


def _into_helper(d: Match, returns: list[Step], ref_steps: list[Step], port_steps: list[Step], rtol: float,
                 atol: float) -> Match:
    """The divergence moved into the port's helper that computed the caller's wrong value, when one did.

    ``d3 = self.delta_out(err, a3)``: the caller's line only names what the
    helper returned. When a helper's return value is exactly the port step's
    value, was returned by the one call on that step's statement, and every
    array the call passed reproduces a reference value, the helper computed the
    wrong value from right inputs: its last statement holding that value (or
    its ``return`` line, where the value is computed in the return statement)
    is the divergence.
    """
    p = d.port
    if p is None or p.role or not isinstance(p.value, np.ndarray):
        return d
    for q in sorted(returns, key=lambda q: q.order, reverse=True):
        if q.order > p.order or q.function == p.function or not isinstance(q.value, np.ndarray) \
                or q.value.shape != p.value.shape or not np.array_equal(q.value, p.value):
            continue
        passed = [a for a in port_steps if a.role == "argument" and a.function == q.function and a.file == p.file
                  and a.line == p.line and a.order < q.order]
        if not passed or any(a.passes != p.passes for a in passed):
            # Not called from this statement (or nothing to check), or called more than
            # once per run of it (`sigmoid(sigmoid(z))`): the composition is the statement's.
            return d
        if not all(any(_comparable(r, a) and agrees(r, a, rtol, atol) for r in ref_steps) for a in passed):
            return d  # a wrong argument: the call's business (_at_call_site)
        inside = [s for s in port_steps if s.function == q.function and s.order < q.order and not s.role
                  and isinstance(s.value, np.ndarray) and s.value.shape == q.value.shape
                  and np.array_equal(s.value, q.value)]
        return Match(d.reference, max(inside, key=lambda s: s.order) if inside else q, d.how, False)
    return d


def _within(step: Step, deps: set[str], steps: list[Step], read: Any) -> set[str]:
    """``deps`` and, transitively, what the earlier statements of the step's function that assign them read."""
    names = set(deps)
    for q in sorted((q for q in steps if q.function == step.function and q.order < step.order and not q.role),
                    key=lambda q: q.order, reverse=True):
        if q.name in names:
            names |= read(q)
    return names


def _line_of(steps: list[Step], order: int) -> int:
    return next(s.line for s in steps if s.order == order)


def _may_hold(r: Step, p: Step) -> bool:
    """Whether the port step may reproduce ``r``: a value passed to a helper reproduces only a value passed.

    An argument is often an expression's intermediate (``sigmoid(sigmoid(X @
    theta))`` passes the right ``h`` to the second call); taken as the
    reference's variable it would hide the line that goes on to compute
    something else.
    """
    return p.role != "argument" or r.role == "argument"


def _stands_for(r: Step, p: Step) -> bool:
    """Whether the port step may be ``r``'s counterpart: arguments answer arguments, the rest the rest."""
    return (p.role == "argument") == (r.role == "argument")


def _strict(name: str) -> str:
    """A name with underscores dropped but case kept: ``Theta1_grad`` = ``Theta1grad`` ≠ ``theta1grad``."""
    return bare_name(name).replace("_", "")


def _in_turn(r: Step, candidates: list[Step], ref_steps: list[Step], rtol: float, atol: float) -> Step:
    """Of several same-named port steps, the one in r's turn.

    When both sides assign the name equally often, the k-th assignment
    answers the k-th; otherwise the variable's statements are taken together
    and the one that wrote the wrong elements is chosen (:func:`_blame`).
    """
    mine = [s for s in ref_steps if normalise_name(s.name) == normalise_name(r.name)]
    if len(mine) == len(candidates):
        return candidates[mine.index(r)]
    last = max(candidates, key=lambda p: p.order)
    chain = sorted((p for p in candidates if p.name == last.name and p.function == last.function),
                   key=lambda p: p.order)
    return _blame(r, chain, rtol, atol)


def _orient_like(how: str, shape: tuple[int, ...], a: np.ndarray) -> np.ndarray | None:
    """``a`` read in the reference's shape the way a plain view of :func:`views` reads it."""
    try:
        if how == "same":
            return a if a.shape == shape else None
        if how == "transposed":
            return a.T if a.ndim == 2 and a.T.shape == shape else None
        if how == "vector":
            return a.reshape(shape)
        if how == "unrolled":
            return a.reshape(shape, order="F")
    except ValueError:
        return None
    return None


def _blame(r: Step, chain: list[Step], rtol: float, atol: float) -> Step:
    """Of the statements that build one port variable in turn, the one whose elements are wrong.

    A port builds a value in steps where the reference may use one line
    (``g = X.T @ h / m`` then ``g[1:] += ...``). Each element of the final
    value was last written by one of the steps. A step that turns elements
    that agreed with the reference into ones that differ is the mistake (a
    mask the wrong way round); otherwise it is the earliest step that last
    wrote an element that differs: a later update that does not touch it
    cannot be the cause.
    When the steps cannot be compared element by element (loops, shapes that
    change), the last step stands: it is what the rest of the port reads.
    """
    last = chain[-1]
    if len(chain) < 2 or any(q.passes > 1 for q in chain):
        return last
    by_terms = _blame_by_terms(r, chain, rtol, atol)
    if by_terms is not None:
        return by_terms
    plain = [v for v in views(r, last) if v.how in ("same", "transposed", "vector", "unrolled")]
    final = _array(last.value)
    if not plain or not isinstance(final, np.ndarray):
        return last
    R = plain[0].reference
    arrays = []
    for q in chain:
        a = _array(q.value)
        o = _orient_like(plain[0].how, R.shape, a) if isinstance(a, np.ndarray) and a.shape == final.shape else None
        if o is None:
            return last
        arrays.append(o)
    tol = atol * magnitude(R)
    right = [close_mask(R, a, rtol, tol) for a in arrays]
    wrong = ~right[-1]
    if not wrong.any():
        return last
    # A step that turns right elements wrong for good is the mistake
    # (``d[z > 0] = 0`` for ``d[z <= 0] = 0`` zeroes what was right).
    for j in range(1, len(arrays)):
        if np.any(right[j - 1] & ~right[j] & wrong):
            return chain[j]
    writer = np.zeros(R.shape, dtype=int)
    for j in range(1, len(arrays)):
        before, after = arrays[j - 1], arrays[j]
        writer[~((before == after) | (np.isnan(before) & np.isnan(after)))] = j
    return chain[int(writer[wrong].min())]


def _blame_by_terms(r: Step, chain: list[Step], rtol: float, atol: float) -> Step | None:
    """For a number the reference sums in one statement, the one port statement whose share is none of its terms.

    The port builds it in turn (``J = data``, then ``J += reg``); each
    statement adds a share (its value less the one before). A share that
    equals a sum of some of the reference's terms is right; when exactly one
    statement's share is not, that statement is the mistake. Anything else
    (two unexplained shares, a statement that rescales) decides nothing.
    """
    terms = [t for t in r.terms if np.isfinite(t)]
    if len(terms) < 2 or len(terms) > 6:
        return None
    values = []
    for q in chain:
        v = _array(q.value)
        if not isinstance(v, np.ndarray) or v.size != 1 or np.iscomplexobj(v):
            return None
        values.append(float(v.reshape(-1)[0]))
    sums = [sum(t for k, t in enumerate(terms) if mask >> k & 1) for mask in range(1, 1 << len(terms))]
    scale = max([abs(t) for t in terms] + [abs(v) for v in values] + [1.0])

    def is_sum(x: float) -> bool:
        return any(abs(x - s) <= rtol * max(abs(s), abs(x)) + atol * scale for s in sums)

    shares = [values[0]] + [b - a for a, b in zip(values, values[1:])]
    unexplained = [q for q, share in zip(chain, shares) if not is_sum(share)]
    return unexplained[0] if len(unexplained) == 1 else None


def _counterpart(r: Step, deps: set[str], before_matches: list[Match], port: Trace, port_steps: list[Step],
                 by_name: dict[str, list[Step]], matched_port: dict[int, Step], strict_ref_names: set[str],
                 ref_steps: list[Step], rtol: float, atol: float) -> tuple | None:
    """The port step that should have reproduced ``r``: by name, else by the inputs it consumes.

    ``(step, how)``, or ``(step, how, alternative)`` when reading through the
    port's own intermediates finds another candidate (see :class:`Match`).
    """
    # A same-named step that already reproduces an earlier step of this name
    # is not this one's counterpart: the port computed the later value
    # elsewhere (in its return statement, say).
    key = normalise_name(r.name)
    same = [p for p in by_name.get(key, []) if _comparable(r, p) and _stands_for(r, p)
            and not (id(p) in matched_port and normalise_name(matched_port[id(p)].name) == key)]
    # Case is forgiven only when it does not decide: the course's accumulators
    # D1, D2 are not its deltas d1, d2.
    exact = [p for p in same if _strict(p.name) == _strict(r.name)]
    same = exact or [p for p in same if _strict(p.name) not in strict_ref_names]
    if same:
        return _in_turn(r, same, ref_steps, rtol, atol), "name"
    # Dataflow: port names that reproduce the reference's array inputs of r.
    # A shared number (the example count m) is no evidence: half the lines
    # of a cost function read it.
    # Names are a function's own: each wanted name with the function it lives in
    # (a helper's parameter is a name inside that helper only).
    wanted: set[tuple[str, str]] = set()
    after = 0
    for m in before_matches:
        if m.agrees and m.port is not None and m.reference.name in deps and _size(m.reference.value) > 1:
            if m.reference.role == "argument" and m.port.role != "argument":
                # The reference passes it to a helper the port does not
                # have (it inlined it): no port statement reads it by a name.
                continue
            wanted.add((m.port.name, m.port.function))
            after = max(after, m.port.order)
    if not wanted:
        return None
    # The same value under another function's name is wanted there too: handed
    # to a helper of the port's own (`softmax(scores, axis=0)` reads it as the
    # parameter S) or returned from one (`a1, d2 = forward(...)` in the caller).
    held = [m.port for m in before_matches if m.agrees and m.port is not None
            and (m.port.name, m.port.function) in wanted and isinstance(m.port.value, np.ndarray)]
    for q in port_steps:
        if (q.name, q.function) in wanted or not isinstance(q.value, np.ndarray) or not informative(q.value):
            continue
        if any(q.function != h.function and q.order > h.order and h.value.shape == q.value.shape
               and np.array_equal(h.value, q.value) for h in held):
            wanted.add((q.name, q.function))
    # A helper computing from a wanted value hands its result back where it is
    # called: a caller's statement that calls it reads that value
    # (`P = np.exp(probs(S))` reads what probs computed from S).
    # Only for a reference value of the traced function itself: a reference
    # helper's own lines have their counterparts in the port's helper.
    inside = {f for _, f in wanted}
    calls: dict[tuple[str, int], set[str]] = {}
    entry = next((s.function for s in ref_steps if s.role == "input"), None)
    for a in port_steps if r.function == entry else ():
        if a.role == "argument" and a.function in inside:
            calls.setdefault((a.file, a.line), set()).add(f"{a.function}()")
    # Two readings of "reads the same inputs": what the statement itself
    # reads, and that plus what the port's own unmatched intermediates it
    # reads were computed from (`dz = dh * mask` reads dh's inputs). The
    # first is the counterpart, the second an alternative (see Match).
    best, best_score = None, (0.0, False, False)
    wide, wide_score = None, (0.0, False, False)
    for p in port_steps:
        # Dataflow: the counterpart comes after the port computed r's inputs.
        if p.order <= after or id(p) in matched_port or not _comparable(r, p) or not _stands_for(r, p):
            continue
        # A step named like another reference variable is that variable's
        # counterpart; one that holds a value already reproduced is no
        # candidate either (the same value recorded again in a caller).
        # (A value equal to one of r's own inputs stays a candidate: a port
        # that forgot r's function holds exactly that value.)
        if _strict(p.name) in strict_ref_names or any(
                agrees(m.reference, p, rtol, atol) for m in before_matches
                if m.agrees and m.reference.name not in deps):
            continue
        called = {c for c in calls.get((p.file, p.line), ()) if c[:-2] != p.function}
        # Attributes of self are the object's, shared by its methods.
        names = {n for n, f in wanted if f == p.function or n.startswith("self.")} | called
        if not names:
            continue
        shape_ok, varies = np.shape(p.value) == np.shape(r.value), informative(p.value)
        direct = step_dependencies(port, p) | called
        best, best_score = _better(p, (len(names & direct) / len(names), shape_ok, varies), best, best_score)
        through = _reads_through(p, port, port_steps, matched_port) | called
        wide, wide_score = _better(p, (len(names & through) / len(names), shape_ok, varies), wide, wide_score)
    if best is not None and best_score[0] >= 0.5:
        primary = _effective(r, best, port_steps, matched_port, rtol, atol)
        other = _effective(r, wide, port_steps, matched_port, rtol, atol) \
            if wide is not None and wide is not best and wide_score[0] >= 0.5 else None
        return primary, "dataflow", other
    if wide is not None and wide_score[0] >= 0.5:
        return _effective(r, wide, port_steps, matched_port, rtol, atol), "dataflow"
    return None


def _better(p: Step, score: tuple, best: Step | None, best_score: tuple) -> tuple[Step | None, tuple]:
    """The better of two dataflow candidates (ties: of one variable built in turn, the later statement)."""
    # Of a variable built in several statements (zeros, then filled in),
    # the last one holds the value the rest of the port reads.
    if best is not None and p.name == best.name and score[0] >= best_score[0] and score[1:] == best_score[1:]:
        return p, score
    if score > best_score:
        return p, score
    return best, best_score


def _reads_through(p: Step, port: Trace, port_steps: list[Step], matched_port: dict[int, Step],
                   depth: int = 3) -> set[str]:
    """What ``p``'s statement reads, and what the port's own intermediates it reads were computed from.

    A port may take two statements where the reference takes one
    (``dh = ds @ W2.T`` then ``dz = dh * mask``): ``dh`` matches nothing of
    the reference, so what it read counts as read by ``dz``. A reproduced
    value stops the walk (it is the reference's own input).
    """
    names = step_dependencies(port, p)
    # Its own name is the variable being built (`g[:, 1:] += ...`), not an intermediate it reads.
    frontier = set(names) - {p.name}
    for _ in range(depth):
        more: set[str] = set()
        for n in frontier:
            q = max((q for q in port_steps if q.name == n and q.function == p.function and q.order < p.order
                     and not q.role), key=lambda q: q.order, default=None)
            if q is not None and id(q) not in matched_port:
                more |= step_dependencies(port, q) - names
        if not more:
            break
        names |= more
        frontier = more
    return names


def _effective(r: Step, p: Step, port_steps: list[Step], matched_port: dict[int, Step], rtol: float,
               atol: float) -> Step:
    """Of the statements that build ``p``'s variable (``d = ...`` then ``d[z <= 0] = 0``), the one to blame.

    The chain ends where the port goes on to something the reference has
    (the next reproduced step); within it :func:`_blame` picks the statement
    that wrote the wrong elements.
    """
    bound = min((q.order for q in port_steps if id(q) in matched_port and q.order > p.order), default=None)
    chain = sorted((q for q in port_steps if q.name == p.name and q.function == p.function and q.order >= p.order
                    and (bound is None or q.order < bound)), key=lambda q: q.order)
    return _blame(r, chain, rtol, atol) if chain else p


def _size(value: Any) -> int:
    if isinstance(value, Fingerprint):
        return int(np.prod(value.shape))
    return int(np.size(value)) if value is not None else 0


def _comparable(r: Step, p: Step) -> bool:
    """The two values could be the same quantity: some reading puts them in one shape."""
    rv, pv = _array(r.value), _array(p.value)
    if rv is None or pv is None:
        return False
    if isinstance(rv, Fingerprint) or isinstance(pv, Fingerprint):
        rs = rv.shape if isinstance(rv, Fingerprint) else rv.shape
        ps = pv.shape if isinstance(pv, Fingerprint) else pv.shape
        return int(np.prod(rs)) == int(np.prod(ps))
    return bool(views(r, p)) or (p.passes > 1 and p.total is not None and np.size(p.total) == rv.size)
