"""PyTorch's vectorised float32 Box-Muller kernel (AVX2 and AVX-512 builds), rounding for
rounding.

For a radius uniform u and an angle uniform v it computes r = sqrt(-2 log(1 - u)) and
theta = 2 pi v, then (r cos theta, r sin theta), with the kernel's own float32 log and
sincos: Cephes' polynomials as the C compiler emits them. The compiler contracts each
`a * b + c` of those polynomials into one fused multiply-add, so the code below computes
those steps as a * b + c in float64 (the product of two float32 is exact there) rounded
once to float32.

Rounding a float64 sum to float32 can differ from the single rounding of an FMA when the
float64 sum itself was rounded onto a float32 halfway point. The inputs here are few
enough to check every one: u and v are multiples of 2**-24 in [0, 1), and for all 2**24
of each this kernel gives the bits of a plain transcription with exact fused
multiply-adds. tests/random/test_random_boxmuller.py repeats that check
(CHAINRULE_EXHAUSTIVE=1 for all inputs).

Speed. The work is a long row of NumPy passes, so it goes a chunk of draws at a time,
small enough that the passes stay in the processor's cache (its level 2) and large enough
that the cost of a NumPy call is small beside its work, with scratch arrays made once
per call and every pass written into them (ufunc out=). Constants are 0-d arrays of the
array's own dtype: a Python number costs each call a conversion. Where a product is
exact in float32 (e * 0.693359375, octant * DP1, z * 0.5) the fused step is a float32
add; the others stay in float64.
"""

from __future__ import annotations

import math

import numpy as np

_F32 = np.float32
_F64 = np.float64
_I32 = np.int32


def _f32(v):
    return np.array(v, _F32)


def _f64_of_f32(v):
    """A float32 constant, held as a float64 0-d array (for the float64 passes)."""
    return np.array(_F32(v), _F64)


def _i32(v):
    return np.array(v, _I32)


_LOG_P = [
    _f64_of_f32(v)
    for v in (
        7.0376836292e-2,
        -1.1514610310e-1,
        1.1676998740e-1,
        -1.2420140846e-1,
        1.4249322787e-1,
        -1.6668057665e-1,
        2.0000714765e-1,
        -2.4999993993e-1,
        3.3333331174e-1,
    )
]
_LOG_Q1 = _f32(-2.12194440e-4)
_LOG_Q2 = _f32(0.693359375)  # 355/512: e * Q2 is exact in float32 for every exponent e
_FOUR_OVER_PI = _f32(1.27323954473516)
_DP1, _DP2 = _f32(-0.78515625), _f32(-2.4187564849853515625e-4)  # y * DP1, y * DP2 exact
_DP3 = _f64_of_f32(-3.77489497744594108e-8)  # 6 * DP3 is not exact in float32
_SIN_P = [_f64_of_f32(v) for v in (-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1)]
_COS_P = [
    _f64_of_f32(v)
    for v in (2.443315711809948e-005, -1.388731625493765e-003, 4.166664568298827e-002)
]
# theta = float32(2 pi) * (k * 2**-24), the scaling by 2**-24 being exact
_ANGLE_STEP = _f32(_F32(2.0 * math.pi) * _F32(2.0**-24))
_LOW24 = _i32(0xFFFFFF)
_TWO24 = _i32(1 << 24)
# Cephes splits 1 - u = m * 2**e with m in [sqrt(1/2), sqrt(2)). For the float32 bits of
# N = 2**24 - k: adding _LOG_SPLIT carries into the exponent field exactly when N's
# mantissa (fraction bits f) is at least sqrt(2) (f >= 0x3504F3), and takes off the bias
# and the 24 of 2**-24, so the sum >> 23 is e; its low 23 bits plus the bits of
# float32(sqrt(1/2)) are those of m (f + 0x3F800000, or f + 0x3F000000 when carried).
_LOG_SPLIT = _i32(0x800000 - 0x3504F3 - ((127 + 24) << 23))
_FRACTION = _i32(0x7FFFFF)
_SQRT_HALF_BITS = _i32(0x3F3504F3)
_ONE, _HALF, _MINUS_TWO = _f32(1), _f32(0.5), _f32(-2)
_MINUS_HALF64 = np.array(-0.5, _F64)
_I1, _NOT_1, _I23, _I29, _I31 = (_i32(v) for v in (1, ~1, 23, 29, 31))
_SIGN = _i32(-(1 << 31))

