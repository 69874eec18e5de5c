"""chainrule.viz: trace a graph, draw it with its values and gradients, explain it."""
