"""Why a block's gradient is wrong, from the probes alone.

For sampled checks (and for full checks when the shared diagnosis cannot
name a cause) each failing block is tested against a few hypotheses about
the analytic gradient ``a`` of that block, using only the directional
evidence ``num_p ≈ d_p · g_true`` already measured — no new evaluations:

- scale / sign: ``a = k · g_true`` (``k`` fitted, named when it is m, 1/m, 2, λ ...);
- unroll-order: ``a`` is ``g_true`` unrolled in the other memory order;
- swapped-blocks: ``a`` holds the gradient of another block of the same shape;
- regularization: ``a = g_true - c · θ`` on all elements, only the bias
  column, or all but the bias column (``c`` fitted, named when it is λ/m ...).

A hypothesis is accepted when it predicts every non-kink probe of the block
to within three times that probe's tolerance.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from ..loading import _FILE_MODULE_PREFIX as FILE_MODULE_PREFIX, describe_callable
from ..inputs import Layout
from ..report import Finding
from ._evidence import Evidence
from ._probes import ELEMENT
from ._verdict import KINK, Judgement

__all__ = ["explain_block", "block_pattern", "constants_context", "name_constant"]

FIT_SLACK = 3.0


def _name_factor(k: float, context: Mapping[str, Any]) -> tuple[str, str] | None:
    try:
        from ..diagnose.scale import name_factor
    except ImportError:  # the shared namer is optional; plain numbers still read fine
        return None
    return name_factor(k, context, tol=1e-5)


def name_constant(k: float, context: Mapping[str, Any]) -> str:
    """``"m (a missing `1/m`)"`` when recognisable, else the number."""
    named = _name_factor(k, context)
    if not named:
        return f"{k:.6g}"
    symbol, meaning = named
    try:
        float(symbol)
        return f"{k:.6g} ({meaning})"
    except ValueError:
        return f"{symbol} = {k:.6g} ({meaning})"


def constants_context(fun: Any, args: Sequence[Any], octave_params: Sequence[str] | None = None,
                      wrt: int = 0) -> dict[str, Any]:
    """Guess ``m`` and ``λ`` from the arguments, for naming fitted factors.

    ``λ`` is the scalar argument whose parameter name looks like a
    regularization strength (``lambda_``, ``lam``, ``reg``); ``m`` is the
    number of rows of the first 2-D array argument (examples are rows in the
    courses' X) — or its columns when the name says data is stored one
    example per column (UFLDL's ``data``).
    """
    names: list[str] = []
    if octave_params is not None:
        names = list(octave_params)
    else:
        try:
            params = list(inspect.signature(fun).parameters.values())
            names = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        except (TypeError, ValueError):
            names = []
    names = names[:wrt] + names[wrt + 1:]  # the names of args, x's own removed
    ctx: dict[str, Any] = {}
    for i, a in enumerate(args):
        name = names[i].lower() if i < len(names) else ""
        arr = np.asarray(a) if isinstance(a, (np.ndarray, int, float, np.number)) else None
        if arr is None:
            continue
        if arr.size == 1 and "lambda" not in ctx and any(t in name for t in ("lambda", "lam", "reg", "alpha_l2")):
            ctx["lambda"] = float(arr.reshape(()))
        if arr.ndim == 2 and min(arr.shape) > 1 and "m" not in ctx:
            ctx["m"] = int(arr.shape[1] if name in ("data", "patches") else arr.shape[0])
    return ctx


def _mask_bias(shape: tuple[int, ...]) -> np.ndarray:
    m = np.zeros(shape, dtype=bool)
    if len(shape) == 2 and shape[1] > 1:
        m[:, 0] = True
    elif len(shape) == 1 or (len(shape) == 2 and shape[1] == 1):
        m.reshape(-1)[0] = True
    return m.reshape(-1, order="F")


def explain_block(
    bi: int,
    ev: Evidence,
    jd: Judgement,
    context: Mapping[str, Any],
    output: str = "grad",
) -> Finding | None:
    """A finding naming what is wrong with block ``bi``, or None when no hypothesis fits."""
    lay: Layout = ev.layout
    blk = lay.blocks[bi]
    sel = np.flatnonzero((ev.probes.block == bi) & (jd.status != KINK) & np.isfinite(jd.num))
    if sel.size == 0:
        return None
    D = np.array([ev.probes.local_direction(int(p), ev.x) for p in sel])  # (k, size)
    num, ana, tol = jd.num[sel], jd.ana[sel], FIT_SLACK * jd.tol[sel]
    g_b = ev.g[blk.slice]
    x_b = ev.x[blk.slice]
    n_el = int(np.count_nonzero(ev.probes.kind[sel] == ELEMENT))
    n_dir = sel.size - n_el
    checked = f"{n_dir} random directions and {n_el} elements" if n_dir else f"{n_el} elements"
    base = {"probes": int(sel.size), "directions": n_dir, "elements": n_el}

    def fits(pred: np.ndarray) -> float:
        """Largest miss in units of tolerance (<= 1 accepts)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return float(np.max(np.abs(num - pred) / tol))

    candidates: list[tuple[float, Finding]] = []

    # scale and sign: analytic = k * true
    nn = float(num @ num)
    if nn > 0:
        k = float(ana @ num) / nn
        if k != 0 and abs(k - 1) > 1e-6:
            miss = fits(ana / k)
            if miss <= 1:
                if abs(k + 1) <= 1e-6:
                    msg = (f"the analytic gradient of {blk.name} is the negated numerical one "
                           f"(checked on {checked}): flip the sign (grad of J, not of -J; or θ - α·grad "
                           "written as θ + α·grad).")
                    candidates.append((miss, Finding("sign", "error", msg, output, blk.name,
                                                     {**base, "factor": k})))
                else:
                    msg = (f"the analytic gradient of {blk.name} is {name_constant(k, context)} times the "
                           f"numerical one on every probe ({checked}); the cost and its gradient disagree "
                           "by this constant factor.")
                    candidates.append((miss, Finding("scale", "error", msg, output, blk.name,
                                                     {**base, "factor": k})))

    # unroll order
    if len(blk.shape) == 2 and min(blk.shape) > 1:
        for order_from, order_to in (("C", "F"), ("F", "C")):
            g_alt = np.reshape(g_b, blk.shape, order=order_from).reshape(-1, order=order_to)
            miss = fits(D @ g_alt)
            if miss <= 1:
                msg = (f"the analytic gradient of {blk.name} {blk.shape[0]}×{blk.shape[1]} matches the "
                       "numerical one once re-unrolled in the other memory order: it was flattened row by "
                       "row (NumPy's default C order, or a transposed matrix) while θ is unrolled "
                       "column-major; use .ravel(order='F') / reshape(..., order='F') on both sides.")
                candidates.append((miss, Finding("unroll-order", "error", msg, output, blk.name,
                                                 {**base, "analytic_order": order_from})))
                break

    # swapped blocks
    for bj, other in enumerate(lay.blocks):
        if bj != bi and other.shape == blk.shape:
            miss = fits(D @ ev.g[other.slice])
            if miss <= 1:
                msg = (f"the numerical gradient of {blk.name} matches the analytic gradient stored under "
                       f"{other.name}: the two same-shaped blocks are swapped when the gradient is unrolled.")
                candidates.append((miss, Finding("swapped-blocks", "error", msg, output, blk.name,
                                                 {**base, "swapped_with": other.name})))

    # regularization: true = analytic + c * theta (masked)
    resid = num - ana
    bias = _mask_bias(blk.shape)
    masks = [("bias", bias), ("all-but-bias", ~bias), ("all", np.ones(blk.size, dtype=bool))]
    for what, mask in masks:
        if not mask.any() or (what == "all-but-bias" and mask.all()):
            continue
        v = D @ np.where(mask, x_b, 0.0)
        vv = float(v @ v)
        if vv == 0:
            continue
        c = float(resid @ v) / vv
        if not np.any(np.abs(c * v) > tol / FIT_SLACK):
            continue
        miss = fits(ana + c * v)
        if miss <= 1:
            named = name_constant(abs(c), context)
            if what == "bias" and c < 0:
                msg = (f"the analytic gradient of {blk.name} adds {named}·θ to the bias "
                       f"{'column' if len(blk.shape) == 2 and blk.shape[1] > 1 else 'term'} as well: the bias "
                       "is not regularized in the cost, so leave it out of the gradient's penalty too "
                       "(regularize θ[:, 1:] only).")
            elif what == "bias":
                msg = (f"the analytic gradient of {blk.name} lacks {named}·θ in the bias "
                       "column: the cost regularizes the bias but the gradient does not.")
            elif c > 0:
                msg = (f"the analytic gradient of {blk.name} lacks the regularization term {named}·θ"
                       f"{' (bias excluded)' if what == 'all-but-bias' else ''}: the cost is regularized "
                       "but the gradient is not (add λ/m·θ, bias column excluded).")
            else:
                msg = (f"the analytic gradient of {blk.name} has an extra {named}·θ"
                       f"{' (bias excluded)' if what == 'all-but-bias' else ''} that the cost does not "
                       "have: regularization is applied twice, or with the wrong factor.")
            candidates.append((miss, Finding("regularization", "error", msg, output, blk.name,
                                             {**base, "coefficient": -c, "where": what})))
            break

    if not candidates:
        return None
    candidates.sort(key=lambda t: t[0])
    return candidates[0][1]


def block_pattern(bad: np.ndarray, shape: tuple[int, ...], ana: np.ndarray, num: np.ndarray) -> str:
    """Describe where a block's bad elements sit: rows (units), columns, the bias, everything.

    ``bad``, ``ana`` and ``num`` are the block's elements in column-major order.
    """
    n_bad = int(np.count_nonzero(bad))
    if n_bad == 0:
        return "-"
    if n_bad == bad.size:
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = ana / num
        fin = ratio[np.isfinite(ratio)]
        if fin.size and np.allclose(fin, fin[0], rtol=1e-6, atol=0):
            return f"everything, scaled by {fin[0]:.4g}"
        return "everything"
    if len(shape) == 2 and shape[1] > 1 and shape[0] > 1:
        B = bad.reshape(shape, order="F")
        rows = np.flatnonzero(B.all(axis=1))
        cols = np.flatnonzero(B.all(axis=0))
        if not B[:, 1:].any():
            return "only the bias column" if B[:, 0].all() else f"{n_bad} in the bias column"
        if rows.size and np.array_equal(B, np.isin(np.arange(shape[0]), rows)[:, None] & np.ones(shape, bool)):
            label = ", ".join(str(r + 1) for r in rows[:5]) + ("..." if rows.size > 5 else "")
            return f"whole row{'s' * (rows.size > 1)} {label} (one unit{'s' * (rows.size > 1)})"
        if cols.size and np.array_equal(B, np.isin(np.arange(shape[1]), cols)[None, :] & np.ones(shape, bool)):
            label = ", ".join(str(c + 1) for c in cols[:5]) + ("..." if cols.size > 5 else "")
            return f"whole column{'s' * (cols.size > 1)} {label}"
        if bad.size and not B[:, 0].any():
            return f"{n_bad} scattered, none in the bias column"
    if len(shape) == 1 or (len(shape) == 2 and 1 in shape):
        # A parameter vector such as logistic regression's theta: element 1 is the bias.
        if n_bad == 1 and bad[0]:
            return "only the first element (the bias)"
        if not bad[0] and n_bad == bad.size - 1:
            return "all but the first element (the bias)"
    return f"{n_bad} scattered"


def fun_label(fun: Callable[..., Any] | str) -> str:
    if isinstance(fun, str):
        return fun
    mod = getattr(fun, "__module__", None) or ""
    name = getattr(fun, "__qualname__", None) or getattr(fun, "__name__", None) or type(fun).__name__
    if mod.startswith(FILE_MODULE_PREFIX):
        return describe_callable(fun)  # loaded from a file: named by its path, as the user wrote it
    return f"{mod}:{name}" if mod and mod != "__main__" else name
