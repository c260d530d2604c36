"""The course's neural network (one sigmoid hidden layer): faithful ports of ``matlab_refs/ex4``.

Conventions matched
-------------------
- ``nn_params`` is ``[Theta1(:); Theta2(:)]``: each matrix unrolled
  column-major. Rolling back therefore uses ``reshape(..., order='F')`` and
  unrolling ``ravel(order='F')``; NumPy's default C order reads the same
  numbers into the wrong places.
- ``Theta1`` is ``(hidden, input + 1)`` and ``Theta2`` ``(labels, hidden + 1)``;
  column 0 multiplies the bias unit and is not regularized.
- Labels are 1-based (``1..num_labels``); they are shifted (``- 1``) only
  where they index the one-hot rows. Predictions come back 1-based, as float.
- Parameter vectors and gradients are 1-D (``jac=True`` convention); ``y``
  may be ``(m,)`` or ``(m, 1)`` and is flattened.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from portcheck.inputs import debug_dataset, debug_weights

from ._case import Case
from .common import sigmoid

__all__ = [
    "nn_cost_function",
    "sigmoid_gradient",
    "rand_initialize_weights",
    "compute_numerical_gradient",
    "check_nn_gradients",
    "predict",
    "CASES",
]


def _roll(nn_params: np.ndarray, input_layer_size: int, hidden_layer_size: int, num_labels: int):
    """Theta1, Theta2 from ``[Theta1(:); Theta2(:)]`` (column-major, like Octave's reshape)."""
    n1 = hidden_layer_size * (input_layer_size + 1)
    Theta1 = np.reshape(nn_params[:n1], (hidden_layer_size, input_layer_size + 1), order="F")
    Theta2 = np.reshape(nn_params[n1:], (num_labels, hidden_layer_size + 1), order="F")
    return Theta1, Theta2


def nn_cost_function(
    nn_params: np.ndarray,
    input_layer_size: int,
    hidden_layer_size: int,
    num_labels: int,
    X: np.ndarray,
    y: np.ndarray,
    lambda_: float,
) -> tuple[float, np.ndarray]:
    """Cost and gradient of the 3-layer sigmoid network (port of ``nnCostFunction.m``).

    Parameters
    ----------
    nn_params : ndarray, shape (h * (n + 1) + k * (h + 1),)
        ``[Theta1(:); Theta2(:)]``, column-major, with ``Theta1`` of shape
        ``(h, n + 1)`` and ``Theta2`` of shape ``(k, h + 1)``.
    input_layer_size, hidden_layer_size, num_labels : int
        ``n``, ``h`` and ``k``.
    X : ndarray, shape (m, n)
        Inputs without the bias column (added here).
    y : ndarray, shape (m,) or (m, 1)
        Labels ``1..k`` (1-based).
    lambda_ : float
        Regularization strength; bias columns are not regularized.

    Returns
    -------
    J : float
        Mean over examples of the summed cross-entropy of the ``k`` outputs,
        plus ``lambda_ / (2m)`` times the sum of squared non-bias weights.
    grad : ndarray, same shape as ``nn_params``
        ``[Theta1_grad(:); Theta2_grad(:)]``, column-major.
    """
    nn_params = np.asarray(nn_params, dtype=np.float64).reshape(-1)
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    n, h, k = int(input_layer_size), int(hidden_layer_size), int(num_labels)
    Theta1, Theta2 = _roll(nn_params, n, h, k)
    m = X.shape[0]

    a1 = np.column_stack([np.ones(m), X])
    z2 = a1 @ Theta1.T
    a2 = np.column_stack([np.ones(m), sigmoid(z2)])
    a3 = sigmoid(a2 @ Theta2.T)

    # I(y, :) in the reference: 1-based labels pick rows of the identity.
    Y = np.eye(k)[y.astype(np.intp) - 1]

    W1 = Theta1[:, 1:]
    W2 = Theta2[:, 1:]
    J = -np.sum(Y * np.log(a3) + (1 - Y) * np.log(1 - a3)) / m + lambda_ / (2 * m) * (
        np.sum(W1**2) + np.sum(W2**2)
    )

    # The sigmoid' factor of the output layer cancels against cross-entropy.
    d3 = a3 - Y
    d2 = (d3 @ W2) * sigmoid_gradient(z2)
    Theta1_grad = (d2.T @ a1) / m
    Theta2_grad = (d3.T @ a2) / m
    Theta1_grad[:, 1:] += (lambda_ / m) * W1
    Theta2_grad[:, 1:] += (lambda_ / m) * W2
    grad = np.concatenate([Theta1_grad.ravel(order="F"), Theta2_grad.ravel(order="F")])
    return float(J), grad


def sigmoid_gradient(z: np.ndarray | float) -> np.ndarray:
    """Derivative of the logistic function (port of ``sigmoidGradient.m``).

    Parameters
    ----------
    z : array_like or float

    Returns
    -------
    ndarray
        ``sigmoid(z) * (1 - sigmoid(z))``, same shape as ``z``; 0.25 at 0.
    """
    s = sigmoid(z)
    return s * (1 - s)


def rand_initialize_weights(
    L_in: int,
    L_out: int,
    u: np.ndarray | None = None,
    rng: np.random.Generator | int | None = None,
) -> np.ndarray:
    """Symmetry-breaking initial weights of one layer (port of ``randInitializeWeights.m``).

    Parameters
    ----------
    L_in, L_out : int
        Units feeding the layer (without bias) and units in it.
    u : ndarray, shape (L_out, 1 + L_in), optional
        Uniform draws in [0, 1] to scale, as the reference's third argument;
        drawn from ``rng`` when omitted.
    rng : numpy.random.Generator or int, optional
        Generator (or seed) used when ``u`` is omitted. NumPy and Octave never
        draw the same numbers, which is why ``u`` exists.

    Returns
    -------
    ndarray, shape (L_out, 1 + L_in)
        ``u * 2 * eps_init - eps_init`` with ``eps_init = sqrt(6) / sqrt(L_in + L_out)``,
        i.e. uniform in ``[-eps_init, eps_init]``; column 0 is the bias.
    """
    L_in, L_out = int(L_in), int(L_out)
    epsilon_init = np.sqrt(6) / np.sqrt(L_in + L_out)
    if u is None:
        u = np.random.default_rng(rng).random((L_out, 1 + L_in))
    u = np.asarray(u, dtype=np.float64)
    return u * 2 * epsilon_init - epsilon_init


def compute_numerical_gradient(J: Callable[..., Any], theta: np.ndarray, *args: Any) -> np.ndarray:
    """Central-difference gradient of ``J`` at ``theta`` (port of ``computeNumericalGradient.m``).

    Parameters
    ----------
    J : callable
        ``J(theta, *args)`` returns the cost, or a tuple whose first item is
        the cost (a MATLAB function called with one output returns just its
        first, so ``(cost, grad)`` functions are accepted as they are).
    theta : ndarray
        Point of evaluation (any shape; a copy is perturbed).
    *args
        Extra arguments passed to ``J`` after ``theta``.

    Returns
    -------
    ndarray, same shape as ``theta``
        ``(J(theta + e u_p) - J(theta - e u_p)) / (2e)`` for each element ``p``
        (column-major order, as the reference loops), ``e = 1e-4``.

    Notes
    -----
    Truncation error is O(e**2) and rounding error O(eps / e), so the result
    has about 8 to 10 correct digits.
    """
    theta = np.array(theta, dtype=np.float64)  # a copy: the caller's array is never perturbed
    e = 1e-4

    def cost(t: np.ndarray) -> float:
        out = J(t, *args)
        return float(out[0] if isinstance(out, tuple) else out)

    numgrad = np.zeros_like(theta)
    perturb = np.zeros_like(theta)
    for p in range(theta.size):
        # theta(p) in the reference: linear indexing runs column-major.
        idx = np.unravel_index(p, theta.shape, order="F")
        perturb[idx] = e
        loss1 = cost(theta - perturb)
        loss2 = cost(theta + perturb)
        numgrad[idx] = (loss2 - loss1) / (2 * e)
        perturb[idx] = 0.0
    return numgrad


def check_nn_gradients(lambda_: float = 0.0) -> tuple[np.ndarray, np.ndarray, float]:
    """Gradient check of :func:`nn_cost_function` on the 3-5-3 debug network (port of ``checkNNGradients.m``).

    Parameters
    ----------
    lambda_ : float, default 0
        Regularization strength.

    Returns
    -------
    numgrad : ndarray, shape (38,)
        Central differences (:func:`compute_numerical_gradient`).
    grad : ndarray, shape (38,)
        Backpropagation.
    diff : float
        ``norm(numgrad - grad) / norm(numgrad + grad)``; below 1e-9 when
        backpropagation is right.

    Notes
    -----
    The weights and data come from :func:`portcheck.debug_weights` and
    :func:`portcheck.debug_dataset`, equal bit for bit to Octave's
    ``debugInitializeWeights`` and ``debugDataset``; nothing is printed.
    """
    input_layer_size, hidden_layer_size, num_labels, m = 3, 5, 3, 5
    Theta1 = debug_weights(hidden_layer_size, input_layer_size)
    Theta2 = debug_weights(num_labels, hidden_layer_size)
    X, y = debug_dataset(m, input_layer_size, num_labels)
    nn_params = np.concatenate([Theta1.ravel(order="F"), Theta2.ravel(order="F")])
    args = (input_layer_size, hidden_layer_size, num_labels, X, y, lambda_)
    _, grad = nn_cost_function(nn_params, *args)
    numgrad = compute_numerical_gradient(nn_cost_function, nn_params, *args)
    diff = np.linalg.norm(numgrad - grad) / np.linalg.norm(numgrad + grad)
    return numgrad, grad, float(diff)


def predict(Theta1: np.ndarray, Theta2: np.ndarray, X: np.ndarray) -> np.ndarray:
    """Class predicted by the trained network (port of ``ex4/predict.m``).

    Parameters
    ----------
    Theta1 : ndarray, shape (h, n + 1)
    Theta2 : ndarray, shape (k, h + 1)
    X : ndarray, shape (m, n)
        Inputs without the bias column (added here).

    Returns
    -------
    ndarray, shape (m,)
        Float labels ``1..k`` (1-based) of the largest output; ties go to the
        lowest label, as with Octave's ``max``.
    """
    Theta1 = np.asarray(Theta1, dtype=np.float64)
    Theta2 = np.asarray(Theta2, dtype=np.float64)
    X = np.asarray(X, dtype=np.float64)
    m = X.shape[0]
    h1 = sigmoid(np.column_stack([np.ones(m), X]) @ Theta1.T)
    h2 = sigmoid(np.column_stack([np.ones(m), h1]) @ Theta2.T)
    return (np.argmax(h2, axis=1) + 1).astype(np.float64)


# ----------------------------------------------------------------------------
# catalogue

#: The gradient-check network: 3 inputs, 5 hidden units, 3 labels, 5 examples.
SIZES = (3, 5, 3)
M = 5
LAMBDA = 3.0

NN_LAYOUT = [("Theta1", (SIZES[1], SIZES[0] + 1)), ("Theta2", (SIZES[2], SIZES[1] + 1))]


def debug_network() -> tuple[np.ndarray, int, int, int, np.ndarray, np.ndarray]:
    """``(nn_params, 3, 5, 3, X, y)`` of the course's gradient check, unrolled column-major."""
    n, h, k = SIZES
    Theta1 = debug_weights(h, n)
    Theta2 = debug_weights(k, h)
    X, y = debug_dataset(M, n, k)
    nn_params = np.concatenate([Theta1.ravel(order="F"), Theta2.ravel(order="F")])
    return nn_params, n, h, k, X, y


def _nn_args() -> tuple:
    return (*debug_network(), LAMBDA)


def _sigmoid_gradient_args() -> tuple:
    return (20.0 * debug_weights(4, 5),)


def _rand_init_args() -> tuple:
    # debug_weights lies in [-0.1, 0.1]; 5x + 0.5 maps it into [0, 1] like rand's draws.
    return (3, 5, 5.0 * debug_weights(5, 3) + 0.5)


def _numgrad_octave_args() -> tuple:
    # Octave cannot receive a Python callable: it gets the function's name and
    # evaluates J(theta, P1, P2, ...) with the extra arguments.
    return ("nnCostFunction", *_nn_args())


def _numgrad_python_args() -> tuple:
    return (nn_cost_function, *_nn_args())


def _predict_args() -> tuple:
    # Theta2 from a transposed debug matrix, so that every label 1..4 wins
    # for some of the 12 examples.
    n, h, k = 3, 5, 4
    X, _ = debug_dataset(12, n, k)
    return (10.0 * debug_weights(h, n), 10.0 * debug_weights(h + 1, k - 1).T, 10.0 * X)


CASES: list[Case] = [
    Case(
        name="ex4.nnCostFunction",
        octave="nnCostFunction",
        port=nn_cost_function,
        make_args=_nn_args,
        gradient=True,
        layout=NN_LAYOUT,
        outputs=("J", "grad"),
        description="The 3-5-3 debug network, m = 5, lambda 3: cost and backpropagation.",
    ),
    Case(
        name="ex4.sigmoidGradient",
        octave="sigmoidGradient",
        port=sigmoid_gradient,
        make_args=_sigmoid_gradient_args,
        outputs=("g",),
        description="sigmoid' on a 4×6 matrix with entries in [-2, 2].",
    ),
    Case(
        name="ex4.randInitializeWeights",
        octave="randInitializeWeights",
        port=rand_initialize_weights,
        make_args=_rand_init_args,
        outputs=("W",),
        description="The scaling of given uniform draws (third argument) into ±sqrt(6)/sqrt(L_in+L_out).",
    ),
    Case(
        name="ex4.computeNumericalGradient",
        octave="computeNumericalGradient",
        port=compute_numerical_gradient,
        make_args=_numgrad_octave_args,
        make_python_args=_numgrad_python_args,
        layout=NN_LAYOUT,
        outputs=("numgrad",),
        description=(
            "Central differences of nnCostFunction on the debug network (Octave gets the function's "
            "name). Differencing divides the costs' rounding by 2e = 2e-4, so the two sides agree to "
            "about 1e-12 absolute, not to 1e-12 relative."
        ),
    ),
    Case(
        name="ex4.checkNNGradients",
        octave="checkNNGradients",
        port=check_nn_gradients,
        make_args=lambda: (LAMBDA,),
        outputs=("numgrad", "grad", "diff"),
        description=(
            "The whole gradient check; numgrad agrees to about 1e-12 absolute, diff (about 1e-11) "
            "is a difference of nearly equal numbers and agrees to about 1e-15 absolute."
        ),
    ),
    Case(
        name="ex4.predict",
        octave="ex4/predict",
        port=predict,
        make_args=_predict_args,
        outputs=("p",),
        description="A 3-5-4 network on 12 examples, every label predicted at least once; 1-based labels.",
    ),
]
