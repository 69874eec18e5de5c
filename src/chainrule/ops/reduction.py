"""Reductions over dims (sum, mean, prod, max, var, norm, softmax, cumsum, ...).

Each derivative puts the reduced dims back (size 1) so the gradient broadcasts
to the input's shape, then applies PyTorch's formula in the same order of
operations. Values that only steer a derivative (which element was the max,
where the zeros are) are computed in the forward pass as constants; the
gradient itself only ever flows through chainrule ops, so double backward works.
"""

import builtins
import math
import warnings

import numpy as np

from .. import _arithmetic, dtypes, return_types
from ..autograd.grad_mode import state as _grad_state
from ..tensor import Tensor
from ._cascade_sum import cascade_sum
from .dims import dim_index, normalize_dims, shape_arg
from .op import Op, apply, tensor_method
from .pointwise import maximum, minimum, where

# NumPy's sum, mean, cumsum and nansum are Python functions around its C reductions: a
# warning the reduction raises (inf - inf, an overflow) is then NumPy's, shown to the user,
# where PyTorch is silent and chainrule's own modules' RuntimeWarnings are ignored
# (chainrule/__init__.py). Called directly (np.add.reduce, the arrays' cumsum and cumprod
# methods), the same reductions give the same bits, warn from here, and cost less.
_add_reduce = np.add.reduce

__all__ = [
    "all",
    "amax",
    "amin",
    "any",
    "argmax",
    "argmin",
    "count_nonzero",
    "cumprod",
    "cumsum",
    "log_softmax",
    "logsumexp",
    "max",
    "mean",
    "median",
    "min",
    "norm",
    "prod",
    "softmax",
    "std",
    "sum",
    "var",
]

_wrap = Tensor._wrap


# -- helpers --------------------------------------------------------------------------------
def _dims(dim, ndim):
    """dim as a sorted tuple of non-negative dims; None or () means every dim."""
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return tuple(range(ndim))
    if ndim == 0:
        # A 0-d tensor accepts dim 0 or -1 and has nothing to reduce.
        for d in (dim,) if not isinstance(dim, (tuple, list)) else dim:
            dim_index(int(d), 0)
        return ()
    return normalize_dims(dim, ndim)


def _one_dim(dim, ndim):
    return dim_index(int(dim), ndim) if ndim else 0


def _unsqueeze_to(grad, dims, ndim, keepdim):
    """Put back the reduced dims as size-1 dims so the gradient broadcasts to the input."""
    if keepdim or not dims or not grad.ndim:  # (a 0-d gradient expands to any shape)
        return grad
    shape = list(grad.shape)
    for d in dims:
        shape.insert(d, 1)
    return grad.reshape(shape)


def _count(shape, dims):
    n = 1
    for d in dims:
        n *= shape[d]
    return n


def _float_dtype_for(a):
    """Integer and bool inputs compute in the default float dtype, as PyTorch does."""
    return a if a.dtype.kind == "f" else a.astype(dtypes.get_default_dtype().np)


def _type_name(np_dtype):
    return dtypes.scalar_type_name(dtypes.from_numpy_dtype(np_dtype))


def _check_nonempty(fn_name, a, dims, dim_given):
    if a.size:
        return
    if not dim_given:
        raise RuntimeError(
            f"{fn_name}(): Expected reduction dim to be specified for input.numel() == 0. "
            "Specify the reduction dim with the 'dim' argument."
        )
    for d in dims:
        if a.shape[d] == 0:
            raise IndexError(f"{fn_name}(): Expected reduction dim {d} to have non-zero size.")


def _const(array):
    return _wrap(np.asarray(array))


# -- sum and mean ---------------------------------------------------------------------------
_CASCADE_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))  # (float16 means: NumPy's)


class Sum(Op):
    name = "SumBackward1"
    formula = "d(sum(a))/da = 1 (the gradient is expanded back to a's shape)"

    @staticmethod
    def forward(ctx, a, *, dims, keepdim, dtype=None):
        ctx.shape = a.shape
        ctx.dims = dims
        ctx.keepdim = keepdim
        if dtype is None and a.dtype.kind in "biu":
            dtype = np.int64
        if _arithmetic.pytorch_order and (dtype is None or dtype == a.dtype):
            return cascade_sum(a, dims, keepdims=keepdim)  # PyTorch's order (_cascade_sum.py)
        return _add_reduce(a, axis=dims, keepdims=keepdim, dtype=dtype)

    @staticmethod
    def backward(ctx, grad):
        grad = _unsqueeze_to(grad, ctx.dims, len(ctx.shape), ctx.keepdim)
        return grad.expand(ctx.shape)


