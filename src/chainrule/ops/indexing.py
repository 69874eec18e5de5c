"""Indexing: x[key], x[key] = v, gather/scatter, index_select, masked_fill, take, nonzero, ...

Every index expression is parsed once (index_key.py) into two NumPy keys,
applied in turn, as PyTorch does: a basic key (the result is a view), then an
optional advanced key.

Two primitives carry all the derivative code. `Index` reads a region;
`IndexPut` writes (or adds) values into a region of a copy, or of zeros. Each
is the other's derivative: the gradient of a read is a scatter-add into zeros
(repeated indices accumulate), and the gradient of a write with respect to
the values is a read. So every op here has higher derivatives for free.
"""

import numbers

import numpy as np

from .. import dtypes
from ..autograd.grad_mode import state as _grad_state
from ..tensor import Tensor
from .dims import dim_index
from .errors import broadcast_shapes_error
from .index_key import Key, KeyChain, parse_key
from .inplace import inplace
from .op import Op, apply, tensor_method
from .pointwise import where

__all__ = [
    "argwhere",
    "diag",
    "diagonal",
    "gather",
    "index_add",
    "index_fill",
    "index_put",
    "index_select",
    "masked_fill",
    "masked_select",
    "nonzero",
    "scatter",
    "scatter_add",
    "select",
    "take",
    "take_along_dim",
    "tril",
    "triu",
]

_wrap = Tensor._wrap
_FULL = slice(None)


# -- the two primitives -----------------------------------------------------------------
class Index(Op):
    name = "IndexBackward0"
    formula = "d(a[idx])/da = the gradient scattered (added) into zeros at idx"
    is_view = True  # basic indexing gives a view; advanced indexing a copy (not marked)

    @staticmethod
    def forward(ctx, a, *, key):
        ctx.key = key
        ctx.shape = a.shape
        out = key.read(a)
        if out is a:
            out = a.view()
        return out

    @staticmethod
    def backward(ctx, grad):
        key = ctx.key
        name = _BACKWARD_NAMES.get(key.name, "IndexPutImplBackward0")
        return apply(
            IndexPut, (None, grad), {"key": key, "accumulate": True, "shape": ctx.shape}, name
        )


_BACKWARD_NAMES = {
    "SelectBackward0": "SelectBackwardBackward0",
    "SliceBackward0": "SliceBackwardBackward0",
    "UnsqueezeBackward0": "SqueezeBackward1",
    "AliasBackward0": "AliasBackward0",
    "IndexSelectBackward0": "IndexAddBackward0",
    "GatherBackward0": "ScatterAddBackward0",
    "MaskedSelectBackward0": "MaskedScatterBackward0",
    "DiagonalBackward0": "DiagonalBackwardBackward0",
}


class IndexPut(Op):
    name = "IndexPutBackward0"
    formula = (
        "d(a with a[idx] = v)/da = the gradient with zeros at idx; d/dv = the gradient read at "
        "idx (with accumulate: d/da = the gradient)"
    )

    @staticmethod
    def forward(ctx, a, v, *, key, accumulate=False, shape=None):
        ctx.key = key
        ctx.accumulate = accumulate
        ctx.v_ndim = np.ndim(v)
        out = np.zeros(shape, v.dtype) if a is None else a.copy()
        region = key.region(out)
        try:
            if key.adv is None:
                if accumulate:
                    region += v
                else:
                    region[...] = v
            elif accumulate:
                np.add.at(region, key.adv, v)
            else:
                region[key.adv] = v
        except ValueError:
            target = region.shape if key.adv is None else region[key.adv].shape
            raise RuntimeError(
                f"shape mismatch: value tensor of shape {list(np.shape(v))} cannot be broadcast "
                f"to indexing result of shape {list(target)}"
            ) from None
        return out

    @staticmethod
    def backward(ctx, grad):
        key = ctx.key
        needs = ctx.needs_input_grad
        ga = gv = None
        if needs[0]:
            if ctx.accumulate:
                ga = grad
            else:
                zero = np.zeros((), grad._data.dtype)
                ga = apply(IndexPut, (grad, zero), {"key": key}, "IndexPutBackward0")
        if needs[1]:
            gv = apply(Index, (grad,), {"key": key}, key.name)
            extra = ctx.v_ndim - gv._data.ndim
            if extra > 0:  # x[0] = v with v of shape (1, n): PyTorch drops leading 1s
                gv = gv.reshape((1,) * extra + gv._data.shape)
        return ga, gv


