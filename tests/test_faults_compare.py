"""Faults in a comparison: no silent wrong verdict, no hang, the right side blamed.

Real Octave references (tests/octave_fixtures/faults) against small ports.
"""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from portcheck import compare
from portcheck.errors import InputError, PortError
from portcheck.loading import load_callable


pytestmark = [pytest.mark.octave, pytest.mark.faults]


@pytest.fixture(scope="module")
def oc(faults_octave):
    return faults_octave


def _errors(report):
    return sorted({f.kind for f in report.errors})


# -- infinities and NaN ------------------------------------------------------------


def test_plus_inf_against_minus_inf_is_a_difference(oc):
    report = compare("pf_inf", lambda x: np.array([[-np.inf], [x], [x]]), args=(1.0,), octave=oc)
    assert not report.ok
    assert "non-finite" in _errors(report)


def test_the_same_infinity_on_both_sides_is_not_an_error(oc):
    report = compare("pf_inf", lambda x: np.array([[np.inf], [x], [x]]), args=(1.0,), octave=oc)
    assert report.ok
    assert [f.kind for f in report.warnings] == ["non-finite"]


@pytest.mark.parametrize("port_value", [2.0, np.inf, -np.inf])
def test_nan_against_a_number_or_an_infinity_is_a_difference(oc, port_value):
    report = compare("pf_nan", lambda x: np.array([[port_value], [x], [x]]), args=(1.0,), octave=oc)
    assert not report.ok
    assert "non-finite" in _errors(report)


# -- inputs changed in place ---------------------------------------------------------


def test_appending_to_a_list_argument_is_mutates_input(oc):
    def port(v):
        v.append(0.0)
        return float(sum(v))

    report = compare("pf_sum", port, args=([1.0, 2.0, 3.0],), octave=oc)
    assert _errors(report) == ["mutates-input"]
    assert "length, 3 to 4" in report.errors[0].message


def test_adding_a_dict_key_is_mutates_input(oc):
    def port(s):
        s["cache"] = 1.0
        return 2 * s["a"]

    report = compare("pf_field", port, args=({"a": 3.0},), octave=oc)
    assert _errors(report) == ["mutates-input"]
    assert "'cache'" in report.errors[0].message


def test_a_port_that_leaves_its_list_and_dict_alone_is_clean(oc):
    assert compare("pf_sum", lambda v: float(sum(v)), args=([1.0, 2.0],), octave=oc).ok
    assert compare("pf_field", lambda s: 2 * s["a"], args=({"a": 3.0},), octave=oc).ok


# -- nondeterminism on the reference's side ----------------------------------------------


@pytest.mark.parametrize("reference, port", [
    ("pf_rand", lambda x: x + np.full((3, 1), 0.5)),
    ("pf_counter", lambda x: x * 1.0),
])
def test_a_nondeterministic_reference_is_blamed_not_the_port(oc, reference, port):
    report = compare(reference, port, args=(1.0,), octave=oc)
    assert not report.ok
    assert _errors(report) == ["nondeterministic"]
    (finding,) = report.errors
    assert finding.evidence["side"] == "reference"
    assert "reference" in finding.message and "port is not to blame" in finding.message


def test_a_nondeterministic_port_is_still_the_ports(oc):
    rng = np.random.default_rng()
    report = compare("pf_value", lambda x: x + 1 + rng.normal(), args=(1.0,), octave=oc)
    (finding,) = [f for f in report.errors if f.kind == "nondeterministic"]
    assert finding.evidence["side"] == "port"


# -- a port that never returns ---------------------------------------------------------


def _sleeper(x):
    time.sleep(3600)
    return x + 1


def _spinner(x):
    while True:
        x = x + 1


@pytest.mark.parametrize("port", [_sleeper, _spinner])
def test_a_port_that_never_returns_is_stopped_after_the_timeout(oc, port):
    start = time.monotonic()
    report = compare("pf_value", port, args=(1.0,), octave=oc, timeout=3.0)
    assert time.monotonic() - start < 120  # the port alone would take an hour, or forever
    (finding,) = report.errors
    assert finding.kind == "python-error"
    assert "PortTimeoutError" in finding.message and "more than 3 s" in finding.message
    # the process is intact: the next comparison works
    assert compare("pf_value", lambda x: x + 1, args=(1.0,), octave=oc, timeout=60).ok


