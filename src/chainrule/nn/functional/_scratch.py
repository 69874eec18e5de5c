"""A per-thread scratch buffer for the large temporaries of the convolution and pooling
kernels.

Columns of a convolution, or a pooled input regrouped by window offset, are the largest
arrays of a kernel call and live only inside it. Allocated afresh, arrays of a few MiB
come back from the allocator as new pages from the OS on every training step (in LeNet's
step the page faults cost more than the copies that fill them), so they reuse one buffer.
Nothing a kernel returns may view it, and a kernel holds one scratch array at a time.
"""

import threading

import numpy as np

_scratch = threading.local()
SCRATCH_MAX = 32 << 20  # bytes; larger arrays are allocated for each call


def scratch_array(shape, dtype):
    """An uninitialised array, over this thread's scratch buffer when it is small enough."""
    nbytes = dtype.itemsize
    for n in shape:
        nbytes *= n
    if nbytes > SCRATCH_MAX:
        return np.empty(shape, dtype)
    buf = getattr(_scratch, "buf", None)
    if buf is None or buf.nbytes < nbytes:
        buf = _scratch.buf = np.empty(nbytes, np.uint8)
    return buf[:nbytes].view(dtype).reshape(shape)