_CHUNK = 1 << 16  # words per chunk: 4096 blocks of 16, about 2 MB of scratch
_HALF_BLOCK = np.dtype((np.void, 32))  # 8 words or 8 floats, half a block


class _Scratch:
    """Work arrays for chunks of up to n pairs; take(n) gives views of the first n."""

    def __init__(self, n):
        self.arrays = (
            [np.empty(n, _I32) for _ in range(4)]  # ku, kv, i, j
            + [np.empty(n, _F32) for _ in range(7)]  # r, cos, sin, then 4 of scratch
            + [np.empty(n, _F64) for _ in range(3)]
        )

    def take(self, n):
        return [a[:n] for a in self.arrays]


def _round32(t, y):
    """y = float32(t), then t = float64(y)."""
    np.copyto(y, t, casting="same_kind")
    np.copyto(t, y)


def _horner(t, x64, coefficients, y):
    """y = the polynomial at x (x64, float64) by Horner's rule, each step a fused
    multiply-add rounded to float32: float32 products are exact in float64, the sum is
    rounded there, then to float32 (the module docstring says why that is the fused
    result). t is float64 scratch."""
    np.multiply(x64, coefficients[0], out=t)
    np.add(t, coefficients[1], out=t)
    for c in coefficients[2:]:
        _round32(t, y)
        np.multiply(t, x64, out=t)
        np.add(t, c, out=t)
    np.copyto(y, t, casting="same_kind")


def _radius(ku, r, scratch):
    """r = sqrt(-2 log(1 - u)) for u = ku * 2**-24, with Cephes' float32 logarithm."""
    i, j, (x, z, y, e), (t, x64, z64) = scratch
    np.subtract(_TWO24, ku, out=i)  # 1 - u = (2**24 - ku) * 2**-24, from 1 to 2**24
    np.copyto(x, i, casting="unsafe")  # exact
    bits = x.view(_I32)
    np.add(bits, _LOG_SPLIT, out=bits)
    np.right_shift(bits, _I23, out=j)  # the exponent e
    np.bitwise_and(bits, _FRACTION, out=bits)
    np.add(bits, _SQRT_HALF_BITS, out=bits)  # x = m, in [sqrt(1/2), sqrt(2))
    np.subtract(x, _ONE, out=x)  # exact
    np.copyto(e, j, casting="unsafe")
    np.copyto(x64, x)
    np.multiply(x, x, out=z)
    np.copyto(z64, z)
    _horner(t, x64, _LOG_P, y)
    np.multiply(y, x, out=y)
    q1 = r  # (r is free until the end)
    np.multiply(e, _LOG_Q1, out=q1)
    np.copyto(x64, q1)
    np.copyto(t, y)
    np.multiply(t, z64, out=t)
    np.add(t, x64, out=t)
    np.copyto(y, t, casting="same_kind")  # y = fma(y, z, e * Q1)
    np.multiply(z, _HALF, out=z)
    np.subtract(y, z, out=y)  # z * 0.5 is exact: one rounding, fused or not
    np.add(x, y, out=x)
    np.multiply(e, _LOG_Q2, out=e)
    np.add(x, e, out=x)  # fma(e, Q2, x), its product exact
    np.multiply(x, _MINUS_TWO, out=x)
    np.sqrt(x, out=r)


