"""The graph pages in real headless Chromium: stepping, notebooks with several graphs,
the lessons' networks at first view, zoom and pan, and no network.

Skips cleanly without Chromium (/usr/bin/chromium, or CHAINRULE_CHROMIUM) or the
playwright package. Screenshots go to $CHAINRULE_TEST_ARTIFACTS when set, else to
pytest's tmp dir.
"""

import os
import shutil
from pathlib import Path

import pytest

import chainrule as cr
from chainrule import viz

CHROMIUM = os.environ.get("CHAINRULE_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WINDOW = {"width": 1400, "height": 900}
SMALLEST_TEXT = 9  # px, every label at first view

pytestmark = pytest.mark.skipif(
    not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)), reason="chromium not installed"
)


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    pg = browser.new_page(viewport=WINDOW)
    pg.errors = []
    pg.requests = []
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.on("console", lambda m: m.type == "error" and pg.errors.append(m.text))

    def route(r):  # nothing may be fetched from anywhere but the page's own file
        pg.requests.append(r.request.url)
        return r.continue_() if r.request.url.startswith("file:") else r.abort()

    pg.route("**/*", route)
    yield pg
    assert pg.errors == []
    assert [u for u in pg.requests if not u.startswith("file:")] == []
    pg.close()


@pytest.fixture
def artefacts(tmp_path):
    d = os.environ.get("CHAINRULE_TEST_ARTIFACTS")
    path = Path(d) if d else tmp_path
    path.mkdir(parents=True, exist_ok=True)
    return path


def lesson():
    w = cr.tensor([1.0], requires_grad=True)
    x = 1.0
    y = cr.tensor([2.0])
    with viz.record():
        l = (x * w - y) ** 2
    g = viz.trace(l)
    l.backward()
    return g, w


def state(pg, root=".chainrule-viz"):
    return (
        pg.get_attribute(root, "data-step"),
        pg.get_attribute(root, "data-phase"),
        pg.get_attribute(root, "data-active"),
    )


def node_id(pg, title, root=".chainrule-viz"):
    """The data-id of the box whose first line is `title`, in the graph shown."""
    return pg.eval_on_selector(
        root,
        """(r, title) => { for (const svg of r.querySelectorAll('svg.cr-graph')) {
             if (svg.style.display === 'none') continue;
             for (const g of svg.querySelectorAll('.cr-node'))
               if (g.querySelector('text').textContent === title) return g.dataset.id; }
           return null; }""",
        title,
    )


def line(pg, nid, cls, root=".chainrule-viz"):
    """A box's value or grad line when it is shown, else None."""
    return pg.eval_on_selector(
        root,
        """(r, a) => {
           const svg = [...r.querySelectorAll('svg.cr-graph')]
             .find(s => s.style.display !== 'none');
           const e = svg.querySelector(`.cr-node[data-id="${a[0]}"] .${a[1]}`);
           return e && getComputedStyle(e).visibility === 'visible' ? e.textContent : null; }""",
        [nid, f"cr-{cls}"],
    )


def test_lesson_steps_forward_then_backward(page, tmp_path, artefacts):
    g, w = lesson()
    page.goto(g.save(tmp_path / "lesson.html").as_uri())
    assert state(page) == ("0", "start", "")
    assert "w = [1]" in page.inner_text(".cr-step-body")
    mul, sub, l = (node_id(page, t) for t in ("mul = x * w", "sub = mul - y", "l = sub ** 2"))
    assert line(page, mul, "value") is None  # not computed yet
    assert page.inner_text(".cr-counter").startswith("step 0 of 7")
    for k, (nid, value) in enumerate([(mul, "[1]"), (sub, "[-1]"), (l, "[1]")], 1):
        page.click("[data-do=next]")
        assert state(page) == (str(k), "forward", nid)
        assert f"value:  {value}" in page.inner_text(".cr-step-body")
        assert line(page, nid, "value") == f"value {value}"
        assert line(page, nid, "grad") is None
    backward = [
        (l, ["upstream gradient: dl/dl = [1]", "dl/dsub = upstream * local = [1] * [-2] = [-2]"]),
        (sub, ["upstream gradient: dl/dsub = [-2]", "y is a constant"]),
        (mul, ["with a = x = 1, b = w = [1]", "dl/dw = upstream * local = [-2] * [1] = [-2]"]),
    ]  # fmt: skip
    for k, (nid, texts) in enumerate(backward, 4):
        page.click("[data-do=next]")
        assert state(page) == (str(k), "backward", nid)
        body = page.inner_text(".cr-step-body")
        assert all(t in body for t in texts), body
        assert line(page, nid, "grad") is not None
    wid = node_id(page, "w")
    assert line(page, wid, "grad") == "grad [-2]"  # arrived: its one use has sent it
    page.click("[data-do=next]")
    assert state(page) == ("7", "backward", wid)
    assert "w.grad += dl/dw = [-2]" in page.inner_text(".cr-step-body")
    red = page.eval_on_selector_all(".cr-edge.bwd", "es => es.map(e => e.dataset.dst)")
    assert sorted(red) == sorted([mul, sub, l])
    page.screenshot(path=str(artefacts / "lesson_backward.png"))
    page.click("[data-do=prev]")
    assert state(page) == ("6", "backward", mul)
    page.click("[data-do=start]")
    assert state(page) == ("0", "start", "")


