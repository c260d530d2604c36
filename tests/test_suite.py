"""Suites: loading, running the bundled example suite, and pytest agreeing with `portcheck run`."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from portcheck.errors import InputError
from portcheck.suite import load_suite, run_suite

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_SUITE = ROOT / "examples" / "portcheck.toml"


def _write(tmp_path: Path, text: str, name: str = "portcheck.toml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def test_bundled_suite_names_every_planted_mistake_and_passes_every_faithful_port(octave):
    result = run_suite(load_suite(EXAMPLE_SUITE), octave=octave, progress=False)
    assert not result.ok  # the gallery is in it, so the run must fail ...
    missed = [(p.name, c, sorted(r.kinds)) for p, c, r in result.results
              if p.expect and not set(p.expect) & r.kinds]
    assert missed == []  # ... with every planted mistake named
    false_alarms = [(p.name, c, [str(f) for f in r.errors]) for p, c, r in result.results
                    if not p.expect and not r.ok]
    assert false_alarms == []
    checks = {c for _, c, _ in result.results}
    assert {"compare", "gradient"} <= checks
    assert result.expectations_met


def test_pyproject_tool_table_is_a_suite(tmp_path, octave):
    path = _write(tmp_path, """
        [project]
        name = "someone-else"

        [tool.portcheck]
        [[tool.portcheck.pair]]
        octave = "sigmoid"
        python = "portcheck.examples.common:sigmoid"
        inputs = { case = "common.sigmoid" }
    """, "pyproject.toml")
    suite = load_suite(path)
    assert [p.name for p in suite.pairs] == ["sigmoid"]
    result = run_suite(suite, octave=octave, progress=False)
    assert result.ok


def test_relative_paths_and_factories_resolve_from_the_suite_folder(tmp_path, octave):
    refs = tmp_path / "refs"
    refs.mkdir()
    (refs / "addOne.m").write_text("function y = addOne(x)\n  y = x + 1;\nend\n")
    (tmp_path / "port.py").write_text("def add_one(x):\n    return x + 1.0\n")
    (tmp_path / "inputs.py").write_text("import numpy as np\ndef make():\n    return (np.arange(4.0),)\n")
    path = _write(tmp_path, """
        [portcheck]
        paths = ["refs"]
        [[portcheck.pair]]
        octave = "addOne"
        python = "port.py:add_one"
        inputs = "inputs.py:make"
    """)
    result = run_suite(load_suite(path), octave=octave, progress=False)
    assert result.ok, str(result)


def test_a_port_that_cannot_be_imported_becomes_a_finding_not_a_crash(tmp_path, octave):
    path = _write(tmp_path, """
        [[portcheck.pair]]
        octave = "sigmoid"
        python = "no_such_module_anywhere:sigmoid"
        inputs = { case = "common.sigmoid" }
    """)
    result = run_suite(load_suite(path), octave=octave, progress=False)
    (report,) = result.reports
    assert not report.ok and report.findings[0].kind == "python-error"
    assert "no_such_module_anywhere" in report.findings[0].message


@pytest.mark.parametrize("text, message", [
    ("[[portcheck.pair]]\noctave = 'f'\ninputs = 'm:f'\n", "'python'"),
    ("[[portcheck.pair]]\noctave = 'f'\npython = 'm:f'\n", "'inputs'"),
    ("[[portcheck.pair]]\noctave = 'f'\npython = 'm:f'\ninputs = 'm:f'\nchecks = ['speed']\n", "unknown checks"),
    ("[[portcheck.pair]]\noctave = 'f'\npython = 'm:f'\ninputs = 'm:f'\ncolour = 1\n", "unknown keys"),
    ("[portcheck]\n", "lists no pairs"),
    ("[portcheck\n", "not valid TOML"),
    ("[[portcheck.pair]]\noctave = 'f'\npython = 'm:f'\ninputs = { debug = 'cnn' }\n", "unknown debug recipe"),
    ("[[portcheck.pair]]\noctave = 'f'\npython = 'm:f'\ninputs = { debug = 'dataset', colour = 1 }\n", "colour"),
    ("[[portcheck.pair]]\noctave = 'f'\npython = 'm:f'\ninputs = { case = 'ex99.nothing' }\n", "no bundled case"),
    ("[[portcheck.pair]]\noctave = 'f'\npython = 'm:f'\ninputs = 'm:f'\nlayout = [['a', 'b']]\n", "layout entries"),
    ("[[portcheck.pair]]\noctave = 'f'\npython = 'm:f'\ninputs = 'm:f'\nchecks = ['minimize']\n"
     "[portcheck.pair.minimize]\nmaxiterz = 5\n", "unknown \\[minimize\\] options"),
])
def test_bad_suite_files_say_what_is_wrong(tmp_path, text, message):
    with pytest.raises(InputError, match=message):
        load_suite(_write(tmp_path, text))


def test_a_single_check_may_be_written_as_a_string(tmp_path):
    path = _write(tmp_path, "[[portcheck.pair]]\npython = 'm:f'\ninputs = 'm:f'\nchecks = 'gradient'\n")
    assert load_suite(path).pairs[0].checks == ("gradient",)


def test_unreadable_mat_file_is_a_finding_not_a_traceback(tmp_path, octave):
    (tmp_path / "junk.mat").write_bytes(b"not a mat file")
    path = _write(tmp_path, """
        [[portcheck.pair]]
        octave = "nnCostFunction"
        python = "portcheck.examples.ex4:nn_cost_function"
        inputs = { mat = ["junk.mat"], args = ["$X"] }
    """)
    (report,) = run_suite(load_suite(path), octave=octave, progress=False).reports
    assert [f.kind for f in report.findings] == ["python-error"]
    assert "junk.mat" in report.findings[0].message and "loadmat" in report.findings[0].message


def test_missing_mat_variable_lists_what_the_file_holds(tmp_path, octave):
    import numpy as np
    import scipy.io

    scipy.io.savemat(tmp_path / "d.mat", {"X": np.ones((2, 2))})
    path = _write(tmp_path, """
        [[portcheck.pair]]
        octave = "sigmoid"
        python = "portcheck.examples.common:sigmoid"
        inputs = { mat = "d.mat", args = ["$Z"] }
    """)
    result = run_suite(load_suite(path), octave=octave, progress=False)
    assert "holds ['X']" in result.reports[0].findings[0].message


AGREEMENT_SUITE = """
    [[portcheck.pair]]
    name = "faithful"
    octave = "nnCostFunction"
    python = "portcheck.examples.ex4:nn_cost_function"
    inputs = { case = "ex4.nnCostFunction" }
    layout = [["Theta1", [5, 4]], ["Theta2", [3, 6]]]
    checks = ["compare", "gradient"]

    [[portcheck.pair]]
    name = "c-order"
    octave = "nnCostFunction"
    python = "portcheck.examples.broken.nn:nn_cost_c_order"
    inputs = { case = "ex4.nnCostFunction" }
    layout = [["Theta1", [5, 4]], ["Theta2", [3, 6]]]
    checks = ["compare"]
    expect = ["unroll-order"]

    [[portcheck.pair]]
    name = "ddof"
    octave = "featureNormalize"
    python = "portcheck.examples.broken.stats:feature_normalize_ddof0"
    inputs = { case = "ex5.featureNormalize" }
    expect = ["ddof"]
