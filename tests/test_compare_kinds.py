"""Every finding kind compare emits, each from a real Octave reference and a real broken port.

The broken ports here are small and written for the test; the gallery
(:mod:`portcheck.examples.broken`) is exercised in ``test_compare.py``. Where a
message carries the fix a student needs, the test pins its wording.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from portcheck.compare import compare
from portcheck.errors import InputError, OctaveFunctionNotFoundError, PortError
from portcheck.examples.common import sigmoid
from portcheck.examples.ex4 import nn_cost_function, sigmoid_gradient
from portcheck.inputs import debug_dataset, debug_weights

FIXTURES = Path(__file__).parent / "octave_fixtures" / "compare"
NN_LAYOUT = [("Theta1", (5, 4)), ("Theta2", (3, 6))]


def nn_inputs(lam: float = 1.0):
    T1, T2 = debug_weights(5, 3), debug_weights(3, 5)
    X, y = debug_dataset(5, 3, 3)
    params = np.concatenate([T1.ravel(order="F"), T2.ravel(order="F")])
    return (params, 3, 5, 3, X, y, lam)


def nn_compare(octave, port, args=None, **kw):
    return compare("nnCostFunction", port, nn_inputs() if args is None else args, octave=octave,
                   layout=NN_LAYOUT, outputs=("J", "grad"), **kw)


def errors_of(report, kind):
    return [f for f in report.findings if f.kind == kind and f.severity == "error"]


# -- value families --------------------------------------------------------------


def test_sign(octave):
    def port(*a):
        J, grad = nn_cost_function(*a)
        return J, -grad

    found = errors_of(nn_compare(octave, port), "sign")
    assert found and found[0].output == "grad"


def test_scale_names_m_and_the_fix(octave):
    def grad_without_1_over_m(*a):
        J, grad = nn_cost_function(*a)
        return J, grad * a[4].shape[0]

    report = nn_compare(octave, grad_without_1_over_m)
    (f,) = errors_of(report, "scale")
    assert "the port's grad is 5× the reference (= m): a missing `1/m`" in f.message
    assert f.evidence["named"] == "m"


def test_ddof(octave):
    X = 3 * debug_weights(8, 2) + 1

    def normalize_ddof0(X):
        mu = X.mean(axis=0)
        sigma = X.std(axis=0)  # MATLAB's std divides by N-1
        return (X - mu) / sigma, mu, sigma

    report = compare("featureNormalize", normalize_ddof0, (X,), octave=octave,
                     outputs=("X_norm", "mu", "sigma"))
    found = errors_of(report, "ddof")
    assert {f.output for f in found} == {"X_norm", "sigma"}
    assert all(f.evidence["N"] == 8 for f in found)


def test_unroll_order_of_one_block_wording(octave):
    def theta2_grad_in_c_order(*a):
        J, grad = nn_cost_function(*a)
        T2 = grad[20:].reshape((3, 6), order="F")
        return J, np.concatenate([grad[:20], T2.ravel()])  # NumPy's default: C order

    report = nn_compare(octave, theta2_grad_in_c_order)
    (f,) = errors_of(report, "unroll-order")
    assert f.block == "Theta2"
    assert "block Theta2 is unrolled in C order: use `ravel(order='F')` / `reshape(..., order='F')`" in f.message


def test_unroll_order_by_counterfactual_input(octave):
    def rolls_in_c_order(nn_params, n, h, k, X, y, lambda_):
        T1 = nn_params[: h * (n + 1)].reshape(h, n + 1)
        T2 = nn_params[h * (n + 1):].reshape(k, h + 1)
        p = np.concatenate([T1.ravel(order="F"), T2.ravel(order="F")])
        J, grad = nn_cost_function(p, n, h, k, X, y, lambda_)
        G1 = grad[: h * (n + 1)].reshape((h, n + 1), order="F")
        G2 = grad[h * (n + 1):].reshape((k, h + 1), order="F")
        return J, np.concatenate([G1.ravel(), G2.ravel()])

    report = nn_compare(octave, rolls_in_c_order)
    (f,) = errors_of(report, "unroll-order")
    assert "order='F'" in f.message and "nn_params" in f.message
    assert "counterfactual" in f.evidence
    assert "mismatch" not in report.kinds  # proven, so the bare mismatch is dropped


def test_transposed(octave):
    X = debug_weights(6, 3)
    U, _ = octave.call("pca", X)

    def project_transposed(X, U, K):
        return (X @ U[:, : int(K)]).T

    report = compare("projectData", project_transposed, (X, U, 2), octave=octave, outputs=("Z",))
    (f,) = errors_of(report, "transposed")
    assert "`.T`" in f.message


def test_swapped_blocks(octave):
    def grad_blocks_swapped(*a):
        J, grad = nn_cost_function(*a)
        return J, np.concatenate([grad[20:], grad[:20]])

    (f,) = errors_of(nn_compare(octave, grad_blocks_swapped), "swapped-blocks")
    assert "Theta2, Theta1" in f.message


def test_regularization_of_the_bias(octave):
    def regularizes_bias(nn_params, n, h, k, X, y, lambda_):
        J, grad = nn_cost_function(nn_params, n, h, k, X, y, lambda_)
        m = X.shape[0]
        T1 = nn_params[:20].reshape((5, 4), order="F")
        T2 = nn_params[20:].reshape((3, 6), order="F")
        J += lambda_ / (2 * m) * (np.sum(T1[:, 0] ** 2) + np.sum(T2[:, 0] ** 2))
        G1 = grad[:20].reshape((5, 4), order="F")
        G2 = grad[20:].reshape((3, 6), order="F")
        G1[:, 0] += lambda_ / m * T1[:, 0]
        G2[:, 0] += lambda_ / m * T2[:, 0]
        return J, np.concatenate([G1.ravel(order="F"), G2.ravel(order="F")])

    report = nn_compare(octave, regularizes_bias, nn_inputs(lam=3.0))
    found = errors_of(report, "regularization")
    assert {f.output for f in found} == {"J", "grad"}
    assert {f.block for f in found if f.output == "grad"} == {"Theta1", "Theta2"}
    assert all("(= λ/m)" in f.message for f in found if f.output == "grad")
    assert "mismatch" not in report.kinds


def test_regularization_by_lambda_zero_counterfactual(octave):
    def wrong_penalty(nn_params, n, h, k, X, y, lambda_):
        J, grad = nn_cost_function(nn_params, n, h, k, X, y, lambda_)
        return J + lambda_ * 0.01 * np.sum(nn_params**3), grad

    report = nn_compare(octave, wrong_penalty, nn_inputs(lam=2.0))
    (f,) = errors_of(report, "regularization")
    assert f.evidence["counterfactual"] == "lambda_ = 0 on both sides"
    assert "lambda_ = 0" in f.message


def test_mismatch_fallback_says_where(octave):
    def double_sigmoid(nn_params, n, h, k, X, y, lambda_):
        J, grad = nn_cost_function(nn_params, n, h, k, sigmoid(X), y, lambda_)
        return J, grad

    report = nn_compare(octave, double_sigmoid)
    found = errors_of(report, "mismatch")
    assert {f.output for f in found} >= {"J"}
    grad_f = [f for f in found if f.output == "grad"]
    assert all(f.block in {"Theta1", "Theta2"} and "worst at (" in f.message for f in grad_f)


# -- shapes ----------------------------------------------------------------------


def test_shape_row_where_column(octave):
    def grad_as_row(*a):
        J, grad = nn_cost_function(*a)
        return J, grad.reshape(1, -1)

    report = nn_compare(octave, grad_as_row)
    (f,) = errors_of(report, "shape")
    assert "1×38 row" in f.message and "38×1 column" in f.message


def test_shape_of_a_cost_without_its_sum(octave):
    z = np.linspace(-2, 2, 6)

    def no_sum(z):
        return sigmoid(z)  # the reference returns sum(sigmoid(z)); hypothetical port forgot the sum

    report = compare("sum", no_sum, (z,), octave=octave)
    (f,) = errors_of(report, "shape")
    assert "np.sum" in f.message


def test_broadcast_output_m_by_m_wording(octave):
    z = np.linspace(-1.5, 1.5, 6).reshape(-1, 1)

    def sigmoid_gradient_mixed(z):
        g = sigmoid(z)
        return g * (1 - sigmoid(z.ravel()))  # (m,1) * (m,) -> (m,m)

    report = compare("sigmoidGradient", sigmoid_gradient_mixed, (z,), octave=octave, outputs=("g",))
    (f,) = errors_of(report, "broadcast")
    assert f.output == "g" and "6×6" in f.message
    assert "a (m,1) column minus a (m,) vector broadcasts to (m,m)" in f.message
    assert "flatten z with `z.ravel()` / `z.reshape(-1)`" in f.message  # names the argument to fix


def test_broadcast_by_counterfactual_wording(octave):
    from portcheck.examples.broken.logreg import cost_function_broadcast

    X0 = 10 * debug_weights(12, 1)
    X = np.column_stack([np.ones(12), X0])
    y = (X0[:, 0] + X0[:, 1] > 0).astype(np.float64).reshape(-1, 1)
    report = compare("costFunction", cost_function_broadcast, (np.array([0.1, -0.2, 0.3]), X, y), octave=octave)
    (f,) = errors_of(report, "broadcast")
    assert "(m,1) column minus a (m,) vector broadcasts to (m,m)" in f.message
    assert "flatten y with `y.ravel()` / `y.reshape(-1)`" in f.message
    assert f.evidence["counterfactual"] == "y passed as (m,)"


# -- indexing --------------------------------------------------------------------


def test_index_base_wording_from_shifted_labels(octave):
    def labels_as_0_based(nn_params, n, h, k, X, y, lambda_):
        Y = np.eye(int(k))[np.mod(np.asarray(y, dtype=int), int(k))]  # label k wraps to row 0
        y0 = np.argmax(Y, axis=1) + 1
        return nn_cost_function(nn_params, n, h, k, X, y0.astype(float), lambda_)

    report = nn_compare(octave, labels_as_0_based)
    (f,) = errors_of(report, "index-base")
    assert "labels are 1-based in MATLAB; index with `y - 1`" in f.message
    assert f.evidence["counterfactual"] == "y - 1"


def test_index_base_from_an_index_error(octave):
    def one_hot_0_based(nn_params, n, h, k, X, y, lambda_):
        Y = np.eye(int(k))[np.asarray(y, dtype=int)]  # IndexError for label k
        assert Y.shape[0] == X.shape[0]
        return nn_cost_function(nn_params, n, h, k, X, y, lambda_)

    report = nn_compare(octave, one_hot_0_based)
    assert errors_of(report, "python-error")
    (f,) = errors_of(report, "index-base")
    assert "1-based" in f.message


def test_index_base_of_returned_labels(octave):
    T1, T2 = debug_weights(5, 3), debug_weights(3, 5)
    X, _ = debug_dataset(8, 3, 3)

    def predict_0_based(Theta1, Theta2, X):
        a2 = sigmoid(np.column_stack([np.ones(len(X)), X]) @ Theta1.T)
        h = sigmoid(np.column_stack([np.ones(len(X)), a2]) @ Theta2.T)
        return np.argmax(h, axis=1)

    args = (30 * T1, 30 * T2, 10 * X)
    assert len(np.unique(octave.call("ex4/predict", *args))) > 1  # labels, not a constant
    report = compare("ex4/predict", predict_0_based, args, octave=octave, outputs=("p",))
    (f,) = errors_of(report, "index-base")
    assert "`np.argmax(h, axis=1) + 1`" in f.message


# -- behaviour of the port ---------------------------------------------------------


def test_mutates_input(octave):
    def zeroes_bias_in_place(nn_params, *rest):
        out = nn_cost_function(nn_params, *rest)
        nn_params[0] = 0.0
        return out

    report = nn_compare(octave, zeroes_bias_in_place)
    (f,) = errors_of(report, "mutates-input")
    assert "nn_params" in f.message and "copy" in f.message


def test_nondeterministic(octave):
    rng = np.random.default_rng()

    def noisy(*a):
        J, grad = nn_cost_function(*a)
        return J + rng.normal() * 1e-3, grad

    report = nn_compare(octave, noisy)
    assert errors_of(report, "nondeterministic")


def test_lambda_capture_of_a_fixed_theta(octave):
    fixed = nn_inputs()[0]

    def ignores_its_argument(nn_params, *rest):
        return nn_cost_function(fixed, *rest)

    report = nn_compare(octave, ignores_its_argument)
    (f,) = errors_of(report, "lambda-capture")
    assert "ignores its argument" in f.message
    # At the point where it was built the values agree: only the perturbation shows it.
    assert all(r[5].startswith("0 /") for r in report.tables[0].rows)


def test_lambda_capture_of_a_late_bound_loop_variable(octave):
    from portcheck.examples.broken.logreg import one_vs_all_late_binding

    X, y = debug_dataset(20, 3, 4)
    report = compare("oneVsAll", one_vs_all_late_binding, (X, y, 4, 1.0), octave=octave)
    (f,) = errors_of(report, "lambda-capture")
    assert "c=c" in f.message


# -- failures ------------------------------------------------------------------------


def test_python_error_summary(octave):
    def shape_bug(nn_params, n, h, k, X, y, lambda_):
        # Raises however it is called (a port that merely wants X transposed is a calling convention).
        return nn_cost_function(nn_params, n, h, k, np.reshape(X, (X.size + 1,)), y, lambda_)

    report = nn_compare(octave, shape_bug)
    (f,) = errors_of(report, "python-error")
    assert f.evidence["type"] == "ValueError"
    assert f.evidence["file"].endswith(".py") and isinstance(f.evidence["line"], int)
    assert "raised ValueError" in f.message


def test_octave_error_has_function_file_and_line(octave):
    x = np.array([4.0, -1.0, 9.0])
    with np.errstate(invalid="ignore"):
        report = compare(str(FIXTURES / "pcRequirePositive"), np.sqrt, (x,), octave=octave)
    (f,) = errors_of(report, "octave-error")
    assert f.evidence["function"] == "pcRequirePositive"
    assert f.evidence["file"].endswith("pcRequirePositive.m") and f.evidence["line"] > 0
    assert "x must be positive" in f.message


def test_non_finite_on_the_python_side(octave):
    z = np.array([-800.0, -1.0, 0.0, 2.0, 800.0])

    def sigmoid_exp_ratio(z):
        e = np.exp(z)
        return e / (1 + e)  # inf / inf at z = 800

    with np.errstate(over="ignore", invalid="ignore"):
        report = compare("sigmoid", sigmoid_exp_ratio, (z,), octave=octave)
    (f,) = errors_of(report, "non-finite")
    assert "PYTHON" in f.message and "NaN" in f.message


def test_first_divergence_names_the_intermediate(octave):
    T1, T2 = debug_weights(4, 3), debug_weights(2, 4)
    X, _ = debug_dataset(6, 3, 2)
    params = np.concatenate([T1.ravel(order="F"), T2.ravel(order="F")])

    def forward(nn_params, n, h, k, X, *, twice=False):
        Theta1 = nn_params[: h * (n + 1)].reshape((h, n + 1), order="F")
        Theta2 = nn_params[h * (n + 1):].reshape((k, h + 1), order="F")
        m = X.shape[0]
        cache = {"a1": np.column_stack([np.ones(m), X])}
        cache["z2"] = cache["a1"] @ Theta1.T
        act = sigmoid(sigmoid(cache["z2"])) if twice else sigmoid(cache["z2"])
        cache["a2"] = np.column_stack([np.ones(m), act])
        cache["z3"] = cache["a2"] @ Theta2.T
        return sigmoid(cache["z3"]), cache

    fn = str(FIXTURES / "pcTwoLayerForward")
    args = (params, 3, 4, 2, X)
    ok = compare(fn, forward, args, octave=octave, intermediates=True, outputs=("h", "cache"))
    assert ok.ok and not ok.findings, str(ok)

    def broken(*a):
        return forward(*a, twice=True)

    report = compare(fn, broken, args, octave=octave, intermediates=True, outputs=("h", "cache"))
    (f,) = errors_of(report, "first-divergence")
    assert f.evidence["intermediate"] == "a2"
    assert f.evidence["agreeing_before"] == ["a1", "z2"]
    assert "'a2'" in f.message
    assert any(t.title == "cache: first to last" for t in report.tables)


# -- bad input ------------------------------------------------------------------------


def test_bad_input_gives_clear_errors(octave):
    args = nn_inputs()
    with pytest.raises(OctaveFunctionNotFoundError, match="noSuchReference"):
        compare("noSuchReference", nn_cost_function, args, octave=octave)
    with pytest.raises(PortError, match="not a function|callable"):
        compare("nnCostFunction", 42, args, octave=octave)
    with pytest.raises(PortError, match="Cannot import module"):
        compare("nnCostFunction", "no_such_pkg.mod:f", args, octave=octave)
    with pytest.raises(PortError, match="has no attribute"):
        compare("nnCostFunction", "portcheck.examples.ex4:no_such_function", args, octave=octave)
    with pytest.raises(PortError, match="module:function"):
        compare("nnCostFunction", "portcheck.examples.ex4", args, octave=octave)
    with pytest.raises(InputError, match="args must be a tuple"):
        compare("nnCostFunction", nn_cost_function, args[0], octave=octave)


def test_outputs_that_cannot_be_compared_are_findings(octave):
    def returns_text(*a):
        return "J", nn_cost_function(*a)[1]

    report = nn_compare(octave, returns_text)
    (f,) = errors_of(report, "shape")
    assert f.output == "J" and "str" in f.message

    def returns_one_output(*a):
        return nn_cost_function(*a)[0]

    report = nn_compare(octave, returns_one_output)
    assert any("returned 1 value" in f.message for f in errors_of(report, "shape"))

    def forgets_to_return(*a):
        nn_cost_function(*a)

    report = nn_compare(octave, forgets_to_return, nout=1)
    (f,) = errors_of(report, "shape")
    assert "is None" in f.message and "`return`" in f.message


def test_sigmoid_gradient_faithful_with_column_and_1d(octave):
    z = np.linspace(-1.5, 1.5, 6)
    assert compare("sigmoidGradient", sigmoid_gradient, (z,), octave=octave).ok
    assert compare("sigmoidGradient", sigmoid_gradient, (z.reshape(-1, 1),), octave=octave).ok


# -- single precision, odd ports, unused layouts ------------------------------------


def float32_nn_inputs():
    params, n, h, k, X, y, lam = nn_inputs()
    return (params.astype(np.float32), n, h, k, X.astype(np.float32), y, lam)


def test_float32_faithful_port_gets_a_precision_warning_not_an_error(octave):
    with pytest.warns(UserWarning):  # the bridge's PrecisionWarning as the arrays go to Octave
        report = nn_compare(octave, nn_cost_function, float32_nn_inputs())
    assert report.ok, str(report)
    (f,) = report.by_kind("precision")
    assert f.severity == "warning" and "float64" in f.message
    assert f.evidence["rtol"] > f.evidence["requested_rtol"]


def test_float32_inputs_still_name_a_real_mistake(octave):
    def grad_without_1_over_m(*a):
        J, grad = nn_cost_function(*a)
        return J, grad * a[4].shape[0]

    with pytest.warns(UserWarning):
        report = nn_compare(octave, grad_without_1_over_m, float32_nn_inputs())
    (f,) = errors_of(report, "scale")
    assert f.evidence["named"] == "m"


def test_port_that_calls_exit_is_a_python_error(octave):
    import sys

    def exits(*a):
        sys.exit(1)  # a ported script's exit() must not end the caller's process

    (f,) = errors_of(nn_compare(octave, exits), "python-error")
    assert "SystemExit" in f.message


def test_port_with_another_signature_is_told_about_python_args(octave):
    def takes_fewer(nn_params, X, y):
        return nn_cost_function(nn_params, 3, 5, 3, X, y, 1.0)

    (f,) = errors_of(nn_compare(octave, takes_fewer), "python-error")
    assert "TypeError" in f.message and "python_args=" in f.message
    assert "compare.py" not in f.message  # portcheck's own frame is not the place to look


def test_a_layout_that_fits_nothing_is_reported(octave):
    report = compare("nnCostFunction", nn_cost_function, nn_inputs(), octave=octave,
                     layout=[("Theta1", (5, 4))], outputs=("J", "grad"))
    assert report.ok
    assert any("fits no input or output" in n for n in report.notes)
