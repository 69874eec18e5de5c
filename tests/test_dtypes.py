"""dtype objects, the default dtype, and type promotion, compared with PyTorch."""

import itertools
import pickle
import warnings

import numpy as np
import pytest

import chainrule
from chainrule import dtypes

NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
SCALARS = [True, 3, 2.5]


@pytest.fixture(autouse=True)
def _restore_default_dtype():
    yield
    chainrule.set_default_dtype(chainrule.float32)
    try:
        import torch

        torch.set_default_dtype(torch.float32)
    except ImportError:
        pass


def _operand(lib, spec):
    """spec: ("scalar", value) or (dtype name, zero_dim)."""
    kind, arg = spec
    if kind == "scalar":
        return arg
    value = True if kind == "bool" else 1
    return lib.tensor(value if arg else [value, value], dtype=getattr(lib, kind))


OPERANDS = [(n, zero_dim) for n in NAMES for zero_dim in (False, True)] + [
    ("scalar", s) for s in SCALARS
]
PAIRS = [(x, y) for x, y in itertools.product(OPERANDS, repeat=2) if "scalar" not in (x[0], y[0])]
PAIRS += [
    (x, y)
    for x, y in itertools.product(OPERANDS, repeat=2)
    if (x[0] == "scalar") ^ (y[0] == "scalar")
]
BINARY = {
    "add": lambda a, b: a + b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
}


def _spec_id(spec):
    kind, arg = spec
    if kind == "scalar":
        return repr(arg)
    return f"{kind}{'[0d]' if arg else ''}"


@pytest.mark.parametrize("op", list(BINARY))
def test_binary_result_dtype_matches_torch(torch, op):
    fn = BINARY[op]
    mismatches = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for x, y in PAIRS:
            expected = str(fn(_operand(torch, x), _operand(torch, y)).dtype)
            got = repr(fn(_operand(chainrule, x), _operand(chainrule, y)).dtype)
            if got != expected:
                mismatches.append((_spec_id(x), _spec_id(y), expected, got))
    assert mismatches == []


@pytest.mark.parametrize("op", list(BINARY))
def test_binary_result_dtype_under_float64_default(torch, op):
    torch.set_default_dtype(torch.float64)
    chainrule.set_default_dtype(chainrule.float64)
    fn = BINARY[op]
    for x, y in PAIRS:
        expected = str(fn(_operand(torch, x), _operand(torch, y)).dtype)
        assert repr(fn(_operand(chainrule, x), _operand(chainrule, y)).dtype) == expected, (x, y)


@pytest.mark.parametrize("a, b", list(itertools.product(NAMES, repeat=2)))
def test_promote_types_matches_torch(torch, a, b):
    expected = torch.promote_types(getattr(torch, a), getattr(torch, b))
    got = chainrule.promote_types(getattr(chainrule, a), getattr(chainrule, b))
    assert repr(got) == str(expected)


def test_result_type_rules_without_torch():
    i64, f32, f64, u8, i8, b = (
        dtypes.int64,
        dtypes.float32,
        dtypes.float64,
        dtypes.uint8,
        dtypes.int8,
        dtypes.bool_,
    )
    # Python numbers are weak: they never widen a tensor of their own category.
    assert dtypes.result_type((i8, 1), 1000) is i8
    assert dtypes.result_type((f32, 1), 2.5) is f32
    assert dtypes.result_type((i64, 1), 2.5) is f32
    assert dtypes.result_type((b, 1), 3) is i64
    # A 0-d tensor only wins when it is of a higher category.
    assert dtypes.result_type((u8, 1), (f64, 0)) is f64
    assert dtypes.result_type((f32, 1), (f64, 0)) is f32
    assert dtypes.result_type((u8, 1), (i64, 0)) is u8
    assert dtypes.promote_types(u8, i8) is dtypes.int16
    assert dtypes.promote_types(b, u8) is u8


def test_dtype_objects_print_and_compare():
    assert repr(chainrule.float32) == "torch.float32"
    assert str(chainrule.int64) == "torch.int64"
    assert repr(chainrule.bool) == "torch.bool"
    assert chainrule.float is chainrule.float32
    assert chainrule.double is chainrule.float64
    assert chainrule.long is chainrule.int64
    assert chainrule.int is chainrule.int32
    assert chainrule.half is chainrule.float16
    assert chainrule.float32.is_floating_point
    assert not chainrule.int32.is_floating_point
    assert chainrule.float64.itemsize == 8
    assert pickle.loads(pickle.dumps(chainrule.int16)) is chainrule.int16


