"""The trace's data: one :class:`Step` per assigned variable, the same on both sides.

A step is keyed by ``(file, line, name)``: everything assigned at that place in
the source, however often the line ran. Values are bounded so a trace of a
real-sized problem stays small: arrays up to :data:`FULL_VALUE_LIMIT` elements
are kept whole; larger ones travel as a :class:`Fingerprint`. A line inside a
loop keeps its first and last pass whole, plus the running sum of every pass
(what tells an overwritten accumulator from a summed one) and the count.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import re

import numpy as np

__all__ = ["Step", "Trace", "Fingerprint", "FULL_VALUE_LIMIT", "fingerprint", "bare_name"]

#: Arrays with more elements than this are recorded as fingerprints (800 kB of
#: float64): enough for the course's debug networks and a few hundred examples
#: of real data, small enough that a trace costs little next to the call itself.
FULL_VALUE_LIMIT = 100_000


#: ``self.A1``, ``net.cache['z1']``, ``cache["a1"]``: a value the port keeps in an
#: object or a dict rather than in a variable of its own.
_HELD = re.compile(r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*(?:\.([A-Za-z_]\w*)|\[['\"]([A-Za-z_]\w*)['\"]\])$")


def bare_name(name: str) -> str:
    """The variable a step's name stands for: ``self.A1`` → ``A1``, ``cache['z1']`` → ``z1``.

    The port's trace names values kept on ``self`` or in a dict by how the
    port reaches them; what they are called is the last attribute or the
    string key, which is what names are matched by. Element names
    (``acts[1]``) stay as they are: an index says nothing about the value.
    """
    m = _HELD.match(name)
    if m is None:
        return name
    return m.group(1) or m.group(2)


@dataclass(frozen=True)
class Fingerprint:
    """A summary of an array too large to keep: its shape and a few moments.

    Two fingerprints of equal arrays are equal to rounding; the moments are
    chosen so that the common porting mistakes (a transpose of a non-square
    array changes the shape; a scale, sign or elementwise function changes the
    sums) show.
    """

    shape: tuple[int, ...]
    total: float
    total_abs: float
    total_sq: float
    minimum: float
    maximum: float


def fingerprint(value: np.ndarray) -> Fingerprint:
    """The :class:`Fingerprint` of an array (NumPy side; Octave computes the same moments)."""
    a = np.asarray(value, dtype=np.float64) if not np.iscomplexobj(value) else np.abs(value)
    finite = a[np.isfinite(a)]
    return Fingerprint(
        shape=tuple(int(s) for s in a.shape),
        total=float(np.sum(finite)),
        total_abs=float(np.sum(np.abs(finite))),
        total_sq=float(np.sum(finite * finite)),
        minimum=float(np.min(finite)) if finite.size else float("nan"),
        maximum=float(np.max(finite)) if finite.size else float("nan"),
    )


@dataclass(eq=False)
class Step:
    """Everything recorded for one assignment site.

    Attributes
    ----------
    side : {"octave", "python"}
    file : str
        Path of the source file (for Octave: the user's original ``.m``, never
        the instrumented copy).
    line : int
        1-based line of the assignment in that file.
    order : int
        Position of the site's *first* execution among all recorded steps of
        the trace (statement order, not line order).
    name : str
        The variable assigned (for ``[a, b] = f(...)`` one step per name).
    function : str
        The function whose body holds the line (``nnCostFunction``, a helper).
    value : ndarray, float, Fingerprint or None
        The value after the last execution (float64/complex arrays keep their
        MATLAB/NumPy shape). ``None`` for values that are not numeric.
    passes : int
        How many times the line ran (loops, or a helper called repeatedly).
    first : same as value, optional
        The value after the first execution, when ``passes > 1``.
    total : ndarray or Fingerprint, optional
        The sum of the values of every pass, when ``passes > 1`` and every
        pass had the same shape.
    role : {"", "input", "argument"}
        ``"input"``: a parameter of the traced function itself, as the call
        received it (given, so never where the sides part). ``"argument"``:
        a parameter of a helper as a call passed it; ``line`` is the call's
        line (the caller's statement) where it is known, else the helper's
        header. ``"return"``: what a helper returned, at its return statement
        (named ``helper()``; the caller's assignment is its own step).
        ``""``: an assignment.
    terms : tuple
        Reference side, for a statement that sums terms into one number
        (``J = data / m + lambda / (2 * m) * reg``): each term's value, its sign
        included. A port that builds the number in several statements is
        checked statement by statement against them.
    """

    side: str
    file: str
    line: int
    order: int
    name: str
    function: str
    value: Any
    passes: int = 1
    first: Any = None
    total: Any = None
    role: str = ""
    terms: tuple = ()

    @property
    def location(self) -> tuple[str, int]:
        """``(file, line)``: what findings carry as ``port_location`` / ``reference_location``."""
        return (self.file, self.line)


@dataclass
class Trace:
    """The ordered steps of one side for one call, with the source lines they point into.

    Attributes
    ----------
    side : {"octave", "python"}
    steps : list of Step
        In order of first execution.
    sources : mapping of str to list of str
        Each traced file's lines (index 0 is line 1), so reports can quote them.
    outputs : tuple
        The call's own outputs (a traced call also returns them, so tracing
        costs one call, not two).
    notes : list of str
        What the reader should know: files that could not be instrumented and
        were run as they are, values recorded as fingerprints, ...
    returned_at : (str, int), optional
        Where the traced call returned (the port's ``return`` line), so values
        computed in a return statement can be placed.
    """

    side: str
    steps: list[Step] = field(default_factory=list)
    sources: Mapping[str, Sequence[str]] = field(default_factory=dict)
    outputs: tuple[Any, ...] = ()
    notes: list[str] = field(default_factory=list)
    #: ``(file, line)`` of the statement that returned from the traced call, when known.
    returned_at: tuple[str, int] | None = None

    def source_line(self, location: tuple[str, int] | None) -> str | None:
        """The text of a source line, stripped, or None when it was not recorded."""
        if location is None:
            return None
        lines = self.sources.get(location[0])
        if not lines or not 1 <= location[1] <= len(lines):
            return None
        return lines[location[1] - 1].strip()
