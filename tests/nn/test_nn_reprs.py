"""repr of modules and Parameters, laid out exactly as PyTorch lays them out."""

from collections import OrderedDict

import pytest

import chainrule

LEAVES = [
    lambda t: t.nn.ReLU(),
    lambda t: t.nn.ReLU(inplace=True),
    lambda t: t.nn.ReLU6(True),
    lambda t: t.nn.LeakyReLU(),
    lambda t: t.nn.LeakyReLU(0.2, True),
    lambda t: t.nn.PReLU(3, 0.1),
    lambda t: t.nn.ELU(0.5, True),
    lambda t: t.nn.SELU(),
    lambda t: t.nn.CELU(2.0),
    lambda t: t.nn.GELU(),
    lambda t: t.nn.GELU("tanh"),
    lambda t: t.nn.SiLU(True),
    lambda t: t.nn.Mish(),
    lambda t: t.nn.Sigmoid(),
    lambda t: t.nn.Tanh(),
    lambda t: t.nn.Softplus(),
    lambda t: t.nn.Softplus(2, 10),
    lambda t: t.nn.Softsign(),
    lambda t: t.nn.Hardtanh(),
    lambda t: t.nn.Hardtanh(-2, 2, True),
    lambda t: t.nn.Hardsigmoid(True),
    lambda t: t.nn.Hardswish(),
    lambda t: t.nn.LogSigmoid(),
    lambda t: t.nn.Tanhshrink(),
    lambda t: t.nn.Hardshrink(),
    lambda t: t.nn.Softshrink(0.3),
    lambda t: t.nn.Threshold(0.1, 20),
    lambda t: t.nn.Threshold(0.1, 20.0, True),
    lambda t: t.nn.Softmax(),
    lambda t: t.nn.Softmax(1),
    lambda t: t.nn.LogSoftmax(-1),
    lambda t: t.nn.Softmin(0),
    lambda t: t.nn.Identity(),
    lambda t: t.nn.Flatten(),
    lambda t: t.nn.Unflatten(1, (2, 3)),
    lambda t: t.nn.Dropout(),
    lambda t: t.nn.Dropout(0.1, True),
    lambda t: t.nn.AlphaDropout(0.2),
    lambda t: t.nn.Linear(3, 4),
    lambda t: t.nn.Linear(3, 4, bias=False),
    lambda t: t.nn.Bilinear(2, 3, 4),
    lambda t: t.nn.BatchNorm1d(3),
    lambda t: t.nn.BatchNorm1d(3, affine=False, track_running_stats=False, momentum=None),
    lambda t: t.nn.BatchNorm1d(3, eps=1e-3, bias=False),
    lambda t: t.nn.LayerNorm(4),
    lambda t: t.nn.LayerNorm((3, 4), elementwise_affine=False, bias=False),
    lambda t: t.nn.LayerNorm([4], bias=False),
    lambda t: t.nn.Module(),
]


@pytest.mark.parametrize("make", LEAVES)
def test_leaf_module_repr(make, torch):
    assert repr(make(chainrule)) == repr(make(torch))


def _custom(lib):
    class Block(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = lib.nn.Linear(2, 2)
            self.act = lib.nn.ReLU()

        def extra_repr(self):
            return "custom=1\nsecond line"

        def forward(self, x):
            return self.act(self.fc(x))

    return Block()


CONTAINERS = [
    lambda t: t.nn.Sequential(),
    lambda t: t.nn.Sequential(t.nn.Linear(2, 3), t.nn.ReLU(), t.nn.Linear(3, 1)),
    lambda t: t.nn.Sequential(
        t.nn.Sequential(t.nn.Linear(2, 3), t.nn.Sequential(t.nn.Tanh(), t.nn.Dropout())),
        t.nn.Softmax(dim=1),
    ),
    lambda t: t.nn.Sequential(OrderedDict(fc1=t.nn.Linear(2, 3), act=t.nn.GELU())),
    lambda t: t.nn.ModuleList(),
    lambda t: t.nn.ModuleList([t.nn.Linear(2, 2) for _ in range(3)] + [t.nn.ReLU()]),
    lambda t: t.nn.ModuleList([t.nn.ReLU(), t.nn.Tanh(), t.nn.Tanh(), t.nn.ReLU()]),
    lambda t: t.nn.ModuleList([t.nn.Sequential(t.nn.Linear(1, 1), t.nn.ReLU())] * 2),
    lambda t: t.nn.ModuleDict({"a": t.nn.Linear(1, 2), "b": t.nn.ReLU()}),
    lambda t: t.nn.Sequential(t.nn.ModuleList([t.nn.ReLU()]), t.nn.ModuleDict({"x": t.nn.Tanh()})),
    _custom,
    lambda t: t.nn.Sequential(_custom(t), _custom(t)),
    lambda t: t.nn.ParameterList([t.nn.Parameter(t.zeros(2, 3)), t.zeros(1)]),
    lambda t: t.nn.ParameterDict({"w": t.nn.Parameter(t.zeros(2)), "v": t.zeros(3, 1)}),
]


@pytest.mark.parametrize("make", CONTAINERS)
def test_container_repr(make, torch):
    assert repr(make(chainrule)) == repr(make(torch))


def test_model_with_named_children_repr(torch):
    def make(t):
        class Net(t.nn.Module):
            def __init__(self):
                super().__init__()
                self.encoder = t.nn.Sequential(t.nn.Linear(4, 8), t.nn.BatchNorm1d(8), t.nn.ReLU())
                self.heads = t.nn.ModuleList([t.nn.Linear(8, 1) for _ in range(2)])
                self.drop = t.nn.Dropout(0.2)
                self.scale = t.nn.Parameter(t.ones(1))

        return Net()

    assert repr(make(chainrule)) == repr(make(torch))


@pytest.mark.parametrize(
    "make",
    [
        lambda t: t.nn.Parameter(t.tensor([1.0, 2.5])),
        lambda t: t.nn.Parameter(t.tensor([[1.0, 2.0]]), requires_grad=False),
        lambda t: t.nn.Parameter(t.tensor(3.0, dtype=t.float64)),
        lambda t: t.nn.Parameter(t.zeros(0)),
        lambda t: t.nn.Parameter(),
    ],
)
def test_parameter_repr(make, torch):
    assert repr(make(chainrule)) == repr(make(torch))
    assert str(make(chainrule)) == str(make(torch))


def test_state_dict_repr(torch):
    def make(t):
        m = t.nn.Sequential(t.nn.Linear(1, 1), t.nn.BatchNorm1d(1))
        with t.no_grad():
            m[0].weight.fill_(0.5)
            m[0].bias.fill_(-1.0)
        return m.state_dict()

    assert repr(make(chainrule)) == repr(make(torch))


def test_load_result_repr(torch):
    def make(t):
        m = t.nn.Linear(1, 1)
        return repr(m.load_state_dict({"weight": t.zeros(1, 1), "x": t.zeros(1)}, strict=False))

    assert make(chainrule) == make(torch)
