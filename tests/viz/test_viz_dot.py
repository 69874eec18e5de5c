"""Graph.to_dot and Graphviz output: the lesson graph's DOT text, groups, the missing-dot error."""

import re
import shutil

import pytest

import chainrule as cr
from chainrule import viz

LESSON_DOT = r"""digraph chainrule {
  graph [rankdir=TB, fontname="Helvetica", fontsize=11];
  node [fontname="Helvetica", fontsize=11, shape=box, style="rounded,filled"];
  edge [fontname="Helvetica", fontsize=9];
  n0 [label="x\nvalue [1]", fillcolor="#eeeeee"];
  n1 [label="w\nvalue [1]\ngrad [-2]", fillcolor="#dce8fb"];
  n2 [label="mul = x * w\nMulBackward0\nvalue [1]\ngrad [-2]", fillcolor="#ffffff"];
  n3 [label="y\nvalue [2]", fillcolor="#eeeeee"];
  n4 [label="sub = mul - y\nSubBackward0\nvalue [-1]\ngrad [-2]", fillcolor="#ffffff"];
  n5 [label="l = sub ** 2\nPowBackward0\nvalue [1]\ngrad [1]", fillcolor="#ffffff", peripheries=2];
  n0 -> n2 [color="#1f5fbf", fontcolor="#1f5fbf", label="[1]"];
  n1 -> n2 [color="#1f5fbf", fontcolor="#1f5fbf", label="[1]"];
  n2 -> n4 [color="#1f5fbf", fontcolor="#1f5fbf", label="[1]"];
  n3 -> n4 [color="#1f5fbf", fontcolor="#1f5fbf", label="[2]"];
  n4 -> n5 [color="#1f5fbf", fontcolor="#1f5fbf", label="[-1]"];
  n1 -> n2 [dir=back, color="#c62828", fontcolor="#c62828", style="dashed", constraint=false, label="[-2]"];
  n2 -> n4 [dir=back, color="#c62828", fontcolor="#c62828", style="dashed", constraint=false, label="[-2]"];
  n4 -> n5 [dir=back, color="#c62828", fontcolor="#c62828", style="dashed", constraint=false, label="[-2]"];
}
"""  # noqa: E501


def lesson_graph():
    w = cr.tensor([1.0], requires_grad=True)
    x = cr.tensor([1.0])
    y = cr.tensor([2.0])
    with viz.record():
        l = (x * w - y) ** 2
    g = viz.trace(l)
    l.backward()
    return g, w


def test_lesson_dot_golden(torch):
    g, w = lesson_graph()
    assert g.to_dot() == LESSON_DOT
    # The gradient on w's red edge is PyTorch's for the same graph.
    tw = torch.tensor([1.0], requires_grad=True)
    ((torch.tensor([1.0]) * tw - torch.tensor([2.0])) ** 2).backward()
    assert f'label="[{tw.grad.item():g}]"];\n  n2 -> n4 [dir=back' in g.to_dot()


def test_before_backward_there_are_no_red_labels():
    w = cr.tensor([1.0], requires_grad=True)
    with viz.record():
        l = (w * 3.0).exp()
    dot = viz.trace(l).to_dot()
    assert "dir=back" in dot and "grad " not in dot
    assert "n1 [" in dot and '"3\\nvalue 3"' in dot  # the number is a constant node


def test_module_groups_collapse_below_top_level():
    nn = cr.nn
    cr.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    x = cr.randn(2, 3)
    with viz.record():
        loss = model(x).sum()
    g = viz.trace(loss)
    loss.backward()
    dot = g.to_dot()
    assert "subgraph cluster_model {" in dot
    assert "m_0 [" in dot and "0 (Linear)" in dot and "shape=box3d" in dot
    assert "0.weight" not in dot  # hidden inside the collapsed box
    expanded = g.to_dot(expand=None)
    assert "subgraph cluster_0 {" in expanded and "0.weight" in expanded
    assert "AddmmBackward0" in expanded or "MmBackward0" in expanded


def test_save_dot_and_unknown_suffix(tmp_path):
    g, _ = lesson_graph()
    p = g.save(tmp_path / "g.dot")
    assert p.read_text() == LESSON_DOT
    with pytest.raises(ValueError, match="use .html, .svg, .dot, .png or .pdf"):
        g.save(tmp_path / "g.jpeg")


def test_missing_graphviz_gives_a_clear_message_not_a_traceback(tmp_path, monkeypatch, capsys):
    g, _ = lesson_graph()
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None)
    assert g.save(tmp_path / "g.png") is None
    msg = capsys.readouterr().err
    assert "g.png was not written" in msg
    assert "apt-get install graphviz" in msg and ".svg" in msg and ".html" in msg
    assert "Traceback" not in msg
    assert not (tmp_path / "g.png").exists()
    # .svg, .html and the notebook's reprs need no Graphviz
    assert g.save(tmp_path / "g.svg").read_text().count("<svg") == 1
    assert g.save(tmp_path / "g.html") is not None
    assert "mul = x * w" in g._repr_svg_() and 'class="cr-data"' in g._repr_html_()
    # the renderer itself still raises, for code that wants to handle it
    with pytest.raises(viz.GraphvizNotFoundError):
        viz.render.render_dot(g.to_dot(), "png")


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_png_pdf_through_graphviz(tmp_path):
    g, _ = lesson_graph()
    assert g.save(tmp_path / "g.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert g.save(tmp_path / "g.pdf").read_bytes()[:5] == b"%PDF-"


def test_a_module_called_twice_is_two_clusters_graphviz_accepts(tmp_path):
    nn = cr.nn
    cr.manual_seed(0)
    act = nn.Tanh()
    layer = nn.Linear(3, 3)
    with viz.record():
        loss = act(layer(act(layer(cr.randn(2, 3))))).sum()
    g = viz.trace(loss)
    loss.backward()
    dot = g.to_dot(expand=None)
    clusters = re.findall(r"subgraph (\S+) \{", dot)
    assert sorted(clusters) == [
        "cluster_act_1",
        "cluster_act_2",
        "cluster_layer_1",
        "cluster_layer_2",
    ]
    assert all(re.fullmatch(r"\w+", c) for c in clusters)  # plain DOT identifiers
    if shutil.which("dot") is not None:
        assert g.save(tmp_path / "g.png").read_bytes()[:4] == b"\x89PNG"
