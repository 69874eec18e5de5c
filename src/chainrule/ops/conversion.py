"""Dtype conversion and copies: to(), the .float()/.long() family, clone, contiguous."""

import warnings

from .. import _narrow, dtypes
from .._legacy import legacy_dtype
from ..device import check_device
from ..device import device as device_cls
from ..tensor import Tensor
from .op import Op, tensor_method

__all__ = [
    "clone",
]


class ToCopy(Op):
    name = "ToCopyBackward0"
    formula = "d(a.to(dtype))/da = 1 (cast back)"
    keeps_dtype = True  # its result is in the dtype asked for, rounded by the cast itself

    @staticmethod
    def forward(ctx, a, *, dtype):
        ctx.source = dtypes.from_numpy_dtype(a.dtype)
        return _narrow.cast(a, dtypes.from_numpy_dtype(dtype))

    @staticmethod
    def backward(ctx, grad):
        if grad.is_complex() and not ctx.source.is_complex:
            grad = grad.real  # a real input's gradient is the real part
        return grad.to(ctx.source)


class Clone(Op):
    name = "CloneBackward0"
    formula = "d(clone(a))/da = 1"

    @staticmethod
    def forward(ctx, a):
        return a.copy()

    @staticmethod
    def backward(ctx, grad):
        return grad


def _parse_to(args, kwargs):
    """to(dtype), to(device), to(device, dtype), to(other_tensor), with keywords."""
    dtype = kwargs.pop("dtype", None)
    device = kwargs.pop("device", None)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"to() got an unexpected keyword argument '{next(iter(kwargs))}'")
    flags = [a for a in args if isinstance(a, bool)]  # non_blocking, copy: positional too
    if len(flags) > 2:
        raise TypeError("to() received an invalid combination of arguments")
    if len(flags) == 2:
        copy = flags[1]
    for a in args:
        if isinstance(a, bool):
            continue
        if isinstance(a, Tensor):
            dtype = a.dtype
        elif isinstance(a, (str, device_cls)):
            device = a
        elif a is not None:
            dtype = dtypes.to_dtype(a)
    if device is not None:
        check_device(device)
    return dtype, copy


@tensor_method("to")
def to(self, *args, **kwargs):
    dtype, copy = _parse_to(args, dict(kwargs))
    if dtype is None or dtypes.to_dtype(dtype) is self.dtype:
        return Clone.apply(self) if copy else self
    dtype = dtypes.to_dtype(dtype)
    if self.is_complex() and not dtype.is_complex:
        warnings.warn(
            "Casting complex values to real discards the imaginary part", UserWarning, stacklevel=2
        )
    return ToCopy.apply(self, dtype=dtype.np)


def _caster(d):
    def cast(self, memory_format=None):
        return to(self, d)

    return cast


for _name, _d in (
    ("float", dtypes.float32),
    ("double", dtypes.float64),
    ("half", dtypes.float16),
    ("long", dtypes.int64),
    ("int", dtypes.int32),
    ("short", dtypes.int16),
    ("char", dtypes.int8),
    ("byte", dtypes.uint8),
    ("bool", dtypes.bool_),
    ("bfloat16", dtypes.bfloat16),
    ("cfloat", dtypes.complex64),
    ("cdouble", dtypes.complex128),
    ("chalf", dtypes.complex32),
):
    tensor_method(_name)(_caster(_d))


@tensor_method("type")
def type_(self, dtype=None, non_blocking=False):
    """With no argument, the legacy type name ('torch.FloatTensor'); else a cast."""
    if dtype is None:
        return f"torch.{dtypes.scalar_type_name(self.dtype)}Tensor"
    dtype = legacy_dtype(dtype) or dtype  # FloatTensor, 'torch.LongTensor', Tensor
    return to(self, dtypes.to_dtype(dtype))


@tensor_method("type_as")
def type_as(self, other):
    return to(self, other.dtype)


@tensor_method("clone")
def clone(input, *, memory_format=None):
    return Clone.apply(input)


@tensor_method("contiguous")
def contiguous(self, memory_format=None):
    if self._data.flags.c_contiguous:
        return self
    return Clone.apply(self)


@tensor_method("cpu")
def cpu(self, memory_format=None):
    return self


@tensor_method("cuda")
def cuda(self, device=None, non_blocking=False):
    check_device("cuda")
