"""save and load: checkpoints without pickle.

A chainrule checkpoint is a zip archive: `chainrule/manifest.json` describes the saved
object (dicts with their key types and order, lists, tuples, numbers, strings, None) and
the tensors in it, and each distinct array is one `.npy` entry, read back with pickling
disabled. Loading therefore never runs code from the file. Tensors that are the same
object load as one object; tensors that wrap the same array (a parameter and its
detached state-dict entry, tied weights) are stored once and load sharing one array.

A name ending in `.safetensors` saves a flat dict of tensors in that format, and load
recognises safetensors files by their header, so weights move to and from PyTorch
(`safetensors.torch.save_file` / `load_file`). Pickle files, PyTorch's checkpoints among
them, are refused with a message saying how to convert them.
"""

from __future__ import annotations

import base64
import collections
import collections.abc
import io
import json
import math
import os
import struct
import zipfile

import numpy as np

from . import dtypes
from .tensor import Size, Tensor

__all__ = ["load", "save"]

_PREFIX = "chainrule/"
_MANIFEST = _PREFIX + "manifest.json"
_FORMAT = "chainrule-checkpoint"
_VERSION = 1
_ORDER_KEY = "chainrule.key_order"  # safetensors metadata: the dict's key order

_CONVERT_HINT = (
    "chainrule.load never unpickles, because unpickling can run arbitrary code. Convert the "
    "checkpoint once in PyTorch to safetensors (a flat dict of tensors): `from "
    "safetensors.torch import save_file; save_file(torch.load(path, weights_only=True), "
    "'model.safetensors')`, then chainrule.load('model.safetensors')."
)


# -- saving ------------------------------------------------------------------------------------
class _Encoder:
    """Turns an object into JSON-able values, collecting its tensors and arrays."""

    def __init__(self):
        self.tensors = []  # manifest entries
        self.arrays = []  # the distinct arrays, written as data/<n>.npy
        self._tensor_ids = {}  # id(tensor) -> index in self.tensors
        self._array_ids = {}  # id(ndarray) -> index in self.arrays
        self._keep = []  # keeps encoded objects alive so their ids stay unique
        self._open = set()  # containers being encoded, to refuse cycles

    def encode(self, obj):
        if obj is None or isinstance(obj, (bool, str)):
            return obj
        if isinstance(obj, int):
            return int(obj)
        if isinstance(obj, float):
            return float(obj) if math.isfinite(obj) else {"float": repr(float(obj))}
        if isinstance(obj, Tensor):
            return {"tensor": self._tensor(obj)}
        if isinstance(obj, np.ndarray):
            return {"ndarray": self._array(obj)}
        if isinstance(obj, dtypes.dtype):
            return {"dtype": obj.name}
        if isinstance(obj, Size):
            return {"size": [int(d) for d in obj]}
        if isinstance(obj, bytes):
            return {"bytes": base64.b64encode(obj).decode("ascii")}
        if isinstance(obj, np.generic) and obj.dtype.kind in "biuf":
            return {"scalar": obj.item(), "dtype": obj.dtype.str}
        if type(obj) in (list, tuple, dict, collections.OrderedDict):
            return self._container(obj)
        raise TypeError(
            f"chainrule.save stores tensors, NumPy arrays, dicts, lists, tuples, numbers, "
            f"strings, bytes and None (no pickle); got an object of type {type(obj).__name__}"
        )

    def _container(self, obj):
        if id(obj) in self._open:
            raise ValueError("chainrule.save cannot store a container that contains itself")
        self._open.add(id(obj))
        try:
            if isinstance(obj, list):
                return [self.encode(v) for v in obj]
            if isinstance(obj, tuple):
                return {"tuple": [self.encode(v) for v in obj]}
            items = [[self.encode(k), self.encode(v)] for k, v in obj.items()]
            if type(obj) is dict:
                return {"dict": items}
            out = {"odict": items}
            metadata = getattr(obj, "_metadata", None)  # module versions, as PyTorch keeps
            if metadata is not None:
                out["metadata"] = self.encode(metadata)
            return out
        finally:
            self._open.discard(id(obj))

    def _array(self, arr):
        if arr.dtype.kind not in "biuf" or arr.dtype.byteorder == ">":
            raise TypeError(f"chainrule.save cannot store arrays of dtype {arr.dtype}")
        key = id(arr)
        if key not in self._array_ids:
            self._keep.append(arr)
            self._array_ids[key] = len(self.arrays)
            self.arrays.append(arr)
        return self._array_ids[key]

    def _tensor(self, t):
        key = id(t)
        if key not in self._tensor_ids:
            self._keep.append(t)
            entry = {
                "array": self._array(t._data),
                "dtype": t.dtype.name,
                "shape": list(t._data.shape),
                "requires_grad": bool(t.requires_grad),
            }
            if type(t) is not Tensor:
                if type(t).__name__ != "Parameter":
                    raise TypeError(
                        f"chainrule.save stores Tensor and Parameter, not {type(t).__name__}"
                    )
                entry["parameter"] = True
            self._tensor_ids[key] = len(self.tensors)
            self.tensors.append(entry)
        return self._tensor_ids[key]


