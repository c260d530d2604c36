"""Real ports as people write them: folders of files, scripts, one-way calling conventions.

Each port here is written the way public ports of the course exercises are:
several files importing each other, scripts that load data and plot at import,
labels used as integer indices, a cost and its gradient in two functions.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from portcheck.compare import compare
from portcheck.errors import PortError
from portcheck.inputs import debug_dataset, debug_weights
from portcheck.loading import load_callable, load_notes

ROOT = Path(__file__).resolve().parents[1]


def write(folder: Path, name: str, source: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(source))
    return path


SIGMOID = """
    import numpy as np

    def sigmoid(z):
        return 1.0 / (1.0 + np.exp(-z))
"""

COST = """
    import numpy as np
    from sigmoid import sigmoid

    def cost_function(theta, X, y):
        m = len(y)
        h = sigmoid(X @ theta)
        J = -(y @ np.log(h) + (1 - y) @ np.log(1 - h)) / m
        grad = X.T @ (h - y) / m
        return J, grad
"""


def logreg_args():
    X0 = 10 * debug_weights(12, 1)
    X = np.column_stack([np.ones(12), X0])
    y = (X0[:, 0] + X0[:, 1] > 0).astype(np.float64)
    return np.array([0.1, -0.2, 0.3]), X, y


# -- loading ---------------------------------------------------------------------------


def test_a_file_importing_its_sibling_loads_and_sys_path_is_restored(tmp_path):
    write(tmp_path, "sigmoid.py", SIGMOID)
    write(tmp_path, "costFunction.py", COST)
    before_path, before_modules = list(sys.path), set(sys.modules)
    fn = load_callable(f"{tmp_path}/costFunction.py:cost_function")
    assert sys.path == before_path
    assert "sigmoid" not in sys.modules and "sigmoid" not in before_modules
    J, grad = fn(*logreg_args())
    assert np.isfinite(J) and grad.shape == (3,)
    assert load_notes(fn) == []


def test_two_folders_with_their_own_sibling_do_not_see_each_other(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    write(a, "helper.py", "def k():\n    return 'a'\n")
    write(b, "helper.py", "def k():\n    return 'b'\n")
    write(a, "port.py", "from helper import k\n\ndef f():\n    return k()\n")
    write(b, "port.py", "from helper import k\n\ndef f():\n    return k()\n")
    assert load_callable(f"{a}/port.py:f")() == "a"
    assert load_callable(f"{b}/port.py:f")() == "b"


def test_a_suite_folder_is_on_sys_path_for_module_specs(tmp_path):
    write(tmp_path, "sigmoid.py", SIGMOID)
    write(tmp_path, "mylogreg.py", COST)
    fn = load_callable("mylogreg:cost_function", base=tmp_path)
    assert fn(*logreg_args())[1].shape == (3,)
    sys.modules.pop("mylogreg", None)
    sys.modules.pop("sigmoid", None)


SCRIPT = """
    import numpy as np
    import matplotlib.pyplot as plt
    from scipy.io import loadmat
    from sigmoid import sigmoid

    input_layer_size = 2

    data = loadmat('ex2data1.mat')   # not next to the test: a plain import fails here
    X, y = data['X'], data['y']
    plt.plot(X[:, 0], X[:, 1], 'o')
    plt.show()
    input('Program paused. Press enter to continue.')

    def cost_function(theta, X, y):
        m = len(y)
        h = sigmoid(X @ theta)
        J = -(y @ np.log(h) + (1 - y) @ np.log(1 - h)) / m
        grad = X.T @ (h - y) / m
        return J, grad

    for i in range(3):
        print(cost_function(np.zeros(3), X, y))