"""


def test_pytest_collects_the_suite_and_agrees_with_portcheck_run(pytester, octave):
    from portcheck.suite import naming_findings

    path = pytester.makefile(".toml", portcheck=textwrap.dedent(AGREEMENT_SUITE))
    result = run_suite(load_suite(path), octave=octave, progress=False)
    # pairs with `expect` are xfail(strict): XFAIL when the planted mistake is named
    outcome = {f"{p.name}[{c}]": ("XFAIL" if naming_findings(p, r) else "FAILED") if p.expect
               else ("PASSED" if r.ok else "FAILED") for p, c, r in result.results}
    assert sorted(outcome.values()) == ["PASSED", "PASSED", "XFAIL", "XFAIL"]
    run = pytester.runpytest_subprocess(str(path), "-p", "no:cacheprovider", "-rA")
    assert run.ret == 0 and result.expectations_met  # both say: every expectation met
    run.assert_outcomes(passed=2, xfailed=2)
    text = run.stdout.str()
    for name, verdict in outcome.items():
        assert f"{verdict} portcheck.toml::{name}" in text
    # -rx says which finding named the planted mistake, fix included
    assert "named: ERROR unroll-order" in text and "order='F'" in text and "named: ERROR ddof" in text


def test_expected_mistakes_are_strict_xfails(pytester, octave):
    path = pytester.makefile(".toml", portcheck=textwrap.dedent("""
        [[portcheck.pair]]
        name = "clean but expected"
        octave = "sigmoid"
        python = "portcheck.examples.common:sigmoid"
        inputs = { case = "common.sigmoid" }
        expect = ["sign"]

        [[portcheck.pair]]
        name = "another mistake"
        octave = "featureNormalize"
        python = "portcheck.examples.broken.stats:feature_normalize_ddof0"
        inputs = { case = "ex5.featureNormalize" }
        expect = ["unroll-order"]
    """))
    run = pytester.runpytest_subprocess(str(path), "-p", "no:cacheprovider", "-rA")
    run.assert_outcomes(failed=2)
    run.stdout.fnmatch_lines(["*XPASS(strict)*planted mistake: sign*"])
    # the wrong kind is a real failure whose message says what was expected, then the report
    text = run.stdout.str()
    head = "expected a finding of kind ['unroll-order']; found ['ddof'"
    assert head in text and text.index(head) < text.index("ERROR   ddof")

    cli = subprocess.run([sys.executable, "-m", "portcheck", "run", str(path)], capture_output=True, text=True,
                         timeout=300)
    assert cli.returncode == 1, cli.stdout + cli.stderr
    assert "0/2 expected mistakes named" in cli.stdout


def test_html_runs_attach_the_gradient_error_figure(octave):
    from portcheck.suite import catalog_pairs, run_check

    pair = next(p for p in catalog_pairs("gallery") if p.name == "broken.nn_cost_grad_missing_m.gradient")
    report = run_check(pair, "gradient", octave, plots=True)
    assert not report.ok and "scale" in report.kinds
    png = report.figures["gradient error per block"]
    assert png.startswith(b"\x89PNG")
    assert "data:image/png;base64," in report._repr_html_()
    plain = run_check(pair, "gradient", octave)
    assert not plain.figures  # figures only when asked: they cost matplotlib time


def test_junit_xml_carries_the_report(pytester, octave, tmp_path):
    # without `expect`, the c-order port is a plain failure whose report goes into the XML
    path = pytester.makefile(".toml", portcheck=textwrap.dedent(AGREEMENT_SUITE).replace(
        'expect = ["unroll-order"]\n', ""))
    xml = tmp_path / "junit.xml"
    run = pytester.runpytest_subprocess(str(path), "-p", "no:cacheprovider", f"--junitxml={xml}")
    assert run.ret == 1
    text = xml.read_text()
    assert 'name="c-order[compare]"' in text
    assert "order=&apos;F&apos;" in text or "order='F'" in text
    assert "portcheck_kinds" in text and "unroll-order" in text
