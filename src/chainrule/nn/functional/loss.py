"""Functional forms: the losses, as torch.nn.functional computes them.

mse, smooth L1, Huber, the binary cross entropies and nll are primitives (one
node each, named as PyTorch names them): their forward sees the whole input,
so the reduction happens inside, and their backward is one short formula.
l1, kl_div and cross entropy are composed from those and from chainrule ops,
as PyTorch composes them (cross_entropy = log_softmax + nll_loss).
"""

import math
import warnings

import numpy as np

import chainrule
from chainrule import _arithmetic, dtypes
from chainrule._autocast import state as _autocast
from chainrule.autograd.grad_mode import state as _grad_state
from chainrule.ops._cascade_sum import cascade_sum
from chainrule.ops.autocast import to_float32
from chainrule.ops.op import Op, apply
from chainrule.ops.pointwise import broadcast_shapes_error, promote
from chainrule.tensor import Tensor

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "huber_loss",
    "kl_div",
    "l1_loss",
    "mse_loss",
    "nll_loss",
    "smooth_l1_loss",
]

_wrap = Tensor._wrap


# -- reduction arguments ----------------------------------------------------------------------
def legacy_get_string(size_average, reduce, emit_warning=True):
    """The reduction the deprecated size_average/reduce pair stands for, with PyTorch's warning."""
    if size_average is None:
        size_average = True
    if reduce is None:
        reduce = True
    if size_average and reduce:
        ret = "mean"
    elif reduce:
        ret = "sum"
    else:
        ret = "none"
    if emit_warning:
        warnings.warn(
            f"size_average and reduce args will be deprecated, please use reduction='{ret}' "
            "instead.",
            stacklevel=3,
        )
    return ret


def _reduction(reduction, size_average=None, reduce=None):
    """'none' | 'mean' | 'sum', checked; the deprecated keywords win when given."""
    if size_average is not None or reduce is not None:
        reduction = legacy_get_string(size_average, reduce)
    if reduction == "mean" or reduction == "sum" or reduction == "none":
        return reduction
    if reduction == "elementwise_mean":
        warnings.warn(
            "reduction='elementwise_mean' is deprecated. Please use reduction='mean' instead.",
            stacklevel=3,
        )
        return "mean"
    raise ValueError(f"{reduction} is not a valid value for reduction")


def _reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _reduce_array(loss, reduction):
    """The loss's mean or sum: NumPy's, or added in PyTorch's order under the PyTorch
    arithmetic switch (chainrule._arithmetic, ops/_cascade_sum.py)."""
    if not _arithmetic.pytorch_order:
        if reduction == "mean":
            return np.asarray(loss.mean(), loss.dtype)
        if reduction == "sum":
            return np.asarray(loss.sum(), loss.dtype)
        return loss
    if reduction == "mean":
        if loss.size == 0:
            return np.asarray(np.nan, loss.dtype)
        return np.asarray(cascade_sum(loss) / loss.dtype.type(loss.size), loss.dtype)
    if reduction == "sum":
        return np.asarray(cascade_sum(loss), loss.dtype)
    return loss


def _size_warning(input, target):
    if target.shape != input.shape:
        warnings.warn(
            f"Using a target size ({target.size()}) that is different to the input size "
            f"({input.size()}). This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size.",
            stacklevel=3,
        )


def _float_pair(input, target, kernel):
    """Input and target promoted to one floating dtype, as PyTorch's loss kernels need."""
    input, target = promote(input, target)
    if input._data.dtype.kind != "f":
        name = dtypes.scalar_type_name(input.dtype)
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{name}'")
    return input, target


def _constant(t, what, fn_name, dtype=None):
    """The array of a tensor that must not require grad (class weights and the like)."""
    if t is None:
        return None
    if t._requires_grad and _grad_state.enabled:
        raise RuntimeError(
            f"The function '{fn_name}' is not differentiable with respect to argument '{what}'. "
            "This input cannot have requires_grad True."
        )
    a = t._data
    return a if dtype is None else a.astype(dtype, copy=False)


