"""Turn the divergence of two aligned traces into findings with both lines.

The divergent pair goes through the same diagnosis as compare's outputs:
first the families for mistakes inside a computation
(:mod:`portcheck.diagnose.intermediate`: an extra or missing elementwise
function, an extra factor, an inverted mask), then the boundary vocabulary
(:func:`portcheck.diagnose.diagnose_pair`: scale, sign, unroll order, index
base, ...), then the counterfactual re-evaluations of the port's line
(:mod:`portcheck.trace.reeval`: a wrong operand, a loop keeping its last
pass). What none of them explains is reported as ``first-divergence`` with
both locations and where the values differ most.
"""

from __future__ import annotations

import ast
import dataclasses
import os
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..diagnose import diagnose_pair
from ..diagnose._arrays import error_stats, fmt, location, location_text, shape_text
from ..diagnose._base import Subject
from ..diagnose.intermediate import Candidate, explain_intermediate
from ..report import Finding
from ._steps import Fingerprint, Step, Trace
from .aliasing import aliased_write
from .align import Alignment, View, _parsed, agrees, views
from .reeval import find_substitution, value_matcher

__all__ = ["explain_divergence", "summarise", "place", "with_locations"]


def place(location: tuple[str, int] | None) -> str:
    """``nn.py:412`` for messages (the full path stays in ``port_location``)."""
    if location is None:
        return "?"
    return f"{os.path.basename(location[0])}:{location[1]}"


def summarise(value: Any) -> str:
    """A short description of a recorded value for reports: shape and a few numbers."""
    if value is None:
        return "-"
    if isinstance(value, Fingerprint):
        return (f"{shape_text(value.shape)} (fingerprint) sum {fmt(value.total)}, "
                f"range [{fmt(value.minimum)}, {fmt(value.maximum)}]")
    a = np.asarray(value)
    if a.size == 1:
        return fmt(a.reshape(-1)[0])
    flat = a.reshape(-1, order="F")
    head = ", ".join(fmt(x) for x in flat[:3])
    more = ", ..." if flat.size > 3 else ""
    return f"{shape_text(tuple(a.shape))} [{head}{more}]"


def _candidates(reference: Trace, port: Trace, size: int, exclude: Sequence[Step]) -> list[Candidate]:
    """Recorded values that could be a factor of an intermediate of ``size`` elements: reference first."""
    out: list[Candidate] = []
    for trace in (reference, port):
        for s in trace.steps:
            if s in exclude or isinstance(s.value, Fingerprint) or s.value is None:
                continue
            v = np.asarray(s.value)
            if v.dtype.kind not in "biuf" or v.size < 2:
                continue
            out.append(Candidate(s.name, trace.side, v.astype(np.float64), s.location))
    return out


def with_locations(f: Finding, r: Step, p: Step | None, reference: Trace, port: Trace,
                    shown: tuple[Any, Any] | None = None) -> Finding:
    """The finding with both lines attached: locations, source text, value summaries."""
    port_location = f.port_location or (p.location if p is not None else None)
    reference_location = f.reference_location or r.location
    ev = dict(f.evidence)
    ev.update({
        "reference_variable": r.name,
        "reference_source": reference.source_line(reference_location),
        "reference_value": summarise(shown[0] if shown else r.value),
    })
    if p is not None:
        ev.update({
            "port_variable": p.name,
            "port_source": port.source_line(port_location),
            "port_value": summarise(shown[1] if shown else p.value),
        })
    return dataclasses.replace(f, evidence=ev, port_location=port_location,
                               reference_location=reference_location)


