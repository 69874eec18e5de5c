"""PyTorch's legacy constructors: Tensor(...), FloatTensor(...), LongTensor(...) and friends.

`Tensor(data)` and `Tensor(*sizes)` make a tensor of the default dtype; the typed classes
(FloatTensor, LongTensor, ...) make one of their dtype, and `isinstance(t, FloatTensor)`
holds for every float32 tensor, as in PyTorch. The tensors made are plain Tensors.
Sizes give zero-filled tensors (PyTorch leaves the memory uninitialized).
"""

import warnings

import numpy as np

from . import dtypes
from .device import device as device_cls
from .ops.creation import tensor as make_tensor
from .tensor import Size, Tensor

__all__ = [
    "FloatTensor",
    "DoubleTensor",
    "HalfTensor",
    "LongTensor",
    "IntTensor",
    "ShortTensor",
    "CharTensor",
    "ByteTensor",
    "BoolTensor",
    "set_default_tensor_type",
]

_SIGNATURES = (
    " * (*, torch.device device = None)\n"
    " * (torch.Storage storage)\n"
    " * (Tensor other)\n"
    " * (tuple of ints size, *, torch.device device = None)\n"
    " * (object data, *, torch.device device = None)\n"
)


def _type_name(x):
    t = type(x)
    return f"numpy.{t.__name__}" if t.__module__ == "numpy" else t.__name__


def _bad_combination(args, kwargs):
    got = [_type_name(a) for a in args] + [f"{k}={_type_name(v)}" for k, v in kwargs.items()]
    signatures = _SIGNATURES
    unknown = [k for k in kwargs if k != "device"]
    if unknown:
        first, rest = signatures.split("\n", 1)
        signatures = (
            f"{first}\n      didn't match because some of the keywords were incorrect: "
            f"{', '.join(unknown)}\n{rest}"
        )
    return TypeError(
        f"new() received an invalid combination of arguments - got ({', '.join(got)}), "
        f"but expected one of:\n{signatures}"
    )


def _options(d):
    return (
        f"TensorOptions(dtype={dtypes.cpp_type_name(d)}, device=cpu, layout=Strided, "
        "requires_grad=false (default), pinned_memory=false (default), "
        "memory_format=(nullopt))"
    )


def _is_int(x):
    if isinstance(x, (bool, np.bool_)):
        return False
    if isinstance(x, (int, np.integer)):
        return True
    return isinstance(x, Tensor) and x._data.ndim == 0 and x._data.dtype.kind in "iu"


def _sizes(args):
    for i, s in enumerate(args):
        if not _is_int(s):
            raise TypeError(
                f"new(): argument 'size' failed to unpack the object at pos {i + 1} with "
                f'error "type must be tuple of ints,but got {_type_name(s)}"'
            )
    shape = [int(s) for s in args]
    for s in shape:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {shape}")
    return tuple(shape)


def legacy_array(d, args, kwargs, keep_tensor_dtype=False):
    """The NumPy array PyTorch's legacy constructor of dtype d makes from (args, kwargs).

    Returns (array, source tensor or None): a tensor argument is aliased, not copied.
    keep_tensor_dtype is Tensor(t)'s rule: any dtype is accepted and kept.
    """
    if kwargs:
        if set(kwargs) != {"device"}:
            raise _bad_combination(args, kwargs)
        dev = kwargs["device"]
        dev = dev if isinstance(dev, device_cls) else device_cls(str(dev))
        if dev.type != "cpu":
            raise RuntimeError(
                f"legacy constructor expects device type: cpu but device type: {dev.type} "
                "was passed"
            )
    if not args:
        return np.zeros((0,), d.np), None
    if len(args) == 1:
        arg = args[0]
        if isinstance(arg, Size):
            return np.zeros(_sizes(arg), d.np), None
        if _is_int(arg) and not isinstance(arg, Tensor):
            return np.zeros(_sizes(args), d.np), None
        if isinstance(arg, Tensor):
            if not keep_tensor_dtype and arg._data.dtype != d.np:
                raise TypeError(f"expected {_options(d)} (got {_options(arg.dtype)})")
            return arg._data, arg
        if isinstance(arg, (str, bytes)):
            raise TypeError(f"new(): invalid data type '{_type_name(arg)}'")
        if not isinstance(arg, (list, tuple, np.ndarray)):
            raise TypeError(f"new(): data must be a sequence (got {_type_name(arg)})")
        return make_tensor(arg, dtype=d)._data, None
    if _is_int(args[0]):
        return np.zeros(_sizes(args), d.np), None
    raise _bad_combination(args, kwargs)


