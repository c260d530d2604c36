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
