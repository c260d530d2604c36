"""Record once, replay anywhere: recordings written with real Octave, replayed with Octave absent."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pytest

from portcheck._recfile import from_mat, to_mat, value_key
from portcheck.octave import bundled_refs_dir, from_octave, to_octave
from portcheck.recording import Recording, ReplaySession, record_suite, recording_path, replay_suite
from portcheck.suite import load_suite

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_SUITE = ROOT / "examples" / "portcheck.toml"


def without_octave(*args: str, cwd: Path = ROOT, module: str = "portcheck") -> subprocess.CompletedProcess:
    """``portcheck ARGS`` in a process that cannot find Octave: nothing on PATH, OCTAVE_EXECUTABLE nowhere."""
    env = {k: v for k, v in os.environ.items() if k not in ("PATH", "OCTAVE_EXECUTABLE")}
    env.update(PATH=str(Path(sys.executable).parent), OCTAVE_EXECUTABLE="/nonexistent/octave-cli",
               PYTHONPATH=os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]))
    assert shutil.which("octave-cli", path=env["PATH"]) is None
    return subprocess.run([sys.executable, "-m", module, *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=600)


def verdicts(results) -> dict[tuple[str, str], tuple[bool, list[str]]]:
    return {(p.name, c): (r.ok, sorted(f.kind for f in r.errors)) for p, c, r in results}


# -- the bundled corpus --------------------------------------------------------------


@pytest.mark.octave
def test_bundled_corpus_replays_without_octave_with_the_live_verdicts(tmp_path, octave):
    suite = load_suite(EXAMPLE_SUITE)
    recorded = record_suite(suite, out=tmp_path / "rec", octave=octave)
    live = verdicts(recorded.live.results)
    assert recorded.live.expectations_met
    assert len(recorded.files) == len({p.name for p in suite.pairs if set(p.checks) - {"gradient"}})

    res = without_octave("run", str(EXAMPLE_SUITE), "--replay", str(tmp_path / "rec"),
                         "--json", str(tmp_path / "replay.json"))
    assert res.returncode == 0, res.stderr  # the gallery is in the suite, and every planted mistake is named
    payload = json.loads((tmp_path / "replay.json").read_text())
    assert payload["expectations_met"]  # every faithful port clean, every planted mistake named
    replayed = {(r["pair"], r["check"]): (r["ok"], sorted(f["kind"] for f in r["findings"]
                                                          if f["severity"] == "error"))
                for r in payload["results"]}
    assert replayed == live
    # Nothing the diagnosis asked for was missing from the recordings.
    assert not [n for r in payload["results"] for n in r["notes"] if "replay limited" in n]


@pytest.mark.octave
def test_replay_gives_the_same_findings_word_for_word(tmp_path, octave):
    suite = load_suite(EXAMPLE_SUITE)
    only = ["broken.nn_cost_bias_subtracted", "broken.nn_cost_c_order", "ex4.nnCostFunction",
            "broken.nn_cost_labels_as_indices", "broken.feature_normalize_ddof0"]
    live = record_suite(suite, out=tmp_path, only=only, octave=octave).live
    replay = replay_suite(suite, tmp_path, only=only)
    for (p, c, a), (_p, _c, b) in zip(live.results, replay.results):
        assert [(f.kind, f.severity, f.message) for f in a.findings] == \
               [(f.kind, f.severity, f.message) for f in b.findings], (p.name, c)
        assert a.notes == b.notes


# -- staleness ---------------------------------------------------------------------------


def _user_suite(tmp_path: Path, lam: float = 1.0) -> Path:
    """A suite whose reference and one of its helpers are the user's own .m files."""
    refs = tmp_path / "refs"
    refs.mkdir(exist_ok=True)
    for name in ("nnCostFunction.m", "sigmoidGradient.m"):
        shutil.copy(bundled_refs_dir() / "ex4" / name, refs / name)
    suite = tmp_path / "portcheck.toml"
    suite.write_text(textwrap.dedent(f"""
        [portcheck]
        paths = ["refs"]

        [[portcheck.pair]]
        name = "nn cost"
        octave = "nnCostFunction"
        python = "portcheck.examples.ex4:nn_cost_function"
        inputs = {{ debug = "nn", lambda = {lam} }}
        layout = [["Theta1", [5, 4]], ["Theta2", [3, 6]]]
    """))
    return suite


