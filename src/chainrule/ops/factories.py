"""Creation with an explicit layout: scalar_tensor, empty_strided, empty_permuted and
Tensor.new_empty_strided. "Empty" tensors are zero-filled, as chainrule's empty is."""

from __future__ import annotations

import numpy as np

from .. import dtypes
from ..tensor import Tensor
from .op import tensor_method

__all__ = ["empty_permuted", "empty_strided", "scalar_tensor"]

_wrap = Tensor._wrap


def _finish(array, requires_grad):
    t = _wrap(array)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _dtype(dtype):
    return (dtypes.to_dtype(dtype) if dtype is not None else dtypes.get_default_dtype()).np


def scalar_tensor(
    s, *, dtype=None, layout=None, device=None, pin_memory=False, requires_grad=False
):
    """A 0-d tensor holding s, in the default float dtype unless dtype says otherwise."""
    value = s.item() if isinstance(s, Tensor) else s
    return _finish(np.asarray(value, dtype=_dtype(dtype)), requires_grad)


def empty_strided(
    size, stride, *, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False
):
    """A tensor with the given sizes and strides (in elements) over fresh memory."""
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError(
            f"dimensionality of sizes ({len(size)}) must match dimensionality of strides "
            f"({len(stride)})"
        )
    if any(n < 0 for n in size):
        raise RuntimeError(f"Trying to create tensor with negative dimension: {list(size)}")
    np_dtype = np.dtype(_dtype(dtype))
    needed = 0 if 0 in size else 1 + sum((n - 1) * s for n, s in zip(size, stride))
    storage = np.zeros(needed, np_dtype)
    strides = tuple(s * np_dtype.itemsize for s in stride)
    array = np.lib.stride_tricks.as_strided(storage, size, strides)
    return _finish(array, requires_grad)


def empty_permuted(
    size,
    physical_layout,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
):
    """A tensor of shape `size` whose memory holds its dims in the order physical_layout
    (outermost first): empty_permuted((2, 3, 4), (0, 2, 1)) is channels-last-like."""
    size, order = tuple(int(s) for s in size), tuple(int(d) for d in physical_layout)
    if len(order) != len(size):
        raise RuntimeError(
            "Number of dimensions in size does not match the length of the physical_layout; "
            f"i.e. len(size) = {len(size)} is not equal to len(physical_layout) = {len(order)}"
        )
    if sorted(order) != list(range(len(size))):
        raise RuntimeError("Duplicate dim not allowed")
    physical = np.zeros([size[d] for d in order], _dtype(dtype))
    return _finish(np.transpose(physical, np.argsort(order)), requires_grad)


@tensor_method("new_empty_strided")
def new_empty_strided(
    self,
    size,
    stride,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
):
    """empty_strided with this tensor's dtype (unless dtype says otherwise)."""
    return empty_strided(
        size, stride, dtype=self.dtype if dtype is None else dtype, requires_grad=requires_grad
    )
