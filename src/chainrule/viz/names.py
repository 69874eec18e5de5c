"""Names for graph nodes, found where the user's code keeps its tensors.

The caller's frame is read (globals first, then locals, which win): a name
bound to a tensor names that tensor (`w`, `loss`), and an nn.Module bound to
a name names its parameters as named_parameters() does (`fc1.weight`; with
several such modules, prefixed by the module's variable: `model.fc1.weight`)
and its submodules (`fc1`), which group the graph's nodes. IPython's names for
what a cell showed (`_`, `_2`, `Out`) name nothing.
"""

from ..nn.modules.module import Module
from ..tensor import Tensor
from .source import is_user_name


class Names:
    """Names of tensors (by identity), of their arrays, and of modules."""

    def __init__(self):
        self.tensors = {}  # id(tensor) -> name
        self.arrays = {}  # id(array) -> name: a recorded operand is an array
        self.modules = {}  # id(module) -> qualified name
        self._keep = []  # the objects named, so that their ids stay theirs

    def add_tensor(self, name, t):
        self.tensors[id(t)] = name
        self.arrays[id(t._data)] = name
        self._keep.append(t)

    def tensor(self, t):
        return self.tensors.get(id(t))

    def array(self, a):
        return self.arrays.get(id(a))

    def module(self, m):
        return self.modules.get(id(m))


def from_frame(frame, extra=None):
    """Names from a frame's globals and locals (and an optional dict name -> object)."""
    names = Names()
    scopes = []
    if frame is not None:
        scopes = [frame.f_globals, frame.f_locals]
    if extra:
        scopes.append(extra)
    modules = []
    for scope in scopes:
        for name, obj in list(scope.items()):
            if not is_user_name(name):  # dunders, and IPython's output cache (_2, Out)
                continue
            if isinstance(obj, Tensor):
                names.add_tensor(name, obj)
            elif isinstance(obj, Module):
                modules.append((name, obj))
    with_params = [(n, m) for n, m in modules if any(True for _ in m.parameters())]
    prefix_all = len({id(m) for _, m in with_params}) > 1
    for var, m in modules:
        pre = f"{var}." if prefix_all else ""
        for qn, sub in m.named_modules():
            if id(sub) not in names.modules:
                names.modules[id(sub)] = f"{pre}{qn}" if qn else var
                names._keep.append(sub)
    for var, m in with_params:
        pre = f"{var}." if prefix_all else ""
        for qn, p in m.named_parameters():
            names.add_tensor(pre + qn, p)  # a parameter's own name wins over a loop variable
    return names


def module_path(stack, names):
    """The qualified names of a module stack, outermost first: ('model', 'model.fc1')."""
    path = []
    parent = None
    for m in stack:
        name = names.module(m)
        if name is None:
            child = None
            if parent is not None:
                for key, sub in parent._modules.items():
                    if sub is m:
                        child = key
                        break
            if child is None:
                child = type(m).__name__.lower()
            name = f"{path[-1]}.{child}" if path else child
        path.append(name)
        parent = m
    return tuple(path)
