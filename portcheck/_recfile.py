"""The pieces of a recording file that are not about sessions: values, keys and sources.

A recording is a MATLAB v7 ``.mat`` file, so values are stored the way MATLAB
holds them, and read back into what oct2py would have delivered, so that the
bridge's own :func:`~portcheck.octave.from_octave` turns them into exactly the
Python values a live call returns:

==========================  ==========================  ============================
Python value (portcheck)    stored as                   read back (before from_octave)
==========================  ==========================  ============================
float / int / bool          1×1 double / logical        ndarray (1, 1)
complex                     1×1 complex double          ndarray (1, 1)
ndarray, 1-D (n,)           n×1 (Octave's column rule)  ndarray (n, 1)
ndarray, 2-D / N-D          same shape and class        ndarray, same shape
str                         char row                    str
dict                        struct                      dict
list / tuple                1×n cell                    object ndarray (1, n)
dataclass of portcheck      struct + ``portcheck_type``  the dataclass
==========================  ==========================  ============================

A call is looked up by a key: a SHA-256 over the function name, the number
of outputs and the arguments in a canonical form (MATLAB class, MATLAB shape,
column-major bytes), computed the same way for the arguments a check sends
now and for those read from the file, whoever wrote it (Python or MATLAB).
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["to_mat", "from_mat", "call_key", "value_key", "describe_call", "MFiles"]

_FIELD_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,62}$")
#: Field naming the Python class of a stored dataclass (a valid MATLAB field name).
TYPE_FIELD = "portcheck_type"


# -- values -----------------------------------------------------------------------


def to_mat(value: Any) -> Any:
    """A Python value as ``scipy.io.savemat`` should write it (see the module table)."""
    if value is None:
        return np.zeros((0, 0))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        cls = type(value)
        out = {TYPE_FIELD: f"{cls.__module__}:{cls.__qualname__}"}
        for f in dataclasses.fields(value):
            out[f.name] = to_mat(getattr(value, f.name))
        return out
    if isinstance(value, (bool, np.bool_)):
        return np.array([[bool(value)]])
    if isinstance(value, (int, float, complex, np.number)):
        a = np.asarray(value)
        if a.dtype.kind in "iu":
            a = a.astype(np.float64)
        return a.reshape(1, 1)
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not _FIELD_RE.match(str(k)):
                raise ValueError(f"{k!r} is not a MATLAB field name, so it cannot be recorded")
            out[str(k)] = to_mat(v)
        return out
    if isinstance(value, (list, tuple)):
        cell = np.empty((1, len(value)), dtype=object)
        for i, v in enumerate(value):
            cell[0, i] = to_mat(v)
        return cell
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            cell = np.empty(value.shape if value.ndim >= 2 else (value.size, 1), dtype=object)
            for idx, v in zip(np.ndindex(cell.shape), value.reshape(cell.shape).flat):
                cell[idx] = to_mat(v)
            return cell
        if value.ndim == 0:
            return to_mat(value[()])
        a = np.array(value, copy=True)
        if a.dtype.kind in "iu":
            a = a.astype(np.float64)
        return a.reshape(-1, 1) if a.ndim == 1 else a
    raise ValueError(f"a {type(value).__name__} cannot be recorded in a .mat file")


def _is_struct(v: Any) -> bool:
    return hasattr(v, "_fieldnames")


def from_mat(value: Any) -> Any:
    """What ``scipy.io.loadmat(..., struct_as_record=False, squeeze_me=False)`` read, as oct2py delivers it.

    Structs become dicts (or the recorded dataclass), cells object arrays,
    char arrays str; numbers stay arrays in their MATLAB shape.
    """
    if _is_struct(value):
        fields = {name: from_mat(getattr(value, name)) for name in value._fieldnames}
        return _dataclass_from(fields)
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            items = [from_mat(v) for v in value.flat]
            if len(items) == 1 and _is_struct(value.flat[0]):
                return items[0]  # a 1×1 struct (a struct array stays an array of dicts)
            out = np.empty(value.shape, dtype=object)
            for idx, v in zip(np.ndindex(value.shape), items):
                out[idx] = v
            return out
        if value.dtype.kind == "U":
            if value.size == 0:
                return ""
            if value.ndim <= 1 or value.shape[0] == 1:
                return "".join(value.ravel().tolist())
            return "\n".join("".join(row) for row in value.reshape(value.shape[0], -1).tolist())
        return value
    return value


def _dataclass_from(fields: dict[str, Any]) -> Any:
    """A struct written by :func:`to_mat` from a portcheck dataclass, rebuilt; other structs stay dicts."""
    name = fields.get(TYPE_FIELD)
    if not isinstance(name, str) or not name.startswith("portcheck."):
        return fields
    module, _, qual = name.partition(":")
    try:
        cls: Any = importlib.import_module(module)
        for part in qual.split("."):
            cls = getattr(cls, part)
    except (ImportError, AttributeError):
        return fields
    if not dataclasses.is_dataclass(cls):
        return fields
    from .octave import from_octave

    kwargs = {}
    for f in dataclasses.fields(cls):
        if f.name in fields:
            kwargs[f.name] = from_octave(fields[f.name]) if not dataclasses.is_dataclass(fields[f.name]) \
                else fields[f.name]
    return cls(**kwargs)


# -- keys -------------------------------------------------------------------------


def _mat_shape(shape: Sequence[int]) -> tuple[int, ...]:
    """MATLAB's view of a NumPy shape: at least 2-D, 1-D as a column, no trailing singletons past 2."""
    s = tuple(int(d) for d in shape)
    if len(s) == 0:
        s = (1, 1)
    elif len(s) == 1:
        s = (s[0], 1)
    while len(s) > 2 and s[-1] == 1:
        s = s[:-1]
    return s


