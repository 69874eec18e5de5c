"""0-dim tensors through backward and double backward: what an op saves from a 0-dim
forward unpacks as a tensor (its output, with the node as grad_fn), never a NumPy scalar.

NumPy returns a NumPy scalar, not an array, from a ufunc on a 0-d array; an op that saved
that scalar used to get it back in backward as a constant, which broke second derivatives
silently (no path through the output) and tensor methods loudly (numpy.float32 has no
.pow). Each case is compared with PyTorch and gradgradchecked at 0-dim, (1,) and (2, 2).
"""

from __future__ import annotations

import numpy as np
import pytest

import chainrule
from chainrule.autograd import gradcheck, gradgradcheck

UNARY = {
    "exp": lambda lib, s: s.exp(),
    "expm1": lambda lib, s: s.expm1(),
    "sqrt": lambda lib, s: s.sqrt(),
    "rsqrt": lambda lib, s: lib.rsqrt(s),
    "tanh": lambda lib, s: s.tanh(),
    "sigmoid": lambda lib, s: s.sigmoid(),
    "reciprocal": lambda lib, s: s.reciprocal(),
    "tan": lambda lib, s: s.tan(),
    "asin": lambda lib, s: s.asin(),
    "acos": lambda lib, s: s.acos(),
    "1.5 / s": lambda lib, s: 1.5 / s,
    "2 ** s": lambda lib, s: 2**s,
    "s ** s": lambda lib, s: s**s,
    "s ** 2.5": lambda lib, s: s**2.5,
    "log_softmax": lambda lib, s: lib.log_softmax(s, 0),
    "softmax": lambda lib, s: lib.softmax(s, 0),
    "logsigmoid": lambda lib, s: lib.nn.functional.logsigmoid(s),
    "softplus": lambda lib, s: lib.nn.functional.softplus(s),
    "elu": lambda lib, s: lib.nn.functional.elu(s),
    "norm": lambda lib, s: (s * 3).norm(),
}

SHAPES = [(), (1,), (2, 2)]


def _values(shape):
    return np.linspace(0.2, 0.7, int(np.prod(shape, dtype=int))).reshape(shape)


def _hvp(lib, name, values):
    """d/ds of <d f(s)/ds, v>: the Hessian-vector product through the saved values."""
    s = lib.tensor(values, dtype=lib.float64, requires_grad=True)
    y = UNARY[name](lib, s).sum() if values.ndim else UNARY[name](lib, s)
    (g,) = lib.autograd.grad(y, s, create_graph=True)
    assert g.requires_grad
    (h,) = lib.autograd.grad((g * g).sum(), s)
    return g.detach().numpy(), h.numpy()


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name", sorted(UNARY))
def test_second_derivative_matches_pytorch(name, shape, torch):
    values = _values(shape)
    g, h = _hvp(chainrule, name, values)
    tg, th = _hvp(torch, name, values)
    np.testing.assert_allclose(g, tg, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(h, th, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", sorted(UNARY))
def test_gradgradcheck_at_zero_dim(name):
    s = chainrule.tensor(0.4, dtype=chainrule.float64, requires_grad=True)

    def f(x):
        return UNARY[name](chainrule, x)

    assert gradcheck(f, (s,))
    assert gradgradcheck(f, (s,))


def test_hessian_vector_product_of_a_root_mean_square(torch):
    """A least-squares loss under a square root: its gradient w.r.t. w, then a row of the
    Hessian through the 0-dim mean and sqrt."""

    def run(lib):
        gen = np.random.default_rng(0)
        X = lib.tensor(gen.standard_normal((5, 3)))
        y = lib.tensor(gen.standard_normal(5))
        w = lib.tensor([0.3, -0.2, 0.5], dtype=lib.float64, requires_grad=True)
        loss = ((X @ w - y) ** 2).mean().sqrt()
        (g,) = lib.autograd.grad(loss, w, create_graph=True)
        (hv,) = lib.autograd.grad(g[0], w)
        return hv.numpy()

    np.testing.assert_allclose(run(chainrule), run(torch), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_backward_through_zero_dim_tan_and_rsqrt(dtype, torch):
    def run(lib):
        t = lib.tensor(0.5, dtype=getattr(lib, dtype), requires_grad=True)
        t.tan().backward()
        x = lib.tensor([0.5, 1.0, 2.0], dtype=getattr(lib, dtype), requires_grad=True)
        lib.rsqrt(x.sum()).backward()
        return t.grad.numpy(), x.grad.numpy()

    (a, b), (ta, tb) = run(chainrule), run(torch)
    np.testing.assert_allclose(a, ta, rtol=1e-6)
    np.testing.assert_allclose(b, tb, rtol=1e-6)
    assert a.dtype == ta.dtype and b.dtype == tb.dtype
