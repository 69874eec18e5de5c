"""The walk from an output's grad_fn to the nodes, edges and module groups of a Graph.

The walk is iterative (a chain of 100,000 ops traces without recursion). A
node's value comes from, in order: what `record()` captured; what the graph
saved for backward (an op that saved its output, or a later op that saved this
one's output as its input); the output tensor itself. Constants an op read are
taken from the recording, or from what the op saved when it saved its operands.
"""

import numpy as np

from ..autograd.graph import CONSTANT, INPUT, OUTPUT, AccumulateGrad
from ..tensor import Tensor
from . import format as fmt
from . import names as _names
from .traced import GEdge, GNode, Group, short_name

_SIMPLE = (bool, int, float, str)


def walk(output, root, names, recording):
    """(nodes, edges, groups) of everything `output` depends on; `root` is its grad_fn
    (or its AccumulateGrad when it is a leaf; None outside any graph)."""
    return _Builder(output, names, recording).build(root)


class _Builder:
    def __init__(self, output, names, recording):
        self.output = output
        self.names = names
        self.rec = recording
        self.nodes = []
        self.edges = []
        self.groups = {}
        self.by_fn = {}  # autograd node -> GNode
        self.by_array = {}  # id(constant array) -> GNode
        self.used_names = set()  # the user's variable names: auto names keep clear of them
        self.taken = set()  # names given to nodes of this graph
        self.next_suffix = {}  # base name -> the next number to try (no quadratic search)
        self.node_names = {}  # autograd node -> variable name
        self.output_names = {}  # (autograd node, output number > 0) -> variable name
        self.pending = []  # (node, module stack, input edges): grouped once all are made
        self.unnamed = []  # constants the user's variables do not name (made inside the code)
        for t in names._keep:
            if isinstance(t, Tensor) and t.grad_fn is not None:
                if t._output_nr == 0:
                    self.node_names.setdefault(t.grad_fn, names.tensor(t))
                else:
                    self.output_names.setdefault((t.grad_fn, t._output_nr), names.tensor(t))

    def new(self, kind, name, value=None):
        n = GNode(f"n{len(self.nodes)}", kind, name, value)
        self.nodes.append(n)
        return n

    def unique(self, base, given=None):
        """`given` (the user's variable name) when there is one, else a free name from base."""
        if given is not None and given not in self.taken:
            self.taken.add(given)
            return given
        base = given or base
        name = base
        k = self.next_suffix.get(base, 1)
        while name in self.used_names or name in self.taken:
            name = f"{base}_{k}"
            k += 1
        self.next_suffix[base] = k
        self.taken.add(name)
        return name

    def build(self, root):
        if root is None:  # a tensor outside any graph: one constant
            n = self.new("const", self.names.tensor(self.output) or "output", _copy(self.output))
            n.is_output = True
            return self.nodes, self.edges, self.groups
        ops = _collect(root)
        ops.sort(key=_seq)
        for name in self.names.tensors.values():
            self.used_names.add(name)
        values = _saved_values(ops)
        for fn in ops:
            self.add_op(fn, values)
        self._groups()
        if type(root) is AccumulateGrad:
            out = self.leaf(root)
        else:
            out = self.by_fn[root]
            if out.value is None:
                out.value = _copy(self.output)
        out.is_output = True
        return self.nodes, self.edges, self.groups

    def leaf(self, acc):
        n = self.by_fn.get(acc)
        if n is None:
            var = acc.variable
            name = self.names.tensor(var) if var is not None else None
            n = self.new("leaf", self.unique("leaf", name), _copy(var))
            n.fn = acc
            n.order = -1
            self.by_fn[acc] = n
        return n

    def constant(self, value, name=None):
        if isinstance(value, np.ndarray):
            n = self.by_array.get(id(value))
            if n is None:
                name = name or self.names.array(value)
                n = self.new("const", self.unique("const", name), np.array(value, copy=True))
                self.by_array[id(value)] = n
                if name is None:
                    self.unnamed.append(n)
            return n
        if isinstance(value, (bool, int, float)):  # a number: its name, if the code gave one
            n = self.new("const", name or fmt.number(value), np.asarray(value))
        elif isinstance(value, str) or value is None:
            label = "const" if value is None else value
            n = self.new("const", label, None if value is None else np.asarray(value))
        else:
            n = self.new("const", self.unique("const"))
        self.unnamed.append(n)
        return n

    def add_op(self, fn, values):
        entry = self.rec.entries.get(fn) if self.rec is not None else None
        inputs = []
        edges = fn.next_functions
        saved = fn._saved
        for i, (nxt, nr) in enumerate(edges):
            if nxt is None:
                src = self._operand(entry, saved, i, len(edges))
                if src is None:
                    continue
            elif type(nxt) is AccumulateGrad:
                src = self.leaf(nxt)
            else:
                src = self.by_fn.get(nxt)
                if src is None:  # a node made outside this walk's order: should not happen
                    continue
            inputs.append(GEdge(src.id, None, i, nr))
        op_name = type(fn).__name__
        name = self.node_names.get(fn)
        if name is None and entry is not None:
            name = self._recorded_name(entry, 0)
        n = self.new("op", self.unique(short_name(op_name), name))
        if entry is not None and entry.site is not None and entry.site[0]:
            n.operand_order = (1, 0)  # written the other way round (a reflected operator)
        n.fn = fn
        n.op_name = op_name
        n._op = fn.op
        for nr in range(1, getattr(fn, "_num_outputs", 1)):
            given = self.output_names.get((fn, nr))
            if given is None and entry is not None:
                given = self._recorded_name(entry, nr)
            if given is not None:
                n.output_names[nr] = self.unique(f"{n.name}_{nr}", given)
        n.formula = getattr(fn.op, "formula", "") or ""
        n.order = fn._sequence_nr
        n.params = _params(fn)
        if entry is not None and entry.value is not None:
            n.value = entry.value
        else:
            n.value = values.get(fn)
        for e in inputs:
            e.dst = n.id
            self.edges.append(e)
        self.by_fn[fn] = n
        if entry is not None and entry.modules:
            self.pending.append((n, entry.modules, inputs))

    def _recorded_name(self, entry, nr):
        """The variable a recorded node's output was kept in, if no other node has it."""
        name = entry.names.get(nr)
        if name is None or name in self.taken:
            return None
        return name

    def _operand(self, entry, saved, i, n_edges):
        """The constant feeding input i of an op (None when there is none to show)."""
        if entry is not None and entry.inputs is not None and i < len(entry.inputs):
            name = entry.site[1][i] if entry.site is not None else None
            return self.constant(entry.inputs[i], name)
        if len(saved) == n_edges:
            s = saved[i]
            if s[0] == INPUT and not s[1]._requires_grad:
                t = s[1]
                return self.constant(t._data, self.names.tensor(t))
            if s[0] == CONSTANT and isinstance(s[1], _SIMPLE):
                return self.constant(s[1])
        return self.constant(object())

    def _groups(self):
        """Module groups: one per call of a module, so a module used twice (a pooling
        layer after each convolution) is two groups, `pooling#1` and `pooling#2`, and
        the drawing has no false loop through one box."""
        paths = []
        calls = {}  # qualified name -> the calls of it that made nodes of this graph
        for _, stack, _ in self.pending:
            path = _names.module_path([m for m, _ in stack], self.names)
            paths.append(path)
            for qn, (_, call) in zip(path, stack):
                calls.setdefault(qn, set()).add(call)
        number = {}
        for qn, ids in calls.items():
            for k, call in enumerate(sorted(ids), 1):
                number[qn, call] = k if len(ids) > 1 else 0
        owners = {}  # parameter leaf -> the groups of the calls that read it
        for (n, stack, inputs), path in zip(self.pending, paths):
            parent = None
            gids = []
            for depth, (qn, (module, call)) in enumerate(zip(path, stack)):
                k = number[qn, call]
                gid = f"{qn}#{k}" if k else qn
                if gid not in self.groups:
                    cls = type(module).__name__
                    label = f"{qn.rsplit('.', 1)[-1]} ({cls})" + (f" call {k}" if k else "")
                    self.groups[gid] = Group(gid, label, parent, depth, cls)
                parent = gid
                gids.append(gid)
            n.group = parent
            # A parameter sits in the module call that reads it (found on the stack).
            for e in inputs:
                src = self.nodes[int(e.src[1:])]
                if src.kind != "leaf" or src.fn is None:
                    continue
                var = src.fn.variable
                for gid, (module, _) in zip(reversed(gids), reversed(stack)):
                    params = getattr(module, "_parameters", None) or {}
                    if any(p is var for p in params.values()):
                        owners.setdefault(src, set()).add(gid)
                        break
        # ... and in the group around all of them when several calls read it.
        for leaf, gids in owners.items():
            leaf.group = self._common(gids)
        # A constant no variable of the user's names (a number, zeros made inside a layer)
        # belongs with the ops that read it; a named one (the input batch) stays outside.
        readers = {}
        for e in self.edges:
            readers.setdefault(e.src, set()).add(self.nodes[int(e.dst[1:])].group)
        for n in self.unnamed:
            gids = readers.get(n.id)
            if gids and None not in gids:
                n.group = self._common(gids)

    def _common(self, gids):
        chains = []
        for gid in gids:
            chain = []
            while gid is not None:
                chain.append(gid)
                gid = self.groups[gid].parent
            chains.append(chain[::-1])
        common = None
        for level in zip(*chains):
            if any(g != level[0] for g in level):
                break
            common = level[0]
        return common


