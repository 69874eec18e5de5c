"""SequentialLR and ChainedScheduler (schedules of schedules), CyclicLR with Adam and
CosineAnnealingWarmRestarts at fractional epochs: lrs and momenta equal PyTorch's exactly,
state_dicts round-trip, and errors are PyTorch's."""

import pytest
from test_lr_scheduler import _momenta, make_optimizer

import chainrule


def _sched(lib):
    return lib.optim.lr_scheduler


COMPOSITES = {
    "sequential": lambda lib, opt: _sched(lib).SequentialLR(
        opt,
        [
            _sched(lib).LinearLR(opt, start_factor=0.1, total_iters=5),
            _sched(lib).ExponentialLR(opt, gamma=0.9),
            _sched(lib).StepLR(opt, step_size=3),
        ],
        milestones=[5, 12],
    ),
    "warmup-then-cosine": lambda lib, opt: _sched(lib).SequentialLR(
        opt,
        [
            _sched(lib).ConstantLR(opt, factor=0.5, total_iters=3),
            _sched(lib).CosineAnnealingLR(opt, T_max=10),
        ],
        milestones=[4],
    ),
    "chained": lambda lib, opt: _sched(lib).ChainedScheduler(
        [
            _sched(lib).ConstantLR(opt, factor=0.5, total_iters=4),
            _sched(lib).ExponentialLR(opt, gamma=0.9),
        ]
    ),
    "chained-with-optimizer": lambda lib, opt: _sched(lib).ChainedScheduler(
        [_sched(lib).StepLR(opt, step_size=4), _sched(lib).MultiplicativeLR(opt, lambda e: 0.97)],
        optimizer=opt,
    ),
}


def _trajectory(lib, build, steps=30, opt_name="SGD", epochs=None):
    opt = make_optimizer(lib, opt_name)
    sched = build(lib, opt)
    seen = [(sched.get_last_lr(), _momenta(opt))]
    for i in range(steps):
        opt.step()
        if epochs is None:
            sched.step()
        else:
            sched.step(epochs[i])
        seen.append((sched.get_last_lr(), _momenta(opt)))
    return seen, [g["lr"] for g in opt.param_groups]


@pytest.mark.parametrize("name", COMPOSITES)
def test_composite_schedules_equal_pytorchs(torch, name):
    ours = _trajectory(chainrule, COMPOSITES[name])
    assert ours == _trajectory(torch, COMPOSITES[name])
    assert len({lrs[0] for ((lrs, _),) in zip(ours[0])}) > 3  # the lr really moves


def test_cyclic_lr_cycles_adams_beta1(torch):
    def build(lib, opt):
        return _sched(lib).CyclicLR(opt, 0.001, 0.01, step_size_up=3, mode="triangular2")

    ours = _trajectory(chainrule, build, opt_name="Adam")
    assert ours == _trajectory(torch, build, opt_name="Adam")
    assert ours[0][0][1][0] == (0.9, 0.999) and ours[0][3][1][0] == (0.8, 0.999)


@pytest.mark.parametrize("T_mult", [1, 2])
def test_warm_restarts_take_fractional_epochs(torch, T_mult):
    def build(lib, opt):
        return _sched(lib).CosineAnnealingWarmRestarts(opt, T_0=3, T_mult=T_mult, eta_min=1e-3)

    epochs = [i * 0.25 for i in range(1, 40)]
    assert _trajectory(chainrule, build, 39, epochs=epochs) == _trajectory(
        torch, build, 39, epochs=epochs
    )


def test_sequential_state_dict_holds_its_schedulers_and_resumes():
    def run(opt, sched, n):
        for _ in range(n):
            opt.step()
            sched.step()

    build = COMPOSITES["sequential"]
    opt = make_optimizer(chainrule)
    sched = build(chainrule, opt)
    run(opt, sched, 7)
    state = sched.state_dict()
    assert "optimizer" not in state and len(state["_schedulers"]) == 3
    assert state["_milestones"] == [5, 12] and state["last_epoch"] == 7
    opt2 = make_optimizer(chainrule)
    opt2.load_state_dict(opt.state_dict())
    sched2 = build(chainrule, opt2)
    sched2.load_state_dict(state)
    assert "_schedulers" in state  # the caller's dict is left whole
    run(opt, sched, 10)
    run(opt2, sched2, 10)
    assert sched2.get_last_lr() == sched.get_last_lr()


