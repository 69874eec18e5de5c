"""lgamma, digamma, polygamma, erfinv and xlogy, private to chainrule.distributions until the
ops package has them: each a differentiable Function on NumPy numerics (float64 inside,
results in the input's dtype): d lgamma = digamma, d digamma = polygamma(1),
d polygamma(n) = polygamma(n + 1), d erfinv(y) = sqrt(pi)/2 exp(erfinv(y)^2), and xlogy's
gradients are PyTorch's (log y for x, also where x == 0 unless y <= 0; x / y for y), so
log_prob and entropy gradients (and their gradients) flow.

digamma and polygamma shift their argument above 10 with the recurrence, then sum the
asymptotic (Bernoulli-number) series to about 1e-16; lgamma is the C library's, element by
element; erfinv refines a closed-form start with Newton steps on erf / erfc.
"""

from __future__ import annotations

import math

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor

# B_2k for k = 1..7: the asymptotic series' coefficients
_BERNOULLI = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6)
_SHIFT = 10.0


def _float64(a):
    return np.asarray(a, dtype=np.float64)


def lgamma_array(x):
    """log|Gamma(x)| element by element; +inf at the poles (0, -1, -2, ...)."""
    x = _float64(x)
    out = np.empty(x.shape)
    flat, res = x.reshape(-1), out.reshape(-1)
    for i, v in enumerate(flat):
        if v <= 0 and v == math.floor(v):
            res[i] = math.inf
        elif math.isnan(v):
            res[i] = math.nan
        else:
            res[i] = math.lgamma(v)
    return out


def digamma_array(x):
    """The digamma function psi(x) = d/dx log Gamma(x): -inf at 0, NaN at negative integers
    (as PyTorch), the reflection formula below 0."""
    x = _float64(x)
    out = np.empty(x.shape)
    negative = x < 0
    y = np.where(negative, 1 - x, x)
    acc = np.zeros(x.shape)
    small = y < _SHIFT
    while small.any():
        with np.errstate(divide="ignore"):
            acc[small] -= 1 / y[small]
        y = np.where(small, y + 1, y)
        small = y < _SHIFT
    inv2 = 1 / (y * y)
    tail = 0.0
    for k in range(len(_BERNOULLI), 0, -1):
        tail = tail * inv2 + _BERNOULLI[k - 1] / (2 * k)
    out = np.log(y) - 0.5 / y - inv2 * tail + acc
    with np.errstate(divide="ignore", invalid="ignore"):
        reflected = out - np.pi / np.tan(np.pi * x)
    out = np.where(negative, reflected, out)
    out = np.where(x == 0, -np.inf, out)
    return np.where(negative & (x == np.floor(x)), np.nan, out)


def polygamma_array(n, x):
    """The n-th derivative of digamma (n >= 1): (-1)^(n+1) n! sum_k 1 / (x + k)^(n+1)."""
    if n == 0:
        return digamma_array(x)
    x = _float64(x)
    sign = -1.0 if n % 2 == 0 else 1.0
    fact = math.factorial(n)
    acc = np.zeros(x.shape)
    y = x.copy()
    small = y < _SHIFT
    while small.any():
        with np.errstate(divide="ignore"):
            acc[small] += sign * fact / y[small] ** (n + 1)
        y = np.where(small, y + 1, y)
        small = y < _SHIFT
    series = math.factorial(n - 1) / y**n + fact / (2 * y ** (n + 1))
    for k, b in enumerate(_BERNOULLI, start=1):
        coef = b * math.factorial(2 * k + n - 1) / math.factorial(2 * k)
        series = series + coef / y ** (2 * k + n)
    out = sign * series + acc
    return np.where((x <= 0) & (x == np.floor(x)), np.inf, out)


def _like(array, t):
    return Tensor._wrap(np.asarray(array, dtype=t._data.dtype))