"""


def test_a_script_file_is_loaded_definitions_only_and_says_so(tmp_path):
    write(tmp_path, "sigmoid.py", SIGMOID)
    path = write(tmp_path, "ex2.py", SCRIPT)
    fn = load_callable(f"{path}:cost_function")
    assert fn.__globals__["input_layer_size"] == 2
    assert "X" not in fn.__globals__  # the data-loading lines did not run
    (note,) = load_notes(fn)
    assert "runs as a script" in note and "only its imports, functions, classes and constants" in note


def test_input_at_import_does_not_block(tmp_path):
    write(tmp_path, "sigmoid.py", SIGMOID)
    # `main()` is not recognisable as a script call: the plain import runs it and `input()` hits an
    # empty stdin instead of waiting for a key.
    path = write(tmp_path, "paused.py", textwrap.dedent(COST) + "\n\ndef main():\n    input('continue?')\n\n\nmain()\n")
    fn = load_callable(f"{path}:cost_function")
    assert "it calls `input()` at import" in load_notes(fn)[0]
    assert fn(*logreg_args())[1].shape == (3,)


def test_a_missing_module_the_function_needs_is_named(tmp_path):
    path = write(tmp_path, "port.py", "import numpy as np\nfrom mystery_helpers import sigmoid\n\n"
                                      "def f(z):\n    return sigmoid(z)\n")
    with pytest.raises(PortError, match="imports module 'mystery_helpers', which cannot be found.*next to port.py"):
        load_callable(f"{path}:f")


def test_a_grader_import_the_function_does_not_use_is_skipped_with_a_note(tmp_path):
    write(tmp_path, "sigmoid.py", SIGMOID)
    path = write(tmp_path, "ex2.py", "from submit import submitWithConfiguration\n" + textwrap.dedent(COST))
    fn = load_callable(f"{path}:cost_function")
    assert fn(*logreg_args())[1].shape == (3,)
    notes = load_notes(fn)
    assert any("skipped the import of submit" in n for n in notes)


@pytest.mark.octave
def test_compare_a_multi_file_folder_and_a_script_with_real_octave(octave, tmp_path):
    write(tmp_path, "sigmoid.py", SIGMOID)
    write(tmp_path, "costFunction.py", COST)
    script = write(tmp_path, "ex2.py", SCRIPT)
    args = logreg_args()
    clean = compare("costFunction", f"{tmp_path}/costFunction.py:cost_function", args, octave=octave)
    assert clean.ok and not clean.findings, str(clean)
    rep = compare("costFunction", f"{script}:cost_function", args, octave=octave)
    assert rep.ok, str(rep)
    assert any("runs as a script" in n for n in rep.notes)
    assert "runs as a script" in str(rep)


@pytest.mark.octave
def test_cli_compare_loads_a_port_folder(tmp_path):
    write(tmp_path, "sigmoid.py", SIGMOID)
    write(tmp_path, "costFunction.py", COST)
    write(tmp_path, "inputs.py", """
        import numpy as np

        def args():
            X0 = np.sin(np.arange(1, 25)).reshape(12, 2, order='F')
            X = np.column_stack([np.ones(12), X0])
            return np.array([0.1, -0.2, 0.3]), X, (X0[:, 0] + X0[:, 1] > 0).astype(float)
    """)
    res = subprocess.run([sys.executable, "-m", "portcheck", "compare", "costFunction",
                          f"{tmp_path}/costFunction.py:cost_function", "--args-from", f"{tmp_path}/inputs.py:args"],
                         capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "No module named" not in res.stdout + res.stderr


# -- calling conventions: outputs, split cost/gradient, penalty arguments ----------------


def reg_args(lam=0.7):
    theta, X, y = logreg_args()
    return theta, X, y, lam


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def cost_reg_parts(theta, X, y, lmbda):
    m = len(y)
    h = sigmoid(X @ theta)
    J = -(y @ np.log(h) + (1 - y) @ np.log(1 - h)) / m + lmbda / (2 * m) * np.sum(theta[1:] ** 2)
    grad = X.T @ (h - y) / m
    grad[1:] += lmbda / m * theta[1:]
    return J, grad


@pytest.mark.octave
def test_a_list_of_outputs_reads_like_a_tuple(octave):
    def as_list(*a):
        return list(cost_reg_parts(*a))

    rep = compare("costFunctionReg", as_list, reg_args(), octave=octave)
    assert rep.ok and not rep.findings, str(rep)


@pytest.mark.octave
def test_split_cost_and_gradient_functions(octave):
    def cost(theta, X, y, lamb):
        return cost_reg_parts(theta, X, y, lamb)[0]

    def gradient(theta, X, y, lamb):
        return cost_reg_parts(theta, X, y, lamb)[1]

    def gradient_bias_regularized(theta, X, y, lamb):
        return cost_reg_parts(theta, X, y, lamb)[1] + lamb / len(y) * theta[0] * np.eye(3)[0]

    rep = compare("costFunctionReg", cost, reg_args(), octave=octave, grad=gradient)
    assert rep.ok and not rep.findings, str(rep)
    assert "cost + " in rep.title and "gradient" in rep.title
    bad = compare("costFunctionReg", cost, reg_args(), octave=octave, grad=gradient_bias_regularized)
    assert [f.kind for f in bad.findings if f.severity == "error"] == ["regularization"]


def squared_penalty_gradient(theta, X, y, lam):
    """The gradient's penalty uses θ² (not proportional to θ): only the λ = 0 re-run can name it."""
    J, grad = cost_reg_parts(theta, X, y, lam)
    grad[1:] += lam / len(y) * (theta[1:] ** 2 - theta[1:])
    return J, grad


