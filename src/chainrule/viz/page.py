"""One self-contained HTML page: the graph, laid out in the browser, stepped through.

The page carries everything inline: the layout library (@dagrejs/dagre, with its
licence), chainrule's viewer script and style (viewer.js, viewer.css beside this
file), and the graph as JSON. It loads nothing from anywhere, so it opens
offline from a file. "next" walks the forward pass node by node (blue), then
the backward pass node by node (red), each backward step showing the local
derivative, the upstream gradient and their product. Module groups below the
top level start collapsed; a click expands or collapses one.
"""

import html as _html
import json
from pathlib import Path

from . import collapse
from . import format as fmt
from .explain import leaf_line, step
from .render import library_source
from .traced import node_value

_HERE = Path(__file__).resolve().parent


def _script_text(code):
    """Code safe inside <script>...</script>."""
    return code.replace("</script", "<\\/script").replace("<!--", "<\\!--")


def _operand(src, output_nr):
    value = node_value(src, output_nr)
    name = src.output_name(output_nr)
    return name if value is None else f"{name} = {fmt.tensor(value)}"


def graph_data(graph, max_nodes=300, expand=0, title=None):
    """The JSON the viewer draws: nodes, edges, groups and each node's step texts."""
    view = collapse.build(graph, expand=None, max_nodes=max_nodes)
    by_id = graph._by_id
    L = by_id[graph.output].name if graph.output else "output"
    has_grads = any(n.grad is not None for n in graph._nodes if n.kind == "op")
    nodes = []
    forward_index = {}
    for v in view.nodes:
        d = {"id": v.id, "kind": v.kind, "group": v.group}
        if v.kind == "elided":
            d.update(name=v.label, order=-2)
            nodes.append(d)
            continue
        n = v.node
        d.update(
            name=n.name,
            order=n.order,
            value=None if v.value is None else fmt.tensor(v.value),
            grad=None if v.grad is None else fmt.tensor(v.grad),
            output=n.is_output,
            requires_grad=n.requires_grad,
        )
        if n.kind == "op":
            args = [by_id[e.src].output_name(e.output_nr) for e in graph.inputs(n)]
            d["expr"] = f"{n.assigned()} = {n.expression(args)}"
            d["op"] = n.op_name
            d["inputs"] = [_operand(by_id[e.src], e.output_nr) for e in graph.inputs(n)]
            if has_grads:
                d["step"] = step(graph, n, L)
        elif n.kind == "leaf" and has_grads:
            d["step"] = {"leaf": leaf_line(graph, n, L)}
        forward_index[v.id] = len(nodes)
        nodes.append(d)
    edges = [
        {
            "src": e.src,
            "dst": e.dst,
            "value": None if e.value is None else fmt.tensor(e.value),
            "grad": None if e.grad is None else fmt.tensor(e.grad),
            "backward": e.backward,
            "elided": e.elided,
        }
        for e in view.edges
    ]
    groups = [
        {"id": g.id, "label": g.label, "parent": g.parent, "depth": g.depth}
        for g in graph.groups.values()
    ]
    return {
        "title": title or f"chainrule: the graph of {L}",
        "loss": L,
        "note": view.note,
        "expand": expand,
        "has_grads": has_grads,
        "nodes": nodes,
        "edges": edges,
        "groups": groups,
    }


def to_html(graph, max_nodes=300, expand=0, title=None, embed=False):
    """The page as a string (`embed`: a fragment for Jupyter, without <html> around it)."""
    lib, licence = library_source()
    data = graph_data(graph, max_nodes=max_nodes, expand=expand, title=title)
    viewer = (_HERE / "viewer.js").read_text(encoding="utf-8")
    css = (_HERE / "viewer.css").read_text(encoding="utf-8")
    payload = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
    licence_comment = "/*! @dagrejs/dagre licence:\n" + licence.replace("*/", "* /") + "\n*/\n"
    title_text = _html.escape(data["title"])
    body = f"""<div class="chainrule-viz">
<div class="cr-bar">
<button type="button" id="cr-reset">start</button>
<button type="button" id="cr-prev">prev</button>
<button type="button" id="cr-next">next</button>
<button type="button" id="cr-end">end</button>
<span id="cr-counter"></span>
</div>
<div id="cr-info"><div id="cr-step-title"></div><pre id="cr-step-body"></pre></div>
<div id="cr-canvas"></div>
<div id="cr-note"></div>
</div>
<script type="application/json" id="cr-data">{payload}</script>
<script>{licence_comment}{_script_text(lib)}</script>
<script>{_script_text(viewer)}</script>"""
    if embed:
        return f"<style>{css}</style>\n{body}"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title_text}</title>
<style>{css}</style>
</head>
<body>
<h1>{title_text}</h1>
{body}
</body>
</html>
"""
