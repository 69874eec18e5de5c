"""set_num_threads / get_num_threads: the BLAS thread count, and PyTorch's errors."""

import numpy as np
import pytest

import chainrule
from chainrule import threads


def test_set_then_get_round_trips():
    before = chainrule.get_num_threads()
    try:
        chainrule.set_num_threads(1)
        assert chainrule.get_num_threads() == 1
        # matmul still works (and is exact on small integers) with one thread
        a = chainrule.ones(64, 64)
        assert float((a @ a)[0, 0]) == 64.0
    finally:
        chainrule.set_num_threads(before)
    assert chainrule.get_num_threads() == before


def test_the_blas_itself_is_set_where_it_is_openblas():
    config = np.show_config(mode="dicts")
    if "openblas" not in str(config.get("Build Dependencies", {}).get("blas", "")).lower():
        pytest.skip("NumPy's BLAS is not OpenBLAS")
    assert threads._openblas(), "NumPy's OpenBLAS entry points were not found"


@pytest.mark.parametrize(
    ("fn", "value", "message"),
    [
        ("set_num_threads", 0, "set_num_threads expects a positive integer"),
        ("set_num_threads", 1.5, "set_num_threads expects an int, but got float"),
        ("set_num_threads", True, "set_num_threads expects an int, but got bool"),
        ("set_num_interop_threads", -1, "set_num_interop_threads expects a positive integer"),
        ("set_num_interop_threads", "2", "set_num_interop_threads expects an int, but got str"),
    ],
)
def test_bad_counts_raise_pytorchs_errors(fn, value, message, torch):
    with pytest.raises(RuntimeError, match=message):
        getattr(chainrule, fn)(value)
    with pytest.raises(RuntimeError, match=message):
        getattr(torch, fn)(value)
