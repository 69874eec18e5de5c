"""The arithmetic between the random words and the numbers PyTorch's CPU kernels return.

- Words to unit floats: a float32 takes the low 24 bits of one word (times 2**-24), a
  float64 the low 53 bits of a 64-bit draw (times 2**-53); so [0, 1), never 1. float16
  tensors are sampled in float32 and rounded.
- Fused multiply-adds. PyTorch's vectorised CPU builds (AVX2, AVX-512) are compiled with
  floating-point contraction, so `x * (to - from) + from` and `z * std + mean` round once.
  NumPy has no fma: `fma32` and `fma64` compute the single rounding exactly.
- The C library. PyTorch's double-precision transforms call the C library's log, log1p,
  exp, tan, sin and cos, which round differently from some of NumPy's own vectorised loops
  (log, log1p, exp, tan differ in the last bit for a few percent of arguments). Python's
  math module calls the same C library, so `through_libm` uses it wherever the last bit can
  show: everywhere for float64 results, and for float32 results only on the few elements
  whose double value lies within a few units of a float32 rounding boundary.
"""

from __future__ import annotations

import functools
import math

import numpy as np

_F32 = np.float32
_F64 = np.float64

_LOW24 = np.uint32(0xFFFFFF)
_LOW53 = np.uint64((1 << 53) - 1)


def unit_float32(words):
    """float32 in [0, 1) from 32-bit words: (w & 0xFFFFFF) * 2**-24."""
    bits = np.bitwise_and(words, _LOW24)
    out = bits.view(np.int32).astype(_F32)  # exact below 2**24; int32 converts fastest
    out *= _F32(2.0**-24)
    return out


_CHUNK = 1 << 16


def uniform_float32(gen, n):
    """n float32 uniforms drawn from gen: unit_float32 of its next n words, made a chunk at
    a time so that the words never leave the processor's cache."""
    out = np.empty(n, _F32)
    for start in range(0, n, _CHUNK):
        words = gen.words(min(_CHUNK, n - start))
        words &= _LOW24
        here = out[start : start + len(words)]
        np.copyto(here, words.view(np.int32), casting="unsafe")
        here *= _F32(2.0**-24)
    return out


def unit_float64(words64):
    """float64 in [0, 1) from 64-bit draws: (w & (2**53 - 1)) * 2**-53."""
    bits = np.bitwise_and(words64, _LOW53)
    out = bits.view(np.int64).astype(_F64)
    out *= 2.0**-53
    return out


# -- fused multiply-add -----------------------------------------------------------------------
def fma32(a, b, c, out=None):
    """float32 a * b + c with one rounding, as the FMA instruction gives it (into out, a
    float32 array of the broadcast shape, when given).

    The product of two float32 is exact in float64, so a * b + c in float64 rounds once;
    rounding that to float32 is the fused result except when the float64 sum lands exactly
    on a float32 halfway point having been rounded there: then the sign of the sum's
    rounding error decides. Large arrays go a chunk at a time, in cache.
    """
    a, b, c = (np.asarray(v, _F32) for v in (a, b, c))
    shape = np.broadcast_shapes(a.shape, b.shape, c.shape)
    if out is None:
        out = np.empty(shape, _F32)
    n = out.size
    flat = all(v.ndim == 0 or (v.shape == shape and v.flags.c_contiguous) for v in (a, b, c))
    if n <= _CHUNK or not flat or not out.flags.c_contiguous:
        _fma32_block(a, b, c, out)
        return out
    a, b, c = (v if v.ndim == 0 else v.reshape(-1) for v in (a, b, c))
    o = out.reshape(-1)
    for start in range(0, n, _CHUNK):
        part = slice(start, start + _CHUNK)
        _fma32_block(*(v if v.ndim == 0 else v[part] for v in (a, b, c)), o[part])
    return out


def _fma32_block(a, b, c, out):
    s = np.multiply(a, b, dtype=_F64)
    if s.shape == out.shape:
        s += c
    else:
        s = np.add(s, c, dtype=_F64)
    low = s.view(np.uint64) & np.uint64(0x1FFFFFFF)
    halfway = low == np.uint64(0x10000000)
    fixed = None
    if halfway.any():  # decided before out is written: out may be c itself
        p = np.broadcast_to(np.multiply(a, b, dtype=_F64), s.shape)[halfway]
        cc = np.broadcast_to(c.astype(_F64), s.shape)[halfway]
        sh = s[halfway]
        err = _two_sum_error(p, cc, sh)
        nudged = np.nextafter(sh, np.where(err > 0, np.inf, -np.inf))
        fixed = np.where(err != 0, nudged, sh).astype(_F32)
    np.copyto(out, s, casting="same_kind")
    if fixed is not None:
        out[halfway] = fixed


def _two_sum_error(a, b, s):
    """The exact rounding error of s = a + b (Knuth's two-sum)."""
    bb = s - a
    return (a - (s - bb)) + (b - bb)


_SPLIT = 134217729.0  # 2**27 + 1, Veltkamp's splitter for doubles


