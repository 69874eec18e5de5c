"""Making tensors: from Python data and arrays, filled, and ranges (random ones: chainrule.random).

Dtypes are inferred as PyTorch infers them: Python floats take the default
dtype, ints int64, bools bool; NumPy arrays and scalars and tensors keep their
own dtype; a nested list takes the promotion of all its leaves.
"""

import math
import numbers
import warnings
from collections.abc import Sequence

import numpy as np

from .. import _narrow, dtypes
from ..device import check_device
from ..tensor import Tensor
from .op import tensor_method

__all__ = [
    "arange",
    "as_tensor",
    "empty",
    "empty_like",
    "eye",
    "from_numpy",
    "full",
    "full_like",
    "linspace",
    "logspace",
    "ones",
    "ones_like",
    "tensor",
    "zeros",
    "zeros_like",
]

_wrap = Tensor._wrap
_PY_NUMBERS = frozenset((float, int, bool, complex))
_C_TYPE_NAMES = {
    "bool": "bool",
    "uint8": "uint8_t",
    "int8": "int8_t",
    "int16": "int16_t",
    "int32": "int32_t",
    "int64": "int64_t",
    "float16": "c10::Half",
    "float32": "float",
    "float64": "double",
}


def _type_name(x):
    """A value's type as PyTorch's argument errors name it: float, numpy.ndarray, ..."""
    t = type(x)
    if t.__module__ == "builtins" or isinstance(x, Tensor):  # PyTorch says just "Tensor"
        return t.__name__
    return f"{t.__module__.split('.')[0]}.{t.__name__}"


def _cfmt(x):
    """A number as C++ streams print it (1 not 1.0, 1e-07): PyTorch's messages use this."""
    return f"{x:g}" if isinstance(x, float) else str(x)


# -- inferring dtype and shape from nested Python data ---------------------------------------
def _is_sequence(x):
    return isinstance(x, (list, tuple, range)) or (
        isinstance(x, Sequence) and not isinstance(x, (str, bytes))
    )