def test_notebook_graphs_draw_and_step_independently(page, tmp_path, artefacts):
    g1, w = lesson()
    a = cr.tensor([2.0, 3.0], requires_grad=True)
    with viz.record():
        s = (a * a).sum()
    g2 = viz.trace(s)
    s.backward()
    notebook = tmp_path / "notebook.html"
    notebook.write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>"
        "<div class='cell'>In [1]: graph</div>" + g1._repr_html_() + "<div class='cell'>In [2]: "
        "graph2</div>" + g2._repr_html_() + "<p>the end</p></body></html>",
        encoding="utf-8",
    )
    page.goto(notebook.as_uri())
    first, second = ".chainrule-viz >> nth=0", ".chainrule-viz >> nth=1"
    for root in (first, second):
        assert page.get_attribute(root, "data-ready") == "1"
        assert state(page, root)[0] == "0"
        box = page.locator(root).locator("svg.cr-graph .cr-nodes").bounding_box()
        assert box["width"] > 50 and box["height"] > 50  # drawn
    page.locator(first).locator("[data-do=next]").click()
    assert state(page, first)[0] == "1" and state(page, second)[0] == "0"
    # keys step only the graph that has the focus
    page.locator(second).locator(".cr-canvas").click()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert state(page, first)[0] == "1" and state(page, second)[0] == "2"
    page.click("text=the end")  # focus leaves both graphs
    page.keyboard.press("ArrowRight")
    assert state(page, first)[0] == "1" and state(page, second)[0] == "2"
    page.locator(first).focus()
    page.keyboard.press("End")
    assert state(page, first)[1] == "backward" and state(page, second)[0] == "2"
    page.screenshot(path=str(artefacts / "notebook_two_graphs.png"), full_page=True)


def rendered(page):
    """What the browser drew, measured: the canvas, the drawing's extent, the smallest
    text, and texts that spill out of their box or touch another box or text."""
    return page.evaluate(
        """() => {
        const root = document.querySelector('.chainrule-viz');
        const canvas = root.querySelector('.cr-canvas').getBoundingClientRect();
        const svg = [...root.querySelectorAll('svg.cr-graph')]
          .find(s => s.style.display !== 'none');
        const scale = svg.getScreenCTM().a;
        const drawn = svg.querySelector('.cr-nodes').parentNode.getBoundingClientRect();
        let smallest = 1e9;
        const boxes = [], texts = [], spill = [];
        for (const t of svg.querySelectorAll('text')) {
          const size = parseFloat(getComputedStyle(t).fontSize) * scale;
          smallest = Math.min(smallest, size);
          const r = t.getBoundingClientRect();
          const node = t.closest('.cr-node');
          texts.push({r, node: node && node.dataset.id, what: t.textContent});
          if (node) {
            const b = node.querySelector('rect').getBoundingClientRect();
            if (r.right > b.right + 0.5 || r.left < b.left - 0.5) spill.push(t.textContent);
          }
        }
        for (const g of svg.querySelectorAll('.cr-node'))
          boxes.push({id: g.dataset.id, r: g.querySelector('rect').getBoundingClientRect()});
        const touch = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5 &&
                                a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
        const clash = [];
        for (const t of texts) {
          for (const b of boxes)
            if (b.id !== t.node && touch(t.r, b.r)) clash.push(t.what + ' / ' + b.id);
          for (const u of texts)
            if (u !== t && u.node !== t.node && touch(t.r, u.r) && t.what < u.what)
              clash.push(t.what + ' / ' + u.what);
        }
        return {canvas: [canvas.left, canvas.top, canvas.right, canvas.bottom],
                drawn: [drawn.left, drawn.top, drawn.right, drawn.bottom],
                smallest, spill, clash, scale};
      }"""
    )


@pytest.mark.parametrize("name", ["10_cnn", "11_resnet", "11_inception"])
def test_lesson_networks_fit_the_window_with_readable_labels(
    page, tmp_path, artefacts, lesson_graph, name
):
    path = lesson_graph(name).save(tmp_path / f"{name}.html")
    page.goto(path.as_uri())
    page.click("[data-do=end]")  # every value and gradient shown
    r = rendered(page)
    cl, ct, cr_, cb = r["canvas"]
    dl, dt, dr, db = r["drawn"]
    assert cl <= dl and ct <= dt and dr <= cr_ and db <= cb, r  # all of it in view
    assert r["smallest"] >= SMALLEST_TEXT, r
    assert r["spill"] == [] and r["clash"] == [], r
    page.screenshot(path=str(artefacts / f"{name}_1400x900.png"))


