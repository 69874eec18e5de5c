"""Functional form: pad (constant, reflect, replicate, circular).

Constant padding is one op whose gradient is the same op with the widths
negated (a crop), so it is differentiable any number of times. The other
modes read every output element from one input element: each padded dim has
an index map, the forward gathers along it and the backward adds the gradient
back along it (runs of consecutive indices as slice adds, a replicated edge
as one sum); each of the two is the other's backward.
"""

import numpy as np

from ...ops.op import NULL_CTX, Op, apply
from ...tensor import Tensor

__all__ = ["pad"]

_MODES = ("constant", "reflect", "replicate", "circular")
_UNSUPPORTED = (
    "Padding size {size} is not supported for {dim}D input tensor.\n"
    "Supported combinations for non-constant padding:\n"
    "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
    "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
    "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)"
)


class ConstantPadNd(Op):
    name = "ConstantPadNdBackward0"
    formula = "d(pad(x, p, value))/dx = pad(g, -p): the gradient cropped back"

    @staticmethod
    def forward(ctx, x, *, widths, value):
        # widths: (before, after) per dim of x, negative to crop.
        shape = tuple(n + a + b for n, (a, b) in zip(x.shape, widths))
        src = tuple(slice(max(-a, 0), n - max(-b, 0)) for n, (a, b) in zip(x.shape, widths))
        dst = tuple(slice(max(a, 0), m - max(b, 0)) for m, (a, b) in zip(shape, widths))
        if all(a >= 0 and b >= 0 for a, b in widths):
            out = np.full(shape, value, x.dtype) if value else np.zeros(shape, x.dtype)
        else:
            out = np.empty(shape, x.dtype)
            if any(a > 0 or b > 0 for a, b in widths):
                out.fill(value)
        out[dst] = x[src]
        if ctx is not NULL_CTX:
            ctx.widths = widths
        return out

    @staticmethod
    def backward(ctx, grad):
        widths = tuple((-a, -b) for a, b in ctx.widths)
        return apply(ConstantPadNd, (grad,), {"widths": widths, "value": 0})


def _runs(index):
    """Split an index map into runs (out_start, out_stop, step, first) with step -1, 0 or 1."""
    runs = []
    start = 0
    n = len(index)
    while start < n:
        stop = start + 1
        step = int(index[stop] - index[start]) if stop < n else 1
        if step not in (-1, 0, 1):
            step = 1
        else:
            while stop < n and index[stop] - index[stop - 1] == step:
                stop += 1
        runs.append((start, stop, step, int(index[start])))
        start = stop
    return runs


def _gather(x, maps):
    for axis, index, _ in maps:
        x = np.take(x, index, axis=axis)
    return x


def _scatter(grad, maps):
    for axis, index, size in reversed(maps):
        shape = list(grad.shape)
        shape[axis] = size
        out = np.zeros(shape, grad.dtype)
        dst = np.moveaxis(out, axis, -1)
        src = np.moveaxis(grad, axis, -1)
        for a, b, step, first in _runs(index):
            part = src[..., a:b]
            if step == 0:
                dst[..., first] += part.sum(-1)
            elif step == 1:
                dst[..., first : first + b - a] += part
            else:
                dst[..., first - (b - a) + 1 : first + 1] += part[..., ::-1]
        grad = out
    return grad


class IndexPad(Op):
    name = "ReflectionPad2DBackward0"  # each mode's name is given at the call
    formula = "y = x gathered along index maps: dx = the gradient added back along them"

    @staticmethod
    def forward(ctx, x, *, maps, backward_name):
        if ctx is not NULL_CTX:
            ctx.maps, ctx.backward_name = maps, backward_name
        return _gather(x, maps)

    @staticmethod
    def backward(ctx, grad):
        kwargs = {"maps": ctx.maps, "forward_name": type(ctx).__name__}
        return apply(IndexPadBackward, (grad,), kwargs, ctx.backward_name)


class IndexPadBackward(Op):
    name = "ReflectionPad2DBackwardBackward0"
    formula = "dx = g added back along the index maps: d(dx)/dg = gather along them"

    @staticmethod
    def forward(ctx, grad, *, maps, forward_name):
        if ctx is not NULL_CTX:
            ctx.maps, ctx.forward_name = maps, forward_name
        return _scatter(grad, maps)

    @staticmethod
    def backward(ctx, grad):
        kwargs = {"maps": ctx.maps, "backward_name": type(ctx).__name__}
        return apply(IndexPad, (grad,), kwargs, ctx.forward_name)


