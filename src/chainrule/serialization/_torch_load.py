"""Reading PyTorch's checkpoint formats.

The zip format (PyTorch 1.6 and later): an archive `<name>/data.pkl` (the pickled
object, whose tensors refer to storages by key), `<name>/data/<key>` (each storage's
raw bytes), `<name>/byteorder` and `<name>/version`.

The legacy format (torch.save before 1.6, or with _use_new_zipfile_serialization=False):
five pickles in a row (a magic number, the protocol version 1001, system information,
the object, the list of storage keys) followed by each storage as an 8-byte element
count and its raw bytes, in the order of that list.

Both are read through the restricted unpickler; the storages are read straight into
arrays of exactly the size the pickle declares, once that size is checked against the
bytes the file holds for them.
"""

from __future__ import annotations

import sys

import numpy as np

from . import _tensors
from ._allowlist import Allowlist
from ._errors import CheckpointError
from ._unpickler import NeedMoreData, Unpickler

MAGIC_NUMBER = 0x1950A86A20F9469CFC6C
PROTOCOL_VERSION = 1001
_KNOWN_ZIP_VERSIONS = (1, 2, 3)
FIRST_CHUNK = 1 << 20  # bytes of a legacy file read for its pickles, doubled as needed


class LoadContext:
    """What one load knows: the file's name, its budget, where storages go, the text
    encoding for Python 2 strings and, with mmap, the mapped file."""

    def __init__(self, name, budget, restore, encoding="utf-8", mapped=None):
        self.name = name
        self.budget = budget
        self.restore = restore
        self.encoding = encoding
        self.mapped = mapped

    def fail(self, what):
        raise CheckpointError(f"cannot load '{self.name}': {what}")

    def unpickler(self, data, pos, persistent_load, complete=True):
        return Unpickler(
            data,
            pos,
            allowlist=Allowlist(),
            persistent_load=persistent_load,
            budget=self.budget,
            name=self.name,
            complete=complete,
            encoding=self.encoding,
        )


def _text(value):
    """A name written by Python 2 (bytes) as a str; a non-ASCII one cannot match anything."""
    return value.decode("ascii", "replace") if isinstance(value, bytes) else value


def _storage_pid(ctx, pid, length):
    """(storage_type, key, location, numel, rest) from a persistent id."""
    if not isinstance(pid, tuple) or len(pid) != length or _text(pid[0]) != "storage":
        ctx.fail(f"a persistent id in its pickle is not a storage ({type(pid).__name__})")
    storage_type, key, location, numel = pid[1], _text(pid[2]), _text(pid[3]), pid[4]
    if not isinstance(storage_type, _tensors.StorageType):
        ctx.fail("a storage's type is not a storage class")
    if type(key) is not str or type(location) is not str:
        ctx.fail("a storage's key or location is not a string")
    if type(numel) is not int or numel < 0:
        ctx.fail(f"storage '{key}' declares {numel!r} elements")
    return storage_type, key, location, numel, pid[5:]


def _itemsize(storage_type):
    return 1 if storage_type.dtype is None else _tensors._ITEMSIZE[storage_type.dtype]


# -- the zip format ----------------------------------------------------------------------
def load_zip(zip_reader, ctx):
    entries = zip_reader.entries
    pickles = [n for n in entries if n.count("/") == 1 and n.endswith("/data.pkl")]
    if len(pickles) != 1:
        if any(n.endswith("/constants.pkl") for n in entries):
            ctx.fail(
                "it is a TorchScript archive (torch.jit.save), a compiled program that "
                "chainrule cannot run; save the model's state_dict with torch.save instead"
            )
        ctx.fail("the zip archive has no single <name>/data.pkl, so it is not a checkpoint")
    prefix = pickles[0][: -len("data.pkl")]
    version = entries.get(prefix + "version") or entries.get(prefix + ".data/version")
    if version is not None:
        text = zip_reader.read(version).strip()
        if not text.isdigit() or int(text) not in _KNOWN_ZIP_VERSIONS:
            ctx.fail(f"its format version {text[:20]!r} is not one PyTorch 2.13 writes")
    swap = False
    order = entries.get(prefix + "byteorder")
    if order is not None:
        text = zip_reader.read(order)
        if text not in (b"little", b"big"):
            ctx.fail(f"its byte order record says {text[:20]!r}")
        swap = (text == b"big") != (sys.byteorder == "big")
    data = zip_reader.read(entries[pickles[0]])
    storages = {}

    def persistent_load(pid):
        storage_type, key, location, numel, _ = _storage_pid(ctx, pid, 5)
        if key in storages:
            if storages[key].dtype != storage_type.dtype:
                ctx.fail(f"storage '{key}' is used with two dtypes")
            return storages[key]
        entry = entries.get(f"{prefix}data/{key}")
        if entry is None:
            ctx.fail(f"storage '{key}' is missing from the archive")
        nbytes = numel * _itemsize(storage_type)
        if entry.size != nbytes:
            ctx.fail(
                f"storage '{key}' declares {numel:,} elements ({nbytes:,} bytes) but its "
                f"entry holds {entry.size:,} bytes"
            )
        ctx.budget.add_storage()
        if ctx.mapped is not None:
            raw = np.frombuffer(
                ctx.mapped, np.uint8, nbytes, zip_reader.start + zip_reader.data_offset(entry)
            )
        else:
            ctx.budget.charge(nbytes, f"storage '{key}'")
            raw = np.empty(nbytes, np.uint8)
            zip_reader.read_into(entry, raw)
        storage = _tensors.Storage(None, storage_type.dtype, key)
        storage.array = (
            raw if storage.dtype is None else _tensors.typed_view(raw, storage.dtype, ctx.name)
        )
        if swap:
            _swap(ctx, storage)
        _tensors.settle(storage)
        storage.array = ctx.restore(storage.array, location)
        storages[key] = storage
        return storage

    obj, end = ctx.unpickler(data, 0, persistent_load).load()
    if end != len(data):
        ctx.fail(f"its pickle has {len(data) - end:,} bytes after its end")
    return obj


