"""Octave back end: the whole check in one call of ``portcheck_gradcheck.m``.

Python plans the probes and the Taylor sweeps; Octave evaluates everything
(with the same staged rules as :mod:`._python`) and sends back the costs.
Directions are rebuilt on each side from four hash numbers, so nothing of
size n crosses the bridge except x and the gradient.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import PrecisionWarning
from ..inputs import Layout
from ._evidence import Evidence, Sweep
from ._precision import KAPPA, Precision
from ._probes import Probes, element_probes, trial_step
from ._search import (ANALYTIC_ULPS, LARGER_STEP, MAX_LEADS, ROUNDING_ONLY, SIGNIFICANT, BlockSearch, Measurement, SearchPlan, block_grid,
                      search_budget)
from ._target import FunctionFailed
from ._verdict import NOISE_MULTIPLE, REFINE_AT, noise_level

__all__ = ["collect_octave", "HELPER"]

HELPER = "portcheck_gradcheck"


def _vec(v: Any, n: int | None = None) -> np.ndarray:
    a = np.atleast_1d(np.asarray(v, dtype=np.float64)).reshape(-1, order="F")
    if n is not None and a.size != n:
        raise ValueError(f"expected {n} values from {HELPER}, got {a.size}")
    return a


def collect_octave(
    octave: Any,
    name: str,
    x0: np.ndarray,
    args: Sequence[Any],
    layout: Layout,
    prec: Precision,
    probes: Probes,
    method: str,
    sweeps: list[Sweep],
    wrt: int = 0,
    plan: SearchPlan | None = None,
    timeout: float | None = None,
) -> Evidence:
    """One bridge call; returns the evidence (raises the bridge's OctaveError on failure)."""
    bare, folder = octave.resolve(name)
    x = np.asarray(x0)
    flat = x.astype(np.float64).reshape(-1, order="F")
    P = len(probes)
    spec = {
        "name": bare,
        "folder": folder,
        "method": method,
        "wrt": float(wrt),
        "kind": probes.kind.astype(np.float64),
        "index": probes.index.astype(np.float64),
        "start": probes.start.astype(np.float64),
        "len": probes.length.astype(np.float64),
        "block": probes.block.astype(np.float64),
        "hashp": probes.hashp,
        "h": probes.h,
        "hc": probes.hc,
        "rtol": prec.rtol,
        "rtol_c": prec.rtol_complex,
        "kappa": KAPPA,
        "epsw": prec.eps,
        "h_rel": prec.h_rel,
        "refine": REFINE_AT,
        "measure_noise": float(not prec.single),
        "noise_multiple": NOISE_MULTIPLE,
        "sw_start": np.array([sw.start for sw in sweeps], dtype=np.float64),
        "sw_len": np.array([sw.length for sw in sweeps], dtype=np.float64),
        "sw_hash": np.array([sw.hashp for sw in sweeps], dtype=np.float64).reshape(-1, 4),
        "sw_h": np.array([sw.hs for sw in sweeps], dtype=np.float64),
        "trial_h": np.array([trial_step(flat[b.slice], prec) for b in layout.blocks], dtype=np.float64),
    }
    searched = sorted(plan.hashes) if plan is not None else []
    if searched:
        blocks = [layout.blocks[b] for b in searched]
        spec.update({
            "s_block": np.array(searched, dtype=np.float64).reshape(-1, 1),
            "s_hash": np.array([plan.hashes[b] for b in searched], dtype=np.float64).reshape(-1, 4),
            "s_start": np.array([b.start for b in blocks], dtype=np.float64).reshape(-1, 1),
            "s_len": np.array([b.size for b in blocks], dtype=np.float64).reshape(-1, 1),
            "s_rows": np.array([block_grid(b.shape)[0] for b in blocks], dtype=np.float64).reshape(-1, 1),
            "s_budget": np.array([search_budget(b.size) for b in blocks], dtype=np.float64).reshape(-1, 1),
            "s_t": plan.t, "s_hc": plan.hc, "significant": SIGNIFICANT, "max_leads": float(MAX_LEADS),
            "analytic_ulps": ANALYTIC_ULPS, "rounding_only": ROUNDING_ONLY, "larger_step": LARGER_STEP,
        })
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PrecisionWarning)  # reported once, as a finding
        out = octave.call(HELPER, spec, x, *args, nout=1, timeout=timeout)
    seconds = time.perf_counter() - t0
    n = flat.size
    confirm = [int(j) for j in np.atleast_1d(np.asarray(out.get("s_confirm", []), dtype=np.float64)).reshape(-1)]
    if confirm:
        probes = probes.extended(element_probes(layout, flat, prec, confirm))
        P = len(probes)
    g_size = int(np.size(out["g"]))
    if g_size != n:
        raise FunctionFailed("shape", f"{bare} returned a gradient with {g_size} elements but x has {n}.")
    ev = Evidence(
        x=flat, layout=layout, prec=prec, f0=float(out["f0"]), g=_vec(out["g"], n), probes=probes,
        fp=_vec(out["fp"], P), fm=_vec(out["fm"], P), fp2=_vec(out["fp2"], P), fm2=_vec(out["fm2"], P),
        fc=_vec(out["fc"], P), fcr=_vec(out["fcr"], P),
    )
    if searched:
        ev.search = _searches(out, searched, layout)
        ev.search_probes = list(range(P - len(confirm), P))
    ev.f0_again = float(out["f0b"])
    ev.g_again = _vec(out["gb"], n)
    status = out["cstatus"]
    status = [status] if isinstance(status, str) else list(status)
    if method in ("auto", "complex"):
        ev.complex_status = {b: str(s) for b, s in enumerate(status)}
        trials = np.asarray(out["trials"], dtype=np.float64).reshape(len(layout), 7)
        keys = ("h", "fc", "fcr", "fp", "fm", "fp2", "fm2")
        ev.trials = {b: {k: float(v) for k, v in zip(keys, row) if np.isfinite(v)} for b, row in enumerate(trials)}
    sw_f = np.asarray(out["sw_f"], dtype=np.float64).reshape(len(sweeps), -1)
    for sw, row in zip(sweeps, sw_f):
        sw.f = row
    ev.sweeps = sweeps
    ev.noise, ev.noise_sigma = noise_level(ev.f0, sweeps, prec)
    ev.evals = int(out["evals"])
    ev.bridge_calls = 1
    ev.seconds = seconds
    file = str(out.get("file", "") or "")
    ev.source = {"language": "octave", "function": bare, "file": file,
                 "single": bool(out.get("single", False)), "noise": float(out.get("noise", np.nan))}
    if file and Path(file).is_file():
        ev.source["text"] = Path(file).read_text(errors="replace")
    return ev


