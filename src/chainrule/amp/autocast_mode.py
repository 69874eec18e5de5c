"""autocast: PyTorch's mixed-precision context, which here keeps every dtype (see
chainrule.amp), with PyTorch's argument checks and warnings."""

from __future__ import annotations

import functools
import warnings

from .. import dtypes
from ..device import device as _device

__all__ = [
    "autocast",
    "custom_bwd",
    "custom_fwd",
    "get_autocast_dtype",
    "is_autocast_available",
    "is_autocast_enabled",
    "set_autocast_dtype",
    "set_autocast_enabled",
]

# per device type: is autocast on, and the dtype it was asked for (None: the device's default,
# bfloat16 on the CPU, which chainrule does not have)
_enabled = {}
_dtype = {"cpu": None, "cuda": dtypes.float16}
_told = False

_KEEPS_DTYPES = (
    "chainrule's autocast keeps every dtype: chainrule has no bfloat16 and does not cast ops "
    "to lower precision, so the code inside torch.autocast runs in its inputs' dtypes "
    "(float32 stays float32)."
)


def is_autocast_available(device_type):
    return device_type == "cpu"


def is_autocast_enabled(device_type="cuda"):
    """Whether an autocast context is active for the device type (CUDA when none is named)."""
    return _enabled.get(device_type, False)


def set_autocast_enabled(device_type, enabled=None):
    if enabled is None:  # the old form, set_autocast_enabled(enabled), meant CUDA
        device_type, enabled = "cuda", device_type
    _enabled[device_type] = bool(enabled)


def get_autocast_dtype(device_type):
    """The dtype autocast was asked for on the device type; the CPU's default is bfloat16,
    which chainrule lacks, so without a request it answers float32, the dtype ops keep."""
    dtype = _dtype.get(device_type)
    return dtypes.float32 if dtype is None else dtype


def set_autocast_dtype(device_type, dtype):
    _dtype[device_type] = dtype


class autocast:
    """with autocast(device_type, dtype=None, enabled=True, cache_enabled=None): as PyTorch's,
    but ops keep their dtypes (said once, the first time it is enabled on the CPU)."""

    def __init__(self, device_type, dtype=None, enabled=True, cache_enabled=None):
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        _device(device_type)  # PyTorch's error for an unknown device type
        self.device = device_type
        self._enabled = enabled
        self.fast_dtype = dtype if dtype is not None else get_autocast_dtype(device_type)
        self._cache_enabled = cache_enabled
        if enabled and device_type != "cpu":
            if device_type == "cuda":
                message = "CUDA is not available or torch_xla is imported. Disabling autocast."
            else:
                message = (
                    f"User specified an unsupported autocast device_type '{device_type}'. "
                    "Disabling autocast."
                )
            warnings.warn(message, UserWarning, stacklevel=2)
            self._enabled = False
        elif enabled and dtype is not None and dtype != dtypes.float16:
            warnings.warn(
                "In CPU autocast, but the target dtype is not supported. Disabling autocast.\n"
                "CPU Autocast only supports dtypes of torch.bfloat16, torch.float16 currently.",
                UserWarning,
                stacklevel=2,
            )
            self._enabled = False

    def __enter__(self):
        global _told
        self._previous = (_enabled.get(self.device, False), _dtype.get(self.device))
        _enabled[self.device] = self._enabled
        _dtype[self.device] = self.fast_dtype
        if self._enabled and not _told:
            _told = True
            warnings.warn(_KEEPS_DTYPES, UserWarning, stacklevel=2)
        return self

    def __exit__(self, *exc):
        _enabled[self.device], _dtype[self.device] = self._previous
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self:
                return fn(*args, **kwargs)

        return wrapper


def custom_fwd(fwd=None, *, device_type, cast_inputs=None):
    """Decorator for a custom Function's forward under autocast: runs it as it is."""
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)
    return fwd


def custom_bwd(bwd=None, *, device_type):
    """Decorator for a custom Function's backward under autocast: runs it as it is."""
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)
    return bwd
