"""Graph.save('g.html'): one self-contained page, the layout library inlined, the data embedded."""

import json
import re
from html.parser import HTMLParser

import pytest

import chainrule as cr
from chainrule import viz
from chainrule.viz import render

needs_library = pytest.mark.skipif(
    render.library_path() is None,
    reason=f"the layout library is not installed ({render.INSTALL_JS})",
)

VOID = {"meta", "br", "img", "input", "link", "hr"}


class _Checker(HTMLParser):
    """Checks that tags nest and close, and collects attributes and script bodies."""

    def __init__(self):
        super().__init__()
        self.stack = []
        self.attrs = []
        self.scripts = []
        self._in_script = None

    def handle_starttag(self, tag, attrs):
        self.attrs.extend(attrs)
        if tag not in VOID:
            self.stack.append(tag)
        if tag == "script":
            self._in_script = dict(attrs)
            self.scripts.append([dict(attrs), ""])

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()

    def handle_data(self, data):
        if self.stack and self.stack[-1] == "script":
            self.scripts[-1][1] += data


def lesson_page(tmp_path):
    w = cr.tensor([1.0], requires_grad=True)
    x = cr.tensor([1.0])
    y = cr.tensor([2.0])
    with viz.record():
        l = (x * w - y) ** 2
    g = viz.trace(l)
    l.backward()
    return g, g.save(tmp_path / "lesson.html")


@needs_library
def test_page_is_well_formed_and_self_contained(tmp_path):
    g, path = lesson_page(tmp_path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    checker = _Checker()
    checker.feed(text)
    checker.close()
    assert checker.stack == []
    # Nothing is fetched: no src/href attributes, no URLs of any scheme, no imports.
    assert not [a for a in checker.attrs if a[0] in ("src", "href")]
    assert not re.search(r"https?:|//cdn|@import|<link|<iframe|fetch\(|XMLHttpRequest", text)
    # The layout library is inlined (with its licence), as is the viewer.
    lib, licence = render.library_source()
    bodies = [body for attrs, body in checker.scripts]
    assert any(lib[:200] in b and "Copyright (c) 2012-2014 Chris Pettitt" in b for b in bodies)
    assert "sourceMappingURL" not in text
    assert any("function backwardStep" in b for b in bodies)
    size = len(text.encode("utf-8"))
    assert size < 200_000, size  # dagre is about 50 kB minified


@needs_library
def test_graph_data_is_embedded(tmp_path):
    g, path = lesson_page(tmp_path)
    text = path.read_text(encoding="utf-8")
    raw = re.search(r'<script type="application/json" id="cr-data">(.*?)</script>', text, re.S)
    data = json.loads(raw.group(1))
    assert data["has_grads"] is True and data["loss"] == "l"
    nodes = {n["name"]: n for n in data["nodes"]}
    assert list(nodes) == ["x", "w", "mul", "y", "sub", "l"]
    assert nodes["mul"]["expr"] == "mul = x * w" and nodes["mul"]["op"] == "MulBackward0"
    assert nodes["sub"]["value"] == "[-1]" and nodes["w"]["grad"] == "[-2]"
    step = nodes["l"]["step"]
    assert step["formula"] == "d(a**n)/da = n * a**(n-1)"
    assert step["local"] == ["dl/dsub = [-2]"]
    assert step["chain"] == ["dl/dsub = upstream * local = [1] * [-2] = [-2]"]
    assert nodes["w"]["step"] == {"leaf": "w.grad += dl/dw = [-2]   (w.grad is [-2] now)"}
    red = [e for e in data["edges"] if e["backward"]]
    assert {(e["src"], e["dst"], e["grad"]) for e in red} == {
        ("n1", "n2", "[-2]"),
        ("n2", "n4", "[-2]"),
        ("n4", "n5", "[-2]"),
    }


@needs_library
def test_jupyter_repr(tmp_path):
    g, _ = lesson_page(tmp_path)
    frag = g._repr_html_()
    assert "<html" not in frag and 'id="cr-data"' in frag and "<style>" in frag


def test_missing_library_names_the_install_command(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CHAINRULE_VIZ_JS", str(tmp_path / "nowhere.js"))
    a = cr.tensor([1.0], requires_grad=True)
    g = viz.trace(a * 2)
    assert g.save(tmp_path / "g.html") is None  # a message, not a traceback
    msg = capsys.readouterr().err
    assert render.INSTALL_JS in msg and "nowhere.js" in msg
    assert not (tmp_path / "g.html").exists()
    with pytest.raises(viz.LayoutLibraryNotFoundError) as info:
        g.to_html()
    assert render.INSTALL_JS in str(info.value)
    assert g._repr_html_() is None  # so a notebook shows the SVG instead


@needs_library
def test_env_var_points_at_the_library(tmp_path, monkeypatch):
    real = render.library_path()
    copy = tmp_path / "lib.js"
    copy.write_text("/* a stand-in layout library */ var dagre = {};\n")
    monkeypatch.setenv("CHAINRULE_VIZ_JS", str(copy))
    a = cr.tensor([1.0], requires_grad=True)
    text = viz.trace(a * 2).to_html()
    assert "a stand-in layout library" in text and real.read_text()[:100] not in text


@needs_library
def test_size_limit_and_module_groups_reach_the_page(tmp_path):
    nn = cr.nn
    cr.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    with viz.record():
        loss = model(cr.randn(2, 3)).sum()
    g = viz.trace(loss)
    loss.backward()
    text = g.to_html(max_nodes=6)
    raw = re.search(r'id="cr-data">(.*?)</script>', text, re.S)
    data = json.loads(raw.group(1))
    assert len(data["nodes"]) == 6 and data["nodes"][0]["kind"] == "elided"
    assert "nodes elided" in data["note"]
    assert {g["id"] for g in data["groups"]} == {"model", "0", "1", "2"}
    assert data["expand"] == 0