def explain_divergence(
    alignment: Alignment,
    reference: Trace,
    port: Trace,
    subject: Subject,
    *,
    rerun: Callable[[], tuple[Callable[..., Any], Sequence[Any]]] | None = None,
    outputs_differ: bool = True,
) -> list[Finding]:
    """Findings for the first divergence of ``alignment`` (empty when the traces agree).

    Parameters
    ----------
    alignment : Alignment
        From :func:`portcheck.trace.align.align`.
    reference, port : Trace
    subject : Subject
        Tolerances and labels (its ``output`` is replaced by the variable's name).
    rerun : callable, optional
        Returns ``(port_function, fresh_copies_of_args)`` for the counterfactual
        re-evaluation of the port's line; without it, ``wrong-operand`` and
        the re-evaluated ``last-iteration`` are not tried.
    outputs_differ : bool
        Whether the final outputs differ: the findings are then errors; when
        the outputs agree they are ``info`` (intermediates differ, results do not).
    """
    found: list[Finding] | None = None
    shown = None
    # A suspect (a wrong reassignment, an error a later value hides) is the
    # divergence only when the diagnosis names its mistake.
    candidates = [(i, s, False) for i, s in alignment.suspects]
    if alignment.eliminated is not None:
        candidates.append((*alignment.eliminated, True))
    for i, suspect, read_by_divergence in candidates:
        sub = dataclasses.replace(subject, output=suspect.reference.name, block=None)
        named, seen = _explain(suspect.reference, suspect.port, reference, port, sub, rerun)
        # A slip undone within the line (a transpose, an axis, a constant) proves
        # only that the values differ, which is harmless where a later value
        # hides it (softmax shifted by the global maximum): no suspect is named
        # by one. The divergent line reads an eliminated pair's value: nothing hides it.
        if named and named[0].kind != "first-divergence" and (
                read_by_divergence or not named[0].evidence.get("slip")):
            alignment.matches[i] = alignment.divergence = suspect
            alignment.divergences.insert(0, (i, suspect))
            found, shown = named, seen
            break
    d = alignment.divergence
    if d is None:
        return []
    r, p = d.reference, d.port
    sub = dataclasses.replace(subject, output=r.name, block=None)
    # Inputs of the line the port has no counterpart of: they may be wrong
    # (a suspect taken as the divergence has its own, unknown, inputs).
    unseen = alignment.unseen_inputs if found is None else []
    if found is None:
        # The line is right when what it reads was changed through another name.
        aliased = aliased_write(alignment, reference, port, sub.rtol, sub.atol)
        if aliased is not None:
            found, shown, unseen = [aliased], None, []
    if found is None:
        found, shown = _explain(r, p, reference, port, sub, rerun, unseen_inputs=bool(unseen))
        if found and found[0].kind == "first-divergence" and d.alternative is not None:
            # The statement after the port's own intermediate may be where a named mistake is.
            other, other_shown = _explain(r, d.alternative, reference, port, sub, rerun,
                                          unseen_inputs=bool(unseen))
            if other and other[0].kind != "first-divergence":
                d.port = p = d.alternative
                found, shown = other, other_shown
    out = []
    for f in found:
        f = with_locations(f, r, p, reference, port, shown)
        where = f" (PYTHON {place(f.port_location)}, OCTAVE {place(f.reference_location)})"
        message = f.message
        if unseen and f.kind == "first-divergence":
            message += (f" Its inputs {', '.join(unseen)} have no counterpart in the port, so the mistake is "
                        f"on this line or where the port computes them.")
        severity = f.severity if outputs_differ or f.severity != "error" else "info"
        out.append(dataclasses.replace(f, message=message.rstrip(".") + "." + where, severity=severity))
    return out


