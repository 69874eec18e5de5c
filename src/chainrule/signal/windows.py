"""torch.signal.windows: hann, hamming, blackman, bartlett, kaiser, gaussian, cosine,
exponential, general_cosine, general_hamming, nuttall.

Each window is computed in its dtype by PyTorch's recipe (a linspace of the sample
positions, then cos/sin/exp/i0 of it), with `sym=False` giving the periodic window used in
spectral analysis. The result is a new leaf tensor.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from .. import dtypes
from ..ops.creation import _finish, linspace

__all__ = [
    "bartlett",
    "blackman",
    "cosine",
    "exponential",
    "gaussian",
    "general_cosine",
    "general_hamming",
    "hamming",
    "hann",
    "kaiser",
    "nuttall",
]


def _checks(fn, M, dtype, layout):
    if M < 0:
        raise ValueError(f"{fn} requires non-negative window length, got M={M}")
    if layout is not None and str(layout) != "torch.strided":
        raise ValueError(f"{fn} is implemented for strided tensors only, got: {layout}")
    d = dtypes.get_default_dtype() if dtype is None else dtypes.to_dtype(dtype)
    if d not in (dtypes.float32, dtypes.float64):
        raise ValueError(f"{fn} expects float32 or float64 dtypes, got: {d}")
    return d


def _out(values, d, requires_grad, device):
    return _finish(np.asarray(values, dtype=d.np), requires_grad, device)


def _positions(start, end, M, d):
    return linspace(start, end, M, dtype=d)._data


def _trivial(M, d, requires_grad, device, one=True):
    if M == 0:
        return _out(np.zeros(0), d, requires_grad, device)
    if M == 1 and one:
        return _out(np.ones(1), d, requires_grad, device)
    return None


def general_cosine(M, *, a, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """sum_i (-1)^i a_i cos(2 pi i n / (M - 1)) (M in place of M - 1 when sym=False)."""
    d = _checks("general_cosine", M, dtype, layout)
    made = _trivial(M, d, requires_grad, device)
    if made is not None:
        return made
    if not isinstance(a, Iterable):
        raise TypeError("Coefficients must be a list/tuple")
    a = list(a)
    if not a:
        raise ValueError("Coefficients cannot be empty")
    constant = 2 * math.pi / (M if not sym else M - 1)
    k = _positions(0, (M - 1) * constant, M, d)
    t = d.np.type
    coef = np.array([(-1) ** i * w for i, w in enumerate(a)], dtype=d.np)
    i = np.arange(len(a), dtype=d.np)
    terms = coef[:, None] * np.cos(i[:, None] * k).astype(t)
    return _out(terms.sum(0), d, requires_grad, device)


def general_hamming(
    M, *, alpha=0.54, sym=True, dtype=None, layout=None, device=None, requires_grad=False
):
    """alpha - (1 - alpha) cos(2 pi n / (M - 1))."""
    return general_cosine(
        M,
        a=[alpha, 1.0 - alpha],
        sym=sym,
        dtype=dtype,
        layout=layout,
        device=device,
        requires_grad=requires_grad,
    )


def hamming(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    return general_hamming(
        M, sym=sym, dtype=dtype, layout=layout, device=device, requires_grad=requires_grad
    )


def hann(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    return general_hamming(
        M,
        alpha=0.5,
        sym=sym,
        dtype=dtype,
        layout=layout,
        device=device,
        requires_grad=requires_grad,
    )


def blackman(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    _checks("blackman", M, dtype, layout)
    return general_cosine(
        M,
        a=[0.42, 0.50, 0.08],
        sym=sym,
        dtype=dtype,
        layout=layout,
        device=device,
        requires_grad=requires_grad,
    )


def nuttall(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """Nuttall's minimum 4-term Blackman-Harris window."""
    return general_cosine(
        M,
        a=[0.3635819, 0.4891775, 0.1365995, 0.0106411],
        sym=sym,
        dtype=dtype,
        layout=layout,
        device=device,
        requires_grad=requires_grad,
    )


def bartlett(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """The triangle 1 - |2n / (M - 1) - 1|."""
    d = _checks("bartlett", M, dtype, layout)
    made = _trivial(M, d, requires_grad, device)
    if made is not None:
        return made
    constant = 2 / (M if not sym else M - 1)
    k = _positions(-1, -1 + (M - 1) * constant, M, d)
    return _out(1 - np.abs(k), d, requires_grad, device)


def gaussian(M, *, std=1.0, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """exp(-(n - (M - 1) / 2)^2 / (2 std^2))."""
    d = _checks("gaussian", M, dtype, layout)
    if std <= 0:
        raise ValueError(f"Standard deviation must be positive, got: {std} instead.")
    made = _trivial(M, d, requires_grad, device, one=False)
    if made is not None:
        return made
    start = -(M if not sym and M > 1 else M - 1) / 2.0
    constant = 1 / (std * math.sqrt(2))
    k = _positions(start * constant, (start + (M - 1)) * constant, M, d)
    return _out(np.exp(-(k**2)), d, requires_grad, device)


def cosine(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """sin(pi (n + 1/2) / M)."""
    d = _checks("cosine", M, dtype, layout)
    made = _trivial(M, d, requires_grad, device, one=False)
    if made is not None:
        return made
    start = 0.5
    constant = math.pi / (M + 1 if not sym and M > 1 else M)
    k = _positions(start * constant, (start + (M - 1)) * constant, M, d)
    return _out(np.sin(k), d, requires_grad, device)


def exponential(
    M,
    *,
    center=None,
    tau=1.0,
    sym=True,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
):
    """exp(-|n - center| / tau) (the Poisson window)."""
    d = _checks("exponential", M, dtype, layout)
    if tau <= 0:
        raise ValueError(f"Tau must be positive, got: {tau} instead.")
    if sym and center is not None:
        raise ValueError("Center must be None for symmetric windows")
    made = _trivial(M, d, requires_grad, device, one=False)
    if made is not None:
        return made
    if center is None:
        center = (M if not sym and M > 1 else M - 1) / 2.0
    constant = 1 / tau
    k = _positions(-center * constant, (-center + (M - 1)) * constant, M, d)
    return _out(np.exp(-np.abs(k)), d, requires_grad, device)


def kaiser(M, *, beta=12.0, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """I0(beta sqrt(1 - (2n / (M - 1) - 1)^2)) / I0(beta)."""
    d = _checks("kaiser", M, dtype, layout)
    if beta < 0:
        raise ValueError(f"beta must be non-negative, got: {beta} instead.")
    made = _trivial(M, d, requires_grad, device)
    if made is not None:
        return made
    t = d.np.type
    b = t(beta)  # in the window's dtype, as PyTorch does to avoid NaNs
    start = -b
    constant = t(2.0) * b / t(M if not sym else M - 1)
    end = min(b, t(start + t(M - 1) * constant))
    k = _positions(float(start), float(end), M, d)
    inner = np.sqrt(b * b - k**2)
    return _out(np.i0(inner).astype(t) / t(np.i0(b)), d, requires_grad, device)