def _save_difference(ctx, a, b, reduction):
    """a - b for the regression losses' forward, which save a and b and what their backward
    needs to undo the reduction; a shape clash raises PyTorch's broadcast error."""
    try:
        d = a - b
    except ValueError:
        raise broadcast_shapes_error(np.shape(a), np.shape(b)) from None
    ctx.save_for_backward(a, b)
    ctx.reduction, ctx.numel = reduction, d.size
    return d


# -- regression losses ------------------------------------------------------------------------
class MseLoss(Op):
    name = "MseLossBackward0"
    formula = "d((a-b)**2)/da = 2*(a-b), d/db = -2*(a-b) (divided by n for mean)"

    @staticmethod
    def forward(ctx, a, b, *, reduction):
        d = _save_difference(ctx, a, b, reduction)
        return _reduce_array(d * d, reduction)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        # (no elements: the gradient is empty, and 2 / 0 is inf as in PyTorch's arithmetic)
        norm = (2.0 / ctx.numel if ctx.numel else math.inf) if ctx.reduction == "mean" else 2.0
        g = (a - b) * norm * grad
        return g, -g


class SmoothL1Loss(Op):
    name = "SmoothL1LossBackward0"
    formula = "d/da = clamp((a-b)/beta, -1, 1), d/db = -clamp((a-b)/beta, -1, 1)"

    @staticmethod
    def forward(ctx, a, b, *, reduction, beta):
        d = _save_difference(ctx, a, b, reduction)
        ctx.beta = beta
        z = np.abs(d)
        loss = np.where(z < beta, 0.5 * z * z / beta, z - 0.5 * beta).astype(d.dtype, copy=False)
        return _reduce_array(loss, reduction)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        if ctx.reduction == "mean":
            grad = grad / ctx.numel
        g = ((a - b) / ctx.beta).clamp(-1.0, 1.0) * grad
        return g, -g


class HuberLoss(Op):
    name = "HuberLossBackward0"
    formula = "d/da = clamp(a-b, -delta, delta), d/db = -clamp(a-b, -delta, delta)"

    @staticmethod
    def forward(ctx, a, b, *, reduction, delta):
        d = _save_difference(ctx, a, b, reduction)
        ctx.delta = delta
        z = np.abs(d)
        loss = np.where(z < delta, 0.5 * z * z, delta * (z - 0.5 * delta)).astype(d.dtype)
        return _reduce_array(loss, reduction)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        if ctx.reduction == "mean":
            grad = grad / ctx.numel
        g = (a - b).clamp(-ctx.delta, ctx.delta) * grad
        return g, -g


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    if _autocast.dtype is not None:  # (autocast: in float32)
        input, target, weight = to_float32(input, target, weight)
    _size_warning(input, target)
    reduction = _reduction(reduction, size_average, reduce)
    if weight is not None:
        _check_weight_shape(weight, input)
        return _weighted((input - target).pow(2) * weight, weight, reduction)
    input, target = _float_pair(input, target, "mse_cpu")
    return MseLoss.apply(input, target, reduction=reduction)


def _check_weight_shape(weight, input):
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")


