"""Tensor: an n-dimensional array with a place in the autograd graph.

A Tensor holds a NumPy array (`_data`), whether it requires grad, its `grad`,
the Node that made it (`grad_fn`, None for leaves) and a version counter that
in-place ops bump. Math methods and operators are attached by the op modules
(ops/*.py, through `tensor_method`), so each op is defined in one place.
"""

from __future__ import annotations

import threading
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from . import dtypes as _dtypes
from ._narrow import round_in_place
from .device import cpu

if TYPE_CHECKING:  # for the annotations only: the graph module imports this one
    from .autograd.graph import AccumulateGrad, Node


class Size(tuple):
    """A tensor's shape: a tuple of ints that prints as PyTorch prints it."""

    def __repr__(self):
        return f"torch.Size([{', '.join(str(d) for d in self)}])"

    __str__ = __repr__

    def numel(self):
        n = 1
        for d in self:
            n *= d
        return n

    def __getitem__(self, item):
        r = tuple.__getitem__(self, item)
        return Size(r) if isinstance(item, slice) else r

    def __add__(self, other):
        return Size(tuple.__add__(self, tuple(other)))

    def __radd__(self, other):
        return Size(tuple(other) + tuple(self))

    def __mul__(self, n):
        return Size(tuple.__mul__(self, n))

    __rmul__ = __mul__


_ndarray = np.ndarray
_FROM_NP = _dtypes._FROM_NP
_ACCUMULATOR_LOCK = threading.Lock()  # held only while a leaf's accumulator is made
_new = object.__new__


