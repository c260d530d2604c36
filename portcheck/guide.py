"""The migration guide, read from wherever portcheck is installed.

The pages live in ``migration_guide/`` of the source tree; wheels ship them as
``portcheck/migration_guide`` (like ``matlab_refs``), so ``portcheck guide
TOPIC`` and the ``[see migration_guide/PAGE.md]`` links of ``portcheck lint``
work after a plain ``pip install``.
"""

from __future__ import annotations

from pathlib import Path

from .errors import InputError, PortcheckError

__all__ = ["guide_dir", "topics", "read_page"]


def guide_dir() -> Path:
    """Folder holding the guide's Markdown pages (source tree or installed package)."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "migration_guide", here / "migration_guide"):
        if (candidate / "README.md").is_file():
            return candidate
    raise PortcheckError("portcheck's migration guide is missing from this installation; "
                         "reinstall portcheck (`pip install --force-reinstall portcheck`).")


def topics() -> dict[str, str]:
    """Every page: topic (the file name without ``.md``) -> its title."""
    out = {}
    for page in sorted(guide_dir().glob("*.md")):
        if page.name == "README.md":
            continue
        first = next((ln for ln in page.read_text(encoding="utf-8").splitlines() if ln.startswith("#")), page.stem)
        out[page.stem] = first.lstrip("#").strip()
    return out


def read_page(topic: str | None = None) -> str:
    """The Markdown text of one page; ``None`` or ``"README"`` gives the checklist.

    Parameters
    ----------
    topic : str, optional
        A page name such as ``"column-major-order"``; a lint link
        (``"migration_guide/column-major-order.md"``) works too.

    Raises
    ------
    InputError
        No such page; the message lists the topics.
    """
    name = Path(topic).name if topic else "README"
    name = name[:-3] if name.endswith(".md") else name
    page = guide_dir() / f"{name}.md"
    if not page.is_file():
        known = ", ".join(topics())
        raise InputError(f"no guide page {topic!r}; topics: {known}.")
    return page.read_text(encoding="utf-8")
