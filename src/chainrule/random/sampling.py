"""The sampling functions of the torch namespace: rand, randn, randint, randperm, normal,
bernoulli, multinomial, poisson and the *_like forms, with Tensor.bernoulli/multinomial.

Each is what PyTorch computes: a new tensor filled by one of the in-place fills of
fills.py (rand is empty(...).uniform_(), randint is empty(...).random_(low, high), ...), or
one of the algorithms of _permutation.py, _multinomial.py and _poisson.py.
"""

from __future__ import annotations

import math

import numpy as np

from .. import dtypes
from .._allocation import allocating
from ..ops.creation import (
    _C_TYPE_NAMES,
    _check_input,
    _check_sizes,
    _dtype_or_default,
    _finish,
    _is_int_like,
    _like,
    _not_implemented,
    _number,
    _size_arg,
    _store_out,
    _type_name,
)
from ..ops.op import tensor_method
from ..tensor import Tensor
from . import fills
from .fills import generator_or_default

__all__ = [
    "bernoulli",
    "multinomial",
    "normal",
    "poisson",
    "rand",
    "rand_like",
    "randint",
    "randint_like",
    "randn",
    "randn_like",
    "randperm",
]

_wrap = Tensor._wrap


def _new(shape, d):
    return _wrap(np.empty(shape, dtype=d.np))


def _done(t, requires_grad, device, out):
    result = _finish(t._data, requires_grad, device)
    return _store_out(result, out)


def rand(
    *size,
    generator=None,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
):
    """Uniform random values in [0, 1) (default dtype; both parts of a complex value):
    empty(size).uniform_()."""
    shape = _size_arg("rand", size)
    _check_sizes(shape)
    d = _dtype_or_default(dtype)
    real = fills.parts_dtype(d, "check_uniform_bounds")
    n = math.prod(shape) * (2 if d.is_complex else 1)
    values = fills.uniform_values(generator_or_default(generator), n, real, 0.0, 1.0)
    values = fills.as_elements(values, d)
    return _done(_wrap(values.reshape(shape)), requires_grad, device, out)


def randn(
    *size,
    generator=None,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
):
    """Standard normal random values (default dtype; a complex value's parts each with
    variance 1/2): empty(size).normal_()."""
    shape = _size_arg("randn", size)
    _check_sizes(shape)
    d = _dtype_or_default(dtype)
    real = fills.parts_dtype(d, "normal_kernel_cpu")
    n, std = (2 * math.prod(shape), 1 / math.sqrt(2)) if d.is_complex else (math.prod(shape), 1.0)
    values = fills.normal_values(generator_or_default(generator), n, real, 0.0, std)
    values = fills.as_elements(values, d)
    return _done(_wrap(values.reshape(shape)), requires_grad, device, out)


def _check_int_arg(name, x):
    x = _number(x)
    if not isinstance(x, (int, np.integer)) or isinstance(x, bool):
        raise TypeError(f"{name}() argument must be int, not {_type_name(x)}")
    return int(x)


def randint(
    low=0,
    high=None,
    size=None,
    *,
    generator=None,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
):
    """Random integers in [low, high) (int64 unless dtype says otherwise):
    randint(high, size) or randint(low, high, size)."""
    if size is None and high is not None and not _is_int_like(high):
        low, high, size = 0, low, high  # randint(high, size)
    if high is None:
        low, high = 0, low
    if size is None:
        raise TypeError("randint() missing 1 required positional argument: 'size'")
    low = _check_int_arg("randint", low)
    high = _check_int_arg("randint", high)
    if _is_int_like(size):
        raise TypeError(f"randint(): argument 'size' must be tuple of ints, not {_type_name(size)}")
    shape = _size_arg("randint", (size,))
    _check_sizes(shape)
    for v in (low, high):
        if not -(1 << 63) <= v < (1 << 63):
            raise ValueError("Overflow when unpacking long long")
    d = dtypes.to_dtype(dtype) if dtype is not None else dtypes.int64
    t = fills.random_(_new(shape, d), low, high, generator=generator)
    return _done(t, requires_grad, device, out)


def _check_randperm_size(n, d):
    if d is dtypes.bool_:
        raise _not_implemented("randperm", d)
    if d.is_floating_point:
        digits = {"float16": 11, "float32": 24, "float64": 53}[d.name]
        if n > (1 << digits) + 1:
            label = {"float16": "Half", "float32": "Float", "float64": "Double"}[d.name]
            raise RuntimeError(f"n cannot be greater than {(1 << digits) + 1} for {label} type.")
    elif n - 1 > np.iinfo(d.np).max:
        raise RuntimeError(
            f"value cannot be converted to type {_C_TYPE_NAMES[d.name]} without overflow"
        )


