"""`chainrule explain script.py`: run a PyTorch-style script and explain one backward pass.

The script runs unchanged (torch resolved to chainrule) inside a recording, so
every op's value and module is kept. At its N-th call of Tensor.backward
(--call N, default 1) the graph is traced, that backward runs (its gradients
are caught on every edge), and explain.txt, graph.html and graph.svg are
written to --out. Then recording stops and the script runs on as usual.
"""

import argparse
import os
import sys
import traceback
from pathlib import Path

from .._alias import run_path
from ..tensor import Tensor
from .record import record
from .trace import trace

DEFAULT_OUT = "chainrule_explain"


def _parser():
    p = argparse.ArgumentParser(
        prog="chainrule explain",
        description=(
            "Run a PyTorch-style script with chainrule and, at its N-th backward call, write "
            "the chain rule with its numbers (explain.txt), a step-through page (graph.html) "
            "and the picture (graph.svg)."
        ),
    )
    p.add_argument("--call", type=int, default=1, metavar="N", help="which backward call (1)")
    p.add_argument("--out", default=DEFAULT_OUT, metavar="DIR", help=f"output ({DEFAULT_OUT})")
    p.add_argument("--max-nodes", type=int, default=300, metavar="M", help="drawn nodes (300)")
    p.add_argument("script", help="the script to run")
    p.add_argument(
        "args",
        nargs=argparse.REMAINDER,
        help=(
            "the script's own arguments; --call, --out and --max-nodes right after the script "
            "are still chainrule's (`chainrule explain s.py --out DIR --epochs 2`): put `--` "
            "before arguments that the script itself should get under those names"
        ),
    )
    return p


_OWN = {"--call": "call", "--out": "out", "--max-nodes": "max_nodes"}


def _parse(argv):
    """The options, before or right after the script's name (as `chainrule explain s.py
    --call 2 --out DIR` reads); what follows them, or follows `--`, is the script's."""
    ns = _parser().parse_args(list(argv))
    args = list(ns.args)
    while args:
        name, eq, value = args[0].partition("=")
        if args[0] == "--":
            args.pop(0)
            break
        if name not in _OWN:
            break
        if not eq:
            if len(args) < 2:
                _parser().error(f"argument {name}: expected one argument")
            value = args[1]
            del args[:2]
        else:
            args.pop(0)
        dest = _OWN[name]
        if dest in ("call", "max_nodes"):
            try:
                value = int(value)
            except ValueError:
                _parser().error(f"argument {name}: invalid int value: '{value}'")
        setattr(ns, dest, value)
    ns.args = args
    return ns


def _say(msg):
    print(f"chainrule explain: {msg}", file=sys.stderr)


def write_outputs(graph, out, max_nodes=300):
    """explain.txt, graph.html and graph.svg in `out`; the paths written."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    text = graph.explain(quiet=True, max_nodes=None)
    (out / "explain.txt").write_text(text, encoding="utf-8")
    return [
        out / "explain.txt",
        graph.save(out / "graph.html", max_nodes=max_nodes),
        graph.save(out / "graph.svg", max_nodes=max_nodes),
    ]


def explain_main(argv):
    """Entry point of `chainrule explain`; returns the exit code."""
    ns = _parse(argv)
    if ns.call < 1:
        _say("--call counts backward calls from 1")
        return 2
    if not os.path.exists(ns.script):
        _say(f"can't open file '{ns.script}': No such file or directory")
        return 2
    original = Tensor.backward
    rec = record()
    state = {"calls": 0, "written": None, "error": None}

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        state["calls"] += 1
        if state["calls"] != ns.call:
            return original(self, gradient, retain_graph, create_graph, inputs)
        Tensor.backward = original
        graph = None
        try:
            graph = trace(self, recording=rec, frame=sys._getframe(1))
        except Exception as e:  # noqa: BLE001  (the script must run on regardless)
            state["error"] = e
        finally:
            rec.__exit__(None, None, None)
        result = original(self, gradient, retain_graph, create_graph, inputs)
        if graph is not None:
            try:
                state["written"] = write_outputs(graph, ns.out, ns.max_nodes)
            except Exception as e:  # noqa: BLE001
                state["error"] = e
        return result

    code = 0
    rec.__enter__()
    Tensor.backward = backward
    try:
        run_path(ns.script, ns.args)
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except BaseException as e:  # noqa: BLE001  (the script's failure is reported, not raised)
        traceback.print_exception(type(e), e, e.__traceback__)
        code = 130 if isinstance(e, KeyboardInterrupt) else 1
    finally:
        Tensor.backward = original
        rec.__exit__(None, None, None)
    if state["error"] is not None:
        _say(f"could not explain backward call {ns.call}: {state['error']}")
        return code or 1
    if state["written"] is None:
        _say(
            f"the script called backward {state['calls']} time(s); "
            f"backward call {ns.call} never happened, so nothing was written"
        )
        return code or 1
    files = ", ".join(str(p) for p in state["written"])
    _say(f"backward call {ns.call} explained: {files}")
    return code
