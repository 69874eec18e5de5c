"""chainrule.amp: automatic mixed precision's interface on the CPU.

`autocast` is a context (and decorator) that keeps every dtype: chainrule has no bfloat16 and
does not cast ops to lower precision, so code inside it runs in its inputs' dtypes, and the
first use says so once. `GradScaler("cpu")` scales losses and unscales gradients as PyTorch's
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
