"""Recorded references: record a suite's Octave calls once, replay them without Octave.

Every check reaches Octave only through a session's methods (``call``,
``nargout``, ``resolve``, ``version``). Recording runs the checks live with a
:class:`RecordingSession` around the real :class:`~portcheck.Octave`, which
logs each call's arguments and outputs (or error): the plain outputs, and
every extra reference result the diagnosis asked for (λ = 0, a perturbed
parameter vector, the Octave side of a gradient check or of an optimizer
run). Replay runs the same checks against a :class:`ReplaySession`, which
answers those calls from the log by their arguments and never starts Octave,
so the same comparison and diagnosis give the same findings. A call the
recording does not hold raises :class:`~portcheck.errors.NotRecordedError`;
the check treats it as a re-run that could not be made, and the report says
which check was limited and why.

One recording per pair, a MATLAB v7 ``.mat`` file (``recorded/<pair>.mat``
beside the suite by default), written by ``portcheck record`` or by MATLAB's
``portcheck_record.m``. Its variables:

=====================  ==========================================================
``format``             ``'portcheck-recording'``; ``format_version`` = 1
``pair``, ``function`` the pair's name and Octave function
``inputs``             1×k cell: the pair's arguments as Octave received them
``calls``              n×1 cell of structs ``name, nout, args (cell), outputs
                       (cell), error`` (``[]``, or a struct ``type, message,
                       function, file, line, timeout``)
``nargout``            n×2 cell ``{name, count}``: what ``nargout`` answered
``resolve``            n×3 cell ``{name, bare, folder}``
``sources``            n×3 cell ``{where, path, sha256}`` of every ``.m`` file the
                       recorded calls depend on; ``where`` is ``suite`` (path
                       relative to the suite file), ``bundled`` (relative to
                       portcheck's ``matlab_refs``), ``absolute``, or
                       ``missing`` (the reference was not on the Python side)
``files``              n×3 cell ``{name, where, path}``: the ``.m`` files
                       ``function_files`` listed for a name (the trace asks)
``octave_version``     ``'GNU Octave 8.4.0'`` or ``'MATLAB 9.14.0 (R2023a)'``
``portcheck_version``, ``recorder``, ``recorded_at``
=====================  ==========================================================

A replay first checks every recording it needs: a source file whose hash
changed, or suite inputs that differ from the recorded ones, stop it with
:class:`~portcheck.errors.StaleRecordingError` naming the pair and the file
or argument (``--update`` records those pairs again when Octave is present).
"""

from __future__ import annotations

import datetime
import os
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from ._recfile import MFiles, describe_call, strings_in, value_key
from ._recorded import (
    FORMAT,
    FORMAT_VERSION,
    INPUTS_FORMAT,
    RecordedCall,
    Recording,
    _source_entry,
    _search_folders,
    _version,
    default_recorded_dir,
    needs_reference,
    recording_path,
)
from ._replay import Miss, RecordingSession, ReplaySession
from .errors import OctaveNotFoundError, PortcheckError, StaleRecordingError
from .octave import to_octave
from .report import Report

__all__ = [
    "Recording", "RecordedCall", "RecordingSession", "ReplaySession", "Miss", "record_suite", "replay_suite",
    "replay_check", "check_recording", "load_recordings", "limited", "recording_path", "default_recorded_dir",
    "export_inputs", "needs_reference", "FORMAT", "FORMAT_VERSION",
]


# -- recording a suite ------------------------------------------------------------


@dataclass(frozen=True)
class RecordResult:
    """What :func:`record_suite` wrote: one row per pair, and the live reports."""

    folder: Path
    files: tuple[tuple[Any, Path, int], ...]
    live: Any

    def summary_table(self) -> Any:
        from .report import Table

        rows = []
        for pair, path, n in self.files:
            reps = [r for p, _c, r in self.live.results if p.name == pair.name]
            verdict = "OK" if all(r.ok for r in reps) else "FAIL"
            rows.append((pair.name, path.name, n, verdict))
        return Table("recorded", ("pair", "recording", "reference calls", "live verdict"), tuple(rows))

    def __str__(self) -> str:
        from .report import _rich_table, _to_text

        return _to_text(_rich_table(self.summary_table()), 110) + \
            f"{len(self.files)} recording(s) written to {self.folder}\n"