def _weighted(loss, weight, reduction):
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.sum() / weight.sum()


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    if _autocast.dtype is not None:  # (autocast: in float32)
        input, target, weight = to_float32(input, target, weight)
    _size_warning(input, target)
    reduction = _reduction(reduction, size_average, reduce)
    if weight is not None:
        _check_weight_shape(weight, input)
        return _weighted((input - target).abs() * weight, weight, reduction)
    return _reduce((input - target).abs(), reduction)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    if _autocast.dtype is not None:  # (autocast: in float32)
        input, target = to_float32(input, target)
    _size_warning(input, target)
    reduction = _reduction(reduction, size_average, reduce)
    if beta == 0.0:
        return _reduce((input - target).abs(), reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    input, target = _float_pair(input, target, "smooth_l1_cpu")
    return SmoothL1Loss.apply(input, target, reduction=reduction, beta=float(beta))


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    if _autocast.dtype is not None:  # (autocast: in float32)
        input, target, weight = to_float32(input, target, weight)
    _size_warning(input, target)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    if weight is not None:
        _check_weight_shape(weight, input)
    reduction = _reduction(reduction)
    input, target = _float_pair(input, target, "huber_cpu")
    if weight is None:
        return HuberLoss.apply(input, target, reduction=reduction, delta=float(delta))
    loss = HuberLoss.apply(input, target, reduction="none", delta=float(delta)) * weight
    return _reduce(loss, reduction)


# -- binary cross entropy ---------------------------------------------------------------------
# PyTorch clamps the denominator of the gradient at this float constant.
_BCE_EPSILON = float(np.float32(1e-12))


def _log(x):
    # PyTorch's kernel is scalar code: the C library's logf for float32
    if _arithmetic.pytorch_order and x.dtype == np.float32:
        from chainrule.ops._vector_math import libm_f32

        return libm_f32("logf", x)
    return np.log(x)


def _log1p(x):
    if _arithmetic.pytorch_order and x.dtype == np.float32:
        from chainrule.ops._vector_math import libm_f32

        return libm_f32("log1pf", x)
    return np.log1p(x)


class BinaryCrossEntropy(Op):
    name = "BinaryCrossEntropyBackward0"
    formula = "d/dx = w*(x-y)/max(x*(1-x), 1e-12), d/dy = -w*logit(x) (divided by n for mean)"

    @staticmethod
    def forward(ctx, x, y, *, weight, reduction):
        if not ((x >= 0) & (x <= 1)).all():
            raise RuntimeError("all elements of input should be between 0 and 1")
        if not ((y >= 0) & (y <= 1)).all():
            raise RuntimeError("all elements of target should be between 0 and 1")
        ctx.save_for_backward(x, y)
        ctx.weight, ctx.reduction, ctx.numel = weight, reduction, x.size
        with np.errstate(divide="ignore"):
            log_x = np.maximum(_log(x), -100)
            log_1mx = np.maximum(_log1p(-x), -100)
        loss = (y - 1) * log_1mx - y * log_x
        if weight is not None:
            loss = loss * weight
        return _reduce_array(loss.astype(x.dtype, copy=False), reduction)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        needs = ctx.needs_input_grad
        gx = gy = None
        if needs[0]:
            gx = grad * (x - y) / ((1 - x) * x).clamp(min=_BCE_EPSILON)
            gx = _finish_grad(ctx, gx)
        if needs[1]:
            gy = _finish_grad(ctx, -(x / (1 - x)).log() * grad)
        return gx, gy


def _finish_grad(ctx, g):
    """Class weights and the mean's 1/n, applied to a loss gradient as PyTorch applies them."""
    if ctx.weight is not None:
        g = g * _wrap(ctx.weight)
    if ctx.reduction == "mean":
        g = g / ctx.numel
    return g


def binary_cross_entropy(
    input, target, weight=None, size_average=None, reduce=None, reduction="mean"
):
    if _autocast.dtype is not None:  # (autocast: in float32)
        input, target, weight = to_float32(input, target, weight)
    reduction = _reduction(reduction, size_average, reduce)
    if target.shape != input.shape:
        raise ValueError(
            f"Using a target size ({target.size()}) that is different to the input size "
            f"({input.size()}) is deprecated. Please ensure they have the same size."
        )
    if input._data.dtype.kind != "f":
        name = dtypes.scalar_type_name(input.dtype)
        raise NotImplementedError(f"\"binary_cross_entropy\" not implemented for '{name}'")
    if target._data.dtype != input._data.dtype:
        raise RuntimeError(
            f"Found dtype {dtypes.scalar_type_name(target.dtype)} but expected "
            f"{dtypes.scalar_type_name(input.dtype)}"
        )
    w = _constant(weight, "weight", "binary_cross_entropy", input._data.dtype)
    if w is not None:
        try:
            w = np.broadcast_to(w, np.broadcast_shapes(target._data.shape, w.shape))
        except ValueError:
            raise broadcast_shapes_error(w.shape, target._data.shape) from None
    return BinaryCrossEntropy.apply(input, target, weight=w, reduction=reduction)


class BinaryCrossEntropyWithLogits(Op):
    name = "BinaryCrossEntropyWithLogitsBackward0"
    formula = (
        "d/dx = w*((p*y+1-y)*sigmoid(x) - p*y), d/dy = w*(logsigmoid(-x) - p*logsigmoid(x)) "
        "(p = pos_weight; divided by n for mean)"
    )

    @staticmethod
    def forward(ctx, x, y, *, weight, pos_weight, reduction):
        ctx.save_for_backward(x, y)
        ctx.weight, ctx.pos_weight, ctx.reduction = weight, pos_weight, reduction
        # log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|)): no overflow for any x
        log_sig = np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))
        if pos_weight is not None:
            log_sig = log_sig * ((pos_weight - 1) * y + 1)
        loss = (1 - y) * x - log_sig
        if weight is not None:
            loss = loss * weight
        ctx.numel = loss.size
        return _reduce_array(loss.astype(x.dtype, copy=False), reduction)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        needs = ctx.needs_input_grad
        pw = None if ctx.pos_weight is None else _wrap(ctx.pos_weight)
        gx = gy = None
        if needs[0]:
            if pw is None:
                gx = (x.sigmoid() - y) * grad
            else:
                t = pw * y
                gx = ((t + 1 - y) * x.sigmoid() - t) * grad
            gx = _finish_grad(ctx, gx)
        if needs[1]:
            if pw is None:
                gy = -x * grad
            else:
                gy = (_log_sigmoid(-x) - _log_sigmoid(x) * pw) * grad
            gy = _finish_grad(ctx, gy)
        return gx, gy


