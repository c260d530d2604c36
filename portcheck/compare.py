"""Side-by-side comparison: run the Octave reference and the Python port, explain the differences.

:func:`compare` runs both sides on identical inputs (copies, so nothing the
caller owns is touched), aligns their outputs, measures the differences per
output and per layout block, and hands every difference to
:mod:`portcheck.diagnose`, which names the mistake. Where a hypothesis is
cheap to prove, compare re-runs the port on a counterfactual input (labels
shifted by one, a column passed as a 1-D vector, the parameter vector in C
order, λ = 0) and reports the kind only when the port then matches.
"""

from __future__ import annotations

import contextlib
import copy
import inspect
import itertools
import math
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ._contain import call_limited, is_port_failure, kept_process_state, printable
from .diagnose import Subject, diagnose_pair
from .diagnose._arrays import allclose, as_float_array, error_stats, location, location_text
from .diagnose.compound import Hypothesis, Trial, applied_order, call_text, cause_hypotheses, convention_hypotheses, fix_order_note
from .diagnose.compound import search as compound_search
from .diagnose.capture import (explain_capture, explain_mutation, explain_nondeterminism,
                               explain_reference_nondeterminism, perturb)
from .diagnose.failures import locate_at_raise, octave_error, python_error
from .diagnose.indexing import counterfactual_index_base
from .diagnose.localise import first_divergence
from .diagnose.training import explain_tolerance, trains, within_training_precision
from .diagnose.order import counterfactual_unroll_order
from .diagnose.regularization import penalty_from_runs, with_penalty_detail
from .diagnose.rerun import Rerun
from .diagnose.shapes import align, combine_broadcast, counterfactual_broadcast, drop_scale_beside_broadcast
from .loading import describe_callable, load_callable, load_notes
from .conventions import argument_order, in_reference_order, is_penalty_name, m_file_parameters, penalty_pairs, with_gradient
from .errors import InputError, OctaveRuntimeError, OctaveTimeoutError, PortcheckError, PortTimeoutError
from .inputs import Layout, as_layout
from .octave import Octave
from .report import Finding, Report, Table, merge_findings

__all__ = ["compare", "assert_port", "load_port", "DEFAULT_RTOL", "DEFAULT_ATOL", "SINGLE_RTOL"]

#: Default relative tolerance. Octave and NumPy evaluate the same formulas with
#: the same IEEE doubles but in different summation orders, so a faithful port
#: agrees to ~1e-14 relative; 1e-7 leaves room for longer reductions and
#: ``exp``/``log`` round-off while every real porting mistake is far larger.
DEFAULT_RTOL = 1e-7
#: Default absolute tolerance: for entries whose reference is (nearly) zero,
#: such as the regularization-free bias gradient of a symmetric problem.
DEFAULT_ATOL = 1e-10
#: Relative tolerance when either side computes in single precision: float32
#: keeps about 7 digits (eps = 2**-23 ≈ 1.2e-7), and a reduction over a few
#: hundred terms loses two or three more, while porting mistakes stay far larger.
SINGLE_RTOL = 1e-4

#: Kinds that explain a difference; anything else (a bare ``mismatch``) sends
#: compare on to the counterfactual re-runs.
_EXPLAINED = {"sign", "scale", "ddof", "transposed", "unroll-order", "swapped-blocks",
              "regularization", "index-base"}


def load_port(port: Callable[..., Any] | str) -> tuple[Callable[..., Any], str]:
    """Resolve a port given as a callable or as ``"module:function"`` / ``"path/file.py:function"``.

    Returns the callable and a display name.

    Raises
    ------
    PortError
        When the module cannot be imported, the attribute does not exist, or
        the object is not callable; the message says which.
    """
    fn = load_callable(port)
    return fn, port if isinstance(port, str) else describe_callable(fn)


def _parameter_names(fn: Callable[..., Any], n: int) -> list[str]:
    """Names of the first ``n`` positional parameters, for messages ("y", "nn_params")."""
    names: list[str] = []
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        sig = None
    if sig is not None:
        for p in sig.parameters.values():
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
                names.append(p.name)
            elif p.kind == p.VAR_POSITIONAL:
                break
    names = names[:n]
    names += [f"argument {i + 1}" for i in range(len(names), n)]
    return names


#: Parameter names that hold the parameter vector, when it is not the first argument.
_PARAM_NAMES = {"theta", "params", "nn_params", "w", "weights", "p", "x", "t", "x0", "theta0"}


def _is_float_vector(a: Any) -> bool:
    return (isinstance(a, np.ndarray) and a.size > 1 and np.issubdtype(a.dtype, np.floating)
            and (a.ndim == 1 or (a.ndim == 2 and 1 in a.shape)))


def _param_position(args: Sequence[Any], names: Sequence[str], wrt: int | None) -> int | None:
    """Which argument is the parameter vector: ``wrt``, a name like ``theta``, or the first argument."""
    if wrt is not None:
        if not isinstance(wrt, (int, np.integer)) or not 0 <= int(wrt) < len(args):
            raise InputError(f"wrt must index one of the {len(args)} arguments, got {wrt!r}.")
        return int(wrt) if _is_float_vector(args[int(wrt)]) else None
    for i, a in enumerate(args):
        if i < len(names) and names[i].lower() in _PARAM_NAMES and _is_float_vector(a):
            return i
    if args and _is_float_vector(args[0]):
        return 0
    return None


def _weight_positions(args: Sequence[Any], names: Sequence[str]) -> list[int]:
    """Positions of non-zero float scalars whose parameter name says they weight a penalty."""
    return [i for i, a in enumerate(args)
            if i < len(names) and is_penalty_name(names[i]) and _is_float_scalar(a) and float(a) != 0]


def _is_float_scalar(a: Any) -> bool:
    return (isinstance(a, (float, int, np.floating, np.integer)) and not isinstance(a, (bool, np.bool_))
            and math.isfinite(float(a)))


def _infer_context(args: Sequence[Any], names: Sequence[str], given: Mapping[str, Any] | None) -> dict[str, Any]:
    """``m`` (rows of the first data matrix) and ``lambda`` (a parameter named like it), unless given.

    Only used to *name* a recognised factor ("= m"), never to decide a verdict.
    """
    ctx: dict[str, Any] = dict(given or {})
    if "m" not in ctx:
        for a in args:
            if isinstance(a, np.ndarray) and a.ndim == 2 and a.shape[0] > 1 and a.shape[1] > 1:
                ctx["m"] = int(a.shape[0])
                ctx.setdefault("m_alt", int(a.shape[1]))
                break
    # The data's dimensions: a factor N/(N-1) is called ddof only for an N the data has.
    ctx.setdefault("dims", sorted({int(d) for a in args if isinstance(a, np.ndarray) for d in a.shape}))
    if "lambda" not in ctx:
        for i in _weight_positions(args, names):
            if names[i].lower().strip("_") not in {"beta", "decay", "weight_decay", "wd"}:
                ctx["lambda"] = float(args[i])
                break
    return ctx


