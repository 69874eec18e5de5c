"""What is built on the sampling functions draws what PyTorch draws: dropout masks, nn.init
and every layer's default weights, the samplers and DataLoader shuffles (and the seeds it
hands its workers), random_split, and the vision transforms' random choices."""

import warnings

import numpy as np
import pytest

import chainrule
from parity import assert_exact, assert_ulp, to_array, vectorized_kernels


def assert_same_draws(ours, theirs, torch):
    """Exact where PyTorch runs its vectorised kernels. Its generic ones (the
    ATEN_CPU_CAPABILITY=default path) round from + u * (to - from) twice instead of once and
    make float32 normals with the C library's logf/sincosf instead of a vectorised
    log/sincos: up to one unit of the bounds' scale for uniforms, 4e-6 of the standard
    deviation for normals (the largest gap in two million normals was 2.3e-6)."""
    if vectorized_kernels(torch):
        assert_exact(ours, theirs)
        return
    a, b = to_array(ours), to_array(theirs)
    assert a.dtype == b.dtype and a.shape == b.shape
    scale = max(1.0, float(np.abs(b).max())) if b.size else 1.0
    np.testing.assert_allclose(a, b, rtol=1e-6, atol=4e-6 * scale)


def _both(torch, seed, build):
    """build(lib) after manual_seed(seed) in each library; the results and the states."""
    out = []
    for lib in (chainrule, torch):
        lib.manual_seed(seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = build(lib)
        out.append((result, to_array(lib.get_rng_state())))
    (ours, our_state), (theirs, their_state) = out
    assert_exact(our_state, their_state, "generator state")
    return ours, theirs


def _layers(L):
    nn = L.nn
    return [
        nn.Linear(5, 3),
        nn.Linear(4, 2, bias=False),
        nn.Conv1d(2, 3, 5),
        nn.Conv2d(3, 4, 3),
        nn.Conv2d(4, 4, 3, groups=2),
        nn.ConvTranspose2d(3, 2, 3),
        nn.RNN(4, 6, 2),
        nn.LSTM(3, 5, bidirectional=True),
        nn.GRU(4, 3, batch_first=True),
        nn.RNNCell(3, 4),
        nn.LSTMCell(2, 3),
        nn.GRUCell(3, 2),
        nn.Embedding(10, 4),
        nn.Embedding(10, 4, padding_idx=2),
        nn.BatchNorm2d(3),
        nn.LayerNorm(4),
        nn.PReLU(),
    ]


@pytest.mark.parametrize("seed", [0, 1])
def test_layers_default_weights_are_pytorch(seed, torch):
    ours, theirs = _both(torch, seed, lambda L: [list(m.parameters()) for m in _layers(L)])
    for mine, reference in zip(ours, theirs):
        assert len(mine) == len(reference)
        for a, b in zip(mine, reference):
            assert_same_draws(a, b, torch)


INIT_CALLS = {
    "uniform_": lambda L: L.nn.init.uniform_(L.empty(3, 4), -2, 3),
    "normal_": lambda L: L.nn.init.normal_(L.empty(50), 1, 3),
    "xavier_uniform_": lambda L: L.nn.init.xavier_uniform_(L.empty(4, 5), gain=2.0),
    "xavier_normal_": lambda L: L.nn.init.xavier_normal_(L.empty(40, 5)),
    "kaiming_uniform_": lambda L: L.nn.init.kaiming_uniform_(L.empty(7, 3, 2)),
    "kaiming_normal_": lambda L: L.nn.init.kaiming_normal_(
        L.empty(20, 3, 3, 3), mode="fan_out", nonlinearity="relu"
    ),
    "trunc_normal_": lambda L: L.nn.init.trunc_normal_(L.empty(300), 0, 1),
    "trunc_normal_ small std": lambda L: L.nn.init.trunc_normal_(L.empty(30, 17), 0.0, 0.02),
    "trunc_normal_ narrow window": lambda L: L.nn.init.trunc_normal_(
        L.empty(40, 3), 0.0, 1.0, -0.1, 0.1
    ),
    "trunc_normal_ far window": lambda L: L.nn.init.trunc_normal_(
        L.empty(100, dtype=L.float64), 0.0, 1.0, 2.0, 2.5
    ),
    "sparse_": lambda L: L.nn.init.sparse_(L.empty(6, 5), 0.5),
    "sparse_ with a generator": lambda L: L.nn.init.sparse_(
        L.empty(4, 3), 0.3, generator=L.Generator().manual_seed(1)
    ),
    "eye_": lambda L: L.nn.init.eye_(L.empty(3, 4)),
    "dirac_": lambda L: L.nn.init.dirac_(L.empty(4, 2, 3, 3), groups=2),
    "constant_": lambda L: L.nn.init.constant_(L.empty(2, 2), 0.3),
    "with a generator": lambda L: L.nn.init.kaiming_uniform_(
        L.empty(5, 5), generator=L.Generator().manual_seed(3)
    ),
}


@pytest.mark.parametrize("name", list(INIT_CALLS))
def test_init_functions_are_pytorch(name, torch):
    ours, theirs = _both(torch, 4, INIT_CALLS[name])
    assert_same_draws(ours, theirs, torch)


def test_orthogonal_init(torch):
    # The same normals go into a float32 QR decomposition; PyTorch's LAPACK (MKL) and
    # NumPy's (OpenBLAS) order their Householder updates differently: a few float32 ulps.
    for shape in [(4, 6), (6, 3), (3, 2, 2)]:
        ours, theirs = _both(torch, 2, lambda L, s=shape: L.nn.init.orthogonal_(L.empty(*s), 2.0))
        assert_ulp(ours, theirs, max_ulp=64)


MODULES = {
    "Dropout": lambda L: L.nn.Dropout(0.2)(L.ones(5, 40)),
    "Dropout inplace": lambda L: L.nn.Dropout(0.5, inplace=True)(L.ones(3, 7)),
    "Dropout1d": lambda L: L.nn.Dropout1d(0.5)(L.ones(3, 4, 5)),
    "Dropout2d": lambda L: L.nn.Dropout2d()(L.ones(2, 3, 4, 4)),
    "Dropout3d": lambda L: L.nn.Dropout3d(0.5)(L.ones(2, 2, 2, 2, 2)),
    "AlphaDropout": lambda L: L.nn.AlphaDropout(0.3)(L.arange(30.0) / 7),
    "dropout p=1": lambda L: L.nn.functional.dropout(L.ones(4), 1.0),
    "dropout in eval": lambda L: L.nn.Dropout(0.5).eval()(L.ones(4)) + L.rand(1),
}


@pytest.mark.parametrize("name", list(MODULES))
def test_dropout_is_pytorch(name, torch):
    ours, theirs = _both(torch, 6, MODULES[name])
    assert_exact(ours, theirs)


def test_dropout_gradient_is_the_mask(torch):
    def grad(L):
        x = L.ones(2, 9, requires_grad=True)
        L.nn.functional.dropout(x, 0.4).sum().backward()
        return x.grad

    ours, theirs = _both(torch, 8, grad)
    assert_exact(ours, theirs)


def _epochs(L, epochs=3, **kw):
    data = L.utils.data.TensorDataset(L.arange(100))
    loader = L.utils.data.DataLoader(data, batch_size=7, **kw)
    return [[b[0].tolist() for b in loader] for _ in range(epochs)]


def _base_seeds(L, **kw):
    loader = L.utils.data.DataLoader(list(range(10)), batch_size=3, **kw)
    return [iter(loader)._base_seed for _ in range(3)]


SAMPLING = {
    "DataLoader shuffle": lambda L: _epochs(L, shuffle=True),
    "DataLoader in order": lambda L: _epochs(L) + [L.rand(2).tolist()],
    "DataLoader with a generator": lambda L: (
        _epochs(L, shuffle=True, generator=L.Generator().manual_seed(42)) + [L.rand(2).tolist()]
    ),
    "workers' base seeds": lambda L: _base_seeds(L) + _base_seeds(L, shuffle=True),
    "RandomSampler replacement": lambda L: list(
        L.utils.data.RandomSampler(range(10), replacement=True, num_samples=75)
    ),
    "RandomSampler num_samples": lambda L: list(
        L.utils.data.RandomSampler(range(10), num_samples=25)
    ),
    "SubsetRandomSampler": lambda L: list(L.utils.data.SubsetRandomSampler([5, 9, 11, 2, 40])),
    "WeightedRandomSampler": lambda L: list(
        L.utils.data.WeightedRandomSampler([0.1, 0.9, 0.4, 0.7, 3.0, 0.6], 20)
    ),
    "WeightedRandomSampler without replacement": lambda L: list(
        L.utils.data.WeightedRandomSampler([0.9, 0.4, 0.05, 0.2, 0.3, 0.1], 5, replacement=False)
    ),
    "random_split": lambda L: (
        [list(s.indices) for s in L.utils.data.random_split(range(30), [0.3, 0.3, 0.4])]
        + [
            list(s.indices)
            for s in L.utils.data.random_split(
                range(10), [3, 7], generator=L.Generator().manual_seed(1)
            )
        ]
    ),
}


@pytest.mark.parametrize("name", list(SAMPLING))
def test_sampling_orders_are_pytorch(name, torch):
    ours, theirs = _both(torch, 3, SAMPLING[name])
    assert ours == theirs


def test_vision_transforms_draw_as_torchvision(torch):
    # torchvision draws RandomCrop's corner as randint(0, h - th + 1, (1,)) then the same
    # for the width, and flips when rand(1) < p: the same draws made here with PyTorch
    import chainrule.vision.transforms as T

    img = np.arange(3 * 8 * 10, dtype=np.float32).reshape(3, 8, 10)
    torch.manual_seed(5)
    chainrule.manual_seed(5)
    crop, hflip, vflip = (
        T.RandomCrop(5, padding=1),
        T.RandomHorizontalFlip(),
        T.RandomVerticalFlip(0.3),
    )
    padded = np.pad(img, ((0, 0), (1, 1), (1, 1)))
    for _ in range(6):
        i = torch.randint(0, 10 - 5 + 1, size=(1,)).item()
        j = torch.randint(0, 12 - 5 + 1, size=(1,)).item()
        assert_exact(crop(chainrule.tensor(img)), padded[:, i : i + 5, j : j + 5])
        flipped = torch.rand(1) < 0.5
        assert_exact(hflip(chainrule.tensor(img)), img[:, :, ::-1] if flipped else img)
        flipped = torch.rand(1) < 0.3
        assert_exact(vflip(chainrule.tensor(img)), img[:, ::-1, :] if flipped else img)
    assert_exact(chainrule.get_rng_state(), torch.get_rng_state())
