"""What a checkpoint's pickle may name, and how chainrule builds each of those itself.

The names PyTorch's weights-only loader accepts by default (its tensor and parameter
rebuild functions, storage classes, dtypes, torch.Size, torch.device, OrderedDict,
Counter, set, frozenset, complex, bytearray, and bytes through _codecs.encode), plus
NumPy scalars, dtypes and arrays of numbers. Every call a pickle asks for is carried out
by a function here that checks its arguments and builds the object; the callable the
file names is never called. Any other name is refused with an error that says what the
file holds and what to do.

add_safe_globals() lets a script allow classes of its own: their objects are built as
pickle builds them (the class's __new__, then its state), never by calling a function
the file names.
"""

from __future__ import annotations

import codecs
import collections
import math
import pickletools
import re

import numpy as np

from ..device import device
from ..tensor import Size, Tensor
from . import _tensors
from ._errors import CheckpointError

# Modules whose names a file may use to run commands or code; never allowed, not even
# through add_safe_globals.
_BLOCKED_MODULES = {
    "os", "posix", "nt", "sys", "subprocess", "shutil", "socket", "importlib", "runpy",
    "pty", "ctypes", "code", "codeop", "pickle", "_pickle", "marshal", "webbrowser",
    "multiprocessing", "signal", "builtins", "operator", "functools", "types", "io",
    "tempfile", "threading", "_thread", "asyncio", "inspect", "pdb", "timeit", "platform",
}  # fmt: skip

_user_globals = {}  # "module.name" -> a class allowed by add_safe_globals


def _identity_map(pairs):
    return {id(k): (k, v) for k, v in pairs}


def _lookup(table, obj):
    hit = table.get(id(obj))
    return hit[1] if hit is not None and hit[0] is obj else None


def _fail(u, what):
    u.fail(what)


# -- builders for the default names -------------------------------------------------------
def _arity(u, args, lo, hi, what):
    if not lo <= len(args) <= hi:
        _fail(u, f"{what} is called with {len(args)} arguments")


def _pairs(u, value, what):
    if isinstance(value, dict):
        return list(value.items())
    if not isinstance(value, (list, tuple)):
        _fail(u, f"{what} is built from a {type(value).__name__}")
    for item in value:
        if not isinstance(item, (list, tuple)) or len(item) != 2:
            _fail(u, f"{what} is built from something that is not key-value pairs")
    return value


def _ordered_dict(u, args):
    _arity(u, args, 0, 1, "OrderedDict")
    out = collections.OrderedDict()
    if args:
        items = _pairs(u, args[0], "an OrderedDict")
        u.charge(100 * len(items))
        out.update(items)
    return out


def _counter(u, args):
    _arity(u, args, 0, 1, "Counter")
    out = collections.Counter()
    if args:
        items = _pairs(u, args[0], "a Counter")
        u.charge(100 * len(items))
        out.update(dict(items))
    return out


def _size(u, args):
    _arity(u, args, 1, 1, "torch.Size")
    dims = args[0]
    if not isinstance(dims, (tuple, list)) or any(type(d) is not int for d in dims):
        _fail(u, "torch.Size is built from something that is not a tuple of integers")
    return Size(dims)


def _device(u, args):
    _arity(u, args, 1, 2, "torch.device")
    if type(args[0]) is not str or (len(args) == 2 and type(args[1]) not in (int, type(None))):
        _fail(u, "torch.device is built from something that is not a device name")
    try:
        return device(*args)
    except (RuntimeError, ValueError):
        _fail(u, f"it names the device {args[0]!r}, which chainrule does not know")


def _get_layout(u, args):
    if args != ("torch.strided",):
        _fail(u, f"it holds a tensor of layout {args!r}; chainrule has strided tensors only")
    return "torch.strided"


def _encode(u, args):
    _arity(u, args, 1, 2, "_codecs.encode")
    text, encoding = args[0], (args[1] if len(args) == 2 else "utf-8")
    if type(text) is not str or encoding not in ("latin1", "latin-1", "utf-8", "utf8"):
        _fail(u, "_codecs.encode is asked for something other than bytes from a string")
    u.charge(len(text))
    return text.encode(encoding)


