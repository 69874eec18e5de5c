"""Convolution kernels that gather windows along the width only (batch-last layout, 2-d,
stride 1): the same three products as conv.py's full im2col, with a third to a fifth of
its copying.

Full im2col copies every input element kh * kw times into columns (C * kh * kw, positions
* N). With stride 1 along the height, the kernel row `a` of every output row `h` reads
input row h + a * dh, so one set of width-only columns (C * kw, input rows * ow * N)
serves every kernel row: the columns of kernel row `a` are the contiguous block that
starts at input row a * dh. Each kernel row is then one matmul on a view of that block
(BLAS reads it in place through its leading dimension):

- conv: y = sum over a of W[:, :, a, :] @ block(a);
- weight gradient: dW[:, :, a, :] = block(a) @ y^T, one product per kernel row;
- input gradient (the adjoint): width-only columns of the output gradient
  (O * kw, output rows * padded width * N), one matmul with every kernel row's weights,
  then kh row-block adds into the padded input, each over contiguous memory, where full
  col2im does kh * kw strided ones.

Arrays come in and go out batch-first, as conv.py's kernels take and give them; inside,
the padded input, the columns and every other temporary live in the scratch buffer.
"""

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ._scratch import scratch_arrays


def applies(geo):
    """Whether these kernels take the convolution: two spatial dims (a 1-d one is lifted to
    height 1) and stride 1."""
    return len(geo.kernel) == 2 and geo.stride == (1, 1)


def _padded_shape(geo):
    return tuple(n + a + b for n, a, b in zip(geo.x_size, geo.pad_lo, geo.pad_hi))


def _fill_padded(xp, x, geo):
    """xp (C, Hp, Wp, N) <- x (N, C, H, W) zero-padded, moved to batch-last."""
    (h, w), (top, left) = geo.x_size, geo.pad_lo
    if any(geo.pad_lo) or any(geo.pad_hi):
        xp.fill(0)
    np.copyto(xp[:, top : top + h, left : left + w], np.moveaxis(x, 0, -1))


def _column_shape(c, geo, n):
    hp = _padded_shape(geo)[0]
    return (c, geo.kernel[1], hp, geo.y_size[1], n)


