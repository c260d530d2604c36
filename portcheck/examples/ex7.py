"""K-means and PCA, plus two compression helpers: ports of ``matlab_refs/ex7``.

Conventions matched
-------------------
- Cluster indices are 1-based and returned as floats, as MATLAB's ``min``
  returns them, so ``X[idx == k]`` reads like ``X(idx == k, :)``.
- Column statistics use ``axis=0`` (MATLAB's ``sum(A, 1)``).
- ``np.linalg.svd`` returns ``Vh`` (V transposed), not MATLAB's ``V``; pca only
  needs ``U``, and both sides fix the sign of each singular vector the same way.
- MATLAB's ``round`` rounds halves away from zero (``np.round``: to even), and
  ``rem`` takes the sign of the dividend (``np.fmod``, not ``%``).
"""

from __future__ import annotations

import numpy as np

from portcheck.inputs import debug_weights

from ._case import Case
from ._data import scattered

__all__ = [
    "find_closest_centroids",
    "compute_centroids",
    "pca",
    "project_data",
    "recover_data",
    "quantize_colors",
    "quantize_projection",
    "matlab_round",
    "CASES",
]


def find_closest_centroids(X: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """Nearest centroid of each example (port of ``findClosestCentroids.m``).

    Parameters
    ----------
    X : ndarray, shape (m, n)
        One example per row.
    centroids : ndarray, shape (K, n)
        One centroid per row.

    Returns
    -------
    idx : ndarray of float, shape (m,)
        1-based index of the closest centroid (squared Euclidean distance);
        the lowest index wins an exact tie, as with MATLAB's ``min``.
    """
    X = np.asarray(X, dtype=np.float64)
    centroids = np.asarray(centroids, dtype=np.float64)
    K = centroids.shape[0]
    d = np.zeros((X.shape[0], K))
    for k in range(K):
        d[:, k] = np.sum((X - centroids[k]) ** 2, axis=1)
    # argmin, like min, returns the first minimum; +1 for MATLAB's 1-based index.
    return (np.argmin(d, axis=1) + 1).astype(np.float64)


def compute_centroids(X: np.ndarray, idx: np.ndarray, K: int) -> np.ndarray:
    """Mean of the examples assigned to each centroid (port of ``computeCentroids.m``).

    Parameters
    ----------
    X : ndarray, shape (m, n)
        One example per row.
    idx : ndarray, shape (m,) or (m, 1)
        1-based assignments in ``1..K``.
    K : int
        Number of centroids.

    Returns
    -------
    ndarray, shape (K, n)
        Row ``k - 1`` is the column-wise mean of ``X[idx == k]``; NaN for an
        empty cluster, as MATLAB's 0/0.
    """
    X = np.asarray(X, dtype=np.float64)
    idx = np.asarray(idx).reshape(-1)
    K = int(K)
    centroids = np.zeros((K, X.shape[1]))
    for k in range(1, K + 1):
        members = X[idx == k]
        with np.errstate(invalid="ignore"):  # an empty cluster is NaN in MATLAB too
            centroids[k - 1] = members.sum(axis=0) / members.shape[0]
    return centroids


def _flip_signs(U: np.ndarray, Vh: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Make the largest-magnitude entry of each column of U positive (the reference's rule).

    The row of ``Vh`` paired with each column of ``U`` is flipped with it, so
    ``U @ diag(s) @ Vh`` is unchanged.
    """
    where = np.argmax(np.abs(U), axis=0)
    signs = np.sign(U[where, np.arange(U.shape[1])])
    signs[signs == 0] = 1.0
    return U * signs, Vh * signs[:, None]


def pca(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Principal directions of normalized data (port of ``pca.m``).

    Parameters
    ----------
    X : ndarray, shape (m, n)
        One example per row, columns with zero mean.

    Returns
    -------
    U : ndarray, shape (n, n)
        Principal directions as columns, signed so that each column's entry of
        largest magnitude is positive (the reference's convention).
    S : ndarray, shape (n, n)
        Diagonal matrix of the singular values of ``X.T @ X / m``, decreasing.

    Notes
    -----
    ``np.linalg.svd`` returns ``(U, s, Vh)`` with ``Vh`` = MATLAB's ``V``
    transposed and ``s`` a vector where MATLAB returns the matrix ``S``.
    """
    X = np.asarray(X, dtype=np.float64)
    m = X.shape[0]
    Sigma = (X.T @ X) / m
    U, s, Vh = np.linalg.svd(Sigma)
    U, Vh = _flip_signs(U, Vh)
    return U, np.diag(s)


def project_data(X: np.ndarray, U: np.ndarray, K: int) -> np.ndarray:
    """Coordinates on the top ``K`` principal directions (port of ``projectData.m``).

    Parameters
    ----------
    X : ndarray, shape (m, n)
    U : ndarray, shape (n, n)
        Directions as columns (from :func:`pca`).
    K : int

    Returns
    -------
    Z : ndarray, shape (m, K)
        ``X @ U[:, :K]``.
    """
    return np.asarray(X, dtype=np.float64) @ np.asarray(U, dtype=np.float64)[:, : int(K)]


def recover_data(Z: np.ndarray, U: np.ndarray, K: int) -> np.ndarray:
    """Approximate the data from ``K`` principal coordinates (port of ``recoverData.m``).

    Parameters
    ----------
    Z : ndarray, shape (m, K)
    U : ndarray, shape (n, n)
    K : int

    Returns
    -------
    X_rec : ndarray, shape (m, n)
        ``Z @ U[:, :K].T``.
    """
    Z = np.asarray(Z, dtype=np.float64).reshape(np.shape(Z)[0], -1)
    return Z @ np.asarray(U, dtype=np.float64)[:, : int(K)].T


def matlab_round(x: np.ndarray) -> np.ndarray:
    """MATLAB's ``round``: to the nearest integer, halves away from zero.

    ``np.round`` rounds halves to even (``np.round(2.5) == 2.0``, MATLAB gives 3).
    The fractional part ``x - trunc(x)`` is exact in floating point, so the
    tie test is exact too; ``floor(x + 0.5)`` is not (it rounds
    0.49999999999999994 up).
    """
    x = np.asarray(x, dtype=np.float64)
    whole = np.trunc(x)
    with np.errstate(invalid="ignore"):  # inf - inf; those entries are kept as x below
        out = whole + np.trunc(2 * (x - whole))
    return np.where(np.isfinite(x), out, x)


def quantize_colors(X: np.ndarray, levels: int) -> np.ndarray:
    """Snap intensities in [0, 1] to ``levels`` evenly spaced values (port of ``quantizeColors.m``).

    Parameters
    ----------
    X : ndarray
        Intensities, any shape.
    levels : int
        Number of levels ``0, 1/(levels-1), ..., 1``.

    Returns
    -------
    ndarray, same shape as X
        Halves go to the upper level, as MATLAB's ``round`` (see :func:`matlab_round`).
    """
    step = float(levels) - 1
    return matlab_round(np.asarray(X, dtype=np.float64) * step) / step


def quantize_projection(Z: np.ndarray, step: float) -> np.ndarray:
    """Truncate coordinates toward zero onto a grid (port of ``quantizeProjection.m``).

    Parameters
    ----------
    Z : ndarray
        Signed coordinates, e.g. from :func:`project_data`.
    step : float
        Grid spacing.

    Returns
    -------
    ndarray, same shape as Z
        ``Z - rem(Z, step)``: MATLAB's ``rem`` keeps the sign of ``Z``, which
        is ``np.fmod``; Python's ``%`` (``np.mod``) follows the sign of ``step``.
    """
    Z = np.asarray(Z, dtype=np.float64)
    return Z - np.fmod(Z, step)


# ----------------------------------------------------------------------------
# catalogue

_M, _N, _K = 30, 3, 4


def _points() -> np.ndarray:
    """30 points in 3-D, spread over [-1, 1]."""
    return scattered(_M, _N)


def _closest_args() -> tuple:
    X = _points()
    # Four of the points serve as initial centroids, as kMeansInitCentroids picks examples.
    return X, X[[0, 7, 13, 22]].copy()


def _centroid_args() -> tuple:
    X = _points()
    idx = (1 + np.mod(np.arange(_M), _K)).astype(np.float64)
    return X, idx, _K


def _pca_data() -> np.ndarray:
    """20×4 correlated, centered data whose covariance has well-separated eigenvalues."""
    raw = scattered(20, 4)
    mixing = np.array(
        [
            [3.0, 0.5, 0.0, 0.2],
            [1.0, 2.0, 0.3, 0.0],
            [0.0, 0.4, 1.0, 0.1],
            [0.5, 0.0, 0.2, 0.4],
        ]
    )
    X = raw @ mixing
    return X - X.mean(axis=0)


def _directions() -> np.ndarray:
    """A fixed orthonormal 4×4 basis (any is fine: both sides receive the same U)."""
    Q, _ = np.linalg.qr(debug_weights(4, 3) + np.eye(4))
    return Q


def _project_args() -> tuple:
    return _pca_data(), _directions(), 2


def _recover_args() -> tuple:
    X, U, K = _project_args()
    return X @ U[:, :K], U, K


def _colors_args() -> tuple:
    # j*3 mod 17 over 16: many values land exactly half-way between the 5
    # levels (k/4 with k = 2 mod 4 after scaling), which is where round matters.
    j = np.arange(1, 3 * 16 + 1, dtype=np.float64)
    X = np.reshape(np.mod(3 * j, 17) / 16, (16, 3), order="F")
    return X, 5


def _projection_args() -> tuple:
    # Signed coordinates in [-4, 4] and a power-of-two step, so rem is exact.
    return 40 * debug_weights(15, 1), 0.25


CASES: list[Case] = [
    Case(
        name="ex7.findClosestCentroids",
        octave="findClosestCentroids",
        port=find_closest_centroids,
        make_args=_closest_args,
        outputs=("idx",),
        description="30 points, 4 centroids; no near-ties, so the 1-based indices must match exactly.",
    ),
    Case(
        name="ex7.computeCentroids",
        octave="computeCentroids",
        port=compute_centroids,
        make_args=_centroid_args,
        outputs=("centroids",),
        description="Cyclic assignment 1..4 of 30 points: every cluster has members.",
    ),
    Case(
        name="ex7.pca",
        octave="pca",
        port=pca,
        make_args=lambda: (_pca_data(),),
        outputs=("U", "S"),
        description=(
            "20×4 centered data with distinct eigenvalues. Singular vectors are unique only up to "
            "sign, so reference and port both make each column's largest-magnitude entry positive "
            "(each column has a clear largest entry): a faithful port then compares entry by entry."
        ),
    ),
    Case(
        name="ex7.projectData",
        octave="projectData",
        port=project_data,
        make_args=_project_args,
        outputs=("Z",),
        description="20×4 data on 2 of 4 fixed orthonormal directions.",
    ),
    Case(
        name="ex7.recoverData",
        octave="recoverData",
        port=recover_data,
        make_args=_recover_args,
        outputs=("X_rec",),
        description="Back from 2 coordinates to 4 dimensions.",
    ),
    Case(
        name="ex7.quantizeColors",
        octave="quantizeColors",
        port=quantize_colors,
        make_args=_colors_args,
        outputs=("Q",),
        description="16 RGB pixels snapped to 5 levels; a quarter of the entries are exact ties.",
    ),
    Case(
        name="ex7.quantizeProjection",
        octave="quantizeProjection",
        port=quantize_projection,
        make_args=_projection_args,
        outputs=("Q",),
        description="Signed 15×2 coordinates truncated toward zero to multiples of 0.25.",
    ),
]
