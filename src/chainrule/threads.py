"""set_num_threads / get_num_threads: the number of threads chainrule's BLAS uses.

chainrule's only threaded work is NumPy's BLAS (matmul and everything built on
it). Where NumPy's BLAS is an OpenBLAS shared library (the NumPy wheels ship
one), its thread count is set through the library's own entry point; on any
other BLAS the number is remembered and reported, and the BLAS keeps its own
setting (its environment variables, such as OPENBLAS_NUM_THREADS, still work).
"""

import ctypes
import os

import numpy

__all__ = [
    "get_num_interop_threads",
    "get_num_threads",
    "set_num_interop_threads",
    "set_num_threads",
]

# The OpenBLAS entry points under the names the NumPy wheels' builds export.
_SYMBOLS = (
    ("scipy_openblas_set_num_threads64_", "scipy_openblas_get_num_threads64_"),
    ("scipy_openblas_set_num_threads", "scipy_openblas_get_num_threads"),
    ("openblas_set_num_threads64_", "openblas_get_num_threads64_"),
    ("openblas_set_num_threads", "openblas_get_num_threads"),
)

_blas = None  # (setter, getter) once found, False when there is none
_requested = None
_interop = None


def _openblas():
    global _blas
    if _blas is None:
        _blas = False
        import glob  # here: only a thread setting looks for the library

        here = os.path.dirname(numpy.__file__)
        candidates = glob.glob(os.path.join(here + ".libs", "*openblas*"))
        candidates += glob.glob(os.path.join(here, ".dylibs", "*openblas*"))
        for path in candidates:
            try:
                lib = ctypes.CDLL(path)  # already loaded by NumPy: the same handle
            except OSError:
                continue
            for set_name, get_name in _SYMBOLS:
                if hasattr(lib, set_name) and hasattr(lib, get_name):
                    setter, getter = getattr(lib, set_name), getattr(lib, get_name)
                    setter.argtypes, setter.restype = [ctypes.c_int], None
                    getter.argtypes, getter.restype = [], ctypes.c_int
                    _blas = (setter, getter)
                    return _blas
    return _blas


def _check(n, name):
    if isinstance(n, bool) or not isinstance(n, int):
        raise RuntimeError(f"{name} expects an int, but got {type(n).__name__}")
    if n <= 0:
        raise RuntimeError(f"{name} expects a positive integer")


def set_num_threads(n):
    """Use n threads in the BLAS behind matmul and friends."""
    global _requested
    _check(n, "set_num_threads")
    blas = _openblas()
    if blas:
        blas[0](n)
    _requested = n


def get_num_threads():
    """The number of threads the BLAS uses (os.cpu_count() when it cannot be asked)."""
    blas = _openblas()
    if blas:
        return int(blas[1]())
    return _requested or os.cpu_count() or 1


def set_num_interop_threads(n):
    """Accepted for compatibility: chainrule runs ops one after another on one thread."""
    global _interop
    _check(n, "set_num_interop_threads")
    _interop = n


def get_num_interop_threads():
    return _interop or 1
