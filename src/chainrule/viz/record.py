"""record(): capture every op's output, inputs, module and gradients while code runs.

Inside `with chainrule.viz.record():` each op that builds a graph node keeps a
copy of what its forward returned, the operands it received (constants such
as `y` in `x * w - y` have no other trace in the graph), the stack of
nn.Modules whose forward was running (each call numbered), how the code wrote
it (source.py: `x * w`, not the `w * x` Python runs), and, when backward
reaches the node, the gradients that flowed into and out of it (a node hook).
Everything is held per node in a weak dictionary, so it is dropped with the
graph.

The names the code gave its values come from the frames that made them: a
recording holds on to the user's frames it saw (at most MAX_FRAMES, a frame's
variables outliving its return) and reads their tensors' names when it is
traced or ends, outer frames first, so `y_pred`, a local of the function that
computed it, names its node.

How it attaches without touching the ops: while a recording is active, each
Op class's `forward` is wrapped; the wrapper sees the node (ctx) and the
result. Nothing changes outside the `with` block, and the hot path of code
that does not record is untouched.
"""

import itertools
import weakref

import numpy as np

from ..nn.modules import module as _module
from ..ops.op import NULL_CTX, Op
from . import source
from .grads import grads_of, local_hook

MAX_FRAMES = 64

_active = []  # the recordings now running, innermost last
# Finished recordings, newest last: `with record():` (no `as`) then trace(loss) finds
# its recording here. Entries are weak, so a kept recording holds nothing of dead graphs.
_recent = []
_patched = {}  # Op class -> its original forward (a staticmethod) and its own `direct`
_NO_DIRECT = object()  # the class had no `direct` of its own


class _Entry:
    """What a recording keeps about one node."""

    __slots__ = (
        "value",
        "inputs",
        "modules",
        "grad_inputs",
        "grad_outputs",
        "local",
        "names",
        "site",
    )

    def __init__(self, value, inputs, modules):
        self.value = value
        self.inputs = inputs
        self.modules = modules  # ((module, call number), ...), outermost first
        self.grad_inputs = None
        self.grad_outputs = None
        self.local = None
        self.names = {}  # output number -> the variable the code kept it in
        self.site = None  # (swapped, number operands' names) of an infix operator


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
        self._stack = []  # (module, call number) of each forward now running
        self._calls = itertools.count()
        self._handles = []
        self._frames = {}  # id(frame) -> (stack depth, frame): the user's frames seen

    # -- the context ---------------------------------------------------------------------
    def __enter__(self):
        if not _active:
            _patch()
        _active.append(self)
        if self.modules:
            self._hook_modules()
        return self

    def __exit__(self, *exc):
        self.read_names()
        self._frames = {}
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

        calls = self._calls

        def pre(module, args):
            stack.append((module, next(calls)))

        def post(module, args, output):
            # Pop down to this module, so a forward that raised inside does not
            # leave the stack out of step.
            while stack:
                if stack.pop()[0] is module:
                    break

        self._handles.append(_module.register_module_forward_pre_hook(pre))
        self._handles.append(_module.register_module_forward_hook(post))

    # -- what the wrapped forwards report ------------------------------------------------
    def _add(self, op, node, out, args):
        entry = _Entry(
            _copy(out) if self.values else None,
            args if self.values else None,
            tuple(self._stack),
        )
        self.entries[node] = entry
        frame = source.user_frame()
        if frame is not None:
            entry.site = source.operator_site(frame, getattr(node, "op", None) or op, args)
            self._see(frame)
        if self.grads:
            node.register_hook(_grad_hook(entry))
            node.register_prehook(local_hook(node, entry))

    def entry(self, node):
        return self.entries.get(node)

    # -- names from the user's frames -----------------------------------------------------
    def _see(self, frame):
        if id(frame) in self._frames:
            return
        depth = 0
        f = frame.f_back
        while f is not None:
            depth += 1
            f = f.f_back
        self._frames[id(frame)] = (depth, frame)
        if len(self._frames) > MAX_FRAMES:  # read the oldest now, and let it go
            oldest = next(iter(self._frames))
            self._read(self._frames.pop(oldest)[1])

    def read_names(self):
        """Name the recorded nodes from the variables of the frames that made them."""
        for _, frame in sorted(self._frames.values(), key=lambda df: df[0]):
            self._read(frame)

    def _read(self, frame):
        for name, t in source.tensors_in(frame):
            entry = self.entries.get(t.grad_fn) if t.grad_fn is not None else None
            if entry is not None:
                entry.names.setdefault(t._output_nr, name)


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


def _wrap(op, fn):
    def forward(ctx, *args, **kwargs):
        out = fn(ctx, *args, **kwargs)
        if ctx is not NULL_CTX:
            for rec in _active:
                rec._add(op, ctx, out, args)
        return out

    return forward


def _wrap_classmethod(fn):
    """As _wrap, for an Op whose forward is a classmethod (shared by subclasses that
    differ in class attributes, such as the recurrent layers)."""

    def forward(cls, ctx, *args, **kwargs):
        out = fn(cls, ctx, *args, **kwargs)
        if ctx is not NULL_CTX:
            for rec in _active:
                rec._add(cls, ctx, out, args)
        return out

    return forward


def _patch():
    for cls in _all_ops():
        original = cls.__dict__.get("forward")
        if original is None or cls in _patched:
            continue
        _patched[cls] = original, cls.__dict__.get("direct", _NO_DIRECT)
        # An op that apply_unary runs without calling forward (Op.direct) must call the
        # wrapped forward while recording.
        cls.direct = False
        if isinstance(original, classmethod):
            cls.forward = classmethod(_wrap_classmethod(original.__func__))
        else:
            fn = original.__func__ if isinstance(original, staticmethod) else original
            cls.forward = staticmethod(_wrap(cls, fn))


def _unpatch():
    for cls, (original, direct) in _patched.items():
        cls.forward = original
        if direct is _NO_DIRECT:
            del cls.direct
        else:
            cls.direct = direct
    _patched.clear()
