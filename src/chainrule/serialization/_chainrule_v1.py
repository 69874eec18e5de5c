"""Reading checkpoints that chainrule.save wrote before it wrote PyTorch's format.

Such a checkpoint is a zip archive: `chainrule/manifest.json` describes the object
(dicts with their key types and order, lists, tuples, numbers, strings, None) and its
tensors, and each array is one `.npy` entry. Every field is checked as it is read; a
file that does not follow the format gives a CheckpointError naming what is wrong.
"""

from __future__ import annotations

import base64
import binascii
import collections
import io
import json
import math
import re

import numpy as np

from .. import dtypes
from ..tensor import Size, Tensor
from ._errors import CheckpointError

PREFIX = "chainrule/"
MANIFEST = PREFIX + "manifest.json"
_FORMAT = "chainrule-checkpoint"
_VERSION = 1
_MAX_DEPTH = 200
_NP_CODE = re.compile(r"[<>|=]?(?:[biuf][0-9]{1,2}|\?|b1)")
_HEADER_READERS = {
    (1, 0): np.lib.format.read_array_header_1_0,
    (2, 0): np.lib.format.read_array_header_2_0,
}
_NON_FINITE = {"inf": math.inf, "-inf": -math.inf, "nan": math.nan}


class _Decoder:
    def __init__(self, zf, manifest, ctx):
        self.zf = zf
        self.ctx = ctx
        self.entries = manifest.get("tensors")
        if not isinstance(self.entries, list):
            self.fail("its manifest has no list of tensors")
        self.arrays = {}
        self.tensors = {}

    def fail(self, what):
        raise CheckpointError(f"cannot load '{self.ctx.name}': {what}")

    def index(self, v, what, n=None):
        if type(v) is not int or v < 0 or (n is not None and v >= n):
            self.fail(f"its manifest refers to {what} {v!r}, which does not exist")
        return v

    def array(self, i):
        i = self.index(i, "array")
        if i in self.arrays:
            return self.arrays[i]
        entry = self.zf.entries.get(f"{PREFIX}data/{i}.npy")
        if entry is None:
            self.fail(f"array {i} is missing from the archive")
        head = self.zf.read_head(entry, min(entry.size, 10)).ljust(10, b"\0")
        if head[:6] != b"\x93NUMPY" or head[6] not in (1, 2, 3):
            self.fail(f"array {i} is not a .npy array")
        size_len = 2 if head[6] == 1 else 4
        header_len = int.from_bytes(head[8 : 8 + size_len], "little")
        total = 8 + size_len + header_len
        if header_len > 10000:
            self.fail(f"array {i} has a header of {header_len:,} bytes")
        head = self.zf.read_head(entry, total)
        try:
            f = io.BytesIO(head)
            version = np.lib.format.read_magic(f)
            read_header = _HEADER_READERS.get(version)
            if read_header is None:
                self.fail(f"array {i} is a .npy array of version {version}")
            shape, fortran, dt = read_header(f)
        except Exception as e:  # noqa: BLE001  (NumPy's header parser raises many kinds)
            self.fail(f"array {i} has a damaged header ({e})")
        if dt.kind not in "biuf" or dt.hasobject or dt.fields or dt.byteorder == ">":
            self.fail(f"array {i} has dtype {dt}, which a chainrule checkpoint never holds")
        nbytes = math.prod(shape) * dt.itemsize
        if total + nbytes != entry.size:
            self.fail(
                f"array {i} of shape {shape} and dtype {dt} needs {nbytes:,} bytes; "
                f"its entry holds {entry.size - total:,}"
            )
        self.ctx.budget.add_storage()
        self.ctx.budget.charge(nbytes, f"array {i}")
        raw = np.empty(nbytes, np.uint8)
        self.zf.read_into(entry, raw, head)
        arr = raw.view(dt).reshape(shape, order="F" if fortran else "C")
        if dt.kind == "b":
            np.minimum(raw, 1, out=raw)
        self.arrays[i] = arr
        return arr

    def tensor(self, i):
        i = self.index(i, "tensor", len(self.entries))
        if i in self.tensors:
            return self.tensors[i]
        entry = self.entries[i]
        if not isinstance(entry, dict):
            self.fail(f"tensor {i}'s entry is not a JSON object")
        name, shape = entry.get("dtype"), entry.get("shape")
        rg = entry.get("requires_grad", False)
        if type(name) is not str or name not in dtypes._NAMES:
            self.fail(f"tensor {i} has the unknown dtype {str(name)[:40]!r}")
        if not isinstance(shape, list) or any(type(d) is not int or d < 0 for d in shape):
            self.fail(f"tensor {i}'s shape {str(shape)[:60]} is not a list of sizes")
        if type(rg) is not bool or type(entry.get("parameter", False)) is not bool:
            self.fail(f"tensor {i}'s flags are not true or false")
        arr = self.array(entry.get("array"))
        if list(arr.shape) != shape or arr.dtype != dtypes._NAMES[name].np:
            self.fail(f"tensor {i}'s data does not match its shape and dtype")
        if rg and arr.dtype.kind != "f":
            self.fail(f"tensor {i} of dtype {name} requires grad")
        t = Tensor._wrap(arr)
        if entry.get("parameter"):
            from ..nn import Parameter

            t = Parameter(t, requires_grad=rg)
        elif rg:
            t._requires_grad = True
        self.tensors[i] = self.ctx.restore_tensor(t)
        return self.tensors[i]

    def pairs(self, v, depth):
        if not isinstance(v, list):
            self.fail("a dict in its manifest is not a list of pairs")
        out = []
        for item in v:
            if not isinstance(item, list) or len(item) != 2:
                self.fail("a dict in its manifest is not a list of pairs")
            key = self.decode(item[0], depth)
            try:
                hash(key)
            except TypeError:
                self.fail(f"a dict key in its manifest is a {type(key).__name__}")
            out.append((key, self.decode(item[1], depth)))
        return out

    def decode(self, v, depth=0):
        if depth > _MAX_DEPTH:
            self.fail(f"its manifest is nested more than {_MAX_DEPTH} levels deep")
        depth += 1
        if v is None or isinstance(v, (bool, int, float, str)):
            return v
        if isinstance(v, list):
            return [self.decode(x, depth) for x in v]
        if not isinstance(v, dict) or len(v) == 0:
            self.fail("its manifest has an entry of unknown kind")
        if "tensor" in v:
            return self.tensor(v["tensor"])
        if "ndarray" in v:
            return self.array(v["ndarray"])
        if "tuple" in v:
            if not isinstance(v["tuple"], list):
                self.fail("a tuple in its manifest is not a list")
            return tuple(self.decode(x, depth) for x in v["tuple"])
        if "dict" in v:
            return dict(self.pairs(v["dict"], depth))
        if "odict" in v:
            out = collections.OrderedDict(self.pairs(v["odict"], depth))
            if "metadata" in v:
                out._metadata = self.decode(v["metadata"], depth)
            return out
        if "float" in v:
            if v["float"] not in _NON_FINITE:
                self.fail(f"its manifest has the float {str(v['float'])[:40]!r}")
            return _NON_FINITE[v["float"]]
        if "scalar" in v:
            code, value = v.get("dtype"), v["scalar"]
            if type(code) is not str or not _NP_CODE.fullmatch(code):
                self.fail(f"a NumPy scalar in its manifest has dtype {str(code)[:40]!r}")
            if type(value) not in (bool, int, float):
                self.fail("a NumPy scalar in its manifest is not a number")
            try:
                return np.dtype(code).type(value)
            except (OverflowError, ValueError, TypeError):
                self.fail(f"a NumPy scalar {value!r} does not fit dtype {code}")
        if "dtype" in v:
            if type(v["dtype"]) is not str or v["dtype"] not in dtypes._NAMES:
                self.fail(f"its manifest names the unknown dtype {str(v['dtype'])[:40]!r}")
            return dtypes._NAMES[v["dtype"]]
        if "size" in v:
            dims = v["size"]
            if not isinstance(dims, list) or any(type(d) is not int for d in dims):
                self.fail("a torch.Size in its manifest is not a list of integers")
            return Size(dims)
        if "bytes" in v:
            if type(v["bytes"]) is not str:
                self.fail("bytes in its manifest are not a base64 string")
            try:
                return base64.b64decode(v["bytes"], validate=True)
            except (binascii.Error, ValueError):
                self.fail(f"bytes in its manifest are not valid base64 ({v['bytes'][:40]!r})")
        self.fail("its manifest has an entry of unknown kind")


