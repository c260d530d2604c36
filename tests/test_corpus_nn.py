"""The logistic-regression / neural-network corpus against real Octave.

Covers ``matlab_refs/{common,ex2,ex3,ex4,cs231n}``, their faithful ports in
``portcheck.examples`` and the broken gallery in
``portcheck.examples.broken.{logreg,nn}``. Every Octave number here comes from
running the reference; nothing is copied from an earlier run.
"""

from __future__ import annotations

import copy
import logging

import numpy as np
import pytest

from portcheck import debug_weights
from portcheck.examples import common, cs231n, ex2, ex3, ex4
from portcheck.examples.broken import logreg, nn
from portcheck.report import KINDS

CASES = [*common.CASES, *ex2.CASES, *ex3.CASES, *ex4.CASES, *cs231n.CASES]
BY_NAME = {c.name: c for c in CASES}
GALLERY = [*logreg.GALLERY, *nn.GALLERY]
GRADIENT_CASES = [c for c in CASES if c.gradient]
PREDICTIONS = {"ex2.predict", "ex3.predictOneVsAll", "ex4.predict"}

EPS = np.finfo(np.float64).eps
FD_STEP = 1e-4  # computeNumericalGradient's e


def _ids(items):
    return [i.name for i in items]


@pytest.fixture(scope="module")
def reference(octave):
    """Run a case's reference once per module; returns its outputs as a tuple."""
    cache: dict[str, tuple] = {}

    def run(case):
        if case.name not in cache:
            out = octave.call(case.octave, *case.make_args())
            cache[case.name] = out if isinstance(out, tuple) else (out,)
        return cache[case.name]

    return run


def _python_args(case, entry=None):
    for make in (
        entry and entry.make_python_args,
        entry and entry.make_args,
        case.make_python_args,
        case.make_args,
    ):
        if make:
            return make()
    raise AssertionError("unreachable")


def _as_tuple(out):
    return out if isinstance(out, tuple) else (out,)


def _aligned(py, oc):
    """The port's value in the reference's shape: a 1-D vector stands for Octave's column."""
    py, oc = np.asarray(py), np.asarray(oc)
    if oc.ndim == 2 and oc.shape[1] == 1 and py.shape == (oc.shape[0],):
        return py.reshape(oc.shape)
    return py


def _tolerance(case, index: int, oc_outputs: tuple) -> dict[str, float]:
    """(rtol, atol) for output ``index`` of ``case``, each with its reason.

    Default: 1e-12 relative, plus an absolute floor of 16 ulps of the output's
    largest entry so that entries which cancel to nearly 0 (a gradient
    component) are not held to a relative bound they cannot meet.
    """
    ref = np.asarray(oc_outputs[index], dtype=np.float64)
    scale = float(np.max(np.abs(ref))) if ref.size else 0.0
    tol = {"rtol": 1e-12, "atol": 16 * EPS * scale}
    if case.name in ("ex4.computeNumericalGradient", "ex4.checkNNGradients"):
        # Differencing turns the costs' rounding (a few ulps of J on each
        # side) into an absolute error of about ulps(J) / (2e): 2e = 2e-4 turns
        # 1e-16 into 1e-12. Relative error is meaningless for entries near 0.
        J = nn_cost_at_case()
        atol_num = 16 * EPS * abs(J) / (2 * FD_STEP)
        if index < 2:
            tol = {"rtol": 0.0, "atol": atol_num if index == 0 else tol["atol"]}
        else:
            # diff = norm(numgrad - grad) / norm(numgrad + grad) moves by at most
            # norm(d numgrad) / norm(numgrad + grad).
            numgrad, grad = (np.asarray(v).ravel() for v in oc_outputs[:2])
            bound = np.sqrt(numgrad.size) * atol_num / np.linalg.norm(numgrad + grad)
            tol = {"rtol": 0.0, "atol": 2 * bound}
    return tol


def nn_cost_at_case() -> float:
    return ex4.nn_cost_function(*BY_NAME["ex4.nnCostFunction"].make_args())[0]


def _hessian_min_eig(X: np.ndarray, theta: np.ndarray, lambda_: float) -> float:
    """Smallest eigenvalue of the regularized logistic cost's Hessian at theta."""
    m = X.shape[0]
    h = 1 / (1 + np.exp(-X @ theta))
    H = X.T @ (X * (h * (1 - h))[:, None]) / m
    H[1:, 1:] += lambda_ / m * np.eye(X.shape[1] - 1)
    return float(np.linalg.eigvalsh(H)[0])


# ----------------------------------------------------------------------------
# the catalogue itself


