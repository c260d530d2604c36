"""The port's side of a trace: a line tracer that records every numeric local after each statement.

:func:`trace_python` calls the port once under :func:`sys.settrace`, restricted
to the user's own code (the port's file and the files beside it; never NumPy,
SciPy, the standard library or portcheck's own machinery). After each
statement it looks at the frame's locals: a name that now holds another
object, or an array whose contents changed in place (``dH[Z <= 0] = 0``,
``G[:, 1:] += ...``), becomes a :class:`~portcheck.trace.Step` at that
statement's first line. Nothing of the user's is changed: the port receives
the arguments it is given (compare passes copies) and the tracer only reads.

Bounds: arrays above :data:`~portcheck.trace.FULL_VALUE_LIMIT` elements are
kept as fingerprints, and a line inside a loop keeps its first and last value
plus the running sum of all its passes.
"""

from __future__ import annotations

import ast
import inspect
import linecache
import os
import sys
import sysconfig
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ._steps import FULL_VALUE_LIMIT, Fingerprint, Step, Trace, fingerprint

__all__ = ["trace_python", "is_user_file"]

_PORTCHECK_DIR = Path(__file__).resolve().parent.parent
_EXAMPLES_DIR = _PORTCHECK_DIR / "examples"
_LIBRARY_DIRS = tuple(
    str(Path(p).resolve()) for p in {sysconfig.get_paths()[k] for k in ("stdlib", "platstdlib", "purelib",
                                                                         "platlib")} if p
)


def is_user_file(filename: str, own: Path | None = None) -> bool:
    """True for the user's own source files: what a trace follows into.

    Library code (the standard library, anything installed in site-packages)
    and portcheck's own modules are left alone; portcheck's bundled example
    ports count as user code, so the gallery traces like a user's port, and
    so does the folder of the port's own file (``own``) wherever it is
    installed.
    Notebook cells (``<ipython-input-...>``, ``/tmp/ipykernel_*/...``) count
    as user code when :mod:`linecache` holds their source.
    """
    if not filename or filename.startswith("<frozen"):
        return False
    if filename.startswith("<"):
        return bool(linecache.getlines(filename))
    path = Path(filename).resolve()
    text = str(path)
    # First: after `pip install portcheck` the bundled examples live in
    # site-packages too, and so may the package that holds the user's port.
    if path.is_relative_to(_EXAMPLES_DIR) or (own is not None and path.is_relative_to(own)):
        return True
    if "site-packages" in text or "dist-packages" in text:
        return False
    if any(text.startswith(d + os.sep) for d in _LIBRARY_DIRS):
        return False
    if path.is_relative_to(_PORTCHECK_DIR) and not path.is_relative_to(_EXAMPLES_DIR):
        return False
    return True


# ----------------------------------------------------------------------------
# statements of a file: which line starts the statement a line belongs to


_SIMPLE = (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Expr, ast.Return, ast.Delete, ast.Raise, ast.Assert)


@dataclass
class _FileInfo:
    lines: list[str]
    start_of: dict[int, int] = field(default_factory=dict)   # any line -> first line of its statement
    header_of: dict[int, int] = field(default_factory=dict)  # header line of a compound statement


#: Parsed files across traces, keyed by name and source: a port traced again
#: (the re-evaluation, a suite's next pair) is not parsed again.
_PARSED: dict[tuple[str, int], _FileInfo] = {}


