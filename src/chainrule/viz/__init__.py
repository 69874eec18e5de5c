"""chainrule.viz: trace a graph, draw it with its values and gradients, explain it.

    g = chainrule.viz.trace(loss)      # the graph behind loss (values it saved)
    loss.backward()                    # gradients along every edge are caught
    g.save("graph.html")               # step through forward and backward in a browser
    g.to_dot(); g.save("graph.svg")    # Graphviz
    chainrule.explain(loss)            # the chain rule with this graph's numbers

`with chainrule.viz.record():` around the forward pass keeps every op's value
and the nn.Module that made it (nodes are grouped by module).
"""

from .explain import Explanation
from .record import Recording, record
from .render import GraphvizNotFoundError, LayoutLibraryNotFoundError
from .trace import Graph, explain, trace
from .traced import GEdge, GNode, Group

__all__ = [
    "Explanation",
    "GEdge",
    "GNode",
    "Graph",
    "GraphvizNotFoundError",
    "Group",
    "LayoutLibraryNotFoundError",
    "Recording",
    "explain",
    "record",
    "trace",
]
