"""Activation modules and functionals: values and gradients against PyTorch, in-place forms,
softmax's implicit dim, and the errors PyTorch raises."""

import warnings

import numpy as np
import pytest

import chainrule
import chainrule.nn as nn
import chainrule.nn.functional as F

# (name, how to build it in a library `lib`): the same code makes ours and PyTorch's.
MODULES = [
    ("ReLU", lambda lib: lib.nn.ReLU()),
    ("ReLU6", lambda lib: lib.nn.ReLU6()),
    ("LeakyReLU", lambda lib: lib.nn.LeakyReLU(0.1)),
    ("ELU", lambda lib: lib.nn.ELU(0.5)),
    ("SELU", lambda lib: lib.nn.SELU()),
    ("CELU", lambda lib: lib.nn.CELU(2.0)),
    ("GELU", lambda lib: lib.nn.GELU()),
    ("GELU_tanh", lambda lib: lib.nn.GELU("tanh")),
    ("SiLU", lambda lib: lib.nn.SiLU()),
    ("Mish", lambda lib: lib.nn.Mish()),
    ("Sigmoid", lambda lib: lib.nn.Sigmoid()),
    ("Tanh", lambda lib: lib.nn.Tanh()),
    ("Softplus", lambda lib: lib.nn.Softplus()),
    ("Softplus_beta", lambda lib: lib.nn.Softplus(beta=2.0, threshold=3.0)),
    ("Softsign", lambda lib: lib.nn.Softsign()),
    ("Hardtanh", lambda lib: lib.nn.Hardtanh(-2.0, 1.5)),
    ("Hardsigmoid", lambda lib: lib.nn.Hardsigmoid()),
    ("Hardswish", lambda lib: lib.nn.Hardswish()),
    ("LogSigmoid", lambda lib: lib.nn.LogSigmoid()),
    ("Tanhshrink", lambda lib: lib.nn.Tanhshrink()),
    ("Hardshrink", lambda lib: lib.nn.Hardshrink(0.7)),
    ("Softshrink", lambda lib: lib.nn.Softshrink(0.7)),
    ("Threshold", lambda lib: lib.nn.Threshold(0.2, -1.0)),
    ("Softmax", lambda lib: lib.nn.Softmax(dim=1)),
    ("Softmin", lambda lib: lib.nn.Softmin(dim=-1)),
    ("LogSoftmax", lambda lib: lib.nn.LogSoftmax(dim=0)),
    ("PReLU", lambda lib: lib.nn.PReLU()),
]

FUNCTIONS = [
    ("relu", lambda F, x: F.relu(x)),
    ("relu6", lambda F, x: F.relu6(x)),
    ("leaky_relu", lambda F, x: F.leaky_relu(x, 0.3)),
    ("elu", lambda F, x: F.elu(x)),
    ("selu", lambda F, x: F.selu(x)),
    ("celu", lambda F, x: F.celu(x, 0.5)),
    ("gelu", lambda F, x: F.gelu(x)),
    ("gelu_tanh", lambda F, x: F.gelu(x, approximate="tanh")),
    ("silu", lambda F, x: F.silu(x)),
    ("mish", lambda F, x: F.mish(x)),
    ("hardtanh", lambda F, x: F.hardtanh(x)),
    ("hardsigmoid", lambda F, x: F.hardsigmoid(x)),
    ("hardswish", lambda F, x: F.hardswish(x)),
    ("logsigmoid", lambda F, x: F.logsigmoid(x)),
    ("tanhshrink", lambda F, x: F.tanhshrink(x)),
    ("hardshrink", lambda F, x: F.hardshrink(x)),
    ("softshrink", lambda F, x: F.softshrink(x, 0.25)),
    ("threshold", lambda F, x: F.threshold(x, 0.5, 3.0)),
    ("softplus", lambda F, x: F.softplus(x, 0.5, 2.0)),
    ("softsign", lambda F, x: F.softsign(x)),
    ("softmax", lambda F, x: F.softmax(x, dim=-1)),
    ("softmin", lambda F, x: F.softmin(x, 0)),
    ("log_softmax", lambda F, x: F.log_softmax(x, 1)),
    ("sigmoid", lambda F, x: F.sigmoid(x)),
    ("tanh", lambda F, x: F.tanh(x)),
    ("normalize", lambda F, x: F.normalize(x)),
    ("normalize_p1_dim0", lambda F, x: F.normalize(x, p=1.0, dim=0)),
]


