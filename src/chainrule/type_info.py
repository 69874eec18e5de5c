"""Questions about tensors and dtypes: is_tensor, result_type, can_cast, finfo, iinfo, ..."""

import numpy as np

from . import dtypes
from .tensor import Tensor

__all__ = [
    "can_cast",
    "finfo",
    "iinfo",
    "is_floating_point",
    "is_nonzero",
    "is_tensor",
    "numel",
    "result_type",
]


def is_tensor(obj):
    return isinstance(obj, Tensor)


def is_floating_point(input):
    return input.is_floating_point()


def numel(input):
    return input.numel()


def is_nonzero(input):
    """bool(input) for a one-element tensor, with PyTorch's errors otherwise."""
    n = input.numel()
    if n == 0:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
    if n > 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(input._data.reshape(()))


def _operand(x):
    if isinstance(x, Tensor):
        return (x.dtype, x._data.ndim)
    if isinstance(x, (bool, int, float, complex)):
        return x
    raise TypeError(
        "result_type() received an invalid combination of arguments - got "
        f"({type(x).__name__}), but expected (Tensor or Number, Tensor or Number)"
    )


def result_type(tensor1, tensor2):
    """The dtype an arithmetic op on the two operands gives (Python numbers are weak)."""
    return dtypes.result_type(_operand(tensor1), _operand(tensor2))


def can_cast(from_, to):
    """Whether PyTorch's in-place ops may write a `from_` result into a `to` tensor."""
    if from_.is_complex and not to.is_complex:
        return False
    if from_.is_floating_point and not (to.is_floating_point or to.is_complex):
        return False
    return not (from_ is not dtypes.bool_ and to is dtypes.bool_)


def _g(x):
    return f"{x:g}"


class finfo:
    """Machine limits of a floating-point dtype (the default dtype when none is given)."""

    def __init__(self, type=None):
        d = dtypes.get_default_dtype() if type is None else dtypes.to_dtype(type)
        if not (d.is_floating_point or d.is_complex):
            raise TypeError(
                "torch.finfo() requires a floating point input type. Use torch.iinfo to handle "
                "'torch.finfo'"
            )
        d = d.to_real()  # a complex type answers for its parts
        self.dtype = d.name
        if d is dtypes.bfloat16:  # float32's range with 8 significant bits
            self.bits, self.eps, self.max = 16, 2.0**-7, float(np.float32(3.3895313892515355e38))
            self.min, self.tiny = -self.max, 2.0**-126
            self.smallest_normal, self.resolution = self.tiny, 0.01
            return
        info = np.finfo(d.np)
        self.bits = int(info.bits)
        self.eps = float(info.eps)
        self.max = float(info.max)
        self.min = float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = 10.0 ** -int(info.precision)

    def __repr__(self):
        return (
            f"finfo(resolution={_g(self.resolution)}, min={_g(self.min)}, max={_g(self.max)}, "
            f"eps={_g(self.eps)}, smallest_normal={_g(self.smallest_normal)}, "
            f"tiny={_g(self.tiny)}, dtype={self.dtype})"
        )


class iinfo:
    """Limits of an integer dtype."""

    def __init__(self, type):
        d = dtypes.to_dtype(type)
        if d.is_floating_point:
            raise TypeError(
                "torch.iinfo() requires an integer input type. Use torch.finfo to handle "
                "'torch.iinfo'"
            )
        if d is dtypes.bool_:
            raise TypeError("torch.bool is not supported by torch.iinfo")
        info = np.iinfo(d.np)
        self.dtype = d.name
        self.bits = int(info.bits)
        self.max = int(info.max)
        self.min = int(info.min)

    def __repr__(self):
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"
