"""The chain rule for one graph, written out with its real numbers (chainrule.explain).

Node by node in the order backward runs them: the op and how its value was
made (`l = r ** 2`), its local derivative (the Op's formula, the operand
values, and for elementwise ops the derivative's value), the upstream
gradient arriving at the node (a sum where the value was used more than
once), and their product, the gradient passed to each input. Then what each
leaf receives into `.grad`.

explain never changes `.grad`: when the graph has no gradients yet, it
computes them with autograd.grad on the retained graph (so the user's own
`loss.backward()` still works afterwards); when a backward pass already ran
through a traced or recorded graph, it uses that pass's gradients.
"""

import re
import sys

import numpy as np

from . import format as fmt
from .grads import local_values
from .traced import node_value, total

_LETTERS = "abcdefgh"


class Explanation(str):
    """The text explain() printed (a str); its repr does not print it a second time."""

    def __repr__(self):
        return f"<chainrule explanation, {len(self.splitlines())} lines: print() shows it>"


def explain_graph(graph, max_nodes=40, file=None, quiet=False):
    computed = False
    if not graph.has_grads:
        graph.compute_grads()
        computed = True
    text = Explanation(_write(graph, max_nodes, computed))
    if not quiet:
        print(text, file=sys.stdout if file is None else file, end="")
    return text


def _local(n, graph):
    """Local derivative values of op node n: caught before its backward ran, or computed
    now from its saved values."""
    got = graph._local_of(n.fn)
    if got is not None:
        return got
    g = n.grad
    if g is None or isinstance(g, tuple):
        return {}
    return local_values(n.fn, g)


def _write(graph, max_nodes, computed):
    by_id = graph._by_id
    out_node = by_id[graph.output]
    L = out_node.name
    lines = [
        f"explain({L}): the chain rule, node by node in the order backward runs",
        "",
    ]
    order = [n for n in graph.backward_order() if n.kind == "op"]
    shown = order if max_nodes is None else order[:max_nodes]
    for k, n in enumerate(shown, 1):
        st = step(graph, n, L)
        lines.append(f"[{k}] {st['title']}")
        lines.append(f"    local      {st['formula']}")
        if st["operands"]:
            lines.append(f"               with {st['operands']}")
        for text in st["local"]:
            lines.append(f"               so {text}")
        lines.append(f"    upstream   {st['upstream']}")
        for text in st["chain"]:
            lines.append(f"    chain      {text}")
        for text in st["constants"]:
            lines.append(f"               {text}")
        lines.append("")
    if len(order) > len(shown):
        lines.append(
            f"... {len(order) - len(shown):,} more ops not shown "
            "(explain(..., max_nodes=None) shows all)"
        )
        lines.append("")
    leaves = [n for n in graph._nodes if n.kind == "leaf" and n.requires_grad]
    if leaves:
        lines.append("Leaves: backward adds these into .grad")
        for n in leaves:
            lines.append("    " + leaf_line(graph, n, L))
        lines.append("")
    if computed:
        lines.append(
            "(explain computed these with autograd.grad on the retained graph: no .grad was "
            "changed, and backward() can still be called)"
        )
    else:
        lines.append("(the gradients of the backward pass that ran through this graph)")
    return "\n".join(lines) + "\n"


def operand_letters(formula, count):
    """The names a formula gives an op's operands, in input order: `C, A, B` for
    d(beta*C + alpha*A@B)/dC, `x, w, b` for dx = ..., dw = ..., db = ...; a, b, c, ...
    where the formula does not name exactly `count` of them."""
    named = []
    for m in re.finditer(r"/d([A-Za-z_]\w*)|\bd([A-Za-z_]\w*)\s*=", formula or ""):
        name = m.group(1) or m.group(2)
        if name not in named:
            named.append(name)
    if len(named) == count:
        return named
    m = re.search(r"d\(\w+\(([^()]*)\)\)", formula or "")  # d(where(c, a, b))
    if m:
        named = [a.strip() for a in m.group(1).split(",")]
        if len(named) == count and all(re.fullmatch(r"\w+", a) for a in named):
            return named
    return [_LETTERS[i] if i < len(_LETTERS) else f"x{i}" for i in range(count)]