def randperm(
    n,
    *,
    generator=None,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
):
    """A random permutation of 0 .. n-1 (int64 unless dtype says otherwise), shuffled as
    PyTorch shuffles it."""
    if not _is_int_like(n) or isinstance(n, bool):
        raise TypeError(f"randperm(): argument 'n' (position 1) must be int, not {_type_name(n)}")
    n = int(n)
    _check_sizes((n,))
    d = dtypes.to_dtype(dtype) if dtype is not None else dtypes.int64
    _check_randperm_size(n, d)
    from ._permutation import randperm_values  # (loaded on first use, as the two below)

    values = randperm_values(generator_or_default(generator), n)
    result = _finish(values.astype(d.np), requires_grad, device)
    return _store_out(result, out)


def normal(
    mean=0.0,
    std=1.0,
    size=None,
    *,
    generator=None,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
):
    """Normal random values: normal(mean, std, size) with numbers, or with tensors of means
    and/or standard deviations (broadcast together): standard normals times std, plus mean."""
    mean_t = isinstance(mean, Tensor)
    std_t = isinstance(std, Tensor)
    for t in (mean, std):
        if isinstance(t, Tensor) and not t.is_floating_point():
            raise _not_implemented("normal_kernel_cpu", t.dtype)
    if std_t:
        if np.any(std._data < 0):
            raise RuntimeError("normal expects all elements of std >= 0.0")
    else:
        fills.check_std(float(std))
    if not (mean_t or std_t):
        if size is None:
            raise TypeError(
                "normal() received an invalid combination of arguments - got (float, float), "
                "but expected (float mean, float std, tuple of ints size) or tensor arguments"
            )
        shape = _size_arg("normal", (size,))
        _check_sizes(shape)
        d = _dtype_or_default(dtype)
        t = fills.normal_(_new(shape, d), float(mean), float(std), generator=generator)
        return _done(t, requires_grad, device, out)
    if mean_t and std_t:
        from ..ops.pointwise import broadcast_shapes_error

        try:
            shape = np.broadcast_shapes(mean._data.shape, std._data.shape)
        except ValueError:
            raise broadcast_shapes_error(mean._data.shape, std._data.shape) from None
        d = mean.dtype
    else:
        shape = (mean if mean_t else std)._data.shape
        d = (mean if mean_t else std).dtype
    z = fills.normal_(_new(shape, d), 0.0, 1.0 if std_t else float(std), generator=generator)
    arr = z._data
    with np.errstate(all="ignore"):
        if std_t:
            np.multiply(arr, std._data, out=arr, casting="unsafe")
        if mean_t:
            np.add(arr, mean._data, out=arr, casting="unsafe")
        else:
            np.add(arr, d.np.type(mean), out=arr, casting="unsafe")
    return _store_out(z, out)


rand_like = _like("rand_like", rand, random=True)
randn_like = _like("randn_like", randn, random=True)


def randint_like(
    input,
    low=0,
    high=None,
    *,
    generator=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    memory_format=None,
):
    """randint() with input's shape and (unless given) dtype: (input, [low,] high)."""
    _check_input("randint_like", input)
    if high is None:
        low, high = 0, low
    return randint(
        low,
        high,
        input.shape,
        generator=generator,
        dtype=dtype if dtype is not None else input.dtype,
        device=device,
        requires_grad=requires_grad,
    )


@tensor_method("bernoulli")
def bernoulli(input, p=None, *, generator=None, out=None):
    """Draws of 1 with probability input (or p), else 0, in input's dtype."""
    result = _wrap(np.empty_like(input._data))
    fills.bernoulli_(result, input if p is None else p, generator=generator)
    return _store_out(result, out)


@tensor_method("multinomial")
def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Indices drawn from each row of input's (unnormalised) probabilities: without
    replacement (the default) each index at most once."""
    from ._multinomial import multinomial_values

    values = multinomial_values(
        generator_or_default(generator), input._data, int(num_samples), bool(replacement)
    )
    return _store_out(_wrap(values), out)


def poisson(input, generator=None):
    """One draw of the Poisson distribution per element, with the element as its rate."""
    d = input.dtype
    if not d.is_floating_point:
        raise _not_implemented("poisson_cpu", d)
    rates = input._data.astype(np.float64).reshape(-1)
    if (rates < 0).any():
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    from ._poisson import poisson_values

    values = poisson_values(generator_or_default(generator), rates)
    return _wrap(values.astype(d.np).reshape(input._data.shape))


# An allocation that cannot be made raises OutOfMemoryError (a RuntimeError, as in PyTorch),
# as the creation functions' do (ops/creation.py).
for _name in __all__:
    globals()[_name] = allocating(globals()[_name])
del _name
