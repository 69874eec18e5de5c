"""Index grids, views by geometry, writes into copies and creation by layout against
PyTorch; indexing with a range; NumPy's axis=/keepdims= names."""

from __future__ import annotations

import collections
import warnings

import numpy as np
import pytest

import chainrule
from parity import assert_exact


def _both(torch, fn, *arrays):
    return fn(chainrule, *(chainrule.tensor(a) for a in arrays)), fn(
        torch, *(torch.tensor(a) for a in arrays)
    )


def _same_error(torch, fn):
    with pytest.raises(Exception) as theirs:
        fn(torch)
    with pytest.raises(type(theirs.value)) as ours:
        fn(chainrule)
    assert str(ours.value) == str(theirs.value)


def test_index_grids(torch):
    for fn in (
        lambda t: t.tril_indices(4, 3),
        lambda t: t.triu_indices(3, 5, 1),
        lambda t: t.tril_indices(3, 3, -1, dtype=t.int32),
        lambda t: t.triu_indices(0, 3),
        lambda t: t.unravel_index(t.tensor([[5, 7], [-1, 9]]), (2, 4)),
        lambda t: t.unravel_index(t.tensor(3), t.Size([2, 2])),
        lambda t: t.combinations(t.tensor([1, 2, 3]), 0),
        lambda t: t.combinations(t.tensor([1, 2]), 3),
        lambda t: t.repeat_interleave(t.tensor([2, 0, 3])),
        lambda t: t.cartesian_prod(t.tensor([1, 2]), t.tensor([3, 4, 5]), t.tensor([6])),
    ):
        ours, theirs = fn(chainrule), fn(torch)
        for o, th in zip(
            ours if isinstance(ours, tuple) else (ours,),
            theirs if isinstance(theirs, tuple) else (theirs,),
        ):
            assert_exact(o, th)
    assert chainrule.broadcast_shapes((2, 1), (3, 1, 1), 1) == torch.broadcast_shapes(
        (2, 1), (3, 1, 1), 1
    )
    assert repr(chainrule.broadcast_shapes()) == "torch.Size([])"
    for fn in (
        lambda t: t.broadcast_shapes((2, 3), (4,)),
        lambda t: t.tril_indices(-1, 3),
        lambda t: t.unravel_index(t.tensor([1.0]), (2,)),
        lambda t: t.combinations(t.ones(2, 2)),
        lambda t: t.meshgrid(t.tensor([1]), t.tensor([1.0]), indexing="ij"),
        lambda t: t.tensor([1.0, 2]).repeat_interleave(t.tensor([1, -1])),
        lambda t: t.ones(2, 3).unfold(1, 4, 1),
        lambda t: t.ones(2, 3).unfold(1, 2, 0),
        lambda t: t.ones(2, 3).rot90(1, [0]),
        lambda t: t.ones(2, 3).rot90(1, [1, 1]),
        lambda t: t.block_diag(t.ones(2, 2, 2)),
        lambda t: t.diag_embed(t.ones(2), 0, 0, 0),
    ):
        _same_error(torch, fn)


def test_meshgrid_warns_once_without_indexing():
    import chainrule.ops.grids as grids

    grids._WARNED.clear()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        chainrule.meshgrid(chainrule.tensor([1]), chainrule.tensor([2]))
        chainrule.meshgrid([chainrule.tensor([1]), chainrule.tensor([2])])
    assert [str(w.message) for w in caught] == [
        "torch.meshgrid: in an upcoming release, it will be required to pass the indexing argument."
    ]


def test_views_by_geometry_share_memory(torch):
    x = np.arange(12.0)
    for fn in (
        lambda t, a: a.as_strided((3, 3), (1, 2), 1),
        lambda t, a: a[2:].as_strided((2, 2), (1, 1)),
        lambda t, a: a[1:].as_strided((2,), (3,), 0),
        lambda t, a: a.reshape(3, 4).unfold(1, 2, 2),
        lambda t, a: a.reshape(3, 4)[:, 1].as_strided((2,), (4,)),
    ):
        ours, theirs = _both(torch, fn, x)
        assert_exact(ours, theirs)
    # Writes through the view reach its base, as PyTorch's do.
    for lib in (chainrule, torch):
        base = lib.zeros(6)
        view = base.as_strided((2, 2), (1, 2))
        view[0, 1] = 5
        window = base.unfold(0, 2, 2)
        window[2, 1] = 7
        assert base.tolist() == [0.0, 0.0, 5.0, 0.0, 0.0, 7.0]
        assert base[1:].storage_offset() == 1
    for fn in (
        lambda t: t.arange(6.0).as_strided((3, 3), (1, 2)),
        lambda t: t.arange(6.0).as_strided((2,), (-1,), 3),
        lambda t: t.arange(6.0).as_strided((2,), (1,), -1),
        lambda t: t.arange(6.0).as_strided((2, 2), (1,)),
    ):
        _same_error(torch, fn)


