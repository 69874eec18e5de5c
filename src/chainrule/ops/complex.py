"""Complex tensors: their parts, conjugates, polar form and magnitude, and which of the
other ops take complex operands (ops/dtype_dispatch.py says what the modes mean).

Gradients follow PyTorch's convention for a real loss L of complex z = x + iy: z's
gradient is dL/dx + i dL/dy (the conjugate Wirtinger derivative, times two). For an
output w the incoming gradient g stands for L = Re(conj(g) * w), and z's gradient is
conj(g) * dw/d(conj z) + g * conj(dw/dz); for a holomorphic w that is g * conj(w'(z)).

chainrule has no lazy conjugation: conj() returns a new tensor (as conj_physical does),
so is_conj() is always False and resolve_conj() returns its input.
"""

from __future__ import annotations

import numpy as np

from .. import dtypes
from ..tensor import Tensor
from . import (
    comparison,
    conversion,
    indexing,
    inplace,
    joining,
    matmul,
    pointwise,
    rearrange,
    reduction,
    shape,
    unary,
)
from ._lazy import publish
from .dtype_dispatch import (
    HOLOMORPHIC,
    LINEAR,
    OWN,
    keep_wrapped_numbers,
    round_kwargs,
    set_complex_mode,
)
from .op import Op, tensor_method

__all__ = [
    "angle",
    "complex",
    "conj",
    "conj_physical",
    "imag",
    "is_complex",
    "is_conj",
    "is_neg",
    "polar",
    "real",
    "resolve_conj",
    "resolve_neg",
    "view_as_complex",
    "view_as_real",
    "vdot",
]

_wrap = Tensor._wrap
_as_strided = np.lib.stride_tricks.as_strided


def _complex_dtype_of(real_np_dtype):
    return dtypes.from_numpy_dtype(real_np_dtype).to_complex()


# -- parts ----------------------------------------------------------------------------------
class Real(Op):
    name = "SelectBackward0"  # PyTorch takes the real part as a select of view_as_real
    formula = "d(real(z))/dz: the gradient g becomes g + 0i"
    is_view = True

    @staticmethod
    def forward(ctx, z):
        return z.real

    @staticmethod
    def backward(ctx, grad):
        return complex(grad, grad * 0)


class Imag(Op):
    name = "SelectBackward0"
    formula = "d(imag(z))/dz: the gradient g becomes 0 + gi"
    is_view = True

    @staticmethod
    def forward(ctx, z):
        return z.imag

    @staticmethod
    def backward(ctx, grad):
        return complex(grad * 0, grad)


class ViewAsReal(Op):
    name = "ViewAsRealBackward0"
    formula = "view_as_real(z)[..., 0] = real(z), [..., 1] = imag(z); the gradient pairs back"
    is_view = True

    @staticmethod
    def forward(ctx, z):
        parts = z.real
        step = parts.itemsize
        return _as_strided(parts, z.shape + (2,), parts.strides + (step,))

    @staticmethod
    def backward(ctx, grad):
        return view_as_complex(grad.contiguous())


class ViewAsComplex(Op):
    name = "ViewAsComplexBackward0"
    formula = "view_as_complex(x) = x[..., 0] + i x[..., 1]; the gradient splits into parts"
    is_view = True

    @staticmethod
    def forward(ctx, x):
        target = _complex_dtype_of(x.dtype).np
        return x.view(target)[..., 0]

    @staticmethod
    def backward(ctx, grad):
        return view_as_real(grad)


class Complex(Op):
    name = "ComplexBackward0"
    formula = "d(re + i im)/dre = real(g), d/dim = imag(g)"

    @staticmethod
    def forward(ctx, re, im):
        target = _complex_dtype_of(np.result_type(re, im)).np
        out = np.empty(np.broadcast_shapes(re.shape, im.shape), target)
        out.real = re
        out.imag = im
        return out

    @staticmethod
    def backward(ctx, grad):
        return (
            real(grad) if ctx.needs_input_grad[0] else None,
            imag(grad) if ctx.needs_input_grad[1] else None,
        )


class Conj(Op):
    name = "ConjBackward0"
    formula = "d(conj(z))/dz: the gradient g becomes conj(g)"

    @staticmethod
    def forward(ctx, z):
        return np.conjugate(z)

    @staticmethod
    def backward(ctx, grad):
        return Conj.apply(grad)


