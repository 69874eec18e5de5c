"""grid_sample, affine_grid and interpolate's bicubic/trilinear/3-D modes against PyTorch:
every mode and padding (values and both gradients, float32 and float64), the warnings and
errors word for word, and Upsample in 3-D. Gradchecks are in the op table
(tests/ops/table_nn_sampling.py)."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest

import chainrule
from parity import assert_ulp_at_scale

SAMPLING = [
    (nd, mode, pad, align)
    for nd, mode, pad, align in itertools.product(
        (2, 3), ("bilinear", "nearest", "bicubic"), ("zeros", "border", "reflection"), (0, 1)
    )
    if not (nd == 3 and mode == "bicubic")
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("nd,mode,pad,align", SAMPLING)
def test_grid_sample_matches_torch(nd, mode, pad, align, dtype, torch):
    rng = np.random.default_rng(0)
    shape = (2, 3, 4, 5) if nd == 2 else (2, 2, 3, 4, 5)
    x = rng.standard_normal(shape).astype(dtype)
    g = (rng.random((2, 3, 4, 2) if nd == 2 else (2, 2, 3, 4, 3)) * 2.6 - 1.3).astype(dtype)
    res = []
    for lib in (chainrule, torch):
        xt, gt = lib.tensor(x, requires_grad=True), lib.tensor(g, requires_grad=True)
        y = lib.nn.functional.grid_sample(
            xt, gt, mode=mode, padding_mode=pad, align_corners=bool(align)
        )
        v = lib.tensor(np.cos(np.arange(y.numel())).reshape(tuple(y.shape)).astype(dtype))
        gx, gg = lib.autograd.grad(y, (xt, gt), v)
        res.append((y.detach().numpy(), gx.numpy(), gg.numpy(), y.grad_fn.name()))
    # Kind 2: a few weighted taps summed in another order (and PyTorch's FMAs in float32).
    tol = {"rtol": 1e-5, "atol": 2e-5} if dtype == np.float32 else {"rtol": 1e-10, "atol": 1e-12}
    for a, b in zip(res[0][:3], res[1][:3]):
        np.testing.assert_allclose(a, b, **tol)
    assert res[0][3] == res[1][3]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "size,theta,align",
    [
        ((2, 3, 4, 5), (2, 2, 3), False),
        ((2, 1, 3, 4, 5), (2, 3, 4), True),
        ((1, 1, 1, 4), (1, 2, 3), True),
    ],
)
def test_affine_grid_matches_torch(size, theta, align, dtype, torch):
    th = np.random.default_rng(1).standard_normal(theta).astype(dtype)
    res = []
    for lib in (chainrule, torch):
        t = lib.tensor(th, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # unit-size grid with align_corners
            grid = lib.nn.functional.affine_grid(t, size, align_corners=align)
        v = lib.tensor(np.sin(np.arange(grid.numel())).reshape(tuple(grid.shape)).astype(dtype))
        (g,) = lib.autograd.grad(grid, t, v)
        res.append((grid.detach().numpy(), g.numpy(), grid.grad_fn.name(), v.numpy()))
    assert res[0][2] == res[1][2]
    if dtype == np.float64:
        np.testing.assert_allclose(res[0][0], res[1][0], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(res[0][1], res[1][1], rtol=1e-12, atol=1e-14)
        return
    # float32: the grid is a product over theta's last dim, its gradient a sum over every
    # grid point; PyTorch's BLAS adds them in an order that depends on the CPU (AVX2 and
    # AVX-512 kernels differ), so each is held to one ulp per term of the sum's scale
    # (the base grid's coordinates are at most 1 in size).
    n, d, k = th.shape
    points = int(np.prod(size[2:]))
    grid_scale = np.abs(th).sum(-1).reshape((n,) + (1,) * (len(size) - 2) + (d,))
    assert_ulp_at_scale(res[0][0], res[1][0], np.broadcast_to(grid_scale, res[0][0].shape), k)
    v = res[0][3].reshape(n, points, d)
    grad_scale = np.abs(v).sum(1)[:, :, None]
    assert_ulp_at_scale(res[0][1], res[1][1], np.broadcast_to(grad_scale, th.shape), points)


INTERPOLATE = [
    ((2, 2, 4, 5), {"size": (7, 3), "mode": "bicubic"}),
    ((2, 2, 4, 5), {"scale_factor": 2.5, "mode": "bicubic", "align_corners": True}),
    ((1, 1, 5, 5), {"scale_factor": 0.5, "mode": "bicubic"}),
    ((2, 2, 3, 4, 5), {"size": (4, 6, 3), "mode": "trilinear"}),
    ((2, 2, 3, 4, 5), {"scale_factor": (2, 1.5, 0.5), "mode": "trilinear", "align_corners": True}),
    ((2, 2, 3, 4, 5), {"size": (5, 2, 7), "mode": "nearest"}),
    ((2, 2, 3, 4, 5), {"scale_factor": 2, "mode": "nearest-exact"}),
    ((2, 2, 3, 4, 5), {"size": (2, 3, 2), "mode": "area"}),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape,kw", INTERPOLATE, ids=lambda v: str(v))
def test_interpolate_modes_match_torch(shape, kw, dtype, torch):
    x = np.random.default_rng(0).standard_normal(shape).astype(dtype)
    res = []
    for lib in (chainrule, torch):
        xt = lib.tensor(x, requires_grad=True)
        y = lib.nn.functional.interpolate(xt, **kw)
        v = lib.tensor(np.cos(np.arange(y.numel())).reshape(tuple(y.shape)).astype(dtype))
        (g,) = lib.autograd.grad(y, xt, v)
        res.append((y.detach().numpy(), g.numpy(), y.grad_fn.name()))
    # Kind 2: four-tap cubic sums in PyTorch's vectorised order.
    tol = {"rtol": 1e-5, "atol": 1e-5} if dtype == np.float32 else {"rtol": 1e-10, "atol": 1e-12}
    np.testing.assert_allclose(res[0][0], res[1][0], **tol)
    np.testing.assert_allclose(res[0][1], res[1][1], **tol)
    assert res[0][2] == res[1][2]


def test_upsample_3d_module(torch):
    for make in (
        lambda t: t.nn.Upsample(scale_factor=2, mode="trilinear"),
        lambda t: t.nn.Upsample(size=(3, 4), mode="bicubic", align_corners=True),
    ):
        assert repr(make(chainrule)) == repr(make(torch))
    out = chainrule.nn.Upsample(scale_factor=2, mode="trilinear")(chainrule.ones(1, 1, 2, 2, 2))
    assert out.shape == (1, 1, 4, 4, 4) and (out == 1).all()


@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.nn.functional.grid_sample(
            t.zeros(2, 3, 4, 5), t.zeros(2, 3, 6, 2), mode="foo", align_corners=False
        ),
        lambda t: t.nn.functional.grid_sample(
            t.zeros(2, 3, 4, 5), t.zeros(2, 3, 6, 2), padding_mode="foo", align_corners=False
        ),
        lambda t: t.nn.functional.grid_sample(
            t.zeros(2, 3, 4, 5), t.zeros(2, 3, 6, 3), align_corners=False
        ),
        lambda t: t.nn.functional.grid_sample(
            t.zeros(2, 3, 4, 5), t.zeros(3, 3, 6, 2), align_corners=False
        ),
        lambda t: t.nn.functional.grid_sample(
            t.zeros(2, 3, 4, 5, 6), t.zeros(2, 3, 6, 2, 3), mode="bicubic", align_corners=False
        ),
        lambda t: t.nn.functional.grid_sample(
            t.zeros(2, 3, 4, 5), t.zeros(2, 3, 6, 2, dtype=t.float64), align_corners=False
        ),
        lambda t: t.nn.functional.affine_grid(t.zeros(2, 2, 3), (2, 3, 4), align_corners=False),
        lambda t: t.nn.functional.affine_grid(t.zeros(2, 3, 3), (2, 3, 4, 5), align_corners=False),
        lambda t: t.nn.functional.affine_grid(
            t.zeros(2, 3, 4), (2, 3, 4, 5, 6, 7), align_corners=False
        ),
        lambda t: t.nn.functional.affine_grid(
            t.zeros(2, 2, 3, dtype=t.int64), (2, 3, 4, 5), align_corners=False
        ),
        lambda t: t.nn.functional.affine_grid(t.zeros(2, 2, 3), (2, 3, 0, 5), align_corners=False),
        lambda t: t.nn.functional.interpolate(t.zeros(1, 2, 3, 4, 5), size=2, mode="bicubic"),
        lambda t: t.nn.functional.interpolate(t.zeros(1, 2, 3), size=2, mode="trilinear"),
    ],
)
def test_errors_match_torch(call, torch):
    with pytest.raises(Exception) as theirs:
        call(torch)
    with pytest.raises(type(theirs.value)) as ours:
        call(chainrule)
    assert str(ours.value) == str(theirs.value)


def test_align_corners_warnings_match_torch(torch):
    messages = []
    for lib in (chainrule, torch):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            grid = lib.nn.functional.affine_grid(lib.zeros(1, 2, 3), (1, 1, 2, 2))
            lib.nn.functional.grid_sample(lib.zeros(1, 1, 2, 2), grid)
            lib.nn.functional.affine_grid(lib.zeros(1, 2, 3), (1, 1, 1, 2), align_corners=True)
        messages.append([str(w.message) for w in caught])
    assert messages[0] == messages[1] and len(messages[0]) == 3