def test_writes_into_copies(torch):
    x = np.arange(12.0).reshape(3, 4)
    s = -np.arange(1.0, 13.0).reshape(3, 4)
    for fn in (
        lambda t, a, b: a.index_copy(1, t.tensor([3, 0]), b[:, :2]),
        lambda t, a, b: a.index_copy(0, t.tensor([2]), b[:1]),
        lambda t, a, b: a.put(t.tensor([[0, -1], [5, 6]]), b[:2, :2]),
        lambda t, a, b: a.put(t.tensor([1, 1, 2]), b[0, :3], accumulate=True),
        lambda t, a, b: t.select_scatter(a, b[0], 0, -1),
        lambda t, a, b: t.slice_scatter(a, b[:, :2], 1, 1, 4, 2),
        lambda t, a, b: t.diagonal_scatter(a, b[0, :2], -1),
        lambda t, a, b: t.as_strided_scatter(a, b[0, :3], (3,), (5,), 1),
        lambda t, a, b: a.scatter_reduce(1, t.tensor([[0, 0, 3]] * 3), b, "sum"),
        lambda t, a, b: a.scatter_reduce(
            0, t.tensor([[0, 2], [0, 0]]), b, "prod", include_self=False
        ),
        lambda t, a, b: a.scatter_reduce(0, t.tensor([[1, 2], [1, 1]]), b, "mean"),
        lambda t, a, b: a.scatter_reduce(
            0, t.tensor([[1, 2], [1, 1]]), b, "amax", include_self=False
        ),
        lambda t, a, b: a.long().scatter_reduce(0, t.tensor([[1, 2], [1, 1]]), b.long(), "mean"),
        lambda t, a, b: a.index_reduce(1, t.tensor([0, 0, 2]), b[:, :3], "amin"),
        lambda t, a, b: a.index_reduce(0, t.tensor([2, 2]), b[:2], "mean", include_self=False),
        lambda t, a, b: a.clone().index_copy_(1, t.tensor([1]), b[:, :1]),
        lambda t, a, b: a.clone().put_(t.tensor([0]), b[0, :1]),
        lambda t, a, b: a.clone().scatter_reduce_(1, t.tensor([[1]]), b, "amin"),
    ):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # index_reduce's "in beta" warning
            ours, theirs = _both(torch, fn, x, s)
        assert_exact(ours, theirs)
    for fn in (
        lambda t: t.zeros(3, 2).index_copy(0, t.tensor([0, 2], dtype=t.int32), t.ones(2, 2)),
        lambda t: t.zeros(3, 2).index_copy(0, t.tensor([0, 2]), t.ones(2, 3)),
        lambda t: t.zeros(3, 2).index_copy(0, t.tensor([0, 5]), t.ones(2, 2)),
        lambda t: t.zeros(3, 2).put(t.tensor([7]), t.tensor([1.0])),
        lambda t: t.zeros(3, 2).put(t.tensor([1, 0]), t.tensor([1.0])),
        lambda t: t.select_scatter(t.zeros(3, 2), t.ones(2), 1, 0),
        lambda t: t.slice_scatter(t.zeros(3, 2), t.ones(2, 2), 0, 0, 1),
        lambda t: t.diagonal_scatter(t.zeros(3, 2), t.ones(3)),
        lambda t: t.zeros(3).scatter_reduce(0, t.tensor([0]), t.ones(1), "foo"),
        lambda t: t.zeros(3).index_reduce(0, t.tensor([0]), t.ones(1), "sum"),
    ):
        _same_error(torch, fn)


