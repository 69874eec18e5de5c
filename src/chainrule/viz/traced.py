"""The traced graph as data: nodes, edges, module groups, and the gradients caught on them.

Nodes are the leaves (tensors that require grad), the constants an op read,
and the ops (named as their grad_fn is: MulBackward0, ...), in forward order.
An edge runs from an input to the op that read it (the forward direction);
the gradient that flowed back along it is kept on the edge. A node's `grad`
is the gradient that arrived at its output: for an op, what its backward
received (the sum over every use); for a leaf, the sum of what its edges
carried, which backward added to `.grad`.

Gradients come from node hooks (grad_fn.register_hook), so they are there
once a backward pass has run through the graph after it was traced (or
inside `chainrule.viz.record()`); tracing never changes `.grad`.

TracedGraph holds no drawing code: the renderers read it, and Graph (trace.py)
adds the methods that call them.
"""

import contextlib
import functools
import gc
import re
import weakref

from . import format as fmt
from .grads import compute, grads_of, local_hook

_INFIX = {
    "Add": "+",
    "Sub": "-",
    "Rsub": "-",
    "Mul": "*",
    "Div": "/",
    "Pow": "**",
    "Mm": "@",
    "Matmul": "@",
}


@functools.lru_cache(maxsize=1024)
def short_name(op_name):
    """'MulBackward0' -> 'mul', 'MseLossBackward0' -> 'mse_loss',
    'MaxPool2DWithIndicesBackward0' -> 'max_pool2d_with_indices'."""
    base = re.sub(r"Backwards?\d*$", "", op_name or "") or "op"
    # a word starts at a capital after a lower-case letter, or at the capital that begins
    # a lower-case run after capitals (2DWith -> 2d_with)
    return re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z0-9])(?=[A-Z][a-z])", "_", base).lower()


class Group:
    """An nn.Module whose forward made some of the graph's nodes."""

    def __init__(self, gid, label, parent, depth, cls):
        self.id = gid
        self.label = label
        self.parent = parent
        self.depth = depth
        self.cls = cls

    def __repr__(self):
        return f"Group({self.id!r}, {self.cls})"


class GNode:
    """One node of a traced graph."""

    __slots__ = (
        "id",
        "kind",
        "name",
        "op_name",
        "formula",
        "params",
        "value",
        "grad",
        "group",
        "order",
        "fn",
        "requires_grad",
        "is_output",
        "_op",
        "output_names",
        "operand_order",
    )

    def __init__(self, nid, kind, name, value=None):
        self.id = nid
        self.kind = kind  # "leaf", "const" or "op"
        self.name = name
        self.op_name = None
        self.formula = ""
        self.params = {}
        self.value = value
        self.grad = None
        self.group = None
        self.order = 0  # sequence number for ops; leaves and constants come first
        self.fn = None  # the autograd Node (ops) or AccumulateGrad (leaves)
        self.requires_grad = kind != "const"
        self.is_output = False
        self._op = None
        self.output_names = {}  # output number (1, 2, ...) -> the user's variable for it
        self.operand_order = None  # input positions in the order the code wrote them

    def output_name(self, nr):
        """What to call output `nr` of this node: its own name for output 0; for a later
        output of an op with several (split, a recurrent layer), the user's variable for
        it, else `name[nr]`."""
        if not nr:
            return self.name
        return self.output_names.get(nr) or f"{self.name}[{nr}]"

    def assigned(self):
        """The left-hand side of this node's expression: `a`, or `a, b` for the named
        outputs of an op with several."""
        if not self.output_names:
            return self.name
        last = max(self.output_names)
        return ", ".join(self.output_name(nr) for nr in range(last + 1))

    @property
    def op(self):
        """The Op class whose backward this node runs (None for leaves and constants)."""
        return self._op

    def expression(self, args):
        """`r ** 2`, `x * w`, `tanh(a)`: how this node's value was made, in names."""
        if self.kind != "op":
            return self.name
        base = re.sub(r"Backwards?\d*$", "", self.op_name or "")
        if base == "Pow" and "exponent" in self.params and len(args) == 1:
            return f"{args[0]} ** {fmt.number(self.params['exponent'])}"
        if base in _INFIX and len(args) == 2:
            return f"{args[0]} {_INFIX[base]} {args[1]}"
        if base == "Neg" and len(args) == 1:
            return f"-{args[0]}"
        return f"{short_name(self.op_name)}({', '.join(args)})"

    def __repr__(self):
        return f"GNode({self.id}, {self.kind}, {self.name!r})"


class GEdge:
    """An input of an op: src feeds input `index` of dst; `grad` flowed back along it."""

    __slots__ = ("src", "dst", "index", "output_nr", "grad")

    def __init__(self, src, dst, index, output_nr=0):
        self.src = src
        self.dst = dst
        self.index = index
        self.output_nr = output_nr
        self.grad = None

    def __repr__(self):
        return f"GEdge({self.src} -> {self.dst}[{self.index}])"