@pytest.mark.octave
@pytest.mark.parametrize("name", ["lamb", "lmbda", "l", "reg_lambda", "Lambda"])
def test_penalty_found_by_its_many_names(octave, name):
    ns: dict = {}
    exec(f"def port(theta, X, y, {name}):\n    return f(theta, X, y, {name})\n", {"f": squared_penalty_gradient}, ns)
    rep = compare("costFunctionReg", ns["port"], reg_args(), octave=octave)
    (f,) = [f for f in rep.findings if f.severity == "error"]
    assert f.kind == "regularization" and f"{name} = 0" in f.message


@pytest.mark.octave
def test_penalty_given_explicitly_and_in_another_argument_order(octave):
    def port(X, y, theta, c):  # 'c' says nothing; the order is the port's own
        return squared_penalty_gradient(theta, X, y, c)

    theta, X, y, lam = reg_args()
    plain = compare("costFunctionReg", port, (theta, X, y, lam), python_args=(X, y, theta, lam), octave=octave)
    assert "regularization" not in {f.kind for f in plain.findings}
    rep = compare("costFunctionReg", port, (theta, X, y, lam), python_args=(X, y, theta, lam), octave=octave,
                  penalty="c")
    assert "regularization" in {f.kind for f in rep.findings if f.severity == "error"}, str(rep)
    with pytest.raises(Exception, match="penalty='lam' is not one of the port's parameters"):
        compare("costFunctionReg", port, (theta, X, y, lam), python_args=(X, y, theta, lam), octave=octave,
                penalty="lam")


@pytest.mark.octave
def test_cli_takes_octave_path_and_its_alias(tmp_path):
    refs = tmp_path / "refs"
    refs.mkdir()
    (refs / "scaleRows.m").write_text("function B = scaleRows(A)\n  B = A ./ sum(A, 2);\nend\n")
    write(tmp_path, "port.py", "import numpy as np\n\ndef scale_rows(A):\n    return A / A.sum(axis=1, keepdims=True)\n")
    write(tmp_path, "inputs.py", "import numpy as np\n\ndef args():\n    return (np.arange(1.0, 7.0).reshape(2, 3),)\n")
    for option in ("--octave-path", "--path"):
        res = subprocess.run([sys.executable, "-m", "portcheck", "compare", "scaleRows", f"{tmp_path}/port.py:scale_rows",
                              "--args-from", f"{tmp_path}/inputs.py:args", option, str(refs)],
                             capture_output=True, text=True, cwd=ROOT, timeout=600)
        assert res.returncode == 0, res.stdout + res.stderr


# -- one-way calling conventions --------------------------------------------------------

NN_LAYOUT = [("Theta1", (5, 4)), ("Theta2", (3, 6))]


def nn_inputs(lam: float = 1.0):
    T1, T2 = debug_weights(5, 3), debug_weights(3, 5)
    X, y = debug_dataset(5, 3, 3)
    return (np.concatenate([T1.ravel(order="F"), T2.ravel(order="F")]), 3, 5, 3, X, y, lam)


