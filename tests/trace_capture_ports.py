"""Ports that keep their intermediates where a plain variable scan does not look.

On ``self`` (a network refactored into a class, seed 004's style), in a
``cache`` dict (cs231n's forward/backward split), in lists of arrays (one
entry per example, or per layer). Each faithful port has a broken twin with
one mistake, marked ``# mistake``, for the trace tests
(tests/test_trace_capture.py) against the bundled ex4 ``nnCostFunction``.
"""

from __future__ import annotations

import numpy as np


def sigmoid(t):
    return 1.0 / (1.0 + np.exp(-t))


def _unroll(params, n, h, k):
    cut = h * (n + 1)
    return params[:cut].reshape((h, n + 1), order="F"), params[cut:].reshape((k, h + 1), order="F")


def _onehot(y, k):
    return np.eye(k)[np.asarray(y).ravel().astype(int) - 1]


# ----------------------------------------------------------------------------
# a class that keeps every layer on self


class Network:
    def __init__(self, sizes, bias_value=1.0):
        self.sizes = sizes
        self.bias_value = bias_value

    def unpack(self, params):
        self.W1, self.W2 = _unroll(np.asarray(params).ravel(), *self.sizes)

    def forward(self, X):
        m = X.shape[0]
        self.A1 = np.hstack([np.full((m, 1), self.bias_value), X])
        self.Z2 = self.A1 @ self.W1.T
        self.A2 = np.hstack([np.ones((m, 1)), sigmoid(self.Z2)])
        self.A3 = sigmoid(self.A2 @ self.W2.T)
        return self.A3

    def loss(self, X, Y, lam):
        m = X.shape[0]
        H = self.forward(X)
        fit = -np.sum(Y * np.log(H) + (1 - Y) * np.log(1 - H)) / m
        return fit + lam / (2 * m) * (np.sum(self.W1[:, 1:] ** 2) + np.sum(self.W2[:, 1:] ** 2))

    def gradient(self, Y, lam):
        m = Y.shape[0]
        d3 = self.A3 - Y
        s = sigmoid(self.Z2)
        d2 = (d3 @ self.W2[:, 1:]) * s * (1 - s)
        G1 = d2.T @ self.A1 / m
        G2 = d3.T @ self.A2 / m
        G1[:, 1:] += lam / m * self.W1[:, 1:]
        G2[:, 1:] += lam / m * self.W2[:, 1:]
        return np.concatenate([G1.ravel(order="F"), G2.ravel(order="F")])


def _class_cost(bias_value, nn_params, n, h, k, X, y, lam):
    net = Network((int(n), int(h), int(k)), bias_value)
    net.unpack(nn_params)
    Y = _onehot(y, int(k))
    J = net.loss(X, Y, lam)
    return J, net.gradient(Y, lam)


def nn_class(nn_params, n, h, k, X, y, lam):
    """Faithful: every layer kept on self."""
    return _class_cost(1.0, nn_params, n, h, k, X, y, lam)


def nn_class_zero_bias(nn_params, n, h, k, X, y, lam):
    """The input's bias column holds zeros (Network(..., bias_value=0.0))."""
    return _class_cost(0.0, nn_params, n, h, k, X, y, lam)  # the mistake is on self.A1's line


# ----------------------------------------------------------------------------
# cs231n style: forward fills a cache dict, backward reads it


def _forward(W1, W2, X, twice):
    cache = {}
    m = X.shape[0]
    cache["a1"] = np.hstack([np.ones((m, 1)), X])
    cache["z2"] = cache["a1"] @ W1.T
    if twice:
        cache["a2"] = np.hstack([np.ones((m, 1)), sigmoid(sigmoid(cache["z2"]))])  # mistake
    else:
        cache["a2"] = np.hstack([np.ones((m, 1)), sigmoid(cache["z2"])])
    cache["a3"] = sigmoid(cache["a2"] @ W2.T)
    return cache


def _cache_cost(twice, nn_params, n, h, k, X, y, lam):
    W1, W2 = _unroll(np.asarray(nn_params).ravel(), int(n), int(h), int(k))
    m = X.shape[0]
    Y = _onehot(y, int(k))
    cache = _forward(W1, W2, X, twice)
    out = cache["a3"]
    J = -np.sum(Y * np.log(out) + (1 - Y) * np.log(1 - out)) / m \
        + lam / (2 * m) * (np.sum(W1[:, 1:] ** 2) + np.sum(W2[:, 1:] ** 2))
    d3 = out - Y
    s = sigmoid(cache["z2"])
    d2 = (d3 @ W2[:, 1:]) * s * (1 - s)
    G1 = d2.T @ cache["a1"] / m + np.hstack([np.zeros((int(h), 1)), lam / m * W1[:, 1:]])
    G2 = d3.T @ cache["a2"] / m + np.hstack([np.zeros((int(k), 1)), lam / m * W2[:, 1:]])
    return J, np.concatenate([G1.ravel(order="F"), G2.ravel(order="F")])


