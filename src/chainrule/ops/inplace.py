"""In-place ops (add_, exp_, clamp_, fill_, copy_, ...) built on their out-of-place forms.

Without a graph to record (the optimizer's pattern under no_grad) an in-place op
is a NumPy write into the tensor's own memory and a version bump. When the
graph is recorded, the out-of-place op runs on a snapshot of the old value, so
what it saves for backward stays valid, the result is written into the
tensor's memory, and the tensor takes the op's node as its grad_fn. Tensors
that saved the old value see the version bump and backward refuses them.

`inplace` is that mechanism; below it, the in-place forms of the arithmetic
(pointwise.py) and of the one-operand math (unary.py), and fill_, zero_, copy_.
Indexing writes (x[i] = v) are in indexing.py, logical ones in comparison.py.
"""

import numpy as np

from .. import _arithmetic
from ..autograd.grad_mode import state as _grad_state
from ..tensor import Tensor
from . import unary
from ._fused import fma_
from .errors import broadcast_shapes_error
from .index_key import Key
from .op import GRAD, ZERO, Op, apply, tensor_method
from .pointwise import (
    _scaled,
    add,
    addcdiv,
    addcmul,
    clamp,
    div,
    floor_divide_for_inplace,
    lerp,
    maximum,
    minimum,
    mul,
    neg,
    pow,
    remainder,
    sub,
)
from .writes import check_cast, shape_error, write

__all__ = ["zero_"]  # torch.zero_(t); the rest are methods only


def inplace(self, compute, others=()):
    """Write compute(self), an out-of-place computation, into self."""
    recording = _grad_state.enabled and (
        self._requires_grad or any(isinstance(o, Tensor) and o._requires_grad for o in others)
    )
    if not recording:
        return write(self, compute(self))
    base = self._base
    if base is not None and not (base.grad_fn is None and base._requires_grad):
        # A view of a base that is in the graph, or that the write puts there.
        chain = self.__dict__.get("_view_chain")
        if chain is not None and chain[0] is base:
            return _inplace_on_view(self, chain, compute)
        if self._view_replay is not None:
            return _inplace_on_whole_view(self, base, compute)
    check_inplace_allowed(self)
    snapshot = Tensor._wrap(self._data.copy(), self._requires_grad)
    snapshot.grad_fn = self.grad_fn
    snapshot._output_nr = self._output_nr
    result = compute(snapshot)
    if result._data.shape != self._data.shape:
        raise shape_error(self, result)
    write(self, result)
    if result._data.dtype != self._data.dtype:
        result = result.to(self.dtype)
    self.grad_fn = result.grad_fn
    self._output_nr = result._output_nr
    self._requires_grad = result._requires_grad
    return self


def _inplace_on_view(view, chain, compute):
    """view.op_() where view = base[k1][k2]... and base is in the graph: the new value is
    computed out of place and written into the base as `base[k1][k2]... = value`
    (PyTorch's CopySlices), so gradients reach both the base's history and the op's."""
    from .indexing import _setitem_through_base  # a cycle: indexing.py imports this module

    snapshot = Tensor._wrap(view._data.copy(), view._requires_grad)
    snapshot.grad_fn = view.grad_fn
    snapshot._output_nr = view._output_nr
    result = compute(snapshot)
    if result._data.shape != view._data.shape:
        raise shape_error(view, result)
    check_cast(result._data.dtype, view._data.dtype)
    if result._data.dtype != view._data.dtype:
        result = result.to(view.dtype)
    _setitem_through_base(view, chain, Key(None, None, "CopySlices"), result)
    return view


def _inplace_on_whole_view(view, base, compute):
    """view.op_() where view holds all of base's elements (a reshape or permute of it):
    the new value is computed out of place, turned back into the base's shape, and
    becomes the base's new value and history; the view's history is then cut from it."""
    forward, inverse = view._view_replay
    snapshot = Tensor._wrap(view._data.copy(), view._requires_grad)
    snapshot.grad_fn = view.grad_fn
    snapshot._output_nr = view._output_nr
    result = compute(snapshot)
    if result._data.shape != view._data.shape:
        raise shape_error(view, result)
    check_cast(result._data.dtype, view._data.dtype)
    if result._data.dtype != view._data.dtype:
        result = result.to(view.dtype)
    new_base = inverse(result)
    write(base, new_base)  # the view shares this memory
    base.grad_fn = new_base.grad_fn
    base._output_nr = new_base._output_nr
    base._requires_grad = new_base._requires_grad
    regenerated = forward(base)
    view.grad_fn = regenerated.grad_fn
    view._output_nr = regenerated._output_nr
    view._requires_grad = regenerated._requires_grad
    return view


