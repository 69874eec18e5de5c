"""The backward engine: walks Nodes in reverse topological order, iteratively.

One pass counts, for every node reachable from the roots, how many edges lead
into it. Nodes then run when all their incoming gradients have arrived, the
most recently created first (a heap on the sequence number, as PyTorch orders
its ready queue, so sums happen in the same order). Here, and only here,
gradients are summed back over broadcast axes and checked against the shape
and dtype of the input they belong to.
"""

from __future__ import annotations

import heapq

import numpy as np

from ..tensor import Tensor
from . import anomaly_mode
from .grad_mode import state as _grad_state
from .graph import AccumulateGrad


def _tensors(x):
    if x is None:
        return []
    if isinstance(x, Tensor):
        return [x]
    return list(x)


def _make_root_grads(outputs, grad_outputs, create_graph, is_grads_batched=False):
    grads = _tensors(grad_outputs) if grad_outputs is not None else [None] * len(outputs)
    if len(grads) != len(outputs):
        raise RuntimeError(
            f"grad can be implicitly created only for scalar outputs"
            if not grads
            else f"Mismatch in number of gradients: got {len(grads)} gradients for "
            f"{len(outputs)} outputs"
        )
    result = []
    for i, (out, g) in enumerate(zip(outputs, grads)):
        if g is None:
            if out._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if out._data.dtype.kind != "f":
                raise RuntimeError(
                    "grad can be implicitly created only for real scalar outputs but got "
                    f"{out.dtype}"
                )
            g = Tensor._wrap(np.ones_like(out._data))
        else:
            if not isinstance(g, Tensor):
                g = Tensor._wrap(np.asarray(g, dtype=out._data.dtype))
            if g._data.shape != out._data.shape:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{i}] has a shape of "
                    f"torch.Size({list(g._data.shape)}) and output[{i}] has a shape of "
                    f"torch.Size({list(out._data.shape)})."
                )
            if not create_graph:
                g = g.detach()
        result.append(g)
    return result


def _root_edge(t, i):
    if not t._requires_grad:
        raise RuntimeError(
            f"element {i} of tensors does not require grad and does not have a grad_fn"
        )
    if t.grad_fn is not None:
        return (t.grad_fn, t._output_nr)
    return (t._accumulator(), 0)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate d(tensors)/d(leaves) into the leaves' .grad (or into `inputs` only)."""
    outputs = _tensors(tensors)
    if inputs is not None:
        inputs = _tensors(inputs)
        if not inputs:
            raise RuntimeError("'inputs' argument to backward() cannot be empty.")
    grads = _make_root_grads(outputs, grad_tensors, create_graph)
    if retain_graph is None:
        retain_graph = create_graph
    edges = [_root_edge(t, i) for i, t in enumerate(outputs)]
    if inputs is None:
        run(edges, grads, retain_graph, create_graph)
        return
    captured = run(edges, grads, retain_graph, create_graph, [_input_edge(t) for t in inputs])
    for t, g in zip(inputs, captured):
        if g is not None:
            _accumulate_into(t, g, create_graph)


def grad(
    outputs,
    inputs,
    grad_outputs=None,
    retain_graph=None,
    create_graph=False,
    only_inputs=True,
    allow_unused=None,
    is_grads_batched=False,
    materialize_grads=False,
):
    """The gradients of outputs with respect to inputs, returned instead of accumulated."""
    single = isinstance(inputs, Tensor)
    outputs = _tensors(outputs)
    inputs = _tensors(inputs)
    if allow_unused is None:
        allow_unused = materialize_grads
    if materialize_grads and allow_unused is False:
        raise ValueError(
            "Expected allow_unused to be True or not passed when materialize_grads=True, "
            "but got: allow_unused=False."
        )
    for t in inputs:
        if not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    grads = _make_root_grads(outputs, grad_outputs, create_graph)
    if retain_graph is None:
        retain_graph = create_graph
    edges = [_root_edge(t, i) for i, t in enumerate(outputs)]
    captured = run(edges, grads, retain_graph, create_graph, [_input_edge(t) for t in inputs])
    result = []
    for t, g in zip(inputs, captured):
        if g is None:
            if materialize_grads:
                g = Tensor._wrap(np.zeros_like(t._data))
            elif not allow_unused:
                raise RuntimeError(
                    "One of the differentiated Tensors appears to not have been used in the "
                    "graph. Set allow_unused=True if this is the desired behavior."
                )
        result.append(g)
    return tuple(result)


def _input_edge(t):
    if t.grad_fn is not None:
        return (t.grad_fn, t._output_nr)
    return (t._accumulator(), 0)


def _accumulate_into(var, g, create_graph):
    """Add g to var.grad: in place when no graph is built, as PyTorch does."""
    if var._grad is None:
        var._grad = g if create_graph else Tensor._wrap(g._data.copy())
    elif create_graph:
        var._grad = var._grad + g
    else:
        existing = var._grad
        if existing._data.flags.writeable:
            np.add(existing._data, g._data, out=existing._data)
            existing._version_counter[0] += 1
        else:
            var._grad = Tensor._wrap(existing._data + g._data)


def retain_grad_hook(tensor):
    import weakref

    ref = weakref.ref(tensor)

    def hook(g):
        t = ref()
        if t is not None:
            if t._grad is None:
                t._grad = g.detach().clone() if not _grad_state.enabled else g.clone()
            else:
                t._grad = t._grad + g
        return None

    hook._is_retain_grad = True
    return hook


def _num_outputs(node):
    meta = node.__dict__.get("_output_meta")
    return 1 if meta is None else len(meta)


def _needed_nodes(roots, targets):
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