def init_tensor(self, args, kwargs):
    """Tensor.__init__: PyTorch's legacy `Tensor(data)` / `Tensor(*sizes)`."""
    if "_data" in self.__dict__:
        return  # a subclass's __new__ made the tensor already
    arr, source = legacy_array(dtypes.get_default_dtype(), args, kwargs, keep_tensor_dtype=True)
    self._data = arr
    if source is not None:
        # an alias of the tensor given: same memory, same version counter
        self._version_counter = source._shared_version_counter()
        self._base = source if source._base is None else source._base


class _LegacyTensorType(type):
    """The metaclass of FloatTensor and friends: calling one constructs a Tensor of its
    dtype; isinstance(t, FloatTensor) asks whether t is a float32 tensor."""

    def __call__(cls, *args, **kwargs):
        arr, source = legacy_array(cls.dtype, args, kwargs)
        if source is not None:
            # an alias; gradients flow through it as through PyTorch's AliasBackward0
            return source.view_as(source) if source._requires_grad else source.detach()
        return Tensor._wrap(arr)

    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj._data.dtype == cls.dtype.np

    def __repr__(cls):
        return f"<class 'torch.{cls.__name__}'>"


def _legacy_type(name, d):
    return _LegacyTensorType(
        name, (), {"__module__": "chainrule", "dtype": d, "is_cuda": False, "is_sparse": False}
    )


FloatTensor = _legacy_type("FloatTensor", dtypes.float32)
DoubleTensor = _legacy_type("DoubleTensor", dtypes.float64)
HalfTensor = _legacy_type("HalfTensor", dtypes.float16)
LongTensor = _legacy_type("LongTensor", dtypes.int64)
IntTensor = _legacy_type("IntTensor", dtypes.int32)
ShortTensor = _legacy_type("ShortTensor", dtypes.int16)
CharTensor = _legacy_type("CharTensor", dtypes.int8)
ByteTensor = _legacy_type("ByteTensor", dtypes.uint8)
BoolTensor = _legacy_type("BoolTensor", dtypes.bool_)

_BY_NAME = {
    f"torch.{cls.__name__}": cls
    for cls in (
        FloatTensor,
        DoubleTensor,
        HalfTensor,
        LongTensor,
        IntTensor,
        ShortTensor,
        CharTensor,
        ByteTensor,
        BoolTensor,
    )
}


def legacy_dtype(t):
    """The dtype a legacy type (class or 'torch.FloatTensor' name) stands for, else None."""
    if isinstance(t, _LegacyTensorType):
        return t.dtype
    if t is Tensor:
        return dtypes.get_default_dtype()
    if isinstance(t, str):
        if t == "torch.Tensor":
            return dtypes.get_default_dtype()
        if t not in _BY_NAME:
            raise ValueError(f"invalid type: '{t}'")
        return _BY_NAME[t].dtype
    return None


def set_default_tensor_type(t):
    """Deprecated in PyTorch 2.1: set the default dtype through a legacy type."""
    warnings.warn(
        "torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
        "torch.set_default_dtype() and torch.set_default_device() as alternatives.",
        UserWarning,
        stacklevel=2,
    )
    d = legacy_dtype(t)
    if d is None:
        raise TypeError(
            "invalid type object: only floating-point types are supported as the default type"
        )
    if not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    dtypes.set_default_dtype(d)