def _unique_pairs(items: Iterable[tuple[Any, str]]) -> list[Any]:
    """The pairs of (pair, check) items, each once, in order (pairs are unhashable)."""
    seen: dict[str, Any] = {}
    for p, _c in items:
        seen.setdefault(p.name, p)
    return list(seen.values())


def _suite_dir(suite: Any) -> Path | None:
    source = Path(getattr(suite, "source", "<memory>"))
    return source.resolve().parent if source.is_file() else None


def _inputs_for(pair: Any) -> tuple[Any, ...] | None:
    """The pair's Octave arguments as Octave receives them (None when they cannot be built)."""
    try:
        args = pair.make_args()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return tuple(to_octave(a) for a in args)
    except Exception:  # noqa: BLE001 - run_check reports inputs that cannot be built
        return None


def _finish(rec: Recording, pair: Any, suite: Any, session_paths: Sequence[str], version: str) -> Recording:
    rec.pair, rec.function = pair.name, str(pair.octave)
    rec.inputs = _inputs_for(pair) or ()
    rec.portcheck_version = _version()
    rec.octave_version = version
    rec.recorded_at = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    rec.paths = tuple(session_paths)
    return _finish_sources(rec, suite, session_paths)


def _probe_pairs(pair: Any, octave: Any) -> list[Any]:
    """The pair with two stand-in ports, so the recording holds what any port's diagnosis asks.

    What compare asks the reference depends on the port: a port that matches
    is re-run at a perturbed parameter vector (``lambda-capture``), one that
    differs unexplained is re-run with its penalty weight at 0
    (``regularization``). Recording once for a class of ports needs both, so
    the checks also run with an *echo* port (the live reference itself, which
    matches) and a *skewed* one (the reference's outputs, distorted), both
    with the real port's signature, which is where compare reads parameter
    names. They call the live session directly, so only the calls compare
    makes are recorded. Pairs whose port takes other arguments than the
    reference (``python_inputs``) get no stand-ins.
    """
    import functools

    if pair.make_python_args is not None or not pair.octave:
        return []
    try:
        real = pair.port()
        nout = pair.nout or octave.nargout(pair.octave)
    except PortcheckError:
        return []

    def echo(*args: Any) -> Any:
        return octave.call(pair.octave, *args, nout=nout)

    def skewed(*args: Any) -> Any:
        out = echo(*args)
        return tuple(_skew(v) for v in out) if nout > 1 else _skew(out)

    probes = []
    for fn in (echo, skewed):
        try:
            functools.update_wrapper(fn, real)
        except (AttributeError, TypeError):
            pass
        probes.append(replace(pair, python=fn))
    return probes


def _skew(value: Any) -> Any:
    """A value no hypothesis explains: scaled, shifted and tilted element by element."""
    if isinstance(value, (float, int, np.number, np.ndarray)) and np.issubdtype(np.asarray(value).dtype, np.number):
        a = np.asarray(value, dtype=float)
        tilt = 1.0 + 0.37 * np.cos(np.arange(a.size, dtype=float)).reshape(a.shape)
        return (a * tilt + 0.11) if a.ndim else float(a * 1.37 + 0.11)
    return value


