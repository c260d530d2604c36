"""How real ports are called: penalty arguments, split cost/gradient functions, argument conventions.

Real ports rarely match the reference's signature exactly. They name the
penalty weight ``lamb``, ``lmbda`` or ``reg_lambda``, put it in another
position, split the cost and the gradient into two functions, or work only
when labels arrive as integers or vectors as 1-D arrays. This module holds
those rules so :mod:`portcheck.compare` (and the suite) apply one version of
them; it never calls Octave.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .errors import InputError

__all__ = ["is_penalty_name", "penalty_pairs", "with_gradient", "is_float_scalar"]

#: Exact parameter names (lower case, underscores stripped at the ends) that hold a penalty weight.
_PENALTY_NAMES = {"lambda", "lam", "lamb", "lambd", "lamda", "lmbda", "lmbd", "lmb", "lbda", "l", "reg",
                  "reg_lambda", "lambda_reg", "reg_param", "reg_strength", "regularization", "reg_coef",
                  "l2", "l2_reg", "l2_lambda", "weight_decay", "wd", "alpha_reg", "beta", "decay", "penalty",
                  "la", "ld"}


def is_penalty_name(name: str) -> bool:
    """A parameter name that usually holds a regularization weight (``lambda_``, ``lamb``, ``reg``...)."""
    n = name.lower().strip("_")
    return n in _PENALTY_NAMES or n.startswith(("lambda", "lmbda", "lamda")) or n.endswith(("lambda", "_reg"))


def is_float_scalar(a: Any) -> bool:
    """A finite real number (Python or NumPy), not a bool."""
    return (isinstance(a, (float, int, np.floating, np.integer)) and not isinstance(a, (bool, np.bool_))
            and math.isfinite(float(a)))


def _resolve_penalty(penalty: int | str, py_args: Sequence[Any], names: Sequence[str]) -> int:
    """The port's argument position named by ``penalty`` (an index or a parameter name)."""
    if isinstance(penalty, str):
        if penalty not in names:
            raise InputError(f"penalty={penalty!r} is not one of the port's parameters ({', '.join(names)}).")
        return list(names).index(penalty)
    if isinstance(penalty, (int, np.integer)) and not isinstance(penalty, bool) and 0 <= penalty < len(py_args):
        return int(penalty)
    raise InputError(f"penalty must be the index or the name of the port's penalty-weight argument, "
                     f"got {penalty!r}.")


def penalty_pairs(args: Sequence[Any], py_args: Sequence[Any], names: Sequence[str],
                  penalty: int | str | None = None, same_order: bool = True) -> list[tuple[int, int, str]]:
    """Where the penalty weight sits on each side: ``[(reference index, port index, label)]``.

    ``penalty`` (an index or the port's parameter name) overrides the name
    rule. When the port's arguments are its own (``python_args``), the
    reference's position is the one argument holding the same number; an
    ambiguous or absent match gives no pair rather than a wrong experiment.
    """
    if penalty is not None:
        ports = [_resolve_penalty(penalty, py_args, names)]
        if not is_float_scalar(py_args[ports[0]]):
            raise InputError(f"penalty={penalty!r} names argument {ports[0] + 1}, which is not a number "
                             f"(got {type(py_args[ports[0]]).__name__}).")
    else:
        ports = [i for i, a in enumerate(py_args)
                 if i < len(names) and is_penalty_name(names[i]) and is_float_scalar(a) and float(a) != 0]
    out = []
    for i in ports:
        value = float(py_args[i])
        if value == 0:
            continue
        label = names[i] if i < len(names) else f"argument {i + 1}"
        if same_order and i < len(args) and is_float_scalar(args[i]) and float(args[i]) == value:
            out.append((i, i, label))
            continue
        hits = [j for j, a in enumerate(args) if is_float_scalar(a) and float(a) == value]
        if len(hits) == 1:
            out.append((hits[0], i, label))
    return out


def with_gradient(cost: Callable[..., Any], grad: Callable[..., Any]) -> Callable[..., Any]:
    """One port returning ``(J, grad)`` from a cost function and a gradient function with the same arguments.

    Many ports follow ``scipy.optimize.minimize(fun, x0, jac=grad)`` and write
    the two separately; the reference returns both from one call. A cost that
    returns ``(J, ...)`` contributes its first value.
    """
    if not callable(grad):
        raise InputError(f"grad must be the port's gradient function, got {type(grad).__name__}.")

    @functools.wraps(cost)
    def cost_and_gradient(*args: Any) -> tuple[Any, Any]:
        J = cost(*args)
        if isinstance(J, (tuple, list)) and len(J) >= 1:
            J = J[0]
        return J, grad(*args)

    cost_and_gradient.__portcheck_parts__ = (cost, grad)  # type: ignore[attr-defined]
    return cost_and_gradient