def nn_port(order="F", labels="1-based", regularize_grad=True, examples_in_columns=False):
    """nnCostFunction written the way public ports write it, with knobs for their mistakes."""

    def nnCostFunction(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lamb):
        n, h, k = input_layer_size, hidden_layer_size, num_labels
        Theta1 = nn_params[:h * (n + 1)].reshape(h, n + 1, order=order)
        Theta2 = nn_params[h * (n + 1):].reshape(k, h + 1, order=order)
        if examples_in_columns:
            X = X.T
        m = X.shape[0]
        if labels == "1-based":
            Y = np.eye(k)[y - 1]              # y must hold integers
        elif labels == "0-based index":
            Y = np.eye(k)[y]                  # 0-based and integers
        elif labels == "1-based compare":
            Y = (np.reshape(y, (-1, 1)) == np.arange(1, k + 1)).astype(float)
        else:
            Y = (np.reshape(y, (-1, 1)) == np.arange(k)).astype(float)  # 0-based comparison
        a1 = np.hstack([np.ones((m, 1)), X])
        z2 = a1 @ Theta1.T
        a2 = np.hstack([np.ones((m, 1)), sigmoid(z2)])
        a3 = sigmoid(a2 @ Theta2.T)
        J = (-np.sum(Y * np.log(a3) + (1 - Y) * np.log(1 - a3)) / m
             + lamb / (2 * m) * (np.sum(Theta1[:, 1:] ** 2) + np.sum(Theta2[:, 1:] ** 2)))
        d3 = a3 - Y
        d2 = (d3 @ Theta2[:, 1:]) * sigmoid(z2) * (1 - sigmoid(z2))
        Theta1_grad, Theta2_grad = d2.T @ a1 / m, d3.T @ a2 / m
        if regularize_grad:
            Theta1_grad[:, 1:] += lamb / m * Theta1[:, 1:]
            Theta2_grad[:, 1:] += lamb / m * Theta2[:, 1:]
        return J, np.concatenate([Theta1_grad.ravel(order=order), Theta2_grad.ravel(order=order)])

    return nnCostFunction


def nn_compare(octave, port, args=None):
    return compare("nnCostFunction", port, nn_inputs() if args is None else args, octave=octave,
                   layout=NN_LAYOUT, outputs=("J", "grad"))


def errors(report):
    return [f for f in report.findings if f.severity == "error"]


@pytest.mark.octave
def test_integer_labels_convention_is_a_warning_with_the_call_to_make(octave):
    rep = nn_compare(octave, nn_port())
    assert rep.ok, str(rep)
    (f,) = rep.findings
    assert f.kind == "calling-convention" and f.severity == "warning"
    assert "IndexError" in f.message
    assert f.evidence["call"] == "nnCostFunction(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y.astype(int), lamb)"


@pytest.mark.octave
def test_examples_in_columns_convention(octave):
    rep = nn_compare(octave, nn_port(examples_in_columns=True), nn_inputs()[:5] + (nn_inputs()[5].astype(int), 1.0))
    (f,) = rep.findings
    assert f.kind == "calling-convention" and "X.T" in f.evidence["call"], str(rep)
    assert rep.ok


@pytest.mark.octave
def test_sizes_as_doubles_convention(octave):
    def needs_int_sizes(theta, X, y, n_iter):
        for _ in range(n_iter):  # range() refuses the double Octave would pass
            pass
        return cost_reg_parts(theta, X, y, 0.0)[0]

    theta, X, y = logreg_args()
    X = X[:, :3]
    rep = compare("costFunction", needs_int_sizes, (theta, X, y), python_args=(theta, X, y, 3.0), octave=octave,
                  nout=1)
    (f,) = rep.findings
    assert f.kind == "calling-convention" and "int(n_iter)" in f.evidence["call"], str(rep)


@pytest.mark.octave
def test_a_convention_and_a_mistake_both_named(octave):
    rep = nn_compare(octave, nn_port(order="C"))
    kinds = {(f.kind, f.severity) for f in rep.findings}
    assert kinds == {("calling-convention", "warning"), ("unroll-order", "error")}, str(rep)


@pytest.mark.octave
def test_a_faithful_port_called_its_own_way_is_clean(octave):
    T, n, h, k, X, y, lam = nn_inputs()
    rep = nn_compare(octave, nn_port(), (T, n, h, k, X, y.astype(int), lam))
    assert rep.ok and not rep.findings, str(rep)


# -- two mistakes at once ---------------------------------------------------------------


def causes(report):
    return sorted((f.evidence.get("fix_order", 0), f.kind) for f in report.findings
                  if f.severity in ("error", "warning"))


@pytest.mark.octave
def test_c_order_and_0_based_labels(octave):
    rep = nn_compare(octave, nn_port(order="C", labels="0-based compare"))
    assert causes(rep) == [(1, "unroll-order"), (2, "index-base")], str(rep)
    assert "fix this first" in next(f for f in rep.findings if f.kind == "unroll-order").message
    assert any("fix them in this order: unroll-order, then index-base" in n for n in rep.notes)


