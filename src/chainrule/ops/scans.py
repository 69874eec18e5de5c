"""Running and finite-difference ops along a dim: cummax/cummin, logcumsumexp, diff,
gradient, trapezoid/trapz and cumulative_trapezoid.

cummax/cummin and logcumsumexp are primitives with PyTorch's backward formulas, written
in chainrule ops; the finite differences and the trapezoid rule are composites of
slicing and arithmetic, as in PyTorch, in its order of operations.
"""

from __future__ import annotations

import numbers

import numpy as np

from .. import dtypes, return_types
from ..tensor import Tensor
from ._lazy import publish
from .dims import dim_index
from .op import Op, tensor_method
from .pointwise import where

__all__ = [
    "cummax",
    "cummin",
    "cumulative_trapezoid",
    "diff",
    "gradient",
    "logcumsumexp",
    "trapezoid",
    "trapz",
]

_wrap = Tensor._wrap


def _type_name(array):
    return dtypes.scalar_type_name(dtypes.from_numpy_dtype(array.dtype))


# -- cummax, cummin ----------------------------------------------------------------------------
class Cummax(Op):
    name = "CummaxBackward0"
    formula = "d(cummax(a))/da: each output's gradient added at the index it came from"
    accumulate = staticmethod(np.fmax.accumulate)
    better = staticmethod(np.greater_equal)

    @classmethod
    def forward(cls, ctx, a, *, dim):
        if a.ndim == 0:
            ctx.save_for_backward(None)
            return a.copy(), np.zeros((), np.int64)
        if a.dtype.kind == "f":
            nan = np.isnan(a)
            values = cls.accumulate(a, axis=dim)
            # Once a NaN is seen it stays: every later value is NaN.
            seen = np.logical_or.accumulate(nan, axis=dim)
            values = np.where(seen, np.asarray(np.nan, a.dtype), values)
            # A slice's index moves on where its element ties or beats the running value
            # (>= for cummax, <= for cummin: the last of equal values), or is a NaN.
            updated = nan | (~seen & (a == values))
        else:
            values = cls.accumulate(a, axis=dim)
            updated = a == values
        shape = [1] * a.ndim
        shape[dim] = a.shape[dim]
        positions = np.arange(a.shape[dim]).reshape(shape)
        indices = np.maximum.accumulate(np.where(updated, positions, 0), axis=dim)
        ctx.save_for_backward(indices)
        ctx.dim, ctx.shape = dim, a.shape
        return values.astype(a.dtype, copy=False), indices.astype(np.int64)

    @staticmethod
    def backward(ctx, grad, grad_indices=None):
        (indices,) = ctx.saved_tensors
        if indices is None:
            return grad
        zeros = _wrap(np.zeros(ctx.shape, grad._data.dtype))
        return zeros.scatter_add(ctx.dim, indices, grad)


class Cummin(Cummax):
    name = "CumminBackward0"
    formula = "d(cummin(a))/da: each output's gradient added at the index it came from"
    accumulate = staticmethod(np.fmin.accumulate)


def _scan_dim(input, dim):
    ndim = input._data.ndim
    return dim_index(dim, max(ndim, 1)) if ndim else 0


@tensor_method("cummax")
def cummax(input, dim):
    """(values, indices): the running maximum along dim and where each came from."""
    values, indices = Cummax.apply(input, dim=_scan_dim(input, dim))
    return return_types.cummax(values, indices)


@tensor_method("cummin")
def cummin(input, dim):
    """(values, indices): the running minimum along dim and where each came from."""
    values, indices = Cummin.apply(input, dim=_scan_dim(input, dim))
    return return_types.cummin(values, indices)


# -- logcumsumexp ------------------------------------------------------------------------------
class Logcumsumexp(Op):
    name = "LogcumsumexpBackward0"
    formula = "d(logcumsumexp(a))_j/da_i = exp(a_i - logcumsumexp(a)_j) for i <= j"

    @staticmethod
    def forward(ctx, a, *, dim):
        ctx.dim = dim
        ctx.save_for_backward(a)
        if a.ndim == 0 or a.size == 0:
            out = a.copy()
        else:
            # PyTorch accumulates in double, one log-add-exp per step, in order.
            with np.errstate(invalid="ignore", over="ignore"):
                out = np.logaddexp.accumulate(a.astype(np.float64), axis=dim).astype(a.dtype)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, result = ctx.saved_tensors
        dim = ctx.dim
        if grad.ndim == 0 or grad._data.size == 0:
            return grad
        # sum_{j >= i} grad_j exp(a_i - result_j), split by the sign of grad so that each
        # part is a log-sum-exp (stable): PyTorch's formula.
        lowest = float(np.finfo(grad._data.dtype).min)
        log_abs = grad.abs().log()
        positive = (grad > 0).detach()
        negative = (grad < 0).detach()
        log_pos = where(positive, log_abs, lowest)
        log_neg = where(negative, log_abs, lowest)

        def reversed_logcumsumexp(x):
            return x.flip(dim).logcumsumexp(dim).flip(dim)

        out_pos = (reversed_logcumsumexp(log_pos - result) + a).exp()
        out_neg = (reversed_logcumsumexp(log_neg - result) + a).exp()
        return out_pos - out_neg


