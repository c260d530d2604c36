"""The ``portcheck`` command. Thin: parses arguments, calls the public API, prints.

Exit codes: 0 everything matched, 1 findings of severity error, 2 usage or
set-up error (bad arguments, Octave missing, a port that cannot be imported).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .errors import PortcheckError

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse exits with 2 on usage errors already; keep messages short."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"portcheck: error: {message}\n")


def _print(obj: Any) -> None:
    """Print a report with rich on a terminal, as plain text otherwise."""
    if sys.stdout.isatty():
        from rich.console import Console

        Console().print(obj)
    else:
        sys.stdout.write(str(obj))
        if not str(obj).endswith("\n"):
            sys.stdout.write("\n")


def _write(path: str, text: str) -> None:
    """Write an output file; a folder that does not exist is a usage error, not a traceback."""
    try:
        Path(path).write_text(text)
    except OSError as exc:
        raise PortcheckError(f"cannot write {path}: {exc.strerror or exc}") from None


def _parse_layout(text: str | None) -> list[tuple[str, tuple[int, ...]]] | None:
    """``"Theta1=25x401,Theta2=10x26"`` -> ``[("Theta1", (25, 401)), ("Theta2", (10, 26))]``."""
    if not text:
        return None
    out = []
    for part in text.split(","):
        name, sep, dims = part.strip().partition("=")
        try:
            if not sep:
                raise ValueError
            out.append((name.strip(), tuple(int(d) for d in dims.lower().split("x"))))
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"--layout entries look like Theta1=25x401, got {part.strip()!r}"
            ) from None
    return out


def _write_html(path: str, reports: Sequence[Any], title: str, summary: Any = None) -> None:
    from .report import render_html_document

    _write(path, render_html_document(list(reports), title=title, summary=summary))
    sys.stdout.write(f"HTML report written to {path}\n")


def _emit(reports: Sequence[Any], args: argparse.Namespace, title: str) -> int:
    for r in reports:
        _print(r)
    if getattr(args, "json", None):
        payload = [r.to_dict() for r in reports]
        _write(args.json, json.dumps(payload if len(payload) != 1 else payload[0], indent=2))
    if getattr(args, "html", None):
        _write_html(args.html, reports, title)
    return EXIT_OK if all(r.ok for r in reports) else EXIT_FINDINGS


# -- subcommands ----------------------------------------------------------------


def _cmd_doctor(args: argparse.Namespace) -> int:
    from .doctor import check_setup

    report = check_setup(paths=args.path)
    _print(report)
    return EXIT_OK if report.ok else EXIT_USAGE


def _cmd_lint(args: argparse.Namespace) -> int:
    from .lint import lint_file

    issues = []
    for f in args.files:
        if not Path(f).is_file():
            raise PortcheckError(f"{f}: no such file")
        issues += lint_file(f)
    for issue in issues:
        sys.stdout.write(f"{issue}\n")
    if args.json:
        _write(args.json, json.dumps([i.to_dict() for i in issues], indent=2))
    sys.stdout.write(f"{len(issues)} issue{'s' * (len(issues) != 1)} in {len(args.files)} file(s)\n")
    return EXIT_FINDINGS if issues else EXIT_OK


def _cmd_compare(args: argparse.Namespace) -> int:
    from .compare import compare
    from .loading import load_args, load_callable
    from .octave import Octave

    port = load_callable(args.port)
    call_args = load_args(args.args_from)
    python_args = load_args(args.python_args_from) if args.python_args_from else None
    with Octave(paths=args.path, timeout=args.timeout) as oc:
        report = compare(args.function, port, args=call_args, python_args=python_args, octave=oc,
                         nout=args.nout, layout=_parse_layout(args.layout), trace=args.trace)
    return _emit([report], args, f"compare {args.function}")


def _cmd_gradient(args: argparse.Namespace) -> int:
    from .gradients import check_gradient
    from .loading import load_args, load_callable
    from .octave import Octave

    call_args = load_args(args.args_from)
    if not call_args:
        raise PortcheckError("--args-from must return the arguments, the parameter vector first")
    x0, rest = call_args[0], tuple(call_args[1:])
    layout = _parse_layout(args.layout)
    if args.octave_function:
        with Octave(paths=args.path, timeout=args.timeout) as oc:
            report = check_gradient(args.target, x0, args=rest, layout=layout, octave=oc, method=args.method)
    else:
        report = check_gradient(load_callable(args.target), x0, args=rest, layout=layout, method=args.method)
    if args.html:
        from .plots import with_plots

        report = with_plots(report)
    return _emit([report], args, f"gradient {args.target}")


def _cmd_run(args: argparse.Namespace) -> int:
    from .suite import load_suite, run_suite

    suite = load_suite(args.suite)
    if args.update and args.replay is None:
        raise PortcheckError("--update re-records stale recordings for a replay: use it with --replay")
    if args.ports:
        return _cmd_class_run(args, suite)
    if args.replay is not None:
        from .recording import replay_suite

        result = replay_suite(suite, args.replay or None, only=args.only, checks=args.check,
                              update=args.update, plots=bool(args.html))
    else:
        result = run_suite(suite, only=args.only, checks=args.check, plots=bool(args.html))
    _print(result)
    if args.json:
        _write(args.json, json.dumps(result.to_dict(), indent=2))
    if args.html:
        _write_html(args.html, result.reports, f"portcheck run {suite.source}", result.summary_table())
    return EXIT_OK if result.ok else EXIT_FINDINGS


def _cmd_class_run(args: argparse.Namespace, suite: Any) -> int:
    from .classrun import run_class

    result = run_class(suite, args.ports, replay=args.replay, only=args.only, checks=args.check,
                       update=args.update)
    _print(result)
    if args.json:
        _write(args.json, json.dumps(result.to_dict(), indent=2))
    if args.html:
        _write_html(args.html, [], f"portcheck run {suite.source} --ports {args.ports}", result.summary_table())
    return EXIT_OK if result.ok else EXIT_FINDINGS


def _cmd_record(args: argparse.Namespace) -> int:
    from .recording import record_suite
    from .suite import load_suite

    suite = load_suite(args.suite)
    result = record_suite(suite, out=args.out, only=args.only)
    _print(result)
    return EXIT_OK


def _cmd_export_inputs(args: argparse.Namespace) -> int:
    from .recording import default_recorded_dir, export_inputs
    from .suite import load_suite

    suite = load_suite(args.suite)
    files = export_inputs(suite, out=args.out, only=args.only)
    folder = args.out or default_recorded_dir(suite)
    for f in files:
        sys.stdout.write(f"{f}\n")
    sys.stdout.write(f"{len(files)} input file(s) in {folder}; record them in MATLAB or Octave with\n"
                     f"  addpath('<portcheck>/matlab_refs/portcheck'); portcheck_record('{folder}')\n"
                     f"then run export-inputs again to ask for the re-runs the diagnosis needs next.\n")
    return EXIT_OK


def _cmd_demo(args: argparse.Namespace) -> int:
    from .demo import run_demo

    result = run_demo(train=not args.no_train, plots=bool(args.html))
    _print(result)
    if args.html:
        _write_html(args.html, result.reports, "portcheck demo", result.summary_table())
    # The demo's job is to show the verdicts; it fails only when a verdict is wrong
    # (a faithful port flagged, or a planted mistake missed).
    return EXIT_OK if result.verdicts_right else EXIT_FINDINGS


def build_parser() -> argparse.ArgumentParser:
    """The ``portcheck`` argument parser (one sub-command per check)."""
    p = _Parser(prog="portcheck", description="Prove a MATLAB/Octave routine and its NumPy port agree; "
                "name the mistake when they don't.")
    from . import __version__

    p.add_argument("--version", action="version", version=f"portcheck {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def common(sp: argparse.ArgumentParser, octave: bool = True, out: bool = True) -> None:
        if octave:
            # --octave-path as in pytest; --path kept as its alias.
            sp.add_argument("--octave-path", "--path", dest="path", action="append", default=[], metavar="DIR",
                            help="folder with your .m files, put on the Octave path (repeatable; alias --path)")
            sp.add_argument("--timeout", type=float, default=None, metavar="S", help="limit for one Octave call")
        if out:
            sp.add_argument("--json", metavar="FILE", help="also write the report as JSON")
            sp.add_argument("--html", metavar="FILE", help="also write a self-contained HTML report")

    sp = sub.add_parser("demo", help="validate the bundled ports and the gallery of broken ports")
    sp.add_argument("--no-train", action="store_true", help="skip the side-by-side training run")
    sp.add_argument("--html", metavar="FILE", help="also write a self-contained HTML report")
    sp.set_defaults(func=_cmd_demo)

    sp = sub.add_parser("compare", help="compare one Octave function with its Python port")
    sp.add_argument("function", help="Octave function name, e.g. nnCostFunction")
    sp.add_argument("port", help="the port: package.module:function or path/to/file.py:function")
    sp.add_argument("--args-from", required=True, metavar="SPEC",
                    help="module:function or file.py:function returning the argument tuple")
    sp.add_argument("--python-args-from", metavar="SPEC", help="different arguments for the port")
    sp.add_argument("--layout", metavar="NAME=RxC,...", help="blocks of the unrolled parameter vector")
    sp.add_argument("--nout", type=int, default=None, help="outputs to compare (default: all declared)")
    sp.add_argument("--trace", dest="trace", action="store_true", default=None,
                    help="trace intermediates even when the outputs agree (default: only when they differ)")
    sp.add_argument("--no-trace", dest="trace", action="store_false",
                    help="never trace intermediates (outputs only)")
    common(sp)
    sp.set_defaults(func=_cmd_compare)

    sp = sub.add_parser("gradient", help="check a cost function's gradient (Python port or Octave function)")
    sp.add_argument("target", help="module:function / file.py:function, or an Octave name with --octave-function")
    sp.add_argument("--octave-function", action="store_true", help="TARGET is an Octave function: check it in Octave")
    sp.add_argument("--args-from", required=True, metavar="SPEC", help="returns (x0, *other_args)")
    sp.add_argument("--layout", metavar="NAME=RxC,...")
    sp.add_argument("--method", default="auto", choices=["auto", "central", "complex", "richardson"])
    common(sp)
    sp.set_defaults(func=_cmd_gradient)

    sp = sub.add_parser("run", help="run a suite file (portcheck.toml or [tool.portcheck] in pyproject.toml)")
    sp.add_argument("suite", nargs="?", default=None, help="suite file (default: ./portcheck.toml, ./pyproject.toml)")
    sp.add_argument("--only", action="append", default=None, metavar="NAME", help="run only these pairs")
    sp.add_argument("--check", action="append", default=None, choices=["compare", "gradient", "minimize"],
                    help="run only these checks")
    sp.add_argument("--replay", nargs="?", const="", default=None, metavar="DIR",
                    help="answer the references from recordings (default recorded/ beside the suite); "
                         "no Octave needed")
    sp.add_argument("--update", action="store_true",
                    help="with --replay: record missing or stale pairs again (needs Octave)")
    sp.add_argument("--ports", metavar="DIR",
                    help="run the suite against every submission in DIR (one subfolder or .py file each)")
    common(sp, octave=False)
    sp.set_defaults(func=_cmd_run)

    sp = sub.add_parser("record", help="run each pair's reference once and save it for replay without Octave")
    sp.add_argument("suite", nargs="?", default=None, help="suite file (default: ./portcheck.toml, ./pyproject.toml)")
    sp.add_argument("--out", metavar="DIR", default=None, help="folder for the recordings (default recorded/ "
                    "beside the suite)")
    sp.add_argument("--only", action="append", default=None, metavar="NAME", help="record only these pairs")
    sp.set_defaults(func=_cmd_record)

    sp = sub.add_parser("export-inputs", help="write the reference calls to record in MATLAB (portcheck_record.m)")
    sp.add_argument("suite", nargs="?", default=None, help="suite file (default: ./portcheck.toml, ./pyproject.toml)")
    sp.add_argument("--out", metavar="DIR", default=None, help="folder (default recorded/ beside the suite)")
    sp.add_argument("--only", action="append", default=None, metavar="NAME", help="export only these pairs")
    sp.set_defaults(func=_cmd_export_inputs)

    sp = sub.add_parser("lint", help="static checks of a port's source (no Octave needed)")
    sp.add_argument("files", nargs="+", metavar="FILE.py")
    sp.add_argument("--json", metavar="FILE")
    sp.set_defaults(func=_cmd_lint)

    sp = sub.add_parser("doctor", help="check that Octave, oct2py and your paths are set up")
    sp.add_argument("--octave-path", "--path", dest="path", action="append", default=[], metavar="DIR",
                    help="folder with your .m files (repeatable; alias --path)")
    sp.set_defaults(func=_cmd_doctor)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (0 ok, 1 findings, 2 usage or set-up error)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except argparse.ArgumentTypeError as exc:
        sys.stderr.write(f"portcheck: error: {exc}\n")
        return EXIT_USAGE
    except PortcheckError as exc:
        sys.stderr.write(f"portcheck: {exc}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        sys.stderr.write("portcheck: interrupted\n")
        return EXIT_USAGE


if __name__ == "__main__":
    raise SystemExit(main())