def index_key(input, key):
    return parse_key(input._data.shape, key)


@tensor_method("__getitem__")
def getitem(self, key):
    if type(key) is int:
        shape = self._data.shape
        if not shape:
            raise IndexError(
                "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number"
            )
        size = shape[0]
        if not -size <= key < size:
            raise IndexError(f"index {key} is out of bounds for dimension 0 with size {size}")
        k = Key((key, Ellipsis), None, "SelectBackward0")
    else:
        k = parse_key(self._data.shape, key)
    out = apply(Index, (self,), {"key": k}, k.name)
    if out._base is not None:
        # Remember how this view was cut from its base, so that `view[i] = v` can
        # record the write on the base (out[i][j] = v, as PyTorch's CopySlices does).
        chain = self.__dict__.get("_view_chain") if self._base is not None else (self, ())
        if chain is not None:
            out.__dict__["_view_chain"] = (chain[0], chain[1] + (k,))
    return out


def _value_operand(self, value):
    """A value to write into self: a tensor of self's dtype, or a 0-d array for numbers."""
    if isinstance(value, Tensor):
        if value._data.dtype != self._data.dtype:
            value = value.to(self.dtype)
        return value
    if isinstance(value, (numbers.Number, np.generic)):
        return np.asarray(value, dtype=self._data.dtype)
    if isinstance(value, (list, tuple, np.ndarray)):
        return np.asarray(value).astype(self._data.dtype)
    type_name = dtypes.scalar_type_name(self.dtype)
    raise TypeError(f"can't assign a {type(value).__name__} to a torch.{type_name}Tensor")


@tensor_method("__setitem__")
def setitem(self, key, value):
    k = parse_key(self._data.shape, key)
    value = _value_operand(self, value)
    v_grad = isinstance(value, Tensor) and value._requires_grad
    if not (_grad_state.enabled and (self._requires_grad or v_grad)):
        v = value._data if isinstance(value, Tensor) else value
        region = k.region(self._data)
        try:
            if k.adv is None:
                region[...] = v
            else:
                region[k.adv] = v
        except ValueError:
            if k.adv is None:
                raise _expand_error(np.shape(v), region.shape) from None
            raise _broadcast_error(np.shape(v), region[k.adv].shape) from None
        self._bump_version()
        return
    if self.grad_fn is None and self._requires_grad:
        raise RuntimeError(
            ("a view of a leaf Variable" if k.adv is None else "a leaf Variable")
            + " that requires grad is being used in an in-place operation."
        )
    chain = self.__dict__.get("_view_chain") if self._base is not None else None
    if chain is not None and chain[0] is self._base:
        _setitem_through_base(self, chain, k, value)
        return
    name = "CopySlices" if k.adv is None else "IndexPutBackward0"
    inplace(
        self,
        lambda t: apply(IndexPut, (t, value), {"key": k}, name),
        (value,),
    )


def _setitem_through_base(view, chain, k, value):
    """view[k] = value, where view = base[k1][k2]...: the write is recorded on the base
    (base[k1][k2]...[k] = value), then the view's history is cut again from the base's."""
    base, keys = chain
    if base.grad_fn is None and base._requires_grad:
        raise RuntimeError(
            "a view of a leaf Variable that requires grad is being used in an in-place operation."
        )
    write = KeyChain(keys + (k,))
    inplace(base, lambda t: apply(IndexPut, (t, value), {"key": write}, "CopySlices"), (value,))
    if base._requires_grad:
        read = KeyChain(keys)
        regenerated = apply(Index, (base,), {"key": read}, read.name)
        view.grad_fn = regenerated.grad_fn
        view._output_nr = 0
        view._requires_grad = True


def _expand_error(v_shape, target):
    """PyTorch's message when x[basic index] = v and v does not expand to the region."""
    v_shape = tuple(v_shape)
    while len(v_shape) > len(target) and v_shape[0] == 1:
        v_shape = v_shape[1:]  # leading 1s of the value are dropped first
    if len(v_shape) <= len(target):
        lead = len(target) - len(v_shape)
        for i, s in enumerate(v_shape):
            if s != 1 and s != target[lead + i]:
                return RuntimeError(
                    f"The expanded size of the tensor ({target[lead + i]}) must match the "
                    f"existing size ({s}) at non-singleton dimension {lead + i}.  Target sizes: "
                    f"{list(target)}.  Tensor sizes: {list(v_shape)}"
                )
    return _broadcast_error(v_shape, target)


