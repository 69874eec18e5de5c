"""Array kernels for pooling: NumPy in, NumPy out, on arrays of shape (..., *spatial) with
2 or 3 spatial dims (the length of the kernel or output size says how many).

Each kernel sees its input as a stack of planes (P, *spatial) and reads one strided
view per kernel offset, in PyTorch's scan order (row-major over the window), so sums
and first-max ties come out as PyTorch's do. The Ops in pooling.py wrap them.
"""

import itertools

import numpy as np

from ._scratch import scratch_array


def _planes(x, nd):
    return x.reshape((-1,) + x.shape[x.ndim - nd :])


def _extent(kernel, stride, dilation, out):
    """How far, from the low padding corner, the windows reach along each axis."""
    return tuple((o - 1) * s + (k - 1) * d + 1 for k, s, d, o in zip(kernel, stride, dilation, out))


def _padded(a, fill, padding, extent):
    """a (P, *spatial) with `padding` of `fill` before each axis, and after as much as the
    windows reach."""
    spatial = a.shape[1:]
    after = [max(e - p - n, 0) for e, p, n in zip(extent, padding, spatial)]
    if not any(padding) and not any(after):
        return a
    shape = (a.shape[0],) + tuple(p + n + r for p, n, r in zip(padding, spatial, after))
    out = np.full(shape, fill, a.dtype)
    out[(slice(None),) + tuple(slice(p, p + n) for p, n in zip(padding, spatial))] = a
    return out


def _axis_slice(k, stride, dilation, out):
    return slice(k * dilation, k * dilation + stride * (out - 1) + 1, stride)


def _along(a, axis, where):
    """a[..., where, ...] with `where` on spatial axis `axis` of a (P, *spatial) array."""
    index = [slice(None)] * a.ndim
    index[1 + axis] = where
    return a[tuple(index)]


def _offsets(kernel, stride, dilation, out):
    """The window slices of each kernel offset, in row-major order over the window."""
    for offset in itertools.product(*(range(k) for k in kernel)):
        yield tuple(_axis_slice(k, s, d, o) for k, s, d, o in zip(offset, stride, dilation, out))


def _fill_value(dtype):
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


def _broadcast_on(values, axis, ndim):
    """A 1-d array along spatial axis `axis` of a (P, *spatial) array of ndim dims."""
    shape = [1] * ndim
    shape[1 + axis] = -1
    return values.reshape(shape)


# -- max -------------------------------------------------------------------------------


