"""portcheck.check_gradient on real Python functions: the corpus, the gallery, planted mistakes.

Every expectation is a property a user relies on (a correct gradient passes,
a wrong one is caught with the right kind and block, x is never modified,
evaluations stay bounded), never a number copied from a previous run.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy.optimize import approx_fprime

from portcheck.errors import InputError, LayoutError
from portcheck.examples import cs231n
from portcheck.examples.catalog import all_cases, all_gallery, get_case
from portcheck.gradients import assert_gradient, check_gradient
from portcheck.inputs import Layout, debug_weights

# ----------------------------------------------------------------------------
# helpers


def split_args(case, args):
    """(x0, the other arguments, wrt) for a catalogue case."""
    wrt = getattr(case, "wrt", 0)
    return args[wrt], tuple(args[:wrt]) + tuple(args[wrt + 1:]), wrt


def python_inputs(case):
    return split_args(case, (case.make_python_args or case.make_args)())


def wrong_blocks(fun, x0, args, layout, wrt=0):
    """Blocks whose analytic gradient differs from an independent forward difference (scipy)."""
    def call(x):
        full = (*args[:wrt], x, *args[wrt:])
        return fun(*full)

    x0 = np.asarray(x0, dtype=float)
    ana = np.asarray(call(x0.copy())[1], dtype=float).reshape(-1, order="F")
    num = approx_fprime(x0.copy(), lambda x: float(call(x)[0]), 1e-7)
    lay = Layout(layout)
    out = set()
    for b in lay.blocks:
        scale = max(1e-3, float(np.max(np.abs(num[b.slice]))))
        if np.max(np.abs(ana[b.slice] - num[b.slice])) > 1e-3 * scale:
            out.add(b.name)
    return out


def error_blocks(report, layout):
    """Blocks named by error findings; a finding without a block covers every block."""
    names = set()
    for f in report.errors:
        names |= {f.block} if f.block else {b for b, _ in layout}
    return names


GRADIENT_CASES = [c for c in all_cases() if c.gradient]


class Counted:
    """A real function that counts how often it is called."""

    def __init__(self, fun):
        self.fun = fun
        self.calls = 0

    def __call__(self, *args):
        self.calls += 1
        return self.fun(*args)


# ----------------------------------------------------------------------------
# the corpus


@pytest.mark.parametrize("case", GRADIENT_CASES, ids=lambda c: c.name)
def test_every_faithful_gradient_port_passes(case):
    x0, args, wrt = python_inputs(case)
    rep = check_gradient(case.port, x0, args=args, layout=case.layout, wrt=wrt)
    assert rep.ok, str(rep)
    assert not rep.errors
    # A smooth port at debug inputs is second order along every Taylor direction.
    assert all(t["verdict"] == "second-order" for t in rep.details["taylor"].values()), rep.details["taylor"]
    # The course's figure is below the threshold the table prints, block by block.
    table = rep.tables[0]
    i_fig, i_thr = table.columns.index("rel. diff"), table.columns.index("threshold")
    assert all(row[i_fig] <= row[i_thr] for row in table.rows), table.rows


GALLERY_GRADIENT = [b for b in all_gallery() if b.check == "gradient"]


@pytest.mark.parametrize("broken", GALLERY_GRADIENT, ids=lambda b: b.name)
def test_gallery_gradient_mistakes_are_caught_with_kind_and_block(broken):
    ref = get_case(broken.reference)
    if "objective" in broken.extra:
        fun, x0, args, wrt, layout = broken.extra["objective"], broken.extra["x0"], (), 0, None
    else:
        make = broken.make_python_args or broken.make_args or ref.make_python_args or ref.make_args
        x0, args, wrt = split_args(ref, make())
        fun, layout = broken.port, ref.layout
    rep = check_gradient(fun, x0, args=args, layout=layout, wrt=wrt)
    assert not rep.ok
    assert rep.kinds & set(broken.expected), str(rep)
    if layout is not None and not ({"lambda-capture", "mutates-input"} & set(broken.expected)):
        assert error_blocks(rep, layout) == wrong_blocks(fun, x0, args, layout, wrt), str(rep)


#: Gallery ports listed for other checks whose analytic gradient also disagrees with
#: their own cost (or that misbehave when called): a gradient check alone must name them.
ALSO_GRADIENT = {
    "broken.cost_function_wrong_sign": "sign",
    "broken.cofi_cost_func_swapped_grad": "swapped-blocks",
    "broken.sparse_autoencoder_grad_no_1_over_m": "scale",
    "broken.nn_cost_grad_missing_m": "scale",
    "broken.cost_function_reg_precedence": "regularization",
    "broken.cost_function_updates_theta": "mutates-input",
    "broken.nn_cost_view_aliasing": "mutates-input",
}


@pytest.mark.parametrize("name,kind", sorted(ALSO_GRADIENT.items()))
def test_gallery_ports_whose_gradient_disagrees_with_their_cost(name, kind):
    found = [b for b in all_gallery() if b.name == name]
    assert found, f"{name} is not in the gallery: update ALSO_GRADIENT"
    broken = found[0]
    ref = get_case(broken.reference)
    make = broken.make_python_args or broken.make_args or ref.make_python_args or ref.make_args
    x0, args, wrt = split_args(ref, make())
    x_before = np.array(x0, copy=True)
    rep = check_gradient(broken.port, x0, args=args, layout=ref.layout, wrt=wrt)
    assert kind in {f.kind for f in rep.errors}, str(rep)
    np.testing.assert_array_equal(x0, x_before)  # evaluated on copies, even for ports that write into x
    if kind not in ("mutates-input",):
        assert error_blocks(rep, ref.layout) == wrong_blocks(broken.port, x0, args, ref.layout, wrt), str(rep)


# ----------------------------------------------------------------------------
# planted mistakes on the debug network, full and sampled

NN = get_case("ex4.nnCostFunction")


def nn_inputs():
    x0, args, _ = python_inputs(NN)
    return np.asarray(x0, dtype=float), args


def _blocks(p):
    lay = Layout(NN.layout)
    return lay, lay.split(p)


def grad_regularizes_bias(p, *args):
    """Faithful cost; the gradient adds lambda/m * Theta to the bias columns too."""
    J, g = NN.port(p, *args)
    lay, th = _blocks(p)
    lam, m = args[-1], args[-2].shape[0]
    gb = lay.split(g)
    for name in th:
        gb[name][:, 0] += lam / m * th[name][:, 0]
    return J, lay.unroll(gb)


def grad_theta2_c_order(p, *args):
    """Faithful cost; Theta2's gradient unrolled row by row (ravel() without order='F')."""
    J, g = NN.port(p, *args)
    lay = Layout(NN.layout)
    gb = lay.split(g)
    return J, np.concatenate([gb["Theta1"].ravel(order="F"), gb["Theta2"].ravel()])


