"""Functional forms: sparse."""

__all__ = []
