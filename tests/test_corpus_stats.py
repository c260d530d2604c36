"""The ex5/ex7/ex8/UFLDL corpus against real Octave.

Every faithful port must equal its Octave reference on the catalogue inputs,
every gradient must survive a finite-difference check, the two optimizers of
ex5 must reach the same minimum, and every broken port of the gallery must
differ from its reference in exactly the way its docstring says.
"""

from __future__ import annotations

import numpy as np
import pytest

from portcheck.examples import ex5, ex7, ex8, ufldl
from portcheck.examples._case import BrokenCase, Case
from portcheck.examples.broken import autoencoder, stats
from portcheck.inputs import Layout

CASES: list[Case] = [*ex5.CASES, *ex7.CASES, *ex8.CASES, *ufldl.CASES]
GALLERY: list[BrokenCase] = [*stats.GALLERY, *autoencoder.GALLERY]
BY_NAME = {c.name: c for c in CASES}

# Two different optimizers cannot agree bit for bit; they get their own tests.
OPTIMIZED = {"ex5.trainLinearReg", "ex5.learningCurve"}
# Integer-valued or exactly representable results: no rounding may differ.
EXACT = {"ex7.findClosestCentroids", "ex7.quantizeColors", "ex7.quantizeProjection", "ex8.selectThreshold"}

RTOL = 1e-12
# Entries that cancel to nearly zero (a gradient component, a centered value)
# carry the rounding of their larger neighbours, so the absolute floor scales
# with the largest entry of the output rather than with the entry itself.
ATOL_FACTOR = 1e-13


def _as_tuple(value: object) -> tuple:
    return value if isinstance(value, tuple) else (value,)


def _aligned(ref: object, py: object, what: str) -> tuple[np.ndarray, np.ndarray]:
    """Octave's value and the port's, shaped alike: a 1-D port vector may stand for a row or column."""
    r, p = np.asarray(ref, dtype=np.float64), np.asarray(py, dtype=np.float64)
    assert r.size == p.size, f"{what}: OCTAVE has {r.shape}, PYTHON {p.shape}"
    if p.ndim <= 1:
        assert r.ndim <= 1 or 1 in r.shape or r.size == 1, f"{what}: PYTHON 1-D for OCTAVE {r.shape}"
        return r.reshape(-1), p.reshape(-1)
    assert r.shape == p.shape, f"{what}: OCTAVE has {r.shape}, PYTHON {p.shape}"
    return r, p


def _assert_same(ref: object, py: object, what: str, exact: bool = False) -> None:
    r, p = _aligned(ref, py, what)
    if exact:
        np.testing.assert_array_equal(p, r, err_msg=what)
    else:
        atol = ATOL_FACTOR * float(np.max(np.abs(r), initial=0.0))
        np.testing.assert_allclose(p, r, rtol=RTOL, atol=atol, err_msg=what)


def _is_same(ref: object, py: object) -> bool:
    try:
        for r, p in zip(_as_tuple(ref), _as_tuple(py), strict=True):
            _assert_same(r, p, "")
    except (AssertionError, ValueError):
        return False
    return True


def _outputs(case: Case, octave, args: tuple, port=None) -> tuple[tuple, tuple]:
    ref = _as_tuple(octave.call(case.octave, *args, nout=len(case.outputs)))
    py = _as_tuple((port or case.port)(*args))
    return ref, py


# -- faithful ports -------------------------------------------------------------


def test_catalogue_is_well_formed():
    assert len(BY_NAME) == len(CASES), "case names must be unique"
    for case in CASES:
        assert case.outputs, case.name
        if case.gradient:
            assert case.outputs[-1] == "grad" and len(case.outputs) == 2, case.name
        if case.layout is not None:
            x = case.make_args()[case.wrt]
            assert Layout(case.layout).fits(x), case.name
    names = [b.name for b in GALLERY]
    assert len(set(names)) == len(names)
    assert all(b.reference in BY_NAME for b in GALLERY)