def step(graph, n, L):
    """One backward step of op node n, as text: title, formula, operands, local
    derivative values, upstream gradient, and the chain-rule product per input.
    Operands go in the order the code wrote them, by the letters of the formula."""
    by_id = graph._by_id
    edges = graph.operands(n)
    count = len(n.fn.next_functions) if n.fn is not None else len(edges)
    names = operand_letters(n.formula, count)
    order = n.operand_order

    def letter(e):
        k = order.index(e.index) if order is not None and e.index in order else e.index
        return names[k] if k < len(names) else f"x{k}"

    operands = []
    for e in edges:
        src = by_id[e.src]
        v = node_value(src, e.output_nr)
        shown_v = f" = {fmt.tensor(v)}" if v is not None else ""
        if src.kind == "const" and shown_v == f" = {src.name}":  # a number: its name is its value
            shown_v = ""
        operands.append(f"{letter(e)} = {src.output_name(e.output_nr)}{shown_v}")
    for key, val in n.params.items():
        operands.append(f"{'n' if key == 'exponent' else key} = {_param(val)}")
    local = _local(n, graph)
    srcs = [e.src for e in edges]

    def through(e):  # which operand, where one input feeds several
        if srcs.count(e.src) < 2:
            return ""
        return f"   (as {letter(e)})"

    local_lines = [
        f"d{n.name}/d{by_id[e.src].output_name(e.output_nr)} = "
        f"{fmt.tensor(local[e.index])}{through(e)}"
        for e in edges
        if e.index in local and by_id[e.src].requires_grad
    ]
    up = n.grad
    chain = []
    constants = []
    for e in edges:
        src = by_id[e.src]
        if not src.requires_grad:
            constants.append(f"{src.name} is a constant: no gradient flows to it")
            continue
        g = e.grad
        target = f"d{L}/d{src.output_name(e.output_nr)}"
        if g is None:
            chain.append(f"{target}: no gradient reached it{through(e)}")
        elif e.index in local and up is not None and not isinstance(up, tuple):
            lv = local[e.index]
            summed = np.shape(lv) != np.shape(g) or np.shape(up) != np.shape(g)
            how = "sum over broadcast dims of (upstream * local)" if summed else "upstream * local"
            chain.append(
                f"{target} = {how} = {fmt.tensor(up)} * {fmt.tensor(lv)} = {fmt.tensor(g)}"
                + through(e)
            )
        else:
            chain.append(
                f"{target} = {fmt.tensor(g)}   (the op's backward applied to the upstream gradient)"
                + through(e)
            )
    return {
        "title": f"{graph.expression_of(n)}    ({n.op_name})",
        "formula": n.formula or "(no formula recorded for this op)",
        "operands": ", ".join(operands),
        "local": local_lines,
        "upstream": _upstream(graph, n, L),
        "chain": chain,
        "constants": constants,
    }


def _param(v):
    if isinstance(v, float):
        return fmt.number(v)
    return str(v)


def _incoming(graph, n):
    """The gradients reaching node n from each of its uses."""
    return [e.grad for e in graph.consumers(n) if e.grad is not None]


def _upstream(graph, n, L):
    if isinstance(n.grad, tuple):  # an op with several outputs: one gradient for each
        parts = [
            f"d{L}/d{n.output_name(i)} = {fmt.tensor(g)}"
            for i, g in enumerate(n.grad)
            if g is not None
        ]
        return "; ".join(parts) + "   (one gradient for each output that was used)"
    if n.is_output and not graph.consumers(n):
        return f"d{L}/d{L} = {fmt.tensor(n.grad)}   (backward starts here, with the seed 1)"
    parts = _incoming(graph, n)
    if len(parts) > 1:
        terms = " + ".join(fmt.tensor(p) for p in parts)
        return (
            f"d{L}/d{n.name} = {terms} = {fmt.tensor(n.grad)}   ({n.name} is used "
            f"{len(parts)} times: the gradients from each use add up)"
        )
    return f"d{L}/d{n.name} = {fmt.tensor(n.grad)}"


def leaf_line(graph, n, L):
    parts = _incoming(graph, n)
    if not parts:
        return f"{n.name}: no gradient reached it"
    g = total(parts)
    if len(parts) > 1:
        terms = " + ".join(fmt.tensor(p) for p in parts)
        text = (
            f"{n.name}.grad += d{L}/d{n.name} = {terms} = {fmt.tensor(g)}   ({n.name} is used "
            f"{len(parts)} times: the gradients add up)"
        )
    else:
        text = f"{n.name}.grad += d{L}/d{n.name} = {fmt.tensor(g)}"
    var = n.fn.variable if n.fn is not None else None
    if var is not None:
        current = var.grad
        now = "None" if current is None else fmt.tensor(current)
        text += f"   ({n.name}.grad is {now} now)"
    return text
