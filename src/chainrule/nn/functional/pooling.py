"""Functional forms: max, average and adaptive pooling, and max_unpool.

Each 2-D or 3-D pooling is one Op over arrays of shape (..., H, W) or
(..., D, H, W) (unbatched or batched input) with PyTorch's grad_fn name; the 1-D
forms run the 2-D one on an inserted height of 1, as PyTorch does (so their
grad_fn is SqueezeBackward1).
A forward reads the input through one strided view per kernel offset, so its
work is a few whole-array NumPy passes per offset, never a Python loop over
pixels or batch items.

Max pooling yields indices flat within each H*W (or D*H*W) plane. Its backward scatters
the gradient to them (MaxPool2DWithIndicesBackwardBackward0), and that Op's
own backward gathers at the same indices, so max pooling is differentiable
twice. Average pooling is linear: its backward Op's backward is the forward.
"""

from ... import dtypes
from ...ops.op import NULL_CTX, Op, apply
from ...tensor import Tensor
from ._pool_kernels import (
    adaptive_avg,
    adaptive_avg_transpose,
    adaptive_max,
    avg_divisor,
    avg_pool,
    avg_pool_transpose,
    max_pool,
    scatter_planes,
)

__all__ = [
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "adaptive_max_pool1d",
    "adaptive_max_pool1d_with_indices",
    "adaptive_max_pool2d",
    "adaptive_max_pool2d_with_indices",
    "avg_pool1d",
    "avg_pool2d",
    "max_pool1d",
    "max_pool1d_with_indices",
    "max_pool2d",
    "max_pool2d_with_indices",
    "max_unpool1d",
    "max_unpool2d",
]

_wrap = Tensor._wrap


# -- the Ops ---------------------------------------------------------------------------


def _gather_planes(grad, indices, out_shape, nd=2):
    """grad (shaped like the pooled input) read at each plane's flat indices."""
    if 0 in tuple(out_shape) or grad.numel() == 0:  # no windows: nothing to read
        from ...ops.creation import zeros

        return zeros(tuple(out_shape), dtype=grad.dtype)
    plane = 1
    for n in grad.shape[grad.dim() - nd :]:
        plane *= n
    planes = grad.reshape(-1, plane)
    idx = _wrap(indices.reshape(planes.shape[0], -1))
    return planes.gather(1, idx).reshape(out_shape)


class MaxPool2DWithIndices(Op):
    name = "MaxPool2DWithIndicesBackward0"
    formula = "d(max over window)/dx = 1 at the window's argmax (the saved index), else 0"

    @staticmethod
    def forward(ctx, x, *, kernel, stride, padding, dilation, out_hw, return_indices):
        if ctx is NULL_CTX and not return_indices:
            return max_pool(x, kernel, stride, padding, dilation, out_hw, False)[0]
        values, indices = max_pool(x, kernel, stride, padding, dilation, out_hw, True)
        ctx.save_for_backward(indices)
        ctx.in_shape = x.shape
        # Windows that share input positions need their gradients summed.
        ctx.overlap = any(s < (k - 1) * d + 1 for k, s, d in zip(kernel, stride, dilation))
        return values, indices

    @staticmethod
    def backward(ctx, grad, grad_indices=None):
        (indices,) = ctx.saved_tensors
        kwargs = {"indices": indices._data, "in_shape": ctx.in_shape, "accumulate": ctx.overlap}
        return apply(MaxPoolScatter, (grad,), kwargs, "MaxPool2DWithIndicesBackwardBackward0")


class MaxPoolScatter(Op):
    """Each gradient sent to its max's place in the input (summed where windows overlap)."""

    name = "MaxPool2DWithIndicesBackwardBackward0"
    formula = "d(scatter(g, idx))/dg = gather at idx"

    @staticmethod
    def forward(ctx, g, *, indices, in_shape, accumulate, nd=2):
        ctx.indices, ctx.out_shape, ctx.nd = indices, g.shape, nd
        return scatter_planes(g, indices, in_shape, accumulate, nd)

    @staticmethod
    def backward(ctx, grad):
        return _gather_planes(grad, ctx.indices, ctx.out_shape, ctx.nd)