@pytest.mark.parametrize("case", [c for c in CASES if c.name not in OPTIMIZED], ids=lambda c: c.name)
def test_port_equals_reference(octave, case):
    args = case.make_args()
    before = [np.array(a, copy=True) if isinstance(a, np.ndarray) else a for a in args]
    ref, py = _outputs(case, octave, args)
    assert len(py) == len(ref) == len(case.outputs)
    for name, r, p in zip(case.outputs, ref, py):
        _assert_same(r, p, f"{case.name} {name}", exact=case.name in EXACT)
        if isinstance(r, float):
            assert type(p) is float, f"{case.name} {name}: scalars come back as Python floats"
    if case.gradient:
        assert py[1].ndim == 1, "gradients are 1-D, as scipy's jac=True expects"
    for a, b in zip(args, before):
        if isinstance(a, np.ndarray):
            np.testing.assert_array_equal(a, b, err_msg=f"{case.name} modified its input")


def _central_difference(f, x: np.ndarray) -> np.ndarray:
    """Central differences with step eps**(1/3) * max(1, |x_i|) (truncation ~ rounding)."""
    num = np.zeros_like(x)
    for i in range(x.size):
        h = np.finfo(float).eps ** (1 / 3) * max(1.0, abs(x[i]))
        up, down = x.copy(), x.copy()
        up[i] += h
        down[i] -= h
        num[i] = (f(up) - f(down)) / (up[i] - down[i])
    return num


@pytest.mark.parametrize("case", [c for c in CASES if c.gradient], ids=lambda c: c.name)
def test_gradient_matches_central_differences(case):
    args = list(case.make_args())
    x = np.asarray(args[case.wrt], dtype=np.float64)

    def cost(v: np.ndarray) -> float:
        args[case.wrt] = v
        return case.port(*args)[0]

    args[case.wrt] = x
    _, analytic = case.port(*args)
    numeric = _central_difference(cost, x)
    ratio = np.linalg.norm(numeric - analytic) / np.linalg.norm(numeric + analytic)
    assert ratio < 1e-9, f"{case.name}: norm(num-ana)/norm(num+ana) = {ratio:.2e}"


# -- the two optimizers of ex5 -------------------------------------------------------
#
# linearRegCostFunction is the quadratic J(t) = |X t - y|^2/(2m) + lambda/(2m)|D t|^2,
# D = diag(0, 1, ..., 1), with Hessian H = (X'X + lambda D)/m. For lambda > 0 and a
# bias column of ones H is positive definite, so J has one minimizer t*, the
# solution of (X'X + lambda D) t* = X'y, and for any t
#     |t - t*| <= |grad J(t)| / mu,    mu = smallest eigenvalue of H.
# Neither optimizer is expected to hit t* exactly (line searches stop once cost
# decreases fall below rounding); each must be within its own gradient bound of
# t*, hence within the sum of the bounds of the other. The bounds themselves must
# be small, or "converged" would mean nothing.


def _exact_fit(X: np.ndarray, y: np.ndarray, lambda_: float) -> tuple[np.ndarray, float]:
    D = np.eye(X.shape[1])
    D[0, 0] = 0.0
    H = (X.T @ X + lambda_ * D) / X.shape[0]
    return np.linalg.solve(X.T @ X + lambda_ * D, X.T @ y), float(np.linalg.eigvalsh(H)[0])


