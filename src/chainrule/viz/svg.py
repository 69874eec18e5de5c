"""The graph as positioned SVG: graph.svg, the notebook's picture, the page's drawing.

Inputs at the top, the output at the bottom: a network's layers are wider
than tall, so a chain of them reads down a window, and the branches of a
block (Inception's four, a residual skip) spread across it. Each box says
what it is in a line (`y_pred = x * w`, `conv1 (Conv2d)`) and its value and
gradient in a line each, compact (`[64, 10] |x|≤2.33`); each edge that carries
a gradient has it as a label beside it. Boxes, labels and edges never overlap
(layout.py reserves the room for each).

The SVG needs no script: it shows every value and gradient. The HTML page
uses the same SVG and its script hides and highlights parts of it, step by
step. Elements carry classes and data attributes only, no ids, so any number
of graphs can share a page.
"""

from collections import Counter
from html import escape

from . import collapse
from . import format as fmt
from .layout import layout

FONT = 12  # px, every text in the drawing
CHAR_W = 7.25  # px per character of the monospace font at FONT px
LINE_H = 14  # px per line of a box
BOX_PAD_X = 7
BOX_PAD_Y = 4
MAX_CHARS = 46  # a longer line is cut with an ellipsis (the side panel has it whole)
HEAD = 7  # arrowhead length

STYLE = """
.cr-graph text{font-family:ui-monospace,Menlo,Consolas,"DejaVu Sans Mono",monospace;
font-size:12px;fill:#222}
.cr-graph .cr-box{stroke:#777;stroke-width:1;fill:#fff}
.cr-graph .leaf .cr-box{fill:#dce8fb}
.cr-graph .const .cr-box{fill:#eee}
.cr-graph .module .cr-box{fill:#f3ecfa;stroke:#8a6bb0;stroke-dasharray:4 2}
.cr-graph .elided .cr-box{stroke-dasharray:3 3}
.cr-graph .output .cr-box{stroke-width:2.5}
.cr-graph text.cr-value{fill:#1f5fbf}
.cr-graph text.cr-grad,.cr-graph text.cr-elabel{fill:#c62828}
.cr-graph .cr-line{fill:none;stroke:#1f5fbf;stroke-width:1.3}
.cr-graph .cr-head{fill:#1f5fbf}
.cr-graph .cr-bhead{display:none}
.cr-graph .elided .cr-line{stroke-dasharray:4 3}
.cr-graph .cr-cluster rect{fill:none;stroke:#9e9e9e;stroke-dasharray:2 2}
.cr-graph .cr-cluster text{fill:#555}
"""


class Drawing:
    """One picture of a graph: what is shown (collapse.View) and where (layout.Placed),
    with each box's text."""

    def __init__(self, graph, expand=0, max_nodes=300):
        self.graph = graph
        self.expand = expand
        self.view = collapse.build(graph, expand=expand, max_nodes=max_nodes)
        self.has_grads = graph.has_grads
        self.lines = {v.id: node_lines(graph, v, self.has_grads) for v in self.view.nodes}
        # An edge's gradient is labelled where its source has several uses: there the
        # source's gradient is their sum. With one use, it is the source's own gradient,
        # which its box shows already.
        self.edge_labels = {}
        carrying = [e.backward and not e.elided and e.grad is not None for e in self.view.edges]
        uses = Counter(e.src for e, c in zip(self.view.edges, carrying) if c)
        for k, e in enumerate(self.view.edges):
            if carrying[k] and uses[e.src] > 1:
                self.edge_labels[k] = fmt.compact(e.grad)
        boxes = {}
        for v in self.view.nodes:
            lines = self.lines[v.id]
            w = max(len(t) for _, t in lines) * CHAR_W + 2 * BOX_PAD_X
            h = len(lines) * LINE_H + 2 * BOX_PAD_Y
            boxes[v.id] = (round(w), h, v.group if v.group in self.view.clusters else None)
        clusters = {}
        for gid in self.view.clusters:
            g = graph.groups[gid]
            clusters[gid] = (g.parent, len(g.label) * CHAR_W, LINE_H)
        edges = []
        for k, e in enumerate(self.view.edges):
            text = self.edge_labels.get(k)
            size = None if text is None else (len(text) * CHAR_W, LINE_H)
            edges.append((k, e.src, e.dst, size, e.index))
        self.placed = layout(boxes, edges, clusters)

    @property
    def width(self):
        return self.placed.width

    @property
    def height(self):
        return self.placed.height


