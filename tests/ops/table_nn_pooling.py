"""Op table: pooling (max, average, adaptive, unpool) and interpolation."""

from optable import A, OpCase


def F(lib):
    return lib.nn.functional


def D(*shape, **kw):
    """Distinct values: no ties inside a window, so max pooling is smooth for gradcheck."""
    return A(*shape, distinct=True, **kw)


def _vjp(t, fn, a, v):
    """The first derivative along v, as a differentiable tensor: its graph holds fn's backward
    Op. Multiplied by a so both libraries report a gradient for a (zero through the Op)."""
    (g,) = t.autograd.grad(fn(a), a, v, create_graph=True)
    return g * a


def _mp(t, x, *args, **kw):
    return F(t).max_pool2d(x, *args, **kw)


CASES = [
    # max_pool2d
    OpCase("max_pool2d_k2", lambda t, a: _mp(t, a, 2), (D(2, 2, 4, 4),)),
    OpCase("max_pool2d_k3_s1", lambda t, a: _mp(t, a, 3, 1), (D(1, 2, 5, 4),)),
    OpCase("max_pool2d_pad", lambda t, a: _mp(t, a, 3, 2, 1), (D(1, 2, 5, 5),)),
    OpCase("max_pool2d_rect", lambda t, a: _mp(t, a, (2, 3), (1, 2), (1, 0)), (D(2, 1, 4, 7),)),
    OpCase("max_pool2d_dilation", lambda t, a: _mp(t, a, 2, 1, 0, 2), (D(1, 2, 5, 5),)),
    OpCase("max_pool2d_ceil", lambda t, a: _mp(t, a, 2, ceil_mode=True), (D(1, 2, 5, 5),)),
    OpCase(
        "max_pool2d_ceil_pad_dil",
        lambda t, a: _mp(t, a, 3, 2, 1, (2, 1), ceil_mode=True),
        (D(1, 1, 8, 6),),
    ),
    OpCase("max_pool2d_unbatched", lambda t, a: _mp(t, a, 2, 1), (D(2, 3, 4),)),
    OpCase(
        "max_pool2d_indices",
        lambda t, a: _mp(t, a, 3, 2, 1, return_indices=True),
        (D(1, 2, 5, 6),),
    ),
    OpCase(
        "max_pool2d_with_indices", lambda t, a: F(t).max_pool2d_with_indices(a, 2), (D(1, 2, 4, 4),)
    ),
    OpCase(
        "max_pool2d_backward",
        lambda t, a, v: _vjp(t, lambda x: _mp(t, x, 2), a, v),
        (D(1, 2, 4, 4), A(1, 2, 2, 2)),
    ),
    OpCase(
        "max_pool2d_backward_overlap",
        lambda t, a, v: _vjp(t, lambda x: _mp(t, x, 3, 1, 1), a, v),
        (D(1, 1, 4, 4), A(1, 1, 4, 4)),
    ),
    # max_pool1d
    OpCase("max_pool1d_k2", lambda t, a: F(t).max_pool1d(a, 2), (D(2, 3, 6),)),
    OpCase(
        "max_pool1d_pad_dil_ceil", lambda t, a: F(t).max_pool1d(a, 3, 2, 1, 2, True), (D(2, 2, 9),)
    ),
    OpCase(
        "max_pool1d_indices", lambda t, a: F(t).max_pool1d(a, 3, 1, return_indices=True), (D(2, 5),)
    ),
    # avg_pool2d
    OpCase("avg_pool2d_k2", lambda t, a: F(t).avg_pool2d(a, 2), (A(2, 2, 4, 4),)),
    OpCase("avg_pool2d_pad", lambda t, a: F(t).avg_pool2d(a, 3, 2, 1), (A(1, 2, 5, 5),)),
    OpCase(
        "avg_pool2d_exclude_pad",
        lambda t, a: F(t).avg_pool2d(a, 3, 2, 1, count_include_pad=False),
        (A(1, 2, 5, 6),),
    ),
    OpCase("avg_pool2d_ceil", lambda t, a: F(t).avg_pool2d(a, 2, ceil_mode=True), (A(1, 2, 5, 5),)),
    OpCase(
        "avg_pool2d_ceil_pad_exclude",
        lambda t, a: F(t).avg_pool2d(a, (3, 2), 2, (1, 1), True, False),
        (A(1, 1, 6, 5),),
    ),
    OpCase(
        "avg_pool2d_divisor",
        lambda t, a: F(t).avg_pool2d(a, 2, 1, 1, divisor_override=3),
        (A(1, 2, 3, 4),),
    ),
    OpCase("avg_pool2d_unbatched", lambda t, a: F(t).avg_pool2d(a, 2, 1), (A(2, 3, 4),)),
    OpCase(
        "avg_pool2d_backward",
        lambda t, a, v: _vjp(t, lambda x: F(t).avg_pool2d(x, 3, 2, 1), a, v),
        (A(1, 1, 5, 5), A(1, 1, 3, 3)),
    ),
    # avg_pool1d
    OpCase("avg_pool1d", lambda t, a: F(t).avg_pool1d(a, 3, 2, 1), (A(2, 3, 7),)),
    OpCase(
        "avg_pool1d_ceil_exclude", lambda t, a: F(t).avg_pool1d(a, 2, 2, 1, True, False), (A(2, 6),)
    ),
    # adaptive average
    OpCase(
        "adaptive_avg_pool2d_divides", lambda t, a: F(t).adaptive_avg_pool2d(a, 2), (A(1, 2, 4, 6),)
    ),
    OpCase(
        "adaptive_avg_pool2d_uneven",
        lambda t, a: F(t).adaptive_avg_pool2d(a, (3, 2)),
        (A(2, 2, 5, 7),),
    ),
    OpCase(
        "adaptive_avg_pool2d_grow",
        lambda t, a: F(t).adaptive_avg_pool2d(a, (5, None)),
        (A(1, 2, 3, 4),),
    ),
    OpCase(
        "adaptive_avg_pool2d_global", lambda t, a: F(t).adaptive_avg_pool2d(a, 1), (A(2, 3, 3, 3),)
    ),
    OpCase("adaptive_avg_pool1d", lambda t, a: F(t).adaptive_avg_pool1d(a, 3), (A(2, 7),)),
    OpCase(
        "adaptive_avg_pool2d_backward",
        lambda t, a, v: _vjp(t, lambda x: F(t).adaptive_avg_pool2d(x, (2, 3)), a, v),
        (A(1, 1, 5, 4), A(1, 1, 2, 3)),
    ),
    OpCase(
        "adaptive_avg_pool2d_backward_divides",
        lambda t, a, v: _vjp(t, lambda x: F(t).adaptive_avg_pool2d(x, 2), a, v),
        (A(1, 1, 4, 4), A(1, 1, 2, 2)),
    ),
    # adaptive max
    OpCase(
        "adaptive_max_pool2d_divides", lambda t, a: F(t).adaptive_max_pool2d(a, 2), (D(1, 2, 4, 6),)
    ),
    OpCase(
        "adaptive_max_pool2d_uneven",
        lambda t, a: F(t).adaptive_max_pool2d(a, (3, 2), return_indices=True),
        (D(2, 1, 5, 7),),
    ),
    OpCase(
        "adaptive_max_pool2d_grow", lambda t, a: F(t).adaptive_max_pool2d(a, (4, 6)), (D(2, 3, 5),)
    ),
    OpCase("adaptive_max_pool1d", lambda t, a: F(t).adaptive_max_pool1d(a, 3, True), (D(2, 2, 7),)),
    OpCase(
        "adaptive_max_pool2d_backward",
        lambda t, a, v: _vjp(t, lambda x: F(t).adaptive_max_pool2d(x, (2, 3)), a, v),
        (D(1, 1, 5, 4), A(1, 1, 2, 3)),
    ),
    # max_unpool
    OpCase(
        "max_unpool2d",
        lambda t, a, b: F(t).max_unpool2d(b, _mp(t, a, 2, return_indices=True)[1], 2),
        (D(1, 2, 4, 4), A(1, 2, 2, 2)),
    ),
    OpCase(
        "max_unpool1d_output_size",
        lambda t, a, b: F(t).max_unpool1d(
            b, F(t).max_pool1d(a, 2, return_indices=True)[1], 2, output_size=[5]
        ),
        (D(1, 2, 5), A(1, 2, 2)),
    ),
    # interpolate
    OpCase(
        "interpolate_nearest_2x", lambda t, a: F(t).interpolate(a, scale_factor=2), (A(1, 2, 2, 3),)
    ),
    OpCase(
        "interpolate_nearest_size", lambda t, a: F(t).interpolate(a, size=(5, 2)), (A(1, 2, 3, 4),)
    ),
    OpCase(
        "interpolate_nearest_1d", lambda t, a: F(t).interpolate(a, scale_factor=1.5), (A(1, 2, 4),)
    ),
    OpCase(
        "interpolate_nearest_exact",
        lambda t, a: F(t).interpolate(a, size=(5, 3), mode="nearest-exact"),
        (A(1, 1, 3, 4),),
    ),
    OpCase(
        "interpolate_bilinear",
        lambda t, a: F(t).interpolate(a, size=(5, 3), mode="bilinear"),
        (A(1, 2, 3, 4),),
    ),
    OpCase(
        "interpolate_bilinear_align_corners",
        lambda t, a: F(t).interpolate(a, scale_factor=1.5, mode="bilinear", align_corners=True),
        (A(1, 2, 3, 3),),
    ),
    OpCase(
        "interpolate_linear", lambda t, a: F(t).interpolate(a, size=7, mode="linear"), (A(2, 2, 4),)
    ),
    OpCase(
        "interpolate_area",
        lambda t, a: F(t).interpolate(a, size=(2, 3), mode="area"),
        (A(1, 2, 5, 4),),
    ),
    OpCase(
        "interpolate_bilinear_backward",
        lambda t, a, v: _vjp(t, lambda x: F(t).interpolate(x, size=(4, 5), mode="bilinear"), a, v),
        (A(1, 1, 3, 3), A(1, 1, 4, 5)),
    ),
    OpCase(
        "interpolate_nearest_backward",
        lambda t, a, v: _vjp(t, lambda x: F(t).interpolate(x, scale_factor=2), a, v),
        (A(1, 1, 2, 3), A(1, 1, 4, 6)),
    ),
]