def _explain(r: Step, p: Step | None, reference: Trace, port: Trace, sub: Subject,
             rerun: Callable[[], tuple[Callable[..., Any], Sequence[Any]]] | None,
             unseen_inputs: bool = False) -> tuple[list[Finding], tuple[np.ndarray, np.ndarray] | None]:
    """The findings for the pair, and the two arrays as compared (for the report's value summaries).

    ``unseen_inputs``: some inputs of the reference's line have no counterpart
    in the port, so the line cannot be said to start from agreeing values.
    """
    if p is None:
        return [Finding(kind="first-divergence", severity="error", output=r.name,
                        message=f"the port has no value equal to the reference's {r.name!r}, the first "
                                f"intermediate it does not reproduce.")], None
    if isinstance(r.value, Fingerprint) or isinstance(p.value, Fingerprint):
        return [Finding(kind="first-divergence", severity="error", output=r.name,
                        message=(f"the first intermediate that differs is {r.name!r} (port {p.name!r}); it is "
                                 f"too large to be diagnosed element by element (recorded as a fingerprint)."))], None

    # A loop that overwrote instead of accumulating: its running sum is the reference.
    if p.passes > 1 and isinstance(p.total, np.ndarray) and r.passes == 1:
        total = dataclasses.replace(p, value=p.total, passes=1, first=None, total=None)
        # The sum of the passes is the reference, or a constant multiple of it
        # (the reference divides by m on the same line).
        if agrees(r, total, sub.rtol, sub.atol) or _proportional(r, total) or _affine(
                r, total, _candidates(reference, port, np.size(r.value), (r, p))):
            return [_last_iteration(p, p.name, port)], (np.asarray(r.value), np.asarray(p.total))

    shared = _share(r, p, port)
    if shared is not None:
        # The number is built in several statements; this one adds the wrong share.
        expected, share = shared
        dg = diagnose_pair(np.array([[expected]]), np.array([[share]]), sub)
        named = [f for f in dg.findings if f.kind in {"scale", "sign"} and f.severity == "error"]
        if named:
            f = named[0]
            return [dataclasses.replace(f, message=(
                f"what this line adds to {r.name!r} ({fmt(share)}) is not the reference's term ({fmt(expected)}): "
                + f.message.replace(f"the port's {r.name} is", "it is", 1)),
                evidence={**f.evidence, "share": share, "reference_share": expected})], None
    vs = views(r, p)
    if not vs:
        return [Finding(kind="first-divergence", severity="error", output=r.name,
                        message=(f"the first intermediate that differs is {r.name!r}: the reference's is "
                                 f"{summarise(r.value)}, the port's {p.name!r} is {summarise(p.value)}, and no "
                                 f"reading puts them in one shape."))], None
    v = vs[0]
    R, C = np.asarray(v.reference), np.asarray(v.port)
    shown = (R, C)
    # A constant factor (sign, scale), a transpose or an index offset first:
    # -x is also abs(x) where x > 0, and the simpler story is the right one.
    dg = diagnose_pair(R, C, sub)
    found = [f for f in dg.findings if f.kind not in {"mismatch", "non-finite"} and f.severity == "error"]
    if not found:
        found = explain_intermediate(R, C, sub, _candidates(reference, port, R.size, (r, p)))
        if found and found[0].kind == "inverted-mask":
            found = [_mask_origin(found[0], p, port, R, _orient(v))]
    if not found and rerun is not None:
        found = _reevaluate(r, p, v, port, sub, rerun)
    if not found:
        st = error_stats(R, C, sub.rtol, sub.atol)
        worst = location_text(location(st.worst, R.shape)) if st.worst is not None else "-"
        found = [Finding(
            kind="first-divergence", severity="error", output=r.name,
            message=(f"the first intermediate that differs is {r.name!r}"
                     + ("" if unseen_inputs else "; every value it is computed from agrees, so the mistake is on "
                        "this line")
                     + f". {st.mismatched_text} elements differ, worst {worst} (max abs error {fmt(st.max_abs)})."),
            evidence={"max_abs": st.max_abs, "max_rel": st.max_rel, "mismatched": st.mismatched_text},
        )]
    return found, shown