def _copy_args(args: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(copy.deepcopy(a) for a in args)


@dataclass
class _Run:
    outputs: Any = None
    error: BaseException | None = None
    args_after: tuple[Any, ...] = ()


#: portcheck's own re-runs of a port (a calling convention tried, λ = 0, a perturbed input) may take this many
#: times the port's first call, and at least EXTRA_CALL_FLOOR seconds: a trial that turns a 1-D vector into
#: an (m, 1) column can make a port broadcast to (m, m, k) arrays, minutes and gigabytes at m = 2000.
EXTRA_CALL_FACTOR, EXTRA_CALL_FLOOR = 30.0, 2.0


def _extra_call_budget(first_seconds: float, timeout: float | None) -> float:
    """Seconds one of portcheck's extra calls of the port may run (never more than the user's ``timeout``)."""
    budget = max(EXTRA_CALL_FLOOR, EXTRA_CALL_FACTOR * first_seconds)
    return budget if timeout is None else min(budget, float(timeout))


def _call(fn: Callable[..., Any], args: Sequence[Any], quiet: bool = False,
          timeout: float | None = None) -> _Run:
    """Call the port on copies of ``args``; its exception is returned, not raised.

    ``quiet`` silences warnings for portcheck's own extra calls (the repeat,
    counterfactuals): the user sees the port's warnings once, from the real call.
    ``timeout`` stops a port that sleeps or loops forever: it then "raised"
    :class:`~portcheck.errors.PortTimeoutError`, which becomes a finding.
    """
    sent = _copy_args(args)
    with warnings.catch_warnings():
        if quiet:
            warnings.simplefilter("ignore")
        with np.errstate(all="ignore") if quiet else contextlib.nullcontext():
            try:
                with kept_process_state():
                    out = call_limited(fn, sent, timeout)
            except BaseException as exc:  # noqa: BLE001 - the port's failure is a finding
                # SystemExit and the port's own BaseException subclasses too: a ported script's `exit()`
                # must not end the caller's session. Only Ctrl-C goes up.
                if not is_port_failure(exc):
                    raise
                return _Run(None, printable(exc), sent)
    return _Run(out, None, sent)


@dataclass
class _Outputs:
    values: list[Any]
    notes: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def _split_outputs(raw: Any, nout: int, names: Sequence[str]) -> _Outputs:
    """The port's return value as a list of ``nout`` outputs (fewer if it returned fewer)."""
    if nout == 1:
        if isinstance(raw, tuple):
            if len(raw) == 0:
                return _Outputs([], findings=[Finding(
                    kind="shape", severity="error", output=names[0],
                    message=f"PYTHON returned an empty tuple where OCTAVE returns {names[0]}.")])
            note = [f"PYTHON returned a tuple of {len(raw)} values; compared the first as {names[0]}."]
            return _Outputs([raw[0]], notes=note if len(raw) > 1 else [])
        return _Outputs([raw])
    # A list of outputs (`return [J, grad]`) reads like a tuple; a list of numbers of another
    # length is one vector output.
    if not isinstance(raw, (tuple, list)) or (isinstance(raw, list) and _is_numeric_list(raw)
                                               and len(raw) != nout):
        return _Outputs([raw], findings=[Finding(
            kind="shape", severity="error",
            message=(f"PYTHON returned 1 value where OCTAVE returns {nout} ({', '.join(names)}): "
                     f"return them all as a tuple, `return {', '.join(_identifier(n) for n in names)}`."),
            evidence={"python_outputs": 1, "octave_outputs": nout},
        )])
    values = list(raw)
    out = _Outputs(values[:nout])
    if len(values) > nout:
        out.notes.append(f"PYTHON returned {len(values)} values; compared the first {nout}.")
    elif len(values) < nout:
        out.findings.append(Finding(
            kind="shape", severity="error",
            message=(f"PYTHON returned {len(values)} values where OCTAVE returns {nout} "
                     f"({', '.join(names)}): the missing outputs were not compared."),
            evidence={"python_outputs": len(values), "octave_outputs": nout},
        ))
    return out


def _is_numeric_list(v: list) -> bool:
    return all(isinstance(x, (int, float, np.number)) for x in v)


def _identifier(name: str) -> str:
    return name if name.isidentifier() else name.replace(" ", "")


def _as_tuple(value: Any, nout: int) -> tuple[Any, ...]:
    if nout == 1:
        return (value,)
    return tuple(value)


class _Comparison:
    """Holds one compare call's state while its steps run; not public."""

    def __init__(self, function: str, fn: Callable[..., Any], port_name: str, args: tuple, py_args: tuple,
                 oc: Octave, nout: int, names: list[str], layout: Layout | None, rtol: float, atol: float,
                 intermediates: bool, context: Mapping[str, Any] | None, timeout: float | None,
                 wrt: int | None) -> None:
        self.function, self.fn, self.port_name = function, fn, port_name
        self.args, self.py_args, self.oc, self.nout, self.names = args, py_args, oc, nout, names
        self.layout, self.rtol, self.atol = layout, rtol, atol
        # Per-output absolute tolerance, widened only for single precision.
        self.output_atol: dict[str, float] = {}
        self.intermediates, self.timeout = intermediates, timeout
        # portcheck's own extra calls of the port (counterfactuals, trials) get a budget from the port's
        # first call, set by _compare once it is timed (see _extra_call_budget).
        self.extra_timeout = timeout
        self._timed_out: list[tuple[frozenset[str], BaseException]] = []  # trials that ran out of time
        self.n_compared = nout - 1 if intermediates else nout
        self.arg_names = _parameter_names(fn, len(py_args))
        self.context = _infer_context(args, self.arg_names, context)
        self.param_pos = _param_position(args, self.arg_names, wrt)
        self.penalty: int | str | None = None
        self._ref: tuple[Any, ...] | None = None
        self._trains: bool | None = None
        self.same_order = py_args is args  # no python_args: position i is the same argument on both sides
        self._trial_refs: dict[tuple, tuple[Any, ...] | None] = {}
        self.findings: list[Finding] = []
        self.notes: list[str] = []
        self.tables: list[Table] = []
        self.details: dict[str, Any] = {
            "function": function, "port": port_name, "nout": nout, "rtol": rtol, "atol": atol,
            "layout": layout.to_list() if layout is not None else None, "outputs": {},
            "counterfactuals": [],
        }

    # -- the two runs --------------------------------------------------------

    def run_octave(self, args: Sequence[Any]) -> tuple[Any, ...]:
        out = self.oc.call(self.function, *args, nout=self.nout, timeout=self.timeout)
        return _as_tuple(out, self.nout)

    def subject(self, output: str | None) -> Subject:
        return Subject(output=output, rtol=self.rtol, atol=self.output_atol.get(output or "", self.atol),
                       context=self.context)

    def params_for(self, ref: Any) -> np.ndarray | None:
        """The parameter vector, for an output of its length (a gradient) or a scalar (a cost)."""
        if self.param_pos is None:
            return None
        p = self.args[self.param_pos]
        return p if np.size(ref) in (1, p.size) else None

    def outputs_match(self, ref: tuple[Any, ...], values: Sequence[Any]) -> bool:
        """Every compared output matches, and the reference is finite (NaN = NaN proves nothing)."""
        if len(values) < self.n_compared:
            return False
        for i in range(self.n_compared):
            al = align(ref[i], values[i], self.subject(self.names[i]))
            if al.comparable and not np.all(np.isfinite(al.reference)):
                return False
            if not al.comparable or any(f.severity == "error" for f in al.findings):
                return False
            sub = self.subject(self.names[i])
            if not allclose(al.reference, al.candidate, sub.rtol, sub.atol) and not (
                    self.trains and within_training_precision(al.reference, al.candidate)):
                return False
        return True

    def widen_for_single(self, ref: tuple[Any, ...], values: Sequence[Any]) -> list[Finding]:
        """A ``precision`` warning, and single-precision tolerances, when float32 takes part.

        float32 inputs reach Octave as ``single`` and keep NumPy in float32, so a
        faithful port agrees only to ~1e-6: compared at the double-precision
        defaults it would be flagged. Each output's absolute tolerance becomes
        ``SINGLE_RTOL`` times its largest reference magnitude, so entries that
        cancel to near zero are judged against the output's scale.
        """
        if not any(_is_single(v) for v in (*self.args, *self.py_args, *ref, *values)):
            return []
        old = (self.rtol, self.atol)
        self.rtol = max(self.rtol, SINGLE_RTOL)
        for name, r in zip(self.names, ref):
            a = as_float_array(r)
            finite = a[np.isfinite(a)] if a is not None else np.empty(0)
            scale = float(np.max(np.abs(finite))) if finite.size else 0.0
            self.output_atol[name] = max(self.atol, SINGLE_RTOL * scale)
        self.details.update(rtol=self.rtol, atol_by_output=dict(self.output_atol))
        return [Finding(
            kind="precision", severity="warning",
            message=(f"single precision (float32) takes part, so only about 7 digits can agree: compared "
                     f"with rtol {self.rtol:g} (instead of {old[0]:g}) and an absolute tolerance of "
                     f"{SINGLE_RTOL:g} × each output's largest value. Pass float64 arrays to check to "
                     f"double precision."),
            evidence={"rtol": self.rtol, "requested_rtol": old[0], "requested_atol": old[1],
                      "atol_by_output": dict(self.output_atol)},
        )]

    def same_argument(self, i: int) -> bool:
        """Argument ``i`` is the same value on both sides, so changing it on both is one experiment.

        With ``python_args`` the port's signature may differ: position ``i``
        can then hold a different argument, and perturbing it proves nothing.
        """
        if i >= len(self.py_args) or i >= len(self.args):
            return False
        a, b = self.args[i], self.py_args[i]
        if _is_float_scalar(a) and _is_float_scalar(b):
            return float(a) == float(b)
        return (_is_float_vector(a) and _is_float_vector(b) and np.size(a) == np.size(b)
                and bool(np.array_equal(np.ravel(a), np.ravel(b))))

    def make_rerun(self, ref: tuple[Any, ...]):
        def rerun(new_args: tuple, transform: Callable[[tuple], tuple] | None = None) -> Rerun:
            run = _call(self.fn, new_args, quiet=True, timeout=self.extra_timeout)
            label = "port(" + ", ".join(self.arg_names) + ")"
            if run.error is not None:
                self.details["counterfactuals"].append({"call": label, "raised": type(run.error).__name__})
                return Rerun(None, run.error, False)
            split = _split_outputs(run.outputs, self.nout, self.names)
            values = tuple(split.values)
            if transform is not None:
                try:
                    values = tuple(transform(values))
                except Exception:  # noqa: BLE001 - a transform that does not apply is a non-match
                    return Rerun(values, None, False)
            ok = self.outputs_match(ref, values)
            self.details["counterfactuals"].append({"call": label, "matches": ok})
            return Rerun(values, None, ok)
        return rerun

    # -- steps ---------------------------------------------------------------

    def traced(self, findings: list[Finding], outputs_differ: bool) -> list[Finding]:
        """Trace both sides: locate the boundary findings and name what they leave unexplained."""
        from .errors import PortcheckError
        from .trace import merge_findings as merge_traced, run_trace
        from .trace.octave_side import trace_octave

        def octave_trace():
            return trace_octave(self.oc, self.function, self.args, self.nout, timeout=self.timeout)

        if not hasattr(self.oc, "call_shadowed"):
            self.notes.append("The trace was not run: it needs a session that can run the reference's "
                              "instrumented copy, and this one cannot (a replayed recording without a trace).")
            return findings

        try:
            result = run_trace(octave_trace, self.fn, self.py_args, self.subject(None),
                               outputs_differ=outputs_differ, function=self.function)
        except PortcheckError as exc:
            self.notes.append(f"The trace could not run ({type(exc).__name__}: {exc}); findings are from the "
                              f"outputs alone.")
            return findings
        except Exception as exc:  # noqa: BLE001 - the trace adds to a verdict; it must never cost one
            self.notes.append(f"The trace failed ({type(exc).__name__}: {exc}); findings are from the outputs "
                              f"alone. Please report this with the port and reference.")
            return findings
        self.notes += result.notes
        if result.table is not None:
            self.tables.append(result.table)
        self.details["trace"] = {
            "reference_steps": len(result.reference.steps) if result.reference else 0,
            "port_steps": len(result.port.steps) if result.port else 0,
            "divergence": None if result.alignment is None or result.alignment.divergence is None else {
                "reference": list(result.alignment.divergence.reference.location),
                "port": (list(result.alignment.divergence.port.location)
                         if result.alignment.divergence.port is not None else None)},
        }
        by_output = {self.names[k]: f for k, f in result.by_output.items() if k < len(self.names)}
        return merge_traced(findings, result.findings, by_output, _located_blocks(result.by_part, self.names,
                                                                                  self.layout))

    def compare_outputs(self, ref: tuple[Any, ...], values: Sequence[Any]) -> dict[str, list[Finding]]:
        """Diagnose each output; fill the tables. Returns findings per output name."""
        per_output: dict[str, list[Finding]] = {}
        rows = []
        for i in range(self.n_compared):
            name = self.names[i]
            if i >= len(values):
                rows.append((name, _shape_of(ref[i]), "missing", None, None, "not compared", "-"))
                continue
            # A scalar output (a cost) gets the layout too: its regularization
            # check needs the parameter blocks to tell bias from weights.
            lay = self.layout if self.layout is not None and (
                _fits(self.layout, ref[i]) or np.size(ref[i]) == 1) else None
            dg = diagnose_pair(ref[i], values[i], self.subject(name), layout=lay, params=self.params_for(ref[i]))
            per_output[name] = dg.findings
            self.notes += dg.notes
            stats_row, ostats = self._stats_row(name, ref[i], values[i], dg, lay)
            rows.append(stats_row)
            self.details["outputs"][name] = ostats
            if lay is not None and _fits(lay, ref[i]) and dg.reference is not None and dg.candidate is not None:
                self.tables.append(self._block_table(name, dg.reference, dg.candidate, lay))
        if self.layout is not None and not any(_fits(self.layout, r) for r in (*ref, *self.args)):
            # A layout that fits nothing is ignored; say so rather than compare silently without it.
            self.notes.append(f"The layout ({self.layout.size} elements) fits no input or output, so it "
                              f"was not used; check its block shapes.")
        self.tables.insert(0, Table(
            title="Outputs: OCTAVE (reference) vs PYTHON (port)",
            columns=("output", "OCTAVE shape", "PYTHON shape", "max abs error", "max rel error",
                     "mismatched", "worst element"),
            rows=tuple(rows),
        ))
        return per_output

    def _stats_row(self, name: str, ref: Any, val: Any, dg: Any, lay: Layout | None) -> tuple[tuple, dict]:
        rshape, pshape = _shape_of(ref), _shape_of(val)
        if dg.reference is None or dg.candidate is None:
            return (name, rshape, pshape, None, None, "not comparable", "-"), {
                "octave_shape": rshape, "python_shape": pshape, "comparable": False}
        sub = self.subject(name)
        st = error_stats(dg.reference, dg.candidate, sub.rtol, sub.atol)
        worst = "-"
        loc = None
        if st.worst is not None and st.n_bad:
            loc = location(st.worst, dg.reference.shape, lay)
            worst = location_text(loc)
        return (name, rshape, pshape, st.max_abs, st.max_rel, st.mismatched_text, worst), {
            "octave_shape": rshape, "python_shape": pshape, "comparable": True, "max_abs": st.max_abs,
            "max_rel": st.max_rel, "mismatched": st.n_bad, "total": st.n, "worst": loc,
            "octave_value": st.reference_value if loc else None,
            "python_value": st.candidate_value if loc else None,
        }

    def _block_table(self, name: str, ref: np.ndarray, cand: np.ndarray, lay: Layout) -> Table:
        rb, cb = lay.split(ref.reshape(-1)), lay.split(cand.reshape(-1))
        rows = []
        sub = self.subject(name)
        for b in lay:
            st = error_stats(rb[b.name], cb[b.name], sub.rtol, sub.atol)
            worst = "-"
            if st.worst is not None and st.n_bad:
                worst = location_text(location(b.start + st.worst, (lay.size, 1), lay))
            rows.append((b.name, b.shape, st.max_abs, st.max_rel, st.mismatched_text, worst))
        return Table(title=f"{name} by block", columns=("block", "shape", "max abs error", "max rel error",
                                                        "mismatched", "worst element"), rows=tuple(rows))

    def counterfactuals(self, ref: tuple[Any, ...], error: BaseException | None) -> list[Finding]:
        """Try the cheap hypotheses in turn; the first that makes the port match is the finding."""
        rerun = self.make_rerun(ref)
        subject = self.subject(None)
        names = self.arg_names
        found = counterfactual_index_base(self.py_args, rerun, subject, original_error=error, names=names)
        if not found:
            found = counterfactual_broadcast(self.py_args, rerun, subject, names=names)
        if not found and self.layout is not None:
            found = counterfactual_unroll_order(self.py_args, rerun, self.layout, names=names)
        if not found:
            found = self.counterfactual_lambda(ref)
        if not found:
            base = self.trial(())
            found = self.compound(base, raised=error is not None)
        return self.refine_penalty(found)

    def counterfactual_lambda(self, ref: tuple[Any, ...]) -> list[Finding]:
        """Both sides with a penalty weight set to 0: agreement puts the mistake in that term."""
        for j, i, label in penalty_pairs(self.args, self.py_args, self.arg_names, self.penalty,
                                         same_order=self.same_order):
            args0, py0 = list(self.args), list(self.py_args)
            args0[j] = 0.0
            py0[i] = 0.0
            try:
                ref0 = self.run_octave(args0)
            except (OctaveRuntimeError, OctaveTimeoutError):
                continue
            run = _call(self.fn, py0, quiet=True, timeout=self.extra_timeout)
            if run.error is not None:
                continue
            values = _split_outputs(run.outputs, self.nout, self.names).values
            ok = self.outputs_match(ref0, values)
            self.details["counterfactuals"].append({"call": f"both sides with {label} = 0", "matches": ok})
            if not ok:
                continue
            if label.lower() == "beta":
                term = ("the sparsity penalty: check its sign and that beta multiplies both its cost "
                        "and its gradient")
            else:
                term = ("the regularization penalty: check its factor (the course uses λ/(2m)·Σθ² in the "
                        "cost and (λ/m)·θ in the gradient) and that the bias weights (`Theta[:, 0]`, "
                        "`theta[0]`) are left out")
            return [Finding(
                kind="regularization", severity="error",
                message=(f"the port matches the reference when {label} = 0, so the mistake is in the term "
                         f"{label} multiplies, {term}."),
                evidence={"counterfactual": f"{label} = 0 on both sides", "argument": i + 1, "penalty_name": label},
            )]
        return []

    def refine_penalty(self, found: list[Finding]) -> list[Finding]:
        """Once λ = 0 has proved the mistake is in the penalty, say what the port's penalty does.

        Re-runs the winning hypotheses with and without λ = 0 and reads each side's
        penalty (cost at λ minus cost at 0) in terms of the parameter blocks.
        """
        whats = {f.evidence.get("counterfactual") for f in found}
        if self.param_pos is None or not any(f.kind == "regularization" and f.evidence.get("counterfactual")
                                             for f in found):
            return found
        hyps = [h for h in self.hypotheses() if h.what in whats]
        zero = [h for h in hyps if h.kind == "regularization" and h.reference is not None]
        if len(zero) != 1 or zero[0].argument is None or zero[0].what.lower().startswith("beta "):
            return found  # the sparsity penalty is no sum of squares
        try:
            lam = float(self.py_args[zero[0].argument])
        except (TypeError, ValueError):
            return found
        at_zero, at_lam = self.trial(hyps), self.trial([h for h in hyps if h is not zero[0]])
        if at_zero.outputs is None or at_lam.outputs is None or at_zero.reference is None or at_lam.reference is None:
            return found
        params = np.asarray(self.args[self.param_pos], dtype=float)
        blocks = (self.layout.split(params.reshape(-1, order="F")) if self.layout is not None and
                  _fits(self.layout, params) else {"theta": params})
        detail = penalty_from_runs(at_lam.reference, at_zero.reference, at_lam.outputs, at_zero.outputs, blocks,
                                   lam, self.context.get("m"), rtol=self.rtol)
        if detail is None:
            return found
        return [with_penalty_detail(f, detail) if f.evidence.get("counterfactual") == zero[0].what else f
                for f in found]

    @property
    def trains(self) -> bool:
        """Either side runs an optimizer: outputs agree only to its tolerance (computed once)."""
        if self._trains is None:
            self._trains = trains(self.fn, self.function, self.oc.paths)
        return self._trains

    def accept_training(self, ref: tuple[Any, ...], values: Sequence[Any],
                        per_output: dict[str, list[Finding]]) -> dict[str, list[Finding]]:
        """A training function's small unexplained difference becomes a ``tolerance`` warning."""
        if not any(any(f.severity == "error" for f in fs) for fs in per_output.values()) or not self.trains:
            return per_output
        out = dict(per_output)
        for i, name in enumerate(self.names[:self.n_compared]):
            fs = per_output.get(name, [])
            errors = [f for f in fs if f.severity == "error"]
            if not errors or any(f.kind != "mismatch" for f in errors) or i >= len(values):
                continue
            sub = self.subject(name)
            al = align(ref[i], values[i], sub)
            if not al.comparable:
                continue
            tol = explain_tolerance(al.reference, al.candidate, sub, sub.atol)
            if tol:
                out[name] = [f for f in fs if f.severity != "error"] + tol
        return out

    # -- calling conventions and compound causes (portcheck.diagnose.compound) ----------

    def trial(self, hypotheses: Sequence[Hypothesis]) -> Trial:
        """Re-run the port (and, for λ = 0, the reference) under ``hypotheses``; judge the outputs."""
        py, oc_args = tuple(self.py_args), tuple(self.args)
        hypotheses = applied_order(hypotheses)
        for h in hypotheses:
            py = h.port(py)
            if h.reference is not None:
                oc_args = h.reference(oc_args)
        t = Trial(tuple(hypotheses), args=py)
        whats = frozenset(h.what for h in hypotheses)
        slow = next((e for combo, e in self._timed_out if combo <= whats), None)
        if slow is not None:
            # A combination that contains one that ran out of time would run out of time again.
            t.error = slow
            return t
        key = tuple(h.what for h in hypotheses if h.reference is not None)
        if key not in self._trial_refs:
            try:
                self._trial_refs[key] = self.run_octave(oc_args) if key else self._ref
            except (OctaveRuntimeError, OctaveTimeoutError):
                self._trial_refs[key] = None
        ref = self._trial_refs[key]
        if ref is None:
            return t
        t.reference = ref
        run = _call(self.fn, py, quiet=True, timeout=self.extra_timeout)
        label = " + ".join(h.what for h in hypotheses) or "the port as given"
        if run.error is not None:
            t.error = run.error
            if isinstance(run.error, PortTimeoutError):
                self._timed_out.append((whats, run.error))
            self.details["counterfactuals"].append({"call": label, "raised": type(run.error).__name__})
            return t
        values = tuple(_split_outputs(run.outputs, self.nout, self.names).values)
        try:
            for h in hypotheses:
                if h.outputs is not None:
                    values = tuple(h.outputs(values))
        except Exception:  # noqa: BLE001 - an output transform that does not apply is a non-match
            return t
        t.outputs = values
        t.matches = self.outputs_match(ref, values)
        t.matched, t.distance = self.closeness(ref, values)
        self.details["counterfactuals"].append({"call": label, "matches": t.matches})
        return t

    def closeness(self, ref: tuple[Any, ...], values: Sequence[Any]) -> tuple[int, float]:
        """(outputs that match, largest error relative to each output's scale)."""
        matched, worst = 0, 0.0
        for i in range(min(self.n_compared, len(values))):
            sub = self.subject(self.names[i])
            al = align(ref[i], values[i], sub)
            if not al.comparable or any(f.severity == "error" for f in al.findings):
                worst = float("inf")
                continue
            r, c = np.asarray(al.reference, dtype=complex), np.asarray(al.candidate, dtype=complex)
            if allclose(al.reference, al.candidate, sub.rtol, sub.atol):
                matched += 1
                continue
            scale = float(np.max(np.abs(r))) if r.size else 0.0
            err = float(np.max(np.abs(r - c))) if r.size else 0.0
            worst = max(worst, err / scale if scale > 0 else float("inf"))
        return matched, (worst if not np.isnan(worst) else float("inf"))

    def residual(self, t: Trial) -> list[Finding] | None:
        """Array-level explanations of every output ``t`` still gets wrong (None if one is unexplained)."""
        if t.outputs is None or t.reference is None:
            return None
        found: list[Finding] = []
        ok = True
        for i in range(min(self.n_compared, len(t.outputs))):
            name = self.names[i]
            lay = self.layout if self.layout is not None and (
                _fits(self.layout, t.reference[i]) or np.size(t.reference[i]) == 1) else None
            dg = diagnose_pair(t.reference[i], t.outputs[i], self.subject(name), layout=lay,
                               params=self.params_for(t.reference[i]))
            errors = [f for f in dg.findings if f.severity == "error"]
            t.findings += errors
            if errors and not all(f.kind in _EXPLAINED for f in errors):
                ok = False
            found += errors
        return found if ok and found else None

    def hypotheses(self, conventions: bool = True, causes: bool = True) -> list[Hypothesis]:
        out: list[Hypothesis] = []
        if conventions:
            out += convention_hypotheses(self.py_args, self.arg_names)
        if causes:
            pen = penalty_pairs(self.args, self.py_args, self.arg_names, self.penalty,
                                same_order=self.same_order)
            param = self.param_pos if self.param_pos is not None and self.same_argument(self.param_pos) else None
            if param is None and self.layout is not None and self.py_args and _fits(self.layout, self.py_args[0]):
                param = 0
            out += cause_hypotheses(self.py_args, self.arg_names, layout=self.layout, param=param, penalties=pen)
        return out

    def find_convention(self, error: BaseException) -> tuple[Finding, Trial] | None:
        """The port raised on MATLAB-shaped inputs: the calling convention under which it runs.

        Tries each convention, then pairs of them; prefers one under which the
        port matches, else the one that comes closest.
        """
        hyps = self.hypotheses(causes=False)
        runs = [self.trial((h,)) for h in hyps]
        runs += [self.trial(p) for p in itertools.combinations(hyps, 2) if len({h.argument for h in p}) == 2][:30]
        # A convention whose outputs cannot even be compared is no evidence of how the port is called.
        ran = [t for t in runs if t.error is None and t.outputs is not None
               and (t.matches or math.isfinite(t.distance))]
        if not ran:
            return None
        best = min(ran, key=lambda t: (not t.matches, -t.matched, t.distance, len(t.hypotheses)))
        return self.convention_finding(error, best), best

    def convention_finding(self, error: BaseException, best: Trial) -> Finding:
        conventions = [h for h in best.hypotheses if h.kind == "calling-convention"]
        call = call_text(getattr(self.fn, "__name__", "port"), self.arg_names, conventions)
        fixes = _joined_fixes([h.fix for h in conventions])
        return Finding(
            kind="calling-convention", severity="warning",
            message=(f"the port raised {type(error).__name__} ({error}) on the arguments as given, in "
                     f"Octave's convention (every number a double, every vector a column); it runs when "
                     f"called as `{call}`. Call it that way (python_args=...), or {fixes}."
                     + ("" if best.matches else " Its outputs are compared under that call below.")),
            evidence={"call": call, "conventions": [h.what for h in conventions],
                      "error": f"{type(error).__name__}: {error}", "matches": best.matches})

    def find_label_shift(self, error: BaseException) -> tuple[list[Finding], Trial] | None:
        """No re-run explains a port that raised: labels shifted to 0-based, if then it runs.

        A port that indexes with 1-based labels raises ``IndexError``; when it also
        has a second mistake, no combination of re-runs matches. Run with the labels
        shifted (alone or with a convention), it can be compared, and that
        comparison names the second mistake.
        """
        conventions = self.hypotheses(causes=False)
        shifts = [h for h in self.hypotheses(conventions=False) if h.kind == "index-base"]
        runs = [self.trial((h,)) for h in shifts]
        runs += [self.trial((c, h)) for h in shifts for c in conventions][:30]
        ran = [t for t in runs if t.error is None and t.outputs is not None and math.isfinite(t.distance)]
        if not ran:
            return None
        best = min(ran, key=lambda t: (-t.matched, t.distance, len(t.hypotheses)))
        together = " and ".join(h.what for h in best.hypotheses)
        found = [Finding(
            kind="index-base", severity="error",
            message=(f"{h.cause}; {h.fix}. (The port raised {type(error).__name__} on the labels as given and "
                     f"runs with {together}; its outputs are compared under that call below.)"),
            evidence={"counterfactual": h.what, "error": f"{type(error).__name__}: {error}"})
            for h in best.hypotheses if h.kind == "index-base"]
        if any(h.kind == "calling-convention" for h in best.hypotheses):
            found.append(self.convention_finding(error, best))
        return found, best

    def compound(self, baseline: Trial, raised: bool) -> list[Finding]:
        found = compound_search(self, self.hypotheses(), raised, baseline)
        note = fix_order_note(found)
        if note:
            self.notes.append(note)
        return found

    def reference_repeat(self, ref: tuple[Any, ...]) -> list[Finding]:
        """Call the reference again on the same inputs: ``nondeterministic`` (its side) if it moved."""
        try:
            ref2 = self.run_octave(self.args)
        except (OctaveRuntimeError, OctaveTimeoutError):
            return []
        return explain_reference_nondeterminism(ref, ref2, self.names, self.rtol, self.atol)

    def check_capture(self, ref: tuple[Any, ...], values: Sequence[Any]) -> list[Finding]:
        """Perturb the parameter vector on both sides; the port must move when the reference does."""
        i = self.param_pos
        if i is None or not self.same_argument(i):
            return []
        args2 = list(self.args)
        py2 = list(self.py_args)
        args2[i] = perturb(self.args[i])
        py2[i] = perturb(self.py_args[i])
        try:
            ref2 = self.run_octave(args2)
        except (OctaveRuntimeError, OctaveTimeoutError):
            return []
        run = _call(self.fn, py2, quiet=True, timeout=self.extra_timeout)
        if run.error is not None:
            return []
        values2 = _split_outputs(run.outputs, self.nout, self.names).values
        n = min(self.n_compared, len(values), len(values2))
        port_same = n > 0 and all(_identical(values[k], values2[k]) for k in range(n))
        ref_same = all(_identical(ref[k], ref2[k]) for k in range(n))
        self.details["counterfactuals"].append(
            {"call": f"both sides at a perturbed {self.arg_names[i]}", "port_changed": not port_same,
             "reference_changed": not ref_same})
        return explain_capture(port_same, ref_same, self.arg_names[i])


def _is_single(value: Any) -> bool:
    """float32 data (an array, a NumPy scalar, or inside a dict of arrays)."""
    if isinstance(value, Mapping):
        return any(_is_single(v) for v in value.values())
    dtype = getattr(value, "dtype", None)
    return dtype is not None and dtype in (np.float32, np.complex64)


def _identical(a: Any, b: Any) -> bool:
    """Bit-for-bit equal numeric values (NaN equal to NaN)."""
    x, y = as_float_array(a), as_float_array(b)
    if x is None or y is None:
        return False
    return x.shape == y.shape and bool(np.array_equal(x, y, equal_nan=True))


def _located_blocks(by_part: Mapping[int, Sequence[tuple[int, Finding | None]]], names: Sequence[str],
                    layout: Layout | None) -> dict[tuple[str, str], Finding]:
    """(output, block) -> the trace's location for that block, where the reference stacks the output
    from one variable per layout block (same count, same sizes)."""
    out: dict[tuple[str, str], Finding] = {}
    if layout is None:
        return out
    for k, parts in by_part.items():
        if k >= len(names) or len(parts) != len(layout.blocks):
            continue
        if any(size != block.size for (size, _), block in zip(parts, layout.blocks)):
            continue
        for (_, where), block in zip(parts, layout.blocks):
            if where is not None:
                out[(names[k], block.name)] = where
    return out


def _fits(layout: Layout, value: Any) -> bool:
    try:
        return layout.fits(np.asarray(value))
    except Exception:  # noqa: BLE001
        return False


def _shape_of(value: Any) -> Any:
    if isinstance(value, (float, int, np.number)) and not isinstance(value, bool):
        return "scalar"
    shape = getattr(value, "shape", None)
    if shape is not None:
        return tuple(int(s) for s in shape) if len(shape) else "scalar"
    return type(value).__name__


def compare(
    function: str,
    port: Callable[..., Any] | str,
    args: Sequence[Any] = (),
    *,
    octave: Octave | None = None,
    nout: int | None = None,
    layout: Layout | Sequence[tuple[str, Sequence[int]]] | Mapping[str, Sequence[int]] | None = None,
    python_args: Sequence[Any] | None = None,
    rtol: float = DEFAULT_RTOL,
    atol: float = DEFAULT_ATOL,
    intermediates: bool = False,
    outputs: Sequence[str] | None = None,
    context: Mapping[str, Any] | None = None,
    timeout: float | None = None,
    wrt: int | None = None,
    grad: Callable[..., Any] | str | None = None,
    penalty: int | str | None = None,
    trace: bool | None = None,
) -> Report:
    """Run an Octave reference and its Python port on the same inputs and explain any difference.

    Parameters
    ----------
    function : str
        The Octave function (``"nnCostFunction"``, or folder-qualified ``"ex2/predict"``).
    port : callable or str
        The Python port, or ``"module:function"`` / ``"path/to/file.py:function"``.
    args : sequence
        Inputs for both sides. Each side receives its own copy; 1-D arrays
        reach Octave as columns.
    octave : Octave, optional
        The session to use; by default a temporary one is started and closed.
    nout : int, optional
        Outputs to request and compare (default: all the reference declares).
    layout : Layout or list of (name, shape), optional
        How a parameter vector unrolls into named blocks (column-major).
        Every output of the layout's length is compared block by block.
    python_args : sequence, optional
        Different inputs for the port where its signature differs.
    rtol, atol : float
        An element matches when ``|python - octave| <= atol + rtol*|octave|``.
        Defaults :data:`DEFAULT_RTOL` = 1e-7 and :data:`DEFAULT_ATOL` = 1e-10.
        When float32 data takes part, ``rtol`` is raised to :data:`SINGLE_RTOL`
        and each output's ``atol`` to ``SINGLE_RTOL`` times its largest
        reference value, with a ``precision`` warning saying so.
    intermediates : bool, default False
        The last output of each side is a struct / dict of named intermediate
        values; the first one that differs is reported as ``first-divergence``.
    outputs : sequence of str, optional
        Names of the outputs for the report (default ``"output 1"``, ...).
    context : mapping, optional
        ``{"m": ..., "lambda": ...}`` to name recognised factors; inferred from
        the arguments when omitted (rows of the first data matrix, a scalar
        parameter of the port named like ``lambda``).
    timeout : float, optional
        Seconds allowed for one call of either side: an Octave call past it is
        interrupted (``octave-error``), a port call past it is stopped and
        reported as ``python-error`` (PortTimeoutError).
    wrt : int, optional
        Index of the parameter-vector argument (default: one named like
        ``theta``/``params``, else the first argument when it is a vector). It
        gives the ``regularization`` checks their parameters and is the
        argument perturbed for ``lambda-capture``.
    grad : callable or str, optional
        The port's gradient function, when it keeps the cost and the gradient
        apart (``minimize(cost, x0, jac=grad)`` style): both are called with
        ``args`` and compared as the reference's two outputs.
    penalty : int or str, optional
        The port's penalty-weight argument (index or parameter name) for the
        λ = 0 re-run; by default a scalar parameter named like ``lambda_``,
        ``lamb``, ``lmbda``, ``reg_lambda``, ``l``... The reference's position
        is the same, or (with ``python_args``) the argument holding the same value.
    trace : bool, optional
        Record the intermediates of both sides and name the first line where
        they part (:mod:`portcheck.trace`). By default (None) a trace runs
        whenever the outputs differ: it names mistakes inside the computation
        (``extra-function``, ``missing-function``, ``extra-factor``,
        ``inverted-mask``, ``wrong-operand``, ``last-iteration``,
        ``first-divergence``) and attaches ``port_location`` /
        ``reference_location`` to the boundary findings it can pin to a line.
        ``False`` never traces; ``True`` traces even when the outputs agree
        (differing intermediates are then reported as ``info``). A trace
        costs one extra Octave call and two extra runs of the port.

    Returns
    -------
    Report
        ``check="compare"``; ``report.ok`` is False when any finding is an error.

    Raises
    ------
    PortError
        The port cannot be imported or is not callable.
    OctaveFunctionNotFoundError, AmbiguousFunctionError, OctaveSyntaxError
        The reference cannot be found or parsed (the message says what to do).
    InputError, LayoutError
        Arguments portcheck cannot send to Octave, or a malformed layout.

    Notes
    -----
    Counterfactual re-runs of the port (each reported only when the port then
    matches): integer inputs shifted by ±1 (``index-base``), vector inputs
    passed as 1-D / as columns (``broadcast``), the parameter vector
    re-unrolled in C order (``unroll-order``), and both sides with λ = 0
    (``regularization``). The port is always called twice (``nondeterministic``)
    and, when the parameter vector (see ``wrt``) is the same on both sides,
    once more at a perturbed point alongside the reference (``lambda-capture``).

    Examples
    --------
    >>> report = compare("nnCostFunction", my_port, args=(p, 3, 5, 3, X, y, 1.0),  # doctest: +SKIP
    ...                  octave=oc, layout=[("Theta1", (5, 4)), ("Theta2", (3, 6))])
    >>> report.ok                                                                      # doctest: +SKIP
    True
    """
    fn, port_name = load_port(port)
    if grad is not None:
        grad_fn, grad_name = load_port(grad)
        fn, port_name = with_gradient(fn, grad_fn), f"{port_name} + {grad_name}"
    if not isinstance(function, str) or not function:
        raise InputError(f"function must be the name of an Octave function, got {function!r}.")
    if isinstance(args, (str, bytes, np.ndarray)) or not isinstance(args, Sequence):
        raise InputError("args must be a tuple of arguments, e.g. args=(theta, X, y); wrap a single "
                         "array as args=(x,).")
    if python_args is not None and (isinstance(python_args, (str, bytes, np.ndarray))
                                    or not isinstance(python_args, Sequence)):
        raise InputError("python_args must be a tuple of arguments for the port.")
    for name, tol in (("rtol", rtol), ("atol", atol)):
        if not (isinstance(tol, (int, float)) and math.isfinite(tol) and tol >= 0):
            raise InputError(f"{name} must be a non-negative number, got {tol!r}.")
    if trace is not None and not isinstance(trace, bool):
        raise InputError(f"trace must be True, False or None (trace when the outputs differ), got {trace!r}.")
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, (int, float))
                                or not math.isfinite(timeout) or timeout <= 0):
        raise InputError(f"timeout must be a positive number of seconds (or None), got {timeout!r}.")
    if nout is not None and (isinstance(nout, bool) or not isinstance(nout, (int, np.integer)) or nout < 1):
        raise InputError(f"nout must be a positive integer, got {nout!r}.")
    lay = as_layout(layout)
    args_t = tuple(args)
    py_args_t = tuple(python_args) if python_args is not None else args_t

    own = octave is None
    oc = Octave() if own else octave
    try:
        reordered = None
        if python_args is None:
            found = _reference_order(fn, port_name, function, oc, len(args_t))
            if found is not None:
                fn, reordered = found
        return _compare(function, fn, port_name, args_t, py_args_t, oc, nout, lay, float(rtol), float(atol),
                        intermediates, outputs, context, timeout, wrt, penalty=penalty, trace=trace,
                        reordered=reordered)
    finally:
        if own:
            oc.close()