def grad_theta1_times_m(p, *args):
    J, g = NN.port(p, *args)
    g = np.array(g, dtype=float)
    g[Layout(NN.layout)["Theta1"].slice] *= args[-2].shape[0]
    return J, g


def grad_negated(p, *args):
    J, g = NN.port(p, *args)
    return J, -np.asarray(g)


def grad_one_unit_wrong(p, *args):
    """Faithful cost; the hidden unit 2's incoming weights get a stale gradient."""
    J, g = NN.port(p, *args)
    lay = Layout(NN.layout)
    gb = lay.split(g)
    gb["Theta1"][1, :] *= 0.5
    return J, lay.unroll(gb)


@pytest.mark.parametrize("full", [True, False], ids=["full", "sampled"])
@pytest.mark.parametrize(
    "fun,kind,block",
    [
        (grad_theta1_times_m, "scale", "Theta1"),
        (grad_negated, "sign", None),
        (grad_theta2_c_order, "unroll-order", "Theta2"),
        (grad_regularizes_bias, "regularization", None),
    ],
    ids=["scale", "sign", "unroll-order", "regularization"],
)
def test_planted_mistakes_are_named(fun, kind, block, full):
    x0, args = nn_inputs()
    rep = check_gradient(fun, x0, args=args, layout=NN.layout, full=full, directions=4, elements=3)
    kinds = {f.kind for f in rep.errors}
    assert kind in kinds, str(rep)
    expected_blocks = {block} if block else {b for b, _ in NN.layout}
    assert error_blocks(rep, NN.layout) == expected_blocks, str(rep)
    assert rep.details["mode"] == ("full" if full else "sampled")


