"""Loading user code named on a command line or in a suite file.

``"package.module:function"`` imports a module; ``"path/to/file.py:function"``
loads a file. Both give a :class:`~portcheck.errors.PortError` that says what
was tried when they fail.

Real ports are folders of files that import each other (``from sigmoid import
sigmoid``), and often scripts that load data, plot or ask for ``input()`` when
imported. So, while a file loads, its own folder comes first on ``sys.path``
(a suite's folder too, for ``module:function`` specs), and both ``sys.path``
and the sibling modules it imported are restored afterwards, so two folders
that each hold a ``sigmoid.py`` never see each other's. A script-style file is
not run: only its imports, functions, classes and constants are, and
:func:`load_notes` says so for the report.
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import importlib.util
import inspect
import io
import os
import sys
import types
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from .errors import PortError

__all__ = ["load_callable", "load_args", "describe_callable", "load_notes"]

# Files are imported under a private name so two files called ports.py do not collide.
_FILE_MODULE_PREFIX = "portcheck_user_"

#: Notes about how a module was loaded (script fallback, skipped imports), by module name.
_MODULE_NOTES: dict[str, list[str]] = {}
#: Notes attached to callables loaded from such modules.
_CALLABLE_NOTES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

#: Calls that make a file a script when they run at import: data loading, plotting, prompts.
_SCRIPT_CALLS = {"input", "print", "loadmat", "loadtxt", "genfromtxt", "read_csv", "open", "show", "plot",
                 "imshow", "figure", "scatter", "subplot", "subplots", "savefig", "pause", "load", "exit",
                 "quit", "fit", "minimize", "fmin_cg", "fmin_bfgs", "fmin_tnc"}
#: Harmless set-up calls that may stand at the top of a module without making it a script.
_SETUP_CALLS = {"seed", "filterwarnings", "simplefilter", "set_printoptions", "append", "insert", "use",
                "seterr", "register", "setdefault"}


def load_notes(fn: Any) -> list[str]:
    """What a report should say about how ``fn``'s file was loaded (empty when it imported plainly)."""
    try:
        notes = _CALLABLE_NOTES.get(fn)
    except TypeError:
        notes = None
    if notes is None:
        notes = _MODULE_NOTES.get(getattr(fn, "__module__", None) or "", [])
    return list(notes)


# -- sys.path and sibling modules -----------------------------------------------


def _outside_python(module: types.ModuleType) -> bool:
    """A module loaded from a user folder, not the standard library or site-packages."""
    file = getattr(module, "__file__", None)
    if not file:
        return False
    prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix}
    resolved = str(Path(file).resolve())
    return not any(resolved.startswith(str(Path(p).resolve())) for p in prefixes) and "site-packages" not in resolved


def _sibling_names(folder: Path) -> set[str]:
    names = set()
    with contextlib.suppress(OSError):
        for entry in folder.iterdir():
            if entry.suffix == ".py":
                names.add(entry.stem)
            elif entry.is_dir() and (entry / "__init__.py").is_file():
                names.add(entry.name)
    return names


def _under(file: str | None, folder: Path) -> bool:
    if not file:
        return False
    try:
        Path(file).resolve().relative_to(folder)
        return True
    except ValueError:
        return False


@contextlib.contextmanager
def _folder_first(folder: Path | None, isolate: bool = True) -> Iterator[None]:
    """``folder`` first on ``sys.path`` while user code loads; path and sibling modules restored after.

    A sibling already imported from another user folder (``sigmoid`` of an
    earlier port) is hidden for the duration, so this folder's file is the one
    imported; modules imported from ``folder`` are dropped from
    ``sys.modules`` afterwards (the loaded functions keep their references).
    """
    if folder is None:
        yield
        return
    folder = folder.resolve()
    saved_path = list(sys.path)
    hidden = {}
    for name in _sibling_names(folder):
        mod = sys.modules.get(name)
        if mod is not None and _outside_python(mod) and not _under(getattr(mod, "__file__", None), folder):
            hidden[name] = sys.modules.pop(name)
    before = set(sys.modules)
    sys.path.insert(0, str(folder))
    importlib.invalidate_caches()
    try:
        yield
    finally:
        sys.path[:] = saved_path
        for name in set(sys.modules) - before:
            if name.startswith(_FILE_MODULE_PREFIX) or not isolate:
                continue
            if _under(getattr(sys.modules.get(name), "__file__", None), folder):
                sys.modules.pop(name, None)
        sys.modules.update(hidden)


