"""Tensor printing: repr() and str() give exactly the text PyTorch gives.

Golden strings run without PyTorch; the parity tests compare with live
PyTorch output and skip when it is not installed.
"""

import numpy as np
import pytest

import chainrule
from chainrule._printing import format_data, get_printoptions, tensor_repr

NP_DTYPES = {
    "float32": np.float32,
    "float64": np.float64,
    "float16": np.float16,
    "int64": np.int64,
    "int32": np.int32,
    "int16": np.int16,
    "int8": np.int8,
    "uint8": np.uint8,
    "bool": np.bool_,
}


@pytest.fixture(autouse=True)
def _restore_print_options():
    yield
    chainrule.set_printoptions(profile="default")
    chainrule.set_default_dtype(chainrule.float32)
    try:
        import torch

        torch.set_printoptions(profile="default")
        torch.set_default_dtype(torch.float32)
    except ImportError:
        pass


# -- golden strings (no PyTorch needed) -----------------------------------------------------
GOLDEN = [
    ([1.0, 2.0, 3.0], {}, "tensor([1., 2., 3.])"),
    ([1, 2], {}, "tensor([1, 2])"),
    ([True, False], {}, "tensor([ True, False])"),
    (12.0, {}, "tensor(12.)"),
    (-0.0, {}, "tensor(-0.)"),
    (7, {}, "tensor(7)"),
    ([0.1, 2.5], {}, "tensor([0.1000, 2.5000])"),
    ([1e-5, 1.0], {}, "tensor([1.0000e-05, 1.0000e+00])"),
    ([1e9], {}, "tensor([1.0000e+09])"),
    ([1.0, 1000.0], {}, "tensor([   1., 1000.])"),
    ([1.0, 1001.0], {}, "tensor([1.0000e+00, 1.0010e+03])"),
    ([-0.0, 1.5], {}, "tensor([-0.0000, 1.5000])"),
    ([float("nan"), 1.0], {}, "tensor([nan, 1.])"),
    ([float("inf"), -float("inf")], {}, "tensor([inf, -inf])"),
    ([[1.0, 2.0], [3.0, 4.0]], {}, "tensor([[1., 2.],\n        [3., 4.]])"),
    ([], {}, "tensor([])"),
    ([1.0, 2.0], {"dtype": chainrule.float64}, "tensor([1., 2.], dtype=torch.float64)"),
    ([1, 2], {"dtype": chainrule.int32}, "tensor([1, 2], dtype=torch.int32)"),
    ([0.5], {"dtype": chainrule.float16}, "tensor([0.5000], dtype=torch.float16)"),
    ([1.0, 2.0, 3.0], {"requires_grad": True}, "tensor([1., 2., 3.], requires_grad=True)"),
]


@pytest.mark.parametrize("data, kwargs, expected", GOLDEN, ids=[g[2] for g in GOLDEN])
def test_golden(data, kwargs, expected):
    t = chainrule.tensor(data, **kwargs)
    assert repr(t) == expected
    assert str(t) == expected


def test_golden_empty_with_shape_and_dtype():
    assert repr(chainrule.zeros(0, 3)) == "tensor([], size=(0, 3))"
    assert repr(chainrule.zeros(0, dtype=chainrule.int64)) == "tensor([], dtype=torch.int64)"
    assert (
        repr(chainrule.zeros(2, 0, dtype=chainrule.int32))
        == "tensor([], size=(2, 0), dtype=torch.int32)"
    )


def test_golden_grad_fn():
    x = chainrule.tensor([1.0, 2.0, 3.0], requires_grad=True)
    assert repr((x * x).sum()) == "tensor(14., grad_fn=<SumBackward0>)"
    assert repr(x + 1) == "tensor([2., 3., 4.], grad_fn=<AddBackward0>)"


def test_golden_3d_blocks_are_separated_by_a_blank_line():
    t = chainrule.arange(8).reshape(2, 2, 2)
    assert repr(t) == (
        "tensor([[[0, 1],\n         [2, 3]],\n\n        [[4, 5],\n         [6, 7]]])"
    )


def test_golden_summarised_vector():
    t = chainrule.arange(2000.0)
    assert repr(t) == (
        "tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,\n"
        "        1.9990e+03])"
    )


def test_golden_wraps_at_80_columns():
    t = chainrule.arange(30)
    assert repr(t) == (
        "tensor([ 0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, 15, 16, 17,\n"
        "        18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29])"
    )


