"""Small float32 matrix products (mm, addmm, nn.Linear, and their gradients) against
PyTorch's. Where chainrule knows the order in which PyTorch's BLAS (MKL) adds the products
on this CPU path (ops/_mkl_order.py: MKL's AVX-512 kernels, on an Intel processor with
PyTorch's generic or vectorised kernels alike), the results must be equal bit for bit;
elsewhere (MKL's AVX2 kernels, as on AMD processors or under MKL_ENABLE_INSTRUCTIONS=AVX2,
whose order for general and dot products is not followed) NumPy's BLAS adds them in
another order, and each element must lie within K units
in the last place of sum_k |a_ik| |b_kj| (the bound of any order of K float32 additions)."""

import numpy as np
import pytest

import chainrule
from chainrule import _cpu
from chainrule.ops._mkl_order import product
from parity import assert_exact, assert_ulp_at_scale

# PyTorch's order of arithmetic (chainrule.use_pytorch_arithmetic) on for every test here
pytestmark = pytest.mark.usefixtures("pytorch_arithmetic")

F32 = np.float32


def _known():
    return _cpu.mkl_isa() == "avx512"  # whatever PyTorch's own kernels (MKL picks its own)


def _compare(ours, theirs, a, b, k, claimed=None):
    """a and b laid out as chainrule passes them to the product (their layout picks
    MKL's kernel); claimed: whether chainrule follows MKL's order here (by default, whether
    ops/_mkl_order.py has an order for them)."""
    scale = np.abs(a).astype(np.float64) @ np.abs(b).astype(np.float64)
    if claimed is None:
        claimed = product(a, b) is not None
    if claimed:
        assert _known()
        assert_exact(ours, theirs)
    else:
        assert_ulp_at_scale(ours, theirs, scale.astype(F32), max_ulp=max(k, 1))


# (rows, in, out): the seeded lessons' layers (05-08), ...
LESSONS = [
    (3, 1, 1),
    (4, 1, 1),
    (759, 8, 6),
    (759, 6, 4),
    (759, 4, 1),
    (32, 8, 6),
    (32, 6, 4),
    (32, 4, 1),
    (23, 8, 6),
    (23, 6, 4),
    (23, 4, 1),
]
# ... then shapes around MKL's kernel limits
SHAPES = LESSONS + [
    (1, 5, 5),
    (5, 5, 5),
    (2, 3, 4),
    (16, 33, 7),
    (15, 33, 7),
    (8, 40, 1),
    (7, 20, 1),
    (1, 40, 8),
    (1, 40, 12),
    (9, 100, 3),
    (3, 400, 5),
]


@pytest.mark.parametrize("rows,fan_in,fan_out", SHAPES)
def test_linear_forward_and_gradients_are_pytorchs(rows, fan_in, fan_out, torch):
    rng = np.random.default_rng(rows * 1000 + fan_in * 10 + fan_out)
    x = rng.standard_normal((rows, fan_in)).astype(F32)
    w = rng.standard_normal((fan_out, fan_in)).astype(F32)
    bias = rng.standard_normal(fan_out).astype(F32)
    g = rng.standard_normal((rows, fan_out)).astype(F32)
    got = {}
    for lib in (chainrule, torch):
        xt = lib.tensor(x, requires_grad=True)
        wt = lib.tensor(w, requires_grad=True)
        bt = lib.tensor(bias, requires_grad=True)
        out = lib.nn.functional.linear(xt, wt, bt)
        out.backward(lib.tensor(g))
        got[lib] = (out, xt.grad, wt.grad)
    (o, gx, gw), (to, tgx, tgw) = got[chainrule], got[torch]
    _compare(o, to, x, w.T, fan_in)
    _compare(gx, tgx, g, w, fan_out)
    _compare(gw, tgw, g.T, x, rows)


@pytest.mark.parametrize("m,k,n", [(1, 1, 1), (2, 7, 3), (17, 9, 2), (1, 30, 1), (6, 50, 1)])
def test_mm_and_addmm_are_pytorchs(m, k, n, torch):
    rng = np.random.default_rng(m * 100 + k * 10 + n)
    a = rng.standard_normal((m, k)).astype(F32)
    b = rng.standard_normal((k, n)).astype(F32)
    c = rng.standard_normal((m, n)).astype(F32)
    ours = chainrule.mm(chainrule.tensor(a), chainrule.tensor(b))
    _compare(ours, torch.mm(torch.tensor(a), torch.tensor(b)), a, b, k)
    ours = chainrule.addmm(chainrule.tensor(c), chainrule.tensor(a), chainrule.tensor(b))
    theirs = torch.addmm(torch.tensor(c), torch.tensor(a), torch.tensor(b))
    _compare(ours, theirs, a, b, k + 1)


@pytest.mark.parametrize("rows,fan_in,fan_out", LESSONS)
def test_the_lessons_layers_have_an_order_on_mkls_avx512_path(rows, fan_in, fan_out):
    if not _known():
        pytest.skip("MKL's AVX-512 kernels do not run on this CPU path")
    x = np.ones((rows, fan_in), F32)
    w = np.ones((fan_out, fan_in), F32)
    g = np.ones((rows, fan_out), F32)
    assert product(x, w.T) is not None
    assert product(g, w) is not None
    assert product(g.T, x) is not None


def test_large_products_are_left_to_the_blas():
    a = np.ones((300, 300), F32)
    assert product(a, a) is None  # too much work for the ordered sums: NumPy's BLAS
    assert product(a.astype(np.float64), a.astype(np.float64)) is None


def test_ordered_product_is_close_to_numpys():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((20, 30)).astype(F32)
    b = rng.standard_normal((30, 10)).astype(F32)
    out = product(a, b)
    if out is None:
        pytest.skip("no ordered product on this CPU path")
    np.testing.assert_allclose(out, a @ b, rtol=1e-5, atol=1e-5)
