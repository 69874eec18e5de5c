"""DataLoader in the main process: batch sequences against PyTorch, options and their errors."""

import numpy as np
import pytest

import chainrule
from chainrule.utils.data import (
    BatchSampler,
    DataLoader,
    Dataset,
    IterableDataset,
    SequentialSampler,
    TensorDataset,
)


class Pairs(Dataset):
    """Sample i is (i as a float, a dict with i and a string) in either library."""

    def __init__(self, lib, n):
        self.lib, self.n = lib, n

    def __getitem__(self, i):
        return self.lib.tensor([float(i), 2.0 * i]), {"label": i, "name": f"s{i}"}

    def __len__(self):
        return self.n


def counting(lib, n, with_len=True):
    """An iterable dataset of 0.0 .. n-1 as scalar tensors, built on lib's IterableDataset."""

    class Counting(lib.utils.data.IterableDataset):
        def __iter__(self):
            return (lib.tensor(float(i)) for i in range(n))

        def __len__(self):
            if not with_len:
                raise TypeError("no length")
            return n

    return Counting()


def _as_numpy(batch):
    """A batch turned into nested plain Python/NumPy values, comparable across libraries."""
    if hasattr(batch, "detach"):
        return ("tensor", str(batch.dtype).replace("torch.", ""), batch.detach().numpy().tolist())
    if isinstance(batch, dict):
        return {k: _as_numpy(v) for k, v in batch.items()}
    if isinstance(batch, (list, tuple)):
        return (type(batch).__name__, [_as_numpy(v) for v in batch])
    return batch


def _batches(loader):
    return [_as_numpy(b) for b in loader]


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(),
        dict(batch_size=3),
        dict(batch_size=3, drop_last=True),
        dict(batch_size=4),
        dict(batch_size=None),
        dict(batch_size=20),
    ],
)
def test_map_style_batches_match_pytorch(torch, kwargs):
    ours = _batches(DataLoader(Pairs(chainrule, 10), **kwargs))
    theirs = _batches(torch.utils.data.DataLoader(Pairs(torch, 10), **kwargs))
    assert ours == theirs
    assert len(DataLoader(Pairs(chainrule, 10), **kwargs)) == len(
        torch.utils.data.DataLoader(Pairs(torch, 10), **kwargs)
    )


@pytest.mark.parametrize(
    "kwargs",
    [dict(), dict(batch_size=3), dict(batch_size=3, drop_last=True), dict(batch_size=None)],
)
def test_iterable_batches_match_pytorch(torch, kwargs):
    ours = DataLoader(counting(chainrule, 7), **kwargs)
    theirs = torch.utils.data.DataLoader(counting(torch, 7), **kwargs)
    assert _batches(ours) == _batches(theirs)
    assert len(ours) == len(theirs)


def test_iterable_dataset_without_len_has_no_loader_len():
    loader = DataLoader(counting(chainrule, 3, with_len=False), batch_size=2)
    with pytest.raises(TypeError):
        len(loader)
    assert len(list(loader)) == 2


def test_iterable_longer_than_reported_warns(torch):
    class Liar(IterableDataset):
        def __iter__(self):
            return iter(range(4))

        def __len__(self):
            return 2

    loader = DataLoader(Liar(), batch_size=None)
    assert len(loader) == 2
    with pytest.warns(UserWarning, match="was reported to be 2"):
        list(loader)


def test_batch_sampler_and_sampler_options(torch):
    ours = DataLoader(Pairs(chainrule, 7), batch_sampler=[[6, 0], [3], [1, 2, 5]])
    theirs = torch.utils.data.DataLoader(Pairs(torch, 7), batch_sampler=[[6, 0], [3], [1, 2, 5]])
    assert _batches(ours) == _batches(theirs)
    assert len(ours) == 3
    ours = DataLoader(Pairs(chainrule, 5), sampler=[4, 2, 0], batch_size=2)
    theirs = torch.utils.data.DataLoader(Pairs(torch, 5), sampler=[4, 2, 0], batch_size=2)
    assert _batches(ours) == _batches(theirs)


def test_custom_collate_fn_gets_the_list_of_samples():
    seen = []
    loader = DataLoader(range(5), batch_size=2, collate_fn=lambda b: seen.append(b) or len(b))
    assert list(loader) == [2, 2, 1]
    assert seen == [[0, 1], [2, 3], [4]]


def test_tensor_dataset_batches_are_the_rows(torch):
    x = np.arange(30, dtype=np.float32).reshape(10, 3)
    y = np.arange(10)
    ours = DataLoader(TensorDataset(chainrule.tensor(x), chainrule.tensor(y)), batch_size=4)
    theirs = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.tensor(x), torch.tensor(y)), batch_size=4
    )
    assert _batches(ours) == _batches(theirs)

    # a subclass that changes __getitem__ is honoured
    class Doubled(TensorDataset):
        def __getitem__(self, i):
            return tuple(t[i] * 2 for t in self.tensors)

    (xb,) = next(iter(DataLoader(Doubled(chainrule.tensor(x)), batch_size=2)))
    np.testing.assert_array_equal(xb.numpy(), x[:2] * 2)


