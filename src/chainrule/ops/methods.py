"""The Tensor methods PyTorch has for chainrule's functions, and small odds and ends of
Tensor's API: in-place forms (eq_, cumsum_, squeeze_, t_, ...), method forms of
functions defined elsewhere (take_along_dim, hardshrink, ...),
addr/addbmm, cov/corrcoef, unsafe_chunk/unsafe_split, nonzero_static, resize_,
set_, fill_diagonal_, apply_/map_, and the predicates (is_nonzero, is_signed, ...).

Each is written with chainrule's own ops, looked up when called, so this module depends
on no op module's layout. tests/test_tensor_methods.py compares Tensor's method names
with PyTorch's.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np

from .. import dtypes
from .._autocast import state as _autocast
from ..tensor import Tensor
from .autocast import lower
from .inplace import check_inplace_allowed, inplace
from .op import tensor_method

__all__ = [
    "addbmm",
    "addr",
    "corrcoef",
    "cov",
    "is_nonzero",
    "is_same_size",
    "is_signed",
    "nonzero_static",
    "resize_as_",
    "unsafe_chunk",
    "unsafe_split",
    "unsafe_split_with_sizes",
]

_wrap = Tensor._wrap


def _torch():
    import chainrule

    return chainrule


# -- in-place forms of existing ops ------------------------------------------------------------
def _inplace_of(name, fn_name=None, tensor_args=True):
    fn_name = fn_name or name

    def method(self, *args, **kwargs):
        fn = getattr(Tensor, fn_name)
        others = tuple(a for a in args if isinstance(a, Tensor)) if tensor_args else ()
        return inplace(self, lambda t: fn(t, *args, **kwargs), others)

    method.__name__ = name + "_"
    tensor_method(name + "_")(method)


for _name in (
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "greater",
    "greater_equal",
    "less",
    "less_equal",
    "not_equal",
    "logical_not",
    "logical_or",
    "logical_xor",
    "bitwise_and",
    "bitwise_or",
    "bitwise_xor",
    "bitwise_not",
    "clamp_max",
    "clamp_min",
    "cumprod",
    "cumsum",
    "fmod",
    "round",
    "square",
    "masked_scatter",
    "addmm",
    "addmv",
    "baddbmm",
):
    _inplace_of(_name)

tensor_method("__iand__")(Tensor.bitwise_and_)
tensor_method("__ior__")(Tensor.bitwise_or_)
tensor_method("__ixor__")(Tensor.bitwise_xor_)
tensor_method("__idiv__")(Tensor.__itruediv__)
tensor_method("__div__")(Tensor.__truediv__)


# Comparison method names PyTorch spells two ways.
for _alias, _name in (
    ("greater", "gt"),
    ("greater_equal", "ge"),
    ("less", "lt"),
    ("less_equal", "le"),
    ("not_equal", "ne"),
):
    if _alias not in vars(Tensor):
        tensor_method(_alias)(getattr(Tensor, _name))


# -- shape changes in place ---------------------------------------------------------------------
def _reshape_in_place(name, view):
    def method(self, *args, **kwargs):
        result = view(self, *args, **kwargs)
        if self._requires_grad:
            check_inplace_allowed(self)
        self._data = result._data
        if result.grad_fn is not None:
            self.grad_fn = result.grad_fn
            self._output_nr = result._output_nr
        self._bump_version()
        return self

    method.__name__ = name
    tensor_method(name)(method)


_reshape_in_place("squeeze_", lambda t, dim=None: t.squeeze(dim))
_reshape_in_place("unsqueeze_", lambda t, dim: t.unsqueeze(dim))
_reshape_in_place("t_", lambda t: t.t())
_reshape_in_place("transpose_", lambda t, dim0, dim1: t.transpose(dim0, dim1))
_reshape_in_place("swapaxes_", lambda t, axis0, axis1: t.transpose(axis0, axis1))
_reshape_in_place("swapdims_", lambda t, dim0, dim1: t.transpose(dim0, dim1))


@tensor_method("resize_")
def resize_(self, *sizes, memory_format=None):
    """self given the new shape in place; the elements that fit keep their values in
    order, new ones are zero."""
    from .dims import shape_arg

    if self._requires_grad:
        raise RuntimeError("cannot resize variables that require grad")
    shape = shape_arg(sizes)
    if any(s < 0 for s in shape):
        raise RuntimeError(f"Trying to create tensor with negative dimension: {list(shape)}")
    flat = np.ascontiguousarray(self._data).reshape(-1)
    n = int(np.prod(shape)) if shape else 1
    data = np.zeros(n, self._data.dtype)
    data[: min(n, flat.size)] = flat[: min(n, flat.size)]
    self._data = data.reshape(shape)
    self._bump_version()
    return self


@tensor_method("resize_as_")
def resize_as_(input, the_template, memory_format=None):
    """input resized in place to the_template's shape."""
    return resize_(input, the_template.shape)


