"""Functional forms: dropout, alpha_dropout, and the channel-wise dropout1d/2d/3d."""

import math
import warnings

from ...ops.creation import rand, rand_like
from ...ops.pointwise import where

__all__ = ["alpha_dropout", "dropout", "dropout1d", "dropout2d", "dropout3d"]


def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability p and scale the rest by 1/(1-p) (in training)."""
    _check_p(p)
    if not training or p == 0:
        return input
    keep = 1.0 - p
    # The mask is a constant: input * mask is the one recorded op (MulBackward0).
    scale = 1.0 / keep if keep > 0 else 0.0
    mask = where(rand_like(input) < keep, scale, 0.0).to(input.dtype)
    return input.mul_(mask) if inplace else input * mask


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Dropout that keeps SELU's zero mean and unit variance: dropped values become
    SELU's negative saturation value, then an affine map restores the statistics."""
    _check_p(p)
    if not training or p == 0:
        return input
    if p == 1:
        return input * 0 if not inplace else input.mul_(0)
    alpha = 1.7580993408473766  # -SELU's lambda * alpha: its value at -infinity, negated
    keep = 1.0 - p
    a = 1.0 / math.sqrt((alpha * alpha * p + 1) * keep)
    b = alpha * a * p
    kept = (rand_like(input) < keep).to(input.dtype)
    # a * (x * kept + (-alpha) * (1 - kept)) + b, folded into x * (a * kept) + const.
    shift = kept * (alpha * a) - (alpha * a) + b
    mult = kept * a
    if inplace:
        return input.mul_(mult).add_(shift)
    return input * mult + shift


def _feature_dropout(input, p, training, inplace):
    """Zero whole channels: one draw per (N, C) entry, broadcast over the remaining dims."""
    if not training or p == 0:
        return input
    if input.dim() < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    keep = 1.0 - p
    scale = 1.0 / keep if keep > 0 else 0.0
    shape = tuple(input.shape[:2]) + (1,) * (input.dim() - 2)
    mask = where(rand(shape, dtype=input.dtype) < keep, scale, 0.0).to(input.dtype)
    return input.mul_(mask) if inplace else input * mask


def _channelwise(input, p, training, inplace, batched):
    if batched:
        return _feature_dropout(input, p, training, inplace)
    input = input.unsqueeze_(0) if inplace else input.unsqueeze(0)
    out = _feature_dropout(input, p, training, inplace)
    return out.squeeze_(0) if inplace else out.squeeze(0)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, L) or (C, L) input with probability p; scale by 1/(1-p)."""
    _check_p(p)
    n = input.dim()
    if n not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {n}D input. Note that dropout1d "
            "exists to provide channel-wise dropout on inputs with 1 spatial dimension, a channel "
            "dimension, and an optional batch dimension (i.e. 2D or 3D inputs)."
        )
    return _channelwise(input, p, training, inplace, n == 3)


def _deprecated_dims(what, n, spatial, dims):
    warnings.warn(
        f"{what}: Received a {n}-D input to {what}, which is deprecated and will result in an "
        "error in a future release. To retain the behavior and silence this warning, please use "
        f"dropout instead. Note that {what} exists to provide channel-wise dropout on inputs "
        f"with {spatial} spatial dimensions, a channel dimension, and an optional batch "
        f"dimension (i.e. {dims} inputs).",
        stacklevel=3,
    )


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, H, W) input with probability p; scale by 1/(1-p).
    3-D input is taken as (N, C, L), as PyTorch does for now (with its warning)."""
    _check_p(p)
    n = input.dim()
    if n not in (3, 4):
        _deprecated_dims("dropout2d", n, 2, "3D or 4D")
    if n == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D "
            "dropout behavior is desired - input is interpreted as shape (N, C, L), where C is "
            "the channel dim. This behavior will change in a future release to interpret the "
            "input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D "
            "channel-wise dropout behavior, please switch to using dropout1d instead.",
            stacklevel=2,
        )
    return _feature_dropout(input, p, training, inplace)


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) input with probability p."""
    _check_p(p)
    n = input.dim()
    if n not in (4, 5):
        _deprecated_dims("dropout3d", n, 3, "4D or 5D")
    return _channelwise(input, p, training, inplace, n == 5)
