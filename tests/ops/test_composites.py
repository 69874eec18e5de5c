"""Composite ops written with primitives: tensordot, inner, addmv, broadcast_to, tile, and
the error messages of masked_fill and x[basic index] = v."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule

CASES = [
    lambda t, a, b: t.tensordot(a, b[:, :, 0], dims=1),
    lambda t, a, b: t.tensordot(a, b, dims=([1, 2], [1, 0])),
    lambda t, a, b: t.inner(a[0], b[:, 0, 0]),
    lambda t, a, b: t.inner(a, b[:, :, 0].T),
    lambda t, a, b: t.addmv(b[0, 0, :2], a[0, :2], b[:, 0, 0], beta=0.5, alpha=2),
    lambda t, a, b: b[0, 0, :2].addmv(a[0, :2], b[:, 0, 0]),
    lambda t, a, b: t.tile(a, (2,)),
    lambda t, a, b: a.tile((2, 1, 1, 1)),
    lambda t, a, b: t.broadcast_tensors(a[:, :1], b[0, :, :1])[1],
    lambda t, a, b: a[:, :1].broadcast_to((5, 2, 1, 4)),
]


@pytest.mark.parametrize("case", CASES)
def test_composite_values_and_gradients(case, torch, rng):
    A, B = rng.random((2, 3, 4)), rng.random((4, 3, 5))
    results = []
    for lib in (chainrule, torch):
        a, b = lib.tensor(A, requires_grad=True), lib.tensor(B, requires_grad=True)
        y = case(lib, a, b)
        (y * lib.arange(y.numel(), dtype=lib.float64).reshape(y.shape)).sum().backward()
        grads = [t.grad.numpy() if t.grad is not None else None for t in (a, b)]
        results.append((y.detach().numpy(), *grads))
    for mine, theirs in zip(*results):
        assert (mine is None) == (theirs is None)
        if mine is not None:
            assert mine.shape == theirs.shape
            np.testing.assert_allclose(mine, theirs, rtol=1e-12)


def test_tensordot_gradcheck():
    a = chainrule.randn(2, 3, 4, dtype=chainrule.float64, requires_grad=True)
    b = chainrule.randn(4, 3, dtype=chainrule.float64, requires_grad=True)
    assert chainrule.autograd.gradcheck(
        lambda x, y: chainrule.tensordot(x, y, ([1, 2], [1, 0])), (a, b)
    )


def test_inner_shape_literal():
    assert chainrule.inner(chainrule.ones(3, 4), chainrule.ones(4)).shape == (3,)
    with pytest.raises(RuntimeError, match="the last dimension must match"):
        chainrule.inner(chainrule.ones(3, 4), chainrule.ones(3, 5))


MASK_CASES = [
    ("float32", "float"),
    ("int32", "int"),
    ("int64", "long int"),
    ("uint8", "unsigned char"),
]


@pytest.mark.parametrize("dtype,cname", MASK_CASES)
def test_masked_fill_mask_dtype_message(dtype, cname):
    mask = chainrule.ones(3, dtype=getattr(chainrule, dtype))
    with pytest.raises(RuntimeError) as info:
        chainrule.zeros(3).masked_fill(mask, 0.0)
    assert str(info.value) == (
        f"masked_fill_ only supports boolean masks, but got mask with dtype {cname}"
    )


@pytest.mark.parametrize(
    "key,value_shape",
    [((slice(None), 0), (3,)), (0, (2,)), (slice(0, 1), (2, 3)), ("tensor", (2,))],
)
def test_setitem_shape_mismatch_messages(key, value_shape, torch):
    messages = []
    for lib in (chainrule, torch):
        x = lib.arange(6.0).reshape(2, 3)
        k = lib.tensor([0]) if key == "tensor" else key
        with pytest.raises(RuntimeError) as info:
            x[k] = lib.ones(value_shape)
        messages.append(str(info.value))
    assert messages[0] == messages[1]
