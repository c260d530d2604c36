"""Tracing: record intermediates on both sides and name the first line where they part.

:func:`run_trace` is what :func:`portcheck.compare` calls when the two sides
differ: it runs an instrumented copy of the reference in one Octave call
(:mod:`portcheck.trace.octave_side`), runs the port under a line tracer
(:mod:`portcheck.trace.python_side`), pairs the steps
(:mod:`portcheck.trace.align`) and hands the first divergent pair to the
diagnosis (:mod:`portcheck.trace.explain`). The data both sides produce is in
:mod:`portcheck.trace._steps`.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..diagnose._base import Subject
from ..report import Finding, Table
from ._steps import FULL_VALUE_LIMIT, Fingerprint, Step, Trace, fingerprint
from .align import Alignment, Match, align, concatenated_parts, normalise_name
from .explain import explain_divergence, place, with_locations
from .python_side import _keep, _numeric, trace_python

__all__ = ["Step", "Trace", "Fingerprint", "FULL_VALUE_LIMIT", "fingerprint", "TraceResult", "run_trace",
           "trace_python", "align", "merge_findings"]

#: Rows of the step table shown before the divergence (the agreeing steps
#: right before it are what tells the reader the inputs of the line were right).
TABLE_CONTEXT = 8


@dataclass
class TraceResult:
    """What a trace adds to a report: findings with locations, the step table, notes, both traces."""

    findings: list[Finding] = field(default_factory=list)
    table: Table | None = None
    notes: list[str] = field(default_factory=list)
    reference: Trace | None = None
    port: Trace | None = None
    alignment: Alignment | None = None
    #: Output position -> the divergent pair on the way to that output (for locating boundary findings).
    by_output: dict[int, Finding] = field(default_factory=dict)
    #: Output position -> for each variable the output is stacked from (``[W1grad(:); b1grad(:)]``), its
    #: element count and the divergent pair on the way to it (None where it agrees): a finding about one
    #: block of the output is located at its own variable.
    by_part: dict[int, list[tuple[int, Finding | None]]] = field(default_factory=dict)


def reference_outputs(trace: Trace, function: str) -> list[str]:
    """The output variable names of ``function`` as its ``.m`` header declares them (``[J, grad]``)."""
    name = function.rsplit("/", 1)[-1]
    header = re.compile(rf"^\s*function\s+(?:\[([^\]]*)\]|(\w+))\s*=\s*{re.escape(name)}\b")
    for lines in trace.sources.values():
        for line in lines:
            m = header.match(line)
            if m:
                return [v for v in re.split(r"[\s,]+", m.group(1) or m.group(2) or "") if v]
    return []


def _table(alignment: Alignment) -> Table | None:
    if not alignment.matches:
        return None
    rows = []
    stop = len(alignment.matches)
    if alignment.divergence is not None:
        stop = alignment.matches.index(alignment.divergence) + 1
    shown = alignment.matches[max(0, stop - TABLE_CONTEXT - 1):stop]
    for m in shown:
        if m.port is None and not m.agrees:
            continue
        rows.append((
            m.reference.name, place(m.reference.location),
            m.port.name if m.port is not None else "-", place(m.port.location) if m.port is not None else "-",
            "yes" if m.agrees else "NO", m.how or "-",
        ))
    title = ("Trace: steps up to the first divergence" if alignment.divergence is not None
             else "Trace: every reference step reproduced by the port")
    return Table(title=title, columns=("OCTAVE variable", "OCTAVE line", "PYTHON variable", "PYTHON line",
                                       "agrees", "paired as"), rows=tuple(rows))


def run_trace(
    octave_trace: Callable[[], Trace],
    port: Callable[..., Any],
    port_args: Sequence[Any],
    subject: Subject,
    *,
    outputs_differ: bool = True,
    function: str | None = None,
) -> TraceResult:
    """Trace both sides once, align them and explain the first divergence.

    Parameters
    ----------
    octave_trace : callable
        ``octave_trace() -> Trace`` of the reference (compare binds the
        session, function, arguments and timeout; one Octave call).
    port : callable
        The Python port.
    port_args : sequence
        The port's arguments; each run of the port gets fresh copies.
    subject : Subject
        Tolerances and labels.
    outputs_differ : bool
        Whether compare found the outputs different (findings are errors) or
        the trace was forced on agreeing outputs (findings are ``info``).
    function : str, optional
        The reference's name: its ``.m`` header names the outputs, and each
        output's first divergence locates the findings about that output.
    """
    reference = octave_trace()
    port_trace, error = trace_python(port, copy.deepcopy(tuple(port_args)))
    if function:
        port_trace.steps += returned_values(port_trace, reference_outputs(reference, function))
    notes = list(reference.notes) + list(port_trace.notes)
    if error is not None:
        notes.append(f"the port raised {type(error).__name__} while traced; steps before it were compared.")
    alignment = align(reference, port_trace, subject.rtol, subject.atol)

    def rerun() -> tuple[Callable[..., Any], Sequence[Any]]:
        return port, copy.deepcopy(tuple(port_args))

    findings = explain_divergence(alignment, reference, port_trace, subject, rerun=rerun,
                                  outputs_differ=outputs_differ)
    if alignment.divergence is None and outputs_differ:
        notes.append("the trace found no intermediate that differs before the outputs: the difference arises "
                     "in the return statement or in code the trace does not follow.")
    by_output: dict[int, Finding] = {}
    by_part: dict[int, list[tuple[int, Finding | None]]] = {}
    for k, var in enumerate(reference_outputs(reference, function) if function else []):
        d = alignment.divergence_of(var)
        if d is not None:
            by_output[k] = locate(d, reference, port_trace)
            parts = _parts(alignment, reference, port_trace, var)
            if parts:
                by_part[k] = parts
    return TraceResult(findings=findings, table=_table(alignment), notes=notes, reference=reference,
                       port=port_trace, alignment=alignment, by_output=by_output, by_part=by_part)


def _parts(alignment: Alignment, reference: Trace, port: Trace, var: str) -> list[tuple[int, Finding | None]]:
    """For an output stacked from variables, each one's size and first divergence (see ``by_part``)."""
    last = [m.reference for m in alignment.matches if m.reference.name == var]
    names = concatenated_parts(reference, last[-1]) if last else None
    out: list[tuple[int, Finding | None]] = []
    for name in names or ():
        steps = [m.reference for m in alignment.matches if m.reference.name == name]
        if not steps or steps[-1].value is None:
            return []
        value = steps[-1].value
        size = int(np.prod(value.shape)) if isinstance(value, Fingerprint) else int(np.size(value))
        d = alignment.divergence_of(name)
        out.append((size, locate(d, reference, port) if d is not None else None))
    return out