@pytest.mark.octave
def test_c_order_and_an_unregularized_gradient(octave):
    rep = nn_compare(octave, nn_port(order="C", labels="1-based compare", regularize_grad=False))
    found = causes(rep)
    assert found[0] == (1, "unroll-order") and {k for _, k in found[1:]} == {"regularization"}, str(rep)
    reg = [f for f in rep.findings if f.kind == "regularization"]
    assert all("missing" in f.message for f in reg)


@pytest.mark.octave
def test_integer_labels_0_based_and_c_order_three_causes(octave):
    rep = nn_compare(octave, nn_port(order="C", labels="0-based index"))
    assert causes(rep) == [(1, "calling-convention"), (2, "unroll-order"), (3, "index-base")], str(rep)
    assert "python-error" not in {f.kind for f in rep.findings}


@pytest.mark.octave
def test_c_order_fill_and_off_by_one_sin(octave):
    def debugInitializeWeights(fan_out, fan_in):
        W = np.zeros((fan_out, 1 + fan_in))
        W = np.sin(np.arange(W.size)) / 10   # 0..n-1 where MATLAB's sin(1:n) starts at 1
        return W.reshape(fan_out, 1 + fan_in)  # and row-major

    rep = compare("debugInitializeWeights", debugInitializeWeights, (5, 3), octave=octave)
    assert causes(rep) == [(1, "unroll-order"), (2, "index-base")], str(rep)
    assert "np.arange(1, n + 1)" in next(f for f in rep.findings if f.kind == "index-base").message


@pytest.mark.octave
def test_one_cause_found_and_the_rest_reported_unexplained(octave):
    def port(*a):
        J, grad = nn_port(order="C", labels="1-based compare")(*a)
        return J, grad + 0.01 * np.cos(np.arange(grad.size))  # a second, unrecognisable mistake

    rep = nn_compare(octave, port)
    kinds = [f.kind for f in errors(rep)]
    assert "unroll-order" in kinds and "mismatch" in kinds, str(rep)
    left = next(f for f in errors(rep) if f.kind == "mismatch")
    assert left.message.startswith("not explained")


# -- functions that train ----------------------------------------------------------------

ONE_VS_ALL = """
    import numpy as np
    from scipy.optimize import fmin_cg
    from lrCostFunction import lrCostFunction

    def oneVsAll(X, y, num_labels, lmbda):
        m, n = X.shape
        X = np.hstack((np.ones((m, 1)), X))
        all_theta = np.zeros((num_labels, n + 1))
        for c in range({first}, num_labels + {first}):
            yc = (y.ravel() == c).astype(float)
            theta = fmin_cg(lambda t: lrCostFunction(t, X, yc, lmbda)[0], np.zeros(n + 1),
                            fprime=lambda t: lrCostFunction(t, X, yc, lmbda)[1], maxiter=50, disp=False)
            all_theta[c - {first}, :] = theta
        return all_theta
"""

LR_COST = """
    import numpy as np

    def sigmoid(z):
        return 1 / (1 + np.exp(-z))

    def lrCostFunction(theta, X, y, lmbda):
        m = len(y)
        h = sigmoid(X @ theta)
        reg = theta.copy()
        reg[0] = 0
        J = (-y @ np.log(h) - (1 - y) @ np.log(1 - h)) / m + lmbda / (2 * m) * reg @ reg
        return J, X.T @ (h - y) / m + lmbda / m * reg
"""


def one_vs_all_folder(tmp_path, first=1):
    write(tmp_path, "lrCostFunction.py", LR_COST)
    return write(tmp_path, "oneVsAll.py", textwrap.dedent(ONE_VS_ALL).replace("{first}", str(first)))


@pytest.mark.octave
def test_loosely_trained_one_vs_all_is_a_tolerance_warning(octave, tmp_path):
    from portcheck.examples.ex3 import _one_vs_all_args

    path = one_vs_all_folder(tmp_path)
    rep = compare("oneVsAll", f"{path}:oneVsAll", _one_vs_all_args(), octave=octave)
    assert rep.ok, str(rep)
    (f,) = rep.findings
    assert f.kind == "tolerance" and f.severity == "warning"
    rtol, atol = f.evidence["rtol"], f.evidence["atol"]
    assert "passes with rtol=" in f.message and "fmin_cg(..., gtol=" in f.message
    again = compare("oneVsAll", f"{path}:oneVsAll", _one_vs_all_args(), octave=octave, rtol=rtol, atol=atol)
    assert again.ok and not again.findings, str(again)  # the stated tolerances do pass


