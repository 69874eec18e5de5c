"""Layers against PyTorch: forward, input and parameter gradients (float32 and float64),
running statistics and train/eval, gradcheck, and PyTorch's errors."""

import numpy as np
import pytest

import chainrule
import chainrule.nn as nn
import chainrule.nn.functional as F


def _sync(ours, theirs, torch):
    """Copy our parameters and buffers into the PyTorch module (through NumPy)."""
    state = {k: torch.tensor(v.numpy().copy()) for k, v in ours.state_dict().items()}
    theirs.load_state_dict(state)


def _run(ours, theirs, inputs, dtype, torch, train=True):
    ours.train(train)
    theirs.train(train)
    if dtype == np.float64:
        ours.double()
        theirs.double()
    _sync(ours, theirs, torch)
    xa = [chainrule.tensor(x.astype(dtype), requires_grad=True) for x in inputs]
    xb = [torch.tensor(x.astype(dtype), requires_grad=True) for x in inputs]
    ya, yb = ours(*xa), theirs(*xb)
    tol = {"rtol": 1e-5, "atol": 1e-5} if dtype == np.float32 else {"rtol": 1e-10, "atol": 1e-12}
    np.testing.assert_allclose(ya.detach().numpy(), yb.detach().numpy(), **tol)
    assert repr(ya.dtype) == repr(yb.dtype)
    g = np.random.default_rng(7).standard_normal(tuple(yb.shape)).astype(dtype)
    ya.backward(chainrule.tensor(g))
    yb.backward(torch.tensor(g))
    for a, b in zip(xa, xb):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), **tol)
    pa, pb = dict(ours.named_parameters()), dict(theirs.named_parameters())
    assert list(pa) == list(pb)
    for name in pa:
        np.testing.assert_allclose(pa[name].grad.numpy(), pb[name].grad.numpy(), **tol)
    for (na, ba), (nb, bb) in zip(ours.named_buffers(), theirs.named_buffers()):
        assert na == nb
        np.testing.assert_allclose(ba.numpy(), bb.numpy(), **tol)
    return ya, yb


