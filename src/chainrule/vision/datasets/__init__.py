"""chainrule.vision.datasets: image datasets with PyTorch vision's interface."""

from .mnist import MNIST
from .vision import StandardTransform, VisionDataset

__all__ = ["MNIST", "StandardTransform", "VisionDataset"]
