"""Gamma sampling and the reparameterised (implicit) gradients of Gamma and Beta samples.

A Gamma(alpha) sample x has no closed-form inverse CDF, so its derivative with respect to
alpha comes from differentiating F(x; alpha) = u at fixed u (the implicit reparameterisation):

    dx/dalpha = -(dF/dalpha)(x) / f(x) = -integral_0^x f(t)/f(x) * dlog f(t)/dalpha dt,

which, since f * dlog f/dalpha integrates to zero over the support, is also
+integral_x^inf f(t)/f(x) * dlog f(t)/dalpha dt. Each sample takes the tail away from the
mode, cut in two: near x the variable is log |t - x| (256-point Gauss-Legendre), which
resolves decay that is exponential or a power of the distance alike; near the support's end
the change of variable t = c w^(2/alpha) absorbs the end's power singularity (64 points).
Everything is float64. The same holds for a Beta(a, b) sample's derivative in a with b
fixed, which the Dirichlet's reparameterised gradient is built from (as PyTorch builds it).

PyTorch evaluates the same derivatives with fitted closed-form approximations (accurate to
about 1e-3); chainrule computes them by quadrature (they agree with finite differences of
scipy's regularised incomplete gamma and beta functions to 1e-5 or better, mostly 1e-7), so
per-sample gradients agree with PyTorch's within PyTorch's own approximation error.

Sampling draws only chainrule.randn and chainrule.rand (Marsaglia and Tsang's method, with
the alpha < 1 boost), so seeding chainrule makes it reproducible; its values are not
PyTorch's samples.
"""

from __future__ import annotations

import numpy as np

import chainrule

from ..ops._special_kernels import digamma as digamma_array

_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(64)
_W = (_NODES + 1) / 2  # Gauss-Legendre on (0, 1), for the end pieces
_WW = _WEIGHTS / 2


# -- sampling ---------------------------------------------------------------------------------
def standard_gamma(alpha, generator=None):
    """Gamma(alpha, 1) samples, one per element of the float64 array alpha (all > 0)."""
    alpha = np.asarray(alpha, dtype=np.float64)
    flat = alpha.reshape(-1)
    boosted = flat < 1
    shape = np.where(boosted, flat + 1, flat)
    d = shape - 1 / 3
    c = 1 / np.sqrt(9 * d)
    out = np.empty(flat.shape)
    todo = np.arange(flat.size)
    while todo.size:
        x = _draw(chainrule.randn, todo.size, generator)
        u = _draw(chainrule.rand, todo.size, generator)
        v = (1 + c[todo] * x) ** 3
        with np.errstate(invalid="ignore", divide="ignore"):
            accept = (v > 0) & (
                np.log(u) < 0.5 * x * x + d[todo] - d[todo] * v + d[todo] * np.log(v)
            )
        out[todo[accept]] = d[todo[accept]] * v[accept]
        todo = todo[~accept]
    if boosted.any():
        # Gamma(a) = Gamma(a + 1) * U^(1/a)
        u = _draw(chainrule.rand, int(boosted.sum()), generator)
        out[boosted] *= u ** (1 / flat[boosted])
    return out.reshape(alpha.shape)


def _draw(fn, n, generator):
    return fn(n, dtype=chainrule.float64, generator=generator).numpy()


# -- implicit derivatives -------------------------------------------------------------------------
_LOG_NODES, _LOG_WEIGHTS = np.polynomial.legendre.leggauss(256)
_LOG_SPAN = 36.0  # the log-distance pieces start e^-36 of their length away from x


def _near_piece(x, length, sign, log_ratio, score):
    """integral over s in (0, length) of R(t) * score(t), t = x + sign * s, for rows x, with
    u = log s as the variable: resolves decay that is exponential or a power of the
    distance alike."""
    hi = np.log(length)
    lo = hi - _LOG_SPAN
    u = lo + (hi - lo) * (_LOG_NODES[None, :] + 1) / 2
    s = np.exp(u)
    t = x + sign * s
    log_t = np.log(t)
    with np.errstate(over="ignore", invalid="ignore"):
        values = np.exp(log_ratio(t, log_t) + u) * score(log_t)
    values = np.where(np.isfinite(values), values, 0.0)
    return _LOG_SPAN / 2 * (values @ _LOG_WEIGHTS)


