"""The stopping rules and tolerances both optimizers and the verdicts share.

They live apart from the code that uses them because three parts read them:
the runners (to give SciPy and Octave comparable stopping rules), the judging
of two finished runs (to say "same minimum" or "far from it"), and the public
entry points (as defaults users see and can override). Each value carries the
reasoning that fixed it.
"""

from __future__ import annotations

#: Gradient tolerance shared by both sides: SciPy's ``gtol`` (L-BFGS-B, CG,
#: BFGS and TNC all stop once ``max|grad| <= gtol``) and fmincg's ``TolFun``,
#: which is the same test. 1e-5 is L-BFGS-B's own default.
DEFAULT_GTOL = 1e-5

#: Two final costs are "the same minimum" when they agree to
#: ``COST_ATOL + COST_RTOL * |J_octave|``. At a point where ``max|grad| <= gtol``
#: the cost exceeds the minimum by about ``|grad|**2 / (2 mu)`` (``mu`` the
#: smallest curvature), i.e. ~1e-10 relative for the corpus problems; L-BFGS-B's
#: relative-reduction stop (``ftol`` = 2.2e-9) is of the same order. 1e-6 leaves
#: a margin of more than 100 for ill-conditioning, while a different local
#: minimum of a network differs at the percent level.
COST_RTOL = 1e-6
#: Absolute floor for costs that converge to (nearly) zero.
COST_ATOL = 1e-10

#: A run that stopped at ``maxiter`` is "far from the reference's minimum" when
#: the cost left to go, ``J_python - J_octave``, exceeds this fraction of the
#: decrease the reference achieved from ``x0``. Different algorithms progress
#: differently per iteration (CG needs more iterations than L-BFGS), so a port
#: trailing by a few percent of the decrease is normal; trailing by 10 % after
#: the same number of iterations is worth a gradient check.
FAR_FRACTION = 0.1

#: Final parameters of two runs at the same cost are worth a note (an
#: equivalent minimum: permuted hidden units, or a flat valley such as the
#: unregularized bias column) when a block differs by more than this fraction
#: of its largest entry.
PARAM_RTOL = 1e-2

#: Points on the segment between the two final parameter vectors at which the
#: cost is evaluated to tell another minimum (the cost rises in between: a
#: barrier) from one basin left at different heights (it does not).
SEGMENT_POINTS = 17

#: fminunc's ``TolFun`` tests the relative reduction ``(f - f1) / (|f| + |f1|)``
#: of a step, where L-BFGS-B tests ``(f_k - f_k+1) / max(|f_k|, |f_k+1|, 1)``
#: against ``ftol = 2.2e-9``: half of that is the comparable stopping rule.
FMINUNC_TOLFUN = 1.1e-9
