"""Special functions: lgamma, digamma, polygamma, mvlgamma, erfinv, the Bessel functions
i0/i0e/i1/i1e, the normal distribution's ndtr/ndtri/log_ndtr, erfcx, entr, sinc, logit,
xlogy/xlog1py and the Hurwitz zeta function, with PyTorch's derivatives (each written in
chainrule ops, so it differentiates again) and grad_fn names.

The values come from _special_kernels.py (NumPy, no other dependency). Integer and bool
inputs compute in the default float dtype, as in PyTorch. chainrule.special holds the
torch.special names of these and of the existing ops PyTorch lists there.
"""

from __future__ import annotations

import math

import numpy as np

from .. import dtypes
from ..tensor import Tensor
from . import _special_kernels as K
from ._lazy import publish
from .errors import binary_forward
from .inplace import inplace
from .op import Op, tensor_method
from .pointwise import promote, where
from .writes import store_out

__all__ = [
    "digamma",
    "erfinv",
    "i0",
    "lgamma",
    "logit",
    "mvlgamma",
    "polygamma",
    "sinc",
    "xlogy",
]

_wrap = Tensor._wrap


def float_array(a):
    """An array as a float array: integer and bool inputs take the default float dtype."""
    a = np.asarray(a)
    return a if a.dtype.kind == "f" else a.astype(dtypes.get_default_dtype().np)


def _as_float_tensor(x):
    if not isinstance(x, Tensor):
        x = _wrap(np.asarray(x))
    return x if x._data.dtype.kind == "f" else x.to(dtypes.get_default_dtype())


# -- one-operand functions ---------------------------------------------------------------
class _Unary(Op):
    """forward: the kernel on the input (in the default float dtype when it is an integer
    one); backward: `derivative(grad, input, result)`, written in chainrule ops."""

    kernel = None

    @classmethod
    def forward(cls, ctx, a):
        a = float_array(a)
        out = np.asarray(cls.kernel(a))
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, result = ctx.saved_tensors
        return ctx.op.derivative(grad, a, result)


def _unary_op(class_name, grad_fn, kernel, formula, derivative):
    return type(
        class_name,
        (_Unary,),
        {
            "name": grad_fn,
            "formula": formula,
            "kernel": staticmethod(kernel),
            "derivative": staticmethod(derivative),
        },
    )


Lgamma = _unary_op(
    "Lgamma",
    "LgammaBackward0",
    K.lgamma,
    "d(lgamma(a))/da = digamma(a)",
    lambda g, a, r: g * digamma(a),
)
Digamma = _unary_op(
    "Digamma",
    "DigammaBackward0",
    K.digamma,
    "d(digamma(a))/da = polygamma(1, a)",
    lambda g, a, r: g * polygamma(1, a),
)
Erfinv = _unary_op(
    "Erfinv",
    "ErfinvBackward0",
    K.erfinv,
    "d(erfinv(a))/da = sqrt(pi)/2 * exp(erfinv(a)**2)",
    lambda g, a, r: 0.5 * math.sqrt(math.pi) * (r * r).exp() * g,
)
I0 = _unary_op("I0", "I0Backward0", K.i0, "d(i0(a))/da = i1(a)", lambda g, a, r: g * i1(a))
I0e = _unary_op(
    "I0e",
    "SpecialI0EBackward0",
    K.i0e,
    "d(i0e(a))/da = i1e(a) - sgn(a) * i0e(a)",
    lambda g, a, r: g * (i1e(a) - a.sgn() * r),
)


def _i1_derivative(g, a, r):
    # I1'(x) = I0(x) - I1(x)/x, which is 1/2 at 0.
    at_zero = (a == 0).detach()
    safe = where(at_zero, 1.0, a)
    return g * where(at_zero, 0.5, i0(a) - r / safe)


def _i1e_derivative(g, a, r):
    at_zero = (a == 0).detach()
    safe = where(at_zero, 1.0, a)
    return g * where(at_zero, 0.5, i0e(a) - r * (a.sgn() + safe.reciprocal()))