class AdaptiveMaxPool2D(Op):
    name = "AdaptiveMaxPool2DBackward0"
    formula = "d(max over adaptive window)/dx = 1 at the window's argmax, else 0"

    @staticmethod
    def forward(ctx, x, *, out_hw):
        values, indices, overlap = adaptive_max(x, out_hw)
        ctx.save_for_backward(indices)
        ctx.in_shape, ctx.overlap = x.shape, overlap
        return values, indices

    @staticmethod
    def backward(ctx, grad, grad_indices=None):
        (indices,) = ctx.saved_tensors
        kwargs = {"indices": indices._data, "in_shape": ctx.in_shape, "accumulate": ctx.overlap}
        return apply(MaxPoolScatter, (grad,), kwargs, "AdaptiveMaxPool2DBackwardBackward0")


class MaxUnpool2D(Op):
    name = "MaxUnpool2DBackward0"
    formula = "d(unpool(x, idx))/dx = gather at idx"

    @staticmethod
    def forward(ctx, x, *, indices, out_shape, nd=2):
        ctx.indices, ctx.in_shape, ctx.nd = indices, x.shape, nd
        return scatter_planes(x, indices, out_shape, False, nd)

    @staticmethod
    def backward(ctx, grad):
        return _gather_planes(grad, ctx.indices, ctx.in_shape, ctx.nd)


class AvgPool2D(Op):
    name = "AvgPool2DBackward0"
    formula = "d(mean over window)/dx = the sum, over the windows holding x, of 1/divisor"

    @staticmethod
    def forward(ctx, x, **p):
        ctx.params, ctx.in_shape = p, x.shape
        return avg_pool(x, **p)

    @staticmethod
    def backward(ctx, grad):
        return AvgPool2DBackward.apply(grad, in_shape=ctx.in_shape, **ctx.params)


class AvgPool2DBackward(Op):
    """The transpose of avg_pool2d: each gradient / divisor added over its window."""

    name = "AvgPool2DBackwardBackward0"
    formula = "linear in g: its derivative is avg_pool2d itself"

    @staticmethod
    def forward(ctx, g, *, in_shape, **p):
        ctx.params = p
        return avg_pool_transpose(g, in_shape, **p)

    @staticmethod
    def backward(ctx, grad):
        return AvgPool2D.apply(grad, **ctx.params)


class AdaptiveAvgPool2D(Op):
    name = "AdaptiveAvgPool2DBackward0"
    formula = "d(mean over adaptive window)/dx = the sum, over windows holding x, of 1/size"

    @staticmethod
    def forward(ctx, x, *, out_hw):
        ctx.out_hw, ctx.in_shape = out_hw, x.shape
        return adaptive_avg(x, out_hw)

    @staticmethod
    def backward(ctx, grad):
        return AdaptiveAvgPool2DBackward.apply(grad, in_shape=ctx.in_shape, out_hw=ctx.out_hw)


class AdaptiveAvgPool2DBackward(Op):
    name = "AdaptiveAvgPool2DBackwardBackward0"
    formula = "linear in g: its derivative is adaptive_avg_pool2d itself"

    @staticmethod
    def forward(ctx, g, *, in_shape, out_hw):
        ctx.out_hw = out_hw
        return adaptive_avg_transpose(g, in_shape, out_hw)

    @staticmethod
    def backward(ctx, grad):
        return AdaptiveAvgPool2D.apply(grad, out_hw=ctx.out_hw)


# The 3-D forms: the same kernels over three spatial dims, under PyTorch's 3-D names.
class MaxPool3DWithIndices(MaxPool2DWithIndices):
    name = "MaxPool3DWithIndicesBackward0"

    @staticmethod
    def backward(ctx, grad, grad_indices=None):
        (indices,) = ctx.saved_tensors
        return MaxPool3DScatter.apply(
            grad, indices=indices._data, in_shape=ctx.in_shape, accumulate=ctx.overlap, nd=3
        )