def _input(dtype, seed=0):
    # Wide enough to reach every piece (|x| > 3, > threshold 20 for softplus*beta is not
    # needed: softplus's own threshold is exercised by the large values).
    rng = np.random.default_rng(seed)
    x = rng.uniform(-5, 5, (4, 6)).astype(dtype)
    x[0, 0], x[0, 1] = 30.0, -30.0
    return x


def _compare(ours, theirs, x, dtype, torch):
    xa = chainrule.tensor(x, requires_grad=True)
    xb = torch.tensor(x, requires_grad=True)
    ya, yb = ours(xa), theirs(xb)
    rtol, atol = (2e-6, 1e-5) if dtype == np.float32 else (1e-12, 1e-13)
    np.testing.assert_allclose(ya.detach().numpy(), yb.detach().numpy(), rtol=rtol, atol=atol)
    assert ya.dtype.__repr__() == repr(yb.dtype)
    g = np.random.default_rng(1).standard_normal(x.shape).astype(dtype)
    ya.backward(chainrule.tensor(g))
    yb.backward(torch.tensor(g))
    np.testing.assert_allclose(xa.grad.numpy(), xb.grad.numpy(), rtol=rtol, atol=atol)
    return ya, yb


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,make", MODULES, ids=[m[0] for m in MODULES])
def test_module_matches_torch(name, make, dtype, torch):
    ours, theirs = make(chainrule), make(torch)
    if dtype == np.float64:
        ours.double()
        theirs.double()
    ya, yb = _compare(ours, theirs, _input(dtype), dtype, torch)
    assert type(ya.grad_fn).__name__ == type(yb.grad_fn).__name__ or name == "PReLU"
    for (na, pa), (nb, pb) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert na == nb
        np.testing.assert_allclose(pa.grad.numpy(), pb.grad.numpy(), rtol=1e-5)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,fn", FUNCTIONS, ids=[f[0] for f in FUNCTIONS])
def test_functional_matches_torch(name, fn, dtype, torch):
    _compare(lambda x: fn(F, x), lambda x: fn(torch.nn.functional, x), _input(dtype), dtype, torch)


def test_prelu_per_channel_weight_gradient(torch):
    x = _input(np.float64).reshape(2, 3, 4)
    w = np.array([0.1, -0.2, 0.3])
    xa, wa = chainrule.tensor(x, requires_grad=True), chainrule.tensor(w, requires_grad=True)
    xb, wb = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    ya, yb = F.prelu(xa, wa), torch.nn.functional.prelu(xb, wb)
    np.testing.assert_allclose(ya.detach().numpy(), yb.detach().numpy())
    ya.sum().backward()
    yb.sum().backward()
    np.testing.assert_allclose(wa.grad.numpy(), wb.grad.numpy())
    np.testing.assert_allclose(xa.grad.numpy(), xb.grad.numpy())


def test_prelu_module_init_and_gradcheck():
    m = nn.PReLU(3, init=0.1).double()
    assert m.weight.tolist() == pytest.approx([0.1] * 3)
    x = chainrule.tensor(_input(np.float64)[:, :3], requires_grad=True)
    assert chainrule.autograd.gradcheck(lambda x, w: F.prelu(x, w), (x, m.weight))


@pytest.mark.parametrize("name,fn", FUNCTIONS, ids=[f[0] for f in FUNCTIONS])
def test_functional_gradcheck(name, fn):
    x = chainrule.tensor(_input(np.float64)[1:] / 2.5, requires_grad=True)
    assert chainrule.autograd.gradcheck(lambda t: fn(F, t), (x,))


INPLACE = [
    ("relu", lambda F, x: F.relu(x, inplace=True)),
    ("relu_", lambda F, x: F.relu_(x)),
    ("relu6", lambda F, x: F.relu6(x, inplace=True)),
    ("leaky_relu", lambda F, x: F.leaky_relu(x, 0.2, True)),
    ("leaky_relu_", lambda F, x: F.leaky_relu_(x, 0.2)),
    ("elu", lambda F, x: F.elu(x, inplace=True)),
    ("elu_", lambda F, x: F.elu_(x)),
    ("selu", lambda F, x: F.selu(x, True)),
    ("celu", lambda F, x: F.celu(x, inplace=True)),
    ("silu", lambda F, x: F.silu(x, inplace=True)),
    ("mish", lambda F, x: F.mish(x, inplace=True)),
    ("hardtanh_", lambda F, x: F.hardtanh_(x)),
    ("hardsigmoid", lambda F, x: F.hardsigmoid(x, True)),
    ("hardswish", lambda F, x: F.hardswish(x, True)),
    ("threshold_", lambda F, x: F.threshold_(x, 0.1, 2.0)),
]


