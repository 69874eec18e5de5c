"""Sorting and counting: sort, argsort, topk, unique and bincount.

Orders are stable (equal values keep their index order) and NaN counts as larger than
every number, as in PyTorch's stable sort. PyTorch's default (unstable) sort and its
topk may order ties differently; their order for ties is unspecified there.
"""

import numpy as np

from .. import dtypes, return_types
from ..tensor import Tensor
from ._lazy import publish
from .creation import zeros
from .dims import dim_index
from .op import Op, tensor_method

__all__ = ["argsort", "bincount", "sort", "topk", "unique"]

_wrap = Tensor._wrap


def _order(a, dim, descending):
    """Indices that sort a along dim, stable; NaN last ascending and first descending."""
    if not descending:
        return np.argsort(a, axis=dim, kind="stable")
    # Sorting the reversed slice ascending and reading the result backwards gives the
    # descending order with ties still in index order (and NaN first).
    n = a.shape[dim]
    reversed_order = np.argsort(np.flip(a, dim), axis=dim, kind="stable")
    return (n - 1) - np.flip(reversed_order, dim)


class _Select(Op):
    """values = a's elements at indices along dim; the gradient goes back to those places."""

    @staticmethod
    def backward(ctx, grad, grad_indices=None):
        if ctx.dim is None:
            return grad
        base = zeros(ctx.shape, dtype=grad.dtype)
        return base.scatter(ctx.dim, _wrap(ctx.indices), grad)


class Sort(_Select):
    name = "SortBackward0"
    formula = "d(sort(a))/da = the gradient put back at each value's original index"

    @staticmethod
    def forward(ctx, a, *, dim, descending):
        if a.ndim == 0:
            ctx.dim = None
            return a.copy(), np.zeros((), np.int64)
        indices = _order(a, dim, descending)
        ctx.dim, ctx.shape, ctx.indices = dim, a.shape, indices
        return np.take_along_axis(a, indices, axis=dim), indices


class Topk(_Select):
    name = "TopkBackward0"
    formula = "d(topk(a, k))/da = the gradient at the k selected indices, else 0"

    @staticmethod
    def forward(ctx, a, *, k, dim, largest):
        if a.ndim == 0:
            ctx.dim = None
            return a.copy(), np.zeros((), np.int64)
        indices = np.take(_order(a, dim, largest), np.arange(k), axis=dim)
        ctx.dim, ctx.shape, ctx.indices = dim, a.shape, indices
        return np.take_along_axis(a, indices, axis=dim), indices


def _dim(dim, ndim):
    return dim_index(int(dim), ndim) if ndim else 0


@tensor_method("sort")
def sort(input, dim=-1, descending=False, stable=False):
    """(values, indices) of input sorted along dim; ties keep their index order."""
    values, indices = Sort.apply(
        input, dim=_dim(dim, input._data.ndim), descending=bool(descending)
    )
    return return_types.sort(values, indices)


@tensor_method("argsort")
def argsort(input, dim=-1, descending=False, stable=False):
    a = input._data
    if a.ndim == 0:
        return _wrap(np.zeros((), np.int64))
    return _wrap(_order(a, _dim(dim, a.ndim), bool(descending)))


@tensor_method("topk")
def topk(input, k, dim=-1, largest=True, sorted=True):
    """(values, indices) of the k largest (or smallest) along dim, largest first."""
    a = input._data
    d = _dim(dim, a.ndim)
    size = a.shape[d] if a.ndim else 1
    k = int(k)
    if not 0 <= k <= size:
        raise RuntimeError("selected index k out of range")
    values, indices = Topk.apply(input, k=k, dim=d, largest=bool(largest))
    return return_types.topk(values, indices)


@tensor_method("unique")
def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct values (or slices along dim), sorted; optionally inverse and counts.

    Not differentiable: the result never requires grad."""
    a = input._data
    if dim is not None:
        d = _dim(dim, a.ndim)
        values, inverse, counts = np.unique(a, return_inverse=True, return_counts=True, axis=d)
        inverse = inverse.reshape(-1)
    else:
        # Every NaN is a value of its own, as in PyTorch (NaN != NaN); sorted last.
        values, inverse, counts = np.unique(
            a, return_inverse=True, return_counts=True, equal_nan=False
        )
        inverse = inverse.reshape(a.shape)
    out = [_wrap(np.ascontiguousarray(values))]
    if return_inverse:
        out.append(_wrap(inverse.astype(np.int64, copy=False)))
    if return_counts:
        out.append(_wrap(counts.astype(np.int64, copy=False)))
    return out[0] if len(out) == 1 else tuple(out)


@tensor_method("bincount")
def bincount(input, weights=None, minlength=0):
    """How often each value 0..max occurs in a 1-d tensor of non-negative integers; with
    weights, the sum of the weights at each value's places. At least minlength bins.

    Not differentiable (PyTorch has no derivative for it either)."""
    if isinstance(minlength, bool) or not isinstance(minlength, (int, np.integer)):
        raise TypeError(
            f"bincount(): argument 'minlength' must be int, not {type(minlength).__name__}"
        )
    a = input._data
    if a.dtype.kind not in "iu":
        name = dtypes.scalar_type_name(input.dtype)
        raise NotImplementedError(f"\"bincount_cpu\" not implemented for '{name}'")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if a.ndim != 1 or (a.size and a.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if weights is None:
        return _wrap(np.bincount(a, minlength=minlength).astype(np.int64, copy=False))
    w = weights._data if isinstance(weights, Tensor) else np.asarray(weights)
    if w.ndim != 1 or w.shape[0] != a.shape[0]:
        raise RuntimeError("weights should be 1-d and have the same length as input")
    # float32 weights sum in float32, as PyTorch's do; any other weights give float64
    out_dtype = np.float32 if w.dtype == np.float32 else np.float64
    out = np.zeros(max(int(minlength), int(a.max()) + 1 if a.size else 0), out_dtype)
    np.add.at(out, a, w.astype(out_dtype, copy=False))
    return _wrap(out)


publish(__name__)  # NumPy's argument names, chainrule.<name>: _lazy.py
