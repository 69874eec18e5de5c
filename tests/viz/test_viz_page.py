"""Graph.save('g.html') and the notebook output: one self-contained page or fragment,
any number of them on one page, and small."""

import importlib
import json
import re
import shutil
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import chainrule as cr
from chainrule import viz

VOID = {"meta", "br", "img", "input", "link", "hr"}
LESSON_PAGE_LIMIT = 30_000  # bytes: the lesson's notebook output


class _Checker(HTMLParser):
    """Checks that tags nest and close, and collects attributes and script bodies."""

    def __init__(self):
        super().__init__()
        self.stack = []
        self.attrs = []
        self.scripts = []

    def handle_starttag(self, tag, attrs):
        self.attrs.extend(attrs)
        if tag not in VOID:
            self.stack.append(tag)
        if tag == "script":
            self.scripts.append([dict(attrs), ""])

    def handle_startendtag(self, tag, attrs):
        self.attrs.extend(attrs)

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()

    def handle_data(self, data):
        if self.stack and self.stack[-1] == "script":
            self.scripts[-1][1] += data


def check(text):
    c = _Checker()
    c.feed(text)
    c.close()
    assert c.stack == []
    return c


def lesson():
    w = cr.tensor([1.0], requires_grad=True)
    x = cr.tensor([1.0])
    y = cr.tensor([2.0])
    with viz.record():
        l = (x * w - y) ** 2
    g = viz.trace(l)
    l.backward()
    return g


def data_of(text):
    raw = re.findall(r'<script type="application/json" class="cr-data">(.*?)</script>', text, re.S)
    return [json.loads(r) for r in raw]


def test_page_is_well_formed_self_contained_and_has_no_ids(tmp_path):
    path = lesson().save(tmp_path / "lesson.html")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    c = check(text)
    # Nothing is fetched: no src/href attributes, no URLs of any scheme, no imports.
    assert not [a for a in c.attrs if a[0] in ("src", "href")]
    assert not re.search(r"https?:|//cdn|@import|<link|<iframe|fetch\(|XMLHttpRequest", text)
    # Nothing a second graph on the page could collide with: no ids, no page-wide keys.
    assert not [a for a in c.attrs if a[0] == "id"]
    assert "getElementById" not in text and "document.addEventListener" not in text
    assert len(c.scripts) == 2 and "function init(root)" in c.scripts[1][1]


def test_the_lesson_page_is_small(tmp_path):
    g = lesson()
    assert len(g._repr_html_().encode("utf-8")) < LESSON_PAGE_LIMIT
    assert g.save(tmp_path / "lesson.html").stat().st_size < LESSON_PAGE_LIMIT


def test_graph_data_is_embedded_in_the_words_explain_uses():
    w = cr.tensor([1.0], requires_grad=True)
    x = cr.tensor([1.0])
    y = cr.tensor([2.0])
    with viz.record():
        l = (x * w - y) ** 2
    g = viz.trace(l)
    l.backward()
    (data,) = data_of(g.to_html())
    assert data["has_grads"] is True and data["loss"] == "l"
    (level,) = data["levels"]
    nodes = data["nodes"]
    assert [nodes[i]["title"] for i in level["fwd"]] == [
        "mul = x * w    (MulBackward0)",
        "sub = mul - y    (SubBackward0)",
        "l = sub ** 2    (PowBackward0)",
    ]
    assert [nodes[i]["name"] for i in level["bwd"]] == ["l", "sub", "mul", "w"]
    step = nodes[level["fwd"][2]]["bwd"]
    assert "local derivative:  d(a**n)/da = n * a**(n-1)" in step
    assert "upstream gradient: dl/dl = [1]" in step
    assert "product:           dl/dsub = upstream * local = [1] * [-2] = [-2]" in step
    assert nodes[level["bwd"][-1]]["bwd"] == "w.grad += dl/dw = [-2]   (w.grad is [-2] now)"
    assert ["values", "[-2]"] in nodes[level["bwd"][-1]]["grad"]


def test_svg_is_well_formed_and_needs_no_graphviz(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None)
    g = lesson()
    svg = g.save(tmp_path / "g.svg").read_text()
    root = ET.fromstring(svg.split("\n", 1)[1])
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    labels = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "mul = x * w" in labels and "grad [-2]" in labels and "value [-1]" in labels
    assert not [e for e in root.iter() if "id" in e.attrib]
    assert g._repr_svg_() == svg


def test_two_graphs_in_one_notebook_page_are_independent():
    g1 = lesson()
    a = cr.tensor([2.0, 3.0], requires_grad=True)
    with viz.record():
        s = (a * a).sum()
    g2 = viz.trace(s)
    s.backward()
    page = g1._repr_html_() + "\n<p>a second cell</p>\n" + g2._repr_html_()
    c = check(page)
    assert not [x for x in c.attrs if x[0] == "id"]
    roots = re.findall(r'<div class="chainrule-viz cr-embed" tabindex="0"', page)
    assert len(roots) == 2
    d1, d2 = data_of(page)
    assert d1["loss"] == "l" and d2["loss"] == "s"


def test_html_repr_is_none_where_no_page_can_be_made(monkeypatch):
    trace_module = importlib.import_module("chainrule.viz.trace")

    g = lesson()

    def broken(*args, **kwargs):
        raise MemoryError("no page")

    monkeypatch.setattr(trace_module, "to_html", broken)
    assert g._repr_html_() is None  # so the notebook shows the SVG
    assert "<svg" in g._repr_svg_()


def test_modules_collapsed_first_with_a_level_for_every_op(lesson_graph):
    text = lesson_graph("10_cnn").to_html()
    (data,) = data_of(text)
    assert [lv["name"] for lv in data["levels"]] == ["modules collapsed", "every op"]
    assert text.count('class="cr-graph"') == 2 and text.count('<svg style="display:none"') == 1
    first = data["levels"][0]
    names = [data["nodes"][i]["name"] for i in first["fwd"]]
    # pooling, used twice, is two boxes: its two calls, in order, and no loop
    assert names[:3] == ["conv1 (Conv2d)", "pooling (MaxPool2d) call 1", "relu"]
    assert "pooling (MaxPool2d) call 2" in names
    assert 'data-group="pooling#2"' in text
    box = next(n for n in data["nodes"].values() if n["name"] == "pooling (MaxPool2d) call 2")
    assert box["bwd"].startswith("gradient arriving at its output: shape [64, 20, 4, 4] min ")
