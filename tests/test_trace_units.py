"""The trace's pure-Python parts: the port's line tracer, the intermediate families, alignment.

These need no Octave: the tracer runs Python, the families take arrays, and
alignment is tested on two Python traces (the bundled faithful port standing
in for the reference).
"""

from __future__ import annotations

import copy
import sys

import numpy as np
import pytest

import trace_ports as tp
from portcheck.diagnose._base import Subject
from portcheck.diagnose.intermediate import Candidate, explain_intermediate
from portcheck.examples import ex4
from portcheck.inputs import debug_dataset, debug_weights
from portcheck.trace import FULL_VALUE_LIMIT, Fingerprint, align, trace_python


def nn_args():
    T1, T2 = debug_weights(5, 3), debug_weights(3, 5)
    X, y = debug_dataset(5, 3, 3)
    return (np.concatenate([T1.ravel(order="F"), T2.ravel(order="F")]), 3, 5, 3, X, y, 1.0)


# -- the line tracer ------------------------------------------------------------------------


def _port_with_loop_and_inplace(x):
    total = np.zeros(3)
    for i in range(4):
        step = x[i] * 2.0
        total += step
    total[0] = -1.0
    big = np.ones(FULL_VALUE_LIMIT + 1)
    return total, big


def test_tracer_records_assignments_in_place_updates_and_loops():
    x = np.arange(12.0).reshape(4, 3)
    before = x.copy()
    trace, error = trace_python(_port_with_loop_and_inplace, (x,))
    assert error is None
    np.testing.assert_array_equal(x, before)
    steps = {(s.name, s.passes > 1): s for s in trace.steps}
    step = steps[("step", True)]
    assert step.passes == 4
    np.testing.assert_array_equal(step.first, x[0] * 2)
    np.testing.assert_array_equal(step.value, x[3] * 2)
    np.testing.assert_array_equal(step.total, x.sum(axis=0) * 2)
    # `total += step` and `total[0] = -1` are steps of `total` at their own lines.
    lines = sorted({s.line for s in trace.steps if s.name == "total"})
    assert len(lines) == 3
    assert isinstance(next(s for s in trace.steps if s.name == "big").value, Fingerprint)
    assert trace.notes and "fingerprint" in trace.notes[0]


def test_tracer_follows_the_users_helpers_but_not_numpy_and_restores_the_previous_tracer():
    def other(frame, event, arg):
        return None

    sys.settrace(other)
    try:
        trace, _ = trace_python(tp.nn_cost_columns, copy.deepcopy(nn_args()))
        assert sys.gettrace() is other
    finally:
        sys.settrace(None)
    functions = {s.function for s in trace.steps}
    assert {"nn_cost_columns", "_weights"} <= functions
    assert all(s.file.endswith("trace_ports.py") for s in trace.steps)


def test_tracer_returns_the_ports_exception_with_the_steps_before_it():
    def port(x):
        y = x + 1
        raise IndexError("index 3 is out of bounds")

    trace, error = trace_python(port, (np.ones(3),))
    assert isinstance(error, IndexError)
    assert [s.name for s in trace.steps if s.name == "y"]


# -- the intermediate families ---------------------------------------------------------------


RNG = np.random.default_rng(7)
Z = RNG.normal(size=(6, 4))
SUB = Subject(output="z2")


def sigmoid(t):
    return 1 / (1 + np.exp(-t))


@pytest.mark.parametrize("port, kind, what", [
    (sigmoid(Z), "extra-function", "sigmoid"),
    (np.tanh(Z), "extra-function", "tanh"),
    (np.exp(Z), "extra-function", "exp"),
    (Z ** 2, "extra-function", "square"),
    (np.abs(Z), "extra-function", "abs"),
    (np.maximum(Z, 0), "extra-function", "relu"),
])
def test_extra_function(port, kind, what):
    f = explain_intermediate(Z, port, SUB)[0]
    assert f.kind == kind and f.evidence["function"] == what


