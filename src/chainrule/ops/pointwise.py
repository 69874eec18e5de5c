"""Pointwise ops: arithmetic with broadcasting and PyTorch's type promotion, and unary math.

Each derivative follows PyTorch's formula and its order of operations, so that
float32 gradients match bit for bit where the arithmetic is the same.
"""

from __future__ import annotations

import math
import numbers
from types import FunctionType

import numpy as np

from .. import dtypes
from ..autograd.grad_mode import state as _grad_state
from ..tensor import Tensor
from .inplace import inplace
from .op import NULL_CTX, Op, apply, apply1, apply2, tensor_method

__all__ = [
    "abs",
    "absolute",
    "acos",
    "add",
    "addcdiv",
    "addcmul",
    "asin",
    "atan",
    "ceil",
    "clamp",
    "clamp_max",
    "clamp_min",
    "clip",
    "cos",
    "cosh",
    "div",
    "divide",
    "erf",
    "exp",
    "expm1",
    "floor",
    "floor_divide",
    "fmod",
    "frac",
    "lerp",
    "log",
    "log10",
    "log1p",
    "log2",
    "maximum",
    "minimum",
    "mul",
    "multiply",
    "neg",
    "negative",
    "pow",
    "reciprocal",
    "relu",
    "remainder",
    "round",
    "rsqrt",
    "sgn",
    "sigmoid",
    "sign",
    "sin",
    "sinh",
    "softplus",
    "sqrt",
    "square",
    "sub",
    "subtract",
    "tan",
    "tanh",
    "true_divide",
    "trunc",
    "where",
]

_wrap = Tensor._wrap


# -- type promotion ----------------------------------------------------------------------
def _operand(x):
    """Tensors and Python numbers pass through; arrays and NumPy scalars become tensors."""
    if isinstance(x, Tensor) or type(x) in (float, int, bool):
        return x
    if isinstance(x, np.ndarray):
        return _wrap(x)
    if isinstance(x, np.generic):
        return x.item() if x.ndim == 0 and x.dtype.kind in "fib" else _wrap(np.asarray(x))
    if isinstance(x, numbers.Number):
        return x
    raise TypeError(f"unsupported operand type: '{type(x).__name__}'")


def promote(a, b, float_result=False):
    """Cast tensor operands to PyTorch's result type; Python numbers stay weak."""
    # The common cases first: same-dtype tensors, or a float tensor and a Python float.
    if a.__class__ is Tensor:
        kind = a._data.dtype.kind
        if b.__class__ is Tensor:
            if a._data.dtype is b._data.dtype and (kind == "f" or not float_result):
                return a, b
        elif (b.__class__ is float or b.__class__ is int) and kind == "f":
            return a, b
    a = _operand(a)
    b = _operand(b)
    ta = isinstance(a, Tensor)
    tb = isinstance(b, Tensor)
    if ta and tb:
        if a.dtype is b.dtype and (not float_result or a._data.dtype.kind == "f"):
            return a, b
        rt = dtypes.result_type((a.dtype, a._data.ndim), (b.dtype, b._data.ndim))
    elif ta:
        kind = a._data.dtype.kind
        if (
            kind == "f"
            and type(b) is not bool
            and type(b) is not complex
            or (type(b) is int and kind in "iu" and not float_result)
        ):
            return a, b
        rt = dtypes.result_type((a.dtype, a._data.ndim), b)
    elif tb:
        kind = b._data.dtype.kind
        if (
            kind == "f"
            and type(a) is not bool
            and type(a) is not complex
            or (type(a) is int and kind in "iu" and not float_result)
        ):
            return a, b
        rt = dtypes.result_type(a, (b.dtype, b._data.ndim))
    else:
        raise TypeError("at least one operand must be a Tensor")
    if float_result and not (rt.is_floating_point or rt.is_complex):
        rt = dtypes.get_default_dtype()
    if ta and a.dtype is not rt:
        a = a.to(rt)
    if tb and b.dtype is not rt:
        b = b.to(rt)
    # A weak Python number must not widen the computation in NumPy either.
    if not ta:
        a = _weak_scalar(a, rt)
    if not tb:
        b = _weak_scalar(b, rt)
    return a, b


def _weak_scalar(x, rt):
    if rt.is_complex:
        return complex(x)
    if rt.is_floating_point:
        return float(x)
    if rt is dtypes.bool_:
        return bool(x)
    return int(x)


def broadcast_shapes_error(a_shape, b_shape):
    """PyTorch's message for shapes that do not broadcast."""
    for i in range(1, max(len(a_shape), len(b_shape)) + 1):
        sa = a_shape[-i] if i <= len(a_shape) else 1
        sb = b_shape[-i] if i <= len(b_shape) else 1
        if sa != sb and sa != 1 and sb != 1:
            dim = max(len(a_shape), len(b_shape)) - i
            return RuntimeError(
                f"The size of tensor a ({sa}) must match the size of tensor b ({sb}) at "
                f"non-singleton dimension {dim}"
            )
    return RuntimeError(f"shapes {list(a_shape)} and {list(b_shape)} do not broadcast")


def _binary_forward(fn, a, b):
    try:
        return fn(a, b)
    except ValueError:
        raise broadcast_shapes_error(np.shape(a), np.shape(b)) from None


_NO_KWARGS = {}


# -- arithmetic -----------------------------------------------------------------------
class Add(Op):
    name = "AddBackward0"
    ufunc = np.add
    formula = "d(a+b)/da = 1, d(a+b)/db = 1"

    @staticmethod
    def forward(ctx, a, b):
        try:
            return a + b
        except ValueError:
            raise broadcast_shapes_error(np.shape(a), np.shape(b)) from None

    @staticmethod
    def backward(ctx, grad):
        return grad, grad


def _scaled(b, alpha):
    # A Python number times alpha stays a Python number, so it stays weak: float32 + 0.3 * -0.1
    # is float32, as in PyTorch (np.multiply would make it a float64 scalar, which promotes).
    return np.multiply(b, alpha) if isinstance(b, np.ndarray) else b * alpha


class AddScaled(Op):
    name = "AddBackward0"
    formula = "d(a+alpha*b)/da = 1, d(a+alpha*b)/db = alpha"

    @staticmethod
    def forward(ctx, a, b, *, alpha):
        ctx.alpha = alpha
        return _binary_forward(np.add, a, _scaled(b, alpha))

    @staticmethod
    def backward(ctx, grad):
        return grad, grad * ctx.alpha


