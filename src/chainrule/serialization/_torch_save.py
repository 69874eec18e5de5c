"""Writing PyTorch's checkpoint formats, which torch.load(f, weights_only=True) reads.

The object is pickled (protocol 2, written opcode by opcode here) with every tensor as
PyTorch pickles it: torch._utils._rebuild_tensor_v2(storage, offset, size, stride,
requires_grad, hooks), its storage a persistent id. Tensors whose arrays share memory
(views of one array, a parameter and its state_dict entry) are placed in one storage,
each at its own offset and strides, so they share memory again once loaded, in
PyTorch as in chainrule. A storage holds only the span of memory its tensors reach.
"""

from __future__ import annotations

import collections
import struct
import sys
import zlib

import numpy as np

from .. import dtypes
from ..device import device
from ..tensor import Size, Tensor
from ._tensors import STORAGE_CLASS_OF
from ._torch_load import MAGIC_NUMBER, PROTOCOL_VERSION
from ._zip import ZipWriter

_SUPPORTED = (
    "tensors, NumPy arrays and scalars of numbers, dicts, lists, tuples, sets, numbers, "
    "strings, bytes, None, dtypes, devices and torch.Size"
)


# -- storages: which memory each tensor lives in -------------------------------------------
class _Storage:
    __slots__ = ("key", "dtype", "span")

    def __init__(self, key, dtype, span):
        self.key, self.dtype, self.span = key, dtype, span  # span: uint8, C-contiguous

    @property
    def numel(self):
        return self.span.size // dtypes.to_dtype(self.dtype).itemsize


def _owner(a):
    while isinstance(a.base, np.ndarray):
        a = a.base
    return a if a.base is None else a.base


def _bytes_of(owner):
    """The owner's memory as one uint8 array, or None."""
    try:
        if isinstance(owner, np.ndarray):
            if not (owner.flags.c_contiguous or owner.flags.f_contiguous):
                return None
            return owner.ravel(order="K").view(np.uint8)
        return np.frombuffer(owner, np.uint8)
    except (TypeError, ValueError, BufferError):
        return None


def _byte_bounds(a):
    """(lowest, one past the highest) address of a's elements (a is not empty)."""
    low = high = a.__array_interface__["data"][0]
    for n, step in zip(a.shape, a.strides):
        if step < 0:
            low += (n - 1) * step
        else:
            high += (n - 1) * step
    return low, high + a.itemsize


def _layout(a, low):
    """(offset, strides) of a in elements from the address `low`, or None if PyTorch's
    layout cannot express it (negative or misaligned strides)."""
    itemsize = a.itemsize
    if any(s < 0 or s % itemsize for s in a.strides):
        return None
    start = _byte_bounds(a)[0] - low
    if start % itemsize:
        return None
    return start // itemsize, tuple(s // itemsize for s in a.strides)


class StoragePlan:
    """Storages for the tensors of one object, and where in them each tensor lives."""

    def __init__(self, arrays):
        self.storages = []
        self.placement = {}  # id(array) -> (storage, offset, size, stride)
        groups = {}
        for a in arrays:
            if a.size == 0:
                self._alone(a)
                continue
            groups.setdefault((id(_owner(a)), a.dtype.str, _narrow_name(a)), []).append(a)
        for members in groups.values():
            self._group(members)

    def _new_storage(self, dtype, span):
        if dtype in ("bfloat16", "complex32"):
            span = _narrow_bytes(span, dtype)
        s = _Storage(str(len(self.storages)), dtype, span)
        self.storages.append(s)
        return s

    def _alone(self, a):
        c = np.require(a, requirements="C")
        s = self._new_storage(dtypes.from_numpy_dtype(a.dtype).name, c.reshape(-1).view(np.uint8))
        stride, step = [], 1
        for d in reversed(c.shape):
            stride.append(step)
            step *= d
        self.placement[id(a)] = (s, 0, c.shape, tuple(reversed(stride)))

    def _group(self, members):
        memory = _bytes_of(_owner(members[0]))
        if memory is None:
            for a in members:
                self._alone(a)
            return
        bounds = [_byte_bounds(a) for a in members]
        low = min(b[0] for b in bounds)
        high = max(b[1] for b in bounds)
        base = _byte_bounds(memory)[0]
        layouts = [_layout(a, low) for a in members]
        if any(x is None for x in layouts) or (high - low) % members[0].itemsize:
            for a in members:
                self._alone(a)
            return
        span = memory[low - base : high - base]
        s = self._new_storage(dtypes.from_numpy_dtype(members[0].dtype).name, span)
        for a, (offset, stride) in zip(members, layouts):
            self.placement[id(a)] = (s, offset, a.shape, stride)


