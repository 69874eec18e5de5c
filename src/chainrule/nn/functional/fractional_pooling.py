"""Functional forms: fractional_max_pool2d and fractional_max_pool3d (Graham, 2014).

Each plane's windows have the kernel's size and start at pseudo-random places
spread over the input: along each axis, with u a sample in [0, 1) and
alpha = (input - kernel) / (output - 1), window i starts at
int((i + u) * alpha) - int(u * alpha) (the last at input - kernel), computed in
the input's precision as PyTorch's kernel does. The samples are one per plane and
axis, drawn with torch.rand unless given (_random_samples). The windows are
gathered at once; the max is the first greatest value (the last NaN, if any), and
the backward adds each gradient at its max's place (FractionalMaxPool2DBackward0,
whose own backward gathers at the same places).
"""

from __future__ import annotations

import numpy as np

from ... import dtypes
from ...ops.op import Op
from .pooling import MaxPoolScatter

__all__ = [
    "fractional_max_pool2d",
    "fractional_max_pool2d_with_indices",
    "fractional_max_pool3d",
    "fractional_max_pool3d_with_indices",
]


def _starts(samples, size, out, k):
    """(P, out) window starts along one axis, for each plane's sample."""
    dtype = samples.dtype.type
    starts = np.empty((samples.shape[0], out), np.int64)
    if out > 1:
        alpha = dtype(size - k) / dtype(out - 1)
        i = np.arange(out - 1, dtype=samples.dtype)
        first = (samples[:, None] * alpha).astype(np.int64)
        starts[:, :-1] = ((i[None, :] + samples[:, None]) * alpha).astype(np.int64) - first
    starts[:, -1] = size - k
    return starts


def _fractional_max(x, kernel, out, samples):
    """(values, indices flat within each plane) of (..., *spatial) x; samples (P, nd), in
    PyTorch's order (width first for 2-D; time, height, width for 3-D)."""
    nd = len(kernel)
    spatial = x.shape[x.ndim - nd :]
    planes = x.reshape((-1,) + spatial)
    p = planes.shape[0]
    result = x.shape[: x.ndim - nd] + tuple(out)
    if p == 0:  # an empty batch or no channels: no windows
        return np.zeros(result, x.dtype), np.zeros(result, np.int64)
    order = (1, 0) if nd == 2 else (0, 1, 2)  # which sample goes with which axis
    flat = np.zeros((p,) + (1,) * (2 * nd), np.int64)
    for axis in range(nd):
        starts = _starts(samples[:, order[axis]], spatial[axis], out[axis], kernel[axis])
        pos = starts[:, :, None] + np.arange(kernel[axis])[None, None, :]  # (P, out, k)
        # (P, out_0..out_nd-1, k_0..k_nd-1) layout: out on axis 1+axis, k on 1+nd+axis.
        shape = [p] + [1] * (2 * nd)
        shape[1 + axis] = out[axis]
        shape[1 + nd + axis] = kernel[axis]
        stride = int(np.prod(spatial[axis + 1 :]))
        flat = flat + (pos * stride).reshape(shape)
    flat = flat.reshape(p, -1, int(np.prod(kernel)))  # (P, outputs, window), row-major window
    values = np.take_along_axis(planes.reshape(p, -1)[:, :, None], flat.reshape(p, -1, 1), 1)
    values = values.reshape(flat.shape)
    best = values.argmax(-1)
    if x.dtype.kind == "f":
        nan = np.isnan(values)
        if nan.any():
            last_nan = values.shape[-1] - 1 - nan[..., ::-1].argmax(-1)
            best = np.where(nan.any(-1), last_nan, best)
    idx = np.take_along_axis(flat, best[..., None], -1)[..., 0]
    val = np.take_along_axis(values, best[..., None], -1)[..., 0]
    return val.reshape(result), idx.reshape(result)


class FractionalMaxPool2D(Op):
    name = "FractionalMaxPool2DBackward0"
    formula = "d(max over window)/dx = 1 at the window's argmax (the saved index), else 0"
    scatter = None  # set below

    @classmethod
    def forward(cls, ctx, x, *, kernel, out, samples):
        values, indices = _fractional_max(x, kernel, out, samples)
        ctx.save_for_backward(indices)
        ctx.in_shape = x.shape
        return values, indices

    @classmethod
    def backward(cls, ctx, grad, grad_indices=None):
        (indices,) = ctx.saved_tensors
        kw = {"indices": indices._data, "in_shape": ctx.in_shape, "accumulate": True}
        kw["nd"] = cls.nd
        return cls.scatter.apply(grad, **kw)


class FractionalMaxPool2DScatter(MaxPoolScatter):
    name = "FractionalMaxPool2DBackwardBackward0"


