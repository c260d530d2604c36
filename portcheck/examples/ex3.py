"""One-vs-all logistic regression: faithful ports of ``matlab_refs/ex3``.

Conventions matched
-------------------
- Labels are 1-based (``1..num_labels``) as in MATLAB; they are compared with
  ``c`` in ``1..num_labels`` and only shifted (``- 1``) where they index.
- ``one_vs_all`` and ``predict_one_vs_all`` take ``X`` *without* the bias
  column and add it, as the references do; ``lr_cost_function`` takes it
  with the bias column.
- ``all_theta`` is ``(num_labels, n + 1)``: row ``c - 1`` is class ``c``.
- The reference trains with ``fmincg`` (50 iterations); the port uses
  :func:`scipy.optimize.minimize` with ``jac=True`` and ``maxiter=50``. On a
  regularized (strictly convex) problem both reach the unique minimum, so
  they agree to the optimizers' tolerance, not bit for bit.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize

from portcheck.inputs import debug_dataset, debug_weights

from ._case import Case
from .common import sigmoid

__all__ = ["lr_cost_function", "one_vs_all", "predict_one_vs_all", "CASES"]


def lr_cost_function(
    theta: np.ndarray, X: np.ndarray, y: np.ndarray, lambda_: float
) -> tuple[float, np.ndarray]:
    """Vectorized regularized logistic cost and gradient (port of ``lrCostFunction.m``).

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
    grad : ndarray, shape (n + 1,)
    """
    theta = np.asarray(theta, dtype=np.float64).reshape(-1)
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    m = y.size
    h = sigmoid(X @ theta)
    # [0; theta(2:end)] in the reference: a new array, theta is untouched.
    penalized = np.concatenate(([0.0], theta[1:]))
    J = -(y @ np.log(h) + (1 - y) @ np.log(1 - h)) / m + lambda_ / (2 * m) * np.sum(penalized**2)
    grad = (X.T @ (h - y) + lambda_ * penalized) / m
    return float(J), grad


def one_vs_all(X: np.ndarray, y: np.ndarray, num_labels: int, lambda_: float) -> np.ndarray:
    """Train one regularized logistic classifier per class (port of ``oneVsAll.m``).

    Parameters
    ----------
    X : ndarray, shape (m, n)
        Features without the bias column (added here).
    y : ndarray, shape (m,) or (m, 1)
        Labels ``1..num_labels`` (1-based).
    num_labels : int
        Number of classes K.
    lambda_ : float
        Regularization strength; > 0 makes each problem strictly convex.

    Returns
    -------
    ndarray, shape (K, n + 1)
        Row ``c - 1`` holds the parameters of "class c vs the rest".

    Notes
    -----
    Each class starts from zeros and runs at most 50 iterations, like the
    reference's ``fmincg`` with ``MaxIter`` 50. ``gtol`` is set far below
    SciPy's default so that, like ``fmincg``, the run is limited by the
    iteration budget or by rounding rather than stopped early.
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    num_labels = int(num_labels)
    m, n = X.shape
    Xb = np.column_stack([np.ones(m), X])
    all_theta = np.zeros((num_labels, n + 1))
    for c in range(1, num_labels + 1):
        yc = (y == c).astype(np.float64)
        res = minimize(
            lr_cost_function,
            np.zeros(n + 1),
            args=(Xb, yc, lambda_),
            jac=True,
            method="CG",
            options={"maxiter": 50, "gtol": 1e-12},
        )
        all_theta[c - 1, :] = res.x
    return all_theta


def predict_one_vs_all(all_theta: np.ndarray, X: np.ndarray) -> np.ndarray:
    """Class with the largest one-vs-all score (port of ``predictOneVsAll.m``).

    Parameters
    ----------
    all_theta : ndarray, shape (K, n + 1)
        As returned by :func:`one_vs_all`.
    X : ndarray, shape (m, n)
        Features without the bias column (added here).

    Returns
    -------
    ndarray, shape (m,)
        Float class labels ``1..K`` (1-based, as Octave's ``max`` returns
        them); ties go to the lowest label, as with ``max``.
    """
    all_theta = np.asarray(all_theta, dtype=np.float64)
    X = np.asarray(X, dtype=np.float64)
    scores = np.column_stack([np.ones(X.shape[0]), X]) @ all_theta.T
    return (np.argmax(scores, axis=1) + 1).astype(np.float64)


# ----------------------------------------------------------------------------
# catalogue


def _lr_args() -> tuple:
    X, labels = debug_dataset(10, 4, 3)
    Xb = np.column_stack([np.ones(10), 10.0 * X])
    theta = debug_weights(5, 0).reshape(-1)
    return (theta, Xb, (labels == 2).astype(np.float64), 3.0)


def _classes() -> tuple[np.ndarray, np.ndarray]:
    """20 examples, 3 features in [-1, 1], labels 1..4."""
    X, y = debug_dataset(20, 3, 4)
    return 10.0 * X, y


def _one_vs_all_args() -> tuple:
    X, y = _classes()
    return (X, y, 4, 1.0)


def _predict_args() -> tuple:
    X, _ = _classes()
    return (10.0 * debug_weights(4, 3), X)


_OPTIMIZER_NOTE = (
    " fmincg (Octave) and SciPy's CG (Python) minimize the same strictly convex function "
    "(lambda 1 > 0) and both stop with |grad| near 1e-9, so each row is within "
    "|grad| / mu of the unique minimum (mu: the Hessian's smallest eigenvalue, >= lambda/m "
    "on the penalized coordinates). Expect agreement to about 1e-8 absolute, not bit for bit: "
    "compare with atol ~1e-6 or with that bound."
)

CASES: list[Case] = [
    Case(
        name="ex3.lrCostFunction",
        octave="lrCostFunction",
        port=lr_cost_function,
        make_args=_lr_args,
        gradient=True,
        layout=[("theta", (5,))],
        outputs=("J", "grad"),
        description="Vectorized regularized logistic cost (lambda 3), 10 examples, 4 features plus bias.",
    ),
    Case(
        name="ex3.oneVsAll",
        octave="oneVsAll",
        port=one_vs_all,
        make_args=_one_vs_all_args,
        outputs=("all_theta",),
        atol=1e-6,
        description="4 classes, 20 examples, 3 features, lambda 1." + _OPTIMIZER_NOTE,
    ),
    Case(
        name="ex3.predictOneVsAll",
        octave="predictOneVsAll",
        port=predict_one_vs_all,
        make_args=_predict_args,
        outputs=("p",),
        description="Argmax over 4 one-vs-all scores of 20 examples; 1-based labels.",
    ),
]
