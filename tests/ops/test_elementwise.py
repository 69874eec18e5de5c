"""The element-wise ops without a derivative (shifts, gcd/lcm, heaviside, nextafter, isin,
isreal), the edge cases of those with one (nan_to_num, frexp, float_power, ldexp,
copysign), dtypes and PyTorch's errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

import chainrule
from parity import assert_exact, assert_ulp, assert_ulp_at_scale


def _both(torch, fn, *arrays):
    return fn(chainrule, *(chainrule.tensor(a) for a in arrays)), fn(
        torch, *(torch.tensor(a) for a in arrays)
    )


INT_CASES = [
    ("lshift", lambda t, a, b: t.bitwise_left_shift(a, b)),
    ("rshift", lambda t, a, b: t.bitwise_right_shift(a, b)),
    ("lshift_op", lambda t, a, b: a << b),
    ("rshift_op", lambda t, a, b: a >> b),
    ("gcd", lambda t, a, b: t.gcd(a, b)),
    ("lcm", lambda t, a, b: t.lcm(a, b)),
]


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.int8, np.uint8])
@pytest.mark.parametrize("case", INT_CASES, ids=lambda c: c[0])
def test_integer_ops(case, dtype, torch):
    rng = np.random.default_rng(0)
    a = rng.integers(-50 if dtype != np.uint8 else 0, 50, 40).astype(dtype)
    b = rng.integers(-3 if case[0] in ("gcd", "lcm") else -2, 70, 40).astype(dtype)
    if case[0] in ("gcd", "lcm"):
        b = np.abs(b).astype(dtype)
    ours, theirs = _both(torch, case[1], a, b)
    assert_exact(ours, theirs)


def test_shift_by_a_number_and_reflected(torch):
    for fn in (
        lambda t, a: a << 3,
        lambda t, a: 1 << a,
        lambda t, a: a >> 65,
        lambda t, a: -8 >> a,
    ):
        ours, theirs = _both(torch, fn, np.array([0, 1, 5, 63], dtype=np.int64))
        assert_exact(ours, theirs)


def test_ops_refuse_the_wrong_dtypes(torch):
    for fn in (
        lambda t: t.tensor([1.0]) << 1,
        lambda t: t.gcd(t.tensor([1.0]), t.tensor([2.0])),
        lambda t: t.nextafter(t.tensor([1]), t.tensor([2])),
        lambda t: t.hypot(t.tensor([1]), t.tensor([2])),
        lambda t: t.logaddexp2(t.tensor([1]), t.tensor([2])),
        lambda t: t.frexp(t.tensor([1])),
        lambda t: t.heaviside(t.tensor([1.0]), t.tensor([1])),
        lambda t: t.atan2(t.tensor([1.0]), 2.0),
        lambda t: t.tensor([1.0]).float_power_(2),
    ):
        with pytest.raises(Exception) as theirs:
            fn(torch)
        with pytest.raises(type(theirs.value), match=None) as ours:
            fn(chainrule)
        assert str(ours.value) == str(theirs.value)


def test_heaviside_nextafter_isin_isreal(torch):
    x = np.array([-1.5, 0.0, -0.0, 2.0, math.nan, math.inf])
    v = np.array([0.5, 0.25, 7.0, 1.0, 3.0, 0.0])
    for fn in (
        lambda t, a, b: t.heaviside(a, b),
        lambda t, a, b: t.nextafter(a, b),
        lambda t, a, b: a.nextafter(-b),
        lambda t, a, b: t.isin(a, b),
        lambda t, a, b: t.isin(a, b, invert=True),
        lambda t, a, b: t.isreal(a),
        lambda t, a, b: t.copysign(b, a),
        lambda t, a, b: t.copysign(b, -0.0),
    ):
        ours, theirs = _both(torch, fn, x, v)
        assert_exact(ours, theirs)
    assert_exact(chainrule.isin(2, chainrule.tensor([1, 2])), torch.isin(2, torch.tensor([1, 2])))
    assert_exact(chainrule.isin(chainrule.tensor([1, 3]), 3), torch.isin(torch.tensor([1, 3]), 3))


def test_nan_to_num(torch):
    x = np.array([math.nan, math.inf, -math.inf, 1.5, -0.0], dtype=np.float32)
    for kw in ({}, {"nan": 2.0}, {"posinf": 9.0, "neginf": -9.0}):
        ours, theirs = _both(torch, lambda t, a, kw=kw: t.nan_to_num(a, **kw), x)
        assert_exact(ours, theirs)
    ours, theirs = _both(torch, lambda t, a: a.nan_to_num(), np.array([1, 2]))
    assert_exact(ours, theirs)


def test_frexp_ldexp_float_power(torch):
    x = np.array([0.0, -0.0, 1.0, -3.5, 1e-40, 6e4, math.inf, math.nan], dtype=np.float32)
    ours, theirs = _both(torch, lambda t, a: t.frexp(a), x)
    assert_exact(ours.mantissa, theirs.mantissa)
    assert_exact(ours.exponent, theirs.exponent)
    e = np.array([0, 1, -2, 3, 0, 1, 2, 1])
    ours, theirs = _both(torch, lambda t, a, b: t.ldexp(a, b), x, e)
    assert_exact(ours, theirs)
    ours, theirs = _both(
        torch, lambda t, a, b: t.float_power(a, b), np.array([2, 3]), np.array([0.5, 2.0])
    )
    assert_exact(ours, theirs)


def test_inverse_hyperbolic_and_atan2_values(torch):
    rng = np.random.default_rng(1)
    for dtype in (np.float32, np.float64):
        x = rng.uniform(-3, 3, 500).astype(dtype)
        y = rng.uniform(-3, 3, 500).astype(dtype)
        # NumPy's and PyTorch's (vectorised) kernels may round differently by an ulp.
        for fn in (
            lambda t, a, b: t.asinh(a),
            lambda t, a, b: t.acosh(a.abs() + 1),
            lambda t, a, b: t.atanh(a / 3.5),
            lambda t, a, b: t.atan2(a, b),
            lambda t, a, b: t.hypot(a, b),
        ):
            ours, theirs = _both(torch, fn, x, y)
            assert_ulp(ours, theirs, 2)
        # log2(2**a + 2**b) = max + log2(1 + 2**-|a-b|): where the result is near 0 the
        # two terms cancel, so the bound is in ulps of the operands' size.
        ours, theirs = _both(torch, lambda t, a, b: t.logaddexp2(a, b), x, y)
        assert_ulp_at_scale(ours, theirs, np.maximum(np.maximum(np.abs(x), np.abs(y)), 1), 2)
        ours, theirs = _both(torch, lambda t, a, b: t.deg2rad(a * 100), x, y)
        assert_exact(ours, theirs)
        ours, theirs = _both(torch, lambda t, a, b: t.rad2deg(a), x, y)
        assert_exact(ours, theirs)


def test_rsub_and_rdiv(torch):
    x = np.array([1.0, 2.0, -4.0], dtype=np.float32)
    for fn in (
        lambda t, a: t.rsub(a, 3.0),
        lambda t, a: t.rsub(a, a * 2, alpha=3),
        lambda t, a: a.__rdiv__(3.0),
        lambda t, a: t.rsub(a.long(), 2),
    ):
        ours, theirs = _both(torch, fn, x)
        assert_exact(ours, theirs)
    with pytest.raises(RuntimeError, match="bool tensor is not supported"):
        chainrule.rsub(chainrule.tensor([True]), 1)


def test_in_place_forms(torch):
    x = np.array([0.5, 2.0, 3.0])
    for fn in (
        lambda t, a: a.acosh_(),
        lambda t, a: a.hypot_(a),
        lambda t, a: a.copysign_(-1.0),
        lambda t, a: a.xlogy_(a),
        lambda t, a: a.lgamma_(),
        lambda t, a: a.logit_(0.1),
        lambda t, a: a.polygamma_(1),
        lambda t, a: a.nan_to_num_(),
        lambda t, a: a.ldexp_(t.tensor([1.0, 2.0, 3.0], dtype=t.float64)),
    ):
        ours, theirs = _both(torch, fn, x)
        assert_ulp(ours, theirs, 2)


def test_heaviside_is_not_recorded():
    # PyTorch records heaviside and raises on its backward; here its result simply does not
    # require grad (both refuse to differentiate it).
    x = chainrule.tensor([1.0, -2.0], requires_grad=True)
    assert not chainrule.heaviside(x, chainrule.tensor([0.5, 0.5])).requires_grad
