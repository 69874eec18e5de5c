"""What a picture shows of a Graph: module groups collapsed to boxes, and a size limit.

A module group deeper than `expand` is drawn as one box (its value and
gradient are those of the node its output leaves by); groups up to that depth
are clusters around their nodes. A group is one call of a module, so a module
called twice is two boxes. When more than `max_nodes` remain, those
nearest the output are kept and the rest become one "elided" node whose label
says how many nodes of which kinds it stands for.
"""

import re
from collections import Counter

from .traced import node_grad, node_value, paused_gc

ELIDED = "elided"


class VNode:
    __slots__ = ("id", "kind", "node", "group", "gid", "members", "label", "value", "grad", "rank")

    def __init__(self, vid, kind, node=None, group=None):
        self.id = vid
        self.kind = kind  # leaf, const, op, module, elided
        self.node = node  # the GNode it shows (None for modules and the elided node)
        self.group = group  # the cluster it is drawn in
        self.gid = None  # for a collapsed module: the group it stands for
        self.members = []
        self.label = ""
        self.value = None
        self.grad = None
        self.rank = 0


class VEdge:
    __slots__ = ("src", "dst", "value", "grad", "backward", "elided", "index", "count")

    def __init__(self, src, dst, value, grad, backward, elided=False, index=0):
        self.src = src
        self.dst = dst
        self.value = value
        self.grad = grad
        self.backward = backward  # whether a gradient flows back along it
        self.elided = elided
        self.index = index  # the operand it feeds, in written order (the first of several)
        self.count = 1  # how many edges of the graph it stands for


class View:
    def __init__(self, nodes, edges, clusters, note):
        self.nodes = nodes
        self.edges = edges
        self.clusters = clusters  # expanded groups that hold something drawn
        self.note = note


def box_id(gid):
    """The drawn id of a collapsed group's box: `m_conv1`, `m_pooling_2`."""
    return "m_" + re.sub(r"\W", "_", gid)


def collapsed_root(graph, gid, expand):
    """The outermost group around `gid` that is collapsed (None if all are expanded)."""
    if expand is None or gid is None:
        return None
    chain = []
    while gid is not None:
        chain.append(gid)
        gid = graph.groups[gid].parent
    for g in reversed(chain):
        if graph.groups[g].depth > expand:
            return g
    return None


def build(graph, expand=0, max_nodes=500):
    """The View of `graph`: groups below depth `expand` collapsed (None: none collapsed)."""
    with paused_gc():
        return _build(graph, expand, max_nodes)


def _build(graph, expand, max_nodes):
    gnodes = graph.nodes  # synced
    by_id = {n.id: n for n in gnodes}
    rep = {}
    vnodes = {}
    order = []
    for n in gnodes:
        box = collapsed_root(graph, n.group, expand)
        if box is None:
            v = VNode(n.id, n.kind, n, n.group)
            v.value = node_value(n)
            v.grad = node_grad(n)
            vnodes[n.id] = v
            order.append(v)
            rep[n.id] = n.id
        else:
            vid = box_id(box)
            v = vnodes.get(vid)
            if v is None:
                v = VNode(vid, "module", None, graph.groups[box].parent)
                v.gid = box
                v.label = graph.groups[box].label
                vnodes[vid] = v
                order.append(v)
            v.members.append(n)
            rep[n.id] = vid
    # Ranks: how late in the forward pass a node (or its first consumer) is made.
    for v in order:
        if v.kind == "module":
            v.rank = max(m.order for m in v.members)
        elif v.kind == "op":
            v.rank = v.node.order
    for e in graph.edges:
        s = vnodes[rep[e.src]]
        if s.kind in ("leaf", "const"):
            s.rank = max(s.rank, by_id[e.dst].order) if s.rank else by_id[e.dst].order
    # Module boxes show the value leaving them.
    outside = {}
    for e in graph.edges:
        if rep[e.src] != rep[e.dst] and vnodes[rep[e.src]].kind == "module":
            outside.setdefault(rep[e.src], {})[e.src] = by_id[e.src]
    for v in order:
        if v.kind == "module":
            leaving = list(outside.get(v.id, {}).values())
            leaving += [m for m in v.members if m.is_output and m not in leaving]
            if len(leaving) == 1:
                v.value = node_value(leaving[0])
                v.grad = node_grad(leaving[0])
    edges = {}
    for e in graph.edges:
        s, d = rep[e.src], rep[e.dst]
        if s == d:
            continue
        src = by_id[e.src]
        key = (s, d)
        backward = src.requires_grad
        value = node_value(src, e.output_nr)
        old = edges.get(key)
        if old is None:
            # where the code wrote the operand (x in x * w first, though Python ran w * x)
            written = by_id[e.dst].operand_order
            index = written.index(e.index) if written and e.index in written else e.index
            edges[key] = VEdge(s, d, value, e.grad, backward, index=index)
        else:
            old.count += 1
            if e.grad is not None:
                old.grad = e.grad if old.grad is None else old.grad + e.grad
    edges = list(edges.values())
    note = ""
    if max_nodes is not None and len(order) > max_nodes:
        order, edges, note = _elide(order, edges, max_nodes, len(gnodes))
    shown = {v.group for v in order if v.group is not None}
    clusters = set()
    for gid in shown:
        while gid is not None:
            clusters.add(gid)
            gid = graph.groups[gid].parent
    return View(order, edges, clusters, note)


def _elide(order, edges, max_nodes, n_total):
    keep_n = max(1, max_nodes - 1)
    ranked = sorted(order, key=lambda v: v.rank, reverse=True)
    keep = {v.id for v in ranked[:keep_n]}
    gone = [v for v in order if v.id not in keep]
    counts = Counter()
    for v in gone:
        if v.kind == "module":
            counts[v.label] += 1
        elif v.kind == "op":
            counts[v.node.op_name] += 1
        else:
            counts[v.kind] += 1
    n_gone = sum(len(v.members) if v.kind == "module" else 1 for v in gone)
    kinds = ", ".join(f"{k} x{c:,}" for k, c in counts.most_common(4))
    if len(counts) > 4:
        kinds += ", ..."
    elided = VNode(ELIDED, ELIDED)
    elided.label = f"... {n_gone:,} more nodes ({kinds})"
    elided.rank = -1
    note = (
        f"{n_gone:,} of {n_total:,} nodes elided: showing the {len(keep):,} nearest the "
        f"output (raise max_nodes to see more)"
    )
    kept = [elided] + [v for v in order if v.id in keep]
    new_edges = []
    seen = set()
    for e in edges:
        s_in, d_in = e.src in keep, e.dst in keep
        if s_in and d_in:
            new_edges.append(e)
        elif d_in and not s_in:
            key = (ELIDED, e.dst)
            if key not in seen:
                seen.add(key)
                new_edges.append(VEdge(ELIDED, e.dst, None, None, e.backward, elided=True))
        elif s_in and not d_in:
            key = (e.src, ELIDED)
            if key not in seen:
                seen.add(key)
                new_edges.append(VEdge(e.src, ELIDED, None, None, e.backward, elided=True))
    return kept, new_edges, note
