"""chainrule.vision.datasets: image datasets with PyTorch vision's interface."""

from .cifar import CIFAR10, CIFAR100
from .folder import DatasetFolder, ImageFolder
from .mnist import KMNIST, MNIST, FashionMNIST
from .vision import StandardTransform, VisionDataset

__all__ = [
    "CIFAR10",
    "CIFAR100",
    "DatasetFolder",
    "FashionMNIST",
    "ImageFolder",
    "KMNIST",
    "MNIST",
    "StandardTransform",
    "VisionDataset",
]
