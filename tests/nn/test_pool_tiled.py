"""The tiled max-pooling path (stride = kernel, no padding or dilation, every window in
bounds) against the general scan it shortcuts: the same values and indices, bit for bit,
through ties, NaN, infinities, integers, odd sizes and 3-D windows; and the layouts that
must not take it."""

import numpy as np
import pytest

from chainrule.nn.functional import _pool_kernels as kernels


def _general(monkeypatch, *args):
    with monkeypatch.context() as m:
        m.setattr(kernels, "_tiles", lambda *a: False)
        return kernels.max_pool(*args)


def _out(spatial, kernel):
    return tuple(n // k for n, k in zip(spatial, kernel))


def _input(rng, shape, dtype, kind):
    if kind == "ties":  # few distinct values: most windows hold a tie
        return rng.integers(0, 3, shape).astype(dtype)
    x = rng.standard_normal(shape).astype(dtype)
    if kind == "special":
        flat = x.reshape(-1)
        where = rng.choice(flat.size, flat.size // 3, replace=False)
        flat[where] = rng.choice([np.nan, np.inf, -np.inf, 0.0], where.size)
    return x


CASES = [
    ((2, 3, 8, 8), (2, 2)),
    ((2, 3, 9, 7), (2, 2)),  # odd sizes: the last row and column lie outside every window
    ((1, 2, 12, 10), (3, 2)),
    ((4, 5, 6), (3, 1)),  # unbatched
    ((3, 4, 5), (1, 1)),
    ((2, 2, 6, 6, 4), (2, 3, 2)),  # 3-d windows
    ((0, 3, 4, 4), (2, 2)),  # an empty batch
]


@pytest.mark.parametrize("shape, kernel", CASES)
@pytest.mark.parametrize("kind", ["random", "ties", "special"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_tiled_max_equals_the_general_scan(shape, kernel, kind, dtype, monkeypatch):
    x = _input(np.random.default_rng(len(shape) + kernel[0]), shape, dtype, kind)
    nd = len(kernel)
    out = _out(shape[-nd:], kernel)
    args = (x, kernel, kernel, (0,) * nd, (1,) * nd, out)
    assert kernels._tiles(*args[1:], shape[-nd:])
    for want in (True, False):
        ours, theirs = kernels.max_pool(*args, want), _general(monkeypatch, *args, want)
        np.testing.assert_array_equal(ours[0], theirs[0])
        assert ours[0].dtype == theirs[0].dtype and ours[0].shape == theirs[0].shape
        if want:
            np.testing.assert_array_equal(ours[1], theirs[1])
            assert ours[1].dtype == np.int64
        else:
            assert ours[1] is None


def test_tiled_max_on_integers(monkeypatch):
    x = np.random.default_rng(0).integers(-5, 5, (2, 3, 7, 8))
    args = (x, (2, 2), (2, 2), (0, 0), (1, 1), (3, 4), True)
    ours, theirs = kernels.max_pool(*args), _general(monkeypatch, *args)
    np.testing.assert_array_equal(ours[0], theirs[0])
    np.testing.assert_array_equal(ours[1], theirs[1])


def test_tiled_indices_by_hand():
    x = np.array([[[1.0, 5.0, 2.0, 2.0], [5.0, 0.0, np.nan, 2.0]]])  # (1, 2, 4)
    values, idx = kernels.max_pool(x, (2, 2), (2, 2), (0, 0), (1, 1), (1, 2), True)
    assert idx.tolist() == [[[1, 6]]]  # the first of two maxima; the NaN
    assert values[0, 0, 0] == 5.0 and np.isnan(values[0, 0, 1])


def test_tiled_results_do_not_share_the_scratch_buffer():
    x = np.random.default_rng(1).standard_normal((2, 6, 6))
    first = kernels.max_pool(x, (3, 3), (3, 3), (0, 0), (1, 1), (2, 2), True)
    kept = [a.copy() for a in first]
    kernels.max_pool(-x, (3, 3), (3, 3), (0, 0), (1, 1), (2, 2), True)
    kernels.max_pool(x, (1, 1), (1, 1), (0, 0), (1, 1), (6, 6), False)
    for a, b in zip(first, kept):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    "kernel, stride, padding, dilation, out, spatial",
    [
        ((2, 2), (1, 1), (0, 0), (1, 1), (3, 3), (4, 4)),  # overlapping windows
        ((2, 2), (2, 2), (1, 1), (1, 1), (3, 3), (4, 4)),  # padding
        ((2, 2), (2, 2), (0, 0), (2, 2), (1, 1), (4, 4)),  # dilation
        ((2, 2), (2, 2), (0, 0), (1, 1), (3, 3), (5, 5)),  # ceil_mode: a window over the edge
        ((2, 3), (3, 2), (0, 0), (1, 1), (2, 2), (6, 6)),
    ],
)
def test_layouts_that_do_not_tile_take_the_general_scan(
    kernel, stride, padding, dilation, out, spatial
):
    assert not kernels._tiles(kernel, stride, padding, dilation, out, spatial)