def record_suite(suite: Any, out: str | os.PathLike[str] | None = None, only: Iterable[str] | None = None,
                 octave: Any = None, progress: bool | None = None) -> RecordResult:
    """Run each pair's checks live once and write one recording per pair.

    Parameters
    ----------
    suite : Suite
        From :func:`portcheck.suite.load_suite`.
    out : path, optional
        Folder for the recordings; default ``recorded/`` beside the suite file.
    only : iterable of str, optional
        Pair names to record (all by default).
    octave : portcheck.Octave, optional
        A live session; by default one is started with the suite's paths.

    Returns
    -------
    RecordResult
        The files written, and the live run's results.
    """
    from .octave import Octave
    from .suite import SuiteResult, iter_items, run_check

    folder = Path(out) if out is not None else default_recorded_dir(suite)
    items = iter_items(suite, only)
    own = octave is None
    oc = Octave(paths=suite.paths, timeout=suite.timeout) if own else octave
    if not own and suite.paths:
        oc.add_paths(suite.paths)
    session = RecordingSession(oc, _suite_dir(suite))
    results, files = [], []
    try:
        version = f"GNU Octave {session.version}"
        for pair in _unique_pairs(items):
            checks = [c for p, c in items if p.name == pair.name]
            session.start_pair(pair.name, str(pair.octave))
            for check in checks:
                target = session if needs_reference(pair, [check]) else None
                results.append((pair, check, run_check(pair, check, target, suite)))
            if not needs_reference(pair, checks):
                continue
            if "compare" in checks:
                for probe in _probe_pairs(pair, oc):
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        run_check(probe, "compare", session, suite)
            rec = _finish(session.start_pair("", ""), pair, suite, oc.paths, version)
            files.append((pair, rec.save(recording_path(folder, pair.name)), len(rec.calls)))
    finally:
        if own:
            oc.close()
    return RecordResult(folder, tuple(files), SuiteResult(tuple(results)))


# -- replaying ---------------------------------------------------------------------


def check_recording(pair: Any, recording: Recording, suite: Any = None) -> str | None:
    """Why ``recording`` no longer fits ``pair`` (a sentence naming the file or argument), or None."""
    name = recording.file.name if recording.file is not None else "the recording"
    if recording.pair and recording.pair != pair.name:
        return f"{name} was recorded for pair {recording.pair!r}, not {pair.name!r}"
    changed, missing = recording.stale_sources(_suite_dir(suite))
    recording.unverified = list(missing)
    if changed:
        return f"{changed[0]} changed since {name} was recorded" + \
            (f" (and {len(changed) - 1} more file(s))" if len(changed) > 1 else "")
    now = _inputs_for(pair)
    if now is not None and recording.inputs:
        if len(now) != len(recording.inputs):
            return (f"the suite passes {len(now)} inputs to {pair.octave} but {name} holds "
                    f"{len(recording.inputs)}")
        for i, (a, b) in enumerate(zip(now, recording.inputs)):
            if value_key(a) != value_key(b):
                return (f"input {i + 1} of {pair.octave} differs from the recorded one in {name} "
                        f"(now {describe_call('', [a])[1:-1]}, recorded {describe_call('', [b])[1:-1]})")
    return None


def _limited_notes(session: ReplaySession, check: str) -> list[str]:
    seen = dict.fromkeys(m.description for m in session.misses)
    return [f"replay limited this {check} check: the recording holds no result for {d}, so the "
            f"diagnosis that needed it was skipped; "
            + ("record it with Octave (`portcheck record`): a trace runs an instrumented copy of the reference, "
               "which the MATLAB-side recorder does not make." if d.startswith("the traced run")
               else "record it with Octave (`portcheck record`), or in MATLAB (`portcheck export-inputs`, then "
                    "portcheck_record.m).")
            for d in seen]


def limited(result: Any) -> list[tuple[str, str, str]]:
    """``(pair, check, note)`` for every replayed check that lacked a recorded call."""
    return [(p.name, c, n) for p, c, r in result.results for n in r.notes if n.startswith("replay limited")]


