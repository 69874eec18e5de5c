"""Storages and tensors as PyTorch's checkpoints describe them.

A PyTorch checkpoint keeps each storage (a flat run of elements) once and describes
every tensor as (storage, offset, size, stride): views and tensors that share memory
point into the same storage. Here a storage is a 1-D NumPy array of its element type,
and a tensor is a view of it, so what shared memory when saved shares it again.

Every number a file gives (offsets, sizes, strides) is checked against the storage
before a view is made: a tensor can never reach outside its storage, and a tensor that
claims more elements than its storage holds (an expanded view) has its virtual size
charged to the budget.
"""

from __future__ import annotations

import math

import numpy as np

from .. import dtypes
from ..tensor import Tensor
from ._errors import CheckpointError

# PyTorch's dtypes by the names its files use, mapped to chainrule's where it has them.
# bfloat16 and complex32 storages are widened to the float32 and complex64 arrays that
# chainrule keeps them in (exactly: a bfloat16 is the top half of a float32).
_ITEMSIZE = {
    "bool": 1, "uint8": 1, "int8": 1, "int16": 2, "int32": 4, "int64": 8,
    "float16": 2, "float32": 4, "float64": 8, "bfloat16": 2,
    "complex32": 4, "complex64": 8, "complex128": 16,
    "uint16": 2, "uint32": 4, "uint64": 8,
    "float8_e4m3fn": 1, "float8_e5m2": 1, "float8_e4m3fnuz": 1, "float8_e5m2fnuz": 1,
    "float8_e8m0fnu": 1, "float4_e2m1fn_x2": 1,
    "qint8": 1, "quint8": 1, "qint32": 4, "quint4x2": 1, "quint2x4": 1,
}  # fmt: skip

# Legacy typed storage classes (torch.FloatStorage, ...) and the dtype of their elements.
STORAGE_CLASSES = {
    "BoolStorage": "bool", "ByteStorage": "uint8", "CharStorage": "int8",
    "ShortStorage": "int16", "IntStorage": "int32", "LongStorage": "int64",
    "HalfStorage": "float16", "FloatStorage": "float32", "DoubleStorage": "float64",
    "BFloat16Storage": "bfloat16", "ComplexFloatStorage": "complex64",
    "ComplexDoubleStorage": "complex128", "QInt8Storage": "qint8", "QUInt8Storage": "quint8",
    "QInt32Storage": "qint32", "QUInt4x2Storage": "quint4x2", "QUInt2x4Storage": "quint2x4",
}  # fmt: skip
STORAGE_CLASS_OF = {v: k for k, v in STORAGE_CLASSES.items()}

# PyTorch's dtype names (and their aliases) that a file may name as torch.<name>.
TORCH_DTYPE_NAMES = dict.fromkeys(_ITEMSIZE)
TORCH_DTYPE_NAMES.update(
    float="float32", double="float64", half="float16", cfloat="complex64",
    cdouble="complex128", chalf="complex32", short="int16", int="int32", long="int64",
)  # fmt: skip
for _name in TORCH_DTYPE_NAMES:
    TORCH_DTYPE_NAMES[_name] = TORCH_DTYPE_NAMES[_name] or _name
for _bits in range(1, 8):
    TORCH_DTYPE_NAMES[f"uint{_bits}"] = TORCH_DTYPE_NAMES[f"int{_bits}"] = None


class StorageType:
    """torch.FloatStorage and friends (or torch.UntypedStorage, dtype None) in a file."""

    __slots__ = ("name", "dtype")

    def __init__(self, name, dtype):
        self.name = name
        self.dtype = dtype

    def __repr__(self):
        return f"torch.{self.name}"


class ForeignDtype:
    """A PyTorch dtype chainrule has no tensors of (complex64, uint16, ...), as named in a
    file; a tensor of it is refused, the dtype itself may be kept as a value."""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"torch.{self.name}"


def chainrule_dtype(name):
    """chainrule's dtype for a PyTorch dtype name, or a ForeignDtype."""
    if name == "bool":
        return dtypes.bool_
    d = getattr(dtypes, name, None)
    return d if isinstance(d, dtypes.dtype) else ForeignDtype(name)


