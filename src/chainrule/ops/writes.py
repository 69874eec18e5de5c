"""Writing a result into an existing tensor's memory, with the checks PyTorch makes:
the result's dtype must cast to the tensor's, its shape broadcast to the tensor's, and
the tensor may not be an expanded one. In-place ops (inplace.py) and the `out=`
keyword write through here."""

import numpy as np

from .. import dtypes


def write(self, result):
    """Copy result's values into self's memory and bump self's version."""
    check_cast(result._data.dtype, self._data.dtype)
    rshape, shape = result._data.shape, self._data.shape
    if rshape != shape and (
        len(rshape) > len(shape)
        or any(r != s and r != 1 for r, s in zip(rshape[::-1], shape[::-1]))
    ):
        raise shape_error(self, result)
    if not self._data.flags.writeable:  # an expanded tensor: many elements, one memory slot
        raise RuntimeError(
            "unsupported operation: more than one element of the written-to tensor refers to a "
            "single memory location. Please clone() the tensor before performing the operation."
        )
    np.copyto(self._data, result._data, casting="unsafe")
    self._bump_version()
    return self


def write_out(out, result):
    """The `out=` keyword: resize `out` if its shape differs (as PyTorch does), then write."""
    if out._data.shape != result._data.shape:
        out._data = np.empty(result._data.shape, out._data.dtype)
    return write(out, result)


def maybe_out(result, out):
    """result, written into `out` when the caller passed one."""
    return result if out is None else write_out(out, result)


def shape_error(self, result):
    return RuntimeError(
        f"output with shape {list(self._data.shape)} doesn't match the broadcast shape "
        f"{list(result._data.shape)}"
    )


def check_cast(result_dtype, target_dtype):
    """PyTorch's error for a result of a higher dtype category (float into an int tensor)."""
    if result_dtype == target_dtype:
        return
    r, t = dtypes.from_numpy_dtype(result_dtype), dtypes.from_numpy_dtype(target_dtype)
    if r._category > t._category:
        raise RuntimeError(
            f"result type {dtypes.scalar_type_name(r)} can't be cast to the desired output type "
            f"{dtypes.scalar_type_name(t)}"
        )


def store_out(out, result):
    """The out= keyword: result written into out (resized to it first, as PyTorch does),
    refusing a cast to a lower kind (float into an integer tensor)."""
    r, t = result.dtype, out.dtype
    if r._category > t._category:
        raise RuntimeError(
            f"result type {dtypes.scalar_type_name(r)} can't be cast to the desired output "
            f"type {dtypes.scalar_type_name(t)}"
        )
    if out._data.shape != result._data.shape:
        out._data = np.empty(result._data.shape, out._data.dtype)
    return out.copy_(result)
