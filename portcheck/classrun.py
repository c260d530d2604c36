"""Class-size runs: one suite against every submission in a folder.

An instructor's folder holds one subfolder or one ``.py`` file per student.
For each pair of the suite, the submission's own function of the same name
replaces the suite's port (found in the file of the same name, or in any of
the submission's files that defines it); every check then runs as in
``portcheck run``, live or against recorded references (``replay``), and the
result is one row per submission plus a class summary: how many submissions
made which mistake.
"""

from __future__ import annotations

import ast
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .errors import InputError, PortcheckError
from .report import Report, Table

__all__ = ["Submission", "ClassResult", "find_submissions", "submission_pairs", "run_class"]


@dataclass(frozen=True)
class Submission:
    """One student's work: a folder of ``.py`` files, or a single file."""

    name: str
    path: Path

    @property
    def files(self) -> list[Path]:
        if self.path.is_file():
            return [self.path]
        return sorted(f for f in self.path.rglob("*.py")
                      if not any(part.startswith((".", "__")) for part in f.relative_to(self.path).parts))


def find_submissions(folder: str | Path) -> list[Submission]:
    """Every subfolder and ``.py`` file of ``folder`` (hidden and ``_private`` ones skipped), sorted by name."""
    root = Path(folder)
    if not root.is_dir():
        raise InputError(f"--ports {folder}: not a folder; give the folder holding one subfolder or .py file per "
                         "submission.")
    subs = [Submission(p.stem if p.is_file() else p.name, p) for p in sorted(root.iterdir())
            if not p.name.startswith((".", "_")) and (p.is_dir() or p.suffix == ".py")]
    if not subs:
        raise InputError(f"--ports {folder}: no submissions (subfolders or .py files) in it.")
    return subs


def _defined_names(path: Path) -> set[str]:
    """Names a file binds at top level (def, class, assignment, import), read without running it."""
    try:
        tree = ast.parse(path.read_text(errors="replace"))
    except (SyntaxError, ValueError, OSError):
        return set()
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


def _port_target(pair: Any) -> tuple[str, str, str]:
    """``(file name, function, attribute path)`` a submission must provide for ``pair``."""
    spec = pair.python
    if isinstance(spec, str):
        module, _, attrs = spec.rpartition(":")
        file = Path(module).name if module.endswith(".py") or "/" in module else module.rsplit(".", 1)[-1] + ".py"
    else:
        module = getattr(spec, "__module__", "") or ""
        attrs = getattr(spec, "__qualname__", getattr(spec, "__name__", ""))
        file = module.rsplit(".", 1)[-1] + ".py"
    return file, attrs.split(".")[0], attrs


def _load(sub: Submission, file: Path, attrs: str) -> Any:
    """Load ``file:attrs`` with the submission's folder importable, then forget its helper modules.

    Helper modules are dropped from ``sys.modules`` afterwards so the next
    student's ``utils.py`` is not served from this student's cache.
    """
    from .loading import load_callable

    folder = sub.path if sub.path.is_dir() else sub.path.parent
    before = set(sys.modules)
    sys.path.insert(0, str(folder))
    try:
        return load_callable(f"{file}:{attrs}")
    finally:
        sys.path.remove(str(folder))
        for name in set(sys.modules) - before:
            mod_file = getattr(sys.modules[name], "__file__", None) or ""
            if name.startswith("portcheck_user_"):
                continue
            try:
                Path(mod_file).resolve().relative_to(folder.resolve())
            except ValueError:
                continue
            del sys.modules[name]


def submission_pairs(suite: Any, sub: Submission) -> tuple[list[Any], list[str]]:
    """The suite's pairs with the submission's functions as ports, and the functions it lacks or cannot load."""
    pairs, missing = [], []
    files = sub.files
    for pair in suite.pairs:
        file_name, func, attrs = _port_target(pair)
        ordered = sorted(files, key=lambda f: f.name != file_name)
        found = next((f for f in ordered if func in _defined_names(f)), None)
        if found is None:
            missing.append(func)
            continue
        try:
            port = _load(sub, found, attrs)
        except PortcheckError as exc:
            missing.append(f"{func} ({exc})")
            continue
        pairs.append(replace(pair, python=port))
    return pairs, list(dict.fromkeys(missing))


