"""Declarative validation suites: ``portcheck.toml`` or ``[tool.portcheck]`` in pyproject.

A suite lists port pairs (Octave function, Python ``module:function``), where
their inputs come from, a layout, and which checks to run. ``portcheck run``
executes it and the pytest plugin collects the same file as tests, one per
pair and check; both go through :func:`run_check`, so they agree by construction.

Format
------
.. code-block:: toml

    [portcheck]                      # or [tool.portcheck] in pyproject.toml
    paths = ["refs"]                 # Octave folders, relative to this file
    timeout = 120                    # seconds for one call of a reference or a port
    catalog = ["faithful", "gallery"]   # optional: add the bundled corpus

    [[portcheck.pair]]
    name = "nn cost"                 # default: the Octave name
    octave = "nnCostFunction"
    python = "mypkg.nn:nn_cost_function"      # or "ports/nn.py:nn_cost_function"
    checks = ["compare", "gradient"]          # default ["compare"]
    layout = [["Theta1", [25, 401]], ["Theta2", [10, 26]]]
    nout = 2
    inputs = "mypkg.inputs:nn_args"           # a factory returning the argument tuple
    # inputs = { case = "ex4.nnCostFunction" }           the bundled catalogue's inputs
    # inputs = { debug = "nn", input_layer_size = 3, hidden_layer_size = 5, num_labels = 3, m = 5, lambda = 3.0 }
    # inputs = { mat = ["ex4data1.mat", "ex4weights.mat"],
    #            args = [{ unroll = ["Theta1", "Theta2"] }, 400, 25, 10, "$X", "$y", 1.0] }
    expect = ["unroll-order"]        # optional: the planted mistake (shown in the summary)

    [portcheck.pair.minimize]        # options for the "minimize" check
    method = "L-BFGS-B"
    maxiter = 50
    octave_optimizer = "fmincg"
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ._suite_schema import validate_suite_table
from .errors import InputError, OctaveNotFoundError, PortcheckError, PortError, SuiteError
from .inputs import debug_dataset, debug_weights
from .loading import load_args, load_callable
from .report import Finding, Report, Table

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

__all__ = ["Pair", "Suite", "SuiteResult", "load_suite", "run_suite", "run_check", "catalog_pairs",
           "naming_findings", "find_suite", "suite_paths", "CHECKS"]

CHECKS = ("compare", "gradient", "minimize")


@dataclass(frozen=True)
class Pair:
    """One Octave reference and its Python port, with inputs and checks."""

    name: str
    octave: str | None
    python: Callable[..., Any] | str
    make_args: Callable[[], tuple]
    make_python_args: Callable[[], tuple] | None = None
    layout: list | None = None
    nout: int | None = None
    checks: tuple[str, ...] = ("compare",)
    wrt: int | None = None
    expect: tuple[str, ...] = ()
    minimize: Mapping[str, Any] = field(default_factory=dict)
    objective: Callable[..., Any] | None = None
    description: str = ""
    base: Path | None = None
    outputs: tuple[str, ...] = ()
    rtol: float | None = None
    atol: float | None = None
    #: The port's penalty-weight argument (index or name) for the λ = 0 re-run.
    penalty: int | str | None = None
    #: The port's separate gradient function (``module:function``), when cost and gradient are split.
    grad: Callable[..., Any] | str | None = None
    trace: bool | None = None

    def port(self) -> Callable[..., Any]:
        return load_callable(self.python, self.base)


@dataclass(frozen=True)
class Suite:
    """A loaded suite: pairs plus the Octave settings they share."""

    pairs: tuple[Pair, ...]
    paths: tuple[str, ...] = ()
    timeout: float | None = None
    rtol: float | None = None
    atol: float | None = None
    source: str = "<memory>"


@dataclass(frozen=True)
class SuiteResult:
    """Every (pair, check, report) of a run, with a summary table."""

    results: tuple[tuple[Pair, str, Report], ...]

    @property
    def reports(self) -> tuple[Report, ...]:
        return tuple(r for _, _, r in self.results)

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.reports)

    @property
    def expectations_met(self) -> bool:
        """Faithful pairs clean, and every pair with ``expect`` named one of its kinds."""
        return all(_expectation_met(p, r) for p, _, r in self.results)

    def summary_table(self) -> Table:
        rows = []
        for pair, check, rep in self.results:
            kinds = ", ".join(sorted({f.kind for f in rep.errors})) or "-"
            expected = ", ".join(pair.expect) or "clean"
            rows.append((pair.name, check, "OK" if rep.ok else "FAIL", kinds, expected,
                         "yes" if _expectation_met(pair, rep) else "NO"))
        return Table("suite summary", ("pair", "check", "verdict", "error kinds", "expected", "as expected"),
                     tuple(rows))

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "expectations_met": self.expectations_met,
            "results": [
                {"pair": p.name, "check": c, "expect": list(p.expect), **r.to_dict()} for p, c, r in self.results
            ],
        }

    def __rich__(self) -> Any:
        from rich.console import Group
        from rich.text import Text

        from .report import _rich_table, render_rich

        n_fail = sum(not r.ok for r in self.reports)
        parts: list[Any] = [render_rich(r) for r in self.reports if not r.ok]
        parts.append(_rich_table(self.summary_table()))
        verdict = (Text(f"all {len(self.reports)} checks OK", style="bold green") if not n_fail
                   else Text(f"{n_fail} of {len(self.reports)} checks found errors", style="bold red"))
        planted = [(p, r) for p, _, r in self.results if p.expect]
        if planted:
            named = sum(_expectation_met(p, r) for p, r in planted)
            faithful_bad = sum(not r.ok for p, _, r in self.results if not p.expect)
            verdict.append(f"; {named}/{len(planted)} expected mistakes named, "
                           f"{faithful_bad} unexpected failure{'s' * (faithful_bad != 1)}",
                           style="bold green" if self.expectations_met else "bold red")
        parts.append(verdict)
        return Group(*parts)

    def __str__(self) -> str:
        from .report import _to_text

        return _to_text(self.__rich__(), 110)


def naming_findings(pair: Pair, report: Report) -> list[Finding]:
    """The findings that name one of the pair's expected mistakes.

    An info-level note mentioning a kind is not naming the mistake.
    """
    return [f for f in report.findings if f.kind in pair.expect and f.severity != "info"]


def _expectation_met(pair: Pair, report: Report) -> bool:
    if not pair.expect:
        return report.ok
    return bool(naming_findings(pair, report))


# -- loading --------------------------------------------------------------------


def _toml_text(path: Path) -> str:
    """The file's text: TOML is UTF-8; a byte-order mark (Windows editors write one) is not content."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}); TOML files are UTF-8, "
                         "save it as UTF-8 in your editor.") from None


