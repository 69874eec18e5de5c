"""The IDX file format of MNIST: a magic number, big-endian dimensions, then the values."""

import gzip
import os

import numpy as np

# the third byte of the magic number names the element type
_TYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_CODES = {dt.newbyteorder("="): code for code, dt in _TYPES.items()}


def find(path):
    """The file at path, or its gzip-compressed twin path + '.gz'; None if neither exists."""
    for candidate in (path, path + ".gz"):
        if os.path.isfile(candidate):
            return candidate
    return None


def read(path):
    """The array stored in an IDX file (plain or .gz), in native byte order."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        blob = f.read()
    if len(blob) < 4 or blob[0] != 0 or blob[1] != 0 or blob[2] not in _TYPES:
        raise RuntimeError(f"{path} is not an IDX file (bad magic number)")
    ndim = blob[3]
    dims = tuple(int(d) for d in np.frombuffer(blob, ">i4", count=ndim, offset=4))
    dtype = _TYPES[blob[2]]
    start = 4 + 4 * ndim
    expected = int(np.prod(dims, dtype=np.int64)) * dtype.itemsize
    if len(blob) - start != expected:
        raise RuntimeError(
            f"{path}: the header says {dims} values ({expected} bytes) but the file holds "
            f"{len(blob) - start} bytes"
        )
    return np.frombuffer(blob, dtype, offset=start).reshape(dims).astype(dtype.newbyteorder("="))


def write(path, array):
    """Store an array as an IDX file, gzip-compressed when path ends in .gz.

    The file appears under its name only once complete, so an interrupted write never
    leaves a truncated file that would later be read as data.
    """
    array = np.asarray(array)
    code = _CODES[array.dtype.newbyteorder("=")]
    header = bytes([0, 0, code, array.ndim]) + np.asarray(array.shape, ">i4").tobytes()
    body = array.astype(array.dtype.newbyteorder(">"), copy=False).tobytes()
    partial = path + ".part"
    if path.endswith(".gz"):  # level 1: three times faster than 6, files 10% larger
        with gzip.open(partial, "wb", compresslevel=1) as f:
            f.write(header + body)
    else:
        with open(partial, "wb") as f:
            f.write(header + body)
    os.replace(partial, path)