def _broadcast_error(v_shape, target):
    return RuntimeError(
        f"shape mismatch: value tensor of shape {list(v_shape)} cannot be broadcast to indexing "
        f"result of shape {list(target)}"
    )


@tensor_method("index_put")
def index_put(input, indices, values, accumulate=False):
    """input with input[indices] = values (or += values with accumulate), out of place."""
    k = parse_key(input._data.shape, tuple(indices))
    values = _value_operand(input, values)
    return apply(
        IndexPut, (input, values), {"key": k, "accumulate": accumulate}, "IndexPutBackward0"
    )


@tensor_method("index_put_")
def index_put_(self, indices, values, accumulate=False):
    return inplace(self, lambda t: index_put(t, indices, values, accumulate), (values,))


# -- dim-wise indexing: select, index_select, gather, scatter ----------------------------
@tensor_method("select")
def select(input, dim, index):
    ndim = input._data.ndim
    if ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = dim_index(dim, ndim)
    size = input._data.shape[d]
    index = int(index)
    if not -size <= index < size:
        raise IndexError(
            f"select(): index {index} out of range for tensor of size "
            f"{list(input._data.shape)} at dimension {dim}"
        )
    k = Key((_FULL,) * d + (index, Ellipsis), None, "SelectBackward0")
    return apply(Index, (input,), {"key": k}, "SelectBackward0")


def _index_array(index, what):
    arr = index._data if isinstance(index, Tensor) else np.asarray(index)
    if arr.dtype not in (np.int64, np.int32):
        raise RuntimeError(f"{what}(): Expected dtype int32 or int64 for index")
    return arr


@tensor_method("index_select")
def index_select(input, dim, index):
    arr = _index_array(index, "index_select")
    if arr.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    arr = arr.reshape(-1)
    ndim = input._data.ndim
    d = dim_index(dim, ndim)
    size = input._data.shape[d] if ndim else 1
    if arr.size and (arr.max() >= size or arr.min() < 0):
        raise IndexError("index out of range in self")
    if ndim == 0:  # a 0-dim input is read as its one element
        return apply(
            Index,
            (input.reshape(1),),
            {"key": Key(None, (arr * 0,), "IndexSelectBackward0")},
            "IndexSelectBackward0",
        ).reshape(())
    k = Key(None, (_FULL,) * d + (arr,), "IndexSelectBackward0")
    return apply(Index, (input,), {"key": k}, "IndexSelectBackward0")


def _dim_key(index_arr, dim):
    """The advanced key that pairs each position of `index_arr` with its own coordinates,
    except along `dim`, where the index's values are used: gather and scatter's pattern."""
    nd = index_arr.ndim
    key = []
    for d in range(nd):
        if d == dim:
            key.append(index_arr)
        else:
            shape = [1] * nd
            shape[d] = index_arr.shape[d]
            key.append(np.arange(index_arr.shape[d]).reshape(shape))
    return tuple(key)


def _index_dtype(arr, what):
    """gather/scatter's index as int64: int32 and int64 are taken, any dtype when empty."""
    if arr.dtype == np.int64:
        return arr
    if arr.dtype != np.int32 and arr.size:
        raise RuntimeError(f"{what}(): Expected dtype int32/int64 for index")
    return arr.astype(np.int64)


def _check_dim_index(input, dim, index, what, src=None):
    """PyTorch's checks for gather/scatter: the index's rank, sizes and bounds."""
    arr = index._data if isinstance(index, Tensor) else np.asarray(index)
    arr = _index_dtype(arr, "gather" if what == "gather" else "scatter")
    if arr.size == 0 and what == "gather":  # nothing read: no shape to check
        return arr, dim_index(dim, max(input._data.ndim, 1)), not input._data.shape
    shape = input._data.shape
    ndim = max(len(shape), 1)
    d = dim_index(dim, ndim)
    if max(arr.ndim, 1) != ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    if not shape:
        return arr.reshape(1), d, True
    for i in range(ndim):
        if i != d and arr.shape[i] > shape[i]:
            raise RuntimeError(
                f"Size does not match at dimension {i} expected index {list(arr.shape)} to be "
                f"no larger than self {list(shape)} apart from dimension {d}"
            )
    if src is not None:
        for i in range(ndim):
            if arr.shape[i] > src.shape[i]:
                raise RuntimeError(
                    f"Expected index {list(arr.shape)} to be no larger than src "
                    f"{list(src.shape)} apart from dimension {d}"
                    if i != d
                    else f"Expected index {list(arr.shape)} to be no larger than src "
                    f"{list(src.shape)}"
                )
    size = shape[d]
    if arr.size and (arr.max() >= size or arr.min() < -size):
        bad = arr[(arr >= size) | (arr < -size)].flat[0]
        raise RuntimeError(f"index {bad} is out of bounds for dimension {d} with size {size}")
    return arr, d, False


