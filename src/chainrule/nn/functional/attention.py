"""Functional forms: scaled_dot_product_attention and multi_head_attention_forward.

Attention is softmax(q k^T * scale + mask) v. On 4-D inputs without dropout it is
one Op (PyTorch's CPU kernel's grad_fn, ScaledDotProductFlashAttentionForCpuBackward0):
the forward runs on arrays and keeps the probabilities P; the backward is the
closed form dV = P^T g, dS = P * (g V^T - rowsum(g V^T * P)), dQ = scale dS K,
dK = scale dS^T Q, in chainrule ops (with P recomputed from q and k under
create_graph, so it differentiates again). Every other call (dropout, other
ranks, a mask that requires grad) is the composite PyTorch's math path runs, so
its gradients are those of its pieces. A row whose every key is masked out
attends to nothing: its output is 0, not NaN, in both forms, as in PyTorch.

multi_head_attention_forward is a composite: the in-projection, the heads as
a batch dimension, attention (explicit, with its weights, when need_weights;
else through scaled_dot_product_attention), and the out-projection.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from ... import dtypes
from ..._autocast import state as _autocast
from ...autograd.grad_mode import state as _grad_state
from ...ops.autocast import lower
from ...ops.op import NULL_CTX, Op
from ...tensor import Tensor
from .dropout import dropout
from .linear import linear
from .padding import pad

__all__ = ["multi_head_attention_forward", "scaled_dot_product_attention"]

_wrap = Tensor._wrap


def _causal(n_q, n_k):
    """The top-left aligned lower triangle: query i sees keys 0..i."""
    return np.tril(np.ones((n_q, n_k), dtype=bool))


def _additive(mask, dtype):
    """A bool mask (True = attend) as 0 / -inf; a float mask as it is."""
    if mask.dtype == np.bool_:
        out = np.zeros(mask.shape, dtype)
        out[~mask] = -np.inf
        return out
    return mask.astype(dtype, copy=False)


def _safe_softmax(s):
    """softmax over the last axis; rows that are all -inf give 0."""
    top = s.max(-1, keepdims=True)
    empty = np.isneginf(top)
    with np.errstate(invalid="ignore"):
        e = np.exp(s - np.where(empty, 0, top))
    e /= e.sum(-1, keepdims=True)
    if empty.any():
        e = np.where(empty, 0, e)
    return e


class ScaledDotProductAttention(Op):
    name = "ScaledDotProductFlashAttentionForCpuBackward0"
    formula = (
        "o = P v, P = softmax(s*q k^T + m): dv = P^T g, dS = P*(g v^T - rowsum(g v^T * P)), "
        "dq = s dS k, dk = s dS^T q"
    )

    @staticmethod
    def forward(ctx, q, k, v, *, mask, scale):
        # Single-precision scores are formed in double: a score of magnitude m carries an
        # absolute error of about m * 2**-24, which the softmax's exp turns into a relative
        # error of the probabilities; in double the probabilities are rounded once.
        wide = q.dtype == np.float32
        s = (
            np.matmul(q.astype(np.float64), np.swapaxes(k, -1, -2).astype(np.float64))
            if wide
            else np.matmul(q, np.swapaxes(k, -1, -2))
        )
        s *= s.dtype.type(scale)
        if mask is not None:
            s += mask
        p = _safe_softmax(s)
        if wide:
            p = p.astype(np.float32)
        out = np.matmul(p, v)
        if ctx is not NULL_CTX:
            ctx.save_for_backward(q, k, v)
            ctx.p, ctx.mask, ctx.scale = p, mask, scale
        return out

    @staticmethod
    def backward(ctx, grad):
        q, k, v = ctx.saved_tensors
        scale = ctx.scale
        if _grad_state.enabled:
            # create_graph: the probabilities as functions of q and k, for the next derivative.
            s = q.matmul(k.transpose(-2, -1)) * scale
            if ctx.mask is not None:
                s = s + _wrap(ctx.mask)
            p = _safe_softmax_tensor(s)
        else:
            p = _wrap(ctx.p)
        needs = ctx.needs_input_grad
        dq = dk = dv = None
        if needs[2]:
            dv = p.transpose(-2, -1).matmul(grad)
        if needs[0] or needs[1]:
            dp = grad.matmul(v.transpose(-2, -1))
            ds = p * (dp - (dp * p).sum(-1, keepdim=True))
            if needs[0]:
                dq = ds.matmul(k) * scale
            if needs[1]:
                dk = ds.transpose(-2, -1).matmul(q) * scale
        return dq, dk, dv


def _safe_softmax_tensor(s):
    """softmax over the last dim in chainrule ops; rows that are all -inf give 0 (they
    are zeroed before the softmax too, so no NaN reaches a derivative)."""
    empty = (s._data == -np.inf).all(-1, keepdims=True)
    if not empty.any():
        return s.softmax(-1)
    empty = _wrap(empty)
    return s.masked_fill(empty, 0.0).softmax(-1).masked_fill(empty, 0.0)


def _repeat_heads(t, groups):
    """(..., h, L, E) -> (..., h * groups, L, E), each head repeated groups times in a row."""
    shape = tuple(t.shape)
    lead, (h, n, e) = shape[:-3], shape[-3:]
    expanded = t.unsqueeze(-3).expand(*lead, h, groups, n, e)
    return expanded.reshape(*lead, h * groups, n, e)


def _check_sdpa(query, key, value, attn_mask, enable_gqa):
    for t in (query, key, value):
        if not isinstance(t, Tensor):
            raise TypeError(
                "scaled_dot_product_attention(): argument 'query' (position 1) must be Tensor, "
                f"not {type(t).__name__}"
            )
    if query.dim() < 2 or key.dim() < 2 or value.dim() < 2:
        raise RuntimeError(
            "Expected query, key, and value to all be  at least 2 dimensional, but got "
            f"query.dim: {query.dim()} key.dim: {key.dim()} and value.dim: {value.dim()} instead."
        )
    if not (query.dtype == key.dtype == value.dtype):
        names = [dtypes.cpp_type_name(t.dtype) for t in (query, key, value)]
        raise RuntimeError(
            "Expected query, key, and value to have the same dtype, but got query.dtype: "
            f"{names[0]} key.dtype: {names[1]} and value.dtype: {names[2]} instead."
        )
    if attn_mask is not None:
        mask_dtype = attn_mask._data.dtype
        if not (
            mask_dtype == np.bool_ or mask_dtype == np.float32 or attn_mask.dtype == query.dtype
        ):
            raise RuntimeError(
                "Expected attn_mask dtype to be bool or float or to match query dtype, but got "
                f"attn_mask.dtype: {dtypes.cpp_type_name(attn_mask.dtype)} and  query.dtype: "
                f"{dtypes.cpp_type_name(query.dtype)} instead."
            )
    if query._data.dtype.kind != "f":
        raise RuntimeError(
            "chainrule: scaled_dot_product_attention needs floating point inputs, got "
            f"{query.dtype}"
        )
    if enable_gqa and query.dim() >= 3:
        hq, hk, hv = query.shape[-3], key.shape[-3], value.shape[-3]
        if hk == 0 or hv == 0 or hq % hk or hq % hv:
            raise RuntimeError(
                "Number of heads in key and value must divide the number of heads in "
            )


def scaled_dot_product_attention(
    query,
    key,
    value,
    attn_mask=None,
    dropout_p=0.0,
    is_causal=False,
    scale=None,
    enable_gqa=False,
):
    """softmax(query @ key^T * scale + mask) @ value over the last two dims; a bool mask
    keeps the positions that are True; is_causal lets query i see keys 0..i."""
    if _autocast.dtype is not None:  # (autocast: in its lower-precision dtype)
        query, key, value, attn_mask = lower(query, key, value, attn_mask)
    _check_sdpa(query, key, value, attn_mask, enable_gqa)
    e = query.shape[-1]
    if scale is None:
        scale = 1.0 / math.sqrt(e) if e else math.inf
    scale = float(scale)
    n_q, n_k = query.shape[-2], key.shape[-2]
    fused = (
        query.dim() == key.dim() == value.dim() == 4
        and dropout_p == 0.0
        and query.shape[0] == key.shape[0] == value.shape[0]
        and query.shape[-1] == key.shape[-1] == value.shape[-1]
        and n_k > 0
        and (attn_mask is None or not attn_mask.requires_grad)
        and (
            query.shape[1] == key.shape[1] == value.shape[1]
            or (enable_gqa and key.shape[1] == value.shape[1])
        )
    )
    if attn_mask is not None:
        _check_mask_shape(query, value, attn_mask)
    if fused:
        if enable_gqa and query.shape[1] != key.shape[1]:
            groups = query.shape[1] // key.shape[1]
            key, value = _repeat_heads(key, groups), _repeat_heads(value, groups)
        mask = None
        dtype = query._data.dtype
        if is_causal:
            mask = _additive(_causal(n_q, n_k), dtype)
        if attn_mask is not None:
            m = _additive(attn_mask._data, dtype)
            mask = m if mask is None else mask + m
        return ScaledDotProductAttention.apply(query, key, value, mask=mask, scale=scale)
    return _math_attention(query, key, value, attn_mask, dropout_p, is_causal, scale, enable_gqa)


def _check_mask_shape(query, value, attn_mask):
    """The mask is added into the scores in place: it may not widen their shape."""
    scores = tuple(query.shape[:-1]) + (value.shape[-2],)
    try:
        full = np.broadcast_shapes(scores, tuple(attn_mask.shape))
    except ValueError:
        full = None
    if full != scores:
        wide = list(full) if full is not None else list(attn_mask.shape)
        raise RuntimeError(
            f"output with shape {list(scores)} doesn't match the broadcast shape {wide}"
        )


def _math_attention(query, key, value, attn_mask, dropout_p, is_causal, scale, enable_gqa):
    """The composite form (PyTorch's math path): q and k each scaled by sqrt(scale)."""
    n_q, n_k = query.shape[-2], key.shape[-2]
    if is_causal:
        if attn_mask is not None:
            raise RuntimeError(
                "_scaled_dot_product_attention: Explicit attn_mask should not be set when "
                "is_causal=True"
            )
        attn_mask = _wrap(_causal(n_q, n_k))
    if enable_gqa and query.dim() >= 3 and query.shape[-3] != key.shape[-3]:
        key = _repeat_heads(key, query.shape[-3] // key.shape[-3])
        value = _repeat_heads(value, query.shape[-3] // value.shape[-3])
    root = math.sqrt(scale)
    single = query._data.dtype == np.float32  # scores in double, as the fused path forms them
    if single:
        query, key = query.double(), key.double()
    s = (query * root).matmul((key * root).transpose(-2, -1))
    if attn_mask is not None:
        if attn_mask._data.dtype == np.bool_:
            s = s.masked_fill(_wrap(~attn_mask._data), float("-inf"))
        else:
            s = s + attn_mask
    p = _safe_softmax_tensor(s)
    if single:
        p = p.float()
    if dropout_p > 0.0:
        p = dropout(p, dropout_p)
    return p.matmul(value)


# -- multi-head attention --------------------------------------------------------------


def _canonical_mask(mask, mask_name, other_type, other_name, target_type, check_other=True):
    """A key-padding or attention mask as an additive float mask (True -> -inf)."""
    if mask is None:
        return None
    kind = mask._data.dtype.kind
    if kind != "b" and kind != "f":
        raise AssertionError(f"only bool and floating types of {mask_name} are supported")
    if check_other and other_type is not None and mask.dtype != other_type:
        warnings.warn(
            f"Support for mismatched {mask_name} and {other_name} is deprecated. Use same type "
            "for both instead.",
            stacklevel=3,
        )
    if kind == "b":
        out = np.zeros(mask._data.shape, target_type.np)
        out[mask._data] = -np.inf
        return _wrap(out)
    return mask


def _none_or_dtype(t):
    if t is None:
        return None
    if isinstance(t, Tensor):
        return t.dtype
    raise RuntimeError("input to _none_or_dtype() must be None or torch.Tensor")


def _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads):
    """Whether the input is batched (3-D), with PyTorch's checks of the other shapes."""
    if query.dim() == 3:
        if key.dim() != 3 or value.dim() != 3:
            raise AssertionError(
                "For batched (3-D) `query`, expected `key` and `value` to be 3-D but found "
                f"{key.dim()}-D and {value.dim()}-D tensors respectively"
            )
        if key_padding_mask is not None and key_padding_mask.dim() != 2:
            raise AssertionError(
                "For batched (3-D) `query`, expected `key_padding_mask` to be `None` or 2-D but "
                f"found {key_padding_mask.dim()}-D tensor instead"
            )
        if attn_mask is not None and attn_mask.dim() not in (2, 3):
            raise AssertionError(
                "For batched (3-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D but "
                f"found {attn_mask.dim()}-D tensor instead"
            )
        return True
    if query.dim() == 2:
        if key.dim() != 2 or value.dim() != 2:
            raise AssertionError(
                "For unbatched (2-D) `query`, expected `key` and `value` to be 2-D but found "
                f"{key.dim()}-D and {value.dim()}-D tensors respectively"
            )
        if key_padding_mask is not None and key_padding_mask.dim() != 1:
            raise AssertionError(
                "For unbatched (2-D) `query`, expected `key_padding_mask` to be `None` or 1-D "
                f"but found {key_padding_mask.dim()}-D tensor instead"
            )
        if attn_mask is not None:
            if attn_mask.dim() not in (2, 3):
                raise AssertionError(
                    "For unbatched (2-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D "
                    f"but found {attn_mask.dim()}-D tensor instead"
                )
            if attn_mask.dim() == 3:
                expected = (num_heads, query.shape[0], key.shape[0])
                if tuple(attn_mask.shape) != expected:
                    raise AssertionError(
                        f"Expected `attn_mask` shape to be {expected} but got {attn_mask.shape}"
                    )
        return False
    raise AssertionError(
        "query should be unbatched 2D or batched 3D tensor but received "
        f"{query.dim()}-D query tensor"
    )


def _in_projection_packed(q, k, v, w, b):
    """q, k, v through the rows of one packed (3E, E) weight: one matmul when all three
    are the same tensor (self-attention), two when key is value."""
    e = q.shape[-1]
    if k is v:
        if q is k:
            proj = linear(q, w, b).unflatten(-1, (3, e))
            proj = proj.unsqueeze(0).transpose(0, -2).squeeze(-2).contiguous()
            return proj[0], proj[1], proj[2]
        w_q, w_kv = w.split([e, 2 * e])
        b_q, b_kv = (None, None) if b is None else b.split([e, 2 * e])
        kv = linear(k, w_kv, b_kv).unflatten(-1, (2, e))
        kv = kv.unsqueeze(0).transpose(0, -2).squeeze(-2).contiguous()
        return linear(q, w_q, b_q), kv[0], kv[1]
    w_q, w_k, w_v = w.chunk(3)
    b_q, b_k, b_v = (None, None, None) if b is None else b.chunk(3)
    return linear(q, w_q, b_q), linear(k, w_k, b_k), linear(v, w_v, b_v)


def _in_projection(q, k, v, w_q, w_k, w_v, b_q, b_k, b_v):
    eq, ek, ev = q.shape[-1], k.shape[-1], v.shape[-1]
    for what, w, shape in (
        ("query", w_q, (eq, eq)),
        ("key", w_k, (eq, ek)),
        ("value", w_v, (eq, ev)),
    ):
        if tuple(w.shape) != shape:
            raise AssertionError(f"expecting {what} weights shape of {shape}, but got {w.shape}")
    for what, b in (("query", b_q), ("key", b_k), ("value", b_v)):
        if b is not None and tuple(b.shape) != (eq,):
            raise AssertionError(f"expecting {what} bias shape of {(eq,)}, but got {b.shape}")
    return linear(q, w_q, b_q), linear(k, w_k, b_k), linear(v, w_v, b_v)


def multi_head_attention_forward(
    query,
    key,
    value,
    embed_dim_to_check,
    num_heads,
    in_proj_weight,
    in_proj_bias,
    bias_k,
    bias_v,
    add_zero_attn,
    dropout_p,
    out_proj_weight,
    out_proj_bias,
    training=True,
    key_padding_mask=None,
    need_weights=True,
    attn_mask=None,
    use_separate_proj_weight=False,
    q_proj_weight=None,
    k_proj_weight=None,
    v_proj_weight=None,
    static_k=None,
    static_v=None,
    average_attn_weights=True,
    is_causal=False,
):
    """Multi-head attention on (L, N, E) query and (S, N, E) key/value (or unbatched
    (L, E) / (S, E)); returns (output, weights averaged over heads or per head, or None)."""
    from ...ops.creation import zeros
    from ...ops.joining import cat

    is_batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not is_batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    key_padding_mask = _canonical_mask(
        key_padding_mask, "key_padding_mask", _none_or_dtype(attn_mask), "attn_mask", query.dtype
    )
    if is_causal and attn_mask is None:
        raise RuntimeError(
            "Need attn_mask if specifying the is_causal hint. You may use the Transformer module "
            "method `generate_square_subsequent_mask` to create this mask."
        )
    if is_causal and key_padding_mask is None and not need_weights:
        # The hint alone stands for the mask: scaled_dot_product_attention makes it.
        attn_mask = None
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype, False)
        if key_padding_mask is not None:
            is_causal = False
    if embed_dim != embed_dim_to_check:
        raise AssertionError(
            f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}"
        )
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if tuple(key.shape[:2]) != tuple(value.shape[:2]):
            raise AssertionError(
                f"key's sequence and batch dims {key.shape[:2]} do not match value's "
                f"{value.shape[:2]}"
            )
        for name, w in (("q", q_proj_weight), ("k", k_proj_weight), ("v", v_proj_weight)):
            if w is None:
                raise AssertionError(
                    f"use_separate_proj_weight is True but {name}_proj_weight is None"
                )
        b_q = b_k = b_v = None
        if in_proj_bias is not None:
            b_q, b_k, b_v = in_proj_bias.chunk(3)
        q, k, v = _in_projection(
            query, key, value, q_proj_weight, k_proj_weight, v_proj_weight, b_q, b_k, b_v
        )
    else:
        if tuple(key.shape) != tuple(value.shape):
            raise AssertionError(f"key shape {key.shape} does not match value shape {value.shape}")
        if in_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
        q, k, v = _in_projection_packed(query, key, value, in_proj_weight, in_proj_bias)

    if attn_mask is not None:
        if attn_mask.dim() == 2:
            if tuple(attn_mask.shape) != (tgt_len, src_len):
                raise RuntimeError(
                    f"The shape of the 2D attn_mask is {attn_mask.shape}, but should be "
                    f"{(tgt_len, src_len)}."
                )
            attn_mask = attn_mask.unsqueeze(0)
        elif attn_mask.dim() == 3:
            if tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, src_len):
                raise RuntimeError(
                    f"The shape of the 3D attn_mask is {attn_mask.shape}, but should be "
                    f"{(bsz * num_heads, tgt_len, src_len)}."
                )
        else:
            raise RuntimeError(f"attn_mask's dimension {attn_mask.dim()} is not supported")

    if bias_k is not None and bias_v is not None:
        if static_k is not None:
            raise AssertionError("bias cannot be added to static key.")
        if static_v is not None:
            raise AssertionError("bias cannot be added to static value.")
        k = cat([k, bias_k.repeat(1, bsz, 1)])
        v = cat([v, bias_v.repeat(1, bsz, 1)])
        if attn_mask is not None:
            attn_mask = pad(attn_mask, (0, 1))
        if key_padding_mask is not None:
            key_padding_mask = pad(key_padding_mask, (0, 1))
    elif bias_k is not None:
        raise AssertionError("bias_k is set but bias_v is None")
    elif bias_v is not None:
        raise AssertionError("bias_v is set but bias_k is None")

    # The heads become a batch dimension: (L, N, E) -> (N * heads, L, head_dim).
    q = q.view(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    k = _heads(k, static_k, "static_k", bsz * num_heads, head_dim)
    v = _heads(v, static_v, "static_v", bsz * num_heads, head_dim)
    if add_zero_attn:
        shape = (bsz * num_heads, 1, head_dim)
        k = cat([k, zeros(shape, dtype=k.dtype)], dim=1)
        v = cat([v, zeros(shape, dtype=v.dtype)], dim=1)
        if attn_mask is not None:
            attn_mask = pad(attn_mask, (0, 1))
        if key_padding_mask is not None:
            key_padding_mask = pad(key_padding_mask, (0, 1))
    src_len = k.shape[1]
    if key_padding_mask is not None:
        if key_padding_mask.shape[0] != bsz:
            raise AssertionError(
                f"Expected key_padded_mask.shape[0] to be {bsz}, but got "
                f"{key_padding_mask.shape[0]}"
            )
        if key_padding_mask.shape[1] != src_len:
            raise AssertionError(
                f"Expected key_padded_mask.shape[1] to be {src_len}, but got "
                f"{key_padding_mask.shape[1]}"
            )
        key_padding_mask = (
            key_padding_mask.view(bsz, 1, 1, src_len)
            .expand(-1, num_heads, -1, -1)
            .reshape(bsz * num_heads, 1, src_len)
        )
        attn_mask = key_padding_mask if attn_mask is None else attn_mask + key_padding_mask
    if not training:
        dropout_p = 0.0

    if need_weights:
        q_scaled = q * math.sqrt(1.0 / float(head_dim))
        if is_causal and attn_mask is None:
            raise AssertionError("FIXME: is_causal not implemented for need_weights")
        if attn_mask is not None:
            weights = attn_mask.baddbmm(q_scaled, k.transpose(-2, -1))
        else:
            weights = q_scaled.bmm(k.transpose(-2, -1))
        weights = weights.softmax(-1)
        if dropout_p > 0.0:
            weights = dropout(weights, p=dropout_p)
        out = weights.bmm(v)
        out = out.transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
        out = linear(out, out_proj_weight, out_proj_bias)
        out = out.view(tgt_len, bsz, out.shape[1])
        weights = weights.view(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            weights = weights.mean(dim=1)
        if not is_batched:
            out, weights = out.squeeze(1), weights.squeeze(0)
        return out, weights

    if attn_mask is not None:
        if attn_mask.shape[0] == 1 and attn_mask.dim() == 3:
            attn_mask = attn_mask.unsqueeze(0)
        else:
            attn_mask = attn_mask.view(bsz, num_heads, -1, src_len)
    q = q.view(bsz, num_heads, tgt_len, head_dim)
    k = k.view(bsz, num_heads, src_len, head_dim)
    v = v.view(bsz, num_heads, src_len, head_dim)
    out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
    out = out.permute(2, 0, 1, 3).reshape(bsz * tgt_len, embed_dim)
    out = linear(out, out_proj_weight, out_proj_bias)
    out = out.view(tgt_len, bsz, out.shape[1])
    if not is_batched:
        out = out.squeeze(1)
    return out, None


def _heads(t, static, name, batch_heads, head_dim):
    """(S, N, E) -> (N * heads, S, head_dim), or the given static keys/values, checked."""
    if static is None:
        return t.view(t.shape[0], batch_heads, head_dim).transpose(0, 1)
    if static.shape[0] != batch_heads:
        raise AssertionError(
            f"expecting {name}.size(0) of {batch_heads}, but got {static.shape[0]}"
        )
    if static.shape[2] != head_dim:
        raise AssertionError(f"expecting {name}.size(2) of {head_dim}, but got {static.shape[2]}")
    return static
