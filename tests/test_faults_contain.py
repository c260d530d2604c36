"""A port's faults stay with the port: what it raises, and what it changes in the caller's process.

Real Octave references (tests/octave_fixtures/faults) against small ports that
raise BaseException subclasses, exit while an optimizer runs, or change the
working folder, sys.path, NumPy's error state or the Ctrl-C handler.
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

import numpy as np
import pytest

from portcheck import Octave, check_gradient, compare, compare_minimize

ROOT = Path(__file__).resolve().parents[1]
FAULTS = Path(__file__).parent / "octave_fixtures" / "faults"

pytestmark = [pytest.mark.octave, pytest.mark.faults]


@pytest.fixture(scope="module")
def oc(faults_octave):
    return faults_octave


class PortAbort(BaseException):
    """What some ports raise to leave: a BaseException that is neither Ctrl-C nor exit."""


def _errors(report):
    return sorted({f.kind for f in report.errors})


# -- exceptions that are not Exceptions ------------------------------------------------------


@pytest.mark.parametrize("exc", [PortAbort("gave up"), GeneratorExit()])
def test_a_port_raising_a_base_exception_is_a_python_error_in_compare(oc, exc):
    def port(x):
        raise exc

    report = compare("pf_value", port, args=(1.0,), octave=oc)
    assert _errors(report) == ["python-error"], str(report)
    assert type(exc).__name__ in report.errors[0].message


def test_a_base_exception_in_a_gradient_objective_is_a_python_error():
    def cost(x):
        raise PortAbort("gave up")

    report = check_gradient(cost, np.array([1.0, 2.0]))
    assert _errors(report) == ["python-error"]
    assert "PortAbort" in report.errors[0].message


def test_ctrl_c_raised_in_a_port_still_stops_compare(oc):
    def port(x):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        compare("pf_value", port, args=(1.0,), octave=oc)


@pytest.mark.parametrize("leave", [lambda: sys.exit(2), lambda: (_ for _ in ()).throw(PortAbort("gave up"))])
def test_a_port_that_leaves_while_the_optimizer_runs_is_a_finding(oc, leave):
    calls = []

    def port(x):
        calls.append(1)
        if len(calls) > 6:  # fine at x0; leaves once scipy moves
            leave()
        return 0.5 * float(x @ x), x.copy()

    report = compare_minimize("pf_quad", port, np.array([1.0, -2.0, 3.0]), octave=oc, maxiter=20)
    assert "python-error" in _errors(report), str(report)


# -- process-wide state the port changes --------------------------------------------------------


def _state():
    return (os.getcwd(), list(sys.path), np.geterr(), signal.getsignal(signal.SIGINT), sys.getrecursionlimit(),
            signal.getsignal(signal.SIGALRM), signal.getitimer(signal.ITIMER_REAL))


def _meddler(folder):
    def port(x):
        os.chdir(folder)
        sys.path.insert(0, str(folder))
        np.seterr(all="raise")
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        # A low recursion limit made portcheck's own report rendering fail; an alarm left armed
        # (with the default handler) would kill the caller's process once it rang.
        sys.setrecursionlimit(250)
        signal.signal(signal.SIGALRM, signal.SIG_IGN)
        signal.setitimer(signal.ITIMER_REAL, 3600)
        return x + 1

    return port


def test_compare_puts_back_the_folder_path_error_state_and_ctrl_c(oc, tmp_path):
    before = _state()
    report = compare("pf_value", _meddler(tmp_path), args=(1.0,), octave=oc)
    assert report.ok, str(report)
    assert _state() == before


def test_a_gradient_check_puts_back_the_process_state(tmp_path):
    meddle = _meddler(tmp_path)

    def cost(x):
        meddle(0.0)
        return 0.5 * float(x @ x), x.copy()

    before = _state()
    assert check_gradient(cost, np.array([1.0, -2.0])).ok
    assert _state() == before


def test_minimize_puts_back_the_process_state(oc, tmp_path):
    meddle = _meddler(tmp_path)

    def port(x):
        meddle(0.0)
        return 0.5 * float(x @ x), x.copy()

    before = _state()
    report = compare_minimize("pf_quad", port, np.array([1.0, -2.0, 3.0]), octave=oc, maxiter=20)
    assert report.ok, str(report)
    assert _state() == before


def test_a_port_that_changes_folder_does_not_move_the_cli_report(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "ports.py").write_text(textwrap.dedent(f"""
        import os

        def value(x):
            os.chdir({str(elsewhere)!r})
            return x + 1

        def args():
            return (1.0,)
        """))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-m", "portcheck", "compare", "pf_value", "ports.py:value",
                           "--args-from", "ports.py:args", "--path", str(FAULTS), "--json", "r.json"],
                          cwd=tmp_path, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=180)
    assert proc.returncode == 0, proc.stderr
    assert json.loads((tmp_path / "r.json").read_text())["ok"]
    assert list(elsewhere.iterdir()) == []


# -- in `portcheck run`, what a port raises costs only its own result -----------------------------


RUN_PORTS = '''
class Abort(BaseException):
    pass


def value(x):
    return x + 1


def aborts(x):
    raise Abort("gave up")


def args():
    return (1.0,)
'''


def _pair(name: str, python: str) -> str:
    return (f'[[portcheck.pair]]\nname = "{name}"\noctave = "pf_value"\npython = "{python}"\n'
            f'inputs = "ports.py:args"\n')


def test_a_port_raising_its_own_base_exception_or_ctrl_c_costs_only_its_own_result(tmp_path):
    (tmp_path / "ports.py").write_text(RUN_PORTS)
    (tmp_path / "interrupts.py").write_text("raise KeyboardInterrupt\n\n\ndef value(x):\n    return x + 1\n")
    suite = tmp_path / "portcheck.toml"
    suite.write_text(f"[portcheck]\npaths = [{str(FAULTS)!r}]\n\n" + _pair("value", "ports.py:value")
                     + _pair("aborts", "ports.py:aborts") + _pair("interrupts", "interrupts.py:value")
                     + _pair("after", "ports.py:value"))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-m", "portcheck", "run", str(suite), "--json", "r.json"],
                          cwd=tmp_path, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=180)
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    results = {r["pair"]: r for r in json.loads((tmp_path / "r.json").read_text())["results"]}
    assert results["value"]["ok"] and results["after"]["ok"]
    for name, word in (("aborts", "Abort"), ("interrupts", "KeyboardInterrupt")):
        (finding,) = results[name]["findings"]
        assert finding["kind"] == "python-error" and word in finding["message"], finding


# -- a port whose exception cannot be printed ---------------------------------------------------


class Unprintable(Exception):
    def __str__(self):
        raise RuntimeError("no text for this one")


def _unprintable(x):
    raise Unprintable()


def test_a_port_raising_an_exception_that_cannot_be_printed_is_a_python_error(oc):
    report = compare("pf_value", _unprintable, args=(1.0,), octave=oc)
    assert _errors(report) == ["python-error"], str(report)
    assert "Unprintable" in report.errors[0].message and "cannot be shown" in report.errors[0].message
    assert "Unprintable" in str(report)

    report = check_gradient(lambda x: _unprintable(x), np.array([1.0, 2.0]))
    assert _errors(report) == ["python-error"], str(report)
    assert "Unprintable" in report.errors[0].message


# -- a port that takes the timer away -------------------------------------------------------------


def test_a_port_that_ignores_the_timeout_signal_is_still_stopped(tmp_path):
    # portcheck's timeout rings SIGALRM; this port ignores it, then spins.
    (tmp_path / "deaf.py").write_text(textwrap.dedent("""
        import signal

        def port(x):
            signal.signal(signal.SIGALRM, signal.SIG_IGN)
            while True:
                x = x + 1
        """))
    code = textwrap.dedent(f"""
        import signal, sys
        sys.path.insert(0, {str(tmp_path)!r})
        import deaf
        from portcheck import Octave, compare
        with Octave(paths=[{str(FAULTS)!r}]) as oc:
            report = compare("pf_value", deaf.port, args=(1.0,), octave=oc, timeout=1.0)
        print("KINDS", sorted({{f.kind for f in report.errors}}))
        print("MESSAGE", report.errors[0].message)
        print("DEFAULT HANDLER", signal.getsignal(signal.SIGALRM) == signal.SIG_DFL)
        """)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=240)
    assert "KINDS ['python-error']" in proc.stdout, (proc.stdout, proc.stderr)
    assert "PortTimeoutError" in proc.stdout and "more than 1 s" in proc.stdout
    assert "DEFAULT HANDLER True" in proc.stdout  # the port's SIG_IGN was not kept


# -- a port that never returns, in a gradient check ---------------------------------------------


def test_a_gradient_objective_that_never_returns_is_stopped_after_the_timeout():
    def cost(x):
        while x.size:
            pass

    start = time.monotonic()
    report = check_gradient(cost, np.array([1.0, 2.0]), timeout=1)
    assert time.monotonic() - start < 120  # where it would run forever
    assert _errors(report) == ["python-error"]
    assert "PortTimeoutError" in report.errors[0].message or "stopped" in report.errors[0].message


def test_a_suites_timeout_also_stops_a_hanging_port_in_its_gradient_check(tmp_path):
    (tmp_path / "ports.py").write_text(textwrap.dedent("""
        import numpy as np

        def hangs(x):
            while x.size:
                pass

        def fine(x):
            return 0.5 * float(x @ x), x.copy()

        def args():
            return (np.array([1.0, -2.0, 3.0]),)
        """))
    pairs = "".join(f'[[portcheck.pair]]\nname = "{name}"\noctave = "pf_quad"\npython = "ports.py:{name}"\n'
                    f'inputs = "ports.py:args"\nchecks = ["compare", "gradient"]\n\n' for name in ("hangs", "fine"))
    suite = tmp_path / "portcheck.toml"
    # 5 s per call: ample for "fine" on a loaded machine, and "hangs" never returns.
    suite.write_text(f"[portcheck]\npaths = [{str(FAULTS)!r}]\ntimeout = 5\n\n{pairs}")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-m", "portcheck", "run", str(suite), "--json", "r.json"],
                          cwd=tmp_path, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=240)
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    results = json.loads((tmp_path / "r.json").read_text())["results"]
    verdicts = {(r["pair"], r["check"]): r for r in results}
    assert verdicts[("fine", "compare")]["ok"] and verdicts[("fine", "gradient")]["ok"]
    assert verdicts[("hangs", "gradient")]["title"].startswith("ports.py:hangs")  # named as the user wrote it
    for check in ("compare", "gradient"):
        kinds = {f["kind"] for f in verdicts[("hangs", check)]["findings"] if f["severity"] == "error"}
        assert kinds == {"python-error"}, verdicts[("hangs", check)]


def test_an_octave_name_given_to_gradient_as_a_port_says_to_add_octave_function(tmp_path, monkeypatch, capsys):
    from portcheck.cli import main

    (tmp_path / "inputs.py").write_text("import numpy as np\n\ndef args():\n    return (np.ones(3),)\n")
    monkeypatch.chdir(tmp_path)
    assert main(["gradient", "pf_quad", "--args-from", "inputs.py:args", "--path", str(FAULTS)]) == 2
    assert "--octave-function" in capsys.readouterr().err


def test_a_reference_that_does_not_parse_is_reported_without_bridge_internals(tmp_path):
    (tmp_path / "pf_broken_syntax.m").write_text("function [J, g] = pf_broken_syntax(x)\n  J = 2 * (x;\n  g = x;\nend\n")
    with Octave(paths=[tmp_path]) as session:
        report = check_gradient("pf_broken_syntax", np.array([1.0, 2.0]), octave=session)
    (finding,) = report.errors
    assert finding.kind == "octave-error" and "line 2" in finding.message
    assert "@frame" not in finding.message and "portcheck_gradcheck" not in finding.message, finding.message


def test_an_object_array_output_is_named_as_such(oc):
    def port(x):
        return np.array([x + 1, "one"], dtype=object)[:1]

    report = compare("pf_value", port, args=(1.0,), octave=oc)
    assert _errors(report) == ["shape"]
    assert "dtype object" in report.errors[0].message and "ndarray" not in report.errors[0].message


# -- a port's megabytes of text stay out of the report ----------------------------------------------


def test_a_port_raising_megabytes_of_text_gives_a_short_finding(oc):
    def port(x):
        raise ValueError("z" * 5_000_000)

    report = compare("pf_value", port, args=(1.0,), octave=oc)
    (finding,) = report.errors
    assert finding.kind == "python-error" and "ValueError" in finding.message
    assert len(finding.message) < 10_000 and "characters cut" in finding.message
    assert len(str(report)) < 20_000 and len(json.dumps(report.to_dict())) < 50_000


# -- os._exit in a port is a finding, in the caller's own process -------------------------------------

OS_EXIT_SCRIPT = """
import os, sys
import numpy as np
import portcheck

