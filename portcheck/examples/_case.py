"""Catalogue entries tying an Octave reference to a Python port and its inputs.

The demo, the bundled suite, the tests and the migration guide all read the
same catalogue, so "the corpus" is defined once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Case:
    """A faithful port next to its Octave reference.

    Attributes
    ----------
    name : str
        Unique id, ``"<assignment>.<OctaveName>"``, e.g. ``"ex4.nnCostFunction"``.
    octave : str
        Octave function to call; folder-qualified when the bare name is ambiguous
        (``"ex2/predict"``).
    port : callable
        The Python port, same argument order as the reference.
    make_args : callable
        Returns a fresh tuple of arguments (debug-initialized, deterministic).
        Both sides receive these values.
    nout : int, optional
        Outputs to compare (default: all the reference declares).
    layout : list of (name, shape), optional
        Blocks of the unrolled parameter vector (first argument / gradient).
    make_python_args : callable, optional
        Different arguments for the port where its signature differs.
    gradient : bool
        ``port(x, *rest) -> (cost, grad)``: gradient-checkable with x = args[0]
        (or ``args[wrt]``).
    outputs : tuple of str
        Names of the outputs, for reports (``("J", "grad")``).
    rtol, atol : float, optional
        Tolerances for this case when the default (agreement to rounding) is
        too strict for a documented reason, e.g. an optimizer's output.
    wrt : int
        Index of the argument the gradient is taken with respect to, when it is
        not the first (``linearRegCostFunction(X, y, theta, lambda)``: 2).
    """

    name: str
    octave: str
    port: Callable[..., Any]
    make_args: Callable[[], tuple]
    nout: int | None = None
    layout: list[tuple[str, tuple[int, ...]]] | None = None
    make_python_args: Callable[[], tuple] | None = None
    gradient: bool = False
    outputs: tuple[str, ...] = ()
    description: str = ""
    wrt: int = 0
    rtol: float | None = None
    atol: float | None = None


@dataclass(frozen=True)
class BrokenCase:
    """A port carrying one classic mistake, and what portcheck should call it.

    Attributes
    ----------
    name : str
        Unique id, e.g. ``"broken.nn_cost_c_order"``.
    reference : str
        ``Case.name`` of the faithful case it varies (reference, inputs, layout).
    port : callable
        The broken port (its docstring names the mistake and the fix).
    mistake : str
        One line naming the mistake, as a user would describe it.
    expected : tuple of str
        Finding kinds the check must report (at least one must appear).
    check : str
        ``"compare"``, ``"gradient"`` or ``"minimize"``: the check that catches it.
    make_args, make_python_args : callable, optional
        Override the reference case's inputs (e.g. to pass a (m,1) column).
    extra : dict
        Anything else a check needs (e.g. ``{"objective": callable}``).
    """

    name: str
    reference: str
    port: Callable[..., Any]
    mistake: str
    expected: tuple[str, ...]
    check: str = "compare"
    make_args: Callable[[], tuple] | None = None
    make_python_args: Callable[[], tuple] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
