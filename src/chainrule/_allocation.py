"""What an allocation that cannot be made raises: OutOfMemoryError, a RuntimeError.

PyTorch raises RuntimeError when its allocator cannot give the memory asked for
(torch.zeros(10**12)) or when the size does not fit in a machine integer; NumPy raises
MemoryError and ValueError. Code written for PyTorch catches RuntimeError, so chainrule
turns NumPy's errors into `OutOfMemoryError`, which is a RuntimeError (as PyTorch's
torch.OutOfMemoryError is) and also a MemoryError (as NumPy's is, so `except MemoryError`
keeps working). A size that overflows raises a plain RuntimeError, as in PyTorch.

The translation happens where chainrule runs NumPy on a user's behalf: op.py's apply
paths (every op's forward and backward) and the creation functions (`allocating`).
"""

from __future__ import annotations

import functools

__all__ = ["OutOfMemoryError"]

# NumPy's messages for a size whose byte count does not fit in a machine integer.
_TOO_BIG = ("array is too big", "Maximum allowed dimension exceeded")


class OutOfMemoryError(RuntimeError, MemoryError):
    """An allocation could not be made (a RuntimeError, as in PyTorch; also a MemoryError)."""


OutOfMemoryError.__module__ = "chainrule"  # its public name: chainrule.OutOfMemoryError


def translated(error):
    """The error chainrule raises for NumPy's `error`, or None when it is not about memory."""
    if isinstance(error, OutOfMemoryError):
        return None
    if isinstance(error, MemoryError):
        nbytes = getattr(error, "_total_size", None)
        if nbytes is None:
            return OutOfMemoryError(f"DefaultCPUAllocator: can't allocate memory: {error}")
        return OutOfMemoryError(
            f"DefaultCPUAllocator: can't allocate memory: you tried to allocate {nbytes} bytes."
        )
    if isinstance(error, ValueError) and str(error).startswith(_TOO_BIG):
        return RuntimeError(f"Storage size calculation overflowed ({error})")
    return None


def allocating(fn):
    """fn, raising chainrule's errors for allocations that cannot be made."""

    @functools.wraps(fn)
    def call(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (MemoryError, ValueError) as e:
            error = translated(e)
            if error is None:
                raise
            raise error from e

    return call
