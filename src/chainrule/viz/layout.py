"""A layered drawing of a graph, top to bottom, computed in Python (no outside tool).

Sugiyama's four steps, on each graph of boxes:

1. ranks: the longest path from the sources; a source (a leaf, a constant)
   then moves down to just above its first consumer, so a weight sits beside
   the op that reads it. Ranks are doubled: the odd ones hold edge labels.
2. order within a rank: barycentre sweeps down and up, keeping the order with
   the fewest crossings; operands start in the order they were written.
3. x: each rank in turn moves as close as its order allows to where its
   neighbours pull it (a weighted isotonic regression whose constraints are
   the separations), alternately from above and from below. Long edges weigh
   most, so they run straight.
4. edges: an edge longer than one rank is a chain of dummies, one per rank it
   crosses, so it has a lane of its own; its label is a dummy in the label
   rank just above its target, as wide as the text. So no label lies on a
   node or another edge, and no edge crosses a node.

Clusters (module groups) are laid out first, innermost first, each as a graph
of its own with a port on its top border for each value coming in and on its
bottom border for each value going out; in its parent a cluster is one box,
and an edge into it continues from its port. Boxes of different clusters
therefore never overlap, and an edge enters a cluster only through its border.
"""

from collections import defaultdict

# Spacing, in px.
NODE_SEP = 16  # between boxes side by side
LANE_SEP = 8  # between an edge lane and its neighbour
GAP = 12  # between a rank and the label rank below it (room for the curves)
RANK_GAP = 22  # between two ranks when no label lies between them
LABEL_PAD = 4  # between an edge and its label
PAD = 8  # inside a cluster's border
MARGIN = 6  # around the whole drawing
SWEEPS = 8  # rounds of crossing reduction (down and up)
ROUNDS = 8  # rounds of x placement (down and up)


class Placed:
    """Where everything went: boxes (x, y, width, height: top-left corner), clusters
    likewise, and each edge's route."""

    def __init__(self, width, height, nodes, clusters, edges, titles):
        self.width = width
        self.height = height
        self.nodes = nodes  # id -> (x, y, w, h)
        self.clusters = clusters  # id -> (x, y, w, h)
        self.edges = edges  # key -> Route
        self.titles = titles  # cluster id -> (x, y) of its title's top-left corner


class Route:
    """An edge's path: points joined by straight lines and vertical S-curves."""

    __slots__ = ("points", "curves", "label", "reversed")

    def __init__(self, points, curves, label, reversed_=False):
        self.points = points  # [(x, y)], from the source to the target
        self.curves = curves  # curves[i]: whether points i -> i+1 is an S-curve
        self.label = label  # (x, y) of the label's top-left corner, or None
        self.reversed = reversed_  # drawn against the ranks (an edge that closed a cycle)

    def path(self):
        """SVG path data."""
        (x, y), parts = self.points[0], []
        parts.append(f"M{_n(x)},{_n(y)}")
        for (x0, y0), (x1, y1), curve in zip(self.points, self.points[1:], self.curves):
            if curve and x0 != x1:
                my = (y0 + y1) / 2
                parts.append(f"C{_n(x0)},{_n(my)} {_n(x1)},{_n(my)} {_n(x1)},{_n(y1)}")
            else:
                parts.append(f"L{_n(x1)},{_n(y1)}")
        return "".join(parts)


def _n(v):
    r = round(v, 1)
    return str(int(r)) if r == int(r) else str(r)


def layout(nodes, edges, clusters=None):
    """Lay out boxes, edges and clusters.

    nodes: {id: (width, height, cluster id or None)}.
    edges: [(key, src id, dst id, label (width, height) or None, operand index)].
    clusters: {id: (parent id or None, title width, title height)}; every cluster named
    by a node must be there, with its ancestors.
    """
    return _Composer(nodes, edges, clusters or {}).run()


# -- one layered graph ------------------------------------------------------------------


class _Item:
    __slots__ = ("key", "kind", "left", "right", "height", "rank", "pos", "x", "ins", "outs", "n")

    def __init__(self, key, kind, left, right, height, n):
        self.key = key
        self.kind = kind  # node, cluster, dummy, label, in, out
        self.left = left  # extent left of x
        self.right = right  # extent right of x
        self.height = height
        self.rank = 0
        self.pos = 0
        self.x = 0.0
        self.ins = []  # pieces arriving
        self.outs = []  # pieces leaving
        self.n = n  # creation number: the order things were made in


