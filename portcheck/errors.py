"""Errors raised by portcheck.

Every error portcheck raises derives from :class:`PortcheckError`, and every
message says what to do next. oct2py reports everything as one
``Oct2PyError``; the bridge splits that into the cases a user can act on::

    PortcheckError
    ├── OctaveError                  something on the Octave side
    │   ├── OctaveNotFoundError      no Octave executable (install it)
    │   ├── OctaveFunctionNotFoundError
    │   │                            name not on the Octave path (lists the folders)
    │   ├── AmbiguousFunctionError   name defined in several bundled folders
    │   ├── OctaveSyntaxError        a .m file does not parse (file, line)
    │   ├── OctaveRuntimeError       the function raised (message, function, file, line)
    │   │   └── NotRecordedError     replay: the recording holds no result for this call
    │   ├── OctaveTimeoutError       the call ran past its timeout (session still usable)
    │   └── OctaveSessionError       the session died or is closed
    ├── InputError                   arguments portcheck cannot work with (shapes, NaN, types)
    │   ├── LayoutError              a layout that does not fit the vector it describes
    │   ├── ConversionError          a value that cannot cross the bridge faithfully (names it)
    │   └── SuiteError               a suite file that is not valid (file, key, what is expected)
    ├── StaleRecordingError          a recording no longer matches its reference or inputs
    └── PortError                    the Python port could not be loaded or called
        └── PortTimeoutError         the port ran past its timeout and was stopped
"""

from __future__ import annotations

__all__ = [
    "PortcheckError",
    "OctaveError",
    "OctaveNotFoundError",
    "OctaveFunctionNotFoundError",
    "AmbiguousFunctionError",
    "OctaveSyntaxError",
    "OctaveRuntimeError",
    "OctaveTimeoutError",
    "OctaveSessionError",
    "InputError",
    "LayoutError",
    "ConversionError",
    "SuiteError",
    "PortError",
    "NotRecordedError",
    "StaleRecordingError",
    "PortTimeoutError",
    "PrecisionWarning",
    "SessionRestartedWarning",
]

INSTALL_HINT = (
    "install GNU Octave: `apt-get update && apt-get install -y octave` on Debian/Ubuntu, "
    "`brew install octave` on macOS; or point OCTAVE_EXECUTABLE at octave-cli"
)


class PortcheckError(Exception):
    """Root of every error portcheck raises on purpose."""


class OctaveError(PortcheckError):
    """Something went wrong on the Octave side of a comparison."""


class OctaveNotFoundError(OctaveError):
    """No usable Octave executable was found."""

    def __init__(self, detail: str = "") -> None:
        msg = "GNU Octave was not found"
        if detail:
            msg += f" ({detail})"
        super().__init__(f"{msg}: {INSTALL_HINT}.")


class OctaveFunctionNotFoundError(OctaveError):
    """The requested function is not on the Octave path."""

    def __init__(self, name: str, searched: list[str]) -> None:
        self.name = name
        self.searched = list(searched)
        folders = "\n  ".join(self.searched) if self.searched else "(no folders added)"
        super().__init__(
            f"Octave function {name!r} was not found. portcheck added these folders to the "
            f"Octave path:\n  {folders}\nPut {name}.m in one of them, or pass its folder: "
            f"portcheck.Octave(paths=[...]) / pytest --octave-path DIR."
        )


class AmbiguousFunctionError(OctaveError):
    """A bare name is defined in more than one bundled folder."""

    def __init__(self, name: str, candidates: list[str]) -> None:
        self.name = name
        self.candidates = list(candidates)
        options = ", ".join(repr(c) for c in self.candidates)
        super().__init__(
            f"{name!r} is defined in several bundled folders; say which one: {options}."
        )


class OctaveSyntaxError(OctaveError):
    """A .m file could not be parsed."""

    def __init__(self, file: str | None, line: int | None, detail: str) -> None:
        self.file = file
        self.line = line
        where = f"{file}, line {line}" if file else "an Octave file"
        super().__init__(f"Octave could not parse {where}:\n{detail}\nFix the syntax and call again.")


class OctaveRuntimeError(OctaveError):
    """The Octave function raised an error while running."""

    def __init__(
        self,
        message: str,
        function: str,
        file: str | None = None,
        line: int | None = None,
        octave_text: str = "",
    ) -> None:
        self.octave_message = message
        self.function = function
        self.file = file
        self.line = line
        self.octave_text = octave_text
        where = ""
        if file or line:
            where = f" ({file or function}" + (f", line {line}" if line else "") + ")"
        super().__init__(f"Octave error in {function}{where}: {message}")


class OctaveTimeoutError(OctaveError):
    """A call ran longer than its timeout and was interrupted."""

    def __init__(self, function: str, timeout: float, restarted: bool) -> None:
        self.function = function
        self.timeout = timeout
        self.restarted = restarted
        after = (
            "Octave did not answer the interrupt, so portcheck restarted the session "
            "(paths restored, workspace variables lost)."
            if restarted
            else "The call was interrupted; the session is still usable."
        )
        super().__init__(
            f"{function} ran for more than {timeout:g} s and was stopped. {after} "
            f"If it is just slow, pass a larger timeout=."
        )


class OctaveSessionError(OctaveError):
    """The Octave session is closed or died and could not be restarted."""


class InputError(PortcheckError, ValueError):
    """Arguments portcheck cannot work with."""


class LayoutError(InputError):
    """A layout that does not fit the vector it is applied to."""


class ConversionError(InputError):
    """A value that cannot cross the bridge without changing; the message names it and says what to do."""


class SuiteError(InputError):
    """A suite file (``portcheck.toml`` / ``[tool.portcheck]``) that is not valid."""


class PortError(PortcheckError):
    """The Python port could not be imported or is not callable."""


class NotRecordedError(OctaveRuntimeError):
    """Replay was asked for a reference call the recording does not hold.

    A subclass of :class:`OctaveRuntimeError` on purpose: every check already
    treats a reference that cannot answer one of its re-runs as "that
    hypothesis cannot be tested", which is exactly the situation in a replay.
    The replay session keeps a list of these misses, and replay turns them
    into notes saying which check was limited.
    """

    def __init__(self, function: str, call: str, source: str = "the recording") -> None:
        self.call = call
        super().__init__(
            f"{source} holds no result for {call}; record it with Octave (`portcheck record SUITE`), "
            f"or run live",
            function,
        )


class StaleRecordingError(PortcheckError):
    """A recording no longer matches its reference's source or the suite's inputs.

    The message names the pair and the changed file or argument, and says how
    to record again.
    """


class PortTimeoutError(PortError):
    """The Python port ran longer than its timeout and was stopped."""

    def __init__(self, port: str, timeout: float) -> None:
        self.port = port
        self.timeout = timeout
        super().__init__(
            f"{port} ran for more than {timeout:g} s and was stopped (it sleeps, waits or loops forever). "
            f"If it is just slow, pass a larger timeout=."
        )


class PrecisionWarning(UserWarning):
    """Single-precision data limits how many digits a comparison can trust."""


class SessionRestartedWarning(UserWarning):
    """The Octave process died and portcheck started a new one."""
