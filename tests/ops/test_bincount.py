"""bincount: counts, weights, minlength, result dtypes and PyTorch's errors."""

import numpy as np
import pytest

import chainrule as cr


def _same(ours, theirs):
    assert str(ours.dtype) == str(theirs.dtype)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_counts_without_torch():
    x = cr.tensor([0, 1, 1, 3, 1])
    assert cr.bincount(x).tolist() == [1, 3, 0, 1]
    assert x.bincount(minlength=6).tolist() == [1, 3, 0, 1, 0, 0]
    assert x.bincount(minlength=2).tolist() == [1, 3, 0, 1]  # minlength is a floor only
    assert cr.bincount(x).dtype is cr.int64
    empty = cr.tensor([], dtype=cr.int64)
    assert tuple(cr.bincount(empty).shape) == (0,)
    assert cr.bincount(empty, minlength=3).tolist() == [0, 0, 0]


@pytest.mark.parametrize("minlength", [0, 7])
@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "int8"])
def test_counts_match_torch(torch, dtype, minlength):
    data = np.random.default_rng(0).integers(0, 5, 40).astype(dtype)
    _same(
        cr.bincount(cr.tensor(data), minlength=minlength),
        torch.bincount(torch.tensor(data), minlength=minlength),
    )


@pytest.mark.parametrize("wdtype", ["float32", "float64", "int64", "bool", "float16"])
def test_weights_sum_per_bin_with_torch_result_dtype(torch, wdtype):
    rng = np.random.default_rng(1)
    data = rng.integers(0, 6, 50)
    weights = (rng.standard_normal(50) * 3).astype(wdtype)
    ours = cr.tensor(data).bincount(cr.tensor(weights), minlength=8)
    theirs = torch.tensor(data).bincount(torch.tensor(weights), minlength=8)
    assert str(ours.dtype) == str(theirs.dtype)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6, atol=1e-6)


def test_float32_weights_sum_in_float32():
    # 2**24 + 1 is not a float32: adding 1.0 to 2**24 in float32 leaves 2**24 each time
    weights = cr.tensor([2.0**24, 1.0, 1.0], dtype=cr.float32)
    out = cr.bincount(cr.tensor([0, 0, 0]), weights)
    assert out.dtype is cr.float32
    assert out.item() == 2.0**24


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: cr.bincount(cr.tensor([-1, 2])), RuntimeError, "1-d non-negative integral"),
        (lambda: cr.bincount(cr.tensor([[1, 2]])), RuntimeError, "1-d non-negative integral"),
        (lambda: cr.bincount(cr.tensor(3)), RuntimeError, "1-d non-negative integral"),
        (lambda: cr.bincount(cr.tensor([1.0])), NotImplementedError, "for 'Float'"),
        (lambda: cr.bincount(cr.tensor([True])), NotImplementedError, "for 'Bool'"),
        (
            lambda: cr.bincount(cr.tensor([0, 1]), cr.ones(3)),
            RuntimeError,
            "weights should be 1-d and have the same length as input",
        ),
        (
            lambda: cr.bincount(cr.tensor([0, 1]), cr.ones(2, 1)),
            RuntimeError,
            "weights should be 1-d",
        ),
        (
            lambda: cr.bincount(cr.tensor([0, 1]), minlength=-1),
            RuntimeError,
            "minlength should be >= 0",
        ),
        (
            lambda: cr.bincount(cr.tensor([0, 1]), minlength=2.5),
            TypeError,
            "argument 'minlength' must be int, not float",
        ),
    ],
)
def test_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_error_messages_are_torch_s(torch):
    cases = [
        lambda lib: lib.bincount(lib.tensor([-1, 2])),
        lambda lib: lib.bincount(lib.tensor([[1, 2]])),
        lambda lib: lib.bincount(lib.tensor([1.0])),
        lambda lib: lib.bincount(lib.tensor([0, 1]), lib.ones(3)),
        lambda lib: lib.bincount(lib.tensor([0, 1]), minlength=-1),
    ]
    for case in cases:
        with pytest.raises(Exception) as theirs:
            case(torch)
        with pytest.raises(type(theirs.value)) as ours:
            case(cr)
        assert str(ours.value) == str(theirs.value)
