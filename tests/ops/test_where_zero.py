"""where(cond, 0, x) and where(cond, x, 0) (relu's backward) take a branch-free path: it must
give np.where's result bit for bit, NaN, infinities and signed zeros included."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule
from chainrule.ops.pointwise import _where_zero

SPECIAL = [np.nan, -0.0, 0.0, np.inf, -np.inf, -1.5, 2.0, 1e-42]


@pytest.mark.parametrize("dtype", [chainrule.float32, chainrule.float64])
@pytest.mark.parametrize("zero_first", [True, False])
@pytest.mark.parametrize("zero", [0.0, 0])
def test_where_with_a_zero_is_bitwise_np_where(dtype, zero_first, zero):
    rng = np.random.default_rng(0)
    x = chainrule.tensor(SPECIAL * 4, dtype=dtype).reshape(4, 8)
    cond = chainrule.tensor(rng.random((4, 8)) < 0.5)
    args = (zero, x) if zero_first else (x, zero)
    out = chainrule.where(cond, *args)
    np_args = [a.numpy() if isinstance(a, chainrule.Tensor) else a for a in args]
    expected = np.where(cond.numpy(), *np_args)
    assert out.dtype == dtype
    assert out.numpy().dtype == expected.dtype
    assert out.numpy().tobytes() == expected.tobytes()


def test_the_fast_path_is_taken_only_where_it_is_exact():
    x = np.array([1.0, -2.0], dtype=np.float32)
    cond = np.array([True, False])
    assert _where_zero(cond, np.float32(0).reshape(()), x) is None  # a NumPy scalar: general
    assert _where_zero(cond, np.zeros((), np.float32), x) is not None
    assert _where_zero(cond, -0.0, x) is None  # -0.0 must come out as -0.0
    assert _where_zero(cond, 1.0, x) is None
    assert _where_zero(cond, np.zeros((), np.float64), x) is None  # another dtype
    assert _where_zero(cond[:1], 0.0, x) is None  # broadcasting: the general path
    assert _where_zero(np.array(True), 0.0, np.float32(1.0)) is None  # 0-d
    assert _where_zero(cond, 0, x.astype(np.int32)) is None  # integers


def test_relu_backward_through_where_matches_the_mask():
    x = chainrule.tensor([[-1.0, 0.0, 2.0], [3.0, -0.5, np.nan]], requires_grad=True)
    x.relu().backward(chainrule.tensor([[-1.0, -2.0, -3.0], [4.0, 5.0, 6.0]]))
    expected = np.array([[0.0, 0.0, -3.0], [4.0, 0.0, 0.0]], dtype=np.float32)
    # relu(nan) is nan, and nan <= 0 is False: the gradient passes there, as in PyTorch
    expected[1, 2] = 6.0
    assert x.grad.numpy().tobytes() == expected.tobytes()