def _bytearray(u, args):
    _arity(u, args, 0, 2, "bytearray")
    if not args:
        return bytearray()
    if len(args) == 1 and type(args[0]) is bytes:
        u.charge(len(args[0]))
        return bytearray(args[0])
    if len(args) == 2 and type(args[0]) is str and args[1] in ("latin1", "latin-1"):
        u.charge(len(args[0]))
        return bytearray(args[0], args[1])
    _fail(u, "bytearray is built from something other than bytes")


def _collection(kind):
    def build(u, args):
        _arity(u, args, 0, 1, kind.__name__)
        if not args:
            return kind()
        if not isinstance(args[0], (list, tuple, set, frozenset)):
            _fail(u, f"a {kind.__name__} is built from a {type(args[0]).__name__}")
        u.charge(80 * len(args[0]))
        out = kind(args[0])
        u.contains(out, args[0])
        return out

    return build


def _complex(u, args):
    _arity(u, args, 0, 2, "complex")
    if any(type(a) not in (int, float) for a in args):
        _fail(u, "complex is built from something that is not a number")
    return complex(*args)


def _tensor_rebuild(fn, lo, hi):
    def build(u, args):
        _arity(u, args, lo, hi, fn.__name__.replace("rebuild", "torch._utils._rebuild"))
        return fn(u, *args)

    return build


def _rebuild_from_type_v2(u, args):
    _arity(u, args, 4, 4, "torch._tensor._rebuild_from_type_v2")
    func, new_type, func_args, state = args
    if _lookup(_TENSOR_REBUILDS, func) is None or type(func_args) is not tuple:
        _fail(u, "a tensor is rebuilt by something other than a tensor rebuild function")
    t = _lookup(_CALLS, func)(u, func_args)
    from ..nn import Parameter

    if new_type is Parameter and not isinstance(t, Parameter):
        t = Parameter(t, t.requires_grad)
    elif new_type is not Tensor and new_type is not Parameter:
        _fail(u, f"it holds a tensor subclass ({new_type!r}), which chainrule does not build")
    _tensors.set_attributes(u, t, state)
    return t


# NumPy: scalars, dtypes and arrays of booleans and numbers
_NP_CODE = re.compile(r"[<>|=]?(?:[biufc][0-9]{1,2}|\?)")


def _np_checked_dtype(u, dt):
    if not isinstance(dt, np.dtype) or dt.kind not in "biufc" or dt.fields or dt.subdtype:
        _fail(u, "a NumPy value of a dtype other than booleans and numbers")
    return dt


def _np_dtype(u, args):
    _arity(u, args, 1, 3, "numpy.dtype")
    code = args[0]
    if type(code) is not str or not _NP_CODE.fullmatch(code):
        _fail(u, f"a NumPy dtype {code!r} other than booleans and numbers")
    try:
        dt = np.dtype(code)
    except TypeError:
        _fail(u, f"an unknown NumPy dtype {code!r}")
    return _np_checked_dtype(u, dt)


def _np_bytes(u, data):
    if type(data) is str:  # written by Python 2
        data = data.encode("latin1")
    if type(data) is not bytes:
        _fail(u, "NumPy data that is not bytes")
    return data


def _np_scalar(u, args):
    _arity(u, args, 1, 2, "numpy.core.multiarray.scalar")
    dt = _np_checked_dtype(u, args[0])
    data = _np_bytes(u, args[1] if len(args) == 2 else b"\0" * dt.itemsize)
    if len(data) != dt.itemsize:
        _fail(u, f"a NumPy {dt} scalar of {len(data)} bytes")
    return np.frombuffer(data, dtype=dt).astype(dt.newbyteorder("="))[0]


def _np_reconstruct(u, args):
    _arity(u, args, 3, 3, "numpy.core.multiarray._reconstruct")
    if args[0] is not np.ndarray:
        _fail(u, "a NumPy array of a class other than ndarray")
    out = np.empty(0, np.uint8)
    u.pending_arrays.add(id(out))
    return out


