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
