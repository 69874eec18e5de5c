"""Functional forms: dropout, alpha_dropout, and the channel-wise dropout1d/2d/3d."""

import math
import warnings

from ...autograd.grad_mode import no_grad
from ...ops.creation import empty, zeros

__all__ = ["alpha_dropout", "dropout", "dropout1d", "dropout2d", "dropout3d"]

_ALPHA = 1.7580993408473766  # -SELU's lambda * alpha: its value at -infinity, negated


def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _dropout(input, p, training, inplace, feature, alpha):
    """PyTorch's dropout: input * noise, the noise a tensor of input's dtype filled with
    bernoulli_(1 - p) (one double uniform per element from the default generator) and
    divided by 1 - p; alpha dropout maps the noise affinely instead, keeping SELU's mean
    and variance. The noise is a constant: input * noise is the one recorded op."""
    if p == 0 or not training or input.numel() == 0:
        return input
    if p == 1:
        zero = zeros((), dtype=input.dtype)
        return input.mul_(zero) if inplace else input * zero
    shape = tuple(input.shape)
    if feature:
        shape = shape[:2] + (1,) * (len(shape) - 2)
    with no_grad():
        noise = empty(shape, dtype=input.dtype).bernoulli_(1 - p)
        if not alpha:
            noise.div_(1 - p)
        else:
            a = 1.0 / math.sqrt((_ALPHA * _ALPHA * p + 1) * (1 - p))
            shift = noise.add(-1).mul_(_ALPHA * a).add_(_ALPHA * a * p)
            noise.mul_(a)
    if not alpha:
        return input.mul_(noise) if inplace else input * noise
    return input.mul_(noise).add_(shift) if inplace else input * noise + shift


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability p and scale the rest by 1/(1-p) (in training)."""
    _check_p(p)
    return _dropout(input, p, training, inplace, feature=False, alpha=False)


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Dropout that keeps SELU's zero mean and unit variance: dropped values become
    SELU's negative saturation value, then an affine map restores the statistics."""
    _check_p(p)
    return _dropout(input, p, training, inplace, feature=False, alpha=True)


def _feature_dropout(input, p, training, inplace):
    """Zero whole channels: one draw per (N, C) entry, broadcast over the remaining dims."""
    if training and p not in (0, 1) and input.dim() < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    return _dropout(input, p, training, inplace, feature=True, alpha=False)


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
