"""Ports for the alignment tests: liberties with names and statements, and mistakes they must not hide.

Each faithful port here takes a liberty the alignment once misread (a
variable named like a reference variable that holds another quantity, a
value built in two statements where the reference uses one); each broken one
carries its mistake on a line the test names.
"""

from __future__ import annotations

import numpy as np


def _sigmoid(t):
    return 1.0 / (1.0 + np.exp(-t))


# ----------------------------------------------------------------------------
# cs231n twoLayerNetCost: `logp` holds probabilities, where the reference's
# logp holds log-probabilities (matlab_refs/cs231n/twoLayerNetCost.m)


def _two_layer_unpack(params, d, h, c):
    sizes = (d * h, h, h * c, c)
    cuts = np.cumsum(sizes)[:-1]
    w1, b1, w2, b2 = np.split(np.asarray(params, dtype=float).ravel(), cuts)
    return w1.reshape((d, h), order="F"), b1, w2.reshape((h, c), order="F"), b2


def two_layer_logp_probabilities(params, input_size, hidden_size, num_classes, X, y, reg, w1_decay=True):
    """Faithful; ``w1_decay=False`` drops the weight decay from dW1 (the mistake is on that line)."""
    W1, b1, W2, b2 = _two_layer_unpack(params, int(input_size), int(hidden_size), int(num_classes))
    n = X.shape[0]
    rows, labels = np.arange(n), np.asarray(y).ravel().astype(int) - 1
    hidden_in = X @ W1 + b1
    hidden = np.maximum(hidden_in, 0)
    scores = hidden @ W2 + b2
    unnorm = np.exp(scores - scores.max(axis=1, keepdims=True))
    logp = unnorm / unnorm.sum(axis=1, keepdims=True)  # probabilities, whatever the name says
    loss = -np.log(logp[rows, labels]).mean() + 0.5 * reg * ((W1 * W1).sum() + (W2 * W2).sum())
    dscores = logp.copy()
    dscores[rows, labels] -= 1
    dscores /= n
    dW2 = hidden.T @ dscores + reg * W2
    db2 = dscores.sum(axis=0)
    dhidden = (dscores @ W2.T) * (hidden_in > 0)
    dW1 = X.T @ dhidden + reg * W1 if w1_decay else X.T @ dhidden
    db1 = dhidden.sum(axis=0)
    return loss, np.concatenate([dW1.ravel(order="F"), db1, dW2.ravel(order="F"), db2])


def two_layer_logp_no_w1_decay(params, input_size, hidden_size, num_classes, X, y, reg):
    return two_layer_logp_probabilities(params, input_size, hidden_size, num_classes, X, y, reg, w1_decay=False)


