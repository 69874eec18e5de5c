"""chainrule.signal: signal-processing helpers, as torch.signal (the windows)."""

from . import windows

__all__ = ["windows"]
