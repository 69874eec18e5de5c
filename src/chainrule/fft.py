"""chainrule.fft: torch.fft's transforms, frequencies and shifts (ops/fft.py computes).

Each function composes the three primitive transforms as PyTorch does (so its grad_fn
names and its derivatives are PyTorch's): `norm=` picks the scaling ("backward": the
inverse divides by n; "forward": the forward does; "ortho": both by sqrt(n)), `n`/`s` pad
with zeros or cut, `dim` picks the axes.
"""

from __future__ import annotations

import numpy as np

from . import dtypes
from .ops import fft as _f
from .ops.creation import _finish
from .ops.shape import roll
from .tensor import Tensor

__all__ = [
    "fft",
    "fft2",
    "fftfreq",
    "fftn",
    "fftshift",
    "hfft",
    "hfft2",
    "hfftn",
    "ifft",
    "ifft2",
    "ifftn",
    "ifftshift",
    "ihfft",
    "ihfft2",
    "ihfftn",
    "irfft",
    "irfft2",
    "irfftn",
    "rfft",
    "rfft2",
    "rfftn",
]


def _one_dim(x, n, dim):
    d = _f.wrap_dim(dim, x._data.ndim)
    size = x._data.shape[d] if n is None else int(n)
    _f.check_n(size)
    if n is not None:
        x = _f.resize(x, [d], [size])
    return x, d


def _c2c_1d(fn, x, n, dim, norm, forward):
    x, d = _one_dim(x, n, dim)
    return _f.c2c(x, [d], _f.norm_mode(norm, forward), forward)


def _r2c_1d(fn, x, n, dim, norm, forward, onesided):
    if x.is_complex():
        raise RuntimeError(f"{fn} expects a real input tensor, but got {_name(x)}")
    x = _f.promote(x)
    x, d = _one_dim(x, n, dim)
    out = _f.r2c(x, [d], _f.norm_mode(norm, forward), onesided)
    return out if forward else out.conj()


