"""The lesson page in real headless Chromium: step through forward and backward.

Skips cleanly without Chromium (/usr/bin/chromium, or CHAINRULE_CHROMIUM), the
playwright package, or the layout library. Screenshots go to
$CHAINRULE_TEST_ARTIFACTS when set, else to pytest's tmp dir.
"""

import os
import shutil
from pathlib import Path

import pytest

import chainrule as cr
from chainrule import viz
from chainrule.viz import render

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

pytestmark = [
    pytest.mark.skipif(
        not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)), reason="chromium not installed"
    ),
    pytest.mark.skipif(render.library_path() is None, reason="layout library not installed"),
]


@pytest.fixture
def page():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        pg = browser.new_page(viewport={"width": 1000, "height": 640})
        pg.errors = []
        pg.on("pageerror", lambda e: pg.errors.append(str(e)))
        # Nothing may be fetched from anywhere: any request but the page itself fails.
        pg.route(
            "**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort()
        )
        yield pg
        browser.close()


@pytest.fixture
def artefacts(tmp_path):
    d = os.environ.get("CHAINRULE_TEST_ARTIFACTS")
    path = Path(d) if d else tmp_path
    path.mkdir(parents=True, exist_ok=True)
    return path


def lesson_page(path):
    w = cr.tensor([1.0], requires_grad=True)
    x = cr.tensor([1.0])
    y = cr.tensor([2.0])
    with viz.record():
        l = (x * w - y) ** 2
    g = viz.trace(l)
    l.backward()
    return g.save(path)


def state(pg):
    root = ".chainrule-viz"
    return (
        pg.get_attribute(root, "data-step"),
        pg.get_attribute(root, "data-phase"),
        pg.get_attribute(root, "data-active"),
    )


def highlighted(pg, cls):
    return pg.eval_on_selector_all(f".cr-node.{cls}", "els => els.map(e => e.dataset.id)")


def visible_text(pg, node_id, cls):
    return pg.eval_on_selector(
        f"#cr-node-{node_id} .cr-{cls}",
        "e => getComputedStyle(e).visibility === 'visible' ? e.textContent : null",
    )


def test_lesson_steps_forward_then_backward(page, tmp_path, artefacts):
    path = lesson_page(tmp_path / "lesson.html")
    page.goto(path.as_uri())
    assert state(page) == ("0", "start", "")
    assert "w = [1]" in page.inner_text("#cr-step-body")
    assert visible_text(page, "n2", "value") is None  # mul not computed yet
    assert page.inner_text("#cr-counter") == "step 0 of 7"

    forward = [("n2", "mul = x * w", "[1]"), ("n4", "sub = mul - y", "[-1]"),
               ("n5", "l = sub ** 2", "[1]")]  # fmt: skip
    for k, (nid, expr, value) in enumerate(forward, 1):
        page.click("#cr-next")
        assert state(page) == (str(k), "forward", nid)
        assert highlighted(page, "active-fwd") == [nid]
        assert highlighted(page, "active-bwd") == []
        assert expr in page.inner_text("#cr-step-title")
        assert f"value:  {value}" in page.inner_text("#cr-step-body")
        assert visible_text(page, nid, "value") == f"value {value}"
        assert visible_text(page, nid, "grad") is None

    backward = [
        ("n5", ["upstream gradient: dl/dl = [1]", "so dl/dsub = [-2]",
                "dl/dsub = upstream * local = [1] * [-2] = [-2]"]),
        ("n4", ["upstream gradient: dl/dsub = [-2]", "y is a constant",
                "dl/dmul = upstream * local = [-2] * [1] = [-2]"]),
        ("n2", ["d(a*b)/da = b, d(a*b)/db = a", "with a = x = [1], b = w = [1]",
                "dl/dw = upstream * local = [-2] * [1] = [-2]"]),
        ("n1", ["w.grad += dl/dw = [-2]"]),
    ]  # fmt: skip
    for k, (nid, texts) in enumerate(backward, 4):
        page.click("#cr-next")
        assert state(page) == (str(k), "backward", nid)
        assert highlighted(page, "active-bwd") == [nid]
        body = page.inner_text("#cr-step-body")
        for t in texts:
            assert t in body
        assert visible_text(page, nid, "grad") is not None
    assert visible_text(page, "n1", "grad") == "grad [-2]"
    labels = page.eval_on_selector_all(
        ".cr-edge.bwd", "els => els.map(e => [e.dataset.src, e.dataset.dst, e.textContent])"
    )
    assert sorted(labels) == [["n1", "n2", "[-2]"], ["n2", "n4", "[-2]"], ["n4", "n5", "[-2]"]]
    page.click("#cr-next")  # at the end already
    assert state(page)[0] == "7"
    page.screenshot(path=str(artefacts / "lesson_backward.png"), full_page=True)
    page.click("#cr-prev")
    assert state(page) == ("6", "backward", "n2")
    assert visible_text(page, "n1", "grad") is None
    page.keyboard.press("ArrowLeft")
    assert state(page) == ("5", "backward", "n4")
    page.click("#cr-reset")
    assert state(page) == ("0", "start", "")
    assert page.errors == []


def test_module_box_expands_on_click(page, tmp_path):
    nn = cr.nn
    cr.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    with viz.record():
        loss = model(cr.randn(2, 3)).sum()
    g = viz.trace(loss)
    loss.backward()
    path = g.save(tmp_path / "mlp.html")
    page.goto(path.as_uri())
    boxes = page.eval_on_selector_all(".cr-node.module", "els => els.map(e => e.dataset.id)")
    assert boxes == ["m_0", "m_1", "m_2"]
    steps_before = page.inner_text("#cr-counter")
    page.click("#cr-node-m_0")
    boxes = page.eval_on_selector_all(".cr-node.module", "els => els.map(e => e.dataset.id)")
    assert boxes == ["m_1", "m_2"]
    names = page.eval_on_selector_all(".cr-node.leaf text", "els => els.map(e => e.textContent)")
    assert "0.weight" in names and "0.bias" in names
    assert page.inner_text("#cr-counter") != steps_before  # the step list grew
    page.click("#cr-end")
    assert state(page)[1] == "backward"
    assert ".grad += dloss/d" in page.inner_text("#cr-step-body")  # the last step: a leaf
    assert page.errors == []
