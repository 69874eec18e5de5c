"""The in-place random fills (Tensor.uniform_, normal_, random_, exponential_, geometric_,
log_normal_, cauchy_, bernoulli_): PyTorch's CPU kernels, their checks and messages.

Each fill draws from the generator (the default one unless generator= is given) and
writes the values in the order of the tensor's memory, as PyTorch's serial kernels do.
Every sampling function of sampling.py is one of these applied to a new tensor.
"""

from __future__ import annotations

import math

import numpy as np

from .. import _cpu, _narrow, dtypes
from ..ops.op import tensor_method
from . import _kernels as K
from . import default_generator

_F16, _F32, _F64 = np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64)


def generator_or_default(generator):
    return default_generator if generator is None else generator


def _cfmt(x):
    """A number as C++ streams print it (1 not 1.0, 1e-07): PyTorch's messages use this."""
    return f"{x:g}" if isinstance(x, float) else str(x)


def _not_implemented(kernel, d):
    return NotImplementedError(f"\"{kernel}\" not implemented for '{dtypes.scalar_type_name(d)}'")


def _write(self, values):
    """Put values (flat, in memory order) into self: a write like the optimizers' in-place
    ops, with no graph and a version bump."""
    from ..autograd.grad_mode import state
    from ..ops.inplace import check_inplace_allowed

    if state.enabled and self._requires_grad:
        check_inplace_allowed(self)
    arr = self._data
    with np.errstate(all="ignore"):
        np.copyto(arr, K.values_in_memory_order(arr, values), casting="unsafe")
    self._bump_version()
    return self


def _number(x):
    from ..tensor import Tensor

    if isinstance(x, Tensor):
        return x.item()
    return x


# -- uniform ----------------------------------------------------------------------------------
def _check_float_bounds(d, values):
    """PyTorch's range checks of floating-point bounds: each within the dtype's range."""
    info = np.finfo(d.np)
    for name, v in values:
        if not (-float(info.max) <= v <= float(info.max)):
            raise RuntimeError(f"{name} is out of bounds for {dtypes.cpp_type_name(d)}")


def computed_as(d):
    """The NumPy dtype a kernel computes d in: float16 and bfloat16 are computed in float32,
    then rounded (PyTorch's reduced-precision sampling works at float precision)."""
    return _F32 if d.np == _F16 or d.np.metadata is not None else d.np


def rounded_to(values, d):
    """values (as computed_as(d) computed them) in d's dtype, rounded to it."""
    if d.np.metadata is not None:  # bfloat16 (chainrule/_narrow.py)
        return _narrow.to_narrow(values, _narrow.narrow_name(d.np))
    return values.astype(d.np, copy=False)


def parts_dtype(d, kernel):
    """The real dtype a fill of dtype d draws: a complex tensor is filled as PyTorch fills
    it, through its view_as_real (two values, real then imaginary part, per element)."""
    real = d.to_real() if d.is_complex else d
    if not real.is_floating_point:
        raise _not_implemented(kernel, d)
    return real


def as_elements(values, d):
    """Flat drawn values as the elements of a tensor of dtype d: for a complex d, each pair
    the real and imaginary parts of one element."""
    if not d.is_complex:
        return values
    pairs = values.reshape(-1, 2)
    out = np.empty(pairs.shape[0], d.np)
    out.real = pairs[:, 0]
    out.imag = pairs[:, 1]
    return out


def uniform_values(gen, n, d, a, b):
    """n uniforms in [a, b) for chainrule dtype d, as PyTorch's uniform kernel computes
    them: from + u * (to - from) with one rounding, from and to first rounded to the
    computing dtype (two roundings where PyTorch runs its generic kernels)."""
    if computed_as(d) == _F64:
        u = K.unit_float64(gen.words64(n))
        if (a, b) == (0.0, 1.0):
            return u  # below 1 already
        values = K.fma64(u, b - a, a) if _cpu.fused() else u * (b - a) + a
    else:
        u = K.uniform_float32(gen, n)
        lo, hi = _F32.type(a), _F32.type(b)
        if (lo, hi) == (0, 1) and d is dtypes.float32:
            return u
        with np.errstate(over="ignore"):
            if (lo, hi) == (0, 1):
                values = u
            elif _cpu.fused():
                values = K.fma32(u, hi - lo, lo)
            else:  # PyTorch's generic kernels round the product and the sum apart
                values = u * (hi - lo) + lo
        values = rounded_to(values, d)
    # a value that rounds up to `to` becomes `from`, keeping the interval half-open
    top = d.np.type(b)
    values[values >= top] = d.np.type(a)
    return values


