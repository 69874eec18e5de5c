"""Statistics, scans and counting against PyTorch: selected values and indices (also
among ties and NaNs), quantiles in every interpolation, histograms and searches,
running maxima, and PyTorch's errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

import chainrule
from parity import assert_exact, assert_ulp, assert_ulp_at_scale, vectorized_kernels


def _both(torch, fn, *arrays):
    return fn(chainrule, *(chainrule.tensor(a) for a in arrays)), fn(
        torch, *(torch.tensor(a) for a in arrays)
    )


def _tied(seed, shape, nan=False):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 4, shape).astype(np.float64)
    if nan:
        x[rng.random(shape) < 0.25] = math.nan
    return x


@pytest.mark.parametrize("seed", range(6))
def test_selection_indices_among_ties(seed, torch):
    """Which of equal elements is reported: PyTorch's selection algorithms replayed."""
    x = _tied(seed, (7, 9), nan=seed % 2 == 1)
    fns = [
        lambda t, a: t.kthvalue(a, 4, 1),
        lambda t, a: a.kthvalue(2, 0, keepdim=True),
        lambda t, a: t.nanmedian(a, 1),
        lambda t, a: a.nanmedian(0),
        lambda t, a: t.cummax(a, 1),
        lambda t, a: t.cummin(a, 0),
    ]
    if seed % 2 == 0:
        # With NaNs, PyTorch's mode sorts values that do not order (its answer depends on
        # its sort's internals), so mode is compared on data without them.
        fns += [
            lambda t, a: t.mode(a, 1),
            lambda t, a: a.mode(0, keepdim=True),
            lambda t, a: t.mode(a.long(), 1),
        ]
    for fn in fns:
        ours, theirs = _both(torch, fn, x)
        assert_exact(ours[0], theirs[0])
        assert_exact(ours[1], theirs[1])
    ours, theirs = _both(torch, lambda t, a: t.nanmedian(a), x)
    assert_exact(ours, theirs)


def test_all_nan_slices(torch):
    x = np.full((2, 4), math.nan)
    x[1, 2] = 1.0
    for fn in (
        lambda t, a: t.nanmedian(a, 1),
        lambda t, a: t.kthvalue(a, 3, 1),
        lambda t, a: t.cummax(a, 1),
    ):
        ours, theirs = _both(torch, fn, x)
        assert_exact(ours[0], theirs[0])
        assert_exact(ours[1], theirs[1])
    ours, theirs = _both(torch, lambda t, a: t.nanmedian(a[0]), x)
    assert_exact(ours, theirs)


@pytest.mark.parametrize("interpolation", ["linear", "lower", "higher", "midpoint", "nearest"])
def test_quantile_interpolations(interpolation, torch):
    x = np.random.default_rng(0).standard_normal((4, 7))
    x[2, 3] = math.nan
    q = np.array([0.0, 0.1, 0.5, 0.7301, 1.0])
    for fn in (
        lambda t, a, b: t.quantile(a, b, dim=1, interpolation=interpolation),
        lambda t, a, b: t.nanquantile(a, b, dim=1, keepdim=True, interpolation=interpolation),
        lambda t, a, b: t.quantile(a[0], 0.25, interpolation=interpolation),
        lambda t, a, b: t.nanquantile(a, b, interpolation=interpolation),
    ):
        ours, theirs = _both(torch, fn, x, q)
        # lerp on the sorted values: PyTorch's fused multiply-add may round once less.
        assert_ulp(ours, theirs, 1)


