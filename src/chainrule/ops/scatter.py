"""Writing values into places of a copy: index_copy, index_reduce, scatter_reduce, put,
select_scatter, slice_scatter and diagonal_scatter (with their in-place forms).

index_copy, put, select_scatter and slice_scatter are writes of a region (indexing's
IndexPut, whose derivative reads the region back). scatter_reduce (and index_reduce,
which is scatter_reduce with the index spread along the slices) is a primitive with
PyTorch's backward for each reduction, written in chainrule ops, so it differentiates
again.
"""

from __future__ import annotations

import warnings

import numpy as np

from .. import dtypes
from ..tensor import Tensor
from ._lazy import publish
from .dims import dim_index
from .indexing import IndexPut, Key, _index_dtype
from .inplace import inplace
from .op import Op, tensor_method
from .pointwise import where

__all__ = [
    "diagonal_scatter",
    "index_copy",
    "index_reduce",
    "put",
    "scatter_reduce",
    "select_scatter",
    "slice_scatter",
]

_wrap = Tensor._wrap
_FULL = slice(None)


def _type_name(array):
    return dtypes.scalar_type_name(dtypes.from_numpy_dtype(array.dtype))


# -- region writes (IndexPut with PyTorch's grad_fn names) ------------------------------------
class IndexCopy(IndexPut):
    name = "IndexCopyBackward0"


class Put(IndexPut):
    name = "PutBackward0"


class SelectScatter(IndexPut):
    name = "SelectScatterBackward0"


class SliceScatter(IndexPut):
    name = "SliceScatterBackward0"


def _same_dtype(input, other):
    return other if other._data.dtype == input._data.dtype else other.to(input.dtype)


@tensor_method("index_copy")
def index_copy(input, dim, index, source):
    """input with the slices along dim at `index` replaced by source's slices."""
    arr = index._data
    if arr.dtype != np.int64:
        raise RuntimeError(
            f"index_copy_(): Expected a long tensor for index, but got {_type_name(arr)}"
        )
    if arr.ndim > 1:
        raise IndexError("index_copy_(): Index should have dimension 1 or 0 (got 2)")
    arr = arr.reshape(-1)
    ndim = input._data.ndim
    if ndim == 0:
        return index_copy(input.reshape(1), 0, index, source.reshape(-1)).reshape(())
    d = dim_index(dim, ndim)
    size = input._data.shape[d]
    src_shape = source._data.shape if source._data.ndim else (1,)
    expected = input._data.shape[:d] + (arr.size,) + input._data.shape[d + 1 :]
    if tuple(src_shape) != expected:
        # PyTorch compares the slices (the shapes without dim) and names the first
        # place they differ.
        dst_slice = input._data.shape[:d] + input._data.shape[d + 1 :]
        src_slice = tuple(src_shape[:d]) + tuple(src_shape[d + 1 :])
        i = next((i for i, (a, b) in enumerate(zip(dst_slice, src_slice)) if a != b), 0)
        raise RuntimeError(
            "index_copy_(): Source/destination tensor must have same slice shapes. "
            f"Destination slice shape: {dst_slice[i] if dst_slice else 1} at dimension {i} "
            f"and source slice shape: {src_slice[i] if src_slice else 1} at dimension {i}."
        )
    if arr.size and (arr.max() >= size or arr.min() < -size):
        bad = arr[(arr >= size) | (arr < -size)][0]
        raise IndexError(
            f"index_copy_(): index {bad} is out of bounds for dimension {d} with size {size}"
        )
    key = Key(None, (_FULL,) * d + (arr,), "IndexSelectBackward0")
    return IndexCopy.apply(input, _same_dtype(input, source).reshape(expected), key=key)


@tensor_method("index_copy_")
def index_copy_(self, dim, index, source):
    return inplace(self, lambda t: index_copy(t, dim, index, source), (source,))


