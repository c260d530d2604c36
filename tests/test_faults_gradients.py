"""Faults in a gradient check: an objective that exits, and parameters at the edge of the double range."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from portcheck import Octave, check_gradient

FAULTS = Path(__file__).parent / "octave_fixtures" / "faults"

pytestmark = pytest.mark.faults


def _quad(x):
    return float(0.5 * np.sum(x**2)), x.copy()


@pytest.mark.parametrize("x0", [np.full(4, 1e-300), np.array([1e-300, -2e-300, 3e-300]),
                                np.array([1e-300, 1.0, -5.0]), np.full(3, 5e-324)])
def test_a_faithful_gradient_at_tiny_parameters_passes(x0):
    report = check_gradient(_quad, x0)
    assert report.ok, str(report)


@pytest.mark.octave
def test_a_faithful_octave_gradient_at_tiny_parameters_passes():
    with Octave(paths=[FAULTS]) as oc:
        report = check_gradient("pf_quad", np.full(4, 1e-300), octave=oc)
    assert report.ok, str(report)


def test_a_wrong_gradient_is_still_found_next_to_tiny_parameters():
    report = check_gradient(lambda x: (float(0.5 * np.sum(x**2)), 2 * x), np.array([1e-300, 1.0, -5.0]))
    assert not report.ok


def test_sys_exit_inside_the_objective_is_a_finding_not_the_end_of_the_process():
    def objective(x):
        sys.exit(2)

    report = check_gradient(objective, np.ones(3))
    assert not report.ok
    assert any(f.kind == "python-error" and "sys.exit(2)" in f.message for f in report.errors)
