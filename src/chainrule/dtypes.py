"""dtype objects, the default dtype, and PyTorch's type-promotion rules."""

import numpy as np


class dtype:
    """A tensor element type: a thin, printable wrapper around a NumPy dtype."""

    __slots__ = ("name", "np", "is_floating_point", "is_signed", "itemsize", "_category")

    def __init__(self, name, np_dtype, category):
        self.name = name
        self.np = np.dtype(np_dtype)
        self.itemsize = self.np.itemsize
        self._category = category  # 0 bool, 1 integer, 2 floating
        self.is_floating_point = category == 2
        self.is_signed = name not in ("uint8", "bool")

    def __repr__(self):
        return "torch." + self.name

    def __reduce__(self):
        return (_by_name, (self.name,))

    @property
    def is_complex(self):
        return False


bool_ = dtype("bool", np.bool_, 0)
uint8 = dtype("uint8", np.uint8, 1)
int8 = dtype("int8", np.int8, 1)
int16 = dtype("int16", np.int16, 1)
int32 = dtype("int32", np.int32, 1)
int64 = dtype("int64", np.int64, 1)
float16 = dtype("float16", np.float16, 2)
float32 = dtype("float32", np.float32, 2)
float64 = dtype("float64", np.float64, 2)

ALL = (bool_, uint8, int8, int16, int32, int64, float16, float32, float64)
_FROM_NP = {d.np: d for d in ALL}
_NAMES = {d.name: d for d in ALL}


def _by_name(name):
    return _NAMES[name]


def from_numpy_dtype(np_dtype):
    """The chainrule dtype for a NumPy dtype; a clear TypeError for unsupported ones."""
    try:
        return _FROM_NP[np.dtype(np_dtype)]
    except KeyError:
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{np.dtype(np_dtype).type.__name__}. The only "
            "supported types are: float64, float32, float16, int64, int32, int16, int8, uint8, "
            "and bool."
        ) from None


def to_dtype(d):
    """A chainrule dtype from a chainrule dtype, a NumPy dtype, a Python type or a name."""
    if type(d) is dtype:
        return d
    if d is float:
        return float64
    if d is int:
        return int64
    if d is bool:
        return bool_
    if isinstance(d, str) and d in _NAMES:
        return _NAMES[d]
    return from_numpy_dtype(d)


class _DefaultDtype:
    value = float32


def get_default_dtype():
    return _DefaultDtype.value


def set_default_dtype(d):
    d = to_dtype(d)
    if not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _DefaultDtype.value = d


def promote_types(a, b):
    """The smallest dtype both a and b convert to without loss, as PyTorch's promote_types."""
    if a is b:
        return a
    if a._category == 0:
        return b
    if b._category == 0:
        return a
    if a.is_floating_point != b.is_floating_point:
        return a if a.is_floating_point else b  # an integer never widens a float
    return _FROM_NP[np.promote_types(a.np, b.np)]


def _combine_categories(higher, lower):
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher.is_floating_point:
        return higher
    if higher is bool_ or lower.is_floating_point:
        return promote_types(higher, lower)
    return higher


def scalar_dtype(x):
    """The dtype a Python number takes when it meets a tensor (weakly)."""
    if isinstance(x, bool):
        return bool_
    if isinstance(x, int):
        return int64
    return _DefaultDtype.value


def result_type(*operands):
    """PyTorch's result type for tensors with dimensions, 0-dim tensors and Python numbers.

    Operands are (dtype, ndim) pairs for tensors or plain Python numbers. Each
    priority class is promoted on its own, then the classes are combined so a
    lower class only wins when it belongs to a higher category (float over int).
    """
    dim_result = zero_result = wrapped_result = None
    for op in operands:
        if type(op) is tuple:
            d, ndim = op
            if ndim:
                dim_result = d if dim_result is None else promote_types(dim_result, d)
            else:
                zero_result = d if zero_result is None else promote_types(zero_result, d)
        else:
            d = scalar_dtype(op)
            wrapped_result = d if wrapped_result is None else promote_types(wrapped_result, d)
    return _combine_categories(dim_result, _combine_categories(zero_result, wrapped_result))


_LEGACY_NAMES = {
    "bool": "Bool",
    "uint8": "Byte",
    "int8": "Char",
    "int16": "Short",
    "int32": "Int",
    "int64": "Long",
    "float16": "Half",
    "float32": "Float",
    "float64": "Double",
}


def scalar_type_name(d):
    """The name PyTorch's messages use for a dtype: Float, Long, Bool ..."""
    return _LEGACY_NAMES[d.name]


# The C++ type names some of PyTorch's messages print (matmul's dtype mismatch,
# grad assignment, masks), by dtype name.
_CPP_NAMES = {
    "bool": "bool",
    "uint8": "unsigned char",
    "int8": "signed char",
    "int16": "short int",
    "int32": "int",
    "int64": "long int",
    "float16": "c10::Half",
    "float32": "float",
    "float64": "double",
}


def cpp_type_name(d):
    """The C++ name of a dtype (chainrule or NumPy) as PyTorch's messages print it."""
    name = d.name if type(d) is dtype else np.dtype(d).name
    return _CPP_NAMES.get(name, name)
