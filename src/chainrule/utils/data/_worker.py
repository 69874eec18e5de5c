"""What runs inside a DataLoader worker process: its loop, its seeding, get_worker_info(),
and the wrapper that carries an exception back to the main process."""

from __future__ import annotations

import os
import pickle
import random
import sys
import traceback
from dataclasses import dataclass

import numpy as np

import chainrule

from ._fetch import make_fetcher

__all__ = ["WorkerInfo", "get_worker_info"]

# How often (seconds) a blocked worker or main process looks whether its partner is alive.
MP_STATUS_CHECK_INTERVAL = 5.0

_worker_info = None


@dataclass(frozen=True)
class WorkerInfo:
    """The worker this code runs in: its id, how many there are, its seed and its own copy
    of the dataset."""

    id: int
    num_workers: int
    seed: int
    dataset: object


def get_worker_info():
    """A WorkerInfo inside a DataLoader worker process; None in the main process."""
    return _worker_info


@dataclass(frozen=True)
class IterableDatasetStopIteration:
    """A worker's note that its copy of an iterable dataset has run out."""

    worker_id: int


@dataclass(frozen=True)
class ResumeIteration:
    """Sent to persistent workers at the start of a new epoch; echoed back when done."""


class KeyErrorMessage(str):
    # KeyError prints repr() of its argument; this keeps a multi-line message readable.
    def __repr__(self):
        return self


class ExceptionWrapper:
    """An exception's type and formatted traceback, picklable, to raise again elsewhere."""

    def __init__(self, exc_info=None, where="in background"):
        if exc_info is None:
            exc_info = sys.exc_info()
        self.exc_type = exc_info[0]
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self):
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            msg = KeyErrorMessage(msg)
        try:
            exception = self.exc_type(msg)
        except Exception:
            # an exception type that cannot be built from one message
            raise RuntimeError(msg) from None
        raise exception


def worker_numpy_seed(base_seed, worker_id):
    """NumPy's global seed in a worker: 128 bits hashed from the base seed and worker id
    (NumPy's SeedSequence over the same words gives PyTorch's workers' NumPy seeds)."""
    mask = 0xFFFFFFFF
    entropy = [worker_id, base_seed & mask, base_seed >> 32, 0]
    return np.random.SeedSequence(entropy).generate_state(4)


def _pickled(data, worker_id):
    """data as bytes. Pickling here rather than in the queue's feeder thread means that a
    batch which cannot be pickled becomes an error in the main process, not a silent hang."""
    try:
        return pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:
        wrapped = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
        return pickle.dumps(wrapped, protocol=pickle.HIGHEST_PROTOCOL)


def _parent_alive(parent_pid):
    return os.getppid() == parent_pid


def worker_loop(
    dataset_kind,
    dataset,
    index_queue,
    data_queue,
    done_event,
    auto_collation,
    collate_fn,
    drop_last,
    base_seed,
    init_fn,
    worker_id,
    num_workers,
    parent_pid,
):
    """Fetch the batches whose indices arrive on index_queue (the reading end of a pipe) and
    put (task index, pickled batch) on data_queue, until None arrives or the main process
    dies."""
    global _worker_info
    try:
        seed = base_seed + worker_id
        random.seed(seed)
        chainrule.manual_seed(seed)
        np.random.seed(worker_numpy_seed(base_seed, worker_id))
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)

        init_exception = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = make_fetcher(dataset_kind, dataset, auto_collation, collate_fn, drop_last)
        except Exception:
            # reported with the first batch this worker is asked for
            init_exception = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")

        iteration_end = False
        while _parent_alive(parent_pid):
            try:
                if not index_queue.poll(MP_STATUS_CHECK_INTERVAL):
                    if done_event.is_set():
                        break
                    continue
                r = index_queue.recv()
            except (EOFError, OSError):
                break  # the main process closed its end
            if isinstance(r, ResumeIteration):
                data_queue.put((r, None))
                iteration_end = False
                fetcher = make_fetcher(dataset_kind, dataset, auto_collation, collate_fn, drop_last)
                continue
            if r is None:
                break
            if done_event.is_set() or iteration_end:
                continue
            idx, index = r
            if init_exception is not None:
                data, init_exception = init_exception, None
            else:
                try:
                    data = fetcher.fetch(index)
                except StopIteration:
                    if dataset_kind != "iterable":
                        data = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
                    else:
                        data = IterableDatasetStopIteration(worker_id)
                        iteration_end = True
                except Exception:
                    data = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
            data_queue.put((idx, _pickled(data, worker_id)))
            del data, idx, index, r
    except KeyboardInterrupt:
        pass
    if done_event.is_set():
        # the main process is shutting down and will not read what is still queued
        data_queue.cancel_join_thread()
        data_queue.close()
