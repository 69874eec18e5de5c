"""nn.init and the layers' default initialisation: bounds, statistics, gains, errors."""

import math
import warnings

import numpy as np
import pytest

import chainrule
import chainrule.nn as nn
from chainrule.nn import init


@pytest.fixture(autouse=True)
def _seed():
    chainrule.manual_seed(0)


def _big(*shape):
    return chainrule.empty(*shape)


@pytest.mark.parametrize(
    "name,param",
    [
        ("linear", None),
        ("conv2d", None),
        ("sigmoid", None),
        ("tanh", None),
        ("relu", None),
        ("leaky_relu", None),
        ("leaky_relu", 0.2),
        ("leaky_relu", 3),
        ("selu", None),
    ],
)
def test_calculate_gain_matches_torch(name, param, torch):
    assert init.calculate_gain(name, param) == pytest.approx(
        torch.nn.init.calculate_gain(name, param), rel=1e-15
    )


@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.nn.init.calculate_gain("swish"),
        lambda t: t.nn.init.calculate_gain("leaky_relu", True),
        lambda t: t.nn.init._calculate_fan_in_and_fan_out(t.empty(3)),
        lambda t: t.nn.init.kaiming_uniform_(t.empty(3, 4), mode="fan_avg"),
        lambda t: t.nn.init.eye_(t.empty(3, 4, 5)),
        lambda t: t.nn.init.dirac_(t.empty(3, 4)),
        lambda t: t.nn.init.dirac_(t.empty(3, 4, 5), groups=2),
        lambda t: t.nn.init.orthogonal_(t.empty(3)),
    ],
)
def test_errors_match_torch(call, torch):
    with pytest.raises(Exception) as theirs:
        call(torch)
    with pytest.raises(type(theirs.value)) as ours:
        call(chainrule)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("shape", [(4, 3), (5, 3, 2, 2), (2, 7, 3)])
def test_fans_match_torch(shape, torch):
    assert init._calculate_fan_in_and_fan_out(chainrule.empty(*shape)) == (
        torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(*shape))
    )


def test_fills_work_under_grad_on_parameters():
    p = nn.Parameter(chainrule.empty(3, 3))
    assert init.zeros_(p) is p and p.tolist() == [[0.0] * 3] * 3
    init.ones_(p)
    assert p.sum().item() == 9.0
    init.constant_(p, 0.5)
    assert p.sum().item() == 4.5
    init.eye_(p)
    assert p.tolist() == [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    assert p.requires_grad and p.grad_fn is None


def test_uniform_and_normal_statistics():
    t = init.uniform_(_big(200, 500), -2.0, 3.0)
    a = t.numpy()
    assert a.min() >= -2.0 and a.max() < 3.0
    assert abs(a.mean() - 0.5) < 0.02
    t = init.normal_(_big(200, 500), 1.0, 2.0).numpy()
    assert abs(t.mean() - 1.0) < 0.02 and abs(t.std() - 2.0) < 0.02


@pytest.mark.parametrize("shape", [(300, 200), (64, 32, 3, 3)])
def test_xavier_and_kaiming_bounds_and_spread(shape):
    t = _big(*shape)
    fan_in, fan_out = init._calculate_fan_in_and_fan_out(t)
    bound = math.sqrt(6.0 / (fan_in + fan_out)) * 2.0
    a = init.xavier_uniform_(t, gain=2.0).numpy()
    assert np.abs(a).max() <= bound and np.abs(a).max() > 0.95 * bound
    a = init.xavier_normal_(t).numpy()
    assert abs(a.std() - math.sqrt(2.0 / (fan_in + fan_out))) < 0.03 * a.std()
    bound = math.sqrt(6.0 / fan_in)  # relu gain sqrt(2), sqrt(3) * std
    a = init.kaiming_uniform_(t, nonlinearity="relu").numpy()
    assert np.abs(a).max() <= bound and np.abs(a).max() > 0.95 * bound
    a = init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu").numpy()
    assert abs(a.std() - math.sqrt(2.0 / fan_out)) < 0.03 * a.std()


def test_kaiming_on_zero_elements_warns():
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
        init.kaiming_uniform_(chainrule.empty(0, 3))


def test_trunc_normal_bounds_and_spread():
    a = init.trunc_normal_(_big(300, 300), mean=0.5, std=1.0, a=-1.0, b=1.5).numpy()
    assert a.min() >= -1.0 and a.max() <= 1.5
    # Truncated N(0.5, 1) to [-1, 1.5]: its mean is 0.5 + (pdf(-1.5) - pdf(1)) / Z.
    pdf = lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    cdf = lambda z: 0.5 * (1 + math.erf(z / math.sqrt(2)))  # noqa: E731
    expected = 0.5 + (pdf(-1.5) - pdf(1.0)) / (cdf(1.0) - cdf(-1.5))
    assert abs(a.mean() - expected) < 0.01
    with pytest.warns(UserWarning, match="mean is more than 2 std from"):
        init.trunc_normal_(_big(10), mean=10.0)


@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (4, 2, 3)])
def test_orthogonal_rows_or_columns_are_orthonormal(shape):
    t = init.orthogonal_(chainrule.empty(*shape), gain=2.0)
    m = t.numpy().reshape(shape[0], -1).astype(np.float64) / 2.0
    if m.shape[0] <= m.shape[1]:
        np.testing.assert_allclose(m @ m.T, np.eye(m.shape[0]), atol=1e-5)
    else:
        np.testing.assert_allclose(m.T @ m, np.eye(m.shape[1]), atol=1e-5)