class MaxPool3DScatter(MaxPoolScatter):
    name = "MaxPool3DWithIndicesBackwardBackward0"


class AdaptiveMaxPool3D(AdaptiveMaxPool2D):
    name = "AdaptiveMaxPool3DBackward0"

    @staticmethod
    def backward(ctx, grad, grad_indices=None):
        (indices,) = ctx.saved_tensors
        return AdaptiveMaxPool3DScatter.apply(
            grad, indices=indices._data, in_shape=ctx.in_shape, accumulate=ctx.overlap, nd=3
        )


class AdaptiveMaxPool3DScatter(MaxPoolScatter):
    name = "AdaptiveMaxPool3DBackwardBackward0"


class MaxUnpool3D(MaxUnpool2D):
    name = "MaxUnpool3DBackward0"


class AvgPool3D(AvgPool2D):
    name = "AvgPool3DBackward0"

    @staticmethod
    def backward(ctx, grad):
        return AvgPool3DBackward.apply(grad, in_shape=ctx.in_shape, **ctx.params)


class AvgPool3DBackward(AvgPool2DBackward):
    name = "AvgPool3DBackwardBackward0"

    @staticmethod
    def backward(ctx, grad):
        return AvgPool3D.apply(grad, **ctx.params)


class AdaptiveAvgPool3D(AdaptiveAvgPool2D):
    name = "AdaptiveAvgPool3DBackward0"

    @staticmethod
    def backward(ctx, grad):
        return AdaptiveAvgPool3DBackward.apply(grad, in_shape=ctx.in_shape, out_hw=ctx.out_hw)


class AdaptiveAvgPool3DBackward(AdaptiveAvgPool2DBackward):
    name = "AdaptiveAvgPool3DBackwardBackward0"

    @staticmethod
    def backward(ctx, grad):
        return AdaptiveAvgPool3D.apply(grad, out_hw=ctx.out_hw)


# -- argument checks, as PyTorch words them ---------------------------------------------


def _seq(v):
    return v if isinstance(v, (tuple, list)) else None


def _pair(v, what, message):
    s = _seq(v)
    if s is None:
        return (int(v), int(v))
    if len(s) == 1:
        return (int(s[0]), int(s[0]))
    if len(s) == 2:
        return (int(s[0]), int(s[1]))
    raise RuntimeError(f"{what}: {message}")


