"""In-place ops on views cut from a tensor in the graph, hook order with retain_grad,
the order of autograd.grad's checks, and the legacy Variable."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule


def libs(torch_or_none):
    return [chainrule] + ([torch_or_none] if torch_or_none is not None else [])


def _slice_augmented(lib):
    x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x.clone()
    y[0] = 10
    y[1:] *= 2
    (y * lib.tensor([1.0, 2.0, 3.0])).sum().backward()
    return y.detach().numpy(), x.grad.numpy()


def _view_method(lib):
    x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = x * 1
    v = y[0]
    v.mul_(3)
    v.add_(x[1])
    (y * y).sum().backward()
    return y.detach().numpy(), x.grad.numpy()


def _nested_view(lib):
    x = lib.arange(12.0).reshape(3, 4).requires_grad_()
    y = x * 2
    row = y[1]
    part = row[1:3]
    part.sub_(1)
    part.div_(2)
    (y * y).sum().backward()
    return y.detach().numpy(), x.grad.numpy()


def _reshaped_view(lib):
    x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    w = lib.tensor([0.5, -1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    v = y.view(4)
    v.mul_(w)
    (y * y).sum().backward()
    return y.detach().numpy(), v.detach().numpy(), x.grad.numpy(), w.grad.numpy()


def _transposed_view(lib):
    x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    w = lib.tensor([[0.5, -1.0], [2.0, 3.0]], requires_grad=True)
    y = x * 1
    y.t().add_(w)
    (y.sum() * 3 + (y * x).sum()).backward()
    return y.detach().numpy(), x.grad.numpy(), w.grad.numpy()


def _view_of_a_buffer(lib):
    w = lib.tensor([0.5, -1.0, 2.0, 3.0], requires_grad=True)
    buf = lib.zeros(2, 2)  # requires no grad until the write puts it in the graph
    buf.view(4).add_(w)
    (buf**2).sum().backward()
    return buf.detach().numpy(), w.grad.numpy()


def _view_of_a_view(lib):
    x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    w = lib.tensor([0.5, -1.0, 2.0, 3.0], requires_grad=True)
    y = x + 0
    vv = y.view(4).view(2, 2).t()
    vv.mul_(3)
    vv.add_(w.view(2, 2))
    (y * x).sum().backward()
    return y.detach().numpy(), vv.detach().numpy(), x.grad.numpy(), w.grad.numpy()


@pytest.mark.parametrize(
    "case",
    [
        _slice_augmented,
        _view_method,
        _nested_view,
        _reshaped_view,
        _transposed_view,
        _view_of_a_buffer,
        _view_of_a_view,
    ],
)
def test_in_place_on_a_view_of_a_graph_tensor(case, torch_or_none):
    results = [case(lib) for lib in libs(torch_or_none)]
    for theirs in results[1:]:
        for a, b in zip(results[0], theirs):
            np.testing.assert_allclose(a, b, rtol=1e-6)


def test_in_place_on_a_view_literal_values():
    y, grad = _slice_augmented(chainrule)
    assert y.tolist() == [10.0, 4.0, 6.0]
    assert grad.tolist() == [0.0, 4.0, 6.0]


def test_in_place_on_a_reshaped_view_literal_values():
    y, v, x_grad, w_grad = _reshaped_view(chainrule)
    assert y.tolist() == [[1.0, -4.0], [12.0, 24.0]] and v.tolist() == [1.0, -4.0, 12.0, 24.0]
    # d/dx sum(y**2) with y = 2x*w: 8 * x * w**2;  d/dw: 8 * x**2 * w
    assert x_grad.tolist() == [[2.0, 16.0], [96.0, 288.0]]
    assert w_grad.tolist() == [4.0, -32.0, 144.0, 384.0]


def test_whole_view_in_place_guards_saved_values_and_leaves():
    x = chainrule.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = x * 1
    z = (y * y).sum()  # saves y
    y.t().mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.backward()
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        x.view(4).mul_(2)


def test_view_in_place_still_guards_saved_values():
    x = chainrule.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 1
    z = (y * y).sum()  # saves y
    y[1:].mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.backward()


def test_in_place_on_a_view_of_a_leaf_still_raises():
    x = chainrule.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        x[0:1].mul_(2)


@pytest.mark.parametrize("retain_first", [True, False])
def test_retain_grad_sees_the_gradient_after_hooks(retain_first, torch_or_none):
    for lib in libs(torch_or_none):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        if retain_first:
            y.retain_grad()
        y.register_hook(lambda g: g * 2)
        if not retain_first:
            y.retain_grad()
        (y * 1).sum().backward()
        assert y.grad.tolist() == [2.0, 2.0]
        assert x.grad.tolist() == [4.0, 4.0]


def test_autograd_grad_checks_outputs_before_inputs(error_of, torch_or_none):
    message = "element 0 of tensors does not require grad and does not have a grad_fn"
    for lib in libs(torch_or_none):
        x = lib.tensor([1.0, 2.0])
        y = (x * 2).sum()
        assert error_of(lambda lib=lib, x=x, y=y: lib.autograd.grad(y, x)) == (
            RuntimeError,
            message,
        )


def test_variable_is_a_new_leaf_sharing_memory():
    from chainrule.autograd import Variable

    x = chainrule.tensor([1.0, 2.0])
    v = Variable(x, requires_grad=True)
    assert v is not x and v.requires_grad and v.is_leaf and not x.requires_grad
    assert isinstance(x, Variable)
    v.data[0] = 5
    assert x.tolist() == [5.0, 2.0]
    w = Variable(chainrule.tensor([1.0], requires_grad=True) * 2)
    assert w.grad_fn is None and not w.requires_grad
    with pytest.raises(TypeError, match="Variable data has to be a tensor, but got list"):
        Variable([1.0])
