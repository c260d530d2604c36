"""The counterfactual re-run: how diagnosis families ask compare to try a hypothesis.

Families never run Octave or the port themselves. :func:`portcheck.compare`
hands them a callback ``rerun(python_args) -> Rerun`` that calls the port on
(copies of) the given arguments and says whether its outputs then match the
reference it already holds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["Rerun", "RerunPort"]


@dataclass(frozen=True)
class Rerun:
    """Outcome of one counterfactual call of the port.

    Attributes
    ----------
    outputs : tuple or None
        The port's outputs (None when it raised).
    error : BaseException or None
        What the port raised, if it did.
    matches : bool
        Every output matches the reference within the comparison's tolerances.
    """

    outputs: tuple[Any, ...] | None
    error: BaseException | None
    matches: bool


#: ``rerun(python_args, transform=None) -> Rerun``; ``transform`` maps the
#: port's outputs (a tuple) before they are compared with the reference.
RerunPort = Callable[..., Rerun]
