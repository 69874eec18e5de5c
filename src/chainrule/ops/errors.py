"""Errors that several op families raise, worded as PyTorch words them."""

import numpy as np

from .. import dtypes
from ..tensor import Tensor


def broadcast_shapes_error(a_shape, b_shape):
    """PyTorch's message for shapes that do not broadcast."""
    for i in range(1, max(len(a_shape), len(b_shape)) + 1):
        sa = a_shape[-i] if i <= len(a_shape) else 1
        sb = b_shape[-i] if i <= len(b_shape) else 1
        if sa != sb and sa != 1 and sb != 1:
            dim = max(len(a_shape), len(b_shape)) - i
            return RuntimeError(
                f"The size of tensor a ({sa}) must match the size of tensor b ({sb}) at "
                f"non-singleton dimension {dim}"
            )
    return RuntimeError(f"shapes {list(a_shape)} and {list(b_shape)} do not broadcast")


def binary_forward(fn, a, b):
    """fn(a, b) on arrays, with PyTorch's error where their shapes do not broadcast."""
    try:
        return fn(a, b)
    except ValueError:
        raise broadcast_shapes_error(np.shape(a), np.shape(b)) from None


def check_int_division(a, b):
    """Integer division by zero is an error in PyTorch (NumPy would return 0)."""
    a_kind = a.dtype.kind if isinstance(a, np.ndarray) else "f" if isinstance(a, float) else "i"
    b_kind = b.dtype.kind if isinstance(b, np.ndarray) else "f" if isinstance(b, float) else "i"
    if a_kind in "iub" and b_kind in "iub" and not np.all(b):
        raise RuntimeError("ZeroDivisionError")


def check_sub_bool(input, other):
    """PyTorch refuses subtraction with a bool operand."""
    for x in (input, other):
        if type(x) is bool or (isinstance(x, Tensor) and x._data.dtype == np.bool_):
            raise RuntimeError(
                "Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
                "trying to invert a mask, use the `~` or `logical_not()` operator instead."
            )


def type_name(t):
    """A tensor's dtype as PyTorch's messages name it (Float, Long, ...)."""
    return dtypes.scalar_type_name(t.dtype)


def not_implemented(kernel, array):
    """PyTorch's error for a dtype its kernel ("abs_cpu", ...) has no loop for."""
    name = dtypes.scalar_type_name(dtypes.from_numpy_dtype(array.dtype))
    return NotImplementedError(f"\"{kernel}\" not implemented for '{name}'")
