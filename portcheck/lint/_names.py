"""Name heuristics and small tree helpers the rules share.

Porting mistakes are recognised partly by what code is about: ``Theta1`` is a
weight matrix, ``m`` a count of examples, ``sigmoid_gradient`` an activation
derivative. The patterns that encode the course's naming conventions, and the
helpers that read names and operands out of :mod:`ast` nodes, live here so
every family of rules reads them the same way.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

# 2-D weight matrices of the course's networks: Theta1, Theta2_grad, W1, dW2, weights.
_MATRIX_RE = re.compile(
    r"^(d?[Tt]heta_?\d+(_?grad)?|Theta(_?grad)?|d?W_?\d*(_?grad)?|w_?\d+|[Ww]eights?_?\d*|"
    r"(grad|g|d)_?[Tt]heta_?\d+|Delta_?\d*|D_?\d+|Theta_?\d+_?grad)$"
)
# Unrolled parameter vectors: theta, nn_params, initial_theta, grad, numgrad.
_VECTOR_RE = re.compile(r"^(\w+_)?(theta|params?|nn_params|grad|gradient|numgrad|num_grad)(_\w+)?$")
# Counts of examples: the m of the course.
_COUNT_RE = re.compile(
    r"^(m|n|M|N|num_?examples|n_?examples|n_?samples|num_?samples|num_?train|batch_?size|n_?obs|m_\w+)$"
)
# Data the examples live in: X, X_train, y, y_vectors, Y.
_DATA_RE = re.compile(r"^(X|Y|y)(_\w*)?$")
# Derivatives of activations are always applied elementwise in backprop.
_DERIV_RE = re.compile(
    r"^(sigmoid_?grad(ient)?|d_?sigmoid|sigmoid_?(prime|derivative|deriv)|relu_?(grad(ient)?|prime|deriv\w*)|"
    r"d_?relu|tanh_?(prime|grad(ient)?|deriv\w*)|d_?tanh)$",
    re.IGNORECASE,
)
_DELTA_RE = re.compile(r"^(delta|d|err|error)_?\d*$", re.IGNORECASE)
_WEIGHT_RE = re.compile(r"^([Tt]heta_?\d+|Theta|W_?\d*|[Ww]eights?_?\d*)$")
_ACTIVATION_RE = re.compile(r"^(X|a_?\d+|A_?\d+|h_?\d*|H_?\d*)$")
_ARRAYISH_RE = re.compile(r"^(rows?|cols?|columns?|idx\w*|ind\w*|labels?|y\w*|Y\w*|classes|targets?)$")
_REM_RE = re.compile(r"(^|[^A-Za-z0-9])rem($|[^A-Za-z0-9])")
_IGNORE_RE = re.compile(r"#\s*portcheck:\s*ignore(\[([\w\-,\s]+)\])?")

_OPTIMIZERS = {
    "minimize", "fmin_cg", "fmin_l_bfgs_b", "fmin_bfgs", "fmin_ncg", "fmin_tnc", "fmin", "fmin_powell",
    "check_grad", "approx_fprime", "approx_derivative", "least_squares", "fmincg", "fminunc",
    "compute_numerical_gradient", "computeNumericalGradient", "numerical_gradient", "check_gradient",
}
_OBJECTIVE_KWARGS = {"fun", "func", "f", "fn", "objective", "cost", "cost_function", "costFunction"}
_CALLBACK_KWARGS = {"jac", "fprime", "grad", "hess"}
_TRANSCENDENTAL = {"log", "log2", "log10", "log1p", "exp", "exp2", "expm1", "sqrt", "cbrt", "sin", "cos", "tan",
                   "arctan", "arctan2", "tanh"}
_STORE_METHODS = {"append", "extend", "insert", "add", "appendleft", "setdefault"}


def _short(node: ast.AST, limit: int = 48) -> str:
    text = ast.unparse(node)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _operand(node: ast.AST, limit: int = 24) -> str:
    """An operand as written inside a binary expression: compound ones in parentheses."""
    text = _short(node, limit)
    return f"({text})" if isinstance(node, (ast.BinOp, ast.BoolOp, ast.Compare, ast.IfExp, ast.Lambda)) else text


def _dotted(node: ast.AST) -> str | None:
    """``np.linalg.norm`` for an Attribute chain of Names; None otherwise."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def _subject_name(node: ast.AST) -> str | None:
    """The name a value is known by: ``Theta1``, ``self.W1`` -> W1, ``model['W1']`` -> W1."""
    while True:
        if isinstance(node, ast.Name):
            return node.id
        if isinstance(node, ast.Attribute):
            return None if node.attr == "T" else node.attr
        if isinstance(node, ast.Subscript):
            if isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
                return node.slice.value
            node = node.value
            continue
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "copy":
            node = node.func.value
            continue
        if (
            isinstance(node, ast.Call)
            and node.args
            and (_dotted(node.func) or "").split(".")[-1] in {"asarray", "array", "asfortranarray", "ascontiguousarray"}
        ):
            node = node.args[0]  # np.asarray(theta) is still theta
            continue
        return None


def _is_const_number(node: ast.AST, value: float | None = None) -> bool:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = node.operand
        if isinstance(inner, ast.Constant) and isinstance(inner.value, (int, float)) and not isinstance(inner.value, bool):
            v = -inner.value if isinstance(node.op, ast.USub) else inner.value
            return value is None or v == value
        return False
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return value is None or node.value == value
    return False


def _is_count(node: ast.AST) -> bool:
    """``m``, ``len(X)``, ``X.shape[0]``, ``X.size``: a number of examples."""
    if isinstance(node, ast.Name):
        return bool(_COUNT_RE.match(node.id))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "len":
        return True
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and node.value.attr == "shape":
        return True
    return isinstance(node, ast.Attribute) and node.attr == "size"


def _loads(node: ast.AST) -> Iterator[ast.Name]:
    for n in ast.walk(node):
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load):
            yield n


def _params(args: ast.arguments) -> list[str]:
    names = [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]
    if args.vararg:
        names.append(args.vararg.arg)
    if args.kwarg:
        names.append(args.kwarg.arg)
    return names


def _first_param(args: ast.arguments) -> str | None:
    positional = [*args.posonlyargs, *args.args]
    if not positional:
        return None
    first = positional[0].arg
    return positional[1].arg if first in {"self", "cls"} and len(positional) > 1 else first


def _body_nodes(fn: ast.Lambda | ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.AST]:
    return [fn.body] if isinstance(fn, ast.Lambda) else list(fn.body)


def _is_length(node: ast.AST) -> bool:
    """A count along one axis (``n``, ``n + 1``, ``X.shape[1]``), not a total (``W.size``, ``a * b``)."""
    if isinstance(node, ast.BinOp):
        return isinstance(node.op, (ast.Add, ast.Sub)) and all(
            isinstance(x, ast.Constant) or _is_length(x) for x in (node.left, node.right))
    if isinstance(node, ast.Attribute):
        return node.attr != "size"
    # np.size(W), len(...) and prod(...) may be totals; a bare name or shape[k] is one axis.
    return isinstance(node, (ast.Name, ast.Subscript))

