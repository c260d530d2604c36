"""Ports for tests/test_trace_slips.py: a slip within one line, and faithful twins written differently.

Each broken port reads the right variables on its ``# BUG`` line but writes
the line wrong in a way the shapes do not catch: a transpose a square matrix
hides, a reduction over every element or without ``keepdims``, ``h`` for
``1 - h``, ``np.zeros`` for ``np.ones``, one helper for another, ``@`` for an
elementwise product, a wrong constant.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit, logsumexp


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _sigmoid_slope(z):
    s = _sigmoid(z)
    return s * (1.0 - s)


# ----------------------------------------------------------------------------
# ex8 cofiCostFunc: the bundled case has as many users as movies, so Y and R are square


def _cofi_unpack(params, num_users, num_movies, num_features):
    n = int(num_movies) * int(num_features)
    X = np.asarray(params[:n], dtype=float).reshape((int(num_movies), int(num_features)), order="F")
    Theta = np.asarray(params[n:], dtype=float).reshape((int(num_users), int(num_features)), order="F")
    return X, Theta


def _cofi_rest(E, X, Theta, lam):
    J = 0.5 * np.sum(E ** 2) + lam / 2 * (np.sum(Theta ** 2) + np.sum(X ** 2))
    X_grad = E @ Theta + lam * X
    Theta_grad = E.T @ X + lam * Theta
    return J, np.concatenate([X_grad.ravel(order="F"), Theta_grad.ravel(order="F")])


def cofi_einsum(params, Y, R, num_users, num_movies, num_features, lam):
    X, Theta = _cofi_unpack(params, num_users, num_movies, num_features)
    predicted = np.einsum("mf,uf->mu", X, Theta)
    E = np.where(R == 1, predicted - Y, 0.0)
    return _cofi_rest(E, X, Theta, lam)


def cofi_ratings_transposed(params, Y, R, num_users, num_movies, num_features, lam):
    X, Theta = _cofi_unpack(params, num_users, num_movies, num_features)
    E = (X @ Theta.T - Y.T) * R  # BUG
    return _cofi_rest(E, X, Theta, lam)


def cofi_mask_as_matrix_product(params, Y, R, num_users, num_movies, num_features, lam):
    X, Theta = _cofi_unpack(params, num_users, num_movies, num_features)
    E = (X @ Theta.T - Y) @ R  # BUG
    return _cofi_rest(E, X, Theta, lam)


# ----------------------------------------------------------------------------
# cs231n twoLayerNetCost: m = H = 6, so the hidden activations are square


def _two_layer(params, D, H, C):
    W1, b1, W2, b2 = np.split(np.asarray(params, dtype=float), np.cumsum([D * H, H, H * C]))
    return W1.reshape((D, H), order="F"), b1, W2.reshape((H, C), order="F"), b2


def two_layer(params, input_size, hidden_size, num_classes, X, y, reg, *, floor=0.0, global_shift=False,
              transpose_a1=True):
    W1, b1, W2, b2 = _two_layer(params, int(input_size), int(hidden_size), int(num_classes))
    m = X.shape[0]
    rows, labels = np.arange(m), np.asarray(y).astype(int).ravel() - 1
    z1 = X @ W1 + b1
    a1 = np.maximum(z1, floor)
    scores = a1 @ W2 + b2
    # Softmax is unchanged by any constant per row: the global maximum is as good a shift.
    shifted = scores - (scores.max() if global_shift else scores.max(axis=1, keepdims=True))
    p = np.exp(shifted)
    p /= p.sum(axis=1, keepdims=True)
    loss = -np.mean(np.log(p[rows, labels])) + 0.5 * reg * (np.sum(W1 ** 2) + np.sum(W2 ** 2))
    dscores = p.copy()
    dscores[rows, labels] -= 1
    dscores /= m
    dW2 = (a1.T if transpose_a1 else a1) @ dscores + reg * W2
    dz1 = dscores @ W2.T * (z1 > 0)
    dW1 = X.T @ dz1 + reg * W1
    return loss, np.concatenate([dW1.ravel(order="F"), dz1.sum(axis=0), dW2.ravel(order="F"),
                                 dscores.sum(axis=0)])


def two_layer_global_shift(params, input_size, hidden_size, num_classes, X, y, reg):
    return two_layer(params, input_size, hidden_size, num_classes, X, y, reg, global_shift=True)


def two_layer_relu_floor(params, input_size, hidden_size, num_classes, X, y, reg):
    W1, b1, W2, b2 = _two_layer(params, int(input_size), int(hidden_size), int(num_classes))
    m = X.shape[0]
    rows, labels = np.arange(m), np.asarray(y).astype(int).ravel() - 1
    z1 = X @ W1 + b1
    a1 = np.maximum(z1, 0.01)  # BUG
    scores = a1 @ W2 + b2
    p = np.exp(scores - scores.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    loss = -np.mean(np.log(p[rows, labels])) + 0.5 * reg * (np.sum(W1 ** 2) + np.sum(W2 ** 2))
    dscores = p.copy()
    dscores[rows, labels] -= 1
    dscores /= m
    dW2 = a1.T @ dscores + reg * W2
    dz1 = dscores @ W2.T * (z1 > 0)
    dW1 = X.T @ dz1 + reg * W1
    return loss, np.concatenate([dW1.ravel(order="F"), dz1.sum(axis=0), dW2.ravel(order="F"),
                                 dscores.sum(axis=0)])


def two_layer_untransposed_activations(params, input_size, hidden_size, num_classes, X, y, reg):
    W1, b1, W2, b2 = _two_layer(params, int(input_size), int(hidden_size), int(num_classes))
    m = X.shape[0]
    rows, labels = np.arange(m), np.asarray(y).astype(int).ravel() - 1
    z1 = X @ W1 + b1
    a1 = np.maximum(z1, 0)
    scores = a1 @ W2 + b2
    p = np.exp(scores - scores.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    loss = -np.mean(np.log(p[rows, labels])) + 0.5 * reg * (np.sum(W1 ** 2) + np.sum(W2 ** 2))
    dscores = p.copy()
    dscores[rows, labels] -= 1
    dscores /= m
    dW2 = a1 @ dscores + reg * W2  # BUG
    dz1 = dscores @ W2.T * (z1 > 0)
    dW1 = X.T @ dz1 + reg * W1
    return loss, np.concatenate([dW1.ravel(order="F"), dz1.sum(axis=0), dW2.ravel(order="F"),
                                 dscores.sum(axis=0)])


# ----------------------------------------------------------------------------
# ex7 findClosestCentroids


def closest_by_distance(X, centroids):
    # The square root changes the distances, never which centroid is nearest.
    d = np.sqrt(((X[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=2))
    return d.argmin(axis=1) + 1


def closest_summing_everything(X, centroids):
    d = np.zeros((X.shape[0], centroids.shape[0]))
    for k in range(centroids.shape[0]):
        diff = X - centroids[k]
        d[:, k] = np.sum(diff ** 2)  # BUG
    return np.argmin(d, axis=1) + 1


# ----------------------------------------------------------------------------
# softmaxRows (tests/trace_refs): a 5×5 score matrix


def softmax_rows(S):
    z = S - S.max(axis=1, keepdims=True)
    return np.exp(z - logsumexp(z, axis=1, keepdims=True))


def softmax_rows_global_shift(S):
    e = np.exp(S - S.max())
    return e / e.sum(axis=1, keepdims=True)


def softmax_rows_without_keepdims(S):
    e = np.exp(S - S.max(axis=1, keepdims=True))
    P = e / e.sum(axis=1)  # BUG
    return P


# ----------------------------------------------------------------------------
# ex3 lrCostFunction


def lr_logaddexp(theta, X, y, lam):
    theta = np.asarray(theta, dtype=float)
    m = y.size
    z = X @ theta
    J = np.sum(y * np.logaddexp(0, -z) + (1 - y) * np.logaddexp(0, z)) / m + lam / (2 * m) * np.sum(theta[1:] ** 2)
    grad = X.T @ (expit(z) - y) / m
    grad[1:] += lam / m * theta[1:]
    return J, grad


def lr_log_of_h_twice(theta, X, y, lam):
    theta = np.asarray(theta, dtype=float)
    m = y.size
    h = expit(X @ theta)
    reg = np.r_[0.0, theta[1:]]
    J = -(y @ np.log(h) + (1 - y) @ np.log(h)) / m + lam / (2 * m) * reg @ reg  # BUG
    return J, (X.T @ (h - y) + lam * reg) / m


# ----------------------------------------------------------------------------
# ex4 nnCostFunction


def _nn(nn_params, n, h, k, X, y, lam, bias=np.ones, slope=_sigmoid_slope):
    n, h, k = int(n), int(h), int(k)
    nn_params = np.asarray(nn_params, dtype=float)
    Theta1 = nn_params[:h * (n + 1)].reshape((h, n + 1), order="F")
    Theta2 = nn_params[h * (n + 1):].reshape((k, h + 1), order="F")
    m = X.shape[0]
    a1 = np.c_[np.ones(m), X]
    z2 = a1 @ Theta1.T
    a2 = np.c_[bias(m), _sigmoid(z2)]
    a3 = _sigmoid(a2 @ Theta2.T)
    Y = np.eye(k)[np.asarray(y).astype(int).ravel() - 1]
    J = -np.sum(Y * np.log(a3) + (1 - Y) * np.log(1 - a3)) / m
    J += lam / (2 * m) * (np.sum(Theta1[:, 1:] ** 2) + np.sum(Theta2[:, 1:] ** 2))
    d3 = a3 - Y
    d2 = d3 @ Theta2[:, 1:] * slope(z2)
    G1 = d2.T @ a1 / m
    G2 = d3.T @ a2 / m
    G1[:, 1:] += lam / m * Theta1[:, 1:]
    G2[:, 1:] += lam / m * Theta2[:, 1:]
    return J, np.concatenate([G1.ravel(order="F"), G2.ravel(order="F")])


def nn_vectorised(nn_params, n, h, k, X, y, lam):
    return _nn(nn_params, n, h, k, X, y, lam)


def nn_zero_bias_unit(nn_params, n, h, k, X, y, lam):
    n, h, k = int(n), int(h), int(k)
    nn_params = np.asarray(nn_params, dtype=float)
    Theta1 = nn_params[:h * (n + 1)].reshape((h, n + 1), order="F")
    Theta2 = nn_params[h * (n + 1):].reshape((k, h + 1), order="F")
    m = X.shape[0]
    a1 = np.c_[np.ones(m), X]
    z2 = a1 @ Theta1.T
    a2 = np.c_[np.zeros(m), _sigmoid(z2)]  # BUG
    a3 = _sigmoid(a2 @ Theta2.T)
    Y = np.eye(k)[np.asarray(y).astype(int).ravel() - 1]
    J = -np.sum(Y * np.log(a3) + (1 - Y) * np.log(1 - a3)) / m
    J += lam / (2 * m) * (np.sum(Theta1[:, 1:] ** 2) + np.sum(Theta2[:, 1:] ** 2))
    d3 = a3 - Y
    d2 = d3 @ Theta2[:, 1:] * _sigmoid_slope(z2)
    G1 = d2.T @ a1 / m
    G2 = d3.T @ a2 / m
    G1[:, 1:] += lam / m * Theta1[:, 1:]
    G2[:, 1:] += lam / m * Theta2[:, 1:]
    return J, np.concatenate([G1.ravel(order="F"), G2.ravel(order="F")])


def nn_sigmoid_for_its_slope(nn_params, n, h, k, X, y, lam):
    n, h, k = int(n), int(h), int(k)
    nn_params = np.asarray(nn_params, dtype=float)
    Theta1 = nn_params[:h * (n + 1)].reshape((h, n + 1), order="F")
    Theta2 = nn_params[h * (n + 1):].reshape((k, h + 1), order="F")
    m = X.shape[0]
    a1 = np.c_[np.ones(m), X]
    z2 = a1 @ Theta1.T
    a2 = np.c_[np.ones(m), _sigmoid(z2)]
    a3 = _sigmoid(a2 @ Theta2.T)
    Y = np.eye(k)[np.asarray(y).astype(int).ravel() - 1]
    J = -np.sum(Y * np.log(a3) + (1 - Y) * np.log(1 - a3)) / m
    J += lam / (2 * m) * (np.sum(Theta1[:, 1:] ** 2) + np.sum(Theta2[:, 1:] ** 2))
    d3 = a3 - Y
    d2 = d3 @ Theta2[:, 1:] * _sigmoid(z2)  # BUG
    G1 = d2.T @ a1 / m
    G2 = d3.T @ a2 / m
    G1[:, 1:] += lam / m * Theta1[:, 1:]
    G2[:, 1:] += lam / m * Theta2[:, 1:]
    return J, np.concatenate([G1.ravel(order="F"), G2.ravel(order="F")])


# ----------------------------------------------------------------------------
# ex8 cofiCostFunc one user at a time: the accumulator started before the loop
# (faithful), or started afresh inside it


def cofi_per_user(params, Y, R, num_users, num_movies, num_features, lam):
    X, Theta = _cofi_unpack(params, num_users, num_movies, num_features)
    X_grad = np.zeros_like(X)
    Theta_grad = np.zeros_like(Theta)
    for j in range(Theta.shape[0]):
        rated = R[:, j] == 1
        e = X[rated] @ Theta[j] - Y[rated, j]
        X_grad[rated] += np.outer(e, Theta[j])
        Theta_grad[j] = e @ X[rated]
    E = (X @ Theta.T - Y) * R
    J = 0.5 * np.sum(E ** 2) + lam / 2 * (np.sum(Theta ** 2) + np.sum(X ** 2))
    X_grad += lam * X
    Theta_grad += lam * Theta
    return J, np.concatenate([X_grad.ravel(order="F"), Theta_grad.ravel(order="F")])


def cofi_per_user_reset_inside(params, Y, R, num_users, num_movies, num_features, lam):
    X, Theta = _cofi_unpack(params, num_users, num_movies, num_features)
    Tg = np.zeros_like(Theta)
    for j in range(Theta.shape[0]):
        rated = R[:, j] == 1
        e = X[rated] @ Theta[j] - Y[rated, j]
        Xg = np.zeros_like(X)  # BUG
        Xg[rated] += np.outer(e, Theta[j])
        Tg[j] = e @ X[rated]
    E = (X @ Theta.T - Y) * R
    J = 0.5 * np.sum(E ** 2) + lam / 2 * (np.sum(Theta ** 2) + np.sum(X ** 2))
    Xg += lam * X
    Tg += lam * Theta
    return J, np.concatenate([Xg.ravel(order="F"), Tg.ravel(order="F")])


def cofi_per_user_reset_inside_direct(params, Y, R, num_users, num_movies, num_features, lam):
    X, Theta = _cofi_unpack(params, num_users, num_movies, num_features)
    Theta_grad = np.zeros_like(Theta)
    for j in range(Theta.shape[0]):
        X_grad = np.zeros_like(X)  # BUG
        e = (X @ Theta[j] - Y[:, j]) * R[:, j]
        Theta_grad[j] = e @ X + lam * Theta[j]
        X_grad += np.outer(e, Theta[j])
    E = (X @ Theta.T - Y) * R
    J = 0.5 * np.sum(E ** 2) + lam / 2 * (np.sum(Theta ** 2) + np.sum(X ** 2))
    X_grad += lam * X
    return J, np.concatenate([X_grad.ravel(order="F"), Theta_grad.ravel(order="F")])


# ----------------------------------------------------------------------------
# ex3 lrCostFunction with MATLAB's `penalized = theta; penalized(1) = 0;` ported literally


def lr_penalized_copy(theta, X, y, lam):
    theta = np.array(theta, dtype=float)
    m = y.size
    penalized = theta.copy()
    penalized[0] = 0
    h = expit(X @ theta)
    J = -(y @ np.log(h) + (1 - y) @ np.log(1 - h)) / m + lam / (2 * m) * penalized @ penalized
    return J, (X.T @ (h - y) + lam * penalized) / m


def lr_gradient_updated_through_an_alias(theta, X, y, lam):
    # Writing through `g` into `grad` on purpose: the values stay the reference's.
    theta = np.array(theta, dtype=float)
    m = y.size
    h = expit(X @ theta)
    J = -(y @ np.log(h) + (1 - y) @ np.log(1 - h)) / m + lam / (2 * m) * theta[1:] @ theta[1:]
    grad = X.T @ (h - y) / m
    g = grad
    g[1:] += lam / m * theta[1:]
    return J, grad


def lr_penalized_alias(theta, X, y, lam):
    theta = np.array(theta, dtype=float)
    m = y.size
    penalized = theta
    penalized[0] = 0  # BUG
    h = expit(X @ theta)
    J = -(y @ np.log(h) + (1 - y) @ np.log(1 - h)) / m + lam / (2 * m) * penalized @ penalized
    return J, (X.T @ (h - y) + lam * penalized) / m


# ----------------------------------------------------------------------------
# ex4 nnCostFunction building the one-hot labels in a loop


def nn_one_hot_loop(nn_params, n, h, k, X, y, lam):
    m, labels = X.shape[0], np.asarray(y).astype(int).ravel()
    Y = np.zeros((m, int(k)))
    for i in range(m):
        Y[i, labels[i] - 1] = 1
    return _nn_from_labels(nn_params, n, h, k, X, Y, lam)


def nn_one_hot_previous_label(nn_params, n, h, k, X, y, lam):
    m, labels = X.shape[0], np.asarray(y).astype(int).ravel()
    Y = np.zeros((m, int(k)))
    for i in range(m):
        Y[i, labels[i - 1] - 1] = 1  # BUG
    return _nn_from_labels(nn_params, n, h, k, X, Y, lam)


def _nn_from_labels(nn_params, n, h, k, X, Y, lam):
    n, h, k = int(n), int(h), int(k)
    nn_params = np.asarray(nn_params, dtype=float)
    Theta1 = nn_params[:h * (n + 1)].reshape((h, n + 1), order="F")
    Theta2 = nn_params[h * (n + 1):].reshape((k, h + 1), order="F")
    m = X.shape[0]
    a1 = np.c_[np.ones(m), X]
    z2 = a1 @ Theta1.T
    a2 = np.c_[np.ones(m), _sigmoid(z2)]
    a3 = _sigmoid(a2 @ Theta2.T)
    J = -np.sum(Y * np.log(a3) + (1 - Y) * np.log(1 - a3)) / m
    J += lam / (2 * m) * (np.sum(Theta1[:, 1:] ** 2) + np.sum(Theta2[:, 1:] ** 2))
    d3 = a3 - Y
    d2 = d3 @ Theta2[:, 1:] * _sigmoid_slope(z2)
    G1 = d2.T @ a1 / m
    G2 = d3.T @ a2 / m
    G1[:, 1:] += lam / m * Theta1[:, 1:]
    G2[:, 1:] += lam / m * Theta2[:, 1:]
    return J, np.concatenate([G1.ravel(order="F"), G2.ravel(order="F")])
