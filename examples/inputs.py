"""Argument factories for the example suite: deterministic, identical on both sides."""

import numpy as np

import portcheck


def nn_debug_args():
    """The course's 3-5-3 gradient-check network with 5 examples and lambda = 3."""
    theta1 = portcheck.debug_weights(5, 3)
    theta2 = portcheck.debug_weights(3, 5)
    X, y = portcheck.debug_dataset(5, 3, 3)
    nn_params = np.concatenate([theta1.ravel(order="F"), theta2.ravel(order="F")])
    return nn_params, 3, 5, 3, X, y, 3.0
