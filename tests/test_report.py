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
