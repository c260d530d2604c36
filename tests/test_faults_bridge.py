"""Faults and bad input at the Octave bridge: no stale answer, no hang, no touched file.

Every test drives real GNU Octave; the ones that need a signal or a killed
process run a small Python child (``_child``) and act on it from outside.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from portcheck import Octave
from portcheck.errors import (
    ConversionError,
    InputError,
    OctaveRuntimeError,
    OctaveSessionError,
    OctaveTimeoutError,
)

ROOT = Path(__file__).resolve().parents[1]
FAULTS = Path(__file__).parent / "octave_fixtures" / "faults"

pytestmark = [pytest.mark.octave, pytest.mark.faults]


@pytest.fixture(scope="module")
def oc(faults_octave):
    return faults_octave


def _child(code: str, cwd: Path | None = None) -> subprocess.Popen:
    """A Python process running ``code`` with this checkout's portcheck importable."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], cwd=cwd or ROOT, env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(proc: subprocess.Popen, word: str, limit: float = 60) -> str:
    """Read the child's stdout up to a line equal to ``word``."""
    seen = []
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(line)
        if line.strip() == word:
            return "".join(seen)
    proc.kill()
    raise AssertionError(f"child never printed {word!r}; stdout {''.join(seen)!r}; stderr {proc.stderr.read()!r}")


# -- a result always belongs to its call -----------------------------------------


@pytest.mark.parametrize("fault", ["pf_restoredefaultpath", "pf_rmpath", "pf_addpath", "pf_cd", "pf_clearall"])
def test_a_reference_that_changes_path_or_folder_leaves_later_calls_correct(fault):
    with Octave(paths=[FAULTS], timeout=20) as session:
        assert session.call("pf_value", 1.0) == 2.0
        assert session.call(fault, 3.0) == 6.0
        # neither the previous answer (6.0) nor the shadow folder's pf_value (1005)
        assert session.call("pf_value", 5.0) == 6.0
        assert session.call("pf_value", 7.0) == 8.0
        assert session.call(fault, 4.0) == 8.0


def test_a_folder_qualified_call_leaves_the_users_file_first(tmp_path):
    with Octave(paths=[FAULTS / "user"]) as session:
        assert session.call("nnCostFunction", nout=1) == -42.0
        session.call("ex4/predict", np.ones((1, 3)), np.ones((1, 2)), np.ones((1, 2)))
        # the user's file still wins, as resolve() says
        assert session.call("nnCostFunction", nout=1) == -42.0
        assert session.resolve("nnCostFunction") == ("nnCostFunction", "")


