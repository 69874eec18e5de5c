"""Making tensors: from Python data and arrays, filled, ranges, and random."""

from __future__ import annotations

import numbers
import warnings

import numpy as np

from .. import dtypes
from ..random import rng
from ..tensor import Tensor
from .dims import shape_arg

__all__ = [
    "arange",
    "as_tensor",
    "bernoulli",
    "empty",
    "empty_like",
    "eye",
    "from_numpy",
    "full",
    "full_like",
    "linspace",
    "logspace",
    "multinomial",
    "normal",
    "ones",
    "ones_like",
    "rand",
    "rand_like",
    "randint",
    "randint_like",
    "randn",
    "randn_like",
    "randperm",
    "tensor",
    "zeros",
    "zeros_like",
]

_wrap = Tensor._wrap


def _leaves_are_python(data):
    """True when every leaf of nested lists is a Python number (so float means default dtype)."""
    stack = [data]
    while stack:
        x = stack.pop()
        if isinstance(x, (list, tuple)):
            stack.extend(x)
        elif isinstance(x, (Tensor, np.ndarray, np.generic)):
            return False
    return True


def _array_from(data, dtype):
    np_dtype = dtypes.to_dtype(dtype).np if dtype is not None else None
    if isinstance(data, Tensor):
        arr = data._data
        return arr.astype(np_dtype) if np_dtype is not None else arr.copy()
    if isinstance(data, np.ndarray):
        dtypes.from_numpy_dtype(data.dtype)
        return np.array(data, dtype=np_dtype)
    if isinstance(data, (list, tuple)) and any(isinstance(x, Tensor) for x in data):
        data = [x._data if isinstance(x, Tensor) else x for x in data]
    try:
        arr = np.array(data, dtype=np_dtype)
    except (ValueError, TypeError) as e:
        raise ValueError(f"could not build a tensor from {type(data).__name__}: {e}") from None
    if arr.dtype == object or arr.dtype.kind in "USV":
        raise TypeError(f"Could not infer dtype of {type(_first_leaf(data)).__name__}")
    if np_dtype is None:
        if arr.dtype == np.float64 and _leaves_are_python(data):
            arr = arr.astype(dtypes.get_default_dtype().np)
        elif arr.dtype.kind == "c":
            raise TypeError("chainrule does not support complex tensors")
        else:
            dtypes.from_numpy_dtype(arr.dtype)
    return arr


def _first_leaf(data):
    while isinstance(data, (list, tuple)) and data:
        data = data[0]
    return data


def _finish(arr, requires_grad, device=None):
    if device is not None:
        from ..device import check_device

        check_device(device)
    t = _wrap(arr)
    if requires_grad:
        t.requires_grad = True
    return t


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new leaf tensor holding a copy of data (dtype inferred as PyTorch infers it)."""
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use sourceTensor.clone()."
            "detach() or sourceTensor.clone().detach().requires_grad_(True), rather than "
            "torch.tensor(sourceTensor).",
            UserWarning,
            stacklevel=2,
        )
    return _finish(_array_from(data, dtype), requires_grad, device)


def as_tensor(data, dtype=None, device=None):
    """Like tensor(), but shares memory with a Tensor or ndarray when no conversion is needed."""
    if isinstance(data, Tensor):
        return data if dtype is None or data.dtype is dtypes.to_dtype(dtype) else data.to(dtype)
    if isinstance(data, np.ndarray) and (dtype is None or data.dtype == dtypes.to_dtype(dtype).np):
        dtypes.from_numpy_dtype(data.dtype)
        return _wrap(data)
    return _finish(_array_from(data, dtype), False, device)


def from_numpy(ndarray):
    """A tensor sharing memory with the NumPy array."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    dtypes.from_numpy_dtype(ndarray.dtype)
    return _wrap(ndarray)


def _dtype_np(dtype):
    return (dtypes.to_dtype(dtype) if dtype is not None else dtypes.get_default_dtype()).np


def _filled(fill):
    def make(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
             pin_memory=False, memory_format=None):
        shape = shape_arg(size)
        _check_sizes(shape)
        return _finish(fill(shape, _dtype_np(dtype)), requires_grad, device)

    return make


def _check_sizes(shape):
    for s in shape:
        if s < 0:
            raise RuntimeError(
                f"Trying to create tensor with negative dimension {s}: {list(shape)}"
            )


zeros = _filled(np.zeros)
ones = _filled(np.ones)
empty = _filled(np.zeros)  # zero-filled: reading "uninitialised" memory never surprises
zeros.__name__, ones.__name__, empty.__name__ = "zeros", "ones", "empty"


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False, layout=None):
    shape = shape_arg((size,))
    _check_sizes(shape)
    if dtype is None:
        dtype = dtypes.scalar_dtype(fill_value) if not isinstance(fill_value, Tensor) else None
    return _finish(np.full(shape, fill_value, _dtype_np(dtype)), requires_grad, device)


def _like(maker):
    def make(input, *, dtype=None, device=None, requires_grad=False, layout=None,
             memory_format=None):
        d = dtype if dtype is not None else input.dtype
        return maker(input.shape, dtype=d, device=device, requires_grad=requires_grad)

    return make


