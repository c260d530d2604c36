"""The Octave bridge: one long-lived GNU Octave session behind a small API.

This is the only module that imports :mod:`oct2py`. It owns the session's
lifecycle (start, paths, timeouts, restarts), the conversion of values in both
directions, and the translation of oct2py's single ``Oct2PyError`` into the
errors of :mod:`portcheck.errors`.

Conversion rules
----------------
===========================  ==============================  =================================
Python value                 arrives in Octave as            why
===========================  ==============================  =================================
1-D ndarray, shape (n,)      n×1 column                      MATLAB's convention for parameter
                                                             vectors (oct2py's default is a row)
2-D / N-D ndarray            same shape                      column-major copy, values equal
integer ndarray              double, same values             Octave integer types saturate and
                                                             round; ML code expects doubles
bool ndarray                 logical                         masks stay masks
float32 ndarray / scalar     single (PrecisionWarning)       kept, but only ~7 digits are right
int / np.integer scalar      double scalar                   oct2py sends np.int64 as int64, so
                                                             ``1/(2*m)`` would be integer math
float / bool / complex       double / logical / complex
str                          char row                        non-ASCII travels as UTF-8 bytes and
                                                             arrives as the same (UTF-8) text
dict                         struct (fields converted)       keys must be field names, else
                                                             ConversionError
list / tuple of numbers      array (as ``np.asarray``)
integer beyond 2**53         ConversionError                 a double would round it silently
===========================  ==============================  =================================

===========================  ==============================  =================================
Octave value                 arrives in Python as            note
===========================  ==============================  =================================
1×1 numeric or logical       ``float`` (``complex`` if so)   scalars compare like scalars
m×n numeric                  float64 ndarray, shape (m, n)   MATLAB shapes kept: no squeezing,
                                                             a column stays (n, 1)
logical array                float64 ndarray of 0/1          oct2py delivers logicals as uint8
integer-class array          float64 ndarray                 values kept
single array                 float32 ndarray                 kept, with a PrecisionWarning
empty                        float64 ndarray of its shape    e.g. (0, 3), never ``[]``
struct                       ``dict`` (fields converted)
struct array                 ``list`` of ``dict``            column-major order
cell                         ``list`` (column-major order)
char row                     ``str``                         non-ASCII text intact
sparse                       dense float64 ndarray           values and shape kept
char matrix (several rows)   ConversionError                 names the output; return a cellstr
integer beyond 2**53         ConversionError                 a double would round it silently
===========================  ==============================  =================================
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import math
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import uuid
import warnings
import weakref
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .errors import (
    AmbiguousFunctionError,
    ConversionError,
    InputError,
    OctaveError,
    OctaveFunctionNotFoundError,
    OctaveNotFoundError,
    OctaveRuntimeError,
    OctaveSessionError,
    OctaveSyntaxError,
    OctaveTimeoutError,
    PrecisionWarning,
    SessionRestartedWarning,
)

__all__ = ["Octave", "bundled_refs_dir", "find_octave_executable", "to_octave", "from_octave"]

# Logger for Octave's own printed output (disp, fprintf): debug level so a
# reference that prints progress does not flood the user's terminal.
_octave_log = logging.getLogger("portcheck.octave")


def bundled_refs_dir() -> Path:
    """Folder of the Octave references shipped with portcheck (``matlab_refs/``)."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "matlab_refs", here / "matlab_refs"):
        if candidate.is_dir():
            return candidate
    raise OctaveSessionError(
        "portcheck's bundled Octave references (matlab_refs/) are missing; reinstall "
        "portcheck from its source tree with `pip install -e .`."
    )


def _bundled_dirs() -> list[Path]:
    """The bundled root and each of its subfolders that holds ``.m`` files."""
    root = bundled_refs_dir()
    dirs = [root]
    for sub in sorted(p for p in root.rglob("*") if p.is_dir()):
        if sub.name.startswith((".", "private", "@", "+")):
            continue
        if any(sub.glob("*.m")):
            dirs.append(sub)
    return dirs


def find_octave_executable(executable: str | None = None) -> str:
    """Locate the Octave command-line executable.

    Resolution order follows oct2py's: the ``executable`` argument, the
    ``OCTAVE_EXECUTABLE`` environment variable, then ``octave-cli`` and
    ``octave`` on ``PATH``. ``octave-cli`` is preferred because it never
    tries to open a display.

    Raises
    ------
    OctaveNotFoundError
        With the command that installs Octave.
    """
    candidates: list[str] = []
    if executable:
        candidates.append(executable)
    elif os.environ.get("OCTAVE_EXECUTABLE"):
        candidates.append(os.environ["OCTAVE_EXECUTABLE"])
    else:
        candidates += ["octave-cli", "octave"]
    for name in candidates:
        found = shutil.which(name)
        if found:
            return found
    raise OctaveNotFoundError(f"looked for {', '.join(candidates)}")


# ----------------------------------------------------------------------------
# value conversion

#: Marker struct fields that portcheck_call/portcheck_encode use on the Octave side.
_UTF8_FIELD = "portcheck_utf8__"
_UNSENDABLE_FIELD = "portcheck_unsendable__"
_FIELD_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
#: Integers above this lose digits as doubles (the spacing of doubles there is 2).
_EXACT_INT = 2**53


def _check_exact_integers(value: Any, name: str) -> None:
    """ConversionError when an integer would be rounded by the conversion to double."""
    if isinstance(value, int):
        big = [value] if abs(value) > _EXACT_INT else []
    else:
        flat = np.ravel(value)
        # Integer comparisons in NumPy are exact, unlike a detour through float64.
        mask = flat > _EXACT_INT
        if not np.issubdtype(flat.dtype, np.unsignedinteger):
            mask |= flat < -_EXACT_INT
        big = flat[mask]
    if len(big):
        raise ConversionError(
            f"{name} holds the integer {int(big[0])}, beyond 2**53 = {_EXACT_INT}, which a double cannot hold "
            f"exactly (it would be rounded silently). Convert to double on purpose first "
            f"(double() / .astype(float)) if rounding is acceptable, or keep such values below 2**53."
        )


