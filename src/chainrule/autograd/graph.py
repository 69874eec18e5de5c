"""The recorded graph: Nodes (grad_fn objects), their edges, saved tensors and hooks.

A Node is created by an op when any input requires grad. Its class is named as
PyTorch names it (MulBackward0, ...). `next_functions` holds one edge per
positional input: (node, output_nr) or (None, 0). Leaves that require grad are
reached through their AccumulateGrad node, which writes into `.grad`.

`edge_of` and `record` (with `record_one` and `record_two`, its forms for one and
two operands) are the only places where a node joins the graph: every op's apply
path (ops/op.py) and every user Function (function.py) call them.
"""

from __future__ import annotations

import itertools
import threading
import weakref
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import anomaly_mode

# An edge of the graph: the node a gradient goes to and which of its outputs it is for;
# a node's next_functions hold one per operand, (None, 0) where no gradient is wanted.
Edge = tuple["Node", int]
NextEdge = tuple["Node | None", int]
# What a node knows of each operand that needs a gradient: its shape and dtype.
InputMeta = tuple[tuple[int, ...], np.dtype] | None

_sequence = itertools.count()
_new = object.__new__
_anomaly_state = anomaly_mode.state
_NO_EDGE: NextEdge = (None, 0)

FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward."
)

# name() of a node PyTorch writes by hand rather than from its derivative table carries its
# C++ namespace (AccumulateGrad's, below, too): an in-place write through a view, and the
# node of an op without a derivative.
_QUALIFIED_NAMES = {
    "CopySlices": "torch::autograd::CopySlices",
    "NotImplemented": "torch::autograd::NotImplemented",
}


class Node:
    """A step of the backward pass; also the `ctx` an op's forward and backward receive."""

    # Filled in per op by node_class(): the op whose backward this node runs (an Op
    # subclass, or a user Function's adapter).
    op: Any = None
    # Defaults live on the class so that making a node in the forward pass costs
    # one allocation; an instance only stores what differs.
    next_functions: tuple[NextEdge, ...] = ()
    _saved: Sequence[tuple] = ()
    _to_save: tuple = ()
    _pre_hooks: list[tuple[int | None, Callable]] | None = None
    _hooks: list[Callable] | None = None
    _released = False
    _materialize_grads = True
    _non_differentiable: tuple = ()
    _anomaly_trace: str | None = None
    _num_outputs = 1
    # Set by record (graph.record) when the node joins the graph, and, for nodes with
    # several outputs, when the outputs are made.
    _sequence_nr: int
    _input_meta: Sequence[InputMeta]
    _output_meta: list[InputMeta]

    # -- the ctx interface used by ops -------------------------------------------------
    def save_for_backward(self, *values: Any) -> None:
        self._to_save = values

    @property
    def needs_input_grad(self) -> tuple[bool, ...]:
        """For each operand, whether a gradient is wanted for it (its edge leads somewhere)."""
        edges = self.next_functions
        if len(edges) == 2:  # the commonest, without a comprehension
            return (edges[0][0] is not None, edges[1][0] is not None)
        return tuple([fn is not None for fn, _ in edges])

    @property
    def saved_tensors(self) -> list[Any]:
        if self._released:
            raise RuntimeError(FREED_MESSAGE)
        out: list[Any] = []
        for entry in self._saved:
            kind = entry[0]
            if kind == INPUT:  # the common cases inline: an unchanged input tensor,
                t = entry[1]
                counter = t._version_counter
                if (0 if counter is None else counter[0]) == entry[2]:
                    out.append(t)
                    continue
            elif kind == CONSTANT and entry[1].__class__ is not np.ndarray:
                out.append(entry[1])  # or a Python number
                continue
            elif kind == OUTPUT and entry[2][0] == entry[3]:  # or an unchanged output
                t = _new(Tensor)
                t._data = entry[1]
                t._requires_grad = True
                t.grad_fn = self
                t._output_nr = entry[4]
                t._version_counter = entry[2]
                out.append(t)
                continue
            out.append(unpack_saved(self, entry))
        return out

    def mark_non_differentiable(self, *outputs: Any) -> None:
        self._non_differentiable = outputs

    def set_materialize_grads(self, value: bool) -> None:
        self._materialize_grads = bool(value)

    # -- what PyTorch shows of a grad_fn -------------------------------------------------
    def name(self) -> str:
        name = type(self).__name__
        return _QUALIFIED_NAMES.get(name, name)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object at {hex(id(self))}>"

    @property
    def metadata(self) -> dict:
        md: dict | None = self.__dict__.get("_metadata")
        if md is None:
            md = {}
            self.__dict__["_metadata"] = md
        return md

    def register_hook(self, fn: Callable) -> _RemovableHandle:
        """fn(grad_inputs, grad_outputs) runs after this node's backward."""
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(fn)
        return _RemovableHandle(self._hooks, fn)

    def register_prehook(self, fn: Callable) -> _RemovableHandle:
        """fn(grad_outputs) runs before this node's backward and may replace them."""
        return self._add_pre_hook(None, fn)

    def _add_pre_hook(self, output_nr: int | None, fn: Callable) -> _RemovableHandle:
        if self._pre_hooks is None:
            self._pre_hooks = []
        entry = (output_nr, fn)
        hooks = self._pre_hooks
        # As PyTorch: retain_grad() keeps the gradient after all of the tensor's hooks
        # have run, whenever it was called, so a later hook goes before it.
        for i, (nr, h) in enumerate(hooks):
            if nr is not None and nr == output_nr and getattr(h, "_is_retain_grad", False):
                hooks.insert(i, entry)
                break
        else:
            hooks.append(entry)
        return _RemovableHandle(hooks, entry)


