"""Joining and splitting: cat, stack, hstack/vstack/dstack, split, chunk, tensor_split.

Each joining op's derivative cuts the gradient back into the pieces that went
in (narrow or unbind); each splitting op's derivative joins the pieces'
gradients (cat). Pieces of a split are views of the input.
"""

import numpy as np

from .. import dtypes
from ..tensor import Tensor
from .dims import dim_index
from .op import Op, apply, tensor_method
from .shape import atleast_1d, atleast_2d, atleast_3d, narrow, unbind
from .writes import write_out

__all__ = [
    "cat",
    "chunk",
    "column_stack",
    "concat",
    "concatenate",
    "dsplit",
    "dstack",
    "hsplit",
    "hstack",
    "row_stack",
    "split",
    "stack",
    "tensor_split",
    "vsplit",
    "vstack",
]


def _tensor_list(tensors, what):
    if isinstance(tensors, Tensor):
        raise TypeError(
            f"{what}(): argument 'tensors' (position 1) must be tuple of Tensors, not Tensor"
        )
    tensors = list(tensors)
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(
                f"expected Tensor as element {i} in argument 0, but got {type(t).__name__}"
            )
    return tensors


def _common_dtype(tensors):
    """PyTorch's result type for cat/stack: every tensor takes part in promotion."""
    first = tensors[0]._data.dtype
    if all(t._data.dtype == first for t in tensors):
        return tensors
    rt = tensors[0].dtype
    for t in tensors[1:]:
        rt = dtypes.promote_types(rt, t.dtype)
    return [t if t._data.dtype == rt.np else t.to(rt) for t in tensors]


class Cat(Op):
    name = "CatBackward0"
    formula = "d(cat(a, b))/da = the gradient's slice where a went"

    @staticmethod
    def forward(ctx, *arrays, dim):
        # Legacy: 1-D empty tensors take no part when the others are not 1-D.
        skip = [a.shape == (0,) and a.ndim != arrays_ndim(arrays) for a in arrays]
        ctx.dim = dim
        # PyTorch's backward gives every 1-D empty input a fresh, empty zero gradient
        ctx.skip = [a.shape == (0,) for a in arrays]
        ctx.sizes = [0 if s else a.shape[dim] for a, s in zip(arrays, skip)]
        kept = [a for a, s in zip(arrays, skip) if not s]
        return np.concatenate(kept, dim)

    @staticmethod
    def backward(ctx, grad):
        dim = ctx.dim
        grads = []
        offset = 0
        for needed, size, skip in zip(ctx.needs_input_grad, ctx.sizes, ctx.skip):
            if not needed:
                grads.append(None)
            elif skip:
                grads.append(Tensor._wrap(np.zeros((0,), grad._data.dtype)))
            else:
                grads.append(narrow(grad, dim, offset, size))
            offset += size
        return tuple(grads)


def arrays_ndim(arrays):
    for a in arrays:
        if a.shape != (0,):
            return a.ndim
    return 1


def cat(tensors, dim=0, *, axis=None, out=None):
    if axis is not None:
        dim = axis
    tensors = _tensor_list(tensors, "cat")
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    # Legacy: 1-D empty tensors are skipped, whatever the others' shapes.
    real = [t for t in tensors if t._data.shape != (0,)]
    ref = real[0] if real else tensors[0]
    ndim = ref._data.ndim
    if ndim == 0:
        raise RuntimeError("zero-dimensional tensor (at position 0) cannot be concatenated")
    d = dim_index(dim, ndim)
    shape = ref._data.shape
    for i, t in enumerate(tensors):
        s = t._data.shape
        if s == (0,) and ndim != 1:
            continue
        if len(s) != ndim:
            if not s:
                raise RuntimeError(
                    f"zero-dimensional tensor (at position {i}) cannot be concatenated"
                )
            raise RuntimeError(
                f"Tensors must have same number of dimensions: got {ndim} and {len(s)}"
            )
        for j in range(ndim):
            if j != d and s[j] != shape[j]:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {d}. Expected size "
                    f"{shape[j]} but got size {s[j]} for tensor number {i} in the list."
                )
    tensors = _common_dtype(tensors)
    result = Cat.apply(*tensors, dim=d)
    if out is not None:
        return write_out(out, result)
    return result


concat = concatenate = cat


class Stack(Op):
    name = "StackBackward0"
    formula = "d(stack(a, b))/da = the gradient's slice at a's position"

    @staticmethod
    def forward(ctx, *arrays, dim):
        ctx.dim = dim
        return np.stack(arrays, dim)

    @staticmethod
    def backward(ctx, grad):
        pieces = unbind(grad, ctx.dim)
        return tuple(g if needed else None for needed, g in zip(ctx.needs_input_grad, pieces))


def stack(tensors, dim=0, *, out=None):
    tensors = _tensor_list(tensors, "stack")
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    shape = tensors[0]._data.shape
    for i, t in enumerate(tensors[1:], 1):
        if t._data.shape != shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(shape)} at entry 0 "
                f"and {list(t._data.shape)} at entry {i}"
            )
    d = dim_index(dim, len(shape) + 1)
    tensors = _common_dtype(tensors)
    result = Stack.apply(*tensors, dim=d)
    if out is not None:
        return write_out(out, result)
    return result