@tensor_method("uniform_")
def uniform_(self, a=0.0, b=1.0, *, generator=None):
    """Fill with values drawn uniformly from [a, b) (each part of a complex value)."""
    d = parts_dtype(self.dtype, "check_uniform_bounds")
    a, b = float(_number(a)), float(_number(b))
    _check_float_bounds(d, [("from", a), ("to", b)])
    if not a <= b:
        raise RuntimeError(
            f"uniform_ expects to return a [from, to) range, but found from={_cfmt(a)} > "
            f"to={_cfmt(b)}"
        )
    if not b - a <= float(np.finfo(d.np).max):
        raise RuntimeError(
            f"uniform_ expects to-from <= std::numeric_limits<{dtypes.scalar_type_name(d)}>"
            f"::max(), but found to={_cfmt(b)} and from={_cfmt(a)} which result in to-from to "
            "exceed the limit"
        )
    if self._data.size == 0:
        return self
    gen = generator_or_default(generator)
    n = self._data.size * (2 if self.is_complex() else 1)
    return _write(self, as_elements(uniform_values(gen, n, d, a, b), self.dtype))


# -- normal -----------------------------------------------------------------------------------
def check_std(std):
    if math.isnan(std) or std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_cfmt(std)}")


def normal_values(gen, n, d, mean, std, contiguous=True):
    """n normals of chainrule dtype d: normal_fill for contiguous tensors of 16 or more,
    the serial Box-Muller otherwise."""
    from . import _normal  # (the normal kernels load at the first normal draw)

    npd = computed_as(d)
    if n >= 16 and contiguous:
        half = d.np == _F16 or d.np.metadata is not None  # float16, bfloat16: block by block
        values = _normal.normal_fill(gen, n, npd, npd.type(mean), npd.type(std), half)
    else:
        values = _normal.serial_normal(gen, n, npd, mean, std)
    return rounded_to(values, d)


@tensor_method("normal_")
def normal_(self, mean=0.0, std=1.0, *, generator=None):
    """Fill with values drawn from N(mean, std**2); a complex tensor's parts each from
    N(mean, std**2 / 2), as PyTorch draws them."""
    d = parts_dtype(self.dtype, "normal_kernel_cpu")
    mean, std = float(_number(mean)), float(_number(std))
    check_std(std)
    arr = self._data
    if arr.size == 0:
        return self
    gen = generator_or_default(generator)
    n, std = (2 * arr.size, std / math.sqrt(2)) if self.is_complex() else (arr.size, std)
    values = normal_values(gen, n, d, mean, std, arr.flags.c_contiguous)
    return _write(self, as_elements(values, self.dtype))


# -- integers ---------------------------------------------------------------------------------
_INT64_MIN, _INT64_MAX = -(1 << 63), (1 << 63) - 1


def _float_from(d, value):
    """PyTorch's update_from: a lower bound the float dtype cannot hold is raised to one it
    can."""
    plus1 = int(d.np.type(value + 1))
    if plus1 < value:
        n = abs(value + 1).bit_length() - 1
        value = plus1 + (1 << (n - _DIGITS[d.name] + 1))
    return value


def _float_to(d, value):
    minus1 = int(d.np.type(value - 1))
    if minus1 >= value:
        n = abs(value - 1).bit_length() - 1
        value = minus1 - (1 << (n - _DIGITS[d.name] + 1))
    return value


_DIGITS = {"float16": 11, "float32": 24, "float64": 53}


def _check_in_range(d, low, high_inclusive):
    """PyTorch's check_from_to_in_range: both ends representable in the dtype."""
    import warnings

    if d.is_floating_point:
        _check_float_bounds(d, [("from", low), ("to - 1", high_inclusive)])
        digits = _DIGITS[d.name]
        for name, v in (("from", low), ("to - 1", high_inclusive)):
            if v < -(1 << digits) or v > (1 << digits):
                warnings.warn(
                    f"{name} is out of bounds [-(2^{digits}), 2^{digits}]. Due to precision "
                    f"limitations {dtypes.cpp_type_name(d)} can support discrete uniform "
                    "distribution only within this range. This warning will become an error in "
                    "version 1.7 release, please fix the code in advance",
                    UserWarning,
                    stacklevel=4,
                )
        return
    if d is dtypes.bool_:
        lo, hi = 0, 1
    else:
        info = np.iinfo(d.np)
        lo, hi = int(info.min), int(info.max)
    for name, v in (("from", low), ("to - 1", high_inclusive)):
        if not lo <= v <= hi:
            raise RuntimeError(f"{name} is out of bounds for {dtypes.cpp_type_name(d)}")


def _int_arg(name, x):
    x = _number(x)
    if isinstance(x, bool) or not isinstance(x, (int, np.integer)):
        raise TypeError(
            f"random_() received an invalid combination of arguments - got {name} of type "
            f"{type(x).__name__}"
        )
    x = int(x)
    if not _INT64_MIN <= x <= _INT64_MAX:
        raise RuntimeError("Overflow when unpacking long long")
    return x


