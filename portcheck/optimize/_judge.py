"""Judging two finished runs: the same minimum, another one, or a mistake.

Given the Octave and the SciPy :class:`~portcheck.optimize.OptimizerRun`,
:func:`_judge` names the difference (``optimizer``, ``local-minimum``, or a
note that it is a stopping-rule difference) and decides whether a gradient
check at ``x0`` should run to say whether the port's gradient is to blame;
the helpers here run that check and fold its findings in.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ..errors import InputError, LayoutError, PortError
from ..gradients import check_gradient
from ..inputs import Layout
from ..report import Finding, Report
from ._reporting import _block_rows
from ._runs import OptimizerRun, _cost_grad
from ._tolerances import COST_ATOL, FAR_FRACTION, PARAM_RTOL, SEGMENT_POINTS

def _tolerance(reference_cost: float, cost_rtol: float) -> float:
    return COST_ATOL + cost_rtol * abs(reference_cost)


def _gradient_check(fun: Callable[..., Any], x0: np.ndarray, args: tuple, layout: Layout | None
                    ) -> tuple[Report | None, str | None]:
    """check_gradient at x0, or why it could not run."""
    try:
        return check_gradient(fun, x0, args=args, layout=layout), None
    except (InputError, LayoutError, PortError) as exc:
        return None, f"the gradient check could not run: {exc}"


def _consistent_gradient(finding: Finding) -> Finding:
    """An ``optimizer`` error restated once the gradient check has cleared the gradient."""
    if finding.kind != "optimizer" or finding.severity != "error":
        return finding
    head = finding.message.split(". The line search")[0]
    return replace(finding, severity="warning", message=(
        f"{head}. The cost and gradient match the reference at x0 and the gradient check finds them consistent, "
        "so the port is not to blame: the problem is badly scaled or flat for this method (normalize the "
        "features, or try method='CG' / 'BFGS', or a larger gtol)."))


def _new_gradient_findings(grad_report: Report, known: Sequence[Finding]) -> list[Finding]:
    """The gradient check's findings that add something to those already reported.

    When every error it found is of a kind compare (or the capture probe)
    already reported, it only confirms them; otherwise its findings of new
    kinds are attached.
    """
    kinds = {f.kind for f in known}
    errors = {f.kind for f in grad_report.errors}
    if errors and errors <= kinds:
        return []
    return [f for f in grad_report.findings if f.kind not in kinds]


def _gradient_verdict(grad_report: Report) -> str:
    if grad_report.ok:
        return "the gradient is consistent with the cost."
    kinds = ", ".join(sorted({f.kind for f in grad_report.errors}))
    return f"the gradient is inconsistent with the cost ({kinds})."


def _stop_words(run: OptimizerRun) -> str:
    return f"{run.label} stopped after {run.iterations} iterations ({run.message}) at cost {run.cost:.6g}"


@dataclass
class _Judgement:
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    gradient_check: bool = False
    gradient_reason: str = ""


def _barrier(objective: Callable[[np.ndarray], Any], xa: np.ndarray, xb: np.ndarray,
             tol: float) -> dict[str, Any] | None:
    """How far the cost rises above both ends on the segment from ``xa`` to ``xb`` (None: not evaluable).

    Two points in one convex basin see no rise (the cost on the segment stays
    below the larger end); two minima of a non-convex cost are separated by a
    ridge.
    """
    t = np.linspace(0.0, 1.0, SEGMENT_POINTS)
    try:
        costs = np.array([_cost_grad(objective((1 - ti) * xa + ti * xb))[0] for ti in t])
    except Exception:  # noqa: BLE001 - an objective failing off the path is reported elsewhere
        return None
    if not np.all(np.isfinite(costs)):
        return None
    ends = max(costs[0], costs[-1])
    peak = int(np.argmax(costs[1:-1])) + 1
    return {"height": float(costs[peak] - ends), "at": float(t[peak]), "points": SEGMENT_POINTS,
            "costs": costs, "tolerance": tol}


def _judge(oc: OptimizerRun, py: OptimizerRun, x0_ok: bool, captured: bool, cost_rtol: float,
           objective: Callable[[np.ndarray], Any], layout: Layout,
           accuracies: Mapping[str, float] | None) -> _Judgement:
    """Name the difference between two finished runs (the gradient check is decided here, run later)."""
    j = _Judgement()
    tol = _tolerance(oc.cost, cost_rtol)
    gap = py.cost - oc.cost
    decrease = max(float(oc.trajectory[0]) - oc.cost, 0.0)
    far = gap > max(tol, FAR_FRACTION * decrease)
    same = abs(gap) <= tol
    ev = {"octave_cost": oc.cost, "python_cost": py.cost, "difference": gap, "tolerance": tol,
          "octave_decrease": decrease, "python_message": py.message, "python_status": py.status,
          "python_iterations": py.iterations}
    cause = ("" if x0_ok else " The cost or gradient already differs from the reference at x0 (see the findings "
             "above): that, not the optimizer, is the mistake to fix first.")
    acc = ""
    if accuracies:
        acc = " Training accuracy: " + ", ".join(f"{k} {v:.2%}" for k, v in accuracies.items()) + "."

    if captured:
        if not py.converged:
            j.findings.append(Finding(
                "optimizer", "warning",
                f"{_stop_words(py)}: a consequence of the objective ignoring its argument (lambda-capture).",
                evidence=ev))
            j.gradient_check, j.gradient_reason = True, "scipy did not converge"
        return j

    if py.failed:
        j.gradient_check = True
        j.gradient_reason = f"scipy stopped with {py.message!r}"
        abnormal = "ABNORMAL" in py.message.upper()
        line_search = " (ABNORMAL_TERMINATION_IN_LNSRCH in SciPy < 1.15)" if abnormal else ""
        if far or not x0_ok:
            j.findings.append(Finding(
                "optimizer", "error",
                f"{_stop_words(py)}{line_search}, far from the reference's minimum {oc.cost:.6g} "
                f"({oc.label}). The line search found no decrease along the search direction, which happens "
                "when the gradient does not belong to the cost (a sign, a factor, a missing term): see the "
                f"gradient check below.{cause}",
                evidence=ev))
        else:
            j.findings.append(Finding(
                "optimizer", "info",
                f"{_stop_words(py)}{line_search} at the reference's minimum ({oc.cost:.6g}, difference "
                f"{gap:.1e}): the cost cannot decrease by more than its rounding there. Harmless; a larger gtol "
                "ends the run cleanly.",
                evidence=ev))
        return j

    if py.maxiter_reached and far:
        j.gradient_check = True
        j.gradient_reason = "scipy reached maxiter far from the reference's minimum"
        j.findings.append(Finding(
            "optimizer", "warning",
            f"{_stop_words(py)}: maxiter reached with {gap:.3g} of cost still above the reference's "
            f"{oc.cost:.6g} ({gap / decrease if decrease else math.inf:.0%} of the reference's decrease from x0). "
            "A gradient inconsistent with the cost slows every step (see the gradient check); if it is "
            f"consistent, raise maxiter or try another method.{cause}",
            evidence=ev))
        return j

    if not x0_ok:
        if not same:
            j.notes.append(f"The final costs differ by {gap:.3g}: expected, since the two functions already "
                           "differ at x0.")
        return j

    if same:
        j.notes.append(f"Same minimum: the final costs agree to {abs(gap):.1e} (tolerance {tol:.1e} = "
                       f"{COST_ATOL:g} + {cost_rtol:g}·|J|).")
        worst = max(_block_rows(layout, oc.x, py.x), key=lambda r: r[3])
        if worst[3] > PARAM_RTOL:
            j.notes.append(f"The final parameters differ most in block {worst[0]} ({worst[3]:.1%} of its largest "
                           "entry) at the same cost: the cost is flat along those directions (an unregularized "
                           "bias, hidden units in another order), so both answers are minima.")
        return j

    if oc.converged and py.converged or (py.converged and gap > 0):
        barrier = _barrier(objective, py.x, oc.x, tol)
        if barrier is not None and barrier["height"] > tol:
            better = "lower" if gap < 0 else "higher"
            j.findings.append(Finding(
                "local-minimum", "info",
                f"Both optimizers stopped at a minimum, PYTHON's cost {py.cost:.6g} is {better} than OCTAVE's "
                f"{oc.cost:.6g} (difference {gap:.3g}), and the cost rises by {barrier['height']:.3g} between the "
                "two points: a non-convex problem reached another local minimum from the same x0 by another "
                f"algorithm. The cost and gradient match at x0, so this is not a porting mistake.{acc}",
                evidence={**ev, "barrier": barrier}))
            return j
        if barrier is not None:
            higher = py if gap > 0 else oc
            j.notes.append(
                f"The final costs differ by {gap:.3g}, but the cost never rises on the segment between the two "
                f"points: one basin, and {higher.label} stopped {abs(gap):.3g} above its bottom (max|grad| "
                f"{higher.grad_max:.1e}; {higher.message}). A stopping-rule difference, not the port (it matches "
                "at x0); lower gtol/ftol to compare minima more tightly."
            )
            return j

    who = [r.label for r in (oc, py) if r.maxiter_reached]
    j.notes.append(
        f"{' and '.join(who) or 'A side'} stopped at maxiter: the final costs differ by {gap:.3g} because the "
        "algorithms progress differently per iteration, not because of the port (it matches at x0). Raise "
        "maxiter to compare minima."
    )
    return j