def hstack(tensors):
    tensors = atleast_1d(*_tensor_list(tensors, "hstack"))
    return cat(tensors, 0 if tensors[0]._data.ndim == 1 else 1)


def vstack(tensors):
    return cat(atleast_2d(*_tensor_list(tensors, "vstack")), 0)


row_stack = vstack


def dstack(tensors):
    return cat(atleast_3d(*_tensor_list(tensors, "dstack")), 2)


def column_stack(tensors):
    tensors = _tensor_list(tensors, "column_stack")
    cols = [t.reshape(-1, 1) if t._data.ndim <= 1 else t for t in tensors]
    return cat(cols, 1)


class Split(Op):
    name = "SplitBackward0"
    formula = "d(split(a))/da = cat of the pieces' gradients"
    is_view = True

    @staticmethod
    def forward(ctx, a, *, sizes, dim):
        ctx.dim = dim
        lead = (slice(None),) * dim
        out = []
        start = 0
        for s in sizes:
            out.append(a[lead + (slice(start, start + s),)])
            start += s
        return tuple(out)

    @staticmethod
    def backward(ctx, *grads):
        return cat(grads, ctx.dim)


def _split_sizes(size, split_size):
    if split_size == 0 and size != 0:
        raise RuntimeError(
            f"split_size can only be 0 if dimension size is 0, but got dimension size of {size}"
        )
    if split_size < 0:
        raise RuntimeError(
            f"split expects split_size be non-negative, but got split_size={split_size}"
        )
    if size == 0:
        return [0]
    n = -(-size // split_size)
    return [split_size] * (n - 1) + [size - split_size * (n - 1)]


@tensor_method("split")
def split(tensor, split_size_or_sections, dim=0):
    ndim = tensor._data.ndim
    if ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = dim_index(dim, ndim)
    size = tensor._data.shape[d]
    if isinstance(split_size_or_sections, (list, tuple)):
        sizes = [int(s) for s in split_size_or_sections]
        if sum(sizes) != size or any(s < 0 for s in sizes):
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {size} (input tensor's "
                f"size at dimension {d}), but got split_sizes={sizes}"
            )
        return apply(Split, (tensor,), {"sizes": sizes, "dim": d}, "SplitWithSizesBackward0")
    sizes = _split_sizes(size, int(split_size_or_sections))
    return Split.apply(tensor, sizes=sizes, dim=d)


@tensor_method("split_with_sizes")
def split_with_sizes(tensor, split_sizes, dim=0):
    return split(tensor, list(split_sizes), dim)


@tensor_method("chunk")
def chunk(input, chunks, dim=0):
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    ndim = input._data.ndim
    if ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    d = dim_index(dim, ndim)
    size = input._data.shape[d]
    split_size = -(-size // chunks)
    if split_size == 0 and size == 0:
        sizes = [0] * chunks
        return Split.apply(input, sizes=sizes, dim=d)
    return Split.apply(input, sizes=_split_sizes(size, split_size), dim=d)


@tensor_method("tensor_split")
def tensor_split(input, indices_or_sections, dim=0):
    ndim = input._data.ndim
    if ndim == 0:
        raise RuntimeError(
            "tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims"
        )
    d = dim_index(dim, ndim)
    size = input._data.shape[d]
    if isinstance(indices_or_sections, Tensor) and indices_or_sections._data.ndim == 0:
        indices_or_sections = int(indices_or_sections)
    if isinstance(indices_or_sections, int):
        n = indices_or_sections
        if n <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {n}")
        q, r = divmod(size, n)
        bounds, start = [], 0
        for i in range(n):
            stop = start + q + (1 if i < r else 0)
            bounds.append((start, stop))
            start = stop
    else:
        idx = [int(i) for i in indices_or_sections]
        starts = [0] + idx
        stops = idx + [size]
        bounds = []
        for a, b in zip(starts, stops):
            a = min(max(a + size if a < 0 else a, 0), size)
            b = min(max(b + size if b < 0 else b, 0), size)
            bounds.append((a, max(a, b)))
    return tuple(narrow(input, d, a, b - a) for a, b in bounds)


def _split_along(input, indices_or_sections, dim, what, min_dim):
    if input._data.ndim < min_dim:
        raise RuntimeError(
            f"torch.{what} requires a tensor with at least {min_dim} dimension, but got a tensor "
            f"with {input._data.ndim} dimensions!"
        )
    if isinstance(indices_or_sections, int) and input._data.shape[dim] % indices_or_sections:
        raise RuntimeError(
            f"torch.{what} attempted to split along dimension {dim}, but the size of the "
            f"dimension {input._data.shape[dim]} is not divisible by the split_size "
            f"{indices_or_sections}!"
        )
    return tensor_split(input, indices_or_sections, dim)


@tensor_method("hsplit")
def hsplit(input, indices_or_sections):
    dim = 0 if input._data.ndim == 1 else 1
    return _split_along(input, indices_or_sections, dim, "hsplit", 1)


@tensor_method("vsplit")
def vsplit(input, indices_or_sections):
    return _split_along(input, indices_or_sections, 0, "vsplit", 2)


@tensor_method("dsplit")
def dsplit(input, indices_or_sections):
    return _split_along(input, indices_or_sections, 2, "dsplit", 3)