I1 = _unary_op(
    "I1", "SpecialI1Backward0", K.i1, "d(i1(a))/da = i0(a) - i1(a)/a (1/2 at 0)", _i1_derivative
)
I1e = _unary_op(
    "I1e",
    "SpecialI1EBackward0",
    K.i1e,
    "d(i1e(a))/da = i0e(a) - i1e(a) * (sgn(a) + 1/a) (1/2 at 0)",
    _i1e_derivative,
)
_SQRT_2PI = math.sqrt(2 * math.pi)
Ndtri = _unary_op(
    "Ndtri",
    "SpecialNdtriBackward0",
    K.ndtri,
    "d(ndtri(p))/dp = sqrt(2 pi) * exp(ndtri(p)**2 / 2)",
    lambda g, a, r: g * _SQRT_2PI * (r.square() / 2).exp(),
)
LogNdtr = _unary_op(
    "LogNdtr",
    "SpecialLogNdtrBackward0",
    K.log_ndtr,
    "d(log_ndtr(a))/da = exp(-a**2/2 - log_ndtr(a)) / sqrt(2 pi)",
    lambda g, a, r: g / _SQRT_2PI * (-(r + a.pow(2) / 2)).exp(),
)
Erfcx = _unary_op(
    "Erfcx",
    "SpecialErfcxBackward0",
    K.erfcx,
    "d(erfcx(a))/da = 2 a erfcx(a) - 2/sqrt(pi)",
    lambda g, a, r: (2.0 * a * r - 2.0 / math.sqrt(math.pi)) * g,
)


def _log_rounded(a):
    """log, correctly rounded in float32 too (as C's logf is; NumPy's float32 log is not
    always): computed in float64 and rounded once."""
    return np.log(a.astype(np.float64)).astype(a.dtype) if a.dtype == np.float32 else np.log(a)


def _entr(a):
    with np.errstate(divide="ignore", invalid="ignore"):
        log = _log_rounded(np.where(a > 0, a, 1))
        out = np.where(a > 0, -a * log, np.where(a == 0, 0, -np.inf))
    return np.where(np.isnan(a), a, out).astype(a.dtype)


Entr = _unary_op(
    "Entr",
    "SpecialEntrBackward0",
    _entr,
    "d(-a log a)/da = -(1 + log a)",
    lambda g, a, r: g * -(a.log() + 1),
)


def _sinc(a):
    product = a * a.dtype.type(math.pi)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.sin(product) / product
    return np.where(a == 0, a.dtype.type(1), out)


def _sinc_derivative(g, a, r):
    # (pi a cos(pi a) - sin(pi a)) / (pi a**2), 0 at a = 0 (PyTorch's form).
    pa = math.pi * a
    at_zero = (a == 0).detach()
    safe = where(at_zero, 1.0, a)
    d = (pa * pa.cos() - pa.sin()) / (math.pi * safe * safe)
    return g * where(at_zero, 0.0, d)


Sinc = _unary_op(
    "Sinc",
    "SincBackward0",
    _sinc,
    "d(sin(pi a)/(pi a))/da = (pi a cos(pi a) - sin(pi a)) / (pi a**2)",
    _sinc_derivative,
)


def _unary_function(op, name):
    def fn(input, *, out=None):
        result = op.apply(_as_float_tensor(input) if not isinstance(input, Tensor) else input)
        return result if out is None else _store(out, result)

    fn.__name__ = name
    fn.__doc__ = f"Elementwise {name}. {op.formula}"
    return fn


_store = store_out


def _inplace_form(fn):
    def method(self, *args, **kwargs):
        return inplace(self, lambda t: fn(t, *args, **kwargs))

    method.__name__ = fn.__name__ + "_"
    return method


lgamma = _unary_function(Lgamma, "lgamma")
digamma = _unary_function(Digamma, "digamma")
erfinv = _unary_function(Erfinv, "erfinv")
i0 = _unary_function(I0, "i0")
sinc = _unary_function(Sinc, "sinc")
i0e = _unary_function(I0e, "i0e")
i1 = _unary_function(I1, "i1")
i1e = _unary_function(I1e, "i1e")
ndtri = _unary_function(Ndtri, "ndtri")
log_ndtr = _unary_function(LogNdtr, "log_ndtr")
erfcx = _unary_function(Erfcx, "erfcx")
entr = _unary_function(Entr, "entr")

for _fn in (lgamma, digamma, erfinv, i0, sinc):
    tensor_method(_fn.__name__)(_fn)
    tensor_method(_fn.__name__ + "_")(_inplace_form(_fn))


