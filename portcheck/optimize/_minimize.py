"""The public entry point :func:`compare_minimize`: both optimizers from one ``x0``, explained.

It validates the arguments, compares the functions at ``x0`` with
:func:`portcheck.compare`, gathers the Python-side evidence, runs both
optimizers, has the runs judged and assembles the :class:`~portcheck.Report`.
The steps themselves live in the sibling modules; this one holds their order.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from ..compare import compare, load_port
from ..errors import InputError, LayoutError, OctaveError
from ..inputs import Layout, as_layout
from ..octave import Octave
from ..report import Finding, Report, Table, merge_findings
from ._evidence import (
    _as_vector,
    _capture_finding,
    _column_arguments,
    _copy_args,
    _Evidence,
    _objective_vs_port,
    _output_shapes,
    _probe_capture,
    _python_error,
    _static_capture,
)
from ._judge import _consistent_gradient, _gradient_check, _gradient_verdict, _judge, _new_gradient_findings, _stop_words
from ._reporting import _block_rows, _outcome_table, _plot, _trajectory_table
from .._contain import contained
from ._runs import OCTAVE_OPTIMIZERS, _cost_grad, _run_octave, _run_scipy, _x_first
from ._tolerances import COST_ATOL, COST_RTOL, DEFAULT_GTOL, FAR_FRACTION

# SciPy methods that use a gradient: jac=True makes sense for them only.
_GRADIENT_METHODS = {"cg", "bfgs", "newton-cg", "l-bfgs-b", "tnc", "slsqp", "trust-constr"}


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


def _x0_not_repeated(x: np.ndarray, wrt: int, named: Sequence[tuple[str, Any]]) -> None:
    """``compare`` takes the parameters among its arguments, ``compare_minimize`` apart as ``x0``:
    an ``args`` whose argument at ``wrt`` is ``x0`` again (copied from a ``compare`` call) would shift
    every argument by one, and both sides would fail with a confusing "too many inputs"."""
    for name, value in named:
        if value is None or len(value) <= wrt or x.size < 2:
            continue
        a = value[wrt]
        if isinstance(a, np.ndarray) and a.size == x.size and np.array_equal(a.reshape(-1, order="F"), x):
            rest = f"{name}[1:]" if wrt == 0 else f"{name}[:{wrt}] + {name}[{wrt + 1}:]"
            raise InputError(
                f"{name}[{wrt}] is x0 itself: compare_minimize passes x0 to the function and {name}= holds only "
                f"the other arguments (compare's args include the parameters, compare_minimize's do not). "
                f"Drop it: {name}={rest}.")


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
    _x0_not_repeated(x, wrt, (("args", args), ("python_args", python_args)))
    oc_args = tuple(args)
    py_args = _copy_args(python_args if python_args is not None else args)

    def port_objective(v: np.ndarray) -> Any:
        return fn(v, *py_args)

    who = "the objective" if objective is not None else "the port"
    target = contained(objective if objective is not None else port_objective, who)
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
