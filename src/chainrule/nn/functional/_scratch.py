"""A per-thread scratch buffer for the large temporaries of the convolution and pooling
kernels.

Columns of a convolution, an input moved to the batch-last layout, or a pooled input
regrouped by window offset are the largest arrays of a kernel call and live only inside
it. Allocated afresh, arrays of a few hundred KiB and up come back from the allocator as
new pages from the OS on every training step (in LeNet's step the page faults cost more
than the copies that fill them), so they reuse one buffer. Nothing a kernel returns may
view it, and a kernel makes one request for all the temporaries it holds at once.
"""

import threading

import numpy as np

_scratch = threading.local()
SCRATCH_MAX = 32 << 20  # bytes; larger requests are allocated for each call
_ALIGN = 64


def _nbytes(shape, dtype):
    n = np.dtype(dtype).itemsize
    for s in shape:
        n *= s
    return n


def scratch_arrays(*specs):
    """Uninitialised arrays, one per (shape, dtype), side by side in this thread's scratch
    buffer when they fit in it together (else allocated afresh)."""
    sizes = [-(-_nbytes(shape, dtype) // _ALIGN) * _ALIGN for shape, dtype in specs]
    total = sum(sizes)
    if total > SCRATCH_MAX:
        return [np.empty(shape, dtype) for shape, dtype in specs]
    buf = getattr(_scratch, "buf", None)
    if buf is None or buf.nbytes < total:
        buf = _scratch.buf = np.empty(total, np.uint8)
    out, start = [], 0
    for (shape, dtype), size in zip(specs, sizes):
        nbytes = _nbytes(shape, dtype)
        out.append(buf[start : start + nbytes].view(dtype).reshape(shape))
        start += size
    return out


def scratch_array(shape, dtype):
    """One uninitialised array over this thread's scratch buffer (see scratch_arrays)."""
    return scratch_arrays((shape, dtype))[0]
