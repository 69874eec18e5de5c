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
from ..autograd.graph import CONSTANT, INPUT, _sequence, node_class, resolve_saved
from ..tensor import Tensor
from . import dtype_dispatch as _dispatch

_ndarray = np.ndarray
# float32 and float64 arrays skip the check for complex and narrow (bfloat16) operands.
_F32, _F64 = np.dtype(np.float32), np.dtype(np.float64)
_special = _dispatch.special
_wrap = Tensor._wrap
_new = object.__new__
_NO_EDGE = (None, 0)
_NO_KWARGS = {}
_anomaly_state = anomaly_mode.state


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
    # For unary (float input) and binary ops: a function of the arrays alone computing what forward
    # computes, which the hot path calls directly when nothing is recorded
    # (forward's only other work, saving for backward, is then not needed).
    ufunc = None

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
    """Run op.forward on the arrays inside args; record a Node when gradients are needed."""
    arrays = []
    requires_grad = False
    narrow = special = None
    for a in args:
        if isinstance(a, Tensor):
            data = a._data
            arrays.append(data)
            if a._requires_grad:
                requires_grad = True
            dt = data.dtype
            if dt is not _F32 and dt is not _F64 and _special(dt):
                special = True
        else:
            arrays.append(a)
    if special:  # complex, bfloat16 or complex32 operands (ops/dtype_dispatch.py)
        op, narrow = _dispatch.adapt(op, arrays)
        if narrow is not None and kwargs:
            kwargs = _dispatch.narrow_kwargs(op, kwargs, narrow)
    if not (requires_grad and _grad_state.enabled and op.differentiable):
        out = op.forward(NULL_CTX, *arrays, **kwargs)
        if narrow is not None:
            out = _dispatch.finish(op, arrays, out, narrow)
        if type(out) is tuple:
            result = tuple(_wrap(_as_array(o)) for o in out)
        else:
            result = _new(Tensor)
            result._data = out if type(out) is _ndarray else np.asarray(out)
        if op.is_view:
            _mark_view(result, args[0], op, kwargs)
        return result

    node = _new(op._node_cls if name is None else node_class(name, op))
    out = op.forward(node, *arrays, **kwargs)
    if narrow is not None:
        out = _dispatch.finish(op, arrays, out, narrow)
    node._sequence_nr = next(_sequence)
    edges = []
    meta = []
    for a in args:
        if isinstance(a, Tensor) and a._requires_grad:
            fn = a.grad_fn
            if fn is not None:
                edges.append((fn, a._output_nr))
            else:
                acc = a._acc
                edges.append((acc if acc is not None else a._accumulator(), 0))
            data = a._data
            meta.append((data.shape, data.dtype))
        else:
            edges.append(_NO_EDGE)
            meta.append(None)
    node.next_functions = tuple(edges)
    node._input_meta = meta
    if type(out) is tuple:
        no_grad_outputs = node._non_differentiable
        outputs = []
        for i, o in enumerate(out):
            o = _as_array(o)
            differentiable = o.dtype.kind in "fc" and not any(o is n for n in no_grad_outputs)
            t = _wrap(o, differentiable)
            if differentiable:
                t.grad_fn = node
                t._output_nr = i
            outputs.append(t)
        node._output_meta = [(o._data.shape, o._data.dtype) for o in outputs]
        node._num_outputs = len(outputs)
        result = tuple(outputs)
        if node._to_save:
            # Saved outputs unpack as outputs of this node (so double backward sees them).
            resolve_saved(node, args, arrays, tuple(o._data for o in outputs), result)
    else:
        result = _new(Tensor)
        result._data = out = out if type(out) is _ndarray else np.asarray(out)
        result._requires_grad = True
        result.grad_fn = node
        if node._to_save:
            resolve_saved(node, args, arrays, out, result)
    if op.is_view:
        _mark_view(result, args[0], op, kwargs)
    if _anomaly_state.enabled:
        anomaly_mode.record_forward_trace(node)
    return result


# apply1 and apply2 are apply() unrolled for the hot path: one or two operands
# (the first a tensor, the second a tensor or a Python number), one output, no
# view. They record exactly what apply() records; the op table runs through both.
def apply1(op, a, kwargs=_NO_KWARGS, name=None):
    data = a._data
    dt = data.dtype
    if dt is not _F32 and dt is not _F64 and _special(dt):
        return apply(op, (a,), kwargs, name)
    if not (a._requires_grad and _grad_state.enabled):
        ufunc = op.ufunc
        if ufunc is not None and not kwargs and data.dtype.kind == "f":
            out = ufunc(data)
        else:
            out = op.forward(NULL_CTX, data, **kwargs)
        result = _new(Tensor)
        result._data = out if out.__class__ is _ndarray else np.asarray(out)
        return result
    node = _new(op._node_cls if name is None else node_class(name, op))
    out = op.forward(node, data, **kwargs)
    if out.__class__ is not _ndarray:
        out = np.asarray(out)
    node._sequence_nr = next(_sequence)
    fn = a.grad_fn
    if fn is None:
        node.next_functions = ((a._acc or a._accumulator(), 0),)
    else:
        node.next_functions = ((fn, a._output_nr),)
    node._input_meta = ((data.shape, data.dtype),)
    result = _new(Tensor)
    result._data = out
    result._requires_grad = True
    result.grad_fn = node
    to_save = node._to_save
    if to_save:
        if len(to_save) == 1 and to_save[0] is data:
            # The input alone (pow, sin, log, ...), resolved inline.
            counter = a._version_counter
            node._saved = ((INPUT, a, 0 if counter is None else counter[0]),)
            node._to_save = ()
        else:
            resolve_saved(node, (a,), (data,), out, result)
    if _anomaly_state.enabled:
        anomaly_mode.record_forward_trace(node)
    return result


