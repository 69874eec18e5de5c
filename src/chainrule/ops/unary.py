"""One-operand math: exp, log, the trigonometric and hyperbolic functions, sigmoid, erf,
rounding, relu and softplus.

Most are a `UnaryOp`: a NumPy function, what it saves (its input or its output) and
one derivative of the grad and that saved value, read top to bottom as a table.
Each op stands above its public function; the in-place forms (exp_, ...) are in
inplace.py. Derivatives follow PyTorch's formulas and order of operations.
"""

import math
import operator

import numpy as np

from .. import _arithmetic, dtypes
from ..random._kernels import fma64
from .errors import not_implemented
from .masked_grad import grad_where, zero_for
from .op import GRAD, ZERO, Apply, Op, apply, apply_binary, apply_unary, tensor_method
from .pointwise import Div, Mul, where
from .writes import maybe_out

__all__ = [
    "abs",
    "absolute",
    "acos",
    "asin",
    "atan",
    "ceil",
    "cos",
    "cosh",
    "erf",
    "erfc",
    "exp",
    "exp2",
    "expm1",
    "floor",
    "frac",
    "log",
    "log10",
    "log1p",
    "log2",
    "reciprocal",
    "relu",
    "round",
    "rsqrt",
    "sgn",
    "sigmoid",
    "sign",
    "sin",
    "sinh",
    "softplus",
    "sqrt",
    "tan",
    "tanh",
    "trunc",
]


class UnaryOp(Op):
    """An elementwise op of one float operand (integers are computed in the default float
    dtype): forward is `ufunc`; `saves` says what `derivatives` receives after the
    gradient: "input", "output", or None for nothing."""

    saves = "input"
    float_only = True  # False: integer input keeps its dtype (abs)
    direct = True  # forward below is ufunc plus saving `saves` (Op.direct)

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        if "forward" in cls.__dict__:  # a forward of its own: apply_unary must call it
            cls.direct = False

    @classmethod
    def forward(cls, ctx, a):
        if cls.float_only and a.dtype.kind not in "fc":
            a = a.astype(dtypes.get_default_dtype().np)
        out = cls.ufunc(a)
        if cls.saves == "input":
            ctx.save_for_backward(a)
        elif cls.saves == "output":
            ctx.save_for_backward(out)
        return out


def unary_function(op, *names):
    """The public function of a UnaryOp (with out=), attached to Tensor under each name."""

    def fn(input, *, out=None):
        result = apply_unary(op, input)
        return result if out is None else maybe_out(result, out)

    fn.__name__ = fn.__qualname__ = names[0]
    fn.__doc__ = f"Elementwise {names[0]}. {op.formula}"
    return tensor_method(*names)(fn)


# -- exponentials and logarithms --------------------------------------------------------------
class Exp(UnaryOp):
    name = "ExpBackward0"
    formula = "d(exp(a))/da = exp(a)"
    ufunc = np.exp
    saves = "output"
    derivatives = (Apply(Mul, call=operator.mul),)  # grad * result


exp = unary_function(Exp, "exp")


class Exp2(UnaryOp):
    name = "Exp2Backward0"
    formula = "d(2**a)/da = 2**a * ln 2"
    ufunc = np.exp2
    saves = "output"
    derivatives = (lambda ctx, grad, result: grad * (result * math.log(2.0)),)


exp2 = unary_function(Exp2, "exp2")


class Expm1(UnaryOp):
    name = "Expm1Backward0"
    formula = "d(expm1(a))/da = expm1(a)+1"
    ufunc = np.expm1
    saves = "output"
    derivatives = (lambda ctx, grad, result: grad * (result + 1),)


expm1 = unary_function(Expm1, "expm1")


class Log(UnaryOp):
    name = "LogBackward0"
    formula = "d(log(a))/da = 1/a"
    ufunc = np.log
    derivatives = (Apply(Div, call=operator.truediv),)  # grad / a


log = unary_function(Log, "log")


