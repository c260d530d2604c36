"""Memory order and arrangement: ``unroll-order``, ``transposed``, ``swapped-blocks``.

Octave stores matrices column-major, so ``Theta(:)`` and ``reshape`` walk down
the columns; NumPy's defaults (``ravel()``, ``reshape()``, ``flatten()``) walk
along the rows. A port that mixes the two holds the right numbers in the wrong
places, which these checks recognise by re-arranging the reference.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..inputs import Layout
from ..report import Finding
from ._arrays import allclose, shape_text
from ._base import Subject
from .rerun import RerunPort

__all__ = [
    "explain_block_order",
    "explain_matrix_order",
    "explain_block_arrangement",
    "explain_transposed_shape",
    "counterfactual_unroll_order",
]

_FIX_F = "use `ravel(order='F')` / `reshape(..., order='F')`"


def _c_order_variants(ref: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """The reference block as a port mixing C and F order would hold it.

    ``unrolled``: the block written out row by row (``Theta.ravel()``) and read
    back column-major; ``reshaped``: the column-major vector read row by row
    (``v.reshape(shape)``).
    """
    shape = ref.shape
    unrolled = np.reshape(np.ravel(ref, order="C"), shape, order="F")
    reshaped = np.reshape(np.ravel(ref, order="F"), shape, order="C")
    return [("unrolled", unrolled), ("reshaped", reshaped)]


def explain_block_order(ref: np.ndarray, cand: np.ndarray, subject: Subject) -> list[Finding]:
    """``unroll-order`` for one layout block (both given as their F-order matrices)."""
    if ref.ndim != 2 or 1 in ref.shape:
        return []
    for how, variant in _c_order_variants(ref):
        if allclose(variant, cand, subject.rtol, subject.atol):
            return [subject.finding(
                "unroll-order",
                f"block {subject.block} is unrolled in C order: {_FIX_F} "
                f"(Octave's `Theta(:)` and `reshape` are column-major; NumPy's default is row-major).",
                order="C", how=how, shape=list(ref.shape),
            )]
    return []


def explain_matrix_order(ref: np.ndarray, cand: np.ndarray, subject: Subject) -> list[Finding]:
    """``transposed`` or ``unroll-order`` for a whole matrix output of the same shape."""
    if ref.ndim != 2 or 1 in ref.shape or ref.shape != cand.shape:
        return []
    if ref.shape[0] == ref.shape[1] and allclose(ref.T, cand, subject.rtol, subject.atol):
        return [subject.finding(
            "transposed",
            f"{subject.subject} is the transpose of {subject.reference}: transpose it (`.T`), or "
            f"if it comes from a reshape, {_FIX_F} (Octave fills column by column).",
            shape=list(ref.shape),
        )]
    for how, variant in _c_order_variants(ref):
        if allclose(variant, cand, subject.rtol, subject.atol):
            return [subject.finding(
                "unroll-order",
                f"{subject.subject} holds the right numbers filled in C (row-major) order: {_FIX_F} "
                f"(Octave's `reshape` and `(:)` are column-major).",
                order="C", how=how, shape=list(ref.shape),
            )]
    return []


def explain_transposed_shape(ref: np.ndarray, cand: np.ndarray, subject: Subject) -> list[Finding]:
    """``transposed`` when an n×m output arrives as m×n with the same values."""
    if ref.ndim == 2 and cand.ndim == 2 and cand.shape == ref.shape[::-1] and ref.shape[0] != ref.shape[1]:
        if allclose(ref, cand.T, subject.rtol, subject.atol):
            return [subject.finding(
                "transposed",
                f"{subject.subject} is {shape_text(cand.shape)}, the transpose of {subject.reference}'s "
                f"{shape_text(ref.shape)}: return it transposed (`.T`); NumPy code often keeps examples "
                f"in columns where the MATLAB code has them in rows.",
                reference_shape=list(ref.shape), candidate_shape=list(cand.shape),
            )]
    return []


def explain_block_arrangement(
    ref_vec: np.ndarray, cand_vec: np.ndarray, layout: Layout, subject: Subject
) -> list[Finding]:
    """``swapped-blocks``: the blocks are all there, concatenated in another order.

    Two same-shaped blocks exchanged, or blocks of any shapes unrolled in a
    different sequence than the reference's ``[A(:); B(:)]``.
    """
    if len(layout) < 2 or len(layout) > 5:
        return []
    ref_flat = np.asarray(ref_vec).reshape(-1)
    cand_flat = np.asarray(cand_vec).reshape(-1)
    chunks = {b.name: ref_flat[b.slice] for b in layout}
    names = [b.name for b in layout]
    # Same-shaped blocks that exchanged places keep the layout's boundaries.
    ref_blocks = layout.split(ref_flat)
    cand_blocks = layout.split(cand_flat)
    for a, b in itertools.combinations(layout.blocks, 2):
        if a.shape != b.shape:
            continue
        ra, rb = ref_blocks[a.name], ref_blocks[b.name]
        if allclose(ra, rb, subject.rtol, subject.atol):
            continue
        if allclose(rb, cand_blocks[a.name], subject.rtol, subject.atol) and allclose(
            ra, cand_blocks[b.name], subject.rtol, subject.atol
        ):
            return [subject.finding(
                "swapped-blocks",
                f"blocks {a.name} and {b.name} hold each other's values: unroll (and roll back) in the "
                f"reference's order [{'; '.join(n + '(:)' for n in names)}], e.g. "
                f"`np.concatenate([{', '.join(n + '.ravel(order=' + repr('F') + ')' for n in names)}])`.",
                blocks=[a.name, b.name],
            )]
    for perm in itertools.permutations(names):
        if list(perm) == names:
            continue
        candidate = np.concatenate([chunks[n] for n in perm])
        if allclose(candidate, cand_flat, subject.rtol, subject.atol):
            return [subject.finding(
                "swapped-blocks",
                f"{subject.subject} has the blocks in the order {', '.join(perm)}; the reference unrolls "
                f"them as [{'; '.join(n + '(:)' for n in names)}]: concatenate in that order.",
                blocks=list(perm),
            )]
    return []


def split_pairs(ref_vec: np.ndarray, cand_vec: np.ndarray, layout: Layout) -> Mapping[str, tuple[np.ndarray, np.ndarray]]:
    """Block name -> (reference block, candidate block), both rolled column-major."""
    r = layout.split(np.asarray(ref_vec).reshape(-1))
    c = layout.split(np.asarray(cand_vec).reshape(-1))
    return {name: (r[name], c[name]) for name in r}


def _to_c_blocks(vec: np.ndarray, layout: Layout) -> np.ndarray:
    """Re-unroll each block row by row, so a port that rolls with C order sees the right matrices."""
    blocks = layout.split(np.asarray(vec).reshape(-1))
    out = np.concatenate([np.ravel(blocks[b.name], order="C") for b in layout])
    return out.reshape(np.shape(vec))


def _from_c_blocks(vec: Any, layout: Layout) -> Any:
    """Undo :func:`_to_c_blocks` on an output vector the port unrolled row by row."""
    arr = np.asarray(vec) if isinstance(vec, np.ndarray) else None
    if arr is None or not layout.fits(arr):
        return vec
    flat = arr.reshape(-1)
    parts = [np.reshape(flat[b.slice], b.shape, order="C").ravel(order="F") for b in layout]
    return np.concatenate(parts).reshape(arr.shape)


def counterfactual_unroll_order(
    args: Sequence[Any], rerun: RerunPort, layout: Layout, names: Sequence[str] | None = None
) -> list[Finding]:
    """Re-run the port with its parameter vector re-unrolled in C order (block by block).

    A port that rolls ``nn_params`` with NumPy's default ``reshape`` computes
    with scrambled matrices, so its outputs are not a permutation of the
    reference's. Fed the vector in C order it sees the right matrices; if it
    then matches (its vector outputs read back in C order, or as they are), it
    rolls and unrolls in the wrong order.
    """
    if not args or not isinstance(args[0], np.ndarray) or not layout.fits(args[0]):
        return []
    if all(1 in b.shape or len(b.shape) < 2 for b in layout):
        return []
    label = names[0] if names else "the parameter vector"
    new = (_to_c_blocks(args[0], layout), *args[1:])
    for unrolls_c in (True, False):
        transform = (lambda outs: tuple(_from_c_blocks(o, layout) for o in outs)) if unrolls_c else None
        result = rerun(new, transform)
        if result.matches:
            both = " and unrolls its gradient the same way" if unrolls_c else ""
            return [Finding(
                kind="unroll-order", severity="error",
                message=(f"the port rolls {label} into matrices in C order{both}: use "
                         f"`reshape(..., order='F')` / `ravel(order='F')` (Octave's `reshape` and "
                         f"`Theta(:)` are column-major); it matches the reference when {label} is "
                         f"re-unrolled row by row."),
                evidence={"counterfactual": f"{label} blocks re-unrolled in C order",
                          "outputs_read_in_c_order": unrolls_c},
            )]
    return []
