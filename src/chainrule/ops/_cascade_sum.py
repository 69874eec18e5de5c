"""Sums in the order PyTorch's CPU kernel adds them (its cascade sum), for float32 and
float64: sum, mean (a sum divided by the count) and the sums over broadcast dims that
gradients go through. NumPy sums a contiguous row pairwise in blocks of 8, PyTorch in
its own cascade, so the last bits differ; a bias's gradient or a mean loss then prints
differently after a few training steps.

PyTorch's order, as its 2-D reduction loop runs it (dims coalesced, the reduced dim
made the first of the two):

- A run of numbers is added in a cascade: a running sum takes 16 numbers (2**max(4,
  ceil(log2 n) // 4) of them), then passes its sum up one level and restarts from 0; a
  level passes its sum up after 16 of those; four levels, the top one never passing on.
  What is left over is added into level 0, then levels 1, 2, 3 into it (`_cascade`).
- `_row_sum` cuts a run into groups of 4 and keeps 4 cascades side by side (the k-th
  number of each group goes to cascade k), adds the few left over into the first, then
  the other three into it.
- Reducing a contiguous run (all dims, or the innermost ones): the run is read as vectors
  of 8 float32 (4 float64: PyTorch's AVX2 kernel, which it also runs on AVX-512
  machines), summed lane-wise by `_row_sum`; then the elements after the last whole
  vector are added to 0, then the 8 lanes in order. Runs shorter than a vector take
  `_row_sum` on single numbers.
- Reducing the outer dim of a matrix whose rows are contiguous (a bias's gradient):
  columns in groups of 32 (four vectors) are one cascade each; then groups of 8, whose
  columns each take `_row_sum`; then the last columns, each `_row_sum`. Narrower than a
  vector: columns in groups of 4, each one cascade, then the rest `_row_sum`.

Other layouts and reductions (a reduced dim between kept ones, strided inputs, other
dtypes) and inputs of 32768 elements or more (which PyTorch splits between its threads
when it has more than one, and where this emulation would cost several times NumPy's
sum) are NumPy's sums, a few units in the last place from PyTorch's.

chainrule's ops call this module only while the PyTorch arithmetic switch is on
(chainrule.use_pytorch_arithmetic, off by default: chainrule/_arithmetic.py).
"""

from __future__ import annotations

import numpy as np

__all__ = ["cascade_sum"]

_GRAIN = 32768
_LANES = {np.dtype(np.float32): 8, np.dtype(np.float64): 4}


def cascade_sum(a, axis=None, keepdims=False):
    """np.sum(a, axis, keepdims=keepdims), added in PyTorch's order where it is known (see
    the module's docstring); else np.sum. axis: None, an int or a tuple of ints."""
    out = _ordered(a, axis)
    if out is None:  # (np.add.reduce: np.sum's reduction, called directly: see reduction.py)
        return np.add.reduce(a, axis=axis, keepdims=keepdims)
    if keepdims:
        axes = _axes(axis, a.ndim)
        shape = tuple(1 if i in axes else s for i, s in enumerate(a.shape))
        return out.reshape(shape)
    return out


def _axes(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (int, np.integer)):
        axis = (axis,)
    return tuple(sorted(int(d) % ndim for d in axis))


def _ordered(a, axis):
    """The sum with the reduced axes dropped, or None where PyTorch's order is not known."""
    lanes = _LANES.get(a.dtype)
    if lanes is None or a.size == 0 or not isinstance(a, np.ndarray):
        return None
    if a.size >= _GRAIN:
        return None  # PyTorch may split it between threads; NumPy's sum is far faster
    axes = _axes(axis, a.ndim) if a.ndim else ()
    if not a.flags.c_contiguous:
        if not a.flags.f_contiguous:
            return None
        a = a.T  # same memory, C order: reverse the axes
        axes = tuple(sorted(a.ndim - 1 - d for d in axes))
    kept = [s for i, s in enumerate(a.shape) if i not in axes]
    blocks = _blocks(a.shape, axes)  # (reduced?, size) from the outermost, size-1 dims out
    if not blocks or not any(r for r, _ in blocks):
        return a.astype(a.dtype, copy=True).reshape(kept) + 0  # nothing to add
    if len(blocks) == 1:  # everything reduced
        return _inner(a.reshape(1, -1), lanes)[0].reshape(kept)
    reduced_at = [i for i, (r, _) in enumerate(blocks) if r]
    if reduced_at == [len(blocks) - 1]:  # the innermost run is reduced: one run per row
        return _inner(a.reshape(-1, blocks[-1][1]), lanes).reshape(kept)
    if reduced_at == [len(blocks) - 2]:  # a reduced run of rows with kept columns inside
        rows, cols = blocks[-2][1], blocks[-1][1]
        matrices = a.reshape(-1, rows, cols)
        out = np.stack([_outer(m, lanes) for m in matrices])
        return out.reshape(kept)
    return None