class AccumulateGrad(Node):
    """The sink for a leaf tensor: adds the incoming gradient to `variable.grad`.

    `lock` makes each accumulation atomic: two threads running backward into the same
    leaf would otherwise both find .grad empty, or add into it at once (NumPy lets go of
    the interpreter lock inside np.add), and lose updates. A leaf has one accumulator,
    so one lock (Tensor._accumulator makes it once)."""

    def __init__(self, variable: Tensor) -> None:
        self._variable_ref = weakref.ref(variable)
        self._sequence_nr = -1  # PyTorch runs accumulation as soon as it is ready
        self.lock = threading.Lock()

    @property
    def variable(self) -> Tensor | None:
        return self._variable_ref()

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"  # what PyTorch's name() returns for it


class _RemovableHandle:
    def __init__(self, container: list, entry: Any) -> None:
        self._container = container
        self._entry = entry

    def remove(self) -> None:
        try:
            self._container.remove(self._entry)
        except ValueError:
            pass

    def __enter__(self) -> _RemovableHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


# Saved values are stored as small tuples, resolved from the arrays an op's
# forward passed to save_for_backward:
#   (INPUT, tensor, version)          an input tensor, checked against its version
#   (OUTPUT, array, counter, version) an output; unpacks to a tensor whose grad_fn is the node
#   (CONSTANT, value)                 anything else (masks, indices, shapes)
INPUT, OUTPUT, CONSTANT = 0, 1, 2


def resolve_saved(
    node: Node,
    inputs: Sequence[Any],
    arrays: Sequence[Any],
    output_array: np.ndarray | tuple | None,
    output_tensor: Tensor | tuple[Tensor, ...] | None,
) -> None:
    """Turn the arrays forward passed to save_for_backward into saved entries. A
    multi-output op passes its output arrays and tensors as tuples: a saved output then
    unpacks as the output it is."""
    saved: list[tuple] = []
    n = len(arrays)
    for value in node._to_save:
        if value.__class__ is not np.ndarray:
            if isinstance(value, np.generic):
                # A NumPy scalar (a 0-d intermediate) unpacks as a 0-dim tensor, as the
                # same value of any other shape would, not as a scalar without tensor methods.
                value = np.asarray(value)
            saved.append((CONSTANT, value))
            continue
        for i in range(n):
            if arrays[i] is value:
                t = inputs[i]
                counter = t._version_counter
                saved.append((INPUT, t, 0 if counter is None else counter[0]))
                break
        else:
            if isinstance(output_tensor, tuple):  # a multi-output op: find which output
                assert isinstance(output_array, tuple)
                saved.append(_saved_output(node, value, output_array, output_tensor))
            elif value is output_array and output_tensor is not None:
                counter = output_tensor._shared_version_counter()
                saved.append((OUTPUT, value, counter, counter[0], output_tensor._output_nr))
            else:
                saved.append((CONSTANT, value))
    node._to_save = ()
    node._saved = saved


def _saved_output(
    node: Node, value: np.ndarray, arrays: tuple, tensors: tuple[Tensor, ...]
) -> tuple:
    """The saved entry of one of a multi-output op's outputs (it unpacks as that output)."""
    for nr, (array, t) in enumerate(zip(arrays, tensors)):
        if value is array and t.grad_fn is node:
            counter = t._shared_version_counter()
            return (OUTPUT, value, counter, counter[0], nr)
    return (CONSTANT, value)  # a non-differentiable output (indices), or none of them


