"""Fused multiply-add: `a * b + c` rounded once, as PyTorch's vectorised CPU kernels round
it (their builds contract a product and a sum into one FMA instruction). Used by add and
sub with alpha (`c + alpha * b`, add_ and sub_ too) and by the ordered matrix products
(_mkl_order.py); addcmul and lerp, which PyTorch fuses as well, still round twice.

NumPy has no fma. For float32 the product of two float32 numbers is exact in float64, so
`a * b + c` computed in float64 has one rounding, and rounding that to float32 is the fused
result, except where the float64 value has landed exactly halfway between two float32
numbers: there the first rounding may have decided the second. Those values (about one
in 2**29 of the inexact sums) are found from their bits and corrected with the exact
error of the float64 sum. Results in float32's subnormal range (below 1.2e-38) are not
checked.

float64 keeps two roundings: an exact float64 fused multiply-add costs NumPy twenty-odd
passes over the data (random/_kernels.fma64), some 30 times a plain `c + a * b` on large
arrays, so chainrule leaves float64 results of these ops within one unit in the last place
of PyTorch's (float64 training is rare; its printed digits hide that unit).

Where PyTorch runs its generic kernels (ATEN_CPU_CAPABILITY=default), it rounds twice, and
so does chainrule (chainrule._cpu.fused()).

Only results of at most FUSED_LIMIT elements are rounded once. The exact method takes some
ten passes through float64 where the plain form takes two: on a million elements an SGD
step's `p.add_(g, alpha=-lr)` went from 0.8 ms to 2.5 ms, and on 10**5 from 18 us to 360
us, so larger results keep NumPy's two roundings (within one unit in the last place of
the terms' size of PyTorch's). Small ones (a lesson's layers, a few thousand parameters)
cost about 4 us more per call than the plain form.

chainrule's ops call this module only while the PyTorch arithmetic switch is on
(chainrule.use_pytorch_arithmetic, off by default: chainrule/_arithmetic.py).
"""

from __future__ import annotations

import math
import sys

import numpy as np

from .. import _cpu

__all__ = ["FUSED_LIMIT", "fma", "fma_", "halfway", "round_sum32"]

_F32 = np.float32
_F64 = np.float64
_CHUNK = 1 << 14  # elements per pass: the float64 temporaries stay in the processor's cache
_HALF = np.uint32(0x80000000)  # a float32 halfway point: the low 29 bits are 1 then 28 zeros
_EIGHT = np.uint32(8)
_LOW = 0 if sys.byteorder == "little" else 1
FUSED_LIMIT = 4096  # elements: larger results are rounded twice (see above)


def fma(a, b, c):
    """a * b + c for float32 arrays (or numbers, taken as float32), rounded once where
    PyTorch rounds once; a new array of the broadcast shape. Other dtypes: two roundings."""
    dtype = np.result_type(*(x for x in (a, b, c) if isinstance(x, np.ndarray)))
    if dtype != _F32 or not _cpu.fused():
        return _two_roundings(a, b, c, dtype)
    a, b, c = _f32(a), _f32(b), _f32(c)
    shape = np.broadcast_shapes(a.shape, b.shape, c.shape)
    if math.prod(shape) > FUSED_LIMIT:
        return _two_roundings(a, b, c, dtype)
    out = np.empty(shape, _F32)
    if all(x.ndim == 0 or x.shape == shape for x in (a, b, c)):
        _run(a, b, c, out)
    else:
        _block(*(np.broadcast_to(x, shape) for x in (a, b, c)), out)
    return out


def fma_(c, a, b):
    """c = a * b + c in place (c a writeable float32 array, a and b float32 arrays or numbers
    that broadcast to it), rounded once where PyTorch rounds once. Returns c."""
    if c.dtype != _F32 or not _cpu.fused() or c.size > FUSED_LIMIT:
        np.add(c, _two_roundings(a, b, None, c.dtype), out=c)
        return c
    if isinstance(a, np.ndarray) and a.shape == c.shape and a.dtype == _F32 and np.ndim(b) == 0:
        _scaled_add(c, a, _F64(b))  # p.add_(g, alpha=...): the common case, in fewer steps
        return c
    a, b = _f32(a), _f32(b)
    if all(x.ndim == 0 or x.shape == c.shape for x in (a, b)):
        _run(a, b, c, c)
    else:
        _block(np.broadcast_to(a, c.shape), np.broadcast_to(b, c.shape), c, c)
    return c


