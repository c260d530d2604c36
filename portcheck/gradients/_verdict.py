"""Per-probe verdicts and the Taylor-remainder test.

The rules, in the order they are tried for one probe with analytic value
``a = g·d``:

1. complex step (when the block is complex-safe): pass if ``|C - a|`` is
   within ``rtol_complex``; when it misses, the real differences below
   overrule it only if they contradict it (a real estimate that agrees with
   both ``C`` and ``a`` is merely less precise, and ``C`` stands);
2. central difference ``D(h)``: pass within ``rtol·max(|D|,|a|) + noise/h``
   (``noise`` is the rounding of one cost evaluation, see
   :class:`~._precision.Precision`);
3. Richardson extrapolation ``R = (4 D(h/2) - D(h)) / 3`` (error O(h⁴)),
   for probes still ambiguous: same test with the noise of the smaller step;
4. a kink within the step: when the numerical derivative changes with the
   step (``D(h)`` against ``D(h/2)``, or a gap between the one-sided
   differences that does not shrink with h, see ``_kink``) and ``a`` lies in
   the hull of the one-sided differences, the probe is *accepted with a
   warning* — finite differences cannot do better across a kink;
5. otherwise the analytic value is wrong along this probe.

The same rule decides, inside both back ends, which probes get the extra
evaluations of step 3 (``needs_refinement``), so Octave and Python spend
their evaluations alike.

References
----------
Squire & Trapp, "Using complex variables to estimate derivatives of real
functions", SIAM Review 40 (1998). Richardson, "The deferred approach to the
limit" (1927).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._evidence import Evidence, Sweep
from ._precision import KAPPA, Precision

__all__ = ["Judgement", "judge", "needs_refinement", "central_tol", "complex_tol", "complex_consistent",
           "taylor_steps", "taylor_verdict", "TaylorResult", "noise_level", "OK", "KINK", "BAD"]

OK, KINK, BAD = 0, 1, 2
#: Probes whose first estimate misses by more than this fraction of the
#: tolerance get the Richardson evaluations (a margin for borderline cases).
REFINE_AT = 0.5


def central_tol(num: np.ndarray, ana: np.ndarray, h: np.ndarray, prec: Precision, noise: float,
                noise_factor: float = 1.0) -> np.ndarray:
    """``rtol·max(|num|, |ana|) + noise/h``: the rounding of f divided by the step."""
    with np.errstate(invalid="ignore"):
        return prec.rtol * np.maximum(np.abs(num), np.abs(ana)) + noise_factor * noise / h


def complex_tol(num: np.ndarray, ana: np.ndarray, h: np.ndarray, prec: Precision, f0: float) -> np.ndarray:
    # h / h_rel is the probe's scale max(1, |x|): the floor is rtol_complex in units of f / x.
    scale = h / prec.h_rel
    with np.errstate(invalid="ignore"):
        return prec.rtol_complex * (np.maximum(np.abs(num), np.abs(ana)) + abs(f0) / scale)


def _central(fp, fm, h):
    return (fp - fm) / (2.0 * h)


def probe_noise(ev: Evidence) -> np.ndarray:
    """Rounding noise of each probe's difference ``f(x+h) - f(x-h)``: ulps of the values subtracted.

    ``ev.noise`` is sized from ``f(x)``; where ``f(x)`` is far smaller than
    ``f(x±h)`` (x ≈ 1e-300, a minimum at 0) the difference still carries the
    rounding of ``f(x±h)``.
    """
    with np.errstate(invalid="ignore"):
        big = np.nan_to_num(np.fmax(np.abs(ev.fp), np.abs(ev.fm)), nan=0.0, posinf=0.0)
    return np.fmax(ev.noise, KAPPA * ev.prec.eps * big)


def first_estimate(ev: Evidence, ana: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The cheapest estimate per probe (complex step, else central) and its tolerance."""
    h = ev.probes.h
    with np.errstate(invalid="ignore"):
        d1 = _central(ev.fp, ev.fm, h)
        use_c = np.isfinite(ev.fc)
        num = np.where(use_c, ev.fc, d1)
        tol = np.where(use_c, complex_tol(ev.fc, ana, h, ev.prec, ev.f0),
                       central_tol(d1, ana, h, ev.prec, probe_noise(ev)))
    return num, tol