def test_format_data_with_another_prefix():
    t = chainrule.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    text = "Parameter containing:\n" + tensor_repr(t)
    assert text == (
        "Parameter containing:\ntensor([[1., 2.],\n        [3., 4.]], requires_grad=True)"
    )
    assert format_data(t._data, indent=2) == "[[1., 2.],\n   [3., 4.]]"


def test_set_printoptions():
    chainrule.set_printoptions(precision=2)
    assert repr(chainrule.tensor([0.12345])) == "tensor([0.12])"
    chainrule.set_printoptions(sci_mode=True)
    assert get_printoptions()["precision"] == 2
    assert repr(chainrule.tensor([0.5])) == "tensor([5.00e-01])"
    chainrule.set_printoptions(profile="default")
    assert get_printoptions() == {
        "precision": 4,
        "threshold": 1000,
        "edgeitems": 3,
        "linewidth": 80,
        "sci_mode": None,
    }
    with pytest.raises(ValueError):
        chainrule.set_printoptions(profile="long")


# -- parity with PyTorch ---------------------------------------------------------------------
def _random_array(rng):
    ndim = int(rng.integers(0, 5))
    high = 8 if ndim < 3 else 5
    shape = tuple(int(s) for s in rng.integers(0, high, size=ndim))
    if ndim and rng.random() < 0.15:
        shape = tuple(int(s) for s in rng.integers(1, 40, size=ndim))
    name = str(rng.choice(list(NP_DTYPES)))
    n = int(np.prod(shape))
    mode = int(rng.integers(0, 8))
    if mode == 0:
        v = rng.standard_normal(n)
    elif mode == 1:
        v = rng.integers(-1000, 1000, n).astype(float)
    elif mode == 2:
        v = rng.standard_normal(n) * 10.0 ** int(rng.integers(-12, 12))
    elif mode == 3:
        v = np.exp(rng.uniform(-20, 20, n)) * rng.choice([-1, 1], n)
    elif mode == 4:
        v = rng.choice([0.0, -0.0, np.nan, np.inf, -np.inf, 1.0, 2.5, 1e-5, 1e9], n)
    elif mode == 5:
        v = rng.integers(0, 3, n).astype(float)
    elif mode == 6:
        v = rng.standard_normal(n) * 1e4
    else:
        v = np.round(rng.standard_normal(n) * 100, 2)
    if name[0] in "iu":
        v = np.clip(np.nan_to_num(v, nan=0.0, posinf=7.0, neginf=-7.0), -1e9, 1e9)
        if name in ("uint8", "int8"):
            v = np.abs(v) % 100
        elif name == "int16":
            v = v % 30000
    with np.errstate(all="ignore"):
        return v.astype(NP_DTYPES[name]).reshape(shape)


def _pair(torch, arr, variant):
    """The same tensor in both libraries: a plain leaf, a leaf needing grad, or a result."""
    t = torch.tensor(arr)
    c = chainrule.tensor(arr)
    if variant and arr.dtype.kind == "f":
        t.requires_grad_()
        c.requires_grad_()
        if variant == 2:
            with np.errstate(over="ignore"):  # float16 * 2 may overflow to inf, as in torch
                t, c = t * 2, c * 2
    return t, c


@pytest.mark.parametrize("seed", range(40))
def test_random_tensors_match_torch(torch, seed):
    rng = np.random.default_rng(seed)
    for _ in range(25):
        arr = _random_array(rng)
        t, c = _pair(torch, arr, int(rng.integers(0, 3)))
        assert repr(c) == repr(t)
        assert str(c) == str(t)


HAND_PICKED = [
    [0.0],
    [-0.0, 0.0],
    [1e-4, 1.0],
    [9.99e-5, 1.0],
    [1e8, 1.0],
    [1.1e8],
    [1e8],
    [1.0, 1000.0],
    [1.0, 1001.0],
    [0.5, 500.0],
    [0.5, 500.5],
    [float("nan")],
    [float("inf"), float("-inf"), float("nan")],
    [float("nan"), 0.0],
    [float("nan"), 123.456],
    [1e300, 1e-300],
    [123456789.0],
    [0.1, 0.2, 0.3],
    [-1.5, 2.25, -1000.125],
    [[1e-3, 2e-3], [3e-3, 4e-3]],
    [[[1.0]]],
]


@pytest.mark.parametrize("data", HAND_PICKED, ids=[repr(d) for d in HAND_PICKED])
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_hand_picked_floats_match_torch(torch, data, dtype):
    with np.errstate(all="ignore"):
        arr = np.array(data, dtype=NP_DTYPES[dtype])
    for variant in range(3):
        t, c = _pair(torch, arr, variant)
        assert repr(c) == repr(t)


