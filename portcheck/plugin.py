"""pytest plugin: an ``octave`` fixture, ``--octave-path``, the ``octave`` marker, suite files.

Registered through the ``pytest11`` entry point, so installing portcheck is
enough. Thin by design: every check it runs is a public portcheck function.

- ``octave`` (session-scoped fixture): one :class:`portcheck.Octave` per test
  process (so each pytest-xdist worker has its own session). Its path holds
  the folders of ``--octave-path DIR`` (repeatable), of the ini option
  ``portcheck_paths``, and the ``paths`` of the project's suite (found from
  the rootdir) and of every suite file collected, all set before the first
  test runs, so a test sees the same functions whatever order tests run in.
- ``@pytest.mark.octave``: the test needs Octave. Without Octave such tests are
  skipped, except under ``CI=true``, where they fail with the install command.
- Suite files (``portcheck.toml``, ``portcheck_*.toml``, and ``pyproject.toml``
  with ``[tool.portcheck]``) are collected: one test per pair and check. A
  pair with ``expect`` is ``xfail(strict=True)``: it xfails when the planted
  mistake is named, fails when it is not.
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
    parser.addini(
        "portcheck_paths",
        type="paths",
        default=[],
        help="folders with .m files for the `octave` fixture, relative to the ini file (like --octave-path)",
    )
    group.addoption(
        "--octave-timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="default timeout for one Octave call made through the `octave` fixture",
    )
    group.addoption(
        "--portcheck-replay",
        nargs="?",
        const="",
        default=None,
        metavar="DIR",
        help="suite files: answer the references from recordings (default recorded/ beside the suite), "
             "without Octave",
    )
    group.addoption(
        "--portcheck-ports",
        default=None,
        metavar="DIR",
        help="suite files: run every pair against each submission in DIR (one subfolder or .py file each)",
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
    import subprocess

    from .compare import DEFAULT_ATOL, DEFAULT_RTOL

    try:  # `--version` answers in a few ms without starting a session
        first = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=20).stdout
        version = first.splitlines()[0].rsplit(" ", 1)[-1] if first else "?"
    except (OSError, subprocess.SubprocessError):
        version = "?"
    paths = config.getoption("--octave-path") or []
    line = f"portcheck: GNU Octave {version} at {exe}; compare rtol={DEFAULT_RTOL:g} atol={DEFAULT_ATOL:g}"
    if paths:
        line += f"; extra paths {paths}"
    return [line]


def pytest_sessionstart(session: pytest.Session) -> None:
    session.config.stash[_SUITE_PATHS] = _project_suite_paths(session.config)


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


_SESSION: dict[str, Octave] = {}

#: Config stash key: Octave folders of every suite this process collected (plus the project's own).
_SUITE_PATHS = pytest.StashKey[list]()


def _project_suite_paths(config: pytest.Config) -> list[str]:
    """``paths`` of the suite that applies to the rootdir (portcheck.toml or [tool.portcheck])."""
    from .errors import PortcheckError
    from .suite import find_suite, suite_paths

    found = find_suite(config.rootpath)
    # Only the project's own suite: one in a folder above the rootdir belongs to something else.
    if found is None or found.parent != config.rootpath.resolve():
        return []
    try:
        return list(suite_paths(found))
    except PortcheckError:  # a broken suite file is reported when it is collected, not here
        return []


def _fixture_paths(config: pytest.Config) -> list[str]:
    """Every folder the process's session gets: options, ini, and the suites' ``paths``.

    Known before the first test runs (collection comes first), so a
    hand-written test using the fixture sees the same functions whatever ran
    before it.
    """
    paths = [str(p) for p in config.getoption("--octave-path") or ()]
    paths += [str(p) for p in config.getini("portcheck_paths") or ()]
    paths += config.stash.setdefault(_SUITE_PATHS, [])
    return [p for p in dict.fromkeys(paths) if p]


def _shared_octave(config: pytest.Config, extra_paths: tuple[str, ...] = ()) -> Octave:
    """The one session of this test process (the fixture and suite items share it)."""
    __tracebackhide__ = True
    reason = _octave_missing_reason()
    if reason is not None:
        if _in_ci():
            pytest.fail(f"CI=true and Octave is required: {reason}", pytrace=False)
        pytest.skip(reason)
    session = _SESSION.get("octave")
    if session is None or session.closed:
        session = Octave(paths=_fixture_paths(config), timeout=config.getoption("--octave-timeout"))
        _SESSION["octave"] = session
    if extra_paths:
        session.add_paths(extra_paths)
    return session


def pytest_sessionfinish(session: pytest.Session) -> None:
    oc = _SESSION.pop("octave", None)
    if oc is not None:
        oc.close()


@pytest.fixture(scope="session")
def octave(pytestconfig: pytest.Config) -> Octave:
    """One Octave session for the whole test process, closed at the end."""
    return _shared_octave(pytestconfig)


# -- suite files ------------------------------------------------------------------


def pytest_collect_file(file_path, parent):  # type: ignore[no-untyped-def]
    name = file_path.name
    if name == "portcheck.toml" or (name.startswith("portcheck_") and name.endswith(".toml")):
        return SuiteFile.from_parent(parent, path=file_path)
    if name == "pyproject.toml":
        from .suite import _has_tool_table

        if _has_tool_table(file_path):
            return SuiteFile.from_parent(parent, path=file_path)
    return None


class PortcheckFailure(AssertionError):
    """A check whose report has error findings; its text is the report."""

    def __init__(self, report: object, preface: str = "") -> None:
        super().__init__(preface + str(report))
        self.report = report
        self.preface = preface


class ExpectedMistakeFound(PortcheckFailure):
    """A pair's planted mistake (``expect``) was named: the xfail the suite asked for."""


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):  # type: ignore[no-untyped-def]
    outcome = yield
    rep = outcome.get_result()
    # `-rx` then says which finding named the planted mistake, not only that one was expected.
    if isinstance(item, SuiteItem) and getattr(rep, "wasxfail", None) is not None and call.excinfo is not None:
        exc = call.excinfo.value
        if isinstance(exc, ExpectedMistakeFound):
            named = [str(f) for f in exc.report.findings if f.kind in item.pair.expect and f.severity != "info"]
            if named:
                rep.wasxfail = f"{rep.wasxfail}; named: {named[0]}"