def _build_np_array(u, inst, state):
    if id(inst) not in u.pending_arrays or not isinstance(state, tuple):
        _fail(u, "a NumPy array's state set twice or malformed")
    u.pending_arrays.discard(id(inst))
    if len(state) == 5:
        state = state[1:]
    if len(state) != 4:
        _fail(u, "a NumPy array's state is malformed")
    shape, dt, fortran, data = state
    if not isinstance(shape, tuple) or any(type(d) is not int or d < 0 for d in shape):
        _fail(u, "a NumPy array's shape is not a tuple of integers >= 0")
    dt = _np_checked_dtype(u, dt)
    data = _np_bytes(u, data)
    nbytes = math.prod(shape) * dt.itemsize
    if len(data) != nbytes:
        _fail(u, f"a NumPy array of shape {shape} and dtype {dt} holds {len(data)} bytes")
    u.charge(nbytes)
    inst.__setstate__((shape, dt, bool(fortran), data))
    return inst


def _build_np_dtype(u, inst, state):
    if not isinstance(state, tuple) or len(state) < 2 or state[1] not in ("<", ">", "|", "="):
        _fail(u, "a NumPy dtype's state is malformed")
    if any(v is not None for v in state[2:5]):
        _fail(u, "a NumPy dtype with fields or subarrays")
    if state[1] == ">" and inst.itemsize > 1:
        return inst.newbyteorder(">")
    return inst


def _build_attributes(u, inst, state):
    """OrderedDict's state (a state_dict's _metadata): plain attributes."""
    if state is None:
        return inst
    if isinstance(state, tuple) and len(state) == 2 and state[1] is None:
        state = state[0]
    if not isinstance(state, dict) or any(type(k) is not str for k in state):
        _fail(u, f"the state of a {type(inst).__name__} is not a dict of attributes")
    inst.__dict__.update(state)
    return inst


def _build_tensor(u, inst, state):
    if state is None or (isinstance(state, dict) and not state):
        return inst
    if isinstance(state, dict):
        _tensors.set_attributes(u, inst, state)
        return inst
    _fail(u, "it holds a tensor in a layout from before PyTorch 0.4 (Tensor.set_ on load)")


def _new_parameter(u, cls, args, kwargs):
    from ..nn import Parameter

    if kwargs or not 1 <= len(args) <= 2 or not isinstance(args[0], Tensor):
        _fail(u, "a Parameter is created from something that is not a tensor")
    rg = args[1] if len(args) == 2 else True
    if type(rg) is not bool or (rg and args[0]._data.dtype.kind != "f"):
        _fail(u, "a Parameter with a malformed requires_grad")
    return Parameter(args[0], rg)


# -- the tables --------------------------------------------------------------------------
def _numpy_module(name):
    core = getattr(np, "_core", None) or np.core
    return getattr(core, name)


def _default_globals():
    from ..nn import Parameter

    storage_untyped = _tensors.StorageType("UntypedStorage", None)
    g = {
        "collections.OrderedDict": collections.OrderedDict,
        "collections.Counter": collections.Counter,
        "torch.nn.parameter.Parameter": Parameter,
        "torch.Size": Size,
        "torch.Tensor": Tensor,
        "torch.device": device,
        "torch.serialization._get_layout": _get_layout,
        "torch.storage.UntypedStorage": storage_untyped,
        "torch.UntypedStorage": storage_untyped,
        "_codecs.encode": codecs.encode,
        "builtins.bytearray": bytearray,
        "builtins.set": set,
        "builtins.frozenset": frozenset,
        "builtins.complex": complex,
        "torch._tensor._rebuild_from_type_v2": _rebuild_from_type_v2,
        "numpy.dtype": np.dtype,
        "numpy.ndarray": np.ndarray,
    }
    for fn in _TENSOR_REBUILD_FUNCTIONS:
        g["torch._utils._" + fn.__name__] = fn
    for cls, dtype_name in _tensors.STORAGE_CLASSES.items():
        g["torch." + cls] = _tensors.StorageType(cls, dtype_name)
    for name, canonical in _tensors.TORCH_DTYPE_NAMES.items():
        g["torch." + name] = _tensors.chainrule_dtype(canonical or name)
    for core in ("numpy.core", "numpy._core"):
        g[core + ".multiarray.scalar"] = _numpy_module("multiarray").scalar
        g[core + ".multiarray._reconstruct"] = _numpy_module("multiarray")._reconstruct
    return g


