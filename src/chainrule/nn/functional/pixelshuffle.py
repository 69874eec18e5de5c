"""Functional forms: pixel_shuffle, pixel_unshuffle and channel_shuffle.

All three move elements without arithmetic: a reshape, a transpose and a reshape.
Each is one Op with PyTorch's grad_fn name whose backward is the inverse
rearrangement (pixel_shuffle and pixel_unshuffle are each other's; channel_shuffle
with g groups is undone by channel_shuffle with C/g groups), so they are
differentiable to any order.
"""

from __future__ import annotations

import numpy as np

from ...ops.op import Op

__all__ = ["channel_shuffle", "native_channel_shuffle", "pixel_shuffle", "pixel_unshuffle"]


def _shuffle(a, r):
    """(*, C*r*r, H, W) -> (*, C, H*r, W*r)."""
    *lead, c, h, w = a.shape
    oc = c // (r * r)
    x = a.reshape(*lead, oc, r, r, h, w)
    n = len(lead)
    x = x.transpose(*range(n), n, n + 3, n + 1, n + 4, n + 2)
    return np.ascontiguousarray(x).reshape(*lead, oc, h * r, w * r)


def _unshuffle(a, r):
    """(*, C, H*r, W*r) -> (*, C*r*r, H, W)."""
    *lead, c, h, w = a.shape
    oh, ow = h // r, w // r
    x = a.reshape(*lead, c, oh, r, ow, r)
    n = len(lead)
    x = x.transpose(*range(n), n, n + 2, n + 4, n + 1, n + 3)
    return np.ascontiguousarray(x).reshape(*lead, c * r * r, oh, ow)


class PixelShuffle(Op):
    name = "PixelShuffleBackward0"
    formula = "a rearrangement: the gradient is pixel_unshuffle of it"

    @staticmethod
    def forward(ctx, a, *, factor):
        ctx.factor = factor
        return _shuffle(a, factor)

    @staticmethod
    def backward(ctx, grad):
        return PixelUnshuffle.apply(grad, factor=ctx.factor)


class PixelUnshuffle(Op):
    name = "PixelUnshuffleBackward0"
    formula = "a rearrangement: the gradient is pixel_shuffle of it"

    @staticmethod
    def forward(ctx, a, *, factor):
        ctx.factor = factor
        return _unshuffle(a, factor)

    @staticmethod
    def backward(ctx, grad):
        return PixelShuffle.apply(grad, factor=ctx.factor)


class ChannelShuffle(Op):
    name = "ChannelShuffleBackward0"
    formula = "a rearrangement: the gradient is channel_shuffle of it with C/groups groups"

    @staticmethod
    def forward(ctx, a, *, groups):
        n, c = a.shape[:2]
        ctx.inverse = c // groups
        rest = a.shape[2:]
        x = a.reshape(n, groups, c // groups, *rest).swapaxes(1, 2)
        return np.ascontiguousarray(x).reshape(a.shape)

    @staticmethod
    def backward(ctx, grad):
        return ChannelShuffle.apply(grad, groups=ctx.inverse)


def pixel_shuffle(input, upscale_factor):
    """(*, C*r*r, H, W) -> (*, C, H*r, W*r): sub-pixel convolution's rearrangement."""
    r = int(upscale_factor)
    if input.dim() < 3:
        raise RuntimeError(
            "pixel_shuffle expects input to have at least 3 dimensions, but got input with "
            f"{input.dim()} dimension(s)"
        )
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    c = input.shape[-3]
    if c % (r * r):
        raise RuntimeError(
            "pixel_shuffle expects its input's 'channel' dimension to be divisible by the square "
            f"of upscale_factor, but input.size(-3)={c} is not divisible by {r * r}"
        )
    return PixelShuffle.apply(input, factor=r)


def pixel_unshuffle(input, downscale_factor):
    """(*, C, H*r, W*r) -> (*, C*r*r, H, W): the inverse of pixel_shuffle."""
    r = int(downscale_factor)
    if input.dim() < 3:
        raise RuntimeError(
            "pixel_unshuffle expects input to have at least 3 dimensions, but got input with "
            f"{input.dim()} dimension(s)"
        )
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    h, w = input.shape[-2:]
    if h % r:
        raise RuntimeError(
            "pixel_unshuffle expects height to be divisible by downscale_factor, but "
            f"input.size(-2)={h} is not divisible by {r}"
        )
    if w % r:
        raise RuntimeError(
            "pixel_unshuffle expects width to be divisible by downscale_factor, but "
            f"input.size(-1)={w} is not divisible by {r}"
        )
    return PixelUnshuffle.apply(input, factor=r)


def channel_shuffle(input, groups):
    """(N, C, *) with channels (g, C/g) regrouped as (C/g, g): ShuffleNet's channel shuffle."""
    if input.dim() <= 2:
        raise RuntimeError(
            f"channel_shuffle expects input with > 2 dims, but got input with sizes "
            f"{list(input.shape)}"
        )
    groups = int(groups)
    if groups <= 0:
        raise RuntimeError(
            f"Number of groups to divide channels in must be positive. Value of groups:{groups}"
        )
    c = input.shape[1]
    if c % groups:
        raise RuntimeError(
            f"Number of channels must be divisible by groups. Got {c} channels and {groups} groups."
        )
    return ChannelShuffle.apply(input, groups=groups)


native_channel_shuffle = channel_shuffle