def _read_table(path: Path) -> Mapping[str, Any]:
    try:
        data = tomllib.loads(_toml_text(path))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML ({exc}).") from None
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get("portcheck")
        if table is None:
            raise InputError(f"{path} has no [tool.portcheck] table.")
        validate_suite_table(table, path, "tool.portcheck")
        return table
    table = data.get("portcheck", data)
    validate_suite_table(table, path, "portcheck" if "portcheck" in data else "")
    return table


def load_suite(source: str | Path | None = None) -> Suite:
    """Read a suite file (format in this module's docstring).

    Parameters
    ----------
    source : str or Path, optional
        A ``portcheck.toml`` or a ``pyproject.toml`` with ``[tool.portcheck]``;
        by default the nearest one found by :func:`find_suite` (the working
        folder, then its parents, as pytest finds its rootdir). Relative paths
        inside the file (ports, factories, ``.mat`` files, ``paths``) are read
        from the file's folder.

    Returns
    -------
    Suite

    Raises
    ------
    InputError
        No suite file, invalid TOML, or a pair with a missing or unknown key;
        the message names the file and the pair.
    """
    if source is None:
        source = find_suite()
        if source is None:
            raise InputError(f"no suite found in {Path.cwd()} or its parent folders: create portcheck.toml "
                             "or a [tool.portcheck] table in pyproject.toml, or name the suite file.")
    path = Path(source)
    if not path.is_file():
        raise InputError(f"{path}: no such suite file.")
    table = _read_table(path)
    base = path.resolve().parent
    pairs: list[Pair] = []
    for kind in table.get("catalog", []):
        pairs += catalog_pairs(kind)
    for i, entry in enumerate(table.get("pair", [])):
        pairs.append(_pair_from_table(entry, base, f"{path}: pair #{i + 1}"))
    if not pairs:
        raise InputError(f"{path}: the suite lists no pairs ([[portcheck.pair]] entries or catalog = [...]).")
    names = [p.name for p in pairs]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise InputError(f"{path}: pair names must be unique; repeated: {dupes}.")
    paths = tuple(str((base / p).resolve()) for p in table.get("paths", []))
    return Suite(tuple(pairs), paths=paths, timeout=table.get("timeout"), rtol=table.get("rtol"),
                 atol=table.get("atol"), source=str(path))


