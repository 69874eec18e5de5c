"""The discrete Fourier transforms of torch.fft, on NumPy's pocketfft.

Three primitives carry every transform, as in PyTorch: complex-to-complex (FftC2C),
real-to-complex (FftR2C, one-sided or full) and complex-to-real (FftC2R, from a one-sided
Hermitian half). Each takes a normalisation mode (none, 1/sqrt(n), 1/n) and, for C2C, a
direction; the public functions (fft, rfft, hfftn, ...) only resize their input, choose
the mode from `norm=`, and conjugate where the transform is defined through its mirror
image, exactly as PyTorch composes them. The derivatives are PyTorch's: a DFT's adjoint is
the same-normalised DFT in the other direction; R2C's adds the missing half as zeros and
keeps the real part; C2R's is R2C with the mirrored entries counted twice.
"""

from __future__ import annotations

import math

import numpy as np

from .. import dtypes
from ..tensor import Tensor, _dim_index
from .dtype_dispatch import OWN, set_complex_mode
from .joining import cat
from .op import Op

_wrap = Tensor._wrap

NONE, BY_ROOT_N, BY_N = 0, 1, 2
# NumPy's norm= for (mode, forward): numpy scales the forward transform by its own name.
_NUMPY_NORM = {
    (NONE, True): "backward",
    (BY_N, True): "forward",
    (BY_ROOT_N, True): "ortho",
    (NONE, False): "forward",
    (BY_N, False): "backward",
    (BY_ROOT_N, False): "ortho",
}


def norm_mode(norm, forward):
    """PyTorch's normalisation of a transform in a direction, from its norm= string."""
    if norm is None or norm == "backward":
        return NONE if forward else BY_N
    if norm == "forward":
        return BY_N if forward else NONE
    if norm == "ortho":
        return BY_ROOT_N
    raise RuntimeError(f'Invalid normalization mode: "{norm}"')


def _complex_of(a):
    return dtypes.from_numpy_dtype(a.dtype).to_complex().np


def _wide(x):
    """Single precision is transformed in double and rounded once at the end: sums of many
    terms in float32 differ between FFT libraries by more than the inputs' rounding (and
    depend on the library's CPU kernel); from double the result is the nearest float32."""
    if x.dtype == np.float32:
        return x.astype(np.float64)
    if x.dtype == np.complex64:
        return x.astype(np.complex128)
    return x


class FftC2C(Op):
    name = "FftC2CBackward0"
    formula = "y = s F x (s the normalisation): dx = s F^H grad, the transform the other way"

    @staticmethod
    def forward(ctx, x, *, dims, mode, forward):
        ctx.params = (dims, mode, forward)
        norm = _NUMPY_NORM[(mode, forward)]
        fn = np.fft.fftn if forward else np.fft.ifftn
        out = fn(_wide(x), axes=dims, norm=norm) if dims else x.copy()
        return out.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        dims, mode, forward = ctx.params
        return c2c(grad, dims, mode, not forward)


class FftR2C(Op):
    name = "FftR2CBackward0"
    formula = (
        "y = s F x for real x (the first n//2+1 outputs if one-sided): dx = Re(s F^H pad(grad))"
    )

    @staticmethod
    def forward(ctx, x, *, dims, mode, onesided):
        ctx.params = (dims, mode, onesided, x.shape[dims[-1]])
        norm = _NUMPY_NORM[(mode, True)]
        wide = _wide(x)
        if onesided:
            out = np.fft.rfftn(wide, axes=dims, norm=norm)
        else:
            out = np.fft.fftn(wide, axes=dims, norm=norm)
        return out.astype(_complex_of(x), copy=False)

    @staticmethod
    def backward(ctx, grad):
        dims, mode, onesided, last = ctx.params
        if onesided:
            missing = last - grad._data.shape[dims[-1]]
            if missing > 0:
                shape = list(grad._data.shape)
                shape[dims[-1]] = missing
                grad = cat([grad, _wrap(np.zeros(shape, grad._data.dtype))], dims[-1])
        return c2c(grad, dims, mode, False).real


