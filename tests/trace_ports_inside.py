"""Ports for tests/test_trace_inside.py: faithful shapes a forced trace once misread, and mistakes inside them.

Faithful ports here take a liberty the alignment must accept (a recursive
backward pass whose gradient is called ``G``, a per-example loop that divides
by m only after summing); broken ones carry their mistake on a line marked
``# BUG``, which the tests look for.
"""

from __future__ import annotations

import numpy as np


def _logistic(t):
    return 1.0 / (1.0 + np.exp(-t))


def _logistic_slope(t):
    s = _logistic(t)
    return s * (1.0 - s)


# ----------------------------------------------------------------------------
# ex4 nnCostFunction written recursively over the layers (the reference calls
# sigmoidGradient, whose output is named g; the port's per-layer gradient is G)


def _layers(params, n, h, k):
    first = h * (n + 1)
    return [params[:first].reshape((h, n + 1), order="F"), params[first:].reshape((k, h + 1), order="F")]


def _down(inputs, weights, seen):
    if not weights:
        return seen
    with_one = np.column_stack([np.ones(inputs.shape[0]), inputs])
    pre = with_one @ weights[0].T
    seen.append((with_one, pre))
    return _down(_logistic(pre), weights[1:], seen)


def _up(delta, layer, seen, weights, m, lam, grads):
    with_one, _ = seen[layer]
    G = delta.T @ with_one / m
    G[:, 1:] += lam / m * weights[layer][:, 1:]
    grads[layer] = G
    if layer == 0:
        return grads
    below = seen[layer - 1][1]
    return _up((delta @ weights[layer][:, 1:]) * _logistic_slope(below), layer - 1, seen, weights, m, lam, grads)


def nn_recursive(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lam):
    weights = _layers(np.asarray(nn_params, dtype=float), int(input_layer_size), int(hidden_layer_size),
                      int(num_labels))
    m = X.shape[0]
    seen = _down(X, weights, [])
    out = _logistic(seen[-1][1])
    Y = np.eye(int(num_labels))[np.asarray(y).astype(int).ravel() - 1]
    J = -np.sum(Y * np.log(out) + (1 - Y) * np.log(1 - out)) / m
    J += lam / (2 * m) * sum(np.sum(W[:, 1:] ** 2) for W in weights)
    grads = _up(out - Y, len(weights) - 1, seen, weights, m, lam, [None, None])
    return J, np.concatenate([G.ravel(order="F") for G in grads])


# ----------------------------------------------------------------------------
# cs231n twoLayerNetCost one example at a time; the reference divides dscores
# by m before backpropagating, this port divides the sums after the loop


def _two_layer(params, d, h, c):
    sizes = np.cumsum((d * h, h, h * c))
    W1, b1, W2, b2 = np.split(np.asarray(params, dtype=float), sizes)
    return W1.reshape((d, h), order="F"), b1, W2.reshape((h, c), order="F"), b2


def _one_example(x, label, W1, b1, W2, b2):
    z1 = x @ W1 + b1
    a1 = np.maximum(z1, 0)
    scores = a1 @ W2 + b2
    p = np.exp(scores - scores.max())
    p /= p.sum()
    loss = -np.log(p[label])
    dscores = p.copy()
    dscores[label] -= 1
    dz1 = (W2 @ dscores) * (z1 > 0)
    return loss, np.outer(x, dz1), dz1, np.outer(a1, dscores), dscores


def two_layer_per_example(params, input_size, hidden_size, num_classes, X, y, reg):
    W1, b1, W2, b2 = _two_layer(params, int(input_size), int(hidden_size), int(num_classes))
    m = X.shape[0]
    total = 0.0
    sums = [np.zeros_like(W1), np.zeros_like(b1), np.zeros_like(W2), np.zeros_like(b2)]
    for i in range(m):
        loss_i, *parts = _one_example(X[i], int(y[i]) - 1, W1, b1, W2, b2)
        total += loss_i
        for acc, part in zip(sums, parts):
            acc += part
    dW1, db1, dW2, db2 = (s / m for s in sums)
    dW1 = dW1 + reg * W1
    dW2 = dW2 + reg * W2
    loss = total / m + 0.5 * reg * (np.sum(W1 ** 2) + np.sum(W2 ** 2))
    return loss, np.concatenate([dW1.ravel(order="F"), db1, dW2.ravel(order="F"), db2])


# ----------------------------------------------------------------------------
# a whole number one off, written in the line: the axis of a sum, an index


