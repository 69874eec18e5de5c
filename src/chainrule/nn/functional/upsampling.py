"""Functional form: interpolate (nearest, bilinear)."""

__all__ = []