@tensor_method("logcumsumexp")
def logcumsumexp(input, dim):
    """log(cumsum(exp(input))) along dim, computed without overflow."""
    if input._data.dtype.kind != "f":
        raise NotImplementedError(
            f"\"logcumsumexp_out_cpu\" not implemented for '{_type_name(input._data)}'"
        )
    return Logcumsumexp.apply(input, dim=_scan_dim(input, dim))


# -- diff --------------------------------------------------------------------------------------
@tensor_method("diff")
def diff(input, n=1, dim=-1, prepend=None, append=None):
    """The n-th forward difference along dim (prepend/append are joined on first)."""
    if input._data.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = dim_index(dim, input._data.ndim)
    if n == 0:
        return input
    parts = []
    for extra in (prepend, append):
        if extra is not None and (
            not isinstance(extra, Tensor) or extra._data.ndim != input._data.ndim
        ):
            raise RuntimeError("diff expects prepend or append to be the same dimension as input")
    if prepend is not None:
        parts.append(prepend)
    parts.append(input)
    if append is not None:
        parts.append(append)
    out = _cat(parts, d)
    for _ in range(n):
        length = out._data.shape[d]
        if length == 0:
            break
        later = out.narrow(d, 1, length - 1)
        earlier = out.narrow(d, 0, length - 1)
        out = later ^ earlier if out._data.dtype == np.bool_ else later - earlier
    return out


def _cat(parts, dim):
    if len(parts) == 1:
        return parts[0]
    from .joining import cat

    return cat(parts, dim)


# -- gradient ----------------------------------------------------------------------------------
def _float(x):
    return x if x._data.dtype.kind == "f" else x.to(dtypes.get_default_dtype())


def _edge(a, d, start, stop):
    return a.narrow(d, start, stop - start)


def gradient(input, *, spacing=1, dim=None, edge_order=1):
    """The derivative estimated by central differences in the interior and one-sided
    differences (of order edge_order) at the edges, along each dim: a tuple of tensors."""
    a = _float(input)
    ndim = a._data.ndim
    if dim is None:
        dims = list(range(ndim))
        dim_given = False
    else:
        dims = [dim] if isinstance(dim, numbers.Integral) else list(dim)
        dims = [dim_index(d, ndim) for d in dims]
        dim_given = True
    if spacing is None:
        spacing = 1
    if edge_order not in (1, 2):
        raise RuntimeError("torch.gradient only supports edge_order=1 and edge_order=2.")
    if isinstance(spacing, (numbers.Number, Tensor)) and not (
        isinstance(spacing, Tensor) and spacing._data.ndim
    ):
        spacing = [spacing] * len(dims)
    spacing = list(spacing)
    if len(spacing) != len(dims):
        if dim_given:
            raise RuntimeError(
                "torch.gradient expected spacing to be unspecified, a scalar or it's spacing "
                f"and dim arguments to have the same length, but got a spacing argument of "
                f"length {len(spacing)} and a dim argument of length {len(dims)}."
            )
        raise RuntimeError(
            "torch.gradient expected spacing to be unspecified, a scalar, or a list of length "
            f"equal to 'self.dim() = {ndim}', since dim argument was not given, but got a "
            f"list of length {len(spacing)}"
        )
    for d in dims:
        if a._data.shape[d] < edge_order + 1:
            raise RuntimeError(
                "torch.gradient expected each dimension size to be at least edge_order+1"
            )
    out = []
    for d, h in zip(dims, spacing):
        n = a._data.shape[d]
        if isinstance(h, Tensor) and h._data.ndim == 1:
            out.append(_gradient_coordinates(a, d, _float(h), edge_order))
            continue
        h = h.item() if isinstance(h, Tensor) else h
        center = (_edge(a, d, 2, n) - _edge(a, d, 0, n - 2)) / h
        if edge_order == 1:
            first = (_edge(a, d, 1, 2) - _edge(a, d, 0, 1)) / h
            last = (_edge(a, d, n - 1, n) - _edge(a, d, n - 2, n - 1)) / h
        else:
            first = (-1.5 * _edge(a, d, 0, 1) + 2 * _edge(a, d, 1, 2) - 0.5 * _edge(a, d, 2, 3)) / h
            last = (
                0.5 * _edge(a, d, n - 3, n - 2)
                - 2 * _edge(a, d, n - 2, n - 1)
                + 1.5 * _edge(a, d, n - 1, n)
            ) / h
        out.append(_cat([first, center / 2, last], d))
    return tuple(out)