def _feed(h: Any, v: Any) -> None:
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        v = to_mat(v)
    if isinstance(v, dict):
        h.update(b"S%d;" % len(v))
        for k in sorted(v):
            h.update(str(k).encode() + b"\0")
            _feed(h, v[k])
        return
    if isinstance(v, str):
        data = v.encode()
        h.update(b"C%d;" % len(data) + data)
        return
    if isinstance(v, (list, tuple)):
        h.update(b"L1,%d;" % len(v))
        for x in v:
            _feed(h, x)
        return
    a = np.asarray(v)
    if a.dtype == object:
        shape = _mat_shape(a.shape)
        h.update(b"L" + ",".join(map(str, shape)).encode() + b";")
        for x in a.reshape(shape).ravel(order="F") if a.size else ():
            _feed(h, x)
        return
    if a.dtype.kind == "U":
        _feed(h, from_mat(a))
        return
    if a.dtype.kind in "bu" and (a.dtype == bool or a.dtype == np.uint8):
        # loadmat reads MATLAB logicals back as uint8.
        tag, a = b"b", a.astype(np.uint8)
    elif a.dtype == np.float32:
        tag = b"f"
    elif a.dtype == np.complex64:
        tag, a = b"z", a.astype(np.complex128)
    elif a.dtype.kind == "c":
        tag, a = b"z", a.astype(np.complex128)
    else:
        tag, a = b"d", a.astype(np.float64)
    shape = _mat_shape(a.shape)
    h.update(tag + ",".join(map(str, shape)).encode() + b";")
    h.update(np.ascontiguousarray(a.reshape(shape, order="F").ravel(order="F")).tobytes())


def value_key(value: Any) -> str:
    """Canonical hash of one value (as sent to Octave or as read from a recording)."""
    h = hashlib.sha256()
    _feed(h, value)
    return h.hexdigest()


def call_key(name: str, nout: int, args: Sequence[Any]) -> str:
    """The key a call is recorded and looked up under."""
    h = hashlib.sha256()
    h.update(f"{name}\0{int(nout)}\0{len(args)}\0".encode())
    for a in args:
        _feed(h, a)
    return h.hexdigest()


def _brief(v: Any) -> str:
    if isinstance(v, str):
        return repr(v) if len(v) <= 30 else repr(v[:27] + "...")
    if isinstance(v, dict):
        return "struct(" + ", ".join(list(v)[:4]) + (", ..." if len(v) > 4 else "") + ")"
    if isinstance(v, (list, tuple)):
        return f"cell 1×{len(v)}"
    a = np.asarray(v)
    if a.dtype == object:
        return "cell " + "×".join(map(str, _mat_shape(a.shape)))
    if a.size == 1:
        x = a.reshape(-1)[0]
        return f"{x:g}" if np.isrealobj(a) else str(complex(x))
    return "×".join(map(str, _mat_shape(a.shape))) + (" logical" if a.dtype == bool else "")