def max_pool(x, kernel, stride, padding, dilation, out, want_indices):
    """(values, indices flat within each plane, or None), as PyTorch's kernel finds them:
    scanning each window in row-major order from its first in-bounds place with -inf, a value
    wins if it is greater or NaN (so ties go to the first max, and NaN to the last NaN).

    The window is separable: the max over the kernel's last axis first, then over the one
    before it, and so on, which picks the same place with sum(kernel) passes, not
    prod(kernel); the offsets found along the later axes travel with each scan."""
    nd = len(kernel)
    spatial = x.shape[x.ndim - nd :]
    shape = x.shape[: x.ndim - nd] + tuple(out)
    if _tiles(kernel, stride, padding, dilation, out, spatial):
        values, idx = _tiled_max(x, kernel, out, want_indices)
        return values.reshape(shape), None if idx is None else idx.reshape(shape)
    fill = _fill_value(x.dtype)
    cur = _padded(_planes(x, nd), fill, padding, _extent(kernel, stride, dilation, out))
    axes = range(nd - 1, -1, -1)
    if not want_indices:
        # Values alone: np.maximum propagates NaN as PyTorch's kernel does.
        for ax in axes:
            slices = [_axis_slice(k, stride[ax], dilation[ax], out[ax]) for k in range(kernel[ax])]
            cur = _reduce_max([_along(cur, ax, s) for s in slices])
        return cur.reshape(shape), None
    nan_aware = x.dtype.kind == "f" and bool(np.isnan(cur.min())) if cur.size else False
    starts = [np.arange(o) * s - p for o, s, p in zip(out, stride, padding)]
    found = {}  # axis -> the offset chosen along it, shaped like cur
    for ax in axes:
        start, d = starts[ax], dilation[ax]
        first = np.where(start < 0, (-start + d - 1) // d, 0)  # first in-bounds offset
        slices = [_axis_slice(k, stride[ax], d, out[ax]) for k in range(kernel[ax])]
        views = [_along(cur, ax, s) for s in slices]
        carried = [[_along(found[a], ax, s) for s in slices] for a in sorted(found)]
        cur, at, carried = _scan_max(views, fill, first, ax, nan_aware, carried)
        found = dict(zip(sorted(found), carried))
        found[ax] = at
    idx = None
    for ax in range(nd):
        start = _broadcast_on(starts[ax], ax, cur.ndim)
        pos = found[ax].astype(np.int64)
        pos *= dilation[ax]
        pos += start
        if idx is None:
            idx = pos
        else:
            idx *= spatial[ax]
            idx += pos
    return cur.reshape(shape), idx.reshape(shape)


def _tiles(kernel, stride, padding, dilation, out, spatial):
    """Whether the windows tile the input: side by side (stride = kernel), undilated,
    unpadded and all in bounds (a ceil_mode window hanging over the edge is not)."""
    return (
        tuple(stride) == tuple(kernel)
        and not any(padding)
        and all(d == 1 for d in dilation)
        and all(o * k <= n for o, k, n in zip(out, kernel, spatial))
        and 0 not in tuple(out)
    )


def _by_offset(x, kernel, out):
    """The windows of x (..., *spatial) regrouped as (prod(kernel), planes, *out), one
    contiguous slab per kernel offset in row-major order (scratch: valid until the next
    kernel call). The general scan reads each offset through a view strided by the
    kernel, on which every NumPy pass runs several times slower than on contiguous data;
    here one copy pays that stride once."""
    nd = len(kernel)
    a = _planes(x, nd)
    a = a[(slice(None),) + tuple(slice(0, o * k) for o, k in zip(out, kernel))]
    split = a.reshape((a.shape[0],) + tuple(v for o, k in zip(out, kernel) for v in (o, k)))
    order = tuple(2 + 2 * i for i in range(nd)) + (0,) + tuple(1 + 2 * i for i in range(nd))
    slabs = scratch_array(tuple(kernel) + (a.shape[0],) + tuple(out), x.dtype)
    np.copyto(slabs, split.transpose(order))
    return slabs.reshape((_prod(kernel), a.shape[0]) + tuple(out))


_WIDTHS = ((np.int8, 127), (np.int16, 32767), (np.int32, 2**31 - 1), (np.int64, 2**63 - 1))


def _tiled_max(x, kernel, out, want_indices):
    """max_pool when the windows tile the input: the same first-max scan over the window
    in row-major order, on contiguous slabs. Returns (values, indices or None) over
    (planes, *out)."""
    slabs = _by_offset(x, kernel, out)
    if not want_indices:
        return (slabs[0].copy() if len(slabs) == 1 else _reduce_max(list(slabs))), None
    nd = len(kernel)
    spatial = x.shape[x.ndim - nd :]
    row = [_prod(spatial[i + 1 :]) for i in range(nd)]  # plane elements per step on axis i
    # Each offset's place in the plane relative to the window's corner, row-major.
    places = [
        sum(i * r for i, r in zip(offset, row))
        for offset in itertools.product(*(range(n) for n in kernel))
    ]
    # The chosen place is tracked in the narrowest integer type that holds it: the scan's
    # arithmetic runs at that width, and no lookup table is read afterwards.
    small = next(t for t, top in _WIDTHS if places[-1] <= top)
    nan_aware = x.dtype.kind == "f" and slabs.size > 0 and bool(np.isnan(slabs.min()))
    cur = slabs[0].copy()
    at = np.zeros(cur.shape, small)  # places[0] is the corner itself
    step = np.empty_like(at)
    for k in range(1, len(slabs)):
        v = slabs[k]
        m = v > cur
        if nan_aware:
            m |= np.isnan(v)
        np.subtract(small(places[k]), at, out=step)
        step *= m.view(np.int8)
        at += step
        np.maximum(cur, v, out=cur)  # the value at the new place (NaN propagates)
    idx = at.astype(np.int64)
    for i in range(nd):  # plus the window's corner
        idx += _broadcast_on(np.arange(out[i], dtype=np.int64) * (kernel[i] * row[i]), i, idx.ndim)
    return cur, idx


def _prod(sizes):
    out = 1
    for v in sizes:
        out *= v
    return out


def _reduce_max(views):
    if len(views) == 1:
        return views[0]
    out = np.maximum(views[0], views[1])
    for v in views[2:]:
        np.maximum(out, v, out=out)
    return out


def _scan_max(views, fill, first, axis, nan_aware, carried):
    """Running max over views, the offset it came from (starting at `first`, a 1-d array
    along spatial axis `axis`, with `fill`), and each carried array (a list of views per
    offset) read at the chosen offset. Offsets are updated arithmetically
    (at += m * (k - at)): a masked copy branches on every element and runs several times
    slower on random data."""
    ndim = views[0].ndim
    small = np.int8 if len(views) < 128 else np.int64
    at = np.empty(views[0].shape, small)
    at[...] = _broadcast_on(first, axis, ndim)
    if not nan_aware and fill == -np.inf and not first.any():
        cur = views[0].copy()  # the first offset is in bounds everywhere: start from it
        rest = enumerate(views[1:], 1)
    else:
        cur = np.full(views[0].shape, fill, views[0].dtype)
        rest = enumerate(views)
    pays = []
    for per_offset in carried:
        pay = per_offset[0].copy()
        for r in np.nonzero(first)[0]:  # the few windows that start in the padding
            _along(pay, axis, r)[...] = _along(per_offset[first[r]], axis, r)
        pays.append(pay)
    step = np.empty_like(at)
    for k, v in rest:
        m = v > cur
        if nan_aware:
            m |= np.isnan(v)
        m = m.view(np.int8)  # as a number; multiplying by a bool array is much slower
        np.subtract(small(k), at, out=step)
        step *= m
        at += step
        for pay, per_offset in zip(pays, carried):
            d = per_offset[k] - pay
            d *= m
            pay += d
        np.maximum(cur, v, out=cur)  # the value at the new offset (NaN propagates as chosen)
    return cur, at, pays


def scatter_planes(g, indices, in_shape, accumulate, nd=2):
    """Zeros of in_shape with g placed at each plane's flat indices (summed if accumulate)."""
    if g.size == 0:  # no windows (an empty batch): nothing to place
        return np.zeros(in_shape, g.dtype)
    plane = int(np.prod(in_shape[len(in_shape) - nd :]))
    per = int(np.prod(g.shape[g.ndim - nd :])) if g.ndim >= nd else g.size
    gp = g.reshape(-1, per)
    p = gp.shape[0]
    where = indices.reshape(p, -1) + (np.arange(p, dtype=np.int64) * plane)[:, None]
    out = np.zeros(p * plane, g.dtype)
    if accumulate:
        np.add.at(out, where.ravel(), gp.ravel())
    else:
        out[where.ravel()] = gp.ravel()
    return out.reshape(in_shape)


# -- average ---------------------------------------------------------------------------


def _outer(factors):
    """The product of per-axis 1-d arrays over the grid of all axes."""
    out = factors[0]
    for f in factors[1:]:
        out = np.multiply.outer(out, f)
    return out


def avg_divisor(spatial, kernel, stride, padding, out, count_include_pad, divisor_override):
    """The divisors of avg_pool over the output grid, as PyTorch's kernel counts them."""
    if divisor_override is not None:
        return np.full(out, divisor_override, np.int64)
    pools, counts = [], []
    for size, k, s, p, o in zip(spatial, kernel, stride, padding, out):
        start = np.arange(o, dtype=np.int64) * s - p
        end = np.minimum(start + k, size + p)
        pools.append(end - start)
        counts.append(np.minimum(end, size) - np.maximum(start, 0))
    if count_include_pad:
        return _outer(pools)
    d = _outer(counts)
    return np.where(d > 0, d, 1)  # an empty window sums to 0 and stays 0


def _divide(s, divisor):
    if s.dtype.kind == "f":
        s /= divisor.astype(s.dtype)
        return s
    q = np.abs(s) // divisor  # integer division truncates toward zero, as in C++
    return np.where(s < 0, -q, q).astype(s.dtype)


def _sum_views(views):
    s = views[0].copy() if len(views) == 1 else views[0] + views[1]
    for v in views[2:]:
        s += v
    return s


def avg_pool(x, *, kernel, stride, padding, out, divisor):
    """Window sums (zeros for padding) over the divisors."""
    nd = len(kernel)
    ones = (1,) * nd
    ap = _padded(_planes(x, nd), 0, padding, _extent(kernel, stride, ones, out))
    every = slice(None)
    s = _sum_views([ap[(every, *w)] for w in _offsets(kernel, stride, ones, out)])
    return _divide(s, divisor).reshape(x.shape[: x.ndim - nd] + tuple(out))


def avg_pool_transpose(g, in_shape, *, kernel, stride, padding, out, divisor):
    """The adjoint of avg_pool: each g / divisor added over its window."""
    nd = len(kernel)
    spatial = in_shape[len(in_shape) - nd :]
    gq = _planes(g, nd) / divisor.astype(g.dtype)
    extent = _extent(kernel, stride, (1,) * nd, out)
    buf = np.zeros(
        (gq.shape[0],) + tuple(max(p + n, e) for p, n, e in zip(padding, spatial, extent)),
        g.dtype,
    )
    every = slice(None)
    for w in _offsets(kernel, stride, (1,) * nd, out):
        buf[(every, *w)] += gq
    inner = tuple(slice(p, p + n) for p, n in zip(padding, spatial))
    return np.ascontiguousarray(buf[(every, *inner)]).reshape(in_shape)


# -- adaptive --------------------------------------------------------------------------


def adaptive_bounds(size, o):
    """PyTorch's adaptive windows: [floor(i*size/o), ceil((i+1)*size/o))."""
    i = np.arange(o, dtype=np.int64)
    return (i * size) // o, ((i + 1) * size + o - 1) // o


def _adaptive_offsets(spatial, out):
    """For each offset in the largest window (row-major): per axis, the (clipped) positions
    it reads and whether they lie inside their window. A clipped read repeats the window's
    last position, which changes neither a sum (masked) nor a first-max scan."""
    per_axis = []
    for n, o in zip(spatial, out):
        start, end = adaptive_bounds(n, o)
        per_axis.append(
            [
                (np.minimum(start + i, end - 1), start + i < end)
                for i in range(int((end - start).max()))
            ]
        )
    yield from itertools.product(*per_axis)


def _grid(arrays):
    """Per-axis 1-d arrays (indices or masks) as an open grid over all axes, each shaped to
    broadcast along its own axis (as np.ix_ does for indices, and for masks too)."""
    n = len(arrays)
    return tuple(a.reshape((1,) * i + (-1,) + (1,) * (n - i - 1)) for i, a in enumerate(arrays))


def _uniform(spatial, out):
    return all(o > 0 and s % o == 0 for s, o in zip(spatial, out))


def _counts(spatial, out, dtype):
    return [(e - s).astype(dtype) for s, e in (adaptive_bounds(n, o) for n, o in zip(spatial, out))]


def adaptive_avg(x, out):
    nd = len(out)
    spatial = x.shape[x.ndim - nd :]
    shape = x.shape[: x.ndim - nd] + tuple(out)
    if 0 in out:
        return np.zeros(shape, x.dtype)
    a = _planes(x, nd)
    every = slice(None)
    if _uniform(spatial, out):
        kernel = tuple(n // o for n, o in zip(spatial, out))
        s = _sum_views([a[(every, *w)] for w in _offsets(kernel, kernel, (1,) * nd, out)])
        for k in kernel:
            s = s / k
        return s.reshape(shape)
    s = None
    for reads in _adaptive_offsets(spatial, out):
        v = a[(every, *_grid([r for r, _ in reads]))]
        inside = _grid([i for _, i in reads])
        mask = inside[0]
        for m in inside[1:]:
            mask = mask & m
        if not mask.all():
            v = np.where(mask, v, 0)
        if s is None:
            s = v
        else:
            s += v
    for axis, c in enumerate(_counts(spatial, out, x.dtype)):
        s = s / _broadcast_on(c, axis, s.ndim)
    return s.reshape(shape)


def adaptive_avg_transpose(g, in_shape, out):
    nd = len(out)
    spatial = in_shape[len(in_shape) - nd :]
    if 0 in out or 0 in in_shape or g.size == 0:  # nothing pooled, or no planes: nothing to spread
        return np.zeros(in_shape, g.dtype)
    gq = _planes(g, nd)
    for axis, c in enumerate(_counts(spatial, out, g.dtype)):
        gq = gq / _broadcast_on(c, axis, gq.ndim)
    p = gq.shape[0]
    every = slice(None)
    if _uniform(spatial, out):
        kernel = tuple(n // o for n, o in zip(spatial, out))
        buf = np.zeros((p,) + tuple(spatial), g.dtype)
        for w in _offsets(kernel, kernel, (1,) * nd, out):
            buf[(every, *w)] += gq
        return buf.reshape(in_shape)
    buf = np.zeros((p, int(np.prod(spatial))), g.dtype)
    strides = [int(np.prod(spatial[i + 1 :])) for i in range(nd)]
    for reads in _adaptive_offsets(spatial, out):
        inside = _grid([i for _, i in reads])
        mask = inside[0]
        for m in inside[1:]:
            mask = mask & m
        flat = sum(r * st for r, st in zip(_grid([r for r, _ in reads]), strides))
        vals = np.where(mask, gq, 0).reshape(p, -1)
        np.add.at(buf, (every, np.broadcast_to(flat, mask.shape).ravel()), vals)
    return buf.reshape(in_shape)


def adaptive_max(x, out):
    """(values, plane indices, whether windows overlap)."""
    nd = len(out)
    spatial = x.shape[x.ndim - nd :]
    shape = x.shape[: x.ndim - nd] + tuple(out)
    if 0 in out:
        return np.zeros(shape, x.dtype), np.zeros(shape, np.int64), False
    if _uniform(spatial, out):
        kernel = tuple(n // o for n, o in zip(spatial, out))
        values, idx = max_pool(x, kernel, kernel, (0,) * nd, (1,) * nd, out, True)
        return values, idx, False
    a = _planes(x, nd)
    strides = [int(np.prod(spatial[i + 1 :])) for i in range(nd)]
    cur = idx = None
    every = slice(None)
    for reads in _adaptive_offsets(spatial, out):
        rows = _grid([r for r, _ in reads])
        v = a[(every, *rows)]
        pos = sum(r * st for r, st in zip(rows, strides))
        if cur is None:
            cur = v
            idx = np.empty(v.shape, np.int64)
            idx[...] = pos
            continue
        m = v > cur
        m |= np.isnan(v)
        np.copyto(cur, v, where=m)
        np.copyto(idx, np.broadcast_to(pos, v.shape), where=m)
    return cur.reshape(shape), idx.reshape(shape), True
