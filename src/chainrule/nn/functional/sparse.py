"""Functional forms: embedding lookups, embedding_bag and one_hot.

`embedding` is one primitive: its forward reads rows of the weight, its
backward adds the gradient rows into a zero matrix at the same indices (an
accumulating IndexPut, whose own backward reads the rows again, so it is
differentiable twice), skipping padding_idx and dividing by each index's
count when scale_grad_by_freq is set. `embedding_bag` is one primitive too
(EmbeddingBagBackward0): each bag's rows reduced by sum, mean or max in NumPy, and
the backward adding the bag's gradient back to each row (index_add) in chainrule
ops, with the per-sample weights' gradient as the row's dot product with it.
"""

import numpy as np

import chainrule
from chainrule import dtypes
from chainrule._allocation import allocating
from chainrule.autograd.grad_mode import no_grad
from chainrule.ops.indexing import IndexPut, Key
from chainrule.ops.op import Op, apply
from chainrule.tensor import Tensor

__all__ = ["embedding", "embedding_bag", "one_hot"]

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


@allocating  # builds its result in NumPy: a size too big raises OutOfMemoryError
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


# -- embedding_bag ---------------------------------------------------------------------------
class EmbeddingBagOp(Op):
    """Bags of weight rows reduced by sum (optionally weighted per sample), mean or max;
    operands: the weight and the per-sample weights (or None)."""

    name = "EmbeddingBagBackward0"
    formula = (
        "bag = sum/mean/max of w[idx]: dw[idx] += the bag's gradient (times the sample's "
        "weight, over the count, or at the max); d(sample weight) = g_bag . w[idx]"
    )

    @staticmethod
    def forward(ctx, weight, psw, *, indices, bags, n_bags, mode, scale_grad_by_freq):
        keep = bags >= 0  # padding_idx entries belong to no bag
        idx, bag = indices[keep], bags[keep]
        rows = weight[idx]
        if psw is not None:
            rows = rows * psw[keep][:, None]
        d = weight.shape[1]
        counts = np.bincount(bag, minlength=n_bags)
        if mode == "max":
            out = np.full((n_bags, d), -np.inf, weight.dtype)
            np.maximum.at(out, bag, rows)
            # The first row of each bag that holds the maximum, per dim.
            at = np.full((n_bags, d), len(idx), np.int64)
            hit = rows == out[bag]
            pos = np.broadcast_to(np.arange(len(idx))[:, None], rows.shape)
            np.minimum.at(at, bag, np.where(hit, pos, len(idx)))
            out[counts == 0] = 0
            ctx.argmax = at
        else:
            out = np.zeros((n_bags, d), weight.dtype)
            np.add.at(out, bag, rows)
            if mode == "mean":
                out /= np.maximum(counts, 1)[:, None].astype(weight.dtype)
        ctx.save_for_backward(weight, psw)
        ctx.kept = (idx, bag, counts, keep)
        ctx.settings = (mode, scale_grad_by_freq, weight.shape[0])
        return out

    @staticmethod
    def backward(ctx, grad):
        from ...ops.creation import zeros

        weight, psw = ctx.saved_tensors
        idx, bag, counts, keep = ctx.kept
        mode, by_freq, n_weights = ctx.settings
        needs = ctx.needs_input_grad
        dw = dpsw = None
        g_rows = grad.index_select(0, _wrap(bag))  # each sample's bag gradient
        if needs[0]:
            if mode == "max":
                d = grad._data.shape[1]
                hit = ctx.argmax[bag] == np.arange(len(idx))[:, None]
                coef = hit.astype(grad._data.dtype)
            elif mode == "mean":
                coef = (1.0 / np.maximum(counts, 1)[bag])[:, None].astype(grad._data.dtype)
            else:
                coef = None
            rows = g_rows if coef is None else g_rows * _wrap(coef)
            if psw is not None:
                rows = rows * psw.index_select(0, _wrap(np.nonzero(keep)[0])).unsqueeze(1)
            if by_freq:
                freq = np.bincount(idx, minlength=n_weights)[idx].astype(grad._data.dtype)
                rows = rows / _wrap(freq[:, None])
            d = grad._data.shape[1]
            dw = zeros((n_weights, d), dtype=grad.dtype).index_add(0, _wrap(idx), rows)
        if psw is not None and len(needs) > 1 and needs[1]:
            seen = (g_rows * weight.index_select(0, _wrap(idx))).sum(1)
            dpsw = zeros(tuple(psw.shape), dtype=psw.dtype).index_put(
                (_wrap(np.nonzero(keep)[0]),), seen
            )
        return dw, dpsw


