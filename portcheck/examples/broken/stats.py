"""Broken ports of the statistics-flavoured references (ex5, ex7, ex8).

Each function is the faithful port from :mod:`portcheck.examples.ex5`,
``ex7`` or ``ex8`` with one classic mistake; its docstring names the mistake
and the fix. :data:`GALLERY` says which finding kinds portcheck should report.
"""

from __future__ import annotations

import numpy as np

from .._case import BrokenCase
from ..ex7 import _flip_signs

__all__ = [
    "feature_normalize_ddof0",
    "estimate_gaussian_ddof1",
    "compute_centroids_no_axis",
    "estimate_gaussian_no_axis",
    "quantize_colors_np_round",
    "quantize_projection_python_mod",
    "pca_vh_as_u",
    "linear_reg_cost_bias_regularized",
    "cofi_cost_func_swapped_grad",
    "GALLERY",
]


def feature_normalize_ddof0(X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """featureNormalize with ``np.std``'s default ``ddof=0``.

    Mistake: MATLAB's ``std`` divides by N-1, NumPy's ``np.std`` by N, so
    ``sigma`` is too small by ``sqrt((N-1)/N)`` and ``X_norm`` too large by
    the inverse factor.
    Fix: ``X_norm.std(axis=0, ddof=1)``.
    """
    X = np.asarray(X, dtype=np.float64)
    mu = X.mean(axis=0)
    X_norm = X - mu
    sigma = X_norm.std(axis=0)  # the mistake: ddof=0
    return X_norm / sigma, mu, sigma


def estimate_gaussian_ddof1(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """estimateGaussian with the variance normalized by m-1.

    Mistake: the inverse ddof trap. Having learnt that MATLAB's ``var`` and
    ``std`` use N-1, the porter wrote ``X.var(axis=0, ddof=1)``; but the
    course defines ``sigma2`` with 1/m (the maximum-likelihood estimate), so
    the variances are too large by ``m/(m-1)``.
    Fix: ``((X - mu) ** 2).sum(axis=0) / m``, i.e. ``ddof=0``.
    """
    X = np.asarray(X, dtype=np.float64)
    mu = X.mean(axis=0)
    sigma2 = X.var(axis=0, ddof=1)  # the mistake: the course divides by m
    return mu, sigma2


def compute_centroids_no_axis(X: np.ndarray, idx: np.ndarray, K: int) -> np.ndarray:
    """computeCentroids with ``np.sum`` over the whole block.

    Mistake: MATLAB's ``sum(A)`` on a matrix sums each column; ``np.sum(A)``
    sums every element. The scalar then broadcasts into the centroid's row,
    so every coordinate of a centroid gets the same (wrong) value.
    Fix: ``members.sum(axis=0)``.
    """
    X = np.asarray(X, dtype=np.float64)
    idx = np.asarray(idx).reshape(-1)
    K = int(K)
    centroids = np.zeros((K, X.shape[1]))
    for k in range(1, K + 1):
        members = X[idx == k]
        with np.errstate(invalid="ignore"):
            centroids[k - 1] = np.sum(members) / members.shape[0]  # the mistake: no axis
    return centroids


def estimate_gaussian_no_axis(X: np.ndarray) -> tuple[float, float]:
    """estimateGaussian with ``np.sum(X)`` for MATLAB's ``sum(X)``.

    Mistake: ``np.sum(X)`` adds all m×n entries, so ``mu`` and ``sigma2``
    come out as single numbers (a pooled mean and variance) where the course
    returns one per feature.
    Fix: ``X.sum(axis=0)`` (MATLAB's ``sum`` runs down the columns).
    """
    X = np.asarray(X, dtype=np.float64)
    m = X.shape[0]
    mu = np.sum(X) / m  # the mistake: no axis
    sigma2 = np.sum((X - mu) ** 2) / m
    return float(mu), float(sigma2)


def quantize_colors_np_round(X: np.ndarray, levels: int) -> np.ndarray:
    """quantizeColors with ``np.round`` for MATLAB's ``round``.

    Mistake: ``np.round`` rounds halves to the even neighbour (2.5 -> 2,
    0.5 -> 0); MATLAB's ``round`` rounds them away from zero (2.5 -> 3). Every
    intensity exactly half-way between two levels lands one level lower.
    Fix: round halves away from zero, e.g. ``t = np.trunc(x); t + np.trunc(2 * (x - t))``
    (:func:`portcheck.examples.ex7.matlab_round`).
    """
    step = float(levels) - 1
    return np.round(np.asarray(X, dtype=np.float64) * step) / step  # the mistake


def quantize_projection_python_mod(Z: np.ndarray, step: float) -> np.ndarray:
    """quantizeProjection with Python's ``%`` for MATLAB's ``rem``.

    Mistake: ``%`` (``np.mod``) returns a result with the sign of the divisor,
    MATLAB's ``rem`` one with the sign of the dividend. For negative
    coordinates ``Z - Z % step`` rounds down, away from zero, instead of
    truncating toward it. (MATLAB's ``mod`` *is* ``%``; ``rem`` is not.)
    Fix: ``np.fmod(Z, step)``.
    """
    Z = np.asarray(Z, dtype=np.float64)
    return Z - Z % step  # the mistake


def pca_vh_as_u(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """pca returning the third output of ``np.linalg.svd`` as the directions.

    Mistake: for a covariance matrix MATLAB's ``[U, S, V] = svd(Sigma)`` has
    ``V == U``, so the porter took NumPy's third output, believing it is
    ``V``. NumPy returns ``Vh``, V transposed: the principal directions come
    out as rows.
    Fix: use the first output, ``U, s, Vh = np.linalg.svd(Sigma)``, or ``Vh.T``.
    """
    X = np.asarray(X, dtype=np.float64)
    m = X.shape[0]
    Sigma = (X.T @ X) / m
    U, s, Vh = np.linalg.svd(Sigma)
    U, Vh = _flip_signs(U, Vh)
    V = Vh  # the mistake: this is V.T
    return V, np.diag(s)


def linear_reg_cost_bias_regularized(
    X: np.ndarray, y: np.ndarray, theta: np.ndarray, lambda_: float
) -> tuple[float, np.ndarray]:
    """linearRegCostFunction that penalizes the bias too.

    Mistake: ``lambda/(2m) * sum(theta ** 2)`` includes ``theta[0]``; the
    course leaves the bias unregularized, so J gains
    ``lambda/(2m) * theta[0]**2`` and ``grad[0]`` gains ``lambda/m * theta[0]``.
    Fix: zero the bias in a copy, ``penalized = theta.copy(); penalized[0] = 0``.
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    theta = np.asarray(theta, dtype=np.float64).reshape(-1)
    m = y.size
    r = X @ theta - y
    penalized = theta  # the mistake: the bias is not zeroed
    J = (r @ r) / (2 * m) + lambda_ / (2 * m) * (penalized @ penalized)
    grad = (X.T @ r) / m + (lambda_ / m) * penalized
    return float(J), grad


def cofi_cost_func_swapped_grad(
    params: np.ndarray,
    Y: np.ndarray,
    R: np.ndarray,
    num_users: int,
    num_movies: int,
    num_features: int,
    lambda_: float,
) -> tuple[float, np.ndarray]:
    """cofiCostFunc that unrolls the gradient as ``[Theta_grad; X_grad]``.

    Mistake: ``params`` is read as ``[X(:); Theta(:)]`` but the gradient is
    rolled back in the other order. J is right; the optimizer moves X along
    Theta's gradient and vice versa. With ``num_movies == num_users`` the
    blocks have the same shape, so nothing fails loudly.
    Fix: ``np.concatenate([X_grad.ravel(order='F'), Theta_grad.ravel(order='F')])``,
    the order in which ``params`` was split.
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
    # The mistake: the blocks go back in the wrong order.
    return float(J), np.concatenate([Theta_grad.ravel(order="F"), X_grad.ravel(order="F")])


GALLERY: list[BrokenCase] = [
    BrokenCase(
        name="broken.feature_normalize_ddof0",
        reference="ex5.featureNormalize",
        port=feature_normalize_ddof0,
        mistake="np.std(X, axis=0) for MATLAB's std: normalized by N, not N-1",
        expected=("ddof",),
    ),
    BrokenCase(
        name="broken.estimate_gaussian_ddof1",
        reference="ex8.estimateGaussian",
        port=estimate_gaussian_ddof1,
        mistake="X.var(ddof=1) where the course's sigma2 divides by m",
        expected=("ddof",),
    ),
    BrokenCase(
        name="broken.compute_centroids_no_axis",
        reference="ex7.computeCentroids",
        port=compute_centroids_no_axis,
        mistake="np.sum(members) for MATLAB's sum(members): all elements instead of each column",
        expected=("first-divergence", "shape", "mismatch"),
    ),
    BrokenCase(
        name="broken.estimate_gaussian_no_axis",
        reference="ex8.estimateGaussian",
        port=estimate_gaussian_no_axis,
        mistake="np.sum(X) / m for MATLAB's sum(X) / m: one pooled mean instead of one per feature",
        expected=("shape", "mismatch"),
    ),
    BrokenCase(
        name="broken.quantize_colors_np_round",
        reference="ex7.quantizeColors",
        port=quantize_colors_np_round,
        mistake="np.round (halves to even) for MATLAB's round (halves away from zero)",
        expected=("first-divergence",),
    ),
    BrokenCase(
        name="broken.quantize_projection_python_mod",
        reference="ex7.quantizeProjection",
        port=quantize_projection_python_mod,
        mistake="Python's % for MATLAB's rem on negative values",
        expected=("first-divergence",),
    ),
    BrokenCase(
        name="broken.pca_vh_as_u",
        reference="ex7.pca",
        port=pca_vh_as_u,
        mistake="np.linalg.svd's third output (Vh) taken as MATLAB's V (= U for a covariance)",
        expected=("transposed",),
    ),
    BrokenCase(
        name="broken.linear_reg_cost_bias_regularized",
        reference="ex5.linearRegCostFunction",
        port=linear_reg_cost_bias_regularized,
        mistake="the bias theta(1) regularized along with the other parameters",
        expected=("regularization",),
    ),
    BrokenCase(
        name="broken.cofi_cost_func_swapped_grad",
        reference="ex8.cofiCostFunc",
        port=cofi_cost_func_swapped_grad,
        mistake="gradient unrolled as [Theta_grad; X_grad] while params are [X; Theta]",
        expected=("swapped-blocks",),
    ),
]
