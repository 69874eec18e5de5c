"""Ops whose derivative is piecewise constant, under create_graph: the first derivative
requires grad exactly where PyTorch's does, and the second derivative is PyTorch's (zeros
where the first derivative is locally constant), never a missing graph; and an infinite
incoming gradient gives 0, not NaN, where such an op passes none of it on."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule


def F(lib):
    return lib.nn.functional


def _zeros(lib):
    return lib.zeros(6, dtype=lib.float64)


OPS = {
    "relu": lambda lib, x: x.relu(),
    "relu_times_const": lambda lib, x: x.relu() * lib.arange(6, dtype=lib.float64),
    "relu_": lambda lib, x: (x * 1).relu_(),
    "leaky_relu": lambda lib, x: F(lib).leaky_relu(x, 0.1),
    "hardtanh": lambda lib, x: F(lib).hardtanh(x, -0.5, 0.5),
    "relu6": lambda lib, x: F(lib).relu6(x * 4),
    "hardsigmoid": lambda lib, x: F(lib).hardsigmoid(x * 4),
    "hardshrink": lambda lib, x: F(lib).hardshrink(x, 0.3),
    "softshrink": lambda lib, x: F(lib).softshrink(x, 0.3),
    "threshold": lambda lib, x: F(lib).threshold(x, 0.1, 2.0),
    "max_pool1d": lambda lib, x: F(lib).max_pool1d(x.reshape(1, 1, 6), 2),
    "max_pool2d": lambda lib, x: F(lib).max_pool2d(x.reshape(1, 1, 2, 3), (1, 2)),
    "adaptive_max_pool1d": lambda lib, x: F(lib).adaptive_max_pool1d(x.reshape(1, 1, 6), 4),
    "abs": lambda lib, x: x.abs(),
    "sign_times_x": lambda lib, x: x.sign() * x,
    "floor_times_x": lambda lib, x: x.floor() * x,
    "clamp": lambda lib, x: x.clamp(-0.5, 0.5),
    "floor": lambda lib, x: x.floor(),
    "round": lambda lib, x: x.round(),
    "where": lambda lib, x: lib.where(x > 0, x, 2 * x),
    "maximum": lambda lib, x: lib.maximum(x, _zeros(lib)),
    "masked_fill": lambda lib, x: x.masked_fill(x > 0, 0.0),
    "div_floor": lambda lib, x: lib.div(x, 0.3, rounding_mode="floor") * x,
    "div_trunc": lambda lib, x: lib.div(x, 0.3, rounding_mode="trunc") * x,
    "hardswish": lambda lib, x: F(lib).hardswish(x * 4),
    "smooth_l1_loss": lambda lib, x: F(lib).smooth_l1_loss(x, _zeros(lib), beta=0.5),
    "l1_loss": lambda lib, x: F(lib).l1_loss(x, _zeros(lib)),
}

VALUES = [-1.2, -0.4, 0.05, 0.4, 0.9, 1.7]


def _second_order(lib, name):
    x = lib.tensor(VALUES, dtype=lib.float64, requires_grad=True)
    (g,) = lib.autograd.grad(OPS[name](lib, x).sum(), x, create_graph=True)
    if not g.requires_grad:
        return g.detach().numpy(), None
    (h,) = lib.autograd.grad((g * g).sum(), x, allow_unused=True)
    h = np.zeros(6) if h is None else h.detach().numpy(force=True)
    return g.detach().numpy(), h


# PyTorch has no derivative for hardsigmoid_backward ("not implemented"); chainrule's
# second derivative is the true one, zeros, and its first derivative requires grad as
# PyTorch's does.
NO_SECOND_DERIVATIVE_IN_PYTORCH = {"hardsigmoid"}


@pytest.mark.parametrize("name", sorted(OPS))
def test_first_derivative_graph_and_second_derivative_match_pytorch(name, torch):
    g, h = _second_order(chainrule, name)
    if name in NO_SECOND_DERIVATIVE_IN_PYTORCH:
        x = torch.tensor(VALUES, dtype=torch.float64, requires_grad=True)
        (tg,) = torch.autograd.grad(OPS[name](torch, x).sum(), x, create_graph=True)
        assert tg.requires_grad and h is not None
        np.testing.assert_array_equal(h, np.zeros(6))
        np.testing.assert_allclose(g, tg.detach().numpy(), rtol=1e-14, atol=0)
        return
    tg, th = _second_order(torch, name)
    np.testing.assert_allclose(g, tg, rtol=1e-14, atol=0)
    assert (h is None) == (th is None), "g.requires_grad differs from PyTorch's"
    if h is not None:
        np.testing.assert_allclose(h, th, rtol=1e-14, atol=1e-15)


def test_double_backward_through_relu_gives_zeros(torch):
    """`(g * g).sum().backward()` after a create_graph gradient through relu: PyTorch gives
    g.requires_grad=True and a zero gradient; it used to raise 'does not require grad'."""

    def run(lib):
        x = lib.tensor([-1.0, 0.5, 2.0], requires_grad=True)
        c = lib.tensor([1.0, 2.0, 3.0])
        (g,) = lib.autograd.grad((x.relu() * c).sum(), x, create_graph=True)
        assert g.requires_grad
        (g * g).sum().backward()
        return g.detach().numpy(), x.grad.numpy()

    (g, xg), (tg, txg) = run(chainrule), run(torch)
    np.testing.assert_array_equal(g, tg)
    np.testing.assert_array_equal(xg, txg)
    assert chainrule.tensor([1.0], requires_grad=True).relu().grad_fn.name() == "ReluBackward0"


def test_the_double_backward_node_is_named_as_in_pytorch(torch):
    for name, grad_fn in [
        ("relu", "ThresholdBackwardBackward0"),
        ("hardtanh", "HardtanhBackwardBackward0"),
        ("leaky_relu", "LeakyReluBackwardBackward0"),
        ("hardshrink", "HardshrinkBackwardBackward0"),
        ("softshrink", "SoftshrinkBackwardBackward0"),
        ("threshold", "ThresholdBackwardBackward0"),
    ]:
        for lib in (chainrule, torch):
            x = lib.tensor(VALUES, dtype=lib.float64, requires_grad=True)
            (g,) = lib.autograd.grad(OPS[name](lib, x).sum(), x, create_graph=True)
            assert g.grad_fn.name() == grad_fn, (lib.__name__, name)


@pytest.mark.parametrize(
    "name",
    ["relu", "hardtanh", "leaky_relu", "threshold", "clamp", "floor", "round", "where"],
)
def test_an_infinite_gradient_gives_zero_where_none_passes(name, torch):
    def run(lib):
        x = lib.tensor(VALUES, dtype=lib.float64, requires_grad=True)
        OPS[name](lib, x).backward(lib.full((6,), float("inf"), dtype=lib.float64))
        return x.grad.numpy()

    np.testing.assert_array_equal(run(chainrule), run(torch))


def test_div_floor_is_python_floor_division_with_a_zero_derivative(torch):
    def run(lib):
        x = lib.tensor([1.0, -1.0, 7.5, -7.5], dtype=lib.float64, requires_grad=True)
        y = lib.div(x, 0.1, rounding_mode="floor")
        assert y.requires_grad and y.grad_fn.name() == "DivBackward2"
        y.sum().backward()
        return y.detach().numpy(), x.grad.numpy()

    (y, g), (ty, tg) = run(chainrule), run(torch)
    np.testing.assert_array_equal(y, ty)
    np.testing.assert_array_equal(g, tg)
    a = chainrule.tensor([7, -7])
    assert chainrule.div(a, 2, rounding_mode="floor").tolist() == [3, -4]
