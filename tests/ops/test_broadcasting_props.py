"""Property tests for broadcasting in binary ops: result shapes and values against NumPy,
gradients reduced back to each operand's shape (against NumPy's sums and PyTorch), and
PyTorch's error for shapes that do not broadcast."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import chainrule

try:
    import torch as _torch
except ImportError:  # pragma: no cover - the NumPy checks still run
    _torch = None

SETTINGS = settings(max_examples=80, deadline=None)

OPS = {
    "add": lambda lib, a, b: a + b,
    "sub": lambda lib, a, b: a - b,
    "mul": lambda lib, a, b: a * b,
    "div": lambda lib, a, b: a / b,
    "maximum": lambda lib, a, b: lib.maximum(a, b),
    "pow": lambda lib, a, b: a.abs() ** b,
}
NUMPY = {
    "add": np.add,
    "sub": np.subtract,
    "mul": np.multiply,
    "div": np.divide,
    "maximum": np.maximum,
    "pow": lambda a, b: np.abs(a) ** b,
}


@st.composite
def broadcastable_pair(draw):
    """Two shapes that broadcast: each drops some leading dims of a common shape and
    turns some of the rest into 1."""
    full = draw(st.lists(st.integers(1, 4), min_size=0, max_size=4))
    shapes = []
    for _ in range(2):
        lead = draw(st.integers(0, len(full)))
        shape = [1 if draw(st.booleans()) else s for s in full[lead:]]
        shapes.append(tuple(shape))
    seed = draw(st.integers(0, 2**31 - 1))
    return shapes[0], shapes[1], seed


def _inputs(lib, a_shape, b_shape, seed):
    rng = np.random.default_rng(seed)
    a = rng.uniform(0.5, 2.0, a_shape) * rng.choice([-1.0, 1.0], a_shape)
    b = rng.uniform(0.5, 2.0, b_shape)
    return lib.tensor(a, requires_grad=True), lib.tensor(b, requires_grad=True), a, b


def _reduce_to(g, shape):
    """NumPy's sum of a broadcast gradient back to an operand's shape."""
    lead = g.ndim - len(shape)
    g = g.sum(axis=tuple(range(lead))) if lead else g
    axes = tuple(i for i, s in enumerate(shape) if s == 1 and g.shape[i] != 1)
    return g.sum(axis=axes, keepdims=True) if axes else g


@SETTINGS
@given(pair=broadcastable_pair(), op=st.sampled_from(sorted(OPS)))
def test_broadcast_shapes_values_and_gradient_shapes(pair, op):
    a_shape, b_shape, seed = pair
    x, y, a, b = _inputs(chainrule, a_shape, b_shape, seed)
    out = OPS[op](chainrule, x, y)
    expected = NUMPY[op](a, b)
    assert tuple(out.shape) == np.broadcast_shapes(a_shape, b_shape)
    np.testing.assert_allclose(out.detach().numpy(), expected, rtol=1e-12, atol=1e-12)
    w = np.random.default_rng(seed + 1).standard_normal(out.shape)
    (out * chainrule.tensor(w)).sum().backward()
    assert tuple(x.grad.shape) == a_shape and tuple(y.grad.shape) == b_shape
    if op == "add":  # d(a+b)/da = d(a+b)/db = 1: each gradient is w summed back
        np.testing.assert_allclose(x.grad.numpy(), _reduce_to(w, a_shape), rtol=1e-12)
        np.testing.assert_allclose(y.grad.numpy(), _reduce_to(w, b_shape), rtol=1e-12)
    if op == "mul":
        full_b = np.broadcast_to(b, out.shape)
        np.testing.assert_allclose(x.grad.numpy(), _reduce_to(w * full_b, a_shape), rtol=1e-12)


@pytest.mark.skipif(_torch is None, reason="PyTorch is not installed")
@SETTINGS
@given(pair=broadcastable_pair(), op=st.sampled_from(sorted(OPS)))
def test_broadcast_gradients_match_pytorch(pair, op):
    a_shape, b_shape, seed = pair
    results = []
    for lib in (chainrule, _torch):
        x, y, _, _ = _inputs(lib, a_shape, b_shape, seed)
        out = OPS[op](lib, x, y)
        w = lib.tensor(np.random.default_rng(seed + 1).standard_normal(tuple(out.shape)))
        (out * w).sum().backward()
        results.append((out.detach().numpy(), x.grad.numpy(), y.grad.numpy()))
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


@st.composite
def clashing_pair(draw):
    """Two shapes that do not broadcast: one dim differs and neither side is 1."""
    shape = draw(st.lists(st.integers(1, 4), min_size=1, max_size=4))
    i = draw(st.integers(0, len(shape) - 1))
    a, b = list(shape), list(shape)
    a[i] = draw(st.integers(2, 5))
    b[i] = draw(st.integers(2, 5).filter(lambda n: n != a[i]))
    return tuple(a), tuple(b), i, len(shape)


@SETTINGS
@given(pair=clashing_pair(), op=st.sampled_from(["add", "sub", "mul", "div"]))
def test_shapes_that_do_not_broadcast_raise_pytorchs_error(pair, op):
    a_shape, b_shape, i, ndim = pair
    x, y = chainrule.ones(a_shape), chainrule.ones(b_shape)
    expected = (
        f"The size of tensor a ({a_shape[i]}) must match the size of tensor b ({b_shape[i]}) "
        f"at non-singleton dimension {i}"
    )
    with pytest.raises(RuntimeError) as ours:
        OPS[op](chainrule, x, y)
    assert str(ours.value) == expected
    if _torch is not None:
        with pytest.raises(RuntimeError) as theirs:
            OPS[op](_torch, _torch.ones(a_shape), _torch.ones(b_shape))
        assert str(ours.value) == str(theirs.value)
