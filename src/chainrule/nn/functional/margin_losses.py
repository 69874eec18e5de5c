"""Functional forms: the margin, ranking and embedding losses.

soft_margin_loss, multi_margin_loss and multilabel_margin_loss are primitives, as
in PyTorch (SoftMarginLossBackward0, MultiMarginLossBackward0,
MultilabelMarginLossBackward0): one node each, the reduction inside, the backward
in chainrule ops. The others are the composites PyTorch computes:
margin_ranking, hinge_embedding, cosine_embedding and triplet margin losses from
clamps, norms and wheres, multilabel_soft_margin_loss from logsigmoid.
"""

from __future__ import annotations

import numpy as np

from ... import dtypes
from ..._autocast import state as _autocast
from ...ops.autocast import to_float32
from ...ops.op import Op
from ...ops.pointwise import broadcast_shapes_error
from ...tensor import Tensor
from .activation import logsigmoid
from .distance import pairwise_distance
from .loss import _constant, _reduce, _reduce_array, _reduction, legacy_get_string

__all__ = [
    "cosine_embedding_loss",
    "hinge_embedding_loss",
    "margin_ranking_loss",
    "multi_margin_loss",
    "multilabel_margin_loss",
    "multilabel_soft_margin_loss",
    "soft_margin_loss",
    "triplet_margin_loss",
    "triplet_margin_with_distance_loss",
]

_wrap = Tensor._wrap


def _check_broadcast(input, target, target_first=False):
    """PyTorch's size error unless target broadcasts to input's shape (its message names the
    operands in the order of the op that meets the mismatch)."""
    a, b = tuple(input.shape), tuple(target.shape)
    try:
        ok = np.broadcast_shapes(a, b) == a
    except ValueError:
        ok = False
    if not ok:
        raise broadcast_shapes_error(b, a) if target_first else broadcast_shapes_error(a, b)


def _cast_error(input, target):
    for t in (input, target):
        if t._data.dtype.kind != "f":
            raise RuntimeError(
                "result type Float can't be cast to the desired output type "
                f"{dtypes.scalar_type_name(t.dtype)}"
            )


# -- soft margin ------------------------------------------------------------------------------
class SoftMarginLoss(Op):
    name = "SoftMarginLossBackward0"
    formula = "d log(1 + exp(-y*x))/dx = -y * z / (1 + z), z = exp(-y*x) (divided by n for mean)"

    @staticmethod
    def forward(ctx, x, *, target, reduction):
        try:
            z = -target * x
        except ValueError:
            raise broadcast_shapes_error(x.shape, target.shape) from None
        ctx.save_for_backward(x)
        ctx.target, ctx.reduction, ctx.numel = target, reduction, z.size
        with np.errstate(over="ignore"):
            loss = np.log1p(np.exp(z)).astype(x.dtype, copy=False)
        return _reduce_array(loss, reduction)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        y = _wrap(np.asarray(ctx.target, x._data.dtype))
        z = (-y * x).exp()
        g = -y * z / (1 + z)
        if ctx.reduction == "mean":
            grad = grad / ctx.numel
        return g * grad


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """log(1 + exp(-target * input)), reduced: two-class logistic loss, target in {-1, 1}."""
    if _autocast.dtype is not None:  # (autocast: in float32)
        input, target = to_float32(input, target)
    reduction = _reduction(reduction, size_average, reduce)
    _cast_error(input, target)
    y = _constant(target, "target", "soft_margin_loss")
    _check_broadcast(input, target)
    return SoftMarginLoss.apply(input, target=y, reduction=reduction)


# -- multi-class margin -----------------------------------------------------------------------
def _margin_terms(x, t, margin, p):
    """z = margin - x[target] + x, zeroed at the target and where not positive."""
    rows = np.arange(x.shape[0])
    z = margin - x[rows, t][:, None] + x
    z[rows, t] = 0
    active = z > 0
    return np.where(active, z if p == 1 else z * z, 0), active


