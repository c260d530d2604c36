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
  (``np.seterr(all="raise")`` would make portcheck's own arithmetic raise) and
  the Ctrl-C handler (``SIG_IGN`` would make the run impossible to stop). They
  are put back after every call. The global random state is left alone on
  purpose: restoring it would make an unseeded port look deterministic.
- ``os._exit``, which ends a process without unwinding: while a port runs it
  raises :class:`PortExited` instead (a child process the port forks still
  exits), so a port that calls it is a finding in the caller's process too.
  A crash inside a C extension cannot be caught this way; ``portcheck run``
  runs each check in a worker process for that.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from .errors import PortError, PortTimeoutError
from .loading import describe_callable

__all__ = ["PortRaised", "PortExited", "is_port_failure", "kept_process_state", "call_port", "contained", "call_limited"]


class PortRaised(PortError):
    """The port raised a ``BaseException`` that is not an ``Exception`` (nor Ctrl-C or ``sys.exit``)."""

    def __init__(self, original: BaseException) -> None:
        self.original = original
        name = type(original).__name__
        text = f": {original}" if str(original) else ""
        super().__init__(f"{name}{text} ({name} derives from BaseException, which only Ctrl-C and exit "
                         f"should raise; derive the port's own errors from Exception)")


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


@contextlib.contextmanager
def kept_process_state() -> Iterator[None]:
    """Put back the working folder, ``sys.path``, NumPy's error state and the SIGINT handler on exit."""
    try:
        cwd: str | None = os.getcwd()
    except OSError:
        cwd = None
    path = list(sys.path)
    errstate = np.geterr()
    main = threading.current_thread() is threading.main_thread()
    sigint = signal.getsignal(signal.SIGINT) if main else None
    real_exit = os._exit
    os._exit = _exit_refused(os.getpid(), real_exit)
    try:
        yield
    finally:
        os._exit = real_exit
        _restore_cwd(cwd)
        if sys.path != path:
            sys.path[:] = path
        if np.geterr() != errstate:
            np.seterr(**errstate)
        if main and sigint is not None and signal.getsignal(signal.SIGINT) is not sigint:
            signal.signal(signal.SIGINT, sigint)


def call_port(fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)`` with the process state kept; a stray ``BaseException`` becomes :class:`PortRaised`.

    ``SystemExit`` and ``KeyboardInterrupt`` pass unchanged: callers report the
    first in their own words and let the second stop the run.
    """
    with kept_process_state():
        try:
            return fn(*args)
        except (Exception, SystemExit, KeyboardInterrupt):
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
            return fn(*args)
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
