"""Normal samples as PyTorch's CPU kernels make them: Box-Muller, in two layouts.

Contiguous tensors of 16 or more elements are filled in blocks of 16 (PyTorch's
normal_fill): the tensor is first filled with uniforms, then in each block the first 8
values u give radii sqrt(-2 log(1 - u)) and the last 8 angles 2 pi u; the block becomes the
8 cosines then the 8 sines, times std plus mean. When the size is not a multiple of 16, the
last 16 elements are drawn again and transformed once more.

- float32 blocks run PyTorch's vectorised kernel (AVX2 and AVX-512 builds): a Cephes-style
  log and sincos in float32, as the C compiler emits them, with every `a * b + c` it
  contracts into one fused multiply-add. `_log_ps` and `_sincos_ps` follow that sequence
  of roundings, so the results are PyTorch's bit for bit.
- float64 blocks use the C library's log, cos and sin in double precision.

Smaller or non-contiguous tensors take one normal at a time (PyTorch's serial kernel): a
pair of float64 uniforms (u1, u2) gives r = sqrt(-2 log1p(-u2)) and theta = 2 pi u1;
r cos(theta) is returned and r sin(theta) kept in the generator for the next call.
"""

from __future__ import annotations

import math

import numpy as np

from . import _kernels as K

_F32 = np.float32
_F64 = np.float64

