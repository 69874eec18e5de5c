"""The casts autocast makes, as PyTorch's CPU autocast makes them (chainrule.amp.autocast
sets `state`, which lives in chainrule/_autocast.py).

While a CPU autocast context is active, `state.dtype` is its lower-precision dtype
(bfloat16 by default, or float16), else None. The ops PyTorch runs in lower precision
(matrix products, linear, convolutions, prelu, attention) cast their float32, float16 and
bfloat16 operands to it; the losses PyTorch runs in float32 cast theirs to float32.
float64 operands are never cast, as in PyTorch. Each op checks `state.dtype` itself,
inline (a wrapper would cost the hot paths a call, and move warnings' stack levels). Each
cast is a recorded `to()`, so gradients flow back in the operand's own dtype. The engine
clears `state.dtype` while it runs a backward pass: derivatives run in the dtypes the
forward pass used.
"""

from __future__ import annotations

from .. import dtypes
from .._autocast import state
from ..tensor import Tensor

_CASTABLE = (dtypes.float16, dtypes.bfloat16, dtypes.float32)


def _cast(x, to):
    if isinstance(x, Tensor):
        d = x.dtype
        if d is not to and d in _CASTABLE:
            return x.to(to)
    return x


def lower(*args):
    """args with their float32, float16 and bfloat16 tensors in autocast's dtype (called
    while state.dtype is set, by the ops PyTorch runs in lower precision)."""
    to = state.dtype
    return tuple(_cast(a, to) for a in args)


def to_float32(*args):
    """args with their float16 and bfloat16 tensors in float32 (called while state.dtype is
    set, by the ops PyTorch runs in float32)."""
    return tuple(_cast(a, dtypes.float32) for a in args)
