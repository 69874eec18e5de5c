"""Datasets, random_split and samplers: PyTorch's semantics and errors."""

import math

import numpy as np
import pytest

import chainrule
from chainrule.utils.data import (
    BatchSampler,
    ChainDataset,
    ConcatDataset,
    Dataset,
    IterableDataset,
    RandomSampler,
    SequentialSampler,
    StackDataset,
    Subset,
    SubsetRandomSampler,
    TensorDataset,
    WeightedRandomSampler,
    random_split,
)


class Squares(Dataset):
    def __init__(self, n):
        self.n = n

    def __getitem__(self, i):
        if not 0 <= i < self.n:
            raise IndexError(i)
        return i * i

    def __len__(self):
        return self.n


class Stream(IterableDataset):
    def __init__(self, items):
        self.items = items

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)


# -- datasets -----------------------------------------------------------------------------------
def test_tensor_dataset_rows_and_length():
    x = chainrule.arange(12.0).reshape(4, 3)
    y = chainrule.arange(4)
    ds = TensorDataset(x, y)
    assert len(ds) == 4
    row, label = ds[2]
    np.testing.assert_array_equal(row.numpy(), [6.0, 7.0, 8.0])
    assert label.item() == 2


def test_tensor_dataset_size_mismatch_as_pytorch(torch):
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        TensorDataset(chainrule.zeros(3), chainrule.zeros(4))
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        torch.utils.data.TensorDataset(torch.zeros(3), torch.zeros(4))


def test_base_dataset_getitem_raises():
    with pytest.raises(NotImplementedError, match="Subclasses of Dataset should implement"):
        Dataset()[0]


def test_concat_dataset_and_plus():
    ds = Squares(3) + Squares(2)
    assert isinstance(ds, ConcatDataset)
    assert len(ds) == 5
    assert [ds[i] for i in range(5)] == [0, 1, 4, 0, 1]
    assert ds[-1] == 1 and ds[-5] == 0
    assert ds.cumulative_sizes == [3, 5]
    with pytest.raises(ValueError, match="absolute value of index should not exceed"):
        ds[-6]


def test_concat_dataset_errors():
    with pytest.raises(AssertionError, match="datasets should not be an empty iterable"):
        ConcatDataset([])
    with pytest.raises(AssertionError, match="ConcatDataset does not support IterableDataset"):
        ConcatDataset([Squares(2), Stream([1])])


def test_iterable_plus_chains():
    ds = Stream([1, 2]) + Stream([3])
    assert isinstance(ds, ChainDataset)
    assert list(ds) == [1, 2, 3]
    assert len(ds) == 3


def test_subset_and_stack_dataset():
    sub = Subset(Squares(10), [5, 2, 7])
    assert len(sub) == 3
    assert [sub[i] for i in range(3)] == [25, 4, 49]
    assert sub.__getitems__([0, 2]) == [25, 49]
    st = StackDataset(Squares(3), Squares(3))
    assert st[2] == (4, 4)
    assert StackDataset(a=Squares(2), b=Squares(2))[1] == {"a": 1, "b": 1}
    with pytest.raises(ValueError, match="Size mismatch between datasets"):
        StackDataset(Squares(2), Squares(3))


# -- random_split --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "n, lengths",
    [(10, [3, 7]), (30, [0.3, 0.3, 0.4]), (11, [0.5, 0.5]), (10, [0.33, 0.33, 0.34]), (7, [1.0])],
)
def test_random_split_sizes_match_pytorch(torch, n, lengths):
    ours = random_split(range(n), lengths, generator=chainrule.Generator().manual_seed(0))
    theirs = torch.utils.data.random_split(
        range(n), lengths, generator=torch.Generator().manual_seed(0)
    )
    assert [len(s) for s in ours] == [len(s) for s in theirs]
    picked = sorted(i for s in ours for i in s.indices)
    assert picked == list(range(n))  # disjoint and covering