class _Piece:
    """One rank-to-rank step of an edge inside one layered graph."""

    __slots__ = ("src", "dst", "src_off", "dst_off", "slot", "index", "weight", "lead")

    def __init__(self, src, dst, index):
        self.src = src
        self.dst = dst
        self.src_off = 0.0  # where it leaves its source, from the centre: a cluster's port
        self.dst_off = 0.0  # where it enters its target: a cluster's port
        self.slot = 0.0  # where along its target's top it ends, among the target's inputs
        self.index = index  # operand position at dst (orders operands as written)
        self.weight = 1
        self.lead = 1.0  # how much its source pulls its target (see _chains)


class _Segment:
    """An edge of one layered graph: from an item to an item, maybe with a label."""

    __slots__ = (
        "src",
        "dst",
        "label",
        "index",
        "chain",
        "pieces",
        "reversed",
        "src_port",
        "dst_port",
    )

    def __init__(self, src, dst, label, index, src_port=None, dst_port=None):
        self.src = src
        self.dst = dst
        self.label = label
        self.index = index
        self.src_port = src_port  # key of the port on a cluster item it leaves by
        self.dst_port = dst_port  # key of the port on a cluster item it enters by
        self.chain = []
        self.pieces = []
        self.reversed = False


class _Layered:
    """One graph of items, laid out in ranks."""

    def __init__(self):
        self.items = []
        self.segments = []
        self.by_key = {}
        self.ports = {}  # (in|out, key) -> port item
        self.title = None  # (width, height) of a cluster's title, drawn in rank 0
        self.title_x = 0.0

    def add(self, key, kind, width, height):
        it = _Item(key, kind, width / 2, width / 2, height, len(self.items))
        self.items.append(it)
        self.by_key[key] = it
        return it

    def port(self, side, key):
        p = self.ports.get((side, key))
        if p is None:
            p = self.add((side, key), side, 2, 0)
            self.ports[(side, key)] = p
        return p

    def run(self, port_offsets):
        """Lay out; port_offsets(item, port key, "in" or "out") gives where on a cluster
        item an edge attaches (x from its centre). Returns (width, height)."""
        self._break_cycles()
        self._rank()
        self._chains()
        self._order()
        self._attach(port_offsets)
        self._place_x()
        self._place_title()
        return self._place_y()

    # 0. cycles: an edge that closes one is laid out reversed
    def _break_cycles(self):
        succ = defaultdict(list)
        for s in self.segments:
            succ[s.src].append(s)
        state = {}
        for root in self.items:
            if root in state:
                continue
            state[root] = 1
            stack = [(root, iter(succ[root]))]
            while stack:
                it, edges = stack[-1]
                for s in edges:
                    nxt = s.dst
                    st = state.get(nxt)
                    if st is None:
                        state[nxt] = 1
                        stack.append((nxt, iter(succ[nxt])))
                        break
                    if st == 1:
                        s.reversed = True
                else:
                    state[it] = 2
                    stack.pop()
        for s in self.segments:
            if s.reversed:
                s.src, s.dst = s.dst, s.src
                s.src_port, s.dst_port = s.dst_port, s.src_port

    # 1. ranks
    def _rank(self):
        preds = defaultdict(list)
        succs = defaultdict(list)
        for s in self.segments:
            if s.src is not s.dst:
                preds[s.dst].append(s.src)
                succs[s.src].append(s.dst)
        indeg = {it: len(preds[it]) for it in self.items}
        ready = [it for it in self.items if indeg[it] == 0]
        order = []
        while ready:
            it = ready.pop()
            order.append(it)
            for nxt in succs[it]:
                indeg[nxt] -= 1
                if indeg[nxt] == 0:
                    ready.append(nxt)
        has_in = any(it.kind == "in" for it in self.items) or self.title is not None
        first = 1 if has_in else 0
        for it in order:
            if it.kind == "in":
                it.rank = 0
            elif preds[it]:
                it.rank = max(p.rank for p in preds[it]) + 1
            else:
                it.rank = first
        # Sources move down to just above their first consumer.
        for it in reversed(order):
            if not preds[it] and it.kind not in ("in", "out") and succs[it]:
                it.rank = max(it.rank, min(s.rank for s in succs[it]) - 1)
        last = max((it.rank for it in self.items if it.kind != "out"), default=0)
        for it in self.items:
            if it.kind == "out":
                it.rank = last + 1
        for it in self.items:
            it.rank *= 2
        self.n_ranks = max((it.rank for it in self.items), default=0) + 1

    # dummies: one per rank an edge crosses; the label's in the rank above the target
    def _chains(self):
        # A box with no inputs (a weight, a constant) follows the op that reads it rather
        # than leading it, so a chain of ops that each read a constant (y * 1.0, again and
        # again) runs straight, its constants beside it.
        fed = {s.dst for s in self.segments}
        for s in self.segments:
            lead = 1e-4 if s.src not in fed and s.src.kind in ("node", "cluster") else 1.0
            chain = [s.src]
            for r in range(s.src.rank + 1, s.dst.rank):
                is_label = s.label is not None and r == s.dst.rank - 1 and not s.reversed
                if s.reversed and s.label is not None and r == s.src.rank + 1:
                    is_label = True
                if is_label:
                    d = self.add(None, "label", 0, s.label[1])
                    d.left, d.right = 1.0, 1.0 + LABEL_PAD + s.label[0]
                else:
                    d = self.add(None, "dummy", 0, 0)
                    d.left = d.right = 1.0
                d.rank = r
                chain.append(d)
            chain.append(s.dst)
            s.chain = chain
            for a, b in zip(chain, chain[1:]):
                p = _Piece(a, b, s.index if b is s.dst else 0)
                real = (a.kind not in ("dummy", "label")) + (b.kind not in ("dummy", "label"))
                p.weight = (8, 2, 1)[real]
                p.lead = lead
                a.outs.append(p)
                b.ins.append(p)
                s.pieces.append(p)

    # 2. order within ranks
    def _order(self):
        ranks = [[] for _ in range(self.n_ranks)]
        for it in sorted(self.items, key=lambda it: it.n):
            ranks[it.rank].append(it)
        # First order: from the bottom up, each item under its consumers' operand slots.
        for r in range(self.n_ranks - 2, -1, -1):
            below = {it: i for i, it in enumerate(ranks[r + 1])}

            def key(it, below=below):
                ks = [below[p.dst] + _slot(p) for p in it.outs if p.dst in below]
                return min(ks) if ks else len(below) + it.n * 1e-6

            ranks[r].sort(key=key)
        self._number(ranks)
        best = [list(r) for r in ranks]
        best_c = self._crossings(ranks)
        for sweep in range(SWEEPS):
            if best_c == 0:
                break
            if sweep % 2 == 0:
                for r in range(1, self.n_ranks):
                    self._sort(ranks[r], lambda it: [p.src.pos for p in it.ins])
            else:
                for r in range(self.n_ranks - 2, -1, -1):
                    self._sort(ranks[r], lambda it: [p.dst.pos + _slot(p) for p in it.outs])
            c = self._crossings(ranks)
            if c < best_c:
                best_c = c
                best = [list(r) for r in ranks]
        self.ranks = best
        self._number(best)

    def _sort(self, rank, neighbours):
        keyed = []
        for it in rank:
            ps = neighbours(it)
            keyed.append((sum(ps) / len(ps) if ps else it.pos, it.pos, it))
        keyed.sort(key=lambda k: (k[0], k[1]))
        rank[:] = [k[2] for k in keyed]
        for i, it in enumerate(rank):
            it.pos = i

    @staticmethod
    def _number(ranks):
        for rank in ranks:
            for i, it in enumerate(rank):
                it.pos = i

    def _crossings(self, ranks):
        total = 0
        for rank in ranks[:-1]:
            pairs = sorted((p.src.pos, p.dst.pos) for it in rank for p in it.outs)
            total += _inversions([b for _, b in pairs])
        return total

    # where edges attach: a cluster's at its ports; a box's inputs spread along its top
    # in the order of their sources (the x placement aims at its centre, so that a chain
    # of ops that each read a second operand runs straight)
    def _attach(self, port_offsets):
        for s in self.segments:
            first, last = s.pieces[0], s.pieces[-1]
            if s.src.kind == "cluster" and s.src_port is not None:
                first.src_off = port_offsets(s.src, s.src_port, "out")
            if s.dst.kind == "cluster" and s.dst_port is not None:
                last.dst_off = port_offsets(s.dst, s.dst_port, "in")
        for it in self.items:
            if it.kind != "node" or len(it.ins) < 2:
                continue
            ins = sorted(it.ins, key=lambda p: (p.src.pos, p.index))
            width = it.left + it.right
            for k, p in enumerate(ins):
                p.slot = -it.left + width * (k + 1) / (len(ins) + 1)

    # 3. x
    def _place_x(self):
        for rank in self.ranks:
            x = 0.0
            prev = None
            for it in rank:
                if prev is not None:
                    x += prev.right + _sep(prev, it) + it.left
                it.x = x
                prev = it

        def above(it):  # where the items above pull it
            return [(p.src.x + p.src_off - p.dst_off, p.weight * p.lead) for p in it.ins]

        def below(it):  # where the items below pull it
            return [(p.dst.x + p.dst_off - p.src_off, p.weight * p.lead) for p in it.outs]

        for _ in range(ROUNDS):
            for r in range(1, self.n_ranks):
                self._pull(self.ranks[r], above)
            for r in range(self.n_ranks - 2, -1, -1):
                self._pull(self.ranks[r], below)
        # a final pass from both sides at once: each item between its neighbours
        for r in range(self.n_ranks):
            self._pull(self.ranks[r], lambda it: above(it) + below(it))
        lo = min((it.x - it.left for it in self.items), default=0.0)
        for it in self.items:
            it.x -= lo

    def _pull(self, rank, wants):
        if not rank:
            return
        targets, weights, seps = [], [], []
        for i, it in enumerate(rank):
            ws = wants(it)
            if ws:
                total = sum(w for _, w in ws)
                targets.append(sum(x * w for x, w in ws) / total)
                weights.append(total)
            else:
                targets.append(it.x)
                weights.append(0.05)
            if i:
                prev = rank[i - 1]
                seps.append(prev.right + _sep(prev, it) + it.left)
        for it, x in zip(rank, _isotonic(targets, weights, seps)):
            it.x = x

    # a cluster's title: at the top left, unless an edge comes in there; then in the
    # first gap between the edges coming in that is wide enough, or after the last
    def _place_title(self):
        if self.title is None:
            return
        width = self.title[0]
        x = 0.0
        for port in sorted(self.ranks[0], key=lambda it: it.x):
            if port.x - port.left - LANE_SEP >= x + width:
                break
            x = max(x, port.x + port.right + LANE_SEP)
        self.title_x = x

    # y: ranks are bands; boxes sit centred in theirs
    def _place_y(self):
        heights = [0.0] * self.n_ranks
        if self.title is not None:
            heights[0] = self.title[1]
        for it in self.items:
            heights[it.rank] = max(heights[it.rank], it.height)
        self.band_top = []
        y = 0.0
        for r in range(self.n_ranks):
            if r % 2:  # a label rank: a gap above it, and one below if it holds a label
                y += GAP
            elif r:
                y += GAP if heights[r - 1] else RANK_GAP - GAP
            self.band_top.append(y)
            y += heights[r]
        self.band_height = heights
        width = max((it.x + it.right for it in self.items), default=0.0)
        if self.title is not None:
            width = max(width, self.title_x + self.title[0])
        return width, y

    def centre_y(self, it):
        return self.band_top[it.rank] + self.band_height[it.rank] / 2

    def route(self, s):
        """The points of segment s in this graph's frame, from the top of the chain down:
        straight through each rank's band, an S-curve across each gap."""
        pts, curves, label = [], [], None
        first = s.chain[0]
        pts.append((first.x + s.pieces[0].src_off, self.centre_y(first) + first.height / 2))
        for piece in s.pieces:
            a, b = piece.src, piece.dst
            bottom = self.band_top[a.rank] + self.band_height[a.rank]
            if pts[-1][1] < bottom:
                pts.append((pts[-1][0], bottom))
                curves.append(False)
            bx = b.x + piece.dst_off + piece.slot
            top = self.band_top[b.rank]
            pts.append((bx, top))
            curves.append(True)
            if b.kind == "label":
                label = (bx + LABEL_PAD, top + (self.band_height[b.rank] - b.height) / 2)
        last = s.chain[-1]
        end = self.centre_y(last) - last.height / 2
        if end > pts[-1][1]:
            pts.append((pts[-1][0], end))
            curves.append(False)
        return pts, curves, label


