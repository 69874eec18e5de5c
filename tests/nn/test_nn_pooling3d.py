"""3-D and fractional max pooling modules against PyTorch: values, indices, gradients (float32
and float64), reprs, and PyTorch's errors word for word. The functional forms and their
derivatives are in the op table (tests/ops/table_nn_pooling.py)."""

from __future__ import annotations

import numpy as np
import pytest
from modcheck import compare

import chainrule


def _x(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


_S2 = np.array([[[0.25, 0.7], [0.9, 0.1]], [[0.5, 0.5], [0.05, 0.95]]])
_S3 = np.array([[[0.3, 0.6, 0.2], [0.8, 0.1, 0.5]]])


def _frac(n, samples, **kw):
    def make(lib):
        cls = getattr(lib.nn, f"FractionalMaxPool{n}d")
        return cls(2, _random_samples=lib.tensor(samples, dtype=lib.float32), **kw)

    return make


LAYERS = [
    ("maxpool3d", lambda t: t.nn.MaxPool3d(2, (1, 2, 2), 1), (2, 2, 3, 5, 4)),
    ("maxpool3d_dilation_ceil", lambda t: t.nn.MaxPool3d(2, 2, dilation=(1, 2, 1), ceil_mode=True),
     (1, 2, 5, 5, 5)),
    ("avgpool3d", lambda t: t.nn.AvgPool3d((2, 1, 3), padding=(1, 0, 1), count_include_pad=False),
     (2, 2, 3, 4, 5)),
    ("avgpool3d_divisor", lambda t: t.nn.AvgPool3d(2, 1, divisor_override=3), (2, 3, 3, 3)),
    ("adaptive_avgpool3d", lambda t: t.nn.AdaptiveAvgPool3d((2, None, 3)), (2, 2, 5, 3, 7)),
    ("adaptive_avgpool3d_global", lambda t: t.nn.AdaptiveAvgPool3d(1), (2, 2, 3, 3, 2)),
    ("adaptive_maxpool3d", lambda t: t.nn.AdaptiveMaxPool3d((3, 2, 2)), (1, 2, 5, 5, 3)),
    ("fractional2d_size", _frac(2, _S2, output_size=(3, 4)), (2, 2, 6, 7)),
    ("fractional2d_ratio", _frac(2, _S2[:1], output_ratio=0.5), (2, 6, 8)),
    ("fractional3d", _frac(3, _S3, output_size=2), (1, 2, 4, 5, 4)),
]  # fmt: skip


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,make,shape", LAYERS, ids=[c[0] for c in LAYERS])
def test_layers_match_torch(name, make, shape, dtype, torch):
    compare(torch, make, [_x(*shape)], dtype)


def test_indices_and_unpool_match_torch(torch):
    x = _x(2, 2, 4, 5, 6)
    results = []
    for lib in (chainrule, torch):
        xt = lib.tensor(x, requires_grad=True)
        v, i = lib.nn.MaxPool3d(2, return_indices=True)(xt)
        u = lib.nn.MaxUnpool3d(2)(v, i, output_size=xt.shape)
        f, fi = lib.nn.functional.fractional_max_pool3d(
            xt,
            2,
            output_ratio=0.5,
            return_indices=True,
            _random_samples=lib.rand(2, 2, 3, dtype=lib.float64),
        )
        (g,) = lib.autograd.grad(u.sum() * 2, xt)
        results.append([i.numpy(), u.detach().numpy(), g.numpy(), fi.shape, type(u.grad_fn)])
    for a, b in zip(results[0][:3], results[1][:3]):
        np.testing.assert_array_equal(a, b)
    assert tuple(results[0][3]) == tuple(results[1][3])
    assert results[0][4].__name__ == results[1][4].__name__ == "MaxUnpool3DBackward0"


def test_reprs(torch):
    for make in (
        lambda t: t.nn.MaxPool3d(2),
        lambda t: t.nn.MaxPool3d((1, 2, 3), stride=(1, 1, 1), ceil_mode=True),
        lambda t: t.nn.AvgPool3d(2, padding=1),
        lambda t: t.nn.AdaptiveAvgPool3d((1, 2, 3)),
        lambda t: t.nn.AdaptiveMaxPool3d(2),
        lambda t: t.nn.MaxUnpool3d(2),
        lambda t: t.nn.FractionalMaxPool2d(2, output_ratio=0.5),
        lambda t: t.nn.FractionalMaxPool3d(2, output_size=3),
    ):
        assert repr(make(chainrule)) == repr(make(torch))


@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.nn.functional.max_pool3d(t.zeros(3, 4, 5), 2),
        lambda t: t.nn.functional.max_pool3d(t.zeros(1, 2, 4, 5, 6), 2, padding=2),
        lambda t: t.nn.functional.max_pool3d(t.zeros(1, 2, 4, 5, 6), (2, 2)),
        lambda t: t.nn.functional.max_pool3d(t.zeros(1, 2, 4, 5, 6), 5),
        lambda t: t.nn.functional.max_pool3d(t.zeros(1, 2, 4, 5, 6), 2, dilation=0),
        lambda t: t.nn.functional.avg_pool3d(t.zeros(1, 2, 4, 5, 6), 5),
        lambda t: t.nn.functional.avg_pool3d(t.zeros(1, 2, 4, 5, 6), (2, 2)),
        lambda t: t.nn.functional.avg_pool3d(t.zeros(1, 2, 4, 5, 6), 2, divisor_override=0),
        lambda t: t.nn.functional.adaptive_avg_pool3d(t.zeros(3, 4), 2),
        lambda t: t.nn.functional.adaptive_max_pool3d(t.zeros(3, 4), 2),
        lambda t: t.nn.functional.adaptive_avg_pool3d(t.zeros(1, 2, 4, 5, 6), (2, 2)),
        lambda t: t.nn.functional.adaptive_avg_pool3d(t.zeros(1, 2, 4, 5, 6), (2, -1, 2)),
        lambda t: t.nn.functional.adaptive_max_pool3d(t.zeros(1, 2, 4, 5, 6), (2, -1, 2)),
        lambda t: t.nn.functional.max_unpool3d(
            t.zeros(1, 1, 2, 2, 3), t.full((1, 1, 2, 2, 3), 112, dtype=t.int64), 2
        ),
        lambda t: t.nn.functional.fractional_max_pool2d(t.zeros(2, 3, 7, 7), 3, output_size=6),
        lambda t: t.nn.functional.fractional_max_pool2d(t.zeros(2, 3, 7, 7), 2),
        lambda t: t.nn.functional.fractional_max_pool2d(
            t.zeros(2, 3, 7, 7), 2, output_size=3, _random_samples=t.rand(1, 3, 2)
        ),
        lambda t: t.nn.functional.fractional_max_pool2d(t.zeros(3, 7), 2, output_size=3),
        lambda t: t.nn.functional.fractional_max_pool3d(t.zeros(1, 2, 5, 5, 5), 2, output_size=5),
        lambda t: t.nn.functional.fractional_max_pool2d(
            t.zeros(2, 3, 7, 7), 2, output_size=(3, 3, 3)
        ),
        lambda t: t.nn.FractionalMaxPool2d(2),
        lambda t: t.nn.FractionalMaxPool2d(2, output_ratio=1.5),
        lambda t: t.nn.FractionalMaxPool3d(0, output_size=2),
        lambda t: t.nn.FractionalMaxPool3d(2, output_size=2, output_ratio=0.5),
    ],
)
def test_errors_match_torch(call, torch):
    with pytest.raises(Exception) as theirs:
        call(torch)
    with pytest.raises(type(theirs.value)) as ours:
        call(chainrule)
    assert str(ours.value) == str(theirs.value)


