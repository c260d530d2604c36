"""The migration guide is executable: every snippet runs and says what its page claims.

Conventions a page follows (README.md explains them to authors):

- fenced ```` ```python wrong ```` / ```` ```python right ```` blocks are
  self-contained and assign ``result``; the k-th wrong block is compared with the
  k-th right block (or the last one) and must give a different result;
- ```` ```python ```` blocks (no role) only have to run;
- ```` ```matlab ```` blocks assign ``result``; real Octave runs each one (wrapped
  as a function) and the k-th must equal the k-th right block's ``result``;
- ```` ```matlab function ```` blocks are function files available to the page's
  matlab blocks; when the python blocks also define ``port`` and ``args``, the
  pair is checked with :func:`portcheck.compare` too;
- the page ends with ``<!-- portcheck: kind=... lint=... -->``: the finding
  kinds portcheck reports for the mistake, and the lint rules that see it.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from portcheck.lint import RULES, lint_source
from portcheck.report import KINDS

GUIDE = Path(__file__).resolve().parent.parent / "migration_guide"
PAGES = sorted(p for p in GUIDE.glob("*.md") if p.name != "README.md")
SECTIONS = ("MATLAB", "Wrong NumPy", "Right NumPy", "Symptom you see", "What portcheck reports")
FOOTER_RE = re.compile(r"<!--\s*portcheck:\s*(?P<body>[^>]*?)\s*-->\s*\Z")
FENCE_RE = re.compile(r"^```(?P<info>[^`]*)$")
FUNCTION_RE = re.compile(r"^\s*function\s+(?:\[?[\w\s,~]*\]?\s*=\s*)?(?P<name>\w+)\s*(\(|$)", re.M)


@dataclass
class Block:
    lang: str
    role: str  # "wrong", "right", "function" or ""
    code: str
    line: int


@dataclass
class Page:
    path: Path
    text: str
    blocks: list[Block]
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def kinds(self) -> list[str]:
        return [k for k in self.meta.get("kind", "").split(",") if k]

    @property
    def lint(self) -> list[str]:
        return [r for r in self.meta.get("lint", "").split(",") if r]

    @property
    def rtol(self) -> float:
        return float(self.meta.get("rtol", 1e-10))

    @property
    def atol(self) -> float:
        return float(self.meta.get("atol", 1e-12))

    def python(self, role: str) -> list[Block]:
        return [b for b in self.blocks if b.lang == "python" and b.role == role]

    def matlab(self, role: str = "") -> list[Block]:
        return [b for b in self.blocks if b.lang == "matlab" and b.role == role]


def parse_page(path: Path) -> Page:
    text = path.read_text(encoding="utf-8")
    blocks: list[Block] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        m = FENCE_RE.match(lines[i])
        if m and m.group("info").strip():
            lang, *rest = m.group("info").split()
            start = i + 1
            i += 1
            while i < len(lines) and lines[i].rstrip() != "```":
                i += 1
            if i == len(lines):
                raise AssertionError(f"{path.name}:{start}: unclosed code fence")
            role = rest[0] if rest else ""
            blocks.append(Block(lang, role, "\n".join(lines[start:i]) + "\n", start + 1))
        i += 1
    meta: dict[str, str] = {}
    footer = FOOTER_RE.search(text)
    if footer:
        for item in footer.group("body").split():
            key, _, value = item.partition("=")
            meta[key] = value
    return Page(path, text, blocks, meta)


def run_block(page: Page, block: Block) -> dict[str, Any]:
    """Execute one python block in a fresh namespace."""
    ns: dict[str, Any] = {"__name__": f"guide_{page.path.stem.replace('-', '_')}"}
    code = compile(block.code, f"{page.path.name}:{block.line}", "exec")
    with warnings.catch_warnings():
        # Wrong snippets may divide by zero or overflow on purpose.
        warnings.simplefilter("ignore", RuntimeWarning)
        exec(code, ns)  # noqa: S102 - the guide's own snippets
    return ns


def _array(value: Any) -> np.ndarray:
    a = np.asarray(value)
    return a.astype(np.float64) if a.dtype == bool else a


def _vector_like(a: np.ndarray) -> bool:
    return a.ndim <= 1 or sum(d > 1 for d in a.shape) <= 1


def comparable(py: Any, ref: Any) -> tuple[np.ndarray, np.ndarray]:
    """Both values as arrays; vectors compared shape-insensitively ((n,), (n,1), (1,n))."""
    a, b = _array(py), _array(ref)
    if a.size == b.size and _vector_like(a) and _vector_like(b):
        return a.ravel(), b.ravel()
    return a, b


def same(x: Any, y: Any, rtol: float, atol: float) -> bool:
    if isinstance(x, str) or isinstance(y, str):
        return x == y
    a, b = _array(x), _array(y)
    if a.shape != b.shape:
        return False
    try:
        return bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True))
    except TypeError:
        return bool(np.array_equal(a, b))


def partner(blocks: list[Block], k: int) -> Block:
    return blocks[min(k, len(blocks) - 1)]


PAGE_IDS = [p.stem for p in PAGES]


@pytest.fixture(params=PAGES, ids=PAGE_IDS)
def page(request: pytest.FixtureRequest) -> Page:
    return parse_page(request.param)


# ----------------------------------------------------------------------------
# structure


def test_guide_has_twenty_or_more_pages_with_kebab_case_names() -> None:
    assert len(PAGES) >= 20, [p.name for p in PAGES]
    for p in PAGES:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*\.md", p.name), p.name


def test_readme_checklist_links_every_page_once_and_only_existing_pages() -> None:
    readme = (GUIDE / "README.md").read_text(encoding="utf-8")
    linked = re.findall(r"\]\(([\w\-]+\.md)\)", readme)
    assert sorted(set(linked)) == sorted(p.name for p in PAGES)
    checklist = [m for m in re.findall(r"^\s*\d+\.\s.*?\]\(([\w\-]+\.md)\)", readme, re.M)]
    assert sorted(set(checklist)) == sorted(p.name for p in PAGES), "every page is a checklist item"


def test_page_has_the_sections_in_order_and_a_valid_footer(page: Page) -> None:
    headings = re.findall(r"^## (.+?)\s*$", page.text, re.M)
    assert [h for h in headings if h in SECTIONS] == list(SECTIONS), headings
    assert page.meta, f"{page.path.name}: no <!-- portcheck: ... --> line at the end"
    assert page.kinds and set(page.kinds) <= set(KINDS), page.kinds
    assert set(page.lint) <= set(RULES), page.lint
    for rule in page.lint:
        assert RULES[rule].guide == f"migration_guide/{page.path.name}", (rule, RULES[rule].guide)
    report_section = page.text.split("## What portcheck reports", 1)[1]
    for name in page.kinds + page.lint:
        assert f"`{name}`" in report_section, f"the report section should name `{name}`"
    assert page.python("wrong") and page.python("right"), "a wrong and a right python block"
    assert page.matlab(), "a matlab block"
    unknown = [b.line for b in page.blocks if (b.lang, b.role) not in {
        ("python", "wrong"), ("python", "right"), ("python", ""), ("matlab", ""), ("matlab", "function")
    }]
    assert not unknown, f"code fences with unknown info strings at lines {unknown}"


def test_every_lint_rule_is_documented_by_its_page() -> None:
    documented = {r for p in PAGES for r in parse_page(p).lint}
    assert documented == set(RULES)


# ----------------------------------------------------------------------------
# python blocks


def test_python_blocks_run_and_wrong_differs_from_right(page: Page) -> None:
    for block in page.python(""):
        run_block(page, block)
    rights = [run_block(page, b) for b in page.python("right")]
    for ns, b in zip(rights, page.python("right")):
        assert "result" in ns, f"{page.path.name}:{b.line}: right block assigns no `result`"
    for k, block in enumerate(page.python("wrong")):
        ns = run_block(page, block)
        assert "result" in ns, f"{page.path.name}:{block.line}: wrong block assigns no `result`"
        right = rights[min(k, len(rights) - 1)]["result"]
        assert not same(ns["result"], right, page.rtol, page.atol), (
            f"{page.path.name}:{block.line}: the wrong block gives the right result {ns['result']!r}"
        )


def test_lint_flags_wrong_blocks_and_passes_right_blocks(page: Page) -> None:
    for block in page.python("wrong"):
        rules = {i.rule for i in lint_source(block.code, filename=f"{page.path.name}:{block.line}")}
        for rule in page.lint:
            assert rule in rules, f"{page.path.name}:{block.line}: lint missed {rule} (found {sorted(rules)})"
    for block in page.python("right") + page.python(""):
        issues = lint_source(block.code, filename=page.path.name)
        issues = [i for i in issues if i.severity == "warning" or i.rule in page.lint]
        assert not issues, "\n".join(f"{page.path.name}:{block.line - 1 + i.line}: {i}" for i in issues)


# ----------------------------------------------------------------------------
# matlab blocks, through real Octave


def _write_matlab(page: Page, folder: Path) -> list[str]:
    """Write the page's function files and one wrapper per matlab block; wrapper names in order."""
    for block in page.matlab("function"):
        m = FUNCTION_RE.search(block.code)
        assert m, f"{page.path.name}:{block.line}: a matlab function block must start with `function`"
        (folder / f"{m.group('name')}.m").write_text(block.code, encoding="utf-8")
    names = []
    for k, block in enumerate(page.matlab("")):
        name = f"guide_{page.path.stem.replace('-', '_')}_{k + 1}"
        (folder / f"{name}.m").write_text(f"function result = {name}()\n{block.code}end\n", encoding="utf-8")
        names.append(name)
    return names


