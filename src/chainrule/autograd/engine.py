"""The backward engine: walks Nodes in reverse topological order, iteratively.

One pass counts, for every node reachable from the roots, how many edges lead
into it. Nodes then run when all their incoming gradients have arrived, the
most recently created first (a heap on the sequence number, as PyTorch orders
its ready queue, so sums happen in the same order). Here, and only here,
gradients are summed back over broadcast axes and checked against the shape
and dtype of the input they belong to.
"""

from __future__ import annotations

from operator import attrgetter
from sys import getrefcount

import numpy as np

from ..tensor import Tensor
from . import anomaly_mode
from .anomaly_mode import state as _anomaly_state
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
        raise RuntimeError(f"got {len(outputs)} tensors and {len(grads)} gradients")
    result = []
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


def _root_dtype(g, out, i):
    """A gradient given for an output in another dtype, cast to it as PyTorch casts it."""
    if (g._data.dtype.kind == "c") != (out._data.dtype.kind == "c"):
        raise RuntimeError(
            "For complex Tensors, both grad_output and output are required to have the same "
            f"dtype. Mismatch in dtype: grad_output[{i}] has a dtype of {g.dtype} and "
            f"output[{i}] has a dtype of {out.dtype}."
        )
    return g.to(out.dtype) if out._data.dtype.kind in "fc" else g


_ONES = {}


def _ones(shape, dtype):
    """A fresh array of ones (copied from a cached one: much cheaper for tiny shapes)."""
    key = (shape, dtype, dtype.metadata is not None)  # bfloat16 compares equal to float32
    ones = _ONES.get(key)
    if ones is None:
        ones = np.ones(shape, dtype)
        if ones.size <= 64:
            _ONES[key] = ones
    return ones.copy()


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
    if grad_tensors is None and inputs is None and tensors.__class__ is Tensor:
        # loss.backward(): one scalar root, the gradient 1 made here.
        data = tensors._data
        fn = tensors.grad_fn
        if fn is not None and data.size == 1 and data.dtype.kind == "f":
            ones = Tensor._wrap(_ones(data.shape, data.dtype))
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
    captured = run(edges, grads, retain_graph, create_graph, [_input_edge(t) for t in inputs])
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


def _input_edge(t):
    if t.grad_fn is not None:
        return (t.grad_fn, t._output_nr)
    return (t._accumulator(), 0)


def _accumulate_into(var, g, create_graph):
    """Add g to var.grad: in place when no graph is built, as PyTorch does."""
    if var._grad is None:
        if create_graph:
            var._grad = g
        else:
            data = _stealable(g)  # nothing else can see this array: keep it, uncopied
            var._grad = Tensor._wrap(g._data.copy() if data is None else data)
    elif create_graph:
        var._grad = var._grad + g
    else:
        existing = var._grad
        data = existing._data
        try:
            np.add(data, g._data, out=data)
        except ValueError:  # a read-only .grad (e.g. an expanded tensor the user set)
            var._grad = Tensor._wrap(data + g._data)
            return
        counter = existing._version_counter
        if counter is None:
            existing._version_counter = [1]
        else:
            counter[0] += 1
        if data.dtype.metadata is not None:  # bfloat16, complex32: the sum is rounded
            _round_in_place(data)


# Gradient stealing, as PyTorch does it: the first gradient a leaf receives becomes its
# .grad without a copy when nothing but the engine can reach its memory. That is proved
# with reference counts: the gradient Tensor, its array and, for a view that covers its
# base exactly (the t() of a t() that a Linear weight's gradient is), the base array and
# the Tensor the view was made from must each be held by the engine and the gradient alone,
# so no user tensor, hook, saved value or other view can see or change it. The array must
# also be writeable and C-contiguous (what a copy would give). The engine's own references
# are counted once, at import, by sending gradients that nothing else holds through the
# very same calls (a local in a caller -> _accumulate_into -> _stealable), so the counts
# agree on any interpreter; where they do not, the gradient is copied, as before.
_ENGINE_REFS = None  # (own array, view of a base, view made from a tensor); None: counting


