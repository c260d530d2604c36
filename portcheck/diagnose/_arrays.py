"""Array helpers shared by the diagnosis families: tolerances, statistics, subscripts.

Everything here is pure NumPy on copies; nothing runs Octave or the port.
Indices are reported the MATLAB way (1-based subscripts, column-major flat
order) because the user reads them next to the Octave reference.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..inputs import Layout


def as_float_array(value: Any) -> np.ndarray | None:
    """A float64 (or complex128) copy of ``value``, or None when it is not numeric."""
    if isinstance(value, (str, bytes, Mapping)) or value is None:
        return None
    try:
        arr = np.array(value, copy=True)
    except (TypeError, ValueError):
        return None
    if arr.dtype == object:
        return None
    if arr.dtype == bool or np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating):
        return arr.astype(np.float64)
    if np.issubdtype(arr.dtype, np.complexfloating):
        return arr.astype(np.complex128)
    return None


def is_vector(a: np.ndarray) -> bool:
    """1-D, n×1 or 1×n: the shapes MATLAB and NumPy both read as a vector."""
    return a.ndim == 1 or (a.ndim == 2 and 1 in a.shape)


def is_scalar(a: np.ndarray) -> bool:
    return a.size == 1 and a.ndim <= 2


def matlab_shape(a: np.ndarray) -> tuple[int, ...]:
    """The shape Octave would give ``a``: scalars 1×1, 1-D vectors n×1 columns."""
    if a.ndim == 0:
        return (1, 1)
    if a.ndim == 1:
        return (a.shape[0], 1)
    return tuple(int(s) for s in a.shape)


def shape_text(shape: tuple[int, ...]) -> str:
    """``(38,)`` for 1-D, ``5×4`` for matrices: how a reader names shapes."""
    if len(shape) == 0:
        return "scalar"
    if len(shape) == 1:
        return f"({shape[0]},)"
    return "×".join(str(s) for s in shape)


def close_mask(reference: np.ndarray, candidate: np.ndarray, rtol: float, atol: float) -> np.ndarray:
    """``|candidate - reference| <= atol + rtol*|reference|`` elementwise.

    The tolerance scales with the *reference* (like ``assert_allclose``'s
    ``desired``). NaN matches NaN and an infinity matches only the same
    infinity, so a non-finite value found on both sides is reported
    separately, not as a numeric mismatch; +Inf against −Inf, or NaN against
    a number, never matches (``|∞ - (-∞)| <= rtol·∞`` would say it does).
    """
    r = np.asarray(reference)
    c = np.asarray(candidate)
    with np.errstate(invalid="ignore", over="ignore"):
        ok = (np.abs(c - r) <= atol + rtol * np.abs(r)) & np.isfinite(r) & np.isfinite(c)
    both_nan = np.isnan(r) & np.isnan(c)
    same_inf = np.isinf(r) & np.isinf(c) & (r == c)
    return ok | both_nan | same_inf


def allclose(reference: np.ndarray, candidate: np.ndarray, rtol: float, atol: float) -> bool:
    r = np.asarray(reference)
    c = np.asarray(candidate)
    if r.shape != c.shape:
        return False
    return bool(np.all(close_mask(r, c, rtol, atol)))


def subscripts(flat_index: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    """1-based MATLAB subscripts of a column-major flat index."""
    shape = tuple(shape) if len(shape) >= 2 else (int(np.prod(shape)) if shape else 1, 1)
    return tuple(int(i) + 1 for i in np.unravel_index(int(flat_index), shape, order="F"))


def subscript_text(subs: tuple[int, ...]) -> str:
    return "(" + ",".join(str(s) for s in subs) + ")"


@dataclass(frozen=True)
class ErrorStats:
    """assert_allclose-style numbers for one reference/candidate pair of equal shape.

    ``worst`` is the column-major flat index of the largest absolute error,
    ``max_rel`` divides by the reference and skips its zeros (as NumPy does).
    """

    n: int
    n_bad: int
    max_abs: float
    max_rel: float | None
    worst: int | None
    reference_value: Any
    candidate_value: Any

    @property
    def percent(self) -> float:
        return 100.0 * self.n_bad / self.n if self.n else 0.0

    @property
    def mismatched_text(self) -> str:
        return f"{self.n_bad} / {self.n} ({self.percent:.3g}%)"


def error_stats(reference: np.ndarray, candidate: np.ndarray, rtol: float, atol: float) -> ErrorStats:
    """Statistics of ``candidate - reference`` for two arrays of the same shape."""
    r = np.asarray(reference).reshape(-1, order="F")
    c = np.asarray(candidate).reshape(-1, order="F")
    n = int(r.size)
    if n == 0:
        return ErrorStats(0, 0, 0.0, None, None, None, None)
    ok = close_mask(r, c, rtol, atol)
    with np.errstate(invalid="ignore", over="ignore"):
        err = np.abs(c - r)
    # Positions matching by the NaN/Inf rule have err NaN; they are not errors.
    err = np.where(ok & ~np.isfinite(err), 0.0, err)
    nan_err = ~np.isfinite(err)
    if nan_err.any():
        worst = int(np.flatnonzero(nan_err)[0])
        max_abs = float(err[worst])
    else:
        worst = int(np.argmax(err))
        max_abs = float(err[worst])
    nz = (r != 0) & np.isfinite(r)
    if nz.any():
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            rel = err[nz] / np.abs(r[nz])
        max_rel = float(np.nanmax(rel)) if np.isfinite(rel).any() or np.isinf(rel).any() else None
    else:
        max_rel = None
    n_bad = int(np.count_nonzero(~ok))
    if n_bad == 0 and max_abs == 0:
        worst_out = None
    else:
        worst_out = worst
    return ErrorStats(
        n=n,
        n_bad=n_bad,
        max_abs=max_abs,
        max_rel=max_rel,
        worst=worst_out,
        reference_value=_item(r[worst]),
        candidate_value=_item(c[worst]),
    )


def _item(x: Any) -> Any:
    x = np.asarray(x)[()]
    if np.iscomplexobj(x):
        return complex(x)
    return float(x)


def location(
    flat_index: int,
    shape: tuple[int, ...],
    layout: Layout | None = None,
) -> dict[str, Any]:
    """Where a flat (column-major) index lies: MATLAB subscripts, and the block when a layout applies."""
    mshape = matlab_shape(np.empty(shape)) if len(shape) < 2 else shape
    loc: dict[str, Any] = {"index": int(flat_index) + 1, "subscripts": list(subscripts(flat_index, mshape))}
    if layout is not None and int(np.prod(shape)) == layout.size:
        block, rc = layout.block_of(int(flat_index))
        loc["block"] = block.name
        loc["block_subscripts"] = [i + 1 for i in rc]
    return loc


def location_text(loc: Mapping[str, Any]) -> str:
    """``(23,1) = Theta2(2,3)`` or ``(2,3)``."""
    text = subscript_text(tuple(loc["subscripts"]))
    if "block" in loc:
        text += f" = {loc['block']}{subscript_text(tuple(loc['block_subscripts']))}"
    return text


def fmt(x: Any) -> str:
    """A number in a message: short but exact enough to recognise."""
    if isinstance(x, complex):
        return f"{x:.6g}"
    try:
        f = float(x)
    except (TypeError, ValueError):
        return str(x)
    if np.isnan(f) or np.isinf(f):
        return str(f)
    if f == int(f) and abs(f) < 1e9:
        return str(int(f))
    return f"{f:.6g}"


def is_integer_valued(a: np.ndarray) -> bool:
    a = np.asarray(a)
    return bool(a.size) and np.isrealobj(a) and bool(np.all(np.isfinite(a))) and bool(np.all(a == np.round(a)))
