"""From evidence and verdicts to findings, tables and notes (no evaluations here)."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..report import Finding, Report, Table, merge_findings
from ._evidence import Evidence
from ._explain import block_pattern, explain_block
from ._probes import ELEMENT
from ._search import SIGNIFICANT
from ._static import complex_hints_python, octave_ctranspose_lines
from ._verdict import BAD, KINK, OK, Judgement, TaylorResult, judge, taylor_verdict

__all__ = ["build_report", "error_report"]

OUTPUT = "grad"


def _rel_figure(num: np.ndarray, ana: np.ndarray) -> float:
    """The course's figure ``norm(num - ana) / norm(num + ana)``."""
    den = float(np.linalg.norm(num + ana))
    diff = float(np.linalg.norm(num - ana))
    if den == 0:
        return 0.0 if diff == 0 else float("inf")
    return diff / den


def _where(ev: Evidence, p: int) -> str:
    return ev.probes.label(p, ev.layout)


def _subs(ev: Evidence, p: int) -> str:
    """``(2,3)`` 1-based inside its block, or ``direction 2``."""
    label = _where(ev, p)
    return label[len(ev.layout.blocks[int(ev.probes.block[p])].name):].strip()


_TAYLOR_SHORT = {"second-order": "h² (ok)", "first-order": "h (wrong)", "at-noise-floor": "noise floor",
                 "mixed": "mixed"}


def error_report(title: str, kind: str, message: str, details: Mapping[str, Any] | None = None,
                 extra: Sequence[Finding] = ()) -> Report:
    """A report for a check that could not run (the function failed at x)."""
    f = Finding(kind, "error", message, output=None)
    return Report(check="gradient", title=title, findings=merge_findings(list(extra), [f]),
                  details=dict(details or {}))


def _complex_notes(ev: Evidence, fun: Any) -> list[str]:
    notes: list[str] = []
    status = ev.complex_status
    if not status:
        return notes
    names = [b.name for b in ev.layout.blocks]
    used = [names[b] for b, s in status.items() if s == "ok"]
    refused = {names[b]: s for b, s in status.items() if s not in ("ok", "")}
    if used and not refused:
        notes.append(f"complex step used for every block ({', '.join(used)}): derivatives exact to rounding.")
    elif used:
        notes.append(f"complex step used for {', '.join(used)}.")
    if refused:
        reasons = Counter(refused.values())
        for why, _ in reasons.most_common():
            blocks = [k for k, v in refused.items() if v == why]
            notes.append(f"complex step not usable for {', '.join(blocks)}: {why}; central differences instead.")
        if ev.source.get("language") == "octave":
            lines = octave_ctranspose_lines(ev.source.get("text", ""))
            if lines:
                fname = ev.source.get("function", "the function")
                shown = ", ".join(str(v) for v in lines[:8])
                notes.append(
                    f"{fname}.m uses ' (the conjugate transpose) on line{'s' * (len(lines) > 1)} {shown}: on the "
                    "complex step it conjugates, flipping the sign of the derivative it carries; .' (plain "
                    "transpose) would keep the function complex-step safe.")
        elif fun is not None and not isinstance(fun, str):
            hints = complex_hints_python(fun)
            if hints:
                notes.append("calls that usually break the complex step in its source: " + ", ".join(hints) + ".")
    return notes


