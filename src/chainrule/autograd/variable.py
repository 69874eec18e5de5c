"""Variable: the pre-0.4 PyTorch wrapper, kept because old tutorials still write it.

Every tensor is a Variable (isinstance holds); Variable(t, requires_grad=...) is a
new leaf sharing t's memory, outside t's graph.
"""

import warnings

import numpy as np

from ..tensor import Tensor


class _VariableMeta(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor)


class Variable(metaclass=_VariableMeta):
    def __new__(cls, data=None, requires_grad=False, volatile=False):
        if volatile:
            warnings.warn(
                "volatile was removed and now has no effect. Use `with torch.no_grad():` instead.",
                UserWarning,
                stacklevel=2,
            )
        if data is None:
            return Tensor._wrap(np.zeros((0,), np.float32), requires_grad)
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        leaf = data.detach()
        if requires_grad:
            if not leaf.is_floating_point():
                raise RuntimeError(
                    "Only Tensors of floating point and complex dtype can require gradients"
                )
            leaf.requires_grad_(True)
        return leaf
