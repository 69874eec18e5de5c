"""chainrule.testing.assert_close: the same verdicts, exception types and messages as
PyTorch's, for tensors, arrays, numbers, None, and sequences and mappings of them."""

import numpy as np
import pytest

import chainrule

NAN, INF = float("nan"), float("inf")

CASES = {
    "float32 close": lambda L: (L.tensor([1.0, 2.0, 3.0]), L.tensor([1.0, 2.0 + 1e-6, 3.0])),
    "float32": lambda L: (L.tensor([1.0, 2.0, 3.0]), L.tensor([1.0, 2.1, 3.0])),
    "float64": lambda L: (
        L.tensor([1.0, 2.0, 3.0], dtype=L.float64),
        L.tensor([1.0, 2.1, 3.5], dtype=L.float64),
    ),
    "float16": lambda L: (
        L.tensor([1.0, 2.0], dtype=L.float16),
        L.tensor([1.0, 2.01], dtype=L.float16),
    ),
    "int64": lambda L: (L.tensor([1, 2, 3]), L.tensor([1, 2, 4])),
    "int64 ratio": lambda L: (L.tensor([1, 2, 3]), L.tensor([1, 5, 4])),
    "bool": lambda L: (L.tensor([True, False]), L.tensor([True, True])),
    "0-d bool": lambda L: (L.tensor(True), L.tensor(False)),
    "0-d float": lambda L: (L.tensor(2.5), L.tensor(2.0)),
    "2-d index": lambda L: (L.tensor([[1.0, 2.0], [3, 4]]), L.tensor([[1.0, 2.0], [3, 5]])),
    "dtype": lambda L: (L.tensor([1.0, 2.0]), L.tensor([1.0, 2.0], dtype=L.float64)),
    "shape": lambda L: (L.tensor([1.0, 2.0]), L.tensor([1.0, 2.0, 3.0])),
    "nan": lambda L: (L.tensor([1.0, NAN]), L.tensor([1.0, NAN])),
    "inf": lambda L: (L.tensor([0.0, 1.0]), L.tensor([1e-3, INF])),
    "same inf": lambda L: (L.tensor([0.0, INF]), L.tensor([0, INF])),
    "opposite inf": lambda L: (L.tensor([0.0, -INF]), L.tensor([0, INF])),
    "floats": lambda L: (1.0, 1.1),
    "ints": lambda L: (1, 2),
    "int and float": lambda L: (1, 1.0),
    "bools": lambda L: (True, False),
    "None": lambda L: (None, 1),
    "tensor and float": lambda L: (L.tensor(1.0), 1.0),
    "list": lambda L: ([L.tensor(1.0), L.tensor(2.0)], [L.tensor(1.0), L.tensor(2.5)]),
    "list length": lambda L: ([L.tensor(1.0), L.tensor(2.0)], [L.tensor(1.0)]),
    "dict": lambda L: ({"a": L.tensor(1.0)}, {"a": L.tensor(3.0)}),
    "dict keys": lambda L: ({"a": L.tensor(1.0)}, {"b": L.tensor(3.0)}),
    "nested": lambda L: ((1, [L.tensor([1.0, 2.0])]), (1, [L.tensor([1.0, 3.0])])),
    "arrays": lambda L: (np.array([1.0, 2.0]), np.array([1.0, 2.5])),
    "array and tensor": lambda L: (np.array([1.0, 2.0]), L.tensor([1.0, 2.5])),
}
OPTIONS = {
    "defaults": {},
    "rtol only": {"rtol": 0.1},
    "rtol and atol": {"rtol": 0.1, "atol": 0.0},
    "unchecked dtype": {"check_dtype": False},
    "equal_nan": {"equal_nan": True},
    "msg": {"msg": "custom"},
    "msg callable": {"msg": lambda generated: "Before: " + generated},
}


def _outcome(lib, case, options):
    try:
        lib.testing.assert_close(*case(lib), **options)
    except Exception as e:  # noqa: BLE001 - compares whatever each library raises
        # type names in messages are each library's own
        text = str(e).replace("chainrule.tensor.Tensor", "torch.Tensor")
        return type(e).__name__, text
    return "passed"


@pytest.mark.parametrize("options", OPTIONS.values(), ids=OPTIONS.keys())
@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_verdict_and_message_match_pytorchs(torch, case, options):
    assert _outcome(chainrule, case, options) == _outcome(torch, case, options)


def test_the_message_format_word_for_word():
    with pytest.raises(AssertionError) as info:
        chainrule.testing.assert_close(
            chainrule.tensor([1.0, 2.0, 3.0]), chainrule.tensor([1.0, 2.1, 3.0])
        )
    assert str(info.value) == (
        "Tensor-likes are not close!\n\n"
        "Mismatched elements: 1 / 3 (33.3%)\n"
        "Greatest absolute difference: 0.09999990463256836 at index (1,) (up to 1e-05 allowed)\n"
        "Greatest relative difference: 0.04761900380253792 at index (1,) (up to 1.3e-06 allowed)"
    )


def test_default_tolerances_per_dtype():
    # just inside and just outside atol + rtol * |expected| for each dtype
    for dtype, rtol, atol in ((chainrule.float32, 1.3e-6, 1e-5), (chainrule.float64, 1e-7, 1e-7)):
        expected = chainrule.tensor([100.0], dtype=dtype)
        chainrule.testing.assert_close(expected + 0.9 * (atol + rtol * 100), expected)
        with pytest.raises(AssertionError):
            chainrule.testing.assert_close(expected + 1.5 * (atol + rtol * 100), expected)
