"""Parsing an index expression, x[key], into the two NumPy keys indexing applies.

`parse_key` turns a key (ints, slices, None, Ellipsis, bools, integer and bool
arrays, tensors and lists of them) into a `Key`, with PyTorch's errors: a basic
key (ints, slices, None; the result is a view), then an optional advanced key
(integer arrays; bool masks become their nonzero indices). Ints are always
applied in the basic step, so `x[0, :, [0, 1]]` has PyTorch's shape, not NumPy's.
The Key also names the grad_fn PyTorch shows for the read (SelectBackward0,
SliceBackward0, IndexBackward0, ...).
"""

import numbers
from collections.abc import Sequence

import numpy as np

from ..tensor import Tensor

_FULL = slice(None)


# -- parsing an index expression --------------------------------------------------------
class Key:
    """A parsed index: `basic` (a tuple ending in Ellipsis, or None when it selects
    everything) then `adv` (a tuple of slices and integer arrays, or None)."""

    __slots__ = ("basic", "adv", "name")

    def __init__(self, basic, adv, name):
        self.basic = basic
        self.adv = adv
        self.name = name

    def read(self, a):
        out = a if self.basic is None else a[self.basic]
        return out if self.adv is None else out[self.adv]

    def region(self, a):
        """The part of `a` the basic key selects, as a writable NumPy view."""
        return a if self.basic is None else a[self.basic]


class KeyChain:
    """Keys applied one after another (base[k1][k2]...), with Key's interface."""

    __slots__ = ("keys", "adv", "name")

    def __init__(self, keys):
        self.keys = keys
        self.adv = keys[-1].adv
        self.name = keys[-1].name

    def read(self, a):
        for k in self.keys:
            a = k.read(a)
        return a

    def region(self, a):
        for k in self.keys[:-1]:
            a = k.read(a)
        return self.keys[-1].region(a)


def _index_type_error(item):
    name = type(item).__name__
    return IndexError(
        "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are "
        f"valid indices (got {name})"
    )


def _as_index_array(item):
    """An index given as a tensor, array or (nested) list: an int64 or bool array."""
    if isinstance(item, Tensor):
        arr = item._data
    elif isinstance(item, np.ndarray):
        arr = item
    else:
        arr = np.asarray(
            [x._data if isinstance(x, Tensor) else x for x in item]
            if any(isinstance(x, Tensor) for x in item)
            else item
        )
        if arr.size == 0:
            arr = arr.astype(np.int64)
    kind = arr.dtype.kind
    if kind == "b":
        return arr
    if arr.dtype == np.uint8:
        return arr.astype(bool)
    if kind not in "iu":
        raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    return arr


def _is_int_sequence(item):
    """A Python sequence other than a string (a range, a deque, ...): PyTorch reads any of
    them as an index tensor."""
    return isinstance(item, Sequence) and not isinstance(item, (str, bytes))


def _is_legacy_tuple(seq):
    """PyTorch still reads x[[0, slice(None)]] and x[[[0, 1]]] as x[0, :] and x[[0, 1]]."""
    return any(
        isinstance(x, (list, tuple, slice, Tensor, np.ndarray)) or x is None or x is Ellipsis
        for x in seq
    )


def _slice_bound(v):
    if v is None or type(v) is int:
        return v
    try:
        return v.__index__()
    except (AttributeError, TypeError):
        raise TypeError(
            "slice indices must be integers or None or have an __index__ method"
        ) from None


def parse_key(shape, key):
    """The Key for `tensor[key]` on a tensor of this shape, with PyTorch's errors."""
    if type(key) is not tuple:
        if isinstance(key, list) and _is_legacy_tuple(key):
            key = tuple(key)
        else:
            key = (key,)
    items = [_classify(item) for item in key]
    consumed = sum(_dims_consumed(item, kind) for item, kind in items)
    ndim = len(shape)
    if consumed > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    walk = _KeyWalk(shape, consumed)
    for position, (item, kind) in enumerate(items):
        walk.step(position, item, kind)
    if walk.adv:
        adv_key = _advanced_key(walk.adv)
        name = "IndexBackward0"
    else:
        adv_key = None
        name = walk.last or ("SliceBackward0" if walk.any_slice else "AliasBackward0")
    if all(b is _FULL or b == _FULL for b in walk.basic):
        basic_key = None
    else:
        basic_key = tuple(walk.basic) + (Ellipsis,)
    return Key(basic_key, adv_key, name)


