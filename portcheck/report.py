"""Findings and reports: the data every check returns, and how it renders.

No numerics here: the checks compute, this module only holds and renders.
A :class:`Report` prints as a table in a terminal (``print(report)``, rich),
as HTML in Jupyter (``_repr_html_``) and serialises with :meth:`Report.to_dict`.

Finding kinds
-------------
The vocabulary is fixed and documented in :data:`KINDS`; suites and users
match on ``finding.kind``, never on message text.
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Finding", "Report", "Table", "KINDS", "SEVERITIES", "jsonable"]

#: The finding vocabulary: kind -> what it means. Stable across releases.
KINDS: dict[str, str] = {
    "unroll-order": "a block equals the reference after re-unrolling in the other memory order (C vs Fortran)",
    "transposed": "an output or block equals the reference transposed",
    "shape": "shapes differ in a way that matters (n×m vs m×n, a row where a column is needed)",
    "broadcast": "an (m,1)/(m,) mix broadcast to (m,m) inside the port",
    "index-base": "1-based vs 0-based indices or labels",
    "scale": "the port's value is a constant multiple of the reference (m, 1/m, 2, λ, ...)",
    "ddof": "std/var normalised by N instead of N-1 (factor √((N-1)/N))",
    "sign": "the port's value is the negated reference",
    "regularization": "the difference is proportional to the parameters, or confined to the bias column",
    "mismatch": "values differ for no recognised reason; shows where it is worst",
    "mutates-input": "the port changed one of its input arrays in place",
    "nondeterministic": "two identical calls gave different results",
    "python-error": "the Python port raised an exception",
    "octave-error": "the Octave reference raised an error",
    "non-finite": "NaN or Inf in an output",
    "lambda-capture": "the objective ignores its argument (closure over a fixed theta) or binds a loop variable late",
    "non-differentiable": "a kink (ReLU, max, abs) lies within the finite-difference step: not a bug",
    "precision": "single precision limits how many digits can be checked",
    "swapped-blocks": "two same-shaped blocks hold each other's values",
    "optimizer": "the optimizer failed or stopped for a reason other than convergence",
    "local-minimum": "both optimizers converged, to different minima of a non-convex problem",
    "first-divergence": "the first named intermediate value where the two sides part",
    "lint": "a static pattern in the port's source that usually means a porting mistake",
    # Found by tracing intermediates inside the computation (portcheck.trace).
    "extra-function": "the port applies an elementwise function the reference does not (port = f(reference))",
    "missing-function": "the reference applies an elementwise function the port forgot (reference = f(port))",
    "extra-factor": "the port multiplies by another intermediate (or a function of one) the reference does not",
    "inverted-mask": "a mask or ReLU switch is flipped: the port keeps the part the reference zeroes",
    "wrong-operand": ("the port's line matches the reference once one operand is replaced by another variable, "
                      "or one slip in it is undone (a transpose, an axis, `1 - p`, a function, a constant)"),
    "last-iteration": "a variable assigned in a loop keeps only the last pass where the reference accumulates",
    "aliased-write": "a write through one name changed another that names the same array (MATLAB's `b = a` copies)",
    # Real ports and their calling conventions.
    "tolerance": "a small difference explained by an optimizer's or solver's tolerance, not by a mistake",
    "calling-convention": "the port works only when called another way (1-D vs column, int labels, ...)",
}

SEVERITIES: tuple[str, ...] = ("error", "warning", "info")

#: A finding is read in seconds: text a port or reference put into an error (a whole array, megabytes of
#: log) is cut to this many characters, and the cut is said.
MAX_MESSAGE = 4000


def jsonable(value: Any) -> Any:
    """Convert NumPy scalars/arrays and tuples into JSON-ready Python values."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        f = float(value)
        return f if math.isfinite(f) else str(f)
    if isinstance(value, (np.complexfloating, complex)):
        return {"real": jsonable(value.real), "imag": jsonable(value.imag)}
    if value is None or isinstance(value, (str, int)):
        return value
    return repr(value)