def port(x):
    os._exit(7)

def cost(x):
    os._exit(7)

with portcheck.Octave(paths=[sys.argv[1]]) as oc:
    compared = portcheck.compare("pf_value", port, args=(1.0,), octave=oc)
    checked = portcheck.check_gradient(cost, np.array([1.0, 2.0]))
print("KINDS", sorted(compared.kinds), sorted(checked.kinds))
print("MESSAGE", checked.errors[-1].message)
"""


def test_os_exit_in_a_port_is_a_python_error_and_the_process_lives_on(tmp_path):
    script = tmp_path / "run_it.py"
    script.write_text(OS_EXIT_SCRIPT)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, str(script), str(FAULTS)], cwd=tmp_path, env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, (proc.returncode, proc.stdout, proc.stderr)
    assert "KINDS ['python-error'] " in proc.stdout and "'python-error'" in proc.stdout.split("] ", 1)[1]
    message = proc.stdout.split("MESSAGE ", 1)[1]
    assert "os._exit(7)" in message and "run_it.py" in message and "_contain" not in message


def test_a_port_forking_a_worker_that_exits_still_works(oc):
    def port(x):
        pid = os.fork()
        if pid == 0:
            os._exit(0)  # the child must really end, not raise into a copy of portcheck
        os.waitpid(pid, 0)
        return x + 1

    assert compare("pf_value", port, args=(1.0,), octave=oc).ok


def test_pytest_reports_a_suite_pair_whose_port_calls_os_exit_and_runs_the_rest(pytester):
    pytester.makefile(".py", ports=RUN_PORTS + "\n\ndef exits(x):\n    import os\n    os._exit(3)\n")
    pytester.makefile(".toml", portcheck=f"[portcheck]\npaths = [{str(FAULTS)!r}]\n\n" + _pair("value", "ports.py:value")
                      + _pair("exits", "ports.py:exits") + _pair("after", "ports.py:value"))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "portcheck.toml")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*os._exit(3)*"])
