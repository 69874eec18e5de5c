"""Pointwise arithmetic and selection: + - * / ** and friends with broadcasting and
PyTorch's type promotion (promotion.py), where, maximum/minimum, clamp and lerp.

Each Op stands above its public function. Each derivative follows PyTorch's formula
and its order of operations, so that float32 gradients match bit for bit where the
arithmetic is the same. The one-operand math (exp, tanh, ...) is in unary.py; the
in-place forms (add_, clamp_, ...) are in inplace.py.
"""

import math
import operator

import numpy as np

from .. import _arithmetic, dtypes
from ..tensor import Tensor
from ._fused import fma
from .errors import (
    binary_forward,
    broadcast_shapes_error,
    check_int_division,
    check_sub_bool,
    type_name,
)
from .op import (
    _NO_KWARGS,
    GRAD,
    NULL_CTX,
    ZERO,
    Apply,
    Op,
    apply,
    apply_binary,
    apply_unary,
    tensor_method,
)
from .promotion import as_tensor_like, promote, scalar_pair
from .writes import maybe_out

__all__ = [
    "fmax",
    "fmin",
    "add",
    "addcdiv",
    "addcmul",
    "clamp",
    "clamp_max",
    "clamp_min",
    "clamp_tensor",
    "clip",
    "div",
    "divide",
    "floor_divide",
    "fmod",
    "lerp",
    "logaddexp",
    "maximum",
    "minimum",
    "mul",
    "multiply",
    "neg",
    "negative",
    "pow",
    "remainder",
    "square",
    "sub",
    "subtract",
    "true_divide",
    "where",
]

_wrap = Tensor._wrap


def _is_tensor(x):
    return x.__class__ is Tensor or isinstance(x, Tensor)


def _scaled(b, alpha):
    # A Python number times alpha stays a Python number, so it stays weak: float32 + 0.3 * -0.1
    # is float32, as in PyTorch (np.multiply would make it a float64 scalar, which promotes).
    return np.multiply(b, alpha) if isinstance(b, np.ndarray) else b * alpha


def add_scaled(a, b, alpha):
    """a + alpha * b on arrays (either may be a number), as PyTorch's add kernel: one fused
    multiply-add for float32 (ops/_fused.py), alpha taken in the tensor's precision."""
    arrays = [x.dtype for x in (a, b) if isinstance(x, np.ndarray)]
    if arrays and all(d == np.float32 for d in arrays):
        dtype = arrays[0]
        try:
            return fma(b, dtype.type(alpha), a)
        except ValueError:
            raise broadcast_shapes_error(np.shape(a), np.shape(b)) from None
    return binary_forward(np.add, a, _scaled(b, alpha))


# -- + ---------------------------------------------------------------------------------------
class Add(Op):
    name = "AddBackward0"
    direct = True  # forward is ufunc plus saving `saves` (Op.direct)
    saves = None
    formula = "d(a+b)/da = 1, d(a+b)/db = 1"
    ufunc = np.add

    @staticmethod
    def forward(ctx, a, b):
        try:
            return a + b
        except ValueError:
            raise broadcast_shapes_error(np.shape(a), np.shape(b)) from None

    derivatives = (
        GRAD,
        GRAD,
    )


class AddScaled(Op):
    name = "AddBackward0"
    formula = "d(a+alpha*b)/da = 1, d(a+alpha*b)/db = alpha"

    @staticmethod
    def forward(ctx, a, b, *, alpha):
        ctx.alpha = alpha
        if _arithmetic.pytorch_order:
            return add_scaled(a, b, alpha)
        return binary_forward(np.add, a, _scaled(b, alpha))

    derivatives = (
        GRAD,
        lambda ctx, grad: grad * ctx.alpha,
    )


@tensor_method("add")
def add(input, other, *, alpha=1, out=None):
    a, b = promote(input, other)
    if alpha != 1:
        result = AddScaled.apply(a, b, alpha=alpha)
    elif _is_tensor(a):
        result = apply_binary(Add, a, b)
    else:
        result = apply_binary(Add, b, a)
    return maybe_out(result, out)


