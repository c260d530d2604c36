"""One pair's recording as a Python object and as a ``.mat`` file; its staleness.

The layout of the file is documented in :mod:`portcheck.recording`, the
encoding of values in :mod:`portcheck._recfile`.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ._recfile import call_key, from_mat, to_mat
from .errors import (
    InputError,
    OctaveRuntimeError,
    OctaveSyntaxError,
    OctaveTimeoutError,
    PortcheckError,
)

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
    #: Source files named in the recording but not found here (set by the staleness check).
    unverified: list[str] = field(default_factory=list)

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
            if where == "missing":  # not found when the recording was planned
                missing.append(rel)
                continue
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