def ndtr(input):
    """The standard normal CDF, as PyTorch computes it: (1 + erf(x / sqrt(2))) / 2."""
    x = _as_float_tensor(input)
    return ((x * (1 / math.sqrt(2.0))).erf() + 1) * 0.5


# -- polygamma, mvlgamma -------------------------------------------------------------------
class Polygamma(Op):
    name = "PolygammaBackward0"
    formula = "d(polygamma(n, a))/da = polygamma(n + 1, a)"

    @staticmethod
    def forward(ctx, a, *, n):
        a = float_array(a)
        ctx.n = n
        ctx.save_for_backward(a)
        return K.polygamma(n, a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * polygamma(ctx.n + 1, a)


@tensor_method("polygamma")
def _polygamma_method(self, n):
    return polygamma(n, self)


def polygamma(n, input, *, out=None):
    """The n-th derivative of digamma (n >= 0)."""
    if not isinstance(n, int) or isinstance(n, bool):
        raise TypeError(
            f"polygamma(): argument 'n' (position 1) must be int, not {type(n).__name__}"
        )
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    result = Polygamma.apply(_as_float_tensor(input), n=n)
    return result if out is None else _store(out, result)


@tensor_method("polygamma_")
def polygamma_(self, n):
    return inplace(self, lambda t: polygamma(n, t))


_LOG_PI = math.log(math.pi)


class Mvlgamma(Op):
    name = "MvlgammaBackward0"
    formula = "d(mvlgamma(a, p))/da = sum_j digamma(a - j/2), j = 0 .. p-1"

    @staticmethod
    def forward(ctx, a, *, p):
        ctx.p = p
        ctx.save_for_backward(a)
        # PyTorch's steps: lgamma of a + (-(p-1)/2, ..., -1/2, 0), summed, plus a constant.
        shifts = (np.arange(p, dtype=a.dtype) - (p - 1)) / a.dtype.type(2)
        terms = K.lgamma(a[..., None] + shifts)
        return terms.sum(-1) + a.dtype.type(p * (p - 1) * _LOG_PI * 0.25)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        p = ctx.p
        shifts = _wrap((np.arange(p, dtype=a._data.dtype) - (p - 1)) / 2)
        return grad * digamma(a.unsqueeze(-1) + shifts).sum(-1)


@tensor_method("mvlgamma")
def mvlgamma(input, p):
    """The multivariate log-gamma function of dimension p."""
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    return Mvlgamma.apply(_as_float_tensor(input), p=p)


@tensor_method("mvlgamma_")
def mvlgamma_(self, p):
    return inplace(self, lambda t: mvlgamma(t, p))


# -- logit -----------------------------------------------------------------------------------
class Logit(Op):
    name = "LogitBackward0"
    formula = "d(log(a/(1-a)))/da = 1/(a(1-a)) (0 outside [eps, 1-eps] with eps)"

    @staticmethod
    def forward(ctx, a, *, eps):
        ctx.eps = eps
        ctx.save_for_backward(a)
        one = a.dtype.type(1)
        z = a if eps is None else np.clip(a, a.dtype.type(eps), one - a.dtype.type(eps))
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(z / (one - z))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        eps = ctx.eps
        d = grad / (a * (1 - a))
        if eps is None:
            outside = ((a < 0) | (a > 1)).detach()
            return where(outside, math.nan, d)
        outside = ((a < eps) | (a > 1 - eps)).detach()
        return where(outside, 0.0, d)


@tensor_method("logit")
def logit(input, eps=None, *, out=None):
    """log(p / (1 - p)); with eps, p is first clamped to [eps, 1 - eps]."""
    result = Logit.apply(_as_float_tensor(input), eps=None if eps is None else float(eps))
    return result if out is None else _store(out, result)


@tensor_method("logit_")
def logit_(self, eps=None):
    return inplace(self, lambda t: logit(t, eps))


# -- xlogy, xlog1py, entr and zeta's two-operand forms ----------------------------------------
class _XLog(Op):
    """x * log(y) (or log1p(y)), 0 where x == 0 unless y is NaN."""

    log = staticmethod(np.log)
    log_op = "log"

    @classmethod
    def forward(cls, ctx, x, y):
        ctx.save_for_backward(x, y)
        with np.errstate(divide="ignore", invalid="ignore"):
            prod = binary_forward(np.multiply, x, cls.log(y))  # PyTorch's broadcast error
        y_nan = np.isnan(y)
        return np.where((np.asarray(x) == 0) & ~y_nan, np.zeros((), prod.dtype), prod)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        needs = ctx.needs_input_grad
        gx = gy = None
        is_log = ctx.op.log_op == "log"
        if needs[0]:
            # PyTorch's formula: xlogy(grad, y) (0 where the gradient is 0, even where the log
            # is infinite), and 0 where x == 0 and y is outside the log's domain (y <= 0;
            # y <= -1 for log1p)
            times_log = (xlogy if is_log else xlog1py)(grad, y)
            gx = where((x == 0) & (y <= (0 if is_log else -1)), 0.0, times_log)
        if needs[1]:
            gy = grad * x / (y if is_log else y + 1)
        return gx, gy


class Xlogy(_XLog):
    name = "XlogyBackward0"
    formula = "d(x log y)/dx = log y (0 where x == 0 and y <= 0), d/dy = x / y"


class XlogyScalarSelf(Xlogy):
    name = "XlogyBackward1"


class XlogyScalarOther(Xlogy):
    name = "XlogyBackward2"


class Xlog1py(_XLog):
    name = "SpecialXlog1PyBackward0"
    formula = "d(x log1p(y))/dx = log1p(y) (0 where x == 0 and y <= -1), d/dy = x / (1 + y)"
    log = staticmethod(np.log1p)
    log_op = "log1p"


class Xlog1pyScalarSelf(Xlog1py):
    name = "SpecialXlog1PyBackward1"


class Xlog1pyScalarOther(Xlog1py):
    name = "SpecialXlog1PyBackward2"


def _binary_float(input, other, ops):
    """Promote two operands (one may be a Python number) to a float result type, and pick
    the op for tensor/tensor, number/tensor or tensor/number."""
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise TypeError("at least one operand must be a Tensor")
    a, b = promote(input, other, float_result=True)
    both, scalar_self, scalar_other = ops
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        return both, a, b
    if isinstance(b, Tensor):
        return scalar_self, _wrap(np.asarray(a, dtype=b._data.dtype)), b
    return scalar_other, a, _wrap(np.asarray(b, dtype=a._data.dtype))


@tensor_method("xlogy")
def xlogy(input, other, *, out=None):
    """input * log(other), 0 where input is 0 (unless other is NaN)."""
    op, a, b = _binary_float(input, other, (Xlogy, XlogyScalarSelf, XlogyScalarOther))
    result = op.apply(a, b)
    return result if out is None else _store(out, result)


@tensor_method("xlogy_")
def xlogy_(self, other):
    return inplace(self, lambda t: xlogy(t, other), (other,))


def xlog1py(input, other, *, out=None):
    """input * log1p(other), 0 where input is 0 (unless other is NaN)."""
    op, a, b = _binary_float(input, other, (Xlog1py, Xlog1pyScalarSelf, Xlog1pyScalarOther))
    result = op.apply(a, b)
    return result if out is None else _store(out, result)


class Zeta(Op):
    name = "SpecialZetaBackward0"
    formula = "d(zeta(x, q))/dq = -x * zeta(x + 1, q) (none with respect to x)"

    @staticmethod
    def forward(ctx, x, q):
        ctx.save_for_backward(x, q)
        return K.zeta(x, q)

    @staticmethod
    def backward(ctx, grad):
        x, q = ctx.saved_tensors
        needs = ctx.needs_input_grad
        if needs[0]:
            raise RuntimeError(
                "the derivative for 'self' is not implemented. (Its derivative with respect "
                "to x, the exponent, is not defined in closed form.)"
            )
        return None, (grad * -x * zeta(x + 1.0, q) if needs[1] else None)


class ZetaScalarSelf(Zeta):
    name = "SpecialZetaBackward1"


def zeta(input, other, *, out=None):
    """The Hurwitz zeta function: sum over k >= 0 of (k + other) ** -input."""
    op, a, b = _binary_float(input, other, (Zeta, ZetaScalarSelf, Zeta))
    result = op.apply(a, b)
    return result if out is None else _store(out, result)


publish(__name__)  # NumPy's argument names, chainrule.<name>: _lazy.py
