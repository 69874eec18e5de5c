"""Reductions over dims (sum, mean, ...): each derivative expands the gradient back."""

from __future__ import annotations

import numpy as np

from .. import dtypes
from ..tensor import Tensor
from .dims import normalize_dims, shape_arg
from .op import Op, apply, tensor_method

__all__ = [
    "mean",
    "sum",
]


def _unsqueeze_to(grad, dims, ndim, keepdim):
    """Put back the reduced dims as size-1 dims so the gradient broadcasts to the input."""
    if keepdim or not dims:
        return grad
    shape = list(grad.shape)
    for d in dims:
        shape.insert(d, 1)
    return grad.reshape(shape)


class Sum(Op):
    name = "SumBackward1"
    formula = "d(sum(a))/da = 1 (the gradient is expanded back to a's shape)"

    @staticmethod
    def forward(ctx, a, *, dims, keepdim, dtype=None):
        ctx.shape = a.shape
        ctx.dims = dims
        ctx.keepdim = keepdim
        if dtype is None and a.dtype.kind in "biu":
            dtype = np.int64
        return np.sum(a, axis=dims, keepdims=keepdim, dtype=dtype)

    @staticmethod
    def backward(ctx, grad):
        grad = _unsqueeze_to(grad, ctx.dims, len(ctx.shape), ctx.keepdim)
        return grad.expand(ctx.shape)


class Mean(Op):
    name = "MeanBackward1"
    formula = "d(mean(a))/da = 1/n"

    @staticmethod
    def forward(ctx, a, *, dims, keepdim, dtype=None):
        if dtype is None and a.dtype.kind != "f":
            raise RuntimeError(
                "mean(): could not infer output dtype. Input dtype must be either a floating "
                f"point or complex dtype. Got: {dtypes.scalar_type_name(dtypes.from_numpy_dtype(a.dtype))}"
            )
        ctx.shape = a.shape
        ctx.dims = dims
        ctx.keepdim = keepdim
        n = 1
        for d in dims:
            n *= a.shape[d]
        ctx.count = n
        return np.mean(a, axis=dims, keepdims=keepdim, dtype=dtype)

    @staticmethod
    def backward(ctx, grad):
        grad = _unsqueeze_to(grad, ctx.dims, len(ctx.shape), ctx.keepdim)
        return grad.expand(ctx.shape) / ctx.count


def _reduce(op, input, dim, keepdim, dtype, full_name):
    dims = normalize_dims(dim, input._data.ndim)
    np_dtype = dtypes.to_dtype(dtype).np if dtype is not None else None
    name = full_name if dim is None else None
    return apply(op, (input,), {"dims": dims, "keepdim": keepdim, "dtype": np_dtype}, name=name)


@tensor_method("sum")
def sum(input, dim=None, keepdim=False, *, dtype=None):
    return _reduce(Sum, input, dim, keepdim, dtype, "SumBackward0")


@tensor_method("mean")
def mean(input, dim=None, keepdim=False, *, dtype=None):
    return _reduce(Mean, input, dim, keepdim, dtype, "MeanBackward0")


@tensor_method("sum_to_size")
def sum_to_size(input, *size):
    """Sum over the dims that broadcasting added or expanded, to get back `size`."""
    shape = shape_arg(size)
    own = input._data.shape
    lead = len(own) - len(shape)
    if lead < 0 or any(s != 1 and s != o for s, o in zip(shape, own[lead:])):
        raise RuntimeError(f"size {{{list(shape)}}} is not expandable to size {{{list(own)}}}.")
    dims = tuple(range(lead)) + tuple(
        lead + i for i, s in enumerate(shape) if s == 1 and own[lead + i] != 1
    )
    if not dims:
        return input
    out = sum(input, dims, keepdim=True)
    return out.reshape(shape) if lead else out


Tensor.sum_to_size = sum_to_size