@dataclass(frozen=True)
class Finding:
    """One diagnosed difference between the reference and the port.

    Parameters
    ----------
    kind : str
        One of :data:`KINDS`.
    severity : {"error", "warning", "info"}
        Errors make a report fail; warnings and info do not.
    message : str
        What is wrong and the fix, in a sentence or two.
    output : str, optional
        Which output it concerns (``"J"``, ``"grad"``, ``"output 2"``).
    block : str, optional
        Which layout block, when a layout was given.
    evidence : mapping
        The numbers behind the verdict (factors, errors, indices), JSON-ready.
    port_location : (str, int), optional
        ``(path, line)`` of the port's line the finding points at (1-based
        line), when a trace or the source pinned it; ``None`` when unknown.
    reference_location : (str, int), optional
        ``(path, line)`` of the reference's ``.m`` line, likewise.
    element : int, optional
        0-based flat index into the parameter vector of the worst element a
        gradient check localised; ``None`` when not localised.
    """

    kind: str
    severity: str
    message: str
    output: str | None = None
    block: str | None = None
    evidence: Mapping[str, Any] = field(default_factory=dict)
    port_location: tuple[str, int] | None = None
    reference_location: tuple[str, int] | None = None
    element: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown finding kind {self.kind!r}; known kinds: {sorted(KINDS)}")
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {SEVERITIES}, got {self.severity!r}")
        if len(self.message) > MAX_MESSAGE:
            cut = len(self.message) - MAX_MESSAGE
            object.__setattr__(self, "message", f"{self.message[:MAX_MESSAGE]}… ({cut:,} more characters cut)")

    @property
    def where(self) -> str:
        """``output/block`` as one label ("" when neither is set)."""
        return "/".join(p for p in (self.output, self.block) if p)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict of every field (evidence converted by :func:`jsonable`)."""
        return {
            "kind": self.kind,
            "severity": self.severity,
            "output": self.output,
            "block": self.block,
            "message": self.message,
            "evidence": jsonable(self.evidence),
            "port_location": list(self.port_location) if self.port_location else None,
            "reference_location": list(self.reference_location) if self.reference_location else None,
            "element": self.element,
        }

    def __str__(self) -> str:
        where = f" [{self.where}]" if self.where else ""
        return f"{self.severity.upper()} {self.kind}{where}: {self.message}"

    def __repr__(self) -> str:
        # Compact like iminuit's result objects: the verdict on one line; evidence stays in .evidence.
        where = f" [{self.where}]" if self.where else ""
        at = f" at {_short_location(self.port_location)}" if self.port_location else ""
        return f"<Finding {self.severity} {self.kind}{where}{at}: {_shorten(self.message, 100)}>"

    def _repr_html_(self) -> str:
        return _HTML_STYLE + '<div class="portcheck-report">' + _html_finding(self) + "</div>"

    @property
    def traced(self) -> tuple[tuple[str, str, str, str], ...]:
        """The two sides of a traced finding, reference first.

        One ``(label, location, source line, value summary)`` per side that a
        trace pinned (``OCTAVE`` for the reference, ``PYTHON`` for the port);
        empty when the finding carries no location or source line.
        """
        sides = []
        for label, loc, src, val in (
            ("OCTAVE", self.reference_location, "reference_source", "reference_value"),
            ("PYTHON", self.port_location, "port_source", "port_value"),
        ):
            source = str(self.evidence.get(src, "") or "").strip()
            value = str(self.evidence.get(val, "") or "").strip()
            if loc or source:
                sides.append((label, _short_location(loc) if loc else "", source, value))
        return tuple(sides)


@dataclass(frozen=True)
class Table:
    """A titled table of already-computed values; the renderer only formats cells."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: title, column names and formatted-as-JSON rows."""
        return {"title": self.title, "columns": list(self.columns), "rows": jsonable(self.rows)}


