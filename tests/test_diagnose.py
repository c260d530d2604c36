"""explain_difference: array-level diagnosis, the primitive compare and the gradient check share.

References come from real Octave (the ``octave`` fixture) where a reference
function exists; the candidates are what a port with one mistake would hold.
"""

from __future__ import annotations

import numpy as np
import pytest

from portcheck.diagnose import explain_difference
from portcheck.errors import InputError
from portcheck.inputs import Layout, debug_weights

LAYOUT = [("Theta1", (5, 4)), ("Theta2", (3, 6))]


@pytest.fixture(scope="module")
def thetas(octave):
    """Theta1, Theta2 as Octave builds them, and their column-major unrolling."""
    T1 = octave.call("debugInitializeWeights", 5, 3)
    T2 = octave.call("debugInitializeWeights", 3, 5)
    # Octave's own reshape to a column is T(:), the unrolling the reference uses.
    vec = octave.call("vertcat", octave.call("reshape", T1, 20, 1), octave.call("reshape", T2, 18, 1))
    return T1, T2, vec


def kinds(findings):
    return [f.kind for f in findings]


def test_equal_values_give_no_findings(thetas):
    _, _, vec = thetas
    assert explain_difference(vec, vec.reshape(-1).copy(), output="grad", layout=LAYOUT) == []


def test_one_d_against_column_and_float_against_1x1_are_not_findings(thetas):
    _, _, vec = thetas
    assert explain_difference(vec, vec.ravel()) == []
    assert explain_difference(2.5, np.array([[2.5]])) == []


def test_sign(thetas):
    _, _, vec = thetas
    found = explain_difference(vec, -vec, output="grad", layout=LAYOUT)
    assert kinds(found) == ["sign"]
    assert found[0].severity == "error"
    assert found[0].block is None  # one whole-vector explanation, not one per block


def test_scale_named_m_message(thetas):
    _, _, vec = thetas
    found = explain_difference(vec, 5 * vec, output="grad", layout=LAYOUT, context={"m": 5})
    assert kinds(found) == ["scale"]
    assert "the port's grad is 5× the reference (= m): a missing `1/m`" in found[0].message
    assert found[0].evidence["factor"] == pytest.approx(5)


def test_scale_named_half_and_unnamed(thetas):
    _, _, vec = thetas
    half = explain_difference(vec, 0.5 * vec, output="grad")
    assert kinds(half) == ["scale"] and "(= 1/2)" in half[0].message
    odd = explain_difference(vec, 3.3 * vec, output="grad")
    assert kinds(odd) == ["scale"] and "3.3×" in odd[0].message


def test_scalar_with_unrecognised_ratio_is_a_mismatch_not_a_scale():
    found = explain_difference(0.3, 0.61, output="J")
    assert kinds(found) == ["mismatch"]


def test_ddof_std_and_var(octave):
    x = debug_weights(9, 2)  # 9 samples, 3 features
    s1 = octave.call("std", x)  # MATLAB's std divides by N-1
    found = explain_difference(s1, x.std(axis=0), output="sigma")
    assert kinds(found) == ["ddof"]
    assert found[0].evidence["N"] == 9
    assert "ddof=1" in found[0].message
    v1 = octave.call("var", x)
    found = explain_difference(v1, x.var(axis=0), output="sigma2")
    assert kinds(found) == ["ddof"] and found[0].evidence["statistic"] == "var"
    # The inverse trap: ddof=1 where the reference divides by N.
    v0 = octave.call("var", x, 1)
    found = explain_difference(v0, x.var(axis=0, ddof=1), output="sigma2")
    assert kinds(found) == ["ddof"] and "ddof=0" in found[0].message


def test_ddof_is_not_claimed_for_a_factor_near_one_on_a_scalar():
    # A scalar ratio close to 1 matches √(N/(N-1)) for some huge N; that is not evidence.
    assert kinds(explain_difference(463.55, 463.58, output="J")) == ["mismatch"]


def test_unroll_order_per_block_message(thetas):
    T1, T2, vec = thetas
    cand = np.concatenate([T1.ravel(order="F"), T2.ravel(order="C")])
    found = explain_difference(vec, cand, output="grad", layout=LAYOUT)
    assert kinds(found) == ["unroll-order"]
    assert found[0].block == "Theta2"
    assert "block Theta2 is unrolled in C order: use `ravel(order='F')` / `reshape(..., order='F')`" in found[0].message


def test_unroll_order_of_a_matrix_filled_row_by_row(octave):
    ref = octave.call("debugInitializeWeights", 3, 4)
    cand = np.sin(np.arange(1, 16)).reshape(3, 5) / 10  # NumPy's default C-order reshape
    found = explain_difference(ref, cand, output="W")
    assert kinds(found) == ["unroll-order"] and "order='F'" in found[0].message