# float32 constants of the vectorised kernel (Cephes' single-precision log and sincos)
_SQRT_HALF = _F32(0.707106781186547524)
_LOG_P = [
    _F32(v)
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
_LOG_Q2 = _F32(0.693359375)
_FOUR_OVER_PI = _F32(1.27323954473516)
_DP = [_F32(-0.78515625), _F32(-2.4187564849853515625e-4), _F32(-3.77489497744594108e-8)]
_SIN_P = [_F32(-1.9515295891e-4), _F32(8.3321608736e-3), _F32(-1.6666654611e-1)]
_COS_P = [_F32(2.443315711809948e-005), _F32(-1.388731625493765e-003), _F32(4.166664568298827e-002)]
_TWO_PI_32 = _F32(2.0 * math.pi)
_TWO_PI = 2.0 * math.pi


def _log_ps(x):
    """The vectorised kernel's float32 log of x in (0, 1], rounding for rounding."""
    bits = x.view(np.int32)
    e = ((bits >> 23) - 0x7F).astype(_F32)
    m = ((bits & ~0x7F800000) | 0x3F000000).view(_F32)  # the mantissa, in [0.5, 1)
    e += _F32(1)
    small = m < _SQRT_HALF
    x = m - _F32(1)
    e -= small.astype(_F32)
    x += np.where(small, m, _F32(0))  # below sqrt(1/2): 2m - 1, one exponent less
    z = x * x
    y = np.full_like(x, _LOG_P[0])
    for p in _LOG_P[1:]:
        y = K.fma32(y, x, p)
    y *= x
    y = K.fma32(y, z, e * _LOG_Q1)
    y -= z * _F32(0.5)  # exact product: one rounding, fused or not
    x += y
    return K.fma32(e, _LOG_Q2, x)


def _sincos_ps(x):
    """The vectorised kernel's float32 (sin, cos) of x >= 0."""
    j = (x * _FOUR_OVER_PI).astype(np.int32)
    j = (j + 1) & ~1
    y = j.astype(_F32)
    sin_negative = (j & 4) != 0
    sine_first = (j & 2) == 0  # which polynomial gives the sine
    for dp in _DP:
        x = K.fma32(y, dp, x)
    cos_negative = ((~(j - 2)) & 4) != 0
    z = x * x
    c = np.full_like(x, _COS_P[0])
    c = K.fma32(c, z, _COS_P[1])
    c = K.fma32(c, z, _COS_P[2])
    c *= z
    c = K.fma32(c, z, -(z * _F32(0.5)))
    c += _F32(1)
    s = np.full_like(x, _SIN_P[0])
    s = K.fma32(s, z, _SIN_P[1])
    s = K.fma32(s, z, _SIN_P[2])
    s *= z
    s = K.fma32(s, x, x)
    sin = np.where(sine_first, s, c)
    cos = np.where(sine_first, c, s)
    np.negative(sin, out=sin, where=sin_negative)
    np.negative(cos, out=cos, where=cos_negative)
    return sin, cos


def _blocks16_float32(data, mean, std):
    """Transform whole blocks of 16 float32 uniforms in place (the vectorised kernel)."""
    blocks = data.reshape(-1, 2, 8)
    u1 = _F32(1) - blocks[:, 0, :]
    radius = np.sqrt(_F32(-2) * _log_ps(u1.ravel()))
    sin, cos = _sincos_ps(_TWO_PI_32 * blocks[:, 1, :].ravel())
    n1 = radius * cos
    n2 = radius * sin
    if not (std == 1 and mean == 0):  # z * 1 + 0 is z
        n1 = K.fma32(n1, std, mean)
        n2 = K.fma32(n2, std, mean)
    blocks[:, 0, :] = n1.reshape(-1, 8)
    blocks[:, 1, :] = n2.reshape(-1, 8)


def _blocks16_float64(data, mean, std):
    """Transform whole blocks of 16 float64 uniforms in place (C library log, cos, sin)."""
    blocks = data.reshape(-1, 2, 8)
    u1 = 1.0 - blocks[:, 0, :].ravel()
    radius = np.sqrt(-2.0 * K.libm_map(math.log, u1))
    theta = _TWO_PI * blocks[:, 1, :].ravel()
    n1 = radius * K.cos(theta)
    n2 = radius * K.sin(theta)
    if not (std == 1 and mean == 0):
        n1 = K.fma64(n1, std, mean)
        n2 = K.fma64(n2, std, mean)
    blocks[:, 0, :] = n1.reshape(-1, 8)
    blocks[:, 1, :] = n2.reshape(-1, 8)


def normal_fill(gen, n, dtype, mean, std, whole_blocks_only=False):
    """n >= 16 normals of dtype (float32 or float64), laid out as PyTorch's normal_fill
    lays them out; mean and std already rounded to dtype. whole_blocks_only: draw
    uniforms for the whole blocks only before the last 16 (PyTorch's float16 kernel,
    which computes block by block in float32)."""
    whole = n - n % 16
    if dtype == _F32:
        data = K.unit_float32(gen.words(whole if whole_blocks_only else n))
        transform = _blocks16_float32
    else:
        data = K.unit_float64(gen.words64(n))
        transform = _blocks16_float64
    transform(data[:whole], mean, std)
    if n % 16:
        tail = K.unit_float32(gen.words(16)) if dtype == _F32 else K.unit_float64(gen.words64(16))
        transform(tail, mean, std)
        data = np.concatenate([data[: n - 16], tail])
    return data


def _radius_angle(u1, u2):
    return np.sqrt(-2.0 * np.log1p(-u2)), _TWO_PI * u1


def _cos_scalar(u1, u2):
    return math.sqrt(-2.0 * math.log1p(-u2)) * math.cos(_TWO_PI * u1)


def _sin_scalar(u1, u2):
    return math.sqrt(-2.0 * math.log1p(-u2)) * math.sin(_TWO_PI * u1)


def _pairs_libm(u1, u2):
    return K.libm_map(_cos_scalar, u1, u2), K.libm_map(_sin_scalar, u1, u2)


def serial_normal(gen, n, dtype, mean, std):
    """n normals one at a time (PyTorch's serial kernel): z * std + mean in double (one
    rounding, as the vectorised builds fuse it), then rounded to dtype. Uses, and leaves,
    the generator's cached normal."""
    dtype = np.dtype(dtype)
    z = np.empty(n, _F64)
    start = 0
    if n and gen.next_double_normal is not None:
        z[0] = gen.next_double_normal
        gen.next_double_normal = None
        start = 1
    pairs = (n - start + 1) // 2
    if pairs:
        u = K.unit_float64(gen.words64(2 * pairs))
        u1, u2 = u[0::2], u[1::2]
        exact = dtype == _F64 or pairs <= 32
        if exact:
            cos, sin = _pairs_libm(u1, u2)
        else:
            r, theta = _radius_angle(u1, u2)
            cos, sin = r * np.cos(theta), r * np.sin(theta)
        flat = np.stack([cos, sin], axis=1).ravel()
        if (n - start) % 2:  # the last sine is kept for the next call, as the C library gives it
            gen.next_double_normal = _sin_scalar(float(u1[-1]), float(u2[-1]))
        z[start:] = flat[: n - start]
        if not exact:
            scaled = _scale(z, mean, std)
            risky = np.flatnonzero(K.near_rounding_boundary(scaled, dtype))
            risky = risky[risky >= start]
            if risky.size:
                k = (risky - start) // 2
                c, s = _pairs_libm(u1[k], u2[k])
                z[risky] = np.where((risky - start) % 2 == 0, c, s)
    return _round_to(_scale(z, mean, std), dtype)


def _scale(z, mean, std):
    return z if (std == 1 and mean == 0) else K.fma64(z, std, mean)


def _round_to(z, dtype):
    with np.errstate(all="ignore"):
        return z.astype(dtype)