def test_creation_by_layout(torch):
    for fn in (
        lambda t: t.scalar_tensor(3),
        lambda t: t.scalar_tensor(True),
        lambda t: t.scalar_tensor(2, dtype=t.int64),
    ):
        assert_exact(fn(chainrule), fn(torch))
    for size, stride in (((2, 3), (1, 2)), ((2, 3), (3, 1)), ((4, 0), (1, 1)), ((2, 2), (0, 1))):
        ours = chainrule.empty_strided(size, stride, dtype=chainrule.float64)
        theirs = torch.empty_strided(size, stride, dtype=torch.float64)
        assert ours.shape == tuple(theirs.shape) and ours.stride() == theirs.stride()
        assert ours.dtype == chainrule.float64
    for layout in ((0, 2, 1), (2, 0, 1), (0, 1, 2)):
        ours = chainrule.empty_permuted((2, 3, 4), layout)
        theirs = torch.empty_permuted((2, 3, 4), layout)
        assert ours.shape == tuple(theirs.shape) and ours.stride() == theirs.stride()
    x = chainrule.ones(2, dtype=chainrule.float64)
    assert x.new_empty_strided((2, 2), (1, 2)).stride() == (1, 2)
    assert x.new_empty_strided((2, 2), (1, 2)).dtype == chainrule.float64
    _same_error(torch, lambda t: t.empty_strided((2, 3), (3,)))
    _same_error(torch, lambda t: t.empty_permuted((2, 3), (0, 0)))


def test_indexing_with_a_range(torch):
    x = np.arange(12.0).reshape(3, 4)
    y = np.array([0, 1, 3])
    for fn in (
        lambda t, a, b: a[range(3), b],
        lambda t, a, b: a[range(1, 3)],
        lambda t, a, b: a[:, range(0, 4, 2)],
        lambda t, a, b: a[collections.deque([2, 0])],
    ):
        ours, theirs = _both(torch, fn, x, y)
        assert_exact(ours, theirs)

    def write(t, a, b):
        a = a.clone()
        a[range(3), b] -= 1
        a[range(2)] = 5
        a[:, range(1, 3)] *= 2
        return a

    ours, theirs = _both(torch, write, x, y)
    assert_exact(ours, theirs)
    # Recorded through the graph: the gradient reaches the right places.
    for lib in (chainrule, torch):
        w = lib.ones(3, 4, requires_grad=True)
        (w[range(3), lib.tensor(y)] * 2).sum().backward()
        assert w.grad.tolist() == [[2, 0, 0, 0], [0, 2, 0, 0], [0, 0, 0, 2]]


def test_numpy_argument_names(torch):
    x = np.arange(12.0).reshape(3, 4)
    for fn in (
        lambda t, a: a.sum(axis=0),
        lambda t, a: t.mean(a, axis=1, keepdims=True),
        lambda t, a: a.max(axis=1, keepdims=True).values,
        lambda t, a: t.amax(a, axis=(0, 1), keepdims=True),
        lambda t, a: a.std(axis=0, keepdims=True),
        lambda t, a: t.logsumexp(a, axis=1, keepdims=True),
        lambda t, a: a.argmax(axis=1, keepdims=True),
        lambda t, a: t.any(a > 3, axis=0, keepdims=True),
        lambda t, a: a.median(axis=0, keepdims=True).indices,
        lambda t, a: t.nansum(a, axis=0, keepdims=True),
        lambda t, a: t.cumsum(a, axis=1),
        lambda t, a: t.softmax(a, axis=0),
        lambda t, a: a.unsqueeze(axis=0),
        lambda t, a: t.sum(a=a),
        lambda t, a: t.add(x1=a, x2=a),
        lambda t, a: t.quantile(a, 0.5, axis=1, keepdims=True),
    ):
        ours, theirs = _both(torch, fn, x)
        assert_exact(ours, theirs)
    for fn in (
        lambda t: t.sum(t.ones(2), dim=0, axis=0),
        lambda t: t.nn.functional.softmax(t.ones(2), axis=0),
    ):
        _same_error(torch, fn)
    # Functions PyTorch writes in Python take no NumPy names.
    for lib in (chainrule, torch):
        with pytest.raises(TypeError, match="unexpected keyword argument 'axis'"):
            lib.ones(2).norm(axis=0)
