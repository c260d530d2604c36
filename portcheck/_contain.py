"""Keeping a port's faults to the port: what it raises, and what it changes in the caller's process.

A port is the user's code, run several times inside the caller's process
(compare's re-runs, every evaluation of a gradient check, every step of an
optimizer). Three things must not leave it:

- An exception that is not an :class:`Exception`. ``SystemExit`` (a ported
  script's ``exit()``), ``GeneratorExit`` or a ``BaseException`` subclass of
  the port's own are the port's failure, to be reported like any error, never
  the end of the caller's run. ``KeyboardInterrupt`` is the user's Ctrl-C and
  goes up unchanged.
- Process-wide settings the port changes on its way: the working folder
  (after ``os.chdir`` a relative ``--json r.json`` would be written into the
  folder the port chose), ``sys.path``, NumPy's floating-point error handling
  (``np.seterr(all="raise")`` would make portcheck's own arithmetic raise),
  the Ctrl-C handler (``SIG_IGN`` would make the run impossible to stop), the
  recursion limit (a low one made the report fail to render) and the alarm
  timer (an alarm left armed would kill the caller's process when it rang).
  They are put back after every call. The global random state is left alone on
  purpose: restoring it would make an unseeded port look deterministic.
- ``os._exit``, which ends a process without unwinding: while a port runs it
  raises :class:`PortExited` instead (a child process the port forks still
  exits), so a port that calls it is a finding in the caller's process too.
  A crash inside a C extension cannot be caught this way; ``portcheck run``
  runs each check in a worker process for that.

An exception whose ``str()`` itself fails is replaced by one that says so, so
the report can still name it. A timeout holds even when the port ignores the
SIGALRM it rings with: a watchdog thread then raises in the port's thread.
"""

from __future__ import annotations

import _signal
import contextlib
import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from .errors import PortError, PortTimeoutError
from .loading import describe_callable

__all__ = ["PortRaised", "PortExited", "ProcessState", "PortUnprintable", "printable", "is_port_failure",
           "kept_process_state", "call_port", "contained", "call_limited"]


class PortRaised(PortError):
    """The port raised a ``BaseException`` that is not an ``Exception`` (nor Ctrl-C or ``sys.exit``)."""

    def __init__(self, original: BaseException) -> None:
        self.original = original
        name = type(original).__name__
        text = _text(original)
        text = f": {text}" if text else ""
        super().__init__(f"{name}{text} ({name} derives from BaseException, which only Ctrl-C and exit "
                         f"should raise; derive the port's own errors from Exception)")


class PortUnprintable(PortError):
    """The port raised an exception whose ``str()`` fails, so its message cannot be shown."""

    def __init__(self, original: BaseException, failure: BaseException) -> None:
        self.original = original
        super().__init__(f"{type(original).__name__}, whose message cannot be shown (its str() raised "
                         f"{type(failure).__name__}: {_text(failure) or '(no text)'}); fix the exception "
                         "class's __str__ to see what went wrong")


def printable(exc: BaseException) -> BaseException:
    """``exc``, or a :class:`PortUnprintable` in its place when ``str(exc)`` fails (every report would)."""
    try:
        str(exc)
    except Exception as failure:  # noqa: BLE001 - a broken __str__ in the port's exception class
        return PortUnprintable(exc, failure).with_traceback(exc.__traceback__)
    return exc


def _text(exc: BaseException) -> str:
    """``str(exc)``, or ``""`` when even that fails."""
    try:
        return str(exc)
    except Exception:  # noqa: BLE001 - a broken __str__ in the port's exception class
        return ""


class PortExited(PortError):
    """The port called ``os._exit``, which would have ended the caller's process without a word."""

    def __init__(self, status: int) -> None:
        self.status = status
        super().__init__(f"the port called os._exit({status}), which would have ended this process at once "
                         f"(exited with status {status}); a port must return its outputs or raise.")


def _exit_refused(pid: int, real_exit: Callable[[int], Any]) -> Callable[[int], Any]:
    """An ``os._exit`` that raises :class:`PortExited` in this process and exits in a forked child."""

    def _exit(status: int) -> Any:
        if os.getpid() != pid:  # a child the port forked (multiprocessing) must still end
            real_exit(status)
        raise PortExited(status)

    return _exit


