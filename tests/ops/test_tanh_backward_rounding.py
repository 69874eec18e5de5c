"""tanh's backward g * (1 - y*y): PyTorch's vectorised CPU kernel rounds 1 - y*y once (a
fused multiply-add), and so does chainrule. Exact against PyTorch on its vectorised path;
on its generic path (ATEN_CPU_CAPABILITY=default) PyTorch rounds the product and the
difference separately: the two results are then within one rounding of g.

(PyTorch's a + alpha * b is rounded once as well, by chainrule for results of up to 4096
float32 elements when its PyTorch arithmetic switch is on: tests/ops/test_fused_add.py;
addcmul twice: docs/DESIGN.md has the costs.)"""

import numpy as np
import pytest

import chainrule
from chainrule.ops.unary import tanh_backward
from parity import assert_exact, assert_ulp, vectorized_kernels

N = 20_000


def _data(dtype, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(N).astype(dtype) for _ in range(3)]


def _compare(ours, theirs, torch, scale):
    """Exact on PyTorch's vectorised path; elsewhere within one unit in the last place of
    `scale`, the size of the terms (the generic kernels' extra rounding of the product)."""
    if vectorized_kernels(torch):
        assert_exact(ours, theirs)
        return
    ours, theirs = np.asarray(ours.numpy()), np.asarray(theirs.numpy())
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    assert (np.abs(ours - theirs) <= np.spacing(np.abs(scale).astype(ours.dtype))).all()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_tanh_backward_rounds_once(dtype, torch):
    g, x, _ = _data(dtype)
    y = np.tanh(x)
    ours = tanh_backward(chainrule.tensor(g), chainrule.tensor(y))
    theirs = torch.ops.aten.tanh_backward(torch.tensor(g), torch.tensor(y))
    _compare(ours, theirs, torch, 2 * g)


def test_tanh_backward_rounds_once_in_a_graph(torch):
    g, x, _ = _data(np.float32, 1)
    y = torch.tanh(torch.tensor(x)).numpy()  # PyTorch's forward, so that only the backward differs
    ours = chainrule.tensor(y, requires_grad=True)
    theirs = torch.tensor(y, requires_grad=True)
    tanh_backward(chainrule.tensor(g), ours).sum().backward()
    torch.ops.aten.tanh_backward(torch.tensor(g), theirs).sum().backward()
    assert_ulp(ours.grad, theirs.grad, max_ulp=1)  # -2 * y * g: two roundings in both
