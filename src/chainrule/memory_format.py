"""torch.memory_format values (contiguous_format, preserve_format, channels_last...): the
names exist so PyTorch code that passes them runs; chainrule's tensors are always laid
out by NumPy, so every format gives the same values."""

from __future__ import annotations

__all__ = ["channels_last", "channels_last_3d", "contiguous_format", "preserve_format"]


class memory_format:
    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return "torch." + self.name

    def __reduce__(self):
        return self.name  # pickled by reference: chainrule.memory_format.<name>


contiguous_format = memory_format("contiguous_format")
preserve_format = memory_format("preserve_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")
