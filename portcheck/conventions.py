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
import inspect
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .errors import InputError

__all__ = ["is_penalty_name", "penalty_pairs", "with_gradient", "is_float_scalar", "argument_order",
           "in_reference_order", "m_file_parameters"]

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


# -- arguments in another order ---------------------------------------------------


def m_file_parameters(path: str | Path) -> list[str] | None:
    """The parameter names on the first ``function`` line of an ``.m`` file, or ``None``.

    ``function [J, grad] = costFunctionReg(theta, X, y, lambda)`` gives
    ``["theta", "X", "y", "lambda"]``; a header with ``varargin`` or none at
    all gives ``None`` (nothing to match names against).
    """
    try:
        lines = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    header = ""
    for line in lines:
        code = line.split("%", 1)[0].split("#", 1)[0].strip()
        if not header and not code.startswith("function"):
            continue
        header += " " + code.removesuffix("...")
        if not code.endswith("..."):
            break
    if "(" not in header or ")" not in header:
        return None
    inside = header.split("(", 1)[1].split(")", 1)[0]
    names = [n.strip() for n in inside.split(",") if n.strip()]
    if not names or any(not n.isidentifier() or n == "varargin" for n in names):
        return None
    return names


def _name_key(name: str) -> str:
    # Ports rename the penalty weight (lambda is a Python keyword): all its spellings are one name.
    return "lambda" if is_penalty_name(name) else name.lower().strip("_")


def argument_order(port_names: Sequence[str], reference_names: Sequence[str]) -> list[int] | None:
    """For each of the port's arguments, the position of the same-named argument of the reference.

    ``None`` unless the port's names are exactly the reference's in another
    order (``cost(X, y, theta, lam)`` for ``costFunctionReg(theta, X, y,
    lambda)``), each matched once: a partial or ambiguous match is no evidence
    of an order.
    """
    keys_p = [_name_key(n) for n in port_names]
    keys_r = [_name_key(n) for n in reference_names]
    if len(keys_p) != len(keys_r) or keys_p == keys_r or len(set(keys_r)) != len(keys_r):
        return None
    if sorted(keys_p) != sorted(keys_r):
        return None
    return [keys_r.index(k) for k in keys_p]


def in_reference_order(fn: Callable[..., Any], order: Sequence[int]) -> Callable[..., Any]:
    """The port taking the reference's argument order: argument ``order[i]`` goes to its ``i``-th parameter.

    The wrapper's signature lists the port's own parameter names in the
    reference's order, so messages name what the port calls each argument;
    the port's code (what a trace follows) is reached through ``__wrapped__``.
    """
    n = len(order)

    @functools.wraps(fn)
    def port_in_reference_order(*args: Any, **kwargs: Any) -> Any:
        return fn(*[args[j] for j in order], *args[n:], **kwargs)

    params = list(inspect.signature(fn).parameters.values())
    moved = [params[list(order).index(i)] for i in range(n)] + params[n:]
    try:
        sig = inspect.Signature(moved)
    except ValueError:  # a default now before a parameter without one: the names are what matters
        sig = inspect.Signature([q.replace(default=inspect.Parameter.empty) for q in moved])
    port_in_reference_order.__signature__ = sig  # type: ignore[attr-defined]
    return port_in_reference_order
