"""Ports written the way people write them, for the trace tests.

Faithful ones take liberties a faithful port may take (other names, examples
in columns, fused expressions, a per-example loop); broken ones carry one
mistake inside the computation, shaped like the questions in the seeds
(000: an inverted ReLU switch; 003: an extra sigmoid, the wrong weight
matrix; 004: an extra sigmoid' factor in the output delta).
"""

from __future__ import annotations

import numpy as np


def sigmoid(t):
    return 1.0 / (1.0 + np.exp(-t))


def dsigmoid(t):
    return sigmoid(t) * (1 - sigmoid(t))


def _weights(nn_params, n, h, k):
    n1 = h * (n + 1)
    params_l1 = nn_params[:n1].reshape((h, n + 1), order="F")
    params_l2 = nn_params[n1:].reshape((k, h + 1), order="F")
    return params_l1, params_l2


# ----------------------------------------------------------------------------
# ex4 nnCostFunction, examples in columns (seed 004's style)


def nn_cost_columns(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lamb):
    """Faithful: examples in columns, other names, fused expressions."""
    params_l1, params_l2 = _weights(nn_params.ravel(), int(input_layer_size), int(hidden_layer_size),
                                    int(num_labels))
    n_examples = X.shape[0]
    labels = y.ravel().astype(int)
    targets = np.zeros((int(num_labels), n_examples))
    targets[labels - 1, np.arange(n_examples)] = 1
    A1 = np.vstack([np.ones((1, n_examples)), X.T])
    Z2 = params_l1 @ A1
    A2 = np.vstack([np.ones((1, n_examples)), sigmoid(Z2)])
    Z3 = params_l2 @ A2
    yh = sigmoid(Z3)
    loss = -np.sum(targets * np.log(yh) + (1 - targets) * np.log(1 - yh)) / n_examples \
        + lamb / (2 * n_examples) * (np.sum(params_l1[:, 1:] ** 2) + np.sum(params_l2[:, 1:] ** 2))
    delta3 = yh - targets
    delta2 = (params_l2[:, 1:].T @ delta3) * dsigmoid(Z2)
    de2 = delta2 @ A1.T / n_examples
    de3 = delta3 @ A2.T / n_examples
    de2[:, 1:] += lamb / n_examples * params_l1[:, 1:]
    de3[:, 1:] += lamb / n_examples * params_l2[:, 1:]
    return loss, np.concatenate([de2.ravel(order="F"), de3.ravel(order="F")])


def nn_cost_seed004(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lamb):
    """Seed 004: the output delta multiplied by sigmoid'(z3), with its sign flipped."""
    params_l1, params_l2 = _weights(nn_params.ravel(), int(input_layer_size), int(hidden_layer_size),
                                    int(num_labels))
    n_examples = X.shape[0]
    labels = y.ravel().astype(int)
    targets = np.zeros((int(num_labels), n_examples))
    targets[labels - 1, np.arange(n_examples)] = 1
    A1 = np.vstack([np.ones((1, n_examples)), X.T])
    Z2 = params_l1 @ A1
    A2 = np.vstack([np.ones((1, n_examples)), sigmoid(Z2)])
    Z3 = params_l2 @ A2
    yh = sigmoid(Z3)
    loss = -np.sum(targets * np.log(yh) + (1 - targets) * np.log(1 - yh)) / n_examples \
        + lamb / (2 * n_examples) * (np.sum(params_l1[:, 1:] ** 2) + np.sum(params_l2[:, 1:] ** 2))
    delta3 = np.multiply(-(yh - targets), dsigmoid(Z3))
    delta2 = (params_l2[:, 1:].T @ delta3) * dsigmoid(Z2)
    de2 = delta2 @ A1.T / n_examples
    de3 = delta3 @ A2.T / n_examples
    de2[:, 1:] += lamb / n_examples * params_l1[:, 1:]
    de3[:, 1:] += lamb / n_examples * params_l2[:, 1:]
    return loss, np.concatenate([de2.ravel(order="F"), de3.ravel(order="F")])