def _has_tool_table(path: Path) -> bool:
    """True for a pyproject.toml holding a ``[tool.portcheck]`` table (unreadable files: False)."""
    try:
        return "portcheck" in tomllib.loads(_toml_text(path)).get("tool", {})
    except (OSError, InputError, tomllib.TOMLDecodeError):
        return False


def find_suite(start: str | Path | None = None) -> Path | None:
    """The suite that applies to a folder: the nearest ``portcheck.toml`` or ``[tool.portcheck]``.

    Looks in ``start`` (default: the working folder) and then each parent in
    turn, as pytest looks for its configuration; in one folder
    ``portcheck.toml`` wins over ``pyproject.toml``, and a ``pyproject.toml``
    without ``[tool.portcheck]`` does not count.

    Returns
    -------
    Path or None
        The suite file, or ``None`` when no folder up to the root has one.
    """
    here = Path(start if start is not None else Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "portcheck.toml").is_file():
            return folder / "portcheck.toml"
        if (folder / "pyproject.toml").is_file() and _has_tool_table(folder / "pyproject.toml"):
            return folder / "pyproject.toml"
    return None


def suite_paths(source: str | Path) -> tuple[str, ...]:
    """The Octave folders a suite file declares (``paths``), absolute, without loading its pairs.

    The pytest plugin gives them to the ``octave`` fixture, so a hand-written
    test sees the same functions as the suite's own tests.
    """
    path = Path(source)
    table = _read_table(path)
    paths = table.get("paths", [])
    if isinstance(paths, str):
        paths = [paths]
    base = path.resolve().parent
    return tuple(str((base / p).resolve()) for p in paths)


def _pair_from_table(entry: Mapping[str, Any], base: Path, where: str) -> Pair:
    unknown = set(entry) - {"name", "octave", "python", "checks", "layout", "nout", "inputs", "python_inputs",
                            "expect", "minimize", "wrt", "objective", "description", "outputs", "rtol", "atol",
                            "penalty", "grad", "trace"}
    if unknown:
        raise InputError(f"{where}: unknown keys {sorted(unknown)}.")
    if "python" not in entry:
        raise InputError(f"{where}: 'python' (module:function of the port) is required.")
    raw_checks = entry.get("checks", ["compare"])
    # checks = "gradient" is an easy slip for ["gradient"]; a str would otherwise split into letters.
    checks = (raw_checks,) if isinstance(raw_checks, str) else tuple(raw_checks)
    bad = set(checks) - set(CHECKS)
    if bad:
        raise InputError(f"{where}: unknown checks {sorted(bad)}; choose from {list(CHECKS)}.")
    if "inputs" not in entry:
        raise InputError(f"{where}: 'inputs' is required (a factory, a case, debug or mat inputs).")
    octave = entry.get("octave")
    if octave is None and checks != ("gradient",):
        raise InputError(f"{where}: 'octave' (the reference function) is required for {list(checks)}.")
    layout = _layout_from_table(entry.get("layout"), where)
    minimize = dict(entry.get("minimize", {}))
    unknown = set(minimize) - _MINIMIZE_KEYS
    if unknown:
        raise InputError(f"{where}: unknown [minimize] options {sorted(unknown)}; choose from "
                         f"{sorted(_MINIMIZE_KEYS)}.")
    objective = entry.get("objective")
    trace = entry.get("trace")
    if trace is not None and not isinstance(trace, bool):
        raise InputError(f"{where}: 'trace' must be true or false (default: trace when the outputs differ), "
                         f"got {trace!r}.")
    return Pair(
        name=str(entry.get("name", octave or entry["python"])),
        octave=octave,
        python=entry["python"],
        make_args=_input_factory(entry["inputs"], base, where),
        make_python_args=_input_factory(entry["python_inputs"], base, where) if "python_inputs" in entry else None,
        layout=layout,
        nout=entry.get("nout"),
        checks=checks,
        wrt=int(entry["wrt"]) if "wrt" in entry else None,
        expect=tuple(entry.get("expect", ())),
        minimize=minimize,
        objective=load_callable(objective, base) if objective else None,
        description=str(entry.get("description", "")),
        base=base,
        outputs=tuple(entry.get("outputs", ())),
        rtol=entry.get("rtol"),
        atol=entry.get("atol"),
        penalty=entry.get("penalty"),
        grad=entry.get("grad"),
        trace=trace,
    )