class FftC2R(Op):
    name = "FftC2RBackward0"
    formula = "y = s F^H x from a one-sided half x: dx = s F grad, one-sided, mirrored entries x2"

    @staticmethod
    def forward(ctx, x, *, dims, mode, last_dim_size):
        ctx.params = (dims, mode, last_dim_size)
        shape = [x.shape[d] for d in dims[:-1]] + [last_dim_size]
        norm = _NUMPY_NORM[(mode, False)]
        out = np.fft.irfftn(_wide(x), s=shape, axes=dims, norm=norm)
        return out.astype(x.real.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        dims, mode, last = ctx.params
        g = r2c(grad, dims, mode, True)
        half = g._data.shape[dims[-1]]
        double = last - half
        if double > 0:
            scale = np.ones(half, grad._data.dtype)
            scale[1 : 1 + double] = 2
            shape = [1] * grad._data.ndim
            shape[dims[-1]] = half
            g = g * _wrap(scale.reshape(shape))
        return g


set_complex_mode(OWN, FftC2C, FftC2R)


def c2c(x, dims, mode, forward):
    return FftC2C.apply(x, dims=tuple(dims), mode=mode, forward=forward)


def r2c(x, dims, mode, onesided):
    return FftR2C.apply(x, dims=tuple(dims), mode=mode, onesided=onesided)


def c2r(x, dims, mode, last_dim_size):
    return FftC2R.apply(x, dims=tuple(dims), mode=mode, last_dim_size=int(last_dim_size))


# -- argument handling, as PyTorch's ---------------------------------------------------------
def promote(x, require_complex=False):
    """Integer input becomes the default float type; half and bfloat16 are refused."""
    d = x.dtype
    if d in (dtypes.float16, dtypes.bfloat16, dtypes.complex32):
        raise RuntimeError(f"Unsupported dtype {dtypes.scalar_type_name(d)}")
    if not (d.is_floating_point or d.is_complex):
        x = x.to(dtypes.get_default_dtype())
    if require_complex and not x.is_complex():
        x = x.to(x.dtype.to_complex())
    return x


def wrap_dim(dim, ndim):
    if ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    return _dim_index(dim, ndim)


def resize(x, dims, sizes):
    """x zero-padded or cut to sizes along dims."""
    for d, n in zip(dims, sizes):
        have = x._data.shape[d]
        if n < have:
            index = [slice(None)] * x._data.ndim
            index[d] = slice(0, n)
            x = x[tuple(index)]
        elif n > have:
            shape = list(x._data.shape)
            shape[d] = n - have
            x = cat([x, _wrap(np.zeros(shape, x._data.dtype))], d)
    return x


def check_n(n):
    if n < 1:
        raise RuntimeError(f"Invalid number of data points ({n}) specified")


def shape_and_dims(x, s, dim):
    """PyTorch's canonical (shape, dims) of an n-dimensional transform."""
    ndim = x._data.ndim
    dims = None
    if dim is not None:
        dim = (dim,) if isinstance(dim, int) else tuple(dim)
        dims = [_dim_index(d, ndim) for d in dim] if ndim else list(dim)
        if ndim == 0 and dims:
            wrap_dim(dims[0], 0)
        if len(set(dims)) != len(dims):
            raise RuntimeError("FFT dims must be unique")
    if s is not None:
        s = (s,) if isinstance(s, int) else tuple(s)
        if dims is not None and len(dims) != len(s):
            raise RuntimeError("When given, dim and shape arguments must have the same length")
        if len(s) > ndim:
            raise RuntimeError(
                f"Got shape with {len(s)} values but input tensor only has {ndim} dimensions."
            )
        if dims is None:
            dims = list(range(ndim - len(s), ndim))
        shape = [x._data.shape[d] if n == -1 else int(n) for d, n in zip(dims, s)]
    elif dims is None:
        dims = list(range(ndim))
        shape = list(x._data.shape)
    else:
        shape = [x._data.shape[d] for d in dims]
    for n in shape:
        check_n(n)
    return shape, dims


def c2r_shape_and_dims(fn, x, s, dim):
    shape, dims = shape_and_dims(x, s, dim)
    if not shape:
        raise RuntimeError(f"{fn} must transform at least one axis")
    if s is None or tuple((s,) if isinstance(s, int) else s)[-1] == -1:
        last = 2 * (x._data.shape[dims[-1]] - 1)
    else:
        last = shape[-1]
    check_n(last)
    shape[-1] = last // 2 + 1
    return shape, dims, last


def root_n(n):
    return math.sqrt(n)
