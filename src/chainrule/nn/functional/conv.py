"""Functional forms: conv1d, conv2d, conv3d and their transposes.

A convolution is one bilinear form <conv(X, W), Y> read three ways, so two
primitives carry every derivative:

- `Convolution` (PyTorch's ConvolutionBackward0): Y = conv(X, W) + b, or, with
  transposed=True, X = conv_transpose(Y, W) + b, the adjoint of conv in X;
- `ConvolutionWeight`: W = the adjoint of conv in W, given X and Y.

The gradient of each is the other two, so every backward is again made of
these ops and can be differentiated once more. `_Geometry` fixes the shapes
(X's spatial size, kernel, stride, dilation, padding before and after) so the
adjoints always land on the exact shape. The kernels take any number of spatial
dims (2 or 3); one-dimensional convolutions run as two-dimensional ones of
height 1.

The kernels on arrays: conv gathers the sliding windows (a strided view,
copied once) into columns and multiplies them by the weight in one matmul per
group (batched over the images in the batch-first layout); the weight gradient
gathers the same columns again and multiplies them by the output gradient;
conv_transpose multiplies the weight by the gradient in one matmul and adds the
columns back into place, one slice add per kernel offset. Two column layouts
(`_batch_last`): the batch innermost, so gathers and adds run over rows of
wo * n contiguous elements (small images, many channels), or the batch
outermost, which saves transposing large outputs (large images, few
channels). Batch-last at stride 1, _conv_rows.py gathers windows along the width
only and runs one matmul per kernel row instead. The columns live in a
per-thread scratch buffer (_scratch.py).
"""

import itertools
import warnings
from collections import namedtuple

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ... import dtypes
from ..._autocast import state as _autocast
from ...ops.autocast import lower
from ...ops.op import NULL_CTX, Op, apply
from ...tensor import Tensor
from . import _conv_rows
from ._scratch import scratch_array as _scratch_array
from .padding import pad

__all__ = [
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
]

_Geometry = namedtuple(
    "_Geometry", "dims groups stride dilation pad_lo pad_hi x_size kernel y_size"
)


def _lift(a, dims):
    """A 1-d convolution's array as the 2-d one of height 1 (a view)."""
    return a[:, :, None, :] if dims == 1 else a


def _drop(a, dims):
    return a[:, :, 0, :] if dims == 1 else a


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
    k = _prod(geo.kernel)
    rows = _prod(geo.y_size[:-1])  # output rows: every output position but the last axis
    return 4 * c * k * rows > c * _prod(geo.x_size) + o * _prod(geo.y_size)


def _prod(sizes):
    out = 1
    for v in sizes:
        out *= v
    return out


def _padded(x, geo, last):
    """x (N, C, *spatial) zero-padded; batch-last: as (C, *padded spatial, N), in one copy."""
    n, c = x.shape[:2]
    spatial = x.shape[2:]
    lo, hi = geo.pad_lo, geo.pad_hi
    if not (any(lo) or any(hi)):
        if last:
            return np.ascontiguousarray(np.moveaxis(x, 0, -1))
        return x
    padded = tuple(size + a + b for size, a, b in zip(spatial, lo, hi))
    inner = tuple(slice(a, a + size) for size, a in zip(spatial, lo))
    if last:
        xp = np.zeros((c, *padded, n), x.dtype)
        xp[(slice(None), *inner)] = np.moveaxis(x, 0, -1)
    else:
        xp = np.zeros((n, c, *padded), x.dtype)
        xp[(slice(None), slice(None), *inner)] = x
    return xp


def _windows(x, geo, last):
    """im2col: x (N, C, *spatial) -> columns, (groups, C/groups*K, O*N) with the batch
    innermost when `last`, else (N, groups, C/groups*K, O), K and O the numbers of kernel
    and output positions; in the scratch buffer, so valid until the next call."""
    n, c = x.shape[:2]
    xp = _padded(x, geo, last)
    g = geo.groups
    cg = c // g
    kernel, out, stride, dilation = geo.kernel, geo.y_size, geo.stride, geo.dilation
    k_total, o_total = _prod(kernel), _prod(out)
    if last:
        s_c, *s_sp, s_n = xp.strides
        shape = (g, cg, *kernel, *out, n)
        strides = (
            (s_c * cg, s_c)
            + tuple(d * st for d, st in zip(dilation, s_sp))
            + tuple(sd * st for sd, st in zip(stride, s_sp))
            + (s_n,)
        )
        flat = (g, cg * k_total, o_total * n)
    else:
        s_n, s_c, *s_sp = xp.strides
        shape = (n, g, cg, *kernel, *out)
        strides = (
            (s_n, s_c * cg, s_c)
            + tuple(d * st for d, st in zip(dilation, s_sp))
            + tuple(sd * st for sd, st in zip(stride, s_sp))
        )
        flat = (n, g, cg * k_total, o_total)
    cols = _scratch_array(shape, x.dtype)
    np.copyto(cols, as_strided(xp, shape, strides, writeable=False))
    return cols.reshape(flat)


