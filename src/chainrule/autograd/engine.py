"""The backward engine: runs the graph's Nodes from the roots back to the leaves.

`run` does it in named steps:
  _reachable          the nodes reachable from the roots, in the order they run
                      (decreasing sequence number), and the leaves' AccumulateGrad nodes;
  _run_node           one node: the op's backward on its output gradients (hooks,
                      autograd.grad's catching and missing gradients in `_incoming`,
                      checks in `_after_backward`), what it saved freed, then each
                      gradient delivered along its edge, summed where several meet;
  _accumulate_leaves  what reached each leaf added into its .grad (accumulate.py).
A node is always created after the nodes it sends gradients to, so in decreasing
sequence number every consumer of a node's outputs has run before it: the order
PyTorch's ready queue gives, without dependency counting or a queue. Here, and only
here, gradients are summed back over broadcast axes and checked against the shape
and dtype of the input they belong to (`_conform`).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable, Sequence
from operator import attrgetter
from typing import Any

import numpy as np

from .. import _arithmetic, dtypes
from .._autocast import state as _autocast
from ..ops._cascade_sum import cascade_sum
from ..tensor import Tensor
from . import anomaly_mode
from .accumulate import accumulate_into
from .anomaly_mode import state as _anomaly_state
from .grad_mode import state as _grad_state
from .graph import AccumulateGrad, Edge, Node, edge_of


def _tensors(x: Any) -> list[Tensor]:
    if x is None:
        return []
    if isinstance(x, Tensor):
        return [x]
    return list(x)


def _make_root_grads(
    outputs: list[Tensor], grad_outputs: Any, create_graph: bool, is_grads_batched: bool = False
) -> list[Tensor | None]:
    grads = _tensors(grad_outputs) if grad_outputs is not None else [None] * len(outputs)
    if len(grads) != len(outputs):
        raise RuntimeError(f"got {len(outputs)} tensors and {len(grads)} gradients")
    result: list[Tensor | None] = []
    for i, (out, g) in enumerate(zip(outputs, grads)):
        if g is None:
            if not out._requires_grad:
                result.append(None)  # _root_edge raises PyTorch's error for this output
                continue
            if out._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if out._data.dtype.kind != "f":
                raise RuntimeError(
                    "grad can be implicitly created only for real scalar outputs but got "
                    f"{out.dtype}"
                )
            g = Tensor._wrap(_ones(out._data.shape, out._data.dtype))
        else:
            if not isinstance(g, Tensor):
                g = Tensor._wrap(np.asarray(g, dtype=out._data.dtype))
            if g._data.shape != out._data.shape:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{i}] has a shape of "
                    f"torch.Size({list(g._data.shape)}) and output[{i}] has a shape of "
                    f"torch.Size({list(out._data.shape)})."
                )
            if g._data.dtype != out._data.dtype or g.dtype is not out.dtype:
                g = _root_dtype(g, out, i)
            if not create_graph:
                g = g.detach()
        result.append(g)
    return result


def _root_dtype(g: Tensor, out: Tensor, i: int) -> Tensor:
    """A gradient given for an output in another dtype, cast to it as PyTorch casts it."""
    if (g._data.dtype.kind == "c") != (out._data.dtype.kind == "c"):
        raise RuntimeError(
            "For complex Tensors, both grad_output and output are required to have the same "
            f"dtype. Mismatch in dtype: grad_output[{i}] has a dtype of {g.dtype} and "
            f"output[{i}] has a dtype of {out.dtype}."
        )
    return g.to(out.dtype) if out._data.dtype.kind in "fc" else g


# Keyed by shape, dtype and whether the dtype is a narrow one (bfloat16 compares equal
# to float32).
_ONES: dict[tuple[tuple[int, ...], str, bool], np.ndarray] = {}


def _ones(shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """A fresh array of ones (copied from a cached one: much cheaper for tiny shapes)."""
    key = (shape, dtype.char, dtype.metadata is not None)  # bfloat16 compares equal to float32
    ones = _ONES.get(key)
    if ones is None:
        ones = np.ones(shape, dtype)
        if ones.size <= 64:
            _ONES[key] = ones
    return ones.copy()


def _root_edge(t: Tensor, i: int) -> Edge:
    if not t._requires_grad:
        raise RuntimeError(
            f"element {i} of tensors does not require grad and does not have a grad_fn"
        )
    return edge_of(t)


def backward(
    tensors: Any,
    grad_tensors: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs: Any = None,
) -> None:
    """Accumulate d(tensors)/d(leaves) into the leaves' .grad (or into `inputs` only)."""
    if grad_tensors is None and inputs is None and tensors.__class__ is Tensor:
        # loss.backward(): one scalar root, the gradient 1 made here.
        data = tensors._data
        fn = tensors.grad_fn
        if fn is not None and data.size == 1 and data.dtype.kind == "f":
            ones = _new(Tensor)
            ones._data = _ones(data.shape, data.dtype)
            retain = create_graph if retain_graph is None else retain_graph
            run([(fn, tensors._output_nr)], [ones], retain, create_graph)
            return
    outputs = _tensors(tensors)
    if inputs is not None:
        inputs = _tensors(inputs)
        if not inputs:
            raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    grads = _make_root_grads(outputs, grad_tensors, create_graph)
    if retain_graph is None:
        retain_graph = create_graph
    edges = [_root_edge(t, i) for i, t in enumerate(outputs)]
    if inputs is None:
        run(edges, grads, retain_graph, create_graph)
        return
    captured = run(edges, grads, retain_graph, create_graph, [edge_of(t) for t in inputs])
    assert captured is not None  # run returns the caught gradients when asked to catch
    for t, g in zip(inputs, captured):
        if g is not None:
            with t._accumulator().lock:
                accumulate_into(t, g, create_graph)