def _check_bag_indices(input):
    if input._data.dtype not in _INDEX_DTYPES:
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar "
            f"types: Long, Int; but got {_index_type_name(input)} instead (while checking "
            "arguments for embedding_bag)"
        )


def embedding_bag(
    input,
    weight,
    offsets=None,
    max_norm=None,
    norm_type=2,
    scale_grad_by_freq=False,
    mode="mean",
    sparse=False,
    per_sample_weights=None,
    include_last_offset=False,
    padding_idx=None,
):
    """Sum, mean or max of the embedding rows of each bag of indices: the rows of a 2-D
    input, or the runs of a 1-D input that start at offsets."""
    if per_sample_weights is not None and input.shape != per_sample_weights.shape:
        raise ValueError(
            f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is not None, "
            f"then it must have the same shape as the input ({input.shape})"
        )
    if weight.dim() != 2:
        raise ValueError(
            f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.dim()}"
        )
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError(
                "if input is 2D, then offsets has to be None, as input is treated is a mini-batch "
                "of fixed length sequences. However, found offsets of type "
                f"{type(offsets)}".replace("chainrule", "torch")
            )
        n, length = input.shape
        starts = np.arange(0, n * length, length, dtype=np.int64) if length else np.zeros(n, int)
        include_last_offset = False
        input = input.reshape(-1)
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
    elif input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        starts = None
    else:
        raise ValueError(
            f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.dim()}"
        )
    if mode not in ("sum", "mean", "max"):
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == "max":
        if scale_grad_by_freq:
            raise ValueError("max mode does not support scaling the gradient by the frequency")
        if sparse:
            raise ValueError("max mode does not support sparse weights")
    _check_bag_indices(input)
    if starts is None:
        _check_bag_indices(offsets)
        starts = offsets._data.astype(np.int64)
    indices = input._data.astype(np.int64)
    n_weights = weight.shape[0]
    if max_norm is not None:
        _renorm_(weight, indices, max_norm, norm_type)
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(
            "embedding_bag: per_sample_weights was not None. per_sample_weights is only "
            f"supported for mode='sum' (got mode='{mode}'). Please open a feature request on "
            "GitHub."
        )
    if padding_idx is not None:
        if not -n_weights <= padding_idx < n_weights:
            raise RuntimeError(
                "padding_idx must be within the number of embeddings, "
                f"{-n_weights} through {n_weights - 1}, but got {padding_idx}"
            )
        padding_idx %= n_weights
    k = indices.shape[0]
    if len(starts) and starts[0] != 0:
        raise RuntimeError(
            "offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start "
            f"from position 0. However, got {starts[0]}\n[ torch.LongTensor{{}} ]"
        )
    if len(starts) and starts[-1] > k:
        raise RuntimeError(
            f"offsets[-1] can not be greater than input's length {k} but got offsets[-1] of "
            f"{starts[-1]}"
        )
    if len(starts) > 1 and (np.diff(starts) < 0).any():
        raise RuntimeError(
            "Expected i < index_size to be true, but got false.  (Could this error message be "
            "improved?  If so, please report an enhancement request to PyTorch.)"
        )
    bad = (indices < 0) | (indices >= n_weights)
    if bad.any():
        i = int(np.nonzero(bad)[0][0])
        raise RuntimeError(
            f"Index {i} of input takes value {indices[i]} which is not in the valid range "
            f"[0, {n_weights})"
        )
    n_bags = len(starts) - 1 if include_last_offset else len(starts)
    # Each index's bag; the last bag runs to the end of input (or to the last offset).
    bags = np.searchsorted(starts[: n_bags + 1] if include_last_offset else starts,
                           np.arange(k), side="right") - 1  # fmt: skip
    if include_last_offset and len(starts):
        bags[np.arange(k) >= starts[-1]] = -1
    if padding_idx is not None:
        bags[indices == padding_idx] = -1
    kwargs = {
        "indices": indices,
        "bags": bags.astype(np.int64),
        "n_bags": max(n_bags, 0),
        "mode": mode,
        "scale_grad_by_freq": bool(scale_grad_by_freq),
    }
    return EmbeddingBagOp.apply(weight, per_sample_weights, **kwargs)