# -- - ---------------------------------------------------------------------------------------
class Sub(Op):
    name = "SubBackward0"
    formula = "d(a-b)/da = 1, d(a-b)/db = -1"
    ufunc = np.subtract  # with alpha=1; alpha comes as a keyword

    @staticmethod
    def forward(ctx, a, b, *, alpha=1):
        ctx.alpha = alpha
        if alpha != 1 and _arithmetic.pytorch_order:
            return add_scaled(a, b, -alpha)
        try:
            return a - b if alpha == 1 else a - _scaled(b, alpha)
        except ValueError:
            raise broadcast_shapes_error(np.shape(a), np.shape(b)) from None

    derivatives = (
        GRAD,
        lambda ctx, grad: -grad if ctx.alpha == 1 else -grad * ctx.alpha,
    )


@tensor_method("sub", "subtract")
def sub(input, other, *, alpha=1, out=None):
    a, b = promote(input, other)
    if isinstance(a, Tensor) and a._data.dtype == np.bool_:
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the "
            "`^` or `logical_xor()` operator instead."
        )
    check_sub_bool(input, other)
    if _is_tensor(a):
        if alpha == 1 and out is None:
            return apply_binary(Sub, a, b)
        return maybe_out(Sub.apply(a, b, alpha=alpha), out)
    return maybe_out(apply(Sub, (a, b), {"alpha": alpha}, node_name="RsubBackward1"), out)


subtract = sub


@tensor_method("__rsub__")
def rsub(input, other, *, alpha=1):
    check_sub_bool(input, other)
    a, b = promote(other, input)
    kwargs = _NO_KWARGS if alpha == 1 else {"alpha": alpha}
    return apply(Sub, (a, b), kwargs, node_name="RsubBackward1")


# -- * ---------------------------------------------------------------------------------------
class Mul(Op):
    name = "MulBackward0"
    direct = True  # forward is ufunc plus saving `saves` (Op.direct)
    saves = "operands"
    formula = "d(a*b)/da = b, d(a*b)/db = a"
    ufunc = np.multiply

    @staticmethod
    def forward(ctx, a, b):
        # As PyTorch: with a Python number for b, a is not needed (nor saved), so an
        # in-place change of a later does not invalidate this node.
        ctx.save_for_backward(a if b.__class__ is np.ndarray else None, b)
        try:
            return a * b
        except ValueError:
            raise broadcast_shapes_error(np.shape(a), np.shape(b)) from None

    derivatives = (
        Apply(saved=1, call=operator.mul),  # grad * b
        Apply(saved=0, call=operator.mul),  # grad * a
    )


@tensor_method("mul", "multiply")
def mul(input, other, *, out=None):
    a, b = promote(input, other)
    if not _is_tensor(a):
        a, b = b, a
    result = apply_binary(Mul, a, b)
    return result if out is None else maybe_out(result, out)


multiply = mul


# -- / ---------------------------------------------------------------------------------------
class Div(Op):
    name = "DivBackward0"
    direct = True  # forward is ufunc plus saving `saves` (Op.direct)
    saves = "operands"
    formula = "d(a/b)/da = 1/b, d(a/b)/db = -a/b**2"
    ufunc = np.true_divide

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a if b.__class__ is np.ndarray else None, b)
        return binary_forward(np.true_divide, a, b)

    derivatives = (
        Apply(saved=1, call=operator.truediv),  # grad / b
        lambda ctx, grad, a, b: -grad * ((a / b) / b),
    )


def _rounded_quotient(a, b, mode):
    """a / b rounded down ('floor') or toward zero ('trunc'), in the operands' dtype."""
    check_int_division(a, b)
    q = binary_forward(np.floor_divide, a, b)
    if mode == "floor":
        return q
    if np.asarray(q).dtype.kind in "iu":  # exact integers: floor, plus one where it rounded
        # a negative quotient down
        inexact = binary_forward(np.remainder, a, b) != 0
        return q + (inexact & ((np.asarray(a) < 0) != (np.asarray(b) < 0)))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.trunc(binary_forward(np.true_divide, a, b))


class DivRounded(Op):
    name = "DivBackward2"
    formula = "d(a / b rounded to an integer)/da = d/db = 0 (a step function)"

    @staticmethod
    def forward(ctx, a, b, *, mode):
        out = _rounded_quotient(a, b, mode)
        return out if out.__class__ is np.ndarray else np.asarray(out)

    derivatives = (
        lambda ctx, grad, *saved: grad.new_zeros(grad.shape),
        lambda ctx, grad, *saved: grad.new_zeros(grad.shape),
    )


class _NotGiven:
    """The default of div's rounding_mode: PyTorch names the node of an explicit
    `rounding_mode=None` DivBackward2, and that of a plain division DivBackward0."""

    def __repr__(self):
        return "None"