def test_catalogue_is_consistent():
    assert len(BY_NAME) == len(CASES), "duplicate case names"
    for case in CASES:
        assert case.outputs, case.name
        if case.layout is not None:
            # The layout describes the parameter vector: the first argument of a
            # cost function, the second (theta) of computeNumericalGradient.
            args = case.make_args()
            vector = args[1] if case.name == "ex4.computeNumericalGradient" else args[0]
            assert np.size(vector) == sum(int(np.prod(shape)) for _, shape in case.layout), case.name
    names = [g.name for g in GALLERY]
    assert len(set(names)) == len(names), "duplicate gallery names"
    for entry in GALLERY:
        assert entry.reference in BY_NAME, entry.name
        assert entry.expected and set(entry.expected) <= set(KINDS), entry.name
        assert entry.check in ("compare", "gradient", "minimize"), entry.name
        doc = entry.port.__doc__ or ""
        assert "Mistake:" in doc and "Fix:" in doc, f"{entry.name}: docstring must name the mistake and the fix"


# ----------------------------------------------------------------------------
# references and faithful ports


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_reference_runs(case, reference):
    out = reference(case)
    assert len(out) == len(case.outputs)
    for value in out:
        assert np.all(np.isfinite(np.asarray(value)))


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_faithful_port_equals_reference(case, reference):
    oc_out = reference(case)
    args = _python_args(case)
    kept = copy.deepcopy(args)
    py_out = _as_tuple(case.port(*args))
    assert len(py_out) == len(oc_out)
    for i, (name, py, oc) in enumerate(zip(case.outputs, py_out, oc_out)):
        if isinstance(oc, float):
            assert type(py) is float, f"{case.name}: {name} must be a Python float, got {type(py)}"
        py = _aligned(py, oc)
        assert py.shape == np.shape(oc), f"{case.name}: {name} shape {py.shape} vs Octave {np.shape(oc)}"
        if case.name in PREDICTIONS:
            assert py.dtype == np.float64
            np.testing.assert_array_equal(py, oc, err_msg=f"{case.name}: {name}")
        elif case.name == "ex3.oneVsAll":
            _assert_one_vs_all_agrees(case, py, np.asarray(oc))
        else:
            np.testing.assert_allclose(py, oc, **_tolerance(case, i, oc_out), err_msg=f"{case.name}: {name}")
    # The port leaves its arguments alone (arrays and callables compared by value).
    for before, after in zip(kept, args):
        if isinstance(before, np.ndarray):
            np.testing.assert_array_equal(after, before)


def _assert_one_vs_all_agrees(case, py: np.ndarray, oc: np.ndarray) -> None:
    """Two optimizers on a strictly convex problem: agree to their own stopping point.

    For a function whose Hessian is at least mu*I, |x - x*| <= |grad f(x)| / mu,
    so two approximate minimizers differ by at most (|g_py| + |g_oc|) / mu.
    mu is the Hessian's smallest eigenvalue at the solution (>= lambda/m on the
    penalized coordinates); a factor 2 covers its variation between the points.
    """
    X, y, k, lambda_ = case.make_args()
    Xb = np.column_stack([np.ones(X.shape[0]), X])
    for c in range(1, k + 1):
        yc = (y == c).astype(np.float64)
        g_py = ex3.lr_cost_function(py[c - 1], Xb, yc, lambda_)[1]
        g_oc = ex3.lr_cost_function(oc[c - 1], Xb, yc, lambda_)[1]
        # Both really converged (50 iterations are plenty for 4 unknowns).
        assert np.linalg.norm(g_py) < 1e-7 and np.linalg.norm(g_oc) < 1e-7, c
        mu = _hessian_min_eig(Xb, oc[c - 1], lambda_)
        bound = 2 * (np.linalg.norm(g_py) + np.linalg.norm(g_oc)) / mu
        assert np.linalg.norm(py[c - 1] - oc[c - 1]) <= bound, (c, bound)


@pytest.mark.parametrize("case", GRADIENT_CASES, ids=_ids(GRADIENT_CASES))
def test_gradient_port_passes_central_difference_check(case):
    x, *rest = _python_args(case)
    _, grad = case.port(x, *rest)
    assert grad.shape == np.shape(x) == (np.size(x),), "grad is 1-D like the parameter vector"
    numgrad = ex4.compute_numerical_gradient(case.port, x, *rest)
    diff = np.linalg.norm(numgrad - grad) / np.linalg.norm(numgrad + grad)
    assert diff < 1e-9, f"{case.name}: relative difference {diff:.3e}"


def test_check_nn_gradients_figure_below_course_threshold(reference):
    # Octave's own check and the port's, on the 3-5-3 network, lambda 3 and 0.
    assert reference(BY_NAME["ex4.checkNNGradients"])[2] < 1e-9
    assert ex4.check_nn_gradients()[2] < 1e-9


