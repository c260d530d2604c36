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
                       portcheck's ``matlab_refs``) or ``absolute``
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

import copy
import datetime
import hashlib
import os
import re
import tempfile
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from ._recfile import MFiles, call_key, describe_call, from_mat, strings_in, to_mat, value_key
from .errors import (
    InputError,
    NotRecordedError,
    OctaveNotFoundError,
    OctaveRuntimeError,
    OctaveSyntaxError,
    OctaveTimeoutError,
    PortcheckError,
    StaleRecordingError,
)
from .octave import from_octave, to_octave
from .report import Report

__all__ = [
    "Recording", "RecordedCall", "RecordingSession", "ReplaySession", "record_suite", "replay_suite",
    "replay_check", "check_recording", "recording_path", "default_recorded_dir", "export_inputs",
    "needs_reference", "FORMAT", "FORMAT_VERSION",
]

FORMAT = "portcheck-recording"
INPUTS_FORMAT = "portcheck-inputs"
FORMAT_VERSION = 1


# -- where recordings live ------------------------------------------------------


def default_recorded_dir(suite: Any) -> Path:
    """``recorded/`` beside the suite file."""
    source = Path(getattr(suite, "source", "<memory>"))
    if not source.is_file():
        raise InputError("this suite was not read from a file, so it has no default recorded/ folder; "
                         "pass the folder (out= / --out DIR).")
    return source.resolve().parent / "recorded"