def _log_sigmoid(x):
    return -chainrule.softplus(-x)


def binary_cross_entropy_with_logits(
    input, target, weight=None, size_average=None, reduce=None, reduction="mean", pos_weight=None
):
    if _autocast.dtype is not None:  # (autocast: in float32)
        input, target, weight, pos_weight = to_float32(input, target, weight, pos_weight)
    reduction = _reduction(reduction, size_average, reduce)
    if target.shape != input.shape:
        raise ValueError(
            f"Target size ({target.size()}) must be the same as input size ({input.size()})"
        )
    if input._data.dtype.kind != "f":
        name = dtypes.scalar_type_name(input.dtype)
        raise NotImplementedError(
            f"\"binary_cross_entropy_with_logits\" not implemented for '{name}'"
        )
    if target._data.dtype.kind != "f":
        raise RuntimeError(
            f"result type {dtypes.scalar_type_name(input.dtype)} can't be cast to the desired "
            f"output type {dtypes.scalar_type_name(target.dtype)}"
        )
    input, target = promote(input, target)
    dt = input._data.dtype
    w = _constant(weight, "weight", "binary_cross_entropy_with_logits", dt)
    pw = _constant(pos_weight, "pos_weight", "binary_cross_entropy_with_logits", dt)
    return BinaryCrossEntropyWithLogits.apply(
        input, target, weight=w, pos_weight=pw, reduction=reduction
    )


