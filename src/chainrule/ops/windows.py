"""Window functions: torch.hann_window, hamming_window, blackman_window, bartlett_window,
kaiser_window, and the values behind torch.signal.windows (chainrule/signal/windows.py).

Each is computed in the requested dtype with PyTorch's sequence of operations (arange
scaled, then cos, then scaled and shifted, each step rounded to the dtype), so values agree
with PyTorch's to the last bit but for the cos/exp/i0 kernels' own rounding. A periodic
window of length L is the first L points of the symmetric window of length L + 1.
"""

from __future__ import annotations

import math

import numpy as np

from .. import dtypes
from ._lazy import publish
from .creation import _finish

__all__ = [
    "bartlett_window",
    "blackman_window",
    "hamming_window",
    "hann_window",
    "kaiser_window",
]


def _window_dtype(fn, dtype, window_length):
    d = dtypes.get_default_dtype() if dtype is None else dtypes.to_dtype(dtype)
    if not d.is_floating_point:
        raise RuntimeError(
            f"{fn} expects floating point dtypes, got: TensorOptions(dtype="
            f"{dtypes.cpp_type_name(d)}, device=cpu, layout=Strided (default), requires_grad="
            "false (default), pinned_memory=false, memory_format=(nullopt))"
        )
    if window_length < 0:
        raise RuntimeError(
            f"{fn} requires non-negative window_length, got window_length={window_length}"
        )
    return d


def _make(fn, window_length, periodic, dtype, requires_grad, device, body):
    if not isinstance(window_length, (int, np.integer)) or isinstance(window_length, bool):
        raise TypeError(
            f"{fn}(): argument 'window_length' (position 1) must be int, not "
            f"{type(window_length).__name__}"
        )
    d = _window_dtype(fn, dtype, window_length)
    npd = np.float32 if d.np.kind == "f" and d.np.itemsize < 4 else d.np.type
    if window_length == 0:
        values = np.zeros(0, npd)
    elif window_length == 1:
        values = np.ones(1, npd)
    else:
        n = window_length + 1 if periodic else window_length
        values = body(np.arange(n, dtype=npd), n, npd)[:window_length]
    return _finish(np.asarray(values).astype(d.np), requires_grad, device)


def hamming_window(
    window_length,
    periodic=True,
    alpha=0.54,
    beta=0.46,
    *,
    dtype=None,
    layout=None,
    device=None,
    pin_memory=False,
    requires_grad=False,
):
    """alpha - beta cos(2 pi n / (N - 1))."""
    return _hamming(
        "hamming_window", window_length, periodic, alpha, beta, dtype, requires_grad, device
    )


def _hamming(fn, window_length, periodic, alpha, beta, dtype, requires_grad, device):
    def body(k, n, t):
        k = k * t(math.pi * 2.0 / (n - 1))
        return np.cos(k) * t(-beta) + t(alpha)

    return _make(fn, window_length, periodic, dtype, requires_grad, device, body)


def hann_window(
    window_length,
    periodic=True,
    *,
    dtype=None,
    layout=None,
    device=None,
    pin_memory=False,
    requires_grad=False,
):
    """0.5 - 0.5 cos(2 pi n / (N - 1)) = sin(pi n / (N - 1))^2."""
    return _hamming("hann_window", window_length, periodic, 0.5, 0.5, dtype, requires_grad, device)


def blackman_window(
    window_length,
    periodic=True,
    *,
    dtype=None,
    layout=None,
    device=None,
    pin_memory=False,
    requires_grad=False,
):
    """0.42 - 0.5 cos(2 pi n / (N - 1)) + 0.08 cos(4 pi n / (N - 1))."""

    def body(k, n, t):
        k = k * t(math.pi / (n - 1))
        return (np.cos(k * t(4)) * t(0.08) - np.cos(k * t(2)) * t(0.5)) + t(0.42)

    return _make("blackman_window", window_length, periodic, dtype, requires_grad, device, body)


def bartlett_window(
    window_length,
    periodic=True,
    *,
    dtype=None,
    layout=None,
    device=None,
    pin_memory=False,
    requires_grad=False,
):
    """The triangle 1 - |2n / (N - 1) - 1|."""

    def body(k, n, t):
        k = k * t(2.0 / (n - 1))
        half = ((n - 1) >> 1) + 1
        k[half:] = k[half:] * t(-1) + t(2)
        return k

    return _make("bartlett_window", window_length, periodic, dtype, requires_grad, device, body)


def kaiser_window(
    window_length,
    periodic=True,
    beta=12.0,
    *,
    dtype=None,
    layout=None,
    device=None,
    pin_memory=False,
    requires_grad=False,
):
    """I0(beta sqrt(1 - ((n - a) / a)^2)) / I0(beta), a = (N - 1) / 2."""

    def body(k, n, t):
        alpha = t((n - 1) / 2.0)
        b = t(beta)
        inner = np.abs(1 - ((k - alpha) / alpha) ** t(2.0))
        return (np.i0(b * np.sqrt(inner)) / np.i0(b)).astype(t)

    return _make("kaiser_window", window_length, periodic, dtype, requires_grad, device, body)


publish(__name__)  # NumPy's argument names, chainrule.<name>: _lazy.py
