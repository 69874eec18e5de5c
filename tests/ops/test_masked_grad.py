"""The keep-or-zero path of the masked gradient (relu's, threshold's, hardtanh's backward):
the same bits as np.where, for every float dtype, NaN, infinities and signed zeros."""

import numpy as np
import pytest

import chainrule as cr
from chainrule.ops.masked_grad import _keep_or_zero


def _special_values(dtype, shape, seed):
    rng = np.random.default_rng(seed)
    g = rng.standard_normal(shape).astype(dtype)
    flat = g.reshape(-1)
    flat[:6] = [np.nan, -np.nan, np.inf, -np.inf, 0.0, -0.0]
    return g


def _layout(g, layout):
    """g's values in another memory layout: transposed twice (Fortran order), every other
    column of a wider array, or one row expanded to every row (stride 0), as the incoming
    gradients of a transposed product, a slice, and a sum's backward come."""
    if layout == "fortran":
        return np.asfortranarray(g)
    if layout == "strided":
        wide = np.zeros((g.shape[0], 2 * g.shape[1]), g.dtype)
        wide[:, ::2] = g
        return wide[:, ::2]
    if layout == "expanded":
        return np.broadcast_to(g[3], g.shape)
    return g


@pytest.mark.parametrize("layout", ["contiguous", "fortran", "strided", "expanded"])
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("zero_where", [True, False])
def test_keep_or_zero_is_where_bit_for_bit(dtype, zero_where, layout):
    g = _layout(_special_values(dtype, (17, 31), 0), layout)  # (past _BITWISE_MIN elements)
    mask = np.random.default_rng(1).standard_normal((17, 31)) > 0
    ours = _keep_or_zero(mask, g, zero_where)
    assert ours is not None
    zero = np.zeros((), dtype)
    want = np.where(mask, zero, g) if zero_where else np.where(mask, g, zero)
    assert ours.dtype == want.dtype and ours.shape == want.shape
    word = {2: np.uint16, 4: np.uint32, 8: np.uint64}[np.dtype(dtype).itemsize]
    np.testing.assert_array_equal(ours.view(word), want.view(word))
    assert not np.shares_memory(ours, g)


def test_keep_or_zero_leaves_other_shapes_to_where():
    g = np.ones((20, 25), np.float32)
    mask = np.zeros((20, 25), bool)
    assert _keep_or_zero(mask, g, True) is not None  # (the bitwise path, for contrast)
    assert _keep_or_zero(mask[:1], g, True) is None  # a mask that broadcasts
    assert _keep_or_zero(mask, g.astype(np.int32), True) is None
    assert _keep_or_zero(mask[:10], g[:10], True) is None  # small: np.where costs less
    zero_dim = np.ones((), np.float32)
    assert _keep_or_zero(zero_dim <= 0, zero_dim, True) is None  # a np.bool_, not an array


@pytest.mark.parametrize("value", [2.0, -2.0])
def test_relu_of_a_zero_dim_tensor_under_create_graph(value):
    x = cr.tensor(value, requires_grad=True)
    (g,) = cr.autograd.grad(cr.relu(x) * 3, x, create_graph=True)
    assert g.item() == (3.0 if value > 0 else 0.0) and g.requires_grad


@pytest.mark.parametrize("layout", ["contiguous", "transposed"])
def test_relu_backward_zeroes_where_the_output_is_not_positive(layout):
    x = cr.tensor(np.array([[1.0, -2.0, 0.0], [np.nan, 3.0, -0.0]], np.float32))
    if layout == "transposed":
        x = x.t()
    x.requires_grad_()
    g = cr.tensor(np.array([[-1.0, 2.0, 5.0], [7.0, np.inf, -3.0]], np.float32))
    g = g if layout == "contiguous" else g.t()
    cr.relu(x).backward(g)
    y = x.detach().numpy()
    want = np.where(np.maximum(y, 0) <= 0, np.float32(0), g.numpy())
    np.testing.assert_array_equal(x.grad.numpy().view(np.uint32), want.view(np.uint32))
