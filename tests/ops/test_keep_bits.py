"""The branch-free select behind relu's, threshold's and hardtanh's backward equals
np.where bit for bit: infinities and NaN in the gradient give +0.0 where masked off,
signed zeros pass through, every float width, strided operands; shapes that broadcast
fall back to np.where."""

import numpy as np
import pytest

from chainrule.ops.masked_grad import _keep


def _reference(mask, grad, where):
    zero = np.zeros((), grad.dtype)
    return np.where(mask, grad, zero) if where else np.where(mask, zero, grad)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("where", [True, False])
def test_keep_is_np_where_bit_for_bit(dtype, where):
    rng = np.random.default_rng(0)
    grad = rng.standard_normal((6, 50)).astype(dtype)
    grad[0, :6] = [np.inf, -np.inf, np.nan, -0.0, 0.0, -1.0]
    grad[1, :6] = grad[0, :6]
    mask = rng.random((6, 50)) < 0.5
    mask[0, :6], mask[1, :6] = False, True
    for m, g in ((mask, grad), (mask[:, ::3], grad[:, ::3]), (mask.T, grad.T)):
        ours, theirs = _keep(m, g, where), _reference(m, g, where)
        assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
        as_bytes = [np.ascontiguousarray(a).view(np.uint8) for a in (ours, theirs)]
        np.testing.assert_array_equal(*as_bytes)


def test_keep_broadcasts_through_np_where():
    mask = np.array([True, False, True])
    grad = np.arange(6.0, dtype=np.float32).reshape(2, 3)
    np.testing.assert_array_equal(_keep(mask, grad, True), [[0, 0, 2], [3, 0, 5]])
    np.testing.assert_array_equal(_keep(mask, grad, False), [[0, 1, 0], [0, 4, 0]])
