"""Functional forms: normalization."""

__all__ = []