class MultiMarginLoss(Op):
    name = "MultiMarginLossBackward0"
    formula = (
        "sum over j != y of w[y]*max(0, margin - x[y] + x[j])**p / C: dx[j] = w[y]*p*z**(p-1)/C "
        "where z > 0, dx[y] = minus their sum"
    )

    @staticmethod
    def forward(ctx, x, *, target, p, margin, weight, reduction):
        x2 = x if x.ndim == 2 else x.reshape(1, -1)
        t = target.reshape(-1).astype(np.intp)
        h, active = _margin_terms(x2, t, margin, p)
        if weight is not None:
            h = h * weight[t][:, None]
        loss = (h.sum(1) / x2.shape[1]).astype(x.dtype, copy=False)
        ctx.save_for_backward(x)
        ctx.settings = (t, p, margin, weight, reduction, active)
        if reduction == "none":
            return loss if x.ndim == 2 else loss.reshape(target.shape)
        return _reduce_array(loss, reduction)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        t, p, margin, weight, reduction, active = ctx.settings
        x2 = x if x.dim() == 2 else x.reshape(1, -1)
        n, c = x2.shape
        dtype = x._data.dtype
        rows = np.arange(n)
        onehot = np.zeros((n, c), dtype)
        onehot[rows, t] = 1
        mask = _wrap(active.astype(dtype))
        if p == 1:
            coef = mask
        else:
            picked = (x2 * _wrap(onehot)).sum(1, keepdim=True)
            coef = (margin - picked + x2) * 2 * mask
        scale = np.full((n, 1), 1.0 / c, dtype)
        if weight is not None:
            scale = scale * weight[t][:, None].astype(dtype)
        coef = coef * _wrap(scale)
        g = coef - _wrap(onehot) * coef.sum(1, keepdim=True)
        if reduction == "none":
            g = g * grad.reshape(n, 1)
        elif reduction == "mean":
            g = g * (grad / n)
        else:
            g = g * grad
        return g.reshape(tuple(x.shape))


def multi_margin_loss(
    input, target, p=1, margin=1.0, weight=None, size_average=None, reduce=None, reduction="mean"
):
    """Multi-class hinge loss: sum over classes j != target of max(0, margin - x[target] +
    x[j])**p, times weight[target], over the number of classes."""
    if _autocast.dtype is not None:  # (autocast: in float32)
        input, weight = to_float32(input, weight)
    reduction = _reduction(reduction, size_average, reduce)
    if p != 1 and p != 2:
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.dim() != 1:
        raise ValueError("weight must be one-dimensional")
    shape = tuple(input.shape)
    # a 0-dim input is one sample of one class
    if not (input.dim() <= 1 and input.numel() > 0 or input.dim() == 2 and shape[1] > 0):
        raise RuntimeError(
            "Expected non-empty vector or matrix with optional 0-dim batch size, but got: "
            f"{list(shape)}"
        )
    n = 1 if input.dim() <= 1 else shape[0]
    if target._data.dtype != np.int64:
        raise RuntimeError(
            f"expected scalar type Long but found {dtypes.scalar_type_name(target.dtype)}"
        )
    if target.dim() > 1 or target.numel() != n:
        raise RuntimeError(
            "multi_margin_loss: target tensor should be 1-D with size equal to the number of "
            f"input samples (batch size). Expected target size [{n}], but got "
            f"{list(target.shape)}. Input has shape {list(shape)}."
        )
    t = target._data
    c = shape[-1] if shape else 1
    if t.size and (t.min() < 0 or t.max() >= c):
        raise RuntimeError("target out of range")
    w = _constant(weight, "weight", "multi_margin_loss", input._data.dtype)
    return MultiMarginLoss.apply(
        input, target=t, p=p, margin=float(margin), weight=w, reduction=reduction
    )