def _fill_columns(cols, xp, geo):
    """cols (C, kw, Hp, ow, N) <- the width windows of every input row:
    [c, b, row, w, n] = xp[c, row, w + b * dw, n]. Returned as (groups, C/groups * kw,
    Hp * ow * N), the matrix whose column blocks _block picks."""
    s_c, s_h, s_w, s_n = xp.strides
    dw = geo.dilation[1]
    view = as_strided(xp, cols.shape, (s_c, dw * s_w, s_h, s_w, s_n), writeable=False)
    np.copyto(cols, view)
    g = geo.groups
    c, kw = cols.shape[:2]
    return cols.reshape(g, c // g * kw, -1)


def _block(cols, geo, a, n):
    """The columns of kernel row a: input rows a * dh .. a * dh + oh - 1 (a view)."""
    oh, ow = geo.y_size
    width = ow * n  # columns per input row
    start = a * geo.dilation[0] * width
    return cols[:, :, start : start + oh * width]


def conv(x, w, geo):
    """y (N, O, oh, ow) = conv(x, w) for x (N, C, H, W)."""
    n, c = x.shape[:2]
    o, cg, kh, kw = w.shape
    g = geo.groups
    oh, ow = geo.y_size
    xp, cols, y, term = scratch_arrays(
        ((c, *_padded_shape(geo), n), x.dtype),
        (_column_shape(c, geo, n), x.dtype),
        ((g, o // g, oh * ow * n), x.dtype),
        ((g, o // g, oh * ow * n), x.dtype),
    )
    _fill_padded(xp, x, geo)
    cols = _fill_columns(cols, xp, geo)
    # per kernel row: (g, O/g, C/g * kw), the weights in the columns' (c, b) order
    wa = np.ascontiguousarray(w.reshape(g, o // g, cg, kh, kw).transpose(3, 0, 1, 2, 4))
    wa = wa.reshape(kh, g, o // g, cg * kw)
    np.matmul(wa[0], _block(cols, geo, 0, n), out=y)
    for a in range(1, kh):
        np.matmul(wa[a], _block(cols, geo, a, n), out=term)
        y += term
    # a copy always (ascontiguousarray would return a view of the scratch when N = 1)
    return np.moveaxis(y.reshape(o, oh, ow, n), -1, 0).copy()


def conv_weight(x, dy, geo):
    """dW (O, C/groups, kh, kw) from x (N, C, H, W) and the output gradient dy."""
    n, c = x.shape[:2]
    o = dy.shape[1]
    g = geo.groups
    cg, og = c // g, o // g
    kh, kw = geo.kernel
    oh, ow = geo.y_size
    xp, cols, yi = scratch_arrays(
        ((c, *_padded_shape(geo), n), x.dtype),
        (_column_shape(c, geo, n), x.dtype),
        ((g, og, oh * ow * n), dy.dtype),
    )
    _fill_padded(xp, x, geo)
    cols = _fill_columns(cols, xp, geo)
    np.copyto(yi.reshape(o, oh, ow, n), np.moveaxis(dy, 0, -1))
    dw = np.empty((kh, g, cg * kw, og), x.dtype)
    yt = yi.transpose(0, 2, 1)
    for a in range(kh):
        np.matmul(_block(cols, geo, a, n), yt, out=dw[a])
    # (kh, g, cg, kw, O/g) -> (g, O/g, cg, kh, kw)
    dw = dw.reshape(kh, g, cg, kw, og).transpose(1, 4, 2, 0, 3)
    return np.ascontiguousarray(dw).reshape(o, cg, kh, kw)


def conv_transpose(dy, w, geo):
    """The adjoint of conv in x: dy (N, O, oh, ow) -> (N, C, H, W)."""
    n, o, oh, ow = dy.shape
    _, cg, kh, kw = w.shape
    g = geo.groups
    og, c = o // g, cg * g
    hp, wp = _padded_shape(geo)
    dh, dw = geo.dilation
    reach = (kw - 1) * dw
    yp, cols, rows, out = scratch_arrays(
        ((o, oh, wp + reach, n), dy.dtype),
        ((g, og, kw, oh, wp, n), dy.dtype),
        ((g, cg * kh, oh * wp * n), dy.dtype),
        ((c, hp, wp * n), dy.dtype),
    )
    # dy zero-padded along the width so that every padded input column w reads
    # dy[..., w - b * dw] (zero outside the output), for each kernel column b
    yp[:, :, :reach] = 0
    yp[:, :, reach + ow :] = 0
    np.copyto(yp[:, :, reach : reach + ow], np.moveaxis(dy, 0, -1))
    s_o, s_h, s_w, s_n = yp.strides
    strides = (og * s_o, s_o, -dw * s_w, s_h, s_w, s_n)
    np.copyto(cols, as_strided(yp[:, :, reach:], cols.shape, strides, writeable=False))
    # (g, C/g * kh, O/g * kw): the weights in the columns' (o, b) order
    wt = np.ascontiguousarray(w.reshape(g, og, cg, kh, kw).transpose(0, 2, 3, 1, 4))
    np.matmul(wt.reshape(g, cg * kh, og * kw), cols.reshape(g, og * kw, -1), out=rows)
    rows = rows.reshape(c, kh, oh, wp * n)
    out.fill(0)
    for a in range(kh):
        out[:, a * dh : a * dh + oh] += rows[:, a]
    (h, width), (top, left) = geo.x_size, geo.pad_lo
    inner = out.reshape(c, hp, wp, n)[:, top : top + h, left : left + width]
    return np.moveaxis(inner, -1, 0).copy()  # a copy, never a view of the scratch
