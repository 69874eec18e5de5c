"""sum and mean add in PyTorch's order (ops/_cascade_sum.py): its cascade of partial sums
over vectors of 8 float32 (4 float64) lanes, which its generic, AVX2 and AVX-512 builds
all share (the AVX-512 build runs the AVX2 sum). Exact against PyTorch for inputs under
32768 elements laid out by rows or by columns, reducing the innermost dims or a run of
rows; other inputs are NumPy's sums, within a few units in the last place of the
operands' scale."""

import numpy as np
import pytest

import chainrule
from chainrule.ops._cascade_sum import cascade_sum
from parity import assert_exact, assert_ulp_at_scale

# PyTorch's order of arithmetic (chainrule.use_pytorch_arithmetic) on for every test here
pytestmark = pytest.mark.usefixtures("pytorch_arithmetic")

SIZES = [*range(1, 41), 63, 64, 65, 127, 128, 129, 255, 256, 257, 1000, 4097, 32767]
MATRICES = [
    (r, c) for r in (1, 2, 3, 5, 17, 32, 100, 759) for c in (1, 3, 4, 6, 8, 9, 31, 32, 33, 40)
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_full_sums_and_means_are_pytorchs(dtype, torch):
    rng = np.random.default_rng(0)
    for n in SIZES:
        x = rng.standard_normal(n).astype(dtype)
        assert_exact(chainrule.tensor(x).sum(), torch.tensor(x).sum(), msg=f"n={n}")
        assert_exact(chainrule.tensor(x).mean(), torch.tensor(x).mean(), msg=f"n={n}")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sums_over_a_dim_are_pytorchs(dtype, torch):
    rng = np.random.default_rng(1)
    for shape in MATRICES:
        x = rng.standard_normal(shape).astype(dtype)
        for dim in (0, 1, -1):
            for keepdim in (False, True):
                ours = chainrule.tensor(x).sum(dim, keepdim=keepdim)
                assert_exact(ours, torch.tensor(x).sum(dim, keepdim=keepdim), msg=f"{shape} {dim}")
            assert_exact(chainrule.tensor(x).mean(dim), torch.tensor(x).mean(dim))
        # a column-major layout (a transposed view) sums alike
        assert_exact(chainrule.tensor(x).t().sum(0), torch.tensor(x).t().sum(0))


def test_three_dims_are_pytorchs(torch):
    x = np.random.default_rng(2).standard_normal((5, 6, 7)).astype(np.float32)
    for dim in ((0, 1), (1, 2), 2, 0, None):
        ours = chainrule.tensor(x).sum(dim) if dim is not None else chainrule.tensor(x).sum()
        theirs = torch.tensor(x).sum(dim) if dim is not None else torch.tensor(x).sum()
        assert_exact(ours, theirs, msg=str(dim))


def test_a_bias_gradient_is_pytorchs(torch):
    # a Linear layer's bias gradient sums the batch's rows of the output gradient
    rng = np.random.default_rng(3)
    for rows, fan_out in ((759, 6), (32, 4), (23, 1), (100, 40)):
        g = rng.standard_normal((rows, fan_out)).astype(np.float32)
        x = rng.standard_normal((rows, 3)).astype(np.float32)
        grads = []
        for lib in (chainrule, torch):
            layer = lib.nn.Linear(3, fan_out)
            layer(lib.tensor(x)).backward(lib.tensor(g))
            grads.append(layer.bias.grad)
        assert_exact(*grads)


def test_large_sums_are_within_ulps(torch):
    x = np.random.default_rng(4).standard_normal(100_000).astype(np.float32)
    ours, theirs = chainrule.tensor(x).sum(), torch.tensor(x).sum()
    # any order of n float32 additions: within about log2(n) units of sum |x|
    assert_ulp_at_scale(ours, theirs, np.float32(np.abs(x).sum()), max_ulp=17)


def test_cascade_sum_matches_numpy_in_shape_and_value():
    rng = np.random.default_rng(5)
    for shape, axis in [((7,), None), ((4, 5), 0), ((4, 5), 1), ((2, 3, 4), (0, 2)), ((0, 3), 0)]:
        x = rng.standard_normal(shape).astype(np.float32)
        for keepdims in (False, True):
            ours = cascade_sum(x, axis, keepdims=keepdims)
            want = np.sum(x, axis=axis, keepdims=keepdims)
            assert np.shape(ours) == want.shape
            np.testing.assert_allclose(ours, want, rtol=1e-5, atol=1e-6)
    assert cascade_sum(np.float32(3.5)) == 3.5
    assert cascade_sum(np.array([-0.0], np.float32)) == 0.0
    assert not np.signbit(cascade_sum(np.array([-0.0], np.float32)))  # added to +0
