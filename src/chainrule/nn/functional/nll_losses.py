"""Functional forms: poisson_nll_loss and gaussian_nll_loss (composites, as in PyTorch), and
ctc_loss (one Op, CtcLossBackward0).

CTC (connectionist temporal classification) sums the probability of every alignment
of a target sequence to the input frames: the forward recursion over time runs in log
space on the extended target (a blank before, between and after the labels), all
samples of the batch at once; the backward recursion gives each frame's posterior of
each class. As in PyTorch, the gradient with respect to log_probs is
exp(log_probs) - posterior, which is the gradient with respect to the logits when
log_probs comes from log_softmax; it is itself not differentiated again (PyTorch's
error says so).
"""

from __future__ import annotations

import math

import numpy as np

from ... import dtypes
from ..._autocast import state as _autocast
from ...autograd.grad_mode import no_grad
from ...ops.autocast import to_float32
from ...ops.op import Op
from ...tensor import Tensor
from .loss import _reduce, _reduction, legacy_get_string

__all__ = ["ctc_loss", "gaussian_nll_loss", "poisson_nll_loss"]

_wrap = Tensor._wrap


def poisson_nll_loss(
    input, target, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None,
    reduction="mean",
):  # fmt: skip
    """Negative log likelihood of target under Poisson(rate): rate = exp(input) with
    log_input, else input; full adds Stirling's approximation of log(target!)."""
    if _autocast.dtype is not None:  # (autocast: in float32)
        input, target = to_float32(input, target)
    if size_average is not None or reduce is not None:
        reduction = legacy_get_string(size_average, reduce)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not a valid value for reduction")
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        stirling = target * target.log() - target + 0.5 * (2 * math.pi * target).log()
        loss = loss + stirling.masked_fill(target <= 1, 0)
    return _reduce(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """Negative log likelihood of target under N(input, var): 0.5 * (log(var) +
    (input - target)**2 / var), var clamped at eps (in value; its gradient passes)."""
    from ...ops.creation import ones_like

    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = var * ones_like(input)
    elif bool((var._data < 0).any()):
        raise ValueError("var has negative entry/entries")
    if tuple(var.shape) != tuple(input.shape):
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)
        elif input.dim() == var.dim() and (
            sum(y for x, y in zip(input.shape, var.shape) if x != y) == 1
        ):
            pass  # one dim of size 1 in var: the same variance along it (heteroscedastic)
        else:
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    var = var.clone()
    with no_grad():
        var.clamp_(min=eps)
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


# -- CTC ----------------------------------------------------------------------------------
def _lse(*arrays):
    """Element-wise log(sum(exp)) of arrays, -inf where all are -inf."""
    m = arrays[0]
    for a in arrays[1:]:
        m = np.maximum(m, a)
    safe = np.where(np.isneginf(m), 0, m)
    with np.errstate(divide="ignore"):
        s = sum(np.exp(a - safe) for a in arrays)
        return np.log(s) + safe


