"""The top-level calls tutorials make on a CPU machine: torch.accelerator, the default device,
torch.compile, torch.onnx, torch.utils.checkpoint; each as PyTorch answers on a machine
without an accelerator, and each reachable under `chainrule run` and alias_torch()."""

from pathlib import Path

import numpy as np
import pytest

import chainrule

SRC = Path(__file__).resolve().parents[1] / "src"


def outcome(fn, lib):
    """('ok', value) or ('raise', type name, message)."""
    try:
        value = fn(lib)
    except Exception as e:  # noqa: BLE001 - compares whatever each library does
        return ("raise", type(e).__name__, str(e))
    return ("ok", repr(value))


ACCELERATOR = {
    "is_available": lambda t: t.accelerator.is_available(),
    "current_accelerator": lambda t: t.accelerator.current_accelerator(),
    "current_accelerator(check)": lambda t: t.accelerator.current_accelerator(True),
    "device_count": lambda t: t.accelerator.device_count(),
    "current_device_index": lambda t: t.accelerator.current_device_index(),
    "set_device_index": lambda t: t.accelerator.set_device_index(0),
    "synchronize": lambda t: t.accelerator.synchronize(),
    "current_stream": lambda t: t.accelerator.current_stream(),
    "empty_cache": lambda t: t.accelerator.empty_cache(),
    "memory_allocated": lambda t: t.accelerator.memory_allocated(),
    "device_index(None)": lambda t: t.accelerator.device_index(None).__enter__(),
    "device_index(0)": lambda t: t.accelerator.device_index(0).__enter__(),
    "get_default_device": lambda t: t.get_default_device(),
    "set_default_device(cpu)": lambda t: t.set_default_device("cpu"),
    "set_default_device(device)": lambda t: t.set_default_device(t.device("cpu")),
    "set_default_device(None)": lambda t: t.set_default_device(None),
    "set_default_device(foo)": lambda t: t.set_default_device("foo"),
}


@pytest.mark.parametrize("name", ACCELERATOR)
def test_accelerator_and_default_device_answer_as_pytorch(torch, name):
    try:
        assert outcome(ACCELERATOR[name], chainrule) == outcome(ACCELERATOR[name], torch)
    finally:
        torch.set_default_device(None)


def test_the_mnist_examples_device_choice_runs():
    # pytorch/examples' MNIST script: the accelerator query, then Adadelta
    model = chainrule.nn.Linear(4, 2)
    use_accel = chainrule.accelerator.is_available()
    device = chainrule.accelerator.current_accelerator() if use_accel else chainrule.device("cpu")
    model = model.to(device)
    opt = chainrule.optim.Adadelta(model.parameters(), lr=1.0)
    sched = chainrule.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.7)
    before = model.weight.detach().clone()
    model(chainrule.ones(3, 4)).sum().backward()
    opt.step()
    sched.step()
    assert str(device) == "cpu" and not chainrule.equal(before, model.weight.detach())
    assert sched.get_last_lr() == [0.7]


def test_a_device_that_is_not_there_is_refused_at_once():
    # PyTorch fails at the first tensor made on it; chainrule says so when it is set
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
        chainrule.set_default_device("cuda")
    with pytest.raises(RuntimeError, match="computes on the CPU only"):
        chainrule.set_default_device("mps")
    assert chainrule.get_default_device() == chainrule.device("cpu")


def test_compile_returns_the_module_or_function_itself():
    model = chainrule.nn.Linear(2, 2)
    assert chainrule.compile(model) is model
    assert chainrule.compile(model, mode="max-autotune", fullgraph=True, dynamic=False) is model
    assert chainrule.compile(model, backend="eager", options={"trace.enabled": True}) is model

    def f(x):
        return x * 2

    assert chainrule.compile(f) is f

    @chainrule.compile
    def g(x):
        return x + 1

    @chainrule.compile(mode="reduce-overhead")
    def h(x):
        return x - 1

    assert g(chainrule.tensor(1.0)).item() == 2.0 and h(chainrule.tensor(1.0)).item() == 0.0
    assert h.__name__ == "h"
    assert list(chainrule.compile(model).state_dict()) == ["weight", "bias"]
    assert chainrule.compiler.is_compiling() is False


