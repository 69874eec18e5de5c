"""Fetchers: turn one item from the index sampler into one batch (or sample) of data,
for map-style datasets (indices) and iterable ones (a count of samples to take)."""

from ._collate import default_collate
from .dataset import TensorDataset

MAP = "map"
ITERABLE = "iterable"


class MapDatasetFetcher:
    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        # A TensorDataset batched by default_collate is the rows at the batch's indices:
        # one indexing op per tensor instead of one per sample and a stack.
        self.tensor_rows = (
            auto_collation and type(dataset) is TensorDataset and collate_fn is default_collate
        )

    def fetch(self, index):
        if not self.auto_collation:
            return self.collate_fn(self.dataset[index])
        if self.tensor_rows and isinstance(index, list) and index:
            return [t[index] for t in self.dataset.tensors]
        getitems = getattr(self.dataset, "__getitems__", None)
        if getitems:
            data = getitems(index)
        else:
            data = [self.dataset[i] for i in index]
        return self.collate_fn(data)


class IterableDatasetFetcher:
    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        self.dataset_iter = iter(dataset)
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last
        self.ended = False

    def fetch(self, index):
        if self.ended:
            raise StopIteration
        if not self.auto_collation:
            return self.collate_fn(next(self.dataset_iter))
        data = []
        for _ in index:
            try:
                data.append(next(self.dataset_iter))
            except StopIteration:
                self.ended = True
                break
        if not data or (self.drop_last and len(data) < len(index)):
            raise StopIteration
        return self.collate_fn(data)


def make_fetcher(kind, dataset, auto_collation, collate_fn, drop_last):
    cls = MapDatasetFetcher if kind == MAP else IterableDatasetFetcher
    return cls(dataset, auto_collation, collate_fn, drop_last)