def softmax_cost_normalised_over_classes_axis(theta, num_classes, input_size, lam, data, labels):
    """ufldl softmaxCost, examples in columns: the probabilities normalised over the classes (faithful)."""
    return _softmax_cost(theta, num_classes, input_size, lam, data, labels, axis=0)


def softmax_cost_wrong_axis(theta, num_classes, input_size, lam, data, labels):
    return _softmax_cost(theta, num_classes, input_size, lam, data, labels, axis=1)


def _softmax_cost(theta, num_classes, input_size, lam, data, labels, axis):
    k = int(num_classes)
    W = np.asarray(theta, dtype=float).reshape((k, int(input_size)), order="F")
    m = data.shape[1]
    scores = W @ data
    scores = scores - scores.max(axis=0)
    e = np.exp(scores)
    if axis == 0:
        probs = e / e.sum(axis=0, keepdims=True)
    else:
        probs = e / e.sum(axis=1, keepdims=True)  # BUG
    truth = np.zeros((k, m))
    truth[np.asarray(labels).astype(int).ravel() - 1, np.arange(m)] = 1.0
    cost = -np.sum(truth * np.log(probs)) / m + lam / 2 * np.sum(W ** 2)
    grad = -(truth - probs) @ data.T / m + lam * W
    return cost, grad.ravel(order="F")


def closest_centroid_previous_row(X, centroids):
    """ex7 findClosestCentroids with the loop reading the centroid before the current one."""
    K = centroids.shape[0]
    d = np.zeros((X.shape[0], K))
    for k in range(K):
        diff = X - centroids[k - 1]  # BUG
        d[:, k] = np.sum(diff ** 2, axis=1)
    return (np.argmin(d, axis=1) + 1).astype(float)


# ----------------------------------------------------------------------------
# values returned under another name than the reference's output


def gaussian_params_uncentred(X):
    """ex8 estimateGaussian returning ``mu, var``: the variance reads X where the centred values are meant."""
    m = X.shape[0]
    mu = X.sum(axis=0) / m
    dev = X - mu
    var = (X ** 2).sum(axis=0) / m  # BUG
    return mu, var


def centroids_by_cluster(X, idx, K):
    """ex7 computeCentroids, one cluster per pass; ``out`` is returned as the reference's ``centroids``."""
    out = np.zeros((int(K), X.shape[1]))
    labels = np.asarray(idx).ravel()
    for k in range(int(K)):
        members = X[labels == k + 1]
        out[k] = members.sum(axis=0) / members.shape[0]
    return out


def centroids_divided_by_width(X, idx, K):
    out = np.zeros((int(K), X.shape[1]))
    labels = np.asarray(idx).ravel()
    for k in range(int(K)):
        members = X[labels == k + 1]
        out[k] = members.sum(axis=0) / members.shape[1]  # BUG
    return out


# ----------------------------------------------------------------------------
# a helper handed the wrong array: its first line takes the activation, the
# reference's its pre-activation (sigmoidGradient(z2), whose s = sigmoid(z) the port calls g)


def _slope(z):
    g = _logistic(z)
    return g * (1 - g)


def nn_slope_of_activation(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lam):
    W1, W2 = _layers(np.asarray(nn_params, dtype=float), int(input_layer_size), int(hidden_layer_size),
                     int(num_labels))
    m = X.shape[0]
    a1 = np.column_stack([np.ones(m), X])
    z2 = a1 @ W1.T
    a2 = np.column_stack([np.ones(m), _logistic(z2)])
    a3 = _logistic(a2 @ W2.T)
    Y = np.eye(int(num_labels))[np.asarray(y).astype(int).ravel() - 1]
    J = -np.sum(Y * np.log(a3) + (1 - Y) * np.log(1 - a3)) / m \
        + lam / (2 * m) * (np.sum(W1[:, 1:] ** 2) + np.sum(W2[:, 1:] ** 2))
    d3 = a3 - Y
    d2 = (d3 @ W2[:, 1:]) * _slope(a2[:, 1:])  # BUG
    g1 = d2.T @ a1 / m
    g2 = d3.T @ a2 / m
    g1[:, 1:] += lam / m * W1[:, 1:]
    g2[:, 1:] += lam / m * W2[:, 1:]
    return J, np.concatenate([g1.ravel(order="F"), g2.ravel(order="F")])


# ----------------------------------------------------------------------------
# a number the reference sums in one statement, the port in two


