"""Devices: chainrule computes on the CPU; 'cuda' is refused as a build without CUDA refuses it."""

import re

# PyTorch's form of a device string: a type, then optionally ':' and an index. Compiled on
# the first string with an index (re caches it), not at import: a bare type skips it.
_DEVICE_STRING = r"([a-zA-Z_]+)(?::([1-9]\d*|0))?"
_TYPES = ("cpu", "cuda", "mps", "meta")


class device:
    __slots__ = ("type", "index")

    def __init__(self, type, index=None):
        if isinstance(type, device):
            type, index = type.type, type.index
        if isinstance(type, str) and index is None and type not in _TYPES:
            match = re.fullmatch(_DEVICE_STRING, type)
            if match is None:
                raise RuntimeError(f"Invalid device string: '{type}'")
            type, idx = match.groups()
            index = None if idx is None else int(idx)
        if type not in _TYPES:
            raise RuntimeError(
                "Expected one of cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, hip, ve, "
                f"fpga, maia, xla, lazy, vulkan, mps, meta, hpu, mtia, privateuseone device "
                f"type at start of device string: {type}"
            )
        self.type = type
        self.index = index

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))


cpu = device("cpu")


def check_device(d):
    """Accept the CPU; raise PyTorch's error for a device this build cannot use."""
    d = d if isinstance(d, device) else device(str(d))
    if d.type == "cuda":
        raise AssertionError("Torch not compiled with CUDA enabled")
    if d.type not in ("cpu", "meta"):
        raise RuntimeError(f"chainrule computes on the CPU only; device '{d}' is not available")
    return d


def set_default_device(device):
    """Where factory functions put tensors by default. chainrule computes on the CPU, so "cpu"
    (or None, which resets it) is the only choice; another device raises the error a PyTorch
    build without it raises. PyTorch accepts "cuda" here and fails at the first tensor made;
    chainrule says so at once."""
    if device is None:
        return
    check_device(device)


def get_default_device():
    """The device factory functions use by default: always the CPU here."""
    return cpu
