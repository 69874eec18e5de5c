"""alias_torch(): `import torch...` resolves to chainrule's modules; run_path() runs scripts."""

import importlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import chainrule
from chainrule import _alias

SRC = Path(__file__).resolve().parents[1] / "src"


@pytest.fixture
def aliased():
    """Aliasing on for one test, and everything put back afterwards."""
    before = {n: m for n, m in sys.modules.items() if n.split(".")[0] in ("torch", "torchvision")}
    _alias.alias_torch()
    yield
    _alias.unalias_torch()
    after = {n: m for n, m in sys.modules.items() if n.split(".")[0] in ("torch", "torchvision")}
    assert after == before


def test_nothing_is_aliased_until_asked():
    code = "import sys, chainrule; print(chainrule._alias.is_aliased(), 'torch' in sys.modules)"
    env = dict(os.environ, PYTHONPATH=str(SRC))
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.split() == ["False", "False"]


def test_alias_torch_is_exported():
    assert chainrule.alias_torch is _alias.alias_torch


def test_import_torch_gives_chainrule(aliased):
    import torch

    assert torch is chainrule
    assert torch.Tensor is chainrule.Tensor


def test_submodules_are_the_same_module_objects(aliased):
    import torch.autograd
    import torch.backends.cudnn as cudnn
    import torch.cuda
    import torch.nn as nn
    import torch.nn.functional as F
    import torch.nn.utils.rnn
    import torch.optim as optim
    import torch.utils.data

    assert nn is chainrule.nn
    assert F is chainrule.nn.functional
    assert optim is chainrule.optim
    assert cudnn is chainrule.backends.cudnn
    assert torch.autograd is chainrule.autograd
    assert torch.cuda is chainrule.cuda
    assert torch.nn.utils.rnn is chainrule.nn.utils.rnn
    assert torch.utils.data is chainrule.utils.data
    assert sys.modules["torch.nn.functional"] is chainrule.nn.functional


def test_from_imports_resolve(aliased):
    from torch.autograd import Variable
    from torch.nn import functional

    assert Variable is chainrule.autograd.Variable
    assert functional is chainrule.nn.functional


def test_submodule_not_yet_loaded_is_found_by_the_finder(aliased):
    # chainrule.autograd.gradcheck is loaded; drop its torch name so the finder must
    # produce it rather than the eager sys.modules entries.
    sys.modules.pop("torch.autograd.gradcheck", None)
    mod = importlib.import_module("torch.autograd.gradcheck")
    assert mod is chainrule.autograd.gradcheck


def test_torchvision_resolves_to_chainrule_vision(aliased):
    import torchvision

    assert torchvision is chainrule.vision


@pytest.mark.parametrize("sub", ["transforms", "datasets"])
def test_torchvision_submodules(aliased, sub):
    try:
        target = importlib.import_module(f"chainrule.vision.{sub}")
    except ModuleNotFoundError:
        pytest.skip(f"chainrule.vision.{sub} is not written yet")
    assert importlib.import_module(f"torchvision.{sub}") is target


def test_missing_counterpart_names_both(aliased):
    with pytest.raises(ModuleNotFoundError) as info:
        import torch.distributed  # noqa: F401
    assert info.value.name == "torch.distributed"
    assert "'torch.distributed'" in str(info.value)
    assert "'chainrule.distributed'" in str(info.value)


def test_missing_torchvision_counterpart_names_both(aliased):
    with pytest.raises(ModuleNotFoundError) as info:
        importlib.import_module("torchvision.no_such_thing")
    assert "'torchvision.no_such_thing'" in str(info.value)
    assert "'chainrule.vision.no_such_thing'" in str(info.value)


def test_a_missing_dependency_keeps_its_own_error(aliased, monkeypatch):
    def failing(name):
        raise ModuleNotFoundError("No module named 'PIL'", name="PIL")

    monkeypatch.setattr(_alias.importlib, "import_module", failing)
    sys.modules.pop("torch.autograd.gradcheck", None)
    with pytest.raises(ModuleNotFoundError) as info:
        __import__("torch.autograd.gradcheck")
    assert info.value.name == "PIL"