def _path_of(f):
    if isinstance(f, (str, os.PathLike)):
        return os.fspath(f)
    return None


def _is_safetensors_name(f):
    name = _path_of(f) or getattr(f, "name", None)
    return isinstance(name, str) and name.endswith(".safetensors")


def _write(f, data):
    path = _path_of(f)
    if path is None:
        f.write(data)
        return
    with open(path, "wb") as out:
        out.write(data)


def _check_no_pickle_module(pickle_module, what):
    if pickle_module is not None:
        raise TypeError(f"chainrule.{what} does not use pickle; pickle_module must be None")


def save(
    obj,
    f,
    pickle_module=None,
    pickle_protocol=2,
    _use_new_zipfile_serialization=True,
    _disable_byteorder_record=False,
):
    """Save obj (tensors in dicts, lists and tuples with plain values) to f, a path or a
    binary file object. A name ending in .safetensors writes a safetensors file."""
    _check_no_pickle_module(pickle_module, "save")
    if _is_safetensors_name(f):
        _write(f, _safetensors_bytes(obj))
        return
    enc = _Encoder()
    root = enc.encode(obj)
    manifest = {"format": _FORMAT, "version": _VERSION, "root": root, "tensors": enc.tensors}
    path = _path_of(f)
    target = open(path, "wb") if path is not None else f
    try:
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as zf:
            zf.writestr(_MANIFEST, json.dumps(manifest, allow_nan=False))
            for i, arr in enumerate(enc.arrays):
                with zf.open(f"{_PREFIX}data/{i}.npy", "w", force_zip64=True) as entry:
                    np.lib.format.write_array(entry, arr, allow_pickle=False)
    finally:
        if path is not None:
            target.close()


# -- loading -----------------------------------------------------------------------------------
class _Decoder:
    def __init__(self, zf, manifest, map_tensor):
        self.zf = zf
        self.entries = manifest["tensors"]
        self.map_tensor = map_tensor
        self.arrays = {}
        self.tensors = {}

    def array(self, i):
        if i not in self.arrays:
            with self.zf.open(f"{_PREFIX}data/{int(i)}.npy") as entry:
                arr = np.lib.format.read_array(entry, allow_pickle=False)
            dtypes.from_numpy_dtype(arr.dtype)  # a clear error for a dtype chainrule lacks
            self.arrays[i] = arr
        return self.arrays[i]

    def tensor(self, i):
        if i not in self.tensors:
            entry = self.entries[i]
            arr = self.array(entry["array"])
            if (
                list(arr.shape) != entry["shape"]
                or arr.dtype.name != dtypes.to_dtype(entry["dtype"]).np.name
            ):
                raise RuntimeError("corrupt chainrule checkpoint: a tensor's data does not match")
            t = Tensor._wrap(arr)
            if entry.get("parameter"):
                import chainrule.nn

                t = chainrule.nn.Parameter(t, requires_grad=entry["requires_grad"])
            elif entry["requires_grad"]:
                t.requires_grad_(True)
            self.tensors[i] = self.map_tensor(t)
        return self.tensors[i]

    def decode(self, v):
        if v is None or isinstance(v, (bool, int, float, str)):
            return v
        if isinstance(v, list):
            return [self.decode(x) for x in v]
        if not isinstance(v, dict) or len(v) == 0:
            raise RuntimeError("corrupt chainrule checkpoint: unknown entry in the manifest")
        if "tensor" in v:
            return self.tensor(v["tensor"])
        if "ndarray" in v:
            return self.array(v["ndarray"])
        if "tuple" in v:
            return tuple(self.decode(x) for x in v["tuple"])
        if "dict" in v:
            return {self.decode(k): self.decode(x) for k, x in v["dict"]}
        if "odict" in v:
            out = collections.OrderedDict((self.decode(k), self.decode(x)) for k, x in v["odict"])
            if "metadata" in v:
                out._metadata = self.decode(v["metadata"])
            return out
        if "float" in v:
            return float(v["float"])
        if "dtype" in v and "scalar" not in v:
            return dtypes.to_dtype(v["dtype"])
        if "scalar" in v:
            return np.dtype(v["dtype"]).type(v["scalar"])
        if "size" in v:
            return Size(int(d) for d in v["size"])
        if "bytes" in v:
            return base64.b64decode(v["bytes"])
        raise RuntimeError("corrupt chainrule checkpoint: unknown entry in the manifest")


def _tensor_mapper(map_location):
    """What map_location does to each loaded tensor (chainrule computes on the CPU only)."""
    from .device import check_device, device

    if map_location is None:
        return lambda t: t
    if isinstance(map_location, (str, device)):
        check_device(map_location)
        return lambda t: t
    if isinstance(map_location, dict):
        for target in map_location.values():
            check_device(target)
        return lambda t: t
    if callable(map_location):

        def apply(t):
            mapped = map_location(t, "cpu")
            return t if mapped is None else mapped

        return apply
    raise TypeError(
        "map_location should be either None, a string, a chainrule.device, a dict or a "
        f"callable, but got {type(map_location).__name__}"
    )


