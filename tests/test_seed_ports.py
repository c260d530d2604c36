"""Ports shaped like the real questions in the seeds: what users wrote, carrying their mistake.

Each test runs the bundled Octave reference against a small port written the way
the question's author wrote theirs (helper modules, their own names and layouts),
and checks that portcheck names the mistake and the fix, and that the faithful
version of the same port is clean.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest

from portcheck.compare import compare
from portcheck.inputs import Layout, debug_dataset, debug_weights

LAYOUT = [("Theta1", (5, 4)), ("Theta2", (3, 6))]


def nn_args(lam: float = 1.0) -> tuple:
    X, y = debug_dataset(5, 3, 3)
    p = Layout(LAYOUT).unroll({"Theta1": debug_weights(5, 3), "Theta2": debug_weights(3, 5)})
    return (p, 3, 5, 3, X, y, lam)


def write(folder: Path, name: str, source: str) -> str:
    (folder / name).write_text(textwrap.dedent(source))
    return str(folder / name)


# A port of nnCostFunction in the style of the "finite differences don't work" question:
# examples in columns inside, a helper module, the penalty written as one sum minus the bias
# columns. PENALTY is the line the question's author got wrong (or right).
NN_PORT = """
    import numpy as np
    from nnutils import sigmoid, sigmoid_gradient

    def nn_cost(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
        n1 = hidden_layer_size * (input_layer_size + 1)
        Theta1 = np.reshape(nn_params[:n1], (hidden_layer_size, input_layer_size + 1), order=ORDER)
        Theta2 = np.reshape(nn_params[n1:], (num_labels, hidden_layer_size + 1), order=ORDER)
        m = X.shape[0]
        y_mtx = np.eye(num_labels)[y.astype(int).ravel() - 1]
        a1 = np.hstack((np.ones((m, 1)), X))
        z2 = Theta1 @ a1.T
        a2 = np.hstack((np.ones((m, 1)), sigmoid(z2.T)))
        a3 = sigmoid(Theta2 @ a2.T)
        reg_term = PENALTY
        cost = (1 / m) * np.sum(-np.log(a3).T * y_mtx - np.log(1 - a3).T * (1 - y_mtx)) + reg_term
        d3 = a3 - y_mtx.T
        d2 = Theta2[:, 1:].T @ d3 * sigmoid_gradient(z2)
        Theta1_grad = d2 @ a1 / m
        Theta2_grad = d3 @ a2 / m
        Theta1_grad[:, 1:] += (lambda_ / m) * Theta1[:, 1:]
        Theta2_grad[:, 1:] += (lambda_ / m) * Theta2[:, 1:]
        return cost, np.append(Theta1_grad.ravel(order=ORDER), Theta2_grad.ravel(order=ORDER))
"""
NN_UTILS = """
    import numpy as np

    def sigmoid(z):
        return 1 / (1 + np.exp(-z))

    def sigmoid_gradient(z):
        return sigmoid(z) * (1 - sigmoid(z))
"""
RIGHT = ("(lambda_ / (2 * m)) * (np.sum(Theta1 * Theta1) + np.sum(Theta2 * Theta2) "
         "- Theta1[:, 0] @ Theta1[:, 0] - Theta2[:, 0] @ Theta2[:, 0])")
# The question's line: subtract(t1, t2) = t1 - t2 adds Theta2's bias column back in.
BIAS_SIGN = ("(lambda_ / (2 * m)) * (np.sum(Theta1 * Theta1) + np.sum(Theta2 * Theta2) "
             "- np.subtract(Theta1[:, 0] @ Theta1[:, 0], Theta2[:, 0] @ Theta2[:, 0]))")
PRECEDENCE = ("lambda_ / 2 * m * (np.sum(Theta1[:, 1:] ** 2) + np.sum(Theta2[:, 1:] ** 2))")


def nn_port(folder: Path, penalty: str, order: str = "'F'") -> str:
    write(folder, "nnutils.py", NN_UTILS)
    return write(folder, "nncost.py", NN_PORT.replace("PENALTY", penalty).replace("ORDER", order)) + ":nn_cost"


@pytest.mark.octave
def test_faithful_multi_file_nn_port_is_clean(octave, tmp_path):
    rep = compare("nnCostFunction", nn_port(tmp_path, RIGHT), nn_args(), octave=octave, nout=2, layout=LAYOUT)
    assert rep.ok and not rep.findings, rep


@pytest.mark.octave
def test_cost_penalty_counting_one_bias_column_names_that_column(octave, tmp_path):
    rep = compare("nnCostFunction", nn_port(tmp_path, BIAS_SIGN), nn_args(), octave=octave, nout=2, layout=LAYOUT)
    assert rep.kinds == {"regularization"}, rep
    msg = rep.errors[0].message
    assert "bias column of Theta2" in msg and "Theta1" not in msg, msg


@pytest.mark.octave
def test_two_mistakes_c_order_and_a_bias_column_in_the_penalty(octave, tmp_path):
    port = nn_port(tmp_path, BIAS_SIGN, order="'C'")
    rep = compare("nnCostFunction", port, nn_args(), octave=octave, nout=2, layout=LAYOUT)
    assert {"unroll-order", "regularization"} <= rep.kinds, rep
    reg = next(f for f in rep.errors if f.kind == "regularization")
    assert "bias column of Theta2" in reg.message and "cause 2 of 2" in reg.message, reg.message


@pytest.mark.octave
def test_penalty_written_lam_over_2_times_m_is_named_as_precedence(octave, tmp_path):
    rep = compare("nnCostFunction", nn_port(tmp_path, PRECEDENCE), nn_args(), octave=octave, nout=2, layout=LAYOUT)
    assert rep.kinds == {"regularization"}, rep
    msg = rep.errors[0].message
    assert "λ·m/2" in msg and "λ/(2m)" in msg and "(2*m)" in msg, msg


# The "cost function plot looks weird" question: forward, cost and backward as separate
# functions, one-hot targets with one example per row, and `m = y_target.shape[1]`.
SPLIT_PORT = """
    import numpy as np

    def sigmoid(z):
        return 1.0 / (1.0 + np.exp(-z))

    def J2(y_target, y_pred, theta1, theta2, lamb):
        m = y_target.shape[AXIS]
        cost = np.sum(y_target * np.log(y_pred) + (1 - y_target) * np.log(1 - y_pred))
        reg = np.sum(theta1[:, 1:] ** 2) + np.sum(theta2[:, 1:] ** 2)
        return (-1 / m) * cost + lamb / (2 * m) * reg

    def forward_prop2(X, theta1, theta2):
        a1 = X.T
        a2 = np.vstack([np.ones((1, X.shape[0])), sigmoid(theta1 @ a1)])
        return a1, a2, sigmoid(theta2 @ a2)

    def nn_cost(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lamb):
        n1 = hidden_layer_size * (input_layer_size + 1)
        theta1 = nn_params[:n1].reshape((hidden_layer_size, input_layer_size + 1), order="F")
        theta2 = nn_params[n1:].reshape((num_labels, hidden_layer_size + 1), order="F")
        Xb = np.hstack([np.ones((X.shape[0], 1)), X])
        y_vectors = np.eye(num_labels)[np.asarray(y, dtype=int).ravel() - 1]
        a1, a2, a3 = forward_prop2(Xb, theta1, theta2)
        return J2(y_vectors, a3.T, theta1, theta2, lamb)
"""


@pytest.mark.octave
@pytest.mark.parametrize("axis", [0, 1])
def test_example_count_from_the_wrong_axis_is_named(octave, tmp_path, axis):
    port = write(tmp_path, "split.py", SPLIT_PORT.replace("AXIS", str(axis))) + ":nn_cost"
    rep = compare("nnCostFunction", port, nn_args(), octave=octave, nout=1)
    if axis == 0:
        assert rep.ok and not rep.findings, rep
        return
    assert rep.kinds == {"scale"}, rep
    msg = rep.errors[0].message
    assert "m/3" in msg and "wrong axis" in msg and "shape[1]" in msg, msg


# -- the API as a user coming from compare calls it ---------------------------------------


def test_check_gradient_takes_a_port_named_by_file_and_function(tmp_path):
    from portcheck import check_gradient

    right = nn_port(tmp_path, RIGHT)
    args = nn_args()
    rep = check_gradient(right, args[0], args=args[1:], layout=LAYOUT)
    assert rep.ok, rep
    # Same port with the gradient of the penalty but a cost penalty on Theta2's bias column.
    (tmp_path / "b").mkdir()
    wrong = nn_port(tmp_path / "b", BIAS_SIGN)
    rep = check_gradient(wrong, args[0], args=args[1:], layout=LAYOUT)
    assert not rep.ok and "Theta2" in {f.block for f in rep.errors}, rep


@pytest.mark.octave
def test_compare_minimize_with_x0_repeated_in_args_says_to_drop_it(octave, tmp_path):
    from portcheck import compare_minimize
    from portcheck.errors import InputError

    args = nn_args()
    with pytest.raises(InputError, match=r"args\[0\] is x0 itself.*args=args\[1:\]"):
        compare_minimize("nnCostFunction", nn_port(tmp_path, RIGHT), args[0], args, octave=octave, maxiter=5)
    rep = compare_minimize("nnCostFunction", nn_port(tmp_path, RIGHT), args[0], args[1:], octave=octave,
                           maxiter=5, layout=LAYOUT)
    assert rep.ok, rep


# -- CS231n's two-layer net, ported with CS231n's own habits --------------------------------
# The "1.3716 vs 1.3819" question: a model dict, 0-based labels indexing the scores, and a
# ReLU written as a switch. The adapter to the flat signature is what a user writes to
# compare with twoLayerNetCost.m.
CS231N_PORT = """
    import numpy as np

    def two_layer_net(X, model, y, reg):
        W1, b1, W2, b2 = model['W1'], model['b1'], model['W2'], model['b2']
        N = X.shape[0]
        z_2 = np.dot(X, W1) + b1
        z_3 = RELU
        scores = np.dot(z_3, W2) + b2
        exp_scores = np.exp(scores - scores.max(axis=1, keepdims=True))
        y_hat = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
        loss = -np.mean(np.log(y_hat[np.arange(N), y])) + reg / 2.0 * (np.sum(W1 * W1) + np.sum(W2 * W2))
        dscores = y_hat.copy()
        dscores[np.arange(N), y] -= 1
        dscores /= N
        grads = {'W2': np.dot(z_3.T, dscores) + GRAD_REG * W2, 'b2': np.sum(dscores, axis=0)}
        dhidden = np.dot(dscores, W2.T)
        dhidden[z_2 <= 0] = 0
        grads['W1'] = np.dot(X.T, dhidden) + GRAD_REG * W1
        grads['b1'] = np.sum(dhidden, axis=0)
        return loss, grads

    def loss_flat(params, D, H, C, X, y, reg):
        o = 0
        model = {}
        for name, shape in (('W1', (D, H)), ('b1', (H,)), ('W2', (H, C)), ('b2', (C,))):
            size = int(np.prod(shape))
            model[name] = params[o:o + size].reshape(shape, order='F')
            o += size
        loss, g = two_layer_net(X, model, y, reg)
        return loss, np.concatenate([g[k].ravel(order='F') for k in ('W1', 'b1', 'W2', 'b2')])
"""
CS_LAYOUT = [("W1", (4, 5)), ("b1", (1, 5)), ("W2", (5, 3)), ("b2", (1, 3))]


def cs231n_args() -> tuple:
    X, y = debug_dataset(6, 4, 3)
    return (np.sin(np.arange(1, 44)) / 2, 4, 5, 3, X, y, 0.1)


def cs231n_port(folder: Path, relu: str = "np.maximum(0, z_2)", grad_reg: str = "reg") -> str:
    src = CS231N_PORT.replace("RELU", relu).replace("GRAD_REG", grad_reg)
    return write(folder, "net.py", src) + ":loss_flat"


@pytest.mark.octave
def test_cs231n_port_with_0_based_labels_is_told_to_shift_them_and_nothing_else(octave, tmp_path):
    args = cs231n_args()
    rep = compare("twoLayerNetCost", cs231n_port(tmp_path), args, octave=octave, nout=2, layout=CS_LAYOUT)
    assert {f.kind for f in rep.errors} == {"index-base"}, rep
    y0 = (args[5].ravel() - 1).astype(int)
    clean = compare("twoLayerNetCost", cs231n_port(tmp_path), args, python_args=args[:5] + (y0, 0.1),
                    octave=octave, nout=2, layout=CS_LAYOUT)
    assert clean.ok and not clean.findings, clean


@pytest.mark.octave
def test_0_based_labels_do_not_hide_an_inverted_relu_switch(octave, tmp_path):
    # Labels used as indices raise IndexError with MATLAB's labels; once they are shifted the
    # port runs, and the comparison under that call names the second mistake and its line.
    port = cs231n_port(tmp_path, relu="np.where(z_2 > 0, 0, z_2)")
    rep = compare("twoLayerNetCost", port, cs231n_args(), octave=octave, nout=2, layout=CS_LAYOUT)
    assert {"index-base", "inverted-mask"} <= rep.kinds, rep
    mask = next(f for f in rep.errors if f.kind == "inverted-mask")
    assert mask.port_location is not None and mask.port_location[1] == 8, mask


@pytest.mark.octave
def test_gradient_penalty_half_of_the_cost_derivative_names_lambda_over_2(octave, tmp_path):
    args = cs231n_args()
    y0 = (args[5].ravel() - 1).astype(int)
    rep = compare("twoLayerNetCost", cs231n_port(tmp_path, grad_reg="reg / 2.0"), args,
                  python_args=args[:5] + (y0, 0.1), octave=octave, nout=2, layout=CS_LAYOUT)
    assert {(f.kind, f.block) for f in rep.errors} == {("regularization", "W1"), ("regularization", "W2")}, rep
    for f in rep.errors:
        assert "λ/2" in f.message and "bias" not in f.message, f.message


# -- the autoencoder question: fmin_l_bfgs_b stops with ABNORMAL_TERMINATION_IN_LNSRCH -------


def test_fmin_l_bfgs_b_tuple_with_a_captured_theta_is_explained_as_lambda_capture():
    from scipy.optimize import fmin_l_bfgs_b

    from portcheck import check_minimize_result
    from portcheck.examples.ufldl import autoencoder_args, sparse_autoencoder_cost

    theta, *rest = autoencoder_args()
    J = lambda x: sparse_autoencoder_cost(theta, *rest)  # noqa: E731 - the question's bug: x is never used
    res = fmin_l_bfgs_b(J, theta, maxiter=50)
    assert res[2]["warnflag"] != 0
    rep = check_minimize_result(res, J, theta)
    assert {(f.kind, f.severity) for f in rep.findings} == {("lambda-capture", "error"), ("optimizer", "warning")}, rep
    assert "lambda-capture" in next(f for f in rep.findings if f.kind == "optimizer").message

    good = fmin_l_bfgs_b(sparse_autoencoder_cost, theta, args=tuple(rest), maxiter=50)
    rep = check_minimize_result(good, sparse_autoencoder_cost, theta, args=tuple(rest))
    assert rep.ok, rep


# -- a loop: gradient descent whose update is wrong ------------------------------------------
GD_PORT = """
    import numpy as np

    def gradient_descent(X, y, theta, alpha, num_iters):
        m = len(y)
        J_history = np.zeros((num_iters, 1))
        theta = theta.copy()
        for it in range(num_iters):
            h = X @ theta
            theta = theta - STEP * (X.T @ (h - y))
            J_history[it] = np.sum((X @ theta - y) ** 2) / (2 * m)
        return theta, J_history
"""
GD_REF = str(Path(__file__).parent / "octave_fixtures" / "seeds" / "pcGradientDescent")


def gd_args() -> tuple:
    x = np.linspace(0, 1, 8).reshape(-1, 1)
    return np.hstack([np.ones((8, 1)), x]), np.sin(2 * np.pi * x), np.zeros((2, 1)), 0.05, 6


@pytest.mark.octave
@pytest.mark.parametrize("step", ["(alpha / m)", "alpha"])
def test_a_wrong_update_in_a_loop_is_blamed_on_the_update_not_the_next_pass(octave, tmp_path, step):
    port = write(tmp_path, "gd.py", GD_PORT.replace("STEP", step)) + ":gradient_descent"
    rep = compare(GD_REF, port, gd_args(), octave=octave)
    if step == "(alpha / m)":
        assert rep.ok and not rep.findings, rep
        return
    assert not rep.ok
    located = [f for f in rep.errors if f.port_location is not None]
    assert located and {f.port_location[1] for f in located} == {10}, rep


@pytest.mark.octave
def test_gradient_penalty_factor_is_named_behind_a_label_convention(octave, tmp_path):
    # Without python_args the labels need a convention and a shift before λ = 0 proves the
    # penalty wrong; the finding still says which factor the gradient's term uses.
    rep = compare("twoLayerNetCost", cs231n_port(tmp_path, grad_reg="reg / 2.0"), cs231n_args(), octave=octave,
                  nout=2, layout=CS_LAYOUT)
    reg = [f for f in rep.errors if f.kind == "regularization"]
    assert reg and {"index-base"} <= rep.kinds, rep
    assert "λ/2 where the reference has λ for W1 and W2" in reg[0].message, reg[0].message