def test_missing_function_and_softmax():
    assert explain_intermediate(sigmoid(Z), Z, SUB)[0].kind == "missing-function"
    e = np.exp(Z - Z.max(axis=1, keepdims=True))
    f = explain_intermediate(e / e.sum(axis=1, keepdims=True), Z, SUB)[0]
    assert f.kind == "missing-function" and f.evidence["function"] == "softmax-rows"


def test_extra_factor_from_a_recorded_value():
    a = sigmoid(Z)
    d = RNG.normal(size=Z.shape)
    f = explain_intermediate(d, -d * a * (1 - a), SUB, [Candidate("a3", "octave", a, ("f.m", 3))])[0]
    assert f.kind == "extra-factor" and f.evidence["sign"] == -1.0 and f.evidence["function"] == "a(1-a)"


def test_inverted_mask():
    assert explain_intermediate(np.maximum(Z, 0), np.minimum(Z, 0), SUB)[0].kind == "inverted-mask"
    g = RNG.normal(size=Z.shape)
    assert explain_intermediate(g * (Z > 0), g * (Z <= 0), SUB)[0].kind == "inverted-mask"


def test_no_family_claims_unrelated_values():
    other = RNG.normal(size=Z.shape)
    cands = [Candidate("a", "octave", RNG.normal(size=Z.shape))]
    assert explain_intermediate(Z, other, SUB, cands) == []
    # A fill (zeros against a one-hot matrix) is not exp(0) = 1.
    onehot = np.eye(4)[[0, 1, 2, 3, 0, 1]]
    assert explain_intermediate(onehot, np.zeros_like(onehot), SUB, cands) == []


# -- alignment -----------------------------------------------------------------------------------


@pytest.mark.parametrize("port", [tp.nn_cost_columns, tp.nn_cost_loop])
def test_faithful_ports_written_differently_align_without_divergence(port):
    ref, _ = trace_python(ex4.nn_cost_function, copy.deepcopy(nn_args()))
    mine, _ = trace_python(port, copy.deepcopy(nn_args()))
    al = align(ref, mine)
    assert al.divergence is None
    hows = {m.how for m in al.matches if m.agrees}
    assert hows & {"transposed", "loop over rows", "vector"}


def test_alignment_finds_the_first_divergent_line():
    ref, _ = trace_python(ex4.nn_cost_function, copy.deepcopy(nn_args()))
    mine, _ = trace_python(tp.nn_cost_no_hidden_sigmoid, copy.deepcopy(nn_args()))
    al = align(ref, mine)
    assert al.divergence is not None
    assert al.divergence.reference.name == "a2" and al.divergence.port.name == "a2"


def test_the_ports_own_folder_is_traced_even_inside_site_packages(tmp_path):
    # An installed package (here a folder named like site-packages) holding the port and its helper.
    pkg = tmp_path / "lib" / "site-packages" / "studentpkg"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "helpers.py").write_text("def act(t):\n    out = t * 2.0\n    return out\n")
    (pkg / "port.py").write_text("from studentpkg.helpers import act\n\n"
                                 "def port(x):\n    y = x + 1.0\n    z = act(y)\n    return z\n")
    sys.path.insert(0, str(tmp_path / "lib" / "site-packages"))
    try:
        from studentpkg.port import port

        trace, error = trace_python(port, (np.arange(3.0),))
    finally:
        sys.path.remove(str(tmp_path / "lib" / "site-packages"))
        for name in [m for m in sys.modules if m.startswith("studentpkg")]:
            del sys.modules[name]
    assert error is None
    assert {"y", "z", "out"} <= {s.name for s in trace.steps}


def test_an_infinity_in_the_reference_does_not_make_every_value_agree():
    from portcheck.trace import Step
    from portcheck.trace.align import agrees

    ref = Step("octave", "f.m", 1, 1, "v", "f", np.array([np.inf, 1.0, 2.0]))
    assert agrees(ref, Step("python", "f.py", 1, 1, "v", "f", np.array([np.inf, 5.0, 7.0])), 1e-7, 1e-10) is None
    assert agrees(ref, Step("python", "f.py", 1, 1, "v", "f", np.array([np.inf, 1.0, 2.0])), 1e-7, 1e-10)
