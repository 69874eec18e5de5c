"""NaN, infinities, signed zeros and kinks through ops and their first and second
derivatives, against PyTorch: where a derivative is undefined the two libraries agree on
what comes out (PyTorch's formulas divide first and mask after, so NaN comes out where
they give NaN), and a NaN input goes the way PyTorch's comparisons send it."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import chainrule


def F(lib):
    return lib.nn.functional


OPS = {
    "relu": lambda t, x: x.relu(),
    "abs": lambda t, x: x.abs(),
    "sign": lambda t, x: x.sign(),
    "sign_times": lambda t, x: x.sign() * x,
    "leaky_relu": lambda t, x: F(t).leaky_relu(x, 0.1),
    "hardtanh": lambda t, x: F(t).hardtanh(x),
    "relu6": lambda t, x: F(t).relu6(x),
    "hardshrink": lambda t, x: F(t).hardshrink(x, 0.3),
    "softshrink": lambda t, x: F(t).softshrink(x, 0.3),
    "threshold": lambda t, x: F(t).threshold(x, 0.2, -1.0),
    "hardsigmoid": lambda t, x: F(t).hardsigmoid(x),
    "hardswish": lambda t, x: F(t).hardswish(x * 3),
    "elu": lambda t, x: F(t).elu(x),
    "softplus": lambda t, x: F(t).softplus(x * 30),
    "clamp": lambda t, x: x.clamp(-0.5, 0.5),
    "where": lambda t, x: t.where(x > 0.2, x, x * 0.5),
    "maximum": lambda t, x: t.maximum(x, t.zeros_like(x)),
    "norm": lambda t, x: (x * 1.0).norm(),
    "norm_3": lambda t, x: (x * 1.0).norm(3),
    "norm_1_5": lambda t, x: (x * 1.0).norm(1.5),
    "normalize": lambda t, x: F(t).normalize(x * 1.0, dim=0),
    "std": lambda t, x: (x * 0.0 + x.detach()).std(),
    "var_one": lambda t, x: x[:1].var(0),
    "cumprod": lambda t, x: x.cumprod(0),
    "softmax": lambda t, x: x.softmax(0),
    "softmax_0dim": lambda t, x: x[0].softmax(0) * x[1],
    "log_softmax_0dim": lambda t, x: x[0].log_softmax(-1) + x[1],
    "var_0dim": lambda t, x: x[0].var(0) * x[1],
    "copysign": lambda t, x: t.copysign(x * 1.0, x.flip(0)),
    "copysign_self": lambda t, x: t.copysign(x * 1.0, x),
    "nextafter": lambda t, x: t.nextafter(x * 1.0, x.flip(0)) * x,
    "xlogy": lambda t, x: t.xlogy(x * 1.0, x.abs() + 0.5),
    "xlogy_other_zero": lambda t, x: t.xlogy(x * 1.0, x.flip(0) * x.flip(0)),
    "xlog1py": lambda t, x: t.special.xlog1py(x * 1.0, x.abs() - 0.5),
    "nan_to_num": lambda t, x: t.nan_to_num(x.log()) * x,
}

VALUES = {
    "nan": [float("nan"), 0.5, -1.0, 2.0],
    "inf": [float("inf"), -float("inf"), 0.0, 1.0],
    "zeros": [0.0, -0.0, 0.0, 0.0],
    "kinks": [-3.0, 3.0, 0.2, -0.3],
    "big": [40.0, -40.0, 0.7, 0.0],
}


def _derivatives(lib, name, values):
    x = lib.tensor(values, dtype=lib.float64, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            y = OPS[name](lib, x)
            (g,) = lib.autograd.grad(y.sum(), x, create_graph=True, allow_unused=True)
        except Exception as e:  # noqa: BLE001 - an error is an outcome to compare
            return (type(e).__name__,)
        first = None if g is None else g.detach().numpy(force=True)
        second = None
        if g is not None and g.requires_grad and name not in _FIRST_ONLY:
            (h,) = lib.autograd.grad((g * g).sum(), x, allow_unused=True)
            second = None if h is None else h.numpy(force=True)
    return y.detach().numpy(), first, second


# PyTorch has no second derivative for hardsigmoid (it raises); chainrule's is tested
# in tests/autograd/test_piecewise_double_backward.py.
_FIRST_ONLY = {"hardsigmoid"}
# cumprod with an infinity beside a zero, under create_graph: PyTorch's differentiable
# form gives other NaNs than its plain one (which chainrule's plain form matches).
_SKIP = {("cumprod", "inf")}


@pytest.mark.parametrize("values", sorted(VALUES))
@pytest.mark.parametrize("name", sorted(OPS))
def test_special_values_match_pytorch(name, values, torch):
    if (name, values) in _SKIP:
        pytest.skip("PyTorch's own two forms differ here")
    ours = _derivatives(chainrule, name, VALUES[values])
    theirs = _derivatives(torch, name, VALUES[values])
    assert len(ours) == len(theirs), (ours, theirs)
    if len(theirs) == 1:
        assert ours == theirs
        return
    for a, b in zip(ours, theirs):
        assert (a is None) == (b is None), (a, b)
        if a is not None:  # second derivatives are different formulas: a few ulps apart
            np.testing.assert_allclose(a, b, rtol=1e-8, atol=0, equal_nan=True)


def test_cumprod_gradient_with_an_infinity_and_a_zero(torch):
    def run(lib, values):
        x = lib.tensor(values, dtype=lib.float64, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            y = x.cumprod(0)
            (g,) = lib.autograd.grad((y * lib.arange(1.0, 5.0, dtype=lib.float64)).sum(), x)
        return g.numpy()

    for values in ([float("inf"), -float("inf"), 0.0, 1.0], [2.0, 0.0, float("inf"), 3.0]):
        np.testing.assert_array_equal(run(chainrule, values), run(torch, values))


def test_in_place_on_a_select_view_writes_through(torch):
    def run(lib):
        x = lib.arange(6.0, dtype=lib.float64).reshape(2, 3).requires_grad_()
        y = x * 1.0
        y.select(1, -1).mul_(3.0)
        y.select(0, 0).add_(y.select(0, 1))
        (y * y).sum().backward()
        return y.detach().numpy(), x.grad.numpy()

    for a, b in zip(run(chainrule), run(torch)):
        np.testing.assert_array_equal(a, b)


def test_cat_gives_one_dim_empty_inputs_a_zero_gradient_outside_the_graph(torch):
    for lib in (chainrule, torch):
        e = lib.zeros(0, dtype=lib.float64, requires_grad=True)
        y = lib.nn.functional.leaky_relu(lib.cat([e, e * 2], 0), 0.1)
        (g,) = lib.autograd.grad(y.sum(), e, create_graph=True)
        assert not g.requires_grad and tuple(g.shape) == (0,)


@pytest.mark.parametrize("loss", ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"])
def test_losses_of_empty_inputs_backward_as_pytorch(loss, torch):
    for lib in (chainrule, torch):
        x = lib.zeros(4, 0, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = getattr(lib.nn.functional, loss)(x, x.detach() + 1)
        out.backward()
        assert np.isnan(out.item()) and tuple(x.grad.shape) == (4, 0)