class Log2(UnaryOp):
    name = "Log2Backward0"
    formula = "d(log2(a))/da = 1/(a*ln 2)"
    ufunc = np.log2
    derivatives = (lambda ctx, grad, a: grad / (a * math.log(2.0)),)


log2 = unary_function(Log2, "log2")


class Log10(UnaryOp):
    name = "Log10Backward0"
    formula = "d(log10(a))/da = 1/(a*ln 10)"
    ufunc = np.log10
    derivatives = (lambda ctx, grad, a: grad / (a * math.log(10.0)),)


log10 = unary_function(Log10, "log10")


class Log1p(UnaryOp):
    name = "Log1PBackward0"
    formula = "d(log1p(a))/da = 1/(1+a)"
    ufunc = np.log1p
    derivatives = (lambda ctx, grad, a: grad / (a + 1),)


log1p = unary_function(Log1p, "log1p")


# -- powers -----------------------------------------------------------------------------------
class Sqrt(UnaryOp):
    name = "SqrtBackward0"
    formula = "d(sqrt(a))/da = 1/(2*sqrt(a))"
    ufunc = np.sqrt
    saves = "output"
    derivatives = (lambda ctx, grad, result: grad / (2 * result),)


sqrt = unary_function(Sqrt, "sqrt")


def _rsqrt(a):
    # an array even for 0-d input (ufuncs return NumPy scalars there): the saved output
    # is differentiated as a tensor
    return np.asarray(np.reciprocal(np.sqrt(a)))


class Rsqrt(UnaryOp):
    name = "RsqrtBackward0"
    formula = "d(a**-0.5)/da = -0.5 * a**-1.5"
    ufunc = staticmethod(_rsqrt)
    saves = "output"
    derivatives = (lambda ctx, grad, result: -0.5 * grad * result.pow(3),)


rsqrt = unary_function(Rsqrt, "rsqrt")


class Reciprocal(UnaryOp):
    name = "ReciprocalBackward0"
    formula = "d(1/a)/da = -1/a**2"
    ufunc = np.reciprocal
    saves = "output"
    derivatives = (lambda ctx, grad, result: -grad * (result * result),)


reciprocal = unary_function(Reciprocal, "reciprocal")


# -- trigonometric and hyperbolic ---------------------------------------------------------------
class Sin(UnaryOp):
    name = "SinBackward0"
    formula = "d(sin(a))/da = cos(a)"
    ufunc = np.sin
    derivatives = (lambda ctx, grad, a: grad * a.cos(),)


sin = unary_function(Sin, "sin")


class Cos(UnaryOp):
    name = "CosBackward0"
    formula = "d(cos(a))/da = -sin(a)"
    ufunc = np.cos
    derivatives = (lambda ctx, grad, a: grad * -a.sin(),)


cos = unary_function(Cos, "cos")


class Tan(UnaryOp):
    name = "TanBackward0"
    formula = "d(tan(a))/da = 1 + tan(a)**2"
    ufunc = np.tan
    saves = "output"
    derivatives = (lambda ctx, grad, result: grad * (1 + result.pow(2)),)


tan = unary_function(Tan, "tan")


class Asin(UnaryOp):
    name = "AsinBackward0"
    formula = "d(asin(a))/da = 1/sqrt(1-a**2)"
    ufunc = np.arcsin
    derivatives = (lambda ctx, grad, a: grad * (-a * a + 1).rsqrt(),)


asin = unary_function(Asin, "asin", "arcsin")


class Acos(UnaryOp):
    name = "AcosBackward0"
    formula = "d(acos(a))/da = -1/sqrt(1-a**2)"
    ufunc = np.arccos
    derivatives = (lambda ctx, grad, a: grad * -((-a * a + 1).rsqrt()),)


acos = unary_function(Acos, "acos", "arccos")


class Atan(UnaryOp):
    name = "AtanBackward0"
    formula = "d(atan(a))/da = 1/(1+a**2)"
    ufunc = np.arctan
    derivatives = (lambda ctx, grad, a: grad / (a * a + 1),)


atan = unary_function(Atan, "atan", "arctan")


