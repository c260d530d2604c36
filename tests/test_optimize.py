"""portcheck.compare_minimize / check_minimize_result: optimizer outcomes side by side, with real Octave.

Every test that takes the ``octave`` fixture runs GNU Octave's fmincg or
fminunc on the bundled reference and SciPy on the port.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import minimize

from portcheck.errors import InputError
from portcheck.examples.broken.logreg import cost_function_broadcast
from portcheck.examples.broken.nn import nn_cost_grad_missing_m
from portcheck.examples.catalog import all_gallery, get_case
from portcheck.examples.ex2 import cost_function
from portcheck.optimize import COST_RTOL, check_minimize_result, compare_minimize, train_digits

FIXTURES = Path(__file__).parent / "octave_fixtures" / "optimize"

#: Faithful ports reach the reference's minimum when the final costs agree to
#: this relative tolerance. Both runs stop once max|grad| <= gtol = 1e-5 (or,
#: for L-BFGS-B, once the relative decrease falls below ftol = 2.2e-9); near a
#: minimum the cost excess is about |grad|**2 / (2 * curvature), which is far
#: below 1e-8 relative for these well-conditioned, regularized problems. The
#: library's own COST_RTOL (1e-6) adds margin; a port mistake or another minimum
#: moves the cost at the 1e-2 level.
SAME_MINIMUM_RTOL = COST_RTOL


def case_inputs(name):
    case = get_case(name)
    args = case.make_args()
    return case, args[0], tuple(args[1:])


def gallery(name):
    return next(g for g in all_gallery() if g.name == name)


def error_kinds(report):
    return {f.kind for f in report.errors}


def runs(report):
    return report.details["octave"], report.details["python"]


# ----------------------------------------------------------------------------
# faithful ports reach the reference's minimum


@pytest.mark.parametrize("optimizer", ["fmincg", "fminunc"])
def test_faithful_logistic_regression_reaches_the_reference_minimum(octave, optimizer):
    case, theta, rest = case_inputs("ex2.costFunctionReg")
    x0 = np.zeros_like(theta)
    rep = compare_minimize(case.octave, case.port, x0, args=rest, octave=octave, octave_optimizer=optimizer,
                           maxiter=100)
    assert rep.ok, str(rep)
    assert not rep.findings, str(rep)
    oc, py = runs(rep)
    assert oc["converged"] and py["converged"]
    assert abs(py["cost"] - oc["cost"]) <= SAME_MINIMUM_RTOL * abs(oc["cost"])
    # Both actually optimized: the cost fell from x0 on both sides.
    assert oc["cost"] < oc["trajectory"][0] and py["cost"] < py["trajectory"][0]
    assert oc["trajectory"][0] == pytest.approx(py["trajectory"][0], rel=1e-12)


def test_faithful_debug_network_reaches_the_reference_minimum(octave):
    case, params, rest = case_inputs("ex4.nnCostFunction")
    rep = compare_minimize(case.octave, case.port, params, args=rest, octave=octave, layout=case.layout,
                           maxiter=200)
    assert rep.ok, str(rep)
    assert not rep.errors and not rep.warnings, str(rep)
    oc, py = runs(rep)
    assert oc["converged"] and py["converged"]
    assert abs(py["cost"] - oc["cost"]) <= SAME_MINIMUM_RTOL * abs(oc["cost"])
    block_table = next(t for t in rep.tables if t.title.startswith("Final parameters by block"))
    assert [r[0] for r in block_table.rows] == ["Theta1", "Theta2"]
    sampled = next(t for t in rep.tables if t.title.startswith("Cost after each iteration"))
    assert sampled.rows[0][0] == 0 and sampled.rows[0][1] == pytest.approx(sampled.rows[0][2], rel=1e-12)


def test_report_is_json_ready_and_holds_the_full_trajectories(octave):
    case, theta, rest = case_inputs("ex2.costFunction")
    rep = compare_minimize(case.octave, case.port, theta, args=rest, octave=octave)
    data = json.loads(rep.to_json())
    assert data["check"] == "minimize"
    for side in ("octave", "python"):
        run = data["details"][side]
        assert len(run["trajectory"]) == run["iterations"] + 1
        assert len(run["x"]) == theta.size
    outcome = next(t for t in rep.tables if t.title == "Optimizer outcome")
    assert [r[0] for r in outcome.rows] == ["OCTAVE", "PYTHON"]


def test_caller_arrays_are_not_modified(octave):
    case, theta, rest = case_inputs("ex2.costFunctionReg")
    x0 = theta.copy()
    X, y = rest[0], rest[1]
    before = (x0.copy(), X.copy(), y.copy())
    compare_minimize(case.octave, case.port, x0, args=rest, octave=octave)
    assert np.array_equal(x0, before[0]) and np.array_equal(X, before[1]) and np.array_equal(y, before[2])


def test_plot_attaches_a_png_of_both_cost_curves(octave):
    pytest.importorskip("matplotlib")
    case, theta, rest = case_inputs("ex2.costFunction")
    rep = compare_minimize(case.octave, case.port, theta, args=rest, octave=octave, plot=True)
    png = rep.figures["cost curves"]
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 1000
    assert "data:image/png;base64," in rep._repr_html_()


# ----------------------------------------------------------------------------
# port mistakes are named as such, not as optimizer differences


def test_gallery_lambda_capture_objective_is_reported(octave):
    broken = next(g for g in all_gallery() if "objective" in g.extra)
    case, _, rest = case_inputs(broken.reference)
    x0 = broken.extra.get("x0")
    rep = compare_minimize(case.octave, case.port, x0, args=rest, octave=octave,
                           objective=broken.extra["objective"])
    assert "lambda-capture" in error_kinds(rep), str(rep)
    assert not rep.ok
    _, py = runs(rep)
    # What the user saw: scipy gave x0 back.
    assert py["iterations"] <= 1 and np.allclose(py["x"], x0)
    capture = [f for f in rep.errors if f.kind == "lambda-capture"]
    assert any("static" in f.evidence for f in capture), "lint's rule should point at the lambda's line"


def test_lambda_capture_inside_the_port_is_reported(octave):
    broken = gallery("broken.cost_function_reg_captured")
    case, theta, rest = case_inputs(broken.reference)
    rep = compare_minimize(case.octave, broken.port, np.zeros_like(theta), args=rest, octave=octave)
    assert "lambda-capture" in error_kinds(rep), str(rep)


def test_wrong_sign_gradient_is_reported_as_sign(octave):
    broken = gallery("broken.cost_function_wrong_sign")
    case, theta, rest = case_inputs(broken.reference)
    rep = compare_minimize(case.octave, broken.port, theta, args=rest, octave=octave)
    assert "sign" in error_kinds(rep), str(rep)
    assert "local-minimum" not in rep.kinds
    # SciPy could not descend along +grad: its failure is reported and the gradient check ran.
    assert "optimizer" in rep.kinds
    assert rep.details["gradient_check"] is not None


def test_missing_one_over_m_gradient_is_reported_as_scale(octave):
    case, params, rest = case_inputs("ex4.nnCostFunction")
    rep = compare_minimize(case.octave, nn_cost_grad_missing_m, params, args=rest, octave=octave,
                           layout=case.layout, maxiter=200)
    assert "scale" in error_kinds(rep), str(rep)
    # A uniformly scaled gradient still points downhill: the optimizers agree, and the
    # report must not blame them or call it another minimum.
    assert "optimizer" not in rep.kinds and "local-minimum" not in rep.kinds


# ----------------------------------------------------------------------------
# shapes scipy cannot use


def test_two_dimensional_x0_is_a_shape_error(octave):
    case, theta, rest = case_inputs("ex2.costFunction")
    with pytest.raises(ValueError):
        minimize(case.port, theta.reshape(-1, 1), args=rest, jac=True, method="L-BFGS-B")
    rep = compare_minimize(case.octave, case.port, theta.reshape(-1, 1), args=rest, octave=octave)
    shape = [f for f in rep.errors if f.kind == "shape"]
    assert shape and shape[0].output == "x0", str(rep)
    # The runs still happen on the unrolled vector, and say so.
    oc, py = runs(rep)
    assert abs(py["cost"] - oc["cost"]) <= SAME_MINIMUM_RTOL * abs(oc["cost"])
    assert any("unrolled" in n for n in rep.notes)


def test_unflattened_labels_that_change_the_result_are_a_shape_error(octave):
    case, theta, (X, y) = case_inputs("ex2.costFunction")
    rep = compare_minimize(case.octave, cost_function_broadcast, theta, args=(X, y.reshape(-1, 1)),
                           octave=octave)
    shape = [f for f in rep.errors if f.kind == "shape" and f.evidence.get("argument") == "y"]
    assert shape, str(rep)


def test_unflattened_labels_a_port_flattens_itself_are_fine(octave):
    case, theta, (X, y) = case_inputs("ex2.costFunction")
    rep = compare_minimize(case.octave, cost_function, theta, args=(X, y.reshape(-1, 1)), octave=octave)
    assert rep.ok and "shape" not in rep.kinds, str(rep)
    assert any("flattens it itself" in n for n in rep.notes)


# ----------------------------------------------------------------------------
# a legitimate difference: another local minimum


def test_non_convex_problem_reaching_another_minimum_is_info(octave):
    def tilted_wells(x, c):
        return float(np.sum(x**4 / 4 - x**2 / 2 + c * x)), x**3 - x + c

    # From x = 2 fmincg's strong-Wolfe line search (c2 = 0.1) extrapolates over
    # the barrier into the deeper well near -1; L-BFGS-B accepts its first step
    # (c2 = 0.9) and stays in the well near +1. Both are minima of the same cost.
    rep = compare_minimize(str(FIXTURES / "pcTiltedWells"), tilted_wells, np.array([2.0]), args=(0.2,),
                           octave=octave, accuracy=lambda x: float(np.mean(x < 0)))
    oc, py = runs(rep)
    assert np.sign(oc["x"][0]) != np.sign(py["x"][0]), "precondition: the optimizers ended in different wells"
    assert rep.ok, str(rep)
    local = rep.by_kind("local-minimum")
    assert local and local[0].severity == "info"
    assert set(rep.details["accuracy"]) == {"OCTAVE", "PYTHON"}


# ----------------------------------------------------------------------------
# after the fact


def test_check_minimize_result_explains_abnormal_line_search_from_a_broken_gradient():
    broken = gallery("broken.cost_function_wrong_sign")
    _, theta, rest = case_inputs(broken.reference)
    res = minimize(broken.port, theta, args=rest, jac=True, method="L-BFGS-B")
    assert not res.success and "ABNORMAL" in str(res.message).upper(), "precondition: a real line-search failure"
    rep = check_minimize_result(res, broken.port, theta, args=rest)
    optimizer = [f for f in rep.errors if f.kind == "optimizer"]
    assert optimizer, str(rep)
    assert "sign" in rep.kinds  # the attached gradient check names the cause
    assert rep.details["gradient_check"] is not None


def test_check_minimize_result_is_quiet_on_a_healthy_run():
    _, theta, rest = case_inputs("ex2.costFunction")
    res = minimize(cost_function, theta, args=rest, jac=True, method="L-BFGS-B")
    rep = check_minimize_result(res, cost_function, theta, args=rest)
    assert rep.ok and not rep.findings, str(rep)


def test_check_minimize_result_maxiter_with_a_good_gradient_is_a_warning():
    _, theta, rest = case_inputs("ex2.costFunction")
    res = minimize(cost_function, theta, args=rest, jac=True, method="L-BFGS-B", options={"maxiter": 2})
    rep = check_minimize_result(res, cost_function, theta, args=rest)
    assert rep.ok, str(rep)
    assert [f.severity for f in rep.by_kind("optimizer")] == ["warning"]


def test_check_minimize_result_names_a_captured_objective():
    broken = next(g for g in all_gallery() if "objective" in g.extra)
    objective, x0 = broken.extra["objective"], broken.extra["x0"]
    res = minimize(objective, x0, jac=True, method="L-BFGS-B")
    rep = check_minimize_result(res, lambda x: objective(x), x0)
    assert "lambda-capture" in error_kinds(rep), str(rep)


# ----------------------------------------------------------------------------
# arguments


@pytest.mark.parametrize("kwargs", [{"octave_optimizer": "fminsearch"}, {"method": "Nelder-Mead"},
                                    {"maxiter": 0}, {"gtol": -1.0}])
def test_bad_arguments_are_rejected_before_octave_starts(kwargs):
    with pytest.raises(InputError):
        compare_minimize("costFunction", cost_function, np.zeros(3), args=(np.ones((2, 3)), np.ones(2)),
                         **kwargs)


# ----------------------------------------------------------------------------
# the demo


def test_train_digits_reports_both_accuracies(octave):
    pytest.importorskip("sklearn")
    rep = train_digits(octave, maxiter=50)
    assert rep.ok, str(rep)
    acc = rep.details["accuracy"]
    assert set(acc) == {"OCTAVE", "PYTHON"}
    # 50 iterations of either optimizer fit 600 training images well above chance (10 %).
    assert min(acc.values()) > 0.9
    # Same cost, same start, different algorithms stopped after the same number of
    # iterations: the weights differ, so a few borderline images may be classified
    # differently. 5 points is 30 of 600 images; a wrong port (unroll order, labels
    # off by one) costs tens of points.
    assert abs(acc["OCTAVE"] - acc["PYTHON"]) <= 0.05
    table = rep.tables[0]
    assert "training accuracy" in table.columns and len(table.rows) == 2
