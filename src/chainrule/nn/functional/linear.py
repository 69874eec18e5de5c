"""Functional forms: linear."""

__all__ = []