def recording_path(folder: str | os.PathLike[str], pair_name: str, suffix: str = ".mat") -> Path:
    """The file of one pair's recording: its name made file-safe (plus a short hash when that changed it)."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", pair_name).strip("_.") or "pair"
    if slug != pair_name:
        slug = f"{slug[:80]}-{hashlib.sha1(pair_name.encode()).hexdigest()[:6]}"
    return Path(folder) / f"{slug}{suffix}"


def needs_reference(pair: Any, checks: Iterable[str] | None = None) -> bool:
    """Whether running ``pair`` asks Octave anything (a suite's gradient check runs the port alone)."""
    wanted = set(pair.checks) if checks is None else set(pair.checks) & set(checks)
    return bool(pair.octave) and bool(wanted - {"gradient"})


# -- the recording ----------------------------------------------------------------


@dataclass
class RecordedCall:
    """One reference call: its arguments and outputs as Octave sent and returned them."""

    name: str
    nout: int
    args: tuple[Any, ...]
    outputs: tuple[Any, ...] | None = None
    error: dict[str, Any] | None = None

    @property
    def key(self) -> str:
        return call_key(self.name, self.nout, self.args)


@dataclass
class Recording:
    """The recorded reference of one pair (see the module docstring for the file)."""

    pair: str
    function: str
    inputs: tuple[Any, ...] = ()
    calls: dict[str, RecordedCall] = field(default_factory=dict)
    nargout: dict[str, int] = field(default_factory=dict)
    resolved: dict[str, tuple[str, str]] = field(default_factory=dict)
    sources: list[tuple[str, str, str]] = field(default_factory=list)
    files: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    octave_version: str = ""
    portcheck_version: str = ""
    recorder: str = "portcheck record"
    recorded_at: str = ""
    paths: tuple[str, ...] = ()
    file: Path | None = None

    def add(self, call: RecordedCall) -> None:
        self.calls.setdefault(call.key, call)

    # -- file ----------------------------------------------------------------

    def _variables(self, fmt: str = FORMAT) -> dict[str, Any]:
        calls = np.empty((len(self.calls), 1), dtype=object)
        for i, c in enumerate(self.calls.values()):
            calls[i, 0] = {"name": c.name, "nout": float(c.nout), "args": to_mat(list(c.args)),
                           "outputs": to_mat(list(c.outputs or ())),
                           "error": to_mat(c.error) if c.error else np.zeros((0, 0))}
        return {
            "format": fmt, "format_version": float(FORMAT_VERSION), "pair": self.pair,
            "function": self.function, "inputs": to_mat(list(self.inputs)), "calls": calls,
            "nargout": _table([(k, float(v)) for k, v in self.nargout.items()], 2),
            "resolve": _table([(k, *v) for k, v in self.resolved.items()], 3),
            "sources": _table(self.sources, 3),
            "files": _table([(k, *loc) for k, locs in self.files.items() for loc in (locs or [("", "")])], 3),
            "octave_version": self.octave_version, "portcheck_version": self.portcheck_version,
            "recorder": self.recorder, "recorded_at": self.recorded_at, "paths": to_mat(list(self.paths)),
        }

    def save(self, path: str | os.PathLike[str], fmt: str = FORMAT) -> Path:
        """Write the ``.mat`` file (atomically: a crash leaves the old file, not half a new one)."""
        from scipy.io import savemat

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".portcheck-", suffix=".mat", dir=path.parent)
        os.close(fd)
        try:
            savemat(tmp, self._variables(fmt), do_compression=True, oned_as="column")
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self.file = path
        return path

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Recording:
        """Read a recording written by ``portcheck record`` or ``portcheck_record.m``.

        Raises
        ------
        InputError
            The file is missing, is not a v7 ``.mat`` file or is not a recording.
        """
        from scipy.io import loadmat
        from scipy.io.matlab import MatReadError

        path = Path(path)
        if not path.is_file():
            raise InputError(f"{path}: no such recording.")
        try:
            raw = loadmat(path, struct_as_record=False, squeeze_me=False, chars_as_strings=True)
        except NotImplementedError:
            raise InputError(f"{path} is a MATLAB v7.3 (HDF5) file; save recordings with `save -v7`.") from None
        except (MatReadError, ValueError, OSError) as exc:
            raise InputError(f"{path}: not a readable .mat file ({exc}).") from None
        v = {k: from_mat(val) for k, val in raw.items() if not k.startswith("__")}
        if v.get("format") not in (FORMAT, INPUTS_FORMAT):
            raise InputError(f"{path} is not a portcheck recording (no format = '{FORMAT}').")
        version = _number(v.get("format_version"), 0)
        if version > FORMAT_VERSION:
            raise InputError(f"{path} was written in recording format {version:g}, newer than this portcheck "
                             f"reads ({FORMAT_VERSION}); upgrade portcheck.")
        rec = cls(pair=str(v.get("pair", "")), function=str(v.get("function", "")),
                  inputs=tuple(_cell(v.get("inputs"))),
                  octave_version=str(v.get("octave_version", "")),
                  portcheck_version=str(v.get("portcheck_version", "")),
                  recorder=str(v.get("recorder", "")), recorded_at=str(v.get("recorded_at", "")),
                  paths=tuple(str(p) for p in _cell(v.get("paths"))), file=path)
        for entry in _cell(v.get("calls")):
            if not isinstance(entry, dict) or "name" not in entry:
                continue
            err = entry.get("error")
            outs = entry.get("outputs")
            rec.add(RecordedCall(
                name=str(entry["name"]), nout=int(_number(entry.get("nout"), 1)),
                args=tuple(_cell(entry.get("args"))),
                outputs=tuple(_cell(outs)) if not isinstance(err, dict) else None,
                error=err if isinstance(err, dict) else None))
        for row in _rows(v.get("nargout"), 2):
            rec.nargout[str(row[0])] = int(_number(row[1], 1))
        for row in _rows(v.get("resolve"), 3):
            rec.resolved[str(row[0])] = (str(row[1]), str(row[2]))
        rec.sources = [(str(r[0]), str(r[1]), str(r[2])) for r in _rows(v.get("sources"), 3)]
        for row in _rows(v.get("files"), 3):
            locs = rec.files.setdefault(str(row[0]), [])
            if str(row[1]):
                locs.append((str(row[1]), str(row[2])))
        return rec

    # -- staleness -------------------------------------------------------------

    def stale_sources(self, suite_dir: Path | None) -> tuple[list[str], list[str]]:
        """``(changed, missing)``: recorded source files whose hash differs, and those not found here."""
        changed, missing = [], []
        for where, rel, digest in self.sources:
            f = _source_file(where, rel, suite_dir)
            if f is None or not f.is_file():
                missing.append(rel)
            elif _sha256(f) != digest:
                changed.append(str(f))
        return changed, missing


def _number(v: Any, default: float) -> float:
    try:
        return float(np.asarray(v, dtype=float).reshape(-1)[0])
    except (TypeError, ValueError, IndexError):
        return default


def _cell(v: Any) -> list[Any]:
    """A cell read back (object array) as a list, column-major like MATLAB's ``c(:)``."""
    if isinstance(v, np.ndarray) and v.dtype == object:
        return list(v.ravel(order="F"))
    if v is None or (isinstance(v, np.ndarray) and v.size == 0):
        return []
    return [v]


def _rows(v: Any, width: int) -> list[list[Any]]:
    """The rows of an n×width cell table."""
    if not (isinstance(v, np.ndarray) and v.dtype == object and v.size):
        return []
    a = v.reshape(-1, width) if v.ndim != 2 or v.shape[1] != width else v
    return [list(r) for r in a]


