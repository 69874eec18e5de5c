"""Index grids and shape arithmetic: meshgrid (both call forms), cartesian_prod,
combinations, tril_indices/triu_indices, broadcast_shapes and unravel_index.

meshgrid, cartesian_prod and combinations are composites (reshape/expand views, stack,
indexing), so they carry gradients as those ops do; the rest compute integer indices
or shapes.
"""

from __future__ import annotations

import itertools
import numbers
import warnings

import numpy as np

from .. import dtypes
from ..tensor import Size, Tensor
from ._lazy import publish

__all__ = [
    "broadcast_shapes",
    "cartesian_prod",
    "combinations",
    "meshgrid",
    "tril_indices",
    "triu_indices",
    "unravel_index",
]

_wrap = Tensor._wrap
_WARNED = []


def meshgrid(*tensors, indexing=None):
    """Coordinate grids: the i-th result repeats tensors[i] along every other dim.
    indexing='ij' (the default) or 'xy' (the first two dims swapped, as NumPy's)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        if not _WARNED:
            _WARNED.append(True)
            warnings.warn(
                "torch.meshgrid: in an upcoming release, it will be required to pass the "
                "indexing argument.",
                UserWarning,
                stacklevel=2,
            )
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(
            f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}'
        )
    if not tensors:
        return ()
    for t in tensors:
        if t._data.ndim > 1:
            raise RuntimeError(
                f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: {t!r}"
            )
    for t in tensors[1:]:
        if t.dtype is not tensors[0].dtype:
            raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    swap = indexing == "xy" and len(tensors) >= 2
    order = list(tensors)
    if swap:
        order[0], order[1] = order[1], order[0]
    sizes = [t._data.size for t in order]
    grids = []
    for i, t in enumerate(order):
        shape = [1] * len(order)
        shape[i] = -1
        grids.append(t.reshape(shape).expand(*sizes))
    if swap:
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


def cartesian_prod(*tensors):
    """Every combination of one element from each 1-D tensor, one per row."""
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    from .joining import stack

    return stack([g.reshape(-1) for g in grids], 1)


def combinations(input, r=2, with_replacement=False):
    """The length-r combinations of input's elements (1-D), in order, one per row."""
    if input._data.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input._data.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return input[_wrap(np.zeros(0, np.int64))]
    n = input._data.shape[0]
    pick = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    index = np.asarray(list(pick(range(n), r)), dtype=np.int64).reshape(-1, r)
    from .joining import stack

    return stack([input[_wrap(index[:, k])] for k in range(r)], 1)


def _triangle_indices(row, col, offset, dtype, lower):
    if row < 0:
        raise RuntimeError(f"row must be non-negative, got{row}")
    if col < 0:
        raise RuntimeError(f"col must be non-negative, got{col}")
    np_dtype = dtypes.to_dtype(dtype).np if dtype is not None else np.int64
    if np.dtype(np_dtype).kind not in "iu":
        raise RuntimeError('"tril_indices" not implemented for the dtype given')
    if lower:
        rows, cols = np.tril_indices(row, offset, col)
    else:
        rows, cols = np.triu_indices(row, offset, col)
    return _wrap(np.stack([rows, cols]).astype(np_dtype).reshape(2, -1))


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """(2, N): the coordinates of the lower triangle (on and below diagonal `offset`) of a
    row x col matrix, row by row."""
    return _triangle_indices(row, col, offset, dtype, lower=True)


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """(2, N): the coordinates of the upper triangle (on and above diagonal `offset`)."""
    return _triangle_indices(row, col, offset, dtype, lower=False)


def broadcast_shapes(*shapes):
    """The shape that tensors of these shapes broadcast to."""
    as_tuples = [(s,) if isinstance(s, numbers.Integral) else tuple(s) for s in shapes]
    result = []
    for i, shape in enumerate(as_tuples):
        for s in shape:
            if s < 0:
                raise RuntimeError(
                    f"Trying to create tensor with negative dimension {s}: {list(shape)}"
                )
        lead = len(shape) - len(result)
        if lead > 0:
            result = list(shape[:lead]) + result
        for k in range(1, len(shape) + 1):
            have, new = result[-k], shape[-k]
            if have == 1:
                result[-k] = new
            elif new != 1 and new != have:
                raise RuntimeError(
                    f"Attempting to broadcast a dimension of length {new} at {-k}! Mismatching "
                    f"argument at index {i} had {tuple(shape)}; but expected shape should be "
                    f"broadcastable to {result}"
                )
    return Size(result)


def unravel_index(indices, shape):
    """The coordinates in a tensor of `shape` of each flat index: a tuple of tensors, one
    per dim (indices wrap around, as PyTorch's do)."""
    if not isinstance(indices, Tensor):
        indices = _wrap(np.asarray(indices))
    flat = indices._data
    if flat.dtype.kind not in "iu":
        raise TypeError(f"expected 'indices' to be integer dtype, but got {indices.dtype}")
    shape = (shape,) if isinstance(shape, numbers.Integral) else tuple(shape)
    for s in shape:
        if s < 0:
            raise ValueError(f"'shape' cannot have negative values, but got {tuple(shape)}")
    coords = []
    rest = flat.astype(np.int64)
    for s in reversed(shape):
        if s == 0:
            coords.append(np.zeros_like(rest))
            continue
        coords.append(np.mod(rest, s))
        rest = np.floor_divide(rest, s)
    return tuple(_wrap(c) for c in reversed(coords))


publish(__name__)  # NumPy's argument names, chainrule.<name>: _lazy.py