def nn_cache(nn_params, n, h, k, X, y, lam):
    """Faithful: the forward pass keeps its layers in a cache dict."""
    return _cache_cost(False, nn_params, n, h, k, X, y, lam)


def nn_cache_sigmoid_twice(nn_params, n, h, k, X, y, lam):
    """The hidden activation is sigmoid(sigmoid(z2)), stored in the cache."""
    return _cache_cost(True, nn_params, n, h, k, X, y, lam)


# ----------------------------------------------------------------------------
# lists of arrays: one entry per example, one per layer


def _per_example(twice, nn_params, n, h, k, X, y, lam):
    W1, W2 = _unroll(np.asarray(nn_params).ravel(), int(n), int(h), int(k))
    m = len(X)
    ys = [np.eye(int(k))[int(lbl) - 1] for lbl in np.ravel(y)]
    xs = [np.concatenate(([1.0], row)) for row in X]
    zs = [W1 @ x for x in xs]
    if twice:
        hs = [np.concatenate(([1.0], sigmoid(sigmoid(z)))) for z in zs]  # mistake
    else:
        hs = [np.concatenate(([1.0], sigmoid(z))) for z in zs]
    outs = [sigmoid(W2 @ a) for a in hs]
    J = sum(-(t @ np.log(o) + (1 - t) @ np.log(1 - o)) for t, o in zip(ys, outs)) / m
    J += lam / (2 * m) * (np.sum(W1[:, 1:] ** 2) + np.sum(W2[:, 1:] ** 2))
    e3 = [o - t for o, t in zip(outs, ys)]
    e2 = [(W2[:, 1:].T @ e) * sigmoid(z) * (1 - sigmoid(z)) for e, z in zip(e3, zs)]
    G1 = sum(np.outer(e, x) for e, x in zip(e2, xs)) / m
    G2 = sum(np.outer(e, a) for e, a in zip(e3, hs)) / m
    G1[:, 1:] += lam / m * W1[:, 1:]
    G2[:, 1:] += lam / m * W2[:, 1:]
    return J, np.concatenate([G1.ravel(order="F"), G2.ravel(order="F")])


def nn_per_example_lists(nn_params, n, h, k, X, y, lam):
    """Faithful: one list entry per example, built by comprehensions."""
    return _per_example(False, nn_params, n, h, k, X, y, lam)


def nn_per_example_lists_sigmoid_twice(nn_params, n, h, k, X, y, lam):
    """The hidden activations list applies sigmoid twice."""
    return _per_example(True, nn_params, n, h, k, X, y, lam)


def _layers(bias_inside, nn_params, n, h, k, X, y, lam):
    sizes = [int(n), int(h), int(k)]
    Ws = list(_unroll(np.asarray(nn_params).ravel(), *sizes))
    m = X.shape[0]
    acts = [np.c_[np.ones(m), X]]
    zs = []
    for i, W in enumerate(Ws):
        z = acts[-1] @ W.T
        zs.append(z)
        if i == len(Ws) - 1:
            acts.append(sigmoid(z))
        elif bias_inside:
            acts.append(sigmoid(np.c_[np.ones(m), z]))  # mistake
        else:
            acts.append(np.c_[np.ones(m), sigmoid(z)])
    out = acts[-1]
    Y = _onehot(y, sizes[-1])
    J = -np.sum(Y * np.log(out) + (1 - Y) * np.log(1 - out)) / m
    J += lam / (2 * m) * sum(np.sum(W[:, 1:] ** 2) for W in Ws)
    delta = out - Y
    grads = [None] * len(Ws)
    for layer in range(len(Ws) - 1, -1, -1):
        grads[layer] = delta.T @ acts[layer] / m
        grads[layer][:, 1:] += lam / m * Ws[layer][:, 1:]
        if layer > 0:
            s = sigmoid(zs[layer - 1])
            delta = (delta @ Ws[layer][:, 1:]) * s * (1 - s)
    return J, np.concatenate([g.ravel(order="F") for g in grads])


