"""Mistakes inside the computation, and faithful ports a forced trace must leave clean (real Octave).

References are the bundled ``matlab_refs`` (and ``tests/trace_refs``); ports
are in ``trace_ports_inside``. A broken port's mistake is on its ``# BUG``
line, which the finding must name.
"""

from __future__ import annotations

import pytest

import trace_ports_inside as tpi
from portcheck.compare import compare
from portcheck.examples.catalog import get_case
from trace_helpers import line_at

pytestmark = pytest.mark.octave


def run(case_name, port, **kw):
    case = get_case(case_name)
    return compare(case.octave, port, case.make_args(), octave=kw.pop("octave"), layout=case.layout, **kw)


# -- faithful ports stay clean when the trace is forced ----------------------------------


def test_recursive_port_whose_gradient_is_called_G_is_clean_when_traced(octave):
    # The reference's sigmoidGradient returns `g`; the port's per-layer gradient
    # is `G`. The helper's output is read where the helper is called, and that
    # value (d2, then Theta1_grad) is reproduced, so `g` is no divergence.
    report = run("ex4.nnCostFunction", tpi.nn_recursive, octave=octave, trace=True)
    assert report.ok and not report.findings, str(report)


def test_per_example_port_dividing_by_m_after_the_loop_is_clean_when_traced(octave):
    # The reference divides dscores by m before backpropagating; the port's
    # per-example dz1 is m times the reference's row, and the sums are divided later.
    report = run("cs231n.twoLayerNetCost", tpi.two_layer_per_example, octave=octave, trace=True)
    assert report.ok and not report.findings, str(report)


# -- a whole number one off: the call's argument, the axis or index written in the line ----


def test_sum_over_the_wrong_axis_is_a_wrong_operand_on_its_line(octave):
    good = run("ufldl.softmaxCost", tpi.softmax_cost_normalised_over_classes_axis, octave=octave, trace=True)
    assert good.ok and not good.findings, str(good)
    report = run("ufldl.softmaxCost", tpi.softmax_cost_wrong_axis, octave=octave)
    f = report.by_kind("wrong-operand")
    assert f and f[0].port_location is not None, str(report)
    assert "# BUG" in line_at(f[0].port_location), str(report)
    assert "probs = bsxfun(@rdivide, e, sum(e, 1))" in line_at(f[0].reference_location)
    assert "axis=0" in f[0].message, f[0].message


def test_loop_reading_the_previous_row_is_a_wrong_operand_on_its_line(octave):
    # Both sides loop over the centroids; at the last pass the port's diff is
    # the reference's once centroids[k - 1] reads centroids[k].
    report = run("ex7.findClosestCentroids", tpi.closest_centroid_previous_row, octave=octave)
    f = report.by_kind("wrong-operand")
    assert f and f[0].port_location is not None, str(report)
    assert "# BUG" in line_at(f[0].port_location), str(report)
    assert "diff = bsxfun(@minus, X, centroids(k, :))" in line_at(f[0].reference_location)
    assert "centroids[k - 1]" in f[0].message and "centroids[k]" in f[0].message, f[0].message


# -- a value returned by a variable of another name: the line that wrote it ---------------


def test_returned_variable_is_blamed_where_it_was_assigned_not_on_the_return_line(octave):
    report = run("ex8.estimateGaussian", tpi.gaussian_params_uncentred, octave=octave)
    f = report.by_kind("wrong-operand")
    assert f and f[0].port_location is not None, str(report)
    assert "# BUG" in line_at(f[0].port_location), str(report)
    assert "sigma2 = (sum(centered .^ 2, 1) / m)'" in line_at(f[0].reference_location)
    assert f[0].evidence["replacement"] == "dev"


def test_loop_filling_one_row_per_pass_is_judged_by_the_row_it_writes(octave):
    good = run("ex7.computeCentroids", tpi.centroids_by_cluster, octave=octave, trace=True)
    assert good.ok and not good.findings, str(good)
    report = run("ex7.computeCentroids", tpi.centroids_divided_by_width, octave=octave)
    f = report.by_kind("wrong-operand")
    assert f and f[0].port_location is not None, str(report)
    assert "# BUG" in line_at(f[0].port_location), str(report)
    assert "centroids(k, :) = sum(members, 1) / size(members, 1)" in line_at(f[0].reference_location)
    assert "members.shape[0]" in f[0].message, f[0].message


# -- a helper handed the wrong array: the call is the line -------------------------------


def test_wrong_array_handed_to_a_helper_is_named_at_the_call_through_the_helpers_own_lines(octave):
    # sigmoidGradient's g reads z only through s = sigmoid(z); the port's helper
    # calls its sigmoid g. The helper's lines are right for what they were
    # given: the calls' arguments (z2 vs the activations) are the divergence.
    report = run("ex4.nnCostFunction", tpi.nn_slope_of_activation, octave=octave)
    found = [f for f in report.findings if f.port_location is not None and f.severity == "error"]
    assert found, str(report)
    assert "# BUG" in line_at(found[0].port_location), str(report)
    assert "d2 = (d3 * W2) .* sigmoidGradient(z2)" in line_at(found[0].reference_location), str(report)


