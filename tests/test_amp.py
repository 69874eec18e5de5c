"""chainrule.amp: CPU autocast casts as PyTorch's (the lower precision for matrix products,
float32 for losses); GradScaler on the CPU scales,
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


def _autocast_run(lib, dtype):
    """A small model's forward under CPU autocast, its loss backward outside it."""
    lib.manual_seed(0)
    lin, conv = lib.nn.Linear(3, 4), lib.nn.Conv2d(1, 2, 3)
    x, img = lib.randn(5, 3), lib.randn(2, 1, 5, 5)
    target = lib.tensor([0, 1, 3, 2, 1])
    with lib.autocast("cpu", dtype=dtype):
        h = lin(x)
        outs = [
            h,
            lib.nn.functional.cross_entropy(h, target),
            lib.nn.functional.mse_loss(h, h.detach() * 2),
            conv(img),
            x @ x.T,
            lib.einsum("ij,kj->ik", x, x),
            x.double() @ x.double().T,  # float64 is never cast
            lib.relu(x),  # nor are ops outside autocast's lists
        ]
        assert lib.is_autocast_enabled("cpu") and lib.get_autocast_dtype("cpu") == dtype
    outs[1].backward()
    return outs + [lin.weight.grad, lin.bias.grad]


def _wide(t):
    t = t.detach()
    return (t.float() if str(t.dtype).endswith(("bfloat16", "float16")) else t).numpy()


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
def test_cpu_autocast_casts_as_pytorchs(torch, dtype):
    # matrix products, linear and convolutions in the lower precision, the losses in
    # float32, float64 left alone; the parameters' gradients come back in float32. Values
    # within two units of the lower precision at the result's scale (BLAS sums in another
    # order; the backward's products round to the narrow type in between).
    ours = _autocast_run(chainrule, getattr(chainrule, dtype))
    theirs = _autocast_run(torch, getattr(torch, dtype))
    unit = 2.0**-7 if dtype == "bfloat16" else 2.0**-10
    for i, (a, b) in enumerate(zip(ours, theirs)):
        assert str(a.dtype) == str(b.dtype), (i, a.dtype, b.dtype)
        a, b = _wide(a), _wide(b)
        np.testing.assert_allclose(a, b, rtol=0, atol=2 * unit * max(np.abs(b).max(), 1e-30))
    assert not chainrule.is_autocast_enabled("cpu")
    assert chainrule.get_autocast_dtype("cpu") == chainrule.bfloat16  # PyTorch's CPU default


_DTYPE_CALLS = {
    "mm": lambda L, x, b: L.mm(x, x.T),
    "bmm": lambda L, x, b: L.bmm(b, b),
    "baddbmm": lambda L, x, b: L.baddbmm(b, b, b),
    "addbmm": lambda L, x, b: L.addbmm(b[0], b, b),
    "addmm": lambda L, x, b: L.addmm(x[:, :1], x, x.T),
    "matmul 1-D": lambda L, x, b: L.matmul(x[0], x[1]),
    "prelu": lambda L, x, b: L.nn.functional.prelu(x, L.tensor([0.25])),
    "attention": lambda L, x, b: L.nn.functional.scaled_dot_product_attention(b, b, b),
    "conv1d": lambda L, x, b: L.nn.functional.conv1d(b, b),
    "conv_transpose1d": lambda L, x, b: L.nn.functional.conv_transpose1d(b, b.transpose(0, 1)),
    "dot (not cast)": lambda L, x, b: L.dot(x[0], x[1]),
    "softmax (not cast)": lambda L, x, b: x.bfloat16().softmax(-1),
    "nll_loss": lambda L, x, b: L.nn.functional.nll_loss(x.bfloat16(), L.tensor([0, 2, 1])),
    "l1_loss": lambda L, x, b: L.nn.functional.l1_loss(x.bfloat16(), x.bfloat16()),
    "bce_with_logits": lambda L, x, b: L.nn.functional.binary_cross_entropy_with_logits(
        x.bfloat16(), x.sigmoid()
    ),
    "kl_div": lambda L, x, b: L.nn.functional.kl_div(x.bfloat16(), x.bfloat16()),
    "margin_ranking_loss": lambda L, x, b: L.nn.functional.margin_ranking_loss(
        x[0].bfloat16(), x[1].bfloat16(), L.ones(3).bfloat16()
    ),
    "multilabel_margin_loss": lambda L, x, b: L.nn.functional.multilabel_margin_loss(
        x.bfloat16(), L.tensor([[0, 1, -1]] * 3)
    ),
    "triplet_margin_loss": lambda L, x, b: L.nn.functional.triplet_margin_loss(
        x.bfloat16(), x.bfloat16() + 1, x.bfloat16() - 1
    ),
    "poisson_nll_loss": lambda L, x, b: L.nn.functional.poisson_nll_loss(
        x.bfloat16(), x.bfloat16().abs()
    ),
}


@pytest.mark.parametrize("name", list(_DTYPE_CALLS))
def test_autocast_result_dtypes_are_pytorchs(torch, name):
    dtypes = []
    for L in (chainrule, torch):
        L.manual_seed(0)
        x, b = L.randn(3, 3), L.randn(2, 3, 3)
        with L.autocast("cpu"):
            dtypes.append(str(_DTYPE_CALLS[name](L, x, b).dtype))
    assert dtypes[0] == dtypes[1]


def test_autocast_default_dtype_is_bfloat16():
    with chainrule.autocast("cpu") as ctx:
        y = chainrule.nn.Linear(3, 2)(chainrule.ones(4, 3))
    assert ctx.fast_dtype == chainrule.bfloat16 and y.dtype == chainrule.bfloat16
    assert chainrule.nn.Linear(3, 2)(chainrule.ones(4, 3)).dtype == chainrule.float32


@pytest.mark.parametrize(
    "make",
    [
        lambda t: t.autocast(device_type="cuda"),
        lambda t: t.autocast("cpu", dtype=t.float64),
        lambda t: t.amp.autocast("cpu", enabled=False),
    ],
)
def test_autocast_warnings_match_pytorchs(torch, make):
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


def test_autocast_as_a_decorator():
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