def _slot(piece):
    """Where on its target an edge arrives, as a fraction in (-0.5, 0.5): operand 0 left."""
    n = len(piece.dst.ins)
    if n < 2:
        return 0.0
    return ((piece.index + 1) / (n + 1) - 0.5) * 0.9


def _sep(a, b):
    if a.kind == "label":  # a label is nearer its own edge than the next thing
        return NODE_SEP + LANE_SEP
    lane_a = a.kind in ("dummy", "label", "in", "out")
    lane_b = b.kind in ("dummy", "label", "in", "out")
    if lane_a and lane_b:
        return LANE_SEP
    return NODE_SEP if not (lane_a or lane_b) else (NODE_SEP + LANE_SEP) / 2


def _isotonic(targets, weights, seps):
    """x minimising sum(w * (x - target)**2) with x[i+1] - x[i] >= seps[i] (the pool
    adjacent violators algorithm on x[i] - sum(seps[:i]))."""
    offsets = [0.0]
    for s in seps:
        offsets.append(offsets[-1] + s)
    blocks = []  # [weighted sum, weight, count]
    for t, w, c in zip(targets, weights, offsets):
        blocks.append([w * (t - c), w, 1])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            s, w2, n = blocks.pop()
            blocks[-1][0] += s
            blocks[-1][1] += w2
            blocks[-1][2] += n
    out = []
    for s, w, n in blocks:
        out.extend([s / w] * n)
    return [y + c for y, c in zip(out, offsets)]


