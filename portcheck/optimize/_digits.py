"""The demo: a digits network trained in both languages with :func:`train_digits`.

A worked use of :func:`portcheck.compare_minimize` on real data (scikit-learn's
8x8 digits, shipped with it): ``nnCostFunction`` with fmincg in Octave against
the ex4 port with SciPy, plus the training accuracy of both results. Kept
apart because it needs scikit-learn and the ex4 example port, which the
checks themselves do not.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..errors import InputError
from ..inputs import Layout, debug_weights
from ..octave import Octave
from ..report import Report, Table
from ._minimize import compare_minimize

#: Images of ``load_digits`` used by :func:`train_digits`: the first 600 of
#: 1797 (every class appears ~60 times), enough to train in about a second
#: per side.
DIGITS_SUBSET = 600


def train_digits(
    octave: Octave,
    hidden_layer_size: int = 25,
    maxiter: int = 50,
    lambda_: float = 1.0,
    n_images: int = DIGITS_SUBSET,
    method: str = "L-BFGS-B",
    plot: bool = False,
) -> Report:
    """Train the 64-h-10 network on scikit-learn's digits in Octave (fmincg) and Python (SciPy).

    Parameters
    ----------
    octave : Octave
        The session running ``nnCostFunction``, ``fmincg`` and ``ex4/predict``.
    hidden_layer_size : int, default 25
    maxiter : int, default 50
        Iterations of both optimizers (the course's ex4 uses 50).
    lambda_ : float, default 1.0
        Regularization strength.
    n_images : int, default :data:`DIGITS_SUBSET`
        The first ``n_images`` of the 1797 8×8 images (shipped with
        scikit-learn, no download). Pixels 0..16 are scaled to [0, 1]; labels
        0..9 become 1..10, as the course labels digits.
    method : str, default "L-BFGS-B"
        SciPy method for the port.
    plot : bool, default False
        Attach the cost curves.

    Returns
    -------
    Report
        :func:`compare_minimize`'s report of ``nnCostFunction`` against
        :func:`portcheck.examples.ex4.nn_cost_function`, both started from
        debug-initialized weights (:func:`portcheck.debug_weights`), plus a
        table of the two training accuracies: Octave's ``ex4/predict`` on the
        weights fmincg found, :func:`portcheck.examples.ex4.predict` on the
        weights SciPy found. ``details["accuracy"]`` holds them.
    """
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise InputError("train_digits needs scikit-learn for its digits data (shipped with it, no download): "
                         "pip install scikit-learn.") from None
    from ..examples.ex4 import nn_cost_function, predict

    h = int(hidden_layer_size)
    if h < 1:
        raise InputError(f"hidden_layer_size must be a positive integer, got {hidden_layer_size!r}.")
    digits = load_digits()
    n_images = int(min(max(n_images, 10), digits.data.shape[0]))
    X = digits.data[:n_images].astype(np.float64) / 16.0
    y = digits.target[:n_images].astype(np.float64) + 1.0  # label 10 is the digit 9, label 1 the digit 0
    n, k = X.shape[1], 10
    Theta1, Theta2 = debug_weights(h, n), debug_weights(k, h)
    x0 = np.concatenate([Theta1.ravel(order="F"), Theta2.ravel(order="F")])
    layout = Layout([("Theta1", (h, n + 1)), ("Theta2", (k, h + 1))])
    args = (n, h, k, X, y, float(lambda_))

    rep = compare_minimize("nnCostFunction", nn_cost_function, x0, args=args, octave=octave, method=method,
                           maxiter=maxiter, octave_optimizer="fmincg", layout=layout, plot=plot)
    accuracy: dict[str, float] = {}
    rows = []
    for side in ("octave", "python"):
        run = rep.details.get(side)
        if run is None:
            continue
        blocks = layout.split(np.asarray(run["x"]))
        if side == "octave":
            p = np.asarray(octave.call("ex4/predict", blocks["Theta1"], blocks["Theta2"], X)).reshape(-1)
            who = "OCTAVE (fmincg, ex4/predict)"
        else:
            p = predict(blocks["Theta1"], blocks["Theta2"], X)
            who = f"PYTHON (scipy {method}, examples.ex4.predict)"
        accuracy[side.upper()] = float(np.mean(p == y))
        rows.append((who, run["cost"], run["iterations"], accuracy[side.upper()]))
    table = Table(
        title=f"Digits {n}-{h}-{k}, first {n_images} of 1797 images, lambda {lambda_:g}, maxiter {maxiter}: "
              "training accuracy",
        columns=("side", "final cost", "iterations", "training accuracy"),
        rows=tuple(rows),
    )
    details = dict(rep.details)
    details["accuracy"] = accuracy
    details["data"] = {"images": n_images, "of": int(digits.data.shape[0]), "scaled": "pixels / 16",
                       "labels": "digit + 1"}
    notes = list(rep.notes)
    if len(accuracy) == 2:
        notes.insert(0, f"Training accuracy OCTAVE {accuracy['OCTAVE']:.2%} vs PYTHON {accuracy['PYTHON']:.2%} "
                        f"(difference {abs(accuracy['OCTAVE'] - accuracy['PYTHON']):.2%}).")
    return replace(rep, title=f"digits network {n}-{h}-{k}: " + rep.title, tables=(table, *rep.tables),
                   notes=tuple(notes), details=details)
