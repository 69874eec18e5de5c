"""Graphviz DOT text for a Graph (for .png/.pdf): forward edges blue, backward red.

Each node shows its name, its op (the grad_fn name), its value and, after a
backward pass, its gradient, compact as in chainrule's own SVG. A blue edge
carries a value forward to the op that reads it; a red edge beside it (drawn
with its arrow at the input) carries the gradient back. Module groups are
clusters, or boxes when collapsed. Inputs at the top, as in the SVG.
"""

import re

from . import collapse
from . import format as fmt

BLUE = "#1f5fbf"
RED = "#c62828"
FILL = {
    "leaf": "#dce8fb",
    "const": "#eeeeee",
    "op": "#ffffff",
    "module": "#f3ecfa",
    "elided": "#ffffff",
}


def _q(text):
    """A DOT string literal (\\n stays a line break)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def node_lines(graph, v):
    lines = []
    if v.kind == "module":
        lines.append(v.label)
        lines.append(f"{len(v.members)} nodes")
    elif v.kind == "elided":
        return [v.label]
    else:
        n = v.node
        if n.kind == "op":
            lines.append(graph.expression_of(n))
            lines.append(n.op_name)
        else:
            lines.append(n.name)
    if v.value is not None:
        lines.append(f"value {fmt.compact(v.value)}")
    if v.grad is not None:
        lines.append(f"grad {fmt.compact(v.grad)}")
    return lines


def to_dot(graph, expand=0, max_nodes=500, title=None):
    """DOT text. Module groups deeper than `expand` are collapsed (None: expand all)."""
    view = collapse.build(graph, expand=expand, max_nodes=max_nodes)
    out = ["digraph chainrule {"]
    label = title or ""
    if view.note:
        label = f"{label}\n{view.note}" if label else view.note
    graph_attrs = 'rankdir=TB, fontname="Helvetica", fontsize=11'
    if label:
        graph_attrs += f", label={_q(label)}, labelloc=b"
    out.append(f"  graph [{graph_attrs}];")
    out.append('  node [fontname="Helvetica", fontsize=11, shape=box, style="rounded,filled"];')
    out.append('  edge [fontname="Helvetica", fontsize=9];')
    children = {}
    for gid in sorted(view.clusters):
        children.setdefault(graph.groups[gid].parent, []).append(gid)
    members = {}
    for v in view.nodes:
        members.setdefault(v.group, []).append(v)

    def emit_node(v, indent):
        attrs = [f"label={_q(chr(10).join(node_lines(graph, v)))}"]
        attrs.append(f'fillcolor="{FILL[v.kind]}"')
        if v.kind == "module":
            attrs.append("shape=box3d")
        if v.kind == "elided":
            attrs.append('style="dashed"')
        if v.node is not None and v.node.is_output:
            attrs.append("peripheries=2")
        out.append(f"{indent}{v.id} [{', '.join(attrs)}];")

    def emit_group(gid, indent):
        g = graph.groups[gid]
        name = re.sub(r"\W", "_", gid)  # pooling#2 -> pooling_2: a plain DOT identifier
        out.append(f"{indent}subgraph cluster_{name} {{")
        out.append(f'{indent}  label={_q(g.label)}; style="rounded"; color="#9e9e9e";')
        for sub in children.get(gid, []):
            emit_group(sub, indent + "  ")
        for v in members.get(gid, []):
            emit_node(v, indent + "  ")
        out.append(f"{indent}}}")

    for gid in children.get(None, []):
        emit_group(gid, "  ")
    for v in members.get(None, []):
        emit_node(v, "  ")
    for e in view.edges:
        style = ', style="dashed"' if e.elided else ""
        lab = "" if e.value is None else f", label={_q(fmt.compact(e.value))}"
        out.append(f'  {e.src} -> {e.dst} [color="{BLUE}", fontcolor="{BLUE}"{lab}{style}];')
    for e in view.edges:
        if not e.backward or e.elided:
            continue
        lab = "" if e.grad is None else f", label={_q(fmt.compact(e.grad))}"
        out.append(
            f'  {e.src} -> {e.dst} [dir=back, color="{RED}", fontcolor="{RED}", '
            f'style="dashed", constraint=false{lab}];'
        )
    out.append("}")
    return "\n".join(out) + "\n"
