"""Functional forms: unfold (im2col) and fold (col2im).

unfold gathers every sliding block of a (N, C, H, W) input into the columns of a
(N, C*kh*kw, L) array; fold adds such columns back into an image, summing where
blocks overlap. Each is the other's adjoint, so two Ops carry both derivatives
(PyTorch's Im2ColBackward0 and Col2ImBackward0), each's backward the other. They
reuse the convolution's window geometry and kernels (conv.py): the gather is a
strided view copied once, the scatter one slice add per kernel offset.
"""

from __future__ import annotations

import numpy as np

from ... import dtypes
from ...ops.op import Op
from .conv import _geometry, _offset_slices, _prod, _windows

__all__ = ["fold", "unfold"]


def _im2col(x, geo):
    n, c = x.shape[:2]
    cols = _windows(x, geo, False)  # in the shared scratch buffer: copied out
    return np.array(cols.reshape(n, c * _prod(geo.kernel), _prod(geo.y_size)))


def _col2im(cols, geo):
    n = cols.shape[0]
    c = cols.shape[1] // _prod(geo.kernel)
    spatial, lo = geo.x_size, geo.pad_lo
    padded = tuple(size + a + b for size, a, b in zip(spatial, lo, geo.pad_hi))
    blocks = cols.reshape(n, c, *geo.kernel, *geo.y_size)
    buf = np.zeros((n, c, *padded), cols.dtype)
    every = slice(None)
    for offset, where in _offset_slices(geo):
        buf[(every, every, *where)] += blocks[(every, every, *offset)]
    inner = tuple(slice(a, a + size) for size, a in zip(spatial, lo))
    return np.ascontiguousarray(buf[(every, every, *inner)])


class Im2Col(Op):
    name = "Im2ColBackward0"
    formula = "linear: d(unfold(x))/dx is fold (each column added back onto its block)"

    @staticmethod
    def forward(ctx, x, *, geo):
        ctx.geo = geo
        return _im2col(x, geo)

    @staticmethod
    def backward(ctx, grad):
        return Col2Im.apply(grad, geo=ctx.geo)


class Col2Im(Op):
    name = "Col2ImBackward0"
    formula = "linear: d(fold(cols))/dcols is unfold (each block read back into its column)"

    @staticmethod
    def forward(ctx, cols, *, geo):
        ctx.geo = geo
        return _col2im(cols, geo)

    @staticmethod
    def backward(ctx, grad):
        return Im2Col.apply(grad, geo=ctx.geo)


def _pair(v, name):
    if isinstance(v, (tuple, list)):
        if len(v) != 2:
            raise RuntimeError(f"It is expected {name} equals to 2, but got size {len(v)}")
        return tuple(int(i) for i in v)
    return (int(v), int(v))


def _check_args(kernel, dilation, padding, stride):
    """PyTorch's im2col/col2im argument checks, in its order and words."""
    (kh, kw), (dh, dw), (ph, pw), (sh, sw) = kernel, dilation, padding, stride
    if kh <= 0 or kw <= 0:
        raise RuntimeError(
            f"kernel size should be greater than zero, but got kernel_height: {kh} "
            f"kernel_width: {kw}"
        )
    if sh <= 0 or sw <= 0:
        raise RuntimeError(
            f"stride should be greater than zero, but got stride_height: {sh} stride_width: {sw}"
        )
    if dh <= 0 or dw <= 0:
        raise RuntimeError(
            f"dilation should be greater than zero, but got dilation_height: {dh} "
            f"dilation_width: {dw}"
        )
    if ph < 0 or pw < 0:
        raise RuntimeError(
            f"padding should be non-negative, but got pad_height: {ph} pad_width: {pw}"
        )


def _blocks(size, kernel, dilation, padding, stride):
    return tuple(
        (size[i] + 2 * padding[i] - (dilation[i] * (kernel[i] - 1) + 1)) // stride[i] + 1
        for i in range(2)
    )