def test_random_split_is_reproducible_with_a_generator():
    a = random_split(range(20), [5, 15], generator=chainrule.Generator().manual_seed(3))
    b = random_split(range(20), [5, 15], generator=chainrule.Generator().manual_seed(3))
    c = random_split(range(20), [5, 15], generator=chainrule.Generator().manual_seed(4))
    assert [s.indices for s in a] == [s.indices for s in b]
    assert [s.indices for s in a] != [s.indices for s in c]


def test_random_split_uses_the_default_generator():
    chainrule.manual_seed(5)
    a = random_split(range(20), [10, 10])
    chainrule.manual_seed(5)
    b = random_split(range(20), [10, 10])
    assert a[0].indices == b[0].indices


def test_random_split_errors_match_pytorch(torch):
    msg = "Sum of input lengths does not equal the length of the input dataset!"
    for split in (random_split, torch.utils.data.random_split):
        with pytest.raises(ValueError, match=msg):
            split(range(10), [3, 3])
    with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
        random_split(range(2), [1.0, 0.0])
    for split in (random_split, torch.utils.data.random_split):
        with pytest.raises(ValueError, match="Fraction at index 1 is not between 0 and 1"):
            split(range(10), [0.5, 1.5, -1.0])


# -- samplers -----------------------------------------------------------------------------------
def test_sequential_sampler():
    s = SequentialSampler(range(5))
    assert list(s) == [0, 1, 2, 3, 4] and len(s) == 5


def test_random_sampler_is_a_permutation_reproducible_by_seed():
    g = chainrule.Generator().manual_seed(1)
    first = list(RandomSampler(range(50), generator=g))
    assert sorted(first) == list(range(50))
    again = list(RandomSampler(range(50), generator=chainrule.Generator().manual_seed(1)))
    assert first == again
    other = list(RandomSampler(range(50), generator=chainrule.Generator().manual_seed(2)))
    assert first != other


def test_random_sampler_without_generator_follows_manual_seed():
    chainrule.manual_seed(7)
    a = list(RandomSampler(range(30)))
    chainrule.manual_seed(7)
    b = list(RandomSampler(range(30)))
    assert a == b and sorted(a) == list(range(30))


def test_random_sampler_num_samples_without_replacement_repeats_whole_permutations():
    s = RandomSampler(range(4), num_samples=10, generator=chainrule.Generator().manual_seed(0))
    out = list(s)
    assert len(s) == 10 and len(out) == 10
    assert sorted(out[:4]) == [0, 1, 2, 3] and sorted(out[4:8]) == [0, 1, 2, 3]
    assert len(set(out[8:])) == 2


def test_random_sampler_with_replacement():
    s = RandomSampler(range(3), replacement=True, num_samples=100, generator=chainrule.Generator())
    out = list(s)
    assert len(out) == 100 and set(out) <= {0, 1, 2}
    assert len(set(out)) == 3  # 100 draws of 3 values: all appear (probability ~1 - 3e-17)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (
            dict(replacement=1),
            TypeError,
            "replacement should be a boolean value, but got replacement=1",
        ),
        (
            dict(num_samples=0),
            ValueError,
            "num_samples should be a positive integer value, but got num_samples=0",
        ),
        (dict(num_samples=2.0), ValueError, "num_samples=2.0"),
    ],
)
def test_random_sampler_errors_match_pytorch(torch, kwargs, error, message):
    for cls in (RandomSampler, torch.utils.data.RandomSampler):
        with pytest.raises(error, match=message):
            cls(range(3), **kwargs)


def test_subset_random_sampler():
    s = SubsetRandomSampler([10, 20, 30, 40], generator=chainrule.Generator().manual_seed(0))
    out = list(s)
    assert sorted(out) == [10, 20, 30, 40] and len(s) == 4


def test_weighted_sampler_with_replacement_follows_weights():
    s = WeightedRandomSampler([0.0, 1.0, 3.0], 4000, generator=chainrule.Generator().manual_seed(0))
    out = np.array(list(s))
    assert len(s) == 4000 and set(out.tolist()) == {1, 2}
    assert abs((out == 2).mean() - 0.75) < 0.05


