"""Functional form: interpolate (nearest, nearest-exact, linear, bilinear, bicubic,
trilinear, area) over 1, 2 or 3 spatial dims, and the deprecated upsample,
upsample_nearest and upsample_bilinear.

Resizing is separable: each spatial axis is read at source indices (nearest) or
as a weighted sum of taps (two for linear, four for cubic), with PyTorch's index
and weight formulas in the input's precision. The forward gathers with np.take, so values are exact
copies or PyTorch's two-tap sums; the backward applies each axis's (out, in)
weight matrix transposed. Both are linear, and each one's backward is the
other, so interpolation is differentiable twice.
"""

import math
import warnings

import numpy as np

from ... import dtypes
from ...ops.op import Op, apply
from .pooling import adaptive_avg_pool1d, adaptive_avg_pool2d
from .pooling3d import adaptive_avg_pool3d

__all__ = ["interpolate", "upsample", "upsample_bilinear", "upsample_nearest"]


def _axis_matrix(spec, in_size, dtype):
    """The (out, in) matrix of one axis's interpolation."""
    if spec[0] == "nearest":
        idx = spec[1]
        m = np.zeros((idx.shape[0], in_size), dtype)
        m[np.arange(idx.shape[0]), idx] = 1
        return m
    _, idxs, weights = spec
    m = np.zeros((idxs[0].shape[0], in_size), dtype)
    rows = np.arange(idxs[0].shape[0])
    for i, w in zip(idxs, weights):
        np.add.at(m, (rows, i), w.astype(dtype))
    return m


def _resize(x, specs):
    """x resized along its last len(specs) axes; linear taps summed as PyTorch's kernel does
    (the last axis innermost)."""
    first = x.ndim - len(specs)
    return _resize_from(x, specs, first)


def _resize_from(x, specs, axis):
    spec = specs[0]
    if spec[0] == "nearest":
        y = np.take(x, spec[1], axis=axis)
        return y if len(specs) == 1 else _resize_from(y, specs[1:], axis + 1)
    _, idxs, weights = spec
    shape = (-1,) + (1,) * (x.ndim - axis - 1)
    out = None
    for i, w in zip(idxs, weights):
        t = np.take(x, i, axis=axis)
        if len(specs) > 1:
            t = _resize_from(t, specs[1:], axis + 1)
        t = t * w.astype(x.dtype).reshape(shape)
        if out is None:
            out = t
        else:
            out += t
    return out


def _resize_transpose(g, specs, in_shape):
    n = len(specs)
    for k, spec in enumerate(specs):
        axis = g.ndim - n + k
        m = _axis_matrix(spec, in_shape[axis], g.dtype)
        g = np.moveaxis(np.tensordot(g, m, axes=([axis], [0])), -1, axis)
    return np.ascontiguousarray(g)


def _backward_name(node):
    return type(node).__name__[: -len("Backward0")] + "BackwardBackward0"


class Upsample(Op):
    """Nearest and linear resizing; the grad_fn name (UpsampleNearest2DBackward0,
    UpsampleBilinear2DBackward0, ...) is given where it is applied."""

    name = "UpsampleNearest2DBackward0"
    formula = "linear: d(resize(x))/dx is the transposed resize (each gradient back to its taps)"

    @staticmethod
    def forward(ctx, x, *, specs):
        ctx.specs, ctx.in_shape = specs, x.shape
        return _resize(x, specs)

    @staticmethod
    def backward(ctx, grad):
        kwargs = {"specs": ctx.specs, "in_shape": ctx.in_shape}
        return apply(UpsampleBackward, (grad,), kwargs, _backward_name(ctx))


class UpsampleBackward(Op):
    name = "UpsampleNearest2DBackwardBackward0"
    formula = "linear in g: its derivative is the resize itself"

    @staticmethod
    def forward(ctx, g, *, specs, in_shape):
        ctx.specs = specs
        return _resize_transpose(g, specs, in_shape)

    @staticmethod
    def backward(ctx, grad):
        name = type(ctx).__name__.replace("BackwardBackward0", "Backward0")
        return apply(Upsample, (grad,), {"specs": ctx.specs}, name)


# -- PyTorch's source indices and weights ---------------------------------------------