def test_alias_is_idempotent(aliased):
    _alias.alias_torch()
    assert sum(f is _alias._finder for f in sys.meta_path) == 1
    import torch

    assert torch is chainrule


def test_unalias_restores_a_previously_imported_module():
    sentinel = type(sys)("torch")
    old = sys.modules.get("torch")
    sys.modules["torch"] = sentinel
    try:
        _alias.alias_torch()
        assert sys.modules["torch"] is chainrule
        _alias.unalias_torch()
        assert sys.modules["torch"] is sentinel
        assert not _alias.is_aliased()
    finally:
        _alias.unalias_torch()
        if old is None:
            sys.modules.pop("torch", None)
        else:
            sys.modules["torch"] = old


def test_unalias_without_alias_does_nothing():
    before = dict(sys.modules)
    _alias.unalias_torch()
    assert dict(sys.modules) == before


# -- run_path --------------------------------------------------------------------------------
def write(tmp_path, name, source):
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    return path


def test_run_path_runs_as_main_with_argv_and_script_dir(tmp_path):
    write(tmp_path, "neighbour.py", "VALUE = 42\n")
    script = write(
        tmp_path,
        "script.py",
        """
        import sys
        import torch
        import neighbour
        name = __name__
        file = __file__
        argv = list(sys.argv)
        path0 = sys.path[0]
        is_chainrule = torch.__name__ == "chainrule"
        value = neighbour.VALUE
        """,
    )
    argv_before, path_before = list(sys.argv), list(sys.path)
    main_before = sys.modules["__main__"]
    g = _alias.run_path(str(script), ["--epochs", "3"])
    assert g["name"] == "__main__"
    assert g["file"] == str(script)
    assert g["argv"] == [str(script), "--epochs", "3"]
    assert g["path0"] == str(tmp_path)
    assert g["is_chainrule"] is True
    assert g["value"] == 42
    assert sys.argv == argv_before
    assert sys.path == path_before
    assert sys.modules["__main__"] is main_before
    assert not _alias.is_aliased()
    sys.modules.pop("neighbour", None)


def test_run_path_relative_gives_absolute_file_as_python_does(tmp_path, monkeypatch):
    # python script.py sets an absolute __file__ (and code file name, seen in warnings and
    # tracebacks) while sys.argv[0] stays as typed.
    write(tmp_path, "rel.py", "import sys\nfile = __file__\nargv0 = sys.argv[0]\n")
    monkeypatch.chdir(tmp_path)
    g = _alias.run_path("rel.py")
    assert g["file"] == str(tmp_path / "rel.py")
    assert g["argv0"] == "rel.py"


def test_run_path_classes_are_findable_on_main_while_running(tmp_path):
    # pickle (DataLoader workers, torch.save of a module) looks classes up on __main__
    script = write(
        tmp_path,
        "script.py",
        """
        import pickle, sys
        class Thing:
            pass
        found = sys.modules["__main__"].Thing is Thing
        again = type(pickle.loads(pickle.dumps(Thing()))) is Thing
        """,
    )
    g = _alias.run_path(script)
    assert g["found"] and g["again"]


def test_run_path_restores_state_when_the_script_exits(tmp_path):
    script = write(tmp_path, "script.py", "import sys\nsys.exit(3)\n")
    argv_before = list(sys.argv)
    with pytest.raises(SystemExit) as info:
        _alias.run_path(script, ["a"])
    assert info.value.code == 3
    assert sys.argv == argv_before
    assert not _alias.is_aliased()


def test_run_path_propagates_exceptions_and_restores(tmp_path):
    script = write(tmp_path, "script.py", "import torch\nraise ValueError('boom')\n")
    path_before = list(sys.path)
    with pytest.raises(ValueError, match="boom"):
        _alias.run_path(script)
    assert sys.path == path_before
    assert not _alias.is_aliased()


def test_run_path_keeps_an_existing_alias(aliased, tmp_path):
    script = write(tmp_path, "script.py", "x = 1\n")
    _alias.run_path(script)
    assert _alias.is_aliased()


def test_run_path_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="No such file"):
        _alias.run_path(tmp_path / "nope.py")
