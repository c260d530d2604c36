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


# -- a newcomer's first hour ---------------------------------------------------------


def _suite_project(tmp_path: Path) -> Path:
    """A project whose pyproject.toml holds the suite and whose refs/ holds its .m file."""
    (tmp_path / "refs").mkdir()
    (tmp_path / "refs" / "addTwo.m").write_text("function y = addTwo(x)\n  y = x + 2;\nend\n")
    (tmp_path / "port.py").write_text("import numpy as np\ndef add_two(x):\n    return x + 2.0\n"
                                      "def make():\n    return (np.arange(3.0).reshape(3, 1),)\n")
    (tmp_path / "pyproject.toml").write_text(textwrap.dedent("""
        [project]
        name = "mine"
        [tool.portcheck]
        paths = ["refs"]
        [[tool.portcheck.pair]]
        octave = "addTwo"
        python = "port.py:add_two"
        inputs = "port.py:make"
    """))
    deep = tmp_path / "src" / "deeper"
    deep.mkdir(parents=True)
    return deep


@pytest.mark.octave
def test_configuration_is_found_from_a_subfolder_and_json_goes_to_stdout(tmp_path):
    deep = _suite_project(tmp_path)
    res = portcheck("run", "--json", "-", cwd=deep)
    assert res.returncode == 0, res.stdout + res.stderr
    data = json.loads(res.stdout)  # stdout is the JSON and nothing else ...
    assert data["ok"] is True and data["results"][0]["pair"] == "addTwo"
    assert "all 1 checks OK" in res.stderr  # ... the text report went to stderr
    # compare, run from the same subfolder, finds addTwo through the suite's paths
    res = portcheck("compare", "addTwo", f"{tmp_path}/port.py:add_two", "--args-from",
                    f"{tmp_path}/port.py:make", "--json", "-", cwd=deep)
    assert res.returncode == 0, res.stdout + res.stderr
    assert json.loads(res.stdout)["ok"] is True


def test_no_suite_anywhere_is_a_usage_error(tmp_path):
    res = portcheck("run", cwd=tmp_path)
    assert res.returncode == 2
    assert "no suite found" in res.stderr and "[tool.portcheck]" in res.stderr


@pytest.mark.octave
@pytest.mark.parametrize("command", ["compare", "gradient", "run"])
def test_a_missing_octave_function_exits_2_everywhere(tmp_path, command):
    (tmp_path / "port.py").write_text("import numpy as np\ndef f(x):\n    return (float(x @ x), 2 * x)\n"
                                      "def make():\n    return (np.arange(3.0),)\n")
    (tmp_path / "portcheck.toml").write_text('[[portcheck.pair]]\noctave = "noSuchFunctionAnywhere"\n'
                                             'python = "port.py:f"\ninputs = "port.py:make"\n')
    args = {"compare": ["compare", "noSuchFunctionAnywhere", "port.py:f", "--args-from", "port.py:make"],
            "gradient": ["gradient", "noSuchFunctionAnywhere", "--octave-function", "--args-from", "port.py:make"],
            "run": ["run"]}[command]
    res = portcheck(*args, cwd=tmp_path)
    assert res.returncode == 2, res.stdout + res.stderr
    assert "'noSuchFunctionAnywhere' was not found" in res.stderr


def test_every_option_has_help_and_every_command_an_example():
    import argparse

    from portcheck.cli import build_parser

    parser = build_parser()
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert set(sub.choices) >= {"demo", "compare", "gradient", "run", "lint", "doctor", "guide"}
    for name, sp in sub.choices.items():
        assert sp.epilog and "example" in sp.epilog and f"portcheck {name}" in sp.epilog, name
        for action in sp._actions:
            assert action.help and action.help != argparse.SUPPRESS, f"{name} {action.dest}"
        res = portcheck(name, "--help")
        assert res.returncode == 0 and f"portcheck {name}" in res.stdout.split("example", 1)[1]


def test_guide_prints_a_page_and_takes_lint_links():
    page = portcheck("guide", "column-major-order")
    assert page.returncode == 0 and page.stdout.startswith("# Column-major order")
    lint = portcheck("lint", "examples/ports/student_nn.py")
    link = lint.stdout.split("[see ", 1)[1].split(":", 1)[0]  # migration_guide/....md
    assert portcheck("guide", link).stdout == (ROOT / link).read_text()
    listing = portcheck("guide", "--list")
    assert "column-major-order" in listing.stdout and "std-var-ddof" in listing.stdout
    bad = portcheck("guide", "no-such-topic")
    assert bad.returncode == 2 and "topics:" in bad.stderr


@pytest.mark.octave
def test_doctor_prints_its_table_on_a_terminal():
    import os
    import pty

    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": "140", "TERM": "xterm-256color"}
    proc = subprocess.Popen([sys.executable, "-m", "portcheck", "doctor"], stdout=follower, stderr=follower,
                            stdin=subprocess.DEVNULL, cwd=ROOT, env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # the terminal closed: the process has finished writing
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    assert proc.wait(timeout=120) == 0
    screen = b"".join(chunks).decode("utf-8", "replace")
    assert "SetupCheck(" not in screen and "SetupReport(" not in screen
    assert "portcheck doctor" in screen and "┃" in screen and "bit-identical" in screen
    assert "\x1b[" in screen  # coloured, as a terminal should be


@pytest.mark.octave
def test_starting_octave_leaves_term_alone():
    code = ("import os, portcheck\n"
            "with portcheck.Octave() as oc:\n    oc.call('sigmoid', 0.0)\n    during = os.environ.get('TERM')\n"
            "    oc.restart()\n"
            "print(during, os.environ.get('TERM'))\n")
    import os

    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT,
                         env={**os.environ, "TERM": "xterm-256color"})
    assert res.stdout.split() == ["xterm-256color", "xterm-256color"], res.stderr


@pytest.mark.octave
def test_demo_without_scikit_learn_runs_the_rest_and_says_so():
    code = ("import sys\nsys.modules['sklearn'] = None  # as if scikit-learn were not installed\n"
            "from portcheck.cli import main\nraise SystemExit(main(['demo']))\n")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr
    assert "scikit-learn is not installed" in res.stderr and "training run" in res.stderr
    assert "planted mistakes named" in res.stdout


def _read_pty(argv, cwd, env) -> tuple[int, str]:
    import os
    import pty

    leader, follower = pty.openpty()
    proc = subprocess.Popen(argv, stdout=follower, stderr=follower, stdin=subprocess.DEVNULL, cwd=cwd, env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    return proc.wait(timeout=300), b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.octave
def test_progress_shows_on_a_terminal_and_stays_out_of_pipes(tmp_path):
    import os

    deep = _suite_project(tmp_path)
    piped = portcheck("run", cwd=deep)
    assert piped.returncode == 0 and piped.stderr == ""  # nothing but the report in logs
    env = {**os.environ, "COLUMNS": "120", "TERM": "xterm-256color", "PYTHONPATH": str(ROOT)}
    code, screen = _read_pty([sys.executable, "-m", "portcheck", "run"], deep, env)
    assert code == 0
    assert "compare addTwo" in screen and "0/1" in screen  # the bar, with the check in progress