_NOT_GIVEN = _NotGiven()


@tensor_method("div", "divide", "true_divide")
def div(input, other, *, rounding_mode=_NOT_GIVEN, out=None):
    if rounding_mode in ("floor", "trunc"):
        # differentiable (to a zero gradient) as PyTorch's: the result requires grad
        a, b = promote(input, other)
        result = DivRounded.apply(a, b, mode=rounding_mode)
        return result if out is None else maybe_out(result, out)
    node_name = None
    if rounding_mode is not _NOT_GIVEN:
        if rounding_mode is not None:
            raise RuntimeError(
                "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                f"'{rounding_mode}'"
            )
        node_name = "DivBackward2"
    a, b = promote(input, other, float_result=True)
    if _is_tensor(a):
        result = apply_binary(Div, a, b, node_name=node_name)
    else:
        result = apply(Div, (a, b), _NO_KWARGS, node_name=node_name)
    return result if out is None else maybe_out(result, out)


divide = true_divide = div


@tensor_method("__rtruediv__")
def rdiv(input, other):
    return input.reciprocal() * other


# -- the operators a + b, a - b, a * b, a / b ---------------------------------------------------
def _operator(op, full):
    """The operator form (a * b) of a binary op: a float tensor with a tensor of its own
    dtype or with a Python number goes straight to the op; anything else (promotion,
    integer and bool tensors, arrays) takes the full function."""

    def method(self, other):
        if self._data.dtype.kind == "f":
            c = other.__class__
            if c is Tensor:
                if other._data.dtype is self._data.dtype:
                    return apply_binary(op, self, other)
            elif c is float or c is int:
                return apply_binary(op, self, other)
        return full(self, other)

    method.__name__ = full.__name__
    return method


tensor_method("__add__", "__radd__")(_operator(Add, add))
tensor_method("__sub__")(_operator(Sub, sub))
tensor_method("__mul__", "__rmul__")(_operator(Mul, mul))
tensor_method("__truediv__")(_operator(Div, div))


# -- //, %, fmod ------------------------------------------------------------------------------
class FloorDivide(Op):
    # PyTorch records floor_divide of float operands that require grad (the result requires
    # grad) under a node that has no derivative: backward through it raises.
    name = "NotImplemented"
    formula = "none: backward raises PyTorch's error (floor_divide has no derivative there)"

    @staticmethod
    def forward(ctx, a, b, *, kernel="floor_divide"):
        ctx.kernel = kernel  # the error's name for it: floor_divide_ for the in-place form
        check_int_division(a, b)
        return binary_forward(np.floor_divide, a, b)

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError(f"derivative for aten::{ctx.kernel} is not implemented")


@tensor_method("floor_divide", "__floordiv__")
def floor_divide(input, other):
    a, b = promote(input, other)
    return FloorDivide.apply(a, b)


def floor_divide_for_inplace(input, other):
    """floor_divide as floor_divide_ and //= compute it out of place (ops/inplace.py)."""
    a, b = promote(input, other)
    return FloorDivide.apply(a, b, kernel="floor_divide_")


@tensor_method("__rfloordiv__")
def rfloordiv(input, other):
    a, b = promote(other, input)
    return FloorDivide.apply(a, b)


class Remainder(Op):
    name = "RemainderBackward0"
    formula = "d(a mod b)/da = 1, d(a mod b)/db = -floor(a/b)"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        check_int_division(a, b)
        return binary_forward(np.remainder, a, b)

    derivatives = (
        GRAD,
        lambda ctx, grad, a, b: -grad * (a / b).floor(),
    )


@tensor_method("remainder", "__mod__")
def remainder(input, other):
    a, b = promote(input, other)
    return Remainder.apply(a, b)


@tensor_method("__rmod__")
def rmod(input, other):
    a, b = promote(other, input)
    return Remainder.apply(a, b)


@tensor_method("fmod")
def fmod(input, other):
    a, b = promote(input, other)
    return input - (a / b).trunc() * b if a.is_floating_point() else remainder(a, b)


# -- unary minus and plus ---------------------------------------------------------------------
class Neg(Op):
    name = "NegBackward0"
    formula = "d(-a)/da = -1"
    ufunc = np.negative  # on float input (bool is refused by forward)

    @staticmethod
    def forward(ctx, a):
        if a.dtype == np.bool_:
            raise RuntimeError(
                "Negation, the `-` operator, on a bool tensor is not supported. If you are "
                "trying to invert a mask, use the `~` or `logical_not()` operator instead."
            )
        return np.negative(a)

    derivatives = (lambda ctx, grad: -grad,)


