"""Op table: statistics over a dim (kthvalue, mode, nanmedian, nansum, nanmean, quantiles,
var_mean, std_mean, aminmax, trace, renorm)."""

from optable import A, OpCase, const


def D(*shape, **kw):
    """Distinct values: no ties, so the selected element is unique and gradcheck smooth."""
    return A(*shape, distinct=True, **kw)


def _with_nans(t, a):
    # NaN where a > 1 (about a quarter of the values): its gradient there is 0.
    return t.where(a > 1, float("nan"), a)


# Sums in another order than PyTorch's vectorised reduction: a few ulps in float32.
SUMS = {"parity_rtol": 4e-6, "parity_atol": 2e-5}

CASES = [
    OpCase("kthvalue", lambda t, a: t.kthvalue(a, 2), (D(3, 5),)),
    OpCase("kthvalue_dim0_keepdim", lambda t, a: a.kthvalue(3, 0, keepdim=True), (D(4, 3),)),
    OpCase("kthvalue_scalar", lambda t, a: a.kthvalue(1), (A(),)),
    OpCase("mode", lambda t, a: t.mode(a), (D(3, 4),)),
    OpCase("mode_dim0", lambda t, a: a.mode(0, keepdim=True).values, (D(4, 3),)),
    OpCase("nanmedian_all", lambda t, a: _with_nans(t, a).nanmedian(), (D(3, 4),)),
    OpCase("nanmedian_dim", lambda t, a: t.nanmedian(_with_nans(t, a), 1), (D(3, 6),)),
    OpCase("nansum", lambda t, a: t.nansum(_with_nans(t, a)), (A(3, 4),), **SUMS),
    OpCase("nansum_dim", lambda t, a: _with_nans(t, a).nansum(1, keepdim=True), (A(3, 4),)),
    OpCase("nanmean", lambda t, a: t.nanmean(_with_nans(t, a), 0), (A(4, 3),), **SUMS),
    OpCase("quantile", lambda t, a: t.quantile(a, 0.3), (D(7),)),
    OpCase(
        "quantile_tensor_q",
        lambda t, a, q: a.quantile(q, dim=1, keepdim=True),
        (D(3, 5), A(2, low=0, high=1)),
    ),
    OpCase(
        "quantile_midpoint",
        lambda t, a, q: t.quantile(a, q, 0, interpolation="midpoint"),
        (D(5, 2), const(3, low=0, high=1)),
    ),
    OpCase("nanquantile", lambda t, a: t.nanquantile(_with_nans(t, a), 0.6, 1), (D(3, 6),)),
    OpCase("var_mean", lambda t, a: t.var_mean(a, 1), (A(3, 4),), **SUMS),
    OpCase("std_mean", lambda t, a: t.std_mean(a, correction=0), (A(3, 4),), **SUMS),
    OpCase("aminmax", lambda t, a: t.aminmax(a), (D(3, 4),)),
    OpCase("aminmax_dim", lambda t, a: a.aminmax(dim=0, keepdim=True), (D(3, 4),)),
    OpCase("trace", lambda t, a: t.trace(a), (A(3, 4),)),
    OpCase("renorm", lambda t, a: a.renorm(2, 0, 1.0), (A(3, 4),), **SUMS),
    OpCase("renorm_p1_dim1", lambda t, a: t.renorm(a, 1, 1, 2.0), (A(3, 4),), **SUMS),
]
