"""Adam's step on the arrays (optim/adam.py, _update_arrays) against its tensor form: the same
parameters, moments and version counts, bit for bit, in both arithmetic orders."""

import numpy as np
import pytest

import chainrule
from chainrule.optim import adam

SETTINGS = [
    {"lr": 0.01},
    {"lr": 0.01, "amsgrad": True, "weight_decay": 0.1},
    {"lr": 0.02, "betas": (0.8, 0.9), "eps": 1e-3, "maximize": True},
    {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True},
    {"betas": (0.6, 0.0)},  # lerp's weight 0.4: formed from the moment's side
    {"betas": (0.0, 0.5)},  # lerp's weight 1: formed from the gradient's side
]


def _train(dtype, settings, on_arrays, monkeypatch):
    with monkeypatch.context() as patch:
        if not on_arrays:
            patch.setattr(adam, "_plain_arrays", lambda *tensors: False)
        rng = np.random.default_rng(1)
        shapes = ((7, 5), (5,), (300,), ())
        params = [chainrule.tensor(rng.standard_normal(s).astype(dtype)) for s in shapes]
        for p in params:
            p.requires_grad_()
        optimizer = chainrule.optim.Adam(params, **settings)
        for _ in range(6):
            for p in params:  # gradients over six orders of magnitude
                scale = 10.0 ** rng.integers(-3, 3)
                p.grad = chainrule.tensor((rng.standard_normal(p.shape) * scale).astype(dtype))
            optimizer.step()
    state = [t for s in optimizer.state.values() for t in s.values()]
    return [t.detach().numpy().copy() for t in params + state], [t._version for t in params + state]


@pytest.mark.parametrize("pytorch_order", [False, True])
@pytest.mark.parametrize("settings", SETTINGS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_array_step_equals_the_tensor_step(dtype, settings, pytorch_order, monkeypatch):
    previous = chainrule._arithmetic.pytorch_order
    chainrule.use_pytorch_arithmetic(pytorch_order)
    try:
        ours, our_versions = _train(dtype, settings, True, monkeypatch)
        ref, ref_versions = _train(dtype, settings, False, monkeypatch)
    finally:
        chainrule.use_pytorch_arithmetic(previous)
    for a, b in zip(ours, ref):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
    assert our_versions == ref_versions


def test_half_precision_and_mixed_dtypes_take_the_tensor_step():
    half = chainrule.zeros(3, dtype=chainrule.float16)
    single = chainrule.zeros(3)
    assert not adam._plain_arrays(half, half, half, half)
    assert not adam._plain_arrays(single, half, single, single)
    assert not adam._plain_arrays(single, single, chainrule.zeros(4), single)
    assert adam._plain_arrays(single, single, single, single)
    p = chainrule.ones(3, dtype=chainrule.float16, requires_grad=True)
    optimizer = chainrule.optim.Adam([p], lr=0.5)
    p.grad = chainrule.ones(3, dtype=chainrule.float16)
    optimizer.step()
    assert p.dtype == chainrule.float16
    np.testing.assert_array_equal(p.detach().numpy(), np.full(3, 0.5, np.float16))
