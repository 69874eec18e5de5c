"""Functional forms: cosine_similarity and pairwise_distance (composites, as in PyTorch);
pdist, cdist and dist (one Op each: PdistBackward0, CdistBackward0, DistBackward0).

The p-norm's derivative along a difference d with norm n is the same in all three
Ops: 0 for p = 0, sign(d) for p = 1, d / n for p = 2, sign(d) |d|^(p-1) / n^(p-1)
otherwise, and for p = inf sign(d) where |d| is the maximum; 0 wherever n is 0. It is
written in chainrule ops on the differences (recomputed from the inputs), so each
Op differentiates again.
"""

from __future__ import annotations

import math

import numpy as np

from ... import dtypes
from ...autograd.grad_mode import no_grad
from ...ops.op import Op
from ...ops.pointwise import broadcast_shapes_error
from ...ops.reduction import VectorNorm
from ...tensor import Tensor

__all__ = ["cdist", "cosine_similarity", "dist", "pairwise_distance", "pdist"]

_wrap = Tensor._wrap


def _norm_array(d, p, axis):
    """The p-norm of d along axis (all of d with axis None), in d's dtype."""
    a = np.abs(d)
    if p == 0:
        out = (a != 0).sum(axis)
    elif p == 1:
        out = a.sum(axis)
    elif p == 2:
        out = np.sqrt((d * d).sum(axis))
    elif math.isinf(p):
        out = a.max(axis) if a.size else np.zeros(() if axis is None else a.shape[:axis])
    else:
        out = (a**p).sum(axis) ** (1.0 / p)
    return np.asarray(out, d.dtype)


def _norm_slope(d, n, p):
    """d||d||_p / dd as a chainrule tensor, d the differences, n their norms (broadcast)."""
    from ...ops.pointwise import where

    zero = n._data == 0
    if p == 0:
        return d * 0
    if p == 1:
        return d.sign()
    if math.isinf(p):
        return d.sign() * (d.abs() == n).to(d.dtype)
    safe = n.masked_fill(_wrap(zero), 1.0) if zero.any() else n
    if p == 2:
        slope = d / safe
    elif p < 1:
        slope = d.sign() * d.abs().pow(p - 1) / safe.pow(p - 1)
        slope = where(d == 0, 0.0, slope)
    else:
        slope = d * d.abs().pow(p - 2) / safe.pow(p - 1)
    return (
        slope.masked_fill(_wrap(np.broadcast_to(zero, slope.shape)), 0.0) if zero.any() else slope
    )


class Dist(Op):
    name = "DistBackward0"
    formula = "d||a - b||_p/da = the p-norm's slope at a - b, d/db = minus that"

    @staticmethod
    def forward(ctx, a, b, *, p):
        ctx.save_for_backward(a, b)
        ctx.p = p
        return _norm_array(a - b, p, None)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        d = a - b
        g = _norm_slope(d, d.norm(ctx.p), ctx.p) * grad
        return g, -g


class Pdist(Op):
    name = "PdistBackward0"
    formula = "d||x_i - x_j||_p/dx_i = the p-norm's slope at x_i - x_j; d/dx_j = minus that"

    @staticmethod
    def forward(ctx, x, *, p):
        i, j = np.triu_indices(x.shape[0], 1)
        ctx.save_for_backward(x)
        ctx.p, ctx.pairs = p, (i, j)
        return _norm_array(x[i] - x[j], p, 1)

    @staticmethod
    def backward(ctx, grad):
        from ...ops.creation import zeros_like

        (x,) = ctx.saved_tensors
        i, j = (_wrap(k) for k in ctx.pairs)
        d = x.index_select(0, i) - x.index_select(0, j)
        if d.numel() == 0:  # fewer than two rows, or rows of no columns: no gradient
            return zeros_like(x)
        n = d.norm(ctx.p, dim=1, keepdim=True)
        g = _norm_slope(d, n, ctx.p) * grad.unsqueeze(1)
        return zeros_like(x).index_add(0, i, g).index_add(0, j, -g)


class Cdist(Op):
    name = "CdistBackward0"
    formula = "d||x1_i - x2_j||_p/dx1_i = the p-norm's slope, summed over j; dx2 likewise"

    @staticmethod
    def forward(ctx, x1, x2, *, p):
        ctx.save_for_backward(x1, x2)
        ctx.p = p
        return _norm_array(x1[..., :, None, :] - x2[..., None, :, :], p, -1)

    @staticmethod
    def backward(ctx, grad):
        from ...ops.creation import zeros_like

        x1, x2 = ctx.saved_tensors
        d = x1.unsqueeze(-2) - x2.unsqueeze(-3)
        if d.numel() == 0:  # no differences (no rows, or rows of no columns): no gradient
            return zeros_like(x1), zeros_like(x2)
        n = d.norm(ctx.p, dim=-1, keepdim=True)
        g = _norm_slope(d, n, ctx.p) * grad.unsqueeze(-1)
        return g.sum(-2), -g.sum(-3)


