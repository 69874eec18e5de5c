"""float32 sigmoid and binary_cross_entropy round as PyTorch's CPU kernels do
(ops/_vector_math.py): sigmoid's vector code (SLEEF's expf, followed operation for
operation) on whole blocks of two vectors, the C library's expf on the rest; the loss's
scalar code with the C library's logf and log1pf. Exact against PyTorch on each of its
CPU paths (generic: every element takes the C library; AVX2: blocks of 16; AVX-512:
blocks of 32)."""

import numpy as np
import pytest

import chainrule
from chainrule.ops._vector_math import EXACT_LIMIT, sigmoid32, sleef_expf, vector_positions
from parity import assert_exact, assert_ulp

# PyTorch's order of arithmetic (chainrule.use_pytorch_arithmetic) on for every test here
pytestmark = pytest.mark.usefixtures("pytorch_arithmetic")

F32 = np.float32
SIZES = [1, 2, 7, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 759, 4554, 5000, EXACT_LIMIT]


@pytest.mark.parametrize("n", SIZES)
def test_sigmoid_is_pytorchs(n, torch):
    rng = np.random.default_rng(n)
    x = (rng.standard_normal(n) * 4).astype(F32)
    x[: min(n, 3)] = [-90.0, 0.0, 20.0][: min(n, 3)]
    assert_exact(chainrule.sigmoid(chainrule.tensor(x)), torch.sigmoid(torch.tensor(x)))


def test_large_sigmoids_are_numpys_within_ulps(torch):
    x = np.random.default_rng(0).standard_normal(EXACT_LIMIT + 1).astype(F32)
    # NumPy's float32 exp and division: within 4 ulp of PyTorch's (docs/DESIGN.md)
    assert_ulp(chainrule.tensor(x).sigmoid(), torch.tensor(x).sigmoid(), max_ulp=4)
    # and the emulation still holds there, when called directly
    assert_exact(sigmoid32(x), torch.tensor(x).sigmoid())


@pytest.mark.parametrize("shape", [(759, 6), (23, 4), (3, 40), (40, 3)])
def test_sigmoid_of_matrices_and_their_transposes_is_pytorchs(shape, torch):
    x = np.random.default_rng(1).standard_normal(shape).astype(F32)
    assert_exact(chainrule.tensor(x).sigmoid(), torch.tensor(x).sigmoid())
    assert_exact(chainrule.tensor(x).t().sigmoid(), torch.tensor(x).t().sigmoid())
    # a strided view (every other column): PyTorch's loop runs element by element
    assert_exact(chainrule.tensor(x)[:, ::2].sigmoid(), torch.tensor(x)[:, ::2].sigmoid())


def test_sleef_expf_is_within_one_ulp_of_exp():
    x = np.linspace(-87, 88, 100_001, dtype=F32)
    got = sleef_expf(x)
    want = np.exp(x.astype(np.float64))
    assert (np.abs(got - want) <= np.spacing(want.astype(F32))).all()
    assert sleef_expf(np.array([np.nan, -np.inf, np.inf, -200, 200], F32)).tolist()[1:] == [
        0.0,
        np.inf,
        0.0,
        np.inf,
    ]


def test_vector_positions_cover_whole_blocks_only():
    mask = vector_positions(100)
    block = int(mask.sum())
    assert block in (0, 96)  # 6 blocks of 16, 3 of 32, or none (the generic kernels)
    assert not mask[block:].any()


@pytest.mark.parametrize("n", [1, 4, 32, 759, 3000])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_binary_cross_entropy_is_pytorchs(n, reduction, torch):
    rng = np.random.default_rng(n)
    p = rng.random((n, 1), dtype=F32)
    p[0] = 0.0 if n > 1 else p[0]  # log(0) is clamped at -100
    y = (rng.random((n, 1)) > 0.5).astype(F32)
    results = []
    for lib in (chainrule, torch):
        pt = lib.tensor(p, requires_grad=True)
        loss = lib.nn.functional.binary_cross_entropy(pt, lib.tensor(y), reduction=reduction)
        results.append(loss)
    assert_exact(*results)
