"""Files in chainrule's earlier checkpoint format (a zip of chainrule/manifest.json and one
.npy per array), as chainrule.save wrote them before it wrote PyTorch's format; the tests
check that chainrule.load still reads them, and refuses damaged ones clearly."""

import base64
import collections
import io
import json
import math
import zipfile

import numpy as np

import chainrule


class _Encoder:
    def __init__(self):
        self.tensors, self.arrays = [], []
        self.tensor_ids, self.array_ids, self.keep = {}, {}, []

    def encode(self, obj):
        if obj is None or isinstance(obj, (bool, str, int)):
            return obj
        if isinstance(obj, float):
            return obj if math.isfinite(obj) else {"float": repr(obj)}
        if isinstance(obj, chainrule.Tensor):
            return {"tensor": self.tensor(obj)}
        if isinstance(obj, np.ndarray):
            return {"ndarray": self.array(obj)}
        if isinstance(obj, chainrule.dtype):
            return {"dtype": obj.name}
        if isinstance(obj, chainrule.Size):
            return {"size": list(obj)}
        if isinstance(obj, bytes):
            return {"bytes": base64.b64encode(obj).decode("ascii")}
        if isinstance(obj, np.generic):
            return {"scalar": obj.item(), "dtype": obj.dtype.str}
        if isinstance(obj, list):
            return [self.encode(v) for v in obj]
        if isinstance(obj, tuple):
            return {"tuple": [self.encode(v) for v in obj]}
        items = [[self.encode(k), self.encode(v)] for k, v in obj.items()]
        if type(obj) is dict:
            return {"dict": items}
        out = {"odict": items}
        if getattr(obj, "_metadata", None) is not None:
            out["metadata"] = self.encode(obj._metadata)
        return out

    def array(self, arr):
        if id(arr) not in self.array_ids:
            self.keep.append(arr)
            self.array_ids[id(arr)] = len(self.arrays)
            self.arrays.append(arr)
        return self.array_ids[id(arr)]

    def tensor(self, t):
        if id(t) not in self.tensor_ids:
            self.keep.append(t)
            entry = {
                "array": self.array(t._data),
                "dtype": t.dtype.name,
                "shape": list(t.shape),
                "requires_grad": t.requires_grad,
            }
            if type(t).__name__ == "Parameter":
                entry["parameter"] = True
            self.tensor_ids[id(t)] = len(self.tensors)
            self.tensors.append(entry)
        return self.tensor_ids[id(t)]


def manifest_and_arrays(obj):
    enc = _Encoder()
    root = enc.encode(obj)
    manifest = {"format": "chainrule-checkpoint", "version": 1, "root": root}
    manifest["tensors"] = enc.tensors
    return manifest, enc.arrays


def npy_bytes(arr):
    out = io.BytesIO()
    np.lib.format.write_array(out, arr, allow_pickle=False)
    return out.getvalue()


def write(manifest, arrays, *, raw_manifest=None, compression=zipfile.ZIP_STORED):
    """The archive's bytes; arrays may be ndarrays or raw .npy bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=compression) as zf:
        text = raw_manifest if raw_manifest is not None else json.dumps(manifest)
        zf.writestr("chainrule/manifest.json", text)
        for i, arr in enumerate(arrays):
            data = arr if isinstance(arr, bytes) else npy_bytes(arr)
            zf.writestr(f"chainrule/data/{i}.npy", data)
    return out.getvalue()


def v1_bytes(obj):
    return write(*manifest_and_arrays(obj))


def state_dict():
    sd = collections.OrderedDict()
    sd["w"] = chainrule.arange(6.0).reshape(2, 3)
    sd["b"] = chainrule.tensor([1, 2], dtype=chainrule.int16)
    return sd