def _mask_origin(f: Finding, p: Step, port: Trace, R: np.ndarray,
                 orient: Callable[[np.ndarray], np.ndarray | None]) -> Finding:
    """An inverted mask the port's line applies, located where a helper called on that line computed it.

    ``dz = dh * self.relu_mask(z)``: the line applies the mask; the mistake
    (``return z <= 0``) is in the helper that returned the 0/1 values.
    """
    called = {a.function for a in port.steps if a.role == "argument" and a.file == p.file and a.line == p.line}
    for q in sorted(port.steps, key=lambda q: q.order, reverse=True):
        v = q.value
        if q.role != "return" or q.function not in called or q.order > p.order or not isinstance(v, np.ndarray) \
                or v.shape != np.shape(p.value) or not np.all((v == 0) | (v == 1)):
            continue
        mask = orient(v)
        if mask is None or mask.shape != R.shape or np.any(mask[R != 0] != 0):
            continue  # this mask keeps what the reference keeps: the line inverts it, not the helper
        return dataclasses.replace(f, port_location=q.location, evidence={
            **f.evidence, "applied_at": list(p.location)},
            message=f.message + f" The mask comes from {q.function}(), called on {place(p.location)}.")
    return f


def _share(r: Step, p: Step, port: Trace) -> tuple[float, float] | None:
    """``(the reference's share, the port's)`` when ``p`` is one statement of several building r's number.

    The reference sums terms in one statement (``Step.terms``); the port adds
    them in turn. If the other statements' shares are right, this one's
    should be what the reference's total lacks without it.
    """
    if len(r.terms) < 2 or p.passes != 1 or np.size(r.value) != 1 or np.size(p.value) != 1:
        return None
    chain = sorted((q for q in port.steps if q.name == p.name and q.function == p.function and not q.role),
                   key=lambda q: q.order)
    if len(chain) < 2 or p not in chain or any(q.passes != 1 or np.size(q.value) != 1 for q in chain):
        return None
    values = [float(np.real(np.asarray(q.value)).reshape(-1)[0]) for q in chain]
    k = chain.index(p)
    share = values[k] - (values[k - 1] if k else 0.0)
    others = values[-1] - share
    return float(np.real(np.asarray(r.value)).reshape(-1)[0]) - others, share


def _proportional(r: Step, p: Step) -> bool:
    """The two values are a constant, non-trivial multiple of each other (in some reading)."""
    for v in views(r, p):
        R, P = np.asarray(v.reference, dtype=float), np.asarray(v.port, dtype=float)
        big = np.abs(R) > 1e-12 * max(float(np.max(np.abs(R))) if R.size else 0.0, 1e-300)
        if R.size < 2 or big.sum() < 2 or np.iscomplexobj(R):
            continue
        k = P[big] / R[big]
        if np.allclose(k, k[0], rtol=1e-9) and np.allclose(P, k[0] * R, rtol=1e-9, atol=1e-12) and k[0] != 0:
            return True
    return False


def _affine(r: Step, total: Step, candidates: list[Candidate]) -> bool:
    """The reference is ``a * total + b * v`` for another recorded value v (a, b ≠ 0).

    The reference scales the sum and adds a term on the same line
    (``grad = sum / m + lambda * theta``); the port's loop sum stands for the
    first part only.
    """
    for v in views(r, total):
        R, P = np.asarray(v.reference, dtype=float), np.asarray(v.port, dtype=float)
        if R.size < 3 or np.iscomplexobj(R) or not np.all(np.isfinite(R)) or not np.all(np.isfinite(P)):
            continue
        for cand in candidates:
            V = cand.value if cand.value.shape == R.shape else (
                cand.value.T if cand.value.ndim == 2 and cand.value.T.shape == R.shape else None)
            if V is None or not np.all(np.isfinite(V)):
                continue
            A = np.column_stack([P.ravel(), V.ravel()])
            (a, b), *_ = np.linalg.lstsq(A, R.ravel(), rcond=None)
            scale = max(float(np.max(np.abs(R))), 1e-300)
            if abs(a) > 1e-12 and abs(b) * float(np.max(np.abs(V))) > 1e-9 * scale and np.allclose(
                    A @ np.array([a, b]), R.ravel(), rtol=1e-9, atol=1e-12 * scale):
                return True
    return False