def _table(rows: Sequence[Sequence[Any]], width: int) -> np.ndarray:
    out = np.empty((len(rows), width), dtype=object)
    for i, r in enumerate(rows):
        for j, x in enumerate(r):
            out[i, j] = to_mat(x)
    return out


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _bundled_root() -> Path | None:
    from .octave import bundled_refs_dir

    try:
        return bundled_refs_dir()
    except PortcheckError:
        return None


def _source_entry(f: Path, suite_dir: Path | None) -> tuple[str, str, str]:
    f = f.resolve()
    digest = _sha256(f)
    root = _bundled_root()
    for where, base in (("suite", suite_dir), ("bundled", root)):
        if base is not None:
            try:
                return where, f.relative_to(base.resolve()).as_posix(), digest
            except ValueError:
                pass
    return "absolute", str(f), digest


def _source_file(where: str, rel: str, suite_dir: Path | None) -> Path | None:
    if where == "suite":
        return suite_dir / rel if suite_dir is not None else None
    if where == "bundled":
        root = _bundled_root()
        return root / rel if root is not None else None
    return Path(rel)


def _search_folders(paths: Sequence[str]) -> list[Path]:
    """The user's folders, then portcheck's bundled ones: the order a session searches."""
    from .octave import _bundled_dirs

    folders = [Path(p) for p in paths]
    try:
        folders += [d for d in _bundled_dirs() if d not in folders]
    except PortcheckError:
        pass
    return folders


def _version() -> str:
    from . import __version__

    return __version__


#: Stands for the temporary folder of a shadowed call in recorded error texts.
SHADOW = "<shadow-folder>"


def _error_struct(exc: BaseException, folder: str = "") -> dict[str, Any]:
    """A failing call's error as a struct (``folder``, a shadowed call's temp folder, made portable)."""
    def portable(text: str | None) -> str:
        return (text or "").replace(folder, SHADOW) if folder else (text or "")

    if isinstance(exc, OctaveTimeoutError):
        return {"type": "OctaveTimeoutError", "message": str(exc), "function": exc.function,
                "file": "", "line": 0.0, "timeout": float(exc.timeout or 0)}
    if isinstance(exc, OctaveSyntaxError):
        return {"type": "OctaveSyntaxError", "message": portable(str(exc).split("\n", 1)[-1]), "function": "",
                "file": portable(exc.file), "line": float(exc.line or 0), "timeout": 0.0}
    assert isinstance(exc, OctaveRuntimeError)
    return {"type": "OctaveRuntimeError", "message": portable(exc.octave_message), "function": exc.function,
            "file": portable(exc.file), "line": float(exc.line or 0), "timeout": 0.0,
            "text": portable(exc.octave_text)}


def _error_from(struct: Mapping[str, Any], name: str, folder: str = "") -> PortcheckError:
    """The error a recorded failing call raised live (MATLAB's MException fields work too)."""
    def local(key: str) -> str:
        text = str(struct.get(key, "") or "")
        return text.replace(SHADOW, folder) if folder else text

    kind = str(struct.get("type", "OctaveRuntimeError"))
    function = str(struct.get("function", "") or name)
    line = int(_number(struct.get("line"), 0))
    if kind == "OctaveTimeoutError":
        return OctaveTimeoutError(function, _number(struct.get("timeout"), 0.0), False)
    if kind == "OctaveSyntaxError":
        return OctaveSyntaxError(local("file") or None, line if line > 0 else None, local("message"))
    return OctaveRuntimeError(local("message"), function, file=local("file") or None,
                              line=line if line > 0 else None, octave_text=local("text"))


def _shadowed(name: str, collect: str) -> str:
    """The name a shadowed call (the trace's instrumented run) is recorded under."""
    return f"shadowed:{collect}:{name}"


# -- sessions ---------------------------------------------------------------------


