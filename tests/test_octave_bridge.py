"""The Octave bridge against real GNU Octave: conversion rules and errors."""

from __future__ import annotations

import os
import time
import warnings
from pathlib import Path

import numpy as np
import pytest

import portcheck
from portcheck import Octave
from portcheck.errors import (
    AmbiguousFunctionError,
    InputError,
    OctaveFunctionNotFoundError,
    OctaveNotFoundError,
    OctaveRuntimeError,
    OctaveSessionError,
    OctaveSyntaxError,
    OctaveTimeoutError,
    PortcheckError,
    PrecisionWarning,
    SessionRestartedWarning,
)

FIXTURES = Path(__file__).parent / "octave_fixtures"
BRIDGE = FIXTURES / "bridge"

pytestmark = pytest.mark.octave


@pytest.fixture(scope="module")
def oc():
    """A session with the bridge fixtures on its path (separate from the shared one,
    because these tests time out, kill and restart Octave on purpose)."""
    session = Octave(paths=[BRIDGE])
    yield session
    session.close()


# -- Python -> Octave ---------------------------------------------------------


def test_1d_array_arrives_as_column(oc):
    cls, size, val = oc.call("pc_describe", np.arange(4.0))
    assert cls == "double"
    np.testing.assert_array_equal(size, [[4, 1]])
    assert val.shape == (4, 1)


def test_2d_array_keeps_shape_and_values(oc):
    a = np.arange(6.0).reshape(2, 3)
    cls, size, val = oc.call("pc_describe", a)
    np.testing.assert_array_equal(size, [[2, 3]])
    np.testing.assert_array_equal(val, a)


def test_python_scalars_become_double_scalars(oc):
    for v in (3, 2.5):
        cls, size, val = oc.call("pc_describe", v)
        assert cls == "double"
        assert val == v and isinstance(val, float)
    cls, _, val = oc.call("pc_describe", True)
    assert cls == "logical" and val == 1.0


def test_numpy_integer_scalar_is_sent_as_double(oc):
    # oct2py alone sends np.int64 as int64, and 1/(2*m) would become integer math.
    cls, _, _ = oc.call("pc_describe", np.int64(3))
    assert cls == "double"
    assert oc.call("pc_half", np.int64(4)) == pytest.approx(0.125)


def test_integer_array_keeps_values_as_double(oc):
    y = np.array([1, 2, 3], dtype=np.int64)
    cls, size, val = oc.call("pc_describe", y)
    assert cls == "double"
    np.testing.assert_array_equal(val[:, 0], y)


def test_bool_array_arrives_as_logical(oc):
    cls, _, val = oc.call("pc_describe", np.array([True, False, True]))
    assert cls == "logical"
    np.testing.assert_array_equal(val[:, 0], [1.0, 0.0, 1.0])


def test_float32_arrives_as_single_with_a_warning(oc):
    with pytest.warns(PrecisionWarning, match="single"):
        cls, _, val = oc.call("pc_describe", np.ones((2, 2), dtype=np.float32))
    assert cls == "single"
    assert val.dtype == np.float32


def test_dict_arrives_as_struct_and_comes_back_as_dict(oc):
    cls, _, val = oc.call("pc_describe", {"w": np.ones(2), "k": 3})
    assert cls == "struct"
    assert set(val) == {"w", "k"}
    assert val["k"] == 3.0 and val["w"].shape == (2, 1)


def test_callers_arrays_are_not_modified(oc):
    a = np.arange(5.0)
    before = a.copy()
    oc.call("pc_describe", a)
    np.testing.assert_array_equal(a, before)
    assert a.flags.writeable


def test_unsupported_argument_type_is_an_input_error(oc):
    with pytest.raises(InputError, match="cannot be sent to Octave"):
        oc.call("pc_describe", object())


# -- Octave -> Python ---------------------------------------------------------


def test_octave_values_come_back_by_the_documented_rules(oc):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PrecisionWarning)
        lg, i32, sg, em, st, ce, ch, cx = oc.call("pc_kinds")
    assert lg.dtype == np.float64 and lg.shape == (1, 3)  # logical -> float 0/1, not uint8
    np.testing.assert_array_equal(lg, [[0, 1, 1]])
    assert i32.dtype == np.float64
    np.testing.assert_array_equal(i32, [[4, 5]])
    assert sg.dtype == np.float32
    assert em.shape == (0, 3)  # empties keep their shape instead of becoming []
    assert st == {"a": pytest.approx(np.array([[1.0], [2.0]])), "b": 7.0}
    assert isinstance(ce, list) and ce[0] == 1.0 and ce[1].shape == (1, 2)
    assert ch == "text"
    assert np.iscomplexobj(cx) and cx[0, 0] == 1 + 2j


