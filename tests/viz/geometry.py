"""Checks on a drawing's geometry: what overlaps what, from the layout's own numbers.

A drawing is fine when no two boxes overlap, every box lies inside its cluster and
sibling clusters apart, no edge runs through a box other than its two ends, and no
text (an edge's label, a cluster's title) touches a box, an edge or another text.
"""

from chainrule.viz import svg as _svg

EPS = 0.5  # px of slack for lines that touch a border they end on


def _overlap(a, b, eps=EPS):
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    return ax + eps < bx + bw and bx + eps < ax + aw and ay + eps < by + bh and by + eps < ay + ah


def _inside(a, b, eps=EPS):
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    inside_x = ax >= bx - eps and ax + aw <= bx + bw + eps
    return inside_x and ay >= by - eps and ay + ah <= by + bh + eps


def route_points(route, step=2.0):
    """Points along an edge's path, at most `step` px apart."""
    out = []
    pts = route.points
    for (x0, y0), (x1, y1), curve in zip(pts, pts[1:], route.curves):
        n = max(2, int((abs(x1 - x0) + abs(y1 - y0)) / step) + 1)
        for k in range(n + 1):
            t = k / n
            if curve and x0 != x1:  # the same cubic as Route.path()
                my = (y0 + y1) / 2
                a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t**2, t**3
                x = (a + b) * x0 + (c + d) * x1
                y = a * y0 + (b + c) * my + d * y1
            else:
                x, y = x0 + (x1 - x0) * t, y0 + (y1 - y0) * t
            out.append((x, y))
    return out


def _hits(point, rect, eps=EPS):
    x, y = point
    rx, ry, rw, rh = rect
    return rx + eps < x < rx + rw - eps and ry + eps < y < ry + rh - eps


def drawing_problems(drawing):
    """problems() of a chainrule drawing (svg.Drawing)."""
    view, groups = drawing.view, drawing.graph.groups
    label_sizes = {
        k: (len(text) * _svg.CHAR_W, _svg.LINE_H) for k, text in drawing.edge_labels.items()
    }
    title_sizes = {g: (len(groups[g].label) * _svg.CHAR_W, _svg.LINE_H) for g in view.clusters}
    return problems(
        drawing.placed,
        {v.id: (v.group if v.group in view.clusters else None) for v in view.nodes},
        {g: groups[g].parent for g in view.clusters},
        [(k, e.src, e.dst) for k, e in enumerate(view.edges)],
        label_sizes,
        title_sizes,
    )


def problems(placed, node_group, cluster_parent, edges, label_sizes, title_sizes):
    """What is wrong with a layout's geometry, as sentences (empty when nothing is).

    node_group: box id -> its cluster (None: none); cluster_parent: cluster -> parent;
    edges: (key, src, dst); label_sizes: edge key -> (w, h) of its label;
    title_sizes: cluster -> (w, h) of its title.
    """
    p = placed
    found = []
    boxes = p.nodes
    ids = list(boxes)
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            if _overlap(boxes[a], boxes[b]):
                found.append(f"boxes {a} and {b} overlap")
    for nid, gid in node_group.items():
        if gid is not None and not _inside(boxes[nid], p.clusters[gid]):
            found.append(f"box {nid} is outside its cluster {gid}")
    cids = list(p.clusters)
    for i, a in enumerate(cids):
        pa = cluster_parent[a]
        if pa is not None and not _inside(p.clusters[a], p.clusters[pa]):
            found.append(f"cluster {a} is outside its parent {pa}")
        for b in cids[i + 1 :]:
            if cluster_parent[b] == pa and _overlap(p.clusters[a], p.clusters[b]):
                found.append(f"clusters {a} and {b} overlap")
        for nid, gid in node_group.items():
            if _not_within(gid, a, cluster_parent) and _overlap(boxes[nid], p.clusters[a]):
                found.append(f"box {nid} overlaps cluster {a}, which does not hold it")
    texts = []  # (what, rect)
    for k, r in p.edges.items():
        if r.label is not None:
            w, h = label_sizes[k]
            texts.append((f"label of edge {k}", (r.label[0], r.label[1], w, h)))
    for gid, (x, y) in p.titles.items():
        w, h = title_sizes[gid]
        texts.append((f"title of {gid}", (x, y, w, h)))
        if not _inside((x, y, w, h), p.clusters[gid]):
            found.append(f"the title of {gid} is outside its cluster")
    for i, (what, rect) in enumerate(texts):
        for nid in ids:
            if _overlap(rect, boxes[nid]):
                found.append(f"{what} overlaps box {nid}")
        for what2, rect2 in texts[i + 1 :]:
            if _overlap(rect, rect2):
                found.append(f"{what} overlaps {what2}")
    for k, src, dst in edges:
        pts = route_points(p.edges[k])
        for nid in ids:
            if nid in (src, dst):
                continue
            if any(_hits(pt, boxes[nid]) for pt in pts):
                found.append(f"edge {src}->{dst} runs through box {nid}")
        for what, rect in texts:
            if any(_hits(pt, rect) for pt in pts):
                found.append(f"edge {src}->{dst} runs through the {what}")
    return found


def _not_within(gid, cluster, parent):
    """Whether group gid (None: the top) is not cluster or inside it."""
    while gid is not None:
        if gid == cluster:
            return False
        gid = parent[gid]
    return True