def test_train_linear_reg_reaches_the_same_minimum(octave):
    X, y, lambda_ = BY_NAME["ex5.trainLinearReg"].make_args()
    t_oc = np.asarray(octave.call("trainLinearReg", X, y, lambda_)).reshape(-1)
    t_py = ex5.train_linear_reg(X, y, lambda_)
    assert t_py.shape == t_oc.shape == (X.shape[1],)
    t_star, mu = _exact_fit(X, y, lambda_)
    bounds = []
    for label, t in (("OCTAVE", t_oc), ("PYTHON", t_py)):
        J, g = ex5.linear_reg_cost_function(X, y, t, lambda_)
        bound = np.linalg.norm(g) / mu
        assert bound <= 1e-8 * np.linalg.norm(t_star), f"{label} stopped far from the minimum"
        assert np.linalg.norm(t - t_star) <= bound * (1 + 1e-6) + 1e-14 * np.linalg.norm(t_star)
        # At a minimum, J(t) - J(t*) <= |g|^2 / (2 mu): the costs agree to second order.
        J_star = ex5.linear_reg_cost_function(X, y, t_star, lambda_)[0]
        assert J - J_star <= np.linalg.norm(g) ** 2 / (2 * mu) + 1e-14 * J_star
        bounds.append(bound)
    assert np.linalg.norm(t_oc - t_py) <= sum(bounds) * (1 + 1e-6) + 2e-14 * np.linalg.norm(t_star)


def test_learning_curve_matches_the_exact_curve(octave):
    X, y, Xval, yval, lambda_ = BY_NAME["ex5.learningCurve"].make_args()
    ref = octave.call("learningCurve", X, y, Xval, yval, lambda_)
    e_train_oc, e_val_oc = (np.asarray(v).reshape(-1) for v in ref)
    e_train_py, e_val_py = ex5.learning_curve(X, y, Xval, yval, lambda_)
    m = X.shape[0]
    exact_train, exact_val = np.zeros(m), np.zeros(m)
    for i in range(1, m + 1):
        t_star, _ = _exact_fit(X[:i], y[:i], lambda_)
        exact_train[i - 1] = ex5.linear_reg_cost_function(X[:i], y[:i], t_star, 0.0)[0]
        exact_val[i - 1] = ex5.linear_reg_cost_function(Xval, yval, t_star, 0.0)[0]
    # Each entry comes from its own training, stopped by a line search about
    # sqrt(eps) ~ 1.5e-8 (relative) short of t* in the worst case (measured: 3e-8
    # absolute on errors of size 5); the unregularized errors are first-order in
    # t - t* (they are not minimized by t*), so 1e-6 relative leaves a margin of
    # ~100 without admitting a wrong curve (a wrong lambda or prefix moves it by >1%).
    scale = np.max(np.abs(exact_val))
    for label, train, val in (("OCTAVE", e_train_oc, e_val_oc), ("PYTHON", e_train_py, e_val_py)):
        assert train.shape == val.shape == (m,)
        np.testing.assert_allclose(train, exact_train, rtol=1e-6, atol=1e-12 * scale, err_msg=label)
        np.testing.assert_allclose(val, exact_val, rtol=1e-6, atol=1e-12 * scale, err_msg=label)


# -- properties the catalogue relies on -----------------------------------------------


def test_pca_sign_convention_is_well_defined():
    """Distinct singular values, and one clearly largest entry per column of U:
    rounding cannot change which entry decides the sign."""
    (X,) = BY_NAME["ex7.pca"].make_args()
    U, S = ex7.pca(X)
    s = np.diag(S)
    assert np.all(np.diff(s) < -1e-3 * s[0])
    top2 = np.sort(np.abs(U), axis=0)[-2:]
    assert np.all(top2[1] - top2[0] > 1e-6)
    assert np.all(U[np.argmax(np.abs(U), axis=0), np.arange(U.shape[1])] > 0)


def test_find_closest_centroids_has_no_near_ties():
    X, centroids = BY_NAME["ex7.findClosestCentroids"].make_args()
    d = np.sort(((X[:, None, :] - centroids[None]) ** 2).sum(axis=2), axis=1)
    assert np.all(d[:, 1] - d[:, 0] > 1e-9 * d[:, 1])
    idx = ex7.find_closest_centroids(X, centroids)
    assert set(idx) == {1.0, 2.0, 3.0, 4.0}


