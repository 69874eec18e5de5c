"""Functional forms: max, average and adaptive pooling."""

__all__ = []