def test_cyclic_state_dict_keeps_a_callable_objects_state_only():
    class Scale:
        def __init__(self, k):
            self.k = k

        def __call__(self, x):
            return self.k

    opt = make_optimizer(chainrule)
    sched = chainrule.optim.lr_scheduler.CyclicLR(opt, 0.01, 0.1, scale_fn=Scale(0.5))
    state = sched.state_dict()
    assert state["_scale_fn_custom"] == {"k": 0.5} and "_scale_fn_ref" not in state
    plain = chainrule.optim.lr_scheduler.CyclicLR(make_optimizer(chainrule), 0.01, 0.1)
    assert plain.state_dict()["_scale_fn_custom"] is None
    other = chainrule.optim.lr_scheduler.CyclicLR(
        make_optimizer(chainrule), 0.01, 0.1, scale_fn=Scale(0.9)
    )
    other.load_state_dict(state)
    assert other.scale_fn(3) == 0.5


ERRORS = [
    lambda lib, opt: _sched(lib).SequentialLR(opt, [], milestones=[]),
    lambda lib, opt: _sched(lib).SequentialLR(
        opt, [_sched(lib).StepLR(opt, 2), _sched(lib).StepLR(opt, 3)], milestones=[]
    ),
    lambda lib, opt: _sched(lib).SequentialLR(
        opt, [_sched(lib).ReduceLROnPlateau(opt)], milestones=[]
    ),
    lambda lib, opt: _sched(lib).SequentialLR(opt, [object()], milestones=[]),
    lambda lib, opt: _sched(lib).ChainedScheduler([]),
    lambda lib, opt: _sched(lib).ChainedScheduler(
        [_sched(lib).StepLR(opt, 2), _sched(lib).StepLR(make_optimizer(lib), 2)]
    ),
    lambda lib, opt: _sched(lib).CyclicLR(opt, 0.01, 0.1, mode="sawtooth"),
    lambda lib, opt: _sched(lib).CyclicLR(opt, [0.01], 0.1),
    lambda lib, opt: _sched(lib).CyclicLR(
        lib.optim.Adagrad([lib.zeros(1, requires_grad=True)]), 0.01, 0.1
    ),
    lambda lib, opt: _sched(lib).CosineAnnealingWarmRestarts(opt, T_0=0),
    lambda lib, opt: _sched(lib).CosineAnnealingWarmRestarts(opt, T_0=2.0),
    lambda lib, opt: _sched(lib).CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=0),
    lambda lib, opt: _sched(lib).CosineAnnealingWarmRestarts(opt, T_0=2, eta_min="0"),
    lambda lib, opt: _sched(lib).CosineAnnealingWarmRestarts(opt, T_0=2).step(-1),
]


@pytest.mark.parametrize("make", ERRORS)
def test_errors_match_pytorchs(torch, make):
    raised = []
    for lib in (chainrule, torch):
        try:
            make(lib, make_optimizer(lib))
        except Exception as e:  # noqa: BLE001 - compares whatever each library raises
            raised.append((type(e).__name__, str(e)))
        else:
            raised.append(None)
    assert raised[1] is not None
    assert raised[0] == raised[1]


def test_sparse_adam_updates_only_the_looked_up_rows(torch):
    import numpy as np

    for dtype in ("float32", "float64"):
        results = []
        rng = np.random.default_rng(0)
        start = rng.standard_normal((10, 4)).astype(dtype)
        for lib in (chainrule, torch):
            emb = lib.nn.Embedding(10, 4, sparse=True, dtype=getattr(lib, dtype))
            with lib.no_grad():
                emb.weight.copy_(lib.tensor(start))
            opt = lib.optim.SparseAdam(emb.parameters(), lr=0.1, betas=(0.8, 0.99))
            draws = np.random.default_rng(1)
            for _ in range(15):
                idx = lib.tensor(draws.integers(0, 7, size=(3, 2)))  # rows 7-9 never used
                target = lib.tensor(draws.standard_normal((3, 2, 4)).astype(dtype))
                opt.zero_grad()
                ((emb(idx) - target) ** 2).sum().backward()
                opt.step()
            state = opt.state_dict()["state"][0]
            results.append((emb.weight.detach().numpy().copy(), state["step"]))
            results.append(state["exp_avg_sq"].numpy().copy())
        (w_ours, step_ours), sq_ours, (w_theirs, step_theirs), sq_theirs = results
        assert step_ours == step_theirs == 15
        # the same elementwise operations in the same order: equal to the last bit
        assert np.array_equal(w_ours, w_theirs) and np.array_equal(sq_ours, sq_theirs)
        assert np.array_equal(w_ours[7:], start[7:])
