"""Functional forms: grid_sample and affine_grid (spatial transformers).

grid_sample reads a (N, C, *spatial) input at the normalised places of a grid
(coordinates in [-1, 1], x first), with bilinear, nearest or (2-D) bicubic
interpolation and zeros, border or reflection padding, following PyTorch's
kernel: unnormalise, then reflect and clip (bilinear, nearest) or clip each tap
(bicubic). It is one Op (GridSampler2DBackward0 / GridSampler3DBackward0): the
forward gathers the taps' values in NumPy; the backward scatters the gradient
back to the taps (scatter_add) and, for the grid, sums each tap's value times the
derivative of its weight, in chainrule ops, with the weights recomputed from the
grid as tensors, so both derivatives can be differentiated again.

Each axis's taps are (index, weight, d weight / d coordinate); a tap's weight in
2-D or 3-D is the product over axes. The coordinate after padding is written as
c * m + b, m the padding's derivative (1, -1 for a reflection, 0 where clipped),
so that it stays a differentiable function of the grid.

affine_grid is theta applied to the base grid of normalised coordinates: one Op
(AffineGridGeneratorBackward0) whose backward is a batched matmul.
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np

from ... import dtypes
from ...autograd.grad_mode import no_grad
from ...ops.op import Op
from ...tensor import Tensor

__all__ = ["affine_grid", "grid_sample"]

_wrap = Tensor._wrap
_CUBIC_A = -0.75

_ALIGN_WARNING = (
    "Default grid_sample and affine_grid behavior has changed to align_corners=False since "
    "1.3.0. Please specify align_corners=True if the old behavior is desired. See the "
    "documentation of grid_sample for details."
)


def _reflect(c, lo2, hi2):
    """PyTorch's reflect_coordinates, with its derivative (+1 or -1)."""
    if lo2 == hi2:
        return np.zeros_like(c), np.zeros_like(c)
    low, span = lo2 / 2, (hi2 - lo2) / 2
    c = c - low
    sign = np.where(c < 0, -1.0, 1.0).astype(c.dtype)
    c = np.abs(c)
    extra = np.fmod(c, span)
    flips = np.floor(c / span)
    even = np.fmod(flips, 2) == 0
    value = np.where(even, extra + low, span - extra + low).astype(c.dtype)
    return value, np.where(even, sign, -sign).astype(c.dtype)


def _clip(c, size):
    """PyTorch's clip_coordinates, with its derivative (0 where clipped)."""
    limit = size - 1
    inside = (c > 0) & (c < limit)
    return np.clip(c, 0, limit).astype(c.dtype), inside.astype(c.dtype)


def _pad(c, size, padding, align):
    """(coordinate, derivative) after the padding mode's reflect and clip."""
    one = np.ones_like(c)
    if padding == "border":
        return _clip(c, size)
    if padding == "reflection":
        if align:
            c, m = _reflect(c, 0, 2 * (size - 1))
        else:
            c, m = _reflect(c, -1, 2 * size - 1)
        c, m2 = _clip(c, size)
        return c, m * m2
    return c, one


def _unnormalize(g, size, align):
    """Grid coordinates in [-1, 1] as source positions, and their scale."""
    scale = (size - 1) / 2 if align else size / 2
    if align:
        return ((g + 1) / 2) * (size - 1), scale
    return ((g + 1) * size - 1) / 2, scale


def _cubic(t, t_tensor):
    """The four cubic convolution weights at distances t+1, t, 1-t, 2-t, and their
    derivatives in t; as tensors from t_tensor (a chainrule tensor of t)."""
    a = _CUBIC_A

    def near(x):
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def near_d(x):  # d/dx
        return (3 * (a + 2) * x - 2 * (a + 3)) * x

    def far(x):
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    def far_d(x):
        return (3 * a * x - 10 * a) * x + 8 * a

    one = 1 - t_tensor
    two = 2 - t_tensor
    weights = (far(t_tensor + 1), near(t_tensor), near(one), far(two))
    # d/dt of w(1 - t) is -w'(1 - t).
    slopes = (far_d(t_tensor + 1), near_d(t_tensor), -near_d(one), -far_d(two))
    return weights, slopes


def _axis_taps(coord, size, mode, padding, align):
    """The taps along one axis for coordinates `coord` (a tensor, (N, P)): a list of
    (index array, in-bounds mask, weight tensor, d weight / d coordinate tensor), and
    d coordinate / d grid as an array."""
    g = coord._data
    c, scale = _unnormalize(g, size, align)
    if mode == "bicubic":
        m = np.ones_like(c)
    else:
        c, m = _pad(c, size, padding, align)
    # c as a differentiable function of the grid: coord * (scale * m) + offset.
    factor = (scale * m).astype(g.dtype)
    c_tensor = coord * _wrap(factor) + _wrap((c - g * factor).astype(g.dtype))
    taps = []
    if mode == "nearest":
        idx = np.rint(c).astype(np.int64)
        ones = _wrap(np.ones_like(c))
        taps.append((idx, (idx >= 0) & (idx < size), ones, ones * 0))
        return taps, factor
    floor = np.floor(c)
    t = c_tensor - _wrap(floor)
    base = floor.astype(np.int64)
    if mode == "bilinear":
        taps.append((base, (base >= 0) & (base < size), 1 - t, _wrap(-np.ones_like(c))))
        taps.append((base + 1, (base + 1 >= 0) & (base + 1 < size), t, _wrap(np.ones_like(c))))
        return taps, factor
    weights, slopes = _cubic(t._data, t)
    for k in range(4):
        idx = base - 1 + k
        if padding != "zeros":
            # Each tap's index goes through the padding mode (its derivative plays no part).
            idx = _pad(idx.astype(g.dtype), size, padding, align)[0].astype(np.int64)
        taps.append((idx, (idx >= 0) & (idx < size), weights[k], slopes[k]))
    return taps, factor


