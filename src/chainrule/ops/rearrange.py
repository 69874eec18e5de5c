"""Rearranging a tensor's elements: ravel, rot90, diag_embed/diagflat, block_diag, kron,
repeat_interleave, Tensor.unfold (sliding windows, a view) and msort.

diag_embed, block_diag and unfold are primitives: each backward reads the gradient back
out of the place forward put the input (unfold's is a scatter-add of the windows, whose
own backward is unfold again). The others are composites of reshape, flip, transpose,
expand, multiply and index_select, as in PyTorch.
"""

from __future__ import annotations

import numbers

import numpy as np

from .. import dtypes
from ..tensor import Tensor
from ._lazy import publish
from .dims import dim_index
from .op import Op, tensor_method

__all__ = [
    "block_diag",
    "diag_embed",
    "diagflat",
    "kron",
    "msort",
    "ravel",
    "repeat_interleave",
    "rot90",
]

_wrap = Tensor._wrap


@tensor_method("ravel")
def ravel(input):
    """The elements as a 1-D tensor (a view where the layout allows)."""
    return input.reshape(-1)


@tensor_method("rot90")
def rot90(input, k=1, dims=(0, 1)):
    """input rotated by 90 degrees k times in the plane of dims (from the first towards
    the second)."""
    dims = list(dims)
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    ndim = input._data.ndim
    if ndim < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {ndim}")
    d0, d1 = dim_index(dims[0], ndim), dim_index(dims[1], ndim)
    if d0 == d1:
        raise RuntimeError(
            f"expected rotation dims to be different, but got dim0 = {d0} and dim1 = {d1}"
        )
    k %= 4
    if k == 1:
        return input.flip(d1).transpose(d0, d1)
    if k == 2:
        return input.flip(d0, d1)
    if k == 3:
        return input.flip(d0).transpose(d0, d1)
    return input.clone()


def _diagonal_positions(n, offset):
    rows = np.arange(n) + max(-offset, 0)
    return rows, rows + offset


class DiagEmbed(Op):
    name = "DiagEmbedBackward0"
    formula = "d(diag_embed(a))/da = the gradient's diagonal"

    @staticmethod
    def forward(ctx, a, *, offset, dim1, dim2):
        ctx.params = (offset, dim1, dim2)
        n = a.shape[-1] if a.ndim else 1
        size = n + abs(offset)
        ndim = max(a.ndim, 1) + 1
        rest = iter(a.shape[:-1])
        shape = [size if d in (dim1, dim2) else next(rest) for d in range(ndim)]
        out = np.zeros(shape, a.dtype)
        view = np.moveaxis(out, (dim1, dim2), (-2, -1))
        rows, cols = _diagonal_positions(n, offset)
        view[..., rows, cols] = a
        return out

    @staticmethod
    def backward(ctx, grad):
        offset, dim1, dim2 = ctx.params
        return grad.diagonal(offset, dim1, dim2)