def _stealable(g):
    """The array of g when .grad may take it without a copy, else None."""
    counts = _reference_counts(g)
    if _ENGINE_REFS is None:
        _CALIBRATION.append(counts)
        return None
    data = g._data
    flags = data.flags
    if not (flags.c_contiguous and flags.writeable) or data.__class__ is not np.ndarray:
        return None
    if flags.owndata:
        return data if counts == _ENGINE_REFS[0] and g._base is None else None
    base = data.base
    owner = g._base
    if (
        base.__class__ is not np.ndarray
        or not base.flags.owndata
        or base.shape != data.shape
        or base.strides != data.strides  # same extent: the view starts where base does
        or (owner is not None and owner._data is not base)
    ):
        return None
    return data if counts == _ENGINE_REFS[1 if owner is None else 2] else None


def _reference_counts(g):
    data = g._data
    base = data.base
    owner = g._base
    return (
        getrefcount(g),
        getrefcount(data),
        0 if base is None else getrefcount(base),
        0 if owner is None else getrefcount(owner),
    )


_CALIBRATION = []


class _Unseen:
    """A stand-in leaf for counting: _accumulate_into only sets its _grad."""

    _grad = None


def _engine_refs():
    """Reference counts of gradients that only the engine holds: an array of its own, a
    view covering a base array, and such a view made from a Tensor (g._base)."""
    g = Tensor._wrap(np.zeros((2, 3)))  # held as run's sink loop holds it: one local
    _accumulate_into(_Unseen(), g, False)
    g = Tensor._wrap(np.zeros((2, 3)).T.T)
    _accumulate_into(_Unseen(), g, False)
    made_from = Tensor._wrap(np.zeros((2, 3)))
    g = Tensor._wrap(made_from._data.T.T)
    g._base = made_from
    made_from = None
    _accumulate_into(_Unseen(), g, False)
    counts = tuple(_CALIBRATION)
    _CALIBRATION.clear()
    return counts


_ENGINE_REFS = _engine_refs()


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


_sequence_nr = attrgetter("_sequence_nr")


def run(root_edges, root_grads, retain_graph, create_graph, capture=None):
    """Run the backward pass from root_edges; return captured grads for `capture` edges.

    Nodes run in decreasing sequence number. A node is always created after the
    nodes it takes gradients from, so every consumer of a node has run before
    it: this is the order a ready queue keyed on sequence numbers (PyTorch's)
    produces, with no dependency counting or queue. AccumulateGrad nodes, the
    sinks, run last, once their gradient is complete.
    """
    # Every node reachable from the roots, once.
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
    nodes.sort(key=_sequence_nr, reverse=True)

    buffers = {}
    for (node, nr), g in zip(root_edges, root_grads):
        buf = buffers.get(node)
        if buf is None:
            buf = buffers[node] = [None] * node._num_outputs
        buf[nr] = g if buf[nr] is None else buf[nr] + g

    captured = None
    needed = None
    capture_at = {}
    if capture is not None:
        captured = [None] * len(capture)
        for i, (node, nr) in enumerate(capture):
            capture_at.setdefault(node, []).append((i, nr))
        needed = _needed_nodes([n for n, _ in root_edges], capture_at)

    previous_mode = _grad_state.enabled
    _grad_state.enabled = create_graph
    check_nan = _anomaly_state.enabled and _anomaly_state.check_nan
    try:
        for node in nodes:
            grads = buffers.pop(node, None)
            if grads is None:
                if not retain_graph and node._saved:
                    node._release()
                continue
            if node._pre_hooks:
                grads = _run_pre_hooks(node, grads)
            if captured is not None:
                if node in capture_at:
                    _capture(capture_at, captured, node, grads)
                if node not in needed:
                    continue
            if len(grads) > 1:
                grads = _materialize(node, grads)
                if grads is None:
                    continue
            elif grads[0] is None:
                continue
            try:
                results = node.op.backward(node, *grads)
            except Exception:
                if _anomaly_state.enabled:
                    anomaly_mode.warn_forward_trace(node)
                raise
            if not retain_graph and node._saved:
                node._release()  # what was saved for this step is freed now
            next_functions = node.next_functions
            if type(results) is not tuple:
                results = (results,)
            if len(results) != len(next_functions) or check_nan or node._hooks:
                results = _validate(node, results, check_nan)
                if node._hooks:
                    for hook in node._hooks:
                        hook(tuple(results), tuple(grads))
            meta = node._input_meta
            for i, (nxt, nr) in enumerate(next_functions):
                if nxt is None:
                    continue
                g = results[i]
                if g is None:
                    continue
                m = meta[i]
                # The one check every gradient passes: its input's shape and dtype.
                if (
                    g.__class__ is not Tensor
                    or g._data.shape != m[0]
                    or (
                        g._data.dtype is not m[1]
                        and (g._data.dtype != m[1] or m[1].metadata is not None)
                    )
                ):
                    g = _conform(node, g, i)
                buf = buffers.get(nxt)
                if buf is None:
                    buffers[nxt] = [g] if nxt._num_outputs == 1 else _slots(nxt, nr, g)
                else:
                    old = buf[nr]
                    buf[nr] = g if old is None else old + g
        # Drop the loop's last references to gradients, so that they do not stop stealing.
        results = grads = g = buf = old = None
        for node in sinks:
            grads = buffers.pop(node, None)
            if grads is None:
                continue
            if node._pre_hooks:
                grads = _run_pre_hooks(node, grads)
            if captured is not None:
                _capture(capture_at, captured, node, grads)
                continue
            g = grads[0]
            grads = None
            if g is not None:
                var = node._variable_ref()
                if var is not None:
                    _accumulate_into(var, g, create_graph)
                g = None
    finally:
        _grad_state.enabled = previous_mode
    return captured