class Storage:
    """One storage of a checkpoint: `array` holds its elements (uint8 for an untyped
    storage)."""

    __slots__ = ("array", "dtype", "key", "numel", "_wide")

    def __init__(self, array, dtype, key):
        self.array = array
        self.dtype = dtype  # a PyTorch dtype name, or None when untyped
        self.key = key
        self._wide = None  # bfloat16, complex32: the elements in chainrule's wider array

    def __repr__(self):
        return f"<storage {self.key!r} of {len(self.array)} {self.dtype or 'bytes'}>"


def typed_view(raw, dtype_name, name):
    """A storage's bytes (a uint8 array) seen as elements of dtype_name (bfloat16 as the
    uint16 of its bits, complex32 as float16 pairs); a clear error for a dtype chainrule
    does not have."""
    if dtype_name == "bool":
        return raw.view(np.bool_)
    if dtype_name == "bfloat16":
        return raw.view(np.uint16)
    if dtype_name == "complex32":
        return raw.view(np.float16)
    d = chainrule_dtype(dtype_name)
    if isinstance(d, ForeignDtype):
        raise CheckpointError(
            f"cannot load '{name}': it holds a tensor of dtype torch.{dtype_name}, which "
            "chainrule does not have (it has bool, uint8, int8, int16, int32, int64, "
            "float16, bfloat16, float32, float64, complex32, complex64 and complex128). "
            "Convert that tensor in PyTorch first, for example with .float()."
        )
    return raw.view(d.np)


def settle(storage):
    """Once a storage's bytes are in place: a bool is 0 or 1, and a bfloat16 or complex32
    storage's wider copy (if tensors were made from it already) is brought up to date."""
    if storage.dtype == "bool":
        raw = storage.array.view(np.uint8)
        np.minimum(raw, 1, out=raw)
    if storage._wide is not None:
        _widen(storage.array, storage._wide)


def _widen(narrow, out):
    """Fill out (float32 or complex64) from a storage's narrow elements or raw bytes."""
    if out.dtype.kind == "c":  # complex32: float16 (re, im) pairs into complex64
        np.copyto(out.view(np.float32), narrow.view(np.float16), casting="unsafe")
        return
    wide = out.view(np.uint32)
    np.copyto(wide, narrow.view(np.uint16), casting="unsafe")
    wide <<= 16


def _fail(name, what):
    raise CheckpointError(f"cannot load '{name}': {what}")


def _ints(value, what, name):
    if not isinstance(value, (tuple, list)):
        _fail(name, f"a tensor's {what} is not a tuple of integers")
    out = []
    for v in value:
        if type(v) is not int or v < 0:
            _fail(name, f"a tensor's {what} {tuple(value)!r} is not a tuple of integers >= 0")
        out.append(v)
    return out


def make_tensor(ctx, storage, offset, size, stride, requires_grad, dtype_name=None):
    """The tensor (storage, offset, size, stride) describes, as a view of the storage."""
    name = ctx.name
    if not isinstance(storage, Storage):
        _fail(name, "a tensor is rebuilt from something that is not a storage")
    if type(offset) is not int or offset < 0:
        _fail(name, f"a tensor's storage offset {offset!r} is not an integer >= 0")
    size = _ints(size, "size", name)
    stride = _ints(stride, "stride", name)
    if len(size) != len(stride):
        _fail(name, f"a tensor's size {tuple(size)} and stride {tuple(stride)} differ in length")
    if type(requires_grad) is not bool:
        _fail(name, "a tensor's requires_grad is not True or False")
    dtype_name = dtype_name or storage.dtype
    if dtype_name is None:
        _fail(name, "a tensor on an untyped storage without a dtype")
    if storage.dtype is None:  # untyped: the bytes seen as dtype_name's elements
        itemsize = _ITEMSIZE[dtype_name]
        raw = storage.array
        if len(raw) % itemsize:
            _fail(name, f"a storage of {len(raw)} bytes is read as {dtype_name} elements")
        if dtype_name == "bool":
            np.minimum(raw, 1, out=raw)
        elements = typed_view(raw, dtype_name, name)
    elif dtype_name != storage.dtype:
        _fail(name, f"a {dtype_name} tensor on a {storage.dtype} storage")
    else:
        elements = storage.array
    if dtype_name in ("bfloat16", "complex32"):
        elements = _widened(ctx, storage, elements, dtype_name)
    n = len(elements)
    numel = math.prod(size)
    if numel:
        last = offset + sum((d - 1) * s for d, s in zip(size, stride))
        if last >= n:
            _fail(
                name,
                f"a tensor of size {tuple(size)}, stride {tuple(stride)} at offset {offset} "
                f"reaches element {last:,} of a storage of {n:,}",
            )
        if numel > n:  # an expanded (self-overlapping) view: charge what it stands for
            ctx.budget.charge(numel * elements.itemsize, "an expanded tensor")
    elif offset > n:
        _fail(name, f"an empty tensor at offset {offset:,} of a storage of {n:,}")
    array = _view(elements, offset, size, stride, numel)
    t = Tensor._wrap(array)
    if requires_grad:
        if array.dtype.kind not in "fc":
            _fail(name, f"a {dtype_name} tensor that requires grad")
        t._requires_grad = True
    return t


