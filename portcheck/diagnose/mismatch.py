"""``mismatch``: the fallback that says where the difference is worst."""

from __future__ import annotations

import numpy as np

from ..inputs import Layout
from ..report import Finding
from ._arrays import error_stats, fmt, location, location_text
from ._base import Subject

__all__ = ["explain_mismatch"]


def explain_mismatch(
    ref: np.ndarray,
    cand: np.ndarray,
    subject: Subject,
    layout: Layout | None = None,
    index_offset: int = 0,
    vector_shape: tuple[int, ...] | None = None,
) -> list[Finding]:
    """One ``mismatch`` finding: how many elements differ and the worst one, both sides' values.

    ``index_offset``/``vector_shape`` place a block's worst element in the whole
    unrolled vector, so the message gives both ``(23,1)`` and ``Theta2(2,3)``.
    """
    r = np.asarray(ref)
    c = np.asarray(cand)
    st = error_stats(r, c, subject.rtol, subject.atol)
    if st.n_bad == 0:
        return []
    R, C = subject.reference_label, subject.candidate_label
    ev = {
        "mismatched": st.n_bad,
        "total": st.n,
        "max_abs": st.max_abs,
        "max_rel": st.max_rel,
        "reference_value": st.reference_value,
        "candidate_value": st.candidate_value,
    }
    rel = f", rel. error {fmt(st.max_rel)}" if st.max_rel is not None and r.size == 1 else ""
    if r.size == 1:
        msg = (f"{subject.subject} differs: {R} {fmt(st.reference_value)} vs {C} "
               f"{fmt(st.candidate_value)} (abs. error {fmt(st.max_abs)}{rel}).")
        return [subject.finding("mismatch", msg, **ev)]
    if vector_shape is not None and layout is not None:
        loc = location(index_offset + int(st.worst), vector_shape, layout)
    else:
        loc = location(int(st.worst), r.shape)
    ev["worst"] = loc
    hint = ""
    if np.all(c == 0):
        hint = f" {C} is all zeros: is the result computed and returned?"
    msg = (f"{subject.subject}: {st.mismatched_text} elements differ; worst at {location_text(loc)}: "
           f"{R} {fmt(st.reference_value)} vs {C} {fmt(st.candidate_value)} "
           f"(max abs. error {fmt(st.max_abs)}).{hint}")
    return [subject.finding("mismatch", msg, **ev)]
