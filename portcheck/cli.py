"""The ``portcheck`` command. Thin: parses arguments, calls the public API, prints.

Exit codes: 0 everything matched (for ``run``: every faithful pair clean and
every expected mistake named), 1 findings of severity error (``run``: an
expectation not met), 2 usage or set-up error (bad arguments, Octave missing,
an Octave function that is not on the path, a port that cannot be imported).

``--json -`` writes the JSON to standard output; the human-readable report then
goes to standard error, so the JSON can be piped.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from .errors import PortcheckError

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
#: Ctrl-C: the shell convention 128 + SIGINT; nothing was judged.
EXIT_INTERRUPTED = 130


class _Parser(argparse.ArgumentParser):
    """argparse exits with 2 on usage errors already; keep messages short."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"portcheck: error: {message}\n")


def _human_stream(args: argparse.Namespace) -> Any:
    """Where the human-readable report goes: stderr when stdout carries the JSON (``--json -``)."""
    return sys.stderr if getattr(args, "json", None) == "-" else sys.stdout


def _print(obj: Any, stream: Any = None) -> None:
    """Print a report with rich on a terminal, as plain text otherwise."""
    stream = sys.stdout if stream is None else stream
    if stream.isatty():
        from rich.console import Console

        Console(file=stream).print(obj)
    else:
        stream.write(str(obj))
        if not str(obj).endswith("\n"):
            stream.write("\n")


#: The real standard output while ``--json -`` runs (everything else printed then goes to stderr).
_json_stdout: Any = None


@contextlib.contextmanager
def _stdout_kept_for_json(args: argparse.Namespace) -> Iterator[None]:
    """With ``--json -``, what is printed while the checks run goes to stderr, so stdout is only JSON.

    A port's debug ``print`` would otherwise land in front of the JSON and break
    ``portcheck ... --json - | jq``. Workers of ``portcheck run`` are forked
    inside the block and print to stderr too.
    """
    global _json_stdout
    if getattr(args, "json", None) != "-":
        yield
        return
    _json_stdout = sys.stdout
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        _json_stdout = None


def _write(path: str, text: str) -> None:
    """Write an output file (``-``: standard output); a missing folder is a usage error, not a traceback."""
    if path == "-":
        (_json_stdout or sys.stdout).write(text if text.endswith("\n") else text + "\n")
        return
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


def _write_html(path: str, reports: Sequence[Any], title: str, summary: Any = None, stream: Any = None,
                expected: Sequence[Sequence[str]] | None = None) -> None:
    from .report import render_html_document

    _write(path, render_html_document(list(reports), title=title, summary=summary, expected=expected))
    (stream or sys.stdout).write(f"HTML report written to {path}\n")


def _config_paths(args: argparse.Namespace) -> list[str]:
    """``--path`` folders plus the ``paths`` of the suite found from the working folder upwards.

    So ``portcheck compare`` run anywhere inside a project sees the same .m
    files as its suite and its pytest tests.
    """
    from .suite import find_suite, suite_paths

    paths = list(getattr(args, "path", None) or [])
    found = find_suite()
    if found is not None:
        try:
            paths += [p for p in suite_paths(found) if p not in paths]
        except PortcheckError:
            pass  # a broken suite file is reported by `portcheck run`, not by every command
    return paths


def _missing_function(reports: Sequence[Any]) -> str | None:
    """The message of a finding recording an Octave function that is not on the path, if any."""
    for r in reports:
        for f in r.findings:
            if f.kind == "octave-error" and f.evidence.get("error") == "OctaveFunctionNotFoundError":
                return f.message
    return None


def _emit(reports: Sequence[Any], args: argparse.Namespace, title: str) -> int:
    for r in reports:
        _print(r, _human_stream(args))

    def json_out() -> None:
        payload = [r.to_dict() for r in reports]
        _write(args.json, json.dumps(payload if len(payload) != 1 else payload[0], indent=2))

    _write_outputs(args, json_out, lambda: _write_html(args.html, reports, title, stream=_human_stream(args)))
    return EXIT_OK if all(r.ok for r in reports) else EXIT_FINDINGS