def _sniff(head, size):
    """What kind of file starts with these bytes: 'zip', 'pickle', 'safetensors' or None."""
    if head[:4] == b"PK\x03\x04":
        return "zip"
    if head[:1] == b"\x80" and len(head) > 1 and head[1] <= 5:
        return "pickle"
    if len(head) >= 9:
        (n,) = struct.unpack("<Q", head[:8])
        if head[8:9] == b"{" and 8 + n <= size:
            return "safetensors"
    return None


def _open_for_reading(f):
    """A seekable binary file, whether f is a path or a file object (read into memory when
    it cannot seek)."""
    path = _path_of(f)
    if path is not None:
        return open(path, "rb"), True, path
    if not (hasattr(f, "seekable") and f.seekable()):
        f = io.BytesIO(f.read())
    return f, False, getattr(f, "name", "the file")


def load(f, map_location=None, pickle_module=None, *, weights_only=True, mmap=None, **kwargs):
    """Load what save() wrote (or a safetensors file) from f, a path or a binary file object.
    Nothing in the file is executed: pickle files are refused."""
    _check_no_pickle_module(pickle_module, "load")
    map_tensor = _tensor_mapper(map_location)
    fh, owned, name = _open_for_reading(f)
    try:
        start = fh.tell()
        head = fh.read(16)
        size = fh.seek(0, os.SEEK_END) - start
        fh.seek(start)
        kind = _sniff(head, size)
        if kind == "zip":
            return _load_zip(fh, name, map_tensor)
        if kind == "safetensors":
            return _load_safetensors(fh.read(), map_tensor)
        if kind == "pickle":
            raise RuntimeError(
                f"'{name}' is a pickle file (as torch.save wrote before PyTorch "
                f"1.6, or pickle.dump). {_CONVERT_HINT}"
            )
        raise RuntimeError(
            f"'{name}' is neither a chainrule checkpoint (written by chainrule.save) nor a "
            "safetensors file."
        )
    finally:
        if owned:
            fh.close()


def _load_zip(fh, name, map_tensor):
    try:
        zf = zipfile.ZipFile(fh)
    except zipfile.BadZipFile as e:
        raise RuntimeError(
            f"'{name}' starts like a zip archive but cannot be read ({e}); it is neither a "
            "chainrule checkpoint nor a safetensors file."
        ) from None
    with zf:
        names = zf.namelist()
        if _MANIFEST not in names:
            if any(n.endswith("data.pkl") for n in names):
                raise RuntimeError(
                    f"'{name}' is a PyTorch checkpoint (torch.save: pickle data in a zip "
                    f"archive). {_CONVERT_HINT}"
                )
            raise RuntimeError(
                f"'{name}' is a zip archive but not a chainrule checkpoint (no {_MANIFEST})."
            )
        manifest = json.loads(zf.read(_MANIFEST))
        if manifest.get("format") != _FORMAT:
            raise RuntimeError(f"'{name}' is not a chainrule checkpoint")
        if manifest.get("version", 0) > _VERSION:
            raise RuntimeError(
                f"'{name}' was written by a newer chainrule (checkpoint format version "
                f"{manifest['version']}); this one reads version {_VERSION}"
            )
        return _Decoder(zf, manifest, map_tensor).decode(manifest["root"])


# -- safetensors -------------------------------------------------------------------------------
def _safetensors_numpy():
    try:
        import safetensors.numpy
    except ImportError:
        raise ImportError(
            "reading and writing .safetensors files needs the safetensors package: "
            "pip install safetensors (or pip install chainrule[safetensors])"
        ) from None
    return safetensors.numpy


def _safetensors_bytes(obj):
    if not isinstance(obj, collections.abc.Mapping):
        raise TypeError(
            "a .safetensors file holds a flat dict of str -> Tensor (a state_dict); got an "
            f"object of type {type(obj).__name__}"
        )
    for k, v in obj.items():
        if not isinstance(k, str) or not isinstance(v, Tensor):
            raise TypeError(
                "a .safetensors file holds a flat dict of str -> Tensor (a state_dict); "
                f"entry {k!r} is a {type(v).__name__}"
            )
    st = _safetensors_numpy()
    # (np.ascontiguousarray would turn 0-d arrays into 1-d ones)
    arrays = {k: np.require(v._data, requirements="C") for k, v in obj.items()}
    metadata = {"format": "pt", _ORDER_KEY: json.dumps(list(obj))}
    return st.save(arrays, metadata=metadata)


def _safetensors_key_order(data, names):
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    order = header.get("__metadata__", {}).get(_ORDER_KEY)
    if order is not None:
        order = json.loads(order)
        if sorted(order) == sorted(names):
            return order
    return sorted(names)


def _load_safetensors(data, map_tensor):
    st = _safetensors_numpy()
    try:
        arrays = st.load(data)
    except Exception as e:
        raise RuntimeError(f"could not read the safetensors file: {e}") from e
    out = {}
    for key in _safetensors_key_order(data, list(arrays)):
        arr = arrays[key]
        dtypes.from_numpy_dtype(arr.dtype)
        out[key] = map_tensor(Tensor._wrap(arr))
    return out
