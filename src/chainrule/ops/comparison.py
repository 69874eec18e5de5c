"""Comparisons, logic and predicates (eq, lt, logical_and, isnan, ...): never differentiable.

Their results are bool (or integer, for bitwise ops) tensors, which carry no
gradient; they take part in autograd only as masks for where, masked_fill and
indexing.
"""

import numpy as np

from .. import dtypes
from ..tensor import Tensor
from .errors import binary_forward as _binary_forward
from .errors import broadcast_shapes_error
from .errors import not_implemented as _not_implemented
from .inplace import inplace
from .op import Op, tensor_method
from .promotion import promote

__all__ = [
    "allclose",
    "bitwise_and",
    "bitwise_not",
    "bitwise_or",
    "bitwise_xor",
    "eq",
    "equal",
    "ge",
    "greater",
    "greater_equal",
    "gt",
    "isclose",
    "isfinite",
    "isinf",
    "isnan",
    "isneginf",
    "isposinf",
    "le",
    "less",
    "less_equal",
    "logical_and",
    "logical_not",
    "logical_or",
    "logical_xor",
    "lt",
    "ne",
    "not_equal",
    "signbit",
]

_wrap = Tensor._wrap


def _comparison(name, np_fn, dunder=None):
    class Compare(Op):
        differentiable = False

        @staticmethod
        def forward(ctx, a, b):
            return _binary_forward(np_fn, a, b)

    Compare.__name__ = name.capitalize()

    def fn(input, other):
        a, b = promote(input, other)
        if not isinstance(a, Tensor):
            a, b = _wrap(np.asarray(a, dtype=b._data.dtype)), b
        return Compare.apply(a, b)

    fn.__name__ = name
    names = [name] + ([dunder] if dunder else [])
    tensor_method(*names)(fn)
    return fn


eq = _comparison("eq", np.equal, "__eq__")
ne = _comparison("ne", np.not_equal, "__ne__")
lt = _comparison("lt", np.less, "__lt__")
le = _comparison("le", np.less_equal, "__le__")
gt = _comparison("gt", np.greater, "__gt__")
ge = _comparison("ge", np.greater_equal, "__ge__")
less, less_equal, greater, greater_equal, not_equal = lt, le, gt, ge, ne
logical_and = _comparison("logical_and", np.logical_and)
logical_or = _comparison("logical_or", np.logical_or)
logical_xor = _comparison("logical_xor", np.logical_xor)


def _bitwise(name, np_fn, dunders):
    class Bitwise(Op):
        differentiable = False

        @staticmethod
        def forward(ctx, a, b):
            for x in (a, b):
                if isinstance(x, np.ndarray) and x.dtype.kind == "f":
                    raise _not_implemented(f"{name}_cpu", x)
            return _binary_forward(np_fn, a, b)

    def fn(input, other):
        a, b = promote(input, other)
        return Bitwise.apply(a, b)

    fn.__name__ = name
    tensor_method(name, *dunders)(fn)
    return fn


bitwise_and = _bitwise("bitwise_and", np.bitwise_and, ("__and__", "__rand__"))
bitwise_or = _bitwise("bitwise_or", np.bitwise_or, ("__or__", "__ror__"))
bitwise_xor = _bitwise("bitwise_xor", np.bitwise_xor, ("__xor__", "__rxor__"))


class _UnaryPredicate(Op):
    differentiable = False
    np_fn = None

    @classmethod
    def forward(cls, ctx, a):
        return cls.np_fn(a)


def _predicate(name, np_fn, *aliases):
    cls = type(name.capitalize(), (_UnaryPredicate,), {"np_fn": staticmethod(np_fn)})

    def fn(input):
        return cls.apply(input)

    fn.__name__ = name
    tensor_method(name, *aliases)(fn)
    return fn


def _not(a):
    if a.dtype == np.bool_:
        return np.logical_not(a)
    if a.dtype.kind == "f":
        raise _not_implemented("bitwise_not_cpu", a)
    return np.invert(a)


logical_not = _predicate("logical_not", np.logical_not)
bitwise_not = _predicate("bitwise_not", _not)


@tensor_method("__invert__")
def _invert(self):
    if self._data.dtype.kind == "f":  # the operator's own message, as in PyTorch
        raise TypeError(
            "~ (operator.invert) is only implemented on integer and Boolean-type tensors"
        )
    return bitwise_not(self)


isnan = _predicate("isnan", np.isnan)
isinf = _predicate("isinf", np.isinf)
isfinite = _predicate("isfinite", np.isfinite)
isposinf = _predicate("isposinf", np.isposinf)
isneginf = _predicate("isneginf", np.isneginf)
signbit = _predicate("signbit", np.signbit)


@tensor_method("logical_and_")
def logical_and_(self, other):
    return inplace(self, lambda t: logical_and(t, other))


@tensor_method("equal")
def equal(input, other):
    return input.shape == other.shape and bool(np.array_equal(input._data, other._data))


@tensor_method("allclose")
def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    _check_close(input, other, rtol, atol, "allclose")
    return bool(np.allclose(input._data, _arr(other), rtol=rtol, atol=atol, equal_nan=equal_nan))


@tensor_method("isclose")
def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    _check_close(input, other, rtol, atol, "isclose")
    return _wrap(np.isclose(input._data, _arr(other), rtol=rtol, atol=atol, equal_nan=equal_nan))


def _check_close(input, other, rtol, atol, name):
    """PyTorch's checks: a tensor of the same dtype, shapes that broadcast, tolerances >= 0."""
    if not isinstance(other, Tensor):
        raise TypeError(
            f"{name}(): argument 'other' (position 2) must be Tensor, not {type(other).__name__}"
        )
    a, b = input._data, other._data
    if a.dtype != b.dtype:
        names = (dtypes.scalar_type_name(dtypes.from_numpy_dtype(x.dtype)) for x in (a, b))
        raise RuntimeError("{} did not match {}".format(*names))
    if a.shape != b.shape:
        try:
            np.broadcast_shapes(a.shape, b.shape)
        except ValueError:
            raise broadcast_shapes_error(a.shape, b.shape) from None
    for what, value in (("rtol", rtol), ("atol", atol)):
        if value < 0:
            raise RuntimeError(f"{what} must be greater than or equal to zero, but got {value}")


def _arr(x):
    return x._data if isinstance(x, Tensor) else np.asarray(x)
