"""The Octave side of a trace, against real GNU Octave.

References are the bundled ex4 network and small ``.m`` files written into a
user folder (``tmp_path``) the way users write them: helpers in the same
folder, Octave-only syntax, loops, several statements on a line.
"""

from __future__ import annotations

import hashlib
import tempfile
import textwrap
from pathlib import Path

import numpy as np
import pytest

from portcheck import Octave
from portcheck.errors import OctaveRuntimeError, OctaveTimeoutError
from portcheck.octave import bundled_refs_dir
from portcheck.trace import FULL_VALUE_LIMIT, Fingerprint, fingerprint
from portcheck.trace.octave_side import trace_octave

pytestmark = pytest.mark.octave

EX4 = bundled_refs_dir() / "ex4" / "nnCostFunction.m"

# A user's folder: a reference calling a helper of its own, and files that
# exercise the parser. Written once per module; every test reads it.
FILES = {
    "pcTwoLayer.m": """\
        function [J, grad] = pcTwoLayer(W1, W2, X, Y)
        % A reference calling a helper from the same folder.
          Z = X * W1';  S = pcRelu(Z);
          P = S * W2';
          dS = (P - Y) * W2; dH = dS; dH(Z <= 0) = 0;
          J = 0.5 * sum(sum((P - Y) .^ 2));
          grad = dH' * X;
        end
        """,
    "pcRelu.m": """\
        function A = pcRelu(Z)
          A = max(Z, 0);
        end
        """,
    "pcLoop.m": """\
        function acc = pcLoop(X)
          acc = zeros(size(X));
          for i = 1:4
            v = i * X;       % a new value every pass
            acc = acc + v;
          end
          [mx, ix] = max(acc(:));
          [~, iy] = min(acc(:));
        end
        """,
    "pcOctaveOnly.m": """\
        function [J, g] = pcOctaveOnly(X, y, n)
          # Octave comment; chained indexing, != and +=
          Y = eye(n)(y, :);   # one-hot
          J = 0;
          if any(y != 1)
            J += sum(Y(:));
          endif
          s = "a \\" string % not a comment";
          printf("");
          g = X' ...  continued
              * 2;
        endfunction
        """,
    "pcUnparsable.m": """\
        function y = pcUnparsable(x)
          y = x;
          a = b = y + 1;   % Octave's chained assignment; MATLAB's grammar has none
          y = a + b;
        end
        """,
    "pcFails.m": """\
        function y = pcFails(A, B)
          C = A';
          y = C * B;   % nonconformant on purpose
        end
        """,
    "pcReturns.m": """\
        function y = pcReturns(x)
          y = 2 * x;
          if x > 0
            return;
          end
          y = -x;
        end
        """,
    "pcBig.m": """\
        function s = pcBig(n)
          A = reshape(1:n, [], 2) / n;
          s = sum(A(:));
        end
        """,
    "pcSub.m": """\
        function y = pcSub(x)
          y = inner(x) + 1;
        end
        function z = inner(x)
          z = x .* x;
        end
        """,
    "pcFeval.m": """\
        function y = pcFeval(x)
          y = feval('pcRelu', x - 1);
        end
        """,
    "pcHelperFails.m": """\
        function y = pcHelperFails(x)
          z = 2 * x;
          y = pcBadHelper(z);
        end
        """,
    "pcBadHelper.m": """\
        function y = pcBadHelper(z)
          w = z(:, 1);
          y = w * z;   % nonconformant unless z is a column
        end
        """,
    "pcSlow.m": """\
        function x = pcSlow(x)
          while true
            x = x + 1;
          end
        end
        """,
    "pcSelfPath.m": """\
        function y = pcSelfPath(x)
          here = fileparts(mfilename('fullpath'));
          c = load(fullfile(here, 'pc_scale.txt'));
          y = c * x;
        end
        """,
    "pc_scale.txt": "3\n",
    "pcOctaveBlocks.m": """\
        function y = pcOctaveBlocks(x)
          #{
          y = 0;  (inside a block comment: not code)
          #}
          y = x;
          do
            y += 1;
          until y >= 3
          unwind_protect
            t = y ** 2;
          unwind_protect_cleanup
            u = !false;
          end_unwind_protect
          y = t + u;
        endfunction
        """,
    "pcKinds.m": """\
        function n = pcKinds(Z)
          mask = Z > 0;
          k = int32(5);
          c = 1 + 2i;
          e = zeros(0, 3);
          s = struct('a', 1);
          f = @(t) t + 1;
          n = sum(mask(:));
        end
        """,
    "pcSparse.m": """\
        function t = pcSparse(n)
          S = 2 * speye(n);
          s = speye(3);
          t = full(sum(S(:))) + trace(s);
        end
        """,
    "pcUsesDup.m": """\
        function y = pcUsesDup(x)
          y = pcDup(x) + 1;
        end
        """,
    "pcDup.m": """\
        function y = pcDup(x)
          y = 10 * x;
        end
        """,
}
# A second folder of the user's, defining pcDup again (the first folder wins).
SECOND = {
    "pcDup.m": """\
        function y = pcDup(x)
          y = -x;
        end
        """,
}


