"""Variable: the pre-0.4 PyTorch wrapper, kept because old tutorials still write it.

Every tensor is a Variable (isinstance holds); Variable(t, requires_grad=...) is a
new leaf sharing t's memory, outside t's graph.
"""

from __future__ import annotations

from ..tensor import Tensor


class _VariableMeta(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor)


class Variable(metaclass=_VariableMeta):
    def __new__(cls, data, requires_grad=False, volatile=False):
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        leaf = data.detach()
        if requires_grad:
            leaf.requires_grad_(True)
        return leaf