# -- a number built in two statements against the reference's one: the statement whose share is wrong


def test_faithful_cost_in_two_statements_is_clean_when_traced(octave):
    report = run("ex5.linearRegCostFunction", tpi.linreg_cost_in_two_statements, octave=octave, trace=True)
    assert report.ok and not report.findings, str(report)


@pytest.mark.parametrize("port, factor", [(tpi.linreg_cost_data_term_unhalved, "2×"),
                                          (tpi.linreg_cost_penalty_unhalved, "2×")])
def test_the_statement_adding_the_wrong_term_is_named_not_the_last_one(octave, port, factor):
    # The reference's J = (r' * r) / (2 * m) + lambda / (2 * m) * (...): its two
    # terms are recorded, and each port statement's share is checked against them.
    report = run("ex5.linearRegCostFunction", port, octave=octave)
    f = [f for f in report.by_kind("scale") if f.output == "J" and f.port_location is not None]
    assert f, str(report)
    assert "# BUG" in line_at(f[0].port_location), str(report)
    assert "J = (r' * r) / (2 * m) + lambda / (2 * m)" in line_at(f[0].reference_location)
    assert factor in f[0].message, f[0].message


def test_loop_keeping_its_last_pass_is_found_when_the_reference_adds_a_term_to_the_sum(octave):
    # thetagrad = -((truth - probs) * data') / m + lambda * theta: the sum of the
    # port's passes, divided by m, plus lambda * theta, is the reference.
    report = run("ufldl.softmaxCost", tpi.softmax_cost_loop_keeps_last, octave=octave)
    f = report.by_kind("last-iteration")
    assert f and f[0].port_location is not None, str(report)
    assert "# BUG" in line_at(f[0].port_location), str(report)
    assert "thetagrad = -((truth - probs) * data') / m + lambda * theta" in line_at(f[0].reference_location)


# -- the mistake in a method's return statement: the return line, not the caller ----------


def test_extra_factor_in_a_methods_return_statement_is_named_there(octave):
    good = run("ufldl.sparseAutoencoderCost", tpi.autoencoder_class, octave=octave, trace=True)
    assert good.ok and not good.findings, str(good)
    report = run("ufldl.sparseAutoencoderCost", tpi.autoencoder_class_slope_twice, octave=octave)
    f = report.by_kind("extra-factor")
    assert f and f[0].port_location is not None, str(report)
    assert "# BUG" in line_at(f[0].port_location), str(report)
    assert "delta3 = err .* a3 .* (1 - a3)" in line_at(f[0].reference_location)


def test_flipped_switch_returned_by_a_method_is_named_in_the_method(octave):
    good = run("cs231n.twoLayerNetCost", tpi.two_layer_class, octave=octave, trace=True)
    assert good.ok and not good.findings, str(good)
    report = run("cs231n.twoLayerNetCost", tpi.two_layer_class_flipped_switch, octave=octave)
    f = report.by_kind("inverted-mask")
    assert f and f[0].port_location is not None, str(report)
    assert "# BUG" in line_at(f[0].port_location), str(report)
    assert "dz1 = (dscores * W2') .* (z1 > 0)" in line_at(f[0].reference_location)
    assert "dz = back * self.switch(self.z)" in line_at(f[0].evidence["applied_at"])


# -- a helper's result transformed where it is called; a wrong default ---------------------


def test_extra_function_around_a_helpers_result_is_named_on_the_calling_line(octave):
    good = run("ufldl.softmaxCost", tpi.softmax_cost_helper, octave=octave, trace=True)
    assert good.ok and not good.findings, str(good)
    report = run("ufldl.softmaxCost", tpi.softmax_cost_exp_of_helper, octave=octave)
    f = report.by_kind("extra-function")
    assert f and f[0].port_location is not None, str(report)
    assert "# BUG" in line_at(f[0].port_location), str(report)
    assert "probs = bsxfun(@rdivide, e, sum(e, 1))" in line_at(f[0].reference_location)
    assert f[0].evidence["function"] == "exp"


def test_wrong_default_of_a_helpers_parameter_is_named_at_its_def(octave):
    # The helper was written for examples in columns (axis=0); the call relies on that default.
    report = run("cs231n.twoLayerNetCost", tpi.two_layer_probs_default_axis, octave=octave)
    f = report.by_kind("wrong-operand")
    assert f and f[0].port_location is not None, str(report)
    assert "def _column_probs(S, axis=0):" in line_at(f[0].port_location), str(report)
    assert "shifted = scores - repmat(max(scores, [], 2), 1, C)" in line_at(f[0].reference_location)
    assert "default" in f[0].message and "axis=0" in f[0].message, f[0].message
