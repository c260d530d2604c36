"""The raw evidence of one gradient check, whichever language evaluated it.

Both back ends (:mod:`._python` in-process, :mod:`._octave` in one Octave call)
fill an :class:`Evidence`; everything after that — verdicts, diagnosis,
report — is shared, so a Python port and its Octave reference are judged by
the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..inputs import Layout
from ._precision import Precision

if TYPE_CHECKING:
    from ._probes import Probes

__all__ = ["Evidence", "Sweep", "nan_array"]


def nan_array(n: int) -> np.ndarray:
    return np.full(n, np.nan)


@dataclass
class Sweep:
    """``f(x + h·d)`` over a sweep of steps ``hs`` for the Taylor-remainder test.

    ``d`` is a random unit direction over ``x[start:start+length]`` (hash
    parameters ``hashp``); ``block`` is -1 for the direction over all of x.
    ``f`` is filled by the back end.
    """

    block: int
    start: int
    length: int
    hashp: np.ndarray
    hs: np.ndarray
    f: np.ndarray | None = None


@dataclass
class Evidence:
    """Everything measured: costs along every probe, the analytic gradient, side checks.

    Arrays ``fp, fm`` hold ``f(x ± h d)``, ``fp2, fm2`` the same at ``h/2``,
    ``fc`` the complex-step derivative ``Im f(x + i·hc·d) / hc`` and ``fcr``
    the real part of that evaluation; NaN marks what was not evaluated.
    """

    x: np.ndarray
    layout: Layout
    prec: Precision
    f0: float
    g: np.ndarray
    probes: Probes
    fp: np.ndarray
    fm: np.ndarray
    fp2: np.ndarray
    fm2: np.ndarray
    fc: np.ndarray
    fcr: np.ndarray
    #: rounding noise of one evaluation of f (assumed, or measured when larger)
    noise: float = 0.0
    noise_sigma: float = 0.0
    f0_again: float = np.nan
    g_again: np.ndarray | None = None
    #: block -> "" (complex step not tried), "ok", or why it cannot be used
    complex_status: dict[int, str] = field(default_factory=dict)
    #: block -> the complex-step trial's numbers (h, fc, fcr, fp, fm and maybe fp2, fm2)
    trials: dict[int, dict[str, float]] = field(default_factory=dict)
    sweeps: list[Sweep] = field(default_factory=list)
    evals: int = 0
    grad_evals: int = 0
    bridge_calls: int = 0
    mutation: dict[str, Any] | None = None
    arg_mutations: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    source: dict[str, Any] = field(default_factory=dict)
    #: block -> what the group-testing search concluded (see :mod:`._search`)
    search: dict[int, Any] = field(default_factory=dict)
    #: indices of the probes the search added (elements it found, checked one by one)
    search_probes: list[int] = field(default_factory=list)
    _sweep_dirs: dict[int, np.ndarray] = field(default_factory=dict, repr=False)
    _sweep_dots: dict[int, float] = field(default_factory=dict, repr=False)

    @property
    def n(self) -> int:
        return int(self.x.size)

    def sweep_local(self, sweep: Sweep) -> np.ndarray:
        """A sweep's direction over its own range (computed once per check)."""
        key = id(sweep)
        if key not in self._sweep_dirs:
            scales = self.probes.scales_for(self.x)
            # g · d along the way, while each part of d is in the cache (see sweep_analytic)
            self._sweep_dirs[key], self._sweep_dots[key] = scales.direction_dot(
                sweep.start, sweep.length, sweep.hashp, self.g)
        return self._sweep_dirs[key]

    def sweep_direction(self, sweep: Sweep) -> np.ndarray:
        """The dense direction a sweep moves along."""
        d = np.zeros(self.x.size)
        d[sweep.start:sweep.start + sweep.length] = self.sweep_local(sweep)
        return d

    def sweep_analytic(self, sweep: Sweep) -> float:
        """``g · d`` along a sweep."""
        self.sweep_local(sweep)
        return self._sweep_dots[id(sweep)]

    def add_probes(self, more: Probes) -> list[int]:
        """Append probes (their measurements not taken yet); returns their indices."""
        first = len(self.probes)
        self.probes = self.probes.extended(more)
        pad = np.full(len(more), np.nan)
        for name in ("fp", "fm", "fp2", "fm2", "fc", "fcr"):
            setattr(self, name, np.concatenate([getattr(self, name), pad]))
        return list(range(first, len(self.probes)))
