"""The demo behind ``make demo``: the bundled corpus validated against real Octave.

Every faithful port is compared with its Octave reference (and its gradient
checked); every port of the broken gallery is checked the same way, and the
table shows the mistake portcheck names for it. Then the 64-25-10 network is
trained on scikit-learn's digits in both languages and the accuracies are shown
side by side.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .report import Report, Table
from .suite import Suite, SuiteResult, catalog_pairs, naming_findings, run_suite

__all__ = ["DemoResult", "run_demo"]


@dataclass(frozen=True)
class DemoResult:
    """What the demo found: the suite over the corpus, and the training comparison."""

    suite: SuiteResult
    training: Report | None
    octave_version: str

    @property
    def reports(self) -> tuple[Report, ...]:
        return self.suite.reports + ((self.training,) if self.training is not None else ())

    @property
    def verdicts_right(self) -> bool:
        """Faithful ports clean and every planted mistake named."""
        return self.suite.expectations_met and (self.training is None or self.training.ok)

    def faithful_table(self) -> Table:
        rows = []
        for pair, check, rep in self.suite.results:
            if pair.expect:
                continue
            top = rep.errors[0].kind if rep.errors else ("-" if not rep.findings else rep.findings[0].kind)
            rows.append((pair.name, check, "OK" if rep.ok else "FAIL", top))
        return Table("Faithful ports: each must match its Octave reference", ("case", "check", "verdict", "finding"),
                     tuple(rows))

    def gallery_table(self) -> Table:
        rows = []
        for pair, check, rep in self.suite.results:
            if not pair.expect:
                continue
            hits = naming_findings(pair, rep)
            shown = hits[0] if hits else (rep.errors[0] if rep.errors else None)
            said = f"{shown.kind}: {shown.message}" if shown else "(nothing found)"
            rows.append((pair.name.removeprefix("broken."), pair.description, ", ".join(pair.expect),
                         "yes" if hits else "NO", _shorten(said, 160), _lines(shown)))
        return Table("Broken gallery: the mistake portcheck names", ("port", "planted mistake", "expected",
                     "named", "portcheck says", "line (PYTHON ↔ OCTAVE)"), tuple(rows))

    def summary_table(self) -> Table:
        return self.suite.summary_table()

    def __rich__(self) -> Any:
        from rich.console import Group
        from rich.text import Text

        from .report import _rich_table, render_rich

        n_faithful = sum(1 for p, _, _ in self.suite.results if not p.expect)
        n_ok = sum(1 for p, _, r in self.suite.results if not p.expect and r.ok)
        gallery = [(p, r) for p, _, r in self.suite.results if p.expect]
        n_named = sum(1 for p, r in gallery if naming_findings(p, r))
        parts: list[Any] = [
            Text(f"portcheck demo: the bundled ports against GNU Octave {self.octave_version}", style="bold"),
            _rich_table(self.faithful_table()),
            _rich_table(self.gallery_table()),
        ]
        if self.training is not None:
            parts.append(render_rich(self.training))
        verdict = Text.assemble(
            (f"{n_ok}/{n_faithful} faithful checks clean; ", "green" if n_ok == n_faithful else "red"),
            (f"{n_named}/{len(gallery)} planted mistakes named", "green" if n_named == len(gallery) else "red"),
        )
        parts.append(verdict)
        return Group(*parts)

    def __str__(self) -> str:
        from .report import _to_text

        return _to_text(self.__rich__(), 140)


def _lines(finding: Any) -> str:
    """``nn.py:419 ↔ nnCostFunction.m:25`` when a trace pinned the finding to lines."""
    if finding is None or (finding.port_location is None and finding.reference_location is None):
        return "-"
    from .trace.explain import place

    return f"{place(finding.port_location)} ↔ {place(finding.reference_location)}"


def _shorten(text: str, n: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def training_available() -> bool:
    """True when scikit-learn (the digits data set of the training run) can be imported."""
    import importlib.util

    try:
        return importlib.util.find_spec("sklearn") is not None
    except (ImportError, ValueError):  # a broken or blocked sklearn entry in sys.modules
        return False


def run_demo(train: bool = True, octave: Any = None, plots: bool = False) -> DemoResult:
    """Validate the bundled corpus; optionally train the digits network in both languages.

    ``plots=True`` attaches figures for an HTML report (needs matplotlib).
    """
    from .octave import Octave

    suite = Suite(tuple(catalog_pairs("faithful") + catalog_pairs("gallery")), source="bundled corpus")
    own = octave is None
    oc = Octave() if own else octave
    try:
        result = run_suite(suite, octave=oc, plots=plots)
        training = None
        if train:
            from .optimize import train_digits

            training = train_digits(oc, plot=plots)
        version = oc.version
    finally:
        if own:
            oc.close()
    return DemoResult(result, training, version)