def grad(
    outputs: Any,
    inputs: Any,
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    only_inputs: bool = True,
    allow_unused: bool | None = None,
    is_grads_batched: bool = False,
    materialize_grads: bool = False,
) -> tuple[Tensor | None, ...]:
    """The gradients of outputs with respect to inputs, returned instead of accumulated."""
    outputs = _tensors(outputs)
    inputs = _tensors(inputs)
    if allow_unused is None:
        allow_unused = materialize_grads
    if materialize_grads and allow_unused is False:
        raise ValueError(
            "Expected allow_unused to be True or not passed when materialize_grads=True, "
            "but got: allow_unused=False."
        )
    grads = _make_root_grads(outputs, grad_outputs, create_graph)
    if retain_graph is None:
        retain_graph = create_graph
    edges = [_root_edge(t, i) for i, t in enumerate(outputs)]  # outputs are checked first
    for t in inputs:
        if not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    captured = run(edges, grads, retain_graph, create_graph, [edge_of(t) for t in inputs])
    assert captured is not None  # run returns the caught gradients when asked to catch
    result = []
    for i, (t, g) in enumerate(zip(inputs, captured)):
        if g is None:
            if materialize_grads:
                g = Tensor._wrap(np.zeros_like(t._data))
            elif not allow_unused:
                raise RuntimeError(_UNUSED_MESSAGE.format(i))
        result.append(g)
    return tuple(result)


_UNUSED_MESSAGE = (
    "The differentiated Tensor at index {} appears to not have been used in the graph. Set "
    "allow_unused=True if this is the desired behavior."
)


def retain_grad_hook(tensor: Tensor) -> Callable[[Tensor], None]:
    ref = weakref.ref(tensor)

    def hook(g: Tensor) -> None:
        t = ref()
        if t is not None:
            if t._grad is None:
                t._grad = g.detach().clone() if not _grad_state.enabled else g.clone()
            else:
                t._grad = t._grad + g
        return None

    # Node._add_pre_hook reads this mark to keep retain_grad's hook after the user's.
    hook._is_retain_grad = True  # type: ignore[attr-defined]
    return hook


