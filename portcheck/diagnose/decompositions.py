"""Outputs of decompositions (``svd``, ``eig``, ``pca``): conventions that are not mistakes.

Two differences between a faithful port and its reference come from the
libraries, not from the port:

- MATLAB's ``[U, S, V] = svd(A)`` returns ``S`` as a diagonal *matrix*;
  NumPy's ``np.linalg.svd`` returns the singular values as a *vector*. A port
  that returns the vector computes the same thing through another interface.
- Singular vectors and eigenvectors are defined up to sign: LAPACK builds may
  flip any column. A column that equals the reference's negated is right.

Both are compared through the convention and reported as warnings, never as
``shape`` or ``sign`` errors.
"""

from __future__ import annotations

import numpy as np

from ..report import Finding
from ._arrays import allclose
from ._base import Subject

__all__ = ["diagonal_interface", "explain_column_signs"]


def _is_diagonal(a: np.ndarray) -> bool:
    return a.ndim == 2 and a.shape[0] == a.shape[1] and a.shape[0] > 1 and bool(
        np.all(a[~np.eye(a.shape[0], dtype=bool)] == 0))


def diagonal_interface(r: np.ndarray, c: np.ndarray, subject: Subject) -> tuple[np.ndarray, Finding] | None:
    """A vector of singular values against a diagonal matrix of them (either way round).

    Returns the candidate in the reference's form and a ``calling-convention``
    warning naming the interface difference, or None.
    """
    n = r.shape[0] if r.ndim else 0
    if _is_diagonal(r) and c.ndim in (1, 2) and c.size == n and (c.ndim == 1 or 1 in c.shape):
        if not allclose(np.diag(r), c.reshape(-1), subject.rtol, subject.atol):
            return None
        msg = (f"{subject.subject} is the vector of the {n} diagonal values where {subject.reference} returns "
               f"them as a {n}×{n} diagonal matrix (MATLAB's `svd` gives the matrix, `np.linalg.svd` the "
               f"vector): the same numbers through another interface, compared as `np.diag(...)`. Return "
               f"`np.diag(S)` if callers expect the reference's form.")
        return np.diag(c.reshape(-1)).astype(float), subject.finding(
            "calling-convention", msg, severity="warning", interface="diagonal-as-vector", n=n)
    if _is_diagonal(c) and r.size == c.shape[0] and (r.ndim == 1 or (r.ndim == 2 and 1 in r.shape)):
        if not allclose(r.reshape(-1), np.diag(c), subject.rtol, subject.atol):
            return None
        msg = (f"{subject.subject} is a {c.shape[0]}×{c.shape[0]} diagonal matrix where {subject.reference} "
               f"returns the vector of its diagonal: the same numbers through another interface, compared "
               f"as `np.diag(...)`. Return `np.diag(S)` (the vector) to match the reference's form.")
        return np.diag(c).reshape(r.shape).astype(float), subject.finding(
            "calling-convention", msg, severity="warning", interface="vector-as-diagonal", n=int(c.shape[0]))
    return None


def explain_column_signs(r: np.ndarray, c: np.ndarray, subject: Subject) -> list[Finding]:
    """Columns of orthonormal vectors that equal the reference's up to sign: a warning, not a mistake.

    Only for references whose columns are orthonormal (singular vectors,
    eigenvectors): a gradient or data matrix with negated columns is a real
    sign error and is left to the other families.
    """
    if r.ndim != 2 or r.shape != c.shape or r.shape[1] < 1 or r.shape[0] < 2:
        return []
    if not np.isrealobj(r) or not np.isrealobj(c):
        return []
    gram = r.T @ r
    if not np.allclose(gram, np.eye(r.shape[1]), atol=1e-8):
        return []
    flipped = []
    for j in range(r.shape[1]):
        if allclose(r[:, j], c[:, j], subject.rtol, subject.atol):
            continue
        if allclose(-r[:, j], c[:, j], subject.rtol, subject.atol):
            flipped.append(j)
            continue
        return []
    if not flipped:
        return []
    cols = ", ".join(str(j + 1) for j in flipped)
    msg = (f"{subject.subject} has column{'s' if len(flipped) > 1 else ''} {cols} negated with respect to "
           f"{subject.reference}: singular vectors and eigenvectors are defined only up to sign, so this is "
           f"not a mistake. If later results depend on the sign (projections, plots), fix a convention on "
           f"both sides, e.g. make each column's largest-magnitude entry positive.")
    return [subject.finding("sign", msg, severity="warning", columns=[j + 1 for j in flipped],
                            up_to_sign=True)]