@tensor_method("put")
def put(input, index, source, accumulate=False):
    """input with the elements at flat positions `index` (as in input.flatten()) set to
    source's elements (or added, with accumulate)."""
    arr = index._data.reshape(-1).astype(np.int64)
    numel = input._data.size
    if source._data.size != arr.size:
        raise IndexError(
            "put_(): Expected source and index to have the same number of elements, but got "
            f"source.numel() = {source._data.size}, index.numel() = {arr.size}"
        )
    if arr.size and (arr.max() >= numel or arr.min() < -numel):
        bad = arr[(arr >= numel) | (arr < -numel)][0]
        raise IndexError(
            f"out of range: tried to access index {bad} on a tensor of {numel} elements."
        )
    if input._data.ndim == 0:
        return put(input.reshape(1), index, source, accumulate).reshape(())
    coords = np.unravel_index(np.mod(arr, max(numel, 1)), input._data.shape)
    key = Key(None, coords, "TakeBackward0")
    values = _same_dtype(input, source).reshape(-1)
    return Put.apply(input, values, key=key, accumulate=accumulate)


@tensor_method("put_")
def put_(self, index, source, accumulate=False):
    return inplace(self, lambda t: put(t, index, source, accumulate), (source,))


def _check_slice(input, src, region_shape):
    if tuple(src._data.shape) != tuple(region_shape):
        raise RuntimeError(
            "expected src to have a size equal to the slice of self. src size = "
            f"{list(src._data.shape)}, slice size = {list(region_shape)}"
        )


@tensor_method("select_scatter")
def select_scatter(input, src, dim, index):
    """input with its slice input.select(dim, index) replaced by src."""
    ndim = input._data.ndim
    d = dim_index(dim, max(ndim, 1))
    size = input._data.shape[d]
    if not -size <= index < size:
        raise IndexError(
            f"select(): index {index} out of range for tensor of size "
            f"{list(input._data.shape)} at dimension {dim}"
        )
    basic = (_FULL,) * d + (index, Ellipsis)
    _check_slice(input, src, input._data[basic].shape)
    return SelectScatter.apply(
        input, _same_dtype(input, src), key=Key(basic, None, "SelectBackward0")
    )


@tensor_method("slice_scatter")
def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    """input with its slice start:end:step along dim replaced by src."""
    d = dim_index(dim, max(input._data.ndim, 1))
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    basic = (_FULL,) * d + (slice(start, end, step), Ellipsis)
    _check_slice(input, src, input._data[basic].shape)
    return SliceScatter.apply(
        input, _same_dtype(input, src), key=Key(basic, None, "SliceBackward0")
    )


class DiagonalScatter(Op):
    name = "DiagonalScatterBackward0"
    formula = "d/da = the gradient with its diagonal zeroed, d/dsrc = the gradient's diagonal"

    @staticmethod
    def forward(ctx, a, src, *, offset, dim1, dim2):
        ctx.params = (offset, dim1, dim2)
        out = a.copy()
        view = np.moveaxis(out, (dim1, dim2), (-2, -1))
        n = src.shape[-1] if src.ndim else 0
        rows = np.arange(n) + max(-offset, 0)
        view[..., rows, rows + offset] = src
        return out

    @staticmethod
    def backward(ctx, grad):
        offset, dim1, dim2 = ctx.params
        needs = ctx.needs_input_grad
        diag = grad.diagonal(offset, dim1, dim2)
        ga = None
        if needs[0]:
            ga = DiagonalScatter.apply(
                grad, _wrap(np.zeros(diag._data.shape, grad._data.dtype)), **_params(ctx)
            )
        return ga, (diag if needs[1] else None)


def _params(ctx):
    offset, dim1, dim2 = ctx.params
    return {"offset": offset, "dim1": dim1, "dim2": dim2}


@tensor_method("diagonal_scatter")
def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    """input with its diagonal (as input.diagonal(offset, dim1, dim2) reads it) replaced
    by src."""
    ndim = input._data.ndim
    d1, d2 = dim_index(dim1, ndim), dim_index(dim2, ndim)
    _check_slice(input, src, np.diagonal(input._data, offset, d1, d2).shape)
    return DiagonalScatter.apply(input, _same_dtype(input, src), offset=offset, dim1=d1, dim2=d2)


# -- scatter_reduce, index_reduce ----------------------------------------------------------------
_REDUCTIONS = ("sum", "prod", "mean", "amax", "amin")


def _dim_key(index, dim):
    """The advanced key pairing each position of `index` with itself, except along dim,
    where the index's values are used (scatter's and gather's pattern)."""
    key = []
    for d in range(index.ndim):
        if d == dim:
            key.append(index)
        else:
            shape = [1] * index.ndim
            shape[d] = index.shape[d]
            key.append(np.arange(index.shape[d]).reshape(shape))
    return tuple(key)


