"""Helpers shared by the model files: weights entries and channel rounding."""

from __future__ import annotations

from functools import partial

from chainrule import nn

from ..transforms._presets import ImageClassification
from ._api import Weights

# the normalisation layers torchvision's initialisation loops set to scale 1 and shift 0
_NORMS = tuple(getattr(nn, name) for name in ("BatchNorm2d", "GroupNorm") if hasattr(nn, name))


def _weights(num_params, min_size=(1, 1), crop_size=224, resize_size=256, **meta):
    """A Weights entry with torchvision's preprocessing and facts (no url: nothing is fetched)."""
    transforms = partial(ImageClassification, crop_size=crop_size, resize_size=resize_size)
    return Weights(None, transforms, {"num_params": num_params, "min_size": min_size, **meta})


def _make_divisible(v, divisor, min_value=None):
    """v rounded to the nearest multiple of divisor (at least min_value, never below 90% of v),
    as MobileNet's channel counts are."""
    if min_value is None:
        min_value = divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v
