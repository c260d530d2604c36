"""The port's side of a trace: a line tracer that records every numeric local after each statement.

:func:`trace_python` calls the port once under :func:`sys.settrace`, restricted
to the user's own code (the port's file and the files beside it; never NumPy,
SciPy, the standard library or portcheck's own machinery). After each
statement it looks at the frame's locals: a name that now holds another
object, or an array whose contents changed in place (``dH[Z <= 0] = 0``,
``G[:, 1:] += ...``), becomes a :class:`~portcheck.trace.Step` at that
statement's first line. So do values held one level down (``self.A1``,
``cache['a1']``, a list of arrays: see :class:`_Scope`), and parameters: the
traced function's array inputs at its ``def`` line (``role="input"``) and
each call's array arguments to a user's helper at the calling line
(``role="argument"``). Nothing of the user's is changed: the port receives
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

from .._contain import is_port_failure, kept_process_state
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
    """What the tracer remembers of a value between two statements, to notice changes."""

    __slots__ = ("obj", "state", "holder")

    def __init__(self, obj: Any, arr: np.ndarray, limit: int, holder: Any = None) -> None:
        self.obj = obj
        # The container the value was read from (a list, a dict, an object):
        # kept alive so its id cannot be reused by another one while traced.
        self.holder = holder
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
    #: A list recorded stacked, not yet stacked: ``(the list, its length then)``.
    #: Stacking waits until the site is done with (a list appended to in a loop
    #: would otherwise be copied once per pass).
    pending: tuple[Any, int] | None = None


#: Lists and tuples of at most this many numeric elements have each element
#: recorded (``acts[0]``, ``acts[1]``): a network's layers, a ``(W, b)`` pair.
ITEMS_LIMIT = 8
#: Dicts (a ``cache``) and objects (``self``) with more entries than this are
#: not looked into: they are registries, not a computation's intermediates.
ENTRIES_LIMIT = 64


def _stacked(items: Sequence[Any], limit: int) -> Any:
    """A list of equally shaped numeric values as one array (examples along the first axis), or None."""
    arrays = []
    for v in items:
        a = _numeric(v)
        if a is None or (arrays and a.shape != arrays[0].shape):
            return None
        arrays.append(a)
    if len(arrays) < 2:
        return None
    return _keep(np.stack(arrays), limit)


def _numeric_sequence(value: Any) -> bool:
    """A non-empty list or tuple whose ends are numeric (not a list of counts or sizes)."""
    if not isinstance(value, (list, tuple)) or not value:
        return False
    ends = (value[0], value[-1])
    if any(_numeric(v) is None for v in ends):
        return False
    # Python ints only (``sizes = [400, 25, 10]``, an index list) are bookkeeping.
    return not all(type(v) is int for v in ends)


class _Recorder:
    """Collects steps across frames; one per traced call."""

    def __init__(self, limit: int, own: Path | None = None) -> None:
        self.limit = limit
        self.own = own
        self.sites: dict[tuple[str, int, str, str, str], _Site] = {}
        self.order = 0
        self.files: dict[str, _FileInfo] = {}
        self.user: dict[str, bool] = {}
        self.fingerprinted = 0
        # What was last seen in a container, keyed by (id of the container, key),
        # across frames: an attribute a method sets, or a dict a helper fills,
        # is recorded where it was set, not again in every caller.
        self.shared: dict[tuple[int, Any], _Seen] = {}
        # id of a list -> the site that recorded it stacked and still waits.
        self.pending: dict[int, tuple[str, int, str, str, str]] = {}

    def wants(self, filename: str) -> bool:
        ok = self.user.get(filename)
        if ok is None:
            ok = self.user[filename] = is_user_file(filename, self.own)
        return ok

    def record(self, filename: str, line: int, function: str, name: str, arr: Any, role: str = "") -> None:
        key = (filename, line, function, name, role)
        kept = _keep(arr, self.limit) if isinstance(arr, np.ndarray) else arr
        self._store(key, kept)

    def _store(self, key: tuple[str, int, str, str, str], kept: Any,
               pending: tuple[Any, int] | None = None) -> None:
        filename, line, function, name, role = key
        if isinstance(kept, Fingerprint):
            self.fingerprinted += 1
        site = self.sites.get(key)
        if site is None:
            self.order += 1
            self.sites[key] = _Site(Step(side="python", file=filename, line=line, order=self.order, name=name,
                                         function=function, value=kept, role=role), pending=pending)
            return
        if pending is not None:
            # A list stacked again at the same site (appended to in a loop):
            # count the pass, stack once when the site is done with.
            site.pending = pending
            site.step.passes += 1
            site.total_ok = False
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

    def record_list(self, filename: str, line: int, function: str, name: str, items: Sequence[Any]) -> None:
        """Record a list of equally shaped values as its stack, lazily (see :class:`_Site`)."""
        key = (filename, line, function, name, "")
        waiting = self.pending.get(id(items))
        if waiting is not None and waiting != key:
            self._settle(waiting)
        self.pending[id(items)] = key
        self._store(key, None, pending=(items, len(items)))

    def _settle(self, key: tuple[str, int, str, str, str]) -> None:
        site = self.sites.get(key)
        if site is None or site.pending is None:
            return
        items, n = site.pending
        site.pending = None
        kept = _stacked(list(items[:n]), self.limit)
        if isinstance(kept, Fingerprint):
            self.fingerprinted += 1
        site.step.value = kept
        site.step.first = site.step.total = None

    def steps(self) -> list[Step]:
        for key in list(self.pending.values()):
            self._settle(key)
        self.pending.clear()
        # A list that turned out not to stack (shapes differ) is no step.
        return sorted((s.step for s in self.sites.values() if s.step.value is not None), key=lambda s: s.order)


class _Scope:
    """One traced frame: which of its values changed since the last statement.

    Looks at the frame's numeric locals, and one level into what holds
    intermediates in ported code: the attributes of ``self``
    (``self.A1 = ...``, named ``self.A1``), the entries of a dict
    (``cache['a1']``) and lists or tuples of arrays (stacked as one value when
    the elements have one shape — a per-example list is the vectorised
    array — and element by element when short: ``acts[0]``, ``acts[1]``).
    Only reads: nothing of the user's is copied into or changed.
    """

    def __init__(self, rec: _Recorder, frame: Any, filename: str, function: str) -> None:
        self.rec = rec
        self.frame = frame
        self.filename = filename
        self.function = function
        self.seen: dict[str, _Seen] = {}
        # id of a list local -> (length, id of first, id of last) when last looked at.
        self.lists: dict[str, tuple[int, int, int, int]] = {}
        code = frame.f_code
        self.self_name = code.co_varnames[0] if code.co_argcount and code.co_varnames[0] == "self" else None

    def arguments(self, filename: str, line: int, role: str) -> None:
        """Record the frame's numeric parameters as the call passed them, at ``filename:line``."""
        code = self.frame.f_code
        count = code.co_argcount + code.co_kwonlyargcount
        f_locals = self.frame.f_locals
        for name in code.co_varnames[:count]:
            arr = _numeric(f_locals.get(name))
            # Scalars (a step size, an axis, lambda) pair with any equal
            # number; arrays are what dataflow starts from.
            if arr is not None and arr.size > 1:
                self.rec.record(filename, line, self.function, name, arr, role)

    def scan(self, line: int | None) -> None:
        """Record what changed (``line`` None: only remember, at the frame's entry)."""
        for name, value in list(self.frame.f_locals.items()):
            arr = _numeric(value)
            if arr is not None:
                old = self.seen.get(name)
                if old is None or old.changed(value, arr):
                    if line is not None:
                        self.rec.record(self.filename, line, self.function, name, arr)
                    self.seen[name] = _Seen(value, arr, self.rec.limit)
            elif name == self.self_name:
                attrs = getattr(value, "__dict__", None)
                if isinstance(attrs, dict) and len(attrs) <= ENTRIES_LIMIT:
                    for attr, v in list(attrs.items()):
                        if isinstance(attr, str):
                            self._entry(f"{name}.{attr}", value, attr, v, line, nested=True)
            elif type(value) is dict:
                # A plain dict (a cache); a dict subclass is a library's
                # result object (scipy's OptimizeResult), not intermediates.
                self._dict(name, value, line)
            elif _numeric_sequence(value):
                self._sequence(name, value, line)

    def _entry(self, name: str, holder: Any, key: Any, value: Any, line: int | None, nested: bool = False) -> None:
        arr = _numeric(value)
        if arr is None:
            if nested and type(value) is dict:
                self._dict(name, value, line)
            elif nested and _numeric_sequence(value):
                self._sequence(name, value, line)
            return
        ident = (id(holder), key)
        old = self.rec.shared.get(ident)
        if old is None or old.changed(value, arr):
            if line is not None:
                self.rec.record(self.filename, line, self.function, name, arr)
            self.rec.shared[ident] = _Seen(value, arr, self.rec.limit, holder)

    def _dict(self, name: str, value: dict, line: int | None) -> None:
        if len(value) > ENTRIES_LIMIT:
            return
        for k, v in list(value.items()):
            if isinstance(k, (str, int)) and not isinstance(k, bool):
                self._entry(f"{name}[{k!r}]", value, k, v, line)

    def _sequence(self, name: str, value: Sequence[Any], line: int | None) -> None:
        n = len(value)
        sig = (id(value), n, id(value[0]), id(value[-1]))
        if n <= ITEMS_LIMIT:
            for k in range(n):
                self._entry(f"{name}[{k}]", value, k, value[k], line)
        if self.lists.get(name) != sig:
            self.lists[name] = sig
            if line is not None and n >= 2:
                self.rec.record_list(self.filename, line, self.function, name, value)