zeros_like = _like(zeros)
ones_like = _like(ones)
empty_like = _like(empty)


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False):
    d = dtype if dtype is not None else input.dtype
    return full(input.shape, fill_value, dtype=d, device=device, requires_grad=requires_grad)


def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad=False, out=None):
    if end is None:
        start, end = 0, start
    start, end, step = (x.item() if isinstance(x, Tensor) else x for x in (start, end, step))
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError(
            "upper bound and larger bound inconsistent with step sign"
        )
    if dtype is None:
        is_int = all(isinstance(x, numbers.Integral) for x in (start, end, step))
        dtype = dtypes.int64 if is_int else dtypes.get_default_dtype()
    d = dtypes.to_dtype(dtype)
    n = int(np.ceil((end - start) / step))
    values = start + step * np.arange(n, dtype=np.float64 if d.is_floating_point else np.int64)
    return _finish(values.astype(d.np), requires_grad, device)


def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False):
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    return _finish(np.linspace(start, end, steps).astype(_dtype_np(dtype)), requires_grad, device)


def logspace(start, end, steps, base=10.0, *, dtype=None, device=None, requires_grad=False):
    values = np.logspace(start, end, steps, base=base)
    return _finish(values.astype(_dtype_np(dtype)), requires_grad, device)


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False):
    return _finish(np.eye(n, m, dtype=_dtype_np(dtype)), requires_grad, device)


# -- random ---------------------------------------------------------------------------------
def rand(*size, generator=None, dtype=None, device=None, requires_grad=False, out=None):
    shape = shape_arg(size)
    arr = rng(generator).random(shape, dtype=np.float64).astype(_dtype_np(dtype))
    return _finish(arr, requires_grad, device)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False, out=None):
    shape = shape_arg(size)
    arr = rng(generator).standard_normal(shape).astype(_dtype_np(dtype))
    return _finish(arr, requires_grad, device)


def randint(low, high=None, size=None, *, generator=None, dtype=None, device=None,
            requires_grad=False):
    if high is None:
        low, high = 0, low
    if size is None:
        raise TypeError("randint() missing 1 required positional argument: 'size'")
    d = dtypes.to_dtype(dtype) if dtype is not None else dtypes.int64
    arr = rng(generator).integers(low, high, size=tuple(size)).astype(d.np)
    return _finish(arr, requires_grad, device)


def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False):
    d = dtypes.to_dtype(dtype) if dtype is not None else dtypes.int64
    return _finish(rng(generator).permutation(n).astype(d.np), requires_grad, device)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, dtype=None, requires_grad=False):
    m = mean._data if isinstance(mean, Tensor) else mean
    s = std._data if isinstance(std, Tensor) else std
    if size is None:
        size = np.broadcast(np.asarray(m), np.asarray(s)).shape
    if isinstance(s, (int, float)) and s < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {s}")
    np_dtype = (
        mean._data.dtype if isinstance(mean, Tensor) else std._data.dtype
        if isinstance(std, Tensor) else _dtype_np(dtype)
    )
    arr = (m + s * rng(generator).standard_normal(tuple(size))).astype(np_dtype)
    return _finish(arr, requires_grad, None)


def rand_like(input, *, dtype=None, generator=None, requires_grad=False, device=None):
    return rand(input.shape, dtype=dtype or input.dtype, generator=generator,
                requires_grad=requires_grad)


def randn_like(input, *, dtype=None, generator=None, requires_grad=False, device=None):
    return randn(input.shape, dtype=dtype or input.dtype, generator=generator,
                 requires_grad=requires_grad)


def randint_like(input, low, high=None, *, dtype=None, generator=None):
    return randint(low, high, input.shape, dtype=dtype or input.dtype, generator=generator)


def bernoulli(input, p=None, *, generator=None):
    probs = input._data if p is None else np.full(input._data.shape, p)
    draws = rng(generator).random(probs.shape) < probs
    return _wrap(draws.astype(input._data.dtype))


def multinomial(input, num_samples, replacement=False, *, generator=None):
    probs = input._data.astype(np.float64)
    rows = probs.reshape(-1, probs.shape[-1])
    out = []
    g = rng(generator)
    for row in rows:
        p = row / row.sum()
        out.append(g.choice(len(p), size=num_samples, replace=replacement, p=p))
    arr = np.array(out, dtype=np.int64).reshape(probs.shape[:-1] + (num_samples,))
    return _wrap(arr)


def legacy_tensor_init(self, args, kwargs):
    """torch.Tensor(data) or torch.Tensor(*sizes): always the default float dtype."""
    if len(args) == 1 and not isinstance(args[0], int):
        arr = _array_from(args[0], dtypes.float32)
    else:
        arr = np.zeros(shape_arg(args) if args else (0,), dtype=np.float32)
    self._data = arr
    self._requires_grad = False
    self._grad = None
    self.grad_fn = None
    self._output_nr = 0
    self._version_counter = [0]
    self._base = None
    self._acc = None
