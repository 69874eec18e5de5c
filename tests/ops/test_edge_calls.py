"""Edge calls PyTorch's own samples make (zero-size and 0-dim inputs, keyword forms, memory
formats, broadcast contractions), each against PyTorch: values and gradients, or the same
error. These run without PyTorch's OpInfo database (test_opinfo.py runs all its samples).
"""

from __future__ import annotations

import numpy as np
import pytest

import chainrule


def F(lib):
    return lib.nn.functional


def _leaf(lib, shape, seed=0):
    values = np.random.default_rng(seed).standard_normal(shape)
    return lib.tensor(values, dtype=lib.float64, requires_grad=True)


CALLS = {
    "softmax_zero_size": lambda t, x: t.softmax(x, 1),
    "log_softmax_zero_size": lambda t, x: t.log_softmax(x, 1),
    "softmin_zero_size": lambda t, x: F(t).softmin(x, 1),
    "matmul_zero_inner": lambda t, x: t.matmul(x, t.ones(0, 3, dtype=t.float64)),
    "adaptive_avg_pool1d_zero_batch": lambda t, x: F(t).adaptive_avg_pool1d(x, 3),
    "layer_norm_full_shape_weight": lambda t, x: F(t).layer_norm(
        x, (2, 3), x.detach() * 0 + 1.5, x.detach() * 0 + 0.25
    ),
    "layer_norm_full_shape_affine": lambda t, x: F(t).layer_norm(
        x[0], (3,), x[1] * 1, x[0, 0] * 0 + t.tensor([0.1, 0.2, 0.3], dtype=t.float64)
    ),
    "prelu_zero_dim": lambda t, x: F(t).prelu(x, t.tensor([0.25], dtype=t.float64)),
    "index_select_zero_dim": lambda t, x: t.index_select(x, 0, t.tensor([0])),
    "index_fill_zero_dim": lambda t, x: t.index_fill(x, 0, t.tensor([0]), -1.0),
    "masked_select_zero_dim": lambda t, x: t.masked_select(x, t.tensor(True)),
    "flip_dims_keyword": lambda t, x: t.flip(x, dims=(0, 1)),
    "flip_method_dims_keyword": lambda t, x: x.flip(dims=[1]),
    "tensordot_broadcast_contraction": lambda t, x: t.tensordot(
        x[:1], t.ones(2, 3, dtype=t.float64), dims=([0], [0])
    ),
    "tensordot_dims_as_lists": lambda t, x: t.tensordot(
        x, t.ones(3, 2, dtype=t.float64), dims=[[1, 0], [0, 1]]
    ),
    "zero_": lambda t, x: t.zero_(x * 1) + x,
    "to_channels_last": lambda t, x: x.reshape(1, 2, 3, 1).to(memory_format=t.channels_last),
    "double_channels_last": lambda t, x: x.reshape(1, 2, 1, 3).double(
        memory_format=t.channels_last
    ),
    "float_contiguous_format": lambda t, x: x.float(memory_format=t.contiguous_format),
    "to_positional_copy": lambda t, x: x.to("cpu", t.float64, False, True),
    "batch_norm_empty_1d": lambda t, x: F(t).batch_norm(
        x.reshape(-1)[:0], t.ones(0), t.ones(0), training=True
    ),
}

SHAPES = {
    "softmax_zero_size": (4, 0),
    "log_softmax_zero_size": (4, 0),
    "softmin_zero_size": (4, 0),
    "matmul_zero_inner": (2, 4, 0),
    "adaptive_avg_pool1d_zero_batch": (0, 4, 6),
    "prelu_zero_dim": (),
    "index_select_zero_dim": (),
    "index_fill_zero_dim": (),
    "masked_select_zero_dim": (),
}


def _run(lib, name):
    x = _leaf(lib, SHAPES.get(name, (2, 3)))
    out = CALLS[name](lib, x)
    layout = out.stride() if out.numel() else None
    value = out.detach().numpy().copy()
    grad = None
    if out.requires_grad and out.dtype == lib.float64:
        seed = np.random.default_rng(1).standard_normal(tuple(out.shape))
        (g,) = lib.autograd.grad(out, x, lib.tensor(seed), allow_unused=True)
        grad = None if g is None else g.numpy()
    return str(out.dtype), tuple(out.shape), layout, value, grad


@pytest.mark.parametrize("name", sorted(CALLS))
def test_edge_call_matches_pytorch(name, torch):
    dtype, shape, layout, value, grad = _run(chainrule, name)
    t_dtype, t_shape, t_layout, t_value, t_grad = _run(torch, name)
    assert (dtype, shape, layout) == (t_dtype, t_shape, t_layout)
    np.testing.assert_allclose(value, t_value, rtol=1e-12, atol=1e-12)
    assert (grad is None) == (t_grad is None)
    if grad is not None:
        np.testing.assert_allclose(grad, t_grad, rtol=1e-12, atol=1e-12)


ERRORS = {
    "channels_last_needs_rank_4": lambda t: t.ones(3).to(memory_format=t.channels_last),
    "channels_last_3d_needs_rank_5": lambda t: t.ones(3).float(memory_format=t.channels_last_3d),
    "contiguous_preserve": lambda t: t.ones(3, 2).t().contiguous(memory_format=t.preserve_format),
    "memory_format_type": lambda t: t.ones(3).float(memory_format=1),
    "flip_no_dims": lambda t: t.flip(t.ones(3)),
    "flip_dims_twice": lambda t: t.ones(2, 3).flip(0, dims=[1]),
    "tensordot_mismatch": lambda t: t.tensordot(t.ones(3), t.ones(2), dims=([0], [0])),
    "batch_norm_eval_needs_running_mean": lambda t: F(t).batch_norm(
        t.ones(2, 3), None, None, training=False
    ),
    "batch_norm_eval_needs_running_var": lambda t: F(t).batch_norm(
        t.ones(2, 3), t.zeros(3), None, training=False
    ),
    "batch_norm_1d_statistics": lambda t: F(t).batch_norm(
        t.ones(3), t.ones(3), t.ones(3), training=False
    ),
    "batch_norm_1d_training": lambda t: F(t).batch_norm(t.arange(3.0), None, None, training=True),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_edge_error_matches_pytorch(name, torch):
    def error(lib):
        try:
            ERRORS[name](lib)
        except Exception as e:  # noqa: BLE001 - the exception is what is compared
            return type(e).__name__, str(e)
        return None

    theirs = error(torch)
    assert theirs is not None
    assert error(chainrule) == theirs


def test_memory_format_objects_print_and_compare_as_pytorchs(torch):
    for name in ("contiguous_format", "preserve_format", "channels_last", "strided"):
        assert repr(getattr(chainrule, name)) == repr(getattr(torch, name))
    assert chainrule.ones(2).layout is chainrule.strided
    x = chainrule.ones(1, 2, 3, 4).contiguous(memory_format=chainrule.channels_last)
    assert not x.is_contiguous()
    assert x.is_contiguous(memory_format=chainrule.channels_last)
    assert x.contiguous().is_contiguous()
