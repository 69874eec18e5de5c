"""Type promotion for ops with two or more operands, as PyTorch does it.

Tensors of one dtype stay as they are; otherwise the result dtype comes from
dtypes.result_type, and tensor operands are cast to it. Python numbers are
"weak": they never widen a tensor's dtype (float32 + 0.1 stays float32), and
they are handed to NumPy as Python numbers of the result's kind, so NumPy does
not widen the computation either.
"""

import numbers

import numpy as np

from .. import dtypes
from ..tensor import Tensor

_wrap = Tensor._wrap


def operand(x):
    """Tensors and Python numbers pass through; arrays and NumPy scalars become tensors."""
    if isinstance(x, Tensor) or type(x) in (float, int, bool):
        return x
    if isinstance(x, np.ndarray):
        return _wrap(x)
    if isinstance(x, np.generic):
        return x.item() if x.ndim == 0 and x.dtype.kind in "fib" else _wrap(np.asarray(x))
    if isinstance(x, numbers.Number):
        return x
    raise TypeError(f"unsupported operand type: '{type(x).__name__}'")


def promote(a, b, float_result=False):
    """Cast tensor operands to PyTorch's result type; Python numbers stay weak.
    float_result: an integer result type becomes the default float dtype (true division)."""
    # The common cases first: same-dtype tensors, or a float tensor and a Python float.
    if a.__class__ is Tensor:
        kind = a._data.dtype.kind
        if b.__class__ is Tensor:
            if a._data.dtype is b._data.dtype and (kind == "f" or not float_result):
                return a, b
        elif (b.__class__ is float or b.__class__ is int) and kind == "f":
            return a, b
    return _promote(operand(a), operand(b), float_result)


def _promote(a, b, float_result):
    """promote() past its fast paths: find the result type, cast to it."""
    ta = isinstance(a, Tensor)
    tb = isinstance(b, Tensor)
    if ta and tb:
        # (compared as chainrule dtypes: NumPy finds bfloat16's array type equal to float32's)
        if a.dtype is b.dtype and (not float_result or a._data.dtype.kind == "f"):
            return a, b
        rt = dtypes.result_type((a.dtype, a._data.ndim), (b.dtype, b._data.ndim))
    elif ta:
        if _number_keeps_dtype(a, b, float_result):
            return a, b
        rt = dtypes.result_type((a.dtype, a._data.ndim), b)
    elif tb:
        if _number_keeps_dtype(b, a, float_result):
            return a, b
        rt = dtypes.result_type(a, (b.dtype, b._data.ndim))
    else:
        raise TypeError("at least one operand must be a Tensor")
    if float_result and not (rt.is_floating_point or rt.is_complex):
        rt = dtypes.get_default_dtype()
    if ta and a.dtype is not rt:
        a = a.to(rt)
    if tb and b.dtype is not rt:
        b = b.to(rt)
    # A weak Python number must not widen the computation in NumPy either.
    if not ta:
        a = weak_scalar(a, rt)
    if not tb:
        b = weak_scalar(b, rt)
    return a, b


def _number_keeps_dtype(t, number, float_result):
    """Whether tensor t with a Python number needs no promotion at all."""
    kind = t._data.dtype.kind
    return (kind == "f" and type(number) is not bool and type(number) is not complex) or (
        type(number) is int and kind in "iu" and not float_result
    )


def weak_scalar(x, rt):
    """A Python number as a Python number of result type rt's kind."""
    if rt.is_complex:
        return complex(x)
    if rt.is_floating_point:
        return float(x)
    if rt is dtypes.bool_:
        return bool(x)
    return int(x)


def scalar_pair(x, y):
    """Two Python numbers (where(cond, x, y)) as tensors of their joint (weak) type."""
    if isinstance(x, float) or isinstance(y, float):
        dt = dtypes.get_default_dtype().np
    elif type(x) is bool and type(y) is bool:
        dt = np.bool_
    else:
        dt = np.int64
    return _wrap(np.asarray(x, dtype=dt)), _wrap(np.asarray(y, dtype=dt))


def as_tensor_like(x, t):
    """x as a tensor: itself if it is one, else a 0-d tensor of t's dtype."""
    return x if isinstance(x, Tensor) else _wrap(np.asarray(x, dtype=t._data.dtype))
