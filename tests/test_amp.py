"""chainrule.amp: autocast keeps dtypes (and says so once); GradScaler on the CPU scales,
unscales, skips and grows exactly as PyTorch's; the CUDA spellings warn and disable."""

import warnings

import numpy as np
import pytest

import chainrule
from parity import assert_ulp


def _warnings_of(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn()
    return [(w.category.__name__, str(w.message)) for w in caught]


def test_cpu_autocast_keeps_float32_and_says_so_once(monkeypatch):
    from chainrule.amp import autocast_mode

    monkeypatch.setattr(autocast_mode, "_told", False)
    lin = chainrule.nn.Linear(3, 2)
    x = chainrule.ones(4, 3)

    def run():
        with chainrule.autocast("cpu") as ctx:
            out = lin(x)
            assert chainrule.is_autocast_enabled("cpu")
        return ctx, out

    first = _warnings_of(run)
    assert len(first) == 1 and "keeps every dtype" in first[0][1]
    assert _warnings_of(run) == []  # once per process
    ctx, out = run()
    assert out.dtype == chainrule.float32 and ctx.fast_dtype == chainrule.float32
    assert not chainrule.is_autocast_enabled("cpu")


@pytest.mark.parametrize(
    "make",
    [
        lambda t: t.autocast(device_type="cuda"),
        lambda t: t.autocast("cpu", dtype=t.float64),
        lambda t: t.amp.autocast("cpu", enabled=False),
    ],
)
def test_autocast_warnings_match_pytorchs(torch, make, monkeypatch):
    from chainrule.amp import autocast_mode

    monkeypatch.setattr(autocast_mode, "_told", True)  # leave out chainrule's own note

    def enter(lib):
        return lambda: make(lib).__enter__()

    ours, theirs = _warnings_of(enter(chainrule)), _warnings_of(enter(torch))
    assert ours == theirs
    ctx = make(chainrule)
    with ctx:
        assert not chainrule.is_autocast_enabled(ctx.device)


def test_autocast_refuses_unknown_devices_as_pytorch(torch):
    messages = []
    for lib in (chainrule, torch):
        with pytest.raises(RuntimeError) as info:
            lib.autocast("foo")
        messages.append(str(info.value))
    assert messages[0] == messages[1]


def test_autocast_as_a_decorator(monkeypatch):
    from chainrule.amp import autocast_mode

    monkeypatch.setattr(autocast_mode, "_told", True)

    @chainrule.autocast("cpu")
    def f(x):
        return chainrule.is_autocast_enabled("cpu"), x * 2

    enabled, y = f(chainrule.ones(2))
    assert enabled and y.tolist() == [2.0, 2.0] and not chainrule.is_autocast_enabled("cpu")


def _train_with_scaler(lib, losses_scale, steps=8, growth_interval=3):
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal((2, 3)).astype(np.float32)
    lin = lib.nn.Linear(3, 2, bias=False)
    with lib.no_grad():
        lin.weight.copy_(lib.tensor(w0))
    opt = lib.optim.SGD(lin.parameters(), lr=0.1)
    scaler = lib.amp.GradScaler("cpu", init_scale=2.0**10, growth_interval=growth_interval)
    seen = []
    for i in range(steps):
        x = lib.tensor(rng.standard_normal((4, 3)).astype(np.float32))
        opt.zero_grad()
        loss = (lin(x) ** 2).mean() * losses_scale[i]
        scaler.scale(loss).backward()
        scaler.step(opt)
        scaler.update()
        seen.append((scaler.get_scale(), scaler._get_growth_tracker()))
    return seen, lin.weight.detach().numpy().copy(), scaler.state_dict()


def test_grad_scaler_matches_pytorch_on_the_cpu(torch):
    factors = [1.0, 1.0, 1.0, 1.0, float("inf"), 1.0, 1.0, 1.0]  # one overflowing step
    ours = _train_with_scaler(chainrule, factors)
    theirs = _train_with_scaler(torch, factors)
    assert ours[0] == theirs[0]  # scales grow every 3 steps and halve on the inf
    assert ours[0][4] == (ours[0][3][0] / 2, 0)
    # the scaling is exact (powers of two); the linear layer's matmul and the mean's reduction
    # round as each library's kernels do
    assert_ulp(ours[1], theirs[1], 8)
    assert ours[2] == theirs[2]


def _misuse(lib):
    scaler = lib.amp.GradScaler("cpu")
    p = lib.tensor([1.0], requires_grad=True)
    opt = lib.optim.SGD([p], lr=0.1)
    nested = scaler.scale([p * 1, (p * 2, p * 3)])
    record = [[nested[0].item(), nested[1][0].item(), nested[1][1].item()]]
    for call in (
        lambda: scaler.step(opt),  # no gradients: no inf checks
        lambda: scaler.unscale_(opt),
        lambda: scaler.update(),
        lambda: lib.amp.GradScaler("cpu", growth_factor=1.0),
        lambda: lib.amp.GradScaler("cpu", backoff_factor=1.0),
        lambda: lib.amp.GradScaler("cpu").unscale_(opt),
        lambda: scaler.update(lib.tensor([1.0, 2.0])),
    ):
        try:
            call()
            record.append("ok")
        except Exception as e:  # noqa: BLE001 - compares whatever each library raises
            record.append((type(e).__name__, str(e)))
    return record


def test_grad_scaler_scales_nested_outputs_and_refuses_misuse(torch):
    assert _misuse(chainrule) == _misuse(torch)


def test_cuda_grad_scaler_warns_and_steps_plainly(torch):
    def make(lib):
        return lambda: lib.amp.GradScaler()

    assert _warnings_of(make(chainrule)) == _warnings_of(make(torch))
    with pytest.warns(UserWarning):
        scaler = chainrule.amp.GradScaler()
    assert not scaler.is_enabled() and scaler.get_scale() == 1.0 and scaler.state_dict() == {}
    loss = chainrule.tensor(2.0)
    assert scaler.scale(loss) is loss


def test_old_cuda_amp_spellings_warn_as_pytorch(torch):
    for make in (lambda lib: lib.cuda.amp.GradScaler(), lambda lib: lib.cuda.amp.autocast()):
        ours = _warnings_of(lambda m=make: m(chainrule))
        theirs = _warnings_of(lambda m=make: m(torch))
        assert [(k, m.split("\n")[0]) for k, m in ours] == [
            (k, m.split("\n")[0]) for k, m in theirs
        ]