def _slots(node, nr, g):
    buf = [None] * node._num_outputs
    buf[nr] = g
    return buf


def _capture(capture_at, captured, node, grads):
    if grads is not None:
        for i, nr in capture_at.get(node, ()):
            captured[i] = grads[nr]


def _materialize(node, grads):
    """Missing gradients of a multi-output node become zeros; None when all are missing."""
    if all(g is None for g in grads):
        return None
    if not node._materialize_grads:
        return grads
    return [
        g if g is not None else Tensor._wrap(np.zeros(shape, dtype))
        for g, (shape, dtype) in zip(grads, node._output_meta)
    ]


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


def _conform(node, g, i):
    """Sum a gradient over broadcast axes to its input's shape and cast it to its dtype."""
    if not isinstance(g, Tensor):
        raise TypeError(
            f"function {type(node).__name__} returned a gradient of type "
            f"{type(g).__name__} at index {i}; expected a Tensor"
        )
    shape, dtype = node._input_meta[i]
    if g._data.shape != shape:
        g = _sum_to(g, shape, node, i)
    if g._data.dtype != dtype or g._data.dtype.metadata != dtype.metadata:
        g = _cast_gradient(g, dtype)
    return g


def _cast_gradient(g, np_dtype):
    """A gradient in its input's dtype; a complex gradient of a real input is its real
    part, as in PyTorch (the input entered a complex computation as the real axis)."""
    target = _dtype_of(np_dtype)
    if g._data.dtype.kind == "c" and not target.is_complex:
        g = g.real
    return g if g.dtype is target else g.to(target)


def _round_in_place(data):
    from .._narrow import round_in_place

    round_in_place(data)


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
    data = g._data
    if _grad_state.enabled or data.dtype.kind != "f":
        return g.sum_to_size(shape)  # create_graph: recorded, so it can be differentiated
    # Nothing is recorded: sum_to_size's own NumPy call (np.sum over the same axes, so the
    # same numbers), without the op's bookkeeping. Summing only leading axes away, with no
    # keepdims, gives an array of its own, which .grad can then keep without a copy.
    dims = tuple(lead + i for i, s in enumerate(shape) if s == 1 and gshape[lead + i] != 1)
    if dims:
        data = np.sum(data, axis=tuple(range(lead)) + dims, keepdims=True)
        return Tensor._wrap(data.reshape(shape) if lead else data)
    return Tensor._wrap(np.sum(data, axis=tuple(range(lead)))) if lead else g
