"""Running a suite's checks in a worker process, so a port that kills its interpreter loses nothing else.

A port may call ``os._exit``, segfault in a C extension or be killed by the
out-of-memory killer; in the process running the suite that would end the
run and drop every result so far. :func:`run_isolated` runs the checks one by
one in a forked worker with its own Octave session (:class:`IsolatedRunner`). When the worker dies, the
check it was running becomes a ``python-error`` finding saying so, a new
worker takes the remaining checks, and every other result is kept.

Only the parent prints and renders; the worker sends back Report objects.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
from collections.abc import Callable
from typing import Any

from .report import Finding, Report

__all__ = ["IsolatedRunner"]


def _worker(conn: Any, run_one: Callable[[int, Any], Report], make_octave: Callable[[], Any]) -> None:
    """The worker's loop: receive an item index, run it, send its report (or the set-up error)."""
    # Ctrl-C is the parent's to handle: it stops the worker when it stops the run.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    octave = None
    try:
        while True:
            try:
                index = conn.recv()
            except EOFError:
                return
            if index is None:
                return
            try:
                if octave is None:
                    octave = make_octave()
                report = run_one(index, octave)
                conn.send(("ok", report))
            except KeyboardInterrupt:
                # This process ignores SIGINT, so the port's own code raised it (at import or when called).
                conn.send(("fault", "the port raised KeyboardInterrupt (at import or when called), so this "
                                    "check produced no report; the user's Ctrl-C never reaches a worker, so it "
                                    "came from the port's code. Remove the `raise KeyboardInterrupt`."))
            except BaseException as exc:  # noqa: BLE001 - set-up errors go back to the parent to raise
                try:
                    conn.send(("raise", exc))
                except Exception:  # noqa: BLE001 - an exception that does not pickle
                    conn.send(("raise", RuntimeError(f"{type(exc).__name__}: {exc}")))
    finally:
        if octave is not None:
            octave.close()


def _death_message(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            what = f"was killed by signal {signal.Signals(-code).name}"
        except ValueError:
            what = f"was killed by signal {-code}"
    else:
        what = f"exited with status {code} (os._exit, or a crash inside a C extension)"
    return (f"the Python process running this check {what}, so it produced no report. portcheck ran it "
            f"in a worker process: the other checks' results are kept. Look for os._exit / sys.exit in the "
            f"port, or run this pair alone (portcheck run --only NAME) to see the crash.")


class _Worker:
    def __init__(self, run_one: Callable[[int, Any], Report], make_octave: Callable[[], Any]) -> None:
        ctx = mp.get_context("fork")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker, args=(child, run_one, make_octave), daemon=True)
        self.proc.start()
        child.close()

    def run(self, index: int) -> tuple[str, Any]:
        """("ok", report), ("raise", exception), ("fault", message) or ("died", exit code)."""
        try:
            self.conn.send(index)
            return self.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            self.proc.join(5)
            return "died", self.proc.exitcode
        except Exception as exc:  # noqa: BLE001 - the answer names a class only the worker imported
            return "fault", (f"the check's result could not be read back from its worker process "
                             f"({type(exc).__name__}: {exc}); run this pair alone (portcheck run --only NAME).")

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except Exception:  # noqa: BLE001 - already gone
            pass
        self.proc.join(10)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(5)
        self.conn.close()

    def kill(self) -> None:
        if self.proc.is_alive():
            # SIGTERM lets the worker's Octave session go down with it (its pty closes).
            os.kill(self.proc.pid, signal.SIGTERM)
            self.proc.join(5)
            if self.proc.is_alive():
                self.proc.kill()
                self.proc.join(5)
        self.conn.close()


class IsolatedRunner:
    """Runs ``run_one(i, octave)`` in a worker process, one item at a time; a dead worker is replaced.

    Parameters
    ----------
    run_one : callable
        ``run_one(index, octave) -> Report``, executed in the worker.
    make_octave : callable
        Starts the worker's Octave session (once per worker, lazily).

    Use as a context manager; :meth:`run` gives the report of one item, or a
    ``python-error`` report when the worker died running it.
    """

    def __init__(self, run_one: Callable[[int, Any], Report], make_octave: Callable[[], Any]) -> None:
        self._run_one, self._make_octave = run_one, make_octave
        self._worker: _Worker | None = None
        self._octave: Any = None  # without fork (Windows): in-process

    def run(self, index: int, pair: Any, check: str) -> Report:
        if not hasattr(os, "fork"):  # pragma: no cover - no fork: run in-process
            if self._octave is None:
                self._octave = self._make_octave()
            return self._run_one(index, self._octave)
        if self._worker is None:
            self._worker = _Worker(self._run_one, self._make_octave)
        status, value = self._worker.run(index)
        if status == "ok":
            return value
        if status == "raise":
            raise value
        if status == "fault":
            return Report(check=check, title=pair.name, findings=(Finding(
                "python-error", "error", value, evidence={"error": "WorkerFault"}),))
        self._worker.kill()
        self._worker = None
        return Report(check=check, title=pair.name, findings=(Finding(
            "python-error", "error", _death_message(value), evidence={"error": "WorkerDied", "exit_code": value}),))

    def __enter__(self) -> IsolatedRunner:
        return self

    def __exit__(self, kind: Any, exc: Any, tb: Any) -> None:
        if self._octave is not None:
            self._octave.close()
        if self._worker is not None:
            # Interrupted or failed: stop the worker at once; otherwise let it finish cleanly.
            self._worker.kill() if exc is not None else self._worker.stop()
            self._worker = None
