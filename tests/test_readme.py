"""README's quick start runs as written (real Octave) and its commands are the CI's."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


@pytest.mark.octave
def test_quick_start_runs_and_finds_the_port_clean(capsys):
    block = re.search(r"## Quick start\n\n```python\n(.*?)```", README, re.S).group(1)
    namespace: dict = {}
    exec(compile(block, "README quick start", "exec"), namespace)
    report = namespace["report"]
    assert report.ok and report.check == "compare"
    assert "No findings" in capsys.readouterr().out


def test_readme_opens_with_the_two_commands_and_ci_runs_the_test_one():
    first_block = re.search(r"```bash\n(.*?)```", README, re.S).group(1)
    commands = [ln.split("#")[0].strip() for ln in first_block.strip().splitlines()]
    assert commands == ["make demo", "make test"]
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_ci_builds_the_docs_after_the_tests():
    run = (ROOT / ".ci" / "run").read_text()
    assert run.index("make test") < run.index("make docs")
    assert "docs:" in (ROOT / "Makefile").read_text() and "-W" in (ROOT / "Makefile").read_text()