def test_shuffle_with_generator_is_a_reproducible_permutation():
    def order(seed, epochs=1):
        g = chainrule.Generator().manual_seed(seed)
        loader = DataLoader(range(40), batch_size=8, shuffle=True, generator=g)
        return [[int(v) for b in loader for v in b] for _ in range(epochs)]

    first = order(0)[0]
    assert sorted(first) == list(range(40)) and first != list(range(40))
    assert order(0) == [first]
    assert order(1) != [first]
    two = order(0, epochs=2)
    assert two[0] == first and sorted(two[1]) == list(range(40)) and two[1] != first


def test_shuffle_follows_manual_seed():
    chainrule.manual_seed(11)
    a = [int(v) for b in DataLoader(range(20), batch_size=5, shuffle=True) for v in b]
    chainrule.manual_seed(11)
    b = [int(v) for b in DataLoader(range(20), batch_size=5, shuffle=True) for v in b]
    assert a == b and sorted(a) == list(range(20))


def test_loader_yields_grad_free_batches_from_leaf_data():
    ds = TensorDataset(chainrule.randn(6, 2), chainrule.randn(6))
    xb, yb = next(iter(DataLoader(ds, batch_size=3, shuffle=True)))
    assert xb.shape == (3, 2) and yb.shape == (3,)
    assert not xb.requires_grad


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(num_workers=-1), "num_workers option should be non-negative"),
        (dict(timeout=-1), "timeout option should be non-negative"),
        (
            dict(prefetch_factor=2),
            "prefetch_factor option could only be specified in multiprocessing",
        ),
        (dict(num_workers=1, prefetch_factor=-1), "prefetch_factor option should be non-negative"),
        (dict(persistent_workers=True), "persistent_workers option needs num_workers > 0"),
        (dict(sampler=[0, 1], shuffle=True), "sampler option is mutually exclusive with shuffle"),
        (
            dict(batch_sampler=[[0]], batch_size=2),
            "batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and "
            "drop_last",
        ),
        (dict(batch_sampler=[[0]], shuffle=True), "batch_sampler option is mutually exclusive"),
        (dict(batch_sampler=[[0]], sampler=[0]), "batch_sampler option is mutually exclusive"),
        (dict(batch_sampler=[[0]], drop_last=True), "batch_sampler option is mutually exclusive"),
        (
            dict(batch_size=None, drop_last=True),
            "batch_size=None option disables auto-batching and is mutually exclusive with "
            "drop_last",
        ),
        (
            dict(multiprocessing_context="fork"),
            "multiprocessing_context can only be used with multi-process loading",
        ),
        (
            dict(num_workers=1, multiprocessing_context="nonsense"),
            "multiprocessing_context option should specify a valid start method",
        ),
    ],
)
def test_option_errors_match_pytorch(torch, kwargs, message):
    for cls in (DataLoader, torch.utils.data.DataLoader):
        with pytest.raises(ValueError, match=message):
            cls(list(range(4)), **kwargs)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (
            dict(shuffle=True),
            "DataLoader with IterableDataset: expected unspecified shuffle option, but got "
            "shuffle=True",
        ),
        (dict(sampler=[0]), "expected unspecified sampler option, but got sampler=\\[0\\]"),
        (
            dict(batch_sampler=[[0]]),
            "expected unspecified batch_sampler option, but got batch_sampler=\\[\\[0\\]\\]",
        ),
    ],
)
def test_iterable_option_errors_match_pytorch(torch, kwargs, message):
    with pytest.raises(ValueError, match=message):
        DataLoader(counting(chainrule, 2), **kwargs)
    with pytest.raises(ValueError, match=message):
        torch.utils.data.DataLoader(counting(torch, 2), **kwargs)


def test_attributes_are_frozen_after_init(torch):
    for loader in (DataLoader(range(3)), torch.utils.data.DataLoader(range(3))):
        with pytest.raises(
            ValueError,
            match="batch_size attribute should not be set after DataLoader is initialized",
        ):
            loader.batch_size = 4
        loader.num_workers = 0  # others may change


def test_defaults_and_attributes(torch):
    ours, theirs = DataLoader(range(5)), torch.utils.data.DataLoader(range(5))
    for name in (
        "batch_size",
        "num_workers",
        "drop_last",
        "timeout",
        "pin_memory",
        "prefetch_factor",
        "persistent_workers",
    ):
        assert getattr(ours, name) == getattr(theirs, name), name
    assert isinstance(ours.sampler, SequentialSampler)
    assert isinstance(ours.batch_sampler, BatchSampler)
    assert DataLoader(range(5), num_workers=1).prefetch_factor == 2


def test_pin_memory_warns_without_an_accelerator():
    with pytest.warns(UserWarning, match="no accelerator is found"):
        assert len(list(DataLoader(range(3), pin_memory=True))) == 3