def _narrow_name(a):
    meta = a.dtype.metadata
    return None if meta is None else meta.get("chainrule")


def _narrow_bytes(span, dtype):
    """The bytes PyTorch stores for a bfloat16 or complex32 storage, from the float32 or
    complex64 memory chainrule keeps it in (exact: the values are representable)."""
    wide = np.ascontiguousarray(span).view(np.float32)
    if dtype == "bfloat16":
        return (wide.view(np.uint32) >> 16).astype(np.uint16).view(np.uint8)
    return wide.astype(np.float16).view(np.uint8)


# -- the pickle ----------------------------------------------------------------------------
class Pickler:
    """Protocol-2 pickles of checkpoint objects, with tensors as persistent storages."""

    def __init__(self, plan, legacy=False):
        self.plan = plan
        self.legacy = legacy
        self.out = bytearray()
        self.memo = {}
        self.keep = []
        self.open = set()
        self.written_storages = []  # in order of first use (the legacy format's key list)

    def dump(self, obj):
        self.out += b"\x80\x02"
        self.save(obj)
        self.out += b"."
        return bytes(self.out)

    # -- memo
    def _memoize(self, key):
        i = len(self.memo)
        self.memo[key] = i
        self.out += b"q" + bytes([i]) if i < 256 else b"r" + struct.pack("<I", i)

    def _get(self, key):
        i = self.memo.get(key)
        if i is None:
            return False
        self.out += b"h" + bytes([i]) if i < 256 else b"j" + struct.pack("<I", i)
        return True

    def _global(self, module, name):
        key = ("global", module, name)
        if not self._get(key):
            self.out += b"c" + f"{module}\n{name}\n".encode()
            self._memoize(key)

    # -- atoms
    def _int(self, n):
        if 0 <= n < 256:
            self.out += b"K" + bytes([n])
        elif 0 <= n < 65536:
            self.out += b"M" + struct.pack("<H", n)
        elif -(2**31) <= n < 2**31:
            self.out += b"J" + struct.pack("<i", n)
        else:
            raw = n.to_bytes((n.bit_length() + 8) // 8, "little", signed=True)
            if len(raw) < 256:
                self.out += b"\x8a" + bytes([len(raw)]) + raw
            else:
                self.out += b"\x8b" + struct.pack("<i", len(raw)) + raw

    def _str(self, s):
        raw = s.encode("utf-8", "surrogatepass")
        self.out += b"X" + struct.pack("<I", len(raw)) + raw

    def _tuple_of(self, items):
        n = len(items)
        if n == 0:
            self.out += b")"
            return
        if n > 3:
            self.out += b"("
        for x in items:
            self.save(x)
        self.out += b"t" if n > 3 else b"\x84\x85\x86\x87"[n : n + 1]

    def _reduce(self, module, name, args):
        self._global(module, name)
        self._tuple_of(args)
        self.out += b"R"

    # -- objects
    def save(self, obj):
        if obj is None:
            self.out += b"N"
        elif obj is True or obj is False:
            self.out += b"\x88" if obj else b"\x89"
        elif isinstance(obj, Tensor):
            self._tensor(obj)
        elif isinstance(obj, np.generic):
            self._np_scalar(obj)
        elif type(obj) is int:
            self._int(obj)
        elif type(obj) is float:
            self.out += b"G" + struct.pack(">d", obj)
        elif type(obj) is str:
            self._str(obj)
        elif isinstance(obj, dtypes.dtype):
            self._global("torch", obj.name)
        elif isinstance(obj, device):
            self._reduce(
                "torch", "device", (obj.type,) if obj.index is None else (obj.type, obj.index)
            )
        elif isinstance(obj, np.ndarray):
            self._np_array(obj)
        elif type(obj) in (bytes, bytearray, complex):
            self._simple(obj)
        elif isinstance(obj, (tuple, list, dict, set, frozenset)):
            self._container(obj)
        else:
            raise TypeError(
                f"chainrule.save stores {_SUPPORTED}; got an object of type {type(obj).__name__}"
            )

    def _simple(self, obj):
        if type(obj) is bytes:
            self._reduce("_codecs", "encode", (obj.decode("latin1"), "latin1"))
        elif type(obj) is bytearray:
            self._reduce("__builtin__", "bytearray", (obj.decode("latin1"), "latin-1"))
        else:
            self._reduce("__builtin__", "complex", (obj.real, obj.imag))

    def _container(self, obj):
        key = id(obj)
        if self._get(key):
            return
        if key in self.open:
            raise ValueError("chainrule.save cannot store a container that contains itself")
        self.open.add(key)
        try:
            self._container_body(obj)
        finally:
            self.open.discard(key)
        self.keep.append(obj)

    def _container_body(self, obj):
        t = type(obj)
        if t is Size:
            self._reduce("torch", "Size", (tuple(obj),))
        elif t is tuple:
            self._tuple_of(obj)
        elif t is list:
            self.out += b"]"
            self._memoize(id(obj))
            self._batches(obj, b"e", lambda x: self.save(x))
            return
        elif t in (set, frozenset):
            self._reduce("__builtin__", t.__name__, (list(obj),))
        elif t is dict:
            self.out += b"}"
            self._memoize(id(obj))
            self._items(obj)
            return
        elif t is collections.OrderedDict:
            self._global("collections", "OrderedDict")
            self.out += b")R"
            self._memoize(id(obj))
            self._items(obj)
            state = vars(obj)
            if state:
                self._container(dict(state))
                self.out += b"b"
            return
        else:
            raise TypeError(
                f"chainrule.save stores {_SUPPORTED}; got an object of type {t.__name__}"
            )
        self._memoize(id(obj))

    def _items(self, d):
        def pair(kv):
            self.save(kv[0])
            self.save(kv[1])

        self._batches(list(d.items()), b"u", pair)

    def _batches(self, items, op, save_one):
        for i in range(0, len(items), 1000):
            self.out += b"("
            for x in items[i : i + 1000]:
                save_one(x)
            self.out += op

    def _storage(self, storage):
        key = ("storage", storage.key)
        if self._get(key):
            return
        self.out += b"("
        self._str("storage")
        if storage.dtype in STORAGE_CLASS_OF:
            self._global("torch", STORAGE_CLASS_OF[storage.dtype])
            numel = storage.numel
        else:  # complex32: PyTorch writes an untyped storage and the dtype with the tensor
            self._global("torch.storage", "UntypedStorage")
            numel = storage.span.size
        self._str(storage.key)
        self._str("cpu")
        self._int(numel)
        if self.legacy:
            self.out += b"N"
        self.out += b"t"
        self._memoize(key)
        if storage not in self.written_storages:
            self.written_storages.append(storage)

    def _tensor(self, t):
        if self._get(id(t)):
            return
        self.keep.append(t)
        parameter = type(t).__name__ == "Parameter"
        if parameter:
            self._global("torch._utils", "_rebuild_parameter")
            self.out += b"("
        storage, offset, size, stride = self.plan.placement[id(t._data)]
        untyped = storage.dtype not in STORAGE_CLASS_OF
        self._global("torch._utils", "_rebuild_tensor_v3" if untyped else "_rebuild_tensor_v2")
        self.out += b"("
        self._storage(storage)
        self.out += b"Q"
        self._int(offset)
        self._tuple_of(tuple(size))
        self._tuple_of(stride)
        self.out += b"\x89" if parameter or not t.requires_grad else b"\x88"
        self._reduce("collections", "OrderedDict", ())
        if untyped:
            self._global("torch", storage.dtype)
        self.out += b"tR"
        if parameter:
            self.out += b"\x88" if t.requires_grad else b"\x89"
            self._reduce("collections", "OrderedDict", ())
            self.out += b"tR"
        self._memoize(id(t))

    # NumPy values as NumPy pickles them (chainrule.load builds them; PyTorch's
    # weights-only load wants them allowed with torch.serialization.add_safe_globals)
    def _np_dtype(self, dt):
        key = ("np.dtype", dt.str)
        if self._get(key):
            return
        code, _, state = dt.__reduce__()[1], None, dt.__reduce__()[2]
        self._reduce("numpy", "dtype", code)
        self._tuple_of(state)
        self.out += b"b"
        self._memoize(key)

    def _np_check(self, dt):
        if dt.kind not in "biufc" or dt.fields or dt.subdtype:
            raise TypeError(f"chainrule.save cannot store NumPy values of dtype {dt}")

    def _np_scalar(self, x):
        self._np_check(x.dtype)
        func, args = x.__reduce__()[:2]
        self._global(func.__module__, func.__name__)
        self.out += b"("
        self._np_dtype(args[0])
        self.save(args[1])
        self.out += b"tR"

    def _np_array(self, a):
        self._np_check(a.dtype)
        if self._get(id(a)):
            return
        self.keep.append(a)
        func, args, state = a.__reduce__()
        self._global(func.__module__, func.__name__)
        self.out += b"("
        self._global("numpy", "ndarray")
        self._tuple_of(args[1])
        self.save(args[2])
        self.out += b"tR"
        self._memoize(id(a))
        version, shape, dt, fortran, data = state
        self.out += b"("
        self.save(version)
        self._tuple_of(tuple(shape))
        self._np_dtype(dt)
        self.save(bool(fortran))
        self.save(bytes(data))
        self.out += b"tb"


def _collect_arrays(obj, out, seen):
    """The arrays of every tensor in obj, in the order the pickler meets them."""
    if isinstance(obj, Tensor):
        if id(obj._data) not in seen:
            seen.add(id(obj._data))
            out.append(obj._data)
    elif isinstance(obj, dict):
        if id(obj) in seen:
            return
        seen.add(id(obj))
        for k, v in obj.items():
            _collect_arrays(k, out, seen)
            _collect_arrays(v, out, seen)
        if type(obj) is collections.OrderedDict:
            _collect_arrays(vars(obj), out, seen)
    elif isinstance(obj, (list, tuple, set, frozenset)):
        if id(obj) in seen:
            return
        seen.add(id(obj))
        for v in obj:
            _collect_arrays(v, out, seen)


def _pickle(obj, legacy):
    arrays = []
    _collect_arrays(obj, arrays, set())
    plan = StoragePlan(arrays)
    pickler = Pickler(plan, legacy=legacy)
    try:
        data = pickler.dump(obj)
    except RecursionError:
        raise ValueError("chainrule.save cannot store objects nested this deeply") from None
    return data, pickler.written_storages


def write_zip(obj, f):
    data, storages = _pickle(obj, legacy=False)
    zw = ZipWriter(f)
    zw.write("archive/data.pkl", data)
    zw.write("archive/.format_version", b"1")
    zw.write("archive/.storage_alignment", b"64")
    zw.write("archive/byteorder", sys.byteorder.encode())
    for s in storages:
        zw.write(f"archive/data/{s.key}", s.span)
    zw.write("archive/version", b"3\n")
    zw.write("archive/.data/serialization_id", b"%040d" % zlib.crc32(data))
    zw.close()


def write_legacy(obj, f):
    """The format of torch.save(..., _use_new_zipfile_serialization=False)."""
    data, storages = _pickle(obj, legacy=True)
    for value in (MAGIC_NUMBER, PROTOCOL_VERSION):
        f.write(Pickler(None).dump(value))
    info = {
        "protocol_version": PROTOCOL_VERSION,
        "little_endian": sys.byteorder == "little",
        "type_sizes": {"short": 2, "int": 4, "long": 4},
    }
    f.write(Pickler(None).dump(info))
    f.write(data)
    f.write(Pickler(None).dump([s.key for s in storages]))
    for s in storages:
        f.write(struct.pack("<q", s.numel))
        f.write(memoryview(s.span))


__all__ = ["write_legacy", "write_zip"]
