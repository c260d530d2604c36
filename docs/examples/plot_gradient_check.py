"""
Check a gradient, block by block
================================

A gradient check compares the analytic gradient of a cost function with
finite differences. portcheck does it per block of the parameter vector and
explains the difference: here a port that forgets to divide one block's
gradient by the number of examples ``m``.
"""

# %%
import io

import matplotlib.image
import matplotlib.pyplot as plt

import portcheck
from portcheck.examples import ex4
from portcheck.examples.broken import nn
from portcheck.plots import with_plots

nn_params, *rest = ex4.CASES[0].make_args()
layout = [("Theta1", (5, 4)), ("Theta2", (3, 6))]

# %%
# The faithful port passes
# ------------------------
print(portcheck.check_gradient(ex4.nn_cost_function, nn_params, args=tuple(rest), layout=layout))

# %%
# The broken port is caught, with the factor and the block named
# ----------------------------------------------------------------
report = with_plots(portcheck.check_gradient(nn.nn_cost_grad_missing_m, nn_params, args=tuple(rest),
                                             layout=layout))
print(report)

# %%
# The figure an HTML report carries: the gradient error of each block.
png = report.figures["gradient error per block"]
image = matplotlib.image.imread(io.BytesIO(png), format="png")
fig, ax = plt.subplots(figsize=(7, 3.5))
ax.imshow(image)
ax.set_axis_off()
plt.show()
