"""Learning-rate schedules: the lrs (and momenta) over 30 steps equal PyTorch's exactly."""

import math
import warnings

import pytest

import chainrule
from chainrule.optim import lr_scheduler

SCHEDULES = [
    ("StepLR", {"step_size": 7}),
    ("StepLR", {"step_size": 3, "gamma": 0.5}),
    ("MultiStepLR", {"milestones": [3, 10, 10, 25], "gamma": 0.3}),
    ("ExponentialLR", {"gamma": 0.9}),
    ("CosineAnnealingLR", {"T_max": 10}),
    ("CosineAnnealingLR", {"T_max": 7, "eta_min": 0.01}),
    ("LambdaLR", {"lr_lambda": lambda epoch: 0.95**epoch + 1 / (epoch + 1)}),
    ("MultiplicativeLR", {"lr_lambda": lambda epoch: 0.97}),
    ("ConstantLR", {"factor": 0.25, "total_iters": 4}),
    ("LinearLR", {"start_factor": 0.2, "end_factor": 0.9, "total_iters": 12}),
    ("PolynomialLR", {"total_iters": 20, "power": 2.0}),
    ("OneCycleLR", {"max_lr": 1.0, "total_steps": 31}),
    ("OneCycleLR", {"max_lr": [1.0, 0.3], "total_steps": 31, "anneal_strategy": "linear"}),
    (
        "OneCycleLR",
        {"max_lr": 0.5, "epochs": 4, "steps_per_epoch": 8, "three_phase": True, "pct_start": 0.4},
    ),
    (
        "OneCycleLR",
        {"max_lr": 0.5, "total_steps": 31, "div_factor": 5.0, "final_div_factor": 100.0},
    ),
    ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 4}),
    (
        "CyclicLR",
        {
            "base_lr": [0.01, 0.02],
            "max_lr": 0.1,
            "step_size_up": 3,
            "step_size_down": 5,
            "mode": "triangular2",
        },
    ),
    (
        "CyclicLR",
        {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 3, "mode": "exp_range", "gamma": 0.9},
    ),
    (
        "CyclicLR",
        {
            "base_lr": 0.01,
            "max_lr": [0.1, 0.2],
            "step_size_up": 2,
            "scale_fn": lambda x: 0.5 * (1 + math.sin(x)),
            "scale_mode": "iterations",
            "base_momentum": 0.7,
            "max_momentum": [0.95, 0.9],
        },
    ),
    ("CosineAnnealingWarmRestarts", {"T_0": 5}),
    ("CosineAnnealingWarmRestarts", {"T_0": 3, "T_mult": 2, "eta_min": 0.001}),
]


def make_optimizer(lib, name="SGD", **kwargs):
    a, b = lib.zeros(2, requires_grad=True), lib.zeros(3, requires_grad=True)
    opt_cls = getattr(lib.optim, name)
    kwargs = kwargs or ({"lr": 0.1, "momentum": 0.9} if name == "SGD" else {"lr": 0.1})
    return opt_cls([{"params": [a]}, {"params": [b], "lr": 0.05}], **kwargs)


def trajectory(lib, sched_name, kwargs, steps=30, opt_name="SGD"):
    opt = make_optimizer(lib, opt_name)
    sched = getattr(lib.optim.lr_scheduler, sched_name)(opt, **kwargs)
    seen = [(sched.get_last_lr(), _momenta(opt))]
    for _ in range(steps):
        opt.step()
        sched.step()
        seen.append((sched.get_last_lr(), _momenta(opt)))
    return seen, [g["lr"] for g in opt.param_groups]


def _momenta(opt):
    return [g.get("momentum", g.get("betas")) for g in opt.param_groups]


def _ids(case):
    shown = {k: v for k, v in case[1].items() if not callable(v)}
    return case[0] + "-" + "-".join(f"{k}={v}" for k, v in shown.items())


@pytest.mark.parametrize("case", SCHEDULES, ids=[_ids(c) for c in SCHEDULES])
def test_schedule_equals_pytorchs(torch, case):
    name, kwargs = case
    steps = 30 if name != "OneCycleLR" else kwargs.get("total_steps", 32) - 1
    assert trajectory(chainrule, name, kwargs, steps) == trajectory(torch, name, kwargs, steps)


