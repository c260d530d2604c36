"""A slip within one line of the port, named with the edit that undoes it (real Octave).

The port's divergent line reads the right variables but is written wrong in a
way the shapes do not catch (a square matrix hides a transpose, a reduction
loses its axis). The trace re-evaluates that line with one slip undone and
names it only when the result *is* the reference's value. Faithful ports
written differently — including ones whose intermediates differ harmlessly
(softmax shifted by the global maximum, distances under a square root) — stay
clean when the trace is forced. Ports are in ``trace_ports_slips``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import trace_ports_slips as tps
from portcheck.compare import compare
from portcheck.examples.catalog import get_case
from trace_helpers import line_at

pytestmark = pytest.mark.octave

REFS = Path(__file__).parent / "trace_refs"
SCORES = np.sin(np.arange(1, 26)).reshape(5, 5, order="F") * 2.0  # rows are examples, columns classes


@pytest.fixture(scope="module")
def oc(octave):
    octave.add_paths([REFS])
    return octave


def run(case, port, oc, **kw):
    if case == "softmaxRows":
        return compare("softmaxRows", port, (SCORES,), octave=oc, **kw)
    c = get_case(case)
    return compare(c.octave, port, c.make_args(), octave=oc, layout=c.layout, **kw)


@pytest.mark.parametrize(
    "case, port, how, before, after, ref_text",
    [
        ("cs231n.twoLayerNetCost", tps.two_layer_untransposed_activations, "transpose", "a1 @ dscores",
         "a1.T @ dscores", "dW2 = a1' * dscores + reg * W2"),
        ("ex8.cofiCostFunc", tps.cofi_ratings_transposed, "transpose", "X @ Theta.T - Y.T", "X @ Theta.T - Y",
         "E = (X * Theta' - Y) .* R"),
        ("ex7.findClosestCentroids", tps.closest_summing_everything, "axis", "np.sum(diff ** 2)",
         "np.sum(diff ** 2, axis=1)", "d(:, k) = sum(diff .^ 2, 2)"),
        ("softmaxRows", tps.softmax_rows_without_keepdims, "keepdims", "e.sum(axis=1)",
         "e.sum(axis=1, keepdims=True)", "P = bsxfun(@rdivide, e, sum(e, 2))"),
        ("ex3.lrCostFunction", tps.lr_log_of_h_twice, "complement", "np.log(h)", "np.log(1 - h)",
         "J = -(y' * log(h) + (1 - y)' * log(1 - h))"),
        ("ex4.nnCostFunction", tps.nn_zero_bias_unit, "function", "np.zeros(m)", "np.ones(m)",
         "a2 = [ones(m, 1), sigmoid(z2)]"),
        ("ex4.nnCostFunction", tps.nn_sigmoid_for_its_slope, "helper", "_sigmoid(z2)", "_sigmoid_slope(z2)",
         "d2 = (d3 * W2) .* sigmoidGradient(z2)"),
        ("ex8.cofiCostFunc", tps.cofi_mask_as_matrix_product, "operator", "(X @ Theta.T - Y) @ R",
         "(X @ Theta.T - Y) * R", "E = (X * Theta' - Y) .* R"),
        ("cs231n.twoLayerNetCost", tps.two_layer_relu_floor, "constant", "np.maximum(z1, 0.01)",
         "np.maximum(z1, 0)", "a1 = max(0, z1)"),
    ],
    ids=["missing-transpose-square", "extra-transpose-square", "sum-over-everything", "no-keepdims",
         "log-of-h-for-1-minus-h", "zeros-for-ones", "helper-for-its-slope", "matmul-for-elementwise",
         "wrong-constant"],
)
def test_a_slip_within_the_line_is_named_with_its_fix(oc, case, port, how, before, after, ref_text):
    report = run(case, port, oc)
    f = report.by_kind("wrong-operand")
    assert f, str(report)
    f = f[0]
    assert "# BUG" in line_at(f.port_location), str(report)
    assert ref_text in line_at(f.reference_location), str(report)
    assert f.evidence["how"] == how, f.evidence
    assert (f.evidence["operand"], f.evidence["replacement"]) == (before, after), f.evidence
    assert f"`{after}`" in f.message


@pytest.mark.parametrize(
    "case, port",
    [
        ("cs231n.twoLayerNetCost", tps.two_layer),
        ("cs231n.twoLayerNetCost", tps.two_layer_global_shift),
        ("ex8.cofiCostFunc", tps.cofi_einsum),
        ("softmaxRows", tps.softmax_rows),
        ("softmaxRows", tps.softmax_rows_global_shift),
        ("ex3.lrCostFunction", tps.lr_logaddexp),
        ("ex4.nnCostFunction", tps.nn_vectorised),
    ],
    ids=["two-layer", "two-layer-global-shift", "cofi-einsum", "softmax-rows",
         "softmax-rows-global-shift", "lr-logaddexp", "nn-vectorised"],
)
def test_faithful_twins_stay_clean_when_traced(oc, case, port):
    report = run(case, port, oc, trace=True)
    # Intermediates that differ harmlessly (a global shift) are never named as
    # a slip: undoing one proves a difference, not a mistake.
    assert report.ok and not report.findings, str(report)


def test_distances_under_a_square_root_are_no_slip(oc):
    # The square root changes d, never the nearest centroid: the forced trace
    # may say how d differs (info), never that a line is written wrong.
    report = run("ex7.findClosestCentroids", tps.closest_by_distance, oc, trace=True)
    assert report.ok, str(report)
    assert all(f.severity == "info" and f.kind != "wrong-operand" for f in report.findings), str(report)


# -- an accumulator started afresh inside its loop ------------------------------------


@pytest.mark.parametrize("port", [tps.cofi_per_user_reset_inside, tps.cofi_per_user_reset_inside_direct],
                         ids=["named-otherwise", "named-like-the-reference"])
def test_accumulator_reset_inside_the_loop_is_named_at_the_reset(oc, port):
    # The `+=` is right; the reset one level too deep keeps only the last user.
    # Xg is named unlike X_grad and read only by the return statement: it is
    # paired with X_grad as the one value that line reads and nothing reproduces.
    report = run("ex8.cofiCostFunc", port, oc)
    f = report.by_kind("last-iteration")
    assert f, str(report)
    assert "# BUG" in line_at(f[0].port_location), str(report)
    assert "X_grad = E * Theta + lambda * X" in line_at(f[0].reference_location), str(report)
    assert "before the loop" in f[0].message


def test_faithful_per_user_loop_is_clean_when_traced(oc):
    report = run("ex8.cofiCostFunc", tps.cofi_per_user, oc, trace=True)
    assert report.ok and not report.findings, str(report)


# -- a write through an alias ---------------------------------------------------------


def test_write_through_an_alias_is_named_where_it_changes_the_other_name(oc):
    # MATLAB's `penalized = theta; penalized(1) = 0;` copies; the literal port
    # zeroes theta[0] as well, and h = sigmoid(X theta) is the first value to differ.
    report = run("ex3.lrCostFunction", tps.lr_penalized_alias, oc)
    f = report.by_kind("aliased-write")
    assert f, str(report)
    assert "# BUG" in line_at(f[0].port_location), str(report)
    assert "h = sigmoid(X * theta)" in line_at(f[0].reference_location)
    assert (f[0].evidence["variable"], f[0].evidence["written_through"]) == ("theta", "penalized")
    assert "penalized = theta.copy()" in f[0].message


@pytest.mark.parametrize("port", [tps.lr_penalized_copy, tps.lr_gradient_updated_through_an_alias],
                         ids=["copied", "alias-written-on-purpose"])
def test_faithful_copies_and_aliases_are_clean_when_traced(oc, port):
    report = run("ex3.lrCostFunction", port, oc, trace=True)
    assert report.ok and not report.findings, str(report)


# -- an index one off in the part of a variable a loop writes ---------------------------


def test_index_one_off_in_the_written_part_is_a_wrong_operand_on_its_line(oc):
    report = run("ex4.nnCostFunction", tps.nn_one_hot_previous_label, oc)
    f = report.by_kind("wrong-operand")
    assert f, str(report)
    assert "# BUG" in line_at(f[0].port_location), str(report)
    assert "Y = I(y(:), :)" in line_at(f[0].reference_location)
    assert (f[0].evidence["operand"], f[0].evidence["replacement"]) == ("labels[i - 1]", "labels[i]")


def test_one_hot_loop_is_clean_when_traced(oc):
    report = run("ex4.nnCostFunction", tps.nn_one_hot_loop, oc, trace=True)
    assert report.ok and not report.findings, str(report)