def _end_piece(edge, power, log_ratio, score, reflect):
    """integral over t from the support's end to `edge` (0 < edge: t = edge * w^(2/power); or,
    reflect, the end 1 with 1 - t = (1 - edge) * w^(2/power)) of R(t) * score(t): the change
    of variable absorbs the end's power singularity (t^(power-1), (1-t)^(power-1))."""
    w = _W[None, :]
    p = 2 / power
    log_w = np.log(w)
    if reflect:
        span = 1 - edge
        log_dist = np.log(span) + p * log_w
        t = 1 - np.exp(log_dist)
        log_t = np.log1p(-np.exp(log_dist))
    else:
        span = edge
        log_t = np.log(span) + p * log_w
        t = np.exp(log_t)
    log_jacobian = np.log(span * p) + (p - 1) * log_w
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        values = np.exp(log_ratio(t, log_t) + log_jacobian) * score(log_t)
    values = np.where(np.isfinite(values), values, 0.0)
    return values @ _WW


def gamma_grad(alpha, x):
    """dx/dalpha for Gamma(alpha, 1) samples x (float64 arrays of one shape)."""
    alpha, x = np.broadcast_arrays(np.asarray(alpha, np.float64), np.asarray(x, np.float64))
    a, xs = alpha.reshape(-1, 1), x.reshape(-1, 1)
    psi = digamma_array(a)
    # below the mode (or near 0 for small alpha) the lower tail; beyond it the upper
    lower = np.where(a >= 2, xs < a - 1, xs < 1)[:, 0]
    out = np.empty(a.shape[0])
    for rows, sign in ((lower, -1.0), (~lower, 1.0)):
        if not rows.any():
            continue
        ar, xr, pr = a[rows], xs[rows], psi[rows]
        log_x = np.log(xr)

        def log_ratio(t, log_t, ar=ar, xr=xr, log_x=log_x):
            return (ar - 1) * (log_t - log_x) - (t - xr)

        def score(log_t, pr=pr):
            return log_t - pr

        if sign < 0:
            total = _near_piece(xr, xr / 2, -1.0, log_ratio, score)
            total = total + _end_piece(xr / 2, ar, log_ratio, score, reflect=False)
            out[rows] = -total
        else:
            length = 80.0 + 15.0 * np.sqrt(ar) + xr
            out[rows] = _near_piece(xr, length, 1.0, log_ratio, score)
    return out.reshape(x.shape)


def beta_grad(a, b, x):
    """dx/da at fixed b for Beta(a, b) samples x (float64 arrays of one shape)."""
    a, b, x = np.broadcast_arrays(*(np.asarray(v, np.float64) for v in (a, b, x)))
    a, b, xs = a.reshape(-1, 1), b.reshape(-1, 1), x.reshape(-1, 1)
    shift = digamma_array(a) - digamma_array(a + b)
    # the tail away from the mode (a U-shaped density: the nearer end)
    mode = np.where((a > 1) & (b > 1), (a - 1) / np.maximum(a + b - 2, 1e-300), 0.0)
    mode = np.where((a >= 1) & (b <= 1), 1.0, mode)
    mode = np.where((a < 1) & (b < 1), 0.5, mode)
    lower = (xs < mode)[:, 0]
    out = np.empty(a.shape[0])
    for rows, sign in ((lower, -1.0), (~lower, 1.0)):
        if not rows.any():
            continue
        ar, br, xr, sr = a[rows], b[rows], xs[rows], shift[rows]
        log_x, log_1mx = np.log(xr), np.log1p(-xr)

        def log_ratio(t, log_t, ar=ar, br=br, log_x=log_x, log_1mx=log_1mx):
            return (ar - 1) * (log_t - log_x) + (br - 1) * (np.log1p(-t) - log_1mx)

        def score(log_t, sr=sr):
            return log_t - sr

        if sign < 0:
            total = _near_piece(xr, xr / 2, -1.0, log_ratio, score)
            total = total + _end_piece(xr / 2, ar, log_ratio, score, reflect=False)
            out[rows] = -total
        else:
            half = (1 - xr) / 2
            total = _near_piece(xr, half, 1.0, log_ratio, score)
            total = total + _end_piece(xr + half, br, log_ratio, score, reflect=True)
            out[rows] = total
    return out.reshape(x.shape)