def dist(input, other, p=2):
    """The p-norm of input - other (broadcast), as a 0-d tensor."""
    try:
        np.broadcast_shapes(tuple(input.shape), tuple(other.shape))
    except ValueError:
        raise broadcast_shapes_error(tuple(input.shape), tuple(other.shape)) from None
    if math.isinf(p) and (input.numel() == 0 or other.numel() == 0):
        raise RuntimeError(
            f"linalg.vector_norm cannot compute the {float(p)} norm on an empty tensor because "
            "the operation does not have an identity"
        )
    return Dist.apply(input, other, p=float(p))


def pdist(input, p=2):
    """The p-norm distances between the rows of an (N, M) input, for every pair i < j:
    (N * (N - 1) / 2,)."""
    if input.dim() != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.dim()}D")
    if input._data.dtype.kind != "f":
        raise RuntimeError("pdist only supports floating-point dtypes")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    return Pdist.apply(input, p=float(p))


def _euclidean_by_matmul(x1, x2):
    """cdist for p = 2 through one matmul, as PyTorch computes it for many rows:
    [-2 x1, |x1|^2, 1] @ [x2, 1, |x2|^2]^T, clamped at 0, square-rooted."""
    from ...ops.creation import ones_like
    from ...ops.joining import cat

    n1 = x1.pow(2).sum(-1, keepdim=True)
    n2 = x2.pow(2).sum(-1, keepdim=True)
    a = cat([x1.mul(-2), n1, ones_like(n1)], -1)
    b = cat([x2, ones_like(n2), n2], -1)
    out = a.matmul(b.transpose(-2, -1)).clamp_min(0).sqrt()
    return out.reshape(tuple(out.shape))  # PyTorch views the result back (ViewBackward0)


def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """The p-norm distances between each row of x1 (..., P, M) and each row of x2
    (..., R, M): (..., P, R)."""
    if x1.dim() < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X1 got: {x1.dim()}D")
    if x2.dim() < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X2 got: {x2.dim()}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(
            f"X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} X2: {x2.shape[-1]}"
        )
    for name, t in (("X1", x1), ("X2", x2)):
        if t._data.dtype.kind != "f":
            raise RuntimeError(
                f"cdist only supports floating-point dtypes, {name} got: "
                f"{dtypes.scalar_type_name(t.dtype)}"
            )
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    modes = (None, "use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist",
             "donot_use_mm_for_euclid_dist")  # fmt: skip
    if compute_mode not in modes:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    rows = max(x1.shape[-2], x2.shape[-2])
    if p == 2 and (
        compute_mode == "use_mm_for_euclid_dist"
        or (compute_mode in (None, "use_mm_for_euclid_dist_if_necessary") and rows > 25)
    ):
        return _euclidean_by_matmul(x1, x2)
    return Cdist.apply(x1, x2, p=float(p))


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """sum(x1 * x2) / (max(|x1|, eps) * max(|x2|, eps)) along dim (inputs broadcast)."""
    try:
        shape = np.broadcast_shapes(tuple(x1.shape), tuple(x2.shape))
    except ValueError:
        raise broadcast_shapes_error(tuple(x1.shape), tuple(x2.shape)) from None
    if len(shape) and not -len(shape) <= dim < len(shape):
        d = len(shape)
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-d}, {d - 1}], but got {dim})"
        )
    # broadcast first: a dim of size 1 broadcast along `dim` counts in the norm once per copy
    x1, x2 = x1.expand(shape), x2.expand(shape)
    n1 = x1.norm(2, dim=dim, keepdim=True)
    n2 = x2.norm(2, dim=dim, keepdim=True)
    # The norms are clamped at eps in value only: the gradient is the unclamped one's.
    with no_grad():
        c1 = n1.clamp_min(eps) - n1
        c2 = n2.clamp_min(eps) - n2
    return ((x1 / (n1 + c1)) * (x2 / (n2 + c2))).sum(dim)


class _Norm(VectorNorm):
    """The vector norm under the name PyTorch's at::norm(x, p, dim) records."""

    name = "NormBackward1"


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """The p-norm of x1 - x2 + eps along the last dim."""
    d = max(x1.dim(), x2.dim())
    diff = x1 - x2 + eps
    return _Norm.apply(diff, ord=float(p), dims=(d - 1,), keepdim=keepdim)