def _classify(item):
    """One item of a key and its kind: True for an int or a slice, False for None or
    Ellipsis, "bool" for a bool, "array" for an integer array or a bool mask."""
    t = type(item)
    if t is int or t is slice or item is None or item is Ellipsis:
        return item, (t is int or t is slice)
    if t is bool or isinstance(item, np.bool_):
        return bool(item), "bool"
    if isinstance(item, (numbers.Integral, np.integer)):
        return int(item), True
    if isinstance(item, (Tensor, np.ndarray, list, tuple, range)) or _is_int_sequence(item):
        arr = _as_index_array(item)
        if arr.ndim:
            return arr, "array"
        return (bool(arr), "bool") if arr.dtype == np.bool_ else (int(arr), True)
    if t is str:
        raise TypeError(f"new(): invalid data type '{t.__name__}'")
    raise _index_type_error(item)


def _dims_consumed(item, kind):
    """How many of the tensor's dims a classified item indexes."""
    if kind is True:
        return 1
    if kind == "array":
        return item.ndim if item.dtype == np.bool_ else 1
    return 0


class _KeyWalk:
    """The walk along a key's items that builds its basic part (ints, slices, None, full
    slices where arrays go) and lists its advanced part (output position, integer array,
    size of the dim it indexes). d is the input's dim, o the basic result's."""

    def __init__(self, shape, consumed):
        self.shape = shape
        self.consumed = consumed
        self.basic = []
        self.adv = []
        self.last = None  # the grad_fn name of the last basic step
        self.d = 0
        self.o = 0
        self.ellipsis_seen = False
        self.any_slice = False

    def step(self, position, item, kind):
        if kind is True:
            self._int_or_slice(position, item)
        elif item is None:
            self.basic.append(None)
            self.last = "UnsqueezeBackward0"
            self.o += 1
        elif item is Ellipsis:
            self._ellipsis()
        elif kind == "bool":  # x[True]: a new dim of size 1 (or 0), indexed
            self.basic.append(None)
            self.adv.append((self.o, np.zeros(1 if item else 0, np.int64), 1))
            self.o += 1
        elif item.dtype == np.bool_:
            self._mask(item)
        else:
            self.adv.append((self.o, item, self.shape[self.d]))
            self._keep(1)

    def _keep(self, n):
        """n dims of the input kept whole by the basic step."""
        self.basic.extend([_FULL] * n)
        self.d += n
        self.o += n

    def _int_or_slice(self, position, item):
        if type(item) is int:
            size = self.shape[self.d]
            if not -size <= item < size:
                # PyTorch names the item's place in the key (an Ellipsis counts once).
                raise IndexError(
                    f"index {item} is out of bounds for dimension {position} with size {size}"
                )
            self.last = "SelectBackward0"
            self.o -= 1
        else:
            self.any_slice = True
            item = slice(_slice_bound(item.start), _slice_bound(item.stop), _slice_bound(item.step))
            if item.step == 0:
                raise ValueError("slice step cannot be zero")
            if item != _FULL:
                self.last = "SliceBackward0"
        self.basic.append(item)
        self.d += 1
        self.o += 1

    def _ellipsis(self):
        if not self.ellipsis_seen:  # a second Ellipsis is ignored
            self._keep(len(self.shape) - self.consumed)
            self.ellipsis_seen = True

    def _mask(self, mask):
        """A bool mask over the next mask.ndim dims: its nonzero indices, one array per dim."""
        shape, d = self.shape, self.d
        for j in range(mask.ndim):
            if mask.shape[j] != shape[d + j]:
                raise IndexError(
                    f"The shape of the mask {list(mask.shape)} at index {j} does not match "
                    f"the shape of the indexed tensor {list(shape)} at index {d + j}"
                )
        for j, nz in enumerate(np.nonzero(mask)):
            self.adv.append((self.o + j, nz, shape[d + j]))
        self._keep(mask.ndim)


def _advanced_key(adv):
    """The advanced step's NumPy key, after PyTorch's bounds and broadcast checks."""
    arrays = []
    for k, (_, arr, size) in enumerate(adv):
        if arr.size and (arr.max() >= size or arr.min() < -size):
            bad = arr[(arr >= size) | (arr < -size)].flat[0]
            raise IndexError(f"index {bad} is out of bounds for dimension {k} with size {size}")
        arrays.append(arr)
    try:
        np.broadcast_shapes(*(a.shape for a in arrays))
    except ValueError:
        shapes = ", ".join(str(list(a.shape)) for a in arrays)
        raise IndexError(
            f"shape mismatch: indexing tensors could not be broadcast together with shapes {shapes}"
        ) from None
    key = [_FULL] * (adv[-1][0] + 1)
    for pos, arr, _ in adv:
        key[pos] = arr
    return tuple(key)