def linreg_cost_in_two_statements(X, y, theta, lam, data_factor=0.5, reg_factor=0.5):
    """ex5 linearRegCostFunction: J = data term, then J += penalty (faithful with the default factors)."""
    theta = np.asarray(theta, dtype=float).ravel()
    m = y.size
    r = X @ theta - y
    J = data_factor * (r @ r) / m
    J += reg_factor * lam / m * (theta[1:] @ theta[1:])
    grad = X.T @ r / m
    grad[1:] += lam / m * theta[1:]
    return J, grad


def linreg_cost_data_term_unhalved(X, y, theta, lam):
    theta = np.asarray(theta, dtype=float).ravel()
    m = y.size
    r = X @ theta - y
    J = (r @ r) / m  # BUG
    J += 0.5 * lam / m * (theta[1:] @ theta[1:])
    grad = X.T @ r / m
    grad[1:] += lam / m * theta[1:]
    return J, grad


def linreg_cost_penalty_unhalved(X, y, theta, lam):
    theta = np.asarray(theta, dtype=float).ravel()
    m = y.size
    r = X @ theta - y
    J = 0.5 * (r @ r) / m
    J += lam / m * (theta[1:] @ theta[1:])  # BUG
    grad = X.T @ r / m
    grad[1:] += lam / m * theta[1:]
    return J, grad


# ----------------------------------------------------------------------------
# a loop that keeps its last pass, where the reference adds a term to the sum


def softmax_cost_loop_keeps_last(theta, num_classes, input_size, lam, data, labels):
    """ufldl softmaxCost one example at a time; the reference's thetagrad = -(...) / m + lambda * theta."""
    k = int(num_classes)
    W = np.asarray(theta, dtype=float).reshape((k, int(input_size)), order="F")
    m = data.shape[1]
    cost = 0.0
    G = np.zeros_like(W)
    for i in range(m):
        s = W @ data[:, i]
        p = np.exp(s - s.max())
        p /= p.sum()
        t = np.zeros(k)
        t[int(labels[i]) - 1] = 1.0
        cost -= np.log(p[int(labels[i]) - 1])
        G = np.outer(p - t, data[:, i])  # BUG
    return cost / m + lam / 2 * np.sum(W ** 2), (G / m + lam * W).ravel(order="F")


# ----------------------------------------------------------------------------
# class-based ports whose mistake is in a method's return statement


