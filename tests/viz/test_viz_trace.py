"""chainrule.viz.trace and record: nodes, names, values, gradients, module groups, scale."""

import sys
import traceback

import numpy as np
import pytest

import chainrule as cr
from chainrule import viz


def lesson(record=True):
    w = cr.tensor([1.0], requires_grad=True)
    x = cr.tensor([1.0])
    y = cr.tensor([2.0])
    if record:
        with viz.record():
            l = (x * w - y) ** 2
    else:
        l = (x * w - y) ** 2
    return viz.trace(l), l, w


def test_lesson_nodes_in_forward_order_with_names_and_values():
    g, l, w = lesson()
    assert [(n.kind, n.name) for n in g.nodes] == [
        ("const", "x"),
        ("leaf", "w"),
        ("op", "mul"),
        ("const", "y"),
        ("op", "sub"),
        ("op", "l"),
    ]
    assert [n.op_name for n in g.nodes if n.kind == "op"] == [
        "MulBackward0",
        "SubBackward0",
        "PowBackward0",
    ]
    values = {n.name: n.value.tolist() for n in g.nodes}
    assert values == {"x": [1.0], "w": [1.0], "mul": [1.0], "y": [2.0], "sub": [-1.0], "l": [1.0]}
    assert g.node("l").is_output and g.output == g.node("l").id
    assert g.node("mul").op is type(l.grad_fn.next_functions[0][0].next_functions[0][0]).op
    assert g.node("l").formula == "d(a**n)/da = n * a**(n-1)"
    assert g.node("l").params == {"exponent": 2}


def test_edges_follow_next_functions():
    g, l, w = lesson()
    edges = {(g.node(e.src).name, g.node(e.dst).name, e.index) for e in g.edges}
    assert edges == {("x", "mul", 0), ("w", "mul", 1), ("mul", "sub", 0), ("y", "sub", 1),
                     ("sub", "l", 0)}  # fmt: skip


def test_gradients_appear_after_backward_and_match_pytorch(torch):
    g, l, w = lesson()
    assert not g.has_grads and g.node("w").grad is None
    l.backward()
    tw = torch.tensor([1.0], requires_grad=True)
    tl = (torch.tensor([1.0]) * tw - torch.tensor([2.0])) ** 2
    tl.backward()
    assert g.node("w").grad.tolist() == tw.grad.tolist() == w.grad.tolist() == [-2.0]
    grads = {n.name: n.grad.tolist() for n in g.nodes if n.grad is not None}
    assert grads == {"w": [-2.0], "mul": [-2.0], "sub": [-2.0], "l": [1.0]}
    edge = {(g.node(e.src).name, g.node(e.dst).name): e.grad for e in g.edges}
    assert edge[("sub", "l")].tolist() == [-2.0]
    assert edge[("w", "mul")].tolist() == [-2.0]
    assert edge[("x", "mul")] is None  # no gradient flows to a constant


def test_trace_without_record_uses_saved_values_and_records_grads():
    g, l, w = lesson(record=False)
    assert g.node("sub").value.tolist() == [-1.0]  # saved by PowBackward0 as its input
    assert g.node("x").value.tolist() == [1.0]  # saved by MulBackward0
    assert g.node("mul").value is None  # nothing saved it: record() would know
    g.backward()
    assert w.grad.tolist() == [-2.0]
    assert g.node("mul").grad.tolist() == [-2.0]


def test_trace_and_record_do_not_touch_grad():
    w = cr.tensor([3.0], requires_grad=True)
    with viz.record():
        l = (w * w).sum()
    g = viz.trace(l)
    assert w.grad is None
    l.backward()
    assert w.grad.tolist() == [6.0]  # one backward, accumulated once
    assert g.node("w").grad.tolist() == [6.0]


def test_diamond_accumulates_both_uses(torch):
    a = cr.tensor([2.0, -1.0], requires_grad=True)
    with viz.record():
        b = a * 3.0
        c = b.tanh() + b * b  # b is used twice
        out = c.sum()
    g = viz.trace(out)
    out.backward()
    ta = torch.tensor([2.0, -1.0], requires_grad=True)
    tb = ta * 3.0
    tb.retain_grad()
    (tb.tanh() + tb * tb).sum().backward()
    uses = [e for e in g.edges if e.src == g.node("b").id]
    assert len(uses) == 3  # tanh, and both operands of the product
    summed = sum(e.grad for e in uses)
    np.testing.assert_allclose(g.node("b").grad, summed, rtol=1e-6)
    np.testing.assert_allclose(g.node("b").grad, tb.grad.numpy(), rtol=1e-6)
    np.testing.assert_allclose(g.node("a").grad, ta.grad.numpy(), rtol=1e-6)


def test_a_leaf_used_twice_sums_its_edges():
    w = cr.tensor([2.0], requires_grad=True)
    with viz.record():
        l = w * w
    g = viz.trace(l)
    l.backward()
    leaf_edges = [e for e in g.edges if e.src == g.node("w").id]
    assert [e.grad.tolist() for e in leaf_edges] == [[2.0], [2.0]]
    assert g.node("w").grad.tolist() == w.grad.tolist() == [4.0]


def test_user_hooks_and_retain_grad_keep_working():
    w = cr.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    w.register_hook(lambda grad: seen.append(grad.tolist()))
    h = w * 2
    h.retain_grad()
    out = h.sum()
    g = viz.trace(out)
    g.compute_grads()  # explain's pass: no .grad changes, hooks on leaves run
    assert w.grad is None and h.grad is None
    out.backward()
    assert h.grad.tolist() == [1.0, 1.0]
    assert w.grad.tolist() == [2.0, 2.0]
    assert seen[-1] == [2.0, 2.0]


