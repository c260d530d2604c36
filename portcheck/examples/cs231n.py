"""A two-layer ReLU network with softmax loss: faithful port of ``matlab_refs/cs231n``.

CS231n's two-layer net in MATLAB dress, the corpus's correct ReLU network for
gradient checks.

Conventions matched
-------------------
- ``params`` is ``[W1(:); b1(:); W2(:); b2(:)]``, each block unrolled
  column-major (``order='F'``), with ``W1`` ``(D, H)``, ``b1`` ``(1, H)``,
  ``W2`` ``(H, C)``, ``b2`` ``(1, C)``: weights are (inputs × outputs), the
  transpose of ex4's ``Theta`` convention, and the biases are separate blocks.
- Labels are 1-based (``1..C``), shifted only where they index.
- The ReLU's derivative is 0 at exactly 0, as ``(z1 > 0)`` in the reference.
"""

from __future__ import annotations

import numpy as np

from portcheck.inputs import debug_dataset, debug_weights

from ._case import Case

__all__ = ["two_layer_net_cost", "CASES"]


def _unpack(params: np.ndarray, D: int, H: int, C: int):
    """W1, b1, W2, b2 from ``[W1(:); b1(:); W2(:); b2(:)]`` (column-major blocks)."""
    o = 0
    W1 = np.reshape(params[o : o + D * H], (D, H), order="F")
    o += D * H
    b1 = np.reshape(params[o : o + H], (1, H), order="F")
    o += H
    W2 = np.reshape(params[o : o + H * C], (H, C), order="F")
    o += H * C
    b2 = np.reshape(params[o : o + C], (1, C), order="F")
    return W1, b1, W2, b2


def two_layer_net_cost(
    params: np.ndarray,
    input_size: int,
    hidden_size: int,
    num_classes: int,
    X: np.ndarray,
    y: np.ndarray,
    reg: float,
) -> tuple[float, np.ndarray]:
    """Softmax loss and gradient of a two-layer ReLU network (port of ``twoLayerNetCost.m``).

    Parameters
    ----------
    params : ndarray, shape (D*H + H + H*C + C,)
        ``[W1(:); b1(:); W2(:); b2(:)]``, column-major blocks.
    input_size, hidden_size, num_classes : int
        ``D``, ``H`` and ``C``.
    X : ndarray, shape (m, D)
        Inputs (no bias column: the biases are ``b1`` and ``b2``).
    y : ndarray, shape (m,) or (m, 1)
        Labels ``1..C`` (1-based).
    reg : float
        L2 strength on ``W1`` and ``W2`` (biases not penalized).

    Returns
    -------
    loss : float
        Mean softmax cross-entropy of ``max(0, X @ W1 + b1) @ W2 + b2`` plus
        ``0.5 * reg * (sum(W1**2) + sum(W2**2))``.
    grad : ndarray, same shape as ``params``
        Same layout as ``params``.
    """
    params = np.asarray(params, dtype=np.float64).reshape(-1)
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    D, H, C = int(input_size), int(hidden_size), int(num_classes)
    W1, b1, W2, b2 = _unpack(params, D, H, C)
    m = X.shape[0]

    z1 = X @ W1 + b1
    a1 = np.maximum(0.0, z1)
    scores = a1 @ W2 + b2

    # Softmax is shift-invariant; the row maximum is subtracted to avoid overflow.
    shifted = scores - np.max(scores, axis=1, keepdims=True)
    logp = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    rows, cols = np.arange(m), y.astype(np.intp) - 1
    loss = -np.sum(logp[rows, cols]) / m + 0.5 * reg * (np.sum(W1**2) + np.sum(W2**2))

    dscores = np.exp(logp)
    dscores[rows, cols] -= 1
    dscores /= m
    dW2 = a1.T @ dscores + reg * W2
    db2 = np.sum(dscores, axis=0, keepdims=True)
    dz1 = (dscores @ W2.T) * (z1 > 0)
    dW1 = X.T @ dz1 + reg * W1
    db1 = np.sum(dz1, axis=0, keepdims=True)
    grad = np.concatenate([b.ravel(order="F") for b in (dW1, db1, dW2, db2)])
    return float(loss), grad


# ----------------------------------------------------------------------------
# catalogue

#: D, H, C of the catalogue case, and its number of examples.
SIZES = (4, 6, 3)
M = 6
REG = 0.5

LAYOUT = [
    ("W1", (SIZES[0], SIZES[1])),
    ("b1", (1, SIZES[1])),
    ("W2", (SIZES[1], SIZES[2])),
    ("b2", (1, SIZES[2])),
]


def debug_net() -> tuple[np.ndarray, int, int, int, np.ndarray, np.ndarray]:
    """``(params, D, H, C, X, y)``: inputs in [-1, 1], weights in [-0.5, 0.5].

    About half the hidden units are active and every pre-activation is at
    least 0.046 away from the ReLU's kink, so a central difference with step
    1e-4 never straddles it. With ``reg = 0.5`` the gradient is large enough
    against the differences' rounding that the course's figure
    ``norm(num - ana) / norm(num + ana)`` is about 1e-10, well below 1e-9.
    """
    D, H, C = SIZES
    X, y = debug_dataset(M, D, C)
    n = D * H + H + H * C + C
    params = 5.0 * debug_weights(n, 0).reshape(-1)
    return params, D, H, C, 10.0 * X, y


CASES: list[Case] = [
    Case(
        name="cs231n.twoLayerNetCost",
        octave="twoLayerNetCost",
        port=two_layer_net_cost,
        make_args=lambda: (*debug_net(), REG),
        gradient=True,
        layout=LAYOUT,
        outputs=("loss", "grad"),
        description="4-6-3 ReLU/softmax net on 6 examples, reg 0.5; no pre-activation near the kink.",
    ),
]
