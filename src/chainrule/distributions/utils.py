"""Helpers shared by the distributions, as torch.distributions.utils has them."""

from __future__ import annotations

import functools
from numbers import Number

import chainrule
from chainrule.tensor import Tensor

__all__ = [
    "broadcast_all",
    "clamp_probs",
    "euler_constant",
    "lazy_property",
    "logits_to_probs",
    "probs_to_logits",
]

euler_constant = 0.57721566490153286060  # the Euler-Mascheroni constant


def broadcast_all(*values):
    """Tensors and numbers broadcast to one shape; numbers become tensors of the first
    tensor's dtype (the default dtype when there is none)."""
    if not all(isinstance(v, (Tensor, Number)) for v in values):
        raise ValueError(
            "Input arguments must all be instances of Number, torch.Tensor or objects "
            "implementing __torch_function__."
        )
    dtype = next((v.dtype for v in values if isinstance(v, Tensor)), None)
    dtype = dtype or chainrule.get_default_dtype()
    tensors = [v if isinstance(v, Tensor) else chainrule.tensor(v, dtype=dtype) for v in values]
    return chainrule.broadcast_tensors(*tensors)


def _standard_normal(shape, dtype):
    return chainrule.empty(tuple(shape), dtype=dtype).normal_()


def _sum_rightmost(value, dim):
    """value summed over its rightmost dim dimensions."""
    if dim == 0:
        return value
    return value.reshape(tuple(value.shape[:-dim]) + (-1,)).sum(-1)


def logits_to_probs(logits, is_binary=False):
    if is_binary:
        return chainrule.sigmoid(logits)
    return chainrule.softmax(logits, dim=-1)


def clamp_probs(probs):
    eps = chainrule.finfo(probs.dtype).eps
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs, is_binary=False):
    clamped = clamp_probs(probs)
    if is_binary:
        return chainrule.log(clamped) - chainrule.log1p(-clamped)
    return chainrule.log(clamped)


class lazy_property:
    """A property computed on first access (with gradients enabled) and then stored on the
    instance, so probs and logits are computed from each other only when needed."""

    def __init__(self, wrapped):
        self.wrapped = wrapped
        functools.update_wrapper(self, wrapped)

    def __get__(self, instance, obj_type=None):
        if instance is None:
            return self
        with chainrule.enable_grad():
            value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value
