"""Normal samples as PyTorch's CPU kernels make them: Box-Muller, in two layouts.

Contiguous tensors of 16 or more elements are filled in blocks of 16 (PyTorch's
normal_fill): the tensor is first filled with uniforms, then in each block the first 8
values u give radii sqrt(-2 log(1 - u)) and the last 8 angles 2 pi u; the block becomes the
8 cosines then the 8 sines, times std plus mean. When the size is not a multiple of 16, the
last 16 elements are drawn again and transformed once more.

- float32 blocks run PyTorch's vectorised kernel (AVX2 and AVX-512 builds), reproduced
  rounding for rounding in _boxmuller32.py.
- float64 blocks use the C library's log, cos and sin in double precision.

Smaller or non-contiguous tensors take one normal at a time (PyTorch's serial kernel): a
pair of float64 uniforms (u1, u2) gives r = sqrt(-2 log1p(-u2)) and theta = 2 pi u1;
r cos(theta) is returned and r sin(theta) kept in the generator for the next call.
"""

from __future__ import annotations

import math

import numpy as np

from . import _kernels as K
from ._boxmuller32 import box_muller_blocks

_F32 = np.float32
_F64 = np.float64
_TWO_PI = 2.0 * math.pi


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
        data = np.empty(n, _F32)
        box_muller_blocks(gen, whole // 16, data[:whole].reshape(-1, 2, 8))
        if n % 16:
            if not whole_blocks_only:
                gen.words(n - whole)  # drawn as uniforms, then overwritten by the last block
            box_muller_blocks(gen, 1, data[n - 16 :].reshape(1, 2, 8))
        if not (std == 1 and mean == 0):  # z * 1 + 0 is z
            data = K.fma32(data, std, mean)
        return data
    data = K.unit_float64(gen.words64(n))
    _blocks16_float64(data[:whole], mean, std)
    if n % 16:
        tail = K.unit_float64(gen.words64(16))
        _blocks16_float64(tail, mean, std)
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