def _ctc_tables(lp, targets, in_lens, tgt_lens, blank):
    """(log alpha, log beta, nll per sample, extended labels) for log_probs (T, N, C)."""
    t_max, n, _ = lp.shape
    s_max = targets.shape[1] if targets.size else 0
    width = 2 * s_max + 1
    ext = np.full((n, width), blank, np.int64)
    ext[:, 1::2] = targets[:, :s_max]
    valid = np.arange(width)[None, :] < (2 * tgt_lens + 1)[:, None]
    # Skipping over a blank to the previous label is allowed unless the labels repeat.
    skip = np.zeros((n, width), bool)
    skip[:, 2:] = (ext[:, 2:] != blank) & (ext[:, 2:] != ext[:, :-2])
    rows = np.arange(n)[:, None]
    neg = np.full((n, width), -np.inf, lp.dtype)
    emit = lp[:, rows, ext]  # (T, N, width): each frame's log prob of each extended label
    alpha = np.full((t_max, n, width), -np.inf, lp.dtype)
    a = neg.copy()
    a[:, 0] = emit[0, :, 0]
    a[:, 1] = np.where(tgt_lens > 0, emit[0, :, 1] if width > 1 else -np.inf, -np.inf)
    a = np.where(valid, a, -np.inf)
    alpha[0] = a
    for t in range(1, t_max):
        prev1 = np.concatenate([neg[:, :1], a[:, :-1]], 1)
        prev2 = np.where(skip, np.concatenate([neg[:, :2], a[:, :-2]], 1), -np.inf)
        new = np.where(valid, _lse(a, prev1, prev2) + emit[t], -np.inf)
        a = np.where((t < in_lens)[:, None], new, a)
        alpha[t] = a
    last = np.maximum(in_lens - 1, 0)
    end = 2 * tgt_lens
    final = alpha[last, np.arange(n)]
    nll = -_lse(
        final[np.arange(n), end], np.where(tgt_lens > 0, final[np.arange(n), end - 1], -np.inf)
    )
    # beta, from each sample's last frame back to the first.
    beta = np.full((t_max, n, width), -np.inf, lp.dtype)
    b = neg.copy()
    nxt_skip = np.zeros((n, width), bool)
    nxt_skip[:, :-2] = skip[:, 2:]
    for t in range(t_max - 1, -1, -1):
        start = t == in_lens - 1
        init = neg.copy()
        init[np.arange(n), end] = emit[t, np.arange(n), end]
        has = tgt_lens > 0
        init[np.arange(n)[has], end[has] - 1] = emit[t, np.arange(n)[has], end[has] - 1]
        next1 = np.concatenate([b[:, 1:], neg[:, :1]], 1)
        next2 = np.where(nxt_skip, np.concatenate([b[:, 2:], neg[:, :2]], 1), -np.inf)
        step = np.where(valid, _lse(b, next1, next2) + emit[t], -np.inf)
        b = np.where(start[:, None], init, np.where((t < in_lens - 1)[:, None], step, neg))
        beta[t] = b
    return alpha, beta, nll, ext


class CtcLoss(Op):
    name = "CtcLossBackward0"
    formula = "d(-log p(target))/d log_probs[t, c] = exp(log_probs[t, c]) - posterior(t, c)"

    @staticmethod
    def forward(ctx, lp, *, targets, in_lens, tgt_lens, blank, zero_infinity):
        # The tables in double precision, whatever lp's dtype: the gradient subtracts
        # log-probabilities of the whole sequence (hundreds) that cancel to O(1), which in
        # single precision keeps too few digits. Each result is rounded once.
        alpha, beta, nll, ext = _ctc_tables(
            lp.astype(np.float64), targets, in_lens, tgt_lens, blank
        )
        ctx.tables = (alpha, beta, nll, ext)
        ctx.settings = (in_lens, zero_infinity)
        ctx.save_for_backward(lp)
        return nll.astype(lp.dtype)

    @staticmethod
    def backward(ctx, grad):
        (lp,) = ctx.saved_tensors
        alpha, beta, nll, ext = ctx.tables
        in_lens, zero_infinity = ctx.settings
        a = lp._data.astype(np.float64)
        t_max, n, c = a.shape
        # log of the summed alpha * beta of every extended position of each class.
        ab = alpha + beta
        top = np.max(np.where(np.isneginf(ab), -np.inf, ab), axis=2, keepdims=True)
        top = np.where(np.isneginf(top), 0, top)
        acc = np.zeros((t_max, n, c), a.dtype)
        idx_t, idx_n = np.meshgrid(np.arange(t_max), np.arange(n), indexing="ij")
        with np.errstate(under="ignore"):
            values = np.exp(ab - top)
        np.add.at(
            acc,
            (idx_t[..., None], idx_n[..., None], np.broadcast_to(ext[None], ab.shape)),
            values,
        )
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            lcab = np.log(acc) + top
            coef = np.exp(a) - np.exp(lcab + nll[None, :, None] - a)
        coef = np.where((np.arange(t_max)[:, None] < in_lens[None, :])[..., None], coef, 0)
        if zero_infinity:
            coef = np.where(np.isinf(nll)[None, :, None], 0, coef)
        coef = np.nan_to_num(coef, nan=0.0).astype(lp._data.dtype)
        return CtcLossGrad.apply(grad, lp, coef=coef)