def test_rand_initialize_weights_range_and_shape():
    eps_init = np.sqrt(6) / np.sqrt(400 + 25)
    W = ex4.rand_initialize_weights(400, 25, rng=0)
    assert W.shape == (25, 401)
    assert np.all(np.abs(W) <= eps_init) and W.std() > eps_init / 3


# ----------------------------------------------------------------------------
# fmincg


def _octave_fminunc(octave, expr: str, x0: np.ndarray, **data: np.ndarray):
    """fminunc (GradObj on, tight tolerances) on an objective written in Octave over ``data``."""
    names = []
    try:
        for name, value in data.items():
            octave.call("assignin", "base", f"portcheck_{name}", value, nout=0)
            names.append(f"portcheck_{name}")
        octave.call("assignin", "base", "portcheck_x0", x0, nout=0)
        names.append("portcheck_x0")
        options = "optimset('GradObj', 'on', 'MaxIter', 5000, 'TolFun', 1e-14, 'TolX', 1e-14)"
        x, fval = octave.call(
            "evalin", "base", f"fminunc(@(t) {expr}, portcheck_x0, {options})", nout=2
        )
    finally:
        if names:
            octave.call("evalin", "base", "clear " + " ".join(names), nout=0)
    return x.ravel(), fval


def test_fmincg_reaches_fminunc_minimum_on_regularized_logistic_regression(octave):
    _, X, y, lambda_ = BY_NAME["ex2.costFunctionReg"].make_args()
    x0 = np.zeros(X.shape[1])
    theta_cg, fX, iters = octave.call("fmincg", "costFunctionReg", x0, {"MaxIter": 1000}, X, y, lambda_)
    theta_cg = theta_cg.ravel()
    theta_unc, f_unc = _octave_fminunc(octave, "costFunctionReg(t, portcheck_X, portcheck_y, portcheck_l)",
                                       x0, X=X, y=y, l=np.float64(lambda_))
    J_cg, g_cg = ex2.cost_function_reg(theta_cg, X, y, lambda_)
    _, g_unc = ex2.cost_function_reg(theta_unc, X, y, lambda_)
    assert fX.shape == (int(iters), 1) and fX[-1, 0] == pytest.approx(J_cg, rel=1e-14)
    # Convex with lambda > 0: one minimum. |x - x*| <= |grad| / mu bounds the
    # distance of each optimizer's answer from it (see _assert_one_vs_all_agrees).
    mu = _hessian_min_eig(X, theta_cg, lambda_)
    assert np.linalg.norm(g_cg) < 1e-7 and np.linalg.norm(g_unc) < 1e-6
    assert np.linalg.norm(theta_cg - theta_unc) <= 2 * (np.linalg.norm(g_cg) + np.linalg.norm(g_unc)) / mu
    # Near a minimum the cost error is second order: |J - J*| <= |grad|**2 / (2 mu).
    assert abs(J_cg - f_unc) <= (np.linalg.norm(g_cg) ** 2 + np.linalg.norm(g_unc) ** 2) / mu + 1e-15


def test_fmincg_reaches_fminunc_cost_on_the_debug_network(octave):
    # Non-convex: minima need not be unique (hidden units can be permuted), so
    # compare the final costs reached from the same start. lambda = 0.01 keeps
    # the minimum away from the all-zero-weights plateau that a large lambda
    # collapses the 5-example network onto. Both stop with |grad| < 1e-6, so
    # their costs differ by O(|grad|**2) at a shared minimum: rtol 1e-9 is loose.
    nn_params, n, h, k, X, y = ex4.debug_network()
    lambda_ = 0.01
    p_cg, fX, iters = octave.call("fmincg", "nnCostFunction", nn_params, {"MaxIter": 2000},
                                  n, h, k, X, y, lambda_)
    p_unc, f_unc = _octave_fminunc(
        octave,
        "nnCostFunction(t, 3, 5, 3, portcheck_X, portcheck_y, portcheck_l)",
        nn_params, X=X, y=y, l=np.float64(lambda_),
    )
    J_cg, g_cg = ex4.nn_cost_function(p_cg, n, h, k, X, y, lambda_)
    J_unc, g_unc = ex4.nn_cost_function(p_unc, n, h, k, X, y, lambda_)
    assert np.linalg.norm(g_cg) < 1e-6 and np.linalg.norm(g_unc) < 1e-6
    assert J_cg < ex4.nn_cost_function(nn_params, n, h, k, X, y, lambda_)[0]
    np.testing.assert_allclose(J_cg, f_unc, rtol=1e-9)
    np.testing.assert_allclose(fX[-1, 0], J_cg, rtol=1e-14)