def test_quantile_errors(torch):
    x = torch.tensor([1.0, 2.0])
    y = chainrule.tensor([1.0, 2.0])
    for fn in (
        lambda t, a: t.quantile(a, 1.5),
        lambda t, a: t.quantile(a, t.tensor([[0.5]])),
        lambda t, a: t.quantile(a[:0], 0.5),
        lambda t, a: t.quantile(a.long(), 0.5),
        lambda t, a: t.quantile(a, 0.5, interpolation="foo"),
        lambda t, a: t.quantile(a, t.tensor([0.5, 2.0])),
        lambda t, a: t.quantile(a, t.tensor([0.5], dtype=t.float64)),
        lambda t, a: t.kthvalue(a, 3),
        lambda t, a: t.mode(a[:0]),
        lambda t, a: t.nanmean(a.long()),
        lambda t, a: t.trace(a),
        lambda t, a: t.aminmax(a[:0]),
        lambda t, a: t.diff(a, n=-1),
        lambda t, a: t.diff(a[0]),
        lambda t, a: t.logcumsumexp(a.long(), 0),
        lambda t, a: t.histc(a.long()),
        lambda t, a: t.histc(a, 4, 3, 1),
        lambda t, a: t.histc(a.clone().fill_(float("inf")).index_fill(0, t.tensor([0]), 1.0)),
        lambda t, a: t.histogram(a / 0, 3),
        lambda t, a: t.searchsorted(a, a, right=True, side="left"),
        lambda t, a: t.bucketize(a, a.reshape(1, 2)),
        lambda t, a: t.gradient(a, edge_order=2),
    ):
        with pytest.raises(Exception) as theirs:
            fn(torch, x)
        with pytest.raises(type(theirs.value)) as ours:
            fn(chainrule, y)
        assert str(ours.value) == str(theirs.value)


def test_histograms_of_nan_data_raise(torch):
    # The message prints the NaN PyTorch's min/max kernel returns, sign bit and all.
    for fn in (
        lambda t: t.histc(t.tensor([1.0, float("nan")])),
        lambda t: t.histogram(t.tensor([float("nan")]), 2),
    ):
        for lib in (torch, chainrule):
            with pytest.raises(RuntimeError, match="is not finite"):
                fn(lib)


def test_nan_reductions(torch):
    x = np.random.default_rng(2).standard_normal((3, 5)).astype(np.float32)
    x[0, 1] = x[2, 4] = math.nan
    for fn in (
        lambda t, a: t.nansum(a),
        lambda t, a: a.nansum(1, keepdim=True),
        lambda t, a: t.nanmean(a, 0),
        lambda t, a: t.nanmean(a, (0, 1), keepdim=True),
        lambda t, a: t.nansum(a, dtype=t.float64),
    ):
        ours, theirs = _both(torch, fn, x)
        # PyTorch sums in its vectorised order: a few ulps of the terms' size (sums that
        # cancel to near zero are far apart in ulps of the result).
        assert_ulp_at_scale(ours, theirs, 8.0, 4)
    ours, theirs = _both(torch, lambda t, a: t.nansum(a), np.array([True, True]))
    assert_exact(ours, theirs)


def test_var_mean_std_mean_aminmax_trace(torch):
    x = np.random.default_rng(3).standard_normal((3, 4))
    for fn in (
        lambda t, a: t.var_mean(a),
        lambda t, a: t.var_mean(a, 1, keepdim=True),
        lambda t, a: t.std_mean(a, dim=0, correction=0),
        lambda t, a: t.var_mean(a, False),
        lambda t, a: t.aminmax(a),
        lambda t, a: t.aminmax(a, dim=1),
        lambda t, a: a.aminmax(dim=0, keepdim=True),
    ):
        ours, theirs = _both(torch, fn, x)
        for o, th in zip(ours, theirs):
            # var: Welford's algorithm in PyTorch, two passes here.
            assert_ulp(o, th, 8)
    for fn in (
        lambda t, a: t.trace(a),
        lambda t, a: t.trace(a.long()),
        lambda t, a: t.count_nonzero(a > 0, dim=(0, 1)),
        lambda t, a: (a > 0).count_nonzero([-1]),
        lambda t, a: t.count_nonzero(a.round(), 0),
    ):
        ours, theirs = _both(torch, fn, x)
        assert_exact(ours, theirs)


def test_logcumsumexp_with_infinities(torch):
    x = np.array([[-math.inf, -math.inf, 1.0, math.inf, 2.0], [3.0, -1.0, math.nan, 0.0, 1e3]])
    for dtype in (np.float32, np.float64):
        ours, theirs = _both(torch, lambda t, a: t.logcumsumexp(a, 1), x.astype(dtype))
        assert_ulp(ours, theirs, 1)


