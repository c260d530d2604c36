"""Diagnosis: turn a difference between reference and port into findings that name the mistake.

One small module per family of causes:

=================  ==========================================================
module             kinds
=================  ==========================================================
``shapes``         ``shape``, ``broadcast`` (alignment; column/1-D re-runs)
``order``          ``unroll-order``, ``transposed``, ``swapped-blocks``
``scale``          ``sign``, ``scale``, ``ddof``
``regularization`` ``regularization``
``indexing``       ``index-base`` (offset outputs; shifted-label re-runs)
``capture``        ``lambda-capture`` (also late-bound loop closures),
                   ``mutates-input``, ``nondeterministic``
``failures``       ``python-error``, ``octave-error``, ``non-finite``
``localise``       ``first-divergence``
``mismatch``       ``mismatch`` (the fallback: where it is worst)
=================  ==========================================================

:func:`explain_difference` is the array-level entry point (no re-runs); it is
what :func:`portcheck.compare` and the gradient check call on each output.
Families that need a counterfactual receive a ``rerun`` callback from compare
(:mod:`portcheck.diagnose.rerun`); none of them runs Octave.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import InputError
from ..inputs import Layout, as_layout
from ..report import Finding
from ._arrays import allclose, as_float_array, is_scalar
from ._base import Subject
from .capture import explain_repeated_rows
from .compound import explain_shifted_sequence
from .decompositions import diagonal_interface, explain_column_signs
from .failures import explain_non_finite
from .indexing import explain_offset
from .mismatch import explain_mismatch
from .order import explain_block_arrangement, explain_block_order, explain_matrix_order
from .regularization import explain_cost_regularization, explain_regularization
from .rerun import Rerun, RerunPort
from .scale import explain_factor
from .shapes import align

__all__ = ["explain_difference", "diagnose_pair", "Diagnosis", "Subject", "Rerun", "RerunPort"]


@dataclass
class Diagnosis:
    """Everything :func:`diagnose_pair` learned about one output.

    ``reference``/``candidate`` are the aligned arrays (None when the shapes
    could not be reconciled), ``matches`` is the verdict on the values, and
    ``notes`` records every silent coercion made to compare them.
    """

    reference: np.ndarray | None
    candidate: np.ndarray | None
    matches: bool
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def explain_difference(
    reference: Any,
    candidate: Any,
    *,
    output: str | None = None,
    layout: Layout | Any | None = None,
    params: Any | None = None,
    rtol: float = 1e-7,
    atol: float = 1e-10,
    reference_label: str = "OCTAVE",
    candidate_label: str = "PYTHON",
    context: Mapping[str, Any] | None = None,
) -> list[Finding]:
    """Explain why ``candidate`` differs from ``reference``, from the two arrays alone.

    Parameters
    ----------
    reference, candidate : array_like or float
        The trusted value (Octave's, or a numerical gradient) and the value
        under test. Shapes that differ only in notation (``(n,)`` against
        ``n×1``, a float against ``1×1``) are compared as equal shapes.
    output : str, optional
        Name of the output, used in messages (``"grad"``).
    layout : Layout or list of (name, shape), optional
        Blocks of an unrolled vector (column-major). When the arrays are
        vectors of the layout's length, they are diagnosed block by block.
    params : array_like, optional
        The parameter vector the output was computed at (same length as the
        output): enables the ``regularization`` checks.
    rtol, atol : float
        Elements match when ``|candidate - reference| <= atol + rtol*|reference|``.
    reference_label, candidate_label : str
        How messages name the two sides.
    context : mapping, optional
        Numbers that make factors recognisable: ``{"m": 5, "lambda": 1.0, "N": 10}``.

    Returns
    -------
    list of Finding
        Empty when the values match. Otherwise findings of kinds ``sign``,
        ``scale``, ``ddof``, ``transposed``, ``unroll-order``,
        ``swapped-blocks``, ``regularization``, ``index-base``, ``shape``,
        ``broadcast``, ``non-finite``, and ``mismatch`` as the fallback.

    Raises
    ------
    InputError
        When ``reference`` is not numeric.

    Examples
    --------
    >>> import numpy as np
    >>> from portcheck.diagnose import explain_difference
    >>> ref = np.arange(1.0, 7.0).reshape(3, 2)
    >>> [f.kind for f in explain_difference(ref, -ref, output="grad")]
    ['sign']
    """
    if as_float_array(reference) is None:
        raise InputError(
            f"reference must be a number or a numeric array, got {type(reference).__name__}."
        )
    subject = Subject(output=output, rtol=float(rtol), atol=float(atol), reference_label=reference_label,
                      candidate_label=candidate_label, context=dict(context or {}))
    return diagnose_pair(reference, candidate, subject, layout=as_layout(layout), params=params).findings


def diagnose_pair(
    reference: Any,
    candidate: Any,
    subject: Subject,
    *,
    layout: Layout | None = None,
    params: Any | None = None,
) -> Diagnosis:
    """Align, compare and (when they differ) explain one pair of values. See :func:`explain_difference`."""
    al = align(reference, candidate, subject)
    if not al.comparable:
        interface = _diagonal(reference, candidate, subject)
        if interface is None:
            return Diagnosis(None, None, False, al.findings, al.notes)
        al = interface
    r, c = al.reference, al.candidate
    assert r is not None and c is not None
    findings = list(al.findings)
    nf, nf_same = explain_non_finite(r, c, subject)
    findings += nf
    if allclose(r, c, subject.rtol, subject.atol):
        return Diagnosis(r, c, True, findings, al.notes)
    up_to_sign = explain_column_signs(r, c, subject)
    if up_to_sign:
        return Diagnosis(r, c, True, findings + up_to_sign, al.notes)
    if not nf_same:
        return Diagnosis(r, c, False, findings, al.notes)
    p = as_float_array(params) if params is not None else None
    findings += _explain_values(r, c, subject, layout, p)
    return Diagnosis(r, c, False, findings, al.notes)


def _diagonal(reference: Any, candidate: Any, subject: Subject) -> Any:
    """An alignment through the vector / diagonal-matrix interface (``svd``'s S), or None."""
    from .shapes import Alignment

    r, c = as_float_array(reference), as_float_array(candidate)
    if r is None or c is None:
        return None
    found = diagonal_interface(r, c, subject)
    if found is None:
        return None
    return Alignment(r, found[0], findings=[found[1]])


def _explain_values(
    r: np.ndarray, c: np.ndarray, subject: Subject, layout: Layout | None, params: np.ndarray | None
) -> list[Finding]:
    """The value-level families, most specific first; ``mismatch`` when none fits."""
    if np.iscomplexobj(r) or np.iscomplexobj(c):
        # The families fit real factors and real regressions; say where it differs.
        return explain_mismatch(r, c, subject)
    if layout is not None and layout.fits(r) and r.size == c.size:
        return _explain_layout(r, c, subject, layout, params)

    for family in (explain_matrix_order, explain_repeated_rows, explain_factor):
        found = family(r, c, subject)
        if found:
            return found
    if params is not None and params.size == r.size and not is_scalar(r):
        found = explain_regularization(r, c, params, subject)
        if found:
            return found
    if is_scalar(r) and params is not None:
        blocks = layout.split(params) if layout is not None and layout.fits(params) else {"theta": params.reshape(-1)}
        found = explain_cost_regularization(float(r), float(c), blocks, subject)
        if found:
            return found
    found = explain_offset(r, c, subject) or explain_shifted_sequence(r, c, subject)
    if found:
        return found
    return explain_mismatch(r, c, subject)


def _explain_layout(
    r: np.ndarray, c: np.ndarray, subject: Subject, layout: Layout, params: np.ndarray | None
) -> list[Finding]:
    """Whole-vector explanations first (one factor, blocks out of order), then block by block."""
    rf, cf = r.reshape(-1), c.reshape(-1)
    whole = explain_factor(rf, cf, subject) or explain_block_arrangement(rf, cf, layout, subject)
    if whole:
        return whole
    rb, cb = layout.split(rf), layout.split(cf)
    pb = layout.split(params) if params is not None and layout.fits(params) else None
    out: list[Finding] = []
    # Weight matrices beside vector blocks: the biases are blocks of their own (W1, b1, W2, b2).
    separate_bias = (any(len(b.shape) == 2 and 1 not in b.shape for b in layout)
                     and any(len(b.shape) < 2 or 1 in b.shape for b in layout))
    for block in layout:
        sub = subject.with_block(block.name)
        R, C = rb[block.name], cb[block.name]
        if allclose(R, C, sub.rtol, sub.atol):
            continue
        found = explain_block_order(R, C, sub) or explain_factor(R, C, sub)
        if not found and pb is not None:
            found = explain_regularization(R, C, pb[block.name], sub, separate_bias=separate_bias)
        if not found:
            found = explain_offset(R, C, sub)
        if not found:
            found = explain_mismatch(R, C, sub, layout=layout, index_offset=block.start,
                                     vector_shape=(layout.size, 1))
        out += found
    return out