# 3-d pooling: the same kernels under PyTorch's 3-D names; _vjp reaches each backward Op.
CASES += [
    OpCase("max_pool3d", lambda t, a: F(t).max_pool3d(a, 2, (1, 2, 1), 1), (D(1, 2, 3, 4, 3),)),
    OpCase(
        "max_pool3d_unbatched_ceil",
        lambda t, a: F(t).max_pool3d(a, 2, ceil_mode=True),
        (D(2, 3, 3, 5),),
    ),  # fmt: skip
    OpCase(
        "max_pool3d_vjp",
        lambda t, a, v: _vjp(t, lambda x: F(t).max_pool3d(x, 2, 1), a, v),
        (D(1, 1, 3, 3, 3), A(1, 1, 2, 2, 2)),
    ),
    OpCase(
        "avg_pool3d", lambda t, a: F(t).avg_pool3d(a, (2, 2, 3), 1, (1, 0, 1)), (A(1, 2, 3, 3, 4),)
    ),  # fmt: skip
    OpCase(
        "avg_pool3d_vjp",
        lambda t, a, v: _vjp(
            t, lambda x: F(t).avg_pool3d(x, 2, count_include_pad=False, padding=1), a, v
        ),
        (A(1, 1, 3, 2, 3), A(1, 1, 2, 2, 2)),
    ),  # fmt: skip
    OpCase(
        "adaptive_avg_pool3d",
        lambda t, a: F(t).adaptive_avg_pool3d(a, (2, 3, 2)),
        (A(2, 1, 5, 4, 3),),
    ),  # fmt: skip
    OpCase(
        "adaptive_avg_pool3d_vjp",
        lambda t, a, v: _vjp(t, lambda x: F(t).adaptive_avg_pool3d(x, (2, 1, 2)), a, v),
        (A(1, 1, 3, 2, 3), A(1, 1, 2, 1, 2)),
    ),
    OpCase(
        "adaptive_max_pool3d",
        lambda t, a: F(t).adaptive_max_pool3d(a, (2, 3, 2)),
        (D(1, 2, 5, 4, 3),),
    ),  # fmt: skip
    OpCase(
        "adaptive_max_pool3d_vjp",
        lambda t, a, v: _vjp(t, lambda x: F(t).adaptive_max_pool3d(x, (2, 2, 2)), a, v),
        (D(1, 1, 3, 3, 3), A(1, 1, 2, 2, 2)),
    ),
    OpCase(
        "max_unpool3d",
        lambda t, a: F(t).max_unpool3d(*F(t).max_pool3d(a, 2, return_indices=True), 2),
        (D(1, 2, 4, 4, 2),),
    ),
]