@tensor_method("gather")
def gather(input, dim, index, *, sparse_grad=False):
    arr, d, scalar = _check_dim_index(input, dim, index, "gather")
    if arr.size == 0:  # an empty index (of any rank) reads nothing: an empty result
        shape = index._data.shape if isinstance(index, Tensor) else np.shape(index)
        return input.reshape(-1)[:0].reshape(shape)
    if scalar:  # a 0-dim input: the result has the index's shape (0-dim or one element)
        shape = index._data.shape if isinstance(index, Tensor) else np.shape(index)
        return input.reshape(1).gather(0, _wrap(arr)).reshape(shape)
    k = Key(None, _dim_key(arr, d), "GatherBackward0")
    return apply(Index, (input,), {"key": k}, "GatherBackward0")


def take_along_dim(input, indices, dim=None):
    """input's entries at indices along dim; the other dims of both broadcast."""
    if indices._data.dtype != np.int64:
        raise RuntimeError(
            "torch.take_along_dim(): dtype of indices should be Long but got "
            f"{dtypes.scalar_type_name(indices.dtype)}"
        )
    if dim is None:
        return take(input, indices.reshape(-1))
    if input.dim() != indices.dim():
        raise RuntimeError(
            "torch.take_along_dim(): input and indices should have the same number of "
            f"dimensions, but got {input.dim()} dimensions for input, and {indices.dim()} "
            "dimensions for indices"
        )
    d = dim_index(dim, max(input.dim(), 1))
    if input.dim() == 0:
        return gather(input, d, indices)
    own = list(input._data.shape)
    own[d] = indices._data.shape[d]
    try:
        shape = list(np.broadcast_shapes(tuple(own), indices._data.shape))
    except ValueError:
        raise broadcast_shapes_error(tuple(own), indices._data.shape) from None
    if tuple(shape) != indices._data.shape:
        indices = indices.expand(shape)
    shape[d] = input._data.shape[d]
    if tuple(shape) != input._data.shape:
        input = input.expand(shape)
    return gather(input, d, indices)


def _src_region(src, arr):
    """The leading part of src that scatter reads: src[:i0, :i1, ...] for the index's sizes."""
    if src._data.shape == arr.shape:
        return src
    return src[tuple(slice(0, s) for s in arr.shape)]


def _scatter(input, dim, index, src, value, accumulate, what, name):
    if (src is None) == (value is None):
        raise TypeError(f"{what}() expected exactly one of src or value")
    if isinstance(src, numbers.Number):
        src, value = None, src
    if src is not None:
        if src._data.dtype != input._data.dtype:
            raise RuntimeError(f"{what}(): Expected self.dtype to be equal to src.dtype")
        arr, d, scalar = _check_dim_index(input, dim, index, what, src._data)
    else:
        arr, d, scalar = _check_dim_index(input, dim, index, what)
    if scalar:
        flat = input.reshape(1)
        s = src.reshape(1) if src is not None else None
        return _scatter(flat, 0, _wrap(arr), s, value, accumulate, what, name).reshape(())
    k = Key(None, _dim_key(arr, d), "GatherBackward0")
    if src is not None:
        v = _src_region(src, arr)
    else:
        v = np.asarray(value.item() if isinstance(value, Tensor) else value, input._data.dtype)
        name = name[:-1] + "1" if not accumulate else name
    return apply(IndexPut, (input, v), {"key": k, "accumulate": accumulate}, name)


