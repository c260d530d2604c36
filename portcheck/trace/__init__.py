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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..diagnose._base import Subject
from ..report import Finding, Table
from ._steps import FULL_VALUE_LIMIT, Fingerprint, Step, Trace, fingerprint
from .align import Alignment, align
from .explain import explain_divergence, place
from .python_side import trace_python

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
    """
    reference = octave_trace()
    port_trace, error = trace_python(port, copy.deepcopy(tuple(port_args)))
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
    return TraceResult(findings=findings, table=_table(alignment), notes=notes, reference=reference,
                       port=port_trace, alignment=alignment)




#: Kinds compare names from the outputs alone; a trace pins them to a line.
_BOUNDARY = {"sign", "scale", "ddof", "transposed", "unroll-order", "swapped-blocks", "regularization",
             "index-base", "broadcast"}


def merge_findings(boundary: Sequence[Finding], traced: Sequence[Finding]) -> list[Finding]:
    """Combine compare's findings with a trace's.

    When the outputs' diagnosis already names the cause (a boundary kind),
    the trace's job is to say *where*: those findings receive the divergent
    lines (the reshape of an unroll-order mistake, the penalty line of a
    regularization mistake), and a bare ``first-divergence`` adds nothing. A
    trace finding that names another cause is kept beside them. Otherwise the
    trace's findings are added after the outputs' ``mismatch``.
    """
    if not traced:
        return list(boundary)
    lead = traced[0]
    named = [f for f in boundary if f.kind in _BOUNDARY and f.severity == "error"]
    if not named:
        return list(boundary) + list(traced)
    keys = ("port_source", "reference_source", "port_value", "reference_value", "port_variable",
            "reference_variable")
    located = []
    for f in boundary:
        if f in named and f.port_location is None and f.reference_location is None:
            extra = {k: lead.evidence[k] for k in keys if k in lead.evidence}
            f = dataclasses.replace(f, port_location=lead.port_location, reference_location=lead.reference_location,
                                    evidence={**f.evidence, **extra})
        located.append(f)
    kinds = {f.kind for f in named}
    return located + [t for t in traced if t.kind != "first-divergence" and t.kind not in kinds]