def _x(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


LAYERS = [
    ("linear_2d", lambda t: t.nn.Linear(5, 3), [(4, 5)]),
    ("linear_1d", lambda t: t.nn.Linear(5, 3), [(5,)]),
    ("linear_3d", lambda t: t.nn.Linear(5, 3), [(2, 4, 5)]),
    ("linear_4d_no_bias", lambda t: t.nn.Linear(5, 3, bias=False), [(2, 2, 3, 5)]),
    ("linear_2d_no_bias", lambda t: t.nn.Linear(5, 3, bias=False), [(4, 5)]),
    ("bilinear", lambda t: t.nn.Bilinear(3, 4, 2), [(5, 3), (5, 4)]),
    ("bilinear_3d_no_bias", lambda t: t.nn.Bilinear(3, 4, 2, bias=False), [(2, 5, 3), (2, 5, 4)]),
    ("batchnorm_2d", lambda t: t.nn.BatchNorm1d(3), [(6, 3)]),
    ("batchnorm_3d", lambda t: t.nn.BatchNorm1d(3, momentum=0.3), [(4, 3, 5)]),
    ("batchnorm_no_affine", lambda t: t.nn.BatchNorm1d(3, affine=False), [(4, 3, 2)]),
    ("batchnorm_no_bias", lambda t: t.nn.BatchNorm1d(3, bias=False), [(4, 3)]),
    ("batchnorm_untracked", lambda t: t.nn.BatchNorm1d(3, track_running_stats=False), [(4, 3)]),
    ("batchnorm_cumulative", lambda t: t.nn.BatchNorm1d(3, momentum=None), [(4, 3)]),
    ("layernorm", lambda t: t.nn.LayerNorm(5), [(2, 3, 5)]),
    ("layernorm_2d_shape", lambda t: t.nn.LayerNorm((3, 5), eps=1e-3), [(2, 3, 5)]),
    ("layernorm_no_affine", lambda t: t.nn.LayerNorm(5, elementwise_affine=False), [(4, 5)]),
    ("layernorm_no_bias", lambda t: t.nn.LayerNorm(5, bias=False), [(4, 5)]),
    ("flatten", lambda t: t.nn.Flatten(), [(2, 3, 4)]),
    ("flatten_dims", lambda t: t.nn.Flatten(0, 1), [(2, 3, 4)]),
    ("unflatten", lambda t: t.nn.Unflatten(1, (2, 3)), [(4, 6)]),
    ("identity", lambda t: t.nn.Identity(3, any=1), [(4, 6)]),
    ("dropout_eval", lambda t: t.nn.Dropout(0.4), [(4, 6)]),
    (
        "mlp",
        lambda t: t.nn.Sequential(
            t.nn.Linear(4, 8), t.nn.BatchNorm1d(8), t.nn.GELU(), t.nn.Linear(8, 2), t.nn.Tanh()
        ),
        [(6, 4)],
    ),
]


# Dropout's training output is random: it is compared in eval mode only.
TRAIN = [layer for layer in LAYERS if layer[0] != "dropout_eval"]


def _with_trained_params(module):
    # Non-default weights and statistics, so a wrong use of each shows.
    with chainrule.no_grad():
        for p in module.parameters():
            p.copy_(chainrule.rand(p.shape, dtype=p.dtype) + 0.5)
        for b in module.buffers():
            if b is not None and b.is_floating_point():
                b.copy_(chainrule.rand(b.shape, dtype=b.dtype) + 0.5)
    return module


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,make,shapes", TRAIN, ids=[layer[0] for layer in TRAIN])
def test_layer_matches_torch_train(name, make, shapes, dtype, torch):
    ours, theirs = _with_trained_params(make(chainrule)), make(torch)
    _run(ours, theirs, [_x(*s, seed=i) for i, s in enumerate(shapes)], dtype, torch, train=True)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,make,shapes", LAYERS, ids=[layer[0] for layer in LAYERS])
def test_layer_matches_torch_eval(name, make, shapes, dtype, torch):
    ours, theirs = _with_trained_params(make(chainrule)), make(torch)
    _run(ours, theirs, [_x(*s, seed=i) for i, s in enumerate(shapes)], dtype, torch, train=False)


def test_batchnorm_running_stats_over_several_steps(torch):
    for momentum in (0.1, None):
        ours, theirs = (
            nn.BatchNorm1d(3, momentum=momentum),
            torch.nn.BatchNorm1d(3, momentum=momentum),
        )
        for step in range(3):
            x = _x(5, 3, 2, seed=step).astype(np.float32)
            ours(chainrule.tensor(x))
            theirs(torch.tensor(x))
        np.testing.assert_allclose(
            ours.running_mean.numpy(), theirs.running_mean.numpy(), rtol=1e-6
        )
        np.testing.assert_allclose(ours.running_var.numpy(), theirs.running_var.numpy(), rtol=1e-6)
        assert ours.num_batches_tracked.item() == 3
        assert ours.num_batches_tracked.dtype == chainrule.int64
        ours.eval()
        theirs.eval()
        x = _x(4, 3, seed=9).astype(np.float32)
        np.testing.assert_allclose(
            ours(chainrule.tensor(x)).detach().numpy(),
            theirs(torch.tensor(x)).detach().numpy(),
            rtol=1e-5,
        )
        assert ours.num_batches_tracked.item() == 3  # eval does not count


def test_batchnorm_eval_does_not_touch_running_stats():
    bn = nn.BatchNorm1d(2).eval()
    bn(chainrule.randn(4, 2))
    assert bn.running_mean.tolist() == [0.0, 0.0] and bn.running_var.tolist() == [1.0, 1.0]


def test_batchnorm_errors(torch):
    for lib in (chainrule, torch):
        with pytest.raises(ValueError, match=r"expected 2D or 3D input \(got 4D input\)"):
            lib.nn.BatchNorm1d(2)(lib.zeros(2, 2, 2, 2))
    with pytest.raises(ValueError) as theirs:
        torch.nn.BatchNorm1d(2)(torch.zeros(1, 2))
    with pytest.raises(ValueError) as ours:
        nn.BatchNorm1d(2)(chainrule.zeros(1, 2))
    assert str(ours.value) == str(theirs.value)
    with pytest.raises(RuntimeError) as theirs:
        torch.nn.BatchNorm1d(3)(torch.zeros(4, 2))
    with pytest.raises(RuntimeError) as ours:
        nn.BatchNorm1d(3)(chainrule.zeros(4, 2))
    assert str(ours.value) == str(theirs.value)


def test_layernorm_shape_error_matches_torch(torch):
    with pytest.raises(RuntimeError) as theirs:
        torch.nn.LayerNorm(4)(torch.zeros(3, 5))
    with pytest.raises(RuntimeError) as ours:
        nn.LayerNorm(4)(chainrule.zeros(3, 5))
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.nn.functional.linear(t.zeros(2, 5), t.zeros(4, 3), t.zeros(4)),
        lambda t: t.nn.functional.linear(t.zeros(2, 5), t.zeros(4, 3)),
        lambda t: t.nn.functional.linear(t.zeros(2, 3, 5), t.zeros(4, 3), t.zeros(4)),
        lambda t: t.nn.functional.linear(t.zeros(5), t.zeros(4, 3), t.zeros(4)),
        lambda t: t.nn.functional.linear(t.zeros(2, 3, dtype=t.float64), t.zeros(4, 3), t.zeros(4)),
        lambda t: t.nn.functional.linear(t.zeros(2, 3, dtype=t.float64), t.zeros(4, 3)),
        lambda t: t.nn.functional.linear(t.zeros(2, 3), t.zeros(4, 3), t.zeros(4, dtype=t.float64)),
        lambda t: t.nn.functional.dropout(t.zeros(2), 1.5),
        lambda t: t.nn.Dropout(-0.1),
    ],
)
def test_errors_match_torch(call, torch):
    with pytest.raises(Exception) as theirs:
        call(torch)
    with pytest.raises(type(theirs.value)) as ours:
        call(chainrule)
    assert str(ours.value) == str(theirs.value)