@tensor_method("scatter")
def scatter(input, dim, index, src=None, value=None, *, reduce=None):
    if reduce is not None:
        raise NotImplementedError(
            "chainrule: scatter(reduce=...) is not supported; use scatter_add"
        )
    return _scatter(input, dim, index, src, value, False, "scatter", "ScatterBackward0")


@tensor_method("scatter_add")
def scatter_add(input, dim, index, src):
    return _scatter(input, dim, index, src, None, True, "scatter_add", "ScatterAddBackward0")


@tensor_method("scatter_")
def scatter_(self, dim, index, src=None, value=None, *, reduce=None):
    return inplace(self, lambda t: scatter(t, dim, index, src, value, reduce=reduce), (src,))


@tensor_method("scatter_add_")
def scatter_add_(self, dim, index, src):
    return inplace(self, lambda t: scatter_add(t, dim, index, src), (src,))


@tensor_method("index_add")
def index_add(input, dim, index, source, *, alpha=1):
    arr = _index_array(index, "index_add").reshape(-1)
    ndim = input._data.ndim
    d = dim_index(dim, max(ndim, 1))
    if ndim == 0:
        return input + source * alpha
    size = input._data.shape[d]
    if arr.size and (arr.max() >= size or arr.min() < -size):
        raise IndexError("index out of range in self")
    if alpha != 1:
        source = source * alpha
    if source._data.dtype != input._data.dtype:
        source = source.to(input.dtype)
    k = Key(None, (_FULL,) * d + (arr,), "IndexSelectBackward0")
    return apply(IndexPut, (input, source), {"key": k, "accumulate": True}, "IndexAddBackward0")


@tensor_method("index_add_")
def index_add_(self, dim, index, source, *, alpha=1):
    return inplace(self, lambda t: index_add(t, dim, index, source, alpha=alpha), (source,))


@tensor_method("index_fill")
def index_fill(input, dim, index, value):
    arr = _index_array(index, "index_fill").reshape(-1)
    ndim = input._data.ndim
    d = dim_index(dim, max(ndim, 1))
    if isinstance(value, Tensor):
        if value._data.ndim != 0:
            raise RuntimeError(
                "index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                f"{value._data.ndim} dimension(s)."
            )
        if value._requires_grad:
            if ndim == 0:
                return masked_fill(input, _wrap(np.asarray(arr.size > 0)), value)
            mask = np.zeros(input._data.shape, bool)
            mask[(_FULL,) * d + (arr,)] = True
            return masked_fill(input, _wrap(mask), value)
        value = value.item()
    if ndim == 0:
        return masked_fill(input, _wrap(np.asarray(arr.size > 0)), value)
    size = input._data.shape[d]
    if arr.size and (arr.max() >= size or arr.min() < -size):
        raise IndexError(f"index {arr.max()} is out of bounds for dimension {d} with size {size}")
    k = Key(None, (_FULL,) * d + (arr,), "IndexSelectBackward0")
    v = np.asarray(value, input._data.dtype)
    return apply(IndexPut, (input, v), {"key": k}, "IndexFillBackward0")


@tensor_method("index_fill_")
def index_fill_(self, dim, index, value):
    return inplace(self, lambda t: index_fill(t, dim, index, value), (value,))


# -- masks ------------------------------------------------------------------------------
class MaskedFill(Op):
    name = "MaskedFillBackward0"
    formula = "d(masked_fill(a, m, v))/da = the gradient with zeros where m; d/dv = its sum where m"

    @staticmethod
    def forward(ctx, a, mask, value):
        ctx.save_for_backward(mask)
        ctx.value_shape = np.shape(value)
        return np.where(mask, value, a).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (mask,) = ctx.saved_tensors
        needs = ctx.needs_input_grad
        ga = gv = None
        if needs[0]:
            ga = MaskedFill.apply(grad, mask, np.zeros((), grad._data.dtype))
        if len(needs) > 2 and needs[2]:
            gv = where(mask, grad, 0.0).sum()
        return ga, None, gv


def _check_mask(mask, what):
    if not isinstance(mask, Tensor):
        mask = _wrap(np.asarray(mask))
    if mask._data.dtype != np.bool_:
        name = dtypes.cpp_type_name(mask._data.dtype)
        raise RuntimeError(f"{what} only supports boolean masks, but got mask with dtype {name}")
    return mask


def _broadcast(input, mask):

    try:
        shape = np.broadcast_shapes(input._data.shape, mask._data.shape)
    except ValueError:
        raise broadcast_shapes_error(mask._data.shape, input._data.shape) from None
    return shape