def _blocks(shape, axes):
    """Coalesce the dims (size-1 dims dropped) into runs of reduced or kept dims."""
    blocks = []
    for i, size in enumerate(shape):
        if size == 1:
            continue
        reduced = i in axes
        if blocks and blocks[-1][0] == reduced:
            blocks[-1] = (reduced, blocks[-1][1] * size)
        else:
            blocks.append((reduced, size))
    return blocks


def _sequential(x):
    """Sums along axis 1 of a 3-D array, from 0, one number after another."""
    if x.shape[1] == 0:
        return np.zeros((x.shape[0], x.shape[2]), x.dtype)
    return np.add.accumulate(x, axis=1)[:, -1] + x.dtype.type(0)  # + 0: a -0 sum is +0


def _cascade(x):
    """PyTorch's multi-level sum down axis 0 of x (rows, width): one cascade per column."""
    rows, width = x.shape
    if width == 0:
        return np.zeros(0, x.dtype)
    power = max(4, _ceil_log2(rows) // 4)
    step = 1 << power
    whole = rows // step * step
    level = _sequential(x[:whole].reshape(-1, step, width))  # level 0, one sum per step
    rest = _sequential(x[whole:].reshape(1, -1, width))[0]
    carried = []  # what levels 1 and 2 hold at the end
    for _ in range(2):
        full = len(level) // step * step
        carried.append(_sequential(level[full:].reshape(1, -1, width))[0])
        level = _sequential(level[:full].reshape(-1, step, width))
    top = _sequential(level.reshape(1, -1, width))[0]
    for part in (*carried, top):
        rest = rest + part
    return rest


def _ceil_log2(n):
    return 1 if n <= 2 else int(n - 1).bit_length()


def _row_sum(x):
    """PyTorch's row_sum down axis 0 of x (rows, width): four cascades side by side."""
    rows, width = x.shape
    groups = rows // 4
    if groups:
        parts = _cascade(x[: groups * 4].reshape(groups, 4 * width)).reshape(4, width)
    else:
        parts = np.zeros((4, width), x.dtype)
    total = parts[0]
    for i in range(groups * 4, rows):
        total = total + x[i]
    for k in range(1, 4):
        total = total + parts[k]
    return total


def _inner(x, lanes):
    """Each row of x (rows, n) summed as one contiguous run."""
    rows, n = x.shape
    if n < lanes:
        return _row_sum(np.ascontiguousarray(x.T))
    vectors = n // lanes
    body = x[:, : vectors * lanes].reshape(rows, vectors, lanes)
    lane_sums = _row_sum(body.transpose(1, 0, 2).reshape(vectors, rows * lanes))
    lane_sums = lane_sums.reshape(rows, lanes)
    total = np.zeros(rows, x.dtype)
    for i in range(vectors * lanes, n):
        total = total + x[:, i]
    for k in range(lanes):
        total = total + lane_sums[:, k]
    return total


def _outer(x, lanes):
    """The column sums of x (rows, cols), whose rows are contiguous."""
    rows, cols = x.shape
    out = np.empty(cols, x.dtype)
    if cols < lanes:
        whole = cols // 4 * 4
        out[:whole] = _cascade(x[:, :whole])
        out[whole:] = _row_sum(x[:, whole:])
        return out
    wide = cols // (4 * lanes) * (4 * lanes)
    narrow = wide + (cols - wide) // lanes * lanes
    out[:wide] = _cascade(x[:, :wide])
    out[wide:narrow] = _row_sum(x[:, wide:narrow])
    out[narrow:] = _row_sum(x[:, narrow:])
    return out