@pytest.mark.octave
def test_editing_the_reference_after_recording_stops_replay_with_exit_2_naming_the_file(tmp_path):
    suite = _user_suite(tmp_path)
    record_suite(load_suite(suite))  # its own session: refs/ must not shadow the shared one's
    assert (tmp_path / "recorded").is_dir()
    ok = without_octave("run", str(suite), "--replay")
    assert ok.returncode == 0, ok.stdout + ok.stderr

    ref = tmp_path / "refs" / "nnCostFunction.m"
    ref.write_text(ref.read_text() + "\n% tuned the cost\n")
    res = without_octave("run", str(suite), "--replay")
    assert res.returncode == 2
    assert "nn cost" in res.stderr and "nnCostFunction.m" in res.stderr and "changed" in res.stderr
    assert "portcheck record" in res.stderr

    # --update needs Octave to record again: without it, the same exit 2 and why.
    res = without_octave("run", str(suite), "--replay", "--update")
    assert res.returncode == 2 and "needs Octave" in res.stderr


@pytest.mark.octave
def test_a_helper_the_reference_calls_is_part_of_its_source(tmp_path):
    suite = _user_suite(tmp_path)
    record_suite(load_suite(suite))  # its own session: refs/ must not shadow the shared one's
    helper = tmp_path / "refs" / "sigmoidGradient.m"
    helper.write_text(helper.read_text().replace("g = ", "g = 1.0 * ", 1))
    res = without_octave("run", str(suite), "--replay")
    assert res.returncode == 2 and "sigmoidGradient.m" in res.stderr


@pytest.mark.octave
def test_suite_inputs_that_differ_from_the_recorded_ones_are_stale_and_update_records_again(tmp_path):
    suite = _user_suite(tmp_path, lam=1.0)
    record_suite(load_suite(suite))  # its own session: refs/ must not shadow the shared one's
    _user_suite(tmp_path, lam=3.0)
    res = without_octave("run", str(suite), "--replay")
    assert res.returncode == 2
    assert "input 7 of nnCostFunction differs" in res.stderr and "nn cost" in res.stderr

    # With Octave present, --update records the stale pair again and the replay runs.
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    res = subprocess.run([sys.executable, "-m", "portcheck", "run", str(suite), "--replay", "--update"],
                         capture_output=True, text=True, env=env, timeout=600)
    assert res.returncode == 0, res.stdout + res.stderr
    assert without_octave("run", str(suite), "--replay").returncode == 0


def test_a_missing_recording_is_exit_2_with_the_command_that_records_it(tmp_path):
    suite = _user_suite(tmp_path)
    res = without_octave("run", str(suite), "--replay")
    assert res.returncode == 2
    assert "no recording" in res.stderr and "portcheck record" in res.stderr


# -- what a replay cannot answer ------------------------------------------------------------


@pytest.mark.octave
def test_a_recording_without_the_re_runs_says_which_check_was_limited(tmp_path):
    suite = _user_suite(tmp_path)
    record_suite(load_suite(suite))  # its own session: refs/ must not shadow the shared one's
    path = recording_path(tmp_path / "recorded", "nn cost")
    rec = Recording.load(path)
    primary = next(k for k, c in rec.calls.items() if value_key(list(c.args)) == value_key(list(rec.inputs)))
    rec.calls = {primary: rec.calls[primary]}  # the plain outputs only, as a bare MATLAB recording holds
    rec.save(path)

    from portcheck.examples.broken.nn import nn_cost_bias_subtracted
    from portcheck.recording import replay_check

    pair = load_suite(suite).pairs[0]
    from dataclasses import replace

    broken = replace(pair, python=nn_cost_bias_subtracted)
    from portcheck.suite import run_check

    def by_lambda_0(report):
        return [f for f in report.findings if "= 0 on both sides" in str(f.evidence.get("counterfactual", ""))]

    from portcheck.octave import Octave

    with Octave(paths=load_suite(suite).paths) as oc:
        live = run_check(broken, "compare", oc, load_suite(suite))
    assert by_lambda_0(live)  # live, the λ = 0 re-run puts the mistake in the penalty term
    report = replay_check(broken, "compare", ReplaySession(Recording.load(path)), load_suite(suite))
    assert not report.ok  # replayed, the port is still caught ...
    assert not by_lambda_0(report)  # ... but without that re-run, and the report says so
    limited = [n for n in report.notes if "replay limited this compare check" in n]
    assert limited and "nnCostFunction(" in limited[0]


