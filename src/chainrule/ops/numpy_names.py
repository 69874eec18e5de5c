"""NumPy's argument names where PyTorch accepts them: axis= for dim=, keepdims= for
keepdim=, x=/a=/x1= for input= and x2= for other=.

PyTorch's argument parser maps these names for every function and Tensor method it
implements natively, so `x.sum(axis=0, keepdims=True)` runs there. Here the same is done
once, after every op is defined: each public function and Tensor method that has one of
those parameters is wrapped to rename the keyword. Functions PyTorch writes in Python
(norm, split, unique, meshgrid, ...) do not take the NumPy names there, so not here
either.
"""

from __future__ import annotations

import inspect
import types

_ALIASES = {
    "dim": ("axis",),
    "keepdim": ("keepdims",),
    "input": ("x", "a", "x1"),
    "other": ("x2",),
}

# PyTorch's Python-level functions and methods: its parser never sees their arguments.
_PYTHON_LEVEL = frozenset(
    {
        "atleast_1d",
        "atleast_2d",
        "atleast_3d",
        "block_diag",
        "broadcast_shapes",
        "broadcast_tensors",
        "cartesian_prod",
        "einsum",
        "meshgrid",
        "norm",
        "split",
        "stft",
        "tensordot",
        "unflatten",
        "unique",
        "unique_consecutive",
        "unravel_index",
    }
)


def _parameters(fn):
    """fn's parameter names, and the name of its *args (or None). A plain function's are
    read from its code object, and so are those of a functools.wraps wrapper's innermost
    function (which is where inspect.signature would read them): inspect.signature, for
    the hundreds of functions this module looks at, would be most of the time `import
    chainrule` takes."""
    inner = fn
    while "__wrapped__" in inner.__dict__ and "__signature__" not in inner.__dict__:
        inner = inner.__wrapped__
        if type(inner) is not types.FunctionType:
            break
    if type(inner) is not types.FunctionType or "__signature__" in inner.__dict__:
        try:
            params = inspect.signature(fn).parameters
        except (TypeError, ValueError):
            return (), None
        star = [n for n, p in params.items() if p.kind is inspect.Parameter.VAR_POSITIONAL]
        return tuple(params), star[0] if star else None
    code = inner.__code__
    n = code.co_argcount + code.co_kwonlyargcount
    star = None
    if code.co_flags & inspect.CO_VARARGS:
        star = code.co_varnames[n]
        n += 1
    if code.co_flags & inspect.CO_VARKEYWORDS:
        n += 1
    return code.co_varnames[:n], star


def _renames(fn):
    params, star = _parameters(fn)
    return tuple(
        (alias, real)
        for real, aliases in _ALIASES.items()
        if real in params and real != star
        for alias in aliases
        if alias not in params
    )


def _accepting(fn, renames):
    name = fn.__name__

    def wrapper(*args, **kwargs):
        if not kwargs:
            return fn(*args)  # the usual call: without **{}, which costs more
        for alias, real in renames:
            if alias in kwargs:
                if real in kwargs:
                    raise TypeError(f"{name}() got an unexpected keyword argument '{alias}'")
                kwargs[real] = kwargs.pop(alias)
        return fn(*args, **kwargs)

    # functools.wraps's assignments, written out (it runs for hundreds of functions at
    # import, and its loop of getattr/setattr is most of that time)
    wrapper.__module__ = fn.__module__
    wrapper.__name__ = name
    wrapper.__qualname__ = fn.__qualname__
    wrapper.__doc__ = fn.__doc__
    wrapper.__annotations__ = fn.__annotations__
    wrapper.__dict__.update(fn.__dict__)
    wrapper.__wrapped__ = fn
    wrapper._numpy_names = True
    return wrapper


# The parameter names that have NumPy aliases: a function none of whose variables is one
# of them needs no wrapper (the first check below, and for most functions the only one).
_RENAMED = frozenset(_ALIASES)


def _wrapped(fn):
    """fn wrapped to take NumPy's names, or None where it takes none of the four. The
    cheapest checks come first: this runs for every public function at import."""
    if type(fn) is not types.FunctionType:
        return None
    attrs = fn.__dict__
    if attrs.get("_numpy_names"):
        return None
    reads_signature = "__wrapped__" in attrs or "__signature__" in attrs
    if not reads_signature and _RENAMED.isdisjoint(fn.__code__.co_varnames):
        return None
    if not (fn.__module__ or "").startswith("chainrule.") or fn.__name__ in _PYTHON_LEVEL:
        return None
    renames = _renames(fn)
    return _accepting(fn, renames) if renames else None


# id(function) -> its wrapper, kept for every call: a function reached through several
# namespaces (chainrule.det, chainrule.linalg.det, Tensor.det), wrapped at different
# times as the op families load, gets one wrapper. (The wrappers keep the functions, and
# so their ids, alive.)
_DONE: dict[int, object] = {}


def accept_numpy_names(namespaces, tensor_class=None):
    """Wrap the public functions of each namespace (a module's dict) and tensor_class's
    methods that take dim, keepdim, input or other, so they take NumPy's names too."""
    done = _DONE
    for namespace in namespaces:
        for key, value in list(namespace.items()):
            if key.startswith("_") or key in _PYTHON_LEVEL:
                continue
            wrapped = done.get(id(value)) or _wrapped(value)
            if wrapped is not None:
                done[id(value)] = wrapped
                namespace[key] = wrapped
    if tensor_class is None:
        return
    for key, value in list(vars(tensor_class).items()):
        if key.startswith("_") or key in _PYTHON_LEVEL:
            continue
        wrapped = done.get(id(value)) or _wrapped(value)
        if wrapped is not None:
            done[id(value)] = wrapped
            setattr(tensor_class, key, wrapped)
