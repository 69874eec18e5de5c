"""Large scratch arrays whose memory is kept for the next call, for the recurrent layers.

A recurrent layer allocates several (rows, hidden)-sized arrays per call: the gates and
states its backward reads, and the backward's own scratch. Freshly allocated large arrays
come from the operating system page by page, and the first write to each page is a page
fault; in a training loop that repeats every step, the faults took a third of the GRU
loop's time on a loaded machine. `empty` hands out such arrays as views of buffers that,
once the view is garbage, go back to a small free list instead of to the allocator, so the
next call writes into memory that is already mapped.

Only arrays that stay inside the layer's Op may come from here (no tensor a user can reach
wraps them, and no view of them outlives them): a buffer is reused as soon as the view
handed out is collected. Small arrays, and any request once the free list is full, are
plain np.empty; at most 64 MiB of free buffers are kept.
"""

import threading
import weakref

import numpy as np

__all__ = []

_MIN_BYTES = 1 << 18  # smaller arrays are cheap to allocate: np.empty
_MAX_BYTES = 1 << 26  # free buffers kept, in bytes, all sizes and dtypes together
_free: list[np.ndarray] = []
# reentrant: a collection that runs while the list is held may release a buffer into it
_lock = threading.RLock()


def _release(buffer):
    with _lock:
        if sum(b.nbytes for b in _free) + buffer.nbytes <= _MAX_BYTES:
            _free.append(buffer)


def _take(size, dtype):
    """A free buffer of `dtype` holding size to 2 * size elements (the smallest), or None."""
    with _lock:
        best = None
        for k, buffer in enumerate(_free):
            if buffer.dtype == dtype and size <= buffer.size <= 2 * size:
                if best is None or buffer.size < _free[best].size:
                    best = k
        return None if best is None else _free.pop(best)


def empty(shape, dtype):
    """An uninitialised C-contiguous array, possibly in memory a previous call used."""
    dtype = np.dtype(dtype)
    size = int(np.prod(shape))
    if size * dtype.itemsize < _MIN_BYTES:
        return np.empty(shape, dtype)
    buffer = _take(size, dtype)
    if buffer is None:
        buffer = np.empty(size, dtype)
    view = buffer[:size].reshape(shape)
    weakref.finalize(view, _release, buffer).atexit = False
    return view