@pytest.mark.parametrize("n", [1, 5, 17, 18, 19, 40, 100, 1000, 1001, 5000])
@pytest.mark.parametrize("dtype", ["float32", "int64", "bool", "int32", "uint8"])
def test_lengths_and_wrapping_match_torch(torch, n, dtype):
    arr = (np.arange(n) * 37 % 101).astype(NP_DTYPES[dtype])
    if dtype == "float32":
        arr = arr / np.float32(7)
    for variant in range(3):
        t, c = _pair(torch, arr, variant)
        assert repr(c) == repr(t)


@pytest.mark.parametrize(
    "shape", [(1, 1), (3, 1), (1, 3), (2, 3, 4), (2, 1, 3, 2), (7, 7, 7), (11, 100), (3, 400)]
)
def test_shapes_and_summaries_match_torch(torch, shape):
    rng = np.random.default_rng(sum(shape))
    arr = rng.standard_normal(shape).astype(np.float32)
    for variant in range(3):
        t, c = _pair(torch, arr, variant)
        assert repr(c) == repr(t)
    ints = (arr * 100).astype(np.int64)
    assert repr(chainrule.tensor(ints)) == repr(torch.tensor(ints))


@pytest.mark.parametrize("shape", [(0,), (0, 3), (2, 0), (1, 0, 2)])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32", "bool"])
def test_empty_tensors_match_torch(torch, shape, dtype):
    arr = np.zeros(shape, NP_DTYPES[dtype])
    for variant in range(2):
        t, c = _pair(torch, arr, variant)
        assert repr(c) == repr(t)


def test_grad_fn_names_match_torch(torch):
    data = [[1.5, -2.0], [0.25, 4.0]]
    xt = torch.tensor(data, requires_grad=True)
    xc = chainrule.tensor(data, requires_grad=True)
    for make in (
        lambda x: x + x,
        lambda x: x * 3,
        lambda x: x - 1,
        lambda x: x / 3,
        lambda x: x**2,
        lambda x: x.sum(),
        lambda x: (x * x).sum() / 7,
        lambda x: -x,
    ):
        assert repr(make(xc)) == repr(make(xt))


def test_default_dtype_float64_matches_torch(torch):
    torch.set_default_dtype(torch.float64)
    chainrule.set_default_dtype(chainrule.float64)
    for arr in (
        np.array([1.0, 2.0], np.float32),
        np.array([1.0, 2.0]),
        np.zeros(0, np.float32),
        np.zeros(0),
        np.array([1, 2]),
    ):
        assert repr(chainrule.tensor(arr)) == repr(torch.tensor(arr))
    assert repr(chainrule.tensor([0.5])) == repr(torch.tensor([0.5]))


@pytest.mark.parametrize("seed", range(12))
def test_print_options_match_torch(torch, seed):
    rng = np.random.default_rng(100 + seed)
    for _ in range(20):
        opts = {}
        if rng.random() < 0.5:
            opts["precision"] = int(rng.integers(0, 8))
        if rng.random() < 0.5:
            opts["threshold"] = int(rng.integers(5, 200))
        if rng.random() < 0.5:
            opts["edgeitems"] = int(rng.integers(1, 5))
        if rng.random() < 0.5:
            opts["linewidth"] = int(rng.integers(20, 150))
        if rng.random() < 0.3:
            opts["sci_mode"] = bool(rng.random() < 0.5)
        if rng.random() < 0.2:
            opts["profile"] = str(rng.choice(["default", "short", "full"]))
        torch.set_printoptions(**opts)
        chainrule.set_printoptions(**opts)
        shape = tuple(int(s) for s in rng.integers(1, 12, size=int(rng.integers(0, 5))))
        v = rng.standard_normal(int(np.prod(shape))) * 10.0 ** int(rng.integers(-10, 10))
        if rng.random() < 0.3:
            v = np.round(v)
        if rng.random() < 0.2:
            v[0] = rng.choice([np.nan, np.inf, 0.0, -0.0])
        arr = v.astype(np.float32).reshape(shape)
        t, c = _pair(torch, arr, int(rng.integers(0, 3)))
        assert repr(c) == repr(t), opts
        torch.set_printoptions(profile="default")
        chainrule.set_printoptions(profile="default")


def test_suffix_line_wrapping_matches_torch(torch):
    for n in range(1, 30):
        arr = np.arange(n, dtype=np.float64) / 3
        for variant in range(3):
            t, c = _pair(torch, arr, variant)
            assert repr(c) == repr(t)
