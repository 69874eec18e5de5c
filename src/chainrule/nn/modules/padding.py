"""nn modules: the padding layers (zero, constant, reflection, replication, circular)."""

from .. import functional as F
from .module import Module

__all__ = [
    "CircularPad1d",
    "CircularPad2d",
    "ConstantPad1d",
    "ConstantPad2d",
    "ReflectionPad1d",
    "ReflectionPad2d",
    "ReplicationPad1d",
    "ReplicationPad2d",
    "ZeroPad1d",
    "ZeroPad2d",
]


def _widths(padding, n):
    """An int pads every side; otherwise (left, right[, top, bottom]) as given."""
    if isinstance(padding, int):
        return (padding,) * (2 * n)
    padding = tuple(padding)
    if len(padding) != 2 * n:
        raise ValueError(f"padding must be an int or a {2 * n}-tuple, got {padding}")
    return padding


class _Pad(Module):
    _mode = "constant"
    _dims = 1

    def __init__(self, padding):
        super().__init__()
        self.padding = _widths(padding, self._dims)

    def forward(self, input):
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self):
        return f"{self.padding}"


class _ConstantPad(_Pad):
    def __init__(self, padding, value):
        super().__init__(padding)
        self.value = value

    def forward(self, input):
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPad):
    """Pads the last dim with a constant."""


class ConstantPad2d(_ConstantPad):
    """Pads the last two dims with a constant."""

    _dims = 2


class ZeroPad1d(ConstantPad1d):
    """Pads the last dim with zeros."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad2d(ConstantPad2d):
    """Pads the last two dims with zeros."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ReflectionPad1d(_Pad):
    """Pads the last dim with its reflection (the edge not repeated)."""

    _mode = "reflect"


class ReflectionPad2d(_Pad):
    """Pads the last two dims with their reflection."""

    _mode = "reflect"
    _dims = 2


class ReplicationPad1d(_Pad):
    """Pads the last dim by repeating its edge values."""

    _mode = "replicate"


class ReplicationPad2d(_Pad):
    """Pads the last two dims by repeating their edge values."""

    _mode = "replicate"
    _dims = 2


class CircularPad1d(_Pad):
    """Pads the last dim by wrapping around."""

    _mode = "circular"


class CircularPad2d(_Pad):
    """Pads the last two dims by wrapping around."""

    _mode = "circular"
    _dims = 2
