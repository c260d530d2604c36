"""Broken ports of the UFLDL sparse autoencoder.

Each function is :func:`portcheck.examples.ufldl.sparse_autoencoder_cost`
with one classic mistake; its docstring names the mistake and the fix.
:data:`GALLERY` says which finding kinds portcheck should report.
"""

from __future__ import annotations

import numpy as np

from .._case import BrokenCase
from ..ufldl import _sigmoid, autoencoder_args

__all__ = [
    "sparse_autoencoder_cost_c_order",
    "sparse_autoencoder_cost_grad_no_1_over_m",
    "sparse_autoencoder_cost_kl_sign",
    "sparse_autoencoder_cost_no_beta",
    "GALLERY",
]


def _autoencoder(
    theta: np.ndarray,
    visible_size: int,
    hidden_size: int,
    lambda_: float,
    sparsity_param: float,
    beta: float,
    data: np.ndarray,
    *,
    order: str = "F",
    grad_scale_m: bool = True,
    kl_grad_sign: float = 1.0,
    cost_beta: bool = True,
) -> tuple[float, np.ndarray]:
    """The faithful port with switches for the mistakes below (defaults: faithful)."""
    theta = np.asarray(theta, dtype=np.float64).reshape(-1)
    data = np.asarray(data, dtype=np.float64)
    v, h = int(visible_size), int(hidden_size)
    n_w = h * v
    W1 = theta[:n_w].reshape((h, v), order=order)
    W2 = theta[n_w : 2 * n_w].reshape((v, h), order=order)
    b1 = theta[2 * n_w : 2 * n_w + h]
    b2 = theta[2 * n_w + h :]

    m = data.shape[1]
    a2 = _sigmoid(W1 @ data + b1[:, None])
    a3 = _sigmoid(W2 @ a2 + b2[:, None])
    rho = sparsity_param
    rho_hat = a2.sum(axis=1) / m
    kl = rho * np.log(rho / rho_hat) + (1 - rho) * np.log((1 - rho) / (1 - rho_hat))

    err = a3 - data
    penalty = np.sum(kl) * (beta if cost_beta else 1.0)
    cost = np.sum(err**2) / (2 * m) + lambda_ / 2 * (np.sum(W1**2) + np.sum(W2**2)) + penalty

    delta3 = err * a3 * (1 - a3)
    sparsity_delta = kl_grad_sign * beta * (-rho / rho_hat + (1 - rho) / (1 - rho_hat))
    delta2 = (W2.T @ delta3 + sparsity_delta[:, None]) * a2 * (1 - a2)

    n = m if grad_scale_m else 1
    W1grad = (delta2 @ data.T) / n + lambda_ * W1
    W2grad = (delta3 @ a2.T) / n + lambda_ * W2
    b1grad = delta2.sum(axis=1) / n
    b2grad = delta3.sum(axis=1) / n
    grad = np.concatenate([W1grad.ravel(order=order), W2grad.ravel(order=order), b1grad, b2grad])
    return float(cost), grad


def sparse_autoencoder_cost_c_order(
    theta: np.ndarray,
    visible_size: int,
    hidden_size: int,
    lambda_: float,
    sparsity_param: float,
    beta: float,
    data: np.ndarray,
) -> tuple[float, np.ndarray]:
    """Sparse autoencoder rolling and unrolling theta in C (row-major) order.

    Mistake: ``theta[:n].reshape(h, v)`` and ``W1grad.ravel()`` use NumPy's
    default row-major order; MATLAB's ``reshape`` and ``(:)`` are
    column-major. W1 and W2 hold the right numbers in the wrong places, so
    the cost differs, and the gradient is unrolled consistently wrong (a
    gradient check on the port alone passes).
    Fix: ``order='F'`` in every ``reshape`` and ``ravel`` of W1, W2 and their gradients.
    """
    return _autoencoder(theta, visible_size, hidden_size, lambda_, sparsity_param, beta, data, order="C")


