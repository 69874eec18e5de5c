"""The primitives, one module per family. Importing this package attaches the common ops'
method and operator forms to Tensor; each module's __all__ is its public functions. The
rarer families (linear algebra, complex numbers, special functions, sorting, ...) load on
first use: _lazy.py lists them."""

import importlib as _importlib

from . import (  # noqa: F401
    comparison,
    conversion,
    creation,
    factories,
    indexing,
    inplace,
    joining,
    matmul,
    methods,
    pointwise,
    reduction,
    shape,
    unary,
)


def __getattr__(name):
    # chainrule.ops.sorting and the other families of _lazy.FAMILIES, imported on first use
    from ._lazy import FAMILIES

    if name in FAMILIES:
        return _importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