class SuiteFile(pytest.File):
    """A suite file: one test per pair and check."""

    def collect(self):  # type: ignore[no-untyped-def]
        from .errors import PortcheckError
        from .suite import iter_items, load_suite

        try:
            suite = load_suite(self.path)
        except PortcheckError as exc:
            # The message names the file, pair and key to fix; portcheck's own traceback would hide it.
            raise self.CollectError(str(exc)) from None
        known = self.config.stash.setdefault(_SUITE_PATHS, [])
        known += [p for p in suite.paths if p not in known]
        replay = self.config.getoption("--portcheck-replay", None)
        recordings = None
        if replay is not None:
            from .recording import load_recordings

            try:
                recordings = load_recordings(suite, replay or None)
            except PortcheckError as exc:  # stale or missing: stop, as `portcheck run --replay` does
                raise self.CollectError(str(exc)) from None
        ports = self.config.getoption("--portcheck-ports", None)
        if ports:
            yield from self._class_items(suite, ports, recordings)
            return
        for pair, check in iter_items(suite):
            yield SuiteItem.from_parent(self, name=f"{pair.name}[{check}]", pair=pair, check=check, suite=suite,
                                        recording=_recording_for(recordings, pair))

    def _class_items(self, suite, ports, recordings):  # type: ignore[no-untyped-def]
        """One item per submission, pair and check (``--portcheck-ports``)."""
        from .classrun import find_submissions, submission_pairs
        from .errors import PortcheckError
        from .suite import iter_items, replace_pairs

        try:
            subs = find_submissions(ports)
        except PortcheckError as exc:
            raise self.CollectError(str(exc)) from None
        for sub in subs:
            pairs, missing = submission_pairs(suite, sub)
            for name in missing:
                yield MissingPortItem.from_parent(self, name=f"{sub.name}::{name}", missing=name)
            for pair, check in iter_items(replace_pairs(suite, pairs)) if pairs else ():
                yield SuiteItem.from_parent(self, name=f"{sub.name}::{pair.name}[{check}]", pair=pair, check=check,
                                            suite=suite, recording=_recording_for(recordings, pair))


def _recording_for(recordings, pair):  # type: ignore[no-untyped-def]
    return None if recordings is None else recordings.get(pair.name)


class MissingPortItem(pytest.Item):
    """A submission that lacks a function the suite checks (``--portcheck-ports``)."""

    def __init__(self, *, missing, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(**kwargs)
        self.missing = missing

    def runtest(self) -> None:
        raise AssertionError(f"the submission has no {self.missing}")


class SuiteItem(pytest.Item):
    """One check of one pair, run exactly as ``portcheck run`` runs it."""

    def __init__(self, *, pair, check, suite, recording=None, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(**kwargs)
        self.pair, self.check, self.suite, self.recording = pair, check, suite, recording
        if check != "gradient" and recording is None:
            self.add_marker(pytest.mark.octave)
        if pair.expect:
            # A planted mistake is an expected failure; strict, so a port that stops
            # showing it (fixed, or the diagnosis lost it) fails the run.
            self.add_marker(pytest.mark.xfail(
                strict=True, raises=ExpectedMistakeFound,
                reason=f"planted mistake: {', '.join(pair.expect)}"))

    def runtest(self) -> None:
        from .suite import naming_findings, run_check

        if self.recording is not None:  # --portcheck-replay: pure Python, no Octave
            from .recording import ReplaySession, _suite_dir, replay_check

            session = ReplaySession(self.recording, suite_dir=_suite_dir(self.suite))
            report = replay_check(self.pair, self.check, session, self.suite)
        else:
            oc = _shared_octave(self.config, tuple(self.suite.paths)) if self.check != "gradient" else None
            report = run_check(self.pair, self.check, oc, self.suite)
        self.user_properties.append(("portcheck_kinds", ",".join(sorted(report.kinds))))
        if self.pair.expect:
            if naming_findings(self.pair, report):
                raise ExpectedMistakeFound(report)
            if not report.ok:
                raise PortcheckFailure(report, f"expected a finding of kind {list(self.pair.expect)}; "
                                               f"found {sorted(report.kinds)} instead:\n")
            return  # clean: strict xfail turns this pass into a failure ("XPASS(strict)")
        if not report.ok:
            raise PortcheckFailure(report)

    def repr_failure(self, excinfo, style=None):  # type: ignore[no-untyped-def]
        if isinstance(excinfo.value, PortcheckFailure):
            return excinfo.value.preface + str(excinfo.value.report)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):  # type: ignore[no-untyped-def]
        return self.path, None, f"portcheck {self.check}: {self.pair.name}"


__all__ = ["octave"]
