"""The chainrule command: chainrule run script.py, chainrule explain script.py."""

import argparse
import os
import sys
import traceback

_RUN_HELP = "run a PyTorch script on chainrule (import torch resolves to chainrule)"
_EXPLAIN_HELP = "run a script and explain its computational graph step by step"


def _parser():
    parser = argparse.ArgumentParser(
        prog="chainrule",
        description="chainrule: backpropagation you can read, with PyTorch's API.",
    )
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
        from .viz.cli import explain_main
    except ImportError as e:
        if e.name not in ("chainrule.viz.cli", "chainrule.viz") and "explain_main" not in str(e):
            raise
        print(f"chainrule explain is not available in this install: {e}", file=sys.stderr)
        return 2
    return explain_main(args)


def main(argv=None):
    """Entry point of the `chainrule` command; returns the exit code."""
    argv = sys.argv[1:] if argv is None else list(argv)
    # explain owns all of its options (its own --help included), so it is dispatched
    # before argparse sees them.
    if argv and argv[0] == "explain":
        code = _explain(argv[1:])
    else:
        ns = _parser().parse_args(argv)
        code = _run(ns.script, ns.args)
    return code
