"""The reference's side of a trace: run an instrumented copy once, collect every assignment.

:func:`trace_octave` parses the reference's ``.m`` file and the user's helper
``.m`` files it reaches (:mod:`portcheck.trace._matlab`), writes instrumented
copies into a fresh temporary folder, and calls the function once through
:meth:`portcheck.Octave.call_shadowed`, which puts that folder first on the
Octave path for that call only and returns the collector's contents
(``matlab_refs/portcheck/portcheck_trace_record.m``) with the outputs. The
user's files are only read; the folder is deleted before returning.

A file that cannot be parsed runs as it is (its steps are missing, a note
says why); a helper whose name is defined in several of the session's folders
is not shadowed (the copy might not be the file Octave would run).
"""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import OctaveRuntimeError, OctaveSyntaxError
from ..octave import bundled_refs_dir
from ._matlab import RECORDER, MatlabParseError, ParsedFile, instrument, parse_m
from ._steps import Fingerprint, Step, Trace

if TYPE_CHECKING:
    from ..octave import Octave

__all__ = ["trace_octave"]

#: How many files a trace follows at most (the reference and its helpers).
MAX_FILES = 64

# Parsed files by content: a suite traces the same references many times.
_PARSED: OrderedDict[str, ParsedFile | MatlabParseError] = OrderedDict()
_PARSED_MAX = 256


def _parse_cached(text: str, path: str) -> ParsedFile:
    key = hashlib.sha1(f"{path}\0{text}".encode()).hexdigest()
    hit = _PARSED.get(key)
    if hit is None:
        try:
            hit = parse_m(text, path)
        except MatlabParseError as exc:
            hit = exc
        _PARSED[key] = hit
        if len(_PARSED) > _PARSED_MAX:
            _PARSED.popitem(last=False)
    else:
        _PARSED.move_to_end(key)
    if isinstance(hit, MatlabParseError):
        raise hit
    return hit


def _read(path: Path) -> str:
    # Octave reads .m files as UTF-8 by default; undecodable bytes must not
    # stop a compare, and the copy is only written if it parses.
    return path.read_bytes().decode("utf-8", errors="surrogateescape")


def _main_file(oc: Octave, function: str) -> tuple[str, str, Path | None]:
    """``(bare, base, file)``: the name, the folder it was qualified with, its ``.m``."""
    bare, base = oc.resolve(function)
    if base:
        f = Path(base) / f"{bare}.m"
        return bare, base, f if f.is_file() else None
    files = oc.function_files(bare)
    # resolve() already refused an ambiguous bundled name; otherwise the
    # session's search order puts the user's folders first.
    return bare, base, files[0] if files else None


def _helper_file(oc: Octave, name: str, base: str) -> Path | None:
    """The file Octave runs for a helper ``name``, when portcheck can be sure of it."""
    if base:
        f = Path(base) / f"{name}.m"
        if f.is_file():
            return f  # the qualified folder is searched first for this call
    files = {f.resolve() for f in oc.function_files(name)}
    if len(files) == 1:
        return files.pop()
    return None


def _is_portcheck_internal(path: Path) -> bool:
    try:
        return path.resolve().parent == (bundled_refs_dir() / "portcheck").resolve()
    except Exception:  # noqa: BLE001 - no bundled folder: nothing is internal
        return False


def _step_value(v: Any) -> Any:
    if isinstance(v, dict) and v.get("fingerprint"):
        shape = tuple(int(s) for s in np.asarray(v["shape"], dtype=float).ravel())
        return Fingerprint(
            shape=shape,
            total=float(v["total"]),
            total_abs=float(v["total_abs"]),
            total_sq=float(v["total_sq"]),
            minimum=float(v["minimum"]),
            maximum=float(v["maximum"]),
        )
    return v


def _as_list(v: Any, n: int) -> list:
    if isinstance(v, list):
        return v + [None] * (n - len(v))
    if n == 1:
        return [v]
    return [None] * n


def _vector(v: Any) -> np.ndarray:
    return np.atleast_1d(np.asarray(v, dtype=float)).ravel()