def to_octave(value: Any, *, name: str = "argument") -> Any:
    """Convert one Python value to what oct2py should send (see module table).

    Arrays that need a conversion are converted into new arrays; float64
    arrays are passed through, since oct2py only reads them into its exchange
    file. Either way the caller's data is never written to.

    Parameters
    ----------
    value : object
        A number, array, string, dict, or list/tuple of numbers.
    name : str
        How error and warning messages name the value ("argument 2 of f").

    Returns
    -------
    object
        The value oct2py should send.

    Raises
    ------
    InputError
        For types Octave cannot receive (None, objects, ragged lists).
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        _check_exact_integers(int(value), name)
        return float(value)
    if isinstance(value, np.float32):
        warnings.warn(
            f"{name} is float32: Octave receives it as single (about 7 significant digits).",
            PrecisionWarning,
            stacklevel=3,
        )
        return np.float32(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if isinstance(value, (complex, np.complexfloating)):
        return complex(value)
    if isinstance(value, str):
        if value.isascii():
            return value
        # MAT-file strings hold one byte per character: send the UTF-8 bytes,
        # which portcheck_call turns back into an Octave (UTF-8) char row.
        return {_UTF8_FIELD: np.frombuffer(value.encode("utf-8"), dtype=np.uint8).astype(np.float64)}
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str) or not _FIELD_RE.fullmatch(k):
                raise ConversionError(
                    f"{name}: the dict key {k!r} cannot be an Octave struct field; fields are names "
                    f"that start with a letter (letters, digits, _). Use string keys such as 'w1'."
                )
            out[k] = to_octave(v, name=f"{name}[{k!r}]")
        return out
    if isinstance(value, (list, tuple)):
        try:
            value = np.asarray(value)
        except ValueError as exc:
            raise InputError(f"{name}: a ragged list cannot be sent to Octave ({exc}).") from None
        if value.dtype == object:
            raise InputError(f"{name}: lists must hold numbers only to be sent to Octave.")
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return to_octave(value[()], name=name)
        if value.ndim == 1 and value.size == 0:
            # oct2py sends an empty 1-D array as 0×0; the column rule makes it 0×1.
            value = value.reshape(0, 1)
        if value.dtype == np.float32:
            warnings.warn(
                f"{name} is float32: Octave receives it as single (about 7 significant digits).",
                PrecisionWarning,
                stacklevel=3,
            )
            return np.array(value, dtype=np.float32, copy=True)
        if value.dtype == bool:
            return np.array(value, copy=True)
        if np.issubdtype(value.dtype, np.complexfloating):
            return np.array(value, dtype=np.complex128, copy=True)
        if np.issubdtype(value.dtype, np.integer):
            _check_exact_integers(value, name)
        if np.issubdtype(value.dtype, np.number):
            # A float64 array is only read (written to the exchange file), so
            # the caller's buffer is safe without a copy; other dtypes convert.
            return value if value.dtype == np.float64 else value.astype(np.float64)
        raise InputError(f"{name}: arrays of dtype {value.dtype} cannot be sent to Octave.")
    raise InputError(
        f"{name}: values of type {type(value).__name__} cannot be sent to Octave; "
        "pass numbers, arrays, strings or dicts."
    )


def from_octave(value: Any, *, name: str = "value") -> Any:
    """Convert one value oct2py returned to portcheck's conventions (module table).

    Parameters
    ----------
    value : object
        What oct2py returned for one output.
    name : str
        How a ``ConversionError`` names the value ("output 2 of f").

    Returns
    -------
    float, complex, ndarray, dict, list or str
        Scalars as Python numbers, arrays as float64 (float32 for single) in
        their Octave shape, structs as dicts, struct arrays as lists of dicts,
        cells as lists, sparse matrices as dense arrays.

    Raises
    ------
    ConversionError
        For values Python cannot hold faithfully (char matrices, integers
        beyond 2**53); the message names the value.
    """
    if isinstance(value, dict):  # oct2py's Struct is a dict subclass
        if set(value) == {_UTF8_FIELD}:
            return bytes(np.asarray(value[_UTF8_FIELD], dtype=np.float64).astype(np.uint8).ravel()).decode(
                "utf-8", errors="replace")
        if set(value) == {_UNSENDABLE_FIELD}:
            raise ConversionError(
                f"{name} is {value[_UNSENDABLE_FIELD]}, which has no Python equivalent; return a cell array "
                f"of strings (cellstr) or one string per output instead."
            )
        return {k: from_octave(v, name=f"{name}.{k}") for k, v in value.items()}
    if isinstance(value, str):
        return value
    if isinstance(value, np.ndarray) and value.dtype.names:  # oct2py StructArray
        return [{k: from_octave(rec[k], name=f"{name}({i + 1}).{k}") for k in value.dtype.names}
                for i, rec in enumerate(value.ravel(order="F"))]
    if isinstance(value, np.ndarray) and value.dtype == object:  # oct2py Cell
        return [from_octave(v, name=f"{name}{{{i + 1}}}") for i, v in enumerate(value.ravel(order="F"))]
    if hasattr(value, "toarray") and hasattr(value, "nnz"):  # scipy.sparse: MATLAB's sparse, made dense
        return from_octave(np.asarray(value.toarray()), name=name)
    if isinstance(value, np.ndarray) and np.issubdtype(value.dtype, np.integer):
        _check_exact_integers(value, name)
    if isinstance(value, list) and not value:
        # oct2py turns a 0×0 numeric result into [] even with MATLAB shapes
        # kept (cells arrive as object arrays, so [] is never a cell here).
        return np.zeros((0, 0))
    if isinstance(value, (bool, int, float, complex, np.number, np.bool_)):
        value = np.asarray(value)
    if isinstance(value, np.ndarray):
        if value.dtype == np.float32:
            warnings.warn(
                "Octave returned a single-precision value: expect about 7 significant digits.",
                PrecisionWarning,
                stacklevel=3,
            )
            out = value
        elif np.issubdtype(value.dtype, np.complexfloating):
            out = np.asarray(value, dtype=np.complex128)
        else:
            # oct2py builds a fresh array from the exchange file: no copy needed.
            out = np.asarray(value, dtype=np.float64)
        if out.size == 1 and out.ndim <= 2:
            scalar = out.reshape(())[()]
            return complex(scalar) if np.iscomplexobj(out) else float(scalar)
        return out
    return value


# ----------------------------------------------------------------------------
# error translation

_PARSE_RE = re.compile(r"parse error near line (\d+) of file (\S+)")
_NOT_FOUND_RES = (
    re.compile(r"'([\w.]+)' undefined"),
    re.compile(r"function '([\w.]+)' not found"),
    re.compile(r"invalid function name: ([\w.]+)"),
    re.compile(r"'([\w.]+)' not found"),
)
# Octave reports line -1 for errors raised at the call (too many inputs/outputs).
_FRAME_RE = re.compile(r"^@frame\|([^|]*)\|(-?\d+)\|(-?\d+)\|(.*)$", re.MULTILINE)


def _format_octave_error(err: dict) -> str:
    """Flatten Octave's error struct into text the bridge parses back.

    Replaces oct2py's formatter, which fails on the stack's 1×1 line numbers
    when MATLAB shapes are kept; frames become ``@frame|name|line|column|file``.
    """
    message = str(err.get("message", ""))
    text = message if message.startswith("parse error") else "error: " + message
    frames = []
    helpers = str(_helpers_dir())
    stack = err.get("stack")
    items = stack.ravel() if isinstance(stack, np.ndarray) else []
    for item in items:
        try:
            name, file = str(item["name"]), str(item["file"])
            line = int(np.asarray(item["line"]).reshape(-1)[0])
            col = int(np.asarray(item["column"]).reshape(-1)[0])
        except Exception:  # noqa: BLE001 - a frame we cannot read is just skipped
            continue
        if name == "_pyeval" or file.endswith("_pyeval.m") or file.startswith(helpers):
            continue  # the bridge's own frames: the error belongs to the reference's line
        if name == "portcheck_shadow_call":  # Octave.call_shadowed's wrapper
            continue
        frames.append(f"@frame|{name}|{line}|{col}|{file}")
    return "\n".join(["Octave evaluation error:", text, *frames])


# ----------------------------------------------------------------------------
# process-wide state: stderr, environment, scratch folders

#: Serialises every change to process-wide state while a session starts (file
#: descriptor 2, ``os.environ``, ``tempfile.tempdir``), so two threads starting
#: their first sessions at once cannot restore each other's saved values.
_PROCESS_LOCK = threading.RLock()

#: Scratch folders are named ``portcheck-<pid>-<random>``, so a later run can
#: tell the folders of a killed run (its process is gone) from live ones.
_SCRATCH_PREFIX = "portcheck-"
_SCRATCH_RE = re.compile(r"portcheck-(\d+)-[\w.]+")


@contextlib.contextmanager
def _noting_ctrl_c(note: Any) -> Iterator[None]:
    """Call ``note()`` on every Ctrl-C inside the block, then raise ``KeyboardInterrupt`` as usual.

    octave_kernel's start-up commands catch ``KeyboardInterrupt`` and carry
    on, so without a note a Ctrl-C pressed while Octave starts would be lost
    and the run would go on (into a reference that may never return). Only
    Python's own handler, in the main thread, is wrapped; a handler the user
    installed is left alone.
    """
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGINT) is not signal.default_int_handler):
        yield
        return

    def noted(signum: int, frame: Any) -> None:
        note()
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, noted)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    """Silence file descriptor 2 while oct2py starts Octave.

    oct2py validates the executable by running ``octave-cli --eval`` with
    stderr inherited, and Octave 7 prints a spurious "error: ignoring const
    execution_exception& while preparing to exit" on every such exit. Startup
    failures still surface as exceptions. The process lock makes the
    save/restore of the descriptor atomic across threads.
    """
    with _PROCESS_LOCK:
        try:
            saved = os.dup(2)
        except OSError:  # no real stderr (some notebook kernels): nothing to hide
            yield
            return
        try:
            with open(os.devnull, "w") as devnull:
                os.dup2(devnull.fileno(), 2)
                yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def _import_oct2py(executable: str) -> Any:
    """Import oct2py without leaving its default session running.

    ``import oct2py`` starts a module-level session (``oct2py.octave``) with the
    plain ``octave`` binary, which costs a process and prints X11 warnings on a
    headless machine. When this import is the first, that session is ours: start
    it with the quiet executable and stop it at once. A session the user's own
    code started earlier is left alone.
    """
    import sys

    with _PROCESS_LOCK:
        if "oct2py" in sys.modules:
            return sys.modules["oct2py"]
        saved = os.environ.get("OCTAVE_EXECUTABLE")
        os.environ["OCTAVE_EXECUTABLE"] = executable
        try:
            with _quiet_stderr():
                import oct2py
        finally:
            if saved is None:
                os.environ.pop("OCTAVE_EXECUTABLE", None)
            else:
                os.environ["OCTAVE_EXECUTABLE"] = saved
        default = getattr(oct2py, "octave", None)
        if default is not None:
            try:
                # SIGKILL first: the hang-up exit() sends would make this Octave,
                # started with default settings, dump octave-workspace into the
                # user's current folder.
                os.killpg(default._engine.repl.child.pid, signal.SIGKILL)
            except Exception:  # noqa: BLE001 - it never started
                pass
            try:
                default.exit()
            except Exception:  # noqa: BLE001 - nothing to stop if it never started
                pass
        return oct2py


def _helpers_dir() -> Path:
    """portcheck's own Octave functions: the call wrapper and stand-ins for input/keyboard/pause."""
    return Path(__file__).resolve().parent / "_bridge_m"


