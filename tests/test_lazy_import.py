"""`import chainrule` loads the core alone; the packages a script may never touch (nn,
optim, distributions, utils, viz, ...) and the rarer op families (ops/_lazy.py: linear
algebra, complex numbers, sorting, ...) load on first use, by attribute or by import,
under the torch alias too."""

import subprocess
import sys
from pathlib import Path

import pytest

import chainrule

SRC = str(Path(chainrule.__file__).resolve().parents[1])

LAZY = [
    *("nn", "optim", "distributions", "utils", "viz", "testing", "serialization", "onnx", "func"),
    *("linalg", "fft", "special", "signal", "amp", "cuda", "backends", "accelerator"),
    *("compiler", "version", "torch_version"),
]
# What importing chainrule must not start or load: no process, no pool, no archive, no JSON.
SLOW_STDLIB = ["subprocess", "multiprocessing", "zipfile", "json", "tempfile", "ctypes.util"]
# Nor what only some calls need: the random engine (made at the first draw), the fractions
# module (its import compiles a regular expression), glob, secrets.
ON_FIRST_USE = ["numpy.random", "fractions", "glob", "secrets"]
# Nor chainrule's own modules that few scripts need: the op families of ops/_lazy.py, the
# printing code, the normal, multinomial, Poisson and permutation kernels.
FAMILIES = list(chainrule.ops._lazy.FAMILIES)
CHAINRULE_ON_FIRST_USE = [
    *(f"chainrule.ops.{m}" for m in FAMILIES),
    "chainrule._printing",
    *(f"chainrule.random.{m}" for m in ("_normal", "_multinomial", "_poisson", "_permutation")),
]


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
    names += CHAINRULE_ON_FIRST_USE
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
    assert chainrule.compile is chainrule.compiler.compile
    assert chainrule.autocast is chainrule.amp.autocast
    assert chainrule.set_printoptions is chainrule._printing.set_printoptions
    assert chainrule.__version__ is chainrule.version.__version__
    assert "__version__" not in chainrule.__all__ and "compile" in chainrule.__all__
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


# -- the op families that load on first use (ops/_lazy.py) ---------------------------------


def test_the_family_table_is_what_the_modules_define():
    # Loading every family adds no Tensor attribute and no public name that the table does
    # not list, leaves no placeholder, and puts every listed name in chainrule's namespace.
    out = run(
        "import importlib, chainrule; from chainrule.ops import _lazy; T = chainrule.Tensor; "
        "k0, g0 = set(vars(T)), set(vars(chainrule)); "
        "[importlib.import_module('chainrule.ops.' + m) for m in _lazy.FAMILIES]; "
        "print(sorted(set(vars(T)) - k0), "
        "sorted(n for n in set(vars(chainrule)) - g0 - set(_lazy.TOP_LEVEL) if n[0] != '_'), "
        "[n for n, v in vars(T).items() if isinstance(v, _lazy._Placeholder)], "
        "[n for n in _lazy.TOP_LEVEL if n not in vars(chainrule)])"
    )
    assert out == ["[]"] * 4


@pytest.mark.parametrize("family", FAMILIES)
def test_every_name_of_a_family_resolves_in_a_fresh_process(family):
    # each listed name, as a top-level function and as a Tensor attribute, reached first
    # (before its module is loaded), is the object it is once everything is loaded
    top, attributes = chainrule.ops._lazy.FAMILIES[family]
    out = run(
        "import sys, chainrule; T = chainrule.Tensor; "
        f"top, attrs = {top.split()!r}, {attributes.split()!r}; "
        f"before = 'chainrule.ops.{family}' in sys.modules; "
        "got = [getattr(chainrule, n) for n in top] + [getattr(T, n) for n in attrs]; "
        "import importlib; "
        "[importlib.import_module('chainrule.ops.' + m) for m in chainrule.ops._lazy.FAMILIES]; "
        "again = [getattr(chainrule, n) for n in top] + [getattr(T, n) for n in attrs]; "
        "print(before, all(a is b for a, b in zip(got, again)), "
        "all(n in dir(chainrule) for n in top), all(hasattr(T, n) for n in attrs))"
    )
    assert out == ["False", "True", "True", "True"]
    for name in top.split():
        assert name in chainrule.__all__
    for name in attributes.split():
        assert name in dir(chainrule.Tensor)


def test_a_family_loads_by_method_call_class_attribute_or_import():
    out = run(
        "import sys, chainrule; a = chainrule.tensor([[4.0, 1.0], [1.0, 3.0]]); "
        "L = a.cholesky(); ok1 = 'chainrule.ops.linalg_factor' in sys.modules; "
        "s = chainrule.Tensor.sort; ok2 = s is chainrule.sort; "
        "ok3 = hasattr(chainrule.Tensor, 'cummax') and 'chainrule.ops.scans' in sys.modules; "
        "from chainrule.ops.statistics import kthvalue; "
        "ok4 = chainrule.Tensor.kthvalue is chainrule.kthvalue; "
        "from chainrule import topk; ok5 = topk is chainrule.Tensor.topk; "
        "print(ok1, ok2, ok3, ok4, ok5, L.tolist() == chainrule.linalg.cholesky(a).tolist())"
    )
    assert out == ["True"] * 6