def _side_findings(ev: Evidence, nondet_tol: float) -> list[Finding]:
    out: list[Finding] = []
    if ev.mutation is not None:
        m = ev.mutation
        what = (f"({m['elements_changed']} element(s), e.g. flat index {m['first'] + 1})"
                if m.get("elements_changed") is not None else f"(a write at {m.get('where')}, on some calls only)")
        out.append(Finding(
            "mutates-input", "error",
            f"the objective changed x in place {what}: scipy.optimize hands it its own iterate, so writes such "
            "as `theta -= ...` or `theta[0] = 0` corrupt the optimization. Work on a copy "
            "(`theta = theta.copy()`) or build new arrays. portcheck evaluated on copies, so the check itself is "
            "unaffected.",
            output="x", evidence=dict(m)))
    for a in ev.arg_mutations:
        out.append(Finding(
            "mutates-input", "error",
            f"the objective changed its argument {a['argument']} in place; the next call sees different data. "
            "portcheck passed copies; copy inside the function before modifying.",
            output=f"argument {a['argument']}", evidence=dict(a)))
    if ev.g_again is not None and np.isfinite(ev.f0_again):
        df = abs(ev.f0 - ev.f0_again)
        # Equal gradients (the usual case) settle it in one pass; the largest difference only when they differ.
        same = np.array_equal(ev.g, ev.g_again)
        dg = 0.0 if same or not ev.g.size else float(np.max(np.abs(ev.g - ev.g_again)))
        gscale = 0.0 if same or not ev.g.size else float(np.max(np.abs(ev.g)))
        if df > max(nondet_tol, ev.prec.noise(ev.f0)) or dg > max(nondet_tol, 16 * ev.prec.eps * gscale):
            out.append(Finding(
                "nondeterministic", "error",
                f"two calls at the same x differ (cost by {df:.3g}, gradient by up to {dg:.3g}): random "
                "dropout, sampling or an unseeded generator inside the objective. Finite differences need "
                "a deterministic function: fix the seed or disable the randomness for the check; the "
                "verdicts below are unreliable.",
                evidence={"cost_difference": df, "grad_difference": dg}))
    if ev.prec.single:
        out.append(Finding(
            "precision", "warning",
            f"single precision (float32): a central difference resolves only about {ev.prec.digits} "
            f"significant digits here, so relative differences below {ev.prec.rtol:.1e} are noise; steps were "
            f"sized for float32 (h ≈ {ev.prec.h_rel:.1e}·max(1,|x|)). Run the check in float64 for a sharper "
            "test.", evidence={"eps": ev.prec.eps, "digits": ev.prec.digits, "rtol": ev.prec.rtol}))
    return out


def _flat(ev: Evidence) -> np.ndarray:
    """Probes along which the cost did not move at all (bit for bit)."""
    with np.errstate(invalid="ignore"):
        c_flat = np.isfinite(ev.fc) & (ev.fc == 0)
        r_flat = np.isfinite(ev.fp) & (ev.fp == ev.f0) & (ev.fm == ev.f0)
    return c_flat | r_flat


def _shared_explain(ev: Evidence, jd: Judgement, context: Mapping[str, Any]) -> list[Finding] | None:
    """The compare engineer's array-level diagnosis, for full (every element) checks."""
    try:
        from ..diagnose import explain_difference
    except ImportError:
        return None
    num = np.array(ev.g, dtype=float)
    idx = ev.probes.index
    num[idx] = jd.num
    noise = ev.noise / ev.probes.h
    try:
        found = explain_difference(
            num, np.array(ev.g, dtype=float), output=OUTPUT, layout=ev.layout, params=ev.x.copy(),
            rtol=ev.prec.rtol, atol=float(3 * np.median(noise)), reference_label="numerical",
            candidate_label="analytic", context=dict(context))
    except Exception:  # noqa: BLE001 - a diagnosis failure must not hide the verdict
        return None
    return list(found)


