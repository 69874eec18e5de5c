"""The Optimizer base: param groups and their errors, zero_grad, closures, hooks, reprs."""

import warnings

import numpy as np
import pytest

import chainrule
from chainrule import optim

ALL = [
    "SGD",
    "Adam",
    "AdamW",
    "Adagrad",
    "Adamax",
    "RMSprop",
    "Rprop",
    "ASGD",
    "LBFGS",
    "Adadelta",
    "NAdam",
    "RAdam",
    "SparseAdam",
]


def leaf(*values):
    return chainrule.tensor(list(values) or [1.0, 2.0], requires_grad=True)


def both(torch, make):
    """make(lib) on both libraries; returns (what chainrule raised, what PyTorch raised)."""
    out = []
    for lib in (chainrule, torch):
        try:
            make(lib)
        except Exception as e:  # noqa: BLE001 - the test compares whatever each one raises
            out.append((type(e).__name__, str(e)))
        else:
            out.append(None)
    return out


@pytest.mark.parametrize("name", ALL)
def test_repr_matches_pytorch(torch, name):
    ours = getattr(optim, name)([chainrule.zeros(2, requires_grad=True)])
    theirs = getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)])
    assert repr(ours) == repr(theirs)


def test_repr_with_two_groups(torch):
    def make(lib):
        a, b = lib.zeros(2, requires_grad=True), lib.zeros(3, requires_grad=True)
        return lib.optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1, momentum=0.9)

    assert repr(make(chainrule)) == repr(make(torch))
    assert repr(make(chainrule)).startswith("SGD (\nParameter Group 0\n    dampening: 0\n")


BAD_PARAMS = [
    lambda lib: lib.optim.SGD([3]),
    lambda lib: lib.optim.SGD([lib.ones(2, requires_grad=True) * 2]),
    lambda lib: lib.optim.SGD([]),
    lambda lib: lib.optim.SGD(lib.ones(2, requires_grad=True)),
    lambda lib: lib.optim.SGD([{"params": {lib.ones(2, requires_grad=True)}}]),
    lambda lib: (lambda p: lib.optim.SGD([{"params": [p]}, {"params": [p], "lr": 1}]))(lib.ones(2)),
    lambda lib: lib.optim.LBFGS([{"params": [lib.ones(2)]}, {"params": [lib.ones(2)]}]),
]


@pytest.mark.parametrize("make", BAD_PARAMS)
def test_bad_params_raise_pytorchs_errors(torch, make):
    ours, theirs = both(torch, make)
    assert theirs is not None
    assert ours == theirs


def test_a_parameter_in_two_groups_is_refused(torch):
    def make(lib):
        p = lib.ones(2, requires_grad=True)
        opt = lib.optim.SGD([p])
        opt.add_param_group({"params": [p]})

    ours, theirs = both(torch, make)
    assert (
        ours == theirs == ("ValueError", "some parameters appear in more than one parameter group")
    )


def test_add_param_group_needs_a_dict(torch):
    def make(lib):
        lib.optim.SGD([lib.ones(2)]).add_param_group([lib.ones(2)])

    ours, theirs = both(torch, make)
    assert ours == theirs == ("TypeError", "param_group must be a dict, but got <class 'list'>")


def test_duplicate_parameters_warn():
    p = leaf()
    with pytest.warns(UserWarning, match="duplicate parameters"):
        optim.SGD([p, p])


def test_a_python_set_of_params_is_accepted_at_the_top_level(torch):
    # as in PyTorch: only a param group's 'params' may not be a set
    opt = optim.SGD({leaf()})
    assert len(opt.param_groups[0]["params"]) == 1


def test_add_param_group_fills_in_the_defaults():
    opt = optim.SGD([leaf()], lr=0.1, momentum=0.9)
    opt.add_param_group({"params": leaf(), "lr": 0.5})
    group = opt.param_groups[1]
    assert group["lr"] == 0.5 and group["momentum"] == 0.9 and isinstance(group["params"], list)


def test_named_parameters_are_kept_as_param_names():
    opt = optim.SGD([("w", leaf()), ("b", leaf())], lr=0.1)
    assert opt.param_groups[0]["param_names"] == ["w", "b"]
    assert opt.state_dict()["param_groups"][0]["param_names"] == ["w", "b"]