def _nearest_spec(in_size, out_size, scale, exact):
    dst = np.arange(out_size)
    if not exact and out_size == in_size:
        return ("nearest", dst)
    if not exact and out_size == 2 * in_size:
        return ("nearest", dst >> 1)
    if scale is not None and scale > 0:
        s = np.float32(1.0 / scale)
    else:
        s = np.float32(in_size) / np.float32(out_size)
    pos = (dst.astype(np.float32) + np.float32(0.5)) * s if exact else dst.astype(np.float32) * s
    return ("nearest", np.minimum(np.floor(pos).astype(np.int64), in_size - 1))


def _linear_spec(in_size, out_size, scale, align_corners, dtype):
    t = np.float32 if dtype == np.float32 or dtype.kind != "f" else dtype.type
    dst = np.arange(out_size).astype(t)
    if align_corners:
        s = t(in_size - 1) / t(out_size - 1) if out_size > 1 else t(0)
        src = s * dst
    else:
        s = t(1.0 / scale) if scale is not None and scale > 0 else t(in_size) / t(out_size)
        src = np.maximum(s * (dst + t(0.5)) - t(0.5), t(0))
    i0 = np.minimum(np.floor(src).astype(np.int64), in_size - 1)
    lam = np.clip(src - i0.astype(t), t(0), t(1))
    i1 = i0 + (i0 < in_size - 1)
    return ("taps", (i0, i1), (t(1) - lam, lam))


_CUBIC_A = -0.75  # PyTorch's (and OpenCV's) cubic convolution parameter


def _cubic_spec(in_size, out_size, scale, align_corners, dtype):
    """Four taps per output: the cubic convolution kernel at the distances to the source
    neighbours floor(x)-1 .. floor(x)+2, read clamped to the edge."""
    t = np.float32 if dtype == np.float32 or dtype.kind != "f" else dtype.type
    dst = np.arange(out_size).astype(t)
    if align_corners:
        s = t(in_size - 1) / t(out_size - 1) if out_size > 1 else t(0)
        src = s * dst
    else:
        s = t(1.0 / scale) if scale is not None and scale > 0 else t(in_size) / t(out_size)
        src = s * (dst + t(0.5)) - t(0.5)  # no clamp at 0 for cubic
    floor = np.floor(src)
    x = src - floor
    base = floor.astype(np.int64)
    a = t(_CUBIC_A)
    one, two = t(1), t(2)

    def near(d):  # |d| <= 1
        return ((a + two) * d - (a + t(3))) * d * d + one

    def far(d):  # 1 < |d| < 2
        return ((a * d - t(5) * a) * d + t(8) * a) * d - t(4) * a

    weights = (far(x + one), near(x), near(one - x), far(two - x))
    idxs = tuple(np.clip(base - 1 + k, 0, in_size - 1) for k in range(4))
    return ("taps", idxs, weights)


def _apply_resize(input, out_sizes, scales, mode, align_corners, name):
    spatial = tuple(input.shape[2:])
    if any(o <= 0 for o in out_sizes) or any(i <= 0 for i in spatial):
        labels = "DHW"[-len(spatial) :]
        ins = ", ".join(f"{c}: {v}" for c, v in zip(labels, spatial))
        outs = ", ".join(f"{c}: {v}" for c, v in zip(labels, out_sizes))
        sep = " and" if len(spatial) == 1 else ""
        raise RuntimeError(
            f"Input and output sizes should be greater than 0, but got input ({ins}){sep} "
            f"output ({outs})"
        )
    kind = input._data.dtype.kind
    if kind != "f":
        type_name = dtypes.scalar_type_name(input.dtype)
        kernel = name.replace("Backward0", "").replace("Upsample", "upsample_").lower()
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{type_name}'")
    specs = []
    for i, (n_in, n_out) in enumerate(zip(spatial, out_sizes)):
        scale = None if scales is None else scales[i]
        if mode in ("nearest", "nearest-exact"):
            specs.append(_nearest_spec(n_in, n_out, scale, mode == "nearest-exact"))
        elif mode == "bicubic":
            specs.append(_cubic_spec(n_in, n_out, scale, align_corners, input._data.dtype))
        else:
            specs.append(_linear_spec(n_in, n_out, scale, align_corners, input._data.dtype))
    return apply(Upsample, (input,), {"specs": tuple(specs)}, name)