class ConjPhysical(Conj):
    name = "ConjPhysicalBackward0"
    formula = "d(conj(z))/dz: the gradient g becomes conj(g)"

    @staticmethod
    def backward(ctx, grad):
        return ConjPhysical.apply(grad)


# -- magnitude and direction -------------------------------------------------------------
class AbsComplex(Op):
    name = "AbsBackward0"
    formula = "d|z|/dz: the gradient g becomes g * sgn(z) = g * z / |z| (0 at 0)"

    @staticmethod
    def forward(ctx, z):
        ctx.save_for_backward(z)
        return np.abs(z)

    @staticmethod
    def backward(ctx, grad):
        (z,) = ctx.saved_tensors
        return grad * unary.sgn(z)


class SgnComplex(Op):
    name = "SgnBackward0"
    formula = "d(z/|z|)/dz: g becomes (g - s^2 conj(g)) / (2|z|), s = z/|z| (0 at 0)"

    @staticmethod
    def forward(ctx, z):
        out = _sgn(z)
        ctx.save_for_backward(z, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        z, s = ctx.saved_tensors
        a = z.abs()
        g = (grad - s * s * conj(grad)) / (a * 2)
        return g.masked_fill(a == 0, 0)


def _sgn(z):
    a = np.abs(z)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(a == 0, 0, z / np.where(a == 0, 1, a))
    return np.asarray(out, dtype=z.dtype)


class Angle(Op):
    name = "AngleBackward0"
    formula = "d(angle(z))/dz: the gradient g becomes g * i z / |z|^2 (0 at 0); 0 for real z"

    @staticmethod
    def forward(ctx, z):
        ctx.save_for_backward(z)
        if z.dtype.kind == "c":
            return np.angle(z).astype(z.real.dtype, copy=False)
        # Real input: pi where negative, 0 elsewhere, NaN kept (PyTorch's angle of a real).
        out = np.where(z < 0, np.pi, 0.0).astype(z.dtype)
        out[np.isnan(z)] = np.nan
        return out

    @staticmethod
    def backward(ctx, grad):
        (z,) = ctx.saved_tensors
        if not z.is_complex():
            return grad * 0
        a = z.abs()
        g = grad * z / (a * a) * 1j
        return g.masked_fill(z == 0, 0)


class Polar(Op):
    name = "PolarBackward0"
    formula = "d(r e^{i t})/dr = real(conj(g) sgn(w)), d/dt = real(conj(g) i w), w the result"

    @staticmethod
    def forward(ctx, r, theta):
        target = _complex_dtype_of(r.dtype).np
        out = np.empty(np.broadcast_shapes(r.shape, theta.shape), target)
        out.real = r * np.cos(theta)
        out.imag = r * np.sin(theta)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (w,) = ctx.saved_tensors
        g = conj(grad)
        return (
            real(g * unary.sgn(w)) if ctx.needs_input_grad[0] else None,
            real(g * (w * 1j)) if ctx.needs_input_grad[1] else None,
        )


class PowComplex(pointwise.Pow):
    """a ** b with complex operands: PyTorch's derivatives, conjugated (Wirtinger)."""

    name = "PowBackward1"
    formula = "d(a**b)/da: g -> g * conj(b a^(b-1)), d/db: g -> g * conj(a^b log a) (0 at a = 0)"

    @staticmethod
    def backward(ctx, grad):
        a, b, result = ctx.saved_tensors
        ga = gb = None
        if ctx.needs_input_grad[0]:
            ga = pointwise.where(b == 0, 0.0, grad * (b * a.pow(b - 1)).conj())
        if ctx.needs_input_grad[1]:
            if isinstance(a, Tensor):
                bt = b if isinstance(b, Tensor) else _wrap(np.asarray(b))
                real_exponent = (bt.imag == 0) & (bt.real >= 0) if bt.is_complex() else bt >= 0
                term = pointwise.where((a == 0) & real_exponent, 0.0, result * a.log())
                gb = grad * term.conj()
            else:
                gb = grad * (result * np.log(a + 0j)).conj() if a != 0 else grad * 0
        return ga, gb


class SigmoidComplex(unary.Sigmoid):
    """sigmoid(z) = 1 / (1 + exp(-z)) for complex z; its derivative conjugated."""

    @staticmethod
    def forward(ctx, a):
        out = np.reciprocal(np.exp(-a) + 1)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return unary.sigmoid_backward(grad, y.conj())  # g * conj((1 - y) y)


# -- the public functions -------------------------------------------------------------------
def _tensor_arg(x, fn, arg="input", pos=1):
    if not isinstance(x, Tensor):
        raise TypeError(
            f"{fn}(): argument '{arg}' (position {pos}) must be Tensor, not {type(x).__name__}"
        )
    return x


def is_complex(input):
    return _tensor_arg(input, "is_complex").is_complex()


@tensor_method("is_conj")
def is_conj(input):
    return False


@tensor_method("is_neg")
def is_neg(input):
    return False


@tensor_method("resolve_conj")
def resolve_conj(input):
    return input


@tensor_method("resolve_neg")
def resolve_neg(input):
    return input


def real(input):
    """The real part, a view that shares memory (the tensor itself for a real tensor)."""
    _tensor_arg(input, "real")
    return Real.apply(input) if input.is_complex() else input


def imag(input):
    """The imaginary part, a view that shares memory; complex tensors only."""
    _tensor_arg(input, "imag")
    if not input.is_complex():
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return Imag.apply(input)


def _set_part(part):
    def setter(self, value):
        view = part(self)
        view.copy_(value if isinstance(value, Tensor) else _wrap(np.asarray(value)))

    return setter


Tensor.real = property(real, _set_part(real))
Tensor.imag = property(imag, _set_part(imag))


@tensor_method("conj")
def conj(input):
    """The complex conjugate (a new tensor: chainrule has no lazy conjugate views); a real
    tensor is returned as it is."""
    return Conj.apply(input) if input.is_complex() else input


@tensor_method("conj_physical")
def conj_physical(input):
    return ConjPhysical.apply(input) if input.is_complex() else input


@tensor_method("conj_physical_")
def conj_physical_(self):
    return inplace.inplace(self, conj_physical) if self.is_complex() else self


@tensor_method("angle")
def angle(input):
    if input._data.dtype.kind in "iub":
        input = input.to(dtypes.get_default_dtype())
    return Angle.apply(input)


@tensor_method("view_as_real")
def view_as_real(input):
    if not input.is_complex():
        raise RuntimeError("view_as_real is only supported for complex tensors")
    if input._data.dtype.metadata is not None:
        raise RuntimeError("view_as_real is not supported for ComplexHalf tensors in chainrule")
    return ViewAsReal.apply(input)


@tensor_method("view_as_complex")
def view_as_complex(input):
    data = input._data
    if data.dtype not in (np.float32, np.float64) or data.dtype.metadata is not None:
        raise RuntimeError(
            "view_as_complex is only supported for float and double tensors, but got a tensor "
            f"of scalar type: {dtypes.scalar_type_name(input.dtype)}"
        )
    if data.ndim == 0 or data.shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    if data.strides[-1] != data.itemsize:
        raise RuntimeError("Tensor must have a last dimension with stride 1")
    if any(s % (2 * data.itemsize) for s in data.strides[:-1]):
        raise RuntimeError("Tensor must have a stride divisible by 2 for all but last dimension")
    return ViewAsComplex.apply(input)


def _same_float_pair(a, b, fn):
    for t, what in ((a, "real" if fn == "complex" else "abs"), (b, None)):
        _tensor_arg(t, fn, what or ("imag" if fn == "complex" else "angle"), 1 if what else 2)
    da, db = a.dtype, b.dtype
    if da not in (dtypes.float16, dtypes.float32, dtypes.float64) or db not in (
        dtypes.float16,
        dtypes.float32,
        dtypes.float64,
    ):
        raise RuntimeError(
            f"Expected both inputs to be Half, Float or Double tensors but got "
            f"{dtypes.scalar_type_name(da)} and {dtypes.scalar_type_name(db)}"
        )
    if da is not db:
        raise RuntimeError(
            f"Expected object of scalar type {dtypes.scalar_type_name(da)} but got scalar type "
            f"{dtypes.scalar_type_name(db)} for second argument"
        )


def complex(real, imag):
    """The complex tensor real + i imag (broadcast), of the complex type of their dtype."""
    _same_float_pair(real, imag, "complex")
    return Complex.apply(real, imag)


def polar(abs, angle):
    """abs * (cos(angle) + i sin(angle))."""
    _same_float_pair(abs, angle, "polar")
    return Polar.apply(abs, angle)


@tensor_method("vdot")
def vdot(input, other):
    """sum(conj(input) * other) over two 1-D tensors."""
    matmul._check_dot(input, other)
    return matmul.dot(conj(input), other)


def _mH(self):
    if self._data.ndim < 2:
        raise RuntimeError(
            "tensor.mH is only supported on matrices or batches of matrices. Got "
            f"{self._data.ndim}-D tensor."
        )
    t = self.transpose(-2, -1)
    return conj(t) if t.is_complex() else t


def _H(self):
    ndim = self._data.ndim
    if ndim != 2:
        hint = " For batches of matrices, consider using tensor.mH" if ndim > 2 else ""
        raise RuntimeError(
            f"tensor.H is only supported on matrices (2-D tensors). Got {ndim}-D tensor.{hint}"
        )
    return _mH(self)


Tensor.mH = property(_mH)
Tensor.H = property(_H)
tensor_method("adjoint")(_mH)


def _closure_ops(fn):
    """The Op classes a function made by a factory closes over (the comparisons')."""
    cells = fn.__closure__ or ()
    return [c.cell_contents for c in cells if isinstance(c.cell_contents, type)]


# -- which existing ops take complex operands (ops/dtype_dispatch.py) ------------------------
pw, un, mm = pointwise, unary, matmul
set_complex_mode(
    LINEAR,
    pw.Add,
    pw.Sub,
    pw.Neg,
    pw.Where,
    inplace.Fill,
    inplace.FillTensor,
    inplace.Copy,
    conversion.Clone,
    shape.Reshape,
    shape.Expand,
    shape.Permute,
    shape.Repeat,
    shape.Flip,
    shape.Roll,
    shape.Unbind,
    indexing.Index,
    indexing.IndexPut,
    indexing.MaskedFill,
    indexing.Take,
    indexing.Nonzero,
    indexing.Diagonal,
    indexing.DiagonalBackward,
    indexing.Tril,
    indexing.Triu,
    rearrange.DiagEmbed,
    joining.Cat,
    joining.Stack,
    joining.Split,
    reduction.Sum,
    reduction.Mean,
    reduction.Cumsum,
    *_closure_ops(comparison.eq),
    *_closure_ops(comparison.ne),
    *_closure_ops(comparison.isnan),
    *_closure_ops(comparison.isfinite),
    *_closure_ops(comparison.isinf),
)
set_complex_mode(
    HOLOMORPHIC,
    pw.Mul,
    pw.Div,
    pw.AddScaled,
    pw.PowScalar,
    pw.PowBackward,
    un.Exp,
    un.Log,
    un.Log2,
    un.Log10,
    un.Log1p,
    un.Expm1,
    un.Sqrt,
    un.Rsqrt,
    un.Sin,
    un.Cos,
    un.Tan,
    un.Tanh,
    un.TanhBackward,
    un.Sinh,
    un.Cosh,
    un.Reciprocal,
    un.Asin,
    un.Acos,
    un.Atan,
    mm.Mm,
    mm.Mv,
    mm.Dot,
    mm.Bmm,
    mm.BatchedMatmul,
    mm.Addmm,
    mm.Baddbmm,
    mm.Einsum,
)
set_complex_mode(
    OWN, conversion.ToCopy, Real, Imag, ViewAsReal, Conj, ConjPhysical, AbsComplex, SgnComplex
)
set_complex_mode(OWN, Angle, reduction.VectorNorm)  # its derivative is written with sgn
un.Abs._complex_mode = AbsComplex  # |z| for complex z is an op of its own
un.Sgn._complex_mode = SgnComplex  # and z / |z|
pw.Pow._complex_mode = PowComplex  # and so is a ** b
un.Sigmoid._complex_mode = SigmoidComplex  # (NumPy's sigmoid kernel is real-only)
set_complex_mode(OWN, SigmoidComplex)
set_complex_mode(HOLOMORPHIC, un.SigmoidBackward)
set_complex_mode(HOLOMORPHIC, reduction.Prod, reduction.Cumprod)
set_complex_mode(OWN, PowComplex)
keep_wrapped_numbers(pw.Mul, pw.Div)  # bfloat16 * 0.1: PyTorch multiplies by 0.1 in float32
round_kwargs(("alpha",), pw.AddScaled, pw.Sub)  # but add's alpha is made bfloat16 first


publish(__name__)  # NumPy's argument names, chainrule.<name>: _lazy.py
