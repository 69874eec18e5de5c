"""The backward of ops whose derivative is piecewise constant: relu, hardtanh, leaky_relu,
threshold, the shrinks, hardsigmoid.

Their gradient is the incoming gradient times one factor where a mask of the saved tensor
holds and another where it does not (0 meaning a plain zero, so an infinite gradient
gives 0 and not NaN). That is one op here, `GradWhere`, taking the saved tensor as an
operand whose derivative is zero, as PyTorch's threshold_backward and friends take it.
Written as `where(mask, grad, 0)` the mask, a comparison, carries no gradient, so under
create_graph the first derivative did not require grad and a second backward raised
where PyTorch gives zeros. Through this op it requires grad whenever the saved tensor
does, and the second derivative is zeros.

Where one factor is 0 and the other 1 (relu, threshold, hardtanh) the op keeps or zeroes
each element: done as a bitwise AND with an all-ones or all-zeros word per element
(`_keep_or_zero`), the same bits as np.where's, without its per-element branch, which a
mask of random signs mispredicts half the time (ten times slower on a layer's output).
"""

from __future__ import annotations

import numpy as np

from .op import Op, apply

__all__ = []


# A read-only 0-d zero per float dtype (keyed by the dtype itself, so bfloat16, stored in
# float32 words with metadata, is not among them): NumPy takes it for less than a Python
# 0 on small arrays, and it is the same value in the array's own dtype.
_ZEROS = {}
for _t in (np.float32, np.float64):
    _ZEROS[np.dtype(_t)] = _zero = np.zeros((), _t)
    _zero.setflags(write=False)


def zero_for(dtype):
    """0 to compare or combine with an array of dtype: a 0-d array for float32 and float64,
    else the Python number."""
    return _ZEROS.get(dtype, 0)


def _scale(grad, factor):
    if factor == 1:
        return grad
    if factor == 0:
        zero = _ZEROS.get(grad.dtype)
        return np.zeros((), grad.dtype) if zero is None else zero
    return grad * factor


# Unsigned integers as wide as each float dtype: the words the bitwise AND works on.
_WORDS = {np.dtype(np.float16): np.uint16, np.dtype(np.float32): np.uint32}
_WORDS[np.dtype(np.float64)] = np.uint64
# Below this many elements np.where's one call costs less than the four of the bitwise path.
_BITWISE_MIN = 256


def _keep_or_zero(mask, grad, zero_where):
    """where(mask, 0, grad) (zero_where True) or where(mask, grad, 0) bit for bit (a +0.0
    where zeroed, grad's own bits, NaN and infinities included, elsewhere), or None where
    np.where's general path is needed: a mask that broadcasts, small or narrow arrays.
    Any layout of grad takes this path (a view of its words as unsigned integers works
    for every stride): the incoming gradient is often not C-contiguous, e.g. expanded
    (stride 0) by a sum's or mean's backward, or transposed by a matrix product's."""
    word = _WORDS.get(grad.dtype)
    if (
        word is None
        or grad.size < _BITWISE_MIN
        or mask.__class__ is not np.ndarray  # (a comparison of 0-dim arrays gives np.bool_)
        or grad.dtype.metadata is not None  # bfloat16 is stored in float32 words
        or mask.shape != grad.shape
    ):
        return None
    bits = mask.astype(word)  # 1 where mask holds, else 0
    if zero_where:
        np.subtract(bits, 1, out=bits)  # 0 where mask holds, else all ones
    else:
        np.negative(bits, out=bits)  # all ones where mask holds, else 0
    return np.bitwise_and(grad.view(word), bits, out=bits).view(grad.dtype)


class GradWhere(Op):
    name = "ThresholdBackwardBackward0"  # each op names its node as PyTorch does
    formula = (
        "where(mask, grad * on, grad * off), mask fixed by the saved tensor s: "
        "d/d(grad) = the same map, d/ds = 0"
    )

    @staticmethod
    def forward(ctx, grad, source, *, mask, on, off, node_name):
        ctx.save_for_backward(source)
        ctx.params = (mask, on, off, node_name)
        if on == 0 and off == 1 or on == 1 and off == 0:
            out = _keep_or_zero(mask, grad, zero_where=on == 0)
            if out is not None:
                return out
        return np.where(mask, _scale(grad, on), _scale(grad, off))

    @staticmethod
    def backward(ctx, gg):
        (source,) = ctx.saved_tensors
        mask, on, off, node_name = ctx.params
        # The map is element-wise and linear in grad, so it is its own adjoint.
        return grad_where(mask, gg, source, on, off, node_name), source.new_zeros(source.shape)


def grad_where(mask, grad, source, on=1.0, off=0.0, name="ThresholdBackwardBackward0"):
    """where(mask, grad * on, grad * off) as a function of grad and (with a zero derivative)
    of `source`, the saved tensor the NumPy bool array `mask` was computed from. `name` is
    the node's grad_fn name (PyTorch's, e.g. "HardtanhBackwardBackward0")."""
    kwargs = {"mask": mask, "on": on, "off": off, "node_name": name}
    return apply(GradWhere, (grad, source), kwargs, node_name=name)