def test_transposed_square_and_rectangular(octave):
    A = octave.call("debugInitializeWeights", 4, 3)
    assert kinds(explain_difference(A, A.T.copy())) == ["transposed"]
    B = octave.call("debugInitializeWeights", 3, 4)
    found = explain_difference(B, B.T.copy(), output="Z")
    assert kinds(found) == ["transposed"] and "`.T`" in found[0].message


def test_swapped_blocks_same_shape_and_reordered(octave):
    X = octave.call("debugInitializeWeights", 4, 2)
    Th = octave.call("debugInitializeWeights", 4, 2) * -2.0
    ref = np.concatenate([X.ravel(order="F"), Th.ravel(order="F")])
    cand = np.concatenate([Th.ravel(order="F"), X.ravel(order="F")])
    found = explain_difference(ref, cand, output="grad", layout=[("X", (4, 3)), ("Theta", (4, 3))])
    assert kinds(found) == ["swapped-blocks"]
    assert set(found[0].evidence["blocks"]) == {"X", "Theta"}


def test_regularization_missing_and_bias_included(thetas):
    T1, T2, vec = thetas
    lam, m = 3.0, 5
    params = vec.ravel() * 2 + 0.05
    lay = Layout(LAYOUT)
    P = lay.split(params)

    def reg(block, bias):
        R = (lam / m) * P[block].copy()
        if not bias:
            R[:, 0] = 0
        return R

    unreg = vec.ravel()
    ref = unreg + lay.unroll({"Theta1": reg("Theta1", False), "Theta2": reg("Theta2", False)})
    ctx = {"m": m, "lambda": lam}
    missing = explain_difference(ref, unreg, output="grad", layout=LAYOUT, params=params, context=ctx)
    assert kinds(missing) == ["regularization", "regularization"]
    assert "(= -λ/m)" in missing[0].message and missing[0].evidence["part"] == "non-bias"
    with_bias = unreg + lay.unroll({"Theta1": reg("Theta1", True), "Theta2": reg("Theta2", True)})
    found = explain_difference(ref, with_bias, output="grad", layout=LAYOUT, params=params, context=ctx)
    assert {f.evidence["part"] for f in found} == {"bias"}
    assert "`Theta[:, 1:]`" in found[0].message


def test_index_base_of_an_output(octave):
    _, p = octave.call("max", octave.call("magic", 4), np.zeros((0, 0)), 2, nout=2)
    found = explain_difference(p, p.ravel() - 1, output="p")
    assert kinds(found) == ["index-base"] and "1-based" in found[0].message


def test_constant_arrays_are_not_called_index_base():
    # All ones against all zeros is not evidence of label arithmetic.
    assert kinds(explain_difference(np.ones((4, 1)), np.zeros(4))) == ["mismatch"]


def test_mismatch_names_block_and_position(thetas):
    _, _, vec = thetas
    cand = vec.ravel().copy()
    cand[25] += 1.0  # element 26 = Theta2(3, 2)
    found = explain_difference(vec, cand, output="grad", layout=LAYOUT)
    assert kinds(found) == ["mismatch"]
    f = found[0]
    assert f.block == "Theta2"
    assert "(26,1) = Theta2(3,2)" in f.message
    assert f.evidence["worst"]["block_subscripts"] == [3, 2]


def test_broadcast_and_shape_findings():
    col = np.linspace(0.1, 0.5, 5).reshape(-1, 1)
    found = explain_difference(col, col - col.ravel(), output="h")
    assert kinds(found) == ["broadcast"]
    # Which argument to flatten (or make a column) only a re-run can tell: no advice without one.
    assert "flatten" not in found[0].message and "make both columns or both 1-D" in found[0].message
    assert kinds(explain_difference(col, col.T.copy(), output="grad")) == ["shape"]
    assert kinds(explain_difference(1.0, col, output="J")) == ["shape"]
    assert kinds(explain_difference(col, np.ones(7))) == ["shape"]


def test_non_finite_says_which_side():
    ref = np.array([[0.0], [0.5], [1.0]])
    found = explain_difference(ref, np.array([0.0, 0.5, np.nan]), output="h")
    assert kinds(found) == ["non-finite"]
    assert found[0].severity == "error" and "PYTHON h holds 1 NaN" in found[0].message
    same = explain_difference(np.array([1.0, np.inf]), np.array([1.0, np.inf]))
    assert kinds(same) == ["non-finite"] and same[0].severity == "warning"


def test_labels_and_non_numeric_inputs():
    ref = np.arange(1.0, 5.0)
    found = explain_difference(ref, -ref, reference_label="NUMERICAL", candidate_label="ANALYTIC")
    assert "NUMERICAL" in found[0].message and "ANALYTIC" in found[0].message
    assert kinds(explain_difference(ref, "oops")) == ["shape"]
    with pytest.raises(InputError):
        explain_difference({"a": 1}, ref)
