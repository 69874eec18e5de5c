"""More element-wise math: inverse hyperbolic functions, atan2, hypot, copysign, degree and
radian conversion, nan_to_num, float_power, ldexp/frexp, logaddexp2, nextafter, heaviside,
gcd/lcm, bit shifts, rsub and __rdiv__, isin and isreal.

Derivatives follow PyTorch's formulas in its order of operations and are written in
chainrule ops (so they differentiate again); ops PyTorch does not differentiate
(heaviside, gcd, nextafter, the shifts, isin) have no gradient here either.
"""

from __future__ import annotations

import math

import numpy as np

from .. import dtypes, return_types
from ..tensor import Tensor
from ._lazy import publish
from .inplace import inplace
from .op import ZERO, Op, tensor_method
from .pointwise import Sub, promote, where
from .writes import store_out

__all__ = [
    "acosh",
    "arccosh",
    "arcsinh",
    "arctan2",
    "arctanh",
    "asinh",
    "atan2",
    "atanh",
    "bitwise_left_shift",
    "bitwise_right_shift",
    "copysign",
    "deg2rad",
    "float_power",
    "frexp",
    "gcd",
    "heaviside",
    "hypot",
    "isin",
    "isreal",
    "lcm",
    "ldexp",
    "logaddexp2",
    "nan_to_num",
    "nextafter",
    "rad2deg",
    "rsub",
]

_wrap = Tensor._wrap


def _type_name(array):
    return dtypes.scalar_type_name(dtypes.from_numpy_dtype(array.dtype))


def _not_implemented(kernel, array):
    return NotImplementedError(f"\"{kernel}_cpu\" not implemented for '{_type_name(array)}'")


def _float_tensor(x):
    return x if x._data.dtype.kind == "f" else x.to(dtypes.get_default_dtype())


def _tensor_operand(x, like):
    """A Python number as a 0-d tensor of like's dtype (after promotion)."""
    return x if isinstance(x, Tensor) else _wrap(np.asarray(x, dtype=like._data.dtype))


def _promoted_pair(input, other, float_result=False):
    a, b = promote(input, other, float_result=float_result)
    if not isinstance(a, Tensor):
        a = _tensor_operand(a, b)
    if not isinstance(b, Tensor):
        b = _tensor_operand(b, a)
    return a, b


def _with_inplace(fn, *names):
    """Attach fn as Tensor methods under names, and fn_ as their in-place forms."""
    tensor_method(*names)(fn)

    def method_(self, *args, **kwargs):
        others = tuple(a for a in args if isinstance(a, Tensor))
        return inplace(self, lambda t: fn(t, *args, **kwargs), others)

    method_.__name__ = names[0] + "_"
    tensor_method(*(n + "_" for n in names))(method_)
    return fn