def run(root_edges, root_grads, retain_graph, create_graph, capture=None):
    """Run the backward pass from root_edges; return captured grads for `capture` edges."""
    # Count the edges into each reachable node.
    dependencies = {}
    roots = []
    for node, _ in root_edges:
        if node not in dependencies:
            dependencies[node] = 0
            roots.append(node)
    stack = list(roots)
    while stack:
        node = stack.pop()
        for nxt, _ in node.next_functions:
            if nxt is not None:
                count = dependencies.get(nxt)
                if count is None:
                    dependencies[nxt] = 1
                    stack.append(nxt)
                else:
                    dependencies[nxt] = count + 1

    buffers = {}
    for (node, nr), g in zip(root_edges, root_grads):
        buf = buffers.get(node)
        if buf is None:
            buf = buffers[node] = [None] * _num_outputs(node)
        buf[nr] = g if buf[nr] is None else buf[nr] + g

    captured = None
    needed = None
    if capture is not None:
        captured = [None] * len(capture)
        capture_at = {}
        for i, (node, nr) in enumerate(capture):
            capture_at.setdefault(node, []).append((i, nr))
        needed = _needed_nodes(roots, capture_at)

    ready = []
    for node in roots:
        if dependencies[node] == 0:
            heapq.heappush(ready, (-node._sequence_nr, id(node), node))

    previous_mode = _grad_state.enabled
    _grad_state.enabled = create_graph
    check_nan = anomaly_mode.state.enabled and anomaly_mode.state.check_nan
    try:
        while ready:
            node = heapq.heappop(ready)[2]
            grads = buffers.pop(node, None)
            if grads is not None and node._pre_hooks:
                grads = _run_pre_hooks(node, grads)
            if captured is not None:
                for i, nr in capture_at.get(node, ()):
                    if grads is not None:
                        captured[i] = grads[nr]
                if node not in needed:
                    continue
                if type(node) is AccumulateGrad:
                    continue
            if type(node) is AccumulateGrad:
                if grads is not None and grads[0] is not None:
                    var = node.variable
                    if var is not None:
                        _accumulate_into(var, grads[0], create_graph)
                continue
            next_functions = node.next_functions
            if grads is None or all(g is None for g in grads):
                results = None
            else:
                if len(grads) > 1 and node._materialize_grads:
                    grads = [
                        g if g is not None else Tensor._wrap(np.zeros(shape, dtype))
                        for g, (shape, dtype) in zip(grads, node._output_meta)
                    ]
                try:
                    results = node.op.backward(node, *grads)
                except Exception:
                    if anomaly_mode.state.enabled:
                        anomaly_mode.warn_forward_trace(node)
                    raise
                if type(results) is not tuple:
                    results = (results,)
                if len(results) < len(next_functions):
                    results = results + (None,) * (len(next_functions) - len(results))
                results = _validate(node, results, check_nan)
                if node._hooks:
                    for hook in node._hooks:
                        hook(results, tuple(grads))
            if not retain_graph:
                node._release()
            for i, (nxt, nr) in enumerate(next_functions):
                if nxt is None:
                    continue
                if results is not None:
                    g = results[i]
                    if g is not None:
                        buf = buffers.get(nxt)
                        if buf is None:
                            buf = buffers[nxt] = [None] * _num_outputs(nxt)
                        old = buf[nr]
                        buf[nr] = g if old is None else old + g
                count = dependencies[nxt] - 1
                dependencies[nxt] = count
                if count == 0:
                    heapq.heappush(ready, (-nxt._sequence_nr, id(nxt), nxt))
    finally:
        _grad_state.enabled = previous_mode
    return captured


def _run_pre_hooks(node, grads):
    grads = list(grads)
    for output_nr, hook in list(node._pre_hooks):
        if output_nr is None:
            new = hook(tuple(grads))
            if new is not None:
                grads = list(new)
        elif grads[output_nr] is not None:
            new = hook(grads[output_nr])
            if new is not None:
                grads[output_nr] = new
    return grads


def _validate(node, results, check_nan):
    """Sum each gradient over broadcast axes to its input's shape and cast it to its dtype."""
    if len(results) > len(node.next_functions):
        raise RuntimeError(
            f"function {type(node).__name__} returned an incorrect number of gradients "
            f"(expected {len(node.next_functions)}, got {len(results)})"
        )
    meta = node._input_meta
    out = list(results)
    for i, g in enumerate(results):
        if g is None:
            continue
        m = meta[i]
        if m is None:
            out[i] = None
            continue
        shape, dtype = m
        if not isinstance(g, Tensor):
            raise TypeError(
                f"function {type(node).__name__} returned a gradient of type "
                f"{type(g).__name__} at index {i}; expected a Tensor"
            )
        if g._data.shape != shape:
            g = _sum_to(g, shape, node, i)
        if g._data.dtype != dtype:
            g = g.to(_dtype_of(dtype))
        if check_nan and np.isnan(g._data).any():
            anomaly_mode.warn_forward_trace(node)
            raise RuntimeError(
                f"Function '{type(node).__name__}' returned nan values in its {i}th output."
            )
        out[i] = g
    return out


def _dtype_of(np_dtype):
    from ..dtypes import from_numpy_dtype

    return from_numpy_dtype(np_dtype)


def _sum_to(g, shape, node, index):
    gshape = g._data.shape
    lead = len(gshape) - len(shape)
    ok = lead >= 0 and all(s == 1 or s == gs for s, gs in zip(shape, gshape[lead:]))
    if not ok:
        raise RuntimeError(
            f"Function {type(node).__name__} returned an invalid gradient at index {index} - "
            f"got {list(gshape)} but expected shape compatible with {list(shape)}"
        )
    return g.sum_to_size(shape)
