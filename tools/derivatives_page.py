"""Write docs/derivatives.md, the table of every differentiable op, from chainrule's Op registry.

    python tools/derivatives_page.py          # rewrite docs/derivatives.md
    python tools/derivatives_page.py --check  # exit 1 if it is stale

Each row is one Op: its class, the grad_fn name users see, its formula and where it
is defined. tests/test_derivatives_page.py fails when the page and the code disagree.
"""

import argparse
import inspect
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "derivatives.md"
COMMAND = "python tools/derivatives_page.py"

HEADER = f"""# Derivatives

Every differentiable primitive of chainrule, with the derivative it computes: the
backward formula of each op, written in chainrule ops (so it is differentiable
again), stands next to its forward in the file named here. Composite functions
(softmax's callers, `F.linear`, `fmod`, ...) are not listed: their gradients come
from the primitives they are written in. Some ops record a different grad_fn name
for some forms of call (`RsubBackward1` for a number minus a tensor, `ClampMinBackward0`
for `clamp_min`, ...).

Generated from the Op registry by `{COMMAND}`; do not edit by hand.
"""


def _cell(text):
    """Text for a table cell: pipes escaped, so `d|a|/da` stays one cell."""
    return text.replace("|", "\\|")


def _definition_line(op):
    """Where op is defined: its class statement, or for a class made by a factory call
    (`Lgamma = _unary_op(...)`), the line that assigns it."""
    try:
        return inspect.getsourcelines(op)[1]
    except OSError:
        lines = inspect.getsource(sys.modules[op.__module__]).splitlines()
        for number, text in enumerate(lines, 1):
            if text.startswith(f"{op.__name__} = "):
                return number
        raise


def rows():
    """(file, line, op class name, grad_fn name, formula) for every differentiable op."""
    sys.path.insert(0, str(ROOT / "src"))
    import importlib

    import chainrule
    from chainrule.ops.op import REGISTRY

    for name in sorted(chainrule._LAZY_MODULES):  # (nn and the others load on first use)
        importlib.import_module(f"chainrule.{name}")
    for name in chainrule.ops._lazy.FAMILIES:  # and so do the rarer op families
        importlib.import_module(f"chainrule.ops.{name}")

    found = []
    for op in REGISTRY:
        if not op.differentiable:
            continue
        path = Path(inspect.getsourcefile(op)).resolve().relative_to(ROOT).as_posix()
        line = _definition_line(op)
        found.append((path, line, op.__name__, op.name, op.formula))
    # The tensor ops first (ops/), then the layers' (nn/), each file's in source order.
    return sorted(found, key=lambda row: ("/ops/" not in row[0], row[0], row[1]))


def render():
    out = [HEADER]
    current = None
    for path, line, cls, name, formula in rows():
        if path != current:
            current = path
            out.append(f"\n## {path}\n")
            out.append("| op | grad_fn | formula | defined at |")
            out.append("| --- | --- | --- | --- |")
        link = f"[{path}:{line}](../{path}#L{line})"
        out.append(f"| `{cls}` | `{name}` | `{_cell(formula)}` | {link} |")
    return "\n".join(out) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the page is stale")
    args = parser.parse_args()
    text = render()
    if args.check:
        if not PAGE.exists() or PAGE.read_text() != text:
            print(f"{PAGE.relative_to(ROOT)} is stale: run `{COMMAND}`")
            sys.exit(1)
        return
    PAGE.write_text(text)
    print(f"wrote {PAGE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