class CtcLossGrad(Op):
    """The CTC gradient for given output gradients; a function of log_probs too (so that it
    is recorded whenever they require grad), not differentiable again, as in PyTorch."""

    name = "CtcLossBackwardBackward0"
    formula = "grad[t, n, c] = coef[t, n, c] * g[n] (the derivative of this is not implemented)"

    @staticmethod
    def forward(ctx, g, lp, *, coef):
        return coef * g.reshape(1, -1, 1)

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError("derivative for aten::_ctc_loss_backward is not implemented")


def _lengths(v, name):
    if isinstance(v, Tensor):
        return v._data.astype(np.int64).reshape(-1), v.dim() == 0
    arr = np.asarray(v, np.int64)
    return arr.reshape(-1), arr.ndim == 0


def ctc_loss(
    log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean",
    zero_infinity=False,
):  # fmt: skip
    """The connectionist temporal classification loss of log_probs (T, N, C) (or (T, C)) for
    targets padded (N, S) or concatenated (sum(target_lengths),)."""
    if _autocast.dtype is not None:  # (autocast: in float32)
        (log_probs,) = to_float32(log_probs)
    reduction = _reduction(reduction)
    unbatched = log_probs.dim() == 2
    lp = log_probs.unsqueeze(1) if unbatched else log_probs
    if lp._data.dtype.kind != "f":
        raise RuntimeError(
            f"\"ctc_loss_cpu\" not implemented for '{dtypes.scalar_type_name(log_probs.dtype)}'"
        )
    t_max, n, c = lp.shape
    in_lens, _ = _lengths(input_lengths, "input_lengths")
    tgt_lens, _ = _lengths(target_lengths, "target_lengths")
    if not 0 <= blank < c:
        raise RuntimeError("blank must be in label range")
    if in_lens.shape[0] != n:
        raise RuntimeError("input_lengths must be of size batch_size")
    if tgt_lens.shape[0] != n:
        raise RuntimeError("target_lengths must be of size batch_size")
    tg = targets._data.astype(np.int64)
    if unbatched:
        tg = tg.reshape(1, -1)
    if tg.ndim == 1:
        # Concatenated targets: cut into rows, padded.
        total = int(tgt_lens.sum())
        if tg.shape[0] < total:
            raise RuntimeError(
                f"Expected tensor to have size at least {total} at dimension 0, but got size "
                f"{tg.shape[0]} for argument #2 'targets' (while checking arguments for "
                "ctc_loss_allocate_outputs)"
            )
        width = int(tgt_lens.max()) if n else 0
        padded = np.zeros((n, width), np.int64)
        starts = np.concatenate([[0], np.cumsum(tgt_lens)[:-1]]) if n else []
        for i in range(n):
            padded[i, : tgt_lens[i]] = tg[starts[i] : starts[i] + tgt_lens[i]]
        tg = padded
    else:
        width = int(tgt_lens.max()) if n else 0
        if tg.shape[1] < width:
            raise RuntimeError(
                f"Expected tensor to have size at least {width} at dimension 1, but got size "
                f"{tg.shape[1]} for argument #2 'targets' (while checking arguments for "
                "ctc_loss_allocate_outputs)"
            )
        tg = tg[:, :width]
    too_long = in_lens > t_max
    if too_long.any():
        raise RuntimeError(
            f"Expected input_lengths to have value at most {t_max}, but got value "
            f"{in_lens[too_long][0]} (while checking arguments for ctc_loss_allocate_outputs)"
        )
    losses = CtcLoss.apply(
        lp, targets=tg, in_lens=in_lens, tgt_lens=tgt_lens, blank=int(blank),
        zero_infinity=bool(zero_infinity),
    )  # fmt: skip
    if zero_infinity:
        from ...ops.pointwise import where

        losses = where(losses == math.inf, 0.0, losses)
    if unbatched:
        losses = losses.squeeze(0)
    if reduction == "mean":
        divisor = _wrap(np.maximum(tgt_lens, 1).astype(lp._data.dtype))
        if unbatched:
            divisor = divisor.squeeze(0)
        return (losses / divisor).mean()
    if reduction == "sum":
        return losses.sum()
    return losses
