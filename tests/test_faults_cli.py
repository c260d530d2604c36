"""Faults and bad input at the command line and in suite files.

Suite files are validated before anything runs (exit 2 naming file, key and
what is expected); output files never overwrite an input; Ctrl-C exits 130;
a port that kills its interpreter in ``portcheck run`` costs only its own result.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from portcheck.cli import main

ROOT = Path(__file__).resolve().parents[1]
FAULTS = Path(__file__).parent / "octave_fixtures" / "faults"

pytestmark = pytest.mark.faults

PORTS = '''
import os


def value(x):
    return x + 1


def exits(x):
    os._exit(3)


def crashes(x):
    import ctypes
    return ctypes.string_at(0)


def args():
    return (1.0,)
'''


def _suite(tmp_path: Path, body: str, top: str = "") -> Path:
    (tmp_path / "ports.py").write_text(PORTS)
    path = tmp_path / "portcheck.toml"
    paths = "" if top.startswith("paths") else f"paths = [{str(FAULTS)!r}]\n"
    path.write_text(f"[portcheck]\n{paths}{top}\n" + textwrap.dedent(body))
    return path


PAIR = """
[[portcheck.pair]]
name = "value"
octave = "pf_value"
python = "ports.py:value"
inputs = "ports.py:args"
"""


# -- suite files are validated at every level ------------------------------------------


@pytest.mark.parametrize("top, body, key, expected", [
    ("timout = 2", PAIR, "portcheck", "unknown keys 'timout' (did you mean 'timeout'?)"),
    ("", PAIR + "chekcs = ['compare']\n", "portcheck.pair #1 ('value')", "did you mean 'checks'?"),
    ("", PAIR + "checks = ['minimize']\n[portcheck.pair.minimize]\nmaxiterz = 3\n",
     "portcheck.pair #1 ('value').minimize", "unknown [minimize] options 'maxiterz'"),
    ('paths = "refs"', PAIR, "portcheck.paths", "expected a list of folders"),
    ('catalog = "faithful"', PAIR, "portcheck.catalog", "expected a list of catalog names"),
    ("", PAIR + 'expect = "scale"\n', "portcheck.pair #1 ('value').expect", "expected a list of finding kinds"),
    ("", PAIR + 'expect = ["scael"]\n', "portcheck.pair #1 ('value').expect[0]", "expected a finding kind"),
    ("rtol = -1e-3", PAIR, "portcheck.rtol", "expected a number ≥ 0"),
    ("", PAIR + "nout = 0\n", "portcheck.pair #1 ('value').nout", "expected a whole number ≥ 1"),
    ("", PAIR + "nout = 1.5\n", "portcheck.pair #1 ('value').nout", "expected a whole number ≥ 1"),
    ('timeout = "2"', PAIR, "portcheck.timeout", "expected a positive number"),
    ("timeout = 0", PAIR, "portcheck.timeout", "expected a positive number"),
    ("", PAIR + "checks = []\n", "portcheck.pair #1 ('value').checks", "at least one check"),
    ("", PAIR.replace('inputs = "ports.py:args"', 'inputs = { case = "ex4.nnCostFunction", seed = 1 }'),
     "portcheck.pair #1 ('value').inputs", "unknown keys 'seed'"),
])
def test_a_bad_suite_file_exits_2_naming_file_key_and_what_is_expected(tmp_path, capsys, top, body, key,
                                                                        expected):
    path = _suite(tmp_path, body, top)
    assert main(["run", str(path)]) == 2
    captured = capsys.readouterr()
    assert f"{path}: {key}" in captured.err
    assert expected in captured.err
    assert captured.out == ""  # nothing ran, nothing was blamed on the port


@pytest.mark.octave
def test_a_suite_saved_with_a_byte_order_mark_and_crlf_runs(tmp_path, capsys):
    # What Windows editors write: UTF-8 with a BOM, CRLF line ends; TOML is UTF-8, the BOM is not content.
    path = _suite(tmp_path, PAIR)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_text().replace("\n", "\r\n").encode())
    assert main(["run", str(path)]) == 0, capsys.readouterr()


def test_a_suite_that_is_not_utf8_exits_2_saying_so(tmp_path, capsys):
    path = _suite(tmp_path, PAIR.replace('name = "value"', 'name = "valeur é"'))
    path.write_bytes(path.read_text().encode("latin-1"))
    assert main(["run", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}" in err and "UTF-8" in err


@pytest.mark.octave
def test_a_run_that_would_run_no_check_is_an_error_not_all_ok(tmp_path, capsys):
    path = _suite(tmp_path, PAIR)
    assert main(["run", str(path), "--check", "minimize"]) == 2
    captured = capsys.readouterr()
    assert "nothing to run" in captured.err
    assert "OK" not in captured.out


# -- output files ---------------------------------------------------------------------


@pytest.mark.parametrize("flag, target", [("--json", "portcheck.toml"), ("--html", "ports.py"),
                                          ("--json", "refs.m")])
def test_outputs_never_overwrite_an_input_and_are_checked_before_the_run(tmp_path, capsys, flag, target):
    # The port leaves a witness when called: the output must be refused before the run.
    (tmp_path / "witness.py").write_text("from pathlib import Path\n\n\ndef value(x):\n"
                                         "    Path(__file__).with_name('ran').touch()\n    return x + 1\n")
    path = _suite(tmp_path, PAIR.replace("ports.py:value", "witness.py:value"))
    victim = tmp_path / target
    if not victim.exists():
        victim.write_text("% someone's file\n")
    before = victim.read_text()
    assert main(["run", str(path), flag, str(victim)]) == 2
    assert not (tmp_path / "ran").exists()
    assert victim.read_text() == before
    captured = capsys.readouterr()
    assert "overwrite" in captured.err and captured.out == ""


def test_an_output_in_a_missing_folder_is_refused_before_the_run(tmp_path, capsys):
    path = _suite(tmp_path, PAIR)
    assert main(["run", str(path), "--json", str(tmp_path / "nope" / "r.json")]) == 2
    captured = capsys.readouterr()
    assert "does not exist" in captured.err and captured.out == ""


@pytest.mark.octave
def test_one_failing_output_does_not_drop_the_other(tmp_path, capsys):
    path = _suite(tmp_path, PAIR)
    broken = tmp_path / "full.json"
    broken.symlink_to("/dev/full")  # opens fine, every write fails (no space left)
    html = tmp_path / "r.html"
    assert main(["run", str(path), "--json", str(broken), "--html", str(html)]) == 2
    assert html.is_file() and "pf_value" in html.read_text()
    assert "full.json" in capsys.readouterr().err


# -- Ctrl-C ---------------------------------------------------------------------------


def _portcheck(*argv: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT), **(env or {}))
    return subprocess.Popen([sys.executable, "-m", "portcheck", *argv], cwd=cwd, env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_file(path: Path, proc: subprocess.Popen, limit: float = 300) -> None:
    """Until ``path`` exists; fails at once with the output if ``proc`` ended first."""
    deadline = time.monotonic() + limit
    while not path.exists():
        if proc.poll() is not None:
            out, err = proc.communicate()
            raise AssertionError(f"ended (status {proc.returncode}) before {path.name} was made: {out} {err}")
        assert time.monotonic() < deadline, f"{path.name} not made within {limit} s"
        time.sleep(0.05)


@pytest.mark.octave
@pytest.mark.parametrize("command", ["compare", "run"])
def test_ctrl_c_exits_130_and_judges_nothing(tmp_path, command):
    # The reference marks the moment its loop starts, so Ctrl-C lands in the call at any load.
    mark = tmp_path / "looping"
    path = _suite(tmp_path, PAIR.replace("pf_value", "pf_forever_marked"))
    if command == "compare":
        argv = ["compare", "pf_forever_marked", "ports.py:value", "--args-from", "ports.py:args",
                "--path", str(FAULTS)]
    else:
        argv = ["run", str(path)]
    proc = _portcheck(*argv, cwd=tmp_path, env={"PORTCHECK_TEST_MARK": str(mark)})
    _wait_for_file(mark, proc)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, (out, err)
    assert "interrupted" in err
    assert "OK" not in out and "FAIL" not in out


@pytest.mark.octave
def test_ctrl_c_while_octave_starts_is_not_swallowed(tmp_path):
    # addpath runs a folder's PKG_ADD, so Octave itself presses Ctrl-C for the user in the middle
    # of the session's set-up (where octave_kernel catches KeyboardInterrupt and carries on).
    folder = tmp_path / "refs"
    folder.mkdir()
    (folder / "PKG_ADD").write_text("kill(getppid(), 2);\npause(1);\n")
    _suite(tmp_path, PAIR)
    proc = _portcheck("compare", "pf_value", "ports.py:value", "--args-from", "ports.py:args",
                      "--path", str(FAULTS), "--path", str(folder), cwd=tmp_path)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, (out, err)
    assert "interrupted" in err
    assert "OK" not in out and "FAIL" not in out


# -- --json - keeps standard output for the JSON ----------------------------------------------


@pytest.mark.octave
@pytest.mark.parametrize("command", ["compare", "run"])
def test_json_on_stdout_stays_parseable_when_the_port_prints(tmp_path, command):
    # Ports often keep their debug prints; with `--json - | jq` those must not land in the JSON.
    path = _suite(tmp_path, PAIR.replace("ports.py:value", "chatty.py:value"))
    (tmp_path / "chatty.py").write_text("def value(x):\n    print('debug: x =', x)\n    return x + 1\n")
    if command == "compare":
        argv = ["compare", "pf_value", "chatty.py:value", "--args-from", "ports.py:args", "--path", str(FAULTS)]
    else:
        argv = ["run", str(path)]
    proc = _portcheck(*argv, "--json", "-", cwd=tmp_path)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, (out, err)
    payload = json.loads(out)
    assert payload["ok"]
    assert "debug: x = 1.0" in err  # the port's output is still shown, on stderr


# -- a port that ends its interpreter ------------------------------------------------------


@pytest.mark.octave
@pytest.mark.parametrize("port, death", [("exits", "exited with status 3"), ("crashes", "SIGSEGV")])
def test_a_port_that_kills_its_interpreter_costs_only_its_own_result(tmp_path, port, death):
    body = PAIR + PAIR.replace('name = "value"', 'name = "dies"').replace("ports.py:value", f"ports.py:{port}") \
        + PAIR.replace('name = "value"', 'name = "after"')
    path = _suite(tmp_path, body)
    out_json = tmp_path / "r.json"
    proc = _portcheck("run", str(path), "--json", str(out_json), cwd=tmp_path)
    out, err = proc.communicate(timeout=180)
    assert proc.returncode == 1, (out, err)
    results = {r["pair"]: r for r in json.loads(out_json.read_text())["results"]}
    assert results["value"]["ok"] and results["after"]["ok"]
    (finding,) = results["dies"]["findings"]
    assert finding["kind"] == "python-error" and death in finding["message"]