def _gradient_coordinates(a, d, x, edge_order):
    """gradient along d at the coordinates x (second-order accurate in the interior)."""
    n = a._data.shape[d]
    if x._data.shape[0] != n:
        raise RuntimeError(f"torch.gradient expected spacing tensors of size {n} along dim {d}")
    shape = [1] * a._data.ndim
    shape[d] = -1

    def along(t):
        return t.reshape(shape)

    dx = x[1:] - x[:-1]
    dx1, dx2 = dx[:-1], dx[1:]
    c_a = -dx2 / (dx1 * (dx1 + dx2))
    c_b = (dx2 - dx1) / (dx1 * dx2)
    c_c = dx1 / (dx2 * (dx1 + dx2))
    center = (
        along(c_a) * _edge(a, d, 0, n - 2)
        + along(c_b) * _edge(a, d, 1, n - 1)
        + along(c_c) * _edge(a, d, 2, n)
    )
    if edge_order == 1:
        first = (_edge(a, d, 1, 2) - _edge(a, d, 0, 1)) / dx[0]
        last = (_edge(a, d, n - 1, n) - _edge(a, d, n - 2, n - 1)) / dx[-1]
    else:
        h1, h2 = dx[0], dx[1]
        first = (
            -(2 * h1 + h2) / (h1 * (h1 + h2)) * _edge(a, d, 0, 1)
            + (h1 + h2) / (h1 * h2) * _edge(a, d, 1, 2)
            - h1 / (h2 * (h1 + h2)) * _edge(a, d, 2, 3)
        )
        h1, h2 = dx[-2], dx[-1]
        last = (
            h2 / (h1 * (h1 + h2)) * _edge(a, d, n - 3, n - 2)
            - (h1 + h2) / (h1 * h2) * _edge(a, d, n - 2, n - 1)
            + (2 * h2 + h1) / (h2 * (h1 + h2)) * _edge(a, d, n - 1, n)
        )
    return _cat([first, center, last], d)


# -- trapezoid rule ----------------------------------------------------------------------------
def _spacing_along(x, y, d):
    """The differences of the sample points x along d, shaped to broadcast against y."""
    x = _float(x)
    if x._data.ndim == 1:
        n = x._data.shape[0]
        if n != y._data.shape[d]:
            raise RuntimeError(
                "trapezoid: There must be one `x` value for each sample point, but got "
                f"{n} x values and {y._data.shape[d]} y values."
            )
        shape = [1] * y._data.ndim
        shape[d] = n - 1
        return (x[1:] - x[:-1]).reshape(shape)
    xd = d - y._data.ndim + x._data.ndim if x._data.ndim < y._data.ndim else d
    n = x._data.shape[xd]
    return x.narrow(xd, 1, n - 1) - x.narrow(xd, 0, n - 1)


def trapezoid(y, x=None, *, dx=None, dim=-1):
    """The integral of y along dim by the trapezoid rule, with sample points x or spacing
    dx (1 when neither is given)."""
    if x is not None and dx is not None:
        raise RuntimeError("trapezoid: received both x and dx; only one can be given")
    y = _float(y) if y._data.dtype.kind in "biu" else y
    d = dim_index(dim, max(y._data.ndim, 1))
    n = y._data.shape[d]
    if n == 0:
        shape = list(y._data.shape)
        del shape[d]
        return _wrap(np.zeros(shape, y._data.dtype))
    if isinstance(x, Tensor):
        spacing = _spacing_along(x, y, d)
        return (spacing * (y.narrow(d, 1, n - 1) + y.narrow(d, 0, n - 1))).sum(d) / 2.0
    h = 1 if dx is None else (x if x is not None else dx)
    return (y.sum(d) - (y.select(d, 0) + y.select(d, -1)) * 0.5) * h


def trapz(y, x=None, *, dx=None, dim=-1):
    """trapezoid under its older name."""
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    """The running integral of y along dim by the trapezoid rule (one fewer element)."""
    if x is not None and dx is not None:
        raise RuntimeError("cumulative_trapezoid: received both x and dx; only one can be given")
    y = _float(y) if y._data.dtype.kind in "biu" else y
    d = dim_index(dim, max(y._data.ndim, 1))
    n = y._data.shape[d]
    pairs = y.narrow(d, 1, max(n - 1, 0)) + y.narrow(d, 0, max(n - 1, 0))
    if isinstance(x, Tensor):
        return (_spacing_along(x, y, d) / 2.0 * pairs).cumsum(d)
    h = 1 if dx is None else (x if x is not None else dx)
    return (h / 2.0 * pairs).cumsum(d)


publish(__name__)  # NumPy's argument names, chainrule.<name>: _lazy.py