def trace_octave(
    oc: Octave,
    function: str,
    args: Sequence[Any],
    nout: int,
    timeout: float | None = None,
) -> Trace:
    """Run the reference once with every assignment recorded.

    Parameters
    ----------
    oc : portcheck.Octave
        The session (its folders decide which ``.m`` files are the user's).
    function : str
        The reference, as for :meth:`portcheck.Octave.call` (``"nnCostFunction"``
        or folder-qualified ``"ex4/nnCostFunction"``).
    args : sequence
        Its arguments (converted as for :meth:`~portcheck.Octave.call`; never modified).
    nout : int
        How many outputs to request.
    timeout : float, optional
        Seconds for the call; default the session's.

    Returns
    -------
    Trace
        ``side="octave"``; ``outputs`` is a tuple of the ``nout`` outputs, each
        exactly as :meth:`~portcheck.Octave.call` converts it; ``steps`` one per
        (file, line, name) in order of first execution, ``file`` being the
        user's original path; ``sources`` the lines of every file read;
        ``notes`` what could not be traced and why.

    Raises
    ------
    OctaveRuntimeError
        When the reference raises: as :meth:`~portcheck.Octave.call` would, with
        files and lines those of the user's originals.
    OctaveFunctionNotFoundError, OctaveSyntaxError, OctaveTimeoutError, OctaveSessionError
        As :meth:`~portcheck.Octave.call`.

    Notes
    -----
    Lines inside loops (and helpers called repeatedly) keep the first and
    last pass whole, the sum of all passes while their shapes agree, and the
    count. Values with more than :data:`~portcheck.trace.FULL_VALUE_LIMIT`
    elements come back as :class:`~portcheck.trace.Fingerprint`; non-numeric
    values (structs, cells, strings) as None.
    """
    bare, base, main = _main_file(oc, function)
    notes: list[str] = []
    sources: dict[str, list[str]] = {}
    plan: list[tuple[Path, str, ParsedFile]] = []  # (original, text, parsed)
    user_functions: set[str] = {bare}

    if main is None:
        notes.append(f"{bare} is not a .m file in the session's folders; it ran without a trace.")
    else:
        queue: list[Path] = [main]
        seen: set[Path] = set()
        while queue:
            path = queue.pop(0)
            real = path.resolve()
            if real in seen:
                continue
            seen.add(real)
            if len(seen) > MAX_FILES:
                notes.append(f"the trace follows at most {MAX_FILES} files; {real} and further helpers ran untraced.")
                break
            try:
                text = _read(real)
            except OSError as exc:
                notes.append(f"{real} could not be read ({exc.strerror}); it ran untraced.")
                continue
            sources[str(real)] = text.splitlines()
            if (real.parent / "private").is_dir():
                notes.append(f"{real} ran untraced: a copy elsewhere would lose its private/ functions.")
                continue
            try:
                parsed = _parse_cached(text, str(real))
            except MatlabParseError as exc:
                notes.append(f"{real} ran untraced: {exc}.")
                continue
            plan.append((real, text, parsed))
            user_functions.update(parsed.functions)
            assigned = {site.name for site in parsed.sites}
            for name in sorted(parsed.identifiers - set(parsed.functions) - assigned - {bare}):
                helper = _helper_file(oc, name, base)
                if helper is not None:
                    user_functions.add(name)
                if helper is None:
                    if len({f.resolve() for f in oc.function_files(name)}) > 1:
                        user_functions.add(name)
                        # Octave's choice depends on the path's current order;
                        # a copy of the wrong one would change the results.
                        notes.append(f"helper {name} is defined in several folders; it ran untraced.")
                    continue
                if helper.resolve() not in seen and not _is_portcheck_internal(helper):
                    queue.append(helper)

    # Number the sites across files: K in the inserted calls.
    sites: list[tuple[Path, Any]] = []
    tmp = Path(tempfile.mkdtemp(prefix="portcheck_trace_"))
    try:
        for real, text, parsed in plan:
            recorded = parsed.sites + parsed.parameters + _evaluable(parsed.terms, user_functions)
            ids = range(len(sites) + 1, len(sites) + 1 + len(recorded))
            sites.extend((real, s) for s in recorded)
            copy = instrument(text, recorded, ids)
            (tmp / real.name).write_bytes(copy.encode("utf-8", errors="surrogateescape"))
        shutil.copyfile(bundled_refs_dir() / "portcheck" / f"{RECORDER}.m", tmp / f"{RECORDER}.m")
        try:
            outputs, collected = oc.call_shadowed(tmp, function, *args, nout=nout, collect=RECORDER,
                                                  timeout=timeout)
        except (OctaveRuntimeError, OctaveSyntaxError) as exc:
            failed = str(exc).replace(str(tmp), "<instrumented copy>")
        else:
            failed = None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    if failed is not None:
        # Did the user's code fail, or our copy of it (a reference that reads
        # files next to itself via mfilename, say)? Only an error the original
        # raises too is the user's, and then it is raised exactly as an
        # untraced call raises it (the original's files and lines). A second
        # call, on errors only.
        try:
            out = oc.call(function, *args, nout=nout, timeout=timeout)
        except (OctaveRuntimeError, OctaveSyntaxError) as plain:
            raise plain from None
        notes.append(f"the instrumented copy failed in Octave where the original runs ({failed}); "
                     f"{bare} ran untraced.")
        return Trace(side="octave", steps=[], sources=sources, outputs=_tuple(out, nout), notes=notes)

    steps = _steps(collected, sites, bare, main)
    # Scalar parameters (lambda, a count) pair with any equal number; the
    # port's side leaves them out too.
    steps = [s for s in steps if s.role not in ("input", "argument") or _size(s.value) > 1]
    steps = _fold_terms(steps)
    for rank, s in enumerate(steps):
        s.order = rank
    _at_call_sites(steps, sources)
    if any(isinstance(s.value, Fingerprint) for s in steps):
        notes.append("values with more than FULL_VALUE_LIMIT elements were recorded as fingerprints "
                     "(shape and moments).")
    return Trace(side="octave", steps=steps, sources=sources, outputs=_tuple(outputs, nout), notes=notes)


