"""Optimizer outcomes side by side: ``scipy.optimize.minimize`` on the port, fmincg/fminunc on the reference.

A port whose cost and gradient agree with the reference can still train a
different model: SciPy's L-BFGS-B is not the course's conjugate gradients, a
network has many minima, and the objective handed to ``minimize`` is one more
place for a mistake (``lambda x: cost(initial_theta, ...)``). This module runs
both optimizers from the same ``x0`` with comparable stopping rules and says
which of these happened:

- the cost or gradient already differs at ``x0`` (:func:`portcheck.compare`
  runs first, its findings are included and the optimizer outcome is read as
  their consequence, never as an optimizer difference);
- the objective ignores its argument (``lambda-capture``: the cost and
  gradient do not change when ``x`` does, and scipy returns ``x0``);
- SciPy failed (``optimizer``: ``ABNORMAL`` from the line search, or
  ``maxiter`` reached far from the reference's minimum) — a gradient check
  runs automatically and its findings are attached;
- ``x0`` or the labels have a shape SciPy cannot use (``shape``);
- both converged to the same minimum (no finding), or to different minima of
  a non-convex problem (``local-minimum``, with training accuracies when
  given).

The whole Octave optimization is one bridge call of
``matlab_refs/portcheck/portcheck_minimize.m``, which builds the function
handle inside Octave (a handle cannot cross the bridge).

The code is split along those concerns, one private module each:

- ``_tolerances``: the stopping rules and tolerances shared by all parts;
- ``_runs``: one side's optimization (:class:`OptimizerRun`, the Octave and
  SciPy runners);
- ``_evidence``: what SciPy will see on the Python side (shapes, captured
  arguments, errors of the port);
- ``_judge``: reading two finished runs against each other, and the
  automatic gradient check;
- ``_reporting``: tables and the cost-curve plot;
- ``_minimize``, ``_result``: the entry points :func:`compare_minimize` and
  :func:`check_minimize_result`;
- ``_digits``: the demo :func:`train_digits`.
"""

from __future__ import annotations

from ._digits import DIGITS_SUBSET, train_digits
from ._minimize import compare_minimize
from ._result import check_minimize_result
from ._runs import OCTAVE_OPTIMIZERS, OptimizerRun
from ._tolerances import (
    COST_ATOL,
    COST_RTOL,
    DEFAULT_GTOL,
    FAR_FRACTION,
    FMINUNC_TOLFUN,
    PARAM_RTOL,
    SEGMENT_POINTS,
)

__all__ = [
    "compare_minimize",
    "check_minimize_result",
    "train_digits",
    "OptimizerRun",
    "DEFAULT_GTOL",
    "COST_RTOL",
    "COST_ATOL",
    "FAR_FRACTION",
    "OCTAVE_OPTIMIZERS",
]
