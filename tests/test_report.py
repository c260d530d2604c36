"""Report and Finding: verdicts, serialisation, rendering (built directly, no checks run)."""

from __future__ import annotations

import json

import pytest

from portcheck import KINDS, Finding, Report
from portcheck.report import Table, merge_findings


def _report(*findings):
    table = Table("outputs", ("output", "max abs err"), (("J", 1.5e-3), ("grad", 0.0)))
    return Report(check="compare", title="nnCostFunction vs port", findings=findings, tables=(table,),
                  notes=("PYTHON grad (38,) compared as a 38×1 column",))


def test_ok_depends_only_on_errors():
    assert _report().ok
    assert _report(Finding("precision", "warning", "float32")).ok
    assert not _report(Finding("scale", "error", "missing 1/m", output="grad", block="Theta1")).ok


def test_unknown_kind_or_severity_is_rejected():
    with pytest.raises(ValueError, match="unknown finding kind"):
        Finding("weird", "error", "x")
    with pytest.raises(ValueError, match="severity"):
        Finding("scale", "fatal", "x")


def test_to_dict_is_json_ready():
    import numpy as np

    f = Finding("scale", "error", "x", output="grad", block="Theta2", evidence={"factor": np.float64(5.0), "idx": np.int64(3)})
    d = _report(f).to_dict()
    text = json.dumps(d)
    assert json.loads(text)["findings"][0]["evidence"] == {"factor": 5.0, "idx": 3}
    assert d["ok"] is False and d["notes"]


def test_text_rendering_shows_table_findings_and_notes():
    f = Finding("unroll-order", "error", "block Theta2 is unrolled in C order: use ravel(order='F')",
                output="grad", block="Theta2")
    text = str(_report(f))
    assert "FAIL" in text and "unroll-order" in text and "grad/Theta2" in text
    assert "1.5e-03" in text or "0.0015" in text
    assert "note:" in text
    assert "OK" in str(_report())


def test_html_rendering_escapes_and_marks_verdict():
    f = Finding("mismatch", "error", "a < b & c", output="J")
    html = _report(f)._repr_html_()
    assert "a &lt; b &amp; c" in html and "FAIL" in html and "<table>" in html


def test_repr_is_compact():
    r = _report(Finding("sign", "error", "negated", output="grad"))
    assert repr(r) == "<portcheck.Report compare 'nnCostFunction vs port': 1 error (sign)>"


def test_merge_findings_orders_errors_first_and_drops_duplicates():
    a = Finding("precision", "warning", "w")
    b = Finding("scale", "error", "e")
    assert merge_findings([a, b], [b]) == (b, a)


def test_every_kind_is_documented():
    assert all(isinstance(v, str) and v for v in KINDS.values())


def test_clean_verdict_depends_on_the_check():
    assert "matches the reference" in str(Report(check="compare", title="t"))
    gradient = str(Report(check="gradient", title="t"))
    assert "reference" not in gradient and "numerical derivatives" in gradient


# -- a newcomer's view: repr, traced lines, the HTML page ---------------------------


def _traced():
    return Finding(
        "extra-function", "error", "the port applies tanh where the reference applies sigmoid",
        output="J", port_location=("ports/nn.py", 12), reference_location=("refs/nnCostFunction.m", 14),
        evidence={"port_source": "a2 = np.tanh(z2)", "reference_source": "a2 = sigmoid(z2);",
                  "port_value": "(5, 5) in [-0.9, 0.9]", "reference_value": "(5, 5) in [0.05, 0.95]"})


def test_finding_repr_is_one_readable_line_and_has_html():
    f = Finding("scale", "error", "the gradient is m × the reference: divide by m " + "x" * 300,
                output="grad", block="Theta1", evidence={"factor": 5.0})
    r = repr(f)
    assert r.startswith("<Finding error scale [grad/Theta1]: the gradient is m × the reference")
    assert "\n" not in r and len(r) < 160 and r.endswith("…>")
    assert repr(_traced()).startswith("<Finding error extra-function [J] at ports/nn.py:12: ")
    html_text = f._repr_html_()
    assert 'class="error"' in html_text and "<code>scale</code>" in html_text and "[grad/Theta1]" in html_text