def needs_refinement(ev: Evidence, ana: np.ndarray) -> np.ndarray:
    """Probes whose first estimate does not clearly agree with the analytic value."""
    num, tol = first_estimate(ev, ana)
    with np.errstate(invalid="ignore"):
        return ~(np.abs(num - ana) <= REFINE_AT * tol)


def complex_consistent(fc: float, fcr: float, d: float, r: float, h: float, prec: Precision, f0: float,
                       noise: float) -> bool:
    """Complex-step trial: finite, real part equal to f(x), imaginary part equal to the central value.

    ``r`` is the Richardson value (NaN when not computed): a trial whose
    central difference is merely inaccurate is not held against the function.
    """
    if not (np.isfinite(fc) and np.isfinite(fcr)):
        return False
    if abs(fcr - f0) > 100.0 * noise:
        return False
    tol = float(central_tol(np.array(d), np.array(fc), np.array(h), prec, noise))
    if abs(fc - d) <= tol:
        return True
    if np.isfinite(r):
        tol_r = float(central_tol(np.array(r), np.array(fc), np.array(h), prec, noise, 3.0))
        return abs(fc - r) <= tol_r
    return False


def _kink(d1: float, d2: float, one_sided: np.ndarray, tol: float) -> bool:
    """Evidence of a kink within the step, from the probe's four evaluations.

    On a smooth function the central difference hardly moves between h and
    h/2, and the gap between the right and left one-sided differences,
    ``s(h) ≈ h·f''``, halves with the step. A kink at distance t < h breaks
    one or the other: t near h/2 moves the central difference; t near 0
    leaves a gap ``s ≈ jump in f'`` that does not shrink.
    """
    right_h, left_h, right_h2, left_h2 = one_sided
    s1, s2 = right_h - left_h, right_h2 - left_h2
    if abs(d1 - d2) > 10.0 * tol:
        return True
    return abs(s1) > 10.0 * tol and abs(s2) > 10.0 * tol and abs(s2) > 0.75 * abs(s1)


