"""Gradient checking that scales and explains.

:func:`check_gradient` compares an analytic gradient with numerical
derivatives of the cost, for a Python function or — in one Octave call — for
an Octave function, and returns a :class:`~portcheck.report.Report` whose
findings say *why* a gradient is wrong: a constant factor, a sign, the unroll
order, swapped blocks, regularization of the bias, an objective that ignores
its argument, an input modified in place, randomness, float32 limits.

Small problems are checked element by element; large ones along random
directions restricted to each layout block plus a stratified sample of
elements, so the number of evaluations does not grow with n.
"""

from __future__ import annotations

import inspect
import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from ..diagnose.matlab import report_in_matlab
from ..diagnose.failures import traceback_summary
from ..errors import InputError, LayoutError, OctaveError
from ..inputs import Layout, as_layout
from ..loading import load_callable
from ..report import Report
from ._explain import constants_context, fun_label
from ._precision import Precision, working_precision
from ._probes import plan_probes, plan_sweeps
from ._progress import Progress
from ._python import collect_python
from ._report import build_report, error_report
from ._search import plan_search
from ._static import octave_param_names, static_findings
from ._target import FunctionFailed, PythonTarget
from ._verdict import taylor_steps

__all__ = ["check_gradient", "assert_gradient", "METHODS"]

#: Ways to get the numerical derivative (scipy ``_numdiff``-style names).
METHODS: dict[str, str] = {
    "auto": "complex step where the function is complex-safe (tried per block), else central differences; "
            "Richardson extrapolation for probes that stay ambiguous",
    "central": "central differences, Richardson extrapolation for probes that stay ambiguous",
    "complex": "the complex step, asked for explicitly: same as auto, including the fallback (with a note) "
               "for blocks where the function is not complex-safe",
    "richardson": "central differences at h and h/2 for every probe, extrapolated",
}