class Lgamma(Function):
    """log|Gamma(x)|; d/dx = digamma(x)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _like(lgamma_array(x._data), x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * digamma(x)


class Digamma(Function):
    """psi(x); d/dx = polygamma(1, x)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _like(digamma_array(x._data), x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * polygamma(1, x)


class Polygamma(Function):
    """psi^(n)(x); d/dx = psi^(n+1)(x)."""

    @staticmethod
    def forward(ctx, n, x):
        ctx.n = n
        ctx.save_for_backward(x)
        return _like(polygamma_array(n, x._data), x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return None, grad * polygamma(ctx.n + 1, x)


def _tensor(x):
    if isinstance(x, Tensor):
        return x
    import chainrule

    return chainrule.tensor(x, dtype=chainrule.get_default_dtype())


def lgamma(x):
    x = _tensor(x)
    if not x.is_floating_point():
        x = x.float()
    return Lgamma.apply(x)


def digamma(x):
    x = _tensor(x)
    if not x.is_floating_point():
        x = x.float()
    return Digamma.apply(x)


def polygamma(n, x):
    x = _tensor(x)
    if not x.is_floating_point():
        x = x.float()
    return Polygamma.apply(n, x)


class Xlogy(Function):
    """x * log(y), 0 where x == 0 (unless y is NaN). Gradients as PyTorch's:
    d/dx = xlogy(grad, y), except 0 where x == 0 and y <= 0; d/dy = grad * x / y."""

    @staticmethod
    def forward(ctx, x, y):
        a, b = x._data, y._data
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.where((a == 0) & ~np.isnan(b), 0, a * np.log(b)).astype(a.dtype)
        ctx.save_for_backward(x, y)
        return Tensor._wrap(out)

    @staticmethod
    def backward(ctx, grad):
        import chainrule

        x, y = ctx.saved_tensors
        grad_x = Xlogy.apply(grad, y)
        grad_x = chainrule.where((x == 0) & (y <= 0), 0.0, grad_x)
        return grad_x, grad * x / y


def xlogy(x, y):
    """x * log(y) with 0 where x == 0, broadcast, in the promoted dtype."""
    import chainrule

    x, y = (v if isinstance(v, Tensor) else chainrule.tensor(float(v)) for v in (x, y))
    x, y = chainrule.broadcast_tensors(*_promote(x, y))
    return Xlogy.apply(x, y)


def _promote(x, y):
    import chainrule

    dtype = chainrule.promote_types(x.dtype, y.dtype)
    return x.to(dtype), y.to(dtype)


_erf = np.vectorize(math.erf, otypes=[np.float64])
_erfc = np.vectorize(math.erfc, otypes=[np.float64])


def erfinv_array(y):
    """The inverse error function: Winitzki's closed-form start, then Newton steps to float64
    precision (on erf near 0, on erfc of |x| in the tails, where 1 - |y| keeps its digits);
    +-inf at +-1, NaN outside [-1, 1]."""
    y = _float64(y)
    q = 1 - np.abs(y)  # exact in float64 for |y| >= 0.5
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        a = 0.147
        log_term = np.log(q * (2 - q))
        first = 2 / (np.pi * a) + log_term / 2
        z = np.sqrt(np.sqrt(first * first - log_term / a) - first)  # |x|
        finite = np.isfinite(z) & (q > 0)
        tail = np.abs(y) >= 0.5
        for _ in range(5):
            zs = np.where(finite, z, 0.0)
            slope = 2 / math.sqrt(math.pi) * np.exp(-zs * zs)
            residual = np.where(tail, q - _erfc(zs), _erf(zs) - np.abs(y))
            z = np.where(finite, z - residual / slope, z)
    x = np.sign(y) * z
    x = np.where(q == 0, np.sign(y) * np.inf, x)
    return np.where(np.abs(y) > 1, np.nan, x)


class Erfinv(Function):
    """erfinv(y); d/dy = sqrt(pi) / 2 * exp(erfinv(y)^2)."""

    @staticmethod
    def forward(ctx, y):
        out = _like(erfinv_array(y._data), y)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (math.sqrt(math.pi) / 2) * (out * out).exp()


def erfinv(y):
    return Erfinv.apply(_tensor(y))
