"""Static checks of a port's source: patterns that usually mean a porting mistake.

The linter reads Python source with :mod:`ast` only; it never imports or runs
the port and never talks to Octave. Each rule has a short, stable id (a public
contract: suppressions and CI configurations name it), a one-line message, the
fix, and the page of ``migration_guide/`` that explains the pitfall.

=====================  ========  =====================================================
rule                   severity  flags
=====================  ========  =====================================================
``reshape-order``      warning   reshape/ravel/flatten of weights or parameter vectors
                                 without ``order=`` (MATLAB is column-major)
``std-ddof``           warning   ``std``/``var`` without ``ddof=`` (MATLAB divides by N-1)
``precedence``         warning   ``lamb / 2 * m``: divides by 2, then multiplies by m
``lambda-capture``     warning   an objective whose parameter is unused (closes over a
                                 fixed theta)
``late-binding``       warning   a closure stored inside a loop that reads the loop
                                 variable at call time
``example-count``      warning   ``m = X.shape[1]``: MATLAB's ``size(X, 1)`` is ``shape[0]``
``matmul-elementwise`` warning   ``@``/``np.dot`` on an activation derivative, or ``*``
                                 between weights and activations
``int-division``       warning   ``1 // m``, ``x // m``, ``d // (2 * eps)``: floor division
                                 where MATLAB divides
``index-tuple``        warning   ``a[[rows, cols]]``: a list of two index arrays
``round-half``         info      ``np.round``/``round``: half to even, MATLAB rounds half
                                 away from zero
``rem-mod``            info      ``%``/``np.mod`` where the code mentions ``rem``: signs
                                 differ for negative operands
=====================  ========  =====================================================

A line ending in ``# portcheck: ignore`` is skipped; ``# portcheck: ignore[rule-id,
other-id]`` skips only the rules named.

The code is split along its concerns: ``_rules`` the catalogue and the issue
type, ``_api`` the entry points, ``_checker`` the pass over the tree, the
``_rules_*`` modules the rules by family (``layout``, ``closures``,
``arithmetic``), ``_names`` the name heuristics they share.

Examples
--------
>>> from portcheck.lint import lint_source
>>> for issue in lint_source("m = X.shape[1]\\n"):
...     print(issue.rule, issue.line)
example-count 1
"""

from __future__ import annotations

from ._api import lint_findings, lint_file, lint_object, lint_source
from ._rules import RULES, LintIssue, Rule

__all__ = ["LintIssue", "Rule", "RULES", "lint_source", "lint_file", "lint_object", "lint_findings"]
