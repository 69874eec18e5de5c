"""Movement ops: reshape/view, squeeze/unsqueeze, transpose/permute, expand, cat/stack, ...

These rearrange elements without arithmetic; each derivative moves the
gradient back the opposite way. Outputs that share memory with their input
are views (Op.is_view): they share its version counter.
"""

from __future__ import annotations

import numpy as np

from ..tensor import Tensor
from .dims import dim_index, shape_arg
from .op import Op, apply, tensor_method

__all__ = [
    "expand",
    "permute",
    "reshape",
    "squeeze",
    "t",
    "transpose",
    "unbind",
    "unsqueeze",
]


def _infer_shape(shape, numel, own_shape):
    shape = list(shape)
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for s in shape:
        if s != -1:
            if s < 0:
                raise RuntimeError(f"invalid shape dimension {s}")
            known *= s
    if -1 in shape:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape[shape.index(-1)] = numel // known
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return tuple(shape)


class Reshape(Op):
    name = "ViewBackward0"
    formula = "d(reshape(a))/da = reshape back"
    is_view = True

    @staticmethod
    def forward(ctx, a, *, shape):
        ctx.shape = a.shape
        return a.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.shape)


@tensor_method("reshape")
def reshape(input, *shape):
    shape = _infer_shape(shape_arg(shape), input._data.size, input._data.shape)
    if shape == input._data.shape:
        return apply(Reshape, (input,), {"shape": shape}, name="ViewBackward0")
    name = "ViewBackward0" if input._data.flags.c_contiguous else "UnsafeViewBackward0"
    return apply(Reshape, (input,), {"shape": shape}, name=name)


@tensor_method("view")
def view(input, *shape):
    if len(shape) == 1 and not isinstance(shape[0], (int, tuple, list)) and not hasattr(
        shape[0], "__index__"
    ):
        from .conversion import to

        return to(input, shape[0])
    shape = _infer_shape(shape_arg(shape), input._data.size, input._data.shape)
    if not input._data.flags.c_contiguous and input._data.size > 1:
        try:
            a = input._data.view()
            a.shape = shape  # raises if it would need a copy
        except AttributeError:
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least one "
                "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
            ) from None
    return Reshape.apply(input, shape=shape)


@tensor_method("view_as")
def view_as(input, other):
    return view(input, other.shape)


@tensor_method("reshape_as")
def reshape_as(input, other):
    return reshape(input, other.shape)


class Expand(Op):
    name = "ExpandBackward0"
    formula = "d(expand(a))/da = sum over the expanded dims"
    is_view = True

    @staticmethod
    def forward(ctx, a, *, shape):
        ctx.shape = a.shape
        return np.broadcast_to(a, shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.sum_to_size(ctx.shape)


@tensor_method("expand")
def expand(input, *sizes):
    sizes = shape_arg(sizes)
    own = input._data.shape
    if len(sizes) < len(own):
        raise RuntimeError(
            f"expand(torch.FloatTensor{{{list(own)}}}, size=[{', '.join(map(str, sizes))}]): the "
            "number of sizes provided "
            f"({len(sizes)}) must be greater or equal to the number of dimensions in the tensor "
            f"({len(own)})"
        )
    lead = len(sizes) - len(own)
    shape = list(sizes)
    for i, s in enumerate(own):
        target = sizes[lead + i]
        if target == -1:
            shape[lead + i] = s
        elif s != 1 and s != target:
            raise RuntimeError(
                f"The expanded size of the tensor ({target}) must match the existing size ({s}) "
                f"at non-singleton dimension {lead + i}.  Target sizes: [{', '.join(map(str, sizes))}]."
                f"  Tensor sizes: [{', '.join(map(str, own))}]"
            )
    shape = tuple(shape)
    if shape == own:
        return apply(Expand, (input,), {"shape": shape})
    return Expand.apply(input, shape=shape)


@tensor_method("expand_as")
def expand_as(input, other):
    return expand(input, other.shape)


class Permute(Op):
    name = "PermuteBackward0"
    formula = "d(permute(a))/da = inverse permutation"
    is_view = True

    @staticmethod
    def forward(ctx, a, *, dims):
        ctx.dims = dims
        return np.transpose(a, dims)

    @staticmethod
    def backward(ctx, grad):
        return grad.permute(tuple(np.argsort(ctx.dims)))


@tensor_method("permute")
def permute(input, *dims):
    dims = shape_arg(dims)
    ndim = input._data.ndim
    if len(dims) != ndim:
        raise RuntimeError(
            "permute(sparse_coo): number of dimensions in the tensor input does not match the "
            f"length of the desired ordering of dimensions i.e. input.dim() = {ndim} is not equal "
            f"to len(dims) = {len(dims)}"
        )
    dims = tuple(dim_index(d, ndim) for d in dims)
    if len(set(dims)) != ndim:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return Permute.apply(input, dims=dims)


@tensor_method("transpose", "swapaxes", "swapdims")
def transpose(input, dim0, dim1):
    ndim = input._data.ndim
    if ndim == 0:
        return apply(Permute, (input,), {"dims": ()}, name="TransposeBackward0")
    d0, d1 = dim_index(dim0, ndim), dim_index(dim1, ndim)
    dims = list(range(ndim))
    dims[d0], dims[d1] = dims[d1], dims[d0]
    return apply(Permute, (input,), {"dims": tuple(dims)}, name="TransposeBackward0")


@tensor_method("t")
def t(input):
    ndim = input._data.ndim
    if ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {ndim}D")
    if ndim < 2:
        return apply(Permute, (input,), {"dims": tuple(range(ndim))}, name="TBackward0")
    return apply(Permute, (input,), {"dims": (1, 0)}, name="TBackward0")


def _T(self):
    ndim = self._data.ndim
    return apply(Permute, (self,), {"dims": tuple(range(ndim))[::-1]}, name="PermuteBackward0")


def _mT(self):
    if self._data.ndim < 2:
        raise RuntimeError("tensor.mT is only supported on matrices or batches of matrices. Got 1-D tensor.")
    return transpose(self, -2, -1)


Tensor.T = property(_T)
Tensor.mT = property(_mT)
Tensor.H = property(_T)
Tensor.mH = property(_mT)


@tensor_method("unsqueeze")
def unsqueeze(input, dim):
    ndim = input._data.ndim + 1
    d = dim_index(dim, ndim)
    shape = list(input._data.shape)
    shape.insert(d, 1)
    return apply(Reshape, (input,), {"shape": tuple(shape)}, name="UnsqueezeBackward0")


@tensor_method("squeeze")
def squeeze(input, dim=None):
    own = input._data.shape
    if dim is None:
        shape = tuple(s for s in own if s != 1)
        return apply(Reshape, (input,), {"shape": shape}, name="SqueezeBackward0")
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    ndim = max(len(own), 1)
    drop = {dim_index(d, ndim) for d in dims}
    shape = tuple(s for i, s in enumerate(own) if not (i in drop and s == 1))
    return apply(Reshape, (input,), {"shape": shape}, name="SqueezeBackward1")


class Unbind(Op):
    name = "UnbindBackward0"
    formula = "d(unbind(a))/da = stack of the gradients"
    is_view = True

    @staticmethod
    def forward(ctx, a, *, dim):
        ctx.dim = dim
        return tuple(np.take(a, i, axis=dim) if dim else a[i] for i in range(a.shape[dim]))

    @staticmethod
    def backward(ctx, *grads):
        from .joining import stack

        return stack(grads, ctx.dim)


@tensor_method("unbind")
def unbind(input, dim=0):
    return Unbind.apply(input, dim=dim_index(dim, input._data.ndim))
