"""Regularized linear regression, bias vs variance: ports of ``matlab_refs/ex5``.

Conventions matched
-------------------
- The course's argument order is kept: ``linear_reg_cost_function(X, y, theta,
  lambda_)``, data first, parameters third (hence ``Case.wrt = 2``).
- Parameter vectors and gradients are 1-D, as ``scipy.optimize.minimize(jac=True)``
  expects; Octave receives a 1-D array as the column ``theta``.
- ``std`` in MATLAB normalizes by N-1: ``ddof=1``.
- Column statistics are taken down the rows, ``axis=0``, as MATLAB's ``mean(X)``
  and ``std(X)`` do on a matrix.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize

from portcheck.inputs import debug_weights

from ._case import Case

__all__ = [
    "linear_reg_cost_function",
    "train_linear_reg",
    "learning_curve",
    "poly_features",
    "feature_normalize",
    "CASES",
]


def linear_reg_cost_function(
    X: np.ndarray, y: np.ndarray, theta: np.ndarray, lambda_: float
) -> tuple[float, np.ndarray]:
    """Regularized least-squares cost and gradient (port of ``linearRegCostFunction.m``).

    Parameters
    ----------
    X : ndarray, shape (m, n + 1)
        Design matrix, first column the bias (ones).
    y : ndarray, shape (m,) or (m, 1)
        Targets.
    theta : ndarray, shape (n + 1,)
        Parameters (third argument, as in the course).
    lambda_ : float
        Regularization strength.

    Returns
    -------
    J : float
        ``|X theta - y|^2 / (2m) + lambda/(2m) * |theta[1:]|^2``.
    grad : ndarray, shape (n + 1,)
        The gradient with respect to ``theta``.

    Notes
    -----
    The bias ``theta[0]`` is not regularized.
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    theta = np.asarray(theta, dtype=np.float64).reshape(-1)
    m = y.size
    r = X @ theta - y
    # A copy with the bias zeroed keeps theta[0] out of the penalty.
    penalized = theta.copy()
    penalized[0] = 0.0
    J = (r @ r) / (2 * m) + lambda_ / (2 * m) * (penalized @ penalized)
    grad = (X.T @ r) / m + (lambda_ / m) * penalized
    return float(J), grad


def train_linear_reg(X: np.ndarray, y: np.ndarray, lambda_: float) -> np.ndarray:
    """Fit regularized linear regression (port of ``trainLinearReg.m``).

    Parameters
    ----------
    X : ndarray, shape (m, n + 1)
        Design matrix with the bias column.
    y : ndarray, shape (m,) or (m, 1)
        Targets.
    lambda_ : float
        Regularization strength.

    Returns
    -------
    theta : ndarray, shape (n + 1,)
        The minimizer found from ``zeros`` by :func:`scipy.optimize.minimize`
        (BFGS, at most 200 iterations, as the reference's ``MaxIter``).

    Notes
    -----
    The cost is a convex quadratic, so fmincg and SciPy reach the same theta
    up to their stopping tolerances, not bit for bit. ``gtol`` is set well
    below SciPy's default (1e-5) so the port stops where fmincg does: near a
    gradient of rounding size. SciPy's ``method='CG'`` is the closer
    algorithm, but on these problems its line search usually gives up about
    1e-8 (relative) short of the minimum ("precision loss"); BFGS usually
    gets within 1e-11. Either side may stop ~1e-8 short on an unlucky problem.
    """
    X = np.array(X, dtype=np.float64)
    y = np.array(y, dtype=np.float64).reshape(-1)
    start = np.zeros(X.shape[1])
    # The Octave reference wraps the cost as @(t) linearRegCostFunction(X, y, t, lambda);
    # minimize passes the variable first, so the same closure is needed here.
    result = minimize(
        lambda t: linear_reg_cost_function(X, y, t, lambda_),
        start,
        jac=True,
        method="BFGS",
        options={"maxiter": 200, "gtol": 1e-10},
    )
    return result.x


