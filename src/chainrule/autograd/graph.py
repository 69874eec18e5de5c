"""The recorded graph: Nodes (grad_fn objects), their edges, saved tensors and hooks.

A Node is created by an op when any input requires grad. Its class is named as
PyTorch names it (MulBackward0, ...). `next_functions` holds one edge per
positional input: (node, output_nr) or (None, 0). Leaves that require grad are
reached through their AccumulateGrad node, which writes into `.grad`.
"""

from __future__ import annotations

import itertools
import weakref

import numpy as np

_sequence = itertools.count()

FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward."
)


class Node:
    """A step of the backward pass; also the `ctx` an op's forward and backward receive."""

    # Filled in per op by node_class(): the op whose backward this node runs.
    op = None
    # Defaults live on the class so that making a node in the forward pass costs
    # one allocation; an instance only stores what differs.
    next_functions = ()
    _saved = ()
    _to_save = ()
    _pre_hooks = None
    _hooks = None
    _released = False
    _materialize_grads = True
    _non_differentiable = ()
    _anomaly_trace = None
    _num_outputs = 1

    # -- the ctx interface used by ops -------------------------------------------------
    def save_for_backward(self, *values):
        self._to_save = values

    @property
    def saved_tensors(self):
        if self._released:
            raise RuntimeError(FREED_MESSAGE)
        out = []
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
            out.append(unpack_saved(self, entry))
        return out

    def mark_non_differentiable(self, *outputs):
        self._non_differentiable = outputs

    def set_materialize_grads(self, value):
        self._materialize_grads = bool(value)

    # -- what PyTorch shows of a grad_fn -------------------------------------------------
    def name(self):
        return type(self).__name__

    def __repr__(self):
        return f"<{type(self).__name__} object at {hex(id(self))}>"

    @property
    def metadata(self):
        md = self.__dict__.get("_metadata")
        if md is None:
            md = self._metadata = {}
        return md

    def register_hook(self, fn):
        """fn(grad_inputs, grad_outputs) runs after this node's backward."""
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(fn)
        return _RemovableHandle(self._hooks, fn)

    def register_prehook(self, fn):
        """fn(grad_outputs) runs before this node's backward and may replace them."""
        return self._add_pre_hook(None, fn)

    def _add_pre_hook(self, output_nr, fn):
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

    def _release(self):
        if self._saved:
            self._saved = ()
            self._released = True


class AccumulateGrad(Node):
    """The sink for a leaf tensor: adds the incoming gradient to `variable.grad`."""

    def __init__(self, variable):
        self._variable_ref = weakref.ref(variable)
        self._sequence_nr = -1  # PyTorch runs accumulation as soon as it is ready

    @property
    def variable(self):
        return self._variable_ref()

    def name(self):
        return "torch::autograd::AccumulateGrad"  # what PyTorch's name() returns for it


class _RemovableHandle:
    def __init__(self, container, entry):
        self._container = container
        self._entry = entry

    def remove(self):
        try:
            self._container.remove(self._entry)
        except ValueError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


# Saved values are stored as small tuples, resolved from the arrays an op's
# forward passed to save_for_backward:
#   (INPUT, tensor, version)          an input tensor, checked against its version
#   (OUTPUT, array, counter, version) an output; unpacks to a tensor whose grad_fn is the node
#   (CONSTANT, value)                 anything else (masks, indices, shapes)
INPUT, OUTPUT, CONSTANT = 0, 1, 2


def resolve_saved(node, inputs, arrays, output_array, output_tensor):
    """Turn the arrays forward passed to save_for_backward into saved entries."""
    saved = []
    n = len(arrays)
    for value in node._to_save:
        if value.__class__ is not np.ndarray:
            saved.append((CONSTANT, value))
            continue
        for i in range(n):
            if arrays[i] is value:
                t = inputs[i]
                counter = t._version_counter
                saved.append((INPUT, t, 0 if counter is None else counter[0]))
                break
        else:
            if value is output_array and output_tensor is not None:
                counter = output_tensor._shared_version_counter()
                saved.append((OUTPUT, value, counter, counter[0], output_tensor._output_nr))
            elif output_array.__class__ is tuple:  # a multi-output op: find which output
                saved.append(_saved_output(node, value, output_array, output_tensor))
            else:
                saved.append((CONSTANT, value))
    node._to_save = ()
    node._saved = saved


def _saved_output(node, value, arrays, tensors):
    for nr, (array, t) in enumerate(zip(arrays, tensors)):
        if value is array and t.grad_fn is node:
            counter = t._shared_version_counter()
            return (OUTPUT, value, counter, counter[0], nr)
    return (CONSTANT, value)  # a non-differentiable output (indices), or none of them


def unpack_saved(node, entry):
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


def node_class(name, op):
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


def next_sequence_nr():
    return next(_sequence)


from ..tensor import Tensor, version_error  # noqa: E402  (tensor.py imports this package)
