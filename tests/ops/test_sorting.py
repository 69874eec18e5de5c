"""sort, argsort, topk and unique: ties, NaN, dtypes, errors and results against PyTorch."""

import numpy as np
import pytest

import chainrule as cr

NAN = float("nan")


def _same(ours, theirs):
    assert str(ours.dtype) == str(theirs.dtype)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("descending", [False, True])
def test_sort_ties_keep_index_order_and_nan_is_largest(torch, descending):
    values = [2.0, 1.0, 2.0, NAN, 1.0, 0.0, 2.0]
    ours = cr.tensor(values).sort(descending=descending)
    theirs = torch.tensor(values).sort(descending=descending, stable=True)
    _same(ours.values, theirs.values)
    _same(ours.indices, theirs.indices)
    _same(cr.tensor(values).argsort(descending=descending), theirs.indices)


@pytest.mark.parametrize("dtype", ["int64", "bool", "float64"])
def test_sort_keeps_dtype(torch, dtype):
    data = np.array([[3, 0, 1], [1, 1, 0]]).astype(dtype)
    ours = cr.sort(cr.tensor(data), 0, True)
    theirs = torch.sort(torch.tensor(data), stable=True, dim=0, descending=True)
    _same(ours.values, theirs.values)
    _same(ours.indices, theirs.indices)


def test_sort_prints_as_return_type_and_has_grad_fn():
    x = cr.tensor([3.0, 1.0, 2.0], requires_grad=True)
    result = x.sort()
    assert repr(result).startswith("torch.return_types.sort(\nvalues=tensor([1., 2., 3.]")
    assert result.values.grad_fn.name() == "SortBackward0"
    assert not result.indices.requires_grad
    (result.values * cr.tensor([1.0, 10.0, 100.0])).sum().backward()
    assert x.grad.tolist() == [100.0, 1.0, 10.0]


def test_topk_gradient_reaches_only_the_selected(torch):
    data = [[0.5, 3.0, -1.0, 2.0], [4.0, 0.0, 1.0, -2.0]]
    x = cr.tensor(data, requires_grad=True)
    tx = torch.tensor(data, requires_grad=True)
    ours, theirs = x.topk(2, dim=1), tx.topk(2, dim=1)
    _same(ours.indices, theirs.indices)
    assert ours.values.grad_fn.name() == "TopkBackward0"
    ours.values.sum().backward()
    theirs.values.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())


def test_topk_smallest_and_scalar(torch):
    _same(cr.tensor([3, 1, 2]).topk(2, largest=False).values, torch.tensor([1, 2]))
    result = cr.tensor(5.0).topk(1)
    assert result.values.item() == 5.0 and result.indices.item() == 0


def test_topk_k_out_of_range():
    with pytest.raises(RuntimeError, match="selected index k out of range"):
        cr.tensor([1.0, 2.0]).topk(3)


def test_sort_dim_out_of_range():
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range"):
        cr.tensor([1.0, 2.0]).sort(dim=2)


def test_unique_flat_with_inverse_and_counts(torch):
    data = [3, 1, 2, 3, 1, 1]
    ours = cr.unique(cr.tensor(data), return_inverse=True, return_counts=True)
    theirs = torch.unique(torch.tensor(data), return_inverse=True, return_counts=True)
    for a, b in zip(ours, theirs):
        _same(a, b)
    _same(cr.tensor([2.0, 1.0, 2.0]).unique(), torch.tensor([1.0, 2.0]))


def test_unique_inverse_has_the_input_shape_and_dim_gives_rows(torch):
    data = [[1, 2], [1, 2], [0, 3]]
    _same(
        cr.tensor(data).unique(return_inverse=True)[1],
        torch.tensor(data).unique(return_inverse=True)[1],
    )
    ours = cr.unique(cr.tensor(data), dim=0, return_inverse=True, return_counts=True)
    theirs = torch.unique(torch.tensor(data), dim=0, return_inverse=True, return_counts=True)
    for a, b in zip(ours, theirs):
        _same(a, b)