# -- multi-label margin -----------------------------------------------------------------------
class MultilabelMarginLoss(Op):
    name = "MultilabelMarginLossBackward0"
    formula = (
        "sum over targets j and non-targets k of max(0, 1 - (x[j] - x[k])) / C: each active "
        "pair adds -1/C to dx[j] and +1/C to dx[k]"
    )

    @staticmethod
    def forward(ctx, x, *, counts, is_target, reduction):
        x2 = x if x.ndim == 2 else x.reshape(1, -1)
        c = x2.shape[1]
        z = 1 - x2[:, :, None] + x2[:, None, :]  # (N, j, k)
        pairs = counts[:, :, None] * (~is_target)[:, None, :]
        active = (z > 0) & (pairs > 0)
        loss = (np.where(active, z, 0) * pairs).sum((1, 2)) / c
        loss = loss.astype(x.dtype, copy=False)
        ctx.coef = ((active * pairs).sum(2) * -1 + (active * pairs).sum(1)).astype(x.dtype) / c
        ctx.shape, ctx.reduction = x.shape, reduction
        if reduction == "none":
            return loss if x.ndim == 2 else loss.reshape(())
        return _reduce_array(loss, reduction)

    @staticmethod
    def backward(ctx, grad):
        coef = _wrap(ctx.coef)
        n = coef.shape[0]
        if ctx.reduction == "none":
            g = coef * grad.reshape(n, 1)
        elif ctx.reduction == "mean":
            g = coef * (grad / n)
        else:
            g = coef * grad
        return g.reshape(ctx.shape)


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Multi-label hinge loss: target lists each sample's classes (ending at the first -1);
    every (target, non-target) pair adds max(0, 1 - (x[target] - x[other])) / C."""
    if _autocast.dtype is not None:  # (autocast: in float32)
        (input,) = to_float32(input)
    reduction = _reduction(reduction, size_average, reduce)
    shape = tuple(input.shape)
    # a 0-dim input is one sample of one class
    if not (input.dim() <= 1 and input.numel() > 0 or input.dim() == 2 and shape[1] > 0):
        raise RuntimeError(
            "Expected non-empty vector or matrix with optional 0-dim batch size, but got: "
            f"{list(shape)}"
        )
    c = shape[-1] if shape else 1
    # a vector's (or 0-dim input's) target is any tensor of at most one dim and as many entries
    consistent = (
        tuple(target.shape) == shape
        if input.dim() == 2
        else target.dim() <= 1 and target.numel() == c
    )
    if not consistent:
        raise RuntimeError(
            f"inconsistent target size: {list(target.shape)} for input of size: {list(shape)}"
        )
    if target._data.dtype != np.int64:
        raise RuntimeError(
            f"expected scalar type Long but found {dtypes.scalar_type_name(target.dtype)}"
        )
    t = target._data.reshape(-1, c)
    if t.size and (t.min() < -1 or t.max() >= c):
        raise RuntimeError("argument #2 'target' is out of range")
    # The targets of each row are its entries before the first -1 (repeats count again).
    ended = np.cumsum(t == -1, axis=1) > 0
    counts = np.zeros(t.shape, np.int64)
    rows = np.nonzero(~ended)
    np.add.at(counts, (rows[0], t[rows]), 1)
    return MultilabelMarginLoss.apply(
        input, counts=counts, is_target=counts > 0, reduction=reduction
    )


def multilabel_soft_margin_loss(
    input, target, weight=None, size_average=None, reduce=None, reduction="mean"
):
    """Per-class binary cross entropy on logits, averaged over the classes."""
    if size_average is not None or reduce is not None:
        reduction = legacy_get_string(size_average, reduce)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.dim() - 1
    loss = loss.sum(dim=class_dim) / input.shape[class_dim]
    if reduction == "none":
        return loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    raise ValueError(reduction + " is not valid")


# -- ranking and embedding losses (composites) ------------------------------------------------
def margin_ranking_loss(
    input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"
):
    """max(0, -target * (input1 - input2) + margin), reduced: target 1 wants input1 ranked
    higher, -1 input2."""
    if _autocast.dtype is not None:  # (autocast: in float32)
        input1, input2, target = to_float32(input1, input2, target)
    reduction = _reduction(reduction, size_average, reduce)
    if input1.dim() != input2.dim() or input1.dim() != target.dim():
        raise RuntimeError(
            "margin_ranking_loss : All input tensors should have same dimension but got sizes: "
            f"input1: {input1.size()}, input2: {input2.size()}, target: {target.size()} "
        )
    return _reduce((-target * (input1 - input2) + margin).clamp_min(0), reduction)


def hinge_embedding_loss(
    input, target, margin=1.0, size_average=None, reduce=None, reduction="mean"
):
    """input where target is 1, max(0, margin - input) where it is -1, reduced."""
    if _autocast.dtype is not None:  # (autocast: in float32)
        input, target = to_float32(input, target)
    from ...ops.creation import zeros_like
    from ...ops.pointwise import where

    reduction = _reduction(reduction, size_average, reduce)
    _check_broadcast(input, target, target_first=True)
    zeros = zeros_like(input)
    margin_clamp = (margin - input).clamp_min(0)
    output_margin = where(target != 1, margin_clamp, zeros)
    output_self = where(target != -1, input, zeros)
    return _reduce(output_margin + output_self, reduction)


_EPSILON = 1e-12


def cosine_embedding_loss(
    input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"
):
    """1 - cos(input1, input2) where target is 1, max(0, cos - margin) where it is -1."""
    if _autocast.dtype is not None:  # (autocast: in float32)
        input1, input2, target = to_float32(input1, input2, target)
    from ...ops.creation import zeros_like
    from ...ops.pointwise import where

    reduction = _reduction(reduction, size_average, reduce)
    dim = target.dim()
    if dim not in (0, 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    sizes = f"{list(input1.shape)} and {list(input2.shape)}"
    if dim == 1 and not (input1.dim() == 2 and input2.dim() == 2):
        raise RuntimeError(
            f"1D target tensor expects 2D input tensors, but found inputs with sizes {sizes}."
        )
    if dim == 0 and not (input1.dim() == 1 and input2.dim() == 1):
        raise RuntimeError(
            f"0D target tensor expects 1D input tensors, but found inputs with sizes {sizes}."
        )
    prod_sum = (input1 * input2).sum(dim)
    mag1 = (input1 * input1).sum(dim) + _EPSILON
    mag2 = (input2 * input2).sum(dim) + _EPSILON
    cos = prod_sum / (mag1 * mag2).sqrt()
    zeros = zeros_like(cos)
    pos = where(target == 1, 1 - cos, zeros)
    neg = where(target == -1, (cos - margin).clamp_min(0), zeros)
    return _reduce(pos + neg, reduction)


def _check_triplet_dims(anchor, positive, negative):
    a, p, n = anchor.dim(), positive.dim(), negative.dim()
    if not (a == p == n):
        raise RuntimeError(
            "The anchor, positive, and negative tensors are expected to have the same number of "
            f"dimensions, but got: anchor {a}D, positive {p}D, and negative {n}D inputs"
        )


def triplet_margin_loss(
    anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False, size_average=None,
    reduce=None, reduction="mean",
):  # fmt: skip
    """max(0, margin + d(anchor, positive) - d(anchor, negative)), d the p-norm distance
    (with swap: the negative's distance is the smaller of its two)."""
    if _autocast.dtype is not None:  # (autocast: in float32)
        anchor, positive, negative = to_float32(anchor, positive, negative)
    reduction = _reduction(reduction, size_average, reduce)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    _check_triplet_dims(anchor, positive, negative)
    dist_pos = pairwise_distance(anchor, positive, p, eps)
    dist_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        dist_neg = dist_neg.minimum(pairwise_distance(positive, negative, p, eps))
    return _reduce((margin + dist_pos - dist_neg).clamp_min(0), reduction)


def triplet_margin_with_distance_loss(
    anchor, positive, negative, *, distance_function=None, margin=1.0, swap=False,
    reduction="mean",
):  # fmt: skip
    """triplet_margin_loss with any distance function (pairwise_distance by default)."""
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    _check_triplet_dims(anchor, positive, negative)
    if distance_function is None:
        distance_function = pairwise_distance
    dist_pos = distance_function(anchor, positive)
    dist_neg = distance_function(anchor, negative)
    if swap:
        dist_neg = dist_neg.minimum(distance_function(positive, negative))
    return _reduce((margin + dist_pos - dist_neg).clamp_min(0), reduction)