# -- inverse hyperbolic functions ------------------------------------------------------------
class _Unary(Op):
    np_fn = None

    @classmethod
    def forward(cls, ctx, a):
        ctx.save_for_backward(a)
        with np.errstate(invalid="ignore", divide="ignore"):
            return cls.np_fn(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return ctx.op.derivative(grad, a)


class Acosh(_Unary):
    name = "AcoshBackward0"
    formula = "d(acosh(a))/da = 1/sqrt(a**2 - 1)"
    np_fn = staticmethod(np.arccosh)
    derivative = staticmethod(lambda g, a: g * (a.pow(2) - 1).rsqrt())


class Asinh(_Unary):
    name = "AsinhBackward0"
    formula = "d(asinh(a))/da = 1/sqrt(a**2 + 1)"
    np_fn = staticmethod(np.arcsinh)
    derivative = staticmethod(lambda g, a: g * (a.pow(2) + 1).rsqrt())


class Atanh(_Unary):
    name = "AtanhBackward0"
    formula = "d(atanh(a))/da = 1/(1 - a**2)"
    np_fn = staticmethod(np.arctanh)
    derivative = staticmethod(lambda g, a: g * 1 / (1 - a.pow(2)))


def _unary(op, name):
    def fn(input):
        return op.apply(_float_tensor(input))

    fn.__name__ = name
    fn.__doc__ = f"Elementwise {name}. {op.formula}"
    return fn


acosh = arccosh = _with_inplace(_unary(Acosh, "acosh"), "acosh", "arccosh")
asinh = arcsinh = _with_inplace(_unary(Asinh, "asinh"), "asinh", "arcsinh")
atanh = arctanh = _with_inplace(_unary(Atanh, "atanh"), "atanh", "arctanh")


class _Scale(Op):
    """a times a constant (degrees to radians and back), in the input's precision."""

    factor = None

    @classmethod
    def forward(cls, ctx, a):
        return a * a.dtype.type(cls.factor)

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.op.factor


class Deg2Rad(_Scale):
    name = "Deg2RadBackward0"
    formula = "d(a * pi/180)/da = pi/180"
    factor = math.pi / 180


class Rad2Deg(_Scale):
    name = "Rad2DegBackward0"
    formula = "d(a * 180/pi)/da = 180/pi"
    factor = 180 / math.pi


deg2rad = _with_inplace(_unary(Deg2Rad, "deg2rad"), "deg2rad")
rad2deg = _with_inplace(_unary(Rad2Deg, "rad2deg"), "rad2deg")


# -- atan2, hypot, copysign ------------------------------------------------------------------
class Atan2(Op):
    name = "Atan2Backward0"
    formula = "d(atan2(a, b))/da = b/(a**2 + b**2), d/db = -a/(a**2 + b**2)"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return _broadcasting(np.arctan2, a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        needs = ctx.needs_input_grad
        recip = (a * a + b * b).reciprocal()
        return (
            grad * b * recip if needs[0] else None,
            grad * -a * recip if needs[1] else None,
        )


def _broadcasting(fn, a, b):
    try:
        return fn(a, b)
    except ValueError:
        from .pointwise import broadcast_shapes_error

        raise broadcast_shapes_error(np.shape(a), np.shape(b)) from None


def _check_tensor_arg(fn_name, other, position=2, arg="other"):
    if not isinstance(other, Tensor):
        raise TypeError(
            f"{fn_name}(): argument '{arg}' (position {position}) must be Tensor, not "
            f"{type(other).__name__}"
        )


def atan2(input, other):
    """The angle of the point (other, input): arctan(input / other) in the right quadrant."""
    _check_tensor_arg("atan2", other)
    return Atan2.apply(*_promoted_pair(input, other, float_result=True))


arctan2 = _with_inplace(atan2, "atan2", "arctan2")


class Hypot(Op):
    name = "HypotBackward0"
    formula = "d(sqrt(a**2 + b**2))/da = a/hypot(a, b), d/db = b/hypot(a, b)"

    @staticmethod
    def forward(ctx, a, b):
        out = _broadcasting(np.hypot, a, b)
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b, result = ctx.saved_tensors
        needs = ctx.needs_input_grad
        return (
            grad * a / result if needs[0] else None,
            grad * b / result if needs[1] else None,
        )


def hypot(input, other):
    """sqrt(input**2 + other**2), without overflow for large inputs."""
    _check_tensor_arg("hypot", other)
    a, b = _promoted_pair(input, other)
    if a._data.dtype.kind != "f":
        raise _not_implemented("hypot", a._data)
    return Hypot.apply(a, b)


_with_inplace(hypot, "hypot")


class Copysign(Op):
    name = "CopysignBackward0"
    formula = "d(copysign(a, b))/da = copysign(a, b)/a (0 where a == 0), d/db = 0"

    @staticmethod
    def forward(ctx, a, b):
        out = _broadcasting(np.copysign, a, b)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, result = ctx.saved_tensors
        needs = ctx.needs_input_grad
        ga = None
        if needs[0]:
            # PyTorch's order: divide, then zero where a == 0 (a "safe" divisor would give
            # the same first derivative but a second derivative of 0 where PyTorch's is NaN)
            ga = grad * where(a == 0, 0.0, result / a)
        return ga, (ZERO(ctx, grad) if needs[1] else None)


class CopysignScalar(Copysign):
    name = "CopysignBackward1"


def copysign(input, other):
    """input's magnitude with other's sign (float result)."""
    a, b = promote(input, other, float_result=True)
    if isinstance(b, Tensor):
        return Copysign.apply(_tensor_operand(a, b), b)
    return CopysignScalar.apply(a, _tensor_operand(b, a))


_with_inplace(copysign, "copysign")


# -- nan_to_num, float_power, ldexp, frexp, logaddexp2 -----------------------------------------
class NanToNum(Op):
    name = "NanToNumBackward0"
    formula = "d(nan_to_num(a))/da = 1 where a is finite, else 0"

    @staticmethod
    def forward(ctx, a, *, nan, posinf, neginf):
        finite = np.isfinite(a)
        ctx.save_for_backward(finite)
        info = np.finfo(a.dtype)
        out = np.where(np.isnan(a), a.dtype.type(nan), a)
        out = np.where(out == np.inf, info.max if posinf is None else a.dtype.type(posinf), out)
        out = np.where(out == -np.inf, info.min if neginf is None else a.dtype.type(neginf), out)
        return out.astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (finite,) = ctx.saved_tensors
        return grad * finite


def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    """NaN, +inf and -inf replaced by nan, posinf and neginf (the dtype's largest and
    smallest finite values by default); integer tensors come back unchanged (a copy)."""
    if input._data.dtype.kind != "f":
        result = input.clone()
    else:
        result = NanToNum.apply(input, nan=nan, posinf=posinf, neginf=neginf)
    return result if out is None else store_out(out, result)


_with_inplace(nan_to_num, "nan_to_num")


def float_power(input, exponent):
    """input ** exponent computed in float64, as PyTorch's float_power is: a pow on
    float64 copies of both operands."""
    if not isinstance(input, Tensor) and not isinstance(exponent, Tensor):
        raise TypeError("float_power(): at least one operand must be a Tensor")
    base = input.to(dtypes.float64) if isinstance(input, Tensor) else float(input)
    power = exponent.to(dtypes.float64) if isinstance(exponent, Tensor) else float(exponent)
    if isinstance(base, Tensor):
        return base.pow(power)
    return base**power


tensor_method("float_power")(float_power)


@tensor_method("float_power_")
def float_power_(self, exponent):
    if self._data.dtype != np.float64:
        raise RuntimeError(
            f"the base given to float_power_ has dtype {_type_name(self._data)} but the "
            "operation's result requires dtype Double"
        )
    others = (exponent,) if isinstance(exponent, Tensor) else ()
    return inplace(self, lambda t: float_power(t, exponent), others)


class Ldexp(Op):
    name = "LdexpBackward0"
    formula = "d(a * 2**b)/da = 2**b, d/db = a * 2**b * ln 2"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        power = np.power(a.dtype.type(2), b.astype(a.dtype, copy=False))
        return _broadcasting(np.multiply, a, power)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        needs = ctx.needs_input_grad
        power = b.to(grad.dtype).exp2()
        return (
            grad * power if needs[0] else None,
            grad * a * power * math.log(2.0) if needs[1] else None,
        )


def ldexp(input, other, *, out=None):
    """input * 2 ** other, in input's float dtype (the default float dtype for integers)."""
    _check_tensor_arg("ldexp", other)
    a = _float_tensor(input)
    b = other
    if b._data.dtype.kind == "f" and b._data.dtype != a._data.dtype:
        a, b = _promoted_pair(a, b)
    result = Ldexp.apply(a, b)
    return result if out is None else store_out(out, result)


_with_inplace(ldexp, "ldexp")


class Frexp(Op):
    name = "FrexpBackward0"
    formula = "d(mantissa)/da = 1 / 2**exponent"

    @staticmethod
    def forward(ctx, a):
        mantissa, exponent = np.frexp(a)
        mantissa = np.asarray(mantissa)
        exponent = np.asarray(exponent, dtype=np.int32)
        ctx.save_for_backward(exponent)
        return mantissa, exponent

    @staticmethod
    def backward(ctx, grad, grad_exponent=None):
        (exponent,) = ctx.saved_tensors
        return grad / exponent.to(grad.dtype).exp2()


@tensor_method("frexp")
def frexp(input):
    """(mantissa, exponent) with input = mantissa * 2**exponent, 0.5 <= |mantissa| < 1."""
    if input._data.dtype.kind != "f":
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    mantissa, exponent = Frexp.apply(input)
    return return_types.frexp(mantissa, exponent)


class Logaddexp2(Op):
    name = "Logaddexp2Backward0"
    formula = "d(log2(2**a + 2**b))/da = 1/(1 + 2**(b-a)), d/db = 1/(1 + 2**(a-b))"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return _broadcasting(np.logaddexp2, a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        needs = ctx.needs_input_grad
        return (
            grad / (1 + (b - a).exp2()) if needs[0] else None,
            grad / (1 + (a - b).exp2()) if needs[1] else None,
        )


def logaddexp2(input, other):
    """log2(2**input + 2**other), without overflow."""
    a, b = _promoted_pair(input, other)
    if a._data.dtype.kind != "f":
        raise _not_implemented("logaddexp2", a._data)
    return Logaddexp2.apply(a, b)


tensor_method("logaddexp2")(logaddexp2)


# -- ops without a derivative ----------------------------------------------------------------
class _Binary(Op):
    differentiable = False
    np_fn = None
    kernel = None
    kinds = "iub"

    @classmethod
    def forward(cls, ctx, a, b):
        if a.dtype.kind not in cls.kinds:
            raise _not_implemented(cls.kernel, a)
        return _broadcasting(cls.np_fn, a, b)


class Gcd(_Binary):
    np_fn = staticmethod(np.gcd)
    kernel = "gcd"
    kinds = "iu"


class Lcm(_Binary):
    np_fn = staticmethod(np.lcm)
    kernel = "lcm"
    kinds = "iu"


class Nextafter(Op):
    name = "NextafterBackward0"
    formula = "d(nextafter(a, b))/da = 1, d/db = 0 (PyTorch's convention)"

    @staticmethod
    def forward(ctx, a, b):
        if a.dtype.kind != "f":
            raise _not_implemented("nextafter", a)
        return _broadcasting(np.nextafter, a, b)

    @staticmethod
    def backward(ctx, grad):
        needs = ctx.needs_input_grad
        return (grad if needs[0] else None), (ZERO(ctx, grad) if needs[1] else None)


def _binary(op, name):
    def fn(input, other):
        return op.apply(*_promoted_pair(input, other))

    fn.__name__ = name
    return fn


gcd = _with_inplace(_binary(Gcd, "gcd"), "gcd")
lcm = _with_inplace(_binary(Lcm, "lcm"), "lcm")
nextafter = _with_inplace(_binary(Nextafter, "nextafter"), "nextafter")


class Heaviside(Op):
    differentiable = False

    @staticmethod
    def forward(ctx, a, values):
        out = _broadcasting(lambda x, v: np.where(x == 0, v, (x > 0).astype(x.dtype)), a, values)
        return out.astype(a.dtype, copy=False)


def heaviside(input, values):
    """0 where input < 0, 1 where input > 0, values where input == 0."""
    _check_tensor_arg("heaviside", values, arg="values")
    if input._data.dtype != values._data.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    return Heaviside.apply(input, values)


_with_inplace(heaviside, "heaviside")


class _Shift(Op):
    differentiable = False
    left = True

    @classmethod
    def forward(cls, ctx, a, b):
        kernel = "lshift" if cls.left else "rshift"
        for x in (a, b):
            if np.asarray(x).dtype.kind not in "iub":
                raise _not_implemented(kernel, np.asarray(x))
        bits = a.dtype.itemsize * 8
        shift = np.asarray(b).astype(np.int64)
        # Shifts by a negative amount or by the width or more: PyTorch gives 0 (left) or
        # the sign (right), where C (and NumPy) leave it undefined.
        out_of_range = (shift < 0) | (shift >= bits)
        safe = np.where(out_of_range, 0, shift).astype(a.dtype)
        if cls.left:
            out = _broadcasting(np.left_shift, a, safe)
            return np.where(out_of_range, a.dtype.type(0), out).astype(a.dtype)
        out = _broadcasting(np.right_shift, a, safe)
        sign = np.where(a < 0, a.dtype.type(-1), a.dtype.type(0)) if a.dtype.kind == "i" else 0
        return np.where(out_of_range, sign, out).astype(a.dtype)


class LeftShift(_Shift):
    left = True


class RightShift(_Shift):
    left = False


def bitwise_left_shift(input, other):
    """input << other, for integer tensors."""
    return LeftShift.apply(*_promoted_pair(input, other))


def bitwise_right_shift(input, other):
    """input >> other (arithmetic for signed integers), for integer tensors."""
    return RightShift.apply(*_promoted_pair(input, other))


_with_inplace(bitwise_left_shift, "bitwise_left_shift")
_with_inplace(bitwise_right_shift, "bitwise_right_shift")
tensor_method("__lshift__")(bitwise_left_shift)
tensor_method("__rshift__")(bitwise_right_shift)
tensor_method("__rlshift__")(lambda self, other: bitwise_left_shift(other, self))
tensor_method("__rrshift__")(lambda self, other: bitwise_right_shift(other, self))


@tensor_method("__ilshift__")
def _ilshift(self, other):
    return inplace(self, lambda t: bitwise_left_shift(t, other))


@tensor_method("__irshift__")
def _irshift(self, other):
    return inplace(self, lambda t: bitwise_right_shift(t, other))


def isin(elements, test_elements, *, assume_unique=False, invert=False):
    """Whether each element of `elements` occurs in `test_elements` (either may be a number)."""
    if not isinstance(elements, Tensor) and not isinstance(test_elements, Tensor):
        raise TypeError("isin(): at least one of elements and test_elements must be a Tensor")
    e = elements._data if isinstance(elements, Tensor) else np.asarray(elements)
    t = test_elements._data if isinstance(test_elements, Tensor) else np.asarray(test_elements)
    return _wrap(np.asarray(np.isin(e, t, invert=invert)))


@tensor_method("isreal")
def isreal(input):
    """True where the element is real: everywhere, for a real dtype."""
    data = input._data
    if data.dtype.kind == "c":
        return _wrap(data.imag == 0)
    return _wrap(np.ones(data.shape, dtype=bool))


# -- rsub and __rdiv__ -----------------------------------------------------------------------
class Rsub(Sub):
    name = "RsubBackward0"


class RsubScalar(Sub):
    name = "RsubBackward1"


def rsub(input, other, *, alpha=1):
    """other - alpha * input."""
    for x in (input, other):
        if type(x) is bool or (isinstance(x, Tensor) and x._data.dtype == np.bool_):
            raise RuntimeError(
                "Subtraction, the `-` operator, with a bool tensor is not supported. If you "
                "are trying to invert a mask, use the `~` or `logical_not()` operator instead."
            )
    a, b = promote(other, input)
    if isinstance(a, Tensor):
        return Rsub.apply(a, b, alpha=alpha)
    return RsubScalar.apply(_tensor_operand(a, b), b, alpha=alpha)


tensor_method("__rdiv__")(Tensor.__rtruediv__)


publish(__name__)  # NumPy's argument names, chainrule.<name>: _lazy.py
