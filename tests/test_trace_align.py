"""The trace names the right line: liberties a faithful port takes, and mistakes they must not hide (real Octave).

Each test pairs a real Octave reference (``matlab_refs``) with a port from
``trace_ports_align`` whose statements differ from the reference's in a way
the alignment once misread: a borrowed name, a value assigned and then
returned, a value built in two statements, a gradient stacked from blocks.
"""

from __future__ import annotations

import numpy as np
import pytest

import trace_ports_align as tpa
from portcheck.compare import compare
from portcheck.examples.catalog import get_case
from trace_helpers import line_at

pytestmark = pytest.mark.octave


def run(case_name, port, **kw):
    case = get_case(case_name)
    return compare(case.octave, port, case.make_args(), octave=kw.pop("octave"), layout=case.layout, **kw)


def located(report):
    """Findings that carry a port line (the trace's contribution)."""
    return [f for f in report.findings if f.port_location is not None]


# -- a borrowed name is no mistake when everything computed from it is right ------------


def test_probabilities_named_logp_are_clean_when_traced(octave):
    # The reference's logp holds log-probabilities; the port's holds their exp.
    report = run("cs231n.twoLayerNetCost", tpa.two_layer_logp_probabilities, octave=octave, trace=True)
    assert report.ok and not report.findings, str(report)


def test_borrowed_name_does_not_hide_a_later_mistake(octave):
    report = run("cs231n.twoLayerNetCost", tpa.two_layer_logp_no_w1_decay, octave=octave)
    assert not report.ok
    assert "extra-function" not in report.kinds, str(report)
    f = next(f for f in report.by_kind("regularization") if f.port_location is not None)
    assert "dW1 = X.T @ dhidden" in line_at(f.port_location), str(report)
    assert "dW1 = X' * dz1 + reg * W1" in line_at(f.reference_location)


def test_residual_with_its_sign_flipped_is_found_where_the_cost_squares_it_away(octave):
    # J = r'r hides the sign; the gradient reads r too and differs, so r is the mistake.
    report = run("ex5.linearRegCostFunction", tpa.linreg_residual_flipped, octave=octave)
    f = report.by_kind("sign")
    assert f and f[0].port_location is not None, str(report)
    assert "r = np.asarray(y, dtype=float).ravel() - X @ th" in line_at(f[0].port_location)
    assert "r = X * theta - y(:)" in line_at(f[0].reference_location)


# -- an assigned value, then returned: the assignment is the line -----------------------


def test_a_value_assigned_then_returned_is_blamed_on_its_assignment(octave):
    report = run("ex3.lrCostFunction", tpa.lr_cost_half_missing, octave=octave)
    assert not report.ok
    assert located(report), str(report)
    for f in located(report):
        assert "return" not in line_at(f.port_location), str(report)
    f = located(report)[0]
    assert "J = -(y @ np.log(h)" in line_at(f.port_location), str(report)
    assert "J = -(y' * log(h)" in line_at(f.reference_location)


# -- a value built in two statements: the statement that wrote the wrong elements --------


def test_gradient_built_then_regularized_in_place_blames_the_first_statement(octave):
    report = run("ex5.linearRegCostFunction", tpa.linreg_gradient_of_prediction, octave=octave)
    assert not report.ok
    f = located(report)[0]
    assert "grad = X.T @ pred / m" in line_at(f.port_location), str(report)
    assert "grad = (X' * r) / m" in line_at(f.reference_location)


def test_missing_one_over_m_is_a_scale_on_its_own_line_not_on_the_update_after_it(octave):
    # g2 lacks its / m, then g2[:, 1:] += ...: the update touches no bias
    # column, whose elements are wrong too, so the first line is the mistake.
    # Both lines read one input of the reference's Theta2_grad line: d3 the
    # first, the example count m the second; a shared number is no evidence.
    report = run("ex4.nnCostFunction", tpa.nn_cost_output_grad_unscaled, octave=octave)
    f = report.by_kind("scale")
    assert f and f[0].port_location is not None, str(report)
    assert line_at(f[0].port_location).strip() == "g2 = np.c_[d3.sum(axis=0), d3.T @ hidden]", str(report)
    assert "Theta2_grad = (d3' * a2) / m" in line_at(f[0].reference_location)
    assert "5×" in f[0].message  # the debug set has m = 5 examples