def build_report(
    ev: Evidence,
    title: str,
    *,
    full: bool,
    method: str,
    static: Sequence[Finding],
    context: Mapping[str, Any],
    nondet_tol: float,
    fun: Any = None,
    notes: Sequence[str] = (),
    details: Mapping[str, Any] | None = None,
) -> Report:
    """Judge the evidence and assemble the report: findings, tables, notes, details."""
    jd = judge(ev)
    taylor: dict[int, TaylorResult] = {}
    for sw in ev.sweeps:
        if sw.f is not None:
            taylor[sw.block] = taylor_verdict(sw, ev.sweep_analytic(sw), ev)
    kink_blocks = {int(b) for b in ev.probes.block[jd.status == KINK]}
    if kink_blocks:
        kink_blocks.add(-1)  # the direction over all of x crosses them too

    findings: list[Finding] = [*static, *_side_findings(ev, nondet_tol)]
    bad_blocks = sorted({int(b) for b in ev.probes.block[jd.status == BAD]})
    captured = _ignores_x(ev, jd)
    if captured:
        # Nothing else is worth saying about blocks when the cost never looked at x.
        if not any(f.kind == "lambda-capture" and f.severity == "error" for f in findings):
            findings.append(Finding(
                "lambda-capture", "error",
                "the cost does not change at all when x changes, although the analytic gradient is non-zero: "
                "the objective ignores its argument (e.g. `lambda x: cost(theta, X, y)` closes over a fixed "
                "theta). Pass x through to the cost.",
                output=OUTPUT, evidence={"probes": len(ev.probes)}))
        bad_blocks = []
    findings += _block_findings(ev, jd, taylor, kink_blocks, bad_blocks, full, context)
    findings += _kink_findings(ev, jd)
    if not captured and not ev.prec.single:
        findings += _search_findings(ev, jd, bad_blocks, kink_blocks)
    overall = taylor.get(-1)
    if overall is not None and overall.verdict == "first-order" and not bad_blocks and not captured \
            and not ev.prec.single and not kink_blocks:
        findings.append(_unexplained_first_order(overall, full))

    all_notes = [*notes, *_complex_notes(ev, fun)]
    overruled = int(np.count_nonzero(jd.complex_overruled))
    if overruled:
        all_notes.append(f"{overruled} probe(s) where the complex step disagreed were settled by real differences "
                         "(part of the function is not complex-safe there).")
    n_kink = int(np.count_nonzero(jd.status == KINK))
    if n_kink:
        all_notes.append(f"{n_kink} probe(s) at a kink: their 'numerical' value is the one-sided difference "
                         "closest to the analytic value.")

    tables = [_block_table(ev, jd, taylor, full, kink_blocks), _worst_table(ev, jd),
              _taylor_table(ev, taylor, kink_blocks)]
    lay = ev.layout
    info = dict(details or {})
    info.update({
        "n": ev.n, "mode": "full" if full else "sampled", "method": method, "probes": len(ev.probes),
        "evaluations": ev.evals, "gradient_evaluations": ev.grad_evals, "bridge_calls": ev.bridge_calls,
        "dtype": str(ev.prec.dtype), "rtol": ev.prec.rtol, "rtol_complex": ev.prec.rtol_complex,
        "noise": ev.noise, "noise_assumed": ev.prec.noise(ev.f0), "noise_measured": ev.noise_sigma,
        "complex_step": {lay.blocks[b].name: s for b, s in ev.complex_status.items()},
        "taylor": {("all" if b < 0 else lay.blocks[b].name): t.to_dict() for b, t in taylor.items()},
        "blocks": _block_details(ev, jd),
        "estimates": dict(Counter(jd.how)),
        "search": {lay.blocks[b].name: r.to_dict() for b, r in ev.search.items()},
        "seconds": ev.seconds,
    })
    return Report(check="gradient", title=title, findings=merge_findings(findings), tables=tuple(tables),
                  notes=tuple(all_notes), details=info)


def _ignores_x(ev: Evidence, jd: Judgement) -> bool:
    """The cost never moved along any probe although the analytic gradient is non-zero."""
    return bool(_flat(ev).all() and np.any(jd.err > jd.tol))


def _with_taylor(f: Finding, tr: TaylorResult | None, kinks: bool, block: str | None) -> Finding:
    evidence = dict(f.evidence)
    if tr is not None:
        evidence["taylor"] = tr.to_dict()
    return replace(f, message=f.message + _taylor_text(tr, kinks), output=f.output or OUTPUT, block=block,
                   evidence=evidence)


