"""PyTorch's vectorised float32 Box-Muller kernel (AVX2 and AVX-512 builds), rounding for
rounding, over whole arrays.

For a radius uniform u and an angle uniform v it computes r = sqrt(-2 log(1 - u)) and
theta = 2 pi v, then (r cos theta, r sin theta), with the kernel's own float32 log and
sincos: Cephes' polynomials as the C compiler emits them. The compiler contracts each
`a * b + c` of those polynomials into one fused multiply-add, so the code below computes
those steps as a * b + c in float64 (the product of two float32 is exact there) rounded
once to float32.

Rounding a float64 sum to float32 can differ from the single rounding of an FMA when the
float64 sum itself was rounded onto a float32 halfway point. The inputs here are few
enough to check every one: u and v are multiples of 2**-24 in [0, 1), and for all 2**24
of each no sum of this kernel lands on a halfway point after rounding (exact halfway sums
do occur; they round the same either way). tests/random/test_random_boxmuller.py repeats
that check (CHAINRULE_EXHAUSTIVE=1): `fast_fma` and `exact_fma` give the same bits for
every input.

The arrays are processed in chunks that stay in the processor's cache, with the scratch
buffers allocated once per call.
"""

from __future__ import annotations

import math

import numpy as np

from . import _kernels as K

_F32 = np.float32
_F64 = np.float64

