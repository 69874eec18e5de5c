"""chainrule.viz: trace a graph, draw it with its values and gradients, explain it.

    g = chainrule.viz.trace(loss)      # the graph behind loss (values it saved)
    loss.backward()                    # gradients along every edge are caught
    g.save("graph.html")               # step through forward and backward in a browser
    g.save("graph.svg")                # the picture (in a notebook: just `g`)
    g.to_dot(); g.save("graph.png")    # Graphviz, where installed
    chainrule.explain(loss)            # the chain rule with this graph's numbers

`with chainrule.viz.record():` around the forward pass keeps every op's value
and the nn.Module that made it (nodes are grouped by module).
"""

from .explain import Explanation
from .record import Recording, record
from .render import GraphvizNotFoundError
from .trace import Graph, explain, trace
from .traced import GEdge, GNode, Group

__all__ = [
    "Explanation",
    "GEdge",
    "GNode",
    "Graph",
    "GraphvizNotFoundError",
    "Group",
    "Recording",
    "explain",
    "record",
    "trace",
]