class Sinh(UnaryOp):
    name = "SinhBackward0"
    formula = "d(sinh(a))/da = cosh(a)"
    ufunc = np.sinh
    derivatives = (lambda ctx, grad, a: grad * a.cosh(),)


sinh = unary_function(Sinh, "sinh")


class Cosh(UnaryOp):
    name = "CoshBackward0"
    formula = "d(cosh(a))/da = sinh(a)"
    ufunc = np.cosh
    derivatives = (lambda ctx, grad, a: grad * a.sinh(),)


cosh = unary_function(Cosh, "cosh")


# -- tanh and sigmoid, whose backward formulas are primitives of their own ------------------------
# As in PyTorch: one op instead of three on the backward pass, and differentiable again
# for higher-order gradients.
def _one_minus_square(y):
    """1 - y*y rounded once, as PyTorch's vectorised CPU kernel computes it (a fused
    multiply-add): for float32 the float64 value is exact, so one rounding to float32 is
    that of the fused result; float64 takes an exact fused multiply-add."""
    if y.dtype == np.float32:
        if y.size == 1:  # one element: the same float64 arithmetic on a Python float
            v = y.item()
            return np.array(1.0 - v * v, np.float32)  # 0-d: broadcasts as y would
        y64 = y.astype(np.float64)
        return (1.0 - y64 * y64).astype(np.float32)
    if y.dtype == np.float64:
        return fma64(-y, y, 1.0)
    return 1 - y * y


class TanhBackward(Op):
    name = "TanhBackwardBackward0"
    formula = "d(g*(1-y*y))/dg = 1-y*y, d/dy = -2*y*g"

    @staticmethod
    def ufunc(g, y):
        return g * _one_minus_square(np.asarray(y))

    @staticmethod
    def forward(ctx, g, y):
        ctx.save_for_backward(g, y)
        return g * _one_minus_square(np.asarray(y))

    derivatives = (
        lambda ctx, grad, g, y: tanh_backward(grad, y),
        lambda ctx, grad, g, y: grad * (-2 * y * g),
    )


def tanh_backward(grad, output):
    """grad * (1 - output**2): the gradient of tanh given its output."""
    return apply_binary(TanhBackward, grad, output)


class Tanh(UnaryOp):
    name = "TanhBackward0"
    formula = "d(tanh(a))/da = 1 - tanh(a)**2"
    ufunc = np.tanh
    saves = "output"
    derivatives = (Apply(TanhBackward),)  # tanh_backward(grad, result)


tanh = unary_function(Tanh, "tanh")


class SigmoidBackward(Op):
    name = "SigmoidBackwardBackward0"
    formula = "d(g*(1-y)*y)/dg = (1-y)*y, d/dy = g*(1-2*y)"

    @staticmethod
    def ufunc(g, y):
        y = np.asarray(y)
        constants = _SIGMOID_CONSTANTS.get(y.dtype.char)  # (its 1 costs NumPy less than 1)
        return g * ((1 if constants is None else constants[0]) - y) * y

    @staticmethod
    def forward(ctx, g, y):
        ctx.save_for_backward(g, y)
        return g * (1 - y) * y

    derivatives = (
        lambda ctx, grad, g, y: sigmoid_backward(grad, y),
        lambda ctx, grad, g, y: grad * g * (-2 * y + 1),
    )


def sigmoid_backward(grad, output):
    """grad * (1 - output) * output: the gradient of sigmoid given its output."""
    return apply_binary(SigmoidBackward, grad, output)


# Per dtype (by its one-letter code): 1 as a read-only 0-d array of that dtype (cheaper
# for NumPy than a Python number or a NumPy scalar on tiny arrays), and the input below which
# exp(-a) overflows. There the result is still right (1 / inf = 0) but NumPy
# would warn, so only such inputs pay for errstate.
def _one(t):
    one = np.ones((), t)
    one.setflags(write=False)
    return one


_SIGMOID_CONSTANTS = {
    np.dtype(t).char: (_one(t), -float(np.log(np.finfo(t).max)))
    for t in (np.float16, np.float32, np.float64)
}