# -- the file format ------------------------------------------------------------------


@pytest.mark.parametrize("value", [
    0.5, -3.0, 2 + 1j, np.arange(5.0), np.arange(6.0).reshape(2, 3), np.zeros((0, 3)), np.zeros(0),
    np.array([True, False]), np.arange(4, dtype=np.float32).reshape(2, 2), "abc", "",
    {"name": "f", "h": np.array([1e-3, 2e-3]), "inner": {"k": 2.0}}, [1.0, "x", np.eye(2)], [],
])
def test_values_survive_the_mat_file_as_a_live_call_delivers_them(tmp_path, value):
    from scipy.io import loadmat, savemat

    savemat(tmp_path / "v.mat", {"v": to_mat(value)}, oned_as="column")
    back = from_mat(loadmat(tmp_path / "v.mat", struct_as_record=False, squeeze_me=False)["v"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # float32 warns, as it does live
        expected, got = from_octave(to_octave(value) if not isinstance(value, list) else value), from_octave(back)
    if isinstance(value, list):
        assert isinstance(got, list) and len(got) == len(value)
    else:
        assert type(got) is type(expected)
        if isinstance(got, np.ndarray):
            expected_shape = (value.size, 1) if value.ndim == 1 else value.shape
            assert got.shape == expected_shape and got.dtype == expected.dtype
            np.testing.assert_array_equal(got.reshape(expected_shape), np.asarray(expected).reshape(expected_shape))
        elif isinstance(got, dict):
            assert set(got) == set(expected)
        else:
            assert got == expected
    # The key of a value read back equals the key of the value as sent.
    sent = to_octave(value) if not isinstance(value, list) or not value else value
    if not isinstance(value, list):
        assert value_key(back) == value_key(sent)



# -- the trace's Octave side -------------------------------------------------------------


@pytest.mark.octave
def test_a_traced_reference_run_is_recorded_and_replays_step_for_step(tmp_path, octave):
    from portcheck.recording import RecordingSession
    from portcheck.suite import _nn_debug
    from portcheck.trace.octave_side import trace_octave

    args = _nn_debug(lam=1.0)
    rec_session = RecordingSession(octave)
    live = trace_octave(rec_session, "nnCostFunction", args, nout=2)
    assert live.steps
    rec = rec_session.start_pair("nn", "nnCostFunction")
    rec.save(tmp_path / "nn.mat")

    replayed = trace_octave(ReplaySession(Recording.load(tmp_path / "nn.mat")), "nnCostFunction", args, nout=2)
    assert [(s.file, s.line, s.name, s.passes) for s in replayed.steps] == \
           [(s.file, s.line, s.name, s.passes) for s in live.steps]
    for a, b in zip(live.steps, replayed.steps):
        if isinstance(a.value, np.ndarray):
            np.testing.assert_array_equal(a.value, b.value)
        else:
            assert a.value == b.value, a.name
    np.testing.assert_array_equal(live.outputs[1], replayed.outputs[1])
    assert live.outputs[0] == replayed.outputs[0]
    assert replayed.notes == live.notes


# -- the MATLAB-side recorder ----------------------------------------------------------------


def _octave_cli() -> str:
    from portcheck.octave import find_octave_executable

    return find_octave_executable()


def record_in_octave(folder: Path, *paths: Path) -> None:
    """What a MATLAB user does: put the recorder and their references on the path, run portcheck_record."""
    setup = "".join(f"addpath('{p}'); " for p in (bundled_refs_dir() / "portcheck", *paths))
    res = subprocess.run([_octave_cli(), "--no-gui", "--norc", "--quiet", "--eval",
                          f"{setup} portcheck_record('{folder}');"],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr


@pytest.mark.octave
def test_portcheck_record_m_run_in_octave_writes_recordings_replay_reads(tmp_path):
    suite = _user_suite(tmp_path)
    refs, common = tmp_path / "refs", bundled_refs_dir() / "common"
    res = without_octave("export-inputs", str(suite))
    assert res.returncode == 0, res.stderr
    inputs = tmp_path / "recorded" / recording_path("", "nn cost", ".inputs.mat").name
    assert inputs.is_file()

    record_in_octave(tmp_path / "recorded", refs, common)
    rec = Recording.load(recording_path(tmp_path / "recorded", "nn cost"))
    assert rec.recorder == "portcheck_record.m" and rec.octave_version.startswith("GNU Octave")
    assert {Path(p).name for _w, p, _h in rec.sources} >= {"nnCostFunction.m", "sigmoidGradient.m"}

    # Round one holds the plain outputs: the verdict is there, the capture re-run is not.
    res = without_octave("run", str(suite), "--replay")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "replay limited this compare check" in res.stdout

    # Round two: export asks for the re-runs the diagnosis needs next; then nothing is left.
    assert without_octave("export-inputs", str(suite)).returncode == 0
    record_in_octave(tmp_path / "recorded", refs, common)
    res = without_octave("run", str(suite), "--replay")
    assert res.returncode == 0 and "replay limited" not in res.stdout
    res = without_octave("export-inputs", str(suite))
    assert res.stdout.startswith("0 input file(s)") and not inputs.exists()

    # The MATLAB-side recording diagnoses a broken port as a live run does.
    from dataclasses import replace

    from portcheck.examples.broken.nn import nn_cost_bias_subtracted
    from portcheck.recording import replay_check

    pair = replace(load_suite(suite).pairs[0], python=nn_cost_bias_subtracted)
    report = replay_check(pair, "compare", ReplaySession(Recording.load(rec.file)), load_suite(suite))
    limited = [n for n in report.notes if "replay limited" in n]
    assert "regularization" in report.kinds
    # Only the trace is missing: MATLAB-side recordings hold plain calls, and the report says so.
    assert len(limited) == 1 and "traced run" in limited[0] and "MATLAB-side recorder does not" in limited[0]

    # And it goes stale like any other recording.
    (refs / "nnCostFunction.m").write_text((refs / "nnCostFunction.m").read_text() + "\n% edited\n")
    res = without_octave("run", str(suite), "--replay")
    assert res.returncode == 2 and "nnCostFunction.m" in res.stderr


@pytest.mark.octave
def test_a_reference_that_fails_in_the_matlab_recorder_replays_as_the_same_octave_error(tmp_path):
    refs = tmp_path / "refs"
    refs.mkdir()
    (refs / "badRef.m").write_text("function y = badRef(x)\n  y = x(:, 5);\nend\n")
    (tmp_path / "port.py").write_text("def bad_ref(x):\n    return x[:, 4]\n")
    (tmp_path / "inputs.py").write_text("import numpy as np\ndef make():\n    return (np.ones((2, 3)),)\n")
    suite = tmp_path / "portcheck.toml"
    suite.write_text('[portcheck]\npaths = ["refs"]\n[[portcheck.pair]]\nname = "bad"\noctave = "badRef"\n'
                     'python = "port.py:bad_ref"\ninputs = "inputs.py:make"\n')
    assert without_octave("export-inputs", str(suite)).returncode == 0
    record_in_octave(tmp_path / "recorded", refs)
    res = without_octave("run", str(suite), "--replay", "--json", str(tmp_path / "r.json"))
    assert res.returncode == 1
    finding = json.loads((tmp_path / "r.json").read_text())["results"][0]["findings"][0]
    assert finding["kind"] == "octave-error" and "badRef" in finding["message"]
    assert "out of bound" in finding["message"] or "index" in finding["message"]


# -- pytest --portcheck-replay ------------------------------------------------------------------


@pytest.mark.octave
def test_pytest_replays_a_suite_without_octave_and_stops_on_a_stale_recording(tmp_path):
    suite = _user_suite(tmp_path)
    (tmp_path / "student.py").write_text(
        "from portcheck.examples.broken.nn import nn_cost_c_order as nn_cost_function\n")
    suite.write_text(suite.read_text() + textwrap.dedent("""
        [[portcheck.pair]]
        name = "student"
        octave = "nnCostFunction"
        python = "student.py:nn_cost_function"
        inputs = { debug = "nn", lambda = 1.0 }
        layout = [["Theta1", [5, 4]], ["Theta2", [3, 6]]]
        checks = ["compare", "gradient"]
    """))
    record_suite(load_suite(suite))  # its own session: refs/ must not shadow the shared one's
    args = (str(suite), "--portcheck-replay", "-p", "no:cacheprovider", "-q", "-p", "no:randomly")
    res = without_octave(*args, "-rA", cwd=tmp_path, module="pytest")
    assert res.returncode == 1, res.stdout
    assert "1 failed, 2 passed" in res.stdout  # the student's compare fails; its own gradient is consistent
    assert "unroll-order" in res.stdout and "skipped" not in res.stdout

    # The same items in parallel: replay is pure Python, so xdist workers need no Octave either.
    res = without_octave(*args, "-n", "2", cwd=tmp_path, module="pytest")
    assert "1 failed, 2 passed" in res.stdout, res.stdout

    ref = tmp_path / "refs" / "nnCostFunction.m"
    ref.write_text(ref.read_text() + "\n% edited\n")
    res = without_octave(*args, cwd=tmp_path, module="pytest")
    assert res.returncode == 2  # a collection error, like `portcheck run --replay`
    assert "nnCostFunction.m changed" in res.stdout and "portcheck record" in res.stdout


# -- the optimizer check -----------------------------------------------------------------


@pytest.mark.octave
def test_minimize_checks_replay_without_octave_with_the_live_findings(tmp_path, octave):
    suite = tmp_path / "portcheck.toml"
    suite.write_text(textwrap.dedent("""
        [[portcheck.pair]]
        name = "logreg"
        octave = "costFunctionReg"
        python = "portcheck.examples.ex2:cost_function_reg"
        inputs = { case = "ex2.costFunctionReg" }
        checks = ["minimize"]

        [[portcheck.pair]]
        name = "logreg wrong sign"
        octave = "costFunction"
        python = "portcheck.examples.broken.logreg:cost_function_wrong_sign"
        inputs = { case = "ex2.costFunction" }
        checks = ["minimize"]
    """))
    live = record_suite(load_suite(suite), octave=octave).live
    assert live.results[0][2].ok and "sign" in live.results[1][2].kinds
    res = without_octave("run", str(suite), "--replay", "--json", str(tmp_path / "r.json"))
    assert res.returncode == 1, res.stderr
    replayed = json.loads((tmp_path / "r.json").read_text())["results"]
    assert [(r["ok"], sorted({f["kind"] for f in r["findings"]})) for r in replayed] == \
           [(rep.ok, sorted(rep.kinds)) for _p, _c, rep in live.results]
    assert not [n for r in replayed for n in r["notes"] if "replay limited" in n]


# -- single commands given a recording ---------------------------------------------------------


@pytest.mark.octave
def test_the_octave_side_gradient_check_and_a_compare_replay_from_one_recording(tmp_path, octave):
    from portcheck.gradients import check_gradient
    from portcheck.recording import RecordingSession

    case, = [c for c in load_suite(EXAMPLE_SUITE).pairs if c.name == "ex4.nnCostFunction"]
    args = case.make_args()
    session = RecordingSession(octave)
    live = check_gradient("nnCostFunction", args[0], args=args[1:], octave=session, layout=case.layout)
    session.start_pair("ex4", "nnCostFunction").save(tmp_path / "rec" / "grad.mat")
    replayed = check_gradient("nnCostFunction", args[0], args=args[1:], layout=case.layout,
                              octave=ReplaySession.load(tmp_path / "rec"))
    assert replayed.ok == live.ok
    assert [(f.kind, f.message) for f in replayed.findings] == [(f.kind, f.message) for f in live.findings]

    # `portcheck compare --replay`: the recording folder of a suite answers a single compare.
    record_suite(load_suite(EXAMPLE_SUITE), out=tmp_path / "suite", only=["broken.nn_cost_c_order"], octave=octave)
    (tmp_path / "inputs.py").write_text(
        "from portcheck.examples.catalog import get_case\n"
        "def args():\n    return get_case('ex4.nnCostFunction').make_args()\n")
    res = without_octave("compare", "nnCostFunction", "portcheck.examples.broken.nn:nn_cost_c_order",
                         "--args-from", str(tmp_path / "inputs.py") + ":args", "--layout", "Theta1=5x4,Theta2=3x6",
                         "--replay", str(tmp_path / "suite"))
    assert res.returncode == 1 and "unroll-order" in res.stdout, res.stdout + res.stderr


@pytest.mark.octave
def test_a_reference_only_the_matlab_side_has_is_recorded_there_and_replayed(tmp_path):
    # The reference is in a folder the suite does not know (a toolbox on the MATLAB machine).
    toolbox = tmp_path / "toolbox"
    toolbox.mkdir()
    (toolbox / "tbScale.m").write_text("function [y, s] = tbScale(x, k)\n  y = k * x;\n  s = sum(y(:));\nend\n")
    (tmp_path / "port.py").write_text("import numpy as np\ndef tb_scale(x, k):\n"
                                      "    y = k * x\n    return y, float(np.sum(y)) * (1 if k < 3 else 2)\n")
    (tmp_path / "inputs.py").write_text("import numpy as np\ndef make():\n    return (np.arange(6.0).reshape(2, 3), 3.0)\n")
    suite = tmp_path / "portcheck.toml"
    suite.write_text('[[portcheck.pair]]\nname = "tb"\noctave = "tbScale"\npython = "port.py:tb_scale"\n'
                     'inputs = "inputs.py:make"\n')
    res = without_octave("export-inputs", str(suite))
    assert res.returncode == 0 and res.stdout.startswith(str(tmp_path)), res.stdout + res.stderr
    record_in_octave(tmp_path / "recorded", toolbox)
    rec = Recording.load(recording_path(tmp_path / "recorded", "tb"))
    assert rec.nargout == {"tbScale": 2}  # asked on the MATLAB side, since Python could not read the file

    res = without_octave("run", str(suite), "--replay", "--json", str(tmp_path / "r.json"))
    assert res.returncode == 1, res.stdout + res.stderr
    report = json.loads((tmp_path / "r.json").read_text())["results"][0]
    assert {f["kind"] for f in report["findings"] if f["severity"] == "error"} == {"scale"}
    assert any("could not check that tbScale.m is unchanged" in n for n in report["notes"])


@pytest.mark.octave
def test_a_recording_portcheck_writes_is_read_by_octave(tmp_path, octave):
    suite = load_suite(EXAMPLE_SUITE)
    written = record_suite(suite, out=tmp_path, only=["ex4.nnCostFunction"], octave=octave)
    path = written.files[0][1]
    script = (f"r = load('{path}'); printf('%s|%d|%s|%d\\n', r.format, numel(r.calls), class(r.calls{{1}}.args), "
              f"numel(r.calls{{1}}.outputs));")
    res = subprocess.run([_octave_cli(), "--no-gui", "--norc", "--quiet", "--eval", script],
                         capture_output=True, text=True, timeout=120)
    fmt, n_calls, args_class, n_out = res.stdout.strip().splitlines()[-1].split("|")
    assert fmt == "portcheck-recording" and int(n_calls) == len(Recording.load(path).calls) >= 1
    assert args_class == "cell" and int(n_out) == 2
