"""Statistics over a dim: kthvalue, mode, nanmedian, nansum/nanmean, quantile/nanquantile,
var_mean/std_mean, aminmax, trace and renorm.

Ops that select one element per slice (kthvalue, mode, nanmedian) report the index PyTorch
reports, also among repeated values (_select.py), and send the gradient back to it. The
quantiles, var_mean, std_mean, aminmax and renorm are composites of existing ops, as they
are in PyTorch, so their gradients are those ops' gradients.
"""

from __future__ import annotations

import numpy as np

from .. import dtypes, return_types
from ..tensor import Tensor
from ._lazy import publish
from ._select import nth_element_index, quickselect_index, select_indices
from .dims import dim_index, normalize_dims
from .inplace import inplace
from .op import Op, tensor_method
from .pointwise import where
from .reduction import Std, Var, _var_args

__all__ = [
    "aminmax",
    "kthvalue",
    "mode",
    "nanmean",
    "nanmedian",
    "nanquantile",
    "nansum",
    "quantile",
    "renorm",
    "std_mean",
    "trace",
    "var_mean",
]

_wrap = Tensor._wrap


def _type_name(array):
    return dtypes.scalar_type_name(dtypes.from_numpy_dtype(array.dtype))


def _rows(a, dim):
    """a with dim moved last, as 2-D rows, and the shape to put the per-row results back."""
    moved = np.moveaxis(a, dim, -1)
    return moved.reshape(-1, a.shape[dim]), moved.shape[:-1]


# -- one element per slice ---------------------------------------------------------------
class _Pick(Op):
    """values = a's element at one picked index per slice along dim; the gradient goes back
    to that element. `pick(a, dim)` gives the indices, with dim kept (size 1)."""

    pick = None

    @classmethod
    def forward(cls, ctx, a, *, dim, keepdim, **params):
        ctx.shape, ctx.dim, ctx.keepdim = a.shape, dim, keepdim
        if a.ndim == 0:
            ctx.save_for_backward(None)
            return a.copy(), np.zeros((), np.int64)
        index = cls.pick(a, dim, **params)
        ctx.save_for_backward(index)
        values = np.take_along_axis(a, index, axis=dim)
        if not keepdim:
            values, index = np.squeeze(values, dim), np.squeeze(index, dim)
        return values, index

    @staticmethod
    def backward(ctx, grad, grad_indices=None):
        (index,) = ctx.saved_tensors
        if index is None:
            return grad
        if not ctx.keepdim:
            grad = grad.unsqueeze(ctx.dim)
        zeros = _wrap(np.zeros(ctx.shape, grad._data.dtype))
        return zeros.scatter(ctx.dim, index, grad)


def _kth_index(a, dim, *, k):
    rows, lead = _rows(a, dim)
    picked = select_indices(rows, np.full(rows.shape[0], k - 1), quickselect_index)
    return np.expand_dims(picked.reshape(lead), dim)