def test_weighted_sampler_without_replacement_draws_distinct_indices():
    g = chainrule.Generator().manual_seed(0)
    s = WeightedRandomSampler([0.9, 0.4, 0.05, 0.2, 0.3, 0.1], 6, replacement=False, generator=g)
    out = list(s)
    assert sorted(out) == [0, 1, 2, 3, 4, 5]
    # the heavy index comes first most of the time: P(first = 0) = 0.9 / 1.95
    firsts = [
        next(iter(WeightedRandomSampler([9.0, 1.0], 1, replacement=False, generator=g)))
        for _ in range(400)
    ]
    assert abs(firsts.count(0) / 400 - 0.9) < 0.06


def test_weighted_sampler_without_replacement_takes_zero_weights_last(torch):
    ours = list(WeightedRandomSampler([1.0, 0.0, 0.0], 2, replacement=False))
    theirs = list(torch.utils.data.WeightedRandomSampler([1.0, 0.0, 0.0], 2, replacement=False))
    assert ours == theirs == [0, 1]


@pytest.mark.parametrize(
    "args, kwargs, error, message",
    [
        (
            ([1.0], 0),
            {},
            ValueError,
            "num_samples should be a positive integer value, but got num_samples=0",
        ),
        (([1.0], True), {}, ValueError, "num_samples=True"),
        (([1.0], 1), dict(replacement=0), ValueError, "replacement should be a boolean value"),
        (
            ([[1.0, 2.0]], 1),
            {},
            ValueError,
            r"weights should be a 1d sequence but given weights have shape \(1, 2\)",
        ),
    ],
)
def test_weighted_sampler_construction_errors_match_pytorch(torch, args, kwargs, error, message):
    for cls in (WeightedRandomSampler, torch.utils.data.WeightedRandomSampler):
        with pytest.raises(error, match=message):
            cls(*args, **kwargs)


@pytest.mark.parametrize(
    "weights, n, replacement, message",
    [
        ([1.0, -1.0], 1, True, "probability tensor contains either `inf`, `nan` or element < 0"),
        ([float("nan"), 1.0], 1, True, "probability tensor contains either"),
        ([0.0, 0.0], 1, True, r"invalid multinomial distribution \(sum of probabilities <= 0\)"),
        ([1.0, 2.0], 3, False, "cannot sample n_sample > prob_dist.size"),
    ],
)
def test_weighted_sampler_draw_errors_match_pytorch(torch, weights, n, replacement, message):
    for cls in (WeightedRandomSampler, torch.utils.data.WeightedRandomSampler):
        with pytest.raises(RuntimeError, match=message):
            list(cls(weights, n, replacement))


@pytest.mark.parametrize(
    "n, size, drop_last", [(10, 3, False), (10, 3, True), (9, 3, True), (2, 5, False), (2, 5, True)]
)
def test_batch_sampler_matches_pytorch(torch, n, size, drop_last):
    ours = BatchSampler(SequentialSampler(range(n)), size, drop_last)
    theirs = torch.utils.data.BatchSampler(
        torch.utils.data.SequentialSampler(range(n)), size, drop_last
    )
    assert list(ours) == list(theirs)
    expected = n // size if drop_last else math.ceil(n / size)
    assert len(ours) == len(theirs) == expected


@pytest.mark.parametrize(
    "size, drop_last, message",
    [
        (0, False, "batch_size should be a positive integer value, but got batch_size=0"),
        (True, False, "batch_size=True"),
        (2, 1, "drop_last should be a boolean value, but got drop_last=1"),
    ],
)
def test_batch_sampler_errors_match_pytorch(torch, size, drop_last, message):
    for cls in (BatchSampler, torch.utils.data.BatchSampler):
        with pytest.raises(ValueError, match=message):
            cls(range(3), size, drop_last)
