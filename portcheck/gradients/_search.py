"""Group testing: from a block's directional derivative down to the wrong element.

A *group* is a set of elements of one layout block; its direction ``s``
moves every element of the group by its own element step (random signs
``±max(1, |x_i|)``, zero elsewhere), so the numerical derivative along ``s``
carries a wrong element's error ``Δg_j·s_j`` undiluted by the group's size,
while the rounding of ``f`` divided by the step stays that of a single
element. A disagreement counts only against the *estimated* error of the
measurement (:class:`Measurement`), never a fixed relative tolerance.

The search (:func:`search_block`) measures the whole block first. When the
block disagrees, it halves the group (whole columns first, then the
elements of a column), measures one half and infers the other from the
parent; it descends into every half that disagrees, so one wrong element
costs about ``1.5·log2(n)`` measurements. When more than :data:`MAX_LEADS`
groups disagree at one level the error is spread: the search reports the
columns, or (searching rows instead) the rows that hold it, or says it is
spread over the block. A block that agrees is a certificate of its own:
every single-element error above ``SIGNIFICANT·sigma`` would have shown.

Both back ends run this rule: Python through :func:`search_block`,
``portcheck_gradcheck.m`` through its transcription; :mod:`._report` turns
the result into findings.

References
----------
R. Dorfman, "The detection of defective members of large populations",
Ann. Math. Statist. 14 (1943) (group testing). L. F. Richardson, "The
deferred approach to the limit" (1927); the error estimate from successive
extrapolations follows numdifftools.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..inputs import Layout
from ._precision import Precision, pow2
from ._probes import random_hash

__all__ = ["Group", "Measurement", "BlockSearch", "search_block", "central_measurement", "complex_measurement",
           "SIGNIFICANT", "MAX_LEADS", "block_grid", "search_budget", "truncation_hides", "group_view",
           "SearchPlan", "plan_search", "confirm_elements",
           "rounding_hides", "LARGER_STEP"]

#: A measurement disagrees when ``|numerical - analytic| > SIGNIFICANT · sigma``.
SIGNIFICANT = 4.0
#: More disagreeing groups than this at one level: the error is spread, not a few elements.
MAX_LEADS = 3
#: Rounding of the analytic value ``Σ g_i s_i`` and of the cost's derivative terms, in ulps of ``Σ|g_i s_i|``.
ANALYTIC_ULPS = 16.0


@dataclass(frozen=True)
class Group:
    """Elements of block ``block``: ``axis="flat"`` is the block's column-major range
    ``[lo, hi)``; ``axis="rows"`` is rows ``lo .. hi-1`` in every column."""

    block: int
    axis: str
    lo: int
    hi: int

    @property
    def units(self) -> int:
        return self.hi - self.lo


@dataclass(frozen=True)
class Measurement:
    """The numerical derivative along a group direction, its analytic value and estimated error.

    ``sigma`` bounds ``|value - true|`` (truncation + rounding of ``f`` +
    rounding of the step and of the analytic value); ``evals`` counts the
    function evaluations spent.
    """

    value: float
    analytic: float
    sigma: float
    how: str
    evals: int = 0
    #: the part of ``sigma`` that is truncation (a smaller step could shrink it)
    trunc: float = 0.0

    @property
    def gap(self) -> float:
        return abs(self.value - self.analytic)

    @property
    def score(self) -> float:
        """Disagreement in units of ``SIGNIFICANT·sigma`` (>1 disagrees)."""
        if not np.isfinite(self.gap):
            return float("inf")
        lim = SIGNIFICANT * self.sigma
        return self.gap / lim if lim > 0 else (float("inf") if self.gap > 0 else 0.0)

    @property
    def significant(self) -> bool:
        return self.score > 1.0

    def minus(self, other: Measurement) -> Measurement:
        """The complement group's measurement, inferred (derivatives add over disjoint groups)."""
        return Measurement(self.value - other.value, self.analytic - other.analytic, self.sigma + other.sigma,
                           "inferred", 0)

    def to_dict(self) -> dict:
        return {"numerical": self.value, "analytic": self.analytic, "sigma": self.sigma, "estimate": self.how,
                "evaluations": self.evals}


