"""Index of the bundled corpus: every faithful :class:`Case` and every :class:`BrokenCase`."""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache

from ._case import BrokenCase, Case

__all__ = ["all_cases", "all_gallery", "get_case", "Case", "BrokenCase"]

_ASSIGNMENTS = ("common", "ex2", "ex3", "ex4", "cs231n", "ex5", "ex7", "ex8", "ufldl")


@lru_cache(maxsize=1)
def all_cases() -> tuple[Case, ...]:
    """Every faithful case, in assignment order."""
    out: list[Case] = []
    for name in _ASSIGNMENTS:
        module = importlib.import_module(f"{__package__}.{name}")
        out += list(getattr(module, "CASES", ()))
    return tuple(out)


@lru_cache(maxsize=1)
def all_gallery() -> tuple[BrokenCase, ...]:
    """Every broken port of the gallery (``portcheck.examples.broken.*.GALLERY``)."""
    from . import broken

    out: list[BrokenCase] = []
    for info in sorted(pkgutil.iter_modules(broken.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{broken.__name__}.{info.name}")
        out += list(getattr(module, "GALLERY", ()))
    return tuple(out)


def get_case(name: str) -> Case:
    """The faithful case called ``name`` (e.g. ``"ex4.nnCostFunction"``)."""
    for case in all_cases():
        if case.name == name:
            return case
    known = ", ".join(c.name for c in all_cases())
    raise KeyError(f"no bundled case {name!r}; known cases: {known}")
