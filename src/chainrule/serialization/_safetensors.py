"""Tensors as .safetensors files: a flat dict of str -> Tensor, readable by PyTorch
(safetensors.torch.load_file) and written by it (save_file). The dict's key order is kept
in the file's metadata."""

from __future__ import annotations

import collections.abc
import json
import struct

import numpy as np

from .. import dtypes
from ..tensor import Tensor

ORDER_KEY = "chainrule.key_order"  # safetensors metadata: the dict's key order


def _safetensors_numpy():
    try:
        import safetensors.numpy
    except ImportError:
        raise ImportError(
            "reading and writing .safetensors files needs the safetensors package: "
            "pip install safetensors (or pip install chainrule[safetensors])"
        ) from None
    return safetensors.numpy


def to_bytes(obj):
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
    metadata = {"format": "pt", ORDER_KEY: json.dumps(list(obj))}
    return st.save(arrays, metadata=metadata)


def _key_order(header, names):
    order = (header.get("__metadata__") or {}).get(ORDER_KEY)
    if isinstance(order, str):
        try:
            order = json.loads(order)
        except ValueError:
            order = None
        if isinstance(order, list) and sorted(map(str, order)) == sorted(names):
            return order
    return sorted(names)


def load(data, ctx):
    """The state_dict in data (the whole file)."""
    st = _safetensors_numpy()
    (n,) = struct.unpack("<Q", data[:8])
    ctx.budget.charge(len(data) + 40 * n, "its header and tensors")
    try:
        header = json.loads(data[8 : 8 + n])
        arrays = st.load(data)
    except RecursionError:
        ctx.fail("its header is nested too deeply")
    except Exception as e:  # noqa: BLE001  (the library's own error types vary)
        ctx.fail(f"it is not a readable safetensors file ({e})")
    if not isinstance(header, dict):
        ctx.fail("its header is not a JSON object")
    out = {}
    for key in _key_order(header, list(arrays)):
        arr = arrays[key]
        if arr.dtype not in dtypes._FROM_NP:
            ctx.fail(f"tensor {key!r} has dtype {arr.dtype}, which chainrule does not have")
        out[key] = ctx.restore_tensor(Tensor._wrap(arr))
    return out