def _joined_fixes(fixes: Sequence[str]) -> str:
    """Fixes joined with "; ", those that share a lead-in ("flatten it at the top of the port:") said once."""
    groups: dict[str, list[str]] = {}
    for fix in fixes:
        head, sep, tail = fix.partition(": ")
        key = head if sep else fix
        groups.setdefault(key, []).append(tail if sep else "")
    parts = []
    for head, tails in groups.items():
        tails = [t for t in tails if t]
        if len(tails) > 1:
            parts.append(f"{head.replace(' it ', ' them ')}: {', '.join(tails)}")
        else:
            parts.append(f"{head}: {tails[0]}" if tails else head)
    return "; ".join(parts)


def _reference_order(fn: Callable[..., Any], port_name: str, function: str, oc: Octave,
                     n: int) -> tuple[Callable[..., Any], Finding] | None:
    """The port wrapped to take the reference's argument order, when its names say the order differs.

    ``cost(X, y, theta, lam)`` ported from ``costFunctionReg(theta, X, y,
    lambda)`` would otherwise be called with theta as X; its parameter names,
    matched one for one with the ``.m`` file's, say where each argument goes.
    """
    try:
        bare, folder = oc.resolve(function)
        files = [Path(folder) / f"{bare}.m"] if folder else oc.function_files(bare)
    except PortcheckError:
        return None
    ref_names = m_file_parameters(files[0]) if files else None
    port_names = _parameter_names(fn, n)
    order = argument_order(port_names, ref_names) if ref_names and len(ref_names) == n else None
    if order is None:
        return None
    call = f"{getattr(fn, '__name__', 'port')}({', '.join(ref_names[j] for j in order)})"
    finding = Finding(
        kind="calling-convention", severity="warning",
        message=(f"the port takes the reference's arguments in another order, {port_name}"
                 f"({', '.join(port_names)}) for {bare}({', '.join(ref_names)}); matched by name, it is called "
                 f"as `{call}`. Pass python_args= to call it otherwise."),
        evidence={"call": call, "conventions": ["arguments matched by name"], "order": order})
    return in_reference_order(fn, order), finding


