"""Gradient clipping: clip_grad_norm_ (every norm type, the clip coefficient, non-finite
norms), clip_grad_value_, get_total_norm and clip_grads_with_norm_, against PyTorch."""

import math
import warnings

import numpy as np
import pytest

import chainrule as cr
from chainrule.nn.utils import (
    clip_grad_norm,
    clip_grad_norm_,
    clip_grad_value_,
    clip_grads_with_norm_,
    get_total_norm,
)

SHAPES = [(3, 4), (4,), (2, 2, 2)]


def _grads(rng, dtype="float32", scale=3.0):
    return [(scale * rng.standard_normal(s)).astype(dtype) for s in SHAPES]


def _params(lib, grads, missing=()):
    """Leaf tensors whose .grad are the given arrays (none for the indices in missing)."""
    params = []
    for i, g in enumerate(grads):
        p = lib.zeros(g.shape, dtype=getattr(lib, str(g.dtype)), requires_grad=True)
        if i not in missing:
            p.grad = lib.tensor(g.copy())
        params.append(p)
    return params


def _same(ours, theirs, rtol=1e-6):
    assert str(ours.dtype) == str(theirs.dtype)
    np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=rtol, atol=1e-7)


# -- without PyTorch ----------------------------------------------------------------------
def test_clip_grad_norm_scales_to_max_norm_and_returns_the_norm_before():
    p = cr.zeros(2, requires_grad=True)
    p.grad = cr.tensor([3.0, 4.0])
    total = clip_grad_norm_([p], max_norm=1.0)
    assert total.item() == pytest.approx(5.0)
    assert not total.requires_grad
    coef = 1.0 / (5.0 + 1e-6)
    np.testing.assert_allclose(p.grad.numpy(), [3 * coef, 4 * coef], rtol=1e-6)


def test_clip_grad_norm_never_scales_up():
    p = cr.zeros(2, requires_grad=True)
    p.grad = cr.tensor([0.3, 0.4])
    assert clip_grad_norm_(p, max_norm=10.0).item() == pytest.approx(0.5)
    assert p.grad.tolist() == cr.tensor([0.3, 0.4]).tolist()  # multiplied by exactly 1


def test_inf_norm_is_the_largest_magnitude():
    a, b = cr.zeros(3, requires_grad=True), cr.zeros(2, requires_grad=True)
    a.grad, b.grad = cr.tensor([1.0, -7.0, 2.0]), cr.tensor([0.5, 6.0])
    total = clip_grad_norm_([a, b], 3.5, norm_type=float("inf"))
    assert total.item() == 7.0
    assert a.grad.abs().max().item() == pytest.approx(3.5, rel=1e-6)


def test_parameters_without_grad_are_skipped_and_no_grads_give_zero():
    a, b = cr.zeros(2, requires_grad=True), cr.zeros(2, requires_grad=True)
    a.grad = cr.tensor([6.0, 8.0])
    assert clip_grad_norm_([a, b], 5.0).item() == pytest.approx(10.0)
    assert b.grad is None
    empty = clip_grad_norm_([b], 1.0)
    assert empty.item() == 0.0 and empty.dtype is cr.float32


def test_nonfinite_norm_raises_only_when_asked():
    p = cr.zeros(2, requires_grad=True)
    p.grad = cr.tensor([float("inf"), 1.0])
    with pytest.raises(RuntimeError, match="The total norm of order 2.0 for gradients from"):
        clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
    assert p.grad.tolist() == [float("inf"), 1.0]  # nothing was scaled
    assert math.isinf(clip_grad_norm_([p], 1.0).item())


def test_empty_generator_warns():
    with pytest.warns(UserWarning, match="`parameters` is an empty generator"):
        assert clip_grad_norm_((p for p in []), 1.0).item() == 0.0


def test_clip_grad_value_clamps_in_place():
    p = cr.zeros(4, requires_grad=True)
    p.grad = cr.tensor([-3.0, -0.5, 0.25, 9.0])
    grad = p.grad
    assert clip_grad_value_(p, 1) is None
    assert p.grad is grad
    assert p.grad.tolist() == [-1.0, -0.5, 0.25, 1.0]


def test_clip_grad_norm_is_deprecated_alias():
    p = cr.zeros(2, requires_grad=True)
    p.grad = cr.tensor([3.0, 4.0])
    with pytest.warns(FutureWarning, match="deprecated"):
        assert clip_grad_norm([p], 1.0).item() == pytest.approx(5.0)


def test_clipping_inside_a_training_step_leaves_no_graph():
    model = cr.nn.Linear(3, 2)
    loss = (model(cr.ones(4, 3)) * 100).sum()
    loss.backward()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        total = cr.nn.utils.clip_grad_norm_(model.parameters(), 0.1)
    assert total.grad_fn is None
    assert get_total_norm([p.grad for p in model.parameters()]).item() <= 0.1 + 1e-6


# -- against PyTorch ----------------------------------------------------------------------
@pytest.mark.parametrize("norm_type", [2.0, 1, 3.0, 0.5, float("inf"), "inf"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("max_norm", [0.5, 1e6])
def test_clip_grad_norm_matches_torch(torch, rng, norm_type, dtype, max_norm):
    grads = _grads(rng, dtype)
    ours, theirs = _params(cr, grads, missing={1}), _params(torch, grads, missing={1})
    _same(
        clip_grad_norm_(ours, max_norm, norm_type),
        torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type),
    )
    for p, q in zip(ours, theirs):
        if q.grad is None:
            assert p.grad is None
        else:
            _same(p.grad, q.grad)


def test_mixed_dtypes_match_torch(torch, rng):
    grads = [*_grads(rng, "float32"), (rng.standard_normal(5)).astype("float64")]
    ours, theirs = _params(cr, grads), _params(torch, grads)
    _same(clip_grad_norm_(ours, 1.0), torch.nn.utils.clip_grad_norm_(theirs, 1.0))
    for p, q in zip(ours, theirs):
        _same(p.grad, q.grad)


def test_total_norm_and_clip_with_norm_match_torch(torch, rng):
    grads = _grads(rng)
    ours = get_total_norm([cr.tensor(g) for g in grads], 3.0)
    theirs = torch.nn.utils.get_total_norm([torch.tensor(g) for g in grads], 3.0)
    _same(ours, theirs)
    ps, qs = _params(cr, grads), _params(torch, grads)
    clip_grads_with_norm_(ps, 2.0, ours)
    torch.nn.utils.clip_grads_with_norm_(qs, 2.0, theirs)
    for p, q in zip(ps, qs):
        _same(p.grad, q.grad)


@pytest.mark.parametrize("clip_value", [0.1, 2])
def test_clip_grad_value_matches_torch(torch, rng, clip_value):
    grads = _grads(rng)
    ours, theirs = _params(cr, grads, missing={0}), _params(torch, grads, missing={0})
    clip_grad_value_(ours, clip_value)
    torch.nn.utils.clip_grad_value_(theirs, clip_value)
    for p, q in zip(ours[1:], theirs[1:]):
        _same(p.grad, q.grad, rtol=0)


def test_nonfinite_message_matches_torch(torch):
    def call(lib):
        p = lib.zeros(2, requires_grad=True)
        p.grad = lib.tensor([float("nan"), 1.0])
        lib.nn.utils.clip_grad_norm_([p], 1.0, norm_type=1, error_if_nonfinite=True)

    with pytest.raises(RuntimeError) as theirs:
        call(torch)
    with pytest.raises(RuntimeError) as ours:
        call(cr)
    assert str(ours.value) == str(theirs.value)