@tensor_method("masked_fill")
def masked_fill(input, mask, value):
    mask = _check_mask(mask, "masked_fill_")
    shape = _broadcast(input, mask)
    if shape != input._data.shape:
        input = input.expand(shape)
    if isinstance(value, Tensor):
        if value._data.ndim != 0:
            raise RuntimeError(
                "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                f"{value._data.ndim} dimension(s)."
            )
        if value._data.dtype != input._data.dtype:
            value = value.to(input.dtype)
        return apply(MaskedFill, (input, mask, value), {}, "MaskedFillBackward1")
    return MaskedFill.apply(input, mask, np.asarray(value).astype(input._data.dtype))


@tensor_method("masked_fill_")
def masked_fill_(self, mask, value):
    mask = _check_mask(mask, "masked_fill_")
    if _broadcast(self, mask) != self._data.shape:
        raise RuntimeError(
            f"output with shape {list(self._data.shape)} doesn't match the broadcast shape "
            f"{list(_broadcast(self, mask))}"
        )
    return inplace(self, lambda t: masked_fill(t, mask, value), (value,))


@tensor_method("masked_select")
def masked_select(input, mask):
    mask = _check_mask(mask, "masked_select:")
    shape = _broadcast(input, mask)
    if shape != input._data.shape:
        input = input.expand(shape)
    if not shape:  # 0-dim: read as one element (a 1-element or empty result)
        input, shape = input.reshape(1), (1,)
    m = np.broadcast_to(mask._data, shape)
    k = Key(None, np.nonzero(m), "MaskedSelectBackward0")
    return apply(Index, (input,), {"key": k}, "MaskedSelectBackward0")


@tensor_method("masked_scatter")
def masked_scatter(input, mask, source):
    mask = _check_mask(mask, "masked_scatter_")
    shape = _broadcast(input, mask)
    m = np.broadcast_to(mask._data, shape)
    n = int(m.sum())
    if source._data.size < n:
        raise RuntimeError(
            "masked_scatter: expected source to have at least as many elements as ones in mask"
        )
    if shape != input._data.shape:
        input = input.expand(shape)
    v = source.reshape(-1)[:n] if source._data.size != n or source._data.ndim != 1 else source
    k = Key(None, np.nonzero(m), "MaskedSelectBackward0")
    return apply(IndexPut, (input, v), {"key": k}, "MaskedScatterBackward0")


class Take(Op):
    name = "TakeBackward0"
    formula = "d(take(a, idx))/da = the gradient added into zeros at the flat positions idx"

    @staticmethod
    def forward(ctx, a, *, index):
        ctx.index = index
        ctx.shape = a.shape
        return a.reshape(-1)[index]

    @staticmethod
    def backward(ctx, grad):
        shape = ctx.shape
        n = int(np.prod(shape, dtype=np.int64))
        k = Key(None, (ctx.index,), "TakeBackward0")
        flat = apply(
            IndexPut, (None, grad), {"key": k, "accumulate": True, "shape": (n,)}, "PutBackward0"
        )
        return flat.reshape(shape)


@tensor_method("take")
def take(input, index):
    arr = index._data if isinstance(index, Tensor) else np.asarray(index)
    if arr.dtype.kind not in "iu":
        raise RuntimeError("take(): Expected a long tensor for index, but got " + str(arr.dtype))
    n = input._data.size
    if arr.size and (arr.max() >= n or arr.min() < -n):
        bad = arr[(arr >= n) | (arr < -n)].flat[0]
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} elements.")
    return Take.apply(input, index=arr)


# -- which elements are nonzero ----------------------------------------------------------
class Nonzero(Op):
    differentiable = False

    @staticmethod
    def forward(ctx, a):
        return np.argwhere(a).astype(np.int64) if a.ndim else np.zeros((int(bool(a)), 0), np.int64)


@tensor_method("nonzero")
def nonzero(input, *, as_tuple=False):
    if not as_tuple:
        return Nonzero.apply(input)
    a = input._data
    if a.ndim == 0:
        return (_wrap(np.zeros(int(bool(a)), np.int64)),)
    return tuple(_wrap(i.astype(np.int64, copy=False)) for i in np.nonzero(a))


@tensor_method("argwhere")
def argwhere(input):
    return Nonzero.apply(input)


