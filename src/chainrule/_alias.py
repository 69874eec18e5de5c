"""Resolving torch and torchvision imports to chainrule: alias_torch() and run_path().

While aliased, `import torch.X.Y` gives the module chainrule.X.Y itself (the same object,
so isinstance checks and module state are shared) and `import torchvision.X` gives
chainrule.vision.X. Nothing is aliased until alias_torch() is called.
"""

import importlib
import io
import os
import sys
import types

__all__ = ["alias_torch", "unalias_torch", "run_path", "is_aliased"]

# alias root -> the chainrule package that stands for it
_ROOTS = {"torch": "chainrule", "torchvision": "chainrule.vision"}


def _target(fullname):
    """The chainrule module name for an aliased name, or None if the name is not aliased."""
    root, dot, rest = fullname.partition(".")
    base = _ROOTS.get(root)
    if base is None:
        return None
    return base + dot + rest


# The finder and loader follow the import system's protocols without subclassing
# importlib.abc, whose import costs more than the rest of this module.
class _ExistingModuleLoader:
    """Hands the import system a module that is already loaded; executes nothing."""

    def __init__(self, module):
        self.module = module

    def create_module(self, spec):
        return self.module

    def exec_module(self, module):
        pass


class _TorchAliasFinder:
    """First on sys.meta_path while aliased: torch.* and torchvision.* come from chainrule."""

    def find_spec(self, fullname, path=None, target=None):
        name = _target(fullname)
        if name is None:
            return None
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as e:
            # Only a missing counterpart is renamed; a missing dependency of an existing
            # chainrule module keeps its own error.
            if e.name is not None and (name == e.name or name.startswith(e.name + ".")):
                raise ModuleNotFoundError(
                    f"No module named '{fullname}': chainrule stands in for "
                    f"{fullname.partition('.')[0]} here and has no module '{name}'",
                    name=fullname,
                ) from None
            raise
        # What importing it entered into sys.modules under a name below its own (chainrule.cuda,
        # a module, enters its amp as chainrule.cuda.amp) is aliased too, as alias_torch()
        # aliases what is loaded already: the import system looks there for torch.cuda.amp.
        below = name + "."
        for other, value in list(sys.modules.items()):
            if other.startswith(below):
                sys.modules.setdefault(fullname + other[len(name) :], value)
        from importlib.util import spec_from_loader

        is_package = hasattr(module, "__path__")
        return spec_from_loader(fullname, _ExistingModuleLoader(module), is_package=is_package)


_finder = _TorchAliasFinder()
_saved = None  # sys.modules entries named torch*/torchvision* before aliasing


def _aliased_names():
    return [n for n in sys.modules if _target(n) is not None]


def is_aliased():
    return _finder in sys.meta_path


def alias_torch():
    """Make `import torch` (and its submodules, and torchvision) import chainrule.

    Idempotent. Modules of a real torch imported earlier are set aside (and put back by
    unalias_torch()), so that nothing mixes the two libraries.
    """
    global _saved
    import chainrule  # a cycle: chainrule/__init__.py imports this module

    if is_aliased():
        return
    _saved = {n: sys.modules.pop(n) for n in _aliased_names()}
    sys.meta_path.insert(0, _finder)
    # The modules chainrule has loaded already are entered directly, so that code
    # looking in sys.modules (not importing) finds them too.
    for name, module in list(sys.modules.items()):
        if name == "chainrule" or name.startswith("chainrule."):
            if name.startswith("chainrule.vision"):
                sys.modules["torchvision" + name[len("chainrule.vision") :]] = module
            sys.modules["torch" + name[len("chainrule") :]] = module
    sys.modules["torch"] = chainrule


def unalias_torch():
    """Undo alias_torch(): drop the aliased entries and restore what was there before."""
    global _saved
    if not is_aliased():
        return
    sys.meta_path.remove(_finder)
    for name in _aliased_names():
        del sys.modules[name]
    sys.modules.update(_saved or {})
    _saved = None


def _run_file(path):
    """Execute a source file as __main__, as `python path` does: __file__ and the code's
    file name (seen in tracebacks and warnings) are the absolute path, while sys.argv[0]
    stays as typed (runpy.run_path would set both to the path given)."""
    abspath = os.path.abspath(path)
    with io.open_code(abspath) as f:
        code = compile(f.read(), abspath, "exec")
    module = types.ModuleType("__main__")
    module.__file__, module.__cached__ = abspath, None
    module.__loader__, module.__spec__ = None, None
    old_main = sys.modules.get("__main__")
    sys.modules["__main__"] = module
    try:
        exec(code, module.__dict__)
    finally:
        if old_main is None:
            sys.modules.pop("__main__", None)
        else:
            sys.modules["__main__"] = old_main
    return module.__dict__.copy()


def run_path(path, argv=()):
    """Run the script at `path` as __main__ with torch aliased to chainrule.

    As `python path *argv` would: __name__ is "__main__", __file__ is the absolute path,
    sys.argv is [path, *argv] and the script's directory comes first on sys.path. sys.argv,
    sys.path, the aliasing and sys.modules['__main__'] are restored afterwards, also when the
    script raises (SystemExit included), which propagates to the caller. Returns the script's
    globals.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"can't open file '{path}': No such file or directory")
    was_aliased = is_aliased()
    old_argv, old_path = sys.argv, sys.path[:]
    sys.argv = [path, *argv]
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    alias_torch()
    try:
        if os.path.isfile(path):
            return _run_file(path)
        import runpy

        return runpy.run_path(path, run_name="__main__")
    finally:
        sys.argv = old_argv
        sys.path[:] = old_path
        if not was_aliased:
            unalias_torch()