def _pool_output_size(size, k, s, p, d, ceil_mode):
    """PyTorch's pooling_output_shape, with its checks."""
    if s == 0:
        raise RuntimeError("stride should not be zero")
    if p < 0:
        raise RuntimeError(f"pad must be non-negative, but got pad: {p}")
    if p > int(((k - 1) * d + 1) / 2):
        raise RuntimeError(
            f"pad should be at most half of effective kernel size, but got pad={p}, "
            f"kernel_size={k} and dilation={d}"
        )
    out = (size + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def _sizes(shape):
    return "[" + ", ".join(str(s) for s in shape) + "]"


def _check_pool2d(shape, kernel, stride, padding, dilation, out_hw):
    """PyTorch's pool2d_shape_check."""
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel, stride, padding, dilation
    if kh <= 0 or kw <= 0:
        raise RuntimeError(f"kernel size should be greater than zero, but got kH: {kh} kW: {kw}")
    if sh <= 0 or sw <= 0:
        raise RuntimeError(f"stride should be greater than zero, but got dH: {sh} dW: {sw}")
    if dh <= 0 or dw <= 0:
        raise RuntimeError(
            f"dilation should be greater than zero, but got dilationH: {dh} dilationW: {dw}"
        )
    ndim = len(shape)
    valid = shape[-1] != 0 and shape[-2] != 0 and (ndim == 4 or shape[0] != 0)
    if ndim == 4:
        valid = valid and shape[1] != 0
    if ndim not in (3, 4) or not valid:
        raise RuntimeError(
            "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, "
            f"but got:{_sizes(shape)}"
        )
    if not (kw // 2 >= pw and kh // 2 >= ph):
        raise RuntimeError(
            "pad should be smaller than or equal to half of kernel size, but got "
            f"padW = {pw}, padH = {ph}, kW = {kw}, kH = {kh}"
        )
    oh, ow = out_hw
    if oh < 1 or ow < 1:
        c, h, w = shape[-3:]
        raise RuntimeError(
            f"Given input size: ({c}x{h}x{w}). Calculated output size: ({c}x{oh}x{ow}). "
            "Output size is too small"
        )


def _not_implemented(input, what):
    name = dtypes.scalar_type_name(input.dtype)
    return NotImplementedError(f"\"{what}\" not implemented for '{name}'")


def _check_float(input, what):
    if input._data.dtype.kind != "f":
        raise _not_implemented(input, what)


# -- max pooling -----------------------------------------------------------------------


def _max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    kernel = _pair(kernel_size, "max_pool2d", "kernel_size must either be a single int, or a "
                   "tuple of two ints")  # fmt: skip
    if stride is None or (_seq(stride) is not None and len(stride) == 0):
        stride = kernel
    else:
        stride = _pair(stride, "max_pool2d", "stride must either be omitted, a single int, or a "
                       "tuple of two ints")  # fmt: skip
    padding = _pair(padding, "max_pool2d", "padding must either be a single int, or a tuple of "
                    "two ints")  # fmt: skip
    dilation = _pair(dilation, "max_pool2d", "dilation must be either a single int, or a tuple "
                     "of two ints")  # fmt: skip
    shape = input.shape
    if input.dim() not in (3, 4):
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
    if input._data.dtype.kind == "b":
        raise _not_implemented(input, "max_pool2d")
    out_hw = tuple(
        _pool_output_size(shape[i - 2], kernel[i], stride[i], padding[i], dilation[i], ceil_mode)
        for i in (0, 1)
    )
    _check_pool2d(shape, kernel, stride, padding, dilation, out_hw)
    kwargs = {
        "kernel": kernel,
        "stride": stride,
        "padding": padding,
        "dilation": dilation,
        "out_hw": out_hw,
        "return_indices": return_indices,
    }
    out = apply(MaxPool2DWithIndices, (input,), kwargs)
    if type(out) is tuple:
        return out if return_indices else out[0]
    return out


def max_pool2d_with_indices(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
):
    """2-D max pooling returning (values, indices); indices are flat within each H*W plane."""
    return _max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
):
    """2-D max pooling over (N, C, H, W) or (C, H, W) input; padding counts as -inf."""
    return _max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def _single(v, what, message):
    s = _seq(v)
    if s is None:
        return int(v)
    if len(s) != 1:
        raise RuntimeError(f"{what} {message} but got size {len(s)}")
    return int(s[0])


def _check_max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode):
    """PyTorch's own checks for max_pool1d without indices."""
    shape = input.shape
    ndim = len(shape)
    if ndim not in (2, 3) or shape[-1] == 0 or (ndim == 3 and shape[1] == 0):
        raise RuntimeError(
            "max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size "
            f"for input, but got:{_sizes(shape)}"
        )
    w = "max_pool1d()"
    k = _single(
        kernel_size, w, "kernel_size must be an int, list of ints or tuple of ints of size 1"
    )
    s = k if stride is None or (_seq(stride) is not None and len(stride) == 0) else None
    if s is None:
        s = _single(
            stride, w, "stride must be None, an int, list of ints, or tuple of ints of size 1"
        )
    p = _single(padding, w, "padding must be an int, list of ints, or tuple of ints of size 1")
    d = _single(dilation, w, "dilation must be an int, list of ints or tuple of ints of size 1")
    if k <= 0:
        raise RuntimeError(f"{w} kernel_size must be greater than zero, but got {k}")
    if s <= 0:
        raise RuntimeError(f"{w} stride must be greater than zero, but got {s}")
    if p < 0:
        raise RuntimeError(f"{w} padding must be non-negative, but got {p}")
    if p > k // 2:
        raise RuntimeError(
            f"{w} padding should be at most half of kernel size, but got padding={p} and "
            f"kernel_size={k}"
        )
    if d <= 0:
        raise RuntimeError(f"{w} dilation must be greater than zero, but got {d}")
    out = _pool_output_size(shape[-1], k, s, p, d, ceil_mode)
    if out < 0 or out == 0:
        raise RuntimeError(f"{w} Invalid computed output size: {out}")
    return k, s, p, d


