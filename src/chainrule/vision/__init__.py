"""chainrule.vision: a stand-in for torchvision (transforms, datasets, models, ops)."""

from . import datasets, models, ops, transforms

__all__ = ["datasets", "models", "ops", "transforms"]