def _block_findings(ev: Evidence, jd: Judgement, taylor: Mapping[int, TaylorResult], kink_blocks: set[int],
                    bad_blocks: list[int], full: bool, context: Mapping[str, Any]) -> list[Finding]:
    """One explanation per failing block (or one for the whole vector)."""
    if not bad_blocks:
        return []
    shared = _shared_explain(ev, jd, context) if full else None
    # A whole-vector explanation (one factor for every block, blocks out of order) covers all blocks.
    whole = [f for f in (shared or []) if f.block is None and f.severity == "error" and f.kind != "mismatch"]
    if whole:
        return [_with_taylor(f, taylor.get(-1), -1 in kink_blocks, None) for f in whole]
    out: list[Finding] = []
    flat = _flat(ev)
    for bi in bad_blocks:
        blk = ev.layout.blocks[bi]
        in_b = ev.probes.block == bi
        sel = np.flatnonzero(in_b & (jd.status == BAD))
        tr = taylor.get(bi)
        worst = int(sel[np.argmax(jd.score[sel])])
        if bool(flat[in_b].all()):
            out.append(Finding(
                "lambda-capture", "error",
                f"the cost does not change when {blk.name} changes, although the analytic gradient of {blk.name} "
                f"is non-zero: the objective reads {blk.name} from somewhere other than x (a closure or global), "
                "or the analytic gradient is wrong there.",
                output=OUTPUT, block=blk.name, evidence={"probes": int(in_b.sum())}))
            continue
        if ev.prec.single and tr is not None and tr.verdict in ("second-order", "at-noise-floor", "mixed"):
            # float32: the Taylor test sees a consistent gradient, or cannot resolve one.
            out.append(Finding(
                "precision", "warning",
                f"{len(sel)} probe(s) of {blk.name} miss the float32 tolerance (worst {_where(ev, worst)}: "
                f"analytic {jd.ana[worst]:.6g}, numerical {jd.num[worst]:.6g}), but the Taylor test "
                f"({tr.verdict}) finds no first-order error: finite-difference noise at float32's limit, "
                "not a wrong gradient.",
                output=OUTPUT, block=blk.name, evidence={"taylor": tr.to_dict(), "bad": int(sel.size)}))
            continue
        # The shared diagnosis first; the directional hypotheses when it can only say "mismatch".
        found = [f for f in (shared or []) if f.block == blk.name and f.severity == "error"]
        res = ev.search.get(bi)
        if res is not None and res.outcome == "elements" and not found and any(
                jd.status[p] == BAD for p in ev.search_probes if ev.probes.block[p] == bi):
            # The bisection measured the rest of the block and found it right: no block-wide cause applies.
            found = [_located_finding(ev, jd, bi)]
        elif not found or all(f.kind == "mismatch" for f in found):
            own = explain_block(bi, ev, jd, context, OUTPUT)
            if own is not None:
                found = [own]
        if not found and any(jd.status[p] == BAD for p in ev.search_probes if ev.probes.block[p] == bi):
            found = [_located_finding(ev, jd, bi)]
        if not found:
            pattern = _block_pattern(ev, jd, bi) if full else "-"
            found = [Finding(
                "mismatch", "error",
                f"{len(sel)} of {int(in_b.sum())} probes of {blk.name} disagree beyond tolerance; worst "
                f"{_where(ev, worst)}: analytic {jd.ana[worst]:.6g}, numerical {jd.num[worst]:.6g} "
                f"({jd.how[worst]})" + (f"; pattern: {pattern}" if pattern != "-" else "") + ".",
                output=OUTPUT, block=blk.name,
                evidence={"bad": int(sel.size), "probes": int(in_b.sum()), "worst": _where(ev, worst),
                          "analytic": float(jd.ana[worst]), "numerical": float(jd.num[worst]),
                          "pattern": pattern},
                element=int(ev.probes.index[worst]) if ev.probes.kind[worst] == ELEMENT else None)]
        out += [_with_taylor(_pinned(ev, jd, bi, f), tr, bi in kink_blocks, f.block or blk.name) for f in found]
    return out


def _pinned(ev: Evidence, jd: Judgement, bi: int, f: Finding) -> Finding:
    """A diagnosis of a block whose error the bisection pinned to single elements says which."""
    res = ev.search.get(bi)
    if f.element is None and res is None and f.kind == "mismatch":
        # Element by element (small problems): the worst disagreeing element is the location.
        bad = np.flatnonzero((ev.probes.block == bi) & (ev.probes.kind == ELEMENT) & (jd.status == BAD))
        if bad.size:
            worst = int(bad[np.argmax(jd.score[bad])])
            return replace(f, element=int(ev.probes.index[worst]))
    if f.element is not None or res is None or res.outcome != "elements":
        return f
    bad = [p for p in ev.search_probes if ev.probes.block[p] == bi and jd.status[p] == BAD]
    if not bad:
        return f
    worst = max(bad, key=lambda p: jd.score[p])
    j = int(ev.probes.index[worst])
    return replace(f, element=j, message=f"{f.message} Bisection pinned the error to {_where(ev, worst)} "
                                         f"(flat index {j} of x0) in {res.evaluations} evaluations.")


