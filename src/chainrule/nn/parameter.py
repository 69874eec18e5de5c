"""Parameter: a Tensor that a Module registers as learnable; Buffer marks module state;
UninitializedParameter and UninitializedBuffer: the placeholders of Lazy modules.

A Parameter is a leaf Tensor (requires_grad=True by default) of its own class,
so `isinstance(p, Parameter)` tells Module to register it. Ops on it return
plain Tensors (every op builds its result as a Tensor), and its gradient
accumulates on the Parameter itself.
"""

import numpy as np

from ..tensor import Tensor

__all__ = [
    "Buffer",
    "Parameter",
    "UninitializedBuffer",
    "UninitializedParameter",
    "is_lazy",
]


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


_SHAPE_ERROR = (
    "Can't access the shape of an uninitialized parameter or buffer. This error usually happens "
    "in `load_state_dict` when trying to load an uninitialized parameter into an initialized "
    "one. Call `forward` to initialize the parameters before accessing their attributes."
)


class UninitializedTensorMixin:
    """A tensor whose shape is not known yet (a Lazy module's, until its first forward):
    reading its values or shape raises, as PyTorch's does; materialize(shape) gives it
    storage and turns it into its class_to_become, in place, so that an optimizer or
    anything else holding it keeps holding the same object."""

    _is_uninitialized = True
    cls_to_become = None

    @property
    def _data(self):
        raise ValueError(
            f"Attempted to use an uninitialized parameter in chainrule. This error happens "
            "when you are using a `LazyModule` or explicitly manipulating "
            f"`torch.nn.parameter.{type(self).__name__}` objects. When using LazyModules Call "
            "`forward` with a dummy batch to initialize the parameters before calling torch "
            "functions"
        )

    def materialize(self, shape, device=None, dtype=None):
        """Give the tensor storage of `shape` (uninitialised values) and its final class."""
        from .. import dtypes

        dt = self._lazy_dtype if dtype is None else dtypes.to_dtype(dtype)
        self.__class__ = self.cls_to_become
        self._data = np.empty(tuple(shape), dtype=dt.np)

    @property
    def shape(self):
        raise RuntimeError(_SHAPE_ERROR)

    def size(self, dim=None):
        # PyTorch answers from the empty placeholder: torch.Size([0]).
        from ..tensor import Size

        return Size((0,)) if dim is None else (0,)[dim]

    @property
    def dtype(self):
        return self._lazy_dtype

    def is_floating_point(self):
        return self._lazy_dtype.is_floating_point

    def to(self, *args, **kwargs):
        from ..ops.conversion import _parse_to

        kwargs.pop("non_blocking", None)
        kwargs.pop("copy", None)
        kwargs.pop("memory_format", None)
        dtype, _ = _parse_to(args, kwargs)
        if dtype is None:
            return self
        return self._like(dtype)

    def double(self):
        from .. import dtypes

        return self._like(dtypes.float64)

    def float(self):
        from .. import dtypes

        return self._like(dtypes.float32)

    def half(self):
        from .. import dtypes

        return self._like(dtypes.float16)

    def cpu(self):
        return self

    def share_memory_(self):
        raise RuntimeError(
            "Can't share memory on an uninitialized parameter or buffer. Call `forward` to "
            "initialize the parameters before calling `module.share_memory()`."
        )

    def __repr__(self, *, tensor_contents=None):
        return f"<{type(self).__name__}>"

    def __deepcopy__(self, memo):
        if id(self) not in memo:
            memo[id(self)] = self._like(self._lazy_dtype)
        return memo[id(self)]


def _lazy_init(t, dtype, requires_grad):
    from .. import dtypes

    t._lazy_dtype = dtypes.get_default_dtype() if dtype is None else dtypes.to_dtype(dtype)
    if requires_grad:
        t._requires_grad = True
    return t


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    """A Parameter whose shape a Lazy module fills in on its first forward."""

    cls_to_become = Parameter

    def __new__(cls, requires_grad=True, device=None, dtype=None):
        if device is not None:
            from ..device import check_device

            check_device(device)
        return _lazy_init(object.__new__(cls), dtype, requires_grad)

    def __init__(self, *args, **kwargs):
        pass

    def _like(self, dtype):
        return UninitializedParameter(self._requires_grad, dtype=dtype)


class UninitializedBuffer(UninitializedTensorMixin, Tensor):
    """A buffer whose shape a Lazy module fills in on its first forward."""

    cls_to_become = Tensor

    def __new__(cls, requires_grad=False, device=None, dtype=None, persistent=True):
        t = _lazy_init(object.__new__(cls), dtype, requires_grad)
        t.persistent = persistent
        return t

    def __init__(self, *args, **kwargs):
        pass

    def _like(self, dtype):
        return UninitializedBuffer(self._requires_grad, dtype=dtype, persistent=self.persistent)


def is_lazy(param):
    """Whether param is an UninitializedParameter or UninitializedBuffer."""
    return isinstance(param, UninitializedTensorMixin)