def _write_outputs(args: argparse.Namespace, json_out: Any, html_out: Any) -> None:
    """Write the --json and --html outputs asked for; one failing does not stop the other."""
    failed = []
    for flag, write in (("json", json_out), ("html", html_out)):
        if getattr(args, flag, None):
            try:
                write()
            except PortcheckError as exc:
                failed.append(str(exc))
    if failed:
        raise PortcheckError("; ".join(failed))


#: Report formats each output flag may overwrite; any other existing file is someone's input.
_OUTPUT_SUFFIXES = {"json": {".json"}, "html": {".html", ".htm"}}


def _input_files(args: argparse.Namespace) -> list[Path]:
    """Files the command reads: the suite, ports and factories named as ``file.py:function``, lint files."""
    specs = [getattr(args, k, None) for k in ("suite", "port", "args_from", "python_args_from", "target")]
    files = [Path(str(s).rpartition(":")[0] if ":" in str(s) else str(s)) for s in specs if s]
    files += [Path(f) for f in getattr(args, "files", None) or []]
    if getattr(args, "command", None) == "run" and not getattr(args, "suite", None):
        files += [Path("portcheck.toml"), Path("pyproject.toml")]
    return [f.resolve() for f in files if f.is_file()]


def _check_output_paths(args: argparse.Namespace) -> None:
    """Before anything runs: --json/--html must be writable and must never overwrite an input."""
    outs = {flag: getattr(args, flag, None) for flag in ("json", "html")}
    outs = {flag: p for flag, p in outs.items() if p and p != "-"}
    inputs = set(_input_files(args))
    seen: dict[Path, str] = {}
    for flag, given in outs.items():
        path = Path(given).expanduser()
        where = path.resolve()
        if where in inputs:
            raise PortcheckError(f"--{flag} {given} is one of this command's inputs; choose another file name "
                                 f"(portcheck never overwrites its inputs).")
        if where in seen:
            raise PortcheckError(f"--{flag} and --{seen[where]} name the same file {given}; give each its own.")
        seen[where] = flag
        if path.is_dir():
            raise PortcheckError(f"--{flag} {given} is a folder; name a file in it, e.g. {path / ('report.' + flag)}.")
        if path.exists() and path.suffix.lower() not in _OUTPUT_SUFFIXES[flag]:
            raise PortcheckError(f"--{flag} {given} exists and is not a .{flag} report; portcheck does not overwrite "
                                 f"other files. Name a new file or a {'/'.join(sorted(_OUTPUT_SUFFIXES[flag]))} file.")
        parent = path.parent if str(path.parent) else Path(".")
        if not parent.is_dir():
            raise PortcheckError(f"cannot write {given} (--{flag}): the folder {parent} does not exist.")
        if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
            raise PortcheckError(f"cannot write {given} (--{flag}): permission denied.")


# -- subcommands ----------------------------------------------------------------


def _cmd_doctor(args: argparse.Namespace) -> int:
    from .doctor import check_setup

    report = check_setup(paths=_config_paths(args))
    _print(report)
    return EXIT_OK if report.ok else EXIT_USAGE


def _cmd_lint(args: argparse.Namespace) -> int:
    from .lint import lint_file

    issues = []
    for f in args.files:
        if not Path(f).is_file():
            raise PortcheckError(f"{f}: no such file")
        issues += lint_file(f)
    out = _human_stream(args)
    for issue in issues:
        out.write(f"{issue}\n")
    if args.json:
        _write(args.json, json.dumps([i.to_dict() for i in issues], indent=2))
    out.write(f"{len(issues)} issue{'s' * (len(issues) != 1)} in {len(args.files)} file(s)\n")
    return EXIT_FINDINGS if issues else EXIT_OK


def _session(args: argparse.Namespace) -> Any:
    """The live Octave session, or with ``--replay`` one answering from recordings."""
    if getattr(args, "replay", None):
        from .recording import ReplaySession

        return ReplaySession.load(args.replay)
    from .octave import Octave

    return Octave(paths=_config_paths(args), timeout=args.timeout)


def _cmd_compare(args: argparse.Namespace) -> int:
    from .compare import compare
    from .loading import load_args, load_callable

    port = load_callable(args.port)
    call_args = load_args(args.args_from)
    python_args = load_args(args.python_args_from) if args.python_args_from else None
    with _session(args) as oc:
        report = compare(args.function, port, args=call_args, python_args=python_args, octave=oc,
                         nout=args.nout, layout=_parse_layout(args.layout), trace=args.trace, timeout=args.timeout)
    return _emit([report], args, f"compare {args.function}")