def check_inplace_allowed(self):
    """PyTorch's errors for in-place ops that would corrupt a leaf the graph needs."""
    if self.grad_fn is None and self._requires_grad:
        raise RuntimeError(
            "a leaf Variable that requires grad is being used in an in-place operation."
        )
    base = self._base
    if base is not None and base._requires_grad:
        if base.grad_fn is None:
            raise RuntimeError(
                "a view of a leaf Variable that requires grad is being used in an in-place "
                "operation."
            )
        raise RuntimeError(
            "chainrule does not support in-place operations on a view of a tensor that is part "
            "of the recorded graph; write the result out of place (or clone() first)."
        )


# -- in-place arithmetic ------------------------------------------------------------------------
# The optimizer's in-place arithmetic on float tensors, with nothing to record,
# runs as one ufunc writing into the tensor's memory: no temporary result and no
# copy of it (the values are the same as the out-of-place op's: same operations,
# same order).
_DIRECT_UFUNCS = {
    "add_": np.add,
    "__iadd__": np.add,
    "sub_": np.subtract,
    "subtract_": np.subtract,
    "__isub__": np.subtract,
    "mul_": np.multiply,
    "multiply_": np.multiply,
    "__imul__": np.multiply,
    "div_": np.true_divide,
    "divide_": np.true_divide,
    "true_divide_": np.true_divide,
    "__itruediv__": np.true_divide,
}


def _direct_inplace(self, ufunc, other, kwargs):
    """self op= other as one ufunc into self's memory; False where the general path is needed."""
    data = self._data
    if data.dtype.kind != "f" or (kwargs and (len(kwargs) > 1 or "alpha" not in kwargs)):
        return False
    if data.dtype.metadata is not None:  # bfloat16: the op's own path rounds its operands
        return False
    if other.__class__ is Tensor or isinstance(other, Tensor):
        operand = other._data
        if operand.dtype != data.dtype:
            return False
    elif other.__class__ is float or other.__class__ is int:
        operand = other
    else:
        return False
    alpha = kwargs.get("alpha", 1) if kwargs else 1
    if alpha != 1:
        if ufunc is not np.add and ufunc is not np.subtract:
            return False
        if _arithmetic.pytorch_order and data.dtype == np.float32 and data.flags.writeable:
            # self + alpha * other in one rounding, as PyTorch's kernel (ops/_fused.py)
            try:
                fma_(data, operand, np.float32(alpha if ufunc is np.add else -alpha))
            except ValueError:  # not broadcastable to self: the general path raises
                return False
            self._bump_version()
            return True
        operand = _scaled(operand, alpha)
    try:
        ufunc(data, operand, out=data)
    except (ValueError, TypeError):  # not broadcastable to self, or read-only: the general path
        return False  # raises PyTorch's error
    self._bump_version()
    return True


def _inplace_binary(fn_name, fn):
    ufunc = _DIRECT_UFUNCS.get(fn_name)

    def method(self, other, **kwargs):
        if (
            ufunc is not None
            and not (
                _grad_state.enabled
                and (self._requires_grad or (isinstance(other, Tensor) and other._requires_grad))
            )
            and _direct_inplace(self, ufunc, other, kwargs)
        ):
            return self
        return inplace(self, lambda t: fn(t, other, **kwargs), (other,))

    method.__name__ = fn_name
    return method


for _name, _fn in (
    ("add_", add),
    ("__iadd__", add),
    ("sub_", sub),
    ("subtract_", sub),
    ("__isub__", sub),
    ("mul_", mul),
    ("multiply_", mul),
    ("__imul__", mul),
    ("div_", div),
    ("divide_", div),
    ("true_divide_", div),
    ("__itruediv__", div),
    ("pow_", pow),
    ("__ipow__", pow),
    ("remainder_", remainder),
    ("__imod__", remainder),
    ("floor_divide_", floor_divide_for_inplace),
    ("__ifloordiv__", floor_divide_for_inplace),
    ("maximum_", maximum),
    ("minimum_", minimum),
):
    tensor_method(_name)(_inplace_binary(_name, _fn))


@tensor_method("neg_", "negative_")
def neg_(self):
    return inplace(self, neg)


@tensor_method("lerp_")
def lerp_(self, end, weight):
    return inplace(self, lambda t: lerp(t, end, weight), (end, weight))


@tensor_method("addcmul_")
def addcmul_(self, tensor1, tensor2, value=1):
    return inplace(self, lambda t: addcmul(t, tensor1, tensor2, value=value), (tensor1, tensor2))


@tensor_method("addcdiv_")
def addcdiv_(self, tensor1, tensor2, value=1):
    return inplace(self, lambda t: addcdiv(t, tensor1, tensor2, value=value), (tensor1, tensor2))


@tensor_method("clamp_", "clip_")
def clamp_(self, min=None, max=None):
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    return inplace(self, lambda t: clamp(t, min, max), (min, max))


