"""dtype objects, the default dtype, and PyTorch's type-promotion rules."""

import numpy as np


class dtype:
    """A tensor element type: a thin, printable wrapper around a NumPy dtype.

    `np` is the NumPy dtype a tensor of this type stores. bfloat16 and complex32 have no
    NumPy type: they are stored as float32 and complex64 arrays whose values are rounded to
    the narrower type on every write (ops/rounded.py), and whose NumPy dtype carries the
    name in its metadata, so that views and copies of the array keep it.
    """

    __slots__ = (
        "name",
        "np",
        "is_floating_point",
        "is_complex",
        "is_signed",
        "itemsize",
        "_category",
    )

    def __init__(self, name, np_dtype, category, itemsize=None):
        self.name = name
        self.np = np.dtype(np_dtype)
        self.itemsize = self.np.itemsize if itemsize is None else itemsize
        self._category = category  # 0 bool, 1 integer, 2 floating, 3 complex
        self.is_floating_point = category == 2
        self.is_complex = category == 3
        self.is_signed = name not in ("uint8", "bool")

    def __repr__(self):
        return "torch." + self.name

    def __reduce__(self):
        return (_by_name, (self.name,))

    def to_real(self):
        """The real dtype of a complex one's parts (itself for the others)."""
        return _REAL_OF.get(self, self)

    def to_complex(self):
        """The complex dtype whose parts are this floating dtype (itself if complex)."""
        return _COMPLEX_OF[self]


bool_ = dtype("bool", np.bool_, 0)
uint8 = dtype("uint8", np.uint8, 1)
int8 = dtype("int8", np.int8, 1)
int16 = dtype("int16", np.int16, 1)
int32 = dtype("int32", np.int32, 1)
int64 = dtype("int64", np.int64, 1)
float16 = dtype("float16", np.float16, 2)
float32 = dtype("float32", np.float32, 2)
float64 = dtype("float64", np.float64, 2)
complex64 = dtype("complex64", np.complex64, 3)
complex128 = dtype("complex128", np.complex128, 3)
# Stored wider, rounded on every write; the metadata names them (see the class docstring).
bfloat16 = dtype("bfloat16", np.dtype(np.float32, metadata={"chainrule": "bfloat16"}), 2, 2)
complex32 = dtype("complex32", np.dtype(np.complex64, metadata={"chainrule": "complex32"}), 3, 4)

ALL = (bool_, uint8, int8, int16, int32, int64, float16, float32, float64, complex64, complex128)
ROUNDED = (bfloat16, complex32)  # the dtypes stored in a wider NumPy type
# NumPy dtypes compare (and hash) equal whatever their metadata, so this table answers for
# plain arrays; from_numpy_dtype also reads the metadata.
_FROM_NP = {d.np: d for d in ALL}
_NAMES = {d.name: d for d in ALL + ROUNDED}
_REAL_OF = {complex64: float32, complex128: float64, complex32: float16}
_COMPLEX_OF = {float32: complex64, float64: complex128, float16: complex32, bfloat16: complex64}
_COMPLEX_OF.update({c: c for c in _REAL_OF})


def _by_name(name):
    return _NAMES[name]


def from_numpy_dtype(np_dtype):
    """The chainrule dtype for a NumPy dtype; a clear TypeError for unsupported ones."""
    np_dtype = np.dtype(np_dtype)
    meta = np_dtype.metadata
    if meta is not None and "chainrule" in meta:
        return _NAMES[meta["chainrule"]]
    try:
        return _FROM_NP[np_dtype]
    except KeyError:
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{np_dtype.type.__name__}. The only "
            "supported types are: float64, float32, float16, complex64, complex128, int64, "
            "int32, int16, int8, uint8, and bool."
        ) from None


def is_rounded(np_dtype):
    """Whether a NumPy dtype stores bfloat16 or complex32 (a wider type, rounded)."""
    meta = np_dtype.metadata
    return meta is not None and "chainrule" in meta


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
    if d is complex:
        return complex128
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


def default_complex_dtype():
    """complex128 when the default dtype is float64, else complex64 (PyTorch's rule)."""
    return complex128 if _DefaultDtype.value is float64 else complex64


def promote_types(a, b):
    """The smallest dtype both a and b convert to without loss, as PyTorch's promote_types."""
    if a is b:
        return a
    if a._category == 0:
        return b
    if b._category == 0:
        return a
    if a._category >= 2 and b._category >= 2:
        # Floating and complex: the wider of the two parts, complex if either is.
        real = _promote_real(a.to_real(), b.to_real())
        return real.to_complex() if a.is_complex or b.is_complex else real
    if a._category != b._category:
        return a if a._category > b._category else b  # an integer never widens a float
    return _FROM_NP[np.promote_types(a.np, b.np)]


def _promote_real(a, b):
    if a is b:
        return a
    if a is bfloat16 or b is bfloat16:
        other = b if a is bfloat16 else a
        return bfloat16 if other is bfloat16 else (float64 if other is float64 else float32)
    return _FROM_NP[np.promote_types(a.np, b.np)]


def _combine_categories(higher, lower):
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher.is_complex:
        return higher
    if lower.is_complex:
        # A floating type keeps its precision and becomes complex; an integer gives way.
        return higher.to_complex() if higher.is_floating_point else lower
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
    if isinstance(x, complex):
        return default_complex_dtype()
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
    "bfloat16": "BFloat16",
    "complex32": "ComplexHalf",
    "complex64": "ComplexFloat",
    "complex128": "ComplexDouble",
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
    "bfloat16": "c10::BFloat16",
    "complex32": "c10::complex<c10::Half>",
    "complex64": "c10::complex<float>",
    "complex128": "c10::complex<double>",
}


def cpp_type_name(d):
    """The C++ name of a dtype (chainrule or NumPy) as PyTorch's messages print it."""
    if type(d) is dtype:
        name = d.name
    else:
        try:
            name = from_numpy_dtype(d).name
        except TypeError:
            name = np.dtype(d).name
    return _CPP_NAMES.get(name, name)