def _batch_inner(y, g):
    """y (N, O, *spatial) as (groups, O/groups, positions*N), contiguous."""
    return np.ascontiguousarray(np.moveaxis(y, 0, -1)).reshape(g, y.shape[1] // g, -1)


def _conv(x, w, geo):
    """Y = conv(X, W) on arrays with 2 or 3 spatial dims."""
    n, c = x.shape[:2]
    o = w.shape[0]
    g = geo.groups
    last = _batch_last(geo, n, c, o)
    if last and _conv_rows.applies(geo):
        return _conv_rows.conv(x, w, geo)
    cols = _windows(x, geo, last)
    y = np.matmul(w.reshape(g, o // g, -1), cols)
    if last:
        # One matmul per group over every position of every image, then the batch
        # goes back to the front.
        return np.ascontiguousarray(np.moveaxis(y.reshape(o, *geo.y_size, n), -1, 0))
    return y.reshape(n, o, *geo.y_size)


def _offset_slices(geo):
    """For each kernel offset (in row-major order): its index in the kernel and the slices
    of the padded input that its output positions read."""
    for offset in itertools.product(*(range(k) for k in geo.kernel)):
        yield (
            offset,
            tuple(
                slice(i * d, i * d + s * (o - 1) + 1, s)
                for i, d, s, o in zip(offset, geo.dilation, geo.stride, geo.y_size)
            ),
        )


def _conv_transpose(y, w, geo):
    """X = conv_transpose(Y, W): the adjoint of conv in X (col2im): one matmul, then the
    columns are added back into place, one slice add per kernel offset (batch-last at
    stride 1: the width-only columns of _conv_rows, one add per kernel row)."""
    n, o = y.shape[:2]
    g = geo.groups
    og = o // g
    c = w.shape[1] * g
    kernel, out, spatial = geo.kernel, geo.y_size, geo.x_size
    o_total = _prod(out)
    padded = tuple(size + a + b for size, a, b in zip(spatial, geo.pad_lo, geo.pad_hi))
    wt = w.reshape(g, og, -1).transpose(0, 2, 1)
    last = _batch_last(geo, n, c, o)
    if last and _conv_rows.applies(geo):
        return _conv_rows.conv_transpose(y, w, geo)
    if last:
        # Each add below runs over rows of wo * n contiguous elements.
        cols = _scratch_array((g, wt.shape[1], o_total * n), y.dtype)
        np.matmul(wt, _batch_inner(y, g), out=cols)
        cols = cols.reshape(c, *kernel, *out, n)
        buf = np.zeros((c, *padded, n), cols.dtype)
        body = buf
    else:
        cols = _scratch_array((n, g, wt.shape[1], o_total), y.dtype)
        np.matmul(wt, y.reshape(n, g, og, o_total), out=cols)
        cols = np.moveaxis(cols.reshape(n, c, *kernel, *out), 0, -1)
        buf = np.zeros((n, c, *padded), cols.dtype)
        body = np.moveaxis(buf, 0, -1)  # the same (C, *spatial, N) indexing as batch-last
    every = slice(None)
    for offset, where in _offset_slices(geo):
        body[(every, *where)] += cols[(every, *offset)]
    inner = tuple(slice(a, a + size) for size, a in zip(spatial, geo.pad_lo))
    if last:
        result = np.moveaxis(buf[(every, *inner)], -1, 0)
    else:
        result = buf[(every, every, *inner)]
    return np.ascontiguousarray(result)


def _conv_weight(x, y, geo):
    """W = the adjoint of conv in W: sum over batch and positions of y times x's windows."""
    n, c = x.shape[:2]
    o = y.shape[1]
    g = geo.groups
    og = o // g
    last = _batch_last(geo, n, c, o)
    if last and _conv_rows.applies(geo):
        return _conv_rows.conv_weight(x, y, geo)
    cols = _windows(x, geo, last)
    if last:
        dw = np.matmul(cols, _batch_inner(y, g).transpose(0, 2, 1))  # (g, Cg*K, O/g)
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
            out += b.reshape((1, -1) + (1,) * (out.ndim - 2))
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
            db = grad.sum((0, *range(2, grad.dim())))
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
            for i in range(len(x_size))
        )
    return _Geometry(
        dims, groups, tuple(stride), tuple(dilation), tuple(lo), tuple(hi), tuple(x_size),
        tuple(kernel), y_size,
    )  # fmt: skip


def _batched(input, dims):
    return input.dim() == dims + 2


def _convnd(input, weight, bias, stride, padding, dilation, groups, dims, what):
    if _autocast.dtype is not None:  # (autocast: in its lower-precision dtype)
        input, weight, bias = lower(input, weight, bias)
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
    if _autocast.dtype is not None:  # (autocast: in its lower-precision dtype)
        input, weight, bias = lower(input, weight, bias)
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
            labels = ("depth", "height", "width")[-len(op) :]
            detail = " ".join(
                f"{what}_{label}: {v}"
                for what, values in (("output_padding", op), ("stride", st), ("dilation", dl))
                for label, v in zip(labels, values)
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


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-d convolution over (N, C, D, H, W) or unbatched (C, D, H, W); weight
    (O, C/groups, kd, kh, kw)."""
    return _convnd(input, weight, bias, stride, padding, dilation, groups, 3, "conv3d")


def conv_transpose3d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
):
    """The adjoint of conv3d in its input; weight (C_in, C_out/groups, kd, kh, kw)."""
    return _conv_transposend(
        input, weight, bias, stride, padding, output_padding, groups, dilation, 3,
        "conv_transpose3d",
    )  # fmt: skip