class TracedGraph:
    """A traced graph: its nodes, edges and module groups, and the gradients caught on them."""

    def __init__(self, output, nodes, edges, groups, recording=None):
        self._output_ref = output
        self._nodes = nodes
        self.edges = edges
        self.groups = groups
        self.recording = recording
        self.output = nodes[-1].id if nodes else None
        self._by_id = {n.id: n for n in nodes}
        self._inputs = {}
        for e in edges:
            self._inputs.setdefault(e.dst, []).append(e)
        self._hooked = {}  # autograd Node -> (grad_inputs, grad_outputs) from our hooks
        self._locals = {}  # autograd Node -> {input index: local derivative value}

    # -- looking things up -------------------------------------------------------------
    @property
    def nodes(self):
        self._sync()
        return self._nodes

    def __len__(self):
        return len(self._nodes)

    def node(self, key):
        """A node by id ('n3') or name ('w', 'fc1.weight', 'mul')."""
        self._sync()
        if key in self._by_id:
            return self._by_id[key]
        for n in self._nodes:
            if n.name == key:
                return n
        raise KeyError(f"no node named {key!r} in this graph")

    def inputs(self, node):
        """The edges into `node` (by input position)."""
        nid = node if isinstance(node, str) else node.id
        return self._inputs.get(nid, [])

    def operands(self, node):
        """The edges into `node` in the order the code wrote its operands (`x * w` where
        Python ran w.__rmul__(x))."""
        edges = self.inputs(node)
        order = node.operand_order
        if order is None:
            return edges
        return sorted(edges, key=lambda e: order.index(e.index) if e.index in order else e.index)

    def expression_of(self, node):
        """`y_pred = x * w`: how an op node's value was made, in the code's names."""
        args = [self._by_id[e.src].output_name(e.output_nr) for e in self.operands(node)]
        return f"{node.assigned()} = {node.expression(args)}"

    def consumers(self, node):
        nid = node if isinstance(node, str) else node.id
        return [e for e in self.edges if e.src == nid]

    def backward_order(self):
        """The ops in the order backward runs them, then the leaves that take a gradient."""
        self._sync()
        ops = [n for n in self._nodes if n.kind == "op"]
        ops.sort(key=lambda n: n.order, reverse=True)
        leaves = [n for n in self._nodes if n.kind == "leaf" and n.requires_grad]
        return ops + leaves

    # -- gradients ---------------------------------------------------------------------
    def _hook(self, fn):
        ref = weakref.ref(self)

        def hook(grad_inputs, grad_outputs):
            graph = ref()
            if graph is not None:
                graph._hooked[fn] = (grads_of(grad_inputs), grads_of(grad_outputs))

        fn.register_hook(hook)
        fn.register_prehook(local_hook(fn, self._locals))

    def _local_of(self, fn):
        got = self._locals.get(fn)
        if got is not None:
            return got
        rec = self.recording
        if rec is not None:
            entry = rec.entries.get(fn)
            if entry is not None:
                return entry.local
        return None

    def _grads_of(self, fn):
        got = self._hooked.get(fn)
        if got is not None:
            return got
        rec = self.recording
        if rec is not None:
            entry = rec.entries.get(fn)
            if entry is not None and entry.grad_outputs is not None:
                return entry.grad_inputs, entry.grad_outputs
        return None

    def _sync(self):
        """Read the gradients the hooks have caught into nodes and edges."""
        leaf_sums = {}
        for n in self._nodes:
            if n.kind != "op":
                continue
            got = self._grads_of(n.fn)
            if got is None:
                n.grad = None
                for e in self._inputs.get(n.id, ()):
                    e.grad = None
                continue
            grad_inputs, grad_outputs = got
            n.grad = grad_outputs[0] if len(grad_outputs) == 1 else grad_outputs
            for e in self._inputs.get(n.id, ()):
                g = grad_inputs[e.index] if e.index < len(grad_inputs) else None
                e.grad = g
                src = self._by_id[e.src]
                if src.kind == "leaf" and g is not None:
                    old = leaf_sums.get(e.src)
                    leaf_sums[e.src] = g if old is None else old + g
        for n in self._nodes:
            if n.kind == "leaf":
                n.grad = leaf_sums.get(n.id)

    @property
    def has_grads(self):
        self._sync()
        return any(n.grad is not None for n in self._nodes if n.kind == "op")

    def backward(self, gradient=None, retain_graph=None, create_graph=False):
        """Run the output's backward (it accumulates into .grad, as output.backward() does)
        and keep the gradient that flowed along every edge; returns the graph."""
        out = self._output_ref
        if out is None:
            raise RuntimeError("this graph no longer holds its output tensor")
        out.backward(gradient, retain_graph=retain_graph, create_graph=create_graph)
        return self

    def compute_grads(self, gradient=None):
        """Fill in the gradients without touching any .grad: autograd.grad on a
        retained graph (the graph can still be walked by the user's backward)."""
        compute(self, gradient)
        return self


def node_value(node, nr=None):
    """One output of a node's value (its value when it has one output)."""
    v = node.value
    if isinstance(v, tuple):
        return v[nr or 0] if v else None
    return v


def node_grad(node, nr=None):
    """One output's gradient (its gradient when it has one output), as node_value: a
    node's outputs may differ in shape (split, a recurrent layer's output and state)."""
    g = node.grad
    if isinstance(g, tuple):
        return g[nr or 0] if g else None
    return g


def total(arrays):
    out = None
    for a in arrays:
        if a is not None:
            out = a if out is None else out + a
    return out


@contextlib.contextmanager
def paused_gc():
    """Cyclic GC paused while many small objects are made: with a large autograd graph
    alive, each collection would walk all of it (a trace makes no cycles to collect)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