def test_scale_factor_is_named_m():
    x0, args = nn_inputs()
    rep = check_gradient(grad_theta1_times_m, x0, args=args, layout=NN.layout, full=False)
    (f,) = [f for f in rep.errors if f.kind == "scale"]
    assert f.block == "Theta1"
    assert "m" in f.message and np.isclose(f.evidence["factor"], args[-2].shape[0])


def test_pattern_names_the_unit_row():
    x0, args = nn_inputs()
    rep = check_gradient(grad_one_unit_wrong, x0, args=args, layout=NN.layout)
    assert not rep.ok
    table = rep.tables[0]
    row = [r for r in table.rows if r[0] == "Theta1"][0]
    assert "row" in row[table.columns.index("pattern")] and "2" in row[table.columns.index("pattern")]
    assert error_blocks(rep, NN.layout) == {"Theta1"}


def test_swapped_same_shaped_blocks_are_named():
    A = debug_weights(3, 3) * 7.0 + 0.3
    B = debug_weights(3, 3)[::-1] * 5.0 + 1.0

    def cost(x, A, B):
        P = x[:12].reshape(3, 4, order="F")
        Q = x[12:].reshape(3, 4, order="F")
        J = np.sum(np.sin(A * P)) + 0.5 * np.sum((B * Q) ** 2)
        gP, gQ = A * np.cos(A * P), B**2 * Q
        return J, np.concatenate([gQ.ravel(order="F"), gP.ravel(order="F")])

    x0 = np.linspace(-1, 1, 24)
    rep = check_gradient(cost, x0, args=(A, B), layout=[("P", (3, 4)), ("Q", (3, 4))])
    assert "swapped-blocks" in rep.kinds, str(rep)


# ----------------------------------------------------------------------------
# closures, in-place writes, randomness


def test_objective_ignoring_its_argument_is_lambda_capture_static_and_dynamic():
    x0, args = nn_inputs()
    theta = x0.copy()
    objective = lambda x: NN.port(theta, *args)  # noqa: E731 - the classic mistake, on purpose
    rep = check_gradient(objective, x0)
    caps = rep.by_kind("lambda-capture")
    assert caps and all(f.severity == "error" for f in caps)
    assert any(f.evidence.get("static") for f in caps)
    assert not rep.ok
    # only the capture is reported, not one mismatch per block
    assert rep.kinds <= {"lambda-capture"}


def test_objective_ignoring_its_argument_is_caught_without_source():
    """A callable object hides its body from the static check; the cost staying put still tells."""
    x0, args = nn_inputs()

    class Frozen:
        def __init__(self, theta):
            self.theta = theta

        def __call__(self, x):
            return NN.port(self.theta, *args)

    rep = check_gradient(Frozen(x0.copy()), x0 + 0.1)
    assert "lambda-capture" in {f.kind for f in rep.errors}


def test_late_binding_loop_closure_is_a_warning():
    _, X, y, lam = get_case("ex2.costFunctionReg").make_args()
    cost = get_case("ex2.costFunctionReg").port
    objectives = []
    for c in (0.0, 1.0):
        objectives.append(lambda t: cost(t, X, (y == c).astype(float), lam))
    rep = check_gradient(objectives[0], np.zeros(X.shape[1]))
    late = [f for f in rep.by_kind("lambda-capture") if f.severity == "warning"]
    assert late and late[0].evidence["variable"] == "c"
    assert rep.ok  # each closure is self-consistent: a warning, not a gradient error

    bound = [lambda t, c=c: cost(t, X, (y == c).astype(float), lam) for c in (0.0, 1.0)]
    assert not check_gradient(bound[0], np.zeros(X.shape[1])).by_kind("lambda-capture")


def test_mutating_input_is_reported_and_x_is_untouched():
    x0, args = nn_inputs()

    def cost_then_step(p, *a):
        J, g = NN.port(p, *a)
        p -= 0.1 * g  # writes into the caller's iterate
        return J, g

    x_before = x0.copy()
    rep = check_gradient(cost_then_step, x0, args=args, layout=NN.layout)
    assert "mutates-input" in {f.kind for f in rep.errors}
    np.testing.assert_array_equal(x0, x_before)
    # the gradient itself is right: no other error
    assert {f.kind for f in rep.errors} == {"mutates-input"}


