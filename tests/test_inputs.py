"""Layouts and deterministic inputs (pure Python; the Octave twins are in test_octave_bridge)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portcheck import Layout, debug_dataset, debug_weights
from portcheck.errors import InputError, LayoutError


def test_layout_splits_column_major_like_octave():
    lay = Layout([("Theta1", (5, 4)), ("Theta2", (3, 6))])
    assert lay.size == 38 and len(lay) == 2
    vec = np.arange(38.0)
    blocks = lay.split(vec)
    # Octave: reshape(v(1:20), 5, 4) puts v(2) at (2,1)
    assert blocks["Theta1"][1, 0] == 1.0 and blocks["Theta1"][0, 1] == 5.0
    assert blocks["Theta2"][0, 0] == 20.0


@given(st.lists(st.tuples(st.integers(1, 6), st.integers(1, 6)), min_size=1, max_size=4))
@settings(max_examples=40, deadline=None)
def test_unroll_inverts_split(shapes):
    lay = Layout([(f"B{i}", s) for i, s in enumerate(shapes)])
    vec = np.sin(np.arange(lay.size) + 1.0)
    np.testing.assert_array_equal(lay.unroll(lay.split(vec)), vec)


def test_split_returns_copies_not_views():
    lay = Layout([("W", (2, 2))])
    vec = np.zeros(4)
    lay.split(vec)["W"][0, 0] = 9.0
    assert vec[0] == 0.0


def test_layout_accepts_column_and_row_vectors_but_not_matrices():
    lay = Layout({"A": (2, 3)})
    assert lay.fits(np.zeros((6, 1))) and lay.fits(np.zeros((1, 6))) and lay.fits(np.zeros(6))
    assert not lay.fits(np.zeros((2, 3)))
    with pytest.raises(LayoutError, match="6 elements"):
        lay.split(np.zeros(7))


def test_block_of_maps_flat_index_to_block_and_subscript():
    lay = Layout([("Theta1", (5, 4)), ("Theta2", (3, 6))])
    block, sub = lay.block_of(21)
    assert block.name == "Theta2" and sub == (1, 0)


@pytest.mark.parametrize("bad", [[], [("A", (0, 2))], [("A", (2,)), ("A", (3,))], [("A",)]])
def test_bad_layouts_say_what_is_wrong(bad):
    with pytest.raises(LayoutError):
        Layout(bad)


def test_debug_weights_shape_and_scale():
    W = debug_weights(3, 4)
    assert W.shape == (3, 5)
    assert np.all(np.abs(W) <= 0.1)
    assert W[1, 0] == np.sin(2.0) / 10  # column-major fill


def test_debug_dataset_labels_are_one_based_and_cycle():
    X, y = debug_dataset(7, 3, 3)
    assert X.shape == (7, 3) and y.shape == (7,)
    np.testing.assert_array_equal(y, [2, 3, 1, 2, 3, 1, 2])


@pytest.mark.parametrize("args", [(0, 1), (-1, 2), (2.5, 1), ("3", 1)])
def test_debug_weights_rejects_bad_sizes(args):
    with pytest.raises(InputError):
        debug_weights(*args)