def _leaf_dtype(x):
    t = type(x)
    if t is float:
        return dtypes.get_default_dtype()
    if t is bool:
        return dtypes.bool_
    if t is int:
        return dtypes.int64
    if t is complex:
        return dtypes.default_complex_dtype()
    if isinstance(x, Tensor):
        return x.dtype
    if isinstance(x, (np.ndarray, np.generic)):
        return dtypes.from_numpy_dtype(x.dtype)
    if isinstance(x, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{t.__name__}'")
    if isinstance(x, numbers.Complex) and not isinstance(x, numbers.Real):
        return dtypes.default_complex_dtype()
    if isinstance(x, numbers.Integral):
        return dtypes.int64
    if isinstance(x, numbers.Real):
        return dtypes.get_default_dtype()
    raise RuntimeError(f"Could not infer dtype of {t.__name__}")


def _infer_dtype(data):
    """The promotion of every leaf's dtype (the default float dtype when there are none),
    and whether any leaf is a tensor."""
    found = set()
    has_tensor = False
    stack = [data]
    while stack:
        x = stack.pop()
        if type(x) is list or type(x) is tuple:
            kinds = set(map(type, x))
            if kinds <= _PY_NUMBERS:  # the common case, checked at C speed
                found.update(_leaf_dtype(kind(0)) for kind in kinds)
            else:
                stack.extend(x)
        elif _is_sequence(x):
            stack.extend(x)
        else:
            found.add(_leaf_dtype(x))
            has_tensor = has_tensor or isinstance(x, Tensor)
    result = None
    for d in found:
        result = d if result is None else dtypes.promote_types(result, d)
    return (result if result is not None else dtypes.get_default_dtype()), has_tensor


def _infer_shape(data):
    """The shape read along first elements, as PyTorch reads it; checked against the rest later."""
    shape = []
    x = data
    while True:
        if isinstance(x, np.ndarray):
            return shape + list(x.shape)
        if isinstance(x, (str, bytes)):
            raise ValueError(f"too many dimensions '{type(x).__name__}'")
        if isinstance(x, Tensor) or not _is_sequence(x):
            return shape
        shape.append(len(x))
        if not len(x):
            return shape
        x = x[0]


def _check_nesting(x, shape, dim, dtype):
    """Raise PyTorch's error for the first place where x departs from shape."""
    if dim == len(shape):
        if _is_sequence(x) or isinstance(x, np.ndarray):
            if dtype.is_floating_point:
                raise TypeError(f"must be real number, not {type(x).__name__}")
            raise TypeError(f"'{type(x).__name__}' object cannot be interpreted as an integer")
        return
    if not (_is_sequence(x) or isinstance(x, np.ndarray)):
        raise TypeError("not a sequence")
    if len(x) != shape[dim]:
        raise ValueError(f"expected sequence of length {shape[dim]} at dim {dim} (got {len(x)})")
    for item in x:
        _check_nesting(item, shape, dim + 1, dtype)


def _unwrap_tensors(x):
    """Nested data with each tensor replaced by its single value, as PyTorch reads them."""
    if isinstance(x, Tensor):
        if x._data.size != 1:
            if x._data.dtype.kind in "iub":
                raise TypeError(
                    "only integer tensors of a single element can be converted to an index"
                )
            raise ValueError("only one element tensors can be converted to Python scalars")
        return x._data.reshape(())
    if isinstance(x, (list, tuple)) or (_is_sequence(x) and not isinstance(x, range)):
        return [_unwrap_tensors(item) for item in x]
    return x


def _convert(values, d, inferred):
    """np.array(values, dtype) with PyTorch's errors for values the dtype cannot hold."""
    try:
        with np.errstate(all="ignore"):
            return np.array(values, dtype=d.np)
    except OverflowError:
        if inferred:
            raise ValueError("Overflow when unpacking long long") from None
        raise RuntimeError(f"value cannot be converted to type {d.name} without overflow") from None
    except ValueError as e:
        if "NaN" in str(e) or "infinity" in str(e):
            raise RuntimeError(
                f"value cannot be converted to type {d.name} without overflow"
            ) from None
        raise


def _array_from(data, dtype):
    """A new NumPy array holding data, with PyTorch's dtype inference when dtype is None."""
    d = dtypes.to_dtype(dtype) if dtype is not None else None
    if isinstance(data, Tensor):
        arr = data._data
        return arr.astype(d.np) if d is not None else arr.copy()
    if isinstance(data, (np.ndarray, np.generic)):
        source = dtypes.from_numpy_dtype(data.dtype)
        with np.errstate(all="ignore"):
            return np.array(data, dtype=(d or source).np)
    if isinstance(data, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    if not _is_sequence(data):
        inferred = _leaf_dtype(data)
        return _convert(data, d or inferred, d is None)
    shape = _infer_shape(data)
    inferred, has_tensor = _infer_dtype(data)
    target = d or inferred
    if 0 in shape:
        return np.zeros(shape, dtype=target.np)
    values = _unwrap_tensors(data) if has_tensor else data
    try:
        arr = _convert(values, target, d is None)
    except ValueError:
        _check_nesting(values, shape, 0, target)
        raise
    if list(arr.shape) != shape:
        _check_nesting(values, shape, 0, target)
    return arr


def _finish(arr, requires_grad, device=None):
    if device is not None:
        check_device(device)
    name = arr.dtype.metadata and arr.dtype.metadata.get("chainrule")
    if name:  # bfloat16, complex32: values rounded to the narrow type (chainrule/_narrow.py)
        arr = _narrow.to_narrow(arr, name)
    t = _wrap(arr)
    if requires_grad:
        if arr.dtype.kind not in "fc":
            raise RuntimeError(
                "Only Tensors of floating point and complex dtype can require gradients"
            )
        t._requires_grad = True
    return t


def _store_out(result, out):
    """Write result into out (resizing it, as PyTorch's out= does) and return out."""
    if out is None:
        return result
    out._data = result._data.astype(out._data.dtype, copy=False)
    out._bump_version()
    return out


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new leaf tensor holding a copy of data (dtype inferred as PyTorch infers it)."""
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use "
            "sourceTensor.detach().clone() or sourceTensor.detach().clone().requires_grad_(True), "
            "rather than torch.tensor(sourceTensor).",
            UserWarning,
            stacklevel=2,
        )
    return _finish(_array_from(data, dtype), requires_grad, device)


def as_tensor(data, dtype=None, device=None):
    """Like tensor(), but shares memory with a Tensor or ndarray when no conversion is needed."""
    if device is not None:
        check_device(device)
    if isinstance(data, Tensor):
        if dtype is None or data.dtype is dtypes.to_dtype(dtype):
            return data
        return data.to(dtypes.to_dtype(dtype))
    if isinstance(data, np.ndarray):
        source = dtypes.from_numpy_dtype(data.dtype)
        if dtype is None or dtypes.to_dtype(dtype) is source:
            return _wrap(data)
    return _finish(_array_from(data, dtype), False)


def from_numpy(ndarray):
    """A tensor sharing memory with the NumPy array: writes to either show in both."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {_type_name(ndarray)})")
    dtypes.from_numpy_dtype(ndarray.dtype)
    return _wrap(ndarray)


# -- sizes and dtype arguments ----------------------------------------------------------------
def _is_int_like(x):
    if isinstance(x, (int, np.integer)):
        return True
    return isinstance(x, Tensor) and x._data.ndim == 0 and x._data.dtype.kind in "iu"


def _size_arg(name, size):
    """A shape given as varargs, one sequence or a Size, with PyTorch's errors for bad ones."""
    if not size:
        raise TypeError(f'{name}() missing 1 required positional arguments: "size"')
    if len(size) == 1 and not _is_int_like(size[0]):
        arg = size[0]
        if isinstance(arg, Tensor) and arg._data.ndim == 1:
            arg = arg.tolist()
        if not isinstance(arg, (tuple, list)):
            raise TypeError(
                f"{name}(): argument 'size' (position 1) must be tuple of ints, "
                f"not {_type_name(arg)}"
            )
        size = arg
    shape = []
    for i, s in enumerate(size):
        if not _is_int_like(s):
            raise TypeError(
                f"{name}(): argument 'size' failed to unpack the object at pos {i + 1} with "
                f'error "type must be tuple of ints,but got {_type_name(s)}"'
            )
        shape.append(int(s))
    return tuple(shape)


def _check_sizes(shape, name=None):
    for s in shape:
        if s < 0:
            if name == "zeros":
                raise RuntimeError("zeros: Dimension size must be non-negative.")
            raise RuntimeError(
                f"Trying to create tensor with negative dimension {s}: {list(shape)}"
            )


def _dtype_or_default(dtype):
    return dtypes.to_dtype(dtype) if dtype is not None else dtypes.get_default_dtype()


def _not_implemented(kernel, d):
    return NotImplementedError(f"\"{kernel}\" not implemented for '{dtypes.scalar_type_name(d)}'")


# -- filled tensors ---------------------------------------------------------------------------
def _filled(name, fill):
    def make(
        *size,
        out=None,
        dtype=None,
        layout=None,
        device=None,
        requires_grad=False,
        pin_memory=False,
        memory_format=None,
    ):
        shape = _size_arg(name, size)
        _check_sizes(shape, name)
        result = _finish(fill(shape, _dtype_or_default(dtype).np), requires_grad, device)
        return _store_out(result, out)

    make.__name__ = make.__qualname__ = name
    make.__doc__ = f"A tensor of the given size filled with {name} (default dtype: float32)."
    return make


zeros = _filled("zeros", np.zeros)
ones = _filled("ones", np.ones)
empty = _filled("empty", np.zeros)  # zero-filled: reading "uninitialised" memory never surprises


def _fill_dtype(fill_value):
    if isinstance(fill_value, Tensor):
        return fill_value.dtype
    if isinstance(fill_value, np.generic):
        return dtypes.from_numpy_dtype(fill_value.dtype)
    if isinstance(fill_value, (bool, np.bool_)):
        return dtypes.bool_
    if isinstance(fill_value, numbers.Integral):
        return dtypes.int64
    if isinstance(fill_value, numbers.Real):
        return dtypes.get_default_dtype()
    if isinstance(fill_value, numbers.Complex):
        return dtypes.default_complex_dtype()
    raise TypeError(
        f"full(): argument 'fill_value' (position 2) must be Number, not {_type_name(fill_value)}"
    )


def _full_array(shape, fill_value, d):
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    try:
        with np.errstate(all="ignore"):
            return np.full(shape, fill_value, d.np)
    except (OverflowError, ValueError):
        raise RuntimeError(
            f"value cannot be converted to type {_C_TYPE_NAMES[d.name]} without overflow"
        ) from None


def full(
    size,
    fill_value,
    *,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
):
    """A tensor of the given size filled with fill_value (dtype inferred from the value)."""
    if _is_int_like(size):
        raise TypeError(
            f"full(): argument 'size' (position 1) must be tuple of ints, not {_type_name(size)}"
        )
    shape = _size_arg("full", (size,))
    _check_sizes(shape)
    fill_dtype = _fill_dtype(fill_value)
    d = dtypes.to_dtype(dtype) if dtype is not None else fill_dtype
    return _store_out(_finish(_full_array(shape, fill_value, d), requires_grad, device), out)


def _check_input(name, input):
    if not isinstance(input, Tensor):
        raise TypeError(
            f"{name}(): argument 'input' (position 1) must be Tensor, not {_type_name(input)}"
        )


def _like(name, maker, random=False):
    """maker's *_like form; a random maker also takes generator=."""

    def make(
        input,
        *,
        dtype=None,
        layout=None,
        device=None,
        requires_grad=False,
        memory_format=None,
        generator=None,
    ):
        _check_input(name, input)
        if generator is not None and not random:
            raise TypeError(f"{name}() got an unexpected keyword argument 'generator'")
        d = dtype if dtype is not None else input.dtype
        extra = {"generator": generator} if random else {}
        return maker(input.shape, dtype=d, device=device, requires_grad=requires_grad, **extra)

    make.__name__ = make.__qualname__ = name
    make.__doc__ = f"{maker.__name__}() with input's shape and (unless given) dtype."
    return make


zeros_like = _like("zeros_like", zeros)
ones_like = _like("ones_like", ones)
empty_like = _like("empty_like", empty)


def full_like(
    input,
    fill_value,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    memory_format=None,
):
    """full() with input's shape and (unless given) dtype."""
    _check_input("full_like", input)
    d = dtypes.to_dtype(dtype) if dtype is not None else input.dtype
    _fill_dtype(fill_value)
    return _finish(_full_array(input._data.shape, fill_value, d), requires_grad, device)


# -- ranges -----------------------------------------------------------------------------------
def _fma(a, b, c):
    """a * b + c rounded once, as a fused multiply-add gives it (PyTorch's kernels use one).

    NumPy has no fma, so the product's rounding error is recovered exactly
    (Dekker's split) and added back with the sum's (Knuth's two-sum).
    """
    a = np.asarray(a, np.float64)
    b = np.asarray(b, np.float64)
    c = np.asarray(c, np.float64)
    with np.errstate(all="ignore"):
        p = a * b
        split = 134217729.0  # 2**27 + 1
        ta = split * a
        a_hi = ta - (ta - a)
        a_lo = a - a_hi
        tb = split * b
        b_hi = tb - (tb - b)
        b_lo = b - b_hi
        p_err = ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo
        s = p + c
        bb = s - p
        s_err = (p - (s - bb)) + (c - bb)
        result = s + (s_err + p_err)
    # Where the product overflows or is not finite, the plain formula is the answer.
    return np.where(np.isfinite(result), result, p + c)


# PyTorch's CPU range kernel fills blocks of two SIMD vectors (8 float32, 4 float64 or 16
# float16 values each): each vector starts from start + step * i rounded to the dtype and
# adds multiples of step to it; the remainder is filled one value at a time from start.
# The roundings differ, and show when printed (arange(-1, 1, 0.1) holds -2.9802e-09), so
# the same steps are reproduced here.
_VECTOR_WIDTH = {"float32": 8, "float64": 4, "float16": 16, "bfloat16": 16}


def _float_range(start, step, n, d):
    idx = np.arange(n, dtype=np.float64)
    values = _fma(idx, step, start).astype(d.np)
    width = _VECTOR_WIDTH[d.name]
    vectorised = n - n % (2 * width)
    if vectorised:
        i = idx[:vectorised]
        offset = i % width
        base = _fma(i - offset, step, start).astype(d.np).astype(np.float64)
        if d is dtypes.float16 or d is dtypes.bfloat16:
            values[:vectorised] = (base + offset * step).astype(d.np)
        else:
            values[:vectorised] = _fma(offset, step, base).astype(d.np)
    return values


def _number(x):
    return x.item() if isinstance(x, Tensor) else x


def arange(
    start,
    end=None,
    step=1,
    *,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
):
    """Values from start up to (not including) end, step apart: int64 for ints, else float."""
    if end is None:
        if step != 1:
            raise TypeError(
                "arange() received an invalid combination of arguments - got a step without an "
                "end; use arange(start, end, step)"
            )
        start, end = 0, start
    start, end, step = (_number(x) for x in (start, end, step))
    for x in (start, end, step):
        if not isinstance(x, numbers.Real):
            raise TypeError(f"arange(): argument 'end' must be Number, not {_type_name(x)}")
    if dtype is None:
        is_int = all(isinstance(x, numbers.Integral) for x in (start, end, step))
        d = dtypes.int64 if is_int else dtypes.get_default_dtype()
    else:
        d = dtypes.to_dtype(dtype)
    if d is dtypes.bool_:
        raise _not_implemented("arange_cpu", d)
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if not (math.isfinite(start) and math.isfinite(end)):
        raise RuntimeError(f"unsupported range: {_cfmt(start)} -> {_cfmt(end)}")
    if not d.is_floating_point:
        # Integer ranges step from the start truncated to an integer by the step truncated
        # to one (even to 0); only int64 also counts its length in integers (and refuses a
        # step truncated to 0); other dtypes count it from the numbers as given.
        if (end - start) * step < 0:
            raise RuntimeError("upper bound and lower bound inconsistent with step sign")
        n_float = math.ceil((end - start) / step)
        start, end, step = int(start), int(end), int(step)
        if step == 0 and d is dtypes.int64:
            raise ValueError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if d.is_floating_point:
        values = _float_range(float(start), float(step), math.ceil((end - start) / step), d)
    else:
        if d is dtypes.int64:
            n = -((start - end) // step) if step > 0 else -((end - start) // -step)
        else:
            n = n_float
        values = start + step * np.arange(n, dtype=np.int64)
    result = _finish(values.astype(d.np), requires_grad, device)
    return _store_out(result, out)


def _check_steps(steps, name):
    if not _is_int_like(steps) or isinstance(steps, bool):
        raise TypeError(
            f"{name}(): argument 'steps' (position 3) must be int, not {_type_name(steps)}"
        )
    steps = int(steps)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    return steps


def _bfloat16_scalar(x):
    """x (a number or float64 array) rounded to bfloat16, as float64."""
    return _narrow.to_bfloat16(np.asarray(x, np.float32)).astype(np.float64)


def _linspace_values(start, end, steps, compute, fused=True):
    """steps values from start to end, both ends exact: the first half counts up from start,
    the second half down from end, as PyTorch's kernel does."""
    if steps == 0:
        return np.zeros(0, np.float64)
    if steps == 1:
        return np.array([start], np.float64)
    start = float(compute(start))
    end = float(compute(end))
    step = float(compute(compute(end - start) / compute(steps - 1)))
    idx = np.arange(steps, dtype=np.float64)
    half = steps // 2
    if compute is _bfloat16_scalar:
        # bfloat16 arithmetic rounds after every operation too.
        r = _bfloat16_scalar
        up = r(start + r(step * idx))
        down = r(end - r(step * r(steps - 1 - idx)))
        return np.where(idx < half, up, down)
    if compute is np.float16:
        # Half arithmetic rounds after every operation (no fused multiply-add).
        idx16 = idx.astype(np.float16)
        up = np.float16(start) + np.float16(step) * idx16
        down = np.float16(end) - np.float16(step) * (np.float16(steps - 1) - idx16)
        return np.where(idx < half, up, down).astype(np.float64)
    if fused:
        up = _fma(idx, step, start)
        down = _fma(-(steps - 1 - idx), step, end)
    else:
        up = start + step * idx
        down = end - step * (steps - 1 - idx)
    values = np.where(idx < half, up, down)
    return values.astype(compute).astype(np.float64) if compute is not float else values


def linspace(
    start,
    end,
    steps,
    *,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
):
    """steps evenly spaced values from start to end inclusive (default dtype)."""
    steps = _check_steps(steps, "linspace")
    start, end = _number(start), _number(end)
    d = _dtype_or_default(dtype)
    if d is dtypes.bool_:
        raise _not_implemented("linspace_cpu", d)
    # float32 computes in float32 (float16 too), float64 in double; integer dtypes truncate
    # the ends to integers, step in double, then truncate each value.
    if d.is_floating_point:
        compute = {"float64": float, "float32": np.float32, "float16": np.float16}.get(
            d.name, _bfloat16_scalar
        )
    else:
        compute = float
        start, end = int(start), int(end)
    values = _linspace_values(start, end, steps, compute)
    with np.errstate(all="ignore"):
        result = _finish(values.astype(d.np), requires_grad, device)
    return _store_out(result, out)


def _pow(base, exponent):
    try:
        return math.pow(base, exponent)
    except (OverflowError, ValueError):
        return float(np.power(base, exponent))


def logspace(
    start,
    end,
    steps,
    base=10.0,
    *,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
):
    """base ** linspace(start, end, steps)."""
    steps = _check_steps(steps, "logspace")
    d = _dtype_or_default(dtype)
    exponents = _linspace_values(_number(start), _number(end), steps, float, fused=False)
    base = float(base)
    # The C library's pow (as PyTorch uses), not NumPy's: they differ in the last bit.
    values = np.array([_pow(base, e) for e in exponents.tolist()], dtype=np.float64)
    with np.errstate(all="ignore"):
        result = _finish(values.astype(d.np), requires_grad, device)
    return _store_out(result, out)


def eye(
    n,
    m=None,
    *,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
):
    """An n x m (default n x n) matrix with ones on the diagonal."""
    for name, position, value in (("n", 1, n), ("m", 2, m)):
        if value is None:
            continue
        if not _is_int_like(value) or isinstance(value, bool):
            raise TypeError(
                f"eye(): argument '{name}' (position {position}) must be int, "
                f"not {_type_name(value)}"
            )
        if int(value) < 0:
            raise RuntimeError(f"{name} must be greater or equal to 0, got {int(value)}")
    n = int(n)
    m = n if m is None else int(m)
    result = _finish(np.eye(n, m, dtype=_dtype_or_default(dtype).np), requires_grad, device)
    return _store_out(result, out)


# -- Tensor.new_* (same dtype as self unless given) ----------------------------------------------
def _new_method(name, maker):
    def method(self, *size, dtype=None, device=None, requires_grad=False, **kwargs):
        return maker(
            *size,
            dtype=self.dtype if dtype is None else dtype,
            requires_grad=requires_grad,
            **kwargs,
        )

    method.__name__ = name
    tensor_method(name)(method)


_new_method("new_zeros", zeros)
_new_method("new_ones", ones)
_new_method("new_empty", empty)


@tensor_method("new_full")
def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False):
    d = self.dtype if dtype is None else dtype
    return full(size, fill_value, dtype=d, requires_grad=requires_grad)


@tensor_method("new_tensor")
def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False):
    if isinstance(data, Tensor):
        data = data.detach()._data.copy()
    return tensor(data, dtype=self.dtype if dtype is None else dtype, requires_grad=requires_grad)