def _c2r_1d(fn, x, n, dim, norm, forward):
    x = _f.promote(x, require_complex=True)
    d = _f.wrap_dim(dim, x._data.ndim)
    size = 2 * (x._data.shape[d] - 1) if n is None else int(n)
    _f.check_n(size)
    if n is not None:
        x = _f.resize(x, [d], [size // 2 + 1])
    if forward:
        x = x.conj()
    return _f.c2r(x, [d], _f.norm_mode(norm, forward), size)


def _name(x):
    return dtypes.scalar_type_name(x.dtype)


def fft(input, n=None, dim=-1, norm=None):
    """The 1-D discrete Fourier transform (complex result)."""
    if input.is_complex():
        return _c2c_1d("fft", _f.promote(input), n, dim, norm, True)
    return _r2c_1d("fft", input, n, dim, norm, True, False)


def ifft(input, n=None, dim=-1, norm=None):
    """The 1-D inverse discrete Fourier transform (complex result)."""
    if input.is_complex():
        return _c2c_1d("ifft", _f.promote(input), n, dim, norm, False)
    return _r2c_1d("ifft", input, n, dim, norm, False, False)


def rfft(input, n=None, dim=-1, norm=None):
    """The FFT of real input: the n//2 + 1 non-negative frequencies."""
    return _r2c_1d("rfft", input, n, dim, norm, True, True)


def irfft(input, n=None, dim=-1, norm=None):
    """The inverse of rfft: a real signal of length n (default 2 * (input.size(dim) - 1))."""
    return _c2r_1d("irfft", input, n, dim, norm, False)


def hfft(input, n=None, dim=-1, norm=None):
    """The FFT of a Hermitian-symmetric signal given by its first half (real result)."""
    return _c2r_1d("hfft", input, n, dim, norm, True)


def ihfft(input, n=None, dim=-1, norm=None):
    """The inverse of hfft: the one-sided inverse FFT of a real signal."""
    return _r2c_1d("ihfft", input, n, dim, norm, False, True)


def fftn(input, s=None, dim=None, norm=None):
    """The n-dimensional FFT over dim (every dim by default; the last len(s) with s)."""
    shape, dims = _f.shape_and_dims(input, s, dim)
    x = _f.promote(input, require_complex=True)
    x = _f.resize(x, dims, shape)
    return _f.c2c(x, dims, _f.norm_mode(norm, True), True)


def ifftn(input, s=None, dim=None, norm=None):
    shape, dims = _f.shape_and_dims(input, s, dim)
    x = _f.promote(input, require_complex=True)
    x = _f.resize(x, dims, shape)
    return _f.c2c(x, dims, _f.norm_mode(norm, False), False)


def rfftn(input, s=None, dim=None, norm=None):
    if input.is_complex():
        raise RuntimeError(f"rfftn expects a real-valued input tensor, but got {_name(input)}")
    shape, dims = _f.shape_and_dims(input, s, dim)
    if not shape:
        raise RuntimeError("rfftn must transform at least one axis")
    x = _f.resize(_f.promote(input), dims, shape)
    return _f.r2c(x, dims, _f.norm_mode(norm, True), True)


def irfftn(input, s=None, dim=None, norm=None):
    shape, dims, last = _f.c2r_shape_and_dims("irfftn", input, s, dim)
    x = _f.resize(_f.promote(input, require_complex=True), dims, shape)
    return _f.c2r(x, dims, _f.norm_mode(norm, False), last)


def hfftn(input, s=None, dim=None, norm=None):
    shape, dims, last = _f.c2r_shape_and_dims("hfftn", input, s, dim)
    x = _f.resize(_f.promote(input, require_complex=True), dims, shape)
    mode = _f.norm_mode(norm, True)
    if len(dims) > 1:
        x = _f.c2c(x, dims[:-1], mode, True)
    return _f.c2r(x.conj(), [dims[-1]], mode, last)


def ihfftn(input, s=None, dim=None, norm=None):
    if input.is_complex():
        raise RuntimeError(f"ihfftn expects a real-valued input tensor, but got {_name(input)}")
    shape, dims = _f.shape_and_dims(input, s, dim)
    if not shape:
        raise RuntimeError("ihfftn must transform at least one axis")
    x = _f.resize(_f.promote(input), dims, shape)
    mode = _f.norm_mode(norm, False)
    out = _f.r2c(x, [dims[-1]], mode, True)
    if len(dims) == 1:
        return out.conj()
    return _f.c2c(out.conj_physical(), dims[:-1], mode, False)


def _two(fn, input, s, dim, norm):
    return fn(input, s=s, dim=dim, norm=norm)


def fft2(input, s=None, dim=(-2, -1), norm=None):
    return _two(fftn, input, s, dim, norm)


def ifft2(input, s=None, dim=(-2, -1), norm=None):
    return _two(ifftn, input, s, dim, norm)


def rfft2(input, s=None, dim=(-2, -1), norm=None):
    return _two(rfftn, input, s, dim, norm)


def irfft2(input, s=None, dim=(-2, -1), norm=None):
    return _two(irfftn, input, s, dim, norm)


def hfft2(input, s=None, dim=(-2, -1), norm=None):
    return _two(hfftn, input, s, dim, norm)


def ihfft2(input, s=None, dim=(-2, -1), norm=None):
    return _two(ihfftn, input, s, dim, norm)


# -- frequencies and shifts ---------------------------------------------------------------------
def _freq(values, n, d, dtype, requires_grad, device):
    dt = dtypes.get_default_dtype() if dtype is None else dtypes.to_dtype(dtype)
    if not (dt.is_floating_point or dt.is_complex):
        dt = dtypes.get_default_dtype()
    scale = dt.np.type(1.0 / (n * d)) if not dt.is_complex else 1.0 / (n * d)
    arr = np.asarray(values, dtype=dt.np) * scale
    return _finish(np.asarray(arr, dtype=dt.np), requires_grad, device)


def fftfreq(n, d=1.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """The sample frequencies of an n-point FFT: [0, 1, ..., -(n//2), ..., -1] / (n * d)."""
    k = np.arange(n)
    k[(n + 1) // 2 :] -= n
    return _freq(k, n, d, dtype, requires_grad, device)


def rfftfreq(n, d=1.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """The sample frequencies of an n-point rfft: [0, 1, ..., n//2] / (n * d)."""
    return _freq(np.arange(n // 2 + 1), n, d, dtype, requires_grad, device)


def _shift(input, dim, up):
    if dim is None:
        dims = list(range(input._data.ndim))
    else:
        dims = [dim] if isinstance(dim, int) else list(dim)
    shape = input._data.shape
    shifts = [(shape[d] + (1 if up else 0)) // 2 for d in dims]
    if not dims:
        return input
    return roll(input, shifts, dims)


def fftshift(input, dim=None):
    """The zero frequency moved to the centre (a roll by size // 2 along each dim)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"fftshift(): argument 'input' must be Tensor, not {type(input).__name__}")
    return _shift(input, dim, False)


def ifftshift(input, dim=None):
    """The inverse of fftshift (a roll by (size + 1) // 2)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"ifftshift(): argument 'input' must be Tensor, not {type(input).__name__}")
    return _shift(input, dim, True)