def _lines(kind: str, ks: Sequence[int]) -> str:
    shown = ", ".join(str(k + 1) for k in ks)
    return f"{kind}{'s' * (len(ks) > 1)} {shown}"


def _located_finding(ev: Evidence, jd: Judgement, bi: int) -> Finding:
    """A block's error that the bisection pinned to elements, or to whole rows or columns."""
    blk = ev.layout.blocks[bi]
    res = ev.search[bi]
    mine = [p for p in ev.search_probes if ev.probes.block[p] == bi]
    bad = [p for p in mine if jd.status[p] == BAD]
    worst = max(bad, key=lambda p: jd.score[p])
    a, num = float(jd.ana[worst]), float(jd.num[worst])
    rel = abs(a - num) / max(abs(num), abs(a))
    how = (f"found by bisection of the {blk.size:,} elements of {blk.name} in {res.evaluations} evaluations "
           f"({res.measurements} directional derivatives)")
    where = f"{_where(ev, worst)} (flat index {int(ev.probes.index[worst])} of x0)"
    if res.outcome in ("columns", "rows"):
        lines = _lines("column", res.columns) if res.outcome == "columns" else _lines("row", res.rows)
        what = (f"the analytic gradient of {blk.name} is wrong along whole {lines} (every element there, not "
                f"a few), {how}; e.g. {where}: analytic {a:.6g}, numerical {num:.6g} ({jd.how[worst]}, relative "
                f"error {rel:.2g}).")
    else:
        others = [_where(ev, p) for p in bad if p != worst]
        also = f"; also wrong: {', '.join(others)}" if others else ""
        what = (f"the analytic gradient is wrong at {where}: analytic {a:.6g}, numerical {num:.6g} "
                f"({jd.how[worst]}, relative error {rel:.2g}), {how}{also}. The rest of {blk.name} agrees.")
    return Finding("mismatch", "error", what, OUTPUT, blk.name,
                   {"worst": _where(ev, worst), "analytic": a, "numerical": num, "relative_error": rel,
                    "bad": len(bad), "pattern": res.outcome, "columns": [c + 1 for c in res.columns],
                    "rows": [r + 1 for r in res.rows], "search": res.to_dict()},
                   element=int(ev.probes.index[worst]))


def _search_findings(ev: Evidence, jd: Judgement, bad_blocks: list[int], kink_blocks: set[int]) -> list[Finding]:
    """A block whose whole-block derivative disagrees although no probe and no half could say where."""
    out = []
    for bi, res in ev.search.items():
        if bi in bad_blocks or bi in kink_blocks or res.outcome not in ("spread", "budget"):
            continue
        blk = ev.layout.blocks[bi]
        r = res.root
        out.append(Finding(
            "mismatch", "warning",
            f"the derivative of the cost along a random direction over all of {blk.name} is {r.value:.6g}, the "
            f"analytic gradient says {r.analytic:.6g}: {r.gap / r.sigma:.1f} times the estimated error of the "
            f"measurement ({r.sigma:.2g}), yet the error is spread too thin to localize (no few elements, rows or "
            "columns hold it) and no sampled probe misses its tolerance. A small error everywhere in the "
            f"block: re-run with full=True to compare every element.",
            OUTPUT, blk.name, {"search": res.to_dict()}))
    return out


def _kink_findings(ev: Evidence, jd: Judgement) -> list[Finding]:
    out = []
    for bi, blk in enumerate(ev.layout.blocks):
        kinks = np.flatnonzero((ev.probes.block == bi) & (jd.status == KINK))
        if kinks.size:
            shown = ", ".join(_where(ev, int(p)) for p in kinks[:4]) + (", ..." if kinks.size > 4 else "")
            out.append(Finding(
                "non-differentiable", "warning",
                f"{kinks.size} probe(s) of {blk.name} cross a kink (ReLU, max, abs) within the step: {shown}. "
                "The central difference changes with the step, and the analytic value lies between the "
                "one-sided differences, as it should at a kink. Not a bug.",
                output=OUTPUT, block=blk.name,
                evidence={"count": int(kinks.size), "where": [_where(ev, int(p)) for p in kinks[:20]]}))
    return out


