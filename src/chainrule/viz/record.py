"""record(): capture every op's output, inputs, module and gradients while code runs.

Inside `with chainrule.viz.record():` each op that builds a graph node keeps a
copy of what its forward returned, the operands it received (constants such
as `y` in `x * w - y` have no other trace in the graph), the stack of
nn.Modules whose forward was running, and, when backward reaches the node,
the gradients that flowed into and out of it (a node hook). Everything is
held per node in a weak dictionary, so it is dropped with the graph.

How it attaches without touching the ops: while a recording is active, each
Op class's `forward` is wrapped; the wrapper sees the node (ctx) and the
result. Nothing changes outside the `with` block, and the hot path of code
that does not record is untouched.
"""

import weakref

import numpy as np

from ..nn.modules import module as _module
from ..ops.op import NULL_CTX, Op
from .grads import grads_of, local_hook

_active = []  # the recordings now running, innermost last
# Finished recordings, newest last: `with record():` (no `as`) then trace(loss) finds
# its recording here. Entries are weak, so a kept recording holds nothing of dead graphs.
_recent = []
_patched = {}  # Op class -> its original forward (a staticmethod)


class _Entry:
    """What a recording keeps about one node."""

    __slots__ = ("value", "inputs", "modules", "grad_inputs", "grad_outputs", "local")

    def __init__(self, value, inputs, modules):
        self.value = value
        self.inputs = inputs
        self.modules = modules
        self.grad_inputs = None
        self.grad_outputs = None
        self.local = None


def _copy(out):
    if type(out) is tuple:
        return tuple(np.array(o, copy=True) for o in out)
    return np.array(out, copy=True)


def _grad_hook(entry):
    def hook(grad_inputs, grad_outputs):
        entry.grad_inputs = grads_of(grad_inputs)
        entry.grad_outputs = grads_of(grad_outputs)

    return hook


class Recording:
    """The values, modules and gradients of the graph nodes made while it was active.

    Use it as a context manager (`with record():`); `chainrule.viz.trace(output)`
    finds the recording that saw the output being made and gives the Graph.
    """

    def __init__(self, values=True, modules=True, grads=True):
        self.values = values
        self.modules = modules
        self.grads = grads
        self.entries = weakref.WeakKeyDictionary()
        self._stack = []
        self._handles = []

    # -- the context ---------------------------------------------------------------------
    def __enter__(self):
        if not _active:
            _patch()
        _active.append(self)
        if self.modules:
            self._hook_modules()
        return self

    def __exit__(self, *exc):
        for h in self._handles:
            h.remove()
        self._handles = []
        self._stack = []
        if self in _active:
            _active.remove(self)
        if not _active:
            _unpatch()
        if self in _recent:
            _recent.remove(self)
        _recent.append(self)
        del _recent[:-4]
        return False

    def _hook_modules(self):
        stack = self._stack

        def pre(module, args):
            stack.append(module)

        def post(module, args, output):
            # Pop down to this module, so a forward that raised inside does not
            # leave the stack out of step.
            while stack:
                if stack.pop() is module:
                    break

        self._handles.append(_module.register_module_forward_pre_hook(pre))
        self._handles.append(_module.register_module_forward_hook(post))

    # -- what the wrapped forwards report ------------------------------------------------
    def _add(self, node, out, args):
        entry = _Entry(
            _copy(out) if self.values else None,
            args if self.values else None,
            tuple(self._stack),
        )
        self.entries[node] = entry
        if self.grads:
            node.register_hook(_grad_hook(entry))
            node.register_prehook(local_hook(node, entry))

    def entry(self, node):
        return self.entries.get(node)


def record(values=True, modules=True, grads=True):
    """Record op outputs, module membership and gradients for `chainrule.viz.trace`."""
    return Recording(values=values, modules=modules, grads=grads)


def find_recording(node):
    """The active or recent recording that saw `node` being made, or None."""
    for rec in reversed(_active):
        if node in rec.entries:
            return rec
    for rec in reversed(_recent):
        if node in rec.entries:
            return rec
    return None


def _all_ops():
    seen = set()
    stack = [Op]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.add(sub)
                stack.append(sub)
    return seen


def _wrap(fn):
    def forward(ctx, *args, **kwargs):
        out = fn(ctx, *args, **kwargs)
        if ctx is not NULL_CTX:
            for rec in _active:
                rec._add(ctx, out, args)
        return out

    return forward


def _wrap_classmethod(fn):
    """As _wrap, for an Op whose forward is a classmethod (shared by subclasses that
    differ in class attributes, such as the recurrent layers)."""

    def forward(cls, ctx, *args, **kwargs):
        out = fn(cls, ctx, *args, **kwargs)
        if ctx is not NULL_CTX:
            for rec in _active:
                rec._add(ctx, out, args)
        return out

    return forward


def _patch():
    for cls in _all_ops():
        original = cls.__dict__.get("forward")
        if original is None or cls in _patched:
            continue
        _patched[cls] = original
        if isinstance(original, classmethod):
            cls.forward = classmethod(_wrap_classmethod(original.__func__))
        else:
            fn = original.__func__ if isinstance(original, staticmethod) else original
            cls.forward = staticmethod(_wrap(fn))


def _unpatch():
    for cls, original in _patched.items():
        cls.forward = original
    _patched.clear()