def test_dirac_is_the_identity_kernel():
    t = init.dirac_(chainrule.empty(4, 2, 3))
    a = t.numpy()
    assert a.sum() == 2.0 and a[0, 0, 1] == 1.0 and a[1, 1, 1] == 1.0
    t = init.dirac_(chainrule.empty(4, 2, 3, 3), groups=2)
    assert t.numpy().sum() == 4.0 and t.numpy()[2, 0, 1, 1] == 1.0


def test_linear_default_init_bounds():
    lin = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    w, b = lin.weight.detach().numpy(), lin.bias.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.99 * bound
    assert np.abs(b).max() <= bound and np.abs(b).max() > 0.9 * bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.01 * bound
    assert lin.weight.dtype == chainrule.float32
    assert nn.Linear(2, 2, dtype=chainrule.float64).weight.dtype == chainrule.float64


def test_norm_layers_and_prelu_default_init():
    bn = nn.BatchNorm1d(3)
    assert bn.weight.tolist() == [1.0] * 3 and bn.bias.tolist() == [0.0] * 3
    assert bn.running_mean.tolist() == [0.0] * 3 and bn.running_var.tolist() == [1.0] * 3
    assert bn.num_batches_tracked.item() == 0
    ln = nn.LayerNorm((2, 2))
    assert ln.weight.tolist() == [[1.0, 1.0]] * 2 and ln.bias.tolist() == [[0.0, 0.0]] * 2
    assert nn.PReLU().weight.tolist() == [0.25]


def test_init_draws_from_chainrules_generator():
    chainrule.manual_seed(5)
    a = nn.Linear(3, 3).weight.detach().numpy().copy()
    chainrule.manual_seed(5)
    b = nn.Linear(3, 3).weight.detach().numpy()
    np.testing.assert_array_equal(a, b)
    g = chainrule.Generator().manual_seed(1)
    x = init.uniform_(chainrule.empty(4), generator=g).numpy().copy()
    g.manual_seed(1)
    np.testing.assert_array_equal(x, init.uniform_(chainrule.empty(4), generator=g).numpy())


def test_init_records_no_graph():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = nn.Parameter(chainrule.empty(3, 3))
        for fn in (
            init.xavier_uniform_,
            init.kaiming_normal_,
            init.orthogonal_,
            init.trunc_normal_,
        ):
            fn(p)
            assert p.grad_fn is None and p.is_leaf
