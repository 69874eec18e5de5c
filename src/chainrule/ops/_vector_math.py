"""Float32 math as PyTorch's CPU kernels round it: their vector code and their scalar code.

A PyTorch element-wise kernel runs its vector code on whole blocks of two vectors (32
float32 elements on AVX-512, 16 on AVX2) and its scalar code on the elements left over
at the end of each thread's range (chainrule._cpu.vector_block). Both round differently
from NumPy's loops:

- The vector code's exp is SLEEF's expf (the 1-ulp variant): a reduction by ln 2 in two
  fused steps, a degree-5 polynomial in Horner form with fused multiply-adds, and a
  scaling by 2**q. `sleef_expf` follows it operation for operation, each fused step
  rounded once (ops/_fused.round_sum32).
- The scalar code calls the C library (expf, logf, log1pf on float32): `libm_f32` calls
  the same library through ctypes, one element at a time, which is cheap for the few
  left-over elements. For many elements (more than _LIBM_LIMIT) that is too slow: expf
  is then NumPy's float64 exp rounded to float32, the C library called only where that
  lies within 2**-7 of a unit of a float32 rounding boundary (glibc's expf is within
  0.502 units of the exact value, so elsewhere both round alike); logf and log1pf are
  NumPy's (glibc's are not that close to the exact value: 0.7% and 7% of float32
  arguments differ from the correctly rounded value).

Where the C library cannot be loaded, NumPy's float32 functions stand in (a few units in
the last place apart).

Cost: following SLEEF's roundings takes some forty NumPy passes where NumPy's sigmoid takes
three: 60 us on 100 elements (NumPy: 3 us), 370 us on 5000 (7 us), 96 ms on a million (2.6
ms). Callers use it up to EXACT_LIMIT elements (a small model's layers) and NumPy's
functions beyond, within a few units in the last place of PyTorch's.

chainrule's sigmoid and binary_cross_entropy call this module only while the PyTorch
arithmetic switch is on (chainrule.use_pytorch_arithmetic, off by default:
chainrule/_arithmetic.py).
"""

from __future__ import annotations

import ctypes
import ctypes.util

import numpy as np

from .. import _cpu
from ..threads import get_num_threads
from ._fused import round_sum32

__all__ = ["EXACT_LIMIT", "libm_f32", "sigmoid32", "sleef_expf", "vector_positions"]

_F32 = np.float32
_F64 = np.float64
EXACT_LIMIT = 8192  # elements: larger inputs take NumPy's functions (see above)
_GRAIN = 32768  # PyTorch's parallel_for grain: below it, one thread does everything
_LIBM_LIMIT = 1 << 12  # elements: one ctypes call each up to here
_MARGIN = np.uint64(1 << 22)  # float64 units from a float32 rounding boundary (2**-7 of one)

# SLEEF's expf: 1/ln 2, ln 2 in two parts (the first with trailing zeros, so q * part is
# exact), and the polynomial's coefficients, highest degree first.
_R_LN2 = _F32(1.442695040888963407359924681001892137)
_L2U = _F32(0.693145751953125)
_L2L = _F32(1.428606765330187045e-06)
_EXP_POLY = tuple(
    _F32(c)
    for c in (
        0.000198527617612853646278381,
        0.00139304355252534151077271,
        0.00833336077630519866943359,
        0.0416664853692054748535156,
        0.166666671633720397949219,
        0.5,
    )
)


def _fused(a, b, c):
    """fl32(a * b + c) for float32 a, b, c (one rounding)."""
    return round_sum32(np.multiply(a, b, dtype=_F64), np.asarray(c, _F64))


def sleef_expf(d):
    """exp of a float32 array as PyTorch's vectorised kernels compute it (SLEEF expf u10)."""
    d = np.asarray(d, _F32)
    with np.errstate(invalid="ignore", over="ignore"):
        q = np.rint(d * _R_LN2)
        s = _fused(q, -_L2U, d)
        s = _fused(q, -_L2L, s)
        u = np.full(d.shape, _EXP_POLY[0])
        for c in _EXP_POLY[1:]:
            u = _fused(u, s, c)
        u = _F32(1) + _fused(s * s, u, s)
        in_range = np.abs(q) <= 200  # False for NaN and huge d, whose results are set below
        u = np.ldexp(u, np.where(in_range, q, 0).astype(np.int32)).astype(_F32)
    u = np.where(d < -104, _F32(0), u)
    u = np.where(d > 100, _F32(np.inf), u)
    return np.where(np.isnan(d), d, u)


