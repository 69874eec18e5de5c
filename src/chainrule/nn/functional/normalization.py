"""Functional forms: batch_norm, layer_norm and group_norm; instance_norm, rms_norm and
local_response_norm.

The first three are one Op (PyTorch's NativeBatchNormBackward0 /
NativeLayerNormBackward0 / NativeGroupNormBackward0): normalise x over some axes
(group_norm: over each group of channels, x viewed as (N, groups, C/groups,
rest)), then scale by weight and shift by bias. The
forward runs on arrays in one pass and, for batch_norm in training, updates
the running statistics in place as PyTorch's kernel does. The backward is
PyTorch's closed form; under create_graph it recomputes the statistics from x
in chainrule ops, so it can be differentiated again.

instance_norm is batch_norm over (1, N*C, ...), as PyTorch computes it; rms_norm and
local_response_norm are composites, as in PyTorch.
"""

import numpy as np

from ...autograd.grad_mode import state as _grad_state
from ...ops.op import NULL_CTX, Op, apply
from ...tensor import Tensor

__all__ = [
    "batch_norm",
    "group_norm",
    "instance_norm",
    "layer_norm",
    "local_response_norm",
    "rms_norm",
]

_wrap = Tensor._wrap


class _Normalize(Op):
    """y = (x - mean) / sqrt(var + eps) * weight + bias, the statistics over `axes`
    (from the batch, or given in `stats` as BatchNorm's running ones in eval mode);
    weight and bias broadcast as `wshape` and their gradients sum over `param_axes`."""

    @staticmethod
    def forward(ctx, x, w, b, *, axes, param_axes, wshape, eps, stats=None, running=None):
        if stats is None:
            mean = x.mean(axes, keepdims=True)
            xc = x - mean
            var = (xc * xc).mean(axes, keepdims=True)
            if running is not None:
                _update_running(running, mean, var, x.size // mean.size)
        else:
            mean = stats[0].reshape(wshape)
            var = stats[1].reshape(wshape)
            xc = x - mean
        invstd = np.reciprocal(np.sqrt(var + eps)).astype(x.dtype, copy=False)
        y = xc * invstd
        if w is not None:
            y *= w.reshape(wshape)
        if b is not None:
            y += b.reshape(wshape)
        if ctx is NULL_CTX:  # nothing recorded: keep nothing
            return y.astype(x.dtype, copy=False)
        ctx.save_for_backward(x, w)
        ctx.settings = (axes, param_axes, wshape, eps, stats is None)
        ctx.stats = (mean, invstd)
        return y.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        return _normalize_backward(ctx, x, w, grad)


def _normalize_backward(ctx, x, w, grad):
    """_Normalize's derivative, given x and weight as tensors (x possibly viewed anew)."""
    axes, param_axes, wshape, eps, batch_stats = ctx.settings
    needs = ctx.needs_input_grad
    if batch_stats and _grad_state.enabled:
        # create_graph: the statistics as functions of x, for the second derivative.
        mean = x.mean(axes, keepdim=True)
        xc = x - mean
        invstd = ((xc * xc).mean(axes, keepdim=True) + eps).rsqrt()
    else:
        mean, invstd = (_wrap(s) for s in ctx.stats)
        xc = x - mean
    xhat = xc * invstd
    gx = grad if w is None else grad * w.reshape(wshape)
    dx = dw = db = None
    if needs[0]:
        if batch_stats:
            proj = (gx * xhat).mean(axes, keepdim=True)
            dx = (gx - gx.mean(axes, keepdim=True) - xhat * proj) * invstd
        else:
            dx = gx * invstd
    # no parameter axes (layer_norm over every dim): nothing to sum (sum(()) sums all)
    if needs[1]:
        dw = (grad * xhat).sum(param_axes) if param_axes else grad * xhat
    if len(needs) > 2 and needs[2]:
        db = grad.sum(param_axes) if param_axes else grad
    return dx, dw, db


def _update_running(running, mean, var, n):
    """running = (1 - momentum) * running + momentum * batch statistic (var unbiased)."""
    running_mean, running_var, momentum = running
    if running_mean is not None:
        m = running_mean._data
        m *= 1 - momentum
        m += momentum * mean.reshape(m.shape)
        running_mean._bump_version()
    if running_var is not None:
        v = running_var._data
        v *= 1 - momentum
        v += (momentum * n / max(n - 1, 1)) * var.reshape(v.shape)
        running_var._bump_version()


class NativeBatchNorm(_Normalize):
    name = "NativeBatchNormBackward0"
    formula = "dx = w*invstd*(g - mean(g) - xhat*mean(g*xhat)), dw = sum(g*xhat), db = sum(g)"


class NativeLayerNorm(_Normalize):
    name = "NativeLayerNormBackward0"
    formula = "dx = invstd*(gw - mean(gw) - xhat*mean(gw*xhat)), gw = g*w; dw = sum(g*xhat)"


class NativeGroupNorm(_Normalize):
    """x (N, C, ...) normalised within each group of C/groups channels: the batch and layer
    norm Op on the view (N, groups, C/groups, rest), weight and bias per channel."""

    name = "NativeGroupNormBackward0"
    formula = (
        "dx = invstd*(gw - mean(gw) - xhat*mean(gw*xhat)) per group, gw = g*w; dw = sum(g*xhat)"
    )

    @staticmethod
    def forward(ctx, x, w, b, *, groups, eps):
        view = _group_view(x.shape, groups)
        wshape = (1, groups, view[2], 1)
        y = _Normalize.forward(
            ctx, x.reshape(view), w, b, axes=(2, 3), param_axes=(0, 3), wshape=wshape, eps=eps
        )
        if ctx is not NULL_CTX:
            ctx.save_for_backward(x, w)
            ctx.view = view
        return y.reshape(x.shape)

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        view = ctx.view
        dx, dw, db = _normalize_backward(ctx, x.reshape(view), w, grad.reshape(view))
        if dx is not None:
            dx = dx.reshape(x.shape)
        if dw is not None:
            dw = dw.reshape(-1)
        if db is not None:
            db = db.reshape(-1)
        return dx, dw, db


def _group_view(shape, groups):
    n, c = shape[0], shape[1]
    rest = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    return (n, groups, c // groups, rest)


def batch_norm(
    input,
    running_mean,
    running_var,
    weight=None,
    bias=None,
    training=False,
    momentum=0.1,
    eps=1e-5,
):
    """Normalise each channel (dim 1) over the batch and any further dims."""
    shape = input.shape
    if input.dim() < 2:
        return _batch_norm_of_a_vector(input, running_mean, running_var, training)
    channels = shape[1]
    if training:
        per_channel = input.numel() // channels if channels else 0
        if per_channel == 1:
            raise ValueError(
                f"Expected more than 1 value per channel when training, got input size {shape}"
            )
    if training and eps <= 0.0:
        raise ValueError(f"batch_norm eps must be positive during training, but got {eps}")
    if eps < 0.0:
        raise ValueError(f"batch_norm eps must be non-negative, but got {eps}")
    for name, t in (
        ("running_mean", running_mean),
        ("running_var", running_var),
        ("weight", weight),
        ("bias", bias),
    ):
        if t is not None and t.numel() != channels:
            raise RuntimeError(f"{name} should contain {channels} elements not {t.numel()}")
    axes = (0,) + tuple(range(2, input.dim()))
    wshape = (1, channels) + (1,) * (input.dim() - 2)
    kwargs = {"axes": axes, "param_axes": axes, "wshape": wshape, "eps": eps}
    if training or running_mean is None or running_var is None:
        if training and (running_mean is not None or running_var is not None):
            kwargs["running"] = (running_mean, running_var, momentum)
    else:
        kwargs["stats"] = (running_mean._data, running_var._data)
    return apply(NativeBatchNorm, (input, weight, bias), kwargs)


def _batch_norm_of_a_vector(input, running_mean, running_var, training):
    """A 1-D input has no channel dim: PyTorch normalises an empty one (to an empty result,
    with running statistics of no channels) and refuses the rest."""
    for name, t in (("running_mean", running_mean), ("running_var", running_var)):
        if t is not None and t.numel() != 0:
            raise RuntimeError(f"{name} should contain 0 elements not {t.numel()}")
    if input.dim() == 1 and input.numel() == 0:
        return input * 1
    if not training and running_mean is None:
        raise RuntimeError("running_mean must be defined in evaluation mode")
    raise IndexError("Dimension out of range (expected to be in range of [-1, 0], but got 1)")


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalise over the trailing dims given by normalized_shape."""
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    normalized_shape = tuple(normalized_shape)
    k = len(normalized_shape)
    shape = tuple(input.shape)
    if k == 0 or shape[len(shape) - k :] != normalized_shape or len(shape) < k:
        listed = list(normalized_shape)
        star = ", ".join(["*"] + [str(s) for s in normalized_shape])
        raise RuntimeError(
            f"Given normalized_shape={listed}, expected input with shape [{star}], but got "
            f"input of size{list(shape)}"
        )
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != normalized_shape:
            raise RuntimeError(
                f"Expected {name} to be of same shape as normalized_shape, but got {name} of "
                f"shape {list(t.shape)} and normalized_shape = {list(normalized_shape)}"
            )
    n = len(shape)
    axes = tuple(range(n - k, n))
    kwargs = {
        "axes": axes,
        "param_axes": tuple(range(n - k)),
        "wshape": normalized_shape,
        "eps": eps,
    }
    return apply(NativeLayerNorm, (input, weight, bias), kwargs)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Normalise (N, C, ...) input over each group of C/num_groups channels (and the
    remaining dims), then scale and shift per channel."""
    if input.dim() < 2:
        raise RuntimeError(
            f"Expected at least 2 dimensions for input tensor but received {input.dim()}"
        )
    shape = list(input.shape)
    channels = shape[1]
    if channels % num_groups:
        raise RuntimeError(
            "Expected number of channels in input to be divisible by num_groups, but got input "
            f"of shape {shape} and num_groups={num_groups}"
        )
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t.dim() != 1 or t.numel() != channels):
            raise RuntimeError(
                f"Expected {name} to be a vector of size equal to the number of channels in "
                f"input, but got {name} of shape {list(t.shape)} and input of shape {shape}"
            )
    return apply(NativeGroupNorm, (input, weight, bias), {"groups": num_groups, "eps": eps})


def instance_norm(
    input,
    running_mean=None,
    running_var=None,
    weight=None,
    bias=None,
    use_input_stats=True,
    momentum=0.1,
    eps=1e-5,
):
    """Normalise each channel of each sample over its spatial dims: batch_norm on the
    (1, N*C, ...) view, with the running statistics averaged over the batch."""
    if use_input_stats:
        size = tuple(input.shape)
        if int(np.prod(size[2:])) == 1:
            from ...tensor import Size

            raise ValueError(
                f"Expected more than 1 spatial element when training, got input size {Size(size)!r}"
            )
    n, c = input.shape[0], input.shape[1]
    flat = input.reshape(1, n * c, *input.shape[2:])

    def tiled(t):
        return None if t is None else t.repeat(n)

    rm, rv = tiled(running_mean), tiled(running_var)
    out = batch_norm(flat, rm, rv, tiled(weight), tiled(bias), use_input_stats, momentum, eps)
    if use_input_stats:
        from ...autograd.grad_mode import no_grad

        with no_grad():
            if running_mean is not None:
                running_mean.copy_(rm.view(n, c).mean(0))
            if running_var is not None:
                running_var.copy_(rv.view(n, c).mean(0))
    return out.view(input.shape)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """x / sqrt(mean(x**2 over the trailing normalized_shape dims) + eps) * weight; eps
    defaults to the dtype's machine epsilon."""
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    normalized_shape = tuple(normalized_shape)
    k = len(normalized_shape)
    shape = tuple(input.shape)
    if k == 0 or len(shape) < k or shape[len(shape) - k :] != normalized_shape:
        listed = list(normalized_shape)
        star = "*" + ", ".join(str(n) for n in normalized_shape)
        raise RuntimeError(
            f"Given normalized_shape={listed}, expected input with shape [{star}], but got "
            f"input of size{list(shape)}"
        )
    if weight is not None and tuple(weight.shape) != normalized_shape:
        raise RuntimeError(
            "Expected weight to be of same shape as normalized_shape, but got weight of shape "
            f"{list(weight.shape)} and normalized_shape = {list(normalized_shape)}"
        )
    if eps is None:
        eps = float(np.finfo(input._data.dtype).eps)
    dims = tuple(range(-k, 0))
    out = input * (input.pow(2).mean(dims, keepdim=True) + eps).rsqrt()
    if weight is not None:
        out = out * weight
    return out


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """x / (k + alpha * mean of x**2 over `size` neighbouring channels) ** beta."""
    dim = input.dim()
    if dim < 3:
        raise ValueError(
            "Expected 3D or higher dimensionality                          input (got "
            f"{dim} dimensions)"
        )
    if input.numel() == 0:
        return input
    from .padding import pad

    channels = input.shape[1]
    sq = input.mul(input)
    widths = [0, 0] * (dim - 2) + [size // 2, (size - 1) // 2]
    padded = pad(sq, widths)
    # The window sum in avg_pool's order (each offset in turn), then the divisor.
    div = padded[:, 0:channels]
    for j in range(1, size):
        div = div + padded[:, j : j + channels]
    div = (div / size).mul(alpha).add(k).pow(beta)
    return input / div
