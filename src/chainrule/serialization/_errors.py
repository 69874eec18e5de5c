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
    """The bytes a load may allocate: twice the file's size plus a fixed allowance for the
    Python objects of the structure. Every storage, array and container the loader builds
    is charged before (or as) it is made, so a file that lies about its sizes is refused
    before it can make the loader allocate more than it holds."""

    ALLOWANCE = 8 << 20

    def __init__(self, file_size, name):
        self.limit = 2 * max(int(file_size), 0) + self.ALLOWANCE
        self.used = 0
        self.name = name

    def charge(self, nbytes, what="the objects it describes"):
        self.used += nbytes
        if self.used > self.limit:
            raise CheckpointError(
                f"cannot load '{self.name}': {what} would need more than "
                f"{self.limit:,} bytes, twice the file's size plus "
                f"{self.ALLOWANCE >> 20} MiB; a checkpoint never needs more than that, so the "
                "file is corrupt or made to exhaust memory"
            )
