"""DataLoader with worker processes: order, worker info and seeds, errors, shutdown.

Datasets live at module level so that spawned workers can import them too.
"""

import os
import time

import numpy as np
import pytest

import chainrule
from chainrule.utils.data import DataLoader, Dataset, IterableDataset, get_worker_info


class Slow(Dataset):
    """Sample i is (i, 2i) as tensors, each taking a little while to load."""

    def __init__(self, n, delay=0.05):
        self.n, self.delay = n, delay

    def __getitem__(self, i):
        time.sleep(self.delay)
        return chainrule.tensor([float(i), 2.0 * i]), i

    def __len__(self):
        return self.n


class WhoLoads(Dataset):
    """Sample i tells which process and worker loaded it, and a random draw made there."""

    def __getitem__(self, i):
        info = get_worker_info()
        return {
            "index": i,
            "pid": os.getpid(),
            "worker": info.id,
            "num_workers": info.num_workers,
            "seed": info.seed,
            "own_dataset": info.dataset is not self or True,
            "draw": float(chainrule.rand(1)),
            "np_draw": float(np.random.rand()),
        }

    def __len__(self):
        return 8


class FailsAt(Dataset):
    def __init__(self, bad, error=ValueError):
        self.bad, self.error = bad, error

    def __getitem__(self, i):
        if i == self.bad:
            raise self.error(f"bad sample {i}")
        return i

    def __len__(self):
        return 6


class Dies(Dataset):
    def __getitem__(self, i):
        if i == 2:
            os._exit(3)
        return i

    def __len__(self):
        return 6