def random_range(d, low, high):
    """(base, range) of PyTorch's random_(from, to) for dtype d, after its checks; range 0
    stands for all 2**64 values (from = int64 min, to = None)."""
    if high is not None:
        if not low < high:
            raise RuntimeError(
                f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
            )
        if d.is_floating_point:
            low, high = _float_from(d, low), _float_to(d, high)
            if not low < high:
                raise RuntimeError(
                    "random_ expects 'from' casted to dtype to be less than 'to' casted to "
                    f"dtype, but got from={low} >= to={high}"
                )
        _check_in_range(d, low, high - 1)
        return low, high - low
    if low == _INT64_MIN:
        return low, 0
    if d.is_floating_point:
        to_inc = min(1 << _DIGITS[d.name], _INT64_MAX)
        low = _float_from(d, low)
        if not low < to_inc:
            raise RuntimeError(
                "random_ expects 'from' casted to dtype to be less than or equal to 'to_inc' "
                f"casted to dtype, but got from={low} > to_inc={to_inc}"
            )
    elif d is dtypes.bool_:
        to_inc = 1
    else:
        to_inc = int(np.iinfo(d.np).max)
    _check_in_range(d, low, to_inc)
    return low, to_inc - low + 1


def random_from_to_values(gen, n, base, span):
    """n draws of (word % span) + base, as int64: one 32-bit word each when span is below
    2**28, else a 64-bit draw; span 0 stands for all 2**64 values. The sum wraps around as
    PyTorch's unsigned arithmetic does before the cast to int64."""
    if span == 0:
        return gen.words64(n).view(np.int64)
    if span < (1 << 28):
        return (gen.words(n) % np.uint32(span)).astype(np.int64) + base
    r = gen.words64(n) % np.uint64(span)
    r += np.uint64(base & ((1 << 64) - 1))
    return r.view(np.int64)


def random_full_values(gen, n, d):
    """random_() with no bounds: [0, 2**mantissa] for floats, [0, max] for integers."""
    name = d.name
    if name == "bool":
        return gen.words(n) & np.uint32(1)
    if name in ("int64", "float64"):
        w = gen.words64(n)
        modulus = np.uint64(1 << 63) if name == "int64" else np.uint64((1 << 53) + 1)
        return w % modulus
    w = gen.words(n).astype(np.uint64)
    modulus = {"int32": 1 << 31, "int16": 1 << 15, "int8": 1 << 7, "uint8": 1 << 8}.get(name)
    if modulus is None:
        modulus = (1 << _DIGITS[name]) + 1
    return w % np.uint64(modulus)


@tensor_method("random_")
def random_(self, *args, generator=None, **kwargs):
    """random_(), random_(to) or random_(from, to): integers drawn uniformly from [from, to)
    (to=None: up to the dtype's largest value; no bounds: [0, 2**mantissa] for floats)."""
    if "from" in kwargs:
        args = (kwargs.pop("from"),) + args
    if "to" in kwargs:
        args = args + (kwargs.pop("to"),) if args else (0, kwargs.pop("to"))
    if kwargs:
        raise TypeError(f"random_() got an unexpected keyword argument '{next(iter(kwargs))}'")
    d = self.dtype
    n = self._data.size
    gen = generator_or_default(generator)
    if not args:
        if n == 0:
            return self
        return _write(self, random_full_values(gen, n, d))
    if len(args) == 1:
        low, high = 0, _int_arg("to", args[0])
    else:
        low = _int_arg("from", args[0])
        high = None if args[1] is None else _int_arg("to", args[1])
    base, span = random_range(d, low, high)
    if n == 0:
        return self
    return _write(self, random_from_to_values(gen, n, base, span))


# -- transforms of one double uniform ---------------------------------------------------------
def _float_only(d, message):
    if not d.is_floating_point:
        raise RuntimeError(message)


def _double_uniforms(gen, n):
    return K.unit_float64(gen.words64(n))


@tensor_method("exponential_")
def exponential_(self, lambd=1.0, *, generator=None):
    """Fill with draws of the exponential distribution of rate lambd: -log(1 - u) / lambd."""
    d = self.dtype
    lambd = float(_number(lambd))
    if not lambd > 0.0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={_cfmt(lambd)}")
    _float_only(
        d,
        "Exponential distribution is a continuous probability distribution. dtype must be a "
        f"floating point but you specified {dtypes.scalar_type_name(d)}",
    )
    n = self._data.size
    if n == 0:
        return self
    u = _double_uniforms(generator_or_default(generator), n)
    scale = -1.0 / lambd
    values = K.through_libm(
        lambda v: scale * np.log1p(-v), lambda v: scale * math.log1p(-v), [u], computed_as(d)
    )
    return _write(self, values)