def _two_product_error(a, b, p):
    """The exact rounding error of p = a * b (Dekker's product)."""
    ta = _SPLIT * a
    a_hi = ta - (ta - a)
    a_lo = a - a_hi
    tb = _SPLIT * b
    b_hi = tb - (tb - b)
    b_lo = b - b_hi
    return ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo


def fma64(a, b, c):
    """float64 a * b + c rounded once (Boldo and Melquiond's emulation: the exact product
    and sum, their two error terms added with rounding to odd, one final rounding)."""
    a = np.asarray(a, _F64)
    b = np.asarray(b, _F64)
    c = np.asarray(c, _F64)
    with np.errstate(all="ignore"):
        p = a * b
        pe = _two_product_error(a, b, p)
        hi = c + p
        lo = _two_sum_error(c, p, hi)
        v = lo + pe
        ve = _two_sum_error(lo, pe, v)
        even = (v.view(np.uint64) & np.uint64(1)) == 0
        odd_v = np.where((ve != 0) & even, np.nextafter(v, np.where(ve > 0, np.inf, -np.inf)), v)
        result = hi + odd_v
    # Overflowing or non-finite products: the plain formula is the answer.
    return np.where(np.isfinite(result), result, a * b + c)


# -- the C library's functions ----------------------------------------------------------------
def libm_map(fn, *arrays):
    """fn (a math-module function of floats) on each element: the C library's result."""
    lists = [np.asarray(x, _F64).ravel().tolist() for x in arrays]
    n = len(lists[0])
    return np.fromiter(map(fn, *lists), _F64, n).reshape(np.shape(arrays[0]))


# Bits below a narrow float's last one, in a float64's 52-bit fraction.
_DROPPED = {np.dtype(np.float32): 29, np.dtype(np.float16): 42}
_MARGIN = 64  # float64 units: NumPy's loops are within a few of the C library's result


def near_rounding_boundary(y, dtype):
    """Where float64 y might round to dtype differently if its last bits moved by a few
    units: near a halfway point, or outside dtype's normal range."""
    dropped = _DROPPED[np.dtype(dtype)]
    mask = np.uint64((1 << dropped) - 1)
    half = np.uint64(1 << (dropped - 1))
    low = np.asarray(y, _F64).view(np.uint64) & mask
    near = (low > half - np.uint64(_MARGIN)) & (low < half + np.uint64(_MARGIN))
    info = np.finfo(dtype)
    mag = np.abs(y)
    return near | ~np.isfinite(y) | ((mag != 0) & (mag < info.tiny)) | (mag > info.max / 2)


def through_libm(vectorised, scalar, args, dtype):
    """Compute a double-precision transform and round it to dtype exactly as the C library
    would: vectorised(*arrays) uses NumPy's functions, scalar(*floats) the math module's.

    float64 results are computed by scalar everywhere; narrower ones by vectorised, then
    scalar again on the few elements near a rounding boundary of dtype.
    """
    dtype = np.dtype(dtype)
    args = [np.asarray(a, _F64) for a in args]
    shape = np.broadcast_shapes(*(a.shape for a in args))
    args = [np.broadcast_to(a, shape) for a in args]
    if dtype == _F64 or math.prod(shape) <= 64:
        return libm_map(scalar, *args).astype(dtype)
    with np.errstate(all="ignore"):
        y = vectorised(*args)
    risky = near_rounding_boundary(y, dtype)
    if risky.any():
        y[risky] = libm_map(scalar, *(a[risky] for a in args))
    with np.errstate(all="ignore"):
        return y.astype(dtype)


def _agree(np_fn, math_fn, x):
    return np.array_equal(np_fn(x), libm_map(math_fn, x))


@functools.cache
def numpy_trig_is_libm():
    """Whether NumPy's float64 sin and cos call the C library, as on the platforms we know
    of: checked once, at the first double-precision draw that needs it (not at import),
    as the double-precision normals rely on it for speed."""
    sample = np.linspace(0.0, 2 * np.pi, 4099)[:-1] + 1e-3
    return _agree(np.cos, math.cos, sample) and _agree(np.sin, math.sin, sample)


def cos(x):
    return np.cos(x) if numpy_trig_is_libm() else libm_map(math.cos, x)


def sin(x):
    return np.sin(x) if numpy_trig_is_libm() else libm_map(math.sin, x)


# -- the order a kernel visits a tensor's elements ------------------------------------------
def fill_in_memory_order(arr, make):
    """Write make(n) into arr element by element in the order of arr's memory, as PyTorch's
    serial kernels visit a tensor (a transposed view is filled along its storage)."""
    if arr.flags.c_contiguous:
        arr.reshape(-1)[...] = make(arr.size)
        return
    # axes by decreasing stride: the last one moves fastest through memory
    order = sorted(range(arr.ndim), key=lambda i: -abs(arr.strides[i]))
    view = arr.transpose(order)
    view[...] = make(arr.size).reshape(view.shape)


def values_in_memory_order(arr, values):
    """values (flat, in memory order of arr) arranged in arr's logical shape."""
    if arr.flags.c_contiguous:
        return values.reshape(arr.shape)
    order = sorted(range(arr.ndim), key=lambda i: -abs(arr.strides[i]))
    shaped = values.reshape([arr.shape[i] for i in order])
    return shaped.transpose(np.argsort(order))