def test_single_result_warns_about_precision(oc):
    with pytest.warns(PrecisionWarning):
        oc.call("pc_describe", np.float32(2.0))


def test_scalar_result_is_a_python_float(oc):
    assert type(oc.call("plus", 1.0, 2.0)) is float


# -- nout ---------------------------------------------------------------------


def test_nout_defaults_to_the_functions_nargout(oc):
    out = oc.call("pc_outputs", 1.0)
    assert isinstance(out, tuple) and len(out) == 3
    assert out == (1.0, 2.0, 3.0)
    assert oc.nargout("pc_outputs") == 3


def test_explicit_nout(oc):
    assert oc.call("pc_outputs", 2.0, nout=1) == 2.0
    assert oc.call("pc_outputs", 2.0, nout=2) == (2.0, 4.0)


def test_builtin_functions_default_to_one_output(oc):
    assert oc.call("max", np.array([1.0, 5.0, 2.0])) == 5.0


# -- errors -------------------------------------------------------------------


def test_missing_octave_says_how_to_install(monkeypatch):
    # A real lookup of a path that does not exist: no Octave is mocked.
    with pytest.raises(OctaveNotFoundError, match="apt-get install -y octave"):
        Octave(executable="/nonexistent/octave-cli")
    monkeypatch.setenv("OCTAVE_EXECUTABLE", "/nonexistent/octave")
    with pytest.raises(OctaveNotFoundError, match="OCTAVE_EXECUTABLE|apt-get"):
        Octave()


def test_function_not_on_path_lists_the_folders(oc):
    with pytest.raises(OctaveFunctionNotFoundError) as info:
        oc.call("pc_no_such_function", 1.0)
    msg = str(info.value)
    assert str(BRIDGE) in msg and "matlab_refs" in msg
    assert isinstance(info.value, PortcheckError)


def test_syntax_error_names_file_and_line(oc):
    with pytest.raises(OctaveSyntaxError) as info:
        oc.call("pc_syntax", 1.0)
    assert info.value.file.endswith("pc_syntax.m")
    assert info.value.line == 4
    assert "pc_syntax.m, line 4" in str(info.value)


def test_runtime_error_gives_message_function_file_and_line(oc):
    with pytest.raises(OctaveRuntimeError) as info:
        oc.call("pc_oob", np.arange(3.0))
    err = info.value
    assert "out of bound" in err.octave_message
    assert err.function == "pc_oob"
    assert err.file.endswith("pc_oob.m") and err.line == 4


def test_timeout_interrupts_and_the_session_keeps_working(oc):
    start = time.perf_counter()
    with pytest.raises(OctaveTimeoutError) as info:
        oc.call("pc_forever", 1.0, timeout=1.0)
    assert time.perf_counter() - start < 120  # stopped, where it would run forever
    assert "pc_forever" in str(info.value)
    # the very next call succeeds on the same session
    assert oc.call("plus", 2.0, 3.0) == 5.0


def test_session_timeout_default_applies(oc):
    session = Octave(paths=[BRIDGE], timeout=5.0)  # ample for pc_half on a loaded machine
    try:
        with pytest.raises(OctaveTimeoutError):
            session.call("pc_forever", 0.0)
        assert session.call("pc_half", 2.0) == 0.25
    finally:
        session.close()


def test_dead_process_is_restarted_and_the_caller_told():
    session = Octave(paths=[BRIDGE])
    try:
        with pytest.warns(SessionRestartedWarning), pytest.raises(OctaveSessionError, match="started a new session"):
            session.call("pc_exit", 1.0)
        assert session.restarts == 1
        assert session.call("pc_half", 1.0) == 0.5  # paths restored after restart
    finally:
        session.close()


def test_closed_session_says_so():
    session = Octave(paths=[BRIDGE])
    session.close()
    assert session.closed
    with pytest.raises(OctaveSessionError, match="closed"):
        session.call("plus", 1.0, 1.0)