# -- diagonals and triangles -------------------------------------------------------------
def _diagonal_view(a, offset, d1, d2):
    """A writable NumPy view of the diagonal, moved to the last dim as PyTorch orders it."""
    n1, n2 = a.shape[d1], a.shape[d2]
    start = [_FULL] * a.ndim
    if offset >= 0:
        start[d2] = slice(min(offset, n2), None)
        n = max(min(n1, n2 - offset), 0)
    else:
        start[d1] = slice(min(-offset, n1), None)
        n = max(min(n1 + offset, n2), 0)
    base = a[tuple(start)]
    others = [i for i in range(a.ndim) if i not in (d1, d2)]
    shape = tuple(a.shape[i] for i in others) + (n,)
    strides = tuple(base.strides[i] for i in others) + (base.strides[d1] + base.strides[d2],)
    return np.lib.stride_tricks.as_strided(base, shape, strides, writeable=base.flags.writeable)


class Diagonal(Op):
    name = "DiagonalBackward0"
    formula = "d(diagonal(a))/da = the gradient placed on the diagonal of zeros"
    is_view = True

    @staticmethod
    def forward(ctx, a, *, offset, dim1, dim2):
        ctx.params = (offset, dim1, dim2)
        ctx.shape = a.shape
        return _diagonal_view(a, offset, dim1, dim2)

    @staticmethod
    def backward(ctx, grad):
        return DiagonalBackward.apply(grad, shape=ctx.shape, params=ctx.params)


class DiagonalBackward(Op):
    name = "DiagonalBackwardBackward0"
    formula = "d(embed g on a diagonal of zeros)/dg = the diagonal"

    @staticmethod
    def forward(ctx, grad, *, shape, params):
        ctx.params = params
        out = np.zeros(shape, grad.dtype)
        _diagonal_view(out, *params)[...] = grad
        return out

    @staticmethod
    def backward(ctx, g):
        offset, d1, d2 = ctx.params
        return Diagonal.apply(g, offset=offset, dim1=d1, dim2=d2)


@tensor_method("diagonal")
def diagonal(input, offset=0, dim1=0, dim2=1):
    ndim = input._data.ndim
    if ndim < 2:
        raise RuntimeError(f"diagonal dimensions requires ndim larger than 1, got {ndim}")
    d1, d2 = dim_index(dim1, ndim), dim_index(dim2, ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return Diagonal.apply(input, offset=int(offset), dim1=d1, dim2=d2)


@tensor_method("diag")
def diag(input, diagonal=0):
    """A 1-D input becomes a square matrix with it on a diagonal; a matrix gives its diagonal."""
    ndim = input._data.ndim
    if ndim == 2:
        return input.diagonal(diagonal)
    if ndim != 1:
        raise RuntimeError("diag(): Supports 1D or 2D tensors. Got " + f"{ndim}D")
    n = input._data.shape[0] + abs(diagonal)
    return DiagonalBackward.apply(input, shape=(n, n), params=(int(diagonal), 0, 1))


class Tril(Op):
    name = "TrilBackward0"
    formula = "d(tril(a))/da = tril of the gradient"
    upper = False

    @classmethod
    def forward(cls, ctx, a, *, diagonal):
        ctx.diagonal = diagonal
        return np.triu(a, diagonal) if cls.upper else np.tril(a, diagonal)

    @staticmethod
    def backward(ctx, grad):
        return ctx.op.apply(grad, diagonal=ctx.diagonal)


class Triu(Tril):
    name = "TriuBackward0"
    formula = "d(triu(a))/da = triu of the gradient"
    upper = True


def _triangle(op, what, input, diagonal):
    if input._data.ndim < 2:
        raise RuntimeError(f"{what}: input tensor must have at least 2 dimensions")
    return op.apply(input, diagonal=int(diagonal))


@tensor_method("tril")
def tril(input, diagonal=0):
    return _triangle(Tril, "tril", input, diagonal)


@tensor_method("triu")
def triu(input, diagonal=0):
    return _triangle(Triu, "triu", input, diagonal)


@tensor_method("tril_")
def tril_(self, diagonal=0):
    return inplace(self, lambda t: tril(t, diagonal))


@tensor_method("triu_")
def triu_(self, diagonal=0):
    return inplace(self, lambda t: triu(t, diagonal))
