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
"""

from __future__ import annotations

import numpy as np

from .op import Op, apply

__all__ = []


def _scale(grad, factor):
    if factor == 1:
        return grad
    if factor == 0:
        return np.zeros((), grad.dtype)
    return grad * factor


_BITS = {4: np.uint32, 8: np.uint64}


def _keep(mask, grad, where):
    """grad where mask == where, else 0: for a float grad, np.where's result bit for bit,
    as grad's bits ANDed with all ones or all zeros (+0.0). np.where branches on every
    element, and on a random mask (ReLU's) it runs about ten times slower."""
    unsigned = _BITS.get(grad.dtype.itemsize)
    if grad.dtype.kind != "f" or unsigned is None or mask.shape != grad.shape:
        zero = np.zeros((), grad.dtype)
        return np.where(mask, grad, zero) if where else np.where(mask, zero, grad)
    bits = mask.astype(unsigned)  # 1 where the mask holds, else 0
    if where:
        np.negative(bits, out=bits)  # all ones where it holds
    else:
        bits -= unsigned(1)  # all ones (wrapping around) where it does not
    bits &= grad.view(unsigned)
    return bits.view(grad.dtype)


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
        if (on, off) in ((1, 0), (0, 1)):  # relu's, threshold's, hardtanh's
            return _keep(mask, grad, on == 1)
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
