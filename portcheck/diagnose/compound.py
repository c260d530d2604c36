"""Compound causes: two mistakes at once, and ports that work only when called another way.

The single counterfactual re-runs (``indexing``, ``shapes``, ``order``, the
λ = 0 re-run in compare) each test one hypothesis and report it only when the
port then matches. Real ports often carry two mistakes (C order *and* 0-based
labels), or need another calling convention (integer labels, a 1-D ``y``)
before anything else can be seen. Here every hypothesis is data — how it
changes the port's arguments, the reference's arguments, the port's outputs —
so they can be combined:

1. pairs of hypotheses on different arguments, re-run together: a pair that
   makes the port match names two causes;
2. a hypothesis that brings the port closer, followed by the array-level
   diagnosis of what still differs (C order, then a missing regularization
   term in the gradient);
3. failing both, the hypothesis that explains part of the difference, and the
   rest reported as unexplained.

Every cause is its own finding; each says whether to fix it first. The
re-runs go through a :class:`Trials` object that compare provides; nothing
here calls Octave or the port directly.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import numpy as np

from ..report import Finding
from ._arrays import is_integer_valued

__all__ = ["applied_order", "Hypothesis", "Trial", "Trials", "convention_hypotheses", "cause_hypotheses", "search", "call_text",
           "fix_order_note"]

#: Fix order: a cause earlier in this list hides the others, so it is fixed first.
_PRIORITY = {"calling-convention": 0, "unroll-order": 1, "broadcast": 2, "transposed": 2, "index-base": 3,
             "regularization": 4}


@dataclass(frozen=True)
class Hypothesis:
    """One counterfactual: a change to the inputs (and outputs) that would undo one mistake.

    Attributes
    ----------
    kind : str
        The finding kind it proves (``"index-base"``, ``"unroll-order"``, ...).
    argument : int or None
        Port argument it changes (two hypotheses on one argument never combine).
    what : str
        The re-run in words: ``"y - 1"``, ``"nn_params re-unrolled in C order"``.
    fix : str
        What to change in the port.
    port : callable
        ``args -> args`` for the port.
    reference : callable, optional
        ``args -> args`` for the reference (the λ = 0 re-run changes both sides).
    outputs : callable, optional
        ``outputs -> outputs`` applied to the port's outputs before comparing.
    convention : str, optional
        For ``calling-convention``: the argument as the port wants it (``"y.ravel().astype(int)"``).
    """

    kind: str
    argument: int | None
    what: str
    fix: str
    port: Callable[[tuple], tuple]
    reference: Callable[[tuple], tuple] | None = None
    outputs: Callable[[tuple], tuple] | None = None
    convention: str | None = None
    #: The kind to report when the port ran on the original arguments (a 1-D/column convention
    #: that fixes silently wrong numbers is a ``broadcast`` mistake, not a preference).
    silent_kind: str | None = None
    #: The mistake in a sentence ("the port rolls nn_params into matrices in C order").
    cause: str | None = None


@dataclass
class Trial:
    """The port re-run under some hypotheses."""

    hypotheses: tuple[Hypothesis, ...]
    args: tuple = ()
    outputs: tuple | None = None
    reference: tuple | None = None
    error: BaseException | None = None
    matches: bool = False
    #: Outputs that match, and the largest error relative to each output's scale (inf when not comparable).
    matched: int = 0
    distance: float = float("inf")
    findings: list[Finding] = field(default_factory=list)


class Trials(Protocol):
    """What compare provides to run and judge re-runs."""

    def trial(self, hypotheses: Sequence[Hypothesis]) -> Trial: ...

    def residual(self, trial: Trial) -> list[Finding] | None:
        """Array-level findings that explain every remaining difference of ``trial``, or None."""
        ...


# -- building hypotheses ------------------------------------------------------------------


def _replace_arg(i: int, f: Callable[[Any], Any]) -> Callable[[tuple], tuple]:
    def change(args: tuple) -> tuple:
        new = list(args)
        new[i] = f(new[i])
        return tuple(new)
    return change


def _is_labels(a: Any) -> bool:
    return (isinstance(a, np.ndarray) and a.size >= 2 and np.issubdtype(a.dtype, np.floating)
            and (a.ndim == 1 or (a.ndim == 2 and 1 in a.shape)) and is_integer_valued(a) and a.min() >= 0
            and len(np.unique(a)) >= 2)


def convention_hypotheses(args: Sequence[Any], names: Sequence[str]) -> list[Hypothesis]:
    """The plausible other ways to call a port with MATLAB-shaped inputs.

    Octave hands every number over as a double and every vector as a column;
    ports are written for integer labels and sizes, 1-D vectors, or examples in
    columns. One hypothesis per argument and convention.
    """
    out: list[Hypothesis] = []
    from ..conventions import is_penalty_name

    # Sizes and counts (num_labels = 10.0); a penalty weight that happens to be 1.0 is no size.
    ints = [i for i, a in enumerate(args) if isinstance(a, (float, np.floating)) and float(a).is_integer()
            and float(a) >= 1 and not (i < len(names) and is_penalty_name(names[i]))]
    if ints:
        labels = ", ".join(names[i] for i in ints)

        def as_ints(a: tuple, ints: list[int] = ints) -> tuple:
            return tuple(int(v) if k in ints else v for k, v in enumerate(a))

        out.append(Hypothesis("calling-convention", None, f"{labels} passed as Python ints",
                              f"convert inside the port: `{names[ints[0]]} = int({names[ints[0]]})`",
                              as_ints, convention=" / ".join(f"int({names[i]})" for i in ints)))
    for i, a in enumerate(args):
        label = names[i]
        if not isinstance(a, np.ndarray) or a.size < 2:
            continue
        vector = a.ndim == 1 or (a.ndim == 2 and 1 in a.shape)
        if _is_labels(a):
            if a.ndim == 2:
                out.append(Hypothesis(
                    "calling-convention", i, f"{label} passed as 1-D integers",
                    f"convert inside the port: `{label} = np.asarray({label}).ravel().astype(int)`",
                    _replace_arg(i, lambda v: np.asarray(v).reshape(-1).astype(np.int64)),
                    convention=f"{label}.ravel().astype(int)"))
            out.append(Hypothesis(
                "calling-convention", i, f"{label} passed as integers",
                f"convert inside the port: `{label} = np.asarray({label}).astype(int)`",
                _replace_arg(i, lambda v: np.asarray(v).astype(np.int64)), convention=f"{label}.astype(int)"))
        if vector and a.ndim == 2:
            out.append(Hypothesis(
                "calling-convention", i, f"{label} passed as a 1-D vector",
                f"flatten it at the top of the port: `{label} = np.ravel({label})`",
                _replace_arg(i, lambda v: np.asarray(v).reshape(-1)), convention=f"{label}.ravel()",
                silent_kind="broadcast"))
        elif vector:
            out.append(Hypothesis(
                "calling-convention", i, f"{label} passed as a column",
                f"make it a column at the top of the port: `{label} = np.reshape({label}, (-1, 1))`",
                _replace_arg(i, lambda v: np.asarray(v).reshape(-1, 1)), convention=f"{label}.reshape(-1, 1)",
                silent_kind="broadcast"))
        elif a.ndim == 2 and a.shape[0] != a.shape[1]:
            out.append(Hypothesis(
                "calling-convention", i, f"{label} passed transposed (examples in columns)",
                f"the port keeps examples in columns; transpose at the call (`{label}.T`) or inside the port",
                _replace_arg(i, lambda v: np.asarray(v).T.copy()), convention=f"{label}.T"))
    return out


def call_text(name: str, names: Sequence[str], hypotheses: Sequence[Hypothesis]) -> str:
    """``port(theta, X, y.ravel().astype(int), lambda_)``: the call that works."""
    shown = list(names)
    for h in hypotheses:
        if h.kind != "calling-convention" or not h.convention:
            continue
        if h.argument is not None and h.argument < len(shown):
            shown[h.argument] = h.convention
        elif h.argument is None:
            for part in h.convention.split(" / "):
                inner = part[part.index("(") + 1:-1]
                if inner in shown:
                    shown[shown.index(inner)] = part
    return f"{name}({', '.join(shown)})"


def cause_hypotheses(args: Sequence[Any], names: Sequence[str], *, layout: Any = None, param: int | None = None,
                     penalties: Sequence[tuple[int, int, str]] = ()) -> list[Hypothesis]:
    """The mistakes a re-run can undo: labels shifted by one, C-order unrolling, the penalty term.

    ``penalties`` holds ``(reference index, port index, label)`` of the
    penalty weights (see :func:`portcheck.conventions.penalty_pairs`).
    """
    from .indexing import integer_inputs
    from .order import _from_c_blocks, _to_c_blocks

    out: list[Hypothesis] = []
    for i in integer_inputs(args):
        label = names[i]
        for shift in (-1, 1):
            if np.asarray(args[i]).min() + shift < 0:
                continue
            fix = (f"labels are 1-based in MATLAB: index with `{label} - 1` (and compare with `k + 1` in a "
                   "0-based loop)" if shift < 0 else
                   "the port subtracts 1 from labels that are already 0-based, or compares a 0-based index "
                   "with 1-based labels; shift by one only once")
            cause = (f"the port treats {label} as 0-based labels" if shift < 0 else
                     f"the port shifts {label} by one too many")
            out.append(Hypothesis("index-base", i, f"{label} {'-' if shift < 0 else '+'} 1", fix, cause=cause,
                                  port=
                                  _replace_arg(i, lambda v, s=shift: (np.asarray(v) + s).astype(np.asarray(v).dtype))))
    if (layout is not None and param is not None and param < len(args) and isinstance(args[param], np.ndarray)
            and layout.fits(args[param]) and any(len(b.shape) == 2 and 1 not in b.shape for b in layout)):
        label = names[param]
        fix = ("use `reshape(..., order='F')` / `ravel(order='F')` (Octave's `reshape` and `Theta(:)` are "
               "column-major)")
        to_c = _replace_arg(param, lambda v: _to_c_blocks(v, layout))
        cause = f"the port rolls {label} into matrices in C (row-major) order"
        out.append(Hypothesis("unroll-order", param, f"{label} re-unrolled in C order", fix, to_c,
                              outputs=lambda outs: tuple(_from_c_blocks(o, layout) for o in outs),
                              cause=cause + " and unrolls its gradient the same way"))
        out.append(Hypothesis("unroll-order", param, f"{label} re-unrolled in C order (outputs as returned)",
                              fix, to_c, cause=cause))
    for j, i, label in penalties:
        fix = ("check the penalty term's factor (λ/(2m)·Σθ² in the cost, (λ/m)·θ in the gradient) and that "
               "the bias weights are left out")
        out.append(Hypothesis("regularization", i, f"{label} = 0 on both sides", fix,
                              _replace_arg(i, lambda v: 0.0), reference=_replace_arg(j, lambda v: 0.0),
                              cause=f"the mistake is in the term {label} multiplies"))
    return out


# -- the search -----------------------------------------------------------------------------


def _compatible(hs: Sequence[Hypothesis]) -> bool:
    """At most one change of each kind per argument: a calling convention (integer labels) may
    combine with a mistake on the same argument (0-based labels); two conventions may not."""
    slots = [(h.argument, h.kind == "calling-convention") for h in hs]
    return len(slots) == len(set(slots))


def applied_order(hs: Sequence[Hypothesis]) -> list[Hypothesis]:
    """Conventions first: a label shift applies to the labels as the port wants them."""
    return sorted(hs, key=lambda h: h.kind != "calling-convention")


def _cause_findings(hs: Sequence[Hypothesis], residual: Sequence[Finding], raised: bool,
                    partial: bool = False) -> list[Finding]:
    """One finding per cause, numbered in the order to fix them."""
    causes: list[tuple[str, Any]] = [((h.silent_kind or h.kind) if not raised else h.kind, h) for h in hs]
    causes += [(f.kind, f) for f in residual]
    causes.sort(key=lambda c: _PRIORITY.get(c[0], 5))
    # Findings of one kind (the same missing term in two blocks) are one cause.
    number: dict[str, int] = {}
    for kind, _ in causes:
        number.setdefault(kind, len(number) + 1)
    n = len(number)
    out = []
    for kind, item in causes:
        k = number[kind]
        if n > 1:
            head = f"cause {k} of {n}" + (" (fix this first)" if k == 1 else "") + ": "
        else:
            head = "one cause (fix this first): " if partial else ""
        if isinstance(item, Hypothesis):
            severity = "warning" if (kind == "calling-convention" and raised) else "error"
            together = " and ".join(h.what for h in hs)
            cause = item.cause
            if cause is None and kind == "broadcast":
                cause = (f"the port is right only with {item.what}: inside, a (m,1) column and a (m,) vector "
                         f"broadcast to (m,m)")
            elif cause is None:
                cause = f"the port works only with {item.what}"
            msg = (f"{head}{cause}; {item.fix}. (The port matches the reference when "
                   f"re-run with {together}.)")
            out.append(Finding(kind=kind, severity=severity, message=msg,
                               evidence={"counterfactual": item.what, "compound": n > 1, "fix_order": k,
                                         "argument": None if item.argument is None else item.argument + 1}))
        else:
            out.append(replace(item, message=f"{head}seen once the changes above are made, {item.message}",
                               evidence={**item.evidence, "compound": n > 1, "fix_order": k}))
    return out


def search(trials: Trials, hypotheses: Sequence[Hypothesis], raised: bool, baseline: Trial,
           max_pairs: int = 60) -> list[Finding]:
    """Combine hypotheses until the port matches; name every cause, or what is left unexplained.

    Parameters
    ----------
    trials : Trials
        Runs a combination and judges it against the (possibly re-run) reference.
    hypotheses : sequence of Hypothesis
        Everything worth trying on this port.
    raised : bool
        The port raised on the arguments as given (a calling convention that
        only makes it run is then a warning, not an error).
    baseline : Trial
        The port as given (its distance is what a hypothesis must improve).
    """
    singles: list[Trial] = []
    for h in hypotheses:
        t = trials.trial((h,))
        if t.matches:
            return _cause_findings((h,), (), raised)
        singles.append(t)
    # One hypothesis, then what the array-level diagnosis says about the rest (its messages name
    # the second mistake more precisely than a re-run can).
    improved = [t for t in singles if t.error is None and (t.matched > baseline.matched
                                                           or t.distance < 0.1 * baseline.distance)]
    improved.sort(key=lambda t: (-t.matched, t.distance))
    for t in improved:
        rest = trials.residual(t)
        if rest:
            return _cause_findings(t.hypotheses, rest, raised)
    for size in (2, 3):
        combos = [p for p in itertools.combinations(hypotheses, size) if _compatible(p)][:max_pairs * (size - 1)]
        for p in combos:
            t = trials.trial(p)
            if t.matches:
                return _cause_findings(p, (), raised)
    if improved:
        t = improved[0]
        found = _cause_findings(t.hypotheses, (), raised, partial=True)
        left = [f for f in t.findings if f.severity == "error"]
        where = "; ".join(f.message.rstrip(".") for f in left[:2]) or "the outputs still differ"
        found.append(Finding(
            kind="mismatch", severity="error",
            message=(f"not explained: with {t.hypotheses[0].what} the port comes closer but still differs "
                     f"({where}); fix the cause above first, then run portcheck again."),
            evidence={"after": [h.what for h in t.hypotheses], "matched_outputs": t.matched,
                      "distance": t.distance}))
        return found
    return []


def fix_order_note(findings: Sequence[Finding]) -> str | None:
    """One line naming the order of fixes when several causes were found together."""
    steps = sorted({f.evidence["fix_order"]: f.kind for f in findings
                    if f.evidence.get("compound") and f.evidence.get("fix_order")}.items())
    if len(steps) < 2:
        return None
    return "Several mistakes at once; fix them in this order: " + ", then ".join(k for _, k in steps) + "."


# -- two mistakes in one array -------------------------------------------------------------


def explain_shifted_sequence(ref: np.ndarray, cand: np.ndarray, subject: Any) -> list[Finding]:
    """A generated sequence one step off (``sin(0:n-1)`` for ``sin(1:n)``), possibly also filled in C order.

    Reads the reference column-major (how ``reshape(1:n, ...)`` fills it) and
    the port both ways; when the port's sequence is the reference's moved by
    one position, the range starts at 0 (or 2) where MATLAB's starts at 1, and a
    row-major read adds an ``unroll-order`` cause.
    """
    from ._arrays import allclose

    r = np.asarray(ref)
    c = np.asarray(cand)
    if r.shape != c.shape or r.size < 4 or not np.isrealobj(r) or not np.isrealobj(c):
        return []
    rs = r.ravel(order="F")
    if allclose(rs[1:], rs[:-1], subject.rtol, subject.atol):
        return []  # a constant sequence moves onto itself: no evidence
    orders = ("F", "C") if r.ndim == 2 and 1 not in r.shape else ("F",)
    for order in orders:
        cs = c.ravel(order=order)
        for shift in (1, -1):
            a, b = (cs[1:], rs[:-1]) if shift == 1 else (cs[:-1], rs[1:])
            if not allclose(b, a, subject.rtol, subject.atol):
                continue
            early = shift == 1
            index = subject.finding(
                "index-base",
                (f"{subject.subject} is {subject.reference}'s sequence moved one step "
                 f"{'later' if early else 'earlier'}: the port's range starts at {'0' if early else '2'} where "
                 f"MATLAB's `1:n` starts at 1; use `np.arange(1, n + 1)` (e.g. `np.sin(np.arange(1, n + 1))`)."),
                offset=-1 if early else 1, order=order, compound=order == "C", fix_order=2 if order == "C" else 1)
            if order == "F":
                return [index]
            fill = subject.finding(
                "unroll-order",
                (f"cause 1 of 2 (fix this first): {subject.subject} is filled in C (row-major) order: "
                 f"`reshape(..., order='F')` (MATLAB's `reshape` fills column by column)."),
                order="C", compound=True, fix_order=1)
            index = replace(index, message="cause 2 of 2: " + index.message)
            return [fill, index]
    return []
