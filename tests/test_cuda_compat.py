"""chainrule.cuda and chainrule.backends answer as a PyTorch build without CUDA does."""

import pytest

import chainrule

NO_CUDA = "Torch not compiled with CUDA enabled"


def outcome(fn, lib):
    """What fn(lib) does: ('ok', value) or ('raise', error type name, message)."""
    try:
        value = fn(lib)
    except Exception as e:  # noqa: BLE001
        return ("raise", type(e).__name__, str(e))
    if hasattr(value, "tolist") and hasattr(value, "dtype"):
        return ("ok", value.tolist(), str(value.dtype))
    return ("ok", value)


# Calls a PyTorch script makes about CUDA; each answers as in PyTorch's CPU-only build.
SAME_AS_PYTORCH = {
    "is_available": lambda t: t.cuda.is_available(),
    "device_count": lambda t: t.cuda.device_count(),
    "is_initialized": lambda t: t.cuda.is_initialized(),
    "manual_seed": lambda t: t.cuda.manual_seed(1),
    "manual_seed_all": lambda t: t.cuda.manual_seed_all(1),
    "current_device": lambda t: t.cuda.current_device(),
    "synchronize": lambda t: t.cuda.synchronize(),
    "empty_cache": lambda t: t.cuda.empty_cache(),
    "get_device_name": lambda t: t.cuda.get_device_name(0),
    "get_device_properties": lambda t: t.cuda.get_device_properties(0),
    "get_device_capability": lambda t: t.cuda.get_device_capability(),
    "init": lambda t: t.cuda.init(),
    "initial_seed": lambda t: t.cuda.initial_seed(),
    "get_rng_state": lambda t: t.cuda.get_rng_state(),
    "memory_allocated": lambda t: t.cuda.memory_allocated(),
    "max_memory_allocated": lambda t: t.cuda.max_memory_allocated(),
    "memory_reserved": lambda t: t.cuda.memory_reserved(),
    "is_bf16_supported": lambda t: t.cuda.is_bf16_supported(),
    "cuda_FloatTensor": lambda t: t.cuda.FloatTensor([1.0]),
    "cuda_FloatTensor_isinstance": lambda t: isinstance(t.ones(1), t.cuda.FloatTensor),
    "cudnn.deterministic": lambda t: t.backends.cudnn.deterministic,
    "cudnn.benchmark": lambda t: t.backends.cudnn.benchmark,
    "cudnn.enabled": lambda t: t.backends.cudnn.enabled,
    "cudnn.allow_tf32": lambda t: t.backends.cudnn.allow_tf32,
    "cudnn.is_available": lambda t: t.backends.cudnn.is_available(),
    "cudnn.version": lambda t: t.backends.cudnn.version(),
    "mps.is_available": lambda t: t.backends.mps.is_available(),
    "mps.is_built": lambda t: t.backends.mps.is_built(),
    "backends.cuda.is_built": lambda t: t.backends.cuda.is_built(),
    "matmul.allow_tf32": lambda t: t.backends.cuda.matmul.allow_tf32,
    "device_choice": lambda t: repr(t.device("cuda:0" if t.cuda.is_available() else "cpu")),
    "to_chosen_device": lambda t: t.ones(2).to(
        t.device("cuda:0" if t.cuda.is_available() else "cpu")
    ),
    "to_cuda": lambda t: t.ones(2).to("cuda"),
    "to_cuda_0": lambda t: t.ones(2).to("cuda:0"),
    "to_cuda_device": lambda t: t.ones(2).to(t.device("cuda")),
    "dot_cuda": lambda t: t.ones(2).cuda(),
    "dot_cpu": lambda t: t.ones(2).cpu(),
    "to_cpu_and_dtype": lambda t: t.ones(2).to("cpu", t.float64),
    "create_on_cuda": lambda t: t.ones(2, device="cuda"),
    "tensor_on_cuda": lambda t: t.tensor([1.0], device="cuda"),
    "zeros_on_cpu_device": lambda t: t.zeros(2, device=t.device("cpu")),
    "is_cuda": lambda t: t.ones(2).is_cuda,
    "device_attr": lambda t: str(t.ones(2).device),
    "get_device": lambda t: t.ones(2).get_device(),
    "device_index": lambda t: t.device("cuda", 1).index,
}


@pytest.mark.parametrize("name", sorted(SAME_AS_PYTORCH))
def test_same_as_pytorch_cpu_build(torch, name):
    if torch.cuda.is_available():
        pytest.skip("the oracle has CUDA; these cases describe a build without it")
    fn = SAME_AS_PYTORCH[name]
    assert outcome(fn, chainrule) == outcome(fn, torch)


@pytest.mark.parametrize(
    "call",
    [
        lambda: chainrule.ones(2).to("cuda"),
        lambda: chainrule.ones(2).cuda(),
        lambda: chainrule.cuda.current_device(),
        lambda: chainrule.cuda.synchronize(),
        lambda: chainrule.cuda.set_device(0),
        lambda: chainrule.cuda.device(0).__enter__(),
    ],
)
def test_cuda_work_raises_the_no_cuda_error(call):
    with pytest.raises(AssertionError, match=NO_CUDA):
        call()


def test_queries_answer_no_cuda():
    assert chainrule.cuda.is_available() is False
    assert chainrule.cuda.device_count() == 0
    assert chainrule.cuda.manual_seed(0) is None
    assert chainrule.cuda.manual_seed_all(0) is None
    assert chainrule.backends.cudnn.is_available() is False
    assert chainrule.backends.mps.is_available() is False


def test_seeding_cuda_does_not_touch_the_cpu_generator():
    chainrule.manual_seed(0)
    expected = chainrule.rand(3)
    chainrule.manual_seed(0)
    chainrule.cuda.manual_seed_all(123)
    chainrule.cuda.manual_seed(5)
    assert chainrule.equal(chainrule.rand(3), expected)


def test_backend_flags_are_assignable(monkeypatch):
    cudnn = chainrule.backends.cudnn
    for flag, value in [("deterministic", True), ("benchmark", True), ("enabled", False)]:
        monkeypatch.setattr(cudnn, flag, value)
        assert getattr(cudnn, flag) is value


def test_cpu_device_keeps_the_tensor():
    t = chainrule.ones(2, requires_grad=True)
    device = chainrule.device("cuda:0" if chainrule.cuda.is_available() else "cpu")
    assert t.to(device) is t
    assert t.cpu() is t


def test_module_to_cpu_and_cuda():
    nn = chainrule.nn
    if not hasattr(nn, "Linear"):
        pytest.skip("nn.Linear is not written yet")
    model = nn.Linear(2, 1)
    assert model.to(chainrule.device("cpu")) is model
    assert model.cpu() is model
    with pytest.raises(AssertionError, match=NO_CUDA):
        model.to("cuda")
    with pytest.raises(AssertionError, match=NO_CUDA):
        model.cuda()
