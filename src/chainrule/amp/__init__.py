"""chainrule.amp: automatic mixed precision's interface on the CPU.

`autocast("cpu")` is a context (and decorator) that casts as PyTorch's CPU autocast does:
matrix products, linear layers, convolutions, prelu and attention run in bfloat16 (or the
float16 asked for), the losses in float32, float64 is left alone; the other ops PyTorch
casts to float32 (its reductions like prod, 3-D pooling, padding, linear algebra, FFT) run
in their inputs' dtypes. `GradScaler("cpu")` scales losses and unscales gradients as PyTorch's
does (powers of two, so exactly), skipping steps whose gradients are not finite; for "cuda"
it warns and disables itself, as PyTorch does on a machine without CUDA.
"""

from .autocast_mode import (
    autocast,
    custom_bwd,
    custom_fwd,
    get_autocast_dtype,
    is_autocast_available,
    is_autocast_enabled,
    set_autocast_dtype,
    set_autocast_enabled,
)
from .grad_scaler import GradScaler, OptState

__all__ = [
    "GradScaler",
    "OptState",
    "autocast",
    "custom_bwd",
    "custom_fwd",
    "get_autocast_dtype",
    "is_autocast_available",
    "is_autocast_enabled",
    "set_autocast_dtype",
    "set_autocast_enabled",
]
