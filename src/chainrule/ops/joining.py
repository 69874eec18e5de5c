"""joining ops (being written)."""

__all__ = []
