"""Evidence gathered on the Python side before and around SciPy's run.

What SciPy will see when it calls the objective: an ``x0`` it cannot use, a
cost that is not a scalar, a gradient that is not ``(n,)``, an ``(m, 1)``
label column that broadcasts, an objective that ignores its argument
(probed dynamically and with lint's ``lambda-capture`` rule), an objective
that does not evaluate the port, or the port raising. Both public entry
points collect these the same way, so they live here once.
"""

from __future__ import annotations

import inspect
import math
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import InputError, PortError
from ..lint import lint_object
from ..report import Finding
from ._runs import _cost_grad

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
