"""Deterministic inputs that are identical in Octave and Python, and layouts.

Random numbers cannot match across languages (different generators, different
fill orders), so portcheck compares ports on *debug-initialized* values: sines
of 1, 2, 3, ... filled column-major, exactly as Octave's ``reshape`` does.
A :class:`Layout` names the blocks of an unrolled parameter vector
(``[Theta1(:); Theta2(:)]``) so differences can be reported per block.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from math import prod

import numpy as np

from .errors import InputError, LayoutError

__all__ = ["debug_weights", "debug_dataset", "Layout", "Block", "as_layout"]


def debug_weights(fan_out: int, fan_in: int) -> np.ndarray:
    """Debug-initialized weights, equal bit for bit to ``debugInitializeWeights.m``.

    Parameters
    ----------
    fan_out : int
        Units in the layer the weights feed (rows).
    fan_in : int
        Units in the layer below, not counting the bias (columns are ``1 + fan_in``).

    Returns
    -------
    ndarray, shape (fan_out, 1 + fan_in)
        ``sin(1:numel) / 10`` filled column-major.

    Notes
    -----
    The common hand port ``np.sin(range(1, n + 1)).reshape(fan_out, fan_in + 1)``
    fills row by row (C order) and gives a different matrix; Octave's
    ``reshape`` fills column by column, hence ``order='F'`` here.
    """
    fan_out, fan_in = _positive_int(fan_out, "fan_out"), _nonneg_int(fan_in, "fan_in")
    n = fan_out * (1 + fan_in)
    return np.reshape(np.sin(np.arange(1, n + 1, dtype=np.float64)), (fan_out, 1 + fan_in), order="F") / 10


def debug_dataset(m: int, n_features: int, n_labels: int) -> tuple[np.ndarray, np.ndarray]:
    """A small deterministic dataset, equal to ``debugDataset.m`` in Octave.

    Parameters
    ----------
    m : int
        Number of examples (rows of X).
    n_features : int
        Number of features (columns of X, no bias column).
    n_labels : int
        Number of classes.

    Returns
    -------
    X : ndarray, shape (m, n_features)
        ``debug_weights(m, n_features - 1)``, as the course's gradient check builds it.
    y : ndarray, shape (m,)
        Labels ``1 + mod(1:m, n_labels)``: 1-based, as MATLAB code expects, float64
        so Octave receives doubles. A 1-D vector reaches Octave as an m×1 column.
    """
    m = _positive_int(m, "m")
    n_features = _positive_int(n_features, "n_features")
    n_labels = _positive_int(n_labels, "n_labels")
    X = debug_weights(m, n_features - 1)
    y = (1 + np.mod(np.arange(1, m + 1), n_labels)).astype(np.float64)
    return X, y


def _positive_int(v: object, name: str) -> int:
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)) or int(v) < 1:
        if isinstance(v, (float, np.floating)) and float(v).is_integer() and v >= 1:
            return int(v)
        raise InputError(f"{name} must be a positive integer, got {v!r}.")
    return int(v)


def _nonneg_int(v: object, name: str) -> int:
    if isinstance(v, (float, np.floating)) and float(v).is_integer() and v >= 0:
        return int(v)
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)) or int(v) < 0:
        raise InputError(f"{name} must be a non-negative integer, got {v!r}.")
    return int(v)


@dataclass(frozen=True)
class Block:
    """One named block of an unrolled vector: ``vector[start:stop]`` is ``name(:)``."""

    name: str
    shape: tuple[int, ...]
    start: int

    @property
    def size(self) -> int:
        return prod(self.shape)

    @property
    def stop(self) -> int:
        return self.start + self.size

    @property
    def slice(self) -> slice:
        return slice(self.start, self.stop)


class Layout:
    """How a parameter vector unrolls into named blocks, column-major as Octave does.

    Parameters
    ----------
    blocks : iterable of (name, shape) pairs, or a mapping name -> shape
        In unrolling order, e.g. ``[("Theta1", (5, 4)), ("Theta2", (3, 6))]`` for
        ``nn_params = [Theta1(:); Theta2(:)]``.

    Examples
    --------
    >>> lay = Layout([("Theta1", (5, 4)), ("Theta2", (3, 6))])
    >>> lay.size
    38
    >>> blocks = lay.split(np.arange(38.0))
    >>> blocks["Theta1"][1, 0]     # element 2 of the vector: column-major
    1.0
    """

    def __init__(self, blocks: Iterable[tuple[str, Iterable[int]]] | Mapping[str, Iterable[int]]):
        items = list(blocks.items()) if isinstance(blocks, Mapping) else list(blocks)
        if not items:
            raise LayoutError("A layout needs at least one block, e.g. [('Theta1', (25, 401))].")
        out: list[Block] = []
        start = 0
        for item in items:
            try:
                name, shape = item
                shape = tuple(int(s) for s in (shape if isinstance(shape, Iterable) else (shape,)))
            except (TypeError, ValueError):
                raise LayoutError(
                    f"Layout entries are (name, shape) pairs such as ('Theta1', (25, 401)); got {item!r}."
                ) from None
            if any(s < 1 for s in shape):
                raise LayoutError(f"Block {name!r} has a non-positive dimension {shape}.")
            if any(b.name == name for b in out):
                raise LayoutError(f"Block name {name!r} appears twice in the layout.")
            out.append(Block(str(name), shape, start))
            start += prod(shape)
        self.blocks: tuple[Block, ...] = tuple(out)
        self.size = start

    def __iter__(self) -> Iterator[Block]:
        return iter(self.blocks)

    def __len__(self) -> int:
        return len(self.blocks)

    def __getitem__(self, name: str) -> Block:
        for b in self.blocks:
            if b.name == name:
                return b
        raise KeyError(name)

    def __repr__(self) -> str:
        inner = ", ".join(f"{b.name}{b.shape}" for b in self.blocks)
        return f"Layout({inner}; {self.size} elements)"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Layout) and self.blocks == other.blocks

    def __hash__(self) -> int:
        return hash(self.blocks)

    def to_list(self) -> list[tuple[str, tuple[int, ...]]]:
        """The ``(name, shape)`` pairs, JSON-friendly."""
        return [(b.name, b.shape) for b in self.blocks]

    def fits(self, vector: np.ndarray) -> bool:
        """True when ``vector`` is a vector (1-D, n×1 or 1×n) of this layout's length."""
        a = np.asarray(vector)
        return a.size == self.size and (a.ndim == 1 or (a.ndim == 2 and 1 in a.shape))

    def _flat(self, vector: np.ndarray) -> np.ndarray:
        a = np.asarray(vector)
        if not self.fits(a):
            raise LayoutError(
                f"The layout describes {self.size} elements ({self!r}) but the vector has shape "
                f"{a.shape}; check the block shapes and their order."
            )
        return a.reshape(-1)

    def split(self, vector: np.ndarray, order: str = "F") -> dict[str, np.ndarray]:
        """Roll a vector into its blocks (column-major by default, like Octave's reshape).

        Returns copies, so the caller's vector is never aliased.
        """
        flat = self._flat(vector)
        return {b.name: np.reshape(flat[b.slice], b.shape, order=order).copy() for b in self.blocks}

    def unroll(self, blocks: Mapping[str, np.ndarray], order: str = "F") -> np.ndarray:
        """Unroll named blocks into one vector, ``[A(:); B(:)]`` (column-major by default)."""
        parts = []
        for b in self.blocks:
            if b.name not in blocks:
                raise LayoutError(f"Block {b.name!r} is missing; expected {[x.name for x in self.blocks]}.")
            arr = np.asarray(blocks[b.name])
            if arr.shape != b.shape:
                raise LayoutError(f"Block {b.name!r} has shape {arr.shape}, the layout says {b.shape}.")
            parts.append(np.ravel(arr, order=order))
        return np.concatenate(parts)

    def block_of(self, index: int) -> tuple[Block, tuple[int, ...]]:
        """The block holding flat element ``index`` and its (row, col, ...) within it."""
        for b in self.blocks:
            if b.start <= index < b.stop:
                return b, tuple(int(i) for i in np.unravel_index(index - b.start, b.shape, order="F"))
        raise IndexError(f"index {index} is outside the layout's {self.size} elements")


def as_layout(layout: Layout | Iterable | Mapping | None) -> Layout | None:
    """Accept a :class:`Layout`, a list of (name, shape) pairs, a mapping, or None."""
    if layout is None or isinstance(layout, Layout):
        return layout
    return Layout(layout)
