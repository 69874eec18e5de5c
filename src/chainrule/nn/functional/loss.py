"""Functional forms: loss."""

__all__ = []