def _taps(grid, spatial, mode, padding, align):
    """All taps of a grid over the input's spatial dims: for each combination, its flat
    index into the plane (clamped in range), its in-bounds mask, its weight tensor, and
    per axis d weight / d coordinate; plus each axis's d coordinate / d grid."""
    nd = len(spatial)
    n = grid.shape[0]
    flat_grid = grid.reshape(n, -1, nd)
    per_axis, factors = [], []
    for axis in range(nd):
        # The grid's last dim lists x (the last spatial axis) first.
        coord = flat_grid[:, :, nd - 1 - axis]
        taps, factor = _axis_taps(coord, spatial[axis], mode, padding, align)
        per_axis.append(taps)
        factors.append(factor)
    strides = [int(np.prod(spatial[a + 1 :])) for a in range(nd)]
    combos = []
    for combo in itertools.product(*per_axis):
        flat = sum(np.clip(tap[0], 0, spatial[a] - 1) * strides[a] for a, tap in enumerate(combo))
        valid = np.logical_and.reduce([tap[1] for tap in combo])
        weight = combo[0][2]
        for tap in combo[1:]:
            weight = weight * tap[2]
        slopes = []
        for a in range(nd):
            s = combo[a][3]
            for b, tap in enumerate(combo):
                if b != a:
                    s = s * tap[2]
            slopes.append(s)
        combos.append((flat, valid, weight, slopes))
    return combos, factors


def _sample(x, combos):
    """The forward on arrays: (N, C, P) sums of each tap's weight times its value."""
    n, c = x.shape[:2]
    planes = x.reshape(n, c, -1)
    out = None
    for flat, valid, weight, _ in combos:
        v = np.take_along_axis(planes, flat[:, None, :], 2)
        w = np.where(valid, weight._data, 0).astype(x.dtype)
        term = v * w[:, None, :]
        if out is None:
            out = term
        else:
            out += term
    return out


class GridSampler(Op):
    name = "GridSampler2DBackward0"
    formula = (
        "out = sum over taps of w(grid) * x[tap]: dx = the gradient times w scattered to the "
        "taps, dgrid = sum over taps of x[tap] * dw/dgrid * g"
    )

    @staticmethod
    def forward(ctx, x, grid, *, mode, padding, align):
        spatial = x.shape[2:]
        with no_grad():
            combos, _ = _taps(_wrap(grid), spatial, mode, padding, align)
        out = _sample(x, combos)
        ctx.save_for_backward(x, grid)
        ctx.settings = (mode, padding, align)
        return out.reshape(x.shape[:2] + grid.shape[1:-1])

    @staticmethod
    def backward(ctx, grad):
        from ...ops.creation import zeros
        from ...ops.indexing import gather, scatter_add
        from ...ops.joining import cat, stack

        x, grid = ctx.saved_tensors
        mode, padding, align = ctx.settings
        needs = ctx.needs_input_grad
        n, c = x.shape[:2]
        spatial = tuple(x.shape[2:])
        nd = len(spatial)
        combos, factors = _taps(grid, spatial, mode, padding, align)
        g = grad.reshape(n, c, -1)
        dx = dgrid = None
        if needs[0]:
            index = np.concatenate([flat for flat, _, _, _ in combos], 1)
            src = cat(
                [
                    g * (w * _wrap(valid.astype(g._data.dtype))).unsqueeze(1)
                    for _, valid, w, _ in combos
                ],
                2,
            )
            index = _wrap(np.broadcast_to(index[:, None, :], (n, c, index.shape[1])).copy())
            dx = scatter_add(zeros((n, c, int(np.prod(spatial))), dtype=x.dtype), 2, index, src)
            dx = dx.reshape(x.shape)
        if needs[1] and mode != "nearest":
            planes = x.reshape(n, c, -1)
            per_axis = [None] * nd
            for flat, valid, _, slopes in combos:
                index = _wrap(np.broadcast_to(flat[:, None, :], (n, c, flat.shape[1])).copy())
                seen = (gather(planes, 2, index) * g).sum(1)
                seen = seen * _wrap(valid.astype(g._data.dtype))
                for a in range(nd):
                    term = seen * slopes[a]
                    per_axis[a] = term if per_axis[a] is None else per_axis[a] + term
            components = [per_axis[a] * _wrap(factors[a]) for a in range(nd)]
            dgrid = stack(components[::-1], -1).reshape(grid.shape)
        elif needs[1]:
            dgrid = zeros(tuple(grid.shape), dtype=grid.dtype)  # nearest: piecewise constant
        return dx, dgrid