_OUTCOMES = {0: "clean", 1: "elements", 2: "columns", 3: "rows", 4: "spread", 5: "lost", 6: "budget"}


def _searches(out: Any, searched: list[int], layout: Layout) -> dict[int, BlockSearch]:
    """The helper's search results as :class:`BlockSearch` records, like the Python back end's."""
    k_n = len(searched)
    outcome = _vec(out["s_outcome"], k_n)
    root = np.asarray(out["s_root"], dtype=np.float64).reshape(k_n, 5)
    meas, evals = _vec(out["s_meas"], k_n), _vec(out["s_evals"], k_n)
    items = np.asarray(out["s_items"], dtype=np.float64).reshape(-1, 3)
    confirm = [int(j) for j in np.atleast_1d(np.asarray(out["s_confirm"], dtype=np.float64)).reshape(-1)]
    result: dict[int, BlockSearch] = {}
    for k, bi in enumerate(searched):
        blk = layout.blocks[bi]
        r = root[k]
        res = BlockSearch(bi, Measurement(float(r[0]), float(r[1]), float(r[2]),
                                          "complex" if r[3] == 0 else "richardson", 0, float(r[4])),
                          outcome=_OUTCOMES.get(int(outcome[k]), "lost"), measurements=int(meas[k]),
                          evaluations=int(evals[k]))
        mine = items[items[:, 0] == k + 1]
        res.elements = [int(v) for v in mine[mine[:, 1] == 1, 2]]
        res.columns = [int(v) for v in mine[mine[:, 1] == 2, 2]]
        res.rows = [int(v) for v in mine[mine[:, 1] == 3, 2]]
        res.confirm = [j for j in confirm if blk.start <= j < blk.stop]
        result[bi] = res
    return result