@tensor_method("neg", "negative", "__neg__")
def neg(input):
    return apply_unary(Neg, input)


negative = neg


@tensor_method("__pos__", "positive")
def positive(input):
    return input


# -- ** ---------------------------------------------------------------------------------------
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

    derivatives = (
        lambda ctx, grad, a: (
            ZERO(ctx, grad)
            if ctx.exponent == 0
            else apply_binary(PowBackward, grad, a, {"exponent": ctx.exponent})
        ),
    )


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

    derivatives = (
        lambda ctx, gg, grad, a: gg * (ctx.exponent * a.pow(ctx.exponent - 1)),
        lambda ctx, gg, grad, a: gg * grad * _second_derivative(ctx.exponent, a),
    )


def _second_derivative(n, a):
    """d2(a**n)/da2 = n * (n-1) * a**(n-2), in PyTorch's order."""
    return n * (n - 1) * a.pow(n - 2)


class Pow(Op):
    name = "PowBackward1"
    formula = "d(a**b)/da = b * a**(b-1), d(a**b)/db = a**b * log(a)"

    @staticmethod
    def forward(ctx, a, b):
        out = binary_forward(np.power, a, b)
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b, result = ctx.saved_tensors
        needs = ctx.needs_input_grad
        ga = gb = None
        if needs[0]:
            ga = where(b == 0, 0.0, grad * (b * a.pow(b - 1)))
        if needs[1]:
            if isinstance(a, Tensor):
                gb = grad * where((a == 0) & (b >= 0), 0.0, result * a.log())
            else:  # a number: its log as PyTorch takes it (-inf at 0, nan below 0)
                log_a = math.log(a) if a > 0 else (-math.inf if a == 0 else math.nan)
                if a == 0:  # 0**b is flat (0 or 1) where b >= 0: a zero there, not 0 * -inf
                    gb = grad * where(b >= 0, 0.0, result * log_a)
                else:
                    gb = grad * (result * log_a)
        return ga, gb


@tensor_method("pow", "__pow__")
def pow(input, exponent):
    if isinstance(input, Tensor) and type(exponent) in (int, float):
        if input._data.dtype.kind in "iub" and type(exponent) is float:
            input = input.to(dtypes.get_default_dtype())
        return apply_unary(PowScalar, input, {"exponent": exponent})
    a, b = promote(input, exponent)
    if isinstance(a, Tensor):
        return Pow.apply(a, b)
    return apply(Pow, (a, b), _NO_KWARGS, node_name="PowBackward2")


@tensor_method("__rpow__")
def rpow(input, other):
    a, b = promote(other, input)
    return apply(Pow, (a, b), _NO_KWARGS, node_name="PowBackward2")


@tensor_method("square")
def square(input):
    return pow(input, 2)


# -- log(exp(a) + exp(b)) ---------------------------------------------------------------------
class LogAddExp(Op):
    name = "LogaddexpBackward0"
    formula = "d(log(exp(a)+exp(b)))/da = 1/(1+exp(b-a)), d/db = 1/(1+exp(a-b))"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        # max(a, b) + log1p(exp(-|a-b|)): never overflows (NumPy's logaddexp is this form).
        return binary_forward(np.logaddexp, a, b)

    derivatives = (
        lambda ctx, grad, a, b: grad / ((b - a).exp() + 1),
        lambda ctx, grad, a, b: grad / ((a - b).exp() + 1),
    )


@tensor_method("logaddexp")
def logaddexp(input, other):
    a, b = promote(input, other, float_result=True)
    return LogAddExp.apply(a, as_tensor_like(b, a))


# -- addcmul, addcdiv: composites ---------------------------------------------------------------
@tensor_method("addcmul")
def addcmul(input, tensor1, tensor2, *, value=1):
    # PyTorch's order, (value * tensor1) * tensor2, so optimizer steps round as PyTorch's do
    try:
        return input + value * tensor1 * tensor2 if value != 1 else input + tensor1 * tensor2
    except RuntimeError:  # shapes that do not broadcast: name them in PyTorch's order
        _check_broadcast(*(np.shape(_data_of(x)) for x in (input, tensor1, tensor2)))
        raise