def replay_check(pair: Any, check: str, session: ReplaySession | None, suite: Any = None) -> Report:
    """:func:`portcheck.suite.run_check` against a replay session, with notes on what it lacked."""
    from .suite import run_check

    if session is not None:
        session.misses.clear()
    report = run_check(pair, check, session, suite)
    if session is None:
        return report
    notes = _limited_notes(session, check)
    # Files the recording was made from that are not here (a MATLAB-only reference) cannot be re-hashed.
    notes += [f"replay could not check that {rel} is unchanged since it was recorded: it is not on this machine."
              for r in session.recordings for rel in r.unverified]
    if not notes:
        return report
    return replace(report, notes=tuple(dict.fromkeys((*report.notes, *notes))))


def load_recordings(suite: Any, folder: str | os.PathLike[str] | None = None,
                    only: Iterable[str] | None = None, checks: Iterable[str] | None = None,
                    update: bool = False) -> dict[str, Recording]:
    """Load and check the recording of every pair that needs one.

    Raises
    ------
    StaleRecordingError
        One line per pair whose recording is missing or stale, with how to fix
        it; with ``update=True`` those pairs are recorded again instead (which
        needs Octave).
    """
    from .suite import iter_items

    folder = Path(folder) if folder is not None else default_recorded_dir(suite)
    pairs = [p for p in _unique_pairs(iter_items(suite, only, checks)) if needs_reference(p, checks)]
    out: dict[str, Recording] = {}
    problems: list[tuple[Any, str]] = []
    for pair in pairs:
        path = recording_path(folder, pair.name)
        if not path.is_file():
            problems.append((pair, f"no recording {path.name} in {folder}"))
            continue
        rec = Recording.load(path)
        why = check_recording(pair, rec, suite)
        if why:
            problems.append((pair, why))
        else:
            out[pair.name] = rec
    if problems and update:
        try:
            written = record_suite(suite, out=folder, only=[p.name for p, _ in problems])
        except OctaveNotFoundError as exc:
            raise StaleRecordingError(_stale_message(problems, suite) + f"\n--update needs Octave: {exc}") from None
        for pair, path, _n in written.files:
            out[pair.name] = Recording.load(path)
        problems = []
    if problems:
        raise StaleRecordingError(_stale_message(problems, suite))
    return out


def _stale_message(problems: Sequence[tuple[Any, str]], suite: Any) -> str:
    src = getattr(suite, "source", "SUITE")
    lines = [f"pair {p.name!r}: {why}" for p, why in problems]
    return ("recorded references do not match the suite:\n  " + "\n  ".join(lines) +
            f"\nRecord them again with Octave: `portcheck record {src}` (or `portcheck run {src} --replay "
            f"--update`).")


def replay_suite(suite: Any, recorded: str | os.PathLike[str] | None = None, only: Iterable[str] | None = None,
                 checks: Iterable[str] | None = None, update: bool = False, progress: bool | None = None,
                 plots: bool = False) -> Any:
    """Run a suite against its recordings, without Octave.

    Parameters
    ----------
    suite : Suite
    recorded : path, optional
        The recordings' folder (default ``recorded/`` beside the suite).
    only, checks
        As in :func:`portcheck.suite.run_suite`.
    update : bool
        Record missing or stale pairs again (needs Octave) instead of stopping.

    Returns
    -------
    SuiteResult
        The same verdicts and findings as a live run wherever the recordings
        hold what the diagnosis needs; each report notes what was missing.

    Raises
    ------
    StaleRecordingError
        A recording is missing, or its reference or inputs changed.
    """
    from .suite import SuiteResult, iter_items

    recs = load_recordings(suite, recorded, only, checks, update)
    results = []
    for pair, check in iter_items(suite, only, checks):
        session = ReplaySession(recs[pair.name], suite_dir=_suite_dir(suite)) \
            if needs_reference(pair, [check]) else None
        results.append((pair, check, replay_check(pair, check, session, suite)))
    return SuiteResult(tuple(results))


# -- exporting inputs for a MATLAB-side recorder -------------------------------------------


