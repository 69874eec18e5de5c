"""The float32 Box-Muller kernel (chainrule/random/_boxmuller32.py) rounds each of its
fused multiply-adds as float64 sums rounded to float32, with no check for a sum that was
rounded onto a float32 halfway point. That is exact because no input does so: the kernel's
inputs are the 2**24 multiples of 2**-24 for the radius and for the angle, and for each
the fast kernel gives the bits of the one with exact fused multiply-adds. The full check
runs with CHAINRULE_EXHAUSTIVE=1 (a few minutes); by default a sample of 2**18 of each.

Also the structure PyTorch's normal_fill has: the last 16 values redrawn when the size is
not a multiple of 16, mean and std applied with one rounding."""

import os

import numpy as np

import chainrule
from chainrule.random import _boxmuller32 as B


def _all_inputs():
    if os.environ.get("CHAINRULE_EXHAUSTIVE"):
        return np.arange(1 << 24, dtype=np.uint32)
    rng = np.random.default_rng(0)
    edges = np.array([0, 1, 2, (1 << 23) - 1, 1 << 23, (1 << 24) - 1], np.uint32)
    return np.concatenate([edges, rng.integers(0, 1 << 24, 1 << 18, dtype=np.uint32)])


def test_no_sum_is_rounded_onto_a_halfway_point():
    k = _all_inputs()
    n = len(k) - len(k) % (1 << 14)
    k = k[:n]
    # radius inputs with a fixed angle, and angle inputs with a fixed radius, per chunk
    s = B._Scratch(1 << 14)
    results = [np.empty(1 << 14, np.float32) for _ in range(4)]
    for start in range(0, n, 1 << 14):
        ku = k[start : start + (1 << 14)].astype(np.int32)
        kv = ku[::-1].copy()
        B._chunk(ku, kv, results[0], results[1], s, B.fast_fma)
        B._chunk(ku, kv, results[2], results[3], s, B.exact_fma)
        assert np.array_equal(results[0], results[2]) and np.array_equal(results[1], results[3])


def test_the_fast_fma_differs_where_the_check_matters():
    # a * b = -2**-24 + 2**-54 exactly; with c = 1 + 2**-23 the exact sum lies just above the
    # float32 halfway point 1 + 2**-24, but float64 rounds it onto that point: the fast
    # form then rounds to even (down to 1), the exact fused multiply-add up
    a = np.array([-(1 - 2.0**-15) * 2.0**-12], np.float32)
    b, c = np.float32((1 + 2.0**-15) * 2.0**-12), np.float32(1 + 2.0**-23)
    fast, exact, t = np.empty(1, np.float32), np.empty(1, np.float32), np.empty(1)
    B.fast_fma(a, b, c, fast, t)
    B.exact_fma(a, b, c, exact, t)
    assert fast[0] == 1.0 and exact[0] == np.float32(1 + 2.0**-23)


def test_a_partial_last_block_is_drawn_again():
    # 20 normals: 20 uniforms (one block transformed), then 16 more for the last block,
    # which overwrite elements 4 to 19
    chainrule.manual_seed(3)
    twenty = chainrule.randn(20).numpy()
    g = chainrule.Generator().manual_seed(3)
    g.words(20)
    last = chainrule.randn(16, generator=g).numpy()
    assert np.array_equal(twenty[4:], last)
    chainrule.manual_seed(3)
    assert np.array_equal(chainrule.randn(16).numpy()[:4], twenty[:4])


def test_mean_and_std_are_applied_with_one_rounding():
    chainrule.manual_seed(4)
    z = chainrule.randn(64).numpy()
    chainrule.manual_seed(4)
    x = chainrule.empty(64).normal_(0.3, 2.5).numpy()
    exact = (z.astype(np.float64) * np.float32(2.5) + np.float32(0.3)).astype(np.float32)
    assert np.array_equal(x, exact)  # no sum here lands on a float32 halfway point