def node_lines(graph, v, has_grads):
    """The lines of a box: [(class, text)], its title first."""
    lines = []
    if v.kind == "elided":
        return [("cr-title", v.label)]
    if v.kind == "module":
        lines.append(("cr-title", v.label))
    else:
        n = v.node
        if n.kind == "op":
            lines.append(("cr-title", graph.expression_of(n)))
        elif n.kind == "const" and v.value is not None and v.value.ndim == 0:
            # a Python number: its value, and its name where the code gave it one
            text = fmt.number(v.value)
            return [("cr-title", text if n.name == text else f"{n.name} = {text}")]
        else:
            lines.append(("cr-title", n.name))
    if v.value is not None:
        lines.append(("cr-value", "value " + fmt.compact(v.value)))
    requires_grad = v.kind == "module" or v.node.requires_grad
    if has_grads and requires_grad:
        lines.append(("cr-grad", "grad " + ("?" if v.grad is None else fmt.compact(v.grad))))
    return [(c, _cut(t)) for c, t in lines]


def _cut(text):
    return text if len(text) <= MAX_CHARS else text[: MAX_CHARS - 1] + "…"


def _n(v):
    r = round(v, 1)
    return str(int(r)) if r == int(r) else str(r)


def _head(tip, before):
    """An arrowhead at `tip`, pointing away from `before`."""
    (x, y), (bx, by) = tip, before
    dx, dy = x - bx, y - by
    d = (dx * dx + dy * dy) ** 0.5 or 1.0
    ux, uy = dx / d, dy / d
    px, py = -uy, ux
    a = (x - ux * HEAD + px * HEAD * 0.45, y - uy * HEAD + py * HEAD * 0.45)
    b = (x - ux * HEAD - px * HEAD * 0.45, y - uy * HEAD - py * HEAD * 0.45)
    return f"M{_n(x)},{_n(y)}L{_n(a[0])},{_n(a[1])}L{_n(b[0])},{_n(b[1])}Z"


def svg_body(drawing, standalone=False):
    """The SVG element of a drawing: in an HTML page (no namespace needed there), or
    `standalone`, a file of its own with its style."""
    d = drawing
    p = d.placed
    xmlns = ' xmlns="http://www.w3.org/2000/svg"' if standalone else ""
    out = [
        f'<svg{xmlns} class="cr-graph" '
        f'width="{_n(p.width)}" height="{_n(p.height)}" '
        f'viewBox="0 0 {_n(p.width)} {_n(p.height)}">'
    ]
    if standalone:
        out.append(f"<style>{STYLE}</style>")
    out.append('<g class="cr-clusters">')
    for gid in sorted(p.clusters, key=lambda g: d.graph.groups[g].depth):
        x, y, w, h = p.clusters[gid]
        tx, ty = p.titles[gid]
        label = escape(d.graph.groups[gid].label)
        out.append(
            f'<g class="cr-cluster" data-group="{escape(gid)}">'
            f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" rx="8"/>'
            f'<text x="{_n(tx)}" y="{_n(ty + LINE_H - 4)}">{label}</text></g>'
        )
    out.append("</g>")
    out.append('<g class="cr-edges">')
    for k, e in enumerate(d.view.edges):
        r = p.edges[k]
        cls = "cr-edge" + (" elided" if e.elided else "") + (" nograd" if not e.backward else "")
        pts = r.points
        parts = [
            f'<g class="{cls}" data-src="{e.src}" data-dst="{e.dst}">',
            f'<path class="cr-line" d="{r.path()}"/>',
            f'<path class="cr-head" d="{_head(pts[-1], pts[-2])}"/>',
        ]
        if e.backward and not e.elided:
            parts.append(f'<path class="cr-bhead" d="{_head(pts[0], pts[1])}"/>')
        text = d.edge_labels.get(k)
        if text is not None and r.label is not None:
            x, y = r.label[0], r.label[1] + LINE_H - 4
            parts.append(f'<text class="cr-elabel" x="{_n(x)}" y="{_n(y)}">{escape(text)}</text>')
        parts.append("</g>")
        out.append("".join(parts))
    out.append("</g>")
    out.append('<g class="cr-nodes">')
    for v in d.view.nodes:
        x, y, w, h = p.nodes[v.id]
        cls = "cr-node " + v.kind
        if v.node is not None and v.node.is_output:
            cls += " output"
        group = f' data-group="{escape(v.gid)}"' if v.kind == "module" else ""
        parts = [
            f'<g class="{cls}" data-id="{v.id}"{group} transform="translate({_n(x)},{_n(y)})">',
            f'<rect class="cr-box" width="{_n(w)}" height="{_n(h)}" rx="5"/>',
        ]
        for i, (c, t) in enumerate(d.lines[v.id]):
            ty = BOX_PAD_Y + (i + 1) * LINE_H - 4
            parts.append(f'<text class="{c}" x="{BOX_PAD_X}" y="{ty}">{escape(t)}</text>')
        parts.append("</g>")
        out.append("".join(parts))
    out.append("</g></svg>")
    return "\n".join(out)


def to_svg(graph, expand=0, max_nodes=300):
    """A standalone SVG document of the graph, every value and gradient shown."""
    body = svg_body(Drawing(graph, expand=expand, max_nodes=max_nodes), standalone=True)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'
