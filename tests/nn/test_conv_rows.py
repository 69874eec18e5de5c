"""The width-only column kernels (_conv_rows: batch-last layout, stride 1) against the full
im2col kernels they replace there: conv, its weight gradient and its adjoint agree over
groups, dilations, paddings, kernel and image shapes, 1-d convolutions, and transposed
geometries with output padding."""

import numpy as np
import pytest

from chainrule.nn.functional import _conv_rows
from chainrule.nn.functional import conv as C

# (n, c, o, groups, spatial, kernel, dilation, padding)
CASES = [
    (64, 10, 20, 1, (12, 12), (5, 5), (1, 1), (0, 0)),  # LeNet's second convolution
    (3, 4, 6, 2, (7, 9), (3, 2), (1, 1), (1, 0)),
    (2, 6, 6, 3, (9, 8), (2, 3), (2, 1), (0, 2)),
    (5, 3, 2, 1, (6, 5), (1, 4), (1, 2), (2, 1)),
    (4, 4, 8, 4, (5, 5), (3, 3), (2, 2), (2, 2)),  # depthwise-like, dilated
    (8, 8, 4, 1, (1, 13), (1, 5), (1, 2), (0, 1)),  # a lifted 1-d convolution
]


def _full(monkeypatch, fn, *args):
    with monkeypatch.context() as m:
        m.setattr(_conv_rows, "applies", lambda geo: False)
        return fn(*args)


def _arrays(case, dtype, rng):
    n, c, o, g, spatial, kernel, dilation, padding = case
    geo = C._geometry(2, g, (1, 1), dilation, padding, spatial, kernel)
    x = rng.standard_normal((n, c, *spatial)).astype(dtype)
    w = rng.standard_normal((o, c // g, *kernel)).astype(dtype)
    dy = rng.standard_normal((n, o, *geo.y_size)).astype(dtype)
    return geo, x, w, dy


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_width_columns_equal_full_im2col(case, dtype, monkeypatch):
    geo, x, w, dy = _arrays(case, dtype, np.random.default_rng(sum(case[:3])))
    n, c, o = case[:3]
    assert C._batch_last(geo, n, c, o) and _conv_rows.applies(geo)  # the path under test
    # float64: the same sums in another order; float32: within rounding of the sums' scale
    rtol = 1e-12 if dtype == np.float64 else 2e-6
    for fn, args in (
        (C._conv, (x, w, geo)),
        (C._conv_weight, (x, dy, geo)),
        (C._conv_transpose, (dy, w, geo)),
    ):
        ours, full = fn(*args), _full(monkeypatch, fn, *args)
        assert ours.shape == full.shape and ours.dtype == full.dtype
        assert ours.flags.c_contiguous
        scale = np.abs(full).max()
        np.testing.assert_allclose(ours, full, rtol=0, atol=rtol * scale)


def test_transposed_geometry_with_output_padding(monkeypatch):
    """conv_transpose2d with dilation 2 may pad its output by 1 at stride 1: rows and
    columns past every window, which the adjoint leaves zero and conv never reads."""
    rng = np.random.default_rng(3)
    # y_size 6x5 transposed with kernel 3, dilation 2, output_padding 1: x_size 11x10
    geo = C._geometry(2, 1, (1, 1), (2, 2), (0, 0), (11, 10), (3, 3), (6, 5))
    n, c, o = 16, 6, 6
    assert C._batch_last(geo, n, c, o) and _conv_rows.applies(geo)
    x = rng.standard_normal((n, c, 11, 10))
    w = rng.standard_normal((o, c, 3, 3))
    dy = rng.standard_normal((n, o, 6, 5))
    for fn, args in (
        (C._conv, (x, w, geo)),
        (C._conv_weight, (x, dy, geo)),
        (C._conv_transpose, (dy, w, geo)),
    ):
        ours, full = fn(*args), _full(monkeypatch, fn, *args)
        np.testing.assert_allclose(ours, full, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("stride", [(2, 1), (1, 2), (2, 2)])
def test_strided_convolutions_keep_full_im2col(stride):
    geo = C._geometry(2, 1, stride, (1, 1), (0, 0), (9, 9), (3, 3))
    assert not _conv_rows.applies(geo)
    assert not _conv_rows.applies(C._geometry(3, 1, (1, 1, 1), (1, 1, 1), (0, 0, 0),
                                              (5, 5, 5), (2, 2, 2)))  # fmt: skip


@pytest.mark.parametrize("n", [1, 3])  # one image: moving the batch axis is a no-op
def test_results_do_not_share_the_scratch_buffer(n):
    rng = np.random.default_rng(4)
    geo, x, w, dy = _arrays((n, 4, 8, 1, (8, 7), (2, 4), (1, 1), (0, 0)), np.float64, rng)
    assert C._batch_last(geo, n, 4, 8) and _conv_rows.applies(geo)
    kept = [C._conv(x, w, geo), C._conv_weight(x, dy, geo), C._conv_transpose(dy, w, geo)]
    copies = [a.copy() for a in kept]
    C._conv(-x, w, geo)
    C._conv_weight(x, -dy, geo)
    C._conv_transpose(-dy, w, geo)
    for a, b in zip(kept, copies):
        np.testing.assert_array_equal(a, b)