def _cmd_gradient(args: argparse.Namespace) -> int:
    from .gradients import check_gradient
    from .loading import load_args, load_callable

    call_args = load_args(args.args_from)
    if not call_args:
        raise PortcheckError("--args-from must return the arguments, the parameter vector first")
    x0, rest = call_args[0], tuple(call_args[1:])
    layout = _parse_layout(args.layout)
    if args.octave_function:
        with _session(args) as oc:
            oc.nargout(args.target)  # a function not on the path is a set-up error (exit 2), as in compare
            report = check_gradient(args.target, x0, args=rest, layout=layout, octave=oc, method=args.method,
                                    timeout=args.timeout)
    else:
        if ":" not in args.target:
            raise PortcheckError(f"{args.target!r} is not a port (module:function or file.py:function); if it "
                                 "is an Octave function, add --octave-function to check it in Octave.")
        report = check_gradient(load_callable(args.target), x0, args=rest, layout=layout, method=args.method,
                                timeout=args.timeout)
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
        result = run_suite(suite, only=args.only, checks=args.check, plots=bool(args.html), isolate=True)
    out = _human_stream(args)
    _print(result, out)
    if args.replay is not None:
        from .recording import limited

        for pair, check, note in limited(result):
            out.write(f"{pair} [{check}]: {note}\n")
    _write_outputs(args, lambda: _write(args.json, json.dumps(result.to_dict(), indent=2)),
                   lambda: _write_html(args.html, result.reports, f"portcheck run {suite.source}",
                                       result.summary_table(), out,
                                       expected=[p.expect for p, _, _ in result.results]))
    missing = _missing_function(result.reports)
    if missing:
        sys.stderr.write(f"portcheck: {missing}\n")
        return EXIT_USAGE
    # A suite states what it expects: faithful pairs clean, planted mistakes named.
    return EXIT_OK if result.expectations_met else EXIT_FINDINGS


def _cmd_class_run(args: argparse.Namespace, suite: Any) -> int:
    from .classrun import run_class

    result = run_class(suite, args.ports, replay=args.replay, only=args.only, checks=args.check,
                       update=args.update)
    _print(result, _human_stream(args))
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
    from .demo import run_demo, training_available

    train = not args.no_train
    if train and not training_available():
        sys.stderr.write("portcheck demo: scikit-learn is not installed, so the training run (digits, both "
                         "languages) is skipped; `pip install scikit-learn` to include it.\n")
        train = False
    result = run_demo(train=train, plots=bool(args.html))
    _print(result)
    if args.html:
        expected = [p.expect for p, _, _ in result.suite.results] + [()] * (len(result.reports)
                                                                          - len(result.suite.results))
        _write_html(args.html, result.reports, "portcheck demo", result.summary_table(), expected=expected)
    # The demo's job is to show the verdicts; it fails only when a verdict is wrong
    # (a faithful port flagged, or a planted mistake missed).
    return EXIT_OK if result.verdicts_right else EXIT_FINDINGS


def _cmd_guide(args: argparse.Namespace) -> int:
    from .guide import read_page, topics

    if args.list:
        width = max(map(len, topics()))
        for topic, title in topics().items():
            sys.stdout.write(f"{topic.ljust(width)}  {title}\n")
        return EXIT_OK
    sys.stdout.write(read_page(args.topic))
    return EXIT_OK


def _examples(*lines: str) -> str:
    return "example" + ("s" if len(lines) > 1 else "") + ":\n" + "\n".join(f"  {ln}" for ln in lines)


