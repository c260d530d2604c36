"""One side's optimization: fmincg/fminunc in Octave, ``scipy.optimize.minimize`` on the port.

Each runner returns an :class:`OptimizerRun` (where the side started, where it
ended, why it stopped) and nothing else: reading two runs against each other
is :mod:`portcheck.optimize._judge`'s job. The whole Octave optimization is one
bridge call of ``matlab_refs/portcheck/portcheck_minimize.m``, which builds
the function handle inside Octave (a handle cannot cross the bridge).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import PortError
from ..octave import Octave
from ._tolerances import FMINUNC_TOLFUN

#: Octave optimizers the driver runs.
OCTAVE_OPTIMIZERS = ("fmincg", "fminunc")

# SciPy methods that take the ``gtol`` option as max|grad| (or projected grad).
_GTOL_METHODS = {"cg", "bfgs", "l-bfgs-b", "tnc", "trust-constr"}


@dataclass(frozen=True)
class OptimizerRun:
    """One optimization: what a side did and where it ended.

    Attributes
    ----------
    side : {"OCTAVE", "PYTHON"}
    optimizer : str
        ``"fmincg"``, ``"fminunc"`` or ``"scipy L-BFGS-B"``...
    x : ndarray, shape (n,)
        Final parameters (1-D, column-major like Octave's ``x(:)``).
    trajectory : ndarray
        Cost at ``x0``, then after each iteration.
    iterations, evaluations : int
        Iterations performed; cost-and-gradient evaluations made.
    message : str
        Why the optimizer stopped, in its own words.
    status : int
        The optimizer's status code (SciPy's ``status``; fmincg: 0 MaxIter,
        1 gradient below TolFun, 2 no further decrease; fminunc's INFO).
    converged : bool
        Stopped by a convergence test (not by ``maxiter``, not by a failure).
    maxiter_reached : bool
        Stopped because the iteration limit was reached.
    cost : float
        Cost at ``x``.
    grad_max : float
        ``max|grad|`` at ``x``.
    """

    side: str
    optimizer: str
    x: np.ndarray
    trajectory: np.ndarray
    iterations: int
    evaluations: int
    message: str
    status: int
    converged: bool
    maxiter_reached: bool
    cost: float
    grad_max: float
    seconds: float = 0.0

    @property
    def failed(self) -> bool:
        """Neither converged nor stopped by the iteration limit (e.g. ``ABNORMAL`` line search)."""
        return not (self.converged or self.maxiter_reached)

    @property
    def label(self) -> str:
        return f"{self.side} ({self.optimizer})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "side": self.side, "optimizer": self.optimizer, "x": self.x, "trajectory": self.trajectory,
            "iterations": self.iterations, "evaluations": self.evaluations, "message": self.message,
            "status": self.status, "converged": self.converged, "maxiter_reached": self.maxiter_reached,
            "cost": self.cost, "grad_max": self.grad_max, "seconds": self.seconds,
        }


def _run_octave(oc: Octave, function: str, x0: np.ndarray, args: tuple, optimizer: str, maxiter: int,
                gtol: float, timeout: float | None, wrt: int = 0) -> tuple[OptimizerRun, str]:
    """The reference's optimization in one bridge call; returns the run and the file that ran."""
    bare, folder = oc.resolve(function)
    # fmincg's TolFun is SciPy's gtol test (max|grad|); fminunc's is a cost-change test.
    tolfun = float(gtol) if optimizer == "fmincg" else FMINUNC_TOLFUN
    spec = {"name": bare, "folder": folder, "optimizer": optimizer, "maxiter": float(maxiter),
            "tolfun": tolfun, "wrt": float(wrt)}
    t0 = time.perf_counter()
    out = oc.call("portcheck_minimize", spec, x0, *args, nout=1, timeout=timeout)
    seconds = time.perf_counter() - t0
    status = int(out["status"])
    if optimizer == "fmincg":
        converged, maxiter_reached = status in (1, 2), status == 0
    else:
        converged, maxiter_reached = status in (1, 2, 3), status == 0
    grad = np.asarray(out["grad"], dtype=np.float64).reshape(-1)
    run = OptimizerRun(
        side="OCTAVE", optimizer=optimizer,
        x=np.asarray(out["x"], dtype=np.float64).reshape(-1, order="F"),
        trajectory=np.asarray(out["trajectory"], dtype=np.float64).reshape(-1),
        iterations=int(out["iterations"]), evaluations=int(out["evaluations"]), message=str(out["message"]),
        status=status, converged=converged, maxiter_reached=maxiter_reached, cost=float(out["cost"]),
        grad_max=float(np.max(np.abs(grad))) if grad.size else 0.0, seconds=seconds,
    )
    return run, str(out.get("file", ""))


def _cost_grad(out: Any) -> tuple[float, np.ndarray]:
    """``(J, grad)`` from what an objective returned (``jac=True`` convention)."""
    if not (isinstance(out, (tuple, list)) and len(out) == 2):
        raise PortError(
            f"the objective returned {type(out).__name__}, but minimize(..., jac=True) needs (cost, grad); "
            "return both, e.g. `return J, grad`."
        )
    J, g = out
    return float(np.asarray(J, dtype=np.float64).reshape(-1)[0]), np.asarray(g, dtype=np.float64)


def _x_first(fn: Callable[..., Any], wrt: int) -> Callable[..., Any]:
    """``fn`` with its parameter vector moved to the front, as SciPy calls objectives."""

    def x_first(x: Any, *rest: Any) -> Any:
        return fn(*rest[:wrt], x, *rest[wrt:])

    x_first.__name__ = getattr(fn, "__name__", "port")
    x_first.__qualname__ = getattr(fn, "__qualname__", x_first.__name__)
    return x_first


def _run_scipy(objective: Callable[[np.ndarray], Any], x0: np.ndarray, method: str, maxiter: int, gtol: float,
               options: Mapping[str, Any] | None) -> tuple[OptimizerRun, Any]:
    """``scipy.optimize.minimize(objective, x0, jac=True)``, recording the cost after each iteration."""
    from scipy.optimize import minimize

    costs: dict[bytes, float] = {}
    count = 0

    def fun(x: np.ndarray) -> tuple[Any, Any]:
        nonlocal count
        count += 1
        key = x.tobytes()
        out = objective(x)
        if isinstance(out, (tuple, list)) and len(out) == 2:
            try:
                costs[key] = float(np.asarray(out[0], dtype=np.float64).reshape(-1)[0])
            except (TypeError, ValueError, IndexError):
                pass
        return out

    trajectory: list[float] = []

    def callback(xk: np.ndarray, *_: Any) -> None:
        # The cost of the accepted point was computed by the line search;
        # look it up instead of paying (and counting) one more evaluation.
        key = np.asarray(xk, dtype=np.float64).tobytes()
        cost = costs.get(key)
        if cost is None:
            cost = _cost_grad(objective(np.array(xk, dtype=np.float64)))[0]
        trajectory.append(cost)

    opts: dict[str, Any] = {"maxiter": int(maxiter)}
    if method.lower() in _GTOL_METHODS:
        opts["gtol"] = float(gtol)
    opts.update(options or {})
    t0 = time.perf_counter()
    res = minimize(fun, np.array(x0, dtype=np.float64), jac=True, method=method, callback=callback,
                   options=opts)
    seconds = time.perf_counter() - t0
    J0 = costs.get(np.asarray(x0, dtype=np.float64).tobytes())
    if J0 is None:
        J0 = _cost_grad(objective(np.array(x0, dtype=np.float64)))[0]
    x = np.asarray(res.x, dtype=np.float64).reshape(-1)
    jac = getattr(res, "jac", None)
    if jac is None or np.size(jac) != x.size:
        jac = _cost_grad(objective(x.copy()))[1]
    nit = int(getattr(res, "nit", len(trajectory)))
    success = bool(res.success)
    maxiter_reached = not success and (nit >= maxiter or _says_iteration_limit(str(res.message)))
    run = OptimizerRun(
        side="PYTHON", optimizer=f"scipy {method}", x=x, trajectory=np.array([J0, *trajectory]),
        iterations=nit, evaluations=count, message=str(res.message).strip(), status=int(res.status),
        converged=success, maxiter_reached=maxiter_reached, cost=float(res.fun),
        grad_max=float(np.max(np.abs(np.asarray(jac, dtype=np.float64)))) if np.size(jac) else 0.0,
        seconds=seconds,
    )
    return run, res


def _says_iteration_limit(message: str) -> bool:
    m = message.upper()
    return ("ITERATION" in m and ("LIMIT" in m or "EXCEEDED" in m)) or "MAXIMUM NUMBER OF ITERATIONS" in m


def _is_line_search_failure(message: str) -> bool:
    m = message.upper()
    return "ABNORMAL" in m or "LNSRCH" in m or "PRECISION LOSS" in m or "LINE SEARCH" in m
