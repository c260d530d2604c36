"""The pytest plugin, driven through pytester in a subprocess (real Octave, real pytest)."""

from __future__ import annotations

import textwrap

import pytest

TEST_USING_FIXTURE = """
    import numpy as np

    def test_fixture_reaches_octave(octave):
        assert octave.call("addTwo", 1.0) == 3.0

    def test_fixture_is_one_session_per_process(octave, request):
        assert octave is request.getfixturevalue("octave")
"""


@pytest.fixture
def refs(pytester):
    folder = pytester.mkdir("myrefs")
    (folder / "addTwo.m").write_text("function y = addTwo(x)\n  y = x + 2;\nend\n")
    return folder


def test_fixture_and_octave_path_option(pytester, refs):
    pytester.makepyfile(test_user=textwrap.dedent(TEST_USING_FIXTURE))
    result = pytester.runpytest_subprocess("--octave-path", str(refs), "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["portcheck: GNU Octave * at *; compare rtol=*"])


def test_without_octave_tests_skip_locally_and_fail_under_ci(pytester, refs, monkeypatch):
    pytester.makepyfile(test_user=textwrap.dedent("""
        import pytest

        def test_needs_it(octave):
            pass

        @pytest.mark.octave
        def test_marked():
            pass

        def test_pure_python():
            pass
    """))
    monkeypatch.setenv("OCTAVE_EXECUTABLE", "/nonexistent/octave-cli")
    monkeypatch.delenv("CI", raising=False)
    local = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-rs")
    local.assert_outcomes(passed=1, skipped=2)
    local.stdout.fnmatch_lines(["*apt-get install -y octave*"])

    monkeypatch.setenv("CI", "true")
    ci = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    outcomes = ci.parseoutcomes()
    assert outcomes.get("passed") == 1 and outcomes.get("skipped", 0) == 0
    assert outcomes.get("failed", 0) + outcomes.get("errors", outcomes.get("error", 0)) == 2
    ci.stdout.fnmatch_lines(["*CI=true and Octave is required*apt-get install -y octave*"])


def test_assert_port_message_is_the_report(pytester):
    pytester.makepyfile(test_user=textwrap.dedent("""
        import portcheck
        from portcheck.examples import ex4
        from portcheck.examples.broken import nn

        def test_port(octave):
            portcheck.assert_port("nnCostFunction", nn.nn_cost_c_order, args=ex4.CASES[0].make_args(),
                                  octave=octave, layout=ex4.NN_LAYOUT)
    """))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*unroll-order*", "*order='F'*"])


PYPROJECT_SUITE = """
    [project]
    name = "someone-elses-port"

    [tool.portcheck]
    paths = ["refs"]

    [[tool.portcheck.pair]]
    name = "add two"
    octave = "addTwo"
    python = "port.py:add_two"
    inputs = "port.py:make"

    [[tool.portcheck.pair]]
    name = "add two, off by one"
    octave = "addTwo"
    python = "port.py:add_three"
    inputs = "port.py:make"
"""

PORT = """
    import numpy as np

    def add_two(x):
        return x + 2.0

    def add_three(x):
        return x + 3.0

    def make():
        return (np.arange(3.0).reshape(3, 1),)
"""


def _project(pytester):
    refs = pytester.mkdir("refs")
    (refs / "addTwo.m").write_text("function y = addTwo(x)\n  y = x + 2;\nend\n")
    pytester.makefile(".toml", pyproject=textwrap.dedent(PYPROJECT_SUITE))
    pytester.makepyfile(port=textwrap.dedent(PORT))


def test_tool_portcheck_in_pyproject_is_collected(pytester):
    _project(pytester)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*addTwo*vs*port.py:add_three*FAIL*", "FAILED pyproject.toml::add two, off by one*"])


@pytest.mark.parametrize("order", ["suite first", "hand-written first", "hand-written alone"])
def test_fixture_sees_the_suite_paths_whatever_runs_first(pytester, order):
    _project(pytester)
    pytester.makepyfile(test_mine=textwrap.dedent("""
        def test_hand_written(octave):
            assert octave.call("addTwo", 1.0) == 3.0
    """))
    args = {"suite first": ["pyproject.toml", "test_mine.py"],
            "hand-written first": ["test_mine.py", "pyproject.toml"],
            "hand-written alone": ["test_mine.py"]}[order]
    result = pytester.runpytest_subprocess(*args, "-p", "no:cacheprovider")
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed") == (1 if order == "hand-written alone" else 2), result.stdout.str()


def test_ini_option_portcheck_paths(pytester, refs):
    pytester.makeini("[pytest]\nportcheck_paths = myrefs\n")
    pytester.makepyfile(test_user=textwrap.dedent(TEST_USING_FIXTURE))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_failures_show_the_findings_first_without_portcheck_frames(pytester):
    pytester.makepyfile(test_user=textwrap.dedent("""
        import numpy as np
        import portcheck

        def test_gradient():
            portcheck.assert_gradient(lambda x: (float(x @ x), 5.0 * x), np.array([1.0, 2.0, 3.0, 4.0]))
    """))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    text = result.stdout.str()
    failure = text[text.index("___ test_gradient ___"):]
    assert "portcheck/gradients" not in failure and "def assert_gradient" not in failure
    assert "portcheck.assert_gradient(" in failure  # the user's own line
    lines = [ln for ln in failure.splitlines() if ln.startswith("E ")]
    assert "FAIL" in lines[0] and "scale" in lines[2]  # header, "Findings", then the finding
