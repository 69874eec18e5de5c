"""Op table: the special functions (lgamma, digamma, polygamma, erfinv, Bessel, ndtr, ...)."""

from optable import A, OpCase, const, positive

# Values of the special functions and their derivatives come from different algorithms in
# the two libraries (series, Chebyshev expansions, Newton steps): within a few float32 ulps,
# and 1e-10 relative in float64 (the harness's float64 bound).
ULPS = {"parity_rtol": 4e-6}

CASES = [
    OpCase("lgamma", lambda t, a: t.lgamma(a), (positive(3, 4),), **ULPS),
    OpCase("lgamma_negative", lambda t, a: a.lgamma(), (A(5, low=-2.9, high=-2.1),), **ULPS),
    OpCase("lgamma_large", lambda t, a: t.special.gammaln(a), (A(4, low=9, high=30),), **ULPS),
    OpCase("digamma", lambda t, a: t.digamma(a), (A(2, 3, low=0.3, high=12),), **ULPS),
    OpCase("digamma_negative", lambda t, a: t.special.psi(a), (A(4, low=-1.8, high=-1.2),)),
    OpCase("polygamma_1", lambda t, a: t.polygamma(1, a), (A(4, low=0.3, high=8),), **ULPS),
    OpCase("polygamma_2", lambda t, a: a.polygamma(2), (A(4, low=0.5, high=8),), **ULPS),
    OpCase("polygamma_3_neg", lambda t, a: t.special.polygamma(3, a), (A(3, low=-0.8, high=-0.2),)),
    OpCase("mvlgamma", lambda t, a: t.mvlgamma(a, 3), (A(2, 3, low=1.5, high=4),), **ULPS),
    OpCase("multigammaln", lambda t, a: t.special.multigammaln(a, 1), (positive(4),), **ULPS),
    OpCase("erfinv", lambda t, a: t.erfinv(a), (A(5, low=-0.9, high=0.9),), **ULPS),
    OpCase("i0", lambda t, a: t.i0(a), (A(5, low=-9, high=9),), **ULPS),
    OpCase("i0e", lambda t, a: t.special.i0e(a), (A(6, low=-12, high=12),), **ULPS),
    OpCase("i1", lambda t, a: t.special.i1(a), (A(6, low=-10, high=10),), **ULPS),
    OpCase("i1e", lambda t, a: t.special.i1e(a), (A(6, low=-12, high=12),), **ULPS),
    OpCase("ndtr", lambda t, a: t.special.ndtr(a), (A(5, low=-3, high=3),), **ULPS),
    OpCase("ndtri", lambda t, a: t.special.ndtri(a), (A(5, low=0.05, high=0.95),), **ULPS),
    OpCase("log_ndtr", lambda t, a: t.special.log_ndtr(a), (A(6, low=-6, high=3),), **ULPS),
    OpCase("erfcx", lambda t, a: t.special.erfcx(a), (A(6, low=-1.5, high=6),), **ULPS),
    OpCase("entr", lambda t, a: t.special.entr(a), (positive(5),), **ULPS),
    OpCase("sinc", lambda t, a: t.sinc(a), (A(5, low=-3, high=3),), **ULPS),
    OpCase("logit", lambda t, a: t.logit(a), (A(5, low=0.05, high=0.95),), **ULPS),
    OpCase("logit_eps", lambda t, a: a.logit(eps=0.2), (A(6, low=0.0, high=1.0),), **ULPS),
    OpCase("xlogy", lambda t, a, b: t.xlogy(a, b), (A(3, 4), positive(4)), **ULPS),
    OpCase("xlogy_zeros", lambda t, a, b: t.xlogy(a.relu(), b), (A(6), positive(6)), **ULPS),
    OpCase("xlogy_scalar_self", lambda t, b: t.xlogy(2.0, b), (positive(4),), **ULPS),
    OpCase("xlogy_scalar_other", lambda t, a: a.xlogy(3.0), (A(4),), **ULPS),
    OpCase("xlog1py", lambda t, a, b: t.special.xlog1py(a, b), (A(4), positive(4)), **ULPS),
    OpCase("xlog1py_scalar_self", lambda t, b: t.special.xlog1py(2.0, b), (positive(3),)),
    OpCase("xlog1py_scalar_other", lambda t, a: t.special.xlog1py(a, 0.5), (A(3),), **ULPS),
    OpCase(
        "zeta",
        lambda t, x, q: t.special.zeta(x, q),
        (const(4, low=1.5, high=4), positive(4)),
        **ULPS,
    ),
    OpCase("zeta_scalar_self", lambda t, q: t.special.zeta(3.0, q), (positive(4),), **ULPS),
    # First derivatives taken with create_graph=True, so their backward ops run too.
    OpCase("lgamma_inplace", lambda t, a: (a * 1).lgamma_() * a, (positive(4),), **ULPS),
]
