"""Memory formats and layouts: torch.contiguous_format, preserve_format, channels_last,
channels_last_3d, and torch.strided (the one layout chainrule has).

A memory format says in which order a tensor's elements lie in memory. chainrule's
tensors are NumPy arrays, so channels_last is an array whose channel dim is innermost
(strides as PyTorch's for the same format): the values are the same, `stride()` and
`is_contiguous(memory_format=...)` tell the difference, as in PyTorch.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "channels_last",
    "channels_last_3d",
    "contiguous_format",
    "layout",
    "memory_format",
    "preserve_format",
    "strided",
]


class memory_format:
    """The order of a tensor's elements in memory (print name as PyTorch's)."""

    __slots__ = ("name", "_rank")

    def __init__(self, name, rank=None):
        self.name = name
        self._rank = rank  # the rank a channels-last format needs

    def __repr__(self):
        return "torch." + self.name

    def __reduce__(self):
        return self.name


class layout:
    """How a tensor is stored: strided (dense) is the only one chainrule has."""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return "torch." + self.name

    def __reduce__(self):
        return self.name


contiguous_format = memory_format("contiguous_format")
preserve_format = memory_format("preserve_format")
channels_last = memory_format("channels_last", 4)
channels_last_3d = memory_format("channels_last_3d", 5)
strided = layout("strided")


def check_memory_format(value, fn_name):
    """value as a memory format (None for preserve_format), with PyTorch's TypeError."""
    if value is None or value is preserve_format:
        return None
    if not isinstance(value, memory_format):
        raise TypeError(
            f"{fn_name}(): argument 'memory_format' must be torch.memory_format, not "
            f"{type(value).__name__}"
        )
    return value


def check_rank(fmt, ndim):
    if fmt is not None and fmt._rank is not None and ndim != fmt._rank:
        raise RuntimeError(f"required rank {fmt._rank} tensor to use {fmt.name} format")


def laid_out(array, fmt):
    """array's values in memory format fmt: a copy unless it is laid out so already."""
    if fmt is None:
        return array
    if fmt is contiguous_format:
        return array if array.flags.c_contiguous else np.ascontiguousarray(array)
    if is_laid_out(array, fmt):
        return array
    last = array.ndim - 1
    order = (0, *range(2, array.ndim), 1)  # the channel dim innermost
    back = (0, last, *range(1, last))
    return np.ascontiguousarray(array.transpose(order)).transpose(back)


def is_laid_out(array, fmt):
    """Whether array's elements lie in memory in format fmt (None: contiguous)."""
    if fmt is None or fmt is contiguous_format or fmt is preserve_format:
        return array.flags.c_contiguous
    if array.ndim != fmt._rank:
        return False
    order = (0, *range(2, array.ndim), 1)
    return array.transpose(order).flags.c_contiguous