class Sub(Op):
    name = "SubBackward0"
    ufunc = np.subtract  # with alpha=1; alpha comes as a keyword
    formula = "d(a-b)/da = 1, d(a-b)/db = -1"

    @staticmethod
    def forward(ctx, a, b, *, alpha=1):
        ctx.alpha = alpha
        try:
            return a - b if alpha == 1 else a - _scaled(b, alpha)
        except ValueError:
            raise broadcast_shapes_error(np.shape(a), np.shape(b)) from None

    @staticmethod
    def backward(ctx, grad):
        alpha = ctx.alpha
        return grad, (-grad if alpha == 1 else -grad * alpha)


class Mul(Op):
    name = "MulBackward0"
    ufunc = np.multiply
    formula = "d(a*b)/da = b, d(a*b)/db = a"

    @staticmethod
    def forward(ctx, a, b):
        # As PyTorch: with a Python number for b, a is not needed (nor saved), so an
        # in-place change of a later does not invalidate this node.
        ctx.save_for_backward(a if b.__class__ is np.ndarray else None, b)
        try:
            return a * b
        except ValueError:
            raise broadcast_shapes_error(np.shape(a), np.shape(b)) from None

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        needs = ctx.next_functions
        return (
            grad * b if needs[0][0] is not None else None,
            grad * a if needs[1][0] is not None else None,
        )