def _needed_nodes(roots: list[Node], targets: Iterable[Node]) -> set[Node]:
    """Nodes from which some target node can be reached (the part of the graph to run)."""
    needed = set(targets)
    visited = set()
    stack = [(n, False) for n in roots]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            for nxt, _ in node.next_functions:
                if nxt is not None and nxt in needed:
                    needed.add(node)
                    break
            continue
        if node in visited:
            continue
        visited.add(node)
        stack.append((node, True))
        for nxt, _ in node.next_functions:
            if nxt is not None and nxt not in visited:
                stack.append((nxt, False))
    return needed


_sequence_nr = attrgetter("_sequence_nr")
_new = object.__new__


def run(
    root_edges: list[Edge],
    root_grads: list[Tensor | None],
    retain_graph: bool,
    create_graph: bool,
    capture: list[Edge] | None = None,
) -> list[Tensor | None] | None:
    """Run the backward pass from root_edges with root_grads. With `capture` (the edges of
    autograd.grad's inputs), return the gradient arriving at each instead of accumulating
    into leaves, running only the nodes that lead to them."""
    nodes, sinks = _reachable(root_edges)
    buffers: dict[Node, list] = {}  # the gradients each node has received, per output
    for (node, nr), g in zip(root_edges, root_grads):
        buf = buffers.get(node)
        if buf is None:
            buf = buffers[node] = [None] * node._num_outputs
        buf[nr] = g if buf[nr] is None else buf[nr] + g
    catch = None if capture is None else _Capture(capture, root_edges)
    anomaly = _anomaly_state.enabled  # read once: a thread-local costs more than a local
    previous_mode = _grad_state.enabled
    cast = _autocast.dtype
    # The backward pass is recorded under create_graph, and runs in the forward pass's
    # dtypes, not autocast's. (Thread-local writes cost: only those that change anything.)
    switch = previous_mode is not create_graph
    if switch:
        _grad_state.enabled = create_graph
    if cast is not None:
        _autocast.dtype = None
    try:
        if catch is None and not anomaly:
            _run_nodes(nodes, buffers, retain_graph)
        else:
            for node in nodes:
                _run_node(node, buffers.pop(node, None), buffers, retain_graph, catch, anomaly)
        _accumulate_leaves(sinks, buffers, create_graph, catch)
    finally:
        if switch:
            _grad_state.enabled = previous_mode
        if cast is not None:
            _autocast.dtype = cast
    return None if catch is None else catch.grads


def _reachable(root_edges: list[Edge]) -> tuple[list[Node], list[AccumulateGrad]]:
    """Every node reachable from the roots, once: the others in the order they run
    (decreasing sequence number), and the leaves' AccumulateGrad nodes."""
    nodes = []
    sinks = []
    seen = set()
    stack = []
    for node, _ in root_edges:
        if node not in seen:
            seen.add(node)
            stack.append(node)
    while stack:
        node = stack.pop()
        if type(node) is AccumulateGrad:
            sinks.append(node)
            continue
        nodes.append(node)
        for nxt, _ in node.next_functions:
            if nxt is not None and nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    if len(nodes) > 1:
        nodes.sort(key=_sequence_nr, reverse=True)
    return nodes, sinks


class _Capture:
    """autograd.grad's inputs: where their gradients are caught, and which nodes lead there."""

    def __init__(self, capture: list[Edge], root_edges: list[Edge]) -> None:
        self.grads: list[Tensor | None] = [None] * len(capture)
        self.at: dict[Node, list[tuple[int, int]]] = {}
        for i, (node, nr) in enumerate(capture):
            self.at.setdefault(node, []).append((i, nr))
        self.needed = _needed_nodes([n for n, _ in root_edges], self.at)

    def take(self, node: Node, grads: list) -> None:
        for i, nr in self.at.get(node, ()):
            self.grads[i] = grads[nr]


