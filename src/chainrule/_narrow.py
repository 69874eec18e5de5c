"""bfloat16 and complex32: the two dtypes NumPy has no type for.

A bfloat16 tensor stores a float32 array and a complex32 tensor a complex64 array, each of
whose values is exactly representable in the narrow type; their NumPy dtype carries the
narrow type's name in its metadata (dtypes.bfloat16.np), which NumPy keeps through views,
copies and most element-wise arithmetic. Every write rounds: an op's result (ops/op.py
calls `round_result`), a new tensor (creation), a cast, an in-place op (at the version
bump, Tensor._bump_version) and an accumulated gradient. So arithmetic on them is
float32 arithmetic rounded once per op, which is how PyTorch computes bfloat16 on a CPU.

Rounding is to nearest, ties to even, as PyTorch rounds: bfloat16 keeps the top 16 bits
of a float32 (every NaN becomes the quiet NaN 0x7FC0, as in PyTorch); complex32 rounds
each part to float16 (NumPy's float16 conversion rounds to nearest even).
"""

from __future__ import annotations

import numpy as np

from . import dtypes

_BF16 = dtypes.bfloat16.np
_C32 = dtypes.complex32.np


def narrow_name(np_dtype):
    """'bfloat16', 'complex32', or None for a NumPy dtype."""
    meta = np_dtype.metadata
    return None if meta is None else meta.get("chainrule")


def bfloat16_bits(a):
    """The bfloat16 bit patterns (uint16) nearest to the float32 values of a."""
    a = np.array(a, dtype=np.float32, order="C")  # a copy: 0-d stays 0-d
    u = a.view(np.uint32)
    r = u + ((u >> 16) & np.uint32(1)) + np.uint32(0x7FFF)
    out = (r >> 16).astype(np.uint16)
    nan = np.isnan(a)
    if nan.any():
        out[nan] = 0x7FC0
    return out


def from_bfloat16_bits(bits):
    """float32 values (stored as bfloat16) of uint16 bit patterns: exact."""
    wide = np.array(bits, dtype=np.uint32)  # an array even when 0-d
    wide <<= 16
    return wide.view(np.float32).view(_BF16)


def to_bfloat16(a):
    """A new bfloat16-storing array holding a's values rounded (a: any real array)."""
    return from_bfloat16_bits(bfloat16_bits(np.asarray(a, dtype=np.float32)))


def to_complex32(a):
    """A new complex32-storing array holding a's values, each part rounded to float16."""
    c = np.array(a, dtype=np.complex64)  # a contiguous copy
    parts = c.reshape(-1).view(np.float32)  # (a view: 0-d arrays cannot change itemsize)
    parts[...] = parts.astype(np.float16)
    return c.view(_C32)


def to_narrow(a, name):
    return to_bfloat16(a) if name == "bfloat16" else to_complex32(a)


def cast(a, d):
    """a (an array) as dtype d: NumPy's astype, rounded for the narrow types; complex to
    real keeps the real part."""
    name = narrow_name(d.np)
    if a.dtype.kind == "c" and d.np.kind != "c":
        a = a.real
    if name is None:
        return a.astype(d.np)
    if name == "bfloat16" and a.dtype.kind == "c":
        a = a.real
    return to_narrow(a, name)


def round_in_place(a):
    """Round an array that stores a narrow type (after a write into it), in place."""
    name = narrow_name(a.dtype)
    if name is None or not a.size:
        return
    a[...] = to_narrow(a, name)


def round_result(out, name):
    """An op's result on inputs of the narrow type `name`: floating (or, for complex32,
    complex) results are rounded and marked; others (indices, masks) pass through."""
    if out.dtype.kind not in "fc":
        return out
    if name == "bfloat16" and out.dtype.kind == "c":
        return out
    if name == "complex32" and out.dtype.kind == "f":
        return out.astype(np.float16)
    return to_narrow(out, name)


def narrow_scalar(x, name):
    """A Python number as the nearest value of the narrow type (a Python number again)."""
    if name == "bfloat16":
        return float(to_bfloat16(np.float32(x.real if isinstance(x, complex) else x)))
    return complex(to_complex32(np.complex64(x)))