def _max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    if return_indices:
        if input.dim() not in (2, 3):
            raise RuntimeError(
                "max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch "
                f"size for input, but got:{_sizes(input.shape)}"
            )
        w = "max_pool1d()"
        k = _single(kernel_size, w, "kernel_size must be an int, list of ints or tuple of ints of "
                    "size 1")  # fmt: skip
        s = k if stride is None or (_seq(stride) is not None and len(stride) == 0) else None
        if s is None:
            s = _single(stride, w, "stride must be None, an int, list of ints, or tuple of ints "
                        "of size 1")  # fmt: skip
        p = _single(padding, w, "padding must be an int, list of ints, or tuple of ints of size 1")
        d = _single(dilation, w, "dilation must be an int, list of ints or tuple of ints of size 1")
        k, s, p, d = (1, k), (1, s), (0, p), (1, d)
    else:
        k, s, p, d = _check_max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode)
        k, s, p, d = (1, k), (1, s), (0, p), (1, d)
    out = _max_pool2d(input.unsqueeze(-2), k, s, p, d, ceil_mode, return_indices)
    if return_indices:
        return out[0].squeeze(-2), out[1].squeeze(-2)
    return out.squeeze(-2)


def max_pool1d_with_indices(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
):
    """1-D max pooling returning (values, indices)."""
    return _max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool1d(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
):
    """1-D max pooling over (N, C, L) or (C, L) input."""
    return _max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


# -- average pooling -------------------------------------------------------------------


def avg_pool2d(
    input,
    kernel_size,
    stride=None,
    padding=0,
    ceil_mode=False,
    count_include_pad=True,
    divisor_override=None,
):
    """2-D average pooling; padding counts as zeros (and in the divisor if count_include_pad)."""
    kernel = _pair(kernel_size, "avg_pool2d", "kernel_size must either be a single int, or a "
                   "tuple of two ints")  # fmt: skip
    if stride is None or (_seq(stride) is not None and len(stride) == 0):
        stride = kernel
    else:
        stride = _pair(stride, "avg_pool2d", "stride must either be omitted, a single int, or a "
                       "tuple of two ints")  # fmt: skip
    padding = _pair(padding, "avg_pool2d", "padding must either be a single int, or a tuple of "
                    "two ints")  # fmt: skip
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    shape = input.shape
    if input.dim() < 3:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-input.dim()}, "
            f"{input.dim() - 1}], but got -3)"
        )
    if input._data.dtype.kind == "b":
        raise _not_implemented(input, "avg_pool2d")
    out_hw = tuple(
        _pool_output_size(shape[i - 2], kernel[i], stride[i], padding[i], 1, ceil_mode)
        for i in (0, 1)
    )
    _check_pool2d(shape, kernel, stride, padding, (1, 1), out_hw)
    divisor = avg_divisor(
        shape[-2:], kernel, stride, padding, out_hw, count_include_pad, divisor_override
    )
    kwargs = {
        "kernel": kernel,
        "stride": stride,
        "padding": padding,
        "out": out_hw,
        "divisor": divisor,
    }
    return apply(AvgPool2D, (input,), kwargs)


def _one_int(v, what, arg):
    s = _seq(v)
    if s is None:
        return v
    if len(s) != 1:
        raise RuntimeError(f"{what}() argument '{arg}' should contain one int (got {len(s)})")
    return s[0]