def export_inputs(suite: Any, out: str | os.PathLike[str] | None = None,
                  recorded: str | os.PathLike[str] | None = None,
                  only: Iterable[str] | None = None) -> list[Path]:
    """Write, per pair, the reference calls a recorder must make (``<pair>.inputs.mat``).

    The checks run against a replay session that knows nothing yet (or
    only what ``recorded`` holds), so every call they ask the reference for
    and do not get is written out: the plain outputs first, and, once those
    are recorded, the re-runs the diagnosis asks for next. ``portcheck_record.m``
    makes the calls in MATLAB or Octave and writes the recordings; running
    export and record again adds the next round. ``nout = -1`` means "every
    output the function declares" where its ``.m`` file is not here to read.

    Returns
    -------
    list of Path
        The files written (pairs with nothing left to record get none).
    """
    from .suite import iter_items, run_check

    folder = Path(out) if out is not None else default_recorded_dir(suite)
    have = Path(recorded) if recorded is not None else folder
    items = iter_items(suite, only)
    written = []
    for pair in _unique_pairs(items):
        if not needs_reference(pair):
            continue
        existing = recording_path(have, pair.name)
        recs = [Recording.load(existing)] if existing.is_file() else []
        if recs and check_recording(pair, recs[0], suite):
            recs = []  # stale: plan from scratch
        session = ReplaySession(recs, fallback_paths=list(suite.paths), suite_dir=_suite_dir(suite))
        # The stand-in ports answer from what is recorded so far, through a
        # session of their own: only the checks' questions are exported.
        quiet = ReplaySession(recs, fallback_paths=list(suite.paths), suite_dir=_suite_dir(suite))
        runs = [(pair, c) for p, c in items if p.name == pair.name and needs_reference(pair, [c])]
        if any(c == "compare" for _p, c in runs):
            runs += [(probe, "compare") for probe in _probe_pairs(pair, quiet)]
        for p, check in runs:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                run_check(p, check, session, suite)
        plan = Recording(pair=pair.name, function=str(pair.octave), inputs=_inputs_for(pair) or (),
                         portcheck_version=_version(), recorder="portcheck export-inputs")
        known = set(recs[0].calls) if recs else set()
        for c in session.asked:
            # A trace's instrumented run needs portcheck's own instrumentation
            # through a live session; a MATLAB-side recorder runs plain calls.
            if c.key not in known and not c.name.startswith("shadowed:"):
                plan.add(c)
        if not recs and not plan.calls and plan.inputs:
            # Nothing could be planned (its .m file is not here, so not even its nargout is known):
            # ask for the plain call with every declared output; the next round takes it from there.
            plan.add(RecordedCall(str(pair.octave), -1, plan.inputs))
        target = recording_path(folder, pair.name, ".inputs.mat")
        if not plan.calls:
            if target.is_file():
                target.unlink()  # an earlier round's calls, recorded since: nothing left to ask
            continue
        plan.nargout = {**session._nargout}
        plan.resolved = {**session._resolved}
        plan = _finish_sources(plan, suite)
        written.append(plan.save(target, fmt=INPUTS_FORMAT))
    return written


def _finish_sources(rec: Recording, suite: Any, paths: Sequence[str] | None = None) -> Recording:
    """Hash every ``.m`` file the recorded calls depend on (see :meth:`MFiles.dependencies`)."""
    names = {rec.function, *rec.nargout, *rec.resolved}
    for c in rec.calls.values():
        names.add(c.name)
        names.update(s for s in strings_in(list(c.args)) if len(s) < 100)
    files = MFiles(_search_folders(list(paths if paths is not None else suite.paths)))
    rec.sources = [_source_entry(f, _suite_dir(suite)) for f in files.dependencies(sorted(n for n in names if n))]
    if rec.function and files.locate(rec.function) is None:
        # The reference lives only where it is recorded (MATLAB, a toolbox): say so on every replay.
        rec.sources.append(("missing", f"{rec.function.rpartition('/')[2]}.m", ""))
    return rec
