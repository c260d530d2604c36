"""What the trace tests share: the debug network's inputs and reading the lines a finding names."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from portcheck.inputs import debug_dataset, debug_weights

NN_LAYOUT = [("Theta1", (5, 4)), ("Theta2", (3, 6))]


def nn_args(lam: float = 1.0):
    """ex4 nnCostFunction's arguments for the 3-5-3 debug network (m = 5), as the course checks it."""
    T1, T2 = debug_weights(5, 3), debug_weights(3, 5)
    X, y = debug_dataset(5, 3, 3)
    return (np.concatenate([T1.ravel(order="F"), T2.ravel(order="F")]), 3, 5, 3, X, y, lam)


def line_at(location) -> str:
    """The source line a finding's ``(path, line)`` names."""
    path, line = location
    return Path(path).read_text().splitlines()[line - 1]


def located_errors(report):
    """The error findings that name a line of the port."""
    return [f for f in report.findings if f.severity == "error" and f.port_location is not None]
