"""chainrule.accelerator: the answers of a machine without an accelerator (GPU, MPS, XPU...).

Scripts ask `torch.accelerator.is_available()` to choose their device; here it is False,
current_accelerator() is None and device_count() is 0, so they choose the CPU. Anything that
needs an accelerator raises the RuntimeError PyTorch raises when none is available.
"""

from __future__ import annotations

import warnings

__all__ = [
    "current_accelerator",
    "current_device_idx",
    "current_device_index",
    "current_stream",
    "device_count",
    "device_index",
    "empty_cache",
    "get_memory_info",
    "is_available",
    "max_memory_allocated",
    "max_memory_reserved",
    "memory_allocated",
    "memory_reserved",
    "memory_stats",
    "reset_accumulated_memory_stats",
    "reset_peak_memory_stats",
    "set_device_idx",
    "set_device_index",
    "set_stream",
    "synchronize",
]


def _none_available():
    return RuntimeError("Cannot access accelerator device when none is available.")


def is_available():
    """False: chainrule computes on the CPU."""
    return False


def current_accelerator(check_available=False):
    """The accelerator's device, or None when there is none (always, here)."""
    return None


def device_count():
    return 0


def current_device_index():
    raise _none_available()


def current_device_idx():
    warnings.warn("Use `current_device_index` instead.", FutureWarning, stacklevel=2)
    return current_device_index()


def set_device_index(device):
    raise _none_available()


def set_device_idx(device):
    warnings.warn("Use `set_device_index` instead.", FutureWarning, stacklevel=2)
    set_device_index(device)


def current_stream(device=None):
    raise _none_available()


def set_stream(stream):
    raise _none_available()


def synchronize(device=None):
    raise _none_available()


def _needs_one(*args, **kwargs):
    raise _none_available()


empty_cache = memory_allocated = max_memory_allocated = _needs_one
memory_reserved = max_memory_reserved = memory_stats = get_memory_info = _needs_one
reset_peak_memory_stats = reset_accumulated_memory_stats = _needs_one


class device_index:
    """Context manager that makes an accelerator device current: None does nothing; any
    index raises, as there is no accelerator."""

    def __init__(self, device):
        self.idx = device

    def __enter__(self):
        if self.idx is not None:
            raise _none_available()
        return None

    def __exit__(self, *exc):
        return False