def test_nondeterministic_objective_is_reported():
    x0, args = nn_inputs()
    rng = np.random.default_rng()

    def dropout_cost(p, *a):
        J, g = NN.port(p, *a)
        return J + 1e-3 * rng.standard_normal(), g

    rep = check_gradient(dropout_cost, x0, args=args, layout=NN.layout)
    assert "nondeterministic" in {f.kind for f in rep.errors}
    assert check_gradient(dropout_cost, x0, args=args, layout=NN.layout, nondet_tol=1.0).by_kind(
        "nondeterministic") == []


# ----------------------------------------------------------------------------
# kinks, precision, Taylor


def relu_inputs_at_kink():
    """The catalogue ReLU net, with two hidden units' pre-activations 1e-9 from zero on example 1."""
    params, D, H, C, X, y = cs231n.debug_net()
    lay = Layout(cs231n.LAYOUT)
    blocks = lay.split(params)
    W1 = blocks["W1"]
    for j in (0, 2):
        blocks["b1"][0, j] = -(X[0] @ W1[:, j]) + 1e-9
    z1 = X @ W1 + blocks["b1"]
    assert np.sum(np.abs(z1) < 1e-8) == 2
    return lay.unroll(blocks), (D, H, C, X, y, cs231n.REG)


@pytest.mark.parametrize("method", ["central", "auto", "richardson"])
def test_correct_relu_network_passes_with_only_kink_warnings(method):
    x0, args = relu_inputs_at_kink()
    rep = check_gradient(cs231n.two_layer_net_cost, x0, args=args, layout=cs231n.LAYOUT, method=method)
    assert rep.ok, str(rep)
    assert rep.kinds <= {"non-differentiable"}
    kinks = rep.by_kind("non-differentiable")
    assert kinks and all(f.severity == "warning" for f in kinks)
    # only the parameters feeding the two units at the kink can see it
    assert {f.block for f in kinks} <= {"W1", "b1"}


def test_wrong_relu_backward_is_still_an_error_next_to_kinks():
    x0, args = relu_inputs_at_kink()

    def relu_grad_uses_z_ge_minus_one(p, *a):
        J, g = cs231n.two_layer_net_cost(p, *a)
        lay = Layout(cs231n.LAYOUT)
        gb = lay.split(g)
        gb["W2"] *= 2.0
        return J, lay.unroll(gb)

    rep = check_gradient(relu_grad_uses_z_ge_minus_one, x0, args=args, layout=cs231n.LAYOUT, method="central")
    assert error_blocks(rep, cs231n.LAYOUT) == {"W2"}


def nn_cost_float32(p, il, hl, nl, X, y, lam):
    """The debug network's cost and backprop computed entirely in float32."""
    dt = np.float32
    p = np.asarray(p, dtype=dt)
    X = np.asarray(X, dtype=dt)
    lam = dt(lam)
    T1 = p[: hl * (il + 1)].reshape(hl, il + 1, order="F")
    T2 = p[hl * (il + 1):].reshape(nl, hl + 1, order="F")
    m = X.shape[0]

    def sig(z):
        return dt(1) / (dt(1) + np.exp(-z))

    a1 = np.hstack([np.ones((m, 1), dt), X])
    z2 = a1 @ T1.T
    a2 = np.hstack([np.ones((m, 1), dt), sig(z2)])
    a3 = sig(a2 @ T2.T)
    Y = (np.asarray(y).reshape(-1, 1) == np.arange(1, nl + 1)).astype(dt)
    J = -np.sum(Y * np.log(a3) + (1 - Y) * np.log(1 - a3)) / dt(m) \
        + lam / dt(2 * m) * (np.sum(T1[:, 1:] ** 2) + np.sum(T2[:, 1:] ** 2))
    d3 = a3 - Y
    d2 = (d3 @ T2[:, 1:]) * sig(z2) * (1 - sig(z2))
    G1 = d2.T @ a1 / dt(m)
    G2 = d3.T @ a2 / dt(m)
    G1[:, 1:] += lam / dt(m) * T1[:, 1:]
    G2[:, 1:] += lam / dt(m) * T2[:, 1:]
    return J, np.concatenate([G1.ravel(order="F"), G2.ravel(order="F")])


