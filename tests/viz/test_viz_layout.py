"""The layered layout (layout.py) and the drawing on it (svg.Drawing): top to bottom,
operands as written, and nothing on top of anything else: boxes, clusters, edges, labels."""

import random

import pytest
from geometry import drawing_problems, problems
from lesson_graphs import LESSONS

import chainrule as cr
from chainrule import viz
from chainrule.viz import layout
from chainrule.viz.page import levels_of
from chainrule.viz.svg import Drawing

# The window the lessons' pictures must fit at first view, and the space the page's
# toolbar and side panel take from it (viewer.css).
WINDOW = (1400, 900)
PANEL, BAR, FIT_PAD = 380, 40, 10
SMALLEST_TEXT = 9  # px
FONT = 12  # px


def lesson():
    w = cr.tensor([1.0], requires_grad=True)
    x = cr.tensor([1.0])
    y = cr.tensor([2.0])
    with viz.record():
        l = (x * w - y) ** 2
    g = viz.trace(l)
    l.backward()
    return g


def test_inputs_above_outputs_and_operands_in_written_order():
    g = lesson()
    d = Drawing(g)
    assert drawing_problems(d) == []
    boxes = d.placed.nodes
    for e in d.view.edges:  # every edge runs down the page
        assert boxes[e.src][1] + boxes[e.src][3] < boxes[e.dst][1]
    x, w = g.node("x").id, g.node("w").id
    assert boxes[x][0] + boxes[x][2] <= boxes[w][0]  # x * w: x on the left
    # and where Python ran it as w.__rmul__(x), with x a number
    w = cr.tensor([1.0], requires_grad=True)
    x = 3.0
    with viz.record():
        y = x * w
    d = Drawing(viz.trace(y))
    boxes = {v.node.name: d.placed.nodes[v.id] for v in d.view.nodes}
    assert boxes["x"][0] + boxes["x"][2] <= boxes["w"][0]


@pytest.mark.parametrize("name", LESSONS)
def test_lesson_drawings_have_nothing_on_top_of_anything(lesson_graph, name):
    g = lesson_graph(name)
    for expand in levels_of(g, 0):
        d = Drawing(g, expand=expand)
        assert drawing_problems(d) == [], (name, expand)


@pytest.mark.parametrize("name", LESSONS[:3])
def test_collapsed_lessons_fit_the_window_with_readable_text(lesson_graph, name):
    d = Drawing(lesson_graph(name), expand=0)
    width = WINDOW[0] - PANEL - 2 * FIT_PAD
    height = WINDOW[1] - BAR - 2 * FIT_PAD
    scale = min(width / d.width, height / d.height)
    assert scale * FONT >= SMALLEST_TEXT, (name, d.width, d.height)


def test_a_module_called_twice_is_two_boxes_and_no_loop():
    nn = cr.nn
    cr.manual_seed(0)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(4, 4)
            self.act = nn.Tanh()
            self.fc2 = nn.Linear(4, 1)

        def forward(self, x):
            return self.act(self.fc2(self.act(self.fc1(x))))

    model = Net()
    with viz.record():
        loss = model(cr.randn(3, 4)).sum()
    g = viz.trace(loss)
    loss.backward()
    assert {"model", "act#1", "act#2", "fc1", "fc2"} <= set(g.groups)
    assert g.groups["act#2"].label == "act (Tanh) call 2"
    d = Drawing(g)
    boxes = {v.id: v for v in d.view.nodes if v.kind == "module"}
    assert {"m_act_1", "m_act_2"} <= set(boxes)
    # the boxes keep the order of the forward pass: fc1, act, fc2, act, each below the last
    ys = [d.placed.nodes[b][1] for b in ("m_fc1", "m_act_1", "m_fc2", "m_act_2")]
    assert ys == sorted(ys)
    assert all(not r.reversed for r in d.placed.edges.values())
    assert drawing_problems(d) == []


