"""chainrule.explain: the chain rule written out with the graph's numbers (golden texts)."""

import io

import pytest

import chainrule as cr
from chainrule import viz
from chainrule.viz import format as fmt

LESSON_STEPS = """explain(l): the chain rule, node by node in the order backward runs

[1] l = r ** 2    (PowBackward0)
    local      d(a**n)/da = n * a**(n-1)
               with a = r = [-1], n = 2
               so dl/dr = [-2]
    upstream   dl/dl = [1]   (backward starts here, with the seed 1)
    chain      dl/dr = upstream * local = [1] * [-2] = [-2]

[2] r = yhat - y    (SubBackward0)
    local      d(a-b)/da = 1, d(a-b)/db = -1
               with a = yhat = [1], b = y = [2]
               so dr/dyhat = [1]
    upstream   dl/dr = [-2]
    chain      dl/dyhat = upstream * local = [-2] * [1] = [-2]
               y is a constant: no gradient flows to it

[3] yhat = x * w    (MulBackward0)
    local      d(a*b)/da = b, d(a*b)/db = a
               with a = x = [1], b = w = [1]
               so dyhat/dw = [1]
    upstream   dl/dyhat = [-2]
    chain      dl/dw = upstream * local = [-2] * [1] = [-2]
               x is a constant: no gradient flows to it

Leaves: backward adds these into .grad
"""

COMPUTED = (
    "    w.grad += dl/dw = [-2]   (w.grad is None now)\n\n(explain computed these with "
    "autograd.grad on the retained graph: no .grad was changed, and backward() can still be "
    "called)\n"
)
AFTER_BACKWARD = (
    "    w.grad += dl/dw = [-2]   (w.grad is [-2] now)\n\n"
    "(the gradients of the backward pass that ran through this graph)\n"
)


def lesson():
    w = cr.tensor([1.0], requires_grad=True)
    x = cr.tensor([1.0])
    y = cr.tensor([2.0])
    with viz.record():
        yhat = x * w
        r = yhat - y
        l = r**2
    return l, w, {"x": x, "y": y, "yhat": yhat, "r": r, "l": l, "w": w}


def test_lesson_golden_before_backward_leaves_grad_alone(capsys):
    l, w, names = lesson()
    text = viz.explain(l, names=names)
    assert text == LESSON_STEPS + COMPUTED
    assert capsys.readouterr().out == text  # printed, and returned
    assert w.grad is None  # explain changed no .grad
    l.backward()  # and the graph is still there for the user's own backward
    assert w.grad.tolist() == [-2.0]


def test_lesson_golden_after_backward_uses_that_pass(capsys):
    l, w, names = lesson()
    l.backward()
    text = viz.explain(l, names=names, quiet=True)
    assert text == LESSON_STEPS + AFTER_BACKWARD
    assert capsys.readouterr().out == ""
    assert w.grad.tolist() == [-2.0]  # not accumulated a second time


def test_numbers_match_pytorch_on_a_larger_graph(torch):
    data = [[0.5, -1.5], [2.0, 0.25]]
    a = cr.tensor(data, requires_grad=True)
    with viz.record():
        h = (a * a + a.sin()).exp()
        loss = (h / 3.0).sum()
    text = viz.explain(loss, quiet=True)
    ta = torch.tensor(data, requires_grad=True)
    th = (ta * ta + ta.sin()).exp()
    th.retain_grad()
    (th / 3.0).sum().backward()
    assert f" = {fmt.tensor(ta.grad)}   (a is used 3 times" in str(text)
    assert f"upstream   dloss/dh = {fmt.tensor(th.grad)}" in str(text)
    assert a.grad is None


def test_reuse_is_shown_as_a_sum(torch):
    a = cr.tensor([2.0, -1.0], requires_grad=True)
    with viz.record():
        b = a * 3.0
        c = b.tanh() + b * b
        out = c.sum()
    text = viz.explain(out, quiet=True)
    ta = torch.tensor([2.0, -1.0], requires_grad=True)
    tb = ta * 3.0
    tb.retain_grad()
    (tb.tanh() + tb * tb).sum().backward()
    line = next(x for x in text.splitlines() if x.startswith("    upstream   dout/db ="))
    assert line.endswith("(b is used 3 times: the gradients from each use add up)")
    assert f"= {fmt.tensor(tb.grad)}   (b is used" in line
    assert " + [6, -3] + [6, -3] = " in line
    assert "so dmul/db = [6, -3]   (as a)" in text and "(as b)" in text
    assert f"a.grad += dout/da = {fmt.tensor(ta.grad)}" in text


def test_a_reused_leaf_adds_up(torch):
    w = cr.tensor([2.0], requires_grad=True)
    l = w * w + w
    text = viz.explain(l, quiet=True)
    assert "w.grad += dl/dw = [2] + [2] + [1] = [5]   (w is used 3 times" in text


def test_explain_after_a_freeing_backward_says_what_to_do():
    w = cr.tensor([1.0], requires_grad=True)
    l = (w * w).sum()
    l.backward()
    with pytest.raises(RuntimeError, match="already freed by a backward pass"):
        viz.explain(l, quiet=True)