@pytest.mark.parametrize("method", ["auto", "central"])
def test_float32_port_gets_precision_warning_and_no_false_error(method):
    x0, args = nn_inputs()
    x32 = x0.astype(np.float32)
    rep = check_gradient(nn_cost_float32, x32, args=args, layout=NN.layout, method=method)
    assert rep.ok, str(rep)
    (prec,) = rep.by_kind("precision")
    assert prec.severity == "warning" and "digits" in prec.message
    assert rep.details["dtype"] == "float32"
    # the float64 tolerance would have failed it: the warning is not decoration
    assert rep.details["rtol"] > 1e-6


def test_float32_port_with_a_wrong_gradient_is_still_an_error():
    x0, args = nn_inputs()

    def negated(p, *a):
        J, g = nn_cost_float32(p, *a)
        return J, -g

    rep = check_gradient(negated, x0.astype(np.float32), args=args, layout=NN.layout)
    assert "sign" in {f.kind for f in rep.errors}


def test_noisy_cost_is_measured_not_flagged():
    """Saturated logistic units lose digits in log(1 - h): the noise floor is measured, not assumed."""
    case = get_case("ex2.costFunctionReg")
    theta, X, y, lam = case.make_args()
    x0 = np.asarray(theta, dtype=float) + 0.5
    assert np.max(X @ x0) > 10  # some sigmoid outputs within 1e-4 of 1
    rep = check_gradient(case.port, x0, args=(X, y, lam), layout=case.layout, method="central")
    assert rep.ok and not rep.findings, str(rep)
    assert rep.details["noise"] > 10 * rep.details["noise_assumed"]

    def bias_penalized(t, X, y, lam):
        J, g = case.port(t, X, y, lam)
        g = np.array(g)
        g[0] += lam / y.size * t[0]
        return J, g

    bad = check_gradient(bias_penalized, x0, args=(X, y, lam), layout=case.layout, method="central")
    assert [f.kind for f in bad.errors] == ["regularization"], str(bad)


def test_taylor_test_separates_wrong_from_right():
    x0, args = nn_inputs()
    good = check_gradient(NN.port, x0, args=args, layout=NN.layout)
    bad = check_gradient(grad_theta1_times_m, x0, args=args, layout=NN.layout)
    assert good.details["taylor"]["Theta1"]["verdict"] == "second-order"
    assert bad.details["taylor"]["Theta1"]["verdict"] == "first-order"
    assert bad.details["taylor"]["Theta2"]["verdict"] == "second-order"


# ----------------------------------------------------------------------------
# scale: a 314,584-parameter autoencoder in a bounded number of evaluations

V, H, M = 784, 200, 12
AE_LAYOUT = [("W1", (H, V)), ("W2", (V, H)), ("b1", (H,)), ("b2", (V,))]


@pytest.fixture(scope="module")
def big_autoencoder():
    from portcheck.examples.ufldl import sparse_autoencoder_cost

    n = 2 * V * H + V + H
    assert n == 314_584
    theta = 0.1 * debug_weights(n, 0)[:, 0]
    data = 0.5 + 0.4 * np.sin(np.arange(V * M, dtype=float).reshape(V, M))
    return sparse_autoencoder_cost, theta, (V, H, 1e-4, 0.1, 3.0, data)


def test_large_autoencoder_bounded_evaluations_and_planted_block(big_autoencoder):
    cost, theta, args = big_autoencoder
    lay = Layout(AE_LAYOUT)

    def b1_gradient_doubled(t, *a):
        J, g = cost(t, *a)
        g = np.array(g)
        g[lay["b1"].slice] *= 2.0
        return J, g

    counted = Counted(b1_gradient_doubled)
    rep = check_gradient(counted, theta, args=args, layout=AE_LAYOUT)
    assert rep.details["mode"] == "sampled"
    assert counted.calls <= 300, counted.calls
    assert counted.calls == rep.details["evaluations"]
    assert error_blocks(rep, AE_LAYOUT) == {"b1"}, str(rep)
    (f,) = rep.errors
    assert f.kind == "scale" and np.isclose(f.evidence["factor"], 2.0)