def test_two_threads_on_one_session_each_get_their_own_answers(oc):
    wrong = []

    def work(offset: float) -> None:
        for i in range(60):
            x = offset + i
            got = oc.call("pf_value", x)
            if got != x + 1:
                wrong.append((x, got))

    threads = [threading.Thread(target=work, args=(k * 1000.0,)) for k in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wrong == []


def test_two_threads_starting_their_first_sessions_at_once_both_work_and_stderr_survives():
    proc = _child("""
        import os, sys, threading
        from portcheck import Octave
        results, errors = [], []
        def start():
            try:
                with Octave() as oc:
                    results.append(oc.call("plus", 1.0, 2.0))
            except Exception as exc:
                errors.append(repr(exc))
        ts = [threading.Thread(target=start) for _ in range(2)]
        [t.start() for t in ts]; [t.join() for t in ts]
        print(results, errors)
        os.write(2, b"stderr-still-here\\n")
    """)
    out, err = proc.communicate(timeout=120)
    assert out.strip() == "[3.0, 3.0] []"
    assert "stderr-still-here" in err


# -- Ctrl-C and timeouts -------------------------------------------------------------


@pytest.mark.parametrize("how", ["call('pf_forever_marked', 1.0)", "eval('pf_forever_marked(1)')"])
def test_ctrl_c_during_a_call_raises_keyboardinterrupt_and_the_session_stays_usable(tmp_path, how):
    mark = tmp_path / "looping"  # made by the reference once its loop starts: Ctrl-C lands in the call
    proc = _child(f"""
        import os
        from portcheck import Octave
        os.environ["PORTCHECK_TEST_MARK"] = {str(mark)!r}
        oc = Octave(paths=[{str(FAULTS)!r}])
        try:
            value = oc.{how}
            print("returned", value)
        except KeyboardInterrupt:
            print("interrupted")
        print("next", oc.call("pf_value", 1.0))
        oc.close()
    """)
    deadline = time.monotonic() + 300
    while not mark.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert "interrupted" in out, (out, err)
    assert "returned" not in out
    assert "next 2.0" in out


def test_timeout_holds_when_the_reference_ignores_the_interrupt(oc):
    start = time.monotonic()
    with pytest.raises(OctaveTimeoutError) as info:
        oc.call("pf_deaf", 1.0, timeout=1.0)
    assert time.monotonic() - start < 120  # stopped and restarted, where it would run forever
    assert info.value.restarted
    assert oc.call("pf_value", 1.0) == 2.0


@pytest.mark.parametrize("fault, word", [("pf_input", "input"), ("pf_keyboard", "keyboard"),
                                         ("pf_pause", "pause")])
def test_keyboard_input_in_a_reference_fails_fast_and_says_so(oc, fault, word):
    start = time.monotonic()
    with pytest.raises(OctaveRuntimeError, match=word) as info:
        oc.call(fault, 1.0, timeout=300)
    assert time.monotonic() - start < 100  # failed at once, not after the timeout
    assert "keyboard" in str(info.value)
    assert info.value.function == fault  # the reference's line, not portcheck's stand-in
    assert oc.call("pause", 0.01, nout=0) is None  # a timed pause still works
    assert oc.call("pf_value", 1.0) == 2.0


@pytest.mark.parametrize("bad", [0, -1, "2", float("nan"), True])
def test_a_timeout_that_is_not_a_positive_number_is_an_input_error(oc, bad):
    with pytest.raises(InputError, match="timeout"):
        oc.call("pf_value", 1.0, timeout=bad)
    with pytest.raises(InputError, match="timeout"):
        Octave(timeout=bad)


def test_an_executable_that_never_answers_hits_the_startup_timeout(tmp_path):
    fake = tmp_path / "octave-cli"
    fake.write_text("#!/bin/sh\nexec sleep 60\n")
    fake.chmod(0o755)
    start = time.monotonic()
    with pytest.raises(OctaveSessionError, match="did not answer within 1 s"):
        Octave(executable=str(fake), startup_timeout=1)
    assert time.monotonic() - start < 45  # not the 60 s the program sleeps


# -- files ---------------------------------------------------------------------------


def test_no_octave_workspace_is_written_and_the_users_file_is_untouched(tmp_path):
    mine = tmp_path / "octave-workspace"
    mine.write_text("the user's own file\n")
    proc = _child(f"""
        import os, signal, time, warnings
        from portcheck import Octave
        warnings.simplefilter("ignore")
        a = Octave(paths=[{str(FAULTS)!r}])
        a.eval("x = ones(3);")
        a.close()
        b = Octave()
        b.eval("y = 2;")
        child = b._oc._engine.repl.child
        os.kill(child.pid, signal.SIGTERM)   # Octave killed from outside
        deadline = time.monotonic() + 60
        while child.isalive() and time.monotonic() < deadline:  # dead before the next call, at any load
            time.sleep(0.05)
        try:
            b.call("plus", 1.0, 1.0)
        except Exception:
            pass
        c = Octave()          # never closed: stopped at interpreter exit
        c.eval("z = 3;")
        print("done")
    """, cwd=tmp_path)
    out, err = proc.communicate(timeout=120)
    assert "done" in out, err
    assert mine.read_text() == "the user's own file\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["octave-workspace"]


def test_exchange_folders_are_removed_on_close_and_after_a_killed_run():
    report = textwrap.dedent("""
        import json
        from portcheck import Octave
        oc = Octave()
        print(json.dumps([oc._oc._settings.temp_dir, oc._oc._engine.tmp_dir]), flush=True)
    """)
    closed = _child(report + "oc.close()\nprint('closed')\n")
    out, err = closed.communicate(timeout=120)
    folders = json.loads(out.splitlines()[0])
    assert not any(Path(f).exists() for f in folders), (folders, err)

    killed = _child(report + "print('ready', flush=True)\nimport time; time.sleep(60)\n")
    folders = json.loads(_wait_for(killed, "ready").splitlines()[0])
    assert all(Path(f).exists() for f in folders)
    killed.kill()
    killed.wait()
    with Octave() as later:  # the next run cleans up after the killed one
        assert later.call("plus", 1.0, 1.0) == 2.0
    assert not any(Path(f).exists() for f in folders), folders


# -- conversions ---------------------------------------------------------------------


def test_non_ascii_strings_round_trip(oc):
    assert oc.call("deal", "naïve café", nout=1) == "naïve café"
    assert oc.call("pf_text", "ö") == "ö ünïcode"
    assert oc.call("numel", "naïve café") == len("naïve café".encode("utf-8"))  # Octave counts UTF-8 bytes


def test_a_non_ascii_folder_is_put_on_the_path(tmp_path):
    folder = tmp_path / "réfs ñ"
    folder.mkdir()
    (folder / "pf_accented.m").write_text("function y = pf_accented(x)\n  y = 3 * x;\nend\n")
    with Octave(paths=[folder], bundled=False) as session:
        assert session.call("pf_accented", 2.0) == 6.0


def test_struct_arrays_come_back_as_lists_of_dicts(oc):
    assert oc.call("pf_structarray", 0.0) == [{"a": 1.0, "b": "p"}, {"a": 2.0, "b": "q"}]


def test_sparse_results_come_back_dense(oc):
    got = oc.call("pf_sparse", 2.0)
    assert isinstance(got, np.ndarray) and got.shape == (3, 3)
    assert np.array_equal(got, 2 * np.eye(3))


def test_a_char_matrix_result_is_a_conversion_error_naming_it(oc):
    with pytest.raises(ConversionError, match=r"output 1 of pf_charmatrix is a 2x2 char matrix"):
        oc.call("pf_charmatrix", 0.0)
    assert oc.call("pf_value", 1.0) == 2.0


def test_integers_beyond_2_to_53_are_a_conversion_error_both_ways(oc):
    with pytest.raises(ConversionError, match="output 1 of pf_bigint.*1152921504606846977"):
        oc.call("pf_bigint", 0.0)
    with pytest.raises(ConversionError, match="argument 1 of plus.*1152921504606846977"):
        oc.call("plus", np.array([2**60 + 1], dtype=np.uint64), 1.0)
    with pytest.raises(ConversionError, match="argument 1 of plus"):
        oc.call("plus", 2**60 + 1, 1.0)
    assert oc.call("plus", np.array([2**53], dtype=np.int64), 0.0) == float(2**53)


def test_dict_keys_that_are_not_field_names_are_a_conversion_error(oc):
    with pytest.raises(ConversionError, match=r"argument 1 of isstruct.*key 1"):
        oc.call("isstruct", {1: np.ones(2)})
    with pytest.raises(ConversionError, match=r"key '2nd'"):
        oc.call("isstruct", {"2nd": 1.0})


# -- API arguments -------------------------------------------------------------------


def test_api_arguments_are_checked_with_clear_errors(oc, tmp_path):
    with Octave(paths=None, bundled=False) as bare:
        assert bare.paths == []
    with pytest.raises(InputError, match="by name"):
        oc.call(None)
    for bad in (-1, 1.5, "2", True):
        with pytest.raises(InputError, match="nout"):
            oc.call("pf_value", 1.0, nout=bad)
    (tmp_path / "pf_added.m").write_text("function y = pf_added(x)\n  y = x - 1;\nend\n")
    oc.add_paths(str(tmp_path))  # one folder given as a str
    assert oc.call("pf_added", 1.0) == 0.0
    with pytest.raises(InputError, match="folder"):
        oc.add_paths(42)