def _last_iteration(loop_step: Step, name: str, port: Trace | None = None) -> Finding:
    reset = _reset_in_loop(loop_step, name, port) if port is not None else None
    if reset is not None:
        # The line accumulates; a fresh start inside the same loop throws the earlier passes away.
        return Finding(
            kind="last-iteration", severity="error", output=name,
            message=(f"{name!r} is accumulated in a loop ({loop_step.passes} passes) but started afresh inside "
                     f"the loop, on line {reset}, so it keeps only the last pass; the reference is computed from "
                     f"the sum of every pass. Start it once, before the loop."),
            evidence={"passes": loop_step.passes, "loop_variable": name,
                      "accumulated_at": list(loop_step.location)},
            port_location=(loop_step.file, reset),
        )
    return Finding(
        kind="last-iteration", severity="error", output=name,
        message=(f"{name!r} is assigned in a loop ({loop_step.passes} passes) and keeps only the last pass; the "
                 f"reference is computed from the sum of every pass. Accumulate: `{name} += ...` (MATLAB's "
                 f"`{name} = {name} + ...`)."),
        evidence={"passes": loop_step.passes, "loop_variable": name},
        port_location=loop_step.location,
    )


def _written_name(target: ast.AST) -> str | None:
    while isinstance(target, ast.Subscript):
        target = target.value
    return target.id if isinstance(target, ast.Name) else None


def _reset_in_loop(loop_step: Step, name: str, port: Trace) -> int | None:
    """The line inside the loop that assigns ``name`` afresh before the loop step accumulates into it.

    ``for j ...: Xg = np.zeros_like(X); ...; Xg += ...``: the accumulation is
    right, the reset sits one level too deep. None when the loop step is no
    accumulation or no such reset is written in the innermost loop around it.
    """
    tree = _parsed("\n".join(port.sources.get(loop_step.file, ())))
    if tree is None:
        return None
    loops = [n for n in ast.walk(tree) if isinstance(n, (ast.For, ast.While))
             and n.lineno < loop_step.line <= getattr(n, "end_lineno", n.lineno)]
    if not loops:
        return None
    loop = max(loops, key=lambda n: n.lineno)  # the innermost
    accumulates = False
    resets = []
    for node in ast.walk(loop):
        if isinstance(node, ast.AugAssign) and node.lineno == loop_step.line and _written_name(node.target) == name:
            accumulates = True  # `Xg += ...`, `Xg[rated] += ...`
        if isinstance(node, ast.Assign) and node.lineno < loop_step.line and any(
                isinstance(t, ast.Name) and t.id == name for t in node.targets):
            reads_itself = any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(node.value))
            if not reads_itself:
                resets.append(node.lineno)
        if isinstance(node, ast.Assign) and node.lineno == loop_step.line and any(
                isinstance(t, ast.Name) and t.id == name for t in node.targets):
            # `x = x + ...` accumulates too.
            accumulates = accumulates or any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(node.value))
    return max(resets) if accumulates and resets else None


def _orient(view: View) -> Callable[[np.ndarray], np.ndarray | None]:
    """How to read a re-evaluated port value in the reference's shape, like ``view`` did."""
    def orient(a: np.ndarray) -> np.ndarray | None:
        target = view.reference.shape
        if view.how == "same" or view.how == "vector":
            return a.reshape(target) if a.size == int(np.prod(target)) else None
        if view.how == "transposed":
            return a.T if a.ndim == 2 and a.T.shape == target else None
        if view.how == "unrolled":
            return a.reshape(target, order="F") if a.size == int(np.prod(target)) else None
        if view.how.startswith("bias"):
            transposed = "transposed" in view.how
            b = a.T if transposed and a.ndim == 2 else a
            if b.shape == target:
                return b
            if b.ndim == 2 and b.shape == (target[0], target[1] + 1):
                return b[:, 1:]
            if b.ndim == 2 and b.shape == (target[0] + 1, target[1]):
                return b[1:, :]
            return None
        return None
    return orient


