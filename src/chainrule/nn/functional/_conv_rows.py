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

Arrays come in and go out batch-last: (C, *padded spatial, N) for the input side,
(O, *output spatial, N) for the output side. The columns live in the scratch buffer.
"""

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ._scratch import scratch_array


def applies(geo):
    """Whether these kernels take the convolution: two spatial dims (a 1-d one is lifted to
    height 1) and stride 1."""
    return len(geo.kernel) == 2 and geo.stride == (1, 1)


def _columns(xp, geo):
    """xp (C, Hp, Wp, N) -> (groups, C/groups * kw, Hp * ow * N): the width windows of every
    input row, [(c, b), (row, w, n)] = xp[c, row, w + b * dw, n] (scratch)."""
    c, hp, _, n = xp.shape
    kw, dw, ow = geo.kernel[1], geo.dilation[1], geo.y_size[1]
    s_c, s_h, s_w, s_n = xp.strides
    shape = (c, kw, hp, ow, n)
    cols = scratch_array(shape, xp.dtype)
    np.copyto(cols, as_strided(xp, shape, (s_c, dw * s_w, s_h, s_w, s_n), writeable=False))
    g = geo.groups
    return cols.reshape(g, c // g * kw, hp * ow * n)


def _block(cols, geo, a, n):
    """The columns of kernel row a: input rows a * dh .. a * dh + oh - 1 (a view)."""
    oh, ow = geo.y_size
    width = ow * n  # columns per input row
    start = a * geo.dilation[0] * width
    return cols[:, :, start : start + oh * width]


def conv(xp, w, geo):
    """y (O, oh, ow, N) = conv(x, w), x given padded and batch-last (C, Hp, Wp, N)."""
    n = xp.shape[-1]
    o, cg, kh, kw = w.shape
    g = geo.groups
    cols = _columns(xp, geo)
    # per kernel row: (g, O/g, C/g * kw), the weights in the columns' (c, b) order
    wa = np.ascontiguousarray(w.reshape(g, o // g, cg, kh, kw).transpose(3, 0, 1, 2, 4))
    wa = wa.reshape(kh, g, o // g, cg * kw)
    y = np.matmul(wa[0], _block(cols, geo, 0, n))
    if kh > 1:
        term = np.empty_like(y)
        for a in range(1, kh):
            np.matmul(wa[a], _block(cols, geo, a, n), out=term)
            y += term
    return y.reshape(o, *geo.y_size, n)


def conv_weight(xp, yi, geo, w_shape):
    """dW (O, C/groups, kh, kw) from x padded batch-last (C, Hp, Wp, N) and y batch-inner
    (groups, O/groups, oh * ow * N)."""
    n = xp.shape[-1]
    o, cg, kh, kw = w_shape
    g = geo.groups
    cols = _columns(xp, geo)
    dw = np.empty((kh, g, cg * kw, o // g), xp.dtype)
    yt = yi.transpose(0, 2, 1)
    for a in range(kh):
        np.matmul(_block(cols, geo, a, n), yt, out=dw[a])
    # (kh, g, cg, kw, O/g) -> (g, O/g, cg, kh, kw)
    dw = dw.reshape(kh, g, cg, kw, o // g).transpose(1, 4, 2, 0, 3)
    return np.ascontiguousarray(dw).reshape(o, cg, kh, kw)


def conv_transpose(yb, w, geo, padded):
    """The adjoint of conv in x: yb (O, oh, ow, N) batch-last -> the padded input's
    gradient (C, *padded, N)."""
    o, oh, ow, n = yb.shape
    _, cg, kh, kw = w.shape
    g = geo.groups
    og, c = o // g, cg * g
    hp, wp = padded
    dh, dw = geo.dilation
    # yb zero-padded along the width so that every padded input column w reads
    # y[..., w - b * dw] (zero outside the output), for each kernel column b
    reach = (kw - 1) * dw
    yp = np.zeros((o, oh, wp + reach, n), yb.dtype)
    yp[:, :, reach : reach + ow] = yb
    s_o, s_h, s_w, s_n = yp.strides
    shape = (g, og, kw, oh, wp, n)
    strides = (og * s_o, s_o, -dw * s_w, s_h, s_w, s_n)
    cols = scratch_array(shape, yb.dtype)
    np.copyto(cols, as_strided(yp[:, :, reach:], shape, strides, writeable=False))
    # (g, C/g * kh, O/g * kw): the weights in the columns' (o, b) order
    wt = np.ascontiguousarray(w.reshape(g, og, cg, kh, kw).transpose(0, 2, 3, 1, 4))
    rows = np.matmul(wt.reshape(g, cg * kh, og * kw), cols.reshape(g, og * kw, -1))
    rows = rows.reshape(c, kh, oh, wp * n)
    out = np.zeros((c, hp, wp * n), yb.dtype)
    for a in range(kh):
        out[:, a * dh : a * dh + oh] += rows[:, a]
    return out.reshape(c, hp, wp, n)
