"""Functional forms: activation."""

__all__ = []
