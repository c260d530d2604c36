"""``portcheck doctor``: is everything set up, and how to fix what is not.

Modelled on oct2py's environment self-check, but each line says what to do.
"""

from __future__ import annotations

import importlib.metadata
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import INSTALL_HINT, PortcheckError
from .report import Table, render_table_text

__all__ = ["SetupCheck", "SetupReport", "check_setup"]


@dataclass(frozen=True)
class SetupCheck:
    """One item of the self-check."""

    name: str
    ok: bool
    detail: str
    fix: str = ""
    required: bool = True


@dataclass(frozen=True)
class SetupReport:
    """All items; ``ok`` is False when a required item failed."""

    checks: tuple[SetupCheck, ...]

    @property
    def ok(self) -> bool:
        return all(c.ok or not c.required for c in self.checks)

    def table(self) -> Table:
        rows = tuple(
            (c.name, "ok" if c.ok else ("MISSING" if c.required else "optional: missing"), c.detail, c.fix)
            for c in self.checks
        )
        return Table("portcheck doctor", ("check", "status", "detail", "how to fix"), rows)

    @property
    def verdict(self) -> str:
        """One line: ready, or what to read."""
        return "everything portcheck needs is in place" if self.ok else "portcheck is NOT ready: see 'how to fix'"

    def __rich__(self) -> object:
        # On a terminal the CLI prints this (coloured); without it rich would print the dataclass repr.
        from rich.console import Group
        from rich.text import Text

        from .report import _rich_table

        return Group(_rich_table(self.table()), Text(self.verdict, style="bold green" if self.ok else "bold red"))

    def __str__(self) -> str:
        return render_table_text(self.table()) + self.verdict + "\n"


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def check_setup(paths: Sequence[str | os.PathLike[str]] = (), start_octave: bool = True) -> SetupReport:
    """Check Python packages, the Octave executable, a real round trip, and paths.

    Parameters
    ----------
    paths : sequence of folders
        The user's reference folders to verify (they must exist and hold .m files).
    start_octave : bool
        Start a session and compare ``debugInitializeWeights`` with
        :func:`portcheck.debug_weights` (the real test that the bridge works).
    """
    from .octave import Octave, bundled_refs_dir, find_octave_executable

    checks: list[SetupCheck] = []
    py_ok = sys.version_info >= (3, 10)
    checks.append(SetupCheck("python", py_ok, sys.version.split()[0], "" if py_ok else "use Python 3.10 or newer"))
    for dist, required, why in (
        ("numpy", True, ""),
        ("scipy", True, ""),
        ("oct2py", True, ""),
        ("rich", True, ""),
        ("matplotlib", False, "for plots in HTML reports"),
        ("pytest-xdist", False, "for `pytest -n auto`"),
    ):
        v = _version(dist)
        checks.append(
            SetupCheck(dist, v is not None, v or "not installed", "" if v else f"pip install {dist} {why}".strip(),
                       required)
        )
    try:
        exe = find_octave_executable()
        checks.append(SetupCheck("octave executable", True, exe))
    except PortcheckError:
        exe = None
        checks.append(SetupCheck("octave executable", False, "not found", INSTALL_HINT))
    try:
        refs = bundled_refs_dir()
        n = len(list(refs.rglob("*.m")))
        checks.append(SetupCheck("bundled references", n > 0, f"{refs} ({n} .m files)"))
    except PortcheckError as exc:
        checks.append(SetupCheck("bundled references", False, str(exc), "pip install -e . from the source tree"))
    for p in paths:
        d = Path(p)
        n = len(list(d.glob("*.m"))) if d.is_dir() else 0
        fix = "" if n else ("create the folder or fix --path" if not d.is_dir() else "put your .m files here")
        checks.append(SetupCheck(f"path {p}", n > 0, f"{n} .m files" if d.is_dir() else "not a folder", fix))
    if exe and start_octave:
        try:
            from .inputs import debug_weights

            with Octave(paths=[p for p in paths if Path(p).is_dir()]) as oc:
                version = oc.version
                same = np.array_equal(np.atleast_2d(oc.call("debugInitializeWeights", 3, 4)), debug_weights(3, 4))
            checks.append(
                SetupCheck("octave session", same, f"Octave {version}; round trip "
                           + ("bit-identical" if same else "DIFFERS"),
                           "" if same else "report this: the bridge changed values")
            )
        except PortcheckError as exc:
            checks.append(SetupCheck("octave session", False, str(exc).splitlines()[0], INSTALL_HINT))
    return SetupReport(tuple(checks))