@tensor_method("addcdiv")
def addcdiv(input, tensor1, tensor2, *, value=1):
    # PyTorch's order, (value * tensor1) / tensor2: Adam's update then matches it bit for bit
    try:
        return input + value * tensor1 / tensor2 if value != 1 else input + tensor1 / tensor2
    except RuntimeError:  # shapes that do not broadcast: name them in PyTorch's order
        _check_broadcast(*(np.shape(_data_of(x)) for x in (input, tensor1, tensor2)))
        raise


def _check_broadcast(*shapes):
    """PyTorch's error for operands whose shapes do not broadcast, found as it finds it:
    the shape broadcast so far against each next operand's."""
    shape = shapes[0]
    for other in shapes[1:]:
        try:
            shape = np.broadcast_shapes(shape, other)
        except ValueError:
            raise broadcast_shapes_error(shape, other) from None


def _data_of(x):
    return x._data if isinstance(x, Tensor) else x


# -- maximum, minimum ---------------------------------------------------------------------------
class Maximum(Op):
    name = "MaximumBackward0"
    formula = "d(max(a,b))/da = 1 where a > b (1/2 on ties)"
    np_fn = staticmethod(np.maximum)
    sign = 1

    @classmethod
    def forward(cls, ctx, a, b):
        ctx.save_for_backward(a, b)
        return binary_forward(cls.np_fn, a, b)

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


@tensor_method("maximum")
def maximum(input, other):
    a, b = promote(input, other)
    return Maximum.apply(a, as_tensor_like(b, a))


@tensor_method("minimum")
def minimum(input, other):
    a, b = promote(input, other)
    return Minimum.apply(a, as_tensor_like(b, a))


# -- fmax, fmin: maximum and minimum that skip a NaN ---------------------------------------------
class Fmax(Maximum):
    """Maximum's forward with np.fmax; its own backward."""

    name = "FmaxBackward0"
    formula = "d(fmax(a,b))/da = 1 where a >= b or b is NaN, else d/db = 1"
    np_fn = staticmethod(np.fmax)
    sign = 1

    @staticmethod
    def backward(ctx, grad):
        # The whole gradient goes to one side, a on ties (PyTorch's choice): to a where a
        # wins or b is NaN, to b everywhere else (a NaN a loses to any b).
        a, b = ctx.saved_tensors
        a_wins = ((a >= b) if ctx.op.sign > 0 else (a <= b)).logical_or(b.isnan())
        return grad.masked_fill(a_wins.logical_not(), 0), grad.masked_fill(a_wins, 0)


class Fmin(Fmax):
    name = "FminBackward0"
    formula = "d(fmin(a,b))/da = 1 where a <= b or b is NaN, else d/db = 1"
    np_fn = staticmethod(np.fmin)
    sign = -1


@tensor_method("fmax")
def fmax(input, other, *, out=None):
    a, b = promote(input, other)
    result = Fmax.apply(a, as_tensor_like(b, a))
    return result if out is None else maybe_out(result, out)


@tensor_method("fmin")
def fmin(input, other, *, out=None):
    a, b = promote(input, other)
    result = Fmin.apply(a, as_tensor_like(b, a))
    return result if out is None else maybe_out(result, out)


# -- where ------------------------------------------------------------------------------------
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
        needs = ctx.needs_input_grad
        zero = 0.0  # not grad * 0: an infinite gradient gives 0 where not picked, not NaN
        return (
            None,
            where(condition, grad, zero) if needs[1] else None,
            where(condition, zero, grad) if needs[2] else None,
        )


def where(condition, input=None, other=None):
    """where(cond, a, b) picks a where cond holds, else b; where(cond) gives nonzero indices."""
    if input is None and other is None:
        return condition.nonzero(as_tuple=True)
    if not isinstance(condition, Tensor):
        condition = _wrap(np.asarray(condition))
    if condition._data.dtype != np.bool_:
        raise RuntimeError(
            f"where expected condition to be a boolean tensor, but got a tensor with dtype "
            f"{type_name(condition)}"
        )
    if not (isinstance(input, Tensor) or isinstance(other, Tensor)):
        input, other = scalar_pair(input, other)
    a, b = promote(input, other)
    a = a if isinstance(a, Tensor) else _wrap(np.asarray(a, dtype=b._data.dtype))
    b = b if isinstance(b, Tensor) else _wrap(np.asarray(b, dtype=a._data.dtype))
    try:
        return Where.apply(condition, a, b)
    except ValueError:  # shapes that do not broadcast: PyTorch's message, found its way
        _check_broadcast(condition._data.shape, a._data.shape, b._data.shape)
        raise


