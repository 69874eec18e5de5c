"""Functional forms: dropout."""

__all__ = []
