"""check_gradient on Octave functions: the whole check inside Octave, in one bridge call."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from portcheck import Octave
from portcheck.examples.catalog import all_cases, get_case
from portcheck.gradients import check_gradient
from portcheck.gradients._probes import block_direction, random_hash
from portcheck.inputs import debug_weights

FIXTURES = Path(__file__).parent / "octave_fixtures" / "gradients"


class CountingSession:
    """The real session, counting the calls that cross the bridge.

    Only ``call`` (a round trip) and ``resolve`` (a local path lookup) are
    offered, so any other use of the session by the gradient check fails.
    """

    def __init__(self, session: Octave) -> None:
        self._session = session
        self.calls: list[str] = []

    def call(self, name, *args, **kwargs):
        self.calls.append(name)
        return self._session.call(name, *args, **kwargs)

    def resolve(self, name):
        return self._session.resolve(name)


@pytest.fixture(scope="module")
def fixture_session(octave):
    """A session that also sees tests/octave_fixtures/gradients (the shared one stays untouched)."""
    session = Octave(paths=[FIXTURES])
    yield session
    session.close()


def split_args(case, args):
    wrt = getattr(case, "wrt", 0)
    return args[wrt], tuple(args[:wrt]) + tuple(args[wrt + 1:]), wrt


GRADIENT_CASES = [c for c in all_cases() if c.gradient]


@pytest.mark.parametrize("case", GRADIENT_CASES, ids=lambda c: c.name)
def test_octave_reference_passes_in_one_call(octave, case):
    x0, args, wrt = split_args(case, case.make_args())
    session = CountingSession(octave)
    rep = check_gradient(case.octave, x0, args=args, layout=case.layout, wrt=wrt, octave=session)
    assert rep.ok, str(rep)
    assert not rep.errors
    assert session.calls == ["portcheck_gradcheck"]
    assert rep.details["bridge_calls"] == 1
    # at least one evaluation per element besides the two at x: the differences ran inside Octave
    assert rep.details["mode"] == "full"
    assert rep.details["evaluations"] >= np.size(x0) + 2


def test_octave_and_python_judge_the_same_way(octave):
    """The port and its reference get the same per-block verdicts and the same analytic values."""
    case = get_case("ex4.nnCostFunction")
    x0, args, _ = split_args(case, case.make_args())
    py = check_gradient(case.port, x0, args=args, layout=case.layout, method="central")
    oc = check_gradient(case.octave, x0, args=args, layout=case.layout, method="central", octave=octave)
    assert [b["bad"] for b in py.details["blocks"]] == [b["bad"] for b in oc.details["blocks"]] == [0, 0]
    assert py.details["probes"] == oc.details["probes"]


def test_conjugate_transpose_is_detected_and_said(octave):
    case = get_case("ex4.nnCostFunction")
    x0, args, _ = split_args(case, case.make_args())
    rep = check_gradient(case.octave, x0, args=args, layout=case.layout, octave=octave)
    assert rep.ok
    assert all(v != "ok" for v in rep.details["complex_step"].values())
    text = " ".join(rep.notes)
    assert "conjugate transpose" in text and ".'" in text
    assert rep.details["estimates"].get("complex", 0) == 0


def test_plain_transpose_keeps_the_complex_step(fixture_session):
    case = get_case("ex2.costFunctionReg")
    x0, args, _ = split_args(case, case.make_args())
    rep = check_gradient("gc_reg_logistic_plain", x0, args=args, layout=case.layout, octave=fixture_session)
    assert rep.ok, str(rep)
    assert set(rep.details["complex_step"].values()) == {"ok"}
    assert set(rep.details["estimates"]) == {"complex"}
    # one complex evaluation per element, plus the fixed overhead (x twice, trials, Taylor sweeps)
    assert rep.details["evaluations"] < 2 * x0.size


def test_planted_octave_mistake_is_named(fixture_session):
    case = get_case("ex2.costFunctionReg")
    x0, args, _ = split_args(case, case.make_args())
    x0 = np.asarray(x0, dtype=float) + 0.5  # a non-zero bias, so its penalty shows
    session = CountingSession(fixture_session)
    rep = check_gradient("gc_reg_logistic_bias_penalized", x0, args=args, layout=case.layout, octave=session)
    assert session.calls == ["portcheck_gradcheck"]
    assert [f.kind for f in rep.errors] == ["regularization"], str(rep)
    table = rep.tables[0]
    assert "bias" in table.rows[0][table.columns.index("pattern")]


def test_swapped_octave_blocks_are_named(fixture_session):
    A = debug_weights(3, 3) * 7.0 + 0.3
    B = debug_weights(3, 3)[::-1] * 5.0 + 1.0
    rep = check_gradient("gc_two_matrices_swapped", np.linspace(-1, 1, 24), args=(A, B),
                         layout=[("P", (3, 4)), ("Q", (3, 4))], octave=fixture_session)
    assert "swapped-blocks" in {f.kind for f in rep.errors}, str(rep)


def test_directions_are_identical_in_both_languages(octave):
    rng = np.random.default_rng(7)
    for size in (1, 17, 5000, 9000):  # across the sign pattern's period (4099) twice
        xb = 3.0 * np.sin(np.arange(size, dtype=float))
        hp = random_hash(rng)
        d_oc = np.asarray(octave.call("portcheck_direction", xb, hp, nout=1), dtype=float).reshape(-1)
        d_py = block_direction(xb, hp)
        np.testing.assert_array_equal(np.sign(d_oc), np.sign(d_py))
        np.testing.assert_allclose(d_oc, d_py, rtol=1e-14, atol=0)


def test_large_autoencoder_in_octave_is_one_call(octave):
    V, H, M = 784, 200, 8
    n = 2 * V * H + V + H
    theta = 0.1 * debug_weights(n, 0)[:, 0]
    data = 0.5 + 0.4 * np.sin(np.arange(V * M, dtype=float).reshape(V, M))
    session = CountingSession(octave)
    rep = check_gradient("sparseAutoencoderCost", theta, args=(V, H, 1e-4, 0.1, 3.0, data),
                         layout=[("W1", (H, V)), ("W2", (V, H)), ("b1", (H,)), ("b2", (V,))], octave=session)
    assert rep.ok, str(rep)
    assert session.calls == ["portcheck_gradcheck"]
    assert rep.details["mode"] == "sampled" and rep.details["evaluations"] <= 300


def test_octave_function_without_gradient_output_is_reported(octave):
    rep = check_gradient("sigmoid", np.zeros(3), octave=octave)
    assert [f.kind for f in rep.errors] == ["octave-error"]
    assert "[J, grad]" in rep.errors[0].message


def quadratic_inputs(n=200_000):
    rng = np.random.default_rng(0)
    return rng.standard_normal(n), 1.0 + rng.random(n), rng.standard_normal(n)


QUADRATIC_LAYOUT = [("W", (400, 250)), ("v", (100_000,))]


@pytest.mark.parametrize("wrong", [12_346, 150_001, 0])  # 1-based in Octave; 0 plants nothing
def test_octave_bisection_finds_the_element_in_one_call(fixture_session, wrong):
    """The same group testing inside portcheck_gradcheck.m: one bridge call, the element by index."""
    x0, a, b = quadratic_inputs()
    session = CountingSession(fixture_session)
    rep = check_gradient("quadraticWithWrongElement", x0, args=(a, b, float(wrong), 1.01), layout=QUADRATIC_LAYOUT,
                         octave=session)
    assert session.calls == ["portcheck_gradcheck"]
    if wrong == 0:
        assert rep.ok and not rep.findings, str(rep)
        assert {r["outcome"] for r in rep.details["search"].values()} == {"clean"}
        return
    (f,) = rep.errors
    assert f.element == wrong - 1, str(rep)
    assert rep.details["evaluations"] <= 300


def test_octave_and_python_bisection_agree(fixture_session):
    x0, a, b = quadratic_inputs()
    j = 77_777

    def port(x, a, b, wrong, factor):
        g = a * x + b
        g[int(wrong) - 1] *= factor
        return float(np.sum(a / 2 * x * x + b * x)), g

    oc = check_gradient("quadraticWithWrongElement", x0, args=(a, b, float(j + 1), 0.98), layout=QUADRATIC_LAYOUT,
                        octave=fixture_session)
    py = check_gradient(port, x0, args=(a, b, float(j + 1), 0.98), layout=QUADRATIC_LAYOUT)
    assert [f.element for f in oc.errors] == [f.element for f in py.errors] == [j]
    assert oc.details["search"]["W"]["outcome"] == py.details["search"]["W"]["outcome"] == "elements"
