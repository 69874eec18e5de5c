"""Functional forms: conv1d, conv2d, conv_transpose1d, conv_transpose2d.

A convolution is one bilinear form <conv(X, W), Y> read three ways, so two
primitives carry every derivative:

- `Convolution` (PyTorch's ConvolutionBackward0): Y = conv(X, W) + b, or, with
  transposed=True, X = conv_transpose(Y, W) + b, the adjoint of conv in X;
- `ConvolutionWeight`: W = the adjoint of conv in W, given X and Y.

The gradient of each is the other two, so every backward is again made of
these ops and can be differentiated once more. `_Geometry` fixes the shapes
(X's spatial size, kernel, stride, dilation, padding before and after) so the
adjoints always land on the exact shape. One-dimensional convolutions run as
two-dimensional ones of height 1.

The kernels on arrays: conv gathers the sliding windows (a strided view,
copied once) into columns and multiplies them by the weight in one matmul per
group (batched over the images in the batch-first layout); the weight gradient
gathers the same columns again and multiplies them by the output gradient;
conv_transpose multiplies the weight by the gradient in one matmul and adds the
columns back into place, one slice add per kernel offset. Two column layouts
(`_batch_last`): the batch innermost, so gathers and adds run over rows of
wo * n contiguous elements (small images, many channels), or the batch
outermost, which saves transposing large outputs (large images, few
channels). The columns live in a per-thread scratch buffer (`_scratch_array`).
"""

import threading
import warnings
from collections import namedtuple

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ... import dtypes
from ...ops.op import NULL_CTX, Op, apply
from ...tensor import Tensor
from .padding import pad

__all__ = ["conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d"]

_Geometry = namedtuple(
    "_Geometry", "dims groups stride dilation pad_lo pad_hi x_size kernel y_size"
)


def _lift(a, dims):
    """A 1-d convolution's array as the 2-d one of height 1 (a view)."""
    return a[:, :, None, :] if dims == 1 else a


def _drop(a, dims):
    return a[:, :, 0, :] if dims == 1 else a


_scratch = threading.local()
_SCRATCH_MAX = 32 << 20  # bytes; larger columns are allocated for each call


def _scratch_array(shape, dtype):
    """An uninitialised array, over this thread's scratch buffer when it is small enough.

    The columns are the largest arrays of a convolution and live only inside one kernel
    call. Allocated afresh, they come back from the allocator as new pages from the OS on
    every training step (in LeNet's step the page faults cost more than the copies that
    fill them), so they reuse one buffer. Nothing returned by a kernel may view it.
    """
    nbytes = int(np.prod(shape)) * dtype.itemsize
    if nbytes > _SCRATCH_MAX:
        return np.empty(shape, dtype)
    buf = getattr(_scratch, "buf", None)
    if buf is None or buf.nbytes < nbytes:
        buf = _scratch.buf = np.empty(nbytes, np.uint8)
    return buf[:nbytes].view(dtype).reshape(shape)


def _batch_last(geo, n, c, o):
    """Which column layout a convolution of these shapes uses (a pure function of the
    shapes, so the forward pass and every backward pass agree).

    Gathering windows copies the columns in runs of one output row (wo elements); with the
    batch as the innermost axis the runs are wo * n long, at the price of transposing the
    input and the output (element by element). Measured on NumPy, a copy costs about
    8 / run + 1/4 units per element and a transpose about 2: batch-last wins when the
    columns are large next to the input and output and the rows are short (LeNet's second
    convolution), batch-first when the output is the larger (its first).
    """
    kh, kw = geo.kernel
    ho, wo = geo.y_size
    h, w = geo.x_size
    return 4 * c * kh * kw * ho > c * h * w + o * ho * wo


def _padded(x, geo, last):
    """x (N, C, H, W) zero-padded; batch-last: as (C, Hp, Wp, N), in one copy."""
    n, c, h, w = x.shape
    (ph0, pw0), (ph1, pw1) = geo.pad_lo, geo.pad_hi
    if not (ph0 or ph1 or pw0 or pw1):
        return np.ascontiguousarray(x.transpose(1, 2, 3, 0)) if last else x
    hp, wp = h + ph0 + ph1, w + pw0 + pw1
    if last:
        xp = np.zeros((c, hp, wp, n), x.dtype)
        xp[:, ph0 : ph0 + h, pw0 : pw0 + w] = x.transpose(1, 2, 3, 0)
    else:
        xp = np.zeros((n, c, hp, wp), x.dtype)
        xp[:, :, ph0 : ph0 + h, pw0 : pw0 + w] = x
    return xp