class GridSampler3D(GridSampler):
    name = "GridSampler3DBackward0"


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    """input (N, C, H, W) read at grid (N, Ho, Wo, 2) -> (N, C, Ho, Wo); or (N, C, D, H, W)
    at (N, Do, Ho, Wo, 3). Grid values in [-1, 1] span the input (x, then y, then z)."""
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError(
            "nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or "
            f"'bicubic', but got: '{mode}'"
        )
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(
            "nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
            f"'reflection', but got: '{padding_mode}'"
        )
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    nd = input.dim() - 2
    if grid.shape[-1] != nd:
        raise RuntimeError(
            f"grid_sampler(): expected grid to have size {nd} in last dimension, but got grid "
            f"with sizes {list(grid.shape)}"
        )
    if input.dim() not in (4, 5) or grid.dim() != input.dim():
        raise RuntimeError(
            "grid_sampler(): expected 4D or 5D input and grid with same number of dimensions, "
            f"but got input with sizes {list(input.shape)} and grid with sizes "
            f"{list(grid.shape)}"
        )
    if input.shape[0] != grid.shape[0]:
        raise RuntimeError(
            "grid_sampler(): expected grid and input to have same batch size, but got input "
            f"with sizes {list(input.shape)} and grid with sizes {list(grid.shape)}"
        )
    if mode == "bicubic" and nd != 2:
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    if grid._data.dtype != input._data.dtype:
        raise RuntimeError(
            f"expected scalar type {dtypes.scalar_type_name(input.dtype)} but found "
            f"{dtypes.scalar_type_name(grid.dtype)}"
        )
    if input._data.dtype.kind != "f":
        raise NotImplementedError(
            f"\"grid_sampler_2d_cpu\" not implemented for '{dtypes.scalar_type_name(input.dtype)}'"
        )
    op = GridSampler if nd == 2 else GridSampler3D
    return op.apply(input, grid, mode=mode, padding=padding_mode, align=bool(align_corners))


def _base_grid(spatial, align, dtype):
    """(prod(spatial), nd + 1) rows of (x, y[, z], 1): the normalised output coordinates."""
    from ...ops.creation import linspace

    axes = []
    for size in spatial:
        if size <= 1:
            axes.append(np.zeros(1, dtype))
        else:
            a = 1.0 if align else (size - 1) / size
            axes.append(linspace(-a, a, size, dtype=dtypes.to_dtype(dtype))._data)
    mesh = np.meshgrid(*axes, indexing="ij")  # (D,) H, W
    columns = [m.reshape(-1) for m in mesh[::-1]] + [np.ones(mesh[0].size, dtype)]
    return np.stack(columns, 1).astype(dtype)


class AffineGridGenerator(Op):
    name = "AffineGridGeneratorBackward0"
    formula = "grid = base @ theta^T: dtheta = g^T @ base (summed over positions)"

    @staticmethod
    def forward(ctx, theta, *, size, align):
        spatial = size[2:]
        base = _base_grid(spatial, align, theta.dtype)
        ctx.base = base
        out = np.matmul(base[None], np.swapaxes(theta, 1, 2))
        return out.reshape((size[0], *spatial, len(spatial)))

    @staticmethod
    def backward(ctx, grad):
        base = _wrap(ctx.base)
        n = grad.shape[0]
        g = grad.reshape(n, -1, grad.shape[-1])
        return g.transpose(1, 2).matmul(base)


def affine_grid(theta, size, align_corners=None):
    """The (N, H, W, 2) (or (N, D, H, W, 3)) grid of the affine maps theta (N, 2, 3) (or
    (N, 3, 4)) over an output of size (N, C, H, W) (or (N, C, D, H, W)), for grid_sample."""
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    if theta._data.dtype.kind != "f":
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    if len(size) == 4:
        if theta.dim() != 3 or theta.shape[-2] != 2 or theta.shape[-1] != 3:
            raise ValueError(
                f"Expected a batch of 2D affine matrices of shape Nx2x3 for size {size}. Got "
                f"{theta.shape}."
            )
        spatial = size[-2:]
    elif len(size) == 5:
        if theta.dim() != 3 or theta.shape[-2] != 3 or theta.shape[-1] != 4:
            raise ValueError(
                f"Expected a batch of 3D affine matrices of shape Nx3x4 for size {size}. Got "
                f"{theta.shape}."
            )
        spatial = size[-3:]
    else:
        raise NotImplementedError(
            "affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
            f"respectively. Got size {size}."
        )
    if align_corners and min(spatial) == 1:
        warnings.warn(
            "Since version 1.3.0, affine_grid behavior has changed for unit-size grids when "
            "align_corners=True. This is not an intended use case of affine_grid. See the "
            "documentation of affine_grid for details.",
            stacklevel=2,
        )
    elif min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    size = tuple(int(s) for s in size)
    return AffineGridGenerator.apply(theta, size=size, align=bool(align_corners))