def _sigmoid_np(a):
    if _arithmetic.pytorch_order and a.dtype == np.float32:
        from ._vector_math import EXACT_LIMIT, sigmoid32  # (loaded on first use: ctypes)

        if a.size <= EXACT_LIMIT:
            return sigmoid32(a)  # PyTorch's kernel's roundings (ops/_vector_math.py)
    one, lowest = _SIGMOID_CONSTANTS[a.dtype.char]
    size = a.size
    # (one element: read it, which costs far less than a reduction; NaN reads False)
    if (a.item() >= lowest) if size == 1 else (size and a.min() >= lowest):
        return np.reciprocal(np.exp(-a) + one)
    with np.errstate(over="ignore"):
        return np.reciprocal(np.exp(-a) + one)


class Sigmoid(UnaryOp):
    name = "SigmoidBackward0"
    formula = "d(sigmoid(a))/da = sigmoid(a) * (1 - sigmoid(a))"
    ufunc = staticmethod(_sigmoid_np)
    saves = "output"
    derivatives = (Apply(SigmoidBackward),)  # sigmoid_backward(grad, result)


sigmoid = unary_function(Sigmoid, "sigmoid")


# -- erf, erfc --------------------------------------------------------------------------------
def _erf(a):
    try:
        from scipy.special import erf  # optional: scipy is not a dependency
    except ImportError:  # pragma: no cover
        erf = np.vectorize(math.erf, otypes=[a.dtype])
    return erf(a).astype(a.dtype, copy=False)


def _erfc(a):
    try:
        from scipy.special import erfc  # optional: scipy is not a dependency
    except ImportError:  # pragma: no cover
        erfc = np.vectorize(math.erfc, otypes=[a.dtype])
    return erfc(a).astype(a.dtype, copy=False)


class Erf(UnaryOp):
    name = "ErfBackward0"
    formula = "d(erf(a))/da = 2/sqrt(pi) * exp(-a**2)"
    ufunc = staticmethod(_erf)
    derivatives = (lambda ctx, grad, a: 2.0 / math.sqrt(math.pi) * (-(a.pow(2))).exp() * grad,)


erf = unary_function(Erf, "erf")


class Erfc(UnaryOp):
    name = "ErfcBackward0"
    formula = "d(erfc(a))/da = -2/sqrt(pi) * exp(-a**2)"
    ufunc = staticmethod(_erfc)
    derivatives = (lambda ctx, grad, a: -2.0 / math.sqrt(math.pi) * (-(a.pow(2))).exp() * grad,)


erfc = unary_function(Erfc, "erfc")


# -- sign and rounding ------------------------------------------------------------------------
class Abs(UnaryOp):
    name = "AbsBackward0"
    formula = "d|a|/da = sign(a)"
    ufunc = np.abs
    float_only = False

    @classmethod
    def forward(cls, ctx, a):
        if a.dtype == np.bool_:  # PyTorch's abs has no bool loop
            raise not_implemented("abs_cpu", a)
        return super().forward(ctx, a)

    derivatives = (lambda ctx, grad, a: grad * a.sign(),)


# Its forward differs from the plain one only for bool input, which never takes the direct
# path (float operands only): a float abs is recorded directly.
Abs.direct = True
abs = unary_function(Abs, "abs", "absolute", "__abs__")
absolute = abs


class ZeroGradUnary(Op):
    """A piecewise-constant op (sign, floor, ...): its derivative is 0 almost everywhere.
    Integer input is returned as a copy, as PyTorch does (sign computes it); bool input is
    refused, as PyTorch's kernels (`kernel`) have no bool loop, except sign's."""

    keep_int = True
    kernel = ""

    @classmethod
    def forward(cls, ctx, a):
        if a.dtype == np.bool_:
            if not cls.keep_int:
                return a.copy()
            raise not_implemented(cls.kernel, a)
        return cls.ufunc(a) if a.dtype.kind == "f" or not cls.keep_int else a.copy()

    derivatives = (ZERO,)