@pytest.mark.octave
def test_label_shift_is_named_on_a_training_function(octave, tmp_path):
    from portcheck.examples.ex3 import _one_vs_all_args

    path = one_vs_all_folder(tmp_path, first=0)  # classes 0..K-1 against labels 1..K
    rep = compare("oneVsAll", f"{path}:oneVsAll", _one_vs_all_args(), octave=octave)
    assert [f.kind for f in errors(rep)] == ["index-base"], str(rep)


@pytest.mark.octave
def test_loosely_trained_learning_curve_is_a_tolerance_warning(octave):
    from scipy.optimize import minimize

    from portcheck.examples.ex5 import _curve_args, linear_reg_cost_function

    def trainLinearReg(X, y, lamb):
        return minimize(lambda t: linear_reg_cost_function(X, y, t, lamb), np.zeros(X.shape[1]), jac=True,
                        method="CG", options={"maxiter": 200, "gtol": 1e-4}).x

    def learningCurve(X, y, Xval, yval, lamb):
        m = X.shape[0]
        error_train, error_val = np.zeros(m), np.zeros(m)
        for i in range(1, m + 1):
            theta = trainLinearReg(X[:i], y[:i], lamb)
            error_train[i - 1] = linear_reg_cost_function(X[:i], y[:i], theta, 0)[0]
            error_val[i - 1] = linear_reg_cost_function(Xval, yval, theta, 0)[0]
        return error_train, error_val

    rep = compare("learningCurve", learningCurve, _curve_args(), octave=octave)
    assert rep.ok, str(rep)
    assert [f.kind for f in rep.findings] == ["tolerance", "tolerance"], str(rep)


# -- diagnoses that were wrong on real code ---------------------------------------------------


@pytest.mark.octave
def test_pca_with_numpy_svd_conventions_is_clean_with_warnings(octave):
    from portcheck.examples.ex7 import CASES

    case = next(c for c in CASES if c.name == "ex7.pca")

    def pca(X):  # the usual port: np.linalg.svd, singular values as a vector, LAPACK's signs
        m = X.shape[0]
        U, S, _ = np.linalg.svd(X.T @ X / m)
        return U, S

    rep = compare("pca", pca, case.make_args(), octave=octave, outputs=("U", "S"))
    assert rep.ok, str(rep)
    found = {(f.kind, f.output) for f in rep.findings}
    assert ("calling-convention", "S") in found and "shape" not in {k for k, _ in found}
    signs = [f for f in rep.findings if f.kind == "sign"]
    assert all(f.severity == "warning" and f.output == "U" for f in signs)

    def pca_wrong_u(X):  # a real mistake stays an error: U of X.T @ X without dividing... and transposed
        U, S = pca(X)
        return U.T, np.diag(S)

    bad = compare("pca", pca_wrong_u, case.make_args(), octave=octave, outputs=("U", "S"))
    assert not bad.ok


@pytest.mark.octave
def test_ddof_only_for_an_n_the_data_has(octave):
    from portcheck.examples.ex5 import CASES

    case = next(c for c in CASES if c.name == "ex5.featureNormalize")
    args = case.make_args()

    def std_times_1_5(X):
        mu = X.mean(axis=0)
        sigma = X.std(axis=0, ddof=1) * np.sqrt(1.5)  # looks like √(3/2) = √(N/(N-1)) for N = 3
        return (X - mu) / sigma, mu, sigma

    rep = compare("featureNormalize", std_times_1_5, args, octave=octave, outputs=("X_norm", "mu", "sigma"))
    assert args[0].shape[0] != 3 and 3 not in args[0].shape
    assert "ddof" not in {f.kind for f in rep.findings}, str(rep)
    assert "scale" in {f.kind for f in rep.findings}


@pytest.mark.octave
def test_axis_error_is_not_called_a_1_based_index(octave):
    def port(theta, X, y):
        return float(np.sum(y, axis=1))  # y is 1-D in NumPy: no axis 1

    rep = compare("costFunction", port, logreg_args(), octave=octave, nout=1)
    (f,) = [f for f in rep.findings if f.kind == "python-error"]
    assert "AxisError" in f.message and "1-based" not in f.message and "axis" in f.message


