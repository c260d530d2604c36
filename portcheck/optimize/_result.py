"""The public entry point :func:`check_minimize_result`: a finished SciPy run explained, no Octave.

It reads an ``OptimizeResult`` after the fact, gathers the same Python-side
evidence as :func:`portcheck.compare_minimize` (shapes, an objective that
ignores its argument) and, when the run did not succeed, runs a gradient
check at ``x0`` to say whether the gradient or the problem is to blame.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from .._contain import contained
from ..errors import InputError
from ..inputs import Layout, as_layout
from ..report import Finding, Report, Table, merge_findings
from ._evidence import (
    _as_vector,
    _capture_finding,
    _column_arguments,
    _copy_args,
    _Evidence,
    _output_shapes,
    _probe_capture,
    _python_error,
    _static_capture,
)
from ._judge import _gradient_check, _gradient_verdict
from ._runs import _cost_grad, _is_line_search_failure, _says_iteration_limit
from ._tolerances import DEFAULT_GTOL

def _lbfgsb_tuple(result: Any) -> Any:
    """``fmin_l_bfgs_b``'s ``(x, f, d)`` as the fields of an ``OptimizeResult``; anything else unchanged.

    The older interface (still what many course ports call) reports its outcome
    in ``d``: ``warnflag`` 0 converged, 1 too many iterations, 2 stopped for the
    reason in ``task`` (e.g. ``ABNORMAL_TERMINATION_IN_LNSRCH``).
    """
    if not (isinstance(result, (tuple, list)) and len(result) == 3 and isinstance(result[2], Mapping)
            and "warnflag" in result[2]):
        return result
    x, f, d = result
    task = d.get("task", "")
    if isinstance(task, (bytes, bytearray)):
        task = task.decode(errors="replace")
    return {"x": x, "fun": f, "success": d["warnflag"] == 0, "status": d["warnflag"], "message": str(task),
            "nit": d.get("nit"), "nfev": d.get("funcalls"), "jac": d.get("grad")}


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
    result : OptimizeResult or tuple
        What ``minimize(fun, x0, args=args, jac=True, ...)`` returned, or the
        ``(x, f, d)`` tuple of ``fmin_l_bfgs_b(fun, x0, args=args)`` (its
        ``d['task']`` is read as the message, ``d['warnflag'] == 0`` as success).
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
    result = _lbfgsb_tuple(result)
    if not callable(fun):
        raise InputError("fun must be the callable that was minimized, fun(x, *args) -> (cost, grad).")
    if isinstance(args, (str, bytes, np.ndarray)) or not isinstance(args, Sequence):
        raise InputError("args must be the tuple passed to minimize, e.g. args=(X, y, lam).")
    for attr in ("x", "success", "message"):
        if not (hasattr(result, attr) or (isinstance(result, Mapping) and attr in result)):
            raise InputError(f"result must be the OptimizeResult minimize returned (or the (x, f, d) tuple of "
                             f"fmin_l_bfgs_b); it has no {attr!r}.")

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

    @contained
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
        # An objective that ignores x fails any gradient check too: the capture is the cause.
        if cap is not None and dynamic is not None:
            ev.findings.append(Finding(
                "optimizer", "warning",
                f"minimize stopped because {what}: a consequence of {name} ignoring its argument "
                "(lambda-capture).", evidence=evidence))
        elif bad_gradient:
            ev.findings.append(Finding(
                "optimizer", "error",
                f"minimize stopped because {what}: the gradient does not belong to the cost (gradient check "
                "findings below), so the search direction is not a descent direction or the step test fails. "
                "Fix the gradient; the optimizer is fine.",
                evidence=evidence))
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
            # The capture is already one finding; the check's own reading of it would repeat it.
            findings += [f for f in grad_report.findings if not (cap is not None and f.kind == "lambda-capture")]
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
