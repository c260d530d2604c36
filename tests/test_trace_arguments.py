"""Arguments are steps: the port's inputs, and what each call hands a helper (real Octave).

The trace records the parameters of the traced function as it received them
(dataflow starts there: a first computed value under another name is paired
through the inputs it reads) and the arguments of every call into a user's
helper, at the call's line on both sides. A helper whose line goes wrong
because the call passed it the wrong array is reported at the call.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

import trace_capture_ports as cp
from portcheck import Octave
from portcheck.compare import compare
from portcheck.examples.catalog import get_case
from portcheck.trace import trace_python
from portcheck.trace.octave_side import trace_octave
from trace_helpers import NN_LAYOUT, line_at, nn_args
from trace_helpers import located_errors as located

pytestmark = pytest.mark.octave


def test_sigmoid_twice_under_another_name_is_named_through_the_inputs(octave):
    case = get_case("ex3.lrCostFunction")
    report = compare(case.octave, cp.lr_cost_sigmoid_twice, case.make_args(), octave=octave, layout=case.layout)
    assert not report.ok
    f = report.by_kind("extra-function")
    assert f, str(report)
    assert "prob = sigmoid(sigmoid(X @ theta))" in line_at(f[0].port_location)
    assert "h = sigmoid(X * theta)" in line_at(f[0].reference_location)
    assert f[0].evidence.get("function") == "sigmoid" or "sigmoid" in f[0].message


def test_wrong_array_passed_to_a_helper_is_reported_at_the_call(octave):
    report = compare("nnCostFunction", cp.nn_helper_call_wrong_argument, nn_args(), octave=octave,
                     layout=NN_LAYOUT, outputs=("J", "grad"))
    assert not report.ok
    found = located(report)
    assert found, str(report)
    f = found[0]
    assert "sigmoid_gradient(a2[:, 1:])" in line_at(f.port_location), str(report)
    assert "sigmoidGradient(z2)" in line_at(f.reference_location), str(report)


@pytest.mark.parametrize("port, function, args", [
    (cp.lr_cost_nested, "lrCostFunction", "ex3.lrCostFunction"),
    (cp.nn_helper_call, "nnCostFunction", None),
], ids=["lr-values-only-inside-calls", "nn-helper-like-the-reference"])
def test_faithful_ports_passing_values_to_helpers_are_clean_when_traced(octave, port, function, args):
    if args is None:
        report = compare(function, port, nn_args(), octave=octave, layout=NN_LAYOUT, trace=True)
    else:
        case = get_case(args)
        report = compare(function, port, case.make_args(), octave=octave, layout=case.layout, trace=True)
    assert report.ok and not report.findings, str(report)
    assert report.details["trace"]["divergence"] is None


SCALED = """function E = scaledError(X, w, t)
  r = X * w - t;
  E = shrink(r);
end
"""
SHRINK = """function out = shrink(v, k) % k is optional
  if nargin < 2
    k = 0.5;
  end
  out = k * v;
end
"""


@pytest.fixture
def helper_refs(tmp_path):
    folder = tmp_path / "refs with helper"
    folder.mkdir()
    (folder / "scaledError.m").write_text(SCALED)
    (folder / "shrink.m").write_text(SHRINK)
    return folder


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for f in sorted(folder.rglob("*")):
        h.update(f.name.encode() + f.read_bytes())
    return h.hexdigest()


def test_reference_parameters_are_recorded_at_entry_and_at_the_call(helper_refs):
    """Octave side: inputs at the header, a helper's arguments at its one call; optional ones only when passed."""
    rng = np.random.default_rng(0)
    args = (rng.normal(size=(6, 3)), rng.normal(size=(3, 1)), rng.normal(size=(6, 1)))
    before = _digest(helper_refs)
    with Octave(paths=[helper_refs]) as oc:
        trace = trace_octave(oc, "scaledError", args, 1)
    assert _digest(helper_refs) == before
    roles = {(s.name, s.role): s for s in trace.steps}
    assert {("X", "input"), ("w", "input"), ("t", "input"), ("v", "argument")} <= set(roles)
    assert ("k", "argument") not in roles  # not passed: nargin guards the recording
    v = roles[("v", "argument")]
    assert Path(v.file).name == "scaledError.m" and v.line == 3  # E = shrink(r): the call
    assert np.allclose(np.ravel(v.value), np.ravel(args[0] @ args[1] - args[2]))
    assert roles[("X", "input")].line == 1