class Mean(Op):
    name = "MeanBackward1"
    formula = "d(mean(a))/da = 1/n"

    @staticmethod
    def forward(ctx, a, *, dims, keepdim, dtype=None):
        if dtype is None and a.dtype.kind not in "fc":
            raise RuntimeError(
                "mean(): could not infer output dtype. Input dtype must be either a floating "
                f"point or complex dtype. Got: {_type_name(a.dtype)}"
            )
        ctx.shape = a.shape
        ctx.dims = dims
        ctx.keepdim = keepdim
        ctx.count = _count(a.shape, dims)
        if ctx.count == 0:  # NaN (0 / 0), as PyTorch, without a warning
            with np.errstate(invalid="ignore"):
                return _mean(a, dims, keepdim, dtype, 0)
        if (
            _arithmetic.pytorch_order
            and (dtype is None or dtype == a.dtype)
            and a.dtype in _CASCADE_DTYPES
        ):
            # PyTorch's mean is its sum, divided by the count in the tensor's precision
            total = cascade_sum(a, dims, keepdims=keepdim)
            return np.true_divide(total, a.dtype.type(ctx.count))
        return _mean(a, dims, keepdim, dtype, ctx.count)

    @staticmethod
    def backward(ctx, grad):
        grad = _unsqueeze_to(grad, ctx.dims, len(ctx.shape), ctx.keepdim)
        return grad.expand(ctx.shape) / ctx.count


def _mean(a, dims, keepdim, dtype, count):
    """np.mean(a, axis=dims, keepdims=keepdim, dtype=dtype), computed as NumPy computes it:
    the sum (float16 summed in float32), divided by the count as a NumPy integer (so float32
    divides in float64, rounded back), float16 results rounded to float16."""
    half = dtype is None and a.dtype == np.float16
    total = _add_reduce(a, axis=dims, keepdims=keepdim, dtype=np.float32 if half else dtype)
    mean = _divided(total, np.intp(count), np.float16 if half else None)
    return mean.astype(np.float16) if half else mean


def _divided(total, count, scalar_type=None):
    """total / count as NumPy's mean and var divide a sum: an array in place (in the
    count's precision where that is wider, rounded back), a NumPy scalar as scalar_type
    (default: total's own), rounded once from the quotient."""
    if total.__class__ is np.ndarray:
        return np.true_divide(total, count, out=total, casting="unsafe")
    return (scalar_type or total.dtype.type)(total / count)


def _reduce(op, input, dim, keepdim, dtype, full_name):
    dims = _dims(dim, input._data.ndim)
    np_dtype = dtypes.to_dtype(dtype).np if dtype is not None else None
    full = dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0)
    name = full_name if full else None
    return apply(
        op, (input,), {"dims": dims, "keepdim": keepdim, "dtype": np_dtype}, node_name=name
    )


@tensor_method("sum")
def sum(input, dim=None, keepdim=False, *, dtype=None):
    return _reduce(Sum, input, dim, keepdim, dtype, "SumBackward0")


@tensor_method("mean")
def mean(input, dim=None, keepdim=False, *, dtype=None):
    return _reduce(Mean, input, dim, keepdim, dtype, "MeanBackward0")


@tensor_method("sum_to_size")
def sum_to_size(input, *size):
    """Sum over the dims that broadcasting added or expanded, to get back `size`."""
    shape = shape_arg(size)
    own = input._data.shape
    lead = len(own) - len(shape)
    if lead < 0 or builtins.any(s != 1 and s != o for s, o in zip(shape, own[lead:])):
        raise RuntimeError(f"size {{{list(shape)}}} is not expandable to size {{{list(own)}}}.")
    dims = tuple(range(lead)) + tuple(
        lead + i for i, s in enumerate(shape) if s == 1 and own[lead + i] != 1
    )
    if not dims:
        return input
    out = sum(input, dims, keepdim=True)
    return out.reshape(shape) if lead else out


# -- prod -----------------------------------------------------------------------------------
class Prod(Op):
    name = "ProdBackward1"
    formula = "d(prod(a))/da_i = prod of the other elements (result / a_i where a_i != 0)"

    @staticmethod
    def forward(ctx, a, *, dims, keepdim, dtype=None):
        if dtype is None and a.dtype.kind in "biu":
            dtype = np.int64
        out = np.asarray(np.prod(a, axis=dims, keepdims=keepdim, dtype=dtype))
        ctx.save_for_backward(a, out)
        ctx.dims = dims
        ctx.keepdim = keepdim
        return out

    @staticmethod
    def backward(ctx, grad):
        a, result = ctx.saved_tensors
        if a.ndim == 0:
            return grad
        ndim = a.ndim
        grad = _unsqueeze_to(grad, ctx.dims, ndim, ctx.keepdim)
        result = _unsqueeze_to(result, ctx.dims, ndim, ctx.keepdim)
        zero = a._data == 0
        if not zero.any():
            return grad * (result / a)
        # With zeros, result / a is 0/0 at a zero. The derivative there is the product of
        # the other elements when the slice has exactly one zero, and 0 when it has more;
        # elsewhere in a slice with a zero, result / a is 0 as it should be. Dividing by
        # `nonzero` (zeros replaced by 1) keeps NaN out of double backward too.
        zero_t = _const(zero)
        nonzero = where(zero_t, 1.0, a)
        others = nonzero.prod(ctx.dims[0], keepdim=True) if len(ctx.dims) == 1 else None
        if others is None:
            others = prod(nonzero.reshape(-1)).reshape([1] * ndim)
        one_zero = _const(np.sum(zero, axis=ctx.dims, keepdims=True) == 1)
        at_zero = where(one_zero, others, 0.0)
        return grad * where(zero_t, at_zero, result / nonzero)


