"""Validation of a suite table (``portcheck.toml`` / ``[tool.portcheck]``) before anything runs.

Every key at every level is checked: unknown keys (a typo such as
``timout = 2`` would otherwise drop the timeout silently), types (a string
where a list is expected would be iterated letter by letter) and ranges
(``rtol < 0``, ``nout = 0``). A problem is a :class:`~portcheck.errors.SuiteError`
naming the file, the key and what is expected, so ``portcheck run`` exits 2
instead of blaming the port with a finding.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from .errors import SuiteError

__all__ = ["validate_suite_table"]

CHECKS = ("compare", "gradient", "minimize")
CATALOGS = ("faithful", "gallery")


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list):
        return f"a list ({value!r})" if len(repr(value)) < 60 else "a list"
    return f"{value!r}"


class _Where:
    """The file and the dotted key path an error is about."""

    def __init__(self, file: Path, key: str = "") -> None:
        self.file, self.key = file, key

    def __truediv__(self, key: str | int) -> _Where:
        sub = f"[{key}]" if isinstance(key, int) else (f".{key}" if self.key else key)
        return _Where(self.file, self.key + sub)

    def fail(self, expected: str, got: Any = ..., hint: str = "") -> SuiteError:
        got_text = "" if got is ... else f", got {_type_name(got)}"
        return SuiteError(f"{self.file}: {self.key}: expected {expected}{got_text}.{' ' + hint if hint else ''}")


# -- value checks: each returns nothing and raises SuiteError --------------------------


def _string(value: Any, at: _Where) -> None:
    if not isinstance(value, str) or not value.strip():
        raise at.fail("a non-empty string", value)


def _number(value: Any, at: _Where, positive: bool = False) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise at.fail("a positive number" if positive else "a number ≥ 0", value)
    if (positive and value <= 0) or value < 0:
        raise at.fail("a positive number" if positive else "a number ≥ 0", value)


def _positive(value: Any, at: _Where) -> None:
    _number(value, at, positive=True)


def _integer(value: Any, at: _Where, least: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise at.fail(f"a whole number ≥ {least}", value)


def _list_of(item: Callable[[Any, _Where], None], what: str, example: str) -> Callable[[Any, _Where], None]:
    def check(value: Any, at: _Where) -> None:
        if not isinstance(value, list):
            raise at.fail(f"a list of {what}", value, f"Write it as {example}.")
        for i, v in enumerate(value):
            item(v, at / i)
    return check


def _one_of(choices: tuple[str, ...]) -> Callable[[Any, _Where], None]:
    def check(value: Any, at: _Where) -> None:
        if value not in choices:
            raise at.fail("one of " + ", ".join(repr(c) for c in choices), value)
    return check


def _kind(value: Any, at: _Where) -> None:
    from .report import KINDS

    if value not in KINDS:
        raise at.fail("a finding kind", value, f"Known kinds: {', '.join(sorted(KINDS))}.")


def _table(keys: Mapping[str, Callable[[Any, _Where], None]], name: str,
           unknown: str = "keys") -> Callable[[Any, _Where], None]:
    def check(value: Any, at: _Where) -> None:
        if not isinstance(value, Mapping):
            raise at.fail(f"a table ({name})", value)
        _known_keys(value, keys, at, unknown)
        for k, v in value.items():
            keys[k](v, at / k)
    return check


def _known_keys(value: Mapping[str, Any], keys: Mapping[str, Any], at: _Where, label: str = "keys") -> None:
    unknown = sorted(set(value) - set(keys))
    if unknown:
        where = at.key or "the suite table"
        close = {u: _closest(u, keys) for u in unknown}
        hints = ", ".join(f"{u!r} (did you mean {c!r}?)" if c else repr(u) for u, c in close.items())
        raise SuiteError(f"{at.file}: {where}: unknown {label} {hints}; known {label}: {', '.join(sorted(keys))}.")


def _closest(word: str, keys: Mapping[str, Any]) -> str | None:
    import difflib

    found = difflib.get_close_matches(word, list(keys), n=1, cutoff=0.75)
    return found[0] if found else None


def _anything(value: Any, at: _Where) -> None:
    return None


def _boolean(value: Any, at: _Where) -> None:
    if not isinstance(value, bool):
        raise at.fail("true or false", value)


def _text(value: Any, at: _Where) -> None:
    if not isinstance(value, str):
        raise at.fail("a string", value)


def _mapping(value: Any, at: _Where) -> None:
    if not isinstance(value, Mapping):
        raise at.fail("a table of optimizer options", value)


# -- the suite's structure ---------------------------------------------------------------


def _layout(value: Any, at: _Where) -> None:
    if not isinstance(value, (list, Mapping)):
        raise at.fail('a list of [name, [rows, cols]] entries or a table name = [rows, cols]', value,
                      'Write it as layout = [["Theta1", [25, 401]], ["Theta2", [10, 26]]].')


def _inputs(value: Any, at: _Where) -> None:
    if isinstance(value, str):
        _string(value, at)
        return
    if not isinstance(value, Mapping):
        raise at.fail("'module:function' of an argument factory, or a table with case, debug or mat", value)
    if "case" in value:
        _table({"case": _string}, "case = \"ex4.nnCostFunction\"")(value, at)
    elif "mat" in value:
        mat = value["mat"]
        (_string if isinstance(mat, str) else _list_of(_string, "file names", 'mat = ["data.mat"]'))(mat, at / "mat")
        _table({"mat": _anything, "args": _list_of(_anything, "arguments", 'args = ["$X", "$y", 1.0]')},
               'mat = [...], args = [...]')(value, at)
        if "args" not in value:
            raise (at / "args").fail('the list of arguments naming .mat variables as "$X"')
    elif "debug" in value:
        _string(value["debug"], at / "debug")  # the recipe's own options are checked against its signature
    else:
        raise at.fail("an inputs table with one of case, debug, mat", value)


def _checks(value: Any, at: _Where) -> None:
    if isinstance(value, str):  # checks = "gradient" means the one check
        _one_of(CHECKS)(value, at)
        return
    if not isinstance(value, list):
        raise at.fail("a list of checks", value, 'Write it as checks = ["compare", "gradient"].')
    bad = [c for c in value if c not in CHECKS]
    if bad:
        raise SuiteError(f"{at.file}: {at.key}: unknown checks {bad!r}; choose from {list(CHECKS)}.")
    if not value:
        raise at.fail("at least one check (" + ", ".join(CHECKS) + ")", value,
                      "A pair that runs no check would pass with 0 checks; remove the pair or list its checks.")


def _penalty(value: Any, at: _Where) -> None:
    if isinstance(value, str):
        _string(value, at)
    else:
        _integer(value, at, 0)


_MINIMIZE = {
    "method": _string,
    "maxiter": lambda v, at: _integer(v, at, 1),
    "octave_optimizer": _string,
    "gtol": _positive,
    "options": _mapping,
    "cost_rtol": _number,
    "timeout": _positive,
}

_PAIR = {
    "name": _string,
    "octave": _string,
    "python": _string,
    "checks": _checks,
    "layout": _layout,
    "nout": lambda v, at: _integer(v, at, 1),
    "inputs": _inputs,
    "python_inputs": _inputs,
    "expect": _list_of(_kind, "finding kinds", 'expect = ["scale"]'),
    "minimize": _table(_MINIMIZE, "optimizer options", "[minimize] options"),
    "wrt": lambda v, at: _integer(v, at, 0),
    "objective": _string,
    "description": _text,
    "outputs": _list_of(_string, "output names", 'outputs = ["J", "grad"]'),
    "rtol": _number,
    "atol": _number,
    "penalty": _penalty,
    "grad": _string,
    "trace": _boolean,
}


def _pairs(value: Any, at: _Where) -> None:
    if not isinstance(value, list):
        raise at.fail("an array of tables, written [[portcheck.pair]]", value)
    for i, entry in enumerate(value):
        # Pairs are counted from 1 and named, as a reader finds them in the file.
        name = entry.get("name", entry.get("octave")) if isinstance(entry, Mapping) else None
        where = _Where(at.file, f"{at.key} #{i + 1}" + (f" ({name!r})" if isinstance(name, str) else ""))
        if not isinstance(entry, Mapping):
            raise where.fail("a table (one [[portcheck.pair]] entry)", entry)
        _table(_PAIR, "one pair")(entry, where)


_TOP = {
    "paths": _list_of(_string, "folders", 'paths = ["refs"]'),
    "timeout": _positive,
    "catalog": _list_of(_one_of(CATALOGS), "catalog names", 'catalog = ["faithful"]'),
    "pair": _pairs,
    "rtol": _number,
    "atol": _number,
}


def validate_suite_table(table: Any, file: str | Path, prefix: str = "") -> None:
    """Check a suite table completely; raise SuiteError naming file, key and what is expected.

    Parameters
    ----------
    table : mapping
        The ``[portcheck]`` (or ``[tool.portcheck]``) table as read from TOML.
    file : str or Path
        The suite file, for messages.
    prefix : str
        How keys are named in messages (``"portcheck"`` or ``"tool.portcheck"``).
    """
    at = _Where(Path(file), prefix)
    if not isinstance(table, Mapping):
        raise at.fail("a table of suite settings", table)
    _known_keys(table, _TOP, at)
    for k, v in table.items():
        _TOP[k](v, at / k)
