"""Class-size runs: a suite against a folder of submissions, live and replayed without Octave."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from portcheck.classrun import run_class
from portcheck.recording import record_suite
from portcheck.suite import load_suite

from test_recording import without_octave

SUBMISSIONS = {
    # name -> (file inside the submission, source); each file's own nn_cost_function is the port
    "alice": ("nn.py", "from portcheck.examples.ex4 import nn_cost_function\n"),
    "bob.py": (None, "from portcheck.examples.broken.nn import nn_cost_c_order as nn_cost_function\n"),
    "carol": ("nn.py", "from helper import cost as nn_cost_function\n"),
    "erin": ("nn.py", "from portcheck.examples.broken.nn import nn_cost_bias_subtracted as nn_cost_function\n"),
    "frank": ("other.py", "def unrelated():\n    return 1\n"),
    "gina.py": (None, "from portcheck.examples.ex4 import nn_cost_function\n"),
}


def _class(tmp_path: Path) -> tuple[Path, Path]:
    ports = tmp_path / "ports"
    ports.mkdir()
    for name, (inner, text) in SUBMISSIONS.items():
        if inner is None:
            (ports / name).write_text(text)
        else:
            (ports / name).mkdir()
            (ports / name / inner).write_text(text)
    # carol's port lives in her own helper module, which her nn.py imports.
    (ports / "carol" / "helper.py").write_text(
        "from portcheck.examples.broken.nn import nn_cost_grad_missing_m as cost\n")
    (tmp_path / "reference_port.py").write_text("from portcheck.examples.ex4 import nn_cost_function\n")
    suite = tmp_path / "portcheck.toml"
    suite.write_text(textwrap.dedent("""
        [[portcheck.pair]]
        name = "nn cost"
        octave = "nnCostFunction"
        python = "reference_port.py:nn_cost_function"
        inputs = { debug = "nn", lambda = 1.0 }
        layout = [["Theta1", [5, 4]], ["Theta2", [3, 6]]]
        checks = ["compare", "gradient"]
    """))
    return suite, ports


EXPECTED = {"alice": [], "bob": ["unroll-order"], "carol": ["scale"], "erin": ["regularization"],
            "frank": [], "gina": []}


@pytest.mark.octave
def test_class_run_live_and_replayed_without_octave_name_each_students_mistake(tmp_path, octave):
    suite_file, ports = _class(tmp_path)
    suite = load_suite(suite_file)
    live = run_class(suite, ports, octave=octave)
    rows = {s.name: (ClassKinds.of(results), list(missing)) for s, results, missing in live.rows}
    assert {k: v[0] for k, v in rows.items()} == EXPECTED
    assert rows["frank"][1] == ["nn_cost_function"]  # frank handed in no such function
    assert not live.ok

    record_suite(suite, octave=octave)
    res = without_octave("run", str(suite_file), "--replay", "--ports", str(ports), "--json",
                         str(tmp_path / "class.json"))
    assert res.returncode == 1, res.stderr
    payload = json.loads((tmp_path / "class.json").read_text())
    assert payload["replay"]
    assert {s["submission"]: s["kinds"] for s in payload["submissions"]} == EXPECTED
    # The class summary: how many submissions made which mistake.
    summary = payload["summary"]
    assert summary["clean (every check OK)"] == 2
    assert summary["unroll-order"] == summary["scale"] == summary["regularization"] == 1
    assert summary["missing a function"] == 1
    assert "class summary: 6 submissions" in res.stdout


class ClassKinds:
    @staticmethod
    def of(results) -> list[str]:
        return sorted({f.kind for _p, _c, rep in results for f in rep.errors})


def test_a_ports_folder_that_does_not_exist_is_exit_2(tmp_path):
    suite_file, _ports = _class(tmp_path)
    res = without_octave("run", str(suite_file), "--replay", "--ports", str(tmp_path / "nope"))
    assert res.returncode == 2 and "not a folder" in res.stderr