# -- negative log likelihood ------------------------------------------------------------------
class NllLoss(Op):
    name = "NllLossBackward0"
    formula = "d(-w[t]*x[n, t])/dx = -w[t] at (n, t), 0 elsewhere (divided by sum(w[t]) for mean)"

    @staticmethod
    def forward(ctx, x, *, target, weight, reduction, ignore_index):
        # x is (C,) with a 0-d target, or (N, C, ...) with target (N, ...); class dim 1.
        one_d = x.ndim == 1
        xs = x[None] if one_d else x
        ts = target.reshape(1) if one_d else target
        ignored = ts == ignore_index
        any_ignored = ignored.any()
        safe = np.where(ignored, 0, ts) if any_ignored else ts
        n_classes = xs.shape[1]
        if safe.size and (safe.min() < 0 or safe.max() >= n_classes):
            bad = (safe < 0) | (safe >= n_classes)
            raise IndexError(f"Target {int(ts[bad].flat[0])} is out of bounds.")
        safe = safe.astype(np.intp, copy=False)
        if xs.ndim == 2:
            picked = xs[np.arange(xs.shape[0]), safe]
        else:
            picked = np.take_along_axis(xs, safe[:, None], axis=1)[:, 0]
        if weight is None and not any_ignored:
            # Every sample weighs 1 (the common case): -x[n, t] * 1 is -x[n, t], bit for bit,
            # and the total weight is the sample count.
            w = None
            loss = -picked
        else:
            w = (~ignored).astype(x.dtype) if weight is None else weight[safe] * ~ignored
            loss = -picked * w
        ctx.safe, ctx.w, ctx.shape, ctx.reduction = safe, w, x.shape, reduction
        ctx.dtype = x.dtype
        if reduction == "none":
            return loss[0] if one_d else loss
        total = x.dtype.type(safe.size) if w is None else w.sum(dtype=x.dtype)
        out = loss.sum(dtype=x.dtype)
        ctx.total = total
        if reduction == "mean":
            if total:
                out = out / total
            else:
                with np.errstate(invalid="ignore", divide="ignore"):
                    out = out / total
        return np.asarray(out, x.dtype)

    @staticmethod
    def backward(ctx, grad):
        shape, safe, w = ctx.shape, ctx.safe, ctx.w
        one_d = len(shape) == 1
        coef = np.zeros((1,) + shape if one_d else shape, ctx.dtype if w is None else w.dtype)
        minus_w = -1.0 if w is None else -w
        if coef.ndim == 2:
            coef[np.arange(coef.shape[0]), safe] = minus_w
        else:
            np.put_along_axis(coef, safe[:, None], minus_w if w is None else minus_w[:, None], 1)
        if one_d:
            coef = coef[0]
        coef = _wrap(coef)
        if ctx.reduction == "none":
            return coef * (grad if one_d else grad.unsqueeze(1))
        if ctx.reduction == "mean":
            grad = grad / float(ctx.total)
        return coef * grad


_TARGET_DTYPES = (np.dtype(np.int64), np.dtype(np.uint8))


def _check_nll_target(input, target, weight):
    a, t = input._data, target._data
    nd = a.ndim
    if nd <= 2:
        if t.ndim > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        if nd == 1 and t.ndim == 1 and t.shape[0] != 1:
            raise ValueError(
                f"For 1D input, 1D target must have size 1, but got target size: {t.shape[0]}"
            )
    elif nd == 4:
        if t.ndim != 3:
            raise RuntimeError(
                "only batches of spatial targets supported (3D tensors) but got targets of "
                f"dimension: {t.ndim}"
            )
        if a.shape[0] != t.shape[0] or a.shape[2:] != t.shape[1:]:
            raise RuntimeError(
                f"size mismatch (got input: {list(a.shape)} , target: {list(t.shape)}"
            )
    elif t.shape[1:] != a.shape[2:]:
        raise RuntimeError(
            f"Expected target size {[a.shape[0], *a.shape[2:]]}, got {list(t.shape)}"
        )
    if t.dtype not in _TARGET_DTYPES:
        raise RuntimeError(
            "expected target dtype to be Long or Byte, but got "
            f"{dtypes.scalar_type_name(target.dtype)}"
        )
    if weight is not None:
        n_classes = a.shape[0] if nd == 1 else a.shape[1]
        if weight._data.ndim != 1 or weight._data.shape[0] != n_classes:
            if nd == 4:
                raise RuntimeError("weight tensor should be defined either for all or no classes")
            raise RuntimeError(
                f"weight tensor should be defined either for all {n_classes} classes or no "
                f"classes but got weight tensor of shape: {list(weight._data.shape)}"
            )
        if weight._data.dtype != a.dtype:
            raise RuntimeError(
                f"expected scalar type {dtypes.scalar_type_name(input.dtype)} but found "
                f"{dtypes.scalar_type_name(weight.dtype)}"
            )
    if a.dtype.kind != "f":
        # An integer input would give a silently truncated loss; PyTorch has no kernel for it.
        kernel = "nll_loss_out_frame" if nd <= 2 else "nll_loss2d_forward_out_frame"
        name = dtypes.scalar_type_name(input.dtype)
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{name}'")


