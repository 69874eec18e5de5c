"""Gradients for a traced graph without touching any .grad.

autograd.grad runs the backward pass on a retained graph (retain_graph=True)
and returns the leaves' gradients instead of accumulating them; the node hooks
the trace installed catch what flowed along each edge. The user's own
backward can still run afterwards. retain_grad() hooks are set aside for the
pass, so no interior tensor's .grad changes either.
"""

import numpy as np

from ..autograd import engine
from ..autograd.grad_mode import no_grad
from ..tensor import Tensor

FREED = (
    "The graph's saved values were already freed by a backward pass, so its gradients "
    "cannot be computed again. Trace or explain before calling backward(), call backward "
    "with retain_graph=True, or run the forward pass inside `with chainrule.viz.record():` "
    "(which keeps the gradients of the backward pass run inside it)."
)


def compute(graph, gradient=None):
    out = graph._output_ref
    ops = [n.fn for n in graph._nodes if n.kind == "op"]
    if not ops:
        return
    if any(fn._released for fn in ops):
        raise RuntimeError(FREED)
    leaves = []
    for n in graph._nodes:
        if n.kind == "leaf" and n.fn is not None:
            var = n.fn.variable
            if var is not None:
                leaves.append(var)
    set_aside = []
    for fn in ops:
        hooks = fn._pre_hooks
        if hooks and any(getattr(h, "_is_retain_grad", False) for _, h in hooks):
            set_aside.append((fn, hooks))
            fn._pre_hooks = [(nr, h) for nr, h in hooks if not getattr(h, "_is_retain_grad", 0)]
    try:
        if leaves:
            engine.grad(out, leaves, gradient, retain_graph=True, allow_unused=True)
    finally:
        for fn, hooks in set_aside:
            fn._pre_hooks = hooks


def grads_of(grads):
    """The arrays of a hook's gradient tuple (None where no gradient flowed)."""
    return tuple(None if g is None else np.array(g._data, copy=True) for g in grads)


def local_values(fn, grad):
    """d(output)/d(input i) of an elementwise op, by input position ({} for other ops).

    Backward is linear in the upstream gradient, and for an elementwise op it
    multiplies elementwise by the local derivative, so backward(ones) is the
    local derivative itself (in the output's shape, before broadcast sums).
    Needs the node's saved values: called before its backward frees them.
    """
    op = fn.op
    if op is None or getattr(op, "__module__", "") != "chainrule.ops.pointwise":
        return {}
    if fn._released or fn._num_outputs != 1 or grad is None:
        return {}
    try:
        with no_grad():
            res = op.backward(fn, Tensor._wrap(np.ones_like(grad)))
    except Exception:  # a backward that needs more than its saved values: no number shown
        return {}
    if not isinstance(res, tuple):
        res = (res,)
    out = {}
    for i, r in enumerate(res):
        if isinstance(r, Tensor):
            out[i] = np.array(r._data, copy=True)
        elif isinstance(r, (int, float)):
            out[i] = np.asarray(r)
    return out


def local_hook(fn, store):
    """A pre-hook on fn that keeps its local derivative values in store[fn] (or store.local)."""

    def hook(grad_outputs):
        g = grad_outputs[0] if grad_outputs else None
        if g is not None:
            values = local_values(fn, g._data)
            if isinstance(store, dict):
                store[fn] = values
            else:
                store.local = values
        return None

    return hook