def _inversions(seq):
    """The number of pairs out of order (edge crossings between two ranks)."""
    if len(seq) < 2:
        return 0
    # a Fenwick tree over the values
    values = sorted(set(seq))
    index = {v: i + 1 for i, v in enumerate(values)}
    tree = [0] * (len(values) + 1)
    count = 0
    for seen, v in enumerate(seq):
        i = index[v]
        # how many seen so far are <= v
        le = 0
        j = i
        while j:
            le += tree[j]
            j -= j & -j
        count += seen - le
        j = i
        while j < len(tree):
            tree[j] += 1
            j += j & -j
    return count


# -- clusters inside clusters -----------------------------------------------------------


class _Composer:
    def __init__(self, nodes, edges, clusters):
        self.nodes = nodes
        self.edges = edges
        self.clusters = clusters
        self.graphs = {}  # cluster id (None: the top) -> _Layered
        self.size = {}  # cluster id -> (width, height) of its box
        self.content = {}  # cluster id -> (width, height) of its layered graph
        self.shared = {}  # (graph, src, dst, ports) -> the unlabelled segment between them

    def container_chain(self, node_id):
        """The clusters around a node, innermost first, ending with None (the top)."""
        chain = []
        c = self.nodes[node_id][2]
        while c is not None:
            chain.append(c)
            c = self.clusters[c][0]
        chain.append(None)
        return chain

    def graph(self, cid):
        g = self.graphs.get(cid)
        if g is None:
            g = self.graphs[cid] = _Layered()
            if cid is not None:
                g.title = self.clusters[cid][1:]
        return g

    def item(self, cid, child):
        """The item standing for `child` (a node id, or a cluster id) in cluster cid's graph."""
        g = self.graph(cid)
        it = g.by_key.get(child)
        if it is None:
            if child in self.nodes:
                w, h, _ = self.nodes[child]
                it = g.add(child, "node", w, h)
            else:
                it = g.add(child, "cluster", 0, 0)  # sized once its own graph is laid out
        return it

    def run(self):
        # every box in its container's graph, in the order given (forward order)
        for nid in self.nodes:
            chain = self.container_chain(nid)
            self.item(chain[0], nid)
            for inner, outer in zip(chain[:-1], chain[1:]):
                self.item(outer, inner)
        self.pieces = {}
        for key, src, dst, label, index in self.edges:
            self.pieces[key] = self._segments(src, dst, label, index)
        # innermost clusters first
        order = sorted(self.graphs, key=lambda c: -self._depth(c))
        for cid in order:
            g = self.graphs[cid]
            for it in g.items:
                if it.kind == "cluster":
                    w, h = self.size[it.key]
                    it.left = it.right = w / 2
                    it.height = h
            w, h = g.run(self._port_offset)
            self.content[cid] = (w, h)
            if cid is not None:
                self.size[cid] = (w + 2 * PAD, h + 2 * PAD)
        return self._absolute()

    def _depth(self, cid):
        d = 0
        while cid is not None:
            d += 1
            cid = self.clusters[cid][0]
        return d

    def _segments(self, src, dst, label, index):
        """The segments an edge is made of, source to target: [(cluster id, _Segment)]."""
        up = self.container_chain(src)
        down = self.container_chain(dst)
        common = next(c for c in up if c in down)
        out = []
        prev_child, prev_port = src, None
        for c in up[: up.index(common)]:
            g = self.graph(c)
            port = g.port("out", src)
            out.append((c, self._segment(g, g.by_key[prev_child], port, None, 0, prev_port, None)))
            prev_child, prev_port = c, src
        g = self.graph(common)
        targets = down[: down.index(common)]
        dst_child = targets[-1] if targets else dst
        last = not targets
        seg = self._segment(
            g, g.by_key[prev_child], g.by_key[dst_child], label if last else None, index,
            prev_port, None if last else src,
        )  # fmt: skip
        out.append((common, seg))
        for k in range(len(targets) - 1, -1, -1):
            c = targets[k]
            g = self.graph(c)
            inner = targets[k - 1] if k else dst
            last = k == 0
            seg = self._segment(
                g, g.port("in", src), g.by_key[inner], label if last else None, index, None,
                None if last else src,
            )  # fmt: skip
            out.append((c, seg))
        return out

    def _segment(self, g, a, b, label, index, src_port, dst_port):
        key = (id(g), a.n, b.n, src_port, dst_port)
        if label is None:  # an unlabelled segment is shared by the edges it carries
            s = self.shared.get(key)
            if s is not None:
                return s
        s = _Segment(a, b, label, index, src_port, dst_port)
        g.segments.append(s)
        if label is None:
            self.shared[key] = s
        return s

    def _port_offset(self, item, key, side):
        """x of cluster `item`'s port for `key`, from the box's centre."""
        inner = self.graphs[item.key]
        port = inner.ports.get((side, key))
        if port is None:
            return 0.0
        w = self.size[item.key][0]
        return PAD + port.x - w / 2

    def _absolute(self):
        nodes, clusters, titles = {}, {}, {}
        origin = {None: (MARGIN, MARGIN)}
        # top-down: a cluster's content origin from its box in its parent
        order = sorted(self.graphs, key=self._depth)
        for cid in order:
            g = self.graphs[cid]
            ox, oy = origin[cid]
            for it in g.items:
                if it.kind == "node":
                    x = ox + it.x - it.left
                    y = oy + g.centre_y(it) - it.height / 2
                    nodes[it.key] = (x, y, it.left + it.right, it.height)
                elif it.kind == "cluster":
                    w, h = self.size[it.key]
                    x = ox + it.x - w / 2
                    y = oy + g.centre_y(it) - h / 2
                    clusters[it.key] = (x, y, w, h)
                    origin[it.key] = (x + PAD, y + PAD)
                    titles[it.key] = (x + PAD + self.graphs[it.key].title_x, y + PAD)
        routes = {}
        for key, segs in self.pieces.items():
            pts, curves, label, rev = [], [], None, False
            for cid, s in segs:
                g = self.graphs[cid]
                ox, oy = origin[cid]
                p, c, lab = g.route(s)
                p = [(ox + x, oy + y) for x, y in p]
                if s.reversed:
                    p.reverse()
                    c = c[::-1]
                    rev = True
                if lab is not None:
                    label = (ox + lab[0], oy + lab[1])
                if pts:
                    curves.append(False)  # through a cluster's border, straight down
                pts.extend(p)
                curves.extend(c)
            routes[key] = Route(pts, curves, label, rev)
        w, h = self.content[None]
        return Placed(w + 2 * MARGIN, h + 2 * MARGIN, nodes, clusters, routes, titles)