def test_linear_float64_input_into_float32_layer_raises():
    with pytest.raises(
        RuntimeError, match="mat1 and mat2 must have the same dtype, but got Double and Float"
    ):
        nn.Linear(3, 2)(chainrule.zeros(4, 3, dtype=chainrule.float64))


def test_linear_uses_one_addmm_for_2d_input():
    y = nn.Linear(3, 2)(chainrule.zeros(4, 3))
    assert y.grad_fn.name() == "AddmmBackward0"
    assert nn.Linear(3, 2, bias=False)(chainrule.zeros(4, 3)).grad_fn.name() == "MmBackward0"


@pytest.mark.parametrize(
    "make,shapes",
    [
        (lambda: nn.Linear(3, 2), [(4, 3)]),
        (lambda: nn.Linear(3, 2), [(2, 2, 3)]),
        (lambda: nn.Bilinear(2, 3, 2), [(3, 2), (3, 3)]),
        (lambda: nn.BatchNorm1d(3), [(4, 3)]),
        (lambda: nn.BatchNorm1d(3), [(4, 3, 2)]),
        (lambda: nn.LayerNorm(3), [(2, 3)]),
        (lambda: nn.LayerNorm((2, 3)), [(2, 2, 3)]),
    ],
)
def test_gradcheck_inputs_and_parameters(make, shapes):
    m = _with_trained_params(make().double())
    params = list(m.parameters())
    xs = [chainrule.tensor(_x(*s, seed=i), requires_grad=True) for i, s in enumerate(shapes)]
    names = [n for n, _ in m.named_parameters()]

    def f(*args):
        inputs, ps = args[: len(xs)], args[len(xs) :]
        saved = {n: getattr(m, n.split(".")[-1]) for n in names}
        for n, p in zip(names, ps):
            m._parameters[n] = p
        try:
            return m(*inputs)
        finally:
            m._parameters.update(saved)

    assert chainrule.autograd.gradcheck(f, (*xs, *params))
    assert chainrule.autograd.gradgradcheck(f, (*xs, *params))


def test_dropout_train_zeroes_and_scales():
    chainrule.manual_seed(0)
    x = chainrule.ones(1000, requires_grad=True)
    drop = nn.Dropout(0.25)
    y = drop(x)
    values = np.unique(y.detach().numpy()).tolist()
    assert values == pytest.approx([0.0, 1 / 0.75])
    frac = float((y == 0).float().mean())
    assert 0.18 < frac < 0.32
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), y.detach().numpy())
    assert y.grad_fn.name() == "MulBackward0"


def test_dropout_eval_and_p_edges():
    x = chainrule.randn(10)
    assert nn.Dropout(0.5).eval()(x) is x
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x
    assert F.dropout(x, 1.0).tolist() == [0.0] * 10
    assert nn.Dropout(0.3).p == 0.3


def test_dropout_inplace():
    chainrule.manual_seed(1)
    x = chainrule.ones(50)
    out = F.dropout(x, 0.5, inplace=True)
    assert out is x
    assert set(np.unique(x.numpy()).tolist()) <= {0.0, 2.0}


def test_alpha_dropout_keeps_mean_and_variance(torch):
    chainrule.manual_seed(0)
    x = chainrule.randn(200000, dtype=chainrule.float64)
    y = nn.AlphaDropout(0.2).train()(x)
    assert abs(float(y.mean())) < 0.02
    assert abs(float(y.std()) - 1.0) < 0.02
    assert nn.AlphaDropout(0.2).eval()(x) is x


def test_flatten_unflatten_shapes():
    x = chainrule.zeros(2, 3, 4, 5)
    assert nn.Flatten()(x).shape == (2, 60)
    assert nn.Flatten(2)(x).shape == (2, 3, 20)
    assert nn.Flatten(0, -2)(x).shape == (24, 5)
    assert nn.Unflatten(-1, (5, 1))(x).shape == (2, 3, 4, 5, 1)
    with pytest.raises(TypeError):
        nn.Unflatten(1, 3)