def _run_node(
    node: Node,
    grads: list | None,
    buffers: dict[Node, list],
    retain_graph: bool,
    catch: _Capture | None,
    anomaly: bool,
) -> None:
    """Run one node's backward on the gradients of its outputs, and deliver the results."""
    if grads is None or len(grads) > 1 or grads[0] is None or node._pre_hooks or catch:
        grads = _incoming(node, grads, retain_graph, catch)
        if grads is None:
            return
    try:
        # (one gradient, the usual case, passed without *args: such a call costs less)
        results = (
            node.op.backward(node, grads[0]) if len(grads) == 1 else node.op.backward(node, *grads)
        )
    except Exception:
        if anomaly:
            anomaly_mode.warn_forward_trace(node)
        raise
    if not retain_graph and node._saved:  # what was saved for this step is freed now
        node._saved = ()
        node._released = True  # a later unpack raises PyTorch's error
    _deliver(node, results, grads, buffers, anomaly)


def _run_nodes(nodes: list[Node], buffers: dict[Node, list], retain_graph: bool) -> None:
    """run()'s loop where nothing is caught for autograd.grad and anomaly mode is off: a
    node whose one output's gradient has arrived and that has no hooks runs inline, as
    _run_node would run it (the usual case, and all of a chain), on arrays where its op's
    rows allow it and nothing is recorded; any other node goes through _run_node."""
    pop = buffers.pop
    get = buffers.get
    on_arrays = not _grad_state.enabled  # nothing recorded: Apply rows may run on arrays
    for node in nodes:
        grads = pop(node, None)
        if grads is None or len(grads) != 1 or grads[0] is None or node._pre_hooks:
            _run_node(node, grads, buffers, retain_graph, None, False)
            continue
        fast = node.op.on_arrays if on_arrays else None
        results = None if fast is None else fast(node, grads[0])  # (ops/op.py, Apply)
        if results is None:
            results = node.op.backward(node, grads[0])
        if not retain_graph and node._saved:  # what was saved for this step is freed now
            node._saved = ()
            node._released = True
        edges = node.next_functions
        if results.__class__ is not tuple:
            results = (results,)
        if len(results) != len(edges) or node._hooks:
            _deliver(node, results, grads, buffers, False)
            continue
        # _deliver's loop, inline: each gradient along its edge, checked against its
        # input's shape and dtype, added to what arrived there before.
        meta: Any = node._input_meta  # an entry per edge that leads somewhere
        i = -1
        for nxt, nr in edges:
            i += 1
            g = results[i]
            if nxt is None or g is None:
                continue
            m = meta[i]
            data = g._data if g.__class__ is Tensor else None
            if (
                data is None
                or data.shape != m[0]
                or (data.dtype is not m[1] and data.dtype != m[1])
            ):
                g = _conform(node, g, i)
            buf = get(nxt)
            if buf is None:
                buffers[nxt] = [g] if nxt._num_outputs == 1 else _slots(nxt, nr, g)
            else:
                old = buf[nr]
                buf[nr] = g if old is None else old + g