def _windows(x, geo, last):
    """im2col: x (N, C, H, W) -> columns, (groups, C/groups*kh*kw, Ho*Wo*N) with the batch
    innermost when `last`, else (N, groups, C/groups*kh*kw, Ho*Wo); in the scratch buffer,
    so valid until the next call."""
    n, c = x.shape[:2]
    xp = _padded(x, geo, last)
    g = geo.groups
    cg = c // g
    kh, kw = geo.kernel
    ho, wo = geo.y_size
    sh, sw = geo.stride
    dh, dw = geo.dilation
    if last:
        s_c, s_h, s_w, s_n = xp.strides
        shape = (g, cg, kh, kw, ho, wo, n)
        strides = (s_c * cg, s_c, dh * s_h, dw * s_w, sh * s_h, sw * s_w, s_n)
        flat = (g, cg * kh * kw, ho * wo * n)
    else:
        s_n, s_c, s_h, s_w = xp.strides
        shape = (n, g, cg, kh, kw, ho, wo)
        strides = (s_n, s_c * cg, s_c, dh * s_h, dw * s_w, sh * s_h, sw * s_w)
        flat = (n, g, cg * kh * kw, ho * wo)
    cols = _scratch_array(shape, x.dtype)
    np.copyto(cols, as_strided(xp, shape, strides, writeable=False))
    return cols.reshape(flat)