def build_parser() -> argparse.ArgumentParser:
    """The ``portcheck`` argument parser (one sub-command per check)."""
    p = _Parser(prog="portcheck", description="Prove a MATLAB/Octave routine and its NumPy port agree; "
                "name the mistake when they don't.",
                epilog="exit codes: 0 ok, 1 findings (run: an expectation not met), 2 usage or set-up error.\n"
                       + _examples("portcheck demo", "portcheck doctor",
                                   "portcheck compare nnCostFunction ports/nn.py:nn_cost_function "
                                   "--args-from inputs.py:nn_args"),
                formatter_class=argparse.RawDescriptionHelpFormatter)
    from . import __version__

    p.add_argument("--version", action="version", version=f"portcheck {__version__}",
                   help="print portcheck's version and exit")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser, metavar="COMMAND")

    def command(name: str, help: str, *examples: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help, description=help[0].upper() + help[1:] + ".",
                              epilog=_examples(*examples), formatter_class=argparse.RawDescriptionHelpFormatter)

    def common(sp: argparse.ArgumentParser, octave: bool = True, out: bool = True) -> None:
        if octave:
            # --octave-path as in pytest; --path kept as its alias.
            sp.add_argument("--octave-path", "--path", dest="path", action="append", default=[], metavar="DIR",
                            help="folder with your .m files, put on the Octave path (repeatable; alias --path); "
                                 "the paths of the nearest portcheck.toml / [tool.portcheck] are added too")
            sp.add_argument("--timeout", type=float, default=None, metavar="S",
                            help="limit in seconds for one call of the reference or the port (default: none)")
        if out:
            sp.add_argument("--json", metavar="FILE", help="also write the report as JSON ('-': to standard "
                            "output, the text report then goes to standard error)")
            sp.add_argument("--html", metavar="FILE", help="also write a self-contained HTML report")

    sp = command("demo", "validate the bundled ports and the gallery of broken ports against Octave",
                 "portcheck demo", "portcheck demo --no-train --html demo.html")
    sp.add_argument("--no-train", action="store_true",
                    help="skip the side-by-side training run (skipped anyway without scikit-learn)")
    sp.add_argument("--html", metavar="FILE", help="also write a self-contained HTML report")
    sp.set_defaults(func=_cmd_demo)

    sp = command("compare", "compare one Octave function with its Python port",
                 "portcheck compare nnCostFunction ports/nn.py:nn_cost_function --args-from inputs.py:nn_args "
                 "--layout Theta1=25x401,Theta2=10x26",
                 "portcheck compare sigmoid mypkg.ml:sigmoid --args-from mypkg.inputs:z --path refs --json -")
    sp.add_argument("function", help="Octave function name, e.g. nnCostFunction")
    sp.add_argument("port", help="the port: package.module:function or path/to/file.py:function")
    sp.add_argument("--args-from", required=True, metavar="SPEC",
                    help="module:function or file.py:function returning the argument tuple")
    sp.add_argument("--python-args-from", metavar="SPEC",
                    help="like --args-from, when the port takes different arguments")
    sp.add_argument("--layout", metavar="NAME=RxC,...",
                    help="blocks of the unrolled parameter vector, e.g. Theta1=25x401,Theta2=10x26")
    sp.add_argument("--nout", type=int, default=None, help="outputs to compare (default: all declared)")
    sp.add_argument("--trace", dest="trace", action="store_true", default=None,
                    help="trace intermediates even when the outputs agree (default: only when they differ)")
    sp.add_argument("--no-trace", dest="trace", action="store_false",
                    help="never trace intermediates (outputs only)")
    common(sp)
    sp.add_argument("--replay", metavar="FILE|DIR", default=None,
                    help="answer the reference from a recording (a .mat file or a folder of them), without Octave")
    sp.set_defaults(func=_cmd_compare)

    sp = command("gradient", "check a cost function's gradient (Python port or Octave function)",
                 "portcheck gradient ports/nn.py:nn_cost_function --args-from inputs.py:nn_args "
                 "--layout Theta1=25x401,Theta2=10x26",
                 "portcheck gradient nnCostFunction --octave-function --args-from inputs.py:nn_args")
    sp.add_argument("target", help="module:function / file.py:function, or an Octave name with --octave-function")
    sp.add_argument("--octave-function", action="store_true", help="TARGET is an Octave function: check it in Octave")
    sp.add_argument("--args-from", required=True, metavar="SPEC",
                    help="module:function or file.py:function returning (x0, *other_args)")
    sp.add_argument("--layout", metavar="NAME=RxC,...", help="blocks of x0, so findings name the block")
    sp.add_argument("--method", default="auto", choices=["auto", "central", "complex", "richardson"],
                    help="finite-difference method (default auto: complex step when the function allows it)")
    common(sp)
    sp.add_argument("--replay", metavar="FILE|DIR", default=None,
                    help="answer the reference from a recording (a .mat file or a folder of them), without Octave")
    sp.set_defaults(func=_cmd_gradient)

    sp = command("run", "run a suite file (portcheck.toml or [tool.portcheck] in pyproject.toml)",
                 "portcheck run", "portcheck run examples/portcheck.toml --html report.html",
                 "portcheck run --only 'nn cost' --check gradient --json -")
    sp.add_argument("suite", nargs="?", default=None,
                    help="suite file (default: the nearest portcheck.toml or pyproject.toml with "
                         "[tool.portcheck], in this folder or a parent)")
    sp.add_argument("--only", action="append", default=None, metavar="NAME",
                    help="run only this pair (repeatable)")
    sp.add_argument("--check", action="append", default=None, choices=["compare", "gradient", "minimize"],
                    help="run only this check (repeatable)")
    sp.add_argument("--replay", nargs="?", const="", default=None, metavar="DIR",
                    help="answer the references from recordings (default recorded/ beside the suite); "
                         "no Octave needed")
    sp.add_argument("--update", action="store_true",
                    help="with --replay: record missing or stale pairs again (needs Octave)")
    sp.add_argument("--ports", metavar="DIR",
                    help="run the suite against every submission in DIR (one subfolder or .py file each)")
    common(sp, octave=False)
    sp.set_defaults(func=_cmd_run)

    sp = command("record", "run each pair's reference once and save it for replay without Octave",
                 "portcheck record", "portcheck record examples/portcheck.toml --out recorded")
    sp.add_argument("suite", nargs="?", default=None,
                    help="suite file (default: the nearest portcheck.toml or [tool.portcheck])")
    sp.add_argument("--out", metavar="DIR", default=None, help="folder for the recordings (default recorded/ "
                    "beside the suite)")
    sp.add_argument("--only", action="append", default=None, metavar="NAME", help="record only these pairs")
    sp.set_defaults(func=_cmd_record)

    sp = command("export-inputs", "write the reference calls to record in MATLAB (portcheck_record.m)",
                 "portcheck export-inputs", "portcheck export-inputs portcheck.toml --out recorded")
    sp.add_argument("suite", nargs="?", default=None,
                    help="suite file (default: the nearest portcheck.toml or [tool.portcheck])")
    sp.add_argument("--out", metavar="DIR", default=None, help="folder (default recorded/ beside the suite)")
    sp.add_argument("--only", action="append", default=None, metavar="NAME", help="export only these pairs")
    sp.set_defaults(func=_cmd_export_inputs)

    sp = command("lint", "static checks of a port's source (no Octave needed)",
                 "portcheck lint ports/nn.py", "portcheck lint ports/*.py --json lint.json")
    sp.add_argument("files", nargs="+", metavar="FILE.py", help="Python files to check")
    sp.add_argument("--json", metavar="FILE", help="also write the issues as JSON ('-': to standard output)")
    sp.set_defaults(func=_cmd_lint)

    sp = command("doctor", "check that Octave, oct2py and your paths are set up",
                 "portcheck doctor", "portcheck doctor --octave-path refs")
    sp.add_argument("--octave-path", "--path", dest="path", action="append", default=[], metavar="DIR",
                    help="folder with your .m files to check (repeatable; alias --path)")
    sp.set_defaults(func=_cmd_doctor)

    sp = command("guide", "print a page of the MATLAB-to-NumPy migration guide",
                 "portcheck guide", "portcheck guide column-major-order", "portcheck guide --list")
    sp.add_argument("topic", nargs="?", default=None,
                    help="page name, e.g. column-major-order, or a lint link (default: the checklist)")
    sp.add_argument("--list", action="store_true", help="list the pages with their titles")
    sp.set_defaults(func=_cmd_guide)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (0 ok, 1 findings, 2 usage or set-up error)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        _check_output_paths(args)
        with _stdout_kept_for_json(args):
            return int(args.func(args))
    except argparse.ArgumentTypeError as exc:
        sys.stderr.write(f"portcheck: error: {exc}\n")
        return EXIT_USAGE
    except PortcheckError as exc:
        sys.stderr.write(f"portcheck: {exc}\n")
        return EXIT_USAGE
    except BrokenPipeError:
        # `portcheck guide ... | head`: the reader has gone; stay quiet as Unix tools do.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        sys.stderr.write("portcheck: interrupted (Ctrl-C); nothing was judged\n")
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    raise SystemExit(main())
