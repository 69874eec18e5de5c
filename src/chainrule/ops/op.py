"""Op: one primitive, forward on NumPy arrays and derivative in chainrule ops, side by side.

`apply` is the single place where a forward call becomes a graph Node: it
unwraps tensors to arrays, runs `forward`, wraps the result, and, when grad
mode is on and an input requires grad, records the Node with its edges, the
shapes and dtypes the engine checks gradients against, and the saved values.
"""

from __future__ import annotations

import numpy as np

from ..autograd import anomaly_mode
from ..autograd.grad_mode import state as _grad_state
from ..autograd.graph import next_sequence_nr, node_class, resolve_saved
from ..tensor import Tensor

_ndarray = np.ndarray
_wrap = Tensor._wrap


class _NullContext:
    """The ctx an op's forward gets when nothing is recorded: saving is free."""

    __slots__ = ("__dict__",)

    def save_for_backward(self, *values):
        pass

    def mark_non_differentiable(self, *outputs):
        pass

    def set_materialize_grads(self, value):
        pass


NULL_CTX = _NullContext()


class Op:
    """Base class of primitives. Subclasses set `name` (the grad_fn class name),
    `formula` (one line for people, read by docs and the explainer), and write
    `forward(ctx, *arrays, **params)` and `backward(ctx, *grads)`."""

    name = None
    formula = ""
    differentiable = True  # False for ops whose outputs never carry gradients
    is_view = False  # True where the output may share memory with input 0

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        if cls.name is not None:
            cls._node_cls = node_class(cls.name, cls)

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, *grads):
        raise NotImplementedError

    @classmethod
    def apply(cls, *args, **kwargs):
        return apply(cls, args, kwargs)


def _as_array(out):
    return out if type(out) is _ndarray else np.asarray(out)


def apply(op, args, kwargs, name=None):
    arrays = []
    requires_grad = False
    for a in args:
        if isinstance(a, Tensor):
            arrays.append(a._data)
            if a._requires_grad:
                requires_grad = True
        else:
            arrays.append(a)
    if not (requires_grad and _grad_state.enabled and op.differentiable):
        out = op.forward(NULL_CTX, *arrays, **kwargs)
        if type(out) is tuple:
            result = tuple(_wrap(_as_array(o)) for o in out)
        else:
            result = _wrap(out if type(out) is _ndarray else np.asarray(out))
        if op.is_view:
            _mark_view(result, args[0])
        return result

    node = op._node_cls() if name is None else node_class(name, op)()
    out = op.forward(node, *arrays, **kwargs)
    node._sequence_nr = next_sequence_nr()
    edges = []
    meta = []
    for a in args:
        if isinstance(a, Tensor) and a._requires_grad:
            fn = a.grad_fn
            edges.append((fn, a._output_nr) if fn is not None else (a._accumulator(), 0))
            data = a._data
            meta.append((data.shape, data.dtype))
        else:
            edges.append((None, 0))
            meta.append(None)
    node.next_functions = tuple(edges)
    node._input_meta = meta
    if type(out) is tuple:
        no_grad_outputs = node._non_differentiable
        outputs = []
        for i, o in enumerate(out):
            o = _as_array(o)
            differentiable = o.dtype.kind == "f" and not any(o is n for n in no_grad_outputs)
            t = _wrap(o, differentiable)
            if differentiable:
                t.grad_fn = node
                t._output_nr = i
            outputs.append(t)
        node._output_meta = [(o._data.shape, o._data.dtype) for o in outputs]
        result = tuple(outputs)
        if node._to_save:
            resolve_saved(node, args, None, None)
    else:
        out = out if type(out) is _ndarray else np.asarray(out)
        result = _wrap(out, True)
        result.grad_fn = node
        if node._to_save:
            resolve_saved(node, args, out, result)
    if op.is_view:
        _mark_view(result, args[0])
    if anomaly_mode.state.enabled:
        anomaly_mode.record_forward_trace(node)
    return result


def _mark_view(result, source):
    """Outputs that share memory with the input share its version counter and base."""
    if not isinstance(source, Tensor):
        return
    outputs = result if type(result) is tuple else (result,)
    for r in outputs:
        if np.may_share_memory(r._data, source._data):
            r._base = source if source._base is None else source._base
            r._version_counter = source._version_counter


def tensor_method(*names):
    """Attach the decorated function to Tensor under each name (e.g. "exp", "__neg__")."""

    def register(fn):
        for n in names:
            setattr(Tensor, n, fn)
        return fn

    return register
