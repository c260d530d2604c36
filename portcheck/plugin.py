"""pytest plugin: an ``octave`` fixture, ``--octave-path``, the ``octave`` marker.

Registered through the ``pytest11`` entry point, so installing portcheck is
enough. Thin by design: every check it runs is a public portcheck function.

- ``octave`` (session-scoped fixture): one :class:`portcheck.Octave` per test
  process (so each pytest-xdist worker has its own session).
- ``--octave-path DIR`` (repeatable): folders added to that session's path.
- ``@pytest.mark.octave``: the test needs Octave. Without Octave such tests are
  skipped, except under ``CI=true``, where they fail with the install command.
"""

from __future__ import annotations

import os

import pytest

from .errors import INSTALL_HINT, OctaveNotFoundError
from .octave import Octave, find_octave_executable


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("portcheck")
    group.addoption(
        "--octave-path",
        action="append",
        default=[],
        metavar="DIR",
        help="folder with .m files to put on the Octave path of the `octave` fixture (repeatable)",
    )
    group.addoption(
        "--octave-timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="default timeout for one Octave call made through the `octave` fixture",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "octave: the test runs real GNU Octave (fails under CI=true when it is missing)"
    )


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def _octave_missing_reason() -> str | None:
    try:
        find_octave_executable()
    except OctaveNotFoundError as exc:
        return str(exc)
    return None


def pytest_report_header(config: pytest.Config) -> list[str]:
    try:
        exe = find_octave_executable()
    except OctaveNotFoundError:
        return [f"portcheck: Octave NOT FOUND ({INSTALL_HINT})"]
    paths = config.getoption("--octave-path") or []
    line = f"portcheck: octave {exe}"
    if paths:
        line += f", extra paths {paths}"
    return [line]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # A test that asks for the fixture needs Octave whether or not it was marked.
    for item in items:
        if "octave" in getattr(item, "fixturenames", ()) and not item.get_closest_marker("octave"):
            item.add_marker(pytest.mark.octave)


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("octave") is None:
        return
    reason = _octave_missing_reason()
    if reason is None:
        return
    if _in_ci():
        pytest.fail(f"CI=true and Octave is required: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def octave(pytestconfig: pytest.Config):
    """One Octave session for the whole test process, closed at the end."""
    reason = _octave_missing_reason()
    if reason is not None:
        if _in_ci():
            pytest.fail(f"CI=true and Octave is required: {reason}", pytrace=False)
        pytest.skip(reason)
    session = Octave(
        paths=pytestconfig.getoption("--octave-path") or (),
        timeout=pytestconfig.getoption("--octave-timeout"),
    )
    yield session
    session.close()


__all__ = ["octave"]