def _batch_inner(y, g):
    """y (N, O, Ho, Wo) as (groups, O/groups, Ho*Wo*N), contiguous."""
    return np.ascontiguousarray(y.transpose(1, 2, 3, 0)).reshape(g, y.shape[1] // g, -1)


def _conv(x, w, geo):
    """Y = conv(X, W) on 4-d arrays."""
    n, c = x.shape[:2]
    o = w.shape[0]
    g = geo.groups
    last = _batch_last(geo, n, c, o)
    cols = _windows(x, geo, last)
    y = np.matmul(w.reshape(g, o // g, -1), cols)
    if last:
        # One matmul per group over every position of every image, then the batch
        # goes back to the front.
        return np.ascontiguousarray(y.reshape(o, *geo.y_size, n).transpose(3, 0, 1, 2))
    return y.reshape(n, o, *geo.y_size)


def _conv_transpose(y, w, geo):
    """X = conv_transpose(Y, W) on 4-d arrays: the adjoint of conv in X (col2im): one
    matmul, then the columns are added back into place, one slice add per kernel offset."""
    n, o = y.shape[:2]
    g = geo.groups
    og = o // g
    c = w.shape[1] * g
    kh, kw = geo.kernel
    ho, wo = geo.y_size
    h, wd = geo.x_size
    (ph0, pw0), (ph1, pw1) = geo.pad_lo, geo.pad_hi
    sh, sw = geo.stride
    dh, dw = geo.dilation
    hp, wp = h + ph0 + ph1, wd + pw0 + pw1
    wt = w.reshape(g, og, -1).transpose(0, 2, 1)
    last = _batch_last(geo, n, c, o)
    if last:
        # Each add below runs over rows of wo * n contiguous elements.
        cols = _scratch_array((g, wt.shape[1], ho * wo * n), y.dtype)
        np.matmul(wt, _batch_inner(y, g), out=cols)
        cols = cols.reshape(c, kh, kw, ho, wo, n)
        out = np.zeros((c, hp, wp, n), cols.dtype)
        body = out
    else:
        cols = _scratch_array((n, g, wt.shape[1], ho * wo), y.dtype)
        np.matmul(wt, y.reshape(n, g, og, ho * wo), out=cols)
        cols = cols.reshape(n, c, kh, kw, ho, wo)
        out = np.zeros((n, c, hp, wp), cols.dtype)
        body = out.transpose(1, 2, 3, 0)  # the same (C, H, W, N) indexing as batch-last
        cols = cols.transpose(1, 2, 3, 4, 5, 0)
    for i in range(kh):
        rows = slice(i * dh, i * dh + sh * (ho - 1) + 1, sh)
        for j in range(kw):
            body[:, rows, j * dw : j * dw + sw * (wo - 1) + 1 : sw] += cols[:, i, j]
    if last:
        out = out[:, ph0 : ph0 + h, pw0 : pw0 + wd].transpose(3, 0, 1, 2)
    else:
        out = out[:, :, ph0 : ph0 + h, pw0 : pw0 + wd]
    return np.ascontiguousarray(out)


def _conv_weight(x, y, geo):
    """W = the adjoint of conv in W: sum over batch and positions of y times x's windows."""
    n, c = x.shape[:2]
    o = y.shape[1]
    g = geo.groups
    og = o // g
    last = _batch_last(geo, n, c, o)
    cols = _windows(x, geo, last)
    if last:
        dw = np.matmul(cols, _batch_inner(y, g).transpose(0, 2, 1))  # (g, Cg*kh*kw, O/g)
    else:
        ys = y.reshape(n, g, og, -1)
        dw = np.matmul(cols, ys.transpose(0, 1, 3, 2)).sum(0)
    return np.ascontiguousarray(dw.transpose(0, 2, 1)).reshape(o, c // g, *geo.kernel)


class Convolution(Op):
    name = "ConvolutionBackward0"
    formula = (
        "y = conv(x, w) + b: dx = conv_transpose(g, w), dw = conv_weight(x, g), db = sum(g); "
        "transposed: dx = conv(g, w), dw = conv_weight(g, x)"
    )

    @staticmethod
    def forward(ctx, x, w, b, *, geo, transposed):
        dims = geo.dims
        x4, w4 = _lift(x, dims), _lift(w, dims)
        if transposed:
            out = _conv_transpose(x4, w4, geo)
        else:
            out = _conv(x4, w4, geo)
        if b is not None:
            out += b.reshape(1, -1, 1, 1)
        if ctx is not NULL_CTX:
            ctx.save_for_backward(x, w)
            ctx.geo, ctx.transposed = geo, transposed
        return _drop(out, dims)

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        geo, transposed = ctx.geo, ctx.transposed
        needs = ctx.needs_input_grad
        dx = dw = db = None
        kw = {"geo": geo, "transposed": not transposed}
        if needs[0]:
            dx = apply(Convolution, (grad, w, None), kw, "ConvolutionBackwardBackward0")
        if needs[1]:
            if transposed:
                dw = apply(ConvolutionWeight, (grad, x), {"geo": geo})
            else:
                dw = apply(ConvolutionWeight, (x, grad), {"geo": geo})
        if len(needs) > 2 and needs[2]:
            db = grad.sum((0, 2) if geo.dims == 1 else (0, 2, 3))
        return dx, dw, db


class ConvolutionWeight(Op):
    name = "ConvolutionBackwardBackward0"
    formula = "w = conv_weight(x, y): dx = conv_transpose(y, g), dy = conv(x, g)"

    @staticmethod
    def forward(ctx, x, y, *, geo):
        dims = geo.dims
        out = _conv_weight(_lift(x, dims), _lift(y, dims), geo)
        if ctx is not NULL_CTX:
            ctx.save_for_backward(x, y)
            ctx.geo = geo
        return _drop(out, dims)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        geo = ctx.geo
        needs = ctx.needs_input_grad
        dx = dy = None
        if needs[0]:
            kw = {"geo": geo, "transposed": True}
            dx = apply(Convolution, (y, grad, None), kw, "ConvolutionBackwardBackward0")
        if needs[1]:
            kw = {"geo": geo, "transposed": False}
            dy = apply(Convolution, (x, grad, None), kw, "ConvolutionBackwardBackward0")
        return dx, dy


# -- argument checks, in PyTorch's order and words ---------------------------------------


def _as_list(v, dims):
    """An int repeats for each spatial dim (as PyTorch's bindings do); sequences stay."""
    if isinstance(v, Tensor):
        v = v.tolist()
    if isinstance(v, (list, tuple)):
        return [int(i) for i in v]
    return [int(v)] * dims


def _expand(values, name, dim):
    if len(values) == 1:
        return values * dim
    if len(values) != dim:
        raise RuntimeError(
            f"expected {name} to be a single integer value or a list of {dim} values to match "
            f"the convolution dimensions, but got {name}={values}"
        )
    return values


def _scalar_name(a):
    return dtypes.scalar_type_name(a.dtype)


def _check(input, weight, what, dims):
    if not isinstance(input, Tensor):
        raise TypeError(
            f"{what}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}"
        )
    if not isinstance(weight, Tensor):
        raise TypeError(
            f"{what}(): argument 'weight' (position 2) must be Tensor, not {type(weight).__name__}"
        )
    nd = input.dim()
    if nd not in (dims + 1, dims + 2):
        raise RuntimeError(
            f"Expected {dims + 1}D (unbatched) or {dims + 2}D (batched) input to {what}, but got "
            f"input of size: {list(input.shape)}"
        )
    if weight.dim() < 3:
        raise RuntimeError("weight should have at least three dimensions")


def _check_shapes(input, weight, bias, groups, params, transposed):
    stride, padding, dilation, output_padding = params
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    if any(p < 0 for p in output_padding):
        raise RuntimeError("negative output_padding is not supported")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError(f"dilation should be greater than zero, but got {dilation}")
    ws = list(weight.shape)
    k = input.dim()
    if len(ws) != k:
        raise RuntimeError(
            f"Expected {len(ws)}-dimensional input for {len(ws)}-dimensional weight {ws}, but got "
            f"{k}-dimensional input of size {list(input.shape)} instead"
        )
    if ws[0] < groups:
        raise RuntimeError(
            f"Given groups={groups}, expected weight to be at least {groups} at dimension 0, but "
            f"got weight of size {ws} instead"
        )
    if ws[0] % groups:
        raise RuntimeError(
            f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
            f"but got weight of size [{ws}] instead"
        )
    channels = input.shape[1]
    if not transposed:
        if channels != ws[1] * groups:
            raise RuntimeError(
                f"Given groups={groups}, weight of size {ws}, expected input{list(input.shape)} to "
                f"have {ws[1] * groups} channels, but got {channels} channels instead"
            )
        out_channels = ws[0]
    else:
        if channels != ws[0]:
            raise RuntimeError(
                f"Given transposed=1, weight of size {ws}, expected input{list(input.shape)} to "
                f"have {ws[0]} channels, but got {channels} channels instead"
            )
        out_channels = ws[1] * groups
    if bias is not None and (bias.dim() != 1 or bias.shape[0] != out_channels):
        head = "Given transposed=1, weight" if transposed else "Given weight"
        raise RuntimeError(
            f"{head} of size {ws}, expected bias to be 1-dimensional with {out_channels} "
            f"elements, but got bias of size {list(bias.shape)} instead"
        )
    if not transposed:
        sizes = [input.shape[2 + i] + 2 * padding[i] for i in range(len(padding))]
        kernel = [dilation[i] * (ws[2 + i] - 1) + 1 for i in range(len(padding))]
        if any(s < kk for s, kk in zip(sizes, kernel)):
            raise RuntimeError(
                f"Calculated padded input size per channel: ({' x '.join(map(str, sizes))}). "
                f"Kernel size: ({' x '.join(map(str, kernel))}). Kernel size can't be greater "
                "than actual input size"
            )
    for t in (weight, bias):
        if t is not None and t._data.dtype != input._data.dtype:
            raise RuntimeError(
                f"expected scalar type {_scalar_name(input)} but found {_scalar_name(t)}"
            )


def _geometry(dims, groups, stride, dilation, padding, x_size, kernel, y_size=None):
    """The shapes of one convolution, 1-d ones lifted to height 1. y_size defaults to
    the number of whole windows; a transposed convolution gives its input's size."""
    lo = hi = padding
    if dims == 1:
        stride, dilation = (1, stride[0]), (1, dilation[0])
        lo, hi, x_size, kernel = (0, lo[0]), (0, hi[0]), (1, x_size[0]), (1, kernel[0])
        if y_size is not None:
            y_size = (1, y_size[0])
    if y_size is None:
        y_size = tuple(
            (x_size[i] + lo[i] + hi[i] - dilation[i] * (kernel[i] - 1) - 1) // stride[i] + 1
            for i in range(2)
        )
    return _Geometry(
        dims, groups, tuple(stride), tuple(dilation), tuple(lo), tuple(hi), tuple(x_size),
        tuple(kernel), y_size,
    )  # fmt: skip


def _batched(input, dims):
    return input.dim() == dims + 2


def _convnd(input, weight, bias, stride, padding, dilation, groups, dims, what):
    _check(input, weight, what, dims)
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    batched = _batched(input, dims)
    if not batched:
        input = input.unsqueeze(0)
    dim = weight.dim() - 2
    stride = _expand(_as_list(stride, dims), "stride", dim)
    dilation = _expand(_as_list(dilation, dims), "dilation", dim)
    if isinstance(padding, str):
        if padding == "valid":
            padding = [0] * dim
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            total = [dilation[i] * (weight.shape[2 + i] - 1) for i in range(dim)]
            padding = [t // 2 for t in total]
            extra = [t - 2 * (t // 2) for t in total]
            if any(extra):
                # As PyTorch: the odd one out is a zero column added after the input.
                _warn_same_padding_once()
                widths = []
                for e in reversed(extra):
                    widths += [0, e]
                input = pad(input, widths)
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        padding = _expand(_as_list(padding, dims), "padding", dim)
    params = (stride, padding, dilation, [0] * dim)
    _check_shapes(input, weight, bias, groups, params, False)
    x_size = tuple(input.shape[2:])
    geo = _geometry(dims, groups, stride, dilation, padding, x_size, weight.shape[2:])
    out = apply(Convolution, (input, weight, bias), {"geo": geo, "transposed": False})
    return out if batched else out.squeeze(0)


def _conv_transposend(
    input, weight, bias, stride, padding, output_padding, groups, dilation, dims, what
):
    _check(input, weight, what, dims)
    if isinstance(padding, str):
        raise TypeError(f"{what}(): argument 'padding' must be tuple of ints, not str")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    batched = _batched(input, dims)
    if not batched:
        input = input.unsqueeze(0)
    dim = weight.dim() - 2
    stride = _expand(_as_list(stride, dims), "stride", dim)
    padding = _expand(_as_list(padding, dims), "padding", dim)
    dilation = _expand(_as_list(dilation, dims), "dilation", dim)
    output_padding = _expand(_as_list(output_padding, dims), "output_padding", dim)
    params = (stride, padding, dilation, output_padding)
    _check_shapes(input, weight, bias, groups, params, True)
    for i in range(dim):
        if output_padding[i] >= stride[i] and output_padding[i] >= dilation[i]:
            # 1-d convolutions report as 2-d ones of height 1, as PyTorch's do.
            op, st, dl = ([0], [1], [1]) if dim == 1 else ([], [], [])
            op, st, dl = op + output_padding, st + stride, dl + dilation
            detail = (
                f"output_padding_height: {op[0]} output_padding_width: {op[1]} "
                f"stride_height: {st[0]} stride_width: {st[1]} "
                f"dilation_height: {dl[0]} dilation_width: {dl[1]}"
            )
            raise RuntimeError(
                f"output padding must be smaller than either stride or dilation, but got {detail}"
            )
    kernel = weight.shape[2:]
    y_size = input.shape[2:]
    x_size = tuple(
        (y_size[i] - 1) * stride[i] - 2 * padding[i] + dilation[i] * (kernel[i] - 1)
        + output_padding[i] + 1
        for i in range(dim)
    )  # fmt: skip
    if any(s <= 0 for s in x_size):
        raise RuntimeError(
            f"Given input size per channel: ({' x '.join(map(str, y_size))}). Calculated output "
            f"size per channel: ({' x '.join(map(str, x_size))}). Output size is too small"
        )
    # The output_padding rows lie past the last window: no input element reaches them.
    geo = _geometry(dims, groups, stride, dilation, padding, x_size, kernel, y_size)
    out = apply(Convolution, (input, weight, bias), {"geo": geo, "transposed": True})
    return out if batched else out.squeeze(0)


_warned_same_padding = False


def _warn_same_padding_once():
    """PyTorch's warning, given once per process as PyTorch gives it."""
    global _warned_same_padding
    if not _warned_same_padding:
        _warned_same_padding = True
        warnings.warn(
            "Using padding='same' with even kernel lengths and odd dilation may require a "
            "zero-padded copy of the input be created",
            UserWarning,
            stacklevel=4,
        )


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-d convolution over (N, C, L) or unbatched (C, L) input; weight (O, C/groups, k)."""
    return _convnd(input, weight, bias, stride, padding, dilation, groups, 1, "conv1d")


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-d convolution over (N, C, H, W) or unbatched (C, H, W); weight (O, C/groups, kh, kw)."""
    return _convnd(input, weight, bias, stride, padding, dilation, groups, 2, "conv2d")


def conv_transpose1d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
):
    """The adjoint of conv1d in its input; weight (C_in, C_out/groups, k)."""
    return _conv_transposend(
        input, weight, bias, stride, padding, output_padding, groups, dilation, 1,
        "conv_transpose1d",
    )  # fmt: skip


def conv_transpose2d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
):
    """The adjoint of conv2d in its input; weight (C_in, C_out/groups, kh, kw)."""
    return _conv_transposend(
        input, weight, bias, stride, padding, output_padding, groups, dilation, 2,
        "conv_transpose2d",
    )  # fmt: skip