def test_matlab_blocks_equal_the_right_python_result(page: Page, octave, tmp_path: Path) -> None:
    rights = page.python("right")
    for k, name in enumerate(_write_matlab(page, tmp_path)):
        block = page.matlab("")[k]
        ref = octave.call(str(tmp_path / name), nout=1)
        right = partner(rights, k)
        py = run_block(page, right)["result"]
        a, b = comparable(py, ref)
        assert a.shape == b.shape, (
            f"{page.path.name}: matlab block at line {block.line} gives shape {np.shape(ref)}, "
            f"python right block at line {right.line} gives {np.shape(py)}"
        )
        np.testing.assert_allclose(
            a, b, rtol=page.rtol, atol=page.atol,
            err_msg=f"{page.path.name}: python line {right.line} (ACTUAL) vs matlab line {block.line} (DESIRED)",
        )


# ----------------------------------------------------------------------------
# runtime comparison with portcheck.compare, for pages that define a port


def _compare_pages() -> list[Path]:
    out = []
    for p in PAGES:
        page = parse_page(p)
        if page.matlab("function") and any("def port(" in b.code for b in page.python("wrong")):
            out.append(p)
    return out


@pytest.mark.parametrize("path", _compare_pages(), ids=lambda p: p.stem)
def test_compare_reports_the_pages_kind(path: Path, octave, tmp_path: Path) -> None:
    from portcheck.compare import compare
    page = parse_page(path)
    _write_matlab(page, tmp_path)
    name = FUNCTION_RE.search(page.matlab("function")[0].code).group("name")
    reference = str(tmp_path / name)
    for block in page.python("wrong"):
        ns = run_block(page, block)
        report = compare(reference, ns["port"], args=ns["args"], octave=octave)
        assert report.kinds & set(page.kinds), (
            f"{page.path.name}:{block.line}: expected one of {page.kinds}, got {sorted(report.kinds)}\n{report}"
        )
    for block in page.python("right"):
        ns = run_block(page, block)
        report = compare(reference, ns["port"], args=ns["args"], octave=octave)
        assert report.ok, f"{page.path.name}:{block.line}: the right port should pass\n{report}"
