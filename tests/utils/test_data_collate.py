"""default_collate and default_convert against PyTorch's: types, dtypes, shapes, nesting."""

import collections

import numpy as np
import pytest

import chainrule
from chainrule.utils.data import default_collate, default_convert

Point = collections.namedtuple("Point", "x y")


def _same(ours, theirs, torch):
    """Same structure, container types, tensor dtypes, shapes and values."""
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, chainrule.Tensor), type(ours)
        assert str(ours.dtype) == str(theirs.dtype)
        assert tuple(ours.shape) == tuple(theirs.shape)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
        return
    if isinstance(theirs, Point):
        assert type(ours) is Point
    else:
        assert type(ours) is type(theirs), (type(ours), type(theirs))
    if isinstance(theirs, dict):
        assert list(ours) == list(theirs)
        for k in theirs:
            _same(ours[k], theirs[k], torch)
    elif isinstance(theirs, (list, tuple)):
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            _same(a, b, torch)
    else:
        assert ours == theirs


def _batch(lib, kind):
    """The same batch built for chainrule or PyTorch."""
    t = lib.tensor
    batches = {
        "tensors": [t([1.0, 2.0]), t([3.0, 4.0]), t([5.0, 6.0])],
        "int_tensors": [t([1, 2], dtype=lib.int32), t([3, 4], dtype=lib.int32)],
        "scalars": [t(1.5), t(2.5)],
        "floats": [1.5, 2.0, -3.25],
        "ints": [1, 2, 3],
        "int_then_float": [1, 2.5],
        "bools": [True, False, True],
        "strings": ["a", "bb", "c"],
        "bytes": [b"a", b"b"],
        "np_arrays": [np.array([1, 2], dtype=np.int16), np.array([3, 4], dtype=np.int16)],
        "np_float_arrays": [np.ones((2, 3)), np.zeros((2, 3))],
        "np_scalars": [np.float32(1.0), np.float32(2.5)],
        "np_float64": [np.float64(1.0), np.float64(2.5)],
        "np_bools": [np.bool_(True), np.bool_(False)],
        "tuples": [(t([1.0]), 1, "a"), (t([2.0]), 2, "b")],
        "lists": [[t([1.0]), 1.5], [t([2.0]), 2.5]],
        "dicts": [
            {"x": t([1.0, 2.0]), "y": 1, "z": {"w": 0.5}},
            {"x": t([3.0, 4.0]), "y": 2, "z": {"w": 1.5}},
        ],
        "namedtuples": [Point(t(1.0), 1), Point(t(2.0), 2)],
        "ordered": [collections.OrderedDict(b=1, a=2.0), collections.OrderedDict(b=3, a=4.0)],
        "nested": [
            ([1, 2], {"k": (np.float64(1.0), "s")}),
            ([3, 4], {"k": (np.float64(2.0), "t")}),
        ],
    }
    return batches[kind]


KINDS = [
    "tensors",
    "int_tensors",
    "scalars",
    "floats",
    "ints",
    "int_then_float",
    "bools",
    "strings",
    "bytes",
    "np_arrays",
    "np_float_arrays",
    "np_scalars",
    "np_float64",
    "np_bools",
    "tuples",
    "lists",
    "dicts",
    "namedtuples",
    "ordered",
    "nested",
]


@pytest.mark.parametrize("kind", KINDS)
def test_default_collate_matches_pytorch(torch, kind):
    from torch.utils.data import default_collate as torch_collate

    _same(default_collate(_batch(chainrule, kind)), torch_collate(_batch(torch, kind)), torch)


def test_python_floats_collate_to_float64_and_ints_to_int64():
    assert default_collate([1.0, 2.0]).dtype == chainrule.float64
    assert default_collate([1, 2]).dtype == chainrule.int64
    assert default_collate([True, False]).dtype == chainrule.bool


def test_strings_in_a_list_batch_stay_a_list_and_in_tuples_become_a_tuple():
    assert default_collate(["a", "b"]) == ["a", "b"]
    assert default_collate([(1, "a"), (2, "b")])[1] == ("a", "b")


def test_stacking_keeps_the_graph():
    a = chainrule.tensor([1.0, 2.0], requires_grad=True)
    out = default_collate([a, a * 2])
    out.sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [3.0, 3.0])


@pytest.mark.parametrize(
    "batch, error, message",
    [
        ([[1, 2], [1]], RuntimeError, "each element in list of batch should be of equal size"),
        ([None, None], TypeError, "found <class 'NoneType'>"),
        ([object()], TypeError, "default_collate: batch must contain tensors, numpy arrays"),
        ([np.array(["a"])], TypeError, "found <U1"),
    ],
)
def test_collate_errors_match_pytorch(torch, batch, error, message):
    from torch.utils.data import default_collate as torch_collate

    with pytest.raises(error, match=message):
        default_collate(batch)
    with pytest.raises(error, match=message):
        torch_collate(batch)


def test_mismatched_tensor_sizes_name_both_shapes(torch):
    from torch.utils.data import default_collate as torch_collate

    msg = (
        r"stack expects each tensor to be equal size, but got \[3\] at entry 0 and \[4\] at entry 1"
    )
    with pytest.raises(RuntimeError, match=msg):
        default_collate([chainrule.zeros(3), chainrule.zeros(4)])
    with pytest.raises(RuntimeError, match=msg):
        torch_collate([torch.zeros(3), torch.zeros(4)])


CONVERT_CASES = [
    lambda lib: np.array([1, 2], dtype=np.int32),
    lambda lib: np.float64(2.5),
    lambda lib: (np.zeros(2), 3),
    lambda lib: [np.ones(1), "s", 1.5],
    lambda lib: {"a": np.zeros(2, dtype=np.float32), "b": "text"},
    lambda lib: Point(np.ones(1), 2),
    lambda lib: "plain string",
    lambda lib: 7,
    lambda lib: lib.tensor([1.0]),
]


@pytest.mark.parametrize("case", range(len(CONVERT_CASES)))
def test_default_convert_matches_pytorch(torch, case):
    from torch.utils.data import default_convert as torch_convert

    make = CONVERT_CASES[case]
    _same(default_convert(make(chainrule)), torch_convert(make(torch)), torch)


def test_default_convert_leaves_string_arrays_alone():
    arr = np.array(["a", "b"])
    assert default_convert(arr) is arr