@pytest.fixture(scope="module")
def user_dir(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("user_refs")
    for name, text in FILES.items():
        (d / name).write_text(textwrap.dedent(text))
    (d / "second").mkdir()
    for name, text in SECOND.items():
        (d / "second" / name).write_text(textwrap.dedent(text))
    return d


@pytest.fixture(scope="module")
def uoc(user_dir):
    """A session with the user folders on its path (its own, so the shared one stays clean)."""
    session = Octave(paths=[user_dir, user_dir / "second"])
    yield session
    session.close()


def line_of(path: Path, snippet: str) -> int:
    """1-based line of the first line containing ``snippet``."""
    for i, text in enumerate(path.read_text().splitlines(), 1):
        if snippet in text:
            return i
    raise AssertionError(f"{snippet!r} not in {path}")


def steps_named(trace, name, file=None):
    return [s for s in trace.steps if s.name == name and (file is None or s.file == str(file))]


def folder_digest(d: Path) -> dict[str, str]:
    return {str(p.relative_to(d)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(d.rglob("*")) if p.is_file()}


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


@pytest.fixture(scope="module")
def ex4_case():
    rng = np.random.default_rng(4)
    il, hl, nl, m, lam = 3, 5, 3, 16, 1.5
    nn = rng.standard_normal(hl * (il + 1) + nl * (hl + 1))
    X = rng.standard_normal((m, il))
    y = (np.arange(m) % nl + 1).astype(float)
    return (nn, il, hl, nl, X, y, lam)


# -- the bundled ex4 network -------------------------------------------------


def test_ex4_intermediates_lines_and_values(octave, ex4_case):
    nn, il, hl, nl, X, y, lam = ex4_case
    trace = trace_octave(octave, "nnCostFunction", ex4_case, nout=2)
    assert trace.side == "octave"
    ref = str(EX4.resolve())

    # NumPy's version of every intermediate, MATLAB shapes.
    m = X.shape[0]
    T1 = nn[: hl * (il + 1)].reshape(hl, il + 1, order="F")
    T2 = nn[hl * (il + 1):].reshape(nl, hl + 1, order="F")
    a1 = np.hstack([np.ones((m, 1)), X])
    z2 = a1 @ T1.T
    a2 = np.hstack([np.ones((m, 1)), sigmoid(z2)])
    a3 = sigmoid(a2 @ T2.T)
    Y = np.eye(nl)[y.astype(int) - 1]
    W1, W2 = T1[:, 1:], T2[:, 1:]
    J = -np.sum(Y * np.log(a3) + (1 - Y) * np.log(1 - a3)) / m + lam / (2 * m) * (np.sum(W1**2) + np.sum(W2**2))
    d3 = a3 - Y
    d2 = (d3 @ W2) * sigmoid(z2) * (1 - sigmoid(z2))
    G1 = d2.T @ a1 / m
    G2 = d3.T @ a2 / m
    G1r, G2r = G1.copy(), G2.copy()
    G1r[:, 1:] += lam / m * W1
    G2r[:, 1:] += lam / m * W2
    expected = [
        ("a1", "a1 = [ones(m, 1), X];", a1), ("z2", "z2 = a1 * Theta1';", z2),
        ("a2", "a2 = [ones(m, 1), sigmoid(z2)];", a2), ("a3", "a3 = sigmoid(a2 * Theta2');", a3),
        ("Y", "Y = I(y(:), :);", Y), ("J", "J = -sum(sum(", J), ("d3", "d3 = a3 - Y;", d3),
        ("d2", "d2 = (d3 * W2)", d2),
    ]
    for name, snippet, value in expected:
        (step,) = steps_named(trace, name, ref)
        assert step.line == line_of(EX4, snippet), name
        assert step.function == "nnCostFunction"
        np.testing.assert_allclose(step.value, value, rtol=1e-12, atol=1e-14, err_msg=name)

    # Theta1_grad: assigned on two lines (the product, then the penalty on
    # the non-bias columns): one step per line, each with its own value.
    g1 = steps_named(trace, "Theta1_grad", ref)
    assert [s.line for s in g1] == [line_of(EX4, "Theta1_grad = (d2' * a1) / m;"),
                                    line_of(EX4, "Theta1_grad(:, 2:end) = ")]
    np.testing.assert_allclose(g1[0].value, G1, rtol=1e-12)
    np.testing.assert_allclose(g1[1].value, G1r, rtol=1e-12)
    np.testing.assert_allclose(steps_named(trace, "Theta2_grad", ref)[1].value, G2r, rtol=1e-12)

    # Execution order, and the helpers' own steps in their own files.
    names = [s.name for s in trace.steps if s.file == ref]
    assert names.index("a1") < names.index("z2") < names.index("a3") < names.index("J") < names.index("d2")
    assert [s.order for s in trace.steps] == list(range(len(trace.steps)))
    (g,) = steps_named(trace, "g", bundled_refs_dir() / "common" / "sigmoid.m")
    assert g.passes == 3  # sigmoid(z2), sigmoid(a2*Theta2'), inside sigmoidGradient
    np.testing.assert_allclose(g.first, sigmoid(z2), rtol=1e-12)
    assert g.total is None  # shapes differ between the passes (16x5, 16x3)
    assert trace.sources[ref][0].startswith("function [J, grad] = nnCostFunction")


def test_ex4_outputs_equal_an_untraced_call_and_later_calls_are_untraced(octave, ex4_case):
    trace = trace_octave(octave, "nnCostFunction", ex4_case, nout=2)
    J, grad = octave.call("nnCostFunction", *ex4_case, nout=2)
    assert isinstance(trace.outputs, tuple) and len(trace.outputs) == 2
    assert trace.outputs[0] == J
    np.testing.assert_array_equal(trace.outputs[1], grad)
    assert trace.outputs[1].shape == grad.shape
    # One output asked: one output given (and no gradient branch recorded).
    one = trace_octave(octave, "nnCostFunction", ex4_case, nout=1)
    assert one.outputs == (J,)
    assert not steps_named(one, "d2")
    # The instrumented copies left the path with their folder.
    assert "portcheck_trace_" not in str(octave.eval("path()"))


# -- the user's folder --------------------------------------------------------


def test_helper_in_the_user_folder_and_two_statements_on_a_line(uoc, user_dir):
    rng = np.random.default_rng(0)
    W1, W2 = rng.standard_normal((4, 3)), rng.standard_normal((2, 4))
    X, Y = rng.standard_normal((5, 3)), rng.standard_normal((5, 2))
    trace = trace_octave(uoc, "pcTwoLayer", (W1, W2, X, Y), nout=2)
    ref, helper = user_dir / "pcTwoLayer.m", user_dir / "pcRelu.m"

    Z = X @ W1.T
    S = np.maximum(Z, 0)
    P = S @ W2.T
    dS = (P - Y) @ W2
    dH = dS.copy()
    dH[Z <= 0] = 0
    (a,) = steps_named(trace, "A", helper.resolve())
    assert a.function == "pcRelu" and a.line == line_of(helper, "A = max(Z, 0);")
    np.testing.assert_allclose(a.value, S)

    # `Z = ...;  S = pcRelu(Z);` and `dS = ...; dH = dS; dH(Z <= 0) = 0;`
    line = line_of(ref, "dH(Z <= 0) = 0;")
    on_line = [s for s in trace.steps if s.file == str(ref.resolve()) and s.line == line]
    assert [s.name for s in on_line] == ["dS", "dH", "dH"]
    np.testing.assert_allclose(on_line[1].value, dS)
    np.testing.assert_allclose(on_line[2].value, dH)
    assert on_line[1].order < on_line[2].order
    first_line = [(s.name, s.role) for s in trace.steps if s.line == line_of(ref, "Z = X * W1';")
                  and s.file == str(ref.resolve())]
    # pcRelu's parameter is recorded at its one call, between the two assignments.
    assert first_line == [("Z", ""), ("Z", "argument"), ("S", "")]
    # The helper's step comes between Z and S, in execution order.
    order = [s.name for s in trace.steps]
    assert order.index("Z") < order.index("A") < order.index("S")
    assert set(trace.sources) == {str(ref.resolve()), str(helper.resolve())}


def test_loop_passes_first_last_total_and_multiple_assignment(uoc, user_dir):
    X = np.array([[1.0, 2.0], [3.0, -4.0]])
    trace = trace_octave(uoc, "pcLoop", (X,), nout=1)
    (v,) = steps_named(trace, "v")
    assert v.passes == 4
    np.testing.assert_array_equal(v.first, X)
    np.testing.assert_array_equal(v.value, 4 * X)
    np.testing.assert_array_equal(v.total, 10 * X)
    (acc_init, acc_loop) = steps_named(trace, "acc")
    assert acc_init.passes == 1 and acc_init.first is None and acc_init.total is None
    assert acc_loop.passes == 4
    np.testing.assert_array_equal(acc_loop.value, 10 * X)
    np.testing.assert_array_equal(acc_loop.total, (1 + 3 + 6 + 10) * X)
    # [mx, ix] = max(...): both names, same line; [~, iy]: only iy.
    (mx,), (ix,), (iy,) = steps_named(trace, "mx"), steps_named(trace, "ix"), steps_named(trace, "iy")
    assert mx.line == ix.line == line_of(user_dir / "pcLoop.m", "[mx, ix]")
    assert (mx.value, ix.value) == (30.0, 2.0)
    assert iy.value == 4.0
    assert not steps_named(trace, "~")
    # The loop variable is not an assignment statement.
    assert not steps_named(trace, "i")


def test_octave_only_syntax_is_traced(uoc, user_dir):
    X = np.arange(6.0).reshape(2, 3)
    y = np.array([1.0, 2.0, 2.0])
    trace = trace_octave(uoc, "pcOctaveOnly", (X, y, 2.0), nout=2)
    assert not trace.notes
    f = user_dir / "pcOctaveOnly.m"
    (Y,) = steps_named(trace, "Y")
    np.testing.assert_array_equal(Y.value, np.eye(2)[[0, 1, 1]])
    assert Y.line == line_of(f, "Y = eye(n)(y, :);")
    j0, j1 = steps_named(trace, "J")
    assert (j0.value, j1.value) == (0.0, 3.0)
    assert j1.line == line_of(f, "J += sum(Y(:));")
    (s,) = steps_named(trace, "s")
    assert s.value is None  # strings are recorded as sites without values
    (g,) = steps_named(trace, "g")
    assert g.line == line_of(f, "g = X' ...")  # where the continued statement starts
    np.testing.assert_array_equal(g.value, X.T * 2)
    assert trace.outputs[1].shape == (3, 2)


def test_unparsable_file_runs_untraced_with_a_note(uoc, user_dir):
    trace = trace_octave(uoc, "pcUnparsable", (1.0,), nout=1)
    assert trace.outputs == (4.0,)
    assert trace.steps == []
    (note,) = trace.notes
    assert str((user_dir / "pcUnparsable.m").resolve()) in note and "line 3" in note and "untraced" in note


def test_subfunctions_and_return(uoc):
    trace = trace_octave(uoc, "pcSub", (3.0,), nout=1)
    assert trace.outputs == (10.0,)
    assert [(s.function, s.name, s.value) for s in trace.steps] == [("inner", "z", 9.0), ("pcSub", "y", 10.0)]
    early = trace_octave(uoc, "pcReturns", (2.0,), nout=1)
    assert early.outputs == (4.0,)
    assert [(s.name, s.value) for s in early.steps] == [("y", 4.0)]


def test_user_folder_unchanged_and_no_temp_folder_left(uoc, user_dir, monkeypatch, tmp_path):
    before = folder_digest(user_dir)
    # Temp folders go to a private place for this test, so a trace running
    # in another worker cannot be mistaken for one left behind.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    X = np.ones((2, 2))
    trace_octave(uoc, "pcLoop", (X,), nout=1)
    trace_octave(uoc, "pcUnparsable", (1.0,), nout=1)
    with pytest.raises(OctaveRuntimeError):
        trace_octave(uoc, "pcFails", (np.ones((2, 3)), np.ones((3, 3))), nout=1)
    assert folder_digest(user_dir) == before
    assert list(tmp_path.iterdir()) == []
    assert "portcheck_trace_" not in str(uoc.eval("path()"))
    # And the original runs as before, uninstrumented.
    np.testing.assert_array_equal(uoc.call("pcLoop", X, nout=1), 10 * X)


def test_error_reports_the_original_file_and_line(uoc, user_dir):
    A, B = np.ones((2, 3)), np.ones((3, 3))
    with pytest.raises(OctaveRuntimeError) as plain:
        uoc.call("pcFails", A, B, nout=1)
    with pytest.raises(OctaveRuntimeError) as traced:
        trace_octave(uoc, "pcFails", (A, B), nout=1)
    f = user_dir / "pcFails.m"
    assert traced.value.line == line_of(f, "y = C * B;") == plain.value.line
    assert Path(traced.value.file).resolve() == f.resolve()
    assert traced.value.octave_message == plain.value.octave_message
    assert "portcheck_trace" not in str(traced.value) and "portcheck_trace" not in traced.value.octave_text


def test_big_arrays_come_back_as_fingerprints(uoc):
    n = 2 * (FULL_VALUE_LIMIT // 2 + 1)  # just over the limit
    trace = trace_octave(uoc, "pcBig", (float(n),), nout=1)
    (A,) = steps_named(trace, "A")
    assert isinstance(A.value, Fingerprint)
    expected = fingerprint(np.arange(1, n + 1).reshape(2, -1).T / n)
    assert A.value.shape == expected.shape == (n // 2, 2)
    for field in ("total", "total_abs", "total_sq", "minimum", "maximum"):
        assert getattr(A.value, field) == pytest.approx(getattr(expected, field), rel=1e-12)
    assert any("fingerprint" in note for note in trace.notes)
    (s,) = steps_named(trace, "s")
    assert s.value == pytest.approx(trace.outputs[0])


def test_recorder_limit_matches_python():
    text = (bundled_refs_dir() / "portcheck" / "portcheck_trace_record.m").read_text()
    assert f"LIMIT = {FULL_VALUE_LIMIT};" in text


def test_helper_named_in_a_string_is_traced(uoc, user_dir):
    trace = trace_octave(uoc, "pcFeval", (np.array([0.0, 3.0]),), nout=1)
    (a,) = steps_named(trace, "A")
    assert a.file == str((user_dir / "pcRelu.m").resolve())
    np.testing.assert_array_equal(a.value, [[0.0], [2.0]])


def test_error_in_a_helper_names_the_helper_file(uoc, user_dir):
    x = np.ones((2, 2))
    with pytest.raises(OctaveRuntimeError) as plain:
        uoc.call("pcHelperFails", x, nout=1)
    with pytest.raises(OctaveRuntimeError) as traced:
        trace_octave(uoc, "pcHelperFails", (x,), nout=1)
    f = user_dir / "pcBadHelper.m"
    assert Path(traced.value.file).resolve() == f.resolve()
    assert traced.value.line == plain.value.line == line_of(f, "y = w * z;")
    assert traced.value.function == plain.value.function
    # Octave's whole text (frames included) reads as for the plain call.
    assert traced.value.octave_text == plain.value.octave_text
    assert str(traced.value) == str(plain.value)


def test_helper_defined_in_two_folders_runs_untraced_with_a_note(uoc, user_dir):
    trace = trace_octave(uoc, "pcUsesDup", (2.0,), nout=1)
    assert trace.outputs == (uoc.call("pcUsesDup", 2.0, nout=1),) == (21.0,)
    assert [s.name for s in trace.steps if not s.role] == ["y"]
    assert any("pcDup" in n and "several folders" in n for n in trace.notes)


def test_timeout_is_honoured_and_leaves_nothing(uoc, user_dir, monkeypatch, tmp_path):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with pytest.raises(OctaveTimeoutError):
        trace_octave(uoc, "pcSlow", (0.0,), nout=1, timeout=1.0)
    assert list(tmp_path.iterdir()) == []
    assert "portcheck_trace_" not in str(uoc.eval("path()"))
    assert uoc.call("pcDup", 1.0, nout=1) == 10.0  # the session still answers


def test_reference_reading_files_next_to_itself_runs_untraced_with_a_note(uoc):
    # The instrumented copy lives elsewhere, so mfilename points away from the
    # data file: the trace says so and still returns the reference's outputs.
    trace = trace_octave(uoc, "pcSelfPath", (2.0,), nout=1)
    assert trace.outputs == (6.0,)
    assert trace.steps == []
    assert any("instrumented copy failed" in n and "ran untraced" in n for n in trace.notes)


def test_octave_blocks_do_until_unwind_protect(uoc, user_dir):
    trace = trace_octave(uoc, "pcOctaveBlocks", (1.0,), nout=1)
    plain = uoc.call("pcOctaveBlocks", 1.0, nout=1)
    assert trace.outputs == (plain,)
    assert not trace.notes
    (t,) = steps_named(trace, "t")
    assert t.value == 9.0
    (u,) = steps_named(trace, "u")
    assert u.value == 1.0
    loop = steps_named(trace, "y")[1]
    assert (loop.passes, loop.first, loop.value, loop.total) == (2, 2.0, 3.0, 5.0)
    assert steps_named(trace, "y")[-1].value == plain == 10.0
    assert not [s for s in trace.steps if s.line == line_of(user_dir / "pcOctaveBlocks.m", "(inside a block")]


def test_value_kinds_follow_the_bridge(uoc):
    Z = np.array([[1.0, -1.0], [2.0, 0.0]])
    trace = trace_octave(uoc, "pcKinds", (Z,), nout=1)
    by = {s.name: s for s in trace.steps}
    np.testing.assert_array_equal(by["mask"].value, (Z > 0).astype(float))
    assert by["mask"].value.dtype == np.float64
    assert by["k"].value == 5.0 and isinstance(by["k"].value, float)
    assert by["c"].value == 1 + 2j
    assert by["e"].value.shape in ((0, 3), (0, 0))
    assert by["s"].value is None and by["f"].value is None
    assert trace.outputs == (2.0,)


def test_no_outputs_requested(uoc):
    trace = trace_octave(uoc, "pcRelu", (np.array([-1.0, 2.0]),), nout=0)
    assert trace.outputs == ()
    (a,) = [s for s in trace.steps if not s.role]
    np.testing.assert_array_equal(a.value, [[0.0], [2.0]])


def test_private_functions_keep_the_file_untraced(octave, tmp_path):
    d = tmp_path / "privref"
    (d / "private").mkdir(parents=True)
    (d / "pcPriv.m").write_text("function y = pcPriv(x)\n  y = pcPrivHelper(x) + 1;\nend\n")
    (d / "private" / "pcPrivHelper.m").write_text("function z = pcPrivHelper(x)\n  z = 2 * x;\nend\n")
    trace = trace_octave(octave, str(d / "pcPriv"), (3.0,), nout=1)
    assert trace.outputs == (7.0,)
    assert any("private" in n and "untraced" in n for n in trace.notes)


def test_sparse_values_dense_when_small_fingerprinted_when_large(uoc):
    n = 400  # 160 000 elements: over the limit, but never made dense to summarise
    trace = trace_octave(uoc, "pcSparse", (float(n),), nout=1)
    by = {s.name: s for s in trace.steps}
    np.testing.assert_array_equal(by["s"].value, np.eye(3))
    assert by["S"].value == fingerprint(2 * np.eye(n))
    assert trace.outputs == (2.0 * n + 3,)