def _deliver(
    node: Node, results: Any, grads: list, buffers: dict[Node, list], anomaly: bool
) -> None:
    """Hand each gradient node's backward returned along its edge, summed with what
    arrived there before (after the checks and hooks of _after_backward, where needed)."""
    if type(results) is not tuple:
        results = (results,)
    if len(results) != len(node.next_functions) or node._hooks or anomaly:
        results = _after_backward(node, results, grads)
    meta: Sequence[Any] = node._input_meta
    for i, (nxt, nr) in enumerate(node.next_functions):
        if nxt is None:
            continue
        g = results[i]
        if g is None:
            continue
        m = meta[i]  # (an edge that leads somewhere has its input's shape and dtype)
        # The one check every gradient passes: its input's shape and dtype.
        if (
            g.__class__ is not Tensor
            or g._data.shape != m[0]
            or (
                g._data.dtype is not m[1]
                and (g._data.dtype != m[1] or m[1].metadata is not None)  # bfloat16 == float32
            )
        ):
            g = _conform(node, g, i)
        # Added to what that output of nxt has received so far, in arrival order.
        buf = buffers.get(nxt)
        if buf is None:
            buffers[nxt] = [g] if nxt._num_outputs == 1 else _slots(nxt, nr, g)
        else:
            old = buf[nr]
            buf[nr] = g if old is None else old + g


def _incoming(
    node: Node, grads: list | None, retain_graph: bool, catch: _Capture | None
) -> list | None:
    """The gradients node's backward is to receive, past the rarer cases: none arrived
    (the node does not run, and what it saved is freed), its pre-hooks, autograd.grad
    catching the gradient here, missing gradients of a multi-output node; None where the
    node need not run."""
    if grads is None:
        if not retain_graph and node._saved:
            node._saved = ()
            node._released = True
        return None
    if node._pre_hooks:
        grads = _run_pre_hooks(node, grads)
    if catch is not None:
        if node in catch.at:
            catch.take(node, grads)
        if node not in catch.needed:
            return None
    if len(grads) > 1:
        return _materialize(node, grads)
    return None if grads[0] is None else grads


def _after_backward(node: Node, results: tuple, grads: list) -> tuple:
    """The checks of a backward's results (count, shapes, NaN under anomaly mode), then
    the node's hooks."""
    results = _validate(node, results, _anomaly_state.enabled and _anomaly_state.check_nan)
    if node._hooks:
        for hook in node._hooks:
            hook(tuple(results), tuple(grads))
    return results


def _accumulate_leaves(
    sinks: list[AccumulateGrad],
    buffers: dict[Node, list],
    create_graph: bool,
    catch: _Capture | None,
) -> None:
    """Each leaf's AccumulateGrad, last: its hooks, then its gradient into .grad (or caught
    for autograd.grad). A gradient is held here by one local only, so that .grad may take
    it without a copy (accumulate.py)."""
    for node in sinks:
        grads = buffers.pop(node, None)
        if grads is None:
            continue
        if node._pre_hooks:
            grads = _run_pre_hooks(node, grads)
        if catch is not None:
            catch.take(node, grads)
            continue
        g = grads[0]
        grads = None
        if g is not None:
            var = node._variable_ref()
            if var is not None:
                lock = node.lock  # one accumulation at a time per leaf, across threads
                lock.acquire()  # (acquire and release cost less than `with`)
                try:
                    accumulate_into(var, g, create_graph)
                finally:
                    lock.release()
            g = None


def _slots(node: Node, nr: int, g: Tensor) -> list[Tensor | None]:
    buf: list[Tensor | None] = [None] * node._num_outputs
    buf[nr] = g
    return buf


def _materialize(node: Node, grads: list) -> list | None:
    """Missing gradients of a multi-output node become zeros; None when all are missing."""
    if all(g is None for g in grads):
        return None
    if not node._materialize_grads:
        return grads
    return [
        g if g is not None or meta is None else Tensor._wrap(np.zeros(meta[0], meta[1]))
        for g, meta in zip(grads, node._output_meta)
    ]


def _run_pre_hooks(node: Node, grads: list) -> list:
    grads = list(grads)
    for output_nr, hook in list(node._pre_hooks or ()):
        if output_nr is None:
            new = hook(tuple(grads))
            if new is not None:
                grads = list(new)
        elif grads[output_nr] is not None:
            new = hook(grads[output_nr])
            if new is not None:
                grads[output_nr] = new
    return grads