def _compare(function: str, fn: Callable[..., Any], port_name: str, args: tuple, py_args: tuple, oc: Octave,
             nout: int | None, lay: Layout | None, rtol: float, atol: float, intermediates: bool,
             outputs: Sequence[str] | None, context: Mapping[str, Any] | None, timeout: float | None,
             wrt: int | None, penalty: int | str | None = None,
             trace: bool | None = None, reordered: Finding | None = None) -> Report:
    if nout is None:
        nout = oc.nargout(function)
    if not isinstance(nout, (int, np.integer)) or nout < 1:
        raise InputError(f"nout must be a positive integer, got {nout!r}.")
    nout = int(nout)
    if intermediates and nout < 2:
        raise InputError("intermediates=True needs at least two outputs: the results, then the struct "
                         "of intermediates as the last output.")
    names = list(outputs) if outputs is not None else []
    names += [f"output {i + 1}" for i in range(len(names), nout)]
    if intermediates and outputs is None:
        names[-1] = "intermediates"
    cmp = _Comparison(function, fn, port_name, args, py_args, oc, nout, names[:nout], lay, rtol, atol,
                      intermediates, context, timeout, wrt)
    cmp.penalty = penalty
    if penalty is not None:
        penalty_pairs(args, py_args, cmp.arg_names, penalty)  # a bad choice fails now, with its message
    title = f"{function}  vs  {port_name}"
    cmp.notes += load_notes(fn)
    if reordered is not None:
        cmp.findings.append(reordered)

    # The reference. Errors the user must fix before anything can run propagate;
    # a reference that fails on these inputs is a finding.
    ref: tuple[Any, ...] | None
    try:
        ref = cmp.run_octave(args)
    except (OctaveRuntimeError, OctaveTimeoutError) as exc:
        cmp.findings.append(octave_error(exc, function))
        ref = None

    started = time.perf_counter()
    first = _call(fn, py_args, timeout=timeout)
    cmp.extra_timeout = _extra_call_budget(time.perf_counter() - started, timeout)
    cmp.findings += explain_mutation(py_args, first.args_after, cmp.arg_names)
    cmp._ref = ref
    if first.error is not None and ref is not None and not isinstance(first.error, PortTimeoutError):
        # Many ports work only when called their own way (integer labels, 1-D vectors): find that
        # call, say so, and compare under it so the port's real mistakes still show.
        conv = cmp.find_convention(first.error)
        if conv is not None:
            cmp.findings.append(conv[0])
            py_args = cmp.py_args = conv[1].args
            started = time.perf_counter()
            first = _call(fn, py_args, timeout=timeout)
            cmp.extra_timeout = _extra_call_budget(time.perf_counter() - started, timeout)
    if first.error is not None:
        cmp.findings.append(python_error(first.error, port_name))

    if ref is None:
        if first.error is None:
            cmp.notes.append("The reference failed, so the port's outputs were not compared.")
        return _report(cmp, title)

    if first.error is not None:
        # A port that hung would hang again in every counterfactual re-run.
        found = [] if isinstance(first.error, PortTimeoutError) else cmp.counterfactuals(ref, first.error)
        shifted = None
        if not isinstance(first.error, PortTimeoutError) and not any(
                f.severity == "error" and f.kind != "mismatch" for f in found):
            shifted = cmp.find_label_shift(first.error)
        found = locate_at_raise(found, first.error)
        if shifted is not None:
            cmp.findings += locate_at_raise(shifted[0], first.error)
            py_args = cmp.py_args = shifted[1].args
            first = _call(fn, py_args, timeout=timeout)
    if first.error is not None:
        if any(f.kind == "calling-convention" for f in found):
            # The convention explains the exception: it is no longer a separate failure.
            cmp.findings = [f for f in cmp.findings if f.kind != "python-error"]
        cmp.findings += found
        rows = [(n, _shape_of(ref[i]), "raised", None, None, "not compared", "-")
                for i, n in enumerate(names[:cmp.n_compared])]
        cmp.tables.append(Table(title="Outputs: OCTAVE (reference) vs PYTHON (port)",
                                columns=("output", "OCTAVE shape", "PYTHON shape", "max abs error",
                                         "max rel error", "mismatched", "worst element"), rows=tuple(rows)))
        return _report(cmp, title)

    split = _split_outputs(first.outputs, nout, names)
    cmp.notes += split.notes
    cmp.findings += split.findings
    values = split.values

    second = _call(fn, py_args, quiet=True, timeout=cmp.extra_timeout)
    nondet: list[Finding] = []
    if second.error is None:
        values2 = _split_outputs(second.outputs, nout, names).values
        nondet = explain_nondeterminism(values, values2, names, rtol, atol)
    else:
        nondet = [Finding(kind="nondeterministic", severity="error",
                          message=f"the port raised {type(second.error).__name__} on the second of two "
                                  f"identical calls, but not on the first: it keeps state between calls.")]
    cmp.findings += nondet

    cmp.findings += cmp.widen_for_single(ref, values)
    per_output = cmp.compare_outputs(ref, values)
    per_output = cmp.accept_training(ref, values, per_output)
    output_findings = [f for fs in per_output.values() for f in fs]
    mismatched = any(f.severity == "error" for f in output_findings)
    # The reference runs twice like the port: a reference that is not a function of
    # its inputs (rand, global state) is blamed, never the port, even when one draw matched.
    ref_nondet = cmp.reference_repeat(ref)
    if ref_nondet:
        cmp.findings = [f for f in cmp.findings if f.kind != "nondeterministic"] + ref_nondet
        return _report(cmp, title)
    unexplained = any(
        not any(f.kind in _EXPLAINED for f in fs) and any(f.severity == "error" for f in fs)
        for fs in per_output.values()
    )
    if unexplained and not nondet:
        found = cmp.counterfactuals(ref, None)
        if found:
            blown_up = [f for f in output_findings if f.kind == "broadcast"]
            proof = [f for f in found if f.kind == "broadcast"]
            if blown_up and proof:
                found = [combine_broadcast(b, proof[0]) for b in blown_up]
            drop = {"mismatch"} | ({"broadcast"} if proof else set())
            if not any(f.kind == "mismatch" for f in found):
                # The re-runs explain the outputs in full: the port's NaN (a mean over the empty
                # class that a 0-based loop asks for) is their symptom, not a mistake of its own.
                drop.add("non-finite")
            output_findings = [f for f in output_findings if f.kind not in drop or f.severity != "error"]
            output_findings += found
    cmp.findings += output_findings

    if not mismatched and not nondet and not split.findings:
        cmp.findings += cmp.check_capture(ref, values)

    outputs_differ = mismatched or bool(split.findings)
    # Intermediates the user returned already localise the difference; a
    # trace on top would report the same divergence twice.
    if trace or (trace is None and outputs_differ and not nondet and not intermediates):
        cmp.findings = cmp.traced(cmp.findings, outputs_differ)
    cmp.findings, dropped = drop_scale_beside_broadcast(cmp.findings)
    if dropped:
        cmp.notes.append("A factor of about m in another output comes from summing the (m,m) blow-up; it is "
                         "not reported as a separate scale mistake.")

    if intermediates:
        outputs_differ = mismatched or bool(split.findings)
        if len(values) >= nout:
            loc = first_divergence(ref[-1], values[-1], cmp.subject(names[-1]), outputs_differ)
            cmp.findings += loc.findings
            cmp.notes += loc.notes
            if loc.rows:
                cmp.tables.append(Table(
                    title=f"{names[-1]}: first to last",
                    columns=("intermediate", "OCTAVE shape", "PYTHON shape", "max abs error",
                             "max rel error", "mismatched", "worst element"),
                    rows=tuple(loc.rows)))
        else:
            cmp.notes.append("The port returned no intermediates to localise with.")
    return _report(cmp, title)


