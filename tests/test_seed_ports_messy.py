"""Messy real-world ports: packages, classes, reordered signatures (session s5 of the seeds).

Each test writes a port the way a course student or a blog author would have
(a package with relative imports, a class holding λ, ``cost(X, y, theta)``),
runs it against the bundled Octave reference, and checks what portcheck says:
the kind, the fix and the line, and that the faithful twin is clean.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from portcheck.compare import compare
from portcheck.errors import PortError
from portcheck.inputs import Layout, debug_dataset, debug_weights

LAYOUT = [("Theta1", (5, 4)), ("Theta2", (3, 6))]


def nn_args(lam: float = 1.0) -> tuple:
    X, y = debug_dataset(5, 3, 3)
    p = Layout(LAYOUT).unroll({"Theta1": debug_weights(5, 3), "Theta2": debug_weights(3, 5)})
    return (p, 3, 5, 3, X, y, lam)


def write(path: Path, source: str) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source))
    return str(path)


# -- a package: nnpkg/cost.py imports its siblings relatively --------------------------------
PKG_COST = """
    import numpy as np
    from .activations import sigmoid, sigmoid_gradient
    from . import helpers


    def nn_cost_function(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
        Theta1, Theta2 = helpers.unroll(nn_params, input_layer_size, hidden_layer_size, num_labels)
        m = X.shape[0]
        Y = helpers.one_hot(y, num_labels)
        a1 = np.c_[np.ones(m), X]
        z2 = a1 @ Theta1.T
        a2 = np.c_[np.ones(m), sigmoid(z2)]
        a3 = sigmoid(a2 @ Theta2.T)
        J = -np.sum(Y * np.log(a3) + (1 - Y) * np.log(1 - a3)) / m
        J += lambda_ / (2 * m) * (np.sum(Theta1[:, 1:] ** 2) + np.sum(Theta2[:, 1:] ** 2))
        d3 = a3 - Y
        d2 = (d3 @ Theta2[:, 1:]) * sigmoid_gradient(z2)
        Theta1_grad = d2.T @ a1 / m
        Theta2_grad = d3.T @ a2 / m
        Theta1_grad[:, 1:] += lambda_ / m * Theta1[:, 1:]
        Theta2_grad[:, 1:] += lambda_ / m * Theta2[:, 1:]
        return J, np.concatenate([Theta1_grad.ravel(order="F"), Theta2_grad.ravel(order="F")])
"""
PKG_ACTIVATIONS = """
    import numpy as np

    def sigmoid(z):
        return 1 / (1 + np.exp(-z))

    def sigmoid_gradient(z):
        g = sigmoid(z)
        return g * (1 - g)
"""
PKG_HELPERS = """
    import numpy as np

    def unroll(nn_params, input_layer_size, hidden_layer_size, num_labels):
        n1 = hidden_layer_size * (input_layer_size + 1)
        Theta1 = nn_params[:n1].reshape((hidden_layer_size, input_layer_size + 1), order="F")
        Theta2 = nn_params[n1:].reshape((num_labels, hidden_layer_size + 1), order="F")
        return Theta1, Theta2

    def one_hot(y, num_labels):
        y = np.asarray(y).astype(int).ravel()
        return np.eye(num_labels)[y - BASE]
"""


def nn_package(root: Path, base: int) -> str:
    write(root / "nnpkg" / "__init__.py", "from .cost import nn_cost_function\n")
    write(root / "nnpkg" / "activations.py", PKG_ACTIVATIONS)
    write(root / "nnpkg" / "helpers.py", PKG_HELPERS.replace("BASE", str(base)))
    return write(root / "nnpkg" / "cost.py", PKG_COST) + ":nn_cost_function"


@pytest.mark.octave
@pytest.mark.parametrize("base", [1, 0])
def test_a_file_inside_a_package_loads_with_its_relative_imports(octave, tmp_path, base):
    port = nn_package(tmp_path / f"b{base}", base)
    rep = compare("nnCostFunction", port, nn_args(), octave=octave, nout=2, layout=LAYOUT)
    if base == 1:
        assert rep.ok and not rep.findings, rep
        return
    assert "index-base" in rep.kinds, rep
    # the helper's line, not the caller's
    located = [f for f in rep.errors if f.port_location is not None]
    assert any(Path(f.port_location[0]).name == "helpers.py" for f in located), rep


def test_a_relative_import_outside_a_package_says_to_add_init(tmp_path):
    port = write(tmp_path / "loose" / "cost.py", "from .helpers import f\n\ndef cost(x):\n    return f(x)\n")
    write(tmp_path / "loose" / "helpers.py", "def f(x):\n    return x\n")
    with pytest.raises(PortError, match="__init__.py"):
        compare("sum", port + ":cost", ([1.0],))


# -- a class: the cost is a method, λ and a history kept on the instance ---------------------
CLASS_PORT = """
    import numpy as np


    class LogisticRegression:
        def __init__(self, INIT):
            self.history = []

        def sigmoid(self, z):
            return 1.0 / (1.0 + np.exp(-z))

        def cost_function(self, theta, X, y, lam):
            m = len(y)
            h = self.sigmoid(X @ theta)
            J = -(y @ np.log(h) + (1 - y) @ np.log(1 - h)) / m + lam / (2 * m) * np.sum(theta[1:] ** 2)
            grad = X.T @ (h - y) / m
            grad[1:] = grad[1:] + REG * theta[1:]
            self.history.append(J)
            return J, grad
"""


def logreg_args() -> tuple:
    from portcheck.examples.ex2 import _cost_reg_args

    return _cost_reg_args()


@pytest.mark.octave
@pytest.mark.parametrize("reg", ["lam / m", "lam"])
def test_a_method_named_class_dot_method_runs_on_a_new_instance(octave, tmp_path, reg):
    port = write(tmp_path / reg.replace(" ", "").replace("/", "_") / "logreg.py",
                 CLASS_PORT.replace("INIT", "max_iter=400").replace("REG", reg))
    rep = compare("costFunctionReg", port + ":LogisticRegression.cost_function", logreg_args(),
                  octave=octave, nout=2)
    assert any("LogisticRegression() built with no arguments" in n for n in rep.notes), rep.notes
    if reg == "lam / m":
        assert rep.ok and not rep.findings, rep
        return
    assert rep.kinds == {"regularization"}, rep
    f = rep.errors[0]
    assert f.port_location is not None and f.port_location[1] == 17, f


def test_a_method_of_a_class_that_needs_arguments_says_to_pass_a_bound_method(tmp_path):
    port = write(tmp_path / "logreg.py", CLASS_PORT.replace("INIT", "lam").replace("REG", "lam / m"))
    with pytest.raises(PortError, match=r"LogisticRegression\(\.\.\.\)\.cost_function"):
        compare("costFunctionReg", port + ":LogisticRegression.cost_function", logreg_args())


# -- one-way calling conventions: cost(X, y, theta) for costFunctionReg(theta, X, y, lambda) ----
REORDERED_PORT = """
    import numpy as np


    def sigmoid(z):
        return 1 / (1 + np.exp(-z))


    def cost_function_reg(X, y, theta, lambda_):
        m = len(y)
        h = sigmoid(X @ theta)
        J = (-y @ np.log(h) - (1 - y) @ np.log(1 - h)) / m + lambda_ / (2 * m) * np.sum(theta[1:] ** 2)
        grad = (X.T @ (h - y)) / m
        grad[1:] = grad[1:] + REG * theta[1:]
        return J, grad
"""


@pytest.mark.octave
@pytest.mark.parametrize("reg", ["lambda_ / m", "lambda_"])
def test_arguments_in_another_order_are_matched_by_name(octave, tmp_path, reg):
    port = write(tmp_path / reg.replace(" ", "").replace("/", "_") / "cost.py", REORDERED_PORT.replace("REG", reg))
    rep = compare("costFunctionReg", port + ":cost_function_reg", logreg_args(), octave=octave, nout=2)
    conv = [f for f in rep.findings if f.kind == "calling-convention"]
    assert len(conv) == 1 and conv[0].severity == "warning", rep
    assert "cost_function_reg(X, y, theta, lambda)" in conv[0].message, conv[0].message
    if reg == "lambda_ / m":
        assert rep.ok and rep.kinds == {"calling-convention"}, rep
        return
    assert {f.kind for f in rep.errors} == {"regularization"}, rep
    f = rep.errors[0]
    assert f.port_location is not None and f.port_location[1] == 14, f


@pytest.mark.octave
def test_arguments_in_the_reference_order_are_not_reordered(octave, tmp_path):
    # python_args given: the user's own call is used as it is.
    port = write(tmp_path / "cost.py", REORDERED_PORT.replace("REG", "lambda_ / m"))
    theta, X, y, lam = logreg_args()
    rep = compare("costFunctionReg", port + ":cost_function_reg", (theta, X, y, lam), python_args=(X, y, theta, lam),
                  octave=octave, nout=2)
    assert rep.ok and not rep.findings, rep


# -- a training function: scipy's minimize with a loose tolerance against fmincg -------------
TRAIN_PORT = """
    import numpy as np
    from scipy.optimize import minimize


    def linear_reg_cost_function(X, y, theta, lambda_):
        m = y.size
        theta = theta.ravel()
        y = y.ravel()
        h = X @ theta
        J = np.sum((h - y) ** 2) / (2 * m) + lambda_ / (2 * m) * np.sum(PENALIZED ** 2)
        grad = X.T @ (h - y) / m
        grad[1:] += lambda_ / m * theta[1:]
        return J, grad


    def train_linear_reg(X, y, lambda_):
        initial_theta = np.zeros(X.shape[1])
        res = minimize(lambda t: linear_reg_cost_function(X, y, t, lambda_), initial_theta,
                       jac=True, method="CG", tol=1e-3, options={"maxiter": 200})
        return res.x.reshape(-1, 1)
"""


@pytest.mark.octave
@pytest.mark.parametrize("penalized", ["theta[1:]", "theta"])
def test_a_trained_port_with_a_loose_tolerance(octave, tmp_path, penalized):
    from portcheck.examples.ex5 import _train_args

    port = write(tmp_path / penalized.replace("[1:]", "1") / "train.py", TRAIN_PORT.replace("PENALIZED", penalized))
    X, y, lam = _train_args()
    rep = compare("trainLinearReg", port + ":train_linear_reg", (X, y.reshape(-1, 1), lam), octave=octave)
    if penalized == "theta[1:]":
        assert rep.ok and rep.kinds == {"tolerance"}, rep
        return
    # The cost's penalty includes the bias: the λ = 0 re-run names the penalty. Near-zero
    # gradients at the two optima are no evidence of a rounding function (`fix`).
    assert "regularization" in rep.kinds, rep
    assert not {"missing-function", "extra-function"} & rep.kinds, rep
    # The line λ multiplies on, or none: not the `return res.x` where the difference shows.
    reg = next(f for f in rep.errors if f.kind == "regularization")
    assert reg.port_location is None or reg.port_location[1] in (11, 13), reg


# -- two mistakes at once: C order and λ/m in UFLDL's softmax --------------------------------
SOFTMAX_PORT = """
    import numpy as np


    def softmax_cost(theta, num_classes, input_size, lambda_, data, labels):
        theta = theta.reshape(num_classes, input_size ORDER)
        m = data.shape[1]
        scores = theta @ data
        scores = scores - scores.max(axis=0)
        probs = np.exp(scores) / np.sum(np.exp(scores), axis=0)
        ground_truth = np.zeros((num_classes, m))
        ground_truth[labels.astype(int).ravel() - 1, np.arange(m)] = 1
        cost = -np.sum(ground_truth * np.log(probs)) / m + lambda_ / 2 * np.sum(theta ** 2)
        theta_grad = -(ground_truth - probs) @ data.T / m + DECAY * theta
        return cost, theta_grad.ravel(RAVEL)
"""


@pytest.mark.octave
@pytest.mark.parametrize("order,decay", [("F", "lambda_"), ("C", "lambda_"), ("F", "lambda_ / m"), ("C", "lambda_ / m")])
def test_softmax_c_order_and_weight_decay_over_m(octave, tmp_path, order, decay):
    from portcheck.examples.ufldl import _softmax_args

    args = _softmax_args()
    source = SOFTMAX_PORT.replace("RAVEL", '"F"' if order == "F" else "").replace("DECAY", decay)
    source = source.replace(" ORDER", ', order="F"' if order == "F" else "")
    port = write(tmp_path / f"{order}{len(decay)}" / "softmax.py", source) + ":softmax_cost"
    rep = compare("softmaxCost", port, args, octave=octave, nout=2, layout=[("theta", (args[1], args[2]))])
    expected = ({"unroll-order"} if order == "C" else set()) | ({"regularization"} if decay != "lambda_" else set())
    assert {f.kind for f in rep.errors} == expected, rep
    for f in rep.errors:
        if f.kind == "unroll-order":
            assert f.port_location is not None and f.port_location[1] == 6, f
        if f.kind == "regularization":
            # the penalty's line, or none: never the reshape that the first cause is about
            assert f.port_location is None or f.port_location[1] == 14, f
            # the reference regularizes every entry: no bias advice
            assert "Theta[:, 0]" not in f.message and "λ/m where the reference has λ" in f.message, f.message


# -- float32: the "converted to float32?" question, with np.var's default ddof ----------------
GAUSS_PORT = """
    import numpy as np


    def estimate_gaussian(X):
        X = X.astype(np.float32)
        mu = np.mean(X, axis=0)
        sigma2 = np.var(X, axis=0DDOF)
        return mu.reshape(-1, 1), sigma2.reshape(-1, 1)
"""


@pytest.mark.octave
@pytest.mark.parametrize("ddof", ["", ", ddof=1"])
def test_float32_port_with_bessel_correction_is_named_ddof(octave, tmp_path, ddof):
    from portcheck.examples.ex8 import _density_args

    port = write(tmp_path / f"d{len(ddof)}" / "gauss.py", GAUSS_PORT.replace("DDOF", ddof)) + ":estimate_gaussian"
    rep = compare("estimateGaussian", port, (_density_args()[0],), octave=octave, nout=2)
    assert "precision" in {f.kind for f in rep.warnings}, rep
    if not ddof:
        assert rep.ok and not rep.errors, rep
        return
    assert {f.kind for f in rep.errors} == {"ddof"}, rep
    f = rep.errors[0]
    assert "N = 25" in f.message and "ddof=0" in f.message and f.port_location[1] == 8, f


def test_check_gradient_given_the_whole_argument_tuple_says_how_to_split_it(tmp_path):
    from portcheck import check_gradient
    from portcheck.errors import InputError

    port = nn_package(tmp_path, 1)
    with pytest.raises(InputError, match=r"whole argument list.*check_gradient\(fun, args\[0\], args=args\[1:\]\)"):
        check_gradient(port, nn_args(), layout=LAYOUT)
    rep = check_gradient(port, nn_args()[0], args=nn_args()[1:], layout=LAYOUT)
    assert rep.ok, rep


# -- a notebook exported as a script, run through the command line ----------------------------
NOTEBOOK = """
    #!/usr/bin/env python
    # coding: utf-8

    # In[1]:


    import numpy as np
    import matplotlib.pyplot as plt
    from scipy.io import loadmat
    get_ipython().run_line_magic('matplotlib', 'inline')


    # In[2]:


    data = loadmat('ex5data1.mat')
    X, y = data['X'], data['y'][:, 0]
    m = y.size
    plt.plot(X, y, 'ro')


    # In[3]:


    def linearRegCostFunction(X, y, theta, lambda_=0.0):
        m = y.size
        h = X.dot(theta)
        J = (1 / (2 * m)) * np.sum(np.square(h - y)) + (lambda_ / (2 * m)) * np.sum(np.square(theta[1:]))
        grad = (1 / m) * (h - y).dot(X)
        grad[1:] = grad[1:] + REG * theta[1:]
        return J, grad


    # In[4]:


    J, _ = linearRegCostFunction(np.concatenate([np.ones((m, 1)), X], axis=1), y, np.array([1, 1]), 1)
    print('Cost at theta = [1, 1]:\\t   %f ' % J)
"""
NOTEBOOK_INPUTS = """
    from portcheck.examples.ex5 import _cost_args

    def args():
        X, y, theta, lam = _cost_args()
        return X, y.reshape(-1, 1), theta.reshape(-1, 1), lam
"""


@pytest.mark.octave
@pytest.mark.parametrize("reg", ["(lambda_ / m)", "lambda_"])
def test_a_notebook_script_through_the_cli(tmp_path, reg):
    import subprocess
    import sys

    folder = tmp_path / ("faithful" if "/" in reg else "lam")
    port = write(folder / "ex5.py", NOTEBOOK.replace("REG", reg))
    inputs = write(folder / "inputs.py", NOTEBOOK_INPUTS)
    res = subprocess.run([sys.executable, "-m", "portcheck", "compare", "linearRegCostFunction",
                          f"{port}:linearRegCostFunction", "--args-from", f"{inputs}:args", "--nout", "2",
                          "--json", "-"], capture_output=True, text=True, timeout=600, cwd=folder)
    import json

    out = json.loads(res.stdout)
    kinds = {(f["kind"], f["severity"]) for f in out["findings"]}
    assert ("calling-convention", "warning") in kinds, out
    conv = next(f for f in out["findings"] if f["kind"] == "calling-convention")
    # one lead-in for both vectors, not the same advice twice
    assert conv["message"].count("at the top of the port") == 1 and "`theta = np.ravel(theta)`" in conv["message"], conv
    assert any("runs as a script" in n for n in out["notes"]), out["notes"]
    if reg == "(lambda_ / m)":
        assert res.returncode == 0 and kinds == {("calling-convention", "warning")}, out
        return
    assert res.returncode == 1, res.stderr
    reg_f = [f for f in out["findings"] if f["kind"] == "regularization"]
    line = Path(port).read_text().splitlines().index("    grad[1:] = grad[1:] + lambda_ * theta[1:]") + 1
    assert reg_f and reg_f[0]["port_location"][1] == line, out


# -- K-means with a 0-based class loop: the empty class's mean is NaN -------------------------
KMEANS_PORT = """
    import numpy as np


    def compute_centroids(X, idx, K):
        m, n = X.shape
        centroids = np.zeros((K, n))
        idx = idx.ravel()
        for k in range(K):
            centroids[k, :] = np.mean(X[idx == CLASS], axis=0)
        return centroids
"""


@pytest.mark.octave
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("klass", ["k + 1", "k"])
def test_a_0_based_class_loop_is_named_without_its_nan(octave, tmp_path, klass):
    from portcheck.examples.ex7 import _centroid_args

    port = write(tmp_path / klass.replace(" ", "").replace("+", "p") / "kmeans.py", KMEANS_PORT.replace("CLASS", klass))
    rep = compare("computeCentroids", port + ":compute_centroids", _centroid_args(), octave=octave)
    if klass == "k + 1":
        assert rep.ok and not rep.findings, rep
        return
    assert {f.kind for f in rep.errors} == {"index-base"}, rep
    assert rep.errors[0].port_location[1] == 10, rep.errors[0]
