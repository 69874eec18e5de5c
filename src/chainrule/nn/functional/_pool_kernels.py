"""Array kernels for pooling: NumPy in, NumPy out, on arrays of shape (..., H, W).

Each kernel sees its input as a stack of planes (P, H, W) and reads one strided
view per kernel offset, in PyTorch's scan order (rows, then columns), so sums
and first-max ties come out as PyTorch's do. The Ops in pooling.py wrap them.
"""

import numpy as np


def _planes(x):
    h, w = x.shape[-2:]
    return x.reshape(-1, h, w)


def _extent(kernel, stride, dilation, out_hw):
    """Rows and columns, from the top-left padding corner, that the windows reach."""
    return tuple(
        (o - 1) * s + (k - 1) * d + 1 for k, s, d, o in zip(kernel, stride, dilation, out_hw)
    )


def _padded(a, fill, padding, extent):
    """a with `padding` rows/columns of `fill` before, and after as many as the windows reach."""
    p, h, w = a.shape
    (ph, pw), (eh, ew) = padding, extent
    rh, rw = max(eh - ph - h, 0), max(ew - pw - w, 0)
    if ph == pw == rh == rw == 0:
        return a
    out = np.full((p, ph + h + rh, pw + w + rw), fill, a.dtype)
    out[:, ph : ph + h, pw : pw + w] = a
    return out


def _offsets(kernel, stride, dilation, out_hw):
    """(row offset, column offset, row slice, column slice) of each kernel offset."""
    (kh, kw), (sh, sw), (dh, dw), (oh, ow) = kernel, stride, dilation, out_hw
    for i in range(kh):
        rows = slice(i * dh, i * dh + sh * (oh - 1) + 1, sh)
        for j in range(kw):
            yield i * dh, j * dw, rows, slice(j * dw, j * dw + sw * (ow - 1) + 1, sw)


def _fill_value(dtype):
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


# -- max -------------------------------------------------------------------------------