# -- the legacy format -------------------------------------------------------------------
def load_legacy(fh, size, ctx):
    """Read the legacy stream from fh (at its start, `size` bytes long)."""
    start = fh.tell()
    chunk = min(size, FIRST_CHUNK)
    while True:
        fh.seek(start)
        data = fh.read(chunk)
        used = ctx.budget.used
        try:
            return _load_legacy(fh, start, size, data, len(data) == size, ctx)
        except NeedMoreData:
            ctx.budget.used = used
            chunk = min(size, 2 * chunk)


def _load_legacy(fh, start, size, data, complete, ctx):
    pos = 0

    def plain():
        nonlocal pos
        obj, pos = ctx.unpickler(data, pos, _no_persistent_ids(ctx), complete).load()
        return obj

    if plain() != MAGIC_NUMBER:
        ctx.fail(
            "it is a pickle file but not a PyTorch checkpoint (its first value is not "
            "torch.save's magic number), or the file is corrupt"
        )
    if plain() != PROTOCOL_VERSION:
        ctx.fail("its legacy protocol version is not 1001")
    info = plain()
    if not isinstance(info, dict):
        ctx.fail("its system information is not a dict")
    swap = bool(info.get("little_endian", True)) != (sys.byteorder == "little")
    storages, views, declared = {}, {}, [0]

    # The storages' bytes follow the pickles, so each storage is made (at its declared
    # size) when the object's pickle first names it, and filled once the pickles are read.
    def persistent_load(pid):
        storage_type, key, location, numel, (view,) = _storage_pid(ctx, pid, 6)
        root = storages.get(key)
        if root is None:
            nbytes = numel * _itemsize(storage_type)
            declared[0] += nbytes
            if declared[0] > size:
                ctx.fail(f"its storages declare {declared[0]:,} bytes, more than the file holds")
            ctx.budget.add_storage()
            ctx.budget.charge(nbytes, f"storage '{key}'")
            raw = np.empty(nbytes, np.uint8)
            root = _tensors.Storage(None, storage_type.dtype, key)
            typed = raw if root.dtype is None else _tensors.typed_view(raw, root.dtype, ctx.name)
            root.array = ctx.restore(typed, location)
            if root.array.nbytes != nbytes or not root.array.flags.c_contiguous:
                ctx.fail(f"map_location returned a storage of another size for '{key}'")
            root.numel = numel
            storages[key] = root
        elif root.dtype != storage_type.dtype:
            ctx.fail(f"storage '{key}' is used with two dtypes")
        if view is None:
            return root
        if not isinstance(view, tuple) or len(view) != 3:
            ctx.fail("a storage view in its pickle is malformed")
        view_key, offset, count = _text(view[0]), view[1], view[2]
        if view_key not in views:
            if type(offset) is not int or type(count) is not int or offset < 0 or count < 0:
                ctx.fail("a storage view's offset or size is not an integer >= 0")
            if offset + count > root.numel:
                ctx.fail(f"a storage view reaches outside storage '{key}'")
            part = _tensors.Storage(root.array[offset : offset + count], root.dtype, view_key)
            views[view_key] = part
        return views[view_key]

    obj, pos = ctx.unpickler(data, pos, persistent_load, complete).load()
    keys = plain()
    if not isinstance(keys, list) or any(type(_text(k)) is not str for k in keys):
        ctx.fail("its list of storage keys is malformed")
    keys = [_text(k) for k in keys]
    if sorted(keys) != sorted(storages):
        ctx.fail("its list of storage keys does not match the storages its object uses")
    fh.seek(start + pos)
    at = pos
    for key in keys:
        root = storages[key]
        head = fh.read(8)
        if len(head) != 8:
            ctx.fail("the file is truncated (a storage's data is missing)")
        count = int.from_bytes(head, "big" if swap else "little", signed=True)
        if count != root.numel:
            ctx.fail(f"storage '{key}' declares {root.numel:,} elements, its data {count:,}")
        view = memoryview(root.array).cast("B")
        got = 0
        while got < len(view):
            n = fh.readinto(view[got:])
            if not n:
                ctx.fail("the file is truncated (a storage's data is cut short)")
            got += n
        at += 8 + got
        if swap:
            _swap(ctx, root)
        _tensors.settle(root)
    for part in views.values():
        _tensors.settle(part)
    if at != size:
        ctx.fail(f"the file has {size - at:,} bytes after its last storage")
    return obj


def _swap(ctx, storage):
    if storage.dtype is None:
        ctx.fail("an untyped storage written on a big-endian machine")
    if storage.array.itemsize > 1:
        storage.array.byteswap(inplace=True)


def _no_persistent_ids(ctx):
    def load(pid):
        ctx.fail("a persistent id outside the object's pickle")

    return load