def _seq(fn):
    return fn._sequence_nr


def _collect(root):
    """Every non-leaf autograd node reachable from root, without recursion."""
    seen = {root}
    stack = [root]
    ops = []
    while stack:
        fn = stack.pop()
        if type(fn) is AccumulateGrad:
            continue
        ops.append(fn)
        for nxt, _ in fn.next_functions:
            if nxt is not None and nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return ops


def _saved_values(ops):
    """Node values that the graph saved for backward: outputs, and later ops' inputs."""
    values = {}
    for fn in ops:
        for s in fn._saved:
            if s[0] == OUTPUT:
                if s[4] == 0 and fn._num_outputs == 1:
                    values.setdefault(fn, s[1].copy())
            elif s[0] == INPUT:
                t = s[1]
                src = t.grad_fn
                if src is not None and t._output_nr == 0 and src._num_outputs == 1:
                    values.setdefault(src, t._data.copy())
    return values


def _params(fn):
    out = {}
    for k, v in fn.__dict__.items():
        if k.startswith("_") or k in ("next_functions", "op"):
            continue
        if k == "alpha" and v == 1:  # add/sub's default scale says nothing
            continue
        if isinstance(v, _SIMPLE) or (
            isinstance(v, tuple) and len(v) <= 8 and all(isinstance(x, _SIMPLE) for x in v)
        ):
            out[k] = v
    return out


def _copy(t):
    if t is None:
        return None
    return np.array(t._data, copy=True)