@pytest.mark.parametrize("anneal", ["cos", "linear"])
def test_one_cycle_cycles_adams_beta1(torch, anneal):
    kwargs = {"max_lr": 0.01, "total_steps": 20, "anneal_strategy": anneal}
    ours = trajectory(chainrule, "OneCycleLR", kwargs, 19, opt_name="Adam")
    assert ours == trajectory(torch, "OneCycleLR", kwargs, 19, opt_name="Adam")
    betas = [m[0] for _, m in ours[0]]
    assert betas[0][0] == 0.95 and betas[0][1] == 0.999


def test_one_cycle_refuses_to_step_past_the_end(torch):
    opt = make_optimizer(chainrule)
    sched = lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=3)
    for _ in range(3):
        opt.step()
        sched.step()
    with pytest.raises(ValueError, match="Tried to step 4 times. The specified number of total"):
        sched.step()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_lr": 1.0},
        {"max_lr": 1.0, "total_steps": 0},
        {"max_lr": 1.0, "epochs": 0, "steps_per_epoch": 3},
        {"max_lr": 1.0, "total_steps": 10, "pct_start": 1.5},
        {"max_lr": 1.0, "total_steps": 10, "anneal_strategy": "exp"},
        {"max_lr": [1.0], "total_steps": 10},
    ],
)
def test_one_cycle_errors_match_pytorch(torch, kwargs):
    messages = []
    for lib in (chainrule, torch):
        with pytest.raises(ValueError) as info:
            lib.optim.lr_scheduler.OneCycleLR(make_optimizer(lib), **kwargs)
        messages.append(str(info.value))
    assert messages[0] == messages[1]


def test_one_cycle_needs_momentum_to_cycle(torch):
    opt = make_optimizer(chainrule, "Adagrad")
    with pytest.raises(ValueError, match="optimizer must support momentum or beta1"):
        lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=10)
    lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=10, cycle_momentum=False)


PLATEAU = [
    {},
    {"patience": 2, "factor": 0.5},
    {"mode": "max", "patience": 1, "threshold": 0.1, "cooldown": 2},
    {"threshold_mode": "abs", "threshold": 0.05, "patience": 0, "min_lr": [0.01, 0.02]},
    {"patience": 1, "factor": 0.5, "min_lr": 0.04, "eps": 1e-3},
]


@pytest.mark.parametrize("kwargs", PLATEAU, ids=[str(k) for k in PLATEAU])
def test_reduce_on_plateau_equals_pytorchs(torch, kwargs):
    metrics = [1.0, 0.9, 0.95, 0.91, 0.9, 0.9, 0.8, 0.85, 0.86, 0.87, 0.88, 0.5] * 3
    runs = []
    for lib in (chainrule, torch):
        opt = make_optimizer(lib)
        sched = lib.optim.lr_scheduler.ReduceLROnPlateau(opt, **kwargs)
        lrs = []
        for m in metrics:
            opt.step()
            sched.step(lib.tensor(m) if m == 0.5 else m)
            lrs.append((sched.get_last_lr(), sched.num_bad_epochs, sched.cooldown_counter))
        runs.append((lrs, sched.best, sched.last_epoch))
    assert runs[0] == runs[1]


@pytest.mark.parametrize(
    "kwargs",
    [{"factor": 1.0}, {"mode": "middle"}, {"threshold_mode": "ratio"}, {"min_lr": [0.1]}],
)
def test_reduce_on_plateau_errors_match_pytorch(torch, kwargs):
    messages = []
    for lib in (chainrule, torch):
        with pytest.raises(ValueError) as info:
            lib.optim.lr_scheduler.ReduceLROnPlateau(make_optimizer(lib), **kwargs)
        messages.append(str(info.value))
    assert messages[0] == messages[1]


def test_scheduler_sets_initial_lr_and_base_lrs():
    opt = make_optimizer(chainrule)
    sched = lr_scheduler.StepLR(opt, step_size=2)
    assert [g["initial_lr"] for g in opt.param_groups] == [0.1, 0.05]
    assert sched.base_lrs == [0.1, 0.05] and sched.last_epoch == 0
    assert sched.get_last_lr() == [0.1, 0.05]


