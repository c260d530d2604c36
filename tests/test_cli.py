"""The `portcheck` command, run as a user runs it: a subprocess, real Octave, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
LAYOUT = "Theta1=5x4,Theta2=3x6"


def portcheck(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "portcheck", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=600)


@pytest.mark.octave
def test_compare_names_the_mistake_and_exits_1(tmp_path):
    out = tmp_path / "r.json"
    res = portcheck("compare", "nnCostFunction", "examples/ports/student_nn.py:nn_cost_function",
                    "--args-from", "examples/inputs.py:nn_debug_args", "--layout", LAYOUT, "--json", str(out))
    assert res.returncode == 1, res.stderr
    assert "unroll-order" in res.stdout and "order='F'" in res.stdout
    data = json.loads(out.read_text())
    assert data["ok"] is False and "unroll-order" in {f["kind"] for f in data["findings"]}


@pytest.mark.octave
def test_compare_of_a_faithful_port_exits_0_and_writes_html(tmp_path):
    html = tmp_path / "r.html"
    res = portcheck("compare", "nnCostFunction", "portcheck.examples.ex4:nn_cost_function",
                    "--args-from", "examples/inputs.py:nn_debug_args", "--layout", LAYOUT, "--html", str(html))
    assert res.returncode == 0, res.stdout + res.stderr
    assert "No findings" in res.stdout
    page = html.read_text()
    assert page.startswith("<!DOCTYPE html>") and "Theta1" in page and "OK" in page


def test_gradient_check_from_the_shell():
    res = portcheck("gradient", "portcheck.examples.broken.nn:nn_cost_grad_missing_m",
                    "--args-from", "examples/inputs.py:nn_debug_args", "--layout", LAYOUT)
    assert res.returncode == 1, res.stdout + res.stderr
    assert "scale" in res.stdout


@pytest.mark.parametrize("args, message", [
    (["compare", "nnCostFunction", "no_such_mod:f", "--args-from", "examples/inputs.py:nn_debug_args"],
     "Cannot import module 'no_such_mod'"),
    (["compare", "nnCostFunction", "portcheck.examples.ex4:nn_cost_function", "--args-from",
      "examples/inputs.py:nn_debug_args", "--layout", "Theta1:5x4"], "--layout entries look like"),
    (["compare", "nnCostFunction"], "required"),
    (["lint", "does_not_exist.py"], "no such file"),
    (["run", "nowhere.toml"], "no such suite file"),
    (["lint", "portcheck/examples/ex4.py", "--json", "no_such_folder/r.json"], "cannot write no_such_folder/r.json"),
])
def test_usage_errors_exit_2_with_a_message(args, message):
    res = portcheck(*args)
    assert res.returncode == 2
    assert message in res.stderr


def test_lint_flags_a_broken_file_with_line_numbers_and_passes_a_faithful_one():
    bad = portcheck("lint", "examples/ports/student_nn.py")
    assert bad.returncode == 1
    assert "student_nn.py:" in bad.stdout and "reshape-order" in bad.stdout
    good = portcheck("lint", "portcheck/examples/ex4.py")
    assert good.returncode == 0, good.stdout


@pytest.mark.octave
def test_run_exits_0_when_the_planted_mistake_is_named(tmp_path):
    html = tmp_path / "suite.html"
    res = portcheck("run", "examples/portcheck.toml", "--only", "student nnCostFunction (factory inputs)",
                    "--only", "faithful nnCostFunction (.mat inputs)", "--html", str(html))
    assert res.returncode == 0, res.stdout + res.stderr
    assert "unroll-order" in res.stdout and "suite summary" in res.stdout
    assert "1 of 2 checks found errors; 1/1 expected mistakes named, 0 unexpected failures" in res.stdout
    assert "suite summary" in html.read_text()


@pytest.mark.octave
def test_run_exits_1_when_a_pair_fails_unexpectedly(tmp_path):
    (tmp_path / "portcheck.toml").write_text(textwrap.dedent("""
        [[portcheck.pair]]
        name = "student"
        octave = "nnCostFunction"
        python = "portcheck.examples.broken.nn:nn_cost_c_order"
        inputs = { case = "ex4.nnCostFunction" }
        layout = [["Theta1", [5, 4]], ["Theta2", [3, 6]]]
    """))
    res = portcheck("run", cwd=tmp_path)
    assert res.returncode == 1, res.stdout + res.stderr
    assert "unroll-order" in res.stdout


@pytest.mark.octave
def test_doctor_reports_a_working_setup():
    res = portcheck("doctor")
    assert res.returncode == 0, res.stdout
    assert "bit-identical" in res.stdout


def test_doctor_says_how_to_fix_a_missing_octave(tmp_path):
    import os

    env = {**os.environ, "OCTAVE_EXECUTABLE": "/nonexistent/octave-cli"}
    res = subprocess.run([sys.executable, "-m", "portcheck", "doctor"], capture_output=True, text=True,
                         cwd=ROOT, env=env, timeout=120)
    assert res.returncode == 2
    assert "apt-get install -y octave" in res.stdout
