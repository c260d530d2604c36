"""Optimizer outcomes side by side: ``scipy.optimize.minimize`` on the port, fmincg/fminunc on the reference.

A port whose cost and gradient agree with the reference can still train a
different model: SciPy's L-BFGS-B is not the course's conjugate gradients, a
network has many minima, and the objective handed to ``minimize`` is one more
place for a mistake (``lambda x: cost(initial_theta, ...)``). This module runs
both optimizers from the same ``x0`` with comparable stopping rules and says
which of these happened:

- the cost or gradient already differs at ``x0`` (:func:`portcheck.compare`
  runs first, its findings are included and the optimizer outcome is read as
  their consequence, never as an optimizer difference);
- the objective ignores its argument (``lambda-capture``: the cost and
  gradient do not change when ``x`` does, and scipy returns ``x0``);
- SciPy failed (``optimizer``: ``ABNORMAL`` from the line search, or
  ``maxiter`` reached far from the reference's minimum) — a gradient check
  runs automatically and its findings are attached;
- ``x0`` or the labels have a shape SciPy cannot use (``shape``);
- both converged to the same minimum (no finding), or to different minima of
  a non-convex problem (``local-minimum``, with training accuracies when
  given).

The whole Octave optimization is one bridge call of
``matlab_refs/portcheck/portcheck_minimize.m``, which builds the function
handle inside Octave (a handle cannot cross the bridge).
"""

from __future__ import annotations

import inspect
import math
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from .compare import compare, load_port
from .errors import InputError, LayoutError, OctaveError, PortError
from .gradients import check_gradient
from .inputs import Layout, as_layout, debug_weights
from .lint import lint_object
from .octave import Octave
from .report import Finding, Report, Table, merge_findings

__all__ = [
    "compare_minimize",
    "check_minimize_result",
    "train_digits",
    "OptimizerRun",
    "DEFAULT_GTOL",
    "COST_RTOL",
    "COST_ATOL",
    "FAR_FRACTION",
    "OCTAVE_OPTIMIZERS",
]

#: Gradient tolerance shared by both sides: SciPy's ``gtol`` (L-BFGS-B, CG,
#: BFGS and TNC all stop once ``max|grad| <= gtol``) and fmincg's ``TolFun``,
#: which is the same test. 1e-5 is L-BFGS-B's own default.
DEFAULT_GTOL = 1e-5

#: Two final costs are "the same minimum" when they agree to
#: ``COST_ATOL + COST_RTOL * |J_octave|``. At a point where ``max|grad| <= gtol``
#: the cost exceeds the minimum by about ``|grad|**2 / (2 mu)`` (``mu`` the
#: smallest curvature), i.e. ~1e-10 relative for the corpus problems; L-BFGS-B's
#: relative-reduction stop (``ftol`` = 2.2e-9) is of the same order. 1e-6 leaves
#: a margin of more than 100 for ill-conditioning, while a different local
#: minimum of a network differs at the percent level.
COST_RTOL = 1e-6
#: Absolute floor for costs that converge to (nearly) zero.
COST_ATOL = 1e-10

#: A run that stopped at ``maxiter`` is "far from the reference's minimum" when
#: the cost left to go, ``J_python - J_octave``, exceeds this fraction of the
#: decrease the reference achieved from ``x0``. Different algorithms progress
#: differently per iteration (CG needs more iterations than L-BFGS), so a port
#: trailing by a few percent of the decrease is normal; trailing by 10 % after
#: the same number of iterations is worth a gradient check.
FAR_FRACTION = 0.1

#: Final parameters of two runs at the same cost are worth a note (an
#: equivalent minimum: permuted hidden units, or a flat valley such as the
#: unregularized bias column) when a block differs by more than this fraction
#: of its largest entry.
PARAM_RTOL = 1e-2

#: Points on the segment between the two final parameter vectors at which the
#: cost is evaluated to tell another minimum (the cost rises in between: a
#: barrier) from one basin left at different heights (it does not).
SEGMENT_POINTS = 17

#: fminunc's ``TolFun`` tests the relative reduction ``(f - f1) / (|f| + |f1|)``
#: of a step, where L-BFGS-B tests ``(f_k - f_k+1) / max(|f_k|, |f_k+1|, 1)``
#: against ``ftol = 2.2e-9``: half of that is the comparable stopping rule.
FMINUNC_TOLFUN = 1.1e-9

#: Octave optimizers the driver runs.
OCTAVE_OPTIMIZERS = ("fmincg", "fminunc")

# SciPy methods that take the ``gtol`` option as max|grad| (or projected grad).
_GTOL_METHODS = {"cg", "bfgs", "l-bfgs-b", "tnc", "trust-constr"}
# SciPy methods that use a gradient: jac=True makes sense for them only.
_GRADIENT_METHODS = {"cg", "bfgs", "newton-cg", "l-bfgs-b", "tnc", "slsqp", "trust-constr"}


# ----------------------------------------------------------------------------
# one side's run


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


# ----------------------------------------------------------------------------
# evidence gathered on the Python side


@dataclass
class _Evidence:
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _as_vector(x0: Any, ev: _Evidence) -> np.ndarray:
    """x0 as a 1-D float64 copy; a ``shape`` finding when the user's x0 is not 1-D."""
    try:
        a = np.array(x0, dtype=np.float64, copy=True)
    except (TypeError, ValueError) as exc:
        raise InputError(f"x0 must be a numeric array, e.g. np.zeros(n): {exc}") from None
    if a.size == 0:
        raise InputError("x0 is empty: there is nothing to optimize.")
    if not np.all(np.isfinite(a)):
        raise InputError("x0 contains NaN or Inf; start the optimization at a finite point.")
    if a.ndim == 1:
        return a
    if a.ndim == 0:
        return a.reshape(1)
    column = a.ndim == 2 and 1 in a.shape
    fix = "x0.ravel()" if column else "x0.ravel(order='F') (column-major, like Octave's x0(:))"
    ev.findings.append(Finding(
        "shape", "error",
        f"x0 has shape {a.shape}, but scipy.optimize.minimize needs a 1-D vector (it raises "
        f"\"ValueError: 'x0' must only have one dimension\"); pass {fix} and return the gradient "
        "as a 1-D array of the same length.",
        output="x0", evidence={"shape": a.shape, "expected": (a.size,)},
    ))
    ev.notes.append(f"x0 of shape {a.shape} was unrolled column-major to ({a.size},) to run both optimizers.")
    return a.reshape(-1, order="F")