def test_resuming_needs_initial_lr(torch):
    for lib in (chainrule, torch):
        with pytest.raises(KeyError, match="param 'initial_lr' is not specified in param_groups"):
            lib.optim.lr_scheduler.StepLR(make_optimizer(lib), step_size=2, last_epoch=3)


def test_state_dict_round_trip_resumes_the_schedule():
    opt = make_optimizer(chainrule)
    sched = lr_scheduler.CosineAnnealingLR(opt, T_max=10)
    for _ in range(4):
        opt.step()
        sched.step()
    state = sched.state_dict()
    assert "optimizer" not in state and state["last_epoch"] == 4
    opt2 = make_optimizer(chainrule)
    opt2.load_state_dict(opt.state_dict())
    sched2 = lr_scheduler.CosineAnnealingLR(opt2, T_max=10)
    sched2.load_state_dict(state)
    for _ in range(6):
        for o, s in ((opt, sched), (opt2, sched2)):
            o.step()
            s.step()
    assert sched2.get_last_lr() == sched.get_last_lr()
    assert [g["lr"] for g in opt2.param_groups] == [g["lr"] for g in opt.param_groups]


def test_lambda_state_dict_keeps_callable_objects_but_not_functions(torch):
    class Decay:
        def __init__(self, rate):
            self.rate = rate

        def __call__(self, epoch):
            return self.rate**epoch

    sched = lr_scheduler.LambdaLR(make_optimizer(chainrule), [Decay(0.5), lambda e: 1.0])
    state = sched.state_dict()
    assert state["lr_lambdas"] == [{"rate": 0.5}, None]
    other = lr_scheduler.LambdaLR(make_optimizer(chainrule), [Decay(0.9), lambda e: 1.0])
    other.load_state_dict(state)
    assert other.lr_lambdas[0].rate == 0.5 and "lr_lambdas" in state


def test_lambda_count_must_match_the_groups(torch):
    with pytest.raises(ValueError, match="Expected 2 lr_lambdas, but got 1"):
        lr_scheduler.LambdaLR(make_optimizer(chainrule), [lambda e: 1.0])


def test_step_with_an_epoch_uses_the_closed_form_and_warns(torch):
    results = []
    for lib in (chainrule, torch):
        opt = make_optimizer(lib)
        sched = lib.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)
        opt.step()
        with pytest.warns(UserWarning, match="The epoch parameter in `scheduler.step\\(\\)`"):
            sched.step(7)
        results.append(sched.get_last_lr())
    assert results[0] == results[1] == [0.1 * 0.25, 0.05 * 0.25]


def test_warns_when_the_scheduler_steps_before_the_optimizer():
    opt = make_optimizer(chainrule)
    sched = lr_scheduler.ExponentialLR(opt, gamma=0.5)
    with pytest.warns(UserWarning, match="Detected call of `lr_scheduler.step\\(\\)` before"):
        sched.step()

    opt = make_optimizer(chainrule)
    sched = lr_scheduler.ExponentialLR(opt, gamma=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt.step()
        sched.step()


def test_get_lr_outside_step_warns():
    sched = lr_scheduler.StepLR(make_optimizer(chainrule), step_size=2)
    with pytest.warns(UserWarning, match="please use `get_last_lr\\(\\)`"):
        sched.get_lr()


def test_not_an_optimizer_is_refused(torch):
    with pytest.raises(TypeError, match="list is not an Optimizer"):
        lr_scheduler.StepLR([], step_size=2)


def test_cosine_sequence_follows_the_closed_form():
    opt = make_optimizer(chainrule)
    sched = lr_scheduler.CosineAnnealingLR(opt, T_max=8, eta_min=0.001)
    for epoch in range(1, 20):
        opt.step()
        sched.step()
        expected = 0.001 + (0.1 - 0.001) * (1 + math.cos(math.pi * epoch / 8)) / 2
        assert sched.get_last_lr()[0] == pytest.approx(expected, rel=1e-12)


def test_scheduler_drives_the_optimizers_steps():
    p = chainrule.tensor([1.0], requires_grad=True)
    opt = chainrule.optim.SGD([p], lr=1.0)
    sched = lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    for _ in range(3):
        p.grad = chainrule.ones(1)
        opt.step()
        sched.step()
    assert p.tolist() == [1.0 - 1.0 - 0.5 - 0.25]