def _sign(a):
    """-1, 0 or 1; 0 for NaN, as PyTorch's sign (NumPy's gives NaN)."""
    out = np.sign(a)
    if a.dtype.kind == "f":
        if out.__class__ is not np.ndarray:  # a 0-d input's NumPy scalar
            return out if out == out else out.dtype.type(0)
        np.nan_to_num(out, copy=False, nan=0.0)  # in place: sign is never infinite
    return out


class Sign(ZeroGradUnary):
    name = "SignBackward0"
    formula = "d(sign(a))/da = 0"
    ufunc = staticmethod(_sign)
    keep_int = False


sign = unary_function(Sign, "sign")


class Sgn(Sign):
    """z / |z| for complex z (its complex form is ops/complex.py's SgnComplex); the sign
    for real input, under the grad_fn name PyTorch gives sgn."""

    name = "SgnBackward0"
    formula = "d(sgn(a))/da = 0 for real a"


sgn = unary_function(Sgn, "sgn")


class Floor(ZeroGradUnary):
    name = "FloorBackward0"
    formula = "d(floor(a))/da = 0"
    ufunc = np.floor
    kernel = "floor_vml_cpu"


floor = unary_function(Floor, "floor")


class Ceil(ZeroGradUnary):
    name = "CeilBackward0"
    formula = "d(ceil(a))/da = 0"
    ufunc = np.ceil
    kernel = "ceil_vml_cpu"


ceil = unary_function(Ceil, "ceil")


class Trunc(ZeroGradUnary):
    name = "TruncBackward0"
    formula = "d(trunc(a))/da = 0"
    ufunc = np.trunc
    kernel = "trunc_vml_cpu"


trunc = unary_function(Trunc, "trunc", "fix")


def _frac(a):
    if a.dtype.kind != "f":  # PyTorch's frac has no integer loop
        raise not_implemented("frac_cpu", a)
    return a - np.trunc(a)


class Frac(UnaryOp):
    name = "FracBackward0"
    formula = "d(frac(a))/da = 1"
    ufunc = staticmethod(_frac)
    saves = None
    float_only = False
    derivatives = (GRAD,)


frac = unary_function(Frac, "frac")


class Round(Op):
    name = "RoundBackward0"
    formula = "d(round(a))/da = 0"

    @staticmethod
    def forward(ctx, a, *, decimals=None):
        # PyTorch rounds integers only through round() without decimals, and never bools
        if a.dtype == np.bool_ or (a.dtype.kind != "f" and decimals is not None):
            raise not_implemented("round_cpu" if decimals else "round_vml_cpu", a)
        if a.dtype.kind != "f":
            return a.copy()
        return np.round(a, decimals or 0)

    derivatives = (ZERO,)


@tensor_method("round")
def round(input, *, decimals=None):
    if decimals is not None:
        return apply(Round, (input,), {"decimals": decimals}, node_name="RoundBackward1")
    return Round.apply(input)


# -- relu, softplus ---------------------------------------------------------------------------
class Relu(Op):
    name = "ReluBackward0"
    formula = "d(relu(a))/da = 1 if a > 0 else 0"

    @staticmethod
    def forward(ctx, a):
        out = np.maximum(a, zero_for(a.dtype))
        if out.dtype is not a.dtype:  # (bfloat16's metadata, kept)
            out = out.astype(a.dtype, copy=False)
        ctx.save_for_backward(out)
        return out

    derivatives = (
        lambda ctx, grad, result: grad_where(
            result._data <= zero_for(result._data.dtype), grad, result, 0.0, 1.0
        ),
    )


relu = unary_function(Relu, "relu")


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
        # Above the threshold the gradient is passed as it is; exp of 0 there instead of the
        # product, whose overflow would make the second derivative NaN (inf / inf).
        above = a * beta > threshold
        z = where(above, 0.0, a * beta).exp()
        return where(above, grad, grad * z / (z + 1))


@tensor_method("softplus")
def softplus(input, beta=1.0, threshold=20.0):
    return Softplus.apply(input, beta=beta, threshold=threshold)