def unpack_saved(node: Node, entry: tuple) -> Any:
    kind = entry[0]
    if kind == INPUT:
        t = entry[1]
        if t._version != entry[2]:
            raise version_error(t, entry[2], node)
        return t
    if kind == OUTPUT:
        _, array, counter, version, output_nr = entry
        if counter[0] != version:
            changed = Tensor._wrap(array)
            changed.grad_fn = node
            changed._output_nr = output_nr
            raise version_error(changed, version, node, current=counter[0])
        out = Tensor._wrap(array, True)
        out.grad_fn = node
        out._output_nr = output_nr
        out._version_counter = counter
        return out
    value = entry[1]
    if type(value) is np.ndarray:
        return Tensor._wrap(value)
    return value  # None, a Python number, or a tensor an op saved explicitly


def edge_of(t: Tensor) -> Edge:
    """Where a gradient for tensor t goes: the node that made it and which of that node's
    outputs t is, or, for a leaf, its AccumulateGrad node."""
    fn = t.grad_fn
    if fn is not None:
        return (fn, t._output_nr)
    acc = t._acc
    return (acc if acc is not None else t._accumulator(), 0)


def record(node: Node, inputs: Sequence[Any]) -> None:
    """Make node the graph step that consumed `inputs` (tensors, or numbers standing for
    tensors): one edge per input (none for those that need no gradient), each input's
    shape and dtype for the engine to check gradients against, and its sequence number,
    which orders the backward pass. Under anomaly mode, also where in the program it ran.
    record_one and record_two are the same for the commonest calls (the hot paths call
    them directly)."""
    n = len(inputs)
    if n == 2:
        record_two(node, inputs[0], inputs[1])
        return
    if n == 1 and isinstance(inputs[0], Tensor) and inputs[0]._requires_grad:
        record_one(node, inputs[0])
        return
    edges: list[NextEdge] = []
    meta: list[InputMeta] = []
    for t in inputs:
        if (t.__class__ is Tensor or isinstance(t, Tensor)) and t._requires_grad:
            edges.append(edge_of(t))
            data = t._data
            meta.append((data.shape, data.dtype))
        else:
            edges.append(_NO_EDGE)
            meta.append(None)
    node.next_functions = tuple(edges)
    node._input_meta = meta
    node._sequence_nr = next(_sequence)
    if anomaly_mode.used and _anomaly_state.enabled:
        anomaly_mode.record_forward_trace(node)


def record_one(node: Node, a: Tensor) -> None:
    """record() for one operand, a tensor that requires grad (edge_of written out: a call
    costs more than its body)."""
    fa = a.grad_fn
    node.next_functions = (
        (fa, a._output_nr) if fa is not None else (a._acc or a._accumulator(), 0),
    )
    data = a._data
    node._input_meta = ((data.shape, data.dtype),)
    node._sequence_nr = next(_sequence)
    if anomaly_mode.used and _anomaly_state.enabled:
        anomaly_mode.record_forward_trace(node)


def record_two(node: Node, a: Any, b: Any) -> None:
    """record() for two operands, tensors or numbers, at least one a tensor that requires
    grad (edge_of written out)."""
    a_in = (a.__class__ is Tensor or isinstance(a, Tensor)) and a._requires_grad
    b_in = (b.__class__ is Tensor or isinstance(b, Tensor)) and b._requires_grad
    if a_in:
        fa = a.grad_fn
        edge_a = (fa, a._output_nr) if fa is not None else (a._acc or a._accumulator(), 0)
        data = a._data
        meta_a: InputMeta = (data.shape, data.dtype)
    else:
        edge_a, meta_a = _NO_EDGE, None
    if b_in:
        fb = b.grad_fn
        edge_b = (fb, b._output_nr) if fb is not None else (b._acc or b._accumulator(), 0)
        data = b._data
        meta_b: InputMeta = (data.shape, data.dtype)
    else:
        edge_b, meta_b = _NO_EDGE, None
    node.next_functions = (edge_a, edge_b)
    node._input_meta = (meta_a, meta_b)
    node._sequence_nr = next(_sequence)
    if anomaly_mode.used and _anomaly_state.enabled:
        anomaly_mode.record_forward_trace(node)


def node_class(name: str, op: Any) -> type[Node]:
    """The grad_fn class for `op` named `name`, made once and cached on the op."""
    cache = op.__dict__.get("_node_classes")
    if cache is None:
        cache = {}
        op._node_classes = cache
    cls = cache.get(name)
    if cls is None:
        cls = type(name, (Node,), {"op": op, "__module__": "chainrule.autograd.graph"})
        cache[name] = cls
    return cls


from ..tensor import Tensor, version_error  # noqa: E402  (a cycle: tensor.py -> engine -> here)