# -- in-place one-operand math: exp_, sqrt_, ... ------------------------------------------------
def _inplace_unary(op):
    def method(self):
        return inplace(self, op.apply)

    return method


for _op, _names in (
    (unary.Exp, ("exp_",)),
    (unary.Log, ("log_",)),
    (unary.Log2, ("log2_",)),
    (unary.Log10, ("log10_",)),
    (unary.Log1p, ("log1p_",)),
    (unary.Expm1, ("expm1_",)),
    (unary.Sqrt, ("sqrt_",)),
    (unary.Rsqrt, ("rsqrt_",)),
    (unary.Sin, ("sin_",)),
    (unary.Cos, ("cos_",)),
    (unary.Tan, ("tan_",)),
    (unary.Tanh, ("tanh_",)),
    (unary.Asin, ("asin_", "arcsin_")),
    (unary.Acos, ("acos_", "arccos_")),
    (unary.Atan, ("atan_", "arctan_")),
    (unary.Sinh, ("sinh_",)),
    (unary.Cosh, ("cosh_",)),
    (unary.Sigmoid, ("sigmoid_",)),
    (unary.Reciprocal, ("reciprocal_",)),
    (unary.Abs, ("abs_", "absolute_")),
    (unary.Erf, ("erf_",)),
    (unary.Sign, ("sign_",)),
    (unary.Sgn, ("sgn_",)),
    (unary.Floor, ("floor_",)),
    (unary.Ceil, ("ceil_",)),
    (unary.Trunc, ("trunc_", "fix_")),
    (unary.Frac, ("frac_",)),
    (unary.Relu, ("relu_",)),
    (unary.Exp2, ("exp2_",)),
    (unary.Erfc, ("erfc_",)),
):
    _method = _inplace_unary(_op)
    _method.__name__ = _names[0]
    tensor_method(*_names)(_method)


# -- fill_, zero_, copy_ --------------------------------------------------------------------------
class Fill(Op):
    """The recorded form of fill_ and zero_: the new value no longer depends on the old."""

    name = "FillBackward2"
    formula = "d(fill(a, v))/da = 0"

    @staticmethod
    def forward(ctx, a, *, value):
        return np.full_like(a, value)

    derivatives = (ZERO,)


class FillTensor(Op):
    name = "FillBackward3"
    formula = "d(fill(a, v))/da = 0, d(fill(a, v))/dv = sum of the gradient"

    @staticmethod
    def forward(ctx, a, value):
        return np.full_like(a, value)

    derivatives = (
        ZERO,
        lambda ctx, grad: grad.sum(),
    )


@tensor_method("zero_")
def zero_(self):
    if self._requires_grad and _grad_state.enabled:
        return inplace(self, lambda t: apply(Fill, (t,), {"value": 0}, node_name="ZeroBackward0"))
    self._data.fill(0)
    counter = self._version_counter  # _bump_version, inline: zero_ runs every training step
    if counter is None:
        self._version_counter = [1]
    else:
        counter[0] += 1
    return self


@tensor_method("fill_")
def fill_(self, value):
    if isinstance(value, Tensor):
        if value._data.ndim != 0:
            raise RuntimeError(
                "fill_ only supports 0-dimension value tensor but got tensor with "
                f"{value._data.ndim} dimensions."
            )
        if value._requires_grad and _grad_state.enabled:
            return inplace(self, lambda t: FillTensor.apply(t, value), (value,))
        value = value.item()
    if _grad_state.enabled and self._requires_grad:
        return inplace(self, lambda t: Fill.apply(t, value=value))
    self._data.fill(value)
    self._bump_version()
    return self


class Copy(Op):
    """The recorded form of a.copy_(src): src broadcast to a's shape and cast to its dtype."""

    name = "CopyBackwards"
    formula = "d(copy(a, src))/da = 0, d(copy(a, src))/dsrc = 1 (summed over broadcast dims)"

    @staticmethod
    def forward(ctx, a, src):
        try:
            return np.broadcast_to(src, a.shape).astype(a.dtype)
        except ValueError:
            raise broadcast_shapes_error(a.shape, np.shape(src)) from None

    derivatives = (
        ZERO,
        GRAD,
    )


@tensor_method("copy_")
def copy_(self, src, non_blocking=False):
    if not isinstance(src, Tensor):
        src = Tensor._wrap(np.asarray(src))
    if _grad_state.enabled and (self._requires_grad or src._requires_grad):
        return inplace(self, lambda t: Copy.apply(t, src), (src,))
    try:
        np.copyto(self._data, np.broadcast_to(src._data, self._data.shape), casting="unsafe")
    except ValueError:
        raise broadcast_shapes_error(self._data.shape, src._data.shape) from None
    self._bump_version()
    return self
