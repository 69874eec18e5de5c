"""The nn functions PyTorch also offers at the top level (torch.cdist, torch.pixel_shuffle,
torch.conv3d, ...), exported into chainrule's namespace by chainrule/__init__.py. Where the
top-level form takes other arguments than nn.functional's (group_norm's and instance_norm's
cudnn_enabled, instance_norm's order), it is adapted here."""

from __future__ import annotations

from .activation import rrelu, rrelu_
from .conv import conv3d, conv_transpose3d
from .distance import cdist, cosine_similarity, dist, pairwise_distance, pdist
from .normalization import group_norm as _group_norm
from .normalization import instance_norm as _instance_norm
from .normalization import rms_norm
from .pixelshuffle import channel_shuffle, native_channel_shuffle, pixel_shuffle, pixel_unshuffle
from .pooling3d import max_pool3d

__all__ = [
    "cdist",
    "channel_shuffle",
    "conv3d",
    "conv_transpose3d",
    "cosine_similarity",
    "dist",
    "group_norm",
    "instance_norm",
    "max_pool3d",
    "native_channel_shuffle",
    "pairwise_distance",
    "pdist",
    "pixel_shuffle",
    "pixel_unshuffle",
    "rms_norm",
    "rrelu",
    "rrelu_",
]


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5, cudnn_enabled=True):
    """torch.group_norm: F.group_norm with PyTorch's unused cudnn_enabled flag."""
    return _group_norm(input, num_groups, weight, bias, eps)


def instance_norm(
    input, weight, bias, running_mean, running_var, use_input_stats, momentum, eps, cudnn_enabled
):
    """torch.instance_norm: F.instance_norm's arguments in the top-level order."""
    return _instance_norm(
        input, running_mean, running_var, weight, bias, use_input_stats, momentum, eps
    )