def _reflect_index(n, before, after):
    k = np.abs(np.arange(-before, n + after))
    return np.where(k > n - 1, 2 * (n - 1) - k, k)


def _replicate_index(n, before, after):
    return np.clip(np.arange(-before, n + after), 0, n - 1)


def _circular_index(n, before, after):
    # As PyTorch: negative widths crop first, then the rest wraps around what is left.
    lo, hi = max(-before, 0), n - max(-after, 0)
    m = hi - lo
    if m < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    return lo + np.arange(-max(before, 0), m + max(after, 0)) % max(m, 1)


def _check_mode(input, mode, pairs):
    """PyTorch's checks of each non-constant mode, innermost dim first."""
    nd = input.dim()
    k = len(pairs)
    shape = list(input.shape)
    dims = list(range(nd - 1, nd - 1 - k, -1))  # the padded dims, last first
    if mode == "reflect":
        for d, (a, b) in zip(dims, pairs):
            if a >= shape[d] or b >= shape[d]:
                raise RuntimeError(
                    "Argument #4: Padding size should be less than the corresponding input "
                    f"dimension, but got: padding ({a}, {b}) at dimension {d} of input {shape}"
                )
    elif mode == "circular":
        for d, (a, b) in zip(dims, pairs):
            if a > shape[d] or b > shape[d]:
                raise RuntimeError("Padding value causes wrapping around more than once.")
    elif mode == "replicate":
        out = [shape[d] + a + b for d, (a, b) in zip(dims, pairs)]
        if any(o < 1 for o in out):
            names = "DHW"[3 - k :]
            ins = ", ".join(f"{c}: {shape[d]}" for c, d in zip(names, reversed(dims)))
            outs = " ".join(f"{c}: {o}" for c, o in zip(names, reversed(out)))
            raise RuntimeError(f"input ({ins}) is too small. Calculated output {outs}")


def pad(input, pad, mode="constant", value=None):
    """Pad the last len(pad) // 2 dims: pad = (last_before, last_after, prev_before, ...)."""
    if not isinstance(input, Tensor):
        raise TypeError(
            f"pad(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}"
        )
    if mode not in _MODES:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    pad = [int(p) for p in pad]
    nd = input.dim()
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) > 2 * nd:
        raise RuntimeError(
            "Padding length should be less than or equal to two times the input dimension but "
            f"got padding length {len(pad)} and input of dimension {nd}"
        )
    pairs = [(pad[2 * i], pad[2 * i + 1]) for i in range(len(pad) // 2)]  # last dim first
    shape = input.shape
    if mode == "constant":
        widths = [(0, 0)] * nd
        for i, (a, b) in enumerate(pairs):
            d = nd - 1 - i
            if shape[d] + a + b < 0:
                raise RuntimeError("narrow(): length must be non-negative.")
            widths[d] = (a, b)
        kwargs = {"widths": tuple(widths), "value": 0 if value is None else value}
        return apply(ConstantPadNd, (input,), kwargs)
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    k = len(pairs)
    if not (1 <= k <= 3 and nd in (k + 1, k + 2)):
        raise NotImplementedError(_UNSUPPORTED.format(size=len(pad), dim=nd))
    _check_mode(input, mode, pairs)
    index_of = {
        "reflect": _reflect_index,
        "replicate": _replicate_index,
        "circular": _circular_index,
    }[mode]
    maps = tuple(
        (nd - 1 - i, index_of(shape[nd - 1 - i], a, b), shape[nd - 1 - i])
        for i, (a, b) in enumerate(pairs)
    )
    if mode == "circular":
        names = ("CopySlices", "CopySlicesBackward")
    else:
        base = {"reflect": "ReflectionPad", "replicate": "ReplicationPad"}[mode] + f"{k}D"
        names = (f"{base}Backward0", f"{base}BackwardBackward0")
    return apply(IndexPad, (input,), {"maps": maps, "backward_name": names[1]}, names[0])
