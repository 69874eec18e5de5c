"""User-defined differentiable functions: `chainrule.autograd.Function`, as in PyTorch.

A Function subclass writes `forward(ctx, *args)` and `backward(ctx, *grads)` as
staticmethods on chainrule Tensors. `apply` runs forward under no_grad and then
records one graph Node, exactly as a built-in op does: the ctx the user's code
sees *is* that Node (a `BackwardCFunction`, named `<ClassName>Backward` as
PyTorch names it), its `next_functions` hold one edge per tensor input, and the
engine runs it like any other node. The node's `op` is a small adapter that
calls the user's backward and maps its answer (one gradient per forward
argument) onto the node's edges (one per tensor argument).
"""

import functools
import inspect
import warnings

import numpy as np

from ..tensor import Tensor
from .grad_mode import state as _grad_state
from .graph import CONSTANT, INPUT, OUTPUT, Node, record

__all__ = ["Function", "FunctionCtx", "BackwardCFunction", "once_differentiable"]


class FunctionCtx:
    """The methods a Function's ctx offers (BackwardCFunction is the ctx actually passed)."""

    def save_for_backward(self, *tensors):
        """Keep tensors for backward; read them back with `ctx.saved_tensors`."""
        self._to_save = tensors

    def save_for_forward(self, *tensors):
        self._to_save_forward = tensors

    def mark_dirty(self, *tensors):
        """Declare inputs that forward modified in place (and returns)."""
        self._dirty = tensors

    def mark_non_differentiable(self, *outputs):
        """Declare outputs that never carry a gradient (indices, masks, ...)."""
        self._non_differentiable = outputs

    def set_materialize_grads(self, value):
        """With False, backward receives None (not zeros) for outputs that got no gradient."""
        self._user_materialize_grads = bool(value)


class BackwardCFunction(FunctionCtx, Node):
    """The grad_fn of a Function's outputs, and the ctx its forward and backward receive."""

    # The engine's own zero-filling is switched off: the adapter below fills in
    # zeros itself, skipping outputs that were not tensors.
    _materialize_grads = False
    _user_materialize_grads = True
    _dirty = ()
    _forward_cls = None
    needs_input_grad = ()

    def __repr__(self):
        return f"<{type(self).__module__}.{type(self).__name__} object at {hex(id(self))}>"

    def apply(self, *grads):
        """Run this node's backward on the given output gradients (as grad_fn.apply does)."""
        results = self.op.backward(self, *grads)
        return results[0] if len(results) == 1 else results


class _FunctionBackward:
    """The `op` of a Function's node: what the engine calls to run its backward."""

    on_arrays = None  # (a user's backward always runs on tensors: ops/op.py's Apply)

    def __init__(self, function):
        self.function = function
        self.name = function.__name__ + "Backward"
        self.formula = (inspect.getdoc(function) or "").split("\n")[0]
        self.differentiable = True
        self.is_view = False

    def backward(self, ctx, *grads):
        if ctx._user_materialize_grads:
            grads = tuple(
                Tensor._wrap(np.zeros(meta[0], meta[1])) if g is None and meta is not None else g
                for g, meta in zip(grads, ctx._output_meta)
            )
        function = self.function
        user_backward = function.backward
        if user_backward is Function.backward and function.vjp is not Function.vjp:
            user_backward = function.vjp
        result = user_backward(ctx, *grads)
        return _route_gradients(ctx, result)


def _route_gradients(ctx, result):
    """One gradient per forward argument -> one per edge (per tensor argument), checked."""
    if type(result) is not tuple:
        result = (result,)
    is_tensor = ctx._is_tensor_input
    expected = len(is_tensor)
    got = len(result)
    if got > expected and all(g is None for g in result[expected:]):
        result = result[:expected]
        got = expected
    if got != expected:
        raise RuntimeError(
            f"function {type(ctx).__name__} returned an incorrect number of gradients "
            f"(expected {expected}, got {got})"
        )
    routed = []
    for i, (g, tensor_input) in enumerate(zip(result, is_tensor)):
        if tensor_input:
            routed.append(g)
        elif g is not None:
            raise RuntimeError(
                f"function {type(ctx).__name__} returned a gradient different than None at "
                f"position {i + 1}, but the corresponding forward input was not a Variable"
            )
    return tuple(routed)


class Function:
    """Base class for differentiable operations written by the user.

    Subclasses define `forward(ctx, *args)` and `backward(ctx, *grad_outputs)` as
    staticmethods and are called through `MyFunction.apply(*args)`. (Alternatively
    `forward(*args)` without ctx plus `setup_context(ctx, inputs, output)`.)
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._backward_cls = type(
            cls.__name__ + "Backward",
            (BackwardCFunction,),
            {"op": _FunctionBackward(cls), "_forward_cls": cls, "__module__": __name__},
        )

    def __init__(self, *args, **kwargs):
        warnings.warn(
            f"{type(self)} should not be instantiated. Methods on autograd functions are all "
            "static, so you should invoke them on the class itself. Instantiating an autograd "
            "function will raise an error in a future version of PyTorch.",
            DeprecationWarning,
            stacklevel=2,
        )

    def __call__(self, *args, **kwargs):
        raise RuntimeError(
            "Legacy autograd function with non-static forward method is deprecated. Please use "
            "new-style autograd function with static forward method. (Example: "
            "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)"
        )

    @staticmethod
    def forward(*args, **kwargs):
        raise NotImplementedError(
            "You must implement the forward function for custom autograd.Function."
        )

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError(
            "You must implement either the backward or vjp method for your custom "
            "autograd.Function to use it with backward mode AD."
        )

    vjp = backward

    @classmethod
    def apply(cls, *args, **kwargs):
        if kwargs:
            args = _bind_arguments(cls, args, kwargs)
        return _apply(cls, args)


def _bind_arguments(cls, args, kwargs):
    """Keyword arguments become positional ones, in forward's order, with its defaults."""
    signature = inspect.signature(cls.forward)
    if cls.setup_context is Function.setup_context:
        bound = signature.bind(None, *args, **kwargs)
        bound.apply_defaults()
        return tuple(bound.args[1:])
    bound = signature.bind(*args, **kwargs)
    bound.apply_defaults()
    return tuple(bound.args)