def nn_cost_loop(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    """Faithful: one example at a time, accumulating."""
    Theta1, Theta2 = _weights(np.ravel(nn_params), int(input_layer_size), int(hidden_layer_size),
                              int(num_labels))
    m = X.shape[0]
    J = 0.0
    Delta1 = np.zeros(Theta1.shape)
    Delta2 = np.zeros(Theta2.shape)
    for i in range(m):
        yi = np.zeros(int(num_labels))
        yi[int(y.flat[i]) - 1] = 1
        a1 = np.concatenate([[1.0], X[i, :]])
        z2 = Theta1 @ a1
        a2 = np.concatenate([[1.0], sigmoid(z2)])
        a3 = sigmoid(Theta2 @ a2)
        J += -np.sum(yi * np.log(a3) + (1 - yi) * np.log(1 - a3))
        d3 = a3 - yi
        d2 = (Theta2[:, 1:].T @ d3) * dsigmoid(z2)
        Delta1 += np.outer(d2, a1)
        Delta2 += np.outer(d3, a2)
    J = J / m + lambda_ / (2 * m) * (np.sum(Theta1[:, 1:] ** 2) + np.sum(Theta2[:, 1:] ** 2))
    Theta1_grad = Delta1 / m
    Theta2_grad = Delta2 / m
    Theta1_grad[:, 1:] += lambda_ / m * Theta1[:, 1:]
    Theta2_grad[:, 1:] += lambda_ / m * Theta2[:, 1:]
    return J, np.concatenate([Theta1_grad.ravel(order="F"), Theta2_grad.ravel(order="F")])


def nn_cost_no_hidden_sigmoid(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    """The hidden layer's activation forgotten: a2 = [1, z2]."""
    Theta1, Theta2 = _weights(np.ravel(nn_params), int(input_layer_size), int(hidden_layer_size),
                              int(num_labels))
    m = X.shape[0]
    Y = np.eye(int(num_labels))[y.ravel().astype(int) - 1]
    a1 = np.hstack([np.ones((m, 1)), X])
    z2 = a1 @ Theta1.T
    a2 = np.hstack([np.ones((m, 1)), z2])
    a3 = sigmoid(a2 @ Theta2.T)
    J = -np.sum(Y * np.log(a3) + (1 - Y) * np.log(1 - a3)) / m \
        + lambda_ / (2 * m) * (np.sum(Theta1[:, 1:] ** 2) + np.sum(Theta2[:, 1:] ** 2))
    d3 = a3 - Y
    d2 = (d3 @ Theta2[:, 1:]) * dsigmoid(z2)
    g1 = d2.T @ a1 / m
    g2 = d3.T @ a2 / m
    g1[:, 1:] += lambda_ / m * Theta1[:, 1:]
    g2[:, 1:] += lambda_ / m * Theta2[:, 1:]
    return J, np.concatenate([g1.ravel(order="F"), g2.ravel(order="F")])


# ----------------------------------------------------------------------------
# cs231n twoLayerNetCost, seed 000's style


def _unpack(params, D, H, C):
    o = 0
    W1 = params[o:o + D * H].reshape((D, H), order="F"); o += D * H
    b1 = params[o:o + H].reshape((1, H)); o += H
    W2 = params[o:o + H * C].reshape((H, C), order="F"); o += H * C
    b2 = params[o:o + C].reshape((1, C))
    return W1, b1, W2, b2


def two_layer_seed000(params, input_size, hidden_size, num_classes, X, y, reg, inverted=True):
    """Seed 000: the ReLU written as switch(z > 0, 0, z)."""
    W1, b1, W2, b2 = _unpack(np.ravel(params), int(input_size), int(hidden_size), int(num_classes))
    N = X.shape[0]
    z_2 = np.dot(X, W1) + b1
    z_3 = np.where(z_2 > 0, 0, z_2) if inverted else np.maximum(0, z_2)
    z_4 = np.dot(z_3, W2) + b2
    exp_scores = np.exp(z_4 - z_4.max(axis=1, keepdims=True))
    y_hat = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
    yi = y.ravel().astype(int) - 1
    loss = -np.sum(np.log(y_hat[np.arange(N), yi])) / N + reg / 2.0 * (np.sum(W1 * W1) + np.sum(W2 * W2))
    d4 = y_hat.copy()
    d4[np.arange(N), yi] -= 1
    d4 /= N
    dW2 = z_3.T @ d4 + reg * W2
    db2 = d4.sum(axis=0, keepdims=True)
    d2 = d4 @ W2.T
    d2[z_2 <= 0] = 0
    dW1 = X.T @ d2 + reg * W1
    db1 = d2.sum(axis=0, keepdims=True)
    return loss, np.concatenate([dW1.ravel(order="F"), db1.ravel(), dW2.ravel(order="F"), db2.ravel()])


def two_layer_faithful(params, input_size, hidden_size, num_classes, X, y, reg):
    return two_layer_seed000(params, input_size, hidden_size, num_classes, X, y, reg, inverted=False)


# ----------------------------------------------------------------------------
# the autoencoder of seed 003 (reference: tests/trace_refs/aeCost.m)


def ae_cost(encoder, decoder, x):
    """Faithful."""
    a = sigmoid(x @ encoder)
    z = sigmoid(a @ decoder)
    J = np.sum(0.5 * (z - x) ** 2)
    error_0 = (z - x) * z * (1 - z)
    gDecoder = a.T @ error_0
    error_1 = (error_0 @ decoder.T) * a * (1 - a)
    gEncoder = x.T @ error_1
    return J, gEncoder, gDecoder


def ae_cost_double_sigmoid(encoder, decoder, x):
    """Seed 003: the hidden activation squashed twice."""
    a = sigmoid(sigmoid(x @ encoder))
    z = sigmoid(a @ decoder)
    J = np.sum(0.5 * (z - x) ** 2)
    error_0 = (z - x) * z * (1 - z)
    gDecoder = a.T @ error_0
    error_1 = (error_0 @ decoder.T) * a * (1 - a)
    gEncoder = x.T @ error_1
    return J, gEncoder, gDecoder


def ae_cost_encoder_for_decoder(encoder, decoder, x):
    """Seed 003: the hidden error propagated through `encoder` where the reference has `decoder'`."""
    a = sigmoid(x @ encoder)
    z = sigmoid(a @ decoder)
    J = np.sum(0.5 * (z - x) ** 2)
    error_0 = (z - x) * z * (1 - z)
    gDecoder = a.T @ error_0
    error_1 = (error_0 @ encoder) * a * (1 - a)
    gEncoder = x.T @ error_1
    return J, gEncoder, gDecoder
