"""Gradient checking at scale: portcheck against the naive loop and scipy.optimize.check_grad.

Two problems, each with its faithful port and a copy carrying one planted
single-block bug:

- the course's 400-25-10 network (``nnCostFunction`` port, m = 100 debug
  examples, lambda = 1; 10,285 parameters). Bug: the gradient of Theta2
  regularizes its bias column (10 of the 10,285 elements are wrong);
- a 784-200-784 sparse autoencoder (UFLDL ``sparseAutoencoderCost`` port,
  m = 100 examples; 314,584 parameters). Bug: the gradient of b2 is not
  divided by m.

Methods, each counted in calls of the cost function:

- the naive loop the course (``computeNumericalGradient``) and CS231n
  (``eval_numerical_gradient``) use: central differences with a fixed
  ``e = 1e-4`` over every element, 2n evaluations, verdict ``norm(num - ana) /
  norm(num + ana) < 1e-9`` (the course's threshold). Written here from that
  description. On the autoencoder it is timed on a fixed sample of elements
  and extrapolated to 2n (running it would take about an hour);
- ``scipy.optimize.check_grad`` with ``direction='all'`` (forward
  differences, n + 1 evaluations; extrapolated the same way on the
  autoencoder) and ``direction='random'`` (one random direction). It returns
  one number; it is counted as catching the bug when that number relative to
  the gradient's norm exceeds 1e-5, a threshold both faithful ports clear;
- ``portcheck.check_gradient`` with its defaults.

Run: ``.venv/bin/python benchmarks/bench_gradients.py``; writes
``benchmarks/results/gradients.md``.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from _common import write_result

RESULTS = Path(__file__).parent / "results" / "gradients.md"
SCIPY_RELATIVE = 1e-5
COURSE_THRESHOLD = 1e-9
NAIVE_SAMPLE = 200  # elements timed on the autoencoder (2 evaluations each)


class Counter:
    """The cost function, counting its calls (each call is one evaluation)."""

    def __init__(self, fun: Callable, args: tuple) -> None:
        self.fun, self.args, self.calls = fun, args, 0

    def both(self, x):
        self.calls += 1
        return self.fun(x, *self.args)

    def cost(self, x):
        return self.both(x)[0]

    def grad(self, x):
        # Gradient requests are evaluations too (they run the same function).
        return self.both(x)[1]


def naive_loop(counter: Counter, x: np.ndarray, indices: np.ndarray, e: float = 1e-4) -> np.ndarray:
    """Central differences element by element, as computeNumericalGradient does."""
    num = np.zeros(indices.size)
    for k, j in enumerate(indices):
        xp = x.copy()
        xm = x.copy()
        xp[j] += e
        xm[j] -= e
        num[k] = (counter.cost(xp) - counter.cost(xm)) / (2 * e)
    return num


def problems():
    from portcheck.examples.ex4 import nn_cost_function
    from portcheck.examples.ufldl import sparse_autoencoder_cost
    from portcheck.inputs import Layout, debug_dataset, debug_weights

    # 400-25-10 network, debug-initialized, m = 100
    il, hl, nl, m, lam = 400, 25, 10, 100, 1.0
    theta = np.concatenate([debug_weights(hl, il).ravel(order="F"), debug_weights(nl, hl).ravel(order="F")])
    X, y = debug_dataset(m, il, nl)
    nn_layout = Layout([("Theta1", (hl, il + 1)), ("Theta2", (nl, hl + 1))])

    def nn_bias_regularized(p, *args):
        J, g = nn_cost_function(p, *args)
        blocks = nn_layout.split(g)
        blocks["Theta2"][:, 0] += lam / m * nn_layout.split(p)["Theta2"][:, 0]
        return J, nn_layout.unroll(blocks)

    # 784-200-784 sparse autoencoder, m = 100
    V, H, M = 784, 200, 100
    n = 2 * V * H + V + H
    ae_theta = 0.1 * debug_weights(n, 0)[:, 0]
    data = 0.5 + 0.4 * np.sin(np.arange(V * M, dtype=float)).reshape(V, M)
    ae_layout = Layout([("W1", (H, V)), ("W2", (V, H)), ("b1", (H,)), ("b2", (V,))])

    def ae_b2_missing_1_over_m(t, *args):
        J, g = sparse_autoencoder_cost(t, *args)
        g = np.array(g)
        g[ae_layout["b2"].slice] *= M
        return J, g

    return [
        ("400-25-10 network (nnCostFunction port, m = 100)", nn_cost_function, nn_bias_regularized,
         "Theta2 bias column regularized", theta, (il, hl, nl, X, y, lam), nn_layout, "Theta2", False),
        ("784-200-784 sparse autoencoder (port, m = 100)", sparse_autoencoder_cost, ae_b2_missing_1_over_m,
         "b2 gradient not divided by m", ae_theta, (V, H, 1e-4, 0.1, 3.0, data), ae_layout, "b2", True),
    ]


def run_naive(fun, x, args, extrapolate: bool):
    counter = Counter(fun, args)
    g = np.asarray(counter.grad(x), dtype=float)
    n = x.size
    t0 = time.perf_counter()
    if extrapolate:
        idx = np.linspace(0, n - 1, NAIVE_SAMPLE).astype(np.int64)
        num = naive_loop(counter, x, idx)
        per_eval = (time.perf_counter() - t0) / (2 * idx.size)
        return {"evals": 2 * n + 1, "seconds": per_eval * (2 * n + 1), "figure": None,
                "per_eval": per_eval, "sampled": int(idx.size), "sample_num": num, "sample_ana": g[idx]}
    num = naive_loop(counter, x, np.arange(n))
    seconds = time.perf_counter() - t0
    figure = float(np.linalg.norm(num - g) / np.linalg.norm(num + g))
    return {"evals": counter.calls, "seconds": seconds, "figure": figure}


def run_scipy(fun, x, args, direction: str, per_eval: float | None = None):
    from scipy.optimize import check_grad

    counter = Counter(fun, args)
    g = np.asarray(fun(x, *args)[1], dtype=float)
    if per_eval is not None:  # n + 1 evaluations, extrapolated from the measured cost of one
        return {"evals": x.size + 2, "seconds": per_eval * (x.size + 2), "relative": None}
    t0 = time.perf_counter()
    err = check_grad(counter.cost, counter.grad, x, direction=direction, rng=np.random.default_rng(0))
    seconds = time.perf_counter() - t0
    if direction == "random":
        v = np.random.default_rng(0).standard_normal(x.shape)
        scale = abs(float(g @ v))
    else:
        scale = float(np.linalg.norm(g))
    return {"evals": counter.calls, "seconds": seconds, "relative": err / scale}


def run_portcheck(fun, x, args, layout):
    from portcheck.gradients import check_gradient

    counter = Counter(fun, args)
    t0 = time.perf_counter()
    rep = check_gradient(counter.both, x, layout=layout, progress=False)
    seconds = time.perf_counter() - t0
    return {"evals": counter.calls, "seconds": seconds, "report": rep}


def _fmt_time(s: float) -> str:
    if s >= 120:
        return f"{s / 60:.0f} min"
    if s >= 1:
        return f"{s:.1f} s"
    return f"{s * 1000:.0f} ms"


def main() -> str:
    rows: list[str] = []
    notes: list[str] = []
    ratios: list[str] = []
    for title, good, bad, bug, x, args, layout, bad_block, big in problems():
        n = x.size
        # naive loop
        ng, nb = run_naive(good, x, args, big), run_naive(bad, x, args, big)
        if big:
            per_eval = ng["per_eval"]
            caught = "yes (every element compared)"
            naive_row = (f"| {title} | naive central loop, e = 1e-4 | {ng['evals']:,} | ~{_fmt_time(ng['seconds'])} "
                         f"(extrapolated from {2 * ng['sampled']} evaluations) | {caught} | - |")
        else:
            per_eval = None
            caught = "yes" if nb["figure"] >= COURSE_THRESHOLD else "no"
            passes = "yes" if ng["figure"] < COURSE_THRESHOLD else f"no (figure {ng['figure']:.1e})"
            naive_row = (f"| {title} | naive central loop, e = 1e-4 | {ng['evals']:,} | {_fmt_time(ng['seconds'])} | "
                         f"{caught} (figure {nb['figure']:.1e}; faithful passes: {passes}) | no: one number |")
        rows.append(naive_row)
        # scipy, all elements
        if big:
            sg = run_scipy(good, x, args, "all", per_eval=per_eval)
            rows.append(f"| {title} | scipy check_grad (all) | {sg['evals']:,} | ~{_fmt_time(sg['seconds'])} "
                        "(extrapolated) | yes (every element compared) | no: one number |")
        else:
            sg, sb = run_scipy(good, x, args, "all"), run_scipy(bad, x, args, "all")
            caught = "yes" if sb["relative"] > SCIPY_RELATIVE else "no"
            rows.append(f"| {title} | scipy check_grad (all) | {sb['evals']:,} | {_fmt_time(sb['seconds'])} | "
                        f"{caught} (relative {sb['relative']:.1e}; faithful {sg['relative']:.1e}) | no: one number |")
        # scipy, one random direction
        sg, sb = run_scipy(good, x, args, "random"), run_scipy(bad, x, args, "random")
        caught = "yes" if sb["relative"] > SCIPY_RELATIVE else "no"
        rows.append(f"| {title} | scipy check_grad (random) | {sb['evals']:,} | {_fmt_time(sb['seconds'])} | "
                    f"{caught} (relative {sb['relative']:.1e}; faithful {sg['relative']:.1e}) | no: one number |")
        # portcheck
        pg, pb = run_portcheck(good, x, args, layout), run_portcheck(bad, x, args, layout)
        rep = pb["report"]
        named = ", ".join(f"{f.kind} in {f.block or 'all blocks'}" for f in rep.errors) or "-"
        caught = "yes" if not rep.ok else "no"
        right = bad_block in {f.block for f in rep.errors}
        rows.append(f"| {title} | **portcheck.check_gradient** | {pb['evals']:,} | {_fmt_time(pb['seconds'])} | "
                    f"{caught} (faithful passes: {'yes' if pg['report'].ok else 'NO'}) | "
                    f"{'yes' if right else 'no'}: {named} |")
        naive_evals = 2 * n + 1
        ratios.append(f"{title}: portcheck used {naive_evals / pb['evals']:,.0f}× fewer evaluations than the "
                      f"naive loop ({pb['evals']:,} vs {naive_evals:,}) and {nb['seconds'] / pb['seconds']:,.0f}× "
                      f"less time{' (naive time extrapolated)' if big else ''}.")
        notes.append(f"{title}: planted bug = {bug}; n = {n:,}.")
    table = "\n".join([
        "| problem | method | function evaluations | wall time | planted bug caught? | names kind and block? |",
        "|---|---|---:|---:|---|---|",
        *rows,
    ])
    md = "\n".join([
        table,
        "",
        *[f"- {r}" for r in ratios],
        *[f"- {nt}" for nt in notes],
        f"- scipy's check_grad returns one number; it counts as catching the bug when that number divided "
        f"by the gradient's norm (or |g·v| for direction='random') exceeds {SCIPY_RELATIVE:g}. The naive loop "
        f"uses the course's verdict norm(num-ana)/norm(num+ana) < {COURSE_THRESHOLD:g}.",
        f"- On the autoencoder the naive loop was run on {NAIVE_SAMPLE} elements and its time extrapolated to "
        "2n + 1 evaluations; scipy's direction='all' (n + 1 evaluations of the same function) was extrapolated "
        "from the same per-evaluation time. Both compare every element, so both would see the bug.",
        f"- NumPy {np.__version__}, Python {sys.version.split()[0]}; times are wall clock of one run on a shared "
        "2-core machine.",
        "",
    ])
    return write_result(RESULTS, md)


if __name__ == "__main__":
    print(main())