@tensor_method("prod")
def prod(input, dim=None, keepdim=False, *, dtype=None):
    np_dtype = dtypes.to_dtype(dtype).np if dtype is not None else None
    ndim = input._data.ndim
    if dim is None:
        kw = {"dims": tuple(range(ndim)), "keepdim": False, "dtype": np_dtype}
        return apply(Prod, (input,), kw, node_name="ProdBackward0")
    dims = (_one_dim(dim, ndim),) if ndim else ()
    return Prod.apply(input, dims=dims, keepdim=keepdim, dtype=np_dtype)


# -- max / min and friends ------------------------------------------------------------------
class MaxAll(Op):
    name = "MaxBackward1"
    formula = "d(max(a))/da = 1/k at each of the k elements equal to the max, else 0"
    np_fn = staticmethod(np.max)

    @classmethod
    def forward(cls, ctx, a):
        out = cls.np_fn(a)
        if a.dtype.kind == "f" and np.isnan(out):
            mask = np.isnan(a)
        else:
            mask = a == out
        ctx.count = int(np.count_nonzero(mask))
        ctx.save_for_backward(mask)  # saved, so that it is freed with the graph
        return out

    @staticmethod
    def backward(ctx, grad):
        (mask,) = ctx.saved_tensors
        return where(mask, grad / ctx.count, 0.0)


class MinAll(MaxAll):
    name = "MinBackward1"
    formula = "d(min(a))/da = 1/k at each of the k elements equal to the min, else 0"
    np_fn = staticmethod(np.min)


class MedianAll(MaxAll):
    name = "MedianBackward0"
    formula = "d(median(a))/da = 1/k at each of the k elements equal to the median, else 0"
    np_fn = staticmethod(lambda a: _lower_median(a))