def _scratch_roots() -> list[Path]:
    """Where scratch folders go: ``/dev/shm`` (RAM, fast exchange files) when writable, and the temp folder."""
    roots = []
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        roots.append(shm)
    roots.append(Path(tempfile.gettempdir()))
    return roots


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists but is not ours (EPERM)
        return True
    return True


def remove_stale_scratch() -> list[Path]:
    """Delete scratch folders left by portcheck processes that no longer run (killed runs).

    Only folders named ``portcheck-<pid>-*`` whose process is gone are
    touched. Called whenever a session starts; returns what it removed.
    """
    removed = []
    for root in _scratch_roots():
        try:
            entries = list(root.iterdir())
        except OSError:
            continue
        for d in entries:
            m = _SCRATCH_RE.fullmatch(d.name)
            if not m or int(m.group(1)) == os.getpid() or _pid_alive(int(m.group(1))):
                continue
            try:
                if not d.is_dir() or d.is_symlink() or d.stat().st_uid != os.getuid():
                    continue  # only our own user's folders
            except OSError:
                continue
            shutil.rmtree(d, ignore_errors=True)
            removed.append(d)
    return removed


def _octave_string(text: str) -> str:
    """An Octave expression for ``text`` that survives any encoding: its UTF-8 bytes."""
    return "char([" + " ".join(str(b) for b in text.encode("utf-8")) + "])"