def _def_line(code: Any, info: _FileInfo) -> int:
    """The ``def`` line of a function (its code object starts at its first decorator)."""
    line = code.co_firstlineno
    while 0 < line <= len(info.lines) and info.lines[line - 1].lstrip().startswith("@"):
        line += 1
    return line


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
        code = frame.f_code
        filename = code.co_filename
        info = _file_info(filename, rec.files)
        scope = _Scope(rec, frame, filename, code.co_name)
        # The arguments as the function received them: the starting point,
        # and steps of their own: where the port's inputs enter (dataflow
        # starts there), and what a call passed to a helper, at the call's
        # line (a wrong argument is written there, not in the helper).
        caller = frame.f_back
        if not entry:
            entry.append(frame)
            scope.arguments(filename, _def_line(code, info), "input")
        elif caller is not None and rec.wants(caller.f_code.co_filename):
            cinfo = _file_info(caller.f_code.co_filename, rec.files)
            scope.arguments(caller.f_code.co_filename, cinfo.start_of.get(caller.f_lineno, caller.f_lineno),
                            "argument")
        else:
            scope.arguments(filename, _def_line(code, info), "argument")
        scope.scan(None)
        last = [None]

        def flush() -> None:
            if last[0] is None:
                return
            scope.scan(info.start_of.get(last[0], last[0]))

        def tracer(frame: Any, event: str, arg: Any) -> Any:
            if event == "line":
                flush()
                last[0] = frame.f_lineno
            elif event == "return":
                flush()
                last[0] = None
                if frame is entry[0]:
                    returned.append((filename, info.start_of.get(frame.f_lineno, frame.f_lineno)))
                else:
                    # What a helper hands back, where its return statement computes it
                    # (`return err * a3 * (1 - a3)`): no variable holds it there.
                    arr = _numeric(arg)
                    if arr is not None and arr.size > 1:
                        rec.record(filename, info.start_of.get(frame.f_lineno, frame.f_lineno), code.co_name,
                                   f"{code.co_name}()", arr, "return")
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
        with kept_process_state():
            outputs = (fn(*args),)
    except BaseException as exc:  # noqa: BLE001 - the port's failure is reported, not raised
        if not is_port_failure(exc):
            raise
        error = exc
    finally:
        sys.settrace(previous)
    steps = rec.steps()
    sources = {f: info.lines for f, info in rec.files.items()}
    notes = []
    if rec.fingerprinted:
        notes.append(f"values larger than {limit:,} elements were recorded as fingerprints "
                     f"(shape, sums, extremes), so they are compared but not diagnosed element by element.")
    entry.clear()  # the frame keeps the port's locals alive otherwise
    return Trace(side="python", steps=steps, sources=sources, outputs=outputs, notes=notes,
                 returned_at=returned[0] if returned else None), error
