"""The float32 Box-Muller kernel (chainrule/random/_boxmuller32.py) against a plain
transcription of PyTorch's vectorised kernel (Cephes' float32 log and sincos) written
here with exact fused multiply-adds, bit for bit.

The kernel rounds each fused multiply-add as a float64 sum rounded to float32, with no
check for a sum that was rounded onto a float32 halfway point, and takes some shortcuts
(an exponent split on the float's bits, float32 adds where a product is exact). That is
exact because no input says otherwise: the kernel's inputs are the 2**24 multiples of
2**-24 for the radius and for the angle. The full check runs with CHAINRULE_EXHAUSTIVE=1
(about half a minute); by default a sample of 2**18 of each.

The kernel goes a chunk of draws at a time: its results equal the reference at and around
the chunk edges. Also the structure PyTorch's normal_fill has: the last 16 values redrawn
when the size is not a multiple of 16, mean and std applied with one rounding."""

import os

import numpy as np
import pytest

import chainrule
from chainrule.random import _boxmuller32 as B
from chainrule.random import _kernels as K

_F32 = np.float32


def _fma(a, b, c):
    return K.fma32(a, b, c)


def _horner(x, coefficients):
    y = _fma(_F32(coefficients[0]), x, _F32(coefficients[1]))
    for c in coefficients[2:]:
        y = _fma(y, x, _F32(c))
    return y


def reference_radius(ku):
    """sqrt(-2 logf(1 - ku * 2**-24)), Cephes' logf in float32 with fused steps."""
    one_minus_u = ((1 << 24) - ku.astype(np.int64)).astype(_F32) * _F32(2.0**-24)
    m, e = np.frexp(one_minus_u)
    small = m < _F32(0.707106781186547524)
    e = (e - small).astype(_F32)
    x = np.where(small, m + m, m) - _F32(1)
    z = x * x
    p = (7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1)
    p += (1.4249322787e-1, -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1)
    y = _horner(x, p + (3.3333331174e-1,)) * x
    y = _fma(y, z, e * _F32(-2.12194440e-4))
    y = y - z * _F32(0.5)
    x = _fma(e, _F32(0.693359375), x + y)
    return np.sqrt(x * _F32(-2))


def reference_sincos(kv):
    """Cephes' sincosf of 2 pi kv 2**-24 in float32 with fused steps."""
    theta = kv.astype(_F32) * (_F32(2 * np.pi) * _F32(2.0**-24))
    j = (theta * _F32(1.27323954473516)).astype(np.int32)
    j = (j + 1) & ~1
    y = j.astype(_F32)
    m = theta + y * _F32(-0.78515625)
    m = m + y * _F32(-2.4187564849853515625e-4)
    m = _fma(y, _F32(-3.77489497744594108e-8), m)
    z = m * m
    c = _horner(z, (2.443315711809948e-005, -1.388731625493765e-003, 4.166664568298827e-002))
    c = _fma(c * z, z, z * _F32(-0.5)) + _F32(1)
    s = _horner(z, (-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1))
    s = _fma(s * z, m, m)
    swap = (j & 2) != 0
    sin, cos = np.where(swap, c, s), np.where(swap, s, c)
    return np.where((j + 2) & 4, -cos, cos), np.where(j & 4, -sin, sin)


def reference_normals(words):
    """The normals of whole blocks of 16 words (uint32), as PyTorch's kernel makes them."""
    k = (words & 0xFFFFFF).astype(np.int32).reshape(-1, 2, 8)
    r = reference_radius(k[:, 0].ravel())
    cos, sin = reference_sincos(k[:, 1].ravel())
    return np.stack([(r * cos).reshape(-1, 8), (r * sin).reshape(-1, 8)], axis=1)