def test_evaluations_do_not_grow_with_n(big_autoencoder):
    """The same layout shape at 1/16 of the size costs the same number of evaluations."""
    cost, theta, args = big_autoencoder
    counts = []
    for v, h in ((V, H), (V // 4, H // 4)):
        n = 2 * v * h + v + h
        data = args[-1][:v]
        small_args = (v, h, *args[2:-1], data)
        counted = Counted(cost)
        rep = check_gradient(counted, theta[:n].copy(), args=small_args,
                             layout=[("W1", (h, v)), ("W2", (v, h)), ("b1", (h,)), ("b2", (v,))], full=False)
        assert rep.ok, str(rep)
        counts.append(counted.calls)
    # the same plan; only a borderline probe's Richardson refinement (4 evaluations) may differ
    assert abs(counts[0] - counts[1]) <= 8 and max(counts) <= 200, counts


def test_large_transposed_block_is_unroll_order(big_autoencoder):
    cost, theta, args = big_autoencoder
    lay = Layout(AE_LAYOUT)

    def w2_c_order(t, *a):
        J, g = cost(t, *a)
        gb = lay.split(g)
        return J, np.concatenate([gb["W1"].ravel(order="F"), gb["W2"].ravel(order="C"),
                                  gb["b1"], gb["b2"]])

    rep = check_gradient(w2_c_order, theta, args=args, layout=AE_LAYOUT, method="central")
    assert [(f.kind, f.block) for f in rep.errors] == [("unroll-order", "W2")], str(rep)


# ----------------------------------------------------------------------------
# the API


def test_report_renders_and_serialises():
    x0, args = nn_inputs()
    rep = check_gradient(grad_theta1_times_m, x0, args=args, layout=NN.layout)
    text = str(rep)
    assert "Theta1" in text and "scale" in text and "threshold" in text
    data = json.loads(json.dumps(rep.to_dict()))
    assert data["ok"] is False and data["check"] == "gradient"
    assert rep._repr_html_().count("<table") == len(rep.tables)


def test_assert_gradient_raises_with_the_report_as_message():
    x0, args = nn_inputs()
    assert assert_gradient(NN.port, x0, args=args, layout=NN.layout).ok
    with pytest.raises(AssertionError) as info:
        assert_gradient(grad_negated, x0, args=args, layout=NN.layout)
    assert str(info.value) == str(check_gradient(grad_negated, x0, args=args, layout=NN.layout))


def test_separate_grad_callable():
    x0, args = nn_inputs()
    rep = check_gradient(lambda p, *a: NN.port(p, *a)[0], x0, args=args, layout=NN.layout,
                         grad=lambda p, *a: NN.port(p, *a)[1])
    assert rep.ok and rep.details["gradient_evaluations"] == 2


def test_gradient_returned_as_a_column_passes_and_the_report_says_it_was_unrolled():
    x0, args = nn_inputs()
    rep = check_gradient(lambda p, *a: (NN.port(p, *a)[0], NN.port(p, *a)[1].reshape(-1, 1)), x0, args=args,
                         layout=NN.layout)
    assert rep.ok, str(rep)
    assert any(f"({x0.size}, 1)" in n and "column-major" in n for n in rep.notes), rep.notes


def test_results_are_reproducible_for_a_seed():
    x0, args = nn_inputs()
    kw = dict(args=args, layout=NN.layout, full=False)
    a = check_gradient(grad_theta1_times_m, x0, seed=3, **kw).to_dict()
    b = check_gradient(grad_theta1_times_m, x0, seed=3, **kw).to_dict()
    for d in (a, b):
        d["details"].pop("seconds")
    assert a == b


def test_argument_errors_say_what_to_do():
    x0, args = nn_inputs()
    with pytest.raises(InputError, match="method"):
        check_gradient(NN.port, x0, args=args, method="forward")
    with pytest.raises(LayoutError, match="38"):
        check_gradient(NN.port, x0, args=args, layout=[("Theta1", (5, 4))])
    with pytest.raises(InputError, match="octave="):
        check_gradient("nnCostFunction", x0, args=args)
    with pytest.raises(InputError, match="NaN"):
        check_gradient(NN.port, np.full(38, np.nan), args=args)


def test_port_that_raises_is_a_python_error_finding():
    def broken(p):
        return np.dot(np.ones((5, 4)), p)  # ValueError: shapes not aligned

    rep = check_gradient(broken, np.zeros(3))
    assert [f.kind for f in rep.errors] == ["python-error"]
    assert "ValueError" in rep.errors[0].message and "not aligned" in rep.errors[0].message


def test_progress_is_silent_when_stderr_is_not_a_terminal(capsys):
    x0, args = nn_inputs()
    check_gradient(NN.port, x0, args=args, layout=NN.layout)
    assert capsys.readouterr().err == ""