def _lower_median(a):
    flat = a.reshape(-1)
    if flat.size == 0:
        return np.asarray(np.nan, dtype=a.dtype)
    if a.dtype.kind == "f" and np.isnan(flat).any():
        return np.asarray(np.nan, dtype=a.dtype)
    return np.partition(flat, (flat.size - 1) // 2)[(flat.size - 1) // 2]


def _argmax_keep(a, dim):
    return np.expand_dims(np.argmax(a, axis=dim), dim)


def _argmin_keep(a, dim):
    return np.expand_dims(np.argmin(a, axis=dim), dim)


def _median_keep(a, dim):
    n = a.shape[dim]
    order = np.argsort(a, axis=dim, kind="stable")
    index = np.take(order, [(n - 1) // 2], axis=dim)
    if a.dtype.kind == "f":
        nan = np.isnan(a)
        if nan.any():
            # PyTorch's median propagates NaN: pick the first NaN of a slice that has one.
            first_nan = np.expand_dims(np.argmax(nan, axis=dim), dim)
            has_nan = np.expand_dims(nan.any(axis=dim), dim)
            index = np.where(has_nan, first_nan, index)
    return index


class MaxDim(Op):
    name = "MaxBackward0"
    formula = "d(max(a, dim))/da = 1 at the selected index, else 0"
    pick = staticmethod(_argmax_keep)

    @classmethod
    def forward(cls, ctx, a, *, dim, keepdim):
        if a.ndim == 0:
            ctx.save_for_backward(np.ones((), bool))
            ctx.dim, ctx.keepdim = None, True
            return a.copy(), np.zeros((), np.int64)
        index = cls.pick(a, dim)
        values = np.take_along_axis(a, index, axis=dim)
        mask = np.zeros(a.shape, bool)
        np.put_along_axis(mask, index, True, axis=dim)
        ctx.save_for_backward(mask)
        ctx.dim, ctx.keepdim = dim, keepdim
        if not keepdim:
            values = np.squeeze(values, dim)
            index = np.squeeze(index, dim)
        return values, index

    @staticmethod
    def backward(ctx, grad, grad_indices=None):
        (mask,) = ctx.saved_tensors
        if not ctx.keepdim:
            grad = grad.unsqueeze(ctx.dim)
        return where(mask, grad, 0.0)


class MinDim(MaxDim):
    name = "MinBackward0"
    formula = "d(min(a, dim))/da = 1 at the selected index, else 0"
    pick = staticmethod(_argmin_keep)


class MedianDim(MaxDim):
    name = "MedianBackward1"
    formula = "d(median(a, dim))/da = 1 at the selected index, else 0"
    pick = staticmethod(_median_keep)


def _values_indices(op, result_type, fn_name, input, dim, keepdim):
    a = input._data
    d = _one_dim(dim, a.ndim)
    if a.ndim and a.shape[d] == 0:
        raise IndexError(f"{fn_name}(): Expected reduction dim {d} to have non-zero size.")
    values, indices = op.apply(input, dim=d, keepdim=keepdim)
    return result_type(values, indices)


def _extreme(op_all, op_dim, binary, fn_name, result_type, input, dim, keepdim, other):
    if isinstance(dim, Tensor):
        other, dim = dim, None
    if other is not None:
        return binary(input, other)
    if dim is None:
        if input._data.size == 0:
            _check_nonempty(fn_name, input._data, (), False)
        return op_all.apply(input)
    return _values_indices(op_dim, result_type, fn_name, input, dim, keepdim)


@tensor_method("max")
def max(input, dim=None, keepdim=False, *, other=None):
    """max(a) is the largest value; max(a, dim) gives (values, indices); max(a, b) is maximum."""
    return _extreme(MaxAll, MaxDim, maximum, "max", return_types.max, input, dim, keepdim, other)


@tensor_method("min")
def min(input, dim=None, keepdim=False, *, other=None):
    return _extreme(MinAll, MinDim, minimum, "min", return_types.min, input, dim, keepdim, other)


@tensor_method("median")
def median(input, dim=None, keepdim=False):
    """The lower of the two middle values, as PyTorch; median(a, dim) gives (values, indices)."""
    if dim is None:
        return MedianAll.apply(input)
    return _values_indices(MedianDim, return_types.median, "median", input, dim, keepdim)


class Amax(Op):
    name = "AmaxBackward0"
    formula = "d(amax(a))/da = 1/k at each of the k maxima of a slice, else 0"
    np_fn = staticmethod(np.amax)

    @classmethod
    def forward(cls, ctx, a, *, dims, keepdim):
        out = cls.np_fn(a, axis=dims, keepdims=True)
        mask = (a == out).astype(a.dtype)
        ctx.save_for_backward(mask, np.sum(mask, axis=dims, keepdims=True))
        ctx.dims, ctx.keepdim = dims, keepdim
        return out if keepdim else out.reshape([s for i, s in enumerate(a.shape) if i not in dims])

    @staticmethod
    def backward(ctx, grad):
        mask, count = ctx.saved_tensors
        grad = _unsqueeze_to(grad, ctx.dims, mask.ndim, ctx.keepdim)
        return (grad / count) * mask


class Amin(Amax):
    name = "AminBackward0"
    formula = "d(amin(a))/da = 1/k at each of the k minima of a slice, else 0"
    np_fn = staticmethod(np.amin)


def _amax_amin(op, fn_name, input, dim, keepdim):
    a = input._data
    dims = _dims(dim, a.ndim)
    dim_given = not (dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0))
    _check_nonempty(fn_name, a, dims, dim_given)
    return op.apply(input, dims=dims, keepdim=keepdim)


@tensor_method("amax")
def amax(input, dim=(), keepdim=False):
    return _amax_amin(Amax, "amax", input, dim, keepdim)


@tensor_method("amin")
def amin(input, dim=(), keepdim=False):
    return _amax_amin(Amin, "amin", input, dim, keepdim)


class _ArgReduce(Op):
    differentiable = False
    np_fn = None

    @classmethod
    def forward(cls, ctx, a, *, dim, keepdim):
        if dim is None:
            out = cls.np_fn(a.reshape(-1)).astype(np.int64)
            return out.reshape([1] * a.ndim) if keepdim else np.asarray(out)
        return cls.np_fn(a, axis=dim, keepdims=keepdim).astype(np.int64, copy=False)


class Argmax(_ArgReduce):
    np_fn = staticmethod(np.argmax)


class Argmin(_ArgReduce):
    np_fn = staticmethod(np.argmin)


def _arg(op, fn_name, input, dim, keepdim):
    a = input._data
    if dim is None:
        if a.size == 0:
            raise IndexError(
                f"{fn_name}(): Expected reduction dim to be specified for input.numel() == 0."
            )
        return op.apply(input, dim=None, keepdim=keepdim)
    d = _one_dim(dim, a.ndim)
    if a.ndim == 0:
        return op.apply(input, dim=None, keepdim=False)
    if a.shape[d] == 0:
        raise IndexError(f"{fn_name}(): Expected reduction dim {d} to have non-zero size.")
    return op.apply(input, dim=d, keepdim=keepdim)


@tensor_method("argmax")
def argmax(input, dim=None, keepdim=False):
    return _arg(Argmax, "argmax", input, dim, keepdim)


@tensor_method("argmin")
def argmin(input, dim=None, keepdim=False):
    return _arg(Argmin, "argmin", input, dim, keepdim)


# -- var and std ----------------------------------------------------------------------------
def _var_grad(grad, a, dims, keepdim, correction, whole=False):
    """PyTorch's var_backward: (2 / (n - correction)) * grad * (a - mean(a)); `whole` when
    var reduced every dim because no dim was given."""
    grad = _unsqueeze_to(grad, dims, a.ndim, keepdim)
    dof = _count(a.shape, dims) - correction
    centered = a - a.mean(dims, keepdim=True) if dims else a - a
    if dof <= 0 and whole:
        # As PyTorch's whole-tensor form: a constant, NaN where a equals the mean, else inf
        # (so inf for a NaN element, NaN for an infinite one).
        x = a._data
        at_mean = x == (np.mean(x, axis=dims, keepdims=True) if dims else x)
        factor = np.where(at_mean, np.nan, np.inf).astype(x.dtype)
        return grad * _const(factor)
    # 2 / dof, infinite where there are no degrees of freedom left (PyTorch's double
    # arithmetic): inf * grad, times the centred values (NaN at the mean, +-inf elsewhere).
    return (2.0 / dof if dof > 0 else math.inf) * grad * centered


def _var(a, dims, keepdim, correction):
    """np.var(a, axis=dims, ddof=correction, keepdims=keepdim) for a float or complex array,
    computed as NumPy computes it (the mean as in _mean, the squared deviations, complex
    ones as the sum of their parts' squares, their sum divided by the degrees of freedom
    left, at least 0), from its C ufuncs: np.var's Python code adds a warning of its own
    where no degrees of freedom are left, and std and var give PyTorch's instead."""
    count = np.intp(_count(a.shape, dims))
    mean = _divided(_add_reduce(a, axis=dims, keepdims=True), count)  # (float16 stays)
    x = np.subtract(a, mean, out=...)  # (out=...: an array even for 0-d operands)
    if x.dtype.kind == "c":
        parts = x.view((x.real.dtype, (2,)))
        np.square(parts, out=parts)
        x = np.add(parts[..., 0], parts[..., 1], out=x.real)
    else:
        x = np.square(x, out=x)
    total = _add_reduce(x, axis=dims, keepdims=keepdim)
    return _divided(total, np.maximum(count - correction, 0))


class Var(Op):
    name = "VarBackward0"
    formula = "d(var(a))/da = 2 * (a - mean(a)) / (n - correction)"

    @staticmethod
    def forward(ctx, a, *, dims, keepdim, correction, whole=False):
        ctx.save_for_backward(a)
        ctx.dims, ctx.keepdim, ctx.correction, ctx.whole = dims, keepdim, correction, whole
        with np.errstate(divide="ignore", invalid="ignore"):  # (no degrees of freedom)
            return _var(a, dims, keepdim, correction)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return _var_grad(grad, a, ctx.dims, ctx.keepdim, ctx.correction, ctx.whole)


class Std(Op):
    name = "StdBackward0"
    formula = "d(std(a))/da = (a - mean(a)) / ((n - correction) * std(a))"

    @staticmethod
    def forward(ctx, a, *, dims, keepdim, correction, whole=False):
        ctx.dims, ctx.keepdim, ctx.correction, ctx.whole = dims, keepdim, correction, whole
        with np.errstate(divide="ignore", invalid="ignore"):  # (no degrees of freedom)
            out = np.asarray(np.sqrt(_var(a, dims, keepdim, correction)))
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, result = ctx.saved_tensors
        zero = (result == 0).detach()
        # As PyTorch: divide, then mask where the std is 0 (a safe divisor would give the
        # same first derivative but a 0 second derivative there, where PyTorch's is NaN).
        grad_var = where(zero, 0.0, grad / (result * 2))
        return _var_grad(grad_var, a, ctx.dims, ctx.keepdim, ctx.correction, ctx.whole)


def _var_args(op, fn_name, input, dim, unbiased, keepdim, correction, stacklevel=4):
    """var or std (op) as the function fn_name. A degrees-of-freedom warning names the
    line that called the public function: 4 frames up from var and std (through their
    NumPy-names wrapper, ops/numpy_names.py), 5 from var_mean and std_mean."""
    if isinstance(dim, bool):  # the old var(input, unbiased) overload
        dim, unbiased = None, dim
    a = input._data
    if a.dtype.kind != "f":
        raise RuntimeError("std and var only support floating point and complex dtypes")
    if correction is None:
        correction = 1 if unbiased else 0
    dims = _dims(dim, a.ndim)
    if _count(a.shape, dims) - correction <= 0:
        warnings.warn(
            f"{fn_name}(): degrees of freedom is <= 0. Correction should be strictly less than "
            "the reduction factor (input numel divided by output numel).",
            UserWarning,
            stacklevel=stacklevel,
        )
    whole = dim is None or a.ndim == 0  # PyTorch's whole-tensor form
    return op.apply(input, dims=dims, keepdim=keepdim, correction=correction, whole=whole)


@tensor_method("var")
def var(input, dim=None, unbiased=True, keepdim=False, *, correction=None):
    return _var_args(Var, "var", input, dim, unbiased, keepdim, correction)


@tensor_method("std")
def std(input, dim=None, unbiased=True, keepdim=False, *, correction=None):
    return _var_args(Std, "std", input, dim, unbiased, keepdim, correction)


# -- norms ----------------------------------------------------------------------------------
class VectorNorm(Op):
    name = "LinalgVectorNormBackward0"
    formula = "d||a||_p/da = sign(a) * |a|**(p-1) / ||a||**(p-1)  (p=2: a / ||a||)"

    @staticmethod
    def forward(ctx, a, *, ord, dims, keepdim):
        ctx.ord, ctx.dims, ctx.keepdim = ord, dims, keepdim
        absolute = np.abs(a)
        if ord == 2:
            out = np.sqrt(np.sum(absolute * absolute, axis=dims, keepdims=keepdim))
        elif ord == 1:
            out = np.sum(absolute, axis=dims, keepdims=keepdim)
        elif ord == math.inf:
            out = np.amax(absolute, axis=dims, keepdims=keepdim)
        elif ord == -math.inf:
            out = np.amin(absolute, axis=dims, keepdims=keepdim)
        elif ord == 0:
            out = np.sum(a != 0, axis=dims, keepdims=keepdim).astype(a.dtype)
        else:
            with np.errstate(divide="ignore"):
                powered = np.sum(absolute**ord, axis=dims, keepdims=keepdim)
                out = powered ** (1.0 / ord)
        out = np.asarray(out, dtype=absolute.dtype)  # real, for complex input too
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, norm = ctx.saved_tensors
        p, dims = ctx.ord, ctx.dims
        grad = _unsqueeze_to(grad, dims, a.ndim, ctx.keepdim)
        norm = _unsqueeze_to(norm, dims, a.ndim, ctx.keepdim)
        if p == 0:
            return None
        if p == 1:
            return a.sgn() * grad
        # As PyTorch's formulas: divide by the norm, then mask where it is 0. (A safe
        # divisor would give the same first derivative but a 0 second derivative there,
        # where PyTorch's is NaN; and NaN where the incoming gradient is not finite.)
        zero = (norm == 0).detach()
        if p == 2:
            return grad * where(zero, 0.0, a / norm)
        if math.isinf(p):
            absolute = a.abs()
            mask = ((absolute == norm) | absolute.isnan()).detach()
            count = mask.sum(dims, keepdim=True) if dims else mask.to(grad.dtype)
            return a.sgn() * ((grad / count) * mask)
        if p < 1:
            at_zero = (a == 0).detach()
            scaled = a.sgn() * where(at_zero, 0.0, a.abs().pow(p - 1))  # |0|**(p-1) is inf
            return scaled * grad * norm.pow(1 - p)
        scaled = a.sgn() * a.abs().pow(p - 1) if p < 2 else a * a.abs().pow(p - 2)
        scale = where(zero, 0.0, grad / norm.pow(p - 1))
        return scaled * scale


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    """The p-norm of x over dim (every dim when None), as torch.linalg.vector_norm."""
    if isinstance(ord, str):
        raise TypeError(
            "linalg_vector_norm(): argument 'ord' (position 2) must be Number, not "
            f"{type(ord).__name__}"
        )
    if dtype is not None:
        x = x.to(dtype)
    a = x._data
    if a.dtype.kind not in "fc":
        raise RuntimeError(
            "linalg.vector_norm: Expected a floating point or complex tensor as input. "
            f"Got {_type_name(a.dtype)}"
        )
    dims = _dims(dim, a.ndim)
    if math.isinf(ord) and a.size == 0:
        # max and min have no identity: refused where a reduced dim is empty (reducing only
        # non-empty dims of an empty tensor gives an empty result)
        if dim is None:
            raise RuntimeError(
                f"linalg.vector_norm cannot compute the {ord} norm on an empty tensor because "
                "the operation does not have an identity"
            )
        for given in (dim,) if isinstance(dim, int) else dim:
            if a.shape[given] == 0:
                raise RuntimeError(  # PyTorch's message, its missing space included
                    f"linalg.vector_norm cannot compute the {ord} norm on the dimension "
                    f"{given}because this dimension is empty and the operation does not have "
                    "an identity"
                )
    return VectorNorm.apply(x, ord=float(ord), dims=dims, keepdim=keepdim)


@tensor_method("norm")
def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    """torch.norm: a vector norm over dim (every dim by default); 'fro' is the 2-norm."""
    if isinstance(dim, int):
        dim = (dim,)
    if isinstance(p, str):
        if p == "fro" and (dim is None or len(dim) <= 2):
            return vector_norm(input, 2, dim, keepdim, dtype=dtype)
        # 'nuc', or the matrix norm's error for the rest (imported here: chainrule.linalg
        # imports this module)
        from ..linalg import matrix_norm

        dims = tuple(range(input._data.ndim)) if dim is None else dim
        return matrix_norm(input, p, dims, keepdim, dtype=dtype)
    return vector_norm(input, 2.0 if p is None else p, dim, keepdim, dtype=dtype)


# -- logsumexp, softmax, log_softmax --------------------------------------------------------
class Logsumexp(Op):
    name = "LogsumexpBackward0"
    formula = "d(logsumexp(a))/da = exp(a - logsumexp(a)) (the softmax of a)"

    @staticmethod
    def forward(ctx, a, *, dims, keepdim):
        a = _float_dtype_for(a)
        if a.size == 0:
            out = np.asarray(np.log(np.sum(np.exp(a), axis=dims, keepdims=keepdim)))
        else:
            # Subtract the max so exp cannot overflow; an infinite max is left out.
            m = np.amax(a, axis=dims, keepdims=True)
            m = np.where(np.isinf(m), 0, m).astype(a.dtype, copy=False)
            with np.errstate(divide="ignore"):
                out = np.log(np.sum(np.exp(a - m), axis=dims, keepdims=True)) + m
            if not keepdim:
                out = out.reshape([s for i, s in enumerate(a.shape) if i not in dims])
        ctx.save_for_backward(a, out)
        ctx.dims, ctx.keepdim = dims, keepdim
        return out

    @staticmethod
    def backward(ctx, grad):
        a, result = ctx.saved_tensors
        grad = _unsqueeze_to(grad, ctx.dims, a.ndim, ctx.keepdim)
        result = _unsqueeze_to(result, ctx.dims, a.ndim, ctx.keepdim)
        return grad * (a - result).exp()


@tensor_method("logsumexp")
def logsumexp(input, dim, keepdim=False):
    return Logsumexp.apply(input, dims=_dims(dim, input._data.ndim), keepdim=keepdim)


# softmax and log_softmax are primitives, not exp/sum composites: subtracting the max
# before exp needs the forward pass to see the whole slice, and the saved output gives
# the short, stable backward formulas below.
class Softmax(Op):
    name = "SoftmaxBackward0"
    formula = "d(softmax(a))/da: grad_a = y * (grad - sum(grad * y, dim))"

    @staticmethod
    def forward(ctx, a, *, dim):
        ctx.dim = dim
        if a.size == 0:  # nothing to normalise (amax has no identity over an empty dim)
            out = np.empty_like(a)
        else:  # (a 0-dim input as one element: 1, or NaN for a NaN or infinite one)
            x = a.reshape(1) if a.ndim == 0 else a
            e = np.exp(x - np.amax(x, axis=dim, keepdims=True))
            out = (e / np.sum(e, axis=dim, keepdims=True)).reshape(a.shape)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return y * (grad - (grad * y).sum(ctx.dim, keepdim=True))


class LogSoftmax(Op):
    name = "LogSoftmaxBackward0"
    formula = "d(log_softmax(a))/da: grad_a = grad - exp(y) * sum(grad, dim)"

    @staticmethod
    def forward(ctx, a, *, dim):
        ctx.dim = dim
        if a.size == 0:  # nothing to normalise (amax has no identity over an empty dim)
            out = np.empty_like(a)
        else:  # (a 0-dim input as one element: 0, or NaN for a NaN or infinite one)
            # np.amax's and np.sum's own reductions, called as methods (without their
            # Python wrappers), the log and the difference written into arrays already made
            x = a.reshape(1) if a.ndim == 0 else a
            shifted = x - x.max(axis=dim, keepdims=True)
            total = np.exp(shifted).sum(axis=dim, keepdims=True)
            out = np.subtract(shifted, np.log(total, out=total), out=shifted)
            out = out.reshape(a.shape)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad - y.exp() * grad.sum(ctx.dim, keepdim=True)


def _softmax_input(input, dim, dtype, fn_name):
    if dim is None:
        raise TypeError(f"{fn_name}() missing 1 required positional argument: 'dim'")
    if dtype is not None:
        input = input.to(dtype)
    a = input._data
    if a.dtype.kind != "f":
        raise NotImplementedError(
            f"\"{fn_name}_lastdim_kernel_impl\" not implemented for '{_type_name(a.dtype)}'"
        )
    return input, _one_dim(dim, a.ndim)


@tensor_method("softmax")
def softmax(input, dim=None, dtype=None):
    input, d = _softmax_input(input, dim, dtype, "softmax")
    return Softmax.apply(input, dim=d)


@tensor_method("log_softmax")
def log_softmax(input, dim=None, dtype=None):
    input, d = _softmax_input(input, dim, dtype, "log_softmax")
    return LogSoftmax.apply(input, dim=d)


# -- cumulative -----------------------------------------------------------------------------
class Cumsum(Op):
    name = "CumsumBackward0"
    formula = "d(cumsum(a))/da: grad_a = reversed cumsum of grad"

    @staticmethod
    def forward(ctx, a, *, dim, reverse=False, dtype=None):
        ctx.dim, ctx.reverse = dim, reverse
        if dtype is None and a.dtype.kind in "biu":
            dtype = np.int64
        if a.ndim == 0:
            return a.astype(dtype or a.dtype)
        if reverse:
            return np.flip(np.flip(a, dim).cumsum(axis=dim, dtype=dtype), dim)
        return a.cumsum(axis=dim, dtype=dtype)  # (the method: see _add_reduce)

    @staticmethod
    def backward(ctx, grad):
        if grad.ndim == 0 or grad.shape[ctx.dim] == 1:
            return grad
        return Cumsum.apply(grad, dim=ctx.dim, reverse=not ctx.reverse)


class Cumprod(Op):
    name = "CumprodBackward0"
    formula = "d(cumprod(a))/da: grad_a = reversed cumsum(grad * y) / a (zeros handled apart)"

    @staticmethod
    def forward(ctx, a, *, dim, dtype=None):
        ctx.dim = dim
        if dtype is None and a.dtype.kind in "biu":
            dtype = np.int64
        out = a.astype(dtype or a.dtype) if a.ndim == 0 else a.cumprod(axis=dim, dtype=dtype)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        dim = ctx.dim
        if a._data.size <= 1 or a.shape[dim] == 1:  # as PyTorch: the gradient itself
            return grad
        zero = a._data == 0
        if not zero.any():
            return _reversed_cumsum(out * grad, dim) / a
        if _grad_state.enabled:
            return _cumprod_grad_by_products(a, grad, dim)
        # Where a_i != 0 the formula above still holds (out_k is 0 past a zero). At the
        # first zero of a slice, d(out_k)/d(a_i) is the cumprod of the slice with that zero
        # replaced by 1, for every k before the next zero; past the first zero it is 0.
        zero_t = _const(zero)
        nonzero = where(zero_t, 1.0, a)
        zeros_so_far = np.cumsum(zero, axis=dim)
        first_zero_reach = _const((zeros_so_far == 1).astype(a._data.dtype))
        at_first_zero = _reversed_cumsum(grad * nonzero.cumprod(dim) * first_zero_reach, dim)
        at_zero = where(_const(zeros_so_far == 1), at_first_zero, 0.0)
        # Before the first zero: the formula over the outputs before it only (as PyTorch,
        # so a NaN made past the zero, inf * 0, stays there); exactly 0 past it.
        first_part = _const(zeros_so_far == 0)
        w = where(first_part, out * grad, 0.0)
        before = where(first_part, _reversed_cumsum(w, dim) / nonzero, 0.0)
        return where(zero_t, at_zero, before)


def _cumprod_grad_by_products(a, grad, dim):
    """cumprod's gradient where a has zeros, as a function of a that can be differentiated
    again (create_graph): d(out_k)/d(a_i) = the product of a_j for j <= k, j != i, so each
    a_i's row is the cumprod of a with a_i replaced by 1, summed with grad over k >= i.
    Quadratic in the dim's size, and only used where a zero makes the division form fail."""
    n = a.shape[dim]
    moved = a.movedim(dim, -1)  # [..., n]
    rows = moved.unsqueeze(-2).expand(*moved.shape[:-1], n, n)  # [..., i, k] = a_k
    eye = _const(np.eye(n, dtype=bool))
    products = where(eye, 1.0, rows).cumprod(-1)  # prod_{j <= k, j != i} a_j
    later = _const(np.triu(np.ones((n, n), dtype=a._data.dtype)))  # k >= i
    g = grad.movedim(dim, -1).unsqueeze(-2)
    return (products * later * g).sum(-1).movedim(-1, dim)


def _reversed_cumsum(x, dim):
    return Cumsum.apply(x, dim=dim, reverse=True)


def _cumulative(op, input, dim, dtype):
    np_dtype = dtypes.to_dtype(dtype).np if dtype is not None else None
    return op.apply(input, dim=_one_dim(dim, input._data.ndim), dtype=np_dtype)


@tensor_method("cumsum")
def cumsum(input, dim, *, dtype=None):
    return _cumulative(Cumsum, input, dim, dtype)


@tensor_method("cumprod")
def cumprod(input, dim, *, dtype=None):
    return _cumulative(Cumprod, input, dim, dtype)


# -- logical reductions and counts (never differentiable) -----------------------------------
class _Logical(Op):
    differentiable = False
    np_fn = None

    @classmethod
    def forward(cls, ctx, a, *, dims, keepdim):
        out = cls.np_fn(a, axis=dims, keepdims=keepdim)
        # PyTorch keeps uint8 for uint8 input (a legacy rule); everything else gives bool.
        return np.asarray(out, dtype=np.uint8 if a.dtype == np.uint8 else np.bool_)


class All(_Logical):
    np_fn = staticmethod(np.all)


class Any(_Logical):
    np_fn = staticmethod(np.any)


class CountNonzero(Op):
    differentiable = False

    @staticmethod
    def forward(ctx, a, *, dims):
        return np.asarray(np.count_nonzero(a, axis=dims), dtype=np.int64)


@tensor_method("all")
def all(input, dim=None, keepdim=False):
    return All.apply(input, dims=_dims(dim, input._data.ndim), keepdim=keepdim)


@tensor_method("any")
def any(input, dim=None, keepdim=False):
    return Any.apply(input, dims=_dims(dim, input._data.ndim), keepdim=keepdim)


@tensor_method("count_nonzero")
def count_nonzero(input, dim=None):
    return CountNonzero.apply(input, dims=_dims(dim, input._data.ndim))
