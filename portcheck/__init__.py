"""portcheck: prove a MATLAB/Octave routine and its NumPy port compute the same thing.

The public API is what ``__all__`` lists; every other module is an
implementation detail. Importing portcheck never starts Octave.
"""

from __future__ import annotations

from .compare import assert_port, compare
from .errors import PortcheckError
from .gradients import assert_gradient, check_gradient
from .inputs import Layout, debug_dataset, debug_weights
from .octave import Octave
from .optimize import check_minimize_result, compare_minimize
from .report import KINDS, Finding, Report

__version__ = "0.1.0"

__all__ = [
    "Octave",
    "compare",
    "assert_port",
    "check_gradient",
    "assert_gradient",
    "compare_minimize",
    "check_minimize_result",
    "Layout",
    "debug_weights",
    "debug_dataset",
    "Report",
    "Finding",
    "KINDS",
    "PortcheckError",
    "__version__",
]