def _unexplained_first_order(overall: TaylorResult, full: bool) -> Finding:
    if full:
        # Every element agreed: a first-order remainder then means f is not differentiable at x itself
        # (abs(0), max(0, 0)), where a symmetric difference and the analytic subgradient still agree.
        return Finding(
            "non-differentiable", "warning",
            "every element agrees, yet the Taylor remainder along a random direction shrinks as h, not h²: f has "
            "a kink exactly at x (abs(0), max(0, 0), a ReLU input of exactly 0), where the analytic value is a "
            "subgradient. Not a bug; check at a point off the kink for a sharper test.",
            output=OUTPUT, evidence={"taylor": overall.to_dict()})
    return Finding(
        "mismatch", "warning",
        "every probe passed, yet the Taylor remainder along a random direction over all of x shrinks as h, not "
        "h²: the gradient is wrong somewhere the probes did not look, or f has a kink exactly at x. Re-run with "
        "full=True.",
        output=OUTPUT, evidence={"taylor": overall.to_dict()})


def _taylor_text(tr: TaylorResult | None, kinks: bool = False) -> str:
    if tr is None or kinks:
        return ""
    if tr.verdict == "first-order":
        return (" Taylor test: the remainder shrinks as h, not h², so the gradient is wrong (not "
                "finite-difference noise).")
    if tr.verdict == "second-order":
        return (" Taylor test along a random direction of the block shows h²: the error is confined to few "
                "elements or small.")
    return ""


def _block_pattern(ev: Evidence, jd: Judgement, bi: int) -> str:
    blk = ev.layout.blocks[bi]
    sel = np.flatnonzero((ev.probes.block == bi) & (ev.probes.kind == ELEMENT))
    if sel.size != blk.size:
        return "-"
    order = np.argsort(ev.probes.index[sel])
    sel = sel[order]
    return block_pattern(jd.status[sel] == BAD, blk.shape, jd.ana[sel], jd.num[sel])


def _block_details(ev: Evidence, jd: Judgement) -> list[dict[str, Any]]:
    out = []
    for bi, blk in enumerate(ev.layout.blocks):
        sel = np.flatnonzero(ev.probes.block == bi)
        out.append({
            "block": blk.name, "shape": list(blk.shape), "probes": int(sel.size),
            "elements": int(np.count_nonzero(ev.probes.kind[sel] == ELEMENT)),
            "bad": int(np.count_nonzero(jd.status[sel] == BAD)),
            "kinks": int(np.count_nonzero(jd.status[sel] == KINK)),
            "relative_difference": _rel_figure(jd.num[sel], jd.ana[sel]) if sel.size else None,
        })
    return out


def _estimate_label(hows: list[str]) -> str:
    c = Counter(hows)
    if not c:
        return "-"
    parts = []
    for key, label in (("complex", "complex"), ("central", "central"), ("richardson", "Richardson"),
                       ("one-sided", "one-sided")):
        if c.get(key):
            parts.append(label if len(c) == 1 else f"{label} {c[key]}")
    return ", ".join(parts)


def _taylor_short(tr: TaylorResult | None, kinks: bool) -> str:
    if tr is None:
        return "-"
    if kinks and tr.verdict == "first-order":
        return "h (kink)"
    return _TAYLOR_SHORT.get(tr.verdict, "-")


