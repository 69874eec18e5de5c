"""The primitives, one module per family. Importing this package attaches every op's
method and operator forms to Tensor."""

from . import conversion, creation, pointwise, reduction, shape  # noqa: F401