def _parameter_names(fn: Callable[..., Any], n: int) -> list[str]:
    try:
        params = [p.name for p in inspect.signature(fn).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        params = []
    params = params[:n]
    return params + [f"argument {i + 1}" for i in range(len(params), n)]


def _copy_args(args: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(np.array(a, copy=True) if isinstance(a, np.ndarray) else a for a in args)


def _output_shapes(out: Any, n: int, who: str, ev: _Evidence) -> None:
    """``shape`` findings for a cost that is not a scalar or a gradient that is not (n,)."""
    J, g = out
    Ja, ga = np.asarray(J), np.asarray(g)
    if Ja.size != 1:
        ev.findings.append(Finding(
            "shape", "error",
            f"{who} returns a cost of shape {Ja.shape}; minimize needs a scalar: check for an (m, 1) / (m,) "
            "broadcast inside the cost, then return float(J).",
            output="J", evidence={"shape": Ja.shape},
        ))
    elif Ja.ndim > 0:
        ev.notes.append(f"{who} returns the cost as an array of shape {Ja.shape}; return float(J).")
    if ga.shape == (n,):
        return
    if ga.size == n:
        ev.findings.append(Finding(
            "shape", "warning",
            f"{who} returns the gradient with shape {ga.shape}; minimize(jac=True) expects ({n},): "
            "L-BFGS-B flattens it, CG and BFGS do not. Return grad.ravel() (column-major for matrices, "
            "grad.ravel(order='F')).",
            output="grad", evidence={"shape": ga.shape, "expected": (n,)},
        ))
    else:
        ev.findings.append(Finding(
            "shape", "error",
            f"{who} returns a gradient of shape {ga.shape} ({ga.size} elements) for {n} parameters; an "
            "(m, 1) / (m,) mix has probably broadcast to a matrix: flatten the labels (y.ravel()).",
            output="grad", evidence={"shape": ga.shape, "expected": (n,)},
        ))


def _column_arguments(fn: Callable[..., Any], x0: np.ndarray, py_args: tuple, base: tuple[float, np.ndarray],
                      ev: _Evidence) -> None:
    """``shape`` findings for (m, 1) columns (unflattened labels) that change the port's result."""
    names = _parameter_names(fn, 1 + len(py_args))[1:]
    J0, g0 = base
    for i, a in enumerate(py_args):
        if not (isinstance(a, np.ndarray) and a.ndim == 2 and a.shape[1] == 1 and a.shape[0] > 1):
            continue
        flat = list(_copy_args(py_args))
        flat[i] = a.reshape(-1)
        name = names[i]
        try:
            J1, g1 = _cost_grad(fn(x0.copy(), *flat))
        except Exception:  # noqa: BLE001 - the port cannot take the flat vector: nothing to learn
            continue
        same = (np.isclose(J1, J0, rtol=1e-12, atol=1e-15) and g1.size == g0.size
                and np.allclose(g1.reshape(-1), g0.reshape(-1), rtol=1e-12, atol=1e-15))
        if same:
            ev.notes.append(f"{name} is a {a.shape[0]}×1 column; the port flattens it itself (its result is "
                            f"the same with {name}.ravel()).")
            continue
        ev.findings.append(Finding(
            "shape", "error",
            f"{name} is passed as a {a.shape} column and the port's result changes when it is flattened "
            f"(cost {J0:.6g} vs {J1:.6g} with {name}.ravel()): an (m, 1) column against (m,) vectors "
            f"broadcasts to (m, m). Flatten it before minimize: {name} = {name}.ravel(), or inside the port.",
            output=None, evidence={"argument": name, "shape": a.shape, "cost": J0, "cost_flattened": J1},
        ))


def _probe_capture(objective: Callable[[np.ndarray], Any], x0: np.ndarray,
                   base: tuple[float, np.ndarray]) -> dict[str, Any] | None:
    """Evidence that ``objective`` ignores its argument, or None.

    The objective is evaluated at ``x0`` moved along ``-grad`` and along a
    fixed oscillating direction, by a step that moves the largest coordinate
    by ``1e-3 * max(1, |x0|)``. A function that uses its argument changes its
    cost by about ``step * |grad·d|``; a closure over a fixed theta returns
    the very same cost and gradient.
    """
    J0, g0 = base
    g = g0.reshape(-1)
    if g.size != x0.size or not np.all(np.isfinite(g)):
        return None
    gmax = float(np.max(np.abs(g)))
    if gmax == 0.0 or not math.isfinite(J0):
        return None
    scale = 1e-3 * max(1.0, float(np.max(np.abs(x0))))
    wiggle = np.sin(np.arange(1, x0.size + 1, dtype=np.float64))
    directions = {"-grad": -g / gmax, "sin(1:n)": wiggle / np.max(np.abs(wiggle))}
    predicted = []
    for name, d in directions.items():
        x = x0 + scale * d
        try:
            J, gx = _cost_grad(objective(x))
        except Exception:  # noqa: BLE001 - a failure here is for compare/scipy to report
            return None
        if J != J0 or gx.shape != g0.shape or not np.array_equal(gx, g0):
            return None
        predicted.append(abs(scale * float(g @ d)))
    # Only claim it when a function using x would have moved visibly.
    if max(predicted) <= 1e3 * np.finfo(np.float64).eps * max(1.0, abs(J0)):
        return None
    return {"step": scale, "cost": J0, "expected_change": max(predicted), "directions": list(directions)}


def _static_capture(targets: Sequence[Callable[..., Any]]) -> list[dict[str, Any]]:
    """Lint's ``lambda-capture`` rule on the source of the objective and the port."""
    hits: list[dict[str, Any]] = []
    for obj in targets:
        if obj is None:
            continue
        try:
            issues = lint_object(obj, rules=["lambda-capture"])
        except (PortError, KeyError, OSError, TypeError):
            continue  # no source (built at a prompt, a partial): the dynamic probe still runs
        hits += [{"file": i.file, "line": i.line, "message": i.message, "fix": i.fix} for i in issues]
    return hits


def _capture_finding(dynamic: dict[str, Any] | None, static: list[dict[str, Any]], who: str) -> Finding | None:
    if dynamic is None and not static:
        return None
    parts = []
    evidence: dict[str, Any] = {}
    if dynamic is not None:
        parts.append(
            f"{who} returns the same cost ({dynamic['cost']:.6g}) and the same gradient at x0 and at points "
            f"moved by {dynamic['step']:.1e} (a change of about {dynamic['expected_change']:.1e} was due): it "
            "ignores its argument, like `lambda x: cost(initial_theta, X, y, lam)`"
        )
        evidence["dynamic"] = dynamic
    if static:
        s = static[0]
        parts.append(f"{s['file']}:{s['line']}: {s['message']}")
        evidence["static"] = static
    fix = ("Fix: pass the optimizer's variable through, `lambda x: cost(x, X, y, lam)`, or better "
           "minimize(cost, x0, args=(X, y, lam), jac=True).")
    severity = "error" if dynamic is not None else "warning"
    return Finding("lambda-capture", severity, "; ".join(parts) + ". " + fix, evidence=evidence)


# ----------------------------------------------------------------------------
# judging the two runs


def _tolerance(reference_cost: float, cost_rtol: float) -> float:
    return COST_ATOL + cost_rtol * abs(reference_cost)


def _block_rows(layout: Layout, x_oc: np.ndarray, x_py: np.ndarray) -> tuple[tuple[Any, ...], ...]:
    rows = []
    for b in layout.blocks:
        ref, got = x_oc[b.slice], x_py[b.slice]
        diff = np.abs(got - ref)
        scale = float(np.max(np.abs(ref))) if ref.size else 0.0
        max_abs = float(np.max(diff)) if diff.size else 0.0
        rel = max_abs / scale if scale > 0 else (0.0 if max_abs == 0 else math.inf)
        rows.append((b.name, b.shape, max_abs, rel))
    return tuple(rows)


def _sample_iterations(length: int, rows: int = 10) -> list[int]:
    """The first iterations, then geometrically spaced ones, then the last."""
    if length <= rows:
        return list(range(length))
    picks = {0, 1, 2, length - 1}
    for v in np.geomspace(3, length - 1, rows - len(picks)):
        picks.add(int(round(v)))
    return sorted(p for p in picks if p < length)


def _trajectory_table(oc: OptimizerRun | None, py: OptimizerRun | None) -> Table:
    t_oc = oc.trajectory if oc is not None else np.empty(0)
    t_py = py.trajectory if py is not None else np.empty(0)
    length = max(t_oc.size, t_py.size)
    rows = []
    for i in _sample_iterations(length):
        a = float(t_oc[i]) if i < t_oc.size else None
        b = float(t_py[i]) if i < t_py.size else None
        rows.append((i, a, b, (b - a) if a is not None and b is not None else None))
    return Table(
        title="Cost after each iteration (sampled; iteration 0 is x0, '-' once a side has stopped)",
        columns=("iteration", "OCTAVE cost", "PYTHON cost", "PYTHON - OCTAVE"),
        rows=tuple(rows),
    )


def _outcome_table(runs: Sequence[OptimizerRun]) -> Table:
    rows = tuple(
        (r.side, r.optimizer, float(r.trajectory[0]), r.cost, r.iterations, r.evaluations, r.grad_max, r.message)
        for r in runs
    )
    return Table(
        title="Optimizer outcome",
        columns=("side", "optimizer", "cost at x0", "final cost", "iterations", "evaluations", "max |grad|",
                 "status"),
        rows=rows,
    )


def _gradient_check(fun: Callable[..., Any], x0: np.ndarray, args: tuple, layout: Layout | None
                    ) -> tuple[Report | None, str | None]:
    """check_gradient at x0, or why it could not run."""
    try:
        return check_gradient(fun, x0, args=args, layout=layout), None
    except (InputError, LayoutError, PortError) as exc:
        return None, f"the gradient check could not run: {exc}"


def _consistent_gradient(finding: Finding) -> Finding:
    """An ``optimizer`` error restated once the gradient check has cleared the gradient."""
    if finding.kind != "optimizer" or finding.severity != "error":
        return finding
    head = finding.message.split(". The line search")[0]
    return replace(finding, severity="warning", message=(
        f"{head}. The cost and gradient match the reference at x0 and the gradient check finds them consistent, "
        "so the port is not to blame: the problem is badly scaled or flat for this method (normalize the "
        "features, or try method='CG' / 'BFGS', or a larger gtol)."))


def _new_gradient_findings(grad_report: Report, known: Sequence[Finding]) -> list[Finding]:
    """The gradient check's findings that add something to those already reported.

    When every error it found is of a kind compare (or the capture probe)
    already reported, it only confirms them; otherwise its findings of new
    kinds are attached.
    """
    kinds = {f.kind for f in known}
    errors = {f.kind for f in grad_report.errors}
    if errors and errors <= kinds:
        return []
    return [f for f in grad_report.findings if f.kind not in kinds]


def _gradient_verdict(grad_report: Report) -> str:
    if grad_report.ok:
        return "the gradient is consistent with the cost."
    kinds = ", ".join(sorted({f.kind for f in grad_report.errors}))
    return f"the gradient is inconsistent with the cost ({kinds})."


def _stop_words(run: OptimizerRun) -> str:
    return f"{run.label} stopped after {run.iterations} iterations ({run.message}) at cost {run.cost:.6g}"


@dataclass
class _Judgement:
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    gradient_check: bool = False
    gradient_reason: str = ""


def _barrier(objective: Callable[[np.ndarray], Any], xa: np.ndarray, xb: np.ndarray,
             tol: float) -> dict[str, Any] | None:
    """How far the cost rises above both ends on the segment from ``xa`` to ``xb`` (None: not evaluable).

    Two points in one convex basin see no rise (the cost on the segment stays
    below the larger end); two minima of a non-convex cost are separated by a
    ridge.
    """
    t = np.linspace(0.0, 1.0, SEGMENT_POINTS)
    try:
        costs = np.array([_cost_grad(objective((1 - ti) * xa + ti * xb))[0] for ti in t])
    except Exception:  # noqa: BLE001 - an objective failing off the path is reported elsewhere
        return None
    if not np.all(np.isfinite(costs)):
        return None
    ends = max(costs[0], costs[-1])
    peak = int(np.argmax(costs[1:-1])) + 1
    return {"height": float(costs[peak] - ends), "at": float(t[peak]), "points": SEGMENT_POINTS,
            "costs": costs, "tolerance": tol}


def _judge(oc: OptimizerRun, py: OptimizerRun, x0_ok: bool, captured: bool, cost_rtol: float,
           objective: Callable[[np.ndarray], Any], layout: Layout,
           accuracies: Mapping[str, float] | None) -> _Judgement:
    """Name the difference between two finished runs (the gradient check is decided here, run later)."""
    j = _Judgement()
    tol = _tolerance(oc.cost, cost_rtol)
    gap = py.cost - oc.cost
    decrease = max(float(oc.trajectory[0]) - oc.cost, 0.0)
    far = gap > max(tol, FAR_FRACTION * decrease)
    same = abs(gap) <= tol
    ev = {"octave_cost": oc.cost, "python_cost": py.cost, "difference": gap, "tolerance": tol,
          "octave_decrease": decrease, "python_message": py.message, "python_status": py.status,
          "python_iterations": py.iterations}
    cause = ("" if x0_ok else " The cost or gradient already differs from the reference at x0 (see the findings "
             "above): that, not the optimizer, is the mistake to fix first.")
    acc = ""
    if accuracies:
        acc = " Training accuracy: " + ", ".join(f"{k} {v:.2%}" for k, v in accuracies.items()) + "."

    if captured:
        if not py.converged:
            j.findings.append(Finding(
                "optimizer", "warning",
                f"{_stop_words(py)}: a consequence of the objective ignoring its argument (lambda-capture).",
                evidence=ev))
            j.gradient_check, j.gradient_reason = True, "scipy did not converge"
        return j

    if py.failed:
        j.gradient_check = True
        j.gradient_reason = f"scipy stopped with {py.message!r}"
        abnormal = "ABNORMAL" in py.message.upper()
        line_search = " (ABNORMAL_TERMINATION_IN_LNSRCH in SciPy < 1.15)" if abnormal else ""
        if far or not x0_ok:
            j.findings.append(Finding(
                "optimizer", "error",
                f"{_stop_words(py)}{line_search}, far from the reference's minimum {oc.cost:.6g} "
                f"({oc.label}). The line search found no decrease along the search direction, which happens "
                "when the gradient does not belong to the cost (a sign, a factor, a missing term): see the "
                f"gradient check below.{cause}",
                evidence=ev))
        else:
            j.findings.append(Finding(
                "optimizer", "info",
                f"{_stop_words(py)}{line_search} at the reference's minimum ({oc.cost:.6g}, difference "
                f"{gap:.1e}): the cost cannot decrease by more than its rounding there. Harmless; a larger gtol "
                "ends the run cleanly.",
                evidence=ev))
        return j

    if py.maxiter_reached and far:
        j.gradient_check = True
        j.gradient_reason = "scipy reached maxiter far from the reference's minimum"
        j.findings.append(Finding(
            "optimizer", "warning",
            f"{_stop_words(py)}: maxiter reached with {gap:.3g} of cost still above the reference's "
            f"{oc.cost:.6g} ({gap / decrease if decrease else math.inf:.0%} of the reference's decrease from x0). "
            "A gradient inconsistent with the cost slows every step (see the gradient check); if it is "
            f"consistent, raise maxiter or try another method.{cause}",
            evidence=ev))
        return j

    if not x0_ok:
        if not same:
            j.notes.append(f"The final costs differ by {gap:.3g}: expected, since the two functions already "
                           "differ at x0.")
        return j

    if same:
        j.notes.append(f"Same minimum: the final costs agree to {abs(gap):.1e} (tolerance {tol:.1e} = "
                       f"{COST_ATOL:g} + {cost_rtol:g}·|J|).")
        worst = max(_block_rows(layout, oc.x, py.x), key=lambda r: r[3])
        if worst[3] > PARAM_RTOL:
            j.notes.append(f"The final parameters differ most in block {worst[0]} ({worst[3]:.1%} of its largest "
                           "entry) at the same cost: the cost is flat along those directions (an unregularized "
                           "bias, hidden units in another order), so both answers are minima.")
        return j

    if oc.converged and py.converged or (py.converged and gap > 0):
        barrier = _barrier(objective, py.x, oc.x, tol)
        if barrier is not None and barrier["height"] > tol:
            better = "lower" if gap < 0 else "higher"
            j.findings.append(Finding(
                "local-minimum", "info",
                f"Both optimizers stopped at a minimum, PYTHON's cost {py.cost:.6g} is {better} than OCTAVE's "
                f"{oc.cost:.6g} (difference {gap:.3g}), and the cost rises by {barrier['height']:.3g} between the "
                "two points: a non-convex problem reached another local minimum from the same x0 by another "
                f"algorithm. The cost and gradient match at x0, so this is not a porting mistake.{acc}",
                evidence={**ev, "barrier": barrier}))
            return j
        if barrier is not None:
            higher = py if gap > 0 else oc
            j.notes.append(
                f"The final costs differ by {gap:.3g}, but the cost never rises on the segment between the two "
                f"points: one basin, and {higher.label} stopped {abs(gap):.3g} above its bottom (max|grad| "
                f"{higher.grad_max:.1e}; {higher.message}). A stopping-rule difference, not the port (it matches "
                "at x0); lower gtol/ftol to compare minima more tightly."
            )
            return j

    who = [r.label for r in (oc, py) if r.maxiter_reached]
    j.notes.append(
        f"{' and '.join(who) or 'A side'} stopped at maxiter: the final costs differ by {gap:.3g} because the "
        "algorithms progress differently per iteration, not because of the port (it matches at x0). Raise "
        "maxiter to compare minima."
    )
    return j


# ----------------------------------------------------------------------------
# plotting


def _plot(runs: Sequence[OptimizerRun], title: str) -> bytes:
    """PNG of the cost trajectories of both sides."""
    from .plots import cost_curves_png

    return cost_curves_png([(r.label, r.side, r.trajectory) for r in runs], title)


# ----------------------------------------------------------------------------
# public API


def _validate(method: str, maxiter: int, octave_optimizer: str, gtol: float, cost_rtol: float) -> None:
    if not isinstance(method, str) or method.lower() not in _GRADIENT_METHODS:
        known = ", ".join(sorted(_GRADIENT_METHODS))
        raise InputError(f"method must be a SciPy method that uses the gradient ({known}), got {method!r}; "
                         "the comparison calls minimize(..., jac=True).")
    if isinstance(maxiter, bool) or not isinstance(maxiter, (int, np.integer)) or maxiter < 1:
        raise InputError(f"maxiter must be a positive integer, got {maxiter!r}.")
    if octave_optimizer not in OCTAVE_OPTIMIZERS:
        raise InputError(f"octave_optimizer must be one of {OCTAVE_OPTIMIZERS}, got {octave_optimizer!r}.")
    for name, v in (("gtol", gtol), ("cost_rtol", cost_rtol)):
        if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
            raise InputError(f"{name} must be a positive number, got {v!r}.")


def _accuracy_fn(accuracy: Callable[[np.ndarray], float] | None, labels: Any,
                 predict: Callable[[np.ndarray], Any] | None) -> Callable[[np.ndarray], float] | None:
    if accuracy is not None:
        if not callable(accuracy):
            raise InputError("accuracy must be a callable accuracy(x) -> fraction correct.")
        return accuracy
    if labels is None:
        return None
    if predict is None or not callable(predict):
        raise InputError("labels= needs predict=: a callable predict(x) returning one label per example.")
    truth = np.asarray(labels).reshape(-1)
    return lambda x: float(np.mean(np.asarray(predict(x)).reshape(-1) == truth))


def compare_minimize(
    function: str,
    port: Callable[..., Any] | str,
    x0: Any,
    args: Sequence[Any] = (),
    *,
    octave: Octave | None = None,
    method: str = "L-BFGS-B",
    maxiter: int = 100,
    octave_optimizer: str = "fmincg",
    layout: Layout | Sequence[tuple[str, Sequence[int]]] | Mapping[str, Sequence[int]] | None = None,
    objective: Callable[[np.ndarray], Any] | None = None,
    python_args: Sequence[Any] | None = None,
    plot: bool = False,
    gtol: float = DEFAULT_GTOL,
    options: Mapping[str, Any] | None = None,
    accuracy: Callable[[np.ndarray], float] | None = None,
    labels: Any = None,
    predict: Callable[[np.ndarray], Any] | None = None,
    cost_rtol: float = COST_RTOL,
    timeout: float | None = None,
    wrt: int = 0,
) -> Report:
    """Minimize the reference in Octave and the port with SciPy from the same x0, and explain the difference.

    Parameters
    ----------
    function : str
        Octave function ``[J, grad] = function(x, args...)`` (folder-qualified
        when ambiguous, ``"ex4/nnCostFunction"``).
    port : callable or str
        The Python port ``port(x, *args) -> (J, grad)``, or ``"module:function"``.
    x0 : array_like, shape (n,)
        Start point of both runs. Never modified. A 2-D x0 is reported
        (``shape``; SciPy rejects it) and unrolled column-major to run.
    args : sequence
        The other arguments, for both sides unless ``python_args`` is given;
        ``x`` goes before them, or at position ``wrt``.
    octave : Octave, optional
        Session to use; by default a temporary one is started and closed.
    method : str, default "L-BFGS-B"
        SciPy method, called with ``jac=True``.
    maxiter : int, default 100
        Iteration limit of both optimizers (fmincg's and fminunc's ``MaxIter``).
    octave_optimizer : {"fmincg", "fminunc"}
        fmincg (the course's conjugate gradients) or Octave's fminunc with
        ``GradObj`` on.
    layout : Layout or list of (name, shape), optional
        Blocks of x, for the per-block comparison of the final parameters.
    objective : callable, optional
        The user's own ``J(x) -> (cost, grad)`` (e.g. a lambda) if they built
        one: SciPy minimizes it instead of ``port(x, *args)``; it is checked
        for ignoring its argument, dynamically and with lint's
        ``lambda-capture`` rule.
    python_args : sequence, optional
        Different extra arguments for the port.
    plot : bool, default False
        Attach a PNG of both cost curves as ``report.figures["cost curves"]``
        (needs matplotlib).
    gtol : float, default :data:`DEFAULT_GTOL`
        Both sides stop once ``max|grad| <= gtol`` (SciPy's ``gtol``, fmincg's
        and fminunc's ``TolFun``).
    options : mapping, optional
        More SciPy options (override ``maxiter`` / ``gtol``).
    accuracy : callable, optional
        ``accuracy(x) -> fraction`` of the training set classified right; both
        final parameter vectors are scored with it.
    labels, predict : optional
        Instead of ``accuracy``: true labels and ``predict(x) -> labels``.
    cost_rtol : float, default :data:`COST_RTOL`
        Final costs within ``COST_ATOL + cost_rtol * |J_octave|`` are the same minimum.
    timeout : float, optional
        Seconds allowed for the Octave optimization.
    wrt : int, default 0
        Position of the parameter vector among the arguments, for functions
        written ``linearRegCostFunction(X, y, theta, lambda)`` (``wrt=2``):
        ``args`` then holds the others in order, and both optimizers vary
        that argument.

    Returns
    -------
    Report
        ``check="minimize"``. Findings: those of :func:`portcheck.compare` at
        x0, ``lambda-capture``, ``optimizer`` (with the findings of an
        automatic gradient check when SciPy failed), ``shape``,
        ``local-minimum`` (info). Tables: each side's outcome, the sampled
        cost trajectories, the final parameters per block, the comparison at
        x0. ``details`` holds both full trajectories and final points.

    Notes
    -----
    Stopping rules: both sides run at most ``maxiter`` iterations and stop when
    ``max|grad| <= gtol``; fmincg also stops when its line search finds no
    further decrease, L-BFGS-B when the relative decrease falls below its
    ``ftol`` (2.2e-9). A port that stopped at ``maxiter`` is compared with
    :data:`FAR_FRACTION`; converged runs with :data:`COST_RTOL`.

    Examples
    --------
    >>> rep = compare_minimize("nnCostFunction", nn_cost_function, x0,          # doctest: +SKIP
    ...                        args=(3, 5, 3, X, y, 1.0), octave=oc, maxiter=50,
    ...                        layout=[("Theta1", (5, 4)), ("Theta2", (3, 6))])
    >>> rep.ok                                                                  # doctest: +SKIP
    True
    """
    _validate(method, maxiter, octave_optimizer, gtol, cost_rtol)
    fn, port_name = load_port(port)
    named_fn = fn
    if not isinstance(wrt, (int, np.integer)) or isinstance(wrt, bool) or not 0 <= wrt <= len(args):
        raise InputError(f"wrt must be the position of the parameters among the arguments (0..{len(args)}), "
                         f"got {wrt!r}.")
    wrt = int(wrt)
    if wrt:
        fn = _x_first(fn, wrt)
    if not isinstance(function, str) or not function:
        raise InputError(f"function must be the name of an Octave function, got {function!r}.")
    for name, value in (("args", args), ("python_args", python_args)):
        if value is not None and (isinstance(value, (str, bytes, np.ndarray)) or not isinstance(value, Sequence)):
            raise InputError(f"{name} must be a tuple of the arguments after x, e.g. {name}=(X, y, lam).")
    if objective is not None and not callable(objective):
        raise InputError("objective must be a callable J(x) -> (cost, grad).")
    score = _accuracy_fn(accuracy, labels, predict)

    ev = _Evidence()
    x = _as_vector(x0, ev)
    lay = as_layout(layout)
    if lay is not None and lay.size != x.size:
        raise LayoutError(f"The layout describes {lay.size} elements ({lay!r}) but x0 has {x.size}; check the "
                          "block shapes and their order.")
    blocks = lay or Layout([("x", (x.size,))])
    oc_args = tuple(args)
    py_args = _copy_args(python_args if python_args is not None else args)

    def port_objective(v: np.ndarray) -> Any:
        return fn(v, *py_args)

    target = objective if objective is not None else port_objective
    who = "the objective" if objective is not None else "the port"
    title = f"{function}  vs  {port_name}: {octave_optimizer} vs scipy {method}"

    own = octave is None
    oc = Octave() if own else octave
    try:
        # 1. The functions themselves, at the start point.
        cmp = compare(function, named_fn, (*oc_args[:wrt], x.copy(), *oc_args[wrt:]), octave=oc, layout=lay,
                      python_args=(*py_args[:wrt], x.copy(), *py_args[wrt:]), outputs=("J", "grad"), wrt=wrt,
                      timeout=timeout)
        cmp_kinds = cmp.kinds
        x0_ok = cmp.ok
        findings: list[Finding] = list(cmp.findings)
        tables: list[Table] = []
        python_broken = "python-error" in cmp_kinds
        octave_broken = "octave-error" in cmp_kinds

        # 2. What scipy will see: shapes, the objective's relation to x.
        base = None
        captured = False
        if not python_broken:
            try:
                raw = target(x.copy())
                base = _cost_grad(raw)
                _output_shapes(raw, x.size, who, ev)
            except Exception as exc:  # noqa: BLE001 - the objective's own error is the finding
                ev.findings.append(_python_error(exc, who))
        if base is not None:
            if objective is None:
                _column_arguments(fn, x, py_args, base, ev)
            dynamic = _probe_capture(target, x, base)
            static = _static_capture([objective] if objective is not None else [fn])
            if objective is not None and dynamic is None:
                _objective_vs_port(objective, fn, x, py_args, base, ev)
            if dynamic is not None and objective is None and "lambda-capture" in cmp_kinds:
                ev.notes.append("scipy would see a constant cost: the port ignores its parameter vector "
                                "(lambda-capture above).")
                captured = True
            else:
                f = _capture_finding(dynamic, static, who)
                if f is not None:
                    ev.findings.append(f)
                    captured = dynamic is not None

        # 3. The two optimizations.
        oc_run = py_run = None
        octave_file = ""
        if not octave_broken:
            try:
                oc_run, octave_file = _run_octave(oc, function, x, oc_args, octave_optimizer, maxiter, gtol,
                                                  timeout, wrt=wrt)
            except OctaveError as exc:
                ev.findings.append(Finding("octave-error", "error",
                                           f"the Octave optimization ({octave_optimizer}) failed: {exc}"))
        if base is not None:
            try:
                py_run, _ = _run_scipy(target, x, method, maxiter, gtol, options)
            except Exception as exc:  # noqa: BLE001 - scipy or the port raised: that is the finding
                ev.findings.append(_python_error(exc, f"scipy.optimize.minimize on {who}"))
        if captured and py_run is not None and py_run.iterations <= 1:
            ev.notes.append(f"scipy returned after {py_run.iterations} iteration(s) with x "
                            f"{'equal to' if np.array_equal(py_run.x, x) else 'close to'} x0 "
                            f"({py_run.message}).")

        # 4. Legitimate difference or mistake.
        accuracies: dict[str, float] = {}
        if score is not None:
            for r in (oc_run, py_run):
                if r is not None:
                    accuracies[r.side] = float(score(r.x.copy()))
        grad_report = None
        if oc_run is not None and py_run is not None:
            judgement = _judge(oc_run, py_run, x0_ok, captured, cost_rtol, target, blocks, accuracies)
            ev.notes += judgement.notes
            if judgement.gradient_check:
                grad_report, why_not = _gradient_check(target if objective is not None else fn, x,
                                                       () if objective is not None else py_args, lay)
            if grad_report is not None and grad_report.ok and x0_ok:
                judgement.findings = [_consistent_gradient(f) for f in judgement.findings]
            findings += judgement.findings
            if judgement.gradient_check:
                if grad_report is not None:
                    findings += _new_gradient_findings(grad_report, findings + ev.findings)
                    ev.notes.append(f"Gradient check at x0 run automatically ({judgement.gradient_reason}): "
                                    + _gradient_verdict(grad_report))
                else:
                    ev.notes.append(str(why_not))
        elif py_run is not None and py_run.failed:
            findings.append(Finding("optimizer", "error", f"{_stop_words(py_run)}.",
                                    evidence={"message": py_run.message, "status": py_run.status}))

        runs = [r for r in (oc_run, py_run) if r is not None]
        if runs:
            tables.append(_outcome_table(runs))
            tables.append(_trajectory_table(oc_run, py_run))
        if oc_run is not None and py_run is not None:
            tables.append(Table(
                title="Final parameters by block: PYTHON - OCTAVE (rel = max abs diff / the block's largest "
                      "|OCTAVE| entry)",
                columns=("block", "shape", "max abs diff", "max rel diff"),
                rows=_block_rows(blocks, oc_run.x, py_run.x)))
        if accuracies:
            tables.append(Table(title="Training accuracy of the final parameters",
                                columns=("side", "accuracy"),
                                rows=tuple((k, v) for k, v in accuracies.items())))
        tables += [replace(t, title=f"At x0 (compare): {t.title}") for t in cmp.tables]
        notes = ev.notes + [f"at x0 (compare): {n}" for n in cmp.notes]
        if octave_file:
            notes.append(f"reference: {octave_file}")

        figures: dict[str, bytes] = {}
        if plot and runs:
            figures["cost curves"] = _plot(runs, f"{function}: {octave_optimizer} vs scipy {method}")

        details = {
            "function": function, "port": port_name, "method": method, "octave_optimizer": octave_optimizer,
            "maxiter": int(maxiter), "gtol": float(gtol), "x0": x,
            "tolerances": {"cost_rtol": cost_rtol, "cost_atol": COST_ATOL, "far_fraction": FAR_FRACTION},
            "octave": oc_run.to_dict() if oc_run is not None else None,
            "python": py_run.to_dict() if py_run is not None else None,
            "accuracy": accuracies or None,
            "compare": {"ok": cmp.ok, "kinds": sorted(cmp_kinds)},
            "gradient_check": grad_report.to_dict() if grad_report is not None else None,
        }
        # compare already names a cost or gradient of the wrong shape at x0.
        compared = {f.output for f in cmp.findings if f.kind == "shape"}
        own_findings = [f for f in ev.findings if not (f.kind == "shape" and f.output in compared)]
        return Report(check="minimize", title=title, findings=merge_findings(findings, own_findings),
                      tables=tuple(tables), notes=tuple(notes), details=details, figures=figures)
    finally:
        if own:
            oc.close()


def _python_error(exc: BaseException, who: str) -> Finding:
    tb = traceback.extract_tb(exc.__traceback__)
    where = f" ({tb[-1].filename}, line {tb[-1].lineno})" if tb else ""
    text = str(exc)
    kind = "shape" if "dimension" in text or "shape" in text or "broadcast" in text else "python-error"
    return Finding(kind, "error", f"{who} raised {type(exc).__name__}: {text}{where}",
                   evidence={"error": type(exc).__name__})


def _objective_vs_port(objective: Callable[..., Any], fn: Callable[..., Any], x: np.ndarray, py_args: tuple,
                       base: tuple[float, np.ndarray], ev: _Evidence) -> None:
    """A finding when the user's objective does not evaluate the (checked) port at its argument."""
    try:
        J_port, g_port = _cost_grad(fn(x.copy(), *_copy_args(py_args)))
    except Exception:  # noqa: BLE001 - compare reports the port's own errors
        return
    J_obj, g_obj = base
    same = (np.isclose(J_obj, J_port, rtol=1e-10, atol=1e-14) and g_obj.size == g_port.size
            and np.allclose(g_obj.reshape(-1), g_port.reshape(-1), rtol=1e-10, atol=1e-14))
    if not same:
        ev.findings.append(Finding(
            "mismatch", "error",
            f"objective(x0) gives cost {J_obj:.6g}, but the port at x0 gives {J_port:.6g}: the objective does "
            "not evaluate the port at the optimizer's point (other arguments, another function, a stale "
            "theta). Build it as `lambda x: port(x, *args)`.",
            output="J", evidence={"objective_cost": J_obj, "port_cost": J_port},
        ))


def check_minimize_result(
    result: Any,
    fun: Callable[..., Any],
    x0: Any,
    args: Sequence[Any] = (),
    layout: Layout | Sequence[tuple[str, Sequence[int]]] | Mapping[str, Sequence[int]] | None = None,
) -> Report:
    """Explain a finished ``scipy.optimize.minimize`` run after the fact (no Octave needed).

    Parameters
    ----------
    result : OptimizeResult
        What ``minimize(fun, x0, args=args, jac=True, ...)`` returned.
    fun : callable
        The function minimized, ``fun(x, *args) -> (cost, grad)``.
    x0 : array_like
        The start point passed to ``minimize``.
    args : sequence
        The ``args`` passed to ``minimize``.
    layout : Layout or list of (name, shape), optional
        Blocks of x, for the attached gradient check.

    Returns
    -------
    Report
        ``check="minimize"``. ``optimizer`` when the run failed (e.g.
        ``ABNORMAL_TERMINATION_IN_LNSRCH``) or hit its iteration limit, with
        the findings of a gradient check at x0 that say whether the gradient
        is to blame; ``lambda-capture`` when ``fun`` ignores its argument;
        ``shape`` for a 2-D x0, a non-scalar cost, a gradient that is not
        ``(n,)`` or an (m, 1) column argument that changes the result.

    Examples
    --------
    >>> res = minimize(cost, theta0, args=(X, y), jac=True, method="L-BFGS-B")  # doctest: +SKIP
    >>> print(check_minimize_result(res, cost, theta0, args=(X, y)))             # doctest: +SKIP
    """
    if not callable(fun):
        raise InputError("fun must be the callable that was minimized, fun(x, *args) -> (cost, grad).")
    if isinstance(args, (str, bytes, np.ndarray)) or not isinstance(args, Sequence):
        raise InputError("args must be the tuple passed to minimize, e.g. args=(X, y, lam).")
    for attr in ("x", "success", "message"):
        if not (hasattr(result, attr) or (isinstance(result, Mapping) and attr in result)):
            raise InputError(f"result must be the OptimizeResult minimize returned; it has no {attr!r}.")

    def get(name: str, default: Any = None) -> Any:
        if isinstance(result, Mapping):
            return result.get(name, default)
        return getattr(result, name, default)

    ev = _Evidence()
    x = _as_vector(x0, ev)
    lay = as_layout(layout)
    py_args = _copy_args(args)
    name = getattr(fun, "__qualname__", None) or getattr(fun, "__name__", None) or repr(fun)
    x_final = np.asarray(get("x"), dtype=np.float64).reshape(-1)
    message = str(get("message", "")).strip()
    success = bool(get("success"))
    nit = get("nit")
    nfev = get("nfev")
    findings: list[Finding] = []

    def objective(v: np.ndarray) -> Any:
        return fun(v, *py_args)

    try:
        raw = objective(x.copy())
        base = _cost_grad(raw)
    except Exception as exc:  # noqa: BLE001
        findings.append(_python_error(exc, name))
        return Report(check="minimize", title=f"minimize result of {name}", findings=tuple(findings),
                      notes=tuple(ev.notes))
    _output_shapes(raw, x.size, name, ev)
    _column_arguments(fun, x, py_args, base, ev)
    dynamic = _probe_capture(objective, x, base)
    static = _static_capture([fun])
    moved = x_final.size != x.size or not np.array_equal(x_final, x)
    J0, g0 = base
    try:
        J_end, g_end = _cost_grad(objective(x_final.copy())) if x_final.size == x.size else (math.nan, g0)
    except Exception:  # noqa: BLE001
        J_end, g_end = math.nan, np.full_like(g0, math.nan)
    gmax0 = float(np.max(np.abs(g0))) if g0.size else 0.0
    gmax_end = float(np.max(np.abs(g_end))) if np.size(g_end) else 0.0

    cap = _capture_finding(dynamic, static, name)
    if cap is not None:
        ev.findings.append(cap)
    grad_report = None
    limit = _says_iteration_limit(message)
    stuck = not moved and gmax0 > DEFAULT_GTOL
    if stuck and success:
        ev.notes.append(f"minimize reports success but returned x0 unchanged although max|grad| at x0 is "
                        f"{gmax0:.3g}: check that the objective uses its argument and that gtol is not too large.")
    if not success:
        grad_report, why_not = _gradient_check(fun, x, py_args, lay)
        bad_gradient = grad_report is not None and not grad_report.ok
        line_search = _is_line_search_failure(message)
        what = ("the line search failed (ABNORMAL_TERMINATION_IN_LNSRCH / 'ABNORMAL' in SciPy >= 1.15)"
                if line_search else "the iteration limit was reached" if limit else f"it failed ({message})")
        if stuck:
            what += f", returning x0 unchanged after {nit} iterations although max|grad| there is {gmax0:.3g}"
        evidence = {"message": message, "status": get("status"), "nit": nit, "nfev": nfev, "cost_x0": J0,
                    "cost_final": J_end, "grad_max_x0": gmax0, "grad_max_final": gmax_end}
        if bad_gradient:
            ev.findings.append(Finding(
                "optimizer", "error",
                f"minimize stopped because {what}: the gradient does not belong to the cost (gradient check "
                "findings below), so the search direction is not a descent direction or the step test fails. "
                "Fix the gradient; the optimizer is fine.",
                evidence=evidence))
        elif cap is not None and dynamic is not None:
            ev.findings.append(Finding(
                "optimizer", "warning",
                f"minimize stopped because {what}: a consequence of {name} ignoring its argument "
                "(lambda-capture).", evidence=evidence))
        elif limit:
            ev.findings.append(Finding(
                "optimizer", "warning",
                f"minimize stopped because {what} with max|grad| = {gmax_end:.3g} (from {gmax0:.3g} at x0); the "
                "gradient is consistent: raise maxiter (options={'maxiter': ...}).",
                evidence=evidence))
        elif gmax0 > 0 and gmax_end <= 1e-3 * gmax0:
            ev.findings.append(Finding(
                "optimizer", "info",
                f"minimize stopped because {what}, but max|grad| fell from {gmax0:.3g} to {gmax_end:.3g} and the "
                "gradient is consistent: the run is at a minimum, where the cost cannot decrease by more than "
                "its rounding. Harmless; a larger gtol ends it cleanly.",
                evidence=evidence))
        else:
            ev.findings.append(Finding(
                "optimizer", "warning",
                f"minimize stopped because {what} with max|grad| = {gmax_end:.3g} (from {gmax0:.3g} at x0), "
                "although the gradient is consistent with the cost: the problem may be badly scaled "
                "(normalize the features) or non-smooth; try another method.",
                evidence=evidence))
        if grad_report is not None:
            findings += list(grad_report.findings)
        elif why_not:
            ev.notes.append(why_not)

    table = Table(
        title="Optimizer outcome",
        columns=("quantity", "value"),
        rows=(("message", message), ("success", success), ("iterations", nit), ("evaluations", nfev),
              ("cost at x0", J0), ("final cost", J_end), ("max |grad| at x0", gmax0),
              ("final max |grad|", gmax_end), ("x moved from x0", moved)),
    )
    tables = [table]
    if grad_report is not None:
        tables += [replace(t, title=f"Gradient check at x0: {t.title}") for t in grad_report.tables]
        ev.notes.append("Gradient check at x0 run automatically because minimize did not succeed: "
                        + _gradient_verdict(grad_report))
    details = {
        "message": message, "success": success, "status": get("status"), "nit": nit, "nfev": nfev,
        "cost_x0": J0, "cost_final": J_end, "grad_max_x0": gmax0, "grad_max_final": gmax_end,
        "x0": x, "x": x_final,
        "gradient_check": grad_report.to_dict() if grad_report is not None else None,
    }
    return Report(check="minimize", title=f"minimize result of {name}",
                  findings=merge_findings(findings, ev.findings), tables=tuple(tables), notes=tuple(ev.notes),
                  details=details)


# ----------------------------------------------------------------------------
# the demo: a digits network trained in both languages


#: Images of ``load_digits`` used by :func:`train_digits`: the first 600 of
#: 1797 (every class appears ~60 times), enough to train in about a second
#: per side.
DIGITS_SUBSET = 600


def train_digits(
    octave: Octave,
    hidden_layer_size: int = 25,
    maxiter: int = 50,
    lambda_: float = 1.0,
    n_images: int = DIGITS_SUBSET,
    method: str = "L-BFGS-B",
    plot: bool = False,
) -> Report:
    """Train the 64-h-10 network on scikit-learn's digits in Octave (fmincg) and Python (SciPy).

    Parameters
    ----------
    octave : Octave
        The session running ``nnCostFunction``, ``fmincg`` and ``ex4/predict``.
    hidden_layer_size : int, default 25
    maxiter : int, default 50
        Iterations of both optimizers (the course's ex4 uses 50).
    lambda_ : float, default 1.0
        Regularization strength.
    n_images : int, default :data:`DIGITS_SUBSET`
        The first ``n_images`` of the 1797 8×8 images (shipped with
        scikit-learn, no download). Pixels 0..16 are scaled to [0, 1]; labels
        0..9 become 1..10, as the course labels digits.
    method : str, default "L-BFGS-B"
        SciPy method for the port.
    plot : bool, default False
        Attach the cost curves.

    Returns
    -------
    Report
        :func:`compare_minimize`'s report of ``nnCostFunction`` against
        :func:`portcheck.examples.ex4.nn_cost_function`, both started from
        debug-initialized weights (:func:`portcheck.debug_weights`), plus a
        table of the two training accuracies: Octave's ``ex4/predict`` on the
        weights fmincg found, :func:`portcheck.examples.ex4.predict` on the
        weights SciPy found. ``details["accuracy"]`` holds them.
    """
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise InputError("train_digits needs scikit-learn for its digits data (shipped with it, no download): "
                         "pip install scikit-learn.") from None
    from .examples.ex4 import nn_cost_function, predict

    h = int(hidden_layer_size)
    if h < 1:
        raise InputError(f"hidden_layer_size must be a positive integer, got {hidden_layer_size!r}.")
    digits = load_digits()
    n_images = int(min(max(n_images, 10), digits.data.shape[0]))
    X = digits.data[:n_images].astype(np.float64) / 16.0
    y = digits.target[:n_images].astype(np.float64) + 1.0  # label 10 is the digit 9, label 1 the digit 0
    n, k = X.shape[1], 10
    Theta1, Theta2 = debug_weights(h, n), debug_weights(k, h)
    x0 = np.concatenate([Theta1.ravel(order="F"), Theta2.ravel(order="F")])
    layout = Layout([("Theta1", (h, n + 1)), ("Theta2", (k, h + 1))])
    args = (n, h, k, X, y, float(lambda_))

    rep = compare_minimize("nnCostFunction", nn_cost_function, x0, args=args, octave=octave, method=method,
                           maxiter=maxiter, octave_optimizer="fmincg", layout=layout, plot=plot)
    accuracy: dict[str, float] = {}
    rows = []
    for side in ("octave", "python"):
        run = rep.details.get(side)
        if run is None:
            continue
        blocks = layout.split(np.asarray(run["x"]))
        if side == "octave":
            p = np.asarray(octave.call("ex4/predict", blocks["Theta1"], blocks["Theta2"], X)).reshape(-1)
            who = "OCTAVE (fmincg, ex4/predict)"
        else:
            p = predict(blocks["Theta1"], blocks["Theta2"], X)
            who = f"PYTHON (scipy {method}, examples.ex4.predict)"
        accuracy[side.upper()] = float(np.mean(p == y))
        rows.append((who, run["cost"], run["iterations"], accuracy[side.upper()]))
    table = Table(
        title=f"Digits {n}-{h}-{k}, first {n_images} of 1797 images, lambda {lambda_:g}, maxiter {maxiter}: "
              "training accuracy",
        columns=("side", "final cost", "iterations", "training accuracy"),
        rows=tuple(rows),
    )
    details = dict(rep.details)
    details["accuracy"] = accuracy
    details["data"] = {"images": n_images, "of": int(digits.data.shape[0]), "scaled": "pixels / 16",
                       "labels": "digit + 1"}
    notes = list(rep.notes)
    if len(accuracy) == 2:
        notes.insert(0, f"Training accuracy OCTAVE {accuracy['OCTAVE']:.2%} vs PYTHON {accuracy['PYTHON']:.2%} "
                        f"(difference {abs(accuracy['OCTAVE'] - accuracy['PYTHON']):.2%}).")
    return replace(rep, title=f"digits network {n}-{h}-{k}: " + rep.title, tables=(table, *rep.tables),
                   notes=tuple(notes), details=details)
