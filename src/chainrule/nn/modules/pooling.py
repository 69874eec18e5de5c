"""nn modules: max, average and adaptive pooling."""

__all__ = []