def _validate(node: Node, results: tuple, check_nan: bool) -> tuple:
    """Check the number of gradients, conform each to its input, and look for NaN."""
    meta = node._input_meta
    n = len(meta)
    if len(results) != n:
        if len(results) > n:
            raise RuntimeError(
                f"function {type(node).__name__} returned an incorrect number of gradients "
                f"(expected {n}, got {len(results)})"
            )
        results = results + (None,) * (n - len(results))
    out = list(results)
    for i, g in enumerate(results):
        if g is None:
            continue
        if meta[i] is None:
            out[i] = None
            continue
        g = _conform(node, g, i)
        if check_nan and np.isnan(g._data).any():
            anomaly_mode.warn_forward_trace(node)
            raise RuntimeError(
                f"Function '{type(node).__name__}' returned nan values in its {i}th output."
            )
        out[i] = g
    return tuple(out)


def _conform(node: Node, g: Any, i: int) -> Tensor:
    """Sum a gradient over broadcast axes to its input's shape and cast it to its dtype."""
    if not isinstance(g, Tensor):
        raise TypeError(
            f"function {type(node).__name__} returned a gradient of type "
            f"{type(g).__name__} at index {i}; expected a Tensor"
        )
    meta = node._input_meta[i]
    assert meta is not None  # only gradients for inputs that need one are conformed
    shape, dtype = meta
    if g._data.shape != shape:
        g = _sum_to(g, shape, node, i)
    if g._data.dtype != dtype or g._data.dtype.metadata != dtype.metadata:
        g = _cast_gradient(g, dtype)
    return g


def _cast_gradient(g: Tensor, np_dtype: np.dtype) -> Tensor:
    """A gradient in its input's dtype; a complex gradient of a real input is its real
    part, as in PyTorch (the input entered a complex computation as the real axis)."""
    target = _dtype_of(np_dtype)
    if g._data.dtype.kind == "c" and not target.is_complex:
        g = g.real
    return g if g.dtype is target else g.to(target)


def _dtype_of(np_dtype: np.dtype) -> dtypes.dtype:
    return dtypes.from_numpy_dtype(np_dtype)


def _sum_to(g: Tensor, shape: tuple[int, ...], node: Node, index: int) -> Tensor:
    gshape = g._data.shape
    lead = len(gshape) - len(shape)
    ok = lead >= 0 and all(s == 1 or s == gs for s, gs in zip(shape, gshape[lead:]))
    if not ok:
        raise RuntimeError(
            f"Function {type(node).__name__} returned an invalid gradient at index {index} - "
            f"got {list(gshape)} but expected shape compatible with {list(shape)}"
        )
    data = g._data
    if _grad_state.enabled or data.dtype.kind != "f":
        return g.sum_to_size(shape)  # create_graph: recorded, so it can be differentiated
    # Nothing is recorded: sum_to_size's own sum (np.add.reduce, or cascade_sum under the
    # PyTorch arithmetic switch, over the same axes, so the same numbers), without the op's
    # bookkeeping. Summing only leading axes away, with no keepdims, gives an array of its
    # own, which .grad can then keep without a copy.
    dims = tuple(lead + i for i, s in enumerate(shape) if s == 1 and gshape[lead + i] != 1)
    if _arithmetic.pytorch_order:
        if dims:
            data = cascade_sum(data, tuple(range(lead)) + dims, keepdims=True)
            return Tensor._wrap(data.reshape(shape) if lead else data)
        return Tensor._wrap(cascade_sum(data, tuple(range(lead)))) if lead else g
    # (np.sum's reduction without its Python wrapper, whose inf - inf warning would be
    # NumPy's to show: ops/reduction.py)
    if dims:
        data = np.add.reduce(data, axis=tuple(range(lead)) + dims, keepdims=True)
        return Tensor._wrap(data.reshape(shape) if lead else data)
    return Tensor._wrap(np.add.reduce(data, axis=tuple(range(lead)))) if lead else g
