"""The two sessions a recording passes through: one that logs a live Octave, one that answers from logs.

Both duck-type :class:`portcheck.Octave` for everything checks use, so no
check knows whether it runs live, recorded or replayed.
"""

from __future__ import annotations

import copy
import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._recfile import MFiles, call_key, describe_call
from ._recorded import (
    Recording,
    RecordedCall,
    _error_from,
    _error_struct,
    _search_folders,
    _shadowed,
    _source_entry,
    _source_file,
)
from .errors import (
    InputError,
    NotRecordedError,
    OctaveRuntimeError,
    OctaveSyntaxError,
    OctaveTimeoutError,
)
from .octave import from_octave, to_octave

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

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> ReplaySession:
        """A session answering from one recording file, or from every recording in a folder.

        Raises
        ------
        InputError
            No such file, or a folder without recordings.
        """
        p = Path(path)
        files = sorted(f for f in p.glob("*.mat") if not f.name.endswith(".inputs.mat")) if p.is_dir() else [p]
        if not files:
            raise InputError(f"{path}: holds no recordings (*.mat); make them with `portcheck record`.")
        return cls([Recording.load(f) for f in files])

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
