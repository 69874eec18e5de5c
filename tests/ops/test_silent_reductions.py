"""Reductions on infinities and overflows are silent, as PyTorch's are: sum, mean, nansum,
cumsum, cumprod and the engine's sum over broadcast axes call NumPy's C reductions directly
(ops/reduction.py), with the bits of NumPy's Python-level functions, whose own warnings
would otherwise reach the user."""

import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

from chainrule.ops.reduction import _mean, _var

SCRIPT = """
import chainrule as torch, numpy as np
x = torch.tensor([float("inf"), float("-inf"), 1.0])
big = torch.tensor([1e38, 1e38, 1e38])
results = [
    x.sum(), x.mean(), torch.nansum(x), torch.nanmean(x), x.cumsum(0), big.cumprod(0),
    torch.vander(big), torch.cov(x), torch.corrcoef(x[None]), torch.trapezoid(x),
    torch.var_mean(x), torch.std_mean(x), torch.nn.functional.mse_loss(x, x),
    x.reshape(3, 1).sum(1), x.mean(0, keepdim=True),
]
y = torch.tensor([float("inf"), 1.0], requires_grad=True)
(y - y.flip(0) * 2).mean().backward()
b = torch.tensor([1.0, 2.0], requires_grad=True)
(x[:2].reshape(2, 1) * b).sum().backward()  # b's gradient: a sum over the broadcast axis
print(x.sum().item(), x.mean().item(), y.grad.tolist())
np.sum(np.array([np.inf, -np.inf]))
"""


def test_reductions_of_infinities_print_no_warning():
    env = dict(os.environ, PYTHONWARNINGS="always")  # every occurrence, not one per place
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True, env=env
    )
    assert done.stdout.strip() == "nan nan [-0.5, -0.5]"
    warnings = [line for line in done.stderr.splitlines() if "RuntimeWarning" in line]
    # the user's own NumPy sum still warns: chainrule's filter is for chainrule alone
    assert len(warnings) == 1 and "numpy" in warnings[0], done.stderr


def _bytes(x):
    return np.asarray(x).reshape(-1).view(np.uint8)


SHAPES_AND_DIMS = [((7,), (0,)), ((3, 4), (1,)), ((3, 4), (0, 1)), ((2, 3, 5), (0, 2)), ((), ())]


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("shape, dims", SHAPES_AND_DIMS)
@pytest.mark.parametrize(
    "dtype, given",
    [
        (np.float16, None),
        (np.float32, None),
        (np.float64, None),
        (np.complex64, None),
        (np.float32, np.float64),
        (np.int64, np.float32),
        (np.float16, np.float16),
    ],
)
def test_mean_is_numpys_bit_for_bit(shape, dims, keepdim, dtype, given):
    rng = np.random.default_rng(len(shape) + len(dims))
    a = (rng.standard_normal(shape) * 100).astype(dtype)
    count = int(np.prod([a.shape[d] for d in dims])) if dims else 1
    ours = _mean(a, dims, keepdim, given, count)
    want = np.mean(a, axis=dims, keepdims=keepdim, dtype=given)
    assert type(ours) is type(want) and ours.dtype == want.dtype
    assert np.shape(ours) == np.shape(want)
    np.testing.assert_array_equal(_bytes(ours), _bytes(want))


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_nansum_is_numpys_bit_for_bit(dtype):
    import chainrule as cr

    rng = np.random.default_rng(3)
    a = rng.standard_normal((4, 9)).astype(dtype)
    a[rng.random(a.shape) < 0.3] = np.nan
    a[0, 0] = -0.0
    for dims, keepdim in [(None, False), ((1,), False), ((0,), True)]:
        ours = cr.nansum(cr.tensor(a), dims, keepdim).numpy()
        want = np.asarray(np.nansum(a, axis=dims, keepdims=keepdim))
        assert ours.dtype == want.dtype and ours.shape == want.shape
        np.testing.assert_array_equal(_bytes(ours), _bytes(want))


@pytest.mark.parametrize("correction", [0, 1, 2, 0.5, 7])
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("shape, dims", SHAPES_AND_DIMS)
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.complex64, np.complex128])
def test_var_is_numpys_bit_for_bit(shape, dims, keepdim, correction, dtype):
    rng = np.random.default_rng(len(shape) + 3 * len(dims))
    a = rng.standard_normal(shape) * 10
    if np.dtype(dtype).kind == "c":
        a = a + 1j * rng.standard_normal(shape)
    a = np.asarray(a.astype(dtype))
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # (no degrees of freedom left)
        want = np.var(a, axis=dims, ddof=correction, keepdims=keepdim)
        ours = _var(a, dims, keepdim, correction)
    assert type(ours) is type(want) and ours.dtype == want.dtype
    assert np.shape(ours) == np.shape(want)
    np.testing.assert_array_equal(_bytes(ours), _bytes(want))


@pytest.mark.parametrize(
    "call",
    [
        lambda cr, x: cr.var(x),
        lambda cr, x: x.var(),
        lambda cr, x: cr.std(x, 0),
        lambda cr, x: x.std(dim=0),
        lambda cr, x: cr.var_mean(x),
        lambda cr, x: cr.std_mean(x, correction=1),
    ],
)
def test_the_degrees_of_freedom_warning_names_the_callers_line(call):
    import chainrule as cr

    x = cr.tensor([1.0])
    with pytest.warns(UserWarning, match="degrees of freedom is <= 0") as caught:
        call(cr, x)
    assert len(caught) == 1 and caught[0].filename == __file__
