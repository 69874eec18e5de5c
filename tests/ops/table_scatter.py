"""Op table: writes into copies (index_copy, index_reduce, scatter_reduce, put, the
select/slice/diagonal/as_strided scatters)."""

from optable import A, Arg, OpCase


def idx(*values):
    return Arg((len(values),), kind="index", grad=False, high=max(values) + 1)


def _index(t, values, shape=None):
    out = t.tensor(values)
    return out if shape is None else out.reshape(shape)


def D(*shape, **kw):
    return A(*shape, distinct=True, **kw)


def _scatter_reduce(reduce, include_self=True):
    def fn(t, a, src):
        index = _index(t, [[0, 2, 0], [1, 1, 1]])
        return t.scatter_reduce(a, 0, index, src, reduce, include_self=include_self)

    return fn


def _index_reduce(reduce, include_self=True):
    def fn(t, a, src):
        return a.index_reduce(0, _index(t, [0, 2, 0]), src, reduce, include_self=include_self)

    return fn


CASES = [
    OpCase("index_copy", lambda t, a, s: a.index_copy(1, _index(t, [2, 0]), s), (A(3, 4), A(3, 2))),
    OpCase(
        "index_copy_inplace",
        lambda t, a, s: (a * 1).index_copy_(0, _index(t, [1]), s),
        (A(2, 3), A(1, 3)),
    ),
    OpCase("put", lambda t, a, s: a.put(_index(t, [[5, 0], [-2, 2]]), s), (A(2, 3), A(2, 2))),
    OpCase(
        "put_accumulate",
        lambda t, a, s: t.put(a, _index(t, [1, 1, 3]), s, accumulate=True),
        (A(2, 2), A(3)),
    ),
    OpCase("select_scatter", lambda t, a, s: t.select_scatter(a, s, 1, -1), (A(2, 3), A(2))),
    OpCase("slice_scatter", lambda t, a, s: t.slice_scatter(a, s, 1, 0, 4, 2), (A(2, 5), A(2, 2))),
    OpCase(
        "diagonal_scatter",
        lambda t, a, s: t.diagonal_scatter(a, s, 1, 0, 2),
        (A(3, 2, 4), A(2, 3)),
    ),
    # PyTorch's own gradient for as_strided_scatter's input is wrong (it keeps the
    # overwritten elements' gradient and drops the others; its gradcheck fails), so
    # there is no oracle for the values' gradient; gradcheck proves chainrule's.
    OpCase(
        "as_strided_scatter",
        lambda t, a, s: t.as_strided_scatter(a, s, (2, 2), (1, 2), 1),
        (A(3, 3), A(2, 2)),
        torch=False,
    ),
    OpCase("scatter_reduce_sum", _scatter_reduce("sum"), (A(3, 3), A(2, 3))),
    OpCase("scatter_reduce_sum_exclude", _scatter_reduce("sum", False), (A(3, 3), A(2, 3))),
    OpCase("scatter_reduce_mean", _scatter_reduce("mean"), (A(3, 3), A(2, 3))),
    OpCase("scatter_reduce_mean_exclude", _scatter_reduce("mean", False), (A(3, 3), A(2, 3))),
    # src larger than index: only its leading part is read. PyTorch's backward returns a
    # gradient of the index's shape for it and then rejects that gradient, so no oracle.
    OpCase(
        "scatter_reduce_src_larger",
        _scatter_reduce("mean", False),
        (A(3, 3), A(2, 4)),
        torch=False,
    ),
    OpCase("scatter_reduce_prod", _scatter_reduce("prod"), (A(3, 3), A(2, 3))),
    OpCase("scatter_reduce_prod_exclude", _scatter_reduce("prod", False), (A(3, 3), A(2, 3))),
    OpCase("scatter_reduce_amax", _scatter_reduce("amax"), (D(3, 3), D(2, 3))),
    OpCase("scatter_reduce_amin_exclude", _scatter_reduce("amin", False), (D(3, 3), D(2, 3))),
    OpCase("index_reduce_prod", _index_reduce("prod"), (A(3, 2), A(3, 2))),
    OpCase("index_reduce_mean", _index_reduce("mean", False), (A(3, 2), A(3, 2))),
    OpCase("index_reduce_amax", _index_reduce("amax"), (D(3, 2), D(3, 2))),
    OpCase("index_reduce_amin", _index_reduce("amin", False), (D(3, 2), D(3, 2))),
]
