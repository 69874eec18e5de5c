"""The primitives, one module per family. Importing this package attaches every op's
method and operator forms to Tensor; each module's __all__ is its public functions."""

from . import (  # noqa: F401
    comparison,
    conversion,
    creation,
    elementwise,
    factories,
    grids,
    histogram,
    indexing,
    inplace,
    joining,
    matmul,
    methods,
    pointwise,
    rearrange,
    reduction,
    scans,
    scatter,
    shape,
    sorting,
    special,
    statistics,
    strided,
    unary,
)
