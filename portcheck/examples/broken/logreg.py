"""Broken ports of the logistic-regression references (ex2, ex3).

Each function is a faithful port from :mod:`portcheck.examples.ex2` or
:mod:`portcheck.examples.ex3` with one classic mistake. Its docstring says
what the mistake is and how to fix it; :data:`GALLERY` says which check
catches it and which finding kinds portcheck should report.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize

from .._case import BrokenCase
from ..common import sigmoid
from ..ex2 import _cost_args, _cost_reg_args, cost_function_reg
from ..ex3 import lr_cost_function

__all__ = [
    "cost_function_broadcast",
    "cost_function_reg_precedence",
    "cost_function_wrong_sign",
    "cost_function_updates_theta",
    "cost_function_reg_captured",
    "one_vs_all_late_binding",
    "lr_cost_function_bias_subtracted",
    "GALLERY",
]


def cost_function_broadcast(theta: np.ndarray, X: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """costFunction with ``y`` kept as an (m, 1) column.

    Mistake: ``y`` arrives as an ``(m, 1)`` column (as loaded from a ``.mat``
    file) and is not flattened, while ``h = sigmoid(X @ theta)`` is ``(m,)``.
    ``y * np.log(h)`` and ``h - y`` then broadcast to ``(m, m)``: the cost
    sums m² terms and the gradient comes back ``(n + 1, m)``. MATLAB never
    does this with two columns.

    Fix: flatten the labels first, ``y = np.asarray(y).reshape(-1)`` (or keep
    everything 2-D, ``theta`` as ``(n + 1, 1)`` too).
    """
    theta = np.asarray(theta, dtype=np.float64).reshape(-1)
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    m = len(y)
    h = sigmoid(X @ theta)
    J = -np.sum(y * np.log(h) + (1 - y) * np.log(1 - h)) / m
    grad = X.T @ (h - y) / m
    return float(J), grad


def cost_function_reg_precedence(
    theta: np.ndarray, X: np.ndarray, y: np.ndarray, lambda_: float
) -> tuple[float, np.ndarray]:
    """costFunctionReg with ``lambda_ / 2 * m`` where ``lambda / (2*m)`` was meant.

    Mistake: Python (like MATLAB) evaluates ``lambda_ / 2 * m`` left to right
    as ``(lambda_ / 2) * m``, so the penalty in the cost is ``m**2`` times too
    large. The gradient, written separately, is right.

    Fix: ``lambda_ / (2 * m)``.
    """
    theta = np.asarray(theta, dtype=np.float64).reshape(-1)
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    m = y.size
    h = sigmoid(X @ theta)
    penalized = theta.copy()
    penalized[0] = 0.0
    J = -(y @ np.log(h) + (1 - y) @ np.log(1 - h)) / m + lambda_ / 2 * m * (penalized @ penalized)
    grad = X.T @ (h - y) / m + (lambda_ / m) * penalized
    return float(J), grad


def cost_function_wrong_sign(theta: np.ndarray, X: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """costFunction whose gradient is the negated gradient.

    Mistake: ``X.T @ (y - h)`` instead of ``X.T @ (h - y)``: the gradient of
    the log-likelihood (to ascend) where the cost's gradient (to descend) is
    needed; a minimizer then climbs.

    Fix: ``grad = X.T @ (h - y) / m``.
    """
    theta = np.asarray(theta, dtype=np.float64).reshape(-1)
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    m = y.size
    h = sigmoid(X @ theta)
    J = -(y @ np.log(h) + (1 - y) @ np.log(1 - h)) / m
    grad = X.T @ (y - h) / m
    return float(J), grad


def cost_function_updates_theta(theta: np.ndarray, X: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """costFunction that takes a gradient step on its own argument.

    Mistake: the cost function also "trains": ``theta -= alpha * grad``
    updates the caller's array in place (``np.asarray`` of a float64 array
    and ``reshape(-1)`` of a contiguous one are views, not copies). The values
    returned are right, but the caller's ``theta`` has moved, so a minimizer,
    or a finite-difference check, evaluates at points it did not ask for. In
    MATLAB arguments are passed by value and this cannot happen.

    Fix: keep updates out of the cost function; if a local change is needed,
    work on ``theta.copy()``.
    """
    theta = np.asarray(theta, dtype=np.float64).reshape(-1)
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    m = y.size
    h = sigmoid(X @ theta)
    J = -(y @ np.log(h) + (1 - y) @ np.log(1 - h)) / m
    grad = X.T @ (h - y) / m
    alpha = 0.01
    theta -= alpha * grad
    return float(J), grad


def cost_function_reg_captured(
    theta: np.ndarray, X: np.ndarray, y: np.ndarray, lambda_: float
) -> tuple[float, np.ndarray]:
    """The objective ``lambda x: cost_function_reg(initial_theta, X, y, lambda_)``.

    Mistake: the user trains with
    ``minimize(lambda x: cost_function_reg(initial_theta, X, y, lambda_), initial_theta, jac=True)``:
    the lambda ignores ``x`` (the point the optimizer asks about) and always
    evaluates at the captured ``initial_theta``. The optimizer sees a
    constant cost with a non-zero gradient and stops at once. This function
    is that objective with the reference's signature: whatever ``theta`` it
    is given, the answer is the cost at ``initial_theta = zeros``.

    Fix: pass the optimizer's variable through, ``lambda x: cost_function_reg(x, X, y, lambda_)``,
    or better ``minimize(cost_function_reg, initial_theta, args=(X, y, lambda_), jac=True)``.
    """
    X = np.asarray(X, dtype=np.float64)
    initial_theta = np.zeros(X.shape[1])
    objective = lambda x: cost_function_reg(initial_theta, X, y, lambda_)  # noqa: E731 - the mistake itself
    return objective(theta)


def one_vs_all_late_binding(X: np.ndarray, y: np.ndarray, num_labels: int, lambda_: float) -> np.ndarray:
    """oneVsAll whose per-class objectives all see the last class.

    Mistake: the objectives are built in one loop,
    ``fs.append(lambda t: lr_cost_function(t, Xb, (y == c), lambda_))``, and
    minimized in a second one. A Python closure reads ``c`` when it is
    *called*, not when it is created, so every objective uses the final
    ``c = num_labels``: all rows of ``all_theta`` are the classifier of the
    last class.

    Fix: bind the value at creation, ``lambda t, c=c: ...``, or pass it
    through ``args=(Xb, (y == c).astype(float), lambda_)``.
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    m, n = X.shape
    Xb = np.column_stack([np.ones(m), X])
    fs = []
    for c in range(1, int(num_labels) + 1):
        fs.append(lambda t: lr_cost_function(t, Xb, (y == c).astype(np.float64), lambda_))  # noqa: B023
    all_theta = np.zeros((int(num_labels), n + 1))
    for i, f in enumerate(fs):
        res = minimize(f, np.zeros(n + 1), jac=True, method="CG", options={"maxiter": 50, "gtol": 1e-12})
        all_theta[i, :] = res.x
    return all_theta


