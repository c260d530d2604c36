"""Fixtures shared by several test files."""

import signal
import threading
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

# A test run started in the background of a non-interactive shell ignores Ctrl-C, and the processes the
# Ctrl-C tests start would inherit that and never see the signal they are sent. A user's process has
# Python's own handler: give this one that handler, so the children start with the default disposition.
if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

#: Octave functions that misbehave on purpose (hang, error, exit, write files)
FAULTS = Path(__file__).parent / "octave_fixtures" / "faults"


@pytest.fixture(scope="module")
def faults_octave():
    """One Octave session per test module with the fault fixtures on its path."""
    from portcheck import Octave

    session = Octave(paths=[FAULTS], timeout=20)
    yield session
    session.close()