@contextlib.contextmanager
def _no_prompts() -> Iterator[None]:
    """stdin empty (``input()`` raises EOFError instead of waiting) and a non-interactive plot backend."""
    saved_stdin = sys.stdin
    saved_backend = os.environ.get("MPLBACKEND")
    sys.stdin = io.StringIO("")
    if "matplotlib" not in sys.modules:
        os.environ["MPLBACKEND"] = "Agg"
    try:
        yield
    finally:
        sys.stdin = saved_stdin
        if saved_backend is None:
            os.environ.pop("MPLBACKEND", None)
        else:
            os.environ["MPLBACKEND"] = saved_backend


# -- script-style files -----------------------------------------------------------


def _call_name(node: ast.Call) -> str:
    f = node.func
    if isinstance(f, ast.Name):
        return f.id
    if isinstance(f, ast.Attribute):
        return f.attr
    return ""


def _is_main_guard(node: ast.stmt) -> bool:
    if not isinstance(node, ast.If):
        return False
    t = node.test
    return (isinstance(t, ast.Compare) and isinstance(t.left, ast.Name) and t.left.id == "__name__")


def _is_definition(node: ast.stmt) -> bool:
    """Statements a definitions-only import keeps: imports, defs, classes, constants, set-up."""
    if isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return True
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
        return True  # a docstring
    if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        value = node.value
        return value is None or not any(isinstance(n, ast.Call) for n in ast.walk(value))
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        return _call_name(node.value) in _SETUP_CALLS
    if isinstance(node, ast.Try):
        return all(_is_definition(s) for s in node.body)
    if isinstance(node, ast.If) and not _is_main_guard(node):
        return all(_is_definition(s) for s in (*node.body, *node.orelse))
    return False


def _is_computed_constant(node: ast.stmt) -> bool:
    """``rng = np.random.default_rng(0)``: an assignment whose calls read no data and show nothing."""
    if not isinstance(node, (ast.Assign, ast.AnnAssign)) or node.value is None:
        return False
    return not ({_call_name(n) for n in ast.walk(node.value) if isinstance(n, ast.Call)} & _SCRIPT_CALLS)


def _script_reasons(tree: ast.Module) -> list[str]:
    """Why running the file at import would do work (read data, plot, prompt): empty for a library file."""
    reasons: list[str] = []
    for node in tree.body:
        if _is_main_guard(node) or _is_definition(node):
            continue
        calls = {_call_name(n) for n in ast.walk(node) if isinstance(n, ast.Call)}
        if isinstance(node, (ast.For, ast.While, ast.With, ast.AsyncFor, ast.AsyncWith)):
            reasons.append(f"a top-level `{type(node).__name__.lower()}` at line {node.lineno}")
        elif calls & _SCRIPT_CALLS:
            reasons.append(f"`{sorted(calls & _SCRIPT_CALLS)[0]}(...)` at line {node.lineno}")
    return reasons


def _load_definitions(path: Path, name: str, reason: str, package: str | None = None) -> types.ModuleType:
    """Import only the file's imports, functions, classes and constants, one statement at a time.

    An import that fails is remembered, not fatal: the grader module a course
    script imports is usually not installed and rarely used by the function
    under test (:func:`load_callable` checks that).
    """
    source = path.read_text(encoding="utf-8", errors="replace")
    tree = ast.parse(source, filename=str(path))
    module = types.ModuleType(name)
    module.__file__ = str(path)
    if package is not None:
        module.__package__ = package  # so the file's relative imports resolve
    missing: dict[str, str] = {}
    for node in tree.body:
        if _is_main_guard(node) or not (_is_definition(node) or _is_computed_constant(node)):
            continue
        code = compile(ast.Module(body=[node], type_ignores=[]), str(path), "exec")
        try:
            exec(code, module.__dict__)  # noqa: S102 - the user's own definitions, as an import would run them
        except ImportError as exc:
            for alias in getattr(node, "names", []):
                missing[(alias.asname or alias.name).split(".")[0]] = exc.name or alias.name
        except Exception:  # noqa: BLE001 - a constant that needs skipped data; functions may not use it
            continue
    module.__portcheck_missing__ = missing  # type: ignore[attr-defined]
    _MODULE_NOTES[name] = [f"{path.name} runs as a script ({reason}), so portcheck imported only its imports, "
                           f"functions, classes and constants."]
    if missing:
        skipped = ", ".join(sorted(set(missing.values())))
        _MODULE_NOTES[name].append(f"{path.name}: skipped the import of {skipped} (not found).")
    return module