@pytest.mark.parametrize(
    "make",
    [
        lambda lib, p: lib.optim.SGD([p], lr=-1),
        lambda lib, p: lib.optim.SGD([p], momentum=-0.1),
        lambda lib, p: lib.optim.SGD([p], weight_decay=-1),
        lambda lib, p: lib.optim.SGD([p], nesterov=True),
        lambda lib, p: lib.optim.SGD([p], momentum=0.9, dampening=0.1, nesterov=True),
        lambda lib, p: lib.optim.SGD([p], fused=True, foreach=True),
        lambda lib, p: lib.optim.Adam([p], lr=-0.1),
        lambda lib, p: lib.optim.Adam([p], eps=-1.0),
        lambda lib, p: lib.optim.Adam([p], betas=(1.0, 0.9)),
        lambda lib, p: lib.optim.Adam([p], betas=(0.9, -0.1)),
        lambda lib, p: lib.optim.Adam([p], betas=(0, 0.9)),
        lambda lib, p: lib.optim.Adam([p], weight_decay=-0.1),
        lambda lib, p: lib.optim.Adam([p], fused=True, differentiable=True),
        lambda lib, p: lib.optim.AdamW([p], betas=(0.9, 1.5)),
        lambda lib, p: lib.optim.Adagrad([p], lr_decay=-1),
        lambda lib, p: lib.optim.Adagrad([p], initial_accumulator_value=-1),
        lambda lib, p: lib.optim.Adagrad([p], eps=-1),
        lambda lib, p: lib.optim.Adamax([p], betas=(0.9, 1.0)),
        lambda lib, p: lib.optim.RMSprop([p], alpha=-1),
        lambda lib, p: lib.optim.RMSprop([p], momentum=-1),
        lambda lib, p: lib.optim.Rprop([p], etas=(1.5, 1.2)),
        lambda lib, p: lib.optim.Rprop([p], etas=(0.5, 0.9)),
        lambda lib, p: lib.optim.ASGD([p], weight_decay=-1),
        lambda lib, p: lib.optim.LBFGS([p], lr=-1),
        lambda lib, p: lib.optim.Adadelta([p], lr=-1),
        lambda lib, p: lib.optim.Adadelta([p], rho=1.5),
        lambda lib, p: lib.optim.Adadelta([p], eps=-1),
        lambda lib, p: lib.optim.Adadelta([p], weight_decay=-1),
        lambda lib, p: lib.optim.NAdam([p], betas=(0.9, 1.0)),
        lambda lib, p: lib.optim.NAdam([p], momentum_decay=-1),
        lambda lib, p: lib.optim.NAdam([p], weight_decay=-1, momentum_decay=-1),
        lambda lib, p: lib.optim.RAdam([p], eps=-1),
        lambda lib, p: lib.optim.RAdam([p], betas=(-0.1, 0.9)),
        lambda lib, p: lib.optim.RAdam([p], weight_decay=-1),
        lambda lib, p: lib.optim.SparseAdam([p], lr=0),
        lambda lib, p: lib.optim.SparseAdam([p], eps=0),
        lambda lib, p: lib.optim.SparseAdam([p], betas=(0.9, 1.0)),
        lambda lib, p: lib.optim.SparseAdam([p], lr=lib.tensor([0.1, 0.2])),
    ],
)
def test_bad_hyperparameters_raise_pytorchs_errors(torch, make):
    ours, theirs = both(torch, lambda lib: make(lib, lib.ones(2, requires_grad=True)))
    assert theirs is not None
    assert ours == theirs


@pytest.mark.parametrize(
    "name", ["Adam", "Adamax", "RMSprop", "Rprop", "ASGD", "Adadelta", "NAdam", "RAdam"]
)
def test_capturable_is_refused_on_the_cpu_as_pytorch_does(torch, name):
    def make(lib):
        p = lib.ones(2, requires_grad=True)
        p.grad = lib.ones(2)
        getattr(lib.optim, name)([p], capturable=True).step()

    ours, theirs = both(torch, make)
    assert theirs is not None and ours == theirs


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "Adagrad"])
def test_fused_and_foreach_run_the_same_update(name):
    results = []
    for flags in ({}, {"fused": True}, {"foreach": True}):
        p = chainrule.tensor([1.0, -2.0], requires_grad=True)
        opt = getattr(optim, name)([p], lr=0.1, **flags)
        for _ in range(3):
            p.grad = chainrule.tensor([0.5, 0.25])
            opt.step()
        results.append(p.tolist())
    assert results[0] == results[1] == results[2]


def test_zero_grad_sets_none_by_default_or_zeros():
    p = leaf()
    opt = optim.SGD([p], lr=0.1)
    (p * p).sum().backward()
    grad = p.grad
    opt.zero_grad(set_to_none=False)
    assert p.grad is grad and p.grad.tolist() == [0.0, 0.0]
    opt.zero_grad()
    assert p.grad is None


def test_zero_grad_detaches_a_gradient_that_has_history():
    p = leaf()
    p.grad = leaf() * 2  # a gradient with a grad_fn, as create_graph=True leaves
    optim.SGD([p]).zero_grad(set_to_none=False)
    assert p.grad.grad_fn is None and p.grad.tolist() == [0.0, 0.0]


