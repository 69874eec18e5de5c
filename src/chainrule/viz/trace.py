"""trace(output) and explain(output): a tensor's graph as a Graph to draw and read.

Graph is the traced graph (traced.py) with the methods that draw it (DOT, SVG,
the HTML page, Jupyter's reprs) and explain it; trace() walks the autograd graph
behind a tensor into one.
"""

import sys

from ..tensor import Tensor
from . import names as _names
from .dot import to_dot
from .explain import explain_graph
from .page import to_html
from .record import find_recording
from .save import save
from .svg import to_svg
from .traced import TracedGraph, paused_gc
from .walk import walk


class Graph(TracedGraph):
    """A traced graph. Draw it (`save`, `to_svg`, `to_html`, `to_dot`, in Jupyter), read
    it (`nodes`, `edges`, `node(name)`) or explain it (`explain()`)."""

    def to_dot(self, **kwargs):
        """Graphviz DOT text: forward edges blue, backward edges red, with values and grads."""
        return to_dot(self, **kwargs)

    def to_svg(self, **kwargs):
        """The picture as SVG text, laid out by chainrule (no outside tool)."""
        return to_svg(self, **kwargs)

    def to_html(self, **kwargs):
        """The step-through page as a string (`embed=True`: a fragment for a notebook)."""
        return to_html(self, **kwargs)

    def save(self, path, **kwargs):
        """Write the graph: .html (self-contained, step-through), .svg, .dot, or .png/.pdf
        (through Graphviz's `dot`, where installed). Returns the path."""
        return save(self, path, **kwargs)

    def _repr_html_(self):
        # A notebook shows the first of a result's reprs that is not None: where the page
        # cannot be made, the SVG instead of an error.
        try:
            return to_html(self, embed=True)
        except Exception:  # noqa: BLE001
            return None

    def _repr_svg_(self):
        try:
            return to_svg(self)
        except Exception:  # noqa: BLE001  (the notebook then shows the text repr)
            return None

    def explain(self, **kwargs):
        """Print (and return) the chain rule for this graph, with its numbers."""
        return explain_graph(self, **kwargs)

    def __repr__(self):
        ops = sum(1 for n in self._nodes if n.kind == "op")
        return f"<chainrule.viz.Graph: {len(self._nodes)} nodes ({ops} ops), output {self.output}>"


def trace(output, *, recording=None, names=None, frame=None, depth=0):
    """The Graph of everything `output` depends on.

    Names come from the caller's variables (or `frame`, or a dict `names` of
    name -> tensor or module). Inside or after `chainrule.viz.record()` every
    op's value and module is known; without it, the values the graph saved.
    Gradients appear once backward runs through the graph (`graph.backward()`,
    or the user's own `loss.backward()` after this call).
    """
    if not isinstance(output, Tensor):
        raise TypeError(f"trace() expects a Tensor, but got {type(output).__name__}")
    if frame is None:
        frame = sys._getframe(1 + depth)
    found = _names.from_frame(frame, names)
    root = output.grad_fn
    if root is None and output._requires_grad:
        root = output._accumulator()
    if recording is None and root is not None:
        recording = find_recording(root)
    if recording is not None:
        recording.read_names()
    with paused_gc():
        nodes, edges, groups = walk(output, root, found, recording)
        graph = Graph(output, nodes, edges, groups, recording)
        for n in nodes:
            if n.kind == "op" and (
                recording is None or not recording.grads or n.fn not in recording.entries
            ):
                graph._hook(n.fn)
    return graph


def explain(output, *, max_nodes=40, file=None, quiet=False, names=None):
    """Print (and return) the chain rule for the graph of `output`, with its numbers."""
    graph = trace(output, names=names, frame=sys._getframe(1))
    return explain_graph(graph, max_nodes=max_nodes, file=file, quiet=quiet)
