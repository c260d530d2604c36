"""Deterministic full-rank data for the catalogue (computed in Python, sent to both sides).

:func:`portcheck.debug_weights` is the right input for weights, but as data it
is degenerate: its columns are phase-shifted sines, ``sin(k + c) = sin(k)cos(c)
+ cos(k)sin(c)``, so any such matrix has rank at most 2. A covariance built
from it is singular and PCA's trailing singular vectors are arbitrary, which
no comparison can pin down.
"""

from __future__ import annotations

import numpy as np

__all__ = ["scattered"]


def scattered(m: int, n: int, scale: float = 1.0) -> np.ndarray:
    """An m×n matrix of values in [-scale, scale] with full rank, filled column-major.

    Parameters
    ----------
    m, n : int
        Shape.
    scale : float
        Largest magnitude.

    Returns
    -------
    ndarray, shape (m, n)
        ``scale * sin(k**2 / 7)`` for k = 1, 2, ... in column-major order: the
        quadratic phase makes the columns independent.
    """
    k = np.arange(1, m * n + 1, dtype=np.float64)
    return scale * np.reshape(np.sin(k * k / 7.0), (m, n), order="F")