@pytest.mark.parametrize("name", NAMES)
def test_dtype_attributes_match_torch(torch, name):
    ours, theirs = getattr(chainrule, name), getattr(torch, name)
    assert repr(ours) == repr(theirs)
    assert ours.is_floating_point == theirs.is_floating_point
    assert ours.is_signed == theirs.is_signed
    assert ours.itemsize == theirs.itemsize
    assert ours.is_complex == theirs.is_complex


def test_default_dtype():
    assert chainrule.get_default_dtype() is chainrule.float32
    chainrule.set_default_dtype(chainrule.float64)
    assert chainrule.get_default_dtype() is chainrule.float64
    assert chainrule.tensor([1.5]).dtype is chainrule.float64
    assert chainrule.zeros(2).dtype is chainrule.float64
    assert chainrule.tensor([1]).dtype is chainrule.int64
    assert (chainrule.tensor([1]) / 2).dtype is chainrule.float64
    chainrule.set_default_dtype(chainrule.float32)
    assert chainrule.tensor([1.5]).dtype is chainrule.float32


def test_set_default_dtype_refuses_integers(torch):
    with pytest.raises(TypeError) as theirs:
        torch.set_default_dtype(torch.int64)
    with pytest.raises(TypeError) as ours:
        chainrule.set_default_dtype(chainrule.int64)
    assert str(ours.value) == str(theirs.value)


CASTS = ["float", "double", "half", "long", "int", "short", "char", "byte", "bool"]


@pytest.mark.parametrize("cast", CASTS)
@pytest.mark.parametrize("source", ["float32", "int64", "bool"])
def test_cast_methods_match_torch(torch, cast, source):
    data = [0, 1, 3] if source != "bool" else [False, True, True]
    t = getattr(torch.tensor(data, dtype=getattr(torch, source)), cast)()
    c = getattr(chainrule.tensor(data, dtype=getattr(chainrule, source)), cast)()
    assert repr(c.dtype) == str(t.dtype)
    assert c.tolist() == t.tolist()


@pytest.mark.parametrize("target", NAMES)
def test_to_dtype_matches_torch(torch, target):
    data = [-1.5, 0.0, 2.7]
    t = torch.tensor(data).to(getattr(torch, target))
    c = chainrule.tensor(data).to(getattr(chainrule, target))
    assert repr(c.dtype) == str(t.dtype)
    if target != "uint8":  # converting negative floats to uint8 is undefined behaviour
        assert c.tolist() == t.tolist()


def test_to_keeps_the_same_tensor_when_nothing_changes():
    x = chainrule.tensor([1.0, 2.0])
    assert x.to(chainrule.float32) is x
    assert x.to("cpu") is x
    assert x.to(chainrule.float32, copy=True) is not x
    y = x.to(chainrule.float64)
    assert y.dtype is chainrule.float64
    assert x.to(chainrule.tensor([1])).dtype is chainrule.int64


@pytest.mark.parametrize(
    "args",
    [
        ("cpu", "float32", True, True),
        ("cpu", "float32", False, False),
        ("float32", False, True),
        ("float32", True),
        ("float64", True, False),
        ("other", False, True),
        ("other", True, False),
    ],
)
def test_to_takes_non_blocking_and_copy_positionally(args, torch):
    """to(..., non_blocking, copy): the second flag asks for a copy, as in PyTorch."""
    seen = []
    for lib in (torch, chainrule):
        x = lib.tensor([1.0, 2.0])
        named = {"float32": lib.float32, "float64": lib.float64, "other": lib.zeros(1)}
        y = x.to(*(named.get(a, a) for a in args))
        seen.append((y is x, str(y.dtype), y.tolist()))
    assert seen[1] == seen[0]


def test_to_is_differentiable():
    x = chainrule.tensor([1.0, 2.0], requires_grad=True)
    y = x.double()
    assert y.grad_fn.name() == "ToCopyBackward0"
    (y * y).sum().backward()
    assert x.grad.dtype is chainrule.float32
    assert x.grad.tolist() == [2.0, 4.0]


def test_numpy_dtype_conversion():
    assert dtypes.to_dtype(np.float32) is chainrule.float32
    assert dtypes.to_dtype(float) is chainrule.float64
    assert dtypes.to_dtype(int) is chainrule.int64
    assert dtypes.to_dtype(bool) is chainrule.bool
    assert dtypes.to_dtype(np.complex64) is chainrule.complex64
    assert dtypes.to_dtype(complex) is chainrule.complex128
    with pytest.raises(TypeError, match="can.t convert np.ndarray of type numpy.uint16"):
        dtypes.from_numpy_dtype(np.uint16)