class Sharded(IterableDataset):
    """range(start, end), split between the workers as PyTorch's documentation shows."""

    def __init__(self, start, end):
        self.start, self.end = start, end

    def __iter__(self):
        info = get_worker_info()
        if info is None:
            return iter(range(self.start, self.end))
        per_worker = -(-(self.end - self.start) // info.num_workers)
        lo = self.start + info.id * per_worker
        return iter(range(lo, min(lo + per_worker, self.end)))


def _flat(loader):
    out = []
    for x, i in loader:
        out.append((x.numpy().tolist(), i.tolist()))
    return out


def test_slow_items_with_two_workers_come_back_in_order():
    ds = Slow(12)
    expected = _flat(DataLoader(ds, batch_size=3))
    assert _flat(DataLoader(ds, batch_size=3, num_workers=2)) == expected
    # several batches per worker in flight, and a ragged last batch
    ds = Slow(11, delay=0.01)
    assert _flat(DataLoader(ds, batch_size=2, num_workers=2, prefetch_factor=3)) == _flat(
        DataLoader(ds, batch_size=2)
    )


def test_worker_info_seeds_and_init_fn():
    g = chainrule.Generator().manual_seed(123)
    loader = DataLoader(WhoLoads(), batch_size=None, num_workers=2, generator=g)
    samples = list(loader)
    assert get_worker_info() is None
    assert [s["index"] for s in samples] == list(range(8))
    # batches go to the workers round robin
    assert [s["worker"] for s in samples] == [0, 1] * 4
    assert {s["num_workers"] for s in samples} == {2}
    assert all(s["pid"] != os.getpid() for s in samples)
    assert len({s["pid"] for s in samples}) == 2
    seeds = {s["worker"]: s["seed"] for s in samples}
    assert seeds[1] == seeds[0] + 1
    # the base seed comes from the loader's generator: the same generator seed, the same run
    again = list(
        DataLoader(
            WhoLoads(),
            batch_size=None,
            num_workers=2,
            generator=chainrule.Generator().manual_seed(123),
        )
    )
    assert [s["seed"] for s in again] == [s["seed"] for s in samples]
    assert [s["draw"] for s in again] == [s["draw"] for s in samples]
    assert [s["np_draw"] for s in again] == [s["np_draw"] for s in samples]
    # and the two workers draw different random numbers
    assert samples[0]["draw"] != samples[1]["draw"]
    assert samples[0]["np_draw"] != samples[1]["np_draw"]


def test_worker_numpy_seed_is_pytorchs(torch):
    from torch.utils.data._utils.worker import _generate_state

    from chainrule.utils.data._worker import worker_numpy_seed

    for base_seed, worker_id in [(0, 0), (123456789123, 1), (2**63 - 5, 7)]:
        assert worker_numpy_seed(base_seed, worker_id).tolist() == _generate_state(
            base_seed, worker_id
        )


def _record_init(worker_id):
    info = get_worker_info()
    assert info.id == worker_id
    info.dataset.init_by = worker_id


class RemembersInit(Dataset):
    init_by = None

    def __getitem__(self, i):
        return self.init_by

    def __len__(self):
        return 4


def test_worker_init_fn_runs_in_each_worker_with_its_id():
    loader = DataLoader(
        RemembersInit(), batch_size=None, num_workers=2, worker_init_fn=_record_init
    )
    assert list(loader) == [0, 1, 0, 1]


def test_worker_error_is_reraised_with_the_worker_id():
    loader = DataLoader(FailsAt(3), batch_size=None, num_workers=2)
    it = iter(loader)
    assert [next(it) for _ in range(3)] == [0, 1, 2]
    with pytest.raises(ValueError, match="Caught ValueError in DataLoader worker process 1") as err:
        next(it)
    assert "bad sample 3" in str(err.value)
    assert "Traceback" in str(err.value)
    del it


def test_worker_key_error_keeps_a_readable_message():
    with pytest.raises(KeyError, match="Caught KeyError in DataLoader worker process 0"):
        list(DataLoader(FailsAt(0, KeyError), batch_size=2, num_workers=1))


def _failing_init(worker_id):
    raise RuntimeError(f"init failed in {worker_id}")


def test_worker_init_fn_error_is_reraised():
    with pytest.raises(RuntimeError, match="Caught RuntimeError in DataLoader worker process 0"):
        list(DataLoader(range(4), num_workers=2, worker_init_fn=_failing_init))


def test_a_dead_worker_is_reported():
    with pytest.raises(
        RuntimeError, match=r"DataLoader worker \(pid\(s\) \d+\) exited unexpectedly"
    ):
        list(DataLoader(Dies(), batch_size=None, num_workers=2))


class Unpicklable(Dataset):
    def __getitem__(self, i):
        return lambda: i

    def __len__(self):
        return 2


def test_a_batch_that_cannot_be_pickled_is_an_error_not_a_hang():
    with pytest.raises(Exception, match="in DataLoader worker process 0"):
        list(DataLoader(Unpicklable(), batch_size=None, num_workers=1))


def test_workers_stop_when_the_epoch_ends():
    it = iter(DataLoader(range(6), batch_size=2, num_workers=2))
    workers = list(it._workers)
    assert len(list(it)) == 3
    for w in workers:
        w.join(timeout=10)
        assert not w.is_alive()


def test_workers_stop_when_the_iterator_is_garbage_collected():
    it = iter(DataLoader(range(100), batch_size=2, num_workers=2))
    next(it)
    workers = list(it._workers)
    del it
    for w in workers:
        w.join(timeout=10)
        assert not w.is_alive()


class Pid(Dataset):
    def __getitem__(self, i):
        return os.getpid()

    def __len__(self):
        return 4


def test_persistent_workers_serve_every_epoch():
    loader = DataLoader(Pid(), batch_size=None, num_workers=2, persistent_workers=True)
    first = [int(p) for p in loader]
    it = loader._iterator
    second = [int(p) for p in loader]
    assert first == second and len(set(first)) == 2
    assert loader._iterator is it
    # an epoch left early does not leak into the next one
    for _ in loader:
        break
    assert [int(p) for p in loader] == first
    workers = list(it._workers)
    assert all(w.is_alive() for w in workers)
    del loader, it
    import gc

    gc.collect()
    for w in workers:
        w.join(timeout=10)
        assert not w.is_alive()


@pytest.mark.parametrize("persistent", [False, True])
def test_iterable_dataset_with_workers(persistent):
    ds = Sharded(0, 10)
    loader = DataLoader(ds, batch_size=2, num_workers=2, persistent_workers=persistent)
    for _ in range(2 if persistent else 1):
        got = [b.tolist() for b in loader]
        # worker 0 holds 0..4, worker 1 holds 5..9; batches alternate between them
        assert got == [[0, 1], [5, 6], [2, 3], [7, 8], [4], [9]]


def test_iterable_dataset_without_sharding_is_duplicated_per_worker(torch):
    class Plain(IterableDataset):
        def __iter__(self):
            return iter(range(3))

    class TorchPlain(torch.utils.data.IterableDataset):
        def __iter__(self):
            return iter(range(3))

    ours = [b.tolist() for b in DataLoader(Plain(), batch_size=2, num_workers=2)]
    theirs = [
        b.tolist() for b in torch.utils.data.DataLoader(TorchPlain(), batch_size=2, num_workers=2)
    ]
    assert ours == theirs


def test_spawned_workers_give_the_same_batches():
    ds = Slow(6, delay=0.0)
    loader = DataLoader(ds, batch_size=2, num_workers=2, multiprocessing_context="spawn")
    assert _flat(loader) == _flat(DataLoader(ds, batch_size=2))


def test_worker_tensors_keep_dtype_and_requires_grad():
    x = chainrule.arange(6.0, dtype=chainrule.float64).reshape(3, 2)
    ds = [x[i].detach().requires_grad_() for i in range(3)]
    (batch,) = list(DataLoader(ds, batch_size=3, num_workers=1))
    assert batch.dtype == chainrule.float64
    np.testing.assert_array_equal(batch.detach().numpy(), x.numpy())


def test_too_many_workers_warns():
    with pytest.warns(
        UserWarning, match="This DataLoader will create 1000 worker processes in total"
    ):
        DataLoader(range(3), num_workers=1000)
