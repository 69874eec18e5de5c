"""Counting and searching: histc, histogram, bucketize, searchsorted, unique_consecutive.

None of these is differentiable (as in PyTorch). Binning follows PyTorch's rules: histc
maps an element to a bin by linear interpolation between its edges (as PyTorch does,
in the input's dtype); histogram finds the bin among its edges (the same answer as
PyTorch's local search); the last bin includes its right edge; NaN and elements outside
the range are not counted.
"""

from __future__ import annotations

import numpy as np

from .. import dtypes, return_types
from ..tensor import Tensor
from ._lazy import publish
from .dims import dim_index
from .op import tensor_method

__all__ = ["bucketize", "histc", "histogram", "searchsorted", "unique_consecutive"]

_wrap = Tensor._wrap


def _type_name(array):
    return dtypes.scalar_type_name(dtypes.from_numpy_dtype(array.dtype))


def _check_float(kernel, a):
    if a.dtype.kind != "f":
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_type_name(a)}'")


def _data_range(a):
    """The data's smallest and largest values (NaN if it has a NaN, as PyTorch's aminmax)."""
    if a.size == 0:
        return a.dtype.type(0), a.dtype.type(0)
    return a.min(), a.max()


def _c_number(x):
    """A float as C++ streams print it in PyTorch's messages (a NaN with its sign)."""
    if np.isnan(x):
        return "-nan" if np.signbit(x) else "nan"
    return f"{x:g}"


@tensor_method("histc")
def histc(input, bins=100, min=0, max=0):
    """Counts of input's elements in `bins` equal bins between min and max (the data's
    smallest and largest values when both are 0)."""
    a = input._data
    _check_float("histogram_cpu", a)
    if bins <= 0:
        raise RuntimeError(f"torch.histc: bins must be > 0, but got {bins} for dimension 0")
    t = a.dtype.type
    left, right = t(min), t(max)
    if left == right and a.size:
        left, right = _data_range(a)
    if left == right:
        left, right = left - t(1), right + t(1)
    if left > right:
        raise RuntimeError("torch.histc: max must be larger than min")
    if not (np.isfinite(left) and np.isfinite(right)):
        raise RuntimeError(f"torch.histc: range of [{left:g}, {right:g}] is not finite")
    flat = a.reshape(-1)
    inside = flat[(flat >= left) & (flat <= right)]
    with np.errstate(over="ignore", invalid="ignore"):
        pos = ((inside - left) * t(bins) / (right - left)).astype(np.int64)
    pos = np.minimum(pos, bins - 1)
    return _wrap(np.bincount(pos, minlength=bins).astype(a.dtype))


def histogram(input, bins, *, range=None, weight=None, density=False, out=None):
    """(hist, bin_edges): counts (or summed weights) of input's elements per bin. `bins` is
    a count of equal bins over `range` (the data's extent by default) or the edges."""
    a = input._data
    _check_float("histogramdd", a)
    if isinstance(bins, Tensor):
        edges = bins._data.astype(a.dtype, copy=False)
        if edges.ndim != 1 or edges.size < 1:
            raise RuntimeError("torch.histogram(): bins tensor should have one dimension")
    else:
        if bins <= 0:
            raise RuntimeError(
                f"torch.histogramdd: bins must be > 0, but got {bins} for dimension 0"
            )
        if range is not None:
            left, right = a.dtype.type(range[0]), a.dtype.type(range[1])
        elif a.size == 0:
            left, right = a.dtype.type(0), a.dtype.type(1)
        else:
            left, right = _data_range(a)
        if not (np.isfinite(left) and np.isfinite(right)):
            raise RuntimeError(
                f"torch.histogramdd: dimension 0's range [{_c_number(left)}, "
                f"{_c_number(right)}] is not finite"
            )
        if left > right:
            raise RuntimeError(
                f"torch.histogramdd: expected upper bin edge {right:g} to be greater than or "
                f"equal to lower bin edge {left:g}"
            )
        if left == right:
            left, right = left - a.dtype.type(0.5), right + a.dtype.type(0.5)
        from .creation import linspace

        edges = linspace(float(left), float(right), bins + 1, dtype=input.dtype)._data
    flat = a.reshape(-1)
    w = None
    if weight is not None:
        if weight._data.shape != a.shape:
            raise RuntimeError(
                "torch.histogramdd: if weight tensor is provided it should have the same "
                "shape as the input tensor excluding its innermost dimension"
            )
        w = weight._data.reshape(-1).astype(a.dtype, copy=False)
    n_bins = edges.size - 1
    keep = (flat >= edges[0]) & (flat <= edges[-1])
    pos = np.searchsorted(edges, flat[keep], side="right") - 1
    pos = np.minimum(pos, n_bins - 1)
    hist = np.zeros(n_bins, a.dtype)
    np.add.at(hist, pos, w[keep] if w is not None else a.dtype.type(1))
    if density:
        widths = np.diff(edges)
        hist = hist / (hist.sum() * widths)
    return return_types.histogram(_wrap(hist.astype(a.dtype)), _wrap(np.array(edges)))