def _nanmedian_index(a, dim):
    rows, lead = _rows(a, dim)
    valid = rows.shape[1] - np.count_nonzero(np.isnan(rows), axis=1)
    # (valid - 1) / 2 rounded toward zero, as C++ divides: 0 for an all-NaN slice.
    ks = np.where(valid > 0, (valid - 1) // 2, 0)
    picked = select_indices(rows, ks, nth_element_index)
    return np.expand_dims(picked.reshape(lead), dim)


def _mode_index(a, dim):
    """The most frequent value of each slice (the smallest among equally frequent ones) at
    its last occurrence, as PyTorch reports it."""
    rows, lead = _rows(a, dim)
    out = np.empty(rows.shape[0], np.int64)
    for r, row in enumerate(rows):
        order = np.argsort(row, kind="stable")
        s = row[order]
        starts = np.flatnonzero(np.concatenate(([True], s[1:] != s[:-1])))
        counts = np.diff(np.append(starts, s.size))
        best = int(np.argmax(counts))  # the first (smallest) of the most frequent
        out[r] = order[starts[best] + counts[best] - 1]
    return np.expand_dims(out.reshape(lead), dim)


class Kthvalue(_Pick):
    name = "KthvalueBackward0"
    formula = "d(kthvalue(a))/da = 1 at the selected element, else 0"
    pick = staticmethod(_kth_index)


class Mode(_Pick):
    name = "ModeBackward0"
    formula = "d(mode(a))/da = 1 at the selected element, else 0"
    pick = staticmethod(_mode_index)


class NanmedianDim(_Pick):
    name = "NanmedianBackward1"
    formula = "d(nanmedian(a, dim))/da = 1 at the selected element, else 0"
    pick = staticmethod(_nanmedian_index)


def _reduction_dim(fn_name, input, dim):
    ndim = input._data.ndim
    d = dim_index(dim, max(ndim, 1)) if ndim else 0
    if ndim and input._data.shape[d] == 0:
        raise IndexError(f"{fn_name}(): Expected reduction dim {d} to have non-zero size.")
    return d


@tensor_method("kthvalue")
def kthvalue(input, k, dim=-1, keepdim=False):
    """(values, indices) of the k-th smallest element along dim."""
    d = _reduction_dim("kthvalue", input, dim)
    size = input._data.shape[d] if input._data.ndim else 1
    if not 1 <= k <= size:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    values, indices = Kthvalue.apply(input, dim=d, keepdim=keepdim, k=k)
    return return_types.kthvalue(values, indices)


@tensor_method("mode")
def mode(input, dim=-1, keepdim=False):
    """(values, indices) of the most frequent value along dim."""
    d = _reduction_dim("mode", input, dim)
    values, indices = Mode.apply(input, dim=d, keepdim=keepdim)
    return return_types.mode(values, indices)


class NanmedianAll(Op):
    name = "NanmedianBackward0"
    formula = "d(nanmedian(a))/da = 1/k at each of the k elements equal to the median"

    @staticmethod
    def forward(ctx, a):
        flat = a.reshape(-1)
        valid = np.sort(flat[~np.isnan(flat)]) if a.dtype.kind == "f" else np.sort(flat)
        if valid.size:
            out = np.asarray(valid[(valid.size - 1) // 2])
        else:
            out = np.asarray(np.nan, dtype=a.dtype)
        mask = np.isnan(a) if np.isnan(out) else a == out
        ctx.save_for_backward(mask.astype(a.dtype) / max(np.count_nonzero(mask), 1))
        return out

    @staticmethod
    def backward(ctx, grad):
        (share,) = ctx.saved_tensors
        return grad * share


@tensor_method("nanmedian")
def nanmedian(input, dim=None, keepdim=False):
    """The lower median of the values that are not NaN (NaN where all are);
    nanmedian(a, dim) gives (values, indices)."""
    if dim is None:
        return NanmedianAll.apply(input)
    d = _reduction_dim("median", input, dim)
    values, indices = NanmedianDim.apply(input, dim=d, keepdim=keepdim)
    return return_types.nanmedian(values, indices)


# -- nansum, nanmean -----------------------------------------------------------------------
def _reduce_dims(dim, ndim):
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return tuple(range(ndim))
    if ndim == 0:
        for d in (dim,) if not isinstance(dim, (tuple, list)) else dim:
            dim_index(int(d), 0)
        return ()
    return normalize_dims(dim, ndim)


class Nansum(Op):
    name = "NansumBackward0"
    formula = "d(nansum(a))/da = 1 where a is not NaN, else 0"

    @staticmethod
    def forward(ctx, a, *, dims, keepdim, dtype):
        ctx.shape, ctx.dims, ctx.keepdim = a.shape, dims, keepdim
        if dtype is None and a.dtype.kind in "biu":
            dtype = np.int64
        if a.dtype.kind == "f":
            not_nan = ~np.isnan(a)
            ctx.save_for_backward(not_nan)
            a = np.where(not_nan, a, 0)  # np.nansum's sum: each NaN replaced by +0
        # the reduction itself, not NumPy's Python-level nansum and sum (reduction.py says why)
        return np.asarray(np.add.reduce(a, axis=dims, keepdims=keepdim, dtype=dtype))

    @staticmethod
    def backward(ctx, grad):
        (not_nan,) = ctx.saved_tensors
        if not ctx.keepdim and ctx.dims:
            shape = list(grad.shape)
            for d in ctx.dims:
                shape.insert(d, 1)
            grad = grad.reshape(shape)
        return grad.expand(ctx.shape) * not_nan


@tensor_method("nansum")
def nansum(input, dim=None, keepdim=False, *, dtype=None):
    """The sum, treating NaN as zero."""
    np_dtype = dtypes.to_dtype(dtype).np if dtype is not None else None
    dims = _reduce_dims(dim, input._data.ndim)
    return Nansum.apply(input, dims=dims, keepdim=keepdim, dtype=np_dtype)


@tensor_method("nanmean")
def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    """The mean of the values that are not NaN: nansum over their count."""
    if input._data.dtype.kind != "f":
        raise RuntimeError(
            "nanmean(): expected input to have floating point or complex dtype but got "
            f"{_type_name(input._data)}"
        )
    dims = _reduce_dims(dim, input._data.ndim)
    count = (~input.isnan()).sum(dims, keepdim=keepdim)
    return nansum(input, dims, keepdim, dtype=dtype) / count


# -- quantiles -----------------------------------------------------------------------------
_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile_q(input, q, interpolation):
    """q as an array of input's dtype, after PyTorch's checks of input, q and interpolation."""
    a = input._data
    if isinstance(q, Tensor):
        q_data = q._data
    else:
        q_value = float(q)
        if not 0 <= q_value <= 1:
            raise RuntimeError(f"quantile() q must be in the range [0, 1] but got {q_value:g}")
        q_data = np.asarray(q_value, dtype=a.dtype)
    if a.size == 0:
        raise RuntimeError("quantile() input tensor must be non-empty")
    if q_data.ndim > 1:
        raise RuntimeError("quantile() q must be a scalar or 1D tensor")
    if a.dtype not in (np.float32, np.float64):
        raise RuntimeError("quantile() input tensor must be either float or double dtype")
    if q_data.dtype != a.dtype:
        raise RuntimeError("quantile() q tensor must be same dtype as the input tensor")
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(
            "quantile() interpolation must be one of linear, lower, higher, midpoint or "
            f"nearest, but got {interpolation}"
        )
    if not np.all((q_data >= 0) & (q_data <= 1)):
        raise RuntimeError("quantile() q values must be in the range [0, 1]")
    return q_data


def _quantile(fn_name, input, q, dim, keepdim, interpolation, ignore_nan):
    a = input._data
    q_data = _quantile_q(input, q, interpolation)
    # The values sorted along the last dim (all of them, flattened, when dim is None).
    if dim is None:
        values = input.reshape(-1)
        out_shape = [1] * a.ndim if keepdim else []
    else:
        d = dim_index(dim, max(a.ndim, 1)) if a.ndim else 0
        values = input.unsqueeze(-1).transpose(d, -1) if a.ndim else input.reshape(1)
        out_shape = list(a.shape)
        if a.ndim:
            if keepdim:
                out_shape[d] = 1
            else:
                del out_shape[d]
    sorted_values = values.sort(-1).values
    s = sorted_values._data
    n = s.shape[-1]
    q_t = q.reshape(-1) if isinstance(q, Tensor) else _wrap(q_data.reshape(-1))
    # The rank of each quantile in each slice, as PyTorch computes it (differentiable in q):
    # over the values that are not NaN (nanquantile), or the last rank where a slice has a
    # NaN (quantile), so that the result is NaN there.
    nan_count = np.sum(np.isnan(s), axis=-1, keepdims=True)
    if ignore_nan:
        ranks = q_t * _wrap((n - nan_count - 1).astype(s.dtype))
        ranks = where(ranks < 0, 0.0, ranks)
    else:
        last = float(n - 1)
        ranks = (q_t * last).maximum(_wrap(((nan_count > 0) * last).astype(s.dtype)))
    ranks = ranks.expand(s.shape[:-1] + (q_t._data.size,))
    if interpolation == "lower":
        ranks = ranks.floor()
    elif interpolation == "higher":
        ranks = ranks.ceil()
    elif interpolation == "nearest":
        ranks = ranks.round()
    below = ranks._data.astype(np.int64)
    result = sorted_values.gather(-1, _wrap(below))
    if interpolation in ("linear", "midpoint"):
        if interpolation == "linear":
            weights = ranks - _wrap(below.astype(s.dtype))
        else:
            weights = _wrap(np.full(below.shape, 0.5, s.dtype))
        above = sorted_values.gather(-1, _wrap(np.ceil(ranks._data).astype(np.int64)))
        result = result.lerp(above, weights)
    # result: (slices..., len(q)); PyTorch puts the q dim first, then the reduced shape.
    if q_data.ndim == 0:
        return result.reshape(out_shape)
    return result.reshape(out_shape + [q_t._data.size]).movedim(-1, 0)


@tensor_method("quantile")
def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    """The q-th quantiles of input along dim (of all values when dim is None)."""
    return _quantile("quantile", input, q, dim, keepdim, interpolation, ignore_nan=False)


@tensor_method("nanquantile")
def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    """quantile of the values that are not NaN (NaN where a slice is all NaN)."""
    return _quantile("nanquantile", input, q, dim, keepdim, interpolation, ignore_nan=True)


# -- var_mean, std_mean, aminmax, trace, renorm ------------------------------------------
def _moments(spread, name, input, dim, unbiased, keepdim, correction):
    if isinstance(dim, bool):  # the old var_mean(input, unbiased) overload
        dim, unbiased = None, dim
    # (a degrees-of-freedom warning under this function's name, naming its caller)
    s = _var_args(spread, name, input, dim, unbiased, keepdim, correction, stacklevel=5)
    return s, input.mean(dim, keepdim=keepdim)


def var_mean(input, dim=None, unbiased=True, keepdim=False, *, correction=None):
    """(var, mean) over dim, in one call."""
    return _moments(Var, "var_mean", input, dim, unbiased, keepdim, correction)


def std_mean(input, dim=None, unbiased=True, keepdim=False, *, correction=None):
    """(std, mean) over dim, in one call."""
    return _moments(Std, "std_mean", input, dim, unbiased, keepdim, correction)


@tensor_method("aminmax")
def aminmax(input, *, dim=None, keepdim=False):
    """(amin, amax) over dim (over everything when dim is None)."""
    if dim is None:
        if input._data.size == 0:
            raise RuntimeError(
                "aminmax(): cannot compute aminmax over an empty dimension as the operation "
                "has no identity."
            )
        dims = ()
    else:
        d = dim_index(dim, max(input._data.ndim, 1))
        if input._data.ndim and input._data.shape[d] == 0 and input._data.size:
            raise IndexError(f"aminmax(): Expected reduction dim {d} to have non-zero size.")
        dims = d if input._data.ndim else ()
    if input._data.ndim == 0:
        return return_types.aminmax(input.clone(), input.clone())
    return return_types.aminmax(
        input.amin(dims, keepdim=keepdim), input.amax(dims, keepdim=keepdim)
    )


class Trace(Op):
    name = "TraceBackward0"
    formula = "d(trace(a))/da = the identity matrix"

    @staticmethod
    def forward(ctx, a):
        ctx.shape = a.shape
        diag = np.diagonal(a)
        if a.dtype.kind in "biu":
            return np.asarray(diag.sum(dtype=np.int64))
        # PyTorch adds the diagonal in order, in double precision.
        if diag.size == 0:
            return np.zeros((), a.dtype)
        return np.asarray(np.cumsum(diag, dtype=np.float64)[-1], dtype=a.dtype)

    @staticmethod
    def backward(ctx, grad):
        eye = np.eye(*ctx.shape, dtype=grad._data.dtype)
        return grad * eye


@tensor_method("trace")
def trace(input):
    """The sum of a matrix's diagonal."""
    if input._data.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input._data.ndim}")
    return Trace.apply(input)


@tensor_method("renorm")
def renorm(input, p, dim, maxnorm):
    """Each slice along dim with p-norm above maxnorm scaled down to norm maxnorm."""
    if input._data.dtype.kind != "f":
        raise RuntimeError(
            f"renorm: expected floating point input but got {_type_name(input._data)}"
        )
    if p <= 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
    ndim = input._data.ndim
    d = dim_index(dim, max(ndim, 1))
    others = tuple(i for i in range(ndim) if i != d)
    norms = input.norm(p, others, keepdim=True) if others else input.abs()
    factor = where(norms > maxnorm, maxnorm / (norms + 1e-7), 1.0)
    return input * factor


@tensor_method("renorm_")
def renorm_(self, p, dim, maxnorm):
    return inplace(self, lambda t: renorm(t, p, dim, maxnorm))


publish(__name__)  # NumPy's argument names, chainrule.<name>: _lazy.py