def _nll(input, target, weight, reduction, ignore_index, name="NllLossBackward0"):
    w = _constant(weight, "weight", "nll_loss_forward")
    kwargs = {
        "target": target._data,
        "weight": w,
        "reduction": reduction,
        "ignore_index": ignore_index,
    }
    return apply(NllLoss, (input,), kwargs, name)


def _nll_nd(input, target, weight, reduction, ignore_index):
    """PyTorch's nll_loss_nd: 1-2 dims directly, 4 dims as the 2-d loss, others viewed as 4-d."""
    nd = input._data.ndim
    if nd < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {nd})")
    if nd != 1 and input._data.shape[0] != target._data.shape[0]:
        raise ValueError(
            f"Expected input batch_size ({input._data.shape[0]}) to match target batch_size "
            f"({target._data.shape[0]})."
        )
    _check_nll_target(input, target, weight)
    if nd <= 2:
        return _nll(input, target, weight, reduction, ignore_index)
    if nd == 4:
        return _nll(input, target, weight, reduction, ignore_index, "NllLoss2DBackward0")
    n, c = input._data.shape[:2]
    out_size = (n,) + input._data.shape[2:]
    if input._data.size > 0:
        input = input.view(n, c, 1, -1)
        target = target.view(n, 1, -1)
    else:
        input = input.view(n, c, 0, 0)
        target = target.view(n, 0, 0)
    out = _nll(input, target, weight, reduction, ignore_index, "NllLoss2DBackward0")
    return out if reduction != "none" else out.view(out_size)


def nll_loss(
    input,
    target,
    weight=None,
    size_average=None,
    ignore_index=-100,
    reduce=None,
    reduction="mean",
):
    if _autocast.dtype is not None:  # (autocast: in float32)
        input, weight = to_float32(input, weight)
    reduction = _reduction(reduction, size_average, reduce)
    return _nll_nd(input, target, weight, reduction, ignore_index)


# -- cross entropy ----------------------------------------------------------------------------
def _class_weight_view(weight, ndim, class_dim):
    shape = [1] * ndim
    shape[class_dim] = weight.shape[0]
    return weight.view(shape)