def _apply(cls, args):
    ctx = cls._backward_cls()
    grad_enabled = _grad_state.enabled
    needs_input_grad = tuple(
        grad_enabled and isinstance(a, Tensor) and a._requires_grad for a in args
    )
    recording = any(needs_input_grad)
    ctx.needs_input_grad = needs_input_grad
    ctx._is_tensor_input = tuple(isinstance(a, Tensor) for a in args)
    if recording:
        # Recorded before forward runs, so that an input modified in place (mark_dirty)
        # still leads back to the node that made its old value.
        record(ctx, [a for a in args if isinstance(a, Tensor)])

    _grad_state.enabled = False
    try:
        if cls.setup_context is Function.setup_context:
            raw = cls.forward(ctx, *args)
        else:
            raw = cls.forward(*args)
            cls.setup_context(ctx, args, raw)
    finally:
        _grad_state.enabled = grad_enabled

    is_tuple = type(raw) is tuple
    raw_outputs = raw if is_tuple else (raw,)
    outputs = _wrap_outputs(ctx, args, raw_outputs, recording)
    _save_tensors(ctx, raw_outputs, outputs, recording)
    return outputs if is_tuple else outputs[0]


def _is_in(t, group):
    return any(t is g for g in group)


def _wrap_outputs(ctx, args, raw_outputs, recording):
    """Give each output its place in the graph, following PyTorch's rules for custom Functions."""
    dirty = ctx._dirty
    non_differentiable = ctx._non_differentiable
    outputs = []
    meta = []
    for i, out in enumerate(raw_outputs):
        if not isinstance(out, Tensor):
            outputs.append(out)
            meta.append(None)
            continue
        meta.append((out._data.shape, out._data.dtype))
        is_input = _is_in(out, args)
        is_dirty = _is_in(out, dirty)
        differentiable = (
            recording and out._data.dtype.kind in "fc" and not _is_in(out, non_differentiable)
        )
        if is_dirty:
            out._bump_version()  # as PyTorch's mark_dirty does
        if not differentiable:
            if is_input and not is_dirty:
                out = _alias(out, view=False)
            outputs.append(out)
            continue
        if is_dirty:
            # (a cycle: ops/ import the autograd package, which imports this module)
            from ..ops.inplace import check_inplace_allowed

            if out.grad_fn is None and out._requires_grad:
                raise RuntimeError(
                    "a leaf Variable that requires grad has been used in an in-place operation."
                )
            check_inplace_allowed(out)
        elif is_input:
            out = _alias(out)
        out._requires_grad = True
        out.grad_fn = ctx
        out._output_nr = i
        outputs.append(out)
    ctx._output_meta = meta
    ctx._num_outputs = len(meta)
    return tuple(outputs)


def _alias(t, view=True):
    """An input returned as an output: a new tensor on the same memory (PyTorch's view_as)."""
    alias = Tensor._wrap(t._data)
    alias._version_counter = t._shared_version_counter()
    if view:
        alias._base = t if t._base is None else t._base
    return alias


def _save_tensors(ctx, raw_outputs, outputs, recording):
    """Resolve ctx.save_for_backward's tensors into the Node's saved entries (see graph.py)."""
    to_save = ctx._to_save
    if not to_save:
        return
    saved = []
    for i, t in enumerate(to_save):
        if t is None:
            saved.append((CONSTANT, None))
            continue
        if not isinstance(t, Tensor):
            raise TypeError(
                "save_for_backward can only save variables, but argument "
                f"{i} is of type {type(t).__name__}"
            )
        output_nr = None
        if recording:
            for nr, (raw, out) in enumerate(zip(raw_outputs, outputs)):
                if (t is raw or t is out) and isinstance(out, Tensor) and out.grad_fn is ctx:
                    output_nr = nr
                    break
        if output_nr is not None:
            # Stored as data, not as the output tensor itself: no cycle output -> node -> output.
            counter = t._shared_version_counter()
            saved.append((OUTPUT, t._data, counter, counter[0], output_nr))
        else:
            saved.append((INPUT, t, t._version))
    ctx._to_save = ()
    ctx._saved = saved


class DelayedError(Function):
    """Passes its input through, but refuses to be differentiated (see once_differentiable)."""

    @staticmethod
    def forward(ctx, x):
        return x.clone()

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError(
            "trying to differentiate twice a function that was marked with @once_differentiable"
        )


def once_differentiable(backward):
    """Decorate a Function's backward that is not itself differentiable.

    It runs under no_grad; if a graph was being built (create_graph=True), its
    results carry a node that raises when differentiated a second time.
    """

    @functools.wraps(backward)
    def wrapper(ctx, *args):
        prev = _grad_state.enabled
        _grad_state.enabled = False
        try:
            outputs = backward(ctx, *args)
        finally:
            _grad_state.enabled = prev
        requires_grad = prev and any(isinstance(a, Tensor) and a._requires_grad for a in args)
        if not requires_grad:
            return outputs
        single = not isinstance(outputs, tuple)
        outputs = (outputs,) if single else outputs
        wrapped = tuple(
            DelayedError.apply(o.detach().requires_grad_())
            if isinstance(o, Tensor) and o._data.dtype.kind in "fc"
            else o
            for o in outputs
        )
        return wrapped[0] if single else wrapped

    return wrapper