def test_histograms_and_searches(torch):
    rng = np.random.default_rng(4)
    x = rng.uniform(-3, 3, 200).astype(np.float32)
    x[:3] = [math.nan, math.inf, -3.0]  # outside a given range they are not counted
    edges = np.sort(rng.uniform(-3, 3, 6)).astype(np.float32)
    fns = [
        lambda t, a, e: t.histc(a[2:], 10),
        lambda t, a, e: t.histc(a, 7, -1, 2),
        lambda t, a, e: t.histc(a[:0], 3),
        lambda t, a, e: t.histc(a[3:4].expand(2), 4),
        lambda t, a, e: t.histogram(a[3:], 6),
        lambda t, a, e: t.histogram(a[3:], e),
        lambda t, a, e: t.histogram(a, 5, range=(-1.0, 2.0), density=True),
        lambda t, a, e: t.histogram(a[3:], e, weight=a[3:].abs()),
        lambda t, a, e: t.histogram(a[3:4].expand(3), 2),
        lambda t, a, e: t.bucketize(a, e),
        lambda t, a, e: t.bucketize(a, e, right=True, out_int32=True),
        lambda t, a, e: t.searchsorted(e, a),
        lambda t, a, e: t.searchsorted(e, a, side="right"),
        lambda t, a, e: t.searchsorted(e.reshape(2, 3), a[:8].reshape(2, 4)),
        lambda t, a, e: t.searchsorted(e, 0.5),
        lambda t, a, e: t.searchsorted(e.flip(0), a, sorter=t.tensor([5, 4, 3, 2, 1, 0])),
    ]
    # histogram's edges are PyTorch's linspace, which its generic (non-vectorised) kernels
    # round differently by an ulp of the range's ends; chainrule follows the vectorised ones.
    edge_ulps = 0 if vectorized_kernels(torch) else 1
    for fn in fns:
        ours, theirs = _both(torch, fn, x, edges)
        if isinstance(theirs, tuple):
            assert_exact(ours[0], theirs[0])
            ends = np.abs(theirs[1].numpy()[[0, -1]]).max()
            assert_ulp_at_scale(ours[1], theirs[1], ends, edge_ulps)
        else:
            assert_exact(ours, theirs)


def test_unique_consecutive(torch):
    x = np.array([[1, 1, 2], [1, 1, 2], [3, 1, 2], [3, 1, 2], [1, 1, 1]])
    for kw in (
        {},
        {"return_inverse": True},
        {"return_counts": True, "dim": 0},
        {"return_inverse": True, "return_counts": True, "dim": 1},
    ):
        ours, theirs = _both(torch, lambda t, a, kw=kw: t.unique_consecutive(a, **kw), x)
        for o, th in zip(
            ours if isinstance(ours, tuple) else (ours,),
            theirs if isinstance(theirs, tuple) else (theirs,),
        ):
            assert_exact(o, th)


def test_finite_differences(torch):
    x = np.random.default_rng(5).standard_normal((4, 6))
    coords = np.cumsum(np.random.default_rng(6).uniform(0.5, 1.5, 4))
    for fn in (
        lambda t, a, c: t.diff(a, 3, 1),
        lambda t, a, c: t.diff(a > 0, dim=0),
        lambda t, a, c: t.diff(a, 9),
        lambda t, a, c: t.gradient(a, spacing=0.5, edge_order=2),
        lambda t, a, c: t.gradient(a, spacing=(c,), dim=0),
        lambda t, a, c: t.gradient(a, spacing=(c,), dim=0, edge_order=2),
        lambda t, a, c: t.gradient(a.long()),
        lambda t, a, c: t.trapezoid(a),
        lambda t, a, c: t.trapezoid(a, c, dim=0),
        lambda t, a, c: t.trapz(a.long(), dx=0.5),
        lambda t, a, c: t.cumulative_trapezoid(a, dim=0),
        lambda t, a, c: t.cumulative_trapezoid(a.long()),
        lambda t, a, c: t.trapezoid(a[:, :0]),
    ):
        ours, theirs = _both(torch, fn, x, coords)
        for o, th in zip(
            ours if isinstance(ours, tuple) else (ours,),
            theirs if isinstance(theirs, tuple) else (theirs,),
        ):
            assert_ulp(o, th, 4)