class Div(Op):
    name = "DivBackward0"
    ufunc = np.true_divide
    formula = "d(a/b)/da = 1/b, d(a/b)/db = -a/b**2"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a if b.__class__ is np.ndarray else None, b)
        return _binary_forward(np.true_divide, a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        needs = ctx.next_functions
        return (
            grad / b if needs[0][0] is not None else None,
            -grad * ((a / b) / b) if needs[1][0] is not None else None,
        )


class Neg(Op):
    name = "NegBackward0"
    ufunc = np.negative  # on float input (bool is refused by forward)
    formula = "d(-a)/da = -1"

    @staticmethod
    def forward(ctx, a):
        if a.dtype == np.bool_:
            raise RuntimeError(
                "Negation, the `-` operator, on a bool tensor is not supported. If you are "
                "trying to invert a mask, use the `~` or `logical_not()` operator instead."
            )
        return np.negative(a)

    @staticmethod
    def backward(ctx, grad):
        return -grad


class PowScalar(Op):
    name = "PowBackward0"
    formula = "d(a**n)/da = n * a**(n-1)"

    @staticmethod
    def forward(ctx, a, *, exponent):
        ctx.save_for_backward(a)
        ctx.exponent = exponent
        if a.dtype.kind == "f":
            # The exponents PyTorch computes by multiplication or roots, computed
            # the same way so that results agree to the last bit.
            if exponent == 2:
                return a * a
            if exponent == 1:
                return a.copy()
            if exponent == 3:
                return a * a * a
            if exponent == 0.5:
                return np.sqrt(a)
            if exponent == -1:
                return 1 / a
            if exponent == -2:
                return 1 / (a * a)
            if exponent == -0.5:
                return 1 / np.sqrt(a)
        elif isinstance(exponent, int) and exponent < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        return np.power(a, exponent)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        exponent = ctx.exponent
        if exponent == 0:
            return grad * 0
        return apply2(PowBackward, grad, a, {"exponent": exponent})


class PowBackward(Op):
    """The derivative of a**n as one primitive (one op on the backward pass instead
    of three), computed in PyTorch's order: grad * (n * a**(n-1))."""

    name = "PowBackwardBackward0"
    formula = "d(g*n*a**(n-1))/dg = n*a**(n-1), d/da = g*n*(n-1)*a**(n-2)"

    @staticmethod
    def forward(ctx, grad, a, *, exponent):
        ctx.save_for_backward(grad, a)
        ctx.exponent = exponent
        # a**1 is a itself: no copy needed for the commonest exponent, 2.
        power = a if exponent == 2 else PowScalar.forward(NULL_CTX, a, exponent=exponent - 1)
        return grad * (exponent * power)

    @staticmethod
    def backward(ctx, gg):
        grad, a = ctx.saved_tensors
        n = ctx.exponent
        needs = ctx.next_functions
        return (
            gg * (n * a.pow(n - 1)) if needs[0][0] is not None else None,
            gg * grad * (n * (n - 1) * a.pow(n - 2)) if needs[1][0] is not None else None,
        )


class Pow(Op):
    name = "PowBackward1"
    formula = "d(a**b)/da = b * a**(b-1), d(a**b)/db = a**b * log(a)"

    @staticmethod
    def forward(ctx, a, b):
        out = _binary_forward(np.power, a, b)
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b, result = ctx.saved_tensors
        needs = ctx.next_functions
        ga = gb = None
        if needs[0][0] is not None:
            ga = where(b == 0, 0.0, grad * (b * a.pow(b - 1)))
        if needs[1][0] is not None:
            if isinstance(a, Tensor):
                gb = grad * where((a == 0) & (b >= 0), 0.0, result * a.log())
            else:
                gb = grad * (result * math.log(a)) if a != 0 else grad * 0
        return ga, gb


class Remainder(Op):
    name = "RemainderBackward0"
    formula = "d(a mod b)/da = 1, d(a mod b)/db = -floor(a/b)"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        _check_int_division(a, b)
        return _binary_forward(np.remainder, a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        gb = None
        if ctx.next_functions[1][0] is not None:
            gb = -grad * (a / b).floor()
        return grad, gb


class FloorDivide(Op):
    name = "FloorDivideBackward0"
    differentiable = False

    @staticmethod
    def forward(ctx, a, b):
        _check_int_division(a, b)
        return _binary_forward(np.floor_divide, a, b)


@tensor_method("add", "__add__", "__radd__")
def add(input, other, *, alpha=1, out=None):
    a, b = promote(input, other)
    if alpha != 1:
        result = AddScaled.apply(a, b, alpha=alpha)
    elif a.__class__ is Tensor or isinstance(a, Tensor):
        result = apply2(Add, a, b)
    else:
        result = apply2(Add, b, a)
    return _maybe_out(result, out)


@tensor_method("sub", "subtract", "__sub__")
def sub(input, other, *, alpha=1, out=None):
    a, b = promote(input, other)
    if isinstance(a, Tensor) and a._data.dtype == np.bool_:
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the "
            "`^` or `logical_xor()` operator instead."
        )
    _check_sub_bool(input, other)
    if a.__class__ is Tensor or isinstance(a, Tensor):
        if alpha == 1 and out is None:
            return apply2(Sub, a, b)
        return _maybe_out(Sub.apply(a, b, alpha=alpha), out)
    return _maybe_out(apply(Sub, (a, b), {"alpha": alpha}, name="RsubBackward1"), out)


subtract = sub


@tensor_method("__rsub__")
def rsub(input, other, *, alpha=1):
    _check_sub_bool(input, other)
    a, b = promote(other, input)
    return apply(Sub, (a, b), _NO_KWARGS if alpha == 1 else {"alpha": alpha}, name="RsubBackward1")


@tensor_method("mul", "multiply", "__mul__", "__rmul__")
def mul(input, other, *, out=None):
    a, b = promote(input, other)
    if not (a.__class__ is Tensor or isinstance(a, Tensor)):
        a, b = b, a
    result = apply2(Mul, a, b)
    return result if out is None else _maybe_out(result, out)


multiply = mul


@tensor_method("div", "divide", "true_divide", "__truediv__")
def div(input, other, *, rounding_mode=None, out=None):
    if rounding_mode == "floor":
        return floor_divide(input, other)
    if rounding_mode == "trunc":
        a, b = promote(input, other)
        q = Div.apply(*promote(a, b, float_result=True)).trunc()
        return _maybe_out(q.to(_result_dtype(a, b)) if not q.is_floating_point() else q, out)
    if rounding_mode is not None:
        raise RuntimeError(
            "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
            f"'{rounding_mode}'"
        )
    a, b = promote(input, other, float_result=True)
    if a.__class__ is Tensor or isinstance(a, Tensor):
        result = apply2(Div, a, b)
    else:
        result = Div.apply(a, b)
    return result if out is None else _maybe_out(result, out)


divide = true_divide = div


def _result_dtype(a, b):
    return a.dtype if isinstance(a, Tensor) else b.dtype


@tensor_method("__rtruediv__")
def rdiv(input, other):
    return input.reciprocal() * other


def _operator(op, full):
    """The operator form (a * b) of a binary op: a float tensor with a tensor of its own
    dtype or with a Python number goes straight to the op; anything else (promotion,
    integer and bool tensors, arrays) takes the full function."""

    def method(self, other):
        if self._data.dtype.kind == "f":
            c = other.__class__
            if c is Tensor:
                if other._data.dtype is self._data.dtype:
                    return apply2(op, self, other)
            elif c is float or c is int:
                return apply2(op, self, other)
        return full(self, other)

    method.__name__ = full.__name__
    return method


Tensor.__add__ = Tensor.__radd__ = _operator(Add, add)
Tensor.__sub__ = _operator(Sub, sub)
Tensor.__mul__ = Tensor.__rmul__ = _operator(Mul, mul)
Tensor.__truediv__ = _operator(Div, div)


@tensor_method("floor_divide", "__floordiv__")
def floor_divide(input, other):
    a, b = promote(input, other)
    return FloorDivide.apply(a, b)


@tensor_method("__rfloordiv__")
def rfloordiv(input, other):
    a, b = promote(other, input)
    return FloorDivide.apply(a, b)


@tensor_method("remainder", "__mod__")
def remainder(input, other):
    a, b = promote(input, other)
    return Remainder.apply(a, b)


@tensor_method("fmod")
def fmod(input, other):
    a, b = promote(input, other)
    return input - (a / b).trunc() * b if a.is_floating_point() else remainder(a, b)


@tensor_method("__rmod__")
def rmod(input, other):
    a, b = promote(other, input)
    return Remainder.apply(a, b)


@tensor_method("neg", "negative", "__neg__")
def neg(input):
    return apply1(Neg, input)


negative = neg


@tensor_method("__pos__", "positive")
def positive(input):
    return input


@tensor_method("pow", "__pow__")
def pow(input, exponent):
    if isinstance(input, Tensor) and type(exponent) in (int, float):
        if input._data.dtype.kind in "iub" and type(exponent) is float:
            input = input.to(dtypes.get_default_dtype())
        return apply1(PowScalar, input, {"exponent": exponent})
    a, b = promote(input, exponent)
    return Pow.apply(a, b) if isinstance(a, Tensor) else apply(Pow, (a, b), {}, "PowBackward2")


@tensor_method("__rpow__")
def rpow(input, other):
    a, b = promote(other, input)
    return apply(Pow, (a, b), _NO_KWARGS, name="PowBackward2")


@tensor_method("square")
def square(input):
    return pow(input, 2)


def _maybe_out(result, out):
    if out is None:
        return result
    from .inplace import write_out

    return write_out(out, result)


# -- unary math -------------------------------------------------------------------------
def _unary(name, np_fn, formula, backward, saves="input", float_only=True, torch_name=None):
    """Define a one-input op: its forward is a NumPy ufunc, its backward a formula in ops."""

    def forward(ctx, a):
        if float_only and a.dtype.kind not in "fc":
            a = a.astype(dtypes.get_default_dtype().np)
        out = np_fn(a)
        if saves == "input":
            ctx.save_for_backward(a)
        elif saves == "output":
            ctx.save_for_backward(out)
        return out

    def bwd(ctx, grad):
        (saved,) = ctx.saved_tensors if saves else (None,)
        return backward(grad, saved)

    cls = type(
        name,
        (Op,),
        {
            "name": torch_name or f"{name}Backward0",
            "formula": formula,
            "forward": staticmethod(forward),
            "backward": staticmethod(bwd),
            "ufunc": staticmethod(np_fn) if isinstance(np_fn, FunctionType) else np_fn,
        },
    )
    return cls


Exp = _unary("Exp", np.exp, "d(exp(a))/da = exp(a)", lambda g, r: g * r, saves="output")
Log = _unary("Log", np.log, "d(log(a))/da = 1/a", lambda g, a: g / a)
Log2 = _unary("Log2", np.log2, "d(log2(a))/da = 1/(a*ln 2)", lambda g, a: g / (a * math.log(2.0)))
Log10 = _unary(
    "Log10", np.log10, "d(log10(a))/da = 1/(a*ln 10)", lambda g, a: g / (a * math.log(10.0))
)
Log1p = _unary(
    "Log1p",
    np.log1p,
    "d(log1p(a))/da = 1/(1+a)",
    lambda g, a: g / (a + 1),
    torch_name="Log1PBackward0",
)
Expm1 = _unary("Expm1", np.expm1, "d(expm1(a))/da = expm1(a)+1", lambda g, r: g * (r + 1), "output")
Sqrt = _unary("Sqrt", np.sqrt, "d(sqrt(a))/da = 1/(2*sqrt(a))", lambda g, r: g / (2 * r), "output")
Rsqrt = _unary(
    "Rsqrt",
    lambda a: np.reciprocal(np.sqrt(a)),
    "d(a**-0.5)/da = -0.5 * a**-1.5",
    lambda g, r: -0.5 * g * r.pow(3),
    "output",
)
Sin = _unary("Sin", np.sin, "d(sin(a))/da = cos(a)", lambda g, a: g * a.cos())
Cos = _unary("Cos", np.cos, "d(cos(a))/da = -sin(a)", lambda g, a: g * -a.sin())
Tan = _unary(
    "Tan", np.tan, "d(tan(a))/da = 1 + tan(a)**2", lambda g, r: g * (1 + r.pow(2)), "output"
)
Tanh = _unary(
    "Tanh", np.tanh, "d(tanh(a))/da = 1 - tanh(a)**2", lambda g, r: tanh_backward(g, r), "output"
)
Asin = _unary(
    "Asin", np.arcsin, "d(asin(a))/da = 1/sqrt(1-a**2)", lambda g, a: g * (-a * a + 1).rsqrt()
)
Acos = _unary(
    "Acos", np.arccos, "d(acos(a))/da = -1/sqrt(1-a**2)", lambda g, a: g * -((-a * a + 1).rsqrt())
)
Atan = _unary("Atan", np.arctan, "d(atan(a))/da = 1/(1+a**2)", lambda g, a: g / (a * a + 1))
Sinh = _unary("Sinh", np.sinh, "d(sinh(a))/da = cosh(a)", lambda g, a: g * a.cosh())
Cosh = _unary("Cosh", np.cosh, "d(cosh(a))/da = sinh(a)", lambda g, a: g * a.sinh())


# Per dtype (by its one-letter code): 1 as a NumPy scalar of that dtype (cheaper
# for NumPy than a Python number on tiny arrays), and the input below which
# exp(-a) overflows. There the result is still right (1 / inf = 0) but NumPy
# would warn, so only such inputs pay for errstate.
_SIGMOID_CONSTANTS = {
    np.dtype(t).char: (t(1), -float(np.log(np.finfo(t).max)))
    for t in (np.float16, np.float32, np.float64)
}


def _sigmoid_np(a):
    one, lowest = _SIGMOID_CONSTANTS[a.dtype.char]
    if a.size and a.min() >= lowest:
        return np.reciprocal(np.exp(-a) + one)
    with np.errstate(over="ignore"):
        return np.reciprocal(np.exp(-a) + one)


Sigmoid = _unary(
    "Sigmoid",
    _sigmoid_np,
    "d(sigmoid(a))/da = sigmoid(a) * (1 - sigmoid(a))",
    lambda g, r: sigmoid_backward(g, r),
    "output",
)


# The backward formulas of tanh and sigmoid are primitives of their own, as in
# PyTorch: one op instead of three on the backward pass, and differentiable
# again for higher-order gradients.
class TanhBackward(Op):
    name = "TanhBackwardBackward0"
    formula = "d(g*(1-y*y))/dg = 1-y*y, d/dy = -2*y*g"

    @staticmethod
    def ufunc(g, y):
        return g * (1 - y * y)

    @staticmethod
    def forward(ctx, g, y):
        ctx.save_for_backward(g, y)
        return g * (1 - y * y)

    @staticmethod
    def backward(ctx, grad):
        g, y = ctx.saved_tensors
        needs = ctx.next_functions
        return (
            tanh_backward(grad, y) if needs[0][0] is not None else None,
            grad * (-2 * y * g) if needs[1][0] is not None else None,
        )


class SigmoidBackward(Op):
    name = "SigmoidBackwardBackward0"
    formula = "d(g*(1-y)*y)/dg = (1-y)*y, d/dy = g*(1-2*y)"

    @staticmethod
    def ufunc(g, y):
        return g * (1 - y) * y

    @staticmethod
    def forward(ctx, g, y):
        ctx.save_for_backward(g, y)
        return g * (1 - y) * y

    @staticmethod
    def backward(ctx, grad):
        g, y = ctx.saved_tensors
        needs = ctx.next_functions
        return (
            sigmoid_backward(grad, y) if needs[0][0] is not None else None,
            grad * g * (-2 * y + 1) if needs[1][0] is not None else None,
        )


def tanh_backward(grad, output):
    """grad * (1 - output**2): the gradient of tanh given its output."""
    return apply2(TanhBackward, grad, output)


def sigmoid_backward(grad, output):
    """grad * (1 - output) * output: the gradient of sigmoid given its output."""
    return apply2(SigmoidBackward, grad, output)


Reciprocal = _unary(
    "Reciprocal", np.reciprocal, "d(1/a)/da = -1/a**2", lambda g, r: -g * (r * r), "output"
)
Abs = _unary("Abs", np.abs, "d|a|/da = sign(a)", lambda g, a: g * a.sign(), float_only=False)
Erf = _unary(
    "Erf",
    lambda a: _erf(a),
    "d(erf(a))/da = 2/sqrt(pi) * exp(-a**2)",
    lambda g, a: 2.0 / math.sqrt(math.pi) * (-(a.pow(2))).exp() * g,
)


def _erf(a):
    try:
        from scipy.special import erf
    except ImportError:  # pragma: no cover - scipy is optional
        erf = np.vectorize(math.erf, otypes=[a.dtype])
    return erf(a).astype(a.dtype, copy=False)


def _zero_grad_unary(name, np_fn, keep_int=True):
    def forward(ctx, a):
        return np_fn(a) if a.dtype.kind == "f" or not keep_int else a.copy()

    return type(
        name,
        (Op,),
        {
            "name": f"{name}Backward0",
            "formula": f"d({name.lower()}(a))/da = 0",
            "forward": staticmethod(forward),
            "backward": staticmethod(lambda ctx, grad: grad * 0),
        },
    )


Sign = _zero_grad_unary("Sign", np.sign, keep_int=False)
Floor = _zero_grad_unary("Floor", np.floor)
Ceil = _zero_grad_unary("Ceil", np.ceil)
Trunc = _zero_grad_unary("Trunc", np.trunc)
Frac = _unary("Frac", lambda a: a - np.trunc(a), "d(frac(a))/da = 1", lambda g, a: g, saves=None)


class Round(Op):
    name = "RoundBackward0"
    formula = "d(round(a))/da = 0"

    @staticmethod
    def forward(ctx, a, *, decimals=0):
        if a.dtype.kind != "f":
            return a.copy()
        return np.round(a, decimals)

    @staticmethod
    def backward(ctx, grad):
        return grad * 0


class Relu(Op):
    name = "ReluBackward0"
    formula = "d(relu(a))/da = 1 if a > 0 else 0"

    @staticmethod
    def forward(ctx, a):
        out = np.maximum(a, 0).astype(a.dtype, copy=False)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (result,) = ctx.saved_tensors
        return where(result <= 0, 0.0, grad)


class Clamp(Op):
    name = "ClampBackward1"
    formula = "d(clamp(a, lo, hi))/da = 1 if lo <= a <= hi else 0"

    @staticmethod
    def forward(ctx, a, min=None, max=None):
        ctx.save_for_backward(a)
        ctx.bounds = (min, max)
        out = a
        if min is not None:
            out = np.maximum(out, min)
        if max is not None:
            out = np.minimum(out, max)
        if out is a:
            out = a.copy()
        return out.astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        lo, hi = ctx.bounds
        mask = None
        if lo is not None:
            mask = a >= lo
        if hi is not None:
            upper = a <= hi
            mask = upper if mask is None else mask & upper
        return grad if mask is None else where(mask, grad, 0.0)


class Maximum(Op):
    name = "MaximumBackward0"
    formula = "d(max(a,b))/da = 1 where a > b (1/2 on ties)"
    np_fn = staticmethod(np.maximum)
    sign = 1

    @classmethod
    def forward(cls, ctx, a, b):
        ctx.save_for_backward(a, b)
        return _binary_forward(cls.np_fn, a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        sign = ctx.op.sign
        ties = a == b
        half = where(ties, grad / 2, grad)
        a_loses = (a < b) if sign > 0 else (a > b)
        b_loses = (a > b) if sign > 0 else (a < b)
        return half.masked_fill(a_loses, 0), half.masked_fill(b_loses, 0)


class Minimum(Maximum):
    name = "MinimumBackward0"
    formula = "d(min(a,b))/da = 1 where a < b (1/2 on ties)"
    np_fn = staticmethod(np.minimum)
    sign = -1


_INT_VIEW = {np.dtype(np.float32): np.int32, np.dtype(np.float64): np.int64}


def _where_zero(condition, a, b):
    """where(condition, 0, b) or where(condition, a, 0) for a float array of condition's
    shape, bit for bit, as one AND with a mask: np.where branches on every element, which
    costs ten times more on a random mask (relu's backward); None where this does not apply."""
    if a.__class__ is np.ndarray and a.ndim:
        x, zero, zero_where = a, b, False
    else:
        x, zero, zero_where = b, a, True
    if x.__class__ is not np.ndarray or not x.ndim or x.dtype.kind != "f":
        return None
    if zero.__class__ is np.ndarray:  # where() hands Python numbers over as 0-d arrays
        if zero.ndim != 0 or zero.dtype != x.dtype:
            return None
        zero = float(zero)
    elif zero.__class__ is not float and zero.__class__ is not int:
        return None
    if (
        zero != 0
        or math.copysign(1.0, zero) < 0
        or condition.__class__ is not np.ndarray
        or condition.dtype != np.bool_
        or condition.shape != x.shape
    ):
        return None
    int_type = _INT_VIEW.get(x.dtype)
    if int_type is None:
        return None
    # All ones (keep) where x is kept, zeros where the result is 0.
    flags = condition.view(np.int8)
    if zero_where:
        mask = np.subtract(flags, 1, dtype=int_type)
    else:
        mask = np.negative(flags, dtype=int_type)
    return np.bitwise_and(x.view(int_type), mask, out=mask).view(x.dtype)


class Where(Op):
    name = "WhereBackward0"
    formula = "d(where(c, a, b))/da = c, d/db = not c"

    @staticmethod
    def forward(ctx, condition, a, b):
        ctx.save_for_backward(condition)
        out = _where_zero(condition, a, b)
        return np.where(condition, a, b) if out is None else out

    @staticmethod
    def backward(ctx, grad):
        (condition,) = ctx.saved_tensors
        needs = ctx.next_functions
        zero = grad * 0
        return (
            None,
            where(condition, grad, zero) if needs[1][0] is not None else None,
            where(condition, zero, grad) if needs[2][0] is not None else None,
        )


class Softplus(Op):
    name = "SoftplusBackward0"
    formula = "d(softplus(a))/da = sigmoid(beta*a)"

    @staticmethod
    def forward(ctx, a, *, beta=1.0, threshold=20.0):
        ctx.save_for_backward(a)
        ctx.params = (beta, threshold)
        z = a * beta
        with np.errstate(over="ignore"):
            soft = np.log1p(np.exp(np.minimum(z, threshold))) / beta
        return np.where(z > threshold, a, soft).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        beta, threshold = ctx.params
        z = (a * beta).exp()
        return where(a * beta > threshold, grad, grad * z / (z + 1))


# -- function and method forms ------------------------------------------------------------
def _define_unary(op, *names):
    def fn(input, *, out=None):
        result = apply1(op, input)
        return result if out is None else _maybe_out(result, out)

    fn.__name__ = names[0]
    fn.__doc__ = f"Elementwise {names[0]}. {op.formula}"
    tensor_method(*names)(fn)

    def method_(self):
        return inplace(self, op.apply)

    method_.__name__ = names[0] + "_"
    tensor_method(*(n + "_" for n in names if not n.startswith("__")))(method_)
    return fn


exp = _define_unary(Exp, "exp")
log = _define_unary(Log, "log")
log2 = _define_unary(Log2, "log2")
log10 = _define_unary(Log10, "log10")
log1p = _define_unary(Log1p, "log1p")
expm1 = _define_unary(Expm1, "expm1")
sqrt = _define_unary(Sqrt, "sqrt")
rsqrt = _define_unary(Rsqrt, "rsqrt")
sin = _define_unary(Sin, "sin")
cos = _define_unary(Cos, "cos")
tan = _define_unary(Tan, "tan")
tanh = _define_unary(Tanh, "tanh")
asin = _define_unary(Asin, "asin", "arcsin")
acos = _define_unary(Acos, "acos", "arccos")
atan = _define_unary(Atan, "atan", "arctan")
sinh = _define_unary(Sinh, "sinh")
cosh = _define_unary(Cosh, "cosh")
sigmoid = _define_unary(Sigmoid, "sigmoid")
reciprocal = _define_unary(Reciprocal, "reciprocal")
abs = _define_unary(Abs, "abs", "absolute", "__abs__")
absolute = abs
erf = _define_unary(Erf, "erf")
sign = _define_unary(Sign, "sign", "sgn")
sgn = sign
floor = _define_unary(Floor, "floor")
ceil = _define_unary(Ceil, "ceil")
trunc = _define_unary(Trunc, "trunc", "fix")
frac = _define_unary(Frac, "frac")
relu = _define_unary(Relu, "relu")


@tensor_method("round")
def round(input, *, decimals=0):
    if decimals:
        return apply(Round, (input,), {"decimals": decimals}, name="RoundBackward1")
    return Round.apply(input)


@tensor_method("clamp", "clip")
def clamp(input, min=None, max=None):
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    return _clamp(input, min, max, ("ClampBackward1", "ClampBackward0"))


def _clamp(input, min, max, names):
    """clamp, clamp_min and clamp_max; names: the grad_fn's for number and tensor bounds."""
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        return clamp_tensor(input, min, max, names[1])
    input = _clamp_promote(input, min, max)
    return apply(Clamp, (input,), {"min": min, "max": max}, name=names[0])


clip = clamp


@tensor_method("clamp_", "clip_")
def clamp_(self, min=None, max=None):
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    return inplace(self, lambda t: clamp(t, min, max), (min, max))


@tensor_method("clamp_min")
def clamp_min(input, min):
    return _clamp(input, min, None, ("ClampMinBackward0", "ClampMinBackward1"))


@tensor_method("clamp_max")
def clamp_max(input, max):
    return _clamp(input, None, max, ("ClampMaxBackward0", "ClampMaxBackward1"))


@tensor_method("maximum", "fmax")
def maximum(input, other):
    a, b = promote(input, other)
    if not isinstance(b, Tensor):
        b = _wrap(np.asarray(b, dtype=a._data.dtype))
    return Maximum.apply(a, b)


@tensor_method("minimum", "fmin")
def minimum(input, other):
    a, b = promote(input, other)
    if not isinstance(b, Tensor):
        b = _wrap(np.asarray(b, dtype=a._data.dtype))
    return Minimum.apply(a, b)


@tensor_method("where")
def _where_method(condition_self, condition, other):
    return where(condition, condition_self, other)


def where(condition, input=None, other=None):
    """where(cond, a, b) picks a where cond holds, else b; where(cond) gives nonzero indices."""
    if input is None and other is None:
        return condition.nonzero(as_tuple=True)
    if not isinstance(condition, Tensor):
        condition = _wrap(np.asarray(condition))
    if condition._data.dtype != np.bool_:
        raise RuntimeError(
            f"where expected condition to be a boolean tensor, but got a tensor with dtype "
            f"{_type_name(condition)}"
        )
    if not (isinstance(input, Tensor) or isinstance(other, Tensor)):
        input, other = _scalar_pair(input, other)
    a, b = promote(input, other)
    a = a if isinstance(a, Tensor) else _wrap(np.asarray(a, dtype=b._data.dtype))
    b = b if isinstance(b, Tensor) else _wrap(np.asarray(b, dtype=a._data.dtype))
    return Where.apply(condition, a, b)


def _type_name(t):
    return dtypes.scalar_type_name(t.dtype)


@tensor_method("lerp")
def lerp(input, end, weight):
    return _lerp(input, end, weight)


@tensor_method("softplus")
def softplus(input, beta=1.0, threshold=20.0):
    return Softplus.apply(input, beta=beta, threshold=threshold)


# -- in-place arithmetic ------------------------------------------------------------------
# The optimizer's in-place arithmetic on float tensors, with nothing to record,
# runs as one ufunc writing into the tensor's memory: no temporary result and no
# copy of it (the values are the same as the out-of-place op's: same operations,
# same order).
_DIRECT_UFUNCS = {
    "add_": np.add,
    "__iadd__": np.add,
    "sub_": np.subtract,
    "subtract_": np.subtract,
    "__isub__": np.subtract,
    "mul_": np.multiply,
    "multiply_": np.multiply,
    "__imul__": np.multiply,
    "div_": np.true_divide,
    "divide_": np.true_divide,
    "true_divide_": np.true_divide,
    "__itruediv__": np.true_divide,
}


def _direct_inplace(self, ufunc, other, kwargs):
    """self op= other as one ufunc into self's memory; False where the general path is needed."""
    data = self._data
    if data.dtype.kind != "f" or (kwargs and (len(kwargs) > 1 or "alpha" not in kwargs)):
        return False
    if data.dtype.metadata is not None:  # bfloat16: the op's own path rounds its operands
        return False
    if other.__class__ is Tensor or isinstance(other, Tensor):
        operand = other._data
        if operand.dtype != data.dtype:
            return False
    elif other.__class__ is float or other.__class__ is int:
        operand = other
    else:
        return False
    alpha = kwargs.get("alpha", 1) if kwargs else 1
    if alpha != 1:
        if ufunc is not np.add and ufunc is not np.subtract:
            return False
        operand = _scaled(operand, alpha)
    try:
        ufunc(data, operand, out=data)
    except (ValueError, TypeError):  # not broadcastable to self, or read-only: the general path
        return False  # raises PyTorch's error
    self._bump_version()
    return True


def _inplace_binary(fn_name, fn):
    ufunc = _DIRECT_UFUNCS.get(fn_name)

    def method(self, other, **kwargs):
        if (
            ufunc is not None
            and not (
                _grad_state.enabled
                and (self._requires_grad or (isinstance(other, Tensor) and other._requires_grad))
            )
            and _direct_inplace(self, ufunc, other, kwargs)
        ):
            return self
        return inplace(self, lambda t: fn(t, other, **kwargs), (other,))

    method.__name__ = fn_name
    return method


for _name, _fn in (
    ("add_", add),
    ("__iadd__", add),
    ("sub_", sub),
    ("subtract_", sub),
    ("__isub__", sub),
    ("mul_", mul),
    ("multiply_", mul),
    ("__imul__", mul),
    ("div_", div),
    ("divide_", div),
    ("true_divide_", div),
    ("__itruediv__", div),
    ("pow_", pow),
    ("__ipow__", pow),
    ("remainder_", remainder),
    ("__imod__", remainder),
    ("floor_divide_", floor_divide),
    ("__ifloordiv__", floor_divide),
    ("maximum_", maximum),
    ("minimum_", minimum),
):
    tensor_method(_name)(_inplace_binary(_name, _fn))


@tensor_method("neg_", "negative_")
def neg_(self):
    return inplace(self, neg)


@tensor_method("lerp_")
def lerp_(self, end, weight):
    return inplace(self, lambda t: lerp(t, end, weight), (end, weight))


@tensor_method("addcmul_")
def addcmul_(self, tensor1, tensor2, value=1):
    return inplace(self, lambda t: addcmul(t, tensor1, tensor2, value=value), (tensor1, tensor2))


@tensor_method("addcdiv_")
def addcdiv_(self, tensor1, tensor2, value=1):
    return inplace(self, lambda t: addcdiv(t, tensor1, tensor2, value=value), (tensor1, tensor2))


@tensor_method("addcmul")
def addcmul(input, tensor1, tensor2, *, value=1):
    # PyTorch's order, (value * tensor1) * tensor2, so optimizer steps round as PyTorch's do
    return input + value * tensor1 * tensor2 if value != 1 else input + tensor1 * tensor2


@tensor_method("addcdiv")
def addcdiv(input, tensor1, tensor2, *, value=1):
    # PyTorch's order, (value * tensor1) / tensor2: Adam's update then matches it bit for bit
    return input + value * tensor1 / tensor2 if value != 1 else input + tensor1 / tensor2


class Fill(Op):
    """The recorded form of fill_ and zero_: the new value no longer depends on the old."""

    name = "FillBackward2"
    formula = "d(fill(a, v))/da = 0"

    @staticmethod
    def forward(ctx, a, *, value):
        return np.full_like(a, value)

    @staticmethod
    def backward(ctx, grad):
        return grad * 0


class FillTensor(Op):
    name = "FillBackward3"
    formula = "d(fill(a, v))/da = 0, d(fill(a, v))/dv = sum of the gradient"

    @staticmethod
    def forward(ctx, a, value):
        return np.full_like(a, value)

    @staticmethod
    def backward(ctx, grad):
        return grad * 0, grad.sum()


class Copy(Op):
    """The recorded form of a.copy_(src): src broadcast to a's shape and cast to its dtype."""

    name = "CopyBackwards"
    formula = "d(copy(a, src))/da = 0, d(copy(a, src))/dsrc = 1 (summed over broadcast dims)"

    @staticmethod
    def forward(ctx, a, src):
        try:
            return np.broadcast_to(src, a.shape).astype(a.dtype)
        except ValueError:
            raise broadcast_shapes_error(a.shape, np.shape(src)) from None

    @staticmethod
    def backward(ctx, grad):
        return grad * 0, grad


@tensor_method("zero_")
def zero_(self):
    if self._requires_grad and _grad_state.enabled:
        return inplace(self, lambda t: apply(Fill, (t,), {"value": 0}, name="ZeroBackward0"))
    self._data.fill(0)
    counter = self._version_counter
    if counter is None:
        self._version_counter = [1]
    else:
        counter[0] += 1
    return self


@tensor_method("fill_")
def fill_(self, value):
    from ..autograd.grad_mode import state

    if isinstance(value, Tensor):
        if value._data.ndim != 0:
            raise RuntimeError(
                "fill_ only supports 0-dimension value tensor but got tensor with "
                f"{value._data.ndim} dimensions."
            )
        if value._requires_grad and state.enabled:
            return inplace(self, lambda t: FillTensor.apply(t, value), (value,))
        value = value.item()
    if state.enabled and self._requires_grad:
        return inplace(self, lambda t: Fill.apply(t, value=value))
    self._data.fill(value)
    self._bump_version()
    return self


@tensor_method("copy_")
def copy_(self, src, non_blocking=False):
    from ..autograd.grad_mode import state

    if not isinstance(src, Tensor):
        src = _wrap(np.asarray(src))
    if state.enabled and (self._requires_grad or src._requires_grad):
        return inplace(self, lambda t: Copy.apply(t, src), (src,))
    try:
        np.copyto(self._data, np.broadcast_to(src._data, self._data.shape), casting="unsafe")
    except ValueError:
        raise broadcast_shapes_error(self._data.shape, src._data.shape) from None
    self._bump_version()
    return self


# -- clamp with tensor bounds, lerp, and checks PyTorch makes ------------------------------
def _clamp_promote(input, lo, hi):
    """PyTorch's result type for clamp: float bounds make an integer tensor float."""
    kind = input._data.dtype.kind
    if kind == "f":
        return input
    bounds = [b for b in (lo, hi) if b is not None]
    if any(isinstance(b, float) for b in bounds):
        return input.to(dtypes.get_default_dtype())
    if kind == "b" and any(type(b) is int for b in bounds):
        return input.to(dtypes.int64)
    return input


class ClampTensor(Op):
    name = "ClampBackward0"
    formula = "d(clamp(a, lo, hi))/da = [lo <= a <= hi], d/dlo = [a < lo < hi], d/dhi = [a > hi]"

    @staticmethod
    def forward(ctx, a, lo, hi):
        ctx.save_for_backward(a, lo, hi)
        out = a
        if lo is not None:
            out = _binary_forward(np.maximum, out, lo)
        if hi is not None:
            out = _binary_forward(np.minimum, out, hi)
        return out if out is not a else a.copy()

    @staticmethod
    def backward(ctx, grad):
        # PyTorch's clamp_backward and clamp_backward_min_max: where lo > hi the
        # result is hi, and hi gets the whole gradient.
        a, lo, hi = ctx.saved_tensors
        needs = ctx.next_functions
        zero = grad * 0
        if lo is not None and hi is not None:
            ga = where((a >= lo) & (a <= hi), grad, zero)
            glo = where((a < lo) & (lo < hi), grad, zero) if needs[1][0] is not None else None
            ghi = where((a > hi) | (hi < lo), grad, zero) if needs[2][0] is not None else None
        elif lo is not None:
            ga = where(a >= lo, grad, zero)
            glo = where(a < lo, grad, zero) if needs[1][0] is not None else None
            ghi = None
        else:
            ga = where(a <= hi, grad, zero)
            glo = None
            ghi = where(a > hi, grad, zero) if needs[2][0] is not None else None
        return (ga if needs[0][0] is not None else None), glo, ghi


def clamp_tensor(input, min, max, name="ClampBackward0"):
    """clamp with tensor bounds (either may be None): gradients flow to the bounds too."""
    a = input
    bounds = []
    for bound in (min, max):
        if bound is not None and not isinstance(bound, Tensor):
            bound = _wrap(np.asarray(bound, dtype=a._data.dtype))
        if bound is not None:
            a, bound = promote(a, bound)
        bounds.append(bound)
    lo, hi = (b if b is None or b._data.dtype == a._data.dtype else b.to(a.dtype) for b in bounds)
    return apply(ClampTensor, (a, lo, hi), _NO_KWARGS, name=name)


class Lerp(Op):
    name = "LerpBackward0"
    formula = "d(lerp(a, b, w))/da = 1 - w, d/db = w, d/dw = b - a"

    @staticmethod
    def forward(ctx, a, end, weight):
        if not isinstance(weight, np.ndarray):
            weight = a.dtype.type(weight)  # PyTorch computes in the tensor's precision
            ctx.weight = float(weight)
        # PyTorch's formula, exact at both ends: a + w*(end-a) for small weights, else
        # end + (w-1)*(end-a), each one fused multiply-add. Computed in a wider type (the
        # float32 product is exact in float64) to round once, as an FMA does, nearly always.
        try:
            diff = end - a
        except ValueError:
            raise broadcast_shapes_error(a.shape, end.shape) from None
        wide = np.float64 if a.dtype.itemsize < 8 else np.longdouble
        if not isinstance(weight, np.ndarray):
            # One weight for all elements (the optimizers' hot path): the formula is chosen
            # once, and the arithmetic is done in place, 3-4x faster than the per-element form.
            near_a = -0.5 < weight < 0.5
            out = diff.astype(wide)
            out *= wide(weight if near_a else weight - a.dtype.type(1))
            out += a if near_a else end
            return out.astype(a.dtype)
        near_a = np.abs(weight) < 0.5
        coeff = np.where(near_a, weight, weight - a.dtype.type(1))
        base = np.where(near_a, a, end)
        return (coeff.astype(wide) * diff.astype(wide) + base).astype(a.dtype)

    @staticmethod
    def backward(ctx, grad):
        needs = ctx.next_functions
        if ctx.op is Lerp:
            w = ctx.weight
            ga = grad * (1 - w) if needs[0][0] is not None else None
            return ga, (grad * w if needs[1][0] is not None else None), None
        a, end, weight = ctx.saved_tensors
        return (
            grad * (1 - weight) if needs[0][0] is not None else None,
            grad * weight if needs[1][0] is not None else None,
            grad * (end - a) if needs[2][0] is not None else None,
        )


class _LerpTensor(Lerp):
    name = "LerpBackward1"

    @staticmethod
    def forward(ctx, a, end, weight):
        ctx.save_for_backward(a, end, weight)
        return Lerp.forward(NULL_CTX, a, end, weight)


def _lerp(input, end, weight):
    if not isinstance(end, Tensor):
        raise TypeError(
            f"lerp(): argument 'end' (position 2) must be Tensor, not {type(end).__name__}"
        )
    if not input.is_floating_point():
        raise NotImplementedError(
            f"\"lerp_kernel_scalar\" not implemented for '{_type_name(input)}'"
        )
    for what, t in (("end", end), ("weight", weight)):
        if isinstance(t, Tensor) and t._data.dtype != input._data.dtype:
            expected = dtypes.cpp_type_name(input._data.dtype)
            got = dtypes.cpp_type_name(t._data.dtype)
            raise RuntimeError(f"expected dtype {expected} for `{what}` but got dtype {got}")
    if isinstance(weight, Tensor):
        return _LerpTensor.apply(input, end, weight)
    return Lerp.apply(input, end, float(weight))


def _scalar_pair(x, y):
    """where(cond, x, y) with two Python numbers: tensors of their joint (weak) type."""
    if isinstance(x, float) or isinstance(y, float):
        dt = dtypes.get_default_dtype().np
    elif type(x) is bool and type(y) is bool:
        dt = np.bool_
    else:
        dt = np.int64
    return _wrap(np.asarray(x, dtype=dt)), _wrap(np.asarray(y, dtype=dt))


def _check_sub_bool(input, other):
    for x in (input, other):
        if type(x) is bool or (isinstance(x, Tensor) and x._data.dtype == np.bool_):
            raise RuntimeError(
                "Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
                "trying to invert a mask, use the `~` or `logical_not()` operator instead."
            )


def _check_int_division(a, b):
    """Integer division by zero is an error in PyTorch (NumPy would return 0)."""
    a_kind = a.dtype.kind if isinstance(a, np.ndarray) else "f" if isinstance(a, float) else "i"
    b_kind = b.dtype.kind if isinstance(b, np.ndarray) else "f" if isinstance(b, float) else "i"
    if a_kind in "iub" and b_kind in "iub" and not np.all(b):
        raise RuntimeError("ZeroDivisionError")


# -- more unary math and a stable binary form ------------------------------------------------
Exp2 = _unary(
    "Exp2",
    np.exp2,
    "d(2**a)/da = 2**a * ln 2",
    lambda g, r: g * (r * math.log(2.0)),
    "output",
)


def _erfc(a):
    try:
        from scipy.special import erfc
    except ImportError:  # pragma: no cover - scipy is optional
        erfc = np.vectorize(math.erfc, otypes=[a.dtype])
    return erfc(a).astype(a.dtype, copy=False)


Erfc = _unary(
    "Erfc",
    _erfc,
    "d(erfc(a))/da = -2/sqrt(pi) * exp(-a**2)",
    lambda g, a: -2.0 / math.sqrt(math.pi) * (-(a.pow(2))).exp() * g,
)
exp2 = _define_unary(Exp2, "exp2")
erfc = _define_unary(Erfc, "erfc")


class LogAddExp(Op):
    name = "LogaddexpBackward0"
    formula = "d(log(exp(a)+exp(b)))/da = 1/(1+exp(b-a)), d/db = 1/(1+exp(a-b))"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        # max(a, b) + log1p(exp(-|a-b|)): never overflows (NumPy's logaddexp is this form).
        return _binary_forward(np.logaddexp, a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        needs = ctx.next_functions
        return (
            grad / ((b - a).exp() + 1) if needs[0][0] is not None else None,
            grad / ((a - b).exp() + 1) if needs[1][0] is not None else None,
        )


@tensor_method("logaddexp")
def logaddexp(input, other):
    a, b = promote(input, other, float_result=True)
    if not isinstance(b, Tensor):
        b = _wrap(np.asarray(b, dtype=a._data.dtype))
    return LogAddExp.apply(a, b)


__all__ += ["clamp_tensor", "erfc", "exp2", "logaddexp"]