def apply2(op, a, b, kwargs=_NO_KWARGS, name=None):
    a_data = a._data
    if b.__class__ is Tensor or isinstance(b, Tensor):
        b_data = b._data
        b_grad = b._requires_grad
        dt = b_data.dtype
        if dt is not _F32 and dt is not _F64 and _special(dt):
            return apply(op, (a, b), kwargs, name)
    else:
        b_data = b
        b_grad = False
    dt = a_data.dtype
    if dt is not _F32 and dt is not _F64 and _special(dt):
        return apply(op, (a, b), kwargs, name)
    if not ((a._requires_grad or b_grad) and _grad_state.enabled):
        ufunc = op.ufunc
        if ufunc is not None and not kwargs:
            try:
                out = ufunc(a_data, b_data)
            except ValueError:
                out = op.forward(NULL_CTX, a_data, b_data)  # raises PyTorch's message
        else:
            out = op.forward(NULL_CTX, a_data, b_data, **kwargs)
        result = _new(Tensor)
        result._data = out if out.__class__ is _ndarray else np.asarray(out)
        return result
    node = _new(op._node_cls if name is None else node_class(name, op))
    out = op.forward(node, a_data, b_data, **kwargs)
    if out.__class__ is not _ndarray:
        out = np.asarray(out)
    node._sequence_nr = next(_sequence)
    if a._requires_grad:
        fn = a.grad_fn
        edge_a = (a._acc or a._accumulator(), 0) if fn is None else (fn, a._output_nr)
        meta_a = (a_data.shape, a_data.dtype)
    else:
        edge_a = _NO_EDGE
        meta_a = None
    if b_grad:
        fn = b.grad_fn
        edge_b = (b._acc or b._accumulator(), 0) if fn is None else (fn, b._output_nr)
        meta_b = (b_data.shape, b_data.dtype)
    else:
        edge_b = _NO_EDGE
        meta_b = None
    node.next_functions = (edge_a, edge_b)
    node._input_meta = (meta_a, meta_b)
    result = _new(Tensor)
    result._data = out
    result._requires_grad = True
    result.grad_fn = node
    to_save = node._to_save
    if to_save:
        if len(to_save) == 2 and to_save[0] is None and to_save[1] is b_data and not b_grad:
            # A Python number as the other operand (x * 2.0): only the number is kept.
            node._saved = ((CONSTANT, None), (CONSTANT, b))
            node._to_save = ()
        elif len(to_save) == 2 and to_save[0] is a_data and to_save[1] is b_data:
            # Both operands, the commonest case (mul, div, ...), resolved inline.
            counter = a._version_counter
            saved_a = (INPUT, a, 0 if counter is None else counter[0])
            if isinstance(b, Tensor):  # Parameters too: their version is checked at unpack
                counter = b._version_counter
                saved_b = (INPUT, b, 0 if counter is None else counter[0])
            else:
                saved_b = (CONSTANT, b)
            node._saved = (saved_a, saved_b)
            node._to_save = ()
        else:
            resolve_saved(node, (a, b), (a_data, b_data), out, result)
    if _anomaly_state.enabled:
        anomaly_mode.record_forward_trace(node)
    return result


def _mark_view(result, source, op=None, kwargs=None):
    """Outputs that share memory with the input share its version counter and base.

    A view that holds every element of its base once (reshape, permute) also
    records how to make it from the base and how to turn a value of its shape
    back into the base's (`Op.replay`), composed along views of views, so that
    an in-place op on it can be recorded as a new value of the base.
    """
    if not isinstance(source, Tensor):
        return
    outputs = result if type(result) is tuple else (result,)
    data = source._data
    for r in outputs:
        # A NumPy view's base is its source's array or that array's base (the usual case,
        # decided without the bounds check).
        base = r._data.base
        if (base is not None and (base is data or base is data.base)) or np.may_share_memory(
            r._data, data
        ):
            r._base = source if source._base is None else source._base
            r._version_counter = source._shared_version_counter()
            replay = getattr(op, "replay", None)
            if replay is None or type(result) is tuple:
                continue
            if source._base is None:
                r._view_replay = _Replay(replay, source._data.shape, kwargs, None)
            elif source._view_replay is not None:
                r._view_replay = _Replay(replay, source._data.shape, kwargs, source._view_replay)


class _Replay:
    """A view's (make from base, turn back into base) pair, built on first use: only an
    in-place op on the view while recording needs it, and most views (the t() in every
    Linear, those in backward passes) never see one."""

    __slots__ = ("_args", "_pair")

    def __init__(self, replay, shape, kwargs, first):
        self._args = replay, shape, kwargs, first
        self._pair = None

    def __iter__(self):
        pair = self._pair
        if pair is None:
            replay, shape, kwargs, first = self._args
            pair = replay(shape, **kwargs)
            if first is not None:
                pair = _compose(tuple(first), pair)
            self._pair = pair
            self._args = None
        return iter(pair)


def _compose(first, then):
    """The replay of a view of a view: make both in turn, undo them in reverse."""
    f0, i0 = first
    f1, i1 = then
    return (lambda t: f1(f0(t))), (lambda v: i0(i1(v)))


def tensor_method(*names):
    """Attach the decorated function to Tensor under each name (e.g. "exp", "__neg__")."""

    def register(fn):
        for n in names:
            setattr(Tensor, n, fn)
        return fn

    return register