def test_select_threshold_inputs_are_robust_to_rounding(octave):
    """No density sits within rounding of an interior candidate, Octave's range is
    the port's, and the best F1 is reached on one run of consecutive candidates."""
    yval, pval = BY_NAME["ex8.selectThreshold"].make_args()
    lo, hi = pval.min(), pval.max()
    step = (hi - lo) / 1000
    grid = ex8._octave_range(lo, step, hi, 1001)
    np.testing.assert_array_equal(np.asarray(octave.call("colon", lo, step, hi)).reshape(-1), grid)
    interior = pval[(pval > lo) & (pval < hi)]
    assert np.min(np.abs(interior[:, None] - grid[None, :])) > 0.25 * step
    f1 = []
    for eps in grid:
        flagged = pval < eps
        tp = np.sum(flagged & (yval == 1))
        fp = np.sum(flagged & (yval == 0))
        fn = np.sum(~flagged & (yval == 1))
        f1.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    f1 = np.array(f1)
    best = np.flatnonzero(f1 > f1.max() - 1e-9)
    assert np.all(np.diff(best) == 1), "the best F1 must be one plateau"
    assert np.max(f1[f1 < f1.max() - 1e-9]) < f1.max() - 1e-3
    assert ex8.select_threshold(yval, pval) == (float(grid[best[0]]), float(f1.max()))


def test_quantize_inputs_contain_the_cases_that_matter():
    X, levels = BY_NAME["ex7.quantizeColors"].make_args()
    assert np.sum(_even_ties(X * (levels - 1))) >= 4
    Z, step = BY_NAME["ex7.quantizeProjection"].make_args()
    assert np.sum((Z < 0) & (np.fmod(Z, step) != 0)) >= 8


def test_matlab_round_against_octave(octave):
    x = np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 0.49999999999999994, -0.49999999999999994,
                  2.4, -2.6, 4503599627370495.5, 1e300, -0.0])
    _assert_same(octave.call("round", x), ex7.matlab_round(x), "round", exact=True)
    for v in (np.inf, -np.inf, np.nan):
        np.testing.assert_array_equal(ex7.matlab_round(np.array([v])), [v])


# -- the gallery ----------------------------------------------------------------------


def _gallery_args(broken: BrokenCase) -> tuple:
    return (broken.make_args or BY_NAME[broken.reference].make_args)()


@pytest.mark.parametrize("broken", GALLERY, ids=lambda b: b.name)
def test_broken_port_differs_from_reference(octave, broken):
    case = BY_NAME[broken.reference]
    args = _gallery_args(broken)
    assert broken.port.__doc__ and "Mistake:" in broken.port.__doc__ and "Fix:" in broken.port.__doc__
    ref, py = _outputs(case, octave, args, port=broken.port)
    assert not _is_same(ref, py), f"{broken.name} equals its reference on its inputs"
    SIGNATURES[broken.name](ref, py, args)


# Each broken port must differ in the way its docstring claims: these are the
# structural relations (ratios, transposes, swapped blocks) the diagnosis relies on.


def _ddof_normalize(ref, py, args):
    m = args[0].shape[0]
    _assert_same(ref[1], py[1], "mu")
    _assert_same(np.ravel(ref[2]) * np.sqrt((m - 1) / m), py[2], "sigma * sqrt((m-1)/m)")


def _ddof_gaussian(ref, py, args):
    m = args[0].shape[0]
    _assert_same(ref[0], py[0], "mu")
    _assert_same(np.ravel(ref[1]) * m / (m - 1), py[1], "sigma2 * m/(m-1)")


def _centroids_no_axis(ref, py, args):
    X, idx, K = args
    assert py[0].shape == ref[0].shape
    assert np.all(py[0] == py[0][:, :1]), "each row holds one pooled value"
    _assert_same([X[idx == k].sum() / np.sum(idx == k) for k in range(1, K + 1)], py[0][:, 0], "pooled")


def _gaussian_no_axis(ref, py, args):
    assert np.ndim(py[0]) == 0 and np.asarray(ref[0]).shape == (args[0].shape[1], 1)


def _even_ties(scaled: np.ndarray) -> np.ndarray:
    """Halves whose neighbour toward zero is even: where half-to-even and half-away differ."""
    return (np.abs(scaled - np.trunc(scaled)) == 0.5) & (np.mod(np.trunc(scaled), 2) == 0)