def lr_cost_function_bias_subtracted(
    theta: np.ndarray, X: np.ndarray, y: np.ndarray, lambda_: float
) -> tuple[float, np.ndarray]:
    """lrCostFunction that subtracts the bias penalty from every gradient entry.

    Mistake: the penalty is added to all entries, ``reg = lambda_ / m * theta``,
    and the bias is then taken back out with ``grad -= reg[0]``: a scalar
    subtracted from the whole vector (broadcast), where only ``grad[0]`` was
    meant. Every non-bias entry is off by ``lambda_ / m * theta[0]``; the cost
    is right.

    Fix: exclude instead of subtracting: ``grad[1:] += lambda_ / m * theta[1:]``
    (or ``grad[0] -= reg[0]``).
    """
    theta = np.asarray(theta, dtype=np.float64).reshape(-1)
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    m = y.size
    h = sigmoid(X @ theta)
    J = -(y @ np.log(h) + (1 - y) @ np.log(1 - h)) / m + lambda_ / (2 * m) * (theta @ theta - theta[0] ** 2)
    reg = lambda_ / m * theta
    grad = X.T @ (h - y) / m + reg
    grad -= reg[0]
    return float(J), grad


# ----------------------------------------------------------------------------
# catalogue


def _column_y_args() -> tuple:
    theta, X, y = _cost_args()
    return (theta, X, y.reshape(-1, 1))


def _captured_objective():
    """The objective of :func:`cost_function_reg_captured` built on the ex2 case inputs."""
    _, X, y, lambda_ = _cost_reg_args()
    initial_theta = np.zeros(X.shape[1])
    return lambda x: cost_function_reg(initial_theta, X, y, lambda_)


GALLERY: list[BrokenCase] = [
    BrokenCase(
        name="broken.cost_function_broadcast",
        reference="ex2.costFunction",
        port=cost_function_broadcast,
        mistake="y kept as an (m, 1) column: h - y broadcasts to (m, m)",
        expected=("broadcast",),
        make_python_args=_column_y_args,
    ),
    BrokenCase(
        name="broken.cost_function_reg_precedence",
        reference="ex2.costFunctionReg",
        port=cost_function_reg_precedence,
        mistake="lambda/2*m instead of lambda/(2*m): the penalty is m**2 times too large",
        expected=("regularization", "scale"),
    ),
    BrokenCase(
        name="broken.cost_function_wrong_sign",
        reference="ex2.costFunction",
        port=cost_function_wrong_sign,
        mistake="gradient X'(y - h) instead of X'(h - y)",
        expected=("sign",),
    ),
    BrokenCase(
        name="broken.cost_function_updates_theta",
        reference="ex2.costFunction",
        port=cost_function_updates_theta,
        mistake="the cost function does theta -= alpha*grad on the caller's array",
        expected=("mutates-input",),
    ),
    BrokenCase(
        name="broken.cost_function_reg_captured",
        reference="ex2.costFunctionReg",
        port=cost_function_reg_captured,
        mistake="objective lambda x: cost_function_reg(initial_theta, ...) ignores x",
        expected=("lambda-capture",),
        check="gradient",
        extra={"objective": _captured_objective(), "x0": np.zeros(28)},
    ),
    BrokenCase(
        name="broken.one_vs_all_late_binding",
        reference="ex3.oneVsAll",
        port=one_vs_all_late_binding,
        mistake="closures built in a loop read the class c late: every row trains the last class",
        expected=("lambda-capture",),
    ),
    BrokenCase(
        name="broken.lr_cost_function_bias_subtracted",
        reference="ex3.lrCostFunction",
        port=lr_cost_function_bias_subtracted,
        mistake="grad -= reg[0] subtracts the bias penalty from every entry instead of excluding it",
        expected=("regularization",),
    ),
]