def test_traced_finding_shows_both_lines_under_it_in_text():
    text = str(_report(_traced()))
    lines = text.splitlines()
    i = next(n for n, ln in enumerate(lines) if "extra-function" in ln)
    octave_line = next(ln for ln in lines[i:] if "OCTAVE" in ln)
    python_line = next(ln for ln in lines[i:] if "PYTHON" in ln)
    assert "refs/nnCostFunction.m:14" in octave_line and "a2 = sigmoid(z2);" in octave_line
    assert "[0.05, 0.95]" in octave_line
    assert "ports/nn.py:12" in python_line and "a2 = np.tanh(z2)" in python_line
    assert lines.index(octave_line) == lines.index(python_line) - 1  # two lines, reference first
    # untraced findings stay one line
    plain = str(_report(Finding("sign", "error", "negated", output="grad")))
    assert " " * 10 + "OCTAVE" not in plain and " " * 10 + "PYTHON" not in plain


def test_traced_finding_shows_the_lines_side_by_side_in_html():
    page = _report(_traced())._repr_html_()
    assert page.count('class="side ') == 2
    ref, port = page.index('class="side reference"'), page.index('class="side port"')
    assert ref < port and "a2 = sigmoid(z2);" in page[ref:port] and "a2 = np.tanh(z2)" in page[port:]


def test_text_does_not_depend_on_a_jupyter_front_end(monkeypatch):
    # rich asks IPython whether it runs in a notebook; say yes, as a Jupyter kernel does
    import rich.console

    monkeypatch.setattr(rich.console, "_is_jupyter", lambda: True)
    f = Finding("sign", "error", "negated", output="grad")
    text = str(_report(f))
    assert "sign" in text and "negated" in text and text.strip()


def test_html_document_leads_with_failures_and_collapses_passes():
    from portcheck.report import render_html_document

    ok = [Report("compare", f"faithful {i}") for i in range(30)]
    bad = Report("compare", "broken scale", findings=(Finding("scale", "error", "divide by m", output="grad"),))
    warn = Report("gradient", "kinked", findings=(Finding("non-differentiable", "warning", "ReLU kink"),))
    reports = [*ok[:10], bad, *ok[10:], warn]
    summary = Table("suite summary", ("pair", "verdict"), tuple((r.title, "OK" if r.ok else "FAIL") for r in reports))
    page = render_html_document(reports, title="run", summary=summary)
    assert '<div class="count fail"><b>1</b>failing</div>' in page
    assert '<div class="count pass"><b>31</b>passing</div>' in page
    assert '<div class="count warn"><b>1</b>passing with warnings</div>' in page
    # the failure is indexed, linked and shown in full before anything that passed
    anchor = f'id="check-{reports.index(bad)}"'
    assert f'href="#check-{reports.index(bad)}"' in page and anchor in page
    assert page.index(anchor) < page.index('id="passing"') < page.index('id="summary"')
    passing = page[page.index('id="passing"'):]
    assert passing.count("<details class=\"check passing\"") == 31 and "(1 warning)" in passing
    assert "<code>scale</code>" in page and "×1" in page


def test_html_document_follows_the_suite_expectations():
    from portcheck.report import render_html_document

    planted = Report("compare", "planted c order", findings=(Finding("unroll-order", "error", "use order='F'"),))
    surprise = Report("compare", "faithful, yet", findings=(Finding("mismatch", "error", "J differs"),))
    clean = Report("compare", "faithful")
    page = render_html_document([planted, clean], expected=[("unroll-order",), ()])
    assert "every expectation met" in page and '<b>0</b>not as expected' in page
    page = render_html_document([planted, surprise, clean], expected=[("unroll-order",), (), ()])
    assert "1 of 3 checks not as expected" in page
    # the unexpected failure leads the index, before the planted one
    assert page.index('href="#check-1"') < page.index('href="#check-0"')
    with pytest.raises(ValueError, match="2 entries for 3 reports"):
        render_html_document([planted, surprise, clean], expected=[(), ()])
