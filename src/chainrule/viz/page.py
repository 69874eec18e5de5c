"""One self-contained HTML page (or notebook output): the graph's SVG, stepped through.

The page carries everything inline and loads nothing, so it opens offline from
a file: the drawing (svg.py: one SVG per level of detail, modules collapsed
first), the step texts as JSON, and chainrule's viewer script and style
(viewer.js, viewer.css beside this file), which only show, hide, highlight,
fit, zoom and pan. "next" walks the forward pass node by node (blue), then the
backward pass (red), each backward step with the local derivative, the
upstream gradient and their product, in the words and names explain() prints.

A notebook can hold any number of these: nothing has an id, the script finds
its own graph from where it stands, and keys step only the focused graph.
"""

import json
from html import escape
from pathlib import Path

from . import format as fmt
from .explain import leaf_line, step
from .svg import STYLE, Drawing, svg_body
from .traced import node_value

_HERE = Path(__file__).resolve().parent
# px: a notebook output is as tall as its drawing, within these; taller ones zoom out to fit
EMBED_HEIGHT = (320, 600)
EMBED_CHROME = 70  # px the toolbar and the margins of the fit take


def _script_text(code):
    """Code safe inside <script>...</script>."""
    return code.replace("</script", "<\\/script").replace("<!--", "<\\!--")


def _operand(src, output_nr):
    value = node_value(src, output_nr)
    name = src.output_name(output_nr)
    return name if value is None else f"{name} = {fmt.tensor(value)}"


def levels_of(graph, expand):
    """The levels of detail a page offers: each collapses the groups deeper than it."""
    if expand is None or not graph.groups:
        return [None]
    deepest = max(g.depth for g in graph.groups.values())
    return list(range(min(expand, deepest), deepest + 1))


def backward_text(st):
    """A backward step of explain.step() as the page's panel shows it."""
    out = ["local derivative:  " + st["formula"]]
    if st["operands"]:
        out.append("   with " + st["operands"])
    out += ["   so " + line for line in st["local"]]
    out.append("upstream gradient: " + st["upstream"])
    for i, line in enumerate(st["chain"]):
        out.append(("product:           " if i == 0 else " " * 19) + line)
    out += st["constants"]
    return "\n".join(out)


def _stats(value):
    return [list(kv) for kv in fmt.stats(value)]


def _node_info(graph, n, L, has_grads):
    info = {"kind": n.kind, "name": n.name}
    value = node_value(n)
    if value is not None:
        info["value"] = _stats(value)
        info["text"] = fmt.tensor(value)
    if n.kind == "op":
        info["title"] = f"{graph.expression_of(n)}    ({n.op_name})"
        inputs = ", ".join(_operand(graph._by_id[e.src], e.output_nr) for e in graph.operands(n))
        shown = "? (not recorded)" if value is None else fmt.tensor(value)
        info["fwd"] = f"inputs: {inputs}\nvalue:  {shown}"
        if has_grads:
            st = step(graph, n, L)
            info["bwd"] = backward_text(st)
        info["formula"] = n.formula
    else:
        info["title"] = f"{'leaf' if n.kind == 'leaf' else 'constant'} {n.name}"
        if n.kind == "leaf" and has_grads:
            info["bwd"] = leaf_line(graph, n, L)
    if n.grad is not None and n.kind != "const":
        g = n.grad
        info["grad"] = _stats(g[0] if isinstance(g, tuple) else g)
    return info


def _box_info(graph, v, L):
    info = {"kind": "module", "name": v.label, "title": f"module {v.label}"}
    if v.value is not None:
        info["value"] = _stats(v.value)
        info["fwd"] = f"value leaving it: {fmt.tensor(v.value)}"
    else:
        info["fwd"] = "value leaving it: ?"
    if v.grad is not None:
        info["grad"] = _stats(v.grad)
    ops = sum(1 for m in v.members if m.kind == "op")
    arriving = "?" if v.grad is None else fmt.tensor(v.grad)
    lines = [f"gradient arriving at its output: {arriving}"]
    lines += [leaf_line(graph, m, L) for m in v.members if m.kind == "leaf" and m.requires_grad]
    what = "its op" if ops == 1 else f"its {ops} ops one by one"
    lines.append(f"(double-click the box, or press Enter, to see {what})")
    info["bwd"] = "\n".join(lines)
    return info