def _all_inputs():
    if os.environ.get("CHAINRULE_EXHAUSTIVE"):
        return np.arange(1 << 24, dtype=np.int32)
    rng = np.random.default_rng(0)
    edges = np.array([0, 1, 2, (1 << 23) - 1, 1 << 23, (1 << 24) - 1], np.int32)
    # the angles where the octant changes (theta * 4 / pi crosses an integer)
    octants = (np.arange(1, 8) * (1 << 21))[:, None] + np.arange(-3, 4)
    k = rng.integers(0, 1 << 24, 1 << 18, dtype=np.int32)
    return np.concatenate([edges, octants.ravel().astype(np.int32), k])


def test_the_kernel_gives_the_reference_bits_for_every_input():
    k = _all_inputs()
    step = 1 << 16
    for start in range(0, len(k), step):
        part = k[start : start + step]
        n = len(part)
        scratch = B._Scratch(n)
        ku, kv, i, j, r, cos, sin, *f32, t, x64, z64 = scratch.take(n)
        work = (i, j, f32, (t, x64, z64))
        B._radius(part, r, work)
        want = reference_radius(part)
        assert np.array_equal(r.view(np.int32), want.view(np.int32)), "radius"
        B._sincos(part, cos, sin, work)
        want_cos, want_sin = reference_sincos(part)
        assert np.array_equal(cos.view(np.int32), want_cos.view(np.int32)), "cos"
        assert np.array_equal(sin.view(np.int32), want_sin.view(np.int32)), "sin"


def test_the_reference_is_not_the_unfused_computation(monkeypatch):
    # the reference would pass for an unfused kernel too if its fused steps never
    # mattered: they do, for some of the sampled inputs
    k = np.random.default_rng(1).integers(0, 1 << 24, 1 << 14, dtype=np.int32)
    fused = reference_radius(k), *reference_sincos(k)
    monkeypatch.setattr(K, "fma32", lambda a, b, c: np.asarray(a, _F32) * b + c)
    unfused = reference_radius(k), *reference_sincos(k)
    for a, b in zip(fused, unfused):
        assert not np.array_equal(a, b)


def test_the_float64_sum_is_not_always_the_fused_result():
    # a * b = -2**-24 + 2**-54 exactly; with c = 1 + 2**-23 the exact sum lies just above the
    # float32 halfway point 1 + 2**-24, but float64 rounds it onto that point, which then
    # rounds to even (down to 1); the fused multiply-add rounds up. No input of the kernel
    # is such a case (the test above), so its float64 sums need no check.
    a = np.array([-(1 - 2.0**-15) * 2.0**-12], np.float32)
    b, c = np.float32((1 + 2.0**-15) * 2.0**-12), np.float32(1 + 2.0**-23)
    via_float64 = (a.astype(np.float64) * np.float64(b) + np.float64(c)).astype(np.float32)
    assert via_float64[0] == 1.0 and K.fma32(a, b, c)[0] == np.float32(1 + 2.0**-23)


@pytest.mark.parametrize("chunk", [B._CHUNK, 64])
def test_blocks_equal_the_reference_at_chunk_edges(monkeypatch, chunk):
    # chunks of `chunk` words (chunk / 16 blocks): one block either side of one and two
    # chunks, and sizes that are no multiple of it
    monkeypatch.setattr(B, "_CHUNK", chunk)
    per_chunk = chunk // 16
    sizes = [1, per_chunk - 1, per_chunk, per_chunk + 1, 2 * per_chunk + 1, 3 * per_chunk - 5]
    for blocks in sizes:
        g = chainrule.Generator().manual_seed(blocks)
        words = chainrule.Generator().manual_seed(blocks).words(16 * blocks)
        out = np.empty((blocks, 2, 8), np.float32)
        B.box_muller_blocks(g, blocks, out)
        want = reference_normals(words)
        assert np.array_equal(out.view(np.int32), want.view(np.int32)), blocks
        assert g.random() == chainrule.Generator().manual_seed(blocks).words(16 * blocks + 1)[-1]


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
