"""Property tests: in-place ops on views, drawn at random, write through to the base,
share its version counter, and give the gradients PyTorch gives (or a clear error).

A case is a float64 leaf x, y = x * w (so y is in the graph), a chain of one or two
views of y (slices, ints, transpose, reshape, unsqueeze), and one in-place op on the
last view. The same case runs under chainrule and, where installed, PyTorch.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import chainrule

SETTINGS = settings(max_examples=40, deadline=None)

# The in-place ops: (name, call on a view). Each keeps values finite on inputs in [-1, 1].
INPLACE = {
    "mul_": lambda v: v.mul_(1.5),
    "add_": lambda v: v.add_(0.25),
    "sub_tensor": lambda v: v.sub_(v.detach() * 0.5 + 1.0),
    "div_": lambda v: v.div_(-2.0),
    "neg_": lambda v: v.neg_(),
    "tanh_": lambda v: v.tanh_(),
    "clamp_": lambda v: v.clamp_(min=-0.2),
    "zero_": lambda v: v.zero_(),
    "fill_": lambda v: v.fill_(0.5),
    "pow_": lambda v: v.pow_(2),
}

# Errors chainrule gives, by design, where it does not support a write (never a wrong value).
UNSUPPORTED = "does not support in-place operations on a view"


@st.composite
def views(draw):
    """A shape and a chain of 1-2 view steps valid for it: (kind, argument) pairs."""
    shape = draw(st.lists(st.integers(1, 4), min_size=1, max_size=3))
    steps = []
    current = list(shape)
    for _ in range(draw(st.integers(1, 2))):
        ndim = len(current)
        kinds = ["slice", "unsqueeze", "reshape"]
        if ndim >= 2:
            kinds += ["transpose", "int"]
        kind = draw(st.sampled_from(kinds))
        if kind == "slice":
            d = draw(st.integers(0, ndim - 1))
            start = draw(st.integers(0, current[d] - 1))
            stop = draw(st.integers(start + 1, current[d]))
            steps.append((kind, (d, start, stop)))
            current[d] = stop - start
        elif kind == "int":
            d = draw(st.integers(0, ndim - 1))
            i = draw(st.integers(0, current[d] - 1))
            steps.append((kind, (d, i)))
            del current[d]
        elif kind == "transpose":
            d0, d1 = draw(st.permutations(range(ndim)))[:2]
            steps.append((kind, (d0, d1)))
            current[d0], current[d1] = current[d1], current[d0]
        elif kind == "unsqueeze":
            d = draw(st.integers(0, ndim))
            steps.append((kind, d))
            current.insert(d, 1)
        else:
            steps.append((kind, (int(np.prod(current)),)))
            current = [int(np.prod(current))]
    return tuple(shape), steps


def _view(t, steps):
    for kind, arg in steps:
        if kind == "slice":
            d, start, stop = arg
            t = t.narrow(d, start, stop - start)
        elif kind == "int":
            d, i = arg
            t = t.select(d, i)
        elif kind == "transpose":
            t = t.transpose(*arg)
        elif kind == "unsqueeze":
            t = t.unsqueeze(arg)
        else:
            t = t.reshape(arg)
    return t


def _run(lib, x_data, w_data, steps, op):
    """y = x * w; view(y).op_(); loss = (y * w).sum(): y's values, x's gradient, versions."""
    x = lib.tensor(x_data, requires_grad=True)
    w = lib.tensor(w_data)
    y = x * w
    v = _view(y, steps)
    shares = np.shares_memory(v.detach().numpy(), y.detach().numpy())
    before = y._version, v._version
    INPLACE[op](v)
    bumps = (y._version - before[0], v._version - before[1], shares)
    (y * w).sum().backward()
    return y.detach().numpy().copy(), x.grad.numpy().copy(), bumps


@SETTINGS
@given(case=views(), op=st.sampled_from(sorted(INPLACE)), seed=st.integers(0, 2**16))
def test_inplace_on_a_view_writes_through_and_differentiates_as_pytorch(case, op, seed):
    shape, steps = case
    rng = np.random.default_rng(seed)
    x_data = rng.uniform(-1, 1, shape)
    w_data = rng.uniform(0.5, 1.5, shape)
    try:
        ours, our_grad, (base_bump, view_bump, shares) = _run(chainrule, x_data, w_data, steps, op)
    except RuntimeError as e:
        assert UNSUPPORTED in str(e), str(e)
        return
    # A view shares its base's version counter; a copy (reshape of a strided view) does not.
    assert view_bump >= 1 and base_bump == (view_bump if shares else 0)
    reference = x_data * w_data
    INPLACE[op](_view(chainrule.from_numpy(reference), steps))  # no graph: a plain write
    np.testing.assert_array_equal(ours, reference)
    torch = pytest.importorskip("torch")
    theirs, their_grad, _ = _run(torch, x_data, w_data, steps, op)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)
    # float64 throughout: PyTorch's gradient to rounding (tanh's derivative differs in order)
    np.testing.assert_allclose(our_grad, their_grad, rtol=1e-12, atol=1e-14)


@SETTINGS
@given(case=views(), op=st.sampled_from(["mul_", "add_", "tanh_", "zero_"]))
def test_a_saved_value_changed_through_a_view_stops_backward(case, op):
    """exp saves its output; writing into a view of that output must make backward refuse
    (a reshape that had to copy leaves it untouched, and backward runs)."""
    shape, steps = case
    x = chainrule.tensor(np.linspace(-1, 1, int(np.prod(shape))).reshape(shape), requires_grad=True)
    y = x.exp()
    v = _view(y.detach(), steps)  # outside the graph, on the saved memory unless a copy
    shares = np.shares_memory(v.numpy(), y.detach().numpy())
    INPLACE[op](v)
    if shares:
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.sum().backward()
    else:
        y.sum().backward()
        np.testing.assert_array_equal(x.grad.numpy(), np.exp(x.detach().numpy()))