@dataclass(frozen=True)
class ClassResult:
    """Every submission's results, a row each, and the class summary."""

    rows: tuple[tuple[Submission, tuple[tuple[Any, str, Report], ...], tuple[str, ...]], ...]
    replay: bool = False

    @property
    def ok(self) -> bool:
        """Every submission provides every function, and every check is clean."""
        return all(rep.ok for _s, results, _m in self.rows for _p, _c, rep in results) and \
            not any(missing for _s, _r, missing in self.rows)

    @staticmethod
    def _kinds(results: Iterable[tuple[Any, str, Report]]) -> list[str]:
        return sorted({f.kind for _p, _c, rep in results for f in rep.errors})

    def summary_table(self) -> Table:
        rows = []
        for sub, results, missing in self.rows:
            kinds = self._kinds(results)
            failed = sum(not rep.ok for _p, _c, rep in results)
            verdict = "no checks" if not results else "OK" if not failed else "FAIL"
            lacks = ", ".join(missing[:3]) + (f" (+{len(missing) - 3} more)" if len(missing) > 3 else "")
            rows.append((sub.name, len(results), failed, verdict, ", ".join(kinds) or "-", lacks or "-"))
        return Table("submissions", ("submission", "checks", "failed", "verdict", "mistakes named", "missing"),
                     tuple(rows))

    def class_table(self) -> Table:
        """How many submissions made which mistake (a submission counts once per kind)."""
        n = len(self.rows)
        counts: Counter[str] = Counter()
        clean = 0
        for _s, results, _m in self.rows:
            kinds = self._kinds(results)
            counts.update(kinds)
            clean += bool(results) and not kinds
        rows = [("clean (every check OK)", clean, f"{clean / n:.0%}" if n else "-")]
        rows += [(k, c, f"{c / n:.0%}") for k, c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
        lacking = sum(bool(missing) for _s, _r, missing in self.rows)
        if lacking:
            rows.append(("missing a function", lacking, f"{lacking / n:.0%}"))
        return Table(f"class summary: {n} submissions", ("mistake", "submissions", "share"), tuple(rows))

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok, "replay": self.replay,
            "submissions": [
                {"submission": s.name, "path": str(s.path), "missing": list(m), "kinds": self._kinds(results),
                 "results": [{"pair": p.name, "check": c, **rep.to_dict()} for p, c, rep in results]}
                for s, results, m in self.rows
            ],
            "summary": {row[0]: row[1] for row in self.class_table().rows},
        }

    def __rich__(self) -> Any:
        from rich.console import Group

        from .report import _rich_table

        return Group(_rich_table(self.summary_table()), _rich_table(self.class_table()))

    def __str__(self) -> str:
        from .report import _to_text

        return _to_text(self.__rich__(), 110)


def run_class(suite: Any, ports: str | Path, replay: str | Path | None = None, only: Iterable[str] | None = None,
              checks: Iterable[str] | None = None, update: bool = False, octave: Any = None) -> ClassResult:
    """Run ``suite`` against every submission in ``ports``.

    Parameters
    ----------
    suite : Suite
    ports : path
        One subfolder or ``.py`` file per submission.
    replay : path or "", optional
        Answer the references from recordings (``""``: ``recorded/`` beside the
        suite) instead of Octave: one recording serves every submission.
    only, checks
        As in :func:`portcheck.suite.run_suite`.
    update : bool
        With ``replay``: record missing or stale pairs again first (needs Octave).
    octave : portcheck.Octave, optional
        The live session (without ``replay``); by default one is started.

    Returns
    -------
    ClassResult
    """
    from .recording import ReplaySession, _suite_dir, load_recordings, needs_reference, replay_check
    from .suite import iter_items, replace_pairs, run_check

    subs = find_submissions(ports)
    wanted = {p.name for p, _c in iter_items(suite, only, checks)}
    recs = load_recordings(suite, replay or None, only, checks, update) if replay is not None else None
    own = recs is None and octave is None
    if own:
        from .octave import Octave

        octave = Octave(paths=suite.paths, timeout=suite.timeout)
    rows = []
    try:
        for sub in subs:
            pairs, missing = submission_pairs(suite, sub)
            own_suite = replace_pairs(suite, pairs) if pairs else None
            results = []
            for pair, check in (iter_items(own_suite, None, checks) if own_suite else []):
                if pair.name not in wanted:
                    continue
                if recs is not None:
                    session = ReplaySession(recs[pair.name], suite_dir=_suite_dir(suite)) \
                        if needs_reference(pair, [check]) else None
                    report = replay_check(pair, check, session, suite)
                else:
                    report = run_check(pair, check, octave, suite)
                results.append((pair, check, report))
            rows.append((sub, tuple(results), tuple(missing)))
    finally:
        if own and octave is not None:
            octave.close()
    return ClassResult(tuple(rows), replay=recs is not None)