@dataclass(frozen=True)
class Report:
    """The result of a check: findings plus the tables that support them.

    Build one with :func:`portcheck.compare`, :func:`portcheck.check_gradient`
    or :func:`portcheck.compare_minimize`; tests may build one directly.

    Attributes
    ----------
    check : str
        Which check produced it: ``"compare"``, ``"gradient"``, ``"minimize"``...
    title : str
        What was checked, e.g. ``"nnCostFunction  vs  mypkg:nn_cost_function"``.
    findings : tuple of Finding
    tables : tuple of Table
        Per-output / per-block statistics, already computed.
    notes : tuple of str
        Things the reader should know that are not findings (silent coercions
        portcheck made, e.g. "PYTHON grad (38,) compared as a 38×1 column").
    details : mapping
        Raw numbers (JSON-ready) for programmatic use.
    figures : mapping of str to bytes
        PNG images (cost curves, per-block errors) for HTML reports.
    """

    check: str
    title: str
    findings: tuple[Finding, ...] = ()
    tables: tuple[Table, ...] = ()
    notes: tuple[str, ...] = ()
    details: Mapping[str, Any] = field(default_factory=dict)
    figures: Mapping[str, bytes] = field(default_factory=dict)

    # -- verdicts ---------------------------------------------------------------

    @property
    def ok(self) -> bool:
        """True when no finding has severity ``"error"``."""
        return not any(f.severity == "error" for f in self.findings)

    @property
    def errors(self) -> tuple[Finding, ...]:
        """Findings of severity ``"error"`` (they make :attr:`ok` False)."""
        return tuple(f for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> tuple[Finding, ...]:
        """Findings of severity ``"warning"``."""
        return tuple(f for f in self.findings if f.severity == "warning")

    @property
    def kinds(self) -> set[str]:
        """The set of finding kinds present."""
        return {f.kind for f in self.findings}

    def by_kind(self, kind: str) -> list[Finding]:
        """Findings of one kind."""
        return [f for f in self.findings if f.kind == kind]

    # -- serialisation ----------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (figures are base64 PNG strings)."""
        return {
            "check": self.check,
            "title": self.title,
            "ok": self.ok,
            "findings": [f.to_dict() for f in self.findings],
            "tables": [t.to_dict() for t in self.tables],
            "notes": list(self.notes),
            "details": jsonable(self.details),
            "figures": {k: base64.b64encode(v).decode("ascii") for k, v in self.figures.items()},
        }

    def to_json(self, **kwargs: Any) -> str:
        """:meth:`to_dict` as a JSON string; ``kwargs`` go to :func:`json.dumps` (``indent=2``)."""
        return json.dumps(self.to_dict(), **kwargs)

    # -- rendering --------------------------------------------------------------

    def __repr__(self) -> str:
        if self.ok and not self.findings:
            verdict = "ok"
        else:
            n_err = len(self.errors)
            kinds = ", ".join(sorted(self.kinds))
            verdict = ("ok" if self.ok else f"{n_err} error{'s' * (n_err != 1)}") + f" ({kinds})"
        return f"<portcheck.Report {self.check} {self.title!r}: {verdict}>"

    def __rich__(self) -> Any:
        return render_rich(self)

    def __str__(self) -> str:
        return render_text(self)

    def _repr_html_(self) -> str:
        return render_html(self)


# ----------------------------------------------------------------------------
# renderers


def format_cell(value: Any) -> str:
    """Format one table cell: floats in 3 significant digits, tuples as shapes."""
    if value is None:
        return "-"
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        f = float(value)
        if math.isnan(f):
            return "nan"
        if math.isinf(f):
            return "inf" if f > 0 else "-inf"
        if f == 0:
            return "0"
        if 1e-3 <= abs(f) < 1e4:
            return f"{f:.4g}"
        return f"{f:.2e}"
    if isinstance(value, tuple) and all(isinstance(v, (int, np.integer)) for v in value):
        return "(" + ", ".join(str(int(v)) for v in value) + (",)" if len(value) == 1 else ")")
    return str(value)


def _clean_verdict(report: Report) -> str:
    """What "no findings" means for this check (a gradient check has no reference)."""
    return {
        "compare": "the port matches the reference",
        "gradient": "the analytic gradient agrees with the numerical derivatives",
        "minimize": "no optimizer or port problem found",
    }.get(report.check, "nothing to report")


_SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def _shorten(text: str, n: int) -> str:
    """One line of at most ``n`` characters (whitespace collapsed, an ellipsis when cut)."""
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _short_location(location: tuple[str, int] | Sequence[Any] | None) -> str:
    """``path:line``, the path relative to the working folder when it lies inside it."""
    if not location:
        return ""
    from pathlib import Path

    path, line = location[0], location[1]
    try:
        shown = str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        shown = str(path)
    return f"{shown}:{line}"


def _rich_finding(f: Finding) -> Any:
    """One finding as rich text: the verdict line, then one line per traced side."""
    from rich.text import Text

    where = f" [{f.where}]" if f.where else ""
    text = Text.assemble(
        ("  " + f.severity.upper().ljust(8), _SEVERITY_STYLE[f.severity]),
        (f.kind, "bold"),
        where,
        ": ",
        f.message,
    )
    sides = f.traced
    if sides:
        loc_width = max(len(loc) for _, loc, _, _ in sides)
        src_width = min(60, max(len(src) for _, _, src, _ in sides))
        for label, loc, src, value in sides:
            text.append("\n" + " " * 10)
            text.append(label.ljust(7), "bold")
            text.append(loc.ljust(loc_width) + "  ", "dim")
            text.append(_shorten(src, 60).ljust(src_width))
            if value:
                text.append(f"  = {_shorten(value, 50)}", "dim")
    return text


def render_rich(report: Report) -> Any:
    """A rich renderable: header, findings (the verdict's reasons first), tables, notes."""
    from rich.console import Group
    from rich.text import Text

    parts: list[Any] = []
    verdict = Text("OK", style="bold green") if report.ok else Text("FAIL", style="bold red")
    head = Text.assemble(("portcheck ", "bold"), (f"{report.check}: ", "bold"), report.title, "  ", verdict)
    parts.append(head)
    if report.findings:
        parts.append(Text("Findings", style="bold"))
        parts += [_rich_finding(f) for f in report.findings]
    else:
        parts.append(Text(f"No findings: {_clean_verdict(report)}.", style="green"))
    parts += [_rich_table(t) for t in report.tables]
    for note in report.notes:
        parts.append(Text(f"  note: {note}", style="dim"))
    return Group(*parts)


def _rich_table(t: Table) -> Any:
    from rich.table import Table as RichTable

    rt = RichTable(title=t.title, title_justify="left", show_lines=False, pad_edge=False)
    for c in t.columns:
        rt.add_column(c, overflow="fold")
    for row in t.rows:
        rt.add_row(*(format_cell(c) for c in row))
    return rt


def _to_text(renderable: Any, width: int) -> str:
    """Plain text of a rich renderable, the same in a terminal, a pipe and a Jupyter kernel.

    Rich detects Jupyter and would send the output to the notebook's display
    instead of ``file`` (leaving ``""``): ``force_jupyter=False`` and a fixed
    width keep strings and assertion messages independent of where they are made.
    """
    from rich.console import Console

    buf = io.StringIO()
    console = Console(file=buf, width=width, color_system=None, force_terminal=False, force_jupyter=False,
                      force_interactive=False, highlight=False, emoji=False, soft_wrap=False,
                      legacy_windows=False)
    console.print(renderable)
    return buf.getvalue().rstrip() + "\n"


def render_table_text(table: Table, width: int = 110) -> str:
    """One :class:`Table` as plain text."""
    return _to_text(_rich_table(table), width)


def render_text(report: Report, width: int = 110) -> str:
    """Plain text (no colour) of :func:`render_rich`, for logs and assertion messages."""
    return _to_text(render_rich(report), width)


_HTML_STYLE = """
<style>
.portcheck-report{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;font-size:13px;max-width:1100px;
  color:#1d1d1f;line-height:1.4}
.portcheck-report table{border-collapse:collapse;margin:6px 0 12px}
.portcheck-report th,.portcheck-report td{border:1px solid #d0d0d0;padding:3px 8px;text-align:right;
  vertical-align:top}
.portcheck-report th{background:#f2f2f2}
.portcheck-report td:first-child,.portcheck-report th:first-child{text-align:left}
.portcheck-report td.text,.portcheck-report th.text{text-align:left}
.portcheck-report .error{color:#b00020;font-weight:bold}
.portcheck-report .warning{color:#8a6d00;font-weight:bold}
.portcheck-report .info{color:#00658f}
.portcheck-report .ok{color:#1b7f1b;font-weight:bold}
.portcheck-report .note{color:#666}
.portcheck-report .badge{display:inline-block;border-radius:3px;padding:0 6px;color:#fff;font-weight:bold;
  font-size:12px}
.portcheck-report .badge.fail{background:#b00020}.portcheck-report .badge.pass{background:#1b7f1b}
.portcheck-report .badge.warn{background:#a07800}
.portcheck-report .counts{display:flex;gap:12px;margin:8px 0 14px;flex-wrap:wrap}
.portcheck-report .count{border:1px solid #d0d0d0;border-radius:6px;padding:6px 14px;min-width:90px}
.portcheck-report .count b{display:block;font-size:22px}
.portcheck-report .count.fail b{color:#b00020}.portcheck-report .count.pass b{color:#1b7f1b}
.portcheck-report .count.warn b{color:#8a6d00}
.portcheck-report ul.findings{list-style:none;padding-left:0;margin:4px 0 10px}
.portcheck-report ul.findings>li{margin:0 0 8px}
.portcheck-report .trace{display:grid;grid-template-columns:1fr 1fr;gap:8px;margin:4px 0 0 16px}
.portcheck-report .side{border:1px solid #d0d0d0;border-radius:4px;padding:4px 8px;background:#fafafa;
  overflow-x:auto}
.portcheck-report .side .label{font-weight:bold;font-size:11px;color:#444}
.portcheck-report .side .loc{color:#666;font-size:11px;margin-left:6px}
.portcheck-report .side pre{margin:2px 0;white-space:pre-wrap}
.portcheck-report .side .value{color:#444;font-size:12px}
.portcheck-report section.check{border-top:1px solid #ddd;padding-top:4px;margin-top:10px}
.portcheck-report details{margin:6px 0}
.portcheck-report details>summary{cursor:pointer}
.portcheck-report a{color:#0b57d0}
</style>
"""


def _html_table(t: Table) -> str:
    """One :class:`Table` as an HTML ``<table>`` with its title as caption."""
    e = html.escape
    head = "".join(f"<th>{e(c)}</th>" for c in t.columns)
    body = "".join("<tr>" + "".join(f"<td>{e(format_cell(c))}</td>" for c in row) + "</tr>" for row in t.rows)
    return f"<table><caption style='text-align:left'><b>{e(t.title)}</b></caption><tr>{head}</tr>{body}</table>"


def _html_finding(f: Finding) -> str:
    """One finding as HTML: severity, kind, where, message, and the traced lines side by side."""
    e = html.escape
    where = f" [{e(f.where)}]" if f.where else ""
    out = [f'<span class="{f.severity}">{f.severity.upper()}</span> <code>{e(f.kind)}</code>{where}: '
           f"{e(f.message)}"]
    sides = f.traced
    if sides:
        out.append('<div class="trace">')
        for label, loc, src, value in sides:
            side = "reference" if label == "OCTAVE" else "port"
            out.append(f'<div class="side {side}"><span class="label">{label} ({side})</span>'
                       f'<span class="loc">{e(loc)}</span><pre>{e(src) or "&nbsp;"}</pre>'
                       + (f'<div class="value">= {e(value)}</div>' if value else "") + "</div>")
        out.append("</div>")
    return "".join(out)


def _html_report_body(report: Report, heading: str = "h3") -> str:
    """A report's inside: verdict heading, findings first, then tables, notes and figures."""
    e = html.escape
    verdict = '<span class="badge pass">OK</span>' if report.ok else '<span class="badge fail">FAIL</span>'
    out = [f"<{heading}>{verdict} portcheck {e(report.check)}: {e(report.title)}</{heading}>"]
    if report.findings:
        out.append('<ul class="findings">' + "".join(f"<li>{_html_finding(f)}</li>" for f in report.findings)
                   + "</ul>")
    else:
        out.append(f'<p class="ok">No findings: {e(_clean_verdict(report))}.</p>')
    out += [_html_table(t) for t in report.tables]
    for note in report.notes:
        out.append(f'<p class="note">note: {e(note)}</p>')
    for name, png in report.figures.items():
        b64 = base64.b64encode(png).decode("ascii")
        out.append(f'<figure><img alt="{e(name)}" src="data:image/png;base64,{b64}"/>'
                   f"<figcaption>{e(name)}</figcaption></figure>")
    return "\n".join(out)


def render_html(report: Report, standalone: bool = False) -> str:
    """HTML for Jupyter (``standalone=False``) or a self-contained file."""
    e = html.escape
    body = "\n".join([_HTML_STYLE, '<div class="portcheck-report">', _html_report_body(report), "</div>"])
    if standalone:
        return (
            "<!DOCTYPE html><html><head><meta charset='utf-8'>"
            f"<title>portcheck: {e(report.title)}</title></head><body>{body}</body></html>"
        )
    return body


def merge_findings(*groups: Sequence[Finding]) -> tuple[Finding, ...]:
    """Concatenate finding lists, dropping exact duplicates, errors first."""
    seen: set[tuple] = set()
    out: list[Finding] = []
    for g in groups:
        for f in g:
            key = (f.kind, f.severity, f.output, f.block, f.message)
            if key not in seen:
                seen.add(key)
                out.append(f)
    order = {s: i for i, s in enumerate(SEVERITIES)}
    return tuple(sorted(out, key=lambda f: order[f.severity]))




def _kind_counts(reports: Sequence[Report]) -> list[tuple[str, int]]:
    """Error kinds over failing reports, most frequent first (each report counted once per kind)."""
    counts: dict[str, int] = {}
    for r in reports:
        for kind in {f.kind for f in r.errors}:
            counts[kind] = counts.get(kind, 0) + 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def render_html_document(reports: Sequence[Report], title: str = "portcheck report",
                         summary: Table | None = None,
                         expected: Sequence[Sequence[str]] | None = None) -> str:
    """A self-contained HTML page that leads with what failed.

    The page opens with the counts (failing, passing, with warnings) and the
    error kinds found, then an index of the failing checks linking to each
    (anchors ``#check-N``, N the check's position in ``reports``), then every
    failing report in full, then the passing ones collapsed in ``<details>``.
    The optional ``summary`` table (one row per check) comes last, collapsed.
    ``expected`` gives, per report, the finding kinds a suite expects (empty
    for a faithful port): failures are then split into expected (a planted
    mistake named) and unexpected, and the verdict follows the expectations.
    Figures are embedded as base64 PNG, so the file can be mailed or archived.
    """
    e = html.escape
    failing = [(i, r) for i, r in enumerate(reports) if not r.ok]
    passing = [(i, r) for i, r in enumerate(reports) if r.ok]
    n_warn = sum(1 for r in reports if r.ok and r.warnings)
    kinds_expected = [tuple(x) for x in expected] if expected is not None else [()] * len(reports)
    if len(kinds_expected) != len(reports):
        raise ValueError(f"expected has {len(kinds_expected)} entries for {len(reports)} reports")

    def as_expected(i: int, r: Report) -> bool:
        if not kinds_expected[i]:
            return r.ok
        return any(f.kind in kinds_expected[i] and f.severity != "info" for f in r.findings)

    n_unmet = sum(not as_expected(i, r) for i, r in enumerate(reports))
    n_planted = sum(bool(k) for k in kinds_expected)
    if expected is not None and n_planted:
        verdict = (f'<span class="badge pass">every expectation met: {len(failing)} of {len(reports)} checks '
                   f"fail, each naming its planted mistake</span>" if not n_unmet
                   else f'<span class="badge fail">{n_unmet} of {len(reports)} checks not as expected</span>')
    else:
        verdict = (f'<span class="badge pass">all {len(reports)} checks OK</span>' if not failing
                   else f'<span class="badge fail">{len(failing)} of {len(reports)} checks FAIL</span>')
    parts = [_HTML_STYLE, '<div class="portcheck-report">', f"<h1>{e(title)}</h1>", f"<p>{verdict}</p>",
             '<div class="counts">',
             f'<div class="count fail"><b>{len(failing)}</b>failing</div>',
             f'<div class="count pass"><b>{len(passing)}</b>passing</div>',
             f'<div class="count warn"><b>{n_warn}</b>passing with warnings</div>']
    if expected is not None and n_planted:
        parts.append(f'<div class="count {"fail" if n_unmet else "pass"}"><b>{n_unmet}</b>not as expected</div>')
    parts.append("</div>")
    # Unexpected results lead: they are what needs a person's attention.
    failing.sort(key=lambda ir: as_expected(*ir))
    if failing:
        kinds = _kind_counts([r for _, r in failing])
        parts.append("<p>Error kinds: " + ", ".join(
            f'<code>{e(k)}</code> <span class="error">×{n}</span>' for k, n in kinds) + "</p>")
        rows = []
        show_expected = expected is not None and n_planted
        for i, r in failing:
            first = r.errors[0] if r.errors else None
            said = _shorten(first.message, 140) if first else ""
            exp = ""
            if show_expected:
                met = as_expected(i, r)
                exp = (f'<td class="text"><span class="{"ok" if met else "error"}">'
                       f'{"yes" if met else "NO"}</span> {e(", ".join(kinds_expected[i]) or "clean")}</td>')
            rows.append(f'<tr><td><a href="#check-{i}">{e(r.title)}</a></td><td class="text">{e(r.check)}</td>'
                        f'<td class="text"><span class="error">'
                        f'{e(", ".join(sorted({f.kind for f in r.errors})))}</span></td>{exp}'
                        f'<td class="text">{e(said)}</td></tr>')
        exp_head = "<th class='text'>as expected</th>" if show_expected else ""
        parts.append("<h2 id='failures'>Failures</h2><table><tr><th>check</th><th class='text'>check type</th>"
                     f"<th class='text'>error kinds</th>{exp_head}<th class='text'>first finding</th></tr>"
                     + "".join(rows) + "</table>")
        parts += [f'<section class="check failing" id="check-{i}">{_html_report_body(r)}'
                  f'<p><a href="#failures">back to the failures</a></p></section>' for i, r in failing]
    if passing:
        inner = "".join(
            f'<details class="check passing" id="check-{i}"><summary><span class="badge pass">OK</span> '
            f"{e(r.check)}: {e(r.title)}"
            + (f' <span class="warning">({len(r.warnings)} warning{"s" * (len(r.warnings) != 1)})</span>'
               if r.warnings else "")
            + f"</summary>{_html_report_body(r, 'h4')}</details>"
            for i, r in passing)
        parts.append(f'<h2 id="passing">Passing</h2><details class="passing-all"><summary>{len(passing)} passing '
                     f"check{'s' * (len(passing) != 1)} (click to expand)</summary>{inner}</details>")
    if summary is not None:
        parts.append(f'<h2 id="summary">Every check</h2><details><summary>{e(summary.title)}: '
                     f"{len(summary.rows)} rows</summary>{_html_table(summary)}</details>")
    parts.append("</div>")
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>{e(title)}</title></head><body>" + "\n".join(parts) + "</body></html>"
    )
