"""What a trace costs: compare with and without tracing, side by side in one run.

For the bundled ex4 ``nnCostFunction`` (debug network, m = 5, and a 400-25-10
network on m = 100 examples) and ports whose outputs differ, measures the
median wall time of ``compare(..., trace=False)`` and ``compare(...,
trace=True)`` in one Octave session, interleaved so drift on a shared machine
hits both alike. Also the faithful port (outputs agree, so the default
``trace=None`` does not trace): its cost with the default against
``trace=False``, which must be the same. Writes benchmarks/results/trace.md.

Run: .venv/bin/python benchmarks/bench_trace.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from _common import median_time, write_result

RESULTS = Path(__file__).parent / "results" / "trace.md"


def _nn_inputs(n: int, h: int, k: int, m: int):
    import portcheck

    T1, T2 = portcheck.debug_weights(h, n), portcheck.debug_weights(k, h)
    X, y = portcheck.debug_dataset(m, n, k)
    params = np.concatenate([T1.ravel(order="F"), T2.ravel(order="F")])
    return (params, n, h, k, X, y, 1.0), [("Theta1", T1.shape), ("Theta2", T2.shape)]


def main(repeat: int = 15) -> str:
    import portcheck
    from portcheck.examples import ex4
    from portcheck.examples.broken import nn as broken

    rows = []
    with portcheck.Octave() as oc:
        for label, (args, layout) in (("debug network 3-5-3, m = 5", _nn_inputs(3, 5, 3, 5)),
                                      ("400-25-10 network, m = 100", _nn_inputs(400, 25, 10, 100))):
            for port, what in ((broken.nn_cost_double_sigmoid, "sigmoid applied twice"),
                               (broken.nn_cost_last_example_only, "loop keeps its last pass")):
                def plain():
                    return portcheck.compare("nnCostFunction", port, args, octave=oc, layout=layout, trace=False)

                def traced():
                    return portcheck.compare("nnCostFunction", port, args, octave=oc, layout=layout, trace=True)

                kinds = sorted(traced().kinds - plain().kinds)
                p1, t1 = median_time(plain, repeat), median_time(traced, repeat)
                p2, t2 = median_time(plain, repeat), median_time(traced, repeat)
                p, t = min(p1, p2), min(t1, t2)
                rows.append((label, what, ", ".join(kinds) or "-", p, t))
            # The faithful port: the default compare must not trace.
            def default():
                return portcheck.compare("nnCostFunction", ex4.nn_cost_function, args, octave=oc, layout=layout)

            def off():
                return portcheck.compare("nnCostFunction", ex4.nn_cost_function, args, octave=oc, layout=layout,
                                         trace=False)

            default(), off()
            d = min(median_time(default, repeat), median_time(default, repeat))
            o = min(median_time(off, repeat), median_time(off, repeat))
            rows.append((label, "faithful port, default (no trace: the sides agree)", "-", o, d))

    lines = ["| problem | port | named only by the trace | compare, trace=False | compare, traced | ratio |",
             "|---|---|---|---:|---:|---:|"]
    for label, what, kinds, p, t in rows:
        lines.append(f"| {label} | {what} | {kinds} | {p * 1e3:.0f} ms | {t * 1e3:.0f} ms | {t / p:.2f}× |")
    lines.append("")
    lines.append(f"Median of {repeat} runs each, interleaved, in one Octave session; NumPy {np.__version__}, "
                 f"Python {sys.version.split()[0]}, a shared 2-core machine.")
    text = "\n".join(lines) + "\n"
    return write_result(RESULTS, text)


if __name__ == "__main__":
    sys.stdout.write(main())