def test_the_port_timeout_also_holds_outside_the_main_thread(oc):
    box = {}
    thread = threading.Thread(target=lambda: box.update(r=compare("pf_value", _sleeper, args=(1.0,), octave=oc,
                                                                   timeout=3.0)))
    start = time.monotonic()
    thread.start()
    thread.join(300)
    assert time.monotonic() - start < 120  # the port alone sleeps an hour
    assert [f.kind for f in box["r"].errors] == ["python-error"]


@pytest.mark.parametrize("bad", [0, -2.0, "5", float("inf")])
def test_a_compare_timeout_that_is_not_a_positive_number_is_an_input_error(oc, bad):
    with pytest.raises(InputError, match="timeout"):
        compare("pf_value", lambda x: x + 1, args=(1.0,), octave=oc, timeout=bad)


@pytest.mark.parametrize("bad", [0, -1, 1.5, "2", True])
def test_a_compare_nout_that_is_not_a_positive_integer_is_an_input_error(oc, bad):
    with pytest.raises(InputError, match="nout"):
        compare("pf_value", lambda x: x + 1, args=(1.0,), octave=oc, nout=bad)


# -- sys.exit where portcheck loads or calls user code -----------------------------------


def test_sys_exit_at_a_port_modules_import_is_a_port_error(tmp_path, monkeypatch):
    (tmp_path / "pf_exits_at_import.py").write_text("import sys\nsys.exit(3)\n\ndef f(x):\n    return x\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(PortError, match="SystemExit"):
        load_callable("pf_exits_at_import:f")


def test_sys_exit_in_a_port_file_does_not_end_the_process(tmp_path):
    port = tmp_path / "exits.py"
    port.write_text("import sys\nsys.exit(3)\n\ndef f(x):\n    return x\n")
    try:
        fn = load_callable(f"{port}:f")  # its definitions, with a note (or a PortError)
    except PortError:
        return
    assert fn(2.0) == 2.0


def test_sys_exit_inside_a_port_is_a_finding(oc):
    def port(x):
        raise SystemExit(1)

    report = compare("pf_value", port, args=(1.0,), octave=oc)
    assert _errors(report) == ["python-error"]


# -- portcheck's own re-runs of a port are bounded -----------------------------------------


def test_trials_that_would_blow_up_are_stopped_and_not_repeated(octave):
    """A calling-convention trial can make a port broadcast to (m, m, k); it must not take the compare down.

    The port sleeps whenever y arrives as an (m, 1) column (standing in for
    that blow-up); its real mistake (sigmoid applied twice) is still reported,
    the column trial is stopped after its budget, and no combination that
    includes it is run again.
    """
    from portcheck.examples.broken.nn import nn_cost_double_sigmoid
    from portcheck.examples.catalog import get_case

    column_calls = []

    def port(nn_params, il, hl, nl, X, y, lam):
        if np.ndim(y) == 2:
            column_calls.append(y.shape)
            # Far beyond any budget (30x a first call that takes well under a second even on a loaded
            # machine), so only the budget ends it.
            time.sleep(120)
        return nn_cost_double_sigmoid(nn_params, il, hl, nl, X, y, lam)

    case = get_case("ex4.nnCostFunction")
    report = compare(case.octave, port, case.make_args(), octave=octave, layout=case.layout, trace=False)
    # At most the shape counterfactual and the single trial; a combination with the column never runs.
    assert len(column_calls) <= 2, column_calls
    assert not report.ok and "mismatch" in {f.kind for f in report.errors}, str(report)
    timed_out = [c["call"] for c in report.details["counterfactuals"] if c.get("raised") == "PortTimeoutError"]
    assert "y passed as a column" in timed_out
    assert not any("y passed as a column +" in c or "+ y passed as a column" in c for c in timed_out), timed_out