def _float_kernel(input, name):
    if input._data.dtype.kind != "f":
        raise NotImplementedError(
            f"\"{name}\" not implemented for '{dtypes.scalar_type_name(input.dtype)}'"
        )


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Every sliding kernel_size block of (N, C, H, W) (or (C, H, W)) input as a column:
    (N, C * prod(kernel_size), L), L the number of blocks."""
    d = input.dim()
    if d < 3:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-d}, {d - 1}], "
                         "but got 2)")  # fmt: skip
    kernel = _pair(kernel_size, "kernel_size")
    dilation = _pair(dilation, "dilation")
    padding = _pair(padding, "padding")
    stride = _pair(stride, "stride")
    _check_args(kernel, dilation, padding, stride)
    shape = tuple(input.shape)
    if d not in (3, 4) or any(s == 0 for s in shape[d - 3 :]):
        raise RuntimeError(
            "Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other "
            f"non-zero dimensions for input, but got: {list(shape)}"
        )
    size = shape[-2:]
    blocks = _blocks(size, kernel, dilation, padding, stride)
    if blocks[0] < 1 or blocks[1] < 1:
        raise RuntimeError(
            f"Given input with spatial size {tuple(size)}, kernel_size={kernel}, "
            f"dilation={dilation}, padding={padding}, calculated shape of the array of sliding "
            f"blocks as {blocks}, but its components must be at least one."
        )
    _float_kernel(input, "im2col_out_cpu")
    batched = d == 4
    x = input if batched else input.unsqueeze(0)
    geo = _geometry(2, 1, stride, dilation, padding, size, kernel)
    out = Im2Col.apply(x, geo=geo)
    return out if batched else out.squeeze(0)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """The adjoint of unfold: (N, C * prod(kernel_size), L) columns summed back into a
    (N, C, *output_size) image (or unbatched (C * prod, L) -> (C, *output_size))."""
    size = _pair(output_size, "output_size")
    kernel = _pair(kernel_size, "kernel_size")
    dilation = _pair(dilation, "dilation")
    padding = _pair(padding, "padding")
    stride = _pair(stride, "stride")
    _check_args(kernel, dilation, padding, stride)
    shape = tuple(input.shape)
    d = len(shape)
    if d not in (2, 3) or any(s == 0 for s in shape[d - 2 :]):
        raise RuntimeError(
            "Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and "
            f"non-zero dimensions for input, but got: {list(shape)}"
        )
    k = kernel[0] * kernel[1]
    if shape[-2] % k:
        raise RuntimeError(
            "Expected size of input's dimension 1 to be divisible by the product of "
            f"kernel_size, but got input.size(1)={shape[-2]} and kernel_size={kernel}."
        )
    blocks = _blocks(size, kernel, dilation, padding, stride)
    if blocks[0] * blocks[1] != shape[-1]:
        raise RuntimeError(
            f"Given output_size={size}, kernel_size={kernel}, dilation={dilation}, "
            f"padding={padding}, stride={stride}, expected size of input's dimension 2 to "
            f"match the calculated number of sliding blocks {blocks[0]} * {blocks[1]} = "
            f"{blocks[0] * blocks[1]}, but got input.size(2)={shape[-1]}."
        )
    if blocks[0] < 1 or blocks[1] < 1:
        raise RuntimeError(
            f"Given output_size={size}, kernel_size={kernel}, dilation={dilation}, "
            f"padding={padding}, stride={stride}, calculated shape of the array of sliding "
            f"blocks as {blocks}, but its components must be at least one."
        )
    _float_kernel(input, "col2im_out_cpu")
    batched = d == 3
    cols = input if batched else input.unsqueeze(0)
    geo = _geometry(2, 1, stride, dilation, padding, size, kernel)
    out = Col2Im.apply(cols, geo=geo)
    return out if batched else out.squeeze(0)
