"""`import chainrule` loads the core alone; the packages a script may never touch (nn,
optim, distributions, utils, viz, ...) load on first use, by attribute or by import,
under the torch alias too."""

import subprocess
import sys
from pathlib import Path

import pytest

import chainrule

SRC = str(Path(chainrule.__file__).resolve().parents[1])

LAZY = ["nn", "optim", "distributions", "utils", "viz", "testing", "serialization", "onnx", "func"]
# What importing chainrule must not start or load: no process, no pool, no archive, no JSON.
SLOW_STDLIB = ["subprocess", "multiprocessing", "zipfile", "json", "tempfile", "ctypes.util"]
# Nor what only some calls need: the random engine (made at the first draw), the fractions
# module (its import compiles a regular expression), glob, secrets.
ON_FIRST_USE = ["numpy.random", "fractions", "glob", "secrets"]


def run(code):
    """Run code in a fresh interpreter that imports chainrule from this checkout."""
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": SRC, "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_import_loads_none_of_the_lazy_packages():
    names = [*(f"chainrule.{m}" for m in LAZY), *SLOW_STDLIB, *ON_FIRST_USE]
    names = ", ".join(repr(n) for n in names)
    out = run(f"import sys, chainrule; print([n for n in ({names},) if n in sys.modules])")
    assert out == ["[]"]


@pytest.mark.parametrize("name", LAZY)
def test_each_lazy_package_loads_on_first_use(name):
    out = run(
        f"import sys, chainrule; m = chainrule.{name}; "
        f"print(m is sys.modules['chainrule.{name}'], '{name}' in dir(chainrule))"
    )
    assert out == ["True", "True"]


def test_torch_nn_and_optim_import_under_the_alias():
    code = (
        "import chainrule; chainrule.alias_torch(); "
        "import torch.nn as nn; import torch.nn.functional as F; import torch; "
        "m = nn.Linear(2, 1); opt = torch.optim.SGD(m.parameters(), lr=0.1); "
        "from torch.utils.data import DataLoader; import torch.distributions as D; "
        "print(nn is chainrule.nn, F is chainrule.nn.functional, type(opt).__module__, "
        "D.Normal is chainrule.distributions.Normal)"
    )
    assert run(code) == ["True", "True", "chainrule.optim.sgd", "True"]


def test_top_level_nn_functions_load_nn_and_take_numpy_names():
    from chainrule.nn.functional import _torch_level

    expected = {*_torch_level.__all__, "gru_cell", "lstm_cell", "rnn_relu_cell", "rnn_tanh_cell"}
    assert chainrule._NN_NAMES == expected
    out = run(
        "import chainrule; a = chainrule.tensor([[1.0, 2.0, 4.0, 5.0]]).reshape(1, 2, 2); "
        "print(chainrule.group_norm(x=a, num_groups=1).tolist() == "
        "chainrule.nn.functional.group_norm(a, 1).tolist(), chainrule.group_norm is "
        "chainrule.nn.functional._torch_level.group_norm)"
    )
    # group_norm takes NumPy's names (x= for input=) as every top-level function does,
    # through a wrapper
    assert out == ["True", "False"]


def test_tensor_dist_works_before_nn_is_loaded():
    out = run(
        "import sys, chainrule; a = chainrule.tensor([3.0, 4.0]); "
        "print(a.dist(chainrule.zeros(2)).item(), a.dist(other=chainrule.zeros(2), p=1).item())"
    )
    assert out == ["5.0", "7.0"]


def test_lazy_names_are_the_eager_ones():
    assert chainrule.load is chainrule.serialization.load
    assert chainrule.save is chainrule.serialization.save
    assert chainrule.explain is chainrule.viz.explain
    with pytest.raises(AttributeError, match="has no attribute 'no_such_thing'"):
        chainrule.no_such_thing  # noqa: B018


def test_the_default_stream_is_seeded_before_its_engine_exists():
    # manual_seed before the first draw, and a state read, give PyTorch's stream
    out = run(
        "import sys, chainrule; chainrule.manual_seed(3); a = sys.modules.get('numpy.random'); "
        "x = chainrule.rand(2).tolist(); chainrule.manual_seed(3); "
        "print(a is None, x == chainrule.rand(2).tolist(), chainrule.initial_seed(), "
        "tuple(chainrule.get_rng_state().shape))"
    )
    assert out == ["True", "True", "3", "(5056,)"]


def test_the_default_stream_matches_pytorchs_after_seeding(torch):
    out = run("import chainrule; chainrule.manual_seed(7); print(chainrule.randn(5).tolist())")
    torch.manual_seed(7)
    assert " ".join(out) == str(torch.randn(5).tolist())


def test_star_import_gives_the_lazy_names_too():
    out = run(
        "from chainrule import *; import chainrule; "
        "print(cdist is chainrule.cdist, load is chainrule.load, nn is chainrule.nn, "
        "gru_cell is chainrule.gru_cell, 'Tensor' in chainrule.__all__)"
    )
    assert out == ["True"] * 5