# Fractional max pooling with fixed samples (the random draws are given).
_SAMPLES2 = [[[0.25, 0.7], [0.9, 0.1]]]
_SAMPLES3 = [[[0.3, 0.6, 0.2]]]


def _frac2(t, a):
    s = t.tensor(_SAMPLES2, dtype=a.dtype)
    return F(t).fractional_max_pool2d(a, 2, output_size=(3, 4), _random_samples=s)


def _frac3(t, a):
    s = t.tensor(_SAMPLES3, dtype=a.dtype)
    return F(t).fractional_max_pool3d(a, (2, 1, 2), output_ratio=0.6, _random_samples=s)


CASES += [
    OpCase("fractional_max_pool2d", _frac2, (D(1, 2, 5, 6),)),
    OpCase(
        "fractional_max_pool2d_vjp",
        lambda t, a, v: _vjp(t, lambda x: _frac2(t, x), a, v),
        (D(1, 2, 5, 6), A(1, 2, 3, 4)),
    ),
    OpCase("fractional_max_pool3d", _frac3, (D(1, 1, 4, 5, 5),)),
    OpCase(
        "fractional_max_pool3d_vjp",
        lambda t, a, v: _vjp(t, lambda x: _frac3(t, x), a, v),
        (D(1, 1, 4, 5, 5), A(1, 1, 2, 3, 3)),
    ),
]
