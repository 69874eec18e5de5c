"""Op table: grid_sample (GridSampler, 2-D and 3-D, each mode and padding), affine_grid
(AffineGridGenerator), and interpolate's bicubic, trilinear and 3-D nearest modes."""

from optable import A, OpCase


def F(lib):
    return lib.nn.functional


def _gs(**kw):
    return lambda t, x, g: F(t).grid_sample(x, g, **kw)


def G(*shape):
    """Grid coordinates, some outside [-1, 1] so the padding modes matter."""
    return A(*shape, low=-1.3, high=1.3)


# Sums of a few weighted taps: float32 parity within a few ulps.
_TOL = {"parity_rtol": 1e-5, "parity_atol": 1e-6}

CASES = [
    OpCase(
        "grid_sample_bilinear", _gs(align_corners=False), (A(2, 2, 3, 4), G(2, 3, 2, 2)), **_TOL
    ),
    OpCase(
        "grid_sample_bilinear_border_align",
        _gs(padding_mode="border", align_corners=True),
        (A(1, 2, 3, 4), G(1, 2, 3, 2)),
        **_TOL,
    ),
    OpCase(
        "grid_sample_bicubic_reflection",
        _gs(mode="bicubic", padding_mode="reflection", align_corners=False),
        (A(1, 1, 4, 3), G(1, 2, 2, 2)),
        **_TOL,
    ),
    OpCase(
        "grid_sample_nearest",
        _gs(mode="nearest", align_corners=False),
        (A(1, 2, 3, 3), A(1, 2, 2, 2, grad=False, low=-0.9, high=0.9)),
        **_TOL,
    ),
    OpCase(
        "grid_sample_3d_reflection_align",
        _gs(padding_mode="reflection", align_corners=True),
        (A(1, 2, 2, 3, 2), G(1, 2, 1, 2, 3)),
        **_TOL,
    ),
    OpCase(
        "affine_grid",
        lambda t, th: F(t).affine_grid(th, (2, 1, 3, 4), align_corners=False),
        (A(2, 2, 3),),
        **_TOL,
    ),
    OpCase(
        "affine_grid_3d_align",
        lambda t, th: F(t).affine_grid(th, (1, 1, 2, 3, 2), align_corners=True),
        (A(1, 3, 4),),
        **_TOL,
    ),
    OpCase(
        "interpolate_bicubic",
        lambda t, x: F(t).interpolate(x, size=(5, 3), mode="bicubic"),
        (A(1, 2, 3, 4),),
        **_TOL,
    ),
    OpCase(
        "interpolate_bicubic_align",
        lambda t, x: F(t).interpolate(x, scale_factor=1.5, mode="bicubic", align_corners=True),
        (A(1, 1, 3, 3),),
        **_TOL,
    ),
    OpCase(
        "interpolate_trilinear",
        lambda t, x: F(t).interpolate(x, size=(3, 2, 4), mode="trilinear"),
        (A(1, 2, 2, 3, 3),),
        **_TOL,
    ),
    OpCase(
        "interpolate_nearest_3d",
        lambda t, x: F(t).interpolate(x, scale_factor=(2, 1, 1.5), mode="nearest"),
        (A(1, 1, 2, 3, 2),),
    ),
    OpCase(
        "interpolate_nearest_exact_3d",
        lambda t, x: F(t).interpolate(x, size=(3, 2, 5), mode="nearest-exact"),
        (A(1, 1, 2, 3, 2),),
    ),
]