def _file_info(filename: str, cache: dict[str, _FileInfo]) -> _FileInfo:
    info = cache.get(filename)
    if info is not None:
        return info
    raw = linecache.getlines(filename)
    key = (filename, hash(tuple(raw)))
    if key in _PARSED:
        cache[filename] = _PARSED[key]
        return _PARSED[key]
    lines = [ln.rstrip("\n") for ln in raw]
    info = _FileInfo(lines)
    try:
        tree = ast.parse("\n".join(lines))
    except (SyntaxError, ValueError):
        tree = None
    if tree is not None:
        for node in ast.walk(tree):
            if isinstance(node, _SIMPLE):
                end = getattr(node, "end_lineno", None) or node.lineno
                for ln in range(node.lineno, end + 1):
                    info.start_of.setdefault(ln, node.lineno)
            elif isinstance(node, (ast.For, ast.While, ast.If, ast.With)):
                # A loop header assigns its target; its own line is the statement.
                head_end = node.body[0].lineno - 1 if node.body else node.lineno
                for ln in range(node.lineno, max(node.lineno, head_end) + 1):
                    info.start_of.setdefault(ln, node.lineno)
    cache[filename] = _PARSED[key] = info
    return info


# ----------------------------------------------------------------------------
# values


def _numeric(value: Any) -> np.ndarray | None:
    """A float64/complex128 array for numeric values (bools as 0/1), else None."""
    if isinstance(value, np.ndarray):
        if value.dtype == object or value.dtype.kind not in "biufc":
            return None
        return value
    if isinstance(value, (bool, np.bool_)):
        return None  # flags (converged = True) are control flow, not data
    if isinstance(value, (int, float, complex, np.number)):
        return np.asarray(value)
    return None


def _keep(arr: np.ndarray, limit: int) -> Any:
    """What a step stores: a float64 copy, or a fingerprint beyond the size limit."""
    if arr.size > limit:
        return fingerprint(arr)
    if np.iscomplexobj(arr):
        return np.array(arr, dtype=np.complex128)
    return np.array(arr, dtype=np.float64)


class _Seen:
    """What the tracer remembers of a local between two statements, to notice changes."""

    __slots__ = ("obj", "state")

    def __init__(self, obj: Any, arr: np.ndarray, limit: int) -> None:
        self.obj = obj
        # Small arrays: a copy, compared exactly. Large ones: identity only;
        # their in-place updates are caught on lines that assign into them.
        self.state = np.array(arr, copy=True) if arr.size <= limit else None

    def changed(self, obj: Any, arr: np.ndarray) -> bool:
        if obj is not self.obj:
            if isinstance(obj, np.ndarray) or isinstance(self.obj, np.ndarray):
                return True
            return not (self.state is not None and self.state.shape == arr.shape
                        and np.array_equal(self.state, arr))
        if self.state is None:
            return False
        return self.state.shape != arr.shape or not np.array_equal(self.state, arr, equal_nan=True)


@dataclass
class _Site:
    step: Step
    total_ok: bool = True


class _Recorder:
    """Collects steps across frames; one per traced call."""

    def __init__(self, limit: int, own: Path | None = None) -> None:
        self.limit = limit
        self.own = own
        self.sites: dict[tuple[str, int, str, str], _Site] = {}
        self.order = 0
        self.files: dict[str, _FileInfo] = {}
        self.user: dict[str, bool] = {}
        self.fingerprinted = 0

    def wants(self, filename: str) -> bool:
        ok = self.user.get(filename)
        if ok is None:
            ok = self.user[filename] = is_user_file(filename, self.own)
        return ok

    def record(self, filename: str, line: int, function: str, name: str, arr: np.ndarray) -> None:
        key = (filename, line, function, name)
        kept = _keep(arr, self.limit)
        if isinstance(kept, Fingerprint):
            self.fingerprinted += 1
        site = self.sites.get(key)
        if site is None:
            self.order += 1
            self.sites[key] = _Site(Step(side="python", file=filename, line=line, order=self.order, name=name,
                                         function=function, value=kept))
            return
        step = site.step
        if step.passes == 1:
            step.first = step.value
            step.total = None if isinstance(kept, Fingerprint) else np.array(step.value, copy=True)
        step.passes += 1
        if site.total_ok and isinstance(step.total, np.ndarray) and isinstance(kept, np.ndarray) \
                and step.total.shape == kept.shape:
            step.total = np.asarray(step.total + kept)
        else:
            site.total_ok = False
            step.total = None
        step.value = kept


