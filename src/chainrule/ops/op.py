"""Op: one primitive, forward on NumPy arrays and derivative in chainrule ops, side by side.

`apply` runs an op: it unwraps tensors to arrays and runs `forward`. When grad
mode is on and an input requires grad, forward's ctx is a new graph Node, which
`graph.record` joins to the graph (edges, input shapes and dtypes, sequence
number); the outputs take it as their grad_fn and what forward saved is
resolved against the inputs and outputs. `apply_unary` and `apply_binary` are
apply for the two commonest shapes of call, calling the same recorder (its forms
for one and two operands); apply_unary runs a `direct` op's forward steps itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, ClassVar

import numpy as np

from .._allocation import translated
from ..autograd.grad_mode import state as _grad_state
from ..autograd.graph import (
    CONSTANT,
    INPUT,
    OUTPUT,
    Node,
    node_class,
    record,
    record_one,
    record_two,
    resolve_saved,
)
from ..tensor import Tensor
from . import _lazy
from . import dtype_dispatch as _dispatch

_ndarray = np.ndarray
# float32 and float64 arrays skip the check for complex and narrow (bfloat16) operands.
_F32, _F64 = np.dtype(np.float32), np.dtype(np.float64)
_special = _dispatch.special
_wrap = Tensor._wrap
_new = object.__new__
_NO_KWARGS: dict[str, Any] = {}


class _NullContext:
    """The ctx an op's forward gets when nothing is recorded: saving is free."""

    __slots__ = ("__dict__",)

    def save_for_backward(self, *values: Any) -> None:
        pass

    def mark_non_differentiable(self, *outputs: Any) -> None:
        pass

    def set_materialize_grads(self, value: bool) -> None:
        pass


NULL_CTX = _NullContext()

# Every Op subclass with a grad_fn name, in definition order: docs/derivatives.md is made
# from it (tools/derivatives_page.py).
REGISTRY: list[type[Op]] = []