@tensor_method("resize")
def resize(self, *sizes):
    """The deprecated out-of-place resize: a view with the new shape (same element count)."""
    warnings.warn("non-inplace resize is deprecated", stacklevel=2)
    return self.reshape(*sizes)


@tensor_method("resize_as")
def resize_as(self, tensor):
    warnings.warn("non-inplace resize_as is deprecated", stacklevel=2)
    return self.reshape(tensor.shape)


@tensor_method("set_")
def set_(self, source=None, storage_offset=0, size=None, stride=None):
    """self made to share source's memory (and shape), or emptied with no argument."""
    if self._requires_grad and self.grad_fn is None:
        raise RuntimeError(
            "a leaf Variable that requires grad is being used in an in-place operation."
        )
    if source is None:
        self._data = np.zeros(0, self._data.dtype)
    else:
        view = source if size is None else source.as_strided(size, stride, storage_offset)
        self._data = view._data
        self._version_counter = source._shared_version_counter()
        self._base = source if source._base is None else source._base
    self._bump_version()
    return self


@tensor_method("is_set_to")
def is_set_to(self, tensor):
    """Whether both tensors view the same memory with the same geometry."""
    a, b = self._data, tensor._data
    return (
        a.shape == b.shape
        and a.strides == b.strides
        and a.__array_interface__["data"][0] == b.__array_interface__["data"][0]
    )


# -- method forms of functions defined elsewhere ------------------------------------------------
@tensor_method("take_along_dim")
def _take_along_dim(self, indices, dim=None):
    return _torch().take_along_dim(self, indices, dim)


@tensor_method("hardshrink")
def _hardshrink(self, lambd=0.5):
    return _torch().nn.functional.hardshrink(self, lambd)


@tensor_method("prelu")
def _prelu(self, weight):
    return _torch().nn.functional.prelu(self, weight)


@tensor_method("dist")
def _dist(input, other, p=2):
    """The p-norm of input - other (broadcast), as a 0-d tensor."""
    return _torch().nn.functional.dist(input, other, p)


def unsafe_chunk(input, chunks, dim=0):
    """chunk, as PyTorch's unsafe form (the same results here)."""
    return input.chunk(chunks, dim)


def unsafe_split(tensor, split_size, dim=0):
    return tensor.split(split_size, dim)


def unsafe_split_with_sizes(input, split_sizes, dim=0):
    return input.split(list(split_sizes), dim)


tensor_method("unsafe_chunk")(unsafe_chunk)
tensor_method("unsafe_split")(unsafe_split)
tensor_method("unsafe_split_with_sizes")(unsafe_split_with_sizes)


# -- products, distances, covariance ----------------------------------------------------------
def addr(input, vec1, vec2, *, beta=1, alpha=1):
    """beta * input + alpha * outer(vec1, vec2)."""
    if vec1._data.ndim != 1 or vec2._data.ndim != 1:
        raise RuntimeError(
            f"addr: Expected 1-D argument vec1, but got {vec1._data.ndim}-D"
            if vec1._data.ndim != 1
            else f"addr: Expected 1-D argument vec2, but got {vec2._data.ndim}-D"
        )
    product = vec1.outer(vec2)
    if alpha != 1:
        product = product * alpha
    if beta == 0:  # input is not read (its NaNs do not reach the result), as in PyTorch
        return product
    return (input if beta == 1 else input * beta) + product


def addbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """beta * input + alpha * (the sum over the batch of batch1[i] @ batch2[i])."""
    if _autocast.dtype is not None:  # (autocast: in its lower-precision dtype)
        input, batch1, batch2 = lower(input, batch1, batch2)
    if batch1._data.ndim != 3 or batch2._data.ndim != 3:
        raise RuntimeError(
            "batch1 must be a 3D tensor" if batch1._data.ndim != 3 else "batch2 must be a 3D tensor"
        )
    b, n, m = batch1._data.shape
    p = batch2._data.shape[2]
    # PyTorch's order: beta * input, then one addmm per batch, in turn.
    out = input.expand(n, p) if input._data.shape != (n, p) else input
    if beta == 0:
        out = out * 0
    elif beta != 1:
        out = out * beta
    addmm = _torch().addmm
    for i in range(b):
        out = addmm(out, batch1[i], batch2[i], alpha=alpha)
    return out if b else out.clone()


tensor_method("addr")(addr)
tensor_method("addbmm")(addbmm)
_inplace_of("addr")
_inplace_of("addbmm")


