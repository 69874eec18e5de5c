"""Views by explicit geometry, and copies of views: as_strided (a view of the tensor's
memory whose writes show through, as PyTorch's do), as_strided_, as_strided_scatter,
narrow_copy and the `*_copy` forms of the view ops (alias_copy, expand_copy, ...).

A tensor's memory here is the NumPy array that owns it (its "storage"); storage offsets
and strides count elements of that array, as PyTorch's count elements of its storage.
"""

from __future__ import annotations

import numpy as np

from ..tensor import Tensor
from ._lazy import publish
from .inplace import check_inplace_allowed
from .op import Op, tensor_method

__all__ = [
    "alias_copy",
    "as_strided",
    "as_strided_copy",
    "as_strided_scatter",
    "detach_copy",
    "diagonal_copy",
    "expand_copy",
    "narrow_copy",
    "permute_copy",
    "select_copy",
    "slice_copy",
    "split_copy",
    "split_with_sizes_copy",
    "squeeze_copy",
    "t_copy",
    "transpose_copy",
    "unbind_copy",
    "unfold_copy",
    "unsqueeze_copy",
    "view_copy",
]

_wrap = Tensor._wrap


def storage_of(a):
    """The array that owns a's memory, as a flat array, and a's offset in it (elements)."""
    root = a
    while isinstance(root.base, np.ndarray):
        root = root.base
    if not root.flags.c_contiguous and not root.flags.f_contiguous:
        return None, 0
    flat = root.reshape(-1, order="A")
    start = flat.__array_interface__["data"][0]
    offset_bytes = a.__array_interface__["data"][0] - start
    return flat, offset_bytes // a.itemsize


def element_positions(shape, strides, offset):
    """The storage position of every element of a view with this geometry."""
    pos = np.full(shape, offset, dtype=np.int64)
    for d, (n, s) in enumerate(zip(shape, strides)):
        axis = [1] * len(shape)
        axis[d] = n
        pos = pos + (np.arange(n, dtype=np.int64) * s).reshape(axis)
    return pos


def _check_geometry(size, stride, offset, storage_size, itemsize):
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    if any(s < 0 for s in stride):
        raise RuntimeError(
            "as_strided: Negative strides are not supported at the moment, got strides: "
            f"{list(stride)}"
        )
    if offset < 0:
        raise RuntimeError(f"Tensor: invalid storage offset {offset}")
    if any(n < 0 for n in size):
        raise RuntimeError(f"Trying to create tensor with negative dimension: {list(size)}")
    needed = 0 if 0 in size else offset + 1 + sum((n - 1) * s for n, s in zip(size, stride))
    if needed > storage_size:
        raise RuntimeError(
            f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset {offset}, "
            f"and itemsize {itemsize} requiring a storage size of {needed * itemsize} are out "
            f"of bounds for storage of size {storage_size * itemsize}"
        )
    return size, stride


