"""portcheck.compare on the bundled corpus: every broken port is named, no faithful port is flagged.

All runs use real Octave through the session fixture ``octave``.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portcheck.compare import DEFAULT_ATOL, DEFAULT_RTOL, assert_port, compare
from portcheck.examples.catalog import all_cases, all_gallery, get_case
from portcheck.examples.ex2 import cost_function
from portcheck.examples.ex4 import nn_cost_function
from portcheck.inputs import debug_dataset, debug_weights

#: Kinds that may legitimately be warnings; every other expected kind must be an error.
WARNING_KINDS = {"non-finite", "first-divergence", "precision", "non-differentiable", "local-minimum"}

def tolerances(case) -> dict[str, float]:
    """The case's own tolerances (optimizer outputs agree only to the optimizers' accuracy)."""
    return {
        "rtol": case.rtol if case.rtol is not None else DEFAULT_RTOL,
        "atol": case.atol if case.atol is not None else DEFAULT_ATOL,
    }


def run_case(case, octave, port=None, make_args=None, make_python_args=None):
    args = (make_args or case.make_args)()
    mpa = make_python_args or case.make_python_args
    return compare(
        case.octave,
        port if port is not None else case.port,
        args,
        octave=octave,
        nout=case.nout,
        layout=case.layout,
        python_args=mpa() if mpa else None,
        outputs=case.outputs or None,
        wrt=case.wrt,
        **tolerances(case),
    )


GALLERY = [b for b in all_gallery() if b.check == "compare"]


@pytest.mark.parametrize("broken", GALLERY, ids=[b.name for b in GALLERY])
def test_gallery_port_is_named(broken, octave):
    try:
        case = get_case(broken.reference)
    except KeyError:
        pytest.fail(f"{broken.name} refers to {broken.reference!r}, which is not a bundled case")
    report = run_case(case, octave, port=broken.port, make_args=broken.make_args,
                      make_python_args=broken.make_python_args)
    named = {f.kind for f in report.findings
             if f.severity == "error" or (f.severity == "warning" and f.kind in WARNING_KINDS)}
    assert named & set(broken.expected), (
        f"{broken.name}: expected one of {broken.expected}, got {sorted(report.kinds)}\n{report}"
    )


CASES = list(all_cases())


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_faithful_port_is_clean(case, octave):
    report = run_case(case, octave)
    assert report.ok, str(report)
    assert not report.errors
    assert not [f for f in report.findings if f.kind != "non-finite"], str(report)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    n=st.integers(1, 5),
    h=st.integers(1, 6),
    k=st.integers(2, 5),
    m=st.integers(1, 12),
    lam=st.sampled_from([0.0, 0.5, 1.0, 3.0, 10.0]),
)
def test_faithful_nn_cost_stays_clean_over_sizes(octave, n, h, k, m, lam):
    T1, T2 = debug_weights(h, n), debug_weights(k, h)
    X, y = debug_dataset(m, n, k)
    params = np.concatenate([T1.ravel(order="F"), T2.ravel(order="F")])
    report = compare("nnCostFunction", nn_cost_function, (params, n, h, k, X, y, lam), octave=octave,
                     layout=[("Theta1", T1.shape), ("Theta2", T2.shape)], outputs=("J", "grad"))
    assert report.ok and not report.findings, str(report)


# -- the report a user reads -----------------------------------------------------


def nn_inputs():
    T1, T2 = debug_weights(5, 3), debug_weights(3, 5)
    X, y = debug_dataset(5, 3, 3)
    params = np.concatenate([T1.ravel(order="F"), T2.ravel(order="F")])
    return (params, 3, 5, 3, X, y, 1.0)


NN_LAYOUT = [("Theta1", (5, 4)), ("Theta2", (3, 6))]


def test_report_tables_notes_and_serialisation(octave):
    def grad_theta2_wrong(*args):
        J, grad = nn_cost_function(*args)
        grad = grad.copy()
        grad[25] += 0.5  # element 26 of the vector, Theta2(3, 2)
        return J, grad

    report = compare("nnCostFunction", grad_theta2_wrong, nn_inputs(), octave=octave, layout=NN_LAYOUT,
                     outputs=("J", "grad"))
    assert report.check == "compare" and not report.ok
    outputs = report.tables[0]
    assert outputs.columns[:3] == ("output", "OCTAVE shape", "PYTHON shape")
    rows = {r[0]: r for r in outputs.rows}
    assert rows["grad"][1] == (38, 1) and rows["grad"][2] == (38,)
    assert rows["grad"][5] == "1 / 38 (2.63%)"
    assert rows["grad"][6] == "(26,1) = Theta2(3,2)"
    assert rows["J"][5].startswith("0 / 1")
    blocks = next(t for t in report.tables if t.title == "grad by block")
    assert [r[0] for r in blocks.rows] == ["Theta1", "Theta2"]
    assert blocks.rows[0][4].startswith("0 / 20")
    assert "PYTHON grad had shape (38,), compared as 38×1." in report.notes
    text = str(report)
    assert "OCTAVE" in text and "PYTHON" in text and "Theta2(3,2)" in text
    assert "<table>" in report._repr_html_()
    data = json.loads(report.to_json())
    assert data["findings"][0]["block"] == "Theta2"
    assert data["details"]["outputs"]["grad"]["worst"]["block"] == "Theta2"


def test_relative_error_divides_by_the_reference(octave):
    args = nn_inputs()
    J_ref, _ = octave.call("nnCostFunction", *args)

    def cost_off(*a):
        J, grad = nn_cost_function(*a)
        return J + 0.01 * J_ref, grad

    report = compare("nnCostFunction", cost_off, args, octave=octave, outputs=("J", "grad"))
    row = report.tables[0].rows[0]
    assert row[4] == pytest.approx(0.01, rel=1e-6)


def logreg_inputs():
    """theta, X (with its bias column) and 0/1 labels y for costFunction."""
    X0 = 10 * debug_weights(12, 1)
    X = np.column_stack([np.ones(12), X0])
    y = (X0[:, 0] + X0[:, 1] > 0).astype(np.float64)
    return np.array([0.1, -0.2, 0.3]), X, y


def test_callers_arrays_are_never_modified(octave):
    from portcheck.examples.broken.logreg import cost_function_updates_theta

    args = logreg_inputs()
    before = [np.array(a, copy=True) if isinstance(a, np.ndarray) else a for a in args]
    report = compare("costFunction", cost_function_updates_theta, args, octave=octave)
    assert "mutates-input" in report.kinds
    for a, b in zip(args, before):
        if isinstance(a, np.ndarray):
            np.testing.assert_array_equal(a, b)


def test_assert_port(octave):
    args = nn_inputs()
    report = assert_port("nnCostFunction", nn_cost_function, args, octave=octave, layout=NN_LAYOUT)
    assert report.ok

    def missing_m(*a):
        J, grad = nn_cost_function(*a)
        return J, grad * 5

    with pytest.raises(AssertionError) as info:
        assert_port("nnCostFunction", missing_m, args, octave=octave, layout=NN_LAYOUT)
    expected = compare("nnCostFunction", missing_m, args, octave=octave, layout=NN_LAYOUT)
    assert str(info.value) == str(expected)


def test_port_given_as_module_function_string(octave, tmp_path):
    args = nn_inputs()
    report = compare("nnCostFunction", "portcheck.examples.ex4:nn_cost_function", args, octave=octave)
    assert report.ok and "portcheck.examples.ex4:nn_cost_function" in report.title
    src = tmp_path / "my_port.py"
    src.write_text(
        "from portcheck.examples.ex2 import cost_function\n"
        "def cost(theta, X, y):\n"
        "    J, grad = cost_function(theta, X, y)\n"
        "    return J, -grad\n"
    )
    report = compare("costFunction", f"{src}:cost", logreg_inputs(), octave=octave)
    assert "sign" in report.kinds


def test_python_args_for_a_different_signature(octave):
    theta, X, y = logreg_inputs()

    def cost_xy_first(X, y, theta):
        return cost_function(theta, X, y)

    report = compare("costFunction", cost_xy_first, (theta, X, y), python_args=(X, y, theta), octave=octave)
    assert report.ok, str(report)


def test_temporary_session_when_no_octave_is_given():
    report = compare("costFunction", cost_function, logreg_inputs())
    assert report.ok