@pytest.mark.octave
def test_a_sibling_imported_inside_the_function_says_to_move_the_import(octave, tmp_path):
    write(tmp_path, "logistic_helpers_of_this_test.py", SIGMOID)  # a name no other test imports
    path = write(tmp_path, "port.py", """
        import numpy as np

        def cost_function(theta, X, y):
            from logistic_helpers_of_this_test import sigmoid  # at call time the folder is off sys.path
            h = sigmoid(X @ theta)
            return -(y @ np.log(h) + (1 - y) @ np.log(1 - h)) / len(y), X.T @ (h - y) / len(y)
    """)
    rep = compare("costFunction", f"{path}:cost_function", logreg_args(), octave=octave)
    (f,) = [f for f in rep.findings if f.kind == "python-error"]
    assert "logistic_helpers_of_this_test is a module next to port.py" in f.message, str(rep)
    assert "top of the file" in f.message


@pytest.mark.octave
def test_broadcast_comes_without_a_spurious_scale(octave):
    theta, X, y = logreg_args()

    def column_y_port(theta, X, y):
        m = len(y)
        w = np.ones_like(y)  # per-example weights shaped like y: (m,1) when y arrives as a column
        h = sigmoid(X @ theta)
        loss = -(y.ravel() * np.log(h) + (1 - y.ravel()) * np.log(1 - h))  # (m,)
        J = np.sum(w * loss) / m  # (m,1) * (m,) sums an (m,m) array: m times too large
        return J, X.T @ (w * (h - y.ravel())) / m

    rep = compare("costFunction", column_y_port, (theta, X, y.reshape(-1, 1)), octave=octave)
    kinds = {f.kind for f in rep.findings if f.severity == "error"}
    assert "broadcast" in kinds and "scale" not in kinds, str(rep)
    assert any("(m,m) blow-up" in n for n in rep.notes)  # J's factor m was seen and attributed


@pytest.mark.octave
def test_flatten_advice_only_when_the_port_needs_1d_and_column_advice_when_it_needs_the_column(octave):
    theta, X, y = logreg_args()

    def needs_column(theta, X, y):  # everything 2-D: right with a column y, (m,m) with a 1-D one
        m = y.shape[0]
        h = sigmoid(X @ theta.reshape(-1, 1))
        J = float(-np.sum(y * np.log(h) + (1 - y) * np.log(1 - h)) / m)
        return J, (X.T @ (h - y) / m).ravel()

    rep = compare("costFunction", needs_column, (theta, X, y), octave=octave)
    (f,) = [f for f in rep.findings if f.kind == "broadcast"]
    assert "flatten y" not in f.message and "np.reshape(y, (-1, 1))" in f.message, str(rep)


# -- one capture rule; lint's false alarms on real code -------------------------------------


CS231N = """
    import numpy as np

    def two_layer_net(X, model, y, reg):
        W1 = model['W1']
        return float(np.sum((X @ W1) ** 2) + reg * np.sum(W1 ** 2)), None

    def eval_numerical_gradient(f, x, h=1e-5):
        grad = np.zeros_like(x)
        it = np.nditer(x, flags=['multi_index'])
        while not it.finished:
            ix = it.multi_index
            old = x[ix]
            x[ix] = old + h
            fxph = f(x)
            x[ix] = old - h
            fxmh = f(x)
            x[ix] = old
            grad[ix] = (fxph - fxmh) / (2 * h)
            it.iternext()
        return grad

    def check(X, model, y, reg):
        out = {}
        for name in model:
            f = lambda W: two_layer_net(X, model, y, reg)[0]
            out[name] = eval_numerical_gradient(lambda W: two_layer_net(X, model, y, reg)[0], model[name])
        return out
"""


def test_lint_accepts_real_idioms_and_still_flags_the_mistakes():
    from portcheck.lint import lint_source

    def rules(src):
        return [i.rule for i in lint_source(textwrap.dedent(src))]

    # CS231n's checker perturbs model[name] in place; the objective reads it through `model`.
    assert "lambda-capture" not in rules(CS231N.replace("            f = lambda W: two_layer_net(X, model, y, reg)[0]\n", ""))
    # ... but a lambda ignoring its argument with nothing perturbed in place is still flagged.
    assert "lambda-capture" in rules("from scipy.optimize import minimize\nres = minimize(lambda t: cost(theta0, X, y), theta0)\n")
    # Reshapes whose order cannot matter: a count of values into a column.
    assert rules("theta1 = theta1.reshape(n + 1, 1)\nW = W.reshape(n, 1)\ng = grad.reshape(theta.shape)\n") == []
    assert rules("import numpy as np\nv = Theta1.reshape(-1, 1)\n") == ["reshape-order"]
    # Examples in columns (weights multiplied into X) make m = X.shape[1] right.
    cols = "import numpy as np\ndef propagate(w, b, X, Y):\n    m = X.shape[1]\n    A = np.dot(w.T, X) + b\n    return np.sum(A - Y) / m\n"
    assert rules(cols) == []
    assert rules("def cost(theta, X, y):\n    m = X.shape[1]\n    return sum((X @ theta - y) ** 2) / (2 * m)\n") == ["example-count"]