#: compare_minimize keywords a suite file can set (the others take Python callables).
_MINIMIZE_KEYS = {"method", "maxiter", "octave_optimizer", "gtol", "options", "cost_rtol", "timeout"}


def _layout_from_table(layout: Any, where: str) -> list[tuple[str, tuple[int, ...]]] | None:
    """``[["Theta1", [5, 4]], ...]`` or ``{ Theta1 = [5, 4], ... }`` as (name, shape) pairs."""
    if not layout:
        return None
    items = list(layout.items()) if isinstance(layout, Mapping) else layout
    out = []
    for item in items:
        try:
            name, shape = item
            dims = (shape,) if isinstance(shape, int) else tuple(shape)
            if not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in dims):
                raise ValueError
        except (TypeError, ValueError):
            raise InputError(f"{where}: layout entries look like [\"Theta1\", [25, 401]], got {item!r}.") from None
        out.append((str(name), dims))
    return out


def _input_factory(spec: Any, base: Path, where: str) -> Callable[[], tuple]:
    if isinstance(spec, str):
        return lambda: load_args(spec, base)
    if not isinstance(spec, Mapping):
        raise InputError(f"{where}: inputs must be 'module:function' or a table, got {spec!r}.")
    if "case" in spec:
        from .examples.catalog import get_case

        try:
            case = get_case(spec["case"])
        except KeyError as exc:
            raise InputError(f"{where}: {exc.args[0]}.") from None
        return case.make_args
    if "debug" in spec:
        recipe = _DEBUG_RECIPES.get(spec["debug"])
        if recipe is None:
            raise InputError(f"{where}: unknown debug recipe {spec['debug']!r}; known: {sorted(_DEBUG_RECIPES)}.")
        options = {k: v for k, v in spec.items() if k != "debug"}
        try:
            inspect.signature(recipe).bind(**options)
        except TypeError as exc:
            raise InputError(f"{where}: debug recipe {spec['debug']!r}: {exc}.") from None
        return lambda: recipe(**options)
    if "mat" in spec:
        files = spec["mat"] if isinstance(spec["mat"], list) else [spec["mat"]]
        args = spec.get("args")
        if args is None:
            raise InputError(f"{where}: mat inputs need args = [...] naming variables as \"$X\".")
        return lambda: _mat_args([base / f for f in files], args, where)
    raise InputError(f"{where}: inputs table needs one of case, debug, mat.")


def _nn_debug(input_layer_size: int = 3, hidden_layer_size: int = 5, num_labels: int = 3, m: int = 5,
              **kw: Any) -> tuple:
    """The course's gradient-check network, built from debug-initialized weights."""
    lam = float(kw.get("lambda", kw.get("lam", 0.0)))
    theta1 = debug_weights(hidden_layer_size, input_layer_size)
    theta2 = debug_weights(num_labels, hidden_layer_size)
    X, y = debug_dataset(m, input_layer_size, num_labels)
    nn_params = np.concatenate([theta1.ravel(order="F"), theta2.ravel(order="F")])
    return (nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lam)


def _dataset_debug(m: int = 5, n_features: int = 3, n_labels: int = 3) -> tuple:
    return debug_dataset(m, n_features, n_labels)


_DEBUG_RECIPES: dict[str, Callable[..., tuple]] = {"nn": _nn_debug, "dataset": _dataset_debug}


