"""save and load: PyTorch's checkpoint files, read without running anything from them.

chainrule.save writes PyTorch's zip format (what torch.save writes, and what
torch.load(f, weights_only=True) reads): state_dicts, optimizer states and nested
containers of tensors, numbers and strings, with tensors that share memory sharing one
storage. A name ending in .safetensors writes a safetensors file instead.

chainrule.load reads PyTorch's zip format and its legacy format (torch.save before
PyTorch 1.6), chainrule's own earlier format (a zip of a JSON manifest and .npy arrays)
and safetensors files, recognised by their content. Pickles are read by chainrule's own
restricted unpickler (_unpickler.py), which builds only what checkpoints hold (tensors,
storages, dtypes, torch.Size, devices, dicts, lists, tuples, sets, numbers, strings,
bytes, NumPy numbers) and refuses any other global by name; nothing a file names is
ever called. Every size a file declares is checked against the bytes it holds, and the
memory a load allocates is bounded by twice the file's size (plus 8 MiB, and 3 KiB for
each storage it holds: see _errors.Budget),
so a damaged or hostile file raises CheckpointError, a RuntimeError that names the file
and says what is wrong.
"""

from __future__ import annotations

import codecs
import io
import mmap as _mmap
import os
import pickle

from ..device import device
from ..tensor import Tensor
from . import _allowlist, _chainrule_v1, _safetensors, _torch_load, _torch_save
from ._errors import Budget, CheckpointError
from ._zip import ZipReader

__all__ = [
    "CheckpointError",
    "add_safe_globals",
    "clear_safe_globals",
    "get_safe_globals",
    "load",
    "safe_globals",
    "save",
]

DEFAULT_PROTOCOL = 2


# -- the allowlist API -------------------------------------------------------------------
def add_safe_globals(safe_globals):
    """Allow classes of your own in the files chainrule.load reads. Their objects are built
    as pickle builds them (the class's __new__, then its saved state); a function is never
    called. Items may be a class or a (class, "module.Name") pair."""
    _allowlist.add(safe_globals)


def get_safe_globals():
    """The classes add_safe_globals has allowed."""
    return _allowlist.user_globals()


def clear_safe_globals():
    """Forget every class add_safe_globals allowed."""
    _allowlist.clear()


class safe_globals:
    """A context manager that allows classes (as add_safe_globals) inside its block."""

    def __init__(self, safe_globals):
        self.safe_globals = list(safe_globals)

    def __enter__(self):
        self._added = [g for g in self.safe_globals if not _allowlist.registered(_key(g))]
        _allowlist.add(self.safe_globals)

    def __exit__(self, *exc):
        _allowlist.remove(self._added)


def _key(item):
    if isinstance(item, tuple):
        return item[1] if len(item) == 2 else None
    return f"{getattr(item, '__module__', '')}.{getattr(item, '__qualname__', '')}"


# -- saving ----------------------------------------------------------------------------------
def _path_of(f):
    if isinstance(f, (str, os.PathLike)):
        return os.fspath(f)
    return None


def _is_safetensors_name(f):
    name = _path_of(f) or getattr(f, "name", None)
    return isinstance(name, str) and name.endswith(".safetensors")


def save(
    obj,
    f,
    pickle_module=pickle,
    pickle_protocol=DEFAULT_PROTOCOL,
    _use_new_zipfile_serialization=True,
    _disable_byteorder_record=False,
):
    """Save obj to f (a path or a binary file object) in PyTorch's checkpoint format.

    obj may hold tensors, parameters, NumPy arrays and scalars of numbers, dicts,
    OrderedDicts, lists, tuples, sets, numbers, strings, bytes, None, dtypes, devices
    and torch.Size. The pickle is always protocol 2 (PyTorch's default), written by
    chainrule; a name ending in .safetensors writes a safetensors file.
    """
    if pickle_module is not None and pickle_module is not pickle:
        raise TypeError("chainrule.save writes its pickles itself; pickle_module must be pickle")
    if _is_safetensors_name(f):
        data = _safetensors.to_bytes(obj)
        path = _path_of(f)
        if path is None:
            f.write(data)
        else:
            with open(path, "wb") as out:
                out.write(data)
        return
    write = _torch_save.write_zip if _use_new_zipfile_serialization else _torch_save.write_legacy
    path = _path_of(f)
    if path is None:
        write(obj, f)
        return
    buffer = io.BytesIO()
    write(obj, buffer)  # a file is only created once the object is known to be storable
    with open(path, "wb") as out:
        out.write(buffer.getbuffer())


# -- loading ---------------------------------------------------------------------------------
_CPU_ONLY = (
    "Attempting to deserialize object on a {0} device but torch.{1}.is_available() is False. "
    "If you are running on a CPU-only machine, please use torch.load with "
    "map_location=torch.device('cpu') to map your storages to the CPU."
)


class _LocationError(RuntimeError):
    """A storage's location is a device this CPU-only build lacks, or no device at all."""


def _default_restore(array, location):
    kind = location.split(":")[0]
    if kind == "cpu":
        return array
    if kind in ("cuda", "mps", "xpu", "hpu"):
        raise _LocationError(_CPU_ONLY.format(kind.upper(), kind))
    raise _LocationError(
        "don't know how to restore data location of torch.storage.UntypedStorage "
        f"(tagged with {location})"
    )