class Tensor:
    # Per-tensor state lives in the instance dict; these class-level defaults mean
    # a new tensor only stores what differs from them, which keeps op overhead low.
    _data: np.ndarray
    _requires_grad = False
    _grad: Tensor | None = None
    grad_fn: Node | None = None
    _output_nr = 0
    _version_counter: list[int] | None = None  # one element, made on the first write or view
    _base: Tensor | None = None
    _acc: AccumulateGrad | None = None
    _retains_grad = False
    _view_replay: Any = None  # (base -> view, view-shaped value -> base) for reshape/permute views

    # NumPy defers to Tensor's reflected operators (ndarray * Tensor -> Tensor).
    __array_ufunc__ = None
    __array_priority__ = 1000

    if TYPE_CHECKING:
        # The math methods and operators are attached by the op modules (ops/op.py's
        # tensor_method); to a type checker they take and give anything.
        def __getattr__(self, name: str) -> Any: ...
        def __add__(self, other: Any) -> Any: ...
        def __radd__(self, other: Any) -> Any: ...
        def __sub__(self, other: Any) -> Any: ...
        def __mul__(self, other: Any) -> Any: ...
        def __rmul__(self, other: Any) -> Any: ...
        def __truediv__(self, other: Any) -> Any: ...
        def __neg__(self) -> Any: ...

    def __init__(self, *args, **kwargs):
        from ._legacy import init_tensor  # a cycle: _legacy.py imports this module

        init_tensor(self, args, kwargs)

    @classmethod
    def _wrap(cls, array, requires_grad=False):
        """A new tensor around `array` (no copy); the one constructor used on hot paths."""
        t = object.__new__(cls)
        t._data = array
        if requires_grad:
            t._requires_grad = True
        return t

    # -- autograd attributes --------------------------------------------------------------
    @property
    def requires_grad(self):
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        if self.grad_fn is not None:
            if not value:
                raise RuntimeError(
                    "you can only change requires_grad flags of leaf variables. If you want to "
                    "use a computed variable in a subgraph that doesn't require differentiation "
                    "use var_no_grad = var.detach()."
                )
            raise RuntimeError("you can only change requires_grad flags of leaf variables.")
        if value and self._data.dtype.kind not in "fc":
            raise RuntimeError(
                "only Tensors of floating point and complex dtype can require gradients"
            )
        self._requires_grad = bool(value)

    def requires_grad_(self, requires_grad=True):
        # PyTorch words this path's errors differently from the attribute's, and lets a
        # non-leaf (which already requires grad) be asked for it again.
        if self.grad_fn is not None and requires_grad:
            return self
        if requires_grad and self._data.dtype.kind not in "fc":
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self):
        return self.grad_fn is None

    @property
    def grad(self):
        if self._grad is None and self.grad_fn is not None and not self._retains_grad:
            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. "
                "Its .grad attribute won't be populated during autograd.backward(). If you "
                "indeed want the .grad field to be populated for a non-leaf Tensor, use "
                ".retain_grad() on the non-leaf Tensor. If you access the non-leaf Tensor by "
                "mistake, make sure you access the leaf Tensor instead. See "
                "github.com/pytorch/pytorch/pull/30531 for more information.",
                UserWarning,
                stacklevel=2,
            )
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(
                    f"assigned grad expected to be a Tensor or None but got grad of type "
                    f"{type(value).__name__}"
                )
            if value._data.dtype != self._data.dtype:
                raise RuntimeError(
                    "attempting to assign a gradient with dtype "
                    f"'{_dtypes.cpp_type_name(value._data.dtype)}' "
                    "to a tensor with grad_dtype "
                    f"'{_dtypes.scalar_type_name(self.dtype)}'. The gradient must match the "
                    "tensor's grad_dtype (defaults to the tensor's dtype). You can set the "
                    "tensor's grad_dtype attribute with a specific dtype, or None to allow any "
                    "dtype. Set grad_dtype with caution. Diverging the dtypes of a tensor and "
                    "its gradient may break downstream systems that assume they match."
                )
            if value._data.shape != self._data.shape:
                raise RuntimeError(
                    f"attempting to assign a gradient of size '{list(value._data.shape)}' to a "
                    f"tensor of size '{list(self._data.shape)}'. Please ensure that the "
                    "gradient and the tensor are the same size"
                )
        self._grad = value

    @grad.deleter
    def grad(self):
        self._grad = None

    @property
    def retains_grad(self):
        return self._retains_grad

    def retain_grad(self):
        """Keep this non-leaf tensor's gradient in .grad after backward."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is None or self._retains_grad:
            return
        self._retains_grad = True
        self.grad_fn._add_pre_hook(self._output_nr, _engine.retain_grad_hook(self))

    def register_hook(self, hook):
        """hook(grad) runs when this tensor's gradient is computed; a tensor it returns
        replaces the gradient."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        node = self.grad_fn if self.grad_fn is not None else self._accumulator()
        return node._add_pre_hook(self._output_nr, hook)

    def _accumulator(self):
        acc = self._acc
        if acc is None:
            with _ACCUMULATOR_LOCK:  # two threads must not make a leaf two accumulators
                acc = self._acc
                if acc is None:
                    acc = self._acc = AccumulateGrad(self)
        return acc

    @property
    def _version(self):
        counter = self._version_counter
        return 0 if counter is None else counter[0]

    def _shared_version_counter(self):
        """The counter this tensor shares with its views, made on first use."""
        counter = self._version_counter
        if counter is None:
            counter = self._version_counter = [0]
        return counter

    def _bump_version(self):
        counter = self._version_counter
        if counter is None:
            self._version_counter = [1]
        else:
            counter[0] += 1
        if self._data.dtype.metadata is not None:  # bfloat16, complex32: round what was written
            round_in_place(self._data)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Compute the gradient of this tensor with respect to the graph's leaves."""
        _engine.backward(self, gradient, retain_graph, create_graph, inputs)

    # -- data and detaching ---------------------------------------------------------------
    @property
    def data(self):
        t = _new(Tensor)
        t._data = self._data
        return t

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(value).__name__}")
        self._data = value._data

    def detach(self):
        """A tensor sharing this one's memory and version counter, outside the graph."""
        t = Tensor._wrap(self._data)
        t._version_counter = self._shared_version_counter()
        t._base = self if self._base is None else self._base
        return t

    def detach_(self):
        if self._base is not None and self._base._requires_grad:
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self.grad_fn = None
        self._requires_grad = False
        return self

    # -- metadata -------------------------------------------------------------------------
    @property
    def shape(self):
        return Size(self._data.shape)

    def size(self, dim=None):
        if dim is None:
            return Size(self._data.shape)
        if self._data.ndim == 0:
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        return self._data.shape[_dim_index(dim, self._data.ndim)]

    @property
    def dtype(self):
        dt = self._data.dtype
        if dt.metadata is None:
            return _FROM_NP[dt]
        return _dtypes.from_numpy_dtype(dt)  # bfloat16 or complex32 (chainrule/_narrow.py)

    @property
    def device(self):
        return cpu

    @property
    def is_cuda(self):
        return False

    @property
    def is_cpu(self):
        return True

    def get_device(self):
        return -1  # PyTorch's answer for a CPU tensor

    @property
    def layout(self):
        from .layouts import strided

        return strided

    def dim(self):
        return self._data.ndim

    ndimension = dim

    @property
    def ndim(self):
        return self._data.ndim

    def numel(self):
        return self._data.size

    nelement = numel

    def element_size(self):
        return self.dtype.itemsize

    @property
    def itemsize(self):
        return self.dtype.itemsize

    @property
    def nbytes(self):
        return self._data.size * self.dtype.itemsize

    def is_floating_point(self):
        return self._data.dtype.kind == "f"

    def is_complex(self):
        return self._data.dtype.kind == "c"

    # Storage questions PyTorch users ask: a CPU tensor is none of these.
    is_sparse = False
    is_quantized = False
    is_meta = False

    def is_contiguous(self, memory_format=None):
        if memory_format is None:
            return self._data.flags.c_contiguous
        from .layouts import check_memory_format, is_laid_out

        return is_laid_out(self._data, check_memory_format(memory_format, "is_contiguous"))

    def stride(self, dim=None):
        strides = tuple(s // self._data.itemsize for s in self._data.strides)
        return strides if dim is None else strides[_dim_index(dim, self._data.ndim)]

    def data_ptr(self):
        return self._data.__array_interface__["data"][0]

    def storage_offset(self):
        """Where this tensor starts in the memory it shares with the array that owns it, in
        elements (0 for a tensor that owns its memory)."""
        a = self._data
        root = a
        while isinstance(root.base, np.ndarray):
            root = root.base
        start = root.__array_interface__["data"][0]
        return (a.__array_interface__["data"][0] - start) // a.itemsize

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __hash__(self):
        return id(self)

    # -- conversion to Python and NumPy ---------------------------------------------------
    def item(self):
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar"
            )
        return self._data.item()

    def tolist(self):
        return self._data.tolist()

    def numpy(self, *, force=False):
        if self._requires_grad and not force:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                "instead."
            )
        if self._data.dtype.metadata is not None:  # NumPy has no bfloat16 or complex32
            raise TypeError(f"Got unsupported ScalarType {_dtypes.scalar_type_name(self.dtype)}")
        return self._data

    def __array__(self, dtype=None, copy=None):
        if self._requires_grad or self._data.dtype.metadata is not None:
            self.numpy()  # raises PyTorch's error: detach first, or no such NumPy type
        a = self._data
        return a if dtype is None else a.astype(dtype, copy=False)

    def _scalar(self, kind):
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return kind(self._data.reshape(()).item())

    def __float__(self):
        if self._requires_grad and _grad_state.enabled:  # as PyTorch: silent under no_grad
            warnings.warn(
                "Converting a tensor with requires_grad=True to a scalar may lead to unexpected "
                "behavior.\nConsider using tensor.detach() first.",
                UserWarning,
                stacklevel=2,
            )
        return self._scalar(float)

    def __int__(self):
        return self._scalar(int)

    def __bool__(self):
        if self._data.size != 1:
            amount = "no values" if self._data.size == 0 else "more than one value"
            raise RuntimeError(f"Boolean value of Tensor with {amount} is ambiguous")
        return bool(self._data.reshape(()).item())

    def __index__(self):
        if self._data.ndim != 0 and self._data.size != 1 or self._data.dtype.kind not in "iub":
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._data.reshape(()).item())

    def __complex__(self):
        return self._scalar(complex)

    def __format__(self, spec):
        if self._data.ndim == 0:
            return self._data.item().__format__(spec)
        return object.__format__(self, spec)

    def __repr__(self, *, tensor_contents=None):
        from ._printing import tensor_repr  # (loaded at the first repr)

        return tensor_repr(self)

    def __reduce_ex__(self, protocol):
        return (_rebuild, (self._data, self._requires_grad))

    def __deepcopy__(self, memo):
        if self.grad_fn is not None:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the "
                "deepcopy protocol at the moment."
            )
        t = type(self)._wrap(self._data.copy(), self._requires_grad)
        if self._grad is not None:
            t._grad = Tensor._wrap(self._grad._data.copy())
        memo[id(self)] = t
        return t


