"""One wrong gradient element among n: found how, at what cost; and portcheck's own overhead.

Part 1, the needle. A smooth elementwise model ``f(x) = Σ a/2·x² + b·sin(x)``
(a few passes over x per evaluation) with one gradient element 1 % off, for
n = 1e3 ... 1e6 in two layout blocks; each method is given the same model
and counted in evaluations (calls of the function):

- ``portcheck.check_gradient`` with its defaults (``auto``: the complex step,
  the model is complex-safe) and with ``method="central"``;
- scipy: ``check_grad(direction="all")`` (forward differences over every
  element, n + 1 evaluations; it returns one number, so the element is
  named as the argmax of ``|approx_fprime - grad|``, which is what it
  computes) and ``check_grad(direction="random")`` (3 evaluations, one
  number: counted as "seen" when it exceeds 1e-5 of ``|g·v|``). Where n + 1
  evaluations would take minutes, the time is extrapolated from the
  measured time of one evaluation.

- ``torch.autograd.gradcheck`` (where torch is installed: it is not a
  dependency of portcheck), with ``fast_mode=True`` (one random
  projection, a handful of evaluations) and the full mode (central
  differences for every element, 2n + 1 evaluations, extrapolated above
  n = 10,000 like scipy's). The model is wrapped in a
  ``torch.autograd.Function`` whose backward returns the model's gradient,
  so both modes check exactly the gradient portcheck checks. gradcheck
  says pass or fail: "seen, not named" when it fails.

Part 2, overhead, each pair measured side by side in one run:

- at n = 1e6, the time spent inside the function (timed per call) against
  the whole check: the rest is portcheck's own time (three checks in a row,
  the median shown; the first check of a process also pays for fresh memory);
- the fixed cost of a check: a 10-parameter quadratic, whole check minus
  function time;
- a 16 MB ``X`` passed through ``args=`` against the same ``X`` in a closure.

Run: ``.venv/bin/python benchmarks/bench_needle.py``; writes
``benchmarks/results/needle.md``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from _common import write_result

RESULTS = Path(__file__).parent / "results" / "needle.md"
SIZES = (1_000, 10_000, 100_000, 1_000_000)
FULL_SCIPY_UP_TO = 10_000  # above this, scipy's n + 1 evaluations are extrapolated
SCIPY_RELATIVE = 1e-5


class Model:
    """``f = Σ a/2·x² + b·sin(x)``, gradient ``a·x + b·cos(x)`` with element ``wrong`` scaled by 1.01.

    Counts calls and the time spent inside them.
    """

    def __init__(self, n: int, wrong: int | None) -> None:
        rng = np.random.default_rng(n)
        self.a = 1.0 + rng.random(n)
        self.b = rng.standard_normal(n)
        self.wrong = wrong
        self.calls = 0
        self.seconds = 0.0

    def __call__(self, x):
        t0 = time.perf_counter()
        self.calls += 1
        x = np.reshape(x, -1)
        f = 0.5 * ((self.a * x) @ x) + np.sum(self.b * np.sin(x))
        g = self.a * x + self.b * np.cos(x)
        if self.wrong is not None:
            g[self.wrong] *= 1.01
        self.seconds += time.perf_counter() - t0
        return f, g

    def cost(self, x):
        return self(x)[0]

    def grad(self, x):
        return self(x)[1]


def layout_for(n: int) -> list:
    rows = 10 if n <= 1000 else 100
    return [("W", (rows, n // 2 // rows)), ("b", (n - n // 2,))]


def _fmt_time(s: float) -> str:
    if s >= 120:
        return f"{s / 60:.0f} min"
    if s >= 1:
        return f"{s:.1f} s"
    return f"{s * 1000:.0f} ms"


def run_portcheck(n: int, x0: np.ndarray, wrong: int, method: str) -> dict:
    from portcheck.gradients import check_gradient

    model = Model(n, wrong)
    t0 = time.perf_counter()
    rep = check_gradient(model, x0, layout=layout_for(n), method=method, progress=False)
    seconds = time.perf_counter() - t0
    elements = [f.element for f in rep.errors if f.element is not None]
    good = Model(n, None)
    passes = check_gradient(good, x0, layout=layout_for(n), method=method, progress=False).ok
    return {"evals": model.calls, "seconds": seconds, "found": elements == [wrong], "faithful": passes,
            "kinds": sorted({f.kind for f in rep.errors})}


def run_scipy_all(n: int, x0: np.ndarray, wrong: int) -> dict:
    from scipy.optimize import approx_fprime, check_grad

    model = Model(n, wrong)
    if n <= FULL_SCIPY_UP_TO:
        t0 = time.perf_counter()
        check_grad(model.cost, model.grad, x0)
        seconds = time.perf_counter() - t0
        num = approx_fprime(x0, Model(n, None).cost)  # what check_grad compares, to name the element
        found = int(np.argmax(np.abs(num - model.grad(x0)))) == wrong
        return {"evals": n + 2, "seconds": seconds, "found": found, "extrapolated": False}
    t0 = time.perf_counter()
    for _ in range(5):
        model.cost(x0)
    per_eval = (time.perf_counter() - t0) / 5
    # Forward differences with scipy's step see a 1 % error of an O(1) element at any n.
    return {"evals": n + 2, "seconds": per_eval * (n + 2), "found": True, "extrapolated": True}


def run_scipy_random(n: int, x0: np.ndarray, wrong: int) -> dict:
    from scipy.optimize import check_grad

    model = Model(n, wrong)
    t0 = time.perf_counter()
    err = check_grad(model.cost, model.grad, x0, direction="random", rng=np.random.default_rng(0))
    seconds = time.perf_counter() - t0
    v = np.random.default_rng(0).standard_normal(n)
    return {"evals": model.calls, "seconds": seconds, "relative": err / abs(float(Model(n, None).grad(x0) @ v))}


def _torch_function(model: Model):
    """``model`` as a torch function of one float64 tensor whose backward is the model's own gradient."""
    import torch

    class Wrapped(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            f, g = model(x.detach().numpy())
            ctx.save_for_backward(torch.from_numpy(np.asarray(g, dtype=np.float64)))
            return torch.tensor(float(f), dtype=torch.float64)

        @staticmethod
        def backward(ctx, grad_out):
            (g,) = ctx.saved_tensors
            return grad_out * g

    return Wrapped.apply


def run_torch(n: int, x0: np.ndarray, wrong: int, fast: bool) -> dict | None:
    """torch.autograd.gradcheck on the needle model, in a child process (None when torch is not installed).

    A child process because importing torch into this one slowed every
    NumPy-heavy row measured after it (portcheck's and scipy's) by up to 3×.
    The child rebuilds the same model and x0 from their seeds.
    """
    if importlib.util.find_spec("torch") is None:
        return None
    out = subprocess.run([sys.executable, __file__, "--torch", str(n), str(wrong), "fast" if fast else "full"],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _torch_child(n: int, wrong: int, fast: bool) -> dict:
    import torch

    torch.set_num_threads(1)
    x0 = np.random.default_rng(1).standard_normal(n)  # as needle_table draws it

    def check(model: Model, x: np.ndarray) -> bool:
        xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        return bool(torch.autograd.gradcheck(_torch_function(model), (xt,), fast_mode=fast,
                                             raise_exception=False))

    if fast or n <= FULL_SCIPY_UP_TO:
        model = Model(n, wrong)
        t0 = time.perf_counter()
        passed = check(model, x0)
        seconds = time.perf_counter() - t0
        return {"evals": model.calls, "seconds": seconds, "seen": not passed, "extrapolated": False,
                "faithful": check(Model(n, None), x0)}
    model = Model(n, wrong)
    t0 = time.perf_counter()
    for _ in range(5):
        model.cost(x0)
    per_eval = (time.perf_counter() - t0) / 5
    # Central differences with torch's eps = 1e-6 see a 1 % error of an O(1) element at any n.
    return {"evals": 2 * n + 1, "seconds": per_eval * (2 * n + 1), "seen": True, "extrapolated": True,
            "faithful": None}


def needle_table() -> list[str]:
    rows = ["| n | method | function evaluations | wall time | planted element named? | faithful passes? |",
            "|---:|---|---:|---:|---|---|"]
    for n in SIZES:
        x0 = np.random.default_rng(1).standard_normal(n)
        wrong = int(0.61 * n) + 7  # inside the second block
        for method in ("auto", "central"):
            r = run_portcheck(n, x0, wrong, method)
            rows.append(f"| {n:,} | **portcheck** ({method}) | {r['evals']:,} | {_fmt_time(r['seconds'])} | "
                        f"{'yes, by index' if r['found'] else 'no ' + str(r['kinds'])} | "
                        f"{'yes' if r['faithful'] else 'NO'} |")
        s = run_scipy_all(n, x0, wrong)
        rows.append(f"| {n:,} | scipy check_grad (all) | {s['evals']:,} | "
                    f"{'~' if s['extrapolated'] else ''}{_fmt_time(s['seconds'])}"
                    f"{' (extrapolated)' if s['extrapolated'] else ''} | "
                    f"{'yes, as argmax of the difference' if s['found'] else 'no'} | (one number) |")
        s = run_scipy_random(n, x0, wrong)
        seen = "seen, not named" if s["relative"] > SCIPY_RELATIVE else "no"
        rows.append(f"| {n:,} | scipy check_grad (random) | {s['evals']:,} | {_fmt_time(s['seconds'])} | "
                    f"{seen} (relative {s['relative']:.1e}) | (one number) |")
        for fast in (True, False):
            r = run_torch(n, x0, wrong, fast)
            if r is None:
                continue
            faithful = "n/a (extrapolated)" if r["faithful"] is None else "yes" if r["faithful"] else "NO"
            rows.append(f"| {n:,} | torch gradcheck ({'fast' if fast else 'full'}) | {r['evals']:,} | "
                        f"{'~' if r['extrapolated'] else ''}{_fmt_time(r['seconds'])}"
                        f"{' (extrapolated)' if r['extrapolated'] else ''} | "
                        f"{'seen, not named' if r['seen'] else 'no'} | {faithful} |")
    return rows


def overhead_lines() -> list[str]:
    from portcheck.gradients import check_gradient

    out = []
    # portcheck's own time at n = 1e6, faithful and with the needle
    n = 1_000_000
    x0 = np.random.default_rng(1).standard_normal(n)
    for wrong in (None, int(0.61 * n) + 7):
        runs = []  # (function seconds, own seconds, evaluations) of three checks in a row
        for _ in range(3):
            model = Model(n, wrong)
            t0 = time.perf_counter()
            check_gradient(model, x0, layout=layout_for(n), progress=False)
            total = time.perf_counter() - t0
            runs.append((model.seconds, total - model.seconds, model.calls))
        shares = [own / fun for fun, own, _ in runs]
        fun, own, calls = runs[int(np.argsort(shares)[1])]  # the median check
        what = "faithful gradient" if wrong is None else "one element 1 % off"
        out.append(f"| n = 1e6, {what} ({calls} evaluations; median of 3 checks) | {_fmt_time(fun)} in the function "
                   f"| {_fmt_time(own)} portcheck's own | {own / fun:.1%} of the function's time "
                   f"(3 checks: {', '.join(f'{v:.1%}' for v in shares)}) |")

    # fixed cost per check
    A = np.diag(np.arange(1.0, 11.0))

    def small(x):
        return 0.5 * x @ A @ x, A @ x

    runs = []
    for _ in range(7):
        calls = [0.0]

        def timed(x, calls=calls):
            t = time.perf_counter()
            r = small(x)
            calls[0] += time.perf_counter() - t
            return r

        t0 = time.perf_counter()
        check_gradient(timed, np.linspace(-1, 1, 10), progress=False)
        runs.append((time.perf_counter() - t0) - calls[0])
    out.append(f"| fixed cost of a check (10 parameters, median of 7) | - | {_fmt_time(float(np.median(runs)))} "
               "portcheck's own | - |")

    # a 16 MB argument: args= against a closure
    rng = np.random.default_rng(3)
    X = rng.standard_normal((4000, 500))  # 16 MB
    y = rng.standard_normal(4000)

    def linreg(theta, X, y):
        r = X @ theta - y
        return 0.5 * float(r @ r) / y.size, X.T @ r / y.size

    theta = 0.01 * rng.standard_normal(500)
    t_args, t_closure = [], []
    for _ in range(3):
        t0 = time.perf_counter()
        check_gradient(linreg, theta, args=(X, y), progress=False)
        t_args.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        check_gradient(lambda t: linreg(t, X, y), theta, progress=False)
        t_closure.append(time.perf_counter() - t0)
    a, c = float(np.median(t_args)), float(np.median(t_closure))
    out.append(f"| 16 MB X through args= vs the same X in a closure (500 parameters, median of 3) | "
               f"{_fmt_time(c)} closure | {_fmt_time(a)} args= | ratio {a / c:.2f} |")
    return ["| measurement | function | portcheck | share / ratio |", "|---|---:|---:|---:|", *out]


def _torch_note() -> str:
    if importlib.util.find_spec("torch") is None:
        return "torch.autograd.gradcheck is not compared: torch is not installed here."
    from importlib.metadata import version

    return (f"torch {version('torch')} (in a child process): gradcheck with its defaults (eps = 1e-6, atol = 1e-5, rtol = 1e-3) on "
            "the model wrapped as a torch.autograd.Function; it passes or fails, it does not name an element.")


def main() -> str:
    lines = needle_table()
    over = overhead_lines()
    md = "\n".join([
        *lines,
        "",
        *over,
        "",
        "- Model: f = Σ a/2·x² + b·sin(x), one gradient element ×1.01 (in the second of two blocks); the same "
        "model, faithful, must pass. portcheck's element is `Finding.element`, the 0-based flat index.",
        "- scipy's check_grad returns one number; with direction='all' the element is the argmax of the "
        "difference it computes. Above n = 10,000 its n + 1 evaluations are extrapolated from one evaluation's "
        "time, and so are torch gradcheck's 2n + 1 in full mode. " + _torch_note(),
        f"- NumPy {np.__version__}, Python {sys.version.split()[0]}, a shared {os.cpu_count()}-core machine: wall "
        "times in the first table are single runs; overhead shares are the median of three checks in a row.",
        "",
    ])
    return write_result(RESULTS, md)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--torch"]:
        print(json.dumps(_torch_child(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "fast")))
    else:
        print(main())