def random_graph(rnd, n):
    """A random DAG of n boxes, in order of making, some in nested clusters. As in a
    traced graph, a cluster (one call of a module) holds boxes made one after another."""
    clusters = {}
    group = [None] * n

    def split(lo, hi, parent, depth):
        k = lo
        while k < hi:
            size = rnd.randrange(1, max(2, (hi - lo) // 2 + 1))
            end = min(hi, k + size)
            if depth < 3 and rnd.random() < 0.35:
                cid = f"c{len(clusters)}"
                clusters[cid] = (parent, rnd.randrange(30, 140), 14)
                for i in range(k, end):
                    group[i] = cid
                split(k, end, cid, depth + 1)
            k = end

    split(0, n, None, 0)
    nodes = {
        f"n{i}": (rnd.randrange(20, 160), rnd.choice([18, 32, 46]), group[i]) for i in range(n)
    }
    edges = []
    for i in range(1, n):
        if rnd.random() < 0.2:
            continue  # a source: a leaf or a constant
        for j in rnd.sample(range(i), min(i, rnd.choice([1, 1, 2, 3]))):
            label = (rnd.randrange(20, 90), 14) if rnd.random() < 0.4 else None
            edges.append((len(edges), f"n{j}", f"n{i}", label, rnd.randrange(3)))
    return nodes, edges, clusters


@pytest.mark.parametrize("seed", range(12))
def test_random_graphs_have_nothing_on_top_of_anything(seed):
    rnd = random.Random(seed)
    nodes, edges, clusters = random_graph(rnd, rnd.randrange(2, 40))
    placed = layout.layout(nodes, edges, clusters)
    found = problems(
        placed,
        {k: v[2] for k, v in nodes.items()},
        {c: v[0] for c, v in clusters.items()},
        [(k, s, d) for k, s, d, _, _ in edges],
        {k: lab for k, _, _, lab, _ in edges if lab is not None},
        {c: v[1:] for c, v in clusters.items()},
    )
    assert found == []
    assert {k for k, *_ in edges} == set(placed.edges)
    for k, s, d, _, _ in edges:  # a route starts at its source and ends at its target
        (x0, y0), (x1, y1) = placed.edges[k].points[0], placed.edges[k].points[-1]
        sx, sy, sw, sh = placed.nodes[s]
        dx, dy, dw, dh = placed.nodes[d]
        assert sx <= x0 <= sx + sw and abs(y0 - (sy + sh)) < 1e-6
        assert dx <= x1 <= dx + dw and abs(y1 - dy) < 1e-6


def test_the_checker_sees_an_overlap():
    g = lesson()
    d = Drawing(g)
    a, b = list(d.placed.nodes)[:2]
    d.placed.nodes[b] = d.placed.nodes[a]
    assert f"boxes {a} and {b} overlap" in drawing_problems(d)


def test_a_cycle_is_drawn_with_one_edge_reversed():
    nodes = {k: (40, 20, None) for k in "abc"}
    edges = [(0, "a", "b", None, 0), (1, "b", "c", None, 0), (2, "c", "a", None, 0)]
    placed = layout.layout(nodes, edges)
    assert sum(r.reversed for r in placed.edges.values()) == 1


def test_a_long_chain_lays_out():
    n = 300
    nodes = {f"n{i}": (60, 30, None) for i in range(n)}
    edges = [(i, f"n{i}", f"n{i + 1}", None, 0) for i in range(n - 1)]
    placed = layout.layout(nodes, edges)
    xs = {placed.nodes[k][0] for k in nodes}
    assert len(xs) == 1  # a chain is a straight line
    assert placed.height > n * 30


def test_a_chain_of_ops_reading_constants_runs_straight():
    w = cr.tensor([1.0, 2.0], requires_grad=True)
    y = w
    for _ in range(20):
        y = y * 1.0
    d = Drawing(viz.trace(y))
    centres = [
        d.placed.nodes[v.id][0] + d.placed.nodes[v.id][2] / 2
        for v in d.view.nodes
        if v.kind == "op"
    ]
    assert max(centres) - min(centres) < 1.0  # the constants sit beside, not under
    assert drawing_problems(d) == []