def _identity(reduce, dtype):
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    if np.dtype(dtype).kind == "f":
        return -np.inf if reduce == "amax" else np.inf
    info = np.iinfo(dtype) if np.dtype(dtype).kind in "iu" else None
    if info is None:
        return reduce == "amin"
    return info.min if reduce == "amax" else info.max


_UFUNCS = {
    "sum": np.add,
    "mean": np.add,
    "prod": np.multiply,
    "amax": np.maximum,
    "amin": np.minimum,
}


def _scatter_reduce_array(a, dim, index, src, reduce, include_self):
    out = a.copy()
    key = _dim_key(index, dim)
    if not include_self:
        out[key] = _identity(reduce, a.dtype)
    _UFUNCS[reduce].at(out, key, src)
    if reduce == "mean":
        count = np.zeros(a.shape, np.int64)
        np.add.at(count, key, 1)
        if include_self:
            count += 1
        count = np.maximum(count, 1)
        if a.dtype.kind == "f":
            out = out / count.astype(a.dtype)
        else:
            out = np.floor_divide(out, count).astype(a.dtype)
    return out


class ScatterReduce(Op):
    name = "ScatterReduceBackward0"
    formula = (
        "sum: d/da = 1, d/dsrc = 1 (gathered); mean: 1/count; prod: the product of the "
        "others; amax/amin: 1/k at each of the k elements equal to the result"
    )

    @staticmethod
    def forward(ctx, a, src, *, dim, index, reduce, include_self):
        ctx.params = (dim, index, reduce, include_self)
        out = _scatter_reduce_array(a, dim, index, src, reduce, include_self)
        ctx.save_for_backward(a, src, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, src, result = ctx.saved_tensors
        dim, index, reduce, include_self = ctx.params
        needs = ctx.needs_input_grad
        idx = _wrap(index)
        if reduce == "sum":
            grad_self = grad
            grad_src = grad.gather(dim, idx)
        elif reduce == "mean":
            n = np.zeros(grad._data.shape, grad._data.dtype) + (1 if include_self else 0)
            np.add.at(n, _dim_key(index, dim), 1)
            n = _wrap(np.where(n == 0, 1, n).astype(grad._data.dtype))
            grad_self = grad / n
            grad_src = grad.gather(dim, idx) / n.gather(dim, idx)
        elif reduce == "prod":
            # Zeros handled apart, as in PyTorch: the product of the others is recomputed
            # with the zeros replaced by 1 where one zero is alone at its place.
            self_zero = (a == 0).detach()
            masked_self = where(self_zero, 1.0, a)
            masked_self_result = _apply_like(ctx, masked_self, src)
            grad_self = grad * masked_self_result / masked_self
            src_zero = (src == 0).detach()
            zeros_at = np.zeros(a._data.shape, grad._data.dtype)
            np.add.at(zeros_at, _dim_key(index, dim), src_zero._data)
            src_zero_count = zeros_at[_dim_key(index, dim)]
            single = _wrap(src_zero._data & (src_zero_count == 1))
            masked_src = where(single, 1.0, src)
            masked_src_result = _apply_like(ctx, a, masked_src)
            grad_src = where(
                single,
                (grad * masked_src_result).gather(dim, idx),
                (grad * result).gather(dim, idx) / where(src_zero, 1.0, src),
            )
        else:
            # amax/amin: the gradient shared evenly among the elements equal to the result.
            value = result.gather(dim, idx)
            self_is = (a == result).detach().to(grad.dtype)
            src_is = (src == value).detach().to(grad.dtype)
            count = self_is.scatter_add(dim, idx, src_is)
            shared = grad / count
            grad_self = self_is * shared
            grad_src = src_is * shared.gather(dim, idx)
        if not include_self:
            grad_self = grad_self.scatter(dim, idx, 0.0)
        return (grad_self if needs[0] else None), (grad_src if needs[1] else None)


def _apply_like(ctx, a, src):
    dim, index, reduce, include_self = ctx.params
    return type(ctx).op.apply(
        a, src, dim=dim, index=index, reduce=reduce, include_self=include_self
    )


class IndexReduce(ScatterReduce):
    name = "IndexReduceBackward0"


def _check_scatter_index(input, dim, index, src, what):
    arr = _index_dtype(index._data, "scatter")
    ndim = max(input._data.ndim, 1)
    if max(arr.ndim, 1) != ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    if src._data.dtype != input._data.dtype:
        raise RuntimeError(f"{what}(): Expected self.dtype to be equal to src.dtype")
    d = dim_index(dim, ndim)
    for i in range(ndim):
        s_in = input._data.shape[i] if input._data.ndim else 1
        s_idx = arr.shape[i] if arr.ndim else 1
        s_src = src._data.shape[i] if src._data.ndim else 1
        if i != d and s_idx > s_in:
            raise RuntimeError(
                f"Size does not match at dimension {i} expected index {list(arr.shape)} to be "
                f"no larger than self {list(input._data.shape)} apart from dimension {d}"
            )
        if s_idx > s_src:
            raise RuntimeError(
                f"Expected index {list(arr.shape)} to be no larger than src "
                f"{list(src._data.shape)} apart from dimension {d}"
            )
    size = input._data.shape[d] if input._data.ndim else 1
    if arr.size and (arr.max() >= size or arr.min() < -size):
        bad = arr[(arr >= size) | (arr < -size)].flat[0]
        raise RuntimeError(f"index {bad} is out of bounds for dimension {d} with size {size}")
    return d


def _scatter_reduce(op, input, dim, index, src, reduce, include_self, what):
    if reduce not in _REDUCTIONS:
        raise RuntimeError(
            f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}"
        )
    d = _check_scatter_index(input, dim, index, src, what)
    if input._data.ndim == 0:
        flat = _scatter_reduce(
            op, input.reshape(1), 0, index.reshape(1), src.reshape(-1), reduce, include_self, what
        )
        return flat.reshape(())
    arr = np.mod(index._data, input._data.shape[d])
    region = src if src._data.shape == arr.shape else src[tuple(slice(0, s) for s in arr.shape)]
    return op.apply(input, region, dim=d, index=arr, reduce=reduce, include_self=include_self)