def _check_1d_dims(input, what):
    if input.dim() not in (2, 3):
        raise RuntimeError(
            f"Expected 2 to 3 dimensions, but got {input.dim()}-dimensional tensor for argument "
            f"#1 'self' (while checking arguments for {what})"
        )


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """1-D average pooling over (N, C, L) or (C, L) input."""
    k = _one_int(kernel_size, "avg_pool1d", "kernel_size")
    if stride is None or (_seq(stride) is not None and len(stride) == 0):
        s = k
    else:
        s = _one_int(stride, "avg_pool1d", "stride")
    p = _one_int(padding, "avg_pool1d", "padding")
    _check_1d_dims(input, "avg_pool1d")
    out = avg_pool2d(input.unsqueeze(-2), (1, k), (1, s), (0, p), ceil_mode, count_include_pad)
    return out.squeeze(-2)


# -- adaptive pooling ------------------------------------------------------------------


def _adaptive_size(output_size, shape, what):
    if isinstance(output_size, int) or not isinstance(output_size, (tuple, list)):
        return (int(output_size), int(output_size))
    if len(shape) <= len(output_size):
        raise ValueError(f"Input dimension should be at least {len(output_size) + 1}")
    size = [d if v is None else int(v) for v, d in zip(output_size, shape[-len(output_size) :])]
    if len(size) != 2:
        if what == "adaptive_max_pool2d":
            raise RuntimeError(f"{what}(): internal error: output_size.size() must be 2")
        raise RuntimeError(f"{what}: output_size must be 2")
    return tuple(size)


def _check_nonempty(shape, what, dims):
    for i in dims:
        if shape[i] <= 0:
            raise RuntimeError(
                f"{what}(): Expected input to have non-zero size for non-batch dimensions, but "
                f"input has sizes {_sizes(shape)} with dimension {i + len(shape)} being empty"
            )