def test_port_parameters_are_recorded_at_entry_and_at_the_call():
    rng = np.random.default_rng(0)
    args = (rng.normal(size=(6, 3)), rng.normal(size=3), rng.normal(size=6))
    copies = [a.copy() for a in args]
    trace, error = trace_python(cp.scaled_error, args)
    assert error is None
    by = {(s.name, s.role): s for s in trace.steps}
    assert {("X", "input"), ("w", "input"), ("t", "input"), ("v", "argument")} <= set(by)
    assert ("k", "argument") not in by  # scalars (a factor, an axis) would pair with any equal number
    v = by[("v", "argument")]
    assert "return shrink(X @ w - t)" in trace.source_line(v.location)
    assert np.allclose(v.value, args[0] @ args[1] - args[2])
    assert all(np.array_equal(a, c) for a, c in zip(args, copies))


def test_wrong_argument_to_a_users_helper_with_an_optional_parameter(helper_refs):
    rng = np.random.default_rng(1)
    args = (rng.normal(size=(6, 3)), rng.normal(size=(3, 1)), rng.normal(size=(6, 1)))
    with Octave(paths=[helper_refs]) as oc:
        good = compare("scaledError", cp.scaled_error, args, octave=oc, trace=True)
        bad = compare("scaledError", cp.scaled_error_wrong_argument, args, octave=oc)
    assert good.ok and not good.findings, str(good)
    assert not bad.ok
    found = located(bad)
    assert found, str(bad)
    assert "shrink(X @ w + t)" in line_at(found[0].port_location), str(bad)
    assert Path(found[0].reference_location[0]).name == "scaledError.m"


SCORES = """function J = scoresCost(W, X)
  S = X * W';
  P = rowNormalize(S);
  J = sum(P(:) .^ 2);
end
"""
NORMALIZE = """function P = rowNormalize(S)
  S = S - max(S, [], 2);
  P = S ./ sum(abs(S), 2);
end
"""


def test_value_computed_only_as_an_argument_pairs_with_the_references_variable(tmp_path):
    """The reference names the scores (S = X * W'); the port passes them straight to its helper.

    The passed value reproduces the reference's argument, so its ``S`` was
    right: the divergence is the helper's line that shifts along the wrong
    axis, paired with the reference helper's line, not the scores; and since
    that line is right once the ``axis`` the call passes is 1, the finding
    names the call that passes ``axis=0``.
    """
    folder = tmp_path / "scores"
    folder.mkdir()
    (folder / "scoresCost.m").write_text(SCORES)
    (folder / "rowNormalize.m").write_text(NORMALIZE)
    rng = np.random.default_rng(2)
    args = (rng.normal(size=(4, 3)), rng.normal(size=(6, 3)))
    with Octave(paths=[folder]) as oc:
        good = compare("scoresCost", cp.scores_cost, args, octave=oc, trace=True)
        bad = compare("scoresCost", cp.scores_cost_wrong_axis, args, octave=oc)
    assert good.ok and not good.findings, str(good)
    assert not bad.ok
    found = located(bad)
    assert found, str(bad)
    assert found[0].kind == "wrong-operand", str(bad)
    assert "P = row_normalize(X @ W.T, axis=0)" in line_at(found[0].port_location), str(bad)
    assert "S = S - max(S, [], 2);" in line_at(found[0].reference_location), str(bad)
    assert "S = S - S.max(axis=axis" in line_at(found[0].evidence["helper_location"]), str(bad)
    assert (found[0].evidence["current"], found[0].evidence["replacement"]) == ("0", "1")
