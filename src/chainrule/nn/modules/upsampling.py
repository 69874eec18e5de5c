"""nn modules: Upsample."""

__all__ = []