def sparse_autoencoder_cost_grad_no_1_over_m(
    theta: np.ndarray,
    visible_size: int,
    hidden_size: int,
    lambda_: float,
    sparsity_param: float,
    beta: float,
    data: np.ndarray,
) -> tuple[float, np.ndarray]:
    """Sparse autoencoder whose gradient sums over examples without dividing by m.

    Mistake: ``W1grad = delta2 @ data.T`` (and the same for W2, b1, b2):
    the cost averages over the m examples, the gradient only sums, so it is
    m times too large (exactly m when ``lambda_ = 0``).
    Fix: divide the summed terms by m, ``(delta2 @ data.T) / m + lambda_ * W1``.
    """
    return _autoencoder(
        theta, visible_size, hidden_size, lambda_, sparsity_param, beta, data, grad_scale_m=False
    )


def sparse_autoencoder_cost_kl_sign(
    theta: np.ndarray,
    visible_size: int,
    hidden_size: int,
    lambda_: float,
    sparsity_param: float,
    beta: float,
    data: np.ndarray,
) -> tuple[float, np.ndarray]:
    """Sparse autoencoder with the sparsity term of the gradient negated.

    Mistake: the derivative of ``KL(rho || rho_hat)`` with respect to
    ``rho_hat`` is ``-rho/rho_hat + (1-rho)/(1-rho_hat)``; the port adds
    ``beta * (rho/rho_hat - (1-rho)/(1-rho_hat))`` to the hidden-layer error.
    The cost is right; W1's and b1's gradients are not (W2, b2 are).
    Fix: ``sparsity_delta = beta * (-rho / rho_hat + (1 - rho) / (1 - rho_hat))``.
    """
    return _autoencoder(
        theta, visible_size, hidden_size, lambda_, sparsity_param, beta, data, kl_grad_sign=-1.0
    )


def sparse_autoencoder_cost_no_beta(
    theta: np.ndarray,
    visible_size: int,
    hidden_size: int,
    lambda_: float,
    sparsity_param: float,
    beta: float,
    data: np.ndarray,
) -> tuple[float, np.ndarray]:
    """Sparse autoencoder whose cost adds the KL penalty without its weight beta.

    Mistake: ``cost = ... + np.sum(kl)``; the gradient (correctly) carries
    ``beta``, so cost and gradient disagree and the cost is off by
    ``(1 - beta) * sum(kl)``.
    Fix: ``+ beta * np.sum(kl)``.
    """
    return _autoencoder(
        theta, visible_size, hidden_size, lambda_, sparsity_param, beta, data, cost_beta=False
    )


GALLERY: list[BrokenCase] = [
    BrokenCase(
        name="broken.sparse_autoencoder_c_order",
        reference="ufldl.sparseAutoencoderCost",
        port=sparse_autoencoder_cost_c_order,
        mistake="theta rolled and unrolled in C order (NumPy's default) instead of MATLAB's column-major",
        expected=("unroll-order",),
    ),
    BrokenCase(
        name="broken.sparse_autoencoder_grad_no_1_over_m",
        reference="ufldl.sparseAutoencoderCost",
        port=sparse_autoencoder_cost_grad_no_1_over_m,
        mistake="gradient summed over the examples but not divided by m",
        expected=("scale",),
        # Without weight decay the whole gradient is exactly m times the reference's.
        make_args=lambda: autoencoder_args(lambda_=0.0),
    ),
    BrokenCase(
        name="broken.sparse_autoencoder_kl_sign",
        reference="ufldl.sparseAutoencoderCost",
        port=sparse_autoencoder_cost_kl_sign,
        mistake="derivative of the KL sparsity penalty with the wrong sign",
        expected=("sign", "regularization"),
    ),
    BrokenCase(
        name="broken.sparse_autoencoder_no_beta",
        reference="ufldl.sparseAutoencoderCost",
        port=sparse_autoencoder_cost_no_beta,
        mistake="KL sparsity penalty added to the cost without its weight beta",
        expected=("first-divergence", "regularization"),
    ),
]
