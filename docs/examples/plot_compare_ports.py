"""
Compare a port with its Octave reference
========================================

The course's ``nnCostFunction`` and two NumPy ports of it: a faithful one, and
one that rolls the parameter vector into matrices in C (row-major) order where
Octave is column-major. portcheck runs both sides on identical debug inputs and
names the mistake, block by block.
"""

# %%
# Identical inputs in both languages
# ----------------------------------
# Random numbers cannot match across languages, so the inputs come from the
# course's deterministic ``debugInitializeWeights`` recipe, reproduced exactly.
import portcheck
from portcheck.examples import ex4
from portcheck.examples.broken import nn

layout = [("Theta1", (5, 4)), ("Theta2", (3, 6))]
X, y = portcheck.debug_dataset(5, 3, 3)
nn_params = portcheck.Layout(layout).unroll(
    {"Theta1": portcheck.debug_weights(5, 3), "Theta2": portcheck.debug_weights(3, 5)})
args = (nn_params, 3, 5, 3, X, y, 1.0)

# %%
# The faithful port
# -----------------
oc = portcheck.Octave()
report = portcheck.compare("nnCostFunction", ex4.nn_cost_function, args=args, octave=oc, layout=layout)
print(report)

# %%
# The port with the C-order mistake
# ---------------------------------
# The findings come first; the tables below them show where the values differ.
broken = portcheck.compare("nnCostFunction", nn.nn_cost_c_order, args=args, octave=oc, layout=layout)
print(broken)

# %%
# Findings are data, not text: tests and suites match on ``kind``.
print(sorted(broken.kinds))
print(repr(broken.errors[0]))
oc.close()