def test_bad_path_is_an_input_error():
    with pytest.raises(InputError, match="not a folder"):
        Octave(paths=["/nonexistent/refs"])


def test_user_paths_come_first_in_the_given_order():
    session = Octave(paths=[FIXTURES / "dup_a", FIXTURES / "dup_b"])
    try:
        assert session.call("pc_dup", 0.0) == 1.0
        assert session.call(str(FIXTURES / "dup_b") + "/pc_dup", 0.0) == 2.0
    finally:
        session.close()


def test_ambiguous_bundled_name_must_be_qualified(octave):
    dup = [name for name, files in octave._index.items() if len(files) > 1]
    if not dup:
        pytest.skip("no bare name is defined twice in the bundled references")
    name = dup[0]
    with pytest.raises(AmbiguousFunctionError, match="/" + name):
        octave.call(name)


def test_context_manager_closes(tmp_path):
    with Octave() as session:
        assert not session.closed
        assert session.call("plus", 1, 1) == 2.0
    assert session.closed


def test_importing_portcheck_starts_no_octave():
    import subprocess
    import sys

    code = (
        "import portcheck, subprocess, os;"
        "out = subprocess.run(['pgrep', '-P', str(os.getpid())], capture_output=True, text=True).stdout;"
        "print(len(out.split()))"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert res.stdout.strip() == "0"


# -- identical inputs on both sides --------------------------------------------


@pytest.mark.parametrize("shape", [(1, 0), (28, 0), (7, 1), (3, 4), (5, 3), (3, 5), (10, 25), (25, 400)])
def test_debug_weights_equal_octave_bit_for_bit(octave, shape):
    W = octave.call("debugInitializeWeights", *shape)
    W = np.atleast_2d(W)
    ours = portcheck.debug_weights(*shape)
    assert ours.shape == (shape[0], 1 + shape[1])
    assert np.array_equal(W, ours)  # bit for bit, not allclose


def test_c_order_hand_port_of_debug_weights_differs(octave):
    W = octave.call("debugInitializeWeights", 5, 3)
    hand_port = np.sin(np.arange(1, 21)).reshape(5, 4) / 10  # fills row by row
    assert not np.allclose(W, hand_port)


@pytest.mark.parametrize("m, n, k", [(5, 3, 3), (7, 4, 3), (16, 4, 10), (1, 2, 2)])
def test_debug_dataset_equals_octave(octave, m, n, k):
    Xo, yo = octave.call("debugDataset", m, n, k)
    X, y = portcheck.debug_dataset(m, n, k)
    assert np.array_equal(np.atleast_2d(Xo).reshape(X.shape), X)
    assert np.array_equal(np.reshape(yo, -1), y)
    assert y.min() >= 1 and y.max() <= k  # 1-based labels


def test_process_count_is_one_per_session(octave):
    # reuse: many calls, one process
    pid_before = octave._oc._engine.repl.child.pid
    for _ in range(20):
        octave.call("plus", 1.0, 1.0)
    assert octave._oc._engine.repl.child.pid == pid_before
    assert os.path.exists(f"/proc/{pid_before}") or os.name != "posix"


# -- empties and call-site errors ------------------------------------------------


def test_empty_matrix_comes_back_as_an_array_not_a_list(oc):
    # oct2py alone returns [] for a 0×0 result even with MATLAB shapes kept.
    out = oc.call("zeros", 0.0, 0.0)
    assert isinstance(out, np.ndarray) and out.shape == (0, 0) and out.dtype == np.float64
    back = oc.call("double", np.zeros((0, 0)))
    assert isinstance(back, np.ndarray) and back.shape == (0, 0)


def test_empty_1d_array_arrives_as_a_0x1_column(oc):
    # The column rule holds for n = 0 too (oct2py alone sends 0×0).
    _, size, val = oc.call("pc_describe", np.array([]))
    np.testing.assert_array_equal(size, [[0, 1]])
    assert val.shape == (0, 1)


def test_error_at_the_call_site_has_no_line_and_no_raw_frames(oc):
    # Octave reports line -1 for "called with too many inputs": no line, and the
    # bridge's internal frame markers must not leak into the message.
    with pytest.raises(OctaveRuntimeError) as info:
        oc.call("pc_half", 1.0, 2.0)
    err = info.value
    assert "too many inputs" in err.octave_message
    assert err.line is None
    assert "@frame" not in str(err) and "@frame" not in err.octave_message