def _report(cmp: _Comparison, title: str) -> Report:
    return Report(
        check="compare",
        title=title,
        findings=merge_findings(cmp.findings),
        tables=tuple(cmp.tables),
        notes=tuple(dict.fromkeys(cmp.notes)),
        details=cmp.details,
    )


def assert_port(
    function: str,
    port: Callable[..., Any] | str,
    args: Sequence[Any] = (),
    *,
    octave: Octave | None = None,
    nout: int | None = None,
    layout: Layout | Sequence[tuple[str, Sequence[int]]] | Mapping[str, Sequence[int]] | None = None,
    python_args: Sequence[Any] | None = None,
    rtol: float = DEFAULT_RTOL,
    atol: float = DEFAULT_ATOL,
    intermediates: bool = False,
    outputs: Sequence[str] | None = None,
    context: Mapping[str, Any] | None = None,
    timeout: float | None = None,
    wrt: int | None = None,
    grad: Callable[..., Any] | str | None = None,
    penalty: int | str | None = None,
    trace: bool | None = None,
) -> Report:
    """:func:`compare`, raising ``AssertionError(str(report))`` when the report is not ok.

    Takes exactly :func:`compare`'s arguments and returns the report when it
    passes, so warnings can still be inspected. Meant for test suites::

        def test_cost(octave):
            portcheck.assert_port("nnCostFunction", nn_cost, args, octave=octave)

    Raises
    ------
    AssertionError
        With the rendered report as its message, when a finding is an error.
    """
    __tracebackhide__ = True  # pytest shows the test's line and the report, not portcheck's frames
    report = compare(function, port, args, octave=octave, nout=nout, layout=layout, python_args=python_args,
                     rtol=rtol, atol=atol, intermediates=intermediates, outputs=outputs, context=context,
                     timeout=timeout, wrt=wrt, grad=grad, penalty=penalty, trace=trace)
    if not report.ok:
        raise AssertionError(str(report))
    return report
