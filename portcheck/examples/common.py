"""Helpers shared by the logistic-regression and neural-network ports.

Ports of ``matlab_refs/common``: :func:`sigmoid` (used by ex2, ex3 and ex4),
plus the catalogue entries of the debug initializers, whose ports live in
:mod:`portcheck.inputs` (:func:`~portcheck.inputs.debug_weights`,
:func:`~portcheck.inputs.debug_dataset`).

``fmincg.m`` has no port on purpose: the Python side minimizes with
:func:`scipy.optimize.minimize` (``jac=True``), which takes the same
``(cost, grad)`` objective.
"""

from __future__ import annotations

import numpy as np

from portcheck.inputs import debug_dataset, debug_weights

from ._case import Case

__all__ = ["sigmoid", "CASES"]


def sigmoid(z: np.ndarray | float) -> np.ndarray:
    """Logistic function ``1 / (1 + exp(-z))``, element by element (port of ``sigmoid.m``).

    Parameters
    ----------
    z : array_like or float
        Any shape.

    Returns
    -------
    ndarray or numpy.float64
        Same shape as ``z``, values in [0, 1].

    Notes
    -----
    For ``z`` below about -709, ``exp(-z)`` overflows to ``inf`` and the
    result is exactly 0, as in Octave; Octave does it silently, so the
    overflow warning is silenced here too.
    """
    z = np.asarray(z, dtype=np.float64)
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-z))


def _sigmoid_args() -> tuple:
    # Spans the saturated tails and the centre, including an exact 0.
    z = 40.0 * debug_weights(4, 5)
    z[0, 0] = 0.0
    return (z,)


CASES: list[Case] = [
    Case(
        name="common.sigmoid",
        octave="sigmoid",
        port=sigmoid,
        make_args=_sigmoid_args,
        outputs=("g",),
        description="Logistic function on a 4×6 matrix with entries in [-4, 4] and one exact 0.",
    ),
    Case(
        name="common.debugInitializeWeights",
        octave="debugInitializeWeights",
        port=debug_weights,
        make_args=lambda: (5, 3),
        outputs=("W",),
        description="sin(1:20)/10 filled column-major into 5×4: must match bit for bit.",
    ),
    Case(
        name="common.debugDataset",
        octave="debugDataset",
        port=debug_dataset,
        make_args=lambda: (5, 3, 3),
        outputs=("X", "y"),
        description="The 5-example, 3-feature, 3-class dataset of the gradient check.",
    ),
]
