"""Fixtures shared by several test files."""

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

#: Octave functions that misbehave on purpose (hang, error, exit, write files)
FAULTS = Path(__file__).parent / "octave_fixtures" / "faults"


@pytest.fixture(scope="module")
def faults_octave():
    """One Octave session per test module with the fault fixtures on its path."""
    from portcheck import Octave

    session = Octave(paths=[FAULTS], timeout=20)
    yield session
    session.close()