#: Executables that already answered a start-up probe, with their version.
_PROBED: dict[str, str] = {}


def _probe_executable(executable: str, timeout: float) -> None:
    """Run ``executable --eval`` once with a time limit, so a program that never answers fails fast.

    oct2py's own check of the executable waits without a limit.
    """
    if executable in _PROBED:
        return
    cmd = [executable, "--no-gui", "--no-init-file", "--quiet", "--eval", "disp(version)"]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise OctaveSessionError(
            f"{executable} did not answer within {timeout:g} s (start-up timeout), so it was stopped. "
            "Check that it is GNU Octave's octave-cli (`octave-cli --version` should answer at once), or "
            "pass a larger startup_timeout= on a slow machine."
        ) from None
    except OSError as exc:
        raise OctaveNotFoundError(f"{executable} could not be run: {exc.strerror or exc}") from None
    if done.returncode != 0 or not done.stdout.strip():
        raise OctaveNotFoundError(
            f"{executable} --eval exited with status {done.returncode}; it does not behave like octave-cli"
        )
    _PROBED[executable] = done.stdout.strip().splitlines()[-1]


def _check_timeout(value: Any, name: str) -> float | None:
    """``None`` or a positive finite number of seconds; anything else is an InputError."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not math.isfinite(float(value)) or float(value) <= 0:
        raise InputError(f"{name} must be a positive number of seconds (or None for no limit), got {value!r}.")
    return float(value)


def _folder_list(paths: Any, name: str) -> list[str | os.PathLike[str]]:
    """``paths`` as a list of folders: one str/Path is one folder, None is none."""
    if paths is None:
        return []
    if isinstance(paths, (str, os.PathLike)):
        return [paths]
    if isinstance(paths, bytes) or not isinstance(paths, Iterable):
        raise InputError(f"{name} must be a folder or a list of folders, got {type(paths).__name__}.")
    out = list(paths)
    for p in out:
        if not isinstance(p, (str, os.PathLike)):
            raise InputError(f"{name} must hold folder names (str or Path), got {p!r}.")
    return out


class _Unresponsive(Exception):
    """Octave did not come back to its prompt after an interrupt."""


class _StdinRequested(Exception):
    """Octave asked for keyboard input, which a bridge session can never give."""


#: Seconds Octave gets to return to its prompt after an interrupt before it is killed.
INTERRUPT_GRACE = 2.0
#: Default limit for starting Octave; it answers in well under a second on a normal machine.
DEFAULT_STARTUP_TIMEOUT = 60.0


class Octave:
    """One GNU Octave session, reused for many calls.

    Parameters
    ----------
    paths : str, Path or sequence of them, optional
        Folders with the user's ``.m`` files. They go on the Octave path ahead of
        portcheck's bundled ``matlab_refs/`` folders.
    timeout : float, optional
        Default limit in seconds for one call; ``None`` waits forever.
    executable : str, optional
        The Octave program; default ``OCTAVE_EXECUTABLE`` or ``octave-cli`` on PATH.
    bundled : bool, default True
        Put portcheck's bundled references on the path.
    startup_timeout : float, default 60
        Limit in seconds for the Octave program to answer when the session starts.

    Notes
    -----
    Starting Octave takes about a second and a call about 15 ms, so create one
    session and reuse it (the pytest fixture ``octave`` does that per process).
    Octave is started without a GUI, without the user's ``.octaverc`` and with
    its exchange files in ``/dev/shm`` where Linux offers it.

    What a session guarantees:

    - Each call sees the same path and current folder: whatever a reference
      does to them (``addpath``, ``rmpath``, ``restoredefaultpath``, ``cd``) is
      undone when it returns, and a folder-qualified call (``"ex4/predict"``)
      puts its folder first only while it runs. Every result carries a token
      of its call; a result that is not this call's is never returned.
    - Calls from several threads are serialised (one lock per session).
    - Ctrl-C during a call raises ``KeyboardInterrupt``; the session is
      interrupted (or restarted when Octave does not answer) and stays usable.
    - A timeout holds even when the reference ignores the interrupt: Octave
      then gets :data:`INTERRUPT_GRACE` seconds before it is killed and restarted.
    - ``input``, ``keyboard`` and ``pause()`` in a reference fail at once with an
      ``OctaveRuntimeError`` saying so: Octave's stdin is never your terminal.
    - No ``octave-workspace`` crash dump is written, and a file of that name is
      never touched; exchange folders are removed on close (and those of a
      killed run at the next start).

    Examples
    --------
    >>> with Octave() as oc:                                  # doctest: +SKIP
    ...     J, grad = oc.call("nnCostFunction", nn_params, 3, 5, 3, X, y, 1.0)
    """

    def __init__(
        self,
        paths: Sequence[str | os.PathLike[str]] | str | os.PathLike[str] | None = (),
        timeout: float | None = None,
        executable: str | None = None,
        bundled: bool = True,
        startup_timeout: float = DEFAULT_STARTUP_TIMEOUT,
    ) -> None:
        self._closed = True  # until started: close()/__del__ must work on a half-built session
        self._oc: Any = None
        self._lock = threading.RLock()
        self._scratch: list[Path] = []
        self._user_dirs = [self._folder(p) for p in _folder_list(paths, "paths")]
        self._bundled_dirs = _bundled_dirs() if bundled else []
        self.timeout = _check_timeout(timeout, "timeout")
        self.startup_timeout = _check_timeout(startup_timeout, "startup_timeout") or DEFAULT_STARTUP_TIMEOUT
        if executable is not None and not isinstance(executable, str):
            raise InputError(f"executable must be the Octave program's name or path, got {executable!r}.")
        self._executable = find_octave_executable(executable)
        self._index = self._index_m_files()
        self._nargout_cache: dict[str, int] = {}
        self._user_interrupted = False
        self.restarts = 0
        self._start()
        self._closed = False

    # -- lifecycle ------------------------------------------------------------

    @staticmethod
    def _folder(p: str | os.PathLike[str]) -> Path:
        d = Path(p).expanduser().resolve()
        if not d.is_dir():
            raise InputError(f"Octave path {str(p)!r} is not a folder.")
        return d

    @property
    def paths(self) -> list[str]:
        """Folders portcheck put on the Octave path, in search order."""
        return [str(d) for d in (*self._user_dirs, *self._bundled_dirs)]

    def _index_m_files(self) -> dict[str, list[Path]]:
        index: dict[str, list[Path]] = {}
        for d in (*self._user_dirs, *self._bundled_dirs):
            for f in sorted(d.glob("*.m")):
                index.setdefault(f.stem, []).append(f)
        return index

    def _start(self) -> None:
        self._user_interrupted = False
        try:
            with _noting_ctrl_c(self._note_ctrl_c):
                self._launch()
        except BaseException:
            self._stop_process()
            raise
        if self._user_interrupted:
            # Ctrl-C came while octave_kernel or our set-up ran a command and was swallowed
            # there: the set-up may be half done, and the user asked to stop.
            self._stop_process()
            raise KeyboardInterrupt

    def _note_ctrl_c(self) -> None:
        self._user_interrupted = True

    def _launch(self) -> None:
        term = os.environ.get("TERM")  # restored below: importing oct2py and starting it set TERM=dumb
        oct2py = _import_oct2py(self._executable)
        Oct2Py, Oct2PyError = oct2py.Oct2Py, oct2py.Oct2PyError
        _probe_executable(self._executable, self.startup_timeout)
        remove_stale_scratch()

        quiet = logging.getLogger("portcheck.oct2py")
        quiet.setLevel(logging.WARNING)
        roots = _scratch_roots()
        with _PROCESS_LOCK:
            # Exchange files in our own folder (oct2py's default has no owner in
            # its name), and octave_kernel's temp folder inside another of ours.
            exchange = Path(tempfile.mkdtemp(prefix=f"{_SCRATCH_PREFIX}{os.getpid()}-", dir=roots[0]))
            engine_parent = Path(tempfile.mkdtemp(prefix=f"{_SCRATCH_PREFIX}{os.getpid()}-", dir=roots[-1]))
            # Registered before the engine's own clean-up, so (atexit runs last
            # in, first out) it removes the parent after the engine removed its folder.
            atexit.register(shutil.rmtree, str(engine_parent), True)
            atexit.register(shutil.rmtree, str(exchange), True)
            self._scratch = [exchange, engine_parent]
            saved_tempdir = tempfile.tempdir
            tempfile.tempdir = str(engine_parent)
            try:
                with _quiet_stderr():
                    self._oc = Oct2Py(
                        executable=self._executable,
                        logger=quiet,
                        oned_as="column",
                        keep_matlab_shapes=True,
                        convert_to_float=True,
                        backend="disable",
                        load_octaverc=False,
                        temp_dir=str(exchange),
                    )
            except (Oct2PyError, OSError) as exc:
                self._remove_scratch()
                raise OctaveNotFoundError(f"{self._executable} failed to start: {exc}") from None
            except BaseException:
                self._remove_scratch()
                raise
            finally:
                tempfile.tempdir = saved_tempdir
                # octave_kernel sets TERM=dumb in os.environ to start its REPL, which would
                # strip colour from everything the user's process prints afterwards.
                if term is None:
                    os.environ.pop("TERM", None)
                else:
                    os.environ["TERM"] = term
        engine = self._oc._engine
        # octave_kernel's exit hook deletes ./octave-workspace in the caller's folder,
        # which may be the user's own file; our close() does the clean-up instead.
        atexit.unregister(engine._cleanup)
        atexit.register(_stop_at_exit, weakref.ref(self))
        # Interrupts are bounded (Ctrl-C and timeouts alike), and a request for
        # keyboard input is an error instead of reading the user's terminal.
        engine._interrupt = self._interrupt_for_user
        engine.repl.interrupt = self._interrupt_for_timeout
        self._oc._handle_stdin = self._refuse_stdin
        self._oc._parse_error = _format_octave_error
        folders = ", ".join(_octave_string(p) for p in self.paths)
        setup = [
            # A killed or hung-up Octave must not write octave-workspace into the user's folder.
            "crash_dumps_octave_core(false); sighup_dumps_octave_core(false); sigterm_dumps_octave_core(false);",
            "warning('off', 'Octave:shadowed-function');",
            # Ahead of octave_kernel's own input.m; the user's folders go in front of both.
            f"addpath({_octave_string(str(_helpers_dir()))});",
        ]
        if self.paths:
            # One round trip for all folders; the first listed is searched first.
            setup.append(f"addpath({folders});")
        self._oc.eval("\n".join(setup), nout=0, verbose=False, timeout=self.startup_timeout)
        self._nargout_cache.clear()

    def _remove_scratch(self) -> None:
        exchange, *rest = self._scratch or [None]
        if exchange is not None:
            shutil.rmtree(exchange, ignore_errors=True)
        for parent in rest:
            # The engine's own folder inside stays (empty) until its exit hook removes it.
            for child in parent.glob("*"):
                for item in child.glob("*"):
                    shutil.rmtree(item, ignore_errors=True) if item.is_dir() else item.unlink(missing_ok=True)
        self._scratch = []

    def add_paths(self, paths: Sequence[str | os.PathLike[str]] | str | os.PathLike[str]) -> None:
        """Put more folders on this session's path (ahead of the bundled ones).

        A single folder may be given as a str or Path. Folders already on the
        path are skipped; the change survives restarts.
        """
        new: list[Path] = []
        for p in _folder_list(paths, "add_paths"):
            d = self._folder(p)
            if d not in self._user_dirs and d not in new:
                new.append(d)
        if not new:
            return
        with self._lock:
            self._user_dirs = [*new, *self._user_dirs]
            self._index = self._index_m_files()
            self._nargout_cache.clear()
            if self._oc is not None:
                code = "addpath(" + ", ".join(_octave_string(str(d)) for d in new) + ");"
                self._user_interrupted = False
                self._oc.eval(code, nout=0, verbose=False, timeout=self.startup_timeout)
                if self._user_interrupted:
                    # The path may be half set; the next call starts afresh with all folders.
                    self._stop_process()
                    raise KeyboardInterrupt

    def restart(self) -> None:
        """Start a fresh Octave process with the same paths (workspace is lost)."""
        with self._lock:
            self._stop_process()
            self._start()
            self.restarts += 1

    def _stop_process(self) -> None:
        if self._oc is not None:
            oc, self._oc = self._oc, None
            try:
                child = oc._engine.repl.child
                # The whole process group: a shell the reference started with system() goes too.
                os.killpg(child.pid, signal.SIGKILL)
            except Exception:  # noqa: BLE001 - already gone
                pass
            try:
                oc.exit()
            except Exception:  # noqa: BLE001 - a dead process may fail to exit cleanly
                pass
        self._remove_scratch()

    def close(self) -> None:
        """Stop this session's Octave process (only ours, never by name) and remove its files."""
        with self._lock:
            self._closed = True
            self._stop_process()

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called."""
        return self._closed

    def __enter__(self) -> Octave:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # noqa: BLE001
            pass

    def __repr__(self) -> str:
        state = "closed" if self.closed else "running"
        return f"<portcheck.Octave {state}, {len(self.paths)} folders on path>"

    @property
    def version(self) -> str:
        """The Octave version string, e.g. ``'7.3.0'``."""
        return str(from_octave(self._raw_call("version", (), nout=1, timeout=30)[0]))

    # -- calls ----------------------------------------------------------------

    def resolve(self, name: str) -> tuple[str, str]:
        """Map a function name to ``(bare_name, folder)`` ("" for the Octave path).

        A name may be qualified with its folder, ``"ex2/predict"``, when a bare
        name is defined in several bundled folders.
        """
        if not isinstance(name, str) or not name.strip():
            raise InputError(f"the Octave function must be given by name (a non-empty str), got {name!r}.")
        if "/" in name or os.sep in name:
            folder, _, bare = name.replace(os.sep, "/").rpartition("/")
            bare = bare[:-2] if bare.endswith(".m") else bare
            for f in self._index.get(bare, []):
                if f.parent.as_posix().endswith(folder):
                    return bare, str(f.parent)
            candidate = Path(folder).expanduser()
            if (candidate / f"{bare}.m").is_file():
                return bare, str(candidate.resolve())
            raise OctaveFunctionNotFoundError(name, self.paths)
        files = self._index.get(name, [])
        user_hits = [f for f in files if f.parent in self._user_dirs]
        if not user_hits and len(files) > 1:
            root = bundled_refs_dir()
            raise AmbiguousFunctionError(
                name, [f"{f.parent.relative_to(root).as_posix()}/{name}" for f in files]
            )
        return name, ""

    def function_files(self, name: str) -> list[Path]:
        """The ``.m`` files named ``name`` in this session's folders, in search order.

        Only the user's folders and the bundled ones are listed (not Octave's
        own functions); more than one entry means the name is shadowed or
        ambiguous.
        """
        return list(self._index.get(name, []))

    def nargout(self, name: str) -> int:
        """Number of outputs ``name`` declares (1 for varargout-only functions)."""
        bare, folder = self.resolve(name)
        key = f"{folder}/{bare}"
        with self._lock:
            if key not in self._nargout_cache:
                try:
                    n = int(from_octave(self._raw_call("nargout", (bare,), nout=1, timeout=30,
                                                       folder=folder, name=bare)[0]))
                except OctaveRuntimeError as exc:
                    # Built-ins (plus, fminunc's helpers...) do not report nargout.
                    if "unavailable" not in exc.octave_message and "built-in" not in exc.octave_message:
                        raise
                    n = 1
                self._nargout_cache[key] = n if n > 0 else max(1, abs(n) - 1) if n < 0 else 0
            return self._nargout_cache[key]

    def call(self, name: str, *args: Any, nout: int | None = None, timeout: float | None = None) -> Any:
        """Call an Octave function and return its outputs as NumPy values.

        Parameters
        ----------
        name : str
            Function name (``"nnCostFunction"``) or folder-qualified (``"ex2/predict"``).
        *args
            Arguments, converted by the rules in the module docstring. The
            caller's arrays are copied, never modified.
        nout : int, optional
            How many outputs to request. Default: every output the function
            declares (its ``nargout``), unlike ``feval``, which returns only the
            first. Functions that compute extra work only when asked (a gradient
            when ``nargout > 1``) therefore do it by default.
        timeout : float, optional
            Seconds before the call is interrupted; default the session's.

        Returns
        -------
        value or tuple
            One value when ``nout == 1`` (``None`` when 0), otherwise a tuple.

        Raises
        ------
        OctaveFunctionNotFoundError, OctaveSyntaxError, OctaveRuntimeError,
        OctaveTimeoutError, OctaveSessionError
        InputError
            A bad ``name``, ``nout`` or ``timeout``; ``ConversionError`` (an
            InputError) for a value that cannot cross the bridge faithfully.
        KeyboardInterrupt
            Ctrl-C during the call; the session stays usable.
        """
        bare, folder = self.resolve(name)
        if nout is not None and (isinstance(nout, bool) or not isinstance(nout, (int, np.integer)) or nout < 0):
            raise InputError(f"nout must be a whole number of outputs (0 or more), got {nout!r}.")
        timeout = _check_timeout(timeout, "timeout")
        sent = tuple(to_octave(a, name=f"argument {i + 1} of {bare}") for i, a in enumerate(args))
        with self._lock:
            if nout is None:
                nout = self.nargout(name)
            nout = int(nout)
            out = self._raw_call(bare, sent, nout=nout, timeout=timeout, folder=folder)
        if nout == 0:
            return None
        if nout == 1:
            return from_octave(out[0], name=f"output 1 of {bare}")
        return tuple(from_octave(v, name=f"output {i + 1} of {bare}") for i, v in enumerate(out))

    def call_shadowed(
        self,
        folder: str | os.PathLike[str],
        name: str,
        *args: Any,
        nout: int,
        collect: str = "",
        timeout: float | None = None,
    ) -> tuple[Any, Any]:
        """Call ``name`` with ``folder`` first on the Octave path, for this one call only.

        The ``.m`` files in ``folder`` (instrumented copies, say) shadow the
        same-named functions elsewhere on the path while the call runs; the
        folder leaves the path however the call ends. Still one round trip:
        ``matlab_refs/portcheck/portcheck_shadow_call.m`` does the path work
        inside Octave.

        Parameters
        ----------
        folder : str or Path
            The shadowing folder; the caller owns (and deletes) it.
        name : str
            As for :meth:`call` (bare or folder-qualified).
        *args
            Converted as for :meth:`call`.
        nout : int
            Outputs of ``name`` to return.
        collect : str, optional
            A function in ``folder`` (no inputs, one output) to call after
            ``name`` returns, in the same round trip; its state is cleared
            afterwards.
        timeout : float, optional
            Seconds; default the session's.

        Returns
        -------
        outputs, collected
            ``outputs`` exactly as :meth:`call` returns them (one value when
            ``nout == 1``, a tuple otherwise, None for 0); ``collected`` is
            ``collect``'s output converted by :func:`from_octave` (None
            without ``collect``).

        Raises
        ------
        As :meth:`call`; error frames of the wrapper itself are left out.
        """
        bare, base = self.resolve(name)
        sent = tuple(to_octave(a, name=f"argument {i + 1} of {bare}") for i, a in enumerate(args))
        # The wrapper ships with the bundled references; a session started
        # with bundled=False reaches it by its full path instead.
        wrapper_dir = "" if "portcheck_shadow_call" in self._index else str(bundled_refs_dir() / "portcheck")
        timeout = _check_timeout(timeout, "timeout")
        out = self._raw_call(
            "portcheck_shadow_call",
            (to_octave(str(folder)), to_octave(base), to_octave(bare), float(nout), to_octave(collect), *sent),
            nout=nout + 1,
            timeout=timeout,
            folder=wrapper_dir,
            name=bare,
        )
        collected = from_octave(out[-1], name=f"what {collect} collected") if collect else None
        values = tuple(from_octave(v, name=f"output {i + 1} of {bare}") for i, v in enumerate(out[:-1]))
        if nout == 0:
            return None, collected
        return (values[0] if nout == 1 else values), collected

    def eval(self, code: str, timeout: float | None = None) -> Any:
        """Evaluate Octave code; return the value of its last expression, if any."""
        if not isinstance(code, str):
            raise InputError(f"code must be Octave source text (a str), got {type(code).__name__}.")
        timeout = _check_timeout(timeout, "timeout")
        with self._lock:
            self._ensure_running()
            from oct2py import Oct2PyError

            self._user_interrupted = False
            try:
                out = self._oc.eval(code, nout=1, verbose=False, timeout=timeout or self.timeout)
            except Oct2PyError as exc:
                if self._user_interrupted:
                    raise KeyboardInterrupt from None
                raise self._translate(str(exc), "eval", timeout or self.timeout) from None
            if self._user_interrupted:
                # octave_kernel caught the Ctrl-C, interrupted Octave and returned nothing.
                raise KeyboardInterrupt
        return None if out is None else from_octave(out, name="the value of eval")

    # -- internals ------------------------------------------------------------

    def _ensure_running(self) -> None:
        if self._closed:
            raise OctaveSessionError("This Octave session is closed; create a new portcheck.Octave().")
        if self._oc is None:  # stopped after a Ctrl-C it did not answer
            self._start()
            self.restarts += 1

    def _raw_call(
        self,
        bare: str,
        args: tuple,
        nout: int,
        timeout: float | None,
        folder: str = "",
        name: str | None = None,
    ) -> list[Any]:
        """One call through ``portcheck_call``; returns the ``nout`` raw outputs.

        The exchange file is deleted first and the result must carry this
        call's token, so an answer left over from an earlier call can never be
        taken for this one's.
        """
        with self._lock:
            self._ensure_running()
            from oct2py import Oct2PyError

            timeout = timeout if timeout is not None else self.timeout
            label = name or bare
            token = uuid.uuid4().hex
            reply = Path(self._oc._settings.temp_dir) / "reader.mat"
            reply.unlink(missing_ok=True)
            printed: list[str] = []
            self._user_interrupted = False
            try:
                out = self._oc.feval(
                    "portcheck_call", token, to_octave(folder), to_octave(bare), float(nout), *args,
                    nout=nout + 1, timeout=timeout, verbose=False, stream_handler=printed.append,
                )
            except _Unresponsive:
                # Octave ignored the interrupt: stop it, and start afresh for the next call.
                self._stop_process()
                if self._user_interrupted:
                    raise KeyboardInterrupt from None
                self._start()
                self.restarts += 1
                raise OctaveTimeoutError(label, float(timeout or 0), True) from None
            except _StdinRequested:
                self._interrupt_or_stop()
                raise OctaveRuntimeError(
                    "the reference asked for keyboard input (input, keyboard, pause, a dbstop breakpoint or a "
                    "prompt); Octave run by portcheck has no keyboard, so the call was stopped. Pass the value as "
                    "an argument.",
                    label) from None
            except KeyboardInterrupt:
                # Ctrl-C outside the interruptible wait (or twice): Octave's state is unknown.
                self._stop_process()
                raise
            except Oct2PyError as exc:
                if self._user_interrupted:
                    raise KeyboardInterrupt from None
                raise self._translate(str(exc), label, timeout) from None
            except Exception:  # pexpect EOF and friends: the process is gone or its pipe is unusable
                if self._user_interrupted:
                    self._stop_process()
                    raise KeyboardInterrupt from None
                raise self._restart_after_death(label) from None
            finally:
                for line in printed:
                    _octave_log.debug("%s: %s", bare, line)
            if self._user_interrupted:
                raise KeyboardInterrupt
            values = list(out) if isinstance(out, (list, tuple)) else [out]
            if len(values) != nout + 1 or not isinstance(values[0], str) or values[0] != token:
                self.restart()
                raise OctaveSessionError(
                    f"Octave's answer to {label} was not the answer to this call (its token did not match), so "
                    "it was discarded and the session restarted. Please report this with the reference's code."
                )
            return values[1:]

    def _interrupt(self, grace: float) -> str:
        """Send Ctrl-C to Octave and wait ``grace`` seconds for its prompt; :class:`_Unresponsive` if none."""
        import pexpect

        repl = self._oc._engine.repl
        repl.child.sendintr()
        try:
            repl._expect_prompt(timeout=grace)
        except (pexpect.TIMEOUT, pexpect.EOF):
            raise _Unresponsive from None
        return str(repl.child.before or "")

    def _interrupt_for_user(self, continuation: bool = False, silent: bool = False) -> str:
        # octave_kernel calls this when Ctrl-C reaches Python during a call.
        self._user_interrupted = True
        return self._interrupt(INTERRUPT_GRACE)

    def _interrupt_for_timeout(self, continuation: bool = False, silent: bool = False) -> str:
        # oct2py calls this when a call ran past its timeout.
        return self._interrupt(INTERRUPT_GRACE)

    def _refuse_stdin(self, line: str) -> str:
        raise _StdinRequested(line)

    def _interrupt_or_stop(self) -> None:
        try:
            self._interrupt(INTERRUPT_GRACE)
        except Exception:  # noqa: BLE001 - not answering: start afresh at the next call
            self._stop_process()

    def _alive(self) -> bool:
        try:
            child = self._oc._engine.repl.child
            if not child.isalive():
                return False
            self._oc.eval("1;", verbose=False, timeout=5)
            return True
        except Exception:  # noqa: BLE001
            return False

    def _recover(self) -> bool:
        """Restart the process if it stopped answering. Returns True if restarted."""
        if self._oc is not None and self._alive():
            return False
        self.restart()
        warnings.warn(
            "The Octave process stopped answering and was restarted; workspace variables "
            "are lost (paths are restored).",
            SessionRestartedWarning,
            stacklevel=4,
        )
        return True

    def _restart_after_death(self, function: str) -> OctaveSessionError:
        """Start a fresh process after Octave died in ``function``; tell the caller."""
        self.restart()
        warnings.warn(
            f"Octave died while running {function}; portcheck restarted it (paths restored, "
            "workspace variables lost).",
            SessionRestartedWarning,
            stacklevel=5,
        )
        return OctaveSessionError(
            f"Octave died while running {function}; portcheck started a new session, so you can "
            "call again. If it happens every time, the function exits or crashes Octave itself."
        )

    def _translate(self, text: str, function: str, timeout: float | None) -> OctaveError:
        """Turn an oct2py error text into the portcheck error a user can act on."""
        if "Session died" in text:
            # oct2py started a bare process; ours needs its paths and hooks back.
            return self._restart_after_death(function)
        if "Timed out" in text:
            restarted = self._recover()
            return OctaveTimeoutError(function, float(timeout or 0), restarted)
        body = text.replace("Octave evaluation error:", "").strip()
        m = _PARSE_RE.search(body)
        if m:
            detail = body.split("\n", 1)[1].strip() if "\n" in body else body
            # The frames are of the caller that tried to load the file (a bundled helper): no news to the user.
            detail = _FRAME_RE.sub("", detail).strip()
            return OctaveSyntaxError(m.group(2), int(m.group(1)), detail)
        if "parse error" in body:
            return OctaveSyntaxError(None, None, body)
        frames = _FRAME_RE.findall(body)
        text = _FRAME_RE.sub("", body).strip()
        message = text[len("error: "):] if text.startswith("error: ") else text
        for rx in _NOT_FOUND_RES:
            nm = rx.search(message)
            if nm and nm.group(1) == function and not frames:
                return OctaveFunctionNotFoundError(function, self.paths)
        if frames:
            func, line, _col, file = frames[0]
            return OctaveRuntimeError(message, func, file=file or None, line=int(line) if int(line) > 0 else None,
                                      octave_text=body)
        return OctaveRuntimeError(message, function, octave_text=body)


def _stop_at_exit(ref: weakref.ref[Octave]) -> None:
    """At interpreter exit: stop a session the user never closed, and remove its files."""
    session = ref()
    if session is not None:
        try:
            session.close()
        except Exception:  # noqa: BLE001
            pass