def two_layer_mask_in_place_inverted(params, input_size, hidden_size, num_classes, X, y, reg):
    """The ReLU's backward pass in two statements, the second zeroing the wrong half."""
    W1, b1, W2, b2 = _two_layer_unpack(params, int(input_size), int(hidden_size), int(num_classes))
    n = X.shape[0]
    rows, labels = np.arange(n), np.asarray(y).ravel().astype(int) - 1
    hidden = np.maximum(X @ W1 + b1, 0)
    scores = hidden @ W2 + b2
    probs = np.exp(scores - scores.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    loss = -np.log(probs[rows, labels]).mean() + 0.5 * reg * ((W1 * W1).sum() + (W2 * W2).sum())
    dscores = probs.copy()
    dscores[rows, labels] -= 1
    dscores /= n
    dW2 = hidden.T @ dscores + reg * W2
    db2 = dscores.sum(axis=0)
    dhidden = dscores @ W2.T
    dhidden[hidden > 0] = 0
    dW1 = X.T @ dhidden + reg * W1
    db1 = dhidden.sum(axis=0)
    return loss, np.concatenate([dW1.ravel(order="F"), db1, dW2.ravel(order="F"), db2])


# ----------------------------------------------------------------------------
# ex5 linearRegCostFunction (matlab_refs/ex5/linearRegCostFunction.m)


def linreg_residual_flipped(X, y, theta, lambda_):
    """The residual taken as y - X theta: the cost squares the sign away, the gradient does not."""
    th = np.asarray(theta, dtype=float).ravel()
    m = X.shape[0]
    r = np.asarray(y, dtype=float).ravel() - X @ th
    J = r @ r / (2 * m) + lambda_ / (2 * m) * th[1:] @ th[1:]
    grad = X.T @ r / m
    grad[1:] += lambda_ / m * th[1:]
    return J, grad


def linreg_gradient_of_prediction(X, y, theta, lambda_):
    """The gradient built from the prediction instead of the residual, then regularized in place."""
    th = np.asarray(theta, dtype=float).reshape(-1, 1)
    target = np.asarray(y, dtype=float).reshape(-1, 1)
    m = target.shape[0]
    pred = X @ th
    J = float(np.sum((pred - target) ** 2)) / (2 * m) + lambda_ / (2 * m) * float(np.sum(th[1:] ** 2))
    grad = X.T @ pred / m
    grad[1:] += lambda_ / m * th[1:]
    return J, grad.ravel()


# ----------------------------------------------------------------------------
# ex3 lrCostFunction (matlab_refs/ex3/lrCostFunction.m)


def lr_cost_half_missing(theta, X, y, lambda_):
    """The cost lacks the 1/m of its data term; it is assigned to J, then returned."""
    theta = np.asarray(theta, dtype=float).ravel()
    y = np.asarray(y, dtype=float).ravel()
    m = y.size
    h = _sigmoid(X @ theta)
    penalized = np.r_[0.0, theta[1:]]
    J = -(y @ np.log(h) + (1 - y) @ np.log(1 - h)) + lambda_ / (2 * m) * penalized @ penalized
    grad = (X.T @ (h - y) + lambda_ * penalized) / m
    return J, grad


def lr_cost_fused_wrong_term(theta, X, y, lambda_):
    """h is never a variable (fused into J), and J's second term has the label the wrong way round."""
    theta = np.asarray(theta, dtype=float).ravel()
    y = np.asarray(y, dtype=float).ravel()
    m = y.size
    z = X @ theta
    J = -(y @ np.log(_sigmoid(z)) + y @ np.log(1 - _sigmoid(z))) / m \
        + lambda_ / (2 * m) * theta[1:] @ theta[1:]
    grad = X.T @ (_sigmoid(z) - y) / m
    grad[1:] += lambda_ / m * theta[1:]
    return J, grad


# ----------------------------------------------------------------------------
# ex4 nnCostFunction (matlab_refs/ex4/nnCostFunction.m)


def _nn_forward(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lam):
    n, h, k = int(input_layer_size), int(hidden_layer_size), int(num_labels)
    T1 = nn_params[: h * (n + 1)].reshape((h, n + 1), order="F")
    T2 = nn_params[h * (n + 1):].reshape((k, h + 1), order="F")
    m = X.shape[0]
    Y = np.eye(k)[np.asarray(y).ravel().astype(int) - 1]
    a1 = np.c_[np.ones(m), X]
    z2 = a1 @ T1.T
    a2 = np.c_[np.ones(m), _sigmoid(z2)]
    a3 = _sigmoid(a2 @ T2.T)
    J = -np.sum(Y * np.log(a3) + (1 - Y) * np.log(1 - a3)) / m \
        + lam / (2 * m) * (np.sum(T1[:, 1:] ** 2) + np.sum(T2[:, 1:] ** 2))
    d3 = a3 - Y
    d2 = (d3 @ T2[:, 1:]) * _sigmoid(z2) * (1 - _sigmoid(z2))
    return T1, T2, m, a1, a2, d2, d3, J


def nn_cost_layered(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lam):
    """Faithful: each layer's gradient in two statements, the reference's Theta_grad lines in one."""
    T1, T2, m, a1, a2, d2, d3, J = _nn_forward(nn_params, input_layer_size, hidden_layer_size, num_labels,
                                               X, y, lam)
    g1 = d2.T @ a1 / m
    g2 = d3.T @ a2 / m
    g1[:, 1:] += lam / m * T1[:, 1:]
    g2[:, 1:] += lam / m * T2[:, 1:]
    return J, np.concatenate([g1.ravel(order="F"), g2.ravel(order="F")])


def nn_cost_output_grad_unscaled(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lam):
    """The output layer's gradient lacks 1/m and is regularized in place afterwards.

    The bias units are handled apart (``T2[:, 0]``, ``d3.sum(axis=0)``), so the
    reference's a2 (with its column of ones) is never a variable here.
    """
    n, h, k = int(input_layer_size), int(hidden_layer_size), int(num_labels)
    T1 = nn_params[: h * (n + 1)].reshape((h, n + 1), order="F")
    T2 = nn_params[h * (n + 1):].reshape((k, h + 1), order="F")
    m = X.shape[0]
    Y = np.eye(k)[np.asarray(y).ravel().astype(int) - 1]
    a1 = np.c_[np.ones(m), X]
    hidden = _sigmoid(a1 @ T1.T)
    a3 = _sigmoid(hidden @ T2[:, 1:].T + T2[:, 0])
    J = -np.sum(Y * np.log(a3) + (1 - Y) * np.log(1 - a3)) / m \
        + lam / (2 * m) * (np.sum(T1[:, 1:] ** 2) + np.sum(T2[:, 1:] ** 2))
    d3 = a3 - Y
    d2 = (d3 @ T2[:, 1:]) * hidden * (1 - hidden)
    g1 = d2.T @ a1 / m
    g1[:, 1:] += lam / m * T1[:, 1:]
    g2 = np.c_[d3.sum(axis=0), d3.T @ hidden]
    g2[:, 1:] += lam / m * T2[:, 1:]
    return J, np.concatenate([g1.ravel(order="F"), g2.ravel(order="F")])


def nn_cost_two_mistakes(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lam):
    """The hidden layer's gradient lacks 1/m; the output layer's regularizes the bias column."""
    T1, T2, m, a1, a2, d2, d3, J = _nn_forward(nn_params, input_layer_size, hidden_layer_size, num_labels,
                                               X, y, lam)
    g1 = d2.T @ a1
    g2 = d3.T @ a2 / m
    g1[:, 1:] += lam / m * T1[:, 1:]
    g2 += lam / m * T2
    return J, np.concatenate([g1.ravel(order="F"), g2.ravel(order="F")])


# ----------------------------------------------------------------------------
# ufldl sparseAutoencoderCost (matlab_refs/ufldl/sparseAutoencoderCost.m)


def sae_cost_two_mistakes(theta, visible_size, hidden_size, lambda_, sparsity_param, beta, data):
    """The sparsity term of the hidden delta has the wrong sign, and b2's gradient lacks 1/m."""
    v, h = int(visible_size), int(hidden_size)
    theta = np.asarray(theta, dtype=float).ravel()
    W1 = theta[: h * v].reshape((h, v), order="F")
    W2 = theta[h * v: 2 * h * v].reshape((v, h), order="F")
    b1 = theta[2 * h * v: 2 * h * v + h]
    b2 = theta[2 * h * v + h:]
    m = data.shape[1]
    hid = _sigmoid(W1 @ data + b1[:, None])
    out = _sigmoid(W2 @ hid + b2[:, None])
    rho_hat = hid.mean(axis=1)
    rho = sparsity_param
    kl = rho * np.log(rho / rho_hat) + (1 - rho) * np.log((1 - rho) / (1 - rho_hat))
    diff = out - data
    cost = np.sum(diff ** 2) / (2 * m) + lambda_ / 2 * (np.sum(W1 ** 2) + np.sum(W2 ** 2)) + beta * kl.sum()
    out_delta = diff * out * (1 - out)
    sparse_term = beta * (rho / rho_hat - (1 - rho) / (1 - rho_hat))
    hid_delta = (W2.T @ out_delta + sparse_term[:, None]) * hid * (1 - hid)
    gW1 = hid_delta @ data.T / m + lambda_ * W1
    gW2 = out_delta @ hid.T / m + lambda_ * W2
    gb1 = hid_delta.sum(axis=1) / m
    gb2 = out_delta.sum(axis=1)
    return cost, np.concatenate([gW1.ravel(order="F"), gW2.ravel(order="F"), gb1, gb2])


# ----------------------------------------------------------------------------
# ex3 lrCostFunction with more than FULL_VALUE_LIMIT examples: the helper's `g`
# (as sigmoid.m names it) is kept as a fingerprint, the returned values too


def _sigmoid_named_g(z):
    g = 1.0 / (1.0 + np.exp(-z))
    return g


def lr_cost_many_examples(theta, X, y, lam, regularize_bias=False):
    """Faithful; ``regularize_bias=True`` penalizes theta(1) too (the mistake is on the `penalized` line)."""
    m = y.size
    h = _sigmoid_named_g(X @ theta)
    penalized = theta.copy() if regularize_bias else np.r_[0.0, theta[1:]]
    J = -(y @ np.log(h) + (1 - y) @ np.log(1 - h)) / m + lam / (2 * m) * penalized @ penalized
    grad = (X.T @ (h - y) + lam * penalized) / m
    return J, grad


def lr_cost_many_examples_bias_reg(theta, X, y, lam):
    return lr_cost_many_examples(theta, X, y, lam, regularize_bias=True)