_TENSOR_REBUILD_FUNCTIONS = (
    _tensors.rebuild_tensor,
    _tensors.rebuild_tensor_v2,
    _tensors.rebuild_tensor_v3,
    _tensors.rebuild_parameter,
    _tensors.rebuild_parameter_with_state,
)
_TENSOR_REBUILDS = _identity_map(
    [
        (_tensors.rebuild_tensor, _tensor_rebuild(_tensors.rebuild_tensor, 4, 4)),
        (_tensors.rebuild_tensor_v2, _tensor_rebuild(_tensors.rebuild_tensor_v2, 6, 7)),
        (_tensors.rebuild_tensor_v3, _tensor_rebuild(_tensors.rebuild_tensor_v3, 7, 8)),
        (_tensors.rebuild_parameter, _tensor_rebuild(_tensors.rebuild_parameter, 3, 3)),
        (
            _tensors.rebuild_parameter_with_state,
            _tensor_rebuild(_tensors.rebuild_parameter_with_state, 4, 4),
        ),
    ]
)
_CALLS = dict(_TENSOR_REBUILDS)
_CALLS.update(
    _identity_map(
        [
            (collections.OrderedDict, _ordered_dict),
            (collections.Counter, _counter),
            (Size, _size),
            (device, _device),
            (_get_layout, _get_layout),
            (codecs.encode, _encode),
            (bytearray, _bytearray),
            (set, _collection(set)),
            (frozenset, _collection(frozenset)),
            (complex, _complex),
            (_rebuild_from_type_v2, _rebuild_from_type_v2),
            (np.dtype, _np_dtype),
            (_numpy_module("multiarray").scalar, _np_scalar),
            (_numpy_module("multiarray")._reconstruct, _np_reconstruct),
        ]
    )
)
_DEFAULTS = None


def default_globals():
    global _DEFAULTS
    if _DEFAULTS is None:
        _DEFAULTS = _default_globals()
    return _DEFAULTS


# -- refusing, with what to do -------------------------------------------------------------
def _globals_named(data):
    """The module.name of every GLOBAL opcode in a pickle (for the refusal message)."""
    names = []
    try:
        for op, arg, _ in pickletools.genops(data):
            if op.name == "GLOBAL" and isinstance(arg, str):
                names.append(arg.replace(" ", "."))
    except Exception:  # noqa: BLE001  (a damaged tail only shortens the list)
        pass
    return names


def _refusal(u, full):
    module = full.rsplit(".", 1)[0]
    root = module.split(".")[0]
    if root in _BLOCKED_MODULES or (root.startswith("_") and root != "__main__"):
        return (
            f"it asks to call {full}, which would run code or commands. chainrule.load "
            "builds tensors and plain data only and never calls anything a file names "
            "(weights_only=False changes nothing there). This is not a checkpoint of "
            "weights; do not open it with torch.load(weights_only=False) either unless you "
            "trust where it came from."
        )
    named = [n for n in _globals_named(getattr(u, "data", b"")) if n.startswith("torch.nn.")]
    modules = [n for n in named if n.startswith("torch.nn.modules.")]
    if full.startswith("torch.nn.modules.") or modules:
        example = full if full.startswith("torch.nn.modules.") else modules[0]
        return (
            f"it holds a whole pickled model (it needs {full}, and {example} is a layer), as "
            "torch.save(model) writes it. Unpickling a model runs code named by the file, "
            "so chainrule.load refuses it: save its state_dict instead, "
            "torch.save(model.state_dict(), path), then build the model in your script and "
            "call model.load_state_dict(torch.load(path))."
        )
    short = full.rsplit(".", 1)[1]
    return (
        f"it needs {full}, which chainrule does not build: chainrule.load builds tensors, "
        "state_dicts, optimizer states and plain containers (dicts, lists, tuples, sets, "
        "numbers, strings, bytes), and never runs code named by a file. If the file holds "
        "a whole model (torch.save(model)), save its state_dict instead: "
        "torch.save(model.state_dict(), path). If it is an object of a class of your own "
        f"that you trust, allow the class first: torch.serialization.add_safe_globals([{short}])."
    )