def is_port_failure(exc: BaseException) -> bool:
    """True for anything the port raised except the user's Ctrl-C."""
    return not isinstance(exc, KeyboardInterrupt)


def _restore_cwd(folder: str | None) -> None:
    if folder is None:
        return
    try:
        if os.getcwd() == folder:
            return
    except OSError:  # the port removed the folder it moved to
        pass
    with contextlib.suppress(OSError):  # the caller's own folder is gone: nothing to go back to
        os.chdir(folder)


class ProcessState:
    """The process-wide settings a port may change (see the module notes), as they were when this was made.

    :meth:`restore` puts back what a call changed; as a context manager it
    also turns ``os._exit`` into :class:`PortExited` inside the block. A
    caller that runs one port many times (every evaluation of a gradient
    check) takes one snapshot and restores after each call: after a function
    that streamed megabytes through the caches, even reading these settings
    again cost a millisecond per call.
    """

    def __init__(self) -> None:
        try:
            self.cwd: str | None = os.getcwd()
        except OSError:
            self.cwd = None
        self.path = list(sys.path)
        self.errstate = np.geterr()
        self.limit = sys.getrecursionlimit()
        self.main = threading.current_thread() is threading.main_thread()
        # Raw handlers: signal.getsignal wraps them in an enum, and identity is all that is compared.
        self.sigint = _signal.getsignal(signal.SIGINT) if self.main else None
        self.sigalrm = _signal.getsignal(signal.SIGALRM) if self.main and hasattr(signal, "SIGALRM") else None
        self.timer_was_armed = _timer_armed()
        self.real_exit = os._exit
        self.exit_guard = _exit_refused(os.getpid(), self.real_exit)

    def restore(self) -> None:
        """Put back every setting that differs from the snapshot."""
        os._exit = self.real_exit
        _restore_cwd(self.cwd)
        if sys.path != self.path:
            sys.path[:] = self.path
        if np.geterr() != self.errstate:
            np.seterr(**self.errstate)
        if self.main and self.sigint is not None and _signal.getsignal(signal.SIGINT) is not self.sigint:
            signal.signal(signal.SIGINT, self.sigint)
        if sys.getrecursionlimit() != self.limit:
            sys.setrecursionlimit(self.limit)
        if not self.timer_was_armed and _timer_armed():
            signal.setitimer(signal.ITIMER_REAL, 0)
        if self.main and self.sigalrm is not None and _signal.getsignal(signal.SIGALRM) is not self.sigalrm:
            signal.signal(signal.SIGALRM, self.sigalrm)

    def __enter__(self) -> ProcessState:
        os._exit = self.exit_guard
        return self

    def __exit__(self, *exc_info: Any) -> bool:
        self.restore()
        return False


def kept_process_state(state: ProcessState | None = None) -> ProcessState:
    """A context manager putting back the working folder, ``sys.path``, NumPy's error state, the recursion
    limit, the SIGINT and SIGALRM handlers and the alarm timer on exit.

    ``state`` is the snapshot to go back to (default: the state on entry).
    """
    return state or ProcessState()


def _timer_armed() -> bool:
    return hasattr(signal, "getitimer") and signal.getitimer(signal.ITIMER_REAL)[0] > 0


def call_port(fn: Callable[..., Any], *args: Any, state: ProcessState | None = None) -> Any:
    """``fn(*args)`` with the process state kept; a stray ``BaseException`` becomes :class:`PortRaised`.

    ``SystemExit`` and ``KeyboardInterrupt`` pass unchanged: callers report the
    first in their own words and let the second stop the run. ``state``: the
    snapshot to restore after the call (default: the state before it).
    """
    with kept_process_state(state):
        try:
            return fn(*args)
        except Exception as exc:
            shown = printable(exc)
            if shown is not exc:
                raise shown from None
            raise
        except (SystemExit, KeyboardInterrupt):
            raise
        except BaseException as exc:  # noqa: BLE001 - GeneratorExit, the port's own BaseException subclasses
            raise PortRaised(exc).with_traceback(exc.__traceback__) from None


