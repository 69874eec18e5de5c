"""The one switch for PyTorch's order of arithmetic, off by default.

Off, chainrule computes as NumPy does: np.sum and np.matmul, the sigmoid ufunc path,
a + alpha * b in two roundings. On, the float32 and float64 kernels that decide a seeded
PyTorch script's printed digits follow PyTorch's CPU arithmetic instead (docs/DESIGN.md,
"The arithmetic after the seed"): add/sub/add_ with alpha rounded once (ops/_fused.py),
sums, means, the engine's broadcast sums and the losses' reductions in PyTorch's cascade
order (ops/_cascade_sum.py), small float32 matrix products in MKL's order
(ops/_mkl_order.py), float32 sigmoid and binary_cross_entropy's logarithms as PyTorch's
kernels round them (ops/_vector_math.py). That costs time (lesson 07's training step is
about ten times slower), so it is for runs whose point is PyTorch's exact numbers.

Each entry point reads `pytorch_order`, a plain module attribute, so the default path pays
one attribute read. CHAINRULE_PYTORCH_ARITHMETIC=1 in the environment turns it on at import.
"""

from __future__ import annotations

import os

__all__ = ["is_pytorch_arithmetic_enabled", "use_pytorch_arithmetic"]

pytorch_order: bool = os.environ.get("CHAINRULE_PYTORCH_ARITHMETIC", "").strip() not in (
    "",
    "0",
)


def use_pytorch_arithmetic(enabled: bool) -> None:
    """Follow PyTorch's CPU order of arithmetic (True) or NumPy's (False, the default)."""
    global pytorch_order
    pytorch_order = bool(enabled)


def is_pytorch_arithmetic_enabled() -> bool:
    """Whether chainrule follows PyTorch's CPU order of arithmetic (use_pytorch_arithmetic)."""
    return pytorch_order
