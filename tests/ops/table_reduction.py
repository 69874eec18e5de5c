"""Op table: reductions (sum, mean, prod, max/min, var/std, norm, softmax, cumsum, ...)."""

import math

from optable import A, OpCase, const, positive


def D(*shape, **kw):
    """Distinct values: no ties, so max/min/median pick one element and gradcheck is smooth."""
    return A(*shape, distinct=True, **kw)


def _ties(t, a):
    # Values repeat in every row (rounded to 0.5 steps), so the tie rules are exercised.
    return (a * 2).round() / 2


CASES = [
    # sum / mean
    OpCase("sum_all", lambda t, a: a.sum(), (A(3, 4),)),
    OpCase("sum_dim", lambda t, a: t.sum(a, 1), (A(3, 4),)),
    OpCase("sum_dim_neg_keepdim", lambda t, a: a.sum(-1, keepdim=True), (A(2, 3, 4),)),
    OpCase("sum_dims_tuple", lambda t, a: a.sum((0, 2)), (A(2, 3, 4),)),
    OpCase("sum_empty_dims", lambda t, a: a.sum(()), (A(2, 3),)),
    OpCase("sum_dtype", lambda t, a: a.sum(0, dtype=t.float64), (A(2, 3),)),
    OpCase("mean_all", lambda t, a: a.mean(), (A(3, 4),)),
    OpCase("mean_dim", lambda t, a: t.mean(a, 0), (A(3, 4),)),
    OpCase("mean_dims_keepdim", lambda t, a: a.mean((-1, 0), keepdim=True), (A(2, 3, 4),)),
    # prod
    OpCase("prod_all", lambda t, a: a.prod(), (A(2, 3, low=0.5, high=1.5),)),
    OpCase("prod_dim", lambda t, a: t.prod(a, 1), (A(3, 4),)),
    OpCase("prod_dim_neg_keepdim", lambda t, a: a.prod(-1, keepdim=True), (A(2, 3, 4),)),
    OpCase("prod_scalar", lambda t, a: a.prod(), (A(),)),
    # max / min / median
    OpCase("max_all", lambda t, a: a.max(), (D(3, 4),)),
    OpCase("min_all", lambda t, a: t.min(a), (D(3, 4),)),
    OpCase("max_dim", lambda t, a: t.max(a, 1), (D(3, 4),)),
    OpCase("max_dim_keepdim", lambda t, a: a.max(dim=0, keepdim=True), (D(3, 4),)),
    OpCase("max_dim_values", lambda t, a: a.max(-1).values * 2, (D(2, 3, 4),)),
    OpCase("min_dim", lambda t, a: a.min(-2), (D(2, 3, 4),)),
    OpCase("min_dim_indices", lambda t, a: a.min(1)[1], (D(3, 4),), gradcheck=False),
    OpCase("max_scalar_dim", lambda t, a: a.max(0), (A(),)),
    OpCase("max_binary", lambda t, a, b: t.max(a, b), (D(3, 4), A(4))),
    OpCase("min_binary_method", lambda t, a, b: a.min(b), (D(3, 4), A(3, 4))),
    OpCase("max_all_ties", lambda t, a: _ties(t, a).max(), (A(3, 4),), gradcheck=False),
    OpCase("min_all_ties", lambda t, a: _ties(t, a).min(), (A(3, 4),), gradcheck=False),
    OpCase("median_all", lambda t, a: a.median(), (D(3, 4),)),
    OpCase("median_all_odd", lambda t, a: t.median(a), (D(5),)),
    OpCase("median_dim", lambda t, a: a.median(1), (D(3, 4),)),
    OpCase("median_dim_keepdim", lambda t, a: t.median(a, 0, keepdim=True), (D(5, 2),)),
    OpCase("amax", lambda t, a: a.amax(1), (D(3, 4),)),
    OpCase("amax_all", lambda t, a: t.amax(a), (D(3, 4),)),
    OpCase("amax_dims_keepdim", lambda t, a: a.amax((0, -1), keepdim=True), (D(2, 3, 4),)),
    OpCase("amin", lambda t, a: t.amin(a, -1), (D(3, 4),)),
    OpCase("amax_ties", lambda t, a: _ties(t, a).amax(1), (A(3, 6),), gradcheck=False),
    OpCase("amin_ties", lambda t, a: _ties(t, a).amin(0), (A(6, 3),), gradcheck=False),
    OpCase("argmax_all", lambda t, a: a.argmax(), (D(3, 4),), gradcheck=False),
    OpCase("argmax_dim", lambda t, a: t.argmax(a, 1), (D(3, 4),), gradcheck=False),
    OpCase("argmax_keepdim", lambda t, a: a.argmax(keepdim=True), (D(3, 4),), gradcheck=False),
    OpCase("argmin_dim_keepdim", lambda t, a: a.argmin(-1, True), (D(3, 4),), gradcheck=False),
    # var / std
    OpCase("var_all", lambda t, a: a.var(), (A(3, 4),)),
    OpCase("var_dim", lambda t, a: t.var(a, 1), (A(3, 4),)),
    OpCase("var_biased", lambda t, a: a.var(0, unbiased=False), (A(3, 4),)),
    OpCase(
        "var_correction", lambda t, a: t.var(a, (0, 2), correction=0, keepdim=True), (A(2, 3, 4),)
    ),
    OpCase("var_unbiased_positional", lambda t, a: a.var(False), (A(5),)),
    OpCase("std_all", lambda t, a: a.std(), (A(3, 4),)),
    OpCase("std_dim_keepdim", lambda t, a: t.std(a, -1, keepdim=True), (A(3, 4),)),
    OpCase("std_correction", lambda t, a: a.std(0, correction=2), (A(5, 3),)),
    # norms
    OpCase("norm_default", lambda t, a: a.norm(), (A(3, 4),)),
    OpCase("norm_p1", lambda t, a: t.norm(a, p=1), (A(3, 4),)),
    OpCase("norm_inf", lambda t, a: a.norm(math.inf), (D(3, 4),)),
    OpCase("norm_neg_inf", lambda t, a: a.norm(-math.inf, dim=1), (D(3, 4),)),
    OpCase("norm_p3_dim", lambda t, a: a.norm(3, dim=1), (A(3, 4),)),
    OpCase("norm_p1_5", lambda t, a: a.norm(1.5, dim=0, keepdim=True), (A(3, 4),)),
    OpCase("norm_p0_5", lambda t, a: a.norm(0.5), (positive(5),)),
    OpCase("norm_p0", lambda t, a: a.norm(0) + a.sum(), (A(5),)),
    OpCase("norm_fro_dims", lambda t, a: t.norm(a, "fro", dim=(1, 2)), (A(2, 3, 4),)),
    OpCase("norm_dim_keepdim", lambda t, a: a.norm(dim=-1, keepdim=True), (A(3, 4),)),
    OpCase("norm_zero_vector", lambda t, a: (a * 0).norm(), (A(4),), double=False),
    # logsumexp / softmax / log_softmax
    OpCase("logsumexp", lambda t, a: t.logsumexp(a, 1), (A(3, 4),)),
    OpCase("logsumexp_keepdim", lambda t, a: a.logsumexp(-1, keepdim=True), (A(3, 4),)),
    OpCase("logsumexp_dims", lambda t, a: a.logsumexp((0, 2)), (A(2, 3, 4),)),
    OpCase("logsumexp_large", lambda t, a: a.logsumexp(0), (A(4, low=500, high=600),)),
    OpCase("softmax", lambda t, a: t.softmax(a, 1), (A(3, 4),)),
    OpCase("softmax_dim0", lambda t, a: a.softmax(0), (A(3, 4),)),
    OpCase("softmax_3d_neg", lambda t, a: a.softmax(-2), (A(2, 3, 4),)),
    OpCase(
        "softmax_large", lambda t, a: a.softmax(-1), (A(2, 5, low=-800, high=800),), gradcheck=False
    ),
    OpCase("log_softmax", lambda t, a: t.log_softmax(a, 1), (A(3, 4),)),
    OpCase("log_softmax_3d", lambda t, a: a.log_softmax(0), (A(2, 3, 4),)),
    OpCase(
        "log_softmax_large",
        lambda t, a: a.log_softmax(1),
        (A(2, 5, low=-800, high=800),),
        gradcheck=False,
    ),
    # cumulative
    OpCase("cumsum", lambda t, a: t.cumsum(a, 1), (A(3, 4),)),
    OpCase("cumsum_neg_3d", lambda t, a: a.cumsum(-3), (A(2, 3, 4),)),
    OpCase("cumsum_scalar", lambda t, a: a.cumsum(0), (A(),)),
    OpCase("cumprod", lambda t, a: t.cumprod(a, 1), (A(3, 4),)),
    OpCase("cumprod_dim0", lambda t, a: a.cumprod(0), (A(4, 2),)),
    # logical reductions and counts
    OpCase("all", lambda t, a: (a > -1.5).all(), (const(3, 4),), gradcheck=False),
    OpCase("all_dim", lambda t, a: t.all(a > 0, 1), (const(3, 4),), gradcheck=False),
    OpCase(
        "any_dim_keepdim",
        lambda t, a: (a > 1).any(0, keepdim=True),
        (const(3, 4),),
        gradcheck=False,
    ),
    OpCase("any_float", lambda t, a: a.any(), (const(3),), gradcheck=False),
    OpCase("count_nonzero", lambda t, a: t.count_nonzero(a > 0), (const(3, 4),), gradcheck=False),
    OpCase(
        "count_nonzero_dims",
        lambda t, a: t.count_nonzero(a > 0, (0, 1)),
        (const(2, 3, 4),),
        gradcheck=False,
    ),
]
