"""Sparse autoencoder and softmax regression (UFLDL): ports of ``matlab_refs/ufldl``.

Conventions matched
-------------------
- Examples are COLUMNS (``data`` is features × m), unlike the Coursera
  exercises; sums over examples are ``axis=1``.
- ``theta = [W1(:); W2(:); b1(:); b2(:)]`` unrolls column-major: ``order='F'``
  when rolling and unrolling.
- Labels are 1-based, as MATLAB code expects: row ``label - 1`` of the one-hot
  matrix.
"""

from __future__ import annotations

import numpy as np

from portcheck.inputs import debug_dataset, debug_weights

from ._case import Case
from ._data import scattered

__all__ = ["sparse_autoencoder_cost", "softmax_cost", "CASES"]


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def sparse_autoencoder_cost(
    theta: np.ndarray,
    visible_size: int,
    hidden_size: int,
    lambda_: float,
    sparsity_param: float,
    beta: float,
    data: np.ndarray,
) -> tuple[float, np.ndarray]:
    """Sparse autoencoder cost and gradient (port of ``sparseAutoencoderCost.m``).

    Parameters
    ----------
    theta : ndarray, shape (2*hidden*visible + hidden + visible,)
        ``[W1(:); W2(:); b1(:); b2(:)]`` column-major, with ``W1``
        (hidden, visible), ``W2`` (visible, hidden), ``b1`` (hidden,),
        ``b2`` (visible,).
    visible_size, hidden_size : int
    lambda_ : float
        Weight decay on W1 and W2.
    sparsity_param : float
        Target mean activation ``rho`` of the hidden units.
    beta : float
        Weight of the KL sparsity penalty.
    data : ndarray, shape (visible_size, m)
        One example per column.

    Returns
    -------
    cost : float
        Reconstruction error ``sum |a3 - x|^2 / (2m)`` + ``lambda/2 * (|W1|^2 + |W2|^2)``
        + ``beta * sum KL(rho || rho_hat)``.
    grad : ndarray, same shape as ``theta``
    """
    theta = np.asarray(theta, dtype=np.float64).reshape(-1)
    data = np.asarray(data, dtype=np.float64)
    v, h = int(visible_size), int(hidden_size)
    n_w = h * v
    # Octave's reshape fills column by column: order='F' on both sides of the trip.
    W1 = theta[:n_w].reshape((h, v), order="F")
    W2 = theta[n_w : 2 * n_w].reshape((v, h), order="F")
    b1 = theta[2 * n_w : 2 * n_w + h]
    b2 = theta[2 * n_w + h :]

    m = data.shape[1]
    a2 = _sigmoid(W1 @ data + b1[:, None])
    a3 = _sigmoid(W2 @ a2 + b2[:, None])

    rho = sparsity_param
    rho_hat = a2.sum(axis=1) / m
    kl = rho * np.log(rho / rho_hat) + (1 - rho) * np.log((1 - rho) / (1 - rho_hat))

    err = a3 - data
    cost = np.sum(err**2) / (2 * m) + lambda_ / 2 * (np.sum(W1**2) + np.sum(W2**2)) + beta * np.sum(kl)

    delta3 = err * a3 * (1 - a3)
    sparsity_delta = beta * (-rho / rho_hat + (1 - rho) / (1 - rho_hat))
    delta2 = (W2.T @ delta3 + sparsity_delta[:, None]) * a2 * (1 - a2)

    W1grad = (delta2 @ data.T) / m + lambda_ * W1
    W2grad = (delta3 @ a2.T) / m + lambda_ * W2
    b1grad = delta2.sum(axis=1) / m
    b2grad = delta3.sum(axis=1) / m
    grad = np.concatenate([W1grad.ravel(order="F"), W2grad.ravel(order="F"), b1grad, b2grad])
    return float(cost), grad


