"""Attention against PyTorch: scaled_dot_product_attention (masks, causal, scale, GQA, the
math path), MultiheadAttention in every configuration, the Transformer layers and stacks
(forward and every gradient, float32 and float64), their reprs, state_dict keys, grad_fn
names, warnings and errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from modcheck import compare

import chainrule

DTYPES = [np.float32, np.float64]


def _x(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def _mask(*shape, seed=0, p=0.3):
    return np.random.default_rng(seed).random(shape) < p


# -- scaled_dot_product_attention -------------------------------------------------------


class _Fn:
    """A stateless 'module' so that compare() can run a function."""

    def __init__(self, lib, fn):
        self.fn, self.lib = fn, lib

    def __call__(self, *args):
        return self.fn(self.lib, *args)

    def train(self, mode):
        return self

    def double(self):
        return self

    def state_dict(self):
        return {}

    def load_state_dict(self, sd):
        pass

    def parameters(self):
        return iter(())

    def named_parameters(self):
        return iter(())


def _fn(fn):
    return lambda lib: _Fn(lib, fn)


def _sdpa(**kw):
    return lambda lib, q, k, v, *m: lib.nn.functional.scaled_dot_product_attention(
        q, k, v, *m, **kw
    )


SDPA = [
    ("plain", _sdpa(), [(2, 3, 5, 4), (2, 3, 6, 4), (2, 3, 6, 4)], []),
    ("causal", _sdpa(is_causal=True), [(2, 2, 5, 4), (2, 2, 6, 4), (2, 2, 6, 4)], []),
    ("bool_mask", _sdpa(), [(1, 2, 5, 4), (1, 2, 6, 4), (1, 2, 6, 4)], [_mask(5, 6, p=0.6)]),
    (
        "float_mask_scale",
        _sdpa(scale=0.3),
        [(2, 2, 5, 4), (2, 2, 6, 4), (2, 2, 6, 4)],
        [_x(2, 1, 5, 6)],
    ),
    (
        "mask_and_causal",
        _sdpa(is_causal=True),
        [(1, 1, 4, 3), (1, 1, 4, 3), (1, 1, 4, 3)],
        [_mask(4, 4, p=0.7)],
    ),
    ("gqa", _sdpa(enable_gqa=True), [(2, 4, 3, 4), (2, 2, 5, 4), (2, 2, 5, 4)], []),
    ("math_3d", _sdpa(), [(3, 5, 4), (3, 6, 4), (3, 6, 7)], []),
    ("math_causal", _sdpa(is_causal=True), [(3, 5, 4), (3, 6, 4), (3, 6, 7)], []),
    ("math_bool_mask", _sdpa(), [(5, 4), (6, 4), (6, 2)], [_mask(5, 6, p=0.6)]),
    ("math_broadcast", _sdpa(), [(2, 1, 3, 4), (1, 2, 6, 4), (1, 2, 6, 4)], []),
    ("math_value_dim", _sdpa(), [(2, 2, 3, 4), (2, 2, 6, 4), (2, 2, 6, 5)], []),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name,fn,shapes,extra", SDPA, ids=[c[0] for c in SDPA])
def test_sdpa_matches_torch(name, fn, shapes, extra, dtype, torch):
    inputs = [_x(*s, seed=i) for i, s in enumerate(shapes)]
    (_, _, ours), (_, _, theirs) = compare(torch, _fn(fn), inputs, dtype, extra=extra)
    assert ours == theirs  # grad_fn names: the fused kernel's, or the math path's


def test_sdpa_fully_masked_rows_give_zeros(torch):
    q, k, v = (_x(1, 1, 3, 4, seed=i) for i in range(3))
    m = np.array([[True, False, False], [False, False, False], [True, True, True]])
    for shape in ((1, 1, 3, 4), (3, 4)):
        outs = []
        for lib in (chainrule, torch):
            ts = [lib.tensor(a.reshape(shape)) for a in (q, k, v)]
            outs.append(
                lib.nn.functional.scaled_dot_product_attention(*ts, attn_mask=lib.tensor(m))
            )
        assert (outs[0].numpy().reshape(3, 4)[1] == 0).all()
        np.testing.assert_allclose(outs[0].numpy(), outs[1].numpy(), rtol=1e-12)


def test_sdpa_dropout_takes_the_math_path():
    q = chainrule.randn(1, 1, 4, 3, dtype=chainrule.float64, requires_grad=True)
    out = chainrule.nn.functional.scaled_dot_product_attention(q, q, q, dropout_p=1.0)
    assert (out.detach().numpy() == 0).all()
    assert chainrule.nn.functional.scaled_dot_product_attention(q, q, q).grad_fn.name() == (
        "ScaledDotProductFlashAttentionForCpuBackward0"
    )


@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.nn.functional.scaled_dot_product_attention(t.zeros(4), t.zeros(4), t.zeros(4)),
        lambda t: t.nn.functional.scaled_dot_product_attention(
            t.zeros(2, 3, dtype=t.float64), t.zeros(2, 3), t.zeros(2, 3)
        ),
        lambda t: t.nn.functional.scaled_dot_product_attention(
            t.zeros(2, 3), t.zeros(2, 3), t.zeros(2, 3), attn_mask=t.zeros(2, 2, dtype=t.int64)
        ),
        lambda t: t.nn.functional.scaled_dot_product_attention(
            t.zeros(2, 3),
            t.zeros(2, 3),
            t.zeros(2, 3),
            attn_mask=t.zeros(2, 2, dtype=t.bool),
            is_causal=True,
        ),
        lambda t: t.nn.functional.scaled_dot_product_attention(
            t.zeros(1, 3, 2, 4), t.zeros(1, 2, 2, 4), t.zeros(1, 2, 2, 4), enable_gqa=True
        ),
        lambda t: t.nn.functional.scaled_dot_product_attention(
            t.zeros(1, 2, 5, 4), t.zeros(1, 2, 3, 4), t.zeros(1, 2, 3, 4), t.zeros(2, 1, 5, 3)
        ),
    ],
)
def test_sdpa_errors_match_torch(call, torch):
    with pytest.raises(Exception) as theirs:
        call(torch)
    with pytest.raises(type(theirs.value)) as ours:
        call(chainrule)
    assert str(ours.value) == str(theirs.value)


def test_sdpa_gradcheck_float64():
    F = chainrule.nn.functional
    q, k, v = (chainrule.tensor(_x(1, 2, 3, 4, seed=i), requires_grad=True) for i in range(3))
    m = chainrule.tensor(_mask(3, 3, p=0.4))
    for kw in ({}, {"is_causal": True}, {"attn_mask": m}):
        fn = lambda q, k, v, kw=kw: F.scaled_dot_product_attention(q, k, v, **kw)  # noqa: E731
        assert chainrule.autograd.gradcheck(fn, (q, k, v))
        assert chainrule.autograd.gradgradcheck(fn, (q, k, v))


# -- MultiheadAttention -----------------------------------------------------------------


def _mha(*args, **kw):
    return lambda lib: lib.nn.MultiheadAttention(*args, **kw)


def _self_attn(**kw):
    return lambda m, lib, x, *extra: m(x, x, x, *extra, **kw)


def _cross(**kw):
    return lambda m, lib, q, k, v, *extra: m(q, k, v, *extra, **kw)


def _with_masks(**kw):
    """Self-attention with key_padding_mask and/or attn_mask from extra."""

    def call(m, lib, x, *masks):
        named = dict(zip(kw["names"], masks))
        rest = {k: v for k, v in kw.items() if k != "names"}
        return m(x, x, x, **named, **rest)

    return call


MHA = [
    ("self", _mha(8, 2), _self_attn(), [(5, 3, 8)], []),
    ("self_no_weights", _mha(8, 2), _self_attn(need_weights=False), [(5, 3, 8)], []),
    ("self_per_head", _mha(8, 2), _self_attn(average_attn_weights=False), [(5, 3, 8)], []),
    ("batch_first", _mha(8, 4, batch_first=True), _self_attn(), [(3, 5, 8)], []),
    ("batch_first_sdpa", _mha(8, 4, batch_first=True), _self_attn(need_weights=False),
     [(3, 5, 8)], []),
    ("cross", _mha(6, 3), _cross(), [(4, 2, 6), (5, 2, 6), (5, 2, 6)], []),
    ("key_is_value", _mha(6, 3), lambda m, lib, q, k: m(q, k, k), [(4, 2, 6), (5, 2, 6)], []),
    ("kdim_vdim", _mha(6, 2, kdim=3, vdim=5), _cross(), [(4, 2, 6), (7, 2, 3), (7, 2, 5)], []),
    ("no_bias", _mha(6, 2, bias=False), _self_attn(), [(4, 2, 6)], []),
    ("bias_kv", _mha(6, 2, add_bias_kv=True), _self_attn(), [(4, 2, 6)], []),
    ("zero_attn", _mha(6, 2, add_zero_attn=True), _self_attn(need_weights=False), [(4, 2, 6)], []),
    ("bias_kv_zero_attn_masks", _mha(6, 2, add_bias_kv=True, add_zero_attn=True),
     _with_masks(names=("key_padding_mask", "attn_mask")), [(4, 2, 6)],
     [_mask(2, 4, p=0.4), _mask(4, 4, p=0.3)]),
    ("key_padding_mask", _mha(6, 2), _with_masks(names=("key_padding_mask",)), [(4, 3, 6)],
     [np.array([[False] * 4, [False, False, True, True], [False, True, False, True]])]),
    ("key_padding_sdpa", _mha(6, 2, batch_first=True),
     _with_masks(names=("key_padding_mask",), need_weights=False), [(3, 4, 6)],
     [np.array([[False] * 4, [False, False, True, True], [False, True, False, True]])]),
    ("float_attn_mask", _mha(6, 2), _with_masks(names=("attn_mask",)), [(4, 2, 6)],
     [_x(4, 4, seed=5)]),
    ("attn_mask_3d", _mha(6, 2), _with_masks(names=("attn_mask",), need_weights=False),
     [(4, 2, 6)], [_mask(4, 4, 4, p=0.3)]),
    ("causal_hint", _mha(6, 2),
     _with_masks(names=("attn_mask",), is_causal=True, need_weights=False),
     [(4, 2, 6)], [np.triu(np.ones((4, 4), bool), 1)]),
    ("unbatched", _mha(6, 2), _self_attn(), [(4, 6)], []),
    ("unbatched_masks", _mha(6, 2), _with_masks(names=("key_padding_mask", "attn_mask")),
     [(4, 6)], [np.array([False, True, False, False]), _mask(4, 4, p=0.2)]),
]  # fmt: skip


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name,make,call,shapes,extra", MHA, ids=[c[0] for c in MHA])
def test_multihead_attention_matches_torch(name, make, call, shapes, extra, dtype, torch):
    inputs = [_x(*s, seed=i) for i, s in enumerate(shapes)]
    (oa, _, _), (ob, _, _) = compare(torch, make, inputs, dtype, call=call, extra=extra)
    assert [o is None for o in oa] == [o is None for o in ob]


def test_multihead_attention_layout_and_repr(torch):
    for args, kw in (((8, 2), {}), ((4, 2), {"kdim": 3, "vdim": 5, "add_bias_kv": True})):
        ours, theirs = (
            chainrule.nn.MultiheadAttention(*args, **kw),
            torch.nn.MultiheadAttention(*args, **kw),
        )
        assert repr(ours) == repr(theirs)
        assert [(k, tuple(v.shape)) for k, v in ours.state_dict().items()] == [
            (k, tuple(v.shape)) for k, v in theirs.state_dict().items()
        ]
        assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
        # state_dicts move both ways
        theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
        ours.load_state_dict(
            {k: chainrule.tensor(v.numpy()) for k, v in theirs.state_dict().items()}
        )
    m = chainrule.nn.MultiheadAttention(8, 2)
    assert type(m.out_proj).__name__ == "NonDynamicallyQuantizableLinear"
    assert isinstance(m.out_proj, chainrule.nn.Linear)
    # PyTorch's initialisation: xavier-uniform packed weights, zero biases.
    assert (m.in_proj_bias == 0).all() and (m.out_proj.bias == 0).all()
    bound = (6 / (8 + 24)) ** 0.5
    assert float(m.in_proj_weight.detach().abs().max()) <= bound
    x = chainrule.randn(3, 2, 8)
    out, w = m(x, x, x)
    assert out.grad_fn.name() == "ViewBackward0" and w.grad_fn.name() == "MeanBackward1"
    assert m(x, x, x, average_attn_weights=False)[1].grad_fn.name() == "ViewBackward0"


@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.nn.MultiheadAttention(0, 2),
        lambda t: t.nn.MultiheadAttention(6, 4),
        lambda t: t.nn.MultiheadAttention(6, 2)(t.zeros(3, 2, 6), t.zeros(3, 6), t.zeros(3, 6)),
        lambda t: t.nn.MultiheadAttention(6, 2)(
            t.zeros(3, 2, 5), t.zeros(3, 2, 5), t.zeros(3, 2, 5)
        ),
        lambda t: t.nn.MultiheadAttention(6, 2)(t.zeros(2, 2, 2, 6), t.zeros(3, 6), t.zeros(3, 6)),
        lambda t: t.nn.MultiheadAttention(6, 2)(
            t.zeros(3, 2, 6), t.zeros(4, 2, 6), t.zeros(4, 2, 6), attn_mask=t.zeros(3, 3)
        ),
        lambda t: t.nn.MultiheadAttention(6, 2)(
            t.zeros(3, 2, 6), t.zeros(4, 2, 6), t.zeros(4, 2, 6), key_padding_mask=t.zeros(2, 3)
        ),
        lambda t: t.nn.MultiheadAttention(6, 2)(
            t.zeros(3, 2, 6), t.zeros(3, 2, 6), t.zeros(3, 2, 6), is_causal=True
        ),
        lambda t: t.nn.MultiheadAttention(6, 2)(
            t.zeros(3, 2, 6),
            t.zeros(3, 2, 6),
            t.zeros(3, 2, 6),
            attn_mask=t.zeros(3, 3, dtype=t.int64),
        ),
        lambda t: t.nn.MultiheadAttention(6, 2)(
            t.zeros(3, 2, 6), t.zeros(4, 2, 6), t.zeros(3, 2, 6)
        ),
    ],
)
def test_multihead_attention_errors_match_torch(call, torch):
    with pytest.raises(Exception) as theirs:
        call(torch)
    with pytest.raises(type(theirs.value)) as ours:
        call(chainrule)
    assert str(ours.value) == str(theirs.value)


def test_mismatched_mask_types_warn_as_torch(torch):
    for lib in (chainrule, torch):
        m = lib.nn.MultiheadAttention(4, 2)
        x = lib.zeros(3, 2, 4)
        with pytest.warns(
            UserWarning, match="Support for mismatched key_padding_mask and attn_mask"
        ):
            m(x, x, x, key_padding_mask=lib.zeros(2, 3, dtype=lib.bool), attn_mask=lib.zeros(3, 3))


# -- Transformers -------------------------------------------------------------------------


def _enc_layer(**kw):
    return lambda lib: lib.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, **kw)


def _dec_layer(**kw):
    return lambda lib: lib.nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, **kw)


def _quiet(make):
    def build(lib):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return make(lib)

    return build


def _encoder(**kw):
    return _quiet(
        lambda lib: lib.nn.TransformerEncoder(
            lib.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True),
            2,
            lib.nn.LayerNorm(8),
            **kw,
        )
    )


def _transformer(**kw):
    return _quiet(
        lambda lib: lib.nn.Transformer(8, 2, 2, 1, 16, dropout=0.0, batch_first=True, **kw)
    )


def _causal(lib, n):
    return lib.nn.Transformer.generate_square_subsequent_mask(n)


TRANSFORMERS = [
    ("encoder_layer", _enc_layer(), lambda m, lib, x: m(x), [(5, 2, 8)], []),
    ("encoder_layer_norm_first_gelu", _enc_layer(norm_first=True, activation="gelu"),
     lambda m, lib, x: m(x), [(5, 2, 8)], []),
    ("encoder_layer_callable_activation", _enc_layer(activation=lambda x: x.tanh()),
     lambda m, lib, x: m(x), [(5, 2, 8)], []),
    ("encoder_layer_causal_mask", _enc_layer(batch_first=True),
     lambda m, lib, x: m(x, src_mask=_causal(lib, 5), is_causal=True), [(2, 5, 8)], []),
    ("encoder_layer_padding", _enc_layer(batch_first=True, bias=False),
     lambda m, lib, x, pad: m(x, src_key_padding_mask=pad), [(2, 5, 8)],
     [np.array([[False] * 5, [False, False, False, True, True]])]),
    ("encoder_layer_unbatched", _enc_layer(), lambda m, lib, x: m(x), [(5, 8)], []),
    ("decoder_layer", _dec_layer(), lambda m, lib, t, mem: m(t, mem, tgt_mask=_causal(lib, 4)),
     [(4, 2, 8), (6, 2, 8)], []),
    ("decoder_layer_norm_first", _dec_layer(norm_first=True, batch_first=True),
     lambda m, lib, t, mem, pad: m(t, mem, memory_key_padding_mask=pad, tgt_is_causal=True,
                                   tgt_mask=_causal(lib, 4)),
     [(2, 4, 8), (2, 6, 8)], [np.array([[False] * 6, [False] * 4 + [True] * 2])]),
    ("encoder_stack", _encoder(), lambda m, lib, x: m(x, mask=_causal(lib, 5)), [(2, 5, 8)], []),
    ("encoder_stack_padding", _encoder(enable_nested_tensor=False),
     lambda m, lib, x, pad: m(x, src_key_padding_mask=pad), [(2, 5, 8)],
     [np.array([[False] * 5, [False] * 3 + [True] * 2])]),
    ("transformer", _transformer(),
     lambda m, lib, s, t: m(s, t, tgt_mask=_causal(lib, 4)), [(2, 5, 8), (2, 4, 8)], []),
    ("transformer_norm_first", _transformer(norm_first=True, activation="gelu"),
     lambda m, lib, s, t: m(s, t), [(2, 5, 8), (2, 4, 8)], []),
]  # fmt: skip


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "name,make,call,shapes,extra", TRANSFORMERS, ids=[c[0] for c in TRANSFORMERS]
)
def test_transformers_match_torch(name, make, call, shapes, extra, dtype, torch):
    inputs = [_x(*s, seed=i) for i, s in enumerate(shapes)]
    compare(torch, make, inputs, dtype, call=call, extra=extra)


def test_encoder_drops_padded_positions_in_inference(torch):
    """With batch_first layers in eval mode and no gradient, PyTorch packs the padded batch as
    nested tensors: padded positions come out as zeros (then the final norm's bias)."""
    pad = np.array([[False] * 5, [False, False, False, True, True]])
    x = _x(2, 5, 8)
    outs = []
    for lib in (chainrule, torch):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # PyTorch: nested tensors are a prototype
            enc = lib.nn.TransformerEncoder(
                lib.nn.TransformerEncoderLayer(8, 2, 16, batch_first=True), 2
            )
        if lib is chainrule:
            state = enc.state_dict()
        else:
            enc.load_state_dict({k: torch.tensor(v.numpy()) for k, v in state.items()})
        enc.eval()
        with lib.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            outs.append(
                enc(lib.tensor(x, dtype=lib.float32), src_key_padding_mask=lib.tensor(pad)).numpy()
            )
    assert (outs[0][1, 3:] == 0).all()
    np.testing.assert_allclose(outs[0], outs[1], rtol=1e-5, atol=1e-5)


def test_transformer_reprs_and_state_dicts(torch):
    for make in (
        _quiet(lambda t: t.nn.Transformer(8, 2, 1, 1, 16)),
        lambda t: t.nn.TransformerEncoderLayer(8, 2, 16, norm_first=True, bias=False),
        lambda t: t.nn.TransformerDecoderLayer(8, 2, 16, activation="gelu"),
    ):
        ours, theirs = make(chainrule), make(torch)
        assert repr(ours) == repr(theirs)
        assert [(k, tuple(v.shape)) for k, v in ours.state_dict().items()] == [
            (k, tuple(v.shape)) for k, v in theirs.state_dict().items()
        ]


def test_square_subsequent_mask_and_warnings(torch):
    for n in (1, 4):
        ours = chainrule.nn.Transformer.generate_square_subsequent_mask(n)
        theirs = torch.nn.Transformer.generate_square_subsequent_mask(n)
        assert str(ours) == str(theirs)
    f64 = chainrule.nn.Transformer.generate_square_subsequent_mask(3, dtype=chainrule.float64)
    assert f64.dtype == chainrule.float64
    for kw in ({}, {"norm_first": True}, {"batch_first": True, "activation": lambda x: x}):
        messages = []
        for lib in (chainrule, torch):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                lib.nn.TransformerEncoder(lib.nn.TransformerEncoderLayer(4, 2, 8, **kw), 1)
            messages.append([str(w.message) for w in caught])
        assert messages[0] == messages[1]


@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.nn.TransformerEncoderLayer(4, 2, 8, activation="tanh"),
        lambda t: t.nn.Transformer(4, 2, 1, 1, 8)(t.zeros(3, 2, 4), t.zeros(3, 3, 4)),
        lambda t: t.nn.Transformer(4, 2, 1, 1, 8)(t.zeros(3, 2, 4), t.zeros(3, 2, 5)),
    ],
)
def test_transformer_errors_match_torch(call, torch):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception) as theirs:
            call(torch)
        with pytest.raises(type(theirs.value)) as ours:
            call(chainrule)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("mask_requires_grad", [False, True])  # the fused and the math path
def test_single_precision_scores_are_formed_in_double(mask_requires_grad, torch):
    """float32 attention with scores of magnitude ~100: the probabilities are rounded once
    from double, so the output is within 8e-6 of PyTorch's float64 result whatever PyTorch's
    own float32 kernel gives (up to ~2e-5 off on this input)."""
    rng = np.random.default_rng(0)
    q, k, v = (rng.uniform(-9, 9, s) for s in [(4, 4, 3, 8), (4, 4, 6, 8), (4, 4, 6, 8)])
    mask = rng.uniform(-9, 9, (3, 6))
    exact = torch.nn.functional.scaled_dot_product_attention(
        *(torch.tensor(a) for a in (q, k, v)), attn_mask=torch.tensor(mask)
    ).numpy()
    f32 = chainrule.float32
    ours = chainrule.nn.functional.scaled_dot_product_attention(
        *(chainrule.tensor(a, dtype=f32) for a in (q, k, v)),
        attn_mask=chainrule.tensor(mask, dtype=f32).requires_grad_(mask_requires_grad),
    )
    assert ours.dtype == f32
    assert np.abs(ours.detach().numpy() - exact).max() <= 8e-6