def test_step_returns_the_closures_loss_computed_with_grad_enabled():
    p = leaf(1.0, 2.0)
    opt = optim.SGD([p], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    with chainrule.no_grad():
        loss = opt.step(closure)
    assert loss.item() == 5.0
    assert p.tolist() == pytest.approx([0.8, 1.6])


def test_step_runs_without_recording_the_graph():
    p = leaf()
    p.grad = chainrule.ones(2)
    opt = optim.Adam([p], lr=0.1)
    opt.step()  # in place on a leaf that requires grad: allowed only under no_grad
    assert p.grad_fn is None and p.requires_grad
    assert opt.state[p]["exp_avg"].requires_grad is False


def test_step_hooks_run_around_the_step_and_can_be_removed():
    p = leaf()
    p.grad = chainrule.ones(2)
    opt = optim.SGD([p], lr=0.5)
    seen = []
    pre = opt.register_step_pre_hook(lambda o, args, kwargs: seen.append(("pre", p.tolist())))
    post = opt.register_step_post_hook(lambda o, args, kwargs: seen.append(("post", p.tolist())))
    glob = optim.register_optimizer_step_post_hook(lambda o, a, k: seen.append(("global", o)))
    try:
        opt.step()
    finally:
        glob.remove()
    assert seen == [("pre", [1.0, 2.0]), ("post", [0.5, 1.5]), ("global", opt)]
    pre.remove()
    post.remove()
    opt.step()
    assert len(seen) == 3


def test_a_pre_hook_may_replace_the_arguments():
    p = leaf()
    opt = optim.SGD([p], lr=0.5)
    calls = []
    opt.register_step_pre_hook(lambda o, args, kwargs: ((), {"closure": lambda: calls.append(1)}))
    opt.step()
    assert calls == [1]


def test_a_subclass_defines_its_own_step():
    class Halve(optim.Optimizer):
        def __init__(self, params):
            super().__init__(params, {"factor": 0.5})

        @chainrule.no_grad()
        def step(self, closure=None):
            for group in self.param_groups:
                for p in group["params"]:
                    p.mul_(group["factor"])

    p = leaf(4.0)
    opt = Halve([p])
    opt.step()
    assert p.tolist() == [2.0]
    assert repr(opt) == "Halve (\nParameter Group 0\n    factor: 0.5\n)"


def test_optimizers_are_exported_like_pytorchs(torch):
    for name in ALL + ["Optimizer", "lr_scheduler"]:
        assert hasattr(optim, name), name
    assert optim.lr_scheduler.__name__ == "chainrule.optim.lr_scheduler"


def test_a_tensor_learning_rate_is_used_as_its_value():
    p = leaf(1.0)
    p.grad = chainrule.ones(1)
    optim.SGD([p], lr=chainrule.tensor(0.5)).step()
    assert p.tolist() == [0.5]
    with pytest.raises(ValueError, match="Tensor lr must be 1-element"):
        optim.SGD([p], lr=chainrule.tensor([0.5, 0.1]))


def test_no_warning_is_raised_by_a_plain_training_loop():
    p = leaf()
    opt = optim.Adam([p])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(3):
            opt.zero_grad()
            (p * p).sum().backward()
            opt.step()
    assert np.all(np.abs(p.detach().numpy() - [1.0, 2.0]) > 0)


DIFFERENTIABLE = [
    ("SGD", {"lr": 0.1, "momentum": 0.9}, 2),
    ("Adam", {"lr": 0.1}, 2),
    ("AdamW", {"lr": 0.1}, 2),
    ("Adam", {"lr": 0.1, "amsgrad": True}, 1),
    ("RMSprop", {"lr": 0.1, "centered": True}, 1),
    ("Adagrad", {"lr": 0.1}, 2),
    ("Adadelta", {"lr": 0.5}, 2),
    ("NAdam", {"lr": 0.1, "weight_decay": 0.1}, 2),
    ("RAdam", {"lr": 0.1}, 2),
]


@pytest.mark.filterwarnings("ignore:The .grad attribute of a Tensor that is not a leaf")
@pytest.mark.parametrize("name, kwargs, steps", DIFFERENTIABLE)
def test_differentiable_steps_give_pytorchs_gradients(torch, name, kwargs, steps):
    # the parameter is a function of w; the gradient through the optimizer's steps reaches w
    results = []
    for lib in (chainrule, torch):
        w = lib.tensor([1.0, -2.0, 0.5], requires_grad=True)
        p = w.clone()
        opt = getattr(lib.optim, name)([p], differentiable=True, **kwargs)
        for _ in range(steps):
            p.grad = (p * p * 2).detach() + p * 0.5
            opt.step()
        (g,) = lib.autograd.grad(p.sum(), w)
        results.append((g.detach().numpy(), p.detach().numpy()))
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)