def test_fractional_draws_one_sample_per_plane_and_axis():
    chainrule.manual_seed(3)
    x = chainrule.randn(2, 3, 8, 8)
    out = chainrule.nn.FractionalMaxPool2d(3, output_ratio=0.5)(x)
    assert out.shape == (2, 3, 4, 4)
    # Every output is one of its plane's values.
    for b in range(2):
        for c in range(3):
            assert set(out[b, c].flatten().tolist()) <= set(x[b, c].flatten().tolist())


@pytest.mark.parametrize(
    "call",
    [
        lambda t, x: t.nn.functional.fractional_max_pool3d(x, 2, output_size=2),
        lambda t, x: t.nn.functional.fractional_max_pool3d(x, (2, 2, 1), output_size=(2, 3, 2)),
        lambda t, x: t.nn.functional.adaptive_avg_pool3d(x, (5, 7, 4)),
        lambda t, x: t.nn.functional.adaptive_avg_pool3d(x, 2),
    ],
)
def test_empty_batch_pools_and_differentiates(call, torch):
    """An empty batch pools to an empty result of PyTorch's shape; its gradient is zeros of
    the input's shape, and differentiates again where PyTorch's does."""
    seen = []
    for lib in (torch, chainrule):
        x = lib.ones(0, 2, 4, 5, 4, dtype=lib.float64, requires_grad=True)
        y = call(lib, x)
        (g,) = lib.autograd.grad((y * y).sum(), x, create_graph=True)
        (gg,) = lib.autograd.grad(g.sum(), x)
        seen.append((tuple(y.shape), tuple(g.shape), tuple(gg.shape)))
    assert seen[1] == seen[0]