def test_big_tensors_are_summarised_and_long_graphs_cut():
    cr.manual_seed(0)
    w = cr.randn(20, 30, requires_grad=True)
    h = w
    for _ in range(5):
        h = h.tanh()
    out = h.sum()
    buf = io.StringIO()
    text = viz.explain(out, max_nodes=3, file=buf)
    assert buf.getvalue() == text
    assert "shape [20, 30] min " in text and " mean " in text
    assert "... 3 more ops not shown" in text
    assert repr(text).startswith("<chainrule explanation")


def test_explain_is_exported_at_the_top():
    assert cr.explain is viz.explain


BACKPROP_LESSON = """explain(l): the chain rule, node by node in the order backward runs

[1] l = sub ** 2    (PowBackward0)
    local      d(a**n)/da = n * a**(n-1)
               with a = sub = [-1], n = 2
               so dl/dsub = [-2]
    upstream   dl/dl = [1]   (backward starts here, with the seed 1)
    chain      dl/dsub = upstream * local = [1] * [-2] = [-2]

[2] sub = y_pred - y    (SubBackward0)
    local      d(a-b)/da = 1, d(a-b)/db = -1
               with a = y_pred = [1], b = y = 2
               so dsub/dy_pred = [1]
    upstream   dl/dsub = [-2]
    chain      dl/dy_pred = upstream * local = [-2] * [1] = [-2]
               y is a constant: no gradient flows to it

[3] y_pred = x * w    (MulBackward0)
    local      d(a*b)/da = b, d(a*b)/db = a
               with a = x = 1, b = w = [1]
               so dy_pred/dw = [1]
    upstream   dl/dy_pred = [-2]
    chain      dl/dw = upstream * local = [-2] * [1] = [-2]
               x is a constant: no gradient flows to it

Leaves: backward adds these into .grad
    w.grad += dl/dw = [-2]   (w.grad is [-2] now)

(the gradients of the backward pass that ran through this graph)
"""


def test_the_backprop_lesson_reads_as_its_code(tmp_path):
    """`chainrule explain examples/backprop.py`: `y_pred = x * w` as the lesson writes it
    (a local of its loss()), the number x = 1 by its name, and the picture says the same."""
    from lesson_graphs import backprop_lesson

    backprop_lesson(tmp_path)
    assert (tmp_path / "explain.txt").read_text() == BACKPROP_LESSON
    svg = (tmp_path / "graph.svg").read_text()
    for label in ("y_pred = x * w", "sub = y_pred - y", "l = sub ** 2", "x = 1", "y = 2"):
        assert f">{label}<" in svg


def test_operand_letters_are_the_formula_s(lesson_graph):
    """Lesson 10's addmm: its formula names the operands C, A, B, and so does the step."""
    text = lesson_graph("10_cnn").explain(quiet=True, max_nodes=None)
    step = text[text.index("outputs = addmm(fc.bias, view, t)") :]
    assert step.splitlines()[1].endswith(
        "d(beta*C + alpha*A@B)/dC = beta*grad, /dA = alpha*grad @ B^T, /dB = alpha*A^T @ grad"
    )
    assert step.splitlines()[2].lstrip().startswith("with C = fc.bias = shape [10] ")
    assert ", A = view = shape [64, 320] " in step.splitlines()[2]
    assert ", B = t = shape [320, 10] " in step.splitlines()[2]


@pytest.mark.parametrize(
    "formula, count, letters",
    [
        ("d(a*b)/da = b, d(a*b)/db = a", 2, ["a", "b"]),
        ("d(beta*C + alpha*A@B)/dC = beta*grad, /dA = alpha*grad @ B^T, /dB = ...", 3, list("CAB")),
        ("y = conv(x, w) + b: dx = conv_transpose(g, w), dw = conv_weight(x, g), db = sum(g)", 3,
         list("xwb")),
        ("d(where(c, a, b))/da = c, d/db = not c", 3, ["c", "a", "b"]),
        ("d(clamp(a, lo, hi))/da = 1 if lo <= a <= hi else 0", 1, ["a"]),
        ("h_t = tanh(gi_t + h_(t-1) @ W_hh^T + b_hh); backpropagation through time", 4,
         list("abcd")),
    ],
)  # fmt: skip
def test_operand_letters(formula, count, letters):
    from chainrule.viz.explain import operand_letters

    assert operand_letters(formula, count) == letters


def test_explain_and_the_page_agree_on_every_name_and_formula(lesson_graph):
    from chainrule.viz.page import page_parts

    graph = lesson_graph("10_cnn")
    text = graph.explain(quiet=True, max_nodes=None)
    _, data = page_parts(graph, expand=None)
    titles = [line.split("] ", 1)[1] for line in text.splitlines() if line.startswith("[")]
    page_titles = [n["title"] for n in data["nodes"].values() if "bwd" in n and "formula" in n]
    assert sorted(titles) == sorted(page_titles)
    for info in data["nodes"].values():
        if "formula" not in info:
            continue
        step = text[text.index(info["title"]) :].split("\n\n", 1)[0].splitlines()
        assert f"local derivative:  {step[1].split('local      ', 1)[1]}" in info["bwd"]
        with_line = next((s for s in step if s.lstrip().startswith("with ")), None)
        if with_line is not None:
            assert f"   {with_line.strip()}" in info["bwd"]