def central_measurement(f_t: tuple[float, float], f_half: tuple[float, float], t: float, analytic: float,
                        abs_analytic: float, noise: float, eps: float,
                        f_quarter: tuple[float, float] | None = None) -> Measurement:
    """Richardson value and error estimate from ``f(x ± t s)``, ``f(x ± t/2 s)`` (and ``t/4``).

    ``D(h) = (f(x+hs) - f(x-hs)) / 2h`` has error ``c·h²``: ``R = (4 D(t/2) - D(t)) / 3``
    cancels it, and ``|D(t) - D(t/2)|`` (four times ``R``'s leading error
    term would be ``3/4·c·t²``) bounds what is left. With ``t/4`` as well,
    the next extrapolation's change bounds the error instead (numdifftools'
    rule). Rounding: ``noise`` per evaluation of ``f`` gives at most
    ``3·noise/t`` in ``R``; the rounding of each moved element
    (``eps·|x_i|``, at most ``eps/t`` of its step) and of the analytic sum
    add ``eps·Σ|g_i s_i|·(ANALYTIC_ULPS + 1/t)``.
    """
    d1 = (f_t[0] - f_t[1]) / (2.0 * t)
    d2 = (f_half[0] - f_half[1]) / t
    r1 = (4.0 * d2 - d1) / 3.0
    floor = eps * abs_analytic * (ANALYTIC_ULPS + 1.0 / t)
    if f_quarter is None:
        return Measurement(r1, analytic, abs(d1 - d2) + 3.0 * noise / t + floor, "richardson", 4, abs(d1 - d2))
    d3 = (f_quarter[0] - f_quarter[1]) / (t / 2.0)
    r2 = (4.0 * d3 - d2) / 3.0
    return Measurement(r2, analytic, abs(r1 - r2) + 6.0 * noise / t + floor, "richardson", 6, abs(r1 - r2))


def truncation_hides(m: Measurement) -> bool:
    """The disagreement would count without the truncation part of ``sigma``: worth a smaller step."""
    return not m.significant and m.trunc > 0 and m.gap > SIGNIFICANT * (m.sigma - m.trunc)


#: A block's root measurement whose central differences are this close to rounding alone
#: (``|D(t) - D(t/2)| <= ROUNDING_ONLY · noise/t``) and that misses significance by less than 4× is
#: retaken with steps 4× larger: rounding falls 4×, and ``|D - D|`` shows any truncation it costs.
ROUNDING_ONLY = 8.0
LARGER_STEP = 4.0


def rounding_hides(m: Measurement, noise: float, t: float) -> bool:
    """The root measurement is rounding-bound and a larger step might settle it (see ``ROUNDING_ONLY``)."""
    return (m.how == "richardson" and not m.significant and m.trunc <= ROUNDING_ONLY * noise / t
            and m.gap > SIGNIFICANT * m.sigma / LARGER_STEP)


def complex_measurement(imag_over_h: float, analytic: float, abs_analytic: float, eps: float) -> Measurement:
    """Complex step ``Im f(x + i·hc·s)/hc``: no subtraction, so only rounding of the terms remains."""
    return Measurement(imag_over_h, analytic, eps * ANALYTIC_ULPS * (abs_analytic + abs(imag_over_h)), "complex", 1)


def block_grid(shape: tuple[int, ...]) -> tuple[int, int]:
    """(rows, columns) of a block as the search sees it: trailing dimensions count as columns."""
    if len(shape) >= 2 and shape[0] > 1 and int(np.prod(shape[1:])) > 1:
        return int(shape[0]), int(np.prod(shape[1:]))
    return int(np.prod(shape)), 1


def group_view(block_values: np.ndarray, shape: tuple[int, ...], g: Group) -> np.ndarray:
    """The group's elements of a block's column-major values, as a view (writes go through)."""
    if g.axis == "flat":
        return block_values[g.lo:g.hi]
    nrows, ncols = block_grid(shape)
    return block_values.reshape(nrows, ncols, order="F")[g.lo:g.hi, :]


def search_budget(size: int) -> int:
    """Most measurements one block's search may spend (a few leads down a log2 tree, twice)."""
    return int(8 * MAX_LEADS * (np.ceil(np.log2(max(size, 2))) + 2))


@dataclass
class BlockSearch:
    """What the search concluded about one block.

    ``outcome``: ``"clean"`` (the block agrees), ``"elements"`` (single
    elements disagree: ``elements``, 0-based block-local flat indices),
    ``"columns"`` / ``"rows"`` (whole columns or rows disagree, 0-based),
    ``"spread"`` (too many places to name), ``"lost"`` (the block
    disagrees but no half does: the error estimate of the halves is too
    large) or ``"budget"``.
    """

    block: int
    root: Measurement
    outcome: str = "clean"
    elements: list[int] = field(default_factory=list)
    columns: list[int] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    measurements: int = 1
    evaluations: int = 0
    log: list[tuple[Group, Measurement]] = field(default_factory=list)
    #: flat indices (into x) the back end checked one by one to confirm the outcome
    confirm: list[int] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"outcome": self.outcome, "root": self.root.to_dict(), "elements": list(self.elements),
                "columns": list(self.columns), "rows": list(self.rows), "measurements": self.measurements,
                "evaluations": self.evaluations, "confirmed_with": list(self.confirm)}


@dataclass(frozen=True)
class SearchPlan:
    """Which blocks to search, each with the hash of its random signs, and the steps.

    ``t`` is the central step per unit of ``max(1, |x_i|)`` (every element of a
    group moves by its own element step), ``hc`` the complex step.
    """

    hashes: dict[int, np.ndarray]
    t: float
    hc: float