def _own_folder(fn: Callable[..., Any]) -> Path | None:
    """The folder of the port's own source file (through decorators), traced wherever it lives."""
    try:
        code = getattr(inspect.unwrap(fn), "__code__", None)
    except ValueError:
        code = None
    filename = getattr(code, "co_filename", "")
    if not filename or filename.startswith("<"):
        return None
    return Path(filename).resolve().parent


def trace_python(fn: Callable[..., Any], args: Sequence[Any], *,
                 limit: int = FULL_VALUE_LIMIT) -> tuple[Trace, BaseException | None]:
    """Call ``fn(*args)`` once under a line tracer and return what it computed, statement by statement.

    Parameters
    ----------
    fn : callable
        The port. Its own file and every user file it calls into are traced
        (see :func:`is_user_file`).
    args : sequence
        Passed as they are: give copies when the caller's values must not be
        touched (:func:`portcheck.compare` does).
    limit : int
        Arrays with more elements are recorded as fingerprints.

    Returns
    -------
    trace : Trace
        ``side="python"``; ``outputs`` holds the return value as a 1-tuple
        (empty when the port raised).
    error : BaseException or None
        The exception the port raised, if any (the steps before it are kept).

    Notes
    -----
    Uses :func:`sys.settrace` on the calling thread only and restores the
    previous trace function afterwards, so a debugger or coverage run
    continues as before once the trace is done.
    """
    rec = _Recorder(limit, _own_folder(fn))

    entry: list[Any] = []
    returned: list[tuple[str, int]] = []

    def local_tracer(frame: Any) -> Callable[..., Any]:
        if not entry:
            entry.append(frame)
        code = frame.f_code
        filename = code.co_filename
        info = _file_info(filename, rec.files)
        function = code.co_name
        seen: dict[str, _Seen] = {}
        # The arguments as the function received them: the starting point.
        for name, value in list(frame.f_locals.items()):
            arr = _numeric(value)
            if arr is not None:
                seen[name] = _Seen(value, arr, rec.limit)
        last = [None]

        def flush() -> None:
            if last[0] is None:
                return
            line = info.start_of.get(last[0], last[0])
            for name, value in list(frame.f_locals.items()):
                arr = _numeric(value)
                if arr is None:
                    continue
                old = seen.get(name)
                if old is None or old.changed(value, arr):
                    rec.record(filename, line, function, name, arr)
                    seen[name] = _Seen(value, arr, rec.limit)

        def tracer(frame: Any, event: str, arg: Any) -> Any:
            if event == "line":
                flush()
                last[0] = frame.f_lineno
            elif event == "return":
                flush()
                last[0] = None
                if frame is entry[0]:
                    returned.append((filename, info.start_of.get(frame.f_lineno, frame.f_lineno)))
            return tracer

        return tracer

    def global_tracer(frame: Any, event: str, arg: Any) -> Any:
        # Comprehensions and generator expressions are their own code objects;
        # their loop variables are the enclosing statement's business.
        if event != "call" or frame.f_code.co_name.startswith("<") and frame.f_code.co_name.endswith(
                ("comp>", "expr>")) or not rec.wants(frame.f_code.co_filename):
            return None
        return local_tracer(frame)

    previous = sys.gettrace()
    error: BaseException | None = None
    outputs: tuple[Any, ...] = ()
    sys.settrace(global_tracer)
    try:
        outputs = (fn(*args),)
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - the port's failure is reported, not raised
        error = exc
    finally:
        sys.settrace(previous)
    steps = sorted((s.step for s in rec.sites.values()), key=lambda s: s.order)
    sources = {f: info.lines for f, info in rec.files.items()}
    notes = []
    if rec.fingerprinted:
        notes.append(f"values larger than {limit:,} elements were recorded as fingerprints "
                     f"(shape, sums, extremes), so they are compared but not diagnosed element by element.")
    entry.clear()  # the frame keeps the port's locals alive otherwise
    return Trace(side="python", steps=steps, sources=sources, outputs=outputs, notes=notes,
                 returned_at=returned[0] if returned else None), error