class RecordingSession:
    """A live session that logs every answer it gives, for :class:`Recording`.

    Parameters
    ----------
    octave : portcheck.Octave
        The live session; everything not listed here is passed to it.
    """

    def __init__(self, octave: Any, suite_dir: Path | None = None) -> None:
        self._octave = octave
        self._suite_dir = suite_dir
        self.recording = Recording(pair="", function="")
        self._version: str | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._octave, name)

    @property
    def version(self) -> str:
        if self._version is None:
            self._version = str(self._octave.version)
        return self._version

    def resolve(self, name: str) -> tuple[str, str]:
        answer = self._octave.resolve(name)
        self.recording.resolved[name] = (str(answer[0]), str(answer[1]))
        return answer

    def nargout(self, name: str) -> int:
        n = self._octave.nargout(name)
        self.recording.nargout[name] = int(n)
        return n

    def call(self, name: str, *args: Any, nout: int | None = None, timeout: float | None = None) -> Any:
        if nout is None:
            nout = self.nargout(name)
        sent = self._sent(args)
        try:
            out = self._octave.call(name, *args, nout=nout, timeout=timeout)
        except (OctaveRuntimeError, OctaveTimeoutError, OctaveSyntaxError) as exc:
            if sent is not None:
                self.recording.add(RecordedCall(name, int(nout), sent, None, _error_struct(exc)))
            raise
        if sent is not None:
            outs = () if nout == 0 else (out,) if nout == 1 else tuple(out)
            self.recording.add(RecordedCall(name, int(nout), sent, tuple(copy.deepcopy(outs))))
        return out

    def function_files(self, name: str) -> list[Path]:
        files = self._octave.function_files(name)
        self.recording.files[name] = [_source_entry(Path(f), self._suite_dir)[:2] for f in files]
        return files

    def call_shadowed(self, folder: str | os.PathLike[str], name: str, *args: Any, nout: int,
                      collect: str = "", timeout: float | None = None) -> tuple[Any, Any]:
        """:meth:`portcheck.Octave.call_shadowed`, recorded without its (temporary) folder.

        The folder holds instrumented copies of the reference, which the
        recording's source hashes already pin down, so the call is keyed by
        the function, ``collect`` and the arguments.
        """
        key_name = _shadowed(name, collect)
        sent = self._sent(args)
        try:
            outputs, collected = self._octave.call_shadowed(folder, name, *args, nout=nout, collect=collect,
                                                            timeout=timeout)
        except (OctaveRuntimeError, OctaveTimeoutError, OctaveSyntaxError) as exc:
            if sent is not None:
                self.recording.add(RecordedCall(key_name, int(nout), sent, None, _error_struct(exc, str(folder))))
            raise
        if sent is not None:
            outs = () if nout == 0 else (outputs,) if nout == 1 else tuple(outputs)
            self.recording.add(RecordedCall(key_name, int(nout), sent,
                                            tuple(copy.deepcopy((*outs, collected if collect else None)))))
        return outputs, collected

    def _sent(self, args: Sequence[Any]) -> tuple[Any, ...] | None:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # the live call warns the user once
                return tuple(to_octave(a) for a in args)
        except InputError:
            return None  # the live call raises the same error for the user

    def start_pair(self, pair: str, function: str) -> Recording:
        """Begin a fresh log for ``pair``; returns the previous one."""
        done = self.recording
        self.recording = Recording(pair=pair, function=function)
        return done


@dataclass
class Miss:
    """A call replay could not answer."""

    name: str
    description: str


