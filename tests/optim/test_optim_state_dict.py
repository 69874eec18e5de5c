"""state_dict / load_state_dict: PyTorch's layout, and training resumes where it stopped."""

import copy

import numpy as np
import pytest
from optim_harness import SHAPES, run_side_by_side, to_numpy

import chainrule
from chainrule import optim

NAMES = {
    "SGD": {"lr": 0.1, "momentum": 0.9},
    "Adam": {"lr": 0.01, "amsgrad": True},
    "AdamW": {"lr": 0.01},
    "Adagrad": {"lr": 0.1},
    "Adamax": {"lr": 0.01},
    "RMSprop": {"lr": 0.01, "centered": True, "momentum": 0.5},
    "Rprop": {"lr": 0.01},
    "ASGD": {"lr": 0.01, "t0": 2},
    "Adadelta": {"lr": 0.5},
    "NAdam": {"lr": 0.01, "decoupled_weight_decay": True, "weight_decay": 0.1},
    "RAdam": {"lr": 0.01},
}


def _plain(value):
    """A state_dict with tensors replaced by (dtype, shape, values), to compare across libs."""
    if hasattr(value, "detach"):
        a = to_numpy(value)
        return ("tensor", str(value.dtype), a.shape, a.round(5).tolist())
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(v) for v in value)
    return value


@pytest.mark.parametrize("name", NAMES)
def test_state_dict_has_pytorchs_layout_and_values(torch, name):
    opt_ours, opt_theirs, _, _ = run_side_by_side(torch, name, NAMES[name], steps=3)
    ours, theirs = opt_ours.state_dict(), opt_theirs.state_dict()
    assert list(ours) == ["state", "param_groups"]
    assert _plain(ours) == _plain(theirs)


def test_state_dict_numbers_parameters_across_groups(torch):
    groups = [([2], {"lr": 0.5}), ([0, 1], {})]
    opt_ours, opt_theirs, _, _ = run_side_by_side(torch, "SGD", NAMES["SGD"], groups=groups)
    ours, theirs = opt_ours.state_dict(), opt_theirs.state_dict()
    assert [g["params"] for g in ours["param_groups"]] == [[0], [1, 2]]
    assert _plain(ours) == _plain(theirs)


@pytest.mark.parametrize("name", NAMES)
def test_a_loaded_optimizer_continues_exactly_as_the_original(name):
    rng = np.random.default_rng(5)
    start = [rng.standard_normal(s).astype(np.float32) for s in SHAPES]
    grads = [[rng.standard_normal(s).astype(np.float32) for s in SHAPES] for _ in range(10)]

    def run(params, opt, steps):
        for g in steps:
            for p, gi in zip(params, g):
                p.grad = chainrule.tensor(gi)
            opt.step()

    params = [chainrule.tensor(a, requires_grad=True) for a in start]
    opt = getattr(optim, name)(params, **NAMES[name])
    run(params, opt, grads[:5])
    saved = copy.deepcopy(opt.state_dict())
    snapshot = [p.detach().clone() for p in params]
    run(params, opt, grads[5:])

    fresh = [chainrule.tensor(s.numpy(), requires_grad=True) for s in snapshot]
    resumed = getattr(optim, name)(fresh, lr=123.0)  # the loaded groups replace this lr
    resumed.load_state_dict(saved)
    assert resumed.param_groups[0]["lr"] == NAMES[name]["lr"]
    run(fresh, resumed, grads[5:])
    for a, b in zip(params, fresh):
        assert np.array_equal(to_numpy(a), to_numpy(b))


def test_loaded_state_is_cast_to_the_parameters_dtype_but_step_is_not(torch):
    p = chainrule.tensor([1.0, 2.0], requires_grad=True)
    p.grad = chainrule.tensor([0.1, 0.2])
    opt = optim.Adam([p])
    opt.step()
    q = chainrule.tensor([1.0, 2.0], dtype=chainrule.float64, requires_grad=True)
    other = optim.Adam([q])
    other.load_state_dict(opt.state_dict())
    state = other.state[q]
    assert state["exp_avg"].dtype == chainrule.float64
    assert state["step"].dtype == chainrule.float32


def test_load_state_dict_takes_over_tensors_that_need_no_cast(torch):
    # as in PyTorch: loading does not copy the state tensors
    p = chainrule.tensor([1.0], requires_grad=True)
    p.grad = chainrule.tensor([1.0])
    opt = optim.Adam([p])
    opt.step()
    q = chainrule.tensor([1.0], requires_grad=True)
    other = optim.Adam([q])
    other.load_state_dict(opt.state_dict())
    assert other.state[q]["exp_avg"] is opt.state[p]["exp_avg"]


def test_load_state_dict_does_not_change_the_dict_given():
    p = chainrule.tensor([1.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    sd = opt.state_dict()
    optim.SGD([chainrule.tensor([2.0], requires_grad=True)], lr=0.5).load_state_dict(sd)
    assert sd["param_groups"][0]["params"] == [0]


@pytest.mark.parametrize(
    "groups, message",
    [
        ([[0], [1]], "loaded state dict has a different number of parameter groups"),
        (
            [[0, 1, 2]],
            "loaded state dict contains a parameter group that doesn't match the size of "
            "optimizer's group",
        ),
    ],
)
def test_load_state_dict_refuses_a_mismatched_layout(torch, groups, message):
    for lib in (chainrule, torch):
        params = [lib.ones(1, requires_grad=True) for _ in range(2)]
        opt = lib.optim.SGD(params, lr=0.1)
        sd = {"state": {}, "param_groups": [dict(opt.param_groups[0], params=g) for g in groups]}
        with pytest.raises(ValueError) as info:
            opt.load_state_dict(sd)
        assert str(info.value) == message


def test_state_dict_hooks():
    p = chainrule.tensor([1.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    opt.register_state_dict_post_hook(lambda o, sd: {**sd, "extra": 1})
    assert opt.state_dict()["extra"] == 1
    seen = []
    opt.register_load_state_dict_post_hook(lambda o: seen.append(o))
    opt.load_state_dict({"state": {}, "param_groups": [{"lr": 0.2, "params": [0]}]})
    assert seen == [opt] and opt.param_groups[0]["lr"] == 0.2


def test_duplicate_parameters_are_numbered_as_pytorch_numbers_them(torch):
    layouts = []
    for lib in (chainrule, torch):
        a, b = lib.ones(1, requires_grad=True), lib.ones(1, requires_grad=True)
        with pytest.warns(UserWarning, match="duplicate parameters"):
            opt = lib.optim.SGD([{"params": [a, a]}, {"params": [b]}], lr=0.1)
        layouts.append([g["params"] for g in opt.state_dict()["param_groups"]])
    assert layouts[0] == layouts[1] == [[1, 1], [2]]