def softmax_cost(
    theta: np.ndarray,
    num_classes: int,
    input_size: int,
    lambda_: float,
    data: np.ndarray,
    labels: np.ndarray,
) -> tuple[float, np.ndarray]:
    """Softmax regression cost and gradient (port of ``softmaxCost.m``).

    Parameters
    ----------
    theta : ndarray, shape (num_classes*input_size,)
        The (num_classes, input_size) weights unrolled column-major.
    num_classes, input_size : int
    lambda_ : float
        Weight decay ``lambda/2 * |theta|^2``.
    data : ndarray, shape (input_size, m)
        One example per column.
    labels : ndarray, shape (m,)
        1-based class labels.

    Returns
    -------
    cost : float
        Mean negative log-likelihood plus weight decay.
    grad : ndarray, shape (num_classes*input_size,)
        Unrolled column-major, like ``theta``.
    """
    c, n = int(num_classes), int(input_size)
    theta = np.asarray(theta, dtype=np.float64).reshape((c, n), order="F")
    data = np.asarray(data, dtype=np.float64)
    labels = np.asarray(labels).reshape(-1)
    m = data.shape[1]

    scores = theta @ data
    scores = scores - scores.max(axis=0)
    e = np.exp(scores)
    probs = e / e.sum(axis=0)

    truth = np.zeros((c, m))
    # 1-based labels select rows label - 1.
    truth[labels.astype(np.intp) - 1, np.arange(m)] = 1.0

    cost = -np.sum(truth * np.log(probs)) / m + lambda_ / 2 * np.sum(theta**2)
    grad = -((truth - probs) @ data.T) / m + lambda_ * theta
    return float(cost), grad.ravel(order="F")


# ----------------------------------------------------------------------------
# catalogue

_VISIBLE, _HIDDEN, _M = 8, 5, 10
_C, _INPUT, _M_SOFTMAX = 4, 6, 12

AUTOENCODER_LAYOUT: list[tuple[str, tuple[int, ...]]] = [
    ("W1", (_HIDDEN, _VISIBLE)),
    ("W2", (_VISIBLE, _HIDDEN)),
    ("b1", (_HIDDEN,)),
    ("b2", (_VISIBLE,)),
]


def autoencoder_args(lambda_: float = 0.01, beta: float = 3.0) -> tuple:
    """Inputs of the sparse-autoencoder case: weights in [-1, 1], data in [0.1, 0.9], 10 examples.

    Parameters
    ----------
    lambda_, beta : float
        Weight decay and sparsity weight (the gallery varies them).
    """
    size = 2 * _HIDDEN * _VISIBLE + _HIDDEN + _VISIBLE
    theta = 10 * debug_weights(size, 0)[:, 0]
    data = 0.5 + 0.4 * scattered(_VISIBLE, _M)
    return theta, _VISIBLE, _HIDDEN, lambda_, 0.1, beta, data


def _softmax_args() -> tuple:
    _, labels = debug_dataset(_M_SOFTMAX, _INPUT, _C)
    theta = 10 * debug_weights(_C * _INPUT, 0)[:, 0]
    # One example per column, as UFLDL stores data.
    return theta, _C, _INPUT, 1e-3, scattered(_INPUT, _M_SOFTMAX), labels


CASES: list[Case] = [
    Case(
        name="ufldl.sparseAutoencoderCost",
        octave="sparseAutoencoderCost",
        port=sparse_autoencoder_cost,
        make_args=autoencoder_args,
        gradient=True,
        layout=AUTOENCODER_LAYOUT,
        outputs=("cost", "grad"),
        description="8-5-8 autoencoder on 10 examples (columns), lambda 0.01, rho 0.1, beta 3.",
    ),
    Case(
        name="ufldl.softmaxCost",
        octave="softmaxCost",
        port=softmax_cost,
        make_args=_softmax_args,
        gradient=True,
        layout=[("theta", (_C, _INPUT))],
        outputs=("cost", "grad"),
        description="4 classes, 6 features, 12 examples as columns, 1-based labels, lambda 1e-3.",
    ),
]
