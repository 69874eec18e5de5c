"""chainrule.vision: a stand-in for torchvision (transforms and datasets)."""

from . import datasets, transforms

__all__ = ["datasets", "transforms"]