def _scaled_add(c, a, alpha):
    """c = fl32(a * alpha + c) in place, for float32 arrays of one shape and a float64
    alpha holding a float32 value."""
    s = a.astype(_F64)
    s *= alpha
    s += c
    flat = s.reshape(-1)
    half = halfway(flat)
    if half.any():
        where = np.flatnonzero(half)
        exact = _pick(a, c.shape, where) * alpha
        fixed = _round_once(exact, _pick(c, c.shape, where), flat[where])
        np.copyto(c, s, casting="same_kind")
        c.flat[where] = fixed  # .flat: c may be a strided view
    else:
        np.copyto(c, s, casting="same_kind")


def _f32(x):
    return x if isinstance(x, np.ndarray) and x.dtype == _F32 else np.asarray(x, _F32)


def _two_roundings(a, b, c, dtype):
    product = np.multiply(a, b, dtype=dtype)
    return product if c is None else np.add(product, c, dtype=dtype)


def _run(a, b, c, out):
    """Operands of out's shape or 0-d: flat chunks when all are contiguous, else one block."""
    arrays = [x for x in (a, b, c, out) if x.ndim]
    if out.size <= _CHUNK or not all(x.flags.c_contiguous for x in arrays):
        _block(a, b, c, out)
        return
    flat = [x.reshape(-1) if x.ndim else x for x in (a, b, c)]
    o = out.reshape(-1)
    for start in range(0, o.size, _CHUNK):
        part = slice(start, start + _CHUNK)
        _block(*(x[part] if x.ndim else x for x in flat), o[part])


def _wide(x):
    return x.astype(_F64) if x.ndim else _F64(x)


def _block(a, b, c, out):
    """out = fl32(a*b + c) for float32 arrays of out's shape (or 0-d)."""
    if a.ndim:
        s = a.astype(_F64)
        s *= _wide(b)
    elif b.ndim:
        s = b.astype(_F64)
        s *= _wide(a)
    else:
        s = np.full(out.shape, _wide(a) * _wide(b))
    s += _wide(c)
    flat = s.reshape(-1)
    half = halfway(flat)
    fixed = None
    if half.any():  # decided before out is written: out may be c
        where = np.flatnonzero(half)
        product = _pick(a, out.shape, where) * _pick(b, out.shape, where)  # exact
        fixed = _round_once(product, _pick(c, out.shape, where), flat[where])
    np.copyto(out, s, casting="same_kind")
    if fixed is not None:
        out.flat[where] = fixed  # .flat: out may be a strided view


def round_sum32(x, y):
    """x + y rounded once to float32, for float64 arrays (or numbers) whose exact sum is
    wanted (x + y in float64, then rounded to float32, with the halfway cases decided
    exactly). A new float32 array of the broadcast shape."""
    total = np.add(x, y, dtype=_F64)
    flat = total.reshape(-1)
    out = total.astype(_F32)
    half = halfway(flat)
    if half.any():
        where = np.flatnonzero(half)
        xs, ys = _pick(x, total.shape, where), _pick(y, total.shape, where)
        out.reshape(-1)[where] = _round_once(xs, ys, flat[where])
    return out


def halfway(flat):
    """Where float64 values lie exactly halfway between two float32 numbers (their low 29
    bits are a one and 28 zeros)."""
    low = flat.view(np.uint32)[_LOW::2]  # the low word of each float64
    return np.multiply(low, _EIGHT) == _HALF


def _pick(x, shape, where):
    return np.broadcast_to(np.asarray(x, _F64), shape).reshape(-1)[where]


def _round_once(x, y, total):
    """float32 of x + y exactly, where total = fl64(x + y) lies halfway between two float32:
    move it one float64 unit towards the exact sum (Knuth's two-sum error), then round."""
    back = total - x
    error = (x - (total - back)) + (y - back)
    nudged = np.nextafter(total, np.where(error > 0, np.inf, -np.inf))
    return np.where(error != 0, nudged, total).astype(_F32)
