"""Logistic regression: faithful ports of ``matlab_refs/ex2``.

Conventions matched
-------------------
- ``X`` already carries the bias column of ones (first column), as the course
  builds it before calling these functions; ``theta[0]`` is the bias.
- Parameter vectors and gradients are 1-D, shape ``(n + 1,)``, which is what
  ``scipy.optimize.minimize(..., jac=True)`` expects; a 1-D array reaches
  Octave as the column ``theta``.
- ``y`` may be ``(m,)`` or ``(m, 1)``: it is flattened first, because an
  ``(m, 1)`` column minus the ``(m,)`` vector ``h`` would broadcast to
  ``(m, m)`` where MATLAB subtracts two columns.
- Predictions are float 0/1, like Octave's ``double(... >= 0.5)``.
"""

from __future__ import annotations

import numpy as np

from portcheck.inputs import debug_dataset, debug_weights

from ._case import Case
from .common import sigmoid

__all__ = ["cost_function", "cost_function_reg", "predict", "map_feature", "CASES"]


def cost_function(theta: np.ndarray, X: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Cross-entropy cost of logistic regression and its gradient (port of ``costFunction.m``).

    Parameters
    ----------
    theta : ndarray, shape (n + 1,)
        Parameters; ``theta[0]`` multiplies the bias column.
    X : ndarray, shape (m, n + 1)
        Design matrix whose first column is all ones.
    y : ndarray, shape (m,) or (m, 1)
        Labels in {0, 1}.

    Returns
    -------
    J : float
        ``-(y @ log(h) + (1 - y) @ log(1 - h)) / m`` with ``h = sigmoid(X @ theta)``.
    grad : ndarray, shape (n + 1,)
        ``X.T @ (h - y) / m``.
    """
    theta = np.asarray(theta, dtype=np.float64).reshape(-1)
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    m = y.size
    h = sigmoid(X @ theta)
    J = -(y @ np.log(h) + (1 - y) @ np.log(1 - h)) / m
    grad = X.T @ (h - y) / m
    return float(J), grad


def cost_function_reg(
    theta: np.ndarray, X: np.ndarray, y: np.ndarray, lambda_: float
) -> tuple[float, np.ndarray]:
    """Regularized logistic-regression cost and gradient (port of ``costFunctionReg.m``).

    Parameters
    ----------
    theta : ndarray, shape (n + 1,)
        Parameters; the bias ``theta[0]`` is not regularized.
    X : ndarray, shape (m, n + 1)
        Design matrix, first column all ones.
    y : ndarray, shape (m,) or (m, 1)
        Labels in {0, 1}.
    lambda_ : float
        Regularization strength.

    Returns
    -------
    J : float
        :func:`cost_function`'s cost ``+ lambda_ / (2 * m) * sum(theta[1:] ** 2)``.
    grad : ndarray, shape (n + 1,)
        Entries ``1:`` gain ``lambda_ / m * theta[1:]``.
    """
    theta = np.asarray(theta, dtype=np.float64).reshape(-1)
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    m = y.size
    h = sigmoid(X @ theta)
    # A copy with the bias zeroed, as the reference does: theta itself is the
    # caller's array and must not change.
    penalized = theta.copy()
    penalized[0] = 0.0
    J = -(y @ np.log(h) + (1 - y) @ np.log(1 - h)) / m + lambda_ / (2 * m) * (penalized @ penalized)
    grad = X.T @ (h - y) / m + (lambda_ / m) * penalized
    return float(J), grad


def predict(theta: np.ndarray, X: np.ndarray) -> np.ndarray:
    """Logistic-regression predictions 0/1 (port of ``ex2/predict.m``).

    Parameters
    ----------
    theta : ndarray, shape (n + 1,)
    X : ndarray, shape (m, n + 1)
        Design matrix, first column all ones.

    Returns
    -------
    ndarray, shape (m,)
        Float 1.0 where ``sigmoid(X @ theta) >= 0.5``, else 0.0 (Octave's
        ``double(...)``).
    """
    theta = np.asarray(theta, dtype=np.float64).reshape(-1)
    X = np.asarray(X, dtype=np.float64)
    return (sigmoid(X @ theta) >= 0.5).astype(np.float64)


def map_feature(X1: np.ndarray, X2: np.ndarray) -> np.ndarray:
    """Polynomial features of two inputs up to degree 6 (port of ``mapFeature.m``).

    Parameters
    ----------
    X1, X2 : array_like, shape (m,), (m, 1) or scalar
        The two input features.

    Returns
    -------
    ndarray, shape (m, 28)
        A column of ones, then ``X1**(d - j) * X2**j`` for ``d = 1..6`` and
        ``j = 0..d``, in that order (the reference's loop order).
    """
    # X1(:) in the reference: any vector or a scalar becomes a column.
    x1 = np.asarray(X1, dtype=np.float64).reshape(-1)
    x2 = np.asarray(X2, dtype=np.float64).reshape(-1)
    columns = [np.ones(x1.size)]
    for d in range(1, 7):
        for j in range(d + 1):
            columns.append(x1 ** (d - j) * x2**j)
    return np.column_stack(columns)


# ----------------------------------------------------------------------------
# catalogue

_M = 12


def _points() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Two features in [-1, 1] and alternating 0/1 labels, 12 examples."""
    X, labels = debug_dataset(_M, 2, 2)
    X = 10.0 * X
    return X[:, 0].copy(), X[:, 1].copy(), labels - 1.0


def _design() -> tuple[np.ndarray, np.ndarray]:
    x1, x2, y = _points()
    return np.column_stack([np.ones(_M), x1, x2]), y


def _linear_theta() -> np.ndarray:
    # Large enough that the predictions mix 0 and 1 on these points.
    return 5.0 * debug_weights(3, 0).reshape(-1)


def _cost_args() -> tuple:
    X, y = _design()
    return (_linear_theta(), X, y)


def _cost_reg_args() -> tuple:
    x1, x2, y = _points()
    X = map_feature(x1, x2)
    theta = debug_weights(X.shape[1], 0).reshape(-1)
    return (theta, X, y, 3.0)


def _predict_args() -> tuple:
    X, _ = _design()
    return (_linear_theta(), X)


def _map_feature_args() -> tuple:
    x1, x2, _ = _points()
    return (x1, x2)


CASES: list[Case] = [
    Case(
        name="ex2.costFunction",
        octave="costFunction",
        port=cost_function,
        make_args=_cost_args,
        gradient=True,
        layout=[("theta", (3,))],
        outputs=("J", "grad"),
        description="Logistic cost on 12 examples, 2 features plus bias, labels alternating 0/1.",
    ),
    Case(
        name="ex2.costFunctionReg",
        octave="costFunctionReg",
        port=cost_function_reg,
        make_args=_cost_reg_args,
        gradient=True,
        layout=[("theta", (28,))],
        outputs=("J", "grad"),
        description="Regularized logistic cost (lambda 3) on the 28 mapFeature columns of 12 points.",
    ),
    Case(
        name="ex2.predict",
        octave="ex2/predict",
        port=predict,
        make_args=_predict_args,
        outputs=("p",),
        description="0/1 predictions of 12 points; both classes occur.",
    ),
    Case(
        name="ex2.mapFeature",
        octave="mapFeature",
        port=map_feature,
        make_args=_map_feature_args,
        outputs=("out",),
        description="Degree-6 features of 12 points in [-1, 1]: 12×28, column order matters.",
    ),
]