def cov(input, *, correction=1, fweights=None, aweights=None):
    """The covariance matrix of input's rows (variables) over its columns (observations),
    optionally with frequency and observation weights."""
    if input._data.ndim > 2:
        raise RuntimeError(
            "cov(): expected input to have two or fewer dimensions but got an input with "
            f"{input._data.ndim} dimensions"
        )
    x = input if input._data.ndim == 2 else input.reshape(1, -1)
    if x._data.dtype.kind not in "fc":
        x = x.to(dtypes.get_default_dtype())
    n = x._data.shape[1]
    w = None
    if fweights is not None:
        w = fweights
    if aweights is not None:
        w = aweights if w is None else w * aweights
    if w is not None:
        w_sum = w.sum()
        avg = (x * w).sum(1) / w_sum
        if correction == 0:
            norm = w_sum
        elif aweights is None:
            norm = w_sum - correction
        else:
            norm = w_sum - correction * (w * aweights).sum() / w_sum
    else:
        w_sum = n
        avg = x.mean(1)
        norm = w_sum - correction
    norm_value = float(norm) if isinstance(norm, Tensor) else norm
    if norm_value <= 0:
        warnings.warn(
            "cov(): degrees of freedom is <= 0. Correction should be strictly less than the "
            "number of observations.",
            UserWarning,
            stacklevel=2,
        )
        # PyTorch zeroes the factor (to +0: the result is then +-inf or NaN).
        norm = 0 if not isinstance(norm, Tensor) else norm * 0 + 0
    centered = x - avg.unsqueeze(1)
    c = centered.mm((centered * w if w is not None else centered).t())
    return (c / norm).squeeze()


def corrcoef(input):
    """Pearson's correlation coefficients of input's rows."""
    c = cov(input)
    if c._data.ndim == 0:
        return c / c
    d = c.diagonal()
    stddev = d.sqrt()
    c = c / stddev.unsqueeze(1)
    c = c / stddev.unsqueeze(0)
    return c.clip(-1, 1)


tensor_method("cov")(cov)
tensor_method("corrcoef")(corrcoef)


# -- indices, predicates and metadata ---------------------------------------------------------
def nonzero_static(input, *, size, fill_value=-1):
    """nonzero's indices, cut or padded with fill_value to exactly `size` rows."""
    if size < 0:
        raise RuntimeError(
            f"nonzero_static: 'size' must be an non-negative integer, but got size: {size}"
        )
    found = np.argwhere(input._data)
    out = np.full((size, max(input._data.ndim, 1) if input._data.ndim else 0), fill_value, np.int64)
    k = min(size, found.shape[0])
    out[:k] = found[:k]
    return _wrap(out)


tensor_method("nonzero_static")(nonzero_static)


def is_nonzero(input):
    """The truth of a one-element tensor (an error for any other)."""
    return bool(input)


def is_same_size(input, other):
    return input._data.shape == other._data.shape


def is_signed(input):
    return input._data.dtype.kind in "if"


tensor_method("is_nonzero")(is_nonzero)
tensor_method("is_same_size")(is_same_size)
tensor_method("is_signed")(is_signed)


@tensor_method("dim_order")
def dim_order(self, *, ambiguity_check=False):
    """The dims from outermost to innermost in memory (by decreasing stride)."""
    strides = self.stride()
    return tuple(sorted(range(len(strides)), key=lambda d: -strides[d]))


@tensor_method("const_data_ptr")
def const_data_ptr(self):
    return self.data_ptr()


@tensor_method("new")
def new(self, *args, **kwargs):
    """The legacy constructor, in self's dtype: new(sizes...) (zero-filled), new(data)."""
    from .._legacy import init_tensor

    t = object.__new__(Tensor)
    init_tensor(t, args, kwargs)
    if t._data.dtype != self._data.dtype:
        if args and isinstance(args[0], Tensor):
            raise TypeError(f"expected {self.dtype} (got {args[0].dtype})")
        t._data = t._data.astype(self._data.dtype)
    return t


