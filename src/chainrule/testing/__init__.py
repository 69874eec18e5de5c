"""chainrule.testing: assert_close, with PyTorch's default tolerances per dtype, its rules for
numbers, tensors, sequences and mappings, and its messages word for word."""

from ._comparison import assert_close

__all__ = ["assert_close"]