def _missing_module_error(path: Path | str, module: str) -> PortError:
    return PortError(
        f"{path} imports module {module!r}, which cannot be found. If {module}.py is one of your files, "
        f"put it next to {Path(str(path)).name} (portcheck puts that folder first on sys.path); if it is a "
        f"package, `pip install` it; if it is the course's grader or a plotting helper the function does "
        f"not need, move the import inside the code that uses it."
    )


def _package_of(path: Path) -> tuple[Path, str] | None:
    """The folder above a file's package and the file's dotted name in it (``root``, ``"nnpkg.cost"``).

    A package is a chain of folders holding ``__init__.py``; ``None`` when the
    file's own folder is not one.
    """
    parts = [] if path.name == "__init__.py" else [path.stem]
    folder = path.resolve().parent
    while (folder / "__init__.py").is_file() and folder.parent != folder:
        parts.insert(0, folder.name)
        folder = folder.parent
    if not parts or (path.name != "__init__.py" and len(parts) == 1):
        return None
    if not all(part.isidentifier() for part in parts):
        return None
    return folder, ".".join(parts)


def _load_package_file(path: Path, tree: ast.Module) -> types.ModuleType:
    """Import a file that uses relative imports as the package module it is (``nnpkg.cost``).

    Its relative imports (``from .helpers import unroll``) only resolve with
    its package as parent, so the folder above the package is put first on
    ``sys.path`` and the dotted name imported; a script-style file in a package
    is loaded definitions-only with that package as its ``__package__``.
    """
    found = _package_of(path)
    if found is None:
        raise PortError(
            f"{path} uses a relative import (`from . import ...`), but its folder is not a package: add an "
            f"empty __init__.py next to {path.name}, or write the import without the dot (`from helpers import "
            f"...`, portcheck puts the file's folder first on sys.path)."
        )
    root, dotted = found
    reasons = _script_reasons(tree)
    with _folder_first(root), _no_prompts():
        try:
            if reasons:
                parent = dotted.rpartition(".")[0] if path.name != "__init__.py" else dotted
                importlib.import_module(parent)
                return _load_definitions(path, dotted, "; ".join(reasons[:2]), package=parent)
            return importlib.import_module(dotted)
        except ModuleNotFoundError as exc:
            raise _missing_module_error(path, exc.name or dotted) from None
        except (Exception, SystemExit) as exc:  # the user's package raised (or exited) while importing
            raise PortError(f"importing {path} as {dotted} (its package) raised {type(exc).__name__}: {exc}") from None


def _has_relative_import(tree: ast.Module) -> bool:
    return any(isinstance(node, ast.ImportFrom) and node.level > 0 for node in ast.walk(tree))


def _load_file(path: Path) -> types.ModuleType:
    name = f"{_FILE_MODULE_PREFIX}{abs(hash(str(path.resolve())))}"
    if name in sys.modules:
        return sys.modules[name]
    try:
        tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"), filename=str(path))
    except SyntaxError as exc:
        raise PortError(f"{path} does not parse: {exc.msg} at line {exc.lineno}; fix the syntax error.") from None
    if _has_relative_import(tree):
        module = _load_package_file(path, tree)
        sys.modules[name] = module
        return module
    reasons = _script_reasons(tree)
    with _folder_first(path.parent), _no_prompts():
        if reasons:
            module = _load_definitions(path, name, "; ".join(reasons[:2]))
        else:
            mod_spec = importlib.util.spec_from_file_location(name, path)
            module = importlib.util.module_from_spec(mod_spec)
            sys.modules[name] = module
            try:
                mod_spec.loader.exec_module(module)
            except (Exception, SystemExit) as exc:  # noqa: BLE001 - fall back to definitions only
                del sys.modules[name]
                why = f"importing it raised {type(exc).__name__}: {exc}"
                if isinstance(exc, EOFError):
                    why = "it calls `input()` at import"
                module = _load_definitions(path, name, why)
    sys.modules[name] = module
    return module


def _load_module(spec: str, base: Path | None) -> Any:
    if spec.endswith(".py") or "/" in spec or "\\" in spec:
        path = Path(spec)
        if not path.is_absolute() and base is not None:
            path = base / path
        if not path.is_file():
            raise PortError(f"{spec}: no such Python file.")
        return _load_file(path)
    try:
        with _folder_first(base, isolate=False):
            return importlib.import_module(spec)
    except ModuleNotFoundError as exc:
        if exc.name and exc.name != spec and not spec.startswith(exc.name + "."):
            raise _missing_module_error(spec, exc.name) from None
        raise PortError(
            f"Cannot import module {spec!r} ({exc}): is it installed, or is its folder on sys.path "
            "(run from the project root, or `pip install -e .`)? A file can be named as path/to/file.py:function."
        ) from None
    except ImportError as exc:
        raise PortError(f"importing {spec!r} failed: {exc}") from None
    except (Exception, SystemExit) as exc:  # the user's module raised (or exited) while importing
        raise PortError(f"importing {spec!r} raised {type(exc).__name__}: {exc}") from None