def max_pool(x, kernel, stride, padding, dilation, out_hw, want_indices):
    """(values, indices flat within each H*W plane, or None), as PyTorch's kernel finds them:
    scanning each window in row-major order from its first in-bounds place with -inf, a value
    wins if it is greater or NaN (so ties go to the first max, and NaN to the last NaN).

    The window is separable: each row's max over the kernel's columns first, then the max of
    those over the kernel's rows, which picks the same place with kh + kw passes, not kh * kw.
    """
    h, w = x.shape[-2:]
    shape = x.shape[:-2] + tuple(out_hw)
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel, stride, padding, dilation
    oh, ow = out_hw
    fill = _fill_value(x.dtype)
    ap = _padded(_planes(x), fill, padding, _extent(kernel, stride, dilation, out_hw))
    col_views = [ap[:, :, j * dw : j * dw + sw * (ow - 1) + 1 : sw] for j in range(kw)]
    if not want_indices:
        # Values alone: np.maximum propagates NaN as PyTorch's kernel does.
        rows = _reduce_max(col_views)
        row_views = [rows[:, i * dh : i * dh + sh * (oh - 1) + 1 : sh] for i in range(kh)]
        return _reduce_max(row_views).reshape(shape), None
    nan_aware = x.dtype.kind == "f" and bool(np.isnan(ap.min())) if ap.size else False
    left = np.arange(ow) * sw - pw
    first_w = np.where(left < 0, (-left + dw - 1) // dw, 0)  # first in-bounds column offset
    rows, col_at = _scan_max(col_views, fill, first_w[None, None, :], nan_aware)
    top = np.arange(oh) * sh - ph
    first_h = np.where(top < 0, (-top + dh - 1) // dh, 0)
    row_views = [rows[:, i * dh : i * dh + sh * (oh - 1) + 1 : sh] for i in range(kh)]
    # The column offset travels with the row scan, so no gather is needed afterwards.
    col_views = [col_at[:, i * dh : i * dh + sh * (oh - 1) + 1 : sh] for i in range(kh)]
    values, row_at, col = _scan_max(row_views, fill, first_h[None, :, None], nan_aware, col_views)
    idx = row_at.astype(np.int64)
    idx *= dh
    idx += top[:, None]
    idx *= w
    col = col.astype(np.int64)
    col *= dw
    col += left
    idx += col
    return values.reshape(shape), idx.reshape(shape)


def _reduce_max(views):
    if len(views) == 1:
        return views[0]
    out = np.maximum(views[0], views[1])
    for v in views[2:]:
        np.maximum(out, v, out=out)
    return out


def _scan_max(views, fill, first, nan_aware, payload=None):
    """Running max over views, the offset it came from (starting at `first` with `fill`),
    and, if given, payload[offset] alongside. Offsets are updated arithmetically
    (at += m * (k - at)): a masked copy branches on every element and runs several times
    slower on random data."""
    small = np.int8 if len(views) < 128 else np.int64
    at = np.empty(views[0].shape, small)
    at[...] = first
    if not nan_aware and fill == -np.inf and bool((first == 0).all()):
        cur = views[0].copy()  # the first offset is in bounds everywhere: start from it
        rest = enumerate(views[1:], 1)
    else:
        cur = np.full(views[0].shape, fill, views[0].dtype)
        rest = enumerate(views)
    pay = None
    if payload is not None:
        pay = payload[0].copy()
        starts = first.reshape(-1)
        for r in np.nonzero(starts)[0]:  # the few top rows whose window starts in padding
            pay[:, r, :] = payload[starts[r]][:, r, :]
    step = np.empty_like(at)
    for k, v in rest:
        m = v > cur
        if nan_aware:
            m |= np.isnan(v)
        m = m.view(np.int8)  # as a number; multiplying by a bool array is much slower
        np.subtract(small(k), at, out=step)
        step *= m
        at += step
        if pay is not None:
            d = payload[k] - pay
            d *= m
            pay += d
        np.maximum(cur, v, out=cur)  # the value at the new offset (NaN propagates as chosen)
    return (cur, at) if pay is None else (cur, at, pay)


def scatter_planes(g, indices, in_shape, accumulate):
    """Zeros of in_shape with g placed at each plane's flat indices (summed if accumulate)."""
    h, w = in_shape[-2:]
    plane = h * w
    gp = g.reshape(-1, g.shape[-2] * g.shape[-1]) if g.ndim >= 2 else g.reshape(1, -1)
    p = gp.shape[0]
    where = indices.reshape(p, -1) + (np.arange(p, dtype=np.int64) * plane)[:, None]
    out = np.zeros(p * plane, g.dtype)
    if accumulate:
        np.add.at(out, where.ravel(), gp.ravel())
    else:
        out[where.ravel()] = gp.ravel()
    return out.reshape(in_shape)


# -- average ---------------------------------------------------------------------------


def avg_divisor(hw, kernel, stride, padding, out_hw, count_include_pad, divisor_override):
    """The (OH, OW) divisors of avg_pool2d, as PyTorch's kernel counts them."""
    if divisor_override is not None:
        return np.full(out_hw, divisor_override, np.int64)
    pools, counts = [], []
    for size, k, s, p, o in zip(hw, kernel, stride, padding, out_hw):
        start = np.arange(o, dtype=np.int64) * s - p
        end = np.minimum(start + k, size + p)
        pools.append(end - start)
        counts.append(np.minimum(end, size) - np.maximum(start, 0))
    if count_include_pad:
        return pools[0][:, None] * pools[1][None, :]
    d = counts[0][:, None] * counts[1][None, :]
    return np.where(d > 0, d, 1)  # an empty window sums to 0 and stays 0


def _divide(s, divisor):
    if s.dtype.kind == "f":
        s /= divisor.astype(s.dtype)
        return s
    q = np.abs(s) // divisor  # integer division truncates toward zero, as in C++
    return np.where(s < 0, -q, q).astype(s.dtype)


def avg_pool(x, *, kernel, stride, padding, out_hw, divisor):
    """Window sums (zeros for padding) over the divisors."""
    a = _planes(x)
    ap = _padded(a, 0, padding, _extent(kernel, stride, (1, 1), out_hw))
    views = [ap[:, rows, cols] for _, _, rows, cols in _offsets(kernel, stride, (1, 1), out_hw)]
    s = views[0].copy() if len(views) == 1 else views[0] + views[1]
    for v in views[2:]:
        s += v
    return _divide(s, divisor).reshape(x.shape[:-2] + tuple(out_hw))


def avg_pool_transpose(g, in_shape, *, kernel, stride, padding, out_hw, divisor):
    """The adjoint of avg_pool: each g / divisor added over its window."""
    h, w = in_shape[-2:]
    gq = _planes(g) / divisor.astype(g.dtype)
    (ph, pw), (eh, ew) = padding, _extent(kernel, stride, (1, 1), out_hw)
    buf = np.zeros((gq.shape[0], max(ph + h, eh), max(pw + w, ew)), g.dtype)
    for _, _, rows, cols in _offsets(kernel, stride, (1, 1), out_hw):
        buf[:, rows, cols] += gq
    return np.ascontiguousarray(buf[:, ph : ph + h, pw : pw + w]).reshape(in_shape)


# -- adaptive --------------------------------------------------------------------------


def adaptive_bounds(size, o):
    """PyTorch's adaptive windows: [floor(i*size/o), ceil((i+1)*size/o))."""
    i = np.arange(o, dtype=np.int64)
    return (i * size) // o, ((i + 1) * size + o - 1) // o


def _adaptive_offsets(hw, out_hw):
    """For each offset in the largest window: the (clipped) rows and columns it reads and
    which of them lie inside their window. A clipped read repeats the window's last row or
    column, which changes neither a sum (masked) nor a first-max scan."""
    (h, w), (oh, ow) = hw, out_hw
    hs, he = adaptive_bounds(h, oh)
    ws, we = adaptive_bounds(w, ow)
    for i in range(int((he - hs).max())):
        rows = np.minimum(hs + i, he - 1)
        in_h = hs + i < he
        for j in range(int((we - ws).max())):
            yield rows, np.minimum(ws + j, we - 1), in_h, ws + j < we


def _uniform(hw, out_hw):
    return all(o > 0 and s % o == 0 for s, o in zip(hw, out_hw))


def _counts(hw, out_hw, dtype):
    return [(e - s).astype(dtype) for s, e in (adaptive_bounds(n, o) for n, o in zip(hw, out_hw))]


def adaptive_avg(x, out_hw):
    hw = x.shape[-2:]
    shape = x.shape[:-2] + tuple(out_hw)
    if 0 in out_hw:
        return np.zeros(shape, x.dtype)
    a = _planes(x)
    if _uniform(hw, out_hw):
        kernel = (hw[0] // out_hw[0], hw[1] // out_hw[1])
        views = [a[:, r, c] for _, _, r, c in _offsets(kernel, kernel, (1, 1), out_hw)]
        s = views[0].copy() if len(views) == 1 else views[0] + views[1]
        for v in views[2:]:
            s += v
        return (s / kernel[0] / kernel[1]).reshape(shape)
    s = None
    for rows, cols, in_h, in_w in _adaptive_offsets(hw, out_hw):
        v = a[:, rows[:, None], cols[None, :]]
        if not (in_h.all() and in_w.all()):
            v = np.where(in_h[:, None] & in_w[None, :], v, 0)
        if s is None:
            s = v
        else:
            s += v
    ch, cw = _counts(hw, out_hw, x.dtype)
    return (s / ch[:, None] / cw[None, :]).reshape(shape)


def adaptive_avg_transpose(g, in_shape, out_hw):
    hw = in_shape[-2:]
    if 0 in out_hw:
        return np.zeros(in_shape, g.dtype)
    ch, cw = _counts(hw, out_hw, g.dtype)
    gq = _planes(g) / ch[:, None] / cw[None, :]
    p = gq.shape[0]
    if _uniform(hw, out_hw):
        kernel = (hw[0] // out_hw[0], hw[1] // out_hw[1])
        buf = np.zeros((p,) + tuple(hw), g.dtype)
        for _, _, rows, cols in _offsets(kernel, kernel, (1, 1), out_hw):
            buf[:, rows, cols] += gq
        return buf.reshape(in_shape)
    buf = np.zeros((p, hw[0] * hw[1]), g.dtype)
    for rows, cols, in_h, in_w in _adaptive_offsets(hw, out_hw):
        vals = np.where(in_h[:, None] & in_w[None, :], gq, 0).reshape(p, -1)
        np.add.at(buf, (slice(None), (rows[:, None] * hw[1] + cols[None, :]).ravel()), vals)
    return buf.reshape(in_shape)


def adaptive_max(x, out_hw):
    """(values, plane indices, whether windows overlap)."""
    hw = x.shape[-2:]
    shape = x.shape[:-2] + tuple(out_hw)
    if 0 in out_hw:
        return np.zeros(shape, x.dtype), np.zeros(shape, np.int64), False
    if _uniform(hw, out_hw):
        kernel = (hw[0] // out_hw[0], hw[1] // out_hw[1])
        values, idx = max_pool(x, kernel, kernel, (0, 0), (1, 1), out_hw, True)
        return values, idx, False
    a = _planes(x)
    cur = idx = None
    for rows, cols, _, _ in _adaptive_offsets(hw, out_hw):
        v = a[:, rows[:, None], cols[None, :]]
        pos = rows[:, None] * hw[1] + cols[None, :]
        if cur is None:
            cur = v
            idx = np.empty(v.shape, np.int64)
            idx[...] = pos
            continue
        m = v > cur
        m |= np.isnan(v)
        np.copyto(cur, v, where=m)
        np.copyto(idx, pos, where=m)
    return cur.reshape(shape), idx.reshape(shape), True