@tensor_method("diag_embed")
def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """Tensors whose diagonals (in dims dim1, dim2; offset above or below the main one)
    hold input's last dim, zeros elsewhere."""
    ndim = max(input._data.ndim, 1) + 1
    d1, d2 = dim_index(dim1, ndim), dim_index(dim2, ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return DiagEmbed.apply(input, offset=offset, dim1=d1, dim2=d2)


@tensor_method("diagflat")
def diagflat(input, offset=0):
    """A 2-D tensor with input's elements (flattened) on a diagonal."""
    return diag_embed(input.reshape(-1), offset)


class BlockDiag(Op):
    name = "BlockDiagBackward0"
    formula = "d(block_diag(a, b, ...))/da = the gradient's block where a was put"

    @staticmethod
    def forward(ctx, *blocks, dtype):
        shapes = [
            b.shape if b.ndim == 2 else (1, b.size) if b.ndim == 1 else (1, 1) for b in blocks
        ]
        ctx.layout = []
        out = np.zeros((sum(s[0] for s in shapes), sum(s[1] for s in shapes)), dtype)
        r = c = 0
        for b, (h, w) in zip(blocks, shapes):
            out[r : r + h, c : c + w] = b.reshape(h, w)
            ctx.layout.append((r, c, h, w, b.shape))
            r, c = r + h, c + w
        return out

    @staticmethod
    def backward(ctx, grad):
        needs = ctx.needs_input_grad
        out = []
        for need, (r, c, h, w, shape) in zip(needs, ctx.layout):
            out.append(grad[r : r + h, c : c + w].reshape(shape) if need else None)
        return tuple(out)


def block_diag(*tensors):
    """The tensors (2-D; 1-D count as a row, 0-d as 1 x 1) down the diagonal of one matrix."""
    for i, t in enumerate(tensors):
        if t._data.ndim > 2:
            raise RuntimeError(
                "torch.block_diag: Input tensors must have 2 or fewer dimensions. Input "
                f"{i} has {t._data.ndim} dimensions"
            )
    if not tensors:
        return _wrap(np.zeros((1, 0), dtypes.get_default_dtype().np))
    dtype = tensors[0].dtype
    for t in tensors[1:]:
        dtype = dtypes.promote_types(dtype, t.dtype)
    blocks = [t if t.dtype is dtype else t.to(dtype) for t in tensors]
    return BlockDiag.apply(*blocks, dtype=dtype.np)


@tensor_method("kron")
def kron(input, other):
    """The Kronecker product: every element of input times the whole of other."""
    a_shape, b_shape = input._data.shape, other._data.shape
    ndim = max(len(a_shape), len(b_shape))
    a_shape = (1,) * (ndim - len(a_shape)) + a_shape
    b_shape = (1,) * (ndim - len(b_shape)) + b_shape
    a = input.reshape([s for d in a_shape for s in (d, 1)])
    b = other.reshape([s for d in b_shape for s in (1, d)])
    return (a * b).reshape([x * y for x, y in zip(a_shape, b_shape)])


@tensor_method("repeat_interleave")
def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Each element (or slice along dim) repeated `repeats` times in place; with a tensor
    of counts alone, the indices 0, 1, ... each repeated its count."""
    if repeats is None:  # repeat_interleave(counts)
        counts = input._data
        if counts.ndim > 1:
            raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
        if counts.size and counts.min() < 0:
            raise RuntimeError("repeats can not be negative")
        return _wrap(np.repeat(np.arange(counts.size), counts.reshape(-1)).astype(np.int64))
    if dim is None:
        input = input.reshape(-1)
        d = 0
    else:
        d = dim_index(dim, max(input._data.ndim, 1))
    if isinstance(repeats, numbers.Integral) or (
        isinstance(repeats, Tensor) and repeats._data.size == 1
    ):
        r = int(repeats)
        if r < 0:
            raise RuntimeError("repeats can not be negative")
        if input._data.ndim == 0:
            return input.reshape(1).expand(r)
        shape = list(input._data.shape)
        expanded = input.unsqueeze(d + 1).expand(*shape[: d + 1], r, *shape[d + 1 :])
        return expanded.flatten(d, d + 1)
    counts = repeats._data.reshape(-1)
    size = input._data.shape[d] if input._data.ndim else 1
    if counts.size != size:
        raise RuntimeError(
            "repeats must have the same size as input along dim, but got repeats.size(0) = "
            f"{counts.size} and input.size({d}) = {size}"
        )
    if counts.size and counts.min() < 0:
        raise RuntimeError("repeats can not be negative")
    index = _wrap(np.repeat(np.arange(counts.size), counts).astype(np.int64))
    return input.index_select(d, index)


# -- sliding windows -------------------------------------------------------------------------
class Unfold(Op):
    name = "UnfoldBackward0"
    formula = "d(unfold(a))/da: each window's gradient added back where the window was read"
    is_view = True

    @staticmethod
    def forward(ctx, a, *, dim, size, step):
        ctx.params = (a.shape, dim, size, step)
        if a.ndim == 0:
            return a.reshape(1)
        count = (a.shape[dim] - size) // step + 1
        shape = a.shape[:dim] + (count,) + a.shape[dim + 1 :] + (size,)
        strides = (
            a.strides[:dim] + (a.strides[dim] * step,) + a.strides[dim + 1 :] + (a.strides[dim],)
        )
        return np.lib.stride_tricks.as_strided(a, shape, strides, writeable=a.flags.writeable)

    @staticmethod
    def backward(ctx, grad):
        shape, dim, size, step = ctx.params
        if not shape:
            return grad.reshape(())
        return UnfoldBackward.apply(grad, shape=shape, dim=dim, size=size, step=step)


class UnfoldBackward(Op):
    name = "UnfoldBackwardBackward0"
    formula = "d(fold the windows back)/d(windows) = the windows of the gradient (unfold)"

    @staticmethod
    def forward(ctx, grad, *, shape, dim, size, step):
        ctx.params = (dim, size, step)
        out = np.zeros(shape, grad.dtype)
        count = grad.shape[dim]
        moved = np.moveaxis(grad, (dim, grad.ndim - 1), (0, 1))  # (count, size, rest...)
        target = np.moveaxis(out, dim, 0)
        for j in range(size):
            np.add.at(target, np.arange(count) * step + j, moved[:, j])
        return out

    @staticmethod
    def backward(ctx, grad):
        dim, size, step = ctx.params
        return Unfold.apply(grad, dim=dim, size=size, step=step)


def _unfold(self, dimension, size, step):
    ndim = self._data.ndim
    d = dim_index(dimension, max(ndim, 1))
    length = self._data.shape[d] if ndim else 1
    if size > length:
        raise RuntimeError(
            f"maximum size for tensor at dimension {d} is {length} but size is {size}"
        )
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    return Unfold.apply(self, dim=d, size=size, step=step)


tensor_method("unfold")(_unfold)


def msort(input):
    """input sorted along its first dim."""
    return input.sort(0).values


tensor_method("msort")(msort)


publish(__name__)  # NumPy's argument names, chainrule.<name>: _lazy.py