def _view(elements, offset, size, stride, numel):
    contiguous, step = [], 1
    for d in reversed(size):
        contiguous.append(step)
        step *= d
    if list(reversed(contiguous)) == stride or numel <= 1:
        return elements[offset : offset + numel].reshape(size)
    itemsize = elements.itemsize
    return np.lib.stride_tricks.as_strided(
        elements[offset:], shape=size, strides=[s * itemsize for s in stride]
    )


def _widened(ctx, storage, narrow, dtype_name):
    """A bfloat16 or complex32 storage's elements in the float32 or complex64 array chainrule
    keeps them in (exact), made once per storage, so its tensors share it."""
    if storage._wide is None:
        d = dtypes.bfloat16 if dtype_name == "bfloat16" else dtypes.complex32
        count = len(narrow) if dtype_name == "bfloat16" else len(narrow) // 2
        ctx.budget.charge(d.np.itemsize * count, f"{dtype_name} tensors widened")
        storage._wide = np.empty(count, d.np)
        _widen(narrow, storage._wide)
    return storage._wide


# -- the rebuild functions a checkpoint names (torch._utils._rebuild_*) --------------------
def _check_hooks(ctx, hooks):
    if hooks is not None and not isinstance(hooks, dict):
        _fail(ctx.name, "a tensor's backward hooks are not a dict")


def rebuild_tensor(ctx, storage, offset, size, stride):
    return make_tensor(ctx, storage, offset, size, stride, False)


def rebuild_tensor_v2(ctx, storage, offset, size, stride, requires_grad, hooks, metadata=None):
    _check_hooks(ctx, hooks)
    return make_tensor(ctx, storage, offset, size, stride, requires_grad)


def rebuild_tensor_v3(
    ctx, storage, offset, size, stride, requires_grad, hooks, dtype, metadata=None
):
    _check_hooks(ctx, hooks)
    if isinstance(dtype, dtypes.dtype):
        dtype = dtype.name
    elif isinstance(dtype, ForeignDtype):
        dtype = dtype.name
    else:
        _fail(ctx.name, "a tensor's dtype is not a dtype")
    return make_tensor(ctx, storage, offset, size, stride, requires_grad, dtype)


def rebuild_parameter(ctx, data, requires_grad, hooks):
    from ..nn import Parameter

    _check_hooks(ctx, hooks)
    if not isinstance(data, Tensor) or type(requires_grad) is not bool:
        _fail(ctx.name, "a Parameter is rebuilt from something that is not a tensor")
    if requires_grad and data._data.dtype.kind not in "fc":
        _fail(ctx.name, f"a {data.dtype} Parameter that requires grad")
    return Parameter(data, requires_grad)


def rebuild_parameter_with_state(ctx, data, requires_grad, hooks, state):
    p = rebuild_parameter(ctx, data, requires_grad, hooks)
    set_attributes(ctx, p, state)
    return p


def set_attributes(ctx, obj, state):
    """Python attributes a tensor was saved with (never one that Tensor itself defines)."""
    if state is None:
        return
    if isinstance(state, tuple) and len(state) == 2:
        state, slots = state
        set_attributes(ctx, obj, slots)
    if not isinstance(state, dict):
        _fail(ctx.name, "a tensor's saved attributes are not a dict")
    for key, value in state.items():
        if type(key) is not str or key.startswith("_") or hasattr(type(obj), key):
            _fail(ctx.name, f"a tensor's saved attribute {key!r} would replace its own")
        obj.__dict__[key] = value