def test_trace_rejects_non_tensors_and_handles_constants():
    with pytest.raises(TypeError, match="expects a Tensor"):
        viz.trace([1.0])
    c = cr.tensor([1.0])
    g = viz.trace(c)
    assert [(n.kind, n.name) for n in g.nodes] == [("const", "c")]


def test_names_may_be_given():
    a = cr.tensor([1.0], requires_grad=True)
    out = a.exp()
    g = viz.trace(out, names={"alpha": a, "result": out})
    assert {n.name for n in g.nodes} >= {"alpha", "result"}


def test_deep_chain_traces_without_recursion():
    n = 100_000
    x = cr.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(n):
        y = y * 1.0
    old = sys.getrecursionlimit()
    # A recursive walk of 100,000 nodes would fail under this limit.
    sys.setrecursionlimit(len(traceback.extract_stack()) + 200)
    try:
        g = viz.trace(y)
        dot = g.to_dot(max_nodes=50)
    finally:
        sys.setrecursionlimit(old)
    assert sum(1 for k in g.nodes if k.kind == "op") == n
    assert len(g.nodes) == 2 * n + 1  # each op, its constant 1.0, and the leaf
    assert "199,952 of 200,001 nodes elided: showing the 49 nearest the output" in dot
    assert "... 199,952 more nodes (MulBackward0 x" in dot
    out = g.nodes[-1]
    assert out.is_output and f"  {out.id} [" in dot
    assert dot.count(" [label=") == 50


def test_module_groups_and_parameter_names(torch):
    nn = cr.nn
    if not hasattr(nn, "Sequential") or not hasattr(nn, "Linear"):
        pytest.skip("nn.Sequential / nn.Linear not available")
    cr.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
    x = cr.randn(2, 3)
    with viz.record():
        loss = model(x).pow(2).mean()
    g = viz.trace(loss)
    loss.backward()
    names = {n.name for n in g.nodes}
    assert {"0.weight", "0.bias", "2.weight", "2.bias"} <= names
    assert set(g.groups) == {"model", "0", "1", "2"}
    assert g.groups["0"].parent == "model" and g.groups["0"].depth == 1
    assert g.groups["0"].label == "0 (Linear)"
    assert g.node("0.weight").group == "0"
    ops_in_0 = [n for n in g.nodes if n.kind == "op" and n.group == "0"]
    assert ops_in_0 and all(n.order < g.node("loss").order for n in ops_in_0)
    assert g.node("loss").group is None
    np.testing.assert_allclose(g.node("0.weight").grad, model[0].weight.grad.numpy(), rtol=1e-6)


def test_recording_is_released_after_the_block():
    from chainrule.ops.pointwise import Mul

    original = Mul.__dict__["forward"]
    with viz.record():
        assert Mul.__dict__["forward"] is not original
    assert Mul.__dict__["forward"] is original


def test_operands_keep_the_order_and_names_the_code_wrote():
    w = cr.tensor([1.0], requires_grad=True)
    x, k = 3.0, 0.5
    with viz.record():
        a = x * w  # Python runs w.__rmul__(x): the op sees (w, x)
        b = 2 * a
        c = a * k + b
        d = 1 - c
    g = viz.trace(d)
    assert g.expression_of(g.node("a")) == "a = x * w"
    assert g.expression_of(g.node("b")) == "b = 2 * a"
    assert g.expression_of(g.node("c")) == "c = mul + b"
    assert g.expression_of(g.node("mul")) == "mul = a * k"
    assert g.expression_of(g.node("d")) == "d = 1 - c"
    consts = sorted((n.name, n.value.item()) for n in g.nodes if n.kind == "const")
    assert consts == [("1", 1.0), ("2", 2.0), ("k", 0.5), ("x", 3.0)]


def test_names_of_a_function_s_locals_name_its_values():
    w = cr.tensor([1.0], requires_grad=True)

    def forward(x):
        return x * w

    def loss(x, y):
        y_pred = forward(x)
        return (y_pred - y) ** 2

    with viz.record():
        l = loss(1.0, 2.0)
    g = viz.trace(l)
    assert [g.expression_of(n) for n in g.nodes if n.kind == "op"] == [
        "y_pred = x * w",
        "sub = y_pred - y",
        "l = sub ** 2",
    ]


def test_ipython_output_cache_names_nothing():
    # What a notebook's namespace holds after `w` was shown as Out[2] and `l` as Out[3].
    ns = {"cr": cr, "viz": viz}
    code = """
w = cr.tensor([1.0], requires_grad=True)
x = cr.tensor([3.0])
with viz.record():
    l = (x * w) ** 2
_2 = __ = w
_3 = _ = ___ = l
Out = {2: w, 3: l}
_oh = Out
_i3 = "l"
graph = viz.trace(l)
text = viz.explain(l, quiet=True)
"""
    exec(code, ns)
    names = {n.name for n in ns["graph"].nodes}
    assert names == {"w", "x", "mul", "l"}
    assert "w.grad += dl/dw" in ns["text"] and "_2" not in ns["text"]


def test_each_call_of_a_module_is_its_own_group_with_its_own_parameters_shared():
    nn = cr.nn
    cr.manual_seed(0)
    layer = nn.Linear(3, 3)
    x = cr.randn(2, 3)
    with viz.record():
        loss = layer(layer(x).tanh()).sum()  # the same Linear twice: shared weights
    g = viz.trace(loss)
    assert set(g.groups) == {"layer#1", "layer#2"}
    assert g.groups["layer#1"].label == "layer (Linear) call 1"
    # the weight is read by both calls, so it belongs to neither
    assert g.node("weight").group is None and g.node("bias").group is None
