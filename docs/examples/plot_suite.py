"""
Run a suite with planted mistakes
=================================

A suite lists port pairs; a pair with ``expect`` holds a planted mistake that
portcheck must name. ``portcheck run`` exits 0 when every faithful pair is
clean and every planted mistake is named; pytest collects the same file, with
the planted pairs as strict expected failures.
"""

# %%
import tempfile
import textwrap
from pathlib import Path

from portcheck.suite import load_suite, run_suite

suite_text = textwrap.dedent("""
    [[portcheck.pair]]
    name = "faithful"
    octave = "nnCostFunction"
    python = "portcheck.examples.ex4:nn_cost_function"
    inputs = { case = "ex4.nnCostFunction" }
    layout = [["Theta1", [5, 4]], ["Theta2", [3, 6]]]
    checks = ["compare", "gradient"]

    [[portcheck.pair]]
    name = "c-order"
    octave = "nnCostFunction"
    python = "portcheck.examples.broken.nn:nn_cost_c_order"
    inputs = { case = "ex4.nnCostFunction" }
    layout = [["Theta1", [5, 4]], ["Theta2", [3, 6]]]
    expect = ["unroll-order"]

    [[portcheck.pair]]
    name = "ddof"
    octave = "featureNormalize"
    python = "portcheck.examples.broken.stats:feature_normalize_ddof0"
    inputs = { case = "ex5.featureNormalize" }
    expect = ["ddof"]
""")
with tempfile.TemporaryDirectory() as folder:
    path = Path(folder) / "portcheck.toml"
    path.write_text(suite_text)
    result = run_suite(load_suite(path), progress=False)

# %%
# Failing checks print in full, then the summary: every expectation met.
print(result)
print("expectations met:", result.expectations_met)