class AsStrided(Op):
    name = "AsStridedBackward0"
    formula = "d(as_strided(a))/da: each output's gradient added to the element it reads"
    is_view = True

    @staticmethod
    def forward(ctx, a, *, size, stride, offset):
        storage, own_offset = storage_of(a)
        if storage is None:  # memory a NumPy view cannot re-slice: work on a copy
            storage, own_offset = np.ascontiguousarray(a).reshape(-1), 0
        if offset is None:
            offset = own_offset
        size, stride = _check_geometry(size, stride, offset, storage.size, a.itemsize)
        view = np.lib.stride_tricks.as_strided(
            storage[offset:] if storage.size > offset else storage[:0],
            size,
            tuple(s * a.itemsize for s in stride),
            writeable=storage.flags.writeable,
        )
        if ctx is not None and hasattr(ctx, "save_for_backward"):
            # Which input element (flat) each output element reads, where it reads one.
            in_strides = tuple(s // a.itemsize for s in a.strides)
            in_pos = element_positions(a.shape, in_strides, own_offset).reshape(-1)
            out_pos = element_positions(size, stride, offset).reshape(-1)
            order = np.argsort(in_pos, kind="stable")
            found = np.searchsorted(in_pos[order], out_pos)
            found = np.minimum(found, max(in_pos.size - 1, 0))
            hit = in_pos.size > 0 and in_pos[order][found] == out_pos
            hit = np.asarray(hit, dtype=bool) & np.ones(out_pos.shape, bool)
            ctx.mapping = (np.flatnonzero(hit), order[found[hit]] if in_pos.size else found[:0])
            ctx.in_shape = a.shape
        return view

    @staticmethod
    def backward(ctx, grad):
        out_index, in_index = ctx.mapping
        shape = ctx.in_shape
        values = grad.reshape(-1)[_wrap(out_index)]
        zeros = _wrap(np.zeros(int(np.prod(shape)), grad._data.dtype))
        return zeros.index_add(0, _wrap(in_index), values).reshape(shape)


@tensor_method("as_strided")
def as_strided(input, size, stride, storage_offset=None):
    """A view of input's memory with the given sizes and strides (in elements), starting
    storage_offset elements into it (where input starts, by default)."""
    return AsStrided.apply(input, size=tuple(size), stride=tuple(stride), offset=storage_offset)


@tensor_method("as_strided_")
def as_strided_(self, size, stride, storage_offset=None):
    """self changed in place to the view as_strided gives."""
    if self._requires_grad:
        check_inplace_allowed(self)
    view = as_strided(self, size, stride, storage_offset)
    self._data = view._data
    if view.grad_fn is not None:
        self.grad_fn = view.grad_fn
        self._output_nr = 0
    self._bump_version()
    return self


def as_strided_copy(input, size, stride, storage_offset=None):
    """as_strided, as a new tensor."""
    return as_strided(input, size, stride, storage_offset).clone()


class AsStridedScatter(Op):
    name = "AsStridedScatterBackward0"
    formula = "d/da = the gradient with the viewed elements zeroed, d/dsrc = their gradient"

    @staticmethod
    def forward(ctx, a, src, *, size, stride, offset):
        out = np.array(a, order="C", copy=True)
        flat = out.reshape(-1)
        size, stride = _check_geometry(size, stride, offset, flat.size, a.itemsize)
        if tuple(src.shape) != size:
            raise RuntimeError(
                "expected src to have a size equal to the slice of self. src size = "
                f"{list(src.shape)}, slice size = {list(size)}"
            )
        positions = element_positions(size, stride, offset)
        flat[positions] = src
        ctx.positions = positions
        ctx.shape = a.shape
        return out

    @staticmethod
    def backward(ctx, grad):
        needs = ctx.needs_input_grad
        positions = _wrap(ctx.positions)
        flat = grad.reshape(-1)
        ga = gs = None
        if needs[0]:
            keep = np.ones(flat._data.shape, grad._data.dtype)
            keep[ctx.positions.reshape(-1)] = 0
            ga = (flat * _wrap(keep)).reshape(ctx.shape)
        if needs[1]:
            gs = flat[positions]
        return ga, gs


def as_strided_scatter(input, src, size, stride, storage_offset=None):
    """A copy of input (contiguous) with src written into its as_strided view."""
    if src._data.dtype != input._data.dtype:
        src = src.to(input.dtype)
    offset = 0 if storage_offset is None else storage_offset
    return AsStridedScatter.apply(input, src, size=tuple(size), stride=tuple(stride), offset=offset)


tensor_method("as_strided_scatter")(as_strided_scatter)


# -- the *_copy forms: the view op, then a copy -----------------------------------------------
def _copy(fn, name):
    def copied(input, *args, **kwargs):
        out = fn(input, *args, **kwargs)
        if isinstance(out, (tuple, list)):
            return type(out)(o.clone() for o in out)
        return out.clone()

    copied.__name__ = name
    copied.__doc__ = f"{name[:-5]}, as new tensors that share no memory with input."
    return copied


def _view_or_cast(input, *shape_or_dtype):
    return input.view(*shape_or_dtype)


narrow_copy = _copy(lambda t, dim, start, length: t.narrow(dim, start, length), "narrow_copy")
alias_copy = _copy(lambda t: t.view_as(t), "alias_copy")
detach_copy = _copy(lambda t: t.detach(), "detach_copy")
diagonal_copy = _copy(
    lambda t, offset=0, dim1=0, dim2=1: t.diagonal(offset, dim1, dim2), "diagonal_copy"
)
expand_copy = _copy(lambda t, size, *, implicit=False: t.expand(*size), "expand_copy")
permute_copy = _copy(lambda t, dims: t.permute(*dims), "permute_copy")
select_copy = _copy(lambda t, dim, index: t.select(dim, index), "select_copy")
split_copy = _copy(lambda t, split_size, dim=0: t.split(split_size, dim), "split_copy")
split_with_sizes_copy = _copy(
    lambda t, split_sizes, dim=0: t.split(list(split_sizes), dim), "split_with_sizes_copy"
)
squeeze_copy = _copy(lambda t, dim=None: t.squeeze(dim), "squeeze_copy")
t_copy = _copy(lambda t: t.t(), "t_copy")
transpose_copy = _copy(lambda t, dim0, dim1: t.transpose(dim0, dim1), "transpose_copy")
unbind_copy = _copy(lambda t, dim=0: t.unbind(dim), "unbind_copy")
unfold_copy = _copy(lambda t, dimension, size, step: t.unfold(dimension, size, step), "unfold_copy")
unsqueeze_copy = _copy(lambda t, dim: t.unsqueeze(dim), "unsqueeze_copy")
view_copy = _copy(_view_or_cast, "view_copy")


def slice_copy(input, dim=0, start=None, end=None, step=1):
    """input's slice start:end:step along dim, as a new tensor."""
    from .dims import dim_index

    d = dim_index(dim, max(input._data.ndim, 1))
    return input[(slice(None),) * d + (slice(start, end, step),)].clone()


tensor_method("narrow_copy")(narrow_copy)


publish(__name__)  # NumPy's argument names, chainrule.<name>: _lazy.py
