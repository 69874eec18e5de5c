"""Functional forms: max_pool3d, avg_pool3d, adaptive_avg/max_pool3d and max_unpool3d, on
(N, C, D, H, W) or unbatched (C, D, H, W) input: the pooling Ops of pooling.py under their
3-D names, with PyTorch's checks and messages."""

from __future__ import annotations

from ._pool_kernels import avg_divisor
from .pooling import (
    AdaptiveAvgPool3D,
    AdaptiveMaxPool3D,
    AvgPool3D,
    MaxPool3DWithIndices,
    MaxUnpool3D,
    _check_float,
    _not_implemented,
    _pool_output_size,
    _seq,
    _sizes,
    _unpool_size,
)

__all__ = [
    "adaptive_avg_pool3d",
    "adaptive_max_pool3d",
    "adaptive_max_pool3d_with_indices",
    "avg_pool3d",
    "max_pool3d",
    "max_pool3d_with_indices",
    "max_unpool3d",
]


def _triple(v, what, message):
    s = _seq(v)
    if s is None:
        return (int(v),) * 3
    if len(s) == 1:
        return (int(s[0]),) * 3
    if len(s) == 3:
        return tuple(int(i) for i in s)
    raise RuntimeError(f"{what}: {message}")


def _no_stride(stride):
    return stride is None or (_seq(stride) is not None and len(stride) == 0)


def _check_pool3d(shape, kernel, stride, padding, dilation, out):
    """PyTorch's pool3d_shape_check."""
    (kt, kh, kw), (st, sh, sw), (pt, ph, pw), (dt, dh, dw) = kernel, stride, padding, dilation
    if kt <= 0 or kh <= 0 or kw <= 0:
        raise RuntimeError(
            f"kernel size should be greater than zero, but got kT: {kt} kH: {kh} kW: {kw}"
        )
    if st <= 0 or sh <= 0 or sw <= 0:
        raise RuntimeError(
            f"stride should be greater than zero, but got dT: {st} dH: {sh} dW: {sw}"
        )
    if dt <= 0 or dh <= 0 or dw <= 0:
        raise RuntimeError(
            f"dilation should be greater than zero, but got dilationT: {dt} dilationH: {dh} "
            f"dilationW: {dw}"
        )
    if kt // 2 < pt or kw // 2 < pw or kh // 2 < ph:
        raise RuntimeError(
            "pad should be smaller than or equal to half of kernel size, but got "
            f"kT: {kt} kW: {kw} kH: {kh} padT: {pt} padW: {pw} padH: {ph}"
        )
    if any(o < 1 for o in out):
        c, t, h, w = shape[-4:]
        raise RuntimeError(
            f"Given input size: ({c}x{t}x{h}x{w}). Calculated output size: "
            f"({c}x{out[0]}x{out[1]}x{out[2]}). Output size is too small"
        )


def _check_dims(input):
    if input.dim() not in (4, 5) or any(s == 0 for s in input.shape[-4:]):
        raise RuntimeError("non-empty 4D or 5D (batch mode) tensor expected for input")


def _max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    what = "max_pool3d"
    kernel = _triple(kernel_size, what, "kernel_size must either be a single int, or a tuple "
                     "of three ints")  # fmt: skip
    if _no_stride(stride):
        stride = kernel
    else:
        stride = _triple(stride, what, "stride must either be omitted, a single int, or a "
                         "tuple of three ints")  # fmt: skip
    padding = _triple(padding, what, "padding must either be a single int, or a tuple of three "
                      "ints")  # fmt: skip
    dilation = _triple(dilation, what, "dilation must be either a single int, or a tuple of "
                       "three ints")  # fmt: skip
    _check_dims(input)
    if input._data.dtype.kind == "b":
        raise _not_implemented(input, "max_pool3d")
    shape = input.shape
    if any(d <= 0 for d in dilation):
        _check_pool3d(shape, kernel, (1, 1, 1), padding, dilation, (1, 1, 1))
    out = tuple(
        _pool_output_size(shape[i - 3], kernel[i], stride[i], padding[i], dilation[i], ceil_mode)
        for i in range(3)
    )
    _check_pool3d(shape, kernel, stride, padding, dilation, out)
    kwargs = {
        "kernel": kernel,
        "stride": stride,
        "padding": padding,
        "dilation": dilation,
        "out_hw": out,
        "return_indices": return_indices,
    }
    result = MaxPool3DWithIndices.apply(input, **kwargs)
    if type(result) is tuple:
        return result if return_indices else result[0]
    return result