def test_a_mask_applied_in_place_the_wrong_way_is_blamed_on_the_mask_line(octave):
    # dhidden = dscores @ W2.T agrees with the reference where units are active;
    # dhidden[hidden > 0] = 0 then zeroes exactly those: that line is the mistake.
    report = run("cs231n.twoLayerNetCost", tpa.two_layer_mask_in_place_inverted, octave=octave)
    f = report.by_kind("inverted-mask")
    assert f and f[0].port_location is not None, str(report)
    assert line_at(f[0].port_location).strip() == "dhidden[hidden > 0] = 0", str(report)
    assert "dz1 = (dscores * W2') .* (z1 > 0)" in line_at(f[0].reference_location)


def test_faithful_ports_with_two_statement_gradients_stay_clean(octave):
    for name, port in (("ex4.nnCostFunction", tpa.nn_cost_layered),):
        report = run(name, port, octave=octave, trace=True)
        assert report.ok and not report.findings, str(report)


# -- a finding about one block is placed at that block's own line ------------------------


def test_block_findings_take_the_line_of_their_own_block(octave):
    report = run("ex4.nnCostFunction", tpa.nn_cost_two_mistakes, octave=octave)
    reg = [f for f in report.by_kind("regularization") if f.block == "Theta2"]
    assert reg and reg[0].port_location is not None, str(report)
    assert "g2 += lam / m * T2" in line_at(reg[0].port_location), str(report)
    assert "Theta2_grad(:, 2:end) = Theta2_grad(:, 2:end)" in line_at(reg[0].reference_location)
    scale = [f for f in report.by_kind("scale") if f.port_location is not None]
    assert scale and line_at(scale[0].port_location).strip() == "g1 = d2.T @ a1", str(report)

    report = run("ufldl.sparseAutoencoderCost", tpa.sae_cost_two_mistakes, octave=octave)
    b2 = [f for f in report.by_kind("scale") if f.block == "b2"]
    assert b2 and b2[0].port_location is not None, str(report)
    assert "gb2 = out_delta.sum(axis=1)" in line_at(b2[0].port_location), str(report)
    assert "b2grad = sum(delta3, 2) / m" in line_at(b2[0].reference_location)


# -- the message does not claim what the trace could not see ------------------------------


def test_first_divergence_with_unseen_inputs_does_not_claim_they_agree(octave):
    report = run("ex3.lrCostFunction", tpa.lr_cost_fused_wrong_term, octave=octave)
    f = report.by_kind("first-divergence")
    assert f, str(report)
    assert "J = -(y @ np.log(_sigmoid(z))" in line_at(f[0].port_location)
    assert "no counterpart in the port" in f[0].message
    assert "every value it is computed from agrees" not in f[0].message


# -- values above the full-value limit: kept as fingerprints on both sides ----------------


def test_a_port_with_intermediates_above_the_value_limit_is_traced(octave):
    """m = 120,000 examples: the helper's `g` and the returned values are fingerprints, not arrays."""
    from portcheck.inputs import debug_dataset, debug_weights
    from portcheck.trace import FULL_VALUE_LIMIT

    m = FULL_VALUE_LIMIT + 20_000
    X, labels = debug_dataset(m, 4, 3)
    args = (debug_weights(5, 0).reshape(-1), np.column_stack([np.ones(m), 10.0 * X]),
            (labels == 2).astype(float), 3.0)
    clean = compare("lrCostFunction", tpa.lr_cost_many_examples, args, octave=octave, trace=True)
    assert clean.ok and not clean.findings, str(clean)
    assert not any("trace failed" in n.lower() for n in clean.notes), clean.notes

    broken = compare("lrCostFunction", tpa.lr_cost_many_examples_bias_reg, args, octave=octave)
    f = broken.by_kind("regularization")
    assert f and f[0].port_location is not None, str(broken)
    assert "penalized = theta.copy()" in line_at(f[0].port_location), str(broken)
