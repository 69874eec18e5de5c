"""Op table: running ops and finite differences (cummax, cummin, logcumsumexp, diff,
gradient, trapezoid, cumulative_trapezoid)."""

from optable import A, OpCase, const


def D(*shape, **kw):
    return A(*shape, distinct=True, **kw)


# Sums and log-sum-exps rounded in another order or with other exp/log kernels.
ULPS = {"parity_rtol": 4e-6, "parity_atol": 2e-5}

CASES = [
    OpCase("cummax", lambda t, a: t.cummax(a, 1), (D(3, 5),)),
    OpCase("cummin", lambda t, a: a.cummin(0).values, (D(5, 3),)),
    OpCase("cummax_scalar", lambda t, a: a.cummax(0), (A(),)),
    OpCase("logcumsumexp", lambda t, a: t.logcumsumexp(a, 1), (A(3, 5, low=-5, high=5),), **ULPS),
    OpCase("logcumsumexp_dim0", lambda t, a: a.logcumsumexp(0), (A(4, 2),), **ULPS),
    OpCase("diff", lambda t, a: t.diff(a), (A(3, 5),)),
    OpCase("diff_n2_dim0", lambda t, a: a.diff(2, 0), (A(5, 3),)),
    OpCase(
        "diff_prepend_append",
        lambda t, a, p, q: t.diff(a, dim=0, prepend=p, append=q),
        (A(3, 2), A(1, 2), A(2, 2)),
    ),
    OpCase("gradient", lambda t, a: t.gradient(a), (A(4, 5),), **ULPS),
    OpCase(
        "gradient_spacing_edge2",
        lambda t, a: t.gradient(a, spacing=2.0, dim=1, edge_order=2),
        (A(3, 5),),
        **ULPS,
    ),
    OpCase(
        "gradient_coordinates",
        lambda t, a, x: t.gradient(a, spacing=(x.cumsum(0),), dim=0),
        (A(5, 2), const(5, low=0.5, high=1.5)),
        **ULPS,
    ),
    OpCase("trapezoid", lambda t, a: t.trapezoid(a), (A(3, 5),), **ULPS),
    OpCase("trapezoid_dx", lambda t, a: t.trapezoid(a, dx=0.5, dim=0), (A(4, 3),), **ULPS),
    OpCase(
        "trapezoid_x",
        lambda t, a, x: t.trapezoid(a, x.cumsum(0)),
        (A(2, 5), A(5, low=0.1, high=1)),
        **ULPS,
    ),
    OpCase("trapz", lambda t, a: t.trapz(a), (A(6),), **ULPS),
    OpCase(
        "cumulative_trapezoid",
        lambda t, a: t.cumulative_trapezoid(a, dx=2.0),
        (A(3, 5),),
        **ULPS,
    ),
    OpCase(
        "cumulative_trapezoid_x",
        lambda t, a, x: t.cumulative_trapezoid(a, x.cumsum(0), dim=0),
        (A(5, 2), A(5, 1, low=0.1, high=1)),
        **ULPS,
    ),
]
