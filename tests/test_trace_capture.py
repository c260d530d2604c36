"""What the port's tracer sees: values kept on self, in a dict, in lists of arrays (real Octave).

A port that keeps its intermediates in ``self.A1``, ``cache['a2']`` or a list
of per-example / per-layer arrays must be traced as well as one that uses
plain variables: the mistake is named at its own line, and the faithful
version of each port stays clean when the trace is forced.
"""

from __future__ import annotations

import numpy as np
import pytest

import trace_capture_ports as cp
from portcheck.compare import compare
from portcheck.trace import trace_python
from trace_helpers import NN_LAYOUT, line_at, nn_args
from trace_helpers import located_errors as located

pytestmark = pytest.mark.octave


@pytest.mark.parametrize(
    "port, port_text, ref_text, kinds",
    [
        (cp.nn_class_zero_bias, "self.A1 = np.hstack", "a1 = [ones(m, 1), X]", None),
        (cp.nn_cache_sigmoid_twice, 'cache["a2"] = np.hstack([np.ones((m, 1)), sigmoid(sigmoid(', "a2 = [ones(m, 1), sigmoid(z2)]",
         {"extra-function"}),
        (cp.nn_per_example_lists_sigmoid_twice, "hs = [np.concatenate(([1.0], sigmoid(sigmoid(z))))",
         "a2 = [ones(m, 1), sigmoid(z2)]", {"extra-function"}),
        (cp.nn_layer_lists_bias_inside, "acts.append(sigmoid(np.c_[np.ones(m), z]))",
         "a2 = [ones(m, 1), sigmoid(z2)]", None),
    ],
    ids=["self-attributes", "cache-dict", "per-example-list", "per-layer-list"],
)
def test_mistake_in_a_value_kept_in_a_container_is_named_at_its_line(octave, port, port_text, ref_text, kinds):
    report = compare("nnCostFunction", port, nn_args(), octave=octave, layout=NN_LAYOUT, outputs=("J", "grad"))
    assert not report.ok
    found = located(report)
    assert found, str(report)
    f = found[0]
    assert port_text in line_at(f.port_location), (f.port_location, str(report))
    assert ref_text in line_at(f.reference_location), (f.reference_location, str(report))
    if kinds:
        assert f.kind in kinds, str(report)


@pytest.mark.parametrize("port", [cp.nn_class, cp.nn_cache, cp.nn_per_example_lists, cp.nn_layer_lists],
                         ids=["self-attributes", "cache-dict", "per-example-list", "per-layer-list"])
def test_faithful_ports_keeping_values_in_containers_are_clean_when_traced(octave, port):
    report = compare("nnCostFunction", port, nn_args(), octave=octave, layout=NN_LAYOUT, trace=True)
    assert report.ok and not report.findings, str(report)
    assert report.details["trace"]["divergence"] is None


def test_container_values_are_recorded_by_name_and_never_changed():
    """Unit-level: the steps' names, and the user's objects untouched by the tracer."""
    args = nn_args()
    before = [np.array(a, copy=True) if isinstance(a, np.ndarray) else a for a in args]
    trace, error = trace_python(cp.nn_layer_lists, args)
    assert error is None
    names = {s.name for s in trace.steps}
    assert {"acts[0]", "acts[1]", "acts[2]", "zs[0]", "zs[1]", "grads[0]", "grads[1]"} <= names
    trace, _ = trace_python(cp.nn_class, args)
    names = {s.name for s in trace.steps}
    assert {"self.A1", "self.Z2", "self.A2", "self.A3", "self.W1", "self.W2"} <= names
    # An attribute set inside a method is recorded there, not again at the caller's line.
    a1 = [s for s in trace.steps if s.name == "self.A1"]
    assert len(a1) == 1 and "self.A1 =" in trace.source_line(a1[0].location)
    trace, _ = trace_python(cp.nn_per_example_lists, args)
    hs = next(s for s in trace.steps if s.name == "hs")
    assert np.shape(hs.value) == (5, 6)  # one row per example: the vectorised a2
    trace, _ = trace_python(cp.nn_cache, args)
    assert {"cache['a1']", "cache['z2']", "cache['a2']", "cache['a3']"} <= {s.name for s in trace.steps}
    for a, b in zip(args, before):
        if isinstance(a, np.ndarray):
            assert np.array_equal(a, b)
