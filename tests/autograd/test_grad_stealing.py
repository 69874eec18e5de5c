"""The first gradient a leaf receives becomes its .grad without a copy only when nothing
else can see that memory: never a gradient the user holds, a hook kept, a tensor saved for
backward, or another leaf's gradient."""

from __future__ import annotations

import weakref

import numpy as np

import chainrule
from chainrule.autograd.function import Function

kept_arrays = []


class FreshGradient(Function):
    """Identity forward; backward returns a brand-new array the test only holds weakly."""

    @staticmethod
    def forward(ctx, x):
        return x.clone()

    @staticmethod
    def backward(ctx, grad):
        array = grad.detach().numpy() * 3.0  # a new array nobody else references
        kept_arrays.append(weakref.ref(array))
        return chainrule.from_numpy(array)


class ReturnsSaved(Function):
    """Backward returns a tensor saved in forward (a user's tensor) as the gradient."""

    @staticmethod
    def forward(ctx, x, w):
        ctx.save_for_backward(w)
        return x * 1.0

    @staticmethod
    def backward(ctx, grad):
        (w,) = ctx.saved_tensors
        return w, None


def leaf(values):
    return chainrule.tensor(values, dtype=chainrule.float32, requires_grad=True)


def test_a_fresh_gradient_becomes_grad_without_a_copy():
    kept_arrays.clear()
    x = leaf([1.0, 2.0])
    FreshGradient.apply(x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0])
    assert x.grad._data is kept_arrays[0]()  # the very array backward made


def test_a_linear_weight_gradient_is_kept_uncopied_and_right():
    layer = chainrule.nn.Linear(4, 3)
    x = chainrule.randn(5, 4)
    layer(x).relu().sum().backward()
    grad = layer.weight.grad._data
    # t() of the column-major product: a C-contiguous view of an array only .grad holds
    assert grad.base is not None and grad.flags.c_contiguous and grad.flags.writeable
    mask = (x._data @ layer.weight._data.T + layer.bias._data > 0).astype(np.float32)
    np.testing.assert_allclose(grad, mask.T @ x._data, rtol=1e-5, atol=1e-6)
    # Accumulating into it again is in place and adds up.
    before = grad.copy()
    layer(x).relu().sum().backward()
    assert layer.weight.grad._data is grad
    np.testing.assert_allclose(grad, 2 * before, rtol=1e-6)


def test_a_gradient_the_user_passed_is_never_aliased():
    x = leaf([1.0, 2.0, 3.0])
    g = chainrule.tensor([0.5, 0.25, 2.0])
    (x + 0).backward(g)  # AddBackward0 hands g itself on to x's accumulator
    assert not np.shares_memory(x.grad._data, g._data)
    g.mul_(100)
    np.testing.assert_array_equal(x.grad.numpy(), [0.5, 0.25, 2.0])
    # A leaf as the root: the gradient given is copied too.
    y = leaf([1.0, 2.0, 3.0])
    y.backward(g)
    assert not np.shares_memory(y.grad._data, g._data)


def test_a_gradient_a_hook_kept_is_never_aliased():
    x = leaf([1.0, 2.0])
    seen = []
    z = x + 0  # AddBackward0 hands z's gradient itself on to x's accumulator
    z.register_hook(lambda g: seen.append(g))
    (z * 2.0).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0])
    held = seen[0]
    assert not np.shares_memory(x.grad._data, held._data)
    x.grad.add_(1.0)
    np.testing.assert_array_equal(held.numpy(), [2.0, 2.0])


def test_a_tensor_the_hook_returns_and_keeps_is_never_aliased():
    x = leaf([1.0, 2.0])
    replacement = chainrule.tensor([7.0, 8.0])
    x.register_hook(lambda g: replacement)
    (x * 1.0).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [7.0, 8.0])
    assert not np.shares_memory(x.grad._data, replacement._data)


def test_a_saved_tensor_returned_as_gradient_is_never_aliased():
    for retain in (False, True):
        x = leaf([1.0, 2.0])
        w = chainrule.tensor([5.0, 6.0])
        ReturnsSaved.apply(x, w).sum().backward(retain_graph=retain)
        np.testing.assert_array_equal(x.grad.numpy(), [5.0, 6.0])
        assert not np.shares_memory(x.grad._data, w._data)
        x.grad.zero_()
        np.testing.assert_array_equal(w.numpy(), [5.0, 6.0])


def test_one_gradient_sent_to_two_leaves_gives_two_buffers():
    a = leaf([1.0, 2.0])
    b = leaf([3.0, 4.0])
    ((a + b) * 2.0).sum().backward()  # AddBackward0 sends one tensor to both leaves
    np.testing.assert_array_equal(a.grad.numpy(), [2.0, 2.0])
    np.testing.assert_array_equal(b.grad.numpy(), [2.0, 2.0])
    assert not np.shares_memory(a.grad._data, b._data)
    assert not np.shares_memory(a.grad._data, b.grad._data)
    a.grad.add_(1.0)
    np.testing.assert_array_equal(b.grad.numpy(), [2.0, 2.0])


def test_a_broadcast_gradient_is_copied_into_a_writeable_grad():
    x = leaf([[1.0, 2.0], [3.0, 4.0]])
    x.sum().backward()  # SumBackward0 gives an expanded (stride 0, read-only) view
    assert x.grad._data.flags.writeable and x.grad._data.flags.c_contiguous
    x.grad.add_(1.0)
    np.testing.assert_array_equal(x.grad.numpy(), [[2.0, 2.0], [2.0, 2.0]])


def test_a_view_of_a_larger_array_is_copied():
    x = leaf([1.0, 2.0])
    y = chainrule.stack([x * 2.0, x * 3.0]).sum(0)  # the gradient arrives as a slice
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [5.0, 5.0])
    assert x.grad._data.base is None or x.grad._data.base.shape == x.grad._data.shape


def test_gradients_of_a_training_step_are_independent_buffers():
    layer = chainrule.nn.Linear(3, 2)
    x = chainrule.randn(4, 3)
    layer(x).sum().backward()
    w, b = layer.weight.grad._data, layer.bias.grad._data
    assert not np.shares_memory(w, b)
    assert not np.shares_memory(w, layer.weight._data)
    assert not np.shares_memory(b, layer.bias._data)
    np.testing.assert_allclose(b, [4.0, 4.0])