def nn_layer_lists(nn_params, n, h, k, X, y, lam):
    """Faithful: activations, pre-activations and gradients in per-layer lists."""
    return _layers(False, nn_params, n, h, k, X, y, lam)


def nn_layer_lists_bias_inside(nn_params, n, h, k, X, y, lam):
    """The hidden layer's bias column is added before the sigmoid, so it holds sigmoid(1)."""
    return _layers(True, nn_params, n, h, k, X, y, lam)


# ----------------------------------------------------------------------------
# values that only exist as arguments: a helper's input, a nested call


def lr_cost_nested(theta, X, y, lambda_):
    """Faithful: the hypothesis never gets a name of its own (computed inside the call)."""
    y = np.asarray(y, dtype=float).reshape(-1)
    m = y.size
    w = np.r_[0.0, theta[1:]]
    J = -(y @ np.log(sigmoid(X @ theta)) + (1 - y) @ np.log(1 - sigmoid(X @ theta))) / m \
        + lambda_ / (2 * m) * (w @ w)
    return J, (X.T @ (sigmoid(X @ theta) - y) + lambda_ * w) / m


def lr_cost_sigmoid_twice(theta, X, y, lambda_):
    """The classic: sigmoid applied twice, the result under a name the reference does not use."""
    y = np.asarray(y, dtype=float).reshape(-1)
    m = y.size
    prob = sigmoid(sigmoid(X @ theta))  # mistake
    w = np.r_[0.0, theta[1:]]
    J = -(y @ np.log(prob) + (1 - y) @ np.log(1 - prob)) / m + lambda_ / (2 * m) * (w @ w)
    return J, (X.T @ (prob - y) + lambda_ * w) / m


def sigmoid_gradient(z):
    s = sigmoid(z)
    return s * (1 - s)


def _nn_helper_call(wrong, nn_params, n, h, k, X, y, lam):
    W1, W2 = _unroll(np.asarray(nn_params).ravel(), int(n), int(h), int(k))
    m = X.shape[0]
    Y = _onehot(y, int(k))
    a1 = np.hstack([np.ones((m, 1)), X])
    z2 = a1 @ W1.T
    a2 = np.hstack([np.ones((m, 1)), sigmoid(z2)])
    a3 = sigmoid(a2 @ W2.T)
    J = -np.sum(Y * np.log(a3) + (1 - Y) * np.log(1 - a3)) / m \
        + lam / (2 * m) * (np.sum(W1[:, 1:] ** 2) + np.sum(W2[:, 1:] ** 2))
    d3 = a3 - Y
    if wrong:
        d2 = (d3 @ W2[:, 1:]) * sigmoid_gradient(a2[:, 1:])  # mistake: the activation, not z2
    else:
        d2 = (d3 @ W2[:, 1:]) * sigmoid_gradient(z2)
    G1 = d2.T @ a1 / m
    G2 = d3.T @ a2 / m
    G1[:, 1:] += lam / m * W1[:, 1:]
    G2[:, 1:] += lam / m * W2[:, 1:]
    return J, np.concatenate([G1.ravel(order="F"), G2.ravel(order="F")])


def nn_helper_call(nn_params, n, h, k, X, y, lam):
    """Faithful: the sigmoid gradient from a helper, like the reference's sigmoidGradient."""
    return _nn_helper_call(False, nn_params, n, h, k, X, y, lam)


def nn_helper_call_wrong_argument(nn_params, n, h, k, X, y, lam):
    """The helper is right; the call hands it the activation a2 instead of z2."""
    return _nn_helper_call(True, nn_params, n, h, k, X, y, lam)


def scaled_error(X, w, t):
    """Port of scaledError.m (tests write it): the helper's optional factor left at its default."""
    return shrink(X @ w - t)


def scaled_error_wrong_argument(X, w, t):
    return shrink(X @ w + t)  # mistake: the sign of t


def shrink(v, k=0.5):
    out = k * v
    return out


def row_normalize(S, axis=1):
    S = S - S.max(axis=axis, keepdims=True)
    P = S / np.abs(S).sum(axis=axis, keepdims=True)
    return P


def scores_cost(W, X):
    """Port of scoresCost.m (tests write it): the scores exist only as the helper's argument."""
    P = row_normalize(X @ W.T)
    return np.sum(P ** 2)


def scores_cost_wrong_axis(W, X):
    P = row_normalize(X @ W.T, axis=0)  # mistake: normalises columns
    return np.sum(P ** 2)