def _target(view: View, p: Step) -> tuple[np.ndarray | None, Callable[[np.ndarray], np.ndarray | None]]:
    """What a re-evaluated port line must equal, and how to read it in that shape.

    A per-example loop is re-evaluated at its last pass, which is the last row
    (or column) of the reference's vectorized value; a vectorized port line
    read against the reference's loop gives its first and last rows.
    """
    if not view.how.startswith("loop"):
        return view.reference, _orient(view)
    if p.passes > 1:
        last = view.reference[1:2]
        return last, lambda a: a.reshape(1, -1) if a.size == last.size else None
    axis = 0 if view.how.endswith("rows") else 1

    def ends(a: np.ndarray) -> np.ndarray | None:
        if a.ndim != 2 or a.shape[axis] != view.passes:
            return None
        return np.stack([np.take(a, 0, axis=axis), np.take(a, -1, axis=axis)])
    return view.reference, ends


def _reevaluate(r: Step, p: Step, view: View, port: Trace, sub: Subject,
                rerun: Callable[[], tuple[Callable[..., Any], Sequence[Any]]]) -> list[Finding]:
    lines = list(port.sources.get(p.file, ()))
    if not lines:
        return []
    target, orient = _target(view, p)
    if target is None:
        return []
    fn, args = rerun()
    loop_steps = [s for s in port.steps if s.function == p.function and s.passes > 1 and s.order < p.order]
    matches = value_matcher(target, orient, max(sub.rtol, 1e-9), sub.atol)
    found = find_substitution(fn, args, p, lines, matches, loop_steps)
    if found is None:
        return []
    if found.source == "loop-total" and found.loop_step is not None:
        return [_last_iteration(found.loop_step, found.operand, port)]
    if found.source == "edit":
        return [Finding(
            kind="wrong-operand", severity="error", output=r.name,
            message=(f"the port's line reproduces the reference's {r.name!r} once `{found.current}` reads "
                     f"`{found.replacement}`: {found.why}. Write `{found.replacement}` there."),
            evidence={"operand": found.current, "replacement": found.replacement, "how": found.how,
                      "slip": True},
        )]
    if found.source == "value":
        if found.call_location is not None:
            return [Finding(
                kind="wrong-operand", severity="error", output=r.name,
                message=(f"the port's line reproduces the reference's {r.name!r} once its parameter "
                         f"`{found.operand}` is {found.replacement} instead of {found.current}: "
                         + (f"the call leaves it to the default `{found.operand}={found.current}` of the `def` at "
                            f"{place(found.call_location)}. Make the default {found.replacement} or pass it."
                            if found.by_default else
                            f"the call at {place(found.call_location)} passes the wrong {found.operand}. "
                            f"Pass {found.replacement}.")),
                evidence={"operand": found.operand, "replacement": found.replacement, "current": found.current,
                          "how": "value", "helper_location": list(p.location)},
                port_location=found.call_location,
            )]
        written = found.operand if found.variable == "" else f"{found.operand} = {found.current}"
        return [Finding(
            kind="wrong-operand", severity="error", output=r.name,
            message=(f"the port's line reproduces the reference's {r.name!r} once `{written}` reads "
                     f"`{found.replacement if found.variable == '' else found.operand + ' = ' + found.replacement}`:"
                     f" an axis or index one off. Use `{found.replacement}` there."),
            evidence={"operand": found.operand, "replacement": found.replacement, "current": found.current,
                      "how": "value"},
        )]
    return [Finding(
        kind="wrong-operand", severity="error", output=r.name,
        message=(f"the port's line reproduces the reference's {r.name!r} once `{found.operand}` is replaced by "
                 f"`{found.replacement}`: it reads the wrong operand. Use `{found.replacement}` there."),
        evidence={"operand": found.operand, "replacement": found.replacement, "how": found.source},
    )]