def describe_call(name: str, args: Sequence[Any], nout: int | None = None) -> str:
    """``nnCostFunction(18×1, 3, 5, 3, 5×3, 5×1, 0)`` for messages: shapes of arrays, values of scalars."""
    outs = "" if nout is None else f" with {nout} output{'s' * (nout != 1)}"
    return f"{name}({', '.join(_brief(a) for a in args)}){outs}"


def strings_in(value: Any) -> Iterable[str]:
    """Every str inside a value (struct fields, cells): names a helper may feval."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings_in(v)
    elif isinstance(value, (list, tuple)) or (isinstance(value, np.ndarray) and value.dtype == object):
        for v in (value.flat if isinstance(value, np.ndarray) else value):
            yield from strings_in(v)


# -- .m files a reference depends on ------------------------------------------------

_COMMENT_RE = re.compile(r"(?m)(?:%|#).*$")
_STRING_RE = re.compile(r"\"[^\"\n]*\"|(?<![\w\]\)\}.'])'[^'\n]*'")
_IDENT_RE = re.compile(r"\b[A-Za-z]\w*\b")


class MFiles:
    """The ``.m`` files on a search path, found without Octave.

    Parameters
    ----------
    folders : sequence of Path
        In Octave's search order (the user's folders first, then portcheck's bundled ones).
    """

    def __init__(self, folders: Sequence[Path]) -> None:
        self.folders = [Path(f) for f in folders]
        self._index: dict[str, list[Path]] = {}
        for d in self.folders:
            for f in sorted(d.glob("*.m")) if d.is_dir() else ():
                self._index.setdefault(f.stem, []).append(f)

    def locate(self, name: str, near: Path | None = None) -> Path | None:
        """The file Octave would run for ``name`` (``"ex2/predict"`` picks the folder); None if none."""
        if "/" in name:
            folder, _, bare = name.rpartition("/")
            bare = bare[:-2] if bare.endswith(".m") else bare
            for f in self._index.get(bare, []):
                if f.parent.as_posix().endswith(folder):
                    return f
            candidate = Path(folder) / f"{bare}.m"
            return candidate if candidate.is_file() else None
        if near is not None and (near / f"{name}.m").is_file():
            return near / f"{name}.m"
        files = self._index.get(name)
        return files[0] if files else None

    def dependencies(self, names: Iterable[str]) -> list[Path]:
        """The files ``names`` resolve to, and every ``.m`` file those call, transitively.

        Calls are found by the identifiers in the code (comments and strings
        removed) that name a file on the path: a superset of what runs, so an
        edit to any helper the reference may call makes its recording stale.
        """
        seen: dict[Path, None] = {}
        todo = [f for f in (self.locate(n) for n in names if _looks_like_function(n)) if f is not None]
        while todo:
            f = todo.pop()
            if f in seen:
                continue
            seen[f] = None
            try:
                code = f.read_text(errors="replace")
            except OSError:
                continue
            code = _COMMENT_RE.sub("", _STRING_RE.sub("''", code))
            for ident in set(_IDENT_RE.findall(code)):
                dep = self.locate(ident, near=f.parent)
                if dep is not None and dep not in seen:
                    todo.append(dep)
        return sorted(seen)

    def nargout(self, name: str) -> int | None:
        """Outputs the function declares, read from its ``function`` line (None if unknown).

        Follows :meth:`portcheck.Octave.nargout`: a ``varargout``-only function counts as 1.
        """
        f = self.locate(name)
        if f is None:
            return None
        try:
            text = _COMMENT_RE.sub("", f.read_text(errors="replace"))
        except OSError:
            return None
        m = re.search(r"\bfunction\b\s*(\[[^\]]*\]|\w+)?\s*(=)?", text)
        if m is None:
            return None
        outs = m.group(1) if m.group(2) else None
        if outs is None:
            return 0
        names = [n for n in re.split(r"[\s,\[\]]+", outs) if n]
        fixed = [n for n in names if n != "varargout"]
        if "varargout" in names:
            return max(1, len(fixed))
        return len(fixed)


def _looks_like_function(name: str) -> bool:
    return bool(re.match(r"^[\w./\\-]+$", name)) and len(name) < 200