class _TwoLayer:
    """cs231n twoLayerNetCost as a class; the ReLU's backward switch comes from a method."""

    def __init__(self, params, d, h, c):
        self.W1, self.b1, self.W2, self.b2 = _two_layer(params, d, h, c)

    def switch(self, z):
        return z > 0

    def loss(self, X, y, reg):
        m = X.shape[0]
        rows, labels = np.arange(m), np.asarray(y).astype(int).ravel() - 1
        self.z = X @ self.W1 + self.b1
        self.h = np.maximum(self.z, 0)
        s = self.h @ self.W2 + self.b2
        p = np.exp(s - s.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        loss = -np.log(p[rows, labels]).mean() + 0.5 * reg * (np.sum(self.W1 ** 2) + np.sum(self.W2 ** 2))
        ds = p.copy()
        ds[rows, labels] -= 1
        ds /= m
        gW2 = self.h.T @ ds + reg * self.W2
        back = ds @ self.W2.T
        dz = back * self.switch(self.z)
        gW1 = X.T @ dz + reg * self.W1
        return loss, np.concatenate([gW1.ravel(order="F"), dz.sum(axis=0), gW2.ravel(order="F"), ds.sum(axis=0)])


class _TwoLayerFlipped(_TwoLayer):
    def switch(self, z):
        return z <= 0  # BUG


def two_layer_class(params, input_size, hidden_size, num_classes, X, y, reg):
    return _TwoLayer(params, int(input_size), int(hidden_size), int(num_classes)).loss(X, y, reg)


def two_layer_class_flipped_switch(params, input_size, hidden_size, num_classes, X, y, reg):
    return _TwoLayerFlipped(params, int(input_size), int(hidden_size), int(num_classes)).loss(X, y, reg)


class _Autoencoder:
    """ufldl sparseAutoencoderCost as a class (examples in columns); the output delta from a method."""

    def __init__(self, theta, visible, hidden):
        v, h = int(visible), int(hidden)
        theta = np.asarray(theta, dtype=float)
        self.W1 = theta[:h * v].reshape((h, v), order="F")
        self.W2 = theta[h * v:2 * h * v].reshape((v, h), order="F")
        self.b1, self.b2 = theta[2 * h * v:2 * h * v + h], theta[2 * h * v + h:]

    def output_delta(self, err, out):
        return err * out * (1 - out)

    def cost(self, lam, rho, beta, data):
        m = data.shape[1]
        hid = _logistic(self.W1 @ data + self.b1[:, None])
        out = _logistic(self.W2 @ hid + self.b2[:, None])
        rho_hat = hid.mean(axis=1)
        kl = rho * np.log(rho / rho_hat) + (1 - rho) * np.log((1 - rho) / (1 - rho_hat))
        err = out - data
        cost = np.sum(err ** 2) / (2 * m) + lam / 2 * (np.sum(self.W1 ** 2) + np.sum(self.W2 ** 2)) \
            + beta * kl.sum()
        d3 = self.output_delta(err, out)
        d2 = (self.W2.T @ d3 + (beta * (-rho / rho_hat + (1 - rho) / (1 - rho_hat)))[:, None]) * hid * (1 - hid)
        g1 = d2 @ data.T / m + lam * self.W1
        g2 = d3 @ hid.T / m + lam * self.W2
        return cost, np.concatenate([g1.ravel(order="F"), g2.ravel(order="F"), d2.sum(axis=1) / m,
                                     d3.sum(axis=1) / m])


class _AutoencoderSquaredSlope(_Autoencoder):
    def output_delta(self, err, out):
        return err * out * (1 - out) * out * (1 - out)  # BUG


def autoencoder_class(theta, visible_size, hidden_size, lambda_, sparsity_param, beta, data):
    return _Autoencoder(theta, visible_size, hidden_size).cost(lambda_, sparsity_param, beta, data)


def autoencoder_class_slope_twice(theta, visible_size, hidden_size, lambda_, sparsity_param, beta, data):
    return _AutoencoderSquaredSlope(theta, visible_size, hidden_size).cost(lambda_, sparsity_param, beta, data)


# ----------------------------------------------------------------------------
# a helper's result transformed on the calling line; a wrong default of a helper


def _column_probs(S, axis=0):
    S = S - S.max(axis=axis, keepdims=True)
    E = np.exp(S)
    return E / E.sum(axis=axis, keepdims=True)


def _softmax_from(theta, num_classes, input_size, lam, data, labels, probs_of):
    k = int(num_classes)
    W = np.asarray(theta, dtype=float).reshape((k, int(input_size)), order="F")
    m = data.shape[1]
    P = probs_of(W @ data)
    truth = np.zeros((k, m))
    truth[np.asarray(labels).astype(int).ravel() - 1, np.arange(m)] = 1.0
    cost = -np.sum(truth * np.log(P)) / m + lam / 2 * np.sum(W ** 2)
    return cost, (-(truth - P) @ data.T / m + lam * W).ravel(order="F")


def softmax_cost_helper(theta, num_classes, input_size, lam, data, labels):
    return _softmax_from(theta, num_classes, input_size, lam, data, labels, _column_probs)


def softmax_cost_exp_of_helper(theta, num_classes, input_size, lam, data, labels):
    k = int(num_classes)
    W = np.asarray(theta, dtype=float).reshape((k, int(input_size)), order="F")
    m = data.shape[1]
    P = np.exp(_column_probs(W @ data))  # BUG
    truth = np.zeros((k, m))
    truth[np.asarray(labels).astype(int).ravel() - 1, np.arange(m)] = 1.0
    cost = -np.sum(truth * np.log(P)) / m + lam / 2 * np.sum(W ** 2)
    return cost, (-(truth - P) @ data.T / m + lam * W).ravel(order="F")


def two_layer_probs_default_axis(params, input_size, hidden_size, num_classes, X, y, reg):
    """cs231n twoLayerNetCost (examples in rows) with a helper whose default normalises columns."""
    W1, b1, W2, b2 = _two_layer(params, int(input_size), int(hidden_size), int(num_classes))
    m = X.shape[0]
    rows, labels = np.arange(m), np.asarray(y).astype(int).ravel() - 1
    z1 = X @ W1 + b1
    a1 = np.maximum(z1, 0)
    scores = a1 @ W2 + b2
    probs = _column_probs(scores)
    loss = -np.log(probs[rows, labels]).mean() + 0.5 * reg * (np.sum(W1 ** 2) + np.sum(W2 ** 2))
    ds = probs.copy()
    ds[rows, labels] -= 1
    ds /= m
    dz1 = (ds @ W2.T) * (z1 > 0)
    return loss, np.concatenate([(X.T @ dz1 + reg * W1).ravel(order="F"), dz1.sum(axis=0),
                                 (a1.T @ ds + reg * W2).ravel(order="F"), ds.sum(axis=0)])