def _validate(method: str, directions: int, elements: int, max_full: int) -> None:
    if method not in METHODS:
        raise InputError(f"method must be one of {sorted(METHODS)}, got {method!r}.")
    for name, v in (("directions", directions), ("elements", elements), ("max_full", max_full)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0:
            raise InputError(f"{name} must be a non-negative integer, got {v!r}.")
    if directions + elements < 1:
        raise InputError("directions + elements must be at least 1: nothing would be checked per block.")


def _as_x(x0: Any) -> np.ndarray:
    try:
        x = np.array(x0, copy=True)
    except (TypeError, ValueError) as exc:
        if isinstance(x0, (tuple, list)) and len(x0) > 1 and np.size(x0[0]) > 1:
            # compare() takes every argument in one tuple; check_gradient takes the point apart.
            raise InputError(
                f"x0 must be a numeric array, got a {type(x0).__name__} of {len(x0)} arguments (the first of "
                f"{np.size(x0[0])} numbers): that looks like the whole argument list. Pass the point and the "
                f"rest apart: check_gradient(fun, args[0], args=args[1:]); when the parameters are argument "
                f"k, check_gradient(fun, args[k], args=args[:k] + args[k + 1:], wrt=k).") from None
        raise InputError(f"x0 must be a numeric array: {exc}") from None
    if x.dtype == bool or np.issubdtype(x.dtype, np.integer):
        x = x.astype(np.float64)
    if not np.issubdtype(x.dtype, np.floating):
        raise InputError(f"x0 must hold real numbers; got dtype {x.dtype}.")
    if x.size == 0:
        raise InputError("x0 is empty: there is no gradient to check.")
    # One sum settles the usual case (NaN or Inf makes it non-finite); only an overflowing sum looks closer.
    if not np.isfinite(np.sum(x)) and not np.all(np.isfinite(x)):
        raise InputError("x0 contains NaN or Inf; check the gradient at a finite point.")
    if x.ndim == 0:
        x = x.reshape(1)
    return x


def _default_layout(x: np.ndarray) -> Layout:
    if x.ndim == 2 and min(x.shape) > 1:
        return Layout([("x", x.shape)])
    return Layout([("x", (x.size,))])


def check_gradient(
    fun: Callable[..., Any] | str,
    x0: Any,
    args: Sequence[Any] = (),
    layout: Layout | Iterable | Mapping | None = None,
    method: str = "auto",
    grad: Callable[..., Any] | None = None,
    *,
    octave: Any = None,
    full: bool | None = None,
    max_full: int = 2000,
    directions: int = 4,
    elements: int = 4,
    rtol: float | None = None,
    seed: int = 0,
    nondet_tol: float = 0.0,
    progress: bool | None = None,
    context: Mapping[str, Any] | None = None,
    wrt: int = 0,
    bisect: bool = True,
    timeout: float | None = None,
) -> Report:
    """Check an analytic gradient against numerical derivatives, and say what is wrong.

    Parameters
    ----------
    fun : callable or str
        ``fun(x, *args) -> (cost, grad)`` (scipy's ``jac=True`` convention),
        or ``fun(x, *args) -> cost`` together with ``grad``. A string names an
        Octave function ``[J, grad] = name(x, args...)`` run in ``octave``,
        unless it names a Python function as ``compare`` takes a port:
        ``"path/to/file.py:function"`` or ``"package.module:function"`` (Octave
        names have no ``:``); ``grad`` may be given the same way.
    x0 : array_like
        Point of the check; float32 is honoured (steps and tolerances follow).
        Never modified: the function never sees x0 itself. Below 65,536
        elements every evaluation gets a new array; above, the points are
        written into one buffer that is lent read-only for each call (a
        function that writes into its x, keeps it or needs it writable gets
        new arrays again, and a write is reported as ``mutates-input``).
    args : sequence
        Extra arguments. Array arguments are copied once per check and every
        call gets those copies; a function that writes into them is reported
        (``mutates-input``) and from then on gets a fresh copy per call.
    layout : Layout or list of (name, shape), optional
        Blocks of the unrolled x (``[("Theta1", (25, 401)), ("Theta2", (10, 26))]``),
        column-major as Octave unrolls. Findings and tables are per block.
    method : {"auto", "central", "complex", "richardson"}
        See :data:`METHODS`.
    grad : callable, optional
        ``grad(x, *args)`` when ``fun`` returns the cost only.
    octave : portcheck.Octave, optional
        Session to run an Octave ``fun`` in (required when ``fun`` is a str).
        The whole check is one call of ``portcheck_gradcheck.m``.
    full : bool, optional
        Check every element (default when ``x0.size <= max_full``) or sample.
    max_full : int
        Largest size checked element by element by default.
    directions, elements : int
        Per block, in sampled mode: random directions and single elements.
    rtol : float, optional
        Relative tolerance of central differences; default ``30·EPS**(2/3)``
        (1.1e-9 in float64, 7e-4 in float32).
    seed : int
        Seed of the :class:`numpy.random.Generator` choosing directions and elements.
    nondet_tol : float
        Differences between two calls at the same x up to this size are not
        called nondeterministic (like ``torch.autograd.gradcheck``).
    progress : bool, optional
        Show a progress bar for checks longer than ~2 s (default: when stderr is a terminal).
    context : mapping, optional
        Named constants for naming factors, e.g. ``{"m": 5000, "lambda": 1.0}``;
        default: guessed from ``args``.
    wrt : int
        Position of x among the function's arguments, for references written
        ``linearRegCostFunction(X, y, theta, lambda)`` (``wrt=2``): the call is
        ``fun(*args[:wrt], x, *args[wrt:])``.
    bisect : bool
        In sampled mode, also search every sampled block by group testing:
        one directional derivative over the whole block with an estimated
        error bound, halved down to the wrong element (about 1.5·log2(n)
        measurements per wrong element), or to the wrong rows or columns.
        A block that agrees certifies that no single element is off by more
        than the bound. ``False``: the sampled probes only.
    timeout : float, optional
        Seconds one call of a Python ``fun`` (or ``grad``) may take: a call
        past it is stopped and the check is a ``python-error``
        (PortTimeoutError). For an Octave ``fun``, the limit of the one call
        that runs the whole check. Default: no limit.

    Returns
    -------
    Report
        ``report.ok`` is False when a gradient error was found; ``findings``
        name the kind and block; ``tables`` hold the per-block statistics, the
        worst probes and the Taylor test; ``details["evaluations"]`` counts the
        calls of ``fun``. An error localized to an element carries
        ``finding.element``, its 0-based flat index into ``x0``.

    Notes
    -----
    Central differences use ``h = EPS**(1/3)·max(1, |x|)`` (rounded to a power
    of two), complex steps ``Im f(x + ih)/h`` with ``h = 1e-20``. A probe that
    misses its tolerance gets ``h/2`` too, for Richardson extrapolation and a
    kink test (one-sided differences). Every block also gets a Taylor test:
    ``|f(x+hd) - f(x) - h g·d|`` over ``h = 1e-1 ... 1e-8`` must fall as
    ``h²``; falling as ``h`` means a wrong gradient whatever the tolerances.

    References
    ----------
    J. R. R. A. Martins, P. Sturdza, J. J. Alonso, "The complex-step derivative
    approximation", ACM TOMS 29 (2003).

    Examples
    --------
    >>> rep = check_gradient(cost_and_grad, theta, args=(X, y, 1.0),          # doctest: +SKIP
    ...                      layout=[("Theta1", (5, 4)), ("Theta2", (3, 6))])
    >>> rep.ok, sorted(rep.kinds)                                             # doctest: +SKIP
    (False, ['scale'])
    """
    _validate(method, directions, elements, max_full)
    if not isinstance(bisect, (bool, np.bool_)):
        raise InputError(f"bisect must be True or False, got {bisect!r}.")
    if rtol is not None and not (isinstance(rtol, (int, float)) and 0 < rtol < 1):
        raise InputError(f"rtol must be a number in (0, 1), got {rtol!r}.")
    x0a = _as_x(x0)
    n = int(x0a.size)
    lay = as_layout(layout) or _default_layout(x0a)
    if lay.size != n:
        raise LayoutError(f"The layout describes {lay.size} elements ({lay!r}) but x0 has {n}; check the block "
                          "shapes and their order.")
    if not isinstance(args, (tuple, list)):
        raise InputError("args must be a tuple of extra arguments, e.g. args=(X, y, lam).")
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, (int, float))
                                or not math.isfinite(timeout) or timeout <= 0):
        raise InputError(f"timeout must be a positive number of seconds (or None), got {timeout!r}.")
    if isinstance(wrt, bool) or not isinstance(wrt, (int, np.integer)) or not 0 <= wrt <= len(args):
        raise InputError(f"wrt must be an integer from 0 to len(args) = {len(args)}, got {wrt!r}.")
    # "file.py:function" / "module:function" is a Python port, loaded as compare loads one.
    if isinstance(fun, str) and ":" in fun:
        fun = load_callable(fun)
    if isinstance(grad, str) and ":" in grad:
        grad = load_callable(grad)
    is_octave = isinstance(fun, str)
    if is_octave and octave is None:
        raise InputError(f"{fun!r} names an Octave function: pass octave=portcheck.Octave() to run it.")
    if not is_octave and not callable(fun):
        raise InputError(f"fun must be callable or the name of an Octave function, got {type(fun).__name__}.")
    if grad is not None and (is_octave or not callable(grad)):
        raise InputError("grad= must be a Python callable (an Octave function returns [J, grad] itself).")

    full_mode = n <= max_full if full is None else bool(full)
    rng = np.random.default_rng(seed)
    label = fun_label(fun)
    title = f"{label}{' (Octave)' if is_octave else ''}, {n} parameters"
    x = x0a.astype(np.float64, copy=False).reshape(-1, order="F")  # x0a is already a private copy
    notes: list[str] = []
    if x0a.ndim > 1 and not (x0a.ndim == 2 and 1 in x0a.shape):
        notes.append(f"x0 of shape {x0a.shape} was unrolled column-major (as Octave's x(:)) to match the layout.")
    if full_mode:
        notes.append(f"checked every element (n = {n}).")
    else:
        notes.append(
            f"n = {n} > max_full = {max_full}: per block, {directions} random directions and {elements} single "
            "elements (stratified; smaller blocks element by element), so the cost does not grow with n. "
            "Pass full=True to check every element.")
    t0 = time.perf_counter()

    if is_octave:
        # The code under test is the .m file: its fixes are written in MATLAB.
        return report_in_matlab(_check_octave(fun, octave, x0a, x, tuple(args), lay, method, full_mode, directions,
                                              elements, rtol, rng, title, notes, nondet_tol, progress, context, t0,
                                              int(wrt), bool(bisect), timeout))

    static = static_findings(fun, int(wrt))
    ctx = dict(constants_context(fun, args, wrt=int(wrt)))
    ctx.update(context or {})
    dtype = x0a.dtype
    target = PythonTarget(fun, grad, args, x0a.shape, dtype, int(wrt))
    target.timeout = None if timeout is None else float(timeout)
    with Progress(f"gradient check of {label}", enabled=progress) as bar:
        target.tick = bar.advance
        try:
            f0, g = target.value_and_grad(x)
            f0b, gb = target.value_and_grad(x)
        except FunctionFailed as exc:
            return error_report(title, exc.kind, exc.message, extra=static)
        except Exception as exc:  # noqa: BLE001 - the port's own error is the finding
            tb = traceback_summary(exc)  # the port's innermost line, not portcheck's or NumPy's
            where = f" ({tb['file']}, line {tb['line']})" if "file" in tb else ""
            return error_report(title, "python-error", f"{type(exc).__name__}: {exc}{where}", extra=static)
        if not (np.isfinite(f0) and np.all(np.isfinite(g))):
            return error_report(title, "non-finite", "the cost or the gradient at x0 is NaN or Inf; a gradient "
                                "check needs finite values (log(0)? an overflowing exp?).",
                                {"cost": f0}, extra=static)
        raw_cost, raw_grad = target.raw_outputs or (None, None)
        if raw_grad is not None and np.shape(raw_grad) != x0a.shape:
            notes.append(f"grad had shape {np.shape(raw_grad)} for x0 of shape {x0a.shape}: compared unrolled "
                         "column-major, as Octave's grad(:).")
        prec = working_precision(x0a, raw_cost, raw_grad)
        prec = Precision(prec.dtype, rtol)
        probes = plan_probes(lay, x, prec, full_mode, directions, elements, rng)
        sweeps = plan_sweeps(lay, x, taylor_steps(prec), rng, probes.scales)
        plan = plan_search(lay, prec, full_mode, directions, elements, rng) if bisect else None
        ev = collect_python(target, x, f0, g, lay, prec, probes, method, sweeps, bar, plan)
    ev.f0_again, ev.g_again = f0b, gb
    ev.mutation, ev.arg_mutations = target.mutation, target.arg_mutations
    ev.seconds = time.perf_counter() - t0
    ev.source = {"language": "python"}
    return build_report(ev, title, full=full_mode, method=method, static=static, context=ctx,
                        nondet_tol=nondet_tol, fun=fun, notes=notes + _count_note(ev),
                        details={"seed": seed, "function": label})


