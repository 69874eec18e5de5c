"""Functional forms: activations (relu, gelu, softmax, ...), as torch.nn.functional.

Activations that PyTorch computes with a kernel of its own (hardtanh,
leaky_relu, elu, gelu, silu, mish, logsigmoid, the shrinks, ...) are one Op
each here too: one node instead of several on every forward, the numerically
stable form PyTorch uses, and PyTorch's grad_fn name. Each derivative is
written in chainrule ops, so it can be differentiated again. The rest
(tanhshrink, softsign, softmin, prelu, normalize) are composites, as in PyTorch.
"""

import math
import warnings

import numpy as np

from ..._autocast import state as _autocast
from ...ops.autocast import lower
from ...ops.inplace import inplace
from ...ops.op import _NO_KWARGS, Op, apply_unary
from ...ops.pointwise import where
from ...ops.reduction import log_softmax as _log_softmax
from ...ops.reduction import softmax as _softmax
from ...ops.unary import _erf
from ...tensor import Tensor

__all__ = [
    "celu",
    "celu_",
    "elu",
    "elu_",
    "gelu",
    "glu",
    "hardshrink",
    "hardsigmoid",
    "hardswish",
    "hardtanh",
    "hardtanh_",
    "leaky_relu",
    "leaky_relu_",
    "log_softmax",
    "logsigmoid",
    "mish",
    "normalize",
    "prelu",
    "relu",
    "relu6",
    "relu_",
    "rrelu",
    "rrelu_",
    "selu",
    "selu_",
    "sigmoid",
    "silu",
    "softmax",
    "softmin",
    "softplus",
    "softshrink",
    "softsign",
    "tanh",
    "tanhshrink",
    "threshold",
    "threshold_",
]

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946
_SQRT1_2 = 1 / math.sqrt(2.0)
_GELU_TANH_BETA = math.sqrt(2.0 / math.pi)
_GELU_TANH_KAPPA = 0.044715
_INV_SQRT_2PI = 1 / math.sqrt(2.0 * math.pi)
# PyTorch's hardsigmoid backward multiplies by 1/6 rounded to float32, in every dtype.
_ONE_SIXTH_F32 = float(np.float32(1.0) / np.float32(6.0))


def _typed(out, a):
    return out.astype(a.dtype, copy=False)


