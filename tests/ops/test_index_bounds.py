"""Indices out of range, index dtypes, bool matrix products and NaNs in unique, each
against PyTorch: the same result, or the same exception type and message.

gather, scatter, scatter_add and index_add refuse negative indices (PyTorch does not
count them from the end there); index_fill, take and take_along_dim count them from the
end. take_along_dim broadcasts its indices against the input except along dim.
"""

from __future__ import annotations

import numpy as np
import pytest

import chainrule


def _x(lib):
    return lib.arange(12.0).reshape(3, 4)


def _v(lib):
    return lib.arange(4.0)


def _i(lib, values, dtype=None):
    return lib.tensor(values, dtype=dtype or lib.int64)


CASES = {
    # gather / scatter / scatter_add: no negative indices
    "gather_negative": lambda t: t.gather(_x(t), 1, _i(t, [[0, -1], [1, 2], [0, 0]])),
    "gather_too_big": lambda t: t.gather(_x(t), 1, _i(t, [[0, 4], [1, 2], [0, 0]])),
    "gather_first_bad_in_order": lambda t: t.gather(_x(t), 1, _i(t, [[-9, 9]])),
    "gather_dim0": lambda t: t.gather(_x(t), 0, _i(t, [[3]])),
    "gather_int32": lambda t: t.gather(_x(t), 1, _i(t, [[1], [2], [3]], t.int32)),
    "gather_int16": lambda t: t.gather(_x(t), 1, _i(t, [[1]], t.int16)),
    "gather_empty_uint8": lambda t: t.gather(_v(t), 0, _i(t, [], t.uint8)),
    "gather_empty_other_rank": lambda t: t.gather(_x(t), 0, t.zeros(0, 1, 1, dtype=t.int64)),
    "gather_zero_dim_input": lambda t: t.gather(t.tensor(5.0), 0, _i(t, [0, 0])),
    "gather_zero_dim_negative": lambda t: t.gather(t.tensor(5.0), 0, _i(t, -1)),
    "scatter_negative": lambda t: _x(t).scatter_(1, _i(t, [[0, -1], [1, 2], [0, 0]]), 1.0),
    "scatter_src_negative": lambda t: t.scatter(_x(t), 1, _i(t, [[0, -1]]), t.ones(1, 2)),
    "scatter_too_big": lambda t: t.scatter(_x(t), 1, _i(t, [[4]]), 1.0),
    "scatter_int32": lambda t: t.scatter(_x(t), 1, _i(t, [[3]], t.int32), 7.0),
    "scatter_uint8": lambda t: t.scatter(_x(t), 1, _i(t, [[3]], t.uint8), 7.0),
    "scatter_empty": lambda t: t.scatter(_x(t), 0, _i(t, []), 1.0),
    "scatter_add_negative": lambda t: t.scatter_add(_x(t), 1, _i(t, [[0, -1]]), t.ones(1, 2)),
    "scatter_add_int8": lambda t: t.scatter_add(_x(t), 1, _i(t, [[0]], t.int8), t.ones(1, 1)),
    # index_add: the message depends on the dim, as in PyTorch's kernels
    "index_add_negative_dim1": lambda t: t.index_add(_x(t), 1, _i(t, [0, -1]), t.ones(3, 2)),
    "index_add_too_big_dim1": lambda t: t.index_add(_x(t), 1, _i(t, [0, 4]), t.ones(3, 2)),
    "index_add_negative_dim0": lambda t: t.index_add(_x(t), 0, _i(t, [-1]), t.ones(1, 4)),
    "index_add_1d": lambda t: t.index_add(_v(t), 0, _i(t, [4]), t.ones(1)),
    "index_add_3d_middle": lambda t: t.index_add(
        t.zeros(3, 4, 5), 1, _i(t, [1, 9, -1]), t.ones(3, 3, 5)
    ),
    "index_add_int8": lambda t: t.index_add(_v(t), 0, _i(t, [0], t.int8), t.ones(1)),
    "index_add_int32": lambda t: t.index_add(_v(t), 0, _i(t, [3, 3], t.int32), t.ones(2)),
    # index_select
    "index_select_negative_1d": lambda t: t.index_select(_v(t), 0, _i(t, [-1])),
    "index_select_too_big_dim0": lambda t: t.index_select(_x(t), 0, _i(t, [3])),
    "index_select_negative_dim1": lambda t: t.index_select(_x(t), 1, _i(t, [0, -1])),
    "index_select_too_big_dim1": lambda t: t.index_select(_x(t), 1, _i(t, [5])),
    "index_select_empty_dim": lambda t: t.index_select(t.zeros(3, 0), 1, _i(t, [0])),
    "index_select_zero_dim": lambda t: t.index_select(t.tensor(5.0), 0, _i(t, [0])),
    "index_select_zero_dim_two": lambda t: t.index_select(t.tensor(5.0), 0, _i(t, [0, 0])),
    # index_fill: negative indices count from the end
    "index_fill_negative": lambda t: t.index_fill(_x(t), 1, _i(t, [0, -1]), 2.0),
    "index_fill_too_negative": lambda t: t.index_fill(_x(t), 1, _i(t, [-5]), 2.0),
    "index_fill_first_bad": lambda t: t.index_fill(_x(t), 1, _i(t, [-9, 9]), 2.0),
    "index_fill_int32": lambda t: t.index_fill(_x(t), 1, _i(t, [0], t.int32), 2.0),
    "index_fill_zero_dim": lambda t: t.index_fill(t.tensor(5.0), 0, _i(t, [0]), 1.0),
    # take
    "take_negative": lambda t: t.take(_x(t), _i(t, [-1, 0])),
    "take_too_big": lambda t: t.take(_x(t), _i(t, [12])),
    "take_too_negative": lambda t: t.take(_x(t), _i(t, [-13])),
    "take_int32": lambda t: t.take(_x(t), _i(t, [1], t.int32)),
    # take_along_dim: broadcasting, and negative indices within range
    "take_along_dim_broadcast_index": lambda t: t.take_along_dim(
        t.arange(15.0).reshape(3, 5), _i(t, [[1]]), 1
    ),
    "take_along_dim_broadcast_input": lambda t: t.take_along_dim(
        t.arange(5.0).reshape(1, 5), _i(t, [[1, 2]] * 5), 1
    ),
    "take_along_dim_negative": lambda t: t.take_along_dim(_x(t), _i(t, [[-1]]), 1),
    "take_along_dim_no_dim_negative": lambda t: t.take_along_dim(_x(t), _i(t, [11, -1])),
    "take_along_dim_no_dim": lambda t: t.take_along_dim(_x(t), _i(t, [[11, 0]])),
    "take_along_dim_ranks": lambda t: t.take_along_dim(_x(t), _i(t, [1]), 1),
    "take_along_dim_no_broadcast": lambda t: t.take_along_dim(_x(t), _i(t, [[1]] * 2), 1),
    "take_along_dim_int32": lambda t: t.take_along_dim(_x(t), _i(t, [[1]], t.int32), 1),
    "take_along_dim_zero_dim": lambda t: t.take_along_dim(t.tensor(5.0), _i(t, 0), 0),
    "masked_select_zero_dim": lambda t: t.masked_select(t.tensor(5.0), t.tensor(True)),
    # matrix products of bool tensors: PyTorch's kernels refuse them (unless empty)
    "mm_bool": lambda t: t.mm(t.ones(2, 2, dtype=t.bool), t.ones(2, 2, dtype=t.bool)),
    "mm_bool_empty": lambda t: t.mm(t.ones(0, 2, dtype=t.bool), t.ones(2, 2, dtype=t.bool)),
    "mm_bool_no_inner": lambda t: t.mm(t.ones(2, 0, dtype=t.bool), t.ones(0, 2, dtype=t.bool)),
    "matmul_bool": lambda t: t.ones(2, 2, dtype=t.bool) @ t.ones(2, 2, dtype=t.bool),
    "matmul_bool_vectors": lambda t: t.matmul(t.ones(2, dtype=t.bool), t.ones(2, dtype=t.bool)),
    "matmul_bool_matrix_vector": lambda t: t.matmul(
        t.ones(2, 2, dtype=t.bool), t.ones(2, dtype=t.bool)
    ),
    "matmul_bool_batched": lambda t: t.matmul(
        t.ones(3, 2, 2, dtype=t.bool), t.ones(3, 2, 2, dtype=t.bool)
    ),
    "bmm_bool": lambda t: t.bmm(t.ones(1, 2, 2, dtype=t.bool), t.ones(1, 2, 2, dtype=t.bool)),
    "mv_bool": lambda t: t.mv(t.ones(2, 2, dtype=t.bool), t.ones(2, dtype=t.bool)),
    "dot_bool": lambda t: t.dot(t.ones(2, dtype=t.bool), t.ones(2, dtype=t.bool)),
    "dot_bool_empty": lambda t: t.dot(t.ones(0, dtype=t.bool), t.ones(0, dtype=t.bool)),
    "addmm_bool": lambda t: t.addmm(
        t.ones(2, 2, dtype=t.bool), t.ones(2, 2, dtype=t.bool), t.ones(2, 2, dtype=t.bool)
    ),
    "baddbmm_bool": lambda t: t.baddbmm(
        t.ones(1, 2, 2, dtype=t.bool), t.ones(1, 2, 2, dtype=t.bool), t.ones(1, 2, 2, dtype=t.bool)
    ),
    "linear_bool": lambda t: t.nn.functional.linear(
        t.ones(2, 2, dtype=t.bool), t.ones(2, 2, dtype=t.bool)
    ),
    "mm_int": lambda t: t.mm(t.ones(2, 2, dtype=t.int64), t.ones(2, 2, dtype=t.int64)),
    # unique: every NaN is a value of its own
    "unique_nan": lambda t: t.unique(t.tensor([float("nan"), float("nan"), 1.0])),
    "unique_nan_inverse_counts": lambda t: t.unique(
        t.tensor([float("nan"), 1.0, float("nan"), 1.0]), return_inverse=True, return_counts=True
    ),
}