@tensor_method("geometric_")
def geometric_(self, p, *, generator=None):
    """Fill with the number of Bernoulli(p) trials up to the first success:
    ceil(log(u) / log(1 - p))."""
    d = self.dtype
    p = float(_number(p))
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={_cfmt(p)}")
    if d is dtypes.bool_:
        raise _not_implemented("geometric_cpu", d)
    n = self._data.size
    if n == 0:
        return self
    u = _double_uniforms(generator_or_default(generator), n)
    denominator = math.log1p(-p)
    with np.errstate(all="ignore"):
        ratio = np.log(u) / denominator
    # the ceiling only moves where the ratio is within rounding of a whole number
    risky = np.abs(ratio - np.rint(ratio)) <= 1e-9 * np.maximum(np.abs(ratio), 1.0)
    if risky.any():
        ratio[risky] = K.libm_map(lambda v: _safe_log(v) / denominator, u[risky])
    return _write(self, np.ceil(ratio))


def _safe_log(v):
    return math.log(v) if v > 0 else -math.inf


@tensor_method("log_normal_")
def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    """Fill with exp(z), z drawn from N(mean, std**2) one at a time."""
    d = self.dtype
    mean, std = float(_number(mean)), float(_number(std))
    if not std > 0.0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={_cfmt(std)}")
    if not d.is_floating_point:
        raise _not_implemented("log_normal_cpu", d)
    n = self._data.size
    if n == 0:
        return self
    from . import _normal

    z = _normal.serial_normal(generator_or_default(generator), n, _F64, mean, std)
    return _write(self, K.through_libm(np.exp, math.exp, [z], computed_as(d)))


@tensor_method("cauchy_")
def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    """Fill with median + sigma * tan(pi * (u - 1/2))."""
    d = self.dtype
    median, sigma = float(_number(median)), float(_number(sigma))
    if not sigma > 0.0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={_cfmt(sigma)}")
    _float_only(
        d,
        "Cauchy distribution is a continuous probability distribution. dtype must be a "
        f"floating point but you specified {dtypes.cpp_type_name(d)}",
    )
    n = self._data.size
    if n == 0:
        return self
    u = _double_uniforms(generator_or_default(generator), n)
    values = K.through_libm(
        lambda v: K.fma64(sigma, np.tan(math.pi * (v - 0.5)), median),
        lambda v: float(K.fma64(sigma, math.tan(math.pi * (v - 0.5)), median)),
        [u],
        computed_as(d),
    )
    return _write(self, values)


# -- bernoulli --------------------------------------------------------------------------------
def check_probability(p):
    if not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={_cfmt(p)}")


_P_OUT_OF_RANGE = (
    "Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error message be "
    "improved?  If so, please report an enhancement request to PyTorch.)"
)


def bernoulli_tensor_values(gen, p, out_arr):
    """Draws of u < p, p a NumPy array broadcast to out_arr's shape and read in out_arr's
    memory order: float64 p compares a double uniform (two words), other float dtypes a
    float32 uniform (one word)."""
    if p.dtype.kind != "f":
        raise _not_implemented("bernoulli_tensor_cpu_p_", dtypes.from_numpy_dtype(p.dtype))
    p = np.broadcast_to(p, out_arr.shape)
    if not ((p >= 0) & (p <= 1)).all():
        raise RuntimeError(_P_OUT_OF_RANGE)
    flat_p = _in_memory_order(out_arr, p)
    n = flat_p.size
    if p.dtype == _F64:
        return K.unit_float64(gen.words64(n)) < flat_p
    return K.unit_float32(gen.words(n)) < flat_p.astype(_F32)


def _in_memory_order(arr, values):
    """values (arr's shape) flattened in the order of arr's memory."""
    if arr.flags.c_contiguous:
        return np.ascontiguousarray(values).reshape(-1)
    order = sorted(range(arr.ndim), key=lambda i: -abs(arr.strides[i]))
    return np.ascontiguousarray(values.transpose(order)).reshape(-1)


@tensor_method("bernoulli_")
def bernoulli_(self, p=0.5, *, generator=None):
    """Fill with 1 where a uniform draw falls below p (a number, or a tensor broadcast to
    self), else 0."""
    from ..tensor import Tensor

    gen = generator_or_default(generator)
    if isinstance(p, Tensor):
        if self._data.size == 0:
            return self
        return _write(self, bernoulli_tensor_values(gen, p._data, self._data))
    p = float(p)
    check_probability(p)
    n = self._data.size
    if n == 0:
        return self
    return _write(self, K.unit_float64(gen.words64(n)) < p)