def plan_search(layout: Layout, prec: Precision, full: bool, directions: int, elements: int,
                rng: np.random.Generator) -> SearchPlan | None:
    """Search the blocks that were sampled (smaller ones were checked element by element)."""
    if full:
        return None
    hashes = {bi: random_hash(rng) for bi, b in enumerate(layout.blocks) if b.size > directions + elements}
    if not hashes:
        return None
    return SearchPlan(hashes, float(pow2(prec.h_rel)), prec.h_complex)


def confirm_elements(search: BlockSearch, shape: tuple[int, ...], g_block: np.ndarray,
                     x_block: np.ndarray) -> list[int]:
    """Block-local elements to check one by one: every element found, or per wrong column or row the
    element with the largest ``|g|`` and the one with the largest ``|x|`` (a wrong factor shows where
    g is large, a wrong penalty where θ is)."""
    if search.outcome == "elements":
        return list(search.elements)
    nrows, ncols = block_grid(shape)
    picks: list[int] = []
    lines = [("col", c) for c in search.columns] + [("row", r) for r in search.rows]
    for axis, k in lines:
        idx = np.arange(k * nrows, (k + 1) * nrows) if axis == "col" else k + nrows * np.arange(ncols)
        for values in (g_block, x_block):
            j = int(idx[int(np.argmax(np.abs(values[idx])))])
            if j not in picks:
                picks.append(j)
    return picks


class _Budget(Exception):
    pass


def _split(g: Group, nrows: int) -> tuple[Group, Group]:
    """Halves of a group: whole columns while it spans several, then elements (or rows)."""
    if g.axis == "flat" and g.units > nrows and g.lo % nrows == 0 and g.hi % nrows == 0:
        cols = g.units // nrows
        mid = g.lo + (cols // 2) * nrows
    else:
        mid = g.lo + g.units // 2
    return Group(g.block, g.axis, g.lo, mid), Group(g.block, g.axis, mid, g.hi)


def _bisect(root: Group, root_m: Measurement, measure: Callable[[Group], Measurement], nrows: int,
            state: BlockSearch, budget: int) -> tuple[str, list[Group]]:
    frontier = [(root, root_m)]
    while True:
        nxt: list[tuple[Group, Measurement]] = []
        for g, m in frontier:
            if g.units <= 1:
                nxt.append((g, m))
                continue
            a, b = _split(g, nrows)
            if state.measurements + 2 > budget:
                raise _Budget
            ma = measure(a)
            state.measurements += 1
            state.log.append((a, ma))
            if ma.significant:
                nxt.append((a, ma))
            # The other half is inferred first; measured when the inference says (or leaves open) that it
            # disagrees, so a descent never stacks inferred errors.
            if m.minus(ma).significant or not ma.significant:
                mb = measure(b)
                state.measurements += 1
                state.log.append((b, mb))
                if mb.significant:
                    nxt.append((b, mb))
        if not nxt:
            return "lost", [g for g, _ in frontier]
        if len(nxt) > MAX_LEADS:
            return "spread", [g for g, _ in nxt]
        if all(g.units <= 1 for g, _ in nxt):
            return "done", [g for g, _ in nxt]
        frontier = nxt


def search_block(block: int, shape: tuple[int, ...], measure: Callable[[Group], Measurement]) -> BlockSearch:
    """Run the search on one block (see the module notes); ``measure`` evaluates one group."""
    size = int(np.prod(shape))
    nrows, ncols = block_grid(shape)
    root = Group(block, "flat", 0, size)
    root_m = measure(root)
    state = BlockSearch(block, root_m)
    state.log.append((root, root_m))
    if not root_m.significant:
        return state
    budget = search_budget(size)
    try:
        how, groups = _bisect(root, root_m, measure, nrows, state, budget)
        if how == "done":
            state.outcome, state.elements = "elements", sorted(g.lo for g in groups)
        elif how == "lost":
            state.outcome = "lost"
        else:
            cols = sorted({c for g in groups for c in range(g.lo // nrows, (g.hi - 1) // nrows + 1)})
            if ncols > 1 and len(cols) <= MAX_LEADS and all(g.units <= nrows for g in groups):
                state.outcome, state.columns = "columns", cols
            elif ncols > 1:
                # Spread along the columns: a wrong row (one unit's weights) touches every column.
                rows_root = Group(block, "rows", 0, nrows)
                how, groups = _bisect(rows_root, root_m, measure, nrows, state, budget)
                if how == "done":
                    state.outcome, state.rows = "rows", sorted(g.lo for g in groups)
                else:
                    state.outcome = "spread" if how == "spread" else "lost"
            else:
                state.outcome = "spread"
    except _Budget:
        state.outcome = "budget"
    return state