@pytest.mark.parametrize("name,fn", INPLACE, ids=[f[0] for f in INPLACE])
def test_inplace_forms_write_into_the_input_and_differentiate(name, fn, torch):
    x = _input(np.float64)
    leaf_a = chainrule.tensor(x, requires_grad=True)
    leaf_b = torch.tensor(x, requires_grad=True)
    ha, hb = leaf_a * 1, leaf_b * 1
    ra, rb = fn(F, ha), fn(torch.nn.functional, hb)
    assert ra is ha and rb is hb
    np.testing.assert_allclose(ha.detach().numpy(), hb.detach().numpy(), rtol=1e-12)
    (ha * ha).sum().backward()
    (hb * hb).sum().backward()
    # PyTorch's in-place elu differentiates through its output: equal to rounding.
    np.testing.assert_allclose(leaf_a.grad.numpy(), leaf_b.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_inplace_module_on_a_leaf_that_requires_grad_raises():
    x = chainrule.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        nn.ReLU(inplace=True)(x)


def test_inplace_under_no_grad_writes_values():
    x = chainrule.tensor([-1.0, 2.0])
    nn.ReLU(inplace=True)(x)
    assert x.tolist() == [0.0, 2.0]


def test_softplus_threshold_is_linear_above_it():
    x = chainrule.tensor([25.0, 100.0], requires_grad=True)
    y = F.softplus(x)
    assert y.tolist() == [25.0, 100.0]
    y.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]


def test_logsigmoid_and_mish_are_finite_far_out():
    x = chainrule.tensor([-200.0, 200.0], requires_grad=True)
    y = F.logsigmoid(x)
    assert y.tolist() == [-200.0, 0.0]
    y.sum().backward()
    assert x.grad.tolist() == [1.0, 0.0]
    assert F.mish(chainrule.tensor([200.0, -200.0])).tolist() == [200.0, -0.0]


@pytest.mark.parametrize("ndim,dim", [(1, 0), (2, 1), (3, 0), (4, 1)])
def test_softmax_implicit_dim_warns_and_picks_pytorchs_dim(ndim, dim, torch):
    x = np.random.default_rng(0).standard_normal((2, 3, 2, 2)[:ndim])
    for name in ("softmax", "softmin", "log_softmax"):
        with pytest.warns(UserWarning, match=f"Implicit dimension choice for {name}"):
            ours = getattr(F, name)(chainrule.tensor(x))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = getattr(torch.nn.functional, name)(torch.tensor(x))
        expect = getattr(torch.nn.functional, name)(torch.tensor(x), dim=dim)
        np.testing.assert_allclose(ours.numpy(), theirs.numpy())
        np.testing.assert_allclose(ours.numpy(), expect.numpy())
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        nn.Softmax()(chainrule.tensor(x))


def test_softmax_dtype_argument():
    y = F.softmax(chainrule.tensor([1.0, 2.0]), dim=0, dtype=chainrule.float64)
    assert y.dtype == chainrule.float64


def test_sigmoid_and_tanh_functionals_do_not_warn():
    # PyTorch 2.13 no longer warns for F.sigmoid / F.tanh.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.sigmoid(chainrule.zeros(2))
        F.tanh(chainrule.zeros(2))


@pytest.mark.parametrize(
    "call",
    [
        lambda F, t: F.celu(t.ones(2), 0.0),
        lambda F, t: F.gelu(t.ones(2), approximate="x"),
        lambda F, t: F.prelu(t.ones(3, 4), t.ones(3)),
        lambda F, t: F.prelu(t.ones(4), t.ones(4)),
        lambda F, t: F.prelu(t.ones(3, 4), t.ones(4, 1)),
        lambda F, t: F.hardtanh(t.ones(2), 2.0, 1.0),
        lambda F, t: F.softshrink(t.ones(2), -1.0),
        lambda F, t: F.softshrink(t.ones(2, dtype=t.float64), -0.5),
    ],
)
def test_errors_match_torch(call, torch):
    with pytest.raises(Exception) as theirs:
        call(torch.nn.functional, torch)
    with pytest.raises(type(theirs.value)) as ours:
        call(F, chainrule)
    assert str(ours.value) == str(theirs.value)


def test_grad_fn_names_of_the_primitives(torch):
    x = _input(np.float32)
    for name, fn in FUNCTIONS:
        ya = fn(F, chainrule.tensor(x, requires_grad=True))
        yb = fn(torch.nn.functional, torch.tensor(x, requires_grad=True))
        assert ya.grad_fn.name() == yb.grad_fn.name(), name
