"""Anomaly detection and collaborative filtering: ports of ``matlab_refs/ex8``.

Conventions matched
-------------------
- ``estimateGaussian`` normalizes the variance by ``m`` (``ddof=0``), the
  maximum-likelihood estimate the course uses; MATLAB's ``var`` would use m-1.
- ``selectThreshold`` walks Octave's range ``min:step:max`` (1001 candidates,
  ``min + i*step``, the last clipped to ``max``) and lets NaN F1 scores (no
  example flagged: 0/0) lose every comparison, as they do in MATLAB.
- ``cofiCostFunc`` unrolls ``[X(:); Theta(:)]`` column-major: ``order='F'``.
"""

from __future__ import annotations

import numpy as np

from portcheck.inputs import debug_weights

from ._case import Case
from ._data import scattered

__all__ = [
    "estimate_gaussian",
    "multivariate_gaussian",
    "select_threshold",
    "cofi_cost_func",
    "CASES",
]


def estimate_gaussian(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-feature mean and variance (port of ``estimateGaussian.m``).

    Parameters
    ----------
    X : ndarray, shape (m, n)
        One example per row.

    Returns
    -------
    mu : ndarray, shape (n,)
        Feature means (MATLAB: an n×1 column).
    sigma2 : ndarray, shape (n,)
        Feature variances normalized by ``m`` (``ddof=0``), as the course defines them.
    """
    X = np.asarray(X, dtype=np.float64)
    m = X.shape[0]
    mu = X.sum(axis=0) / m
    sigma2 = ((X - mu) ** 2).sum(axis=0) / m
    return mu, sigma2


def multivariate_gaussian(X: np.ndarray, mu: np.ndarray, Sigma2: np.ndarray) -> np.ndarray:
    """Multivariate normal density of each example (port of ``multivariateGaussian.m``).

    Parameters
    ----------
    X : ndarray, shape (m, k)
        One example per row.
    mu : ndarray, shape (k,)
        Means.
    Sigma2 : ndarray, shape (k, k) or (k,)
        Covariance; a vector (1-D, k×1 or 1×k) means ``diag(Sigma2)``.

    Returns
    -------
    p : ndarray, shape (m,)
        Densities (MATLAB: an m×1 column).
    """
    X = np.asarray(X, dtype=np.float64)
    mu = np.asarray(mu, dtype=np.float64).reshape(-1)
    Sigma2 = np.asarray(Sigma2, dtype=np.float64)
    k = mu.size
    if Sigma2.ndim < 2 or 1 in Sigma2.shape:
        # MATLAB's diag of a row or column builds the diagonal covariance.
        Sigma2 = np.diag(Sigma2.reshape(-1))
    centered = X - mu
    quad = np.sum((centered @ np.linalg.pinv(Sigma2)) * centered, axis=1)
    return (2 * np.pi) ** (-k / 2) * np.linalg.det(Sigma2) ** (-0.5) * np.exp(-0.5 * quad)


def _octave_range(lo: float, step: float, hi: float, count: int) -> np.ndarray:
    """Octave's ``lo:step:hi`` when it has ``count`` elements: ``lo + i*step``, last clipped to ``hi``."""
    values = lo + np.arange(count, dtype=np.float64) * step
    values[-1] = min(values[-1], hi)
    return values


def select_threshold(yval: np.ndarray, pval: np.ndarray) -> tuple[float, float]:
    """Threshold on the density with the best F1 score (port of ``selectThreshold.m``).

    Parameters
    ----------
    yval : ndarray, shape (m,)
        1 for an anomaly, 0 for a normal example.
    pval : ndarray, shape (m,)
        Densities of the same examples.

    Returns
    -------
    best_epsilon : float
        Examples with ``pval < best_epsilon`` are flagged.
    best_f1 : float
        The F1 score there.

    Notes
    -----
    The first of the 1001 candidates with the strictly largest F1 wins, as the
    reference's ``if F1 > bestF1`` does.
    """
    yval = np.asarray(yval, dtype=np.float64).reshape(-1)
    pval = np.asarray(pval, dtype=np.float64).reshape(-1)
    best_epsilon, best_f1 = 0.0, 0.0
    lo, hi = pval.min(), pval.max()
    step = (hi - lo) / 1000
    if step == 0:
        # lo:0:hi is an empty range in Octave: the loop body never runs.
        return best_epsilon, best_f1
    anomalous = yval == 1
    normal = yval == 0
    for epsilon in _octave_range(lo, step, hi, 1001):
        flagged = pval < epsilon
        tp = np.float64(np.count_nonzero(flagged & anomalous))
        fp = np.float64(np.count_nonzero(flagged & normal))
        fn = np.float64(np.count_nonzero(~flagged & anomalous))
        # 0/0 is NaN in MATLAB, and NaN > best is false; np.float64 division
        # behaves the same (Python floats would raise ZeroDivisionError).
        with np.errstate(invalid="ignore", divide="ignore"):
            prec = tp / (tp + fp)
            rec = tp / (tp + fn)
            f1 = 2 * prec * rec / (prec + rec)
        if f1 > best_f1:
            best_f1 = float(f1)
            best_epsilon = float(epsilon)
    return best_epsilon, best_f1


def cofi_cost_func(
    params: np.ndarray,
    Y: np.ndarray,
    R: np.ndarray,
    num_users: int,
    num_movies: int,
    num_features: int,
    lambda_: float,
) -> tuple[float, np.ndarray]:
    """Collaborative-filtering cost and gradient (port of ``cofiCostFunc.m``).

    Parameters
    ----------
    params : ndarray, shape (num_movies*num_features + num_users*num_features,)
        ``[X(:); Theta(:)]`` column-major: ``X`` (num_movies, num_features),
        then ``Theta`` (num_users, num_features).
    Y : ndarray, shape (num_movies, num_users)
        Ratings.
    R : ndarray, shape (num_movies, num_users)
        1 where a rating exists.
    num_users, num_movies, num_features : int
    lambda_ : float
        Regularization of every entry of X and Theta.

    Returns
    -------
    J : float
    grad : ndarray, same shape as ``params``
        ``[X_grad(:); Theta_grad(:)]``, column-major.
    """
    params = np.asarray(params, dtype=np.float64).reshape(-1)
    Y = np.asarray(Y, dtype=np.float64)
    R = np.asarray(R, dtype=np.float64)
    nu, nm, nf = int(num_users), int(num_movies), int(num_features)
    n_x = nm * nf
    X = params[:n_x].reshape((nm, nf), order="F")
    Theta = params[n_x:].reshape((nu, nf), order="F")
    E = (X @ Theta.T - Y) * R
    J = np.sum(E**2) / 2 + lambda_ / 2 * (np.sum(Theta**2) + np.sum(X**2))
    X_grad = E @ Theta + lambda_ * X
    Theta_grad = E.T @ X + lambda_ * Theta
    return float(J), np.concatenate([X_grad.ravel(order="F"), Theta_grad.ravel(order="F")])


# ----------------------------------------------------------------------------
# catalogue


def _gaussian_data() -> np.ndarray:
    """25×3 examples with unequal spreads."""
    return scattered(25, 3) * np.array([1.0, 3.0, 0.5]) + np.array([5.0, -2.0, 1.0])


def _density_args() -> tuple:
    X = _gaussian_data()
    mu, sigma2 = estimate_gaussian(X)
    return X, mu, sigma2


def _full_covariance_args() -> tuple:
    X = _gaussian_data()
    mu = X.mean(axis=0)
    C = (X - mu).T @ (X - mu) / X.shape[0]
    return X, mu, C


# Threshold data. Densities lie on half-grid points lo + (g + 1/2)*step (plus
# lo and hi themselves), never within rounding of a candidate threshold, so
# "pval < epsilon" cannot flip with floating noise; the F1 maximum is attained
# on a single run of candidates (checked by the tests), so no tie decides it.
_ANOMALY_GRID = (3, 11, 27, 64, 140, 420)
_NORMAL_GRID = (90, 180, 260, 333, 500, 560, 610, 700, 777, 850, 901, 950, 990)


def _threshold_args() -> tuple:
    lo, hi = 0.002, 0.052
    step = (hi - lo) / 1000
    anomalies = [lo] + [lo + (g + 0.5) * step for g in _ANOMALY_GRID]
    normals = [lo + (g + 0.5) * step for g in _NORMAL_GRID] + [hi]
    pval = np.array(anomalies + normals)
    yval = np.array([1.0] * len(anomalies) + [0.0] * len(normals))
    # Interleave so the order of examples is not sorted by label.
    order = np.argsort(np.mod(np.arange(pval.size) * 7, pval.size), kind='stable')
    return yval[order], pval[order]


_NU = _NM = 5  # equal, so X and Theta are same-shaped blocks (see the gallery)
_NF = 3


def _cofi_args() -> tuple:
    params = debug_weights(_NM * _NF + _NU * _NF, 0)[:, 0] * 10
    i = np.arange(1, _NM + 1)[:, None]
    j = np.arange(1, _NU + 1)[None, :]
    Y = np.mod(i + 2 * j, 6).astype(np.float64)
    R = (np.mod(i * j, 3) != 0).astype(np.float64)
    return params, Y, R, _NU, _NM, _NF, 1.5


CASES: list[Case] = [
    Case(
        name="ex8.estimateGaussian",
        octave="estimateGaussian",
        port=estimate_gaussian,
        make_args=lambda: (_gaussian_data(),),
        outputs=("mu", "sigma2"),
        description="25×3 data with unequal spreads; variance normalized by m.",
    ),
    Case(
        name="ex8.multivariateGaussian",
        octave="multivariateGaussian",
        port=multivariate_gaussian,
        make_args=_density_args,
        outputs=("p",),
        description="Densities with a vector Sigma2 (diagonal covariance).",
    ),
    Case(
        name="ex8.multivariateGaussian.full",
        octave="multivariateGaussian",
        port=multivariate_gaussian,
        make_args=_full_covariance_args,
        outputs=("p",),
        description="Densities with a full 3×3 covariance matrix.",
    ),
    Case(
        name="ex8.selectThreshold",
        octave="selectThreshold",
        port=select_threshold,
        make_args=_threshold_args,
        outputs=("bestEpsilon", "bestF1"),
        description=(
            "20 examples, 7 anomalies; densities on half-grid points, so no threshold comparison "
            "and no F1 tie depends on rounding: both outputs must match exactly."
        ),
    ),
    Case(
        name="ex8.cofiCostFunc",
        octave="cofiCostFunc",
        port=cofi_cost_func,
        make_args=_cofi_args,
        gradient=True,
        layout=[("X", (_NM, _NF)), ("Theta", (_NU, _NF))],
        outputs=("J", "grad"),
        description="5 movies × 5 users × 3 features, lambda 1.5, a third of the ratings missing.",
    ),
]
