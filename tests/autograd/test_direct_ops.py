"""Direct ops (Op.direct) record what forward would record, without calling it; the
one-element kernels of tanh's and sigmoid's backward give the array kernels' bits."""

import numpy as np
import pytest

import chainrule as torch
from chainrule.ops import pointwise, unary

BINARY = [pointwise.Add, pointwise.Mul, pointwise.Div]


def _graph(op_fn, b_is_tensor):
    a = torch.tensor([1.5, -2.25, 3.0], dtype=torch.float64, requires_grad=True)
    b = (
        torch.tensor([0.5, 4.0, -1.25], dtype=torch.float64, requires_grad=True)
        if b_is_tensor
        else 2.5
    )
    out = op_fn(a, b)
    out.sum().backward()
    saved = (
        [
            (e[0], e[1] if not isinstance(e[1], torch.Tensor) else e[1]._data.tolist())
            for e in out.grad_fn._saved
        ]
        if out.grad_fn._saved
        else []
    )
    grads = [a.grad.tolist(), b.grad.tolist() if b_is_tensor else None]
    return out._data.tolist(), type(out.grad_fn).__name__, saved, grads


@pytest.mark.parametrize("op", BINARY, ids=lambda op: op.__name__)
@pytest.mark.parametrize("b_is_tensor", [True, False])
def test_direct_binary_records_what_forward_records(op, b_is_tensor, monkeypatch):
    fn = {
        pointwise.Add: lambda a, b: a + b,
        pointwise.Mul: lambda a, b: a * b,
        pointwise.Div: lambda a, b: a / b,
    }[op]
    assert op.direct
    direct = _graph(fn, b_is_tensor)
    monkeypatch.setattr(op, "direct", False)
    through_forward = _graph(fn, b_is_tensor)
    assert direct == through_forward


def test_direct_binary_keeps_pytorchs_broadcast_error():
    a = torch.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="must match the size of tensor b"):
        a * torch.ones(4)


def test_direct_mul_with_a_number_keeps_only_the_number():
    # As PyTorch: a later in-place change of a does not invalidate x * 2.0's node...
    a = torch.ones(3, requires_grad=True).clone()
    out = a * 2.0
    a.add_(1)
    out.sum().backward()
    # ...but it does invalidate a * b's, which saved a.
    a = torch.ones(3, requires_grad=True).clone()
    b = torch.ones(3, requires_grad=True)
    out = a * b
    a.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        out.sum().backward()


def test_one_element_tanh_factor_equals_the_array_kernel():
    rng = np.random.default_rng(0)
    values = np.concatenate(
        [rng.uniform(-1, 1, 2000), [0.0, -0.0, 1.0, -1.0, 1e-30, np.nan, np.inf]]
    ).astype(np.float32)
    whole = unary._one_minus_square(values)  # the array path (more than one element)
    for v, expected in zip(values, whole):
        one = unary._one_minus_square(np.array([v], np.float32))
        assert one.dtype == np.float32
        np.testing.assert_array_equal(np.broadcast_to(one, (1,)), [expected])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_backward_with_0d_ones_equals_python_one(dtype):
    rng = np.random.default_rng(1)
    g = rng.standard_normal(500).astype(dtype)
    y = rng.uniform(0, 1, 500).astype(dtype)
    expected = g * (1 - y) * y
    np.testing.assert_array_equal(unary.SigmoidBackward.ufunc(g, y), expected)
    for i in range(0, 500, 7):  # one element at a time, as in a one-element graph
        got = unary.SigmoidBackward.ufunc(g[i : i + 1], y[i : i + 1])
        np.testing.assert_array_equal(got, expected[i : i + 1])
        assert got.dtype == dtype


@pytest.mark.parametrize("value", [-200.0, -50.0, 0.0, 3.0, float("nan"), float("-inf")])
def test_one_element_sigmoid_overflow_check(value):
    # The one-element check reads the value; large negative inputs still give 0 quietly.
    x = np.array([value], np.float32)
    with np.errstate(all="raise"):
        got = unary._sigmoid_np(x)
    with np.errstate(over="ignore"):
        expected = np.reciprocal(np.exp(-x) + np.float32(1))
    np.testing.assert_array_equal(got, expected)