def contained(fn: Callable[..., Any], who: str = "the port") -> Callable[..., Any]:
    """``fn`` with every call made through :func:`call_port`, and ``sys.exit`` turned into a PortError.

    For code that hands the port to a third party (``scipy.optimize.minimize``),
    which lets ``SystemExit`` through and would end the caller's process.
    """

    def run(*args: Any) -> Any:
        try:
            return call_port(fn, *args)
        except SystemExit as exc:
            raise PortError(f"{who} called sys.exit({exc.code!r}); a function under test must return its "
                            "outputs, never exit the process.").with_traceback(exc.__traceback__) from None

    run.__name__ = getattr(fn, "__name__", "port")
    run.__qualname__ = getattr(fn, "__qualname__", run.__name__)
    return run


def call_limited(fn: Callable[..., Any], args: tuple, timeout: float | None) -> Any:
    """``fn(*args)``, stopped with PortTimeoutError after ``timeout`` seconds.

    In the main thread a SIGALRM timer raises inside the port (pytest-timeout's
    signal method), so even ``time.sleep`` and pure-Python loops stop and the
    process stays clean. Elsewhere (or when a timer is already armed, e.g. by
    pytest-timeout) the port runs in a daemon thread that is abandoned on time-out.
    """
    if timeout is None:
        return fn(*args)
    name = describe_callable(fn)
    use_signal = (hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
                  and signal.getitimer(signal.ITIMER_REAL)[0] == 0)
    if use_signal:
        def expire(signum: int, frame: Any) -> None:
            raise PortTimeoutError(name, float(timeout))

        previous = signal.signal(signal.SIGALRM, expire)
        signal.setitimer(signal.ITIMER_REAL, float(timeout))
        try:
            try:
                _WATCHDOG.arm(float(timeout) + WATCHDOG_GRACE)
                try:
                    return fn(*args)
                finally:
                    _WATCHDOG.disarm()
            except _Overdue:
                raise PortTimeoutError(name, float(timeout)) from None
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["out"] = fn(*args)
        except BaseException as exc:  # noqa: BLE001 - handed back to the caller's thread
            box["exc"] = exc

    worker = threading.Thread(target=run, name=f"portcheck port {name}", daemon=True)
    worker.start()
    worker.join(float(timeout))
    if worker.is_alive():
        raise PortTimeoutError(name, float(timeout))
    if "exc" in box:
        raise box["exc"]
    return box["out"]


#: Seconds past its timeout a port that silenced SIGALRM runs before the watchdog raises in it.
WATCHDOG_GRACE = 2.0


class _Overdue(BaseException):
    """Raised in the main thread by the watchdog: a class without arguments (as CPython needs), and not an
    Exception, so a port's own ``except Exception`` cannot swallow it."""


class _Watchdog:
    """One daemon thread that raises :class:`_Overdue` in the main thread at a deadline.

    The SIGALRM timer of :func:`call_limited` is the first line: it also ends
    ``time.sleep``. A port can ignore SIGALRM or take its handler, and then
    only this thread can end a pure-Python loop (``PyThreadState_SetAsyncExc``
    runs between bytecodes, so a blocking C call ends first). One thread for
    the process: arming is a lock and a notify, cheap for thousands of calls.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._deadline: float | None = None
        self._fired = False
        self._thread: threading.Thread | None = None
        self._target = threading.main_thread().ident

    def arm(self, seconds: float) -> None:
        with self._cond:
            self._deadline = time.monotonic() + seconds
            self._fired = False
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._watch, name="portcheck watchdog", daemon=True)
                self._thread.start()
            self._cond.notify()

    def disarm(self) -> None:
        with self._cond:
            self._deadline = None
            if self._fired:
                # Not yet raised (the port returned just in time): take it back.
                _set_async_exc(self._target, None)
                self._fired = False

    def _watch(self) -> None:
        with self._cond:
            while True:
                if self._deadline is None:
                    self._cond.wait()
                    continue
                left = self._deadline - time.monotonic()
                if left > 0:
                    self._cond.wait(left)
                    continue
                self._deadline = None
                self._fired = True
                _set_async_exc(self._target, _Overdue)


def _set_async_exc(thread_id: int | None, exc: type[BaseException] | None) -> None:
    if thread_id is None or not hasattr(ctypes, "pythonapi"):
        return
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), ctypes.py_object(exc) if exc else None)


_WATCHDOG = _Watchdog()