@pytest.mark.parametrize(
    "make",
    [
        lambda t: t.compile(t.nn.Linear(2, 2), mode="fastest"),
        lambda t: t.compile(t.nn.Linear(2, 2), mode="default", options={"a": 1}),
        lambda t: t.compile(3),
    ],
)
def test_compile_option_errors_match_pytorch(torch, make):
    assert outcome(make, chainrule) == outcome(make, torch)


def test_onnx_is_importable_and_export_says_it_cannot():
    import chainrule.onnx

    assert chainrule.onnx.is_in_onnx_export() is False
    with pytest.raises(RuntimeError, match="chainrule cannot export ONNX"):
        chainrule.onnx.export(chainrule.nn.Linear(2, 2), (chainrule.ones(1, 2),), "model.onnx")


# -- activation checkpointing ------------------------------------------------------------------
def _two_layers(lib, weights):
    net = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.Tanh(), lib.nn.Linear(4, 2))
    with lib.no_grad():
        for p, w in zip(net.parameters(), weights):
            p.copy_(lib.tensor(w))
    return net


@pytest.mark.parametrize("use_reentrant", [True, False])
def test_checkpoint_gives_pytorchs_gradients(torch, use_reentrant):
    rng = np.random.default_rng(0)
    weights = [rng.standard_normal(s).astype(np.float32) for s in [(4, 3), (4,), (2, 4), (2,)]]
    x_np = rng.standard_normal((5, 3)).astype(np.float32)
    results = []
    for lib in (chainrule, torch):
        net = _two_layers(lib, weights)
        x = lib.tensor(x_np, requires_grad=True)
        out = lib.utils.checkpoint.checkpoint(net, x, use_reentrant=use_reentrant)
        (out**2).sum().backward()
        grads = [x.grad] + [p.grad for p in net.parameters()]
        results.append(([g.numpy() for g in grads], type(out.grad_fn).__name__))
    (ours, ours_fn), (theirs, theirs_fn) = results
    assert ours_fn == theirs_fn
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)  # matmuls: BLAS-dependent ulps


def test_checkpoint_recomputes_in_backward_with_the_same_dropout_mask():
    calls = []

    def run(checkpointed):
        chainrule.manual_seed(3)
        drop, lin = chainrule.nn.Dropout(0.5), chainrule.nn.Linear(6, 6)

        def segment(x):
            calls.append(chainrule.is_grad_enabled())
            return drop(lin(x)).tanh()

        x = chainrule.randn(1, 6, requires_grad=True)
        if checkpointed:
            out = chainrule.utils.checkpoint.checkpoint(segment, x, use_reentrant=True)
        else:
            out = segment(x)
        chainrule.rand(10)  # moves the generator on between forward and backward
        out.sum().backward()
        return x.grad, lin.weight.grad

    ours = run(checkpointed=True)
    assert calls == [False, True]  # no graph in the forward; recomputed with one in backward
    plain = run(checkpointed=False)
    for a, b in zip(ours, plain):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    # dropout zeroed some units (their weights' gradient rows): the same ones both times
    assert (ours[1] == 0).all(dim=1).any()


def test_checkpoint_warns_as_pytorch_does(torch):
    lin = chainrule.nn.Linear(2, 2)
    with pytest.warns(UserWarning, match="the use_reentrant parameter should be passed"):
        chainrule.utils.checkpoint.checkpoint(lin, chainrule.ones(1, 2, requires_grad=True))
    with pytest.warns(UserWarning, match="None of the inputs have requires_grad=True"):
        out = chainrule.utils.checkpoint.checkpoint(lin, chainrule.ones(1, 2), use_reentrant=True)
    assert not out.requires_grad
    with pytest.raises(ValueError, match="Unexpected keyword arguments: foo"):
        chainrule.utils.checkpoint.checkpoint(lin, chainrule.ones(1, 2), use_reentrant=True, foo=1)


def test_checkpoint_sequential_matches_the_plain_run():
    chainrule.manual_seed(0)
    net = chainrule.nn.Sequential(*[chainrule.nn.Linear(3, 3) for _ in range(4)])
    x = chainrule.randn(2, 3, requires_grad=True)
    out = chainrule.utils.checkpoint.checkpoint_sequential(net, 2, x, use_reentrant=True)
    out.sum().backward()
    ours = [p.grad.clone() for p in net.parameters()] + [x.grad.clone()]
    net.zero_grad()
    x.grad = None
    net(x).sum().backward()
    for a, b in zip(ours, [p.grad for p in net.parameters()] + [x.grad]):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