class Op:
    """Base class of primitives. A subclass sets `name` (the grad_fn class name) and
    `formula` (one line for people, read by docs and the explainer), writes
    `forward(ctx, *arrays, **params)`, and gives its derivative either as `derivatives`,
    one function per operand, or as `backward(ctx, *grads)` (docs/DESIGN.md, "How an op
    is defined")."""

    name: ClassVar[str | None] = None
    formula: ClassVar[str] = ""
    differentiable: ClassVar[bool] = True  # False for ops whose outputs never carry gradients
    is_view: ClassVar[bool] = False  # True where the output may share memory with input 0
    # For unary (float input) and binary ops: a function of the arrays alone computing what
    # forward computes, which the hot path calls directly when nothing is recorded
    # (forward's only other work, saving for backward, is then not needed).
    ufunc: ClassVar[Callable[..., Any] | None] = None
    # One function per operand: derivative(ctx, grad, *saved) -> the gradient for that
    # operand, called only when that operand needs one. `saved` is ctx.saved_tensors.
    derivatives: ClassVar[tuple[Callable[..., Any], ...] | None] = None
    # True where forward(ctx, a) is exactly `ufunc(a)` on a float operand, saving for
    # backward what `saves` names: "input", "output", or None (nothing). apply_unary then
    # does both itself when it records a node, which costs less than calling forward and
    # finding out afterwards what it saved. (UnaryOp sets both.) For a binary op, forward
    # (ctx, a, b) is `ufunc(a, b)` with `saves` None or "operands": a (None where b is a
    # Python number, as PyTorch keeps only what the derivative reads) and b; apply_binary
    # does both itself.
    direct: ClassVar[bool] = False
    saves: ClassVar[str | None] = None
    # The engine's cheaper way to run this op's backward when nothing is recorded, from
    # its Apply rows (below); None for ops without them.
    on_arrays: ClassVar[Callable[[Node, Tensor], Any] | None] = None
    _node_cls: ClassVar[type[Node]]

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        if cls.name is not None:
            cls._node_cls = node_class(cls.name, cls)
            if "_variant_of" not in cls.__dict__:  # not an op's complex form (dtype_dispatch)
                REGISTRY.append(cls)
        rows = cls.derivatives
        cls.on_arrays = None
        if rows is not None and cls.backward in _FROM_DERIVATIVES:
            made = {1: _backward_one, 2: _backward_two}.get(len(rows), _backward_rows)
            cls.backward = staticmethod(made)  # type: ignore[method-assign]
            if "derivatives" in cls.__dict__ and any(isinstance(r, Apply) for r in rows):
                # (an Apply row for "this op" learns which op that is)
                cls.derivatives = tuple(
                    r.bound_to(cls) if isinstance(r, Apply) else r for r in rows
                )
                cls.on_arrays = staticmethod(backward_on_arrays)

    @staticmethod
    def forward(ctx: Any, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError

    @staticmethod
    def backward(ctx: Node, *grads: Any) -> Any:
        """The gradients for the operands, one per edge. An op that gives `derivatives`
        gets a backward made from them (below); one with neither raises, naming itself."""
        raise NotImplementedError(f"no derivative for {type(ctx).__name__}")

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        return apply(cls, args, kwargs)


def GRAD(ctx: Any, grad: Tensor, *saved: Any) -> Tensor:
    """The derivative row "the gradient itself" (d(a+b)/da = 1): `derivatives = (GRAD, GRAD)`.
    The backward below hands the gradient on without calling it."""
    return grad


class Apply:
    """The derivative row "op applied to the gradient and one saved value", e.g.
    `Apply(TanhBackward)`, tanh's row tanh_backward(grad, result), or `Apply(saved=1,
    call=operator.mul)`, Mul's row grad * b (op left out: the op whose row it is).

    Called as a row it is `call(grad, value)` (by default `apply_binary(op, grad, value)`),
    recorded under create_graph like any other row. `call` must come down to that
    apply_binary for a float32 or float64 gradient and a value that is a tensor of the
    gradient's dtype or a Python number, as the operators do (ops/pointwise.py). Then,
    when nothing is recorded, the engine runs the row on the arrays themselves (`on_arrays`,
    below): `op.ufunc(grad, value)`, what that call computes, without the tensors made and
    unpacked around it. tests/autograd/test_apply_rows.py checks that both ways give the
    same bits for every op with such rows."""

    __slots__ = ("call", "op", "saved")

    def __init__(self, op: Any = None, saved: int = 0, call: Callable | None = None) -> None:
        self.op = op
        self.saved = saved  # which of the saved values (ctx.saved_tensors) the op takes
        self.call = call

    def bound_to(self, op: type[Op]) -> Apply:
        return self if self.op is not None else Apply(op, self.saved, self.call)

    def __call__(self, ctx: Any, grad: Tensor, *saved: Any) -> Tensor:
        value = saved[self.saved]
        return apply_binary(self.op, grad, value) if self.call is None else self.call(grad, value)


def backward_on_arrays(ctx: Node, grad: Tensor) -> Any:
    """ctx's backward, made from its Apply and GRAD rows, run on arrays: the same results
    as the backward made from its rows when nothing is recorded. None (run the rows as
    tensors) where a needed row is neither, the dtypes differ from the float32 or float64
    case the rows' calls come down to, a saved tensor has changed since (the tensor path
    raises PyTorch's error), or the graph has been freed."""
    g = grad._data
    dt = g.dtype
    if (dt is not _F32 and dt is not _F64) or ctx._released:
        return None
    rows = ctx.op.derivatives
    if len(rows) == 1:  # (one operand, written out: the commonest)
        row = rows[0]
        return grad if row is GRAD else _row_on_arrays(row, ctx._saved, g, dt)
    results: list[Tensor | None] = []
    for row, (fn, _) in zip(rows, ctx.next_functions):
        if fn is None:
            results.append(None)
        elif row is GRAD:
            results.append(grad)
        else:
            result = _row_on_arrays(row, ctx._saved, g, dt)
            if result is None:
                return None
            results.append(result)
    return tuple(results)


def _row_on_arrays(row: Any, saved: Any, g: np.ndarray, dt: np.dtype) -> Tensor | None:
    """An Apply row on the gradient's array g: op.ufunc(g, the saved value), the value
    unpacked as saved_tensors would give it, as an array of dtype dt or a Python number;
    None for any other row or value, or a tensor changed since it was saved."""
    if row.__class__ is not Apply or row.saved >= len(saved):
        return None
    entry = saved[row.saved]
    kind = entry[0]
    if kind == INPUT:
        t = entry[1]
        counter = t._version_counter
        if (0 if counter is None else counter[0]) != entry[2]:
            return None
        value = t._data
        if value.dtype is not dt:
            return None
    elif kind == OUTPUT:
        value = entry[1]
        if entry[2][0] != entry[3] or value.dtype is not dt:
            return None
    else:
        value = entry[1]
        c = value.__class__
        if c is _ndarray:
            if value.dtype is not dt:
                return None
        elif c is not float and c is not int:
            return None
    try:
        out = row.op.ufunc(g, value)
    except ValueError:  # shapes that do not broadcast: the tensor path raises
        return None
    result = _new(Tensor)
    result._data = out if out.__class__ is _ndarray else np.asarray(out)
    return result


def ZERO(ctx: Any, grad: Tensor, *saved: Any) -> Tensor:
    """The derivative row of a piecewise-constant op (floor, sign, round, fill...): zeros of
    the gradient's shape, as PyTorch's zeros_like(grad), and not grad * 0, which is NaN
    where the gradient is infinite."""
    return grad.new_zeros(grad.shape)


# backward made from `derivatives`: each row is called as row(ctx, grad, *saved), only for
# an operand that needs a gradient. The commonest shapes are written out (a call with
# *args costs more than one with its arguments listed; GRAD is not called at all).
def _backward_one(ctx: Node, grad: Tensor) -> Any:
    (row,) = ctx.op.derivatives
    if row is GRAD:
        return grad
    saved = ctx.saved_tensors if ctx._saved or ctx._released else ()
    return row(ctx, grad, saved[0]) if len(saved) == 1 else row(ctx, grad, *saved)


def _backward_two(ctx: Node, grad: Tensor) -> tuple:
    saved = ctx.saved_tensors if ctx._saved or ctx._released else ()
    da, db = ctx.op.derivatives
    (fa, _), (fb, _) = ctx.next_functions
    if len(saved) == 2:
        a, b = saved
        return (
            None if fa is None else grad if da is GRAD else da(ctx, grad, a, b),
            None if fb is None else grad if db is GRAD else db(ctx, grad, a, b),
        )
    return (
        None if fa is None else grad if da is GRAD else da(ctx, grad, *saved),
        None if fb is None else grad if db is GRAD else db(ctx, grad, *saved),
    )


def _backward_rows(ctx: Node, grad: Tensor) -> tuple:
    saved = ctx.saved_tensors if ctx._saved or ctx._released else ()
    return tuple(
        [
            row(ctx, grad, *saved) if fn is not None else None
            for row, (fn, _) in zip(ctx.op.derivatives, ctx.next_functions)
        ]
    )


_FROM_DERIVATIVES = (Op.backward, _backward_one, _backward_two, _backward_rows)


def _as_array(out: Any) -> np.ndarray:
    return out if type(out) is _ndarray else np.asarray(out)


def _recorded_output(node: Node, out: Any) -> np.ndarray:
    """forward's result as an array, for a node that is recorded.

    NumPy gives a ufunc's 0-d result as a NumPy scalar. Where forward saved that scalar
    for backward, the array made of it takes its place, so that it unpacks as this node's
    output (a tensor whose grad_fn is the node, through which double backward
    differentiates) as an n-d result does, and not as a constant scalar.
    """
    if out.__class__ is _ndarray:
        return out
    array = np.asarray(out)
    to_save = node._to_save
    if to_save:
        node._to_save = tuple(array if v is out else v for v in to_save)
    return array


def _outputs(node: Node, out: tuple) -> tuple[Tensor, ...]:
    """The outputs of a recorded multi-output op: the float ones not marked
    non-differentiable take node as their grad_fn."""
    no_grad_outputs = node._non_differentiable
    outputs = []
    for i, o in enumerate(out):
        o = _recorded_output(node, o)
        differentiable = o.dtype.kind in "fc" and not any(o is n for n in no_grad_outputs)
        t = _wrap(o, differentiable)
        if differentiable:
            t.grad_fn = node
            t._output_nr = i
        outputs.append(t)
    node._output_meta = [(o._data.shape, o._data.dtype) for o in outputs]
    node._num_outputs = len(outputs)
    return tuple(outputs)


def apply(op: type[Op], args: tuple, kwargs: dict[str, Any], node_name: str | None = None) -> Any:
    """Run op.forward on the arrays inside args; record a Node when gradients are needed.
    node_name, where given, is the grad_fn name for this call (RsubBackward1 for Sub with
    its operands swapped, ...)."""
    try:
        return _apply(op, args, kwargs, node_name)
    except (MemoryError, ValueError) as e:  # NumPy could not allocate: as PyTorch
        error = translated(e)
        if error is None:
            raise
        raise error from e


def _apply(op: type[Op], args: tuple, kwargs: dict[str, Any], node_name: str | None) -> Any:
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
    result: Any
    if special:  # complex, bfloat16 or complex32 operands (ops/dtype_dispatch.py)
        op, narrow, kwargs = _dispatch.adapt(op, arrays, kwargs)
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

    node = _new(op._node_cls if node_name is None else node_class(node_name, op))
    out = op.forward(node, *arrays, **kwargs)
    if narrow is not None:
        out = _dispatch.finish(op, arrays, out, narrow)
    record(node, args)
    if type(out) is tuple:
        result = _outputs(node, out)
        if node._to_save:
            # Saved outputs unpack as outputs of this node (so double backward sees them).
            resolve_saved(node, args, arrays, tuple(o._data for o in result), result)
    else:
        result = _new(Tensor)
        result._data = out = _recorded_output(node, out)
        result._requires_grad = True
        result.grad_fn = node
        if node._to_save:
            resolve_saved(node, args, arrays, out, result)
    if op.is_view:
        _mark_view(result, args[0], op, kwargs)
    return result


def apply_unary(
    op: type[Op], a: Tensor, kwargs: dict[str, Any] = _NO_KWARGS, node_name: str | None = None
) -> Tensor:
    """apply() for one tensor operand, one output and no view (exp, neg, pow with a number
    exponent, ...): the hot path, recording exactly what apply() records."""
    try:
        data = a._data
        dt = data.dtype
        if dt is not _F32 and dt is not _F64 and _special(dt):
            return apply(op, (a,), kwargs, node_name)
        if not (a._requires_grad and _grad_state.enabled):
            ufunc = op.ufunc
            if ufunc is not None and not kwargs and data.dtype.kind == "f":
                out = ufunc(data)
            else:
                out = op.forward(NULL_CTX, data, **kwargs) if kwargs else op.forward(NULL_CTX, data)
            result = _new(Tensor)
            result._data = out if out.__class__ is _ndarray else np.asarray(out)
            return result
        node = _new(op._node_cls if node_name is None else node_class(node_name, op))
        direct_ufunc = op.ufunc if op.direct else None
        if direct_ufunc is not None and not kwargs and data.dtype.kind == "f":
            # forward's own two steps (Op.direct), without calling it: ufunc, then the saving.
            out = direct_ufunc(data)
            if out.__class__ is not _ndarray:
                out = np.asarray(out)  # a 0-d operand gives a NumPy scalar
            record_one(node, a)
            result = _new(Tensor)
            result._data = out
            result._requires_grad = True
            result.grad_fn = node
            saves = op.saves
            if saves == "output":
                own = result._version_counter = [0]
                node._saved = ((OUTPUT, out, own, 0, 0),)
            elif saves == "input":
                seen = a._version_counter
                node._saved = ((INPUT, a, 0 if seen is None else seen[0]),)
            return result
        # (a call without **kwargs when there are none: one with them costs more)
        out = op.forward(node, data, **kwargs) if kwargs else op.forward(node, data)
        record_one(node, a)
        if out.__class__ is not _ndarray:
            out = _recorded_output(node, out)
        result = _new(Tensor)
        result._data = out
        result._requires_grad = True
        result.grad_fn = node
        to_save = node._to_save
        if to_save:
            if len(to_save) == 1 and to_save[0] is data:  # the input alone (pow, sin, log, ...)
                counter = a._version_counter
                node._saved = ((INPUT, a, 0 if counter is None else counter[0]),)
                node._to_save = ()
            elif len(to_save) == 1 and to_save[0] is out:  # the output alone (exp, tanh, ...)
                counter = result._version_counter = [0]
                node._saved = ((OUTPUT, out, counter, 0, 0),)
                node._to_save = ()
            else:
                resolve_saved(node, (a,), (data,), out, result)
        return result
    except (MemoryError, ValueError) as e:  # NumPy could not allocate: as PyTorch
        error = translated(e)
        if error is None:
            raise
        raise error from e


def apply_binary(
    op: type[Op],
    a: Tensor,
    b: Tensor | float | int | bool,
    kwargs: dict[str, Any] = _NO_KWARGS,
    node_name: str | None = None,
) -> Tensor:
    """apply() for two operands, the first a tensor, the second a tensor or a Python number,
    one output and no view (a * b, a + 1.0, ...): the hot path, recording exactly what
    apply() records."""
    try:
        a_data = a._data
        b_data: Any
        if b.__class__ is Tensor or isinstance(b, Tensor):
            b_data = b._data
            b_grad = b._requires_grad
            dt = b_data.dtype
            if dt is not _F32 and dt is not _F64 and _special(dt):
                return apply(op, (a, b), kwargs, node_name)
        else:
            b_data = b
            b_grad = False
        dt = a_data.dtype
        if dt is not _F32 and dt is not _F64 and _special(dt):
            return apply(op, (a, b), kwargs, node_name)
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
        node = _new(op._node_cls if node_name is None else node_class(node_name, op))
        if op.direct and not kwargs:
            done = _direct_binary(op, node, a, b, a_data, b_data)
            if done is not None:
                return done
        out = (
            op.forward(node, a_data, b_data, **kwargs)
            if kwargs
            else op.forward(node, a_data, b_data)
        )
        record_two(node, a, b)
        if out.__class__ is not _ndarray:
            out = _recorded_output(node, out)
        result = _new(Tensor)
        result._data = out
        result._requires_grad = True
        result.grad_fn = node
        if node._to_save:
            _save_two(node, a, b, a_data, b_data, b_grad, result)
        return result
    except (MemoryError, ValueError) as e:  # NumPy could not allocate: as PyTorch
        error = translated(e)
        if error is None:
            raise
        raise error from e


def _save_two(
    node: Node, a: Tensor, b: Any, a_data: np.ndarray, b_data: Any, b_grad: bool, result: Tensor
) -> None:
    """What a binary op's forward saved (node._to_save), resolved against its operands and
    output, with the commonest cases written out."""
    to_save = node._to_save
    if len(to_save) == 2 and to_save[0] is None and to_save[1] is b_data and not b_grad:
        node._saved = _saved_operands(a, b, number=True)
        node._to_save = ()
    elif len(to_save) == 2 and to_save[0] is a_data and to_save[1] is b_data:
        node._saved = _saved_operands(a, b, number=False)
        node._to_save = ()
    else:
        resolve_saved(node, (a, b), (a_data, b_data), result._data, result)


def _saved_operands(a: Tensor, b: Any, number: bool) -> tuple:
    """A binary op's saved operands, as resolve_saved would record them: with a Python
    number as b (x * 2.0), only the number (a is not needed, so a later in-place change of
    it does not invalidate the node, as in PyTorch); else both, a tensor checked against
    its version at unpack (parameters too), anything else kept as a constant."""
    if number:
        return ((CONSTANT, None), (CONSTANT, b))
    counter = a._version_counter
    saved_a = (INPUT, a, 0 if counter is None else counter[0])
    if not isinstance(b, Tensor):
        return (saved_a, (CONSTANT, b))
    counter = b._version_counter
    return (saved_a, (INPUT, b, 0 if counter is None else counter[0]))


def _direct_binary(
    op: type[Op], node: Node, a: Tensor, b: Any, a_data: np.ndarray, b_data: Any
) -> Tensor | None:
    """A direct binary op's forward (Op.direct) done here: the ufunc, the node recorded,
    the output wrapped, the operands saved where `saves` asks (only the number, where b is
    a Python number). None where forward must run instead: an array (not a tensor) as b,
    or shapes that do not broadcast (forward raises PyTorch's message)."""
    number = b_data is b
    if number and b.__class__ is _ndarray:
        return None
    ufunc: Any = op.ufunc
    try:
        out = ufunc(a_data, b_data)
    except ValueError:
        return None
    record_two(node, a, b)
    result = _new(Tensor)
    result._data = out if out.__class__ is _ndarray else np.asarray(out)
    result._requires_grad = True
    result.grad_fn = node
    if op.saves is not None:  # "operands"
        node._saved = _saved_operands(a, b, number)
    return result


def _mark_view(
    result: Any, source: Any, op: type[Op] | None = None, kwargs: dict | None = None
) -> None:
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

    def __init__(
        self, replay: Callable, shape: tuple[int, ...], kwargs: dict | None, first: _Replay | None
    ) -> None:
        self._args: tuple | None = replay, shape, kwargs, first
        self._pair: tuple[Callable, Callable] | None = None

    def __iter__(self) -> Iterator[Callable]:
        pair = self._pair
        if pair is None:
            assert self._args is not None
            replay, shape, kwargs, first = self._args
            pair = replay(shape, **kwargs)
            if first is not None:
                pair = _compose(tuple(first), pair)
            self._pair = pair
            self._args = None
        return iter(pair)


def _compose(
    first: tuple[Callable, Callable], then: tuple[Callable, Callable]
) -> tuple[Callable, Callable]:
    """The replay of a view of a view: make both in turn, undo them in reverse."""
    f0, i0 = first
    f1, i1 = then
    return (lambda t: f1(f0(t))), (lambda v: i0(i1(v)))


# Which module attached each Tensor method: one owner per name.
_METHOD_OWNERS: dict[str, str] = {}


def tensor_method(*names: str) -> Callable[[Callable], Callable]:
    """Attach the decorated function to Tensor under each name (e.g. "exp", "__neg__").
    A name may be attached once: a second owner is a mistake, and raises."""

    def register(fn: Callable) -> Callable:
        for n in names:
            owner = _METHOD_OWNERS.get(n)
            defined = n in Tensor.__dict__ and not _lazy.is_placeholder(Tensor.__dict__[n])
            if owner is not None or defined:
                raise RuntimeError(
                    f"Tensor.{n} is already defined (by {owner or 'tensor.py'}); "
                    f"{fn.__module__}.{fn.__qualname__} may not define it again"
                )
            _METHOD_OWNERS[n] = f"{fn.__module__}.{fn.__qualname__}"
            _lazy.define(n, fn)  # (a lazily loaded family's placeholder holds it until publish)
        return fn

    return register