def _round_ties(ref, py, args):
    X, levels = args
    differs = _even_ties(X * (levels - 1))
    np.testing.assert_array_equal(py[0][~differs], ref[0][~differs])
    np.testing.assert_array_equal(ref[0][differs] - py[0][differs], 1 / (levels - 1))


def _rem_negative(ref, py, args):
    Z, step = args
    moved = (Z < 0) & (np.fmod(Z, step) != 0)
    np.testing.assert_array_equal(py[0][~moved], ref[0][~moved])
    np.testing.assert_array_equal(ref[0][moved] - py[0][moved], step)


def _transposed(ref, py, args):
    _assert_same(ref[0].T, py[0], "U.T")
    _assert_same(ref[1], py[1], "S")


def _bias_regularized(ref, py, args):
    X, y, theta, lambda_ = args
    m = y.size
    _assert_same(ref[0] + lambda_ / (2 * m) * theta[0] ** 2, py[0], "J")
    expected = np.ravel(ref[1]).copy()
    expected[0] += lambda_ / m * theta[0]
    _assert_same(expected, py[1], "grad")


def _swapped_blocks(ref, py, args):
    layout = Layout(BY_NAME["ex8.cofiCostFunc"].layout)
    _assert_same(ref[0], py[0], "J")
    r, p = layout.split(np.ravel(ref[1])), layout.split(py[1])
    _assert_same(r["X"], p["Theta"], "X_grad in Theta's place")
    _assert_same(r["Theta"], p["X"], "Theta_grad in X's place")


def _c_order(ref, py, args):
    # Counterfactual: hand the C-order port the vector whose row-major reading is
    # the reference's matrices; it must then reproduce the reference, re-unrolled.
    layout = Layout(ufldl.AUTOENCODER_LAYOUT)
    blocks = layout.split(args[0])
    theta_c = layout.unroll(blocks, order="C")
    cost, grad = autoencoder.sparse_autoencoder_cost_c_order(theta_c, *args[1:])
    _assert_same(ref[0], cost, "cost")
    _assert_same(np.ravel(ref[1]), layout.unroll(layout.split(grad, order="C")), "grad")


def _scale_m(ref, py, args):
    m = args[-1].shape[1]
    _assert_same(ref[0], py[0], "cost")
    _assert_same(np.ravel(ref[1]) * m, py[1], "grad = m * reference")


def _kl_sign(ref, py, args):
    layout = Layout(ufldl.AUTOENCODER_LAYOUT)
    _assert_same(ref[0], py[0], "cost")
    r, p = layout.split(np.ravel(ref[1])), layout.split(py[1])
    for name in ("W2", "b2"):
        _assert_same(r[name], p[name], name)
    assert not _is_same(r["W1"], p["W1"]) and not _is_same(r["b1"], p["b1"])


def _no_beta(ref, py, args):
    _assert_same(ref[1], py[1], "grad")
    assert not _is_same(ref[0], py[0])


SIGNATURES = {
    "broken.feature_normalize_ddof0": _ddof_normalize,
    "broken.estimate_gaussian_ddof1": _ddof_gaussian,
    "broken.compute_centroids_no_axis": _centroids_no_axis,
    "broken.estimate_gaussian_no_axis": _gaussian_no_axis,
    "broken.quantize_colors_np_round": _round_ties,
    "broken.quantize_projection_python_mod": _rem_negative,
    "broken.pca_vh_as_u": _transposed,
    "broken.linear_reg_cost_bias_regularized": _bias_regularized,
    "broken.cofi_cost_func_swapped_grad": _swapped_blocks,
    "broken.sparse_autoencoder_c_order": _c_order,
    "broken.sparse_autoencoder_grad_no_1_over_m": _scale_m,
    "broken.sparse_autoencoder_kl_sign": _kl_sign,
    "broken.sparse_autoencoder_no_beta": _no_beta,
}


def test_every_gallery_entry_has_a_signature():
    assert set(SIGNATURES) == {b.name for b in GALLERY}
