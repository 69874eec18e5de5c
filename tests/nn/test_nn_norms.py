"""GroupNorm, InstanceNorm1d/2d/3d, RMSNorm and LocalResponseNorm against PyTorch: forward,
input and parameter gradients (float32 and float64), running statistics, train/eval, reprs,
state_dict keys, grad_fn names, warnings and errors; gradcheck of the group norm Op."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from modcheck import compare

import chainrule


def _x(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape) * 1.5 + 0.3


def _trained(make):
    """The module with non-default weights, so that a wrong use of each shows."""

    def build(lib):
        m = make(lib)
        with lib.no_grad():
            for i, p in enumerate(m.parameters()):
                # Exact in both libraries (a linspace's last bit depends on the kernel).
                n = p.numel()
                p.copy_((lib.arange(n, dtype=p.dtype) / n * (1 + i) + 0.5).reshape(p.shape))
        return m

    return build


LAYERS = [
    ("groupnorm", lambda t: t.nn.GroupNorm(2, 4), [(3, 4, 5)], True),
    ("groupnorm_4d", lambda t: t.nn.GroupNorm(3, 6, eps=1e-3), [(2, 6, 3, 2)], True),
    ("groupnorm_2d_input", lambda t: t.nn.GroupNorm(1, 4), [(3, 4)], True),
    ("groupnorm_no_affine", lambda t: t.nn.GroupNorm(4, 4, affine=False), [(2, 4, 3)], True),
    ("groupnorm_no_bias", lambda t: t.nn.GroupNorm(2, 4, bias=False), [(2, 4, 3)], True),
    ("instancenorm1d", lambda t: t.nn.InstanceNorm1d(3), [(2, 3, 5)], True),
    ("instancenorm1d_unbatched", lambda t: t.nn.InstanceNorm1d(3, affine=True), [(3, 5)], True),
    ("instancenorm2d_affine", lambda t: t.nn.InstanceNorm2d(3, affine=True), [(2, 3, 4, 3)], True),
    ("instancenorm2d_tracked", lambda t: t.nn.InstanceNorm2d(3, track_running_stats=True),
     [(2, 3, 4, 3)], True),
    ("instancenorm2d_tracked_eval", lambda t: t.nn.InstanceNorm2d(3, track_running_stats=True),
     [(2, 3, 4, 3)], False),
    ("instancenorm3d", lambda t: t.nn.InstanceNorm3d(2, affine=True, momentum=0.3),
     [(2, 2, 3, 2, 2)], True),
    ("rmsnorm", lambda t: t.nn.RMSNorm(5), [(2, 3, 5)], True),
    ("rmsnorm_2d_shape_eps", lambda t: t.nn.RMSNorm([3, 5], eps=1e-3), [(2, 3, 5)], True),
    ("rmsnorm_no_affine", lambda t: t.nn.RMSNorm(5, elementwise_affine=False), [(4, 5)], True),
    ("lrn_3d", lambda t: t.nn.LocalResponseNorm(2), [(2, 5, 4)], True),
    ("lrn_4d", lambda t: t.nn.LocalResponseNorm(3, alpha=0.1, beta=0.5, k=2.0),
     [(2, 5, 3, 2)], True),
    ("lrn_5d", lambda t: t.nn.LocalResponseNorm(4, alpha=0.05), [(1, 6, 2, 2, 3)], True),
]  # fmt: skip


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,make,shapes,train", LAYERS, ids=[c[0] for c in LAYERS])
def test_norm_layers_match_torch(name, make, shapes, train, dtype, torch):
    inputs = [_x(*s, seed=i) for i, s in enumerate(shapes)]
    (_, _, ours), (_, _, theirs) = compare(torch, _trained(make), inputs, dtype, train=train)
    assert ours == theirs  # grad_fn names


def test_instance_norm_running_stats_over_steps(torch):
    stats = []
    for lib in (chainrule, torch):
        m = lib.nn.InstanceNorm1d(3, track_running_stats=True, momentum=0.2)
        for step in range(3):
            m(lib.tensor(_x(4, 3, 5, seed=step), dtype=lib.float32))
        stats.append([m.running_mean.numpy(), m.running_var.numpy(), int(m.num_batches_tracked)])
    np.testing.assert_allclose(stats[0][0], stats[1][0], rtol=1e-6)
    np.testing.assert_allclose(stats[0][1], stats[1][1], rtol=1e-6)
    assert stats[0][2] == stats[1][2] == 0  # instance norm does not count batches
    assert not np.allclose(stats[0][0], 0)


def test_reprs_and_state_dicts(torch):
    for make in (
        lambda t: t.nn.GroupNorm(2, 4),
        lambda t: t.nn.GroupNorm(2, 4, affine=False),
        lambda t: t.nn.InstanceNorm1d(3),
        lambda t: t.nn.InstanceNorm2d(3, affine=True),
        lambda t: t.nn.InstanceNorm3d(3, affine=True, track_running_stats=True, bias=False),
        lambda t: t.nn.RMSNorm(5),
        lambda t: t.nn.RMSNorm([4, 5], eps=1e-3, elementwise_affine=False),
        lambda t: t.nn.LocalResponseNorm(2),
    ):
        ours, theirs = make(chainrule), make(torch)
        assert repr(ours) == repr(theirs)
        assert list(ours.state_dict()) == list(theirs.state_dict())


@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.nn.functional.group_norm(t.zeros(2, 5, 3), 2),
        lambda t: t.nn.functional.group_norm(t.zeros(2, 4, 3), 2, t.zeros(3)),
        lambda t: t.nn.functional.group_norm(t.zeros(4), 2),
        lambda t: t.nn.GroupNorm(3, 4),
        lambda t: t.nn.functional.instance_norm(t.zeros(2, 3, 1)),
        lambda t: t.nn.InstanceNorm1d(3)(t.zeros(2, 3, 4, 5)),
        lambda t: t.nn.InstanceNorm2d(3, affine=True)(t.zeros(2, 4, 5, 5)),
        lambda t: t.nn.functional.rms_norm(t.zeros(2, 3), (4,)),
        lambda t: t.nn.functional.rms_norm(t.zeros(2, 3), (3,), t.zeros(2)),
        lambda t: t.nn.functional.local_response_norm(t.zeros(2, 3), 2),
    ],
)
def test_errors_match_torch(call, torch):
    with pytest.raises(Exception) as theirs:
        call(torch)
    with pytest.raises(type(theirs.value)) as ours:
        call(chainrule)
    assert str(ours.value) == str(theirs.value)


def test_instance_norm_warns_on_a_channel_mismatch(torch):
    messages = []
    for lib in (chainrule, torch):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lib.nn.InstanceNorm1d(3)(lib.zeros(2, 4, 5))
        messages.append([str(w.message) for w in caught])
    assert messages[0] == messages[1] and messages[0]


def test_group_norm_gradcheck():
    F = chainrule.nn.functional
    x = chainrule.tensor(_x(2, 4, 3), requires_grad=True)
    w = chainrule.tensor(_x(4, seed=1), requires_grad=True)
    b = chainrule.tensor(_x(4, seed=2), requires_grad=True)
    assert chainrule.autograd.gradcheck(lambda x, w, b: F.group_norm(x, 2, w, b), (x, w, b))
    assert chainrule.autograd.gradgradcheck(lambda x, w, b: F.group_norm(x, 2, w, b), (x, w, b))