def _restorer(map_location):
    """restore(array, location) -> array: where map_location sends a storage (chainrule
    computes on the CPU, so anywhere else is PyTorch's error for a CPU-only build)."""
    if map_location is None:
        return _default_restore
    if isinstance(map_location, dict):
        return lambda array, loc: _default_restore(array, str(map_location.get(loc, loc)))
    if isinstance(map_location, (str, bytes, device)):
        target = map_location.decode() if isinstance(map_location, bytes) else str(map_location)
        return lambda array, loc: _default_restore(array, target)
    if callable(map_location):

        def restore(array, location):
            result = map_location(Tensor._wrap(array), location)
            if result is None:
                return _default_restore(array, location)
            if not isinstance(result, Tensor):
                raise TypeError(
                    "map_location must return a storage (a tensor in chainrule) or None, "
                    f"not {type(result).__name__}"
                )
            out = result._data
            if out.dtype != array.dtype or out.shape != array.shape:
                raise RuntimeError(
                    "map_location returned a storage of another dtype or size "
                    f"({out.dtype} x {out.size} for {array.dtype} x {array.size})"
                )
            return out

        return restore
    raise TypeError(
        "map_location should be either None, a string, a chainrule.device, a dict or a "
        f"callable, but got {type(map_location).__name__}"
    )


def _sniff(head, size):
    """What kind of file starts with these bytes."""
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "zip"
    if head[:1] == b"\x80" and len(head) > 1 and head[1] <= 5:
        return "pickle"
    if len(head) >= 263 and head[257:262] == b"ustar":
        return "tar"
    if len(head) >= 9:
        n = int.from_bytes(head[:8], "little")
        if head[8:9] == b"{" and 8 + n <= size:
            return "safetensors"
    return None


def _open_for_reading(f):
    """(seekable binary file, owned, name): a path is opened, a file object read into
    memory when it cannot seek."""
    path = _path_of(f)
    if path is not None:
        return open(path, "rb"), True, path
    if not (hasattr(f, "seekable") and f.seekable()):
        f = io.BytesIO(f.read())
    name = getattr(f, "name", None)
    return f, False, name if isinstance(name, str) else "<file object>"


class _Context(_torch_load.LoadContext):
    def __init__(self, name, budget, restore, encoding):
        def checked(array, location):
            try:
                return restore(array, location)
            except _LocationError as e:
                self.fail(str(e))

        super().__init__(name, budget, checked, encoding)

    def restore_tensor(self, t):
        array = self.restore(t._data, "cpu")
        return t if array is t._data else Tensor._wrap(array)


def _check_arguments(pickle_module, weights_only, pickle_load_args):
    if pickle_module is not None:
        if weights_only or weights_only is None:
            raise RuntimeError(
                "Can not safely load weights when explicit pickle_module is specified"
            )
        if pickle_module is not pickle:
            raise TypeError("chainrule.load reads pickles itself; pickle_module must be pickle")
    encoding = pickle_load_args.pop("encoding", "utf-8")
    pickle_load_args.pop("fix_imports", None)  # Python 2 names are always mapped
    pickle_load_args.pop("errors", None)
    if pickle_load_args:
        raise TypeError(
            f"load() got an unexpected keyword argument '{next(iter(pickle_load_args))}'"
        )
    if encoding != "bytes":
        try:
            encoding = codecs.lookup(encoding).name
        except LookupError:
            raise LookupError(f"unknown encoding: {encoding}") from None
    return encoding


def load(
    f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None, **pickle_load_args
):
    """Load what torch.save or chainrule.save wrote (or a safetensors file) from f, a path
    or a binary file object. Nothing in the file is executed, whatever weights_only says:
    objects other than tensors and plain data are refused with a CheckpointError."""
    encoding = _check_arguments(pickle_module, weights_only, dict(pickle_load_args))
    restore = _restorer(map_location)
    if mmap and _path_of(f) is None:
        raise ValueError("f must be a file path in order to use the mmap argument")
    fh, owned, name = _open_for_reading(f)
    try:
        start = fh.tell()
        size = fh.seek(0, os.SEEK_END) - start
        fh.seek(start)
        head = fh.read(512)
        fh.seek(start)
        budget = Budget(size, name)
        ctx = _Context(name, budget, restore, encoding)
        kind = _sniff(head, size)
        if kind == "zip":
            return _load_zip(fh, size, ctx, mmap)
        if mmap and kind == "pickle":
            raise RuntimeError(
                "mmap can only be used with files saved with "
                f"`torch.save({name}, _use_new_zipfile_serialization=True), "
                "please torch.save your checkpoint with this option in order to use mmap."
            )
        if kind == "pickle":
            return _torch_load.load_legacy(fh, size, ctx)
        if kind == "safetensors":
            return _safetensors.load(fh.read(size), ctx)
        if kind == "tar":
            ctx.fail(
                "it is in PyTorch's first format (a tar archive, PyTorch 0.1 to 0.3), which "
                "PyTorch itself refuses with weights_only=True; load it once in PyTorch "
                "and save its state_dict again with torch.save"
            )
        if size == 0:
            ctx.fail("the file is empty")
        ctx.fail(
            "it is neither a PyTorch checkpoint (torch.save), a chainrule checkpoint nor a "
            "safetensors file"
        )
    finally:
        if owned:
            fh.close()


def _load_zip(fh, size, ctx, mmap):
    reader = ZipReader(fh, size, ctx.name, ctx.budget)
    if _chainrule_v1.MANIFEST in reader.entries:
        return _chainrule_v1.load(reader, ctx)
    if mmap:
        ctx.mapped = _mmap.mmap(fh.fileno(), 0, access=_mmap.ACCESS_COPY)
    return _torch_load.load_zip(reader, ctx)