def page_parts(graph, max_nodes=300, expand=0, title=None):
    """The drawings (one per level of detail) and the JSON the viewer reads."""
    graph.nodes  # noqa: B018  (syncs the gradients the hooks caught)
    L = graph._by_id[graph.output].name if graph.output else "output"
    drawings = [Drawing(graph, expand=e, max_nodes=max_nodes) for e in levels_of(graph, expand)]
    has_grads = drawings[0].has_grads
    nodes = {}
    levels = []
    for d in drawings:
        fwd, bwd, order = [], [], {}
        for v in d.view.nodes:
            if v.kind == "elided":
                continue
            if v.id not in nodes:
                if v.kind == "module":
                    nodes[v.id] = _box_info(graph, v, L)
                else:
                    nodes[v.id] = _node_info(graph, v.node, L, has_grads)
            if v.kind in ("op", "module"):
                fwd.append(v)
        fwd.sort(key=lambda v: v.rank)
        if has_grads:
            leaves = [v for v in d.view.nodes if v.kind == "leaf" and v.node.requires_grad]
            bwd = fwd[::-1] + leaves
        for v in fwd:
            order[v.id] = v.rank
        if d is drawings[-1]:
            name = "every op" if len(drawings) > 1 else ""
        else:
            name = (
                f"{d.expand} level{'s' * (d.expand > 1)} open" if d.expand else "modules collapsed"
            )
        levels.append(
            {
                "name": name,
                "fwd": [v.id for v in fwd],
                "bwd": [v.id for v in bwd],
                "order": order,
            }
        )
    note = drawings[0].view.note
    if not has_grads:
        note += (" " if note else "") + (
            "No backward pass has run through this graph yet: the backward steps appear when "
            "the page is written after loss.backward() (or graph.backward())."
        )
    data = {
        "title": title or f"chainrule: the graph of {L}",
        "loss": L,
        "note": note,
        "has_grads": has_grads,
        "levels": levels,
        "nodes": nodes,
    }
    return drawings, data


def to_html(graph, max_nodes=300, expand=0, title=None, embed=False):
    """The page as a string (`embed`: a fragment for a notebook, without <html> around it)."""
    drawings, data = page_parts(graph, max_nodes=max_nodes, expand=expand, title=title)
    viewer = (_HERE / "viewer.js").read_text(encoding="utf-8")
    css = STYLE.strip() + "\n" + (_HERE / "viewer.css").read_text(encoding="utf-8")
    payload = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
    # the first level shows where no script runs; the script shows the others in turn
    svgs = "\n".join(
        svg_body(d) if k == 0 else svg_body(d).replace("<svg ", '<svg style="display:none" ', 1)
        for k, d in enumerate(drawings)
    )
    title_text = escape(data["title"])
    buttons = "".join(
        f'<button type="button" data-do="{do}" title="{tip}">{label}</button>'
        for do, label, tip in (
            ("start", "start", "Home"),
            ("prev", "prev", "left arrow"),
            ("next", "next", "right arrow"),
            ("end", "end", "End"),
            ("out", "−", "zoom out (-)"),
            ("in", "+", "zoom in (+)"),
            ("fit", "fit", "fit to the window (0)"),
            ("less", "less detail", "collapse modules"),
            ("more", "more detail", "open modules"),
        )
    )
    style = ""
    if embed:
        low, high = EMBED_HEIGHT
        h = min(high, max(low, int(drawings[0].height) + EMBED_CHROME))
        style = f' style="height:{h}px"'
    kind = "cr-embed" if embed else "cr-page"
    body = f"""<div class="chainrule-viz {kind}" tabindex="0"{style}>
<div class="cr-bar"><b class="cr-name">{title_text}</b>{buttons}
<span class="cr-counter"></span></div>
<div class="cr-main"><div class="cr-canvas">{svgs}</div>
<div class="cr-panel"><div class="cr-step-title"></div><pre class="cr-step-body"></pre>
<div class="cr-sel"></div></div></div>
<div class="cr-note"></div>
<script type="application/json" class="cr-data">{payload}</script>
<script>{_script_text(viewer)}</script>
</div>"""
    if embed:
        return f"<style>{css}</style>\n{body}"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title_text}</title>
<style>html,body{{margin:0;height:100%}}{css}</style>
</head>
<body>
{body}
</body>
</html>
"""
