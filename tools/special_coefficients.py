"""Derive the expansion coefficients chainrule's special functions evaluate
(src/chainrule/ops/_special_tables.py) from their definitions, with mpmath.

    python tools/special_coefficients.py > src/chainrule/ops/_special_tables.py

Each table holds the Chebyshev coefficients of a smooth function on an interval, highest
order first, for evaluation by Clenshaw's recurrence with the argument doubled (the
Chebyshev series c0/2 + sum c_k T_k(t), t in [-1, 1], evaluated at y = 2t). They are
unique mathematical facts of the function and interval; the count kept is where the
terms fall below a double's resolution. mpmath is needed only here, never at run time.
"""

from __future__ import annotations

import mpmath as mp

mp.mp.dps = 50


def chebyshev(f, n_nodes=96):
    """Chebyshev coefficients c_k of f(t) on [-1, 1] (f(t) = c0/2 + sum c_k T_k(t))."""
    nodes = [mp.cos(mp.pi * (j + mp.mpf(1) / 2) / n_nodes) for j in range(n_nodes)]
    values = [f(t) for t in nodes]
    coeffs = []
    for k in range(n_nodes):
        s = mp.fsum(
            v * mp.cos(mp.pi * k * (j + mp.mpf(1) / 2) / n_nodes) for j, v in enumerate(values)
        )
        coeffs.append(2 * s / n_nodes)
    return coeffs


_RESOLUTION = mp.mpf(2) ** -60


def truncated(coeffs, scale):
    """The coefficients up to the last one that still matters at a result of size `scale`."""
    last = max(k for k, c in enumerate(coeffs) if abs(c) > _RESOLUTION * scale)
    return coeffs[: last + 1]


def table(name, coeffs, doc):
    print(f"# {doc}")
    print(f"{name} = (")
    for c in reversed(coeffs):
        print(f"    {mp.nstr(c, 21, min_fixed=0, max_fixed=0)},")
    print(")")
    print()


def main():
    print('"""Chebyshev coefficients of the special functions, highest order first (generated')
    print("by tools/special_coefficients.py from the functions' definitions; do not edit).")
    print('"""')
    print()
    # exp(-x) I0(x) and exp(-x) I1(x) / x on [0, 8], in t = x/4 - 1.
    i0e_small = chebyshev(lambda t: mp.exp(-(4 * t + 4)) * mp.besseli(0, 4 * t + 4))
    table("I0E_SMALL", truncated(i0e_small, 0.2), "exp(-x) I0(x) on [0, 8], t = x/4 - 1")

    def i1e_over_x(t):
        x = 4 * t + 4
        return mp.exp(-x) * mp.besseli(1, x) / x if x != 0 else mp.mpf(1) / 2

    i1e_small = chebyshev(i1e_over_x)
    table("I1E_SMALL", truncated(i1e_small, 0.02), "exp(-x) I1(x) / x on [0, 8], t = x/4 - 1")

    # sqrt(x) exp(-x) I0(x) and sqrt(x) exp(-x) I1(x) on [8, inf), in t = 16/x - 1.
    def large(order):
        def f(t):
            if t == -1:
                return 1 / mp.sqrt(2 * mp.pi)
            x = 16 / (t + 1)
            return mp.sqrt(x) * mp.exp(-x) * mp.besseli(order, x)

        return f

    table("I0E_LARGE", truncated(chebyshev(large(0)), 0.4), "sqrt(x) exp(-x) I0(x), t = 16/x - 1")
    table("I1E_LARGE", truncated(chebyshev(large(1)), 0.4), "sqrt(x) exp(-x) I1(x), t = 16/x - 1")

    # erfcx(x) = exp(x**2) erfc(x): on [0, 8] in pieces of width 1/2 in x (t = 4x - 2k - 1,
    # exact), on [8, 50] in pieces of y = 4 / (4 + x), in which it is nearly linear.
    def erfcx(x):
        return mp.exp(x * x) * mp.erfc(x)

    print("# erfcx(x) for x in [k/2, (k+1)/2], k = 0 .. 15: t = 4x - 2k - 1")
    print("ERFCX_LINEAR = (")
    for k in range(16):
        coeffs = chebyshev(lambda t, k=k: erfcx((t + 2 * k + 1) / 4), 48)
        print("    (")
        for c in reversed(truncated(coeffs, erfcx(mp.mpf(k + 1) / 2))):
            print(f"        {mp.nstr(c, 21, min_fixed=0, max_fixed=0)},")
        print("    ),")
    print(")")
    print()
    edges = [mp.mpf(4) / 54] + [mp.mpf(k) / 24 for k in range(2, 9)]
    print("# erfcx(x) for x in [8, 50], y = 4/(4 + x) in [lo, hi] (ERFCX_EDGES):")
    print("# t = (2y - lo - hi) / (hi - lo)")
    print("ERFCX_EDGES = (")
    for e in edges:
        print(f"    {mp.nstr(e, 21, min_fixed=0, max_fixed=0)},")
    print(")")
    print("ERFCX_PIECES = (")
    for lo, hi in zip(edges[:-1], edges[1:]):

        def f(t, lo=lo, hi=hi):
            y = (t * (hi - lo) + lo + hi) / 2
            return erfcx(4 / y - 4)

        coeffs = truncated(chebyshev(f, 48), f(mp.mpf(-1)))
        print("    (")
        for c in reversed(coeffs):
            print(f"        {mp.nstr(c, 21, min_fixed=0, max_fixed=0)},")
        print("    ),")
    print(")")
    print()

    # erf(x) / x as a series in x**2 (|x| < 1): 2/sqrt(pi) (-1)^n / (n! (2n+1)).
    terms = [2 / mp.sqrt(mp.pi) * (-1) ** n / (mp.factorial(n) * (2 * n + 1)) for n in range(22)]
    print("# erf(x) / x = sum a_n x**(2n) for |x| < 1, highest order first")
    print("ERF_SERIES = (")
    for c in reversed(terms):
        print(f"    {mp.nstr(c, 21, min_fixed=0, max_fixed=0)},")
    print(")")
    print()

    # lgamma(2 + z) = (1 - euler) z + sum_{k>=2} (-1)^k (zeta(k) - 1) / k z**k, |z| <= 0.5.
    lg = [1 - mp.euler] + [(-1) ** k * (mp.zeta(k) - 1) / k for k in range(2, 30)]
    print("# lgamma(2 + z) / z = sum b_k z**k for |z| <= 0.5, highest order first")
    print("LGAMMA_NEAR_2 = (")
    for c in reversed(lg):
        print(f"    {mp.nstr(c, 21, min_fixed=0, max_fixed=0)},")
    print(")")


if __name__ == "__main__":
    main()