class ReplaySession:
    """A session that answers from recordings and never starts Octave.

    Duck-types :class:`portcheck.Octave` for what checks use: :meth:`call`,
    :meth:`nargout`, :meth:`resolve`, :attr:`version`, :attr:`paths`.

    Parameters
    ----------
    recordings : Recording or sequence of Recording
        Calls from several recordings are pooled.
    fallback_paths : sequence of str, optional
        Folders to read ``.m`` files from when a ``nargout`` or ``resolve``
        answer is not recorded (used to plan what to record).

    Attributes
    ----------
    misses : list of Miss
        Calls asked for that no recording holds, in order.
    """

    def __init__(self, recordings: Recording | Sequence[Recording] = (),
                 fallback_paths: Sequence[str] | None = None, suite_dir: Path | None = None) -> None:
        self._suite_dir = suite_dir
        recs = [recordings] if isinstance(recordings, Recording) else list(recordings)
        self.recordings = recs
        self._calls: dict[str, RecordedCall] = {}
        self._nargout: dict[str, int] = {}
        self._resolved: dict[str, tuple[str, str]] = {}
        self._function_files: dict[str, list[tuple[str, str]]] = {}
        for r in recs:
            self._function_files.update(r.files)
            for k, c in r.calls.items():
                self._calls.setdefault(k, c)
            self._nargout.update(r.nargout)
            self._resolved.update(r.resolved)
        self._paths = tuple(recs[0].paths) if recs else ()
        self._files = MFiles(_search_folders(fallback_paths)) if fallback_paths is not None else None
        self.timeout = None
        self.restarts = 0
        self.closed = False
        self.misses: list[Miss] = []
        self.asked: list[RecordedCall] = []
        where = ", ".join(str(r.file.name) for r in recs if r.file is not None)
        self._source = f"the recording {where}" if where else "the recording"

    @property
    def version(self) -> str:
        return next((r.octave_version for r in self.recordings if r.octave_version), "recorded")

    @property
    def paths(self) -> list[str]:
        return list(self._paths)

    def add_paths(self, paths: Sequence[str | os.PathLike[str]]) -> None:
        """Nothing to add: the recording fixed what the reference saw."""

    def close(self) -> None:
        """Nothing to stop."""

    def __enter__(self) -> ReplaySession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<portcheck.ReplaySession {len(self._calls)} recorded calls>"

    def _miss(self, name: str, description: str) -> NotRecordedError:
        self.misses.append(Miss(name, description))
        return NotRecordedError(name, description, self._source)

    def resolve(self, name: str) -> tuple[str, str]:
        if name in self._resolved:
            return self._resolved[name]
        if self._files is not None and self._files.locate(name) is not None:
            f = self._files.locate(name)
            answer = (f.stem, str(f.parent)) if "/" in name else (name, "")
            self._resolved[name] = answer
            return answer
        if "/" not in name:
            return name, ""
        raise self._miss(name, f"where {name} is defined")

    def nargout(self, name: str) -> int:
        if name in self._nargout:
            return self._nargout[name]
        n = self._files.nargout(name) if self._files is not None else None
        if n is None:
            raise self._miss(name, f"how many outputs {name} declares (nargout)")
        self._nargout[name] = n
        return n

    def call(self, name: str, *args: Any, nout: int | None = None, timeout: float | None = None) -> Any:
        if nout is None:
            nout = self.nargout(name)
        bare = name.rpartition("/")[2]
        # The same conversion as a live call: the same warnings, the same errors for bad arguments.
        sent = tuple(to_octave(a, name=f"argument {i + 1} of {bare}") for i, a in enumerate(args))
        self.asked.append(RecordedCall(name, int(nout), sent))
        rec = self._calls.get(call_key(name, nout, sent))
        if rec is None:
            raise self._miss(name, describe_call(name, sent, nout))
        if rec.error is not None:
            raise _error_from(rec.error, bare)
        outs = [from_octave(copy.deepcopy(v)) for v in (rec.outputs or ())]
        if len(outs) < nout:
            raise self._miss(name, describe_call(name, sent, nout))
        if nout == 0:
            return None
        if nout == 1:
            return outs[0]
        return tuple(outs[:nout])

    def function_files(self, name: str) -> list[Path]:
        """The recorded answer, with each file found where it lives on this machine."""
        if name in self._function_files:
            found = [_source_file(where, rel, self._suite_dir) for where, rel in self._function_files[name]]
            return [f for f in found if f is not None]
        if self._files is not None:
            f = self._files.locate(name)
            return [f] if f is not None else []
        return []

    def call_shadowed(self, folder: str | os.PathLike[str], name: str, *args: Any, nout: int,
                      collect: str = "", timeout: float | None = None) -> tuple[Any, Any]:
        """The recorded shadowed call (the trace's instrumented run), whatever the folder is now."""
        bare = name.rpartition("/")[2]
        sent = tuple(to_octave(a, name=f"argument {i + 1} of {bare}") for i, a in enumerate(args))
        key_name = _shadowed(name, collect)
        self.asked.append(RecordedCall(key_name, int(nout), sent))
        rec = self._calls.get(call_key(key_name, nout, sent))
        if rec is None or (rec.error is None and len(rec.outputs or ()) < nout + 1):
            raise self._miss(name, "the traced run of " + describe_call(name, sent, nout))
        if rec.error is not None:
            raise _error_from(rec.error, bare, str(folder))
        outs = [from_octave(copy.deepcopy(v)) for v in rec.outputs or ()]
        collected = outs[nout] if collect else None
        if nout == 0:
            return None, collected
        return (outs[0] if nout == 1 else tuple(outs[:nout])), collected

    def eval(self, code: str, timeout: float | None = None) -> Any:
        raise self._miss("eval", f"eval({code[:40]!r})")


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
    changed, _missing = recording.stale_sources(_suite_dir(suite))
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
            f"diagnosis that needed it was skipped; record it with Octave (`portcheck record`), or in MATLAB "
            f"(`portcheck export-inputs`, then portcheck_record.m)."
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
    if session is None or not session.misses:
        return report
    return replace(report, notes=tuple(dict.fromkeys((*report.notes, *_limited_notes(session, check)))))


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
            if c.key not in known:
                plan.add(c)
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
    return rec