def _cross_entropy_probabilities(input, target, weight, reduction, label_smoothing):
    class_dim = 0 if input._data.ndim == 1 else 1
    n_classes = input._data.shape[class_dim]
    if weight is not None and (weight._data.ndim != 1 or weight._data.shape[0] != n_classes):
        raise RuntimeError(
            f"cross_entropy: weight tensor should be defined either for all {n_classes} classes "
            f"or no classes but got weight tensor of shape: {list(weight._data.shape)}"
        )
    logp = input.log_softmax(class_dim)
    if label_smoothing > 0.0:
        if label_smoothing > 1.0:
            raise RuntimeError(
                f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}"
            )
        target = target * (1 - label_smoothing) + label_smoothing / n_classes
    terms = logp * target
    if weight is not None:
        terms = terms * _class_weight_view(weight, input._data.ndim, class_dim)
    if reduction == "none":
        return -terms.sum(class_dim)
    total = -terms.sum()
    if reduction == "sum":
        return total
    if input._data.size == 0:
        return total * float("nan")
    return total / (input._data.size // n_classes)


def _cross_entropy_smoothed(input, target, weight, reduction, ignore_index, label_smoothing):
    class_dim = 0 if input._data.ndim == 1 else 1
    n_classes = input._data.shape[class_dim]
    logp = input.log_softmax(class_dim)
    nll = _nll_nd(logp, target, weight, reduction, ignore_index)
    if weight is not None:
        smooth = -(logp * _class_weight_view(weight, logp._data.ndim, class_dim)).sum(class_dim)
    else:
        smooth = -logp.sum(class_dim)
    ignored = target._data == ignore_index
    if ignored.any():
        smooth = smooth.masked_fill(_wrap(ignored), 0.0)
    if reduction == "mean":
        if weight is not None:
            kept = target._data[~ignored].astype(np.intp)
            denominator = float(weight._data[kept].sum(dtype=weight._data.dtype))
        else:
            denominator = int((~ignored).sum())
        with np.errstate(invalid="ignore", divide="ignore"):
            smooth = smooth.sum() / denominator
    elif reduction == "sum":
        smooth = smooth.sum()
    return (1 - label_smoothing) * nll + smooth * (label_smoothing / n_classes)


def cross_entropy(
    input,
    target,
    weight=None,
    size_average=None,
    ignore_index=-100,
    reduce=None,
    reduction="mean",
    label_smoothing=0.0,
):
    if _autocast.dtype is not None:  # (autocast: in float32)
        input, target, weight = to_float32(input, target, weight)
    reduction = _reduction(reduction, size_average, reduce)
    if input._data.shape == target._data.shape:
        # Same shapes: the target holds class probabilities.
        if target._data.dtype.kind != "f":
            raise RuntimeError(
                "Expected floating point type for target with class probabilities, got "
                f"{dtypes.scalar_type_name(target.dtype)}"
            )
        if ignore_index >= 0:
            raise RuntimeError("ignore_index is not supported for floating point target")
        return _cross_entropy_probabilities(input, target, weight, reduction, label_smoothing)
    if label_smoothing > 0.0:
        if label_smoothing > 1.0:
            raise RuntimeError(
                f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}"
            )
        return _cross_entropy_smoothed(
            input, target, weight, reduction, ignore_index, label_smoothing
        )
    class_dim = 0 if input._data.ndim == 1 else 1
    return _nll_nd(input.log_softmax(class_dim), target, weight, reduction, ignore_index)


# -- Kullback-Leibler divergence --------------------------------------------------------------
def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    if _autocast.dtype is not None:  # (autocast: in float32)
        input, target = to_float32(input, target)
    if size_average is not None or reduce is not None:
        reduction = legacy_get_string(size_average, reduce)
    else:
        if reduction == "mean":
            warnings.warn(
                "reduction: 'mean' divides the total loss by both the batch size and the support "
                "size.'batchmean' divides only by the batch size, and aligns with the KL div math "
                "definition.'mean' will be changed to behave the same as 'batchmean' in the next "
                "major release.",
                stacklevel=2,
            )
        if reduction != "batchmean":
            reduction = _reduction(reduction)
    if log_target:
        loss = target.exp() * (target - input)
    else:
        # target * log(target), 0 where target is 0 (PyTorch's xlogy), then - target * input
        safe = chainrule.where(target == 0, 1.0, target)
        loss = target * safe.log() - target * input
    if reduction == "batchmean":
        loss = loss.sum()
        return loss / input._data.shape[0] if input._data.ndim != 0 else loss
    return _reduce(loss, reduction)