def _mat_args(files: Sequence[Path], args: Sequence[Any], where: str) -> tuple:
    from scipy.io import loadmat
    from scipy.io.matlab import MatReadError

    variables: dict[str, Any] = {}
    for f in files:
        if not f.is_file():
            raise InputError(f"{where}: {f} does not exist.")
        try:
            data = loadmat(f)  # 2-D everything, as MATLAB stores it
        except NotImplementedError:
            raise InputError(f"{where}: {f} is a MATLAB v7.3 (HDF5) file, which scipy.io.loadmat cannot read; "
                             "save it again with `save -v7`.") from None
        except (MatReadError, ValueError, OSError) as exc:
            raise InputError(f"{where}: cannot read {f} with scipy.io.loadmat: {exc}.") from None
        variables.update({k: v for k, v in data.items() if not k.startswith("__")})

    def resolve(a: Any) -> Any:
        if isinstance(a, str) and a.startswith("$"):
            if a[1:] not in variables:
                raise InputError(f"{where}: {a[1:]!r} is not in {[f.name for f in files]}; "
                                 f"it holds {sorted(variables)}.")
            return variables[a[1:]]
        if isinstance(a, Mapping) and "unroll" in a:
            return np.concatenate([np.asarray(resolve("$" + n), dtype=float).ravel(order="F") for n in a["unroll"]])
        return a

    return tuple(resolve(a) for a in args)


def catalog_pairs(kind: str) -> list[Pair]:
    """Pairs for the bundled corpus: ``"faithful"`` cases or the broken ``"gallery"``."""
    from .examples.catalog import all_cases, all_gallery, get_case

    if kind == "faithful":
        return [
            Pair(name=c.name, octave=c.octave, python=c.port, make_args=c.make_args,
                 make_python_args=c.make_python_args, layout=c.layout, nout=c.nout,
                 checks=("compare", "gradient") if c.gradient else ("compare",),
                 wrt=c.wrt if c.gradient else None, description=c.description, outputs=c.outputs, rtol=c.rtol, atol=c.atol)
            for c in all_cases()
        ]
    if kind == "gallery":
        out = []
        for b in all_gallery():
            ref = get_case(b.reference)
            out.append(Pair(
                name=b.name, octave=ref.octave, python=b.port, make_args=b.make_args or ref.make_args,
                make_python_args=b.make_python_args or (None if b.make_args else ref.make_python_args),
                layout=ref.layout, nout=ref.nout, checks=(b.check,), wrt=ref.wrt if ref.gradient else None, outputs=ref.outputs,
                expect=tuple(b.expected), objective=b.extra.get("objective"), description=b.mistake,
                minimize=dict(b.extra.get("minimize", {})),
            ))
        return out
    raise InputError(f"unknown catalog {kind!r}: use 'faithful' or 'gallery'.")


# -- running --------------------------------------------------------------------


def run_check(pair: Pair, check: str, octave: Any, suite: Suite | None = None, plots: bool = False) -> Report:
    """Run one check of one pair and return its report (never raises for a port's fault).

    With ``plots=True`` the report carries its figures (gradient error per
    block, optimizer cost curves) for HTML reports; this needs matplotlib.

    Set-up errors (Octave missing) propagate; a port that cannot be imported,
    an Octave function that is missing or raises, or inputs that cannot be
    built become a finding in the report, so one bad pair does not stop a suite.
    """
    tol = {}
    if suite is not None:
        tol = {k: v for k, v in (("rtol", suite.rtol), ("atol", suite.atol)) if v is not None}
    tol.update({k: v for k, v in (("rtol", pair.rtol), ("atol", pair.atol)) if v is not None})
    # Per call, so pytest (one shared session) and `portcheck run` apply the same limit.
    timeout = suite.timeout if suite is not None else None
    try:
        port = pair.port()
        args = pair.make_args()
        python_args = pair.make_python_args() if pair.make_python_args else None
        if check == "compare":
            from .compare import compare

            return compare(pair.octave, port, args=args, python_args=python_args, octave=octave, nout=pair.nout,
                           layout=pair.layout, outputs=pair.outputs or None, wrt=pair.wrt, timeout=timeout,
                           penalty=pair.penalty,
                           grad=load_callable(pair.grad, pair.base) if pair.grad is not None else None,
                           trace=pair.trace, **tol)
        wrt = pair.wrt or 0

        def split(values: Sequence[Any]) -> tuple[Any, tuple]:
            return values[wrt], tuple(a for i, a in enumerate(values) if i != wrt)

        if check == "gradient":
            from .gradients import check_gradient

            # The gradient check runs the port alone, on the port's own inputs.
            x0, rest = split(python_args if python_args is not None else args)
            report = check_gradient(port, x0, args=rest, layout=pair.layout, wrt=wrt, timeout=timeout)
            if plots:
                from .plots import with_plots

                report = with_plots(report)
            return report
        if check == "minimize":
            from .optimize import compare_minimize

            x0, rest = split(args)
            python_rest = split(python_args)[1] if python_args is not None else None
            return compare_minimize(pair.octave, port, x0, args=rest, python_args=python_rest, octave=octave,
                                    layout=pair.layout, objective=pair.objective, plot=plots,
                                    timeout=timeout, **dict(pair.minimize))
        raise InputError(f"unknown check {check!r}")
    except OctaveNotFoundError:
        raise
    except PortcheckError as exc:
        kind = "python-error" if isinstance(exc, (PortError, InputError)) else "octave-error"
        return Report(check=check, title=pair.name,
                      findings=(Finding(kind, "error", str(exc), evidence={"error": type(exc).__name__}),))


