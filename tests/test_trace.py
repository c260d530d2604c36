"""compare's trace: the first line where the port leaves the reference, and why (real Octave).

Every new finding kind is produced from a real Octave reference and a port
written the way people write them (the gallery, and ports shaped like the
seed questions in ``trace_ports``); faithful ports written differently (other
names, examples in columns, fused expressions, a per-example loop) must come
out clean even when the trace is forced.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import numpy as np
import pytest

import trace_ports as tp
from portcheck import Octave
from portcheck.compare import compare
from portcheck.examples import ex4
from portcheck.examples.broken import nn as broken_nn
from portcheck.examples.catalog import all_cases, get_case
from trace_helpers import NN_LAYOUT, line_at, nn_args

pytestmark = pytest.mark.octave

REFS = Path(__file__).parent / "trace_refs"


def the(report, kind):
    found = report.by_kind(kind)
    assert found, f"expected a {kind!r} finding\n{report}"
    return found[0]


# -- each new kind, from the gallery and seed-shaped ports ----------------------------


@pytest.mark.parametrize(
    "port, kind, port_text, ref_text",
    [
        (broken_nn.nn_cost_double_sigmoid, "extra-function", "z2 = sigmoid(a1 @ Theta1.T)", "z2 = a1 * Theta1'"),
        (tp.nn_cost_no_hidden_sigmoid, "missing-function", "a2 = np.hstack([np.ones((m, 1)), z2])",
         "a2 = [ones(m, 1), sigmoid(z2)]"),
        (broken_nn.nn_cost_output_sigmoid_prime, "extra-factor", "d3 =", "d3 = a3 - Y"),
        (tp.nn_cost_seed004, "extra-factor", "delta3 = np.multiply(-(yh - targets), dsigmoid(Z3))",
         "d3 = a3 - Y"),
        (broken_nn.nn_cost_last_example_only, "last-iteration", "Delta1 = np.outer(d2, a1)", "Theta1_grad"),
    ],
    ids=["double-sigmoid", "missing-sigmoid", "output-sigmoid-prime", "seed004-delta", "loop-last-pass"],
)
def test_mistake_inside_nn_cost_is_named_with_both_lines(octave, port, kind, port_text, ref_text):
    report = compare("nnCostFunction", port, nn_args(), octave=octave, layout=NN_LAYOUT, outputs=("J", "grad"))
    assert not report.ok
    f = the(report, kind)
    assert f.severity == "error"
    assert f.port_location is not None and f.reference_location is not None
    assert port_text in line_at(f.port_location), (f.port_location, str(report))
    assert f.reference_location[0].endswith("nnCostFunction.m")
    assert ref_text in line_at(f.reference_location), (f.reference_location, str(report))
    # The report carries both lines and a summary of both values.
    assert f.evidence["port_source"] and f.evidence["reference_source"]
    assert f.evidence["port_value"] and f.evidence["reference_value"]
    d = report.to_dict()
    entry = next(x for x in d["findings"] if x["kind"] == kind)
    assert entry["port_location"][1] == f.port_location[1]
    assert entry["reference_location"][1] == f.reference_location[1]


def test_extra_factor_names_the_factor_and_the_sign(octave):
    report = compare("nnCostFunction", tp.nn_cost_seed004, nn_args(), octave=octave, layout=NN_LAYOUT)
    f = the(report, "extra-factor")
    assert f.evidence["sign"] == -1.0
    assert f.evidence["variable"] in {"a3", "z3", "yh", "Z3"}


def test_last_iteration_points_at_the_loop_line_and_says_accumulate(octave):
    report = compare("nnCostFunction", broken_nn.nn_cost_last_example_only, nn_args(), octave=octave,
                     layout=NN_LAYOUT)
    f = the(report, "last-iteration")
    assert "+=" in f.message
    assert f.evidence["passes"] == 5


def test_inverted_relu_seed000(octave):
    case = get_case("cs231n.twoLayerNetCost")
    for port, text in ((tp.two_layer_seed000, "np.where(z_2 > 0, 0, z_2)"),
                       (broken_nn.two_layer_net_inverted_relu, "np.where(z1 > 0, 0, z1)")):
        report = compare(case.octave, port, case.make_args(), octave=octave, layout=case.layout)
        f = the(report, "inverted-mask")
        assert text in line_at(f.port_location)
        assert "max(0, z1)" in line_at(f.reference_location)


def test_boundary_findings_get_the_line_that_causes_them(octave):
    report = compare("nnCostFunction", broken_nn.nn_cost_c_order, nn_args(), octave=octave, layout=NN_LAYOUT)
    f = the(report, "unroll-order")
    assert f.port_location is not None, str(report)
    assert "np.reshape(nn_params[:n1], (h, n + 1))" in line_at(f.port_location)
    assert "reshape(nn_params(1:n1)" in line_at(f.reference_location)

    report = compare("nnCostFunction", broken_nn.nn_cost_bias_regularized, nn_args(), octave=octave,
                     layout=NN_LAYOUT)
    f = the(report, "regularization")
    assert f.port_location is not None, str(report)
    assert "Theta" in line_at(f.port_location)


# -- the user's own folder: helpers in other files, files untouched --------------------


def _digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def user_refs(tmp_path):
    folder = tmp_path / "my refs"
    shutil.copytree(REFS, folder)
    return folder


def ae_args():
    rng = np.random.default_rng(3)
    return rng.normal(size=(6, 4)), rng.normal(size=(4, 6)), rng.random((5, 6))


@pytest.mark.parametrize(
    "port, kind, port_text",
    [
        (tp.ae_cost_double_sigmoid, "extra-function", "a = sigmoid(sigmoid(x @ encoder))"),
        (tp.ae_cost_encoder_for_decoder, "wrong-operand", "error_1 = (error_0 @ encoder) * a * (1 - a)"),
    ],
    ids=["seed003-extra-sigmoid", "seed003-wrong-matrix"],
)
def test_seed003_autoencoder_in_the_users_folder(user_refs, port, kind, port_text):
    before = _digest(user_refs)
    with Octave(paths=[user_refs]) as oc:
        report = compare("aeCost", port, ae_args(), octave=oc, outputs=("J", "gradEncoder", "gradDecoder"))
    f = the(report, kind)
    assert port_text in line_at(f.port_location)
    assert Path(f.reference_location[0]).name == "aeCost.m"
    assert Path(f.reference_location[0]).parent == user_refs
    if kind == "wrong-operand":
        assert f.evidence["operand"] == "encoder" and f.evidence["replacement"] == "decoder.T"
    # Nothing added, removed or changed in the user's folder.
    assert _digest(user_refs) == before


def test_faithful_autoencoder_is_clean_when_traced(user_refs):
    before = _digest(user_refs)
    with Octave(paths=[user_refs]) as oc:
        report = compare("aeCost", tp.ae_cost, ae_args(), octave=oc, trace=True)
    assert report.ok and not report.findings, str(report)
    assert _digest(user_refs) == before


# -- no false alarm ---------------------------------------------------------------------


@pytest.mark.parametrize("port", [ex4.nn_cost_function, tp.nn_cost_columns, tp.nn_cost_loop],
                         ids=["bundled", "columns-other-names-fused", "per-example-loop"])
def test_faithful_ports_written_differently_are_clean_when_traced(octave, port):
    report = compare("nnCostFunction", port, nn_args(), octave=octave, layout=NN_LAYOUT, trace=True)
    assert report.ok and not report.findings, str(report)
    assert report.details["trace"]["divergence"] is None


def test_faithful_two_layer_net_is_clean_when_traced(octave):
    case = get_case("cs231n.twoLayerNetCost")
    report = compare(case.octave, tp.two_layer_faithful, case.make_args(), octave=octave, layout=case.layout,
                     trace=True)
    assert report.ok and not report.findings, str(report)


FAITHFUL = list(all_cases())


@pytest.mark.parametrize("case", FAITHFUL, ids=[c.name for c in FAITHFUL])
def test_every_bundled_faithful_port_is_clean_when_traced(octave, case):
    tol = {k: v for k, v in (("rtol", case.rtol), ("atol", case.atol)) if v is not None}
    report = compare(case.octave, case.port, case.make_args(), octave=octave, nout=case.nout, layout=case.layout,
                     python_args=case.make_python_args() if case.make_python_args else None, wrt=case.wrt,
                     trace=True, **tol)
    assert report.ok, str(report)
    assert not [f for f in report.findings if f.kind not in {"non-finite"}], str(report)


# -- when the trace runs ------------------------------------------------------------------


def test_trace_off_leaves_a_bare_mismatch(octave):
    report = compare("nnCostFunction", broken_nn.nn_cost_double_sigmoid, nn_args(), octave=octave,
                     layout=NN_LAYOUT, trace=False)
    assert "extra-function" not in report.kinds and "mismatch" in report.kinds
    assert "trace" not in report.details


def test_agreeing_sides_are_not_traced_by_default(octave):
    report = compare("nnCostFunction", ex4.nn_cost_function, nn_args(), octave=octave, layout=NN_LAYOUT)
    assert report.ok and "trace" not in report.details


def test_trace_must_be_a_bool(octave):
    from portcheck.errors import InputError

    with pytest.raises(InputError, match="trace"):
        compare("nnCostFunction", ex4.nn_cost_function, nn_args(), octave=octave, trace="yes")


# -- the command line and suites show traced findings ------------------------------------


def _cli(*args: str):
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    return subprocess.run([sys.executable, "-m", "portcheck", *args], capture_output=True, text=True, cwd=root,
                          timeout=600)


def test_cli_compare_traces_by_default_and_not_with_no_trace(tmp_path):
    import json

    common = ["compare", "nnCostFunction", "portcheck.examples.broken.nn:nn_cost_double_sigmoid",
              "--args-from", "examples/inputs.py:nn_debug_args", "--layout", "Theta1=5x4,Theta2=3x6"]
    res = _cli(*common, "--json", str(tmp_path / "on.json"))
    assert res.returncode == 1, res.stderr
    assert "extra-function" in res.stdout and "nn.py:419" in res.stdout
    found = {f["kind"]: f for f in json.loads((tmp_path / "on.json").read_text())["findings"]}
    assert found["extra-function"]["port_location"][1] == 419
    assert found["extra-function"]["reference_location"][0].endswith("nnCostFunction.m")

    res = _cli(*common, "--no-trace", "--json", str(tmp_path / "off.json"))
    assert res.returncode == 1
    kinds = {f["kind"] for f in json.loads((tmp_path / "off.json").read_text())["findings"]}
    assert "extra-function" not in kinds and "mismatch" in kinds


def test_suite_pairs_trace_unless_told_not_to(tmp_path, octave):
    from portcheck.suite import load_suite, run_suite

    suite_file = tmp_path / "portcheck.toml"
    pair = '''
[[portcheck.pair]]
name = "{name}"
octave = "nnCostFunction"
python = "portcheck.examples.broken.nn:nn_cost_last_example_only"
inputs = {{ debug = "nn" }}
layout = [["Theta1", [5, 4]], ["Theta2", [3, 6]]]
{extra}
'''
    suite_file.write_text(pair.format(name="traced", extra="") + pair.format(name="plain", extra="trace = false"))
    result = run_suite(load_suite(suite_file), octave=octave)
    kinds = {p.name: r.kinds for p, _c, r in result.results}
    assert "last-iteration" in kinds["traced"]
    assert "last-iteration" not in kinds["plain"] and "mismatch" in kinds["plain"]

    suite_file.write_text(pair.format(name="bad", extra='trace = "yes"'))
    from portcheck.errors import InputError

    with pytest.raises(InputError, match="trace"):
        load_suite(suite_file)