def _fold_terms(steps: list[Step]) -> list[Step]:
    """Each term's value onto the step of the statement it is a term of (``Step.terms``); no steps of their own."""
    by_site = {(s.file, s.line, s.name): s for s in steps if s.role != "term"}
    for s in steps:
        owner = by_site.get((s.file, s.line, s.name)) if s.role == "term" else None
        if owner is not None and owner.passes == 1 and s.value is not None and _size(s.value) == 1:
            owner.terms += (float(np.real(np.asarray(s.value)).reshape(-1)[0]),)
    return [s for s in steps if s.role != "term"]


def _evaluable(sites: list[Any], user_functions: set[str]) -> list[Any]:
    """The sites, without the terms of a statement one of whose terms calls the user's own code.

    A term is evaluated a second time after its statement; the user's
    functions may keep state or be traced themselves, so their calls are not
    repeated (the whole statement's terms go, a partial set would mislead).
    """
    skip = {(s.line, s.name, s.function) for s in sites if s.expression and s.mentions & user_functions}
    return [s for s in sites if not (s.expression and (s.line, s.name, s.function) in skip)]


def _tuple(out: Any, nout: int) -> tuple[Any, ...]:
    if nout == 0:
        return ()
    if nout == 1:
        return (out,)
    return tuple(out)


def _steps(collected: Any, sites: list[tuple[Path, Any]], bare: str = "", main: Path | None = None) -> list[Step]:
    n = len(sites)
    if not isinstance(collected, dict) or n == 0:
        return []
    order = _vector(collected.get("order", []))
    count = _vector(collected.get("count", []))
    numeric = _vector(collected.get("numeric", []))
    last = _as_list(collected.get("last"), len(order))
    first = _as_list(collected.get("first"), len(order))
    total = _as_list(collected.get("total"), len(order))
    ran = [k for k in range(min(n, len(order))) if order[k] > 0]
    ran.sort(key=lambda k: order[k])
    steps = []
    for rank, k in enumerate(ran):
        real, site = sites[k]
        is_num = k < len(numeric) and numeric[k] > 0
        passes = int(count[k]) if k < len(count) else 1
        steps.append(Step(
            side="octave",
            file=str(real),
            line=site.line,
            order=rank,
            name=site.name,
            function=site.function,
            value=_step_value(last[k]) if is_num else None,
            passes=passes,
            first=_step_value(first[k]) if is_num and passes > 1 else None,
            total=_step_value(total[k]) if is_num and passes > 1 and _has(total[k]) else None,
            role=_role(site, real, bare, main),
        ))
    return steps


def _size(value: Any) -> int:
    if isinstance(value, Fingerprint):
        return int(np.prod(value.shape))
    return int(np.size(value)) if value is not None else 0


def _role(site: Any, real: Path, bare: str, main: Path | None) -> str:
    if site.expression:
        return "term"
    if not site.position:
        return ""
    entry = main is not None and site.function == bare and real == main.resolve()
    return "input" if entry else "argument"


def _at_call_sites(steps: list[Step], sources: dict[str, list[str]]) -> None:
    """Place a helper's parameters at the line that calls the helper, when one line does.

    The port's tracer knows each call's line; here the recording runs inside
    the helper, so its caller is found in the traced sources instead: a
    helper called from exactly one statement has its arguments placed
    there (``d2 = (d3 * W2) .* sigmoidGradient(z2)``), where a wrong
    argument would be written. Otherwise they stay at the helper's header.
    """
    helpers = {s.function for s in steps if s.role == "argument"}
    if not helpers:
        return
    where: dict[str, set[tuple[str, int]]] = {h: set() for h in helpers}
    pattern = re.compile(r"\b(" + "|".join(re.escape(h) for h in sorted(helpers)) + r")\s*\(")
    for path, lines in sources.items():
        for n, text in enumerate(lines, start=1):
            code = _CODE.sub("", text)
            if code.lstrip().startswith("function"):
                continue
            for m in pattern.finditer(code):
                where[m.group(1)].add((path, _statement_start(lines, n)))
    for s in steps:
        if s.role == "argument" and len(where.get(s.function, ())) == 1:
            s.file, s.line = next(iter(where[s.function]))


#: A line's comment and string literals, left out when looking for calls.
_CODE = re.compile(r"[%#].*$|\"[^\"]*\"|(?<![\w\)\]\}\.'])'[^']*'")


def _statement_start(lines: list[str], n: int) -> int:
    """The first line of the statement that line ``n`` belongs to (``...`` continuations)."""
    while n > 1 and _CODE.sub("", lines[n - 2]).rstrip().endswith("..."):
        n -= 1
    return n


def _has(v: Any) -> bool:
    return v is not None and not (isinstance(v, np.ndarray) and v.size == 0)