def _outcome(fn, lib):
    try:
        out = fn(lib)
    except Exception as e:  # noqa: BLE001 - the exception is the result compared
        return ("raises", type(e).__name__, str(e))
    outs = out if isinstance(out, tuple) else (out,)
    return ("gives", [(str(o.dtype), tuple(o.shape), o.detach().numpy().tolist()) for o in outs])


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_as_pytorch(name, torch):
    ours = _outcome(CASES[name], chainrule)
    theirs = _outcome(CASES[name], torch)
    if theirs[0] == "gives" and ours[0] == "gives":
        # NaN != NaN: compare the printed values instead
        assert repr(ours) == repr(theirs)
    else:
        assert ours == theirs


@pytest.mark.parametrize("index", [[[4]], [[-5]], [[100]]])
def test_take_along_dim_refuses_indices_out_of_range(index, torch):
    """PyTorch reads such indices modulo the size (silently); chainrule raises gather's
    error instead of giving a value from another place."""
    x = chainrule.arange(12.0).reshape(3, 4)
    with pytest.raises(RuntimeError, match="out of bounds for dimension 1 with size 4"):
        chainrule.take_along_dim(x, chainrule.tensor(index), 1)


def test_take_along_dim_gradient_with_broadcast_and_negative_indices(torch):
    def run(lib):
        x = lib.arange(15.0, dtype=lib.float64).reshape(3, 5).requires_grad_()
        y = lib.take_along_dim(x, lib.tensor([[1, -1, 1]]), 1)
        (y * lib.arange(9.0, dtype=lib.float64).reshape(3, 3)).sum().backward()
        return y.detach().numpy(), x.grad.numpy()

    for a, b in zip(run(chainrule), run(torch)):
        np.testing.assert_array_equal(a, b)