def _manifest_cost(raw):
    """An upper bound on the memory json.loads needs for raw (Python objects per token)."""
    return (
        len(raw) * 2
        + 120 * (raw.count(b"[") + raw.count(b"{"))
        + 80 * (raw.count(b",") + raw.count(b":"))
    )


def load(zf, ctx):
    entry = zf.entries[MANIFEST]
    raw = zf.read(entry)
    ctx.budget.charge(_manifest_cost(raw), "its manifest")
    try:
        manifest = json.loads(raw)
    except RecursionError:
        ctx.fail(f"its manifest is nested more than {_MAX_DEPTH} levels deep")
    except (ValueError, UnicodeDecodeError) as e:
        ctx.fail(f"its manifest is not valid JSON ({e})")
    if not isinstance(manifest, dict) or manifest.get("format") != _FORMAT:
        ctx.fail("its manifest is not a chainrule checkpoint's")
    version = manifest.get("version")
    if type(version) is not int or version < 1:
        ctx.fail(f"its manifest has the version {str(version)[:20]!r}")
    if version > _VERSION:
        ctx.fail(
            f"it was written by a newer chainrule (checkpoint format version {version}); "
            f"this one reads version {_VERSION}"
        )
    if "root" not in manifest:
        ctx.fail("its manifest has no root object")
    return _Decoder(zf, manifest, ctx).decode(manifest["root"])
