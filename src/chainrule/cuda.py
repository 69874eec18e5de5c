"""chainrule.cuda: there is no CUDA here; is_available() is False.

The queries scripts make before choosing a device answer as a PyTorch build without CUDA
answers them; anything that would need a GPU raises that build's AssertionError.
Seeding and cache calls are no-ops, so `torch.cuda.manual_seed_all(0)` in a script is fine.
"""

import sys as _sys

from .device import device as device_cls

__all__ = [
    "is_available",
    "device_count",
    "is_initialized",
    "init",
    "current_device",
    "set_device",
    "device",
    "synchronize",
    "get_device_name",
    "get_device_properties",
    "get_device_capability",
    "is_bf16_supported",
    "manual_seed",
    "manual_seed_all",
    "seed",
    "seed_all",
    "initial_seed",
    "get_rng_state",
    "set_rng_state",
    "empty_cache",
    "ipc_collect",
    "memory_allocated",
    "max_memory_allocated",
    "memory_reserved",
    "max_memory_reserved",
    "reset_peak_memory_stats",
]


def _not_compiled():
    return AssertionError("Torch not compiled with CUDA enabled")


def _needs_cuda(*args, **kwargs):
    raise _not_compiled()


def is_available():
    return False


def device_count():
    return 0


def is_initialized():
    return False


def is_bf16_supported(including_emulation=True):
    return False


# Seeding a generator that does not exist does nothing, as in PyTorch without CUDA.
def manual_seed(seed):
    pass


def manual_seed_all(seed):
    pass


def seed():
    pass


def seed_all():
    pass


# Nothing is cached or allocated on a device that is not there.
def empty_cache():
    pass


def reset_peak_memory_stats(device=None):
    pass


def memory_allocated(device=None):
    return 0


def max_memory_allocated(device=None):
    return 0


def memory_reserved(device=None):
    return 0


def max_memory_reserved(device=None):
    return 0


init = _needs_cuda
current_device = _needs_cuda
set_device = _needs_cuda
synchronize = _needs_cuda
get_device_name = _needs_cuda
get_device_properties = _needs_cuda
get_device_capability = _needs_cuda
initial_seed = _needs_cuda
get_rng_state = _needs_cuda
set_rng_state = _needs_cuda
ipc_collect = _needs_cuda


class device:
    """Context manager that selects a CUDA device: constructing it is fine; entering it
    needs CUDA (device -1 or None selects nothing and works)."""

    def __init__(self, device):
        if isinstance(device, (str, device_cls)):
            device = device_cls(device).index
        self.idx = -1 if device is None else int(device)

    def __enter__(self):
        if self.idx != -1:
            raise _not_compiled()

    def __exit__(self, *exc):
        return False


class _CudaTensorType(type):
    """torch.cuda.FloatTensor and friends: no tensor is ever one; making one fails."""

    def __instancecheck__(cls, obj):
        return False

    def __call__(cls, *args, **kwargs):
        raise TypeError(
            f"type torch.cuda.{cls.__name__} not available. Torch not compiled with CUDA enabled."
        )

    def __repr__(cls):
        return f"<class 'torch.cuda.{cls.__name__}'>"


for _kind in ("Float", "Double", "Half", "Long", "Int", "Short", "Char", "Byte", "Bool"):
    _name = f"{_kind}Tensor"
    globals()[_name] = _CudaTensorType(_name, (), {"__module__": __name__, "is_cuda": True})
    __all__.append(_name)
del _kind, _name


# torch.cuda.amp (autocast, GradScaler) as older scripts import it: this is a module, not a
# package, so its amp is entered into sys.modules by name
from .amp import cuda_amp as amp  # noqa: E402

_sys.modules[f"{__name__}.amp"] = amp
