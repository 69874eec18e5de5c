"""Dimension arguments: wrapping negative dims and PyTorch's errors when out of range."""

from ..tensor import _dim_index as dim_index  # noqa: F401  (re-exported for op modules)


def normalize_dims(dim, ndim):
    """dim (None, an int, or a sequence of ints) as a sorted tuple of non-negative dims."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, int) or hasattr(dim, "__index__") and not isinstance(dim, (list, tuple)):
        return (dim_index(int(dim), ndim),)
    dims = tuple(dim_index(int(d), ndim) for d in dim)
    if len(set(dims)) != len(dims):
        repeated = next(d for d in dims if dims.count(d) > 1)
        raise RuntimeError(f"dim {repeated} appears multiple times in the list of dims")
    return tuple(sorted(dims))


def shape_arg(size):
    """A shape given as varargs or one sequence: (2, 3), ((2, 3),) or (Size,) -> (2, 3)."""
    if len(size) == 1 and not isinstance(size[0], int) and not hasattr(size[0], "__index__"):
        size = size[0]
    elif len(size) == 1 and hasattr(size[0], "shape") and getattr(size[0], "ndim", 0) > 0:
        size = size[0]
    return tuple(int(s) for s in size)