def _sincos(kv, cos, sin, scratch):
    """cos, sin of theta = 2 pi kv 2**-24, with Cephes' float32 sincos."""
    i, j, (m, z, y, tmp), (t, m64, z64) = scratch
    np.copyto(m, kv, casting="unsafe")
    np.multiply(m, _ANGLE_STEP, out=m)
    np.multiply(m, _FOUR_OVER_PI, out=tmp)
    np.copyto(j, tmp, casting="unsafe")  # truncation
    np.add(j, _I1, out=j)
    np.bitwise_and(j, _NOT_1, out=j)  # the octant, made even
    np.copyto(y, j, casting="unsafe")
    np.multiply(y, _DP1, out=tmp)
    np.add(m, tmp, out=m)
    np.multiply(y, _DP2, out=tmp)
    np.add(m, tmp, out=m)
    np.copyto(t, j, casting="unsafe")
    np.multiply(t, _DP3, out=t)
    np.copyto(m64, m)
    np.add(t, m64, out=t)
    np.copyto(m, t, casting="same_kind")  # the reduced angle, fma(y, DP3, m)
    np.copyto(m64, m)
    np.multiply(m, m, out=z)
    np.copyto(z64, z)
    # the sine polynomial: fma(z * P(z), m, m)
    _horner(t, z64, _SIN_P, sin)
    np.multiply(sin, z, out=sin)
    np.copyto(t, sin)
    np.multiply(t, m64, out=t)
    np.add(t, m64, out=t)
    np.copyto(sin, t, casting="same_kind")
    # the cosine polynomial: fma(z * Q(z), z, -z / 2) + 1
    _horner(t, z64, _COS_P, cos)
    np.multiply(cos, z, out=cos)
    np.copyto(t, cos)
    np.multiply(t, z64, out=t)
    np.multiply(z64, _MINUS_HALF64, out=z64)
    np.add(t, z64, out=t)
    np.copyto(cos, t, casting="same_kind")
    np.add(cos, _ONE, out=cos)
    # The even octant j (0 to 8) in j << 29: bit 30 set where the polynomials swap
    # (octants 2 and 6), bit 31 where the sine changes sign (4 and 6); the cosine changes
    # sign where the two bits differ (2 and 4). Done on the bits of the float32 results.
    s_bits, c_bits, d = sin.view(_I32), cos.view(_I32), tmp.view(_I32)
    np.left_shift(j, _I29, out=j)
    np.left_shift(j, _I1, out=i)
    np.right_shift(i, _I31, out=i)  # all ones where swapped
    np.bitwise_xor(s_bits, c_bits, out=d)
    np.bitwise_and(d, i, out=d)
    np.bitwise_xor(s_bits, d, out=s_bits)
    np.bitwise_xor(c_bits, d, out=c_bits)
    np.left_shift(j, _I1, out=i)
    np.bitwise_xor(i, j, out=i)
    np.bitwise_and(i, _SIGN, out=i)
    np.bitwise_xor(c_bits, i, out=c_bits)
    np.bitwise_and(j, _SIGN, out=j)
    np.bitwise_xor(s_bits, j, out=s_bits)


def box_muller_blocks(gen, blocks, out):
    """Fill out (float32, contiguous, shape (blocks, 2, 8)) with the normals of `blocks`
    blocks of 16 words drawn from gen: in each block the first 8 words give radii, the
    last 8 angles; the block becomes the 8 cosines, then the 8 sines."""
    per_chunk = _CHUNK // 16
    scratch = _Scratch(8 * min(per_chunk, blocks))
    out_halves = out.reshape(2 * blocks, 8).view(_HALF_BLOCK).reshape(blocks, 2)
    for start in range(0, blocks, per_chunk):
        count = min(per_chunk, blocks - start)
        ku, kv, i, j, r, cos, sin, *f32, t, x64, z64 = scratch.take(8 * count)
        work = (i, j, f32, (t, x64, z64))
        words = gen.words(16 * count).view(_I32)
        np.bitwise_and(words, _LOW24, out=words)
        halves = words.view(_HALF_BLOCK).reshape(count, 2)
        np.copyto(ku.view(_HALF_BLOCK), halves[:, 0])
        np.copyto(kv.view(_HALF_BLOCK), halves[:, 1])
        _radius(ku, r, work)
        _sincos(kv, cos, sin, work)
        np.multiply(cos, r, out=cos)
        np.multiply(sin, r, out=sin)
        here = out_halves[start : start + count]
        np.copyto(here[:, 0], cos.view(_HALF_BLOCK))
        np.copyto(here[:, 1], sin.view(_HALF_BLOCK))