def test_one_capture_rule_for_lint_gradients_and_optimize(tmp_path):
    from portcheck.gradients._static import static_findings
    from portcheck.objective_rule import ignored_parameter_of

    path = write(tmp_path, "objectives.py", """
        def cost(theta, X):
            return float(((X @ theta) ** 2).sum())

        theta0 = None

        def captured(t, X):
            return cost(theta0, X)

        def declared_unused(_t, X):
            return cost(theta0, X)

        def stub(t):
            raise NotImplementedError
    """)
    captured = load_callable(f"{path}:captured")
    assert ignored_parameter_of(captured) == "t"
    assert ignored_parameter_of(load_callable(f"{path}:declared_unused")) is None
    assert ignored_parameter_of(load_callable(f"{path}:stub")) is None
    assert ignored_parameter_of(load_callable(f"{path}:cost")) is None
    # The gradient check's static finding and lint agree, because both call the rule.
    assert [f.evidence.get("parameter") for f in static_findings(captured) if f.kind == "lambda-capture"] == ["t"]
    src = "from scipy.optimize import minimize\n" + path.read_text() + "\nres = minimize(captured, [0.0], args=(1,))\n"
    from portcheck.lint import lint_source

    assert [i.rule for i in lint_source(src)] == ["lambda-capture"]
    ns: dict = {}
    exec("g = lambda t, X: X", ns)  # no source: the same rule from bytecode
    assert ignored_parameter_of(ns["g"]) == "t"


@pytest.mark.octave
def test_compare_minimize_with_the_parameters_in_third_place(octave):
    from portcheck.examples.ex5 import _train_args, linear_reg_cost_function
    from portcheck.optimize import compare_minimize

    X, y, lam = _train_args()
    theta0 = 0.1 * np.arange(1.0, X.shape[1] + 1)  # non-zero weights: a penalty mistake shows at x0
    rep = compare_minimize("linearRegCostFunction", linear_reg_cost_function, theta0, args=(X, y, lam),
                           wrt=2, octave=octave, maxiter=200)
    assert rep.ok, str(rep)
    assert not [f for f in rep.findings if f.severity == "error"]

    def no_reg_gradient(X, y, theta, lamb):  # a mistake must still be found through the reordering
        J, grad = linear_reg_cost_function(X, y, theta, lamb)
        grad[1:] -= lamb / len(y) * theta[1:]
        return J, grad

    bad = compare_minimize("linearRegCostFunction", no_reg_gradient, theta0, args=(X, y, lam), wrt=2,
                           octave=octave, maxiter=200)
    assert "regularization" in {f.kind for f in bad.findings if f.severity == "error"}, str(bad)
    with pytest.raises(Exception, match="wrt must be the position"):
        compare_minimize("linearRegCostFunction", no_reg_gradient, theta0, args=(X, y, lam), wrt=7, octave=octave)


@pytest.mark.octave
def test_fixes_for_an_octave_function_are_written_in_matlab(tmp_path):
    from portcheck import Octave, check_gradient

    (tmp_path / "rowUnrolled.m").write_text(textwrap.dedent("""
        function [J, grad] = rowUnrolled(theta)
          Theta = reshape(theta, 2, 3);
          W = [1 2 3; 4 5 6];
          J = sum(sum(W .* Theta .^ 2));
          G = (2 * W .* Theta)';   % transposed before (:): unrolled row by row
          grad = G(:);
        end
    """))
    with Octave(paths=[tmp_path]) as oc:
        rep = check_gradient("rowUnrolled", np.sin(np.arange(1.0, 7.0)), octave=oc, layout=[("Theta", (2, 3))])
    (f,) = [f for f in rep.findings if f.kind == "unroll-order"]
    assert "order='F'" not in f.message and "ravel" not in f.message
    assert "`Theta(:)`" in f.message
