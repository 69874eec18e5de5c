"""The one error type a checkpoint that cannot be loaded raises, and the memory budget
that every load runs under."""

from __future__ import annotations

import pickle

__all__ = ["Budget", "CheckpointError"]


class CheckpointError(RuntimeError, pickle.UnpicklingError):
    """A file chainrule.load refuses: corrupt, truncated, or holding something chainrule
    does not build. It is a RuntimeError (what PyTorch's load raises for a damaged file)
    and a pickle.UnpicklingError (what it raises for a refused global), so code written to
    catch either catches it."""


class Budget:
    """The bytes a load may allocate: twice the file's size, plus a fixed allowance for the
    Python objects of its structure, plus PER_STORAGE for each storage the file really
    holds (the objects of a tensor: its view, its key, the pickle's memo entries).
    Every storage, array and container the loader builds is charged before (or as) it is
    made, so a file that lies about its sizes is refused before it can make the loader
    allocate more than it holds."""

    ALLOWANCE = 8 << 20
    PER_STORAGE = 3 << 10

    def __init__(self, file_size, name):
        self.limit = 2 * max(int(file_size), 0) + self.ALLOWANCE
        self.used = 0
        self.storages = 0
        self.name = name

    def add_storage(self):
        """A storage whose bytes the file holds (an archive entry, or data in the stream)."""
        self.storages += 1
        self.limit += self.PER_STORAGE

    def charge(self, nbytes, what="the objects it describes"):
        self.used += nbytes
        if self.used > self.limit:
            raise CheckpointError(
                f"cannot load '{self.name}': {what} would need more than "
                f"{self.limit:,} bytes (twice the file's size, plus "
                f"{self.ALLOWANCE >> 20} MiB, plus {self.PER_STORAGE >> 10} KiB for each of its "
                f"{self.storages:,} storages); a checkpoint never needs more than that, so the "
                "file is corrupt or made to exhaust memory"
            )