def test_a_lazily_loaded_method_takes_numpy_names():
    # sort's dim= is renamed from axis= for the method and the function, as for the others
    out = run(
        "import chainrule; a = chainrule.tensor([[3.0, 1.0], [2.0, 5.0]]); "
        "print(a.sort(axis=0).values.tolist() == a.sort(dim=0).values.tolist(), "
        "chainrule.sort(x=a, axis=1).indices.tolist(), "
        "chainrule.linalg.det is chainrule.det, chainrule.det is chainrule.Tensor.det)"
    )
    assert out == ["True", "[[1,", "0],", "[0,", "1]]", "True", "True"]


def test_complex_operands_load_the_complex_rules_first():
    # complex.py says which ops take complex operands: a complex tensor in an op loads it
    out = run(
        "import sys, chainrule; z = chainrule.tensor([1 + 2j, 3 - 1j], requires_grad=True); "
        "before = 'chainrule.ops.complex' in sys.modules; y = (z * z).abs().sum(); "
        "y.backward(); print(before, y.item(), z.grad.tolist() == [2 + 4j, 6 - 2j])"
    )
    assert out == ["False", "15.0", "True"]


def test_a_placeholder_passes_assignment_to_the_property():
    out = run(
        "import chainrule; z = chainrule.tensor([1 + 2j]); z.real = chainrule.tensor([5.0]); "
        "print(z.tolist() == [5 + 2j], type(chainrule.Tensor.__dict__['real']).__name__)"
    )
    assert out == ["True", "property"]


def test_a_lazily_loaded_operator_works_from_the_first_use():
    # the shifts and __rdiv__ are in a family: the operator finds the placeholder first
    out = run(
        "import chainrule; x = chainrule.tensor([1, 2]); "
        "print((x << 1).tolist(), (1 << x).tolist(), x.__rdiv__(2).tolist())"
    )
    assert out == ["[2,", "4]", "[2,", "4]", "[2.0,", "1.0]"]


def test_the_cycle_collector_is_as_the_program_left_it():
    out = run(
        "import gc; gc.disable(); import chainrule; print(gc.isenabled(), gc.get_freeze_count())"
    )
    assert out == ["False", "0"]
    out = run("import gc, chainrule; print(gc.isenabled())")
    assert out == ["True"]
    # objects a program froze stay frozen (but for the few the import frees)
    out = run(
        "import gc; x = [[]]; gc.freeze(); n = gc.get_freeze_count(); import chainrule; "
        "print(n > 1000 and gc.get_freeze_count() > n - 100)"
    )
    assert out == ["True"]


def test_result_types_are_made_once_on_first_use():
    import pickle

    out = run(
        "import chainrule; r = chainrule.return_types; a = r.svd; "
        "print(a is r.svd, 'linalg_lstsq' in dir(r), 'svd' in r.__all__, a.__module__)"
    )
    assert out == ["True", "True", "True", "chainrule.return_types"]
    value = chainrule.tensor([[3.0, 1.0]]).max(1)
    assert pickle.loads(pickle.dumps(value)).indices.tolist() == [0]
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        chainrule.return_types.nothing  # noqa: B018


# A thread reaching a family's Tensor attribute while another thread is importing the
# family: the importer is held at its module's first definition (a patched tensor_method)
# until the reader has either finished or gone to the import machinery to wait for it
# (a patched import_module says so), so the interleaving is the same on every run.
_READ_DURING_IMPORT = """
import importlib, threading, chainrule
from chainrule.ops import op
paused, resume, reader_waits = threading.Event(), threading.Event(), threading.Event()
define, import_module, seen = op.tensor_method, importlib.import_module, []

def held_tensor_method(*names):
    if threading.current_thread().name == "importer" and not paused.is_set():
        # this thread's own reach of an attribute not yet defined: none, and no recursion
        seen.append(hasattr(chainrule.Tensor, {attribute!r}))
        paused.set()
        resume.wait(60)
    return define(*names)

def noted_import_module(name, *args):
    if threading.current_thread().name == "reader":
        reader_waits.set()
    return import_module(name, *args)

def importer():
    import chainrule.ops.{family}

def reader():
    try:
        seen.append({read})
    except Exception as e:
        seen.append(type(e).__name__ + ": " + str(e))
    reader_waits.set()

op.tensor_method, importlib.import_module = held_tensor_method, noted_import_module
first = threading.Thread(target=importer, name="importer")
first.start()
assert paused.wait(60)
second = threading.Thread(target=reader, name="reader")
second.start()
assert reader_waits.wait(60)
resume.set()
first.join()
second.join()
print(repr(seen))
"""


@pytest.mark.parametrize(
    ("family", "attribute", "read", "expected"),
    [
        ("sorting", "sort", "chainrule.tensor([2.0, 1.0]).sort().values.tolist()", [1.0, 2.0]),
        ("elementwise", "__lshift__", "(chainrule.tensor([1, 2]) << 1).tolist()", [2, 4]),
        ("statistics", "nansum", "chainrule.Tensor.nansum is chainrule.nansum", True),
    ],
)
def test_a_thread_reaching_a_family_another_thread_is_importing_waits(
    family, attribute, read, expected
):
    out = run(_READ_DURING_IMPORT.format(family=family, attribute=attribute, read=read))
    assert " ".join(out) == repr([False, expected])