def replace_pairs(suite: Suite, pairs: Sequence[Pair]) -> Suite:
    """The same suite settings with other pairs (a submission's ports, in a class run)."""
    from dataclasses import replace

    return replace(suite, pairs=tuple(pairs))


def iter_items(suite: Suite, only: Iterable[str] | None = None,
               checks: Iterable[str] | None = None) -> list[tuple[Pair, str]]:
    """The (pair, check) items a run executes, in order."""
    only_set = set(only) if only else None
    check_set = set(checks) if checks else None
    if only_set:
        unknown = only_set - {p.name for p in suite.pairs}
        if unknown:
            raise InputError(f"--only names no pair: {sorted(unknown)}.")
    return [(p, c) for p in suite.pairs if not only_set or p.name in only_set
            for c in p.checks if not check_set or c in check_set]


def run_suite(suite: Suite, only: Iterable[str] | None = None, checks: Iterable[str] | None = None,
              octave: Any = None, progress: bool | None = None, plots: bool = False,
              isolate: bool = False) -> SuiteResult:
    """Run every (pair, check) of a suite in one Octave session.

    Parameters
    ----------
    suite : Suite
        From :func:`load_suite`.
    only : iterable of str, optional
        Pair names to run (all by default).
    checks : iterable of str, optional
        Checks to run among :data:`CHECKS` (each pair's own list by default).
    octave : portcheck.Octave, optional
        Session to use; by default one is started with the suite's paths and
        timeout, and closed at the end.
    progress : bool, optional
        Show progress (default: a bar when stderr is a terminal, a live line
        in a Jupyter kernel, nothing otherwise; see :mod:`portcheck.progress`).
    plots : bool
        Attach figures for HTML reports (see :func:`run_check`).
    isolate : bool, default False
        Run the checks in a worker process (with its own Octave session), so a
        port that ends its interpreter (``os._exit``, a crash) becomes a
        finding and the other results are kept. ``portcheck run`` does this.
        Ignored when ``octave`` is given.

    Returns
    -------
    SuiteResult
        ``ok`` is False when any check found an error.
    """
    from .octave import Octave

    items = iter_items(suite, only, checks)
    if not items:
        raise SuiteError(f"{suite.source}: nothing to run: no pair has the checks asked for "
                         f"({', '.join(checks or ()) or 'its own'}); a run of 0 checks proves nothing.")
    if isolate and octave is None:
        return _run_isolated(suite, items, progress, plots)
    own = octave is None
    oc = Octave(paths=suite.paths, timeout=suite.timeout) if own else octave
    if not own and suite.paths:
        oc.add_paths(suite.paths)
    from .progress import track

    results = []
    try:
        for pair, check in track(items, lambda item: f"{item[1]} {item[0].name}", enabled=progress):
            results.append((pair, check, run_check(pair, check, oc, suite, plots)))
    finally:
        if own:
            oc.close()
    return SuiteResult(tuple(results))


def _run_isolated(suite: Suite, items: list[tuple[Pair, str]], progress: bool | None, plots: bool) -> SuiteResult:
    """:func:`run_suite` with every check in a worker process (see :mod:`portcheck._isolation`)."""
    from ._isolation import IsolatedRunner
    from .octave import Octave
    from .progress import track

    def run_one(i: int, oc: Any) -> Report:
        pair, check = items[i]
        return run_check(pair, check, oc, suite, plots)

    def make_octave() -> Any:
        return Octave(paths=suite.paths, timeout=suite.timeout)

    results = []
    with IsolatedRunner(run_one, make_octave) as runner:
        for i, (pair, check) in enumerate(track(items, lambda item: f"{item[1]} {item[0].name}",
                                                enabled=progress)):
            results.append((pair, check, runner.run(i, pair, check)))
    return SuiteResult(tuple(results))