def learning_curve(
    X: np.ndarray, y: np.ndarray, Xval: np.ndarray, yval: np.ndarray, lambda_: float
) -> tuple[np.ndarray, np.ndarray]:
    """Training and validation error against training-set size (port of ``learningCurve.m``).

    Parameters
    ----------
    X : ndarray, shape (m, n + 1)
        Training design matrix with the bias column.
    y : ndarray, shape (m,)
        Training targets.
    Xval : ndarray, shape (m_val, n + 1)
        Validation design matrix.
    yval : ndarray, shape (m_val,)
        Validation targets.
    lambda_ : float
        Regularization used for training only.

    Returns
    -------
    error_train, error_val : ndarray, shape (m,)
        Entry ``i`` (0-based) is for a model trained on the first ``i + 1``
        examples; both errors are the cost with ``lambda_ = 0``.
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    Xval = np.asarray(Xval, dtype=np.float64)
    yval = np.asarray(yval, dtype=np.float64).reshape(-1)
    m = X.shape[0]
    error_train = np.zeros(m)
    error_val = np.zeros(m)
    for i in range(1, m + 1):
        theta = train_linear_reg(X[:i], y[:i], lambda_)
        error_train[i - 1] = linear_reg_cost_function(X[:i], y[:i], theta, 0.0)[0]
        error_val[i - 1] = linear_reg_cost_function(Xval, yval, theta, 0.0)[0]
    return error_train, error_val


def poly_features(X: np.ndarray, p: int) -> np.ndarray:
    """Powers 1..p of one feature (port of ``polyFeatures.m``).

    Parameters
    ----------
    X : ndarray, shape (m,) or (m, 1)
        The feature.
    p : int
        Highest power.

    Returns
    -------
    ndarray, shape (m, p)
        Column ``j - 1`` holds ``X ** j``; no bias column.
    """
    x = np.asarray(X, dtype=np.float64).reshape(-1)
    p = int(p)
    X_poly = np.zeros((x.size, p))
    for j in range(1, p + 1):
        X_poly[:, j - 1] = x**j
    return X_poly


def feature_normalize(X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Center each column and scale it to unit sample std (port of ``featureNormalize.m``).

    Parameters
    ----------
    X : ndarray, shape (m, n)
        One example per row.

    Returns
    -------
    X_norm : ndarray, shape (m, n)
    mu : ndarray, shape (n,)
        Column means (MATLAB returns a 1×n row).
    sigma : ndarray, shape (n,)
        Column standard deviations normalized by ``m - 1``, as MATLAB's ``std``.
    """
    X = np.asarray(X, dtype=np.float64)
    mu = X.mean(axis=0)
    X_norm = X - mu
    sigma = X_norm.std(axis=0, ddof=1)
    return X_norm / sigma, mu, sigma


# ----------------------------------------------------------------------------
# catalogue

#: Polynomial degree of the design matrices below.
_P = 3
_LAMBDA = 1.0


def _water(m: int, start: int) -> tuple[np.ndarray, np.ndarray]:
    """A deterministic 1-D regression set in the spirit of the dam data: x in [-40, 40]."""
    x = 400 * debug_weights(start + m, 0)[start:, 0]
    k = np.arange(start + 1, start + m + 1, dtype=np.float64)
    y = 12 + 0.6 * x + 0.015 * x**2 + 3 * np.cos(k)
    return x, y


def _design(x: np.ndarray) -> np.ndarray:
    """Bias column plus normalized powers 1.._P, normalized with the training set's statistics."""
    x_train, _ = _water(12, 0)
    train_poly = poly_features(x_train, _P)
    mu = train_poly.mean(axis=0)
    sigma = train_poly.std(axis=0, ddof=1)
    poly = (poly_features(x, _P) - mu) / sigma
    return np.column_stack([np.ones(x.size), poly])


def _train_args() -> tuple:
    x, y = _water(12, 0)
    return _design(x), y, _LAMBDA


def _cost_args() -> tuple:
    X, y, lambda_ = _train_args()
    theta = 10 * debug_weights(X.shape[1], 0)[:, 0]
    return X, y, theta, lambda_


def _curve_args() -> tuple:
    x, y = _water(12, 0)
    xv, yv = _water(9, 12)
    return _design(x), y, _design(xv), yv, _LAMBDA


def _poly_args() -> tuple:
    x, _ = _water(12, 0)
    return x, 6


def _normalize_args() -> tuple:
    x, _ = _water(12, 0)
    return (poly_features(x, 4),)


_OPTIMIZER_NOTE = (
    " Two optimizers (fmincg, SciPy's BFGS) on a strictly convex quadratic: they agree up to "
    "their stopping tolerances (1e-8 relative at worst here), not bit for bit; compare with "
    "rtol 1e-6, or each side against the normal-equations solution."
)

CASES: list[Case] = [
    Case(
        name="ex5.linearRegCostFunction",
        octave="linearRegCostFunction",
        port=linear_reg_cost_function,
        make_args=_cost_args,
        gradient=True,
        wrt=2,
        layout=[("theta", (1 + _P,))],
        outputs=("J", "grad"),
        description="Regularized linear-regression cost on a 12×4 polynomial design; bias not penalized.",
    ),
    Case(
        name="ex5.trainLinearReg",
        octave="trainLinearReg",
        port=train_linear_reg,
        make_args=_train_args,
        outputs=("theta",),
        description="fmincg (MaxIter 200) vs minimize(method='BFGS', jac=True)." + _OPTIMIZER_NOTE,
    ),
    Case(
        name="ex5.learningCurve",
        octave="learningCurve",
        port=learning_curve,
        make_args=_curve_args,
        outputs=("error_train", "error_val"),
        description="12 trainings on growing prefixes, errors on 9 validation examples." + _OPTIMIZER_NOTE,
    ),
    Case(
        name="ex5.polyFeatures",
        octave="polyFeatures",
        port=poly_features,
        make_args=_poly_args,
        outputs=("X_poly",),
        description="Powers 1..6 of 12 values in [-40, 40] (entries up to 4e9).",
    ),
    Case(
        name="ex5.featureNormalize",
        octave="ex5/featureNormalize",  # the course also has one in ex1
        port=feature_normalize,
        make_args=_normalize_args,
        outputs=("X_norm", "mu", "sigma"),
        description="Column normalization with the sample std (N-1), on 12×4 polynomial features.",
    ),
]