def adaptive_avg_pool2d(input, output_size):
    """Average over windows that tile (H, W) into output_size cells (None keeps a size)."""
    what = "adaptive_avg_pool2d"
    shape = input.shape
    out_hw = _adaptive_size(output_size, shape, what)
    if out_hw[0] < 0 or out_hw[1] < 0:
        raise RuntimeError(
            f"{what}: elements of output_size must be greater than or equal to 0 but received "
            f"{{{out_hw[0]}, {out_hw[1]}}}"
        )
    if input.dim() not in (3, 4):
        raise RuntimeError(f"{what}(): Expected 3D or 4D tensor, but got {_sizes(shape)}")
    _check_nonempty(shape, what, (-2, -1))
    _check_float(input, what)
    if out_hw == (1, 1):
        return input.mean((-1, -2), keepdim=True)  # PyTorch's shortcut (MeanBackward1)
    return apply(AdaptiveAvgPool2D, (input,), {"out_hw": out_hw})


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=False):
    """Adaptive max pooling returning (values, indices)."""
    what = "adaptive_max_pool2d"
    shape = input.shape
    if input.dim() not in (3, 4):
        raise RuntimeError(f"{what}(): Expected 3D or 4D tensor, but got: {_sizes(shape)}")
    _check_nonempty(shape, what, tuple(range(1 - input.dim() + (input.dim() == 4), 0)))
    out_hw = _adaptive_size(output_size, shape, what)
    if out_hw[0] < 0 or out_hw[1] < 0:
        bad = out_hw[0] if out_hw[0] < 0 else out_hw[1]
        raise RuntimeError(
            f"Trying to create tensor with negative dimension {bad}: "
            f"{_sizes(tuple(shape[:-2]) + out_hw)}"
        )
    _check_float(input, what)
    return apply(AdaptiveMaxPool2D, (input,), {"out_hw": out_hw})


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Max over windows that tile (H, W) into output_size cells (None keeps a size)."""
    out = adaptive_max_pool2d_with_indices(input, output_size)
    return out if return_indices else out[0]


def _adaptive_1d_size(output_size, what):
    if output_size is None:
        raise TypeError(
            f"{what}(): argument 'output_size' (position 2) must be tuple of ints, not NoneType"
        )
    return int(_one_int(output_size, what, "output_size"))


def adaptive_avg_pool1d(input, output_size):
    """Average over windows that tile L into output_size cells."""
    o = _adaptive_1d_size(output_size, "adaptive_avg_pool1d")
    _check_1d_dims(input, "adaptive_avg_pool1d")
    return adaptive_avg_pool2d(input.unsqueeze(-2), (1, o)).squeeze(-2)


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=False):
    """1-D adaptive max pooling returning (values, indices)."""
    what = "adaptive_max_pool1d"
    o = _adaptive_1d_size(output_size, what)
    _check_1d_dims(input, what)
    _check_nonempty(input.shape, what, tuple(range(-input.dim() + (input.dim() == 3), 0)))
    values, indices = adaptive_max_pool2d_with_indices(input.unsqueeze(-2), (1, o))
    return values.squeeze(-2), indices.squeeze(-2)


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """Max over windows that tile L into output_size cells."""
    out = adaptive_max_pool1d_with_indices(input, output_size)
    return out if return_indices else out[0]


# -- max_unpool ------------------------------------------------------------------------


def _unpool_size(input, kernel, stride, padding, output_size, n):
    spatial = input.shape[-n:]
    default = [
        (spatial[i] - 1) * stride[i] - 2 * padding[i] + kernel[i] for i in range(n)
    ]  # fmt: skip
    if output_size is None:
        return tuple(default)
    size = list(output_size)
    if len(size) == n + 2 or (len(size) == n + 1 and input.dim() == n + 1):
        size = size[-n:]
    if len(size) != n:
        raise ValueError(
            f"output_size should be a sequence containing {n} or {n + 2} elements, but it has a "
            f"length of '{len(size)}'"
        )
    for i in range(n):
        lo, hi = default[i] - stride[i], default[i] + stride[i]
        if not lo < size[i] < hi:
            raise ValueError(
                f'invalid output_size "{tuple(output_size)}" (dim {i} must be between {lo} '
                f"and {hi})"
            )
    return tuple(int(s) for s in size)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Place each value at its max_pool2d index in a zero plane: a partial inverse."""
    kernel = _pair(kernel_size, "max_unpool2d", "kernel_size must be a single int or a pair")
    stride = kernel if stride is None else _pair(stride, "max_unpool2d", "bad stride")
    padding = _pair(padding, "max_unpool2d", "bad padding")
    out_hw = _unpool_size(input, kernel, stride, padding, output_size, 2)
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError(
            f"Expected shape of indices to be same as that of the input tensor ({input.shape}) "
            f"but got indices tensor with shape: {indices.shape}"
        )
    idx = indices._data
    plane = out_hw[0] * out_hw[1]
    if idx.size and (idx.min() < 0 or idx.max() >= plane):
        bad = idx.min() if idx.min() < 0 else idx.max()
        raise RuntimeError(
            f"Found an invalid max index: {bad} (output volumes are of size "
            f"{out_hw[0]}x{out_hw[1]})"
        )
    out_shape = tuple(input.shape[:-2]) + out_hw
    return apply(MaxUnpool2D, (input,), {"indices": idx, "out_shape": out_shape})


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Place each value at its max_pool1d index in a zero row."""
    k = _one_int(kernel_size, "max_unpool1d", "kernel_size")
    s = k if stride is None else _one_int(stride, "max_unpool1d", "stride")
    p = _one_int(padding, "max_unpool1d", "padding")
    (length,) = _unpool_size(input, (k,), (s,), (p,), output_size, 1)
    out = max_unpool2d(
        input.unsqueeze(-2), indices.unsqueeze(-2), (1, k), (1, s), (0, p), (1, length)
    )
    return out.squeeze(-2)
