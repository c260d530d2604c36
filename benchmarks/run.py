"""Run every benchmark and write its table into README.md.

Each ``benchmarks/bench_<name>.py`` has a ``main()`` that measures, writes
``benchmarks/results/<name>.md`` and returns that Markdown. This script runs
them in one process, one after the other (so they do not compete for the two
cores), and replaces the README block between ``<!-- bench:<name> -->`` and
``<!-- /bench:<name> -->``.

Run: ``make bench`` (or ``.venv/bin/python benchmarks/run.py [name ...]``).
"""

from __future__ import annotations

import importlib.util
import re
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
README = HERE.parent / "README.md"


def _load(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def update_readme(name: str, markdown: str) -> bool:
    """Replace the README block for ``name``; False when the markers are missing."""
    text = README.read_text()
    pattern = re.compile(rf"(<!-- bench:{name} -->\n).*?(<!-- /bench:{name} -->)", re.S)
    if not pattern.search(text):
        return False
    README.write_text(pattern.sub(lambda m: m.group(1) + markdown.rstrip() + "\n" + m.group(2), text))
    return True


def main(names: list[str]) -> int:
    scripts = sorted(HERE.glob("bench_*.py"))
    if names:
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in names]
    for script in scripts:
        name = script.stem.removeprefix("bench_")
        t0 = time.perf_counter()
        sys.stdout.write(f"== {name}\n")
        markdown = _load(script).main()
        sys.stdout.write(markdown + f"({time.perf_counter() - t0:.0f} s)\n")
        if not update_readme(name, markdown):
            sys.stdout.write(f"README has no <!-- bench:{name} --> block; table left in results/{name}.md\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
