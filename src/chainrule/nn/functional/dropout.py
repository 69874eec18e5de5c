"""Functional forms: dropout and alpha_dropout."""

from __future__ import annotations

import math

from ...ops.creation import rand_like
from ...ops.pointwise import where

__all__ = ["alpha_dropout", "dropout"]


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
