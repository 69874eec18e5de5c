"""The primitives, one module per family. Importing this package attaches every op's
method and operator forms to Tensor; each module's __all__ is its public functions."""

from . import (  # noqa: F401
    comparison,
    complex,
    conversion,
    creation,
    indexing,
    joining,
    linalg,
    linalg_factor,
    linalg_products,
    linalg_solve,
    linalg_spectral,
    pointwise,
    reduction,
    shape,
    sorting,
)