@dataclass
class Judgement:
    """Per-probe outcome. ``how`` says which estimate decided."""

    ana: np.ndarray
    num: np.ndarray
    tol: np.ndarray
    status: np.ndarray
    how: list[str]
    complex_overruled: np.ndarray  # complex step disagreed, real differences agreed

    @property
    def err(self) -> np.ndarray:
        return np.abs(self.num - self.ana)

    @property
    def score(self) -> np.ndarray:
        """Error in units of the tolerance (>1 fails)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.tol > 0, self.err / self.tol, np.inf)


def judge(ev: Evidence) -> Judgement:
    """Apply the rules of the module docstring to every probe."""
    prec, f0, h = ev.prec, ev.f0, ev.probes.h
    ana = ev.probes.analytic(ev.g, ev.x)
    P = ana.size
    num = np.full(P, np.nan)
    tol = np.full(P, np.nan)
    status = np.full(P, BAD, dtype=np.int64)
    how = ["" for _ in range(P)]
    overruled = np.zeros(P, dtype=bool)
    with np.errstate(invalid="ignore", divide="ignore"):
        d1 = _central(ev.fp, ev.fm, h)
        d2 = _central(ev.fp2, ev.fm2, h / 2.0)
        rich = (4.0 * d2 - d1) / 3.0
        tol_c = complex_tol(ev.fc, ana, h, prec, f0)
        noise = probe_noise(ev)
        tol_1 = central_tol(d1, ana, h, prec, noise)
        tol_r = central_tol(rich, ana, h, prec, noise, 3.0)
        tol_2 = central_tol(d2, ana, h / 2.0, prec, noise)
    for p in range(P):
        a = ana[p]
        has_c, has_1, has_2 = np.isfinite(ev.fc[p]), np.isfinite(d1[p]), np.isfinite(d2[p])
        if has_c and abs(ev.fc[p] - a) <= tol_c[p]:
            num[p], tol[p], status[p], how[p] = ev.fc[p], tol_c[p], OK, "complex"
            continue
        # A real difference that agrees with the analytic value overrules a disagreeing complex step only
        # when it also contradicts the complex value; agreeing with both, it is just the less precise
        # measurement, and the complex step's verdict stands (rule 5).
        if has_1 and abs(d1[p] - a) <= tol_1[p] and not (has_c and abs(ev.fc[p] - d1[p]) <= tol_1[p]
                                                          and not (has_2 and abs(ev.fc[p] - rich[p]) > tol_r[p])):
            num[p], tol[p], status[p], how[p] = d1[p], tol_1[p], OK, "central"
            overruled[p] = has_c
            continue
        if has_1 and has_2 and abs(rich[p] - a) <= tol_r[p] and not (has_c and abs(ev.fc[p] - rich[p]) <= tol_r[p]):
            num[p], tol[p], status[p], how[p] = rich[p], tol_r[p], OK, "richardson"
            overruled[p] = has_c
            continue
        if has_1 and has_2:
            one_sided = np.array([(ev.fp[p] - f0) / h[p], (f0 - ev.fm[p]) / h[p],
                                  (ev.fp2[p] - f0) / (h[p] / 2), (f0 - ev.fm2[p]) / (h[p] / 2)])
            # One-sided differences are first order (error h·f''/2); extrapolating each side from h and
            # h/2 removes that error when the kink lies beyond the side's step.
            sides = np.concatenate([one_sided, 2 * one_sided[2:] - one_sided[:2]])
            lo, hi = sides.min(), sides.max()
            if _kink(d1[p], d2[p], one_sided, max(tol_1[p], tol_2[p])) and lo - tol_1[p] <= a <= hi + tol_1[p]:
                k = int(np.argmin(np.abs(sides - a)))
                num[p], tol[p], status[p], how[p] = sides[k], tol_1[p], KINK, "one-sided"
                continue
        # A wrong gradient: report the most accurate estimate available.
        if has_c and (not has_2 or abs(ev.fc[p] - rich[p]) <= tol_r[p]):
            num[p], tol[p], how[p] = ev.fc[p], tol_c[p], "complex"
        elif has_2:
            num[p], tol[p], how[p] = rich[p], tol_r[p], "richardson"
        elif has_1:
            num[p], tol[p], how[p] = d1[p], tol_1[p], "central"
        else:
            num[p], tol[p], how[p] = ev.fc[p], tol_c[p], "complex"
    return Judgement(ana, num, tol, status, how, overruled)


# ----------------------------------------------------------------------------
# Taylor remainder, and the noise floor it reveals

#: A measured noise floor is this many times the median flat remainder (which
#: is about one standard deviation of f's rounding), so that a central
#: difference's own rounding (0.7·sigma/h) sits well inside the tolerance.
NOISE_MULTIPLE = 8.0


def noise_level(f0: float, sweeps: list[Sweep], prec: Precision) -> tuple[float, float]:
    """Rounding noise of one evaluation of f: ``(noise, measured sigma)``.

    The assumed floor is ``KAPPA`` ulps of ``|f(x)|``. A cost can be much
    noisier (``log(1 - sigmoid(z))`` for large z loses digits to
    cancellation), so in float64 the floor is also measured from each Taylor
    sweep, without trusting the analytic gradient: the quadratic through
    ``f(x)`` and the sweep's 5th and 4th smallest steps predicts ``f`` at the
    three smallest steps far below rounding (the cubic term is about 1e-16
    times the third derivative), so the three misses are rounding alone. A
    sweep whose misses grow with h at both steps (a kink crossed at that
    scale, or a large cubic term) is not counted. The median over sweeps of
    each sweep's median miss, times ``NOISE_MULTIPLE``, raises the floor when
    it is larger. Octave's helper applies the same rule.
    """
    assumed = prec.noise(f0)
    if prec.single:
        return assumed, 0.0
    samples = []
    for sw in sweeps:
        if sw.f is None or sw.hs.size < 5:
            continue
        h5, h4, h3, h2, h1 = sw.hs[-5:]
        f5, f4, f3, f2, f1 = sw.f[-5:] - f0
        if not np.all(np.isfinite([f5, f4, f3, f2, f1])) or f1 == 0:
            continue
        det = h5 * h4 * (h4 - h5)
        a = (f5 * h4**2 - f4 * h5**2) / det
        c = (f4 * h5 - f5 * h4) / det
        r3, r2, r1 = (abs(fk - a * hk - c * hk**2) for fk, hk in ((f3, h3), (f2, h2), (f1, h1)))
        if r3 > 4.0 * r2 and r2 > 4.0 * r1:
            continue
        samples.append(float(np.median([r3, r2, r1])))
    sigma = float(np.median(samples)) if samples else 0.0
    return max(assumed, NOISE_MULTIPLE * sigma), sigma


def taylor_steps(prec: Precision) -> np.ndarray:
    """Relative steps of the sweep: 1e-1 ... 1e-8 in float64, 10**-0.5 ... 1e-4 in float32."""
    if prec.single:
        return 10.0 ** -np.arange(0.5, 4.01, 0.5)
    return 10.0 ** -np.arange(1.0, 8.01, 1.0)


@dataclass(frozen=True)
class TaylorResult:
    """``verdict`` is ``"second-order"`` (the gradient is consistent with the cost along d),
    ``"first-order"`` (it is not), ``"at-noise-floor"`` (the remainder never rises above rounding,
    so this direction cannot decide) or ``"mixed"``."""

    verdict: str
    slope: float
    hs: tuple[float, ...]
    remainders: tuple[float, ...]
    floor: float
    slope_error: float  # estimated |true - analytic| directional derivative when first-order

    def to_dict(self) -> dict:
        return {"verdict": self.verdict, "slope": self.slope, "h": list(self.hs),
                "remainder": list(self.remainders), "noise_floor": self.floor,
                "directional_error": self.slope_error}


def taylor_verdict(sweep: Sweep, a: float, ev: Evidence) -> TaylorResult:
    """Order of ``r(h) = |f(x+h·d) - f(x) - h·a|`` at the smallest steps that rise above rounding.

    A correct gradient leaves ``r = O(h²)``; a wrong one leaves ``|Δa|·h``,
    which wins as ``h`` shrinks. Steps whose remainder is within 4× the
    rounding floor of ``f`` are ignored.
    """
    hs = np.asarray(sweep.hs, dtype=float)
    r = np.abs(np.asarray(sweep.f, dtype=float) - ev.f0 - hs * a)
    floor = 4.0 * ev.noise
    valid = np.isfinite(r) & (r > floor)
    slopes = []
    for k in range(hs.size - 1):
        if valid[k] and valid[k + 1]:
            slopes.append((k, np.log(r[k] / r[k + 1]) / np.log(hs[k] / hs[k + 1])))
    if not slopes:
        verdict, slope = "at-noise-floor", float("nan")
    else:
        last = [s for _, s in slopes[-2:]]
        slope = float(np.mean(last))
        verdict = "second-order" if slope >= 1.6 else "first-order" if slope <= 1.4 else "mixed"
    k_small = int(np.flatnonzero(valid)[-1]) if valid.any() else -1
    err = float(r[k_small] / hs[k_small]) if (k_small >= 0 and verdict == "first-order") else 0.0
    return TaylorResult(verdict, slope, tuple(float(v) for v in hs), tuple(float(v) for v in r), floor, err)