def returned_values(port: Trace, names: Sequence[str]) -> list[Step]:
    """The port's return values as steps named like the reference's outputs, at the return line.

    A port that computes an output in its ``return`` statement
    (``return X_norm / sigma, mu, sigma``) has no assignment to record; these
    steps give the alignment that value, in the reference's name. A value the
    port did assign (``J = ...; return J, grad``) gets no such step: the
    assignment is the line that computes it, and a second step of that name
    at the return line would be taken for it.
    """
    if not port.outputs or port.returned_at is None or not names:
        return []
    raw = port.outputs[0]
    values = list(raw) if isinstance(raw, (tuple, list)) and len(names) > 1 else [raw]
    order = max((s.order for s in port.steps), default=0)
    returned = _returned_names(port, len(values))
    out = []
    for k, (name, value) in enumerate(zip(names, values)):
        arr = _numeric(value)
        if arr is None or _assigned(port, name, arr):
            continue
        # `return out`: the value was computed where `out` was last written.
        where = _assigned(port, returned[k], arr, last=True) if returned[k] else None
        if isinstance(where, Step):
            # Its function and pass count too: a re-evaluation stops at that line's last pass.
            out.append(Step(side="python", file=where.file, line=where.line, order=order + k + 1, name=name,
                            function=where.function, value=_keep(arr, FULL_VALUE_LIMIT), passes=where.passes))
            continue
        out.append(Step(side="python", file=port.returned_at[0], line=port.returned_at[1], order=order + k + 1,
                        name=name, function="<return>", value=_keep(arr, FULL_VALUE_LIMIT)))
    return out


def _returned_names(port: Trace, n: int) -> list[str | None]:
    """For each of the ``n`` returned values, the variable the return statement names (``return J, g``), if any."""
    import ast

    names: list[str | None] = [None] * n
    path, line = port.returned_at or ("", 0)
    lines = port.sources.get(path)
    if not lines:
        return names
    try:
        tree = ast.parse("\n".join(lines))
    except (SyntaxError, ValueError):
        return names
    node = next((x for x in ast.walk(tree) if isinstance(x, ast.Return) and x.lineno == line), None)
    if node is None or node.value is None:
        return names
    parts = node.value.elts if isinstance(node.value, ast.Tuple) and n > 1 else [node.value]
    for k, part in enumerate(parts[:n]):
        if isinstance(part, ast.Name):
            names[k] = part.id
        elif isinstance(part, ast.Attribute) and isinstance(part.value, ast.Name):
            names[k] = f"{part.value.id}.{part.attr}"
    return names


