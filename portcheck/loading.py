"""Loading user code named on a command line or in a suite file.

``"package.module:function"`` imports a module; ``"path/to/file.py:function"``
loads a file. Both give a :class:`~portcheck.errors.PortError` that says what
was tried when they fail.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .errors import PortError

__all__ = ["load_callable", "load_args", "describe_callable"]

# Files are imported under a private name so two files called ports.py do not collide.
_FILE_MODULE_PREFIX = "portcheck_user_"


def _load_module(spec: str, base: Path | None) -> Any:
    if spec.endswith(".py") or "/" in spec or "\\" in spec:
        path = Path(spec)
        if not path.is_absolute() and base is not None:
            path = base / path
        if not path.is_file():
            raise PortError(f"{spec}: no such Python file.")
        name = f"{_FILE_MODULE_PREFIX}{abs(hash(str(path.resolve())))}"
        if name in sys.modules:
            return sys.modules[name]
        mod_spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(mod_spec)
        sys.modules[name] = module
        try:
            mod_spec.loader.exec_module(module)
        except Exception as exc:
            del sys.modules[name]
            raise PortError(f"importing {path} failed: {type(exc).__name__}: {exc}") from exc
        return module
    try:
        return importlib.import_module(spec)
    except ImportError as exc:
        raise PortError(
            f"Cannot import module {spec!r} ({exc}): is it installed, or is its folder on sys.path "
            "(run from the project root, or `pip install -e .`)? A file can be named as path/to/file.py:function."
        ) from None
    except Exception as exc:  # the user's module raised while importing
        raise PortError(f"importing {spec!r} raised {type(exc).__name__}: {exc}") from None


def load_callable(spec: str | Callable[..., Any], base: Path | None = None) -> Callable[..., Any]:
    """Resolve ``"module:function"`` or ``"file.py:function"`` (callables pass through).

    Parameters
    ----------
    spec : str or callable
        What to load; a dotted attribute path after the colon is allowed
        (``"mod:Net.loss"``).
    base : Path, optional
        Folder that relative file paths are taken from (a suite file's folder).
    """
    if callable(spec):
        return spec
    if not isinstance(spec, str):
        raise PortError(
            f"The port must be a callable (your NumPy function) or a 'module:function' string, got a "
            f"{type(spec).__name__}."
        )
    module_part, _, attr_path = spec.rpartition(":")
    if not module_part or not attr_path:
        raise PortError(f"A port given as a string must be 'module:function' (e.g. 'mypkg.nn:cost'), got {spec!r}.")
    module = obj = _load_module(module_part, base)
    for attr in attr_path.split("."):
        if not hasattr(obj, attr):
            public = sorted(n for n in dir(module) if not n.startswith("_") and callable(getattr(module, n)))
            raise PortError(
                f"Module {module_part!r} has no attribute {attr!r}; its callables are: "
                f"{', '.join(public[:20]) or '(none)'}."
            )
        obj = getattr(obj, attr)
    if not callable(obj):
        raise PortError(f"{spec} is a {type(obj).__name__}, not a function.")
    return obj


def load_args(spec: str | Callable[[], Any] | None, base: Path | None = None) -> tuple:
    """Call an argument factory and return its result as a tuple.

    The factory returns a tuple or list of arguments (a single non-sequence
    value is taken as one argument).
    """
    if spec is None:
        return ()
    factory = load_callable(spec, base)
    try:
        value = factory()
    except Exception as exc:
        raise PortError(f"the argument factory {spec!r} raised {type(exc).__name__}: {exc}") from exc
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


def describe_callable(fn: Callable[..., Any]) -> str:
    """``module:qualname`` for reports (just the name for code typed at ``__main__``)."""
    module = getattr(fn, "__module__", None)
    name = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or repr(fn)
    if module and module.startswith(_FILE_MODULE_PREFIX):
        # Loaded from a file: name it as the user wrote it, by its path.
        path = Path(getattr(sys.modules.get(module), "__file__", "") or module)
        try:
            path = path.relative_to(Path.cwd())
        except ValueError:
            pass
        return f"{path}:{name}"
    return f"{module}:{name}" if module and module != "__main__" else str(name)
