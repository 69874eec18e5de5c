"""viz on ops with several outputs of different shapes: split, and a recurrent layer's Op
(its output sequence and final state). Drawing and explaining them must not mix the
outputs up."""

import numpy as np

import chainrule as torch
from chainrule.viz.page import page_parts


def test_split_into_unequal_parts_draws_and_explains():
    # names come from the variables of the function that calls trace and explain
    x = torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0], requires_grad=True)
    with torch.viz.record():
        a, b = torch.split(x, [2, 3])
        loss = a.sum() * 2 + (b * b).sum()
    graph = torch.viz.trace(loss)
    loss.backward()
    dot = graph.to_dot()
    assert "SplitWithSizesBackward0" in dot
    _, data = page_parts(graph)
    split = next(n for n in data["nodes"].values() if "SplitWithSizesBackward0" in n["title"])
    # the node shows its first output's value and gradient, as node_value does
    assert ["values", "[1, 2]"] in split["value"] and ["values", "[2, 2]"] in split["grad"]
    # each output goes by the variable it was assigned to, and has its own gradient
    text = torch.explain(loss)
    assert "a, b = split_with_sizes(x)" in text
    assert "dloss/da = [2, 2]; dloss/db = [6, 8, 10]" in text
    assert "mul_1 = b * b" in text and "with a = b = [3, 4, 5]" in text
    assert "a, b = split_with_sizes(x)" in dot
    np.testing.assert_array_equal(x.grad.numpy(), [2, 2, 6, 8, 10])


def test_an_output_with_no_variable_is_named_by_its_number():
    x = torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0], requires_grad=True)
    with torch.viz.record():
        c = (torch.split(x, [2, 3])[1] * 3).sum()
    text = torch.explain(c)
    assert "mul = split_with_sizes[1] * 3" in text


def test_a_recorded_recurrent_layer_keeps_its_values_and_results():
    torch.manual_seed(0)
    gru = torch.nn.GRU(3, 4, batch_first=True)
    x = torch.randn(2, 5, 3)
    plain_out, plain_h = gru(x)
    with torch.viz.record():
        out, h = gru(x)
        loss = h.sum() + out.mean()
    graph = torch.viz.trace(loss)
    loss.backward()
    # recording (which wraps each Op's forward, classmethods included) changes nothing
    np.testing.assert_array_equal(out.detach().numpy(), plain_out.detach().numpy())
    np.testing.assert_array_equal(h.detach().numpy(), plain_h.detach().numpy())
    layer = next(n for n in graph.nodes if n.op_name == "GruLayerBackward0")
    assert isinstance(layer.value, tuple) and layer.value[0].shape == (10, 4)
    assert "GruLayerBackward0" in graph.to_dot()
    text = torch.explain(loss)
    assert "(GruLayerBackward0)" in text
    assert "weight_hh_l0.grad += dloss/dweight_hh_l0" in text
    grad_text = torch.viz.format.tensor(gru.weight_hh_l0.grad.numpy())
    assert f"weight_hh_l0.grad is {grad_text} now" in text
    page_parts(graph)  # the page's data builds