tensor_method("histogram")(histogram)


def _out_index(values, out_int32):
    return _wrap(np.asarray(values, dtype=np.int32 if out_int32 else np.int64))


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None, sorter=None):
    """Where each value of input would go in sorted_sequence (1-D, or rows matching
    input's leading dims) to keep it sorted: before equal values, or after them with
    right=True / side='right'."""
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(
                f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}"
            )
        if right and side == "left":
            raise RuntimeError(
                "torch.searchsorted(): side and right can't be set to opposites, got side of "
                "left while right was True"
            )
        right = side == "right"
    seq = sorted_sequence._data
    scalar = not isinstance(input, Tensor)
    values = np.asarray(input) if scalar else input._data
    if sorter is not None:
        seq = np.take_along_axis(seq, sorter._data, axis=-1)
    which = "right" if right else "left"
    if seq.ndim <= 1:
        return _out_index(np.searchsorted(seq.reshape(-1), values, side=which), out_int32)
    if scalar or values.ndim != seq.ndim or values.shape[:-1] != seq.shape[:-1]:
        raise RuntimeError(
            "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
            "dimensions of boundaries tensor and input value tensor must match, but we got "
            f"boundaries tensor {list(seq.shape)} and input value tensor "
            f"{list(values.shape)}"
        )
    if values.size == 0 or seq.size == 0:
        return _out_index(np.zeros(values.shape, np.int64), out_int32)
    rows = seq.reshape(-1, seq.shape[-1])
    vals = values.reshape(rows.shape[0], -1)
    out = np.stack([np.searchsorted(r, v, side=which) for r, v in zip(rows, vals)])
    return _out_index(out.reshape(values.shape), out_int32)


def bucketize(input, boundaries, *, out_int32=False, right=False):
    """The index of the bucket each value falls in: boundaries[i-1] < x <= boundaries[i]
    (or boundaries[i-1] <= x < boundaries[i] with right=True)."""
    if boundaries._data.ndim != 1:
        raise RuntimeError(
            f"boundaries tensor must be 1 dimension, but got dim({boundaries._data.ndim})"
        )
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


@tensor_method("unique_consecutive")
def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """Each run of equal consecutive elements (or slices along dim) kept once; optionally
    the run each element belongs to, and the run lengths."""
    a = input._data
    if dim is None:
        flat = a.reshape(-1)
        new_run = np.ones(flat.size, bool)
        new_run[1:] = flat[1:] != flat[:-1]
        values = flat[new_run]
        inverse_shape = a.shape
    else:
        d = dim_index(dim, max(a.ndim, 1))
        moved = np.moveaxis(a, d, 0)
        n = moved.shape[0]
        new_run = np.ones(n, bool)
        if n > 1:
            rest = moved.reshape(n, -1)
            new_run[1:] = np.any(rest[1:] != rest[:-1], axis=1)
        values = np.moveaxis(moved[new_run], 0, d)
        inverse_shape = (n,)
    out = [_wrap(np.ascontiguousarray(values))]
    if return_inverse:
        out.append(_wrap((np.cumsum(new_run) - 1).astype(np.int64).reshape(inverse_shape)))
    if return_counts:
        starts = np.flatnonzero(new_run)
        out.append(_wrap(np.diff(np.append(starts, new_run.size)).astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


publish(__name__)  # NumPy's argument names, chainrule.<name>: _lazy.py
