"""The chainrule command: chainrule run script.py, chainrule explain script.py,
chainrule --version."""

import argparse
import os
import sys
import traceback

_RUN_HELP = "run a PyTorch script on chainrule (import torch resolves to chainrule)"
_EXPLAIN_HELP = "run a script and explain its computational graph step by step"


def _version_line():
    from . import version

    return f"chainrule {version.chainrule} (PyTorch {version.torch} API)"


def _parser():
    parser = argparse.ArgumentParser(
        prog="chainrule",
        description="chainrule: backpropagation you can read, with PyTorch's API.",
    )
    parser.add_argument("--version", action="version", version=_version_line())
    sub = parser.add_subparsers(dest="command", metavar="{run,explain}")
    sub.required = True
    run = sub.add_parser("run", help=_RUN_HELP, description=_RUN_HELP)
    run.add_argument("script", help="the Python file to run")
    run.add_argument("args", nargs=argparse.REMAINDER, help="arguments passed to the script")
    explain = sub.add_parser(
        "explain", help=_EXPLAIN_HELP, description=_EXPLAIN_HELP, add_help=False
    )
    explain.add_argument("args", nargs=argparse.REMAINDER, help="see: chainrule explain --help")
    return parser


def _print_script_traceback(exc, script):
    """The traceback from the script's own frames on, as `python script.py` would show it."""
    tb = exc.__traceback__
    target = os.path.abspath(script)
    first = tb
    while first is not None and os.path.abspath(first.tb_frame.f_code.co_filename) != target:
        first = first.tb_next
    traceback.print_exception(type(exc), exc, first if first is not None else tb)


def _run(script, args):
    from ._alias import run_path

    if not os.path.exists(script):
        print(
            f"chainrule run: can't open file '{script}': No such file or directory",
            file=sys.stderr,
        )
        return 2
    try:
        run_path(script, args)
    except SystemExit as e:
        return e.code
    except BaseException as e:  # noqa: BLE001  (the script's failure is reported, not raised)
        _print_script_traceback(e, script)
        return 130 if isinstance(e, KeyboardInterrupt) else 1
    return 0


def _explain(args):
    try:
        from .viz.explain_script import explain_main
    except ImportError as e:
        if e.name not in (
            "chainrule.viz.explain_script",
            "chainrule.viz",
        ) and "explain_main" not in str(e):
            raise
        print(f"chainrule explain is not available in this install: {e}", file=sys.stderr)
        return 2
    return explain_main(args)


# chainrule explain's own options (viz/explain_script.py reads them before or right after
# the script)
_EXPLAIN_OPTIONS = ("--call", "--out", "--max-nodes")


def _explain_notes(args):
    """Where chainrule explain's own option names could go to the other party than the
    user meant: one after the script's own arguments goes to the script; one right after
    the script goes to explain, although the script (by its source) has it too."""
    i = 0
    while i < len(args) and args[i].startswith("-") and args[i] != "--":
        name, eq, _ = args[i].partition("=")
        i += 2 if name in _EXPLAIN_OPTIONS and not eq else 1
    if i < len(args) and args[i] == "--":
        i += 1
    if i >= len(args):
        return []
    script, after = args[i], args[i + 1 :]
    taken, j = [], 0
    while j < len(after) and after[j].partition("=")[0] in _EXPLAIN_OPTIONS:
        eq = "=" in after[j]
        taken.append(after[j] if eq else " ".join(after[j : j + 2]))
        j += 1 if eq else 2
    rest = [] if after[j : j + 1] == ["--"] else after[j:]
    notes = []
    stray = [a for a in rest if a.partition("=")[0] in _EXPLAIN_OPTIONS]
    if stray:
        notes.append(
            f"{stray[0]} comes after the script's own arguments, so {script} gets it, not "
            f"chainrule explain; put explain's options before the script's name: "
            f"chainrule explain {stray[0]} ... {script} ..."
        )
    source = _read_text(script)
    mine = [t for t in taken if f"'{t.split()[0].partition('=')[0]}'" in source
            or f'"{t.split()[0].partition("=")[0]}"' in source]  # fmt: skip
    if mine:
        notes.append(
            f"{mine[0]} right after the script is chainrule explain's option, although "
            f"{script} has that option too; to give it to the script, write it after `--`: "
            f"chainrule explain {script} -- {mine[0]}"
        )
    return notes


def _read_text(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read(1 << 20)
    except OSError:
        return ""


def _split_run(args):
    """(script, its arguments) from what follows `run`: everything after the script's name
    goes to it unchanged, `--` included, as `python script.py ...` passes it."""
    if args[:1] == ["--"]:
        args = args[1:]
    if not args or args[0].startswith("-"):
        return None
    return args[0], args[1:]


def main(argv=None):
    """Entry point of the `chainrule` command; returns the exit code."""
    argv = sys.argv[1:] if argv is None else list(argv)
    # explain owns all of its options (its own --help included), so it is dispatched
    # before argparse sees them.
    if argv and argv[0] == "explain":
        for note in _explain_notes(argv[1:]):
            print(f"chainrule explain: note: {note}", file=sys.stderr)
        return _explain(argv[1:])
    if argv and argv[0] == "run":
        split = _split_run(argv[1:])
        if split is not None:
            return _run(*split)
    ns = _parser().parse_args(argv)
    return _run(ns.script, ns.args)