# -- the allowlist the unpickler consults ----------------------------------------------------
class Allowlist:
    """Resolves a pickle's globals and carries out its calls, for one load."""

    def resolve(self, u, module, name):
        full = f"{module}.{name}"
        defaults = default_globals()
        if full in defaults:
            return defaults[full]
        cls = _user_globals.get(full)
        if cls is not None and module.split(".")[0] not in _BLOCKED_MODULES:
            return cls
        u.fail(_refusal(u, full))

    def call(self, u, func, args):
        handler = _lookup(_CALLS, func)
        if handler is not None:
            return handler(u, args)
        if _is_user_class(func):  # a class the script allowed (an Enum, a Path, ...)
            return func(*args)
        _fail(u, f"its pickle calls {_describe(func)}, which chainrule does not call")

    def new(self, u, cls, args, kwargs):
        from ..nn import Parameter

        if cls is Parameter:
            return _new_parameter(u, cls, args, kwargs)
        if _is_user_class(cls):
            return cls.__new__(cls, *args, **kwargs)
        _fail(u, f"its pickle creates an object of {_describe(cls)}, which chainrule does not")

    def build(self, u, inst, state):
        t = type(inst)
        if t in (collections.OrderedDict, collections.Counter):
            return _build_attributes(u, inst, state)
        if isinstance(inst, Tensor):
            return _build_tensor(u, inst, state)
        if t is np.ndarray:
            return _build_np_array(u, inst, state)
        if isinstance(inst, np.dtype):
            return _build_np_dtype(u, inst, state)
        if _is_user_class(t):
            setstate = getattr(inst, "__setstate__", None)
            if setstate is not None:
                setstate(state)
                return inst
            slots = None
            if isinstance(state, tuple) and len(state) == 2:
                state, slots = state
            for part in (state, slots):
                if part and (not isinstance(part, dict) or any(type(k) is not str for k in part)):
                    _fail(u, f"the state of a {t.__name__} is not a dict of attributes")
            if state:
                inst.__dict__.update(state)
            for k, v in (slots or {}).items():
                setattr(inst, k, v)
            return inst
        _fail(u, f"its pickle sets the state of a {t.__name__}, which a checkpoint never does")

    def set_items(self, u, target, items):
        _fail(u, f"its pickle sets items of a {type(target).__name__}")


def _is_user_class(obj):
    return isinstance(obj, type) and any(obj is c for c in _user_globals.values())


def _describe(obj):
    if isinstance(obj, type):
        return f"the class {obj.__module__}.{obj.__qualname__}"
    return f"a {type(obj).__name__}"


# -- the public allowlist API (torch.serialization.add_safe_globals and friends) ----------
def _entry(item):
    if isinstance(item, tuple):
        if len(item) != 2:
            raise ValueError(
                "Expected tuple of length 2 (global, str of callable full path), but got "
                f"tuple of length: {len(item)}"
            )
        if type(item[1]) is not str:
            raise TypeError(
                "Expected second item in tuple to be str of callable full path, but got: "
                f"{type(item[1])}"
            )
        return item[1], item[0]
    return f"{item.__module__}.{item.__qualname__}", item


def add(items):
    for item in items:
        full, obj = _entry(item)
        if _lookup(_CALLS, obj) is not None or obj in default_globals().values():
            continue  # chainrule builds it already
        if not isinstance(obj, type):
            raise TypeError(
                f"chainrule.serialization.add_safe_globals takes classes; {full} is a "
                f"{type(obj).__name__}. chainrule builds objects of allowed classes as pickle "
                "does (the class's __new__, then its state) and never calls a function that "
                "a file names."
            )
        if full.split(".")[0] in _BLOCKED_MODULES:
            raise ValueError(f"{full} belongs to a module chainrule never loads objects from")
        _user_globals[full] = obj


def remove(items):
    for item in items:
        full, _ = _entry(item)
        _user_globals.pop(full, None)


def user_globals():
    return list(_user_globals.values())


def clear():
    _user_globals.clear()


def registered(full):
    return full in _user_globals


__all__ = ["Allowlist", "CheckpointError", "add", "clear", "default_globals", "remove"]