@tensor_method("where")
def _where_method(condition_self, condition, other):
    return where(condition, condition_self, other)


# -- clamp ------------------------------------------------------------------------------------
class Clamp(Op):
    """clamp with number bounds (either may be None)."""

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


class ClampTensor(Op):
    """clamp with tensor bounds (either may be None): gradients flow to the bounds too."""

    name = "ClampBackward0"
    formula = "d(clamp(a, lo, hi))/da = [lo <= a <= hi], d/dlo = [a < lo < hi], d/dhi = [a > hi]"

    @staticmethod
    def forward(ctx, a, lo, hi):
        ctx.save_for_backward(a, lo, hi)
        out = a
        if lo is not None:
            out = binary_forward(np.maximum, out, lo)
        if hi is not None:
            out = binary_forward(np.minimum, out, hi)
        return out if out is not a else a.copy()

    @staticmethod
    def backward(ctx, grad):
        # PyTorch's clamp_backward and clamp_backward_min_max: where lo > hi the
        # result is hi, and hi gets the whole gradient.
        a, lo, hi = ctx.saved_tensors
        needs = ctx.needs_input_grad
        zero = 0.0  # not grad * 0: an infinite gradient gives 0 where clamped, not NaN
        if lo is not None and hi is not None:
            ga = where((a >= lo) & (a <= hi), grad, zero)
            glo = where((a < lo) & (lo < hi), grad, zero) if needs[1] else None
            ghi = where((a > hi) | (hi < lo), grad, zero) if needs[2] else None
        elif lo is not None:
            ga = where(a >= lo, grad, zero)
            glo = where(a < lo, grad, zero) if needs[1] else None
            ghi = None
        else:
            ga = where(a <= hi, grad, zero)
            glo = None
            ghi = where(a > hi, grad, zero) if needs[2] else None
        return (ga if needs[0] else None), glo, ghi


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
    return apply(ClampTensor, (a, lo, hi), _NO_KWARGS, node_name=name)


def _clamp(input, min, max, names):
    """clamp, clamp_min and clamp_max; names: the grad_fn's for number and tensor bounds."""
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        return clamp_tensor(input, min, max, names[1])
    input = _clamp_promote(input, min, max)
    return apply(Clamp, (input,), {"min": min, "max": max}, node_name=names[0])


@tensor_method("clamp", "clip")
def clamp(input, min=None, max=None):
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    return _clamp(input, min, max, ("ClampBackward1", "ClampBackward0"))


clip = clamp


@tensor_method("clamp_min")
def clamp_min(input, min):
    return _clamp(input, min, None, ("ClampMinBackward0", "ClampMinBackward1"))


@tensor_method("clamp_max")
def clamp_max(input, max):
    return _clamp(input, None, max, ("ClampMaxBackward0", "ClampMaxBackward1"))


# -- lerp -------------------------------------------------------------------------------------
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
        needs = ctx.needs_input_grad
        if ctx.op is Lerp:
            w = ctx.weight
            ga = grad * (1 - w) if needs[0] else None
            return ga, (grad * w if needs[1] else None), None
        a, end, weight = ctx.saved_tensors
        return (
            grad * (1 - weight) if needs[0] else None,
            grad * weight if needs[1] else None,
            grad * (end - a) if needs[2] else None,
        )


class _LerpTensor(Lerp):
    name = "LerpBackward1"

    @staticmethod
    def forward(ctx, a, end, weight):
        ctx.save_for_backward(a, end, weight)
        return Lerp.forward(NULL_CTX, a, end, weight)


@tensor_method("lerp")
def lerp(input, end, weight):
    if not isinstance(end, Tensor):
        raise TypeError(
            f"lerp(): argument 'end' (position 2) must be Tensor, not {type(end).__name__}"
        )
    if not input.is_floating_point():
        raise NotImplementedError(
            f"\"lerp_kernel_scalar\" not implemented for '{type_name(input)}'"
        )
    for what, t in (("end", end), ("weight", weight)):
        if isinstance(t, Tensor) and t._data.dtype != input._data.dtype:
            expected = dtypes.cpp_type_name(input._data.dtype)
            got = dtypes.cpp_type_name(t._data.dtype)
            raise RuntimeError(f"expected dtype {expected} for `{what}` but got dtype {got}")
    if isinstance(weight, Tensor):
        return _LerpTensor.apply(input, end, weight)
    return Lerp.apply(input, end, float(weight))