class FractionalMaxPool3D(FractionalMaxPool2D):
    name = "FractionalMaxPool3DBackward0"


class FractionalMaxPool3DScatter(MaxPoolScatter):
    name = "FractionalMaxPool3DBackwardBackward0"


FractionalMaxPool2D.scatter, FractionalMaxPool2D.nd = FractionalMaxPool2DScatter, 2
FractionalMaxPool3D.scatter, FractionalMaxPool3D.nd = FractionalMaxPool3DScatter, 3


def _ntuple(v, n, message):
    if isinstance(v, (tuple, list)):
        if len(v) == 1:
            return tuple(v) * n
        if len(v) != n:
            raise RuntimeError(message)
        return tuple(v)
    return (v,) * n


_AXES = {2: ("height", "width"), 3: ("time", "height", "width")}


def _fractional(input, kernel_size, output_size, output_ratio, samples, nd):
    what = f"fractional_max_pool{nd}d"
    if output_size is None and output_ratio is None:
        raise ValueError(f"{what} requires specifying either an output_size or an output_ratio")
    if output_size is None:
        if nd == 2 and isinstance(output_ratio, (tuple, list)) and len(output_ratio) > 2:
            raise ValueError(
                f"{what} requires output_ratio to either be a single Int or tuple of Ints."
            )
        ratio = _ntuple(output_ratio, nd, "")
        output_size = [int(input.shape[input.dim() - nd + i] * ratio[i]) for i in range(nd)]
    if samples is None:
        from ...random.sampling import rand

        if input.dim() < nd + 1:
            d = input.dim()
            raise IndexError(
                f"Dimension out of range (expected to be in range of [{-d}, {d - 1}], but got "
                f"{-(nd + 1)})"
            )
        batch = 1 if input.dim() == nd + 1 else input.shape[0]
        samples = rand(batch, input.shape[input.dim() - nd - 1], nd, dtype=input.dtype)
    kernel = _ntuple(kernel_size, nd, f"{what}: kernel_size must either be a single Int or "
                     "tuple of Ints")  # fmt: skip
    out = _ntuple(output_size, nd, f"{what}: output_size must either be a single Int or tuple "
                  "of Ints")  # fmt: skip
    kernel, out = tuple(int(k) for k in kernel), tuple(int(o) for o in out)
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(
            f"{what}(): Expected {nd + 1}D or {nd + 2}D tensor, but got: {list(input.shape)}"
        )
    if samples._data.dtype != input._data.dtype:
        raise RuntimeError("Expect _random_samples to have the same dtype as input")
    batch = 1 if input.dim() == nd + 1 else input.shape[0]
    if samples.shape[0] < batch:
        raise RuntimeError("Expect _random_samples.size(0) no less then input batch size.")
    spatial = input.shape[input.dim() - nd :]
    suffix = "" if nd == 2 else "_out"
    for axis, (o, k, n) in enumerate(zip(out, kernel, spatial)):
        if o + k - 1 > n:
            name = _AXES[nd][axis]
            raise RuntimeError(
                f"{what}{suffix}(): pool {name} {k} too large relative to input {name} {n}"
            )
    if input._data.dtype.kind != "f":
        raise NotImplementedError(
            f"\"{what}\" not implemented for '{dtypes.scalar_type_name(input.dtype)}'"
        )
    channels = input.shape[input.dim() - nd - 1]
    draws = samples._data[:batch, :channels].reshape(batch * channels, nd)
    op = FractionalMaxPool2D if nd == 2 else FractionalMaxPool3D
    return op.apply(input, kernel=kernel, out=out, samples=draws)


def fractional_max_pool2d_with_indices(
    input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
    _random_samples=None,
):  # fmt: skip
    """Max over kernel_size windows at pseudo-random places, to output_size (or
    output_ratio of the input's size); returns (values, indices)."""
    return _fractional(input, kernel_size, output_size, output_ratio, _random_samples, 2)


def fractional_max_pool2d(
    input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
    _random_samples=None,
):  # fmt: skip
    """Fractional max pooling over (N, C, H, W) or (C, H, W) input."""
    out = _fractional(input, kernel_size, output_size, output_ratio, _random_samples, 2)
    return out if return_indices else out[0]


def fractional_max_pool3d_with_indices(
    input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
    _random_samples=None,
):  # fmt: skip
    """3-D fractional max pooling returning (values, indices)."""
    return _fractional(input, kernel_size, output_size, output_ratio, _random_samples, 3)


def fractional_max_pool3d(
    input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
    _random_samples=None,
):  # fmt: skip
    """Fractional max pooling over (N, C, D, H, W) or (C, D, H, W) input."""
    out = _fractional(input, kernel_size, output_size, output_ratio, _random_samples, 3)
    return out if return_indices else out[0]
