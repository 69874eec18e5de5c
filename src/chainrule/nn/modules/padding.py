"""nn modules: the padding layers."""

__all__ = []
