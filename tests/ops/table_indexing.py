"""Op table: indexing (x[key], x[key] = v), gather/scatter, masks, take, diagonals."""

from optable import A, OpCase, const, index, mask


def _long(t, values):
    return t.tensor(values, dtype=t.int64)


def _set(key, value_fn=None, scalar=None):
    """fn(t, a[, v]): a copy of `a` with copy[key] = v (or a scalar), as users write it."""

    def fn(t, a, *v):
        y = a.clone()
        k = key(t) if callable(key) else key
        if scalar is not None:
            y[k] = scalar
        else:
            y[k] = v[0] if value_fn is None else value_fn(v[0])
        return y

    return fn


def _set_into_zeros(key):
    def fn(t, v):
        y = t.zeros(3, 4, dtype=v.dtype)
        y[key(t) if callable(key) else key] = v
        return y * 2

    return fn


def _inplace(method, *args):
    def fn(t, a, *tensors):
        y = a * 1
        getattr(y, method)(*[x(t) if callable(x) else x for x in args], *tensors)
        return y

    return fn


CASES = [
    # basic indexing: views
    OpCase("getitem_int", lambda t, a: a[1], (A(3, 4),)),
    OpCase("getitem_negative_int", lambda t, a: a[-1, -2], (A(3, 4),)),
    OpCase("getitem_scalar_result", lambda t, a: a[1, 2, 0], (A(2, 3, 2),)),
    OpCase("getitem_slice", lambda t, a: a[1:], (A(4, 2),)),
    OpCase("getitem_slice_step", lambda t, a: a[::2, 1:3], (A(5, 4),)),
    OpCase("getitem_slice_negative_bounds", lambda t, a: a[-3:-1], (A(5, 2),)),
    OpCase("getitem_slice_past_end", lambda t, a: a[2:10], (A(4, 2),)),
    OpCase("getitem_empty_slice", lambda t, a: a[3:1] * 2, (A(4, 2),), gradcheck=False),
    OpCase("getitem_negative_step", lambda t, a: a[::-1, ::-2], (A(3, 4),), torch=False),
    OpCase("getitem_none", lambda t, a: a[None, :, None], (A(3, 2),)),
    OpCase("getitem_ellipsis", lambda t, a: a[..., 1], (A(2, 3, 4),)),
    OpCase("getitem_ellipsis_middle", lambda t, a: a[0, ..., 1:], (A(2, 3, 4),)),
    OpCase("getitem_ellipsis_only", lambda t, a: a[...] * 2, (A(2, 3),)),
    OpCase("getitem_full_slice", lambda t, a: a[:], (A(2, 3),)),
    OpCase("getitem_chain", lambda t, a: a[1][0][1:], (A(3, 2, 4),)),
    OpCase("getitem_zero_dim_tensor", lambda t, a: a[_long(t, 1)], (A(3, 2),)),
    # advanced indexing: copies, repeated indices accumulate
    OpCase("getitem_list", lambda t, a: a[[0, 2, 0]], (A(3, 2),)),
    OpCase("getitem_index_tensor", lambda t, a, i: a[i], (A(4, 3), index(6, high=4))),
    OpCase("getitem_index_2d", lambda t, a, i: a[i], (A(4, 2), index(2, 3, high=4))),
    OpCase("getitem_index_negative", lambda t, a: a[_long(t, [-1, 0, -1])], (A(3, 2),)),
    OpCase("getitem_index_dim1", lambda t, a, i: a[:, i], (A(2, 5), index(7, high=5))),
    OpCase("getitem_two_indices", lambda t, a: a[[0, 1, 1], [2, 0, 2]], (A(2, 3),)),
    OpCase(
        "getitem_broadcast_indices",
        lambda t, a: a[_long(t, [[0], [2]]), _long(t, [1, 0, 1])],
        (A(3, 2),),
    ),
    OpCase("getitem_separated_indices", lambda t, a: a[[0, 1], :, [2, 0]], (A(2, 3, 4),)),
    OpCase("getitem_int_and_list", lambda t, a: a[0, :, [0, 1, 1]], (A(2, 3, 4),)),
    OpCase("getitem_slice_and_index", lambda t, a: a[1:, [0, 0, 2]], (A(3, 3),)),
    OpCase("getitem_index_then_none", lambda t, a: a[:, [0, 2], None], (A(2, 3, 4),)),
    OpCase("getitem_mask", lambda t, a, m: a[m], (A(3, 4), mask(3, 4))),
    OpCase("getitem_mask_rows", lambda t, a, m: a[m], (A(4, 3), mask(4))),
    OpCase("getitem_mask_dim1", lambda t, a, m: a[:, m], (A(2, 5, 2), mask(5))),
    OpCase("getitem_mask_compare", lambda t, a: a[a > 0], (A(3, 4),)),
    OpCase("getitem_mask_list", lambda t, a: a[[True, False, True]], (A(3, 2),)),
    OpCase("getitem_true", lambda t, a: a[True], (A(2, 3),)),
    OpCase("getitem_none_and_mask", lambda t, a, m: a[None, m], (A(4, 2), mask(4))),
    # x[key] = value
    OpCase("setitem_int", _set(1), (A(3, 4), A(4))),
    OpCase("setitem_broadcast", _set((slice(None), 0)), (A(3, 4), A(1))),
    OpCase("setitem_column", _set((slice(None), 2)), (A(3, 4), A(3))),
    OpCase("setitem_leading_ones", _set(0), (A(3, 4), A(1, 4))),
    OpCase("setitem_slice", _set(slice(1, 3)), (A(4, 2), A(2, 2))),
    OpCase("setitem_scalar", _set((0, 1), scalar=5.0), (A(3, 4),)),
    OpCase("setitem_mask_scalar", lambda t, a: _set(a.detach() > 0, scalar=0.0)(t, a), (A(3, 4),)),
    OpCase("setitem_mask_tensor", _set(lambda t: t.tensor([True, False, True])), (A(3, 2), A(2))),
    OpCase("setitem_index", _set(lambda t: _long(t, [2, 0])), (A(3, 2), A(2, 2))),
    OpCase("setitem_index_broadcast", _set(lambda t: _long(t, [2, 0])), (A(3, 2), A(2))),
    OpCase("setitem_two_indices", _set(([0, 2], [1, 0])), (A(3, 2), A(2))),
    OpCase("setitem_const_value", _set(1), (A(3, 2), const(2))),
    OpCase("setitem_into_zeros", _set_into_zeros((1, slice(1, 3))), (A(2),)),
    OpCase("setitem_into_zeros_index", _set_into_zeros(lambda t: _long(t, [0, 2])), (A(2, 4),)),
    OpCase(
        "setitem_twice",
        lambda t, a, b: _set(0)(t, _set(2)(t, a, b), b * 2),
        (A(3, 2), A(2)),
    ),
    OpCase(
        "index_put",
        lambda t, a, v: a.index_put((_long(t, [0, 2]),), v),
        (A(3, 2), A(2)),
    ),
    OpCase(
        "index_put_accumulate",
        lambda t, a, v: t.index_put(a, (_long(t, [0, 2, 0]),), v, accumulate=True),
        (A(3, 2), A(3, 2)),
    ),
    OpCase(
        "index_put_",
        lambda t, a, v: (a * 1).index_put_((_long(t, [1]), _long(t, [0])), v, accumulate=True),
        (A(3, 2), A()),
    ),
    # dim-wise indexing
    OpCase("select", lambda t, a: t.select(a, 1, -1), (A(2, 3, 2),)),
    OpCase("index_select", lambda t, a, i: t.index_select(a, 0, i), (A(3, 2), index(5, high=3))),
    OpCase("index_select_dim", lambda t, a, i: a.index_select(-1, i), (A(2, 4), index(3, high=4))),
    OpCase("gather", lambda t, a, i: t.gather(a, 1, i), (A(3, 4), index(3, 2, high=4))),
    OpCase("gather_dim0", lambda t, a, i: a.gather(0, i), (A(3, 2), index(5, 2, high=3))),
    OpCase("gather_smaller", lambda t, a, i: a.gather(-1, i), (A(3, 4, 2), index(2, 3, 1, high=2))),
    OpCase(
        "take_along_dim",
        lambda t, a, i: t.take_along_dim(a, i, dim=1),
        (A(3, 4), index(3, 2, high=4)),
    ),
    OpCase(
        "scatter",
        lambda t, a, s: a.scatter(1, _long(t, [[0, 2], [1, 0]]), s),
        (A(2, 3), A(2, 2)),
    ),
    OpCase(
        "scatter_larger_src",
        lambda t, a, s: t.scatter(a, 0, _long(t, [[1, 0]]), s),
        (A(2, 2), A(2, 3)),
        torch=False,  # PyTorch's own backward fails for a src larger than the index
    ),
    OpCase(
        "scatter_value",
        lambda t, a: a.scatter(0, _long(t, [[1, 0, 1]]), 2.5),
        (A(2, 3),),
    ),
    OpCase(
        "scatter_add",
        lambda t, a, s, i: a.scatter_add(0, i, s),
        (A(3, 2), A(4, 2), index(4, 2, high=3)),
    ),
    OpCase(
        "scatter_",
        _inplace("scatter_", 1, lambda t: _long(t, [[2], [0]])),
        (A(2, 3), A(2, 1)),
    ),
    OpCase(
        "scatter_add_",
        _inplace("scatter_add_", 1, lambda t: _long(t, [[0, 0]])),
        (A(1, 2), A(1, 2)),
    ),
    OpCase(
        "index_add",
        lambda t, a, s: t.index_add(a, 1, _long(t, [0, 2, 0]), s),
        (A(2, 3), A(2, 3)),
    ),
    OpCase(
        "index_add_alpha",
        lambda t, a, s: a.index_add(0, _long(t, [1]), s, alpha=2.0),
        (A(2, 3), A(1, 3)),
    ),
    OpCase("index_add_", _inplace("index_add_", 0, lambda t: _long(t, [1, 1])), (A(2, 3), A(2, 3))),
    OpCase("index_fill", lambda t, a: a.index_fill(1, _long(t, [0, 2]), -1.0), (A(2, 3),)),
    OpCase("index_fill_", _inplace("index_fill_", 0, lambda t: _long(t, [1]), 0.5), (A(2, 3),)),
    # masks
    OpCase("masked_fill", lambda t, a, m: a.masked_fill(m, 0.5), (A(3, 4), mask(3, 4))),
    OpCase("masked_fill_broadcast", lambda t, a, m: t.masked_fill(a, m, -1.0), (A(3, 4), mask(4))),
    OpCase(
        "masked_fill_tensor_value",
        lambda t, a, m, v: a.masked_fill(m, v),
        (A(3, 4), mask(3, 4), A()),
    ),
    OpCase(
        "masked_fill_", _inplace("masked_fill_", lambda t: t.tensor([True, False]), 2.0), (A(3, 2),)
    ),
    OpCase("masked_select", lambda t, a, m: t.masked_select(a, m), (A(3, 4), mask(3, 4))),
    OpCase("masked_select_broadcast", lambda t, a, m: a.masked_select(m), (A(3, 1), mask(2, 3, 4))),
    OpCase("take", lambda t, a, i: t.take(a, i), (A(3, 4), index(5, high=12))),
    OpCase("take_2d", lambda t, a, i: a.take(i), (A(2, 3), index(2, 2, high=6))),
    OpCase("nonzero_index", lambda t, a: a[t.nonzero(a > 0, as_tuple=True)], (A(3, 4),)),
    OpCase("where_one_arg", lambda t, a: a[t.where(a < 0)], (A(2, 3),)),
    # diagonals and triangles
    OpCase("diagonal", lambda t, a: t.diagonal(a), (A(3, 4),)),
    OpCase("diagonal_offset", lambda t, a: a.diagonal(1), (A(3, 4),)),
    OpCase("diagonal_negative_offset", lambda t, a: a.diagonal(-1), (A(3, 4),)),
    OpCase("diagonal_dims", lambda t, a: a.diagonal(0, -1, 0), (A(3, 2, 4),)),
    OpCase("diag_vector", lambda t, a: t.diag(a), (A(3),)),
    OpCase("diag_vector_offset", lambda t, a: t.diag(a, -1), (A(3),)),
    OpCase("diag_matrix", lambda t, a: t.diag(a, 1), (A(3, 3),)),
    OpCase("tril", lambda t, a: t.tril(a), (A(3, 4),)),
    OpCase("tril_offset", lambda t, a: a.tril(-1), (A(2, 3, 3),)),
    OpCase("triu", lambda t, a: t.triu(a, 1), (A(4, 3),)),
    OpCase("triu_", _inplace("triu_"), (A(3, 3),)),
]