def _assigned(port: Trace, name: str, value: Any, last: bool = False) -> Any:
    """Whether the port assigned a variable of the output's name that holds exactly ``value``.

    A reshape counts (``g = ...; return J, g.ravel()``). Only the output's own
    name (up to the aliases of :func:`~portcheck.trace.align.normalise_name`)
    counts: a value computed in the return statement that merely equals
    another variable (``sums / counts.mean()`` where every count is 1) is
    still computed on the return line.
    """
    kept = _keep(value, FULL_VALUE_LIMIT)
    # ``last``: the exact variable, its latest statement holding the value (that step, else None).
    steps = sorted(port.steps, key=lambda s: s.order, reverse=True) if last else port.steps
    for s in steps:
        if (s.name != name or s.role) if last else normalise_name(s.name) != normalise_name(name):
            continue
        if isinstance(kept, Fingerprint) or isinstance(s.value, Fingerprint):
            # Only two fingerprints compare; an array kept whole is below the limit the other is above.
            if isinstance(kept, Fingerprint) and isinstance(s.value, Fingerprint) and s.value == kept:
                return s if last else True
            continue
        held = _numeric(s.value)
        if held is not None and held.size == kept.size and np.array_equal(
                np.asarray(held, dtype=kept.dtype).reshape(-1), kept.reshape(-1), equal_nan=True):
            return s if last else True
    return None if last else False


def locate(d: Match, reference: Trace, port: Trace) -> Finding:
    """A bare finding carrying the lines (and their text and values) of a divergent pair."""
    f = Finding(kind="first-divergence", severity="info", message="", output=d.reference.name)
    return with_locations(f, d.reference, d.port, reference, port)




#: Kinds compare names from the outputs alone; a trace pins them to a line.
_BOUNDARY = {"sign", "scale", "ddof", "transposed", "unroll-order", "swapped-blocks", "regularization",
             "index-base", "broadcast"}


def _identifiers(source: str) -> set[str]:
    return set(re.findall(r"[A-Za-z_]\w*", str(source or "")))


def merge_findings(boundary: Sequence[Finding], traced: Sequence[Finding],
                   by_output: Mapping[str, Finding] | None = None,
                   by_block: Mapping[tuple[str, str], Finding] | None = None) -> list[Finding]:
    """Combine compare's findings with a trace's.

    When the outputs' diagnosis already names the cause (a boundary kind),
    the trace's job is to say *where*: each such finding receives the lines
    of the first divergence on the way to its own output (``by_output``,
    keyed by the output's name in the report; a finding about one block of
    an output, by the variable that block is stacked from, ``by_block`` keyed
    by output and block name), or of the trace's first
    divergence — the reshape of an unroll-order mistake, the penalty line of
    a regularization mistake — and a trace finding of the same kind, or a
    bare ``first-divergence``, is dropped as a duplicate. A trace finding that
    names another cause is kept beside them (two mistakes, or two readings of
    one). Without a boundary cause the trace's findings follow the outputs'
    ``mismatch``.
    """
    if not traced:
        return list(boundary)
    lead = traced[0]
    named = [f for f in boundary if f.kind in _BOUNDARY and f.severity == "error"]
    if not named:
        return list(boundary) + list(traced)
    other_cause = lead.kind != "first-divergence" and lead.kind not in {f.kind for f in named}
    keys = ("port_source", "reference_source", "port_value", "reference_value", "port_variable",
            "reference_variable")
    located = []
    for f in boundary:
        where = ((by_block or {}).get((f.output or "", f.block or "")) or (by_output or {}).get(f.output or "")
                 or (None if other_cause else lead))
        # A later cause of several (fix_order > 1) is seen only once the earlier are fixed; the trace
        # ran with them in place, so its divergence is the first cause's line, not this one's.
        later = bool(f.evidence.get("compound")) and int(f.evidence.get("fix_order") or 1) > 1
        # λ = 0 proved the mistake is in what λ multiplies: a divergence on a line without λ (a
        # trained model's `return res.x`) is where it shows, not where it is.
        penalty = f.evidence.get("penalty_name")
        elsewhere = bool(penalty) and where is not None and penalty not in _identifiers(
            where.evidence.get("port_source", ""))
        if (f in named and where is not None and not later and not elsewhere and f.port_location is None
                and f.reference_location is None):
            extra = {k: where.evidence[k] for k in keys if k in where.evidence}
            f = dataclasses.replace(f, port_location=where.port_location,
                                    reference_location=where.reference_location, evidence={**f.evidence, **extra})
        located.append(f)
    return located + (list(traced) if other_cause else [])