_MODES = "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact"
_NAMES = {
    ("nearest", 1): "UpsampleNearest1DBackward0",
    ("nearest", 2): "UpsampleNearest2DBackward0",
    ("nearest-exact", 1): "UpsampleNearestExact1DBackward0",
    ("nearest-exact", 2): "UpsampleNearestExact2DBackward0",
    ("nearest", 3): "UpsampleNearest3DBackward0",
    ("nearest-exact", 3): "UpsampleNearestExact3DBackward0",
    ("linear", 1): "UpsampleLinear1DBackward0",
    ("bilinear", 2): "UpsampleBilinear2DBackward0",
    ("bicubic", 2): "UpsampleBicubic2DBackward0",
    ("trilinear", 3): "UpsampleTrilinear3DBackward0",
}
_NEEDS = {"linear": 3, "bilinear": 4, "trilinear": 5}


def interpolate(
    input,
    size=None,
    scale_factor=None,
    mode="nearest",
    align_corners=None,
    recompute_scale_factor=None,
    antialias=False,
):
    """Resize the spatial dims of (N, C, L), (N, C, H, W) or (N, C, D, H, W) input to size,
    or by scale_factor."""
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError(
                "align_corners option can only be set with the interpolating modes: "
                "linear | bilinear | bicubic | trilinear"
            )
    elif align_corners is None:
        align_corners = False
    dim = input.dim() - 2
    spatial = list(input.shape[2:])
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise ValueError(
                    "Input and output must have the same number of spatial dimensions, but got "
                    f"input with spatial dimensions of {spatial} and output size of {size}. "
                    "Please provide input tensor in (N, C, d1, d2, ...,dK) format and output "
                    "size in (o1, o2, ...,oK) format."
                )
            output_size = [int(s) for s in size]
        else:
            output_size = [int(size)] * dim
        scale_factors = None
    elif scale_factor is not None:
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != dim:
                raise ValueError(
                    "Input and scale_factor must have the same number of spatial dimensions, but "
                    f"got input with spatial dimensions of {spatial} and scale_factor of shape "
                    f"{scale_factor}. Please provide input tensor in (N, C, d1, d2, ...,dK) format "
                    "and scale_factor in (s1, s2, ...,sK) format."
                )
            scale_factors = [float(s) for s in scale_factor]
        else:
            scale_factors = [float(scale_factor)] * dim
        output_size = None
    else:
        raise ValueError("either size or scale_factor should be defined")
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if mode == "area" and output_size is None:
        recompute_scale_factor = True
    if recompute_scale_factor:
        output_size = [math.floor(float(spatial[i]) * scale_factors[i]) for i in range(dim)]
        scale_factors = None
    if mode == "lanczos" and not antialias:
        raise ValueError("Lanczos mode requires antialias=True")
    if antialias and not (mode in ("bilinear", "bicubic") and input.dim() == 4):
        raise ValueError(
            "Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and "
            "requires a 4-D tensor as input"
        )
    if output_size is None:
        output_size = [int(float(spatial[i]) * scale_factors[i]) for i in range(dim)]
    if mode in _NEEDS and input.dim() != _NEEDS[mode] and input.dim() in (3, 4, 5):
        raise NotImplementedError(
            f"Got {input.dim()}D input, but {mode} mode needs {_NEEDS[mode]}D input"
        )
    if input.dim() not in (3, 4, 5) or mode not in _MODES.split(" | "):
        raise NotImplementedError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.dim()}D) for "
            f"the modes: {_MODES} (got {mode})"
        )
    if mode == "area":
        if dim == 1:
            return adaptive_avg_pool1d(input, output_size[0])
        pool = adaptive_avg_pool2d if dim == 2 else adaptive_avg_pool3d
        return pool(input, output_size)
    name = _NAMES.get((mode, dim))
    if name is None and not antialias and mode != "lanczos":
        raise NotImplementedError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.dim()}D) for "
            f"the modes: {_MODES} (got {mode})"
        )
    if name is None or antialias:
        what = f"mode={mode!r} with antialias" if antialias else f"mode={mode!r} on {dim}-D input"
        raise NotImplementedError(f"chainrule: interpolate with {what} is not supported yet")
    return _apply_resize(input, output_size, scale_factors, mode, align_corners, name)


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Deprecated alias of interpolate."""
    warnings.warn(
        "`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` instead.",
        stacklevel=2,
    )
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """Deprecated: interpolate with mode='nearest'."""
    warnings.warn(
        "`nn.functional.upsample_nearest` is deprecated. Use `nn.functional.interpolate` instead.",
        stacklevel=2,
    )
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """Deprecated: interpolate with mode='bilinear' and align_corners=True."""
    warnings.warn(
        "`nn.functional.upsample_bilinear` is deprecated. Use `nn.functional.interpolate` instead.",
        stacklevel=2,
    )
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)