@tensor_method("scatter_reduce")
def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    """input with each src element reduced (sum, prod, mean, amax, amin) into the place
    `index` names along dim (input's own value takes part unless include_self=False)."""
    return _scatter_reduce(
        ScatterReduce, input, dim, index, src, reduce, include_self, "scatter_reduce"
    )


@tensor_method("scatter_reduce_")
def scatter_reduce_(self, dim, index, src, reduce, *, include_self=True):
    return inplace(
        self,
        lambda t: scatter_reduce(t, dim, index, src, reduce, include_self=include_self),
        (src,),
    )


_INDEX_REDUCE_WARNED = []


@tensor_method("index_reduce")
def index_reduce(input, dim, index, source, reduce, *, include_self=True):
    """input with the slices of source reduced (prod, mean, amax, amin) into the slices
    along dim at `index`."""
    if not _INDEX_REDUCE_WARNED:
        _INDEX_REDUCE_WARNED.append(True)
        warnings.warn(
            "index_reduce() is in beta and the API may change at any time.",
            UserWarning,
            stacklevel=2,
        )
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError(
            "index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got "
            f"{reduce}."
        )
    arr = index._data.reshape(-1)
    if arr.dtype not in (np.int64, np.int32):
        raise RuntimeError("index_reduce_(): Expected dtype int32/int64 for index")
    ndim = input._data.ndim
    if ndim == 0:
        out = index_reduce(
            input.reshape(1), 0, index, source.reshape(-1), reduce, include_self=include_self
        )
        return out.reshape(())
    d = dim_index(dim, ndim)
    size = input._data.shape[d]
    if arr.size and (arr.max() >= size or arr.min() < -size):
        raise IndexError("index out of range in self")
    src = source if source._data.ndim else source.reshape(1)
    shape = [1] * src._data.ndim
    shape[d] = arr.size
    spread = np.broadcast_to(np.mod(arr, size).reshape(shape), src._data.shape).copy()
    return IndexReduce.apply(
        input,
        _same_dtype(input, src),
        dim=d,
        index=spread,
        reduce=reduce,
        include_self=include_self,
    )


@tensor_method("index_reduce_")
def index_reduce_(self, dim, index, source, reduce, *, include_self=True):
    return inplace(
        self,
        lambda t: index_reduce(t, dim, index, source, reduce, include_self=include_self),
        (source,),
    )


publish(__name__)  # NumPy's argument names, chainrule.<name>: _lazy.py
