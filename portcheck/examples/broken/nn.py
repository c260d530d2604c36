"""Broken ports of the neural-network references (ex4, cs231n, the debug initializer).

Each function is a faithful port from :mod:`portcheck.examples.ex4`,
:mod:`portcheck.examples.cs231n` or :mod:`portcheck.inputs` with one classic
mistake, most of them seen in real questions (``/work/shared/seeds``). Its
docstring says what the mistake is and how to fix it; :data:`GALLERY` says
which check catches it and which finding kinds portcheck should report.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .._case import BrokenCase
from ..common import sigmoid
from ..cs231n import _unpack
from ..ex4 import _roll, sigmoid_gradient

__all__ = [
    "nn_cost_c_order",
    "debug_initialize_weights_c_order",
    "nn_cost_labels_as_indices",
    "nn_cost_labels_wrapped",
    "nn_cost_grad_missing_m",
    "nn_cost_bias_regularized",
    "nn_cost_bias_subtracted",
    "nn_cost_output_sigmoid_prime",
    "nn_cost_double_sigmoid",
    "two_layer_net_inverted_relu",
    "nn_cost_m_from_onehot",
    "nn_cost_last_example_only",
    "compute_numerical_gradient_floor_division",
    "nn_cost_onehot_list_index",
    "predict_zero_based",
    "nn_cost_view_aliasing",
    "GALLERY",
]

_CostGrad = tuple[float, np.ndarray]


def _forward(Theta1: np.ndarray, Theta2: np.ndarray, X: np.ndarray):
    """a1, z2, a2, a3 of the faithful port (bias columns prepended)."""
    m = X.shape[0]
    a1 = np.column_stack([np.ones(m), X])
    z2 = a1 @ Theta1.T
    a2 = np.column_stack([np.ones(m), sigmoid(z2)])
    a3 = sigmoid(a2 @ Theta2.T)
    return a1, z2, a2, a3


def _prepare(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y):
    nn_params = np.asarray(nn_params, dtype=np.float64).reshape(-1)
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    return nn_params, int(input_layer_size), int(hidden_layer_size), int(num_labels), X, y


def _cross_entropy(Y: np.ndarray, a3: np.ndarray) -> float:
    return -np.sum(Y * np.log(a3) + (1 - Y) * np.log(1 - a3))


def _unroll(*blocks: np.ndarray) -> np.ndarray:
    return np.concatenate([b.ravel(order="F") for b in blocks])


# ----------------------------------------------------------------------------
# memory order


def nn_cost_c_order(
    nn_params: np.ndarray, input_layer_size: int, hidden_layer_size: int, num_labels: int,
    X: np.ndarray, y: np.ndarray, lambda_: float,
) -> _CostGrad:
    """nnCostFunction that rolls and unrolls the parameters in C (row-major) order.

    Mistake: ``np.reshape(nn_params[:n1], (h, n + 1))`` and ``grad.ravel()``
    use NumPy's default row-major order, but ``nn_params`` is
    ``[Theta1(:); Theta2(:)]``, column-major. The same numbers land in other
    places of ``Theta1`` and ``Theta2``: cost and gradient are those of a
    different network (seed 001).

    Fix: ``np.reshape(..., order='F')`` to roll and ``.ravel(order='F')`` to
    unroll.
    """
    nn_params, n, h, k, X, y = _prepare(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y)
    n1 = h * (n + 1)
    Theta1 = np.reshape(nn_params[:n1], (h, n + 1))
    Theta2 = np.reshape(nn_params[n1:], (k, h + 1))
    m = X.shape[0]
    a1, z2, a2, a3 = _forward(Theta1, Theta2, X)
    Y = np.eye(k)[y.astype(np.intp) - 1]
    W1, W2 = Theta1[:, 1:], Theta2[:, 1:]
    J = _cross_entropy(Y, a3) / m + lambda_ / (2 * m) * (np.sum(W1**2) + np.sum(W2**2))
    d3 = a3 - Y
    d2 = (d3 @ W2) * sigmoid_gradient(z2)
    Theta1_grad = (d2.T @ a1) / m
    Theta2_grad = (d3.T @ a2) / m
    Theta1_grad[:, 1:] += (lambda_ / m) * W1
    Theta2_grad[:, 1:] += (lambda_ / m) * W2
    grad = np.concatenate([Theta1_grad.ravel(), Theta2_grad.ravel()])
    return float(J), grad


def debug_initialize_weights_c_order(fan_out: int, fan_in: int) -> np.ndarray:
    """debugInitializeWeights filled row by row.

    Mistake: ``np.sin(range(1, n + 1)).reshape(fan_out, fan_in + 1) / 10``
    fills the matrix row by row; Octave's ``reshape`` fills it column by
    column. Every weight of the debug network is then in a different place,
    and a gradient check compared against Octave's numbers fails even when
    backpropagation is right (seed 001).

    Fix: ``.reshape(fan_out, fan_in + 1, order='F')``, or use
    :func:`portcheck.debug_weights`.
    """
    n = int(fan_out) * (1 + int(fan_in))
    return np.sin(range(1, n + 1)).reshape(int(fan_out), int(fan_in) + 1) / 10


# ----------------------------------------------------------------------------
# label indexing


def nn_cost_labels_as_indices(
    nn_params: np.ndarray, input_layer_size: int, hidden_layer_size: int, num_labels: int,
    X: np.ndarray, y: np.ndarray, lambda_: float,
) -> _CostGrad:
    """nnCostFunction that uses the 1-based labels as 0-based row indices.

    Mistake: ``Y = np.eye(k)[y.astype(int)]`` where MATLAB's ``I(y, :)``
    indexes from 1. Label ``c`` selects row ``c``, i.e. class ``c + 1``, and
    the largest label ``k`` is out of range: NumPy raises
    ``IndexError: index k is out of bounds for axis 0 with size k``. (On data
    without the label ``k`` it runs silently with every target shifted.)

    Fix: ``np.eye(k)[y.astype(int) - 1]``.
    """
    nn_params, n, h, k, X, y = _prepare(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y)
    Theta1, Theta2 = _roll(nn_params, n, h, k)
    m = X.shape[0]
    a1, z2, a2, a3 = _forward(Theta1, Theta2, X)
    Y = np.eye(k)[y.astype(np.intp)]
    W1, W2 = Theta1[:, 1:], Theta2[:, 1:]
    J = _cross_entropy(Y, a3) / m + lambda_ / (2 * m) * (np.sum(W1**2) + np.sum(W2**2))
    d3 = a3 - Y
    d2 = (d3 @ W2) * sigmoid_gradient(z2)
    Theta1_grad = (d2.T @ a1) / m
    Theta2_grad = (d3.T @ a2) / m
    Theta1_grad[:, 1:] += (lambda_ / m) * W1
    Theta2_grad[:, 1:] += (lambda_ / m) * W2
    return float(J), _unroll(Theta1_grad, Theta2_grad)


def nn_cost_labels_wrapped(
    nn_params: np.ndarray, input_layer_size: int, hidden_layer_size: int, num_labels: int,
    X: np.ndarray, y: np.ndarray, lambda_: float,
) -> _CostGrad:
    """nnCostFunction that maps label k to index 0 (``y % k``) instead of shifting all labels.

    Mistake: a port of the MNIST exercise, where the digit 0 is stored as the
    label 10, "fixes" the indices with ``np.eye(k)[y.astype(int) % k]``. That
    sends label ``k`` to row 0 but leaves ``1..k-1`` unshifted, so every
    target is rotated by one class relative to the reference's ``I(y, :)``.
    Nothing raises; cost and gradient are those of relabelled data.

    Fix: ``np.eye(k)[y.astype(int) - 1]``: 1-based labels, shifted once where
    they index.
    """
    nn_params, n, h, k, X, y = _prepare(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y)
    Theta1, Theta2 = _roll(nn_params, n, h, k)
    m = X.shape[0]
    a1, z2, a2, a3 = _forward(Theta1, Theta2, X)
    Y = np.eye(k)[y.astype(np.intp) % k]
    W1, W2 = Theta1[:, 1:], Theta2[:, 1:]
    J = _cross_entropy(Y, a3) / m + lambda_ / (2 * m) * (np.sum(W1**2) + np.sum(W2**2))
    d3 = a3 - Y
    d2 = (d3 @ W2) * sigmoid_gradient(z2)
    Theta1_grad = (d2.T @ a1) / m
    Theta2_grad = (d3.T @ a2) / m
    Theta1_grad[:, 1:] += (lambda_ / m) * W1
    Theta2_grad[:, 1:] += (lambda_ / m) * W2
    return float(J), _unroll(Theta1_grad, Theta2_grad)


def nn_cost_onehot_list_index(
    nn_params: np.ndarray, input_layer_size: int, hidden_layer_size: int, num_labels: int,
    X: np.ndarray, y: np.ndarray, lambda_: float,
) -> _CostGrad:
    """nnCostFunction that builds the one-hot targets with a list of index arrays.

    Mistake: ``y_bin[[np.arange(m), y - 1]] = 1``. Old NumPy read a list of
    arrays as a tuple (row and column indices, one entry per example); since
    NumPy 1.23 a list is one array index, so ``[[rows], [labels]]`` selects
    whole *rows* ``0..m-1`` and ``y - 1`` along the first axis, and every
    entry of those rows becomes 1. The targets are all ones.

    Fix: index with a tuple, ``y_bin[np.arange(m), y - 1] = 1`` (or
    ``np.eye(k)[y - 1]``).
    """
    nn_params, n, h, k, X, y = _prepare(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y)
    Theta1, Theta2 = _roll(nn_params, n, h, k)
    m = X.shape[0]
    a1, z2, a2, a3 = _forward(Theta1, Theta2, X)
    y_bin = np.zeros((m, k))
    y_bin[[np.arange(m), y.astype(np.intp) - 1]] = 1
    W1, W2 = Theta1[:, 1:], Theta2[:, 1:]
    J = _cross_entropy(y_bin, a3) / m + lambda_ / (2 * m) * (np.sum(W1**2) + np.sum(W2**2))
    d3 = a3 - y_bin
    d2 = (d3 @ W2) * sigmoid_gradient(z2)
    Theta1_grad = (d2.T @ a1) / m
    Theta2_grad = (d3.T @ a2) / m
    Theta1_grad[:, 1:] += (lambda_ / m) * W1
    Theta2_grad[:, 1:] += (lambda_ / m) * W2
    return float(J), _unroll(Theta1_grad, Theta2_grad)


def predict_zero_based(Theta1: np.ndarray, Theta2: np.ndarray, X: np.ndarray) -> np.ndarray:
    """ex4 predict that returns 0-based classes.

    Mistake: ``np.argmax(h2, axis=1)`` is 0-based, while Octave's ``max``
    returns the 1-based position and the labels ``y`` are 1-based: every
    prediction is one less than the reference's, and accuracy against ``y``
    drops to near zero.

    Fix: ``np.argmax(h2, axis=1) + 1`` (as float, like Octave's double).
    """
    Theta1 = np.asarray(Theta1, dtype=np.float64)
    Theta2 = np.asarray(Theta2, dtype=np.float64)
    X = np.asarray(X, dtype=np.float64)
    m = X.shape[0]
    h1 = sigmoid(np.column_stack([np.ones(m), X]) @ Theta1.T)
    h2 = sigmoid(np.column_stack([np.ones(m), h1]) @ Theta2.T)
    return np.argmax(h2, axis=1).astype(np.float64)


# ----------------------------------------------------------------------------
# scale and regularization


def nn_cost_grad_missing_m(
    nn_params: np.ndarray, input_layer_size: int, hidden_layer_size: int, num_labels: int,
    X: np.ndarray, y: np.ndarray, lambda_: float,
) -> _CostGrad:
    """nnCostFunction whose gradient is not divided by m.

    Mistake: the accumulated ``Delta`` matrices and the penalty are returned
    as ``Delta + lambda_ * W`` instead of ``(Delta + lambda_ * W) / m``. The
    cost divides by m, so the gradient is m times the cost's gradient; a
    gradient check reports a relative difference near ``(m-1)/(m+1)``.

    Fix: divide the whole gradient by ``m`` (penalty term included).
    """
    nn_params, n, h, k, X, y = _prepare(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y)
    Theta1, Theta2 = _roll(nn_params, n, h, k)
    m = X.shape[0]
    a1, z2, a2, a3 = _forward(Theta1, Theta2, X)
    Y = np.eye(k)[y.astype(np.intp) - 1]
    W1, W2 = Theta1[:, 1:], Theta2[:, 1:]
    J = _cross_entropy(Y, a3) / m + lambda_ / (2 * m) * (np.sum(W1**2) + np.sum(W2**2))
    d3 = a3 - Y
    d2 = (d3 @ W2) * sigmoid_gradient(z2)
    Theta1_grad = d2.T @ a1
    Theta2_grad = d3.T @ a2
    Theta1_grad[:, 1:] += lambda_ * W1
    Theta2_grad[:, 1:] += lambda_ * W2
    return float(J), _unroll(Theta1_grad, Theta2_grad)


def nn_cost_m_from_onehot(
    nn_params: np.ndarray, input_layer_size: int, hidden_layer_size: int, num_labels: int,
    X: np.ndarray, y: np.ndarray, lambda_: float,
) -> _CostGrad:
    """nnCostFunction that takes m from the wrong axis of the one-hot targets.

    Mistake: ``m = Y.shape[1]`` on the ``(m, k)`` one-hot array gives the
    number of classes ``k``, not the number of examples (seed 004). Every
    ``1/m`` becomes ``1/k``: cost and gradient are ``m/k`` times the
    reference's.

    Fix: ``m = Y.shape[0]`` (or ``X.shape[0]``): MATLAB's ``size(X, 1)`` is
    the rows.
    """
    nn_params, n, h, k, X, y = _prepare(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y)
    Theta1, Theta2 = _roll(nn_params, n, h, k)
    a1, z2, a2, a3 = _forward(Theta1, Theta2, X)
    Y = np.eye(k)[y.astype(np.intp) - 1]
    m = Y.shape[1]
    W1, W2 = Theta1[:, 1:], Theta2[:, 1:]
    J = _cross_entropy(Y, a3) / m + lambda_ / (2 * m) * (np.sum(W1**2) + np.sum(W2**2))
    d3 = a3 - Y
    d2 = (d3 @ W2) * sigmoid_gradient(z2)
    Theta1_grad = (d2.T @ a1) / m
    Theta2_grad = (d3.T @ a2) / m
    Theta1_grad[:, 1:] += (lambda_ / m) * W1
    Theta2_grad[:, 1:] += (lambda_ / m) * W2
    return float(J), _unroll(Theta1_grad, Theta2_grad)


def nn_cost_bias_regularized(
    nn_params: np.ndarray, input_layer_size: int, hidden_layer_size: int, num_labels: int,
    X: np.ndarray, y: np.ndarray, lambda_: float,
) -> _CostGrad:
    """nnCostFunction that regularizes the bias columns too.

    Mistake: the penalty sums ``Theta1**2`` and ``Theta2**2`` whole, and the
    gradient adds ``lambda_/m * Theta``, bias column included. The cost is too
    large by ``lambda_/(2m)`` times the squared bias weights, and the gradient
    differs only in the two bias columns, in proportion to the bias weights.

    Fix: penalize ``Theta[:, 1:]`` only (column 1 in MATLAB is the bias).
    """
    nn_params, n, h, k, X, y = _prepare(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y)
    Theta1, Theta2 = _roll(nn_params, n, h, k)
    m = X.shape[0]
    a1, z2, a2, a3 = _forward(Theta1, Theta2, X)
    Y = np.eye(k)[y.astype(np.intp) - 1]
    J = _cross_entropy(Y, a3) / m + lambda_ / (2 * m) * (np.sum(Theta1**2) + np.sum(Theta2**2))
    d3 = a3 - Y
    d2 = (d3 @ Theta2[:, 1:]) * sigmoid_gradient(z2)
    Theta1_grad = (d2.T @ a1) / m + (lambda_ / m) * Theta1
    Theta2_grad = (d3.T @ a2) / m + (lambda_ / m) * Theta2
    return float(J), _unroll(Theta1_grad, Theta2_grad)


def nn_cost_bias_subtracted(
    nn_params: np.ndarray, input_layer_size: int, hidden_layer_size: int, num_labels: int,
    X: np.ndarray, y: np.ndarray, lambda_: float,
) -> _CostGrad:
    """nnCostFunction that subtracts the bias penalties instead of excluding them.

    Mistake: the penalty is computed over whole matrices and the bias columns
    taken back out with
    ``- np.subtract(Theta1[:, 0] @ Theta1[:, 0], Theta2[:, 0] @ Theta2[:, 0])``
    (seed 001). ``np.subtract(a, b)`` is ``a - b``, so ``Theta1``'s bias is
    removed but ``Theta2``'s is *added back*: it is penalized twice. The
    gradient follows that cost, so the difference sits in ``Theta2``'s bias
    column alone, proportional to those weights.

    Fix: exclude, don't subtract: ``np.sum(Theta1[:, 1:]**2) + np.sum(Theta2[:, 1:]**2)``.
    """
    nn_params, n, h, k, X, y = _prepare(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y)
    Theta1, Theta2 = _roll(nn_params, n, h, k)
    m = X.shape[0]
    a1, z2, a2, a3 = _forward(Theta1, Theta2, X)
    Y = np.eye(k)[y.astype(np.intp) - 1]
    reg_term = (lambda_ / (2 * m)) * (
        np.sum(Theta1 * Theta1)
        + np.sum(Theta2 * Theta2)
        - np.subtract(Theta1[:, 0] @ Theta1[:, 0], Theta2[:, 0] @ Theta2[:, 0])
    )
    J = _cross_entropy(Y, a3) / m + reg_term
    d3 = a3 - Y
    d2 = (d3 @ Theta2[:, 1:]) * sigmoid_gradient(z2)
    reg1 = (lambda_ / m) * Theta1
    reg1[:, 0] -= (lambda_ / m) * Theta1[:, 0]
    reg2 = (lambda_ / m) * Theta2
    reg2[:, 0] += (lambda_ / m) * Theta2[:, 0]
    Theta1_grad = (d2.T @ a1) / m + reg1
    Theta2_grad = (d3.T @ a2) / m + reg2
    return float(J), _unroll(Theta1_grad, Theta2_grad)


# ----------------------------------------------------------------------------
# backpropagation


def nn_cost_output_sigmoid_prime(
    nn_params: np.ndarray, input_layer_size: int, hidden_layer_size: int, num_labels: int,
    X: np.ndarray, y: np.ndarray, lambda_: float,
) -> _CostGrad:
    """nnCostFunction with a sigmoid' factor in the output delta.

    Mistake: ``d3 = (a3 - Y) * a3 * (1 - a3)``: the output delta of a
    squared-error loss, used with the cross-entropy cost (seed 004). With
    cross-entropy on sigmoid outputs the sigmoid' factor cancels; keeping it
    makes the gradient disagree with the cost, so a gradient check fails
    while the cost itself matches.

    Fix: ``d3 = a3 - Y``.
    """
    nn_params, n, h, k, X, y = _prepare(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y)
    Theta1, Theta2 = _roll(nn_params, n, h, k)
    m = X.shape[0]
    a1, z2, a2, a3 = _forward(Theta1, Theta2, X)
    Y = np.eye(k)[y.astype(np.intp) - 1]
    W1, W2 = Theta1[:, 1:], Theta2[:, 1:]
    J = _cross_entropy(Y, a3) / m + lambda_ / (2 * m) * (np.sum(W1**2) + np.sum(W2**2))
    d3 = (a3 - Y) * a3 * (1 - a3)
    d2 = (d3 @ W2) * sigmoid_gradient(z2)
    Theta1_grad = (d2.T @ a1) / m
    Theta2_grad = (d3.T @ a2) / m
    Theta1_grad[:, 1:] += (lambda_ / m) * W1
    Theta2_grad[:, 1:] += (lambda_ / m) * W2
    return float(J), _unroll(Theta1_grad, Theta2_grad)


def nn_cost_double_sigmoid(
    nn_params: np.ndarray, input_layer_size: int, hidden_layer_size: int, num_labels: int,
    X: np.ndarray, y: np.ndarray, lambda_: float,
) -> _CostGrad:
    """nnCostFunction that applies the sigmoid to the hidden layer twice.

    Mistake: ``z2`` is stored already activated (``z2 = sigmoid(a1 @ Theta1.T)``)
    and activated again when ``a2`` is built (seed 003): the hidden units
    output ``sigmoid(sigmoid(z))``. The cost is that of another network, and
    backpropagation (written for one sigmoid) does not match it either.

    Fix: keep the pre-activation ``z2 = a1 @ Theta1.T`` and apply the
    sigmoid once.
    """
    nn_params, n, h, k, X, y = _prepare(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y)
    Theta1, Theta2 = _roll(nn_params, n, h, k)
    m = X.shape[0]
    a1 = np.column_stack([np.ones(m), X])
    z2 = sigmoid(a1 @ Theta1.T)
    a2 = np.column_stack([np.ones(m), sigmoid(z2)])
    a3 = sigmoid(a2 @ Theta2.T)
    Y = np.eye(k)[y.astype(np.intp) - 1]
    W1, W2 = Theta1[:, 1:], Theta2[:, 1:]
    J = _cross_entropy(Y, a3) / m + lambda_ / (2 * m) * (np.sum(W1**2) + np.sum(W2**2))
    d3 = a3 - Y
    d2 = (d3 @ W2) * sigmoid_gradient(z2)
    Theta1_grad = (d2.T @ a1) / m
    Theta2_grad = (d3.T @ a2) / m
    Theta1_grad[:, 1:] += (lambda_ / m) * W1
    Theta2_grad[:, 1:] += (lambda_ / m) * W2
    return float(J), _unroll(Theta1_grad, Theta2_grad)


def nn_cost_last_example_only(
    nn_params: np.ndarray, input_layer_size: int, hidden_layer_size: int, num_labels: int,
    X: np.ndarray, y: np.ndarray, lambda_: float,
) -> _CostGrad:
    """Loop-based nnCostFunction whose gradient keeps only the last example.

    Mistake: in the per-example backpropagation loop the accumulators are
    assigned, ``Delta1 = np.outer(d2, a1)``, instead of accumulated,
    ``Delta1 += ...`` (MATLAB's ``Delta1 = Delta1 + ...``). After the loop
    they hold the last example's contribution alone. The cost is right.

    Fix: ``Delta1 += np.outer(d2, a1)`` and ``Delta2 += np.outer(d3, a2)``.
    """
    nn_params, n, h, k, X, y = _prepare(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y)
    Theta1, Theta2 = _roll(nn_params, n, h, k)
    m = X.shape[0]
    Y = np.eye(k)[y.astype(np.intp) - 1]
    J = 0.0
    Delta1 = np.zeros_like(Theta1)
    Delta2 = np.zeros_like(Theta2)
    for t in range(m):
        a1 = np.concatenate(([1.0], X[t]))
        z2 = Theta1 @ a1
        a2 = np.concatenate(([1.0], sigmoid(z2)))
        a3 = sigmoid(Theta2 @ a2)
        J += _cross_entropy(Y[t], a3)
        d3 = a3 - Y[t]
        d2 = (Theta2[:, 1:].T @ d3) * sigmoid_gradient(z2)
        Delta1 = np.outer(d2, a1)
        Delta2 = np.outer(d3, a2)
    W1, W2 = Theta1[:, 1:], Theta2[:, 1:]
    J = J / m + lambda_ / (2 * m) * (np.sum(W1**2) + np.sum(W2**2))
    Theta1_grad = Delta1 / m
    Theta2_grad = Delta2 / m
    Theta1_grad[:, 1:] += (lambda_ / m) * W1
    Theta2_grad[:, 1:] += (lambda_ / m) * W2
    return float(J), _unroll(Theta1_grad, Theta2_grad)


def two_layer_net_inverted_relu(
    params: np.ndarray, input_size: int, hidden_size: int, num_classes: int,
    X: np.ndarray, y: np.ndarray, reg: float,
) -> _CostGrad:
    """twoLayerNetCost with the ReLU written backwards.

    Mistake: ``np.where(z1 > 0, 0, z1)`` zeroes the *positive*
    pre-activations and keeps the negative ones: the opposite of
    ``max(0, z)`` (seed 000, there as ``T.switch(z > 0, 0, z)``). Scores, loss
    and gradient are those of another function.

    Fix: ``np.maximum(0, z1)``, or ``np.where(z1 > 0, z1, 0)``.
    """
    params = np.asarray(params, dtype=np.float64).reshape(-1)
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    D, H, C = int(input_size), int(hidden_size), int(num_classes)
    W1, b1, W2, b2 = _unpack(params, D, H, C)
    m = X.shape[0]
    z1 = X @ W1 + b1
    a1 = np.where(z1 > 0, 0, z1)
    scores = a1 @ W2 + b2
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
    return float(loss), _unroll(dW1, db1, dW2, db2)


def compute_numerical_gradient_floor_division(J: Callable[..., Any], theta: np.ndarray, *args: Any) -> np.ndarray:
    """computeNumericalGradient with ``//`` where MATLAB's ``/`` was meant.

    Mistake: a port that went through Python 2 habits ("``//`` is the
    division that behaves like before") writes
    ``(loss2 - loss1) // (2 * e)``. On floats ``//`` is *floor* division: each
    estimate is rounded down to an integer, so small gradients become 0 or
    -1. MATLAB's ``/`` is always real division.

    Fix: ``(loss2 - loss1) / (2 * e)``; in Python 3 ``/`` is true division
    for ints and floats alike.
    """
    theta = np.array(theta, dtype=np.float64)
    e = 1e-4

    def cost(t: np.ndarray) -> float:
        out = J(t, *args)
        return float(out[0] if isinstance(out, tuple) else out)

    numgrad = np.zeros_like(theta)
    perturb = np.zeros_like(theta)
    for p in range(theta.size):
        idx = np.unravel_index(p, theta.shape, order="F")
        perturb[idx] = e
        loss1 = cost(theta - perturb)
        loss2 = cost(theta + perturb)
        numgrad[idx] = (loss2 - loss1) // (2 * e)
        perturb[idx] = 0.0
    return numgrad


# ----------------------------------------------------------------------------
# aliasing


def nn_cost_view_aliasing(
    nn_params: np.ndarray, input_layer_size: int, hidden_layer_size: int, num_labels: int,
    X: np.ndarray, y: np.ndarray, lambda_: float,
) -> _CostGrad:
    """nnCostFunction that zeroes the bias columns of views into the caller's vector.

    Mistake: ``np.reshape`` (like ``ravel``) returns a *view* when it can, so
    ``Theta1`` and ``Theta2`` share memory with the caller's ``nn_params``.
    To leave the biases out of the penalty the port sets
    ``Theta1[:, 0] = 0`` after the forward pass, which writes zeros into the
    caller's parameter vector. The values returned by this call are right;
    what is observable is the changed input (and a second call on the same
    vector returning something else, which is why this is reported as
    ``mutates-input`` rather than ``nondeterministic``: the function is
    deterministic in what it is given). In MATLAB ``reshape`` and assignment
    copy, so the reference cannot do this.

    Fix: penalize ``Theta1[:, 1:]`` without assigning, or work on
    ``Theta1 = Theta1.copy()``.
    """
    nn_params = np.asarray(nn_params, dtype=np.float64).reshape(-1)
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    n, h, k = int(input_layer_size), int(hidden_layer_size), int(num_labels)
    Theta1, Theta2 = _roll(nn_params, n, h, k)
    m = X.shape[0]
    a1, z2, a2, a3 = _forward(Theta1, Theta2, X)
    Y = np.eye(k)[y.astype(np.intp) - 1]
    d3 = a3 - Y
    d2 = (d3 @ Theta2[:, 1:]) * sigmoid_gradient(z2)
    Theta1[:, 0] = 0.0
    Theta2[:, 0] = 0.0
    J = _cross_entropy(Y, a3) / m + lambda_ / (2 * m) * (np.sum(Theta1**2) + np.sum(Theta2**2))
    Theta1_grad = (d2.T @ a1) / m + (lambda_ / m) * Theta1
    Theta2_grad = (d3.T @ a2) / m + (lambda_ / m) * Theta2
    return float(J), _unroll(Theta1_grad, Theta2_grad)


# ----------------------------------------------------------------------------
# catalogue

GALLERY: list[BrokenCase] = [
    BrokenCase(
        name="broken.nn_cost_c_order",
        reference="ex4.nnCostFunction",
        port=nn_cost_c_order,
        mistake="nn_params rolled with reshape in C order (no order='F') and unrolled with ravel()",
        expected=("unroll-order",),
    ),
    BrokenCase(
        name="broken.debug_initialize_weights_c_order",
        reference="common.debugInitializeWeights",
        port=debug_initialize_weights_c_order,
        mistake="np.sin(range(1, n+1)).reshape(fan_out, fan_in+1)/10 fills row by row",
        expected=("unroll-order",),
    ),
    BrokenCase(
        name="broken.nn_cost_labels_as_indices",
        reference="ex4.nnCostFunction",
        port=nn_cost_labels_as_indices,
        mistake="np.eye(k)[y]: 1-based labels used as 0-based indices (IndexError on label k)",
        expected=("index-base", "python-error"),
    ),
    BrokenCase(
        name="broken.nn_cost_labels_wrapped",
        reference="ex4.nnCostFunction",
        port=nn_cost_labels_wrapped,
        mistake="np.eye(k)[y % k]: label k to index 0, the others unshifted",
        expected=("index-base",),
    ),
    BrokenCase(
        name="broken.nn_cost_grad_missing_m",
        reference="ex4.nnCostFunction",
        port=nn_cost_grad_missing_m,
        mistake="gradient not divided by m",
        expected=("scale",),
        check="compare",
    ),
    BrokenCase(
        name="broken.nn_cost_grad_missing_m.gradient",
        reference="ex4.nnCostFunction",
        port=nn_cost_grad_missing_m,
        mistake="gradient not divided by m (seen by a gradient check alone)",
        expected=("scale",),
        check="gradient",
    ),
    BrokenCase(
        name="broken.nn_cost_bias_regularized",
        reference="ex4.nnCostFunction",
        port=nn_cost_bias_regularized,
        mistake="bias columns included in the penalty",
        expected=("regularization",),
    ),
    BrokenCase(
        name="broken.nn_cost_bias_subtracted",
        reference="ex4.nnCostFunction",
        port=nn_cost_bias_subtracted,
        mistake="bias penalty subtracted with np.subtract(b1, b2) instead of excluded",
        expected=("regularization",),
    ),
    BrokenCase(
        name="broken.nn_cost_output_sigmoid_prime",
        reference="ex4.nnCostFunction",
        port=nn_cost_output_sigmoid_prime,
        mistake="output delta (a3 - Y) * a3 * (1 - a3) with a cross-entropy cost",
        expected=("mismatch",),
        check="gradient",
    ),
    BrokenCase(
        name="broken.nn_cost_output_sigmoid_prime.compare",
        reference="ex4.nnCostFunction",
        port=nn_cost_output_sigmoid_prime,
        mistake="output delta (a3 - Y) * a3 * (1 - a3), traced against the reference's d3 = a3 - Y",
        expected=("extra-factor",),
    ),
    BrokenCase(
        name="broken.nn_cost_double_sigmoid",
        reference="ex4.nnCostFunction",
        port=nn_cost_double_sigmoid,
        mistake="sigmoid applied to the hidden layer twice",
        expected=("extra-function",),
    ),
    BrokenCase(
        name="broken.two_layer_net_inverted_relu",
        reference="cs231n.twoLayerNetCost",
        port=two_layer_net_inverted_relu,
        mistake="ReLU written as np.where(z > 0, 0, z)",
        expected=("inverted-mask",),
    ),
    BrokenCase(
        name="broken.nn_cost_m_from_onehot",
        reference="ex4.nnCostFunction",
        port=nn_cost_m_from_onehot,
        mistake="m = Y.shape[1] on the (m, k) one-hot targets",
        expected=("scale",),
    ),
    BrokenCase(
        name="broken.nn_cost_last_example_only",
        reference="ex4.nnCostFunction",
        port=nn_cost_last_example_only,
        mistake="backprop loop assigns Delta = ... instead of Delta += ...",
        expected=("last-iteration",),
    ),
    BrokenCase(
        name="broken.compute_numerical_gradient_floor_division",
        reference="ex4.computeNumericalGradient",
        port=compute_numerical_gradient_floor_division,
        mistake="(loss2 - loss1) // (2*e): floor division where MATLAB divides",
        expected=("extra-function",),
    ),
    BrokenCase(
        name="broken.nn_cost_onehot_list_index",
        reference="ex4.nnCostFunction",
        port=nn_cost_onehot_list_index,
        mistake="y_bin[[np.arange(m), y-1]] = 1 fills whole rows on NumPy >= 1.23",
        expected=("first-divergence",),
    ),
    BrokenCase(
        name="broken.predict_zero_based",
        reference="ex4.predict",
        port=predict_zero_based,
        mistake="np.argmax without + 1: 0-based classes against 1-based labels",
        expected=("index-base",),
    ),
    BrokenCase(
        name="broken.nn_cost_view_aliasing",
        reference="ex4.nnCostFunction",
        port=nn_cost_view_aliasing,
        mistake="bias columns zeroed in reshape views that alias the caller's nn_params",
        expected=("mutates-input",),
    ),
]
