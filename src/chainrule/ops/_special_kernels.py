"""NumPy kernels of the special functions (lgamma, digamma, polygamma, zeta, erf/erfc/erfcx,
erfinv, ndtr, ndtri, log_ndtr, i0/i0e/i1/i1e), vectorised over arrays.

NumPy has none of these and chainrule has no other runtime dependency, so they are
computed here. Where PyTorch's CPU kernel is a short, specific sequence of operations
(digamma, trigamma, zeta, ndtr, log_ndtr), the same sequence is followed, so results
agree to the last bit or within an ulp or two. Elsewhere the value is computed to
within a few ulps of the true value (which PyTorch's kernels also are): Chebyshev
expansions (tools/special_coefficients.py derives the tables), series and Newton steps.
Inputs are float32 or float64 arrays; results have the input's dtype.
"""

from __future__ import annotations

import math

import numpy as np

from . import _special_tables as tables

_SQRT1_2 = 1 / math.sqrt(2.0)
_SQRT2 = math.sqrt(2.0)
_SQRT_PI = math.sqrt(math.pi)
_INV_SQRT_PI = 1 / math.sqrt(math.pi)
_LOG_PI = math.log(math.pi)
_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


def _bernoulli(n):
    """The Bernoulli numbers B_0 .. B_n as exact fractions (numerator, denominator) in
    lowest terms (B_1 = -1/2). Integers rather than the fractions module, whose import
    alone costs more than this."""
    b = [(1, 1)]
    for m in range(1, n + 1):
        num, den = 0, 1
        for k in range(m):
            p, q = b[k]
            num, den = num * q + math.comb(m + 1, k) * p * den, den * q
            g = math.gcd(num, den)
            num, den = num // g, den // g
        g = math.gcd(num, den * (m + 1))
        b.append((-num // g, den * (m + 1) // g))
    return b


_B = _bernoulli(30)


def _float64(fn):
    """Run fn on a float64 copy of the input and return the input's dtype."""

    def run(x, *args):
        x = np.asarray(x)
        out = fn(x.astype(np.float64), *args)
        return out.astype(x.dtype, copy=False)

    run.__name__ = fn.__name__
    run.__doc__ = fn.__doc__
    return run


def _quiet(fn):
    def run(*args, **kwargs):
        with np.errstate(all="ignore"):
            return fn(*args, **kwargs)

    run.__name__ = fn.__name__
    run.__doc__ = fn.__doc__
    return run


def chbevl(y, coeffs):
    """Clenshaw's recurrence for a Chebyshev series (highest order first) at y = 2t."""
    b0 = np.full_like(y, coeffs[0])
    b1 = np.zeros_like(y)
    b2 = b1
    for c in coeffs[1:]:
        b2 = b1
        b1 = b0
        b0 = y * b1 - b2 + c
    return 0.5 * (b0 - b2)


def _horner(z, coeffs):
    out = np.full_like(z, coeffs[0])
    for c in coeffs[1:]:
        out = out * z + c
    return out


# -- erf, erfc, erfcx ------------------------------------------------------------------------
_ERFCX_EDGES = np.asarray(tables.ERFCX_EDGES)


def _erfcx_nonneg(x):
    """erfcx for x >= 0 (float64)."""
    out = np.empty_like(x)
    near = x < 8
    if near.any():
        xs = x[near]
        piece = np.floor(xs * 2).astype(np.intp)
        vals = np.empty_like(xs)
        for k in np.unique(piece):
            sel = piece == k
            vals[sel] = chbevl(2 * (4 * xs[sel] - (2 * k + 1)), tables.ERFCX_LINEAR[k])
        out[near] = vals
    mid = (x >= 8) & (x <= 50)
    if mid.any():
        y = 4 / (4 + x[mid])
        last = len(_ERFCX_EDGES) - 2
        piece = np.clip(np.searchsorted(_ERFCX_EDGES, y, side="right") - 1, 0, last)
        vals = np.empty_like(y)
        for k in np.unique(piece):
            sel = piece == k
            lo, hi = _ERFCX_EDGES[k], _ERFCX_EDGES[k + 1]
            t = (2 * y[sel] - lo - hi) / (hi - lo)
            vals[sel] = chbevl(2 * t, tables.ERFCX_PIECES[k])
        out[mid] = vals
    big = x > 50
    if big.any():
        # A continued fraction of erfcx, truncated where it is exact to double precision.
        xb = x[big]
        xx = xb * xb
        cf = _INV_SQRT_PI * ((xx * (xx + 4.5) + 2) / (xb * (xx * (xx + 5) + 3.75)))
        out[big] = np.where(xb > 5e7, _INV_SQRT_PI / xb, cf)
    out[np.isinf(x)] = 0.0
    return out


def _exp_neg_square(x):
    """exp(-x*x) for x >= 0 without the rounding of x*x: x = m + f with m a multiple of
    1/128, so m*m is exact and only the small rest 2mf + f*f is rounded."""
    m = np.floor(x * 128 + 0.5) / 128
    f = x - m
    return np.exp(-(m * m)) * np.exp(-(f * (2 * m + f)))


@_quiet
def _erfcx64(x):
    out = np.empty_like(x)
    pos = x >= 0
    out[pos] = _erfcx_nonneg(x[pos])
    neg = ~pos & ~np.isnan(x)
    if neg.any():
        xn = x[neg]
        two_exp = 2 * np.exp(xn * xn)
        tail = np.where(xn < -6.1, two_exp, two_exp - _erfcx_nonneg(-xn))
        out[neg] = np.where(xn < -26.7, np.inf, tail)
    out[np.isnan(x)] = np.nan
    return out


@_quiet
def _erfc64(x):
    ax = np.abs(x)
    out = np.empty_like(x)
    small = ax < 0.5
    out[small] = 1 - _erf_series(x[small])
    big = ~small & ~np.isnan(x)
    xb = ax[big]
    tail = _exp_neg_square(xb) * _erfcx_nonneg(xb)
    tail = np.where(xb > 27.3, 0.0, tail)
    out[big] = np.where(x[big] < 0, 2 - tail, tail)
    out[np.isnan(x)] = np.nan
    return out


def _erf_series(x):
    return x * _horner(x * x, tables.ERF_SERIES)


@_quiet
def _erf64(x):
    ax = np.abs(x)
    out = np.empty_like(x)
    small = ax < 1
    out[small] = _erf_series(x[small])
    big = ~small & ~np.isnan(x)
    xb = ax[big]
    tail = np.where(xb > 6, 0.0, _exp_neg_square(np.minimum(xb, 6)) * _erfcx_nonneg(xb))
    out[big] = np.copysign(1 - tail, x[big])
    out[np.isnan(x)] = np.nan
    return out


erf = _float64(_erf64)
erfc = _float64(_erfc64)
_erfcx_in_float64 = _float64(_erfcx64)


def erfcx(x):
    """exp(x**2) erfc(x). Below -0.5 in float32 it is 2 exp(x**2) - erfcx(-x) with x**2
    rounded to float32 first, as PyTorch's float32 kernel computes it (that rounding is
    the result's main error there, up to ~60 ulps)."""
    x = np.asarray(x)
    out = _erfcx_in_float64(x)
    if x.dtype == np.float32:
        neg = x < -0.5
        if neg.any():
            xn = x[neg]
            with np.errstate(over="ignore"):
                two_exp = 2 * np.exp((xn * xn).astype(np.float64))
                rest = np.where(xn < -6.1, 0.0, _erfcx_nonneg(-xn.astype(np.float64)))
            out[neg] = np.where(xn < -26.7, np.inf, two_exp - rest).astype(np.float32)
    return out


@_quiet
def ndtr(x):
    """The standard normal CDF, in PyTorch's steps, in the input's dtype: (1 + erf(x /
    sqrt(2))) / 2 (so it is 0, as PyTorch's is, once erf rounds to -1)."""
    x = np.asarray(x)
    dt = x.dtype.type
    return (dt(1) + erf(x * dt(_SQRT1_2))) * dt(0.5)


@_float64
@_quiet
def log_ndtr(x):
    """log of the normal CDF: through erfcx in the lower tail (no underflow), log1p above."""
    t = x * _SQRT1_2
    low = np.log(_erfcx64(-t) / 2) - t * t
    high = np.log1p(-_erfc64(t) / 2)
    return np.where(x < -1, low, high)


# -- inverses: erfinv, ndtri ------------------------------------------------------------------
def _erfinv_central(y):
    """erfinv for |y| <= 0.5: a series start, then Newton steps on erf."""
    yy = y * y
    x = y * (_SQRT_PI / 2) * (1 + yy * (math.pi / 12 + yy * (7 * math.pi**2 / 480)))
    for _ in range(4):
        x = x - (_erf64(x) - y) / ((2 * _INV_SQRT_PI) * np.exp(-x * x))
    return x


def _erfcinv_tail(q):
    """The x > 0 with erfc(x) = q, for 0 < q <= 0.5: Newton steps on log(erfc), which stay
    accurate and finite however small q is."""
    log_q = np.log(q)
    t = np.sqrt(-log_q)
    x = np.sqrt(np.maximum(-np.log(q * _SQRT_PI * t), 0.05))
    for _ in range(6):
        ex = _erfcx_nonneg(x)
        x = x + (np.log(ex) - x * x - log_q) * (_SQRT_PI / 2) * ex
    return x


@_float64
@_quiet
def erfinv(y):
    """The inverse of erf: NaN outside [-1, 1], +-inf at +-1."""
    out = np.full_like(y, np.nan)
    ay = np.abs(y)
    central = ay <= 0.5
    out[central] = _erfinv_central(y[central])
    tail = (ay > 0.5) & (ay < 1)
    out[tail] = np.copysign(_erfcinv_tail(1 - ay[tail]), y[tail])
    edge = ay == 1
    out[edge] = np.copysign(np.inf, y[edge])
    return out


@_float64
@_quiet
def ndtri(p):
    """The inverse of the normal CDF: NaN outside [0, 1], -inf at 0 and inf at 1."""
    out = np.full_like(p, np.nan)
    low = (p > 0) & (p < 0.25)
    out[low] = -_SQRT2 * _erfcinv_tail(2 * p[low])
    high = (p > 0.75) & (p < 1)
    out[high] = _SQRT2 * _erfcinv_tail(2 * (1 - p[high]))
    mid = (p >= 0.25) & (p <= 0.75)
    out[mid] = _SQRT2 * _erfinv_central(2 * p[mid] - 1)
    out[p == 0] = -np.inf
    out[p == 1] = np.inf
    return out


# -- Bessel functions I0, I1 ------------------------------------------------------------------
@_float64
@_quiet
def i0e(x):
    """exp(-|x|) I0(x)."""
    ax = np.abs(x)
    small = chbevl(ax / 2 - 2, tables.I0E_SMALL)
    large = chbevl(32 / np.maximum(ax, 8) - 2, tables.I0E_LARGE) / np.sqrt(ax)
    return np.where(ax <= 8, small, large)


@_float64
@_quiet
def i0(x):
    """The modified Bessel function I0: exp(|x|) times i0e's expansions."""
    ax = np.abs(x)
    small = chbevl(ax / 2 - 2, tables.I0E_SMALL)
    large = chbevl(32 / np.maximum(ax, 8) - 2, tables.I0E_LARGE) / np.sqrt(ax)
    return np.exp(ax) * np.where(ax <= 8, small, large)


def _i1e_abs(ax):
    small = chbevl(ax / 2 - 2, tables.I1E_SMALL) * ax
    large = chbevl(32 / np.maximum(ax, 8) - 2, tables.I1E_LARGE) / np.sqrt(ax)
    return np.where(ax <= 8, small, large)


@_float64
@_quiet
def i1e(x):
    """exp(-|x|) I1(x) (odd in x)."""
    ax = np.abs(x)
    return np.copysign(_i1e_abs(ax), x)


@_float64
@_quiet
def i1(x):
    """The modified Bessel function I1 (odd in x)."""
    ax = np.abs(x)
    return np.copysign(np.exp(ax) * _i1e_abs(ax), x)


# -- lgamma -----------------------------------------------------------------------------------
_STIRLING = tuple(_B[2 * k][0] / (_B[2 * k][1] * 2 * k * (2 * k - 1)) for k in range(9, 0, -1))


def _lgamma_near_2(z):
    """lgamma(2 + z) for |z| <= 0.5."""
    return z * _horner(z, tables.LGAMMA_NEAR_2)


def _lgamma_pos(x):
    """lgamma for finite x > 0."""
    out = np.empty_like(x)
    # (0, 1.5): lgamma(x) = lgamma(x + 1) - log(x) = lgamma(2 + z) - log1p(z) - log(x) (z = x-1
    # for x >= 0.5, where x - 1 is exact), written so that the terms near x = 1 stay small.
    low = x < 1.5
    xl = x[low]
    near_one = xl >= 0.5
    z = np.where(near_one, xl - 1, xl)
    base = _lgamma_near_2(z) - np.log1p(z)
    out[low] = np.where(near_one, base, base - np.log(xl))
    mid = (x >= 1.5) & (x < 8)
    xm = x[mid]
    # Down to [1.5, 2.5) by lgamma(x) = lgamma(x - 1) + log(x - 1); each x - k is exact here.
    n = np.floor(xm - 1.5)
    prod = np.ones_like(xm)
    for k in range(1, 7):
        prod = np.where(n >= k, prod * (xm - k), prod)
    out[mid] = _lgamma_near_2(xm - n - 2) + np.log(prod)
    big = x >= 8
    xb = x[big]
    inv = 1 / xb
    series = inv * _horner(inv * inv, _STIRLING)
    out[big] = ((xb - 0.5) * np.log(xb) - xb) + (_HALF_LOG_2PI + series)
    return out


def _sinpi(x):
    """sin(pi * x) with the argument reduced exactly first (x - 2k is exact)."""
    r = x - 2 * np.round(x / 2)  # in [-1, 1]
    r = np.where(r > 0.5, 1 - r, np.where(r < -0.5, -1 - r, r))
    return np.sin(math.pi * r)


@_float64
@_quiet
def lgamma(x):
    """log |Gamma(x)|: inf at the poles (0, -1, -2, ...) and at +-inf."""
    out = np.full_like(x, np.inf)
    finite = np.isfinite(x)
    pos = finite & (x > 0)
    out[pos] = _lgamma_pos(x[pos])
    neg = finite & (x <= 0) & (x != np.floor(x))
    xn = x[neg]
    # Gamma(x) Gamma(-x) = -pi / (x sin(pi x)).
    reflected = _LOG_PI - np.log(np.abs(xn * _sinpi(xn))) - _lgamma_pos(-xn)
    out[neg] = reflected
    out[np.isnan(x)] = np.nan
    return out


# -- digamma, trigamma, zeta, polygamma (PyTorch's steps) ------------------------------------
def _rounded(fn, x):
    """fn (log, sin) rounded correctly in float32 too, as C's logf/sinf round (NumPy's own
    float32 kernels may be an ulp off): computed in float64, rounded once."""
    if x.dtype == np.float32:
        return fn(x.astype(np.float64)).astype(np.float32)
    return fn(x)


_PSI_COEFFS = tuple(_B[2 * k][0] / (_B[2 * k][1] * 2 * k) for k in (7, 6, 5, 4, 3, 2, 1))
_PSI_10 = 2.25175258906672110764


@_quiet
def digamma(x):
    """psi(x) = d lgamma(x)/dx: up to 10 by psi(x) = psi(x + 1) - 1/x, then the asymptotic
    series; reflection below 0. float32 input is computed in float32, as PyTorch does."""
    x = np.asarray(x)
    dt = x.dtype.type
    x = x.copy()
    out = np.zeros_like(x)
    zero = x == 0
    neg_int = (x < 0) & (x == np.trunc(x))
    reflect = (x < 0) & ~neg_int
    # psi(x) = psi(1 - x) - pi / tan(pi * frac(x)), the tangent taken in float64.
    frac = np.modf(x[reflect].astype(np.float64))[0]
    shift = (math.pi / np.tan(math.pi * frac)).astype(x.dtype)
    x[reflect] = 1 - x[reflect]
    result = np.zeros_like(x)
    work = ~zero & ~neg_int & ~np.isnan(x)
    while True:
        below = work & (x < 10)
        if not below.any():
            break
        result[below] -= dt(1) / x[below]
        x[below] += dt(1)
    at_ten = work & (x == 10)
    z = dt(1) / (x * x)
    y = np.where(x < 1e17, z * _horner(z, tuple(dt(c) for c in _PSI_COEFFS)), dt(0))
    out = result + _rounded(np.log, x) - dt(0.5) / x - y
    out = np.where(at_ten, result + dt(_PSI_10), out)
    out[reflect] = out[reflect] - shift
    out[zero] = np.copysign(np.inf, -x[zero])
    out[neg_int] = np.nan
    out[np.isnan(x)] = np.nan
    return out.astype(x.dtype, copy=False)


@_quiet
def trigamma(x):
    """psi'(x): reflection below 1/2, six steps of the recurrence, then the asymptotic series
    (PyTorch's steps; float32 in float32)."""
    x = np.asarray(x).copy()
    dt = x.dtype.type
    sign = np.ones_like(x)
    result = np.zeros_like(x)
    low = x < dt(0.5)
    sin_pi_x = _rounded(np.sin, dt(math.pi) * x[low])
    result[low] -= dt(math.pi) * dt(math.pi) / (sin_pi_x * sin_pi_x)
    sign[low] = -1
    x[low] = 1 - x[low]
    for _ in range(6):
        result += dt(1) / (x * x)
        x += dt(1)
    ixx = dt(1) / (x * x)
    tail = dt(1.0 / 6) - ixx * (dt(1.0 / 30) - ixx * dt(1.0 / 42))
    result += (dt(1) + dt(1) / (2 * x) + ixx * tail) / x
    return sign * result


# (2k)! / B_2k, the Euler-Maclaurin coefficients of the Hurwitz zeta function.
_ZETA_A = tuple(math.factorial(2 * k) * _B[2 * k][1] / _B[2 * k][0] for k in range(1, 13))
_MACHEP = 1.11022302462515654042e-16


@_quiet
def _zeta64(x, q):
    """The Hurwitz zeta function sum_k (k + q)**-x in float64, in Cephes's steps (nine
    terms and more until q + k > 9, then the Euler-Maclaurin tail), with its early exits."""
    x, q = np.broadcast_arrays(np.asarray(x, np.float64), np.asarray(q, np.float64))
    shape = x.shape
    x = x.reshape(-1).copy()
    q = q.reshape(-1).copy()
    out = np.full(x.shape, np.nan)
    out[x == 1] = np.inf
    todo = (x > 1) & ~np.isnan(q)
    nonpos = todo & (q <= 0)
    pole = nonpos & (q == np.floor(q))
    out[pole] = np.inf
    todo &= ~pole & ~(nonpos & (x != np.floor(x)))
    idx = np.nonzero(todo)[0]
    xs, qs = x[idx], q[idx]
    s = np.power(qs, -xs)
    a = qs.copy()
    b = np.zeros_like(s)
    done = np.zeros(idx.size, bool)
    i = 0
    while True:
        active = ~done & ((i < 9) | (a <= 9))
        if not active.any():
            break
        i += 1
        a[active] += 1
        b[active] = np.power(a[active], -xs[active])
        s[active] += b[active]
        converged = active & (-_MACHEP * s < b) & (b < _MACHEP * s)
        done |= converged
    rest = ~done
    w = a
    s[rest] += b[rest] * w[rest] / (xs[rest] - 1)
    s[rest] -= 0.5 * b[rest]
    aa = np.ones_like(s)
    k = np.zeros_like(s)
    for coeff in _ZETA_A:
        if not rest.any():
            break
        aa[rest] *= xs[rest] + k[rest]
        b[rest] /= w[rest]
        t = aa[rest] * b[rest] / coeff
        s[rest] = s[rest] + t
        small = np.abs(t / s[rest]) < _MACHEP
        k[rest] += 1
        aa[rest] *= xs[rest] + k[rest]
        b[rest] /= w[rest]
        k[rest] += 1
        rest[np.nonzero(rest)[0][small]] = False
    out[idx] = s
    return out.reshape(shape)


def zeta(x, q):
    """The Hurwitz zeta function, computed in float64 and returned in the inputs' dtype."""
    dt = np.result_type(np.asarray(x).dtype, np.asarray(q).dtype)
    return _zeta64(x, q).astype(dt, copy=False)


@_quiet
def polygamma(n, x):
    """The n-th derivative of digamma: digamma (n = 0), trigamma (n = 1), else
    (-1)**(n+1) n! zeta(n + 1, x), with n! as exp(lgamma(n + 1)) as PyTorch computes it."""
    x = np.asarray(x)
    if n == 0:
        return digamma(x)
    if n == 1:
        return trigamma(x)
    dt = x.dtype.type
    factorial = np.exp(lgamma(np.asarray(n + 1.0, x.dtype)))
    sign = dt(1) if n % 2 else dt(-1)
    return (sign * factorial * _zeta64(float(n + 1), x).astype(x.dtype)).astype(x.dtype)
