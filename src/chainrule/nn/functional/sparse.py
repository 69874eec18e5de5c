"""Functional forms: embedding lookups and one_hot.

`embedding` is one primitive: its forward reads rows of the weight, its
backward adds the gradient rows into a zero matrix at the same indices (an
accumulating IndexPut, whose own backward reads the rows again, so it is
differentiable twice), skipping padding_idx and dividing by each index's
count when scale_grad_by_freq is set.
"""

import numpy as np

import chainrule
from chainrule import dtypes
from chainrule.autograd.grad_mode import no_grad
from chainrule.ops.indexing import IndexPut, Key
from chainrule.ops.op import Op, apply
from chainrule.tensor import Tensor

__all__ = ["embedding", "one_hot"]

_wrap = Tensor._wrap
_INDEX_DTYPES = (np.dtype(np.int64), np.dtype(np.int32))
_TENSOR_TYPE_NAMES = {"bool": "CPUBoolType"}


class Embedding(Op):
    name = "EmbeddingBackward0"
    formula = "d(w[idx])/dw = the gradient rows added into zeros at idx (none at padding_idx)"

    @staticmethod
    def forward(ctx, weight, *, indices, padding_idx, scale_grad_by_freq):
        ctx.indices, ctx.num_weights = indices, weight.shape[0]
        ctx.padding_idx, ctx.scale_grad_by_freq = padding_idx, scale_grad_by_freq
        return np.take(weight, indices, axis=0)

    @staticmethod
    def backward(ctx, grad):
        flat = ctx.indices.reshape(-1)
        rows = grad.reshape(flat.shape[0], grad._data.shape[-1])
        if ctx.padding_idx >= 0 or ctx.scale_grad_by_freq:
            coef = np.ones(flat.shape[0], grad._data.dtype)
            if ctx.scale_grad_by_freq:
                coef /= np.bincount(flat, minlength=ctx.num_weights)[flat]
            if ctx.padding_idx >= 0:
                coef[flat == ctx.padding_idx] = 0
            rows = rows * _wrap(coef[:, None])
        key = Key(None, (flat,), "EmbeddingBackward0")
        kwargs = {"key": key, "accumulate": True, "shape": (ctx.num_weights, rows._data.shape[1])}
        return apply(IndexPut, (None, rows), kwargs, "EmbeddingDenseBackwardBackward0")


def _index_type_name(t):
    name = t._data.dtype.name
    if name in _TENSOR_TYPE_NAMES:
        return _TENSOR_TYPE_NAMES[name]
    return f"torch.{dtypes.scalar_type_name(t.dtype)}Tensor"


def _check_indices(input):
    if not isinstance(input, Tensor):
        raise TypeError(
            f"embedding(): argument 'indices' (position 2) must be Tensor, not "
            f"{type(input).__name__}"
        )
    if input._data.dtype not in _INDEX_DTYPES:
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar "
            f"types: Long, Int; but got {_index_type_name(input)} instead (while checking "
            "arguments for embedding)"
        )


def _renorm_(weight, indices, max_norm, norm_type):
    """Rescale, in place, the rows that indices reach whose norm exceeds max_norm."""
    rows = _wrap(np.unique(indices))
    with no_grad():
        picked = weight[rows]
        norms = picked.norm(norm_type, dim=1, keepdim=True)
        scale = chainrule.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
        weight[rows] = picked * scale


def embedding(
    input,
    weight,
    padding_idx=None,
    max_norm=None,
    norm_type=2.0,
    scale_grad_by_freq=False,
    sparse=False,
):
    if padding_idx is not None:
        n = weight.shape[0]
        if padding_idx > 0 and padding_idx >= n or padding_idx < -n:
            raise AssertionError("Padding_idx must be within num_embeddings")
        if padding_idx < 0:
            padding_idx = n + padding_idx
    else:
        padding_idx = -1
    _check_indices(input)
    if weight._data.ndim != 2:
        raise RuntimeError("'weight' must be 2-D")
    indices = input._data
    if indices.size and (indices.min() < 0 or indices.max() >= weight._data.shape[0]):
        raise IndexError("index out of range in self")
    if max_norm is not None:
        _renorm_(weight, indices, max_norm, norm_type)
    return apply(
        Embedding,
        (weight,),
        {
            "indices": indices.astype(np.intp, copy=False),
            "padding_idx": padding_idx,
            "scale_grad_by_freq": bool(scale_grad_by_freq),
        },
    )


def one_hot(tensor, num_classes=-1):
    if not isinstance(tensor, Tensor):
        raise TypeError(
            f"one_hot(): argument 'input' (position 1) must be Tensor, not {type(tensor).__name__}"
        )
    a = tensor._data
    if a.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if a.size == 0:
        if num_classes <= 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
    else:
        if a.min() < 0:
            raise RuntimeError("Class values must be non-negative.")
        if num_classes == -1:
            num_classes = int(a.max()) + 1
        elif a.max() >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    out = (a[..., None] == np.arange(num_classes)).astype(np.int64)
    return _wrap(out)