def _count_note(ev: Any) -> list[str]:
    calls = f" in {ev.bridge_calls} Octave call" if ev.bridge_calls else ""
    return [f"{ev.evals} function evaluations{calls}."]


def _check_octave(name: str, octave: Any, x0a: np.ndarray, x: np.ndarray, args: tuple, lay: Layout, method: str,
                  full_mode: bool, directions: int, elements: int, rtol: float | None,
                  rng: np.random.Generator, title: str, notes: list[str], nondet_tol: float,
                  progress: bool | None, context: Mapping[str, Any] | None, t0: float, wrt: int,
                  bisect: bool = True, timeout: float | None = None) -> Report:
    from ._octave import collect_octave

    prec = Precision(working_precision(x0a).dtype, rtol)
    probes = plan_probes(lay, x, prec, full_mode, directions, elements, rng)
    sweeps = plan_sweeps(lay, x, taylor_steps(prec), rng, probes.scales)
    plan = plan_search(lay, prec, full_mode, directions, elements, rng) if bisect else None
    try:
        with Progress(f"gradient check of {name} in Octave", enabled=progress):
            ev = collect_octave(octave, name, x0a, args, lay, prec, probes, method, sweeps, wrt, plan,
                                timeout=timeout)
    except OctaveError as exc:
        return error_report(title, "octave-error", str(exc))
    except FunctionFailed as exc:
        return error_report(title, exc.kind, exc.message)
    if ev.source.get("single") and not prec.single:
        # Steps were sized for double; judge with single's tolerances rather than flag noise.
        ev.prec = Precision(np.dtype(np.float32), rtol)
        notes.append("the Octave function returned single precision for double input: judged with float32 "
                     "tolerances.")
    ev.seconds = time.perf_counter() - t0
    params = octave_param_names(ev.source.get("text", ""))
    ctx = dict(constants_context(None, args, params if params else [""] * (len(args) + 1), wrt=wrt))
    ctx.update(context or {})
    if not (np.isfinite(ev.f0) and np.all(np.isfinite(ev.g))):
        return error_report(title, "non-finite", "the cost or the gradient at x0 is NaN or Inf.", {"cost": ev.f0})
    return build_report(ev, title, full=full_mode, method=method, static=(), context=ctx, nondet_tol=nondet_tol,
                        fun=name, notes=notes + _count_note(ev), details={"function": name})


def assert_gradient(*args: Any, **kwargs: Any) -> Report:
    """:func:`check_gradient`, raising ``AssertionError(str(report))`` when it finds an error.

    Same signature; returns the report when it passes, so warnings stay visible.
    """
    __tracebackhide__ = True  # pytest shows the test's line and the report, not portcheck's frames
    report = check_gradient(*args, **kwargs)
    if not report.ok:
        raise AssertionError(str(report))
    return report


assert_gradient.__signature__ = inspect.signature(check_gradient)  # type: ignore[attr-defined]
