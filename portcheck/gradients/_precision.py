"""Working precision, finite-difference steps and the tolerances derived from them.

Every threshold the gradient check uses comes from here, so a reader can see
in one page why a difference counts as noise or as a wrong gradient. The
conventions follow scipy.optimize's ``_numdiff``: a step ``EPS**(1/3)``
scaled by ``max(1, |x|)`` for central differences, where ``EPS`` is the
machine epsilon of the dtype the function really computes in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["Precision", "working_precision", "pow2"]

# Rounding in a cost is a few ulps of |f| for a well-written sum (NumPy and
# Octave both sum pairwise or with BLAS): KAPPA ulps is the noise we allow in
# each evaluation of f before a central difference is called wrong.
KAPPA = 16.0


@dataclass(frozen=True)
class Precision:
    """Steps and tolerances for one working dtype.

    Attributes
    ----------
    dtype : numpy dtype
        ``float64``, or ``float32`` when the input or an output is single.
    eps : float
        Machine epsilon of ``dtype``.
    """

    dtype: np.dtype
    rtol_user: float | None = None

    @property
    def eps(self) -> float:
        return float(np.finfo(self.dtype).eps)

    @property
    def single(self) -> bool:
        return self.eps > 1e-10

    @property
    def h_rel(self) -> float:
        """Relative central-difference step ``EPS**(1/3)``: balances h² truncation and EPS/h rounding."""
        return self.eps ** (1.0 / 3.0)

    @property
    def h_complex(self) -> float:
        """Complex step: no subtraction, so it can be tiny; its h² error then vanishes."""
        return 1e-8 if self.single else 1e-20

    @property
    def rtol(self) -> float:
        """Relative tolerance of a central difference: 30 × EPS**(2/3) (1.1e-9 in float64)."""
        return self.rtol_user if self.rtol_user is not None else 30.0 * self.eps ** (2.0 / 3.0)

    @property
    def rtol_complex(self) -> float:
        """Relative tolerance of a complex-step derivative (exact up to rounding)."""
        return 1e-4 if self.single else 1e-10

    @property
    def digits(self) -> int:
        """Significant digits a central difference can resolve: -log10(EPS**(2/3))."""
        return int(math.floor(-math.log10(self.eps ** (2.0 / 3.0))))

    def noise(self, f0: float) -> float:
        """Rounding noise of one evaluation of a cost of size ``f0``."""
        return KAPPA * self.eps * max(abs(f0), np.finfo(np.float64).tiny)

    def element_steps(self, x: np.ndarray) -> np.ndarray:
        """Per-element steps ``EPS**(1/3) * max(1, |x|)``, rounded to powers of two.

        A power of two makes ``x + h`` exact more often, so the step taken is
        the step intended.
        """
        return pow2(self.h_rel * np.maximum(1.0, np.abs(np.asarray(x, dtype=np.float64))))


def pow2(v: np.ndarray | float) -> np.ndarray:
    """Nearest power of two (elementwise) of positive values."""
    return np.exp2(np.round(np.log2(np.asarray(v, dtype=np.float64))))


def _is_single(value: object) -> bool:
    dt = getattr(value, "dtype", None)
    return dt is not None and np.issubdtype(dt, np.floating) and np.finfo(dt).eps > 1e-10


def working_precision(*values: object) -> Precision:
    """float32 when any of ``values`` (x, cost, gradient) is single precision, else float64.

    A port that casts to float32 inside but returns float64 is not caught
    here; its rounding shows up in the Taylor test's noise floor instead.
    """
    if any(_is_single(v) for v in values):
        return Precision(np.dtype(np.float32))
    return Precision(np.dtype(np.float64))
