"""autocast: PyTorch's mixed-precision context on the CPU (see chainrule.amp), with
PyTorch's argument checks and warnings; the casts themselves are ops/autocast.py's."""

from __future__ import annotations

import functools
import warnings

from .. import dtypes
from .._autocast import state as _cast_state
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

# per device type: is autocast on, and its lower-precision dtype (PyTorch's defaults)
_enabled = {}
_dtype = {"cpu": dtypes.bfloat16, "cuda": dtypes.float16}


def _sync():
    """The ops' casts follow the CPU's autocast state (a machine without CUDA casts nothing
    for "cuda")."""
    _cast_state.dtype = _dtype["cpu"] if _enabled.get("cpu", False) else None


def is_autocast_available(device_type):
    return device_type == "cpu"


def is_autocast_enabled(device_type="cuda"):
    """Whether an autocast context is active for the device type (CUDA when none is named)."""
    return _enabled.get(device_type, False)


def set_autocast_enabled(device_type, enabled=None):
    if enabled is None:  # the old form, set_autocast_enabled(enabled), meant CUDA
        device_type, enabled = "cuda", device_type
    _enabled[device_type] = bool(enabled)
    _sync()


def get_autocast_dtype(device_type):
    """The lower-precision dtype of autocast on the device type (bfloat16 on the CPU unless
    asked otherwise)."""
    return _dtype.get(device_type, dtypes.float16)


def set_autocast_dtype(device_type, dtype):
    _dtype[device_type] = dtype
    _sync()


class autocast:
    """with autocast(device_type, dtype=None, enabled=True, cache_enabled=None): as PyTorch's
    on the CPU: matrix products, linear layers, convolutions and attention run in `dtype`
    (bfloat16 by default, or float16), the losses in float32 (ops/autocast.py)."""

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
        elif enabled and dtype is not None and dtype not in (dtypes.bfloat16, dtypes.float16):
            warnings.warn(
                "In CPU autocast, but the target dtype is not supported. Disabling autocast.\n"
                "CPU Autocast only supports dtypes of torch.bfloat16, torch.float16 currently.",
                UserWarning,
                stacklevel=2,
            )
            self._enabled = False

    def __enter__(self):
        self._previous = (_enabled.get(self.device, False), _dtype.get(self.device))
        _enabled[self.device] = self._enabled
        _dtype[self.device] = self.fast_dtype
        _sync()
        return self

    def __exit__(self, *exc):
        _enabled[self.device], _dtype[self.device] = self._previous
        _sync()
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