def _load_libm():
    name = ctypes.util.find_library("m")
    for candidate in (name, "libm.so.6", "libm.dylib", "ucrtbase", "msvcrt"):
        if not candidate:
            continue
        try:
            return ctypes.CDLL(candidate)
        except OSError:
            continue
    return None


_LIBM = _load_libm()
_FUNCTIONS = {}
_NUMPY = {"expf": np.exp, "logf": np.log, "log1pf": np.log1p}


def libm_f32(name, x):
    """The C library's float function `name` (expf, logf, log1pf) on each element of a
    float32 array, one call per element."""
    fn = _FUNCTIONS.get(name)
    if fn is None and _LIBM is not None:
        fn = getattr(_LIBM, name, None)
        if fn is not None:
            fn.restype = ctypes.c_float
            fn.argtypes = [ctypes.c_float]
            _FUNCTIONS[name] = fn
    x = np.asarray(x, _F32)
    if fn is None or (x.size > _LIBM_LIMIT and name != "expf"):
        with np.errstate(all="ignore"):
            return _NUMPY[name](x)
    if x.size > _LIBM_LIMIT:
        return _expf_near_exact(x, fn)
    return _call(fn, x)


def _call(fn, x):
    values = x.ravel().tolist()
    return np.fromiter(map(fn, values), _F32, len(values)).reshape(x.shape)


def _expf_near_exact(x, fn):
    with np.errstate(all="ignore"):
        wide = np.exp(x.astype(_F64))
    out = wide.astype(_F32)
    low = wide.view(np.uint64) & np.uint64((1 << 29) - 1)
    half = np.uint64(1 << 28)
    near = (low > half - _MARGIN) & (low < half + _MARGIN)
    near |= ~np.isfinite(out) | (np.abs(out) < np.finfo(_F32).tiny)
    if near.any():
        out[near] = _call(fn, x[near])
    return out


def vector_positions(n, itemsize=4):
    """A boolean mask over n contiguous elements: True where PyTorch's vectorised loop
    runs its vector code, False where its scalar code runs (each thread's range ends with
    fewer elements than a block; the generic build has no vector code)."""
    block = _cpu.vector_block(itemsize)
    mask = np.zeros(n, bool)
    if not block:
        return mask
    threads = get_num_threads()
    tasks = 1 if n < _GRAIN or threads < 2 else min(threads, -(-n // _GRAIN))
    chunk = -(-n // tasks)
    for start in range(0, n, chunk):
        length = min(chunk, n - start)
        mask[start : start + length - length % block] = True
    return mask


def sigmoid32(a):
    """1 / (1 + exp(-a)) for a float32 array, rounded as PyTorch's CPU kernel rounds it."""
    block = _cpu.vector_block(4)
    if a.size < block or not block:  # the scalar code only: the C library's expf throughout
        expf = _FUNCTIONS.get("expf")
        if a.size == 1 and expf is not None:  # one call, without the array plumbing
            e = np.full(a.shape, expf(-float(a.flat[0])), _F32)
        else:
            e = libm_f32("expf", np.negative(a))
        return _F32(1) / (_F32(1) + e)
    if a.flags.c_contiguous or a.flags.f_contiguous:
        flat = a.ravel(order="K")
        out = _sigmoid_run(flat, vector_positions(flat.size))
        return out.reshape(a.shape, order="F" if not a.flags.c_contiguous else "C")
    if a.ndim and a.strides[-1] == a.itemsize:  # the inner loop runs along rows
        rows = a.reshape(-1, a.shape[-1])
        mask = np.broadcast_to(vector_positions(a.shape[-1]), rows.shape).reshape(-1)
        return _sigmoid_run(rows.reshape(-1), mask).reshape(a.shape)
    return _sigmoid_run(a.reshape(-1), np.zeros(a.size, bool)).reshape(a.shape)


def _sigmoid_run(flat, vector):
    out = np.empty(flat.size, _F32)
    one = _F32(1)  # (1 + inf and 1 / inf raise no floating-point warnings)
    if vector.all():
        return one / (one + sleef_expf(_F32(0) - flat))
    if vector.any():
        out[vector] = one / (one + sleef_expf(_F32(0) - flat[vector]))
    scalar = ~vector
    out[scalar] = one / (one + libm_f32("expf", -flat[scalar]))
    return out
