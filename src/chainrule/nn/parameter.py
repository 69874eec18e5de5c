"""Parameter: a Tensor that a Module registers as learnable; Buffer marks module state.

A Parameter is a leaf Tensor (requires_grad=True by default) of its own class,
so `isinstance(p, Parameter)` tells Module to register it. Ops on it return
plain Tensors (every op builds its result as a Tensor), and its gradient
accumulates on the Parameter itself.
"""

import numpy as np

from ..tensor import Tensor

__all__ = ["Buffer", "Parameter"]


def _data_of(data):
    if data is None:
        from .. import dtypes

        return np.empty((0,), dtype=dtypes.get_default_dtype().np)
    if not isinstance(data, Tensor):
        raise TypeError(f"Parameter data must be a Tensor, got {type(data).__name__}")
    return data._data


class Parameter(Tensor):
    """Parameter(data=None, requires_grad=True): a learnable tensor sharing data's memory."""

    def __new__(cls, data=None, requires_grad=True):
        array = _data_of(data)
        p = Tensor._wrap.__func__(cls, array)
        if requires_grad:
            if array.dtype.kind not in "fc":
                raise RuntimeError(
                    "Only Tensors of floating point and complex dtype can require gradients"
                )
            p._requires_grad = True
        if isinstance(data, Tensor):
            # The same memory: the version counter is shared too.
            p._version_counter = data._shared_version_counter()
        return p

    def __init__(self, data=None, requires_grad=True):
        pass

    def __repr__(self, *, tensor_contents=None):
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol):
        return (_rebuild_parameter, (self._data, self._requires_grad))

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        p = Parameter(Tensor._wrap(self._data.copy()), self._requires_grad)
        if self._grad is not None:
            p._grad = Tensor._wrap(self._grad._data.copy())
        memo[id(self)] = p
        return p


def _rebuild_parameter(data, requires_grad):
    return Parameter(Tensor._wrap(np.array(data)), requires_grad)


class Buffer(Tensor):
    """Buffer(data, *, persistent=True): assigning one to a Module attribute registers it
    as a buffer (persistent ones are saved in state_dict)."""

    def __new__(cls, data=None, *, persistent=True):
        b = Tensor._wrap.__func__(cls, _data_of(data))
        b.persistent = persistent
        return b

    def __init__(self, data=None, *, persistent=True):
        pass