# -- the primitives ------------------------------------------------------------------------
class Hardtanh(Op):
    name = "HardtanhBackward0"
    formula = "d(hardtanh(a))/da = 1 if min_val < a < max_val else 0"

    @staticmethod
    def forward(ctx, a, *, min_val, max_val):
        ctx.save_for_backward(a)
        ctx.bounds = (min_val, max_val)
        return _typed(np.clip(a, min_val, max_val), a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        lo, hi = ctx.bounds
        return where((a > lo) & (a < hi), grad, 0.0)


class LeakyRelu(Op):
    name = "LeakyReluBackward0"
    formula = "d(leaky_relu(a))/da = 1 if a > 0 else negative_slope"

    @staticmethod
    def forward(ctx, a, *, negative_slope):
        ctx.save_for_backward(a)
        ctx.slope = negative_slope
        return _typed(np.where(a > 0, a, a * negative_slope), a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return where(a > 0, grad, grad * ctx.slope)


class Elu(Op):
    name = "EluBackward0"
    formula = "d(elu(a))/da = scale if a > 0 else scale*alpha*input_scale*exp(a*input_scale)"

    @staticmethod
    def forward(ctx, a, *, alpha, scale, input_scale):
        ctx.save_for_backward(a)
        ctx.coefs = (alpha, scale, input_scale)
        neg = np.expm1(a * input_scale) * (alpha * scale)
        return _typed(np.where(a > 0, a * scale, neg), a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        alpha, scale, input_scale = ctx.coefs
        neg = grad * (input_scale * alpha * scale) * (a * input_scale).exp()
        return where(a > 0, grad * scale, neg)


class Celu(Elu):
    name = "CeluBackward0"
    formula = "d(celu(a))/da = 1 if a > 0 else exp(a/alpha)"


class Gelu(Op):
    name = "GeluBackward0"
    formula = "d(a*Phi(a))/da = Phi(a) + a*phi(a) (tanh form: its derivative)"

    @staticmethod
    def forward(ctx, a, *, approximate):
        ctx.save_for_backward(a)
        ctx.approximate = approximate
        if approximate == "tanh":
            inner = _GELU_TANH_BETA * (a + _GELU_TANH_KAPPA * (a * a * a))
            return _typed(0.5 * a * (1 + np.tanh(inner)), a)
        return _typed(a * 0.5 * (1 + _erf(a * _SQRT1_2)), a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        if ctx.approximate == "tanh":
            a_sq = a * a
            t = (_GELU_TANH_BETA * (a + _GELU_TANH_KAPPA * (a_sq * a))).tanh()
            left = 0.5 * a
            right = 1 + t
            left_derivative = 0.5 * right
            inner_derivative = _GELU_TANH_BETA * (1 + 3 * _GELU_TANH_KAPPA * a_sq)
            right_derivative = left * (1 - t * t) * inner_derivative
            return grad * (left_derivative + right_derivative)
        cdf = 0.5 * (1 + (a * _SQRT1_2).erf())
        pdf = (-0.5 * (a * a)).exp() * _INV_SQRT_2PI
        return grad * (cdf + a * pdf)


class Silu(Op):
    name = "SiluBackward0"
    formula = "d(a*sigmoid(a))/da = s*(1 + a*(1-s)), s = sigmoid(a)"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        with np.errstate(over="ignore"):
            return _typed(a / (1 + np.exp(-a)), a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        s = a.sigmoid()
        return grad * s * (1 + a * (1 - s))


class Mish(Op):
    name = "MishBackward0"
    formula = "d(a*tanh(softplus(a)))/da = t + a*sigmoid(a)*(1-t**2), t = tanh(softplus(a))"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        with np.errstate(over="ignore"):
            return _typed(a * np.tanh(np.log1p(np.exp(a))), a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        t = a.exp().log1p().tanh()
        return grad * (t + a * a.sigmoid() * (1 - t * t))


class Hardsigmoid(Op):
    name = "HardsigmoidBackward0"
    formula = "d(relu6(a+3)/6)/da = 1/6 if -3 < a < 3 else 0"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return _typed(np.clip(a + 3, 0, 6) / 6, a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return where((a > -3) & (a < 3), grad * _ONE_SIXTH_F32, 0.0)


class Hardswish(Op):
    name = "HardswishBackward0"
    formula = "d(a*relu6(a+3)/6)/da = 0 if a < -3, a/3 + 1/2 if a <= 3, else 1"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return _typed(a * np.clip(a + 3, 0, 6) / 6, a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        middle = where(a <= 3, grad * (a / 3 + 0.5), grad)
        return where(a < -3, 0.0, middle)


class LogSigmoid(Op):
    name = "LogSigmoidBackward0"
    formula = "d(log(sigmoid(a)))/da = sigmoid(-a)"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        # min(a, 0) - log(1 + exp(-|a|)): no overflow for any a.
        return _typed(np.minimum(a, 0) - np.log1p(np.exp(-np.abs(a))), a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        z = (-a.abs()).exp()
        r = z / (1 + z)
        return where(a < 0, 1 - r, r) * grad


class Hardshrink(Op):
    name = "HardshrinkBackward0"
    formula = "d(hardshrink(a))/da = 0 if -lambd <= a <= lambd else 1"

    @staticmethod
    def forward(ctx, a, *, lambd):
        ctx.save_for_backward(a)
        ctx.lambd = lambd
        return _typed(np.where((a >= -lambd) & (a <= lambd), 0, a), a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return where((a >= -ctx.lambd) & (a <= ctx.lambd), 0.0, grad)


class Softshrink(Hardshrink):
    name = "SoftshrinkBackward0"
    formula = "d(softshrink(a))/da = 0 if -lambd <= a <= lambd else 1"

    @staticmethod
    def forward(ctx, a, *, lambd):
        ctx.save_for_backward(a)
        ctx.lambd = lambd
        out = np.where(a > lambd, a - lambd, np.where(a < -lambd, a + lambd, 0))
        return _typed(out, a)


class Threshold(Op):
    name = "ThresholdBackward0"
    formula = "d(threshold(a))/da = 1 if a > threshold else 0"

    @staticmethod
    def forward(ctx, a, *, threshold, value):
        ctx.save_for_backward(a)
        ctx.threshold = threshold
        return _typed(np.where(a > threshold, a, value), a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return where(a <= ctx.threshold, 0.0, grad)


# -- the functions ----------------------------------------------------------------------
def _activate(op, input, in_place, kwargs=_NO_KWARGS):
    """`op` applied to input, in place on it when in_place (the functions' `inplace`)."""
    if in_place:
        return inplace(input, lambda t: apply_unary(op, t, kwargs))
    return apply_unary(op, input, kwargs)


def relu(input, inplace=False):
    return input.relu_() if inplace else input.relu()


def relu_(input):
    return input.relu_()


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _activate(Hardtanh, input, inplace, {"min_val": min_val, "max_val": max_val})


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input, inplace=False):
    return hardtanh(input, 0.0, 6.0, inplace)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    return _activate(LeakyRelu, input, inplace, {"negative_slope": negative_slope})


def leaky_relu_(input, negative_slope=0.01):
    return leaky_relu(input, negative_slope, inplace=True)


def _elu(input, op, alpha, scale, input_scale, in_place):
    kw = {"alpha": alpha, "scale": scale, "input_scale": input_scale}
    return _activate(op, input, in_place, kw)


def elu(input, alpha=1.0, inplace=False):
    return _elu(input, Elu, alpha, 1.0, 1.0, inplace)


def elu_(input, alpha=1.0):
    return elu(input, alpha, inplace=True)


def selu(input, inplace=False):
    return _elu(input, Elu, _SELU_ALPHA, _SELU_SCALE, 1.0, inplace)


def selu_(input):
    return selu(input, inplace=True)


def celu(input, alpha=1.0, inplace=False):
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    return _elu(input, Celu, alpha, 1.0, 1.0 / alpha, inplace)


def celu_(input, alpha=1.0):
    return celu(input, alpha, inplace=True)


def gelu(input, approximate="none"):
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    return apply_unary(Gelu, input, {"approximate": approximate})


def silu(input, inplace=False):
    return _activate(Silu, input, inplace)


def mish(input, inplace=False):
    return _activate(Mish, input, inplace)


def hardsigmoid(input, inplace=False):
    return _activate(Hardsigmoid, input, inplace)


def hardswish(input, inplace=False):
    return _activate(Hardswish, input, inplace)


def logsigmoid(input):
    return apply_unary(LogSigmoid, input)


def hardshrink(input, lambd=0.5):
    return apply_unary(Hardshrink, input, {"lambd": lambd})


def softshrink(input, lambd=0.5):
    if lambd < 0:
        from ... import dtypes

        top = float(np.finfo(input._data.dtype).max)
        raise RuntimeError(
            f"lambda must be in range [0, {top:g}] for input dtype "
            f"{dtypes.scalar_type_name(input.dtype)}, but found {lambd:g}"
        )
    return apply_unary(Softshrink, input, {"lambd": lambd})


def threshold(input, threshold, value, inplace=False):
    return _activate(Threshold, input, inplace, {"threshold": threshold, "value": value})


def threshold_(input, threshold, value):
    return globals()["threshold"](input, threshold, value, inplace=True)


def tanhshrink(input):
    return input - input.tanh()


def softsign(input):
    return input / (input.abs() + 1)


def softplus(input, beta=1.0, threshold=20.0):
    return input.softplus(beta, threshold)


def sigmoid(input):
    return input.sigmoid()


def tanh(input):
    return input.tanh()


def _softmax_dim(name, ndim, stacklevel):
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. Change the call to include "
        "dim=X as an argument.",
        UserWarning,
        stacklevel=stacklevel,
    )
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _softmax_dim("softmax", input.dim(), _stacklevel)
    return _softmax(input, dim, dtype)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _softmax_dim("softmin", input.dim(), _stacklevel)
    return _softmax(-input, dim, dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _softmax_dim("log_softmax", input.dim(), _stacklevel)
    return _log_softmax(input, dim, dtype)


def prelu(input, weight):
    """max(0, x) + weight * min(0, x), with one weight per channel (dim 1) or one shared."""
    if _autocast.dtype is not None:  # (autocast: in its lower-precision dtype)
        input, weight = lower(input, weight)
    if not isinstance(weight, Tensor):
        raise TypeError(f"prelu(): argument 'weight' must be Tensor, not {type(weight).__name__}")
    n = weight.numel()
    if n != 1:
        if input.dim() == 0:
            raise RuntimeError("Not allow zero-dim input tensor.")
        channels = input.shape[1] if input.dim() >= 2 else 1
        if n != channels:
            raise RuntimeError(
                "Mismatch of parameter numbers and input channel size. Found parameter numbers "
                f"= {n} and channel size = {channels}."
            )
        if weight.dim() != 1:
            raise RuntimeError(
                f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = "
                f"{weight.dim()}"
            )
        if input.dim() >= 2:
            weight = weight.reshape((n,) + (1,) * (input.dim() - 2))
    elif weight.dim() > input.dim():  # one shared weight: the result has the input's shape
        weight = weight.reshape(())
    return where(input > 0, input, weight * input)


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """input / max(||input||_p along dim, eps)."""
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    return input / denom


# -- glu and rrelu --------------------------------------------------------------------------
class Glu(Op):
    name = "GluBackward0"
    formula = "glu(a|b) = a*sigmoid(b): da = g*sigmoid(b), db = g*a*sigmoid(b)*(1-sigmoid(b))"

    @staticmethod
    def forward(ctx, x, *, dim):
        a, b = np.split(x, 2, axis=dim)
        ctx.save_for_backward(x)
        ctx.dim = dim
        with np.errstate(over="ignore"):
            return _typed(a / (1 + np.exp(-b)), x)

    @staticmethod
    def backward(ctx, grad):
        from ...ops.joining import cat

        (x,) = ctx.saved_tensors
        a, b = x.chunk(2, ctx.dim)
        s = b.sigmoid()
        return cat([grad * s, grad * a * s * (1 - s)], ctx.dim)


def glu(input, dim=-1):
    """The gated linear unit: the first half of input along dim times the sigmoid of the
    second half."""
    if input.dim() == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    n = input.dim()
    if not -n <= dim < n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})"
        )
    dim %= n
    if input.shape[dim] % 2:
        raise RuntimeError(
            f"Halving dimension must be even, but dimension {dim} is size {input.shape[dim]}"
        )
    return Glu.apply(input, dim=dim)


class RreluWithNoise(Op):
    name = "RreluWithNoiseBackward0"
    formula = "d(rrelu(a))/da = 1 if a > 0 else the slope (drawn in training, the mean otherwise)"

    @staticmethod
    def forward(ctx, a, *, noise):
        ctx.noise = noise
        return _typed(a * noise, a)

    @staticmethod
    def backward(ctx, grad):
        return grad * Tensor._wrap(ctx.noise)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Leaky relu whose negative slope is drawn from U(lower, upper) per element in training,
    and is (lower + upper) / 2 otherwise."""
    if lower > upper:
        raise RuntimeError("Lower bound should be less than or equal to the upper bound")
    a = input._data
    if a.dtype.kind != "f":
        from ... import dtypes

        name = dtypes.scalar_type_name(input.dtype)
        raise NotImplementedError(f"\"rrelu_with_noise_out_cpu\" not implemented for '{name}'")
    positive = a > 0
    noise = np.ones(a.shape, a.dtype)
    if training:
        from ...ops.creation import empty

        k = int((~positive).sum())
        if k:
            from ... import dtypes

            draws = empty(k, dtype=dtypes.float64).uniform_(lower, upper)._data
            noise[~positive] = draws.astype(a.dtype)
    else:
        noise[~positive] = (lower + upper) / 2
    if inplace:
        return _inplace_apply(input, RreluWithNoise, {"noise": noise})
    return RreluWithNoise.apply(input, noise=noise)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    return rrelu(input, lower, upper, training, True)


def _inplace_apply(input, op, kwargs):
    return inplace(input, lambda t: op.apply(t, **kwargs))
