"""broadcast_view, the expand forward: the view np.broadcast_to gives (shape, strides,
values, read-only, the same memory), for every way a shape can expand, and the layouts
and shapes it leaves to np.broadcast_to."""

import numpy as np
import pytest

import chainrule as cr
from chainrule.ops.shape import broadcast_view

CASES = [
    ((), (1,)),
    ((), (3, 4)),
    ((1,), (5,)),
    ((3, 1), (3, 4)),
    ((1, 4), (2, 3, 4)),
    ((2, 3), (2, 3)),
    ((2, 3), (4, 2, 3)),
    ((1, 1), (0, 1)),
    ((0,), (0,)),
    ((0, 1), (2, 0, 5)),
    ((3,), (2, 3)),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64, np.bool_, np.complex64])
@pytest.mark.parametrize("source, shape", CASES)
def test_broadcast_view_is_broadcast_to(source, shape, dtype):
    a = np.asarray(np.random.default_rng(0).standard_normal(source) > 0).astype(dtype)
    ours = broadcast_view(a, shape)
    want = np.broadcast_to(a, shape)
    assert ours.shape == want.shape and ours.dtype == want.dtype
    np.testing.assert_array_equal(ours, want)
    assert not ours.flags.writeable
    if ours.size:
        assert ours.strides == want.strides
        assert ours.base is a and np.shares_memory(ours, a)


@pytest.mark.parametrize("layout", ["fortran", "strided", "expanded"])
def test_other_layouts_are_broadcast_to(layout):
    base = np.arange(12.0).reshape(3, 4)
    a = {
        "fortran": np.asfortranarray(base),
        "strided": base[:, ::2],
        "expanded": np.broadcast_to(base[:1], (3, 4)),
    }[layout]
    shape = (2,) + a.shape
    ours = broadcast_view(a, shape)
    np.testing.assert_array_equal(ours, np.broadcast_to(a, shape))
    assert ours.strides == np.broadcast_to(a, shape).strides and not ours.flags.writeable


@pytest.mark.parametrize("source, shape", [((2,), (3,)), ((2, 3), (3,)), ((2, 1), (3, 1))])
def test_shapes_that_do_not_expand_raise_numpys_error(source, shape):
    a = np.ones(source)
    with pytest.raises(ValueError) as ours:
        broadcast_view(a, shape)
    with pytest.raises(ValueError) as want:
        np.broadcast_to(a, shape)
    assert str(ours.value) == str(want.value)


def test_an_expanded_tensor_is_a_view_of_its_source():
    x = cr.tensor([[1.0], [2.0]])
    y = x.expand(2, 3)
    assert y._base is x and y._version == x._version
    x.add_(1.0)  # a write through the source shows in the view, as in PyTorch
    np.testing.assert_array_equal(y.numpy(), [[2.0] * 3, [3.0] * 3])
    with pytest.raises(ValueError):
        y._data[0, 0] = 5.0  # read-only memory, as np.broadcast_to's


def test_sum_backward_gives_a_writeable_grad_of_ones():
    x = cr.tensor(np.ones((64, 256), np.float32), requires_grad=True)
    x.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.ones((64, 256), np.float32))
    assert x.grad._data.flags.writeable  # .grad owns writeable memory (accumulated in place)