def max_pool3d_with_indices(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
):
    """3-D max pooling returning (values, indices flat within each D*H*W volume)."""
    return _max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool3d(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
):
    """3-D max pooling over (N, C, D, H, W) or (C, D, H, W) input; padding counts as -inf."""
    return _max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def avg_pool3d(
    input,
    kernel_size,
    stride=None,
    padding=0,
    ceil_mode=False,
    count_include_pad=True,
    divisor_override=None,
):
    """3-D average pooling; padding counts as zeros (and in the divisor if count_include_pad)."""
    what = "avg_pool3d"
    kernel = _triple(kernel_size, what, "kernel_size must be a single int, or a tuple of three "
                     "ints")  # fmt: skip
    if _no_stride(stride):
        stride = kernel
    else:
        stride = _triple(stride, what, "stride must be omitted, a single int, or a tuple of "
                         "three ints")  # fmt: skip
    padding = _triple(padding, what, "padding must be a single int, or a tuple of three ints")
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    _check_dims(input)
    if input._data.dtype.kind == "b":
        raise _not_implemented(input, "avg_pool3d")
    shape = input.shape
    spatial = tuple(shape[-3:])
    out = tuple(
        _pool_output_size(spatial[i], kernel[i], stride[i], padding[i], 1, ceil_mode)
        for i in range(3)
    )
    if any(n + 2 * p < k for n, p, k in zip(spatial, padding, kernel)):
        (t, h, w), (kt, kh, kw) = spatial, kernel
        raise RuntimeError(
            f"input image (T: {t} H: {h} W: {w}) smaller than kernel size "
            f"(kT: {kt} kH: {kh} kW: {kw})"
        )
    _check_pool3d(shape, kernel, stride, padding, (1, 1, 1), out)
    divisor = avg_divisor(
        spatial, kernel, stride, padding, out, count_include_pad, divisor_override
    )
    return AvgPool3D.apply(
        input, kernel=kernel, stride=stride, padding=padding, out=out, divisor=divisor
    )


def _adaptive3_size(output_size, shape, what):
    if not isinstance(output_size, (tuple, list)):
        return (int(output_size),) * 3
    if len(shape) <= len(output_size):
        raise ValueError(f"Input dimension should be at least {len(output_size) + 1}")
    size = [d if v is None else int(v) for v, d in zip(output_size, shape[-len(output_size) :])]
    if len(size) != 3:
        raise RuntimeError(f"{what}: output_size must be 3")
    return tuple(size)


def adaptive_avg_pool3d(input, output_size):
    """Average over windows that tile (D, H, W) into output_size cells (None keeps a size)."""
    what = "adaptive_avg_pool3d"
    shape = input.shape
    out = _adaptive3_size(output_size, shape, what)
    if any(o < 0 for o in out):
        raise RuntimeError(
            f"{what}: elements of output_size must be greater than or equal to 0 but received "
            f"{{{out[0]}, {out[1]},{out[2]}}}"
        )
    if input.dim() not in (4, 5):
        raise RuntimeError(f"{what}(): Expected 4D or 5D tensor, but got {_sizes(shape)}")
    _check_float(input, what)
    if out == (1, 1, 1):
        return input.mean((-1, -2, -3), keepdim=True)  # PyTorch's shortcut (MeanBackward1)
    return AdaptiveAvgPool3D.apply(input, out_hw=out)


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=False):
    """3-D adaptive max pooling returning (values, indices)."""
    what = "adaptive_max_pool3d"
    shape = input.shape
    if input.dim() not in (4, 5):
        raise RuntimeError(f"{what}(): Expected 4D or 5D tensor, but got: {_sizes(shape)}")
    out = _adaptive3_size(output_size, shape, what)
    if any(o < 0 for o in out):
        bad = next(o for o in out if o < 0)
        raise RuntimeError(
            f"Trying to create tensor with negative dimension {bad}: "
            f"{_sizes(tuple(shape[:-3]) + out)}"
        )
    _check_float(input, what)
    return AdaptiveMaxPool3D.apply(input, out_hw=out)


def adaptive_max_pool3d(input, output_size, return_indices=False):
    """Max over windows that tile (D, H, W) into output_size cells (None keeps a size)."""
    out = adaptive_max_pool3d_with_indices(input, output_size)
    return out if return_indices else out[0]


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Place each value at its max_pool3d index in a zero volume: a partial inverse."""
    kernel = _triple(kernel_size, "max_unpool3d", "kernel_size must be a single int or a triple")
    stride = kernel if stride is None else _triple(stride, "max_unpool3d", "bad stride")
    padding = _triple(padding, "max_unpool3d", "bad padding")
    out = _unpool_size(input, kernel, stride, padding, output_size, 3)
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError(
            f"Expected shape of indices to be same as that of the input tensor ({input.shape}) "
            f"but got indices tensor with shape: {indices.shape}"
        )
    idx = indices._data
    volume = out[0] * out[1] * out[2]
    if idx.size and (idx.min() < 0 or idx.max() >= volume):
        bad = idx.min() if idx.min() < 0 else idx.max()
        raise RuntimeError(
            f"Found an invalid max index: {bad} (output volumes are of size "
            f"{out[0]}x{out[1]}x{out[2]})"
        )
    out_shape = tuple(input.shape[:-3]) + out
    return MaxUnpool3D.apply(input, indices=idx, out_shape=out_shape, nd=3)
