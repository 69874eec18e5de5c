"""In-place ops (add_, mul_, x[i] = v, ...) built on their out-of-place forms.

Without a graph to record (the optimizer's pattern under no_grad) an in-place op
is a NumPy write into the tensor's own memory and a version bump. When the
graph is recorded, the out-of-place op runs on a snapshot of the old value, so
what it saves for backward stays valid, the result is written into the
tensor's memory, and the tensor takes the op's node as its grad_fn. Tensors
that saved the old value see the version bump and backward refuses them.
"""

from __future__ import annotations

import numpy as np

from .. import dtypes
from ..autograd.grad_mode import state as _grad_state
from ..tensor import Tensor


def inplace(self, compute, others=()):
    """Write compute(self), an out-of-place computation, into self."""
    recording = _grad_state.enabled and (
        self._requires_grad or any(isinstance(o, Tensor) and o._requires_grad for o in others)
    )
    if not recording:
        return _write(self, compute(self))
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
        raise _shape_error(self, result)
    _write(self, result)
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
    from .indexing import Key, _setitem_through_base

    snapshot = Tensor._wrap(view._data.copy(), view._requires_grad)
    snapshot.grad_fn = view.grad_fn
    snapshot._output_nr = view._output_nr
    result = compute(snapshot)
    if result._data.shape != view._data.shape:
        raise _shape_error(view, result)
    _check_cast(result._data.dtype, view._data.dtype)
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
        raise _shape_error(view, result)
    _check_cast(result._data.dtype, view._data.dtype)
    if result._data.dtype != view._data.dtype:
        result = result.to(view.dtype)
    new_base = inverse(result)
    _write(base, new_base)  # the view shares this memory
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


def _shape_error(self, result):
    return RuntimeError(
        f"output with shape {list(self._data.shape)} doesn't match the broadcast shape "
        f"{list(result._data.shape)}"
    )


def _check_cast(result_dtype, target_dtype):
    if result_dtype == target_dtype:
        return
    r, t = dtypes.from_numpy_dtype(result_dtype), dtypes.from_numpy_dtype(target_dtype)
    if r._category > t._category:
        raise RuntimeError(
            f"result type {dtypes.scalar_type_name(r)} can't be cast to the desired output type "
            f"{dtypes.scalar_type_name(t)}"
        )


def _write(self, result):
    _check_cast(result._data.dtype, self._data.dtype)
    rshape, shape = result._data.shape, self._data.shape
    if rshape != shape and (
        len(rshape) > len(shape)
        or any(r != s and r != 1 for r, s in zip(rshape[::-1], shape[::-1]))
    ):
        raise _shape_error(self, result)
    if not self._data.flags.writeable:  # an expanded tensor: many elements, one memory slot
        raise RuntimeError(
            "unsupported operation: more than one element of the written-to tensor refers to a "
            "single memory location. Please clone() the tensor before performing the operation."
        )
    np.copyto(self._data, result._data, casting="unsafe")
    self._bump_version()
    return self


def write_out(out, result):
    """The `out=` keyword: resize `out` if its shape differs (as PyTorch does), then write."""
    if out._data.shape != result._data.shape:
        out._data = np.empty(result._data.shape, out._data.dtype)
    return _write(out, result)