def _rebuild(data, requires_grad):
    return Tensor._wrap(np.array(data), requires_grad)


def _dim_index(dim, ndim):
    """A dimension index made non-negative, with PyTorch's IndexError when out of range."""
    lo, hi = (-ndim, ndim - 1) if ndim else (-1, 0)
    if not lo <= dim <= hi:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{lo}, {hi}], but got {dim})"
        )
    return dim % ndim if ndim else 0


def version_error(t, expected, node, current=None):
    """PyTorch's error for a saved tensor that an in-place op changed."""
    current = t._version if current is None else current
    shape = list(t._data.shape)
    type_name = f"torch.{_dtypes.scalar_type_name(t.dtype)}Tensor"
    out_of = ""
    if t.grad_fn is not None:
        # PyTorch 2.13 names the node without its "Backward0" ("Add", "Pow1", "MyFn").
        name = type(t.grad_fn).__name__
        name = name[:-9] if name.endswith("Backward0") else name.replace("Backward", "")
        out_of = f", which is output {t._output_nr} of {name},"
    if _anomaly_state.enabled:
        hint = (
            "the backtrace further above shows the operation that failed to compute its "
            "gradient. The variable in question was changed in there or anywhere later. Good luck!"
        )
    else:
        hint = (
            "enable anomaly detection to find the operation that failed to compute its "
            "gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False)."
        )
    return RuntimeError(
        "one of the variables needed for gradient computation has been modified by an "
        f"inplace operation: [{type_name} {shape}]{out_of} is at version {current}; expected "
        f"version {expected} instead. Hint: {hint}"
    )


# A cycle: the autograd package (the engine, the graph) imports Tensor from here.
from .autograd import engine as _engine  # noqa: E402
from .autograd.anomaly_mode import state as _anomaly_state  # noqa: E402
from .autograd.grad_mode import state as _grad_state  # noqa: E402
from .autograd.graph import AccumulateGrad  # noqa: E402