def test_fmincg_conventions(octave, caplog):
    theta0, X, y, lambda_ = BY_NAME["ex2.costFunctionReg"].make_args()
    # MaxIter counts iterations; fX is the column of costs after each one, decreasing.
    _, fX, iters = octave.call("fmincg", "costFunctionReg", theta0, {"MaxIter": 7}, X, y, lambda_)
    assert iters == 7 and fX.shape == (7, 1)
    assert np.all(np.diff(fX[:, 0]) < 0)
    assert fX[0, 0] < ex2.cost_function_reg(theta0, X, y, lambda_)[0]
    # A negative MaxIter bounds function evaluations instead: with 8 evaluations
    # (one is the start) there cannot be 8 iterations.
    _, fX8, iters8 = octave.call("fmincg", "costFunctionReg", theta0, {"MaxIter": -8}, X, y, lambda_)
    assert 1 <= iters8 < 8 and fX8.shape == (int(iters8), 1)
    # Default options (MaxIter 100) and silence unless Display is 'iter'.
    with caplog.at_level(logging.DEBUG, logger="portcheck.octave"):
        caplog.clear()
        _, fX_default, _ = octave.call("fmincg", "costFunctionReg", theta0, {}, X, y, lambda_)
        assert not [r for r in caplog.records if "Iteration" in r.getMessage()]
        octave.call("fmincg", "costFunctionReg", theta0, {"MaxIter": 3, "Display": "iter"}, X, y, lambda_)
        assert len([r for r in caplog.records if "Iteration" in r.getMessage()]) == 3
    assert 0 < fX_default.shape[0] <= 100


# ----------------------------------------------------------------------------
# the broken gallery


def _differs(case, py_out, oc_out) -> bool:
    py_out = _as_tuple(py_out)
    for i, (py, oc) in enumerate(zip(py_out, oc_out)):
        py = _aligned(py, oc)
        if py.shape != np.shape(oc):
            return True
        if case.name in PREDICTIONS:
            if not np.array_equal(py, oc):
                return True
            continue
        tol = {"rtol": 1e-6, "atol": 1e-9} if case.name == "ex3.oneVsAll" else _tolerance(case, i, oc_out)
        if not np.allclose(py, oc, **tol):
            return True
    return False


@pytest.mark.parametrize("entry", GALLERY, ids=_ids(GALLERY))
def test_broken_port_differs_from_reference(entry, reference, octave):
    case = BY_NAME[entry.reference]
    if entry.make_args is not None:
        out = octave.call(case.octave, *entry.make_args())
        oc_out = out if isinstance(out, tuple) else (out,)
    else:
        oc_out = reference(case)
    args = _python_args(case, entry)
    kept = copy.deepcopy(args)

    if "python-error" in entry.expected:
        with pytest.raises(IndexError):
            entry.port(*args)
        return
    py_out = entry.port(*args)
    if "mutates-input" in entry.expected:
        changed = [
            i for i, (a, b) in enumerate(zip(args, kept))
            if isinstance(a, np.ndarray) and not np.array_equal(a, b)
        ]
        assert changed, f"{entry.name}: expected the port to change an input in place"
        # The first call's values were right; the damage is the changed input,
        # which a second identical-looking call then sees.
        assert not _differs(case, py_out, oc_out)
        assert _differs(case, entry.port(*args), oc_out)
        return
    assert _differs(case, py_out, oc_out), f"{entry.name}: port matches the reference on the case inputs"
    if entry.check == "gradient":
        x, *rest = args
        _, grad = entry.port(x, *rest)
        numgrad = ex4.compute_numerical_gradient(entry.port, x, *rest)
        diff = np.linalg.norm(numgrad - grad) / np.linalg.norm(numgrad + grad)
        assert diff > 1e-3, f"{entry.name}: gradient check should fail, got {diff:.2e}"


def test_captured_objective_ignores_its_argument():
    entry = next(g for g in GALLERY if g.name == "broken.cost_function_reg_captured")
    objective, x0 = entry.extra["objective"], entry.extra["x0"]
    moved = x0 + debug_weights(x0.size, 0).ravel()
    assert objective(moved)[0] == objective(x0)[0]
    theta, X, y, lambda_ = BY_NAME["ex2.costFunctionReg"].make_args()
    assert ex2.cost_function_reg(moved, X, y, lambda_)[0] != ex2.cost_function_reg(x0, X, y, lambda_)[0]


def test_late_binding_rows_are_all_the_last_class():
    X, y, k, lambda_ = BY_NAME["ex3.oneVsAll"].make_args()
    late = logreg.one_vs_all_late_binding(X, y, k, lambda_)
    right = ex3.one_vs_all(X, y, k, lambda_)
    np.testing.assert_allclose(late, np.tile(right[-1], (k, 1)), rtol=1e-9, atol=1e-12)