_LOG_P = [
    float(_F32(v))
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
_LOG_Q1 = _F32(-2.12194440e-4)
_LOG_Q2 = float(_F32(0.693359375))
_SQRT_HALF = _F32(0.707106781186547524)
_FOUR_OVER_PI = _F32(1.27323954473516)
_DP1, _DP2 = _F32(-0.78515625), _F32(-2.4187564849853515625e-4)  # y * DP1, y * DP2 exact
_DP3 = float(_F32(-3.77489497744594108e-8))
_SIN_P = [float(_F32(v)) for v in (-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1)]
_COS_P = [
    float(_F32(v))
    for v in (2.443315711809948e-005, -1.388731625493765e-003, 4.166664568298827e-002)
]
# theta = float32(2 pi) * (k * 2**-24), the scaling by 2**-24 being exact
_ANGLE_STEP = _F32(2.0 * math.pi) * _F32(2.0**-24)
_LOW24 = 0xFFFFFF
_CHUNK = 1 << 14


def fast_fma(a, b, c, out, t):
    """out = a * b + c: the product exact in float64 (t), the sum rounded there, then to
    float32. Without the halfway check of an exact fma: no input of this kernel needs it."""
    if a.dtype == _F32:
        # converted first: NumPy multiplies a float32 array by a float64 one through a
        # buffer, which costs more than the conversion and a float64 product together
        np.copyto(t, a)
        t *= b
    else:
        np.multiply(a, b, out=t)
    t += c
    np.copyto(out, t, casting="same_kind")


def exact_fma(a, b, c, out, t):
    """out = a * b + c rounded once, exactly (the check of fast_fma)."""
    K.fma32(a, b, c, out=out)


class _Scratch:
    def __init__(self, n):
        self.n = n
        self.i = np.empty(n, np.int32)
        self.j = np.empty(n, np.int32)
        self.f = [np.empty(n, _F32) for _ in range(6)]
        self.d = [np.empty(n, _F64) for _ in range(3)]
        self.small = np.empty(n, bool)


def _horner(y, x64, coefficients, t, fma):
    """y = c0; y = fma(y, x, c) for each further c."""
    if fma is fast_fma:
        # fast_fma's steps with the running value kept in t, as the float64 of its float32
        # rounding: a product of two float64 arrays costs a fraction of a float32 array's
        # by a float64 one, which NumPy converts through a buffer.
        np.multiply(x64, coefficients[0], out=t)
        t += coefficients[1]
        for c in coefficients[2:]:
            np.copyto(y, t, casting="same_kind")  # rounded to float32
            np.copyto(t, y)
            t *= x64
            t += c
        np.copyto(y, t, casting="same_kind")
        return
    fma(x64, coefficients[0], coefficients[1], y, t)
    for c in coefficients[2:]:
        fma(y, x64, c, y, t)


def _chunk(ku, kv, out_cos, out_sin, s, fma):
    """One chunk: ku, kv the low 24 bits of the radius and angle words (int32)."""
    i, j = s.i, s.j
    x, z, y, e, m, tmp = s.f
    t, x64, z64 = s.d
    # -- log(1 - u), u = ku * 2**-24: 1 - u = (2**24 - ku) * 2**-24, converted exactly
    np.subtract(1 << 24, ku, out=i)
    np.copyto(m, i, casting="unsafe")
    mantissa = tmp
    np.frexp(m, out=(mantissa, j))  # mantissa in [0.5, 1); j is the exponent plus one
    j -= 24
    # below sqrt(1/2): one exponent less and x = 2m - 1
    small = s.small
    np.less(mantissa, _SQRT_HALF, out=small)
    np.subtract(j, small, out=j)
    np.copyto(e, j, casting="unsafe")
    np.subtract(mantissa, _F32(1), out=x)
    np.multiply(mantissa, small, out=m)
    x += m
    np.multiply(x, x, out=z)
    np.copyto(x64, x)
    _horner(y, x64, _LOG_P, t, fma)
    y *= x
    np.multiply(e, _LOG_Q1, out=tmp)
    np.copyto(x64, z)
    fma(y, x64, tmp, y, t)
    np.multiply(z, _F32(0.5), out=tmp)
    y -= tmp  # z * 0.5 is exact: one rounding, fused or not
    x += y
    np.copyto(x64, e)
    fma(x64, _LOG_Q2, x, x, t)
    x *= _F32(-2)
    radius = np.sqrt(x, out=x)
    # -- sincos(theta), theta = 2 pi * kv * 2**-24
    np.copyto(m, kv, casting="unsafe")
    m *= _ANGLE_STEP
    np.multiply(m, _FOUR_OVER_PI, out=tmp)
    np.copyto(j, tmp, casting="unsafe")  # truncation
    j += 1
    j &= ~1  # the octant, made even
    np.copyto(y, j, casting="unsafe")
    np.multiply(y, _DP1, out=tmp)
    m += tmp
    np.multiply(y, _DP2, out=tmp)
    m += tmp
    np.copyto(x64, y)
    fma(x64, _DP3, m, m, t)  # the reduced angle
    np.multiply(m, m, out=z)
    np.copyto(z64, z)
    _horner(e, z64, _COS_P, t, fma)
    e *= z
    np.multiply(z, _F32(-0.5), out=tmp)
    fma(e, z64, tmp, e, t)
    e += _F32(1)  # the cosine polynomial
    _horner(y, z64, _SIN_P, t, fma)
    y *= z
    np.copyto(x64, m)
    fma(y, x64, m, y, t)  # the sine polynomial
    # octants 0, 4, 8 take the sine from the sine polynomial; the others swap; signs by
    # octant, put into the sign bits
    sine, cosine = y.view(np.int32), e.view(np.int32)
    np.right_shift(j, 1, out=i)
    i &= 1
    i -= 1  # all ones where the polynomials are not swapped
    swap = tmp.view(np.int32)
    np.bitwise_xor(sine, cosine, out=swap)
    swap &= i  # the difference, where not swapped
    # Worked out in contiguous scratch (m and z are free now): the output interleaves
    # cosines and sines 8 by 8, and is written once, by the products with the radius.
    sin_bits, cos_bits = m.view(np.int32), z.view(np.int32)
    np.bitwise_xor(cosine, swap, out=sin_bits)
    np.bitwise_xor(sine, swap, out=cos_bits)
    np.bitwise_and(j, 4, out=i)
    i <<= 29
    sin_bits ^= i
    j += 2
    j &= 4
    j <<= 29
    cos_bits ^= j
    shape = out_cos.shape
    radius = radius.reshape(shape)
    np.multiply(z.reshape(shape), radius, out=out_cos)
    np.multiply(m.reshape(shape), radius, out=out_sin)


def box_muller_blocks(gen, blocks, out, fma=fast_fma):
    """Fill out (float32, shape (blocks, 2, 8)) with the normals of `blocks` blocks of 16
    words drawn from gen: in each block the first 8 words give radii, the last 8 angles;
    the block becomes the 8 cosines, then the 8 sines."""
    per_chunk = _CHUNK // 8
    s = None
    for start in range(0, blocks, per_chunk):
        count = min(per_chunk, blocks - start)
        words = gen.words(16 * count).reshape(count, 2, 8)
        if s is None or s.n != 8 * count:
            s = _Scratch(8 * count)
            ku, kv = np.empty(s.n, np.int32), np.empty(s.n, np.int32)
        np.bitwise_and(words[:, 0, :], _LOW24, out=ku.reshape(count, 8), casting="unsafe")
        np.bitwise_and(words[:, 1, :], _LOW24, out=kv.reshape(count, 8), casting="unsafe")
        here = out[start : start + count]
        _chunk(ku, kv, here[:, 0, :], here[:, 1, :], s, fma)