@tensor_method("fill_diagonal_")
def fill_diagonal_(self, fill_value, wrap=False):
    """The main diagonal set to fill_value in place (for tall matrices, with wrap=True,
    again every ncols + 1 rows)."""
    data = self._data
    if data.ndim < 2:
        raise RuntimeError("dimensions must larger than 1")
    if data.ndim > 2 and len(set(data.shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")

    mask = _wrap(_diagonal_mask(data.shape, wrap))
    return inplace(self, lambda t: t.masked_fill(mask, fill_value))


def _diagonal_mask(shape, wrap):
    mask = np.zeros(shape, bool)
    if len(shape) == 2:
        rows, cols = shape
        n = rows if wrap else min(rows, cols)
        r = np.arange(n)
        keep = (r % (cols + 1)) < cols if wrap else np.ones(n, bool)
        mask[r[keep], (r % (cols + 1))[keep]] = True
    else:
        idx = np.arange(shape[0])
        mask[(idx,) * len(shape)] = True
    return mask


@tensor_method("apply_")
def apply_(self, callable):
    """Each element replaced by callable(element), in place (no gradient)."""
    if self._requires_grad:
        raise RuntimeError("apply_ is only implemented on CPU tensors that do not require grad")
    flat = self._data.reshape(-1)
    for i, v in enumerate(flat.tolist()):
        flat[i] = callable(v)
    self._bump_version()
    return self


@tensor_method("map_")
def map_(self, tensor, callable):
    """Each element replaced by callable(element, tensor's element), in place."""
    other = np.broadcast_to(tensor._data, self._data.shape).reshape(-1).tolist()
    flat = self._data.reshape(-1)
    for i, (a, b) in enumerate(zip(flat.tolist(), other)):
        flat[i] = callable(a, b)
    self._bump_version()
    return self


@tensor_method("map2_")
def map2_(self, x, y, callable):
    xs = np.broadcast_to(x._data, self._data.shape).reshape(-1).tolist()
    ys = np.broadcast_to(y._data, self._data.shape).reshape(-1).tolist()
    flat = self._data.reshape(-1)
    for i, (a, b, c) in enumerate(zip(flat.tolist(), xs, ys)):
        flat[i] = callable(a, b, c)
    self._bump_version()
    return self


@tensor_method("as_subclass")
def as_subclass(self, cls):
    """This tensor's data (shared) as an instance of a Tensor subclass."""
    t = cls._wrap(self._data)
    t._version_counter = self._shared_version_counter()
    return t


@tensor_method("__contains__")
def _contains(self, element):
    if isinstance(element, (Tensor, numbers.Number)):
        return bool((self == element).any())
    raise RuntimeError(
        f"Tensor.__contains__ only supports Tensor or scalar, but you passed in a {type(element)}."
    )


@tensor_method("__reversed__")
def _reversed(self):
    return self if self._data.ndim == 0 else self.flip(0)


tensor_method("__long__")(Tensor.__int__)
tensor_method("__nonzero__")(Tensor.__bool__)


# Properties and predicates of a CPU tensor without named dims, quantization, sparsity or
# sharing between processes.
def _constant_property(name, value):
    setattr(Tensor, name, property(lambda self: value, doc=f"{value} for chainrule tensors"))


for _name in (
    "is_ipu",
    "is_xla",
    "is_xpu",
    "is_mps",
    "is_mtia",
    "is_maia",
    "is_vulkan",
    "is_mkldnn",
    "is_nested",
):
    if _name not in vars(Tensor):
        _constant_property(_name, False)
_constant_property("name", None)
Tensor.output_nr = property(lambda self: self._output_nr, doc="which output of grad_fn this is")


@tensor_method("is_inference")
def is_inference(self):
    return False


@tensor_method("is_shared")
def is_shared(self):
    return False


@tensor_method("share_memory_")
def share_memory_(self):
    return self


@tensor_method("is_pinned")
def is_pinned(self, device=None):
    return False


@tensor_method("is_distributed")
def is_distributed(self):
    return False


def _volatile(self):
    warnings.warn("volatile was removed (Variable.volatile is always False)", stacklevel=2)
    return False


Tensor.volatile = property(_volatile, doc="always False (removed from PyTorch)")
Tensor.grad_dtype = property(
    lambda self: self.dtype, doc="the dtype a gradient of this tensor must have: its own"
)


def _no_cuda_array_interface(self):
    raise AttributeError(
        "Can't get __cuda_array_interface__ on non-CUDA tensor type: "
        f"torch.{dtypes.scalar_type_name(self.dtype)}Tensor If CUDA data is required use "
        "tensor.cuda() to copy tensor to device memory."
    )


Tensor.__cuda_array_interface__ = property(_no_cuda_array_interface)


@tensor_method("__dlpack__")
def _dlpack(self, *args, **kwargs):
    """The DLPack capsule of this tensor's memory (NumPy's)."""
    if self._requires_grad:
        raise RuntimeError("Can't export tensors that require gradient, use tensor.detach()")
    return self._data.__dlpack__(*args, **kwargs)


@tensor_method("__dlpack_device__")
def _dlpack_device(self):
    return self._data.__dlpack_device__()


@tensor_method("__array_wrap__")
def _array_wrap(self, array, context=None, return_scalar=False):
    """NumPy hands back a result computed from this tensor as a tensor."""
    return _wrap(np.asarray(array))
