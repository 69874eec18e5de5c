"""add and sub with alpha, and add_ with alpha, on float32: PyTorch's vectorised kernels
round `a + alpha * b` once (a fused multiply-add), its generic kernels twice; chainrule
follows the path PyTorch takes here (chainrule._cpu.fused), so the results are equal
bit for bit on every path (ops/_fused.py)."""

from fractions import Fraction

import numpy as np
import pytest

import chainrule
from chainrule import _cpu
from chainrule.ops._fused import FUSED_LIMIT, fma, round_sum32
from parity import assert_exact, assert_ulp_at_scale

# PyTorch's order of arithmetic (chainrule.use_pytorch_arithmetic) on for every test here
pytestmark = pytest.mark.usefixtures("pytorch_arithmetic")

F32 = np.float32


def test_a_halfway_float64_sum_is_rounded_as_the_exact_sum():
    # a*b = 2**-24 - 2**-70 exactly; c = 1 + 2**-23. In float64 the sum lands exactly
    # halfway between two float32 numbers, and rounding it again would go to even
    # (1 + 2**-22); the exact sum lies below halfway: 1 + 2**-23.
    a = np.array([1 + 2.0**-23], F32)
    b = np.array([2.0**-24 * (1 - 2.0**-23)], F32)
    c = np.array([1 + 2.0**-23], F32)
    wide = a.astype(np.float64) * b + c
    assert wide.astype(F32)[0] == F32(1 + 2.0**-22)  # what two roundings give
    assert round_sum32(a.astype(np.float64) * b, c.astype(np.float64))[0] == F32(1 + 2.0**-23)
    if _cpu.fused():
        assert fma(a, b, c)[0] == F32(1 + 2.0**-23)
    else:
        assert fma(a, b, c)[0] == (a * b + c)[0]  # the generic path's two roundings


def _round32(exact):
    """The float32 nearest to a Fraction, ties to even."""
    guess = F32(float(exact))
    near = [np.nextafter(guess, F32(-np.inf)), guess, np.nextafter(guess, F32(np.inf))]
    return min(near, key=lambda v: (abs(Fraction(float(v)) - exact), int(v.view(np.uint32)) & 1))


def test_round_sum32_is_the_exact_sum_rounded_once():
    rng = np.random.default_rng(0)
    a = rng.standard_normal(400).astype(F32)
    b = (rng.standard_normal(400) * 2.0**-24).astype(F32)
    c = rng.standard_normal(400).astype(F32)
    # every fourth case made halfway in float64: c + 2**-24 * ulp-ish products
    a[::4] = F32(1 + 2.0**-23)
    b[::4] = F32(2.0**-24 * (1 - 2.0**-23))
    c[::4] = F32(1 + 2.0**-23) * rng.choice([1, -1, 2, 0.5], 100).astype(F32)
    got = round_sum32(a.astype(np.float64) * b, c.astype(np.float64))
    want = [
        _round32(Fraction(float(x)) * Fraction(float(y)) + Fraction(float(z)))
        for x, y, z in zip(a, b, c)
    ]
    np.testing.assert_array_equal(got, np.array(want, F32))
    twice = (a.astype(np.float64) * b + c).astype(F32)
    assert (got != twice).any()  # the data does hold cases that two roundings get wrong


@pytest.mark.parametrize("n", [1, 2, 3, 15, 16, 17, 31, 32, 33, 100, 1000, FUSED_LIMIT + 1])
@pytest.mark.parametrize("how", ["add", "sub", "add_", "sub_", "method"])
def test_add_with_alpha_is_pytorchs(n, how, torch):
    rng = np.random.default_rng(n)
    a = rng.standard_normal(n).astype(F32)
    b = rng.standard_normal(n).astype(F32)
    for alpha in (-0.01, 0.3, 1e-3, -2.5):
        results = []
        for lib in (chainrule, torch):
            x, y = lib.tensor(a.copy()), lib.tensor(b.copy())
            if how == "add":
                out = lib.add(x, y, alpha=alpha)
            elif how == "sub":
                out = lib.sub(x, y, alpha=alpha)
            elif how == "add_":
                out = x.add_(y, alpha=alpha)
            elif how == "sub_":
                out = x.sub_(y, alpha=alpha)
            else:
                out = x.add(y, alpha=alpha)
            results.append(out)
        if n <= FUSED_LIMIT:
            assert_exact(*results, msg=f"alpha={alpha}")
        else:  # rounded twice: the product's half unit and the sum's (ops/_fused.py)
            scale = np.maximum(np.abs(a), np.abs(alpha * b))
            assert_ulp_at_scale(*results, scale, max_ulp=2, msg=f"alpha={alpha}")


def test_add_with_alpha_broadcasts_and_scalars(torch):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((5, 7)).astype(F32)
    b = rng.standard_normal(7).astype(F32)
    ours = chainrule.add(chainrule.tensor(a), chainrule.tensor(b), alpha=0.7)
    theirs = torch.add(torch.tensor(a), torch.tensor(b), alpha=0.7)
    assert_exact(ours, theirs)
    x = chainrule.tensor(a.copy())
    x.add_(chainrule.tensor(b), alpha=-0.1)
    t = torch.tensor(a.copy())
    t.add_(torch.tensor(b), alpha=-0.1)
    assert_exact(x, t)
    with pytest.raises(RuntimeError):
        chainrule.tensor(b.copy()).add_(chainrule.tensor(a), alpha=0.5)