def test_a_reused_module_is_one_box_per_call(page, tmp_path, lesson_graph):
    page.goto(lesson_graph("10_cnn").save(tmp_path / "cnn.html").as_uri())
    calls = page.eval_on_selector_all(
        "svg.cr-graph:not([style*=none]) .cr-node.module",
        "els => els.map(e => [e.dataset.group, e.getBoundingClientRect().top])",
    )
    pools = [(g, y) for g, y in calls if g.startswith("pooling")]
    assert [g for g, _ in pools] == ["pooling#1", "pooling#2"]
    assert pools[0][1] < pools[1][1]  # the second call below the first: no loop back up
    second = node_id(page, "pooling (MaxPool2d) call 2")
    # each box has one edge in and one out
    ins = page.eval_on_selector_all(
        f"svg:not([style*=none]) .cr-edge[data-dst={second}]", "e => e.length"
    )
    outs = page.eval_on_selector_all(
        f"svg:not([style*=none]) .cr-edge[data-src={second}]", "e => e.length"
    )
    assert (ins, outs) == (1, 1)
    page.click("[data-do=end]")
    while state(page)[2] != second:
        page.click("[data-do=prev]")
    assert "gradient arriving at its output: shape [64, 20, 4, 4]" in page.inner_text(
        ".cr-step-body"
    )


def test_zoom_pan_fit_and_opening_a_module(page, tmp_path, artefacts, lesson_graph):
    page.goto(lesson_graph("10_cnn").save(tmp_path / "cnn.html").as_uri())
    fitted = float(page.get_attribute(".chainrule-viz", "data-scale"))
    svg = "svg.cr-graph:not([style*=none])"
    page.click("[data-do=in]")
    zoomed = float(page.get_attribute(".chainrule-viz", "data-scale"))
    assert zoomed == pytest.approx(fitted * 1.25, rel=1e-3)
    before = page.get_attribute(svg, "viewBox")
    canvas = page.locator(".cr-canvas").bounding_box()
    x, y = canvas["x"] + canvas["width"] - 40, canvas["y"] + 200
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - 100, y - 60, steps=4)
    page.mouse.up()
    after = page.get_attribute(svg, "viewBox")
    (bx, by, *_), (ax, ay, *_) = (map(float, v.split()) for v in (before, after))
    assert (ax - bx, ay - by) == pytest.approx((100 / zoomed, 60 / zoomed), rel=1e-3)
    page.keyboard.press("0")
    assert float(page.get_attribute(".chainrule-viz", "data-scale")) == pytest.approx(fitted, 1e-3)
    # The drawing stays put while the panel's text changes, step after step.
    where = page.locator(svg).bounding_box()
    for _ in range(6):
        page.keyboard.press("ArrowRight")
        assert page.locator(svg).bounding_box() == where
    # A module box opens to its ops (the next level of detail), zoomed on its cluster.
    conv1 = node_id(page, "conv1 (Conv2d)")
    page.dblclick(f"{svg} .cr-node[data-id={conv1}]")
    assert page.get_attribute(".chainrule-viz", "data-level") == "1"
    cluster = page.locator('svg.cr-graph:not([style*=none]) .cr-cluster[data-group="conv1"]')
    box, view = cluster.bounding_box(), page.locator(".cr-canvas").bounding_box()
    assert view["x"] <= box["x"] and box["x"] + box["width"] <= view["x"] + view["width"]
    assert node_id(page, "conv1.weight") is not None
    page.screenshot(path=str(artefacts / "10_cnn_conv1_opened.png"))
    page.click("[data-do=less]")
    assert page.get_attribute(".chainrule-viz", "data-level") == "0"


def test_without_script_the_drawing_shows_every_value_and_gradient(browser, tmp_path, lesson_graph):
    """An untrusted notebook runs no script: the output is then the first level's picture,
    whole, with its values and gradients."""
    context = browser.new_context(viewport=WINDOW, java_script_enabled=False)
    page = context.new_page()
    page.goto(lesson_graph("10_cnn").save(tmp_path / "cnn.html").as_uri())
    shown = page.eval_on_selector_all(
        "svg.cr-graph", "els => els.map(e => getComputedStyle(e).display !== 'none')"
    )
    assert shown == [True, False]
    hidden = page.eval_on_selector_all(
        "svg.cr-graph .cr-value, svg.cr-graph .cr-grad",
        "els => els.filter(e => e.getBoundingClientRect().width && "
        "getComputedStyle(e).visibility !== 'visible').length",
    )
    assert hidden == 0
    context.close()