def _global_names(code: types.CodeType) -> set[str]:
    """Global names a function's code (and the code nested in it) refers to."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _global_names(const)
    return names


def _check_missing(module: Any, obj: Any, spec: str, module_part: str) -> None:
    """A function that needs an import the definitions-only load could not make: say which and what to do."""
    missing: dict[str, str] = getattr(module, "__portcheck_missing__", {}) or {}
    code = getattr(obj, "__code__", None)
    if not missing or code is None:
        return
    seen: set[int] = set()
    todo = [obj]
    used: set[str] = set()
    while todo:  # the function and the module's functions it calls
        f = todo.pop()
        if id(f) in seen or getattr(f, "__code__", None) is None:
            continue
        seen.add(id(f))
        names = _global_names(f.__code__)
        used |= names
        todo += [module.__dict__[n] for n in names if callable(module.__dict__.get(n))
                 and getattr(module.__dict__[n], "__module__", None) == module.__name__]
    needed = sorted({missing[n] for n in used if n in missing})
    if needed:
        raise _missing_module_error(module_part, needed[0])


def load_callable(spec: str | Callable[..., Any], base: Path | None = None) -> Callable[..., Any]:
    """Resolve ``"module:function"`` or ``"file.py:function"`` (callables pass through).

    Parameters
    ----------
    spec : str or callable
        What to load; a dotted attribute path after the colon is allowed
        (``"mod:Net.loss"``).
    base : Path, optional
        Folder that relative file paths are taken from (a suite file's folder);
        also put first on ``sys.path`` while a ``module:function`` imports.

    Notes
    -----
    A file's folder is first on ``sys.path`` while it loads, so its sibling
    files import. A script-style file (top-level data loading, plotting,
    ``input()``), or one whose import fails, is loaded definitions-only; see
    :func:`load_notes`.
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
    owner: Any = None
    for attr in attr_path.split("."):
        owner = obj
        if not hasattr(obj, attr):
            public = sorted(n for n in dir(module) if not n.startswith("_") and callable(getattr(module, n)))
            hint = ""
            if getattr(module, "__portcheck_missing__", None) is not None:
                hint = " (the file was loaded definitions-only: is the function defined at top level?)"
            raise PortError(
                f"Module {module_part!r} has no attribute {attr!r}; its callables are: "
                f"{', '.join(public[:20]) or '(none)'}{hint}."
            )
        obj = getattr(obj, attr)
    if not callable(obj):
        raise PortError(f"{spec} is a {type(obj).__name__}, not a function.")
    _check_missing(module, obj, spec, module_part)
    notes = _MODULE_NOTES.get(getattr(module, "__name__", ""), [])
    if isinstance(owner, type) and isinstance(inspect.getattr_static(owner, attr_path.rsplit(".", 1)[-1], None),
                                             types.FunctionType):
        obj, note = _bind_to_new_instance(owner, attr_path.rsplit(".", 1)[-1], spec)
        notes = [*notes, note]
    if notes:
        with contextlib.suppress(TypeError):
            _CALLABLE_NOTES[obj] = list(notes)
    return obj


def _bind_to_new_instance(cls: type, name: str, spec: str) -> tuple[Callable[..., Any], str]:
    """``Class.method`` named in a string: the method of an instance built with no arguments.

    A method defined with ``self`` cannot be called on the reference's
    arguments alone (the first would be taken as ``self``); a class whose
    constructor needs nothing is built once, and the report says so, because
    any state the constructor sets (a λ, the layer sizes) is its default.
    """
    try:
        with _no_prompts():
            instance = cls()
    except Exception as exc:  # noqa: BLE001 - the user's constructor; what it needs is in the message
        raise PortError(
            f"{spec} is a method of {cls.__name__}, and {cls.__name__}() cannot be built without arguments "
            f"({type(exc).__name__}: {exc}). Pass a bound method from Python: "
            f"compare(..., {cls.__name__}(...).{name}, python_args=...), or name a module-level function "
            f"that builds the object and calls the method."
        ) from None
    note = (f"{spec} is a method: portcheck called it on {cls.__name__}() built with no arguments, so any "
            f"state the constructor sets has its default values; pass `{cls.__name__}(...).{name}` from "
            f"Python to use others.")
    return getattr(instance, name), note


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
    except (Exception, SystemExit) as exc:
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