def _block_table(ev: Evidence, jd: Judgement, taylor: Mapping[int, TaylorResult], full: bool,
                 kink_blocks: set[int]) -> Table:
    rows = []
    for bi, blk in enumerate(ev.layout.blocks):
        sel = np.flatnonzero(ev.probes.block == bi)
        if sel.size == 0:
            continue
        n_el = int(np.count_nonzero(ev.probes.kind[sel] == ELEMENT))
        n_dir = sel.size - n_el
        checked = f"{n_el}/{blk.size}" if not n_dir else f"{n_dir}d+{n_el}e"
        bad = int(np.count_nonzero(jd.status[sel] == BAD))
        kinks = int(np.count_nonzero(jd.status[sel] == KINK))
        worst = int(sel[np.argmax(jd.score[sel])])
        fig = _rel_figure(jd.num[sel], jd.ana[sel])
        uses_c = any(jd.how[p] == "complex" for p in sel)
        rtol = ev.prec.rtol_complex if uses_c and all(jd.how[p] == "complex" for p in sel) else ev.prec.rtol
        # The per-probe tolerances include the rounding floor noise/h, so the figure's threshold is the
        # one they imply: every probe passing guarantees norm(num-ana) <= norm(tol).
        den = float(np.linalg.norm(jd.num[sel] + jd.ana[sel]))
        threshold = max(rtol, float(np.linalg.norm(jd.tol[sel])) / den) if den > 0 else rtol
        tr = taylor.get(bi)
        pattern = _block_pattern(ev, jd, bi) if (full and bad) else "-"
        rows.append((blk.name, "×".join(str(s) for s in blk.shape), checked, bad, kinks,
                     _subs(ev, worst), fig, threshold, _estimate_label([jd.how[p] for p in sel]),
                     _taylor_short(tr, bi in kink_blocks), pattern, _search_short(ev, bi)))
    columns = ["block", "shape", "checked", "bad", "kinks", "worst at", "rel. diff", "threshold", "estimate",
               "Taylor", "pattern", "bisection"]
    # Columns that say nothing in this report are left out, so the table fits a terminal.
    drop = set()
    if not any(r[4] for r in rows):
        drop.add(4)
    if all(r[10] == "-" for r in rows):
        drop.add(10)
    if all(r[11] == "-" for r in rows):
        drop.add(11)
    keep = [i for i in range(len(columns)) if i not in drop]
    return Table(
        "Gradient check per block (checked: elements, or d random directions + e elements; "
        "rel. diff = norm(num-ana)/norm(num+ana), passes below threshold"
        + ("; bisection: a block that agrees resolves any one element off by more than ±bound·max(1,|x|)"
           if any(r[11] != "-" for r in rows) else "") + ")",
        tuple(columns[i] for i in keep),
        tuple(tuple(r[i] for i in keep) for r in rows))


def _search_short(ev: Evidence, bi: int) -> str:
    res = ev.search.get(bi)
    if res is None:
        return "-"
    if res.outcome == "clean":
        return f"agrees (bound {SIGNIFICANT * res.root.sigma:.1e})"
    text = {"elements": f"{len(res.elements)} element{'s' * (len(res.elements) > 1)}",
            "columns": _lines("column", res.columns), "rows": _lines("row", res.rows),
            "spread": "spread over the block", "lost": "not localized", "budget": "budget spent"}[res.outcome]
    return f"{text} ({res.evaluations} evals)"


def _worst_table(ev: Evidence, jd: Judgement, k: int = 5) -> Table:
    order = np.argsort(-np.nan_to_num(jd.score, nan=np.inf))[:k]
    rows = []
    for p in order:
        p = int(p)
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = jd.err[p] / max(abs(jd.num[p]), abs(jd.ana[p])) if max(abs(jd.num[p]), abs(jd.ana[p])) else 0.0
        verdict = {OK: "ok", KINK: "kink", BAD: "WRONG"}[int(jd.status[p])]
        rows.append((_where(ev, p), float(jd.ana[p]), float(jd.num[p]), float(jd.err[p]), float(rel),
                     jd.how[p], verdict))
    return Table("Worst probes", ("where", "analytic", "numerical", "|diff|", "rel. diff", "estimate", "verdict"),
                 tuple(rows))


def _taylor_table(ev: Evidence, taylor: Mapping[int, TaylorResult], kink_blocks: set[int]) -> Table:
    rows = []
    for b, t in sorted(taylor.items()):
        where = "all of x" if b < 0 else ev.layout.blocks[b].name
        meaning = {
            "second-order": "consistent: |f(x+hd) - f(x) - h g·d| shrinks as h²",
            "first-order": f"WRONG: shrinks as h (g·d off by ≈ {t.slope_error:.3g})",
            "at-noise-floor": "below rounding at every step: cannot decide",
            "mixed": "between h and h²",
        }[t.verdict]
        if t.verdict == "first-order" and b in kink_blocks:
            meaning = "shrinks as h: expected, f has a kink at x (see non-differentiable)"
        rows.append((where, t.slope, t.floor, meaning))
    return Table("Taylor remainder test along random directions", ("direction over", "order", "noise floor",
                                                                   "verdict"), tuple(rows))
